#!/usr/bin/env bash
# Stage deps: install the Debian packages the pipeline needs, and unpack
# Debian's static s390x busybox into the guest sysroot.
. "$(dirname "$0")/lib.sh"

# Found by running both README commands in a root that has nothing else
# (make fresh): the host compilers build the kernel's host tools, the
# x86_64 gate and the host's QEMU; headers_install needs rsync; checkpatch
# needs the whole of perl, not perl-base.
PKGS=(linux-source-6.12 gcc-s390x-linux-gnu g++-s390x-linux-gnu libc6-dev-s390x-cross
      gcc g++ libc6-dev qemu-system-misc python3-ply python3-git
      ccache sparse dwarves bc bison flex libelf-dev libssl-dev cpio kmod make git rsync perl
      python3 xz-utils meson ninja-build dpkg-dev pkg-config
      libglib2.0-dev libpixman-1-dev libfdt-dev zlib1g-dev)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ! dpkg --print-foreign-architectures | grep -qx s390x; then
	dpkg --add-architecture s390x
	apt_update=1
fi
# apt-get source qemu (host/tree.sh qemu) needs the archive's deb-src entry:
# a copy of its deb entry.
src=/etc/apt/sources.list.d/debian.sources
if [ -e "$src" ] && ! grep -qs '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources; then
	sed 's/^Types: deb$/Types: deb-src/' "$src" >/etc/apt/sources.list.d/debian-src.sources
	apt_update=1
fi
if [ ${#missing[@]} -gt 0 ] || [ -n "${apt_update:-}" ]; then
	run_logged apt-update apt-get update
fi
if [ ${#missing[@]} -gt 0 ]; then
	say "installing: ${missing[*]}"
	run_logged apt-install env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${missing[@]}"
fi

# busybox for the guest: the s390x package, unpacked, not installed on the host.
if [ ! -x "$SYSROOT/bin/busybox" ]; then
	say "fetching busybox-static:s390x"
	dl=$(mktemp -d)
	if ! (cd "$dl" && apt-get download busybox-static:s390x) >"$LOGS/busybox.log" 2>&1; then
		run_logged apt-update apt-get update
		(cd "$dl" && run_logged busybox apt-get download busybox-static:s390x)
	fi
	mkdir -p "$SYSROOT"
	dpkg -x "$dl"/busybox-static_*_s390x.deb "$SYSROOT"
	rm -rf "$dl"
fi
say "deps ok"
