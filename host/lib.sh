# Shared helpers for the host-side stages. Sourced, not run.
# shellcheck shell=bash
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${WORK:-$TOP/work}
TREE=$WORK/linux
KBUILD=$WORK/build
QTREE=$WORK/qemu
QPATCHES=$TOP/qemu-patches
LOGS=$WORK/logs
SYSROOT=$WORK/sysroot
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
mkdir -p "$LOGS"

say() { printf '==> %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# run_logged NAME CMD...: run CMD with its output in $LOGS/NAME.log, print
# the log's path and its tail when it fails.
run_logged() {
	local name=$1 log=$LOGS/$1.log
	shift
	if ! "$@" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "$name failed; full log: $log"
	fi
}

# The cross make invocation for the s390x test kernel.
kmake() {
	make -C "$TREE" O="$KBUILD" ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- \
		CC="ccache s390x-linux-gnu-gcc" -j"$(nproc)" "$@"
}
