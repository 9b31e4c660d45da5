/* doorstep: the quality ledger (问题台账) for the villages. */
/*
 * Every problem found in the current records, kept in office.db's problem
 * table with a stable id (a keyed hash of its kind, household, record and
 * question), so the township checks and closes each one by id
 * (`problem close`, 逐项核实销号) and a closed problem stays listed with
 * who closed it and when.  A run of the report finds the problems again:
 * a new one is added, a known one's last-seen time moves, and one not
 * found any more stays in the ledger, marked so, until it is closed.
 *
 * What is found, per current record (docs/reports.md): a draft; with a
 * form, every open error and warning the interview engine finds (the
 * form's own message); each warning the worker confirmed with a reason;
 * across households (domain.md §7.2 rows 4 and 7), a member ID number or
 * a phone another household also gave (shown masked); a household the
 * same worker entered twice in one month.  Per monitored
 * household (hh.state monitored or in elimination), from its current
 * record and its measures: each risk factor without an active matching
 * measure (domain.md §5.6), and no labour without 低保/特困 coverage
 * (domain.md §4, §5.5).  Words are the caller's (tr); the form's
 * messages stay in the form's language.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arr.h"
#include "buf.h"
#include "cry.h"
#include "mem.h"
#include "odb_case.h"
#include "report_int.h"
#include "utf8.h"
#include "util.h"

#define FOUND_MAX	4000000	/* problems of one run */
#define DETAIL_MAX	2048

enum { Q_ID, Q_STATE, Q_TCODE, Q_TNAME, Q_VCODE, Q_VNAME, Q_HH, Q_HEAD,
	Q_RECORD, Q_DATE, Q_KIND, Q_PATH, Q_TEXT, Q_FIRST, Q_LAST, Q_CLOSED,
	Q_BY, Q_NOTE, QN };

static const struct report_col qcols[QN] = {
	{ N_("Problem"), NULL, 0, 14 },
	{ N_("State"), NULL, 0, 10 },
	{ N_("Township code"), NULL, 0, 11 },
	{ N_("Township"), NULL, 0, 10 },
	{ N_("Village code"), NULL, 0, 14 },
	{ N_("Village"), NULL, 0, 14 },
	{ N_("Household key"), NULL, 0, 20 },
	{ N_("Head"), NULL, 0, 10 },
	{ N_("Record"), NULL, 0, 34 },
	{ N_("Visit date"), NULL, 0, 11 },
	{ N_("Kind"), NULL, 0, 14 },
	{ N_("Question"), NULL, 0, 24 },
	{ N_("What to check"), NULL, 0, 60 },
	{ N_("First found"), NULL, 0, 11 },
	{ N_("Last found"), NULL, 0, 11 },
	{ N_("Closed on"), NULL, 0, 11 },
	{ N_("Closed by"), NULL, 0, 10 },
	{ N_("How it was checked"), NULL, 0, 30 },
};

/* Kinds, in the order a household's problems are listed. */
static const struct {
	const char	*code, *word;
} kinds[] = {
	{ "recheck", N_("Cannot re-check") },
	{ "draft", N_("Not finished (draft)") },
	{ "error", N_("Error") },
	{ "warning", N_("Warning without a reason") },
	{ "reason", N_("Warning explained") },
	{ "dup_id", N_("ID number also elsewhere") },
	{ "dup_phone", N_("Phone also elsewhere") },
	{ "twin", N_("Entered twice") },
	{ "risk_no_measure", N_("Risk without a matching measure") },
	{ "no_labour", N_("No labour and no dibao or tekun") },
};
#define NKIND	(sizeof(kinds) / sizeof(kinds[0]))

/* domain.md §5.6: risk -> the measure types that answer it. */
static const struct {
	const char	*risk;		/* report_risk_names */
	const char	*word;
	const char	*types[2];
	const char	*types_word;
} risk_measure[] = {
	{ "illness", N_("Illness"), { "health", "social" },
	  N_("health or social assistance") },
	{ "disability", N_("Disability"), { "assist", "social" },
	  N_("safety net or social assistance") },
	{ "school", N_("Schooling costs"), { "education", "social" },
	  N_("education or social assistance") },
	{ "housing", N_("Unsafe housing"), { "housing", NULL },
	  N_("housing safety") },
	{ "water", N_("Unsafe drinking water"), { "water", NULL },
	  N_("drinking-water safety") },
};
#define NRM	(sizeof(risk_measure) / sizeof(risk_measure[0]))

