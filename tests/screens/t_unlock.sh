#!/usr/bin/env bash
# The unlock screen in a real terminal: the passphrase shows as stars, a
# wrong one is refused plainly, the right one opens the household list
# with the worker's name.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"

W=$T/ws
make_ws "$W" || { not_ok make_ws "workspace set-up failed"; exit 0; }
tm_start 80 24 LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=en \
    DOORSTEP_LOCALEDIR="$DS_TOP/build/locale" -- "$DOORSTEP" --workspace "$W"
tm_check asks_passphrase "Type the passphrase, then Enter:"
tm_check worker_name_before_unlock "李网格"
tm_check names_workspace "$W"
tm_type "wrong passphrase"
tm_check shows_stars "****************"
if tm_screen | grep -q "wrong passphrase"; then not_ok passphrase_hidden "typed text on screen"
else ok passphrase_hidden; fi
tm_keys Enter
tm_check wrong_refused "Wrong passphrase. Nothing was opened; type it again."
tm_check_gone field_wiped "****************"
tm_type "field passphrase one"
tm_keys Enter
tm_check opens_list "No households yet."
tm_check worker_name "李网格"
tm_keys F10
tm_check_exit quits
