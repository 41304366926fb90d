#!/usr/bin/env bash
# Stage gates: what 0-day and the maintainers run on a series, on patches/
# and the work tree (base + series); and on the stable backport
# (patches-6.12/) and the QEMU series what their trees' maintainers run.
# Prints one "PASS gate/NAME" or "FAIL gate/NAME: why" line per gate into
# $LOGS/gates.results.
#   gates.sh [GATE...]   only these gates (checkpatch apply bisect sparse w1
#                        uapi kerneldoc x86_64 6.12-checkpatch 6.12-apply
#                        qemu-checkpatch qemu-apply qemu-headers), always run
. "$(dirname "$0")/lib.sh"

RESULTS=$LOGS/gates.results
GATES=$WORK/gates
GTREE=$GATES/linux	# a worktree of $TREE, so the gates never touch it
GBUILD=$GATES/build
mapfile -t series < <(grep -v '^\s*\(#\|$\)' "$TOP/patches/series" || true)
n=${#series[@]}

ONLY=" $* "

# sparse: Linux 7.2's checker-valid.sh wants one that knows
# __typeof_unqual__, which bookworm's 0.6.4 does not: the source config/bases
# names, built here (only the sparse program; seconds).
SPARSE=$WORK/sparse/sparse
if fetch_base sparse "$WORK/sparse" || [ ! -x "$SPARSE" ]; then
	say "gates: building sparse ($(cat "$WORK/sparse/.base-version"), config/bases)"
	# Debian's source asks for gcc-16, which bookworm does not have
	run_logged sparse-build make -C "$WORK/sparse" -j"$(nproc)" sparse CC=gcc \
		HAVE_GTK=no HAVE_LLVM=no HAVE_SQLITE=no HAVE_LIBXML=no
fi
# The gates judge the series with their tools: while none of that changed
# (the series, the work trees, the gates and their config, the tools'
# versions), their results stand.
stamp=$( { cat "$TOP"/patches/* "$TOP"/patches-6.12/* "$TOP"/qemu-patches/* "$TOP"/host/gates.sh \
	       "$TOP"/host/lib.sh "$TOP"/host/export.sh "$TOP"/config/*
	   for t in "$TREE" "$BTREE" "$QTREE"; do git -C "$t" rev-parse HEAD 2>&1; done
	   cat "$WORK/sparse/.base-version"
	   for tool in gcc g++ s390x-linux-gnu-gcc s390x-linux-gnu-g++ pahole python3; do
		   { "$tool" --version 2>&1 || true; } | head -n 1
	   done
	   perl -e 'print "$^V\n"' 2>&1 || true; } | sha256sum | cut -c1-16)
if [ -z "$*" ] && [ "$(cat "$GATES/stamp" 2>/dev/null)" = "$stamp" ] && [ -s "$RESULTS" ]; then
	say "gates: series unchanged since they last ran; their results stand"
	cat "$RESULTS"
	exit 0
fi
: >"$RESULTS"
rm -f "$GATES/stamp"

result() {	# result NAME STATUS [WHY]
	local line="$2 gate/$1${3:+: $3}"
	echo "$line" | tee -a "$RESULTS"
}

# timed NAME FUNCTION: run a gate, log its output, print its time.
timed() {
	[ "$ONLY" = "  " ] || [[ $ONLY == *" $1 "* ]] || return 0
	local start=$SECONDS
	"$2" >"$LOGS/gate-$1.log" 2>&1 && result "$1" PASS || result "$1" FAIL "$(tail -n 1 "$LOGS/gate-$1.log") (log: $LOGS/gate-$1.log)"
	say "gate $1: $((SECONDS - start))s"
}

[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
	die "gates: $TREE has uncommitted changes"
branch=$(git -C "$TREE" rev-parse HEAD)
if [ ! -d "$GTREE" ]; then
	mkdir -p "$GATES"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$GTREE" "$branch"
fi
mkdir -p "$GBUILD"
# gmake REV ARGS: the s390x kernel build of the gates, at REV, with the test
# kernel's config every time (olddefconfig at a revision before the series'
# options exist drops them; they must come back after).
gmake() {
	git -C "$GTREE" checkout -q --detach "$1"
	shift
	cp "$KBUILD/.config" "$GBUILD/.config"
	TREE=$GTREE KBUILD=$GBUILD kmake "$@"
}

# signed_by_author FILE: the patch's author (From:) signs it off (DCO).
signed_by_author() {
	local from
	from=$(sed -n '1,/^$/s/^From: //p' "$1" | head -n 1)
	grep -qxF "Signed-off-by: $from" "$1" ||
		{ echo "$(basename "$1"): its author, $from, does not sign it off"; return 1; }
}

# 1. checkpatch --strict on every patch file, with the checkpatch.pl of the
# series' own tree, and the author's Signed-off-by. spdxcheck wants
# Debian's python3. The base tree is a tarball without history, so
# checkpatch cannot look up the commit a Fixes: tag names
# (UNKNOWN_COMMIT_ID); every other check runs. Its FILE_PATH_CHANGES
# ("does MAINTAINERS need updating?", for any new file) is answered by
# get_maintainer.pl instead.
#   checkpatch NAME: the series of config/bases's NAME (linux, linux-6.12)
checkpatch() {
	local tree dir p list bad=0
	tree=$(tree_of "$1") dir=$(series_of "$1")
	mapfile -t list < <(grep -v '^\s*\(#\|$\)' "$dir/series")
	[ ${#list[@]} -gt 0 ] || { echo "checkpatch: ${dir#"$TOP"/}/series is empty"; return 1; }
	for p in "${list[@]}"; do
		if ! PATH=/usr/bin:$PATH perl "$tree/scripts/checkpatch.pl" --strict --quiet \
			--ignore UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES "$dir/$p"; then
			echo "checkpatch: $p"
			bad=1
		fi
		signed_by_author "$dir/$p" || bad=1
		# What checkpatch's FILE_PATH_CHANGES asks: each file the patch
		# adds has a maintainer (MAINTAINERS as the series leaves it).
		for f in $(git apply --numstat --summary "$dir/$p" | sed -n 's/^ create mode [0-7]* //p'); do
			[ -n "$(cd "$tree" && perl scripts/get_maintainer.pl --no-git --no-git-fallback \
				--nol --norolestats -f "$f" 2>/dev/null)" ] ||
				{ echo "$p: no maintainer in MAINTAINERS for the new $f"; bad=1; }
		done
	done
	[ $bad = 0 ] && echo "checkpatch: ${#list[@]} patches of ${dir#"$TOP"/} clean"
	return $bad
}
gate_checkpatch() { checkpatch linux; }

# 8. A series applies with git am on a fresh base without offsets or fuzz,
# and is exactly what its work tree exports.
# apply_series NAME: the series of config/bases's NAME (linux, linux-6.12,
# qemu).
apply_series() {
	local name=$1 tree dir tmp p out list
	tree=$(tree_of "$name") dir=$(series_of "$name")
	mapfile -t list < <(grep -v '^\s*\(#\|$\)' "$dir/series")
	tmp=$(mktemp -d)
	git -C "$tree" worktree add -q --detach "$tmp/tree" base
	for p in "${list[@]}"; do
		out=$(git -C "$tmp/tree" apply -v --check "$dir/$p" 2>&1)
		if grep -qi 'offset\|fuzz' <<<"$out"; then
			echo "$p: $(grep -i 'offset\|fuzz' <<<"$out" | head -1)"
			return 1
		fi
		git -C "$tmp/tree" -c user.name=gate -c user.email=gate@localhost am -q "$dir/$p" ||
			{ echo "git am failed: $p"; return 1; }
	done
	git -C "$tree" worktree remove --force "$tmp/tree"
	"$TOP/host/export.sh" "$name" --to "$tmp" >/dev/null
	cmp -s "$dir/series" "$tmp/series" ||
		{ echo "stale: the work tree exports $(grep -c . "$tmp/series") patch(es), ${dir#"$TOP"/}/series lists ${#list[@]}"; return 1; }
	for p in "${list[@]}"; do
		cmp -s "$dir/$p" "$tmp/$p" ||
			{ echo "stale: ${dir#"$TOP"/}/$p is not what make export writes (edited by hand, or the work tree moved on)"; return 1; }
	done
	rm -rf "$tmp"
	echo "apply: ${#list[@]} patches of ${dir#"$TOP"/} apply cleanly and match the work tree"
}
gate_apply() { apply_series linux; }

# 2. Bisectability: the s390x kernel builds after each patch.
gate_bisect() {
	local c what
	for c in $(git -C "$TREE" rev-list --reverse base.."$branch"); do
		what=$(git -C "$TREE" log -1 --format='%h %s' "$c")
		echo "building $what"
		gmake "$c" olddefconfig bzImage >"$LOGS/gate-bisect-build.log" 2>&1 ||
			{ grep -m 5 -E 'error|undefined' "$LOGS/gate-bisect-build.log"; echo "does not build: $what"; return 1; }
	done
	echo "bisect: the kernel builds after each of the $n patches"
}

# 3 and 4. sparse (C=2) and W=1 on every object the series touches, against
# the same objects at base: the series adds no warning. Warnings are
# compared without their line and column numbers.
touched_objs() {	# objects of the .c files the series touches, that exist at $1
	git -C "$TREE" diff --name-only --diff-filter=AM base.."$branch" -- '*.c' |
		grep -v '^tools/' |
		while read -r f; do
			git -C "$TREE" cat-file -e "$1:$f" 2>/dev/null && echo "${f%.c}.o"
		done
}
# warnings_at REV CHECK: the sorted warnings of the touched objects at REV.
# Fails when make fails (sparse missing, say) or when CHECK did not look at
# every object (the objects are removed first, so W=1 compiles each).
warnings_at() {
	local objs o log=$LOGS/gate-$2-$1.log
	objs=$(touched_objs "$1")
	# At base there is none when the series only adds files.
	[ -n "$objs" ] || [ "$1" = base ] || { echo "$2: no object to check at $1" >&2; return 1; }
	[ -n "$objs" ] || return 0
	for o in $objs; do rm -f "$GBUILD/$o"; done
	gmake "$1" olddefconfig "$2" CHECK="$SPARSE" $objs >"$log" 2>&1 ||
		{ tail -n 5 "$log" >&2; echo "$2: make failed at $1 (log: $log)" >&2; return 1; }
	for o in $objs; do
		grep -qE "^ +$([ "$2" = C=2 ] && echo "CHECK +(.*/)?${o%.o}\.c" || echo "CC( \[M\])? +$o")\$" "$log" ||
			{ echo "$2: $o was not checked at $1 (log: $log)" >&2; return 1; }
	done
	{ grep -E 'warning:|error:' "$log" || true; } | sed -E 's/:[0-9]+:[0-9]+:/:/; s/:[0-9]+:/:/' | sort
}
gate_compare() {	# gate_compare CHECK (C=2 or W=1)
	local before after new
	before=$(warnings_at base "$1") || return 1
	after=$(warnings_at "$branch" "$1") || return 1
	new=$(comm -13 <(echo "$before") <(echo "$after"))
	echo "$1 on: $(touched_objs "$branch" | tr '\n' ' ')"
	echo "base: $(grep -c . <<<"$before") warning(s), series: $(grep -c . <<<"$after")"
	[ -z "$new" ] || { echo "$new"; echo "new $1 warnings: $(grep -c . <<<"$new")"; return 1; }
}
gate_sparse() { gate_compare C=2; }
gate_w1() { gate_compare W=1; }

# 5. The generic code builds (and links) for x86_64.
gate_x86_64() {
	git -C "$GTREE" checkout -q --detach "$branch"
	local o=$GATES/build-x86_64
	local xmake=(make -C "$GTREE" O="$o" ARCH=x86_64 CC="ccache gcc" -j"$(nproc)")
	mkdir -p "$o"
	"${xmake[@]}" tinyconfig >/dev/null
	"$TREE/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "$TOP/config/x86_64.config" >/dev/null
	"${xmake[@]}" olddefconfig >/dev/null
	local missing
	missing=$(grep '^CONFIG_' "$TOP/config/x86_64.config" | grep -vxF -f "$o/.config" || true)
	[ -z "$missing" ] || { echo "x86_64 config dropped: $missing"; return 1; }
	"${xmake[@]}" vmlinux >"$LOGS/gate-x86_64-build.log" 2>&1 ||
		{ grep -E 'error|undefined' "$LOGS/gate-x86_64-build.log" | head; echo "x86_64 build failed"; return 1; }
	echo "x86_64: vmlinux with VFIO, type1, vfio-pci and iommufd links"
}

# 6. uAPI headers: each touched one compiles on its own (C and C++, s390x
# and x86_64), and the structures the series adds have no holes.
gate_uapi() {
	local hdrs h cc inc bad=0 tmp structs s
	hdrs=$(git -C "$TREE" diff --name-only base..HEAD -- 'include/uapi/*.h' | sed 's|include/uapi/||')
	[ -n "$hdrs" ] || { echo "uapi: nothing to check: the series touches no uAPI header"; return 1; }
	tmp=$(mktemp -d)
	gmake "$branch" headers_install >/dev/null || { echo "uapi: headers_install failed"; return 1; }
	make -s -C "$GTREE" O="$tmp/build" ARCH=x86_64 INSTALL_HDR_PATH="$tmp/x86" headers_install
	for h in $hdrs; do
		for cc in s390x-linux-gnu-gcc s390x-linux-gnu-g++ gcc g++; do
			inc=$GBUILD/usr/include
			[[ $cc == s390x* ]] || inc=$tmp/x86/include
			lang=c
			[[ $cc == *++ ]] && lang=c++
			echo "#include <$h>" | $cc -x $lang -Wall -Werror -isystem "$inc" -fsyntax-only - ||
				{ echo "$h does not compile on its own with $cc"; bad=1; }
		done
	done
	structs=$(git -C "$TREE" diff base..HEAD -- 'include/uapi/*.h' | sed -nE 's/^\+struct ([a-z0-9_]+) \{$/\1/p')
	{ for h in $hdrs; do echo "#include <$h>"; done
	  for s in $structs; do echo "struct $s v_$s;"; done; } >"$tmp/structs.c"
	s390x-linux-gnu-gcc -g -c -isystem "$GBUILD/usr/include" -o "$tmp/structs.o" "$tmp/structs.c"
	[ -n "$structs" ] || { echo "uapi: the series adds no structure to check"; bad=1; }
	for s in $structs; do
		out=$(pahole -C "$s" "$tmp/structs.o") && [ -n "$out" ] ||
			{ echo "pahole could not read struct $s"; bad=1; }
		if grep -E 'XXX|padding:' <<<"$out"; then
			echo "struct $s has a hole or padding"
			bad=1
		fi
	done
	rm -rf "$tmp"
	[ $bad = 0 ] && echo "uapi: $(echo $hdrs) compile on their own; no hole in $(echo $structs)"
	return $bad
}

# 7. kernel-doc on every touched file that has kernel-doc comments: no
# warning the file did not have at base (compared without line numbers).
kdoc() {	# kdoc REV FILE: the file's kernel-doc warnings at REV
	local tmp rc=0
	tmp=$(mktemp -d)
	mkdir -p "$tmp/$(dirname "$2")"
	if git -C "$TREE" show "$1:$2" >"$tmp/$2" 2>/dev/null; then
		(cd "$tmp" && "$TREE/scripts/kernel-doc" -Wall -none "$2" >"$tmp/out" 2>&1) || rc=$?
		# It exits with its count of warnings; anything else is its failure.
		if [ $rc -ge 126 ] || grep -q "^Can't locate" "$tmp/out"; then
			cat "$tmp/out" >&2
			rm -rf "$tmp"
			return 1
		fi
		sed -E 's/:[0-9]+: /: /; s/^(Warning: [^ ]*):[0-9]+ /\1 /' "$tmp/out" | sort
	fi
	rm -rf "$tmp"
}
gate_kerneldoc() {
	local files f new before after bad=0
	files=$(git -C "$TREE" diff --name-only --diff-filter=AM base.."$branch" -- '*.c' '*.h' |
		grep -v '^tools/' | while read -r f; do
			git -C "$TREE" grep -q '^/\*\*' "$branch" -- "$f" && echo "$f"
		done)
	[ -n "$files" ] || { echo "kernel-doc: nothing to check: no touched file has kernel-doc"; return 1; }
	for f in $files; do
		before=$(kdoc base "$f") && after=$(kdoc "$branch" "$f") ||
			{ echo "kernel-doc failed on $f"; return 1; }
		new=$(comm -13 <(echo "$before") <(echo "$after"))
		if [ -n "$new" ]; then
			echo "$new"
			bad=1
		fi
	done
	[ $bad = 0 ] && echo "kernel-doc: no new warning in $(echo $files)"
	return $bad
}

# The stable backport (patches-6.12/): checkpatch with 6.12's own, and git
# am on a fresh 6.12; it builds and passes its tests in make check's
# 6.12 boot.
gate_backport_checkpatch() { checkpatch linux-6.12; }
gate_backport_apply() { apply_series linux-6.12; }

# 9. The QEMU series (qemu-patches/): QEMU's own checkpatch.pl on every
# patch (no error, no warning: but its "does MAINTAINERS need updating?" on
# a new file under linux-headers/, which MAINTAINERS already covers, and its
# "are you using scripts/update-linux-headers.sh?" on a patch that changes
# only linux-headers/, which gate 10 answers), a Signed-off-by; and, as for
# the kernel's (8), git am on a fresh base of Debian's QEMU source.
mapfile -t qseries < <(grep -v '^\s*\(#\|$\)' "$QPATCHES/series" 2>/dev/null || true)
gate_qemu_checkpatch() {
	local p out warnings bad=0
	[ ${#qseries[@]} -gt 0 ] || { echo "QEMU checkpatch: nothing to check: qemu-patches/series is empty"; return 1; }
	for p in "${qseries[@]}"; do
		out=$(perl "$QTREE/scripts/checkpatch.pl" --no-signoff "$QPATCHES/$p" 2>&1) || bad=1
		echo "$out"
		warnings=$(grep '^WARNING:' <<<"$out" | grep -v 'does MAINTAINERS need updating' || true)
		if ! git apply --numstat "$QPATCHES/$p" | grep -qv '	linux-headers/'; then
			warnings=$(grep -v 'imported from Linux, are you using' <<<"$warnings" || true)
		fi
		if [ -n "$warnings" ] ||
		   { grep -q 'does MAINTAINERS need updating' <<<"$out" &&
		     git apply --numstat --summary "$QPATCHES/$p" |
		     grep ' create mode ' | grep -qv ' linux-headers/'; }; then
			bad=1
		fi
		signed_by_author "$QPATCHES/$p" || bad=1
		[ $bad = 0 ] || { echo "QEMU checkpatch: $p"; break; }
	done
	[ $bad = 0 ] && echo "QEMU checkpatch: ${#qseries[@]} patches clean"
	return $bad
}
gate_qemu_apply() {
	[ ${#qseries[@]} -gt 0 ] || { echo "QEMU apply: nothing to check: qemu-patches/series is empty"; return 1; }
	apply_series qemu
}

# 10. QEMU's linux-headers/ and include/standard-headers/ are generated,
# never edited: the QEMU series' scripts/update-linux-headers.sh, run end to
# end on the kernel series' tree into a scratch worktree of QEMU's base,
# must finish without a word on its standard error, and every file the
# QEMU series changes there must be as the script writes it. (The series
# updates only the headers it needs: the script rewrites the others too,
# from Linux 7.2, which the gate counts and does not require.)
gate_qemu_headers() {
	local f files bad=0 out=$GATES/qemu-headers
	mapfile -t files < <(git -C "$QTREE" diff --name-only base HEAD -- linux-headers/ include/standard-headers/)
	[ ${#files[@]} -gt 0 ] || { echo "QEMU headers: the series changes no generated header"; return 1; }
	git -C "$QTREE" worktree remove --force "$out" 2>/dev/null || rm -rf "$out"
	git -C "$QTREE" worktree prune
	git -C "$QTREE" worktree add -q --detach "$out" base
	git -C "$GTREE" checkout -q --detach "$branch"
	# Not make check's make: its jobserver is not the script's.
	(cd "$out" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u ARCH -u CROSS_COMPILE \
		"$QTREE/scripts/update-linux-headers.sh" "$GTREE" "$out") 2>"$out.err" || bad=1
	cat "$out.err"
	if [ $bad = 1 ] || [ -s "$out.err" ]; then
		echo "QEMU headers: scripts/update-linux-headers.sh $GTREE failed or wrote to its standard error"
		return 1
	fi
	for f in "${files[@]}"; do
		if ! cmp "$out/$f" "$QTREE/$f"; then
			diff -u "$out/$f" "$QTREE/$f" | head -n 20
			echo "QEMU headers: $f is not what scripts/update-linux-headers.sh writes from the kernel series"
			bad=1
		fi
	done
	[ $bad = 0 ] && echo "QEMU headers: ${files[*]} as scripts/update-linux-headers.sh writes them from the" \
		"kernel series (it rewrites $(git -C "$out" status --porcelain | grep -c .) files of the base in all)"
	return $bad
}

if [ "$n" -eq 0 ]; then
	result series PASS "empty series: nothing to check"
	exit 0
fi
timed checkpatch gate_checkpatch
timed apply gate_apply
timed 6.12-checkpatch gate_backport_checkpatch
timed 6.12-apply gate_backport_apply
timed bisect gate_bisect
timed sparse gate_sparse
timed w1 gate_w1
timed uapi gate_uapi
timed kerneldoc gate_kerneldoc
timed x86_64 gate_x86_64
if [ -d "$QTREE/.git" ]; then
	timed qemu-checkpatch gate_qemu_checkpatch
	timed qemu-apply gate_qemu_apply
	timed qemu-headers gate_qemu_headers
else
	for g in qemu-checkpatch qemu-apply qemu-headers; do
		[ "$ONLY" = "  " ] || [[ $ONLY == *" $g "* ]] || continue
		result $g FAIL "no QEMU work tree at $QTREE (make qemu)"
	done
fi
[ -n "$*" ] || grep -q '^FAIL' "$RESULTS" || echo "$stamp" >"$GATES/stamp"
