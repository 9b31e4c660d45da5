# Helpers for the issue-12 screen tests (t_i12_*.sh), on the test form
# tests/screens/forms/i12.md.  Source after tmux.sh and ws.sh.
#   q TEXT [KEYS...]   wait for TEXT, then send KEYS; after the first miss
#                      the rest is skipped (one not ok line says where)
#   t TEXT STRING      wait for TEXT, type STRING, Enter
#   id NUMBER          type a full ID number, confirm it with what it fills
#   i12_ws DIR         a workspace with the i12 form
#   i12_app            i12_ws in $W ($T/ws) and the app on it (or exit)
#   i12_to_roster      from the list: a new household up to its empty roster
#                      (visit, consent yes, household number H001, 2 away)
ID_GIRL=110101201503070026	# born 2015-03-07, female (17th digit even)
ID_MAN=110101197903150018	# born 1979-03-15, male (17th digit odd)
FAILED=0
q() {
	local text=$1
	shift
	[ $FAILED = 1 ] && return 1
	if ! tm_wait "$text"; then
		FAILED=1
		TM_DEADLINE=$SECONDS
		not_ok "reaches '$text'" "not on the screen"
		tm_screen | sed 's/^/    |/'
		[ -s "$T/.tm-stderr" ] && sed 's/^/    stderr: /' "$T/.tm-stderr"
		return 1
	fi
	[ $# -gt 0 ] && tm_keys "$@"
	return 0
}
t() { q "$1" && tm_type "$2" && tm_keys Enter; }
# A full, valid ID number saves as it is typed: sex and birth date from it
# show under it, and one Enter confirms the three.
id() { q "* ID number" && tm_type "$1" && q "Filled in from this answer" Enter; }
i12_ws() { make_ws "$1" "$SCREENS/forms/i12.md"; }
i12_app() {
	W=$T/ws
	i12_ws "$W" || { not_ok make_ws "workspace set-up failed"; exit 0; }
	app "$W"
}
i12_to_roster() {
	q "Households:" n
	q "Collector name" Enter
	t "Second worker" "王五"
	q "> " Enter Enter Enter Enter
	q "Read the authorization letter aloud." Enter
	q "Does the head sign" 1
	t "Signer" "张三"
	t "Household number" "H001"
	t "How many children live away?" 2
	q "No one yet. Press A to add."
}
