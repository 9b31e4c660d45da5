/* doorstep: tests for the office importer, receipts and forks. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "bundle.h"
#include "cry_bundle.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "receipt.h"
#include "status.h"
#include "util.h"

static const char *tmp;
static struct sf_office office, other;
static struct odb *db;

static void
enroll(struct sf_device *d)
{
	struct ds_err err;

	ST_EQ(sf_enroll(db, d->device_id, d->key->pk, &err), DS_OK, &err);
}

/* Import and check the receipt verifies; returns the result status. */
static int
import(const unsigned char *b, size_t n, struct imp_result *res,
    struct receipt *rc)
{
	struct ds_err err;
	enum ds_status st;

	st = imp_bundle(db, office.sec, b, n, res, &err);
	ST_EQ(st, DS_OK, &err);
	if (st != DS_OK)
		return -1;
	ST_EQ(receipt_open(res->receipt, res->receipt_len, &office.pub, rc,
	    &err), DS_OK, &err);
	INT_EQ(rc->status, res->status);
	INT_EQ(rc->reason, res->reason);
	return res->status;
}

struct head_seen {
	const char	*hh;
	unsigned char	 rev_id[16];
	int		 n;
};

static int
head_cb(void *arg, const struct odb_head *h)
{
	struct head_seen *s = arg;

	if (strcmp(h->household_key, s->hh) == 0) {
		memcpy(s->rev_id, h->rev_id, 16);
		s->n++;
	}
	return 0;
}

/* 1 if the head of household hh is revision rev_id (and only it). */
static int
head_is(const char *hh, const unsigned char rev_id[16])
{
	struct head_seen s;
	struct ds_err err;

	memset(&s, 0, sizeof(s));
	s.hh = hh;
	ST_EQ(odb_head_each(db, head_cb, &s, &err), DS_OK, &err);
	return s.n == 1 && memcmp(s.rev_id, rev_id, 16) == 0;
}

static void
test_import_stores_and_receipt_covers(void)
{
	static struct receipt rc, rc2;
	struct sf_device d;
	struct sf_rev r[3];
	struct imp_result res, res2;
	unsigned char *b;
	size_t n;

	sf_device_make(&d, 1);
	enroll(&d);
	sf_rev(&r[0], &d, 1, 1, NULL, "{\"a\":1}");
	sf_rev(&r[1], &d, 2, 1, NULL, "{\"a\":2}");
	sf_rev(&r[2], &d, 1, 2, r[0].r.rev_id, "{\"a\":3}");
	b = sf_bundle(&d, &office, r, 3, 0, 0, &n);
	INT_EQ(import(b, n, &res, &rc), RS_IMPORTED);
	INT_EQ(res.n_new, 3);
	INT_EQ(rc.contiguous, 3);
	OK(receipt_covers(&rc, 1) && receipt_covers(&rc, 3));
	OK(!receipt_covers(&rc, 4));
	INT_EQ(sf_db_count(office.db, "revision"), 3);
	INT_EQ(sf_db_count(office.db, "head"), 2);
	INT_EQ(sf_db_count(office.db, "ledger"), 1);
	/* The same bundle again: the stored receipt, byte for byte. */
	INT_EQ(import(b, n, &res2, &rc2), RS_IMPORTED);
	INT_EQ(res2.receipt_len, res.receipt_len);
	OK(memcmp(res2.receipt, res.receipt, res.receipt_len) == 0);
	INT_EQ(sf_db_count(office.db, "revision"), 3);
	imp_result_free(&res);
	imp_result_free(&res2);
	ds_free(b);
	/* The same revisions in a new bundle: duplicate, nothing added. */
	b = sf_bundle(&d, &office, r, 3, 0, 0, &n);
	INT_EQ(import(b, n, &res, &rc), RS_DUPLICATE);
	INT_EQ(res.n_dup, 3);
	INT_EQ(res.n_new, 0);
	INT_EQ(sf_db_count(office.db, "revision"), 3);
	INT_EQ(sf_db_count(office.db, "ledger"), 2);
	imp_result_free(&res);
	ds_free(b);
	sf_device_free(&d);
}

