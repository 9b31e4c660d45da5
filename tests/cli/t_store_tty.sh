#!/usr/bin/env bash
# The passphrase from the terminal: asked on /dev/tty without echo, twice
# when set, and a mismatch or a wrong passphrase is refused (real tmux).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../screens/tmux.sh"

O=$T/office; W=$T/ws
"$DOORSTEP_OFFICE" init --dir "$O" >/dev/null
K=$O/office-public.key
P="tty secret phrase 口令"
# A new tmux server per program run: reusing one socket right after
# kill-server races with the dying server.
fresh() { tm_stop; TM_SOCK="ds-test-$$-$RANDOM"; }

fresh
tm_start 100 12 -- "$DOORSTEP" --workspace "$W" --lang en init --office-key "$K" --worker w --kdf-cost min
tm_check "init asks for a passphrase" "New passphrase:"
tm_type "$P"; tm_keys Enter
tm_check "init asks again" "Again:"
tm_type "$P"; tm_keys Enter
tm_check "init creates the workspace" "Workspace created"
if tm_screen | grep -q "新口令\|工作区已创建"; then not_ok "init in English only" "$(tm_screen)"
else ok "init in English only"; fi
if tm_screen | grep -qF "tty secret"; then not_ok "passphrase is not echoed" "$(tm_screen)"
else ok "passphrase is not echoed"; fi
tm_wait_exit

fresh
tm_start 100 12 -- "$DOORSTEP" --workspace "$W" --lang zh records
tm_check "records asks for the passphrase (in Chinese)" "口令："
if tm_screen | grep -q "Passphrase"; then not_ok "records asks in Chinese only" "$(tm_screen)"
else ok "records asks in Chinese only"; fi
tm_type "$P"; tm_keys Enter
tm_wait_exit
if tm_alive; then not_ok "records ends after the right passphrase"
else ok "records ends after the right passphrase"; fi
[ ! -s "$T/.tm-stderr" ] && ok "right passphrase: no error" || not_ok "right passphrase: no error" "$(cat "$T/.tm-stderr")"

fresh
tm_start 100 12 -- "$DOORSTEP" --workspace "$W" --lang en records
tm_check "asks again for a wrong try" "Passphrase:"
tm_type "not the passphrase"; tm_keys Enter
tm_wait_exit 15
has "wrong passphrase from the terminal is refused" "$T/.tm-stderr" "Wrong passphrase"

fresh
tm_start 100 12 -- "$DOORSTEP" --workspace "$T/ws2" --lang zh init --office-key "$K" --worker w --kdf-cost min
tm_check "second init asks (in Chinese)" "新口令："
if tm_screen | grep -q "New passphrase"; then not_ok "second init in Chinese only" "$(tm_screen)"
else ok "second init in Chinese only"; fi
tm_type "first version of it"; tm_keys Enter
tm_check "second init asks again (in Chinese)" "再输入一次："
tm_type "second version of it"; tm_keys Enter
tm_wait_exit
has "mismatched passphrases are refused" "$T/.tm-stderr" "两次输入的口令不一致"
hasnt "mismatch in Chinese only" "$T/.tm-stderr" "passphrases differ"
[ ! -e "$T/ws2/keyring" ] && ok "no workspace after a mismatch" || not_ok "no workspace after a mismatch"
