/* doorstep: what a push does with each kind of answer from the office. */
/*
 * pack_push trusts only a verified receipt for the bundle it sent, in an
 * answer that is not a 5xx.  Anything else is "unknown": send the same
 * bundle again, and after the last try say nothing is lost (DS_ENET).  A
 * verified rejection ends the push (DS_EREJECT).  Between tries it waits
 * twice as long each time, up to a minute.
 *
 * A scripted office on loopback (plain sockets, HTTP/1.1, one request per
 * connection) answers each PUT from a script: the real office import of
 * the bytes it got (office.db, its signed receipt), a receipt signed by
 * the office key rejecting that bundle, one for another bundle, or no
 * body.  The client is the real one (libcurl), over a real record store.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "support/sqlfail.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "bundle.h"
#include "cry.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "pack.h"
#include "receipt.h"
#include "store.h"
#include "store_int.h"	/* the connection, for statement failures */

enum answer {
	A_IMPORT,	/* office.db imports it; its receipt */
	A_REJECT,	/* a rejection of this bundle, signed by the office */
	A_OTHER,	/* a receipt for another bundle, signed by the office */
	A_OTHERDEV,	/* one for this bundle but another device, same */
	A_EMPTY		/* no body */
};

struct step {
	int		 status;
	enum answer	 kind;
};

#define STEPS_MAX	8

static struct sf_office office;
static struct odb *db;
static struct store *st;
static struct cry_signkey *dkey;
static unsigned char devid[16];
static struct pack_opts pk = { .worker = "w1" };

static struct {
	int		 fd;
	unsigned	 port;
	struct step	 steps[STEPS_MAX];
	int		 nsteps, served;
	unsigned char	 last_id[16];	/* the bundle id last PUT */
	unsigned char	 ids[STEPS_MAX][16];	/* each request's */
	pthread_t	 th;
} srv;

static int
read_all(int fd, unsigned char *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = read(fd, p, n)) <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* A receipt signed by the office key for bundle id of device dev. */
static unsigned char *
office_receipt(int status, const unsigned char id[16],
    const unsigned char dev[16], size_t *len)
{
	static struct receipt r;
	unsigned char *out = NULL;

	memset(&r, 0, sizeof(r));
	cry_random(r.receipt_id, 16);
	memcpy(r.office_id, office.pub.office_id, 16);
	cry_key_id(office.pub.sign_pk, sizeof(office.pub.sign_pk),
	    r.office_kid);
	memcpy(r.device_id, dev, 16);
	memcpy(r.bundle_id, id, 16);
	r.status = (uint8_t)status;
	r.reason = status == RS_REJECTED ? BR_QUOTA : BR_OK;
	r.office_time = 1763870000;
	if (receipt_encode(&r, &office.sec->sign, &out, len, NULL) != DS_OK)
		return NULL;
	return out;
}

/* Answer one request on c as step s says. */
static void
answer(int c, const struct step *s)
{
	struct imp_result ir;
	struct bundle_header h;
	char head[4096], *cl;
	unsigned char *body = NULL, *out = NULL, other[16];
	size_t n = 0, len = 0, olen = 0;
	int why;

	while (n + 1 < sizeof(head) && read(c, head + n, 1) == 1) {
		n++;
		if (n >= 4 && memcmp(head + n - 4, "\r\n\r\n", 4) == 0)
			break;
	}
	head[n] = '\0';
	for (cl = head; (cl = strchr(cl, '\n')) != NULL; cl++)
		if (strncasecmp(cl + 1, "Content-Length:", 15) == 0)
			len = strtoul(cl + 16, NULL, 10);
	if (len > 0 && ((body = ds_malloc(len)) == NULL ||
	    read_all(c, body, len) != 0))
		len = 0;
	memset(&ir, 0, sizeof(ir));
	if (len > 0 && bundle_parse_header(body, len, &h, &why, NULL) ==
	    DS_OK)
		memcpy(srv.last_id, h.bundle_id, 16);
	memcpy(srv.ids[srv.served], srv.last_id, 16);
	switch (s->kind) {
	case A_IMPORT:
		if (imp_bundle(db, office.sec, body, len, &ir, NULL) == DS_OK) {
			out = ir.receipt;
			olen = ir.receipt_len;
		}
		break;
	case A_REJECT:
		out = office_receipt(RS_REJECTED, srv.last_id, devid, &olen);
		break;
	case A_OTHER:
		memcpy(other, srv.last_id, 16);
		other[15] ^= 1;
		out = office_receipt(RS_HELD, other, devid, &olen);
		break;
	case A_OTHERDEV:
		memcpy(other, devid, 16);
		other[15] ^= 1;
		out = office_receipt(RS_IMPORTED, srv.last_id, other, &olen);
		break;
	case A_EMPTY:
		break;
	}
	n = (size_t)snprintf(head, sizeof(head), "HTTP/1.1 %d Scripted\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", s->status,
	    olen);
	/* A client that went away (no TLS from us) is no error. */
	if (send(c, head, n, MSG_NOSIGNAL) == (ssize_t)n && olen > 0)
		(void)send(c, out, olen, MSG_NOSIGNAL);
	if (out != ir.receipt)
		ds_free(out);
	imp_result_free(&ir);
	ds_free(body);
}

