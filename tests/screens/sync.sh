# Sync screen-test set-up.  Source after tests/lib.sh, tmux.sh and ws.sh:
#   big_ws DIR N          a workspace (make_ws) with N finalized households
#                         of ~45 KB of random text each (they do not
#                         compress: N=8 is a ~370 KB bundle)
#   enroll DIR            the office approves DIR's laptop (by a bundle file)
#   serve                 doorstep-office serve on a free loopback port:
#                         $port, $spid; unserve stops it
#   sync_app DIR [VAR=VALUE...]  the TUI on DIR (80x24, English) with the
#                         office URL filled in and the given environment
#   pending DIR           `doorstep sync status`'s pending line
big_ws() {
	local w=$1 n=$2 i
	cat >"$T/big.md" <<'MD'
| survey |
|        | type | name | label::English (en) | label::中文 (zh) |
|        | text | head | Household head      | 户主姓名         |
|        | text | note | Notes               | 备注             |
| settings |
|          | form_id | version | form_title | default_language | head_name | instance_name |
|          | big     | 1       | Big form   | English (en)     | head      | ${head}       |
MD
	make_ws "$w" "$T/big.md" || return 1
	for i in $(seq 1 "$n"); do
		printf '{"head":"户主%d","note":"%s"}' "$i" \
		    "$(head -c 45000 /dev/urandom | base64 -w0)" >"$T/a.json"
		"$DOORSTEP" --workspace "$w" --passphrase-file "$T/pass" fill \
		    big --answers "$T/a.json" --finalize >/dev/null || return 1
	done
}
enroll() {
	local w=$1
	"$DOORSTEP" --workspace "$w" --passphrase-file "$T/pass" sync export \
	    --out "$T/enroll.dsb" >/dev/null &&
	"$DOORSTEP_OFFICE" enroll --dir "$T/office" --fingerprint \
	    "$(fingerprint "$w" --passphrase-file "$T/pass")" "$T/enroll.dsb" \
	    >/dev/null
	local rc=$?
	rm -f "$T/enroll.dsb"
	return $rc
}
spid=
serve() {
	: >"$T/serve.out"
	owned "$DOORSTEP_OFFICE" serve --dir "$T/office" --listen 127.0.0.1:0 \
	    >"$T/serve.out" 2>&1 &
	spid=$!
	port=
	for _ in $(seq 100); do
		port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' \
		    "$T/serve.out")
		[ -n "$port" ] && return 0
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
	done
	not_ok serve "did not start: $(cat "$T/serve.out")"
	return 1
}
unserve() {
	if [ -n "$spid" ]; then
		kill "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
		spid=
	fi
}
trap 'unserve; tm_stop; rm -rf "$T"' EXIT
sync_app() {
	local w=$1
	shift
	tm_start 80 24 LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=en \
	    DOORSTEP_LOCALEDIR="$DS_TOP/build/locale" "$@" -- \
	    "$DOORSTEP" --workspace "$w" --passphrase-file "$T/pass"
}
pending() {
	"$DOORSTEP" --workspace "$1" --passphrase-file "$T/pass" --lang en \
	    sync status |
	    sed -n 's/^pending: //p'
}
# Wait until the bar shows a percentage strictly between 0 and 100; that
# screen is left in $T/mid.
wait_mid_pct() {
	local i=0 p
	while [ $i -lt 300 ]; do
		tm_screen >"$T/mid"
		p=$(sed -n 's/^  [#.]\{10,\} *\([0-9]\{1,3\}\)%$/\1/p' "$T/mid" |
		    head -1)
		if [ -n "$p" ] && [ "$p" -gt 0 ] && [ "$p" -lt 100 ]; then
			echo "$p"
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
