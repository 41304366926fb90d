# Shared helpers for the host-side stages. Sourced, not run.
# shellcheck shell=bash
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${WORK:-$TOP/work}
# The work trees (git: config/bases's source as commit "base", then the
# series): the kernel the series is for, its stable backport, QEMU.
TREE=$WORK/linux
BTREE=$WORK/linux-6.12
QTREE=$WORK/qemu
QPATCHES=$TOP/qemu-patches
KBUILD=$WORK/build
# The host's QEMU (host/qemu-build.sh host), which presents the test bed.
QEMU_HOST=${QEMU_HOST:-$WORK/qemu-host/qemu-system-s390x}
# The guest's QEMUs (host/qemu-build.sh guest): A, Debian's source without
# the series, and B, with qemu-patches/; and Debian's s390x packages they
# are built against: the -dev packages and the libraries (host/guest-debs.sh
# puts those the two need into the guest).
QEMU_A=$WORK/qemu-build-a/qemu-system-s390x.stripped
QEMU_B=$WORK/qemu-build/qemu-system-s390x.stripped
QEMU_S390X_DEBS=(libglib2.0-dev libglib2.0-0 libpcre2-dev libpcre2-8-0 libpcre2-16-0 libpcre2-32-0
		 libpcre2-posix3 libffi-dev libffi8 libmount-dev libmount1 libblkid-dev libblkid1
		 libselinux1-dev libselinux1 libsepol-dev libsepol2 zlib1g-dev zlib1g
		 libpixman-1-dev libpixman-1-0 libfdt-dev libfdt1 uuid-dev libuuid1)
LOGS=$WORK/logs
SYSROOT=$WORK/sysroot
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
# Hits whatever directory the clone is in (make fresh's root has another):
# paths below it are hashed as relative ones, and the directory a compiler
# ran in not at all.
export CCACHE_BASEDIR=$TOP CCACHE_NOHASHDIR=1
mkdir -p "$LOGS"

# fetch_base NAME DIR: config/bases's NAME unpacked into DIR (host/fetch.sh),
# unless DIR holds that version already; true when it fetched.
fetch_base() {
	local want
	want=$(awk -v n="$1" '$1 == n { print $3, $4 }' "$TOP/config/bases")
	[ "$(cat "$2/.base-version" 2>/dev/null)" != "$want" ] || return 1
	rm -rf "$2"
	"$TOP/host/fetch.sh" "$1" "$2" >/dev/null
	echo "$want" >"$2/.base-version"
}

# tree_of NAME, series_of NAME: the work tree and the series directory of a
# base of config/bases (linux, linux-6.12, qemu).
tree_of() { echo "$WORK/$1"; }
series_of() {
	case $1 in
	linux) echo "$TOP/patches" ;;
	linux-6.12) echo "$TOP/patches-6.12" ;;
	qemu) echo "$QPATCHES" ;;
	*) die "no series for $1" ;;
	esac
}

say() { printf '==> %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# run_logged NAME CMD...: run CMD with its output in $LOGS/NAME.log, print
# the log's path and its tail when it fails.
run_logged() {
	local name=$1 log=$LOGS/$1.log
	shift
	if ! "$@" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "$name failed; full log: $log"
	fi
}

# host_qemu_dir: a directory whose qemu-system-s390x is the host's QEMU,
# for the runners that take the first one in PATH (kunit.py, lava-run).
host_qemu_dir() {
	mkdir -p "$WORK/host-qemu-bin"
	ln -sf "$(realpath "$QEMU_HOST")" "$WORK/host-qemu-bin/qemu-system-s390x"
	echo "$WORK/host-qemu-bin"
}

# The machine of every boot of the test bed (host/boot.sh, host/lava.sh):
# QEMU's options besides its size, console and devices; Debian's
# qemu-system-data has the firmware it loads first (the source has none).
GUEST_MACHINE=(-L /usr/share/qemu -M s390-ccw-virtio -accel tcg -cpu qemu -no-reboot)
# guest_size FLAVOUR: "MiB vCPUs" of a boot of that kernel. Room for a
# nested guest on the test kernel; the debug kernel's kmemleak scans all of
# it, so it gets less. (The test bed's DMA windows are smaller than either,
# so that the guest kernel keeps them as they are.) The debug kernel is
# preemptible and gets two vCPUs, for the race tests.
guest_size() {
	if [ "$1" = debug ]; then echo "1024 2"; else echo "2048 1"; fi
}

# guest_cmdline MODE STAGES TOPOLOGY: the guest kernel's command line for
# guest/init (vfiotest.mode, vfiotest.stages) and its tests (the test bed's
# values, host/topology.py cmdline of the file TOPOLOGY). The guest's type1
# containers take at most DMA_ENTRY_LIMIT mappings (not the kernel's
# default, 65535): QEMU B narrows a nested function's DMA window to it
# where its group has no relaxed translation (stage qemu_ab).
DMA_ENTRY_LIMIT=40000
guest_cmdline() {
	local bed more=
	bed=$("$TOP/host/topology.py" --file "$3" cmdline) || die "no command line from $3"
	[ "$1" = check ] || more=" kunit.enable=0"
	echo "console=ttysclp0 panic=-1 vfiotest.mode=$1 vfiotest.stages=$2 $bed$more" \
		"vfio_iommu_type1.dma_entry_limit=$DMA_ENTRY_LIMIT"
}

# The cross make invocation for the s390x test kernel.
kmake() {
	make -C "$TREE" O="$KBUILD" ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- \
		CC="ccache s390x-linux-gnu-gcc" -j"$(nproc)" "$@"
}
