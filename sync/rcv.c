/* doorstep: office HTTP receiver handlers on libmicrohttpd. */
/*
 * The only includer of <microhttpd.h>.  No HTTP parsing of our own: the
 * daemon delivers method, URL and body chunks.  What clients may make the
 * office hold is bounded before it is held:
 *
 * - a request is routed from its first line and headers alone, so a wrong
 *   path or method, a missing Content-Length or one over the cap is
 *   answered at once (before "100 Continue", before any body);
 * - a body goes to an unlinked spool file in the office directory (it is
 *   ciphertext) as it arrives, never into memory; the spool as a whole is
 *   capped, and the importer reads it back piece by piece (imp_bundle_read)
 *   so only a bundle signed by a device that may leave it is ever loaded;
 * - one thread runs the event loop (MHD_run_wait) and, between rounds,
 *   drops connections that are too slow (rcv.h): libmicrohttpd's own
 *   timeout is an idle timeout, which a client sending one byte now and
 *   then never meets.  A connection is dropped with shutdown(2) on its
 *   socket, on the loop's own thread, so the daemon closes it as any other
 *   and no descriptor is ever closed twice;
 * - every request and every drop is logged (rcv_opts.log).
 *
 * rcv_handle is the transport-free core the tests and fuzzers call.
 */
#include "rcv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "assign.h"
#include "buf.h"
#include "bundle.h"
#include "dnote.h"
#include "imp.h"
#include "mem.h"
#include "odb_assign.h"
#include "receipt.h"
#include "util.h"

/* TLS 1.2 and 1.3 with AEAD ciphers only (GnuTLS priority string). */
#define RCV_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:" \
	"-CIPHER-ALL:+CHACHA20-POLY1305:+AES-256-GCM:+AES-128-GCM:" \
	"-MAC-ALL:+AEAD"
#define RCV_CONN_MEMORY	(32u << 10)	/* per connection: headers, buffer */
#define RCV_LOOP_MS	100		/* longest wait between checks */
#define RCV_MEM_REPLY	(64u << 10)	/* larger answers go from a file */
#define RCV_PATH_LOG	80

struct conn;

/* One request: its body goes to a spool file. */
struct req {
	struct conn	*c;
	uint64_t	 start_ns;
	uint64_t	 want, got;	/* Content-Length, bytes received */
	uint64_t	 reply_ns;	/* the answer was queued */
	size_t		 reply_len;
	int		 spool;		/* fd, or -1 */
	int		 answered;	/* a reply is queued */
	int		 logged;
	unsigned	 status;
	char		 method[8];
	char		 path[RCV_PATH_LOG + 1];
	char		 device[9];
	char		 what[64];
};

/* One socket, from accept to close. */
struct conn {
	struct conn		*next, **prevp;
	struct MHD_Connection	*mc;
	int			 fd;
	uint64_t		 since_ns;	/* accepted, or the last request
						   ended */
	struct req		*req;
	int			 dropped;
	char			 addr[INET_ADDRSTRLEN];
};

struct rcv {
	struct MHD_Daemon	*d;
	struct rcv_ctx		*ctx;
	uint16_t		 port;
	char			 pin[RCV_PIN_MAX];	/* empty: plain HTTP */
	pthread_t		 th;
	int			 started;
	atomic_int		 stop;
	struct conn		*conns;
	unsigned		 timeout_s;
	uint64_t		 spool_max, spooled;
	char			*spool_dir;
	void			(*log)(void *, const char *);
	void			*log_arg;
};

static int
text(struct rcv_reply *r, unsigned status, const char *msg)
{
	r->status = status;
	r->ctype = "text/plain; charset=utf-8";
	r->body = (unsigned char *)ds_strdup(msg);
	r->len = r->body != NULL ? strlen(msg) : 0;
	return 0;
}

/* "/v1/bundles/<32 hex>" or "/v1/devices/<32 hex>/acks". */
static int
parse_id(const char *s, unsigned char id[16], const char **rest)
{
	char hex[33];

	if (strlen(s) < 32)
		return -1;
	memcpy(hex, s, 32);
	hex[32] = '\0';
	if (ds_hex_decode(hex, id, 16) != 0)
		return -1;
	*rest = s + 32;
	return 0;
}

