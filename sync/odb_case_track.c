/* doorstep: office.db SQL of a case's track: events, measures, rounds,
 * income checks, problems and frozen months (schema 4; odb_case.h). */
/*
 * Split from odb_case.c (households, members, clues, visits), whose
 * helpers it shares through odb_case_int.h.
 */
#include "odb_int.h"
#include "odb_case.h"
#include "odb_case_int.h"

#include <stdio.h>
#include <string.h>

#include "arr.h"
#include "mem.h"
#include "util.h"

/* ---- case_event ------------------------------------------------------------- */

#define EV_COLS "event_id, hh_key, seq, track, step, outcome, date," \
    " date_end, objections, category, elim_kind, channel, ref, corrects," \
    " source, recorded_at, detail, by_name, note"

static void
ev_row(struct dbx_stmt *st, struct odb_event *e)
{
	struct case_event *c = &e->ev;
	char t[ODB_CODE_MAX];

	memset(e, 0, sizeof(*e));
	oc_col_blob(st, 0, c->id, CASE_ID_BYTES);
	oc_col_text(st, 1, e->hh_key, sizeof(e->hh_key));
	c->seq = dbx_column_int64(st, 2);
	oc_col_text(st, 3, t, sizeof(t));
	c->track = case_track_from(t);
	oc_col_text(st, 4, t, sizeof(t));
	c->step = case_step_from(t);
	oc_col_text(st, 5, t, sizeof(t));
	c->outcome = case_outcome_from(t);
	oc_col_text(st, 6, c->date, sizeof(c->date));
	oc_col_text(st, 7, c->date_end, sizeof(c->date_end));
	c->objections = dbx_column_int(st, 8);
	oc_col_text(st, 9, t, sizeof(t));
	c->category = case_cat_from(t);
	oc_col_text(st, 10, t, sizeof(t));
	c->kind = case_kind_from(t);
	oc_col_text(st, 11, t, sizeof(t));
	c->channel = case_channel_from(t);
	e->has_ref = oc_col_blob(st, 12, e->ref, 16);
	c->has_corrects = oc_col_blob(st, 13, c->corrects, CASE_ID_BYTES);
	oc_col_text(st, 14, e->source, sizeof(e->source));
	c->recorded_at = dbx_column_int64(st, 15);
	oc_col_text(st, 16, e->detail, sizeof(e->detail));
	c->has_note = dbx_column_type(st, 18) != DBX_NULL;
}

static const char Q_EV_SEQ[] = "SELECT coalesce(max(seq), 0) + 1 FROM"
    " case_event WHERE hh_key = ?1";
static const char Q_EV_PUT[] = "INSERT INTO case_event(" EV_COLS ") VALUES"
    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
    " ?16, ?17, ?18, ?19)";

