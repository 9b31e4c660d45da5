#!/usr/bin/env bash
# bench_pg on a throwaway PostgreSQL cluster (fsync on: durable, as
# office.db at synchronous=FULL), in BENCH_DIR or TMPDIR.  Build first:
# make bench.  Options as bench_pg (N_MAX, BUNDLE, WINDOW); PG_SET: more
# server settings (autovacuum=off, ...).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/pg/cluster.sh"
[ -n "$PG_BIN" ] || { echo "pg.sh: no PostgreSQL server (make deps)"; exit 1; }
base=${BENCH_DIR:-${TMPDIR:-/tmp}}
P=$(mktemp -d "$base/ds-bench-pg.XXXXXX")
B=$(mktemp -d "$base/ds-bench.XXXXXX")
trap 'pg_stop; rm -rf "$B"' EXIT
# Where the import's time goes (bench_pg prints it) when the server has it.
pre=
[ -e "$PG_BIN/../lib/pg_stat_statements.so" ] &&
    pre=shared_preload_libraries=pg_stat_statements
pg_start "$P" $pre ${PG_SET:-} || { echo "pg.sh: the cluster did not start"; exit 1; }
"$top/build/rel/doorstep-office" dbsetup \
    "postgresql:///county?host=$P&user=ds_owner" >/dev/null || exit 1
echo "# $("$PG_BIN/postgres" --version), data in $P"
DOORSTEP_TEST_PG_HOST=$P DOORSTEP_TEST_PG_DB=county \
    DOORSTEP_TEST_PG_OWNER=ds_owner BENCH_DIR=$B "$top/build/rel/bench/bench_pg"
