/* doorstep: office bundle v1 — layout, payload, entry rules. */
/*
 * The container (deflate, secretstream chunks, signature pre-hash) is
 * bundle.c's; this file lays out the office bundle's header and payload
 * and checks them.  Invariants as in bundle.c: nothing is inflated or
 * parsed before the signature and every chunk tag verify; every length
 * read from the file is checked against a cap before use; decrypted bytes
 * are wiped before free.
 */
#include "obundle.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cry_bundle.h"
#include "json.h"
#include "mem.h"
#include "utf8.h"
#include "util.h"

#define PAYLOAD_MAGIC	"DSOP"
#define ITEM_MIN	5	/* kind + length */

static const struct {
	int		 num;
	const char	*name;
	const char	*msg;
} reasons[] = {
#define OB_X(name, num, msg) { num, #name, msg },
	OBUNDLE_REASONS(OB_X)
#undef OB_X
};

const char *const obundle_entry_reasons[] = {
	"clue", "routine", "followup", "elim_check", "lookback", "annual",
	"correction", "screening", NULL
};

const char *
obundle_reason_str(int r)
{
	if (r < 0 || r >= OB_COUNT)
		return "unknown reason";
	return reasons[r].msg;
}

const char *
obundle_reason_name(int r)
{
	if (r < 0 || r >= OB_COUNT)
		return "OB_UNKNOWN";
	return reasons[r].name;
}

static enum ds_status
fail(int *why, int reason, struct ds_err *err, enum ds_status st,
    const char *detail)
{
	if (why != NULL)
		*why = reason;
	return ds_err_set(err, st, "office bundle: %s: %s",
	    obundle_reason_str(reason), detail);
}

/* ---- entry JSON -------------------------------------------------------- */

int
obundle_date_ok(const char *s, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d;
	size_t i;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < n; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)))
		return 0;
	return 1;
}

/* A JSON string of 0..max bytes, UTF-8 without control characters. */
static int
str_ok(const json_t *v, size_t min, size_t max)
{
	size_t n;

	if (!json_is_string(v))
		return 0;
	n = json_string_length(v);
	return n >= min && n <= max && utf8_valid(json_string_value(v), n,
	    UTF8_NO_CONTROLS);
}

static int
token_ok(const json_t *v)
{
	struct bundle_bytes b;

	if (!json_is_string(v))
		return 0;
	b.p = (const unsigned char *)json_string_value(v);
	b.n = json_string_length(v);
	return bundle_is_token(&b, 1, BUNDLE_STR_MAX);
}

static int
date_ok(const json_t *v)
{
	return json_is_string(v) && obundle_date_ok(json_string_value(v),
	    json_string_length(v));
}

static int
hex16_ok(const json_t *v, unsigned char out[CRY_ID_BYTES])
{
	return json_is_string(v) && json_string_length(v) == 32 &&
	    ds_hex_decode(json_string_value(v), out, CRY_ID_BYTES) == 0;
}

/* Every key of o is one of `keys`, and every one of `keys` is there. */
static int
keys_exact(const json_t *o, const char *const *keys)
{
	size_t n;

	for (n = 0; keys[n] != NULL; n++)
		if (json_object_get(o, keys[n]) == NULL)
			return 0;
	return json_object_size(o) == n;
}

static int
enum_ok(const json_t *v, const char *const *words)
{
	size_t i;

	if (!json_is_string(v))
		return 0;
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(json_string_value(v), words[i]) == 0)
			return 1;
	return 0;
}

static const char *
clue_check(const json_t *c)
{
	static const char *const keys[] = { "channel", "source", "reason",
	    "date", "amount", NULL };
	static const char *const channels[] = { "self_report",
	    "cadre_screening", "dept_warning", NULL };
	const json_t *a;

	if (json_is_null(c))
		return NULL;
	if (!json_is_object(c) || !keys_exact(c, keys))
		return "clue: not an object of channel, source, reason, date, "
		    "amount";
	if (!enum_ok(json_object_get(c, "channel"), channels))
		return "clue: unknown channel";
	if (!str_ok(json_object_get(c, "source"), 0, 255) ||
	    !str_ok(json_object_get(c, "reason"), 0, 4096))
		return "clue: bad source or reason";
	if (!date_ok(json_object_get(c, "date")))
		return "clue: bad date";
	a = json_object_get(c, "amount");
	if (!json_is_null(a) && !json_is_number(a))
		return "clue: amount is not a number";
	return NULL;
}

