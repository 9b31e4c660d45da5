/* doorstep: benchmarks of the office store on PostgreSQL (issue 17). */
/*
 * Three benchmarks, chosen by BENCH (tests/bench/pg.sh starts a throwaway
 * cluster with fsync on and sets the connection variables):
 *
 * import (default): one office's bundles of BUNDLE households (default
 *   1,000; ten laptops) imported into a county database on PostgreSQL as a
 *   township, and into the office's office.db.  After each bundle its
 *   sealed revision rows, as the import stored them, are copied by a bare
 *   COPY FROM STDIN (the database owner, no row-level security, its own
 *   transaction) into a table made LIKE revision INCLUDING ALL (the same
 *   keys and indexes): the fastest way PostgreSQL can take those rows.
 *   office.db and PostgreSQL alternate which goes first.  Every WINDOW
 *   bundles up to N_MAX households (default 20,000) it prints the median
 *   rates and import/COPY.
 * report: REPORT_BASE households (default 1,000) imported into one
 *   township, then copied server-side under new household keys (and new
 *   row ids) up to N_MAX households; then the monthly report
 *   (report_case, as `doorstep-office report monthly`) and a bare scan
 *   (the same four tables' rows read through the same connection, no
 *   order, no logic) alternate ROUNDS times (default 5).
 * race: 1, 2 and 4 importers, each a township of its own (its office,
 *   role and laptop), import BUNDLES bundles (default 2) of BUNDLE
 *   households each at the same time; the rounds of 1, 2 and 4 alternate
 *   ROUNDS times (default 3); throughput is all households over the wall
 *   time from the start signal to the last importer's exit.
 *
 * Needs DOORSTEP_TEST_PG_HOST, DOORSTEP_TEST_PG_DB and
 * DOORSTEP_TEST_PG_OWNER (pg.sh sets them); BENCH_DIR (else TMPDIR).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "support/support.h"
#include "support/syncfix.h"

#include "bench_common.h"
#include "bundle.h"
#include "dbx.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "report.h"
#include "util.h"

#define NDEV		10
#define NTOWN		4
#define RACE_MAX	4

struct town {
	struct sf_office	 office;
	struct odb		*db;		/* the township on PostgreSQL */
	struct odb		*lite;		/* its office.db, or NULL */
	char			 url[700];
	char			 role[2 * 8 + 3];
};

static struct sf_device dev[NDEV];
static char owner_url[700];

static int
env_int(const char *name, int def)
{
	const char *e = getenv(name);

	return e != NULL && atoi(e) > 0 ? atoi(e) : def;
}

static void
fail(const char *what, const char *msg)
{
	fprintf(stderr, "bench_pg: %s: %s\n", what, msg);
	exit(1);
}

/* n revisions of households k0.. from laptop d, as one bundle for o. */
static unsigned char *
make_bundle(const struct sf_office *o, struct sf_rev *revs, int k0,
    size_t n, int d, size_t *blen)
{
	char key[17];
	size_t i;

	for (i = 0; i < n; i++) {
		struct sf_rev *r = &revs[i];

		sf_rev(r, &dev[d], 0, 1, NULL, "{}");
		r->r.answers.n = sf_household(r->answers, sizeof(r->answers),
		    k0 + (int)i, key);
		snprintf(r->hh, sizeof(r->hh), "%s", key);
		r->r.household_key.n = strlen(r->hh);
		r->r.record_uuid[0] = 0x5e;
		cry_random(r->r.record_uuid + 1, 15);
	}
	return sf_bundle(&dev[d], o, revs, n, 0, 0, blen);
}

static void
import(struct odb *db, const struct sf_office *o, const unsigned char *b,
    size_t blen, size_t n)
{
	struct imp_result res;
	struct ds_err err;

	if (imp_bundle(db, o->sec, b, blen, &res, &err) != DS_OK ||
	    res.n_new != n)
		fail("import", err.msg);
	imp_result_free(&res);
}

