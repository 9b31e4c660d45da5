/* doorstep: cancelling a push, and the upload rate cap, on loopback. */
/*
 * The progress callback returning nonzero aborts the upload (DS_ECANCEL,
 * no further try); so does the back-off callback.  Neither retires a row:
 * the records stay pending and the next push delivers them.  The rate cap
 * (xport_opts.max_send_rate, DOORSTEP_SYNC_MAX_RATE) really slows the
 * upload.  Real libcurl against the real receiver (libmicrohttpd).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "cry.h"
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

#define BIG_HEX		100000	/* random hex per record: ~55 KB deflated */

static struct sf_office office;
static struct odb *db;
static struct store *st;
static struct cry_signkey *dkey;
static unsigned char devid[16];
static struct rcv_ctx ctx;
static struct pack_opts pk = { .worker = "w1" };
static const char *tmp;

struct seen {
	size_t		 calls, mid, total, cancel_at;
	unsigned	 waits, next, tries, ms;
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A record whose answers do not compress. */
static void
save_big(int n)
{
	struct store_save s;
	struct ds_err err;
	unsigned char id[16], rnd[BIG_HEX / 2];
	char *json;
	size_t off;

	json = ds_malloc(BIG_HEX + 64);
	if (json == NULL)
		return;
	cry_random(rnd, sizeof(rnd));
	off = (size_t)snprintf(json, 64, "{\"hh_id\":\"B%d\",\"x\":\"", n);
	ds_hex_encode(rnd, sizeof(rnd), json + off);
	off += BIG_HEX;
	memcpy(json + off, "\"}", 3);
	store_id_new(id);
	memset(&s, 0, sizeof(s));
	s.record_id = id;
	s.form_id = "household";
	s.form_version = "2026112301";
	s.answers = json;
	s.answers_len = off + 2;
	ST_EQ(store_save(st, &s, NULL, &err), DS_OK, &err);
	ds_free(json);
}

/* Outbox rows no verified receipt covers yet. */
static int64_t
pending(void)
{
	struct store_outbox_counts c;
	struct ds_err err;

	memset(&c, 0, sizeof(c));
	ST_EQ(store_outbox_count(st, &c, &err), DS_OK, &err);
	return c.revisions;
}

/* Cancel once cancel_at bytes went (0: never); note a mid-way value. */
static int
on_progress(void *arg, size_t sent, size_t total)
{
	struct seen *s = arg;

	s->calls++;
	s->total = total;
	if (sent > 0 && sent < total)
		s->mid = sent;
	return s->cancel_at != 0 && sent >= s->cancel_at;
}

static int
on_wait(void *arg, unsigned ms, unsigned next, unsigned tries)
{
	struct seen *s = arg;

	s->waits++;
	s->ms = ms;
	s->next = next;
	s->tries = tries;
	return 1;
}

static void
test_progress_cancels_and_nothing_is_acked(void)
{
	static struct receipt rc;
	struct rcv_opts ro;
	struct rcv *rv = NULL;
	struct push_opts po;
	struct pack_result pr;
	struct ds_err err;
	struct seen s;
	char url[64], hex[33], fpr[CRY_FPR_TEXT];
	struct odb_device d;
	int64_t t0;
	int i;

	memset(&ro, 0, sizeof(ro));
	ST_EQ(rcv_start(&ctx, &ro, &rv, &err), DS_OK, &err);
	if (rv == NULL)
		return;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", rcv_port(rv));
	/* Enroll the laptop: a first push is held, then approved. */
	memset(&po, 0, sizeof(po));
	po.tries = 2;
	po.backoff_ms = 50;
	save_big(0);
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, url, &po, &pr, &rc,
	    &err), DS_OK, &err);
	INT_EQ(rc.status, RS_HELD);
	ds_hex_encode(devid, 16, hex);
	cry_fingerprint(dkey->pk, fpr);
	ST_EQ(imp_enroll(db, office.sec, hex, NULL, 0, fpr, NULL, NULL, NULL,
	    &d, NULL, &err), DS_OK, &err);
	ST_EQ(pack_fetch_acks(st, devid, &office.pub, url, &po, &rc, &err),
	    DS_OK, &err);
	INT_EQ(pending(), 0);
	INT_EQ(sf_db_count(office.db, "revision"), 1);

	for (i = 1; i <= 4; i++)
		save_big(i);
	INT_EQ(pending(), 4);
	/* ~220 KB at 200 KB/s; cancel a quarter of the way. */
	memset(&s, 0, sizeof(s));
	po.tries = 3;
	po.x.progress = on_progress;
	po.x.arg = &s;
	po.x.max_send_rate = 200000;
	po.wait = on_wait;
	s.cancel_at = 50000;
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, url, &po, &pr, &rc,
	    &err), DS_ECANCEL, &err);
	OK(strstr(err.msg, "upload cancelled") != NULL);
	OK(s.total > 200000);
	OK(s.mid > 0 && s.mid < s.total);
	INT_EQ(s.waits, 0);		/* no second try after a cancel */
	INT_EQ(pending(), 4);		/* nothing acknowledged */
	INT_EQ(sf_db_count(office.db, "revision"), 1);

	/* The next push sends the same records; the cap slows it. */
	memset(&s, 0, sizeof(s));
	t0 = mono_ms();
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, url, &po, &pr, &rc,
	    &err), DS_OK, &err);
	OK(mono_ms() - t0 >= 500);	/* > 200 KB at 200 KB/s */
	INT_EQ(rc.status, RS_IMPORTED);
	INT_EQ(rc.n_new, 4);
	INT_EQ(pr.n_records, 4);
	OK(s.mid > 0);
	INT_EQ(pending(), 0);
	INT_EQ(sf_db_count(office.db, "revision"), 5);

	/* The operator's cap from the environment, when the caller sets none. */
	save_big(5);
	save_big(6);
	memset(&s, 0, sizeof(s));
	po.x.max_send_rate = 0;
	setenv("DOORSTEP_SYNC_MAX_RATE", "250000", 1);
	t0 = mono_ms();
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, url, &po, &pr, &rc,
	    &err), DS_OK, &err);
	OK(mono_ms() - t0 >= 250);	/* > 100 KB at 250 KB/s */
	unsetenv("DOORSTEP_SYNC_MAX_RATE");
	INT_EQ(rc.n_new, 2);
	rcv_stop(rv);
}