/* One problem found in this run. */
struct found {
	int			 kind;		/* index in kinds */
	const struct report_rec	*r;
	int			 hh_level;	/* no record in its id */
	char			 path[128];
	char			*detail;	/* owned */
	unsigned char		 id[CRY_ID_BYTES];
};

/* One ledger row, as listed. */
struct lrow {
	struct odb_problem	 p;
	const struct report_rec	*r;		/* its current record, or NULL */
	char			 township[ODB_CODE_MAX], village[ODB_CODE_MAX];
	char			 record[CRY_ID_HEX];
	int			 kind;
	char			*detail, *by, *note;	/* owned */
};

struct q {
	struct odb			*db;
	const struct report_quality_opts *o;
	struct report_table		*t;	/* for words */
	struct found			*f;
	size_t				 nf, fcap;
	struct lrow			*l;
	size_t				 nl, lcap;
	const struct report_rec		**byrec;	/* by record id */
	size_t				 nbyrec;
	const struct report_rec		**cur;		/* current, by key */
	size_t				 ncur;
	struct ds_err			*err;
};

static const char *
w(const struct q *q, const char *msgid)
{
	return report_word(q->t, msgid);
}

/* A re-check's note in the caller's words, else the developer text. */
static const char *
note_words(const struct q *q, const struct eng_note *n, char *buf,
    size_t len)
{
	if (q->o->note_tr != NULL)
		return q->o->note_tr(n, buf, len);
	if (n->text != NULL)
		return n->text;
	return n->detail != NULL ? n->detail : eng_msg_dev(n->code);
}

static int
kind_of(const char *code)
{
	size_t i;

	for (i = 0; i < NKIND; i++)
		if (strcmp(code, kinds[i].code) == 0)
			return (int)i;
	return -1;
}

/* Add a problem; detail is a concatenation of the given parts. */
static enum ds_status
add(struct q *q, const char *kind, const struct report_rec *r, int hh_level,
    const char *path, const char *a, const char *b, const char *c)
{
	struct found *f;
	struct ds_buf buf;

	if (ds_arr_grow(&q->f, &q->fcap, q->nf + 1, sizeof(*q->f),
	    FOUND_MAX) != DS_OK)
		return ds_err_set(q->err, DS_ENOMEM, "report: out of memory");
	f = &q->f[q->nf];
	memset(f, 0, sizeof(*f));
	f->kind = kind_of(kind);
	f->r = r;
	f->hh_level = hh_level;
	snprintf(f->path, sizeof(f->path), "%s", path);
	ds_buf_init(&buf, DETAIL_MAX);
	(void)ds_buf_adds(&buf, a != NULL ? a : "");
	(void)ds_buf_adds(&buf, b != NULL ? b : "");
	(void)ds_buf_adds(&buf, c != NULL ? c : "");
	if ((f->detail = ds_buf_take(&buf, NULL)) == NULL)
		return ds_err_set(q->err, DS_ENOMEM, "report: out of memory");
	q->nf++;
	return DS_OK;
}

/* ---- problems of one record ------------------------------------------------- */

static enum ds_status
record_problems(struct q *q, const struct report_rec *r)
{
	enum ds_status st = DS_OK;
	char buf[ENG_RULE_TEXT_MAX];
	size_t i;

	if (r->recheck == -1 && (st = add(q, "recheck", r, 0, "",
	    w(q, N_("Cannot re-check against the current form: ")),
	    r->recheck_msg, NULL)) != DS_OK)
		return st;
	if (r->draft && (st = add(q, "draft", r, 0, "", r->recheck == 1 &&
	    r->nchecks == 0 ? w(q, N_("The record is not finished; its "
	    "answers pass the checks. The worker opens it and finalizes it.")) :
	    r->recheck == 1 ? w(q, N_("The record is not finished; its "
	    "problems are listed below. The worker completes and finalizes "
	    "it.")) : w(q, N_("The record is not finished and may miss "
	    "answers or fail checks. The worker completes and finalizes "
	    "it.")), NULL, NULL)) != DS_OK)
		return st;
	for (i = 0; i < r->nchecks && st == DS_OK; i++)
		st = add(q, r->checks[i].is_error ? "error" : "warning", r, 0,
		    r->checks[i].path, note_words(q, &r->checks[i].note, buf,
		    sizeof(buf)), NULL, NULL);
	for (i = 0; i < r->nreasons && st == DS_OK; i++)
		st = add(q, "reason", r, 0, r->reason_path[i],
		    w(q, N_("Confirmed by the worker, with the reason: ")),
		    r->reason_text[i], NULL);
	return st;
}

