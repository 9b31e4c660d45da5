/* doorstep: the problem data list (问题数据清单) for the villages. */
/*
 * Every current record with something still to look at, one row per
 * problem, ready to print for the village: the record is not finalized
 * (a draft may miss required answers or fail checks), or the worker
 * overrode a soft check with a typed reason (each such warning is listed
 * with its question path and the reason, for the township to confirm).
 * With a form, the interview engine re-checks each record of that form
 * against today's rules: every open error (required, constraint) and
 * every warning without a reason, with the form's own message.  The rest
 * comes from what each record stores under "_meta" (state, reasons).
 * Across households (domain.md §7.2 rows 4 and 7, which no laptop can
 * check alone): a member ID number that also appears in another household
 * (or twice in one), and a household phone that another household also
 * gave; numbers are shown masked, the other households by key.
 * Rows are ordered by township, village, household key, record id, then
 * the engine's form order or the question path, so the list is stable.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "report_int.h"
#include "utf8.h"

enum { Q_TCODE, Q_TNAME, Q_VCODE, Q_VNAME, Q_HH, Q_HEAD, Q_RECORD, Q_DATE,
	Q_KIND, Q_PATH, Q_TEXT, QN };

static const struct report_col qcols[QN] = {
	{ "乡镇代码", NULL, 0, 11 },
	{ "乡镇", NULL, 0, 10 },
	{ "村代码", NULL, 0, 14 },
	{ "村", NULL, 0, 14 },
	{ "户编号", NULL, 0, 20 },
	{ "户主", NULL, 0, 10 },
	{ "记录编号", NULL, 0, 34 },
	{ "访问日期", NULL, 0, 11 },
	{ "问题类型", NULL, 0, 12 },
	{ "题目", NULL, 0, 24 },
	{ "说明", NULL, 0, 60 },
};

static int
rec_cmp(const void *pa, const void *pb)
{
	const struct report_rec *a = *(const struct report_rec *const *)pa;
	const struct report_rec *b = *(const struct report_rec *const *)pb;
	int c, ea, eb;

	/* No address (refused or early drafts) last. */
	ea = *a->township == '\0' && *a->village == '\0';
	eb = *b->township == '\0' && *b->village == '\0';
	if (ea != eb)
		return ea ? 1 : -1;
	if ((c = strcmp(a->township, b->township)) != 0 ||
	    (c = strcmp(a->village, b->village)) != 0 ||
	    (c = strcmp(a->hh, b->hh)) != 0)
		return c;
	return strcmp(a->record, b->record);
}

/* The village's name: the area list, else the record's own label. */
static const char *
vname(const struct report_names *nm, const struct report_rec *r)
{
	const char *s;

	if (*r->village == '\0' && *r->township == '\0')
		return "（未填地址）";
	s = report_names_get(nm, r->village);
	return *s != '\0' ? s : r->village_name;
}

static enum ds_status
put(struct report_table *t, const struct report_names *nm,
    const struct report_rec *r, const char *kind, const char *path,
    const char *text, struct ds_err *err)
{
	enum ds_status st;
	size_t row;

	if ((st = report_table_add(t, REPORT_ROW_DATA, &row, err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_TCODE, r->township, err)) !=
	    DS_OK ||
	    (st = report_table_set(t, row, Q_TNAME,
	    report_names_get(nm, r->township), err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_VCODE, r->village, err)) !=
	    DS_OK ||
	    (st = report_table_set(t, row, Q_VNAME, vname(nm, r), err)) !=
	    DS_OK ||
	    (st = report_table_set(t, row, Q_HH, r->hh, err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_HEAD, r->head, err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_RECORD, r->record, err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_DATE, r->visit_date, err)) !=
	    DS_OK ||
	    (st = report_table_set(t, row, Q_KIND, kind, err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_PATH, path, err)) != DS_OK ||
	    (st = report_table_set(t, row, Q_TEXT, text, err)) != DS_OK)
		return st;
	return DS_OK;
}

