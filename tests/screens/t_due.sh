#!/usr/bin/env bash
# Issue 11, the 待访 view: the office assigns three households; the
# worker's one action on the USB stick (the sync screen's E) takes the
# lists; Tab on the household list shows them by due date, overdue first
# and marked, with the reason, the clue's text and the consent on file;
# an entry the office withdraws is gone after the next sync.  In English,
# then the words in Chinese.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/lists.sh"

W=$T/ws
lists_ws "$W" || { not_ok lists_ws "set-up failed"; exit 0; }
lists_assign || { not_ok lists_assign "set-up failed"; exit 0; }

# The stick, from the TUI: the lists come with the export.
app "$W"
tm_check list_no_visits_yet "Tab  Visits due: 0"
tm_keys F9
tm_check sync_screen "E  Export to a folder"
tm_keys e
tm_wait "Folder to write"
tm_type "$STICK"
tm_keys Enter
tm_check export_takes_the_lists "3 visits to make"
tm_keys Escape
tm_check list_counts_the_visits "Tab  Visits due: 3"
tm_keys Tab
tm_check due_view "Visits due: 3"
tm_screen >"$T/due"
l2=$(grep -n "$HH2" "$T/due" | cut -d: -f1)
l3=$(grep -n "$HH3" "$T/due" | cut -d: -f1)
l1=$(grep -n "$HH1" "$T/due" | cut -d: -f1)
if [ -n "$l1" ] && [ -n "$l2" ] && [ -n "$l3" ] && [ "$l2" -lt "$l1" ] &&
    [ "$l3" -lt "$l1" ]; then ok due_sorted_by_due_date
else not_ok due_sorted_by_due_date "$(cat "$T/due")"; fi
has overdue_marked "$T/due" "$DUE_PAST overdue  follow-up"
has reason_shown "$T/due" "2024-09-22          clue to check  $HH1 张建国"
has head_shown "$T/due" "$HH2 陈玉兰"
tm_keys End
tm_check clue_text_shown "Clue: 住院自付费用高"
tm_check consent_on_file_shown "Consent on file (letter "
tm_keys Home
tm_check no_consent_on_file "No consent on file"
tm_keys Escape
tm_check tab_back_to_households "Show: all"
tm_keys F10
tm_check_exit quits

# The office withdraws HH3's entry: gone after the next sync.
e3=$(of lists --device "${DEV:0:8}" | grep "$HH3" | cut -c1-8)
of withdraw "$e3" >/dev/null 2>&1 && of import "$STICK" >/dev/null 2>&1
app "$W"
tm_wait "Households:"
tm_keys F9
tm_wait "E  Export to a folder"
tm_keys e
tm_wait "Folder to write"
tm_type "$STICK"
tm_keys Enter
tm_check withdrawal_taken "0 visits to make, 1 withdrawn"
tm_keys Escape Tab
tm_check due_after_withdrawal "Visits due: 2"
tm_check_gone withdrawn_entry_gone "$HH3"
tm_keys Escape F10
tm_check_exit quits_again

# The same view in Chinese.
app_zh "$W"
tm_wait "农户："
tm_check zh_tab "Tab  待访：2"
tm_keys Tab
tm_check zh_due_view "待访：2"
tm_check zh_overdue "逾期"
tm_check zh_footer "Enter 走访  Tab 农户"
tm_screen >"$T/zh"
if grep -q "overdue\|Visits due\|follow-up" "$T/zh"; then
	not_ok zh_no_english "$(cat "$T/zh")"
else ok zh_no_english; fi
