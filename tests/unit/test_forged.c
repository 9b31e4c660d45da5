/* doorstep: sync objects signed or sealed with the wrong key are refused. */
/*
 * Every signature, MAC and check-before-use on the sync path gets a
 * correctly formed object made with the wrong key: receipts and ack
 * states on the laptop (receipt_open, pack_apply_receipt, pack_fetch_acks,
 * pack_push), bundles on the office (device signature, device key, the
 * sealed stream key, the stream's MAC and its binding to the header), the
 * office key file and office.db's sealed columns.  Each must be refused
 * and change nothing: the store or office.db digest is the same after.
 * Issue 18: bare receipt_parse in pack_apply_receipt, and a cryb_verify
 * result ignored in receipt_open, both passed the old suite.
 *
 * `test_forged forge-receipt IN OUT` re-signs the receipt file IN with a
 * fresh key, keeping every byte it signs (office id, key id and all), and
 * writes OUT; tests/cli/t_forged.sh feeds that to `doorstep sync ack`.
 */
#include <sqlite3.h>
#include <stdio.h>
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
#include "pack.h"
#include "rcv.h"
#include "receipt.h"
#include "store.h"
#include "util.h"

/* Bundle header offsets (docs/bundle-format.md). */
#define H_OFFICE_ID	84
#define H_OFFICE_KID	100
#define H_CREATED_AT	176
#define H_SEALED_KEY	209

static const char *tmp;
static struct sf_office office, other;
static struct odb *db;
static struct store *st;
static struct cry_signkey *dkey, *stranger;
static unsigned char devid[16];
static char store_path[600];

/* ---- helpers -------------------------------------------------------- */

/*
 * A key that claims to be `claimed` (its public half, and the public half
 * libsodium keeps inside the secret key) but signs with another secret:
 * what a forger holding only the public key can make.  Secure memory.
 */
static struct cry_signkey *
impostor(const struct cry_signkey *claimed)
{
	struct cry_signkey *k, *fresh = NULL;
	struct ds_err err;

	if (cry_signkey_new(&fresh, &err) != DS_OK ||
	    (k = cry_secure_alloc(sizeof(*k))) == NULL)
		abort();
	memcpy(k->pk, claimed->pk, sizeof(k->pk));
	memcpy(k->sk, fresh->sk, sizeof(k->sk));
	memcpy(k->sk + 32, claimed->pk, 32);
	cry_signkey_free(fresh);
	return k;
}

/* Sign a receipt's body again with k (domain as given). */
static void
resign_receipt(unsigned char *buf, size_t len, const struct cry_signkey *k,
    const char *domain)
{
	unsigned char h[CRY_HASH_BYTES];

	cry_hash(h, sizeof(h), NULL, 0, buf, len - CRY_SIG_BYTES);
	cryb_sign(k, domain, h, buf + len - CRY_SIG_BYTES);
}

/* Sign a bundle again with k, after the caller changed signed bytes. */
static void
resign_bundle(unsigned char *buf, size_t len, const struct cry_signkey *k)
{
	unsigned char h[CRY_HASH_BYTES];

	cry_hash(h, sizeof(h), NULL, 0, buf, len - BUNDLE_TRAILER_BYTES);
	cryb_sign(k, BUNDLE_SIGN_DOMAIN, h, buf + len - BUNDLE_TRAILER_BYTES);
}

/* A receipt signed by k for devid, for bundle_id (NULL: none), with
 * the one range lo..hi (none if hi is 0). */
static unsigned char *
make_receipt_range(const struct cry_signkey *k, int status, int reason,
    const unsigned char *bundle_id, uint64_t lo, uint64_t hi, size_t *len)
{
	static struct receipt r;
	struct ds_err err;
	unsigned char *out = NULL;

	memset(&r, 0, sizeof(r));
	cry_random(r.receipt_id, 16);
	memcpy(r.office_id, office.pub.office_id, 16);
	cry_key_id(office.pub.sign_pk, sizeof(office.pub.sign_pk),
	    r.office_kid);
	memcpy(r.device_id, devid, 16);
	if (bundle_id != NULL)
		memcpy(r.bundle_id, bundle_id, sizeof(r.bundle_id));
	r.status = (uint8_t)status;
	r.reason = (uint16_t)reason;
	r.contiguous = lo == 1 ? hi : 0;
	r.nranges = hi > 0;
	r.ranges[0].lo = lo;
	r.ranges[0].hi = hi;
	r.office_time = 1763870000;
	if (receipt_encode(&r, k, &out, len, &err) != DS_OK)
		abort();
	return out;
}

/* An ack-state receipt from `office` for devid covering 1..hi. */
static unsigned char *
make_receipt(const struct cry_signkey *k, int status, uint64_t hi,
    size_t *len)
{
	return make_receipt_range(k, status, BR_OK, NULL, 1, hi, len);
}

static void
save_in(struct store *to, const char *answers)
{
	struct store_save s;
	struct ds_err err;
	unsigned char id[16];

	store_id_new(id);
	memset(&s, 0, sizeof(s));
	s.record_id = id;
	s.form_id = "household";
	s.form_version = "2026112301";
	s.answers = answers;
	s.answers_len = strlen(answers);
	s.finalize = 1;
	ST_EQ(store_save(to, &s, NULL, &err), DS_OK, &err);
}

