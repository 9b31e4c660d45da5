#!/usr/bin/env bash
# Issue 15, media questions: a photo attached by path with fill --attach is
# kept encrypted in the laptop's store, travels in the bundle (version 2),
# is kept sealed at the office and written by export next to the table,
# byte for byte.  Every refusal says what happened and saves nothing; a
# bundle whose file was changed on the stick is refused.
. "$(dirname "$0")/../lib.sh"

field_ws || exit 0

cat > "$T/m.md" <<'MD'
| survey |
|        | type          | name      | label                 | required |
|        | text          | head      | Head name             | yes      |
|        | image         | letter    | Photo of the letter   | yes      |
|        | audio         | voice     | Recording             |          |
|        | video         | clip      | Video                 |          |
|        | file          | doc       | Document              |          |
|        | begin repeat  | member    | Member                |          |
|        | text          | mname     | Name                  |          |
|        | photo         | card      | Photo of the card     |          |
|        | end repeat    |           |                       |          |
| settings |
|          | form_id | version | household_key | head_name |
|          | media   | 1       | head          | head      |
MD
# A photo: a JPEG's first bytes, then a marker a plaintext scan finds.
# The marker is this run's own: another run's files in /tmp hold theirs.
MARK=MEDIAMARKER$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
{ printf '\377\330\377\340\000\020JFIF\000'; printf "$MARK%.0s" $(seq 200)
  head -c 20000 /dev/urandom; } > "$T/letter.jpg"
{ printf '\211PNG\r\n\032\n'; head -c 3000 /dev/urandom; } > "$T/card.png"
printf 'ID3\003\000\000\000\000\000\000' > "$T/voice.mp3"
head -c 5000 /dev/urandom >> "$T/voice.mp3"
printf 'a plain document\n' > "$T/notes.txt"
cat > "$T/a.json" <<'JSON'
{"head": "Zhang San", "member": [{"mname": "Zhang San"}, {"mname": "Li Mei"}]}
JSON

check "form check lists the media types" ds form check "$T/m.md" --lang en
has "image is attached from disk" "$T/.out" "attached from disk"

# Refusals: each says why, nothing is saved.
check_fail "a missing file" 1 ds fill "$T/m.md" --answers "$T/a.json" \
    --attach "letter=$T/nope.jpg" --lang en
has "missing: says there is no file" "$T/.out" "There is no file at $T/nope.jpg"
has "missing: nothing saved" "$T/.out" "nothing was saved"
DOORSTEP_LANG=zh check_fail "a missing file, in Chinese" 1 ds fill "$T/m.md" \
    --answers "$T/a.json" --attach "letter=$T/nope.jpg"
has "missing in Chinese" "$T/.out" "没有文件"
check_fail "a file that is not an image" 1 ds fill "$T/m.md" \
    --answers "$T/a.json" --attach "letter=$T/notes.txt" --lang en
has "wrong kind: says what the question takes" "$T/.out" \
    "is not what this question takes: a photo"
check_fail "a photo for an audio question" 1 ds fill "$T/m.md" \
    --answers "$T/a.json" --attach "letter=$T/letter.jpg" \
    --attach "voice=$T/letter.jpg" --lang en
has "photo to audio refused" "$T/.out" "a sound recording"
truncate -s 17M "$T/big.jpg"
check_fail "a file over 16 MiB" 1 ds fill "$T/m.md" --answers "$T/a.json" \
    --attach "letter=$T/big.jpg" --lang en
has "too large: says the cap" "$T/.out" "larger than 16 MiB"
mkdir "$T/dir.jpg"
check_fail "a folder" 1 ds fill "$T/m.md" --answers "$T/a.json" \
    --attach "letter=$T/dir.jpg" --lang en
has "a folder cannot be read" "$T/.out" "cannot be read"
check_fail "a text question" 1 ds fill "$T/m.md" --answers "$T/a.json" \
    --attach "head=$T/letter.jpg" --lang en