static PGconn *
owner(void)
{
	PGconn *c = PQconnectdb(owner_url);

	if (PQstatus(c) != CONNECTION_OK)
		fail("owner", PQerrorMessage(c));
	return c;
}

static void
owner_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		fail(sql, PQerrorMessage(c));
	PQclear(r);
}

/*
 * Township k of county "bench": its office (keys, office.db in dir), its
 * role, its schema rows, the ten laptops enrolled.  lite: keep office.db
 * open too.
 */
static void
town_make(struct town *t, const char *dir, int k, int lite)
{
	char host[700], od[800], sql[512];
	struct ds_err err;
	PGconn *c;
	int d;

	memset(t, 0, sizeof(*t));
	/* office.db first (sf_office_make would use PostgreSQL too). */
	snprintf(host, sizeof(host), "%s", getenv("DOORSTEP_TEST_PG_HOST"));
	unsetenv("DOORSTEP_TEST_PG_HOST");
	snprintf(od, sizeof(od), "%s/office%d", dir, k);
	sf_office_make(&t->office, od);
	setenv("DOORSTEP_TEST_PG_HOST", host, 1);
	memcpy(t->role, "b_", 2);
	ds_hex_encode(t->office.pub.office_id, 8, t->role + 2);
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN IN ROLE ds_office;"
	    "INSERT INTO ds_role VALUES ('%s', 'bench', '%s')", t->role,
	    t->role, t->role + 2);
	c = owner();
	owner_exec(c, sql);
	PQfinish(c);
	snprintf(t->url, sizeof(t->url), "postgresql:///%s?host=%s&user=%s",
	    getenv("DOORSTEP_TEST_PG_DB"), host, t->role);
	if (odb_create(t->url, t->office.pub.office_id, &err) != DS_OK ||
	    odb_open(t->url, t->office.sec, &t->db, &err) != DS_OK ||
	    (lite && odb_open(t->office.db, t->office.sec, &t->lite, &err) !=
	    DS_OK))
		fail("open", err.msg);
	for (d = 0; d < NDEV; d++)
		if (sf_enroll(t->db, dev[d].device_id, dev[d].key->pk, &err) !=
		    DS_OK || (lite && sf_enroll(t->lite, dev[d].device_id,
		    dev[d].key->pk, &err) != DS_OK))
			fail("enroll", err.msg);
}

static void
town_free(struct town *t)
{
	odb_close(t->db);
	odb_close(t->lite);
	sf_office_free(&t->office);
}

/* The median of n values (v is left as it was). */
static double
med(const double *v, size_t n)
{
	struct bench_stat s;
	double *c = calloc(n ? n : 1, sizeof(*c));

	if (c == NULL)
		abort();
	memcpy(c, v, n * sizeof(*c));
	bench_stat_dbl(c, n, &s);
	free(c);
	return s.med;
}

/* ---- import against COPY ----------------------------------------------- */

/*
 * Every row the import of a bundle wrote, table by table: what a bare
 * COPY of all of it is measured against; the setting bench.bundle holds
 * the bundle id.  The bench's households are new in each bundle, so their
 * keys select them.
 */
#define BID "current_setting('bench.bundle')::bytea"
#define OF_BUNDLE "(SELECT household_key FROM revision WHERE bundle_id = " \
    BID ")"
static const struct {
	const char	*table, *where;
} wrote[] = {
	{ "revision", "bundle_id = " BID },
	{ "head", "record_uuid IN (SELECT record_uuid FROM revision WHERE"
	  " bundle_id = " BID ")" },
	{ "visit", "hh_key IN " OF_BUNDLE },
	{ "hh", "hh_key IN " OF_BUNDLE },
	{ "person", "hh_key IN " OF_BUNDLE },
	{ "case_event", "hh_key IN " OF_BUNDLE },
	{ "clue", "hh_key IN " OF_BUNDLE },
	{ "measure", "hh_key IN " OF_BUNDLE },
	{ "ledger", "bundle_id = " BID },
};
#define NWROTE	(sizeof(wrote) / sizeof(wrote[0]))

