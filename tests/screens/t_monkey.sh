#!/usr/bin/env bash
# No crash on any key sequence: random key scripts (fixed seeds, so a
# failure can be replayed) drive the app through every screen of the small
# form on a real workspace; each run must end cleanly (status 0, no
# sanitizer report) and leave a store that still lists.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ws.sh"

W=$T/ws
make_ws "$W" || { not_ok make_ws "workspace set-up failed"; exit 0; }
keys=(0 1 2 3 4 5 6 7 8 9 a d e f i n o s y Y / + - . x 王 芳 ' '
    '<Enter>' '<Enter>' '<Enter>' '<Enter>' '<Esc>' '<Tab>' '<BTab>'
    '<Up>' '<Down>' '<Left>' '<Right>' '<Home>' '<End>' '<PgUp>' '<PgDn>'
    '<BS>' '<Del>' '<F1>' '<F2>' '<F3>' '<F4>' '<F5>' '<F6>' '<F7>'
    '<F8>' '<F9>' '<C-u>' '<C-s>' '<C-p>' '<C-n>' '<C-o>' '<C-r>' '<C-e>'
    '<C-t>' '<C-g>' '<C-l>' '<resize 79x23>' '<resize 80x24>'
    '<resize 120x40>')
runs=${MONKEY_RUNS:-12}
len=${MONKEY_KEYS:-400}
bad=0
cd "$T"
for seed in $(seq 1 "$runs"); do
	RANDOM=$seed
	{
		printf 'n1<Enter>'
		for i in $(seq "$len"); do printf '%s' "${keys[RANDOM % ${#keys[@]}]}"; done
		printf '<F10><F10><F10>'
	} >"$T/monkey-$seed.keys"
	DS_NO_DISPLAY=1 DOORSTEP_KEYS="$T/monkey-$seed.keys" LANGUAGE=en \
	    "$DOORSTEP" --workspace "$W" --passphrase-file "$T/pass" \
	    >"$T/monkey.out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || grep -q 'Sanitizer\|runtime error' "$T/monkey.out"; then
		not_ok "monkey_seed_$seed" "exit $rc (replay: $T/monkey-$seed.keys)"
		head -30 "$T/monkey.out" | sed 's/^/    /'
		bad=1
	fi
done
[ $bad = 0 ] && ok "monkey_${runs}_runs_of_${len}_keys"
check store_still_lists records "$W"
