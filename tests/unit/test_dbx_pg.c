/* doorstep: the store interface on a real PostgreSQL (tests/pg/t_pg.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "cry.h"
#include "dbx.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "status.h"
#include "util.h"

static char url[600];

/* A failed statement aborts the transaction: COMMIT must not succeed. */
static void
test_commit_after_failure(void)
{
	struct ds_err err;
	struct dbx *db;

	ds_err_clear(&err);
	ST_EQ(dbx_open(url, &db, &err), DS_OK, &err);
	if (db == NULL)
		return;
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	ST_EQ(dbx_exec(db, "CREATE TEMP TABLE t(x int)", &err), DS_OK, &err);
	OK(dbx_exec(db, "SELECT 1 / 0", &err) != DS_OK);
	ds_err_clear(&err);
	ST_EQ(dbx_commit(db, &err), DS_EIO, &err);
	/* Rolled back: the table is not there, the connection works. */
	OK(dbx_exec(db, "SELECT * FROM t", NULL) != DS_OK);
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	ST_EQ(dbx_exec(db, "CREATE TEMP TABLE t(x int)", &err), DS_OK, &err);
	ST_EQ(dbx_commit(db, &err), DS_OK, &err);
	ST_EQ(dbx_exec(db, "SELECT * FROM t", &err), DS_OK, &err);
	dbx_close(db);
}

static int64_t
count(struct dbx *db, const char *sql)
{
	struct dbx_stmt *st;
	int64_t n = -1;

	if (dbx_prepare(db, sql, &st) != DBX_OK)
		return -1;
	if (dbx_step(st) == DBX_ROW)
		n = dbx_column_int64(st, 0);
	dbx_finalize(st);
	return n;
}

static int
insert(struct dbx_stmt *ins, int x)
{
	dbx_reset(ins);
	dbx_bind_int(ins, 1, x);
	return dbx_step(ins);
}

/*
 * Writes in a transaction wait in libpq's pipeline (dbx_pg.c): reads see
 * them, dbx_changes counts them, and a failed one is reported, with its
 * own status and message, by the next call and by the commit.
 */
static void
test_pipeline(void)
{
	struct ds_err err;
	struct dbx_stmt *ins, *up;
	struct dbx *db;
	int i, rc;

	ds_err_clear(&err);
	ST_EQ(dbx_open(url, &db, &err), DS_OK, &err);
	if (db == NULL)
		return;
	ST_EQ(dbx_exec(db, "CREATE TEMP TABLE p(x int PRIMARY KEY)", &err),
	    DS_OK, &err);
	OK(dbx_prepare(db, "INSERT INTO p VALUES (?1)", &ins) == DBX_OK);
	OK(dbx_prepare(db, "UPDATE p SET x = x + 10000 WHERE x < ?1", &up) ==
	    DBX_OK);
	/* Outside a transaction a write waits: its failure is its own. */
	OK(insert(ins, 1) == DBX_DONE);
	OK(insert(ins, 1) == DBX_ERROR);
	OK(dbx_status(db) == DS_ECONSTRAINT);
	/* More writes than one pipeline holds, then a read. */
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	for (i = 2, rc = DBX_DONE; i <= 1000 && rc == DBX_DONE; i++)
		rc = insert(ins, i);
	OK(rc == DBX_DONE);
	OK(dbx_changes(db) == 1);
	OK(count(db, "SELECT count(*) FROM p") == 1000);
	dbx_reset(up);
	dbx_bind_int(up, 1, 11);
	OK(dbx_step(up) == DBX_DONE);
	OK(dbx_changes(db) == 10);
	ST_EQ(dbx_commit(db, &err), DS_OK, &err);
	/* A duplicate key, told by the read after it, and by the commit. */
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	OK(insert(ins, 5000) == DBX_DONE);
	OK(insert(ins, 12) == DBX_DONE);
	OK(count(db, "SELECT count(*) FROM p") == -1);
	OK(dbx_status(db) == DS_ECONSTRAINT);
	OK(strstr(dbx_errmsg(db), "duplicate key") != NULL);
	/* Later statements fail; the message is still the cause. */
	OK(count(db, "SELECT count(*) FROM p") == -1);
	OK(strstr(dbx_errmsg(db), "duplicate key") != NULL);
	ds_err_clear(&err);
	ST_EQ(dbx_commit(db, &err), DS_ECONSTRAINT, &err);
	OK(strstr(err.msg, "duplicate key") != NULL);
	/*
	 * A count after a failed write is -1 with the write's own failure,
	 * not 0 ("nothing changed": a caller would word the wrong cause),
	 * and stays -1 until the rollback.
	 */
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	OK(insert(ins, 5002) == DBX_DONE);
	OK(insert(ins, 14) == DBX_DONE);
	OK(dbx_changes(db) == -1);
	OK(dbx_status(db) == DS_ECONSTRAINT);
	OK(strstr(dbx_errmsg(db), "duplicate key") != NULL);
	OK(dbx_changes(db) == -1);
	dbx_reset(up);
	dbx_bind_int(up, 1, 0);
	OK(dbx_step(up) == DBX_ERROR);
	OK(strstr(dbx_errmsg(db), "duplicate key") != NULL);
	dbx_rollback(db);
	OK(insert(ins, 5003) == DBX_DONE);
	OK(dbx_changes(db) == 1);
	OK(count(db, "SELECT count(*) FROM p WHERE x IN (5002, 5003)") == 1);
	/* With no read after it, the commit tells it. */
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	OK(insert(ins, 5001) == DBX_DONE);
	OK(insert(ins, 13) == DBX_DONE);
	ds_err_clear(&err);
	ST_EQ(dbx_commit(db, &err), DS_ECONSTRAINT, &err);
	/* Both rolled back; the connection works. */
	OK(count(db, "SELECT count(*) FROM p WHERE x IN (5000, 5001)") == 0);
	OK(count(db, "SELECT count(*) FROM p") == 1001);
	dbx_finalize(ins);
	dbx_finalize(up);
	dbx_close(db);
}