/* Rows of wrote[w] of the bundle as stored (COPY text), into *out. */
static size_t
rows_of(PGconn *c, size_t w, const unsigned char bundle_id[16], char **out)
{
	char hex[33], sql[600], *buf;
	size_t n = 0, cap = 1 << 20;
	PGresult *r;
	int len;

	ds_hex_encode(bundle_id, 16, hex);
	snprintf(sql, sizeof(sql), "SET bench.bundle = '\\x%s'", hex);
	owner_exec(c, sql);
	snprintf(sql, sizeof(sql), "COPY (SELECT * FROM %s WHERE %s) TO "
	    "STDOUT", wrote[w].table, wrote[w].where);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COPY_OUT)
		fail("copy out", PQerrorMessage(c));
	PQclear(r);
	if ((*out = malloc(cap)) == NULL)
		abort();
	while ((len = PQgetCopyData(c, &buf, 0)) > 0) {
		if (n + (size_t)len > cap && (*out = realloc(*out,
		    cap = 2 * (n + (size_t)len))) == NULL)
			abort();
		memcpy(*out + n, buf, (size_t)len);
		n += (size_t)len;
		PQfreemem(buf);
	}
	PQclear(PQgetResult(c));
	return n;
}

/* The bare COPY: the rows into table, in the open transaction. */
static void
copy_in(PGconn *c, const char *table, const char *rows, size_t n)
{
	char sql[100];
	PGresult *r;

	snprintf(sql, sizeof(sql), "COPY %s FROM STDIN", table);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN)
		fail("copy in", PQerrorMessage(c));
	PQclear(r);
	if (PQputCopyData(c, rows, (int)n) != 1 ||
	    PQputCopyEnd(c, NULL) != 1)
		fail("copy in", PQerrorMessage(c));
	r = PQgetResult(c);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail("copy in", PQerrorMessage(c));
	PQclear(r);
}

static void
import_report(int total, double *rl, double *rp, double *rc, double *ra,
    size_t lo, size_t hi)
{
	double q[4096], qa[4096], sl[4096];
	size_t i;

	for (i = lo; i < hi && i - lo < 4096; i++) {
		q[i - lo] = rp[i] / rc[i];
		qa[i - lo] = rp[i] / ra[i];
		sl[i - lo] = rp[i] / rl[i];
	}
	printf("%8d | %7.0f/s | %7.0f/s | %8.0f/s | %8.0f/s | %5.1f%% | "
	    "%5.1f%% | %6.1fx | %zu\n", total, med(rl + lo, hi - lo),
	    med(rp + lo, hi - lo), med(rc + lo, hi - lo), med(ra + lo, hi - lo),
	    100 * med(q, hi - lo), 100 * med(qa, hi - lo),
	    1 / med(sl, hi - lo), hi - lo);
}

/*
 * Where the import's time goes on the server: pg_stat_statements (pg.sh
 * preloads it when the server has it) over the import's role, per
 * household.  0 when it is not there.
 */
static int
stats_on(PGconn *c)
{
	PGresult *r = PQexec(c, "CREATE EXTENSION IF NOT EXISTS "
	    "pg_stat_statements; SELECT pg_stat_statements_reset()");
	int on = PQresultStatus(r) == PGRES_TUPLES_OK;

	PQclear(r);
	return on;
}

