# doorstep shell-test helpers.  Source from tests/*/t_*.sh:
#   . "$(dirname "$0")/../lib.sh"
# Provides $DOORSTEP, $DOORSTEP_OFFICE (set by tests/run.sh or defaulted to
# the release build), a private $T scratch directory removed on exit, and:
#   owned CMD...                 CMD, dying with the test (servers, below)
#   ok NAME / not_ok NAME WHY    print a result line
#   check NAME CMD...            ok if CMD succeeds
#   check_fail NAME STATUS CMD...  ok if CMD exits with STATUS
#   has NAME FILE PATTERN        ok if grep -q PATTERN FILE
#   field_ws                     an office and a laptop workspace (below)
# Scripts exit 0; the runner counts the lines.
set -u
DS_TOP=${DS_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
MODE=${MODE:-rel}
DOORSTEP=${DOORSTEP:-$DS_TOP/build/$MODE/doorstep}
DOORSTEP_OFFICE=${DOORSTEP_OFFICE:-$DS_TOP/build/$MODE/doorstep-office}
T=$(mktemp -d "${TMPDIR:-/tmp}/ds-t.XXXXXX")
trap 'rm -rf "$T"' EXIT
unset DOORSTEP_WORKSPACE DOORSTEP_OFFICE_DIR DOORSTEP_PASSPHRASE
export LC_ALL=C.UTF-8

# fingerprint WORKSPACE [OPTION...]: the laptop's fingerprint as `doorstep
# sync status` shows it; the passphrase from DOORSTEP_PASSPHRASE or OPTION
# (--passphrase-file FILE).  `doorstep-office enroll` requires it.
fingerprint() {
	local w=$1; shift
	"$DOORSTEP" --workspace "$w" --lang en "$@" sync status 2>/dev/null |
	    sed -n 's/^fingerprint: \([0-9 ]*\) (.*/\1/p'
}

# field_ws: an office in $T/office and a laptop workspace in $W ($T/ws)
# enrolled with its key, made by the real programs at the minimum KDF cost
# (the passphrase in $T/pass); `ds ARGS...` runs doorstep on the workspace,
# `O ARGS...` doorstep-office on the office.  On failure it says not ok and
# returns 1: `field_ws || exit 0`.
field_ws() {
	export DOORSTEP_KDF_COST=min
	W=$T/ws
	printf 'correct horse battery\n' >"$T/pass"
	"$DOORSTEP_OFFICE" init --dir "$T/office" >"$T/.out" 2>&1 ||
		{ not_ok "office init" "$(cat "$T/.out")"; return 1; }
	ds init --office-key "$T/office/office-public.key" --worker "Wang Li" \
	    >"$T/.out" 2>&1 ||
		{ not_ok "workspace init" "$(cat "$T/.out")"; return 1; }
}
ds() { "$DOORSTEP" --workspace "$W" --passphrase-file "$T/pass" "$@"; }
O() { "$DOORSTEP_OFFICE" --dir "$T/office" "$@"; }

# owned CMD...: become CMD, which then dies with this shell's parent
# whatever ends it (setpriv --pdeathsig, util-linux).  For servers in the
# background: `owned "$DOORSTEP_OFFICE" serve ... &` makes $! the server
# itself (not a subshell around it, which `kill $!` would leave it
# orphaned by), and no server outlives the test, even one killed -9.
owned() {
	if command -v setpriv >/dev/null 2>&1; then
		exec setpriv --pdeathsig KILL "$@"
	fi
	exec "$@"
}

ok() { echo "ok $1"; }
not_ok() { echo "not ok $1: ${2:-}"; }
check() {
	local name=$1; shift
	if "$@" >"$T/.out" 2>&1; then ok "$name"
	else not_ok "$name" "command failed: $*"; sed 's/^/    /' "$T/.out" | tail -n 15; fi
}
check_fail() {
	local name=$1 want=$2; shift 2
	"$@" >"$T/.out" 2>&1
	local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"
	else not_ok "$name" "exit $rc, want $want: $*"; sed 's/^/    /' "$T/.out" | tail -n 15; fi
}
has() {
	if grep -q -- "$3" "$2"; then ok "$1"
	else not_ok "$1" "'$3' not in $2"; sed 's/^/    /' "$2" | tail -n 15; fi
}
# hasnt NAME FILE PATTERN: ok if PATTERN is not in FILE (the other language
# of a one-language message, say).
hasnt() {
	if grep -q -- "$3" "$2"; then not_ok "$1" "'$3' in $2"; sed 's/^/    /' "$2" | tail -n 15
	else ok "$1"; fi
}
# no_zh NAME FILE: ok if FILE has no Chinese character (an English run).
no_zh() {
	if grep -qP '[\x{3400}-\x{9fff}\x{3000}-\x{303f}\x{ff00}-\x{ffef}]' "$2"; then
		not_ok "$1" "Chinese in $2"; sed 's/^/    /' "$2" | tail -n 15
	else ok "$1"; fi
}
