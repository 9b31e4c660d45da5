/* doorstep: CSV and XLSX exports of the current heads (libxlsxwriter). */
/*
 * Reads every head once (odb_head_each), builds the two tables' columns
 * (export_int.h), then writes rows.  The heads live in memory: a township
 * is ~15,000 households, a few tens of MB of JSON at most.  Every output
 * file is created 0600 under a temp name next to the target (libxlsxwriter
 * writes into it and keeps its scratch files in the same directory), then
 * fsynced, renamed and the directory fsynced.  export_stat.c writes Stata
 * and SPSS files from the same tables.
 */
#include "export.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "export_int.h"
#include "form.h"
#include "mem.h"
#include "util.h"

#define EXPORT_MAX	(256u << 20)
#define EXPORT_DOC_MAX	(16u << 20)

static const char *const meta_names[EXPORT_NMETA] = { "record_id",
    "household_key", "form_id", "form_version", "revision", "worker",
    "saved_at" };
static const char *const book_names[EXPORT_NBOOK] = { "table", "name",
    "label", "type", "code", "code_label" };
static const char *const sheet_names[3] = { "households", "members",
    "codebook" };

/* ---- reading the heads --------------------------------------------------- */

struct collect {
	struct xex	*e;
	json_t		*hnames, *mnames;	/* answer names seen */
	struct ds_err	*err;
	enum ds_status	 st;
};

static int
is_scalarish(json_t *v)
{
	size_t i;
	json_t *x;

	if (!json_is_array(v))
		return !json_is_object(v);
	json_array_foreach(v, i, x)
		if (json_is_object(x) || json_is_array(x))
			return 0;
	return 1;
}

static void
add_names(json_t *set, json_t *obj)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v)
		if (strcmp(k, "_meta") != 0 && is_scalarish(v))
			json_object_set_new(set, k, json_true());
}

static int
collect(void *arg, const struct odb_head *h)
{
	struct collect *c = arg;
	struct xex *e = c->e;
	struct xhh *x, *nv;
	json_t *doc = NULL, *rep, *m;
	size_t i;
	char id[33];

	if (ds_json_parse(h->answers, h->answers_len, EXPORT_DOC_MAX,
	    "answers", &doc, c->err) != DS_OK || !json_is_object(doc)) {
		json_decref(doc);
		c->st = DS_ECORRUPT;
		return 1;
	}
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 256;

		if ((nv = ds_realloc(e->v, cap * sizeof(*nv))) == NULL) {
			json_decref(doc);
			c->st = ds_err_set(c->err, DS_ENOMEM, NULL);
			return 1;
		}
		e->v = nv;
		e->cap = cap;
	}
	x = &e->v[e->n++];
	x->doc = doc;
	ds_hex_encode(h->record_uuid, 16, id);
	snprintf(x->meta[0], 256, "%s", id);
	snprintf(x->meta[1], 256, "%s", h->household_key);
	snprintf(x->meta[2], 256, "%s", h->form_id ? h->form_id : "");
	snprintf(x->meta[3], 256, "%s", h->form_ver ? h->form_ver : "");
	snprintf(x->meta[4], 256, "%u", h->rev_no);
	snprintf(x->meta[5], 256, "%s", h->worker_id ? h->worker_id : "");
	ds_time_iso(h->saved_at, x->meta[6]);
	add_names(c->hnames, doc);
	rep = json_object_get(doc, e->repeat);
	json_array_foreach(rep, i, m)
		if (json_is_object(m))
			add_names(c->mnames, m);
	return 0;
}

/* ---- columns ------------------------------------------------------------- */

static enum ds_status
col_add(struct xtable *t, const char *name, const char *label,
    enum xc_type type, int meta, const struct form_list *list,
    struct ds_err *err)
{
	struct xcol *nv;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;