static void *
serve(void *arg)
{
	int c;

	(void)arg;
	while (srv.served < srv.nsteps) {
		if ((c = accept(srv.fd, NULL, NULL)) < 0)
			break;
		answer(c, &srv.steps[srv.served]);
		srv.served++;
		close(c);
	}
	return NULL;
}

/* Listen on loopback and answer the steps in turn; 0 if it runs. */
static int
script(const struct step *s, int n)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((srv.fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(srv.fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(srv.fd, 8) != 0 ||
	    getsockname(srv.fd, (struct sockaddr *)&a, &al) != 0) {
		OK(0);
		return -1;
	}
	srv.port = ntohs(a.sin_port);
	memcpy(srv.steps, s, (size_t)n * sizeof(*s));
	srv.nsteps = n;
	srv.served = 0;
	memset(srv.last_id, 0, sizeof(srv.last_id));
	memset(srv.ids, 0, sizeof(srv.ids));
	if (pthread_create(&srv.th, NULL, serve, NULL) != 0) {
		OK(0);
		return -1;
	}
	return 0;
}

/* Stop the script (it may still wait for a request); how many it served. */
static int
script_end(void)
{
	shutdown(srv.fd, SHUT_RDWR);
	pthread_join(srv.th, NULL);
	close(srv.fd);
	return srv.served;
}

static int
all_zero(const unsigned char id[16])
{
	static const unsigned char zero[16];

	return memcmp(id, zero, 16) == 0;
}

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

static int64_t
unacked(void)
{
	struct store_outbox_counts c;
	struct ds_err err;

	if (store_outbox_count(st, &c, &err) != DS_OK)
		return -1;
	return c.revisions;
}

/* Waits between tries, as the back-off callback saw them. */
static struct {
	unsigned	 n, ms[8], next[8], tries;
	unsigned	 cancel_at;	/* cancel before this try (0: never) */
} waits;

static int
on_wait(void *arg, unsigned ms, unsigned next, unsigned tries)
{
	(void)arg;
	if (waits.n < 8) {
		waits.ms[waits.n] = ms;
		waits.next[waits.n] = next;
	}
	waits.n++;
	waits.tries = tries;
	return waits.cancel_at != 0 && next == waits.cancel_at;
}

/* Push with tries and the script; the status, err and rc filled. */
static enum ds_status
push(unsigned tries, const struct step *s, int n, int *served,
    struct receipt *rc, struct ds_err *err)
{
	struct push_opts po;
	struct pack_result pr;
	enum ds_status st_;
	char url[64];

	memset(&po, 0, sizeof(po));
	po.tries = tries;
	po.backoff_ms = 10;
	po.wait = on_wait;
	memset(&waits, 0, sizeof(waits));
	*served = 0;
	if (script(s, n) != 0)
		return DS_EIO;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", srv.port);
	ds_err_clear(err);
	st_ = pack_push(st, devid, dkey, &office.pub, &pk, url, &po, &pr, rc,
	    err);
	*served = script_end();
	return st_;
}

/*
 * A 5xx is unknown even with a valid receipt in it: the same bundle goes
 * again, and when no try is left nothing is retired.  Below 500 the
 * receipt counts.
 */
static void
test_5xx_is_unknown(void)
{
	static const struct step s500[] = { { 500, A_IMPORT } };
	static const struct step s500ok[] = {
		{ 500, A_IMPORT }, { 200, A_IMPORT },
	};
	static const struct step s499[] = { { 499, A_IMPORT } };
	static struct receipt rc;
	struct ds_err err;
	int64_t u;
	int served;

	save("{\"hh_id\":\"P1\",\"v\":1}");
	u = unacked();
	ST_EQ(push(1, s500, 1, &served, &rc, &err), DS_ENET, &err);
	INT_EQ(served, 1);
	/* Nothing else to say: no transport error, no bad receipt. */
	STR_EQ(err.msg, "no valid answer after 1 tries (HTTP 500); nothing "
	    "is lost: send again later");
	INT_EQ(unacked(), u);
	/* Again: the same bundle twice, then a receipt for it. */
	ST_EQ(push(2, s500ok, 2, &served, &rc, &err), DS_OK, &err);
	INT_EQ(served, 2);
	OK(!all_zero(srv.ids[0]));
	OK(memcmp(srv.ids[0], srv.ids[1], 16) == 0);
	OK(memcmp(rc.bundle_id, srv.ids[1], 16) == 0);
	INT_EQ(rc.status, RS_HELD);
	save("{\"hh_id\":\"P2\",\"v\":2}");
	ST_EQ(push(1, s499, 1, &served, &rc, &err), DS_OK, &err);
	INT_EQ(served, 1);
	OK(memcmp(rc.bundle_id, srv.last_id, 16) == 0);
}

/*
 * No body, a genuine receipt for another bundle, or one for this bundle
 * naming another device: send again.
 */
static void
test_no_body_or_other_bundle_is_unknown(void)
{
	static const struct step empty[] = { { 200, A_EMPTY } };
	static const struct step other[] = { { 200, A_OTHER } };
	static const struct step otherdev[] = { { 200, A_OTHERDEV } };
	static const struct step then[] = {
		{ 200, A_EMPTY }, { 200, A_OTHER }, { 200, A_IMPORT },
	};
	static struct receipt rc;
	struct ds_err err;
	int64_t u;
	int served;

	save("{\"hh_id\":\"P3\",\"v\":3}");
	u = unacked();
	ST_EQ(push(1, empty, 1, &served, &rc, &err), DS_ENET, &err);
	INT_EQ(served, 1);
	STR_EQ(err.msg, "no valid answer after 1 tries (HTTP 200); nothing "
	    "is lost: send again later");
	ST_EQ(push(1, other, 1, &served, &rc, &err), DS_ENET, &err);
	INT_EQ(served, 1);
	ST_EQ(push(1, otherdev, 1, &served, &rc, &err), DS_ENET, &err);
	INT_EQ(served, 1);
	OK(strstr(err.msg, "receipt is for another device") != NULL);
	INT_EQ(unacked(), u);
	ST_EQ(push(3, then, 3, &served, &rc, &err), DS_OK, &err);
	INT_EQ(served, 3);
	OK(memcmp(rc.bundle_id, srv.last_id, 16) == 0);
	INT_EQ(rc.status, RS_HELD);
}

/* A verified rejection ends the push at once and says why. */
static void
test_rejection_ends_the_push(void)
{
	static const struct step rej[] = {
		{ 422, A_REJECT }, { 200, A_IMPORT },
	};
	static struct receipt rc;
	struct ds_err err;
	int64_t u;
	int served;

	save("{\"hh_id\":\"P4\",\"v\":4}");
	u = unacked();
	ST_EQ(push(3, rej, 2, &served, &rc, &err), DS_EREJECT, &err);
	INT_EQ(served, 1);
	INT_EQ(waits.n, 0);
	INT_EQ(rc.status, RS_REJECTED);
	OK(strstr(err.msg, bundle_reason_str(BR_QUOTA)) != NULL);
	INT_EQ(unacked(), u);
}

/*
 * The waits: backoff_ms, then twice as long each time while under a
 * minute; the callback is told the try to come and how many there are,
 * and cancelling it ends the push before that try.  The defaults are
 * 5 tries and a first wait of a second.
 */
static void
test_backoff(void)
{
	static const struct step five[] = {
		{ 503, A_EMPTY }, { 503, A_EMPTY }, { 503, A_EMPTY },
		{ 503, A_EMPTY }, { 503, A_EMPTY },
	};
	static struct receipt rc;
	struct push_opts po;
	struct pack_result pr;
	struct ds_err err;
	char url[64];
	unsigned i, start[] = { 10, 30000, 59999, 0 };
	unsigned want[][4] = {
		{ 10, 20, 40, 80 },
		{ 30000, 60000, 60000, 60000 },
		{ 59999, 119998, 119998, 119998 },
		{ 1000, 2000, 4000, 8000 },
	};
	int64_t u;
	int k;

	save("{\"hh_id\":\"P5\",\"v\":5}");
	u = unacked();
	for (k = 0; k < 4; k++) {
		memset(&po, 0, sizeof(po));
		po.tries = k < 3 ? 5 : 0;
		po.backoff_ms = start[k];
		po.wait = on_wait;
		memset(&waits, 0, sizeof(waits));
		if (script(five, 5) != 0)
			return;
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/", srv.port);
		ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, url, &po,
		    &pr, &rc, &err), DS_ENET, &err);
		INT_EQ(script_end(), 5);
		INT_EQ(waits.n, 4);
		INT_EQ(waits.tries, 5);
		for (i = 0; i < 4; i++) {
			INT_EQ(waits.ms[i], want[k][i]);
			INT_EQ(waits.next[i], i + 2);
		}
		OK(strstr(err.msg, "after 5 tries") != NULL);
	}
	/* Cancelled before the third try. */
	memset(&po, 0, sizeof(po));
	po.tries = 5;
	po.backoff_ms = 10;
	po.wait = on_wait;
	memset(&waits, 0, sizeof(waits));
	waits.cancel_at = 3;
	if (script(five, 5) != 0)
		return;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", srv.port);
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, url, &po, &pr, &rc,
	    &err), DS_ECANCEL, &err);
	INT_EQ(script_end(), 2);
	OK(strstr(err.msg, "before try 3") != NULL);
	INT_EQ(unacked(), u);
}

