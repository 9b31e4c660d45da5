/* doorstep: bundle format v1 — serialization, zlib, sealing, signing. */
/*
 * The one includer of <zlib.h>.  Building: serialize revisions, deflate as
 * one zlib stream, encrypt in chunks under a fresh sealed key, sign.
 * Reading is split into the steps of crypto-sync.md §7.4 so the importer
 * can put the device and ledger checks between them.  Invariants: no byte
 * of the payload is inflated or parsed before the signature and every
 * chunk tag have verified; every length read from a file is checked
 * against a cap before it is used; decrypted bytes are wiped before free.
 */
#include "bundle.h"

#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "cry_bundle.h"
#include "form_media.h"
#include "mem.h"
#include "utf8.h"

#define PAYLOAD_MAGIC	"DSPL"
/* A record's fixed part, before its strings. */
#define REC_FIXED	(CRY_ID_BYTES * 3 + 4 + 8 + 8 * 3 + 1)

static const struct {
	int		 num;
	const char	*name;
	const char	*msg;
} reasons[] = {
#define BR_X(name, num, msg) { num, #name, msg },
	BUNDLE_REASONS(BR_X)
#undef BR_X
};

const char *
bundle_reason_str(int r)
{
	if (r < 0 || r >= BR_COUNT)
		return "unknown reason";
	return reasons[r].msg;
}

const char *
bundle_reason_name(int r)
{
	if (r < 0 || r >= BR_COUNT)
		return "BR_UNKNOWN";
	return reasons[r].name;
}

static enum ds_status
fail(int *why, int reason, struct ds_err *err, enum ds_status st,
    const char *detail)
{
	if (why != NULL)
		*why = reason;
	return ds_err_set(err, st, "%s: %s", bundle_reason_str(reason),
	    detail);
}

int
bundle_rev_has_parent(const struct bundle_rev *r)
{
	static const unsigned char zero[CRY_ID_BYTES];

	return memcmp(r->parent_rev_id, zero, CRY_ID_BYTES) != 0;
}

/* ---- little-endian writer and bounded reader ------------------------ */

enum ds_status
bundle_put_str8(struct ds_buf *b, const void *p, size_t n)
{
	enum ds_status st;

	if ((st = ds_buf_add_le(b, n, 1)) != DS_OK)
		return st;
	return ds_buf_add(b, p, n);
}

/* A byte string of length read as an n-byte integer, at most max. */
int
bundle_get_bytes(struct ds_rd *r, int lenbytes, size_t max,
    struct bundle_bytes *out)
{
	uint64_t len = ds_rd_le(r, lenbytes);

	out->p = NULL;
	out->n = 0;
	if (r->bad || len > max || r->n - r->off < len) {
		r->bad = 1;
		return -1;
	}
	out->p = r->p + r->off;
	out->n = (size_t)len;
	r->off += (size_t)len;
	return 0;
}

/* Printable ASCII without space: ids, versions, app version. */
int
bundle_is_token(const struct bundle_bytes *b, size_t min, size_t max)
{
	size_t i;

	if (b->n < min || b->n > max)
		return 0;
	for (i = 0; i < b->n; i++)
		if (b->p[i] < 0x21 || b->p[i] > 0x7e)
			return 0;
	return 1;
}

/* Well-formed UTF-8 without control characters (names, household keys). */
static int
is_text(const struct bundle_bytes *b, size_t min, size_t max)
{
	return b->n >= min && b->n <= max &&
	    utf8_valid((const char *)b->p, b->n, UTF8_NO_CONTROLS);
}

static struct bundle_bytes
cstr(const char *s)
{
	struct bundle_bytes b;

	b.p = (const unsigned char *)s;
	b.n = s != NULL ? strlen(s) : 0;
	return b;
}

int
bundle_bytes_eq(const struct bundle_bytes *a, const struct bundle_bytes *b)
{
	return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

/* ---- payload serialization ------------------------------------------ */

/* Version 2: u16 count, then each file's u8+n name and u32+n bytes. */
static enum ds_status
put_att(struct ds_buf *b, const struct bundle_rev *r)
{
	enum ds_status st;
	size_t i;

	if ((st = ds_buf_add_le(b, r->natt, 2)) != DS_OK)
		return st;
	for (i = 0; i < r->natt; i++)
		if ((st = bundle_put_str8(b, r->att[i].name.p,
		    r->att[i].name.n)) != DS_OK ||
		    (st = ds_buf_add_le(b, r->att[i].data.n, 4)) != DS_OK ||
		    (st = ds_buf_add(b, r->att[i].data.p, r->att[i].data.n)) !=
		    DS_OK)
			return st;
	return DS_OK;
}

static enum ds_status
put_rev(struct ds_buf *b, const struct bundle_rev *r, int version)
{
	size_t start = b->len;
	enum ds_status st;

	if ((st = ds_buf_add_le(b, 0, 4)) != DS_OK)	/* length, patched below */
		return st;
	if ((st = ds_buf_add(b, r->record_uuid, CRY_ID_BYTES)) != DS_OK ||
	    (st = ds_buf_add(b, r->rev_id, CRY_ID_BYTES)) != DS_OK ||
	    (st = ds_buf_add(b, r->parent_rev_id, CRY_ID_BYTES)) != DS_OK ||
	    (st = ds_buf_add_le(b, r->rev_no, 4)) != DS_OK ||
	    (st = ds_buf_add_le(b, r->device_seq, 8)) != DS_OK ||
	    (st = ds_buf_add_le(b, (uint64_t)r->t_start, 8)) != DS_OK ||
	    (st = ds_buf_add_le(b, (uint64_t)r->t_end, 8)) != DS_OK ||
	    (st = ds_buf_add_le(b, (uint64_t)r->saved_at, 8)) != DS_OK ||
	    (st = ds_buf_add_le(b, r->deleted ? 1 : 0, 1)) != DS_OK ||
	    (st = bundle_put_str8(b, r->form_id.p, r->form_id.n)) != DS_OK ||
	    (st = bundle_put_str8(b, r->form_ver.p, r->form_ver.n)) != DS_OK ||
	    (st = bundle_put_str8(b, r->household_key.p, r->household_key.n)) !=
	    DS_OK ||
	    (st = bundle_put_str8(b, r->worker_id.p, r->worker_id.n)) != DS_OK ||
	    (st = ds_buf_add_le(b, r->answers.n, 4)) != DS_OK ||
	    (st = ds_buf_add(b, r->answers.p, r->answers.n)) != DS_OK ||
	    (st = ds_buf_add_le(b, r->audit.n, 4)) != DS_OK ||
	    (st = ds_buf_add(b, r->audit.p, r->audit.n)) != DS_OK ||
	    (st = ds_buf_add_le(b, r->consent.n, 4)) != DS_OK ||
	    (st = ds_buf_add(b, r->consent.p, r->consent.n)) != DS_OK ||
	    (version >= BUNDLE_VERSION_ATTACH && (st = put_att(b, r)) !=
	    DS_OK))
		return st;
	{
		size_t len = b->len - start - 4;
		int i;

		for (i = 0; i < 4; i++)
			b->p[start + (size_t)i] = (char)(len >> (8 * i));
	}
	return DS_OK;
}

/*
 * Strict RFC 8259 check without allocating (the import hot path): objects,
 * arrays, strings (escapes, UTF-8, no control characters, no \u0000, no
 * lone surrogates, as jansson requires), numbers, literals, depth <= 64.
 */
struct js {
	const unsigned char	*p;
	size_t			 n, i;
};

static void
js_ws(struct js *j)
{
	while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\t' ||
	    j->p[j->i] == '\n' || j->p[j->i] == '\r'))
		j->i++;
}

