/* doorstep: visit lists at the office: entries, forms, office bundles. */
/*
 * Entries are made from office.db (households, clues, the latest
 * finalized visit of each household) and the form the office published:
 * the form's `carry` marks say which previous answers go with an entry.
 * Everything decrypted here (head names, clue texts, answers, entry
 * bodies) is wiped before it is freed.  Invariant: an item is marked sent
 * only in the transaction that stores the office bundle carrying it, and
 * a bundle's sequence is always the device's last + 1 with the last one's
 * hash as its predecessor.
 */
#include "assign.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arr.h"
#include "cry.h"
#include "dnote.h"
#include "form.h"
#include "json.h"
#include "mem.h"
#include "obundle.h"
#include "odb_assign.h"
#include "util.h"
#include "xls.h"

#define ASSIGN_BUNDLE_BYTES	(16u << 20)	/* plaintext per bundle */
#define ASSIGN_HEADS_MAX	64	/* records looked at per household */
#define WITHDRAW_REASON		"withdrawn by the office"

/* ---- dates ---------------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* today (YYYY-MM-DD) + days, or the month's last day when days < 0. */
static void
date_after(const char *today, int days, char out[ODB_DATE_MAX])
{
	int y = atoi(today), m = atoi(today + 5), d = atoi(today + 8);
	int64_t z;

	if (days < 0) {
		z = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1,
		    1) - 1;
	} else
		z = days_from_civil(y, m, d) + days;
	civil_from_days(z, &y, &m, &d);
	snprintf(out, ODB_DATE_MAX, "%04d-%02d-%02d", y, m, d);
}

/* ---- the form, from office.db ------------------------------------------- */

struct loaded {
	char		*names[OBUNDLE_FILES_MAX];
	unsigned char	*bytes[OBUNDLE_FILES_MAX];
	size_t		 lens[OBUNDLE_FILES_MAX];
	int		 roles[OBUNDLE_FILES_MAX];
	size_t		 n;
};

static void
loaded_free(struct loaded *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		ds_free(l->names[i]);
		ds_free(l->bytes[i]);
	}
	l->n = 0;
}

static int
files_cb(void *arg, const struct odb_form_file *f)
{
	struct loaded *l = arg;

	if (l->n == OBUNDLE_FILES_MAX)
		return 1;
	l->names[l->n] = ds_strdup(f->name);
	l->bytes[l->n] = ds_malloc(f->len ? f->len : 1);
	if (l->names[l->n] == NULL || l->bytes[l->n] == NULL) {
		ds_free(l->names[l->n]);
		ds_free(l->bytes[l->n]);
		return 1;
	}
	memcpy(l->bytes[l->n], f->bytes, f->len);
	l->lens[l->n] = f->len;
	l->roles[l->n] = f->role;
	l->n++;
	return 0;
}

static enum ds_status
load_files(struct odb *o, const char *id, const char *ver, struct loaded *l,
    struct ds_err *err)
{
	enum ds_status st;

	memset(l, 0, sizeof(*l));
	if ((st = odb_form_files(o, id, ver, files_cb, l, err)) != DS_OK) {
		loaded_free(l);
		return st;
	}
	return DS_OK;
}

/* Sibling CSV files for the loader, from the loaded set. */
static enum ds_status
fetch_cb(void *arg, const char *name, char **data, size_t *len,
    struct ds_err *err)
{
	const struct loaded *l = arg;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->names[i], name) == 0) {
			if ((*data = ds_malloc(l->lens[i] + 1)) == NULL)
				return ds_err_set(err, DS_ENOMEM, NULL);
			memcpy(*data, l->bytes[i], l->lens[i]);
			(*data)[l->lens[i]] = '\0';
			*len = l->lens[i];
			return DS_OK;
		}
	return ds_err_set(err, DS_ENOENT, "no such file");
}

/* Load a published form version (for its carry marks and settings). */
static enum ds_status
load_form(struct odb *o, const char *id, const char *ver, struct form **out,
    struct ds_err *err)
{
	struct form_diags d;
	struct xls_opts xo;
	struct loaded l;
	enum ds_status st;
	size_t i;

	*out = NULL;
	if ((st = load_files(o, id, ver, &l, err)) != DS_OK)
		return st;
	for (i = 0; i < l.n && l.roles[i] != OB_ROLE_FORM; i++)
		;
	if (i == l.n) {
		loaded_free(&l);
		return ds_err_set(err, DS_ECORRUPT, "form %s version %s has "
		    "no form file", id, ver);
	}
	memset(&xo, 0, sizeof(xo));
	xo.source = l.names[i];
	xo.fetch = fetch_cb;
	xo.fetch_arg = &l;
	form_diags_init(&d);
	st = form_load_mem(l.names[i], l.bytes[i], l.lens[i], &xo, out, &d);
	if (st != DS_OK)
		ds_err_set(err, st, "published form %s version %s does not "
		    "load", id, ver);
	form_diags_reset(&d);
	loaded_free(&l);
	return st;
}

struct latest {
	char	ver[ODB_TEXT_MAX];
};

static int
latest_cb(void *arg, const char *id, const char *ver)
{
	struct latest *l = arg;

	(void)id;
	snprintf(l->ver, sizeof(l->ver), "%s", ver);
	return 1;
}

/* ---- previous answers ------------------------------------------------------ */

