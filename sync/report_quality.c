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
 * Rows are ordered by township, village, household key, record id, then
 * the engine's form order or the question path, so the list is stable.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "report_int.h"

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

enum ds_status
report_quality(struct odb *db, const struct report_quality_opts *o,
    struct report_table **out, struct ds_err *err)
{
	struct report_rec *recs = NULL;
	const struct report_rec **v = NULL;
	struct report_names *nm = NULL;
	struct report_table *t = NULL;
	enum ds_status st;
	char title[256];
	size_t n = 0, nv = 0, i;

	ds_err_clear(err);
	if ((st = report_recs_load(db, o->form, o->area, &recs, &n, err)) != DS_OK)
		return st;
	if (n > 0 && (v = ds_calloc(n, sizeof(*v))) == NULL) {
		st = ds_err_set(err, DS_ENOMEM, "report: out of memory");
		goto done;
	}
	for (i = 0; i < n; i++)
		if (report_rec_in_area(&recs[i], o->area))
			v[nv++] = &recs[i];
	if (nv > 0)
		qsort(v, nv, sizeof(*v), rec_cmp);
	if ((st = report_names_load(o->forms_dir, &nm, err)) != DS_OK)
		goto done;
	snprintf(title, sizeof(title), "问题数据清单%s%s",
	    o->area != NULL && *o->area != '\0' ? " 区域 " : "",
	    o->area != NULL ? o->area : "");
	if ((st = report_table_new(title, qcols, QN, Q_VNAME + 1, &t, err)) !=
	    DS_OK)
		goto done;
	for (i = 0; i < nv && st == DS_OK; i++)
		st = record_rows(t, nm, v[i], err);
	if (st != DS_OK) {
		report_table_free(t);
		goto done;
	}
	*out = t;
done:
	report_names_free(nm);
	ds_free(v);
	report_recs_free(recs, n);
	return st;
}
