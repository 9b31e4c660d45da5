#!/usr/bin/env bash
# The mutator behind make mutants (tests/mutants/mutate.c) produces the
# expected mutants of a small fixture, the same on every run; each
# changes only the line it names and still compiles; the function, line
# and operator filters select subsets of the same mutants.
. "$(dirname "$0")/../lib.sh"

M=$DS_TOP/build/$MODE/tools/mutate
F=$DS_TOP/tests/mutants/fixture.c
E=$DS_TOP/tests/mutants/fixture.expect
[ -x "$M" ] || { not_ok mutate_built "$M missing"; exit 0; }

"$M" list "$F" > "$T/list1" 2>&1
if cmp -s "$T/list1" "$E"; then ok expected_mutants
else not_ok expected_mutants "differs from fixture.expect"; diff "$E" "$T/list1" | head -20 | sed 's/^/    /'; fi
"$M" list "$F" > "$T/list2" 2>&1
cmp -s "$T/list1" "$T/list2" && ok deterministic || not_ok deterministic
for op in c n a k d i; do
	grep -q "	$op	" "$T/list1" && ok "operator_$op" || not_ok "operator_$op" "no mutant"
done
n=$(wc -l < "$T/list1")
bad=
while IFS='	' read -r num line op id func before after; do
	"$M" show "$F" "$num" > "$T/m.c"
	# Only the named line changes.
	got=$(diff "$F" "$T/m.c" | sed -n 's/^\([0-9,]*\)c.*/\1/p')
	[ "$got" = "$line" ] || bad="$bad $num(line $got, want $line)"
	[ "$(sed -n "${line}p" "$T/m.c" | tr -s ' \t' ' ' | sed 's/^ //')" = "$after" ] ||
	    bad="$bad $num(text)"
	cc -fsyntax-only -x c "$T/m.c" 2>/dev/null || bad="$bad $num(compile)"
done < "$T/list1"
[ -z "$bad" ] && ok "every_mutant_one_line_and_compiles ($n)" ||
    not_ok every_mutant_one_line_and_compiles "$bad"
# Filters pick the same mutants (same ids).
"$M" list "$F" -f fx_loop | cut -f4 > "$T/f"
awk -F'\t' '$5 == "fx_loop" { print $4 }' "$T/list1" > "$T/fw"
[ -s "$T/f" ] && cmp -s "$T/f" "$T/fw" && ok function_filter || not_ok function_filter
"$M" list "$F" -l 33-34 | cut -f4 > "$T/l"
awk -F'\t' '$2 >= 33 && $2 <= 34 { print $4 }' "$T/list1" > "$T/lw"
[ -s "$T/l" ] && cmp -s "$T/l" "$T/lw" && ok line_filter || not_ok line_filter
"$M" list "$F" -o d | cut -f4 > "$T/o"
awk -F'\t' '$3 == "d" { print $4 }' "$T/list1" > "$T/ow"
[ -s "$T/o" ] && cmp -s "$T/o" "$T/ow" && ok operator_filter || not_ok operator_filter
# Macros (line 5), file-scope tables (7) and array sizes in declarations
# (15) are never mutated, nor strings and comments.
untouched=$(awk -F'\t' '$2 == 5 || $2 == 7 || $2 == 15 { print $1 }
    $7 ~ /"a / && $7 !~ /"a < b"/ { print $1 }
    $6 ~ /a comment/ && $7 !~ /a comment: n >= 8 && 1/ { print $1 }' "$T/list1")
[ -z "$untouched" ] && ok untouched_places || not_ok untouched_places "mutants $untouched"
"$M" show "$F" 999 > /dev/null 2>&1 && not_ok no_such_mutant || ok no_such_mutant
