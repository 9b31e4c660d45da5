/* doorstep: the importer commits all or nothing, and trusts no row blindly. */
/*
 * An allocation failure, a disk read failing (support/failvfs.h), or any
 * one SQL statement failing (support/sqlfail.h), at any point of an
 * import, gives an error and an office.db identical to before (imp.h:
 * "then nothing was committed"); the same import then succeeds.  A success is always the same database as an
 * import without a fault.  A sealed row the importer must read to
 * decide (the parent's or a sibling's answers, for fork detection) that
 * does not open stops the import with DS_ECRYPTO and changes nothing.
 * (Issue 18: the mutation run found these paths untested.)
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "support/failvfs.h"
#include "support/sqlfail.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "bundle.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "dbx_int.h"	/* the SQLite handle under office.db */
#include "odb_int.h"	/* the connection, for statement failures */
#include "receipt.h"
#include "util.h"

static struct sf_office office;
static struct odb *db;
static const char *tmp;

static void
reopen(void)
{
	struct ds_err err;

	odb_close(db);
	db = NULL;
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK)
		abort();
}

/* Copy office.db (closed) to or from `name` under tmp. */
static void
db_copy(const char *name, int save)
{
	char p[700], cmd[1600];

	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	odb_close(db);
	db = NULL;
	if (save)
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", office.db, p);
	else
		snprintf(cmd, sizeof(cmd), "rm -f '%s-wal' '%s-shm' && "
		    "cp '%s' '%s'", office.db, office.db, p, office.db);
	if (system(cmd) != 0)
		abort();
	reopen();
}

struct memsrc {
	const unsigned char	*p;
	size_t			 n;
};

static int
mem_read(void *arg, uint64_t off, void *dst, size_t n)
{
	const struct memsrc *m = arg;

	if (off > m->n || n > m->n - off)
		return -1;
	memcpy(dst, m->p + off, n);
	return 0;
}

/* Import as the office server does: read in pieces, under the quotas. */
static enum ds_status
imp_served(const unsigned char *buf, size_t len, struct imp_result *res,
    struct ds_err *err)
{
	struct imp_quota q;
	struct memsrc m = { buf, len };

	imp_quota_default(&q);
	return imp_bundle_read(db, office.sec, &q, mem_read, &m, len, res,
	    err);
}

/* torture imports as the server does (imp_served), not from memory. */
static int served;

/*
 * Import buf under an allocation failure at each point in turn, from the
 * same starting database each time.  Every failure leaves office.db as it
 * was; every success is the import's normal outcome.  Returns the number
 * of failure points.
 */
static long
torture(const char *what, const unsigned char *buf, size_t len,
    int want_status)
{
	static struct receipt r;
	struct imp_result res;
	struct ds_err err;
	unsigned char before[32], after[32], clean[32];
	enum ds_status st;
	long k, fired;

	db_copy("torture.db", 1);
	sf_db_digest(office.db, NULL, before);
	/* The clean import, for what every success must leave. */
	memset(&res, 0, sizeof(res));
	if ((served ? imp_served(buf, len, &res, &err) : imp_bundle(db,
	    office.sec, buf, len, &res, &err)) != DS_OK) {
		HARNESS_FAIL("%s: clean import: %s", what, err.msg);
		return 0;
	}
	imp_result_free(&res);
	sf_db_digest(office.db, NULL, clean);
	db_copy("torture.db", 0);
	for (k = 1;; k++) {
		memset(&res, 0, sizeof(res));
		ds_fault_arm(DS_FAULT_ALLOC, k, 0);
		st = served ? imp_served(buf, len, &res, &err) :
		    imp_bundle(db, office.sec, buf, len, &res, &err);
		fired = ds_fault_fired(DS_FAULT_ALLOC);
		ds_fault_disarm(DS_FAULT_ALLOC);
		if (st == DS_OK) {
			sf_db_digest(office.db, NULL, after);
			if (res.status != want_status || res.receipt == NULL ||
			    receipt_open(res.receipt, res.receipt_len,
			    &office.pub, &r, &err) != DS_OK ||
			    memcmp(after, clean, 32) != 0) {
				HARNESS_FAIL("%s: failure %ld: a wrong success "
				    "(%s/%s)", what, k,
				    receipt_status_str(res.status),
				    bundle_reason_name(res.reason));
				imp_result_free(&res);
				break;
			}
		} else {
			if (res.receipt != NULL)
				HARNESS_FAIL("%s: failure %ld: a receipt with "
				    "an error", what, k);
			sf_db_digest(office.db, NULL, after);
			if (memcmp(before, after, 32) != 0) {
				HARNESS_FAIL("%s: failure %ld (%s): office.db "
				    "changed", what, k, ds_status_name(st));
				imp_result_free(&res);
				break;
			}
			/* The same connection imports it next (no
			 * transaction left open). */
			imp_result_free(&res);
			if ((served ? imp_served(buf, len, &res, &err) :
			    imp_bundle(db, office.sec, buf, len, &res,
			    &err)) != DS_OK || res.status != want_status)
				HARNESS_FAIL("%s: failure %ld: the import "
				    "again: %s", what, k, err.msg);
		}
		imp_result_free(&res);
		if (fired == 0)
			break;
		db_copy("torture.db", 0);
	}
	if (st != DS_OK)
		HARNESS_FAIL("%s: no success without a failure", what);
	return k - 1;
}