static const char *
consent_check(const json_t *c)
{
	static const char *const keys[] = { "record_code", "date", "method",
	    NULL };

	if (json_is_null(c))
		return NULL;
	if (!json_is_object(c) || !keys_exact(c, keys))
		return "consent: not an object of record_code, date, method";
	if (!str_ok(json_object_get(c, "record_code"), 1, 64) ||
	    !date_ok(json_object_get(c, "date")) ||
	    !token_ok(json_object_get(c, "method")))
		return "consent: bad record code, date or method";
	return NULL;
}

int
obundle_entry_check(const char *json, size_t n,
    const unsigned char entry_id[CRY_ID_BYTES], const char **msg)
{
	static const char *const keys[] = { "entry", "hh_key", "township",
	    "village", "village_name", "vgroup", "head_name", "reason", "due",
	    "worker", "form_id", "form_ver", "clue", "consent", "prev_rev",
	    "prev", NULL };
	static const char *const texts[] = { "township", "village",
	    "village_name", "vgroup", "head_name", "worker", NULL };
	unsigned char id[CRY_ID_BYTES];
	const json_t *v;
	json_t *doc = NULL;
	size_t i;
	int rc = -1;

	*msg = "entry is not a JSON object";
	if (n == 0 || n > OBUNDLE_ENTRY_MAX || !bundle_json_ok(json, n, 'o'))
		goto out;
	if (ds_json_parse(json, n, OBUNDLE_ENTRY_MAX, "entry", &doc, NULL) ==
	    DS_ENOMEM) {
		*msg = NULL;	/* memory, not the entry */
		goto out;
	}
	if (!json_is_object(doc))
		goto out;
	*msg = "entry keys differ from the format";
	if (!keys_exact(doc, keys))
		goto out;
	*msg = "entry id differs from the item";
	if (!hex16_ok(json_object_get(doc, "entry"), id) ||
	    memcmp(id, entry_id, CRY_ID_BYTES) != 0)
		goto out;
	*msg = "bad household key";
	if (!str_ok(json_object_get(doc, "hh_key"), 1, BUNDLE_STR_MAX))
		goto out;
	*msg = "bad place, name or worker text";
	for (i = 0; texts[i] != NULL; i++)
		if (!str_ok(json_object_get(doc, texts[i]), 0, BUNDLE_STR_MAX))
			goto out;
	*msg = "unknown reason";
	if (!enum_ok(json_object_get(doc, "reason"), obundle_entry_reasons))
		goto out;
	*msg = "bad due date";
	if (!date_ok(json_object_get(doc, "due")))
		goto out;
	*msg = "bad form id or version";
	if (!token_ok(json_object_get(doc, "form_id")) ||
	    !token_ok(json_object_get(doc, "form_ver")))
		goto out;
	if ((*msg = clue_check(json_object_get(doc, "clue"))) != NULL ||
	    (*msg = consent_check(json_object_get(doc, "consent"))) != NULL)
		goto out;
	*msg = "bad previous revision id";
	v = json_object_get(doc, "prev_rev");
	if (!json_is_null(v) && !hex16_ok(v, id))
		goto out;
	*msg = "previous answers are not an object";
	v = json_object_get(doc, "prev");
	if (!json_is_null(v) && !json_is_object(v))
		goto out;
	*msg = NULL;
	rc = 0;
out:
	if (doc != NULL)
		json_decref(doc);
	return rc;
}

/* ---- payload ------------------------------------------------------------ */

