/* doorstep: the monthly monitoring report (issue 6, docs/reports.md). */
/*
 * One row per village, a subtotal after each township's villages, a total
 * at the end.  Households are counted once, by their current record: the
 * household key's head with the latest visit date (then saved time, then
 * record id), and the household sits in that record's village.  Visits
 * are counted per current record, in the record's own village.  Month
 * rules use the months the records state (ident_month, el_month,
 * visit_date), not import times, so a late import changes nothing but its
 * own rows.  Every column's definition is in docs/reports.md; keep the
 * two in step.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "odb_report.h"
#include "report_int.h"

/* Numeric columns, in order after the four area columns. */
enum {
	C_STOCK_HH, C_STOCK_P,
	C_STOCK_UNSTABLE_HH, C_STOCK_UNSTABLE_P,
	C_STOCK_MARGINAL_HH, C_STOCK_MARGINAL_P,
	C_STOCK_SUDDEN_HH, C_STOCK_SUDDEN_P,
	C_NEW_HH, C_NEW_P,
	C_NEW_CH0, C_NEW_CH1, C_NEW_CH2,
	C_NEW_RISK0,
	C_ELIM_HH = C_NEW_RISK0 + REPORT_NRISK, C_ELIM_P,
	C_ELIM_ASSISTED, C_ELIM_NATURAL,
	C_REFLAG,
	C_MS0,
	C_DEV_GAP = C_MS0 + REPORT_NMEASURE,
	C_VISITS,
	C_VISIT0,
	C_VISIT_REMOTE = C_VISIT0 + REPORT_NVISIT,
	C_VISIT_REFUSED,
	C_Q_ANY, C_Q_DRAFT, C_Q_REASON,
	NNUM
};

#define NAREA	4
#define G_STOCK	"月初监测对象"
#define G_NEW	"本月新识别"
#define G_ELIM	"本月风险消除"
#define G_MS	"帮扶措施（本月在监测户）"
#define G_VISIT	"本月访问"
#define G_Q	"数据质量"

static const struct report_col cols[NAREA + NNUM] = {
	{ "乡镇代码", NULL, 0, 11 },
	{ "乡镇", NULL, 0, 10 },
	{ "村代码", NULL, 0, 14 },
	{ "村", NULL, 0, 14 },
	{ "月初监测户数", G_STOCK, 1, 8 },
	{ "月初监测人数", G_STOCK, 1, 8 },
	{ "脱贫不稳定户户数", G_STOCK, 1, 8 },
	{ "脱贫不稳定户人数", G_STOCK, 1, 8 },
	{ "边缘易致贫户户数", G_STOCK, 1, 8 },
	{ "边缘易致贫户人数", G_STOCK, 1, 8 },
	{ "突发严重困难户户数", G_STOCK, 1, 8 },
	{ "突发严重困难户人数", G_STOCK, 1, 8 },
	{ "新识别户数", G_NEW, 1, 8 },
	{ "新识别人数", G_NEW, 1, 8 },
	{ "农户自主申报", G_NEW, 1, 8 },
	{ "基层干部排查", G_NEW, 1, 8 },
	{ "部门筛查预警", G_NEW, 1, 8 },
	{ "主要风险：因病", G_NEW, 1, 8 },
	{ "主要风险：因残", G_NEW, 1, 8 },
	{ "主要风险：因学", G_NEW, 1, 8 },
	{ "主要风险：因自然灾害", G_NEW, 1, 8 },
	{ "主要风险：因意外事故", G_NEW, 1, 8 },
	{ "主要风险：因产业项目失败", G_NEW, 1, 8 },
	{ "主要风险：因务工就业不稳", G_NEW, 1, 8 },
	{ "主要风险：缺劳动力", G_NEW, 1, 8 },
	{ "主要风险：因安全住房", G_NEW, 1, 8 },
	{ "主要风险：因安全饮水", G_NEW, 1, 8 },
	{ "主要风险：其他", G_NEW, 1, 8 },
	{ "风险消除户数", G_ELIM, 1, 8 },
	{ "风险消除人数", G_ELIM, 1, 8 },
	{ "帮扶消除户数", G_ELIM, 1, 8 },
	{ "自然消除户数", G_ELIM, 1, 8 },
	{ "风险再标注户数", G_ELIM, 1, 8 },
	{ "产业帮扶户数", G_MS, 1, 8 },
	{ "就业帮扶户数", G_MS, 1, 8 },
	{ "金融帮扶户数", G_MS, 1, 8 },
	{ "健康帮扶户数", G_MS, 1, 8 },
	{ "教育帮扶户数", G_MS, 1, 8 },
	{ "综合保障户数", G_MS, 1, 8 },
	{ "其他补助户数", G_MS, 1, 8 },
	{ "住房安全保障户数", G_MS, 1, 8 },
	{ "饮水安全保障户数", G_MS, 1, 8 },
	{ "社会帮扶及其他户数", G_MS, 1, 8 },
	{ "有劳动力未落实开发式帮扶户数", G_MS, 1, 8 },
	{ "访问次数", G_VISIT, 1, 8 },
	{ "集中排查", G_VISIT, 1, 8 },
	{ "入户核实", G_VISIT, 1, 8 },
	{ "年度信息采集", G_VISIT, 1, 8 },
	{ "回头看", G_VISIT, 1, 8 },
	{ "风险消除核实", G_VISIT, 1, 8 },
	{ "远程访问", G_VISIT, 1, 8 },
	{ "拒绝授权", G_VISIT, 1, 8 },
	{ "有数据质量问题户数", G_Q, 1, 8 },
	{ "未完成（草稿）户数", G_Q, 1, 8 },
	{ "有已说明警告户数", G_Q, 1, 8 },
};

