#!/usr/bin/env bash
# The household case end to end, through the real binaries (issue 10):
# an office with Anhui's settings imports its register, then a medical
# insurance list with matched and unmatched rows; a laptop visit closes the
# household's clue; the village assessment, public notice, township review
# and county approval are recorded; a measure is added; a later visit
# proposes elimination and its steps follow; the monthly reports of the
# months involved give the exact counts.  Every office command runs at
# the date of the step it records (DOORSTEP_FAKE_NOW), as a township
# would.  Then the refusals, each in Chinese and in English: exit 1, a
# message saying why, and office.db (and its WAL) byte for byte as
# before.  Last, no name or ID number of the register or the list is
# anywhere in the office directory.
. "$(dirname "$0")/../lib.sh"

if ! "$DOORSTEP" --help 2>&1 | grep -q '^  fill '; then
	echo "# SKIP case end to end: doorstep fill is not in this build"
	exit 0
fi
O=$T/office
W=$T/ws
K=3418021012010007
export DOORSTEP_PASSPHRASE=case-test-passphrase
export TZ=UTC

at() { DOORSTEP_FAKE_NOW=$(date -u -d "$1 12:00" +%s); export DOORSTEP_FAKE_NOW; }
# DS_TEST_OFFICE_DB: the same journey on a county database (tests/pg).
oc() { "$DOORSTEP_OFFICE" --dir "$O" ${DS_TEST_OFFICE_DB:+--db \
    "$DS_TEST_OFFICE_DB"} "$@"; }
dbsum() { cat "$O/office.db" "$O/office.db-wal" 2>/dev/null | sha256sum; }

at 2024-08-20
check "office with Anhui's settings" oc init --settings anhui
has "settings copied" "$O/settings.json" '"province": "34"'

cat >"$T/register.csv" <<'CSV'
户编号,村代码,村民小组代码,户主姓名,户主身份证号,家庭人口数
3418021012010007,341802101201,34180210120101,张建国,341802197903150315,6
3418021012010008,341802101201,34180210120101,登记户主乙,341802198812124562,3
3418021012020001,341802101202,34180210120201,登记户主丙,,2
CSV
check "register import" oc register import "$T/register.csv"
has "register: three new households" "$T/.out" "共 3 户，新增 3 户"

at 2024-09-05
cat >"$T/yibao.csv" <<'CSV'
身份证号,姓名,预警原因,金额,预警日期
341802197903150315,张建国,大病住院自付费用高,35000,2024-09-01
341802196005053332,预警人员丁,不在本乡镇,1200,2024-09-02
CSV
check "department list" oc clue import "$T/yibao.csv" --source 医保局 --lang en
has "one row matched" "$T/.out" "1 matched a household"
has "one row kept unmatched" "$T/.out" "1 matched none (kept as unmatched clues)"
check "open clues listed" oc clue list --open --lang en
has "the household's clue is open" "$T/.out" "$K  department warning  医保局  open 4 days"
has "the unmatched one is kept" "$T/.out" "(unmatched)"

# The laptop: one verification visit of the household, finalized.
at 2024-09-10
check "laptop workspace" "$DOORSTEP" --workspace "$W" init \
    --office-key "$O/office-public.key" --worker 李网格 --kdf-cost min