static void
test_wait_cancels_between_tries(void)
{
	static struct receipt rc;
	struct rcv_opts ro;
	struct rcv *rv = NULL;
	struct push_opts po;
	struct pack_result pr;
	struct ds_err err;
	struct seen s;
	char url[64];

	/* A port nobody listens on any more. */
	memset(&ro, 0, sizeof(ro));
	ST_EQ(rcv_start(&ctx, &ro, &rv, &err), DS_OK, &err);
	if (rv == NULL)
		return;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", rcv_port(rv));
	rcv_stop(rv);
	save_big(7);
	memset(&s, 0, sizeof(s));
	memset(&po, 0, sizeof(po));
	po.tries = 3;
	po.backoff_ms = 700;
	po.x.progress = on_progress;
	po.x.arg = &s;
	po.wait = on_wait;
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, url, &po, &pr, &rc,
	    &err), DS_ECANCEL, &err);
	INT_EQ(s.waits, 1);
	INT_EQ(s.ms, 700);
	INT_EQ(s.next, 2);
	INT_EQ(s.tries, 3);
	INT_EQ(pending(), 1);
}

/*
 * A push of several bundles whose first receipt already covers the rest
 * (they reached the office on a stick whose receipts were lost): the
 * push delivered a bundle and applied its receipt, so it succeeded; it
 * is not "nothing to send".
 */
static void
test_split_push_first_receipt_covers_the_rest(void)
{
	static struct receipt rc;
	struct rcv_opts ro;
	struct rcv *rv = NULL;
	struct push_opts po;
	struct pack_opts one = pk;
	struct pack_result pr;
	struct imp_result ir;
	struct ds_err err;
	char url[64], path[700], rp[PATH_MAX];

	memset(&ro, 0, sizeof(ro));
	ST_EQ(rcv_start(&ctx, &ro, &rv, &err), DS_OK, &err);
	if (rv == NULL)
		return;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", rcv_port(rv));
	/* Everything pending goes on a stick and is imported; the receipt
	 * never comes back. */
	save_big(8);
	save_big(9);
	snprintf(path, sizeof(path), "%s/stick.dsb", tmp);
	ST_EQ(pack_export(st, devid, dkey, &office.pub, &pk, path, &pr, &err),
	    DS_OK, &err);
	ST_EQ(imp_file(db, office.sec, path, NULL, &ir, rp, &err), DS_OK,
	    &err);
	imp_result_free(&ir);
	OK(pending() > 2);
	/* Pushed one row per bundle: the first receipt retires them all. */
	one.max_bytes = 10;
	memset(&po, 0, sizeof(po));
	po.tries = 2;
	po.backoff_ms = 50;
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &one, url, &po, &pr, &rc,
	    &err), DS_OK, &err);
	INT_EQ(pr.n_records, 1);
	INT_EQ(rc.status, RS_DUPLICATE);
	INT_EQ(pending(), 0);
	rcv_stop(rv);
}

int
main(void)
{
	struct ds_err err;
	unsigned char dek[32];
	char d[600];

	ds_json_init();
	unsetenv("DOORSTEP_SYNC_MAX_RATE");
	tmp = ts_tmpdir("pushcancel");
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
	RUN(test_progress_cancels_and_nothing_is_acked);
	RUN(test_wait_cancels_between_tries);
	RUN(test_split_push_first_receipt_covers_the_rest);
	store_close(st);
	cry_signkey_free(dkey);
	odb_close(db);
	sf_office_free(&office);
	return harness_done();
}