static void
test_unknown_device_held_then_enrolled(void)
{
	static struct receipt rc;
	struct sf_device d;
	struct sf_rev r[2];
	struct imp_result res;
	struct odb_device od;
	struct ds_err err;
	unsigned char *b;
	char hex[33], fpr[CRY_FPR_TEXT];
	size_t n;
	int64_t held;
	long before;

	sf_device_make(&d, 2);
	sf_rev(&r[0], &d, 10, 1, NULL, "{\"x\":1}");
	sf_rev(&r[1], &d, 11, 1, NULL, "{\"x\":2}");
	b = sf_bundle(&d, &office, r, 2, 0, 0, &n);
	before = sf_db_count(office.db, "revision");
	INT_EQ(import(b, n, &res, &rc), RS_HELD);
	INT_EQ(rc.nranges, 0);
	imp_result_free(&res);
	INT_EQ(sf_db_count(office.db, "revision"), before);
	ST_EQ(odb_device_get(db, d.device_id, &od, &err), DS_OK, &err);
	INT_EQ(od.state, ODB_DEV_PENDING);
	ST_EQ(odb_pending_count(db, d.device_id, &held, &err), DS_OK, &err);
	INT_EQ(held, 1);
	/* Approve by id prefix: the held bundle is imported. */
	ds_hex_encode(d.device_id, 16, hex);
	hex[8] = '\0';
	cry_fingerprint(d.key->pk, fpr);
	ST_EQ(imp_enroll(db, office.sec, hex, NULL, 0, fpr, "grid 3", NULL,
	    NULL, &od, NULL, &err), DS_OK, &err);
	INT_EQ(od.state, ODB_DEV_ENROLLED);
	INT_EQ(sf_db_count(office.db, "revision"), before + 2);
	ST_EQ(odb_pending_count(db, d.device_id, &held, &err), DS_OK, &err);
	INT_EQ(held, 0);
	/* And the bundle itself now yields the stored receipt. */
	INT_EQ(import(b, n, &res, &rc), RS_IMPORTED);
	INT_EQ(rc.contiguous, 2);
	imp_result_free(&res);
	/* Revoked: rejected, nothing stored. */
	ST_EQ(imp_revoke(db, hex, &od, &err), DS_OK, &err);
	sf_rev(&r[0], &d, 12, 1, NULL, "{\"x\":3}");
	ds_free(b);
	b = sf_bundle(&d, &office, r, 1, 0, 0, &n);
	INT_EQ(import(b, n, &res, &rc), RS_REJECTED);
	INT_EQ(res.reason, BR_DEVICE_REVOKED);
	INT_EQ(sf_db_count(office.db, "revision"), before + 2);
	imp_result_free(&res);
	ds_free(b);
	sf_device_free(&d);
}

/* Which reasons a flipped byte at offset i may give. */
static int
reason_fits(size_t i, size_t hlen, size_t n, int why)
{
	if (i < 6)
		return why == BR_MAGIC;
	if (i < 8)
		return why == BR_VERSION;
	if (i < 12)
		return why == BR_HEADER || why == BR_LENGTH;
	if (i < 44)		/* bundle id, device id */
		return why == BR_SIGNATURE;
	if (i < 84)		/* device key and its id */
		return why == BR_HEADER;
	if (i < 108)		/* office id and key id */
		return why == BR_OFFICE;
	if (i < hlen)		/* fields with range checks, or signed */
		return why == BR_SIGNATURE || why == BR_HEADER ||
		    why == BR_LENGTH;
	(void)n;
	return why == BR_SIGNATURE;
}

