#!/usr/bin/env bash
# Issue 11, correction (更正) and 再访 from the household list.  A
# finalized record stays as it is: C asks why, then starts a correction
# visit filled from every answer of it; a draft is not corrected (it is
# opened).  R visits a household seen before again, without a list entry,
# from the answers the form carries and its consent on file.  R in Chinese.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/i12.sh"
. "$(dirname "$0")/lists.sh"

W=$T/ws
lists_ws "$W" || { not_ok lists_ws "set-up failed"; exit 0; }
rec1=$(echo "$REC1" | tr -d -)

app "$W"
q "Households: 1"
tm_check footer_offers_correction "C Correct  R Visit again"
tm_keys c
tm_check asks_why "Why is this household corrected? Type the reason:"
tm_keys Enter
tm_check empty_reason_not_taken "Enter Start the correction  Esc Cancel"
tm_keys Escape
tm_check_gone esc_cancels "Why is this household corrected?"
tm_keys c
q "Why is this household corrected?"
tm_type "电话号码记错了"
tm_keys Enter
tm_check correction_opens "> * Visit type"
tm_check correction_consent_on_file "Consent on file (letter "
tm_check correction_filled_from_record "From the last visit: Enter keeps it"
tm_keys F10
q "Households: 2"
# Cursor on the new draft (newest first): a draft is not corrected.
tm_keys c
tm_check draft_not_corrected "A draft is changed by opening it"
tm_keys End r
tm_check revisit_opens "> * Visit type"
tm_keys F10
q "Households: 3" F10
tm_check_exit quits

records "$W" >"$T/recs"
show "$W" "$(grep draft "$T/recs" | sed -n 2p | cut -d' ' -f1)" >"$T/fix" 2>&1
show "$W" "$(grep draft "$T/recs" | sed -n 1p | cut -d' ' -f1)" >"$T/again" 2>&1
has correction_names_record "$T/fix" "\"corrects\":\"$rec1\""
has correction_says_why "$T/fix" '"correction_note":"电话号码记错了"'
has correction_reason "$T/fix" '"reason":"correction"'
has correction_has_every_answer "$T/fix" '"inc_wage_migrant":"18000"'
has revisit_names_record "$T/again" "\"revisit\":\"$rec1\""
has revisit_consent_ref "$T/again" '"consent_ref":"'
has revisit_members "$T/again" '"m_name":"张建国"'
if grep -q '"inc_wage_migrant":"18000"' "$T/again"; then
	not_ok revisit_carries_only_marked "the income came too"
else ok revisit_carries_only_marked; fi
has original_untouched "$T/recs" "^$REC1  sent  .* rev 1 "

# 再访 in Chinese: the marks and the consent on file in its words.
app_zh "$W"
q "农户：3" End r
tm_check zh_consent_on_file "已有授权（授权书"
q "> * 访问类型" Enter
q "> * 访问方式" Enter
q "> * 发现渠道" 2
q "> * 信息采集人" Enter
t "第二名工作人员姓名" "王五"
q "> * 访问日期" F4
tm_check zh_carried_marked "上次走访的答案：按 Enter 保留，或修改。"
tm_keys F10
q "农户：4" F10
tm_check_exit zh_quits
