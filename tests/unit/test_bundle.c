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
	pl = (struct bundle_payload *)&h;	/* not NULL */
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
	static const char *const msg[] = {
		"bad payload magic", "record count differs from header",
		"record overruns payload", "record length mismatch",
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
	/* The genuine payload under another magic, first or last byte. */
	for (i = 0; i < 4; i += 3) {
		pl->plain[i] ^= 0x20;
		b2 = with_payload(b, &h, pl->plain, pl->plain_len, &n2);
		pl->plain[i] ^= 0x20;
		if (b2 == NULL)
			continue;
		ds_err_clear(&err);
		ST_EQ(open_why(b2, n2, &why, &err), DS_EPARSE, &err);
		INT_EQ(why, BR_PAYLOAD);
		OK(strstr(err.msg, "bad payload magic") != NULL);
		ds_free(b2);
	}
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
		if (strstr(err.msg, msg[i]) == NULL)
			HARNESS_FAIL("case %zu: \"%s\"", i, err.msg);
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
 * A payload the device signed and sealed with its records out of order
 * (a sequence number used twice, or going down) or a byte after the last
 * record: BR_PAYLOAD, each with its message.  The fixture is checked on
 * the genuine payload first.
 */
static void
test_signed_payload_order(void)
{
	struct sf_rev r[2];
	struct bundle_header h;
	struct bundle_payload *pl = NULL;
	struct ds_err err;
	unsigned char *b, *b2, *p = NULL;
	size_t n, n2, len, s1, s2, i;
	uint32_t rl;
	int why;

	sf_rev(&r[0], &dev, 12, 1, NULL, "{\"n\":12}");
	sf_rev(&r[1], &dev, 13, 1, NULL, "{\"n\":13}");
	b = sf_bundle(&dev, &office, r, 2, 0, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	ST_EQ(bundle_open(b, n, &h, office.sec, &pl, &why, &err), DS_OK,
	    &err);
	if (pl == NULL || (p = ds_malloc(pl->plain_len + 1)) == NULL) {
		OK(0);
		goto out;
	}
	len = pl->plain_len;
	memcpy(p, pl->plain, len);
	/* Magic, count, then each record after its length; the device
	 * sequence follows three ids and rev_no. */
	rl = (uint32_t)p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 |
	    (uint32_t)p[11] << 24;
	s1 = 12 + 3 * 16 + 4;
	s2 = 12 + rl + 4 + 3 * 16 + 4;
	INT_EQ(p[s1], h.seq_lo & 0xff);
	INT_EQ(p[s2], h.seq_hi & 0xff);
	for (i = 0; i < 4; i++) {
		memcpy(p, pl->plain, len);
		if (i == 1)
			memcpy(p + s2, p + s1, 8);	/* the same number */
		else if (i == 2) {
			memcpy(p + s2, pl->plain + s1, 8);	/* swapped */
			memcpy(p + s1, pl->plain + s2, 8);
		} else if (i == 3)
			p[len] = 0;			/* one byte more */
		b2 = with_payload(b, &h, p, len + (i == 3), &n2);
		if (b2 == NULL)
			continue;
		ds_err_clear(&err);
		if (i == 0) {
			ST_EQ(open_why(b2, n2, &why, &err), DS_OK, &err);
		} else {
			ST_EQ(open_why(b2, n2, &why, &err), DS_EPARSE, &err);
			INT_EQ(why, BR_PAYLOAD);
			OK(strstr(err.msg, i < 3 ? "sequence numbers not "
			    "increasing" : "trailing bytes") != NULL);
		}
		ds_free(b2);
	}
out:
	ds_free(p);
	bundle_payload_free(pl);
	ds_free(b);
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

/*
 * Header bytes for bundle_parse_header_prefix: the fixed part of a genuine
 * bundle's header (its device key and key id agree), then whatever tail a
 * test writes.  Offsets are the format's (docs/bundle-format.md).
 */
#define H_HLEN		8
#define H_DEVKID	76
#define H_SEQLO		124
#define H_SEQHI		132
#define H_COUNT		140
#define H_COMPR		188
#define H_CHUNK		189
#define H_PLAIN		193
#define H_COMP		201

struct hdr {
	unsigned char	p[BUNDLE_HEADER_MAX + 64];
	size_t		n;
};

static unsigned char h_fixed[BUNDLE_FIXED_LEN];

static void
h_le(struct hdr *x, size_t off, int w, uint64_t v)
{
	int i;

	for (i = 0; i < w; i++)
		x->p[off + i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
h_get(const struct hdr *x, size_t off, int w)
{
	uint64_t v = 0;
	int i;

	for (i = w - 1; i >= 0; i--)
		v = v << 8 | x->p[off + i];
	return v;
}

static void
h_str(struct hdr *x, const char *s, size_t n)
{
	x->p[x->n++] = (unsigned char)n;
	memcpy(x->p + x->n, s, n);
	x->n += n;
}

/* The fixed part, app version "0.1.0" and nforms forms fN/1; then done. */
static void
h_make(struct hdr *x, int nforms)
{
	char id[8];
	int i;

	memcpy(x->p, h_fixed, sizeof(h_fixed));
	x->n = sizeof(h_fixed);
	h_str(x, "0.1.0", 5);
	x->p[x->n++] = (unsigned char)nforms;
	for (i = 0; i < nforms; i++) {
		snprintf(id, sizeof(id), "f%d", i);
		h_str(x, id, strlen(id));
		h_str(x, "1", 1);
	}
	h_le(x, H_HLEN, 4, x->n);
}

/* The start of the app version: a test rewrites the tail from here. */
static void
h_tail(struct hdr *x)
{
	memcpy(x->p, h_fixed, sizeof(h_fixed));
	x->n = sizeof(h_fixed);
}

static void
h_done(struct hdr *x)
{
	h_le(x, H_HLEN, 4, x->n);
}

/*
 * Parse x as the start of a file of len bytes (0: the length its header
 * implies), of which avail (0: the header's) are at hand: the reason, and
 * the message in msg.
 */
static uint64_t
h_total(const struct hdr *x)
{
	uint64_t chunk = h_get(x, H_CHUNK, 4), comp = h_get(x, H_COMP, 8);

	return h_get(x, H_HLEN, 4) + comp + (comp + chunk - 1) /
	    (chunk ? chunk : 1) * CRYB_SS_ABYTES + BUNDLE_TRAILER_BYTES;
}

static int
h_parse(const struct hdr *x, size_t avail, uint64_t len, char *msg,
    size_t msgsz)
{
	struct bundle_header h;
	struct ds_err err;
	int why = -1;

	if (len == 0)
		len = h_total(x);
	ds_err_clear(&err);
	if (bundle_parse_header_prefix(x->p, avail ? avail : x->n,
	    (size_t)len, &h, &why, &err) == DS_OK)
		INT_EQ(why, BR_OK);
	snprintf(msg, msgsz, "%s", err.msg);
	return why;
}

#define HP(x, avail, len, want, msg) do {				\
	char m_[256];							\
	int w_ = h_parse((x), (avail), (len), m_, sizeof(m_));		\
	const char *s_ = (msg);						\
	if (w_ != (want) || (s_ != NULL && strstr(m_, s_) == NULL))	\
		HARNESS_FAIL("why %d \"%s\", want %d \"%s\"", w_, m_,	\
		    (int)(want), s_ != NULL ? s_ : "");			\
} while (0)

/*
 * Every check of the header at its edges, both sides: the file's size, the
 * header's length (and that the parse stays inside it), the app version,
 * the form list (count, tokens, duplicates), the sequence range, the
 * record count, compression, chunk size, the two lengths, the device key
 * id.  Each refusal names its check; each value at the edge parses.
 */
static void
test_header_edges(void)
{
	struct sf_rev r;
	struct bundle_header h;
	struct ds_err err;
	struct hdr x;
	unsigned char *b;
	char s[300];
	size_t n, min = BUNDLE_FIXED_LEN + 2 + CRYB_SS_ABYTES +
	    BUNDLE_TRAILER_BYTES;
	int why, i;

	sf_rev(&r, &dev, 11, 1, NULL, "{\"n\":11}");
	b = sf_bundle(&dev, &office, &r, 1, 0, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	memcpy(h_fixed, b, sizeof(h_fixed));
	/* The fixture reads the fields where the parser does. */
	h_make(&x, 1);
	INT_EQ(h_get(&x, H_SEQLO, 8), h.seq_lo);
	INT_EQ(h_get(&x, H_CHUNK, 4), h.chunk_size);
	INT_EQ(h_get(&x, H_COMP, 8), h.comp_len);
	INT_EQ(h_get(&x, H_PLAIN, 8), h.plain_len);
	INT_EQ(h_get(&x, H_COUNT, 4), h.record_count);
	INT_EQ(x.p[H_COMPR], 1);
	HP(&x, 0, 0, BR_OK, NULL);
	INT_EQ(h_total(&x) - x.n, n - h.header_len);

	/* The file's size. */
	HP(&x, 0, min, BR_LENGTH, NULL);
	HP(&x, 0, min - 1, BR_SIZE, "size");
	HP(&x, 0, BUNDLE_FILE_MAX, BR_LENGTH, "extra bytes");
	HP(&x, 0, (uint64_t)BUNDLE_FILE_MAX + 1, BR_SIZE, "size");
	HP(&x, 0, h_total(&x) + 1, BR_LENGTH, "extra bytes");
	HP(&x, 0, h_total(&x) - 1, BR_LENGTH, "truncated");

	/* The header's length, and the bytes at hand. */
	h_le(&x, H_HLEN, 4, BUNDLE_FIXED_LEN + 1);
	HP(&x, 0, n, BR_HEADER, "header length");
	h_le(&x, H_HLEN, 4, BUNDLE_FIXED_LEN + 2);
	HP(&x, 0, n, BR_HEADER, "short header");
	h_le(&x, H_HLEN, 4, BUNDLE_HEADER_MAX + 1);
	HP(&x, sizeof(x.p), n, BR_HEADER, "header length");
	h_le(&x, H_HLEN, 4, x.n + 1);
	HP(&x, x.n + 1, 0, BR_HEADER, "header length mismatch");
	h_le(&x, H_HLEN, 4, x.n);
	HP(&x, x.n - 1, 0, BR_HEADER, "header length");
	HP(&x, x.n, 0, BR_OK, NULL);
	/* Two forms said, one inside the header, one just after it. */
	h_make(&x, 2);
	x.n -= 4;
	h_done(&x);
	x.p[BUNDLE_FIXED_LEN + 6] = 2;
	HP(&x, x.n + 4, 0, BR_HEADER, "form list");
	/* BUNDLE_HEADER_MAX exactly: 14 ids of 255 bytes, versions to fit. */
	h_tail(&x);
	h_str(&x, "0.1.0", 5);
	x.p[x.n++] = 14;
	memset(s, 'a', sizeof(s));
	for (i = 0; i < 14; i++) {
		s[0] = (char)('a' + i);
		h_str(&x, s, 255);
		h_str(&x, s, i < 12 ? 13 : 11);
	}
	h_done(&x);
	INT_EQ(x.n, BUNDLE_HEADER_MAX);
	HP(&x, 0, 0, BR_OK, NULL);
	x.p[x.n++] = 0;		/* one byte more */
	h_done(&x);
	HP(&x, 0, 0, BR_HEADER, "header length");

	/* The app version: 1 to 64 token bytes. */
	memset(s, 'v', sizeof(s));
	for (i = 0; i < 4; i++) {
		static const size_t len[] = { 64, 65, 0, 1 };

		h_tail(&x);
		h_str(&x, s, len[i]);
		x.p[x.n++] = 1;
		h_str(&x, "f", 1);
		h_str(&x, "1", 1);
		h_done(&x);
		if (i == 0 || i == 3)
			HP(&x, 0, 0, BR_OK, NULL);
		else
			HP(&x, 0, 0, BR_HEADER, i == 1 ? "short header" :
			    "app version");
	}
	h_tail(&x);
	h_str(&x, "0.1 0", 5);
	x.p[x.n++] = 1;
	h_str(&x, "f", 1);
	h_str(&x, "1", 1);
	h_done(&x);
	HP(&x, 0, 0, BR_HEADER, "app version");

	/* The form list: 1 to 32 forms, tokens, no pair twice. */
	h_make(&x, 0);
	HP(&x, 0, 0, BR_HEADER, "form count");
	h_make(&x, 32);
	HP(&x, 0, 0, BR_OK, NULL);
	h_make(&x, 33);
	HP(&x, 0, 0, BR_HEADER, "form count");
	for (i = 0; i < 9; i++) {
		static const char *const f[][4] = {
			{ "a", "1", "a", "1" },		/* twice */
			{ "a", "1", "a", "2" },		/* another version */
			{ "a", "1", "b", "1" },		/* another form */
			{ "", "1", "b", "1" },		/* empty id */
			{ "a", "", "b", "1" },		/* empty version */
			{ "a b", "1", "b", "1" },	/* not a token */
			{ "a", "1.\x7f", "b", "1" },
			{ "b", "1", "a", "1 " },
			{ "\x21", "\x7e", "b", "1" },	/* the token's edges */
		};
		static const char *const want[] = {
			"form listed twice", NULL, NULL, "form list",
			"form list", "form list", "form list", "form list",
			NULL,
		};

		h_tail(&x);
		h_str(&x, "0.1.0", 5);
		x.p[x.n++] = 2;
		h_str(&x, f[i][0], strlen(f[i][0]));
		h_str(&x, f[i][1], strlen(f[i][1]));
		h_str(&x, f[i][2], strlen(f[i][2]));
		h_str(&x, f[i][3], strlen(f[i][3]));
		h_done(&x);
		HP(&x, 0, 0, want[i] != NULL ? BR_HEADER : BR_OK, want[i]);
	}
	/* A pair twice, not next to each other. */
	h_tail(&x);
	h_str(&x, "0.1.0", 5);
	x.p[x.n++] = 3;
	h_str(&x, "a", 1);
	h_str(&x, "1", 1);
	h_str(&x, "b", 1);
	h_str(&x, "2", 1);
	h_str(&x, "a", 1);
	h_str(&x, "1", 1);
	h_done(&x);
	HP(&x, 0, 0, BR_HEADER, "form listed twice");

	/* The device key id is the device key's. */
	h_make(&x, 1);
	x.p[H_DEVKID + 7] ^= 1;
	HP(&x, 0, 0, BR_HEADER, "device key id");

	/* Sequence range: 1 <= lo <= hi <= INT64_MAX; 1 <= count <= span. */
	h_make(&x, 1);
	h_le(&x, H_SEQLO, 8, 1);
	h_le(&x, H_SEQHI, 8, 1);
	HP(&x, 0, 0, BR_OK, NULL);
	h_le(&x, H_SEQLO, 8, 0);
	HP(&x, 0, 0, BR_HEADER, "sequence range");
	h_le(&x, H_SEQLO, 8, 2);
	HP(&x, 0, 0, BR_HEADER, "sequence range");
	h_le(&x, H_SEQHI, 8, INT64_MAX);
	HP(&x, 0, 0, BR_OK, NULL);
	h_le(&x, H_SEQHI, 8, (uint64_t)INT64_MAX + 1);
	HP(&x, 0, 0, BR_HEADER, "sequence range");
	h_le(&x, H_SEQLO, 8, 5);
	h_le(&x, H_SEQHI, 8, 7);
	h_le(&x, H_COUNT, 4, 3);
	HP(&x, 0, 0, BR_OK, NULL);
	h_le(&x, H_COUNT, 4, 4);
	HP(&x, 0, 0, BR_HEADER, "record count");
	h_le(&x, H_COUNT, 4, 0);
	HP(&x, 0, 0, BR_HEADER, "record count");
	h_le(&x, H_SEQLO, 8, 1);
	h_le(&x, H_SEQHI, 8, 2 * BUNDLE_RECORDS_MAX);
	h_le(&x, H_COUNT, 4, BUNDLE_RECORDS_MAX);
	HP(&x, 0, 0, BR_OK, NULL);
	h_le(&x, H_COUNT, 4, BUNDLE_RECORDS_MAX + 1);
	HP(&x, 0, 0, BR_HEADER, "record count");

	/* Compression, chunk size, lengths. */
	h_make(&x, 1);
	for (i = 0; i < 3; i++) {
		x.p[H_COMPR] = (unsigned char)i;
		HP(&x, 0, 0, i == 1 ? BR_OK : BR_HEADER, i == 1 ? NULL :
		    "compression");
	}
	x.p[H_COMPR] = 1;
	h_le(&x, H_CHUNK, 4, BUNDLE_CHUNK_MIN - 1);
	HP(&x, 0, 0, BR_HEADER, "chunk size");
	h_le(&x, H_CHUNK, 4, BUNDLE_CHUNK_MIN);
	HP(&x, 0, 0, BR_OK, NULL);
	h_le(&x, H_CHUNK, 4, BUNDLE_CHUNK_MAX);
	HP(&x, 0, 0, BR_OK, NULL);
	h_le(&x, H_CHUNK, 4, BUNDLE_CHUNK_MAX + 1);
	HP(&x, 0, 0, BR_HEADER, "chunk size");
	h_le(&x, H_CHUNK, 4, h.chunk_size);
	h_le(&x, H_PLAIN, 8, 7);
	HP(&x, 0, 0, BR_HEADER, "plaintext length");
	h_le(&x, H_PLAIN, 8, 8);
	HP(&x, 0, 0, BR_OK, NULL);
	h_le(&x, H_PLAIN, 8, BUNDLE_PLAIN_MAX);
	HP(&x, 0, 0, BR_OK, NULL);
	h_le(&x, H_PLAIN, 8, (uint64_t)BUNDLE_PLAIN_MAX + 1);
	HP(&x, 0, 0, BR_HEADER, "plaintext length");
	h_le(&x, H_PLAIN, 8, h.plain_len);
	h_le(&x, H_COMP, 8, 0);
	HP(&x, 0, n, BR_HEADER, "compressed length");
	h_le(&x, H_COMP, 8, 1);
	HP(&x, 0, 0, BR_OK, NULL);
	h_le(&x, H_COMP, 8, BUNDLE_FILE_MAX);
	HP(&x, 0, BUNDLE_FILE_MAX, BR_LENGTH, "truncated");
	h_le(&x, H_COMP, 8, (uint64_t)BUNDLE_FILE_MAX + 1);
	HP(&x, 0, BUNDLE_FILE_MAX, BR_HEADER, "compressed length");
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
	RUN(test_signed_payload_order);
	RUN(test_final_tag_only_on_last);
	RUN(test_inflate_exact);
	RUN(test_box_open_contract);
	RUN(test_header_edges);
	RUN(test_json_scanner_matches_jansson);
	sf_device_free(&dev);
	sf_office_free(&office);
	sf_office_free(&other);
	return harness_done();
}
