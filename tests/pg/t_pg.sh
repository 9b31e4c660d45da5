#!/usr/bin/env bash
# The office store on PostgreSQL (issue 17), on a throwaway cluster:
# initdb and pg_ctl in a temporary directory, a Unix socket only, run as an
# unprivileged user (postgres or nobody when the suite runs as root),
# stopped and removed on exit.  `make deps` installs the server; without
# its binaries this prints one SKIP line.
# - the same laptop bundles imported into office.db and into the county
#   database (the same office keys) give the same ledger, revisions,
#   heads, acknowledged ranges, devices and export, byte for byte;
# - test_sync_model's random histories (forks, held revisions, heads)
#   converge on PostgreSQL as on SQLite;
# - four importers racing over the same bundles, some killed with -9,
#   then one more run, equal the one-importer database; another township
#   imports at the same time;
# - a township role sees and writes only its rows, whatever SQL it sends;
#   the county role reads both townships;
# - pg_dump of the whole database holds no name, ID number or phone in
#   clear (nor their hex);
# - what is not ported to PostgreSQL refuses with a clear message.
. "$(dirname "$0")/../lib.sh"

. "$(dirname "$0")/cluster.sh"
if [ -z "$PG_BIN" ]; then
	ok "postgresql # SKIP no PostgreSQL server binaries (make deps installs them)"
	exit 0
fi
P=$(mktemp -d "${TMPDIR:-/tmp}/ds-pg.XXXXXX")
trap 'pg_stop; rm -rf "$T"' EXIT
# No autovacuum: the importer's own statistics are tested (test_dbx_pg
# --fresh).
if ! pg_start "$P" fsync=off autovacuum=off; then
	not_ok "start a throwaway PostgreSQL" "$(tail -5 "$P.initdb.log" "$P/log" 2>/dev/null)"
	exit 0
fi
ok "a throwaway PostgreSQL cluster started (unix socket, $PG_BIN)"
sql() {	# ROLE SQL...
	local r=$1; shift
	psql -X -q -t -A -v ON_ERROR_STOP=1 -h "$P" -U "$r" -d county "$@"
}
url() { echo "postgresql:///county?host=$P&user=$1"; }
# Township roles have only what dbsetup grants: not PUBLIC's temporary
# tables (the staging of a bundle needs them).
sql ds_owner -c "REVOKE TEMPORARY ON DATABASE county FROM PUBLIC" ||
    not_ok "revoke TEMPORARY from PUBLIC"
check "dbsetup creates the county schema" "$DOORSTEP_OFFICE" --lang en \
    dbsetup "$(url ds_owner)"
has "dbsetup says the versions" "$T/.out" "from schema version 0 to 6"
check "dbsetup again: nothing to do" "$DOORSTEP_OFFICE" --lang en \
    dbsetup "$(url ds_owner)"
has "dbsetup again says so" "$T/.out" "nothing to do"
# Two townships of county 341802 and the county's own role.
sql ds_owner -c "
CREATE ROLE t_a LOGIN IN ROLE ds_office;
CREATE ROLE t_b LOGIN IN ROLE ds_office;
CREATE ROLE c_county LOGIN IN ROLE ds_office;
INSERT INTO ds_role VALUES ('t_a', '341802', '341802101'),
    ('t_b', '341802', '341802102'), ('c_county', '341802', '*');" ||
    not_ok "roles"
UA=$(url t_a)
UB=$(url t_b)

export DOORSTEP_PASSPHRASE=pg-test-pass
F=$DS_TOP/forms
O=$T/office
off() { "$DOORSTEP_OFFICE" --lang en --dir "$O" "$@"; }
pgoff() { "$DOORSTEP_OFFICE" --lang en --dir "$O" --db "$UA" "$@"; }
check_fail "init --db before the township has a role: refused" 1 \
    "$DOORSTEP_OFFICE" --lang en init --dir "$T/nobody" \
    --db "$(url ds_owner)"
has "it names the missing township" "$T/.out" "is not a township's role"
[ ! -e "$T/nobody/office-secret.key" ] && ok "and leaves no keys behind" ||
    not_ok "and leaves no keys behind"
# Settings that cannot be written: nothing is made, in the database either.
sql ds_owner -c "CREATE ROLE t_c LOGIN IN ROLE ds_office;
    INSERT INTO ds_role VALUES ('t_c', '341802', '341802103')" >/dev/null
mkdir -p "$T/half/settings.json/x"
check_fail "init --db with unwritable settings: refused" 1 \
    "$DOORSTEP_OFFICE" --lang en init --dir "$T/half" --db "$(url t_c)"
[ "$(sql ds_owner -c "SELECT count(*) FROM meta
    WHERE township_code = '341802103'")" = 0 ] &&
    [ ! -e "$T/half/office-secret.key" ] &&
    ok "and leaves no keys and no rows of the township behind" ||
    not_ok "and leaves no keys and no rows of the township behind"
# A join whose write the server refuses (its failure waits in the
# pipeline) says why, not that the township has an office already.
sql ds_owner -c "REVOKE INSERT ON meta FROM ds_office"
check_fail "init --db with the write refused: fails" 1 "$DOORSTEP_OFFICE" \
    --lang en init --dir "$T/refused" --db "$(url t_c)"
has "it gives the server's reason" "$T/.out" "permission denied for table meta"
hasnt "and not that an office is there" "$T/.out" "already has an office"
sql ds_owner -c "GRANT INSERT ON meta TO ds_office"
off init >/dev/null || not_ok "init office.db"
check "the township joins the county database with the same keys" pgoff init
has "init --db says it joined" "$T/.out" "joined the county database"
check_fail "a second join is refused" 1 pgoff init

# One laptop, three households, two sticks: the second bundle after the
# first, imported before it.
ds() { "$DOORSTEP" --workspace "$T/ws" "$@"; }
ds init --office-key "$O/office-public.key" --worker w --kdf-cost min >/dev/null
for h in 1 2; do
	ds fill "$F/household.md" --answers "$F/demo/household-$h.json" \
	    --finalize >/dev/null
done
ds sync export --out "$T/usb1" >/dev/null 2>&1
# The third with the photo of its consent letter: a version 2 bundle.
{ printf '\377\330\377\340\000\020JFIF\000'; head -c 6000 /dev/urandom; } \
    >"$T/letter.jpg"
ds fill "$F/household.md" --answers "$F/demo/household-3.json" \
    --attach "letter_photo=$T/letter.jpg" --finalize >/dev/null
ds sync export --out "$T/usb2" >/dev/null 2>&1
b1=$(find "$T/usb1" -name '*.dsb' | head -1)
fp=$(fingerprint "$T/ws")
for eng in lite pg; do
	o=off; [ $eng = pg ] && o=pgoff
	$o import "$T/usb1" >"$T/$eng.imp1" 2>&1
	has "$eng: an unknown laptop's bundle is held" "$T/$eng.imp1" "held"
	$o enroll --fingerprint "$fp" "$b1" >"$T/$eng.enroll" 2>&1 ||
	    not_ok "$eng: enroll" "$(cat "$T/$eng.enroll")"
	$o import "$T/usb2" "$T/usb1" >"$T/$eng.imp2" 2>&1 ||
	    not_ok "$eng: import" "$(cat "$T/$eng.imp2")"
	$o devices | sed 's/  *$//' >"$T/$eng.devices"
	$o export --format csv --out "$T/$eng.csv" >/dev/null ||
	    not_ok "$eng: export"
