/* doorstep: push a bundle over HTTP with retries, apply the receipt. */
/*
 * Only a verified receipt changes laptop state.  Everything else (a
 * dropped connection, a timeout, a 5xx, a body that does not verify) is
 * "unknown": wait and send the same bytes again, which the office ledger
 * turns into the stored receipt if the first attempt did arrive.  A TLS
 * server that cannot be trusted ends the push at once (DS_ECRYPTO): no
 * byte of the bundle went out, and the rows stay unacknowledged.
 */
#include "pack.h"

#include <string.h>
#include <time.h>

#include "bundle.h"
#include "mem.h"

static void
sleep_ms(unsigned ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1)
		;
}

/* Build one bundle and send it until a verified receipt comes back. */
static enum ds_status
push_one(struct store *st, const unsigned char device_id[16],
    const struct cry_signkey *signer, const struct cry_office_pub *office,
    const struct pack_opts *po, const char *url, const struct push_opts *o,
    struct pack_result *res, struct receipt *rc, struct ds_err *err)
{
	unsigned char *buf = NULL, *body = NULL;
	size_t len = 0, blen = 0;
	unsigned tries = o != NULL && o->tries ? o->tries : 5;
	unsigned wait = o != NULL && o->backoff_ms ? o->backoff_ms : 1000;
	unsigned i;
	long status = 0;
	enum ds_status s;
	struct ds_err e;

	if ((s = pack_build(st, device_id, signer, office, po, &buf, &len, res,
	    err)) != DS_OK)
		return s;
	if ((s = store_outbox_mark_sent(st, res->seq_lo, res->seq_hi,
	    res->bundle_id, res->hash, err)) != DS_OK)
		goto out;
	ds_err_clear(&e);
	for (i = 0; i < tries; i++) {
		if (i > 0) {
			if (o != NULL && o->wait != NULL) {
				if (o->wait(o->x.arg, wait, i + 1, tries)) {
					s = ds_err_set(err, DS_ECANCEL, "push "
					    "cancelled before try %u", i + 1);
					goto out;
				}
			} else
				sleep_ms(wait);
			if (wait < 60000)
				wait *= 2;
		}
		ds_free(body);
		body = NULL;
		if ((s = xport_put_bundle(url, res->bundle_id, buf, len,
		    o != NULL ? &o->x : NULL, &status, &body, &blen,
		    RECEIPT_FILE_MAX, &e)) == DS_ECRYPTO) {
			/* An untrusted server: nothing sent, retry is futile. */
			s = ds_err_set(err, DS_ECRYPTO, "%s", e.msg);
			goto out;
		}
		if (s == DS_ECANCEL) {
			/* The worker stopped it; the rows stay pending. */
			s = ds_err_set(err, DS_ECANCEL, "%s", e.msg);
			goto out;
		}
		if (s != DS_OK)
			continue;	/* no answer: unknown, resend */
		if (status >= 500 || blen == 0)
			continue;
		if (pack_apply_receipt(st, device_id, office, body, blen, rc,
		    &e) != DS_OK)
			continue;	/* not a receipt we trust */
		if (memcmp(rc->bundle_id, res->bundle_id, 16) != 0)
			continue;
		if (rc->status == RS_REJECTED)
			s = ds_err_set(err, DS_EREJECT, "office rejected the "
			    "bundle: %s", bundle_reason_str(rc->reason));
		else
			s = DS_OK;
		goto out;
	}
	s = ds_err_set(err, DS_ENET, "no valid answer after %u tries (%s%s"
	    "HTTP %ld); nothing is lost: send again later", tries, e.msg,
	    e.msg[0] ? "; " : "", status);
out:
	ds_free(body);
	ds_free(buf);
	return s;
}

enum ds_status
pack_push(struct store *st, const unsigned char device_id[16],
    const struct cry_signkey *signer, const struct cry_office_pub *office,
    const struct pack_opts *po, const char *url, const struct push_opts *o,
    struct pack_result *res, struct receipt *rc, struct ds_err *err)
{
	struct pack_opts one;
	struct pack_result last;
	size_t total = 0;
	enum ds_status s;

	if (po != NULL)
		one = *po;
	else
		memset(&one, 0, sizeof(one));
	for (;;) {
		s = push_one(st, device_id, signer, office, &one, url, o, res,
		    rc, err);
		if (s != DS_OK)
			break;
		total += res->n_records;
		last = *res;
		if (!res->more)
			break;
		one.after_seq = res->seq_hi;
	}
	/* A receipt may retire the rows that were still to go. */
	if (s == DS_ENOENT && total > 0) {
		*res = last;
		s = DS_OK;
	}
	if (s == DS_OK)
		res->n_records = total;
	return s;
}

enum ds_status
pack_fetch_acks(struct store *st, const unsigned char device_id[16],
    const struct cry_office_pub *office, const char *url,
    const struct push_opts *o, struct receipt *rc, struct ds_err *err)
{
	unsigned char *body = NULL;
	size_t blen = 0;
	long status = 0;
	enum ds_status s;

	if ((s = xport_get_acks(url, device_id, o != NULL ? &o->x : NULL,
	    &status, &body, &blen, RECEIPT_FILE_MAX, err)) != DS_OK)
		return s;
	if (status != 200)
		s = ds_err_set(err, status == 404 ? DS_ENOENT : DS_ENET,
		    "office answered HTTP %ld", status);
	else
		s = pack_apply_receipt(st, device_id, office, body, blen, rc,
		    err);
	ds_free(body);
	return s;
}
