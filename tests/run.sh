#!/usr/bin/env bash
# doorstep test runner: every unit binary, every fuzz-corpus replay, every
# shell test (tests/*/t_*.sh).  Each prints "ok NAME" / "not ok NAME: why"
# lines; this script counts them and ends with "N passed, N failed".
#
#   MODE=rel|asan tests/run.sh [unit|replay|sh] [FILTER]
set -u
cd "$(dirname "$0")/.."
MODE=${MODE:-rel}
export MODE
export DS_BUILD=build/$MODE
export DOORSTEP=$PWD/build/$MODE/doorstep
export DOORSTEP_OFFICE=$PWD/build/$MODE/doorstep-office
export DS_TOP=$PWD
only=${1:-all}
filter=${2:-}
pass=0
fail=0
failed_names=()
log=$(mktemp -d "${TMPDIR:-/tmp}/ds-run.XXXXXX")
trap 'rm -rf "$log"' EXIT

count() {	# name, output file, exit status
	local name=$1 out=$2 rc=$3 p f
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok $name: exited with status $rc"
		tail -n 20 "$out" | sed 's/^/    /'
		f=1
	fi
	grep '^not ok ' -A8 "$out" | grep -v '^ok ' || true
	pass=$((pass + p))
	fail=$((fail + f))
	[ "$f" -gt 0 ] && failed_names+=("$name")
	echo "$name: $p passed, $f failed"
}

run_one() {	# name, command...
	local name=$1; shift
	local out="$log/out"
	if [ -n "$filter" ] && [[ "$name" != *"$filter"* ]]; then
		return
	fi
	"$@" >"$out" 2>&1 </dev/null
	count "$name" "$out" $?
}

if [ "$only" = all ] || [ "$only" = unit ]; then
	for t in build/$MODE/tests/test_*; do
		[ -x "$t" ] || continue
		run_one "$(basename "$t")" "$t"
	done
fi
if [ "$only" = all ] || [ "$only" = replay ]; then
	for t in build/$MODE/tests/replay_*; do
		[ -x "$t" ] || continue
		n=$(basename "$t"); n=${n#replay_}
		run_one "replay_$n" "$t" "tests/fuzz/corpus/$n"
	done
fi
if [ "$only" = all ] || [ "$only" = sh ]; then
	for t in tests/*/t_*.sh; do
		[ -f "$t" ] || continue
		run_one "$t" bash "$t"
	done
fi

if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed: ${failed_names[*]}"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
