/* doorstep: receipt encoding, strict parsing and verification. */
/*
 * Receipts are small, fixed-layout, little-endian records followed by an
 * Ed25519 signature (docs/bundle-format.md).  The parser checks every
 * length against its cap and every range for order before anything reads
 * it, so a receipt can be fuzzed without keys.
 */
#include "receipt.h"

#include <string.h>

#include "buf.h"
#include "bundle.h"
#include "cry_bundle.h"
#include "mem.h"
#include "utf8.h"

const char *
receipt_status_str(int s)
{
	switch (s) {
	case RS_IMPORTED:
		return "imported";
	case RS_DUPLICATE:
		return "duplicate";
	case RS_REJECTED:
		return "rejected";
	case RS_ACKSTATE:
		return "ack-state";
	case RS_HELD:
		return "held";
	default:
		return "unknown";
	}
}

static int
ranges_ok(const struct receipt *r)
{
	uint16_t i;

	if (r->nranges > RECEIPT_RANGES_MAX)
		return 0;
	for (i = 0; i < r->nranges; i++) {
		if (r->ranges[i].lo < 1 || r->ranges[i].hi < r->ranges[i].lo ||
		    r->ranges[i].hi > INT64_MAX)
			return 0;
		if (i > 0 && r->ranges[i].lo <= r->ranges[i - 1].hi + 1)
			return 0;
	}
	if (r->nranges > 0 && r->ranges[0].lo == 1)
		return r->contiguous == r->ranges[0].hi;
	return r->contiguous == 0;
}

static void
body_hash(const unsigned char *p, size_t n, unsigned char h[CRY_HASH_BYTES])
{
	cry_hash(h, CRY_HASH_BYTES, NULL, 0, p, n);
}

