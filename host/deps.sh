#!/usr/bin/env bash
# Stage deps: install the Debian packages the pipeline needs, and unpack
# Debian's static s390x busybox and libuuid (libvfio of the kernel's VFIO
# selftests links it) into the guest sysroot. The kernel and QEMU sources
# are not installed: host/fetch.sh downloads them (config/bases).
. "$(dirname "$0")/lib.sh"

# Found by running both README commands in a root that has nothing else
# (make fresh): the host compilers build the kernel's host tools, the
# x86_64 gate and the host's QEMU; headers_install needs rsync; checkpatch
# needs the whole of perl, not perl-base; host/lava.py (in the judge's
# tests too) reads and writes YAML, and renders LAVA's Jinja templates;
# QEMU 10.2's configure makes a Python venv (python3-venv, python3-distlib).
PKGS=(gcc-s390x-linux-gnu g++-s390x-linux-gnu libc6-dev-s390x-cross
      gcc g++ libc6-dev qemu-system-misc python3-ply python3-git python3-yaml python3-jinja2
      ccache dwarves bc bison flex libelf-dev libssl-dev cpio kmod make git rsync perl
      python3 python3-venv python3-distlib xz-utils meson ninja-build dpkg-dev pkg-config
      libglib2.0-dev libpixman-1-dev libfdt-dev zlib1g-dev)

# make lava (host/lava.sh): Debian's LAVA dispatcher, installed, and the
# qemu device-type template of its server, unpacked only (the server
# itself, Django and PostgreSQL, has no part in one job on one machine).
if [ "${1:-}" = lava ]; then
	PKGS=(lava-dispatcher)
fi

# unpack NAME DIR PACKAGE...: download the PACKAGEs (apt's lists updated
# when the first try fails: missing or stale) and unpack them into DIR; the
# log is $LOGS/NAME.log.
unpack() {
	local name=$1 dir=$2 dl deb
	shift 2
	dl=$(mktemp -d)
	if ! (cd "$dl" && apt-get download "$@") >"$LOGS/$name.log" 2>&1; then
		run_logged apt-update apt-get update
		(cd "$dl" && run_logged "$name" apt-get download "$@")
	fi
	mkdir -p "$dir"
	for deb in "$dl"/*.deb; do
		dpkg -x "$deb" "$dir"
	done
	rm -rf "$dl"
}

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ! dpkg --print-foreign-architectures | grep -qx s390x; then
	dpkg --add-architecture s390x
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

if [ "${1:-}" = lava ]; then
	# The packages enable and start a lab worker's services: this machine is
	# no worker, and lava-run needs none of them.
	if [ -d /run/systemd/system ]; then
		systemctl disable --now lava-worker.service lava-dispatcher-host.socket \
			lava-dispatcher-host.service >/dev/null 2>&1 || true
	fi
	templates=$WORK/lava-server/usr/share/lava-server/device-types
	if [ ! -e "$templates/qemu.jinja2" ]; then
		version=$(dpkg-query -W -f='${Version}' lava-dispatcher)
		say "fetching lava-server $version for its device-type templates"
		rm -rf "$WORK/lava-server"
		unpack lava-server "$WORK/lava-server" "lava-server=$version"
	fi
	say "deps lava ok"
	exit 0
fi

# The guest's s390x packages, unpacked, not installed on the host.
GUEST_DEBS=(busybox-static uuid-dev)
if [ ! -x "$SYSROOT/bin/busybox" ] || [ ! -e "$SYSROOT/usr/lib/s390x-linux-gnu/libuuid.a" ]; then
	say "fetching ${GUEST_DEBS[*]/%/:s390x}"
	unpack guest-debs "$SYSROOT" "${GUEST_DEBS[@]/%/:s390x}"
fi
say "deps ok"
