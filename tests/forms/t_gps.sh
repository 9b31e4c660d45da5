#!/usr/bin/env bash
# A GPS receiver through gpsd: gpsfake (Debian gpsd-clients) replays an NMEA
# log into a real gpsd on a loopback port; `fill` on a form with
# start-geopoint stores the fix.  Without gpsd the location is left empty
# and typed geopoints still work.
. "$(dirname "$0")/../lib.sh"

export DOORSTEP_KDF_COST=min DOORSTEP_LANG=en
printf 'correct horse battery\n' > "$T/pass"
"$DOORSTEP_OFFICE" init --dir "$T/office" >"$T/.out" 2>&1 ||
	{ not_ok "office init" "$(cat "$T/.out")"; exit 0; }
W="$T/ws"
ds() { "$DOORSTEP" --workspace "$W" --passphrase-file "$T/pass" "$@"; }
ds init --office-key "$T/office/office-public.key" --worker "Wang Li" \
    >"$T/.out" 2>&1 || { not_ok "workspace init" "$(cat "$T/.out")"; exit 0; }
cat > "$T/visit.md" <<'MD'
| survey |
|        | type           | name | label |
|        | start-geopoint | here |       |
|        | geopoint       | home | Home  |
| settings |
|          | form_id | version |
|          | visit   | 1       |
MD
printf '{"home": "30.5 104.1"}\n' > "$T/a.json"

# No gpsd: nothing to wait for, the start location stays empty.
export DOORSTEP_GPSD=127.0.0.1:9
if ds fill "$T/visit.md" --answers "$T/a.json" >"$T/id" 2>"$T/.out"; then
	ds show "$(cat "$T/id")" >"$T/rec" 2>&1
	if grep -q '"here"' "$T/rec"; then not_ok "no gpsd: start-geopoint empty" "$(cat "$T/rec")"
	else ok "no gpsd: start-geopoint empty"; fi
	has "no gpsd: the typed geopoint is kept" "$T/rec" '"home":"30.5 104.1"'
else not_ok "no gpsd: fill saves" "$(cat "$T/.out")"; fi

if ! command -v gpsfake >/dev/null; then
	not_ok "gpsfake is installed (make deps)" "gpsd-clients missing"
	exit 0
fi
port=$((20000 + RANDOM % 20000))
# Its own process group, so gpsfake and the gpsd it runs end together.
setsid timeout -k 5 60 gpsfake -q -P "$port" -c 0.1 \
    "$DS_TOP/tests/forms/gps/chengdu.nmea" >"$T/gpsfake.log" 2>&1 &
gf=$!
export DOORSTEP_GPSD=127.0.0.1:$port
got=
# A sentence every 0.1 s: a whole GGA/GSA/RMC group in 0.3 s, as a 1 Hz
# receiver sends it.  An idle gpsd opens the device only when fill asks,
# and its first fix came after 1.2 s on a quiet machine: fill waits 5 s
# (a 1.5 s wait missed every fix of 20 tries in a loaded CI run).
for _ in $(seq 5); do
	sleep 1
	if ds fill "$T/visit.md" --answers "$T/a.json" >"$T/id" 2>"$T/.out"
	then
		ds show "$(cat "$T/id")" >"$T/rec" 2>&1
		grep -q '"here":"30.5728000 104.0668000 545.4' "$T/rec" &&
		    { got=1; break; }
	fi
done
kill -- -"$gf" 2>/dev/null; sleep 0.5; kill -9 -- -"$gf" 2>/dev/null
wait "$gf" 2>/dev/null
if [ -n "$got" ]; then ok "gpsd fix stored as start-geopoint"
else not_ok "gpsd fix stored as start-geopoint" "$(cat "$T/rec" "$T/gpsfake.log" 2>/dev/null)"; fi