/* A plain file name: [A-Za-z0-9._-], not starting with '.', by role. */
static int
name_ok(const struct bundle_bytes *b, int role)
{
	const char *s = (const char *)b->p;
	size_t i, n = b->n;

	if (n < 1 || n > OBUNDLE_NAME_MAX || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	if (role == OB_ROLE_LIST)
		return n > 4 && memcmp(s + n - 4, ".csv", 4) == 0;
	return (n > 3 && memcmp(s + n - 3, ".md", 3) == 0) ||
	    (n > 5 && memcmp(s + n - 5, ".xlsx", 5) == 0);
}

/* Printable ASCII with space, 1..255 bytes: a withdrawal's reason. */
static int
reason_ok(const struct bundle_bytes *b)
{
	size_t i;

	if (b->n < 1 || b->n > BUNDLE_STR_MAX)
		return 0;
	for (i = 0; i < b->n; i++)
		if (b->p[i] < 0x20 || b->p[i] > 0x7e)
			return 0;
	return 1;
}

static int
same_form(const struct obundle_item *a, const struct obundle_item *b)
{
	return bundle_bytes_eq(&a->form_id, &b->form_id) &&
	    bundle_bytes_eq(&a->form_ver, &b->form_ver);
}

/* One item of exactly len bytes at r; msg says what failed. */
static int
parse_item(struct ds_rd *r, int kind, size_t len, struct obundle_item *it,
    const char **msg)
{
	struct ds_rd sub;

	sub.p = r->p + r->off;
	sub.n = len;
	sub.off = 0;
	sub.bad = 0;
	r->off += len;
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	switch (kind) {
	case OBI_FILE:
		bundle_get_bytes(&sub, 1, BUNDLE_STR_MAX, &it->form_id);
		bundle_get_bytes(&sub, 1, BUNDLE_STR_MAX, &it->form_ver);
		bundle_get_bytes(&sub, 1, OBUNDLE_NAME_MAX, &it->name);
		it->role = (int)ds_rd_le(&sub, 1);
		bundle_get_bytes(&sub, 4, OBUNDLE_FORM_FILE_MAX, &it->data);
		break;
	case OBI_ENTRY:
		ds_rd_mem(&sub, it->entry_id, CRY_ID_BYTES);
		bundle_get_bytes(&sub, 4, OBUNDLE_ENTRY_MAX, &it->data);
		break;
	case OBI_WITHDRAW:
		ds_rd_mem(&sub, it->entry_id, CRY_ID_BYTES);
		bundle_get_bytes(&sub, 1, BUNDLE_STR_MAX, &it->data);
		break;
	default:
		return *msg = "unknown item kind", -1;
	}
	if (sub.bad || sub.off != sub.n)
		return *msg = "item length mismatch", -1;
	switch (kind) {
	case OBI_FILE:
		if (!bundle_is_token(&it->form_id, 1, BUNDLE_STR_MAX) ||
		    !bundle_is_token(&it->form_ver, 1, BUNDLE_STR_MAX))
			return *msg = "bad form id or version", -1;
		if (it->role != OB_ROLE_FORM && it->role != OB_ROLE_LIST)
			return *msg = "unknown file role", -1;
		if (!name_ok(&it->name, it->role))
			return *msg = "bad file name", -1;
		if (it->data.n == 0)
			return *msg = "empty file", -1;
		break;
	case OBI_ENTRY:
		if (obundle_entry_check((const char *)it->data.p, it->data.n,
		    it->entry_id, msg) != 0)
			return -1;
		break;
	default:
		if (!reason_ok(&it->data))
			return *msg = "bad withdrawal reason", -1;
		break;
	}
	return 0;
}

static int
id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, CRY_ID_BYTES);
}

/*
 * Across items: a form version's files come together (one run), with
 * exactly one form file and no name twice; no entry id twice (as entry or
 * withdrawal).  Runs are compared with earlier runs' first items only,
 * and files are capped, so this stays small on hostile input.
 */