done
has "pg: the stick imported again is a duplicate" "$T/pg.imp2" "already imported"
cmp -s "$T/lite.devices" "$T/pg.devices" && ok "devices: the same on both engines" ||
    not_ok "devices: the same on both engines" "$(diff "$T/lite.devices" "$T/pg.devices")"
for f in .csv -members.csv -codebook.csv; do
	cmp -s "$T/lite$f" "$T/pg$f" && ok "export$f: byte-equal on both engines" ||
	    not_ok "export$f: byte-equal on both engines" "$(diff "$T/lite$f" "$T/pg$f" | head -5)"
done
for eng in lite pg; do
	ph=$(ls "$T/$eng-media" 2>/dev/null)
	[ -n "$ph" ] && cmp -s "$T/letter.jpg" "$T/$eng-media/$ph" &&
	    ok "$eng: the letter's photo exported byte for byte" ||
	    not_ok "$eng: the letter's photo exported byte for byte" "$ph"
done

# The reports of the month, and the quality ledger, on both.
for eng in lite pg; do
	o=off; [ $eng = pg ] && o=pgoff
	$o report monthly --month 2024-09 --out "$T/$eng-monthly.csv" \
	    >/dev/null 2>&1 || not_ok "$eng: report monthly"
	$o report period --from 2024-08 --to 2024-10 \
	    --out "$T/$eng-period.csv" >/dev/null 2>&1 ||
	    not_ok "$eng: report period"
	$o report quality --out "$T/$eng-quality.csv" >/dev/null 2>&1 ||
	    not_ok "$eng: report quality"
	$o report timeliness --out "$T/$eng-timeliness.csv" >/dev/null 2>&1 ||
	    not_ok "$eng: report timeliness"
done
grep -q ',w,1,' "$T/pg-timeliness.csv" &&
    ok "timeliness: the worker's visits counted" ||
    not_ok "timeliness: the worker's visits counted" "$(cat "$T/pg-timeliness.csv")"
for r in monthly period quality timeliness; do
	[ -s "$T/pg-$r.csv" ] && cmp -s "$T/lite-$r.csv" "$T/pg-$r.csv" &&
	    ok "report $r: byte-equal on both engines" ||
	    not_ok "report $r: byte-equal on both engines" \
	    "$(diff "$T/lite-$r.csv" "$T/pg-$r.csv" | head -5)"
done

# The database itself: one digest query, run on both.
Q="SELECT 'ledger', hex(bundle_id), hex(device_id), seq_lo, seq_hi, record_count, status FROM ledger
UNION ALL SELECT 'rev', hex(rev_id), hex(record_uuid), rev_no, held, deleted, device_seq FROM revision
UNION ALL SELECT 'head', hex(record_uuid), hex(rev_id), rev_no, deleted, 0, 0 FROM head
UNION ALL SELECT 'fork', hex(rev_a), hex(rev_b), 0, 0, 0, 0 FROM fork
UNION ALL SELECT 'ack', hex(device_id), '', lo, hi, 0, 0 FROM ackrange
UNION ALL SELECT 'visit', hex(rev_id), hh_key, finalized, 0, 0, 0 FROM visit
UNION ALL SELECT 'hh', hh_key, state, members, 0, 0, 0 FROM hh
ORDER BY 1, 2, 3"
digest_lite() { sqlite3 -separator '|' "$1" "$Q"; }
digest_pg() { sql "$1" -F '|' -c "$Q"; }
digest_lite "$O/office.db" >"$T/lite.digest"
digest_pg t_a >"$T/pg.digest"
[ "$(grep -c '^rev|' "$T/pg.digest")" -eq 3 ] && ok "pg: three revisions stored" ||
    not_ok "pg: three revisions stored" "$(cat "$T/pg.digest")"
cmp -s "$T/lite.digest" "$T/pg.digest" &&
    ok "ledger, revisions, heads, forks, ranges, visits: equal on both engines" ||
    not_ok "ledger, revisions, heads, forks, ranges, visits: equal on both engines" \
    "$(diff "$T/lite.digest" "$T/pg.digest" | head -8)"

# Random histories with forks and held revisions, on PostgreSQL.
if [ -x "$DS_TOP/build/$MODE/tests/test_sync_model" ]; then
	DOORSTEP_TEST_PG_HOST=$P DOORSTEP_TEST_PG_DB=county \
	    DOORSTEP_TEST_PG_OWNER=ds_owner DOORSTEP_MODEL_SEQS=6 \
	    "$DS_TOP/build/$MODE/tests/test_sync_model" >"$T/model" 2>&1
	has "test_sync_model converges on PostgreSQL" "$T/model" "1 passed, 0 failed"
else
	ok "test_sync_model on PostgreSQL # SKIP not built (make tests)"
fi
if [ -x "$DS_TOP/build/$MODE/tests/test_dbx_pg" ]; then
	DOORSTEP_TEST_PG_HOST=$P DOORSTEP_TEST_PG_DB=county \
	    DOORSTEP_TEST_PG_OWNER=ds_owner \
	    "$DS_TOP/build/$MODE/tests/test_dbx_pg" >"$T/dbxpg" 2>&1
	has "test_dbx_pg: failed commit, pipeline, COPY, a bundle at once" \
	    "$T/dbxpg" "4 passed, 0 failed"
	# A database dbsetup just made, TEMPORARY revoked from PUBLIC: a
	# township imports, and its tables get statistics as they grow.
	sql ds_owner -c "CREATE DATABASE fresh" >/dev/null
	psql -X -q -h "$P" -U ds_owner -d fresh \
	    -c "REVOKE TEMPORARY ON DATABASE fresh FROM PUBLIC" >/dev/null
	"$DOORSTEP_OFFICE" dbsetup "postgresql:///fresh?host=$P&user=ds_owner" \
	    >/dev/null || not_ok "dbsetup fresh"
	DOORSTEP_TEST_PG_HOST=$P DOORSTEP_TEST_PG_DB=fresh \
	    DOORSTEP_TEST_PG_OWNER=ds_owner \
	    "$DS_TOP/build/$MODE/tests/test_dbx_pg" --fresh >"$T/fresh" 2>&1
	has "test_dbx_pg --fresh: a township with dbsetup's grants imports; statistics as it grows" \
	    "$T/fresh" "1 passed, 0 failed"
else
	ok "test_dbx_pg on PostgreSQL # SKIP not built (make tests)"
fi

# Concurrency: township A's laptop sends twelve bundles; the one-importer
# result on office.db is the reference.
for i in $(seq 1 12); do
	ds fill "$F/household.md" --answers "$F/demo/household-$(( i % 3 + 1 )).json" \
	    >/dev/null 2>&1
	ds sync export --out "$T/usb3" >/dev/null 2>&1
done
off import "$T/usb3" >/dev/null 2>&1 || not_ok "lite: import twelve bundles"
# Township B at the same time: its own office and laptop.
OB=$T/office-b
"$DOORSTEP_OFFICE" --dir "$OB" --db "$UB" init >/dev/null || not_ok "init b"
"$DOORSTEP" --workspace "$T/wsb" init --office-key "$OB/office-public.key" \
    --worker wb --kdf-cost min >/dev/null