/* One village row's counters. */
struct vrow {
	const char	*township, *village;	/* borrowed from a record */
	const char	*vname;		/* the record's village_name */
	int64_t		 n[NNUM];
};

struct monthly {
	struct odb			*db;
	const struct report_monthly_opts *o;
	int				 ym;	/* YYYYMM reported on */
	struct report_rec		*recs;
	size_t				 nrecs;
	const struct report_rec		**hh;	/* records by household */
	struct vrow			*rows;
	size_t				 nrows;
	struct ds_err			*err;
};

/* ---- households --------------------------------------------------------- */

/* Household identity: the key, or the record itself when it has none. */
static int
hh_cmp_key(const struct report_rec *a, const struct report_rec *b)
{
	if (*a->hh == '\0' || *b->hh == '\0') {
		if (*a->hh != *b->hh)
			return *a->hh == '\0' ? 1 : -1;
		return strcmp(a->record, b->record);
	}
	return strcmp(a->hh, b->hh);
}

/* Within a household: oldest visit first, so the last is current. */
static int
hh_cmp(const void *pa, const void *pb)
{
	const struct report_rec *a = *(const struct report_rec *const *)pa;
	const struct report_rec *b = *(const struct report_rec *const *)pb;
	int c;

	if ((c = hh_cmp_key(a, b)) != 0)
		return c;
	if ((c = strcmp(a->visit_date, b->visit_date)) != 0)
		return c;
	if (a->saved_at != b->saved_at)
		return a->saved_at < b->saved_at ? -1 : 1;
	return memcmp(a->rev_id, b->rev_id, 16);
}

/* ---- rows -------------------------------------------------------------- */

/* Village order: by township, then village; no address last. */
static int
area_cmp(const char *ta, const char *va, const char *tb, const char *vb)
{
	int c;

	if ((*ta == '\0' && *va == '\0') != (*tb == '\0' && *vb == '\0'))
		return *ta == '\0' && *va == '\0' ? 1 : -1;
	if ((c = strcmp(ta, tb)) != 0)
		return c;
	return strcmp(va, vb);
}

static int
vrow_cmp(const void *pa, const void *pb)
{
	const struct vrow *a = pa, *b = pb;

	return area_cmp(a->township, a->village, b->township, b->village);
}

/* The row of a record's village; rows are sorted once all exist. */
static struct vrow *
row_of(struct monthly *m, const struct report_rec *r)
{
	struct vrow key;

	memset(&key, 0, sizeof(key));	/* vrow_cmp reads only the codes */
	key.township = r->township;
	key.village = r->village;
	return bsearch(&key, m->rows, m->nrows, sizeof(*m->rows), vrow_cmp);
}

