#!/usr/bin/env bash
# A complete interview of the small form in a real terminal: consent,
# CJK typed and shown with the right widths, a rejected non-number, a
# constraint message then the fix, a warning accepted with a reason, a
# quick select with a skip, a roster of one, review and finalize; then the
# saved record is checked through the CLI.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"

W=$T/ws
make_ws "$W" || { not_ok make_ws "workspace set-up failed"; exit 0; }
app "$W"
tm_check list_empty "No households yet. Press N to start one."
tm_keys n
tm_check consent_letter_shown "END OF LETTER."
tm_check record_code_shown "Record code (write it on the paper letter):"
# Picking a choice moves on by itself (CSPro; the setting is on).
tm_keys 1
tm_check signer_question "Who gave consent?"
tm_type "王芳"
tm_check cjk_shown "  王芳"
# Two CJK characters are four columns: the cursor sits at column 2+4.
x=$(tm_cursor_x)
[ "$x" = 6 ] && ok cjk_cursor_after_four_columns || not_ok cjk_cursor_after_four_columns "cursor_x=$x"
tm_keys Left BSpace
tm_check cjk_delete_whole_char "  芳"
x=$(tm_cursor_x)
[ "$x" = 2 ] && ok cjk_cursor_moves_by_character || not_ok cjk_cursor_moves_by_character "cursor_x=$x"
tm_keys Home
tm_type "王"
tm_keys End Enter
tm_check relation_question "Their relationship to the head"
tm_type "女儿"
tm_keys Enter
tm_check proxy_question "Was the letter written by a proxy"
tm_keys 2
tm_check head_question "Name of the household head"
tm_type "Zhang San"
tm_keys Enter
tm_check size_question "How many people live in the household?"
tm_type "x2y5"
tm_check integer_rejects_letters "  25"
tm_keys Enter
tm_check constraint_message "Household size must be 1 to 20."
tm_check constraint_stays "How many people live in the household?"
tm_keys BSpace BSpace
tm_type 9
tm_keys Enter
tm_check warning_message "More than 8 people is unusual: please check."
tm_check warning_asks_reason "Type why this answer is right"
tm_type "three generations live together"
tm_keys Enter
tm_check land_question "Does the household farm land?"
tm_keys 2
tm_check quick_skips_to_roster "Household members: 0"
tm_keys a
tm_check member_name "Member name"
tm_type "李四"
tm_keys Enter
tm_check member_age "Age"
tm_type 130
tm_keys Enter
tm_check age_constraint "Age must be 0 to 120."
tm_keys BSpace BSpace BSpace
tm_type 30
tm_keys Enter
tm_check asks_another "Add another: Household members?"
tm_keys n
tm_check visit_date "Date of the visit"
tm_type 20240301
tm_check date_dashes "2024-03-01"
tm_keys + +
tm_check date_plus_steps "2024-03-03"
tm_keys -
tm_check date_minus_steps "2024-03-02"
tm_keys Enter
# A field-list group: both questions on one screen, Enter goes field to
# field, the constraint message shows under its field.
tm_check fieldlist_first ">   Contact phone"
tm_check fieldlist_second_shown "    Does this phone have WeChat?"
tm_type 12345
tm_keys Enter
tm_check fieldlist_constraint "A mobile number has 11 digits and starts with 13-19."
tm_keys C-u
# Full (the constraint fixes 11 characters): it moves on by itself, and the
# Enter a worker presses out of habit right after does not answer the next
# question (a single choice takes its highlighted option on Enter).
tm_type 13800138000
tm_keys Enter
tm_check fieldlist_focus_moves ">   Does this phone have WeChat?"
sleep 1
if tm_screen | grep -q "No errors and no open warnings"; then
	not_ok "the habitual Enter answers nothing" "$(tm_screen)"
else ok "the habitual Enter answers nothing"; fi
tm_keys 1
tm_check review_clean "No errors and no open warnings. Press F to finalize."
tm_keys f
tm_check finalize_asks "Finalize this household?"
tm_keys y
tm_check finalized_message "Finalized and saved."
tm_check list_shows_head "Zhang San"
tm_check list_shows_status "finalized"
# Sync: the finalized record waits; export it to a folder (a USB stick).
tm_keys F9
tm_check sync_waiting "Records the office has not confirmed yet: 1"
tm_keys e
tm_check sync_asks_folder "Folder to write the file into"
tm_type "$T/usb"
tm_keys Enter
tm_check sync_exported "Wrote 1 records to"
n=$(find "$T/usb" -name '*.dsb' | wc -l)
[ "$n" = 1 ] && ok sync_bundle_written || not_ok sync_bundle_written "found $n bundles"
# Sending to an office that does not answer: a clear message, nothing lost.
tm_keys p
tm_check sync_asks_address "Address of the township office"
tm_type "http://127.0.0.1:9"
tm_keys Enter
tm_check sync_push_fails_clearly "Sending failed:"
tm_check sync_push_what_next "export to a USB stick."
tm_check sync_still_waiting "Records the office has not confirmed yet: 1"
tm_keys Escape
tm_check list_after_sync "Households: 1"
tm_check list_shows_sent " sent "
tm_keys F10
tm_check_exit quits

saved "$W" "$T/rec.json"
has saved_head "$T/rec.json" '"head":"Zhang San"'
has saved_cjk "$T/rec.json" '"signer":"王芳"'
has saved_size_fixed "$T/rec.json" '"hhsize":"9"'
has saved_reason "$T/rec.json" '"reasons":{"hhsize":"three generations live together"}'
has saved_member "$T/rec.json" '"member":\[{"age":"30","mname":"李四"}\]'
has saved_date "$T/rec.json" '"visit_date":"2024-03-02"'
has saved_fieldlist "$T/rec.json" '"phone":"13800138000","proxy_written":"no"'
has saved_fieldlist_select "$T/rec.json" '"wechat":"yes"'
has saved_consent_evidence "$T/rec.json" '"method":"signed"'
has saved_consent_letter_hash "$T/rec.json" '"letter_blake2b":"[0-9a-f]\{64\}"'
if grep -q '"land_mu"' "$T/rec.json"; then not_ok skipped_not_saved "land_mu present"
else ok skipped_not_saved; fi
has saved_finalized "$T/rec.json" '"state":"finalized"'