		if ((nv = ds_realloc(t->c, cap * sizeof(*nv))) == NULL)
			return ds_err_set(err, DS_ENOMEM, NULL);
		t->c = nv;
		t->cap = cap;
	}
	t->c[t->n].name = name;
	t->c[t->n].label = label != NULL && *label != '\0' ? label : name;
	t->c[t->n].type = type;
	t->c[t->n].meta = meta;
	t->c[t->n].list = list;
	t->n++;
	return DS_OK;
}

/* The answer types a table shows; the rest hold no answer. */
static int
has_answer(enum form_type t)
{
	return t != FT_GROUP && t != FT_REPEAT && t != FT_ROOT &&
	    t != FT_NOTE;
}

static enum xc_type
col_type(enum form_type t)
{
	switch (t) {
	case FT_INTEGER:
	case FT_DECIMAL:
		return XC_NUM;
	case FT_DATE:
	case FT_TODAY:
		return XC_DATE;
	case FT_SELECT_ONE:
		return XC_ONE;
	case FT_SELECT_MULTIPLE:
		return XC_MULTI;
	case FT_CALCULATE:
		return XC_CALC;
	default:
		return XC_TEXT;
	}
}

/* Where node n's answer lives: 0 the household, 1 an item of the repeat
 * named rep, -1 another repeat (not a column of either table). */
