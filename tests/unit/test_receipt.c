/* doorstep: receipts are encoded and parsed strictly, at every edge. */
/*
 * receipt_encode refuses fields a receipt must never carry, receipt_parse
 * refuses bytes no encoder makes, each at the exact limit (one past it
 * refused, the limit itself accepted), and an allocation failure at any
 * point gives DS_ENOMEM and no receipt, never a damaged one.  The
 * signature paths are in test_forged.c; these are the checks behind them
 * (issue 18: the mutation run found them untested).
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"

#include "bundle.h"
#include "cry.h"
#include "mem.h"
#include "receipt.h"

/* Byte offsets in an encoded receipt (docs/bundle-format.md). */
#define R_VERSION	6
#define R_STATUS	112
#define R_REASON	113
#define R_NRANGES	143
#define R_RANGES	145

static struct cry_signkey *key;
static struct receipt base;

static void
init_base(struct receipt *r)
{
	memset(r, 0, sizeof(*r));
	memset(r->receipt_id, 0x11, 16);
	memset(r->office_id, 0x22, 16);
	memset(r->office_kid, 0x33, 8);
	memset(r->device_id, 0x44, 16);
	memset(r->bundle_id, 0x55, 16);
	memset(r->bundle_hash, 0x66, 32);
	r->status = RS_IMPORTED;
	r->reason = BR_OK;
	r->contiguous = 5;
	r->n_new = 3;
	r->n_dup = 2;
	r->n_conflict = 1;
	r->office_time = 1763870000;
	r->nranges = 3;
	r->ranges[0].lo = 1;
	r->ranges[0].hi = 5;
	r->ranges[1].lo = 7;
	r->ranges[1].hi = 9;
	r->ranges[2].lo = 20;
	r->ranges[2].hi = 20;
	strcpy(r->msg, "已导入 imported");
}

/* Encode r; DS_OK, or the refusal with *out NULL (it starts non-NULL). */
static enum ds_status
enc(const struct receipt *r, unsigned char **out, size_t *n)
{
	static unsigned char sentinel;
	struct ds_err err;
	enum ds_status st;

	*out = &sentinel;
	*n = 0;
	st = receipt_encode(r, key, out, n, &err);
	if (st != DS_OK && *out != NULL)
		HARNESS_FAIL("refused encode left *out set");
	return st;
}

static void
enc_ok(const char *what, const struct receipt *r)
{
	static struct receipt back;
	unsigned char *b;
	struct ds_err err;
	size_t n;

	if (enc(r, &b, &n) != DS_OK) {
		HARNESS_FAIL("%s: refused", what);
		return;
	}
	if (receipt_parse(b, n, &back, &err) != DS_OK)
		HARNESS_FAIL("%s: does not parse back: %s", what, err.msg);
	else if (back.nranges != r->nranges || back.contiguous !=
	    r->contiguous || strcmp(back.msg, r->msg) != 0 ||
	    back.status != r->status)
		HARNESS_FAIL("%s: parses back different", what);
	ds_free(b);
}

static void
enc_bad(const char *what, const struct receipt *r)
{
	unsigned char *b;
	size_t n;
	enum ds_status st = enc(r, &b, &n);

	if (st != DS_EINVAL) {
		HARNESS_FAIL("%s: %s, want DS_EINVAL", what,
		    ds_status_name(st));
		if (st == DS_OK)
			ds_free(b);
	}
}

/* 512 ranges 1..1, 3..3, ...; contiguous 1. */
static void
many_ranges(struct receipt *r, uint16_t n)
{
	uint16_t i;

	r->nranges = n;
	for (i = 0; i < n; i++) {
		r->ranges[i].lo = 1 + 2 * (uint64_t)i;
		r->ranges[i].hi = r->ranges[i].lo;
	}
	r->contiguous = 1;
}

