#!/usr/bin/env bash
# doorstep-office export for a clerk and an analyst, through the real
# program on the demo households: labels in the chosen language with the
# names in a second row, choice labels (codes with --codes), real XLSX
# numbers and dates, households and members linked by household key, a
# codebook; Stata and SPSS files with variable and value labels (read back
# with ReadStat's own tools); every file 0600 whatever the umask.
. "$(dirname "$0")/../lib.sh"

D=$T/demo
export DOORSTEP_PASSPHRASE=doorstep-demo
env DOORSTEP_DEMO_NO_TUI=1 DOORSTEP_DEMO_DIR="$D" \
    DOORSTEP_BIN="$(dirname "$DOORSTEP")" sh "$DS_TOP/forms/demo/demo.sh" >/dev/null
"$DOORSTEP" --workspace "$D/workspace" sync export --out "$T/usb" >/dev/null 2>&1
b=$(find "$T/usb" -name '*.dsb' | head -1)
"$DOORSTEP_OFFICE" --dir "$D/office" import "$b" >/dev/null
"$DOORSTEP_OFFICE" --dir "$D/office" enroll \
    --fingerprint "$(fingerprint "$D/workspace")" "$b" >/dev/null
X() { "$DOORSTEP_OFFICE" --dir "$D/office" "$@" --forms "$DS_TOP/forms"; }
umask 022

# XLSX in Chinese.
check "xlsx in Chinese" X --lang zh export --format xlsx --out "$T/zh.xlsx"
[ "$(stat -c %a "$T/zh.xlsx")" = 600 ] && ok "xlsx is 0600 under umask 022" ||
    not_ok "xlsx is 0600 under umask 022" "$(stat -c %a "$T/zh.xlsx")"
unzip -p "$T/zh.xlsx" xl/workbook.xml >"$T/wb"
unzip -p "$T/zh.xlsx" xl/sharedStrings.xml >"$T/ss"
unzip -p "$T/zh.xlsx" xl/worksheets/sheet1.xml >"$T/s1"
unzip -p "$T/zh.xlsx" xl/worksheets/sheet2.xml >"$T/s2"
for s in 住户 成员 代码本; do has "xlsx sheet $s" "$T/wb" "name=\"$s\""; done
has "a Chinese column label" "$T/ss" "<t>访问日期</t>"
has "the field name in the second row" "$T/ss" "<t>visit_date</t>"
has "a choice label, not its code" "$T/ss" "<t>入户核实</t>"
# 2024-09-10 is day 45545 of Excel's calendar, written with a date style.
if grep -Eq '<c r="[A-Z]+3" s="[0-9]+"( t="n")?><v>45545</v>' "$T/s1"; then
	ok "the visit date is an XLSX date"
else not_ok "the visit date is an XLSX date" "$(grep -o '<c r="[A-Z]*3"[^>]*><v>4554[0-9]</v>' "$T/s1")"; fi
if grep -Eq '<c r="[A-Z]+3"( t="n")?><v>18000</v>' "$T/s1"; then
	ok "money is a number"
else not_ok "money is a number" "no numeric 18000 cell"; fi
has "members: the household key column" "$T/ss" "<t>户键</t>"
has "members: the member number" "$T/ss" "<t>成员序号</t>"
has "codebook: a code with its label" "$T/ss" "<t>代码标签</t>"

# English, and codes.
check "xlsx in English" X --lang en export --format xlsx --out "$T/en.xlsx"
unzip -p "$T/en.xlsx" xl/sharedStrings.xml >"$T/ss"
has "an English column label" "$T/ss" "<t>Visit date</t>"
has "an English choice label" "$T/ss" "<t>Home-visit verification</t>"
check "xlsx with codes" X export --format xlsx --codes --out "$T/codes.xlsx"
unzip -p "$T/codes.xlsx" xl/sharedStrings.xml >"$T/ss"
has "--codes keeps the code" "$T/ss" "<t>verification</t>"

# CSV: households, members linked by household key, codebook.
check "csv in English" X --lang en export --format csv --out "$T/hh.csv"
sed -n 1p "$T/hh.csv" | grep -q '^.Record id,Household key,' &&
    ok "csv: a label row" || not_ok "csv: a label row" "$(sed -n 1p "$T/hh.csv" | cut -c1-80)"
sed -n 2p "$T/hh.csv" | grep -q '^record_id,household_key,' &&
    ok "csv: a name row" || not_ok "csv: a name row" "$(sed -n 2p "$T/hh.csv" | cut -c1-80)"
for f in hh-members.csv hh-codebook.csv; do
	[ "$(stat -c %a "$T/$f")" = 600 ] && ok "$f is 0600" || not_ok "$f is 0600"
done
keys=$(awk -F, 'NR > 2 { print $2 }' "$T/hh.csv" | sort -u)
mkeys=$(awk -F, 'NR > 2 { print $2 }' "$T/hh-members.csv" | sort -u)
[ -n "$keys" ] && [ "$keys" = "$mkeys" ] &&
    ok "every member row links to a household by key" ||
    not_ok "every member row links to a household by key" "$keys / $mkeys"
if sed -n '3,$p' "$T/hh.csv" | grep -q ',verification,'; then
	not_ok "csv: no choice code without --codes" "$(sed -n 3p "$T/hh.csv" | cut -c1-200)"
elif sed -n '3,$p' "$T/hh.csv" | grep -q ',Home-visit verification,'; then
	ok "csv: no choice code without --codes"
else not_ok "csv: no choice code without --codes" "no label either"; fi
has "csv codebook: a choice row" "$T/hh-codebook.csv" \
    "^Households,visit_type,,,verification,Home-visit verification"

# Stata and SPSS, read back with ReadStat's tools.
for fmt in dta sav; do
	check "$fmt export" X --lang zh export --format $fmt --out "$T/hh.$fmt"
	[ "$(stat -c %a "$T/hh.$fmt")" = 600 ] && [ "$(stat -c %a "$T/hh-members.$fmt")" = 600 ] &&
	    ok "$fmt files are 0600" || not_ok "$fmt files are 0600"
	extract_metadata "$T/hh.$fmt" "$T/$fmt.json" >/dev/null 2>&1
	has "$fmt: a variable label" "$T/$fmt.json" '"name": *"visit_date"[^}]*"label": *"访问日期"'
	has "$fmt: value labels" "$T/$fmt.json" '"label": *"入户核实"'
	has "$fmt: the date is a date" "$T/$fmt.json" '"name": *"visit_date", *"format": *"DATE'
	readstat "$T/hh-members.$fmt" "$T/m-$fmt.csv" >/dev/null 2>&1
	has "$fmt: members carry the household key" "$T/m-$fmt.csv" '^"record_id","household_key","member_no"'
done
readstat "$T/hh.dta" - 2>/dev/null | sed -n 1p | tr ',' '\n' >"$T/cols"
n=$(grep -n '"visit_date"' "$T/cols" | cut -d: -f1)
v=$(readstat "$T/hh.dta" - 2>/dev/null | sed -n 2p | cut -d, -f"$n")
[ "${v%%.*}" = 23629 ] && ok "dta: 2024-09-10 is Stata day 23629" ||
    not_ok "dta: 2024-09-10 is Stata day 23629" "$v"
check_fail "an unknown format is a usage error" 64 X export --format pdf --out "$T/x"