"$DOORSTEP" --workspace "$T/wsb" fill "$F/household.md" --answers \
    "$F/demo/household-1.json" --finalize >/dev/null
"$DOORSTEP" --workspace "$T/wsb" sync export --out "$T/usbb" >/dev/null 2>&1
pids=()
for k in 1 2 3 4; do
	# Receipts apart: two writers of one receipt file race on its
	# temporary name (ds_file_write_atomic), not what this tests.
	mkdir -p "$T/rcpt$k"
	# The program itself in the background (not a shell function's
	# subshell): kill -9 below must reach the importer.
	"$DOORSTEP_OFFICE" --lang en --dir "$O" --db "$UA" import \
	    --receipts "$T/rcpt$k" "$T/usb3" >"$T/race$k" 2>&1 &
	pids+=($!)
done
"$DOORSTEP_OFFICE" --lang en --dir "$OB" --db "$UB" import "$T/usbb" \
    >"$T/raceb" 2>&1 &
bpid=$!
# Two of the four die at some point of their run (bash reports the
# killed jobs on its stderr: not a test line).
rcs=
{
	sleep 0.$(( RANDOM % 3 ))
	kill -9 "${pids[0]}"
	sleep 0.$(( RANDOM % 4 ))
	kill -9 "${pids[2]}"
	for p in "${pids[@]}" "$bpid"; do wait "$p"; rcs="$rcs $?"; done
} 2>/dev/null
# The killed ones may have finished first (0) or died (137); the others,
# losers of the race included, succeed.
set -- $rcs
[ "$1" = 0 -o "$1" = 137 ] && [ "$2" = 0 ] && [ "$3" = 0 -o "$3" = 137 ] &&
    [ "$4" = 0 ] && [ "$5" = 0 ] &&
    ok "the racing importers that were not killed all succeed" ||
    not_ok "the racing importers that were not killed all succeed" \
    "exit codes:$rcs; $(grep -hv '^  \|imported (\|duplicate (\|applied ' \
    "$T/race2" "$T/race4" | tail -5)"
pgoff import "$T/usb3" >"$T/race5" 2>&1 ||
    not_ok "pg: the run after the race" "$(grep -v 'already\|answers are safe\|receipt ' "$T/race5" | tail -5)"
digest_lite "$O/office.db" >"$T/lite.digest2"
digest_pg t_a >"$T/pg.digest2"
cmp -s "$T/lite.digest2" "$T/pg.digest2" &&
    ok "four racing importers (two killed) equal one importer" ||
    not_ok "four racing importers (two killed) equal one importer" \
    "$(diff "$T/lite.digest2" "$T/pg.digest2" | head -8)"
n=$(grep -c '^ledger|' "$T/pg.digest2")
[ "$n" -eq 14 ] && ok "every bundle once in the ledger ($n)" ||
    not_ok "every bundle once in the ledger" "$n"
has "township b imported while a raced" "$T/raceb" "held"

# Row-level security, as the roles themselves, with raw SQL.
[ "$(sql t_b -c 'SELECT count(*) FROM revision')" = 0 ] &&
    ok "township b reads none of a's revisions" ||
    not_ok "township b reads none of a's revisions" "$(sql t_b -c 'SELECT count(*) FROM revision')"
[ "$(sql t_b -c 'SELECT count(*) FROM pending')" = 1 ] &&
    ok "township b reads its own held bundle" || not_ok "township b reads its own held bundle"
[ "$(sql t_b -c "SELECT count(*) FROM meta WHERE k = 'office_id'")" = 1 ] &&
    ok "township b sees one office: its own" || not_ok "township b sees one office: its own"
if sql t_b -c "INSERT INTO device(county_code, township_code, device_id,
    sign_pk, state, first_seen, changed_at) VALUES ('341802', '341802101',
    '\\x00112233445566778899aabbccddeeff', decode(repeat('00', 32), 'hex'),
    'enrolled', 0, 0)" 2>"$T/rls.err"; then
	not_ok "township b cannot write a row of a" "insert succeeded"
else
	has "township b cannot write a row of a" "$T/rls.err" "row-level security"
fi
sql t_b -c "UPDATE ledger SET status = 9; DELETE FROM revision;" 2>/dev/null
[ "$(sql t_a -c 'SELECT count(*) FROM revision')" = 15 ] &&
    ok "township b's UPDATE and DELETE touch none of a's rows" ||
    not_ok "township b's UPDATE and DELETE touch none of a's rows" "$(sql t_a -c 'SELECT count(*) FROM revision')"
# A temporary ds_role (pg_temp is searched first) does not fool the policy.
n=$(sql t_b -c "CREATE TEMP TABLE ds_role(rolname name, county_code text,
    township_code text); INSERT INTO ds_role VALUES ('t_b', '341802', '*');
    SELECT count(*) FROM revision")
[ "$n" = 0 ] && ok "a temporary ds_role does not widen township b's view" ||
    not_ok "a temporary ds_role does not widen township b's view" "$n rows"
# A hostile search path changes nothing the policies see (schema 5): types
# and functions of the role's own, in pg_temp (searched first for types,
# even before pg_catalog) and in a schema it owns, put before pg_catalog.
# Version 4's ds_reads declared its variables `text`: a domain text over
# "char" made it return the first digit of the township, and the role saw
# none of its rows.
sql ds_owner -c "CREATE SCHEMA evil AUTHORIZATION t_b;
    CREATE SCHEMA evil_c AUTHORIZATION c_county;
    CREATE SCHEMA evil_s AUTHORIZATION c_county" >/dev/null
hostile() {	# SCHEMA: the SQL that sets the trap
	echo "CREATE DOMAIN pg_temp.text AS \"char\";
	CREATE DOMAIN $1.text AS \"char\";
	CREATE FUNCTION $1.current_setting(pg_catalog.text, boolean)
	    RETURNS pg_catalog.text LANGUAGE sql
	    AS 'SELECT ''341802101''::pg_catalog.text';
	CREATE FUNCTION $1.upper(pg_catalog.text) RETURNS pg_catalog.text
	    LANGUAGE sql AS 'SELECT ''x''::pg_catalog.text';
	CREATE FUNCTION $1.ne(pg_catalog.text, pg_catalog.text)
	    RETURNS boolean LANGUAGE sql AS 'SELECT false';
	CREATE OPERATOR $1.<> (FUNCTION = $1.ne, LEFTARG = pg_catalog.text,
	    RIGHTARG = pg_catalog.text);
	SET search_path = $1, pg_temp, pg_catalog, public;"
}
Q3="SELECT count(*) FROM meta; SELECT count(DISTINCT township_code) FROM meta;
    SELECT hex('\\x0a'::bytea)"
want=$(sql t_b -c "$Q3")
got=$(sql t_b -c "$(hostile evil) $Q3")
[ "$(echo $want | cut -d' ' -f2-)" = "1 0A" ] && [ "$got" = "$want" ] &&
    ok "a township's hostile search path changes nothing it sees" ||
    not_ok "a township's hostile search path changes nothing it sees" \
    "$(echo $want) / $(echo $got)"
