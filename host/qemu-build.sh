#!/usr/bin/env bash
# Stages host-qemu and qemu: the QEMUs built here, from Debian's QEMU
# source (config/bases; work/qemu of host/tree.sh qemu):
#   qemu-build.sh guest   the s390x guest's two, cross-built with one
#                         configure against a sysroot of Debian's s390x -dev
#                         packages (downloaded and unpacked, not installed):
#                         A, Debian's source without the series (the tree's base),
#                         and B, the source with qemu-patches/ ($QTREE), so
#                         that what A and B tell a nested guest differs only
#                         by the series
#   qemu-build.sh host    the qemu-system-s390x that boots the test guest:
#                         Debian's QEMU 10.2 with host/qemu-host/*.patch (the
#                         test bed's zpci properties, fixes that the test
#                         guest's accesses need), built for this machine
#                         with TCG plugins, and make bench's plugin
#                         host/insn-count.c
# All with the meson of config/bases (unpacked into work/meson, not
# installed). The builds are incremental: ninja rebuilds what changed,
# ccache compiles.
. "$(dirname "$0")/lib.sh"

QSYSROOT=$WORK/qemu-sysroot
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

# base_worktree DIR PATCH...: DIR, a work tree of the QEMU tree's base with
# the patches applied, made again when the base or a patch changes.
base_worktree() {
	local src=$1 want p
	shift
	want=$( { cat "$QTREE/.git/base-version" "$@"; } | sha256sum | cut -c1-16)
	[ "$(cat "$src/.patches" 2>/dev/null)" = "$want" ] && return
	say "qemu: $(basename "$src"): the base + $# patch(es)"
	git -C "$QTREE" worktree remove --force "$src" 2>/dev/null || rm -rf "$src"
	git -C "$QTREE" worktree prune
	git -C "$QTREE" worktree add -q --detach "$src" base
	for p in "$@"; do
		run_logged "git-am-$(basename "$src")" git -C "$src" -c user.name=harness \
			-c user.email=harness@localhost am "$p"
	done
	echo "$want" >"$src/.patches"
}

# QEMU 10.2's configure runs meson from a Python environment of its own,
# which finds the meson of config/bases (work/meson) before bookworm's.
fetch_base meson "$WORK/meson" || true
MESON=$(cat "$WORK/meson/.base-version")
export PYTHONPATH=$WORK/meson/usr/lib/python3/dist-packages
# The source has no firmware: the s390-ccw.img of Debian's
# qemu-system-data is loaded (-L), not built.
CONFIGURE+=(--python=/usr/bin/python3 --disable-install-blobs)

case ${1:-} in
guest)
	if [ ! -d "$QSYSROOT/usr/include/glib-2.0" ]; then
		say "qemu: fetching ${#QEMU_S390X_DEBS[@]} s390x -dev packages for the sysroot"
		dl=$WORK/debs-qemu-dev
		mkdir -p "$dl"
		(cd "$dl" && run_logged qemu-dev-debs apt-get download "${QEMU_S390X_DEBS[@]/%/:s390x}")
		rm -rf "$QSYSROOT"
		for deb in "$dl"/*.deb; do
			dpkg -x "$deb" "$QSYSROOT"
		done
	fi
	# pkg-config answers from the sysroot, with its paths.
	cat >"$QSYSROOT/pkg-config-s390x" <<-EOF
	#!/bin/sh
	export PKG_CONFIG_SYSROOT_DIR=$QSYSROOT
	export PKG_CONFIG_LIBDIR=$QSYSROOT/usr/lib/s390x-linux-gnu/pkgconfig:$QSYSROOT/usr/share/pkgconfig
	exec pkg-config "\$@"
	EOF
	chmod +x "$QSYSROOT/pkg-config-s390x"
	libs="$QSYSROOT/usr/lib/s390x-linux-gnu:$QSYSROOT/lib/s390x-linux-gnu"
	base_worktree "$WORK/qemu-a-src"
	for ab in "$WORK/qemu-a-src $QEMU_A" "$QTREE $QEMU_B"; do
		read -r src bin <<<"$ab"
		build=$(dirname "$bin")
		PKG_CONFIG=$QSYSROOT/pkg-config-s390x configure_and_build "$src" "$build" \
			--cross-prefix=s390x-linux-gnu- --cc="ccache s390x-linux-gnu-gcc" --host-cc=gcc \
			--enable-kvm --enable-trace-backends=log \
			--extra-cflags="-I$QSYSROOT/usr/include -I$QSYSROOT/usr/include/s390x-linux-gnu" \
			--extra-ldflags="-L${libs//:/ -L} -Wl,-rpath-link,$libs"
		s390x-linux-gnu-strip -o "$bin" "$build/qemu-system-s390x"
		say "qemu: $build/qemu-system-s390x ($(du -h "$bin" | cut -f1) stripped)"
	done
	;;
host)
	src=$WORK/qemu-host-src
	mapfile -t patches < <(cd "$TOP/host/qemu-host" && ls ./*.patch)
	for p in "${patches[@]}"; do
		[ -e "$TOP/host/qemu-host/$p" ] ||
			die "qemu: host/qemu-host/$p links to a patch qemu-patches/ no longer has"
	done
	base_worktree "$src" "${patches[@]/#/$TOP/host/qemu-host/}"
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
