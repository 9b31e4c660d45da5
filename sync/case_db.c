/* doorstep: changes to the household case: register, clues, steps. */
/*
 * Every function checks first and writes after, inside the caller's
 * transaction (case_db.h).  Rows that come from a file get ids derived
 * from their content (odb_row_id), so the same file twice adds nothing;
 * rows a command makes get random ids.  The household's derived state
 * (hh.state and friends) is recomputed after every change to it.
 */
#include "case_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arr.h"
#include "buf.h"
#include "case_hook.h"
#include "cry.h"
#include "mem.h"
#include "odb_case.h"
#include "store.h"
#include "util.h"

#define A(...)	((const char *const[]){ __VA_ARGS__, NULL })

const struct case_field case_register_fields[CASE_REGISTER_NFIELDS] = {
	{ "hh_key", A("household key", "户编号", "户码"), 1 },
	{ "township", A("乡镇代码", "乡镇"), 0 },
	{ "village", A("村代码", "行政村代码", "村", "行政村"), 1 },
	{ "group", A("vgroup", "村民小组代码", "村民小组", "组"), 0 },
	{ "head_name", A("head name", "户主姓名", "户主"), 0 },
	{ "id_number", A("id number", "户主身份证号", "身份证号",
	    "证件号码"), 0 },
	{ "members", A("家庭人口数", "人口数", "人数"), 0 },
	{ "grid_worker", A("grid worker", "网格员"), 0 },
};

const struct case_field case_clue_fields[CASE_CLUE_NFIELDS] = {
	{ "id_number", A("id number", "身份证号", "证件号码", "身份证号码"), 1 },
	{ "name", A("姓名"), 0 },
	{ "reason", A("预警原因", "原因", "预警信息"), 0 },
	{ "amount", A("金额", "金额（元）"), 0 },
	{ "date", A("预警日期", "日期"), 1 },
};

const struct case_field case_step_fields[CASE_STEP_NFIELDS] = {
	{ "hh_key", A("household key", "户编号"), 1 },
	{ "step", A("环节"), 1 },
	{ "outcome", A("结果"), 0 },
	{ "date", A("日期"), 1 },
	{ "date_end", A("公示结束日期", "结束日期"), 0 },
	{ "objections", A("异议", "异议数"), 0 },
	{ "category", A("类别", "监测类别"), 0 },
	{ "kind", A("消除方式"), 0 },
	{ "by", A("记录人", "经办人"), 0 },
	{ "note", A("备注", "说明"), 0 },
	{ "corrects", A("更正", "更正事件"), 0 },
};

const struct case_field case_income_fields[CASE_INCOME_NFIELDS] = {
	{ "hh_key", A("household key", "户编号"), 1 },
	{ "income", A("per_capita", "人均纯收入", "人均收入"), 1 },
};

enum { R_KEY, R_TOWNSHIP, R_VILLAGE, R_GROUP, R_NAME, R_ID, R_MEMBERS,
	R_WORKER };
enum { C_ID, C_NAME, C_REASON, C_AMOUNT, C_DATE };
enum { S_KEY, S_STEP, S_OUTCOME, S_DATE, S_END, S_OBJ, S_CAT, S_KIND, S_BY,
	S_NOTE, S_CORRECTS };

static const char *const measure_types[] = { "industry", "job", "finance",
    "health", "education", "assist", "allowance", "housing", "water",
    "social", NULL };
static const char *const measure_status[] = { "planned", "in_progress",
    "done", "stopped", NULL };

static int
in_list(const char *const *l, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && l[i] != NULL; i++)
		if (strcmp(l[i], s) == 0)
			return 1;
	return 0;
}

int
case_measure_type_ok(const char *s)
{
	return in_list(measure_types, s);
}

int
case_measure_status_ok(const char *s)
{
	return in_list(measure_status, s);
}

static enum ds_status
row_refuse(struct case_row_why *why, int code, int line, const char *field,
    const char *value)
{
	memset(why, 0, sizeof(*why));
	why->code = code;
	why->line = line;
	why->field = field;
	if (value != NULL)
		snprintf(why->value, sizeof(why->value), "%s", value);
	return DS_EREJECT;
}

int
case_idno_ok(const char *s)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5,
	    8, 4, 2 };
	static const char check[] = "10X98765432";
	char n[64];
	size_t len;
	int i, sum = 0;

	if (store_blind_normalize(s, n, sizeof(n)) != 0)
		return 0;
	len = strlen(n);
	if (len != 18 && len != 20 && len != 22)
		return 0;
	for (i = 0; i < 17; i++) {
		if (n[i] < '0' || n[i] > '9')
			return 0;
		sum += (n[i] - '0') * w[i];
	}
	return n[17] == check[sum % 11];
}

/* ---- state ----------------------------------------------------------------- */

static const struct oset *
settings(struct odb *o, struct ds_err *err)
{
	const struct oset *set = odb_case_settings_get(o);

	if (set == NULL)
		ds_err_set(err, DS_ESTATE, "no office settings (%s)", OSET_FILE);
	return set;
}

enum ds_status
case_status_get(struct odb *o, const char *key, int64_t upto,
    struct case_status *out, struct ds_err *err)
{
	struct case_replay_opts ro;
	struct case_event *ev = NULL;
	struct case_why why;
	size_t n, m, *ix = NULL;
	enum ds_status s;
	int64_t open;

