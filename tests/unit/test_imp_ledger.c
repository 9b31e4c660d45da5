/* doorstep: the office ledger: a bundle imports exactly once. */
/*
 * The same bytes again get the stored receipt byte for byte, said as a
 * replay ("duplicate") with the stored verdict and counts; another bundle
 * under a stored bundle id is refused (BR_LEDGER) with a receipt of its
 * own, the stored one unchanged.  Real office.db, real signatures.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "bundle.h"
#include "cry.h"
#include "cry_bundle.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "receipt.h"

static struct sf_office office;
static struct odb *db;

static void
test_replay_is_the_stored_receipt(void)
{
	static struct receipt rc;
	struct sf_device d;
	struct sf_rev r[3];
	struct imp_result res, res2;
	struct ds_err err;
	unsigned char *b;
	size_t n;

	sf_device_make(&d, 1);
	ST_EQ(sf_enroll(db, d.device_id, d.key->pk, &err), DS_OK, &err);
	sf_rev(&r[0], &d, 1, 1, NULL, "{\"a\":1}");
	sf_rev(&r[1], &d, 2, 1, NULL, "{\"a\":2}");
	sf_rev(&r[2], &d, 3, 1, NULL, "{\"a\":3}");
	b = sf_bundle(&d, &office, r, 3, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, b, n, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_IMPORTED);
	INT_EQ(res.n_new, 3);
	INT_EQ(res.replay, 0);
	STR_EQ(res.msg, "imported");
	ST_EQ(imp_bundle(db, office.sec, b, n, &res2, &err), DS_OK, &err);
	INT_EQ(res2.replay, 1);
	INT_EQ(res2.status, RS_IMPORTED);
	INT_EQ(res2.reason, BR_OK);
	STR_EQ(res2.msg, receipt_status_str(RS_DUPLICATE));
	/* The counts are the stored receipt's, not this call's. */
	INT_EQ(res2.n_new, 3);
	INT_EQ(res2.n_dup, 0);
	INT_EQ(res2.n_conflict, 0);
	INT_EQ(res2.receipt_len, res.receipt_len);
	OK(res2.receipt != NULL && memcmp(res2.receipt, res.receipt,
	    res.receipt_len) == 0);
	ST_EQ(receipt_open(res2.receipt, res2.receipt_len, &office.pub, &rc,
	    &err), DS_OK, &err);
	INT_EQ(rc.n_new, 3);
	imp_result_free(&res2);
	/* Another bundle claiming the stored id: refused, its own receipt;
	 * the stored one answers the genuine bytes still. */
	{
		unsigned char *x, h[CRY_HASH_BYTES];
		size_t xn;

		sf_rev(&r[0], &d, 4, 1, NULL, "{\"a\":4}");
		x = sf_bundle(&d, &office, r, 1, 0, 0, &xn);
		memcpy(x + 12, b + 12, 16);	/* the bundle id */
		cry_hash(h, sizeof(h), NULL, 0, x, xn - CRY_SIG_BYTES);
		cryb_sign(d.key, BUNDLE_SIGN_DOMAIN, h, x + xn - CRY_SIG_BYTES);
		ST_EQ(imp_bundle(db, office.sec, x, xn, &res2, &err), DS_OK,
		    &err);
		INT_EQ(res2.status, RS_REJECTED);
		INT_EQ(res2.reason, BR_LEDGER);
		INT_EQ(res2.replay, 0);
		OK(res2.receipt == NULL || res2.receipt_len != res.receipt_len ||
		    memcmp(res2.receipt, res.receipt, res.receipt_len) != 0);
		imp_result_free(&res2);
		ds_free(x);
	}
	ST_EQ(imp_bundle(db, office.sec, b, n, &res2, &err), DS_OK, &err);
	INT_EQ(res2.replay, 1);
	OK(res2.receipt_len == res.receipt_len && memcmp(res2.receipt,
	    res.receipt, res.receipt_len) == 0);
	imp_result_free(&res2);
	imp_result_free(&res);
	ds_free(b);
	/* Stored counts of duplicates and forks come back too: a bundle
	 * with one revision the office has and one new; then two children
	 * of one revision, the second a fork. */
	{
		struct sf_rev v[2], f[2];
		unsigned char *x;
		size_t xn, k;
		uint32_t dup = 0, conf = 0;

		v[0] = r[1];
		sf_rev(&v[1], &d, 5, 1, NULL, "{\"a\":5}");
		sf_rev(&f[0], &d, 2, 2, r[1].r.rev_id, "{\"a\":6}");
		sf_rev(&f[1], &d, 2, 2, r[1].r.rev_id, "{\"a\":7}");
		for (k = 0; k < 3; k++) {
			x = k == 0 ? sf_bundle(&d, &office, v, 2, 0, 0, &xn) :
			    sf_bundle(&d, &office, &f[k - 1], 1, 0, 0, &xn);
			ST_EQ(imp_bundle(db, office.sec, x, xn, &res, &err),
			    DS_OK, &err);
			ST_EQ(imp_bundle(db, office.sec, x, xn, &res2, &err),
			    DS_OK, &err);
			INT_EQ(res2.replay, 1);
			INT_EQ(res2.n_new, res.n_new);
			INT_EQ(res2.n_dup, res.n_dup);
			INT_EQ(res2.n_conflict, res.n_conflict);
			dup += res2.n_dup;
			conf += res2.n_conflict;
			imp_result_free(&res);
			imp_result_free(&res2);
			ds_free(x);
		}
		INT_EQ(dup, 1);
		INT_EQ(conf, 1);
	}
	sf_device_free(&d);
}

int
main(void)
{
	struct ds_err err;
	char d[600];

	ds_json_init();
	snprintf(d, sizeof(d), "%s/office", ts_tmpdir("imp_ledger"));
	sf_office_make(&office, d);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK)
		return 1;
	RUN(test_replay_is_the_stored_receipt);
	odb_close(db);
	sf_office_free(&office);
	return harness_done();
}
