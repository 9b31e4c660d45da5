/* doorstep: TLS on the office receiver: certificate checks, https on loopback. */
/*
 * Fixtures in tests/sync/tls (tests/sync/tls/make.sh): ca.pem, server.pem
 * + server.key for 127.0.0.1 signed by it, and other.pem + other.key
 * signed by ca2.pem; all valid 2000-01-01 to 2125-01-01.  The pins below
 * were computed by openssl, not by the code under test.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "json.h"
#include "mem.h"
#include "odb.h"
#include "pack.h"
#include "rcv.h"
#include "receipt.h"
#include "store.h"
#include "util.h"
#include "xport.h"

#define PIN_SERVER	"sha256//vUQnRK/cWsnyWO1E95wRdvwSchfdyrmDS31CYGgzquA="
#define PIN_OTHER	"sha256//o8BFW/1MZrzyroNAH1kobIeBF45SkDygKU7wkkg4eiU="
#define T_2020		1577836800LL	/* 2020-01-01 */
#define T_1999		946684799LL	/* 1999-12-31 23:59:59 */
#define T_2125		4891363201LL	/* 2125-01-01 00:00:01 */

static const char *tmp_dir;
static char top[512], ca[600], ca2[600];
static char *srv_pem, *srv_key, *oth_pem, *oth_key;
static struct sf_office office;
static struct odb *db;
static struct rcv_ctx ctx;

static char *
fixture(const char *name)
{
	struct ds_err err;
	char p[600], *b = NULL;
	size_t n;

	snprintf(p, sizeof(p), "%s/tests/sync/tls/%s", top, name);
	if (ds_file_read(p, RCV_PEM_MAX, &b, &n, &err) != DS_OK) {
		fprintf(stderr, "fixture %s: %s\n", p, err.msg);
		exit(1);
	}
	return b;
}

static void
test_check_good_pair_and_pin(void)
{
	struct ds_err err;
	char pin[RCV_PIN_MAX];

	ST_EQ(rcv_tls_check(srv_pem, srv_key, T_2020, pin, &err), DS_OK, &err);
	STR_EQ(pin, PIN_SERVER);
	ST_EQ(rcv_tls_check(oth_pem, oth_key, T_2020, pin, &err), DS_OK, &err);
	STR_EQ(pin, PIN_OTHER);
}

static void
test_check_refusals(void)
{
	struct ds_err err;
	char pin[RCV_PIN_MAX], *cut;
	size_t n, i;

	ST_EQ(rcv_tls_check(srv_pem, oth_key, T_2020, pin, &err), DS_ECRYPTO,
	    &err);
	OK(strstr(err.msg, "does not belong to the certificate") != NULL);
	STR_EQ(pin, "");
	ST_EQ(rcv_tls_check(srv_key, srv_key, T_2020, pin, &err), DS_EPARSE,
	    &err);
	OK(strncmp(err.msg, "certificate file:", 17) == 0);
	ST_EQ(rcv_tls_check(srv_pem, srv_pem, T_2020, pin, &err), DS_EPARSE,
	    &err);
	OK(strncmp(err.msg, "key file:", 9) == 0);
	ST_EQ(rcv_tls_check("", srv_key, T_2020, pin, &err), DS_EPARSE, &err);
	ST_EQ(rcv_tls_check(srv_pem, "", T_2020, pin, &err), DS_EPARSE, &err);
	ST_EQ(rcv_tls_check(NULL, srv_key, T_2020, pin, &err), DS_EINVAL,
	    &err);
	ST_EQ(rcv_tls_check("-----BEGIN CERTIFICATE-----\nAAA*\n"
	    "-----END CERTIFICATE-----\n", srv_key, T_2020, pin, &err),
	    DS_EPARSE, &err);
	ST_EQ(rcv_tls_check(srv_pem, srv_key, T_1999, pin, &err), DS_ESTATE,
	    &err);
	OK(strstr(err.msg, "not valid before 2000-01-01") != NULL);
	ST_EQ(rcv_tls_check(srv_pem, srv_key, T_2125, pin, &err), DS_ESTATE,
	    &err);
	OK(strstr(err.msg, "expired on 2125-01-01") != NULL);
	/*
	 * Every truncation of either file inside its base64 is refused
	 * (GnuTLS accepts a cut "-----END ..." line: nothing is missing).
	 */
	n = (size_t)(strstr(srv_pem, "-----END") - srv_pem);
	cut = ds_malloc(n + 1);
	for (i = 0; cut != NULL && i < n; i += 3) {
		memcpy(cut, srv_pem, i);
		cut[i] = '\0';
		if (rcv_tls_check(cut, srv_key, T_2020, pin, NULL) == DS_OK)
			HARNESS_FAIL("certificate cut at %zu accepted", i);
	}
	ds_free(cut);
	n = (size_t)(strstr(srv_key, "-----END") - srv_key);
	cut = ds_malloc(n + 1);
	for (i = 0; cut != NULL && i < n; i += 3) {
		memcpy(cut, srv_key, i);
		cut[i] = '\0';
		if (rcv_tls_check(srv_pem, cut, T_2020, pin, NULL) == DS_OK)
			HARNESS_FAIL("key cut at %zu accepted", i);
	}
	ds_free(cut);
}

