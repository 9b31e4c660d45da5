#!/usr/bin/env bash
# A dateTime typed without an offset is the laptop's local time, saved with
# its offset as Collect saves it (daylight saving as that day had it); an
# offset typed is kept.  POSIX TZ strings: no tzdata needed.
. "$(dirname "$0")/../lib.sh"

export DOORSTEP_LANG=en
field_ws || exit 0
cat > "$T/dt.md" <<'MD'
| survey |
|        | type     | name | label |
|        | dateTime | seen | Seen  |
| settings |
|          | form_id | version |
|          | dt      | 1       |
MD
saved() {	# NAME TZ TYPED WANT
	printf '{"seen": "%s"}\n' "$3" > "$T/a.json"
	if TZ=$2 ds fill "$T/dt.md" --answers "$T/a.json" >"$T/id" 2>"$T/.out"
	then
		ds show "$(cat "$T/id")" >"$T/rec" 2>&1
		has "$1" "$T/rec" "\"seen\":\"$4\""
	else not_ok "$1" "$(cat "$T/.out")"; fi
}
saved "Beijing time gets +08:00" CST-8 "2026-12-07 09:30" \
    "2026-12-07T09:30:00+08:00"
saved "summer in New York gets -04:00" EST5EDT,M3.2.0,M11.1.0 \
    "2026-07-01T09:30" "2026-07-01T09:30:00-04:00"
saved "winter in New York gets -05:00" EST5EDT,M3.2.0,M11.1.0 \
    "2026-01-15 09:30:15" "2026-01-15T09:30:15-05:00"
saved "UTC gets +00:00" UTC0 "2026-12-07 09:30" "2026-12-07T09:30:00+00:00"
saved "a typed offset is kept" CST-8 "2026-12-07T09:30:00-03:00" \
    "2026-12-07T09:30:00-03:00"
saved "Z is kept" CST-8 "2026-12-07T01:30:00Z" "2026-12-07T01:30:00Z"
