#!/usr/bin/env bash
# SIGKILL in the middle of a form, restart, resume: the same question,
# every accepted answer there; only the answer being typed is lost.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"

W=$T/ws
make_ws "$W" || { not_ok make_ws "workspace set-up failed"; exit 0; }
app "$W"
tm_check list_empty "No households yet."
tm_keys n
tm_check letter "END OF LETTER."
tm_keys 1 Enter
tm_check signer "Who gave consent?"
tm_type "王芳"
tm_keys Enter
tm_check relation "Their relationship to the head"
tm_type "女儿"
tm_keys Enter
tm_check proxy "Was the letter written by a proxy"
tm_keys 1 Enter
tm_check head "Name of the household head"
tm_type "Zhang San"
tm_keys Enter
tm_check size "How many people live in the household?"
tm_type 4
tm_check typing "  4"
pid=$(tm_pid)
kill -KILL "$pid"
tm_wait_exit && ok killed || not_ok killed "still running"

app "$W"
tm_check draft_listed "draft"
tm_check draft_head_listed "Zhang San"
tm_keys Enter
tm_check resumes_same_question "How many people live in the household?"
if tm_screen | grep -q '^  4 *$'; then not_ok typing_lost_only "the unaccepted 4 came back"
else ok typing_lost_only; fi
tm_keys F3
tm_check previous_answer_kept "Zhang San"
tm_keys F5
tm_check outline_opens "answered"
tm_check outline_lists_questions "Their relationship to the head"
tm_keys Escape
tm_keys F10
tm_check back_to_list "Households: 1"
tm_keys F10
tm_check_exit quits
saved "$W" "$T/rec.json"
has kept_signer "$T/rec.json" '"signer":"王芳"'
has kept_relation "$T/rec.json" '"signer_rel":"女儿"'
has kept_proxy "$T/rec.json" '"proxy_written":"yes"'
has evidence_method_proxy "$T/rec.json" '"method":"proxy"'
has kept_head "$T/rec.json" '"head":"Zhang San"'
has evidence_proxy_relation "$T/rec.json" '"relation":"女儿"'
