/* doorstep: read-only office.db cursors for the case reports. */
/*
 * Kept apart from the importer's statements: each cursor prepares its own
 * SELECT (so several can run at once on one connection, merged by the
 * report) and finalizes it on close.  The case tables are clustered by
 * household key (hh, case_event by key and seq, visit by key and date),
 * so every scan here walks its table in order.
 */
#include "odb_report.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mem.h"
#include "odb_int.h"
#include "val.h"

static const char Q_HH[] = "SELECT hh_key, township, village, vgroup,"
    " members, in_register FROM hh ORDER BY hh_key";
static const char Q_EV[] = "SELECT hh_key, event_id, seq, track, step,"
    " outcome, date, date_end, objections, category, elim_kind, channel,"
    " ref, corrects, recorded_at, detail, note IS NOT NULL FROM case_event"
    " WHERE ?1 = 0 OR recorded_at <= ?1 ORDER BY hh_key, seq";
static const char Q_VISIT[] = "SELECT hh_key, record_uuid, visit_date,"
    " visit_type, outcome, consent, light, worker_id, finalized_at,"
    " imported_at FROM visit WHERE finalized = 1 AND (?1 = 0 OR"
    " imported_at <= ?1) AND (visit_date <= ?2 OR ?2 IS NULL)"
    " ORDER BY hh_key, visit_date";
static const char Q_CLUE[] = "SELECT coalesce(hh_key, ''), date, channel,"
    " state = 'open' OR (?1 != 0 AND closed_at > ?1) FROM clue"
    " WHERE (?1 = 0 OR received_at <= ?1) AND (date <= ?2 OR ?2 IS NULL)"
    " ORDER BY coalesce(hh_key, '')";	/* NULL first on both engines */

struct odb_rcur {
	struct odb	*o;
	struct dbx_stmt	*st;
	int		 kind;
};

enum ds_status
odb_rcur_open(struct odb *o, int kind, int64_t upto, const char *date_to,
    struct odb_rcur **out, struct ds_err *err)
{
	const char *q = kind == ODB_REP_HH ? Q_HH : kind == ODB_REP_EV ? Q_EV :
	    kind == ODB_REP_VISIT ? Q_VISIT : kind == ODB_REP_CLUE ? Q_CLUE :
	    NULL;
	struct odb_rcur *c;
	int rc;

