#!/usr/bin/env bash
# issue 12, review and finalize: a review item names the member and the
# fact behind the warning, wrapped; fixing an item reached from the review
# goes back to the review; a soft warning can be left open and explained
# from the review; finalize asks first, and a finalized record offers no
# finalize.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/i12.sh"

i12_app
i12_to_roster
q "No one yet" a
t "* Name" "李小红"
q "* ID document" 1
id "$ID_GIRL"
# Junior middle school at 11: the soft check; F4 leaves it for the review.
q "* School grade" 2
tm_check warning_asks_reason "Type why this answer is right"
tm_keys F4
tm_check warning_left_open_moves_on "Add another: Member?"
tm_keys n
q "Child living away" Enter
t "Name of the child" "甲"
t "Name of the child" "乙"
q "> * Wages (yuan)" Enter Enter
q "Head 李小红" Enter
# The review: who, which question, what, and the fact behind it.
tm_check review_counts "0 errors, 1 warnings to explain."
tm_check review_names_member "W 李小红 (no. 1) School grade: The grade does not fit"
tm_check review_gives_fact "(Age: 11)"
tm_check review_wraps "  middle school is usually for ages 12 to 15."
tm_keys Enter
tm_check review_jumps_to_item "* School grade"
tm_check review_item_still_open "The grade does not fit the age"
tm_keys Enter
tm_check open_warning_asks_again "Type why this answer is right"
tm_type "she skipped a year"
tm_keys Enter
tm_check explained_back_to_review "No errors and no open warnings."
# A fix reached from the review goes back to it too.
tm_keys Escape
q "* School grade" F5
q "answered" Home
tm_keys Down Down Down Down Down Down Down Down Down Down Enter
q "* Signer" C-u F7
tm_check review_lists_error "1 errors, 0 warnings to explain."
tm_keys Enter
q "* Signer"
tm_type "张三"
tm_keys Enter
tm_check fixed_back_to_review "No errors and no open warnings."
if tm_screen | grep -q "* Household number"; then
	not_ok fix_does_not_carry_on "$(tm_screen)"
else ok fix_does_not_carry_on; fi
# Finalize asks first; No leaves everything as it was.
tm_keys f
tm_check finalize_asks "Finalize this household?"
tm_keys n
tm_check finalize_no_stays "No errors and no open warnings. Press F to finalize."
tm_keys f
q "Finalize this household?" y
q "Finalized and saved." Enter
tm_check finalized_review_says_so "This household is finalized"
if tm_screen | grep -q "Press F to finalize\|F Finalize"; then
	not_ok finalized_offers_no_finalize "$(tm_screen)"
else ok finalized_offers_no_finalize; fi
tm_keys F10
q "Households: 1" F10
tm_check_exit quits
