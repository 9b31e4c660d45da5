#!/usr/bin/env bash
# issue 12, terminal and entry details: colours fill the whole title bar,
# footer and selected row (read back with capture-pane -e); record codes
# from Crockford's alphabet, grouped; a refusal's evidence keeps the
# signer and the reason apart; the collector is filled in from the
# workspace; unlocking says it is working.  (The demo's passphrase on its
# unlock screen: tests/forms/t_demo.sh.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"
. "$(dirname "$0")/i12.sh"
E=$(printf '\033')

# A line of the pane with its attributes: after the escapes that open it,
# no other attribute change before the end of its text (a bar coloured
# only between the words changes at every word).
solid() {	# NAME LINE-PATTERN COLOUR-SGR
	local line rest i=0
	# the screen may still be on its way: wait for the colour
	while [ $i -lt 40 ]; do
		line=$(tmx capture-pane -e -p -t ds | grep -- "$2" | head -1)
		printf '%s' "$line" | grep -q "$E\\[$3m" && break
		sleep 0.05
		i=$((i + 1))
	done
	rest=$(printf '%s' "$line" | sed "s/^\\( \\|$E\\[[0-9;]*m\\)*//")
	rest=$(printf '%s' "$rest" | sed "s/\\($E\\[[0-9;]*m\\)*\$//")
	if [ -z "$line" ]; then not_ok "$1" "no line with '$2'"
	elif ! printf '%s' "$line" | grep -q "$E\\[$3m"; then
		not_ok "$1" "no colour $3: $(printf '%s' "$line" | cat -v)"
	elif printf '%s' "$rest" | grep -q "$E"; then
		not_ok "$1" "attributes change inside: $(printf '%s' "$line" | cat -v)"
	else ok "$1"; fi
}

H=$T/hh
make_ws "$H" "$DS_TOP/forms/household.md" ||
    { not_ok make_ws "workspace set-up failed"; exit 0; }
app "$H"
q "Households: 0"
solid title_bar_solid "Households: 0" 44
solid footer_solid "F10 Quit" 44
tm_keys n
q "> * Visit type" Down
solid selected_row_solid "2. Home-visit verification" 46
tm_keys 2
q "> * How the visit is done" Enter
q "> * How the household came to notice" 2
q "> * Collector (first worker) name"
# The workspace's worker, under its question (the interview's header does
# not name the worker).
tm_check collector_filled_in "    李网格"
tm_keys Enter
t "> * Second worker name" "王干部"
q "> * Visit date" Enter
q "Read the three parts" Enter Enter Enter Enter
q "Does the head (or applicant) agree"
code=$(tm_screen | sed -n 's/.*Record code (write it on the paper letter): *\([^ ]*\).*/\1/p')
if printf '%s' "$code" | grep -Eq '^[0-9]{6}-[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}$'
then ok record_code_crockford_grouped
else not_ok record_code_crockford_grouped "code '$code'"; fi
# Refused: the reason and what was said are the evidence's reason; no
# signer is recorded.
tm_keys 2
q "Reason for refusal" 1
t "Refusal details" "户主说不愿意提供收入"
q "The household refused to sign" F10
q "Households: 1" F10
tm_check_exit quits_hh
id=$(records "$H" | cut -d' ' -f1)
show "$H" "$id" >"$T/rec.json" 2>&1
has refusal_method "$T/rec.json" '"method":"refused"'
has refusal_reason_kept "$T/rec.json" '"reason":"[^"]*户主说不愿意提供收入"'
if grep -q '"signer":"' "$T/rec.json"; then
	not_ok refusal_no_signer "$(grep -o '"consent":{[^}]*}' "$T/rec.json")"
else ok refusal_no_signer; fi

# The form without a record_code: the code from the record id, the same
# alphabet, two groups of four.
W=$T/ws
make_ws "$W" || { not_ok make_ws "workspace set-up failed"; exit 0; }
app "$W"
q "No households yet." n
q "END OF LETTER."
code=$(tm_screen | sed -n 's/.*Record code (write it on the paper letter): *\([^ ]*\).*/\1/p')
if printf '%s' "$code" | grep -Eq '^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$'
then ok fallback_code_crockford
else not_ok fallback_code_crockford "code '$code'"; fi
tm_keys F10
q "Households:" F10
tm_check_exit quits_small

# Unlocking at the real key cost says it is working meanwhile.
S=$T/slow
"$DOORSTEP" --workspace "$S" init --office-key "$T/office/office-public.key" \
    --worker "李网格" --passphrase-file "$T/pass" >/dev/null 2>&1 ||
    not_ok slow_ws "init failed"
tm_start 80 24 LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=en \
    DOORSTEP_LOCALEDIR="$DS_TOP/build/locale" -- "$DOORSTEP" --workspace "$S"
q "Type the passphrase, then Enter:"
tm_type "field passphrase one"
tm_keys Enter
tm_check unlock_says_working "Unlocking..."
tm_check unlock_then_list "No households yet." 30
tm_keys F10
tm_check_exit quits_slow