static void
stats_print(PGconn *c, const char *role, int n, double wall)
{
	char sql[1024];
	PGresult *r;
	double all;
	int i;

	snprintf(sql, sizeof(sql), "SELECT sum(total_exec_time) FROM "
	    "pg_stat_statements s JOIN pg_roles u ON u.oid = s.userid "
	    "WHERE u.rolname = '%s'", role);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		PQclear(r);
		return;
	}
	all = atof(PQgetvalue(r, 0, 0));
	PQclear(r);
	printf("where the import's time goes, per household: %.3f ms in "
	    "all; %.3f ms executing statements on the server, %.3f ms in "
	    "the importer and waiting for the server (parse, decrypt, "
	    "seal, sign, round trips, planning, commit)\n", wall / n,
	    all / n, (wall - all) / n);
	snprintf(sql, sizeof(sql), "SELECT calls, total_exec_time, "
	    "left(regexp_replace(query, '\\s+', ' ', 'g'), 72) FROM "
	    "pg_stat_statements s JOIN pg_roles u ON u.oid = s.userid "
	    "WHERE u.rolname = '%s' ORDER BY total_exec_time DESC "
	    "LIMIT 14", role);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return;
	}
	printf("  ms/household | calls/household | statement\n");
	for (i = 0; i < PQntuples(r); i++)
		printf("  %12.4f | %15.3f | %s\n",
		    atof(PQgetvalue(r, i, 1)) / n,
		    atof(PQgetvalue(r, i, 0)) / n, PQgetvalue(r, i, 2));
	PQclear(r);
}

static int
bench_import(const char *dir)
{
	struct town t;
	struct sf_rev *revs;
	struct bundle_header h;
	unsigned char *b;
	char *rows[NWROTE], tab[64], sql[200];
	double *rl, *rp, *rc, *ra;
	uint64_t s[4] = { 0, 0, 0, 0 }, t0, dt;
	size_t blen, nrows[NWROTE], nb, i, n, x;
	int nmax = env_int("N_MAX", 20000), bsz = env_int("BUNDLE", 1000);
	int win = env_int("WINDOW", 5), k = 0, w, e, why, stats;
	PGconn *c;

	town_make(&t, dir, 0, 1);
	c = owner();
	owner_exec(c, "CREATE TABLE bench_copy (LIKE revision INCLUDING ALL)");
	for (x = 0; x < NWROTE; x++) {
		snprintf(sql, sizeof(sql), "CREATE TABLE bench_%s (LIKE %s "
		    "INCLUDING ALL)", wrote[x].table, wrote[x].table);
		owner_exec(c, sql);
	}
	stats = stats_on(c);
	nb = (size_t)((nmax + bsz - 1) / bsz);
	revs = calloc((size_t)bsz, sizeof(*revs));
	rl = calloc(nb, sizeof(double));
	rp = calloc(nb, sizeof(double));
	rc = calloc(nb, sizeof(double));
	ra = calloc(nb, sizeof(double));
	if (revs == NULL || rl == NULL || rp == NULL || rc == NULL ||
	    ra == NULL)
		abort();
	printf("import into PostgreSQL (one township) against a bare COPY of "
	    "its sealed revision rows (COPY rev) and of every row it wrote "
	    "(COPY all: %zu tables), and into office.db; bundles of %d "
	    "households from %d laptops, up to %d\n", NWROTE, bsz, NDEV, nmax);
	printf("  size   | office.db |  pg      |  COPY rev |  COPY all | "
	    "pg/rev | pg/all | pg/office.db time | bundles\n");
	for (i = 0; i < nb; i++) {
		n = (size_t)(nmax - k < bsz ? nmax - k : bsz);
		b = make_bundle(&t.office, revs, k, n, (int)(i % NDEV), &blen);
		for (w = 0; w < 2; w++) {
			e = (w == 0) == (i % 2 == 0);
			t0 = ds_mono_ns();
			import(e ? t.db : t.lite, &t.office, b, blen, n);
			dt = ds_mono_ns() - t0;
			s[e] += dt;
			(e ? rp : rl)[i] = (double)n / ((double)dt / 1e9);
		}
		if (bundle_parse_header(b, blen, &h, &why, NULL) != DS_OK)
			fail("bundle", "header");
		/* The revision rows alone, then every row the import wrote,
		 * each in a committed transaction of its own. */
		for (x = 0; x < NWROTE; x++)
			nrows[x] = rows_of(c, x, h.bundle_id, &rows[x]);
		t0 = ds_mono_ns();
		owner_exec(c, "BEGIN");
		copy_in(c, "bench_copy", rows[0], nrows[0]);
		owner_exec(c, "COMMIT");
		dt = ds_mono_ns() - t0;
		s[2] += dt;
		rc[i] = (double)n / ((double)dt / 1e9);
		t0 = ds_mono_ns();
		owner_exec(c, "BEGIN");
		for (x = 0; x < NWROTE; x++) {
			snprintf(tab, sizeof(tab), "bench_%s", wrote[x].table);
			copy_in(c, tab, rows[x], nrows[x]);
		}
		owner_exec(c, "COMMIT");
		dt = ds_mono_ns() - t0;
		s[3] += dt;
		ra[i] = (double)n / ((double)dt / 1e9);
		for (x = 0; x < NWROTE; x++)
			free(rows[x]);
		ds_free(b);
		k += (int)n;
		if ((i + 1) % (size_t)win == 0 || k == nmax)
			import_report(k, rl, rp, rc, ra, i + 1 > (size_t)win ?
			    i + 1 - (size_t)win : 0, i + 1);
	}
	printf("all %d households: office.db %.1f s, PostgreSQL %.1f s, COPY "
	    "rev %.1f s, COPY all %.1f s: import at %.1f%% of COPY rev's "
	    "rate, %.1f%% of COPY all's, %.1fx office.db's time; peak RSS "
	    "%.1f MiB\n", nmax, s[0] / 1e9, s[1] / 1e9, s[2] / 1e9,
	    s[3] / 1e9, 100.0 * (double)s[2] / (double)s[1],
	    100.0 * (double)s[3] / (double)s[1], (double)s[1] / (double)s[0],
	    bench_peak_mib());
	if (stats)
		stats_print(c, t.role, nmax, s[1] / 1e6);
	PQfinish(c);
	town_free(&t);
	free(revs);
	free(rl);
	free(rp);
	free(rc);
	free(ra);
	return 0;
}