static void
test_encode_refuses_bad_fields(void)
{
	static struct receipt r;

	r = base;
	enc_ok("base", &r);
	/* Ranges: count, order, bounds, adjacency, contiguous. */
	r = base;
	many_ranges(&r, RECEIPT_RANGES_MAX);
	enc_ok("512 ranges", &r);
	r.nranges = RECEIPT_RANGES_MAX + 1;
	enc_bad("513 ranges", &r);
	r = base;
	r.ranges[0].lo = 0;
	r.contiguous = 0;
	enc_bad("range from 0", &r);
	r = base;
	r.ranges[1].hi = 6;
	enc_bad("hi below lo", &r);
	r = base;
	r.ranges[0].lo = 1;
	r.ranges[0].hi = 0;
	r.contiguous = 0;
	enc_bad("first range hi below lo", &r);
	r = base;
	r.ranges[2].hi = (uint64_t)INT64_MAX;
	enc_ok("hi at INT64_MAX", &r);
	r.ranges[2].hi = (uint64_t)INT64_MAX + 1;
	enc_bad("hi past INT64_MAX", &r);
	r = base;
	r.ranges[1].lo = 6;
	enc_bad("adjacent ranges", &r);
	r.ranges[1].lo = 5;
	enc_bad("overlapping ranges", &r);
	r = base;
	r.ranges[2].lo = 8;
	r.ranges[2].hi = 30;
	enc_bad("third overlaps second", &r);
	r = base;
	r.ranges[2].lo = 10;
	enc_bad("third adjacent to second", &r);
	r = base;
	r.contiguous = 4;
	enc_bad("contiguous short of the first range", &r);
	r = base;
	r.ranges[0].lo = 2;
	enc_bad("contiguous without a range from 1", &r);
	r.contiguous = 0;
	enc_ok("no range from 1, contiguous 0", &r);
	r = base;
	r.nranges = 0;	/* ranges[0] still says 1..5 */
	r.contiguous = 0;
	enc_ok("no ranges", &r);
	r.contiguous = 5;
	enc_bad("no ranges, contiguous 5", &r);
	/* Message: length, UTF-8. */
	r = base;
	memset(r.msg, 'm', RECEIPT_MSG_MAX);
	r.msg[RECEIPT_MSG_MAX] = '\0';
	enc_ok("message at the cap", &r);
	r = base;
	strcpy(r.msg, "bad \xff byte");
	enc_bad("message not UTF-8", &r);
	/* Status. */
	r = base;
	r.status = 0;
	enc_bad("status 0", &r);
	r.status = RS_HELD + 1;
	enc_bad("status past held", &r);
	r.status = RS_HELD;
	enc_ok("status held", &r);
	r.status = RS_IMPORTED;
	enc_ok("status imported", &r);
}

/* The bytes of base, encoded. */
static unsigned char *
base_bytes(size_t *n)
{
	unsigned char *b;
	struct ds_err err;

	if (receipt_encode(&base, key, &b, n, &err) != DS_OK)
		return NULL;
	return b;
}

static void
parse_bad(const char *what, const unsigned char *b, size_t n,
    const char *msg)
{
	static struct receipt r;
	struct ds_err err;
	enum ds_status st;

	ds_err_clear(&err);
	st = receipt_parse(b, n, &r, &err);
	if (st != DS_EPARSE)
		HARNESS_FAIL("%s: %s, want DS_EPARSE", what,
		    ds_status_name(st));
	else if (strstr(err.msg, msg) == NULL)
		HARNESS_FAIL("%s: \"%s\" lacks \"%s\"", what, err.msg, msg);
}

