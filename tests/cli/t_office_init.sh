#!/usr/bin/env bash
# doorstep-office init: key files, modes, refusal to overwrite, usage.
. "$(dirname "$0")/../lib.sh"

O=$T/office
check "office init creates the office" "$DOORSTEP_OFFICE" init --dir "$O"
has "office init names the public file" "$T/.out" "office-public.key"
has "public key file header" "$O/office-public.key" "^doorstep office public key v1$"
has "public key file box line" "$O/office-public.key" "^box [0-9a-f]\{64\}$"
has "public key file sign line" "$O/office-public.key" "^sign [0-9a-f]\{64\}$"
has "public key file recovery line" "$O/office-public.key" "^recovery [0-9a-f]\{64\}$"
has "public key file office id" "$O/office-public.key" "^office-id [0-9a-f]\{32\}$"
has "secret key file sign-secret" "$O/office-secret.key" "^sign-secret [0-9a-f]\{128\}$"
has "recovery key file" "$O/office-recovery.key" "^recovery-secret [0-9a-f]\{64\}$"
m=$(stat -c %a "$O" "$O/office-public.key" "$O/office-secret.key" "$O/office-recovery.key" | tr '\n' ' ')
if [ "$m" = "700 644 600 600 " ]; then ok "office modes 0700/0644/0600"
else not_ok "office modes 0700/0644/0600" "got $m"; fi
id1=$(sed -n 's/^office-id //p' "$O/office-public.key")
id2=$(sed -n 's/^office-id //p' "$O/office-secret.key")
[ "$id1" = "$id2" ] && ok "office id agrees" || not_ok "office id agrees" "$id1 $id2"
sum=$(cat "$O"/*.key | md5sum)
check_fail "office init refuses existing keys" 1 "$DOORSTEP_OFFICE" init --dir "$O"
has "refusal says why" "$T/.out" "already exists"
[ "$sum" = "$(cat "$O"/*.key | md5sum)" ] && ok "existing keys untouched" || not_ok "existing keys untouched"
DOORSTEP_OFFICE_DIR=$T/office2 check "office init from DOORSTEP_OFFICE_DIR" "$DOORSTEP_OFFICE" init
check_fail "office init without --dir is a usage error" 64 "$DOORSTEP_OFFICE" init
check_fail "office init with extra argument is a usage error" 64 "$DOORSTEP_OFFICE" init --dir "$T/o3" extra
check "office.db created" test -s "$O/office.db"
m=$(stat -c %a "$O/office.db")
[ "$m" = 600 ] && ok "office.db mode 0600" || not_ok "office.db mode 0600" "got $m"
# An existing office.db without keys: init fails and leaves no keys behind.
mkdir -p "$T/o4" && cp "$O/office.db" "$T/o4/office.db"
check_fail "office init refuses an existing office.db" 1 "$DOORSTEP_OFFICE" init --dir "$T/o4"
[ ! -e "$T/o4/office-secret.key" ] && ok "no keys left after failed init" || not_ok "no keys left after failed init"
# release on an office with nothing waiting: a clear refusal, nothing changed.
check_fail "release with nothing waiting fails" 1 "$DOORSTEP_OFFICE" release --dir "$O" abcd1234
has "release says nothing waits, in Chinese" "$T/.out" "没有以 abcd1234 开头的等待中版本"
has "release says nothing was changed, in Chinese" "$T/.out" "未作任何改动"
hasnt "release in Chinese only" "$T/.out" "nothing was changed"
check_fail "release with nothing waiting fails (en)" 1 "$DOORSTEP_OFFICE" --lang en release --dir "$O" abcd1234
has "release says nothing waits" "$T/.out" "no waiting revision starts with abcd1234"
has "release says nothing was changed" "$T/.out" "nothing was changed"
no_zh "release in English only" "$T/.out"
check_fail "release with 3 digits is a usage error" 64 "$DOORSTEP_OFFICE" --lang en release --dir "$O" abc
has "release asks for 4 digits" "$T/.out" "at least 4 hex digits"
check_fail "release without a revision is a usage error" 64 "$DOORSTEP_OFFICE" release --dir "$O"
