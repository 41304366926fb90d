#!/usr/bin/env bash
# Stage qemu: QEMU with the series of qemu-patches/, built for the s390x
# guest (which runs it beside Debian's unmodified QEMU, see qemu-client.sh).
# The work tree $QTREE is Debian's QEMU source (apt-get source qemu: 7.2
# with Debian's patches applied) as one base commit, tagged "base", with
# qemu-patches/series applied by host/tree.sh. The cross build links against
# a sysroot of Debian's s390x -dev packages (downloaded and unpacked, not
# installed) and is incremental: ninja rebuilds what the patches touch.
. "$(dirname "$0")/lib.sh"

QSYSROOT=$WORK/qemu-sysroot
QBUILD=$WORK/qemu-build
DEV_DEBS=(libglib2.0-dev libglib2.0-0 libpcre2-dev libpcre2-8-0 libpcre2-16-0 libpcre2-32-0
	  libpcre2-posix3 libffi-dev libffi8 libmount-dev libmount1 libblkid-dev libblkid1
	  libselinux1-dev libselinux1 libsepol-dev libsepol2 zlib1g-dev zlib1g
	  libpixman-1-dev libpixman-1-0 libfdt-dev libfdt1 uuid-dev libuuid1)

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

# pkg-config answers from the sysroot, with its paths.
mkdir -p "$QBUILD"
cat >"$QBUILD/pkg-config-s390x" <<-EOF
#!/bin/sh
export PKG_CONFIG_SYSROOT_DIR=$QSYSROOT
export PKG_CONFIG_LIBDIR=$QSYSROOT/usr/lib/s390x-linux-gnu/pkgconfig:$QSYSROOT/usr/share/pkgconfig
exec pkg-config "\$@"
EOF
chmod +x "$QBUILD/pkg-config-s390x"

if [ ! -e "$QBUILD/build.ninja" ]; then
	say "qemu: configure"
	libs="$QSYSROOT/usr/lib/s390x-linux-gnu:$QSYSROOT/lib/s390x-linux-gnu"
	(cd "$QBUILD" && PKG_CONFIG=$QBUILD/pkg-config-s390x run_logged qemu-configure \
		"$QTREE/configure" --prefix=/usr --cross-prefix=s390x-linux-gnu- \
		--cc="ccache s390x-linux-gnu-gcc" --host-cc=gcc \
		--target-list=s390x-softmmu --without-default-features \
		--disable-docs --disable-tools --disable-guest-agent --disable-user \
		--enable-kvm --enable-tcg --enable-fdt=system --enable-trace-backends=log \
		--extra-cflags="-I$QSYSROOT/usr/include -I$QSYSROOT/usr/include/s390x-linux-gnu" \
		--extra-ldflags="-L${libs//:/ -L} -Wl,-rpath-link,$libs")
fi
say "qemu: ninja qemu-system-s390x"
run_logged qemu-build ninja -C "$QBUILD" qemu-system-s390x
s390x-linux-gnu-strip -o "$QBUILD/qemu-system-s390x.stripped" "$QBUILD/qemu-system-s390x"
say "qemu: $QBUILD/qemu-system-s390x ($(du -h "$QBUILD/qemu-system-s390x.stripped" | cut -f1) stripped)"
