#!/usr/bin/env bash
# Stage bench: what the series costs.
# - Size: the s390x vmlinux and the x86_64 objects the series touches
#   outside s390 (VFIO type1, iommufd's device and VFIO compat code), base
#   against series with the same config (scripts/bloat-o-meter, in the
#   gates' worktree and build dirs).
# - Guest instructions per call (guest/bench.c, counted by the host's QEMU
#   with host/insn-count.c): the base kernel and the series, same config,
#   same test bed, each booted in bench mode; one table, the series' counts
#   as ratios to the base's. Instruction counts do not depend on how busy
#   the machine is, so two runs compare.
# - The CLP requests the kernel makes meanwhile (guest/bench.c).
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

build_at() {	# build_at REV NAME: the s390x kernel and the x86_64 objects at REV, kept as NAME
	git -C "$GTREE" checkout -q --detach "$1"
	cp "$KBUILD/.config" "$GBUILD/.config"	# the test kernel's, whatever the gates built last
	TREE=$GTREE KBUILD=$GBUILD run_logged "bench-$2-s390x" kmake olddefconfig bzImage
	run_logged "bench-$2-x86_64" make -C "$GTREE" O="$GX86" ARCH=x86_64 CC="ccache gcc" \
		-j"$(nproc)" "${X86_OBJS[@]}"
	cp "$GBUILD/vmlinux" "$out/vmlinux.$2"
	cp "$GBUILD/arch/s390/boot/bzImage" "$out/bzImage.$2"
	for o in "${X86_OBJS[@]}"; do
		cp "$GX86/$o" "$out/$(basename "$o").$2"
	done
}
say "bench: building base and series (same config)"
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

# Each kernel in bench mode: its "### bench NAME CALLS" lines, and for each
# the plugin's second count of the pair (the first is the way there), as
# "NAME instructions-per-call" in $out/insns.KERNEL.
for k in base series; do
	say "bench: booting the $k kernel"
	rm -f "$out/counts.$k"
	KERNEL=$out/bzImage.$k COUNTS=$out/counts.$k "$TOP/host/boot.sh" bench >/dev/null
	cp "$LOGS/boot-bench.log" "$LOGS/boot-bench-$k.log"
	"$TOP/host/console.py" exit "$LOGS/boot-bench-$k.log" bench ||
		die "bench: the guest's benchmark failed on the $k kernel ($LOGS/boot-bench-$k.log)"
	"$TOP/host/console.py" bench "$LOGS/boot-bench-$k.log" | awk -v counts="$out/counts.$k" '
		{
			if ((getline skip < counts) <= 0 || (getline n < counts) <= 0) { short = 1; exit 1 }
			printf "%s %.0f\n", $1, n / $2
		}
		END { if (!short && (getline skip < counts) > 0) exit 1 }' >"$out/insns.$k" ||
		die "bench: the instruction counts ($out/counts.$k) do not pair with the measurements ($k)"
done

echo "## guest instructions per call (base: Linux $(make -s -C "$TREE" kernelversion) as Debian ships it)"
awk '
	FNR == NR { base[$1] = $2; next }
	{ series[$1] = $2 }
	END {
		n = split("check_extension get_info_1 get_info_2 get_info_4 hw_info", order)
		desc["check_extension"] = "VFIO_CHECK_EXTENSION (the floor)"
		desc["get_info_1"] = "VFIO_IOMMU_GET_INFO, 1 zPCI function"
		desc["get_info_2"] = "VFIO_IOMMU_GET_INFO, 2 zPCI functions"
		desc["get_info_4"] = "VFIO_IOMMU_GET_INFO, 4 zPCI functions"
		desc["hw_info"] = "IOMMU_GET_HW_INFO, 1 device"
		printf "| %-40s | %8s | %8s | %6s |\n", "call", "base", "series", "ratio"
		printf "| %-40s | %8s | %8s | %6s |\n", "---", "---", "---", "---"
		for (i = 1; i <= n; i++) {
			k = order[i]
			printf "| %-40s | %8d | %8d | %6.2f |\n", desc[k], base[k], series[k],
			       series[k] / base[k]
		}
		printf "\nper function more in the container (slope, 1 to 4): base %.0f, series %.0f\n",
		       (base["get_info_4"] - base["get_info_1"]) / 3,
		       (series["get_info_4"] - series["get_info_1"]) / 3
		z = series["get_info_2"] - base["get_info_2"]
		printf "the zPCI part of the 2-function answer: %d, %.2f times the base'"'"'s whole answer\n",
		       z, z / base["get_info_2"]
	}' "$out/insns.base" "$out/insns.series"
echo "## CLP requests"
grep -h 'CLP requests\|control:' "$LOGS/boot-bench-series.log" | tr -d '\r'