static enum ds_status
row_add(struct monthly *m, const struct report_rec *r, size_t *cap)
{
	struct vrow *v;
	size_t i;

	for (i = 0; i < m->nrows; i++)
		if (strcmp(m->rows[i].township, r->township) == 0 &&
		    strcmp(m->rows[i].village, r->village) == 0) {
			/* The first label a record of the village gives. */
			if (*m->rows[i].vname == '\0')
				m->rows[i].vname = r->village_name;
			return DS_OK;
		}
	if (m->nrows == *cap) {
		if ((v = ds_realloc(m->rows, (*cap ? *cap * 2 : 16) *
		    sizeof(*v))) == NULL)
			return ds_err_set(m->err, DS_ENOMEM,
			    "report: out of memory");
		m->rows = v;
		*cap = *cap ? *cap * 2 : 16;
	}
	memset(&m->rows[m->nrows], 0, sizeof(*m->rows));
	m->rows[m->nrows].township = r->township;
	m->rows[m->nrows].village = r->village;
	m->rows[m->nrows].vname = r->village_name;
	m->nrows++;
	return DS_OK;
}

/* ---- re-flag: an elimination earlier in the household's history ------- */

struct reflag {
	int	ym;
	int	found;
};

static int
reflag_cb(void *arg, const char *answers, size_t len)
{
	struct reflag *f = arg;
	json_t *o;
	const json_t *d, *mo;
	const char *s;
	int v;

	if (ds_json_parse(answers, len, REPORT_ANSWERS_MAX, "answers", &o,
	    NULL) != DS_OK)
		return 0;
	d = json_object_get(o, "el_done");
	mo = json_object_get(o, "el_month");
	if (json_is_string(d) && strcmp(json_string_value(d), "yes") == 0 &&
	    json_is_string(mo)) {
		s = json_string_value(mo);
		v = (int)strtol(s, NULL, 10);
		if (strlen(s) == 6 && v > 0 && v <= f->ym)
			f->found = 1;
	}
	json_decref(o);
	return f->found;
}

/*
 * Household records [lo, hi) (oldest first, hi - 1 current): was it
 * eliminated at some month up to ym, in an earlier record or in the
 * current record's own history?
 */
static enum ds_status
eliminated_before(struct monthly *m, size_t lo, size_t hi, int *out)
{
	struct reflag f;
	enum ds_status st;
	size_t i;

	*out = 0;
	for (i = lo; i + 1 < hi; i++)
		if (m->hh[i]->el_done && m->hh[i]->el_ym > 0 &&
		    m->hh[i]->el_ym <= m->ym) {
			*out = 1;
			return DS_OK;
		}
	f.ym = m->ym;
	f.found = 0;
	st = odb_report_ancestors(m->db, m->hh[hi - 1]->rev_id, reflag_cb, &f,
	    m->err);
	if (st != DS_OK)
		return st;
	*out = f.found;
	return DS_OK;
}

/* ---- counting ------------------------------------------------------------ */