/* A string answer at the top level, or "". */
static const char *
answer_str(const json_t *ans, const char *name)
{
	const json_t *v;

	if (name == NULL || (v = json_object_get(ans, name)) == NULL)
		return "";
	return json_is_string(v) ? json_string_value(v) : "";
}

struct prev {
	json_t		*answers;	/* the whole revision's, or NULL */
	unsigned char	 rev_id[CRY_ID_BYTES];
};

/* The newest finalized revision of the household, if any. */
static enum ds_status
prev_of(struct odb *o, const char *hh_key, struct prev *p,
    struct ds_err *err)
{
	unsigned char heads[ASSIGN_HEADS_MAX][16];
	const char *state;
	size_t n, i;
	char *text = NULL;
	json_t *doc;
	enum ds_status st;

	memset(p, 0, sizeof(*p));
	if ((st = odb_hh_heads(o, hh_key, heads, ASSIGN_HEADS_MAX, &n, err)) !=
	    DS_OK)
		return st;
	for (i = 0; i < n; i++) {
		if ((st = odb_rev_answers(o, heads[i], &text, err)) != DS_OK)
			return st;
		doc = NULL;
		st = ds_json_parse(text, strlen(text), BUNDLE_ANSWERS_MAX,
		    "answers", &doc, err);
		odb_answers_free(text);
		if (st != DS_OK)
			return st;
		state = json_string_value(json_object_get(json_object_get(doc,
		    "_meta"), "state"));
		if (state != NULL && strcmp(state, "finalized") == 0) {
			p->answers = doc;
			memcpy(p->rev_id, heads[i], CRY_ID_BYTES);
			return DS_OK;
		}
		json_decref(doc);
	}
	return DS_OK;
}

/* ---- making entries --------------------------------------------------------- */

struct maker {
	struct odb			*o;
	const struct assign_sel		*sel;
	const struct form		*form;
	const char			*form_id, *form_ver;
	const unsigned char		*device;
	const char			*worker;
	struct assign_result		*res;
	struct ds_err			*err;
	enum ds_status			 st;
};

static json_t *
clue_json(const struct odb_cand *c)
{
	json_t *amount;
	double d;

	if (!c->has_clue)
		return json_null();
	if (c->clue_amount[0] != '\0' && ds_parse_double(c->clue_amount,
	    &d) == 0)
		amount = d == (double)(json_int_t)d ?
		    json_integer((json_int_t)d) : json_real(d);
	else
		amount = json_null();
	return json_pack("{s:s,s:s,s:s,s:s,s:o}", "channel", c->channel,
	    "source", c->source, "reason", c->clue_reason, "date",
	    obundle_date_ok(c->clue_date, strlen(c->clue_date)) ?
	    c->clue_date : "1970-01-01", "amount", amount);
}

static const char *
default_reason(int by)
{
	switch (by) {
	case ASSIGN_CLUES:
		return "clue";
	case ASSIGN_FOLLOWUP:
		return "followup";
	case ASSIGN_LOOKBACK:
		return "lookback";
	case ASSIGN_ROUND:
		return "screening";
	default:
		return "routine";
	}
}

static void
default_due(const struct assign_sel *sel, const struct odb_cand *c,
    char out[ODB_DATE_MAX])
{
	if (sel->due != NULL)
		snprintf(out, ODB_DATE_MAX, "%s", sel->due);
	else if (sel->by == ASSIGN_CLUES)
		date_after(sel->today, 7, out);
	else if (sel->by == ASSIGN_ROUND && c->round_due[0] != '\0')
		snprintf(out, ODB_DATE_MAX, "%s", c->round_due);
	else if (sel->by == ASSIGN_ROUND)
		date_after(sel->today, 30, out);
	else
		date_after(sel->today, -1, out);
}

