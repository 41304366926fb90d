#!/usr/bin/env bash
# Stage tree: a work tree, its base (config/bases, fetched by host/fetch.sh)
# as one commit tagged "base", with every patch named in its series applied
# by git am. A tree that already carries exactly the series is left alone.
#   tree.sh [NAME]   NAME: linux (default; patches/), linux-6.12 (the stable
#                    backport; patches-6.12/), qemu (qemu-patches/)
. "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_NAME=base GIT_AUTHOR_EMAIL=base@localhost
export GIT_COMMITTER_NAME=base GIT_COMMITTER_EMAIL=base@localhost
export GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z'

name=${1:-linux}
tree=$(tree_of "$name") patches=$(series_of "$name")
want=$(awk -v n="$name" '$1 == n { print $3, $4 }' "$TOP/config/bases")
if [ ! -d "$tree/.git" ] || [ "$(cat "$tree/.git/base-version" 2>/dev/null)" != "$want" ]; then
	say "tree: fetching $want (config/bases) into $tree"
	rm -rf "$tree" "$tree.new"
	"$TOP/host/fetch.sh" "$name" "$tree.new" >/dev/null
	# Debian's kernel tarball appends "/*" to the top-level .gitignore for
	# its packaging repo, which would hide every file of the tree (and
	# every new one).
	if [ -f "$tree.new/.gitignore" ]; then
		sed -i '/^# Debian packaging/,$d' "$tree.new/.gitignore"
		sed -i '${/^#$/d}' "$tree.new/.gitignore"
	fi
	git -C "$tree.new" init -q -b main
	# All of it: QEMU's subprojects/.gitignore hides the bundled sources
	# that meson would otherwise try to download.
	git -C "$tree.new" add -A -f
	git -C "$tree.new" commit -q -m "$want (Debian, config/bases: $name)"
	git -C "$tree.new" tag base
	echo "$want" >"$tree.new/.git/base-version"
	mv "$tree.new" "$tree"
fi
say "tree: $name is $want"

# The series as its directory has it, and as the work tree would export it.
mapfile -t series < <(grep -v '^\s*\(#\|$\)' "$patches/series" 2>/dev/null || true)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$TOP/host/export.sh" "$name" --to "$tmp" >/dev/null
if diff -q <(cd "$patches" && cat "${series[@]}" /dev/null) \
	   <(cd "$tmp" && cat $(cat series) /dev/null) >/dev/null; then
	say "tree: $tree carries the ${#series[@]} patch(es) of ${patches#"$TOP"/}/series"
	exit 0
fi

head=$(git -C "$tree" rev-parse HEAD)
if [ "$head" != "$(git -C "$tree" rev-parse base)" ]; then
	backup=backup/$(date +%Y%m%d-%H%M%S)
	git -C "$tree" branch "$backup" "$head"
	say "tree: work tree differs from ${patches#"$TOP"/}/; its commits are kept as branch $backup"
fi
git -C "$tree" am --abort >/dev/null 2>&1 || true
git -C "$tree" reset -q --hard base
git -C "$tree" clean -qfdx
say "tree: applying ${#series[@]} patch(es)"
for p in "${series[@]}"; do
	run_logged git-am git -C "$tree" am "$patches/$p"
done