has "not a media question" "$T/.out" "head is not a photo, audio, video or file question"
echo '{"head":"Li","letter":"../../etc/passwd"}' > "$T/typed.json"
check_fail "a file name typed as the answer" 1 ds fill "$T/m.md" \
    --answers "$T/typed.json" --lang en
has "a typed path is not an answer" "$T/.out" "Attach a file by its path"
ds records >"$T/list" 2>&1
if grep -q "Zhang San" "$T/list"; then not_ok "refusals saved nothing" "$(cat "$T/list")"
else ok "refusals saved nothing"; fi

# Attach: the answer is the name the file is kept under.
if ds fill "$T/m.md" --answers "$T/a.json" --attach "letter=$T/letter.jpg" \
    --attach "member[2]/card=$T/card.png" --attach "voice=$T/voice.mp3" \
    --attach "doc=$T/notes.txt" --finalize >"$T/id" 2>"$T/.out"; then
	ok "fill --attach saves the record"
else not_ok "fill --attach saves the record" "$(cat "$T/.out")"; fi
id=$(cat "$T/id")
# A script keeps its files: fill says where the copy in clear stays.
has "fill says the photo stays in clear" "$T/.out" \
    "letter.jpg 仍留在这台电脑上，没有加密"
check "show the record" ds show "$id"
has "the photo's answer is an ODK name" "$T/.out" '"letter":"[0-9]\{13\}\.jpg"'
has "the card in member 2" "$T/.out" '"card":"[0-9]\{13\}\.png"'
has "the recording" "$T/.out" '"voice":"[0-9]\{13\}\.mp3"'
has "a file keeps its extension" "$T/.out" '"doc":"[0-9]\{13\}\.txt"'
letter=$(sed -n 's/.*"letter":"\([^"]*\)".*/\1/p' "$T/.out")
card=$(sed -n 's/.*"card":"\([^"]*\)".*/\1/p' "$T/.out")
if cat "$W"/records.db* | grep -aq "$MARK"; then
	not_ok "no plaintext of the photo in the store" "marker found"
else ok "no plaintext of the photo in the store"; fi
if find "$W" "${TMPDIR:-/tmp}" -newer "$T/letter.jpg" -type f 2>/dev/null |
    xargs grep -al "$MARK" 2>/dev/null | grep -v "^$T/letter.jpg$" |
    grep -q .; then
	not_ok "no plaintext copy in temp files" "found"
else ok "no plaintext copy in temp files"; fi

# To the office: bundle, import, export.
check "sync export" ds sync export --out "$T/usb"
b=$(find "$T/usb" -name '*.dsb' | head -1)
if od -A d -t u1 -j 6 -N 2 "$b" | head -1 | grep -q ' 2 *0$'; then
	ok "the bundle is version 2"
else not_ok "the bundle is version 2" "$(od -A d -t u1 -j 6 -N 2 "$b")"; fi
if grep -aq "$MARK" "$b"; then not_ok "the bundle is encrypted" "marker"
else ok "the bundle is encrypted"; fi
# A copy with one byte of the sealed payload changed is refused whole.
cp "$b" "$T/bad.dsb"
sz=$(stat -c %s "$b")
# Another value than the byte there (writing 1 left a byte that was 1 as
# it was, one run in 256).
v=$(od -A n -t u1 -j $((sz - 2000)) -N 1 "$b" | tr -d ' ')
printf "\\$(printf '%03o' $(((v + 1) % 256)))" |
    dd of="$T/bad.dsb" bs=1 seek=$((sz - 2000)) conv=notrunc 2>/dev/null
