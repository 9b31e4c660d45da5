#!/usr/bin/env bash
# Issue 15, the first use of attachments: the shipped form's optional photo of
# the signed consent letter (letter_photo).  The valid household filled with
# fill --attach keeps the photo under an ODK file name, and the office's
# export writes it byte for byte into its -media/ folder.  The question is
# asked only after consent is yes: a refusal cannot carry a photo, and the
# valid household finalizes without one.
. "$(dirname "$0")/../lib.sh"

FORM=$DS_TOP/forms/household.md
FIX=$DS_TOP/tests/forms/household
export TZ=UTC DOORSTEP_FAKE_NOW=1726372800	# the fixtures' September 2024
field_ws || exit 0

check "form check lists the photo question" ds --lang en form check "$FORM"
has "the form's image question" "$T/.out" "image (1): a file attached from disk"

# A JPEG's first bytes, then a marker no other file has.
{ printf '\377\330\377\340\000\020JFIF\000'
  printf 'LETTERPHOTO%.0s' $(seq 100); head -c 8000 /dev/urandom; } \
    >"$T/letter.jpg"

# Before consent there is no photo to take: a refused visit with one is
# refused whole, saying why.
check_fail "no photo on a refusal" 1 ds --lang en fill "$FORM" \
    --answers "$FIX/refusal.json" --attach "letter_photo=$T/letter.jpg"
has "says the question is not asked" "$T/.out" "letter_photo"
has "nothing was saved" "$T/.out" "nothing was saved"

# Optional: the valid household finalizes without it.
check "finalizes without the photo" ds fill "$FORM" \
    --answers "$FIX/valid.json" --finalize

if ds fill "$FORM" --answers "$FIX/valid.json" \
    --attach "letter_photo=$T/letter.jpg" --finalize >"$T/id" 2>"$T/.out"
then ok "fill --attach letter_photo finalizes"
else not_ok "fill --attach letter_photo finalizes" "$(cat "$T/.out")"; fi
check "show the record" ds show "$(cat "$T/id")"
has "the answer is the file's ODK name" "$T/.out" \
    '"letter_photo":"[0-9]\{13\}\.jpg"'
name=$(sed -n 's/.*"letter_photo":"\([^"]*\)".*/\1/p' "$T/.out")
if cat "$W"/records.db* | grep -aq LETTERPHOTO; then
	not_ok "the photo is kept encrypted" "marker in the store"
else ok "the photo is kept encrypted"; fi

check "sync export" ds sync export --out "$T/usb"
b=$(find "$T/usb" -name '*.dsb' | head -1)
fpr=$(fingerprint "$W" --passphrase-file "$T/pass")
check "enroll the laptop" O enroll --fingerprint "$fpr" "$b"
check "import" O import "$b"
check "export" O --lang en export --format csv --out "$T/out/hh.csv"
has "export names the media folder" "$T/.out" "attached files: 1 in $T/out/hh-media"
if [ -n "$name" ] && cmp -s "$T/letter.jpg" "$T/out/hh-media/$name"; then
	ok "the letter's photo is in the export's -media folder"
else not_ok "the letter's photo is in the export's -media folder" \
    "$(ls -l "$T/out/hh-media" 2>&1)"; fi
has "its cell names the file" "$T/out/hh.csv" ",$name"
