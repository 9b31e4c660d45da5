#!/usr/bin/env bash
# Issue 12/13: a new household whose household number this laptop already
# has from a visit this month: the interview warns, as `doorstep fill`
# does, and both records are kept.  Another number: no warning.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/i12.sh"
export TZ=UTC DOORSTEP_FAKE_NOW=1726372800	# 2024-09-15
HH=3418021012010007	# the demo household's number, visited 2024-09-10

W=$T/ws
make_ws "$W" "$DS_TOP/forms/household.md" &&
"$DOORSTEP" --workspace "$W" --passphrase-file "$T/pass" fill household \
    --answers "$DS_TOP/forms/demo/household-1.json" --finalize >/dev/null ||
    { not_ok make_ws "set-up failed"; exit 0; }

to_number() {	# the interview5 keys up to the household number
	q "Households: $1" n
	q "> * Visit type" 2
	q "> * How the visit is done" Enter
	q "> * How the household came to notice" 2
	q "> * Collector (first worker) name" Enter
	t "> * Second worker name" "王干部"
	q "> * Visit date" F4
	q "Read the three parts" Enter
	q "Part 1, application" Enter
	q "Part 2, truthfulness pledge" Enter
	q "Part 3, authorization" Enter
	q "Does the head (or applicant) agree" 1
	t "Name of the signer" "张建国"
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
}

app "$W"
to_number 1
tm_type "$HH"
tm_keys Enter
tm_check twin_warned "This household number is already on this laptop"
tm_check twin_names_the_other "saved 2024-09-15). Both are kept"
tm_keys F10
q "Households: 2"
to_number 2
tm_type 3418021012010099
tm_keys Enter
q "> * Household type"
tm_check_gone no_warning_for_a_new_number "already on this laptop"
tm_keys F10
q "Households: 3" F10
tm_check_exit quits
n=$(records "$W" | wc -l)
[ "$n" -eq 3 ] && ok every_record_kept || not_ok every_record_kept "$n"
