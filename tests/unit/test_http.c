/* doorstep: HTTP push to the office receiver on loopback. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "bundle.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "pack.h"
#include "rcv.h"
#include "receipt.h"
#include "store.h"
#include "util.h"
#include "xport.h"

static const char *tmp;
static struct sf_office office;
static struct odb *db;
static struct store *st;
static struct cry_signkey *dkey;
static unsigned char devid[16];
static struct rcv_ctx ctx;

static void
save(const char *answers)
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
	ST_EQ(store_save(st, &s, NULL, &err), DS_OK, &err);
}

static void
test_push_imports_and_acks(void)
{
	static struct receipt rc;
	struct rcv_opts ro;
	struct rcv *rv = NULL;
	struct push_opts po;
	struct pack_opts pk = { "w1", NULL, 0, NULL, 0, 0 };
	struct pack_result pr;
	struct ds_err err;
	char url[64];

	memset(&ro, 0, sizeof(ro));
	memset(&po, 0, sizeof(po));
	po.tries = 2;
	po.backoff_ms = 50;
	ST_EQ(rcv_start(&ctx, &ro, &rv, &err), DS_OK, &err);
	if (rv == NULL)
		return;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", rcv_port(rv));
	save("{\"hh_id\":\"A1\",\"v\":1}");
	save("{\"hh_id\":\"A2\",\"v\":2}");
	/* Unknown device: held, nothing retired. */
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, url, &po, &pr, &rc,
	    &err), DS_OK, &err);
	INT_EQ(rc.status, RS_HELD);
	INT_EQ(sf_db_count(office.db, "pending"), 1);
	{
		char hex[33], fpr[CRY_FPR_TEXT];
		struct odb_device d;

		ds_hex_encode(devid, 16, hex);
		cry_fingerprint(dkey->pk, fpr);
		ST_EQ(imp_enroll(db, office.sec, hex, NULL, 0, fpr, NULL, NULL,
		    NULL, &d, NULL, &err), DS_OK, &err);
	}
	INT_EQ(sf_db_count(office.db, "revision"), 2);
	/* The ack state retires what the office now holds. */
	ST_EQ(pack_fetch_acks(st, devid, &office.pub, url, &po, &rc, &err),
	    DS_OK, &err);
	INT_EQ(rc.status, RS_ACKSTATE);
	INT_EQ(rc.contiguous, 2);
	{
		unsigned char *b = NULL;
		size_t n;

		ST_EQ(pack_build(st, devid, dkey, &office.pub, &pk, &b, &n, &pr,
		    &err), DS_ENOENT, &err);
		ds_free(b);
	}
	/* A new save pushes directly, imported. */
	save("{\"hh_id\":\"A3\",\"v\":3}");
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, url, &po, &pr, &rc,
	    &err), DS_OK, &err);
	INT_EQ(rc.status, RS_IMPORTED);
	INT_EQ(rc.n_new, 1);
	INT_EQ(rc.contiguous, 3);
	INT_EQ(pr.n_records, 1);
	INT_EQ(sf_db_count(office.db, "revision"), 3);
	rcv_stop(rv);
}