enum ds_status
odb_event_put(struct odb *o, struct odb_event *e, const char *by,
    const char *note, struct ds_err *err)
{
	struct case_event *c = &e->ev;
	struct dbx_stmt *st;
	enum ds_status s;
	int found, rc;

	if ((s = odb_event_exists(o, c->id, &found, err)) != DS_OK)
		return s;
	if (found)
		return ds_err_set(err, DS_EEXIST, "event already recorded");
	if ((st = odb_stmt(o, Q_EV_SEQ, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, e->hh_key);
	rc = dbx_step(st);
	if (rc != DBX_ROW) {
		s = odb_sqlerr(o->db, rc, err, "case_event");
		dbx_reset(st);
		return s;
	}
	c->seq = dbx_column_int64(st, 0);
	dbx_reset(st);
	if ((st = odb_stmt(o, Q_EV_PUT, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, c->id, CASE_ID_BYTES);
	oc_bind_text(st, 2, e->hh_key);
	dbx_bind_int64(st, 3, c->seq);
	oc_bind_text(st, 4, case_track_str(c->track));
	oc_bind_text(st, 5, case_step_str(c->step));
	oc_bind_text(st, 6, case_outcome_str(c->outcome));
	oc_bind_text(st, 7, c->date);
	oc_bind_text(st, 8, c->date_end);
	dbx_bind_int(st, 9, c->objections);
	oc_bind_text(st, 10, case_cat_str(c->category));
	oc_bind_text(st, 11, case_kind_str(c->kind));
	oc_bind_text(st, 12, case_channel_str(c->channel));
	oc_bind_blob(st, 13, e->has_ref ? e->ref : NULL, 16);
	oc_bind_blob(st, 14, c->has_corrects ? c->corrects : NULL,
	    CASE_ID_BYTES);
	oc_bind_text(st, 15, e->source);
	dbx_bind_int64(st, 16, c->recorded_at);
	oc_bind_text(st, 17, e->detail);
	if ((s = oc_bind_sealed(o, st, 18, "case_event.by_name", c->id,
	    CASE_ID_BYTES, by != NULL && *by ? by : NULL, err)) != DS_OK ||
	    (s = oc_bind_sealed(o, st, 19, "case_event.note", c->id,
	    CASE_ID_BYTES, note != NULL && *note ? note : NULL, err)) !=
	    DS_OK) {
		dbx_reset(st);
		return s;
	}
	return oc_step_done(o, st, "case_event", err);
}

static const char Q_EV_EXISTS[] = "SELECT 1 FROM case_event WHERE"
    " event_id = ?1";

enum ds_status
odb_event_exists(struct odb *o, const unsigned char id[16], int *found,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	*found = 0;
	if ((st = odb_stmt(o, Q_EV_EXISTS, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, id, 16);
	rc = dbx_step(st);
	if (rc == DBX_ROW)
		*found = 1;
	else if (rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, "case_event");
	dbx_reset(st);
	return s;
}

static const char Q_EV_LOAD[] = "SELECT " EV_COLS " FROM case_event WHERE"
    " hh_key = ?1 AND (?2 = 0 OR recorded_at <= ?2) ORDER BY seq";

enum ds_status
odb_event_load(struct odb *o, const char *key, int64_t upto,
    struct case_event **out, size_t *n, struct ds_err *err)
{
	struct case_event *v = NULL;
	struct odb_event e;
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = odb_stmt(o, Q_EV_LOAD, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	dbx_bind_int64(st, 2, upto);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		if ((s = ds_arr_grow(&v, &cap, *n + 1, sizeof(*v),
		    ODB_EVENTS_MAX)) != DS_OK) {
			ds_err_set(err, s, "a case with too many events");
			break;
		}
		ev_row(st, &e);
		v[(*n)++] = e.ev;
	}
	if (s == DS_OK && rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, "case_event");
	dbx_reset(st);
	if (s != DS_OK) {
		ds_free(v);
		*n = 0;
		return s;
	}
	*out = v;
	return DS_OK;
}

static const char Q_EV_HH[] = "SELECT " EV_COLS " FROM case_event WHERE"
    " hh_key = ?1 ORDER BY seq";

struct ev_each {
	struct odb	*o;
	int		 text;
	int		(*cb)(void *, const struct odb_event *, const char *,
			    const char *);
	void		*arg;
	struct odb_plain pl[2];
	struct ds_err	*err;
};

static enum ds_status
ev_each_row(void *arg, struct dbx_stmt *st, int *stop)
{
	struct ev_each *c = arg;
	struct odb_event e;
	const char *by = NULL, *note = NULL;
	enum ds_status s;

	ev_row(st, &e);
	if (c->text &&
	    ((s = oc_col_open(c->o, st, 17, "case_event.by_name", e.ev.id,
	    CASE_ID_BYTES, &c->pl[0], &by, c->err)) != DS_OK ||
	    (s = oc_col_open(c->o, st, 18, "case_event.note", e.ev.id,
	    CASE_ID_BYTES, &c->pl[1], &note, c->err)) != DS_OK))
		return s;
	*stop = c->cb(c->arg, &e, by, note);
	odb_plain_wipe(&c->pl[0]);
	odb_plain_wipe(&c->pl[1]);
	return DS_OK;
}

enum ds_status
odb_event_each_hh(struct odb *o, const char *key, int text,
    int (*cb)(void *, const struct odb_event *, const char *, const char *),
    void *arg, struct ds_err *err)
{
	struct ev_each c;
	struct dbx_stmt *st;
	enum ds_status s;

	if ((st = odb_stmt(o, Q_EV_HH, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.text = text;
	c.cb = cb;
	c.arg = arg;
	c.err = err;
	s = oc_each_row(o, st, "case_event", ev_each_row, &c, err);
	odb_plain_free(&c.pl[0]);
	odb_plain_free(&c.pl[1]);
	return s;
}

static const char Q_EV_FIND[] = "SELECT " EV_COLS " FROM case_event WHERE"
    " hh_key = ?1 AND substr(lower(hex(event_id)), 1, length(?2)) = ?2"
    " LIMIT 2";

enum ds_status
odb_event_find(struct odb *o, const char *key, const char *prefix,
    struct odb_event *out, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	char hex[33];
	int rc, n = 0;

	if ((s = oc_hex_prefix(prefix, hex, err)) != DS_OK)
		return s;
	if ((st = odb_stmt(o, Q_EV_FIND, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	oc_bind_text(st, 2, hex);
	while ((rc = dbx_step(st)) == DBX_ROW)
		if (n++ == 0)
			ev_row(st, out);
	s = rc == DBX_DONE ? DS_OK : odb_sqlerr(o->db, rc, err,
	    "case_event");
	dbx_reset(st);
	if (s == DS_OK && n == 0)
		s = ds_err_set(err, DS_ENOENT, "no event of %s starts with %s",
		    key, hex);
	else if (s == DS_OK && n > 1)
		s = ds_err_set(err, DS_EINVAL, "several events of %s start "
		    "with %s", key, hex);
	return s;
}

/* ---- measure ---------------------------------------------------------------- */

#define MS_COLS "measure_id, hh_key, type, dept, start_date, unit, status," \
    " source, source_rev, created_at, updated_at, amount, note"

static void
ms_row(struct dbx_stmt *st, struct odb_measure *m)
{
	memset(m, 0, sizeof(*m));
	oc_col_blob(st, 0, m->id, CASE_ID_BYTES);
	oc_col_text(st, 1, m->hh_key, sizeof(m->hh_key));
	oc_col_text(st, 2, m->type, sizeof(m->type));
	oc_col_text(st, 3, m->dept, sizeof(m->dept));
	oc_col_text(st, 4, m->start_date, sizeof(m->start_date));
	oc_col_text(st, 5, m->unit, sizeof(m->unit));
	oc_col_text(st, 6, m->status, sizeof(m->status));
	oc_col_text(st, 7, m->source, sizeof(m->source));
	m->has_source_rev = oc_col_blob(st, 8, m->source_rev, 16);
	m->created_at = dbx_column_int64(st, 9);
	m->updated_at = dbx_column_int64(st, 10);
}

static const char Q_MS_EXISTS[] = "SELECT 1 FROM measure WHERE"
    " measure_id = ?1";
static const char Q_MS_PUT[] = "INSERT INTO measure(" MS_COLS ") VALUES"
    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12)";

enum ds_status
odb_measure_put(struct odb *o, const struct odb_measure *m,
    const char *amount, const char *note, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	int rc;

	if ((st = odb_stmt(o, Q_MS_EXISTS, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, m->id, CASE_ID_BYTES);
	rc = dbx_step(st);
	dbx_reset(st);
	if (rc == DBX_ROW)
		return ds_err_set(err, DS_EEXIST, "measure already recorded");
	if (rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "measure");
	if ((st = odb_stmt(o, Q_MS_PUT, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, m->id, CASE_ID_BYTES);
	oc_bind_text(st, 2, m->hh_key);
	oc_bind_text(st, 3, m->type);
	oc_bind_text(st, 4, m->dept);
	oc_bind_text(st, 5, m->start_date);
	oc_bind_text(st, 6, m->unit);
	oc_bind_text(st, 7, m->status);
	oc_bind_text(st, 8, m->source);
	oc_bind_blob(st, 9, m->has_source_rev ? m->source_rev : NULL, 16);
	dbx_bind_int64(st, 10, m->created_at);
	if ((s = oc_bind_sealed(o, st, 11, "measure.amount", m->id,
	    CASE_ID_BYTES, amount != NULL && *amount ? amount : NULL, err)) !=
	    DS_OK ||
	    (s = oc_bind_sealed(o, st, 12, "measure.note", m->id, CASE_ID_BYTES,
	    note != NULL && *note ? note : NULL, err)) != DS_OK) {
		dbx_reset(st);
		return s;
	}
	return oc_step_done(o, st, "measure", err);
}

static const char Q_MS_STATUS[] = "UPDATE measure SET status = ?2,"
    " note = CASE WHEN CAST(?3 AS BLOB) IS NULL THEN note ELSE ?3 END,"
    " updated_at = ?4"
    " WHERE measure_id = ?1";

enum ds_status
odb_measure_status(struct odb *o, const unsigned char id[16],
    const char *status, const char *note, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;

	if ((st = odb_stmt(o, Q_MS_STATUS, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, id, CASE_ID_BYTES);
	oc_bind_text(st, 2, status);
	if ((s = oc_bind_sealed(o, st, 3, "measure.note", id, CASE_ID_BYTES,
	    note != NULL && *note ? note : NULL, err)) != DS_OK) {
		dbx_reset(st);
		return s;
	}
	dbx_bind_int64(st, 4, ds_now());
	return oc_step_done(o, st, "measure", err);
}

static const char Q_MS_FIND[] = "SELECT " MS_COLS " FROM measure WHERE"
    " hh_key = ?1 AND substr(lower(hex(measure_id)), 1, length(?2)) = ?2"
    " LIMIT 2";

enum ds_status
odb_measure_find(struct odb *o, const char *key, const char *prefix,
    struct odb_measure *out, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	char hex[33];
	int rc, n = 0;

	if ((s = oc_hex_prefix(prefix, hex, err)) != DS_OK)
		return s;
	if ((st = odb_stmt(o, Q_MS_FIND, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	oc_bind_text(st, 2, hex);
	while ((rc = dbx_step(st)) == DBX_ROW)
		if (n++ == 0)
			ms_row(st, out);
	s = rc == DBX_DONE ? DS_OK : odb_sqlerr(o->db, rc, err, "measure");
	dbx_reset(st);
	if (s == DS_OK && n == 0)
		s = ds_err_set(err, DS_ENOENT, "no measure of %s starts with %s",
		    key, hex);
	else if (s == DS_OK && n > 1)
		s = ds_err_set(err, DS_EINVAL, "several measures of %s start "
		    "with %s", key, hex);
	return s;
}

static const char Q_MS_HH[] = "SELECT " MS_COLS " FROM measure WHERE"
    " hh_key = ?1 ORDER BY type, start_date, measure_id";

struct ms_each {
	struct odb	*o;
	int		 text;
	int		(*cb)(void *, const struct odb_measure *, const char *,
			    const char *);
	void		*arg;
	struct odb_plain pl[2];
	struct ds_err	*err;
};

static enum ds_status
ms_each_row(void *arg, struct dbx_stmt *st, int *stop)
{
	struct ms_each *c = arg;
	struct odb_measure m;
	const char *amount = NULL, *note = NULL;
	enum ds_status s;

	ms_row(st, &m);
	if (c->text &&
	    ((s = oc_col_open(c->o, st, 11, "measure.amount", m.id,
	    CASE_ID_BYTES, &c->pl[0], &amount, c->err)) != DS_OK ||
	    (s = oc_col_open(c->o, st, 12, "measure.note", m.id, CASE_ID_BYTES,
	    &c->pl[1], &note, c->err)) != DS_OK))
		return s;
	*stop = c->cb(c->arg, &m, amount, note);
	odb_plain_wipe(&c->pl[0]);
	odb_plain_wipe(&c->pl[1]);
	return DS_OK;
}

enum ds_status
odb_measure_each_hh(struct odb *o, const char *key, int text,
    int (*cb)(void *, const struct odb_measure *, const char *, const char *),
    void *arg, struct ds_err *err)
{
	struct ms_each c;
	struct dbx_stmt *st;
	enum ds_status s;

	if ((st = odb_stmt(o, Q_MS_HH, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.text = text;
	c.cb = cb;
	c.arg = arg;
	c.err = err;
	s = oc_each_row(o, st, "measure", ms_each_row, &c, err);
	odb_plain_free(&c.pl[0]);
	odb_plain_free(&c.pl[1]);
	return s;
}

static const char Q_MS_ACTIVE[] = "SELECT count(*) FROM measure WHERE"
    " hh_key = ?1 AND type = ?2 AND status IN ('planned', 'in_progress')";

enum ds_status
odb_measure_active(struct odb *o, const char *key, const char *type,
    int64_t *n, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	*n = 0;
	if ((st = odb_stmt(o, Q_MS_ACTIVE, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	oc_bind_text(st, 2, type);
	if ((rc = dbx_step(st)) == DBX_ROW)
		*n = dbx_column_int64(st, 0);
	else
		s = odb_sqlerr(o->db, rc, err, "measure");
	dbx_reset(st);
	return s;
}

/* ---- round -------------------------------------------------------------------- */

static const char Q_ROUND_PUT[] = "INSERT INTO round(name, started, due,"
    " scope, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char Q_ROUND_GET[] = "SELECT name, started, due, scope,"
    " created_at FROM round WHERE name = ?1";
static const char Q_ROUND_EACH[] = "SELECT name, started, due, scope,"
    " created_at FROM round ORDER BY started, name";

static void
round_row(struct dbx_stmt *st, struct odb_round *r)
{
	memset(r, 0, sizeof(*r));
	oc_col_text(st, 0, r->name, sizeof(r->name));
	oc_col_text(st, 1, r->started, sizeof(r->started));
	oc_col_text(st, 2, r->due, sizeof(r->due));
	oc_col_text(st, 3, r->scope, sizeof(r->scope));
	r->created_at = dbx_column_int64(st, 4);
}

enum ds_status
odb_round_put(struct odb *o, const struct odb_round *r, struct ds_err *err)
{
	struct odb_round old;
	struct dbx_stmt *st;
	enum ds_status s;

	if ((s = odb_round_get(o, r->name, &old, err)) == DS_OK)
		return ds_err_set(err, DS_EEXIST, "round %s exists", r->name);
	if (s != DS_ENOENT)
		return s;
	if ((st = odb_stmt(o, Q_ROUND_PUT, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, r->name);
	oc_bind_text(st, 2, r->started);
	oc_bind_text(st, 3, r->due);
	oc_bind_text(st, 4, r->scope);
	dbx_bind_int64(st, 5, r->created_at);
	return oc_step_done(o, st, "round", err);
}

enum ds_status
odb_round_get(struct odb *o, const char *name, struct odb_round *out,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	if ((st = odb_stmt(o, Q_ROUND_GET, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, name);
	rc = dbx_step(st);
	if (rc == DBX_ROW)
		round_row(st, out);
	else if (rc == DBX_DONE)
		s = ds_err_set(err, DS_ENOENT, "no round %s", name);
	else
		s = odb_sqlerr(o->db, rc, err, "round");
	dbx_reset(st);
	return s;
}

struct round_each {
	int	(*cb)(void *, const struct odb_round *);
	void	*arg;
};

static enum ds_status
round_each_row(void *arg, struct dbx_stmt *st, int *stop)
{
	struct round_each *c = arg;
	struct odb_round r;

	round_row(st, &r);
	*stop = c->cb(c->arg, &r);
	return DS_OK;
}

enum ds_status
odb_round_each(struct odb *o, int (*cb)(void *, const struct odb_round *),
    void *arg, struct ds_err *err)
{
	struct round_each c;
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_ROUND_EACH, err)) == NULL)
		return NOSTMT(err);
	c.cb = cb;
	c.arg = arg;
	return oc_each_row(o, st, "round", round_each_row, &c, err);
}

/* ---- income_check ----------------------------------------------------------------- */

static const char Q_INC_PUT[] = "INSERT INTO income_check(hh_key,"
    " month, light, amount, batch) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT DO NOTHING";

enum ds_status
odb_income_put(struct odb *o, const char *key, const char *month,
    const char *light, const char *amount, const unsigned char batch[32],
    int *inserted, struct ds_err *err)
{
	char rk[CASE_KEY_MAX + 16];
	struct dbx_stmt *st;
	enum ds_status s;
	int n;

	*inserted = 0;
	snprintf(rk, sizeof(rk), "%s/%s", key, month);
	if ((st = odb_stmt(o, Q_INC_PUT, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	oc_bind_text(st, 2, month);
	oc_bind_text(st, 3, light);
	if ((s = oc_bind_sealed(o, st, 4, "income_check.amount", rk, strlen(rk),
	    amount, err)) != DS_OK) {
		dbx_reset(st);
		return s;
	}
	oc_bind_blob(st, 5, batch, 32);
	if ((s = oc_step_done(o, st, "income_check", err)) != DS_OK)
		return s;
	if ((n = dbx_changes(o->db)) < 0)	/* PostgreSQL: it failed */
		return odb_sqlerr(o->db, DBX_ERROR, err, "income_check");
	*inserted = n > 0;
	return DS_OK;
}

static const char Q_INC_LAST[] = "SELECT month, light FROM income_check"
    " WHERE hh_key = ?1 AND month <= ?2 ORDER BY month DESC LIMIT ?3";

enum ds_status
odb_income_last(struct odb *o, const char *key, const char *month,
    char (*months)[8], char (*lights)[ODB_CODE_MAX], size_t max, size_t *n,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	*n = 0;
	if ((st = odb_stmt(o, Q_INC_LAST, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	oc_bind_text(st, 2, month);
	dbx_bind_int64(st, 3, (int64_t)max);
	while ((rc = dbx_step(st)) == DBX_ROW && *n < max) {
		oc_col_text(st, 0, months[*n], 8);
		oc_col_text(st, 1, lights[*n], ODB_CODE_MAX);
		(*n)++;
	}
	if (rc != DBX_DONE && rc != DBX_ROW)
		s = odb_sqlerr(o->db, rc, err, "income_check");
	dbx_reset(st);
	return s;
}

static const char Q_INC_BATCH[] = "SELECT 1 FROM income_check WHERE"
    " batch = ?1 LIMIT 1";

enum ds_status
odb_income_batch(struct odb *o, const unsigned char hash[32], int *found,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	*found = 0;
	if ((st = odb_stmt(o, Q_INC_BATCH, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, hash, 32);
	rc = dbx_step(st);
	if (rc == DBX_ROW)
		*found = 1;
	else if (rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, "income_check");
	dbx_reset(st);
	return s;
}

/* ---- problem -------------------------------------------------------------------- */

#define PB_COLS "problem_id, kind, hh_key, record_uuid, path, first_seen," \
    " last_seen, closed_at, detail, closed_by, note"

static void
pb_row(struct dbx_stmt *st, struct odb_problem *p)
{
	memset(p, 0, sizeof(*p));
	oc_col_blob(st, 0, p->id, CASE_ID_BYTES);
	oc_col_text(st, 1, p->kind, sizeof(p->kind));
	oc_col_text(st, 2, p->hh_key, sizeof(p->hh_key));
	p->has_record = oc_col_blob(st, 3, p->record_uuid, 16);
	oc_col_text(st, 4, p->path, sizeof(p->path));
	p->first_seen = dbx_column_int64(st, 5);
	p->last_seen = dbx_column_int64(st, 6);
	p->closed_at = dbx_column_int64(st, 7);
}

#define Q_PB_SEEN_SQL(k) "INSERT INTO problem(problem_id, kind,"\
    " hh_key, record_uuid, path, first_seen, last_seen, detail) VALUES"\
    " (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7) ON CONFLICT(" k "problem_id) DO UPDATE"\
    " SET last_seen = excluded.last_seen, detail = excluded.detail"
static const char Q_PB_SEEN[] = Q_PB_SEEN_SQL("");
static const char Q_PB_SEEN_PG[] = Q_PB_SEEN_SQL(ODB_PG_KEY);

enum ds_status
odb_problem_seen(struct odb *o, const struct odb_problem *p,
    const char *detail, int64_t now, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;

	if ((st = odb_stmt(o, odb_sql(o, Q_PB_SEEN, Q_PB_SEEN_PG), err)) ==
	    NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, p->id, CASE_ID_BYTES);
	oc_bind_text(st, 2, p->kind);
	oc_bind_text(st, 3, p->hh_key);
	oc_bind_blob(st, 4, p->has_record ? p->record_uuid : NULL, 16);
	oc_bind_text(st, 5, p->path);
	dbx_bind_int64(st, 6, now);
	if ((s = oc_bind_sealed(o, st, 7, "problem.detail", p->id,
	    CASE_ID_BYTES, detail != NULL && *detail ? detail : NULL,
	    err)) != DS_OK) {
		dbx_reset(st);
		return s;
	}
	return oc_step_done(o, st, "problem", err);
}

static const char Q_PB_FIND[] = "SELECT " PB_COLS " FROM problem WHERE"
    " substr(lower(hex(problem_id)), 1, length(?1)) = ?1 LIMIT 2";
static const char Q_PB_CLOSE[] = "UPDATE problem SET closed_at = ?2,"
    " closed_by = ?3, note = ?4 WHERE problem_id = ?1 AND closed_at IS NULL";

enum ds_status
odb_problem_close(struct odb *o, const char *prefix, const char *by,
    const char *note, int64_t now, struct odb_problem *out,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	char hex[33];
	int rc, n = 0;

	if ((s = oc_hex_prefix(prefix, hex, err)) != DS_OK)
		return s;
	if ((st = odb_stmt(o, Q_PB_FIND, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, hex);
	while ((rc = dbx_step(st)) == DBX_ROW)
		if (n++ == 0)
			pb_row(st, out);
	s = rc == DBX_DONE ? DS_OK : odb_sqlerr(o->db, rc, err, "problem");
	dbx_reset(st);
	if (s != DS_OK)
		return s;
	if (n == 0)
		return ds_err_set(err, DS_ENOENT, "no problem id starts with %s",
		    hex);
	if (n > 1)
		return ds_err_set(err, DS_EINVAL, "several problem ids start "
		    "with %s", hex);
	if (out->closed_at != 0)
		return ds_err_set(err, DS_ESTATE, "problem already closed");
	if ((st = odb_stmt(o, Q_PB_CLOSE, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, out->id, CASE_ID_BYTES);
	dbx_bind_int64(st, 2, now);
	if ((s = oc_bind_sealed(o, st, 3, "problem.closed_by", out->id,
	    CASE_ID_BYTES, by, err)) != DS_OK ||
	    (s = oc_bind_sealed(o, st, 4, "problem.note", out->id,
	    CASE_ID_BYTES, note, err)) != DS_OK) {
		dbx_reset(st);
		return s;
	}
	out->closed_at = now;
	return oc_step_done(o, st, "problem", err);
}

static const char Q_PB_EACH[] = "SELECT " PB_COLS " FROM problem"
    " ORDER BY hh_key, kind, path, problem_id";

struct pb_each {
	struct odb	*o;
	int		(*cb)(void *, const struct odb_problem *, const char *,
			    const char *, const char *);
	void		*arg;
	struct odb_plain pl[3];
	struct ds_err	*err;
};

static enum ds_status
pb_each_row(void *arg, struct dbx_stmt *st, int *stop)
{
	static const char *const tags[3] = { "problem.detail",
	    "problem.closed_by", "problem.note" };
	struct pb_each *c = arg;
	struct odb_problem p;
	const char *v[3];
	enum ds_status s;
	int i;

	pb_row(st, &p);
	for (i = 0; i < 3; i++)
		if ((s = oc_col_open(c->o, st, 8 + i, tags[i], p.id,
		    CASE_ID_BYTES, &c->pl[i], &v[i], c->err)) != DS_OK)
			return s;
	*stop = c->cb(c->arg, &p, v[0], v[1], v[2]);
	for (i = 0; i < 3; i++)
		odb_plain_wipe(&c->pl[i]);
	return DS_OK;
}

enum ds_status
odb_problem_each(struct odb *o,
    int (*cb)(void *, const struct odb_problem *, const char *, const char *,
    const char *), void *arg, struct ds_err *err)
{
	struct pb_each c;
	struct dbx_stmt *st;
	enum ds_status s;
	int i;

	if ((st = odb_stmt(o, Q_PB_EACH, err)) == NULL)
		return NOSTMT(err);
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.cb = cb;
	c.arg = arg;
	c.err = err;
	s = oc_each_row(o, st, "problem", pb_each_row, &c, err);
	for (i = 0; i < 3; i++)
		odb_plain_free(&c.pl[i]);
	return s;
}

/* ---- freeze ---------------------------------------------------------------------- */

static const char Q_FZ_GET[] = "SELECT frozen_at, cutoff FROM \"freeze\""
    " WHERE month = ?1";
static const char Q_FZ_PUT[] = "INSERT INTO \"freeze\"(month, frozen_at,"
    " cutoff,"
    " csv_hash, csv) VALUES (?1, ?2, ?3, ?4, ?5)";

enum ds_status
odb_freeze_get(struct odb *o, const char *month, int *found,
    int64_t *frozen_at, char cutoff[CASE_DATE_LEN], struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	*found = 0;
	*frozen_at = 0;
	cutoff[0] = '\0';
	if ((st = odb_stmt(o, Q_FZ_GET, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, month);
	rc = dbx_step(st);
	if (rc == DBX_ROW) {
		*found = 1;
		*frozen_at = dbx_column_int64(st, 0);
		oc_col_text(st, 1, cutoff, CASE_DATE_LEN);
	} else if (rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, "freeze");
	dbx_reset(st);
	return s;
}

enum ds_status
odb_freeze_put(struct odb *o, const char *month, int64_t frozen_at,
    const char *cutoff, const void *csv, size_t len, struct ds_err *err)
{
	unsigned char h[32], *ct;
	struct dbx_stmt *st;
	char c[CASE_DATE_LEN];
	enum ds_status s;
	int64_t t;
	int found;

	if ((s = odb_freeze_get(o, month, &found, &t, c, err)) != DS_OK)
		return s;
	if (found)
		return ds_err_set(err, DS_EEXIST, "month %s is frozen", month);
	if (o->dkey == NULL)
		return ds_err_set(err, DS_ESTATE, "office db: opened without "
		    "the office secret key");
	if ((ct = ds_malloc(ODB_SEALED_LEN(len))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	cry_hash(h, sizeof(h), NULL, 0, csv, len);
	odb_seal_row(o, "freeze.csv", month, strlen(month), csv, len, ct);
	if ((st = odb_stmt(o, Q_FZ_PUT, err)) == NULL) {
		ds_free(ct);
		return NOSTMT(err);
	}
	oc_bind_text(st, 1, month);
	dbx_bind_int64(st, 2, frozen_at);
	oc_bind_text(st, 3, cutoff);
	oc_bind_blob(st, 4, h, 32);
	dbx_bind_blob(st, 5, ct, (int)ODB_SEALED_LEN(len));
	ds_free(ct);
	return oc_step_done(o, st, "freeze", err);
}