mkdir -p "$W/forms" && cp "$DS_TOP/forms/household.md" "$DS_TOP"/forms/*.csv "$W/forms/"
check "verification visit finalized" "$DOORSTEP" --workspace "$W" fill \
    household --answers "$DS_TOP/tests/office/case/visit1.json" --finalize
mkdir -p "$T/usb1"
check "sync export" "$DOORSTEP" --workspace "$W" sync export --out "$T/usb1"
b=$(find "$T/usb1" -name "*.dsb" | head -n 1)
at 2024-09-11
oc import "$b" >"$T/imp.out" 2>&1
check "enroll and import" oc enroll --fingerprint "$(fingerprint "$W")" "$b"
check "case show" oc case show "$K" --lang en
has "the clue was closed by the visit" "$T/.out" "clue  department warning 医保局  closed by a visit"
has "identification started" "$T/.out" "State: in identification"
has "next: the village assessment" "$T/.out" "next step: village assessment"
has "the visit's measures" "$T/.out" "employment     in progress"

# The office's steps, each on its own day.
at 2024-09-12
check "village assessment" oc case step "$K" --step assess --outcome pass \
    --date 2024-09-12 --by 王村主任
has "assessment recorded (Chinese)" "$T/.out" "已为户 $K 登记"
at 2024-09-13
s=$(dbsum)
check_fail "notice refused: minimum not set (zh)" 1 oc case step "$K" \
    --step notice --outcome pass --date 2024-09-13 --end 2024-09-19 --by 王
has "names the key to set (zh)" "$T/.out" "identification.notice_min_days"
has "says nothing changed (zh)" "$T/.out" "未作任何改动"
check_fail "notice refused: minimum not set (en)" 1 oc case step "$K" \
    --step notice --outcome pass --date 2024-09-13 --end 2024-09-19 --by 王 \
    --lang en
has "names the key to set (en)" "$T/.out" "set identification.notice_min_days in settings.json"
[ "$s" = "$(dbsum)" ] && ok "office.db unchanged by the refusals" || not_ok "office.db unchanged by the refusals"
# The county sets the minimum it uses (7 days) in the settings.
sed -i 's/"notice_min_days": null/"notice_min_days": 7/' "$O/settings.json"
check "public notice, 7 days" oc case step "$K" --step notice --outcome pass \
    --date 2024-09-13 --end 2024-09-19 --objections 0 --by 王
at 2024-09-20
check "township review" oc case step "$K" --step review --outcome pass \
    --date 2024-09-20 --by 乡镇审核人
at 2024-09-25
check "county approval" oc case step "$K" --step approve --outcome pass \
    --date 2024-09-25 --category marginal --by 县审定人
has "monitored now (Chinese)" "$T/.out" "状态： 监测中"
at 2024-09-26
check "a measure from the office" oc case measure "$K" --type industry \
    --start 2024-09-26 --dept 农业农村局 --amount 3000 --unit yuan
check "case list: monitored" oc case list --state monitored --lang en
has "listed with its category" "$T/.out" "^$K  341802101201  monitored  marginal at risk"

# Half a year later: the elimination visit, and its steps.
at 2025-03-10
check "elimination visit finalized" "$DOORSTEP" --workspace "$W" fill \
    household --answers "$DS_TOP/tests/office/case/visit2.json" --finalize
mkdir -p "$T/usb2"
check "sync export again" "$DOORSTEP" --workspace "$W" sync export --out "$T/usb2"
b2=$(find "$T/usb2" -name "*.dsb" | head -n 1)
at 2025-03-11
check "import the elimination visit" oc import "$b2"
check "case show after the visit" oc case show "$K" --lang en
has "elimination started" "$T/.out" "State: in elimination"
at 2025-03-12
check "elimination: assessment" oc case step "$K" --step assess \
    --outcome pass --date 2025-03-12 --by 王村主任
at 2025-03-13
check "elimination: notice" oc case step "$K" --step notice --outcome pass \
    --date 2025-03-13 --end 2025-03-19 --by 王
at 2025-03-20
check "elimination: review" oc case step "$K" --step review --outcome pass \
    --date 2025-03-20 --by 乡镇审核人
at 2025-03-25
s=$(dbsum)
check_fail "approval without a kind refused (en)" 1 oc case step "$K" \
    --step approve --outcome pass --date 2025-03-25 --by 县 --lang en
has "asks for the kind" "$T/.out" "needs the kind: --kind assisted or natural"
[ "$s" = "$(dbsum)" ] && ok "unchanged after the kind refusal" || not_ok "unchanged after the kind refusal"
check "elimination: approval" oc case step "$K" --step approve \
    --outcome pass --date 2025-03-25 --kind assisted --by 县审定人
has "eliminated (Chinese)" "$T/.out" "状态： 风险已消除"

# The monthly reports of the months involved, at their default cutoffs.
at 2025-04-11
col() {	# file header: the total row's value under the header
	awk -F, -v want="$2" 'NR == 1 { sub(/^\xef\xbb\xbf/, "");
	    for (i = 1; i <= NF; i++) if ($i == want) c = i }
	    $2 == "Total" { print $c }' "$1"
}
want() {	# name file header value
	local got
	got=$(col "$2" "$3")
	[ "$got" = "$4" ] && ok "$1" || not_ok "$1" "$3 = '$got', want '$4'"
}
for m in 2024-08 2024-09 2024-10 2025-03 2025-04; do
	oc report monthly --month $m --lang en --out "$T/m-$m.csv" >"$T/.out" 2>&1 ||
	    not_ok "report $m" "$(cat "$T/.out")"
done
want "August: nobody identified" "$T/m-2024-08.csv" "Identified (approved): Households" 0
want "September: one identified" "$T/m-2024-09.csv" "Identified (approved): Households" 1
want "September: six persons" "$T/m-2024-09.csv" "Identified (approved): Persons" 6
want "September: marginal" "$T/m-2024-09.csv" "Identified (approved): Marginal at risk" 1
want "September: found by the department warning" "$T/m-2024-09.csv" "Identified (approved): Found by department warning" 1
want "September: nobody monitored at the start" "$T/m-2024-09.csv" "Monitored at the start: Households" 0
want "September: monitored at the end" "$T/m-2024-09.csv" "Monitored at the end: Households" 1
want "September: the unmatched clue is open" "$T/m-2024-09.csv" "Clues open at the cutoff: Open clues" 1
want "September: one finalized visit" "$T/m-2024-09.csv" "Finalized visits: Visits" 1
want "September: industry measure" "$T/m-2024-09.csv" "Households with an active measure (monitored at the end): Industry" 1
want "September: no lights without bands" "$T/m-2024-09.csv" "Signal lights (monitored at the end): Red" ""
want "October: monitored at the start" "$T/m-2024-10.csv" "Monitored at the start: Households" 1
want "October: nothing new" "$T/m-2024-10.csv" "Identified (approved): Households" 0
want "March: eliminated" "$T/m-2025-03.csv" "Risk eliminated (approved): Households" 1
want "March: through assistance" "$T/m-2025-03.csv" "Risk eliminated (approved): Through assistance" 1
want "March: naturally none" "$T/m-2025-03.csv" "Risk eliminated (approved): Naturally" 0
want "March: nobody monitored at the end" "$T/m-2025-03.csv" "Monitored at the end: Households" 0
want "March: the elimination visit" "$T/m-2025-03.csv" "Finalized visits: Risk-elimination verification" 1
want "April: nobody monitored" "$T/m-2025-04.csv" "Monitored at the start: Households" 0
check "the period September 2024 to March 2025" oc report period \
    --from 2024-09 --to 2025-03 --lang en --out "$T/p.csv"
want "period: one identified" "$T/p.csv" "Identified (approved): Households" 1
want "period: one eliminated" "$T/p.csv" "Risk eliminated (approved): Households" 1
check "monthly report as XLSX, Chinese" oc report monthly --month 2024-09 \
    --out "$T/m.xlsx"
[ "$(head -c 2 "$T/m.xlsx")" = PK ] && ok "xlsx written" || not_ok "xlsx written"

# Refusals, each in both languages, office.db unchanged each time.
refuse() {	# name zh-text en-text cmd...
	local name=$1 zh=$2 en=$3 s
	shift 3
	s=$(dbsum)
	oc "$@" >"$T/r.zh" 2>&1
	[ $? -eq 1 ] && ok "$name: exit 1 (zh)" || not_ok "$name: exit 1 (zh)" "$(cat "$T/r.zh")"
	oc "$@" --lang en >"$T/r.en" 2>&1
	[ $? -eq 1 ] && ok "$name: exit 1 (en)" || not_ok "$name: exit 1 (en)" "$(cat "$T/r.en")"
	has "$name: says why (zh)" "$T/r.zh" "$zh"
	has "$name: says why (en)" "$T/r.en" "$en"
	has "$name: nothing changed (zh)" "$T/r.zh" "未作任何改动"
	has "$name: nothing changed (en)" "$T/r.en" "Nothing was changed."
	[ "$s" = "$(dbsum)" ] && ok "$name: office.db byte-identical" ||
	    not_ok "$name: office.db byte-identical"
}
K2=3418021012010008
at 2025-04-12
refuse "a step before any visit" "没有正在进行的识别或风险消除" \
    "has no identification or risk elimination under way" \
    case step $K2 --step assess --outcome pass --date 2025-04-12 --by 王
refuse "unknown household key" "本乡镇没有户 999999999999" \
    "Household 999999999999 is not known at this office" \
    case step 999999999999 --step assess --outcome pass --date 2025-04-12 --by 王
refuse "self-report for an unknown household" "本乡镇没有户 999999999999" \
    "household 999999999999 is not known at this office" \
    clue add 999999999999 --date 2025-04-12
refuse "double import of a clue file" "此前已经导入过" \
    "was imported before" clue import "$T/yibao.csv" --source 医保局
# A second household in identification, to refuse steps out of order.
sed -e "s/3418021012010007/$K2/" -e 's/341802197903150315/341802198812124570/' \
    -e 's/"1979-03-15"/"1988-12-12"/' -e 's/"2024-09-10"/"2025-04-01"/' \
    -e 's/"202409"/"202504"/' -e 's/"line_pick": "34-2024"/"line_manual": "9100"/' \
    "$DS_TOP/tests/office/case/visit1.json" >"$T/k2.json"
at 2025-04-01
check "a visit proposes the second household" "$DOORSTEP" --workspace "$W" \
    fill household --answers "$T/k2.json" --finalize
mkdir -p "$T/usb3"
check "sync export a third time" "$DOORSTEP" --workspace "$W" sync export --out "$T/usb3"
at 2025-04-02
check "import it" oc import "$(find "$T/usb3" -name "*.dsb" | head -n 1)"
at 2025-04-12
refuse "notice before the assessment" "下一环节是“民主评议”，不是“公示”" \
    "is the village assessment, not the public notice" \
    case step $K2 --step notice --outcome pass --date 2025-04-03 \
    --end 2025-04-09 --by 王
check "assessment of the second household" oc case step $K2 --step assess \
    --outcome pass --date 2025-04-03 --by 王
refuse "approval without review" "下一环节是“公示”，不是“县级认定”" \
    "is the public notice, not the county approval" \
    case step $K2 --step approve --outcome pass --date 2025-04-12 \
    --category marginal --by 县
refuse "notice shorter than the setting" "公示只有 5 天；本乡镇的设置要求至少 7 天" \
    "The public notice lasts 5 days; this office's settings require at least 7" \
    case step $K2 --step notice --outcome pass --date 2025-04-04 \
    --end 2025-04-08 --by 王
check "a 7-day notice" oc case step $K2 --step notice --outcome pass \
    --date 2025-04-04 --end 2025-04-10 --by 王
refuse "review before the notice ended" "乡镇审核须在公示结束之后（公示至 2025-04-10 结束）" \
    "must come after the public notice has ended (it ends on 2025-04-10)" \
    case step $K2 --step review --outcome pass --date 2025-04-10 --by 乡镇
refuse "a step dated before the one before it" "日期不能早于上一环节（2025-04-04）" \
    "cannot be dated before the step before it (2025-04-04)" \
    case step $K2 --step review --outcome pass --date 2025-04-03 --by 乡镇
refuse "a return without a reason" "“退回村级”须写明原因（--note）" \
    "needs a note saying why (--note)" \
    case step $K2 --step return --date 2025-04-11 --by 乡镇
check "the township returns the case" oc case step $K2 --step return \
    --date 2025-04-11 --by 乡镇 --note 评议记录不全
check "the returned case" oc case show $K2 --lang en
has "starts again at the assessment" "$T/.out" "next step: village assessment"

# No name or ID number of the register or the list is in office.db,
# its WAL or anything else in the office directory.
leak=0
for s in 张建国 登记户主乙 登记户主丙 预警人员丁 341802197903150315 \
    341802198812124562 341802196005053332 大病住院自付费用高; do
	if grep -rqa "$s" "$O"; then leak=1; not_ok "no plaintext: $s" "found in $O"; fi
done
[ $leak -eq 0 ] && ok "no names or ID numbers in the office directory"
# The positive control: the scan sees what is in clear (household keys).
grep -rqa "$K" "$O" && ok "the scan finds clear text" || not_ok "the scan finds clear text"

# The other commands of the case, from the command line.
at 2025-04-25
cat >"$T/steps.csv" <<CSV
村级评议结果（示例）
hh_key,step,outcome,date,公示结束日期,category,note
$K2,assess,pass,2025-04-12,,,
$K2,notice,pass,2025-04-13,2025-04-19,,
$K2,review,pass,2025-04-21,,,
$K2,approve,pass,2025-04-24,,marginal,县审定会议
CSV
check "steps from a village's list" oc case step --from "$T/steps.csv" \
    --by 村文书 --lang en
has "four steps recorded" "$T/.out" "4 rows, 4 recorded, 0 recorded before"
check "the same list again adds nothing" oc case step --from "$T/steps.csv" \
    --by 村文书 --lang en
has "all known" "$T/.out" "4 rows, 0 recorded, 4 recorded before"
check "the second household is monitored" oc case show $K2 --lang en
has "monitored after the list" "$T/.out" "State: monitored"
check "a self-report" oc clue add 3418021012020001 --date 2025-04-16 \
    --reason 申请纳入监测 --lang en
has "recorded and open" "$T/.out" "stays open until a visit verifies"
check "overdue: the open self-report is not, no limit is set" oc case list \
    --open-clues --lang en
has "listed with its open clue" "$T/.out" "^3418021012020001 .*open clues 1"
check "a screening round" oc case round add 2025-spring --from 2025-03-01 \
    --due 2025-04-30 --lang en
check "coverage of the round" oc report coverage --round 2025-spring \
    --lang en --out "$T/cov.csv"
has "coverage per group" "$T/cov.csv" "Households in the register"
check "timeliness" oc report timeliness --from 2024-09 --to 2025-04 \
    --lang en --out "$T/t.csv"
has "the worker's row" "$T/t.csv" "李网格"
check "the quality ledger" oc report quality --lang en --out "$T/q.csv"
pid=$(awk -F, 'NR > 1 && $6 != "" { print $1; exit }' "$T/q.csv")
if [ -n "$pid" ]; then
	check "close a problem" oc problem close "$pid" --note 已核实 --by 王
	refuse "close it twice" "已经销号" "is closed already" \
	    problem close "$pid" --note again
fi
printf 'hh_key,income\n%s,3000\n' "$K" >"$T/inc.csv"
refuse "income checks without bands" "没有设置预警信号分档" \
    "signal bands are not set for 2025" income import "$T/inc.csv" \
    --month 2025-04

# Income checks where a county runs them: Xinjiang's 2020 bands.
X=$T/xj
at 2020-01-05
check "an office with Xinjiang's settings" "$DOORSTEP_OFFICE" --dir "$X" init \
    --settings xinjiang
printf 'hh_key,village\nXJ001,653101101001\nXJ002,653101101001\n' >"$T/xreg.csv"
check "its register" "$DOORSTEP_OFFICE" --dir "$X" register import "$T/xreg.csv"
for m in 01 02 03; do
	at 2020-$m-28
	printf 'hh_key,income\nXJ001,39%s\nXJ002,52%s\n' $m $m >"$T/inc$m.csv"
	check "income checks 2020-$m" "$DOORSTEP_OFFICE" --dir "$X" income \
	    import "$T/inc$m.csv" --month 2020-$m --lang en
done
has "three months below: one household to visit" "$T/.out" "1 households below the band"
check "its clue is open" "$DOORSTEP_OFFICE" --dir "$X" clue list --open --lang en
has "the income check's clue" "$T/.out" "XJ001 .*income_check"
if grep -q XJ002 "$T/.out"; then not_ok "not the green household"
else ok "not the green household"; fi
s=$(cat "$X/office.db" "$X/office.db-wal" 2>/dev/null | sha256sum)
"$DOORSTEP_OFFICE" --dir "$X" income import "$T/inc03.csv" --month 2020-03 \
    >"$T/r" 2>&1
[ $? -eq 1 ] && ok "a file twice is refused" || not_ok "a file twice is refused"
[ "$s" = "$(cat "$X/office.db" "$X/office.db-wal" 2>/dev/null | sha256sum)" ] &&
    ok "and changes nothing" || not_ok "and changes nothing"
check "relight" "$DOORSTEP_OFFICE" --dir "$X" case relight --lang en
has "relight counts" "$T/.out" "Lights recomputed for 0 visits"
