# Sourced by the guest's stages (busybox sh): TAP output, and the zPCI test
# bed as the kernel command line gives it (host/topology.py writes it):
#   vfiotest.fn=ROLE:FIELD=VALUE,...   a function (ROLE container, outside,
#                                      unbound) and what its CLP answer says
#   vfiotest.group=FIELD=VALUE,...     a function group
#   vfiotest.nested=uid=U,fid=F,host=H a container function in a nested guest
#   vfiotest.replug=FIELD=VALUE,...    a container function's other values,
#                                      with which it is plugged back once
# Values are lowercase hexadecimal, byte fields hex bytes. The fields,
# their kinds and what the QEMUs of the QEMU stages make of them are
# config/fields', as lists of names (host/topology.py generates them).
. /lib/fields.sh

# TAP: "ok N NAME # DIAGNOSTIC" for each check, and the plan at the end.
t=0 failed=0
tap_begin() { echo "TAP version 13"; }
ok() {	# ok NAME CONDITION DIAGNOSTIC
	t=$((t + 1))
	if eval "$2"; then
		echo "ok $t $1 # $3"
	else
		echo "not ok $t $1 # $3"
		failed=$((failed + 1))
	fi
}
skip() {	# skip NAME REASON (which host/expected must allow)
	t=$((t + 1))
	echo "ok $t $1 # SKIP $2"
}
tap_end() { echo "1..$t"; [ $failed = 0 ]; }

# records fn ROLE | group | nested | replug: the records, one a line.
records() {
	for arg in $(cat /proc/cmdline); do
		case $1:$arg in
		fn:vfiotest.fn=$2:*) echo "${arg#*:}" ;;
		group:vfiotest.group=* | nested:vfiotest.nested=* | replug:vfiotest.replug=*)
			echo "${arg#*=}" ;;
		esac
	done
}

# field RECORD NAME: the value, or nothing.
field() {
	echo ",$1," | sed -n "s/.*,$2=\([^,]*\),.*/\1/p"
}

# group_of PFGID: the record of that group.
group_of() {
	records group | while read -r g; do
		[ "$(field "$g" pfgid)" = "$1" ] && echo "$g"
	done
}

# bdf_of UID: the PCI address Linux gives a zPCI function at devfn 0 when
# UIDs are unique: domain = UID.
bdf_of() { printf '%04x:00:00.0' "$(( $1 ))"; }

# is_bytes FIELD, is_flag FIELD: whether FIELD's value is bytes
# ($BYTE_FIELDS), a flag ($FLAG_FIELDS).
is_bytes() { case " $BYTE_FIELDS " in *" $1 "*) ;; *) false ;; esac; }
is_flag() { case " $FLAG_FIELDS " in *" $1 "*) ;; *) false ;; esac; }

# canon FIELD VALUE: the value as compare() compares it: bytes in lowercase
# hex without trailing zero bytes; numbers in lowercase hex (by shell
# arithmetic up to 15 hex digits, longer ones as they are written: every
# writer prints them without leading zeros).
canon() {
	if is_bytes "$1"; then
		echo "$2" | tr A-F a-f | sed 's/\(00\)*$//'
		return
	fi
	case $2 in
	0x????????????????*) echo "$2" | tr A-F a-f ;;
	'' | *[!0-9a-fA-Fx]*) echo "${2:-empty}" ;; # not a number (jq's null): as it is
	*) printf '0x%x\n' "$(( $2 ))" ;;
	esac
}

# except LIST NAME...: the words of LIST that are not a NAME.
except() {
	list=$1
	shift
	for w in $list; do
		case " $* " in *" $w "*) ;; *) echo "$w" ;; esac
	done
}

