#!/usr/bin/env bash
# Issue 11, a visit from the 待访 view: HH1's entry (its clue) starts a new
# record with the household's consent on file (shown, and the consent
# gate not asked again), the address and members carried from the last
# visit, each marked "from the last visit" until the worker keeps it
# (Enter) or changes it; the record notes which were kept and which
# changed.  The entry then shows as started, and Enter resumes the same
# record.  A household without consent on file is asked, and gets its
# carried answers once it says yes; a refusal from the list keeps the
# household key and place.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/i12.sh"
. "$(dirname "$0")/lists.sh"

W=$T/ws
lists_ws "$W" && lists_assign && lists_take ||
    { not_ok lists_ws "set-up failed"; exit 0; }

app "$W"
q "Tab  Visits due: 3" Tab
q "Visits due: 3" End
q "Clue: 住院自付费用高" Enter
tm_check consent_on_file_said "Consent on file (letter "
tm_check visit_type_preset "(*)  2. Home-visit verification"
q "> * Visit type" Enter
q "> * How the visit is done" Enter
q "> * How the household came to notice" 3
q "> * Collector (first worker) name" Enter
t "> * Second worker name" "王五"
q "> * Visit date" F4
tm_check address_next_no_consent_gate "> * Province"
tm_screen >"$T/addr"
if grep -q "Read the three parts\|Does the head (or applicant) agree" "$T/addr"
then not_ok consent_not_asked_again "$(cat "$T/addr")"
else ok consent_not_asked_again; fi
n=$(grep -c "From the last visit: Enter keeps it, or change it." "$T/addr")
[ "$n" -eq 3 ] && ok carried_answers_marked ||
    not_ok carried_answers_marked "$n marks: $(cat "$T/addr")"
tm_keys Enter
q "> * City" Enter
q "> * County" Enter
q "> * Township" Enter
q "> * Village" Enter
q "> * Villager group" Enter
q "> * Household number" Enter
q "> * Household type" Enter
q "> * Household phone" C-u
tm_check_gone kept_answers_unmarked "Enter keeps it"
tm_type 13905639999
tm_check members_carried_on_screen "6  王桂兰           Mother"
q "Member: 6" F10
tm_check closes_to_the_due_view "Visits due: 3"
tm_check entry_started "started"
tm_keys Escape F10
tm_check_exit quits

id=$(records "$W" | grep draft | cut -d' ' -f1)
show "$W" "$id" >"$T/rec" 2>&1
has record_names_entry "$T/rec" '"entry":"[0-9a-f]\{32\}"'
has record_consent_ref "$T/rec" '"consent_ref":"'
if grep -q '"consent":"yes"\|"signer_name"' "$T/rec"; then
	not_ok no_consent_answer "$(cat "$T/rec")"
else ok no_consent_answer; fi
has members_carried "$T/rec" '"m_name":"张建国"'
has kept_noted "$T/rec" '"carried_kept":\["province","city","county","township","village","vgroup","hh_id","hh_type"\]'
has changed_noted "$T/rec" '"carried_changed":\["phone"\]'

# The started entry resumes its record: no second one.
app "$W"
q "Tab  Visits due: 3" Tab
q "Visits due: 3" End
q "Its visit was started: Enter goes on with it." Enter
tm_check resumed "Household verification form"
tm_keys F10
q "Visits due: 3" Escape
q "Show: all" F10
tm_check_exit quits_again
n=$(records "$W" | grep -c draft)
[ "$n" -eq 1 ] && ok one_record_per_entry || not_ok one_record_per_entry "$n drafts"

# HH2 and HH3 have no consent on file: the gate is asked, and the
# household number the entry carries (held behind the gate) comes once it
# is answered yes, marked like any carried answer.
app "$W"
FAILED=0
q "Tab  Visits due: 3" Tab
q "Visits due: 3" Home
q "No consent on file"
first=$(tm_screen | grep -o "overdue  follow-up      [0-9]*" | head -1 |
    grep -o '[0-9]*$')
tm_keys Enter
q "> * Visit type" Enter
q "> * How the visit is done" Enter
q "> * How the household came to notice" 2
q "> * Collector (first worker) name" Enter
q "Second worker name" F4
tm_check gate_asked_without_consent_on_file "Read the three parts"
q "Read the three parts" Enter
q "Part 1, application" Enter
q "Part 2, truthfulness pledge" Enter
q "Part 3, authorization" Enter
q "Does the head (or applicant) agree" 1
t "Name of the signer" "陈玉兰"
q "Signer is" 1
q "Was it written by a proxy" 2
q "Did the applicant put a fingerprint" 1
q "Write the record code" 1
q "Photo of the signed paper letter" Enter
q "> * Province" 1
q "> * City" 1
q "> * County" 1
q "> * Township" 1
q "> * Village" 1
q "> * Villager group" 1
q "> * Household number"
tm_check number_carried_after_gate "    ${first:-none}"
tm_check number_marked_after_gate "From the last visit: Enter keeps it"
tm_keys F10
q "Visits due: 3" Escape
q "Show: all" F10
tm_check_exit quits_third

# The other overdue household refuses: the record still says which
# household and where (its list entry's key and place), for the office.
app "$W"
FAILED=0
q "Tab  Visits due: 3" Tab
q "Visits due: 3" Home Down
q "No consent on file"
second=$(tm_screen | grep -o "overdue  follow-up      [0-9]*" | sed -n 2p |
    grep -o '[0-9]*$')
tm_keys Enter
q "> * Visit type" Enter
q "> * How the visit is done" Enter
q "> * How the household came to notice" 2
q "> * Collector (first worker) name" Enter
q "Second worker name" F4
q "Read the three parts" Enter
q "Part 1, application" Enter
q "Part 2, truthfulness pledge" Enter
q "Part 3, authorization" Enter
q "Does the head (or applicant) agree" 2
q "Reason for refusal" 1
q "Refusal details" Enter
tm_check refusal_ends "The household refused to sign"
tm_keys F10
q "Visits due: 3" Escape
q "Show: all" F10
tm_check_exit quits_refused
for id in $(records "$W" | grep draft | cut -d' ' -f1); do
	show "$W" "$id"
done >"$T/all" 2>&1
if [ -n "$second" ] && grep '"consent":"no"' "$T/all" |
    grep -q "\"hh_key\":\"$second\".*\"place\":{\"township\""; then
	ok refused_keeps_household_and_place
else not_ok refused_keeps_household_and_place "${second:-no row}"; fi