static void
test_start_refuses_bad_pairs(void)
{
	struct rcv_opts ro;
	struct rcv *rv = NULL;
	struct ds_err err;

	memset(&ro, 0, sizeof(ro));
	ro.tls_cert = srv_pem;
	ST_EQ(rcv_start(&ctx, &ro, &rv, &err), DS_EINVAL, &err);
	OK(rv == NULL);
	ro.tls_key = oth_key;
	ST_EQ(rcv_start(&ctx, &ro, &rv, &err), DS_ECRYPTO, &err);
	OK(rv == NULL);
	ro.tls_key = srv_key;
	ro.now = T_2125;
	ST_EQ(rcv_start(&ctx, &ro, &rv, &err), DS_ESTATE, &err);
	OK(rv == NULL);
	OK(rcv_tls_supported());
}

/* GET the ack state of an unknown device: 404 means the request arrived. */
static enum ds_status
get(const char *url, const char *cafile, const char *pin, long *status,
    struct ds_err *err)
{
	struct xport_opts xo;
	unsigned char id[16], *body = NULL;
	size_t blen = 0;
	enum ds_status st;

	memset(&xo, 0, sizeof(xo));
	xo.ca_file = cafile;
	xo.pinned_key = pin;
	xo.connect_s = 10;
	xo.timeout_s = 20;
	memset(id, 0x5a, sizeof(id));
	*status = 0;
	ds_err_clear(err);
	st = xport_get_acks(url, id, &xo, status, &body, &blen, 4096, err);
	ds_free(body);
	return st;
}

static void
test_https_on_loopback(void)
{
	struct rcv_opts ro;
	struct rcv *rv = NULL, *plain = NULL;
	struct ds_err err;
	char u[64], h[64], p[64];
	long status;

	memset(&ro, 0, sizeof(ro));
	ro.tls_cert = srv_pem;
	ro.tls_key = srv_key;
	ST_EQ(rcv_start(&ctx, &ro, &rv, &err), DS_OK, &err);
	if (rv == NULL)
		return;
	STR_EQ(rcv_pin(rv), PIN_SERVER);
	snprintf(u, sizeof(u), "https://127.0.0.1:%u", rcv_port(rv));
	snprintf(h, sizeof(h), "http://127.0.0.1:%u", rcv_port(rv));
	/* Trusted: the request reaches the handler (an unknown device
	 * gets an empty ack state: 200). */
	ST_EQ(get(u, ca, NULL, &status, &err), DS_OK, &err);
	INT_EQ(status, 200);
	ST_EQ(get(u, ca, PIN_SERVER, &status, &err), DS_OK, &err);
	INT_EQ(status, 200);
	setenv("DOORSTEP_CA_FILE", ca, 1);
	ST_EQ(get(u, NULL, NULL, &status, &err), DS_OK, &err);
	INT_EQ(status, 200);
	/* An explicit CA file wins over the environment. */
	ST_EQ(get(u, ca2, NULL, &status, &err), DS_ECRYPTO, &err);
	unsetenv("DOORSTEP_CA_FILE");
	/* Untrusted: DS_ECRYPTO, no HTTP status. */
	ST_EQ(get(u, NULL, NULL, &status, &err), DS_ECRYPTO, &err);
	INT_EQ(status, 0);
	OK(strstr(err.msg, "certificate is not trusted") != NULL);
	ST_EQ(get(u, ca2, NULL, &status, &err), DS_ECRYPTO, &err);
	ST_EQ(get(u, ca, PIN_OTHER, &status, &err), DS_ECRYPTO, &err);
	OK(strstr(err.msg, "does not match the pin") != NULL);
	snprintf(p, sizeof(p), "%s/none.pem", top);
	ST_EQ(get(u, p, NULL, &status, &err), DS_ECRYPTO, &err);
	OK(strstr(err.msg, "CA file") != NULL);
	/* The host name is checked: the certificate is for 127.0.0.1. */
	snprintf(p, sizeof(p), "https://localhost:%u", rcv_port(rv));
	ST_EQ(get(p, ca, NULL, &status, &err), DS_ECRYPTO, &err);
	/* Plain HTTP to the TLS port: no answer, and a hint. */
	ST_EQ(get(h, ca, NULL, &status, &err), DS_ENET, &err);
	OK(strstr(err.msg, "use https://") != NULL);
	/* https:// to a plain port. */
	memset(&ro, 0, sizeof(ro));
	ST_EQ(rcv_start(&ctx, &ro, &plain, &err), DS_OK, &err);
	if (plain != NULL) {
		OK(rcv_pin(plain) == NULL);
		snprintf(p, sizeof(p), "https://127.0.0.1:%u", rcv_port(plain));
		ST_EQ(get(p, ca, NULL, &status, &err), DS_ENET, &err);
		OK(strstr(err.msg, "does the office serve https") != NULL);
		rcv_stop(plain);
	}
	rcv_stop(rv);
	/* A server certificate from another CA. */
	ro.tls_cert = oth_pem;
	ro.tls_key = oth_key;
	ST_EQ(rcv_start(&ctx, &ro, &rv, &err), DS_OK, &err);
	if (rv == NULL)
		return;
	snprintf(u, sizeof(u), "https://127.0.0.1:%u", rcv_port(rv));
	ST_EQ(get(u, ca, NULL, &status, &err), DS_ECRYPTO, &err);
	ST_EQ(get(u, ca2, PIN_OTHER, &status, &err), DS_OK, &err);
	INT_EQ(status, 200);
	rcv_stop(rv);
}

