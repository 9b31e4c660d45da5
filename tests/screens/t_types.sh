#!/usr/bin/env bash
# Issue 15: a form with every type doorstep runs, filled in a real terminal:
# numbers, a range kept on its step, selects, date and time, a geopoint
# refused out of range then typed right, a trace, a shape closed for the
# worker, a barcode, a note, an acknowledge; metadata a laptop lacks stays
# empty; a photo attached by its path after a missing path and a file
# that is not a photo are refused with a message; a date and time, a
# recording refused for a photo, a video left out (optional), a document.
# The saved record is checked through the CLI.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"

W=$T/ws
make_ws "$W" "$SCREENS/forms/types.md" ||
	{ not_ok make_ws "workspace set-up failed"; exit 0; }
app "$W"
tm_check list_empty "N New"
tm_keys n
tm_check text_question "Text"
tm_type "hello"
tm_keys Enter
tm_check integer_question "Integer"
tm_type 21
tm_keys Enter
tm_check decimal_question "Decimal"
tm_type 2.5
tm_keys Enter
tm_check range_question "Range 0-10 by 2"
tm_type 3
tm_keys Enter
tm_check range_off_step_refused "This answer is not accepted; check it."
tm_keys BSpace
tm_type 4
tm_keys Enter
tm_check select_one_question "Select one"
tm_keys 1
tm_check select_multiple_question "Select multiple"
tm_keys 1 2 Enter
tm_check date_question "Date"
tm_type 20261207
tm_keys Enter
tm_check time_question "Time"
tm_type 09:30
tm_keys Enter
tm_check datetime_question "Date and time"
tm_type "2026-12-07 9:30"
tm_keys Enter
tm_check datetime_refused "Enter a date and time"
tm_keys C-u
tm_type "2026-12-07 09:30"
tm_keys Enter
tm_check geopoint_question "Where is the house?"
tm_type "95 104"
tm_keys Enter
tm_check geopoint_latitude_refused "The latitude must be between -90 and 90."
tm_keys C-u
tm_type "30.5728 104.0668"
tm_keys Enter
tm_check geotrace_question "Path to the house"
tm_type "30.57 104.06;30.58 104.07"
tm_keys Enter
tm_check geoshape_question "Field"
tm_type "30.57 104.06;30.58 104.07;30.59 104.06"
tm_keys Enter
tm_check barcode_question "Barcode"
tm_type "6901234567892"
tm_keys Enter
tm_check image_question "Type the path of the file to attach"
tm_type "$T/nope.jpg"
tm_keys Enter
tm_check image_missing_file "There is no file at"
tm_keys C-u
printf 'not a photo\n' >"$T/notes.txt"
tm_type "$T/notes.txt"
tm_keys Enter
tm_check image_not_a_photo "is not what this question takes"
tm_keys C-u
{ printf '\377\330\377\340\000\020JFIF\000'; head -c 4000 /dev/urandom; } >"$T/letter.jpg"
tm_type "$T/letter.jpg"
tm_keys Enter
tm_check audio_question "Recording"
# Sealed in the record; the file the worker typed is never removed (it may
# be the only copy, and nobody was asked).
[ -e "$T/letter.jpg" ] && ok image_file_kept ||
    not_ok image_file_kept "$T/letter.jpg was removed"
{ printf '\377\330\377\340\000\020JFIF\000'; head -c 4000 /dev/urandom; } >"$T/letter.jpg"
tm_type "$T/letter.jpg"
tm_keys Enter
tm_check audio_not_a_photo "is not what this question takes: a sound"
tm_keys C-u Enter
tm_check video_question_optional "Video clip"
tm_keys Enter
tm_check file_question "Document"
tm_type "$T/notes.txt"
tm_keys Enter
tm_check note_shown "A note"
tm_keys Enter
tm_check acknowledge_question "Acknowledge"
tm_keys 1
tm_check review_clean "No errors and no open warnings. Press F to finalize."
tm_keys f
tm_check finalize_asks "Finalize this household?"
tm_keys y
tm_check finalized "Finalized and saved."
tm_keys F10
tm_check_exit quits

saved "$W" "$T/rec.json"
has saved_range "$T/rec.json" '"r":"4"'
has saved_selects "$T/rec.json" '"s1":"yes","sm":\["yes","no"\]'
has saved_geopoint "$T/rec.json" '"gp":"30.5728 104.0668"'
has saved_geotrace "$T/rec.json" '"gt":"30.57 104.06;30.58 104.07"'
has saved_geoshape_closed "$T/rec.json" '"gs":"30.57 104.06;30.58 104.07;30.59 104.06;30.57 104.06"'
has saved_barcode "$T/rec.json" '"bc":"6901234567892"'
has saved_photo_name "$T/rec.json" '"ph":"[0-9]\{13\}\.jpg"'
has saved_datetime "$T/rec.json" '"dtt":"2026-12-07T09:30:00[+-][0-9][0-9]:[0-9][0-9]"'
has saved_file_name "$T/rec.json" '"fi":"[0-9]\{13\}\.txt"'
if grep -q '"au"\|"vi"' "$T/rec.json"; then not_ok optional_media_left_empty "$(cat "$T/rec.json")"
else ok optional_media_left_empty; fi
has saved_username "$T/rec.json" '"un":"'
has saved_today "$T/rec.json" '"td":"20[0-9][0-9]-'
if grep -q '"sim"\|"sub"\|"mail"' "$T/rec.json"; then
	not_ok device_metadata_left_empty "$(cat "$T/rec.json")"
else ok device_metadata_left_empty; fi
has saved_calculate "$T/rec.json" '"c":"42"'
if grep -q '"phone"' "$T/rec.json"; then not_ok phonenumber_left_empty "$(cat "$T/rec.json")"
else ok phonenumber_left_empty; fi
has saved_finalized "$T/rec.json" '"state":"finalized"'
