/* doorstep: HTTP client transfers with libcurl. */
/*
 * The only includer of <curl/curl.h>.  Uploads stream from memory through
 * a read callback; responses collect into a capped buffer.  Nothing here
 * retries or interprets a receipt.
 */
#include "xport.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "util.h"

struct up {
	const unsigned char	*p;
	size_t			 len, off;
};

struct xfer {
	struct ds_buf		 resp;
	int			 over;
	int			 cancelled;	/* by the progress callback */
	const struct xport_opts	*o;
	size_t			 total;
};

static int curl_ready;

static size_t
read_cb(char *dst, size_t size, size_t n, void *arg)
{
	struct up *u = arg;
	size_t want = size * n, left = u->len - u->off;

	if (want > left)
		want = left;
	memcpy(dst, u->p + u->off, want);
	u->off += want;
	return want;
}

static size_t
write_cb(char *src, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	if (ds_buf_add(&x->resp, src, size * n) != DS_OK) {
		x->over = 1;
		return 0;
	}
	return size * n;
}

static int
progress_cb(void *arg, curl_off_t dlt, curl_off_t dln, curl_off_t ult,
    curl_off_t uln)
{
	struct xfer *x = arg;

	(void)dlt;
	(void)dln;
	(void)ult;
	if (x->o != NULL && x->o->progress != NULL &&
	    x->o->progress(x->o->arg, uln < 0 ? 0 : (size_t)uln, x->total)) {
		x->cancelled = 1;
		return 1;	/* CURLE_ABORTED_BY_CALLBACK */
	}
	return 0;
}

/* The upload cap: the caller's, else the operator's environment, else 0
 * (none).  A malformed DOORSTEP_SYNC_MAX_RATE is ignored, not fatal: a
 * push must not fail over a tuning knob. */
static curl_off_t
send_rate(const struct xport_opts *o)
{
	const char *e;
	int64_t v;

	if (o != NULL && o->max_send_rate > 0)
		return (curl_off_t)o->max_send_rate;
	if ((e = getenv("DOORSTEP_SYNC_MAX_RATE")) != NULL &&
	    ds_parse_i64(e, 1, 1000000000000LL, &v) == 0)
		return (curl_off_t)v;
	return 0;
}

/*
 * A failed transfer: DS_ECRYPTO when the server's identity could not be
 * verified (sending again cannot help), DS_ENET otherwise.  The hints
 * cover the usual mistakes: https:// to a plain server and back.
 */
static enum ds_status
fail(const char *url, CURLcode rc, int over, struct ds_err *err)
{
	int tls = strncmp(url, "https:", 6) == 0;

	if (over)
		return ds_err_set(err, DS_ELIMIT, "%s: answer too large", url);
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return ds_err_set(err, DS_ECRYPTO, "%s: the server's "
		    "certificate is not trusted: %s (check the CA file "
		    "(--cacert, DOORSTEP_CA_FILE) and the name or address in "
		    "the URL)", url, curl_easy_strerror(rc));
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return ds_err_set(err, DS_ECRYPTO, "%s: the server's public "
		    "key does not match the pin (--pin)", url);
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return ds_err_set(err, DS_ECRYPTO, "%s: cannot use the CA "
		    "file: %s", url, curl_easy_strerror(rc));
	case CURLE_SSL_CONNECT_ERROR:
		return ds_err_set(err, DS_ENET, "%s: %s (does the office "
		    "serve https? a server without a certificate needs "
		    "http://)", url, curl_easy_strerror(rc));
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_WEIRD_SERVER_REPLY:
		if (!tls)
			return ds_err_set(err, DS_ENET, "%s: %s (if the "
			    "office serves with a certificate, use "
			    "https://)", url, curl_easy_strerror(rc));
		break;
	default:
		break;
	}
	return ds_err_set(err, DS_ENET, "%s: %s", url,
	    curl_easy_strerror(rc));
}

