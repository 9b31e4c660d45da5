/* doorstep: enrollment against a stranger who takes a new laptop's id. */
/*
 * Issue 13, finding 1: anyone with office-public.key and a new laptop's
 * device id (it is in clear in every bundle header) can send a bundle
 * under that id signed by a key of their own.  The office must keep both
 * keys, refuse neither for arriving second, and enroll only the key whose
 * fingerprint the clerk read on the laptop.  Real office.db, real bundles.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "imp.h"
#include "mem.h"
#include "odb.h"
#include "receipt.h"
#include "util.h"

static const char *tmp;

static struct odb_alert last_alert;	/* the last competing-key alert */

static int
count_kind(void *arg, const struct odb_alert *a)
{
	int *n = arg;

	if (a->kind == ODB_ALERT_COMPETING_KEY) {
		(*n)++;
		last_alert = *a;
	}
	return 0;
}

static void
test_takeover(void)
{
	struct sf_office off;
	struct sf_device real, str;
	struct sf_rev rr[2], sr[1];
	struct imp_result res;
	struct imp_held_key keys[4];
	struct odb_device d;
	struct odb *db = NULL;
	struct ds_err err;
	unsigned char *rb, *sb, *rb2, bid[16];
	size_t rn, sn, rn2, nk = 0, dropped = 0;
	int64_t t0 = ds_now();
	char dir[600], hex[33], fr[CRY_FPR_TEXT], fs[CRY_FPR_TEXT];
	int alerts = 0;

	snprintf(dir, sizeof(dir), "%s/takeover", tmp);
	sf_office_make(&off, dir);
	ST_EQ(odb_open(off.db, off.sec, &db, &err), DS_OK, &err);
	if (db == NULL)
		return;
	sf_device_make(&real, 1);
	sf_device_make(&str, 2);
	memcpy(str.device_id, real.device_id, 16);
	sf_rev(&sr[0], &str, 1, 1, NULL, "{\"hh_id\":\"FAKE\"}");
	sb = sf_bundle(&str, &off, sr, 1, 0, 0, &sn);
	sf_rev(&rr[0], &real, 2, 1, NULL, "{\"hh_id\":\"REAL\"}");
	rb = sf_bundle(&real, &off, rr, 1, 0, 0, &rn);
	sf_rev(&rr[1], &real, 3, 1, NULL, "{\"hh_id\":\"REAL2\"}");
	rb2 = sf_bundle(&real, &off, &rr[1], 1, 0, 0, &rn2);
	cry_fingerprint(real.key->pk, fr);
	cry_fingerprint(str.key->pk, fs);
	/* The stranger arrives first. */
	ST_EQ(imp_bundle(db, off.sec, sb, sn, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_HELD);
	imp_result_free(&res);
	/* The real laptop is not refused for arriving second. */
	ST_EQ(imp_bundle(db, off.sec, rb, rn, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_HELD);
	memcpy(bid, res.bundle_id, 16);
	imp_result_free(&res);
	/* Both keys are kept and shown, and the office is told: which
	 * bundle, when, and the start of both fingerprints. */
	ST_EQ(imp_held_keys(db, real.device_id, keys, 4, &nk, &err), DS_OK,
	    &err);
	INT_EQ(nk, 2);
	(void)odb_alert_each(db, real.device_id, count_kind, &alerts, &err);
	INT_EQ(alerts, 1);
	OK(memcmp(last_alert.bundle_id, bid, 16) == 0);
	OK(last_alert.at >= t0 && last_alert.at <= ds_now());
	OK(strstr(last_alert.detail, (snprintf(hex, 10, "%s", fs), hex)) !=
	    NULL);
	OK(strstr(last_alert.detail, (snprintf(hex, 10, "%s", fr), hex)) !=
	    NULL);
	ds_hex_encode(real.device_id, 16, hex);
	hex[8] = '\0';
	OK(strstr(last_alert.detail, hex) != NULL);
	/* Each competing bundle raises its own. */
	ST_EQ(imp_bundle(db, off.sec, rb2, rn2, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_HELD);
	imp_result_free(&res);
	alerts = 0;
	(void)odb_alert_each(db, real.device_id, count_kind, &alerts, &err);
	INT_EQ(alerts, 2);
	/* `enroll <id8>`, as import prints it, enrolls no one. */
	ds_hex_encode(real.device_id, 16, hex);
	hex[8] = '\0';
	ST_EQ(imp_enroll(db, off.sec, hex, NULL, 0, NULL, NULL, NULL, NULL, &d,
	    NULL, &err), DS_EINVAL, &err);
	ST_EQ(imp_enroll(db, off.sec, hex, NULL, 0, "1234 5678 9012 3456 7890 "
	    "1234", NULL, NULL, NULL, &d, NULL, &err), DS_EREJECT, &err);
	ST_EQ(odb_device_get(db, real.device_id, &d, &err), DS_OK, &err);
	INT_EQ(d.state, ODB_DEV_PENDING);
	INT_EQ(sf_db_count(off.db, "revision"), 0);
	INT_EQ(sf_db_count(off.db, "pending"), 3);
	/* With the laptop's fingerprint (typed with dashes, say): the real
	 * key is enrolled, its bundle imported, the stranger's dropped. */
	fr[4] = '-';
	ST_EQ(imp_enroll(db, off.sec, hex, NULL, 0, fr, "real", NULL, NULL, &d,
	    &dropped, &err), DS_OK, &err);
	INT_EQ(d.state, ODB_DEV_ENROLLED);
	OK(memcmp(d.sign_pk, real.key->pk, 32) == 0);
	INT_EQ(dropped, 1);
	INT_EQ(sf_db_count(off.db, "revision"), 2);
	INT_EQ(sf_db_count(off.db, "pending"), 0);
	/* The stranger's key is refused from now on. */
	ST_EQ(imp_bundle(db, off.sec, sb, sn, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_REJECTED);
	INT_EQ(res.reason, BR_DEVICE_KEY);
	imp_result_free(&res);
	INT_EQ(sf_db_count(off.db, "revision"), 2);
	/* Enrolling again needs the enrolled key's fingerprint. */
	ST_EQ(imp_enroll(db, off.sec, hex, NULL, 0, fs, NULL, NULL, NULL, &d,
	    NULL, &err), DS_EREJECT, &err);
	odb_close(db);
	ds_free(rb);
	ds_free(rb2);
	ds_free(sb);
	sf_device_free(&real);
	sf_device_free(&str);
	sf_office_free(&off);
}

/* The fingerprint: 24 digits in six groups, stable, and matched only
 * whole. */
static void
test_fingerprint(void)
{
	unsigned char pk[32];
	char f[CRY_FPR_TEXT], g[CRY_FPR_TEXT];
	size_t i;

	memset(pk, 7, sizeof(pk));
	cry_fingerprint(pk, f);
	INT_EQ(strlen(f), 29);
	for (i = 0; i < 29; i++)
		OK(i % 5 == 4 ? f[i] == ' ' : f[i] >= '0' && f[i] <= '9');
	cry_fingerprint(pk, g);
	STR_EQ(f, g);
	OK(cry_fingerprint_match(pk, f));
	f[28] = f[28] == '9' ? '0' : (char)(f[28] + 1);
	OK(!cry_fingerprint_match(pk, f));
	OK(!cry_fingerprint_match(pk, ""));
	g[10] = '\0';
	OK(!cry_fingerprint_match(pk, g));
	pk[0] ^= 1;
	cry_fingerprint(pk, f);
	OK(strcmp(f, g) != 0);
}

/* Bundles from a device whose held-bundle cap is reached are refused
 * (through imp_bundle_read, as the receiver calls it), once a day with a
 * quota alert; within the cap they are held. */
struct mem {
	const unsigned char	*p;
	size_t			 n;
};

static int
mem_read(void *arg, uint64_t off, void *buf, size_t n)
{
	const struct mem *m = arg;

	if (off > m->n || n > m->n - off)
		return -1;
	memcpy(buf, m->p + off, n);
	return 0;
}

static int
count_quota(void *arg, const struct odb_alert *a)
{
	if (a->kind == ODB_ALERT_QUOTA)
		(*(int *)arg)++;
	return 0;
}

static void
test_quota(void)
{
	struct sf_office off;
	struct sf_device d[3];
	struct sf_rev r[1];
	struct imp_result res;
	struct imp_quota q;
	struct odb *db = NULL;
	struct ds_err err;
	struct mem m;
	unsigned char *b;
	size_t n;
	char dir[600];
	int i, alerts = 0;

	snprintf(dir, sizeof(dir), "%s/quota", tmp);
	sf_office_make(&off, dir);
	ST_EQ(odb_open(off.db, off.sec, &db, &err), DS_OK, &err);
	if (db == NULL)
		return;
	memset(&q, 0, sizeof(q));
	q.bundles = 2;
	q.devices = 2;
	for (i = 0; i < 3; i++)
		sf_device_make(&d[i], 3 + i);
	/* Device 0: two bundles held, the third refused. */
	for (i = 0; i < 3; i++) {
		sf_rev(&r[0], &d[0], 10 + i, 1, NULL, "{\"x\":1}");
		b = sf_bundle(&d[0], &off, r, 1, 0, 0, &n);
		m.p = b;
		m.n = n;
		ST_EQ(imp_bundle_read(db, off.sec, &q, mem_read, &m, n, &res,
		    &err), DS_OK, &err);
		INT_EQ(res.status, i < 2 ? RS_HELD : RS_REJECTED);
		INT_EQ(res.reason, i < 2 ? BR_DEVICE_UNKNOWN : BR_QUOTA);
		imp_result_free(&res);
		ds_free(b);
	}
	INT_EQ(sf_db_count(off.db, "pending"), 2);
	/* Device 1 is the second device; device 2 one too many. */
	for (i = 1; i < 3; i++) {
		sf_rev(&r[0], &d[i], 20 + i, 1, NULL, "{\"x\":1}");
		b = sf_bundle(&d[i], &off, r, 1, 0, 0, &n);
		m.p = b;
		m.n = n;
		ST_EQ(imp_bundle_read(db, off.sec, &q, mem_read, &m, n, &res,
		    &err), DS_OK, &err);
		INT_EQ(res.reason, i == 1 ? BR_DEVICE_UNKNOWN : BR_QUOTA);
		imp_result_free(&res);
		/* A USB import has no caps. */
		if (i == 2) {
			ST_EQ(imp_bundle(db, off.sec, b, n, &res, &err), DS_OK,
			    &err);
			INT_EQ(res.status, RS_HELD);
			imp_result_free(&res);
		}
		ds_free(b);
	}
	INT_EQ(sf_db_count(off.db, "pending"), 4);
	INT_EQ(sf_db_count(off.db, "device"), 3);
	(void)odb_alert_each(db, NULL, count_quota, &alerts, &err);
	INT_EQ(alerts, 1);		/* one a day */
	/* Junk never reaches the caps: a bad signature is refused first. */
	sf_rev(&r[0], &d[0], 40, 1, NULL, "{\"x\":1}");
	b = sf_bundle(&d[0], &off, r, 1, 0, 0, &n);
	b[n - 1] ^= 1;
	m.p = b;
	m.n = n;
	ST_EQ(imp_bundle_read(db, off.sec, &q, mem_read, &m, n, &res, &err),
	    DS_OK, &err);
	INT_EQ(res.reason, BR_SIGNATURE);
	imp_result_free(&res);
	ds_free(b);
	odb_close(db);
	for (i = 0; i < 3; i++)
		sf_device_free(&d[i]);
	sf_office_free(&off);
}

int
main(void)
{
	tmp = ts_tmpdir("enroll");
	RUN(test_fingerprint);
	RUN(test_takeover);
	RUN(test_quota);
	return harness_done();
}