static void
test_alloc_failures_commit_nothing(void)
{
	struct sf_device a, b;
	struct sf_rev r0, ra, rb, two[2];
	struct imp_result res;
	struct ds_err err;
	unsigned char *x;
	size_t n;
	long pts = 0;

	sf_device_make(&a, 1);
	sf_device_make(&b, 2);
	ST_EQ(sf_enroll(db, a.device_id, a.key->pk, &err), DS_OK, &err);
	ST_EQ(sf_enroll(db, b.device_id, b.key->pk, &err), DS_OK, &err);
	/* New records. */
	sf_rev(&two[0], &a, 1, 1, NULL, "{\"hh_id\":\"T1\",\"x\":1}");
	sf_rev(&two[1], &a, 2, 1, NULL, "{\"hh_id\":\"T2\",\"x\":2}");
	x = sf_bundle(&a, &office, two, 2, 0, 0, &n);
	pts += torture("new records", x, n, RS_IMPORTED);
	ds_free(x);
	/* Others, as the server reads them (torture leaves the last import
	 * in place: the same bundle again would be a replay). */
	sf_rev(&two[0], &a, 6, 1, NULL, "{\"hh_id\":\"T6\",\"x\":6}");
	sf_rev(&two[1], &a, 7, 1, NULL, "{\"hh_id\":\"T7\",\"x\":7}");
	x = sf_bundle(&a, &office, two, 2, 0, 0, &n);
	served = 1;
	pts += torture("new records, as the server reads them", x, n,
	    RS_IMPORTED);
	served = 0;
	ds_free(x);
	/* A fork: two laptops change the same answer. */
	sf_rev(&r0, &a, 3, 1, NULL, "{\"hh_id\":\"T3\",\"x\":1}");
	ST_EQ(sf_import(db, &a, &office, &r0, 1, &err), DS_OK, &err);
	sf_rev(&ra, &a, 3, 2, r0.r.rev_id, "{\"hh_id\":\"T3\",\"x\":2}");
	ST_EQ(sf_import(db, &a, &office, &ra, 1, &err), DS_OK, &err);
	sf_rev(&rb, &b, 3, 2, r0.r.rev_id, "{\"hh_id\":\"T3\",\"x\":3}");
	x = sf_bundle(&b, &office, &rb, 1, 0, 0, &n);
	pts += torture("a fork", x, n, RS_IMPORTED);
	ds_free(x);
	/* A child before its parent (held), then the parent (released). */
	{
		struct sf_rev p, c;

		sf_rev(&p, &a, 4, 1, NULL, "{\"hh_id\":\"T4\",\"x\":1}");
		sf_rev(&c, &a, 4, 2, p.r.rev_id, "{\"hh_id\":\"T4\",\"x\":2}");
		ST_EQ(sf_import(db, &a, &office, &c, 1, &err), DS_OK, &err);
		x = sf_bundle(&a, &office, &p, 1, 0, 0, &n);
		pts += torture("a parent releasing its child", x, n,
		    RS_IMPORTED);
		ds_free(x);
	}
	/* The same bundle again (the ledger's receipt), and a rejection. */
	x = sf_bundle(&b, &office, &rb, 1, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, x, n, &res, &err), DS_OK, &err);
	imp_result_free(&res);
	pts += torture("a replay", x, n, RS_DUPLICATE);
	x[n - 1] ^= 1;
	pts += torture("a rejection", x, n, RS_REJECTED);
	ds_free(x);
	/* An unknown device: held. */
	{
		struct sf_device u;
		struct sf_rev ru;

		sf_device_make(&u, 3);
		sf_rev(&ru, &u, 5, 1, NULL, "{\"hh_id\":\"T5\"}");
		x = sf_bundle(&u, &office, &ru, 1, 0, 0, &n);
		pts += torture("held", x, n, RS_HELD);
		served = 1;
		pts += torture("held, as the server reads it", x, n,
		    RS_HELD);
		served = 0;
		ds_free(x);
		sf_device_free(&u);
	}
	OK(pts > 20);
	printf("# %ld allocation failure points\n", pts);
	sf_device_free(&a);
	sf_device_free(&b);
}

