/* doorstep: benchmark of the office import as office.db grows. */
/*
 * An office receives households in bundles of BUNDLE (default 1,000)
 * from ten laptops until office.db holds N_MAX (default 200,000).  Each
 * household is of the shipped form's shape (sf_household: five members
 * with ID numbers, a finalized visit), so the import runs everything a
 * real one does: header, device and signature checks, ledger, unseal,
 * decrypt, inflate, strict parse, then one synchronous=FULL transaction
 * storing the sealed revisions, heads, fork checks, the case hook,
 * acknowledged ranges, the ledger row and the signed receipt.
 *
 * The floor, interleaved bundle by bundle (the order alternating): the
 * same number of rows, each the revision's id and as many bytes as its
 * sealed columns, inserted in one synchronous=FULL WAL transaction into
 * a rowid table with no other index, in a second database in the same
 * directory growing alongside.  That is the least any importer must
 * write.  The ratio per bundle is import time / floor time; at each size
 * (10k, 50k, 100k, 200k) the bench prints both rates and the ratio over
 * the WINDOW (default 10) bundles that end there, so a ratio that grows
 * with the database shows.  Beside the wall-time ratio, the ratio of
 * the two's thread CPU time (median over the same window): on a shared,
 * loaded machine the wall times carry other processes' time slices, the
 * CPU times much less of it.
 * Options (environment): N_MAX, BUNDLE, WINDOW, BENCH_DIR (else TMPDIR).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "support/countvfs.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "bench_common.h"
#include "bundle.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "util.h"

#define NDEV		10
#define SEAL_OVERHEAD	40	/* XChaCha20-Poly1305 nonce + tag, per value */

struct bench {
	struct sf_office	 office;
	struct sf_device	 dev[NDEV];
	struct odb		*db;
	sqlite3			*fl;
	sqlite3_stmt		*ins;
	struct sf_rev		*revs;
	size_t			 n;		/* households in this bundle */
	unsigned char		*bundle;
	size_t			 blen;
	unsigned char		*pad;
};

static int
env_int(const char *name, int def)
{
	const char *e = getenv(name);

	return e != NULL && atoi(e) > 0 ? atoi(e) : def;
}