/* One household: its entry JSON, sealed row and queued item. */
static int
make_cb(void *arg, const struct odb_cand *c)
{
	struct maker *m = arg;
	struct odb_entry e;
	struct prev p;
	const char *reason = m->sel->reason != NULL ? m->sel->reason :
	    default_reason(m->sel->by);
	json_t *doc = NULL, *prev = NULL, *consent = NULL;
	char hex[CRY_ID_HEX], prevhex[CRY_ID_HEX], *body = NULL;
	const char *head;
	size_t len = 0;
	int open;

	if ((m->st = odb_entry_open(m->o, c->hh_key, m->device, reason, &open,
	    m->err)) != DS_OK)
		return 1;
	if (open) {
		m->res->already++;
		return 0;
	}
	if ((m->st = prev_of(m->o, c->hh_key, &p, m->err)) != DS_OK)
		return 1;
	memset(&e, 0, sizeof(e));
	cry_random(e.entry_id, 16);
	snprintf(e.hh_key, sizeof(e.hh_key), "%s", c->hh_key);
	memcpy(e.device_id, m->device, CRY_ID_BYTES);
	snprintf(e.worker, sizeof(e.worker), "%s", m->worker);
	snprintf(e.reason, sizeof(e.reason), "%s", reason);
	default_due(m->sel, c, e.due);
	e.has_clue = c->has_clue;
	memcpy(e.clue_id, c->clue_id, CRY_ID_BYTES);
	if (m->sel->by == ASSIGN_ROUND)
		snprintf(e.round, sizeof(e.round), "%s", m->sel->round);
	snprintf(e.form_id, sizeof(e.form_id), "%s", m->form_id);
	snprintf(e.form_ver, sizeof(e.form_ver), "%s", m->form_ver);
	e.state = ODB_ENTRY_QUEUED;
	e.created_at = ds_now();
	ds_hex_encode(e.entry_id, CRY_ID_BYTES, hex);
	head = c->head_name;
	if (p.answers != NULL) {
		prev = form_carry_filter(m->form, p.answers);
		consent = form_consent_ref(m->form, p.answers);
		ds_hex_encode(p.rev_id, CRY_ID_BYTES, prevhex);
		if (head[0] == '\0')
			head = answer_str(p.answers, form_setting(m->form,
			    "head_name"));
	}
	doc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,"
	    "s:o,s:o,s:o,s:o}", "entry", hex, "hh_key", c->hh_key, "township",
	    c->township, "village", c->village, "village_name", p.answers ?
	    answer_str(p.answers, form_setting(m->form, "village")) : "",
	    "vgroup", c->vgroup, "head_name", head, "reason", reason, "due",
	    e.due, "worker", m->worker, "form_id", m->form_id, "form_ver",
	    m->form_ver, "clue", clue_json(c), "consent", consent != NULL ?
	    consent : json_null(), "prev_rev", p.answers ? json_string(prevhex) :
	    json_null(), "prev", prev != NULL ? prev : json_null());
	if (doc == NULL || ds_json_canonical(doc, &body, &len, m->err) !=
	    DS_OK) {
		m->st = doc == NULL ? ds_err_set(m->err, DS_ENOMEM, NULL) :
		    m->err->code;
		goto out;
	}
	{
		const char *msg;

		if (obundle_entry_check(body, len, e.entry_id, &msg) != 0) {
			m->st = msg == NULL ? ds_err_set(m->err, DS_ENOMEM,
			    NULL) : ds_err_set(m->err, DS_EINVAL, "household "
			    "%s: entry: %s", c->hh_key, msg);
			goto out;
		}
	}
	if ((m->st = odb_entry_put(m->o, &e, body, len, m->err)) != DS_OK ||
	    (m->st = odb_item_queue(m->o, m->device, ODB_ITEM_ENTRY,
	    e.entry_id, 16, m->err)) != DS_OK)
		goto out;
	m->res->made++;
out:
	if (body != NULL) {
		cry_wipe(body, len);
		ds_free(body);
	}
	if (doc != NULL)
		json_decref(doc);
	if (p.answers != NULL)
		json_decref(p.answers);
	return m->st != DS_OK;
}

/* The device must be enrolled; its label is the default worker. */
static enum ds_status
device_ok(struct odb *o, const unsigned char device[16],
    struct odb_device *d, struct ds_err *err)
{
	enum ds_status st;

	if ((st = odb_device_get(o, device, d, err)) != DS_OK)
		return st;
	if (d->state != ODB_DEV_ENROLLED)
		return ds_err_set(err, DS_ESTATE, "device is %s, not enrolled",
		    odb_dev_state_str(d->state));
	return DS_OK;
}

enum ds_status
assign_make(struct odb *o, const struct cry_office_sec *sec,
    const unsigned char device[16], const struct assign_sel *sel,
    struct assign_result *res, struct ds_err *err)
{
	struct odb_device d;
	struct odb_cand_q q;
	struct latest lv;
	struct maker m;
	struct form *f = NULL;
	unsigned char box[32];
	uint64_t nseq;
	enum ds_status st;
	size_t i;
	int has;

	memset(res, 0, sizeof(*res));
	if ((st = device_ok(o, device, &d, err)) != DS_OK)
		return st;
	memset(&lv, 0, sizeof(lv));
	if ((st = odb_form_latest(o, sel->form_id, latest_cb, &lv, err)) !=
	    DS_OK)
		return st;
	if (lv.ver[0] == '\0')
		return ds_err_set(err, DS_ENOENT, "form %s was never "
		    "published", sel->form_id);
	snprintf(res->form_ver, sizeof(res->form_ver), "%s", lv.ver);
	if ((st = load_form(o, sel->form_id, lv.ver, &f, err)) != DS_OK)
		return st;
	memset(&m, 0, sizeof(m));
	m.o = o;
	m.sel = sel;
	m.form = f;
	m.form_id = sel->form_id;
	m.form_ver = lv.ver;
	m.device = device;
	m.worker = sel->worker != NULL ? sel->worker : d.label;
	m.res = res;
	m.err = err;
	memset(&q, 0, sizeof(q));
	q.by = sel->by;	/* enum assign_by and odb_cand_by agree */
	q.village = sel->village;
	q.vgroup = sel->vgroup;
	q.grid_worker = sel->grid_worker;
	q.since = sel->since;
	q.round = sel->round;
	if (sel->by == ASSIGN_KEYS) {
		q.by = ODB_CAND_KEY;
		for (i = 0; i < sel->nkeys && m.st == DS_OK; i++) {
			size_t before = res->made + res->already;

			q.key = sel->keys[i];
			if ((st = odb_candidates(o, &q, make_cb, &m, err)) !=
			    DS_OK)
				break;
			if (m.st == DS_OK && res->made + res->already ==
			    before && res->unknown++ == 0)
				snprintf(res->first_unknown,
				    sizeof(res->first_unknown), "%s", q.key);
		}
	} else
		st = odb_candidates(o, &q, make_cb, &m, err);
	form_free(f);
	if (st == DS_OK)
		st = m.st;
	if (st != DS_OK)
		return st;
	if ((st = assign_flush(o, sec, device, &res->bundles, err)) != DS_OK ||
	    (st = odb_device_box(o, device, box, &has, &nseq, err)) != DS_OK)
		return st;
	res->waiting = !has;
	return DS_OK;
}

