#!/usr/bin/env bash
# doorstep expr: the form author's calculator prints ODK's string values.
. "$(dirname "$0")/../lib.sh"
export TZ=CST-8 DOORSTEP_FAKE_NOW=1795406400	# 2026-11-23T12:00:00+08:00

out_is() {	# name, want, args...
	local name=$1 want=$2; shift 2
	local got
	got=$("$DOORSTEP" expr "$@" 2>&1)
	if [ "$got" = "$want" ]; then ok "$name"
	else not_ok "$name" "got '$got', want '$want'"; fi
}

out_is "expr prints integral numbers without .0" "5" '2.5 * 2'
out_is "expr prints booleans as true/false" "true" "true() = 'true'"
out_is "expr prints dates" "2026-11-23" 'today()'
out_is "expr prints now() with its offset" "2026-11-23T12:00:00.000+08:00" 'now()'
out_is "expr prints NaN" "NaN" "number('')"
out_is "expr --store prints NaN as empty" "" --store "number('')"
out_is "expr prints Java-style small numbers" "1.0E-4" '1 div 10000'

cat >"$T/hh.json" <<'JSON'
{ "hh": { "size": 3 },
  "member": [ { "name": "Wang", "age": 45 }, { "name": "Li", "age": 43 },
              { "name": "Mei", "age": 7 } ],
  "_instances": { "villages": [ { "name": "v1", "label": "东村" } ] } }
JSON
out_is "expr --data sums a repeat" "95" --data "$T/hh.json" 'sum(${age})'
out_is "expr --context resolves \${name} in the instance" "Li" \
    --data "$T/hh.json" --context '/data/member[2]/age' '${name}'
out_is "expr --context position(..)" "2" \
    --data "$T/hh.json" --context '/data/member[2]/age' 'position(..)'
out_is "expr looks up secondary instances" "东村" --data "$T/hh.json" \
    "instance('villages')/root/item[name = 'v1']/label"
out_is "expr checks ID cards" "female" "id-card-sex('11010519491231002X')"

check_fail "expr syntax error exits 1" 1 "$DOORSTEP" expr '1 +'
has "expr syntax error names the character" "$T/.out" "at character 3"
has "expr syntax error shows a caret" "$T/.out" '^     \^$'
check_fail "expr unknown function exits 1" 1 "$DOORSTEP" expr 'floor(1.5)'
has "expr rejects floor naming the alternative" "$T/.out" "use int()"
check_fail "expr repeated field as a value exits 1" 1 "$DOORSTEP" expr \
    --data "$T/hh.json" '${age} + 1'
has "expr says the field is repeated" "$T/.out" "this field is repeated"
check_fail "expr without an expression is a usage error" 64 "$DOORSTEP" expr
check_fail "expr with an unknown option is a usage error" 64 "$DOORSTEP" expr \
    --nope '1'
check_fail "expr with a missing data file exits 1" 1 "$DOORSTEP" expr \
    --data "$T/none.json" '1'
echo '{ bad' >"$T/bad.json"
check_fail "expr with bad JSON exits 1" 1 "$DOORSTEP" expr --data "$T/bad.json" '1'
check_fail "expr with a context selecting nothing exits 1" 1 "$DOORSTEP" expr \
    --data "$T/hh.json" --context '/data/nope' '1'

# --form: bind types, empty answers, choice lists and labels from the form;
# --data in `doorstep fill`'s shape (flat names, repeats as arrays).
cat >"$T/f.md" <<'MD'
| survey |
|        | type              | name   | label  |
|        | begin group       | g      | Group  |
|        | integer           | size   | Size   |
|        | select_one yes_no | poor   | Poor?  |
|        | end group         |        |        |
|        | begin repeat      | member | Member |
|        | text              | mname  | Name   |
|        | integer           | age    | Age    |
|        | date              | dob    | Born   |
|        | end repeat        |        |        |
| choices |
|         | list_name | name | label |
|         | yes_no    | yes  | Yes   |
|         | yes_no    | no   | No    |
MD
cat >"$T/a.json" <<'JSON'
{ "size": "4", "poor": "yes",
  "member": [ { "mname": "Wang", "age": "45", "dob": "1980-05-10" },
              { "mname": "Li", "age": "7" } ] }
JSON
out_is "expr --form types integer answers as numbers" "true" \
    --form "$T/f.md" --data "$T/a.json" "\${size} = '4.0'"
out_is "expr --form places answers in their groups" "4" \
    --form "$T/f.md" --data "$T/a.json" '/data/g/size'
out_is "expr --form sums a repeat" "52" \
    --form "$T/f.md" --data "$T/a.json" 'sum(${age})'
out_is "expr --form labels choices" "Yes" \
    --form "$T/f.md" --data "$T/a.json" "jr:choice-name(\${poor}, '\${poor}')"
out_is "expr --form lists are instances" "No" \
    --form "$T/f.md" "instance('yes_no')/root/item[name = 'no']/label"
out_is "expr --form unanswered questions are empty" "true" \
    --form "$T/f.md" "\${size} = ''"
out_is "expr --form an empty repeat counts 0" "0" \
    --form "$T/f.md" 'count(${age})'
out_is "expr --form date answers are dates" "16" --form "$T/f.md" \
    --data "$T/a.json" --context '/data/member[1]/age' \
    "\${dob} - date('1980-04-24')"
check_fail "expr --form unknown question exits 1" 1 "$DOORSTEP" expr \
    --form "$T/f.md" '${nope}'
has "expr --form names the unknown question" "$T/.out" 'unknown question ${nope}'
echo '| survey |' >"$T/bad.md"
echo '| | type | name |' >>"$T/bad.md"
echo '| | bogus | x |' >>"$T/bad.md"
check_fail "expr --form with a broken form exits 1" 1 "$DOORSTEP" expr \
    --form "$T/bad.md" '1'
has "expr --form prints the form's diagnostics" "$T/.out" "bad.md:3"

# A locale with a comma decimal point (de_DE) changes no number: forms,
# answers and reports always use '.'.
if locale -a 2>/dev/null | grep -qix 'de_DE.utf-\?8'; then
	got=$(LC_ALL=de_DE.UTF-8 "$DOORSTEP" expr '1.5 + number("2.25")' 2>&1)
	[ "$got" = "3.75" ] && ok "expr under a comma locale" ||
	    not_ok "expr under a comma locale" "got '$got', want '3.75'"
else
	not_ok "expr under a comma locale" "de_DE.UTF-8 is missing: run make deps"
fi