/* One phone or member ID number and whose it is. */
struct key {
	const char		*k;
	const struct report_rec	*r;
	const struct report_id	*id;	/* NULL for the phone */
	size_t			 next;	/* r's next key; nk: none */
};

/* The household a record stands for: its key, else the record. */
static const char *
hh_of(const struct report_rec *r)
{
	return *r->hh != '\0' ? r->hh : r->record;
}

/* Same number of the same kind (a phone never matches an ID). */
static int
same_key(const struct key *a, const struct key *b)
{
	return (a->id == NULL) == (b->id == NULL) && strcmp(a->k, b->k) == 0;
}

static int
key_cmp(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;
	int c;

	if ((a->id == NULL) != (b->id == NULL))
		return a->id == NULL ? -1 : 1;
	if ((c = strcmp(a->k, b->k)) != 0 ||
	    (c = strcmp(hh_of(a->r), hh_of(b->r))) != 0 ||
	    (c = strcmp(a->r->record, b->r->record)) != 0)
		return c;
	return (a->id != NULL ? a->id->member : -1) -
	    (b->id != NULL ? b->id->member : -1);
}

/* 138****1234, 340102**********1234: enough to find, not to copy. */
static void
mask(const char *s, size_t keep_head, char *out, size_t n)
{
	size_t l = strlen(s), i, o = 0;

	for (i = 0; i < l && o + 1 < n; i++)
		out[o++] = i < keep_head || i + 4 >= l ? s[i] : '*';
	out[o] = '\0';
}


/* Every phone and member ID of every record (all areas: a duplicate in
 * another township matters too), sorted.  Placeholders are left out. */
static enum ds_status
keys_make(const struct report_rec *recs, size_t n, struct key **out,
    size_t *nk, size_t **firstp, struct ds_err *err)
{
	struct key *k;
	size_t *first, i, j, cap = 0;

	*out = NULL;
	*nk = 0;
	*firstp = NULL;
	for (i = 0; i < n; i++)
		cap += 1 + recs[i].nids;
	if (cap == 0)
		return DS_OK;
	if ((k = ds_calloc(cap, sizeof(*k))) == NULL)
		return ds_err_set(err, DS_ENOMEM, "report: out of memory");
	for (i = 0; i < n; i++) {
		if (recs[i].refused)
			continue;
		if (strlen(recs[i].phone) >= 7) {
			k[*nk].k = recs[i].phone;
			k[(*nk)++].r = &recs[i];
		}
		for (j = 0; j < recs[i].nids; j++) {
			if (strncmp(recs[i].ids[j].id, "999999", 6) == 0)
				continue;
			k[*nk].k = recs[i].ids[j].id;
			k[*nk].r = &recs[i];
			k[(*nk)++].id = &recs[i].ids[j];
		}
	}
	if (*nk > 1)
		qsort(k, *nk, sizeof(*k), key_cmp);
	/* Each record's keys as a chain, in sorted order. */
	if ((first = ds_calloc(n, sizeof(*first))) == NULL) {
		ds_free(k);
		*nk = 0;
		return ds_err_set(err, DS_ENOMEM, "report: out of memory");
	}
	for (i = 0; i < n; i++)
		first[i] = *nk;
	for (i = *nk; i > 0; i--) {
		k[i - 1].next = first[k[i - 1].r - recs];
		first[k[i - 1].r - recs] = i - 1;
	}
	*out = k;
	*firstp = first;
	return DS_OK;
}

/*
 * Problems for r: every phone or ID group it is in that spans another
 * household (or, for an ID, two members of one).  keys sorted.
 */