static void
save(const char *answers)
{
	save_in(st, answers);
}

static int64_t
unacked_in(struct store *in)
{
	struct store_outbox_counts c;
	struct ds_err err;

	if (store_outbox_count(in, &c, &err) != DS_OK)
		return -1;
	return c.revisions;
}

static int64_t
unacked(void)
{
	return unacked_in(st);
}

static int
same(const unsigned char a[32], const unsigned char b[32])
{
	return memcmp(a, b, 32) == 0;
}

/* Export what is pending and import it at the office: *rcpt is the
 * office's genuine receipt for it (ds_free). */
static unsigned char *
export_import(size_t *rlen)
{
	struct pack_opts o = { "w1", NULL, 0, NULL, 0, 0 };
	struct pack_result pr;
	struct imp_result ir;
	struct ds_err err;
	char dir[700], rp[PATH_MAX];
	char *buf = NULL;

	snprintf(dir, sizeof(dir), "%s/usb", tmp);
	*rlen = 0;
	if (pack_export(st, devid, dkey, &office.pub, &o, dir, &pr, &err) !=
	    DS_OK || imp_file(db, office.sec, pr.path, NULL, &ir, rp, &err) !=
	    DS_OK) {
		HARNESS_FAIL("export/import: %s", err.msg);
		return NULL;
	}
	INT_EQ(ir.status, RS_IMPORTED);
	imp_result_free(&ir);
	if (ds_file_read(rp, RECEIPT_FILE_MAX, &buf, rlen, &err) != DS_OK)
		HARNESS_FAIL("read receipt: %s", err.msg);
	return (unsigned char *)buf;
}

/* ---- receipts on the laptop ----------------------------------------- */

/*
 * receipt_open checks the signature with the pinned key, then that the
 * receipt names that office and that key.  Each forgery below is well
 * formed and names the right office and key id unless it says otherwise.
 */
/*
 * Genuine receipts at the edges of the rollback check, on a store that
 * never saved: one without ranges moves nothing; one whose only range
 * names numbers this store never issued is a restored backup, and the
 * store's floor rises to it.
 */
static void
test_genuine_receipt_edges(void)
{
	static struct receipt r;
	struct store *s2 = NULL;
	struct ds_err err;
	unsigned char dek[32], *b;
	char p[700];
	int64_t floor = -1, last = -1;
	size_t n;

	cry_random(dek, sizeof(dek));
	snprintf(p, sizeof(p), "%s/edges.db", tmp);
	ST_EQ(store_open(p, dek, devid, &s2, &err), DS_OK, &err);
	if (s2 == NULL)
		return;
	b = make_receipt(&office.sec->sign, RS_IMPORTED, 0, &n);
	ST_EQ(pack_apply_receipt(s2, devid, &office.pub, b, n, &r, &err),
	    DS_OK, &err);
	ds_free(b);
	ST_EQ(store_outbox_floor(s2, &floor, &err), DS_OK, &err);
	ST_EQ(store_outbox_last_seq(s2, &last, &err), DS_OK, &err);
	INT_EQ(floor, 0);
	INT_EQ(last, 0);
	b = make_receipt(&office.sec->sign, RS_IMPORTED, 3, &n);
	ST_EQ(pack_apply_receipt(s2, devid, &office.pub, b, n, &r, &err),
	    DS_OK, &err);
	ds_free(b);
	ST_EQ(store_outbox_floor(s2, &floor, &err), DS_OK, &err);
	INT_EQ(floor, 3);
	/* A full receipt: all 512 ranges (10, 12, ..., 1032; none issued
	 * here, so a rollback to 1032) and a message after them.  The
	 * message's bytes sit right past the last range: a loop one range
	 * too far would read them as a huge number. */
	memset(&r, 0, sizeof(r));
	cry_random(r.receipt_id, sizeof(r.receipt_id));
	memcpy(r.office_id, office.pub.office_id, sizeof(r.office_id));
	cry_key_id(office.pub.sign_pk, sizeof(office.pub.sign_pk),
	    r.office_kid);
	memcpy(r.device_id, devid, sizeof(r.device_id));
	r.status = RS_IMPORTED;
	r.nranges = RECEIPT_RANGES_MAX;
	for (n = 0; n < RECEIPT_RANGES_MAX; n++)
		r.ranges[n].lo = r.ranges[n].hi = 10 + 2 * n;
	snprintf(r.msg, sizeof(r.msg), "all ranges, and a message");
	r.office_time = 1763870000;
	ST_EQ(receipt_encode(&r, &office.sec->sign, &b, &n, &err), DS_OK,
	    &err);
	ST_EQ(pack_apply_receipt(s2, devid, &office.pub, b, n, &r, &err),
	    DS_OK, &err);
	ds_free(b);
	INT_EQ(r.nranges, RECEIPT_RANGES_MAX);
	ST_EQ(store_outbox_floor(s2, &floor, &err), DS_OK, &err);
	INT_EQ(floor, 10 + 2 * (RECEIPT_RANGES_MAX - 1));
	store_close(s2);
}

