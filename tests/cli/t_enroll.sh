#!/usr/bin/env bash
# Enrollment by fingerprint from the command line (issue 13, finding 1):
# `doorstep init` shows the laptop's fingerprint and `sync status` the same
# one; the office's enroll refuses without it and with a wrong one
# (nothing changes), and enrolls with it.  The stranger who takes a new
# laptop's id is tested with forged bundles in tests/unit/test_enroll.c.
# The words come in the chosen language (both checked).
. "$(dirname "$0")/../lib.sh"

O=$T/office
"$DOORSTEP_OFFICE" init --dir "$O" >/dev/null
printf 'enroll test passphrase\n' >"$T/pass"
ds() { "$DOORSTEP" --workspace "$T/ws" --passphrase-file "$T/pass" "$@"; }
check "init shows the fingerprint" ds --lang en init \
    --office-key "$O/office-public.key" --worker w --kdf-cost min
f_init=$(sed -n "s/^This laptop's fingerprint: \([0-9 ]*\)$/\1/p" "$T/.out")
case "$f_init" in
[0-9][0-9][0-9][0-9]\ [0-9][0-9][0-9][0-9]\ [0-9][0-9][0-9][0-9]\ [0-9][0-9][0-9][0-9]\ [0-9][0-9][0-9][0-9]\ [0-9][0-9][0-9][0-9])
	ok "six groups of four digits" ;;
*) not_ok "six groups of four digits" "'$f_init'" ;;
esac
f_status=$(fingerprint "$T/ws" --passphrase-file "$T/pass")
[ "$f_status" = "$f_init" ] && ok "sync status shows the same fingerprint" ||
    not_ok "sync status shows the same fingerprint" "'$f_status' vs '$f_init'"
ds --lang zh sync status >"$T/zh" 2>&1
has "sync status says it in Chinese" "$T/zh" "指纹：$f_init"

ds fill "$DS_TOP/forms/household.md" \
    --answers "$DS_TOP/forms/demo/household-1.json" --finalize >/dev/null
ds sync export --out "$T/usb" >/dev/null 2>&1
"$DOORSTEP_OFFICE" --dir "$O" import "$T/usb" >"$T/imp" 2>&1
dev=$(grep -o 'enroll [0-9a-f]\{8\}' "$T/imp" | head -1 | cut -d' ' -f2)
[ -n "$dev" ] && ok "import names the device to enroll" ||
    not_ok "import names the device to enroll" "$(cat "$T/imp")"
has "import says where the fingerprint is read" "$T/imp" "doorstep sync status"
"$DOORSTEP_OFFICE" --dir "$O" --lang en devices >"$T/dev0"
has "devices shows the start of the key's fingerprint" "$T/dev0" \
    "fingerprint ${f_init:0:9} \.\.\.: 1 held"
if grep -q "${f_init:10}" "$T/dev0"; then
	not_ok "devices does not show the whole fingerprint" "$(cat "$T/dev0")"
else ok "devices does not show the whole fingerprint"; fi

digest() { sqlite3 "$O/office.db" 'SELECT state, hex(sign_pk) FROM device;
    SELECT count(*) FROM pending; SELECT count(*) FROM revision;'; }
before=$(digest)
check_fail "enroll without the fingerprint is a usage error" 64 \
    "$DOORSTEP_OFFICE" --dir "$O" --lang en enroll "$dev"
has "it says to read it on the laptop" "$T/.out" "Read it on the laptop itself"
check_fail "enroll with another fingerprint fails" 1 \
    "$DOORSTEP_OFFICE" --dir "$O" --lang en enroll \
    --fingerprint "1111 2222 3333 4444 5555 6666" "$dev"
has "it says nothing was changed" "$T/.out" "Nothing was changed"
"$DOORSTEP_OFFICE" --dir "$O" --lang zh enroll \
    --fingerprint "1111 2222 3333 4444 5555 6666" "$dev" >"$T/zh" 2>&1
has "and in Chinese" "$T/zh" "未作任何改动"
[ "$(digest)" = "$before" ] && ok "a refused enroll changes no row" ||
    not_ok "a refused enroll changes no row"
check "enroll with the laptop's fingerprint" "$DOORSTEP_OFFICE" --dir "$O" \
    --lang zh enroll --fingerprint "$f_init" "$dev"
has "enrolled" "$T/.out" "已登记"
# What became of the bundle is worded too, not the receipt's status code.
has "and its held bundle imported" "$T/.out" "：已导入（1 条新记录）"
hasnt "no status code in English" "$T/.out" "imported\|duplicate"