static enum ds_status
dup_problems(struct q *q, const struct report_rec *r, const struct key *keys,
    size_t nk, size_t first)
{
	char others[512], m[64], path[64], lead[256];
	const char *prev;
	enum ds_status st = DS_OK;
	size_t i, lo, hi, j, no, ol;

	for (i = first; i < nk && st == DS_OK; i = keys[i].next) {
		for (lo = i; lo > 0 && same_key(&keys[lo - 1], &keys[i]); lo--)
			;
		for (hi = i + 1; hi < nk && same_key(&keys[hi], &keys[i]); hi++)
			;
		others[0] = '\0';
		ol = 0;
		prev = NULL;
		for (j = lo, no = 0; j < hi; j++) {
			/* Another record of the same household (visited
			 * twice) shares everything: not a duplicate. */
			if (j == i || (keys[j].r != r &&
			    strcmp(hh_of(keys[j].r), hh_of(r)) == 0))
				continue;
			if (keys[j].r != r && prev != NULL &&
			    strcmp(hh_of(keys[j].r), prev) == 0)
				continue;
			if (keys[j].r != r)
				prev = hh_of(keys[j].r);
			if (keys[j].r == r && keys[j].id != NULL)
				snprintf(m, sizeof(m), "%s %d",
				    w(q, N_("member")), keys[j].id->member + 1);
			else
				snprintf(m, sizeof(m), "%.*s",
				    utf8_prec(hh_of(keys[j].r), 24),
				    hh_of(keys[j].r));
			if (no < 5 && ol < sizeof(others))
				ol += (size_t)snprintf(others + ol,
				    sizeof(others) - ol, "%s%s", no ?
				    w(q, N_(", ")) : "", m);
			no++;
		}
		if (no == 0)
			continue;
		if (no > 5 && ol < sizeof(others))
			snprintf(others + ol, sizeof(others) - ol, " (+%zu)",
			    no - 5);
		if (keys[i].id == NULL) {
			mask(keys[i].k, 3, m, sizeof(m));
			snprintf(lead, sizeof(lead), "%s ", m);
			st = add(q, "dup_phone", r, 0, "phone", lead,
			    w(q, N_("is also the phone of: ")), others);
		} else {
			mask(keys[i].k, 6, m, sizeof(m));
			snprintf(lead, sizeof(lead), "%s %s ",
			    keys[i].id->name, m);
			snprintf(path, sizeof(path), "member[%d]/m_id_number",
			    keys[i].id->member + 1);
			st = add(q, "dup_id", r, 0, path, lead,
			    w(q, N_("is also registered in: ")), others);
		}
	}
	return st;
}

/*
 * One household entered twice on one laptop (docs/reports.md): another
 * record with the same household number by the same worker, visited the
 * same month, neither a correction of the other.  twins is sorted by
 * twin_cmp; r's group is found by bsearch.
 */
static int
twin_cmp(const void *pa, const void *pb)
{
	const struct report_rec *a = *(const struct report_rec *const *)pa;
	const struct report_rec *b = *(const struct report_rec *const *)pb;
	int c;

	if ((c = strcmp(a->hh, b->hh)) != 0 ||
	    (c = strcmp(a->worker, b->worker)) != 0)
		return c;
	return (a->visit_ym > b->visit_ym) - (a->visit_ym < b->visit_ym);
}

static enum ds_status
twin_problems(struct q *q, const struct report_rec *r,
    const struct report_rec **twins, size_t n)
{
	const struct report_rec *const *hit;
	char others[256];
	size_t lo, hi, j, no = 0, ol = 0;

	if (*r->hh == '\0' || r->refused || n < 2 ||
	    (hit = bsearch(&r, twins, n, sizeof(*twins), twin_cmp)) == NULL)
		return DS_OK;
	for (lo = (size_t)(hit - twins); lo > 0 &&
	    twin_cmp(&twins[lo - 1], &r) == 0; lo--)
		;
	for (hi = lo; hi < n && twin_cmp(&twins[hi], &r) == 0; hi++)
		;
	others[0] = '\0';
	for (j = lo; j < hi; j++) {
		if (twins[j] == r || twins[j]->refused ||
		    strcmp(twins[j]->corrects, r->record) == 0 ||
		    strcmp(r->corrects, twins[j]->record) == 0)
			continue;
		if (no < 5 && ol < sizeof(others))
			ol += (size_t)snprintf(others + ol, sizeof(others) - ol,
			    "%s%.8s", no ? w(q, N_(", ")) : "", twins[j]->record);
		no++;
	}
	if (no == 0)
		return DS_OK;
	if (no > 5 && ol < sizeof(others))
		snprintf(others + ol, sizeof(others) - ol, " (+%zu)", no - 5);
	return add(q, "twin", r, 0, "hh_id", w(q, N_("The same worker has "
	    "another record of this household in the same month: ")), others,
	    w(q, N_(". It may have been entered twice: check it and keep "
	    "one.")));
}

