#!/usr/bin/env bash
# Stage initramfs: build the guest programs (static s390x, against the
# test kernel's installed uAPI headers) and pack them with busybox and
# guest/init into a cpio, using the kernel's own usr/gen_init_cpio.
#   initramfs.sh        everything make check runs, QEMU and the nested guest
#                       included
#   initramfs.sh run    without QEMU (make run, make bench)
#   initramfs.sh 6.12   the same for the stable backport's test kernel
#                       (work/linux-6.12): initramfs-6.12.cpio.gz
. "$(dirname "$0")/lib.sh"

KSELFTESTS=(vfio)
OUT=$WORK/initramfs CPIO=$WORK/initramfs.cpio.gz
if [ "${1:-}" = 6.12 ]; then
	TREE=$BTREE KBUILD=$WORK/build-6.12
	OUT=$WORK/initramfs-6.12 CPIO=$WORK/initramfs-6.12.cpio.gz
fi
HDRS=$KBUILD/usr/include
CC=s390x-linux-gnu-gcc
rm -rf "$OUT"
mkdir -p "$OUT/kselftest"

# What the guest's tests need of config/fields: fields.h (for
# guest/record.h), fields.sh and fields.jq (/lib).
"$TOP/host/topology.py" guest-fields "$OUT/fields" || die "initramfs: config/fields"

say "initramfs: guest programs"
for prog in vfio-info vfio-dev-caps hotplug bench; do
	run_logged "$prog" $CC -static -O2 -Wall -Werror -isystem "$HDRS" -I "$OUT/fields" \
		-o "$OUT/$prog" "$TOP/guest/$prog.c" -lpthread
done

for t in "${KSELFTESTS[@]}"; do
	if [ ! -d "$TREE/tools/testing/selftests/$t" ]; then
		say "initramfs: the tree has no selftests/$t (empty series?)"
		continue
	fi
	say "initramfs: kselftest $t"
	mkdir -p "$OUT/kselftest/$t"
	# libvfio (7.2) links libuuid: Debian's s390x one, in the sysroot
	run_logged "kselftest-$t" make -C "$TREE/tools/testing/selftests/$t" \
		ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- \
		USERLDFLAGS="-static -L$SYSROOT/usr/lib/s390x-linux-gnu" \
		USERCFLAGS="-isystem $SYSROOT/usr/include" \
		KHDR_INCLUDES="-isystem $HDRS" OUTPUT="$OUT/kselftest/$t"
done

# The project's tool (tool/), where the tree's uAPI has the series.
if grep -q VFIO_IOMMU_TYPE1_INFO_CAP_ZPCI_FN "$HDRS/linux/vfio.h"; then
	say "initramfs: tool/vfio_iommu_info"
	run_logged tool $CC -static -O2 -Wall -Wextra -Werror -isystem "$HDRS" \
		-o "$OUT/vfio_iommu_info" "$TOP/tool/vfio_iommu_info.c"
fi

