#!/usr/bin/env bash
# doorstep-office import and enroll from the command line: a file that is
# not a bundle gets no receipt and is named for what it is not; a bundle for
# another office says so and that exporting again will not help; reason
# words follow the chosen language; enrolling a held device writes fresh
# receipts that the laptop's `sync ack` then uses to retire its records.
. "$(dirname "$0")/../lib.sh"

O=$DOORSTEP_OFFICE
export DOORSTEP_PASSPHRASE=import-test-pass
"$O" init --dir "$T/a" >/dev/null && "$O" init --dir "$T/b" >/dev/null
ds() { "$DOORSTEP" --workspace "$T/ws" "$@"; }
ds init --office-key "$T/a/office-public.key" --worker w --kdf-cost min \
    >/dev/null
check "a household on the laptop" ds fill "$DS_TOP/forms/household.md" \
    --answers "$DS_TOP/forms/demo/household-1.json" --finalize
check "export to the stick" ds sync export --out "$T/usb"
b=$(find "$T/usb" -name '*.dsb' | head -1)
r=${b%.dsb}.rcpt

# Not a bundle: no receipt, says what the file is not, in one language.
for i in $(seq 40); do echo "visit Wang on Tuesday, then the Li family"; done >"$T/notes.txt"
check_fail "notes.txt is refused" 1 "$O" --dir "$T/a" --lang en import "$T/notes.txt"
has "notes.txt: not a doorstep bundle" "$T/.out" \
    "notes.txt: not a doorstep bundle: the file does not begin the way a bundle does"
has "notes.txt: no receipt, says so" "$T/.out" "no receipt was written"
if ls "$T"/notes* | grep -q rcpt; then not_ok "no receipt for notes.txt" "$(ls "$T")"
else ok "no receipt for notes.txt"; fi
if grep -q "export again" "$T/.out"; then
	not_ok "notes.txt: no advice to export again" "$(cat "$T/.out")"
else ok "notes.txt: no advice to export again"; fi
check_fail "notes.txt in Chinese" 1 "$O" --dir "$T/a" --lang zh import "$T/notes.txt"
has "notes.txt in Chinese: the reason in Chinese" "$T/.out" \
    "不是 doorstep 数据包：文件开头不是数据包的格式"
if grep -q '[A-Za-z]\{5,\}' <(sed 's/doorstep[-a-z ]*//g; s/\.dsb//; s|/[^ ]*||g' "$T/.out"); then
	not_ok "notes.txt in Chinese: no English words" "$(cat "$T/.out")"
else ok "notes.txt in Chinese: no English words"; fi

# A bundle for another office.
check_fail "office B refuses A's bundle" 1 "$O" --dir "$T/b" --lang en import "$b"
has "another office: says so" "$T/.out" "this bundle was made for another office"
has "another office: exporting again will not help" "$T/.out" \
    "Exporting it again will not help"
[ -f "$r" ] && not_ok "no receipt from the wrong office" "$r" ||
    ok "no receipt from the wrong office"
check_fail "another office in Chinese" 1 "$O" --dir "$T/b" --lang zh import "$b"
has "another office in Chinese" "$T/.out" "重新导出也没有用"

# A damaged bundle: refused with a receipt, the reason in Chinese.
cp "$b" "$T/bad.dsb"
at=$(($(stat -c %s "$b") - 20))
# Another byte than the one there (an 'x' over an 'x' changed nothing).
was=$(dd if="$b" bs=1 skip=$at count=1 2>/dev/null)
[ "$was" = x ] && put=y || put=x
printf '%s' "$put" | dd of="$T/bad.dsb" bs=1 seek=$at conv=notrunc 2>/dev/null
cmp -s "$b" "$T/bad.dsb" && not_ok "the damaged copy differs" "same bytes"
check_fail "a damaged bundle is refused" 1 "$O" --dir "$T/a" --lang zh import "$T/bad.dsb"
has "damaged: the reason in Chinese" "$T/.out" "数据包被拒收：签名验证不通过"
has "damaged: a receipt" "$T/.out" "回执 $T/bad.rcpt"

# A new laptop: held, then enrolled; the fresh receipt replaces the held
# one, and the laptop's ack of it retires the record.
check "import holds the new laptop's bundle" "$O" --dir "$T/a" import "$b"
has "held" "$T/.out" "enroll [0-9a-f]\{8\} --fingerprint"
ds sync ack "$r" >"$T/ack0" 2>&1
ds --lang en sync status >"$T/st0" 2>&1
check "enroll by the bundle" "$O" --dir "$T/a" --lang en enroll \
    --fingerprint "$(fingerprint "$T/ws")" "$b"
has "enroll writes the fresh receipt" "$T/.out" "receipt $r"
has "enroll tells the operator to take it back" "$T/.out" \
    "1 fresh receipt(s) written to $(dirname "$b")"
check "the laptop applies the fresh receipt" ds sync ack "$r"
ds --lang en sync status >"$T/st1" 2>&1
if grep -q "^  acknowledged 0" "$T/st0" &&
    grep -q "^  acknowledged 1" "$T/st1"; then
	ok "the record is acknowledged after the fresh receipt"
else not_ok "the record is acknowledged after the fresh receipt" \
	"before: $(cat "$T/st0") after: $(cat "$T/st1")"; fi
# Enrolled by id with no --receipts: nothing written, and it says how.
"$DOORSTEP" --workspace "$T/ws2" init --office-key "$T/a/office-public.key" \
    --worker w2 --kdf-cost min >/dev/null
"$DOORSTEP" --workspace "$T/ws2" fill "$DS_TOP/forms/household.md" \
    --answers "$DS_TOP/forms/demo/household-2.json" --finalize >/dev/null
"$DOORSTEP" --workspace "$T/ws2" sync export --out "$T/usb2" >/dev/null 2>&1
"$O" --dir "$T/a" import "$T/usb2" >"$T/imp2" 2>&1
dev=$(grep -o 'enroll [0-9a-f]\{8\}' "$T/imp2" | head -1 | cut -d' ' -f2)
check_fail "enroll by id without the fingerprint is refused" 64 \
    "$O" --dir "$T/a" --lang en enroll "$dev"
has "it says where the fingerprint is" "$T/.out" "doorstep sync status"
check "enroll by id" "$O" --dir "$T/a" --lang en enroll \
    --fingerprint "$(fingerprint "$T/ws2")" "$dev"
has "enroll by id says no receipts were written, and how" "$T/.out" \
    "no receipts written (no --receipts DIR). The laptop's \`doorstep sync ack URL\`"

# The laptop reads a refusal in its own language, the reason included.
ds --lang zh sync ack "$T/bad.rcpt" >"$T/ack-bad" 2>&1
has "the laptop words the refusal in Chinese" "$T/ack-bad" "办公室的答复：拒收：签名验证不通过。"