want=$(sql c_county -c "$Q3")
got=$(sql c_county -c "$(hostile evil_c) $Q3")
[ "$(echo "$want" | sed -n 2p)" -ge 2 ] && [ "$got" = "$want" ] &&
    ok "the county's hostile search path changes nothing it sees" ||
    not_ok "the county's hostile search path changes nothing it sees" \
    "$(echo $want) / $(echo $got)"
# As the county narrowed to one township (ds.scope): still that one.
want=$(sql c_county -c "SET ds.scope = '341802102'; $Q3")
got=$(sql c_county -c "SET ds.scope = '341802102'; $(hostile evil_s) $Q3")
[ "$(echo $want | cut -d' ' -f2-)" = "1 0A" ] && [ "$got" = "$want" ] &&
    ok "the county's scope holds under a hostile search path" ||
    not_ok "the county's scope holds under a hostile search path" \
    "$(echo $want) / $(echo $got)"
if sql t_b -c "UPDATE ds_role SET township_code = '341802101' WHERE rolname = 't_b'" 2>/dev/null; then
	not_ok "township b cannot remap its role"
else ok "township b cannot remap its role"; fi
[ "$(sql c_county -c 'SELECT count(DISTINCT township_code) FROM meta')" = 2 ] &&
    ok "the county role reads both townships" || not_ok "the county role reads both townships"
# The read policy names the township in the index condition: a look-up by
# household key reads the role's townships, not every row of the county
# (20,000 rows of a third township, rolled back).
for r in t_a c_county; do
	plan=$(sql ds_owner -c "BEGIN; INSERT INTO hh(county_code,
	    township_code, hh_key, created_at, updated_at) SELECT '341802',
	    '341802109', 'k' || g, 0, 0 FROM generate_series(1, 20000) g;
	    ANALYZE hh; SET ROLE $r; EXPLAIN (COSTS OFF) SELECT * FROM hh
	    WHERE hh_key = 'x'; ROLLBACK" | grep 'Cond')
	if echo "$plan" | grep -q 'township_code.*hh_key' &&
	    ! echo "$plan" | grep -qv 'township_code'; then
		ok "$r: a look-up by key uses the township in the index"
	else
		not_ok "$r: a look-up by key uses the township in the index" "$plan"
	fi
done
Q2="SELECT township_code, k, md5(v) FROM meta UNION ALL
    SELECT township_code, hex(bundle_id), status::text FROM ledger ORDER BY 1, 2"
before=$(sql ds_owner -c "$Q2")
sql c_county -c "DELETE FROM meta" 2>/dev/null
sql c_county -c "UPDATE ledger SET status = 9" 2>/dev/null
sql c_county -c "INSERT INTO meta(township_code, k, v) VALUES
    ('341802101', 'x', '\\x00')" 2>/dev/null
sql c_county -c "INSERT INTO meta(k, v) VALUES ('x', '\\x00')" 2>/dev/null
after=$(sql ds_owner -c "$Q2")
[ -n "$before" ] && [ "$before" = "$after" ] &&
    ok "the county role's DELETE, UPDATE and INSERT change nothing" ||
    not_ok "the county role's DELETE, UPDATE and INSERT change nothing" \
    "$(diff <(echo "$before") <(echo "$after") | head -5)"
if sql t_b -c "UPDATE ds_schema SET version = 99" 2>/dev/null ||
    sql t_b -c "DELETE FROM ds_schema" 2>/dev/null; then
	not_ok "a township role cannot change the schema version"
else ok "a township role cannot change the schema version"; fi
[ "$(sql ds_owner -c 'SELECT version FROM ds_schema')" = 6 ] &&
    ok "the schema version is still 6" || not_ok "the schema version is still 6"
sql ds_owner -c "CREATE ROLE outsider LOGIN" >/dev/null
if sql outsider -c "SELECT count(*) FROM ds_role" 2>/dev/null; then
	not_ok "a role outside ds_office cannot read the role map"
else ok "a role outside ds_office cannot read the role map"; fi
# PUBLIC has no TEMPORARY here (above): the imports' staging tables come
# from dbsetup's grant to ds_office.
if sql outsider -c "CREATE TEMP TABLE x(y int)" 2>/dev/null; then
	not_ok "a role outside ds_office cannot create temporary tables"
else ok "a role outside ds_office cannot create temporary tables"; fi
[ "$(sql ds_owner -c "SELECT has_database_privilege('ds_office', 'county',
    'TEMPORARY')")" = t ] && ok "dbsetup grants ds_office TEMPORARY" ||
    not_ok "dbsetup grants ds_office TEMPORARY"
if sql outsider -c "SELECT ds_analyze()" 2>/dev/null; then
	not_ok "a role outside ds_office cannot run ds_analyze (as the owner)"
else ok "a role outside ds_office cannot run ds_analyze (as the owner)"; fi
off devices >"$T/lite.devices2" 2>&1
sql ds_owner -c "ALTER ROLE t_a SET bytea_output = 'escape'"
pgoff devices >"$T/pg.devices2" 2>&1
cmp -s "$T/lite.devices2" "$T/pg.devices2" &&
    ok "devices with the role's bytea_output = escape" ||
    not_ok "devices with the role's bytea_output = escape" \
    "$(diff "$T/lite.devices2" "$T/pg.devices2" | head -5)"
sql ds_owner -c "ALTER ROLE t_a RESET bytea_output"
# A failing read of the office id is an error, not "no office yet".
sql ds_owner -c "REVOKE SELECT ON meta FROM ds_office"
check_fail "meta unreadable: devices fails" 1 pgoff devices
has "it says what failed" "$T/.out" "permission denied"
hasnt "and not that there is no office" "$T/.out" "no office"
sql ds_owner -c "GRANT SELECT ON meta TO ds_office"
check_fail "the county role cannot import (not a township)" 1 \
    "$DOORSTEP_OFFICE" --lang en --dir "$O" --db "$(url c_county)" devices
has "it says why" "$T/.out" "not a township's role"

# forward: office.db sent up to a township of the county database, once
# in one run, once killed half way (blocked on a table lock) and run again.
sql ds_owner -c "CREATE ROLE t_f1 LOGIN IN ROLE ds_office;
    CREATE ROLE t_f2 LOGIN IN ROLE ds_office;
    INSERT INTO ds_role VALUES ('t_f1', '341802', '341802111'),
    ('t_f2', '341802', '341802112')" >/dev/null
check_fail "forward before the township joined: refused" 1 off forward \
    --to "$(url t_f1)"
has "it says to join first" "$T/.out" "init --db URL"
for r in t_f1 t_f2; do
	"$DOORSTEP_OFFICE" --dir "$O" --db "$(url $r)" init >/dev/null ||
	    not_ok "init --db $r"
done
check "forward: one run" off forward --to "$(url t_f1)"
has "it says what it sent" "$T/.out" "^Sent [0-9]* of [0-9]* rows"
has "revisions among them" "$T/.out" "^revision: 15 rows, 15 sent"
check "forward again" off forward --to "$(url t_f1)"
has "sends nothing new" "$T/.out" "^Nothing new to send"
hasnt "and names no table" "$T/.out" "sent$"
sql ds_owner -c "BEGIN; LOCK TABLE hh IN EXCLUSIVE MODE;
    SELECT pg_sleep(60)" >/dev/null 2>&1 &