/* ---- publishing and withdrawing ----------------------------------------- */

struct pub_dev {
	struct odb		*o;
	const unsigned char	*ref;
	size_t			 ref_len;
	struct assign_pub	*res;
	struct ds_err		*err;
	enum ds_status		 st;
};

static int
pub_dev_cb(void *arg, const struct odb_device *d)
{
	struct pub_dev *p = arg;
	unsigned char box[32];
	uint64_t seq;
	int any, has;

	if (d->state != ODB_DEV_ENROLLED)
		return 0;
	if ((p->st = odb_item_has(p->o, d->device_id, ODB_ITEM_FORM, p->ref,
	    p->ref_len, &any, p->err)) != DS_OK)
		return 1;
	if (any)
		return 0;
	if ((p->st = odb_item_queue(p->o, d->device_id, ODB_ITEM_FORM, p->ref,
	    p->ref_len, p->err)) != DS_OK ||
	    (p->st = odb_device_box(p->o, d->device_id, box, &has, &seq,
	    p->err)) != DS_OK)
		return 1;
	p->res->devices++;
	p->res->waiting += !has;
	return 0;
}

/* form_id NUL version: the item reference of a form version. */
static size_t
form_ref(const char *id, const char *ver, unsigned char *out, size_t n)
{
	size_t a = strlen(id), b = strlen(ver);

	if (a + 1 + b > n)
		return 0;
	memcpy(out, id, a);
	out[a] = '\0';
	memcpy(out + a + 1, ver, b);
	return a + 1 + b;
}

enum ds_status
assign_publish(struct odb *o, const struct cry_office_sec *sec,
    const char *form_id, const char *version, const char *title,
    const struct assign_file *files, size_t n, struct assign_pub *res,
    struct ds_err *err)
{
	struct odb_form_file ff[OBUNDLE_FILES_MAX];
	struct obundle_item it;
	struct pub_dev p;
	unsigned char ref[2 * ODB_TEXT_MAX];
	enum ds_status st;
	size_t i, rl;

	memset(res, 0, sizeof(*res));
	if (n < 1 || n > OBUNDLE_FILES_MAX || files[0].role != OB_ROLE_FORM)
		return ds_err_set(err, DS_EINVAL, "a form and its lists");
	memset(&it, 0, sizeof(it));
	it.kind = OBI_FILE;
	it.form_id.p = (const unsigned char *)form_id;
	it.form_id.n = strlen(form_id);
	it.form_ver.p = (const unsigned char *)version;
	it.form_ver.n = strlen(version);
	if (!bundle_is_token(&it.form_id, 1, BUNDLE_STR_MAX) ||
	    !bundle_is_token(&it.form_ver, 1, BUNDLE_STR_MAX))
		return ds_err_set(err, DS_EINVAL, "form id and version must be "
		    "printable ASCII without spaces");
	for (i = 0; i < n; i++) {
		ff[i].name = files[i].name;
		ff[i].role = files[i].role;
		ff[i].bytes = files[i].bytes;
		ff[i].len = files[i].len;
		if ((i > 0 && files[i].role != OB_ROLE_LIST) ||
		    files[i].len == 0 || files[i].len > OBUNDLE_FORM_FILE_MAX ||
		    strlen(files[i].name) > OBUNDLE_NAME_MAX)
			return ds_err_set(err, DS_EINVAL, "%s: not a form file "
			    "the laptops can take", files[i].name);
	}
	if ((st = odb_form_put(o, form_id, version, title, ff, n, ds_now(),
	    &res->same, err)) != DS_OK)
		return st;
	if ((rl = form_ref(form_id, version, ref, sizeof(ref))) == 0)
		return ds_err_set(err, DS_EINVAL, "form id too long");
	memset(&p, 0, sizeof(p));
	p.o = o;
	p.ref = ref;
	p.ref_len = rl;
	p.res = res;
	p.err = err;
	if ((st = odb_device_each(o, pub_dev_cb, &p, err)) != DS_OK)
		return st;
	if (p.st != DS_OK)
		return p.st;
	return assign_flush(o, sec, NULL, &res->bundles, err);
}

enum ds_status
assign_withdraw(struct odb *o, const struct cry_office_sec *sec,
    const char *hexprefix, struct odb_entry *e, int *sent, size_t *bundles,
    struct ds_err *err)
{
	enum ds_status st;
	int dropped;

	*sent = 0;
	*bundles = 0;
	if ((st = odb_entry_find(o, hexprefix, e, err)) != DS_OK)
		return st;
	if (e->state == ODB_ENTRY_DONE || e->state == ODB_ENTRY_WITHDRAWN)
		return ds_err_set(err, DS_ESTATE, "entry is %s already",
		    odb_entry_state_str(e->state));
	if ((st = odb_item_unqueue(o, e->device_id, ODB_ITEM_ENTRY,
	    e->entry_id, 16, &dropped, err)) != DS_OK)
		return st;
	if (e->state != ODB_ENTRY_QUEUED) {
		if ((st = odb_item_queue(o, e->device_id, ODB_ITEM_WITHDRAW,
		    e->entry_id, 16, err)) != DS_OK)
			return st;
		*sent = 1;
	}
	if ((st = odb_entry_state_set(o, e->entry_id, ODB_ENTRY_WITHDRAWN,
	    ds_now(), err)) != DS_OK)
		return st;
	return assign_flush(o, sec, e->device_id, bundles, err);
}

