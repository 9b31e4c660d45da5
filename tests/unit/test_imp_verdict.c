/* doorstep: every receipt the importer signs says exactly what happened. */
/*
 * For each outcome (imported, duplicate, a gap, rejected, held, the ack
 * state) the receipt is opened with the office's public key and every
 * field checked against what the office did: ids, the bundle's hash, the
 * derived receipt id (docs/bundle-format.md), status and reason, counts,
 * the office's clock, the message, and the acknowledged ranges, which a
 * refusal or a hold never carries.  (Issue 18: the mutation run found the
 * fields nobody read.)
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "bundle.h"
#include "cry.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "receipt.h"
#include "util.h"

#define FAKE_NOW	1764000000

static struct sf_office office;
static struct odb *db;

/* Open res's receipt and check what every outcome shares. */
static void
check_receipt(const char *what, const struct imp_result *res,
    const unsigned char *file, size_t flen, struct receipt *r)
{
	unsigned char seed[2 * CRY_ID_BYTES + BUNDLE_HASH_BYTES + 1];
	unsigned char hash[BUNDLE_HASH_BYTES], id[CRY_ID_BYTES];
	struct ds_err err;

	memset(r, 0, sizeof(*r));
	if (res->receipt == NULL || receipt_open(res->receipt,
	    res->receipt_len, &office.pub, r, &err) != DS_OK) {
		HARNESS_FAIL("%s: no receipt that opens", what);
		return;
	}
	if (file != NULL)
		bundle_hash(file, flen, hash);
	else
		memset(hash, 0, sizeof(hash));
	if (memcmp(r->bundle_hash, hash, sizeof(hash)) != 0)
		HARNESS_FAIL("%s: bundle hash", what);
	if (memcmp(r->bundle_id, res->bundle_id, CRY_ID_BYTES) != 0)
		HARNESS_FAIL("%s: bundle id", what);
	if (memcmp(r->device_id, res->device_id, CRY_ID_BYTES) != 0)
		HARNESS_FAIL("%s: device id", what);
	if (r->status != res->status || r->reason != res->reason)
		HARNESS_FAIL("%s: status %d/%d, result says %d/%d", what,
		    r->status, r->reason, res->status, res->reason);
	if (r->n_new != res->n_new || r->n_dup != res->n_dup ||
	    r->n_conflict != res->n_conflict)
		HARNESS_FAIL("%s: counts %u/%u/%u, result says %u/%u/%u", what,
		    r->n_new, r->n_dup, r->n_conflict, res->n_new, res->n_dup,
		    res->n_conflict);
	if (r->office_time != FAKE_NOW)
		HARNESS_FAIL("%s: office time %lld", what,
		    (long long)r->office_time);
	if (strcmp(r->msg, res->msg) != 0 || r->msg[0] == '\0')
		HARNESS_FAIL("%s: message \"%s\"", what, r->msg);
	memcpy(seed, office.pub.office_id, CRY_ID_BYTES);
	memcpy(seed + CRY_ID_BYTES, hash, BUNDLE_HASH_BYTES);
	memcpy(seed + CRY_ID_BYTES + BUNDLE_HASH_BYTES, r->device_id,
	    CRY_ID_BYTES);
	seed[sizeof(seed) - 1] = r->status;
	cry_hash(id, sizeof(id), NULL, 0, seed, sizeof(seed));
	if (memcmp(r->receipt_id, id, sizeof(id)) != 0)
		HARNESS_FAIL("%s: receipt id is not the derived one", what);
}

static void
ranges_are(const char *what, const struct receipt *r, uint64_t contiguous,
    const char *want)
{
	char got[256];
	size_t o = 0;
	uint16_t i;

	got[0] = '\0';
	for (i = 0; i < r->nranges && o < sizeof(got) - 48; i++)
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%llu-%llu",
		    i ? "," : "", (unsigned long long)r->ranges[i].lo,
		    (unsigned long long)r->ranges[i].hi);
	if (strcmp(got, want) != 0 || r->contiguous != contiguous)
		HARNESS_FAIL("%s: ranges \"%s\" contiguous %llu, want \"%s\" "
		    "%llu", what, got, (unsigned long long)r->contiguous, want,
		    (unsigned long long)contiguous);
}