static int
table_of(const struct form_node *n, const char *rep)
{
	const struct form_node *p;

	for (p = n->parent; p != NULL; p = p->parent)
		if (p->type == FT_REPEAT)
			return p->name != NULL && strcmp(p->name, rep) == 0 ?
			    1 : -1;
	return 0;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names of set not yet taken, sorted, as text columns. */
static enum ds_status
rest_cols(struct xtable *t, json_t *set, struct ds_err *err)
{
	const char **v, *k;
	json_t *x;
	size_t i = 0, n = json_object_size(set);
	enum ds_status st = DS_OK;

	if (n == 0)
		return DS_OK;
	if ((v = ds_calloc(n, sizeof(*v))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	json_object_foreach(set, k, x)
		if (json_is_true(x))
			v[i++] = k;
	qsort(v, i, sizeof(*v), cmpstr);
	for (n = 0; n < i && st == DS_OK; n++)
		st = col_add(t, v[n], NULL, XC_TEXT, -1, NULL, err);
	ds_free(v);
	return st;
}

static enum ds_status
columns(struct xex *e, json_t *hnames, json_t *mnames, struct ds_err *err)
{
	const struct form *f = e->o->form;
	const struct export_words *w = e->o->words;
	const struct form_node *q;
	const struct form_list *l;
	const char *lab;
	enum ds_status st = DS_OK;
	size_t i;
	int mem;

	for (i = 0; i < EXPORT_NMETA && st == DS_OK; i++)
		st = col_add(&e->hh, meta_names[i], w != NULL ? w->meta[i] :
		    NULL, XC_META, (int)i, NULL, err);
	for (i = 0; i < 2 && st == DS_OK; i++)
		st = col_add(&e->mem, meta_names[i], w != NULL ? w->meta[i] :
		    NULL, XC_META, (int)i, NULL, err);
	if (st == DS_OK)
		st = col_add(&e->mem, "member_no", w != NULL ? w->member_no :
		    NULL, XC_MEMBER_NO, -1, NULL, err);
	json_object_del(hnames, e->repeat);
	for (i = 0; f != NULL && i < f->nnodes && st == DS_OK; i++) {
		q = f->nodes[i];
		if (q->name == NULL || !has_answer(q->type))
			continue;
		if ((mem = table_of(q, e->repeat)) < 0)
			continue;
		l = q->list >= 0 && (size_t)q->list < f->nlists ?
		    &f->lists[q->list] : NULL;
		lab = form_text_get(f, &q->label, e->lang);
		st = col_add(mem ? &e->mem : &e->hh, q->name, lab,
		    col_type(q->type), -1, l, err);
		/* Taken: not again among the unknown names. */
		json_object_set_new(mem ? mnames : hnames, q->name,
		    json_false());
	}
	if (st == DS_OK)
		st = rest_cols(&e->hh, hnames, err);
	if (st == DS_OK)
		st = rest_cols(&e->mem, mnames, err);
	return st;
}

/* ---- values -------------------------------------------------------------- */

long
xex_choice_index(const struct xcol *c, const char *code)
{
	size_t i;

	if (c->list == NULL)
		return -1;
	for (i = 0; i < c->list->nchoices; i++)
		if (strcmp(c->list->choices[i].name, code) == 0)
			return (long)i;
	return -1;
}

const char *
xex_choice(const struct xex *e, const struct xcol *c, const char *code)
{
	long i = xex_choice_index(c, code);

	if (i < 0 || e->o->form == NULL)
		return NULL;
	return form_text_get(e->o->form, &c->list->choices[i].label, e->lang);
}

size_t
xex_nmembers(const struct xex *e, size_t i)
{
	json_t *rep = json_object_get(e->v[i].doc, e->repeat);

	return json_is_array(rep) ? json_array_size(rep) : 0;
}

/* "YYYY-MM-DD" (a datetime's date part too) into y, m, d; -1 if not. */
static int
parse_date(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d", y, m, d) != 3 || *m < 1 || *m > 12 ||
	    *d < 1 || *d > 31)
		return -1;
	return 0;
}

/* A number as typed: digits, one point, a sign; no leading zeros that a
 * number would lose (an ID number or a code stays text). */
static int
parse_num(const char *s, double *out)
{
	const char *p = s;
	char *end;

	if (*p == '-')
		p++;
	if (*p == '\0' || (p[0] == '0' && p[1] != '\0' && p[1] != '.') ||
	    strspn(p, "0123456789.") != strlen(p) || strlen(p) > 15)
		return -1;
	*out = strtod(s, &end);
	return *end == '\0' && isfinite(*out) ? 0 : -1;
}

/* One code or the text of a choice code into b. */
static void
one_label(const struct xex *e, const struct xcol *c, const char *code,
    struct ds_buf *b)
{
	const char *l = e->o->codes ? NULL : xex_choice(e, c, code);

	ds_buf_adds(b, l != NULL ? l : code);
}

const char *
xex_raw(const struct xex *e, const struct xcol *c, size_t i, long k)
{
	json_t *obj = e->v[i].doc;

	if (c->type == XC_META || c->type == XC_MEMBER_NO)
		return NULL;
	if (k >= 0)
		obj = json_array_get(json_object_get(obj, e->repeat),
		    (size_t)k);
	return json_string_value(json_object_get(obj, c->name));
}

void
xex_value(const struct xex *e, const struct xcol *c, size_t i, long k,
    struct ds_buf *b, struct xv *out)
{
	const struct xhh *x = &e->v[i];
	json_t *obj = x->doc, *v, *it;
	char num[32];
	const char *s;
	size_t j;

	memset(out, 0, sizeof(*out));
	ds_buf_clear(b);
	if (c->type == XC_META || c->type == XC_MEMBER_NO) {
		if (c->type == XC_MEMBER_NO) {
			out->kind = XV_NUM;
			out->num = (double)(k + 1);
			return;
		}
		if (c->meta == 4) {
			out->kind = XV_NUM;
			out->num = strtod(x->meta[4], NULL);
			return;
		}
		out->kind = XV_TEXT;
		out->s = x->meta[c->meta];
		out->n = strlen(out->s);
		return;
	}
	if (k >= 0)
		obj = json_array_get(json_object_get(obj, e->repeat),
		    (size_t)k);
	v = json_object_get(obj, c->name);
	if (v == NULL || json_is_null(v))
		return;
	if (json_is_array(v)) {		/* select multiple */
		json_array_foreach(v, j, it) {
			if ((s = json_string_value(it)) == NULL)
				continue;
			if (b->len > 0)
				ds_buf_adds(b, e->o->codes || c->list == NULL ?
				    " " : "; ");
			if (c->type == XC_MULTI)
				one_label(e, c, s, b);
			else
				ds_buf_adds(b, s);
		}
	} else if (json_is_number(v)) {
		out->kind = XV_NUM;
		out->num = json_number_value(v);
		return;
	} else if (json_is_boolean(v)) {
		ds_buf_adds(b, json_is_true(v) ? "true" : "false");
	} else if ((s = json_string_value(v)) != NULL) {
		if (*s == '\0')
			return;
		if ((c->type == XC_NUM || c->type == XC_CALC) &&
		    parse_num(s, &out->num) == 0) {
			out->kind = XV_NUM;
			return;
		}
		if (c->type == XC_DATE && parse_date(s, &out->y, &out->m,
		    &out->d) == 0) {
			out->kind = XV_DATE;
			out->s = s;
			out->n = 10;
			return;
		}
		if (c->type == XC_ONE)
			one_label(e, c, s, b);
		else if (c->type == XC_MULTI) {
			/* stored space-separated */
			char *dup = ds_strdup(s), *tok, *save = NULL;

			for (tok = dup != NULL ? strtok_r(dup, " ", &save) :
			    NULL; tok != NULL; tok = strtok_r(NULL, " ",
			    &save)) {
				if (b->len > 0)
					ds_buf_adds(b, e->o->codes ? " " :
					    "; ");
				one_label(e, c, tok, b);
			}
			ds_free(dup);
		} else
			ds_buf_adds(b, s);
	} else {
		snprintf(num, sizeof(num), "?");
		ds_buf_adds(b, num);
	}
	if (b->len == 0)
		return;
	out->kind = XV_TEXT;
	out->s = b->p;
	out->n = b->len;
}

/* ---- CSV ------------------------------------------------------------------ */

static void
csv_cell(struct ds_buf *o, const char *s, size_t n, int first)
{
	size_t i;
	int q = 0;

	if (!first)
		ds_buf_addc(o, ',');
	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			q = 1;
	if (q)
		ds_buf_addc(o, '"');
	/* A cell starting a formula is data, not a formula (CSV injection). */
	if (n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '@' ||
	    (s[0] == '-' && (n == 1 || s[1] < '0' || s[1] > '9'))))
		ds_buf_addc(o, '\'');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			ds_buf_addc(o, '"');
		ds_buf_addc(o, s[i]);
	}
	if (q)
		ds_buf_addc(o, '"');
}

