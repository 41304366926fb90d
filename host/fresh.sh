#!/usr/bin/env bash
# make fresh: the README's commands on a newcomer's machine. A minimal Debian
# bookworm root (debootstrap --variant=minbase, from the archive apt uses
# here) gets a clone of the current commit and, inside it (chroot), runs
# each TARGET exactly as the README writes it: "make TARGET". Only make is
# installed in the root beforehand (the README's one prerequisite); the rest
# is up to host/deps.sh.
#   fresh.sh [--ccache] TARGET...   (make fresh: run check; .ci/run: check)
#   --ccache   share the host's ccache with the root (faster); without it
#              every build in the root is cold
# Each target's output goes to $WORK/fresh/make-TARGET.log (and stdout); the
# last line is the last target's "N passed, N failed" summary (or
# "0 passed, 1 failed" when it ended before one). The root stays in
# $WORK/fresh/root for a look until the next run. The bare root is cached as
# a tarball ($WORK/fresh/bookworm-minbase.tar); nothing else is reused.
. "$(dirname "$0")/lib.sh"

share_ccache=
if [ "${1:-}" = --ccache ]; then
	share_ccache=1
	shift
fi
[ $# -gt 0 ] || die "usage: fresh.sh [--ccache] TARGET..."
[ "$(id -u)" = 0 ] || die "fresh: needs root (debootstrap, chroot, mount)"

FRESH=$WORK/fresh
ROOT=$FRESH/root
BARE=$FRESH/bookworm-minbase.tar
SRC=/root/zpci	# where the clone lives inside the root, the same every run
mkdir -p "$FRESH"

# The mounts below the root, deepest first.
mounts() { findmnt -rn -o TARGET | grep -E "^$ROOT(/|$)" | sort -r || true; }
unmount_all() {
	local m
	for m in $(mounts); do
		umount -l "$m" || true
	done
}
# Never delete a root that still has the host's /dev or ccache mounted in it.
remove_root() {
	unmount_all
	[ -z "$(mounts)" ] || die "fresh: still mounted below $ROOT: $(mounts | tr '\n' ' ')"
	rm -rf "$ROOT"
}

if ! command -v debootstrap >/dev/null; then
	say "fresh: installing debootstrap on this machine"
	run_logged fresh-apt-update apt-get update
	run_logged fresh-debootstrap-install env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends debootstrap
fi

remove_root
if [ ! -s "$BARE" ]; then
	mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	[ -n "$mirror" ] || die "fresh: no apt source of this machine (/etc/apt/sources.list.d/*.sources) names Debian's archive"
	say "fresh: debootstrap --variant=minbase bookworm from $mirror"
	run_logged fresh-debootstrap debootstrap --variant=minbase bookworm "$ROOT" "$mirror"
	tar -C "$ROOT" -cf "$BARE.new" . && mv "$BARE.new" "$BARE"
else
	say "fresh: bare root from $BARE"
	mkdir -p "$ROOT"
	tar -C "$ROOT" -xf "$BARE"
fi

# The machine's apt sources and settings (host/fetch.sh takes the archive
# from them, and bookworm-security, which the root's own sources.list
# lacks), and its DNS.
rm -f "$ROOT/etc/apt/sources.list"
cp /etc/apt/sources.list.d/*.sources "$ROOT/etc/apt/sources.list.d/"
cp -n /etc/apt/apt.conf.d/* "$ROOT/etc/apt/apt.conf.d/"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"

trap unmount_all EXIT
trap 'exit 130' INT TERM HUP
mount -t proc proc "$ROOT/proc"
mount -t sysfs sysfs "$ROOT/sys"
mount --rbind /dev "$ROOT/dev"
mount --make-rslave "$ROOT/dev"	# unmounting it must not reach the host's /dev
if [ -n "$share_ccache" ]; then
	mkdir -p "$CCACHE_DIR" "$ROOT/root/.ccache"
	mount --bind "$CCACHE_DIR" "$ROOT/root/.ccache"
	say "fresh: the host's ccache ($CCACHE_DIR) is shared"
fi

commit=$(git -C "$TOP" rev-parse HEAD)
git clone -q --no-checkout "$TOP" "$ROOT$SRC"
git -C "$ROOT$SRC" checkout -q --detach "$commit"
[ -z "$(git -C "$TOP" status --porcelain --untracked-files=no)" ] ||
	say "fresh: uncommitted changes are not part of the run: it tests $commit"

# in_root CMD: CMD in the root as a newcomer's login shell would run it.
in_root() {
	chroot "$ROOT" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 ${CI:+CI=$CI} \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c "$1"
}
say "fresh: apt-get install make (the README's prerequisite)"
in_root 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends make' \
	>"$FRESH/prerequisite.log" 2>&1 || { tail -n 20 "$FRESH/prerequisite.log"; die "fresh: could not install make"; }

results=()
failed=0
for target in "$@"; do
	log=$FRESH/make-$target.log
	say "fresh: make $target (in the root, $commit; log: $log)"
	start=$SECONDS
	rc=0
	in_root "cd $SRC && make $target" 2>&1 | tee "$log" || rc=$?
	t=$((SECONDS - start))
	if [ $rc = 0 ]; then
		results+=("make $target: passed in ${t}s")
	else
		results+=("make $target: FAILED (exit $rc) after ${t}s; log: $log")
		failed=1
	fi
done

for r in "${results[@]}"; do
	say "fresh: $r"
done
summary=$({ grep -E '^[0-9]+ passed, [0-9]+ failed' "$FRESH/make-${*: -1}.log" || true; } | tail -n 1)
echo "${summary:-0 passed, 1 failed}"
exit $failed
