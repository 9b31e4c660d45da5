#!/usr/bin/env bash
# F2 and Ctrl-S save the answer being typed, and "Saved." means it: type
# an answer, press the key, kill -9 the app, and the answer is there on
# resume (issue 18, bug 3: the message once came without the save).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$(dirname "$0")/ws.sh"

W=$T/ws
make_ws "$W" || { not_ok make_ws "workspace set-up failed"; exit 0; }
killed() {	# name
	local pid
	pid=$(tm_pid)
	kill -KILL "$pid"
	tm_wait_exit && ok "$1" || not_ok "$1" "still running"
}

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
tm_keys F2
tm_check f2_says_saved "Saved."
tm_check f2_stays "Name of the household head"
killed f2_killed

id=$(records "$W" | cut -d' ' -f1)
show "$W" "$id" >"$T/rec1.json" 2>&1
has f2_head_on_disk "$T/rec1.json" '"head":"Zhang San"'

app "$W"
tm_check f2_draft_listed "Zhang San"
tm_keys Enter
tm_check f2_resumes_on_head "Name of the household head"
if tm_wait "  Zhang San" 5 && tm_screen | grep -q '^  Zhang San *$'; then
	ok f2_answer_back
else not_ok f2_answer_back "Zhang San not in the field"; tm_screen | sed 's/^/    |/'; fi
tm_keys Enter
tm_check size "How many people live in the household?"
tm_type 4
tm_keys C-s
tm_check ctrl_s_says_saved "Saved."
tm_check ctrl_s_stays "How many people live in the household?"
killed ctrl_s_killed

show "$W" "$id" >"$T/rec2.json" 2>&1
has ctrl_s_size_on_disk "$T/rec2.json" '"hhsize":"4"'

app "$W"
tm_keys Enter
tm_check ctrl_s_resumes_on_size "How many people live in the household?"
if tm_wait "  4" 5 && tm_screen | grep -q '^  4 *$'; then ok ctrl_s_answer_back
else not_ok ctrl_s_answer_back "4 not shown"; tm_screen | sed 's/^/    |/'; fi
tm_keys F10
tm_check back_to_list "Households: 1"
tm_keys F10
tm_check_exit quits