/* ---- problems of a monitored household --------------------------------------- */

struct active {
	unsigned	 types;	/* bit i: an active measure of type i */
};

static const char *const mtypes[] = { "industry", "job", "finance",
    "health", "education", "assist", "allowance", "housing", "water",
    "social", NULL };

static int
active_cb(void *arg, const struct odb_measure *m, const char *amount,
    const char *note)
{
	struct active *a = arg;
	size_t i;

	(void)amount;
	(void)note;
	if (strcmp(m->status, "planned") != 0 &&
	    strcmp(m->status, "in_progress") != 0)
		return 0;
	for (i = 0; mtypes[i] != NULL; i++)
		if (strcmp(m->type, mtypes[i]) == 0)
			a->types |= 1u << i;
	return 0;
}

static int
type_bit(const char *t)
{
	size_t i;

	for (i = 0; t != NULL && mtypes[i] != NULL; i++)
		if (strcmp(t, mtypes[i]) == 0)
			return (int)i;
	return -1;
}

/* r is the household's current record. */
static enum ds_status
household_problems(struct q *q, const struct report_rec *r)
{
	struct odb_hh h;
	struct active a;
	enum ds_status st;
	char path[64];
	size_t i, k;
	int b, ok, risk;

	if (*r->hh == '\0')
		return DS_OK;
	if ((st = odb_hh_get(q->db, r->hh, &h, q->err)) == DS_ENOENT) {
		ds_err_clear(q->err);
		return DS_OK;
	}
	if (st != DS_OK)
		return st;
	if (strcmp(h.state, "monitored") != 0 && strcmp(h.state, "elim") != 0)
		return DS_OK;
	memset(&a, 0, sizeof(a));
	if ((st = odb_measure_each_hh(q->db, r->hh, 0, active_cb, &a,
	    q->err)) != DS_OK)
		return st;
	for (i = 0; i < NRM; i++) {
		for (risk = 0; risk < REPORT_NRISK; risk++)
			if (strcmp(report_risk_names[risk],
			    risk_measure[i].risk) == 0)
				break;
		if (risk == REPORT_NRISK || !(r->risks & (1u << risk)))
			continue;
		for (ok = 0, k = 0; k < 2; k++)
			if ((b = type_bit(risk_measure[i].types[k])) >= 0 &&
			    (a.types & (1u << b)))
				ok = 1;
		if (ok)
			continue;
		snprintf(path, sizeof(path), "risk_%s", risk_measure[i].risk);
		if ((st = add(q, "risk_no_measure", r, 1, path,
		    w(q, risk_measure[i].word), w(q, N_(": no active measure "
		    "of ")), w(q, risk_measure[i].types_word))) != DS_OK)
			return st;
	}
	b = type_bit("assist");
	if (r->no_labour && !r->dibao_tekun && !(a.types & (1u << b)))
		return add(q, "no_labour", r, 1, "no_labour_hh",
		    w(q, N_("Nobody in the household can work, and it has no "
		    "dibao or tekun support: keep it monitored and check the "
		    "safety net.")), NULL, NULL);
	return DS_OK;
}

/* ---- the ledger --------------------------------------------------------------- */

static int
rec_cmp(const void *pa, const void *pb)
{
	const struct report_rec *a = *(const struct report_rec *const *)pa;
	const struct report_rec *b = *(const struct report_rec *const *)pb;

	return strcmp(a->record, b->record);
}

/* A household's current record: the last of its key by visit, save. */
static int
hh_cmp(const void *pa, const void *pb)
{
	const struct report_rec *a = *(const struct report_rec *const *)pa;
	const struct report_rec *b = *(const struct report_rec *const *)pb;
	int c;

	if ((c = strcmp(a->hh, b->hh)) != 0 ||
	    (c = strcmp(a->visit_date, b->visit_date)) != 0)
		return c;
	if (a->saved_at != b->saved_at)
		return a->saved_at < b->saved_at ? -1 : 1;
	return strcmp(a->record, b->record);
}