static void
csv_value(struct ds_buf *o, const struct xv *v, int first)
{
	char num[40];

	switch (v->kind) {
	case XV_NUM:
		snprintf(num, sizeof(num), "%.15g", v->num);
		csv_cell(o, num, strlen(num), first);
		break;
	case XV_DATE:
		snprintf(num, sizeof(num), "%04d-%02d-%02d", v->y, v->m, v->d);
		csv_cell(o, num, strlen(num), first);
		break;
	case XV_TEXT:
		csv_cell(o, v->s, v->n, first);
		break;
	default:
		csv_cell(o, "", 0, first);
	}
}

static void
csv_header(const struct xex *e, const struct xtable *t, struct ds_buf *o)
{
	size_t i;

	if (e->o->form != NULL || e->o->words != NULL) {
		for (i = 0; i < t->n; i++)
			csv_cell(o, t->c[i].label, strlen(t->c[i].label),
			    i == 0);
		ds_buf_adds(o, "\r\n");
	}
	for (i = 0; i < t->n; i++)
		csv_cell(o, t->c[i].name, strlen(t->c[i].name), i == 0);
	ds_buf_adds(o, "\r\n");
}

static void
csv_table(const struct xex *e, int members, struct ds_buf *o,
    struct export_stats *s)
{
	const struct xtable *t = members ? &e->mem : &e->hh;
	struct ds_buf b;
	struct xv v;
	size_t i, j, nm;
	long k;

