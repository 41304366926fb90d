#!/usr/bin/env bash
# Stages host-qemu and qemu: the two QEMUs built here, from Debian's QEMU
# source (config/bases; work/qemu of host/tree.sh qemu):
#   qemu-build.sh guest   QEMU with qemu-patches/ ($QTREE), cross-built for
#                         the s390x guest, which runs it beside Debian's
#                         unmodified QEMU (see guest-debs.sh); against a
#                         sysroot of Debian's s390x -dev packages (downloaded
#                         and unpacked, not installed)
#   qemu-build.sh host    the qemu-system-s390x that boots the test guest:
#                         Debian's QEMU 10.2 with host/qemu-host/*.patch (the
#                         test bed's zpci properties, fixes that the test
#                         guest's accesses need), built for this machine
#                         with TCG plugins, and make bench's plugin
#                         host/insn-count.c; with the meson of config/bases
#                         (unpacked into work/meson, not installed)
# Both builds are incremental: ninja rebuilds what changed, ccache compiles.
. "$(dirname "$0")/lib.sh"

QSYSROOT=$WORK/qemu-sysroot
DEV_DEBS=(libglib2.0-dev libglib2.0-0 libpcre2-dev libpcre2-8-0 libpcre2-16-0 libpcre2-32-0
	  libpcre2-posix3 libffi-dev libffi8 libmount-dev libmount1 libblkid-dev libblkid1
	  libselinux1-dev libselinux1 libsepol-dev libsepol2 zlib1g-dev zlib1g
	  libpixman-1-dev libpixman-1-0 libfdt-dev libfdt1 uuid-dev libuuid1)
# What both builds leave out: only the system emulator of s390x, with TCG.
CONFIGURE=(--prefix=/usr --target-list=s390x-softmmu --without-default-features
	   --disable-docs --disable-tools --disable-guest-agent --disable-user
	   --enable-tcg --enable-fdt=system)

# configure_and_build SRC BUILD CONFIGURE-ARGS...: configured again when
# the arguments (or the meson of config/bases, $MESON) change.
configure_and_build() {
	local src=$1 build=$2 args
	shift 2
	args=$(printf '%s\n' "${CONFIGURE[@]}" "$@" ${MESON:+"$MESON"})
	if [ "$(cat "$build/.configure-args" 2>/dev/null)" != "$args" ]; then
		say "qemu: configure $build"
		rm -rf "$build"
		mkdir -p "$build"
		(cd "$build" && run_logged "qemu-configure-$(basename "$build")" \
			"$src/configure" "${CONFIGURE[@]}" "$@")
		echo "$args" >"$build/.configure-args"
	fi
	# A ninja run by hand that runs meson again finds the same meson
	echo "$PYTHONPATH" >"$(echo "$build"/pyvenv/lib/python3*/site-packages)/meson.pth"
	say "qemu: ninja -C $build qemu-system-s390x"
	run_logged "qemu-build-$(basename "$build")" ninja -C "$build" qemu-system-s390x
}

# QEMU 10.2's configure runs meson from a Python environment of its own,
# which finds the meson of config/bases (work/meson) before bookworm's.
MESON=$(awk '$1 == "meson" { print $3, $4 }' "$TOP/config/bases")
if [ "$(cat "$WORK/meson/.base-version" 2>/dev/null)" != "$MESON" ]; then
	rm -rf "$WORK/meson"
	"$TOP/host/fetch.sh" meson "$WORK/meson" >/dev/null
	echo "$MESON" >"$WORK/meson/.base-version"
fi
export PYTHONPATH=$WORK/meson/usr/lib/python3/dist-packages
# The source has no firmware: the s390-ccw.img of Debian's
# qemu-system-data is loaded (-L), not built.
CONFIGURE+=(--python=/usr/bin/python3 --disable-install-blobs)

