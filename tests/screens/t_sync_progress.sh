#!/usr/bin/env bash
# The sync screen sends over real HTTP to a real `doorstep-office serve` on
# loopback, slowed by DOORSTEP_SYNC_MAX_RATE: the progress bar shows a
# percentage strictly between 0 and 100, then the receipt; the status lines
# agree with `doorstep sync status`.  Then an office that does not answer:
# the back-off countdown shows "Retrying in N s (try k of n)".
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/sync.sh"

W=$T/ws
big_ws "$W" 8 || { not_ok big_ws "workspace set-up failed"; exit 0; }
enroll "$W" && ok office_enrolls_laptop || not_ok office_enrolls_laptop
serve || exit 0
case "$(pending "$W")" in
"8 record(s) (8 revision(s)) in sequence 1-8"*) ok cli_pending_before ;;
*) not_ok cli_pending_before "$(pending "$W")" ;;
esac

# ~370 KB at 120 KB/s: about three seconds of upload.
sync_app "$W" DOORSTEP_SYNC_MAX_RATE=120000 \
    DOORSTEP_OFFICE_URL="http://127.0.0.1:$port"
tm_check list "Households: 8"
tm_keys F9
tm_check sync_screen "Sync with the township office"
tm_check status_pending "Records the office has not confirmed yet: 8"
tm_check status_range "8 saves (1-8 of 8): 8 in a bundle already, 0 not yet"
tm_check status_counts "Draft 0   Finalized 0   Sent 8   Confirmed 0"
tm_keys p
tm_check url_prefilled "http://127.0.0.1:$port"
tm_keys Enter
if p=$(wait_mid_pct); then ok "bar_between_0_and_100 ($p%)"
else not_ok bar_between_0_and_100 "no percentage in 1..99"; tm_screen | sed 's/^/    |/'; fi
# The same screen: bytes so far of the total, the try, how to cancel.
has bytes_line "$T/mid" 'Sending \.\.\. [0-9]* KB / [0-9]* KB$'
has try_line "$T/mid" "Sending to the office (try 1 of 3)"
has footer_esc "$T/mid" "Esc Cancel the upload"
tm_check receipt "Sent 8 records; the office confirmed them. Receipt: 8 new"
tm_check receipt_through "confirmed through save 8."
tm_check_gone bar_gone "Esc Cancel the upload"
tm_check status_after "Records the office has not confirmed yet: 0"
tm_check counts_after "Draft 0   Finalized 0   Sent 0   Confirmed 8"
[ "$(pending "$W")" = "nothing; everything saved is acknowledged" ] &&
    ok cli_nothing_pending || not_ok cli_nothing_pending "$(pending "$W")"
tm_keys Escape
tm_check back_to_list "Households: 8"
tm_keys F10
tm_check_exit quits

# Nobody answers: the wait between tries counts down, and Esc stops it.
unserve
"$DOORSTEP" --workspace "$W" --passphrase-file "$T/pass" fill big \
    --answers "$T/a.json" --finalize >/dev/null
sync_app "$W" DOORSTEP_SYNC_BACKOFF_MS=3000 \
    DOORSTEP_OFFICE_URL="http://127.0.0.1:$port"
tm_check list2 "Households: 9"
tm_keys F9
tm_check pending_one "Records the office has not confirmed yet: 1"
tm_keys p Enter
tm_check retry_countdown "No answer from the office. Retrying in"
tm_check retry_try "s (try 2 of 3)."
tm_keys Escape
tm_check retry_cancelled "Upload cancelled. The answers are safe on this laptop"
tm_check still_pending "Records the office has not confirmed yet: 1"
tm_keys F10
tm_check back_to_list2 "Households: 9"
tm_keys F10
tm_check_exit quits2
case "$(pending "$W")" in
"1 record(s) (1 revision(s)) in sequence 9-9"*) ok cli_one_pending ;;
*) not_ok cli_one_pending "$(pending "$W")" ;;
esac