# Except for make run and make bench: the guest's QEMUs (host/qemu-build.sh
# guest): A, Debian's source without the series, a second client (the guest's qemu_client and
# qemu_nested stages), and B, with qemu-patches/ (stage qemu_ab); their
# libraries and firmware, the ioctl observer, and the nested guest they boot
# (the test kernel with guest/nested-init, the tool and the module
# guest/zpci-insn/).
# The module is in the test guest too (stage hostile_bars).
if [ -z "${1:-}" ]; then
	"$TOP/host/guest-debs.sh"
	run_logged vfio-observe $CC -shared -fPIC -O2 -Wall -Werror -isystem "$HDRS" -I "$OUT/fields" \
		-o "$OUT/vfio-observe.so" "$TOP/guest/vfio-observe.c" -ldl
	# A hostile guest's zPCI loads and stores (guest/zpci-insn/), built
	# apart from the source (kbuild writes beside it).
	mkdir -p "$OUT/zpci-insn"
	cp -p "$TOP"/guest/zpci-insn/* "$OUT/zpci-insn/"
	run_logged zpci-insn kmake M="$OUT/zpci-insn" modules
	cat >"$OUT/nested.list" <<-LIST
	dir /dev 0755 0 0
	nod /dev/console 0600 0 0 c 5 1
	dir /proc 0755 0 0
	dir /sys 0755 0 0
	dir /bin 0755 0 0
	file /init $TOP/guest/nested-init 0755 0 0
	file /bin/busybox $SYSROOT/bin/busybox 0755 0 0
	file /bin/bind-vfio $TOP/guest/bind-vfio 0755 0 0
	file /zpci_insn.ko $OUT/zpci-insn/zpci_insn.ko 0644 0 0
	LIST
	[ -x "$OUT/vfio_iommu_info" ] &&
		echo "file /bin/vfio_iommu_info $OUT/vfio_iommu_info 0755 0 0" >>"$OUT/nested.list"
	"$KBUILD/usr/gen_init_cpio" "$OUT/nested.list" | gzip -9n >"$OUT/nested.cpio.gz"
fi

{
	cat <<-LIST
	dir /dev 0755 0 0
	nod /dev/console 0600 0 0 c 5 1
	dir /proc 0755 0 0
	dir /sys 0755 0 0
	dir /bin 0755 0 0
	file /init $TOP/guest/init 0755 0 0
	file /bin/busybox $SYSROOT/bin/busybox 0755 0 0
	file /bin/bind-vfio $TOP/guest/bind-vfio 0755 0 0
	file /bin/vfio-info $OUT/vfio-info 0755 0 0
	file /bin/vfio-dev-caps $OUT/vfio-dev-caps 0755 0 0
	file /bin/hotplug $OUT/hotplug 0755 0 0
	file /bin/bench $OUT/bench 0755 0 0
	dir /lib 0755 0 0
	file /lib/vfiotest.sh $TOP/guest/vfiotest.sh 0644 0 0
	file /lib/fields.sh $OUT/fields/fields.sh 0644 0 0
	file /lib/fields.jq $OUT/fields/fields.jq 0644 0 0
	file /lib/qemu-stages.sh $TOP/guest/qemu-stages.sh 0644 0 0
	dir /stages 0755 0 0
	dir /kselftest 0755 0 0
	dir /etc 0755 0 0
	dir /tmp 1777 0 0
	file /etc/passwd $TOP/guest/passwd 0644 0 0
	LIST
	[ -x "$OUT/vfio_iommu_info" ] && echo "file /bin/vfio_iommu_info $OUT/vfio_iommu_info 0755 0 0"
	if [ -e "$OUT/vfio-observe.so" ]; then
		cat "$WORK/qemu-s390x/files.list"
		echo "file /lib/vfio-observe.so $OUT/vfio-observe.so 0755 0 0"
		echo "dir /nested 0755 0 0"
		echo "file /nested/bzImage $KBUILD/arch/s390/boot/bzImage 0644 0 0"
		echo "file /nested/initramfs.cpio.gz $OUT/nested.cpio.gz 0644 0 0"
		echo "file /zpci_insn.ko $OUT/zpci-insn/zpci_insn.ko 0644 0 0"
		echo "file /usr/bin/qemu-system-s390x $QEMU_A 0755 0 0"
		echo "dir /usr/local 0755 0 0"
		echo "dir /usr/local/bin 0755 0 0"
		echo "file /usr/local/bin/qemu-system-s390x $QEMU_B 0755 0 0"
	fi
	# Each stage a file of guest/stages/ (guest/init runs them by name).
	find "$TOP/guest/stages" -type f -perm -u+x -printf "file /stages/%P %p 0755 0 0\n"
	find "$OUT/kselftest" -mindepth 1 -type d -printf 'dir /kselftest/%P 0755 0 0\n'
	find "$OUT/kselftest" -type f -perm -u+x -printf "file /kselftest/%P %p 0755 0 0\n"
} >"$OUT/files.list"
"$KBUILD/usr/gen_init_cpio" "$OUT/files.list" | gzip -9n >"$CPIO"
say "initramfs: $CPIO ($(du -h "$CPIO" | cut -f1))"