/* Reason indices of r in path order. */
static int
reason_cmp(const void *pa, const void *pb, void *arg)
{
	const struct report_rec *r = arg;

	return strcmp(r->reason_path[*(const size_t *)pa],
	    r->reason_path[*(const size_t *)pb]);
}

/* Insertion sort: a record has a handful of reasons. */
static void
sort_reasons(const struct report_rec *r, size_t *ix)
{
	size_t i, j, k;

	for (i = 0; i < r->nreasons; i++)
		ix[i] = i;
	for (i = 1; i < r->nreasons; i++) {
		k = ix[i];
		for (j = i; j > 0 && reason_cmp(&ix[j - 1], &k,
		    (void *)(uintptr_t)r) > 0; j--)
			ix[j] = ix[j - 1];
		ix[j] = k;
	}
}

static enum ds_status
record_rows(struct report_table *t, const struct report_names *nm,
    const struct report_rec *r, struct ds_err *err)
{
	enum ds_status st = DS_OK;
	char text[2048];
	size_t *ix, i;

	if (r->recheck == -1) {
		snprintf(text, sizeof(text), "不能按当前表单复核：%s",
		    r->recheck_msg);
		if ((st = put(t, nm, r, "无法复核", "", text, err)) != DS_OK)
			return st;
	}
	if (r->draft && (st = put(t, nm, r, "未完成（草稿）", "",
	    r->recheck == 1 && r->nchecks == 0 ?
	    "记录还没有完成，答案都已通过检查。请网格员打开记录并完成。" :
	    r->recheck == 1 ? "记录还没有完成，问题见下列各行。请网格员打开记录补全后完成。" :
	    "记录还没有完成，可能缺少必填项或有未处理的错误。请网格员打开记录补全后完成。",
	    err)) != DS_OK)
		return st;
	for (i = 0; i < r->nchecks && st == DS_OK; i++)
		st = put(t, nm, r, r->checks[i].is_error ? "错误" :
		    "未说明的警告", r->checks[i].path, r->checks[i].msg, err);
	if (st != DS_OK || r->nreasons == 0)
		return st;
	if ((ix = ds_calloc(r->nreasons, sizeof(*ix))) == NULL)
		return ds_err_set(err, DS_ENOMEM, "report: out of memory");
	sort_reasons(r, ix);
	for (i = 0; i < r->nreasons && st == DS_OK; i++) {
		snprintf(text, sizeof(text), "已确认的提示，说明：%s",
		    r->reason_text[ix[i]]);
		st = put(t, nm, r, "已说明的警告", r->reason_path[ix[i]],
		    text, err);
	}
	ds_free(ix);
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

/*
 * Rows for r: every phone or ID group it is in that spans another
 * household (or, for an ID, two members of one).  keys sorted.
 */
static enum ds_status
dup_rows(struct report_table *t, const struct report_names *nm,
    const struct report_rec *r, const struct key *keys, size_t nk,
    size_t first, struct ds_err *err)
{
	char text[1024], others[512], m[32], path[64];
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
			/* A household named once (sorted: its records are
			 * next to each other). */
			if (keys[j].r != r && prev != NULL &&
			    strcmp(hh_of(keys[j].r), prev) == 0)
				continue;
			if (keys[j].r != r)
				prev = hh_of(keys[j].r);
			if (keys[j].r == r && keys[j].id != NULL)
				snprintf(m, sizeof(m), "本户成员%d",
				    keys[j].id->member + 1);
			else
				snprintf(m, sizeof(m), "%.*s",
				    utf8_prec(hh_of(keys[j].r), 24),
				    hh_of(keys[j].r));
			if (no < 5 && ol < sizeof(others))
				ol += (size_t)snprintf(others + ol,
				    sizeof(others) - ol, "%s%s", no ? "、" : "",
				    m);
			no++;
		}
		if (no == 0)
			continue;
		if (no > 5 && ol < sizeof(others))
			snprintf(others + ol, sizeof(others) - ol, " 等%zu处",
			    no);
		if (keys[i].id == NULL) {
			mask(keys[i].k, 3, m, sizeof(m));
			snprintf(text, sizeof(text), "手机号 %s 也登记在：%s。"
			    "不同家庭一般不用同一号码，请核实（规则7）。", m,
			    others);
			st = put(t, nm, r, "重复手机号", "phone", text, err);
		} else {
			mask(keys[i].k, 6, m, sizeof(m));
			snprintf(text, sizeof(text), "成员%s的证件号码 %s 也出现在：%s。"
			    "同一人只能在一户登记，请核对证件（规则4）。",
			    keys[i].id->name, m, others);
			snprintf(path, sizeof(path), "member[%d]/m_id_number",
			    keys[i].id->member + 1);
			st = put(t, nm, r, "重复证件号", path, text, err);
		}
	}
	return st;
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
 * One household entered twice on one laptop: another record with the same
 * household number by the same worker, visited the same month, neither a
 * correction of the other (visits of other months are separate visits).
 * twins holds pointers sorted by twin_cmp; r's group is found by bsearch.
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
twin_rows(struct report_table *t, const struct report_names *nm,
    const struct report_rec *r, const struct report_rec **twins, size_t n,
    struct ds_err *err)
{
	const struct report_rec *const *hit;
	char text[512], others[256];
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
			    "%s%.8s", no ? "、" : "", twins[j]->record);
		no++;
	}
	if (no == 0)
		return DS_OK;
	snprintf(text, sizeof(text), "同一网格员同月还有本户的另一条记录：%s%s。"
	    "可能重复录入，请核实后只保留一条。", others, no > 5 ? " 等" : "");
	return put(t, nm, r, "同户重复录入", "hh_id", text, err);
}