/*
 * The rollback rule, on a store that sent bundles A (1-3) and B (4-5).
 * An ack state saying BR_ROLLBACK raises the floor while none is set
 * (to its top, even 1); at or under the floor an ack state acknowledges
 * nothing, above it everything sent.  A bundle's receipt saying
 * BR_ROLLBACK raises the floor even once one is set, and at or under the
 * new floor acknowledges only that bundle's own rows, the floor's own
 * number included.
 */
static void
test_rollback_rules(void)
{
	static struct receipt r;
	struct pack_opts o = { "w1", NULL, 0, NULL, 0, 0 };
	struct pack_result a, b, c;
	struct store *s2 = NULL;
	struct ds_err err;
	unsigned char dek[32], *x;
	char p[700], dir[700];
	int64_t floor = -1;
	size_t n;

	cry_random(dek, sizeof(dek));
	snprintf(p, sizeof(p), "%s/rollback.db", tmp);
	snprintf(dir, sizeof(dir), "%s/usb_rollback", tmp);
	ST_EQ(store_open(p, dek, devid, &s2, &err), DS_OK, &err);
	if (s2 == NULL)
		return;
	save_in(s2, "{\"hh_id\":\"A1\"}");
	save_in(s2, "{\"hh_id\":\"A2\"}");
	save_in(s2, "{\"hh_id\":\"A3\"}");
	ST_EQ(pack_export(s2, devid, dkey, &office.pub, &o, dir, &a, &err),
	    DS_OK, &err);
	save_in(s2, "{\"hh_id\":\"B4\"}");
	save_in(s2, "{\"hh_id\":\"B5\"}");
	o.after_seq = a.seq_hi;
	ST_EQ(pack_export(s2, devid, dkey, &office.pub, &o, dir, &b, &err),
	    DS_OK, &err);
	INT_EQ(a.seq_lo, 1);
	INT_EQ(a.seq_hi, 3);
	INT_EQ(b.seq_lo, 4);
	INT_EQ(b.seq_hi, 5);
	INT_EQ(unacked_in(s2), 5);
	/* Ack state, rollback 1: the floor is 1, nothing acknowledged. */
	x = make_receipt_range(&office.sec->sign, RS_ACKSTATE, BR_ROLLBACK,
	    NULL, 1, 1, &n);
	ST_EQ(pack_apply_receipt(s2, devid, &office.pub, x, n, &r, &err),
	    DS_OK, &err);
	ds_free(x);
	ST_EQ(store_outbox_floor(s2, &floor, &err), DS_OK, &err);
	INT_EQ(floor, 1);
	INT_EQ(unacked_in(s2), 5);
	/* Ack state over 1-2: only 2, above the floor. */
	x = make_receipt_range(&office.sec->sign, RS_ACKSTATE, BR_OK, NULL, 1,
	    2, &n);
	ST_EQ(pack_apply_receipt(s2, devid, &office.pub, x, n, &r, &err),
	    DS_OK, &err);
	ds_free(x);
	INT_EQ(unacked_in(s2), 4);
	/* B reused numbers: the floor rises to 5, and under it only B's own
	 * rows (4, 5) go; A's 1 and 3 stay. */
	x = make_receipt_range(&office.sec->sign, RS_IMPORTED, BR_ROLLBACK,
	    b.bundle_id, 1, 5, &n);
	ST_EQ(pack_apply_receipt(s2, devid, &office.pub, x, n, &r, &err),
	    DS_OK, &err);
	ds_free(x);
	ST_EQ(store_outbox_floor(s2, &floor, &err), DS_OK, &err);
	INT_EQ(floor, 5);
	INT_EQ(unacked_in(s2), 2);
	/* C (6-7) reused 7: the floor rises to 7, and 7 itself, C's, goes. */
	save_in(s2, "{\"hh_id\":\"C6\"}");
	save_in(s2, "{\"hh_id\":\"C7\"}");
	o.after_seq = b.seq_hi;
	ST_EQ(pack_export(s2, devid, dkey, &office.pub, &o, dir, &c, &err),
	    DS_OK, &err);
	INT_EQ(c.seq_lo, 6);
	INT_EQ(c.seq_hi, 7);
	x = make_receipt_range(&office.sec->sign, RS_IMPORTED, BR_ROLLBACK,
	    c.bundle_id, 7, 7, &n);
	ST_EQ(pack_apply_receipt(s2, devid, &office.pub, x, n, &r, &err),
	    DS_OK, &err);
	ds_free(x);
	ST_EQ(store_outbox_floor(s2, &floor, &err), DS_OK, &err);
	INT_EQ(floor, 7);
	INT_EQ(unacked_in(s2), 3);
	store_close(s2);
}