static enum ds_status
problem_id(struct q *q, struct found *f)
{
	struct ds_buf b;
	char *p;
	size_t len;
	int rc;

	ds_buf_init(&b, 4096);
	(void)ds_buf_adds(&b, kinds[f->kind].code);
	(void)ds_buf_add(&b, "", 1);
	(void)ds_buf_adds(&b, hh_of(f->r));
	(void)ds_buf_add(&b, "", 1);
	(void)ds_buf_adds(&b, f->hh_level ? "" : f->r->record);
	(void)ds_buf_add(&b, "", 1);
	(void)ds_buf_adds(&b, f->path);
	if ((p = ds_buf_take(&b, &len)) == NULL)
		return ds_err_set(q->err, DS_ENOMEM, NULL);
	rc = odb_row_id(q->db, "problem", p, len, f->id);
	ds_free(p);
	if (rc != 0)
		return ds_err_set(q->err, DS_ESTATE, "office db: no blind-index "
		    "key");
	return DS_OK;
}

static enum ds_status
record_seen(struct q *q, struct found *f, int64_t now)
{
	struct odb_problem p;
	enum ds_status st;

	if ((st = problem_id(q, f)) != DS_OK)
		return st;
	memset(&p, 0, sizeof(p));
	memcpy(p.id, f->id, CRY_ID_BYTES);
	snprintf(p.kind, sizeof(p.kind), "%s", kinds[f->kind].code);
	snprintf(p.hh_key, sizeof(p.hh_key), "%s", hh_of(f->r));
	if (!f->hh_level && strlen(f->r->record) == 32 &&
	    ds_hex_decode(f->r->record, p.record_uuid, CRY_ID_BYTES) == 0)
		p.has_record = 1;
	snprintf(p.path, sizeof(p.path), "%s", f->path);
	return odb_problem_seen(q->db, &p, f->detail, now, q->err);
}

static const struct report_rec *
rec_by_id(const struct q *q, const char *hex)
{
	struct report_rec key;
	const struct report_rec *kp = &key, *const *hit;

	if (q->nbyrec == 0)
		return NULL;
	snprintf(key.record, sizeof(key.record), "%s", hex);
	hit = bsearch(&kp, q->byrec, q->nbyrec, sizeof(*q->byrec), rec_cmp);
	return hit != NULL ? *hit : NULL;
}

static int
cur_cmp(const void *pa, const void *pb)
{
	const struct report_rec *a = *(const struct report_rec *const *)pa;
	const struct report_rec *b = *(const struct report_rec *const *)pb;

	return strcmp(a->hh, b->hh);
}

/* A household's current record, for a problem of the household. */
static const struct report_rec *
rec_by_hh(const struct q *q, const char *key)
{
	struct report_rec k;
	const struct report_rec *kp = &k, *const *hit;

	if (q->ncur == 0 || *key == '\0')
		return NULL;
	snprintf(k.hh, sizeof(k.hh), "%s", key);
	hit = bsearch(&kp, q->cur, q->ncur, sizeof(*q->cur), cur_cmp);
	return hit != NULL ? *hit : NULL;
}

static char *
dup_or_empty(const char *s)
{
	return ds_strdup(s != NULL ? s : "");
}

