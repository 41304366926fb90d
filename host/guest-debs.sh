#!/usr/bin/env bash
# guest-debs (stage initramfs): Debian's unmodified s390x QEMU for the guest, as a
# second client of VFIO_IOMMU_GET_INFO, and Debian's jq (1.6), which reads
# the tool's JSON as its users would. Downloads qemu-system-misc:s390x,
# jq:s390x, qemu-system-data and the library packages they depend on
# (apt-get download + dpkg -x, nothing is installed on the host) into
# $QEMU_ROOT, then writes $QEMU_ROOT/files.list: the gen_init_cpio lines for
# the two binaries, the shared libraries they need (found with readelf,
# recursively) and the s390-ccw.img firmware the s390-ccw-virtio machine loads.
. "$(dirname "$0")/lib.sh"

QEMU_ROOT=$WORK/qemu-s390x
DEBS=$WORK/debs-s390x
QEMU=usr/bin/qemu-system-s390x
JQ=usr/bin/jq

# The package and the library packages it depends on, recursively.
closure() {
	local todo=(qemu-system-misc:s390x jq:s390x) seen=" " p dep
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

if [ ! -x "$QEMU_ROOT/$QEMU" ] || [ ! -x "$QEMU_ROOT/$JQ" ]; then
	pkgs=$(closure)
	say "guest-debs: fetching $(echo "$pkgs" | wc -l) Debian packages"
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
fi

# The shared libraries of an s390x ELF file, as paths below $QEMU_ROOT.
needed() {
	s390x-linux-gnu-readelf -d "$QEMU_ROOT/$1" |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}
find_lib() {
	local d
	for d in lib/s390x-linux-gnu usr/lib/s390x-linux-gnu lib usr/lib; do
		[ -e "$QEMU_ROOT/$d/$1" ] && { echo "$d/$1"; return; }
	done
	die "guest-debs: $1 is in none of the packages"
}

files=("$QEMU" "$JQ" lib/ld64.so.1)
todo=("$QEMU" "$JQ")
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
files+=(usr/share/qemu/s390-ccw.img)

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
say "guest-debs: $QEMU and $((${#files[@]} - 1)) more files: $(awk '$1 == "file" { print $3 }' \
	"$QEMU_ROOT/files.list" | xargs du -chL | tail -n 1 | cut -f1)"
