#!/usr/bin/env bash
# issue 6: one complete household of six members of the default form
# (forms/household.md) through the real TUI: visit, consent, address,
# six roster members, every income and spending group, guarantees, risks,
# the monitoring line and category; finalized, then the saved record's
# per-capita net income and category suggestion are checked
# against values worked out by hand from the answers typed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
# 2024-09-15 04:00 UTC: a September 2024 visit, so the Anhui 2024 line (9,100).
export TZ=UTC DOORSTEP_FAKE_NOW=1726372800

W=$T/ws
make_ws "$W" "$DS_TOP/forms/household.md" ||
    { not_ok make_ws "workspace set-up failed"; exit 0; }

FAILED=0
# q TEXT KEYS...: wait until TEXT is on the screen, then send KEYS.  After
# the first miss the rest of the interview is pointless: stop driving.
q() {
	local text=$1
	shift
	[ $FAILED = 1 ] && return 1
	if ! tm_wait "$text"; then
		FAILED=1
		TM_DEADLINE=$SECONDS
		not_ok "interview reaches '$text'" "not on the screen"
		tm_screen | sed 's/^/    |/'
		[ -s "$T/.tm-stderr" ] && sed 's/^/    stderr: /' "$T/.tm-stderr"
		return 1
	fi
	[ $# -gt 0 ] && tm_keys "$@"
	return 0
}
# t TEXT STRING: wait for TEXT, type STRING literally, then Enter.
t() { q "$1" && tm_type "$2" && tm_keys Enter; }

app "$W"
q "No households yet. Press N to start one." n
# Visit (field-list): verification, in person, cadre screening, two workers.
# A number picks a choice and moves on by itself; the collector is filled
# in from the workspace and the date with today: Enter confirms them.
q "> * Visit type" 2
q "> * How the visit is done" Enter
q "> * How the household came to notice" 2
q "> * Collector (first worker) name" Enter
t "> * Second worker name" "王干部"
q "> * Visit date" Enter
# Consent: the three letter parts are notes, read and passed with Enter.
q "Read the three parts" Enter
q "Part 1, application" Enter
q "Part 2, truthfulness pledge" Enter
q "Part 3, authorization" Enter
q "Does the head (or applicant) agree" 1
t "Name of the signer" "张建国"
q "Signer is" 1
q "Was it written by a proxy" 2
q "Did the applicant put a fingerprint" 1
q "OK, acknowledged" 1
# The photo of the letter is optional: Enter passes it.
q "Photo of the signed paper letter" Enter
# Address: Anhui / Xuancheng / Xuanzhou / Shuiyang / Donghu / group 1.
q "> * Province" 1
q "> * City" 1
q "> * County" 1
q "> * Township" 1
q "> * Village" 1
q "> * Villager group" 1
t "> * Household number" "3418021012010007"
q "> * Household type" 2
# A full mobile number moves on by itself.
q "> * Household phone" && tm_type "13905631234"
# member NAME RELATION# SEX# BIRTH(YYYYMMDD) LABOUR# MORE: one roster item,
# no ID card yet (so sex and birth date are typed), healthy, not in school,
# junior middle, no work away, pension, residents' insurance, no
# allowances; then y or n to "Add another".
member() {
	t "* Name" "$1"
	q "Relationship to the head" $2
	q "  ID number" Enter
	q "* ID document" 3
	q "* Sex" "$3"
	q "Birth date" && tm_type "$4" && tm_keys Enter
	q "Ethnic group" Enter
	q "Health (choose all" 1 Enter
	q "Schooling" 4
	q "Education level" 3
	q "Labour capacity" "$5"
	q "Migrant or local work" Enter
	q "Holds a public-welfare job" Enter
	q "Pension insurance" 1
	q "In the residents' basic" 1
	q "In the employees' basic" Enter
	q "Receives dibao" Enter
	q "Receives extreme-poverty" Enter
	q "Receives medical assistance" Enter
	q "Add another: Member?" "$6"
}
# Relationship numbers: 1 head, 2 spouse, 3 son, 4 daughter, 13 father,
# 14 mother (with 28 choices, 1 and 2 wait for Enter or a second digit).
# Labour: 1 normal, 3 weak.
q "A Add" a
member "张建国" "1 Enter" 1 19790315 1 y
member "李秀英" "2 Enter" 2 19810620 1 y
member "张伟" 3 1 19990811 1 y
member "张丽" 4 2 20010508 1 y
member "张德福" 13 1 19520120 3 y
member "王桂兰" 14 2 19541103 3 n
# m LABEL AMOUNT: a money field of a field-list group; typing replaces the
# default 0.
m() { q "> * $1" && tm_type "$2" && tm_keys Enter; }
# Income and spending (yuan, last 12 months): net 48000 + 14001 + 4000 - 3000
# = 63001 for 6 persons.
m "Migrant work" 48000
m "Local jobs and other wages" 0
m "Public-welfare jobs" 0
m "Cropping" 14001
m "Livestock" 0
m "Forestry and orchards" 0
m "Other business" 0
m "Asset dividends" 0
m "Land rental" 0
m "Other property income" 0
m "Dibao payments" 0
m "Extreme-poverty support payments" 0
m "Pensions" 4000
m "Eco-compensation" 0
m "Subsidies (farmland" 0
m "Disaster relief" 0
m "Insurance claims" 0
m "Support from children" 0
m "Other transfers" 0
m "Farm inputs" 3000
m "Other production and business costs" 0
m "Eligible out-of-pocket medical" 0
# The income summary note: 63001 / 6 = 10500.1666... shown rounded to 2 places.
q "Household net income 63001 yuan, 6 persons" Enter
# Guarantees: food secure, no drop-out, everyone insured, house A, water fine.
q "> * Are food and clothing secure?" 1
q "> * Is any compulsory-age child out of school?" 2
q "> * Is any member without basic medical insurance?" 2
q "> * Housing safety rating" 1
q "> * Drinking-water problems" 1 Enter
# Production and living conditions (mu, km; each defaults to 0).
m "Farmland (mu)" 3.5
m "Pasture (mu)" 0
m "Water surface (mu)" 0
m "Forest land (mu)" 0
m "Grain-for-green land (mu)" 0
m "Orchards (mu)" 0
m "Distance to the village main road (km)" 1.5
# Risk factors (each defaults to No): none.
for r in "Illness" "Disability" "Schooling costs" "Natural disaster" "Accident" \
    "Failed farm or business project" "Unstable employment" "Lack of labour" \
    "Unsafe housing" "Unsafe drinking water" "* Other"; do
	q "$r" Enter
done
# By hand: per capita 63001 / 6 = 10500.17 (no medical deduction for the
# Anhui 2024 line); line 9100.  Not below the line, so no category (an
# ordinary household).  The laptop shows no signal light: the office
# computes it from its province's bands (docs/case.md).
q ">   Monitoring line for the area and year" 1
tm_check hint_per_capita "Per-capita net income 10500.17 yuan, monitoring line 9100 yuan; suggested"
tm_check hint_category "category: not monitored."
q "> * Monitoring category (confirm)" 4
tm_check summary_head "Head 张建国, 6 persons; per-capita net income 10500.17"
tm_check summary_category "yuan; suggested category: not monitored; 0 risk factor(s)."
q "Head 张建国, 6 persons;" Enter
tm_check review_clean "No errors and no open warnings. Press F to finalize."
q "Press F to finalize." f
q "Finalize this household?" y
tm_check finalized_message "Finalized and saved."
tm_check list_shows_status "finalized"
tm_keys F10
tm_check_exit quits

saved "$W" "$T/rec.json"
has saved_finalized "$T/rec.json" '"state":"finalized"'
has saved_six_members "$T/rec.json" '"n_members":"6"'
names=$(grep -o '"m_name":"[^"]*"' "$T/rec.json" | cut -d'"' -f4 | tr '\n' ' ')
[ "$names" = "张建国 李秀英 张伟 张丽 张德福 王桂兰 " ] && ok saved_members_in_order ||
    not_ok saved_members_in_order "names: $names"
has saved_relations "$T/rec.json" '"m_relation":"mother","m_sex":"female"'
has saved_net_income "$T/rec.json" '"hh_net":"63001"'
has saved_per_capita "$T/rec.json" '"per_capita":"10500.17"'
has saved_pc_line "$T/rec.json" '"pc_line":"10500.17"'
has saved_line "$T/rec.json" '"line":"9100","line_pick":"34-2024"'
has saved_no_risks "$T/rec.json" '"n_risks":"0"'
has saved_category_suggestion "$T/rec.json" '"cat_suggest":"none"'
has saved_category_confirmed "$T/rec.json" '"category":"none"'
if grep -q '"signal' "$T/rec.json"; then not_ok saved_no_signal "a signal in the record"
else ok saved_no_signal; fi
has saved_land "$T/rec.json" '"land_farm":"3.5"'
has saved_road "$T/rec.json" '"road_km":"1.5"'