/*
 * Import a fork with the disk's reads failing from the k-th on, for every
 * k, each from a fresh connection (an empty page cache): an error, and
 * office.db as it was; or, past the last read, the import.
 */
static void
test_read_failures_commit_nothing(void)
{
	struct sf_device a, b;
	struct sf_rev r0, ra, rb;
	struct imp_result res;
	struct ds_err err;
	unsigned char *x, before[32], after[32], clean[32];
	size_t n;
	enum ds_status st;
	long k, fired = 0;

	sf_device_make(&a, 8);
	sf_device_make(&b, 9);
	ST_EQ(sf_enroll(db, a.device_id, a.key->pk, &err), DS_OK, &err);
	ST_EQ(sf_enroll(db, b.device_id, b.key->pk, &err), DS_OK, &err);
	sf_rev(&r0, &a, 30, 1, NULL, "{\"hh_id\":\"R\",\"x\":1}");
	ST_EQ(sf_import(db, &a, &office, &r0, 1, &err), DS_OK, &err);
	sf_rev(&ra, &a, 30, 2, r0.r.rev_id, "{\"hh_id\":\"R\",\"x\":2}");
	ST_EQ(sf_import(db, &a, &office, &ra, 1, &err), DS_OK, &err);
	sf_rev(&rb, &b, 30, 2, r0.r.rev_id, "{\"hh_id\":\"R\",\"x\":3}");
	x = sf_bundle(&b, &office, &rb, 1, 0, 0, &n);
	db_copy("reads.db", 1);
	sf_db_digest(office.db, NULL, before);
	ST_EQ(imp_bundle(db, office.sec, x, n, &res, &err), DS_OK, &err);
	imp_result_free(&res);
	sf_db_digest(office.db, NULL, clean);
	for (k = 1; k < 100000; k++) {
		db_copy("reads.db", 0);
		memset(&res, 0, sizeof(res));
		failvfs_arm(k);
		st = imp_bundle(db, office.sec, x, n, &res, &err);
		fired = failvfs_fired();
		failvfs_disarm();
		if (st == DS_OK) {
			sf_db_digest(office.db, NULL, after);
			if (res.status != RS_IMPORTED || res.n_conflict != 1 ||
			    memcmp(after, clean, 32) != 0)
				HARNESS_FAIL("read failure %ld: a wrong success",
				    k);
		} else {
			OK(res.receipt == NULL);
			reopen();
			sf_db_digest(office.db, NULL, after);
			if (memcmp(before, after, 32) != 0) {
				HARNESS_FAIL("read failure %ld (%s): office.db "
				    "changed", k, ds_status_name(st));
				imp_result_free(&res);
				break;
			}
		}
		imp_result_free(&res);
		if (fired == 0)
			break;
	}
	INT_EQ(st, DS_OK);
	OK(k > 10);
	printf("# %ld read failure points\n", k - 1);
	ds_free(x);
	sf_device_free(&a);
	sf_device_free(&b);
}

