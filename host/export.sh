#!/usr/bin/env bash
# Export a work tree's commits on top of "base" as its series: git
# format-patch with a cover letter whose subject and text come from
# cover-letter.txt in the series' directory (first line the subject, then
# the text).
#   export.sh NAME [--to DIR]   NAME: linux (patches/), linux-6.12
#                               (patches-6.12/), qemu (qemu-patches/);
#                               --to DIR writes there instead (to compare)
. "$(dirname "$0")/lib.sh"

name=${1:?usage: export.sh linux|linux-6.12|qemu [--to DIR]}
tree=$(tree_of "$name") patches=$(series_of "$name")
out=$patches
[ "${2:-}" = --to ] && out=$3
[ -d "$tree/.git" ] || die "no work tree at $tree: run 'host/tree.sh $name' first"

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
# format-patch takes the cover letter's text from the checked-out branch's
# description; a tree mid-rebase has no branch.
branch=$(git -C "$tree" symbolic-ref -q --short HEAD) ||
	die "no branch checked out in $tree (a rebase in progress?)"
git -C "$tree" -c branch."$branch".description="$(cat "$patches/cover-letter.txt")" \
	-c user.name="$author" -c user.email="$email" format-patch -q --zero-commit --no-signature --base=base --cover-letter \
	--cover-from-description=subject -o "$out" base..HEAD
(cd "$out" && ls [0-9][0-9][0-9][0-9]-*.patch | grep -v '^0000-') >"$out/series"
say "export: $n patch(es) and a cover letter in $out"