/* Households [k0, k0 + n) as the next bundle of device d. */
static void
make_bundle(struct bench *b, int k0, size_t n, int d)
{
	char key[17];
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		struct sf_rev *r = &b->revs[i];

		k = k0 + (int)i;
		sf_rev(r, &b->dev[d], 0, 1, NULL, "{}");
		r->r.answers.n = sf_household(r->answers, sizeof(r->answers),
		    k, key);
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

static uint64_t
written(void)
{
	struct countvfs_stats c;

	countvfs_get(&c);
	return c.bytes[COUNTVFS_WAL] + c.bytes[COUNTVFS_DB];
}

static int
run_import(void *arg)
{
	struct bench *b = arg;
	struct imp_result res;
	struct ds_err err;

	if (imp_bundle(b->db, b->office.sec, b->bundle, b->blen, &res, &err) !=
	    DS_OK || res.n_new != b->n) {
		fprintf(stderr, "import: %s (%u new of %zu)\n", err.msg,
		    res.n_new, b->n);
		return -1;
	}
	imp_result_free(&res);
	return 0;
}

static int
run_floor(void *arg)
{
	struct bench *b = arg;
	const struct bundle_rev *r;
	size_t i, len;

	if (sqlite3_exec(b->fl, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	for (i = 0; i < b->n; i++) {
		r = &b->revs[i].r;
		len = r->answers.n + r->audit.n + r->consent.n +
		    3 * SEAL_OVERHEAD;
		memcpy(b->pad, r->answers.p, r->answers.n);
		sqlite3_bind_blob(b->ins, 1, r->rev_id, 16, SQLITE_STATIC);
		sqlite3_bind_blob(b->ins, 2, b->pad, (int)len, SQLITE_STATIC);
		if (sqlite3_step(b->ins) != SQLITE_DONE)
			return -1;
		sqlite3_reset(b->ins);
	}
	return sqlite3_exec(b->fl, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ?
	    0 : -1;
}

/* Report the window of bundles [lo, hi) ending at `total` households;
 * wi, wf: bytes each wrote (WAL and checkpoints). */
static void
report(int total, const uint64_t *ti, const uint64_t *tf, const uint64_t *ci,
    const uint64_t *cf, const size_t *nb, const uint64_t *wi,
    const uint64_t *wf, size_t lo, size_t hi)
{
	double *ri = calloc(hi - lo, sizeof(double));
	double *rf = calloc(hi - lo, sizeof(double));
	double *q = calloc(hi - lo, sizeof(double));
	double *qc = calloc(hi - lo, sizeof(double));
	struct bench_stat si, sf, sq, sc;
	double bi = 0, bf = 0, hh = 0;
	size_t i;

	if (ri == NULL || rf == NULL || q == NULL || qc == NULL)
		abort();
	for (i = lo; i < hi; i++) {
		ri[i - lo] = (double)nb[i] / ((double)ti[i] / 1e9);
		rf[i - lo] = (double)nb[i] / ((double)tf[i] / 1e9);
		q[i - lo] = (double)ti[i] / (double)tf[i];
		qc[i - lo] = (double)ci[i] / (double)(cf[i] ? cf[i] : 1);
		bi += (double)wi[i];
		bf += (double)wf[i];
		hh += (double)nb[i];
	}
	bench_stat_dbl(ri, hi - lo, &si);
	bench_stat_dbl(rf, hi - lo, &sf);
	bench_stat_dbl(q, hi - lo, &sq);
	bench_stat_dbl(qc, hi - lo, &sc);
	printf("%8d | %7.0f/s | %7.0f/s | %5.2fx | %5.2f-%5.2fx | %5.2fx | "
	    "%3zu | %5.1f / %4.1f KiB\n", total, si.med, sf.med, sq.med,
	    sq.min, sq.max, sc.med, hi - lo, bi / hh / 1024, bf / hh / 1024);
	free(ri);
	free(rf);
	free(q);
	free(qc);
}

int
main(void)
{
	static const int marks[] = { 10000, 50000, 100000, 200000 };
	struct bench b;
	struct ds_err err;
	const char *dir;
	char p[700];
	uint64_t *ti, *tf, *ci, *cf, *wi, *wf, w0;
	size_t *nb, nbundles, i, m = 0;
	int nmax = env_int("N_MAX", 200000), bsz = env_int("BUNDLE", 1000);
	int win = env_int("WINDOW", 10), k, d;

	memset(&b, 0, sizeof(b));
	ds_json_init();
	if (countvfs_install() != 0)
		return 1;
	dir = getenv("BENCH_DIR") != NULL ? getenv("BENCH_DIR") :
	    ts_tmpdir("bench-import");
	bench_machine("start", dir);
	snprintf(p, sizeof(p), "%s/office", dir);
	sf_office_make(&b.office, p);
	if (odb_open(b.office.db, b.office.sec, &b.db, &err) != DS_OK) {
		fprintf(stderr, "open: %s\n", err.msg);
		return 1;
	}
	for (d = 0; d < NDEV; d++) {
		sf_device_make(&b.dev[d], d);
		if (sf_enroll(b.db, b.dev[d].device_id, b.dev[d].key->pk,
		    &err) != DS_OK)
			return 1;
	}
	snprintf(p, sizeof(p), "%s/floor.db", dir);
	if (sqlite3_open(p, &b.fl) != SQLITE_OK ||
	    sqlite3_exec(b.fl, "PRAGMA journal_mode=WAL; "
	    "PRAGMA synchronous=FULL; CREATE TABLE t (id INTEGER PRIMARY KEY, "
	    "rev_id BLOB NOT NULL, b BLOB NOT NULL)", NULL, NULL, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(b.fl, "INSERT INTO t (rev_id, b) VALUES (?1, ?2)",
	    -1, &b.ins, NULL) != SQLITE_OK)
		return 1;
	nbundles = (size_t)((nmax + bsz - 1) / bsz);
	b.revs = calloc((size_t)bsz, sizeof(*b.revs));
	b.pad = calloc(1, 8192);
	ti = calloc(nbundles, sizeof(*ti));
	tf = calloc(nbundles, sizeof(*tf));
	ci = calloc(nbundles, sizeof(*ci));
	cf = calloc(nbundles, sizeof(*cf));
	wi = calloc(nbundles, sizeof(*wi));
	wf = calloc(nbundles, sizeof(*wf));
	nb = calloc(nbundles, sizeof(*nb));
	if (b.revs == NULL || b.pad == NULL || ti == NULL || tf == NULL ||
	    ci == NULL || cf == NULL || wi == NULL || wf == NULL || nb == NULL)
		return 1;
	printf("office import: bundles of %d households from %d laptops, "
	    "office.db growing to %d; floor: the same bytes, one transaction "
	    "per bundle, plain rowid table\n", bsz, NDEV, nmax);
	printf("  size   |  import  |  floor   | ratio  | ratio range   | "
	    "CPU    | n   | written per household, import / floor\n");
	for (i = 0, k = 0; i < nbundles; i++) {
		uint64_t t0, c0;
		int r;

		nb[i] = (size_t)(nmax - k < bsz ? nmax - k : bsz);
		make_bundle(&b, k, nb[i], (int)(i % NDEV));
		/* The order alternates: a change in load falls on both. */
		for (r = 0; r < 2; r++) {
			int imp = (r == 0) == (i % 2 == 0);

			w0 = written();
			c0 = bench_cpu_ns();
			t0 = ds_mono_ns();
			if ((imp ? run_import(&b) : run_floor(&b)) != 0)
				return 1;
			if (imp) {
				ti[i] = ds_mono_ns() - t0;
				ci[i] = bench_cpu_ns() - c0;
				wi[i] = written() - w0;
			} else {
				tf[i] = ds_mono_ns() - t0;
				cf[i] = bench_cpu_ns() - c0;
				wf[i] = written() - w0;
			}
		}
		k += (int)nb[i];
		while (m < sizeof(marks) / sizeof(marks[0]) && marks[m] < k)
			m++;
		if (i == 0 || (m < sizeof(marks) / sizeof(marks[0]) &&
		    k == marks[m]) || k == nmax)
			report(k, ti, tf, ci, cf, nb, wi, wf,
			    i + 1 > (size_t)win ? i + 1 - (size_t)win : 0,
			    i + 1);
		if (i == 0)
			printf("%8s   (the first bundle alone, then windows of "
			    "%d bundles)\n", "", win);
	}
	{
		uint64_t si = 0, sf = 0, sci = 0, scf = 0;

		for (i = 0; i < nbundles; i++) {
			si += ti[i];
			sf += tf[i];
			sci += ci[i];
			scf += cf[i];
		}
		printf("all %d households: import %.1f s, floor %.1f s, "
		    "%.2fx; CPU %.1f s and %.1f s, %.2fx; peak RSS %.1f MiB\n",
		    nmax, si / 1e9, sf / 1e9, (double)si / (double)sf,
		    sci / 1e9, scf / 1e9, (double)sci / (double)scf,
		    bench_peak_mib());
	}
	bench_machine("end", dir);
	sqlite3_finalize(b.ins);
	sqlite3_close(b.fl);
	odb_close(b.db);
	for (d = 0; d < NDEV; d++)
		sf_device_free(&b.dev[d]);
	sf_office_free(&b.office);
	ds_free(b.bundle);
	free(b.revs);
	free(b.pad);
	free(ti);
	free(tf);
	free(ci);
	free(cf);
	free(wi);
	free(wf);
	free(nb);
	return 0;
}