static void
test_every_outcome_signed_as_it_happened(void)
{
	static struct receipt r, first;
	struct sf_device d, unk;
	struct sf_rev rv[3];
	struct imp_result res;
	struct ds_err err;
	unsigned char *b, *ack = NULL, save[64];
	size_t n, an;
	struct cry_signkey *k;

	sf_device_make(&d, 1);
	ST_EQ(sf_enroll(db, d.device_id, d.key->pk, &err), DS_OK, &err);
	/* Imported: two new revisions, sequence 1-2. */
	sf_rev(&rv[0], &d, 1, 1, NULL, "{\"hh_id\":\"V1\"}");
	sf_rev(&rv[1], &d, 2, 1, NULL, "{\"hh_id\":\"V2\"}");
	b = sf_bundle(&d, &office, rv, 2, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, b, n, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_IMPORTED);
	INT_EQ(res.n_new, 2);
	INT_EQ(res.seq_lo, 1);
	INT_EQ(res.seq_hi, 2);
	OK(memcmp(res.office_id, office.pub.office_id, CRY_ID_BYTES) == 0);
	check_receipt("imported", &res, b, n, &r);
	ranges_are("imported", &r, 2, "1-2");
	first = r;
	memcpy(save, res.receipt, sizeof(save));
	imp_result_free(&res);
	/* The same bytes again: the stored receipt. */
	ST_EQ(imp_bundle(db, office.sec, b, n, &res, &err), DS_OK, &err);
	INT_EQ(res.replay, 1);
	OK(res.receipt != NULL && memcmp(res.receipt, save, sizeof(save)) ==
	    0);
	imp_result_free(&res);
	ds_free(b);
	/* The same revisions in another bundle: duplicates. */
	d.next_seq = 1;
	memset(d.prev_hash, 0, sizeof(d.prev_hash));
	b = sf_bundle(&d, &office, rv, 2, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, b, n, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_DUPLICATE);
	INT_EQ(res.n_dup, 2);
	INT_EQ(res.n_new, 0);
	check_receipt("duplicate", &res, b, n, &r);
	ranges_are("duplicate", &r, 2, "1-2");
	OK(memcmp(r.receipt_id, first.receipt_id, CRY_ID_BYTES) != 0);
	imp_result_free(&res);
	ds_free(b);
	/* Sequence 4 after a gap. */
	d.next_seq = 4;
	sf_rev(&rv[2], &d, 3, 1, NULL, "{\"hh_id\":\"V3\"}");
	b = sf_bundle(&d, &office, &rv[2], 1, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, b, n, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_IMPORTED);
	INT_EQ(res.seq_lo, 4);
	INT_EQ(res.seq_hi, 4);
	check_receipt("after a gap", &res, b, n, &r);
	ranges_are("after a gap", &r, 2, "1-2,4-4");
	imp_result_free(&res);
	ds_free(b);
	/* Rejected: the device's own id, a bad signature.  No ranges,
	 * though the office holds 1-2 and 4 of this device. */
	k = d.key;
	if (cry_signkey_new(&d.key, &err) != DS_OK)
		abort();
	sf_rev(&rv[2], &d, 4, 1, NULL, "{\"hh_id\":\"V4\"}");
	b = sf_bundle(&d, &office, &rv[2], 1, 0, 0, &n);
	cry_signkey_free(d.key);
	d.key = k;
	ST_EQ(imp_bundle(db, office.sec, b, n, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_REJECTED);
	INT_EQ(res.reason, BR_DEVICE_KEY);
	check_receipt("rejected", &res, b, n, &r);
	ranges_are("rejected", &r, 0, "");
	OK(strstr(r.msg, bundle_reason_str(BR_DEVICE_KEY)) != NULL);
	imp_result_free(&res);
	ds_free(b);
	/* Held: an unknown device. */
	sf_device_make(&unk, 2);
	sf_rev(&rv[0], &unk, 9, 1, NULL, "{\"hh_id\":\"U1\"}");
	b = sf_bundle(&unk, &office, rv, 1, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, b, n, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_HELD);
	INT_EQ(res.reason, BR_DEVICE_UNKNOWN);
	check_receipt("held", &res, b, n, &r);
	ranges_are("held", &r, 0, "");
	imp_result_free(&res);
	ds_free(b);
	sf_device_free(&unk);
	/* The ack state: no bundle, the ranges held. */
	ST_EQ(imp_ack_state(db, office.sec, d.device_id, &ack, &an, &err),
	    DS_OK, &err);
	memset(&res, 0, sizeof(res));
	memcpy(res.device_id, d.device_id, CRY_ID_BYTES);
	res.status = RS_ACKSTATE;
	res.receipt = ack;
	res.receipt_len = an;
	if (ack != NULL && receipt_open(ack, an, &office.pub, &r, &err) ==
	    DS_OK)
		snprintf(res.msg, sizeof(res.msg), "%s", r.msg);
	check_receipt("ack state", &res, NULL, 0, &r);
	ranges_are("ack state", &r, 2, "1-2,4-4");
	imp_result_free(&res);
	sf_device_free(&d);
}

/*
 * A receipt holds at most RECEIPT_RANGES_MAX ranges: a device with more
 * gaps gets the first ones (the rest stay unacknowledged until the gaps
 * fill), never an overflow.
 */
static void
test_ranges_beyond_the_cap(void)
{
	static struct receipt r;
	unsigned char dev[CRY_ID_BYTES], *ack = NULL;
	struct ds_err err;
	size_t an;
	uint64_t i;

	memset(dev, 0x7c, sizeof(dev));
	ST_EQ(odb_begin(db, &err), DS_OK, &err);
	for (i = 0; i < RECEIPT_RANGES_MAX + 2; i++)
		ST_EQ(odb_ack_add(db, dev, 1 + 2 * i, 1 + 2 * i, &err), DS_OK,
		    &err);
	ST_EQ(odb_commit(db, &err), DS_OK, &err);
	ST_EQ(imp_ack_state(db, office.sec, dev, &ack, &an, &err), DS_OK,
	    &err);
	ST_EQ(receipt_open(ack, an, &office.pub, &r, &err), DS_OK, &err);
	INT_EQ(r.nranges, RECEIPT_RANGES_MAX);
	INT_EQ(r.contiguous, 1);
	INT_EQ(r.ranges[RECEIPT_RANGES_MAX - 1].lo, 2 * RECEIPT_RANGES_MAX - 1);
	INT_EQ(receipt_covers(&r, 2 * RECEIPT_RANGES_MAX + 1), 0);
	ds_free(ack);
}

/*
 * A record edited from one version on many laptops: each new revision is
 * compared with at most SIBLINGS_MAX (16) of the others, never more.
 */
static void
test_many_siblings(void)
{
	struct sf_device d[18];
	struct sf_rev r0, rv;
	struct imp_result res;
	struct ds_err err;
	unsigned char *b;
	size_t n;
	int i;
	char a[64];

	for (i = 0; i < 18; i++) {
		sf_device_make(&d[i], 10 + i);
		ST_EQ(sf_enroll(db, d[i].device_id, d[i].key->pk, &err), DS_OK,
		    &err);
	}
	sf_rev(&r0, &d[0], 77, 1, NULL, "{\"hh_id\":\"M\",\"x\":0}");
	b = sf_bundle(&d[0], &office, &r0, 1, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, b, n, &res, &err), DS_OK, &err);
	imp_result_free(&res);
	ds_free(b);
	for (i = 0; i < 18; i++) {
		snprintf(a, sizeof(a), "{\"hh_id\":\"M\",\"x\":%d}", i + 1);
		sf_rev(&rv, &d[i], 77, 2, r0.r.rev_id, a);
		b = sf_bundle(&d[i], &office, &rv, 1, 0, 0, &n);
		ST_EQ(imp_bundle(db, office.sec, b, n, &res, &err), DS_OK,
		    &err);
		INT_EQ(res.status, RS_IMPORTED);
		INT_EQ(res.n_conflict, i < 16 ? i : 16);
		imp_result_free(&res);
		ds_free(b);
	}
	for (i = 0; i < 18; i++)
		sf_device_free(&d[i]);
}