/*
 * Import bundles that settle a fork and release a held child, with one
 * statement failing, for each statement in turn: an error and office.db
 * as it was, or (the failure past the import's last statement) the
 * import.
 */
static void
test_statement_failures_commit_nothing(void)
{
	struct sf_device a, b;
	struct sf_rev r0, ra, rb, p, c;
	struct imp_result res;
	struct ds_err err;
	unsigned char *x[2], before[32], after[32], clean[32];
	size_t n[2];
	enum ds_status st = DS_OK;
	long k, total = 0;
	int i;

	sf_device_make(&a, 10);
	sf_device_make(&b, 11);
	ST_EQ(sf_enroll(db, a.device_id, a.key->pk, &err), DS_OK, &err);
	ST_EQ(sf_enroll(db, b.device_id, b.key->pk, &err), DS_OK, &err);
	sf_rev(&r0, &a, 40, 1, NULL, "{\"hh_id\":\"Q\",\"x\":1}");
	x[0] = sf_bundle(&a, &office, &r0, 1, 0, 0, &n[0]);
	ST_EQ(imp_bundle(db, office.sec, x[0], n[0], &res, &err), DS_OK,
	    &err);
	imp_result_free(&res);
	ds_free(x[0]);
	sf_rev(&ra, &a, 40, 2, r0.r.rev_id, "{\"hh_id\":\"Q\",\"x\":2}");
	x[0] = sf_bundle(&a, &office, &ra, 1, 0, 0, &n[0]);
	ST_EQ(imp_bundle(db, office.sec, x[0], n[0], &res, &err), DS_OK,
	    &err);
	imp_result_free(&res);
	ds_free(x[0]);
	sf_rev(&p, &a, 41, 1, NULL, "{\"hh_id\":\"P\"}");
	sf_rev(&c, &a, 41, 2, p.r.rev_id, "{\"hh_id\":\"P\",\"y\":1}");
	x[0] = sf_bundle(&a, &office, &c, 1, 0, 0, &n[0]);
	ST_EQ(imp_bundle(db, office.sec, x[0], n[0], &res, &err), DS_OK,
	    &err);
	imp_result_free(&res);
	ds_free(x[0]);
	/* The fork (b), and the parent releasing the held child (a). */
	sf_rev(&rb, &b, 40, 2, r0.r.rev_id, "{\"hh_id\":\"Q\",\"x\":3}");
	x[0] = sf_bundle(&b, &office, &rb, 1, 0, 0, &n[0]);
	x[1] = sf_bundle(&a, &office, &p, 1, 0, 0, &n[1]);
	for (i = 0; i < 2; i++) {
		db_copy("stmts.db", 1);
		sf_db_digest(office.db, NULL, before);
		ST_EQ(imp_bundle(db, office.sec, x[i], n[i], &res, &err), DS_OK,
		    &err);
		imp_result_free(&res);
		sf_db_digest(office.db, NULL, clean);
		for (k = 1; k < 10000; k++) {
			db_copy("stmts.db", 0);
			memset(&res, 0, sizeof(res));
			sqlfail_arm(db->db->h, k);
			st = imp_bundle(db, office.sec, x[i], n[i], &res, &err);
			sqlfail_disarm(db->db->h);
			if (st == DS_OK) {
				sf_db_digest(office.db, NULL, after);
				if (res.status != RS_IMPORTED || (i == 0 &&
				    res.n_conflict != 1) || (i == 1 &&
				    res.n_released != 1) ||
				    memcmp(after, clean, 32) != 0)
					HARNESS_FAIL("bundle %d, statement %ld: a "
					    "wrong success", i, k);
			} else {
				if (res.receipt != NULL)
					HARNESS_FAIL("bundle %d, statement %ld "
					    "(%s: %s): a receipt with an error",
					    i, k, ds_status_name(st), err.msg);
				sf_db_digest(office.db, NULL, after);
				if (memcmp(before, after, 32) != 0) {
					HARNESS_FAIL("bundle %d, statement %ld "
					    "(%s): office.db changed", i, k,
					    ds_status_name(st));
					imp_result_free(&res);
					break;
				}
			}
			imp_result_free(&res);
			if (sqlfail_fired() == 0)
				break;
		}
		INT_EQ(st, DS_OK);
		total += k - 1;
		ds_free(x[i]);
	}
	OK(total > 20);
	printf("# %ld statement failure points\n", total);
	sf_device_free(&a);
	sf_device_free(&b);
}