# compare WANT GOT [FIELD...]: the FIELDs (without, every field of either
# record) that the records WANT and GOT do not agree on, as "field want/got"
# words ("-" for a field a record lacks); nothing when they agree.
compare() {
	want=$1 got=$2
	shift 2
	[ $# -gt 0 ] || set -- $(echo "$want,$got" | tr , '\n' | sed 's/=.*//' | sort -u)
	for f in "$@"; do
		w=$(field "$want" "$f") g=$(field "$got" "$f")
		[ -z "$w$g" ] && continue
		[ -n "$w" ] && [ -n "$g" ] && [ "$(canon "$f" "$w")" = "$(canon "$f" "$g")" ] ||
			printf '%s %s/%s ' "$f" "${w:--}" "${g:--}"
	done
}

# mismatch LABEL WANT GOT [FIELD...]: " LABEL: not exactly once;" for no
# GOT (entry() found none or several), " LABEL: <compare's words>;" where
# the records disagree, nothing where they agree.
mismatch() {
	label=$1 want=$2 got=$3
	shift 3
	if [ -z "$got" ]; then
		echo " $label: not exactly once;"
	else
		d=$(compare "$want" "$got" "$@")
		[ -z "$d" ] || echo " $label: $d;"
	fi
}

# json_records [FILE]: the zPCI entries of the tool's JSON
# (vfio_iommu_info --json) as "zpci_fn RECORD" and "zpci_group RECORD"
# lines, in guest/record.h's form (the filter is config/fields').
json_records() {
	/usr/bin/jq -r -f /lib/fields.jq "$@"
}

# entry RECORDS KIND KEY VALUE: the one KIND (zpci_fn, zpci_group) record
# of the json_records lines RECORDS whose KEY is VALUE; nothing if there is
# not exactly one.
entry() {
	echo "$1" | sed -n "s/^$2 //p" | while read -r r; do
		[ "$(canon "$3" "$(field "$r" "$3")")" = "$(canon "$3" "$4")" ] && echo "$r"
	done | awk '{ n++; r = $0 } END { if (n == 1) print r }'
}

# A hostile guest's zPCI loads and stores (guest/zpci-insn/).
#
# unimplemented_bars BDF: the BARs (0 to 5) the function at BDF does not
# implement: sysfs shows them with no flags (its CLP answer gave no size).
unimplemented_bars() {
	head -n 6 "/sys/bus/pci/devices/$1/resource" |
		awk '$3 ~ /^0x0+$/ { printf "%s%d", sep, NR - 1; sep = " " }'
}

# The module's ops (guest/zpci-insn/zpci_insn.c) for a virtio-pci function:
# a load from BAR 4 (its modern BAR), loads and stores to each BAR it does
# not implement, and loads and a store whose offset lies past the end of
# BAR 1 (MSI-X) and BAR 4, near 2^64.
ZPCI_INSN_OPS=pcilg:4:0:8,unimplemented_bars
ZPCI_INSN_OPS=$ZPCI_INSN_OPS,pcilg:1:fffffffffffffff8:8,pcistg:1:fffffffffffffff8:8
ZPCI_INSN_OPS=$ZPCI_INSN_OPS,pcilg:4:fffffffffffffff8:8

# zpci_insn_want BDF BARS: what the module prints for ZPCI_INSN_OPS to the
# function BDF that does not implement BARS, when each access gets its
# architected answer: the load from BAR 4 succeeds; each load and store to
# a BAR the function does not implement, and each past the end of a BAR,
# is an operand exception, as for any offset outside a BAR (one not
# implemented has size 0; upstream QEMU answers so since 11.1).
zpci_insn_want() {
	echo "zpci_insn: $1 pcilg bar 4 offset 0x0 len 8: cc 0 status 0"
	for b in $2; do
		for i in pcilg:8 pcistg:8 pcistb:16; do
			echo "zpci_insn: $1 ${i%:*} bar $b offset 0x0 len ${i#*:}: program exception"
		done
	done
	for i in pcilg:1 pcistg:1 pcilg:4; do
		echo "zpci_insn: $1 ${i%:*} bar ${i#*:} offset 0xfffffffffffffff8 len 8: program exception"
	done
}