/*
 * Children that arrived before their parents wait; a bundle of the
 * parents releases them all, more than one batch (64) of them.
 */
static void
test_release_more_than_a_batch(void)
{
	static struct sf_rev par[70], kid[70];
	struct sf_device d;
	struct imp_result res;
	struct ds_err err;
	unsigned char *b;
	size_t n;
	int i;

	sf_device_make(&d, 4);
	ST_EQ(sf_enroll(db, d.device_id, d.key->pk, &err), DS_OK, &err);
	for (i = 0; i < 70; i++)
		sf_rev(&par[i], &d, 3000 + i, 1, NULL, "{\"v\":1}");
	for (i = 0; i < 70; i++)
		sf_rev(&kid[i], &d, 3000 + i, 2, par[i].r.rev_id,
		    "{\"v\":2}");
	b = sf_bundle(&d, &office, kid, 70, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, b, n, &res, &err), DS_OK, &err);
	INT_EQ(res.n_held, 70);
	imp_result_free(&res);
	ds_free(b);
	b = sf_bundle(&d, &office, par, 70, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, b, n, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_IMPORTED);
	INT_EQ(res.n_new, 70);
	INT_EQ(res.n_released, 70);
	imp_result_free(&res);
	ds_free(b);
	INT_EQ(sf_db_count(office.db, "head WHERE rev_no = 2 AND "
	    "household_key LIKE 'HH-30%'"), 70);
	sf_device_free(&d);
}