static void
test_every_byte_change_rejected_zero_rows(void)
{
	static struct receipt rc;
	struct sf_device d;
	struct sf_rev r[2];
	struct imp_result res;
	struct bundle_header h;
	struct ds_err err;
	unsigned char before[32], after[32], *b, *x;
	size_t n, i, tried = 0;
	int why, wrong = 0;

	sf_device_make(&d, 3);
	enroll(&d);
	sf_rev(&r[0], &d, 20, 1, NULL, "{\"name\":\"王五\"}");
	sf_rev(&r[1], &d, 21, 1, NULL, "{\"name\":\"赵六\"}");
	b = sf_bundle(&d, &office, r, 2, 0, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	sf_db_digest(office.db, NULL, before);
	for (i = 0; i < n; i++) {
		if (i >= h.header_len && i < n - 64 && i % 5 != 0)
			continue;
		b[i] ^= 0x20;
		tried++;
		if (import(b, n, &res, &rc) != RS_REJECTED ||
		    !reason_fits(i, h.header_len, n, res.reason)) {
			if (wrong++ < 5)
				printf("# byte %zu: status %d reason %s\n", i,
				    res.status, bundle_reason_name(res.reason));
		}
		imp_result_free(&res);
		b[i] ^= 0x20;
	}
	INT_EQ(wrong, 0);
	OK(tried > 400);
	sf_db_digest(office.db, NULL, after);
	OK(memcmp(before, after, 32) == 0);
	/* Appended garbage and every truncation length near the end. */
	x = malloc(n + 3);
	memcpy(x, b, n);
	memcpy(x + n, "xyz", 3);
	INT_EQ(import(x, n + 3, &res, &rc), RS_REJECTED);
	INT_EQ(res.reason, BR_LENGTH);
	imp_result_free(&res);
	for (i = n - 70; i < n; i++) {
		INT_EQ(import(b, i, &res, &rc), RS_REJECTED);
		INT_EQ(res.reason, BR_LENGTH);
		imp_result_free(&res);
	}
	free(x);
	sf_db_digest(office.db, NULL, after);
	OK(memcmp(before, after, 32) == 0);
	/* Intact, it imports. */
	INT_EQ(import(b, n, &res, &rc), RS_IMPORTED);
	imp_result_free(&res);
	ds_free(b);
	sf_device_free(&d);
}

/* Re-sign a modified bundle with the device key (an insider's forgery). */
static void
resign(unsigned char *b, size_t n, const struct sf_device *d)
{
	unsigned char h[64];

	cry_hash(h, 64, NULL, 0, b, n - 64);
	cryb_sign(d->key, BUNDLE_SIGN_DOMAIN, h, b + n - 64);
}

static void
test_wrong_office_replay_and_reused_id(void)
{
	static struct receipt rc;
	struct sf_device d;
	struct sf_rev r[1];
	struct imp_result res;
	unsigned char *a, *b, dig[32], dig2[32];
	size_t na, nb;

	sf_device_make(&d, 4);
	enroll(&d);
	sf_rev(&r[0], &d, 30, 1, NULL, "{\"v\":1}");
	a = sf_bundle(&d, &other, r, 1, 0, 0, &na);
	sf_db_digest(office.db, NULL, dig);
	INT_EQ(import(a, na, &res, &rc), RS_REJECTED);
	INT_EQ(res.reason, BR_OFFICE);
	imp_result_free(&res);
	ds_free(a);
	a = sf_bundle(&d, &office, r, 1, 0, 0, &na);
	INT_EQ(import(a, na, &res, &rc), RS_IMPORTED);
	imp_result_free(&res);
	/* Same bundle id, different content, validly signed. */
	sf_rev(&r[0], &d, 31, 1, NULL, "{\"v\":2}");
	b = sf_bundle(&d, &office, r, 1, 0, 0, &nb);
	memcpy(b + 12, a + 12, 16);
	resign(b, nb, &d);
	sf_db_digest(office.db, NULL, dig);
	INT_EQ(import(b, nb, &res, &rc), RS_REJECTED);
	INT_EQ(res.reason, BR_LEDGER);
	imp_result_free(&res);
	sf_db_digest(office.db, NULL, dig2);
	OK(memcmp(dig, dig2, 32) == 0);
	ds_free(a);
	ds_free(b);
	sf_device_free(&d);
}

static void
test_out_of_order_gaps_then_converge(void)
{
	static struct receipt rc;
	struct sf_device d;
	struct sf_rev r[6];
	struct imp_result res;
	unsigned char *b1, *b2, *b3;
	size_t n1, n2, n3;
	long before = sf_db_count(office.db, "revision");
	int i;

	sf_device_make(&d, 5);
	enroll(&d);
	for (i = 0; i < 6; i++)
		sf_rev(&r[i], &d, 40 + i, 1, NULL, "{\"q\":1}");
	b1 = sf_bundle(&d, &office, r, 2, 0, 0, &n1);
	b2 = sf_bundle(&d, &office, r + 2, 2, 0, 0, &n2);
	b3 = sf_bundle(&d, &office, r + 4, 2, 0, 0, &n3);
	INT_EQ(import(b3, n3, &res, &rc), RS_IMPORTED);
	INT_EQ(rc.contiguous, 0);
	INT_EQ(rc.nranges, 1);
	imp_result_free(&res);
	INT_EQ(import(b1, n1, &res, &rc), RS_IMPORTED);
	INT_EQ(rc.contiguous, 2);
	INT_EQ(rc.nranges, 2);	/* the gap 3..4 shows */
	imp_result_free(&res);
	INT_EQ(import(b1, n1, &res, &rc), RS_IMPORTED);	/* duplicate */
	imp_result_free(&res);
	INT_EQ(import(b2, n2, &res, &rc), RS_IMPORTED);
	INT_EQ(rc.contiguous, 6);
	INT_EQ(rc.nranges, 1);
	imp_result_free(&res);
	INT_EQ(sf_db_count(office.db, "revision"), before + 6);
	ds_free(b1);
	ds_free(b2);
	ds_free(b3);
	sf_device_free(&d);
}

/* The head is the highest settled revision, whatever the arrival order:
 * a chain 1-2-3 arriving 3, 1, 2 (3 held until 2 settles it). */
static void
test_head_is_newest_whatever_the_order(void)
{
	static struct receipt rc;
	struct sf_device d;
	struct sf_rev r[3];
	struct imp_result res;
	unsigned char *b[3];
	size_t n[3];
	int i;

	sf_device_make(&d, 9);
	enroll(&d);
	for (i = 0; i < 3; i++) {
		sf_rev(&r[i], &d, 60, (uint32_t)i + 1, i ? r[i - 1].r.rev_id :
		    NULL, i == 0 ? "{\"q\":1}" : i == 1 ? "{\"q\":2}" :
		    "{\"q\":3}");
		b[i] = sf_bundle(&d, &office, &r[i], 1, 0, 0, &n[i]);
	}
	INT_EQ(import(b[2], n[2], &res, &rc), RS_IMPORTED);
	INT_EQ(res.n_held, 1);
	imp_result_free(&res);
	INT_EQ(import(b[0], n[0], &res, &rc), RS_IMPORTED);
	imp_result_free(&res);
	OK(head_is("HH-0060", r[0].r.rev_id));
	INT_EQ(import(b[1], n[1], &res, &rc), RS_IMPORTED);
	INT_EQ(res.n_released, 1);
	imp_result_free(&res);
	OK(head_is("HH-0060", r[2].r.rev_id));
	/* An old revision arriving again changes nothing. */
	INT_EQ(import(b[0], n[0], &res, &rc), RS_IMPORTED);
	imp_result_free(&res);
	OK(head_is("HH-0060", r[2].r.rev_id));
	for (i = 0; i < 3; i++)
		ds_free(b[i]);
	sf_device_free(&d);
}

struct fork_seen {
	const char *want;	/* household key to record */
	int	n, conflict;
	char	q[1024];
	char	hh[64];
};

static int
fork_cb(void *arg, const struct odb_fork *f)
{
	struct fork_seen *s = arg;

	s->n++;
	if (strcmp(f->household_key, s->want) != 0)
		return 0;
	s->conflict = f->conflict;
	snprintf(s->q, sizeof(s->q), "%s", f->questions);
	snprintf(s->hh, sizeof(s->hh), "%s", f->household_key);
	return 0;
}

static void
test_two_laptops_conflict_names_question(void)
{
	static struct receipt rc;
	struct sf_device a, b;
	struct sf_rev r0, ra, rb, pa, pb;
	struct imp_result res;
	struct fork_seen s;
	struct ds_err err;
	unsigned char *x;
	size_t n;
	int count;

	sf_device_make(&a, 6);
	sf_device_make(&b, 7);
	enroll(&a);
	enroll(&b);
	sf_rev(&r0, &a, 50, 1, NULL,
	    "{\"income\":100,\"members\":[{\"name\":\"甲\"}]}");
	x = sf_bundle(&a, &office, &r0, 1, 0, 0, &n);
	INT_EQ(import(x, n, &res, &rc), RS_IMPORTED);
	imp_result_free(&res);
	ds_free(x);
	/* Both edit the same question to different values. */
	sf_rev(&ra, &a, 50, 2, r0.r.rev_id,
	    "{\"income\":150,\"members\":[{\"name\":\"甲\"}]}");
	sf_rev(&rb, &b, 50, 2, r0.r.rev_id,
	    "{\"income\":180,\"members\":[{\"name\":\"甲\"}]}");
	x = sf_bundle(&a, &office, &ra, 1, 0, 0, &n);
	INT_EQ(import(x, n, &res, &rc), RS_IMPORTED);
	INT_EQ(res.n_conflict, 0);
	imp_result_free(&res);
	ds_free(x);
	x = sf_bundle(&b, &office, &rb, 1, 0, 0, &n);
	INT_EQ(import(x, n, &res, &rc), RS_IMPORTED);
	INT_EQ(res.n_conflict, 1);
	INT_EQ(rc.n_conflict, 1);
	imp_result_free(&res);
	ds_free(x);
	/* Two revisions 2: the head is the one with the larger id. */
	OK(head_is("HH-0050", memcmp(ra.r.rev_id, rb.r.rev_id, 16) > 0 ?
	    ra.r.rev_id : rb.r.rev_id));
	memset(&s, 0, sizeof(s));
	s.want = "HH-0050";
	ST_EQ(odb_fork_each(db, 1, fork_cb, &s, &err), DS_OK, &err);
	INT_EQ(s.n, 1);
	INT_EQ(s.conflict, 1);
	STR_EQ(s.q, "income");
	STR_EQ(s.hh, "HH-0050");
	/* Different questions on record 51: a parallel update. */
	sf_rev(&r0, &a, 51, 1, NULL,
	    "{\"income\":100,\"members\":[{\"name\":\"乙\"}]}");
	sf_rev(&pa, &a, 51, 2, r0.r.rev_id,
	    "{\"income\":120,\"members\":[{\"name\":\"乙\"}]}");
	sf_rev(&pb, &b, 51, 2, r0.r.rev_id,
	    "{\"income\":100,\"members\":[{\"name\":\"丙\"}]}");
	{
		struct sf_rev two[2];

		two[0] = r0;
		two[1] = pa;
		two[0].r.household_key.p = (const unsigned char *)two[0].hh;
		two[0].r.answers.p = (const unsigned char *)two[0].answers;
		two[1].r.household_key.p = (const unsigned char *)two[1].hh;
		two[1].r.answers.p = (const unsigned char *)two[1].answers;
		x = sf_bundle(&a, &office, two, 2, 0, 0, &n);
	}
	INT_EQ(import(x, n, &res, &rc), RS_IMPORTED);
	imp_result_free(&res);
	ds_free(x);
	x = sf_bundle(&b, &office, &pb, 1, 0, 0, &n);
	INT_EQ(import(x, n, &res, &rc), RS_IMPORTED);
	INT_EQ(res.n_conflict, 1);
	imp_result_free(&res);
	ds_free(x);
	memset(&s, 0, sizeof(s));
	s.want = "HH-0051";
	ST_EQ(odb_fork_each(db, 1, fork_cb, &s, &err), DS_OK, &err);
	INT_EQ(s.n, 2);
	STR_EQ(s.hh, "HH-0051");
	INT_EQ(s.conflict, 0);
	STR_EQ(s.q, "income, members[1]/name");
	/* Resolve the first by a revision prefix. */
	{
		char hex[33];

		ds_hex_encode(ra.r.rev_id, 16, hex);
		hex[10] = '\0';
		ST_EQ(odb_fork_resolve(db, hex, "keep a", &count, &err), DS_OK,
		    &err);
		INT_EQ(count, 1);
	}
	memset(&s, 0, sizeof(s));
	s.want = "HH-0050";
	ST_EQ(odb_fork_each(db, 1, fork_cb, &s, &err), DS_OK, &err);
	INT_EQ(s.n, 1);
	STR_EQ(s.hh, "");	/* only the HH-0051 fork is still open */
	sf_device_free(&a);
	sf_device_free(&b);
}

/* Each revision odb_rev_each gives, in its order, as hex ids. */
static int
revs_cb(void *arg, const struct odb_head *h)
{
	char *out = arg, hex[33];
	size_t n = strlen(out);

	ds_hex_encode(h->rev_id, 16, hex);
	snprintf(out + n, 4096 - n, "%s:%s:%u ", hex, h->household_key,
	    h->rev_no);
	return 0;
}

/* Import revs[0..n) from device d into o as one bundle; n conflicts. */
static int
import_into(struct odb *o, struct sf_device *d, struct sf_rev *revs,
    size_t n)
{
	struct imp_result res;
	struct ds_err err;
	unsigned char *b;
	size_t len;
	int c;

	b = sf_bundle(d, &office, revs, n, 0, 0, &len);
	ST_EQ(imp_bundle(o, office.sec, b, len, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_IMPORTED);
	c = (int)res.n_conflict;
	imp_result_free(&res);
	ds_free(b);
	return c;
}

/*
 * Migration 9 (a record's settled revisions listed in its head row,
 * revision_record dropped): an office.db of version 8, filled by that
 * version's code (odb_test_schema: its head upsert, its sibling query by
 * revision_record) with chains, a fork, a held child and a deleted
 * record, is migrated on open: each head lists exactly its record's
 * settled revisions in rowid order, odb_rev_each gives the same rows in
 * the same order, and the import goes on finding forks against
 * revisions stored before the migration (and between two first
 * revisions of a record) and releasing held ones.
 */
static void
test_migration_9_lists_revisions_in_the_head(void)
{
	static const char listed[] = "head WHERE (SELECT"
	    " json_group_array(value) FROM (SELECT value FROM"
	    " json_each(head.revs) ORDER BY value)) = (SELECT"
	    " json_group_array(id) FROM (SELECT id FROM revision r WHERE"
	    " r.record_uuid = head.record_uuid AND r.held = 0 ORDER BY id))";
	static char before[4096], after[4096];
	struct sf_device a, b;
	struct sf_rev r[8];
	struct ds_err err;
	struct odb *o;
	char dir[600];

	snprintf(dir, sizeof(dir), "%s/v8", tmp);
	odb_test_schema(8);
	sf_office_free(&office);
	sf_office_make(&office, dir);
	ST_EQ(odb_open(office.db, office.sec, &o, &err), DS_OK, &err);
	INT_EQ(sf_db_count(office.db, "pragma_user_version WHERE"
	    " user_version = 8"), 1);
	sf_device_make(&a, 40);
	sf_device_make(&b, 41);
	ST_EQ(sf_enroll(o, a.device_id, a.key->pk, &err), DS_OK, &err);
	ST_EQ(sf_enroll(o, b.device_id, b.key->pk, &err), DS_OK, &err);
	/* Record 90: 1 <- 2 <- 3 from a, and b's 2' (a fork of 2). */
	sf_rev(&r[0], &a, 90, 1, NULL, "{\"x\":1}");
	sf_rev(&r[1], &a, 90, 2, r[0].r.rev_id, "{\"x\":2}");
	sf_rev(&r[2], &a, 90, 3, r[1].r.rev_id, "{\"x\":3}");
	sf_rev(&r[3], &a, 91, 1, NULL, "{\"y\":1}");
	sf_rev(&r[4], &a, 92, 1, NULL, "{\"z\":1}");
	r[4].r.deleted = 1;
	INT_EQ(import_into(o, &a, r, 5), 0);
	sf_rev(&r[5], &b, 90, 2, r[0].r.rev_id, "{\"x\":5}");
	INT_EQ(import_into(o, &b, &r[5], 1), 1);
	/* Record 93's revision 2 waits for its parent. */
	sf_rev(&r[6], &a, 93, 1, NULL, "{\"w\":1}");
	sf_rev(&r[7], &a, 93, 2, r[6].r.rev_id, "{\"w\":2}");
	INT_EQ(import_into(o, &a, &r[7], 1), 0);
	before[0] = '\0';
	ST_EQ(odb_rev_each(o, revs_cb, before, &err), DS_OK, &err);
	odb_close(o);
	INT_EQ(sf_db_count(office.db, "revision WHERE held = 1"), 1);
	INT_EQ(sf_db_count(office.db, "sqlite_schema WHERE"
	    " name = 'revision_record'"), 1);
	/* This program opens it: migration 9. */
	odb_test_schema(0);
	ST_EQ(odb_open(office.db, office.sec, &o, &err), DS_OK, &err);
	INT_EQ(sf_db_count(office.db, "pragma_user_version WHERE"
	    " user_version = 9"), 1);
	INT_EQ(sf_db_count(office.db, "sqlite_schema WHERE"
	    " name = 'revision_record'"), 0);
	INT_EQ(sf_db_count(office.db, "head"), 3);
	INT_EQ(sf_db_count(office.db, listed), 3);
	INT_EQ(sf_db_count(office.db, "head WHERE"
	    " json_array_length(revs) = 4"), 1);
	after[0] = '\0';
	ST_EQ(odb_rev_each(o, revs_cb, after, &err), DS_OK, &err);
	STR_EQ(after, before);
	OK(strlen(after) > 4 * 32);
	/* A third revision 2 of record 90 forks with both stored before. */
	sf_rev(&r[5], &b, 90, 2, r[0].r.rev_id, "{\"x\":6}");
	INT_EQ(import_into(o, &b, &r[5], 1), 2);
	/* Two first revisions of record 96, from two laptops: a fork. */
	sf_rev(&r[0], &a, 96, 1, NULL, "{\"v\":1}");
	INT_EQ(import_into(o, &a, &r[0], 1), 0);
	sf_rev(&r[1], &b, 96, 1, NULL, "{\"v\":2}");
	INT_EQ(import_into(o, &b, &r[1], 1), 1);
	/* Record 93's parent arrives: its child is released and listed. */
	INT_EQ(import_into(o, &a, &r[6], 1), 0);
	INT_EQ(sf_db_count(office.db, "revision WHERE held = 1"), 0);
	INT_EQ(sf_db_count(office.db, listed), 5);
	INT_EQ(sf_db_count(office.db, "head WHERE"
	    " json_array_length(revs) = 5"), 1);
	INT_EQ(sf_db_count(office.db, "head WHERE rev_no = 2 AND"
	    " json_array_length(revs) = 2"), 1);
	odb_close(o);
	sf_device_free(&a);
	sf_device_free(&b);
}

static void
test_fork_compare_cases(void)
{
	struct ds_err err;
	char q[64];
	int c;

	ST_EQ(imp_fork_compare("{\"a\":1,\"b\":1}", "{\"a\":2,\"b\":1}",
	    "{\"a\":2,\"b\":1}", &c, q, sizeof(q), &err), DS_OK, &err);
	INT_EQ(c, 0);	/* same change on both sides is no conflict */
	STR_EQ(q, "a");
	ST_EQ(imp_fork_compare("{\"a\":1,\"_meta\":{\"path\":\"x\"}}",
	    "{\"a\":1,\"_meta\":{\"path\":\"y\"}}", "{\"a\":1,\"b\":2,"
	    "\"_meta\":{\"path\":\"z\"}}", &c, q, sizeof(q), &err), DS_OK,
	    &err);
	INT_EQ(c, 0);	/* the session's cursor is not an answer */
	STR_EQ(q, "b");
	ST_EQ(imp_fork_compare(NULL, "{\"a\":1}", "{\"a\":2}", &c, q,
	    sizeof(q), &err), DS_OK, &err);
	INT_EQ(c, 1);
	ST_EQ(imp_fork_compare("{}", "{\"aaaaaaaaaa\":1,\"bbbbbbbbbb\":1,"
	    "\"cccccccccc\":1,\"dddddddddd\":1,\"eeeeeeeeee\":1,"
	    "\"ffffffffff\":1}", "{}", &c, q, 40, &err), DS_OK, &err);
	OK(strlen(q) < 40);
	OK(strstr(q, "...") != NULL);
	ST_EQ(imp_fork_compare("{", "{}", "{}", &c, q, sizeof(q), &err),
	    DS_EPARSE, &err);
}

static void
test_ack_state_receipt(void)
{
	static struct receipt rc;
	struct sf_device d;
	struct sf_rev r[1];
	struct imp_result res;
	struct ds_err err;
	unsigned char *b, *out;
	size_t n, on;

	sf_device_make(&d, 8);
	enroll(&d);
	d.next_seq = 5;
	sf_rev(&r[0], &d, 60, 1, NULL, "{}");
	b = sf_bundle(&d, &office, r, 1, 0, 0, &n);
	INT_EQ(import(b, n, &res, &rc), RS_IMPORTED);
	imp_result_free(&res);
	ST_EQ(imp_ack_state(db, office.sec, d.device_id, &out, &on, &err),
	    DS_OK, &err);
	ST_EQ(receipt_open(out, on, &office.pub, &rc, &err), DS_OK, &err);
	INT_EQ(rc.status, RS_ACKSTATE);
	INT_EQ(rc.contiguous, 0);
	INT_EQ(rc.nranges, 1);
	INT_EQ(rc.ranges[0].lo, 5);
	/* Another office's key does not verify it. */
	ST_EQ(receipt_open(out, on, &other.pub, &rc, &err), DS_ECRYPTO, &err);
	out[20] ^= 1;
	ST_EQ(receipt_open(out, on, &office.pub, &rc, &err), DS_ECRYPTO, &err);
	ds_free(out);
	ds_free(b);
	sf_device_free(&d);
}

int
main(void)
{
	struct ds_err err;
	char d[600];

	ds_json_init();
	setenv("DOORSTEP_FAKE_NOW", "1763880000", 1);
	tmp = ts_tmpdir("imp");
	snprintf(d, sizeof(d), "%s/office", tmp);
	sf_office_make(&office, d);
	snprintf(d, sizeof(d), "%s/other", tmp);
	sf_office_make(&other, d);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK) {
		printf("not ok open: %s\n", err.msg);
		return 1;
	}
	RUN(test_import_stores_and_receipt_covers);
	RUN(test_unknown_device_held_then_enrolled);
	RUN(test_every_byte_change_rejected_zero_rows);
	RUN(test_wrong_office_replay_and_reused_id);
	RUN(test_out_of_order_gaps_then_converge);
	RUN(test_head_is_newest_whatever_the_order);
	RUN(test_two_laptops_conflict_names_question);
	RUN(test_fork_compare_cases);
	RUN(test_ack_state_receipt);
	odb_close(db);
	RUN(test_migration_9_lists_revisions_in_the_head);
	sf_office_free(&office);
	sf_office_free(&other);
	return harness_done();
}
