#!/usr/bin/env bash
# doorstep form install (issue 14): a form that passes form check goes into
# the workspace with its CSV lists; a form with errors does not; a record
# started from a form path outside the workspace opens later from the
# workspace's copy, after the original is gone.
. "$(dirname "$0")/../lib.sh"

export DOORSTEP_PASSPHRASE=install-test-pass
O=$T/office
"$DOORSTEP_OFFICE" init --dir "$O" >/dev/null
ds() { "$DOORSTEP" --workspace "$T/ws" "$@"; }
ds init --office-key "$O/office-public.key" --worker w --kdf-cost min >/dev/null
mkdir -p "$T/usb"
cat > "$T/usb/visit.md" <<'MD'
| survey |
|        | type                              | name | label::English (en) | label::中文 (zh) |
|        | select_one_from_file villages.csv | vil  | Village             | 村               |
|        | text                              | who  | Name                | 姓名             |
| settings |
|          | form_id  | version |
|          | visitform | 7       |
MD
printf 'name,label::English (en),label::中文 (zh)\nv1,East,东村\nv2,West,西村\n' \
    >"$T/usb/villages.csv"
sed 's/| text /| txet /' "$T/usb/visit.md" >"$T/usb/broken.md"

for lang in en zh; do
	check_fail "a form with errors is refused ($lang)" 1 ds --lang $lang \
	    form install "$T/usb/broken.md"
done
ds --lang en form install "$T/usb/broken.md" >"$T/en.txt" 2>&1
has "says it was not installed (en)" "$T/en.txt" "was not installed"
ds --lang zh form install "$T/usb/broken.md" >"$T/zh.txt" 2>&1
has "says it was not installed (zh)" "$T/zh.txt" "没有安装"
grep -q "was not installed" "$T/zh.txt" && not_ok "one language only" ||
    ok "one language only"
[ ! -e "$T/ws/forms/visitform" ] && ok "nothing installed" ||
    not_ok "nothing installed" "$(ls -R "$T/ws/forms")"

check "form install" ds --lang en form install "$T/usb/visit.md"
has "says which form and version" "$T/.out" \
    "Form visitform version 7 installed in the workspace"
for f in visit.md villages.csv; do
	p=$T/ws/forms/visitform/7/$f
	cmp -s "$p" "$T/usb/$f" && ok "$f installed as it was" ||
	    not_ok "$f installed as it was" "$p"
	[ "$(stat -c %a "$p")" = 600 ] && ok "$f mode 0600" ||
	    not_ok "$f mode 0600" "$(stat -c %a "$p")"
done
check_fail "form install without a file: usage" 64 ds form install
# A version never changes: other content under version 7 is refused and the
# installed form stays as it was.
sed 's/| Name   /| Who    /' "$T/usb/visit.md" >"$T/usb2.md"
mkdir -p "$T/usb2" && mv "$T/usb2.md" "$T/usb2/visit.md" &&
    cp "$T/usb/villages.csv" "$T/usb2/"
cmp -s "$T/usb/visit.md" "$T/usb2/visit.md" &&
    not_ok "the changed form differs" "sed"
check_fail "other content under the same version is refused" 1 ds --lang en \
    form install "$T/usb2/visit.md"
cmp -s "$T/ws/forms/visitform/7/visit.md" "$T/usb/visit.md" &&
    ok "the installed version is unchanged" ||
    not_ok "the installed version is unchanged" "replaced"
check "the same content again is fine" ds --lang en form install \
    "$T/usb/visit.md"
printf '{"vil":"v1","who":"Li"}\n' >"$T/v.json"
check_fail "fill refuses a changed form under an installed version" 1 \
    ds --lang en fill "$T/usb2/visit.md" --answers "$T/v.json"
has "and says why" "$T/.out" "a version never changes"
ds --lang zh fill "$T/usb2/visit.md" --answers "$T/v.json" >"$T/zh2.txt" 2>&1
has "and says why (zh)" "$T/zh2.txt" "版本一经发布不再改变"

# A record started from a path outside the workspace opens from the
# workspace later, with the original gone.
cat > "$T/usb/other.md" <<'MD'
| survey |
|        | type    | name | label   |
|        | text    | who  | Name    |
|        | integer | n    | Members |
| settings |
|          | form_id  | version |
|          | otherform | 3       |
MD
printf '{"who":"Li","n":2}\n' >"$T/a.json"
ds --lang en fill "$T/usb/other.md" --answers "$T/a.json" --finalize \
    >"$T/id" 2>"$T/err"
id=$(cat "$T/id")
[ -n "$id" ] && ok "filled from a path" || not_ok "filled from a path" \
    "$(cat "$T/err")"
has "fill says the form went into the workspace" "$T/err" \
    "Form otherform version 3 installed in the workspace"
rm -rf "$T/usb"
check "a revisit opens the record's form from the workspace" ds --lang en \
    fill --revisit "$id" --answers "$T/a.json"
check "the form by id, from the workspace" ds --lang en fill otherform \
    --answers "$T/a.json"