/* ---- the monthly report against a scan --------------------------------- */

/*
 * Copies of the township's case rows under keys KEY-c (c = 1..copies-1)
 * and new row ids: what the monthly report reads (hh, visit, case_event,
 * clue).  Sealed columns keep their bytes (the report opens none).
 */
static const struct {
	const char	*cols, *table, *extra;
} grow[] = {
	{ "hh_key || '-' || c, township, village, vgroup, head_name, head_id,"
	  " members, in_register, grid_worker, state, track_step, category,"
	  " ident_date, elim_date, elim_kind, track_since, light, light_month,"
	  " created_at, updated_at", "hh", "" },
	{ "substr(sha256(rev_id || int4send(c)), 1, 16), record_uuid,"
	  " hh_key || '-' || c, device_id, worker_id, visit_date, visit_type,"
	  " reason, entry_id, corrects, consent, outcome, finalized,"
	  " finalized_at, proposes, light, light_set, imported_at", "visit",
	  "" },
	{ "substr(sha256(event_id || int4send(c)), 1, 16), hh_key || '-' || c,"
	  " seq, track, step, outcome, date, date_end, objections, category,"
	  " elim_kind, channel, detail, ref, by_name, note, corrects, source,"
	  " recorded_at", "case_event", "" },
	{ "substr(sha256(clue_id || int4send(c)), 1, 16), channel, source,"
	  " hh_key || '-' || c, ambiguous, id_idx, id_no, name, reason, amount,"
	  " date, received_at, state, closed_rev, closed_at, batch", "clue",
	  " AND hh_key IS NOT NULL" },
};