static void
test_receipt_open_wrong_key(void)
{
	static struct receipt r;
	struct cry_signkey *imp = impostor(&office.sec->sign);
	struct cry_office_pub pub = office.pub;
	struct ds_err err;
	unsigned char *b;
	size_t n;

	b = make_receipt(&office.sec->sign, RS_ACKSTATE, 3, &n);
	ST_EQ(receipt_open(b, n, &office.pub, &r, &err), DS_OK, &err);
	INT_EQ(r.contiguous, 3);
	/* Another office's key (bug 4: the verify result once ignored). */
	resign_receipt(b, n, &other.sec->sign, RECEIPT_SIGN_DOMAIN);
	ST_EQ(receipt_open(b, n, &office.pub, &r, &err), DS_ECRYPTO, &err);
	OK(strstr(err.msg, "signature") != NULL);
	/* A key claiming the office's public key. */
	resign_receipt(b, n, imp, RECEIPT_SIGN_DOMAIN);
	ST_EQ(receipt_open(b, n, &office.pub, &r, &err), DS_ECRYPTO, &err);
	/* The office's own key, but over the bundle domain. */
	resign_receipt(b, n, &office.sec->sign, BUNDLE_SIGN_DOMAIN);
	ST_EQ(receipt_open(b, n, &office.pub, &r, &err), DS_ECRYPTO, &err);
	/* Genuine, checked against another office's pinned key. */
	resign_receipt(b, n, &office.sec->sign, RECEIPT_SIGN_DOMAIN);
	ST_EQ(receipt_open(b, n, &office.pub, &r, &err), DS_OK, &err);
	ST_EQ(receipt_open(b, n, &other.pub, &r, &err), DS_ECRYPTO, &err);
	/* The office's key, but the receipt names another office id (last
	 * byte) or another key id: refused after the signature. */
	b[6 + 2 + 16 + 15] ^= 1;
	resign_receipt(b, n, &office.sec->sign, RECEIPT_SIGN_DOMAIN);
	ST_EQ(receipt_open(b, n, &office.pub, &r, &err), DS_EREJECT, &err);
	OK(strstr(err.msg, "another office") != NULL);
	b[6 + 2 + 16 + 15] ^= 1;
	b[6 + 2 + 16 + 16 + 7] ^= 1;
	resign_receipt(b, n, &office.sec->sign, RECEIPT_SIGN_DOMAIN);
	ST_EQ(receipt_open(b, n, &office.pub, &r, &err), DS_EREJECT, &err);
	/* The same key pinned under another office id. */
	b[6 + 2 + 16 + 16 + 7] ^= 1;
	resign_receipt(b, n, &office.sec->sign, RECEIPT_SIGN_DOMAIN);
	pub.office_id[0] ^= 1;
	ST_EQ(receipt_open(b, n, &pub, &r, &err), DS_EREJECT, &err);
	/* Signed by the office but malformed (status 9): the parser still
	 * refuses it. */
	b[RECEIPT_FIXED_LEN - 33] = 9;
	resign_receipt(b, n, &office.sec->sign, RECEIPT_SIGN_DOMAIN);
	ST_EQ(receipt_open(b, n, &office.pub, &r, &err), DS_EPARSE, &err);
	/* Malformed and not signed by the office: the signature is checked
	 * first, so no field of it is read. */
	resign_receipt(b, n, &other.sec->sign, RECEIPT_SIGN_DOMAIN);
	ST_EQ(receipt_open(b, n, &office.pub, &r, &err), DS_ECRYPTO, &err);
	/* No room for a body: a signature alone is too short to parse;
	 * one byte more is a body whose signature is checked. */
	ST_EQ(receipt_open(b, CRY_SIG_BYTES, &office.pub, &r, &err),
	    DS_EPARSE, &err);
	OK(strstr(err.msg, "too short") != NULL);
	ST_EQ(receipt_open(b, CRY_SIG_BYTES + 1, &office.pub, &r, &err),
	    DS_ECRYPTO, &err);
	ds_free(b);
	cry_secure_free(imp);
}

/*
 * pack_apply_receipt retires rows only on a verified receipt (issue 18,
 * bug 1: it once parsed without verifying).  The forgery copies the
 * office's genuine receipt for a real bundle and signs it with another
 * key; nothing in the store changes.  The genuine one then retires the
 * rows, so the forgery would have.
 */