/*
 * Hold bundles (a device never seen, then another key claiming it), as
 * the server does (under the quotas), with one statement failing, for
 * each statement in turn: an error (a failure reached is never ignored),
 * no receipt, office.db as it was and the same connection holding the
 * bundle next; or, past the last statement, the bundle held.
 */
static void
test_held_statement_failures(void)
{
	struct sf_device u, v;
	struct sf_rev ru, rv;
	struct imp_result res;
	struct ds_err err;
	unsigned char *x[2], before[32], after[32], clean[32];
	size_t n[2];
	enum ds_status st = DS_OK;
	long k, total = 0;
	int i;

	sf_device_make(&u, 12);
	sf_device_make(&v, 12);		/* the same id, another key */
	sf_rev(&ru, &u, 50, 1, NULL, "{\"hh_id\":\"H\"}");
	sf_rev(&rv, &v, 51, 1, NULL, "{\"hh_id\":\"G\"}");
	x[0] = sf_bundle(&u, &office, &ru, 1, 0, 0, &n[0]);
	x[1] = sf_bundle(&v, &office, &rv, 1, 0, 0, &n[1]);
	for (i = 0; i < 2; i++) {
		db_copy("held.db", 1);
		sf_db_digest(office.db, NULL, before);
		ST_EQ(imp_served(x[i], n[i], &res, &err), DS_OK, &err);
		INT_EQ(res.status, RS_HELD);
		imp_result_free(&res);
		sf_db_digest(office.db, NULL, clean);
		for (k = 1; k < 10000; k++) {
			db_copy("held.db", 0);
			memset(&res, 0, sizeof(res));
			sqlfail_arm(db->db->h, k);
			st = imp_served(x[i], n[i], &res, &err);
			sqlfail_disarm(db->db->h);
			if (st == DS_OK) {
				sf_db_digest(office.db, NULL, after);
				if (res.status != RS_HELD || sqlfail_fired() ||
				    memcmp(after, clean, 32) != 0)
					HARNESS_FAIL("held %d, statement %ld: "
					    "a wrong success", i, k);
				imp_result_free(&res);
			} else {
				if (res.receipt != NULL)
					HARNESS_FAIL("held %d, statement %ld "
					    "(%s: %s): a receipt with an error",
					    i, k, ds_status_name(st), err.msg);
				imp_result_free(&res);
				sf_db_digest(office.db, NULL, after);
				if (memcmp(before, after, 32) != 0) {
					HARNESS_FAIL("held %d, statement %ld "
					    "(%s): office.db changed", i, k,
					    ds_status_name(st));
					break;
				}
				if (imp_served(x[i], n[i], &res, &err) !=
				    DS_OK || res.status != RS_HELD)
					HARNESS_FAIL("held %d, statement %ld: "
					    "the import again: %s", i, k,
					    err.msg);
				imp_result_free(&res);
			}
			if (sqlfail_fired() == 0)
				break;
		}
		INT_EQ(st, DS_OK);
		total += k - 1;
	}
	OK(total > 6);
	printf("# %ld statement failure points while holding\n", total);
	ds_free(x[0]);
	ds_free(x[1]);
	sf_device_free(&u);
	sf_device_free(&v);
}