static const char *const scan_sql[] = {
	"SELECT hh_key, township, village, vgroup, members, in_register"
	" FROM hh",
	"SELECT hh_key, record_uuid, visit_date, visit_type, outcome, consent,"
	" light, worker_id, finalized_at, imported_at FROM visit",
	"SELECT hh_key, event_id, seq, track, step, outcome, date, date_end,"
	" objections, category, elim_kind, channel, ref, corrects,"
	" recorded_at, detail, note IS NOT NULL FROM case_event",
	"SELECT hh_key, date, channel, state FROM clue",
	NULL
};

/* The bare scan: every row of the report's four tables, read. */
static size_t
scan(struct town *t)
{
	struct dbx *db;
	struct dbx_stmt *st;
	struct ds_err err;
	size_t n = 0;
	int i, j, rc;

	if (dbx_open(t->url, &db, &err) != DS_OK)
		fail("scan", err.msg);
	for (i = 0; scan_sql[i] != NULL; i++) {
		if (dbx_prepare(db, scan_sql[i], &st) != DBX_OK)
			fail("scan", dbx_errmsg(db));
		while ((rc = dbx_step(st)) == DBX_ROW) {
			for (j = 0; j < dbx_column_count(st); j++)
				(void)dbx_column_text(st, j);
			n++;
		}
		if (rc != DBX_DONE)
			fail("scan", dbx_errmsg(db));
		dbx_finalize(st);
	}
	dbx_close(db);
	return n;
}

static void
report(struct town *t)
{
	struct report_case_opts o;
	struct report_case_info info;
	struct report_table *tab;
	struct ds_err err;
	struct odb *db;

	/* A fresh connection each time, as the command has. */
	if (odb_open(t->url, t->office.sec, &db, &err) != DS_OK)
		fail("report", err.msg);
	memset(&o, 0, sizeof(o));
	o.from_ym = o.to_ym = 202406;
	if (report_case(db, &o, &tab, &info, &err) != DS_OK)
		fail("report", err.msg);
	report_table_free(tab);
	odb_close(db);
}

static int
bench_report(const char *dir)
{
	struct town t;
	struct sf_rev *revs;
	unsigned char *b;
	double tr[64], ts[64], q[64];
	char sql[1024];
	size_t blen, rows = 0, n;
	int nmax = env_int("N_MAX", 300000), base = env_int("REPORT_BASE",
	    1000), bsz = env_int("BUNDLE", 1000), rounds = env_int("ROUNDS", 5);
	int k, i, j;
	uint64_t t0;
	PGconn *c;

	if (rounds > 64)
		rounds = 64;
	town_make(&t, dir, 0, 0);
	revs = calloc((size_t)bsz, sizeof(*revs));
	if (revs == NULL)
		abort();
	t0 = ds_mono_ns();
	for (k = 0, i = 0; k < base; k += (int)n, i++) {
		n = (size_t)(base - k < bsz ? base - k : bsz);
		b = make_bundle(&t.office, revs, k, n, i % NDEV, &blen);
		import(t.db, &t.office, b, blen, n);
		ds_free(b);
	}
	printf("report: %d households imported in %.1f s", base,
	    (ds_mono_ns() - t0) / 1e9);
	t0 = ds_mono_ns();
	c = owner();
	owner_exec(c, "BEGIN");
	for (j = 0; j < (int)(sizeof(grow) / sizeof(grow[0])); j++) {
		snprintf(sql, sizeof(sql), "INSERT INTO %s SELECT county_code,"
		    " township_code, %s FROM %s, generate_series(1, %d) c"
		    " WHERE township_code = '%s'%s", grow[j].table,
		    grow[j].cols, grow[j].table, nmax / base - 1, t.role + 2,
		    grow[j].extra);
		owner_exec(c, sql);
	}
	owner_exec(c, "COMMIT");
	owner_exec(c, "VACUUM ANALYZE");
	PQfinish(c);
	printf(", copied to %d in %.1f s\n", nmax / base * base,
	    (ds_mono_ns() - t0) / 1e9);
	printf("monthly report (2024-06) of one township against a bare "
	    "scan of the rows it reads, %d rounds\n", rounds);
	printf(" round | report  | scan    | report/scan\n");
	for (i = 0; i < rounds; i++) {
		for (j = 0; j < 2; j++) {
			t0 = ds_mono_ns();
			if ((j == 0) == (i % 2 == 0))
				report(&t);
			else
				rows = scan(&t);
			((j == 0) == (i % 2 == 0) ? tr : ts)[i] =
			    (ds_mono_ns() - t0) / 1e9;
		}
		q[i] = tr[i] / ts[i];
		printf(" %5d | %6.2fs | %6.2fs | %5.2fx\n", i + 1, tr[i], ts[i],
		    q[i]);
	}
	printf("median: report %.2f s, scan %.2f s (%zu rows), report/scan "
	    "%.2fx; peak RSS %.1f MiB\n", med(tr, (size_t)rounds),
	    med(ts, (size_t)rounds), rows, med(q, (size_t)rounds),
	    bench_peak_mib());
	town_free(&t);
	free(revs);
	return 0;
}