static unsigned
status_for(const struct imp_result *r)
{
	switch (r->status) {
	case RS_IMPORTED:
	case RS_DUPLICATE:
		return 200;
	case RS_HELD:
		return 202;
	default:
		break;
	}
	switch (r->reason) {
	case BR_LEDGER:
		return 409;
	case BR_DEVICE_REVOKED:
	case BR_DEVICE_KEY:
		return 403;
	case BR_OFFICE:
		return 421;
	case BR_SIZE:
		return 413;
	case BR_QUOTA:
		return 429;
	default:
		return 422;
	}
}

/* A request body: in memory (rcv_handle) or in a spool file. */
struct body {
	const unsigned char	*mem;
	int			 fd;
	uint64_t		 len;
};

static int
body_read(void *arg, uint64_t off, void *buf, size_t n)
{
	const struct body *b = arg;
	ssize_t r;
	size_t done = 0;

	if (off > b->len || n > b->len - off)
		return -1;
	if (b->mem != NULL) {
		memcpy(buf, b->mem + off, n);
		return 0;
	}
	while (done < n) {
		r = pread(b->fd, (char *)buf + done, n - done,
		    (off_t)(off + done));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

/*
 * What to do with a request before its body: 0 to read the body and
 * handle it, else the status to answer at once.  *cap is the largest body
 * the request may carry.
 */
static unsigned
route(const struct rcv_ctx *c, const char *method, const char *url,
    uint64_t *cap)
{
	unsigned char id[16];
	const char *rest;

	*cap = RCV_SMALL_BODY;
	if (strncmp(url, "/v1/bundles/", 12) == 0) {
		if (parse_id(url + 12, id, &rest) != 0 || *rest != '\0')
			return 400;
		if (strcmp(method, "PUT") != 0)
			return 405;
		*cap = c->max_body;
		return 0;
	}
	if (strncmp(url, "/v1/devices/", 12) != 0 ||
	    parse_id(url + 12, id, &rest) != 0)
		return 404;
	if (strcmp(rest, "/note") == 0)
		return strcmp(method, "POST") != 0 ? 405 : 0;
	if (strncmp(rest, "/lists/", 7) == 0 || strcmp(rest, "/acks") == 0)
		return strcmp(method, "GET") != 0 ? 405 : 0;
	return 404;
}

static const char *
status_text(unsigned s)
{
	switch (s) {
	case 400:
		return "bad request\n";
	case 404:
		return "not found\n";
	case 405:
		return "method not allowed\n";
	case 411:
		return "Content-Length required\n";
	case 413:
		return "too large\n";
	default:
		return "refused\n";
	}
}

/*
 * POST /v1/devices/ID/note: a device note (docs/bundle-format.md), one
 * transaction.  200 "ok N" (N office bundles wait for the device); 400 a
 * malformed note or one of another device than the path; 403 revoked,
 * wrong key or an unknown device (alike: the answer does not tell which
 * devices the office knows); 409 names a bundle never made; 421 another
 * office.
 */
static int
note(struct rcv_ctx *c, const unsigned char id[16], const struct body *b,
    struct rcv_reply *out)
{
	static const unsigned codes[] = { 200, 400, 421, 403, 403, 403, 409 };
	struct assign_note_res res;
	struct ds_err err;
	unsigned char buf[DNOTE_LEN];
	char msg[64];
	enum ds_status st;

	if (b->len != DNOTE_LEN || body_read((void *)(uintptr_t)b, 0, buf,
	    DNOTE_LEN) != 0 || memcmp(buf + 8, id, 16) != 0)
		return text(out, 400, "not a device note of this device\n");
	ds_err_clear(&err);
	if ((st = odb_begin(c->db, &err)) != DS_OK)
		return text(out, 503, "office database busy; try again\n");
	if ((st = assign_note(c->db, c->sec, buf, DNOTE_LEN, &res, &err)) ==
	    DS_OK)
		st = odb_commit(c->db, &err);
	else
		odb_rollback(c->db);
	if (st == DS_EREJECT && res.why > 0 && res.why <
	    (int)(sizeof(codes) / sizeof(codes[0]))) {
		snprintf(out->what, sizeof(out->what), "note refused (%d)",
		    res.why);
		return text(out, codes[res.why], "note refused\n");
	}
	if (st != DS_OK)
		return text(out, 503, "office database failing; try again\n");
	snprintf(out->what, sizeof(out->what), "note ok");
	snprintf(msg, sizeof(msg), "ok %llu\n",
	    (unsigned long long)res.waiting);
	return text(out, 200, msg);
}

/*
 * GET /v1/devices/ID/lists/SEQ: that office bundle, as made.  An unknown
 * device and a bundle not made (yet) answer alike: 404.
 */
static int
lists(struct rcv_ctx *c, const unsigned char id[16], const char *seqtext,
    struct rcv_reply *out)
{
	struct ds_err err;
	int64_t seq;

	if (ds_parse_i64(seqtext, 1, INT64_MAX, &seq) != 0)
		return text(out, 404, "not found\n");
	ds_err_clear(&err);
	switch (odb_obundle_get(c->db, id, (uint64_t)seq, &out->body,
	    &out->len, NULL, &err)) {
	case DS_OK:
		out->status = 200;
		out->ctype = "application/octet-stream";
		return 0;
	case DS_ENOENT:
		return text(out, 404, "not found\n");
	default:
		return text(out, 503, "office database failing; try again\n");
	}
}

static int
bundle(struct rcv_ctx *c, const unsigned char id[16], const struct body *b,
    struct rcv_reply *out)
{
	struct imp_result res;
	struct bundle_header h;
	struct ds_err err;
	unsigned char head[BUNDLE_HEADER_MAX];
	size_t n;
	int why;

	if (b->len > c->max_body)
		return text(out, 413, "bundle too large\n");
	/* The path must name the bundle it carries. */
	n = b->len < sizeof(head) ? (size_t)b->len : sizeof(head);
	if (body_read((void *)(uintptr_t)b, 0, head, n) == 0 &&
	    bundle_parse_header_prefix(head, n, (size_t)b->len, &h, &why,
	    NULL) == DS_OK && memcmp(h.bundle_id, id, 16) != 0)
		return text(out, 400, "bundle id in path differs from the "
		    "bundle\n");
	ds_err_clear(&err);
	if (imp_bundle_read(c->db, c->sec, c->quota, body_read,
	    (void *)(uintptr_t)b, b->len, &res, &err) != DS_OK) {
		snprintf(out->what, sizeof(out->what), "failed: %s",
		    ds_status_str(err.code));
		return text(out, 503, "office database busy or failing; send "
		    "the same bundle again later\n");
	}
	out->status = status_for(&res);
	out->ctype = "application/octet-stream";
	out->body = res.receipt;
	out->len = res.receipt_len;
	if (res.status != RS_REJECTED || !imp_not_bundle(res.reason))
		ds_hex_encode(res.device_id, 4, out->device);
	if (res.status == RS_REJECTED)
		snprintf(out->what, sizeof(out->what), "rejected %s",
		    bundle_reason_name(res.reason));
	else
		snprintf(out->what, sizeof(out->what), "%s %u new",
		    receipt_status_str(res.status), res.n_new);
	res.receipt = NULL;
	imp_result_free(&res);
	return 0;
}

static int
handle(struct rcv_ctx *c, const char *method, const char *url,
    const struct body *b, struct rcv_reply *out)
{
	struct ds_err err;
	unsigned char id[16];
	const char *rest;
	uint64_t cap;
	unsigned s;

	memset(out, 0, sizeof(*out));
	ds_err_clear(&err);
	if ((s = route(c, method, url, &cap)) != 0)
		return text(out, s, status_text(s));
	if (b->len > cap)
		return text(out, 413, status_text(413));
	if (strncmp(url, "/v1/bundles/", 12) == 0) {
		(void)parse_id(url + 12, id, &rest);
		return bundle(c, id, b, out);
	}
	(void)parse_id(url + 12, id, &rest);
	ds_hex_encode(id, 4, out->device);
	if (strcmp(rest, "/note") == 0)
		return note(c, id, b, out);
	if (strncmp(rest, "/lists/", 7) == 0)
		return lists(c, id, rest + 7, out);
	/*
	 * /acks: a fresh ack state.  An unknown device gets one too (no
	 * ranges, acknowledging nothing), so the answer does not tell
	 * whether the office knows a device id.
	 */
	if (imp_ack_state(c->db, c->sec, id, &out->body, &out->len, &err) !=
	    DS_OK)
		return text(out, 503, "cannot make ack state\n");
	out->status = 200;
	out->ctype = "application/octet-stream";
	snprintf(out->what, sizeof(out->what), "ack state");
	return 0;
}

void
rcv_handle(struct rcv_ctx *c, const char *method, const char *url,
    const unsigned char *body, size_t len, struct rcv_reply *out)
{
	struct body b;

	b.mem = body != NULL ? body : (const unsigned char *)"";
	b.fd = -1;
	b.len = len;
	(void)handle(c, method, url, &b, out);
}

/* ---- the daemon ---------------------------------------------------------- */

static uint64_t
ms_since(uint64_t ns)
{
	return (ds_mono_ns() - ns) / 1000000;
}

/* Printable ASCII only, capped: the path comes from the client. */
static void
clean(char *out, size_t n, const char *in)
{
	size_t i;

	for (i = 0; i + 1 < n && in != NULL && in[i] != '\0'; i++)
		out[i] = in[i] > ' ' && in[i] < 0x7f ? in[i] : '?';
	out[i] = '\0';
}

static void
log_line(struct rcv *rv, const struct conn *c, const char *method,
    const char *path, unsigned status, uint64_t in, size_t out,
    const char *device, const char *what)
{
	char line[RCV_LOG_MAX], t[32], st[8];

	if (rv->log == NULL)
		return;
	ds_time_iso(ds_now(), t);
	if (status != 0)
		snprintf(st, sizeof(st), "%u", status);
	else
		snprintf(st, sizeof(st), "-");
	snprintf(line, sizeof(line), "%s %s %s %s %s %llu %zu%s%s %s", t,
	    c->addr, method[0] != '\0' ? method : "-", path[0] != '\0' ?
	    path : "-", st, (unsigned long long)in, out,
	    device != NULL && device[0] != '\0' ? " device " : "",
	    device != NULL ? device : "", what);
	rv->log(rv->log_arg, line);
}

static void
drop(struct rcv *rv, struct conn *c, const char *why)
{
	struct req *q = c->req;

	if (c->dropped)
		return;
	c->dropped = 1;
	(void)shutdown(c->fd, SHUT_RDWR);
	if (q != NULL) {
		q->logged = 1;
		log_line(rv, c, q->method, q->path, 0, q->got, 0, q->device,
		    why);
	} else
		log_line(rv, c, "", "", 0, 0, 0, NULL, why);
}

/*
 * The deadlines libmicrohttpd does not keep (rcv.h).  Runs on the loop's
 * thread between rounds, so every connection here is still open.
 */
static void
reap(struct rcv *rv)
{
	struct conn *c;
	struct req *q;
	uint64_t hdr_ms, grace_ms, el;

	hdr_ms = (uint64_t)(rv->timeout_s < RCV_HEADER_S ? rv->timeout_s :
	    RCV_HEADER_S) * 1000;
	grace_ms = (uint64_t)rv->timeout_s * 1000;
	for (c = rv->conns; c != NULL; c = c->next) {
		if (c->dropped)
			continue;
		q = c->req;
		if (q == NULL) {
			if (ms_since(c->since_ns) > hdr_ms)
				drop(rv, c, "dropped: no request headers in "
				    "time");
			continue;
		}
		if (q->answered) {
			el = ms_since(q->reply_ns);
			if (el > grace_ms + (uint64_t)q->reply_len * 1000 /
			    RCV_MIN_RATE)
				drop(rv, c, "dropped: answer read too slowly");
			continue;
		}
		el = ms_since(q->start_ns);
		if (el > grace_ms && q->got * 1000 < RCV_MIN_RATE * el)
			drop(rv, c, "dropped: body too slow");
	}
}

static struct conn *
conn_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

static void
notify_cb(void *cls, struct MHD_Connection *mc, void **sock_ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct rcv *rv = cls;
	const union MHD_ConnectionInfo *ci;
	struct conn *c = *sock_ctx;
	const struct sockaddr_in *sin;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (c == NULL)
			return;
		if ((*c->prevp = c->next) != NULL)
			c->next->prevp = c->prevp;
		ds_free(c);
		*sock_ctx = NULL;
		return;
	}
	if ((c = ds_calloc(1, sizeof(*c))) == NULL)
		return;		/* untracked: the idle timeout still holds */
	c->mc = mc;
	c->fd = -1;
	c->since_ns = ds_mono_ns();
	if ((ci = MHD_get_connection_info(mc,
	    MHD_CONNECTION_INFO_CONNECTION_FD)) != NULL)
		c->fd = ci->connect_fd;
	snprintf(c->addr, sizeof(c->addr), "?");
	if ((ci = MHD_get_connection_info(mc,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS)) != NULL &&
	    ci->client_addr != NULL && ci->client_addr->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)ci->client_addr;
		inet_ntop(AF_INET, &sin->sin_addr, c->addr, sizeof(c->addr));
	}
	if ((c->next = rv->conns) != NULL)
		c->next->prevp = &c->next;
	c->prevp = &rv->conns;
	rv->conns = c;
	*sock_ctx = c;
}

