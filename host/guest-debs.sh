#!/usr/bin/env bash
# guest-debs (stage initramfs): what the guest's QEMUs A and B (host/lib.sh,
# host/qemu-build.sh guest) need to run there, and Debian's jq (1.6), which
# reads the tool's JSON as its users would. Downloads jq:s390x,
# qemu-system-data, the library packages the QEMUs are built against and
# those they depend on (apt-get download + dpkg -x, nothing is installed on
# the host) into $QEMU_ROOT, then writes $QEMU_ROOT/files.list: the
# gen_init_cpio lines for jq, the shared libraries jq and the QEMUs need
# (found with readelf, recursively) and the s390-ccw.img firmware the
# s390-ccw-virtio machine loads (QEMU's source has none).
. "$(dirname "$0")/lib.sh"

QEMU_ROOT=$WORK/qemu-s390x
DEBS=$WORK/debs-s390x
JQ=usr/bin/jq
FIRMWARE=usr/share/qemu/s390-ccw.img

# The packages and the library packages they depend on, recursively.
closure() {
	local todo=(jq:s390x) seen=" " p dep
	for p in "${QEMU_S390X_DEBS[@]}"; do
		case $p in *-dev) ;; *) todo+=("$p:s390x") ;; esac
	done
	while [ ${#todo[@]} -gt 0 ]; do
		p=${todo[-1]}
		unset 'todo[-1]'
		case $seen in *" $p "*) continue ;; esac
		seen="$seen$p "
		echo "$p"
		for dep in $(apt-cache depends "$p" |
			     sed -n 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: \(lib[^<]*\|zlib[^<]*\)$/\2/p'); do
			todo+=("${dep%:s390x}:s390x")
		done
	done
	echo qemu-system-data
}

# Fetched again when the packages it starts from change (the closure asks
# apt once per package: only then).
want="jq:s390x ${QEMU_S390X_DEBS[*]}"
if [ "$(cat "$QEMU_ROOT/.packages" 2>/dev/null)" != "$want" ]; then
	pkgs=$(closure)
	say "guest-debs: fetching $(echo "$pkgs" | wc -l) Debian packages"
	rm -rf "$DEBS"
	mkdir -p "$DEBS"
	# shellcheck disable=SC2086
	if ! (cd "$DEBS" && apt-get download $pkgs) >"$LOGS/qemu-debs.log" 2>&1; then
		run_logged apt-update apt-get update
		(cd "$DEBS" && run_logged qemu-debs apt-get download $pkgs)
	fi
	rm -rf "$QEMU_ROOT"
	for deb in "$DEBS"/*.deb; do
		dpkg -x "$deb" "$QEMU_ROOT"
	done
	echo "$want" >"$QEMU_ROOT/.packages"
fi

# The shared libraries of an s390x ELF file (below $QEMU_ROOT, or a path).
needed() {
	local f=$1
	[ "${f#/}" = "$f" ] && f=$QEMU_ROOT/$f
	s390x-linux-gnu-readelf -d "$f" |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}
find_lib() {
	local d
	for d in lib/s390x-linux-gnu usr/lib/s390x-linux-gnu lib usr/lib; do
		[ -e "$QEMU_ROOT/$d/$1" ] && { echo "$d/$1"; return; }
	done
	die "guest-debs: $1 is in none of the packages"
}

files=("$JQ" lib/ld64.so.1)
todo=("$JQ" "$QEMU_A" "$QEMU_B")
while [ ${#todo[@]} -gt 0 ]; do
	f=${todo[-1]}
	unset 'todo[-1]'
	for lib in $(needed "$f"); do
		path=$(find_lib "$lib")
		case " ${files[*]} " in *" $path "*) continue ;; esac
		files+=("$path")
		todo+=("$path")
	done
done
files+=("$FIRMWARE")

{
	for d in /lib/s390x-linux-gnu /usr /usr/bin /usr/share /usr/share/qemu; do	# /lib: initramfs.sh
		echo "dir $d 0755 0 0"
	done
	for f in "${files[@]}"; do
		real=$(readlink -f "$QEMU_ROOT/$f")
		[ -e "$real" ] || die "guest-debs: $f is missing"
		# Libraries go where the loader looks without a cache.
		case $f in
		usr/bin/* | usr/share/* | lib/ld64.so.1) dest=/$f ;;
		*) dest=/lib/s390x-linux-gnu/$(basename "$f") ;;
		esac
		echo "file $dest $real 0755 0 0"
	done
} >"$QEMU_ROOT/files.list"
say "guest-debs: $JQ and $((${#files[@]} - 1)) more files: $(awk '$1 == "file" { print $3 }' \
	"$QEMU_ROOT/files.list" | xargs du -chL | tail -n 1 | cut -f1)"