lk=$!
locked() { [ "$(sql ds_owner -c "SELECT count(*) FROM pg_locks WHERE
    relation = 'hh'::regclass AND $1")" -ge 1 ]; }
for i in $(seq 1 100); do locked "mode = 'ExclusiveLock'" && break; sleep 0.05; done
"$DOORSTEP_OFFICE" --dir "$O" forward --batch 1 --to "$(url t_f2)" \
    >"$T/fwd.kill" 2>&1 &
fw=$!
for i in $(seq 1 200); do locked "NOT granted" && break; sleep 0.05; done
kill -9 "$fw"; wait "$fw" 2>/dev/null
sql ds_owner -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" >/dev/null
wait "$lk" 2>/dev/null
n1=$(sql t_f2 -c 'SELECT count(*) FROM revision')
n2=$(sql t_f2 -c 'SELECT count(*) FROM hh')
[ "$n1" = 15 ] && [ "$n2" = 0 ] &&
    ok "forward killed half way: revisions sent, households not" ||
    not_ok "forward killed half way: revisions sent, households not" "$n1 $n2"
check "forward after the kill" off forward --to "$(url t_f2)"
hasnt "sends no revision again" "$T/.out" "^revision:"
has "sends the households" "$T/.out" "^hh: "
# Every column of every table but the township and the county's own ids.
FQ=
for t in device ledger pending revision head fork ackrange hh person clue \
    visit case_event measure income_check problem '"freeze"' round entry \
    obundle ob_item form_pub form_file alert attachment; do
	FQ="$FQ${FQ:+ UNION ALL }SELECT '$t', count(*), md5(coalesce(string_agg(j,
	    '|' ORDER BY j), '')) FROM (SELECT (to_jsonb(x) - 'township_code' -
	    'id')::text j FROM $t x) s"
done
sql t_f1 -c "$FQ" >"$T/f1.all"
sql t_f2 -c "$FQ" >"$T/f2.all"
grep -q '^revision|15|' "$T/f1.all" && cmp -s "$T/f1.all" "$T/f2.all" &&
    ok "killed and run again equals one run, every table" ||
    not_ok "killed and run again equals one run, every table" \
    "$(diff "$T/f1.all" "$T/f2.all" | head -6)"
digest_pg t_f1 >"$T/f1.digest"
digest_lite "$O/office.db" >"$T/lite.digest3"
cmp -s "$T/lite.digest3" "$T/f1.digest" &&
    ok "forwarded: ledger, revisions, heads, ranges, visits as office.db" ||
    not_ok "forwarded: ledger, revisions, heads, ranges, visits as office.db" \
    "$(diff "$T/lite.digest3" "$T/f1.digest" | head -6)"
"$DOORSTEP_OFFICE" --lang en --dir "$O" --db "$(url t_f1)" export --format csv \
    --out "$T/f1.csv" >/dev/null 2>&1
off export --format csv --out "$T/lite2.csv" >/dev/null 2>&1
[ -s "$T/f1.csv" ] && cmp -s "$T/lite2.csv" "$T/f1.csv" &&
    ok "forwarded answers open with the township's key: export byte-equal" ||
    not_ok "forwarded answers open with the township's key: export byte-equal" \
    "$(diff "$T/lite2.csv" "$T/f1.csv" | head -5)"