enum ds_status
report_quality(struct odb *db, const struct report_quality_opts *o,
    struct report_table **out, struct ds_err *err)
{
	struct report_rec *recs = NULL;
	const struct report_rec **v = NULL, **tw = NULL;
	struct report_names *nm = NULL;
	struct report_table *t = NULL;
	struct key *keys = NULL;
	enum ds_status st;
	char title[256];
	size_t n = 0, nv = 0, nk = 0, i, *first = NULL;

	ds_err_clear(err);
	if ((st = report_recs_load(db, o->form, o->area, 0, &recs, &n,
	    err)) != DS_OK)
		return st;
	if (n > 0 && ((v = ds_calloc(n, sizeof(*v))) == NULL ||
	    (tw = ds_calloc(n, sizeof(*tw))) == NULL)) {
		st = ds_err_set(err, DS_ENOMEM, "report: out of memory");
		goto out;
	}
	/* Twins span every area, like the duplicates below. */
	for (i = 0; i < n; i++)
		tw[i] = &recs[i];
	if (n > 1)
		qsort(tw, n, sizeof(*tw), twin_cmp);
	for (i = 0; i < n; i++)
		if (report_rec_in_area(&recs[i], o->area))
			v[nv++] = &recs[i];
	if (nv > 0)
		qsort(v, nv, sizeof(*v), rec_cmp);
	if ((st = report_names_load(o->forms_dir, &nm, err)) != DS_OK ||
	    (st = keys_make(recs, n, &keys, &nk, &first, err)) != DS_OK)
		goto out;
	snprintf(title, sizeof(title), "问题数据清单%s%s",
	    o->area != NULL && *o->area != '\0' ? " 区域 " : "",
	    o->area != NULL ? o->area : "");
	if ((st = report_table_new(title, qcols, QN, Q_VNAME + 1, &t, err)) !=
	    DS_OK)
		goto out;
	for (i = 0; i < nv && st == DS_OK; i++)
		if ((st = record_rows(t, nm, v[i], err)) == DS_OK &&
		    (st = dup_rows(t, nm, v[i], keys, nk, first != NULL ?
		    first[v[i] - recs] : nk, err)) == DS_OK)
			st = twin_rows(t, nm, v[i], tw, n, err);
	if (st != DS_OK) {
		report_table_free(t);
		goto out;
	}
	*out = t;
out:
	report_names_free(nm);
	ds_free(keys);
	ds_free(first);
	ds_free(v);
	ds_free(tw);
	report_recs_free(recs, n);
	return st;
}