case ${1:-} in
guest)
	if [ ! -d "$QSYSROOT/usr/include/glib-2.0" ]; then
		say "qemu: fetching ${#DEV_DEBS[@]} s390x -dev packages for the sysroot"
		dl=$WORK/debs-qemu-dev
		mkdir -p "$dl"
		(cd "$dl" && run_logged qemu-dev-debs apt-get download "${DEV_DEBS[@]/%/:s390x}")
		rm -rf "$QSYSROOT"
		for deb in "$dl"/*.deb; do
			dpkg -x "$deb" "$QSYSROOT"
		done
	fi
	build=$WORK/qemu-build
	# pkg-config answers from the sysroot, with its paths.
	cat >"$QSYSROOT/pkg-config-s390x" <<-EOF
	#!/bin/sh
	export PKG_CONFIG_SYSROOT_DIR=$QSYSROOT
	export PKG_CONFIG_LIBDIR=$QSYSROOT/usr/lib/s390x-linux-gnu/pkgconfig:$QSYSROOT/usr/share/pkgconfig
	exec pkg-config "\$@"
	EOF
	chmod +x "$QSYSROOT/pkg-config-s390x"
	libs="$QSYSROOT/usr/lib/s390x-linux-gnu:$QSYSROOT/lib/s390x-linux-gnu"
	PKG_CONFIG=$QSYSROOT/pkg-config-s390x configure_and_build "$QTREE" "$build" \
		--cross-prefix=s390x-linux-gnu- --cc="ccache s390x-linux-gnu-gcc" --host-cc=gcc \
		--enable-kvm --enable-trace-backends=log \
		--extra-cflags="-I$QSYSROOT/usr/include -I$QSYSROOT/usr/include/s390x-linux-gnu" \
		--extra-ldflags="-L${libs//:/ -L} -Wl,-rpath-link,$libs"
	s390x-linux-gnu-strip -o "$build/qemu-system-s390x.stripped" "$build/qemu-system-s390x"
	say "qemu: $build/qemu-system-s390x ($(du -h "$build/qemu-system-s390x.stripped" | cut -f1) stripped)"
	;;
host)
	base=$QTREE src=$WORK/qemu-host-src
	mapfile -t patches < <(cd "$TOP/host/qemu-host" && ls ./*.patch)
	for p in "${patches[@]}"; do
		[ -e "$TOP/host/qemu-host/$p" ] ||
			die "qemu: host/qemu-host/$p links to a patch qemu-patches/ no longer has"
	done
	want=$( { cat "$base/.git/base-version" "$TOP"/host/qemu-host/*.patch; } | sha256sum | cut -c1-16)
	if [ "$(cat "$src/.patches" 2>/dev/null)" != "$want" ]; then
		say "qemu: host QEMU source: base + ${#patches[@]} patch(es) of host/qemu-host/"
		git -C "$base" worktree remove --force "$src" 2>/dev/null || rm -rf "$src"
		git -C "$base" worktree prune
		git -C "$base" worktree add -q --detach "$src" base
		for p in "${patches[@]}"; do
			run_logged git-am-qemu-host git -C "$src" -c user.name=harness \
				-c user.email=harness@localhost am "$TOP/host/qemu-host/$p"
		done
		echo "$want" >"$src/.patches"
	fi
	# TCG plugins for make bench's instruction counts (host/insn-count.c)
	configure_and_build "$src" "$WORK/qemu-host" --cc="ccache gcc" --enable-plugins
	[ "$WORK/insn-count.so" -nt "$TOP/host/insn-count.c" ] &&
		[ "$WORK/insn-count.so" -nt "$WORK/qemu-host/qemu-system-s390x" ] ||
		run_logged insn-count gcc -shared -fPIC -O2 -Wall -Werror -I"$src/include/qemu" \
		$(pkg-config --cflags glib-2.0) -o "$WORK/insn-count.so" "$TOP/host/insn-count.c"
	say "qemu: $WORK/qemu-host/qemu-system-s390x, $WORK/insn-count.so"
	;;
*)
	die "usage: qemu-build.sh guest|host"
	;;
esac
