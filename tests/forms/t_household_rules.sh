#!/usr/bin/env bash
# The default household form (forms/household.md): `form check` passes with no
# warnings, the valid six-member household and the refusal finalize, and for
# every data-quality rule in tests/forms/household/rules.tsv the .pass.json
# answers finalize while the .fail.json answers are refused with the rule's
# exact message next to its question name.  Each part runs only once the
# command it needs (`form`, `fill`) exists in the build; until then it prints
# one "ok ... # SKIP" line, never a silent pass.
. "$(dirname "$0")/../lib.sh"

FORM=$DS_TOP/forms/household.md
FIX=$DS_TOP/tests/forms/household
export TZ=UTC
# 2024-09-15 04:00 UTC: the fixtures are visits of September 2024 (Anhui line 9,100).
export DOORSTEP_FAKE_NOW=1726372800
# fill words its notes in English here: the reasons below are keyed on
# its "warning: " lines.
export DOORSTEP_LANG=en

have() {	# command name listed by --help
	"$DOORSTEP" --help 2>&1 | grep -Eq "^[[:space:]]+$1([[:space:]]|$)"
}

# ---- fixtures are well-formed whatever the build has
n=0
while IFS=$'\t' read -r rule kind q ref zh en; do
	case $rule in '#'*|'') continue ;; esac
	n=$((n + 1))
	for f in "$FIX/rules/$rule.pass.json" "$FIX/rules/$rule.fail.json"; do
		[ -s "$f" ] || { not_ok "fixture $f" "missing"; continue; }
	done
	case $kind in error|warning) ;; *) not_ok "rules.tsv $rule" "kind '$kind'" ;; esac
	grep -qF -- "$zh" "$FORM" || not_ok "rules.tsv $rule" "zh message not in the form"
	grep -qF -- "$en" "$FORM" || not_ok "rules.tsv $rule" "en message not in the form"
	grep -qE "^\| \| [^|]+ \| $q \|" "$FORM" || not_ok "rules.tsv $rule" "question $q not in the form"
done <"$FIX/rules.tsv"
if [ "$n" -ge 60 ]; then ok "rules.tsv lists $n rules, each with its messages in the form"
else not_ok "rules.tsv" "only $n rules"; fi

# ---- form check
if have form; then
	"$DOORSTEP" form check "$FORM" >"$T/check.out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -q 'warning' "$T/check.out"; then
		ok "form check household.md: no errors, no warnings"
	else
		not_ok "form check household.md" "exit $rc"
		sed 's/^/    /' "$T/check.out" | head -n 40
	fi
else
	ok "form check household.md # SKIP no form command in this build"
fi

# ---- fill: every rule
if ! have fill; then
	ok "household rules through fill # SKIP no fill command in this build"
	exit 0
fi

# A workspace for fill: an office, then a laptop pinned to it.  On tmpfs
# when there is one: 140 finalized saves are fsync-bound on a busy disk.
W=$(mktemp -d /dev/shm/ds-hh.XXXXXX 2>/dev/null) || W=$T
trap 'rm -rf "$T" "$W"' EXIT
export DOORSTEP_PASSPHRASE='demo passphrase for tests'
"$DOORSTEP_OFFICE" init --dir "$W/office" >"$T/init.out" 2>&1 &&
"$DOORSTEP" init --workspace "$W/ws" --office-key "$W/office/office-public.key" \
    --worker 'test worker' --kdf-cost min >>"$T/init.out" 2>&1
if [ $? -ne 0 ]; then
	not_ok "workspace for fill" "init failed"
	sed 's/^/    /' "$T/init.out" | tail -n 15
	exit 0
fi
export DOORSTEP_WORKSPACE=$W/ws

fill() {	# answers file -> $T/fill.out, returns fill's status
	"$DOORSTEP" fill "$FORM" --answers "$1" --finalize >"$T/fill.out" 2>&1
}

for f in valid refusal; do
	if fill "$FIX/$f.json"; then ok "fill $f.json finalizes"
	else not_ok "fill $f.json" "refused"; sed 's/^/    /' "$T/fill.out" | head -n 20; fi
done

# Identical pass cases (many are the valid household itself) run once.
declare -A seen
seen[$(cksum <"$FIX/valid.json")]=valid.json
while IFS=$'\t' read -r rule kind q ref zh en; do
	case $rule in '#'*|'') continue ;; esac
	sum=$(cksum <"$FIX/rules/$rule.pass.json")
	if [ -n "${seen[$sum]:-}" ]; then
		ok "$rule: pass case finalizes (same answers as ${seen[$sum]})"
	elif seen[$sum]=$rule.pass.json; fill "$FIX/rules/$rule.pass.json"; then
		ok "$rule: pass case finalizes"
	else
		not_ok "$rule: pass case" "refused"
		sed 's/^/    /' "$T/fill.out" | head -n 10
	fi
	if fill "$FIX/rules/$rule.fail.json"; then
		not_ok "$rule: fail case" "finalized, want the $kind"
	elif grep -F -- "$q" "$T/fill.out" | grep -qF -e "$zh" -e "$en"; then
		ok "$rule: fail case gives its $kind on $q"
	else
		not_ok "$rule: fail case" "no '$zh' on $q"
		sed 's/^/    /' "$T/fill.out" | head -n 10
	fi
	# A soft check holds back finalize only until the worker gives a
	# reason: the same answers with a reason on every open warning finalize.
	[ "$kind" = warning ] || continue
	reasons=$(sed -n 's/^\([^ ]*\): warning: .*/"\1": "已入户核实，情况属实"/p' "$T/fill.out" |
	    paste -sd, -)
	{ printf '{"_meta": {"reasons": {%s}},\n' "$reasons"
	  sed '1s/^{//' "$FIX/rules/$rule.fail.json"; } >"$T/reason.json"
	if [ -n "$reasons" ] && fill "$T/reason.json"; then
		ok "$rule: a typed reason lets the fail case finalize"
	else
		not_ok "$rule: fail case with reasons" "still refused"
		sed 's/^/    /' "$T/fill.out" | head -n 10
	fi
done <"$FIX/rules.tsv"