/* ---- sealing office bundles ------------------------------------------------- */

/* The items of one office bundle; the memory they point to is owned. */
struct batch {
	struct obundle_item	*v;
	struct odb_item		*refs;		/* what each item came from */
	size_t			 n, vcap, refcap;
	unsigned char		**mem;		/* owned, wiped at clear */
	size_t			*mem_len;
	size_t			 nmem, memcap, lencap;
	size_t			 bytes, files;
};

static void
batch_clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->nmem; i++) {
		cry_wipe(b->mem[i], b->mem_len[i]);
		ds_free(b->mem[i]);
	}
	b->nmem = b->n = b->bytes = b->files = 0;
}

static void
batch_free(struct batch *b)
{
	batch_clear(b);
	ds_free(b->v);
	ds_free(b->refs);
	ds_free(b->mem);
	ds_free(b->mem_len);
	memset(b, 0, sizeof(*b));
}

/* Room for `more` items. */
static int
batch_grow(struct batch *b, size_t more)
{
	if (ds_arr_grow(&b->v, &b->vcap, b->n + more, sizeof(*b->v),
	    OBUNDLE_ITEMS_MAX) != DS_OK ||
	    ds_arr_grow(&b->refs, &b->refcap, b->n + more, sizeof(*b->refs),
	    OBUNDLE_ITEMS_MAX) != DS_OK)
		return -1;
	return 0;
}

/* Take ownership of p (len bytes); on failure p is wiped and freed. */
static int
batch_own(struct batch *b, void *p, size_t len)
{
	if (ds_arr_grow(&b->mem, &b->memcap, b->nmem + 1, sizeof(*b->mem),
	    SIZE_MAX / sizeof(*b->mem)) != DS_OK ||
	    ds_arr_grow(&b->mem_len, &b->lencap, b->nmem + 1,
	    sizeof(*b->mem_len), SIZE_MAX / sizeof(*b->mem_len)) != DS_OK) {
		cry_wipe(p, len);
		ds_free(p);
		return -1;
	}
	b->mem[b->nmem] = p;
	b->mem_len[b->nmem++] = len;
	return 0;
}

struct flusher {
	struct odb			*o;
	const struct cry_office_sec	*sec;
	const unsigned char		*device;
	unsigned char			 box[32];
	struct batch			 b;
	size_t				 bundles;
	struct ds_err			*err;
	enum ds_status			 st;
};

/* Seal the batch as the device's next office bundle and record it. */
static enum ds_status
seal_batch(struct flusher *fl)
{
	struct obundle_meta m;
	struct odb_obundle ob;
	struct batch *b = &fl->b;
	const struct odb_item *r, *prev = NULL;
	unsigned char *buf = NULL;
	size_t len = 0, i;
	uint64_t last;
	enum ds_status st;

	if (b->n == 0)
		return DS_OK;
	memset(&m, 0, sizeof(m));
	memcpy(m.device_id, fl->device, CRY_ID_BYTES);
	memcpy(m.box_pk, fl->box, 32);
	if ((st = odb_obundle_last(fl->o, fl->device, &last, m.prev_hash,
	    fl->err)) != DS_OK)
		return st;
	m.seq = last + 1;
	m.created_at = ds_now();
	memset(&ob, 0, sizeof(ob));
	if ((st = obundle_build(&m, b->v, b->n, fl->sec, ob.bundle_id, &buf,
	    &len, fl->err)) != DS_OK)
		return st;
	for (i = 0; i < b->n; i++) {
		ob.n_entries += b->v[i].kind == OBI_ENTRY;
		ob.n_withdrawals += b->v[i].kind == OBI_WITHDRAW;
		ob.n_files += b->v[i].kind == OBI_FILE;
	}
	memcpy(ob.device_id, fl->device, CRY_ID_BYTES);
	ob.seq = m.seq;
	obundle_hash(buf, len, ob.hash);
	ob.created_at = m.created_at;
	ob.bytes = buf;
	ob.len = len;
	st = odb_obundle_put(fl->o, &ob, fl->err);
	ds_free(buf);
	/* A form's files share one item: mark it once. */
	for (i = 0; st == DS_OK && i < b->n; prev = r, i++) {
		r = &b->refs[i];
		if (prev != NULL && r->kind == prev->kind &&
		    r->ref_len == prev->ref_len &&
		    memcmp(r->ref, prev->ref, r->ref_len) == 0)
			continue;
		st = odb_item_sent(fl->o, fl->device, r->kind, r->ref,
		    r->ref_len, m.seq, fl->err);
		if (st == DS_OK && r->kind == ODB_ITEM_ENTRY)
			st = odb_entry_state_set(fl->o, r->ref, ODB_ENTRY_SENT,
			    (int64_t)m.seq, fl->err);
	}
	if (st == DS_OK)
		fl->bundles++;
	batch_clear(b);
	return st;
}