/* An untrusted server ends a push at once and acknowledges nothing. */
static void
test_push_untrusted_no_retry(void)
{
	static struct receipt rc;
	struct rcv_opts ro;
	struct rcv *rv = NULL;
	struct push_opts po;
	struct pack_opts pk = { "w1", NULL, 0, NULL, 0, 0 };
	struct pack_result pr;
	struct store_save s;
	struct store *st = NULL;
	struct cry_signkey *dkey = NULL;
	struct ds_err err;
	unsigned char dek[32], devid[16], id[16];
	char u[64], d[600];
	const char *ans = "{\"hh_id\":\"T1\"}";
	struct timespec t0, t1;
	double el;

	cry_random(dek, sizeof(dek));
	cry_random(devid, sizeof(devid));
	snprintf(d, sizeof(d), "%s/records.db", tmp_dir);
	ST_EQ(store_open(d, dek, devid, &st, &err), DS_OK, &err);
	ST_EQ(cry_signkey_new(&dkey, &err), DS_OK, &err);
	if (st == NULL || dkey == NULL)
		goto done;
	store_id_new(id);
	memset(&s, 0, sizeof(s));
	s.record_id = id;
	s.form_id = "household";
	s.form_version = "2026112301";
	s.answers = ans;
	s.answers_len = strlen(ans);
	ST_EQ(store_save(st, &s, NULL, &err), DS_OK, &err);
	memset(&ro, 0, sizeof(ro));
	ro.tls_cert = oth_pem;
	ro.tls_key = oth_key;
	ST_EQ(rcv_start(&ctx, &ro, &rv, &err), DS_OK, &err);
	if (rv == NULL)
		goto done;
	snprintf(u, sizeof(u), "https://127.0.0.1:%u/", rcv_port(rv));
	memset(&po, 0, sizeof(po));
	po.tries = 3;
	po.backoff_ms = 3000;	/* a retry would take at least 3 s */
	po.x.ca_file = ca;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, u, &po, &pr, &rc,
	    &err), DS_ECRYPTO, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	el = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (el >= 2.5)
		HARNESS_FAIL("untrusted push took %.1f s: it retried", el);
	INT_EQ(sf_db_count(office.db, "pending"), 0);
	INT_EQ(sf_db_count(office.db, "revision"), 0);
	/* Trusting the right CA, the same row goes (held: unknown device). */
	po.x.ca_file = ca2;
	po.x.pinned_key = PIN_OTHER;
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, u, &po, &pr, &rc,
	    &err), DS_OK, &err);
	INT_EQ(rc.status, RS_HELD);
	INT_EQ(sf_db_count(office.db, "pending"), 1);
	rcv_stop(rv);
done:
	if (st != NULL)
		store_close(st);
	cry_signkey_free(dkey);
}

int
main(void)
{
	struct ds_err err;
	const char *t = getenv("DS_TOP");
	char d[600];

	ds_json_init();
	unsetenv("DOORSTEP_CA_FILE");
	snprintf(top, sizeof(top), "%s", t != NULL ? t : ".");
	snprintf(ca, sizeof(ca), "%s/tests/sync/tls/ca.pem", top);
	snprintf(ca2, sizeof(ca2), "%s/tests/sync/tls/ca2.pem", top);
	srv_pem = fixture("server.pem");
	srv_key = fixture("server.key");
	oth_pem = fixture("other.pem");
	oth_key = fixture("other.key");
	tmp_dir = ts_tmpdir("tls");
	snprintf(d, sizeof(d), "%s/office", tmp_dir);
	sf_office_make(&office, d);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK)
		return 1;
	ctx.db = db;
	ctx.sec = office.sec;
	ctx.max_body = RCV_BODY_DEFAULT;
	RUN(test_check_good_pair_and_pin);
	RUN(test_check_refusals);
	RUN(test_start_refuses_bad_pairs);
	RUN(test_https_on_loopback);
	RUN(test_push_untrusted_no_retry);
	odb_close(db);
	sf_office_free(&office);
	ds_free(srv_pem);
	ds_free(srv_key);
	ds_free(oth_pem);
	ds_free(oth_key);
	return harness_done();
}
