#!/usr/bin/env bash
# passwd --rotate and recover from the command line (issue 13, finding 5):
# a copy of the keyring taken before opens nothing afterwards, with the old
# passphrase -- where a plain passwd leaves it working (the control); the
# new passphrase opens every record; the words come in the chosen language;
# a rotated laptop still opens the visit lists sealed to its box key.
. "$(dirname "$0")/../lib.sh"

O=$T/office
"$DOORSTEP_OFFICE" init --dir "$O" >/dev/null
printf 'first passphrase\n' >"$T/p1"
printf 'second passphrase\n' >"$T/p2"
printf 'third passphrase\n' >"$T/p3"
ds() { "$DOORSTEP" --workspace "$T/ws" "$@"; }
ds init --office-key "$O/office-public.key" --worker w --kdf-cost min \
    --passphrase-file "$T/p1" >/dev/null
ds fill "$DS_TOP/forms/household.md" --passphrase-file "$T/p1" \
    --answers "$DS_TOP/forms/demo/household-1.json" --finalize >/dev/null
# thief KEYRING PASSFILE: open a copy of the workspace as it is now, with
# an older keyring; the exit status.
thief() {
	rm -rf "$T/thief"
	cp -r "$T/ws" "$T/thief"
	cp "$1" "$T/thief/keyring"
	"$DOORSTEP" --workspace "$T/thief" --passphrase-file "$2" --lang en \
	    records >"$T/thief.out" 2>&1
}

cp "$T/ws/keyring" "$T/keyring.1"
check "plain passwd" ds passwd --new-passphrase-file "$T/p2" --kdf-cost min \
    --passphrase-file "$T/p1"
thief "$T/keyring.1" "$T/p1"
[ $? -eq 0 ] && ok "after a plain passwd the old keyring still opens (the control)" ||
    not_ok "after a plain passwd the old keyring still opens (the control)" \
    "$(cat "$T/thief.out")"

cp "$T/ws/keyring" "$T/keyring.2"
check "passwd --rotate" ds --lang en passwd --rotate \
    --new-passphrase-file "$T/p3" --kdf-cost min --passphrase-file "$T/p2"
has "it says the records were re-encrypted" "$T/.out" \
    "every record re-encrypted under a new key"
ds fill "$DS_TOP/forms/household.md" --passphrase-file "$T/p3" \
    --answers "$DS_TOP/forms/demo/household-2.json" --finalize >/dev/null
thief "$T/keyring.2" "$T/p2"
[ $? -ne 0 ] && ok "after --rotate the old keyring opens nothing" ||
    not_ok "after --rotate the old keyring opens nothing" "$(cat "$T/thief.out")"
if grep -q "household\|户" "$T/thief.out" && ! grep -qi "another workspace key\|damaged" "$T/thief.out"; then
	not_ok "no record shown to the old keyring" "$(cat "$T/thief.out")"
else ok "no record shown to the old keyring"; fi
check "the new passphrase opens both records" ds records \
    --passphrase-file "$T/p3"
n=$(grep -c '^[0-9a-f]\{8\}' "$T/.out")
[ "$n" -eq 2 ] && ok "two records listed" || not_ok "two records listed" "$n: $(cat "$T/.out")"
check_fail "the old passphrase does not" 2 ds records --passphrase-file "$T/p2"

cp "$T/ws/keyring" "$T/keyring.3"
printf 'recovered passphrase\n' >"$T/p4"
check "recover" ds --lang zh recover --recovery-key "$O/office-recovery.key" \
    --new-passphrase-file "$T/p4" --kdf-cost min
has "it says so in Chinese" "$T/.out" "新密钥"
thief "$T/keyring.3" "$T/p3"
[ $? -ne 0 ] && ok "after recover the keyring before it opens nothing" ||
    not_ok "after recover the keyring before it opens nothing" "$(cat "$T/thief.out")"
check "the recovered passphrase opens the records" ds records \
    --passphrase-file "$T/p4"

# The device box key (office bundles are sealed to it) is kept under the
# data key too: a laptop rotated after the office sealed its visit list,
# and again after, still opens it.
HH=3418021012010007
cat >"$T/register.csv" <<CSV
hh_key,township,village,group,head_name,id_number,members
$HH,341802101,341802101201,34180210120101,张建国,341802197903150315,6
CSV
printf '%s\n' "$HH" >"$T/keys.txt"
printf 'fifth passphrase\n' >"$T/p5"
printf 'sixth passphrase\n' >"$T/p6"
of() { "$DOORSTEP_OFFICE" --dir "$O" "$@"; }
S=$T/stick
mkdir -p "$S"
check "register imported" of register import "$T/register.csv"
ds sync export --out "$S" --passphrase-file "$T/p4" >/dev/null 2>&1
of import "$S" >/dev/null 2>&1
dev=$(of devices 2>/dev/null | grep -o '[0-9a-f]\{32\}' | head -n 1)
check "enroll the laptop" of enroll --fingerprint \
    "$(fingerprint "$T/ws" --passphrase-file "$T/p4")" "${dev:0:8}"
check "publish the household form" of publish "$DS_TOP/forms/household.md"
check "assign a household" of assign --device "${dev:0:8}" \
    --file "$T/keys.txt" --reason followup
of import "$S" >/dev/null 2>&1
check "passwd --rotate with a visit list waiting" ds passwd --rotate \
    --new-passphrase-file "$T/p5" --kdf-cost min --passphrase-file "$T/p4"
check "the rotated laptop takes the list" ds sync export --out "$S" \
    --passphrase-file "$T/p5"
check "records --due" ds records --due --passphrase-file "$T/p5"
has "the visit is due" "$T/.out" "$HH"
check "passwd --rotate again" ds passwd --rotate \
    --new-passphrase-file "$T/p6" --kdf-cost min --passphrase-file "$T/p5"
check "the laptop opens with the box key after a second rotation" \
    ds records --due --passphrase-file "$T/p6"
has "the visit is still due" "$T/.out" "$HH"
