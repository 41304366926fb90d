#!/usr/bin/env bash
# Stage tree: a work tree, its source as one base commit (tagged "base"),
# with every patch named in its series applied by git am. A tree that
# already carries exactly the series is left alone.
#   tree.sh         the kernel: Debian's linux-source-6.12, patches/
#   tree.sh qemu    QEMU: Debian's source package (apt-get source qemu),
#                   qemu-patches/
. "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_NAME=base GIT_AUTHOR_EMAIL=base@localhost
export GIT_COMMITTER_NAME=base GIT_COMMITTER_EMAIL=base@localhost
export GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z'

# base_commit DIR MESSAGE: DIR as one commit, tagged base.
base_commit() {
	git -C "$1" init -q -b main
	git -C "$1" add -A
	git -C "$1" commit -q -m "$2"
	git -C "$1" tag base
}

if [ "${1:-}" = qemu ]; then
	tree=$QTREE patches=$QPATCHES export=(--qemu)
	if [ ! -d "$tree/.git" ]; then
		say "fetching Debian's QEMU source into $tree"
		rm -rf "$tree.new"
		mkdir -p "$tree.new"
		(cd "$tree.new" && run_logged qemu-source apt-get source qemu)
		src=$(find "$tree.new" -mindepth 1 -maxdepth 1 -type d -name 'qemu-*')
		version=$(cd "$src" && dpkg-parsechangelog -S Version)
		rm -rf "$src/.pc"	# quilt's bookkeeping of Debian's patches
		base_commit "$src" "QEMU $version (Debian source package, its patches applied)"
		mv "$src" "$tree"
		rm -rf "$tree.new"
	fi
else
	SRC=/usr/src/linux-source-6.12.tar.xz
	tree=$TREE patches=$TOP/patches export=()
	if [ ! -d "$tree/.git" ]; then
		say "unpacking $SRC into $tree"
		rm -rf "$tree.new"
		mkdir -p "$tree.new"
		tar -xf "$SRC" -C "$tree.new" --strip-components=1
		# Debian appends "/*" to the top-level .gitignore for its packaging
		# repo, which would hide every file of the tree (and every new one).
		sed -i '/^# Debian packaging/,$d' "$tree.new/.gitignore"
		sed -i '${/^#$/d}' "$tree.new/.gitignore"
		version=$(make -s -C "$tree.new" kernelversion)
		base_commit "$tree.new" "Linux $version (Debian linux-source-6.12)"
		mv "$tree.new" "$tree"
	fi
fi

# The series as its directory has it, and as the work tree would export it.
mapfile -t series < <(grep -v '^\s*\(#\|$\)' "$patches/series" 2>/dev/null || true)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$TOP/host/export.sh" "${export[@]}" --to "$tmp" >/dev/null
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
