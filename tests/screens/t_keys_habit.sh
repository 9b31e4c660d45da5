#!/usr/bin/env bash
# The Enter a worker presses by habit to end a multiple choice, after one
# that moved on by itself ("healthy": no other choice can join it), answers
# nothing on the next question, here an optional text where an Enter would
# otherwise move on (docs/tui.md).  The pick and the Enter are sent at once,
# so the two seconds the app allows hold on a loaded machine.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/i12.sh"

W=$T/ws
make_ws "$W" "$SCREENS/forms/keys_habit.md" ||
    { not_ok make_ws "workspace set-up failed"; exit 0; }
app "$W"
q "Households: 0" n
t "Name of the household head" "Zhang San"
q "Health (choose all" 1 Enter
tm_type "fine"
tm_keys Enter
q "Last words" F10
q "Households: 1" F10
tm_check_exit quits
saved "$W" "$T/rec.json"
has multi_complete_saved "$T/rec.json" '"health":\["healthy"\]'
has habit_enter_answers_nothing "$T/rec.json" '"note":"fine"'