/* Replace the sealed answers of rev_id in office.db by other bytes. */
static void
spoil_answers(const unsigned char rev_id[16])
{
	sqlite3 *s;
	sqlite3_stmt *u;

	odb_close(db);
	db = NULL;
	OK(sqlite3_open(office.db, &s) == SQLITE_OK);
	OK(sqlite3_prepare_v2(s, "UPDATE revision SET answers = "
	    "substr(answers, 1, 30) || x'00' || substr(answers, 32) "
	    "WHERE rev_id = ?1", -1, &u, NULL) == SQLITE_OK);
	sqlite3_bind_blob(u, 1, rev_id, 16, SQLITE_STATIC);
	OK(sqlite3_step(u) == SQLITE_DONE && sqlite3_changes(s) == 1);
	sqlite3_finalize(u);
	sqlite3_close(s);
	reopen();
}

/*
 * Fork detection reads the parent's and the siblings' answers.  When one
 * of those rows does not open (altered on disk), the import stops with
 * DS_ECRYPTO, names the revision, and commits nothing; the bundle is not
 * refused (no receipt), so it can be imported once the row is restored.
 */
static void
test_spoiled_rows_stop_the_import(void)
{
	struct sf_device a, b;
	struct sf_rev r0, ra, rb;
	struct imp_result res;
	struct ds_err err;
	unsigned char *x, before[32], after[32];
	size_t n;
	int which;

	sf_device_make(&a, 4);
	sf_device_make(&b, 5);
	ST_EQ(sf_enroll(db, a.device_id, a.key->pk, &err), DS_OK, &err);
	ST_EQ(sf_enroll(db, b.device_id, b.key->pk, &err), DS_OK, &err);
	for (which = 0; which < 2; which++) {
		int rec = 20 + which;

		sf_rev(&r0, &a, rec, 1, NULL, "{\"hh_id\":\"S\",\"x\":1}");
		ST_EQ(sf_import(db, &a, &office, &r0, 1, &err), DS_OK, &err);
		sf_rev(&ra, &a, rec, 2, r0.r.rev_id,
		    "{\"hh_id\":\"S\",\"x\":2}");
		ST_EQ(sf_import(db, &a, &office, &ra, 1, &err), DS_OK, &err);
		db_copy("clean.db", 1);
		spoil_answers(which == 0 ? r0.r.rev_id : ra.r.rev_id);
		sf_rev(&rb, &b, rec, 2, r0.r.rev_id,
		    "{\"hh_id\":\"S\",\"x\":3}");
		x = sf_bundle(&b, &office, &rb, 1, 0, 0, &n);
		sf_db_digest(office.db, NULL, before);
		memset(&res, 0, sizeof(res));
		ST_EQ(imp_bundle(db, office.sec, x, n, &res, &err),
		    DS_ECRYPTO, &err);
		OK(res.receipt == NULL);
		OK(strstr(err.msg, "revision") != NULL);
		imp_result_free(&res);
		sf_db_digest(office.db, NULL, after);
		OK(memcmp(before, after, 32) == 0);
		/* Restored, the same bundle imports, and finds the fork. */
		db_copy("clean.db", 0);
		ST_EQ(imp_bundle(db, office.sec, x, n, &res, &err), DS_OK,
		    &err);
		INT_EQ(res.status, RS_IMPORTED);
		INT_EQ(res.n_conflict, 1);
		imp_result_free(&res);
		ds_free(x);
	}
	sf_device_free(&a);
	sf_device_free(&b);
}

/* The ack state of dev; *r its fields.  DS_OK only if it opens. */
static enum ds_status
ack_state(const unsigned char dev[CRY_ID_BYTES], struct receipt *r,
    struct ds_err *err)
{
	unsigned char *ack = NULL;
	enum ds_status st;
	size_t an = 0;

	st = imp_ack_state(db, office.sec, dev, &ack, &an, err);
	if (st == DS_OK)
		st = receipt_open(ack, an, &office.pub, r, err);
	else if (ack != NULL)
		HARNESS_FAIL("an ack state with an error (%s)",
		    ds_status_name(st));
	ds_free(ack);
	return st;
}

/*
 * The ack state of a device with two ranges: BR_OK with an alert of
 * another kind, BR_ROLLBACK with one rollback alert (one is enough).
 * Then each allocation and each statement failing in turn: an error and no
 * receipt, never one that leaves the rollback out; past the last failure
 * point, the ack state as before.
 */
