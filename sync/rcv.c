/* doorstep: office HTTP receiver handlers on libmicrohttpd. */
/*
 * The only includer of <microhttpd.h>.  No HTTP parsing of our own: the
 * daemon delivers method, URL and body chunks; the body is collected into
 * a capped buffer (Content-Length is checked first, then every chunk), and
 * the complete request goes to rcv_handle, which is plain code the tests
 * and fuzzers call directly.
 */
#include "rcv.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct rcv {
	struct MHD_Daemon	*d;
	struct rcv_ctx		*ctx;
	uint16_t		 port;
	char			 pin[RCV_PIN_MAX];	/* empty: plain HTTP */
};

/* Per-request state. */
struct req {
	struct ds_buf	 body;
	int		 too_big;
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
	default:
		return 422;
	}
}

/*
 * POST /v1/devices/ID/note: a device note (docs/bundle-format.md), one
 * transaction.  200 "ok N" (N office bundles wait for the device); 400 a
 * malformed note or one of another device than the path; 403 revoked or
 * wrong key; 404 unknown device; 409 names a bundle never made; 421
 * another office.
 */
static int
note(struct rcv_ctx *c, const char *method, const unsigned char id[16],
    const unsigned char *body, size_t len, struct rcv_reply *out)
{
	static const unsigned codes[] = { 200, 400, 421, 404, 403, 403, 409 };
	struct assign_note_res res;
	struct ds_err err;
	char msg[64];
	enum ds_status st;

	if (strcmp(method, "POST") != 0)
		return text(out, 405, "use POST\n");
	if (len != DNOTE_LEN || memcmp(body + 8, id, 16) != 0)
		return text(out, 400, "not a device note of this device\n");
	ds_err_clear(&err);
	if ((st = odb_begin(c->db, &err)) != DS_OK)
		return text(out, 503, "office database busy; try again\n");
	if ((st = assign_note(c->db, c->sec, body, len, &res, &err)) ==
	    DS_OK)
		st = odb_commit(c->db, &err);
	else
		odb_rollback(c->db);
	if (st == DS_EREJECT && res.why > 0 && res.why <
	    (int)(sizeof(codes) / sizeof(codes[0])))
		return text(out, codes[res.why], "note refused\n");
	if (st != DS_OK)
		return text(out, 503, "office database failing; try again\n");
	snprintf(msg, sizeof(msg), "ok %llu\n",
	    (unsigned long long)res.waiting);
	return text(out, 200, msg);
}

/*
 * GET /v1/devices/ID/lists/SEQ: that office bundle, as made.  An unknown
 * device and a bundle not made (yet) answer alike: 404.
 */