static void
put_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
test_parse_refuses_what_no_encoder_makes(void)
{
	static struct receipt r, big;
	unsigned char *b, *c;
	struct ds_err err;
	size_t n, m, ml_off;

	if ((b = base_bytes(&n)) == NULL || (c = ds_malloc(n + 4)) == NULL) {
		HARNESS_FAIL("setup");
		return;
	}
	ST_EQ(receipt_parse(b, n, &r, &err), DS_OK, &err);
	INT_EQ(receipt_covers(&r, 1), 1);
	INT_EQ(receipt_covers(&r, 5), 1);
	INT_EQ(receipt_covers(&r, 6), 0);
	INT_EQ(receipt_covers(&r, 20), 1);
	INT_EQ(receipt_covers(&r, 21), 0);
	INT_EQ(receipt_covers(&r, 0), 0);
	/* Sizes. */
	parse_bad("10 bytes", b, 10, "bad size");
	{
		/* The smallest receipt: no ranges, no message. */
		static struct receipt s;
		unsigned char *t;
		size_t tn;

		s = base;
		s.nranges = 0;
		s.contiguous = 0;
		s.msg[0] = '\0';
		ST_EQ(receipt_encode(&s, key, &t, &tn, &err), DS_OK, &err);
		INT_EQ(tn, RECEIPT_FIXED_LEN + 2 + CRY_SIG_BYTES);
		ST_EQ(receipt_parse(t, tn, &r, &err), DS_OK, &err);
		INT_EQ(receipt_covers(&r, 0), 0);
		parse_bad("one byte short of the smallest", t, tn - 1,
		    "bad size");
		ds_free(t);
	}
	{
		/* The largest: 512 ranges and a full message. */
		unsigned char *t;
		size_t tn;

		big = base;
		many_ranges(&big, RECEIPT_RANGES_MAX);
		memset(big.msg, 'm', RECEIPT_MSG_MAX);
		big.msg[RECEIPT_MSG_MAX] = '\0';
		ST_EQ(receipt_encode(&big, key, &t, &tn, &err), DS_OK, &err);
		INT_EQ(tn, RECEIPT_FILE_MAX);
		ST_EQ(receipt_parse(t, tn, &r, &err), DS_OK, &err);
		INT_EQ(r.nranges, RECEIPT_RANGES_MAX);
		INT_EQ(strlen(r.msg), RECEIPT_MSG_MAX);
		INT_EQ(receipt_covers(&r, 2 * RECEIPT_RANGES_MAX - 1), 1);
		INT_EQ(receipt_covers(&r, 2 * RECEIPT_RANGES_MAX + 1), 0);
		if (t != NULL && (t = ds_realloc(t, tn + 1)) != NULL) {
			t[tn] = 0;
			parse_bad("one byte over the largest", t, tn + 1,
			    "bad size");
		}
		ds_free(t);
	}
	/* Magic and version. */
	memcpy(c, b, n);
	c[5] ^= 1;
	parse_bad("last magic byte", c, n, "not a receipt");
	memcpy(c, b, n);
	c[0] ^= 1;
	parse_bad("first magic byte", c, n, "not a receipt");
	memcpy(c, b, n);
	c[R_VERSION] = 2;
	parse_bad("version 2", c, n, "unknown version");
	/* Range count: past the cap, and not what the length says. */
	memcpy(c, b, n);
	put_le(c + R_NRANGES, RECEIPT_RANGES_MAX + 1, 2);
	parse_bad("513 ranges", c, n, "bad range count");
	memcpy(c, b, n);
	put_le(c + R_NRANGES, 2, 2);
	parse_bad("range count short", c, n, "bad length");
	/* Message length: past the cap; one byte more or less than is
	 * there. */
	ml_off = R_RANGES + 16 * base.nranges;
	memcpy(c, b, n);
	put_le(c + ml_off, RECEIPT_MSG_MAX + 1, 2);
	parse_bad("message length past the cap", c, n, "bad length");
	m = strlen(base.msg);
	memcpy(c, b, n);
	put_le(c + ml_off, m + 1, 2);
	parse_bad("message length one more", c, n, "bad length");
	memcpy(c, b, n);
	put_le(c + ml_off, m - 1, 2);
	parse_bad("message length one less", c, n, "bad length");
	{
		/* A message of 1025 bytes, all there: only the cap stops
		 * it. */
		static unsigned char t[RECEIPT_FIXED_LEN + 2 + RECEIPT_MSG_MAX +
		    1 + CRY_SIG_BYTES];

		memset(t, 'm', sizeof(t));
		memcpy(t, b, RECEIPT_FIXED_LEN);
		put_le(t + R_NRANGES, 0, 2);
		put_le(t + 115, 0, 8);	/* contiguous */
		put_le(t + RECEIPT_FIXED_LEN, RECEIPT_MSG_MAX + 1, 2);
		parse_bad("1025-byte message", t, sizeof(t), "bad length");
		put_le(t + RECEIPT_FIXED_LEN, RECEIPT_MSG_MAX, 2);
		ST_EQ(receipt_parse(t, sizeof(t) - 1, &r, &err), DS_OK, &err);
	}
	/* Status, reason, ranges, text. */
	memcpy(c, b, n);
	c[R_STATUS] = 0;
	parse_bad("status 0", c, n, "bad status");
	c[R_STATUS] = RS_HELD + 1;
	parse_bad("status past held", c, n, "bad status");
	c[R_STATUS] = RS_HELD;
	ST_EQ(receipt_parse(c, n, &r, &err), DS_OK, &err);
	memcpy(c, b, n);
	put_le(c + R_REASON, BR_COUNT, 2);
	parse_bad("reason past the last", c, n, "bad reason");
	put_le(c + R_REASON, BR_COUNT - 1, 2);
	ST_EQ(receipt_parse(c, n, &r, &err), DS_OK, &err);
	memcpy(c, b, n);
	put_le(c + R_RANGES + 16, 6, 8);	/* second range 6..9 */
	parse_bad("adjacent ranges", c, n, "bad ranges");
	memcpy(c, b, n);
	c[ml_off + 2] = 0xff;
	parse_bad("message not UTF-8", c, n, "bad message text");
	ds_free(c);
	ds_free(b);
}

