#!/usr/bin/env bash
# Golden screens through the key-script mode (tig's TIG_SCRIPT): curses
# draws into /dev/null, the script dumps the screen as text.
. "$(dirname "$0")/../lib.sh"

ws="$T/nows"
run() {	# script-file
	DS_NO_DISPLAY=1 DOORSTEP_KEYS="$1" DOORSTEP_SIZE=80x24 LANGUAGE= \
	    "$DOORSTEP" --workspace "$ws"
}
same() {	# name got want
	if diff -u "$3" "$2" >"$T/.diff"; then ok "$1"
	else not_ok "$1" "screen differs"; sed 's/^/    /' "$T/.diff" | head -40; fi
}

cat >"$T/k1" <<EOK
<dump $T/d-first><F1><dump $T/d-help><Esc><resize 79x24><dump $T/d-small>
<resize 80x24><dump $T/d-back>
EOK
check script_runs run "$T/k1"
{
	echo " doorstep household survey"
	echo
	echo
	echo "  No workspace on this computer yet."
	echo
	echo "  Workspace:"
	echo "    $ws"
	echo
	echo "  Ask the township office for the office key file, then run: doorstep init"
	echo "  --office-key FILE --worker NAME"
	for i in $(seq 13); do echo; done
	echo " F1 Help  F10 Quit"
} >"$T/want-first"
same first_screen_golden "$T/d-first" "$T/want-first"
has help_overlay_lists_f_keys "$T/d-help" '| F10 Ctrl-X        Back or quit (answers are already saved)           |'
has help_overlay_has_frame "$T/d-help" '+- Keys ------'
has too_small_at_79_columns "$T/d-small" '^Terminal too small (need 80x24)$'
same resize_back_redraws_same_screen "$T/d-back" "$T/want-first"

# A broken script fails before the terminal is touched, naming the line.
printf 'abc\n<F1><Nope>\n' >"$T/bad"
check_fail bad_script_exit_1 1 run "$T/bad"
has bad_script_message "$T/.out" 'doorstep: script line 2: bad key token <Nope>'