	ds_buf_init(&b, EXPORT_DOC_MAX);
	ds_buf_add(o, "\xef\xbb\xbf", 3);
	csv_header(e, t, o);
	for (i = 0; i < e->n; i++) {
		nm = members ? xex_nmembers(e, i) : 1;
		for (k = 0; (size_t)k < nm; k++) {
			for (j = 0; j < t->n; j++) {
				xex_value(e, &t->c[j], i, members ? k : -1,
				    &b, &v);
				csv_value(o, &v, j == 0);
			}
			ds_buf_adds(o, "\r\n");
			if (members)
				s->members++;
			else
				s->households++;
		}
	}
	ds_buf_wipe(&b);
}

static const char *
type_name(const struct xcol *c)
{
	static const char *const n[] = { "record", "integer", "text",
	    "number", "calculate", "date", "select_one", "select_multiple" };

	return n[c->type];
}

/* The codebook rows: (table, name, label, type, code, code label). */
typedef void (*book_row)(void *, const char *const cells[EXPORT_NBOOK]);

static void
book_rows(const struct xex *e, book_row row, void *arg)
{
	const char *cells[EXPORT_NBOOK];
	const struct xtable *t;
	const struct xcol *c;
	const char *tname;
	size_t ti, i, j;

	for (ti = 0; ti < 2; ti++) {
		t = ti ? &e->mem : &e->hh;
		tname = e->o->words != NULL && e->o->words->sheet[ti] != NULL ?
		    e->o->words->sheet[ti] : sheet_names[ti];
		for (i = 0; i < t->n; i++) {
			c = &t->c[i];
			cells[0] = tname;
			cells[1] = c->name;
			cells[2] = c->label;
			cells[3] = type_name(c);
			cells[4] = "";
			cells[5] = "";
			row(arg, cells);
			if (c->list == NULL)
				continue;
			for (j = 0; j < c->list->nchoices; j++) {
				cells[2] = "";
				cells[3] = "";
				cells[4] = c->list->choices[j].name;
				cells[5] = xex_choice(e, c, cells[4]);
				if (cells[5] == NULL)
					cells[5] = "";
				row(arg, cells);
			}
		}
	}
}

static void
csv_book_row(void *arg, const char *const cells[EXPORT_NBOOK])
{
	struct ds_buf *o = arg;
	size_t i;

	for (i = 0; i < EXPORT_NBOOK; i++)
		csv_cell(o, cells[i], strlen(cells[i]), i == 0);
	ds_buf_adds(o, "\r\n");
}

void
xex_sibling(const char *path, const char *suffix, char *out, size_t n)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	size_t pl = strlen(path);

	if (dot != NULL && (slash == NULL || dot > slash))
		pl = (size_t)(dot - path);
	snprintf(out, n, "%.*s%s", (int)pl, path, suffix);
}

static enum ds_status
write_csv(const struct xex *e, struct export_stats *s, struct ds_err *err)
{
	const char *path = e->o->path;
	struct ds_buf o;
	enum ds_status st;
	const char *cells[EXPORT_NBOOK];
	size_t i;

	xex_sibling(path, "-members.csv", s->members_path,
	    sizeof(s->members_path));
	xex_sibling(path, "-codebook.csv", s->codebook_path,
	    sizeof(s->codebook_path));
	ds_buf_init(&o, EXPORT_MAX);
	csv_table(e, 0, &o, s);
	st = ds_file_write_atomic(path, o.p, o.len, 0600, err);
	ds_buf_wipe(&o);
	if (st != DS_OK)
		return st;
	ds_buf_init(&o, EXPORT_MAX);
	csv_table(e, 1, &o, s);
	st = ds_file_write_atomic(s->members_path, o.p, o.len, 0600, err);
	ds_buf_wipe(&o);
	if (st != DS_OK)
		return st;
	ds_buf_init(&o, EXPORT_MAX);
	ds_buf_add(&o, "\xef\xbb\xbf", 3);
	for (i = 0; i < EXPORT_NBOOK; i++)
		cells[i] = e->o->words != NULL && e->o->words->book[i] !=
		    NULL ? e->o->words->book[i] : book_names[i];
	csv_book_row(&o, cells);
	book_rows(e, csv_book_row, &o);
	st = ds_file_write_atomic(s->codebook_path, o.p, o.len, 0600, err);
	ds_buf_wipe(&o);
	return st;
}

