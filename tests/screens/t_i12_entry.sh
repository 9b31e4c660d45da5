#!/usr/bin/env bash
# issue 12, questions and entry: required marks, hints, section titles and
# a "more below" line on screens with several questions; each message under
# its own question; typing replaces a default, money with separators;
# progress counts what the worker confirmed; a date checked while typing
# and Ctrl-U clearing the message; sex and birth date from the ID number;
# moving on after a pick (and the setting that turns it off); why a letter
# is refused in a number field; which part of an ID number is wrong.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/i12.sh"

i12_app
q "Households:" n
# Several questions on one screen.
tm_check fieldlist_section_title " Visit"
tm_check fieldlist_required_mark "> * Collector name"
tm_check fieldlist_hint "Needed for verification visits"
tm_check fieldlist_more_below "1 more below (Tab or Enter)"
tm_check collector_from_workspace "李网格"
# Enter on the empty required question: its message, under it.
q "> * Collector name" Enter Enter
tm_check required_on_enter "This question must be answered."
row() { tm_screen | grep -n -- "$1" | head -1 | cut -d: -f1; }
w2=$(row "Second worker")
m=$(row "This question must be answered.")
[ -n "$w2" ] && [ "$m" = $((w2 + 3)) ] && ok message_under_its_question ||
    not_ok message_under_its_question "label row $w2, message row $m"
tm_keys Tab
m2=$(row "This question must be answered.")
[ "$m2" = "$m" ] && ok message_stays_when_focus_moves ||
    not_ok message_stays_when_focus_moves "was row $m, now $m2"
if tm_screen | sed -n "$(row 'Collector name'),$((w2 - 1))p" | grep -q "must be"; then
	not_ok no_message_under_answered "$(tm_screen)"
else ok no_message_under_answered; fi
tm_keys BTab
tm_type "王五"
tm_check_gone typing_clears_its_message "This question must be answered."
tm_keys Enter Enter Enter Enter
tm_check fieldlist_more_above "1 more above (Shift-Tab)"
tm_keys Enter
q "Read the authorization letter aloud." Enter
q "Does the head sign" 1
t "Signer" "张三"
t "Household number" "H001"
# Progress: what the worker saw and confirmed (5 answers so far), not the
# defaults waiting further on (money).
tm_check progress_counts_confirmed " 6/"
tm_type "x"
tm_check letter_in_number_says_why "Only digits go in this field"
tm_type 2
tm_check_gone letter_message_goes_on_typing "Only digits go in this field"
tm_keys Enter
q "No one yet" a
t "* Name" "李小红"
q "* ID document" 1
# The ID number: which part is wrong.
t "* ID number" "11010120150307002"
tm_check id_length_said "The number has 17 characters"
q "* ID number" C-u
tm_type "110101201513070011"
tm_keys Enter
tm_check id_birth_date_said "The birth date in the number"
q "* ID number" C-u
tm_type "110101201503070027"
# Full but wrong: not saved, nothing filled from it; Enter says why.  Once
# the whole number is drawn the program has taken it (and would show what
# it fills on that same screen).
tm_check wrong_id_shown "110101201503070027"
if tm_screen | grep -q "Filled in from this answer"; then
	not_ok wrong_id_fills_nothing "$(tm_screen)"
else ok wrong_id_fills_nothing; fi
tm_keys Enter
tm_check id_check_digit_said "The last character (the check digit)"
q "* ID number" C-u
tm_type "$ID_GIRL"
# Full and valid: saved as typed, and sex and birth date come from it on
# the same screen; the one Enter that confirms the number confirms them.
tm_check id_fills_shown "Filled in from this answer, confirmed with it:"
tm_check sex_from_id "Sex: Female"
tm_check birth_from_id "Birth date: 2015-03-07"
# The header's progress, answered/total: sex and birth date count once
# the Enter on the number has confirmed them.
prog() { tm_screen | sed -n '1s/.* \([0-9][0-9]*\)\/[0-9][0-9]* .*/\1/p'; }
p0=$(prog)
tm_keys Enter
tm_check one_key_confirms_three "* School grade"
p1=$(prog)
[ -n "$p0" ] && [ "$p1" = $((p0 + 2)) ] && ok sex_and_birth_confirmed ||
    not_ok sex_and_birth_confirmed "progress $p0 then $p1"
# Back: the birth date is its own question again, to change.
tm_keys F3
tm_check birth_editable_back "* Birth date"
# A date checked while typing; Ctrl-U clears the message.
tm_keys C-u
tm_type "201513"
tm_check date_month_refused "The month must be 01 to 12."
tm_check date_kept_valid_part "2015-1"
tm_keys C-u
tm_check_gone ctrl_u_clears_message "The month must be 01 to 12."
tm_type "2015023"
tm_check date_day_refused "That month has no such day."
tm_keys C-u
tm_type "20150307"
tm_keys Enter
# A pick moves on by itself.
q "* School grade" 1
tm_check pick_moves_on "Add another: Member?"
tm_keys n
q "Child living away" Enter
t "Name of the child" "甲"
t "Name of the child" "乙"
# Money: typing replaces the default 0; separators on the screen.
q "> * Wages (yuan)"
tm_type 35000
tm_check typing_replaces_default "35,000"
if tm_screen | grep -q "035"; then not_ok default_not_kept "$(tm_screen)"
else ok default_not_kept; fi
tm_type 5
tm_check thousands_while_typing "350,005"
tm_keys BSpace Enter
tm_check rent_focused "> * Rent (yuan)"
tm_keys F10
q "Households: 1"
saved "$W" "$T/rec.json"
has money_saved_plain "$T/rec.json" '"wage":"35000"'
has sex_saved "$T/rec.json" '"m_sex":"female"'
has birth_saved "$T/rec.json" '"m_birth":"2015-03-07"'
has collector_saved "$T/rec.json" '"worker1":"李网格"'
tm_keys F10
tm_check_exit quits

# The setting: DOORSTEP_AUTO_ADVANCE=0 keeps the worker on a picked choice.
tm_start 80 24 LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=en \
    DOORSTEP_LOCALEDIR="$DS_TOP/build/locale" DOORSTEP_AUTO_ADVANCE=0 -- \
    "$DOORSTEP" --workspace "$W" --passphrase-file "$T/pass"
FAILED=0
q "Households: 1" Enter
q "Wages" F5
q "answered" Home
tm_keys Down Down Down Down Down Down Down Down Down Enter
q "Does the head sign" 1
tm_check setting_off_stays "(*)  1. Yes"
tm_check setting_off_same_question "Does the head sign"
tm_keys F10
q "Households: 1" F10
tm_check_exit quits_setting
