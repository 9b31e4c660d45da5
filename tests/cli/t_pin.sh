#!/usr/bin/env bash
# A workspace whose office-public.key was swapped for a correctly formed
# one with the same office id and another signing key is refused by every
# command that opens it, with nothing changed and the words in the chosen
# language (what happened, the answers are safe, what to do); recover
# refuses it too; the office's own key put back opens it (issue 18).
. "$(dirname "$0")/../lib.sh"

O=$T/office; O2=$T/other; W=$T/ws
printf 'field passphrase one\n' >"$T/p1"
printf 'recovered passphrase\n' >"$T/p2"
ds() { "$DOORSTEP" --workspace "$W" "$@"; }
state() { find "$W" -type f | sort | xargs cat | cksum; }

"$DOORSTEP_OFFICE" init --dir "$O" >/dev/null
"$DOORSTEP_OFFICE" init --dir "$O2" >/dev/null
check "init" ds init --office-key "$O/office-public.key" --worker w \
    --kdf-cost min --passphrase-file "$T/p1"
cp "$W/office-public.key" "$T/genuine.key"
# This office's id, the other office's signing key: a well-formed file.
grep -v '^sign ' "$T/genuine.key" >"$T/forged.key"
grep '^sign ' "$O2/office-public.key" >>"$T/forged.key"
{ grep -v '^recovery ' "$T/forged.key"; grep '^recovery ' "$T/genuine.key"; } \
    >"$W/office-public.key"
s0=$(state)

check_fail "records refused (en)" 1 ds --lang en records --passphrase-file "$T/p1"
has "it says what happened" "$T/.out" "is not the one this laptop was set up with"
has "it says the answers are safe" "$T/.out" "The answers are safe on this laptop."
has "it says what to do" "$T/.out" "bring it to the township office"
no_zh "English only" "$T/.out"
check_fail "sync status refused (zh)" 1 ds --lang zh sync status \
    --passphrase-file "$T/p1"
has "在中文里说" "$T/.out" "不是这台电脑设置时使用的那一个"
has "答案是安全的" "$T/.out" "安全"
hasnt "no English sentence" "$T/.out" "was set up with"
check_fail "recover refused" 1 ds --lang en recover \
    --recovery-key "$O/office-recovery.key" --new-passphrase-file "$T/p2" \
    --kdf-cost min
has "recover says why" "$T/.out" "is not the one this laptop was set up with"
[ "$(state)" = "$s0" ] && ok "nothing changed" || not_ok "nothing changed"

cp "$T/genuine.key" "$W/office-public.key"
check "the office's own key opens it" ds records --passphrase-file "$T/p1"