static void
test_forged_receipt_retires_nothing(void)
{
	static struct receipt r;
	struct cry_signkey *imp = impostor(&office.sec->sign);
	unsigned char before[32], after[32], *good, *bad;
	struct ds_err err;
	size_t n;

	save("{\"hh_id\":\"F1\",\"v\":1}");
	save("{\"hh_id\":\"F2\",\"v\":2}");
	save("{\"hh_id\":\"F3\",\"v\":3}");
	if ((good = export_import(&n)) == NULL)
		return;
	INT_EQ(unacked(), 3);
	sf_db_digest(store_path, NULL, before);
	if ((bad = ds_malloc(n)) == NULL)
		abort();
	memcpy(bad, good, n);
	resign_receipt(bad, n, &other.sec->sign, RECEIPT_SIGN_DOMAIN);
	ST_EQ(pack_apply_receipt(st, devid, &office.pub, bad, n, &r, &err),
	    DS_ECRYPTO, &err);
	resign_receipt(bad, n, imp, RECEIPT_SIGN_DOMAIN);
	ST_EQ(pack_apply_receipt(st, devid, &office.pub, bad, n, &r, &err),
	    DS_ECRYPTO, &err);
	/* One flipped signature bit. */
	memcpy(bad, good, n);
	bad[n - 1] ^= 0x40;
	ST_EQ(pack_apply_receipt(st, devid, &office.pub, bad, n, &r, &err),
	    DS_ECRYPTO, &err);
	/* Genuine, for another device. */
	memcpy(bad, good, n);
	bad[6 + 2 + 16 + 16 + 8] ^= 1;
	resign_receipt(bad, n, &office.sec->sign, RECEIPT_SIGN_DOMAIN);
	ST_EQ(pack_apply_receipt(st, devid, &office.pub, bad, n, &r, &err),
	    DS_EREJECT, &err);
	sf_db_digest(store_path, NULL, after);
	OK(same(before, after));
	INT_EQ(unacked(), 3);
	ST_EQ(pack_apply_receipt(st, devid, &office.pub, good, n, &r, &err),
	    DS_OK, &err);
	INT_EQ(unacked(), 0);
	ds_free(bad);
	ds_free(good);
	cry_secure_free(imp);
}

/* Rejected and held receipts verify but retire nothing, whatever ranges
 * they carry. */
static void
test_rejected_and_held_retire_nothing(void)
{
	static struct receipt r;
	unsigned char before[32], after[32], *b;
	struct pack_opts o = { "w1", NULL, 0, NULL, 0, 0 };
	struct pack_result pr;
	struct ds_err err;
	char dir[700];
	size_t n;
	int64_t last = 0;

	save("{\"hh_id\":\"R1\",\"v\":1}");
	snprintf(dir, sizeof(dir), "%s/usb", tmp);
	ST_EQ(pack_export(st, devid, dkey, &office.pub, &o, dir, &pr, &err),
	    DS_OK, &err);
	ST_EQ(store_outbox_last_seq(st, &last, &err), DS_OK, &err);
	INT_EQ(unacked(), 1);
	sf_db_digest(store_path, NULL, before);
	b = make_receipt(&office.sec->sign, RS_REJECTED, (uint64_t)last, &n);
	ST_EQ(pack_apply_receipt(st, devid, &office.pub, b, n, &r, &err),
	    DS_OK, &err);
	ds_free(b);
	b = make_receipt(&office.sec->sign, RS_HELD, (uint64_t)last, &n);
	ST_EQ(pack_apply_receipt(st, devid, &office.pub, b, n, &r, &err),
	    DS_OK, &err);
	ds_free(b);
	sf_db_digest(store_path, NULL, after);
	OK(same(before, after));
	INT_EQ(unacked(), 1);
	/* The same ranges as an ack state do retire the row. */
	b = make_receipt(&office.sec->sign, RS_ACKSTATE, (uint64_t)last, &n);
	ST_EQ(pack_apply_receipt(st, devid, &office.pub, b, n, &r, &err),
	    DS_OK, &err);
	ds_free(b);
	INT_EQ(unacked(), 0);
}

/*
 * The office server, signing with a key that claims the office's: the
 * ack state (GET .../acks, `sync ack URL`) and a push's receipt are both
 * refused, and the rows stay unacknowledged.
 */
static void
test_forged_ack_state_and_push_receipt(void)
{
	static struct receipt rc;
	struct cry_office_sec *fsec;
	struct cry_signkey *imp = impostor(&office.sec->sign);
	struct rcv_ctx ctx;
	struct rcv_opts ro;
	struct rcv *rv = NULL;
	struct push_opts po;
	struct pack_opts pk = { "w1", NULL, 0, NULL, 0, 0 };
	struct pack_result pr;
	struct ds_err err;
	unsigned char before[32], after[32], *rb;
	size_t rn;
	char url[64];

	if ((fsec = cry_secure_alloc(sizeof(*fsec))) == NULL)
		abort();
	memcpy(fsec, office.sec, sizeof(*fsec));
	memcpy(&fsec->sign, imp, sizeof(fsec->sign));
	memset(&ctx, 0, sizeof(ctx));
	ctx.db = db;
	ctx.sec = fsec;
	ctx.max_body = RCV_BODY_DEFAULT;
	memset(&ro, 0, sizeof(ro));
	memset(&po, 0, sizeof(po));
	po.tries = 2;
	po.backoff_ms = 10;
	ST_EQ(rcv_start(&ctx, &ro, &rv, &err), DS_OK, &err);
	if (rv == NULL)
		goto out;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", rcv_port(rv));
	/* Rows the office holds: a genuine ack state would retire them. */
	save("{\"hh_id\":\"H1\",\"v\":1}");
	save("{\"hh_id\":\"H2\",\"v\":2}");
	rb = export_import(&rn);
	ds_free(rb);
	INT_EQ(unacked(), 2);
	sf_db_digest(store_path, NULL, before);
	ST_EQ(pack_fetch_acks(st, devid, &office.pub, url, &po, &rc, &err),
	    DS_ECRYPTO, &err);
	sf_db_digest(store_path, NULL, after);
	OK(same(before, after));
	INT_EQ(unacked(), 2);
	/* A push: the office imports, its answer does not verify, the push
	 * gives up and the rows stay pending. */
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, url, &po, &pr, &rc,
	    &err), DS_ENET, &err);
	INT_EQ(unacked(), 2);
	/* The genuine office retires them. */
	ctx.sec = office.sec;
	ST_EQ(pack_fetch_acks(st, devid, &office.pub, url, &po, &rc, &err),
	    DS_OK, &err);
	INT_EQ(unacked(), 0);
	rcv_stop(rv);