/* One request: GET, PUT of upload (idem the bundle id), or POST it. */
static enum ds_status
run(const char *url, const struct up *upload, int post, const char *idem,
    const struct xport_opts *o, long *status, unsigned char **body,
    size_t *blen, size_t cap, struct ds_err *err)
{
	struct curl_slist *hdr = NULL;
	struct xfer x;
	struct up u;
	char idh[96];
	const char *ca;
	CURL *c;
	CURLcode rc;
	enum ds_status st = DS_OK;

	*status = 0;
	*body = NULL;
	*blen = 0;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return ds_err_set(err, DS_ENET, "cannot start libcurl");
		curl_ready = 1;
	}
	if ((c = curl_easy_init()) == NULL)
		return ds_err_set(err, DS_ENOMEM, "curl init");
	memset(&x, 0, sizeof(x));
	ds_buf_init(&x.resp, cap);
	x.o = o;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o && o->timeout_s ? o->timeout_s :
	    300L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o && o->connect_s ?
	    o->connect_s : 20L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 100L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o && o->low_speed_s ?
	    o->low_speed_s : 30L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Never weakened: the peer and its name are verified, TLS >= 1.2. */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	if (o != NULL && o->pinned_key != NULL)
		curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, o->pinned_key);
	if (o != NULL && o->ca_file != NULL)
		ca = o->ca_file;
	else if ((ca = getenv("DOORSTEP_CA_FILE")) != NULL && ca[0] == '\0')
		ca = NULL;
	if (ca != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	if (upload != NULL && post) {
		/* A small body (a device note): no streaming, no progress. */
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, upload->p);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)upload->len);
		hdr = curl_slist_append(hdr,
		    "Content-Type: application/octet-stream");
		hdr = curl_slist_append(hdr, "Expect:");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	} else if (upload != NULL) {
		u = *upload;
		x.total = u.len;
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(c, CURLOPT_READDATA, &u);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)u.len);
		hdr = curl_slist_append(hdr,
		    "Content-Type: application/octet-stream");
		hdr = curl_slist_append(hdr, "Expect:");
		snprintf(idh, sizeof(idh), "Idempotency-Key: %s", idem);
		hdr = curl_slist_append(hdr, idh);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(c, CURLOPT_MAX_SEND_SPEED_LARGE,
		    send_rate(o));
	}
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK && x.cancelled) {
		st = ds_err_set(err, DS_ECANCEL, "%s: upload cancelled", url);
		goto out;
	}
	if (rc != CURLE_OK) {
		st = fail(url, rc, x.over, err);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if ((*body = (unsigned char *)ds_buf_take(&x.resp, blen)) == NULL)
		st = ds_err_set(err, DS_ENOMEM, NULL);
out:
	ds_buf_reset(&x.resp);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return st;
}

static enum ds_status
make_url(char *out, size_t n, const char *base, const char *pre,
    const unsigned char id[16], const char *post, char hex[33],
    struct ds_err *err)
{
	size_t bl = strlen(base);
	int k;

	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	ds_hex_encode(id, 16, hex);
	k = snprintf(out, n, "%.*s", (int)bl, base);
	if (k < 0 || (size_t)k >= n)
		return ds_err_set(err, DS_ELIMIT, "url too long");
	k += snprintf(out + k, n - (size_t)k, "%s%s%s", pre, hex, post);
	if ((size_t)k >= n)
		return ds_err_set(err, DS_ELIMIT, "url too long");
	return DS_OK;
}

/*
 * Send buf to base+pre+HEX(id): a PUT with the id as the idempotency key,
 * or a POST (a device note).
 */
static enum ds_status
send_body(const char *base, const char *pre, const unsigned char id[16],
    const char *post, int as_post, const unsigned char *buf, size_t len,
    const struct xport_opts *o, long *status, unsigned char **body,
    size_t *blen, size_t cap, struct ds_err *err)
{
	char url[2048], hex[33];
	struct up u;
	enum ds_status st;

	if ((st = make_url(url, sizeof(url), base, pre, id, post, hex,
	    err)) != DS_OK)
		return st;
	u.p = buf;
	u.len = len;
	u.off = 0;
	return run(url, &u, as_post, as_post ? NULL : hex, o, status, body,
	    blen, cap, err);
}

enum ds_status
xport_put_bundle(const char *base, const unsigned char bundle_id[16],
    const unsigned char *buf, size_t len, const struct xport_opts *o,
    long *status, unsigned char **body, size_t *blen, size_t cap,
    struct ds_err *err)
{
	return send_body(base, "/v1/bundles/", bundle_id, "", 0, buf, len, o,
	    status, body, blen, cap, err);
}

enum ds_status
xport_get_acks(const char *base, const unsigned char device_id[16],
    const struct xport_opts *o, long *status, unsigned char **body,
    size_t *blen, size_t cap, struct ds_err *err)
{
	char url[2048], hex[33];
	enum ds_status st;

	if ((st = make_url(url, sizeof(url), base, "/v1/devices/",
	    device_id, "/acks", hex, err)) != DS_OK)
		return st;
	return run(url, NULL, 0, NULL, o, status, body, blen, cap, err);
}

enum ds_status
xport_post_note(const char *base, const unsigned char device_id[16],
    const unsigned char *buf, size_t len, const struct xport_opts *o,
    long *status, unsigned char **body, size_t *blen, size_t cap,
    struct ds_err *err)
{
	return send_body(base, "/v1/devices/", device_id, "/note", 1, buf,
	    len, o, status, body, blen, cap, err);
}

enum ds_status
xport_get_lists(const char *base, const unsigned char device_id[16],
    uint64_t seq, const struct xport_opts *o, long *status,
    unsigned char **body, size_t *blen, size_t cap, struct ds_err *err)
{
	char url[2048], hex[33], post[48];
	enum ds_status st;

	snprintf(post, sizeof(post), "/lists/%llu", (unsigned long long)seq);
	if ((st = make_url(url, sizeof(url), base, "/v1/devices/",
	    device_id, post, hex, err)) != DS_OK)
		return st;
	return run(url, NULL, 0, NULL, o, status, body, blen, cap, err);
}