/* Seal first when adding nitems items of `bytes` would overflow. */
static int
make_room(struct flusher *fl, size_t nitems, size_t nfiles, size_t bytes)
{
	struct batch *b = &fl->b;

	if (b->n > 0 && (b->bytes + bytes > ASSIGN_BUNDLE_BYTES ||
	    b->files + nfiles > OBUNDLE_FILES_MAX ||
	    b->n + nitems > OBUNDLE_ITEMS_MAX) &&
	    (fl->st = seal_batch(fl)) != DS_OK)
		return -1;
	if (batch_grow(b, nitems) != 0) {
		fl->st = ds_err_set(fl->err, DS_ENOMEM, NULL);
		return -1;
	}
	return 0;
}

static struct bundle_bytes
bytes_of(const void *p, size_t n)
{
	struct bundle_bytes bb;

	bb.p = p;
	bb.n = n;
	return bb;
}

/*
 * Hand the loaded names and bytes of the last n items to the batch and
 * point those items' form id and version at the batch's own copies.
 * 0 on success; on failure everything is freed and fl->st set.
 */
static int
own_loaded(struct batch *b, char **names, unsigned char **bytes,
    const size_t *lens, size_t n, struct flusher *fl, const char *id,
    const char *ver, size_t idlen)
{
	char *a = ds_strdup(id), *v = ds_strdup(ver);
	size_t i, k;
	int bad = 0;

	for (i = 0; i < n; i++) {
		if (bad) {
			ds_free(names[i]);
			cry_wipe(bytes[i], lens[i]);
			ds_free(bytes[i]);
			continue;
		}
		if (batch_own(b, names[i], strlen(names[i]) + 1) != 0) {
			bad = 1;
			cry_wipe(bytes[i], lens[i]);
			ds_free(bytes[i]);
		} else if (batch_own(b, bytes[i], lens[i]) != 0)
			bad = 1;
	}
	if (a == NULL || v == NULL) {
		ds_free(a);
		ds_free(v);
		bad = 1;
	} else if (batch_own(b, a, idlen + 1) != 0) {
		ds_free(v);
		bad = 1;
	} else if (batch_own(b, v, strlen(ver) + 1) != 0)
		bad = 1;
	if (bad) {
		fl->st = ds_err_set(fl->err, DS_ENOMEM, NULL);
		return -1;
	}
	for (i = 0, k = b->n - n; i < n; i++, k++) {
		b->v[k].form_id = bytes_of(a, idlen);
		b->v[k].form_ver = bytes_of(v, strlen(ver));
	}
	return 0;
}

/* A form version: all its files, in one run of one bundle. */
static int
flush_form(struct flusher *fl, const struct odb_item *it)
{
	struct batch *b = &fl->b;
	struct obundle_item *x;
	struct loaded l;
	char id[ODB_TEXT_MAX], ver[ODB_TEXT_MAX];
	size_t idlen, i, need = 0;

	idlen = strnlen((const char *)it->ref, it->ref_len);
	if (idlen >= it->ref_len || idlen >= sizeof(id) ||
	    it->ref_len - idlen - 1 >= sizeof(ver))
		return 0;	/* not "id NUL version": nothing to send */
	memcpy(id, it->ref, idlen);
	id[idlen] = '\0';
	memcpy(ver, it->ref + idlen + 1, it->ref_len - idlen - 1);
	ver[it->ref_len - idlen - 1] = '\0';
	if ((fl->st = load_files(fl->o, id, ver, &l, fl->err)) != DS_OK)
		return 1;
	for (i = 0; i < l.n; i++)
		need += l.lens[i] + strlen(l.names[i]);
	if (make_room(fl, l.n, l.n, need) != 0) {
		loaded_free(&l);
		return 1;
	}
	for (i = 0; i < l.n; i++) {
		x = &b->v[b->n];
		memset(x, 0, sizeof(*x));
		x->kind = OBI_FILE;
		x->role = l.roles[i];
		x->name = bytes_of(l.names[i], strlen(l.names[i]));
		x->data = bytes_of(l.bytes[i], l.lens[i]);
		b->refs[b->n++] = *it;
		b->files++;
	}
	b->bytes += need;
	/* Ownership moves to the batch; ids point into its own copies. */
	if (!own_loaded(b, l.names, l.bytes, l.lens, l.n, fl, id, ver, idlen))
		return 0;
	return 1;
}

/* One queued item into the batch. */
static int
flush_item_cb(void *arg, const struct odb_item *it)
{
	struct flusher *fl = arg;
	struct batch *b = &fl->b;
	struct obundle_item *x;
	char *body = NULL;
	size_t len = 0;

	if (it->kind == ODB_ITEM_FORM)
		return flush_form(fl, it);
	if (it->ref_len != 16)
		return 0;
	if (it->kind == ODB_ITEM_ENTRY) {
		if ((fl->st = odb_entry_body(fl->o, it->ref, &body, &len,
		    fl->err)) != DS_OK)
			return 1;
	} else if ((body = ds_strdup(WITHDRAW_REASON)) != NULL)
		len = strlen(body);
	else {
		fl->st = ds_err_set(fl->err, DS_ENOMEM, NULL);
		return 1;
	}
	/* Room first: sealing the batch clears what it owns. */
	if (make_room(fl, 1, 0, len + 32) != 0) {
		cry_wipe(body, len);
		ds_free(body);
		return 1;
	}
	if (batch_own(b, body, len + 1) != 0) {
		fl->st = ds_err_set(fl->err, DS_ENOMEM, NULL);
		return 1;
	}
	x = &b->v[b->n];
	memset(x, 0, sizeof(*x));
	x->kind = it->kind == ODB_ITEM_ENTRY ? OBI_ENTRY : OBI_WITHDRAW;
	memcpy(x->entry_id, it->ref, CRY_ID_BYTES);
	x->data = bytes_of(body, len);
	b->refs[b->n++] = *it;
	b->bytes += len + 32;
	return 0;
}