/* ---- XLSX ----------------------------------------------------------------- */

struct xl {
	lxw_workbook	*wb;
	lxw_format	*bold, *date;
	lxw_worksheet	*ws;
	lxw_row_t	 row;
};

static void
xl_value(struct xl *x, lxw_col_t col, const struct xv *v)
{
	lxw_datetime dt;

	switch (v->kind) {
	case XV_NUM:
		worksheet_write_number(x->ws, x->row, col, v->num, NULL);
		break;
	case XV_DATE:
		memset(&dt, 0, sizeof(dt));
		dt.year = v->y;
		dt.month = v->m;
		dt.day = v->d;
		worksheet_write_datetime(x->ws, x->row, col, &dt, x->date);
		break;
	case XV_TEXT: {
		/* worksheet_write_string wants a NUL-terminated string */
		char *s = ds_malloc(v->n + 1);

		if (s != NULL) {
			memcpy(s, v->s, v->n);
			s[v->n] = '\0';
			worksheet_write_string(x->ws, x->row, col, s, NULL);
			ds_free(s);
		}
		break;
	}
	default:
		break;
	}
}

static void
xl_table(const struct xex *e, int members, struct xl *x,
    struct export_stats *s)
{
	const struct xtable *t = members ? &e->mem : &e->hh;
	struct ds_buf b;
	struct xv v;
	size_t i, j, nm;
	long k;

	ds_buf_init(&b, EXPORT_DOC_MAX);
	x->row = 0;
	for (j = 0; j < t->n; j++)
		worksheet_write_string(x->ws, 0, (lxw_col_t)j, t->c[j].label,
		    x->bold);
	for (j = 0; j < t->n; j++)
		worksheet_write_string(x->ws, 1, (lxw_col_t)j, t->c[j].name,
		    NULL);
	worksheet_freeze_panes(x->ws, 2, members ? 3 : 2);
	x->row = 2;
	for (i = 0; i < e->n; i++) {
		nm = members ? xex_nmembers(e, i) : 1;
		for (k = 0; (size_t)k < nm; k++, x->row++) {
			for (j = 0; j < t->n; j++) {
				xex_value(e, &t->c[j], i, members ? k : -1,
				    &b, &v);
				xl_value(x, (lxw_col_t)j, &v);
			}
			if (members)
				s->members++;
			else
				s->households++;
		}
	}
	ds_buf_wipe(&b);
}

static void
xl_book_row(void *arg, const char *const cells[EXPORT_NBOOK])
{
	struct xl *x = arg;
	size_t i;

	for (i = 0; i < EXPORT_NBOOK; i++)
		if (*cells[i] != '\0')
			worksheet_write_string(x->ws, x->row, (lxw_col_t)i,
			    cells[i], x->row == 0 ? x->bold : NULL);
	x->row++;
}

