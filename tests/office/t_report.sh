#!/usr/bin/env bash
# doorstep-office report end to end: the demo laptop (three households
# filled through the real engine), a bundle on "USB", import at the office,
# then the monthly report and the problem list from the command line.
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
    --dir "$D/office" "$b"

# The total row's value under a column title.
total() {
	awk -F, -v want="$2" 'NR == 1 { sub(/^\xef\xbb\xbf/, ""); for (i = 1; i <= NF; i++) if ($i == want) c = i }
	    $2 == "合计" { v = $c } END { print v }' "$1"
}
want() {	# name file title value
	local got
	got=$(total "$2" "$3")
	[ "$got" = "$4" ] && ok "$1" || not_ok "$1" "$3 = '$got', want '$4'"
}

M=$T/m.csv
check "report monthly" "$DOORSTEP_OFFICE" report monthly --dir "$D/office" \
    --month 2024-09 --forms "$DS_TOP/forms" --out "$M"
has "report says where it went" "$T/.out" "Report written: $M"
want "stock: the unstable household" "$M" 月初监测户数 1
want "stock persons" "$M" 月初监测人数 3
want "newly identified" "$M" 新识别户数 1
want "newly identified persons" "$M" 新识别人数 6
want "new by cadre screening" "$M" 基层干部排查 1
want "new by main risk illness" "$M" 主要风险：因病 1
want "visits in September" "$M" 访问次数 3
want "verification visits" "$M" 入户核实 2
want "screening visits" "$M" 集中排查 1
want "health measures" "$M" 健康帮扶户数 2
want "safety-net measures" "$M" 综合保障户数 1
want "no data-quality problems" "$M" 有数据质量问题户数 0
has "village row with its name" "$M" "^341802101,水阳镇,341802101201,东湖村（示例）,"
check "report monthly again" "$DOORSTEP_OFFICE" report monthly --dir "$D/office" \
    --month 2024-09 --forms "$DS_TOP/forms" --out "$T/m2.csv"
cmp -s "$M" "$T/m2.csv" && ok "same database, same bytes" || not_ok "same database, same bytes"
check "report monthly as xlsx" "$DOORSTEP_OFFICE" report monthly \
    --dir "$D/office" --month 2024-09 --area 341802101 --out "$T/m.xlsx"
[ "$(head -c 2 "$T/m.xlsx")" = PK ] && ok "xlsx is a zip" || not_ok "xlsx is a zip"
# --forms: the names, and (where the build re-checks) forms/household.md.
check "report quality" "$DOORSTEP_OFFICE" report quality --dir "$D/office" \
    --forms "$DS_TOP/forms"
has "no open problems in the demo" "$T/.out" "No open problems."
check_fail "month is checked" 64 "$DOORSTEP_OFFICE" report monthly \
    --dir "$D/office" --month 2024-9 --out "$T/x.csv"
check_fail "only csv or xlsx" 1 "$DOORSTEP_OFFICE" report monthly \
    --dir "$D/office" --month 2024-09 --out "$T/x.txt"
[ ! -e "$T/x.txt" ] && ok "no file for a refused suffix" || not_ok "no file for a refused suffix"
