#!/usr/bin/env bash
# Stage bench: what the series costs. The size of the s390x vmlinux and of
# the x86_64 objects the series touches outside s390 (VFIO type1, iommufd's
# device and VFIO compat code), base against series with the same config
# (scripts/bloat-o-meter, in the gates' worktree and build dirs), then the
# guest's own figures (guest/bench.c) from a boot in bench mode.
. "$(dirname "$0")/lib.sh"

GTREE=$WORK/gates/linux
GBUILD=$WORK/gates/build
GX86=$WORK/gates/build-x86_64
[ -d "$GTREE" ] && [ -f "$GX86/.config" ] || die "bench: run the gates first (make gates)"
head=$(git -C "$TREE" rev-parse HEAD)
out=$WORK/bench
mkdir -p "$out"

X86_OBJS=(drivers/vfio/vfio_iommu_type1.o drivers/iommu/iommufd/device.o
	  drivers/iommu/iommufd/vfio_compat.o)

build_at() {	# build_at REV NAME: vmlinux and the x86_64 objects at REV, kept as NAME
	git -C "$GTREE" checkout -q --detach "$1"
	TREE=$GTREE KBUILD=$GBUILD run_logged "bench-$2-s390x" kmake olddefconfig vmlinux
	run_logged "bench-$2-x86_64" make -C "$GTREE" O="$GX86" ARCH=x86_64 CC="ccache gcc" \
		-j"$(nproc)" "${X86_OBJS[@]}"
	cp "$GBUILD/vmlinux" "$out/vmlinux.$2"
	for o in "${X86_OBJS[@]}"; do
		cp "$GX86/$o" "$out/$(basename "$o").$2"
	done
}
say "bench: building base and series for the size comparison"
build_at base base
build_at "$head" series

echo "## s390x vmlinux, base -> series (bloat-o-meter -c)"
"$TREE/scripts/bloat-o-meter" -c "$out/vmlinux.base" "$out/vmlinux.series" | grep -E '^(add|Total)|^$'
size "$out/vmlinux.base" "$out/vmlinux.series" 2>/dev/null ||
	s390x-linux-gnu-size "$out/vmlinux.base" "$out/vmlinux.series"
for o in "${X86_OBJS[@]}"; do
	echo "## x86_64 $o, base -> series"
	"$TREE/scripts/bloat-o-meter" "$out/$(basename "$o").base" "$out/$(basename "$o").series" |
		grep -E '^(add|remove|Total)|^[a-z_]+ +[0-9-]+ +[0-9-]+ +[-+][0-9]+$'
done

"$TOP/host/boot.sh" bench >/dev/null
echo "## in the guest ($LOGS/boot-bench.log)"
sed -n '/^### begin bench/,/^### end bench/p' "$LOGS/boot-bench.log" | sed '1d;$d'
grep -q '^### end bench exit=0' "$LOGS/boot-bench.log" || die "bench: the guest's benchmark failed"
