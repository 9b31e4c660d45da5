#!/usr/bin/env bash
# doorstep init / records / show / history / passwd / recover on a real
# workspace (min KDF cost, test-only), with exit statuses 0, 1, 2 and 64.
. "$(dirname "$0")/../lib.sh"

SEED=$DS_TOP/build/$MODE/tests/test_ws
O=$T/office; O2=$T/office2; W=$T/ws
printf 'field passphrase one\n' > "$T/p1"
printf 'second passphrase two\n' > "$T/p2"
printf 'third passphrase three\n' > "$T/p3"
"$DOORSTEP_OFFICE" init --dir "$O" >/dev/null
"$DOORSTEP_OFFICE" init --dir "$O2" >/dev/null
ds() { "$DOORSTEP" --workspace "$W" "$@"; }

check_fail "init without --office-key is a usage error" 64 ds init --worker w --passphrase-file "$T/p1"
check_fail "init with unknown option is a usage error" 64 ds init --office-key "$O/office-public.key" --worker w --bogus
check_fail "init with bad --kdf-cost is a usage error" 64 ds init --office-key "$O/office-public.key" --worker w --kdf-cost huge --passphrase-file "$T/p1"
printf 'short\n' > "$T/short"
check_fail "init refuses a short passphrase" 1 ds init --office-key "$O/office-public.key" --worker w --kdf-cost min --passphrase-file "$T/short"
has "short passphrase says why" "$T/.out" "too short"
check "init creates the workspace" ds init --office-key "$O/office-public.key" --worker "李网格" --kdf-cost min --passphrase-file "$T/p1"
m=$(stat -c %a "$W" "$W/keyring" "$W/records.db" "$W/office-public.key" | tr '\n' ' ')
[ "$m" = "700 600 600 600 " ] && ok "workspace modes 0700/0600" || not_ok "workspace modes 0700/0600" "got $m"
check_fail "init twice is refused" 1 ds init --office-key "$O/office-public.key" --worker w --kdf-cost min --passphrase-file "$T/p1"
check "records on an empty workspace" ds records --passphrase-file "$T/p1"
[ ! -s "$T/.out" ] && ok "empty workspace lists nothing" || not_ok "empty workspace lists nothing"

check "seed five households" "$SEED" seed "$W" "field passphrase one" 5
check "records lists" ds records --passphrase-file "$T/p1"
[ "$(wc -l < "$T/.out")" -eq 5 ] && ok "five records listed" || not_ok "five records listed" "$(cat "$T/.out")"
has "records show the head name" "$T/.out" "户主3号"
has "records show the village" "$T/.out" "石门村"
check "records --status finalized" ds records --status finalized --passphrase-file "$T/p1"
[ "$(wc -l < "$T/.out")" -eq 2 ] && ok "two finalized" || not_ok "two finalized" "$(cat "$T/.out")"
check "records --household" ds records --household " hh0002 " --passphrase-file "$T/p1"
has "household search finds its record" "$T/.out" "户主2号"
check_fail "records --status bogus is a usage error" 64 ds records --status bogus --passphrase-file "$T/p1"
DOORSTEP_PASSPHRASE="field passphrase one" check "DOORSTEP_PASSPHRASE unlocks" ds records
check_fail "wrong passphrase exits 2" 2 ds --lang en records --passphrase-file "$T/p2"
has "wrong passphrase message" "$T/.out" "Wrong passphrase"
has "wrong passphrase: the answers are safe" "$T/.out" "answers are safe"
no_zh "wrong passphrase in English only" "$T/.out"
DOORSTEP_LANG=zh check_fail "wrong passphrase exits 2 (zh)" 2 ds records --passphrase-file "$T/p2"
has "wrong passphrase message in Chinese" "$T/.out" "口令不正确"
has "wrong passphrase: the answers are safe (zh)" "$T/.out" "答案仍安全保存在本机"
hasnt "wrong passphrase in Chinese only" "$T/.out" "Wrong passphrase\|answers are safe"

