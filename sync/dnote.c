/* doorstep: device note v1 — layout, signature. */
/*
 * Fixed layout, so the signature is checked first: the key at offset 40
 * and the 64 bytes at 152 are all a forger controls, and nothing else is
 * read unless they verify.
 */
#include "dnote.h"

#include <string.h>

#include "buf.h"
#include "cry_bundle.h"

#define OFF_SIGN_PK	40
#define OFF_SIG		DNOTE_SIGNED_LEN

static int
zero(const unsigned char *p, size_t n)
{
	size_t i;
	unsigned char acc = 0;

	for (i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* BLAKE2b-512 of the signed part. */
static void
digest(const unsigned char *buf, unsigned char h[CRY_HASH_BYTES])
{
	cry_hash(h, CRY_HASH_BYTES, NULL, 0, buf, DNOTE_SIGNED_LEN);
}

static unsigned char *
put(unsigned char *p, const void *v, size_t n)
{
	memcpy(p, v, n);
	return p + n;
}

static unsigned char *
put_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

enum ds_status
dnote_build(const struct dnote *n, const struct cry_signkey *key,
    unsigned char out[DNOTE_LEN], struct ds_err *err)
{
	unsigned char h[CRY_HASH_BYTES], *p;

	if (memcmp(n->sign_pk, key->pk, CRY_SIGN_PK_BYTES) != 0)
		return ds_err_set(err, DS_EINVAL, "note key is not the "
		    "signing key");
	if ((n->applied_seq == 0) != zero(n->applied_hash, DNOTE_HASH_BYTES) ||
	    n->applied_seq > INT64_MAX)
		return ds_err_set(err, DS_EINVAL, "applied sequence and hash "
		    "disagree");
	/* Written in place: a fixed layout has nothing to allocate. */
	p = put(out, DNOTE_MAGIC, 6);
	p = put_le(p, DNOTE_VERSION, 2);
	p = put(p, n->device_id, CRY_ID_BYTES);
	p = put(p, n->office_id, CRY_ID_BYTES);
	p = put(p, n->sign_pk, CRY_SIGN_PK_BYTES);
	p = put(p, n->box_pk, CRY_BOX_PK_BYTES);
	p = put_le(p, n->applied_seq, 8);
	p = put(p, n->applied_hash, DNOTE_HASH_BYTES);
	(void)put_le(p, (uint64_t)n->created_at, 8);
	digest(out, h);
	cryb_sign(key, DNOTE_SIGN_DOMAIN, h, out + OFF_SIG);
	return DS_OK;
}

enum ds_status
dnote_parse(const unsigned char *buf, size_t len, struct dnote *n,
    struct ds_err *err)
{
	unsigned char h[CRY_HASH_BYTES];
	struct ds_rd r;

	memset(n, 0, sizeof(*n));
	if (len != DNOTE_LEN)
		return ds_err_set(err, DS_EPARSE, "device note: %zu bytes, "
		    "not %d", len, DNOTE_LEN);
	digest(buf, h);
	if (cryb_verify(buf + OFF_SIGN_PK, DNOTE_SIGN_DOMAIN, h, buf + OFF_SIG,
	    NULL) != DS_OK)
		return ds_err_set(err, DS_ECRYPTO, "device note: bad "
		    "signature");
	if (memcmp(buf, DNOTE_MAGIC, 6) != 0)
		return ds_err_set(err, DS_EPARSE, "device note: bad magic");
	r.p = buf;
	r.n = DNOTE_SIGNED_LEN;
	r.off = 6;
	r.bad = 0;
	if (ds_rd_le(&r, 2) != DNOTE_VERSION)
		return ds_err_set(err, DS_EPARSE, "device note: unknown "
		    "version");
	ds_rd_mem(&r, n->device_id, CRY_ID_BYTES);
	ds_rd_mem(&r, n->office_id, CRY_ID_BYTES);
	ds_rd_mem(&r, n->sign_pk, CRY_SIGN_PK_BYTES);
	ds_rd_mem(&r, n->box_pk, CRY_BOX_PK_BYTES);
	n->applied_seq = ds_rd_le(&r, 8);
	ds_rd_mem(&r, n->applied_hash, DNOTE_HASH_BYTES);
	n->created_at = (int64_t)ds_rd_le(&r, 8);
	if (r.bad || r.off != DNOTE_SIGNED_LEN)
		return ds_err_set(err, DS_EPARSE, "device note: short");
	if ((n->applied_seq == 0) != zero(n->applied_hash, DNOTE_HASH_BYTES) ||
	    n->applied_seq > INT64_MAX)
		return ds_err_set(err, DS_EPARSE, "device note: applied "
		    "sequence and hash disagree");
	return DS_OK;
}