n=$(sql t_f1 -c "SELECT count(*) FROM revision WHERE
    position('\\x'::bytea || convert_to('张建国', 'UTF8') IN answers) > 0 OR
    position(convert_to('张建国', 'UTF8') IN answers) > 0")
[ "$n" = 0 ] && ok "forwarded answers stay sealed" ||
    not_ok "forwarded answers stay sealed" "$n"
# Another office's keys for the same township: refused, nothing sent.
sql ds_owner -c "CREATE ROLE t_f3 LOGIN IN ROLE ds_office;
    INSERT INTO ds_role VALUES ('t_f3', '341802', '341802113')" >/dev/null
"$DOORSTEP_OFFICE" --dir "$T/other" init >/dev/null 2>&1
"$DOORSTEP_OFFICE" --dir "$T/other" --db "$(url t_f3)" init >/dev/null 2>&1
check_fail "forward into another office's township: refused" 1 off forward \
    --to "$(url t_f3)"
has "it says so" "$T/.out" "another office for this township"
[ "$(sql t_f3 -c 'SELECT count(*) FROM revision')" = 0 ] &&
    ok "and sends nothing" || not_ok "and sends nothing"

# forward never deletes a county row and appends records by their ids.
# Township f4 forwards, then restores office.db from an older copy and
# imports more: the next forward adds what is new, keeps what the county
# had (case events are append-only: a delete would fail forever), and
# says office.db is behind, once a run, without failing.  A bundle
# imported straight into the county stays there.  The kept stick
# imported again brings office.db level, and the state goes up again.
sql ds_owner -c "CREATE ROLE t_f4 LOGIN IN ROLE ds_office;
    INSERT INTO ds_role VALUES ('t_f4', '341802', '341802114')" >/dev/null
O4=$T/office-f4
U4=$(url t_f4)
o4() { "$DOORSTEP_OFFICE" --lang en --dir "$O4" "$@"; }
w4() { "$DOORSTEP" --workspace "$T/ws4" "$@"; }
o4 init >/dev/null && o4 --db "$U4" init >/dev/null || not_ok "init f4"
w4 init --office-key "$O4/office-public.key" --worker w4 --kdf-cost min >/dev/null
for k in 1 2 3 4; do
	w4 fill "$F/household.md" --answers "$F/demo/household-$(( (k - 1) % 3 + 1 )).json" \
	    --finalize >/dev/null
	w4 sync export --out "$T/f4usb$k" >/dev/null 2>&1
done
o4 import "$T/f4usb1" >/dev/null 2>&1
o4 enroll --fingerprint "$(fingerprint "$T/ws4")" \
    "$(find "$T/f4usb1" -name '*.dsb' | head -1)" >/dev/null 2>&1
nled() { sql t_f4 -c 'SELECT count(*) FROM ledger'; }
check "f4: forward the first bundle" o4 forward --to "$U4"
sqlite3 "$O4/office.db" ".backup '$T/f4-backup.db'"
o4 import "$T/f4usb2" >/dev/null 2>&1 || not_ok "f4: import the second stick"
check "f4: forward the second bundle" o4 forward --to "$U4"
nev=$(sql t_f4 -c 'SELECT count(*) FROM case_event')
sql t_f4 -c 'SELECT hex(event_id) FROM case_event ORDER BY 1' >"$T/f4ev.before"
[ "$(nled)" = 2 ] && [ "$nev" -ge 1 ] &&
    ok "f4: the county has both bundles and case events" ||
    not_ok "f4: the county has both bundles and case events" "$(nled) $nev"
rm -f "$O4/office.db-wal" "$O4/office.db-shm"
cp "$T/f4-backup.db" "$O4/office.db"
o4 import "$T/f4usb3" >/dev/null 2>&1 || not_ok "f4: import the third stick"
for run in 1 2; do
	o4 forward --to "$U4" >"$T/f4fwd$run" 2>"$T/f4fwd$run.err"
	rc=$?
	[ $rc = 0 ] && ok "f4: forward after the restore succeeds (run $run)" ||
	    not_ok "f4: forward after the restore succeeds (run $run)" \
	    "exit $rc: $(cat "$T/f4fwd$run.err")"
	has "f4: it says what office.db lacks (run $run)" "$T/f4fwd$run.err" \
	    "does not have (bundles: 1, "
	has "f4: that nothing was lost and what to do (run $run)" \
	    "$T/f4fwd$run.err" "nothing was lost.*import the kept sticks again"
done
has "f4: the second run sends nothing" "$T/f4fwd2" "^Nothing new to send"
"$DOORSTEP_OFFICE" --lang zh --dir "$O4" forward --to "$U4" \
    >"$T/f4fwd.zh" 2>&1 || not_ok "f4: forward after the restore (zh)"
has "f4: it says so in Chinese (zh)" "$T/f4fwd.zh" \
    "office.db 里没有（数据包 1 个.*没有丢失任何内容.*再导入一次"
hasnt "f4: and only in Chinese (zh)" "$T/f4fwd.zh" "nothing was lost"
# The union by event id: the county's events before the restore and
# every event of the restored office.db (one whose seq the county gave
# another took the household's next).
sql t_f4 -c 'SELECT hex(event_id) FROM case_event' | LC_ALL=C sort >"$T/f4ev.after"
sqlite3 "$O4/office.db" 'SELECT hex(event_id) FROM case_event ORDER BY 1' |
    LC_ALL=C sort -u - "$T/f4ev.before" >"$T/f4ev.union"
[ "$(nled)" = 3 ] && [ "$nev" -ge 1 ] &&
    cmp -s "$T/f4ev.union" "$T/f4ev.after" &&
    ok "f4: the county has the union: three bundles, every case event" ||
    not_ok "f4: the county has the union: three bundles, every case event" \
    "$(nled); $(diff "$T/f4ev.union" "$T/f4ev.after" | head -4)"
# A bundle imported into the county directly survives a forward.
o4 --db "$U4" import "$T/f4usb4" >/dev/null 2>&1 ||
    not_ok "f4: import the fourth stick into the county"
b4=$(sql t_f4 -c "SELECT hex(bundle_id) FROM ledger ORDER BY imported_at DESC LIMIT 1")
o4 forward --to "$U4" >"$T/f4fwd3" 2>"$T/f4fwd3.err" ||
    not_ok "f4: forward after a direct import" "$(cat "$T/f4fwd3.err")"
has "f4: office.db lacks two bundles now" "$T/f4fwd3.err" "(bundles: 2, "
[ "$(nled)" = 4 ] && [ "$(sql t_f4 -c "SELECT count(*) FROM ledger
    WHERE hex(bundle_id) = '$b4'")" = 1 ] &&
    ok "f4: the bundle imported into the county directly is kept" ||
    not_ok "f4: the bundle imported into the county directly is kept" "$(nled) $b4"
# The kept sticks imported again: office.db level with the county.
o4 import "$T/f4usb2" "$T/f4usb4" >/dev/null 2>&1 ||
    not_ok "f4: import the kept sticks again"
check "f4: forward once office.db has the records again" o4 forward --to "$U4"
hasnt "f4: and says nothing is missing" "$T/.out" "does not have"
# Receipts by their ids: the county keeps the one it holds (a bundle
# imported again into office.db is told a duplicate there).
f4dig() { grep -v '^ack|' | sed '/^ledger|/s/|[^|]*$//'; }
digest_lite "$O4/office.db" | f4dig >"$T/f4.lite"
digest_pg t_f4 | f4dig >"$T/f4.pg"
[ "$(grep -c '^ledger|' "$T/f4.pg")" = 4 ] && cmp -s "$T/f4.lite" "$T/f4.pg" &&
    ok "f4: ledger, revisions, heads, forks, visits, households as office.db" ||
    not_ok "f4: ledger, revisions, heads, forks, visits, households as office.db" \
    "$(diff "$T/f4.lite" "$T/f4.pg" | head -6)"

# County reports: county 341803, township x forwarded from its office.db,
# township y imported into the county database; households apart, one
# village shared.  The county's role reads both, or one.
sql ds_owner -c "CREATE ROLE t_x LOGIN IN ROLE ds_office;
    CREATE ROLE t_y LOGIN IN ROLE ds_office;
    CREATE ROLE c_y LOGIN IN ROLE ds_office;
    INSERT INTO ds_role VALUES ('t_x', '341803', '341803201'),
    ('t_y', '341803', '341803202'), ('c_y', '341803', '*')" >/dev/null
OX=$T/office-x OY=$T/office-y OC=$T/county
laptop() {	# OFFICE WS HOUSEHOLD-FILES...
	local o=$1 w=$2 f; shift 2
	"$DOORSTEP" --workspace "$w" init --office-key "$o/office-public.key" \
	    --worker w --kdf-cost min >/dev/null
	for f in "$@"; do
		"$DOORSTEP" --workspace "$w" fill "$F/household.md" \
		    --answers "$f" --finalize >/dev/null
	done
	"$DOORSTEP" --workspace "$w" sync export --out "$w.usb" >/dev/null 2>&1
}
"$DOORSTEP_OFFICE" --dir "$OX" init >/dev/null
laptop "$OX" "$T/wsx" "$F/demo/household-1.json" "$F/demo/household-2.json"
"$DOORSTEP_OFFICE" --dir "$OX" import "$T/wsx.usb" >/dev/null 2>&1
"$DOORSTEP_OFFICE" --dir "$OX" enroll --fingerprint "$(fingerprint "$T/wsx")" \
    "$(find "$T/wsx.usb" -name '*.dsb' | head -1)" >/dev/null 2>&1
"$DOORSTEP_OFFICE" --dir "$OX" --db "$(url t_x)" init >/dev/null
"$DOORSTEP_OFFICE" --dir "$OX" forward --to "$(url t_x)" >/dev/null ||
    not_ok "forward x"
"$DOORSTEP_OFFICE" --dir "$OY" --db "$(url t_y)" init >/dev/null
sed 's/3418021012010007/3418021012010099/' "$F/demo/household-1.json" \
    >"$T/hy1.json"
sed 's/3418021022010011/3418021022010099/' "$F/demo/household-3.json" \
    >"$T/hy3.json"
laptop "$OY" "$T/wsy" "$T/hy1.json" "$T/hy3.json"
"$DOORSTEP_OFFICE" --dir "$OY" --db "$(url t_y)" import "$T/wsy.usb" \
    >/dev/null 2>&1
"$DOORSTEP_OFFICE" --dir "$OY" --db "$(url t_y)" enroll --fingerprint \
    "$(fingerprint "$T/wsy")" "$(find "$T/wsy.usb" -name '*.dsb' | head -1)" \
    >/dev/null 2>&1
mkdir -p "$OC" && cp "$OX/settings.json" "$OC/"
cty() { "$DOORSTEP_OFFICE" --lang en --dir "$OC" --db "$(url c_y)" "$@"; }
for r in monthly period timeliness; do
	case $r in
	monthly) a="monthly --month 2024-09" ;;
	period) a="period --from 2024-08 --to 2024-10" ;;
	timeliness) a="timeliness" ;;
	esac
	"$DOORSTEP_OFFICE" --lang en --dir "$OX" --db "$(url t_x)" report $a \
	    --out "$T/x-$r.csv" >/dev/null 2>&1 || not_ok "x: report $r"
	"$DOORSTEP_OFFICE" --lang en --dir "$OY" --db "$(url t_y)" report $a \
	    --out "$T/y-$r.csv" >/dev/null 2>&1 || not_ok "y: report $r"
	cty report $a --township 341803201 --out "$T/cx-$r.csv" >/dev/null 2>&1 ||
	    not_ok "county: report $r --township x"
	cty report $a --out "$T/c-$r.csv" >"$T/c-$r.out" 2>&1 ||
	    not_ok "county: report $r" "$(cat "$T/c-$r.out")"
	cmp -s "$T/x-$r.csv" "$T/cx-$r.csv" &&
	    ok "county: report $r of one township equals the township's own" ||
	    not_ok "county: report $r of one township equals the township's own" \
	    "$(diff "$T/x-$r.csv" "$T/cx-$r.csv" | head -5)"
