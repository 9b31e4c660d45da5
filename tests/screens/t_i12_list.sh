#!/usr/bin/env bash
# issue 12, the household list: a refusal shows as a status with its
# record code; an empty draft can be discarded after a question (its audit
# trail kept), a draft with answers cannot; the active filter shows; the
# search finds any member by name or by the last digits of an ID number
# (blind indexes); the village whole, a household-number column; and the
# interview's "Saved" is the record's last save, not the opening time.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/i12.sh"
export TZ=UTC

W=$T/ws
make_ws "$W" "$DS_TOP/forms/household.md" ||
    { not_ok make_ws "workspace set-up failed"; exit 0; }
FIX=$DS_TOP/tests/forms/household
fill() {	# FAKE-NOW ANSWERS [--finalize]
	DOORSTEP_FAKE_NOW=$1 "$DOORSTEP" --workspace "$W" fill household \
	    --answers "$2" ${3:-} --passphrase-file "$T/pass" >/dev/null 2>&1
}
# 2024-09-15 04:00:00 and 05:00:00 UTC
fill 1726372800 "$FIX/refusal.json" --finalize || not_ok fill_refusal "failed"
fill 1726376400 "$FIX/valid.json" || not_ok fill_valid "failed"
echo '{}' >"$T/empty.json"
fill 1726380000 "$T/empty.json" || not_ok fill_empty "failed"
empty=$(records "$W" | grep 'draft .* - *- *$' | cut -d' ' -f1)

app_zh "$W"
q "农户：3"
tm_check refusal_as_status "拒绝，已完成"
tm_check refusal_shows_record_code "拒绝授权      240915-"
tm_check household_number_column "3418021012010007"
tm_check village_whole "东湖村（示例）"
tm_check empty_draft_shown "（空白）"
# The filter: S shows only drafts, and says so.
tm_keys s
tm_check filter_shown "只显示：草稿（S 显示全部）"
tm_check filter_counts "农户：2"
tm_keys s s s s
tm_check filter_back_to_all "显示：全部"
# Search: a member who is not the head, then the last digits of an ID.
tm_keys /
tm_type "张丽"
tm_keys Enter
tm_check search_member_name "农户：1"
tm_check search_member_finds_household "张建国"
tm_keys Escape
q "农户：3" /
tm_type "0422"
tm_keys Enter
tm_check search_id_tail_four "农户：1"
tm_keys Escape
q "农户：3" /
tm_type "080422"
tm_keys Enter
tm_check search_id_tail_six "农户：1"
tm_keys Escape
q "农户：3" /
tm_type "9999"
tm_keys Enter
tm_check search_id_tail_no_match "农户：0"
tm_keys Escape
# Discard: a draft with answers cannot go; the empty one can, after Y.
q "农户：3"
tm_keys Home Down
tm_keys d
tm_check discard_refused_with_answers "只有空白草稿可以放弃"
tm_keys Home d
tm_check discard_asks "放弃这份空白草稿吗？"
tm_keys n
tm_check discard_no_keeps "农户：3"
tm_keys d y
tm_check discarded "已放弃。"
tm_check discarded_gone "农户：2"
# "Saved" in the interview is the draft's last save (05:00:00).
tm_keys Home
q "张建国" Enter
tm_check saved_is_last_save "已保存 05:00:00"
tm_keys F10
q "农户：2" F10
tm_check_exit quits
# The store keeps the discarded draft's history.
"$DOORSTEP" --workspace "$W" history "$empty" --passphrase-file "$T/pass" \
    >"$T/hist" 2>&1
has discard_audit_kept "$T/hist" "^event .* discarded  rev 1"
has discard_revision_kept "$T/hist" "^rev 1 "
if records "$W" | grep -q "$empty"; then
	not_ok discarded_not_listed "$(records "$W")"
else ok discarded_not_listed; fi