out:
	cry_secure_free(fsec);
	cry_secure_free(imp);
}

/* ---- bundles at the office ------------------------------------------ */

static struct sf_device fdev;

/* Import buf; expect a rejection for `why` and no row changed. */
static void
refused(const char *what, const unsigned char *buf, size_t len, int why)
{
	static struct receipt r;
	struct imp_result ir;
	struct ds_err err;
	unsigned char before[32], after[32];

	sf_db_digest(office.db, NULL, before);
	ST_EQ(imp_bundle(db, office.sec, buf, len, &ir, &err), DS_OK, &err);
	if (ir.status != RS_REJECTED || ir.reason != why)
		HARNESS_FAIL("%s: %s/%s, want rejected/%s", what,
		    receipt_status_str(ir.status), bundle_reason_name(
		    ir.reason), bundle_reason_name(why));
	/* The refusal is itself a genuine receipt. */
	if (ir.receipt != NULL)
		ST_EQ(receipt_open(ir.receipt, ir.receipt_len, &office.pub, &r,
		    &err), DS_OK, &err);
	imp_result_free(&ir);
	sf_db_digest(office.db, NULL, after);
	if (!same(before, after))
		HARNESS_FAIL("%s: office.db changed", what);
}

static unsigned char *
one_bundle(struct sf_device *d, const struct sf_office *o, int rec,
    size_t *n)
{
	struct sf_rev rv[1];

	sf_rev(&rv[0], d, rec, 1, NULL, "{\"hh_id\":\"B1\"}");
	return sf_bundle(d, o, rv, 1, 0, 0, n);
}

/*
 * The device signature: a bundle naming the enrolled device and its key
 * but signed by another secret; one signed by another device key; and
 * from an unknown device with a bad signature (refused, not held).
 * Enrolling from a badly signed bundle is refused too.
 */
static void
test_bundle_wrong_device_key(void)
{
	struct cry_signkey *real = fdev.key, *imp = impostor(fdev.key);
	struct sf_device unk;
	struct odb_device od;
	struct ds_err err;
	unsigned char *b, before[32], after[32];
	size_t n;
	char fpr[CRY_FPR_TEXT];

	fdev.key = imp;
	b = one_bundle(&fdev, &office, 1, &n);
	refused("impostor signature", b, n, BR_SIGNATURE);
	ds_free(b);
	fdev.key = stranger;
	b = one_bundle(&fdev, &office, 2, &n);
	refused("another device key", b, n, BR_DEVICE_KEY);
	ds_free(b);
	fdev.key = real;
	/* Genuine, then one signature bit flipped. */
	b = one_bundle(&fdev, &office, 3, &n);
	b[n - 1] ^= 0x40;
	refused("flipped signature bit", b, n, BR_SIGNATURE);
	ds_free(b);
	sf_device_make(&unk, 7);
	cry_signkey_free(unk.key);
	unk.key = impostor(fdev.key);
	b = one_bundle(&unk, &office, 4, &n);
	refused("unknown device, bad signature", b, n, BR_SIGNATURE);
	sf_db_digest(office.db, NULL, before);
	cry_fingerprint(unk.key->pk, fpr);
	ST_EQ(imp_enroll(db, office.sec, NULL, b, n, fpr, "x", NULL, NULL, &od,
	    NULL, &err), DS_ECRYPTO, &err);
	sf_db_digest(office.db, NULL, after);
	OK(same(before, after));
	ds_free(b);
	cry_secure_free(unk.key);
	cry_secure_free(imp);
}

/*
 * The seal and the stream: a bundle sealed to another office's box key
 * but naming this office and its key id; another office's own bundle; a
 * stream key (sealed to this office) from another bundle; and a header
 * changed and signed again, which the first chunk's MAC no longer
 * accepts.  Each signed by the enrolled device.
 */