/* COPY FROM STDIN through the interface: rows in, counted, in order. */
static void
test_copy_in(void)
{
	static const char rows[] = "1\ta\\tb\n2\t\\N\n3\tc\n";
	struct ds_err err;
	struct dbx *db;

	ds_err_clear(&err);
	ST_EQ(dbx_open(url, &db, &err), DS_OK, &err);
	if (db == NULL)
		return;
	ST_EQ(dbx_exec(db, "CREATE TEMP TABLE c(x int PRIMARY KEY, t text)",
	    &err), DS_OK, &err);
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	OK(dbx_copy_in(db, "COPY c FROM STDIN", rows, sizeof(rows) - 1) ==
	    DBX_OK);
	OK(dbx_changes(db) == 3);
	OK(count(db, "SELECT count(*) FROM c WHERE t = 'a\tb' AND x = 1 OR"
	    " t IS NULL AND x = 2") == 2);
	/* A bad row fails the COPY with the server's words; no row stays. */
	OK(dbx_copy_in(db, "COPY c FROM STDIN", "4\tz\n1\ty\n", 8) ==
	    DBX_ERROR);
	OK(dbx_status(db) == DS_ECONSTRAINT);
	OK(strstr(dbx_errmsg(db), "duplicate key") != NULL);
	dbx_rollback(db);
	OK(count(db, "SELECT count(*) FROM c") == 0);
	dbx_close(db);
}

/* The import's question about one revision, as the township. */
static int64_t
rev_q(struct dbx *db, const char *col, const struct sf_rev *r)
{
	char sql[200], hex[33];

	ds_hex_encode(r->r.rev_id, 16, hex);
	snprintf(sql, sizeof(sql), "SELECT %s FROM revision WHERE rev_id ="
	    " '\\x%s'", col, hex);
	return count(db, sql);
}

static int64_t
head_no(struct dbx *db, const struct sf_rev *r)
{
	char sql[200], hex[33];

	ds_hex_encode(r->r.record_uuid, 16, hex);
	snprintf(sql, sizeof(sql), "SELECT coalesce(max(rev_no), 0) FROM head"
	    " WHERE record_uuid = '\\x%s'", hex);
	return count(db, sql);
}

static void
import(struct sf_office *o, struct odb *db, struct sf_device *d,
    struct sf_rev *revs, size_t n, struct imp_result *res)
{
	struct ds_err err;
	unsigned char *b;
	size_t blen;

	ds_err_clear(&err);
	b = sf_bundle(d, o, revs, n, 0, 0, &blen);
	ST_EQ(imp_bundle(db, o->sec, b, blen, res, &err), DS_OK, &err);
	imp_result_free(res);
	ds_free(b);
}

