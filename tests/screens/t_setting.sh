#!/usr/bin/env bash
# Issue 12, the setting for moving on after a pick: on by default, shown
# in the help (F1) from any screen, switched there with A by the worker,
# kept in the workspace (tui-settings, 0600) for the next start;
# DOORSTEP_AUTO_ADVANCE overrides it.  In English, then in Chinese.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/i12.sh"

W=$T/ws
i12_ws "$W" || { not_ok i12_ws "set-up failed"; exit 0; }
umask 022

app "$W"
q "Households: 0" n
q "Collector name" F1
tm_check help_shows_setting_on "A pick or a full answer moves on: on"
tm_keys a
tm_check a_switches_it_off "A pick or a full answer moves on: off"
tm_keys Escape
tm_check_gone help_closed "A pick or a full answer moves on"
q "Collector name" Enter
t "Second worker" "王五"
q "> " Enter Enter Enter Enter
q "Read the authorization letter aloud." Enter
q "Does the head sign" 1
tm_check off_stays_on_the_question "(*)  1. Yes"
tm_check off_same_question "Does the head sign"
tm_keys F10
q "Households: 1" F10
tm_check_exit quits
if [ "$(stat -c %a "$W/tui-settings" 2>/dev/null)" = 600 ] &&
    grep -qx "auto_advance 0" "$W/tui-settings"; then ok kept_in_workspace
else not_ok kept_in_workspace "$(ls -l "$W"; cat "$W/tui-settings")"; fi

# The next start keeps it; in Chinese, A switches it back on.
app_zh "$W"
q "农户：1" F1
tm_check zh_kept_off "选中或填满后自动进入下一题：关"
tm_keys a
tm_check zh_on_again "选中或填满后自动进入下一题：开"
tm_keys Escape Enter
q "户主是否签署" 1
tm_check on_moves_on "签字人"
tm_keys F10
q "农户：1" F10
tm_check_exit zh_quits
grep -qx "auto_advance 1" "$W/tui-settings" && ok kept_on ||
    not_ok kept_on "$(cat "$W/tui-settings")"

# The environment overrides the file.
tm_start 80 24 LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=en \
    DOORSTEP_LOCALEDIR="$DS_TOP/build/locale" DOORSTEP_AUTO_ADVANCE=0 -- \
    "$DOORSTEP" --workspace "$W" --passphrase-file "$T/pass"
q "Households: 1" F1
tm_check env_overrides "A pick or a full answer moves on: off"
tm_keys Escape F10
tm_check_exit env_quits