ds records --passphrase-file "$T/p1" > "$T/list"
id0=$(grep '户主0号' "$T/list" | cut -d' ' -f1)
check "show by full id" ds show "$id0" --passphrase-file "$T/p1"
has "show prints the answers" "$T/.out" '"marker":"SEEDMARK-0"'
check "show by id prefix" ds show "${id0:0:8}" --passphrase-file "$T/p1"
has "prefix finds the same record" "$T/.out" "SEEDMARK-0"
check "show --rev 1" ds show --rev 1 "$id0" --passphrase-file "$T/p1"
check_fail "show --rev 9 does not exist" 1 ds show --rev 9 "$id0" --passphrase-file "$T/p1"
check_fail "show unknown id" 1 ds show 00000000-0000-4000-8000-000000000000 --passphrase-file "$T/p1"
check_fail "show without id is a usage error" 64 ds show --passphrase-file "$T/p1"
check_fail "show with a non-id is a usage error" 64 ds show 'x!' --passphrase-file "$T/p1"
check "history" ds history "$id0" --passphrase-file "$T/p1"
[ "$(grep -c '^rev ' "$T/.out")" -eq 2 ] && ok "history lists two revisions" || not_ok "history lists two revisions" "$(cat "$T/.out")"
has "history rev 2 names its parent" "$T/.out" "^rev 2  [0-9a-f]\{32\}  parent [0-9a-f]\{32\}"
has "history lists saved events" "$T/.out" "saved"
check_fail "history without id is a usage error" 64 ds history --passphrase-file "$T/p1"
check_fail "history with a wrong passphrase exits 2" 2 ds history "$id0" --passphrase-file "$T/p2"

# No plaintext in the workspace: not the answers, household names or keys.
# (The installed forms under forms/ are the public form texts.)  The
# worker's own name is in clear in one place only: the `worker` file the
# unlock screen shows (docs/keys.md).
hits=$(grep -rlaF --exclude-dir=forms -e SEEDMARK -e '户主' -e 'HH0002' "$W" | wc -l)
[ "$hits" -eq 0 ] && ok "no plaintext in the workspace" || not_ok "no plaintext in the workspace" "$hits files"
whits=$(grep -rlaF -e '李网格' "$W")
[ "$whits" = "$W/worker" ] && ok "worker name in clear only in the worker file" || not_ok "worker name in clear only in the worker file" "$whits"

check "passwd" ds passwd --new-passphrase-file "$T/p2" --kdf-cost min --passphrase-file "$T/p1"
check_fail "old passphrase no longer opens" 2 ds records --passphrase-file "$T/p1"
check "new passphrase opens" ds records --passphrase-file "$T/p2"
[ "$(wc -l < "$T/.out")" -eq 5 ] && ok "records intact after passwd" || not_ok "records intact after passwd"
check_fail "passwd with wrong passphrase exits 2" 2 ds passwd --new-passphrase-file "$T/p3" --kdf-cost min --passphrase-file "$T/p1"
check_fail "passwd with stray argument is a usage error" 64 ds passwd extra

cp "$W/keyring" "$T/keyring.before"
check_fail "recover with another office's key fails" 1 ds recover --recovery-key "$O2/office-recovery.key" --new-passphrase-file "$T/p3" --kdf-cost min
has "recover says which office" "$T/.out" "office"
cmp -s "$W/keyring" "$T/keyring.before" && ok "failed recover leaves the keyring" || not_ok "failed recover leaves the keyring"
check_fail "recover without --recovery-key is a usage error" 64 ds recover --new-passphrase-file "$T/p3"
check "recover with the office recovery key" ds recover --recovery-key "$O/office-recovery.key" --new-passphrase-file "$T/p3" --kdf-cost min
check "recovered passphrase opens" ds show "$id0" --passphrase-file "$T/p3"
has "recovered data intact" "$T/.out" "SEEDMARK-0"
check_fail "pre-recovery passphrase no longer opens" 2 ds records --passphrase-file "$T/p2"

# A damaged keyring is named; nothing else changes.
sed -i 's/^kdf-ops .*/kdf-ops 7/' "$W/keyring"
check_fail "edited keyring is refused" 1 ds records --passphrase-file "$T/p3"
has "edited keyring is named" "$T/.out" "keyring .* is damaged or was edited"
check_fail "records without a workspace" 1 "$DOORSTEP" --workspace "$T/none" records --passphrase-file "$T/p1"
DOORSTEP_KDF_COST=bogus check_fail "bad DOORSTEP_KDF_COST is a usage error" 64 ds passwd --passphrase-file "$T/p3"