/*
 * A bundle's revisions stored at once (odb_pg_imp.c), and the bundles
 * that go row by row, give what the row-by-row import gives: held
 * revisions held and released, heads, duplicates, forks.
 */
static void
test_bundle_at_once(void)
{
	struct sf_office o;
	struct sf_device d;
	struct sf_rev *r;
	struct imp_result res;
	struct ds_err err;
	struct odb *db = NULL;
	struct dbx *q = NULL;

	ds_err_clear(&err);
	if ((r = ds_calloc(8, sizeof(*r))) == NULL)
		return;
	sf_office_make(&o, ts_tmpdir("dbx-pg-once"));
	sf_device_make(&d, 3);
	ST_EQ(odb_open(o.db, o.sec, &db, &err), DS_OK, &err);
	ST_EQ(sf_enroll(db, d.device_id, d.key->pk, &err), DS_OK, &err);
	ST_EQ(dbx_open(o.db, &q, &err), DS_OK, &err);
	if (db == NULL || q == NULL)
		goto out;
	/* Two records; then a child whose parent comes later: held. */
	sf_rev(&r[0], &d, 1, 1, NULL, "{}");
	sf_rev(&r[1], &d, 2, 1, NULL, "{}");
	import(&o, db, &d, r, 2, &res);
	OK(res.n_new == 2 && res.n_held == 0);
	OK(head_no(q, &r[0]) == 1 && head_no(q, &r[1]) == 1);
	sf_rev(&r[2], &d, 3, 1, NULL, "{}");
	sf_rev(&r[3], &d, 3, 2, r[2].r.rev_id, "{}");
	import(&o, db, &d, &r[3], 1, &res);
	OK(res.n_new == 1 && res.n_held == 1);
	OK(rev_q(q, "held", &r[3]) == 1);
	OK(head_no(q, &r[3]) == 0);
	/* The parent: settled, and its child released to the head. */
	import(&o, db, &d, &r[2], 1, &res);
	OK(res.n_new == 1 && res.n_released == 1);
	OK(rev_q(q, "held", &r[3]) == 0);
	OK(head_no(q, &r[3]) == 2);
	/* A revision stored before, beside a child of a settled one. */
	sf_rev(&r[4], &d, 1, 2, r[0].r.rev_id, "{}");
	r[5] = r[1];
	r[5].r.device_seq = d.next_seq++;
	import(&o, db, &d, &r[4], 2, &res);
	OK(res.n_new == 1 && res.n_dup == 1 && res.n_held == 0);
	OK(head_no(q, &r[4]) == 2);
	/* A second child of r[0]: a fork, told by the row-by-row path. */
	sf_rev(&r[6], &d, 1, 2, r[0].r.rev_id, "{\"x\":1}");
	import(&o, db, &d, &r[6], 1, &res);
	OK(res.n_new == 1 && res.n_conflict == 1);
	OK(count(q, "SELECT count(*) FROM fork") == 1);
	/* A sequence number used before (a restored laptop): an alert. */
	sf_rev(&r[7], &d, 4, 1, NULL, "{}");
	r[7].r.device_seq = r[0].r.device_seq;
	import(&o, db, &d, &r[7], 1, &res);
	OK(res.n_new == 1 && res.reason == BR_ROLLBACK);
	OK(count(q, "SELECT count(*) FROM alert WHERE kind = 'rollback'") ==
	    1);
	OK(count(q, "SELECT count(*) FROM revision") == 7);
	OK(count(q, "SELECT count(*) FROM head") == 4);
out:
	dbx_close(q);
	odb_close(db);
	sf_device_free(&d);
	sf_office_free(&o);
	ds_free(r);
}

/*
 * The plan of sql as role, after pre (setup as the role, or NULL): the
 * lines of EXPLAIN opts into out.
 */
