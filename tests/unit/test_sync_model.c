/* doorstep: random sync histories against a model (crypto-sync.md S10). */
/*
 * Two laptops save, edit, bundle and receive receipts for the same
 * households while the channel between them and the office loses,
 * duplicates and reorders bundles and receipts.  After a final drain the
 * office must hold exactly the revisions the model saved, once each,
 * none waiting; heads must be the model's deterministic winners; forks
 * must be flagged exactly where two revisions share a parent; both
 * outboxes must be empty.  DOORSTEP_MODEL_SEQS changes the number of
 * histories (default 60; the seed is printed on failure).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "bundle.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "pack.h"
#include "receipt.h"
#include "store.h"
#include "util.h"

#define NDEV	2
#define NREC	3
#define NSTEP	40
#define NMAX	256	/* revisions, messages per history */

struct dev {
	struct store		*st;
	struct cry_signkey	*key;
	unsigned char		 id[16];
};

struct msg {
	unsigned char	*b;
	size_t		 n;
	int		 dev;
};

struct mrev {
	unsigned char	rev[16], parent[16];
	int		has_parent, rec;
	int64_t		rev_no;
};

static const char *tmp;
static uint64_t rng;
static unsigned char recid[NREC][16];
static struct dev devs[NDEV];
static struct mrev model[NMAX];
static size_t nmodel;
static struct msg bundles[NMAX], receipts[NMAX];
static size_t nbundles, nreceipts;
static struct sf_office office;
static struct odb *db;
static int bad;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void
push(struct msg *q, size_t *n, const unsigned char *b, size_t len, int d)
{
	if (*n == NMAX)
		return;			/* the channel is full: a loss */
	if ((q[*n].b = ds_malloc(len)) == NULL)
		return;
	memcpy(q[*n].b, b, len);
	q[*n].n = len;
	q[*n].dev = d;
	(*n)++;
}

static struct msg
take(struct msg *q, size_t *n, unsigned i)
{
	struct msg m = q[i];

	q[i] = q[--(*n)];
	return m;
}

static void
op_save(int d, int k)
{
	struct store_save s;
	struct store_rev out;
	struct ds_err err;
	char a[128];

	if (nmodel == NMAX)
		return;
	snprintf(a, sizeof(a), "{\"hh_id\":\"H%d\",\"q%u\":%u,\"v\":%u}", k,
	    rnd(3), rnd(5), rnd(1000));
	memset(&s, 0, sizeof(s));
	s.record_id = recid[k];
	s.form_id = "household";
	s.form_version = "1";
	s.answers = a;
	s.answers_len = strlen(a);
	if (store_save(devs[d].st, &s, &out, &err) != DS_OK) {
		printf("# save: %s\n", err.msg);
		bad = 1;
		return;
	}
	memcpy(model[nmodel].rev, out.rev_id, 16);
	memcpy(model[nmodel].parent, out.parent_rev_id, 16);
	model[nmodel].has_parent = out.has_parent;
	model[nmodel].rec = k;
	model[nmodel].rev_no = out.rev_no;
	nmodel++;
}

/* Build a bundle of what is pending and put it on the channel. */
static int
op_bundle(int d)
{
	struct pack_opts o;
	struct pack_result r;
	struct ds_err err;
	unsigned char *b = NULL;
	size_t n = 0;
	enum ds_status s;

	memset(&o, 0, sizeof(o));
	o.worker = "w";
	s = pack_build(devs[d].st, devs[d].id, devs[d].key, &office.pub, &o,
	    &b, &n, &r, &err);
	if (s == DS_ENOENT)
		return 0;
	if (s != DS_OK || store_outbox_mark_sent(devs[d].st, r.seq_lo,
	    r.seq_hi, r.bundle_id, r.hash, &err) != DS_OK) {
		printf("# bundle: %s\n", err.msg);
		bad = 1;
		ds_free(b);
		return 0;
	}
	push(bundles, &nbundles, b, n, d);
	ds_free(b);
	return 1;
}

