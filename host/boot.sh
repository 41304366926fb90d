#!/usr/bin/env bash
# Stage boot: boot the test kernel and initramfs in qemu-system-s390x (TCG)
# with real QEMU zPCI functions, and keep the console in $LOGS/boot-MODE.log.
#   boot.sh check|run|shell|bench [test|debug|6.12]
# test, debug: the kernels of host/kernel.sh; 6.12: the stable backport's
# test kernel, with its own initramfs (host/initramfs.sh 6.12).
# The zPCI functions and groups come from the test bed, config/topology
# (host/topology.py): QEMU gets them as -device zpci,..., and the guest's
# tests get them only through the kernel command line. To see the tests
# fail, give the guest the expectations of another topology than QEMU's:
# EXPECT_TOPOLOGY=FILE.
. "$(dirname "$0")/lib.sh"

mode=${1:-check}
flavour=${2:-test}
INITRAMFS=$WORK/initramfs.cpio.gz
case $flavour in
debug) KBUILD=$WORK/build-debug ;;
6.12) KBUILD=$WORK/build-6.12 INITRAMFS=$WORK/initramfs-6.12.cpio.gz ;;
esac
# The console, and beside it how the boot ended when it ended badly (for
# host/results.py): until QEMU has powered off, that it did not.
log=$LOGS/boot-$mode.log
[ "$flavour" = test ] || log=$LOGS/boot-$mode-$flavour.log
rm -f "$log"
echo "host/boot.sh stopped before the guest powered off" >"$log.status"
TOPOLOGY=${TOPOLOGY:-$TOP/config/topology}
EXPECT_TOPOLOGY=${EXPECT_TOPOLOGY:-$TOPOLOGY}
# Five nested boots (guest/qemu-stages.sh: up to 3 attempts each, an
# attempt stopped after 300 s without the nested init, 450 s at most) run
# in the test kernel's check: room for two stopped attempts and a whole
# one in each, and the rest of the boot (about 40 s).
BOOT_TIMEOUT=${BOOT_TIMEOUT:-$([ "$mode-$flavour" = check-test ] && echo 5350 || echo 600)}

args=$("$TOP/host/topology.py" --file "$TOPOLOGY" qemu-args) || die "boot: $TOPOLOGY"
mapfile -t devices <<<"$args"
# The stages the guest runs: host/expected's for this boot (check: the
# kernel's flavour; else the mode), or those of STAGES=NAME,... (while
# working on some).
stages=${STAGES:-}
[ -n "$stages" ] || stages=$("$TOP/host/results.py" --expected "$TOP/host/expected" \
	--stages "$([ "$mode" = check ] && echo "$flavour" || echo "$mode")")
[ -n "$stages" ] || die "boot: host/expected lists no stage for $mode $flavour"
cmdline=$(guest_cmdline "$mode" "$stages" "$EXPECT_TOPOLOGY")

# The host's QEMU, built by host/qemu-build.sh host: Debian's source with
# host/qemu-host/, whose zpci device presents the test bed.
[ -x "$QEMU_HOST" ] || die "boot: no $QEMU_HOST (make host-qemu)"

read -r mem cpus <<<"$(guest_size "$flavour")"
qemu=("$QEMU_HOST" "${GUEST_MACHINE[@]}" -m "$mem" -smp "$cpus" -nographic -nic none
      -kernel "${KERNEL:-$KBUILD/arch/s390/boot/bzImage}" -initrd "$INITRAMFS"
      -append "$cmdline" "${devices[@]}")
# make bench (host/bench.sh): another kernel (KERNEL=), and the guest's
# instruction counts between its markers into COUNTS (host/insn-count.c).
if [ "$mode" = bench ]; then
	[ -n "${COUNTS:-}" ] || die "boot: bench needs COUNTS=FILE"
	qemu+=(-plugin "$WORK/insn-count.so,out=$COUNTS")
fi
qmp=$WORK/qmp-$mode-$flavour.sock
qemu+=(-qmp "unix:$qmp,server=on,wait=off")
say "boot: ${qemu[*]}"
if [ "$mode" = shell ]; then
	exec "${qemu[@]}"
fi
start=$SECONDS
rc=0
rm -f "$qmp"
TOPOLOGY=$TOPOLOGY "$TOP/host/hotplug.py" "$qmp" "$log" >"$LOGS/hotplug-$mode-$flavour.log" 2>&1 &
hotplug=$!
timeout --foreground "$BOOT_TIMEOUT" "${qemu[@]}" </dev/null >"$log" 2>&1 || rc=$?
kill $hotplug 2>/dev/null || true
wait $hotplug 2>/dev/null || true
# How a boot ended badly, beside its console for host/results.py.
why=
[ $rc -eq 0 ] || why="qemu exited with $rc"
[ $rc -eq 124 ] && why="no power-off within ${BOOT_TIMEOUT}s"
if [ -n "$why" ]; then
	echo "$why" >"$log.status"
	die "boot: $why; console: $log"
fi
rm -f "$log.status"
say "boot: guest powered off after $((SECONDS - start))s; console: $log"