static void
test_bundle_wrong_seal_and_stream(void)
{
	struct cry_office_pub mixed = office.pub;
	unsigned char *b, *b2, kid[CRY_KEYID_BYTES];
	size_t n, n2;

	/* Sealed to the other office's box key. */
	memcpy(mixed.box_pk, other.pub.box_pk, sizeof(mixed.box_pk));
	{
		struct sf_office o = office;

		o.pub = mixed;
		b = one_bundle(&fdev, &o, 10, &n);
	}
	cry_key_id(office.pub.box_pk, sizeof(office.pub.box_pk), kid);
	memcpy(b + H_OFFICE_KID, kid, sizeof(kid));
	resign_bundle(b, n, fdev.key);
	refused("sealed to another box key", b, n, BR_SEAL);
	ds_free(b);
	/* Another office's bundle. */
	b = one_bundle(&fdev, &other, 11, &n);
	refused("another office's bundle", b, n, BR_OFFICE);
	/* ... relabelled as this office's (id and key id). */
	memcpy(b + H_OFFICE_ID, office.pub.office_id, 16);
	memcpy(b + H_OFFICE_KID, kid, sizeof(kid));
	resign_bundle(b, n, fdev.key);
	refused("another office's bundle relabelled", b, n, BR_SEAL);
	ds_free(b);
	/* The stream key of another bundle to this office. */
	b = one_bundle(&fdev, &office, 12, &n);
	b2 = one_bundle(&fdev, &office, 13, &n2);
	memcpy(b + H_SEALED_KEY, b2 + H_SEALED_KEY, CRYB_SEALED_KEY_BYTES);
	resign_bundle(b, n, fdev.key);
	refused("another bundle's stream key", b, n, BR_STREAM);
	ds_free(b2);
	ds_free(b);
	/* A signed header change the payload MAC does not cover. */
	b = one_bundle(&fdev, &office, 14, &n);
	b[H_CREATED_AT] ^= 1;
	resign_bundle(b, n, fdev.key);
	refused("header changed and signed again", b, n, BR_STREAM);
	ds_free(b);
	/* A last chunk without its final tag, signed. */
	{
		struct sf_rev rv[1];

		sf_rev(&rv[0], &fdev, 15, 1, NULL, "{\"hh_id\":\"B2\"}");
		b = sf_bundle(&fdev, &office, rv, 1, 0, 1, &n);
	}
	refused("no final tag", b, n, BR_TRUNCATED);
	ds_free(b);
}

/* ---- office keys and office.db -------------------------------------- */

/*
 * A secret key file that says it is this office's but holds the other
 * office's keys: it reads (it is consistent), but office.db's key check
 * refuses it, and the database is untouched.  A file whose sign secret
 * carries this office's public half with another secret is refused when
 * read.
 */
static void
test_office_key_file_wrong_key(void)
{
	struct cry_office_sec *s = NULL;
	struct odb *o2 = NULL;
	struct ds_err err;
	unsigned char before[32], after[32];
	char path[700], text[1024], ih[33], bh[65], sh[129];
	struct cry_signkey *imp = impostor(&office.sec->sign);

	ds_hex_encode(office.pub.office_id, 16, ih);
	ds_hex_encode(other.sec->box_sk, 32, bh);
	ds_hex_encode(other.sec->sign.sk, 64, sh);
	snprintf(text, sizeof(text), "doorstep office secret key v1\n"
	    "office-id %s\nbox-secret %s\nsign-secret %s\n", ih, bh, sh);
	snprintf(path, sizeof(path), "%s/forged-secret.key", tmp);
	ST_EQ(ds_file_write_atomic(path, text, strlen(text), 0600, &err),
	    DS_OK, &err);
	ST_EQ(cry_office_sec_read(path, &s, &err), DS_OK, &err);
	if (s == NULL)
		return;
	odb_close(db);
	db = NULL;
	sf_db_digest(office.db, NULL, before);
	ST_EQ(odb_open(office.db, s, &o2, &err), DS_ECRYPTO, &err);
	OK(o2 == NULL);
	sf_db_digest(office.db, NULL, after);
	OK(same(before, after));
	cry_office_sec_free(s);
	s = NULL;
	ST_EQ(odb_open(office.db, office.sec, &db, &err), DS_OK, &err);
	/* This office's public sign key inside another secret. */
	ds_hex_encode(office.sec->box_sk, 32, bh);
	ds_hex_encode(imp->sk, 64, sh);
	snprintf(text, sizeof(text), "doorstep office secret key v1\n"
	    "office-id %s\nbox-secret %s\nsign-secret %s\n", ih, bh, sh);
	ST_EQ(ds_file_write_atomic(path, text, strlen(text), 0600, &err),
	    DS_OK, &err);
	ST_EQ(cry_office_sec_read(path, &s, &err), DS_ECORRUPT, &err);
	OK(s == NULL);
	cry_office_sec_free(s);
	cry_wipe(text, sizeof(text));
	cry_secure_free(imp);
}

/*
 * A revision's sealed answers in office.db replaced by the same revision
 * as sealed in the other office's database (another office data key):
 * reading it is refused naming the revision, and changes nothing.
 */