/*
 * An https office that cannot be trusted (here: the CA file cannot be
 * used) ends the push at once, DS_ECRYPTO: no second try, no wait, and
 * the rows stay unacknowledged.
 */
static void
test_untrusted_server_ends_at_once(void)
{
	static const struct step any[] = {
		{ 200, A_IMPORT }, { 200, A_IMPORT }, { 200, A_IMPORT },
	};
	static struct receipt rc;
	struct push_opts po;
	struct pack_result pr;
	struct ds_err err;
	char url[64];
	int64_t u;

	save("{\"hh_id\":\"P7\",\"v\":7}");
	u = unacked();
	memset(&po, 0, sizeof(po));
	po.tries = 3;
	po.backoff_ms = 10;
	po.wait = on_wait;
	po.x.ca_file = "/nonexistent/doorstep-ca.pem";
	memset(&waits, 0, sizeof(waits));
	if (script(any, 3) != 0)
		return;
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/", srv.port);
	ST_EQ(pack_push(st, devid, dkey, &office.pub, &pk, url, &po, &pr, &rc,
	    &err), DS_ECRYPTO, &err);
	script_end();
	INT_EQ(waits.n, 0);
	OK(strstr(err.msg, "CA file") != NULL);
	INT_EQ(unacked(), u);
}