static int
flush_dev(struct flusher *fl)
{
	uint64_t seq;
	int has;

	if ((fl->st = odb_device_box(fl->o, fl->device, fl->box, &has, &seq,
	    fl->err)) != DS_OK)
		return 1;
	if (!has)
		return 0;	/* its first note brings the key */
	if ((fl->st = odb_item_each_queued(fl->o, fl->device, flush_item_cb,
	    fl, fl->err)) != DS_OK)
		return 1;
	if (fl->st != DS_OK || (fl->st = seal_batch(fl)) != DS_OK)
		return 1;
	return 0;
}

struct devlist {
	unsigned char	(*v)[16];
	size_t		  n, cap;
	int		  oom;
};

static int
devlist_cb(void *arg, const unsigned char dev[CRY_ID_BYTES])
{
	struct devlist *l = arg;

	if (ds_arr_grow(&l->v, &l->cap, l->n + 1, sizeof(*l->v),
	    SIZE_MAX / sizeof(*l->v)) != DS_OK) {
		l->oom = 1;
		return 1;
	}
	memcpy(l->v[l->n++], dev, CRY_ID_BYTES);
	return 0;
}

enum ds_status
assign_flush(struct odb *o, const struct cry_office_sec *sec,
    const unsigned char *device, size_t *bundles, struct ds_err *err)
{
	struct flusher fl;
	struct devlist l = { NULL, 0, 0, 0 };
	enum ds_status st;
	size_t i;

	if (bundles != NULL)
		*bundles = 0;
	memset(&fl, 0, sizeof(fl));
	fl.o = o;
	fl.sec = sec;
	fl.err = err;
	if (device != NULL) {
		fl.device = device;
		(void)flush_dev(&fl);
		st = fl.st;
	} else {
		if ((st = odb_item_devices(o, devlist_cb, &l, err)) == DS_OK &&
		    l.oom)
			st = ds_err_set(err, DS_ENOMEM, NULL);
		for (i = 0; st == DS_OK && i < l.n; i++) {
			fl.device = l.v[i];
			(void)flush_dev(&fl);
			st = fl.st;
		}
		ds_free(l.v);
	}
	batch_free(&fl.b);
	if (bundles != NULL)
		*bundles = fl.bundles;
	return st;
}

/* ---- device notes ------------------------------------------------------------ */

struct form_q {
	struct odb		*o;
	const unsigned char	*device;
	struct ds_err		*err;
	enum ds_status		 st;
};

static int
queue_form_cb(void *arg, const char *id, const char *ver)
{
	struct form_q *q = arg;
	unsigned char ref[2 * ODB_TEXT_MAX];
	size_t rl;
	int any;

	if ((rl = form_ref(id, ver, ref, sizeof(ref))) == 0)
		return 0;
	if ((q->st = odb_item_has(q->o, q->device, ODB_ITEM_FORM, ref, rl,
	    &any, q->err)) != DS_OK)
		return 1;
	if (!any && (q->st = odb_item_queue(q->o, q->device, ODB_ITEM_FORM,
	    ref, rl, q->err)) != DS_OK)
		return 1;
	return 0;
}

static enum ds_status
note_refuse(struct assign_note_res *res, int why, struct ds_err *err,
    const char *msg)
{
	res->why = why;
	return ds_err_set(err, DS_EREJECT, "device note: %s", msg);
}

enum ds_status
assign_note(struct odb *o, const struct cry_office_sec *sec,
    const unsigned char *buf, size_t len, struct assign_note_res *res,
    struct ds_err *err)
{
	struct odb_device d;
	struct odb_alert a;
	struct dnote n;
	struct form_q fq;
	unsigned char *b = NULL, hash[32], box[32];
	uint64_t prev_seq, last;
	size_t blen;
	enum ds_status st;
	int has, first, changed;

