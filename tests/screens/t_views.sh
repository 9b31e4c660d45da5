#!/usr/bin/env bash
# Roster view (add, insert, delete with confirmation), the outline (jump
# view), review listing an open error as a jump target, the language
# switch, resizing in the middle of an interview, and the Chinese UI.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"

W=$T/ws
make_ws "$W" || { not_ok make_ws "workspace set-up failed"; exit 0; }
app "$W"
tm_check list "No households yet."
tm_keys n
tm_check letter "END OF LETTER."
tm_keys 1
tm_check signer "Who gave consent?"
tm_type "A"
tm_keys Enter
tm_type "B"
tm_keys Enter
tm_keys 1
tm_check head "Name of the household head"
tm_type "Wang"
tm_keys Enter
tm_type 3
tm_keys Enter
tm_check land "Does the household farm land?"
# Language switch: form labels and app strings, then back.
tm_keys F8
tm_check lang_form_labels "是否耕种土地？"
tm_check lang_choices "  ( )  1. 是"
tm_check lang_app_strings "F1 帮助"
tm_keys F8
tm_check lang_back "Does the household farm land?"
# Yes shows the land question that No skips.
tm_keys 1
tm_check relevant_shown "How many mu of land?"
tm_type 2.5
tm_keys Enter
tm_check roster_empty "Household members: 0"
tm_keys a
tm_type "Alpha"
tm_keys Enter
tm_type 40
tm_keys Enter
tm_check after_item_asks "Add another: Household members?"
tm_keys n
tm_check after_item "Date of the visit"
tm_keys F3
tm_check back_into_item "Age"
tm_keys F6
tm_check roster_one "Household members: 1"
tm_check roster_columns "Member name"
tm_check roster_row "Alpha"
tm_keys i
tm_check insert_opens_item "Member name"
tm_type "Beta"
tm_keys Enter
tm_type 7
tm_keys F6
tm_check roster_two "Household members: 2"
if tm_screen | grep -n "Beta\|Alpha" | head -2 | tr '\n' ' ' | grep -q "Beta.*Alpha"; then
	ok insert_puts_before
else not_ok insert_puts_before "$(tm_screen)"; fi
tm_keys Down d
tm_check delete_asks "Delete Alpha (no. 2) and all the answers about them?"
tm_keys n
tm_check delete_no_keeps "Alpha"
tm_keys d y
tm_check delete_yes "Deleted."
tm_check_gone delete_removes_row "Alpha"
# Outline: marks and a jump.
tm_keys F5
tm_check outline_legend "answered"
tm_check outline_land "How many mu of land?"
tm_keys Home Down Down
tm_keys Enter
tm_check outline_jumps "Who gave consent?"
# Review: the required visit date is open, an error; Enter jumps to it.
tm_keys F7
tm_check review_counts "1 errors, 0 warnings to explain."
tm_check review_lists "! Date of the visit:"
tm_keys f
tm_check finalize_refused "1 errors and 0 warnings without a reason remain"
tm_keys Enter
tm_check review_jumps "Date of the visit"
tm_check_gone review_left "errors, 0 warnings"
# Resize in the middle of the form.
tm_resize 60 20
tm_check resize_small "Terminal too small (need 80x24)"
tm_resize 100 30
tm_check resize_redraws "Date of the visit"
if tm_screen | sed -n '30p' | grep -q "F10"; then ok resize_footer_moves
else not_ok resize_footer_moves "$(tm_screen | sed -n '30p')"; fi
tm_keys F10
tm_check list_back "Households: 1"
tm_keys F10
tm_check_exit quits

# The Chinese UI from the locale.
if locale -a 2>/dev/null | grep -qi '^zh_CN.utf-\?8$'; then
	app_zh "$W"
	tm_check zh_list_header "农户：1"
	tm_check zh_status_word "草稿"
	tm_keys Enter
	tm_check zh_form_label "走访日期"
	tm_check zh_footer "F1 帮助"
	tm_keys F1
	tm_check zh_help "显示本帮助"
	tm_keys Escape F10 F10
	tm_check_exit zh_quits
else
	not_ok zh_locale "zh_CN.UTF-8 locale missing (make deps)"
fi
