#!/usr/bin/env bash
# Issue 15: each XLSForm rule's form (tests/forms/compat/*.md, and its .xlsx
# twin written by test_xls_compat --write) is checked by `form check` and
# filled and saved by `fill`, as its '# fill:' lines say; '# refuse:'
# answers must be refused (with --finalize, so required counts).
# The model-level asserts are test_xls_compat's.
. "$(dirname "$0")/../lib.sh"

export DOORSTEP_LANG=en
B=$DS_TOP/build/$MODE/tests/test_xls_compat
field_ws || exit 0
mkdir -p "$T/x"
"$B" --write "$T/x" "$DS_TOP"/tests/forms/compat/*.md >"$T/.out" 2>&1 ||
	{ not_ok "xlsx twins" "$(cat "$T/.out")"; exit 0; }

for md in "$DS_TOP"/tests/forms/compat/*.md; do
	n=$(basename "$md" .md)
	for f in "$md" "$T/x/$n.xlsx"; do
		k=$n.${f##*.}
		if grep -q '^# assert: errored=true' "$md"; then
			check_fail "$k: form check refuses it" 1 \
			    "$DOORSTEP" form check "$f"
			continue
		fi
		check "$k: form check loads it" "$DOORSTEP" form check "$f"
		i=0
		while IFS= read -r a; do
			i=$((i + 1))
			printf '%s\n' "$a" > "$T/a.json"
			if ds fill "$f" --answers "$T/a.json" >"$T/id" \
			    2>"$T/.out" && grep -q '^[0-9a-f-]\{36\}$' "$T/id"
			then ok "$k: fill $i is saved"
			else not_ok "$k: fill $i is saved" "$(cat "$T/.out")"; fi
		done < <(sed -n 's/^# fill: //p' "$md")
		i=0
		while IFS= read -r a; do
			i=$((i + 1))
			printf '%s\n' "${a% => *}" > "$T/a.json"
			want=${a##* => }
			if ds fill "$f" --answers "$T/a.json" --finalize \
			    >"$T/id" 2>"$T/.out"; then
				not_ok "$k: refusal $i" "saved: $(cat "$T/id")"
			elif grep -qF -- "$want" "$T/.out"; then
				ok "$k: refusal $i names '$want'"
			else not_ok "$k: refusal $i names '$want'" \
			    "$(cat "$T/.out")"; fi
		done < <(sed -n 's/^# refuse: //p' "$md")
	done
done

# Excel 97-2003 (tests/forms/legacy/make_xls.py wrote it)
L=$DS_TOP/tests/forms/legacy/legacy.xls
check "legacy.xls: form check loads it" "$DOORSTEP" form check "$L"
printf '{"age": 7, "visit": "2026-02-03", "ok": "1"}\n' > "$T/a.json"
if ds fill "$L" --answers "$T/a.json" --finalize >"$T/id" 2>"$T/.out"
then ok "legacy.xls: filled and saved"
else not_ok "legacy.xls: filled and saved" "$(cat "$T/.out")"; fi
printf '{"age": 2}\n' > "$T/a.json"
if ds fill "$L" --answers "$T/a.json" >"$T/id" 2>"$T/.out"; then
	not_ok "legacy.xls: its constraint holds" "saved"
else has "legacy.xls: its constraint holds" "$T/.out" "Too young"; fi

# form check says how a range and a likert question are captured, in the
# chosen language.
C=$DS_TOP/tests/forms/compat
check "range: form check in English" "$DOORSTEP" --lang en form check "$C/range.md"
has "range: how it is captured" "$T/.out" \
    "range (4): a number typed on the keyboard, kept between start and end and on the step"
check "range: form check in Chinese" "$DOORSTEP" --lang zh form check "$C/range.md"
has "range: how it is captured, in Chinese" "$T/.out" "range（4 题）：用键盘输入数字"
check "likert: form check in English" "$DOORSTEP" --lang en form check "$C/likert.md"
has "likert: how it is captured" "$T/.out" \
    "likert (1): the choices shown as a list, one key each"
check "likert: form check in Chinese" "$DOORSTEP" --lang zh form check "$C/likert.md"
has "likert: how it is captured, in Chinese" "$T/.out" "likert（1 题）：选项以列表显示"

# osm: the .osm file is attached by its path, and form check says the
# tags are not offered, in the chosen language.
printf '<?xml version="1.0"?><osm version="0.6"></osm>\n' > "$T/b.osm"
printf '{"name": "Li"}\n' > "$T/a.json"
if ds fill "$C/osm.md" --answers "$T/a.json" \
    --attach "building=$T/b.osm" >"$T/id" 2>"$T/.out"
then ok "osm: the .osm file is attached and saved"
else not_ok "osm: the .osm file is attached and saved" "$(cat "$T/.out")"; fi
check "osm: form check in Chinese" "$DOORSTEP" --lang zh form check "$C/osm.md"
has "osm: the tags are not offered, in Chinese" "$T/.out" "不提供"
