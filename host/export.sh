#!/usr/bin/env bash
# Export the work tree's commits on top of "base" as the series:
# git format-patch with a cover letter whose subject and text come from
# patches/cover-letter.txt (first line the subject, then the text).
# --to DIR writes there instead of patches/ (used to compare).
. "$(dirname "$0")/lib.sh"

out=$TOP/patches
[ "${1:-}" = --to ] && out=$2
[ -d "$TREE/.git" ] || die "no work tree at $TREE: run 'make tree' first"

if [ "$out" = "$TOP/patches" ]; then
	rm -f "$out"/[0-9][0-9][0-9][0-9]-*.patch
fi
n=$(git -C "$TREE" rev-list --count base..HEAD)
if [ "$n" -eq 0 ]; then
	: >"$out/series"
	say "export: no commits on base, empty series"
	exit 0
fi
git -C "$TREE" -c branch.main.description="$(cat "$TOP/patches/cover-letter.txt")" \
	format-patch -q --zero-commit --no-signature --base=base --cover-letter \
	--cover-from-description=subject -o "$out" base..HEAD
(cd "$out" && ls [0-9][0-9][0-9][0-9]-*.patch | grep -v '^0000-') >"$out/series"
say "export: $n patch(es) and a cover letter in $out"