done
# The monthly total row: every count of the county is x's plus y's.
total() { tail -1 "$1" | cut -d, -f5- | tr ',' '\n'; }
paste -d, <(total "$T/x-monthly.csv") <(total "$T/y-monthly.csv") |
    awk -F, '{ print $1 + $2 }' >"$T/sum"
total "$T/c-monthly.csv" | awk '{ print $1 + 0 }' >"$T/county-total"
grep -q '^4$' "$T/sum" && cmp -s "$T/sum" "$T/county-total" &&
    ok "county: the monthly total is the sum of the townships'" ||
    not_ok "county: the monthly total is the sum of the townships'" \
    "$(paste "$T/sum" "$T/county-total" | tr '\n' ' ')"
# Timeliness: the shared village's row counts both townships' visits.
n=$(awk -F, '$3 == "341802101201" { print $6 }' "$T/c-timeliness.csv")
[ "$n" = 2 ] && ok "county: timeliness counts both townships' visits in one village" ||
    not_ok "county: timeliness counts both townships' visits in one village" \
    "$(cat "$T/c-timeliness.csv")"
check_fail "county: --township of another county refused" 1 cty report \
    timeliness --township 341802101 --out "$T/no.csv"
has "it names the township and the county" "$T/.out" \
    "no township 341802101 in county 341803"
check_fail "county: --freeze refused" 1 cty report monthly --month 2024-09 \
    --freeze --out "$T/no.csv"
has "it says the county reads only" "$T/.out" "the county's role reads only"
[ "$(sql ds_owner -c "SELECT count(*) FROM \"freeze\" WHERE county_code = '341803'")" = 0 ] &&
    ok "and nothing is frozen" || not_ok "and nothing is frozen"
check_fail "county: the quality ledger refused" 1 cty report quality
has "it says it is a township's" "$T/.out" "run it as the township"
check_fail "--township without the county's role: refused" 64 \
    "$DOORSTEP_OFFICE" --lang en --dir "$OX" report timeliness \
    --township 341803201 --out "$T/no.csv"
has "it says what --township is for" "$T/.out" "for the county's role"
for l in en zh; do
	check_fail "the county role cannot import ($l)" 1 "$DOORSTEP_OFFICE" \
	    --lang $l --dir "$OX" --db "$(url c_y)" import "$T/wsy.usb"
	if [ $l = en ]; then
		has "it says the role is the county's (en)" "$T/.out" \
		    "is not a township's role but the county's"
	else
		has "it says the role is the county's (zh)" "$T/.out" "县级角色"
		hasnt "and only in Chinese" "$T/.out" "county's"
	fi
done
sql ds_owner -c "UPDATE ds_schema SET version = 3"
check_fail "an older schema: refused" 1 "$DOORSTEP_OFFICE" --lang en \
    --dir "$OX" --db "$(url t_x)" devices
has "it gives both versions and what to do" "$T/.out" \
    "schema version 3 and this program knows version 6: its owner runs"
sql ds_owner -c "UPDATE ds_schema SET version = 6"
sql ds_owner -c "CREATE DATABASE empty" >/dev/null
check_fail "a database never set up: refused" 1 "$DOORSTEP_OFFICE" --lang zh \
    --dir "$OX" --db "postgresql:///empty?host=$P&user=t_x" devices
has "it says to run dbsetup (zh)" "$T/.out" "尚未建好"

# No personal data in clear anywhere in the database.
pg_dump -h "$P" -U ds_owner county >"$T/dump.sql" 2>/dev/null ||
    not_ok "pg_dump"
hexof() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
leak=
for s in 张建国 341802197903150315 13905631234; do
	grep -q "$s" "$T/dump.sql" && leak="$leak $s"
	grep -qi "$(hexof "$s")" "$T/dump.sql" && leak="$leak hex($s)"
done
[ -s "$T/dump.sql" ] && [ -z "$leak" ] &&
    ok "pg_dump: no name, ID number or phone in clear (nor hex)" ||
    not_ok "pg_dump: no name, ID number or phone in clear (nor hex)" "$leak"
grep -q 3418021012010007 "$T/dump.sql" && ok "pg_dump: the household key is there (the positive control)" ||
    not_ok "pg_dump: the household key is there (the positive control)"

# The case journey of tests/office/t_case.sh, on a township of its own.
sql ds_owner -c "CREATE ROLE t_case LOGIN IN ROLE ds_office;
    INSERT INTO ds_role VALUES ('t_case', '341802', '341802109')"
DS_TEST_OFFICE_DB=$(url t_case) bash "$DS_TOP/tests/office/t_case.sh" \
    >"$T/case.out" 2>&1
n=$(grep -c '^ok' "$T/case.out")
# Not on PostgreSQL: the office-directory scan's positive control (no
# office.db there).
bad=$(grep '^not ok' "$T/case.out" | grep -v 'the scan finds clear text')
[ "$n" -gt 150 ] && [ -z "$bad" ] &&
    ok "t_case.sh on PostgreSQL: $n checks pass" ||
    not_ok "t_case.sh on PostgreSQL" "$n ok; $(echo "$bad" | head -3)"

# The visit lists and serve (tests/cli/t_lists.sh) as two townships of the
# county database: one over a USB folder, one over HTTP with a real serve
# on loopback against it; the laptop takes the lists and sends visits.
sql ds_owner -c "CREATE ROLE t_lists_usb LOGIN IN ROLE ds_office;
    CREATE ROLE t_lists_http LOGIN IN ROLE ds_office;
    INSERT INTO ds_role VALUES ('t_lists_usb', '341802', '341802121'),
    ('t_lists_http', '341802', '341802122')" >/dev/null
DS_TEST_OFFICE_DB="postgresql:///county?host=$P&user=t_lists_@T@" \
    bash "$DS_TOP/tests/cli/t_lists.sh" >"$T/lists.out" 2>&1
