#!/usr/bin/env bash
# Stage lava (make lava): the test kernel's boot as a LAVA job, run by
# Debian's LAVA dispatcher (lava-run: one job on this machine, no server),
# and LAVA's recorded results compared with host/results.py's of the same
# boot (host/lava.py). The job, device configuration and LAVA's log
# (log.yaml) go to $WORK/lava; the console to $LOGS/boot-lava.log; the
# comparison to $LOGS/lava.results, for host/results.py (make lava's
# summary, and make check's).
#   lava.sh                             run the job here
#   lava.sh job KERNEL_URL RAMDISK_URL  print the job for a lab (docs/lava.md)
# STAGES=NAME,... runs other stages than host/expected's for the lava boot.
. "$(dirname "$0")/lib.sh"

LAVA=$WORK/lava
log=$LOGS/boot-lava.log
qmp=$WORK/qmp-lava.sock
if [ "${1:-}" != job ]; then
	rm -rf "$LAVA" "$log" "$LOGS/lava.results"
	# However this ends, host/results.py gets a result of it.
	trap '[ -s "$LOGS/lava.results" ] || echo "FAIL lava: host/lava.sh ended before" \
		"its comparison; see $LAVA/log.yaml" >"$LOGS/lava.results"' EXIT
fi
TOPOLOGY=${TOPOLOGY:-$TOP/config/topology}
EXPECT_TOPOLOGY=${EXPECT_TOPOLOGY:-$TOPOLOGY}
stages=${STAGES:-}
[ -n "$stages" ] || stages=$("$TOP/host/results.py" --expected "$TOP/host/expected" --stages lava)
[ -n "$stages" ] || die "lava: host/expected lists no stage for the lava boot"
# job KERNEL_URL RAMDISK_URL [WORD]...: the job (host/lava.py job) of the
# test kernel's boot: its machine, size and command line as host/boot.sh
# has them, the test bed's devices (TOPOLOGY), and WORDs for this worker.
job() {
	local kernel=$1 ramdisk=$2 cmdline mem cpus args devices words=() w
	shift 2
	cmdline=$(guest_cmdline check "$stages" "$EXPECT_TOPOLOGY")
	read -r mem cpus <<<"$(guest_size test)"
	args=$("$TOP/host/topology.py" --file "$TOPOLOGY" qemu-args) || die "lava: $TOPOLOGY"
	mapfile -t devices <<<"$args"
	for w in "${GUEST_MACHINE[@]}" -smp "$cpus" "${devices[@]}" "$@"; do
		words+=("--qemu-arg=$w")
	done
	"$TOP/host/lava.py" job --kernel "$kernel" --ramdisk "$ramdisk" --append "$cmdline" \
		--stages "$stages" --memory "$mem" "${words[@]}"
}
if [ "${1:-}" = job ]; then
	[ $# -eq 3 ] || die "usage: lava.sh job KERNEL_URL RAMDISK_URL"
	# A lab has no host/hotplug.py beside its QEMU (docs/lava.md): without
	# STAGES=, its job leaves that stage out.
	[ -n "${STAGES:-}" ] || stages=$(echo ",$stages," | sed 's/,hotplug,/,/; s/^,//; s/,$//')
	job "$2" "$3"
	exit 0
fi
mkdir -p "$LAVA"
echo "host/lava.sh stopped before LAVA's job ended" >"$log.status"
[ -x "$QEMU_HOST" ] || die "lava: no $QEMU_HOST (make host-qemu)"
command -v lava-run >/dev/null || die "lava: no lava-run (host/deps.sh lava)"

# The job as a lab would get it, with two options only this worker needs:
# the QMP socket host/hotplug.py answers the guest's hot-plug requests
# through, and a copy of the console for host/results.py.
job "file://$KBUILD/arch/s390/boot/bzImage" "file://$WORK/initramfs.cpio.gz" \
	-qmp "unix:$qmp,server=on,wait=off" \
	-chardev "stdio,id=console,signal=off,logfile=$log" -serial chardev:console \
	>"$LAVA/job.yaml"
"$TOP/host/lava.py" device --templates "$WORK/lava-server/usr/share/lava-server/device-types" \
	--job "$LAVA/job.yaml" >"$LAVA/device.yaml"
# No default route here: the dispatcher's address for the job is given.
echo "dispatcher_ip: 127.0.0.1" >"$LAVA/dispatcher.yaml"

# LAVA runs the first qemu-system-s390x in PATH: the host's, by that name.
bin=$(host_qemu_dir)
say "lava: lava-run of $LAVA/job.yaml (stages $stages; LAVA's log: $LAVA/log.yaml)"
start=$SECONDS
rm -f "$qmp"
: >"$log"
TOPOLOGY=$TOPOLOGY "$TOP/host/hotplug.py" "$qmp" "$log" >"$LOGS/hotplug-lava.log" 2>&1 &
hotplug=$!
rc=0
PATH=$bin:$PATH timeout 1200 lava-run --job-id 1 --output-dir "$LAVA/out" \
	--device "$LAVA/device.yaml" --dispatcher "$LAVA/dispatcher.yaml" "$LAVA/job.yaml" \
	>"$LAVA/log.yaml" 2>&1 || rc=$?
kill $hotplug 2>/dev/null || true
wait $hotplug 2>/dev/null || true
say "lava: lava-run ended with $rc after $((SECONDS - start))s"
if [ $rc -eq 0 ]; then
	rm -f "$log.status"
else
	echo "lava-run exited with $rc" >"$log.status"
fi

# Whether LAVA recorded what host/results.py reads in the same console.
"$TOP/host/lava.py" compare --stages "$stages" --log "$LAVA/log.yaml" --console "$log" \
	>"$LOGS/lava.results" ||
	echo "FAIL lava: no comparison of LAVA's results (host/lava.py compare)" >>"$LOGS/lava.results"
say "lava: $(grep -c '^PASS' "$LOGS/lava.results") of $(wc -l <"$LOGS/lava.results")" \
	"comparisons agree"