static enum ds_status
count_household(struct monthly *m, size_t lo, size_t hi)
{
	const struct report_rec *r = m->hh[hi - 1];
	struct vrow *v;
	enum ds_status st;
	int ym = m->ym, mon, stock, during, el_before, re;
	size_t i;
	int draft = 0, reason = 0;

	if (!report_rec_in_area(r, m->o->area) || (v = row_of(m, r)) == NULL)
		return DS_OK;
	mon = r->category != RC_NONE && r->ident_ym > 0;
	el_before = r->el_done && r->el_ym > 0 && r->el_ym < ym;
	/* Re-flagged this month: eliminated at the start of it. */
	re = 0;
	if (mon && !r->el_done && r->visit_ym == ym &&
	    (st = eliminated_before(m, lo, hi, &re)) != DS_OK)
		return st;
	stock = mon && r->ident_ym < ym && !el_before && !re;
	during = mon && r->ident_ym <= ym && !el_before;
	if (stock) {
		v->n[C_STOCK_HH]++;
		v->n[C_STOCK_P] += r->n_members;
		v->n[C_STOCK_UNSTABLE_HH + 2 * (r->category - 1)]++;
		v->n[C_STOCK_UNSTABLE_P + 2 * (r->category - 1)] +=
		    r->n_members;
	}
	if (mon && r->ident_ym == ym) {
		v->n[C_NEW_HH]++;
		v->n[C_NEW_P] += r->n_members;
		if (r->channel >= 0)
			v->n[C_NEW_CH0 + r->channel]++;
		if (r->risk_main >= 0)
			v->n[C_NEW_RISK0 + r->risk_main]++;
	}
	if (mon && r->el_done && r->el_ym == ym) {
		v->n[C_ELIM_HH]++;
		v->n[C_ELIM_P] += r->n_members;
		if (r->el_way == 1)
			v->n[C_ELIM_ASSISTED]++;
		else if (r->el_way == 2)
			v->n[C_ELIM_NATURAL]++;
	}
	v->n[C_REFLAG] += re;
	if (during) {
		for (i = 0; i < REPORT_NMEASURE; i++)
			if (r->measures & (1u << i))
				v->n[C_MS0 + i]++;
		if (r->dev_gap)
			v->n[C_DEV_GAP]++;
	}
	for (i = lo; i < hi; i++) {
		draft |= m->hh[i]->draft;
		reason |= m->hh[i]->nreasons > 0;
	}
	v->n[C_Q_ANY] += draft || reason;
	v->n[C_Q_DRAFT] += draft;
	v->n[C_Q_REASON] += reason;
	return DS_OK;
}

static void
count_visit(struct monthly *m, const struct report_rec *r)
{
	struct vrow *v;

	if (r->visit_ym != m->ym || !report_rec_in_area(r, m->o->area) ||
	    (v = row_of(m, r)) == NULL)
		return;
	v->n[C_VISITS]++;
	if (r->visit_type >= 0)
		v->n[C_VISIT0 + r->visit_type]++;
	v->n[C_VISIT_REMOTE] += r->remote;
	v->n[C_VISIT_REFUSED] += r->refused;
}

/* ---- the table ------------------------------------------------------------ */

static enum ds_status
put_row(struct report_table *t, int kind, const char *tcode,
    const char *tname, const char *vcode, const char *vname,
    const int64_t *n, struct ds_err *err)
{
	enum ds_status st;
	size_t row, c;

	if ((st = report_table_add(t, kind, &row, err)) != DS_OK ||
	    (st = report_table_set(t, row, 0, tcode, err)) != DS_OK ||
	    (st = report_table_set(t, row, 1, tname, err)) != DS_OK ||
	    (st = report_table_set(t, row, 2, vcode, err)) != DS_OK ||
	    (st = report_table_set(t, row, 3, vname, err)) != DS_OK)
		return st;
	for (c = 0; c < NNUM; c++)
		if ((st = report_table_setn(t, row, NAREA + c, n[c], err)) !=
		    DS_OK)
			return st;
	return DS_OK;
}

static enum ds_status
build_table(struct monthly *m, struct report_table *t)
{
	struct report_names *nm;
	enum ds_status st;
	int64_t sub[NNUM], tot[NNUM];
	const struct vrow *v;
	size_t i, c;

	if ((st = report_names_load(m->o->forms_dir, &nm, m->err)) != DS_OK)
		return st;
	memset(tot, 0, sizeof(tot));
	memset(sub, 0, sizeof(sub));
	for (i = 0; i < m->nrows && st == DS_OK; i++) {
		v = &m->rows[i];
		if (*v->township == '\0' && *v->village == '\0')
			st = put_row(t, REPORT_ROW_DATA, "", "", "",
			    "（未填地址）", v->n, m->err);
		else
			st = put_row(t, REPORT_ROW_DATA, v->township,
			    report_names_get(nm, v->township), v->village,
			    *report_names_get(nm, v->village) != '\0' ?
			    report_names_get(nm, v->village) : v->vname, v->n,
			    m->err);
		for (c = 0; c < NNUM; c++) {
			sub[c] += v->n[c];
			tot[c] += v->n[c];
		}
		/* A township's subtotal after its last village. */
		if (st == DS_OK && (*v->township != '\0' ||
		    *v->village != '\0') && (i + 1 == m->nrows ||
		    strcmp(m->rows[i + 1].township, v->township) != 0)) {
			st = put_row(t, REPORT_ROW_SUBTOTAL, v->township,
			    report_names_get(nm, v->township), "", "小计",
			    sub, m->err);
		}
		if (i + 1 == m->nrows || strcmp(m->rows[i + 1].township,
		    v->township) != 0)
			memset(sub, 0, sizeof(sub));
	}
	if (st == DS_OK)
		st = put_row(t, REPORT_ROW_TOTAL, "", "合计", "", "", tot,
		    m->err);
	report_names_free(nm);
	return st;
}

