#!/usr/bin/env bash
# Stage kunit: the series' KUnit suite as kernel CI runs it, with the
# kernel's own runner: kunit.py run --arch=s390 and the suite's
# .kunitconfig (drivers/iommu), in a build of its own (work/build-kunit),
# under the host's QEMU (host/boot.sh's, or QEMU_HOST=). Its results go to
# $LOGS/kunit.py.json for host/results.py, which fails the run when that
# file is missing; the runner's own output is in $LOGS/kunit.py.log.
. "$(dirname "$0")/lib.sh"

json=$LOGS/kunit.py.json
rm -f "$json"
[ -x "$QEMU_HOST" ] || die "kunit: no $QEMU_HOST (make host-qemu)"
# kunit.py runs the first qemu-system-s390x in PATH: the host's, by that name.
bin=$(host_qemu_dir)
say "kunit: kunit.py run --arch=s390 --kunitconfig=drivers/iommu under $QEMU_HOST (log: $LOGS/kunit.py.log)"
# kunit.py works from its kernel's root: --kunitconfig relative to it, the
# build directory and the JSON file absolute. The firmware QEMU loads first
# comes from Debian's qemu-system-data, as in host/boot.sh (the source has
# none).
PATH=$bin:$PATH run_logged kunit.py python3 "$TREE/tools/testing/kunit/kunit.py" run \
	--arch=s390 --cross_compile=s390x-linux-gnu- --kunitconfig=drivers/iommu \
	--build_dir="$WORK/build-kunit" --make_options="CC=ccache s390x-linux-gnu-gcc" \
	--qemu_args="-L /usr/share/qemu" --jobs="$(nproc)" --timeout=300 --json="$json"
say "kunit: $(grep -m1 "Testing complete" "$LOGS/kunit.py.log" | cut -d" " -f2-)"
