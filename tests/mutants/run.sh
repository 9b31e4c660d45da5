#!/bin/sh
# doorstep mutation testing: make mutants FILE=path [FUNC=a,b] [LINES=A-B]
#
#   tests/mutants/run.sh FILE...     (env: FUNC LINES OPS BUDGET MODE)
#
# For each FILE (one file or a glob; any source file, no list to keep), the
# mutator (tests/mutants/mutate.c) lists the mutants of the chosen
# functions or lines.  Each is applied to a copy of the tree under
# build/mutants/tree (the working tree is never changed, even on Ctrl-C),
# rebuilt, and the tests that cover the file (tests/mutants/map) run in
# turn until one fails (killed) or all pass (survived).  Each test may take
# three times its clean run plus five seconds, and all of one mutant's
# tests BUDGET seconds (default: four times the clean run, plus ten); a
# mutant that runs out of time counts as killed (a test would hang).  Mutants listed in tests/mutants/equivalent are not run; IDS (a
# comma list) runs only those mutants, e.g. last run's survivors again
# under MODE=asan, where leaks and stray reads kill too.
#
# COVER=1 (the default) runs each covering test once more in a coverage
# build (MODE=cov, gcov) and then gives each mutant only the tests that
# executed its line: a test that never runs a line cannot see it changed.
# gcov counts only processes that exit(): unit tests' children end in
# ts_exit() (tests/support), which writes them first; a shell test that
# kills a program, and a test that left no counts, gets every mutant.
# Lines gcov counts nothing for, and case labels and static initializers
# (which act without running their line), get every covering test.  A
# mutant no test executes is reported as such, without running anything
# but its compile.  Skipping can only lose kills, never invent one.
# Tests that killed more in this run go first (time over kill rate).
# COVER=0 runs every covering test for every mutant, as before.  The
# report (also in build/mutants/report.txt) shows every survivor with its
# place and diff, then a score per file.  Exit status 1 if any survived.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
MODE=${MODE:-rel}
FUNC=${FUNC:-}
LINES=${LINES:-}
OPS=${OPS:-cnakdi}
BUDGET=${BUDGET:-}
IDS=${IDS:-}
COVER=${COVER:-1}
# Under ASan (MODE=asan) leaks and stray reads kill mutants too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
mut=$top/build/$MODE/tools/mutate
work=${MUTANTS_WORK:-$top/build/mutants}
case $work in /*) ;; *) work=$top/$work ;; esac
tree=$work/tree
map=${MAP:-$tree/tests/mutants/map}	# the copy's, like the sources
equiv=$top/tests/mutants/equivalent
report=$work/report.txt

if [ $# -eq 0 ]; then
	echo "usage: make mutants FILE=src/cry.c [FUNC=f,g] [LINES=A-B]" \
	    "[OPS=cnakdi] [BUDGET=s]" >&2
	exit 2
fi
[ -x "$mut" ] || { echo "mutants: $mut missing (make tools)" >&2; exit 2; }
mkdir -p "$work/log" "$tree" || exit 2
# This run's own copy of the mutator: a rebuild meanwhile must not
# renumber the mutants under it.
cp "$mut" "$work/mutate" && mut=$work/mutate || exit 2

# The copy: everything but build/ and .git.  A file whose bytes differ
# from the copy's is copied anew (so its mtime is now and make rebuilds
# it, whatever the mtimes say); files gone from the tree go from the copy.
# Objects under tree/build are kept between runs.
rm -rf "$work/stage" && mkdir -p "$work/stage" || exit 2
tar -C "$top" --exclude=./build --exclude=./.git -cf - . |
    tar -C "$work/stage" -xf - || exit 2
(cd "$work/stage" && find . -type f) | while read -r f; do
	if ! cmp -s "$work/stage/$f" "$tree/$f"; then
		mkdir -p "$(dirname "$tree/$f")" && cp "$work/stage/$f" "$tree/$f"
	fi
done
(cd "$tree" && find . -path ./build -prune -o -type f -print) |
    while read -r f; do
	[ -f "$work/stage/$f" ] || rm -f "$tree/$f"
done
rm -rf "$work/stage"
if [ -f "$work/dirty" ]; then
	f=$(cat "$work/dirty")
	[ -f "$tree/$f" ] && touch "$tree/$f"
	rm -f "$work/dirty"
fi

cur=
restore() {
	if [ -n "$cur" ]; then
		cp "$work/orig.c" "$tree/$cur" && touch "$tree/$cur"
	fi
}
trap 'restore; exit 130' INT TERM HUP
trap 'restore' EXIT

tests_for() {	# file -> the test names mapped to it, first match first
	awk -v f="$1" '
	function glob2re(g,   r, i, c) {
		r = "^"
		for (i = 1; i <= length(g); i++) {
			c = substr(g, i, 1)
			if (c == "*") r = r "[^/]*"
			else if (c == "?") r = r "[^/]"
			else if (index(".+()^$|{}[]\\", c)) r = r "\\" c
			else r = r c
		}
		return r "$"
	}
	/^[ \t]*(#|$)/ { next }
	f ~ glob2re($1) {
		for (i = 2; i <= NF; i++)
			if (!(($i) in seen)) { seen[$i] = 1; out = out " " $i }
	}
	END { print substr(out, 2) }' "$map"
}

target_of() {	# test name [mode] -> make targets
	case $1 in
	test_odb_seal|test_report|test_sync_e2e|test_sync_model)
		echo "programs build/${2:-$MODE}/tests/$1" ;;
	test_*|replay_*) echo "build/${2:-$MODE}/tests/$1" ;;
	# seeds its workspace with test_ws
	tests/cli/t_store.sh) echo "programs build/${2:-$MODE}/tests/test_ws" ;;
	*) echo programs ;;
	esac
}

# Run one test in the copy; 0 pass, 1 fail, 2 out of time.
run_test() {	# name seconds log [mode]
	t=$1 secs=$2 tlog=$3 m=${4:-$MODE}
	case $t in
	test_*) set -- "build/$m/tests/$t" ;;
	replay_*) set -- "build/$m/tests/$t" \
	    "tests/fuzz/corpus/${t#replay_}" ;;
	*.sh) set -- bash "$t" ;;
	*) echo "mutants: unknown test $t in $map" >&2; return 1 ;;
	esac
	# The subshell waits itself (no exec of its last command), so the
	# shell's "Aborted" for a crashing test goes to the log too.
	(cd "$tree" && MODE=$m DS_BUILD=build/$m DS_TOP=$tree \
	    DOORSTEP=$tree/build/$m/doorstep \
	    DOORSTEP_OFFICE=$tree/build/$m/doorstep-office \
	    timeout -k 5 "$secs" "$@"; rc=$?; exit $rc) >"$tlog" 2>&1 </dev/null
	rc=$?
	[ $rc -eq 124 ] || [ $rc -eq 137 ] && return 2
	[ $rc -ne 0 ] && return 1
	grep -q '^not ok' "$tlog" && return 1
	return 0
}

build() {	# targets... -> 0 if built (BMODE: another mode)
	make -C "$tree" -f Makefile -f tests/mutants/mutants.mk -j2 \
	    MODE="${BMODE:-$MODE}" WERROR= "$@" \
	    >"$work/log/build" 2>&1 </dev/null
}

# Coverage of the clean file by each test: $work/cov/TEST lists the lines
# it executed (ALL if it could not be measured), $work/cov/exec the lines
# gcov counts at all.
coverage() {	# file tests...
	cf=$1
	shift
	rm -rf "$work/cov" && mkdir -p "$work/cov" || exit 2
	ctargets=
	for t in "$@"; do
		ctargets="$ctargets $(target_of "$t" cov)"
	done
	touch "$tree/$cf"
	# shellcheck disable=SC2086
	if ! BMODE=cov build $ctargets; then
		echo "mutants: the coverage build failed; COVER=0" >&2
		tail -n 5 "$work/log/build" >&2
		return 1
	fi
	gcda=$tree/build/cov/${cf%.c}.gcda
	for t in "$@"; do
		rm -f "$gcda"
		if ! run_test "$t" 1200 "$work/log/cov" cov; then
			echo ALL >"$work/cov/$t"
			echo "mutants: $t fails in the coverage build:" \
			    "it runs every mutant" >&2
			continue
		fi
		# gcov writes its counts at exit(): unit tests end their
		# children with ts_exit() and dump before a kill at a step
		# (tests/support), but a shell test cannot make a program it
		# kills write them, and a missing file may be a lost one.
		# Such tests get every mutant.
		case $t in
		*.sh) tsrc=$top/$t ;;
		*) tsrc= ;;
		esac
		if [ ! -f "$gcda" ] || { [ -n "$tsrc" ] &&
		    grep -qE '\<kill\>' "$tsrc"; }
		then
			echo ALL >"$work/cov/$t"
			continue
		fi
		(cd "$tree" && gcov -t -o "build/cov/$(dirname "$cf")" "$cf" \
		    2>/dev/null) | awk -F: -v f="$cf" -v ex="$work/cov/exec.new" '
		{ c = $1; gsub(/ /, "", c); l = $2 + 0 }
		c == "-" && l == 0 && $3 == "Source" {
			src = substr($0, index($0, "Source:") + 7); next
		}
		src != f || c == "-" || l == 0 { next }
		{ print l >ex }
		c ~ /^[0-9]/ { print l }' >"$work/cov/$t"
		sort -un "$work/cov/exec.new" >>"$work/cov/exec"
		rm -f "$work/cov/exec.new"
		if [ ! -s "$work/cov/exec" ]; then
			echo ALL >"$work/cov/$t"
			echo "mutants: gcov saw nothing of $cf under $t" >&2
		fi
	done
	[ -f "$work/cov/exec" ] && sort -un -o "$work/cov/exec" "$work/cov/exec"
	rm -f "$gcda"
	return 0
}

# The tests to run for a mutant on LINE whose line reads BEFORE, in the
# order to try them: those that executed the line (all of them if the line
# acts without running), highest kill rate per second first.
pick() {	# line before
	all=0
	if [ "$COVER" != 1 ] || [ ! -f "$work/cov/exec" ] ||
	    ! grep -qx "$1" "$work/cov/exec"; then
		all=1
	fi
	case " $2 " in
	*" case "*|*" default:"*|*" static "*) all=1 ;;
	esac
	for t in $order; do
		if [ $all -eq 1 ] || grep -qx -e "$1" -e ALL "$work/cov/$t"
		then
			echo "$t"
		fi
	done | awk -v st="$work/stats" -v tm="$work/times" '
	BEGIN {
		while ((getline l <tm) > 0) { split(l, a, " "); ms[a[2]] = a[1] }
		while ((getline l <st) > 0) {
			split(l, a, " "); ran[a[2]]++; if (a[1] == "k") kil[a[2]]++
		}
	}
	{ n++; name[n] = $1
	  key[n] = (ms[$1] + 1) * (ran[$1] + 2) / (kil[$1] + 1) }
	END {
		for (i = 2; i <= n; i++)	# insertion sort: a handful
			for (j = i; j > 1 && key[j] < key[j - 1]; j--) {
				t = key[j]; key[j] = key[j - 1]; key[j - 1] = t
				t = name[j]; name[j] = name[j - 1]; name[j - 1] = t
			}
		for (i = 1; i <= n; i++) printf "%s ", name[i]
	}'
}

now() { date +%s; }

: >"$report"
say() { printf '%s\n' "$*" | tee -a "$report"; }

total_surv=0
summary=
for file in "$@"; do
	# Everything comes from the copy: the tree may change meanwhile.
	if [ ! -f "$tree/$file" ]; then
		echo "mutants: no such file: $file" >&2
		exit 2
	fi
	tests=$(tests_for "$file")
	if [ -z "$tests" ]; then
		echo "mutants: no tests mapped to $file in $map" >&2
		exit 2
	fi
	targets=
	for t in $tests; do
		targets="$targets $(target_of "$t")"
	done
	set --
	[ -n "$FUNC" ] && set -- "$@" -f "$FUNC"
	[ -n "$LINES" ] && set -- "$@" -l "$LINES"
	set -- "$@" -o "$OPS"
	opts="$*"
	"$mut" list "$tree/$file" "$@" >"$work/list" || exit 2
	n=$(wc -l <"$work/list")
	say "== $file${FUNC:+ [$FUNC]}${LINES:+ [lines $LINES]}:" \
	    "$n mutants; tests: $tests"

	# The clean run must pass, and sets the time budget.
	touch "$tree/$file"
	# shellcheck disable=SC2086
	if ! build $targets; then
		tail -n 20 "$work/log/build"
		echo "mutants: the clean tree does not build" >&2
		exit 2
	fi
	# Fastest first: most mutants die in the first test that runs.
	t0=$(now)
	: >"$work/times"
	for t in $tests; do
		ms0=$(date +%s%N)
		if ! run_test "$t" 600 "$work/log/clean"; then
			tail -n 20 "$work/log/clean"
			echo "mutants: $t fails on the clean tree" >&2
			exit 2
		fi
		echo "$((($(date +%s%N) - ms0) / 1000000)) $t" >>"$work/times"
	done
	clean=$(($(now) - t0))
	budget=${BUDGET:-$((4 * clean + 10))}
	order=$(sort -n "$work/times" | awk '{ printf "%s ", $2 }')
	say "   clean run ${clean}s; budget per mutant ${budget}s; order: $order"
	if [ "$COVER" = 1 ]; then
		# shellcheck disable=SC2086
		coverage "$file" $tests || COVER=0
		# Leave the rel objects newer than the file for the first build.
		touch "$tree/$file"
		say "   coverage: $(for t in $tests; do
		    printf '%s=%s ' "$t" "$(grep -c . "$work/cov/$t" 2>/dev/null)"
		done)lines each"
	fi
	: >"$work/stats"

	cp "$tree/$file" "$work/orig.c" || exit 2
	k=0 s=0 e=0 b=0 to=0 i=0 nx=0
	while IFS='	' read -r num line op id func before after; do
		i=$((i + 1))
		if grep -q "^$id " "$equiv" 2>/dev/null; then
			e=$((e + 1))
			continue
		fi
		case ",$IDS," in
		,,|*,"$id",*) ;;
		*) continue ;;
		esac
		cur=$file
		echo "$file" >"$work/dirty"
		# shellcheck disable=SC2086
		"$mut" show "$work/orig.c" "$num" $opts >"$tree/$file" ||
		    exit 2
		# Each test is linked when its turn comes: most mutants die
		# in the first, and linking is most of the cost.
		start=$(now)
		verdict=survived
		first=1
		mine=$(pick "$line" "$before")
		ran=
		if [ -z "$mine" ]; then
			# No test executes the line: it need only compile.
			if ! build "build/$MODE/${file%.c}.o"; then
				verdict=stillborn
			else
				verdict=unreached
			fi
		fi
		for t in $mine; do
			# shellcheck disable=SC2046
			if ! build $(target_of "$t"); then
				[ $first -eq 1 ] && verdict=stillborn && break
				echo "mutants: cannot link $t" >&2
				exit 2
			fi
			first=0
			# Each test gets three times its clean run, plus five
			# seconds, within what is left of the budget: a mutant
			# that hangs dies in the first test it hangs.
			left=$((budget - ($(now) - start)))
			tt=$(awk -v t="$t" '$2 == t { print int(3 * $1 / 1000) + 5 }' \
			    "$work/times")
			[ -n "$tt" ] && [ "$tt" -lt "$left" ] && left=$tt
			[ $left -lt 1 ] && left=1
			run_test "$t" "$left" "$work/log/run"
			rc=$?
			ran="$ran $t"
			if [ $rc -ne 0 ]; then
				echo "k $t" >>"$work/stats"
			else
				echo "r $t" >>"$work/stats"
			fi
			if [ $rc -ne 0 ]; then
				verdict=killed
				[ $rc -eq 2 ] && verdict=timeout
				break
			fi
		done
		case $verdict in
		stillborn) b=$((b + 1)) ;;
		killed) k=$((k + 1)) ;;
		timeout) k=$((k + 1)); to=$((to + 1)) ;;
		survived|unreached)
			s=$((s + 1))
			if [ $verdict = unreached ]; then
				nx=$((nx + 1))
				say "SURVIVED $file:$line $op $func $id" \
				    "(no test executes line $line)"
			else
				say "SURVIVED $file:$line $op $func $id" \
				    "(ran:$ran)"
			fi
			diff -U0 "$work/orig.c" "$tree/$file" |
			    sed -n '/^[-+][^-+]/s/^/    /p' | tee -a "$report"
			;;
		esac
		printf '%s %s:%s %s %s %s (%s/%s)%s\n' "$verdict" "$file" \
		    "$line" "$op" "$func" "$id" "$i" "$n" \
		    "${ran:+ ran:$ran}" >>"$work/log/all"
		restore
		cur=
	done <"$work/list"
	run=$((k + s))
	if [ $run -gt 0 ]; then
		pct=$(awk -v k=$k -v r=$run 'BEGIN { printf "%.1f", 100 * k / r }')
	else
		pct=100.0
	fi
	sum="$file${FUNC:+ [$FUNC]}: $n mutants: $k killed ($to by time),"
	sum="$sum $s survived ($nx on lines no test executes),"
	sum="$sum $e equivalent (reviewed), $b did not build;"
	sum="$sum $pct% killed"
	say "$sum"
	summary="$summary$sum
"
	total_surv=$((total_surv + s))
	# Leave the copy built from the original: its objects are newer
	# than the sources the next run copies in.
	touch "$tree/$file"
	# shellcheck disable=SC2086
	build $targets && rm -f "$work/dirty"
done
printf '\n%s' "$summary" | tee -a "$report"
[ $total_surv -eq 0 ]