static int
check_items(const struct obundle_payload *pl, const char **msg)
{
	unsigned char (*ids)[CRY_ID_BYTES] = NULL;
	size_t runs[OBUNDLE_FILES_MAX];
	size_t i, j, k, l, nruns = 0, nforms, nids = 0;

	if (pl->n_files > OBUNDLE_FILES_MAX)
		return *msg = "too many files", -1;
	for (i = 0; i < pl->n; i = k) {
		const struct obundle_item *a = &pl->items[i];

		k = i + 1;
		if (a->kind != OBI_FILE)
			continue;
		while (k < pl->n && pl->items[k].kind == OBI_FILE &&
		    same_form(a, &pl->items[k]))
			k++;
		for (j = 0; j < nruns; j++)
			if (same_form(a, &pl->items[runs[j]]))
				return *msg = "a form version's files are "
				    "not together", -1;
		runs[nruns++] = i;
		for (nforms = 0, j = i; j < k; j++) {
			nforms += pl->items[j].role == OB_ROLE_FORM;
			for (l = i; l < j; l++)
				if (bundle_bytes_eq(&pl->items[l].name,
				    &pl->items[j].name))
					return *msg = "file named twice", -1;
		}
		if (nforms != 1)
			return *msg = "a form version needs exactly one form "
			    "file", -1;
	}
	if (pl->n_entries + pl->n_withdrawals < 2)
		return 0;
	if ((ids = ds_malloc((pl->n_entries + pl->n_withdrawals) *
	    sizeof(*ids))) == NULL)
		return *msg = NULL, -1;
	for (i = 0; i < pl->n; i++)
		if (pl->items[i].kind != OBI_FILE)
			memcpy(ids[nids++], pl->items[i].entry_id,
			    CRY_ID_BYTES);
	qsort(ids, nids, sizeof(*ids), id_cmp);
	for (i = 1; i < nids; i++)
		if (memcmp(ids[i - 1], ids[i], CRY_ID_BYTES) == 0) {
			ds_free(ids);
			return *msg = "an entry named twice", -1;
		}
	ds_free(ids);
	return 0;
}