enum ds_status
receipt_encode(const struct receipt *r, const struct cry_signkey *k,
    unsigned char **out, size_t *outlen, struct ds_err *err)
{
	struct ds_buf b;
	unsigned char h[CRY_HASH_BYTES], sig[CRY_SIG_BYTES];
	size_t ml = strlen(r->msg);
	enum ds_status st = DS_OK;
	uint16_t i;

	*out = NULL;
	if (!ranges_ok(r) || ml > RECEIPT_MSG_MAX ||
	    !utf8_valid(r->msg, ml, UTF8_NO_CONTROLS) ||
	    r->status < RS_IMPORTED || r->status > RS_HELD)
		return ds_err_set(err, DS_EINVAL, "bad receipt fields");
	ds_buf_init(&b, RECEIPT_FILE_MAX);
	if ((st = ds_buf_add(&b, RECEIPT_MAGIC, 6)) != DS_OK ||
	    (st = ds_buf_add_le(&b, RECEIPT_VERSION, 2)) != DS_OK ||
	    (st = ds_buf_add(&b, r->receipt_id, CRY_ID_BYTES)) != DS_OK ||
	    (st = ds_buf_add(&b, r->office_id, CRY_ID_BYTES)) != DS_OK ||
	    (st = ds_buf_add(&b, r->office_kid, 8)) != DS_OK ||
	    (st = ds_buf_add(&b, r->device_id, CRY_ID_BYTES)) != DS_OK ||
	    (st = ds_buf_add(&b, r->bundle_id, CRY_ID_BYTES)) != DS_OK ||
	    (st = ds_buf_add(&b, r->bundle_hash,
	    CRY_HASH256_BYTES)) != DS_OK ||
	    (st = ds_buf_add_le(&b, r->status, 1)) != DS_OK ||
	    (st = ds_buf_add_le(&b, r->reason, 2)) != DS_OK ||
	    (st = ds_buf_add_le(&b, r->contiguous, 8)) != DS_OK ||
	    (st = ds_buf_add_le(&b, r->n_new, 4)) != DS_OK ||
	    (st = ds_buf_add_le(&b, r->n_dup, 4)) != DS_OK ||
	    (st = ds_buf_add_le(&b, r->n_conflict, 4)) != DS_OK ||
	    (st = ds_buf_add_le(&b, (uint64_t)r->office_time, 8)) != DS_OK ||
	    (st = ds_buf_add_le(&b, r->nranges, 2)) != DS_OK)
		goto out;
	for (i = 0; i < r->nranges; i++)
		if ((st = ds_buf_add_le(&b, r->ranges[i].lo, 8)) != DS_OK ||
		    (st = ds_buf_add_le(&b, r->ranges[i].hi, 8)) != DS_OK)
			goto out;
	if ((st = ds_buf_add_le(&b, ml, 2)) != DS_OK ||
	    (st = ds_buf_add(&b, r->msg, ml)) != DS_OK)
		goto out;
	body_hash((unsigned char *)b.p, b.len, h);
	cryb_sign(k, RECEIPT_SIGN_DOMAIN, h, sig);
	if ((st = ds_buf_add(&b, sig, sizeof(sig))) != DS_OK)
		goto out;
	if ((*out = (unsigned char *)ds_buf_take(&b, outlen)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	return DS_OK;
out:
	ds_buf_reset(&b);
	return ds_err_set(err, st, "cannot encode receipt");
}

enum ds_status
receipt_parse(const unsigned char *buf, size_t len, struct receipt *out,
    struct ds_err *err)
{
	struct ds_rd r;
	unsigned char magic[6];
	uint64_t ml;
	uint16_t i;

	memset(out, 0, sizeof(*out));
	if (len < RECEIPT_FIXED_LEN + 2 + CRY_SIG_BYTES ||
	    len > RECEIPT_FILE_MAX)
		return ds_err_set(err, DS_EPARSE, "receipt: bad size %zu", len);
	r.p = buf;
	r.n = len - CRY_SIG_BYTES;
	r.off = 0;
	r.bad = 0;
	ds_rd_mem(&r, magic, sizeof(magic));
	if (memcmp(magic, RECEIPT_MAGIC, sizeof(magic)) != 0)
		return ds_err_set(err, DS_EPARSE, "receipt: not a receipt");
	if (ds_rd_le(&r, 2) != RECEIPT_VERSION)
		return ds_err_set(err, DS_EPARSE, "receipt: unknown version");
	ds_rd_mem(&r, out->receipt_id, CRY_ID_BYTES);
	ds_rd_mem(&r, out->office_id, CRY_ID_BYTES);
	ds_rd_mem(&r, out->office_kid, 8);
	ds_rd_mem(&r, out->device_id, CRY_ID_BYTES);
	ds_rd_mem(&r, out->bundle_id, CRY_ID_BYTES);
	ds_rd_mem(&r, out->bundle_hash, CRY_HASH256_BYTES);
	out->status = (uint8_t)ds_rd_le(&r, 1);
	out->reason = (uint16_t)ds_rd_le(&r, 2);
	out->contiguous = ds_rd_le(&r, 8);
	out->n_new = (uint32_t)ds_rd_le(&r, 4);
	out->n_dup = (uint32_t)ds_rd_le(&r, 4);
	out->n_conflict = (uint32_t)ds_rd_le(&r, 4);
	out->office_time = (int64_t)ds_rd_le(&r, 8);
	out->nranges = (uint16_t)ds_rd_le(&r, 2);
	if (r.bad || out->nranges > RECEIPT_RANGES_MAX)
		return ds_err_set(err, DS_EPARSE, "receipt: bad range count");
	for (i = 0; i < out->nranges; i++) {
		out->ranges[i].lo = ds_rd_le(&r, 8);
		out->ranges[i].hi = ds_rd_le(&r, 8);
	}
	ml = ds_rd_le(&r, 2);
	if (r.bad || ml > RECEIPT_MSG_MAX || r.n - r.off != ml)
		return ds_err_set(err, DS_EPARSE, "receipt: bad length");
	memcpy(out->msg, buf + r.off, (size_t)ml);
	out->msg[ml] = '\0';
	if (out->status < RS_IMPORTED || out->status > RS_HELD)
		return ds_err_set(err, DS_EPARSE, "receipt: bad status");
	if (out->reason >= BR_COUNT)
		return ds_err_set(err, DS_EPARSE, "receipt: bad reason");
	if (!ranges_ok(out))
		return ds_err_set(err, DS_EPARSE, "receipt: bad ranges");
	if (!utf8_valid(out->msg, (size_t)ml, UTF8_NO_CONTROLS))
		return ds_err_set(err, DS_EPARSE, "receipt: bad message text");
	return DS_OK;
}

enum ds_status
receipt_open(const unsigned char *buf, size_t len,
    const struct cry_office_pub *pub, struct receipt *out, struct ds_err *err)
{
	unsigned char h[CRY_HASH_BYTES], kid[CRY_KEYID_BYTES];
	enum ds_status st;

	/* The signature before any field is read (crypto-sync.md). */
	if (len <= CRY_SIG_BYTES)
		return ds_err_set(err, DS_EPARSE, "receipt too short");
	body_hash(buf, len - CRY_SIG_BYTES, h);
	if (cryb_verify(pub->sign_pk, RECEIPT_SIGN_DOMAIN, h,
	    buf + len - CRY_SIG_BYTES, NULL) != DS_OK)
		return ds_err_set(err, DS_ECRYPTO,
		    "receipt signature does not verify");
	if ((st = receipt_parse(buf, len, out, err)) != DS_OK)
		return st;
	cry_key_id(pub->sign_pk, sizeof(pub->sign_pk), kid);
	if (memcmp(out->office_id, pub->office_id, CRY_ID_BYTES) != 0 ||
	    memcmp(out->office_kid, kid, sizeof(kid)) != 0)
		return ds_err_set(err, DS_EREJECT,
		    "receipt is from another office");
	return DS_OK;
}

int
receipt_covers(const struct receipt *r, uint64_t seq)
{
	uint16_t i;

	for (i = 0; i < r->nranges; i++)
		if (seq >= r->ranges[i].lo && seq <= r->ranges[i].hi)
			return 1;
	return 0;
}
