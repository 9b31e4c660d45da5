#!/usr/bin/env bash
# Consent at the door, refused: the interview ends, finalizing keeps only
# the refusal, and the consent evidence says so.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"

W=$T/ws
make_ws "$W" || { not_ok make_ws "workspace set-up failed"; exit 0; }
app "$W"
tm_check list_empty "No households yet."
tm_keys n
tm_check letter_shown "END OF LETTER."
tm_keys 2
tm_check refusal_ends_interview "Consent was refused. Finalizing keeps only the refusal"
# Nothing after the gate can be reached.
tm_keys Escape
tm_check back_on_letter "END OF LETTER."
tm_keys F4
tm_check next_goes_to_review "Consent was refused."
tm_keys f
tm_check finalize_asks "Finalize this household?"
tm_keys y
tm_check finalized "Finalized and saved."
tm_keys F10
tm_check_exit quits
saved "$W" "$T/rec.json"
has saved_refusal "$T/rec.json" '"consent":"no"'
has evidence_refused "$T/rec.json" '"method":"refused"'
has evidence_worker "$T/rec.json" '"worker":"李网格"'
has evidence_language "$T/rec.json" '"language":"English (en)"'
has finalized "$T/rec.json" '"state":"finalized"'
if grep -q '"head"\|"hhsize"\|"member"' "$T/rec.json"; then
	not_ok only_refusal_kept "$(cat "$T/rec.json")"
else ok only_refusal_kept; fi
