#!/usr/bin/env bash
# What saves keys in the interview (issue 12, docs/performance.md "Keys per
# question"), each checked in a real terminal on tests/screens/forms/keys.md.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/i12.sh"

W=$T/ws
make_ws "$W" "$SCREENS/forms/keys.md" ||
    { not_ok make_ws "workspace set-up failed"; exit 0; }
app "$W"
q "Households: 0" n
t "Name of the household head" "Zhang San"
# A choice that the constraint lets go with no other ("healthy") completes
# a multiple choice: it moves on as a pick does, and the Enter a worker
# presses by habit to end a multiple choice answers nothing after it.
q "Health (choose all" 1
tm_check multi_complete_moves_on "* Schooling"
tm_keys Enter
sleep 0.5
if tm_screen | grep -q "Health of the second member"; then
	not_ok "the habitual Enter after it answers nothing" "$(tm_screen)"
else ok "the habitual Enter after it answers nothing"; fi
q "Schooling" 2
# Choices that others could join wait for Enter.
q "Health of the second member" 2 3
sleep 0.5
tm_check multi_open_stays "[x]  3. Serious illness"
if tm_screen | grep -q "Anything else"; then
	not_ok "an open multiple choice waits for Enter" "$(tm_screen)"
else ok "an open multiple choice waits for Enter"; fi
q "Health of the second member" Enter
# F4 on a screen of questions takes what it shows and goes to the first
# question on it that still needs an answer, with no message: the worker
# did not try to leave it empty.
q "> * How the visit is done" F4
tm_check f4_to_first_unanswered "> * How the household came to notice"
if tm_screen | grep -q "must be answered"; then
	not_ok "F4 to it says nothing" "$(tm_screen)"
else ok "F4 to it says nothing"; fi
tm_keys 2
q ">   Anything else?" F10
q "Households: 1" F10
tm_check_exit quits
id=$(records "$W" | cut -d' ' -f1)
show "$W" "$id" >"$T/rec.json" 2>&1
has saved_complete "$T/rec.json" '"health":\["healthy"\]'
has saved_next_by_pick "$T/rec.json" '"school":"in_school"'
has saved_open "$T/rec.json" '"health2":\["chronic","serious"\]'
has saved_default_seen "$T/rec.json" '"mode":"in_person"'
has saved_pick_after_f4 "$T/rec.json" '"channel":"cadre"'