/* ---- 1, 2 and 4 importers ---------------------------------------------- */

/* Importer `who` of a round: its bundles, built before the start. */
static void
race_child(struct town *t, unsigned char **b, size_t *blen, int nb,
    size_t n, int ready, int go)
{
	struct ds_err err;
	struct odb *db;
	char c = 0;
	int i;

	/* A connection of its own (the parent's is not the child's). */
	if (odb_open(t->url, t->office.sec, &db, &err) != DS_OK)
		fail("race", err.msg);
	if (write(ready, &c, 1) != 1 || read(go, &c, 1) != 1)
		_exit(1);
	for (i = 0; i < nb; i++)
		import(db, &t->office, b[i], blen[i], n);
	odb_close(db);
	_exit(0);
}

static int
bench_race(const char *dir)
{
	struct town t[RACE_MAX];
	struct sf_rev *revs;
	unsigned char *b[RACE_MAX][16];
	size_t blen[RACE_MAX][16];
	double rate[3][64];
	static const int ks[3] = { 1, 2, 4 };
	int nb = env_int("BUNDLES", 2), bsz = env_int("BUNDLE", 500);
	int rounds = env_int("ROUNDS", 3), next[RACE_MAX] = { 0 };
	int r, x, i, j, st, ok, p[2], q[2];
	pid_t pid[RACE_MAX];
	uint64_t t0;
	char go[1] = { 0 };

	if (nb > 16)
		nb = 16;
	if (rounds > 64)
		rounds = 64;
	for (i = 0; i < RACE_MAX; i++) {
		town_make(&t[i], dir, i, 0);
		next[i] = 0;
	}
	if ((revs = calloc((size_t)bsz, sizeof(*revs))) == NULL)
		abort();
	/* One bundle each first: the first round starts warm too. */
	for (i = 0; i < RACE_MAX; i++) {
		b[0][0] = make_bundle(&t[i].office, revs, next[i], (size_t)bsz,
		    i, &blen[0][0]);
		import(t[i].db, &t[i].office, b[0][0], blen[0][0],
		    (size_t)bsz);
		ds_free(b[0][0]);
		next[i] += bsz;
	}
	printf("1, 2 and 4 importers at once, each a township of its own, "
	    "each %d bundles of %d households; %d rounds\n", nb, bsz, rounds);
	printf(" round | importers | households | seconds | households/s\n");
	for (r = 0; r < rounds; r++)
		for (x = 0; x < 3; x++) {
			/* 1, 2, 4, then 4, 2, 1: the order alternates. */
			int k = ks[r % 2 == 0 ? x : 2 - x];

			for (i = 0; i < k; i++)
				for (j = 0; j < nb; j++) {
					b[i][j] = make_bundle(&t[i].office, revs,
					    next[i], (size_t)bsz, i, &blen[i][j]);
					next[i] += bsz;
				}
			if (pipe(p) != 0 || pipe(q) != 0)
				abort();
			fflush(stdout);
			for (i = 0; i < k; i++)
				if ((pid[i] = fork()) == 0) {
					close(p[1]);
					close(q[0]);
					race_child(&t[i], b[i], blen[i], nb,
					    (size_t)bsz, q[1], p[0]);
				}
			close(p[0]);
			close(q[1]);
			/* Every importer has connected: the start. */
			for (i = 0; i < k; i++)
				if (read(q[0], go, 1) != 1)
					fail("race", "an importer did not start");
			close(q[0]);
			t0 = ds_mono_ns();
			for (i = 0; i < k; i++)
				if (write(p[1], go, 1) != 1)
					abort();
			close(p[1]);
			for (i = 0, ok = 1; i < k; i++)
				ok &= waitpid(pid[i], &st, 0) == pid[i] &&
				    WIFEXITED(st) && WEXITSTATUS(st) == 0;
			if (!ok)
				fail("race", "an importer failed");
			rate[r % 2 == 0 ? x : 2 - x][r] = (double)(k * nb * bsz) /
			    ((ds_mono_ns() - t0) / 1e9);
			printf(" %5d | %9d | %10d | %7.1f | %8.0f\n", r + 1, k,
			    k * nb * bsz, (double)(k * nb * bsz) /
			    rate[r % 2 == 0 ? x : 2 - x][r],
			    rate[r % 2 == 0 ? x : 2 - x][r]);
			for (i = 0; i < k; i++)
				for (j = 0; j < nb; j++)
					ds_free(b[i][j]);
		}
	printf("median households/s: 1 importer %.0f, 2 importers %.0f "
	    "(%.2fx), 4 importers %.0f (%.2fx)\n", med(rate[0],
	    (size_t)rounds), med(rate[1], (size_t)rounds), med(rate[1],
	    (size_t)rounds) / med(rate[0], (size_t)rounds), med(rate[2],
	    (size_t)rounds), med(rate[2], (size_t)rounds) / med(rate[0],
	    (size_t)rounds));
	for (i = 0; i < RACE_MAX; i++)
		town_free(&t[i]);
	free(revs);
	return 0;
}

