#!/usr/bin/env bash
# The field side of issue 14 through the real programs:
# - a choice label computed in the English screen is stored in the form's
#   own language (village_name was stored as "Donghu (sample)"), so the
#   office lists one village, not two;
# - the same household saved twice on one laptop in one month warns at
#   `fill` (a visit the next month does not), in the chosen language, and
#   the office's problem list shows the pair;
# - `sync export --out DIR` on the workspace's own disk warns and says
#   where the bundle went; on another file system it does not.
. "$(dirname "$0")/../lib.sh"

export DOORSTEP_PASSPHRASE=twice-test-pass
O=$T/office
"$DOORSTEP_OFFICE" init --dir "$O" >/dev/null
ds() { "$DOORSTEP" --workspace "$T/ws" "$@"; }
ds init --office-key "$O/office-public.key" --worker w --kdf-cost min >/dev/null
F=$DS_TOP/forms
sed 's/"visit_date": "2024-09-10"/"visit_date": "2024-10-12"/' \
    "$F/demo/household-1.json" >"$T/october.json"
grep -q 2024-10-12 "$T/october.json" || not_ok "october answers" "sed"

ds --lang en fill "$F/household.md" --answers "$F/demo/household-1.json" \
    --finalize >"$T/id1" 2>"$T/err1"
id1=$(cat "$T/id1")
[ -n "$id1" ] && [ ! -s "$T/err1" ] && ok "the first save: no warning" ||
    not_ok "the first save: no warning" "$(cat "$T/err1")"
ds show "$id1" >"$T/show1"
has "village_name is stored in the form's language" "$T/show1" \
    '"village_name":"东湖村（示例）"'
if grep -q 'Donghu' "$T/show1"; then
	not_ok "no English label is stored" "$(grep -o '"village_name":"[^"]*"' "$T/show1")"
else ok "no English label is stored"; fi

check "the same household again (English)" ds --lang en fill \
    "$F/household.md" --answers "$F/demo/household-1.json" --finalize
has "fill warns: already on this laptop" "$T/.out" \
    "warning: this household (same household number, visited the same month) is already on this laptop as record $id1"
check "and again (Chinese)" ds --lang zh fill \
    "$F/household.md" --answers "$F/demo/household-1.json" --finalize
has "fill warns in Chinese" "$T/.out" "警告：本户（户编号相同、同月走访）已在本机有一条记录 $id1"
ds --lang en fill "$F/household.md" --answers "$T/october.json" --finalize \
    >/dev/null 2>"$T/err4"
if grep -q "warning" "$T/err4"; then
	not_ok "next month's visit is not a twin" "$(cat "$T/err4")"
else ok "next month's visit is not a twin"; fi
[ "$(ds records | wc -l)" -eq 4 ] && ok "every save was kept" ||
    not_ok "every save was kept" "$(ds records)"

# The stick on the workspace's own disk.
check "export to a directory on the laptop's disk" ds --lang en sync export \
    --out "$T/usb"
b=$(find "$T/usb" -name '*.dsb' | head -1)
has "export warns it is not a stick" "$T/.out" \
    "warning: $(realpath "$b") is on this laptop's own disk, not a removable stick"
if grep -q 'safely remove' "$T/.out"; then
	not_ok "no safely-remove advice for the laptop's disk" "$(cat "$T/.out")"
else ok "no safely-remove advice for the laptop's disk"; fi
other=
for d in /dev/shm /run; do
	if [ -d "$d" ] && [ -w "$d" ] &&
	    [ "$(stat -c %d "$d")" != "$(stat -c %d "$T")" ]; then
		other=$(mktemp -d "$d/ds-usb.XXXXXX") && break
	fi
done
if [ -n "$other" ]; then
	ds fill "$F/household.md" --answers "$F/demo/household-2.json" >/dev/null 2>&1
	check "export to another file system" ds --lang en sync export --out "$other"
	if grep -q 'warning' "$T/.out"; then
		not_ok "no warning for another file system" "$(cat "$T/.out")"
	else ok "no warning for another file system"; fi
	rm -rf "$other"
else
	ok "no warning for another file system # SKIP no second file system"
fi

# The office: the pair on the problem list; one village.
"$DOORSTEP_OFFICE" --dir "$O" import "$T/usb" >/dev/null
check "enroll" "$DOORSTEP_OFFICE" --dir "$O" enroll \
    --fingerprint "$(fingerprint "$T/ws")" "$b"
check "report quality" "$DOORSTEP_OFFICE" --dir "$O" report quality \
    --out "$T/q.csv"
n=$(grep -c '同户重复录入' "$T/q.csv")
[ "$n" -eq 3 ] && ok "the problem list shows each of the three same-month saves" ||
    not_ok "the problem list shows each of the three same-month saves" "$n rows: $(cat "$T/q.csv")"
if grep '同户重复录入' "$T/q.csv" | grep -q '2024-10-12'; then
	not_ok "the October visit is not on the twin rows" "$(grep 2024-10 "$T/q.csv")"
else ok "the October visit is not on the twin rows"; fi
has "a twin row names the first record" "$T/q.csv" "另一条记录：[^。]*${id1:0:8}"
# Names from the records themselves (no area lists): one village.
mkdir -p "$T/nolists"
"$DOORSTEP_OFFICE" --dir "$O" report quality --forms "$T/nolists" \
    --out "$T/q2.csv" >/dev/null
v=$(awk -F, 'NR > 1 { print $6 }' "$T/q2.csv" | sort -u)
[ "$v" = "东湖村（示例）" ] && ok "the problem list names the village once" ||
    not_ok "the problem list names the village once" "$v"