static void
test_office_db_column_from_another_key(void)
{
	struct sf_rev rv[1];
	struct imp_result ir;
	struct odb *odb2 = NULL;
	struct ds_err err;
	unsigned char *b, before[32], after[32];
	char *t = NULL;
	size_t n;
	sqlite3 *a, *o;
	sqlite3_stmt *q, *u;

	ST_EQ(odb_open(other.db, other.sec, &odb2, &err), DS_OK, &err);
	if (odb2 == NULL)
		return;
	ST_EQ(sf_enroll(odb2, fdev.device_id, fdev.key->pk, &err), DS_OK,
	    &err);
	sf_rev(&rv[0], &fdev, 20, 1, NULL, "{\"hh_id\":\"S1\"}");
	b = sf_bundle(&fdev, &office, rv, 1, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, b, n, &ir, &err), DS_OK, &err);
	INT_EQ(ir.status, RS_IMPORTED);
	imp_result_free(&ir);
	ds_free(b);
	/* The same revision (same rev id) to the other office. */
	b = sf_bundle(&fdev, &other, rv, 1, 0, 0, &n);
	ST_EQ(imp_bundle(odb2, other.sec, b, n, &ir, &err), DS_OK, &err);
	INT_EQ(ir.status, RS_IMPORTED);
	imp_result_free(&ir);
	ds_free(b);
	odb_close(odb2);
	ST_EQ(odb_rev_answers(db, rv[0].r.rev_id, &t, &err), DS_OK, &err);
	odb_answers_free(t);
	t = NULL;
	OK(sqlite3_open(office.db, &a) == SQLITE_OK);
	OK(sqlite3_open(other.db, &o) == SQLITE_OK);
	OK(sqlite3_prepare_v2(o, "SELECT answers FROM revision WHERE "
	    "rev_id = ?1", -1, &q, NULL) == SQLITE_OK);
	sqlite3_bind_blob(q, 1, rv[0].r.rev_id, 16, SQLITE_STATIC);
	OK(sqlite3_step(q) == SQLITE_ROW);
	OK(sqlite3_prepare_v2(a, "UPDATE revision SET answers = ?2 WHERE "
	    "rev_id = ?1", -1, &u, NULL) == SQLITE_OK);
	sqlite3_bind_blob(u, 1, rv[0].r.rev_id, 16, SQLITE_STATIC);
	sqlite3_bind_value(u, 2, sqlite3_column_value(q, 0));
	OK(sqlite3_step(u) == SQLITE_DONE);
	OK(sqlite3_changes(a) == 1);
	sqlite3_finalize(u);
	sqlite3_finalize(q);
	sqlite3_close(o);
	sqlite3_close(a);
	sf_db_digest(office.db, NULL, before);
	ST_EQ(odb_rev_answers(db, rv[0].r.rev_id, &t, &err), DS_ECRYPTO,
	    &err);
	OK(t == NULL);
	OK(strstr(err.msg, "revision") != NULL);
	sf_db_digest(office.db, NULL, after);
	OK(same(before, after));
	odb_answers_free(t);
}

/* ---- forge-receipt: for tests/cli/t_forged.sh ------------------------ */

static int
forge_receipt(const char *in, const char *out)
{
	struct cry_signkey *k = NULL;
	struct ds_err err;
	char *buf = NULL;
	size_t n = 0;

	if (ds_file_read(in, RECEIPT_FILE_MAX, &buf, &n, &err) != DS_OK ||
	    n < CRY_SIG_BYTES || cry_signkey_new(&k, &err) != DS_OK) {
		fprintf(stderr, "forge-receipt: %s\n", err.msg);
		return 1;
	}
	resign_receipt((unsigned char *)buf, n, k, RECEIPT_SIGN_DOMAIN);
	cry_signkey_free(k);
	if (ds_file_write_atomic(out, buf, n, 0600, &err) != DS_OK) {
		fprintf(stderr, "forge-receipt: %s\n", err.msg);
		return 1;
	}
	ds_free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	struct ds_err err;
	unsigned char dek[32];
	char d[600];

	if (argc == 4 && strcmp(argv[1], "forge-receipt") == 0)
		return forge_receipt(argv[2], argv[3]);
	ds_json_init();
	tmp = ts_tmpdir("forged");
	snprintf(d, sizeof(d), "%s/office", tmp);
	sf_office_make(&office, d);
	snprintf(d, sizeof(d), "%s/other", tmp);
	sf_office_make(&other, d);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK)
		return 1;
	cry_random(dek, sizeof(dek));
	cry_random(devid, sizeof(devid));
	snprintf(store_path, sizeof(store_path), "%s/records.db", tmp);
	if (store_open(store_path, dek, devid, &st, &err) != DS_OK ||
	    cry_signkey_new(&dkey, &err) != DS_OK ||
	    cry_signkey_new(&stranger, &err) != DS_OK ||
	    sf_enroll(db, devid, dkey->pk, &err) != DS_OK)
		return 1;
	sf_device_make(&fdev, 1);
	if (sf_enroll(db, fdev.device_id, fdev.key->pk, &err) != DS_OK)
		return 1;
	RUN(test_genuine_receipt_edges);
	RUN(test_rollback_rules);
	RUN(test_receipt_open_wrong_key);
	RUN(test_forged_receipt_retires_nothing);
	RUN(test_rejected_and_held_retire_nothing);
	RUN(test_forged_ack_state_and_push_receipt);
	RUN(test_bundle_wrong_device_key);
	RUN(test_bundle_wrong_seal_and_stream);
	RUN(test_office_key_file_wrong_key);
	RUN(test_office_db_column_from_another_key);
	store_close(st);
	cry_signkey_free(dkey);
	cry_signkey_free(stranger);
	sf_device_free(&fdev);
	odb_close(db);
	sf_office_free(&office);
	sf_office_free(&other);
	return harness_done();
}