int
main(void)
{
	const char *dir, *mode = getenv("BENCH");
	int d, rc;

	ds_json_init();
	if (getenv("DOORSTEP_TEST_PG_HOST") == NULL ||
	    getenv("DOORSTEP_TEST_PG_DB") == NULL ||
	    getenv("DOORSTEP_TEST_PG_OWNER") == NULL) {
		printf("bench_pg: SKIP: run tests/bench/pg.sh (it starts a "
		    "PostgreSQL cluster)\n");
		return 0;
	}
	snprintf(owner_url, sizeof(owner_url),
	    "postgresql:///%s?host=%s&user=%s", getenv("DOORSTEP_TEST_PG_DB"),
	    getenv("DOORSTEP_TEST_PG_HOST"), getenv("DOORSTEP_TEST_PG_OWNER"));
	dir = getenv("BENCH_DIR") != NULL ? getenv("BENCH_DIR") :
	    ts_tmpdir("bench-pg");
	for (d = 0; d < NDEV; d++)
		sf_device_make(&dev[d], d);
	bench_machine("start", dir);
	if (mode == NULL || strcmp(mode, "import") == 0)
		rc = bench_import(dir);
	else if (strcmp(mode, "report") == 0)
		rc = bench_report(dir);
	else if (strcmp(mode, "race") == 0)
		rc = bench_race(dir);
	else
		fail("BENCH", "import, report or race");
	bench_machine("end", dir);
	for (d = 0; d < NDEV; d++)
		sf_device_free(&dev[d]);
	return rc;
}
