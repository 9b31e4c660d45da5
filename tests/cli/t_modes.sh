#!/usr/bin/env bash
# Every file the programs write that holds personal data is 0600 whatever
# the umask (issue 13, finding 6).  Under `umask 000`: an office and a
# laptop are made, households saved, bundles exported, imported, enrolled
# with receipts to a folder, given a visit list (the office bundle on the
# stick, the laptop's note back), pushed over HTTP, the passphrase changed and
# recovered, and every export and report format written.  Then no file in
# either directory or in the output folder may be readable or writable by
# group or others -- but the two that are public by design:
# office-public.key (it goes to every laptop) and the office's
# settings.json (thresholds and codes, no household).
. "$(dirname "$0")/../lib.sh"

umask 000
O=$T/office
W=$T/ws
OUT=$T/out
mkdir -p "$OUT"
chmod 700 "$OUT"
printf 'modes test passphrase\n' >"$T/pass"
printf 'modes test passphrase 2\n' >"$T/pass2"
chmod 600 "$T/pass" "$T/pass2"
ds() { "$DOORSTEP" --workspace "$W" --passphrase-file "$T/pass" "$@"; }
od() { "$DOORSTEP_OFFICE" --dir "$O" "$@"; }

check "office init" od init
check "laptop init" ds init --office-key "$O/office-public.key" --worker w \
    --kdf-cost min
for i in 1 2 3; do
	check "fill $i" ds fill "$DS_TOP/forms/household.md" \
	    --answers "$DS_TOP/forms/demo/household-$i.json" --finalize
done
check "sync export" ds sync export --out "$OUT/usb"
check "import (held)" od import "$OUT/usb"
check "enroll, receipts to a folder" od enroll --receipts "$OUT/rcpt" \
    --fingerprint "$(fingerprint "$W" --passphrase-file "$T/pass")" \
    "$(find "$OUT/usb" -name '*.dsb' | head -1)"
check "sync ack" ds sync ack "$(find "$OUT/rcpt" -name '*.rcpt' | head -1)"
check "one more household" ds fill "$DS_TOP/forms/household.md" \
    --answers "$DS_TOP/forms/demo/household-1.json" --finalize
check "sync export again" ds sync export --out "$OUT/usb2"
check "import with receipts" od import --receipts "$OUT/rcpt2" "$OUT/usb2"
# A visit list: the office bundle to the stick's inbox (a stick is a
# folder that is there: only then does sync export read it and leave the
# note), the laptop's note back; and a bundle to a file.
HH=3418021012010007
cat >"$T/register.csv" <<CSV
hh_key,township,village,group,head_name,id_number,members
$HH,341802101,341802101201,34180210120101,张建国,341802197903150315,6
CSV
printf '%s\n' "$HH" >"$T/keys.txt"
check "register import" od register import "$T/register.csv"
check "publish" od publish "$DS_TOP/forms/household.md"
dev=$(od devices 2>/dev/null | grep -o '[0-9a-f]\{32\}' | head -n 1)
check "assign" od assign --device "${dev:0:8}" --file "$T/keys.txt" \
    --reason followup
mkdir "$OUT/usb3"
check "sync export leaves a note" ds sync export --out "$OUT/usb3"
check "import writes the visit list" od import "$OUT/usb3"
# The laptop takes it off the stick: look at it before.
inbox=$(find "$OUT/usb3" -path '*inbox*' -type f)
[ -n "$inbox" ] && [ -z "$(find $inbox -perm /077)" ] &&
    ok "the visit list on the stick is 0600" ||
    not_ok "the visit list on the stick is 0600" "$(ls -lR "$OUT/usb3")"
check "sync export takes it" ds sync export --out "$OUT/usb3"
check "records --due" ds records --due
has "the visit is due" "$T/.out" "$HH"
check "fill for a file" ds fill "$DS_TOP/forms/household.md" \
    --answers "$DS_TOP/forms/demo/household-3.json" --finalize
check "sync export to a file" ds sync export --out "$OUT/one.dsb"
[ -f "$OUT/one.dsb" ] && ok "the bundle file is there" ||
    not_ok "the bundle file is there" "$(ls "$OUT")"

# serve, and a push over HTTP (its spool lives in the office directory).
owned "$DOORSTEP_OFFICE" --dir "$O" serve --listen 127.0.0.1:0 \
    >"$T/serve.out" 2>"$T/serve.log" &
spid=$!
trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null; rm -rf "$T"' EXIT
port=
for _ in $(seq 100); do
	port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' \
	    "$T/serve.out")
	[ -n "$port" ] && break
	sleep 0.1
done
check "fill for the push" ds fill "$DS_TOP/forms/household.md" \
    --answers "$DS_TOP/forms/demo/household-2.json" --finalize
check "sync push" ds sync push "http://127.0.0.1:$port"
kill $spid; wait $spid 2>/dev/null
spid=

check "passwd" ds passwd --new-passphrase-file "$T/pass2" --kdf-cost min
check "recover" "$DOORSTEP" --workspace "$W" recover \
    --recovery-key "$O/office-recovery.key" --new-passphrase-file "$T/pass" \
    --kdf-cost min
for f in xlsx csv dta sav; do
	check "export $f" od export --format "$f" --out "$OUT/hh.$f"
done
check "report monthly csv" od report monthly --month 2024-09 \
    --out "$OUT/m.csv"
check "report monthly xlsx" od report monthly --month 2024-09 \
    --out "$OUT/m.xlsx"
check "report quality" od report quality --out "$OUT/q.csv"

n=$(find "$O" "$W" "$OUT" -type f | wc -l)
[ "$n" -ge 20 ] && ok "files were written ($n)" || not_ok "files were written" "$n"
loose=$(find "$O" "$W" "$OUT" -type f -perm /077 ! -path "$O/office-public.key" \
    ! -path "$O/settings.json")
[ -z "$loose" ] && ok "every file is 0600 under umask 000" ||
    not_ok "every file is 0600 under umask 000" "$(ls -l $loose)"
dirs=$(find "$O" "$W" "$OUT/rcpt" "$OUT/rcpt2" -type d -perm /077)
[ -z "$dirs" ] && ok "the office, workspace and receipt folders are 0700" ||
    not_ok "the office, workspace and receipt folders are 0700" \
    "$(ls -ld $dirs)"