enum ds_status
obundle_payload_parse(unsigned char *plain, size_t len,
    struct obundle_payload **out, struct ds_err *err)
{
	struct obundle_payload *pl;
	struct ds_rd r;
	const char *msg = "truncated";
	unsigned char magic[4];
	uint64_t count, ilen;
	int kind;
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
	ds_rd_mem(&r, magic, 4);
	count = ds_rd_le(&r, 4);
	if (r.bad || memcmp(magic, PAYLOAD_MAGIC, 4) != 0) {
		msg = "bad payload magic";
		goto out;
	}
	/* Each item takes at least ITEM_MIN bytes: no huge allocation. */
	if (count < 1 || count > OBUNDLE_ITEMS_MAX ||
	    count > (len - r.off) / ITEM_MIN) {
		msg = "bad item count";
		goto out;
	}
	if ((pl->items = ds_calloc((size_t)count, sizeof(*pl->items))) ==
	    NULL) {
		obundle_payload_free(pl);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	for (i = 0; i < count; i++) {
		kind = (int)ds_rd_le(&r, 1);
		ilen = ds_rd_le(&r, 4);
		if (r.bad || ilen > r.n - r.off) {
			msg = "item overruns payload";
			goto out;
		}
		if (parse_item(&r, kind, (size_t)ilen, &pl->items[i], &msg) !=
		    0) {
			if (msg == NULL)
				goto nomem;
			goto out;
		}
		pl->n = i + 1;
		pl->n_files += kind == OBI_FILE;
		pl->n_entries += kind == OBI_ENTRY;
		pl->n_withdrawals += kind == OBI_WITHDRAW;
	}
	if (r.off != r.n) {
		msg = "trailing bytes after the last item";
		goto out;
	}
	if (check_items(pl, &msg) != 0) {
		if (msg == NULL)
			goto nomem;
		goto out;
	}
	*out = pl;
	return DS_OK;
nomem:
	obundle_payload_free(pl);
	return ds_err_set(err, DS_ENOMEM, NULL);
out:
	obundle_payload_free(pl);
	return ds_err_set(err, DS_EPARSE, "office bundle: %s: %s",
	    obundle_reason_str(OB_PAYLOAD), msg);
}

void
obundle_payload_free(struct obundle_payload *pl)
{
	if (pl == NULL)
		return;
	if (pl->plain != NULL) {
		cry_wipe(pl->plain, pl->plain_len);
		ds_free(pl->plain);
	}
	ds_free(pl->items);
	ds_free(pl);
}

static enum ds_status
put_item(struct ds_buf *b, const struct obundle_item *it)
{
	size_t start;
	enum ds_status st;
	int i;

	if ((st = ds_buf_add_le(b, (uint64_t)it->kind, 1)) != DS_OK ||
	    (st = ds_buf_add_le(b, 0, 4)) != DS_OK)	/* length, patched */
		return st;
	start = b->len;
	switch (it->kind) {
	case OBI_FILE:
		if (it->form_id.n > BUNDLE_STR_MAX ||
		    it->form_ver.n > BUNDLE_STR_MAX ||
		    it->name.n > OBUNDLE_NAME_MAX ||
		    it->data.n > OBUNDLE_FORM_FILE_MAX)
			return DS_EINVAL;
		if ((st = bundle_put_str8(b, it->form_id.p, it->form_id.n)) !=
		    DS_OK ||
		    (st = bundle_put_str8(b, it->form_ver.p, it->form_ver.n)) !=
		    DS_OK ||
		    (st = bundle_put_str8(b, it->name.p, it->name.n)) != DS_OK ||
		    (st = ds_buf_add_le(b, (uint64_t)it->role, 1)) != DS_OK ||
		    (st = ds_buf_add_le(b, it->data.n, 4)) != DS_OK)
			return st;
		break;
	case OBI_ENTRY:
		if (it->data.n > OBUNDLE_ENTRY_MAX)
			return DS_EINVAL;
		if ((st = ds_buf_add(b, it->entry_id, CRY_ID_BYTES)) != DS_OK ||
		    (st = ds_buf_add_le(b, it->data.n, 4)) != DS_OK)
			return st;
		break;
	case OBI_WITHDRAW:
		if (it->data.n > BUNDLE_STR_MAX)
			return DS_EINVAL;
		if ((st = ds_buf_add(b, it->entry_id, CRY_ID_BYTES)) != DS_OK ||
		    (st = ds_buf_add_le(b, it->data.n, 1)) != DS_OK)
			return st;
		break;
	default:
		return DS_EINVAL;
	}
	if ((st = ds_buf_add(b, it->data.p, it->data.n)) != DS_OK)
		return st;
	for (i = 0; i < 4; i++)
		b->p[start - 4 + (size_t)i] = (char)((b->len - start) >>
		    (8 * i));
	return DS_OK;
}

enum ds_status
obundle_payload_make(const struct obundle_item *items, size_t n,
    struct ds_buf *pl, struct ds_err *err)
{
	enum ds_status st;
	size_t i;

