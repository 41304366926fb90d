#!/usr/bin/env bash
# Export the work tree's commits on top of "base" as the series:
# git format-patch with a cover letter whose subject and text come from
# cover-letter.txt in the series' directory (first line the subject, then the text).
# --qemu: the QEMU work tree and qemu-patches/ instead of the kernel's.
# --to DIR writes there instead of patches/ (used to compare).
. "$(dirname "$0")/lib.sh"

tree=$TREE patches=$TOP/patches
if [ "${1:-}" = --qemu ]; then
	tree=$QTREE patches=$QPATCHES
	shift
fi
out=$patches
[ "${1:-}" = --to ] && out=$2
[ -d "$tree/.git" ] || die "no work tree at $tree: run 'make tree' first"

if [ "$out" = "$patches" ]; then
	rm -f "$out"/[0-9][0-9][0-9][0-9]-*.patch
fi
n=$(git -C "$tree" rev-list --count base..HEAD)
if [ "$n" -eq 0 ]; then
	: >"$out/series"
	say "export: no commits on base, empty series"
	exit 0
fi
# The cover letter is from the series' author, not from whoever exports.
author=$(git -C "$tree" log -1 --format=%an HEAD)
email=$(git -C "$tree" log -1 --format=%ae HEAD)
git -C "$tree" -c branch.main.description="$(cat "$patches/cover-letter.txt")" \
	-c user.name="$author" -c user.email="$email" format-patch -q --zero-commit --no-signature --base=base --cover-letter \
	--cover-from-description=subject -o "$out" base..HEAD
(cd "$out" && ls [0-9][0-9][0-9][0-9]-*.patch | grep -v '^0000-') >"$out/series"
say "export: $n patch(es) and a cover letter in $out"
