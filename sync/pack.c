/* doorstep: build bundles from the store outbox, apply receipts. */
/*
 * The packer reads decrypted snapshots from the store only for as long as
 * it takes to serialize them; every copy it makes is wiped before free.
 * Invariant: the store marks rows sent only after the bundle file is
 * durable under its final name, and acknowledged only after a receipt
 * signed by the pinned office key covers them.
 */
#include "pack.h"

#include <stdio.h>
#include <string.h>

#include "arr.h"
#include "bundle.h"
#include "json.h"
#include "mem.h"
#include "utf8.h"
#include "util.h"

#define PACK_MAX_RECORDS	BUNDLE_RECORDS_MAX

#ifndef DS_VERSION
#define DS_VERSION	"0"
#endif

/* One collected snapshot, with owned (wiped) copies of its strings. */
struct snap {
	struct bundle_rev	 r;
	char			*answers;
	size_t			 answers_len;
	char			*audit;
	char			*consent;
	char			 hh[BUNDLE_STR_MAX + 1];
	char			 form_id[STORE_FORM_ID_MAX];
	char			 form_ver[STORE_FORM_ID_MAX];
	/* files first saved with this revision: names and bytes owned */
	struct bundle_att	*att;
	size_t			 natt, attcap;
};

/* One attached file of a snapshot: a copy, wiped by collect_free. */
static enum ds_status
att_cb(void *arg, const char *name, const unsigned char *p, size_t n,
    struct ds_err *err)
{
	struct snap *s = arg;
	struct bundle_att *a;
	unsigned char *d;
	char *nm;

