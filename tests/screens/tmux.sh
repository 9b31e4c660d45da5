# doorstep tmux screen-test helpers.  Source after tests/lib.sh:
#   . "$(dirname "$0")/../lib.sh"; . "$(dirname "$0")/tmux.sh"
# The real binary runs in a detached tmux session of fixed size on a
# private server (its own socket), so tests never touch a user's tmux and
# can run in parallel.  Every wait polls the pane with a timeout; no test
# relies on a fixed sleep.
#
#   tm_start COLS ROWS [VAR=VALUE...] -- CMD ARGS...
#   tm_keys KEY...           tmux send-keys (names: Enter F1 Up C-x ...)
#   tm_type TEXT             type literal text (UTF-8 is fine)
#   tm_screen                print the pane
#   tm_wait TEXT [SECONDS]   until TEXT is on the screen (default 10 s)
#   tm_wait_gone TEXT [SECONDS]
#   tm_resize COLS ROWS
#   tm_alive / tm_pid        the program is still running / its pid
#   tm_wait_exit [SECONDS]   until the program has ended
#   tm_check NAME TEXT       ok NAME if TEXT is on the screen (after a wait)
#   tm_stop                  kill the tmux server
TM_SOCK="ds-test-$$-$RANDOM"
TM_N=0
TM_TIMEOUT=${TM_TIMEOUT:-10}
# A broken build must not make a script wait 10 s per check: after this
# many seconds every wait looks once and gives up.  Generous, because a
# loaded machine (ASan, parallel builds) slows every screen; a broken build
# still ends the script in this time, not 10 s per check.
TM_DEADLINE=$((SECONDS + ${TM_BUDGET:-150}))
# Options come from a private config so they hold from the first pane on.
# (No window-size manual: tmux 3.3a can die of it with no client attached;
# resize-window sets a manual size for the window by itself.)
printf '%s\n' 'set -g remain-on-exit on' 'set -g status off' \
    'set -g default-terminal screen-256color' 'set -sg escape-time 0' \
    >"$T/.tmux.conf"
tmx() { tmux -L "$TM_SOCK" -f "$T/.tmux.conf" "$@"; }

tm_stop() { tmx kill-server >/dev/null 2>&1 || true; }
trap 'tm_stop; rm -rf "$T"' EXIT

tm_start() {
	local cols=$1 rows=$2 run="$T/.tm-run.sh"
	shift 2
	if ! command -v tmux >/dev/null; then
		not_ok "tmux" "tmux is not installed (make deps)"
		exit 0
	fi
	{
		echo '#!/bin/sh'
		while [ $# -gt 0 ] && [ "$1" != "--" ]; do
			printf 'export %q\n' "$1"
			shift
		done
		shift
		# Not exec: the shell records the exit status itself (tmux
		# does not always report it); tm_pid finds the program.
		printf '%q' "$1"
		shift
		printf ' %q' "$@"
		printf ' 2>%q\n' "$T/.tm-stderr"
		printf 'echo $? >%q\n' "$T/.tm-status"
	} >"$run"
	chmod +x "$run"
	rm -f "$T/.tm-status"
	# A fresh server per start: a server still shutting down must not
	# take the new session with it.
	tm_stop
	TM_N=$((TM_N + 1))
	TM_SOCK="ds-test-$$-$RANDOM-$TM_N"
	tmx -2 new-session -d -s ds -x "$cols" -y "$rows" \
	    "TERM=screen-256color; export TERM; exec $run" || return 1
	tmx resize-window -t ds -x "$cols" -y "$rows" >/dev/null
}

tm_keys() { tmx send-keys -t ds "$@"; }
tm_type() { tmx send-keys -t ds -l -- "$1"; }
tm_screen() { tmx capture-pane -p -t ds; }
tm_resize() { tmx resize-window -t ds -x "$1" -y "$2"; }
tm_pid() { pgrep -P "$(tmx display-message -p -t ds '#{pane_pid}')" | head -1; }
# Dead only when tmux says so (or the session is gone): a query that
# fails while the program is busy must not count as an exit.
tm_alive() {
	tmx has-session -t ds 2>/dev/null || return 1
	[ "$(tmx display-message -p -t ds '#{pane_dead}')" != 1 ]
}

_tm_poll() {	# want(1=present,0=absent) text seconds
	local want=$1 text=$2 secs=${3:-$TM_TIMEOUT} i=0 n
	n=$((secs * 20))
	[ $SECONDS -ge $TM_DEADLINE ] && n=1
	while [ $i -lt $n ]; do
		if tm_screen | grep -qF -- "$text"; then
			[ "$want" = 1 ] && return 0
		else
			[ "$want" = 0 ] && return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
tm_wait() { _tm_poll 1 "$1" "${2:-}"; }
tm_wait_gone() { _tm_poll 0 "$1" "${2:-}"; }

tm_wait_exit() {
	local secs=${1:-$TM_TIMEOUT} i=0 n
	n=$((secs * 20))
	[ $SECONDS -ge $TM_DEADLINE ] && n=1
	while [ $i -lt $n ]; do
		tm_alive || return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

tm_check() {
	if tm_wait "$2"; then ok "$1"
	else
		not_ok "$1" "'$2' not on the screen"
		tm_screen | sed 's/^/    |/'
		[ -s "$T/.tm-stderr" ] && sed 's/^/    stderr: /' "$T/.tm-stderr"
	fi
}

tm_check_gone() {
	if tm_wait_gone "$2"; then ok "$1"
	else
		not_ok "$1" "'$2' still on the screen"
		tm_screen | sed 's/^/    |/'
	fi
}

# ok NAME when the program ended by itself with status 0 and wrote no
# sanitizer report (ASan, LSan, UBSan) to its stderr.
tm_check_exit() {
	local st
	if ! tm_wait_exit; then not_ok "$1" "still running"; return; fi
	local i=0
	st=
	while [ $i -lt 40 ] && [ ! -s "$T/.tm-status" ]; do
		sleep 0.05
		i=$((i + 1))
	done
	st=$(cat "$T/.tm-status" 2>/dev/null)
	if [ "$st" != 0 ]; then
		not_ok "$1" "exit status '$st'"
		sed 's/^/    stderr: /' "$T/.tm-stderr" | head -20
	elif grep -q 'Sanitizer\|runtime error' "$T/.tm-stderr" 2>/dev/null; then
		not_ok "$1" "sanitizer report"
		head -30 "$T/.tm-stderr" | sed 's/^/    /'
	else ok "$1"; fi
}
