#!/usr/bin/env bash
# issue 12, text on screen: every label, note and outline line fills its
# ${} references; one language at a time, F8 switching the whole app (the
# list and the review too) with no message in both languages; the list
# shows the form's title; the consent message uses the form's own words.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/i12.sh"

# ---- the shipped form, Chinese: the outline and the consent words.
H=$T/hh
make_ws "$H" "$DS_TOP/forms/household.md" ||
    { not_ok make_ws "workspace set-up failed"; exit 0; }
app_zh "$H"
q "农户：0" n
q "访问类型" F5
q "已答" End
tm_keys Enter
tm_check consent_message_form_words "请先回答：户主（或申请人）是否同意并签署承诺授权书？"
if tm_screen | grep -q "知情同意书"; then
	not_ok consent_message_not_other_words "$(tm_screen)"
else ok consent_message_not_other_words; fi
# Every page of the outline: no raw ${ anywhere.
raw=0
tm_keys Home
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	tm_screen >"$T/page"
	grep -q '\${' "$T/page" && raw=1 && cp "$T/page" "$T/raw"
	tm_keys PageDown
done
if [ $raw = 0 ]; then ok outline_fills_references
else not_ok outline_fills_references "$(cat "$T/raw")"; fi
tm_keys Escape F10
q "农户：0" F10
tm_check_exit quits_hh

# ---- the test form at 100 columns: the form's title in the list, F8 on
# the list and on the review, one language only.
W=$T/ws
i12_ws "$W" || { not_ok make_ws "workspace set-up failed"; exit 0; }
tm_start 100 30 LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=en \
    DOORSTEP_LOCALEDIR="$DS_TOP/build/locale" -- \
    "$DOORSTEP" --workspace "$W" --passphrase-file "$T/pass"
i12_to_roster
q "No one yet" a
t "* Name" "李小红"
q "* ID document" 2
q "* Sex" 2
t "* Birth date" 20150307
q "* School grade" 1
q "Add another" n
q "Child living away" Enter
t "Name of the child" "甲"
t "Name of the child" "乙"
q "Wages (yuan)" Enter Enter
tm_check note_fills_references "Head 李小红, 1 persons."
tm_keys F10
tm_check list_shows_form_title "Form twelve"
tm_keys F8
tm_check f8_switches_the_list "农户：1"
tm_check list_form_title_chinese "表十二"
if tm_screen | grep -q "Households\|Form twelve\|draft"; then
	not_ok list_chinese_only "$(tm_screen)"
else ok list_chinese_only; fi
tm_keys Enter
q "户主 李小红" F7
tm_check review_in_chinese "没有错误，也没有待说明的提醒。"
tm_keys F8
tm_check f8_switches_the_review "No errors and no open warnings."
tm_keys F8
# A required question emptied: the message in the one language only.
q "没有错误" Escape
q "户主 李小红" F5
q "已答" Home
tm_keys Down Down Enter
q "> * 采集人姓名" C-u Enter
tm_check required_in_chinese "此题必须回答。"
if tm_screen | grep -q "must be answered\| / "; then
	not_ok no_english_in_chinese "$(tm_screen)"
else ok no_english_in_chinese; fi
tm_keys F8
tm_check required_in_english "This question must be answered."
if tm_screen | grep -q "此题"; then
	not_ok no_chinese_message_in_english "$(tm_screen)"
else ok no_chinese_message_in_english; fi
tm_keys Escape F10
q "Households:" F10
tm_check_exit quits