/*
 * A statement of the record store failing anywhere in a push (building
 * the bundle, marking it sent, applying the receipt): the push fails, one
 * try or none.  Nothing goes out that the store did not mark as sent.
 */
static void
test_statement_failures(void)
{
	static const struct step imp[] = { { 200, A_IMPORT } };
	static struct receipt rc;
	struct ds_err err;
	enum ds_status s;
	long k;
	int served, fired;

	save("{\"hh_id\":\"P6\",\"v\":6}");
	for (k = 1; k < 500; k++) {
		if (script(imp, 1) != 0)
			return;
		sqlfail_arm(st->db, k);
		{
			struct push_opts po;
			struct pack_result pr;
			char url[64];

			memset(&po, 0, sizeof(po));
			po.tries = 1;
			snprintf(url, sizeof(url), "http://127.0.0.1:%u/",
			    srv.port);
			ds_err_clear(&err);
			s = pack_push(st, devid, dkey, &office.pub, &pk, url,
			    &po, &pr, &rc, &err);
		}
		fired = sqlfail_fired() > 0;
		/* An interrupted ROLLBACK (ending a read) leaves the
		 * connection in its transaction; real SQLite does not fail
		 * a ROLLBACK, and store_tx_rollback does not look. */
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		sqlfail_disarm(st->db);
		served = script_end();
		if (!fired) {
			ST_EQ(s, DS_OK, &err);
			INT_EQ(served, 1);
			break;
		}
		if (s == DS_OK)
			HARNESS_FAIL("statement %ld failed, the push said OK "
			    "(%d sent)", k, served);
	}
	OK(k > 3 && k < 500);
}

int
main(void)
{
	struct ds_err err;
	unsigned char dek[32];
	char d[600];
	const char *tmp;

	ds_json_init();
	tmp = ts_tmpdir("push_answers");
	snprintf(d, sizeof(d), "%s/office", tmp);
	sf_office_make(&office, d);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK)
		return 1;
	cry_random(dek, sizeof(dek));
	cry_random(devid, sizeof(devid));
	snprintf(d, sizeof(d), "%s/records.db", tmp);
	if (store_open(d, dek, devid, &st, &err) != DS_OK ||
	    cry_signkey_new(&dkey, &err) != DS_OK)
		return 1;
	RUN(test_5xx_is_unknown);
	RUN(test_no_body_or_other_bundle_is_unknown);
	RUN(test_rejection_ends_the_push);
	RUN(test_backoff);
	RUN(test_untrusted_server_ends_at_once);
	RUN(test_statement_failures);
	store_close(st);
	cry_signkey_free(dkey);
	odb_close(db);
	sf_office_free(&office);
	return harness_done();
}