struct alerts {
	int			n;
	struct odb_alert	a[4];
};

static int
alert_cb(void *arg, const struct odb_alert *a)
{
	struct alerts *x = arg;

	if (x->n < 4)
		x->a[x->n] = *a;
	x->n++;
	return 0;
}

/*
 * A laptop restored from a backup sends a number it used before, for
 * another revision; then a reinstalled one sends from a new records
 * database.  Each is kept and raises one alert that names the device,
 * the bundle, the time and what happened; the first bundle from a
 * device, and the next from the same database, raise none.
 */
static void
test_alerts_say_what_happened(void)
{
	static struct receipt r;
	struct sf_device d;
	struct sf_rev a, b;
	struct imp_result res;
	struct alerts al;
	struct ds_err err;
	unsigned char *x, bid[CRY_ID_BYTES];
	char hex[33];
	size_t n;

	sf_device_make(&d, 5);
	ST_EQ(sf_enroll(db, d.device_id, d.key->pk, &err), DS_OK, &err);
	sf_rev(&a, &d, 4000, 1, NULL, "{\"v\":1}");
	ST_EQ(sf_import(db, &d, &office, &a, 1, &err), DS_OK, &err);
	sf_rev(&b, &d, 4001, 1, NULL, "{\"v\":2}");
	ST_EQ(sf_import(db, &d, &office, &b, 1, &err), DS_OK, &err);
	memset(&al, 0, sizeof(al));
	ST_EQ(odb_alert_each(db, d.device_id, alert_cb, &al, &err), DS_OK,
	    &err);
	INT_EQ(al.n, 0);
	/* Sequence 2 again, for another revision. */
	d.next_seq = 2;
	sf_rev(&b, &d, 4002, 1, NULL, "{\"v\":3}");
	x = sf_bundle(&d, &office, &b, 1, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, x, n, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_IMPORTED);
	INT_EQ(res.reason, BR_ROLLBACK);
	check_receipt("rollback", &res, x, n, &r);
	memcpy(bid, res.bundle_id, sizeof(bid));
	imp_result_free(&res);
	ds_free(x);
	memset(&al, 0, sizeof(al));
	ST_EQ(odb_alert_each(db, d.device_id, alert_cb, &al, &err), DS_OK,
	    &err);
	INT_EQ(al.n, 1);
	INT_EQ(al.a[0].kind, ODB_ALERT_ROLLBACK);
	OK(memcmp(al.a[0].device_id, d.device_id, CRY_ID_BYTES) == 0);
	OK(memcmp(al.a[0].bundle_id, bid, CRY_ID_BYTES) == 0);
	INT_EQ(al.a[0].at, FAKE_NOW);
	ds_hex_encode(b.r.rev_id, CRY_ID_BYTES, hex);
	hex[12] = '\0';
	OK(strstr(al.a[0].detail, "sequence 2 was revision") != NULL);
	OK(strstr(al.a[0].detail, hex) != NULL);
	/* Another records database. */
	memset(d.db_uuid, 0x3c, sizeof(d.db_uuid));
	sf_rev(&b, &d, 4003, 1, NULL, "{\"v\":4}");
	x = sf_bundle(&d, &office, &b, 1, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, x, n, &res, &err), DS_OK, &err);
	memcpy(bid, res.bundle_id, sizeof(bid));
	imp_result_free(&res);
	ds_free(x);
	memset(&al, 0, sizeof(al));
	ST_EQ(odb_alert_each(db, d.device_id, alert_cb, &al, &err), DS_OK,
	    &err);
	INT_EQ(al.n, 2);
	INT_EQ(al.a[1].kind, ODB_ALERT_NEW_DB);
	OK(memcmp(al.a[1].device_id, d.device_id, CRY_ID_BYTES) == 0);
	OK(memcmp(al.a[1].bundle_id, bid, CRY_ID_BYTES) == 0);
	INT_EQ(al.a[1].at, FAKE_NOW);
	OK(strstr(al.a[1].detail, "3c3c3c3c3c3c") != NULL);
	/* The same new database again: no more alerts. */
	sf_rev(&b, &d, 4004, 1, NULL, "{\"v\":5}");
	x = sf_bundle(&d, &office, &b, 1, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, x, n, &res, &err), DS_OK, &err);
	INT_EQ(res.reason, BR_OK);
	imp_result_free(&res);
	ds_free(x);
	memset(&al, 0, sizeof(al));
	ST_EQ(odb_alert_each(db, d.device_id, alert_cb, &al, &err), DS_OK,
	    &err);
	INT_EQ(al.n, 2);
	sf_device_free(&d);
}

