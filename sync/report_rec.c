/* doorstep: the facts the reports read from each current record. */
/*
 * One pass over the current heads (odb_head_each: not deleted, ordered by
 * household key then record id) turns each answers JSON into a struct
 * report_rec: address codes, visit, category, months, risks, measures and
 * the record's own quality state under "_meta".  Only the fields named in
 * docs/reports.md are read; unknown or malformed values count as absent,
 * never as an error, because the office must still report on a record
 * made by an older or newer form version.  A head whose JSON does not
 * parse is an error (DS_ECORRUPT): the importer never stores one.
 * With a compiled form the records of that form are also restored into
 * the interview engine (eng_restore) and their open errors and warnings
 * taken from eng_issues, so the problem list applies today's rules.
 */
#include "report_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "arr.h"
#include "cry.h"
#include "eng.h"
#include "json.h"
#include "mem.h"
#include "utf8.h"
#include "util.h"

static void	hex_id(const char *, char out[CRY_ID_HEX]);

#define RECS_MAX	2000000

const char *const report_risk_names[REPORT_NRISK] = {
	"illness", "disability", "school", "disaster", "accident",
	"business", "job", "labour", "housing", "water", "other"
};

const char *const report_visit_names[REPORT_NVISIT] = {
	"screening", "verification", "annual", "review", "elimination"
};

/*
 * The measure kinds (forms/household.md §9): the yes/no grid question
 * has_KIND, and the details question ms_* that older form versions had
 * alone.
 */
const char *const report_measure_fields[REPORT_NMEASURE] = {
	"ms_industry", "ms_job", "ms_finance", "ms_health", "ms_education",
	"ms_assist", "ms_allowance", "ms_housing", "ms_water", "ms_other"
};

static const char *const measure_grid[REPORT_NMEASURE] = {
	"has_industry", "has_job", "has_finance", "has_health",
	"has_education", "has_assist", "has_allowance", "has_housing",
	"has_water", "has_social"
};

static const char *const channel_names[] = {
	"self_report", "cadre_screening", "dept_warning"
};

static const char *
jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

static int
yes(const json_t *o, const char *key)
{
	return strcmp(jstr(o, key), "yes") == 0;
}