static enum ds_status
write_xlsx(const struct xex *e, struct export_stats *s, struct ds_err *err)
{
	const char *path = e->o->path, *names[3], *cells[EXPORT_NBOOK];
	lxw_workbook_options wo;
	struct xl x;
	lxw_error le;
	struct ds_tmp t;
	enum ds_status st;
	char dir[4200], *slash;
	size_t i, j;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	/* The temp file exists 0600 before a byte is written into it. */
	if ((st = ds_tmp_open(&t, path, 0600, err)) != DS_OK)
		return st;
	memset(&wo, 0, sizeof(wo));
	wo.tmpdir = dir;	/* scratch files next to the output, not /tmp */
	memset(&x, 0, sizeof(x));
	if ((x.wb = workbook_new_opt(ds_tmp_name(&t), &wo)) == NULL) {
		ds_tmp_abort(&t);
		return ds_err_set(err, DS_EIO, "cannot create %s", path);
	}
	x.bold = workbook_add_format(x.wb);
	format_set_bold(x.bold);
	x.date = workbook_add_format(x.wb);
	format_set_num_format(x.date, "yyyy-mm-dd");
	for (i = 0; i < 3; i++)
		names[i] = e->o->words != NULL && e->o->words->sheet[i] !=
		    NULL ? e->o->words->sheet[i] : sheet_names[i];
	for (i = 0; i < 3; i++) {
		if ((x.ws = workbook_add_worksheet(x.wb, names[i])) == NULL) {
			workbook_close(x.wb);
			ds_tmp_abort(&t);
			return ds_err_set(err, DS_EIO, "cannot add the "
			    "worksheet %s", names[i]);
		}
		if (i < 2)
			xl_table(e, (int)i, &x, s);
		else {
			x.row = 0;
			for (j = 0; j < EXPORT_NBOOK; j++)
				cells[j] = e->o->words != NULL &&
				    e->o->words->book[j] != NULL ?
				    e->o->words->book[j] : book_names[j];
			xl_book_row(&x, cells);
			worksheet_freeze_panes(x.ws, 1, 2);
			book_rows(e, xl_book_row, &x);
			break;
		}
	}
	if ((le = workbook_close(x.wb)) != LXW_NO_ERROR) {
		ds_tmp_abort(&t);
		return ds_err_set(err, DS_EIO, "cannot write %s: %s", path,
		    lxw_strerror(le));
	}
	return ds_tmp_commit(&t, err);
}

/* ---- the export ----------------------------------------------------------- */

static enum ds_status
write_stat(const struct xex *e, struct export_stats *s, struct ds_err *err)
{
	int sav = e->o->fmt == EXPORT_SAV;
	enum ds_status st;
	size_t i;

	xex_sibling(e->o->path, sav ? "-members.sav" : "-members.dta",
	    s->members_path, sizeof(s->members_path));
	if ((st = xex_stat_write(e, 0, e->o->path, sav, err)) != DS_OK ||
	    (st = xex_stat_write(e, 1, s->members_path, sav, err)) != DS_OK)
		return st;
	s->households = e->n;
	for (i = 0; i < e->n; i++)
		s->members += xex_nmembers(e, i);
	return DS_OK;
}

enum ds_status
export_heads(struct odb *db, const struct export_opts *o,
    struct export_stats *stats, struct ds_err *err)
{
	struct collect c;
	struct xex e;
	enum ds_status st;
	size_t i;

	memset(stats, 0, sizeof(*stats));
	memset(&e, 0, sizeof(e));
	memset(&c, 0, sizeof(c));
	e.o = o;
	e.repeat = o->repeat != NULL ? o->repeat : "member";
	e.lang = o->form != NULL ? form_lang_find(o->form, o->lang != NULL ?
	    o->lang : "zh") : 0;
	c.e = &e;
	c.err = err;
	c.hnames = json_object();
	c.mnames = json_object();
	if (c.hnames == NULL || c.mnames == NULL) {
		st = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	if ((st = odb_head_each(db, collect, &c, err)) != DS_OK ||
	    (st = c.st) != DS_OK ||
	    (st = xex_media(db, &e, stats, err)) != DS_OK ||
	    (st = columns(&e, c.hnames, c.mnames, err)) != DS_OK)
		goto out;
	switch (o->fmt) {
	case EXPORT_CSV:
		st = write_csv(&e, stats, err);
		break;
	case EXPORT_XLSX:
		st = write_xlsx(&e, stats, err);
		break;
	default:
		st = write_stat(&e, stats, err);
	}
out:
	for (i = 0; i < e.n; i++)
		json_decref(e.v[i].doc);
	ds_free(e.v);
	ds_free(e.hh.c);
	ds_free(e.mem.c);
	json_decref(c.hnames);
	json_decref(c.mnames);
	return st;
}