static void
explain(struct dbx *q, const char *role, const char *pre, const char *opts,
    const char *sql, char *out, size_t n)
{
	struct dbx_stmt *st;
	char e[4096];
	size_t len = 0;

	out[0] = '\0';
	snprintf(e, sizeof(e), "SET ROLE %s", role);
	if (dbx_exec(q, e, NULL) != DS_OK ||
	    (pre != NULL && dbx_exec(q, pre, NULL) != DS_OK))
		goto out;
	snprintf(e, sizeof(e), "EXPLAIN (%s) %s", opts, sql);
	if (dbx_prepare(q, e, &st) == DBX_OK) {
		while (dbx_step(st) == DBX_ROW && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s\n",
			    (const char *)dbx_column_text(st, 0));
		dbx_finalize(st);
	}
out:
	(void)dbx_exec(q, "RESET ROLE", NULL);
}

/* The rows a plan read and threw away ("Rows Removed by Filter"). */
static long
removed(const char *plan)
{
	const char *p = plan, *w = "Rows Removed by Filter: ";
	long n = 0;

	while ((p = strstr(p, w)) != NULL) {
		p += strlen(w);
		n += strtol(p, NULL, 10);
	}
	return n;
}

/* 1 if the plan's first index condition names col. */
static int
cond_has(const char *plan, const char *col)
{
	const char *c = strstr(plan, "Index Cond"), *e;

	if (c == NULL)
		return 0;
	e = strchr(c, '\n');
	c = strstr(c, col);
	return c != NULL && (e == NULL || c < e);
}

/* odb_pg_imp.c's plan query, its staged rows made up (as the role). */
#define FRESH_STAGE "CREATE TEMP TABLE ds_rev_stage(ord int NOT NULL," \
    " rev_id bytea, record_uuid bytea, parent_rev_id bytea, rev_no bigint," \
    " household_key text, form_id text, form_ver text, device_id bytea," \
    " device_seq bigint); INSERT INTO ds_rev_stage SELECT g," \
    " decode(md5(g::text), 'hex'), decode(md5('r' || g), 'hex')," \
    " decode(md5('p' || g), 'hex'), 1, 'k', 'f', 'v', '\\x01', g" \
    " FROM generate_series(0, 99) g"
#define FRESH_MINE " r.county_code = (SELECT ds_county()) AND" \
    " r.township_code = (SELECT ds_township()) AND"
#define FRESH_PLAN "SELECT s.ord," \
    " (SELECT 1 FROM revision r WHERE" FRESH_MINE " r.rev_id = s.rev_id" \
    "  LIMIT 1)," \
    " (SELECT r.held FROM revision r WHERE" FRESH_MINE \
    "  r.rev_id = s.parent_rev_id LIMIT 1)," \
    " (SELECT 1 FROM revision r WHERE" FRESH_MINE " r.device_id =" \
    "  s.device_id AND r.device_seq = s.device_seq AND r.rev_id <> s.rev_id" \
    "  LIMIT 1)," \
    " (SELECT 1 FROM revision r WHERE" FRESH_MINE \
    "  r.record_uuid = s.record_uuid AND" \
    "  r.parent_rev_id IS NOT DISTINCT FROM s.parent_rev_id AND" \
    "  r.rev_id <> s.rev_id AND r.held = 0 LIMIT 1)" \
    " FROM pg_temp.ds_rev_stage s ORDER BY s.ord"

/*
 * `test_dbx_pg --fresh`, on a database dbsetup made a moment ago (no
 * statistics, autovacuum off in t_pg, TEMPORARY revoked from PUBLIC):
 * a township role with only what dbsetup grants imports, and the import
 * gives the tables statistics as they grow (ds_analyze, schema version
 * 6).  Without them a look-up by household key, or the bundle's plan
 * query, reads every row of the township through the wrong index.
 */