static int
index_of(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* "YYYYMM" to YYYYMM; 0 if malformed. */
static int
parse_ym(const char *s)
{
	int64_t v;

	if (strlen(s) != 6 || ds_parse_i64(s, 200001, 209912, &v) != 0 ||
	    v % 100 < 1 || v % 100 > 12)
		return 0;
	return (int)v;
}

/* "YYYY-MM-DD" to YYYYMM; 0 if malformed. */
static int
date_ym(const char *s)
{
	char b[7];

	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return 0;
	memcpy(b, s, 4);
	memcpy(b + 4, s + 5, 2);
	b[6] = '\0';
	return parse_ym(b);
}

/* A number answer > 0 (calculates are stored as text). */
static int
positive(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	double d;

	if (json_is_number(v))
		return json_number_value(v) > 0;
	return json_is_string(v) && ds_parse_double(json_string_value(v),
	    &d) == 0 && d > 0;
}

/* The main risk: risk_main_final, else risk_main, else the only "yes". */
static int
main_risk(const json_t *o)
{
	char key[32];
	int i, only = -1, n = 0;

	if ((i = index_of(jstr(o, "risk_main_final"), report_risk_names,
	    REPORT_NRISK)) >= 0)
		return i;
	if ((i = index_of(jstr(o, "risk_main"), report_risk_names,
	    REPORT_NRISK)) >= 0)
		return i;
	for (i = 0; i < REPORT_NRISK; i++) {
		snprintf(key, sizeof(key), "risk_%s", report_risk_names[i]);
		if (yes(o, key)) {
			only = i;
			n++;
		}
	}
	return n == 1 ? only : -1;
}

static unsigned
measures(const json_t *o)
{
	const json_t *v;
	unsigned bits = 0;
	int i;

	for (i = 0; i < REPORT_NMEASURE; i++) {
		/* The grid answer decides; a draft may keep details of a
		 * kind since set to no (non-relevant answers stay until
		 * finalize). */
		if (json_is_string(json_object_get(o, measure_grid[i]))) {
			if (yes(o, measure_grid[i]))
				bits |= 1u << i;
			continue;
		}
		v = json_object_get(o, report_measure_fields[i]);
		if ((json_is_array(v) && json_array_size(v) > 0) ||
		    (json_is_string(v) && *json_string_value(v) != '\0'))
			bits |= 1u << i;
	}
	return bits;
}

/* Each member's ID number, upper-cased (a final x typed small). */
static enum ds_status
member_ids(struct report_rec *r, const json_t *m, struct ds_err *err)
{
	const json_t *it;
	const char *s;
	size_t i, n, k;

	if (!json_is_array(m) || (n = json_array_size(m)) == 0)
		return DS_OK;
	if ((r->ids = ds_calloc(n, sizeof(*r->ids))) == NULL)
		return ds_err_set(err, DS_ENOMEM, "report: out of memory");
	for (i = 0; i < n; i++) {
		it = json_array_get(m, i);
		s = jstr(it, "m_id_number");
		if (*s == '\0' || strlen(s) >= sizeof(r->ids[0].id))
			continue;
		for (k = 0; s[k] != '\0'; k++)
			r->ids[r->nids].id[k] = s[k] >= 'a' && s[k] <= 'z' ?
			    (char)(s[k] - 'a' + 'A') : s[k];
		utf8_copy(r->ids[r->nids].name, sizeof(r->ids[0].name),
		    jstr(it, "m_name"));
		r->ids[r->nids++].member = (int)i;
	}
	return DS_OK;
}

static enum ds_status
reasons(struct report_rec *r, const json_t *meta, struct ds_err *err)
{
	const json_t *rs, *v;
	const char *k;
	size_t n, i = 0;

	rs = json_object_get(meta, "reasons");
	if (!json_is_object(rs) || (n = json_object_size(rs)) == 0)
		return DS_OK;
	r->reason_path = ds_calloc(n, sizeof(char *));
	r->reason_text = ds_calloc(n, sizeof(char *));
	if (r->reason_path == NULL || r->reason_text == NULL)
		return ds_err_set(err, DS_ENOMEM, "report: out of memory");
	/* jansson iterates in insertion order; the JSON is canonical. */
	json_object_foreach((json_t *)(uintptr_t)rs, k, v) {
		if (i == n)
			break;
		r->reason_path[i] = ds_strdup(k);
		r->reason_text[i] = ds_strdup(json_is_string(v) ?
		    json_string_value(v) : "");
		r->nreasons = ++i;
		if (r->reason_path[i - 1] == NULL ||
		    r->reason_text[i - 1] == NULL)
			return ds_err_set(err, DS_ENOMEM,
			    "report: out of memory");
	}
	return DS_OK;
}

enum ds_status
report_rec_parse(const char *answers, size_t len, struct report_rec *r,
    struct ds_err *err)
{
	const json_t *meta, *m;
	json_t *o;
	enum ds_status st;
	const char *s;
	char key[32];
	int i;

	if ((st = ds_json_parse(answers, len, REPORT_ANSWERS_MAX, "answers",
	    &o, err)) != DS_OK)
		return st;
	if (!json_is_object(o)) {
		json_decref(o);
		return ds_err_set(err, DS_ECORRUPT,
		    "report: answers are not an object");
	}
	/* The form's household number; the bundle's household key may be
	 * a stand-in (a refused visit has no number). */
	utf8_copy(r->hh, sizeof(r->hh), jstr(o, "hh_id"));
	utf8_copy(r->head, sizeof(r->head), jstr(o, "head_name"));
	utf8_copy(r->province, sizeof(r->province), jstr(o, "province"));
	utf8_copy(r->city, sizeof(r->city), jstr(o, "city"));
	utf8_copy(r->county, sizeof(r->county), jstr(o, "county"));
	utf8_copy(r->township, sizeof(r->township), jstr(o, "township"));
	utf8_copy(r->village, sizeof(r->village), jstr(o, "village"));
	utf8_copy(r->village_name, sizeof(r->village_name),
	    jstr(o, "village_name"));
	utf8_copy(r->visit_date, sizeof(r->visit_date), jstr(o, "visit_date"));
	r->visit_ym = date_ym(r->visit_date);
	r->visit_type = index_of(jstr(o, "visit_type"), report_visit_names,
	    REPORT_NVISIT);
	s = jstr(o, "visit_mode");
	r->remote = strcmp(s, "phone") == 0 || strcmp(s, "online") == 0;
	r->refused = strcmp(jstr(o, "consent"), "no") == 0;
	r->channel = index_of(jstr(o, "channel"), channel_names, 3);
	s = jstr(o, "category");
	r->category = strcmp(s, "unstable") == 0 ? RC_UNSTABLE :
	    strcmp(s, "marginal") == 0 ? RC_MARGINAL :
	    strcmp(s, "sudden") == 0 ? RC_SUDDEN : RC_NONE;
	r->ident_ym = parse_ym(jstr(o, "ident_month"));
	r->el_done = yes(o, "el_done");
	s = jstr(o, "el_way");
	r->el_way = strcmp(s, "assisted") == 0 ? 1 :
	    strcmp(s, "natural") == 0 ? 2 : 0;
	r->el_ym = parse_ym(jstr(o, "el_month"));
	r->risk_main = main_risk(o);
	m = json_object_get(o, "member");
	r->n_members = json_is_array(m) ? (int)json_array_size(m) : 0;
	r->measures = measures(o);
	utf8_copy(r->phone, sizeof(r->phone), jstr(o, "phone"));
	if ((st = member_ids(r, m, err)) != DS_OK) {
		json_decref(o);
		return st;
	}
	r->dev_gap = positive(o, "n_can_work") && !yes(o, "dev_status");
	for (i = 0; i < REPORT_NRISK; i++) {
		snprintf(key, sizeof(key), "risk_%s", report_risk_names[i]);
		if (yes(o, key))
			r->risks |= 1u << i;
	}
	r->no_labour = yes(o, "no_labour_hh");
	r->dibao_tekun = positive(o, "n_dibao") || positive(o, "n_tekun");
	meta = json_object_get(o, "_meta");
	r->draft = strcmp(jstr(meta, "state"), "finalized") != 0;
	hex_id(jstr(meta, "corrects"), r->corrects);
	st = reasons(r, meta, err);
	json_decref(o);
	return st;
}

/* A record id as 32 lower-case hex digits (dashes dropped), else "". */
static void
hex_id(const char *s, char out[CRY_ID_HEX])
{
	size_t n = 0;

	for (; *s != '\0' && n < 32; s++)
		if (isxdigit((unsigned char)*s))
			out[n++] = (char)tolower((unsigned char)*s);
		else if (*s != '-')
			break;
	out[n == 32 && *s == '\0' ? n : 0] = '\0';
}

enum ds_status
report_rec_recheck(struct report_rec *r, const struct eng_form *cf,
    const char *answers, size_t len, struct ds_err *err)
{
	const struct form *f = eng_form_model(cf);
	struct eng_issue *iv = NULL;
	struct ds_err why;
	struct eng *e = NULL;
	enum ds_status st;
	json_t *o;
	size_t n = 0, nerr = 0, i;

	if ((st = ds_json_parse(answers, len, REPORT_ANSWERS_MAX, "answers",
	    &o, err)) != DS_OK)
		return st;
	/* Only records of this form; others keep their stored state. */
	if (strcmp(jstr(json_object_get(o, "_meta"), "form"), f->id) != 0) {
		json_decref(o);
		return DS_OK;
	}
	ds_err_clear(&why);
	st = eng_restore(cf, NULL, o, &e, &why);
	json_decref(o);
	if (st == DS_ENOMEM)
		return ds_err_set(err, st, "report: out of memory");
	if (st != DS_OK) {
		r->recheck = -1;
		utf8_copy(r->recheck_msg, sizeof(r->recheck_msg), why.msg);
		return DS_OK;
	}
	st = eng_issues(e, &iv, &n, &nerr);
	if (st == DS_OK && n > 0 &&
	    (r->checks = ds_calloc(n, sizeof(*r->checks))) == NULL)
		st = DS_ENOMEM;
	for (i = 0; st == DS_OK && i < n; i++) {
		r->checks[i].is_error = iv[i].is_error;
		r->checks[i].path = ds_strdup(iv[i].path);
		r->nchecks = i + 1;
		if (r->checks[i].path == NULL)
			st = DS_ENOMEM;
		else
			st = eng_note_copy(&r->checks[i].note, &iv[i].note);
	}
	eng_issues_free(iv, n);
	eng_free(e);
	if (st != DS_OK)
		return ds_err_set(err, st, "report: re-check: %s",
		    ds_status_str(st));
	r->recheck = 1;
	return DS_OK;
}

static enum ds_status
rec_fill(struct report_rec *r, const struct odb_head *h,
    const struct eng_form *cf, const char *area, struct ds_err *err)
{
	enum ds_status st;

	ds_hex_encode(h->record_uuid, CRY_ID_BYTES, r->record);
	memcpy(r->rev_id, h->rev_id, CRY_ID_BYTES);
	r->saved_at = h->saved_at;
	utf8_copy(r->worker, sizeof(r->worker), h->worker_id != NULL ?
	    h->worker_id : "");
	if ((st = report_rec_parse(h->answers, h->answers_len, r, err)) !=
	    DS_OK || cf == NULL || !report_rec_in_area(r, area))
		return st;
	return report_rec_recheck(r, cf, h->answers, h->answers_len, err);
}

struct load {
	const struct eng_form	*cf;
	const char		*area;
	int			 asof;		/* YYYYMM, 0: heads */
	unsigned char		 taken[CRY_ID_BYTES];	/* record last taken
							   (asof) */
	int			 have_taken;
	struct report_rec	*v;
	size_t			 n, cap;
	enum ds_status		 st;
	struct ds_err		*err;
};

static int
load_one(void *arg, const struct odb_head *h)
{
	struct load *l = arg;
	struct report_rec *v;
	enum ds_status st;

	/* As of a month, runs come newest first: once a record's revision
	 * is taken, its older ones need no parsing. */
	if (l->asof != 0 && l->have_taken &&
	    memcmp(l->taken, h->record_uuid, CRY_ID_BYTES) == 0)
		return 0;
	if ((st = ds_arr_grow(&l->v, &l->cap, l->n + 1, sizeof(*l->v),
	    RECS_MAX)) != DS_OK) {
		l->st = st == DS_ELIMIT ? ds_err_set(l->err, st, "report: "
		    "more than %d records", RECS_MAX) : ds_err_set(l->err, st,
		    "report: out of memory");
		return 1;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	l->st = rec_fill(&l->v[l->n], h, l->cf, l->area, l->err);
	l->n++;		/* freed by report_recs_free even when half filled */
	if (l->st != DS_OK || l->asof == 0)
		return l->st != DS_OK;
	/* As of a month: a revision of a visit after it did not exist. */
	v = &l->v[l->n - 1];
	if (v->visit_ym == 0 || v->visit_ym > l->asof) {
		report_rec_reset(v);
		l->n--;
	} else {
		memcpy(l->taken, h->record_uuid, CRY_ID_BYTES);
		l->have_taken = 1;
	}
	return 0;
}

enum ds_status
report_recs_load(struct odb *o, const struct eng_form *cf,
    const char *area, int asof_ym, struct report_rec **out, size_t *n,
    struct ds_err *err)
{
	struct load l;
	enum ds_status st;

	memset(&l, 0, sizeof(l));
	l.cf = cf;
	l.area = area;
	l.asof = asof_ym;
	l.err = err;
	st = asof_ym > 0 ? odb_rev_each(o, load_one, &l, err) :
	    odb_head_each(o, load_one, &l, err);
	if (st == DS_OK)
		st = l.st;
	if (st != DS_OK) {
		report_recs_free(l.v, l.n);
		return st;
	}
	*out = l.v;
	*n = l.n;
	return DS_OK;
}

void
report_rec_reset(struct report_rec *r)
{
	size_t j;

	for (j = 0; j < r->nreasons; j++) {
		ds_free(r->reason_path[j]);
		ds_free(r->reason_text[j]);
	}
	ds_free(r->reason_path);
	ds_free(r->reason_text);
	r->reason_path = r->reason_text = NULL;
	r->nreasons = 0;
	for (j = 0; j < r->nchecks; j++) {
		ds_free(r->checks[j].path);
		eng_note_free(&r->checks[j].note);
	}
	ds_free(r->checks);
	r->checks = NULL;
	r->nchecks = 0;
	if (r->ids != NULL)
		memset(r->ids, 0, r->nids * sizeof(*r->ids));
	ds_free(r->ids);
	r->ids = NULL;
	r->nids = 0;
}

void
report_recs_free(struct report_rec *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		report_rec_reset(&v[i]);
	ds_free(v);
}

int
report_rec_in_area(const struct report_rec *r, const char *area)
{
	if (area == NULL || *area == '\0')
		return 1;
	return strcmp(r->province, area) == 0 || strcmp(r->city, area) == 0 ||
	    strcmp(r->county, area) == 0 || strcmp(r->township, area) == 0 ||
	    strcmp(r->village, area) == 0;
}