static int
ledger_cb(void *arg, const struct odb_problem *p, const char *detail,
    const char *by, const char *note)
{
	struct q *q = arg;
	struct lrow *l;
	struct odb_hh h;
	size_t n;
	const char *area = q->o->area;

	if (ds_arr_grow(&q->l, &q->lcap, q->nl + 1, sizeof(*q->l),
	    FOUND_MAX) != DS_OK)
		return 1;
	l = &q->l[q->nl];
	memset(l, 0, sizeof(*l));
	l->p = *p;
	l->kind = kind_of(p->kind);
	if (p->has_record)
		ds_hex_encode(p->record_uuid, CRY_ID_BYTES, l->record);
	l->r = p->has_record ? rec_by_id(q, l->record) : rec_by_hh(q,
	    p->hh_key);
	if (l->r != NULL) {
		snprintf(l->township, sizeof(l->township), "%s",
		    l->r->township);
		snprintf(l->village, sizeof(l->village), "%s", l->r->village);
	} else if (*p->hh_key != '\0' && odb_hh_get(q->db, p->hh_key, &h,
	    NULL) == DS_OK) {
		snprintf(l->township, sizeof(l->township), "%s", h.township);
		snprintf(l->village, sizeof(l->village), "%s", h.village);
	}
	if (area != NULL && *area != '\0') {
		n = strlen(area);
		if (strncmp(l->village, area, n) != 0 &&
		    strncmp(l->township, area, n) != 0)
			return 0;
	}
	if ((l->detail = dup_or_empty(detail)) == NULL ||
	    (l->by = dup_or_empty(by)) == NULL ||
	    (l->note = dup_or_empty(note)) == NULL) {
		ds_free(l->detail);
		ds_free(l->by);
		return 1;
	}
	q->nl++;
	return 0;
}

static int
lrow_cmp(const void *pa, const void *pb)
{
	const struct lrow *a = pa, *b = pb;
	int ea = *a->township == '\0' && *a->village == '\0';
	int eb = *b->township == '\0' && *b->village == '\0';
	int c;

	if (ea != eb)
		return ea ? 1 : -1;
	if ((c = strcmp(a->township, b->township)) != 0 ||
	    (c = strcmp(a->village, b->village)) != 0 ||
	    (c = strcmp(a->p.hh_key, b->p.hh_key)) != 0 ||
	    (c = strcmp(a->record, b->record)) != 0)
		return c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((c = strcmp(a->p.path, b->p.path)) != 0)
		return c;
	return memcmp(a->p.id, b->p.id, CRY_ID_BYTES);
}

static void
day(int64_t t, char out[16])
{
	char iso[32];

	if (t == 0) {
		out[0] = '\0';
		return;
	}
	ds_time_iso(t, iso);
	snprintf(out, 16, "%.10s", iso);
}

static enum ds_status
put_row(struct q *q, const struct report_names *nm, const struct lrow *l,
    int64_t now)
{
	struct report_table *t = q->t;
	enum ds_status st;
	char id[CRY_ID_HEX], d1[16], d2[16], d3[16];
	const char *state, *vn;
	size_t row;

	ds_hex_encode(l->p.id, CRY_ID_BYTES, id);
	id[12] = '\0';
	state = l->p.closed_at != 0 ? N_("closed") : l->p.last_seen == now ?
	    N_("open") : N_("not found any more");
	day(l->p.first_seen, d1);
	day(l->p.last_seen, d2);
	day(l->p.closed_at, d3);
	vn = report_names_get(nm, l->village);
	if (*vn == '\0' && l->r != NULL)
		vn = l->r->village_name;
	if (*l->township == '\0' && *l->village == '\0')
		vn = w(q, N_("(no address)"));
	if ((st = report_table_add(t, REPORT_ROW_DATA, &row, q->err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_ID, id, q->err)) != DS_OK ||
	    (st = report_table_setw(t, row, Q_STATE, state, q->err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_TCODE, l->township, q->err)) !=
	    DS_OK ||
	    (st = report_table_set(t, row, Q_TNAME, report_names_get(nm,
	    l->township), q->err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_VCODE, l->village, q->err)) !=
	    DS_OK ||
	    (st = report_table_set(t, row, Q_VNAME, vn, q->err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_HH, l->p.hh_key, q->err)) !=
	    DS_OK ||
	    (st = report_table_set(t, row, Q_HEAD, l->r != NULL ? l->r->head :
	    "", q->err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_RECORD, l->record, q->err)) !=
	    DS_OK ||
	    (st = report_table_set(t, row, Q_DATE, l->r != NULL ?
	    l->r->visit_date : "", q->err)) != DS_OK ||
	    (st = report_table_setw(t, row, Q_KIND, l->kind >= 0 ?
	    kinds[l->kind].word : l->p.kind, q->err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_PATH, l->p.path, q->err)) !=
	    DS_OK ||
	    (st = report_table_set(t, row, Q_TEXT, l->detail, q->err)) !=
	    DS_OK ||
	    (st = report_table_set(t, row, Q_FIRST, d1, q->err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_LAST, d2, q->err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_CLOSED, d3, q->err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_BY, l->by, q->err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_NOTE, l->note, q->err)) != DS_OK)
		return st;
	return DS_OK;
}

