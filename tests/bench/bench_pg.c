/* doorstep: benchmark of the office import, PostgreSQL against office.db. */
/*
 * One office (one set of keys) keeps its data twice: in office.db and, as
 * a township, in a county database on PostgreSQL.  Each bundle of BUNDLE
 * households (default 1,000; ten laptops) is imported into both, the order
 * alternating bundle by bundle, so a change in the machine's load falls on
 * both.  The ratio per bundle is PostgreSQL time / SQLite time; the bench
 * prints both rates and the ratio's median and range every WINDOW bundles
 * up to N_MAX households (default 20,000).  Both are durable: office.db at
 * synchronous=FULL, the cluster as started (tests/bench/pg.sh starts one
 * with fsync on, in BENCH_DIR).
 * Needs DOORSTEP_TEST_PG_HOST, DOORSTEP_TEST_PG_DB and
 * DOORSTEP_TEST_PG_OWNER (pg.sh sets them).  Options (environment):
 * N_MAX, BUNDLE, WINDOW, BENCH_DIR (else TMPDIR).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/support.h"
#include "support/syncfix.h"

#include "bench_common.h"
#include "bundle.h"
#include "dbx.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "util.h"

#define NDEV	10

struct bench {
	struct sf_office	 office;
	struct sf_device	 dev[NDEV];
	struct odb		*db[2];		/* office.db, PostgreSQL */
	struct sf_rev		*revs;
	size_t			 n;
	unsigned char		*bundle;
	size_t			 blen;
	int			 which;
};

static int
env_int(const char *name, int def)
{
	const char *e = getenv(name);

	return e != NULL && atoi(e) > 0 ? atoi(e) : def;
}

static void
make_bundle(struct bench *b, int k0, size_t n, int d)
{
	char key[17];
	size_t i;

	for (i = 0; i < n; i++) {
		struct sf_rev *r = &b->revs[i];

		sf_rev(r, &b->dev[d], 0, 1, NULL, "{}");
		r->r.answers.n = sf_household(r->answers, sizeof(r->answers),
		    k0 + (int)i, key);
		snprintf(r->hh, sizeof(r->hh), "%s", key);
		r->r.household_key.n = strlen(r->hh);
		r->r.record_uuid[0] = 0x5e;
		cry_random(r->r.record_uuid + 1, 15);
	}
	b->n = n;
	ds_free(b->bundle);
	b->bundle = sf_bundle(&b->dev[d], &b->office, b->revs, n, 0, 0,
	    &b->blen);
}

static int
run_import(struct bench *b, int which)
{
	struct imp_result res;
	struct ds_err err;

	if (imp_bundle(b->db[which], b->office.sec, b->bundle, b->blen, &res,
	    &err) != DS_OK || res.n_new != b->n) {
		fprintf(stderr, "import (%s): %s (%u new of %zu)\n",
		    which ? "postgresql" : "sqlite", err.msg, res.n_new, b->n);
		return -1;
	}
	imp_result_free(&res);
	return 0;
}

/* The township role for this office, and its URL into url. */
static int
township(const struct sf_office *o, char *url, size_t n)
{
	const char *h = getenv("DOORSTEP_TEST_PG_HOST");
	const char *d = getenv("DOORSTEP_TEST_PG_DB");
	const char *u = getenv("DOORSTEP_TEST_PG_OWNER");
	char role[2 * 8 + 3], sql[512], own[600];
	struct ds_err err;
	struct dbx *db;

	if (h == NULL || d == NULL || u == NULL)
		return -1;
	snprintf(own, sizeof(own), "postgresql:///%s?host=%s&user=%s", d, h,
	    u);
	memcpy(role, "b_", 2);
	ds_hex_encode(o->pub.office_id, 8, role + 2);
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN IN ROLE ds_office;"
	    "INSERT INTO ds_role VALUES ('%s', 'bench', '%s')", role, role,
	    role + 2);
	if (dbx_open(own, &db, &err) != DS_OK ||
	    dbx_exec(db, sql, &err) != DS_OK) {
		fprintf(stderr, "township: %s\n", err.msg);
		return -1;
	}
	dbx_close(db);
	snprintf(url, n, "postgresql:///%s?host=%s&user=%s", d, h, role);
	return 0;
}

