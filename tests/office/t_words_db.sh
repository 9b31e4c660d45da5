#!/usr/bin/env bash
# A failure of the office database is said in the user's one language: the
# sentence says what could not be done and that nothing changed, and the
# database's own English words stand on a line of their own under it in
# English only -- never in brackets inside a Chinese sentence.  Real
# failures: a trigger in office.db refuses the rows (register, clue list,
# clue, measure); a missing or unreadable list file; a device
# note that is not one.
. "$(dirname "$0")/../lib.sh"
O=$T/office
K=3418021012010007
export TZ=UTC DOORSTEP_FAKE_NOW=1725537600	# 2024-09-05 12:00
oc() { "$DOORSTEP_OFFICE" --dir "$O" "$@"; }
boom() {	# TABLE: every insert into it fails with the database's words
	sqlite3 "$O/office.db" "CREATE TRIGGER boom BEFORE INSERT ON $1
	    BEGIN SELECT RAISE(ABORT, 'boom: refused by a test trigger'); END;"
}
unboom() { sqlite3 "$O/office.db" "DROP TRIGGER boom;"; }

# said NAME WANT(zh) WANT(en) CMD...: exit 1 in both languages; in Chinese
# the sentence and no English detail, in English the sentence and the
# detail on a line of its own.
said() {
	local name=$1 zh=$2 en=$3
	shift 3
	check_fail "${name}_zh_fails" 1 "$@" --lang zh
	has "${name}_zh_says" "$T/.out" "$zh"
	hasnt "${name}_zh_no_english" "$T/.out" "boom\|No such\|(.*[a-z][a-z]"
	check_fail "${name}_en_fails" 1 "$@" --lang en
	has "${name}_en_says" "$T/.out" "$en"
	no_zh "${name}_en_one_language" "$T/.out"
}
detail() {	# NAME PATTERN: the English run put the detail on its own line
	has "$1_en_detail_own_line" "$T/.out" "^  (.*$2.*)\$"
}

check "office with Anhui's settings" oc init --settings anhui
cat >"$T/register.csv" <<'CSV'
户编号,村代码,村民小组代码,户主姓名,户主身份证号,家庭人口数
3418021012010007,341802101201,34180210120101,张建国,341802197903150315,6
CSV
cat >"$T/yibao.csv" <<'CSV'
身份证号,姓名,预警原因,金额,预警日期
341802197903150315,张建国,大病住院自付费用高,35000,2024-09-01
CSV

boom hh
said register "监测台账无法导入。未作任何改动。" \
    "The register could not be imported. Nothing was changed." \
    oc register import "$T/register.csv"
detail register "boom: refused by a test trigger"
unboom
check "register import" oc register import "$T/register.csv"

boom clue
said clue_list "名单无法导入。未作任何改动。" \
    "The list could not be imported. Nothing was changed." \
    oc clue import "$T/yibao.csv" --source 医保局
detail clue_list "boom: refused by a test trigger"
said clue "线索无法登记。未作任何改动。" \
    "The clue could not be recorded. Nothing was changed." \
    oc clue add "$K" --channel self_report --date 2024-09-05
detail clue "boom: refused by a test trigger"
unboom

boom measure
said measure "帮扶措施无法登记。未作任何改动。" \
    "The measure could not be recorded. Nothing was changed." \
    oc case measure "$K" --type industry --start 2024-09-05
detail measure "boom: refused by a test trigger"
unboom

said missing "没有文件：请检查路径。" \
    "There is no file at $T/none.csv: check the path. Nothing was changed." \
    oc register import "$T/none.csv"
detail missing "No such file"

mkdir -p "$T/stick"
printf 'not a note\n' >"$T/stick/x.dsn"
said note "不是本办公室电脑的设备回执：已忽略，没有任何更改。" \
    "x.dsn is not a note of a laptop of this office: ignored, nothing changed." \
    oc import "$T/stick"