static int
js_hex4(struct js *j, unsigned *v)
{
	unsigned k, c;

	if (j->n - j->i < 4)
		return -1;
	for (*v = 0, k = 0; k < 4; k++) {
		c = j->p[j->i++];
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

static int
js_string(struct js *j)
{
	size_t k;
	uint32_t cp;
	unsigned u, lo;

	j->i++;	/* the opening quote */
	while (j->i < j->n) {
		unsigned char c = j->p[j->i];

		if (c == '"') {
			j->i++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			if (++j->i >= j->n)
				return -1;
			c = j->p[j->i++];
			if (c == 'u') {
				if (js_hex4(j, &u) != 0 || u == 0 ||
				    (u >= 0xdc00 && u <= 0xdfff))
					return -1;
				if (u >= 0xd800 && u <= 0xdbff) {
					if (j->n - j->i < 2 || j->p[j->i] !=
					    '\\' || j->p[j->i + 1] != 'u')
						return -1;
					j->i += 2;
					if (js_hex4(j, &lo) != 0 || lo < 0xdc00 ||
					    lo > 0xdfff)
						return -1;
				}
			} else if (strchr("\"\\/bfnrt", c) == NULL || c == 0)
				return -1;
			continue;
		}
		if (c < 0x80) {
			j->i++;
			continue;
		}
		/* One multi-byte UTF-8 sequence. */
		if ((k = utf8_decode((const char *)j->p + j->i, j->n - j->i,
		    &cp)) == 0)
			return -1;
		j->i += k;
	}
	return -1;
}

static int
js_number(struct js *j)
{
	size_t d;

	if (j->p[j->i] == '-')
		j->i++;
	if (j->i >= j->n)
		return -1;
	if (j->p[j->i] == '0')
		j->i++;
	else if (j->p[j->i] >= '1' && j->p[j->i] <= '9')
		while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
			j->i++;
	else
		return -1;
	if (j->i < j->n && j->p[j->i] == '.') {
		for (j->i++, d = 0; j->i < j->n && j->p[j->i] >= '0' &&
		    j->p[j->i] <= '9'; d++)
			j->i++;
		if (d == 0)
			return -1;
	}
	if (j->i < j->n && (j->p[j->i] == 'e' || j->p[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->p[j->i] == '+' || j->p[j->i] == '-'))
			j->i++;
		for (d = 0; j->i < j->n && j->p[j->i] >= '0' &&
		    j->p[j->i] <= '9'; d++)
			j->i++;
		if (d == 0)
			return -1;
	}
	return 0;
}

static int
js_value(struct js *j, int depth)
{
	unsigned char c, close;

	js_ws(j);
	if (j->i >= j->n || depth > 64)
		return -1;
	c = j->p[j->i];
	if (c == '"')
		return js_string(j);
	if (c == '-' || (c >= '0' && c <= '9'))
		return js_number(j);
	if (c == 't' || c == 'f' || c == 'n') {
		const char *lit = c == 't' ? "true" : c == 'f' ? "false" :
		    "null";
		size_t l = strlen(lit);

		if (j->n - j->i < l || memcmp(j->p + j->i, lit, l) != 0)
			return -1;
		j->i += l;
		return 0;
	}
	if (c != '{' && c != '[')
		return -1;
	close = c == '{' ? '}' : ']';
	j->i++;
	js_ws(j);
	if (j->i < j->n && j->p[j->i] == close) {
		j->i++;
		return 0;
	}
	for (;;) {
		if (c == '{') {
			js_ws(j);
			if (j->i >= j->n || j->p[j->i] != '"' ||
			    js_string(j) != 0)
				return -1;
			js_ws(j);
			if (j->i >= j->n || j->p[j->i++] != ':')
				return -1;
		}
		if (js_value(j, depth + 1) != 0)
			return -1;
		js_ws(j);
		if (j->i >= j->n)
			return -1;
		if (j->p[j->i] == close) {
			j->i++;
			return 0;
		}
		if (j->p[j->i++] != ',')
			return -1;
	}
}

int
bundle_json_ok(const void *p, size_t n, int kind)
{
	struct js j;

	j.p = p;
	j.n = n;
	j.i = 0;
	js_ws(&j);
	if (j.i < j.n && ((kind == 'o' && j.p[j.i] != '{') ||
	    (kind == 'a' && j.p[j.i] != '[')))
		return 0;
	if (js_value(&j, 0) != 0)
		return 0;
	js_ws(&j);
	return j.i == j.n;
}

/* One payload JSON field: kind 'o' object, 'a' array, 'j' any. */
static int
json_ok(const struct bundle_bytes *b, int kind, size_t cap)
{
	return b->n > 0 && b->n <= cap && bundle_json_ok(b->p, b->n, kind);
}

static int
form_listed(const struct bundle_header *h, const struct bundle_bytes *id,
    const struct bundle_bytes *ver)
{
	unsigned i;

	for (i = 0; i < h->nforms; i++)
		if (bundle_bytes_eq(&h->forms[i].id, id) &&
		    bundle_bytes_eq(&h->forms[i].ver, ver))
			return 1;
	return 0;
}

/* Version 2's files of one revision: count, names, bytes, checked. */
static int
parse_att(struct ds_rd *sub, struct bundle_rev *v, const char **msg)
{
	uint64_t n = ds_rd_le(sub, 2);
	size_t i, k;

	if (sub->bad)
		return *msg = "record length mismatch", -1;
	if (n > BUNDLE_ATTACH_PER_REV)
		return *msg = "too many attached files", -1;
	if (n == 0)
		return 0;
	if ((v->att = ds_calloc((size_t)n, sizeof(*v->att))) == NULL)
		return *msg = "out of memory", -1;
	for (i = 0; i < n; i++) {
		bundle_get_bytes(sub, 1, FORM_MEDIA_NAME_MAX, &v->att[i].name);
		bundle_get_bytes(sub, 4, BUNDLE_ATTACH_MAX, &v->att[i].data);
		if (sub->bad)
			return *msg = "record length mismatch", -1;
		v->natt = i + 1;
		if (!form_media_name_ok((const char *)v->att[i].name.p,
		    v->att[i].name.n) || v->att[i].data.n == 0)
			return *msg = "bad attached file", -1;
		for (k = 0; k < i; k++)
			if (bundle_bytes_eq(&v->att[k].name, &v->att[i].name))
				return *msg = "a file attached twice", -1;
	}
	return 0;
}

/* Parse one revision of exactly `len` bytes at r; msg says what failed. */
static int
parse_rev(struct ds_rd *r, size_t len, const struct bundle_header *h,
    struct bundle_rev *v, const char **msg)
{
	struct ds_rd sub;
	uint64_t flags;

	sub.p = r->p + r->off;
	sub.n = len;
	sub.off = 0;
	sub.bad = 0;
	r->off += len;
	ds_rd_mem(&sub, v->record_uuid, CRY_ID_BYTES);
	ds_rd_mem(&sub, v->rev_id, CRY_ID_BYTES);
	ds_rd_mem(&sub, v->parent_rev_id, CRY_ID_BYTES);
	v->rev_no = (uint32_t)ds_rd_le(&sub, 4);
	v->device_seq = ds_rd_le(&sub, 8);
	v->t_start = (int64_t)ds_rd_le(&sub, 8);
	v->t_end = (int64_t)ds_rd_le(&sub, 8);
	v->saved_at = (int64_t)ds_rd_le(&sub, 8);
	flags = ds_rd_le(&sub, 1);
	bundle_get_bytes(&sub, 1, BUNDLE_STR_MAX, &v->form_id);
	bundle_get_bytes(&sub, 1, BUNDLE_STR_MAX, &v->form_ver);
	bundle_get_bytes(&sub, 1, BUNDLE_STR_MAX, &v->household_key);
	bundle_get_bytes(&sub, 1, BUNDLE_STR_MAX, &v->worker_id);
	bundle_get_bytes(&sub, 4, BUNDLE_ANSWERS_MAX, &v->answers);
	bundle_get_bytes(&sub, 4, BUNDLE_AUDIT_MAX, &v->audit);
	bundle_get_bytes(&sub, 4, BUNDLE_CONSENT_MAX, &v->consent);
	if (!sub.bad && h->version >= BUNDLE_VERSION_ATTACH &&
	    parse_att(&sub, v, msg) != 0)
		return -1;
	if (sub.bad || sub.off != sub.n)
		return *msg = "record length mismatch", -1;
	if (flags > 1)
		return *msg = "unknown record flags", -1;
	v->deleted = (int)flags;
	if (v->rev_no < 1)
		return *msg = "revision number 0", -1;
	if (memcmp(v->rev_id, v->parent_rev_id, CRY_ID_BYTES) == 0)
		return *msg = "revision is its own parent", -1;
	if (v->device_seq < h->seq_lo || v->device_seq > h->seq_hi)
		return *msg = "sequence number outside the bundle range", -1;
	if (!bundle_is_token(&v->form_id, 1, BUNDLE_STR_MAX) ||
	    !bundle_is_token(&v->form_ver, 1, BUNDLE_STR_MAX))
		return *msg = "bad form id or version", -1;
	if (!form_listed(h, &v->form_id, &v->form_ver))
		return *msg = "form version not listed in the header", -1;
	if (!is_text(&v->household_key, 1, BUNDLE_STR_MAX) ||
	    !is_text(&v->worker_id, 1, BUNDLE_STR_MAX))
		return *msg = "bad household key or worker id", -1;
	if (!json_ok(&v->answers, 'o', BUNDLE_ANSWERS_MAX))
		return *msg = "answers are not a JSON object", -1;
	if (!json_ok(&v->audit, 'a', BUNDLE_AUDIT_MAX))
		return *msg = "audit trail is not a JSON array", -1;
	if (v->consent.n > 0 && !json_ok(&v->consent, 'j',
	    BUNDLE_CONSENT_MAX))
		return *msg = "consent evidence is not JSON", -1;
	return 0;
}

enum ds_status
bundle_payload_parse(unsigned char *plain, size_t len,
    const struct bundle_header *h, struct bundle_payload **out,
    struct ds_err *err)
{
	struct bundle_payload *pl;
	struct ds_rd r;
	const char *msg = "truncated";
	unsigned char magic[4];
	uint64_t count, rlen;
	size_t i;

	*out = NULL;
	if ((pl = ds_calloc(1, sizeof(*pl))) == NULL) {
		cry_wipe(plain, len);
		ds_free(plain);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	pl->plain = plain;
	pl->plain_len = len;
	r.p = plain;
	r.n = len;
	r.off = 0;
	r.bad = 0;
	ds_rd_mem(&r, magic, sizeof(magic));
	count = ds_rd_le(&r, 4);
	if (r.bad || memcmp(magic, PAYLOAD_MAGIC, sizeof(magic)) != 0) {
		msg = "bad payload magic";
		goto out;
	}
	if (count != h->record_count) {
		msg = "record count differs from header";
		goto out;
	}
	if ((pl->revs = ds_calloc((size_t)count, sizeof(*pl->revs))) == NULL) {
		bundle_payload_free(pl);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	pl->nrevs_alloc = (size_t)count;
	for (i = 0; i < count; i++) {
		rlen = ds_rd_le(&r, 4);
		if (r.bad || rlen > r.n - r.off) {
			msg = "record overruns payload";
			goto out;
		}
		if (parse_rev(&r, (size_t)rlen, h, &pl->revs[i], &msg) != 0)
			goto out;
		if (i > 0 && pl->revs[i].device_seq <=
		    pl->revs[i - 1].device_seq) {
			msg = "sequence numbers not increasing";
			goto out;
		}
		pl->nrevs = i + 1;
	}
	if (r.off != r.n) {
		msg = "trailing bytes after the last record";
		goto out;
	}
	*out = pl;
	return DS_OK;
out:
	bundle_payload_free(pl);
	return ds_err_set(err, DS_EPARSE, "%s: %s",
	    bundle_reason_str(BR_PAYLOAD), msg);
}

void
bundle_payload_free(struct bundle_payload *pl)
{
	size_t i;

	if (pl == NULL)
		return;
	if (pl->plain != NULL) {
		cry_wipe(pl->plain, pl->plain_len);
		ds_free(pl->plain);
	}
	for (i = 0; pl->revs != NULL && i < pl->nrevs_alloc; i++)
		ds_free(pl->revs[i].att);
	ds_free(pl->revs);
	ds_free(pl);
}

/* ---- the container, shared with the office bundle (obundle.c) ----- */

enum ds_status
bundle_deflate(const unsigned char *in, size_t n, unsigned char **out,
    size_t *outlen, struct ds_err *err)
{
	z_stream z;
	uLong bound;
	unsigned char *o;
	int rc;

	*out = NULL;
	*outlen = 0;
	memset(&z, 0, sizeof(z));
	if (deflateInit(&z, 6) != Z_OK)
		return ds_err_set(err, DS_ENOMEM, "deflate init");
	bound = deflateBound(&z, (uLong)n);
	if ((o = ds_malloc(bound)) == NULL) {
		deflateEnd(&z);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = o;
	z.avail_out = (uInt)bound;
	rc = deflate(&z, Z_FINISH);
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		cry_wipe(o, bound);
		ds_free(o);
		return ds_err_set(err, DS_EIO, "deflate failed (%d)", rc);
	}
	*outlen = z.total_out;
	*out = o;
	return DS_OK;
}

uint64_t
bundle_box_len(size_t header_len, uint64_t comp_len, uint32_t chunk_size,
    uint32_t *chunk_count)
{
	uint64_t nc = (comp_len + chunk_size - 1) / chunk_size;

	*chunk_count = (uint32_t)nc;
	return (uint64_t)header_len + comp_len + nc * CRYB_SS_ABYTES +
	    BUNDLE_TRAILER_BYTES;
}

enum ds_status
bundle_box_seal(struct ds_buf *f, struct cryb_stream *ss,
    const unsigned char *comp, size_t comp_len, uint32_t csize,
    int no_final, struct ds_err *err)
{
	unsigned char hdrhash[CRY_HASH256_BYTES], *chunk;
	size_t i, off, take, nchunks;
	enum ds_status st = DS_OK;

	cry_hash(hdrhash, sizeof(hdrhash), NULL, 0, f->p, f->len);
	nchunks = (comp_len + csize - 1) / csize;
	if ((chunk = ds_malloc(csize + CRYB_SS_ABYTES)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	for (i = 0, off = 0; i < nchunks; i++, off += take) {
		take = comp_len - off < csize ? comp_len - off : csize;
		if ((st = cryb_push(ss, chunk, comp + off, take,
		    i == 0 ? hdrhash : NULL, i == 0 ? sizeof(hdrhash) : 0,
		    i + 1 == nchunks && !no_final, err)) != DS_OK ||
		    (st = ds_buf_add(f, chunk, take + CRYB_SS_ABYTES)) != DS_OK)
			break;
	}
	ds_free(chunk);
	return st;
}

enum ds_status
bundle_box_sign(struct ds_buf *f, const struct cry_signkey *key,
    const char *domain, struct ds_err *err)
{
	struct cryb_hash *hh;
	unsigned char h[CRY_HASH_BYTES], sig[CRY_SIG_BYTES];
	enum ds_status st;

	if ((st = cryb_hash_new(&hh, CRY_HASH_BYTES, err)) != DS_OK)
		return st;
	cryb_hash_update(hh, f->p, f->len);
	cryb_hash_final(hh, h);
	cryb_hash_free(hh);
	cryb_sign(key, domain, h, sig);
	return ds_buf_add(f, sig, sizeof(sig));
}

enum ds_status
bundle_box_verify(const unsigned char *buf, size_t len,
    const unsigned char pk[CRY_SIGN_PK_BYTES], const char *domain,
    struct ds_err *err)
{
	struct cryb_hash *hh;
	unsigned char h[CRY_HASH_BYTES];
	enum ds_status st;

	if (len < BUNDLE_TRAILER_BYTES)
		return ds_err_set(err, DS_ECRYPTO, "bad signature");
	if ((st = cryb_hash_new(&hh, sizeof(h), err)) != DS_OK)
		return st;
	cryb_hash_update(hh, buf, len - BUNDLE_TRAILER_BYTES);
	cryb_hash_final(hh, h);
	cryb_hash_free(hh);
	return cryb_verify(pk, domain, h, buf + len - BUNDLE_TRAILER_BYTES,
	    err);
}

/* zlib's allocations go through ds_malloc, which tests can fail. */
static voidpf
z_alloc(voidpf opaque, uInt items, uInt size)
{
	(void)opaque;
	return ds_calloc(items, size);
}

static void
z_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	ds_free(p);
}

/* Inflate exactly plain_len bytes from exactly comp_len bytes. */
static enum ds_status
inflate_all(const unsigned char *in, size_t n, unsigned char *out,
    size_t outlen, int *why, struct ds_err *err)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	z.zalloc = z_alloc;
	z.zfree = z_free;
	if (inflateInit(&z) != Z_OK) {
		if (why != NULL)
			*why = BR_STORE;
		return ds_err_set(err, DS_ENOMEM, "inflate init");
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)outlen;
	rc = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if (rc != Z_STREAM_END)
		return fail(why, BR_INFLATE, err, DS_ECORRUPT,
		    z.avail_out == 0 ? "more data than the signed length" :
		    "bad zlib stream");
	if (z.avail_in != 0 || z.total_out != outlen)
		return fail(why, BR_INFLATE, err, DS_ECORRUPT,
		    z.avail_in != 0 ? "bytes after the zlib stream" :
		    "less data than the signed length");
	return DS_OK;
}

enum ds_status
bundle_box_open(const unsigned char *buf, const struct bundle_box *b,
    const unsigned char box_pk[CRY_BOX_PK_BYTES],
    const unsigned char box_sk[CRY_BOX_SK_BYTES], unsigned char **out,
    int *why, struct ds_err *err)
{
	struct cryb_stream *ss = NULL;
	unsigned char *comp = NULL, *plain = NULL;
	unsigned char hdrhash[CRY_HASH256_BYTES];
	const unsigned char *c;
	size_t i, off, take;
	enum ds_status st = DS_OK;
	int final = 0;

	*out = NULL;
	if (cryb_pull_init(box_pk, box_sk, b->sealed_key, b->ss_header, &ss,
	    err) != DS_OK)
		return fail(why, BR_SEAL, err, DS_ECRYPTO,
		    "cannot open the sealed key");
	if ((comp = ds_malloc((size_t)b->comp_len)) == NULL) {
		st = ds_err_set(err, DS_ENOMEM, NULL);
		if (why != NULL)
			*why = BR_STORE;
		goto done;
	}
	cry_hash(hdrhash, sizeof(hdrhash), NULL, 0, buf, b->header_len);
	c = buf + b->header_len;
	for (i = 0, off = 0; i < b->chunk_count; i++, off += take) {
		take = b->comp_len - off < b->chunk_size ?
		    (size_t)b->comp_len - off : b->chunk_size;
		if (cryb_pull(ss, comp + off, c, take + CRYB_SS_ABYTES,
		    i == 0 ? hdrhash : NULL, i == 0 ? sizeof(hdrhash) : 0,
		    &final, NULL) != DS_OK) {
			st = fail(why, BR_STREAM, err, DS_ECRYPTO,
			    "chunk does not authenticate");
			goto done;
		}
		c += take + CRYB_SS_ABYTES;
		if (final && i + 1 != b->chunk_count) {
			st = fail(why, BR_STREAM, err, DS_ECRYPTO,
			    "final tag before the last chunk");
			goto done;
		}
	}
	if (!final) {
		st = fail(why, BR_TRUNCATED, err, DS_ECRYPTO,
		    "no final tag at the end of the stream");
		goto done;
	}
	if ((plain = ds_malloc((size_t)b->plain_len)) == NULL) {
		st = ds_err_set(err, DS_ENOMEM, NULL);
		if (why != NULL)
			*why = BR_STORE;
		goto done;
	}
	if ((st = inflate_all(comp, (size_t)b->comp_len, plain,
	    (size_t)b->plain_len, why, err)) != DS_OK)
		goto done;
	*out = plain;
	plain = NULL;
	if (why != NULL)
		*why = BR_OK;
done:
	if (comp != NULL) {
		cry_wipe(comp, (size_t)b->comp_len);
		ds_free(comp);
	}
	if (plain != NULL) {
		cry_wipe(plain, (size_t)b->plain_len);
		ds_free(plain);
	}
	cryb_stream_free(ss);
	return st;
}

/* ---- building -------------------------------------------------------- */

static enum ds_status
check_build_input(const struct bundle_meta *m, const struct bundle_rev *revs,
    size_t n, struct ds_err *err)
{
	struct bundle_bytes b;
	size_t i, k;
	int listed;

	if (n < 1 || n > BUNDLE_RECORDS_MAX)
		return ds_err_set(err, DS_EINVAL, "bundle needs 1..%d records",
		    BUNDLE_RECORDS_MAX);
	if (m->seq_lo < 1 || m->seq_hi < m->seq_lo ||
	    m->seq_hi - m->seq_lo + 1 < n)
		return ds_err_set(err, DS_EINVAL, "bad sequence range");
	b = cstr(m->app_ver);
	if (!bundle_is_token(&b, 1, 64))
		return ds_err_set(err, DS_EINVAL, "bad app version");
	if (m->nforms < 1 || m->nforms > BUNDLE_FORMS_MAX)
		return ds_err_set(err, DS_EINVAL, "bad form count");
	if (m->chunk_size != 0 && (m->chunk_size < BUNDLE_CHUNK_MIN ||
	    m->chunk_size > BUNDLE_CHUNK_MAX))
		return ds_err_set(err, DS_EINVAL, "bad chunk size");
	for (i = 0; i < m->nforms; i++) {
		struct bundle_bytes id = cstr(m->form_ids[i]);
		struct bundle_bytes ver = cstr(m->form_vers[i]);

		if (!bundle_is_token(&id, 1, BUNDLE_STR_MAX) ||
		    !bundle_is_token(&ver, 1, BUNDLE_STR_MAX))
			return ds_err_set(err, DS_EINVAL, "bad form id");
	}
	for (i = 0; i < n; i++) {
		const struct bundle_rev *r = &revs[i];

		if (r->device_seq < m->seq_lo || r->device_seq > m->seq_hi ||
		    (i > 0 && r->device_seq <= revs[i - 1].device_seq))
			return ds_err_set(err, DS_EINVAL, "revision %zu: bad "
			    "sequence number", i);
		if (r->rev_no < 1 || !is_text(&r->household_key, 1,
		    BUNDLE_STR_MAX) || !is_text(&r->worker_id, 1,
		    BUNDLE_STR_MAX) || r->answers.n > BUNDLE_ANSWERS_MAX ||
		    r->audit.n > BUNDLE_AUDIT_MAX ||
		    r->consent.n > BUNDLE_CONSENT_MAX ||
		    r->natt > BUNDLE_ATTACH_PER_REV)
			return ds_err_set(err, DS_EINVAL, "revision %zu: bad "
			    "field", i);
		for (k = 0; k < r->natt; k++)
			if (!form_media_name_ok((const char *)r->att[k].name.p,
			    r->att[k].name.n) || r->att[k].data.n == 0 ||
			    r->att[k].data.n > BUNDLE_ATTACH_MAX)
				return ds_err_set(err, DS_EINVAL, "revision "
				    "%zu: bad attached file", i);
		for (k = 0, listed = 0; k < m->nforms && !listed; k++) {
			struct bundle_bytes id = cstr(m->form_ids[k]);
			struct bundle_bytes ver = cstr(m->form_vers[k]);

			listed = bundle_bytes_eq(&id, &r->form_id) &&
			    bundle_bytes_eq(&ver, &r->form_ver);
		}
		if (!listed)
			return ds_err_set(err, DS_EINVAL, "revision %zu: form "
			    "not listed", i);
	}
	return DS_OK;
}

enum ds_status
bundle_build(const struct bundle_meta *m, const struct bundle_rev *revs,
    size_t n, const struct cry_signkey *dev,
    const struct cry_office_pub *office, unsigned char bundle_id[CRY_ID_BYTES],
    unsigned char **out, size_t *outlen, struct ds_err *err)
{
	struct ds_buf pl, f;
	struct cryb_stream *ss = NULL;
	unsigned char *comp = NULL;
	unsigned char sealed[CRYB_SEALED_KEY_BYTES], sshdr[CRYB_SS_HEADER_BYTES];
	unsigned char kid[CRY_KEYID_BYTES];
	size_t comp_len = 0, i, hdr_len;
	uint32_t csize;
	enum ds_status st;
	int version = BUNDLE_VERSION;

	*out = NULL;
	*outlen = 0;
	ds_buf_init(&pl, BUNDLE_PLAIN_MAX);
	ds_buf_init(&f, BUNDLE_FILE_MAX);
	if ((st = check_build_input(m, revs, n, err)) != DS_OK)
		return st;
	csize = m->chunk_size ? m->chunk_size : BUNDLE_CHUNK_DEFAULT;

	/* Payload plaintext, deflated as one stream. */
	if ((st = ds_buf_add(&pl, PAYLOAD_MAGIC, 4)) != DS_OK ||
	    (st = ds_buf_add_le(&pl, n, 4)) != DS_OK)
		goto out;
	/* Version 1 unless a file travels: an older office reads the rest. */
	for (i = 0; i < n; i++)
		if (revs[i].natt > 0)
			version = BUNDLE_VERSION_ATTACH;
	for (i = 0; i < n; i++)
		if ((st = put_rev(&pl, &revs[i], version)) != DS_OK)
			goto out;
	if ((st = bundle_deflate((unsigned char *)pl.p, pl.len, &comp,
	    &comp_len, err)) != DS_OK)
		goto out;
	if (comp_len > BUNDLE_FILE_MAX - BUNDLE_FILE_MAX / 8) {
		st = ds_err_set(err, DS_ELIMIT, "bundle too large: split it");
		goto out;
	}
	if ((st = cryb_push_init(office->box_pk, sealed, sshdr, &ss, err)) !=
	    DS_OK)
		goto out;

	/* Header. */
	cry_random(bundle_id, CRY_ID_BYTES);
	cry_key_id(dev->pk, sizeof(dev->pk), kid);
	if ((st = ds_buf_add(&f, BUNDLE_MAGIC, 6)) != DS_OK ||
	    (st = ds_buf_add_le(&f, (uint64_t)version, 2)) != DS_OK ||
	    (st = ds_buf_add_le(&f, 0, 4)) != DS_OK ||	/* header_len, patched */
	    (st = ds_buf_add(&f, bundle_id, CRY_ID_BYTES)) != DS_OK ||
	    (st = ds_buf_add(&f, m->device_id, CRY_ID_BYTES)) != DS_OK ||
	    (st = ds_buf_add(&f, dev->pk, CRY_SIGN_PK_BYTES)) != DS_OK ||
	    (st = ds_buf_add(&f, kid, 8)) != DS_OK ||
	    (st = ds_buf_add(&f, office->office_id, CRY_ID_BYTES)) != DS_OK)
		goto out;
	cry_key_id(office->box_pk, sizeof(office->box_pk), kid);
	if ((st = ds_buf_add(&f, kid, 8)) != DS_OK ||
	    (st = ds_buf_add(&f, m->db_uuid, CRY_ID_BYTES)) != DS_OK ||
	    (st = ds_buf_add_le(&f, m->seq_lo, 8)) != DS_OK ||
	    (st = ds_buf_add_le(&f, m->seq_hi, 8)) != DS_OK ||
	    (st = ds_buf_add_le(&f, n, 4)) != DS_OK ||
	    (st = ds_buf_add(&f, m->prev_hash, BUNDLE_HASH_BYTES)) != DS_OK ||
	    (st = ds_buf_add_le(&f, (uint64_t)m->created_at, 8)) != DS_OK ||
	    (st = ds_buf_add_le(&f, m->schema_ver, 4)) != DS_OK ||
	    (st = ds_buf_add_le(&f, 1, 1)) != DS_OK ||	/* zlib */
	    (st = ds_buf_add_le(&f, csize, 4)) != DS_OK ||
	    (st = ds_buf_add_le(&f, pl.len, 8)) != DS_OK ||
	    (st = ds_buf_add_le(&f, comp_len, 8)) != DS_OK ||
	    (st = ds_buf_add(&f, sealed, sizeof(sealed))) != DS_OK ||
	    (st = ds_buf_add(&f, sshdr, sizeof(sshdr))) != DS_OK ||
	    (st = bundle_put_str8(&f, m->app_ver, strlen(m->app_ver))) != DS_OK ||
	    (st = ds_buf_add_le(&f, m->nforms, 1)) != DS_OK)
		goto out;
	for (i = 0; i < m->nforms; i++)
		if ((st = bundle_put_str8(&f, m->form_ids[i],
		    strlen(m->form_ids[i]))) != DS_OK ||
		    (st = bundle_put_str8(&f, m->form_vers[i],
		    strlen(m->form_vers[i]))) != DS_OK)
			goto out;
	hdr_len = f.len;
	for (i = 0; i < 4; i++)
		f.p[8 + i] = (char)(hdr_len >> (8 * i));

	/* Payload chunks, then the trailer. */
	if ((st = bundle_box_seal(&f, ss, comp, comp_len, csize,
	    m->test_no_final, err)) != DS_OK ||
	    (st = bundle_box_sign(&f, dev, BUNDLE_SIGN_DOMAIN, err)) != DS_OK)
		goto out;
	*out = (unsigned char *)ds_buf_take(&f, outlen);
	if (*out == NULL)
		st = ds_err_set(err, DS_ENOMEM, NULL);
out:
	if (st != DS_OK && err != NULL && err->code != st)
		ds_err_set(err, st, "cannot build bundle: %s",
		    ds_status_str(st));
	if (comp != NULL) {
		cry_wipe(comp, comp_len);
		ds_free(comp);
	}
	cryb_stream_free(ss);
	ds_buf_wipe(&pl);
	ds_buf_reset(&f);
	return st;
}

/* ---- reading ---------------------------------------------------------- */

void
bundle_hash(const unsigned char *buf, size_t len,
    unsigned char out[BUNDLE_HASH_BYTES])
{
	cry_hash(out, BUNDLE_HASH_BYTES, NULL, 0, buf, len);
}

enum ds_status
bundle_parse_header(const unsigned char *buf, size_t len,
    struct bundle_header *h, int *why, struct ds_err *err)
{
	return bundle_parse_header_prefix(buf, len, len, h, why, err);
}

enum ds_status
bundle_parse_header_prefix(const unsigned char *buf, size_t avail,
    size_t len, struct bundle_header *h, int *why, struct ds_err *err)
{
	struct ds_rd r;
	unsigned char kid[CRY_KEYID_BYTES];
	unsigned char magic[6];
	unsigned i, k;
	uint64_t total;

	memset(h, 0, sizeof(*h));
	if (len > BUNDLE_FILE_MAX || len < BUNDLE_FIXED_LEN + 2 +
	    CRYB_SS_ABYTES + BUNDLE_TRAILER_BYTES)
		return fail(why, BR_SIZE, err, DS_ELIMIT, "size out of range");
	r.p = buf;
	r.n = avail < len ? avail : len;
	r.off = 0;
	r.bad = 0;
	ds_rd_mem(&r, magic, sizeof(magic));
	if (r.bad || memcmp(magic, BUNDLE_MAGIC, sizeof(magic)) != 0)
		return fail(why, BR_MAGIC, err, DS_EPARSE, "bad magic");
	h->version = (uint16_t)ds_rd_le(&r, 2);
	if (h->version != BUNDLE_VERSION &&
	    h->version != BUNDLE_VERSION_ATTACH)
		return fail(why, BR_VERSION, err, DS_EPARSE, "version");
	h->header_len = (uint32_t)ds_rd_le(&r, 4);
	if (h->header_len < BUNDLE_FIXED_LEN + 2 ||
	    h->header_len > BUNDLE_HEADER_MAX || h->header_len > r.n)
		return fail(why, BR_HEADER, err, DS_EPARSE, "header length");
	r.n = h->header_len;	/* the header parse stays inside the header */
	ds_rd_mem(&r, h->bundle_id, CRY_ID_BYTES);
	ds_rd_mem(&r, h->device_id, CRY_ID_BYTES);
	ds_rd_mem(&r, h->device_pk, CRY_SIGN_PK_BYTES);
	ds_rd_mem(&r, h->device_kid, 8);
	ds_rd_mem(&r, h->office_id, CRY_ID_BYTES);
	ds_rd_mem(&r, h->office_kid, 8);
	ds_rd_mem(&r, h->db_uuid, CRY_ID_BYTES);
	h->seq_lo = ds_rd_le(&r, 8);
	h->seq_hi = ds_rd_le(&r, 8);
	h->record_count = (uint32_t)ds_rd_le(&r, 4);
	ds_rd_mem(&r, h->prev_hash, BUNDLE_HASH_BYTES);
	h->created_at = (int64_t)ds_rd_le(&r, 8);
	h->schema_ver = (uint32_t)ds_rd_le(&r, 4);
	h->compression = (uint8_t)ds_rd_le(&r, 1);
	h->chunk_size = (uint32_t)ds_rd_le(&r, 4);
	h->plain_len = ds_rd_le(&r, 8);
	h->comp_len = ds_rd_le(&r, 8);
	ds_rd_mem(&r, h->sealed_key, sizeof(h->sealed_key));
	ds_rd_mem(&r, h->ss_header, sizeof(h->ss_header));
	bundle_get_bytes(&r, 1, 64, &h->app_ver);
	h->nforms = (uint8_t)ds_rd_le(&r, 1);
	if (r.bad)
		return fail(why, BR_HEADER, err, DS_EPARSE, "short header");
	if (h->nforms < 1 || h->nforms > BUNDLE_FORMS_MAX)
		return fail(why, BR_HEADER, err, DS_EPARSE, "form count");
	for (i = 0; i < h->nforms; i++) {
		bundle_get_bytes(&r, 1, BUNDLE_STR_MAX, &h->forms[i].id);
		bundle_get_bytes(&r, 1, BUNDLE_STR_MAX, &h->forms[i].ver);
		if (r.bad || !bundle_is_token(&h->forms[i].id, 1, BUNDLE_STR_MAX) ||
		    !bundle_is_token(&h->forms[i].ver, 1, BUNDLE_STR_MAX))
			return fail(why, BR_HEADER, err, DS_EPARSE,
			    "form list");
		for (k = 0; k < i; k++)
			if (bundle_bytes_eq(&h->forms[k].id, &h->forms[i].id) &&
			    bundle_bytes_eq(&h->forms[k].ver, &h->forms[i].ver))
				return fail(why, BR_HEADER, err, DS_EPARSE,
				    "form listed twice");
	}
	if (r.off != h->header_len)
		return fail(why, BR_HEADER, err, DS_EPARSE,
		    "header length mismatch");
	if (!bundle_is_token(&h->app_ver, 1, 64))
		return fail(why, BR_HEADER, err, DS_EPARSE, "app version");
	cry_key_id(h->device_pk, sizeof(h->device_pk), kid);
	if (memcmp(kid, h->device_kid, sizeof(kid)) != 0)
		return fail(why, BR_HEADER, err, DS_EPARSE,
		    "device key id does not match device key");
	if (h->seq_lo < 1 || h->seq_hi < h->seq_lo ||
	    h->seq_hi > INT64_MAX)
		return fail(why, BR_HEADER, err, DS_EPARSE, "sequence range");
	if (h->record_count < 1 || h->record_count > BUNDLE_RECORDS_MAX ||
	    h->record_count - 1 > h->seq_hi - h->seq_lo)
		return fail(why, BR_HEADER, err, DS_EPARSE, "record count");
	if (h->compression != 1)
		return fail(why, BR_HEADER, err, DS_EPARSE, "compression");
	if (h->chunk_size < BUNDLE_CHUNK_MIN ||
	    h->chunk_size > BUNDLE_CHUNK_MAX)
		return fail(why, BR_HEADER, err, DS_EPARSE, "chunk size");
	if (h->plain_len < 8 || h->plain_len > BUNDLE_PLAIN_MAX)
		return fail(why, BR_HEADER, err, DS_EPARSE, "plaintext length");
	if (h->comp_len < 1 || h->comp_len > BUNDLE_FILE_MAX)
		return fail(why, BR_HEADER, err, DS_EPARSE,
		    "compressed length");
	total = bundle_box_len(h->header_len, h->comp_len, h->chunk_size,
	    &h->chunk_count);
	if (total != len)
		return fail(why, BR_LENGTH, err, DS_EPARSE, len < total ?
		    "file is truncated" : "file has extra bytes");
	h->file_len = len;
	if (why != NULL)
		*why = BR_OK;
	return DS_OK;
}

enum ds_status
bundle_verify(const unsigned char *buf, size_t len,
    const struct bundle_header *hd, int *why, struct ds_err *err)
{
	enum ds_status st;

	if (len != hd->file_len)
		return fail(why, BR_LENGTH, err, DS_EINVAL, "length changed");
	st = bundle_box_verify(buf, len, hd->device_pk, BUNDLE_SIGN_DOMAIN,
	    NULL);
	if (st == DS_ENOMEM) {
		if (why != NULL)
			*why = BR_STORE;
		return ds_err_set(err, st, NULL);
	}
	if (st != DS_OK)
		return fail(why, BR_SIGNATURE, err, DS_ECRYPTO,
		    "device signature does not verify");
	if (why != NULL)
		*why = BR_OK;
	return DS_OK;
}

enum ds_status
bundle_verify_prehash(const struct bundle_header *hd,
    const unsigned char prehash[CRY_HASH_BYTES],
    const unsigned char sig[BUNDLE_TRAILER_BYTES], int *why,
    struct ds_err *err)
{
	if (cryb_verify(hd->device_pk, BUNDLE_SIGN_DOMAIN, prehash, sig,
	    NULL) != DS_OK)
		return fail(why, BR_SIGNATURE, err, DS_ECRYPTO,
		    "device signature does not verify");
	if (why != NULL)
		*why = BR_OK;
	return DS_OK;
}

enum ds_status
bundle_open(const unsigned char *buf, size_t len,
    const struct bundle_header *h, const struct cry_office_sec *sec,
    struct bundle_payload **out, int *why, struct ds_err *err)
{
	struct bundle_box b;
	unsigned char *plain = NULL;
	enum ds_status st;

	*out = NULL;
	if (len != h->file_len)
		return fail(why, BR_LENGTH, err, DS_EINVAL, "length changed");
	b.header_len = h->header_len;
	b.chunk_size = h->chunk_size;
	b.chunk_count = h->chunk_count;
	b.comp_len = h->comp_len;
	b.plain_len = h->plain_len;
	b.sealed_key = h->sealed_key;
	b.ss_header = h->ss_header;
	if ((st = bundle_box_open(buf, &b, sec->box_pk, sec->box_sk, &plain,
	    why, err)) != DS_OK)
		return st;
	st = bundle_payload_parse(plain, (size_t)h->plain_len, h, out, err);
	if (why != NULL)
		*why = st == DS_OK ? BR_OK : st == DS_ENOMEM ? BR_STORE :
		    BR_PAYLOAD;
	return st;
}