static void
report(int total, const uint64_t *t0, const uint64_t *t1, const size_t *nb,
    size_t lo, size_t hi)
{
	double *r0 = calloc(hi - lo, sizeof(double));
	double *r1 = calloc(hi - lo, sizeof(double));
	double *q = calloc(hi - lo, sizeof(double));
	struct bench_stat s0, s1, sq;
	size_t i;

	if (r0 == NULL || r1 == NULL || q == NULL)
		abort();
	for (i = lo; i < hi; i++) {
		r0[i - lo] = (double)nb[i] / ((double)t0[i] / 1e9);
		r1[i - lo] = (double)nb[i] / ((double)t1[i] / 1e9);
		q[i - lo] = (double)t1[i] / (double)t0[i];
	}
	bench_stat_dbl(r0, hi - lo, &s0);
	bench_stat_dbl(r1, hi - lo, &s1);
	bench_stat_dbl(q, hi - lo, &sq);
	printf("%8d | %7.0f/s | %7.0f/s | %5.2fx | %5.2f-%5.2fx | %zu\n",
	    total, s0.med, s1.med, sq.med, sq.min, sq.max, hi - lo);
	free(r0);
	free(r1);
	free(q);
}

int
main(void)
{
	struct bench b;
	struct ds_err err;
	const char *dir;
	char p[700], url[700];
	uint64_t *t[2], s[2] = { 0, 0 };
	size_t *nb, nbundles, i;
	int nmax = env_int("N_MAX", 20000), bsz = env_int("BUNDLE", 1000);
	int win = env_int("WINDOW", 5), k, d, w;

	memset(&b, 0, sizeof(b));
	ds_json_init();
	if (getenv("DOORSTEP_TEST_PG_HOST") == NULL) {
		printf("bench_pg: SKIP: run tests/bench/pg.sh (it starts a "
		    "PostgreSQL cluster)\n");
		return 0;
	}
	dir = getenv("BENCH_DIR") != NULL ? getenv("BENCH_DIR") :
	    ts_tmpdir("bench-pg");
	bench_machine("start", dir);
	/* office.db first (sf_office_make would use PostgreSQL too). */
	snprintf(p, sizeof(p), "%s", getenv("DOORSTEP_TEST_PG_HOST"));
	unsetenv("DOORSTEP_TEST_PG_HOST");
	{
		char od[700];

		snprintf(od, sizeof(od), "%s/office", dir);
		sf_office_make(&b.office, od);
	}
	setenv("DOORSTEP_TEST_PG_HOST", p, 1);
	if (township(&b.office, url, sizeof(url)) != 0 ||
	    odb_create(url, b.office.pub.office_id, &err) != DS_OK ||
	    odb_open(b.office.db, b.office.sec, &b.db[0], &err) != DS_OK ||
	    odb_open(url, b.office.sec, &b.db[1], &err) != DS_OK) {
		fprintf(stderr, "open: %s\n", err.msg);
		return 1;
	}
	for (d = 0; d < NDEV; d++) {
		sf_device_make(&b.dev[d], d);
		for (w = 0; w < 2; w++)
			if (sf_enroll(b.db[w], b.dev[d].device_id,
			    b.dev[d].key->pk, &err) != DS_OK)
				return 1;
	}
	nbundles = (size_t)((nmax + bsz - 1) / bsz);
	b.revs = calloc((size_t)bsz, sizeof(*b.revs));
	t[0] = calloc(nbundles, sizeof(uint64_t));
	t[1] = calloc(nbundles, sizeof(uint64_t));
	nb = calloc(nbundles, sizeof(*nb));
	if (b.revs == NULL || t[0] == NULL || t[1] == NULL || nb == NULL)
		return 1;
	printf("office import into office.db and into PostgreSQL (one "
	    "township), bundles of %d households from %d laptops, up to %d\n",
	    bsz, NDEV, nmax);
	printf("  size   |  sqlite  |  pg      | pg/sql | ratio range   | "
	    "bundles\n");
	for (i = 0, k = 0; i < nbundles; i++) {
		nb[i] = (size_t)(nmax - k < bsz ? nmax - k : bsz);
		make_bundle(&b, k, nb[i], (int)(i % NDEV));
		for (w = 0; w < 2; w++) {
			int e = (w == 0) == (i % 2 == 0) ? 0 : 1;
			uint64_t t0 = ds_mono_ns();

			if (run_import(&b, e) != 0)
				return 1;
			t[e][i] = ds_mono_ns() - t0;
			s[e] += t[e][i];
		}
		k += (int)nb[i];
		if ((i + 1) % (size_t)win == 0 || k == nmax)
			report(k, t[0], t[1], nb, i + 1 > (size_t)win ? i + 1 -
			    (size_t)win : 0, i + 1);
	}
	printf("all %d households: office.db %.1f s, PostgreSQL %.1f s, "
	    "%.2fx; peak RSS %.1f MiB\n", nmax, s[0] / 1e9, s[1] / 1e9,
	    (double)s[1] / (double)s[0], bench_peak_mib());
	bench_machine("end", dir);
	odb_close(b.db[0]);
	odb_close(b.db[1]);
	for (d = 0; d < NDEV; d++)
		sf_device_free(&b.dev[d]);
	sf_office_free(&b.office);
	ds_free(b.bundle);
	free(b.revs);
	free(t[0]);
	free(t[1]);
	free(nb);
	return 0;
}