n=$(grep -c '^ok' "$T/lists.out")
bad=$(grep '^not ok' "$T/lists.out")
[ "$n" -ge 70 ] && [ -z "$bad" ] &&
    ok "t_lists.sh on PostgreSQL (serve included): $n checks pass" ||
    not_ok "t_lists.sh on PostgreSQL" "$n ok; $(echo "$bad" | head -3)"
for r in usb http; do
	q=$(sql t_lists_$r -c "SELECT count(*) FROM entry WHERE state = 'done'
	    UNION ALL SELECT count(*) FROM obundle")
	[ "$(echo $q)" = "2 3" ] &&
	    ok "$r: the county database holds the lists and their done entries" ||
	    not_ok "$r: the county database holds the lists and their done entries" "$q"
done

# A populated county database at schema version 3 (the DDL of versions 1
# to 3 is unchanged since: test_dbx_pg --setup 3 builds what the program
# of version 3 did) migrated to this version: every row of every
# township, the policies, grants and functions, and the reports equal
# the database made fresh at this version with the same rows.  The rows
# are this test's (townships of two counties, forwarded and imported,
# the case journey and the lists), copied as data into version 3.
OLD="postgresql:///old?host=$P&user=ds_owner"
sql ds_owner -c "CREATE DATABASE old" >/dev/null
DOORSTEP_TEST_PG_HOST=$P DOORSTEP_TEST_PG_DB=old \
    DOORSTEP_TEST_PG_OWNER=ds_owner \
    "$DS_TOP/build/$MODE/tests/test_dbx_pg" --setup 3 >"$T/old.setup" 2>&1
has "a county database at schema version 3" "$T/old.setup" \
    "ok setup from version 0 to 3"
pg_dump -h "$P" -U ds_owner --data-only --exclude-table=ds_schema county \
    >"$T/rows.sql" 2>"$T/rows.err" || not_ok "pg_dump the rows" "$(cat "$T/rows.err")"
psql -X -q -v ON_ERROR_STOP=1 -h "$P" -U ds_owner -d old -f "$T/rows.sql" \
    >"$T/old.load" 2>&1 || not_ok "load the rows at version 3" "$(tail -3 "$T/old.load")"
osql() { local r=$1; shift; psql -X -q -t -A -v ON_ERROR_STOP=1 -h "$P" -U "$r" -d old "$@"; }
# Version 3's policies hold the rows apart as they stand.
v3="$(osql t_b -c 'SELECT count(DISTINCT township_code) FROM meta' 2>&1)"
v3="$v3 $(osql t_a -c 'SELECT count(DISTINCT township_code) FROM revision' 2>&1)"
v3="$v3 $(osql c_county -c "SELECT count(DISTINCT township_code) FROM meta
    WHERE county_code <> '341802'" 2>&1)"
v3="$v3 $(osql c_county -c 'SELECT count(DISTINCT township_code) FROM meta' 2>&1)"
[ "$(echo $v3 | cut -d' ' -f1-3)" = "1 1 0" ] &&
    [ "$(echo $v3 | cut -d' ' -f4)" -ge 5 ] &&
    ok "version 3: each township reads its rows, the county its county's" ||
    not_ok "version 3: each township reads its rows, the county its county's" "$v3"
check "dbsetup migrates the populated version 3" "$DOORSTEP_OFFICE" \
    --lang en dbsetup "$OLD"
has "it says from 3 to 6" "$T/.out" "from schema version 3 to 6"
mig_rows() {	# DATABASE: every row of every table of the schema
	local db=$1 t q=
	for t in $(psql -X -q -t -A -h "$P" -U ds_owner -d "$db" -c "SELECT
	    quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'
	    ORDER BY 1"); do
		q="$q${q:+ UNION ALL }SELECT '$t', count(*), md5(coalesce(
		    string_agg(x::text, '|' ORDER BY x::text), '')) FROM $t x"
	done
	psql -X -q -t -A -h "$P" -U ds_owner -d "$db" -c "$q ORDER BY 1"
}
mig_schema() {	# DATABASE: policies, grants, functions, version
	psql -X -q -t -A -h "$P" -U ds_owner -d "$1" -c "
	SELECT tablename, policyname, cmd, roles::text, qual, with_check
	    FROM pg_policies WHERE schemaname = 'public'
	UNION ALL SELECT table_name, grantee, privilege_type, '', '', ''
	    FROM information_schema.role_table_grants
	    WHERE table_schema = 'public'
	UNION ALL SELECT proname, pg_get_function_identity_arguments(p.oid),
	    prosrc, coalesce(proconfig::text, ''), provolatile::text,
	    pg_get_function_result(p.oid) FROM pg_proc p
	    WHERE pronamespace = 'public'::regnamespace
	UNION ALL SELECT 'version', version::text, '', '', '', '' FROM ds_schema
	ORDER BY 1, 2, 3"
}
mig_rows county >"$T/fresh.rows"
mig_rows old >"$T/old.rows"
[ "$(wc -l <"$T/fresh.rows")" -ge 25 ] && grep -q '^revision|' "$T/fresh.rows" &&
    cmp -s "$T/fresh.rows" "$T/old.rows" &&
    ok "migrated from 3: every row of every table as in the fresh database" ||
    not_ok "migrated from 3: every row of every table as in the fresh database" \
    "$(diff "$T/fresh.rows" "$T/old.rows" | head -5)"
mig_schema county >"$T/fresh.schema"
mig_schema old >"$T/old.schema"
grep -q 'township_insert' "$T/old.schema" && cmp -s "$T/fresh.schema" "$T/old.schema" &&
    ok "migrated from 3: policies, grants and functions as in the fresh database" ||
    not_ok "migrated from 3: policies, grants and functions as in the fresh database" \
    "$(diff "$T/fresh.schema" "$T/old.schema" | head -5)"
# The reports as each township and as the county, on both databases.
for db in county old; do
	u() { echo "postgresql:///$db?host=$P&user=$1"; }
	"$DOORSTEP_OFFICE" --lang en --dir "$OX" --db "$(u t_x)" report monthly \
	    --month 2024-09 --out "$T/$db-x.csv" >/dev/null 2>&1
	"$DOORSTEP_OFFICE" --lang en --dir "$OY" --db "$(u t_y)" report \
	    timeliness --out "$T/$db-y.csv" >/dev/null 2>&1
	"$DOORSTEP_OFFICE" --lang en --dir "$OC" --db "$(u c_y)" report monthly \
	    --month 2024-09 --out "$T/$db-c.csv" >/dev/null 2>&1
	"$DOORSTEP_OFFICE" --lang en --dir "$OC" --db "$(u c_y)" report \
	    timeliness --township 341803202 --out "$T/$db-cy.csv" >/dev/null 2>&1
	"$DOORSTEP_OFFICE" --lang en --dir "$O" --db "$(u t_a)" export \
	    --format csv --out "$T/$db-a.csv" >/dev/null 2>&1
done
for r in x y c cy a; do
	[ -s "$T/county-$r.csv" ] && cmp -s "$T/county-$r.csv" "$T/old-$r.csv" &&
	    ok "migrated from 3: report/export $r equals the fresh database's" ||
	    not_ok "migrated from 3: report/export $r equals the fresh database's" \
	    "$(diff "$T/county-$r.csv" "$T/old-$r.csv" | head -5)"
done