cmp -s "$b" "$T/bad.dsb" && not_ok "the copy differs" "same bytes"
fpr=$(fingerprint "$W" --passphrase-file "$T/pass")
check "enroll the laptop" O enroll --fingerprint "$fpr" "$b"
O import "$T/bad.dsb" --lang en >"$T/.out" 2>&1
has "the changed bundle is refused" "$T/.out" "signature does not verify"
check "import" O import "$b"
check "export csv" O --lang en export --format csv --out "$T/out/hh.csv"
has "export names the folder" "$T/.out" "attached files: 4 in $T/out/hh-media"
if cmp -s "$T/letter.jpg" "$T/out/hh-media/$letter"; then
	ok "the photo comes out byte for byte"
else not_ok "the photo comes out byte for byte" "$(ls -l "$T/out/hh-media")"; fi
if cmp -s "$T/card.png" "$T/out/hh-media/$card"; then
	ok "the member's card comes out byte for byte"
else not_ok "the member's card comes out byte for byte" "$card"; fi
[ "$(stat -c %a "$T/out/hh-media/$letter")" = 600 ] &&
    ok "exported files are 0600" ||
    not_ok "exported files are 0600" "$(stat -c %a "$T/out/hh-media/$letter")"
[ "$(stat -c %a "$T/out/hh-media")" = 700 ] && ok "the folder is 0700" ||
    not_ok "the folder is 0700" "$(stat -c %a "$T/out/hh-media")"
has "the cell holds the file name" "$T/out/hh.csv" ",$letter"
has "the member's cell holds its name" "$T/out/hh-members.csv" "$card"

# A new passphrase re-encrypts the files too.
printf 'another good passphrase\n' > "$T/pass2"
check "passwd" ds passwd --new-passphrase-file "$T/pass2" --kdf-cost min
cp "$T/pass2" "$T/pass"
if ds fill "$T/m.md" --answers "$T/a.json" --attach "letter=$T/card.png" \
    >"$T/id2" 2>"$T/.out"; then ok "attach after passwd"
else not_ok "attach after passwd" "$(cat "$T/.out")"; fi
check "sync export after passwd" ds sync export --out "$T/usb2"

# A correction starts from every answer, the files' names too: the new
# record gets its own sealed copy of each file, which travels with it, so
# the office's export has them for both records (the second under its
# record id).  Before, the correction named files it never had and the
# export left them out.
if ds fill --correct "$id" --reason "a name was misspelt" --finalize \
    >"$T/id3" 2>"$T/.out"; then ok "a correction finalizes"
else not_ok "a correction finalizes" "$(cat "$T/.out")"; fi
check "show the correction" ds show "$(cat "$T/id3")"
has "the correction names the same photo" "$T/.out" "\"letter\":\"$letter\""
check "sync export the correction" ds sync export --out "$T/usb3"
check "import the correction" O import "$T/usb3"
check "export again" O --lang en export --format csv --out "$T/out3/hh.csv"
n=$(find "$T/out3/hh-media" -type f -name "*$letter" \
    -exec cmp -s "$T/letter.jpg" {} \; -print | wc -l)
[ "$n" = 2 ] && ok "the photo comes out for the record and its correction" ||
    not_ok "the photo comes out for the record and its correction" \
    "$(ls -l "$T/out3/hh-media" 2>&1)"
n=$(find "$T/out3/hh-media" -type f -name "*$card" | wc -l)
[ "$n" = 2 ] && ok "the member's card too" ||
    not_ok "the member's card too" "$(ls -l "$T/out3/hh-media" 2>&1)"

# A file the record no longer has (here taken out of the store) does not
# stop a correction: its answer is left out, to attach again.
sqlite3 "$W/records.db" "DELETE FROM attachment WHERE name = '$card'" \
    2>/dev/null
if ds fill --correct "$(cat "$T/id3")" --reason "again" >"$T/id4" \
    2>"$T/.out"; then ok "a correction starts without a missing file"
else not_ok "a correction starts without a missing file" "$(cat "$T/.out")"; fi
check "show the second correction" ds show "$(cat "$T/id4")"
has "it keeps the photo" "$T/.out" "\"letter\":\"$letter\""
hasnt "it leaves the missing card out" "$T/.out" "\"card\":\"$card\""