/* An unlinked file in the spool directory, mode 0600. */
static int
spool_open(const struct rcv *rv)
{
	char path[4096];
	int fd;

#ifdef O_TMPFILE
	if ((fd = open(rv->spool_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) !=
	    -1)
		return fd;
#endif
	if (snprintf(path, sizeof(path), "%s/.rcv-spool.XXXXXX",
	    rv->spool_dir) >= (int)sizeof(path))
		return -1;
	if ((fd = mkstemp(path)) == -1)
		return -1;
	(void)unlink(path);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

static int
spool_write(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
free_reply(void *p)
{
	ds_free(p);
}

/* Queue r (its body is taken); large bodies go from a spool file. */
static enum MHD_Result
reply(struct rcv *rv, struct MHD_Connection *mc, struct req *q,
    struct rcv_reply *r)
{
	struct MHD_Response *resp = NULL;
	enum MHD_Result ret;
	int fd;

	if (r->len > RCV_MEM_REPLY && (fd = spool_open(rv)) != -1) {
		if (spool_write(fd, (const char *)r->body, r->len) == 0)
			resp = MHD_create_response_from_fd(r->len, fd);
		if (resp == NULL)
			close(fd);
	}
	if (resp == NULL) {
		resp = MHD_create_response_from_buffer_with_free_callback(
		    r->len, r->body, free_reply);
		if (resp != NULL)
			r->body = NULL;
	}
	ds_free(r->body);
	r->body = NULL;
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", r->ctype != NULL ?
	    r->ctype : "text/plain");
	if (q != NULL) {
		q->answered = 1;
		q->status = r->status;
		q->reply_ns = ds_mono_ns();
		q->reply_len = r->len;
		snprintf(q->device, sizeof(q->device), "%s", r->device);
		snprintf(q->what, sizeof(q->what), "%s", r->what);
	}
	ret = MHD_queue_response(mc, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Answer at once, without reading a body. */
static enum MHD_Result
refuse(struct rcv *rv, struct MHD_Connection *mc, struct req *q,
    unsigned status)
{
	struct rcv_reply r;

	memset(&r, 0, sizeof(r));
	(void)text(&r, status, status_text(status));
	snprintf(r.what, sizeof(r.what), "refused before the body");
	return reply(rv, mc, q, &r);
}

/* The first call for a request: headers only. */
static enum MHD_Result
begin(struct rcv *rv, struct MHD_Connection *mc, const char *url,
    const char *method, void **con_cls)
{
	struct conn *c = conn_of(mc);
	struct req *q;
	const char *cl, *te;
	char *end;
	uint64_t cap;
	unsigned long long n = 0;
	unsigned s;

	if ((q = ds_calloc(1, sizeof(*q))) == NULL)
		return MHD_NO;
	q->c = c;
	q->spool = -1;
	q->start_ns = ds_mono_ns();
	clean(q->method, sizeof(q->method), method);
	clean(q->path, sizeof(q->path), url);
	if (c != NULL)
		c->req = q;
	*con_cls = q;
	if ((s = route(rv->ctx, method, url, &cap)) != 0)
		return refuse(rv, mc, q, s);
	cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	te = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING);
	if (cl != NULL) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (*cl == '\0' || *end != '\0' || errno != 0)
			return refuse(rv, mc, q, 400);
	}
	/* A body must say its length: the caps are checked on it. */
	if ((strcmp(method, "PUT") == 0 || strcmp(method, "POST") == 0) &&
	    (cl == NULL || te != NULL))
		return refuse(rv, mc, q, 411);
	if (n > cap)
		return refuse(rv, mc, q, 413);
	q->want = n;
	return MHD_YES;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct rcv *rv = cls;
	struct req *q = *con_cls;
	struct rcv_reply r;
	struct body b;

	(void)version;
	if (q == NULL)
		return begin(rv, mc, url, method, con_cls);
	if (*upload_size != 0) {
		if (q->answered) {	/* refused: the rest is not kept */
			*upload_size = 0;
			return MHD_YES;
		}
		if (q->got + *upload_size > q->want ||
		    rv->spooled + *upload_size > rv->spool_max) {
			if (q->c != NULL)
				drop(rv, q->c, "dropped: spool full");
			return MHD_NO;
		}
		if (q->spool == -1 && (q->spool = spool_open(rv)) == -1) {
			if (q->c != NULL)
				drop(rv, q->c, "dropped: cannot spool");
			return MHD_NO;
		}
		if (spool_write(q->spool, upload, *upload_size) != 0) {
			if (q->c != NULL)
				drop(rv, q->c, "dropped: spool write failed");
			return MHD_NO;
		}
		q->got += *upload_size;
		rv->spooled += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (q->answered)
		return MHD_YES;
	b.mem = q->spool == -1 ? (const unsigned char *)"" : NULL;
	b.fd = q->spool;
	b.len = q->got;
	(void)handle(rv->ctx, method, url, &b, &r);
	return reply(rv, mc, q, &r);
}

static void
completed_cb(void *cls, struct MHD_Connection *mc, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct rcv *rv = cls;
	struct req *q = *con_cls;
	struct conn *c;

	(void)mc;
	if (q == NULL)
		return;
	c = q->c;
	if (!q->logged && c != NULL)
		log_line(rv, c, q->method, q->path, q->answered ? q->status :
		    0, q->got, q->reply_len, q->device, q->answered ? q->what :
		    toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ?
		    "dropped: idle timeout" : "connection closed early");
	if (q->spool != -1)
		close(q->spool);
	rv->spooled -= q->got <= rv->spooled ? q->got : rv->spooled;
	if (c != NULL && c->req == q) {
		c->req = NULL;
		c->since_ns = ds_mono_ns();
	}
	ds_free(q);
	*con_cls = NULL;
}

static void *
loop(void *arg)
{
	struct rcv *rv = arg;

	while (!atomic_load(&rv->stop)) {
		(void)MHD_run_wait(rv->d, RCV_LOOP_MS);
		reap(rv);
	}
	return NULL;
}

enum ds_status
rcv_start(struct rcv_ctx *ctx, const struct rcv_opts *o, struct rcv **out,
    struct ds_err *err)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	const char *tmp;
	struct rcv *rv;
	unsigned flags = MHD_USE_AUTO;
	enum ds_status st;

	*out = NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(o->port);
	if (inet_pton(AF_INET, o->addr != NULL ? o->addr : "127.0.0.1",
	    &sa.sin_addr) != 1)
		return ds_err_set(err, DS_EINVAL, "bad listen address %s",
		    o->addr);
	if ((o->tls_cert == NULL) != (o->tls_key == NULL))
		return ds_err_set(err, DS_EINVAL, "TLS needs both a "
		    "certificate and a key");
	if (o->tls_cert != NULL && !rcv_tls_supported())
		return ds_err_set(err, DS_ESTATE, "this libmicrohttpd was "
		    "built without TLS: serve without --cert and --key, or "
		    "install a libmicrohttpd built with GnuTLS");
	if ((rv = ds_calloc(1, sizeof(*rv))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if (o->tls_cert != NULL && (st = rcv_tls_check(o->tls_cert,
	    o->tls_key, o->now != 0 ? o->now : ds_now(), rv->pin, err)) !=
	    DS_OK) {
		ds_free(rv);
		return st;
	}
	rv->ctx = ctx;
	if (ctx->max_body == 0)
		ctx->max_body = o->max_body ? o->max_body : RCV_BODY_DEFAULT;
	rv->timeout_s = o->timeout_s ? o->timeout_s : RCV_TIMEOUT_DEFAULT;
	rv->spool_max = o->spool_max ? o->spool_max : 4 * (uint64_t)
	    ctx->max_body;
	rv->log = o->log;
	rv->log_arg = o->log_arg;
	if ((tmp = o->spool_dir) == NULL && ((tmp = getenv("TMPDIR")) ==
	    NULL || *tmp == '\0'))
		tmp = "/tmp";
	if ((rv->spool_dir = ds_strdup(tmp)) == NULL) {
		ds_free(rv);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	atomic_init(&rv->stop, 0);
	if (o->tls_cert != NULL)
		flags |= MHD_USE_TLS;
	rv->d = MHD_start_daemon(flags, o->port, NULL, NULL, access_cb, rv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_CONNECTION_LIMIT, o->conn_limit ? o->conn_limit :
	    (unsigned)RCV_CONN_DEFAULT,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip_limit ?
	    o->per_ip_limit : (unsigned)RCV_PER_IP_DEFAULT,
	    MHD_OPTION_CONNECTION_TIMEOUT, rv->timeout_s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)RCV_CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, rv,
	    MHD_OPTION_NOTIFY_CONNECTION, notify_cb, rv,
	    o->tls_cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
	    o->tls_cert, MHD_OPTION_HTTPS_MEM_KEY, o->tls_key,
	    MHD_OPTION_HTTPS_PRIORITIES, RCV_TLS_PRIORITIES,
	    MHD_OPTION_END);
	if (rv->d == NULL) {
		ds_free(rv->spool_dir);
		ds_free(rv);
		return ds_err_set(err, DS_EIO, "cannot listen on %s:%u",
		    o->addr != NULL ? o->addr : "127.0.0.1",
		    (unsigned)o->port);
	}
	info = MHD_get_daemon_info(rv->d, MHD_DAEMON_INFO_BIND_PORT);
	rv->port = info != NULL ? info->port : o->port;
	if (pthread_create(&rv->th, NULL, loop, rv) != 0) {
		MHD_stop_daemon(rv->d);
		ds_free(rv->spool_dir);
		ds_free(rv);
		return ds_err_set(err, DS_ENOMEM, "cannot start the receiver "
		    "thread");
	}
	rv->started = 1;
	*out = rv;
	return DS_OK;
}

uint16_t
rcv_port(struct rcv *rv)
{
	return rv->port;
}

const char *
rcv_pin(struct rcv *rv)
{
	return rv->pin[0] != '\0' ? rv->pin : NULL;
}

int
rcv_tls_supported(void)
{
	return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

void
rcv_stop(struct rcv *rv)
{
	if (rv == NULL)
		return;
	atomic_store(&rv->stop, 1);
	if (rv->started)
		pthread_join(rv->th, NULL);
	/* Closes every connection: their callbacks free what is tracked. */
	MHD_stop_daemon(rv->d);
	ds_free(rv->spool_dir);
	ds_free(rv);
}