enum ds_status
report_quality(struct odb *db, const struct report_quality_opts *o,
    struct report_table **out, struct ds_err *err)
{
	struct report_rec *recs = NULL;
	const struct report_rec **v = NULL;
	struct report_names *nm = NULL;
	struct key *keys = NULL;
	const struct report_rec **tw = NULL;
	struct q q;
	enum ds_status st;
	size_t n = 0, nk = 0, i, *first = NULL;
	int64_t now = o->now != 0 ? o->now : ds_now();

	ds_err_clear(err);
	*out = NULL;
	memset(&q, 0, sizeof(q));
	q.db = db;
	q.o = o;
	q.err = err;
	if ((st = report_table_new("", qcols, QN, Q_VNAME + 1, &q.t, err)) !=
	    DS_OK)
		return st;
	report_table_words(q.t, o->tr);
	if ((st = report_recs_load(db, o->form, NULL, 0, &recs, &n, err)) !=
	    DS_OK)
		goto out;
	if (n > 0 && ((v = ds_calloc(n, sizeof(*v))) == NULL ||
	    (q.byrec = ds_calloc(n, sizeof(*q.byrec))) == NULL ||
	    (q.cur = ds_calloc(n, sizeof(*q.cur))) == NULL ||
	    (tw = ds_calloc(n, sizeof(*tw))) == NULL)) {
		st = ds_err_set(err, DS_ENOMEM, "report: out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		v[i] = q.byrec[i] = tw[i] = &recs[i];
	q.nbyrec = n;
	if (n > 0) {
		qsort(q.byrec, n, sizeof(*q.byrec), rec_cmp);
		qsort(v, n, sizeof(*v), hh_cmp);
		qsort(tw, n, sizeof(*tw), twin_cmp);
	}
	/* The last record of each key is its current one (hh_cmp). */
	for (i = 0; i < n; i++)
		if (*v[i]->hh != '\0' && (i + 1 == n || strcmp(v[i]->hh,
		    v[i + 1]->hh) != 0))
			q.cur[q.ncur++] = v[i];
	if ((st = keys_make(recs, n, &keys, &nk, &first, err)) != DS_OK)
		goto out;
	/* Every record's own problems; each household's from its last. */
	for (i = 0; i < n && st == DS_OK; i++) {
		if ((st = record_problems(&q, v[i])) == DS_OK &&
		    (st = dup_problems(&q, v[i], keys, nk, first != NULL ?
		    first[v[i] - recs] : nk)) == DS_OK)
			st = twin_problems(&q, v[i], tw, n);
		if (st == DS_OK && (i + 1 == n || strcmp(v[i]->hh,
		    v[i + 1]->hh) != 0))
			st = household_problems(&q, v[i]);
	}
	for (i = 0; i < q.nf && st == DS_OK; i++)
		st = record_seen(&q, &q.f[i], now);
	if (st != DS_OK)
		goto out;
	if ((st = odb_problem_each(db, ledger_cb, &q, err)) != DS_OK)
		goto out;
	if ((st = report_names_load(o->forms_dir, &nm, err)) != DS_OK)
		goto out;
	if (q.nl > 0)
		qsort(q.l, q.nl, sizeof(*q.l), lrow_cmp);
	for (i = 0; i < q.nl && st == DS_OK; i++)
		st = put_row(&q, nm, &q.l[i], now);
	if (st == DS_OK) {
		*out = q.t;
		q.t = NULL;
	}
out:
	report_table_free(q.t);
	for (i = 0; i < q.nf; i++)
		ds_free(q.f[i].detail);
	ds_free(q.f);
	for (i = 0; i < q.nl; i++) {
		ds_free(q.l[i].detail);
		ds_free(q.l[i].by);
		ds_free(q.l[i].note);
	}
	ds_free(q.l);
	ds_free(q.byrec);
	ds_free(q.cur);
	report_names_free(nm);
	ds_free(keys);
	ds_free(first);
	ds_free(v);
	ds_free(tw);
	report_recs_free(recs, n);
	return st;
}
