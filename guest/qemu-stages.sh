# Sourced by the QEMU stages (guest/stages/qemu_*): what QEMU saw of VFIO,
# and nested guests.

# The observer's log (vfio-observe.so) as TAP diagnostics.
show_ioctls() {
	grep -v 'CHECK_EXTENSION\|MAP_DMA' /tmp/ioctls | sed 's/^/# /'
	echo "# MAP_DMA calls: $(grep -c '^MAP_DMA.*ret=0' /tmp/ioctls)," \
		"UNMAP_DMA calls: $(grep -c '^UNMAP_DMA.*ret=0' /tmp/ioctls)"
}

# The nested guest's memory, in MiB (QEMU's -m one level down).
NESTED_MEM=256

# nested_boot NAME QEMU APPEND [BACKEND]: QEMU boots a nested guest (the test
# kernel with /nested/init, guest/nested-init) with the test bed's nested
# functions assigned (vfiotest.nested=: its container function as -device
# zpci,uid=,fid=), through a legacy VFIO container, or with BACKEND iommufd
# through iommufd; the nested console goes to /tmp/NAME.out, its lines
# from the nested init without their "nested: " (and the console's CR) to
# /tmp/NAME.txt, the VFIO
# ioctls to /tmp/ioctls, QEMU's exit code to /tmp/NAME.rc (busybox's
# timeout gives QEMU's own, 0 after SIGTERM: its "terminating on signal"
# tells).
#
# A nested boot used to be, now and then, hundreds of times slower than
# usual for a whole attempt, or to stop: the host's QEMU (Debian's 7.2) left
# translated code valid that a helper's store had overwritten (fixed
# upstream in 8.2; the host's QEMU is 10.2 now; NOTES.md). In case anything like it comes back, an attempt whose nested
# kernel has not run its init within 300 s is stopped and tried again, up
# to 3 attempts in all, as is one whose nested init never printed. Every
# attempt is in the log, and until its init has run, where the outer
# guest's one CPU went every 30 s (a stalled nested QEMU takes all of it
# with few context switches). Once the nested init has run, its result
# counts.
NESTED_TIMEOUT=450 NESTED_INIT_WITHIN=300 NESTED_ATTEMPTS=3

# cpu_sample PID: cs_line: since the last call, the outer guest's CPU time
# in ticks (user, system, idle, irq), PID's (QEMU's) share, the interrupts
# and context switches taken, and the memory available.
cpu_sample() {
	set -- $(awk '/^cpu /{print $2 + $3, $4, $5 + $6, $7 + $8} /^(intr|ctxt) /{print $2}' /proc/stat) \
		$(awk '{print $14 + $15}' /proc/"$1"/stat 2>/dev/null || echo 0)
	if [ -n "$cs_prev" ]; then
		set -- "$@" $cs_prev
		cs_line="outer CPU ticks: user $(($1 - $8)) system $(($2 - $9)) idle $(($3 - ${10}))"
		cs_line="$cs_line irq $(($4 - ${11})), QEMU $(($7 - ${14})); $(($5 - ${12})) interrupts,"
		cs_line="$cs_line $(($6 - ${13})) context switches;"
		cs_line="$cs_line $(awk '/^MemAvailable/{print int($2 / 1024)}' /proc/meminfo) MiB available"
		set -- $1 $2 $3 $4 $5 $6 $7
	fi
	cs_prev="$*"
}
nested_boot() {
	devices= n=0 vfio=
	[ "${4:-}" = iommufd ] && devices="-object iommufd,id=iommufd0" vfio=,iommufd=iommufd0
	for r in $(records nested); do
		devices="$devices -device zpci,uid=$(field "$r" uid),fid=$(field "$r" fid),target=hostdev$n"
		devices="$devices -device vfio-pci,host=$(bdf_of "$(field "$r" host)"),id=hostdev$n$vfio"
		n=$((n + 1))
	done
	attempt=0
	while [ $attempt -lt $NESTED_ATTEMPTS ]; do
		attempt=$((attempt + 1))
		: >/tmp/ioctls
		# busybox's timeout execs QEMU: $! is QEMU.
		LD_PRELOAD=/lib/vfio-observe.so VFIO_OBSERVE_LOG=/tmp/ioctls timeout $NESTED_TIMEOUT \
			"$2" -L /usr/share/qemu -M s390-ccw-virtio -accel tcg -cpu qemu \
			-m $NESTED_MEM -nic none -nographic -no-reboot -kernel /nested/bzImage \
			-initrd /nested/initramfs.cpio.gz \
			-append "console=ttysclp0 panic=-1 kunit.enable=0 $3" \
			-trace 's390_pci_clp*' $devices </dev/null >/tmp/"$1".out 2>&1 &
		qpid=$! waited=0 stalled= cs_prev=
		cpu_sample $qpid
		while kill -0 $qpid 2>/dev/null; do
			sleep 5
			waited=$((waited + 5))
			if [ $((waited % 30)) = 0 ] && ! grep -q 'Run /init as init process' /tmp/"$1".out; then
				cpu_sample $qpid
				echo "# $1 (attempt $attempt) at ${waited}s: $(grep -c . /tmp/"$1".out) console lines; $cs_line"
			fi
			if [ $waited -ge $NESTED_INIT_WITHIN ] && ! grep -q 'Run /init as init process' /tmp/"$1".out &&
			   kill $qpid 2>/dev/null; then
				stalled=1
			fi
		done
		wait $qpid
		echo $? >/tmp/"$1".rc
		sed "s/^/# $1 console (attempt $attempt): /" /tmp/"$1".out
		[ -n "$stalled" ] && echo "# $1: attempt $attempt stopped: no nested init within ${NESTED_INIT_WITHIN}s"
		grep -q '^nested: ' /tmp/"$1".out && break
	done
	sed -n 's/\r$//; s/^nested: //p' /tmp/"$1".out >/tmp/"$1".txt
	if [ -s /tmp/"$1".txt ]; then
		echo "# $1: nested init ran at attempt $attempt, after $(( $(date +%s) - start ))s"
	else
		echo "# $1: no nested init printed in $attempt attempts, after $(( $(date +%s) - start ))s"
	fi
}

# nested_exit NAME: QEMU exited by itself, with 0.
nested_exit() {
	[ "$(cat /tmp/"$1".rc)" = 0 ] && ! grep -q 'terminating on signal' /tmp/"$1".out
}

# nested_rngs NAME: "N of M": the nested guest's virtio-rng devices it read
# 64 bytes from (DMA), of those it has.
nested_rngs() {
	echo "$(grep -c '^hwrng virtio_rng.* read 64 bytes' /tmp/"$1".txt) of" \
		"$(grep -c '^hwrng virtio_rng' /tmp/"$1".txt)"
}

# nested_records NAME: the zPCI entries of the nested guest's own
# VFIO_IOMMU_GET_INFO (the tool's JSON), as records.
nested_records() {
	sed -n '/^{/,/^]}/p' /tmp/"$1".txt | json_records
}