static void
test_handler_status_codes(void)
{
	struct rcv_reply r;
	struct sf_device d;
	struct sf_rev rv[1];
	unsigned char *b;
	size_t n;
	char url[128], hex[33];

	rcv_handle(&ctx, "GET", "/nope", NULL, 0, &r);
	INT_EQ(r.status, 404);
	ds_free(r.body);
	rcv_handle(&ctx, "PUT", "/v1/bundles/xyz", NULL, 0, &r);
	INT_EQ(r.status, 400);
	ds_free(r.body);
	rcv_handle(&ctx, "GET", "/v1/bundles/00000000000000000000000000000000",
	    NULL, 0, &r);
	INT_EQ(r.status, 405);
	ds_free(r.body);
	/* An unknown device's acks: an empty signed ack state, as for a
	 * device that has sent nothing, so the answer does not tell which
	 * device ids the office knows. */
	rcv_handle(&ctx, "GET", "/v1/devices/00000000000000000000000000000000"
	    "/acks", NULL, 0, &r);
	INT_EQ(r.status, 200);
	{
		static struct receipt rc;
		struct ds_err err;

		ST_EQ(receipt_open(r.body, r.len, &office.pub, &rc, &err),
		    DS_OK, &err);
		INT_EQ(rc.status, RS_ACKSTATE);
		INT_EQ(rc.nranges, 0);
	}
	ds_free(r.body);
	sf_device_make(&d, 9);
	sf_rev(&rv[0], &d, 1, 1, NULL, "{}");
	b = sf_bundle(&d, &office, rv, 1, 0, 0, &n);
	/* Path naming another bundle. */
	rcv_handle(&ctx, "PUT", "/v1/bundles/00000000000000000000000000000000",
	    b, n, &r);
	INT_EQ(r.status, 400);
	ds_free(r.body);
	ds_hex_encode(b + 12, 16, hex);
	snprintf(url, sizeof(url), "/v1/bundles/%s", hex);
	b[n - 1] ^= 1;
	rcv_handle(&ctx, "PUT", url, b, n, &r);
	INT_EQ(r.status, 422);
	{
		static struct receipt rc;
		struct ds_err err;

		ST_EQ(receipt_open(r.body, r.len, &office.pub, &rc, &err),
		    DS_OK, &err);
		INT_EQ(rc.reason, BR_SIGNATURE);
	}
	ds_free(r.body);
	b[n - 1] ^= 1;
	ctx.max_body = 100;
	rcv_handle(&ctx, "PUT", url, b, n, &r);
	INT_EQ(r.status, 413);
	ds_free(r.body);
	ctx.max_body = RCV_BODY_DEFAULT;
	ds_free(b);
	sf_device_free(&d);
}

/* Start a receiver on a fixed port after a delay. */
struct late {
	uint16_t	port;
	struct rcv	*rv;
};

static void *
late_start(void *arg)
{
	struct late *l = arg;
	struct rcv_opts ro;
	struct timespec ts = { 0, 300 * 1000000L };

	nanosleep(&ts, NULL);
	memset(&ro, 0, sizeof(ro));
	ro.port = l->port;
	if (rcv_start(&ctx, &ro, &l->rv, NULL) != DS_OK)
		l->rv = NULL;
	return NULL;
}

static void
test_no_answer_then_retry_same_bundle(void)
{
	static struct receipt rc;
	struct rcv_opts ro;
	struct rcv *rv = NULL;
	struct push_opts po;
	struct pack_opts pk = { "w1", NULL, 0, NULL, 0, 0 };
	struct pack_result pr;
	struct ds_err err;
	struct late l;
	pthread_t th;
	char url[64];

	/* Learn a free port, then close it. */
	memset(&ro, 0, sizeof(ro));
	ST_EQ(rcv_start(&ctx, &ro, &rv, &err), DS_OK, &err);
	if (rv == NULL)
		return;
	l.port = rcv_port(rv);
	l.rv = NULL;
	rcv_stop(rv);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", l.port);
	save("{\"hh_id\":\"A4\",\"v\":4}");
	memset(&po, 0, sizeof(po));
	po.tries = 1;
	po.backoff_ms = 10;
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, url, &po, &pr, &rc,
	    &err), DS_ENET, &err);
	OK(strstr(err.msg, "nothing is lost") != NULL);
	po.tries = 8;
	po.backoff_ms = 100;
	pthread_create(&th, NULL, late_start, &l);
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, url, &po, &pr, &rc,
	    &err), DS_OK, &err);
	pthread_join(th, NULL);
	INT_EQ(rc.status, RS_IMPORTED);
	INT_EQ(rc.contiguous, 4);
	INT_EQ(sf_db_count(office.db, "revision"), 4);
	rcv_stop(l.rv);
}

int
main(void)
{
	struct ds_err err;
	unsigned char dek[32];
	char d[600];

	ds_json_init();
	tmp = ts_tmpdir("http");
	snprintf(d, sizeof(d), "%s/office", tmp);
	sf_office_make(&office, d);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK)
		return 1;
	ctx.db = db;
	ctx.sec = office.sec;
	ctx.max_body = RCV_BODY_DEFAULT;
	cry_random(dek, sizeof(dek));
	cry_random(devid, sizeof(devid));
	snprintf(d, sizeof(d), "%s/records.db", tmp);
	if (store_open(d, dek, devid, &st, &err) != DS_OK ||
	    cry_signkey_new(&dkey, &err) != DS_OK)
		return 1;
	RUN(test_push_imports_and_acks);
	RUN(test_handler_status_codes);
	RUN(test_no_answer_then_retry_same_bundle);
	store_close(st);
	cry_signkey_free(dkey);
	odb_close(db);
	sf_office_free(&office);
	return harness_done();
}
