#!/usr/bin/env bash
# Esc cancels a running upload (in Chinese this time): curl aborts, the
# screen says so, nothing is acknowledged (`doorstep sync status` still
# shows every row pending, the office imported nothing), and the next push
# sends the same records and gets them confirmed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/sync.sh"

W=$T/ws
big_ws "$W" 8 || { not_ok big_ws "workspace set-up failed"; exit 0; }
enroll "$W" && ok office_enrolls_laptop || not_ok office_enrolls_laptop
serve || exit 0

# ~370 KB at 40 KB/s: about nine seconds, so Esc lands mid-upload.
tm_start 80 24 LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 LANGUAGE= \
    DOORSTEP_LOCALEDIR="$DS_TOP/build/locale" DOORSTEP_SYNC_MAX_RATE=40000 \
    DOORSTEP_OFFICE_URL="http://127.0.0.1:$port" -- \
    "$DOORSTEP" --workspace "$W" --passphrase-file "$T/pass"
tm_check list "农户：8"
tm_keys F9
tm_check sync_screen "与乡镇办公室同步"
tm_check pending_before "办公室尚未确认收到的记录：8"
tm_keys p
tm_check url_prefilled "http://127.0.0.1:$port"
tm_keys Enter
if p=$(wait_mid_pct); then ok "bar_between_0_and_100 ($p%)"
else not_ok bar_between_0_and_100 "no percentage in 1..99"; tm_screen | sed 's/^/    |/'; fi
has bytes_line_zh "$T/mid" '正在发送 … [0-9]* KB / [0-9]* KB$'
has try_line_zh "$T/mid" "正在发送到办公室（第 1 次，共 3 次）"
has footer_zh "$T/mid" "Esc 取消发送"
tm_keys Escape
tm_check cancelled "已取消发送。答案安全保存在本机"
tm_check_gone bar_gone "Esc 取消发送"
tm_check pending_after "办公室尚未确认收到的记录：8"
tm_screen >"$T/after"
# The bar stopped short: not one more try after a cancel.
if grep -q '第 2 次' "$T/after"; then not_ok no_retry_after_cancel
else ok no_retry_after_cancel; fi
tm_keys F10
tm_check back_to_list "农户：8"
tm_keys F10
tm_check_exit quits

case "$(pending "$W")" in
"8 record(s) (8 revision(s)) in sequence 1-8"*) ok cli_still_pending ;;
*) not_ok cli_still_pending "$(pending "$W")" ;;
esac
"$DOORSTEP" --workspace "$W" --passphrase-file "$T/pass" --lang en sync status \
    >"$T/st"
has cli_nothing_acknowledged "$T/st" '^  acknowledged *0$'
"$DOORSTEP_OFFICE" devices --dir "$T/office" >"$T/dev" 2>&1
if grep -q 'acknowledged: [0-9]' "$T/dev"; then
	not_ok office_has_nothing "$(cat "$T/dev")"
else ok office_has_nothing; fi

# The same records go next time, and are confirmed.
check next_push_sends_them "$DOORSTEP" --workspace "$W" --lang en \
    --passphrase-file "$T/pass" sync push "http://127.0.0.1:$port"
has next_push_receipt "$T/.out" "8 new, 0 already there; acknowledged through 8"
case "$(pending "$W")" in
"nothing"*) ok cli_nothing_pending ;;
*) not_ok cli_nothing_pending "$(pending "$W")" ;;
esac
"$DOORSTEP_OFFICE" devices --dir "$T/office" >"$T/dev" 2>&1
has office_has_all "$T/dev" 'acknowledged: 1-8$'