/* The office imports a bundle; its receipt goes on the way back. */
static void
op_deliver(unsigned i)
{
	struct msg m = take(bundles, &nbundles, i);
	struct imp_result res;
	struct ds_err err;

	if (imp_bundle(db, office.sec, m.b, m.n, &res, &err) != DS_OK ||
	    (res.status != RS_IMPORTED && res.status != RS_DUPLICATE)) {
		printf("# import: %s (status %d)\n", err.msg, res.status);
		bad = 1;
	} else
		push(receipts, &nreceipts, res.receipt, res.receipt_len,
		    m.dev);
	imp_result_free(&res);
	ds_free(m.b);
}

static void
op_receipt(unsigned i)
{
	static struct receipt rc;
	struct msg m = take(receipts, &nreceipts, i);
	struct ds_err err;

	if (pack_apply_receipt(devs[m.dev].st, devs[m.dev].id, &office.pub,
	    m.b, m.n, &rc, &err) != DS_OK) {
		printf("# receipt: %s\n", err.msg);
		bad = 1;
	}
	ds_free(m.b);
}

static void
drop_all(struct msg *q, size_t *n)
{
	while (*n > 0)
		ds_free(q[--(*n)].b);
}

static void
upper_hex(const unsigned char id[16], char out[33])
{
	int i;

	ds_hex_encode(id, 16, out);
	for (i = 0; i < 32; i++)
		if (out[i] >= 'a' && out[i] <= 'f')
			out[i] = (char)(out[i] - 'a' + 'A');
}

/* Rows of `table` whose blob column `col` is id (and col2 is id2). */
static long
count(const char *table, const char *col, const unsigned char *id,
    const char *col2, const unsigned char *id2)
{
	char q[256], ha[33], hb[33];

	/* hex() is upper case in SQLite and in the county schema alike. */
	upper_hex(id, ha);
	if (col2 != NULL) {
		upper_hex(id2, hb);
		snprintf(q, sizeof(q), "%s WHERE hex(%s) = '%s' AND hex(%s) = "
		    "'%s'", table, col, ha, col2, hb);
	} else
		snprintf(q, sizeof(q), "%s WHERE hex(%s) = '%s'", table, col,
		    ha);
	return sf_db_count(office.db, q);
}

/* Check the office against the model after the drain. */
static void
check(void)
{
	struct store_outbox_counts c;
	struct ds_err err;
	const struct mrev *best;
	size_t i, j, forks = 0;
	int d, k;

	for (d = 0; d < NDEV; d++) {
		if (store_outbox_count(devs[d].st, &c, &err) != DS_OK ||
		    c.revisions != 0) {
			printf("# device %d outbox not drained (%lld)\n", d,
			    (long long)c.revisions);
			bad = 1;
		}
	}
	if (sf_db_count(office.db, "revision") != (long)nmodel) {
		printf("# office holds %ld revisions, model %zu\n",
		    sf_db_count(office.db, "revision"), nmodel);
		bad = 1;
	}
	if (sf_db_count(office.db, "revision WHERE held = 1") != 0) {
		printf("# revisions still waiting\n");
		bad = 1;
	}
	for (i = 0; i < nmodel; i++) {
		if (count("revision", "rev_id", model[i].rev, NULL, NULL) !=
		    1) {
			printf("# revision %zu missing\n", i);
			bad = 1;
		}
		for (j = i + 1; j < nmodel; j++)
			if (model[i].rec == model[j].rec &&
			    model[i].has_parent == model[j].has_parent &&
			    (!model[i].has_parent || memcmp(model[i].parent,
			    model[j].parent, 16) == 0))
				forks++;
	}
	if (sf_db_count(office.db, "fork") != (long)forks) {
		printf("# office flags %ld forks, model %zu\n",
		    sf_db_count(office.db, "fork"), forks);
		bad = 1;
	}
	for (k = 0; k < NREC; k++) {
		best = NULL;
		for (i = 0; i < nmodel; i++)
			if (model[i].rec == k && (best == NULL ||
			    model[i].rev_no > best->rev_no ||
			    (model[i].rev_no == best->rev_no &&
			    memcmp(model[i].rev, best->rev, 16) > 0)))
				best = &model[i];
		if (best != NULL && count("head", "record_uuid", recid[k],
		    "rev_id", best->rev) != 1) {
			printf("# record %d: head is not the model's\n", k);
			bad = 1;
		}
	}
}