/* imp_result_free forgets the receipt: safe twice, and on NULL. */
/* A file of BUNDLE_FILE_MAX bytes is read (and refused for what it
 * holds); one byte more is refused for its size alone. */
static void
test_size_cap_edge(void)
{
	struct imp_result res;
	struct ds_err err;
	unsigned char *b;

	if ((b = ds_calloc(1, (size_t)BUNDLE_FILE_MAX + 1)) == NULL) {
		HARNESS_FAIL("no memory for %u bytes", BUNDLE_FILE_MAX + 1);
		return;
	}
	ST_EQ(imp_bundle(db, office.sec, b, (size_t)BUNDLE_FILE_MAX + 1, &res,
	    &err), DS_OK, &err);
	INT_EQ(res.status, RS_REJECTED);
	INT_EQ(res.reason, BR_SIZE);
	imp_result_free(&res);
	ST_EQ(imp_bundle(db, office.sec, b, BUNDLE_FILE_MAX, &res, &err),
	    DS_OK, &err);
	INT_EQ(res.status, RS_REJECTED);
	OK(res.reason != BR_SIZE);
	imp_result_free(&res);
	ds_free(b);
}

static void
test_result_free(void)
{
	struct imp_result res;

	memset(&res, 0, sizeof(res));
	res.receipt = ds_malloc(10);
	res.receipt_len = 10;
	imp_result_free(&res);
	OK(res.receipt == NULL);
	INT_EQ(res.receipt_len, 0);
	imp_result_free(&res);
	imp_result_free(NULL);
}

int
main(void)
{
	struct ds_err err;
	char d[600];

	setenv("DOORSTEP_FAKE_NOW", "1764000000", 1);
	ds_json_init();
	snprintf(d, sizeof(d), "%s/office", ts_tmpdir("imp_verdict"));
	sf_office_make(&office, d);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK) {
		printf("not ok setup: %s\n", err.msg);
		return 1;
	}
	RUN(test_every_outcome_signed_as_it_happened);
	RUN(test_ranges_beyond_the_cap);
	RUN(test_many_siblings);
	RUN(test_release_more_than_a_batch);
	RUN(test_alerts_say_what_happened);
	RUN(test_size_cap_edge);
	RUN(test_result_free);
	odb_close(db);
	sf_office_free(&office);
	return harness_done();
}