#define FRESH_HH	400
static void
test_fresh_stats(void)
{
	struct sf_office o;
	struct sf_device d;
	struct sf_rev *r;
	struct imp_result res;
	struct ds_err err;
	struct odb *db = NULL;
	struct dbx *q = NULL;
	char key[17], role[2 * 8 + 3], plan[4096];
	unsigned char *b;
	size_t blen;
	int i, k;

	ds_err_clear(&err);
	if ((r = ds_calloc(FRESH_HH, sizeof(*r))) == NULL)
		return;
	sf_office_make(&o, ts_tmpdir("dbx-pg-fresh"));
	sf_device_make(&d, 4);
	memcpy(role, "t_", 2);
	ds_hex_encode(o.pub.office_id, 8, role + 2);
	ST_EQ(odb_open(o.db, o.sec, &db, &err), DS_OK, &err);
	ST_EQ(sf_enroll(db, d.device_id, d.key->pk, &err), DS_OK, &err);
	ST_EQ(dbx_open(url, &q, &err), DS_OK, &err);
	if (db == NULL || q == NULL)
		goto out;
	OK(count(q, "SELECT count(*) FROM pg_class WHERE relnamespace ="
	    " 'public'::regnamespace AND relkind = 'r' AND reltuples >= 0") ==
	    0);
	for (k = 0; k < 3; k++) {
		for (i = 0; i < FRESH_HH; i++) {
			sf_rev(&r[i], &d, 0, 1, NULL, "{}");
			r[i].r.answers.n = sf_household(r[i].answers,
			    sizeof(r[i].answers), k * FRESH_HH + i, key);
			snprintf(r[i].hh, sizeof(r[i].hh), "%s", key);
			r[i].r.household_key.n = strlen(r[i].hh);
			r[i].r.record_uuid[0] = 0x5f;
			cry_random(r[i].r.record_uuid + 1, 15);
		}
		b = sf_bundle(&d, &o, r, FRESH_HH, 0, 0, &blen);
		ST_EQ(imp_bundle(db, o.sec, b, blen, &res, &err), DS_OK, &err);
		OK(res.n_new == FRESH_HH);
		imp_result_free(&res);
		ds_free(b);
	}
	/* The tables the import reads have statistics now. */
	OK(count(q, "SELECT count(*) FROM pg_class WHERE relnamespace ="
	    " 'public'::regnamespace AND relname IN ('revision', 'visit',"
	    " 'hh', 'person') AND reltuples > 0") == 4);
	/*
	 * And the look-ups probe the index of what they look up: the
	 * bundle's plan query reads no row of the township it does not
	 * want (without statistics: every one, 1,200 a staged row), and
	 * the latest-visit look-up's generic plan (the one a prepared
	 * statement keeps) probes by household key.
	 */
	explain(q, role, FRESH_STAGE, "ANALYZE, COSTS OFF, TIMING OFF",
	    FRESH_PLAN, plan, sizeof(plan));
	OK(strstr(plan, "actual rows=100 loops=1") != NULL);
	OK(removed(plan) == 0);
	if (removed(plan) != 0)
		printf("# %s", plan);
	explain(q, role, "SET plan_cache_mode = force_generic_plan;"
	    "PREPARE later(text, text, bytea) AS SELECT 1 FROM visit WHERE"
	    " hh_key = $1 AND visit_date > $2 AND finalized = 1 AND"
	    " rev_id != $3 LIMIT 1", "COSTS OFF",
	    "EXECUTE later('k', '2024', '\\x00')", plan, sizeof(plan));
	OK(cond_has(plan, "hh_key"));
	if (!cond_has(plan, "hh_key"))
		printf("# %s", plan);
out:
	dbx_close(q);
	odb_close(db);
	sf_device_free(&d);
	sf_office_free(&o);
	ds_free(r);
}

/* `test_dbx_pg --setup N`: the county schema of version N, for t_pg. */
static int
setup(const char *n)
{
	struct ds_err err;
	int from, to;

	ds_err_clear(&err);
	if (odb_pg_setup(url, atoi(n), &from, &to, &err) != DS_OK) {
		printf("not ok setup: %s\n", err.msg);
		return 1;
	}
	printf("ok setup from version %d to %d\n", from, to);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *h = getenv("DOORSTEP_TEST_PG_HOST");
	const char *d = getenv("DOORSTEP_TEST_PG_DB");
	const char *u = getenv("DOORSTEP_TEST_PG_OWNER");

	if (h == NULL || d == NULL || u == NULL) {
		printf("ok test_dbx_pg # SKIP no PostgreSQL "
		    "(tests/pg/t_pg.sh runs it)\n");
		return 0;
	}
	snprintf(url, sizeof(url), "postgresql:///%s?host=%s&user=%s", d, h,
	    u);
	if (argc == 3 && strcmp(argv[1], "--setup") == 0)
		return setup(argv[2]);
	if (argc == 2 && strcmp(argv[1], "--fresh") == 0) {
		ds_json_init();
		RUN(test_fresh_stats);
		return harness_done();
	}
	RUN(test_commit_after_failure);
	RUN(test_pipeline);
	RUN(test_copy_in);
	ds_json_init();
	RUN(test_bundle_at_once);
	return harness_done();
}
