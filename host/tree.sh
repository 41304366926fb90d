#!/usr/bin/env bash
# Stage tree: the kernel work tree. Debian's linux-source-6.12 as one base
# commit (tagged "base"), with every patch named in patches/series applied
# by git am. A tree that already carries exactly the series is left alone.
. "$(dirname "$0")/lib.sh"

SRC=/usr/src/linux-source-6.12.tar.xz
export GIT_AUTHOR_NAME=base GIT_AUTHOR_EMAIL=base@localhost
export GIT_COMMITTER_NAME=base GIT_COMMITTER_EMAIL=base@localhost
export GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z'

if [ ! -d "$TREE/.git" ]; then
	say "unpacking $SRC into $TREE"
	rm -rf "$TREE.new"
	mkdir -p "$TREE.new"
	tar -xf "$SRC" -C "$TREE.new" --strip-components=1
	# Debian appends "/*" to the top-level .gitignore for its packaging repo,
	# which would hide every file of the tree (and every new one) from git.
	sed -i '/^# Debian packaging/,$d' "$TREE.new/.gitignore"
	sed -i '${/^#$/d}' "$TREE.new/.gitignore"
	version=$(make -s -C "$TREE.new" kernelversion)
	git -C "$TREE.new" init -q -b main
	git -C "$TREE.new" add -A
	git -C "$TREE.new" commit -q -m "Linux $version (Debian linux-source-6.12)"
	git -C "$TREE.new" tag base
	mv "$TREE.new" "$TREE"
fi

# The series as patches/ has it, and as the work tree would export it.
mapfile -t series < <(grep -v '^\s*\(#\|$\)' "$TOP/patches/series" 2>/dev/null || true)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$TOP/host/export.sh" --to "$tmp" >/dev/null
if diff -q <(cd "$TOP/patches" && cat "${series[@]}" /dev/null) \
	   <(cd "$tmp" && cat $(cat series) /dev/null) >/dev/null; then
	say "tree: $TREE carries the ${#series[@]} patch(es) of patches/series"
	exit 0
fi

head=$(git -C "$TREE" rev-parse HEAD)
if [ "$head" != "$(git -C "$TREE" rev-parse base)" ]; then
	backup=backup/$(date +%Y%m%d-%H%M%S)
	git -C "$TREE" branch "$backup" "$head"
	say "tree: work tree differs from patches/; its commits are kept as branch $backup"
fi
git -C "$TREE" am --abort >/dev/null 2>&1 || true
git -C "$TREE" reset -q --hard base
git -C "$TREE" clean -qfdx
say "tree: applying ${#series[@]} patch(es)"
for p in "${series[@]}"; do
	run_logged git-am git -C "$TREE" am "$TOP/patches/$p"
done
