#!/usr/bin/env bash
# Visit lists end to end through the real binaries (issue 11), once over a
# USB folder and once over HTTP (a real doorstep-office serve on loopback):
# the office imports a register and a department's list, publishes a new
# version of the household form and assigns three households; the laptop
# takes the lists and the form; one follow-up visit starts from the
# carried members and is not asked for consent again, a second visit is
# refused, a third corrects an older record; the answers go back and the
# office shows the entries done and the clue closed.
. "$(dirname "$0")/../lib.sh"

export DOORSTEP_KDF_COST=min DOORSTEP_LANG=en
printf 'correct horse battery\n' > "$T/pass"
HH1=3418021012010007	# visited before; the department's warning
HH2=3418021012020003	# refuses
HH3=3418021022010011	# not visited yet

cat > "$T/register.csv" <<CSV
hh_key,township,village,group,head_name,id_number,members
$HH1,341802101,341802101201,34180210120101,张建国,341802197903150315,6
$HH2,341802101,341802101202,34180210120201,陈玉兰,341802195604120723,3
$HH3,341802102,341802102201,34180210220102,周志强,341802198412051317,4
CSV
cat > "$T/yibao.csv" <<'CSV'
id_number,name,reason,amount,date
341802197903150315,张建国,住院自付费用高,12000,2026-11-28
CSV
printf '%s\n%s\n' "$HH2" "$HH3" > "$T/keys.txt"

# This visit's answers for HH1: the household form's answers without the
# consent block, the address and household block, and the members'
# identity (all carried or on file); the members' other questions stay.
grep -v -e '"consent"' -e '"signer_name"' -e '"signer_role"' \
    -e '"proxy_written"' -e '"fingerprint"' -e '"code_written"' \
    -e '"province"' -e '"city"' -e '"county"' -e '"township"' \
    -e '"village"' -e '"vgroup"' -e '"hh_id"' -e '"hh_type"' -e '"phone"' \
    -e '"m_name"' -e '"m_relation"' -e '"m_sex"' -e '"m_id_type"' \
    -e '"m_id_number"' -e '"m_birth"' -e '"m_ethnicity"' -e '"m_edu"' \
    -e '"line_pick"' "$DS_TOP/forms/demo/household-1.json" |
    sed -z 's/,\n\( *[]}]\)/\n\1/g' |
    sed 's/"visit_date": "2024-09-10"/"visit_date": "2026-12-05", "line_manual": "9100"/' \
    > "$T/followup.json"
cat > "$T/refused.json" <<'JSON'
{"visit_type": "screening", "visit_mode": "in_person", "channel":
 "cadre_screening", "worker1": "李网格", "visit_date": "2026-12-05",
 "consent": "no", "refusal_reason": "privacy"}
JSON
cat > "$T/correct.json" <<'JSON'
{"phone": "13905639999"}
JSON

# A copy of the household form as its next version.
V1=$(sed -n 's/^| | household | \([0-9]*\) |.*/\1/p' \
    "$DS_TOP/forms/household.md")