static void
test_ack_state_faults(void)
{
	static struct receipt r;
	struct odb_alert al;
	unsigned char dev[CRY_ID_BYTES];
	struct ds_err err;
	enum ds_status st = DS_OK;
	long k, fired;

	memset(dev, 0x5a, sizeof(dev));
	memset(&al, 0, sizeof(al));
	memcpy(al.device_id, dev, sizeof(dev));
	al.kind = ODB_ALERT_NEW_DB;
	memset(al.bundle_id, 1, sizeof(al.bundle_id));
	snprintf(al.detail, sizeof(al.detail), "another database");
	al.at = 1764000000;
	ST_EQ(odb_begin(db, &err), DS_OK, &err);
	ST_EQ(odb_ack_add(db, dev, 1, 2, &err), DS_OK, &err);
	ST_EQ(odb_ack_add(db, dev, 4, 4, &err), DS_OK, &err);
	ST_EQ(odb_alert_put(db, &al, &err), DS_OK, &err);
	ST_EQ(odb_commit(db, &err), DS_OK, &err);
	ST_EQ(ack_state(dev, &r, &err), DS_OK, &err);
	INT_EQ(r.status, RS_ACKSTATE);
	INT_EQ(r.reason, BR_OK);
	al.kind = ODB_ALERT_ROLLBACK;
	memset(al.bundle_id, 2, sizeof(al.bundle_id));
	ST_EQ(odb_alert_put(db, &al, &err), DS_OK, &err);
	ST_EQ(ack_state(dev, &r, &err), DS_OK, &err);
	INT_EQ(r.status, RS_ACKSTATE);
	INT_EQ(r.reason, BR_ROLLBACK);
	INT_EQ(r.nranges, 2);
	INT_EQ(r.contiguous, 2);
	for (k = 1; k < 1000; k++) {
		memset(&r, 0, sizeof(r));
		ds_fault_arm(DS_FAULT_ALLOC, k, 0);
		st = ack_state(dev, &r, &err);
		fired = ds_fault_fired(DS_FAULT_ALLOC);
		ds_fault_disarm(DS_FAULT_ALLOC);
		if (fired == 0)
			break;
		if (st != DS_ENOMEM)
			HARNESS_FAIL("allocation %ld: %s, not DS_ENOMEM", k,
			    ds_status_name(st));
	}
	ST_EQ(st, DS_OK, &err);
	INT_EQ(r.reason, BR_ROLLBACK);
	OK(k > 2);
	for (k = 1; k < 1000; k++) {
		memset(&r, 0, sizeof(r));
		sqlfail_arm(db->db->h, k);
		st = ack_state(dev, &r, &err);
		sqlfail_disarm(db->db->h);
		if (sqlfail_fired() == 0)
			break;
		if (st == DS_OK)
			HARNESS_FAIL("statement %ld failed: an ack state "
			    "(reason %d)", k, r.reason);
	}
	ST_EQ(st, DS_OK, &err);
	INT_EQ(r.reason, BR_ROLLBACK);
	INT_EQ(r.nranges, 2);
	OK(k > 2);
}

int
main(void)
{
	struct ds_err err;
	char d[600];

	setenv("DOORSTEP_FAKE_NOW", "1764000000", 1);
	ds_json_init();
	if (failvfs_install() != 0) {
		printf("not ok setup: failvfs\n");
		return 1;
	}
	tmp = ts_tmpdir("imp_faults");
	snprintf(d, sizeof(d), "%s/office", tmp);
	sf_office_make(&office, d);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK) {
		printf("not ok setup: %s\n", err.msg);
		return 1;
	}
	RUN(test_alloc_failures_commit_nothing);
	RUN(test_read_failures_commit_nothing);
	RUN(test_statement_failures_commit_nothing);
	RUN(test_held_statement_failures);
	RUN(test_spoiled_rows_stop_the_import);
	RUN(test_ack_state_faults);
	odb_close(db);
	sf_office_free(&office);
	return harness_done();
}
