#!/usr/bin/env bash
# A screen of several questions is accepted by F4 only for what it shows:
# questions hidden below come into view first (issue 12: no answer is
# confirmed that was never on the screen).  A table-list is drawn as a
# grid, one question a row, so the whole of it shows and one F4 takes it.
# A field whose constraint fixes its length moves on when it is full.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/i12.sh"

W=$T/ws
make_ws "$W" "$SCREENS/forms/pages.md" ||
    { not_ok make_ws "workspace set-up failed"; exit 0; }
app "$W"
q "Households:" n
q "> * Amount 1"
tm_check page_taller_than_screen "more below"
tm_type 5
tm_keys F4
# Still the same screen: the rest came into view, the focus on the last
# of them that fits.
tm_check f4_shows_hidden_first "> * Amount 9"
tm_check f4_stays_on_the_page " Income"
tm_check_gone f4_nothing_hidden_now "more below"
tm_keys F4
# The grid: every question of the table-list on one screen, a row each.
tm_check grid_title " Risks"
tm_check grid_first_row "> * Risk 1  ( ) 1.Yes  (*) 2.No"
tm_check grid_last_row "  * Risk 8  ( ) 1.Yes  (*) 2.No"
tm_keys 1
tm_check grid_pick_moves_down "> * Risk 2  ( ) 1.Yes  (*) 2.No"
tm_check grid_pick_kept "  * Risk 1  (*) 1.Yes  ( ) 2.No"
tm_keys Down
tm_check grid_down_next_question "> * Risk 3"
tm_keys F4
# After the grid, up and down move in a list of choices again.
q "* Colour" Down Down
tm_keys Enter
# A full mobile number moves on by itself; a short one waits.
q "* Mobile number"
tm_type 1390563123
# Drawn with all ten digits: the program has taken them, and stayed.
tm_check short_number_shown "1390563123"
if tm_screen | grep -qF "The end."; then
	not_ok short_number_waits "$(tm_screen)"
else tm_check short_number_waits "* Mobile number"; fi
tm_type 4
tm_check full_number_moves_on "The end."
tm_keys F10
q "Households: 1"
saved "$W" "$T/rec.json"
has amount_saved "$T/rec.json" '"amt1":"5"'
has grid_saved "$T/rec.json" '"risk1":"yes"'
has phone_saved "$T/rec.json" '"phone":"13905631234"'
has list_after_grid_saved "$T/rec.json" '"colour":"blue"'
tm_keys F10
tm_check_exit quits