/*
 * An allocation failure anywhere in receipt_encode gives DS_ENOMEM and no
 * receipt; every success gives the same bytes as without failures.  Run
 * over receipts of many sizes, so each field in turn is the one that
 * makes the buffer grow.
 */
static void
test_encode_alloc_failures(void)
{
	static struct receipt r;
	unsigned char *want, *got;
	size_t wn, gn;
	uint16_t nr;
	int ml, bad = 0, fired = 0;
	long k;
	struct ds_err err;
	enum ds_status st;

	for (nr = 0; nr <= 20; nr++) {
		for (ml = 0; ml <= 40; ml++) {
			r = base;
			many_ranges(&r, nr);
			if (nr == 0)
				r.contiguous = 0;
			memset(r.msg, 'x', (size_t)ml);
			r.msg[ml] = '\0';
			if (receipt_encode(&r, key, &want, &wn, &err) !=
			    DS_OK) {
				HARNESS_FAIL("clean encode: %s", err.msg);
				return;
			}
			for (k = 1;; k++) {
				ds_fault_arm(DS_FAULT_ALLOC, k, 0);
				got = NULL;
				st = receipt_encode(&r, key, &got, &gn, &err);
				if (ds_fault_fired(DS_FAULT_ALLOC) == 0) {
					ds_fault_disarm(DS_FAULT_ALLOC);
					ds_free(got);
					break;
				}
				ds_fault_disarm(DS_FAULT_ALLOC);
				fired++;
				if (st == DS_OK && (gn != wn ||
				    memcmp(got, want, wn) != 0))
					bad++;
				else if (st != DS_OK && (st != DS_ENOMEM ||
				    got != NULL))
					bad++;
				ds_free(got);
			}
			ds_free(want);
		}
	}
	INT_EQ(bad, 0);
	OK(fired > 0);
}

int
main(void)
{
	struct ds_err err;

	if (cry_signkey_new(&key, &err) != DS_OK)
		return 1;
	init_base(&base);
	RUN(test_encode_refuses_bad_fields);
	RUN(test_parse_refuses_what_no_encoder_makes);
	RUN(test_encode_alloc_failures);
	cry_signkey_free(key);
	return harness_done();
}
