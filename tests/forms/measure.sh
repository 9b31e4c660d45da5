#!/usr/bin/env bash
# Issue 15's measure: of the forms in DIR (*.md, *.xlsx, *.xls) that
# pyxform accepts, how many load (`form check`), and fill and save (`fill`
# with an empty answers file, a draft) unchanged.  Not a test: run by hand,
#   tests/forms/measure.sh DIR
# and record the figures in docs/forms.md with the date and the corpus.
set -u
dir=${1:?usage: measure.sh DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
D=${DOORSTEP:-$top/build/rel/doorstep}
O=${DOORSTEP_OFFICE:-$top/build/rel/doorstep-office}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export DOORSTEP_KDF_COST=min DOORSTEP_LANG=en
printf 'measure the corpus\n' > "$T/pass"
"$O" init --dir "$T/office" >/dev/null 2>&1
"$D" --workspace "$T/ws" --passphrase-file "$T/pass" init \
    --office-key "$T/office/office-public.key" --worker M >/dev/null 2>&1
echo '{}' > "$T/a.json"
n=0 loaded=0 saved=0
for f in "$dir"/*.md "$dir"/*.xlsx "$dir"/*.xls; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if ! "$D" form check "$f" >"$T/out" 2>&1; then
		echo "does not load: $f"; grep -v warning "$T/out" | head -3
		continue
	fi
	loaded=$((loaded + 1))
	if "$D" --workspace "$T/ws" --passphrase-file "$T/pass" fill "$f" \
	    --answers "$T/a.json" >"$T/out" 2>&1; then
		saved=$((saved + 1))
	else
		echo "does not save: $f"; head -3 "$T/out"
	fi
done
echo "$n forms: $loaded load, $saved fill and save"
