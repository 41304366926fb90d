#!/usr/bin/env bash
# Stage kernel: cross-build an s390x guest kernel (tinyconfig + the config
# fragments) and install its uAPI headers for the guest programs.
#   kernel.sh [test|debug|6.12]   the test kernel in work/build (default),
#                                 the debug kernel (+ config/debug.config) in
#                                 work/build-debug, or the stable backport's
#                                 test kernel (work/linux-6.12) in work/build-6.12
. "$(dirname "$0")/lib.sh"

flavour=${1:-test}
FRAGMENTS=("$TOP"/config/test.config)
case $flavour in
test) ;;
debug)
	FRAGMENTS+=("$TOP"/config/debug.config)
	KBUILD=$WORK/build-debug ;;
6.12)
	TREE=$BTREE KBUILD=$WORK/build-6.12 ;;
*) die "usage: kernel.sh [test|debug|6.12]" ;;
esac
# A build directory of another base (config/bases) starts again: what the
# old tree generated there would be built on.
base=$(cat "$TREE/.git/base-version")
if [ "$(cat "$KBUILD/.base-version" 2>/dev/null)" != "$base" ]; then
	rm -rf "$KBUILD"
	mkdir -p "$KBUILD"
	echo "$base" >"$KBUILD/.base-version"
fi

# (Re)make .config only when a fragment or the tree's commit changed.
stamp=$( (cat "${FRAGMENTS[@]}"; git -C "$TREE" rev-parse HEAD) | sha256sum | cut -c1-16)
if [ "$(cat "$KBUILD/.config.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "kernel: $flavour config = tinyconfig + ${FRAGMENTS[*]##*/}"
	run_logged kconfig kmake tinyconfig
	run_logged kconfig-merge "$TREE/scripts/kconfig/merge_config.sh" -m -O "$KBUILD" \
		"$KBUILD/.config" "${FRAGMENTS[@]}"
	run_logged kconfig-olddefconfig kmake olddefconfig
	# Kconfig silently drops what it cannot satisfy: insist on every line.
	# Options the series adds are unknown to the base: say so, don't fail.
	dropped=
	while read -r line; do
		grep -qxF "$line" "$KBUILD/.config" && continue
		sym=$(sed -E 's/^(# )?CONFIG_([A-Za-z0-9_]+).*/\2/' <<<"$line")
		if grep -rqE --include='Kconfig*' "^\s*(menu)?config $sym\b" "$TREE"; then
			dropped+="$line"$'\n'
		else
			say "kernel: $sym is not in this tree; left out"
		fi
	done < <(grep -h '^\(CONFIG_\|# CONFIG_.* is not set\)' "${FRAGMENTS[@]}")
	[ -z "$dropped" ] || die "Kconfig dropped options asked for:"$'\n'"$dropped"
	echo "$stamp" >"$KBUILD/.config.stamp"
fi

say "kernel: building the $flavour kernel (log: $LOGS/kernel-$flavour.log)"
run_logged "kernel-$flavour" kmake bzImage modules
# The guest programs build against the test kernel's uAPI headers.
[ "$flavour" = debug ] || run_logged headers kmake headers_install
say "kernel: $KBUILD/arch/s390/boot/bzImage"