	if ((st = ds_buf_add(pl, PAYLOAD_MAGIC, 4)) != DS_OK ||
	    (st = ds_buf_add_le(pl, n, 4)) != DS_OK)
		return ds_err_set(err, st, NULL);
	for (i = 0; i < n; i++)
		if ((st = put_item(pl, &items[i])) == DS_EINVAL)
			return ds_err_set(err, st, "item %zu: unknown kind or "
			    "too long", i);
		else if (st != DS_OK)
			return ds_err_set(err, st, NULL);
	return DS_OK;
}

/* ---- building ----------------------------------------------------------- */

enum ds_status
obundle_build(const struct obundle_meta *m, const struct obundle_item *items,
    size_t n, const struct cry_office_sec *office,
    unsigned char bundle_id[CRY_ID_BYTES], unsigned char **out,
    size_t *outlen, struct ds_err *err)
{
	static const unsigned char zero[OBUNDLE_HASH_BYTES];
	struct obundle_payload *check = NULL;
	struct ds_buf pl, f;
	struct cryb_stream *ss = NULL;
	unsigned char *comp = NULL, *copy;
	unsigned char sealed[CRYB_SEALED_KEY_BYTES], sshdr[CRYB_SS_HEADER_BYTES];
	unsigned char kid[CRY_KEYID_BYTES];
	size_t comp_len = 0;
	uint32_t csize;
	enum ds_status st;

	*out = NULL;
	*outlen = 0;
	ds_buf_init(&pl, OBUNDLE_PLAIN_MAX);
	ds_buf_init(&f, OBUNDLE_FILE_MAX);
	if (n < 1 || n > OBUNDLE_ITEMS_MAX)
		return ds_err_set(err, DS_EINVAL, "office bundle needs 1..%d "
		    "items", OBUNDLE_ITEMS_MAX);
	if (m->seq < 1 || m->seq > INT64_MAX || (m->seq == 1) !=
	    (memcmp(m->prev_hash, zero, sizeof(zero)) == 0))
		return ds_err_set(err, DS_EINVAL, "bad sequence or previous "
		    "hash");
	if (m->chunk_size != 0 && (m->chunk_size < BUNDLE_CHUNK_MIN ||
	    m->chunk_size > BUNDLE_CHUNK_MAX))
		return ds_err_set(err, DS_EINVAL, "bad chunk size");
	csize = m->chunk_size ? m->chunk_size : BUNDLE_CHUNK_DEFAULT;

	/* Payload, checked by the reader's own parser before sealing. */
	if ((st = obundle_payload_make(items, n, &pl, err)) != DS_OK)
		goto out;
	if ((copy = ds_malloc(pl.len)) == NULL) {
		st = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	memcpy(copy, pl.p, pl.len);
	if ((st = obundle_payload_parse(copy, pl.len, &check, err)) != DS_OK) {
		if (st == DS_EPARSE) {	/* the caller's items break a rule */
			st = DS_EINVAL;
			if (err != NULL)
				err->code = st;
		}
		goto out;
	}
	obundle_payload_free(check);
	if ((st = bundle_deflate((unsigned char *)pl.p, pl.len, &comp,
	    &comp_len, err)) != DS_OK)
		goto out;
	if (comp_len > OBUNDLE_FILE_MAX / 2) {
		st = ds_err_set(err, DS_ELIMIT, "office bundle too large: "
		    "split it");
		goto out;
	}
	if ((st = cryb_push_init(m->box_pk, sealed, sshdr, &ss, err)) != DS_OK)
		goto out;

	/* Header: 248 bytes. */
	cry_random(bundle_id, CRY_ID_BYTES);
	cry_key_id(office->sign.pk, sizeof(office->sign.pk), kid);
	if ((st = ds_buf_add(&f, OBUNDLE_MAGIC, 6)) != DS_OK ||
	    (st = ds_buf_add_le(&f, OBUNDLE_VERSION, 2)) != DS_OK ||
	    (st = ds_buf_add_le(&f, OBUNDLE_HEADER_LEN, 4)) != DS_OK ||
	    (st = ds_buf_add(&f, bundle_id, CRY_ID_BYTES)) != DS_OK ||
	    (st = ds_buf_add(&f, office->office_id, CRY_ID_BYTES)) != DS_OK ||
	    (st = ds_buf_add(&f, kid, sizeof(kid))) != DS_OK ||
	    (st = ds_buf_add(&f, m->device_id, CRY_ID_BYTES)) != DS_OK)
		goto out;
	cry_key_id(m->box_pk, CRY_BOX_PK_BYTES, kid);
	if ((st = ds_buf_add(&f, kid, sizeof(kid))) != DS_OK ||
	    (st = ds_buf_add_le(&f, m->seq, 8)) != DS_OK ||
	    (st = ds_buf_add(&f, m->prev_hash, OBUNDLE_HASH_BYTES)) != DS_OK ||
	    (st = ds_buf_add_le(&f, (uint64_t)m->created_at, 8)) != DS_OK ||
	    (st = ds_buf_add_le(&f, csize, 4)) != DS_OK ||
	    (st = ds_buf_add_le(&f, pl.len, 8)) != DS_OK ||
	    (st = ds_buf_add_le(&f, comp_len, 8)) != DS_OK ||
	    (st = ds_buf_add(&f, sealed, sizeof(sealed))) != DS_OK ||
	    (st = ds_buf_add(&f, sshdr, sizeof(sshdr))) != DS_OK)
		goto out;
	if (f.len != OBUNDLE_HEADER_LEN) {
		st = ds_err_set(err, DS_EINVAL, "header is %zu bytes", f.len);
		goto out;
	}
	if ((st = bundle_box_seal(&f, ss, comp, comp_len, csize,
	    m->test_no_final, err)) != DS_OK ||
	    (st = bundle_box_sign(&f, &office->sign, OBUNDLE_SIGN_DOMAIN,
	    err)) != DS_OK)
		goto out;
	if ((*out = (unsigned char *)ds_buf_take(&f, outlen)) == NULL)
		st = ds_err_set(err, DS_ENOMEM, NULL);
out:
	if (st != DS_OK && err != NULL && err->code != st)
		ds_err_set(err, st, "cannot build office bundle: %s",
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

/* ---- reading ------------------------------------------------------------ */

void
obundle_hash(const unsigned char *buf, size_t len,
    unsigned char out[OBUNDLE_HASH_BYTES])
{
	bundle_hash(buf, len, out);
}

enum ds_status
obundle_parse_header(const unsigned char *buf, size_t len,
    struct obundle_header *h, int *why, struct ds_err *err)
{
	struct ds_rd r;
	unsigned char magic[6];
	uint64_t total;

	memset(h, 0, sizeof(*h));
	if (len > OBUNDLE_FILE_MAX || len < OBUNDLE_HEADER_LEN + 1 +
	    CRYB_SS_ABYTES + BUNDLE_TRAILER_BYTES)
		return fail(why, OB_SIZE, err, DS_ELIMIT, "size out of range");
	r.p = buf;
	r.n = OBUNDLE_HEADER_LEN;
	r.off = 0;
	r.bad = 0;
	ds_rd_mem(&r, magic, sizeof(magic));
	if (memcmp(magic, OBUNDLE_MAGIC, sizeof(magic)) != 0)
		return fail(why, OB_MAGIC, err, DS_EPARSE, "bad magic");
	h->version = (uint16_t)ds_rd_le(&r, 2);
	if (h->version != OBUNDLE_VERSION)
		return fail(why, OB_VERSION, err, DS_EPARSE, "version");
	h->header_len = (uint32_t)ds_rd_le(&r, 4);
	if (h->header_len != OBUNDLE_HEADER_LEN)
		return fail(why, OB_HEADER, err, DS_EPARSE, "header length");
	ds_rd_mem(&r, h->bundle_id, CRY_ID_BYTES);
	ds_rd_mem(&r, h->office_id, CRY_ID_BYTES);
	ds_rd_mem(&r, h->office_kid, CRY_KEYID_BYTES);
	ds_rd_mem(&r, h->device_id, CRY_ID_BYTES);
	ds_rd_mem(&r, h->box_kid, CRY_KEYID_BYTES);
	h->seq = ds_rd_le(&r, 8);
	ds_rd_mem(&r, h->prev_hash, OBUNDLE_HASH_BYTES);
	h->created_at = (int64_t)ds_rd_le(&r, 8);
	h->chunk_size = (uint32_t)ds_rd_le(&r, 4);
	h->plain_len = ds_rd_le(&r, 8);
	h->comp_len = ds_rd_le(&r, 8);
	ds_rd_mem(&r, h->sealed_key, sizeof(h->sealed_key));
	ds_rd_mem(&r, h->ss_header, sizeof(h->ss_header));
	if (r.bad || r.off != OBUNDLE_HEADER_LEN)
		return fail(why, OB_HEADER, err, DS_EPARSE, "short header");
	if (h->seq < 1 || h->seq > INT64_MAX)
		return fail(why, OB_HEADER, err, DS_EPARSE, "sequence");
	if (h->chunk_size < BUNDLE_CHUNK_MIN ||
	    h->chunk_size > BUNDLE_CHUNK_MAX)
		return fail(why, OB_HEADER, err, DS_EPARSE, "chunk size");
	if (h->plain_len < 8 || h->plain_len > OBUNDLE_PLAIN_MAX)
		return fail(why, OB_HEADER, err, DS_EPARSE, "plaintext length");
	if (h->comp_len < 1 || h->comp_len > OBUNDLE_FILE_MAX)
		return fail(why, OB_HEADER, err, DS_EPARSE,
		    "compressed length");
	total = bundle_box_len(h->header_len, h->comp_len, h->chunk_size,
	    &h->chunk_count);
	if (total != len)
		return fail(why, OB_LENGTH, err, DS_EPARSE, len < total ?
		    "file is truncated" : "file has extra bytes");
	h->file_len = len;
	if (why != NULL)
		*why = OB_OK;
	return DS_OK;
}

enum ds_status
obundle_check_for(const struct obundle_header *h,
    const unsigned char device_id[CRY_ID_BYTES],
    const struct cry_office_pub *office,
    const unsigned char box_pk[CRY_BOX_PK_BYTES], int *why,
    struct ds_err *err)
{
	unsigned char kid[CRY_KEYID_BYTES];

	if (memcmp(h->device_id, device_id, CRY_ID_BYTES) != 0)
		return fail(why, OB_DEVICE, err, DS_EREJECT, "device id");
	cry_key_id(office->sign_pk, CRY_SIGN_PK_BYTES, kid);
	if (memcmp(h->office_id, office->office_id, CRY_ID_BYTES) != 0 ||
	    memcmp(h->office_kid, kid, sizeof(kid)) != 0)
		return fail(why, OB_OFFICE, err, DS_EREJECT,
		    "office id or signing key");
	cry_key_id(box_pk, CRY_BOX_PK_BYTES, kid);
	if (memcmp(h->box_kid, kid, sizeof(kid)) != 0)
		return fail(why, OB_BOXKEY, err, DS_EREJECT, "box key id");
	if (why != NULL)
		*why = OB_OK;
	return DS_OK;
}

enum ds_status
obundle_verify(const unsigned char *buf, size_t len,
    const struct obundle_header *h,
    const unsigned char office_sign_pk[CRY_SIGN_PK_BYTES], int *why,
    struct ds_err *err)
{
	enum ds_status st;

	if (len != h->file_len)
		return fail(why, OB_LENGTH, err, DS_EINVAL, "length changed");
	st = bundle_box_verify(buf, len, office_sign_pk, OBUNDLE_SIGN_DOMAIN,
	    NULL);
	if (st == DS_ENOMEM) {
		if (why != NULL)
			*why = OB_STORE;
		return ds_err_set(err, st, NULL);
	}
	if (st != DS_OK)
		return fail(why, OB_SIGNATURE, err, DS_ECRYPTO,
		    "office signature does not verify");
	if (why != NULL)
		*why = OB_OK;
	return DS_OK;
}

/* The container's reasons in this format's numbers. */
static int
from_br(int br)
{
	switch (br) {
	case BR_OK:
		return OB_OK;
	case BR_SEAL:
		return OB_SEAL;
	case BR_STREAM:
		return OB_STREAM;
	case BR_TRUNCATED:
		return OB_TRUNCATED;
	case BR_INFLATE:
		return OB_INFLATE;
	default:
		return OB_STORE;
	}
}

enum ds_status
obundle_open(const unsigned char *buf, size_t len,
    const struct obundle_header *h, const struct cry_boxkey *key,
    struct obundle_payload **out, int *why, struct ds_err *err)
{
	struct bundle_box b;
	unsigned char *plain = NULL;
	enum ds_status st;
	int br = BR_OK;

	*out = NULL;
	if (len != h->file_len)
		return fail(why, OB_LENGTH, err, DS_EINVAL, "length changed");
	b.header_len = h->header_len;
	b.chunk_size = h->chunk_size;
	b.chunk_count = h->chunk_count;
	b.comp_len = h->comp_len;
	b.plain_len = h->plain_len;
	b.sealed_key = h->sealed_key;
	b.ss_header = h->ss_header;
	if ((st = bundle_box_open(buf, &b, key->pk, key->sk, &plain, &br,
	    err)) != DS_OK) {
		if (why != NULL)
			*why = from_br(br);
		return st;
	}
	st = obundle_payload_parse(plain, (size_t)h->plain_len, out, err);
	if (why != NULL)
		*why = st == DS_OK ? OB_OK : st == DS_ENOMEM ? OB_STORE :
		    OB_PAYLOAD;
	return st;
}
