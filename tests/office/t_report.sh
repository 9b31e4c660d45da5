#!/usr/bin/env bash
# doorstep-office report from the demo: three households filled through the
# real engine on a laptop, a bundle on "USB", import at the office, then
# the reports from the command line.  The demo records propose categories
# at the door, and nobody approved them: the monthly report counts no
# identification (approvals, not proposals; t_case.sh runs the steps) but
# counts the three finalized visits.
. "$(dirname "$0")/../lib.sh"

if ! "$DOORSTEP" --help 2>&1 | grep -q '^  fill '; then
	echo "# SKIP report end to end: doorstep fill is not in this build"
	exit 0
fi
D=$T/demo
export DOORSTEP_PASSPHRASE=doorstep-demo
check "demo workspace with three households" env DOORSTEP_DEMO_NO_TUI=1 \
    DOORSTEP_DEMO_DIR="$D" DOORSTEP_BIN="$(dirname "$DOORSTEP")" \
    sh "$DS_TOP/forms/demo/demo.sh"
mkdir -p "$T/usb"
check "sync export to the stick" "$DOORSTEP" --workspace "$D/workspace" \
    sync export --out "$T/usb"
b=$(find "$T/usb" -name "*.dsb" | head -n 1)
[ -n "$b" ] && ok "bundle written" || not_ok "bundle written" "$(ls "$T/usb")"
"$DOORSTEP_OFFICE" import --dir "$D/office" "$b" >"$T/imp.out" 2>&1
check "enroll the laptop by its bundle" "$DOORSTEP_OFFICE" enroll \
    --dir "$D/office" --fingerprint "$(fingerprint "$D/workspace")" "$b"

# The total row's value in a column (1-based).
total() {
	awk -F, -v c="$2" '$2 == "Total" || $2 == "合计" { v = $c } END { print v }' "$1"
}
want() {	# name file column value
	local got
	got=$(total "$2" "$3")
	[ "$got" = "$4" ] && ok "$1" || not_ok "$1" "column $3 = '$got', want '$4'"
}

M=$T/m.csv
check "report monthly" "$DOORSTEP_OFFICE" report monthly --lang en \
    --dir "$D/office" --month 2024-09 --forms "$DS_TOP/forms" --out "$M"
has "report says where it went" "$T/.out" "Report written: $M"
has "English headers" "$M" "Identified (approved): Households"
want "no identification without an approval" "$M" 10 0
want "three finalized visits in September" "$M" 50 3
want "two of them verifications" "$M" 52 2
has "village row with its name" "$M" "^341802101,水阳镇,341802101201,东湖村（示例）,"
check "report monthly again" "$DOORSTEP_OFFICE" report monthly --lang en \
    --dir "$D/office" --month 2024-09 --forms "$DS_TOP/forms" --out "$T/m2.csv"
cmp -s "$M" "$T/m2.csv" && ok "same database, same bytes" || not_ok "same database, same bytes"
check "report monthly in Chinese" "$DOORSTEP_OFFICE" report monthly \
    --dir "$D/office" --month 2024-09 --forms "$DS_TOP/forms" --out "$T/zh.csv"
has "Chinese headers" "$T/zh.csv" "新识别（审核认定）：住户"
has "Chinese message" "$T/.out" "报表已生成"
if grep -q "Identified" "$T/zh.csv"; then not_ok "one language only"
else ok "one language only"; fi
check "report monthly as xlsx" "$DOORSTEP_OFFICE" report monthly \
    --dir "$D/office" --month 2024-09 --area 341802101 --out "$T/m.xlsx"
[ "$(head -c 2 "$T/m.xlsx")" = PK ] && ok "xlsx is a zip" || not_ok "xlsx is a zip"
check "report quality" "$DOORSTEP_OFFICE" report quality --lang en \
    --dir "$D/office" --forms "$DS_TOP/forms"
has "no problems in the demo" "$T/.out" "No problems in the ledger."
check_fail "month is checked" 64 "$DOORSTEP_OFFICE" report monthly \
    --dir "$D/office" --month 2024-9 --out "$T/x.csv"
check_fail "only csv or xlsx" 1 "$DOORSTEP_OFFICE" report monthly \
    --dir "$D/office" --month 2024-09 --out "$T/x.txt"
[ ! -e "$T/x.txt" ] && ok "no file for a refused suffix" || not_ok "no file for a refused suffix"