static void
history(int seq, uint64_t seed)
{
	struct ds_err err;
	unsigned char dek[32];
	char dir[600], p[700];
	int step, d, round, r;

	rng = seed;
	nmodel = 0;
	bad = 0;
	snprintf(dir, sizeof(dir), "%s/h%d", tmp, seq);
	sf_office_make(&office, dir);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK) {
		OK(0);
		return;
	}
	for (d = 0; d < NDEV; d++) {
		cry_random(dek, sizeof(dek));
		cry_random(devs[d].id, 16);
		snprintf(p, sizeof(p), "%s/dev%d.db", dir, d);
		if (store_open(p, dek, devs[d].id, &devs[d].st, &err) != DS_OK ||
		    cry_signkey_new(&devs[d].key, &err) != DS_OK) {
			OK(0);
			return;
		}
		ST_EQ(sf_enroll(db, devs[d].id, devs[d].key->pk, &err), DS_OK, &err);
	}
	for (d = 0; d < NREC; d++)
		store_id_new(recid[d]);
	for (step = 0; step < NSTEP && !bad; step++) {
		r = (int)rnd(100);
		d = (int)rnd(NDEV);
		if (r < 35)
			op_save(d, (int)rnd(NREC));
		else if (r < 50)
			(void)op_bundle(d);
		else if (r < 55 && nbundles > 0)
			ds_free(take(bundles, &nbundles, rnd((unsigned)
			    nbundles)).b);			/* lost */
		else if (r < 60 && nbundles > 0) {
			unsigned i = rnd((unsigned)nbundles);	/* twice */

			push(bundles, &nbundles, bundles[i].b, bundles[i].n,
			    bundles[i].dev);
		}
		else if (r < 80 && nbundles > 0)
			op_deliver(rnd((unsigned)nbundles));
		else if (r < 85 && nreceipts > 0)
			ds_free(take(receipts, &nreceipts, rnd((unsigned)
			    nreceipts)).b);			/* lost */
		else if (nreceipts > 0)
			op_receipt(rnd((unsigned)nreceipts));
	}
	/* Whatever is still on the way arrives, in some order. */
	while (nbundles > 0 && !bad)
		op_deliver(rnd((unsigned)nbundles));
	while (nreceipts > 0 && !bad)
		op_receipt(rnd((unsigned)nreceipts));
	/* Then the laptops send what is still unacknowledged. */
	for (round = 0; round < 4 && !bad; round++)
		for (d = 0; d < NDEV; d++)
			if (op_bundle(d)) {
				op_deliver((unsigned)nbundles - 1);
				if (nreceipts > 0)
					op_receipt((unsigned)nreceipts - 1);
			}
	if (!bad)
		check();
	if (bad)
		printf("# history %d seed %llu failed\n", seq,
		    (unsigned long long)seed);
	OK(!bad);
	drop_all(bundles, &nbundles);
	drop_all(receipts, &nreceipts);
	for (d = 0; d < NDEV; d++) {
		store_close(devs[d].st);
		cry_signkey_free(devs[d].key);
	}
	odb_close(db);
	sf_office_free(&office);
	ts_rmrf(dir);
}

static void
test_random_histories_converge(void)
{
	const char *e = getenv("DOORSTEP_MODEL_SEQS");
	int n = e != NULL ? atoi(e) : 60, i;

	for (i = 0; i < n; i++)
		history(i, 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1));
}

int
main(void)
{
	ds_json_init();
	tmp = ts_tmpdir("model");
	RUN(test_random_histories_converge);
	return harness_done();
}