	memset(&ro, 0, sizeof(ro));
	if ((ro.set = settings(o, err)) == NULL)
		return DS_ESTATE;
	if ((s = odb_event_load(o, key, upto, &ev, &n, err)) != DS_OK)
		return s;
	if ((s = odb_clue_open_n(o, key, &open, err)) != DS_OK)
		goto out;
	if (n > 0 && (ix = ds_calloc(n, sizeof(*ix))) == NULL) {
		s = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	if ((s = case_order(ev, n, ix, &m)) != DS_OK) {
		s = ds_err_set(err, s, NULL);
		goto out;
	}
	ro.strict_from = m;	/* all recorded: lenient */
	ro.open_clues = open > 0;
	s = case_replay(&ro, ev, ix, m, out, &why);
out:
	ds_free(ix);
	ds_free(ev);
	return s;
}

enum ds_status
case_refresh(struct odb *o, const char *key, struct case_status *out,
    struct ds_err *err)
{
	struct case_status st;
	enum ds_status s;

	if ((s = case_status_get(o, key, 0, &st, err)) != DS_OK ||
	    (s = odb_hh_state(o, key, &st, err)) != DS_OK)
		return s;
	if (out != NULL)
		*out = st;
	return DS_OK;
}

/* ---- register ---------------------------------------------------------------- */

static enum ds_status
register_check(const struct case_table *t, struct case_row_why *why)
{
	const char *k, *m, *id;
	int64_t v;
	size_t i, j;

	for (i = 0; i < t->nrows; i++) {
		k = case_table_cell(t, i, R_KEY);
		if (!case_key_ok(k))
			return row_refuse(why, CASE_R_KEY, t->line[i], "hh_key",
			    NULL);
		if (*case_table_cell(t, i, R_VILLAGE) == '\0')
			return row_refuse(why, CASE_R_VILLAGE, t->line[i],
			    "village", k);
		id = case_table_cell(t, i, R_ID);
		if (*id != '\0' && !case_idno_ok(id))
			return row_refuse(why, CASE_R_ID, t->line[i],
			    "id_number", k);
		m = case_table_cell(t, i, R_MEMBERS);
		if (*m != '\0' && ds_parse_i64(m, 0, 99, &v) != 0)
			return row_refuse(why, CASE_R_MEMBERS, t->line[i],
			    "members", k);
	}
	/* Keys once: a sorted copy would be faster; registers are small. */
	for (i = 0; i < t->nrows; i++)
		for (j = i + 1; j < t->nrows && t->nrows <= 20000; j++)
			if (strcmp(case_table_cell(t, i, R_KEY),
			    case_table_cell(t, j, R_KEY)) == 0)
				return row_refuse(why, CASE_R_DUP, t->line[j],
				    "hh_key", case_table_cell(t, j, R_KEY));
	return DS_OK;
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Duplicate keys in a large register, by sorting. */
static enum ds_status
register_dups(const struct case_table *t, struct case_row_why *why,
    struct ds_err *err)
{
	const char **k;
	size_t i, j;

	if (t->nrows <= 20000)
		return DS_OK;
	if ((k = ds_calloc(t->nrows, sizeof(*k))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	for (i = 0; i < t->nrows; i++)
		k[i] = case_table_cell(t, i, R_KEY);
	qsort(k, t->nrows, sizeof(*k), key_cmp);
	for (i = 1; i < t->nrows; i++)
		if (strcmp(k[i - 1], k[i]) == 0)
			break;
	if (i < t->nrows) {
		for (j = 0; j < t->nrows; j++)
			if (strcmp(case_table_cell(t, j, R_KEY), k[i]) == 0)
				break;
		for (j++; j < t->nrows; j++)
			if (strcmp(case_table_cell(t, j, R_KEY), k[i]) == 0)
				break;
		ds_free(k);
		return row_refuse(why, CASE_R_DUP, t->line[j < t->nrows ? j :
		    0], "hh_key", case_table_cell(t, j < t->nrows ? j : 0,
		    R_KEY));
	}
	ds_free(k);
	return DS_OK;
}

enum ds_status
case_register_import(struct odb *o, const struct case_table *t,
    struct case_reg_result *res, struct case_row_why *why,
    struct ds_err *err)
{
	struct odb_hh h;
	unsigned char idx[CRY_HASH256_BYTES];
	const char *id;
	enum ds_status s;
	int64_t v;
	size_t i;
	int what, n;

	memset(res, 0, sizeof(*res));
	memset(why, 0, sizeof(*why));
	if ((s = register_check(t, why)) != DS_OK ||
	    (s = register_dups(t, why, err)) != DS_OK)
		return s;
	if (settings(o, err) == NULL)
		return DS_ESTATE;
	for (i = 0; i < t->nrows; i++) {
		memset(&h, 0, sizeof(h));
		snprintf(h.hh_key, sizeof(h.hh_key), "%s",
		    case_table_cell(t, i, R_KEY));
		snprintf(h.township, sizeof(h.township), "%s",
		    case_table_cell(t, i, R_TOWNSHIP));
		snprintf(h.village, sizeof(h.village), "%s",
		    case_table_cell(t, i, R_VILLAGE));
		snprintf(h.vgroup, sizeof(h.vgroup), "%s",
		    case_table_cell(t, i, R_GROUP));
		snprintf(h.grid_worker, sizeof(h.grid_worker), "%s",
		    case_table_cell(t, i, R_WORKER));
		/* A 12-digit village code starts with its township's 9. */
		if (h.township[0] == '\0' && strlen(h.village) == 12)
			snprintf(h.township, sizeof(h.township), "%.9s",
			    h.village);
		v = 0;
		if (*case_table_cell(t, i, R_MEMBERS) != '\0')
			(void)ds_parse_i64(case_table_cell(t, i, R_MEMBERS), 0,
			    99, &v);
		h.members = v;
		id = case_table_cell(t, i, R_ID);
		if ((s = odb_hh_register(o, &h, case_table_cell(t, i, R_NAME),
		    id, &what, err)) != DS_OK)
			return s;
		res->rows++;
		if (what == 0) {
			res->same++;
			continue;
		}
		if (what == 1)
			res->added++;
		else
			res->changed++;
		if ((s = odb_person_clear(o, h.hh_key, "register", err)) !=
		    DS_OK)
			return s;
		if (*id != '\0' && odb_blind(o, id, idx) == 0) {
			if ((s = odb_person_put(o, idx, h.hh_key, "register",
			    "head", err)) != DS_OK ||
			    (s = odb_clue_match(o, idx, h.hh_key, &n, err)) !=
			    DS_OK)
				return s;
			res->clues_matched += (size_t)n;
		}
		if ((s = case_refresh(o, h.hh_key, NULL, err)) != DS_OK)
			return s;
	}
	return DS_OK;
}

/* ---- clues ----------------------------------------------------------------------- */

/* Deterministic id of a file row: kind, then the fields NUL-separated. */
static int
row_id(struct odb *o, const char *kind, const char *const *f, size_t n,
    unsigned char out[CASE_ID_BYTES])
{
	struct ds_buf b;
	size_t i, len;
	char *p;
	int rc;

	ds_buf_init(&b, 1u << 16);
	for (i = 0; i < n; i++)
		if (ds_buf_adds(&b, f[i] != NULL ? f[i] : "") != DS_OK ||
		    ds_buf_add(&b, "", 1) != DS_OK) {
			ds_buf_wipe(&b);
			return -1;
		}
	if ((p = ds_buf_take(&b, &len)) == NULL)
		return -1;
	rc = odb_row_id(o, kind, p, len, out);
	cry_wipe(p, len);
	ds_free(p);
	return rc;
}

static enum ds_status
clue_check(const struct case_table *t, struct case_row_why *why)
{
	char d[CASE_DATE_LEN], today[CASE_DATE_LEN];
	const char *a;
	double v;
	size_t i;

	case_today(today);
	for (i = 0; i < t->nrows; i++) {
		if (!case_idno_ok(case_table_cell(t, i, C_ID)))
			return row_refuse(why, CASE_R_ID, t->line[i],
			    "id_number", NULL);
		if (case_date_norm(case_table_cell(t, i, C_DATE), d) != 0 ||
		    strcmp(d, today) > 0)
			return row_refuse(why, CASE_R_DATE, t->line[i], "date",
			    NULL);
		a = case_table_cell(t, i, C_AMOUNT);
		if (*a != '\0' && (ds_parse_double(a, &v) != 0 || v < 0 ||
		    v > 1e9))
			return row_refuse(why, CASE_R_AMOUNT, t->line[i],
			    "amount", NULL);
	}
	return DS_OK;
}

/* A clue row's blind index and the households it names. */
struct clue_hit {
	unsigned char	 idx[CRY_HASH256_BYTES];
	size_t		 row;
	char		 key[CASE_KEY_MAX];	/* the first household */
	int		 nk;			/* 0, 1, or 2: more than one */
};

struct clue_hits {
	struct clue_hit	*h;
	size_t		 n;
};

static int
hit_cmp(const void *a, const void *b)
{
	return memcmp(((const struct clue_hit *)a)->idx,
	    ((const struct clue_hit *)b)->idx, CRY_HASH256_BYTES);
}

/* One person row: mark every clue row of its index. */
static int
hit_person(void *arg, const unsigned char *idx, const char *key)
{
	struct clue_hits *c = arg;
	size_t lo = 0, hi = c->n, mid;
	struct clue_hit *h;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(c->h[mid].idx, idx, CRY_HASH256_BYTES) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < c->n && memcmp(c->h[lo].idx, idx, CRY_HASH256_BYTES) == 0;
	    lo++) {
		h = &c->h[lo];
		if (h->nk == 0) {
			snprintf(h->key, sizeof(h->key), "%s", key);
			h->nk = 1;
		} else if (strcmp(h->key, key) != 0)
			h->nk = 2;
	}
	return 0;
}

/*
 * The households of every row's ID number, in one read of person (it is
 * clustered by household): hits sorted by index, at[row] its hit.
 */
static enum ds_status
clue_hits(struct odb *o, const struct case_table *t, struct clue_hits *c,
    size_t **at, struct ds_err *err)
{
	char norm[64];
	enum ds_status s;
	size_t i;

	c->n = 0;
	*at = NULL;
	if ((c->h = ds_calloc(t->nrows + 1, sizeof(*c->h))) == NULL ||
	    (*at = ds_calloc(t->nrows + 1, sizeof(**at))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	for (i = 0; i < t->nrows; i++) {
		(void)store_blind_normalize(case_table_cell(t, i, C_ID), norm,
		    sizeof(norm));
		if (odb_blind(o, norm, c->h[i].idx) != 0) {
			cry_wipe(norm, sizeof(norm));
			return ds_err_set(err, DS_ESTATE, "no blind-index key");
		}
		c->h[i].row = i;
	}
	cry_wipe(norm, sizeof(norm));
	c->n = t->nrows;
	qsort(c->h, c->n, sizeof(*c->h), hit_cmp);
	if ((s = odb_person_each(o, hit_person, c, err)) != DS_OK)
		return s;
	for (i = 0; i < c->n; i++)
		(*at)[c->h[i].row] = i;
	return DS_OK;
}

enum ds_status
case_clue_import(struct odb *o, const struct case_table *t,
    const char *source, struct case_clue_result *res, int64_t *first_at,
    struct case_row_why *why, struct ds_err *err)
{
	char d[CASE_DATE_LEN], norm[64];
	const char *f[6];
	struct odb_clue c;
	struct odb_clue_text tx;
	struct clue_hits hits = { NULL, 0 };
	const struct clue_hit *h;
	size_t i, *at = NULL;
	enum ds_status s;
	int found;

	memset(res, 0, sizeof(*res));
	memset(why, 0, sizeof(*why));
	*first_at = 0;
	if ((s = clue_check(t, why)) != DS_OK)
		return s;
	if (settings(o, err) == NULL)
		return DS_ESTATE;
	if ((s = odb_clue_batch(o, t->hash, &found, first_at, err)) != DS_OK)
		return s;
	if (found)
		return ds_err_set(err, DS_EEXIST, "this file was imported");
	/* Nothing below changes person: its matches hold for the file. */
	if ((s = clue_hits(o, t, &hits, &at, err)) != DS_OK)
		goto out;
	for (i = 0; i < t->nrows; i++) {
		res->rows++;
		memset(&c, 0, sizeof(c));
		(void)case_date_norm(case_table_cell(t, i, C_DATE), d);
		(void)store_blind_normalize(case_table_cell(t, i, C_ID), norm,
		    sizeof(norm));
		f[0] = source;
		f[1] = norm;
		f[2] = d;
		f[3] = case_table_cell(t, i, C_REASON);
		f[4] = case_table_cell(t, i, C_AMOUNT);
		f[5] = case_table_cell(t, i, C_NAME);
		if (row_id(o, "clue.dept", f, 6, c.id) != 0) {
			s = ds_err_set(err, DS_ESTATE, "no blind-index key");
			goto out;
		}
		h = &hits.h[at[i]];
		memcpy(c.idx, h->idx, sizeof(c.idx));
		if ((s = odb_clue_get(o, c.id, NULL, err)) == DS_OK) {
			res->duplicate++;
			continue;
		}
		if (s != DS_ENOENT)
			goto out;
		c.has_idx = 1;
		snprintf(c.channel, sizeof(c.channel), "dept_warning");
		snprintf(c.source, sizeof(c.source), "%s", source);
		snprintf(c.date, sizeof(c.date), "%s", d);
		c.received_at = ds_now();
		c.open = 1;
		c.has_batch = 1;
		memcpy(c.batch, t->hash, 32);
		if (h->nk == 1) {
			snprintf(c.hh_key, sizeof(c.hh_key), "%s", h->key);
			res->matched++;
		} else if (h->nk > 1) {
			c.ambiguous = 1;
			res->ambiguous++;
		} else
			res->unmatched++;
		tx.id_no = norm;
		tx.name = case_table_cell(t, i, C_NAME);
		tx.reason = case_table_cell(t, i, C_REASON);
		tx.amount = case_table_cell(t, i, C_AMOUNT);
		if ((s = odb_clue_put(o, &c, &tx, err)) != DS_OK)
			goto out;
		res->added++;
		if (h->nk == 1 && (s = case_refresh(o, c.hh_key, NULL, err)) !=
		    DS_OK)
			goto out;
	}
	s = DS_OK;
out:
	cry_wipe(norm, sizeof(norm));
	ds_free(hits.h);
	ds_free(at);
	return s;
}

enum ds_status
case_clue_add(struct odb *o, const struct case_clue_in *in,
    unsigned char id_out[CASE_ID_BYTES], struct case_row_why *why,
    struct ds_err *err)
{
	char d[CASE_DATE_LEN], today[CASE_DATE_LEN], norm[64];
	struct odb_clue c;
	struct odb_clue_text tx;
	struct odb_hh h;
	enum ds_status s;

	memset(why, 0, sizeof(*why));
	case_today(today);
	if (in->channel < CASE_CH_SELF || in->channel > CASE_CH_DEPT)
		return row_refuse(why, CASE_R_CHANNEL, 0, "channel", NULL);
	if (case_date_norm(in->date, d) != 0 || strcmp(d, today) > 0)
		return row_refuse(why, CASE_R_DATE, 0, "date", in->date);
	if (in->idno != NULL && *in->idno != '\0' && !case_idno_ok(in->idno))
		return row_refuse(why, CASE_R_ID, 0, "id_number", NULL);
	if ((s = odb_hh_get(o, in->key, &h, err)) == DS_ENOENT)
		return row_refuse(why, CASE_R_UNKNOWN, 0, "hh_key", in->key);
	if (s != DS_OK)
		return s;
	memset(&c, 0, sizeof(c));
	cry_random(c.id, sizeof(c.id));
	snprintf(c.channel, sizeof(c.channel), "%s",
	    case_channel_str(in->channel));
	snprintf(c.source, sizeof(c.source), "%s", in->source != NULL ?
	    in->source : "");
	snprintf(c.hh_key, sizeof(c.hh_key), "%s", in->key);
	snprintf(c.date, sizeof(c.date), "%s", d);
	c.received_at = ds_now();
	c.open = 1;
	norm[0] = '\0';
	if (in->idno != NULL && *in->idno != '\0') {
		(void)store_blind_normalize(in->idno, norm, sizeof(norm));
		c.has_idx = odb_blind(o, norm, c.idx) == 0;
	}
	tx.id_no = norm;
	tx.name = in->name;
	tx.reason = in->reason;
	tx.amount = in->amount;
	s = odb_clue_put(o, &c, &tx, err);
	cry_wipe(norm, sizeof(norm));
	if (s != DS_OK || (s = case_refresh(o, in->key, NULL, err)) != DS_OK)
		return s;
	memcpy(id_out, c.id, CASE_ID_BYTES);
	return DS_OK;
}

/* ---- steps ---------------------------------------------------------------------- */

static int
office_step(int step)
{
	return (step >= CASE_S_ASSESS && step <= CASE_S_APPROVE) ||
	    step == CASE_S_RETURN || step == CASE_S_REFLAG ||
	    step == CASE_S_ROLLBACK;
}

static enum ds_status
step_refuse(struct case_why *why, int code, int track, int step)
{
	memset(why, 0, sizeof(*why));
	why->code = code;
	why->track = track;
	why->step = step;
	return DS_EREJECT;
}

enum ds_status
case_step_add(struct odb *o, const struct case_step_in *in,
    struct case_why *why, unsigned char *id_out, struct ds_err *err)
{
	struct case_replay_opts ro;
	struct case_status st;
	struct case_event *ev = NULL, *nv, *e;
	struct odb_event oe, old;
	struct odb_hh h;
	char today[CASE_DATE_LEN];
	size_t n, m, k, *ix = NULL;
	enum ds_status s;

	memset(why, 0, sizeof(*why));
	memset(&ro, 0, sizeof(ro));
	if ((ro.set = settings(o, err)) == NULL)
		return DS_ESTATE;
	if (!office_step(in->step))
		return step_refuse(why, CASE_W_STEP_UNKNOWN, -1, in->step);
	if ((s = odb_hh_get(o, in->key, &h, err)) != DS_OK)
		return s;
	if ((s = odb_event_load(o, in->key, 0, &ev, &n, err)) != DS_OK)
		return s;
	if ((nv = ds_realloc(ev, (n + 1) * sizeof(*ev))) == NULL ||
	    (ix = ds_calloc(n + 1, sizeof(*ix))) == NULL) {
		ds_free(nv != NULL ? nv : ev);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	ev = nv;
	e = &ev[n];
	memset(e, 0, sizeof(*e));
	if (in->id != NULL)
		memcpy(e->id, in->id, CASE_ID_BYTES);
	else
		cry_random(e->id, CASE_ID_BYTES);
	e->seq = n > 0 ? ev[n - 1].seq + 1 : 1;
	e->step = in->step;
	e->outcome = in->outcome;
	snprintf(e->date, sizeof(e->date), "%s", in->date);
	snprintf(e->date_end, sizeof(e->date_end), "%s",
	    in->date_end != NULL ? in->date_end : "");
	e->objections = in->objections;
	e->category = in->category;
	e->kind = in->kind;
	e->has_note = in->note != NULL && *in->note != '\0';
	e->recorded_at = ds_now();
	if (in->corrects != NULL) {
		if ((s = odb_event_find(o, in->key, in->corrects, &old, err)) !=
		    DS_OK)
			goto out;
		for (k = 0; k < n; k++)
			if (ev[k].has_corrects && memcmp(ev[k].corrects,
			    old.ev.id, CASE_ID_BYTES) == 0)
				break;
		if (!office_step(old.ev.step) || k < n) {
			s = step_refuse(why, CASE_W_CORRECTS, old.ev.track,
			    in->step);
			goto out;
		}
		e->has_corrects = 1;
		memcpy(e->corrects, old.ev.id, CASE_ID_BYTES);
		e->track = old.ev.track;
	} else if (in->step == CASE_S_REFLAG || in->step == CASE_S_ROLLBACK)
		e->track = CASE_T_CASE;
	else {
		ro.strict_from = n;
		if ((s = case_order(ev, n, ix, &m)) != DS_OK) {
			s = ds_err_set(err, s, NULL);
			goto out;
		}
		ro.strict_from = m;
		if ((s = case_replay(&ro, ev, ix, m, &st, why)) != DS_OK)
			goto out;
		if (st.run < 0) {
			s = step_refuse(why, CASE_W_NO_TRACK, -1, in->step);
			goto out;
		}
		e->track = st.run;
	}
	if ((s = case_order(ev, n + 1, ix, &m)) != DS_OK) {
		s = ds_err_set(err, s, NULL);
		goto out;
	}
	for (k = 0; k < m && ix[k] != n; k++)
		;
	case_today(today);
	ro.today = today;
	ro.strict_from = k;
	if ((s = case_replay(&ro, ev, ix, m, &st, why)) != DS_OK)
		goto out;
	memset(&oe, 0, sizeof(oe));
	oe.ev = *e;
	snprintf(oe.hh_key, sizeof(oe.hh_key), "%s", in->key);
	snprintf(oe.source, sizeof(oe.source), "%s", in->source != NULL ?
	    in->source : "cli");
	if ((s = odb_event_put(o, &oe, in->by, in->note, err)) != DS_OK ||
	    (s = case_refresh(o, in->key, NULL, err)) != DS_OK)
		goto out;
	if (id_out != NULL)
		memcpy(id_out, e->id, CASE_ID_BYTES);
out:
	ds_free(ix);
	ds_free(ev);
	return s;
}

/* One file row into a step; a bad value is DS_EREJECT with *why. */
static enum ds_status
step_row(const struct case_table *t, size_t i, struct case_step_in *in,
    char d[CASE_DATE_LEN], char de[CASE_DATE_LEN], struct case_row_why *why)
{
	const char *v;
	int64_t n;
	int line = t->line[i];

	memset(in, 0, sizeof(*in));
	in->key = case_table_cell(t, i, S_KEY);
	if (!case_key_ok(in->key))
		return row_refuse(why, CASE_R_KEY, line, "hh_key", NULL);
	if (!office_step(in->step = case_step_from(case_table_cell(t, i,
	    S_STEP))))
		return row_refuse(why, CASE_R_STEP, line, "step", in->key);
	v = case_table_cell(t, i, S_OUTCOME);
	in->outcome = case_outcome_from(v);
	if (*v != '\0' && in->outcome == CASE_O_NONE)
		return row_refuse(why, CASE_R_OUTCOME, line, "outcome", in->key);
	if (case_date_norm(case_table_cell(t, i, S_DATE), d) != 0)
		return row_refuse(why, CASE_R_DATE, line, "date", in->key);
	in->date = d;
	v = case_table_cell(t, i, S_END);
	de[0] = '\0';
	if (*v != '\0' && case_date_norm(v, de) != 0)
		return row_refuse(why, CASE_R_DATE, line, "date_end", in->key);
	in->date_end = de;
	v = case_table_cell(t, i, S_OBJ);
	if (*v != '\0') {
		if (ds_parse_i64(v, 0, 100000, &n) != 0)
			return row_refuse(why, CASE_R_NUMBER, line,
			    "objections", in->key);
		in->objections = (int)n;
	}
	v = case_table_cell(t, i, S_CAT);
	if (*v != '\0' && (in->category = case_cat_from(v)) == CASE_CAT_NONE)
		return row_refuse(why, CASE_R_CATEGORY, line, "category",
		    in->key);
	v = case_table_cell(t, i, S_KIND);
	if (*v != '\0' && (in->kind = case_kind_from(v)) == CASE_K_NONE)
		return row_refuse(why, CASE_R_KIND, line, "kind", in->key);
	in->by = case_table_cell(t, i, S_BY);
	in->note = case_table_cell(t, i, S_NOTE);
	v = case_table_cell(t, i, S_CORRECTS);
	in->corrects = *v != '\0' ? v : NULL;
	return DS_OK;
}

enum ds_status
case_steps_import(struct odb *o, const struct case_table *t,
    const char *by_default, struct case_steps_result *res,
    struct case_why *why, struct case_row_why *rw, struct ds_err *err)
{
	struct case_step_in in;
	unsigned char id[CASE_ID_BYTES];
	char d[CASE_DATE_LEN], de[CASE_DATE_LEN], src[ODB_NAME_MAX], h[17];
	const char *f[CASE_STEP_NFIELDS];
	enum ds_status s;
	size_t i, j;
	int found;

	memset(res, 0, sizeof(*res));
	memset(why, 0, sizeof(*why));
	memset(rw, 0, sizeof(*rw));
	ds_hex_encode(t->hash, 8, h);
	snprintf(src, sizeof(src), "file:%s", h);
	for (i = 0; i < t->nrows; i++) {
		res->rows++;
		if ((s = step_row(t, i, &in, d, de, rw)) != DS_OK)
			return s;
		/* The row's content, by and note left out, names the event. */
		for (j = 0; j < CASE_STEP_NFIELDS; j++)
			f[j] = j == S_BY || j == S_NOTE ? "" :
			    case_table_cell(t, i, j);
		f[S_DATE] = d;
		f[S_END] = de;
		if (row_id(o, "event.file", f, CASE_STEP_NFIELDS, id) != 0)
			return ds_err_set(err, DS_ESTATE, "no blind-index key");
		if (in.by == NULL || *in.by == '\0')
			in.by = by_default;
		in.source = src;
		in.id = id;
		/* A row seen before is a duplicate, whatever the case is now. */
		if ((s = odb_event_exists(o, id, &found, err)) != DS_OK)
			return s;
		if (found) {
			res->duplicate++;
			continue;
		}
		s = case_step_add(o, &in, why, NULL, err);
		if (s == DS_EEXIST) {
			res->duplicate++;
			continue;
		}
		if (s == DS_ENOENT && in.corrects == NULL) {
			return row_refuse(rw, CASE_R_UNKNOWN, t->line[i],
			    "hh_key", in.key);
		}
		if (s != DS_OK) {
			rw->line = t->line[i];
			snprintf(rw->value, sizeof(rw->value), "%s", in.key);
			return s;
		}
		res->added++;
	}
	return DS_OK;
}

/* ---- measures -------------------------------------------------------------------- */

static enum ds_status
measure_event(struct odb *o, const char *key, const unsigned char mid[16],
    const char *type, const char *status, const char *date, const char *by,
    const char *note, const unsigned char *fixed, struct ds_err *err)
{
	struct odb_event e;

	memset(&e, 0, sizeof(e));
	if (fixed != NULL)
		memcpy(e.ev.id, fixed, CASE_ID_BYTES);
	else
		cry_random(e.ev.id, CASE_ID_BYTES);
	e.ev.track = CASE_T_CASE;
	e.ev.step = CASE_S_MEASURE;
	snprintf(e.ev.date, sizeof(e.ev.date), "%s", date);
	e.ev.recorded_at = ds_now();
	snprintf(e.hh_key, sizeof(e.hh_key), "%s", key);
	snprintf(e.source, sizeof(e.source), "%s", fixed != NULL ? "visit" :
	    "cli");
	snprintf(e.detail, sizeof(e.detail), "%s:%s", type, status);
	e.has_ref = 1;
	memcpy(e.ref, mid, 16);
	return odb_event_put(o, &e, by, note, err);
}

enum ds_status
case_measure_add(struct odb *o, const struct case_measure_in *in,
    unsigned char id_out[CASE_ID_BYTES], struct case_row_why *why,
    struct ds_err *err)
{
	struct odb_measure m;
	struct odb_hh h;
	char d[CASE_DATE_LEN], today[CASE_DATE_LEN];
	const char *status = in->status != NULL ? in->status : "in_progress";
	enum ds_status s;
	double v;

	memset(why, 0, sizeof(*why));
	case_today(today);
	if (!case_measure_type_ok(in->type))
		return row_refuse(why, CASE_R_TYPE, 0, "type", in->type);
	if (!case_measure_status_ok(status))
		return row_refuse(why, CASE_R_STATUS, 0, "status", status);
	if (in->start == NULL || case_date_norm(in->start, d) != 0)
		return row_refuse(why, CASE_R_DATE, 0, "start", in->start);
	if (in->amount != NULL && *in->amount != '\0' &&
	    (ds_parse_double(in->amount, &v) != 0 || v < 0 || v > 1e9))
		return row_refuse(why, CASE_R_AMOUNT, 0, "amount", in->amount);
	if ((s = odb_hh_get(o, in->key, &h, err)) == DS_ENOENT)
		return row_refuse(why, CASE_R_UNKNOWN, 0, "hh_key", in->key);
	if (s != DS_OK)
		return s;
	memset(&m, 0, sizeof(m));
	cry_random(m.id, sizeof(m.id));
	snprintf(m.hh_key, sizeof(m.hh_key), "%s", in->key);
	snprintf(m.type, sizeof(m.type), "%s", in->type);
	snprintf(m.dept, sizeof(m.dept), "%s", in->dept != NULL ? in->dept :
	    "");
	snprintf(m.start_date, sizeof(m.start_date), "%s", d);
	snprintf(m.unit, sizeof(m.unit), "%s", in->unit != NULL ? in->unit :
	    "");
	snprintf(m.status, sizeof(m.status), "%s", status);
	snprintf(m.source, sizeof(m.source), "office");
	m.created_at = m.updated_at = ds_now();
	if ((s = odb_measure_put(o, &m, in->amount, in->note, err)) != DS_OK ||
	    (s = measure_event(o, in->key, m.id, m.type, m.status, d, in->by,
	    in->note, NULL, err)) != DS_OK)
		return s;
	memcpy(id_out, m.id, CASE_ID_BYTES);
	return DS_OK;
}

enum ds_status
case_measure_set(struct odb *o, const char *key, const char *prefix,
    const char *status, const char *note, const char *by,
    struct case_row_why *why, struct ds_err *err)
{
	struct odb_measure m;
	char today[CASE_DATE_LEN];
	enum ds_status s;

	memset(why, 0, sizeof(*why));
	if (!case_measure_status_ok(status))
		return row_refuse(why, CASE_R_STATUS, 0, "status", status);
	if ((s = odb_measure_find(o, key, prefix, &m, err)) != DS_OK)
		return s;
	case_today(today);
	if ((s = odb_measure_status(o, m.id, status, note, err)) != DS_OK)
		return s;
	return measure_event(o, key, m.id, m.type, status, today, by, note,
	    NULL, err);
}

/* ---- income checks ---------------------------------------------------------------- */

/* The month before "YYYY-MM" into out. */
static void
month_prev(const char *m, char out[8])
{
	int y = atoi(m), mo = atoi(m + 5);

	if (--mo == 0) {
		mo = 12;
		y--;
	}
	snprintf(out, 8, "%04d-%02d", y, mo);
}

/* Below the top band for months_below months in a row up to month? */
static enum ds_status
income_below(struct odb *o, const char *key, const char *month, int need,
    int *below, struct ds_err *err)
{
	char (*mo)[8], (*li)[ODB_CODE_MAX], want[8];
	enum ds_status s;
	size_t n, i;

	*below = 0;
	if (need <= 0)
		return DS_OK;
	if ((mo = ds_calloc((size_t)need, sizeof(*mo))) == NULL ||
	    (li = ds_calloc((size_t)need, sizeof(*li))) == NULL) {
		ds_free(mo);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	s = odb_income_last(o, key, month, mo, li, (size_t)need, &n, err);
	if (s == DS_OK && n == (size_t)need) {
		snprintf(want, sizeof(want), "%s", month);
		*below = 1;
		for (i = 0; i < n && *below; i++) {
			*below = strcmp(mo[i], want) == 0 &&
			    strcmp(li[i], "green") != 0;
			month_prev(want, want);
		}
	}
	ds_free(mo);
	ds_free(li);
	return s;
}

enum ds_status
case_income_import(struct odb *o, const struct case_table *t,
    const char *month, struct case_income_result *res,
    struct case_row_why *why, struct ds_err *err)
{
	const struct oset *set;
	struct odb_hh h;
	struct odb_clue c;
	struct odb_clue_text tx;
	char ym[16];
	const char *k, *f[2];
	enum ds_status s;
	double v;
	size_t i;
	int found, ins, below, year, light;

	memset(res, 0, sizeof(*res));
	memset(why, 0, sizeof(*why));
	if ((set = settings(o, err)) == NULL)
		return DS_ESTATE;
	year = atoi(month);
	if (oset_band_get(set, year) == NULL) {
		row_refuse(why, CASE_R_BANDS, 0, "signal.bands", NULL);
		snprintf(why->value, sizeof(why->value), "%d", year);
		return DS_EREJECT;
	}
	for (i = 0; i < t->nrows; i++) {
		k = case_table_cell(t, i, 0);
		if (!case_key_ok(k))
			return row_refuse(why, CASE_R_KEY, t->line[i], "hh_key",
			    NULL);
		if (ds_parse_double(case_table_cell(t, i, 1), &v) != 0 ||
		    v < 0 || v > 1e8)
			return row_refuse(why, CASE_R_AMOUNT, t->line[i],
			    "income", k);
		if ((s = odb_hh_get(o, k, &h, err)) == DS_ENOENT)
			return row_refuse(why, CASE_R_UNKNOWN, t->line[i],
			    "hh_key", k);
		if (s != DS_OK)
			return s;
	}
	if ((s = odb_income_batch(o, t->hash, &found, err)) != DS_OK)
		return s;
	if (found)
		return ds_err_set(err, DS_EEXIST, "this file was imported");
	for (i = 0; i < t->nrows; i++) {
		k = case_table_cell(t, i, 0);
		(void)ds_parse_double(case_table_cell(t, i, 1), &v);
		light = oset_light(set, year, v, 0);
		res->rows++;
		if ((s = odb_income_put(o, k, month, oset_light_str(light),
		    case_table_cell(t, i, 1), t->hash, &ins, err)) != DS_OK)
			return s;
		if (!ins) {
			res->same++;
			continue;
		}
		res->added++;
		if ((s = income_below(o, k, month, set->months_below, &below,
		    err)) != DS_OK)
			return s;
		if (!below)
			continue;
		memset(&c, 0, sizeof(c));
		f[0] = k;
		f[1] = month;
		if (row_id(o, "clue.income", f, 2, c.id) != 0)
			return ds_err_set(err, DS_ESTATE, "no blind-index key");
		if ((s = odb_clue_get(o, c.id, NULL, err)) == DS_OK)
			continue;
		if (s != DS_ENOENT)
			return s;
		snprintf(c.channel, sizeof(c.channel), "dept_warning");
		snprintf(c.source, sizeof(c.source), "income_check");
		snprintf(c.hh_key, sizeof(c.hh_key), "%s", k);
		case_today(c.date);
		c.received_at = ds_now();
		c.open = 1;
		snprintf(ym, sizeof(ym), "%d %s", set->months_below, month);
		memset(&tx, 0, sizeof(tx));
		tx.reason = ym;		/* months below, up to the month */
		if ((s = odb_clue_put(o, &c, &tx, err)) != DS_OK ||
		    (s = case_refresh(o, k, NULL, err)) != DS_OK)
			return s;
		res->clues++;
	}
	return DS_OK;
}

/* ---- relight ------------------------------------------------------------------------ */

#define RELIGHT_MAX	(16u << 20)	/* finalized visits in one office */

struct relight {
	struct odb_visit	*v;
	size_t			 n, cap;
	int			 oom;
};

static int
relight_collect(void *arg, const struct odb_visit *v)
{
	struct relight *r = arg;

	if (ds_arr_grow(&r->v, &r->cap, r->n + 1, sizeof(*r->v),
	    RELIGHT_MAX) != DS_OK) {
		r->oom = 1;
		return 1;
	}
	r->v[r->n++] = *v;
	return 0;
}

enum ds_status
case_relight(struct odb *o, size_t *visits, size_t *changed,
    struct ds_err *err)
{
	const struct oset *set;
	struct relight r;
	char *a = NULL, light[ODB_CODE_MAX], date[CASE_DATE_LEN], mo[8];
	enum ds_status s;
	size_t i;
	int l, found;

	*visits = *changed = 0;
	if ((set = settings(o, err)) == NULL)
		return DS_ESTATE;
	memset(&r, 0, sizeof(r));
	if ((s = odb_visit_each_final(o, relight_collect, &r, err)) != DS_OK)
		goto out;
	if (r.oom) {
		s = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	for (i = 0; i < r.n; i++) {
		(*visits)++;
		if ((s = odb_rev_answers(o, r.v[i].rev_id, &a, err)) != DS_OK)
			goto out;
		l = case_answers_light(set, a, strlen(a));
		odb_answers_free(a);
		a = NULL;
		if (strcmp(r.v[i].light, oset_light_str(l)) != 0)
			(*changed)++;
		if ((s = odb_visit_light(o, &r.v[i], oset_light_str(l),
		    set->hash, err)) != DS_OK)
			goto out;
		/* The household's light after its last visit. */
		if (i + 1 == r.n || strcmp(r.v[i].hh_key,
		    r.v[i + 1].hh_key) != 0) {
			if ((s = odb_visit_last_light(o, r.v[i].hh_key, &found,
			    light, date, err)) != DS_OK)
				goto out;
			snprintf(mo, sizeof(mo), "%.7s", date);
			if ((s = odb_hh_light(o, r.v[i].hh_key, found ? light :
			    "", found ? mo : "", err)) != DS_OK)
				goto out;
		}
	}
out:
	ds_free(r.v);
	return s;
}
