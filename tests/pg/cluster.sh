# Sourced by tests/pg/t_pg.sh and tests/bench/pg.sh: a throwaway
# PostgreSQL cluster.  pg_start DIR [SETTING...] runs initdb and pg_ctl in
# DIR (a new directory it owns) with a Unix socket there and no TCP, as an
# unprivileged user (postgres, else nobody, when run as root); the
# superuser is ds_owner; database county is created.  pg_stop removes it.
# PG_BIN is empty when no server binaries are installed.
PG_BIN=
for d in /usr/lib/postgresql/*/bin; do
	[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && PG_BIN=$d
done
command -v psql >/dev/null || PG_BIN=
PG_DIR=
pg_as() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
	PG_USER=postgres
	id "$PG_USER" >/dev/null 2>&1 || PG_USER=nobody
	pg_as() { runuser -u "$PG_USER" -- "$@"; }
fi
pg_start() {
	PG_DIR=$1; shift
	local o="-k $PG_DIR -c listen_addresses= -c lc_messages=C" s
	for s in "$@"; do o="$o -c $s"; done
	[ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$PG_DIR"
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U ds_owner -E UTF8 \
	    --locale=C --no-sync >"$PG_DIR.initdb.log" 2>&1 &&
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o "$o" \
	    start >/dev/null 2>&1 &&
	psql -X -q -h "$PG_DIR" -U ds_owner -d postgres \
	    -c 'CREATE DATABASE county' >/dev/null
}
pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop \
	    >/dev/null 2>&1
	rm -rf "$PG_DIR" "$PG_DIR.initdb.log"
}
