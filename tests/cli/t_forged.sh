#!/usr/bin/env bash
# doorstep sync ack refuses a receipt that names the right office and key
# id but is signed with another key, and changes nothing in the workspace
# (issue 18); the genuine receipt then acknowledges the same rows.
. "$(dirname "$0")/../lib.sh"

SEED=$DS_TOP/build/$MODE/tests/test_ws
FORGE=$DS_TOP/build/$MODE/tests/test_forged
O=$T/office; W=$T/ws; U=$T/usb
printf 'field passphrase one\n' > "$T/p1"
ds() { "$DOORSTEP" --workspace "$W" "$@" --passphrase-file "$T/p1"; }
state() { cat "$W"/* | cksum; }

"$DOORSTEP_OFFICE" init --dir "$O" >/dev/null
check "init" "$DOORSTEP" --workspace "$W" init --office-key "$O/office-public.key" \
    --worker "李网格" --kdf-cost min --passphrase-file "$T/p1"
check "seed three households" "$SEED" seed "$W" "field passphrase one" 3
check "export" ds sync export --out "$U"
b=$(find "$U" -name '*.dsb' | head -n 1)
check "enroll from the bundle" "$DOORSTEP_OFFICE" enroll --dir "$O" --label grid-1 \
    --fingerprint "$(fingerprint "$W" --passphrase-file "$T/p1")" "$b"
check "import" "$DOORSTEP_OFFICE" import --dir "$O" "$b"
r=${b%.dsb}.rcpt
[ -f "$r" ] && ok "receipt written" || not_ok "receipt written" "no $r"
check "forge the receipt" "$FORGE" forge-receipt "$r" "$T/forged.rcpt"
cmp -s -n 2000 "$r" "$T/forged.rcpt" && not_ok "forgery differs" "same bytes" ||
    ok "forgery differs"

ds --lang en sync status > "$T/status0" 2>&1
s0=$(state)
DOORSTEP_LANG=en check_fail "forged receipt refused" 1 ds sync ack "$T/forged.rcpt"
has "refusal says nothing changed" "$T/.out" "nothing was changed"
has "refusal says the answers are safe" "$T/.out" "answers are safe"
has "refusal names the signature" "$T/.out" "signature"
no_zh "refusal in English only" "$T/.out"
DOORSTEP_LANG=zh check_fail "forged receipt refused (zh)" 1 ds sync ack "$T/forged.rcpt"
has "refusal says nothing changed (zh)" "$T/.out" "未作任何更改"
has "refusal says the answers are safe (zh)" "$T/.out" "答案仍安全保存在本机"
hasnt "refusal in Chinese only" "$T/.out" "nothing was changed\|answers are safe"
[ "$(state)" = "$s0" ] && ok "workspace bytes unchanged" ||
    not_ok "workspace bytes unchanged"
ds --lang en sync status > "$T/status1" 2>&1
cmp -s "$T/status0" "$T/status1" && ok "status unchanged" ||
    not_ok "status unchanged" "$(diff "$T/status0" "$T/status1")"
has "still pending" "$T/status1" "pending: 3 record(s)"

check "genuine receipt applies" ds --lang zh sync ack "$r"
has "genuine receipt acknowledges (zh)" "$T/.out" "已确认到第 [0-9]* 次保存"
hasnt "genuine receipt in Chinese only" "$T/.out" "acknowledged through"
check "genuine receipt again" ds --lang en sync ack "$r"
has "genuine receipt acknowledges" "$T/.out" "acknowledged through"
has "the answers are safe at the office" "$T/.out" "safe at the office"
no_zh "genuine receipt in English only" "$T/.out"
ds --lang en sync status > "$T/status2" 2>&1
has "nothing pending after" "$T/status2" "pending: nothing"
