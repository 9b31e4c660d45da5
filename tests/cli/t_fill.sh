#!/usr/bin/env bash
# doorstep fill: headless interviews against a real workspace store.
. "$(dirname "$0")/../lib.sh"

field_ws || exit 0

cat > "$T/hh.md" <<'MD'
| survey |
|        | type          | name    | label     | relevant        | constraint    | constraint_message | required | calculation      | warning  | warning_message |
|        | select_one yn | consent | Agree?    |                 |               |                    | yes      |                  |          |                 |
|        | text          | head    | Head name |                 |               |                    | yes      |                  |          |                 |
|        | begin repeat  | member  | Member    |                 |               |                    |          |                  |          |                 |
|        | text          | mname   | Name      |                 |               |                    | yes      |                  |          |                 |
|        | integer       | age     | Age       |                 | . < 130       | Age under 130      | yes      |                  | . < 100  | Over 100?       |
|        | text          | school  | School    | ${age} < 18     |               |                    |          |                  |          |                 |
|        | end repeat    |         |           |                 |               |                    |          |                  |          |                 |
|        | calculate     | size    |           |                 |               |                    |          | count(${member}) |          |                 |
| choices |
|         | list_name | name | label |
|         | yn        | yes  | Yes   |
|         | yn        | no   | No    |
| settings |
|          | form_id | version | consent | household_key | head_name | instance_name          |
|          | hh      | 1       | consent | head          | head      | concat('HH ', ${head}) |
MD

cat > "$T/good.json" <<'JSON'
{"consent": "yes", "head": "Zhang San",
 "member": [{"mname": "Zhang San", "age": 40},
            {"mname": "Zhang Xiao", "age": "9", "school": "No. 2 Primary"}]}
JSON
if ds fill "$T/hh.md" --answers "$T/good.json" --finalize >"$T/id" 2>"$T/.out"; then
	ok "fill --finalize saves a finalized record"
else
	not_ok "fill --finalize saves a finalized record" "$(cat "$T/.out")"
fi
id=$(cat "$T/id")
if echo "$id" | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'; then
	ok "fill prints the record id"
else
	not_ok "fill prints the record id" "got '$id'"
fi
check "show the filled record" ds show "$id"
has "answers are in the record" "$T/.out" '"school":"No. 2 Primary"'
has "calculates are in the record" "$T/.out" '"size":"2"'
has "the state is finalized" "$T/.out" '"state":"finalized"'
check "records lists it" ds records
has "the list shows the head from the head_name setting" "$T/.out" "finalized .*Zhang San"

cat > "$T/bad.json" <<'JSON'
{"consent": "yes", "head": "Li Si", "nosuch": "x",
 "member": [{"mname": "Li Si", "age": "abc"}, {"mname": "B", "age": 150},
            {"mname": "C", "age": 40, "school": "too old"}]}
JSON
check_fail "fill with bad answers fails" 1 ds fill "$T/hh.md" --answers "$T/bad.json" \
    --lang en
has "unknown question listed" "$T/.out" "unknown question 'nosuch'"
has "type error listed with its path" "$T/.out" "member\[1\]/age: .*Enter a whole number"
has "constraint listed with its message" "$T/.out" "member\[2\]/age: Age under 130"
has "non-relevant answer listed" "$T/.out" "member\[3\]/school: .*not relevant"
has "nothing was saved" "$T/.out" "nothing was saved"
# The engine's notes in the one language chosen: Chinese from DOORSTEP_LANG.
DOORSTEP_LANG=zh check_fail "fill in Chinese" 1 ds fill "$T/hh.md" \
    --answers "$T/bad.json"
has "type error in Chinese" "$T/.out" "member\[1\]/age: .*请输入整数"
if grep -q "Enter a whole number" "$T/.out"; then
	not_ok "no English note in Chinese" "$(cat "$T/.out")"
else ok "no English note in Chinese"; fi
check_fail "a language fill does not know" 64 ds fill "$T/hh.md" \
    --answers "$T/bad.json" --lang fr
ds records >"$T/list" 2>&1
if grep -q "Li Si" "$T/list"; then not_ok "bad fill saved nothing" "found Li Si"
else ok "bad fill saved nothing"; fi

cat > "$T/warn.json" <<'JSON'
{"consent": "yes", "head": "Old", "member": [{"mname": "Old", "age": 104}]}
JSON
check_fail "finalize refused on an open warning" 1 ds fill "$T/hh.md" \
    --answers "$T/warn.json" --finalize --lang en
has "warning listed" "$T/.out" "member\[1\]/age: warning: Over 100?"
check_fail "the same in Chinese" 1 ds fill "$T/hh.md" \
    --answers "$T/warn.json" --finalize --lang zh
has "warning listed in Chinese" "$T/.out" "member\[1\]/age: 提醒：Over 100?"
cat > "$T/warn2.json" <<'JSON'
{"consent": "yes", "head": "Old", "member": [{"mname": "Old", "age": 104}],
 "_meta": {"reasons": {"member[1]/age": "saw the ID card"}}}
JSON
check "a reason confirms the warning" ds fill "$T/hh.md" --answers \
    "$T/warn2.json" --finalize

cat > "$T/refused.json" <<'JSON'
{"consent": "no"}
JSON
check "a refusal can be finalized" ds fill "$T/hh.md" --answers \
    "$T/refused.json" --finalize
cat > "$T/refused2.json" <<'JSON'
{"consent": "no", "head": "Wu"}
JSON
check_fail "answers past a refused consent fail" 1 ds fill "$T/hh.md" \
    --answers "$T/refused2.json" --lang en
has "consent message" "$T/.out" "head: .*Consent was refused"
check_fail "the same in Chinese" 1 ds fill "$T/hh.md" \
    --answers "$T/refused2.json" --lang zh
has "consent message in Chinese" "$T/.out" "head: .*对方不同意"

check "a draft without --finalize" ds fill "$T/hh.md" --answers "$T/refused.json"
check_fail "missing answers file" 1 ds fill "$T/hh.md" --answers "$T/none.json"
check_fail "usage without --answers" 64 ds fill "$T/hh.md"
printf 'wrong passphrase!!\n' > "$T/wrong"
check_fail "wrong passphrase exits 2" 2 "$DOORSTEP" --workspace "$W" \
    --passphrase-file "$T/wrong" fill "$T/hh.md" --answers "$T/good.json"