int
report_month_parse(const char *s, int *year, int *month)
{
	int y, mo;

	if (s == NULL || strlen(s) != 7 || s[4] != '-')
		return -1;
	for (y = 0; y < 7; y++)
		if (y != 4 && (s[y] < '0' || s[y] > '9'))
			return -1;
	y = (int)strtol(s, NULL, 10);
	mo = (int)strtol(s + 5, NULL, 10);
	if (y < 2000 || y > 2099 || mo < 1 || mo > 12)
		return -1;
	*year = y;
	*month = mo;
	return 0;
}

enum ds_status
report_monthly(struct odb *db, const struct report_monthly_opts *o,
    struct report_table **out, struct ds_err *err)
{
	struct monthly m;
	struct report_table *t = NULL;
	enum ds_status st;
	char title[256];
	size_t i, j, cap = 0;

	ds_err_clear(err);
	if (o->year < 2000 || o->year > 2099 || o->month < 1 ||
	    o->month > 12)
		return ds_err_set(err, DS_EINVAL, "report: bad month");
	memset(&m, 0, sizeof(m));
	m.db = db;
	m.o = o;
	m.ym = o->year * 100 + o->month;
	m.err = err;
	if ((st = report_recs_load(db, NULL, NULL, m.ym, &m.recs, &m.nrecs,
	    err)) != DS_OK)
		return st;
	if (m.nrecs > 0 && (m.hh = ds_calloc(m.nrecs, sizeof(*m.hh))) ==
	    NULL) {
		st = ds_err_set(err, DS_ENOMEM, "report: out of memory");
		goto out;
	}
	for (i = 0; i < m.nrecs; i++)
		m.hh[i] = &m.recs[i];
	if (m.nrecs > 0)
		qsort(m.hh, m.nrecs, sizeof(*m.hh), hh_cmp);
	/* Rows: villages of current records and of this month's visits. */
	for (i = 0; i < m.nrecs && st == DS_OK; i++) {
		const struct report_rec *r = m.hh[i];
		int current = i + 1 == m.nrecs ||
		    hh_cmp_key(r, m.hh[i + 1]) != 0;

		if (!report_rec_in_area(r, o->area))
			continue;
		if (current || r->visit_ym == m.ym)
			st = row_add(&m, r, &cap);
	}
	if (st != DS_OK)
		goto out;
	if (m.nrows > 0)
		qsort(m.rows, m.nrows, sizeof(*m.rows), vrow_cmp);
	for (i = 0; i < m.nrecs && st == DS_OK; i = j) {
		for (j = i + 1; j < m.nrecs && hh_cmp_key(m.hh[i], m.hh[j]) ==
		    0; j++)
			;
		st = count_household(&m, i, j);
	}
	for (i = 0; i < m.nrecs && st == DS_OK; i++)
		count_visit(&m, &m.recs[i]);
	if (st != DS_OK)
		goto out;
	snprintf(title, sizeof(title), "防止返贫动态监测月报表 %04d年%02d月%s%s",
	    o->year, o->month, o->area != NULL && *o->area != '\0' ?
	    " 区域 " : "", o->area != NULL ? o->area : "");
	if ((st = report_table_new(title, cols, NAREA + NNUM, NAREA, &t,
	    err)) != DS_OK)
		goto out;
	if ((st = build_table(&m, t)) != DS_OK) {
		report_table_free(t);
		t = NULL;
		goto out;
	}
	*out = t;
out:
	ds_free(m.rows);
	ds_free(m.hh);
	report_recs_free(m.recs, m.nrecs);
	return st;
}