	*out = NULL;
	if (q == NULL)
		return ds_err_set(err, DS_EINVAL, "report: no such cursor");
	if ((c = ds_calloc(1, sizeof(*c))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	c->o = o;
	c->kind = kind;
	if ((rc = dbx_prepare(o->db, q, &c->st)) !=
	    DBX_OK) {
		ds_free(c);
		return odb_sqlerr(o->db, rc, err, "report");
	}
	if (kind != ODB_REP_HH)
		dbx_bind_int64(c->st, 1, upto);
	if (kind == ODB_REP_VISIT || kind == ODB_REP_CLUE) {
		if (date_to != NULL)
			dbx_bind_text(c->st, 2, date_to, -1);
		else
			dbx_bind_null(c->st, 2);
	}
	*out = c;
	return DS_OK;
}

static void
text(struct dbx_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = dbx_column_text(st, i);

	snprintf(out, n, "%s", t != NULL ? (const char *)t : "");
}

static int
blob(struct dbx_stmt *st, int i, unsigned char *out, int n)
{
	const void *p = dbx_column_blob(st, i);

	if (p != NULL && dbx_column_bytes(st, i) == n) {
		memcpy(out, p, (size_t)n);
		return 1;
	}
	memset(out, 0, (size_t)n);
	return 0;
}

static void
ev_row(struct dbx_stmt *st, struct odb_rep_ev *r)
{
	struct case_event *e = &r->ev;
	char t[ODB_CODE_MAX];

	text(st, 0, r->hh_key, sizeof(r->hh_key));
	memset(e, 0, sizeof(*e));
	blob(st, 1, e->id, CASE_ID_BYTES);
	e->seq = dbx_column_int64(st, 2);
	text(st, 3, t, sizeof(t));
	e->track = case_track_from(t);
	text(st, 4, t, sizeof(t));
	e->step = case_step_from(t);
	text(st, 5, t, sizeof(t));
	e->outcome = case_outcome_from(t);
	text(st, 6, e->date, sizeof(e->date));
	text(st, 7, e->date_end, sizeof(e->date_end));
	e->objections = dbx_column_int(st, 8);
	text(st, 9, t, sizeof(t));
	e->category = case_cat_from(t);
	text(st, 10, t, sizeof(t));
	e->kind = case_kind_from(t);
	text(st, 11, t, sizeof(t));
	e->channel = case_channel_from(t);
	r->has_ref = blob(st, 12, r->ref, 16);
	e->has_corrects = blob(st, 13, e->corrects, CASE_ID_BYTES);
	e->recorded_at = dbx_column_int64(st, 14);
	text(st, 15, r->detail, sizeof(r->detail));
	e->has_note = dbx_column_int(st, 16);
}

int
odb_rcur_next(struct odb_rcur *c, void *row, struct ds_err *err)
{
	struct dbx_stmt *st = c->st;
	int rc = dbx_step(st);

	if (rc == DBX_DONE)
		return 0;
	if (rc != DBX_ROW) {
		odb_sqlerr(c->o->db, rc, err, "report");
		return -1;
	}
	switch (c->kind) {
	case ODB_REP_HH: {
		struct odb_rep_hh *h = row;

		text(st, 0, h->hh_key, sizeof(h->hh_key));
		text(st, 1, h->township, sizeof(h->township));
		text(st, 2, h->village, sizeof(h->village));
		text(st, 3, h->vgroup, sizeof(h->vgroup));
		h->members = dbx_column_int64(st, 4);
		h->in_register = dbx_column_int(st, 5);
		break;
	}
	case ODB_REP_EV:
		ev_row(st, row);
		break;
	case ODB_REP_VISIT: {
		struct odb_rep_visit *v = row;

		text(st, 0, v->hh_key, sizeof(v->hh_key));
		blob(st, 1, v->record_uuid, 16);
		text(st, 2, v->visit_date, sizeof(v->visit_date));
		text(st, 3, v->visit_type, sizeof(v->visit_type));
		text(st, 4, v->outcome, sizeof(v->outcome));
		text(st, 5, v->consent, sizeof(v->consent));
		text(st, 6, v->light, sizeof(v->light));
		text(st, 7, v->worker_id, sizeof(v->worker_id));
		v->finalized_at = dbx_column_int64(st, 8);
		v->imported_at = dbx_column_int64(st, 9);
		break;
	}
	case ODB_REP_CLUE: {
		struct odb_rep_clue *k = row;

		text(st, 0, k->hh_key, sizeof(k->hh_key));
		text(st, 1, k->date, sizeof(k->date));
		text(st, 2, k->channel, sizeof(k->channel));
		k->open = dbx_column_int(st, 3);
		break;
	}
	default:
		return -1;
	}
	return 1;
}

void
odb_rcur_close(struct odb_rcur *c)
{
	if (c == NULL)
		return;
	dbx_finalize(c->st);
	ds_free(c);
}

enum ds_status
odb_report_freezes(struct odb *o,
    int (*cb)(void *, const char *, int64_t), void *arg, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	char m[16];
	int rc;

	/* Each township freezes its own months: across townships the
	 * county reports what is recorded, none of them as submitted. */
	if (o->county_all)
		return DS_OK;
	if ((rc = dbx_prepare(o->db, "SELECT month, frozen_at FROM"
	    " \"freeze\" ORDER BY month", &st)) != DBX_OK)
		return odb_sqlerr(o->db, rc, err, "freeze");
	while ((rc = dbx_step(st)) == DBX_ROW) {
		text(st, 0, m, sizeof(m));
		if (cb(arg, m, dbx_column_int64(st, 1)) != 0)
			break;
	}
	if (rc != DBX_ROW && rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, "freeze");
	dbx_finalize(st);
	return s;
}

/* Each household's best outcome in the dates: 3 done, 2 refused, 1 not
 * reached, NULL none: one probe of the visit table per household. */
static const char Q_COVER[] = "SELECT township, village, vgroup, count(*),"
    " sum(CASE WHEN b = 3 THEN 1 ELSE 0 END),"
    " sum(CASE WHEN b = 2 THEN 1 ELSE 0 END),"
    " sum(CASE WHEN b = 1 THEN 1 ELSE 0 END) FROM"
    " (SELECT township, village, vgroup,"
    "  (SELECT max(CASE v.outcome WHEN 'done' THEN 3 WHEN 'refused' THEN 2"
    "   WHEN 'not_reached' THEN 1 END) FROM visit v WHERE"
    "   v.hh_key = hh.hh_key AND v.visit_date BETWEEN ?1 AND ?2 AND"
    "   v.finalized = 1) AS b"
    "  FROM hh WHERE in_register = 1 AND (?3 = '' OR"
    "   ' ' || ?3 || ' ' LIKE '% ' || village || ' %')) AS hb"
    " GROUP BY township, village, vgroup"
    " ORDER BY township, village, vgroup";

enum ds_status
odb_report_coverage(struct odb *o, const char *from, const char *to,
    const char *scope, int (*cb)(void *, const struct odb_rep_cover *),
    void *arg, struct ds_err *err)
{
	struct odb_rep_cover c;
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	if ((rc = dbx_prepare(o->db, Q_COVER, &st)) !=
	    DBX_OK)
		return odb_sqlerr(o->db, rc, err, "coverage");
	dbx_bind_text(st, 1, from, -1);
	dbx_bind_text(st, 2, to, -1);
	dbx_bind_text(st, 3, scope != NULL ? scope : "", -1);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		memset(&c, 0, sizeof(c));
		text(st, 0, c.township, sizeof(c.township));
		text(st, 1, c.village, sizeof(c.village));
		text(st, 2, c.vgroup, sizeof(c.vgroup));
		c.reg = dbx_column_int64(st, 3);
		c.done = dbx_column_int64(st, 4);
		c.refused = dbx_column_int64(st, 5);
		c.not_reached = dbx_column_int64(st, 6);
		if (cb(arg, &c) != 0)
			break;
	}
	if (rc != DBX_ROW && rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, "coverage");
	dbx_finalize(st);
	return s;
}

/*
 * Each record's first finalized revision, its household's village, one
 * row a visit: the local date of finalizing is the program's (localtime,
 * as SQLite's 'localtime' modifier), not the server's time zone, so both
 * engines give the same days.
 */
static const char Q_TIME[] = "SELECT h.township, h.village, v.worker_id,"
    " v.visit_date, v.finalized_at, v.imported_at"
    " FROM (SELECT hh_key, worker_id, visit_date, finalized_at,"
    "  imported_at, row_number() OVER (PARTITION BY record_uuid"
    "  ORDER BY finalized_at, rev_id) AS nth FROM visit"
    "  WHERE finalized = 1) v JOIN hh h ON h.hh_key = v.hh_key"
    " WHERE v.nth = 1 AND v.visit_date != '' AND"
    " (v.visit_date >= ?1 OR ?1 IS NULL) AND"
    " (v.visit_date <= ?2 OR ?2 IS NULL)"
    " ORDER BY h.township, h.village, v.worker_id";

/* Days since the epoch of "YYYY-MM-DD"; -1 if it is not one. */
static int
day_of_text(const char *s, int64_t *days)
{
	int y, m, d;
	char tail;

	if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m,
	    &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*days = val_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

/* Days since the epoch of the local date of Unix time t. */
static int
day_of_time(int64_t t, int64_t *days)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (localtime_r(&tt, &tm) == NULL)
		return -1;
	*days = val_days_from_civil(tm.tm_year + 1900,
	    (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
	return 0;
}

/* One group's sums: avg and max of what was known, as SQL's. */
struct time_acc {
	struct odb_rep_time	 r;
	double			 vf_sum, fi_sum;
	int64_t			 vf_n, fi_n;
};

static int
time_flush(struct time_acc *a,
    int (*cb)(void *, const struct odb_rep_time *), void *arg)
{
	if (a->r.visits == 0)
		return 0;
	a->r.vf_avg = a->vf_n > 0 ? a->vf_sum / (double)a->vf_n : 0;
	a->r.fi_avg = a->fi_n > 0 ? a->fi_sum / (double)a->fi_n : 0;
	return cb(arg, &a->r);
}

static void
time_add(struct time_acc *a, struct dbx_stmt *st)
{
	int64_t dv, df;
	double x;

	a->r.visits++;
	if (dbx_column_type(st, 4) == DBX_NULL)
		return;
	if (day_of_text((const char *)dbx_column_text(st, 3), &dv) == 0 &&
	    day_of_time(dbx_column_int64(st, 4), &df) == 0) {
		x = (double)(df - dv);
		if (a->vf_n == 0 || x > a->r.vf_max)
			a->r.vf_max = x;
		a->vf_sum += x;
		a->vf_n++;
	}
	x = (double)(dbx_column_int64(st, 5) - dbx_column_int64(st, 4)) /
	    86400.0;
	if (a->fi_n == 0 || x > a->r.fi_max)
		a->r.fi_max = x;
	a->fi_sum += x;
	a->fi_n++;
}

enum ds_status
odb_report_timeliness(struct odb *o, const char *from, const char *to,
    int (*cb)(void *, const struct odb_rep_time *), void *arg,
    struct ds_err *err)
{
	struct time_acc a;
	struct odb_rep_time k;
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc, stop = 0;

	if ((rc = dbx_prepare(o->db, Q_TIME, &st)) != DBX_OK)
		return odb_sqlerr(o->db, rc, err, "timeliness");
	if (from != NULL)
		dbx_bind_text(st, 1, from, -1);
	if (to != NULL)
		dbx_bind_text(st, 2, to, -1);
	memset(&a, 0, sizeof(a));
	while (!stop && (rc = dbx_step(st)) == DBX_ROW) {
		memset(&k, 0, sizeof(k));
		text(st, 0, k.township, sizeof(k.township));
		text(st, 1, k.village, sizeof(k.village));
		text(st, 2, k.worker, sizeof(k.worker));
		if (a.r.visits > 0 && (strcmp(k.township, a.r.township) != 0 ||
		    strcmp(k.village, a.r.village) != 0 ||
		    strcmp(k.worker, a.r.worker) != 0)) {
			stop = time_flush(&a, cb, arg);
			memset(&a, 0, sizeof(a));
		}
		if (a.r.visits == 0)
			a.r = k;
		time_add(&a, st);
	}
	if (rc != DBX_ROW && rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, "timeliness");
	else if (!stop)
		(void)time_flush(&a, cb, arg);
	dbx_finalize(st);
	return s;
}