V2=$((V1 + 100))
mkdir -p "$T/newform"
cp "$DS_TOP"/forms/household.md "$DS_TOP"/forms/*.csv "$T/newform/"
sed -i "s/| | household | $V1 |/| | household | $V2 |/" \
    "$T/newform/household.md"

scenario() {
	local tr=$1 d="$T/$1" dev url e1 e2 rec1 rec2 n
	local O="$T/$1/office" W="$T/$1/ws" S="$T/$1/stick"
	# DS_TEST_OFFICE_DB: the same on a county database (tests/pg/t_pg.sh),
	# one township a transport (@T@ in the URL).
	local db=${DS_TEST_OFFICE_DB:+${DS_TEST_OFFICE_DB//@T@/$1}}
	mkdir -p "$d" "$S"
	of() { "$DOORSTEP_OFFICE" --dir "$O" ${db:+--db "$db"} "$@"; }
	ds() { "$DOORSTEP" --workspace "$W" --passphrase-file "$T/pass" "$@"; }
	# Move what waits: the stick both ways, or one `doorstep sync`.
	move() {
		if [ "$tr" = usb ]; then
			ds sync export --out "$S" >"$d/export.out" 2>&1 &&
			of import "$S" >"$d/import.out" 2>&1
			ds sync export --out "$S" >"$d/export2.out" 2>&1
		else
			ds sync "$url" >"$d/sync.out" 2>&1
		fi
	}

	check "$tr: office init" of init --settings anhui
	check "$tr: register imported" of register import "$T/register.csv"
	check "$tr: department list imported" of clue import "$T/yibao.csv" \
	    --source yibao
	check "$tr: laptop init" ds init --office-key "$O/office-public.key" \
	    --worker "李网格"
	has "$tr: init installed the household form" "$T/.out" \
	    "Form household version $V1 installed"
	# A first visit of HH1, the record a correction will correct.
	ds fill household --answers "$DS_TOP/forms/demo/household-1.json" \
	    --finalize >"$d/rec1" 2>"$d/fill1.err" &&
	    ok "$tr: a first visit" ||
	    not_ok "$tr: a first visit" "$(cat "$d/fill1.err")"
	rec1=$(cat "$d/rec1")
	if [ "$tr" = http ]; then
		owned "$DOORSTEP_OFFICE" serve --dir "$O" ${db:+--db "$db"} \
		    --listen 127.0.0.1:0 >"$d/serve.out" 2>&1 &
		spid=$!
		for _ in $(seq 100); do
			port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' \
			    "$d/serve.out")
			[ -n "$port" ] && break
			sleep 0.1
		done
		url="http://127.0.0.1:$port"
		ds sync "$url" >"$d/sync0.out" 2>&1
		has "$tr: the first sync sends (held until enrolled)" \
		    "$d/sync0.out" "Sent 1 revision"
	else
		ds sync export --out "$S" >"$d/export0.out" 2>&1
		of import "$S" >"$d/import0.out" 2>&1
		has "$tr: the office holds the new laptop's bundle" \
		    "$d/import0.out" "awaiting"
	fi
	dev=$(of devices 2>/dev/null | grep -o '[0-9a-f]\{32\}' | head -n 1)
	check "$tr: enroll the laptop" of enroll --fingerprint \
	    "$(fingerprint "$W" --passphrase-file "$T/pass")" "${dev:0:8}"
	check "$tr: publish the form's next version" of publish \
	    "$T/newform/household.md"
	check "$tr: assign the household with a clue" of assign \
	    --device "${dev:0:8}" --clues
	has "$tr: one entry from the clue" "$T/.out" "^1 entries"
	check "$tr: assign two households by hand" of assign \
	    --device "${dev:0:8}" --file "$T/keys.txt" --reason followup
	has "$tr: two entries from the file" "$T/.out" "^2 entries"
	move
	check "$tr: the laptop lists the visits due" ds records --due
	cp "$T/.out" "$d/due"
	n=$(grep -c -e "$HH1" -e "$HH2" -e "$HH3" "$d/due")
	[ "$n" -eq 3 ] && ok "$tr: three visits due" ||
	    not_ok "$tr: three visits due" "$(cat "$d/due")"
	[ -f "$W/forms/household/$V2/household.md" ] &&
	    ok "$tr: the new form version installed" ||
	    not_ok "$tr: the new form version installed" "$(ls -R "$W/forms")"
	check "$tr: the office's lists: applied" of lists
	has "$tr: three entries applied" "$T/.out" " 3  *0  *0 "

	# The follow-up visit: members carried, consent on file.
	e1=$(grep "$HH1" "$d/due" | cut -c1-8)
	ds fill --assignment "$e1" --answers "$T/followup.json" --finalize \
	    >"$d/rec2" 2>"$d/fill2.err" && ok "$tr: follow-up visit finalized" ||
	    not_ok "$tr: follow-up visit finalized" "$(cat "$d/fill2.err")"
	rec2=$(cat "$d/rec2")
	check "$tr: show the follow-up visit" ds show "$rec2"
	cp "$T/.out" "$d/show2"
	has "$tr: the members came from the last visit" "$d/show2" \
	    '"m_name":"张建国"'
	has "$tr: the consent on file is referred to" "$d/show2" \
	    '"consent_ref":"'
	if grep -q '"signer_name"\|"consent":"yes"' "$d/show2"; then
		not_ok "$tr: consent was not asked again" "$(cat "$d/show2")"
	else
		ok "$tr: consent was not asked again"
	fi
	has "$tr: the visit names its entry" "$d/show2" '"entry":"'
	has "$tr: the carried answers are noted" "$d/show2" '"carried":{'
	has "$tr: the new form version is used" "$d/show2" \
	    "\"version\":\"$V2\""
	# The refused visit, and a correction of the first record.
	e2=$(grep "$HH2" "$d/due" | cut -c1-8)
	check "$tr: a refused visit" ds fill --assignment "$e2" \
	    --answers "$T/refused.json" --finalize
	check "$tr: a correction of the first visit" ds fill --correct \
	    "$rec1" --reason "wrong phone number" --answers "$T/correct.json" \
	    --finalize
	check "$tr: show the correction" ds show "$(tail -n 1 "$T/.out")"
	has "$tr: the correction names the record" "$T/.out" '"corrects":"'
	has "$tr: the correction notes what changed" "$T/.out" \
	    '"carried_changed":\["phone"\]'
	check_fail "$tr: a second visit from a done entry is refused" 1 \
	    ds fill --assignment "$e1" --answers "$T/followup.json"
	move
	ds records --due >"$d/due2" 2>&1
	n=$(grep -c -e "$HH1" -e "$HH2" "$d/due2")
	[ "$n" -eq 0 ] && ok "$tr: the done visits are no longer due" ||
	    not_ok "$tr: the done visits are no longer due" "$(cat "$d/due2")"
	check "$tr: the office's lists" of lists --device "${dev:0:8}"
	cp "$T/.out" "$d/lists"
	has "$tr: HH1's entry is done" "$d/lists" "$HH1 .* done"
	has "$tr: HH2's entry is done (refused)" "$d/lists" "$HH2 .* done"
	has "$tr: HH3's entry is still open" "$d/lists" "$HH3 .* applied"
	check "$tr: the clues" of clue list
	if grep "$HH1" "$T/.out" | grep -qi "open"; then
		not_ok "$tr: the clue is closed" "$(cat "$T/.out")"
	else
		ok "$tr: the clue is closed"
	fi
	if [ "$tr" = http ]; then
		kill "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
	fi
}

spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$T"' EXIT
scenario usb
scenario http