	if (s->natt == BUNDLE_ATTACH_PER_REV)
		return ds_err_set(err, DS_ELIMIT, "more than %d files with "
		    "one revision", BUNDLE_ATTACH_PER_REV);
	if (ds_arr_grow(&s->att, &s->attcap, s->natt + 1, sizeof(*s->att),
	    BUNDLE_ATTACH_PER_REV) != DS_OK)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if ((nm = ds_strdup(name)) == NULL || (d = ds_malloc(n)) == NULL) {
		ds_free(nm);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	memcpy(d, p, n);
	a = &s->att[s->natt++];
	a->name.p = (const unsigned char *)nm;
	a->name.n = strlen(nm);
	a->data.p = d;
	a->data.n = n;
	return DS_OK;
}

struct collect {
	struct store		*st;
	const struct pack_opts	*opts;
	struct snap		*v;
	size_t			 n, cap;
	size_t			 forms[BUNDLE_FORMS_MAX];	/* first row of */
	size_t			 nforms;			/* each version */
};

static struct bundle_bytes
bb(const char *s, size_t n)
{
	struct bundle_bytes b;

	b.p = (const unsigned char *)s;
	b.n = n;
	return b;
}

/* Depth-first search for the first value named `name`. */
static json_t *
find_key(json_t *v, const char *name, int depth)
{
	const char *k;
	json_t *x, *f;
	size_t i;

	if (depth > 32)
		return NULL;
	if (json_is_object(v)) {
		if ((x = json_object_get(v, name)) != NULL)
			return x;
		json_object_foreach(v, k, x)
			if ((f = find_key(x, name, depth + 1)) != NULL)
				return f;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if ((f = find_key(x, name, depth + 1)) != NULL)
				return f;
	}
	return NULL;
}

/* Household key and consent evidence from the answers. */
static enum ds_status
from_answers(struct snap *s, const struct pack_opts *o, struct ds_err *err)
{
	static const char *const defaults[] = { "hh_id", "household_key",
	    NULL };
	const char *one[2] = { NULL, NULL };
	const char *const *names = defaults;
	json_t *doc = NULL, *v;
	char *c = NULL;
	size_t cl;
	enum ds_status st;
	int i;

	if ((st = ds_json_parse(s->answers, s->answers_len,
	    STORE_ANSWERS_MAX, "answers", &doc, err)) != DS_OK)
		return st;
	if (o != NULL && o->household_field != NULL) {
		one[0] = o->household_field;
		names = one;
	}
	s->hh[0] = '\0';
	for (i = 0; names[i] != NULL && s->hh[0] == '\0'; i++) {
		v = find_key(doc, names[i], 0);
		if (json_is_string(v) && json_string_length(v) > 0 &&
		    json_string_length(v) <= BUNDLE_STR_MAX &&
		    utf8_valid(json_string_value(v), json_string_length(v),
		    UTF8_NO_CONTROLS))
			snprintf(s->hh, sizeof(s->hh), "%s",
			    json_string_value(v));
		else if (json_is_integer(v))
			snprintf(s->hh, sizeof(s->hh), "%lld",
			    (long long)json_integer_value(v));
	}
	/* A refused visit from a list keeps the list's household key. */
	v = json_object_get(json_object_get(doc, "_meta"), "hh_key");
	if (s->hh[0] == '\0' && json_is_string(v) &&
	    json_string_length(v) > 0 && json_string_length(v) <=
	    BUNDLE_STR_MAX && utf8_valid(json_string_value(v),
	    json_string_length(v), UTF8_NO_CONTROLS))
		snprintf(s->hh, sizeof(s->hh), "%s", json_string_value(v));
	if ((v = find_key(doc, "consent", 0)) != NULL &&
	    ds_json_canonical(v, &c, &cl, NULL) == DS_OK &&
	    cl <= BUNDLE_CONSENT_MAX)
		s->consent = c;
	else
		ds_free(c);
	json_decref(doc);
	return DS_OK;
}

/*
 * The record's audit events of revision rev_no (saved, opened, exported
 * while it was current) as a JSON array.  Each revision carries only its
 * own: the office joins them along the chain, and a record saved n times
 * sends n events, not n squared.
 */
static enum ds_status
audit_json(struct store *st, const unsigned char *id, int64_t rev_no,
    char **out, struct ds_err *err)
{
	struct store_audit *a = NULL;
	json_t *arr, *e;
	size_t n = 0, i, len;
	enum ds_status s;

	*out = NULL;
	if ((s = store_audit_list(st, id, &a, &n, err)) != DS_OK)
		return s;
	if ((arr = json_array()) == NULL) {
		ds_free(a);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	for (i = 0; i < n; i++) {
		if (a[i].rev_no != rev_no)
			continue;
		e = json_pack("{s:I,s:s,s:I}", "at", (json_int_t)a[i].at,
		    "event", store_event_name(a[i].event), "rev",
		    (json_int_t)a[i].rev_no);
		if (e == NULL || json_array_append_new(arr, e) != 0) {
			json_decref(arr);
			ds_free(a);
			return ds_err_set(err, DS_ENOMEM, NULL);
		}
	}
	ds_free(a);
	s = ds_json_canonical(arr, out, &len, err);
	json_decref(arr);
	if (s == DS_OK && len > BUNDLE_AUDIT_MAX) {
		ds_free(*out);
		*out = ds_strdup("[]");
		if (*out == NULL)
			s = ds_err_set(err, DS_ENOMEM, NULL);
	}
	return s;
}

/* 1 if a collected row already has this form version. */
static int
form_seen(const struct collect *c, const char *id, const char *ver)
{
	size_t i;

	for (i = 0; i < c->nforms; i++)
		if (strcmp(c->v[c->forms[i]].form_id, id) == 0 &&
		    strcmp(c->v[c->forms[i]].form_ver, ver) == 0)
			return 1;
	return 0;
}

static enum ds_status
collect_cb(void *arg, const struct store_snapshot *sn, struct ds_err *err)
{
	struct collect *c = arg;
	struct snap *s;
	enum ds_status st;
	int seen;

	if (c->n == PACK_MAX_RECORDS)
		return ds_err_set(err, DS_ELIMIT, "more than %d revisions "
		    "in one bundle", PACK_MAX_RECORDS);
	/* A header names at most BUNDLE_FORMS_MAX form versions: a row of
	 * one more goes in the next bundle (DS_ELIMIT cuts the walk). */
	if ((seen = form_seen(c, sn->form_id, sn->form_version)) == 0 &&
	    c->nforms == BUNDLE_FORMS_MAX)
		return ds_err_set(err, DS_ELIMIT, "more than %d form versions "
		    "in one bundle", BUNDLE_FORMS_MAX);
	if ((st = ds_arr_grow(&c->v, &c->cap, c->n + 1, sizeof(*c->v),
	    PACK_MAX_RECORDS)) != DS_OK)
		return ds_err_set(err, st, NULL);
	s = &c->v[c->n];
	memset(s, 0, sizeof(*s));
	if ((s->answers = ds_malloc(sn->answers_len + 1)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	c->n++;
	memcpy(s->answers, sn->answers, sn->answers_len);
	s->answers[sn->answers_len] = '\0';
	s->answers_len = sn->answers_len;
	if ((st = from_answers(s, c->opts, err)) != DS_OK)
		return st;
	if (s->hh[0] == '\0')
		store_id_text(sn->record_id, s->hh);
	if ((st = audit_json(c->st, sn->record_id, sn->rev_no, &s->audit,
	    err)) != DS_OK ||
	    (st = store_attach_each(c->st, sn->record_id, sn->rev_no, att_cb,
	    s, err)) != DS_OK)
		return st;
	snprintf(s->form_id, sizeof(s->form_id), "%s", sn->form_id);
	snprintf(s->form_ver, sizeof(s->form_ver), "%s", sn->form_version);
	if (!seen)
		c->forms[c->nforms++] = c->n - 1;
	memcpy(s->r.record_uuid, sn->record_id, STORE_ID_BYTES);
	memcpy(s->r.rev_id, sn->rev_id, STORE_ID_BYTES);
	if (sn->has_parent)
		memcpy(s->r.parent_rev_id, sn->parent_rev_id, STORE_ID_BYTES);
	s->r.rev_no = (uint32_t)sn->rev_no;
	s->r.device_seq = (uint64_t)sn->seq;
	s->r.t_start = sn->saved_at;
	s->r.t_end = sn->saved_at;
	s->r.saved_at = sn->saved_at;
	return DS_OK;
}

static void
collect_free(struct collect *c)
{
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		if (c->v[i].answers != NULL)
			cry_wipe(c->v[i].answers, c->v[i].answers_len);
		ds_free(c->v[i].answers);
		ds_free(c->v[i].audit);
		if (c->v[i].consent != NULL)
			cry_wipe(c->v[i].consent, strlen(c->v[i].consent));
		ds_free(c->v[i].consent);
		cry_wipe(c->v[i].hh, sizeof(c->v[i].hh));
		for (k = 0; k < c->v[i].natt; k++) {
			cry_wipe((void *)(uintptr_t)c->v[i].att[k].data.p,
			    c->v[i].att[k].data.n);
			ds_free((void *)(uintptr_t)c->v[i].att[k].data.p);
			ds_free((void *)(uintptr_t)c->v[i].att[k].name.p);
		}
		ds_free(c->v[i].att);
	}
	ds_free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}

static int
all_zero(const unsigned char *p, size_t n)
{
	while (n > 0)
		if (p[--n] != 0)
			return 0;
	return 1;
}

static int
by_seq(const void *a, const void *b)
{
	const struct snap *x = a, *y = b;

	return x->r.device_seq < y->r.device_seq ? -1 :
	    x->r.device_seq > y->r.device_seq;
}

enum ds_status
pack_build(struct store *st, const unsigned char device_id[STORE_ID_BYTES],
    const struct cry_signkey *signer, const struct cry_office_pub *office,
    const struct pack_opts *o, unsigned char **out, size_t *outlen,
    struct pack_result *res, struct ds_err *err)
{
	struct collect c;
	struct bundle_meta m;
	struct bundle_rev *revs = NULL;
	struct store_outbox_counts cnt;
	int64_t lo = 0, hi = 0;
	enum ds_status s;
	size_t i, k, maxb;
	int known;

	*out = NULL;
	*outlen = 0;
	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.opts = o;
	maxb = o != NULL && o->max_bytes ? o->max_bytes : PACK_BUNDLE_BYTES;
	if ((s = store_outbox_pending(st, o != NULL ? o->after_seq : 0,
	    PACK_MAX_RECORDS, maxb, collect_cb, &c, &lo, &hi, err)) != DS_OK)
		goto out;
	if (c.n == 0 || lo < 1 || hi < lo) {
		s = ds_err_set(err, DS_ENOENT, "nothing to send");
		goto out;
	}
	qsort(c.v, c.n, sizeof(*c.v), by_seq);
	memset(&m, 0, sizeof(m));
	memcpy(m.device_id, device_id, STORE_ID_BYTES);
	if ((s = store_db_uuid(st, m.db_uuid, err)) != DS_OK ||
	    (s = store_last_bundle_hash(st, m.prev_hash, err)) != DS_OK ||
	    (s = store_outbox_count(st, &cnt, err)) != DS_OK)
		goto out;
	res->more = cnt.seq_hi > hi;
	m.seq_lo = (uint64_t)lo;
	m.seq_hi = (uint64_t)hi;
	m.created_at = ds_now();
	m.schema_ver = 1;
	m.app_ver = o != NULL && o->app_ver != NULL ? o->app_ver : DS_VERSION;
	m.chunk_size = o != NULL ? o->chunk_size : 0;
	if ((revs = ds_calloc(c.n, sizeof(*revs))) == NULL) {
		s = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	for (i = 0; i < c.n; i++) {
		struct snap *sn = &c.v[i];

		if (sn->r.device_seq < m.seq_lo || sn->r.device_seq > m.seq_hi) {
			s = ds_err_set(err, DS_ECORRUPT, "outbox revision "
			    "outside the pending range");
			goto out;
		}
		for (k = 0, known = 0; k < m.nforms && !known; k++)
			known = strcmp(m.form_ids[k], sn->form_id) == 0 &&
			    strcmp(m.form_vers[k], sn->form_ver) == 0;
		if (!known) {
			if (m.nforms == BUNDLE_FORMS_MAX) {
				s = ds_err_set(err, DS_ELIMIT, "too many form "
				    "versions in one bundle");
				goto out;
			}
			m.form_ids[m.nforms] = sn->form_id;
			m.form_vers[m.nforms++] = sn->form_ver;
		}
		sn->r.form_id = bb(sn->form_id, strlen(sn->form_id));
		sn->r.form_ver = bb(sn->form_ver, strlen(sn->form_ver));
		sn->r.household_key = bb(sn->hh, strlen(sn->hh));
		sn->r.worker_id = bb(o != NULL && o->worker != NULL ?
		    o->worker : "unknown", strlen(o != NULL && o->worker !=
		    NULL ? o->worker : "unknown"));
		sn->r.answers = bb(sn->answers, sn->answers_len);
		sn->r.audit = bb(sn->audit, strlen(sn->audit));
		sn->r.consent = bb(sn->consent, sn->consent ?
		    strlen(sn->consent) : 0);
		sn->r.att = sn->att;
		sn->r.natt = sn->natt;
		revs[i] = sn->r;
	}
	if ((s = bundle_build(&m, revs, c.n, signer, office, res->bundle_id,
	    out, outlen, err)) != DS_OK)
		goto out;
	bundle_hash(*out, *outlen, res->hash);
	res->seq_lo = lo;
	res->seq_hi = hi;
	res->n_records = c.n;
	res->size = *outlen;
out:
	ds_free(revs);
	collect_free(&c);
	return s;
}

static enum ds_status
export_one(struct store *st, const unsigned char device_id[STORE_ID_BYTES],
    const struct cry_signkey *signer, const struct cry_office_pub *office,
    const struct pack_opts *o, const char *out, struct pack_result *res,
    struct ds_err *err)
{
	unsigned char *buf = NULL;
	size_t len = 0, ol = strlen(out);
	char dev[33], bid[33], dir[PATH_MAX];
	enum ds_status s;
	int n;

	if ((s = pack_build(st, device_id, signer, office, o, &buf, &len, res,
	    err)) != DS_OK)
		return s;
	if (ol > 4 && strcmp(out + ol - 4, ".dsb") == 0)
		n = snprintf(res->path, sizeof(res->path), "%s", out);
	else {
		ds_hex_encode(device_id, STORE_ID_BYTES, dev);
		ds_hex_encode(res->bundle_id, STORE_ID_BYTES, bid);
		n = snprintf(dir, sizeof(dir), "%s/doorstep/outbox/%s", out,
		    dev);
		if (n < 0 || n >= (int)sizeof(dir)) {
			s = ds_err_set(err, DS_ELIMIT, "path too long");
			goto out;
		}
		if ((s = ds_mkdir_p(dir, 0700, err)) != DS_OK)
			goto out;
		n = snprintf(res->path, sizeof(res->path),
		    "%s/%lld-%lld-%s.dsb", dir, (long long)res->seq_lo,
		    (long long)res->seq_hi, bid);
	}
	if (n < 0 || n >= (int)sizeof(res->path)) {
		s = ds_err_set(err, DS_ELIMIT, "path too long");
		goto out;
	}
	if ((s = ds_file_write_atomic(res->path, buf, len, 0600, err)) !=
	    DS_OK)
		goto out;
	s = store_outbox_mark_sent(st, res->seq_lo, res->seq_hi,
	    res->bundle_id, res->hash, err);
out:
	ds_free(buf);
	return s;
}

enum ds_status
pack_export(struct store *st, const unsigned char device_id[STORE_ID_BYTES],
    const struct cry_signkey *signer, const struct cry_office_pub *office,
    const struct pack_opts *o, const char *out, struct pack_result *res,
    struct ds_err *err)
{
	struct pack_opts one;
	size_t ol = strlen(out), total = 0, bytes = 0, n = 0;
	int64_t lo = 0;
	enum ds_status s;

	if (o != NULL)
		one = *o;
	else
		memset(&one, 0, sizeof(one));
	/* A folder takes every bundle the rows need; a named file, one. */
	for (;;) {
		s = export_one(st, device_id, signer, office, &one, out, res,
		    err);
		if (s != DS_OK)
			break;
		if (lo == 0)
			lo = res->seq_lo;
		total += res->n_records;
		bytes += res->size;
		n++;
		if (!res->more || (ol > 4 && strcmp(out + ol - 4, ".dsb") == 0))
			break;
		one.after_seq = res->seq_hi;
	}
	if (total > 0 && (s == DS_OK || s == DS_ENOENT)) {
		res->seq_lo = lo;
		res->n_records = total;
		res->size = bytes;
		res->n_bundles = n;
		s = DS_OK;
	}
	return s;
}

enum ds_status
pack_apply_receipt(struct store *st,
    const unsigned char device_id[STORE_ID_BYTES],
    const struct cry_office_pub *office, const unsigned char *buf, size_t len,
    struct receipt *r, struct ds_err *err)
{
	int64_t top = 0, last = 0, floor = 0, rollback = 0, lo, hi;
	struct store_ack *acks = NULL;
	enum ds_status s;
	size_t n = 0;
	uint16_t i;

	if ((s = receipt_open(buf, len, office, r, err)) != DS_OK)
		return s;
	if (memcmp(r->device_id, device_id, STORE_ID_BYTES) != 0)
		return ds_err_set(err, DS_EREJECT, "receipt is for another "
		    "device");
	if (r->status == RS_REJECTED || r->status == RS_HELD)
		return DS_OK;
	/* Numbers this store never issued, or the office saw numbers used
	 * twice: it was restored from a backup. */
	for (i = 0; i < r->nranges; i++)
		if ((int64_t)r->ranges[i].hi > top)
			top = (int64_t)r->ranges[i].hi;
	if ((s = store_outbox_last_seq(st, &last, err)) != DS_OK ||
	    (s = store_outbox_floor(st, &floor, err)) != DS_OK)
		return s;
	/*
	 * An ack state says BR_ROLLBACK for as long as the device has an
	 * alert: it raises the floor once, not on every fetch, or `sync ack
	 * URL` would never retire anything again.  A bundle's receipt says
	 * it only when that bundle reused a number.  The rollback raises the
	 * floor to top (store_outbox_rollback), in the same transaction as
	 * the acknowledgements below.
	 */
	if (top > 0 && (top > last || (r->reason == BR_ROLLBACK &&
	    (r->status != RS_ACKSTATE || floor == 0)))) {
		rollback = top;
		if (top > floor)
			floor = top;
	}
	if ((acks = ds_calloc(2 * (size_t)r->nranges + 1, sizeof(*acks))) ==
	    NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot apply receipt: %s",
		    ds_status_str(DS_ENOMEM));
	for (i = 0; i < r->nranges; i++) {
		lo = (int64_t)r->ranges[i].lo;
		hi = (int64_t)r->ranges[i].hi;
		/* At or below the floor only this bundle's own rows. */
		if (lo <= floor && !all_zero(r->bundle_id, STORE_ID_BYTES)) {
			acks[n].lo = lo;
			acks[n].hi = hi < floor ? hi : floor;
			acks[n++].bundle_only = 1;
		}
		if (hi > floor) {
			acks[n].lo = lo > floor ? lo : floor + 1;
			acks[n++].hi = hi;
		}
	}
	s = store_outbox_receipt(st, rollback, acks, n, r->bundle_id, err);
	ds_free(acks);
	return s;
}
