#!/usr/bin/env bash
# Issue 11, sync from the TUI over HTTP: P on the sync screen sends what
# waits and fetches the visit lists and forms the office
# has for this laptop from a real doorstep-office serve on loopback; the
# household list then offers them (Tab).  The record the stick carried
# before is sent again (the office has it: a receipt confirms it).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/sync.sh"
. "$(dirname "$0")/lists.sh"

W=$T/ws
lists_ws "$W" && lists_assign || { not_ok lists_ws "set-up failed"; exit 0; }
serve || exit 0
sync_app "$W" DOORSTEP_OFFICE_URL="http://127.0.0.1:$port"
tm_check no_visits_yet "Tab  Visits due: 0"
tm_keys F9
tm_wait "P  Send to the office"
tm_keys p
tm_wait "Address of the township office"
tm_keys Enter
tm_check sent_first "the office confirmed them"
tm_check lists_fetched "New from the office: 3 visits to make, 0"
tm_keys Escape
tm_check list_offers_them "Tab  Visits due: 3"
tm_keys Tab
tm_check due_view_lists_them "$HH3"
tm_keys Escape F10
tm_check_exit quits