	memset(res, 0, sizeof(*res));
	if (dnote_parse(buf, len, &n, NULL) != DS_OK)
		return note_refuse(res, AN_PARSE, err, "not a note, or its "
		    "signature does not verify");
	memcpy(res->device_id, n.device_id, CRY_ID_BYTES);
	res->applied_seq = n.applied_seq;
	if (memcmp(n.office_id, sec->office_id, CRY_ID_BYTES) != 0)
		return note_refuse(res, AN_OFFICE, err, "for another office");
	if ((st = odb_device_get(o, n.device_id, &d, err)) == DS_ENOENT)
		return note_refuse(res, AN_DEVICE, err, "unknown device");
	if (st != DS_OK)
		return st;
	if (d.state == ODB_DEV_REVOKED)
		return note_refuse(res, AN_REVOKED, err, "device revoked");
	if (memcmp(d.sign_pk, n.sign_pk, 32) != 0)
		return note_refuse(res, AN_KEY, err, "signed by another key");
	if ((st = odb_device_box(o, n.device_id, box, &has, &prev_seq, err)) !=
	    DS_OK)
		return st;
	if (n.applied_seq > 0) {
		st = odb_obundle_get(o, n.device_id, n.applied_seq, &b, &blen,
		    hash, err);
		ds_free(b);
		if (st == DS_ENOENT || (st == DS_OK && memcmp(hash,
		    n.applied_hash, 32) != 0))
			return note_refuse(res, AN_BUNDLE, err, "names an office "
			    "bundle this office did not make");
		if (st != DS_OK)
			return st;
	}
	/* An older note changes nothing but the box key. */
	if ((st = odb_device_note(o, n.device_id, n.box_pk, n.applied_seq,
	    ds_now(), &first, &changed, err)) != DS_OK)
		return st;
	res->first_box = first;
	res->box_changed = changed;
	if (changed) {
		memset(&a, 0, sizeof(a));
		memcpy(a.device_id, n.device_id, CRY_ID_BYTES);
		a.kind = ODB_ALERT_BOX_KEY;
		cry_hash(a.bundle_id, 16, NULL, 0, n.box_pk, 32);
		snprintf(a.detail, sizeof(a.detail), "box key changed");
		a.at = ds_now();
		if ((st = odb_alert_put(o, &a, err)) != DS_OK)
			return st;
		/* Bundles sealed to the old key cannot open: make them anew. */
		if ((st = odb_obundle_unsend(o, n.device_id, prev_seq >
		    n.applied_seq ? prev_seq : n.applied_seq, err)) != DS_OK)
			return st;
	}
	if (n.applied_seq > prev_seq &&
	    ((st = odb_entry_applied(o, n.device_id, n.applied_seq, ds_now(),
	    err)) != DS_OK ||
	    (st = odb_obundle_applied(o, n.device_id, n.applied_seq, ds_now(),
	    err)) != DS_OK))
		return st;
	if (first && d.state == ODB_DEV_ENROLLED) {
		memset(&fq, 0, sizeof(fq));
		fq.o = o;
		fq.device = n.device_id;
		fq.err = err;
		if ((st = odb_form_latest(o, NULL, queue_form_cb, &fq, err)) !=
		    DS_OK || (st = fq.st) != DS_OK)
			return st;
	}
	if (d.state == ODB_DEV_ENROLLED && (st = assign_flush(o, sec,
	    n.device_id, &res->bundles, err)) != DS_OK)
		return st;
	if ((st = odb_obundle_last(o, n.device_id, &last, hash, err)) != DS_OK)
		return st;
	res->waiting = last > n.applied_seq ? last - n.applied_seq : 0;
	return DS_OK;
}

/* ---- USB inbox --------------------------------------------------------------- */

struct inbox {
	const char	*dir;
	size_t		 n;
	struct ds_err	*err;
	enum ds_status	 st;
};

static int
inbox_cb(void *arg, const struct odb_obundle *b)
{
	struct inbox *ib = arg;
	char p[4096], hex[CRY_ID_HEX];

	ds_hex_encode(b->bundle_id, CRY_ID_BYTES, hex);
	if (snprintf(p, sizeof(p), "%s/%llu-%s.dso", ib->dir,
	    (unsigned long long)b->seq, hex) >= (int)sizeof(p)) {
		ib->st = ds_err_set(ib->err, DS_ELIMIT, "path too long");
		return 1;
	}
	if (ds_path_exists(p))
		return 0;
	if ((ib->st = ds_file_write_atomic(p, b->bytes, b->len, 0600,
	    ib->err)) != DS_OK)
		return 1;
	ib->n++;
	return 0;
}

/* Remove inbox files the device has applied (seq <= applied). */
static void
inbox_prune(const char *dir, uint64_t applied)
{
	char p[4096];
	struct dirent *e;
	DIR *d;
	unsigned long long seq;
	size_t n;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".dso") != 0 ||
		    sscanf(e->d_name, "%llu-", &seq) != 1 || seq > applied)
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) <
		    (int)sizeof(p))
			(void)unlink(p);
	}
	closedir(d);
}

enum ds_status
assign_inbox(struct odb *o, const unsigned char device[16], const char *dir,
    size_t *n, struct ds_err *err)
{
	struct inbox ib;
	unsigned char box[32];
	uint64_t applied;
	char p[4096], hex[CRY_ID_HEX];
	enum ds_status st;
	int has;

	*n = 0;
	if ((st = odb_device_box(o, device, box, &has, &applied, err)) !=
	    DS_OK)
		return st;
	ds_hex_encode(device, CRY_ID_BYTES, hex);
	if (snprintf(p, sizeof(p), "%s/%s/%s", dir, ASSIGN_INBOX_DIR, hex) >=
	    (int)sizeof(p))
		return ds_err_set(err, DS_ELIMIT, "path too long");
	inbox_prune(p, applied);
	memset(&ib, 0, sizeof(ib));
	ib.dir = p;
	ib.err = err;
	{
		uint64_t last;
		unsigned char h[32];

		if ((st = odb_obundle_last(o, device, &last, h, err)) != DS_OK)
			return st;
		if (last <= applied)
			return DS_OK;
	}
	if ((st = ds_mkdir_p(p, 0700, err)) != DS_OK)
		return st;
	if ((st = odb_obundle_each(o, device, applied, inbox_cb, &ib, err)) !=
	    DS_OK)
		return st;
	*n = ib.n;
	return ib.st;
}