static int
lists(struct rcv_ctx *c, const char *method, const unsigned char id[16],
    const char *seqtext, struct rcv_reply *out)
{
	struct ds_err err;
	int64_t seq;

	if (ds_parse_i64(seqtext, 1, INT64_MAX, &seq) != 0)
		return text(out, 404, "not found\n");
	if (strcmp(method, "GET") != 0)
		return text(out, 405, "use GET\n");
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
handle(struct rcv_ctx *c, const char *method, const char *url,
    const unsigned char *body, size_t len, struct rcv_reply *out)
{
	struct imp_result res;
	struct bundle_header h;
	struct ds_err err;
	unsigned char id[16];
	const char *rest;
	int why;

	memset(out, 0, sizeof(*out));
	ds_err_clear(&err);
	if (strncmp(url, "/v1/bundles/", 12) == 0) {
		if (parse_id(url + 12, id, &rest) != 0 || *rest != '\0')
			return text(out, 400, "bad bundle id in path\n");
		if (strcmp(method, "PUT") != 0)
			return text(out, 405, "use PUT\n");
		if (len > c->max_body)
			return text(out, 413, "bundle too large\n");
		/* The path must name the bundle it carries. */
		if (bundle_parse_header(body, len, &h, &why, NULL) == DS_OK &&
		    memcmp(h.bundle_id, id, 16) != 0)
			return text(out, 400, "bundle id in path differs from "
			    "the bundle\n");
		if (imp_bundle(c->db, c->sec, body, len, &res, &err) != DS_OK)
			return text(out, 503, "office database busy or failing;"
			    " send the same bundle again later\n");
		out->status = status_for(&res);
		out->ctype = "application/octet-stream";
		out->body = res.receipt;
		out->len = res.receipt_len;
		res.receipt = NULL;
		imp_result_free(&res);
		return 0;
	}
	if (strncmp(url, "/v1/devices/", 12) == 0) {
		struct odb_device d;

		if (parse_id(url + 12, id, &rest) != 0)
			return text(out, 404, "not found\n");
		if (strcmp(rest, "/note") == 0)
			return note(c, method, id, body, len, out);
		if (strncmp(rest, "/lists/", 7) == 0)
			return lists(c, method, id, rest + 7, out);
		if (strcmp(rest, "/acks") != 0)
			return text(out, 404, "not found\n");
		if (strcmp(method, "GET") != 0)
			return text(out, 405, "use GET\n");
		if (odb_device_get(c->db, id, &d, &err) != DS_OK)
			return text(out, err.code == DS_ENOENT ? 404 : 503,
			    "unknown device\n");
		if (imp_ack_state(c->db, c->sec, id, &out->body, &out->len,
		    &err) != DS_OK)
			return text(out, 503, "cannot make ack state\n");
		out->status = 200;
		out->ctype = "application/octet-stream";
		return 0;
	}
	return text(out, 404, "not found\n");
}

void
rcv_handle(struct rcv_ctx *c, const char *method, const char *url,
    const unsigned char *body, size_t len, struct rcv_reply *out)
{
	(void)handle(c, method, url, body, len, out);
}

static enum MHD_Result
reply(struct MHD_Connection *conn, struct rcv_reply *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(r->len, r->body,
	    MHD_RESPMEM_MUST_COPY);
	ds_free(r->body);
	r->body = NULL;
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", r->ctype != NULL ?
	    r->ctype : "text/plain");
	ret = MHD_queue_response(conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct rcv *rv = cls;
	struct req *q = *con_cls;
	struct rcv_reply r;
	const char *cl;
	char *end;
	unsigned long long n;

	(void)version;
	if (q == NULL) {
		if ((q = ds_calloc(1, sizeof(*q))) == NULL)
			return MHD_NO;
		ds_buf_init(&q->body, rv->ctx->max_body);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL) {
			n = strtoull(cl, &end, 10);
			if (*end != '\0' || n > rv->ctx->max_body)
				q->too_big = 1;
		}
		*con_cls = q;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		if (!q->too_big && ds_buf_add(&q->body, upload, *upload_size) !=
		    DS_OK)
			q->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (q->too_big) {
		memset(&r, 0, sizeof(r));
		(void)text(&r, 413, "bundle too large\n");
		return reply(conn, &r);
	}
	rcv_handle(rv->ctx, method, url, (unsigned char *)q->body.p,
	    q->body.len, &r);
	return reply(conn, &r);
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *q = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (q != NULL) {
		ds_buf_reset(&q->body);
		ds_free(q);
		*con_cls = NULL;
	}
}

enum ds_status
rcv_start(struct rcv_ctx *ctx, const struct rcv_opts *o, struct rcv **out,
    struct ds_err *err)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	struct rcv *rv;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
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
	if (o->tls_cert != NULL)
		flags |= MHD_USE_TLS;
	rv->d = MHD_start_daemon(flags, o->port, NULL, NULL, access_cb, rv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_CONNECTION_LIMIT, o->conn_limit ? o->conn_limit : 32u,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    o->per_ip_limit ? o->per_ip_limit : 8u,
	    MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s ? o->timeout_s : 60u,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, rv,
	    o->tls_cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
	    o->tls_cert, MHD_OPTION_HTTPS_MEM_KEY, o->tls_key,
	    MHD_OPTION_HTTPS_PRIORITIES, RCV_TLS_PRIORITIES,
	    MHD_OPTION_END);
	if (rv->d == NULL) {
		ds_free(rv);
		return ds_err_set(err, DS_EIO, "cannot listen on %s:%u",
		    o->addr != NULL ? o->addr : "127.0.0.1",
		    (unsigned)o->port);
	}
	info = MHD_get_daemon_info(rv->d, MHD_DAEMON_INFO_BIND_PORT);
	rv->port = info != NULL ? info->port : o->port;
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
	MHD_stop_daemon(rv->d);
	ds_free(rv);
}
