#!/usr/bin/env bash
# Stage kernel: cross-build the s390x test kernel (tinyconfig + the config
# fragments) and install its uAPI headers for the guest programs.
. "$(dirname "$0")/lib.sh"

FRAGMENTS=("$TOP"/config/test.config)
mkdir -p "$KBUILD"

# (Re)make .config only when a fragment or the tree's commit changed.
stamp=$( (cat "${FRAGMENTS[@]}"; git -C "$TREE" rev-parse HEAD) | sha256sum | cut -c1-16)
if [ "$(cat "$KBUILD/.config.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "kernel: config = tinyconfig + ${FRAGMENTS[*]##*/}"
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

say "kernel: building (log: $LOGS/kernel.log)"
run_logged kernel kmake bzImage
run_logged headers kmake headers_install
say "kernel: $KBUILD/arch/s390/boot/bzImage"
