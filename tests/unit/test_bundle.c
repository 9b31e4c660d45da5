/* doorstep: tests for the bundle format: round trip and refusals. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "bundle.h"
#include "cry.h"
#include "cry_bundle.h"
#include "json.h"
#include "mem.h"
#include "status.h"

static struct sf_office office, other;
static struct sf_device dev;

static int
contains(const unsigned char *h, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(h + i, needle, k) == 0)
			return 1;
	return 0;
}

/* Parse, verify and open; returns the reason (BR_OK when all pass). */
static int
read_all(const unsigned char *b, size_t n, const struct sf_office *o,
    struct bundle_payload **plp)
{
	struct bundle_header h;
	struct bundle_payload *pl = NULL;
	struct ds_err err;
	int why = -1;

	if (bundle_parse_header(b, n, &h, &why, &err) != DS_OK)
		return why;
	if (bundle_verify(b, n, &h, &why, &err) != DS_OK)
		return why;
	if (bundle_open(b, n, &h, o->sec, &pl, &why, &err) != DS_OK)
		return why;
	if (plp != NULL)
		*plp = pl;
	else
		bundle_payload_free(pl);
	return why;
}

static void
test_round_trip_keeps_every_field(void)
{
	struct sf_rev r[3];
	struct bundle_payload *pl = NULL;
	struct bundle_header h;
	struct ds_err err;
	unsigned char *b;
	size_t n, i;
	int why;

	sf_rev(&r[0], &dev, 1, 1, NULL, "{\"name\":\"张三\",\"n\":1}");
	sf_rev(&r[1], &dev, 2, 1, NULL, "{\"name\":\"李四\",\"n\":2}");
	sf_rev(&r[2], &dev, 1, 2, r[0].r.rev_id, "{\"name\":\"张三\",\"n\":3}");
	r[2].r.deleted = 1;
	b = sf_bundle(&dev, &office, r, 3, 0, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	INT_EQ(h.record_count, 3);
	INT_EQ(h.seq_hi - h.seq_lo, 2);
	OK(memcmp(h.office_id, office.pub.office_id, 16) == 0);
	OK(memcmp(h.device_id, dev.device_id, 16) == 0);
	OK(memcmp(h.device_pk, dev.key->pk, 32) == 0);
	INT_EQ(read_all(b, n, &office, &pl), BR_OK);
	OK(pl != NULL);
	if (pl != NULL) {
		INT_EQ(pl->nrevs, 3);
		for (i = 0; i < 3 && i < pl->nrevs; i++) {
			const struct bundle_rev *g = &pl->revs[i];

			OK(memcmp(g->rev_id, r[i].r.rev_id, 16) == 0);
			OK(memcmp(g->parent_rev_id, r[i].r.parent_rev_id,
			    16) == 0);
			INT_EQ(g->device_seq, r[i].r.device_seq);
			INT_EQ(g->rev_no, r[i].r.rev_no);
			INT_EQ(g->deleted, r[i].r.deleted);
			INT_EQ(g->answers.n, strlen(r[i].answers));
			OK(memcmp(g->answers.p, r[i].answers,
			    g->answers.n) == 0);
			OK(g->household_key.n == strlen(r[i].hh));
		}
		OK(!bundle_rev_has_parent(&pl->revs[0]));
		OK(bundle_rev_has_parent(&pl->revs[2]));
	}
	bundle_payload_free(pl);
	/* No answer text is visible in the file. */
	OK(!contains(b, n, "name"));
	OK(!contains(b, n, "张三"));
	ds_free(b);
}

static void
test_truncation_and_extension_refused(void)
{
	struct sf_rev r[20];
	struct bundle_header h;
	struct ds_err err;
	unsigned char *b, *x;
	size_t n, i, cut;
	char ans[200];
	int why, k;

	for (k = 0; k < 20; k++) {
		snprintf(ans, sizeof(ans), "{\"k\":%d,\"v\":\"%08x%08x\"}", k,
		    rand(), rand());
		sf_rev(&r[k], &dev, 100 + k, 1, NULL, ans);
	}
	b = sf_bundle(&dev, &office, r, 20, 256, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	OK(h.chunk_count >= 2);
	/* Every chunk boundary, and one byte either side. */
	for (i = 0; i <= h.chunk_count; i++) {
		cut = h.header_len + i * (256 + 17);
		if (cut > n)
			break;
		INT_EQ(read_all(b, cut, &office, NULL), cut < BUNDLE_FIXED_LEN
		    + 2 + 17 + 64 ? BR_SIZE : BR_LENGTH);
		INT_EQ(read_all(b, cut - 1, &office, NULL), cut - 1 <
		    BUNDLE_FIXED_LEN + 2 + 17 + 64 ? BR_SIZE : BR_LENGTH);
	}
	INT_EQ(read_all(b, n - 1, &office, NULL), BR_LENGTH);
	x = malloc(n + 7);
	memcpy(x, b, n);
	memcpy(x + n, "garbage", 7);
	INT_EQ(read_all(x, n + 7, &office, NULL), BR_LENGTH);
	free(x);
	ds_free(b);
}

static void
test_missing_final_tag_refused_after_signature(void)
{
	struct sf_rev r[1];
	unsigned char *b;
	size_t n;

	sf_rev(&r[0], &dev, 5, 1, NULL, "{\"a\":1}");
	b = sf_bundle(&dev, &office, r, 1, 0, 1, &n);
	INT_EQ(read_all(b, n, &office, NULL), BR_TRUNCATED);
	ds_free(b);
}

static void
test_other_office_cannot_open(void)
{
	struct sf_rev r[1];
	unsigned char *b;
	size_t n;

	sf_rev(&r[0], &dev, 6, 1, NULL, "{\"a\":1}");
	b = sf_bundle(&dev, &office, r, 1, 0, 0, &n);
	INT_EQ(read_all(b, n, &other, NULL), BR_SEAL);
	INT_EQ(read_all(b, n, &office, NULL), BR_OK);
	ds_free(b);
}

static void
test_every_header_byte_flip_refused(void)
{
	struct sf_rev r[2];
	struct bundle_header h;
	struct ds_err err;
	unsigned char *b;
	size_t n, i;
	int why, bad = 0;

	sf_rev(&r[0], &dev, 7, 1, NULL, "{\"a\":1}");
	sf_rev(&r[1], &dev, 8, 1, NULL, "{\"a\":2}");
	b = sf_bundle(&dev, &office, r, 2, 0, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	for (i = 0; i < n; i++) {
		if (i >= h.header_len && i < n - 64 && i % 7 != 0)
			continue;	/* a sample of payload bytes */
		b[i] ^= 0x01;
		if (read_all(b, n, &office, NULL) == BR_OK)
			bad++;
		b[i] ^= 0x01;
	}
	INT_EQ(bad, 0);
	INT_EQ(read_all(b, n, &office, NULL), BR_OK);
	ds_free(b);
}

static void
test_payload_parser_strict(void)
{
	struct bundle_header h;
	struct bundle_payload *pl = NULL;
	struct ds_err err;
	unsigned char *p;

	memset(&h, 0, sizeof(h));
	h.record_count = 1;
	h.seq_lo = 1;
	h.seq_hi = 1;
	p = ds_malloc(8);
	memcpy(p, "DSPL\1\0\0\0", 8);
	ST_EQ(bundle_payload_parse(p, 8, &h, &pl, &err), DS_EPARSE, &err);
	OK(strstr(err.msg, "record overruns") != NULL);
	p = ds_malloc(8);
	memcpy(p, "DSPX\1\0\0\0", 8);
	ST_EQ(bundle_payload_parse(p, 8, &h, &pl, &err), DS_EPARSE, &err);
	OK(pl == NULL);
}

/*
 * Each check says BR_OK when it passes (whatever *why held), the reason
 * when it fails, BR_STORE for memory; bundle_open leaves *out NULL on a
 * failure.  A box of only a signature (over nothing) verifies.
 */
static void
test_reasons_on_every_outcome(void)
{
	struct sf_rev r;
	struct bundle_header h;
	struct bundle_payload *pl;
	struct cryb_hash *hh = NULL;
	struct ds_err err;
	unsigned char *b, pre[CRY_HASH_BYTES], sig[BUNDLE_TRAILER_BYTES];
	size_t n;
	int why;

	sf_rev(&r, &dev, 7, 1, NULL, "{\"n\":7}");
	b = sf_bundle(&dev, &office, &r, 1, 0, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	why = -1;
	ST_EQ(bundle_verify(b, n, &h, &why, &err), DS_OK, &err);
	INT_EQ(why, BR_OK);
	ST_EQ(cryb_hash_new(&hh, sizeof(pre), &err), DS_OK, &err);
	if (hh != NULL) {
		cryb_hash_update(hh, b, n - BUNDLE_TRAILER_BYTES);
		cryb_hash_final(hh, pre);
		cryb_hash_free(hh);
		why = -1;
		ST_EQ(bundle_verify_prehash(&h, pre,
		    b + n - BUNDLE_TRAILER_BYTES, &why, &err), DS_OK, &err);
		INT_EQ(why, BR_OK);
	}
	why = -1;
	pl = NULL;
	ST_EQ(bundle_open(b, n, &h, office.sec, &pl, &why, &err), DS_OK,
	    &err);
	INT_EQ(why, BR_OK);
	bundle_payload_free(pl);
	pl = (struct bundle_payload *)&h;	/* not NULL */
	ST_EQ(bundle_open(b, n - 1, &h, office.sec, &pl, &why, &err),
	    DS_EINVAL, &err);
	OK(pl == NULL);
	INT_EQ(why, BR_LENGTH);
	why = -1;
	ds_fault_arm(DS_FAULT_ALLOC, 1, 0);
	ST_EQ(bundle_verify(b, n, &h, &why, &err), DS_ENOMEM, &err);
	ds_fault_disarm(DS_FAULT_ALLOC);
	INT_EQ(why, BR_STORE);
	ds_free(b);
	/* Only a signature, over the hash of nothing. */
	ST_EQ(cryb_hash_new(&hh, sizeof(pre), &err), DS_OK, &err);
	if (hh != NULL) {
		cryb_hash_final(hh, pre);
		cryb_hash_free(hh);
		cryb_sign(dev.key, BUNDLE_SIGN_DOMAIN, pre, sig);
		ST_EQ(bundle_box_verify(sig, sizeof(sig), dev.key->pk,
		    BUNDLE_SIGN_DOMAIN, &err), DS_OK, &err);
		ST_EQ(bundle_box_verify(sig, sizeof(sig) - 1, dev.key->pk,
		    BUNDLE_SIGN_DOMAIN, &err), DS_ECRYPTO, &err);
	}
}

#define FIN_LAST	(~0u)	/* reseal: TAG_FINAL on the last chunk only */

/*
 * The bundle b (header h) with its box replaced: comp (clen bytes, any
 * bytes) sealed to the office under a fresh stream key in chunks of the
 * header's size, TAG_FINAL on the chunks whose bit is set in `finals`
 * (FIN_LAST: the last only, as bundle_box_seal does), the header saying
 * plen plaintext bytes, and signed by the device, as bundle_build does;
 * only the header's lengths, sealed key and stream header change.  NULL
 * on a fixture error.
 */
static unsigned char *
reseal(const unsigned char *b, const struct bundle_header *h,
    const unsigned char *comp, size_t clen, size_t plen, unsigned finals,
    size_t *lenp)
{
	unsigned char sealed[CRYB_SEALED_KEY_BYTES], sshdr[CRYB_SS_HEADER_BYTES];
	unsigned char hdrhash[CRY_HASH256_BYTES], *chunk = NULL;
	unsigned char *out = NULL;
	struct cryb_stream *ss = NULL;
	struct ds_err err;
	struct ds_buf f;
	size_t off, i, nc, take;
	int fin;

	ds_buf_init(&f, BUNDLE_FILE_MAX);
	/* The sealed key follows plain_len and comp_len (8 bytes each). */
	for (off = 16; off + sizeof(sealed) <= h->header_len; off++)
		if (memcmp(b + off, h->sealed_key, sizeof(sealed)) == 0)
			break;
	if (off + sizeof(sealed) > h->header_len ||
	    ds_buf_add(&f, b, h->header_len) != DS_OK ||
	    cryb_push_init(office.pub.box_pk, sealed, sshdr, &ss, &err) !=
	    DS_OK ||
	    (chunk = ds_malloc(h->chunk_size + CRYB_SS_ABYTES)) == NULL)
		goto out;
	for (i = 0; i < 8; i++) {
		f.p[off - 16 + i] = (char)((uint64_t)plen >> (8 * i));
		f.p[off - 8 + i] = (char)((uint64_t)clen >> (8 * i));
	}
	memcpy(f.p + off, sealed, sizeof(sealed));
	memcpy(f.p + off + sizeof(sealed), sshdr, sizeof(sshdr));
	cry_hash(hdrhash, sizeof(hdrhash), NULL, 0, f.p, f.len);
	nc = (clen + h->chunk_size - 1) / h->chunk_size;
	for (i = 0, off = 0; i < nc; i++, off += take) {
		take = clen - off < h->chunk_size ? clen - off : h->chunk_size;
		fin = finals == FIN_LAST ? i + 1 == nc : (finals >> i) & 1;
		if (cryb_push(ss, chunk, comp + off, take, i == 0 ? hdrhash :
		    NULL, i == 0 ? sizeof(hdrhash) : 0, fin, &err) != DS_OK ||
		    ds_buf_add(&f, chunk, take + CRYB_SS_ABYTES) != DS_OK)
			goto out;
	}
	if (bundle_box_sign(&f, dev.key, BUNDLE_SIGN_DOMAIN, &err) != DS_OK)
		goto out;
	out = (unsigned char *)ds_buf_take(&f, lenp);
out:
	OK(out != NULL);
	cryb_stream_free(ss);
	ds_free(chunk);
	ds_buf_reset(&f);
	return out;
}

/* The bundle b with its payload replaced by `plain` (plen bytes, any). */
static unsigned char *
with_payload(const unsigned char *b, const struct bundle_header *h,
    const unsigned char *plain, size_t plen, size_t *lenp)
{
	unsigned char *comp = NULL, *out = NULL;
	struct ds_err err;
	size_t clen = 0;

	if (bundle_deflate(plain, plen, &comp, &clen, &err) == DS_OK)
		out = reseal(b, h, comp, clen, plen, FIN_LAST, lenp);
	OK(out != NULL);
	ds_free(comp);
	return out;
}

/*
 * A bundle the device signed and sealed whose payload does not parse: the
 * signature and the seal hold, so bundle_open says BR_PAYLOAD (DS_EPARSE,
 * no payload); out of memory while opening, BR_STORE, never BR_PAYLOAD.
 * The fixture is checked on the genuine payload first.
 */
static void
test_signed_bad_payload(void)
{
	/* Each 12 bytes (the header refuses fewer than 8). */
	static const char *const bad[] = {
		"XXXX\1\0\0\0\0\0\0\0",	/* another magic */
		"DSPL\2\0\0\0\0\0\0\0",	/* two records, the header one */
		"DSPL\1\0\0\0\377\0\0\0",	/* a record past the end */
		"DSPL\1\0\0\0\0\0\0\0",	/* an empty record */
	};
	struct sf_rev r;
	struct bundle_header h, h2;
	struct bundle_payload *pl = NULL, *pl2;
	struct ds_err err;
	unsigned char *b, *b2;
	size_t n, n2, i;
	long k;
	int why;

	sf_rev(&r, &dev, 8, 1, NULL, "{\"n\":8}");
	b = sf_bundle(&dev, &office, &r, 1, 0, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	ST_EQ(bundle_open(b, n, &h, office.sec, &pl, &why, &err), DS_OK,
	    &err);
	if (pl == NULL) {
		ds_free(b);
		return;
	}
	b2 = with_payload(b, &h, pl->plain, pl->plain_len, &n2);
	INT_EQ(b2 != NULL ? read_all(b2, n2, &office, NULL) : -1, BR_OK);
	ds_free(b2);
	bundle_payload_free(pl);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b2 = with_payload(b, &h, (const unsigned char *)bad[i], 12,
		    &n2);
		if (b2 == NULL)
			continue;
		ST_EQ(bundle_parse_header(b2, n2, &h2, &why, &err), DS_OK,
		    &err);
		ST_EQ(bundle_verify(b2, n2, &h2, &why, &err), DS_OK, &err);
		why = -1;
		pl2 = (struct bundle_payload *)&h2;	/* not NULL */
		ST_EQ(bundle_open(b2, n2, &h2, office.sec, &pl2, &why, &err),
		    DS_EPARSE, &err);
		INT_EQ(why, BR_PAYLOAD);
		OK(pl2 == NULL);
		OK(strstr(err.msg, "payload") != NULL);
		ds_free(b2);
	}
	/* Memory failing at each allocation of an open. */
	for (k = 1; k < 100; k++) {
		why = -1;
		pl = NULL;
		ds_fault_arm(DS_FAULT_ALLOC, k, 0);
		ds_err_clear(&err);
		if (bundle_open(b, n, &h, office.sec, &pl, &why, &err) ==
		    DS_OK) {
			ds_fault_disarm(DS_FAULT_ALLOC);
			INT_EQ(why, BR_OK);
			OK(pl != NULL);
			bundle_payload_free(pl);
			break;
		}
		ds_fault_disarm(DS_FAULT_ALLOC);
		INT_EQ(err.code, DS_ENOMEM);
		INT_EQ(why, BR_STORE);
		OK(pl == NULL);
	}
	OK(k > 2 && k < 100);
	ds_free(b);
}

/*
 * bundle_open on b (n bytes) after the header and signature pass: the
 * status, *why (BR_OK on success) and, on a failure, no payload.
 */
static enum ds_status
open_why(const unsigned char *b, size_t n, int *why, struct ds_err *err)
{
	struct bundle_header h;
	struct bundle_payload *pl;
	enum ds_status st;

	*why = -1;
	if ((st = bundle_parse_header(b, n, &h, why, err)) != DS_OK ||
	    (st = bundle_verify(b, n, &h, why, err)) != DS_OK)
		return st;
	*why = -1;
	pl = (struct bundle_payload *)&h;	/* not NULL */
	st = bundle_open(b, n, &h, office.sec, &pl, why, err);
	if (st == DS_OK)
		bundle_payload_free(pl);
	else
		OK(pl == NULL);
	return st;
}

/*
 * TAG_FINAL on exactly the last chunk: a stream that ends before its last
 * chunk (final on the first or a middle one, with or without one on the
 * last, or on every chunk) or never ends is refused after the signature
 * and the seal hold: DS_ECRYPTO, no payload.
 */
static void
test_final_tag_only_on_last(void)
{
	struct sf_rev r[20];
	struct bundle_header h;
	struct bundle_payload *pl = NULL;
	struct ds_err err;
	unsigned char *b, *b2, *comp = NULL;
	unsigned finals;
	size_t n, n2, clen = 0, nc, i;
	char ans[200];
	int why, k;

	for (k = 0; k < 20; k++) {
		snprintf(ans, sizeof(ans), "{\"k\":%d,\"v\":\"%08x%08x\"}", k,
		    rand(), rand());
		sf_rev(&r[k], &dev, 200 + k, 1, NULL, ans);
	}
	b = sf_bundle(&dev, &office, r, 20, 256, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	ST_EQ(bundle_open(b, n, &h, office.sec, &pl, &why, &err), DS_OK,
	    &err);
	if (pl == NULL || bundle_deflate(pl->plain, pl->plain_len, &comp,
	    &clen, &err) != DS_OK) {
		OK(0);
		goto out;
	}
	nc = (clen + h.chunk_size - 1) / h.chunk_size;
	OK(nc >= 3);
	for (i = 0; i < 7; i++) {
		switch (i) {
		case 0: finals = FIN_LAST; break;
		case 1: finals = 0; break;
		case 2: finals = 1; break;			/* first only */
		case 3: finals = 2; break;			/* second only */
		case 4: finals = 1 | 1u << (nc - 1); break;	/* and last */
		case 5: finals = 2 | 1u << (nc - 1); break;
		default: finals = (1u << nc) - 1; break;	/* every one */
		}
		if ((b2 = reseal(b, &h, comp, clen, pl->plain_len, finals,
		    &n2)) == NULL)
			continue;
		ds_err_clear(&err);
		if (i == 0) {
			ST_EQ(open_why(b2, n2, &why, &err), DS_OK, &err);
			INT_EQ(why, BR_OK);
		} else {
			ST_EQ(open_why(b2, n2, &why, &err), DS_ECRYPTO, &err);
			INT_EQ(why, i == 1 ? BR_TRUNCATED : BR_STREAM);
			OK(strstr(err.msg, i == 1 ? "no final tag" :
			    "final tag before the last chunk") != NULL);
		}
		ds_free(b2);
	}
out:
	bundle_payload_free(pl);
	ds_free(comp);
	ds_free(b);
}

/*
 * A box the device signed and sealed whose compressed stream does not
 * inflate to exactly the signed plaintext length: DS_ECORRUPT, BR_INFLATE,
 * no payload.  The same stream with the right length gets to the parser.
 */
static void
test_inflate_exact(void)
{
	static const unsigned char plain[12] = "DSPL\1\0\0\0\0\0\0\0";
	static const struct {
		int	 garbage, extra;
		size_t	 plen;
		const char *msg;
	} c[] = {
		{ 1, 0, 12, "bad zlib stream" },
		{ 0, 0, 11, "more data than the signed length" },
		{ 0, 0, 8, "more data than the signed length" },
		{ 0, 0, 13, "less data than the signed length" },
		{ 0, 1, 12, "bytes after the zlib stream" },
		{ 0, 0, 12, NULL },
	};
	struct sf_rev r;
	struct bundle_header h;
	struct ds_err err;
	unsigned char *b, *b2, *comp = NULL, *z, junk[40];
	size_t n, n2, clen = 0, i;
	int why;

	sf_rev(&r, &dev, 9, 1, NULL, "{\"n\":9}");
	b = sf_bundle(&dev, &office, &r, 1, 0, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	ST_EQ(bundle_deflate(plain, sizeof(plain), &comp, &clen, &err), DS_OK,
	    &err);
	if (comp == NULL || (z = ds_malloc(clen + 1)) == NULL) {
		OK(0);
		ds_free(comp);
		ds_free(b);
		return;
	}
	memcpy(z, comp, clen);
	z[clen] = 'x';
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 37 + 11);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		b2 = c[i].garbage ? reseal(b, &h, junk, sizeof(junk), c[i].plen,
		    FIN_LAST, &n2) : reseal(b, &h, z, clen + c[i].extra,
		    c[i].plen, FIN_LAST, &n2);
		if (b2 == NULL)
			continue;
		ds_err_clear(&err);
		if (c[i].msg == NULL) {
			ST_EQ(open_why(b2, n2, &why, &err), DS_EPARSE, &err);
			INT_EQ(why, BR_PAYLOAD);
		} else {
			ST_EQ(open_why(b2, n2, &why, &err), DS_ECORRUPT, &err);
			INT_EQ(why, BR_INFLATE);
			if (strstr(err.msg, c[i].msg) == NULL)
				HARNESS_FAIL("case %zu: \"%s\"", i, err.msg);
		}
		ds_free(b2);
	}
	ds_free(z);
	ds_free(comp);
	ds_free(b);
}

/*
 * bundle_box_open itself (the office bundle reader calls it too): *out
 * NULL on any failure whatever it held, *why BR_OK on success, a NULL why
 * allowed on every path, and the stream state (secure memory) given back.
 */
static void
test_box_open_contract(void)
{
	struct sf_rev r;
	struct bundle_header h;
	struct bundle_box bx;
	struct ds_err err;
	unsigned char *b, *plain;
	size_t n, k;
	long live = cry_secure_live();
	int why, pass;

	sf_rev(&r, &dev, 10, 1, NULL, "{\"n\":10}");
	b = sf_bundle(&dev, &office, &r, 1, 0, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	bx.header_len = h.header_len;
	bx.chunk_size = h.chunk_size;
	bx.chunk_count = h.chunk_count;
	bx.comp_len = h.comp_len;
	bx.plain_len = h.plain_len;
	bx.sealed_key = h.sealed_key;
	bx.ss_header = h.ss_header;
	for (pass = 0; pass < 2; pass++) {
		why = -1;
		plain = NULL;
		ST_EQ(bundle_box_open(b, &bx, office.sec->box_pk,
		    office.sec->box_sk, &plain, pass ? NULL : &why, &err),
		    DS_OK, &err);
		INT_EQ(why, pass ? -1 : BR_OK);
		OK(plain != NULL && memcmp(plain, "DSPL", 4) == 0);
		ds_free(plain);
		why = -1;
		plain = b;	/* not NULL */
		ST_EQ(bundle_box_open(b, &bx, other.sec->box_pk,
		    other.sec->box_sk, &plain, pass ? NULL : &why, &err),
		    DS_ECRYPTO, &err);
		INT_EQ(why, pass ? -1 : BR_SEAL);
		OK(plain == NULL);
		/* A chunk that does not authenticate. */
		k = h.header_len + 3;
		b[k] ^= 0x10;
		why = -1;
		plain = b;
		ST_EQ(bundle_box_open(b, &bx, office.sec->box_pk,
		    office.sec->box_sk, &plain, pass ? NULL : &why, &err),
		    DS_ECRYPTO, &err);
		b[k] ^= 0x10;
		INT_EQ(why, pass ? -1 : BR_STREAM);
		OK(plain == NULL);
	}
	INT_EQ(cry_secure_live(), live);
	ds_free(b);
}

/* The allocation-free scanner agrees with jansson on these. */
static void
test_json_scanner_matches_jansson(void)
{
	static const char *const cases[] = {
		"{}", "[]", "{\"a\":1}", "{\"a\":[1,2.5e-3,-0,true,null]}",
		" {\"名\":\"张三\"} ", "{\"e\":\"\\u00e9\\n\\\"\"}",
		"{\"s\":\"\\ud83d\\ude00\"}", "{\"a\":01}", "{\"a\":1.}",
		"{\"a\":.5}", "{\"a\":1e}", "{\"a\":-}", "{a:1}",
		"{\"a\":1,}", "[1,]", "{\"a\" 1}", "{\"a\":tru}",
		"{\"a\":\"\\u0000\"}", "{\"a\":\"\\ud800\"}",
		"{\"a\":\"\\udc00x\"}", "{\"a\":\"\\x\"}",
		"{\"a\":\"\t\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xed\xa0\x80\"}",
		"{} {}", "{\"a\":1}x", "", " ", "[[[[[[[[[[]]]]]]]]]]",
		"{\"a\":\"\xf4\x90\x80\x80\"}", "\"str\"", "123",
	};
	size_t i;
	json_t *j;
	int scan, jan;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		j = NULL;
		jan = ds_json_parse(cases[i], strlen(cases[i]), 1 << 20, "t",
		    &j, NULL) == DS_OK;
		json_decref(j);
		scan = bundle_json_ok(cases[i], strlen(cases[i]), 'j');
		if (scan != jan)
			HARNESS_FAIL("case %zu \"%s\": scanner %d, jansson %d",
			    i, cases[i], scan, jan);
	}
	OK(!bundle_json_ok("[]", 2, 'o'));
	OK(bundle_json_ok("[]", 2, 'a'));
	OK(!bundle_json_ok("{}", 2, 'a'));
}

int
main(void)
{
	const char *t = ts_tmpdir("bundle");
	char d[600];

	ds_json_init();
	srand(7);
	snprintf(d, sizeof(d), "%s/office", t);
	sf_office_make(&office, d);
	snprintf(d, sizeof(d), "%s/other", t);
	sf_office_make(&other, d);
	sf_device_make(&dev, 1);
	RUN(test_round_trip_keeps_every_field);
	RUN(test_truncation_and_extension_refused);
	RUN(test_missing_final_tag_refused_after_signature);
	RUN(test_other_office_cannot_open);
	RUN(test_every_header_byte_flip_refused);
	RUN(test_payload_parser_strict);
	RUN(test_reasons_on_every_outcome);
	RUN(test_signed_bad_payload);
	RUN(test_final_tag_only_on_last);
	RUN(test_inflate_exact);
	RUN(test_box_open_contract);
	RUN(test_json_scanner_matches_jansson);
	sf_device_free(&dev);
	sf_office_free(&office);
	sf_office_free(&other);
	return harness_done();
}
