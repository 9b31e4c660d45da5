/* doorstep: office.db SQL of the household case (schema 4). */
/*
 * One or a few cached statements per function, no transaction of its
 * own (odb_case.h).  Sealed columns go through oc_oc_bind_sealed / oc_col_open:
 * the AD binds each value to its table, column and row, so a value moved
 * to another row or column does not open.  Ids are 16-byte blobs; dates
 * are "YYYY-MM-DD" text and compare as text.
 */
#include "odb_int.h"
#include "odb_case.h"
#include "odb_case_int.h"

#include <stdio.h>
#include <string.h>

#include "arr.h"
#include "mem.h"
#include "util.h"


void
odb_case_settings(struct odb *o, const struct oset *set)
{
	o->set = set;
}

const struct oset *
odb_case_settings_get(const struct odb *o)
{
	return o->set != NULL ? o->set : oset_default();
}

/* ---- helpers -------------------------------------------------------------- */

enum ds_status
oc_step_done(struct odb *o, struct dbx_stmt *st, const char *what,
    struct ds_err *err)
{
	enum ds_status s = DS_OK;
	int rc = dbx_step(st);

	if (rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, what);
	dbx_reset(st);
	return s;
}

void
oc_bind_blob(struct dbx_stmt *st, int i, const unsigned char *p, int n)
{
	if (p == NULL)
		dbx_bind_null(st, i);
	else
		dbx_bind_blob(st, i, p, n);
}

void
oc_bind_text(struct dbx_stmt *st, int i, const char *s)
{
	if (s == NULL)
		dbx_bind_null(st, i);
	else
		dbx_bind_text(st, i, s, -1);
}

/*
 * The import's binds of values that stay put until the statement has
 * stepped (dbx_bind_blob_ref): its structures and the batch's rows, not
 * copied a value at a time.
 */
static void
ref_blob(struct dbx_stmt *st, int i, const unsigned char *p, int n)
{
	if (p == NULL)
		dbx_bind_null(st, i);
	else
		dbx_bind_blob_ref(st, i, p, n);
}

static void
ref_text(struct dbx_stmt *st, int i, const char *s)
{
	if (s == NULL)
		dbx_bind_null(st, i);
	else
		dbx_bind_text_ref(st, i, s, -1);
}

/* Seal text into column i (NULL text: NULL). */
enum ds_status
oc_bind_sealed(struct odb *o, struct dbx_stmt *st, int i, const char *tag,
    const void *key, size_t keylen, const char *text, struct ds_err *err)
{
	unsigned char *ct;
	size_t n;

	if (text == NULL) {
		dbx_bind_null(st, i);
		return DS_OK;
	}
	if (o->dkey == NULL)
		return ds_err_set(err, DS_ESTATE, "office db: opened without "
		    "the office secret key: %s cannot be sealed", tag);
	n = strlen(text);
	if ((ct = ds_malloc(ODB_SEALED_LEN(n))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	odb_seal_row(o, tag, key, keylen, text, n, ct);
	dbx_bind_blob(st, i, ct, (int)ODB_SEALED_LEN(n));
	ds_free(ct);
	return DS_OK;
}

/* Open sealed column i into pl; *out "" for NULL. */
enum ds_status
oc_col_open(struct odb *o, struct dbx_stmt *st, int i, const char *tag,
    const void *key, size_t keylen, struct odb_plain *pl, const char **out,
    struct ds_err *err)
{
	enum ds_status s;

	if (dbx_column_type(st, i) == DBX_NULL) {
		*out = "";
		return DS_OK;
	}
	if ((s = odb_unseal_row(o, st, i, tag, key, keylen, pl, err)) != DS_OK)
		return s;
	*out = pl->p;
	return DS_OK;
}

void
oc_col_text(struct dbx_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = dbx_column_text(st, i);

	snprintf(out, n, "%s", t != NULL ? (const char *)t : "");
}

/* A blob column of n bytes into out: 1, or 0 (out zeroed) otherwise. */
int
oc_col_blob(struct dbx_stmt *st, int i, unsigned char *out, int n)
{
	const void *p = dbx_column_blob(st, i);

	if (p != NULL && dbx_column_bytes(st, i) == n) {
		memcpy(out, p, (size_t)n);
		return 1;
	}
	memset(out, 0, (size_t)n);
	return 0;
}

/* Step through rows calling fn(st) for each; fn non-zero stops. */
enum ds_status
oc_each_row(struct odb *o, struct dbx_stmt *st, const char *what,
    enum ds_status (*fn)(void *, struct dbx_stmt *, int *stop), void *arg,
    struct ds_err *err)
{
	enum ds_status s = DS_OK;
	int rc, stop = 0;

	while ((rc = dbx_step(st)) == DBX_ROW) {
		if ((s = fn(arg, st, &stop)) != DS_OK || stop)
			break;
	}
	if (s == DS_OK && !stop && rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, what);
	dbx_reset(st);
	return s;
}

/* A hex prefix of >= 4 digits, lower-cased into out, and its blob range. */
enum ds_status
oc_hex_prefix(const char *in, char out[33], struct ds_err *err)
{
	size_t i, n = strlen(in);

	if (n < 4 || n > 32)
		return ds_err_set(err, DS_EINVAL, "give 4 to 32 hex digits of "
		    "the id");
	for (i = 0; i < n; i++) {
		char c = in[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return ds_err_set(err, DS_EINVAL, "'%s' is not a hex "
			    "id", in);
		out[i] = c;
	}
	out[n] = '\0';
	return DS_OK;
}

/* ---- hh ----------------------------------------------------------------- */

#define HH_COLS "hh_key, township, village, vgroup, members, in_register," \
    " grid_worker, state, track_step, category, elim_kind, ident_date," \
    " elim_date, track_since, light, light_month, created_at, updated_at"
#define HH_NCOLS	18

static void
hh_row(struct dbx_stmt *st, int c, struct odb_hh *h)
{
	memset(h, 0, sizeof(*h));
	oc_col_text(st, c + 0, h->hh_key, sizeof(h->hh_key));
	oc_col_text(st, c + 1, h->township, sizeof(h->township));
	oc_col_text(st, c + 2, h->village, sizeof(h->village));
	oc_col_text(st, c + 3, h->vgroup, sizeof(h->vgroup));
	h->members = dbx_column_int64(st, c + 4);
	h->in_register = dbx_column_int(st, c + 5);
	oc_col_text(st, c + 6, h->grid_worker, sizeof(h->grid_worker));
	oc_col_text(st, c + 7, h->state, sizeof(h->state));
	oc_col_text(st, c + 8, h->track_step, sizeof(h->track_step));
	oc_col_text(st, c + 9, h->category, sizeof(h->category));
	oc_col_text(st, c + 10, h->elim_kind, sizeof(h->elim_kind));
	oc_col_text(st, c + 11, h->ident_date, sizeof(h->ident_date));
	oc_col_text(st, c + 12, h->elim_date, sizeof(h->elim_date));
	oc_col_text(st, c + 13, h->track_since, sizeof(h->track_since));
	oc_col_text(st, c + 14, h->light, sizeof(h->light));
	oc_col_text(st, c + 15, h->light_month, sizeof(h->light_month));
	h->created_at = dbx_column_int64(st, c + 16);
	h->updated_at = dbx_column_int64(st, c + 17);
}

static const char Q_HH_GET[] = "SELECT " HH_COLS " FROM hh WHERE hh_key = ?1";

enum ds_status
odb_hh_get(struct odb *o, const char *key, struct odb_hh *out,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	if ((st = odb_stmt(o, Q_HH_GET, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	rc = dbx_step(st);
	if (rc == DBX_ROW)
		hh_row(st, 0, out);
	else if (rc == DBX_DONE)
		s = ds_err_set(err, DS_ENOENT, "household %s is not known", key);
	else
		s = odb_sqlerr(o->db, rc, err, "hh");
	dbx_reset(st);
	return s;
}

static const char Q_HH_HEAD[] = "SELECT head_name, head_id FROM hh"
    " WHERE hh_key = ?1";

enum ds_status
odb_hh_head(struct odb *o, const char *key, char *name, size_t namelen,
    char *idno, size_t idlen, struct ds_err *err)
{
	struct odb_plain a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	const char *pa = "", *pb = "";
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	*name = *idno = '\0';
	if ((st = odb_stmt(o, Q_HH_HEAD, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	rc = dbx_step(st);
	if (rc == DBX_ROW) {
		if ((s = oc_col_open(o, st, 0, "hh.head_name", key,
		    strlen(key), &a, &pa, err)) == DS_OK &&
		    (s = oc_col_open(o, st, 1, "hh.head_id", key,
		    strlen(key), &b, &pb, err)) == DS_OK) {
			snprintf(name, namelen, "%s", pa);
			snprintf(idno, idlen, "%s", pb);
		}
	} else if (rc == DBX_DONE)
		s = ds_err_set(err, DS_ENOENT, "household %s is not known", key);
	else
		s = odb_sqlerr(o->db, rc, err, "hh");
	dbx_reset(st);
	odb_plain_free(&a);
	odb_plain_free(&b);
	return s;
}

static const char Q_HH_REG_OLD[] = "SELECT township, village, vgroup,"
    " members, grid_worker, in_register, head_name, head_id FROM hh"
    " WHERE hh_key = ?1";
/* A visited household keeps its visit's roster size. */
#define Q_HH_REG_PUT_SQL(k) "INSERT INTO hh(hh_key, township, village,"\
    " vgroup, head_name, head_id, members, in_register, grid_worker,"\
    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8,"\
    " ?9, ?9) ON CONFLICT(" k "hh_key) DO UPDATE SET"\
    " township = excluded.township,"\
    " village = excluded.village, vgroup = excluded.vgroup,"\
    " head_name = excluded.head_name, head_id = excluded.head_id,"\
    " members = CASE WHEN EXISTS (SELECT 1 FROM visit v WHERE"\
    " v.hh_key = excluded.hh_key AND v.finalized = 1) THEN hh.members ELSE"\
    " excluded.members END, in_register = 1,"\
    " grid_worker = excluded.grid_worker, updated_at = excluded.updated_at"
static const char Q_HH_REG_PUT[] = Q_HH_REG_PUT_SQL("");
static const char Q_HH_REG_PUT_PG[] = Q_HH_REG_PUT_SQL(ODB_PG_KEY);

/* 1 if blob column i equals the sealed value about to be bound. */
static int
same_sealed(struct odb *o, struct dbx_stmt *st, int i, const char *tag,
    const char *key, const char *text)
{
	unsigned char *ct;
	size_t n;
	int same;

	if (text == NULL || *text == '\0')
		return dbx_column_type(st, i) == DBX_NULL;
	n = strlen(text);
	if ((size_t)dbx_column_bytes(st, i) != ODB_SEALED_LEN(n) ||
	    (ct = ds_malloc(ODB_SEALED_LEN(n))) == NULL)
		return 0;
	/* Deterministic sealing: the same text seals to the same bytes. */
	odb_seal_row(o, tag, key, strlen(key), text, n, ct);
	same = memcmp(ct, dbx_column_blob(st, i), ODB_SEALED_LEN(n)) == 0;
	ds_free(ct);
	return same;
}

enum ds_status
odb_hh_register(struct odb *o, const struct odb_hh *h, const char *name,
    const char *idno, int *what, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	int rc;

	*what = 1;
	if (o->dkey == NULL)
		return ds_err_set(err, DS_ESTATE, "office db: opened without "
		    "the office secret key");
	if ((st = odb_stmt(o, Q_HH_REG_OLD, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, h->hh_key);
	rc = dbx_step(st);
	if (rc == DBX_ROW) {
		*what = strcmp((const char *)dbx_column_text(st, 0),
		    h->township) == 0 &&
		    strcmp((const char *)dbx_column_text(st, 1),
		    h->village) == 0 &&
		    strcmp((const char *)dbx_column_text(st, 2),
		    h->vgroup) == 0 &&
		    strcmp((const char *)dbx_column_text(st, 4),
		    h->grid_worker) == 0 &&
		    dbx_column_int(st, 5) == 1 &&
		    same_sealed(o, st, 6, "hh.head_name", h->hh_key, name) &&
		    same_sealed(o, st, 7, "hh.head_id", h->hh_key, idno) ? 0 : 2;
	} else if (rc != DBX_DONE) {
		s = odb_sqlerr(o->db, rc, err, "hh");
		dbx_reset(st);
		return s;
	}
	dbx_reset(st);
	if (*what == 0)
		return DS_OK;
	if ((st = odb_stmt(o, odb_sql(o, Q_HH_REG_PUT, Q_HH_REG_PUT_PG), err)) ==
	    NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, h->hh_key);
	oc_bind_text(st, 2, h->township);
	oc_bind_text(st, 3, h->village);
	oc_bind_text(st, 4, h->vgroup);
	if ((s = oc_bind_sealed(o, st, 5, "hh.head_name", h->hh_key,
	    strlen(h->hh_key), name != NULL && *name ? name : NULL, err)) !=
	    DS_OK ||
	    (s = oc_bind_sealed(o, st, 6, "hh.head_id", h->hh_key,
	    strlen(h->hh_key), idno != NULL && *idno ? idno : NULL, err)) !=
	    DS_OK) {
		dbx_reset(st);
		return s;
	}
	dbx_bind_int64(st, 7, h->members);
	oc_bind_text(st, 8, h->grid_worker);
	dbx_bind_int64(st, 9, ds_now());
	return oc_step_done(o, st, "hh", err);
}

/*
 * The household's row as an imported bundle leaves it, in one statement:
 * created when unknown; the visit's area codes and head (non-empty ones)
 * unless registered; members when > 0; the light when known (?15 NULL:
 * kept); the derived state.
 */
#define Q_HH_IMPORT_SQL(k) "INSERT INTO hh(hh_key, township, village,"\
    " vgroup, members, head_name, head_id, state, track_step, category,"\
    " elim_kind, ident_date, elim_date, track_since, light, light_month,"\
    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"\
    " ?10, ?11, ?12, ?13, ?14, coalesce(?15, ''), coalesce(?16, ''), ?17,"\
    " ?17) ON CONFLICT(" k "hh_key) DO UPDATE SET"\
    " township = CASE WHEN hh.in_register = 1 OR excluded.township = ''"\
    " THEN hh.township ELSE excluded.township END,"\
    " village = CASE WHEN hh.in_register = 1 OR excluded.village = ''"\
    " THEN hh.village ELSE excluded.village END,"\
    " vgroup = CASE WHEN hh.in_register = 1 OR excluded.vgroup = ''"\
    " THEN hh.vgroup ELSE excluded.vgroup END,"\
    " members = CASE WHEN excluded.members > 0 THEN excluded.members"\
    " ELSE hh.members END,"\
    " head_name = CASE WHEN hh.in_register = 1 OR excluded.head_name IS NULL"\
    " THEN hh.head_name ELSE excluded.head_name END,"\
    " head_id = CASE WHEN hh.in_register = 1 OR excluded.head_id IS NULL"\
    " THEN hh.head_id ELSE excluded.head_id END,"\
    " state = excluded.state, track_step = excluded.track_step,"\
    " category = excluded.category, elim_kind = excluded.elim_kind,"\
    " ident_date = excluded.ident_date, elim_date = excluded.elim_date,"\
    " track_since = excluded.track_since,"\
    " light = coalesce(?15, hh.light),"\
    " light_month = coalesce(?16, hh.light_month),"\
    " updated_at = excluded.updated_at"
static const char Q_HH_IMPORT[] = Q_HH_IMPORT_SQL("");
static const char Q_HH_IMPORT_PG[] = Q_HH_IMPORT_SQL(ODB_PG_KEY);

enum ds_status
odb_hh_import(struct odb *o, const struct odb_hh_imp *h, struct ds_err *err)
{
	const struct case_status *cs = h->cs;
	struct dbx_stmt *st;
	enum ds_status s;

	if ((st = odb_stmt(o, odb_sql(o, Q_HH_IMPORT, Q_HH_IMPORT_PG), err)) ==
	    NULL)
		return NOSTMT(err);
	ref_text(st, 1, h->key);
	ref_text(st, 2, h->township);
	ref_text(st, 3, h->village);
	ref_text(st, 4, h->vgroup);
	dbx_bind_int64(st, 5, h->members > 0 ? h->members : 0);
	if ((s = oc_bind_sealed(o, st, 6, "hh.head_name", h->key,
	    strlen(h->key), h->name != NULL && *h->name ? h->name : NULL,
	    err)) != DS_OK ||
	    (s = oc_bind_sealed(o, st, 7, "hh.head_id", h->key, strlen(h->key),
	    h->idno != NULL && *h->idno ? h->idno : NULL, err)) != DS_OK) {
		dbx_reset(st);
		return s;
	}
	ref_text(st, 8, case_state_str(cs->state));
	ref_text(st, 9, cs->run >= 0 ? oset_step_str(cs->next) : "");
	ref_text(st, 10, cs->monitored ? case_cat_str(cs->category) : "");
	ref_text(st, 11, cs->eliminated ? case_kind_str(cs->kind) : "");
	ref_text(st, 12, cs->ident_date);
	ref_text(st, 13, cs->elim_date);
	ref_text(st, 14, cs->run_since);
	ref_text(st, 15, h->light);
	ref_text(st, 16, h->light_month);
	dbx_bind_int64(st, 17, ds_now());
	return oc_step_done(o, st, "hh", err);
}

static const char Q_HH_STATE[] = "UPDATE hh SET state = ?2, track_step = ?3,"
    " category = ?4, elim_kind = ?5, ident_date = ?6, elim_date = ?7,"
    " track_since = ?8, updated_at = ?9 WHERE hh_key = ?1 AND"
    " (state, track_step, category, elim_kind, ident_date, elim_date,"
    " track_since) IS DISTINCT FROM (?2, ?3, ?4, ?5, ?6, ?7, ?8)";

enum ds_status
odb_hh_state(struct odb *o, const char *key, const struct case_status *cs,
    struct ds_err *err)
{
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_HH_STATE, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	oc_bind_text(st, 2, case_state_str(cs->state));
	oc_bind_text(st, 3, cs->run >= 0 ? oset_step_str(cs->next) : "");
	oc_bind_text(st, 4, cs->monitored ? case_cat_str(cs->category) : "");
	oc_bind_text(st, 5, cs->eliminated ? case_kind_str(cs->kind) : "");
	oc_bind_text(st, 6, cs->ident_date);
	oc_bind_text(st, 7, cs->elim_date);
	oc_bind_text(st, 8, cs->run_since);
	dbx_bind_int64(st, 9, ds_now());
	return oc_step_done(o, st, "hh state", err);
}

static const char Q_HH_LIGHT[] = "UPDATE hh SET light = ?2, light_month = ?3"
    " WHERE hh_key = ?1 AND (light, light_month) IS DISTINCT FROM (?2, ?3)";

enum ds_status
odb_hh_light(struct odb *o, const char *key, const char *light,
    const char *month, struct ds_err *err)
{
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_HH_LIGHT, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	oc_bind_text(st, 2, light);
	oc_bind_text(st, 3, month);
	return oc_step_done(o, st, "hh light", err);
}

static const char Q_HH_EACH[] = "SELECT " HH_COLS ","
    " (SELECT count(*) FROM clue c WHERE c.hh_key = h.hh_key AND"
    " c.state = 'open'),"
    " (SELECT min(date) FROM clue c WHERE c.hh_key = h.hh_key AND"
    " c.state = 'open'),"
    " (SELECT max(visit_date) FROM visit v WHERE v.hh_key = h.hh_key AND"
    " v.finalized = 1),"
    " EXISTS (SELECT 1 FROM entry e WHERE e.hh_key = h.hh_key AND"
    " e.state IN ('queued', 'sent', 'applied') AND e.due < ?3)"
    " FROM hh h WHERE (h.state = ?1 OR ?1 IS NULL) AND"
    " (h.village = ?2 OR ?2 IS NULL)"
    " ORDER BY h.township, h.village, h.vgroup, h.hh_key";

struct hh_each {
	const struct odb_hh_filter	*f;
	int				(*cb)(void *, const struct odb_hh *,
					    const struct odb_hh_more *);
	void				*arg;
};

static enum ds_status
hh_each_row(void *arg, struct dbx_stmt *st, int *stop)
{
	struct hh_each *c = arg;
	const struct odb_hh_filter *f = c->f;
	struct odb_hh h;
	struct odb_hh_more m;
	int monitored, run;

	hh_row(st, 0, &h);
	memset(&m, 0, sizeof(m));
	m.open_clues = dbx_column_int64(st, HH_NCOLS);
	oc_col_text(st, HH_NCOLS + 1, m.oldest_clue, sizeof(m.oldest_clue));
	oc_col_text(st, HH_NCOLS + 2, m.last_visit, sizeof(m.last_visit));
	m.entry_late = dbx_column_int(st, HH_NCOLS + 3);
	monitored = strcmp(h.state, "monitored") == 0 ||
	    strcmp(h.state, "elim") == 0;
	m.visit_late = f->visit_since != NULL && monitored &&
	    strcmp(m.last_visit, f->visit_since) < 0;
	run = strcmp(h.state, "ident") == 0 ? 0 : strcmp(h.state, "elim") == 0 ?
	    1 : -1;
	m.run_late = run >= 0 && f->run_before[run] != NULL &&
	    h.track_since[0] != '\0' &&
	    strcmp(h.track_since, f->run_before[run]) < 0;
	m.clue_late = f->clue_before != NULL && m.oldest_clue[0] != '\0' &&
	    strcmp(m.oldest_clue, f->clue_before) < 0;
	if (f->open_clues && m.open_clues == 0)
		return DS_OK;
	if (f->overdue && !m.entry_late && !m.visit_late && !m.run_late &&
	    !m.clue_late)
		return DS_OK;
	*stop = c->cb(c->arg, &h, &m);
	return DS_OK;
}

enum ds_status
odb_hh_each(struct odb *o, const struct odb_hh_filter *f,
    int (*cb)(void *, const struct odb_hh *, const struct odb_hh_more *),
    void *arg, struct ds_err *err)
{
	struct hh_each c;
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_HH_EACH, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, f->state);
	oc_bind_text(st, 2, f->village);
	oc_bind_text(st, 3, f->today != NULL ? f->today : "");
	c.f = f;
	c.cb = cb;
	c.arg = arg;
	return oc_each_row(o, st, "hh", hh_each_row, &c, err);
}

/* ---- person --------------------------------------------------------------- */

static const char Q_PERSON_PUT[] = "INSERT INTO person(idx, hh_key,"
    " src, role) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";

enum ds_status
odb_person_put(struct odb *o, const unsigned char idx[32], const char *key,
    const char *src, const char *role, struct ds_err *err)
{
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_PERSON_PUT, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, idx, 32);
	oc_bind_text(st, 2, key);
	oc_bind_text(st, 3, src);
	oc_bind_text(st, 4, role);
	return oc_step_done(o, st, "person", err);
}

#define PERSON_ROWS	8	/* rows of one multi-row insert */
static const char Q_PERSON_PUT8[] = "INSERT INTO person(idx, hh_key,"
    " src, role) VALUES (?1, ?2, ?3, ?4), (?5, ?6, ?7, ?8),"
    " (?9, ?10, ?11, ?12), (?13, ?14, ?15, ?16), (?17, ?18, ?19, ?20),"
    " (?21, ?22, ?23, ?24), (?25, ?26, ?27, ?28), (?29, ?30, ?31, ?32)"
    " ON CONFLICT DO NOTHING";

enum ds_status
odb_person_put_n(struct odb *o, const struct odb_person *p, size_t n,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	size_t i, j;

	for (i = 0; i + PERSON_ROWS <= n; i += PERSON_ROWS) {
		if ((st = odb_stmt(o, Q_PERSON_PUT8, err)) == NULL)
			return NOSTMT(err);
		for (j = 0; j < PERSON_ROWS; j++) {
			ref_blob(st, 4 * (int)j + 1, p[i + j].idx, 32);
			ref_text(st, 4 * (int)j + 2, p[i + j].key);
			ref_text(st, 4 * (int)j + 3, p[i + j].src);
			ref_text(st, 4 * (int)j + 4, p[i + j].role);
		}
		if ((s = oc_step_done(o, st, "person", err)) != DS_OK)
			return s;
	}
	for (; i < n; i++)
		if ((s = odb_person_put(o, p[i].idx, p[i].key, p[i].src,
		    p[i].role, err)) != DS_OK)
			return s;
	return DS_OK;
}

static const char Q_PERSON_CLEAR[] = "DELETE FROM person WHERE hh_key = ?1"
    " AND src = ?2";

enum ds_status
odb_person_clear(struct odb *o, const char *key, const char *src,
    struct ds_err *err)
{
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_PERSON_CLEAR, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	oc_bind_text(st, 2, src);
	return oc_step_done(o, st, "person", err);
}

static const char Q_PERSON_EACH[] = "SELECT idx, hh_key FROM person";

enum ds_status
odb_person_each(struct odb *o, int (*fn)(void *, const unsigned char *,
    const char *), void *arg, struct ds_err *err)
{
	struct dbx_stmt *st;
	const unsigned char *k;
	enum ds_status s = DS_OK;
	int rc;

	if ((st = odb_stmt(o, Q_PERSON_EACH, err)) == NULL)
		return NOSTMT(err);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		k = dbx_column_text(st, 1);
		if (dbx_column_bytes(st, 0) == 32 && k != NULL &&
		    fn(arg, dbx_column_blob(st, 0), (const char *)k) != 0)
			break;
	}
	if (rc != DBX_ROW && rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, "person");
	dbx_reset(st);
	return s;
}

/* ---- clue --------------------------------------------------------------------- */

#define CLUE_COLS "clue_id, channel, source, hh_key, ambiguous, id_idx, date," \
    " received_at, state, closed_rev, closed_at, batch, id_no, name, reason," \
    " amount"

static void
clue_row(struct dbx_stmt *st, struct odb_clue *c)
{
	memset(c, 0, sizeof(*c));
	oc_col_blob(st, 0, c->id, CASE_ID_BYTES);
	oc_col_text(st, 1, c->channel, sizeof(c->channel));
	oc_col_text(st, 2, c->source, sizeof(c->source));
	oc_col_text(st, 3, c->hh_key, sizeof(c->hh_key));
	c->ambiguous = dbx_column_int(st, 4);
	c->has_idx = oc_col_blob(st, 5, c->idx, 32);
	oc_col_text(st, 6, c->date, sizeof(c->date));
	c->received_at = dbx_column_int64(st, 7);
	c->open = strcmp((const char *)dbx_column_text(st, 8), "open") == 0;
	c->has_closed_rev = oc_col_blob(st, 9, c->closed_rev, 16);
	c->closed_at = dbx_column_int64(st, 10);
	c->has_batch = oc_col_blob(st, 11, c->batch, 32);
}

static const char Q_CLUE_PUT[] = "INSERT INTO clue(clue_id, channel, source,"
    " hh_key, ambiguous, id_idx, id_no, name, reason, amount, date,"
    " received_at, state, closed_rev, closed_at, batch) VALUES (?1, ?2, ?3,"
    " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";

enum ds_status
odb_clue_put(struct odb *o, const struct odb_clue *c,
    const struct odb_clue_text *t, struct ds_err *err)
{
	static const char *const tags[4] = { "clue.id_no", "clue.name",
	    "clue.reason", "clue.amount" };
	const char *txt[4];
	struct dbx_stmt *st;
	enum ds_status s;
	int i, rc;

	if ((s = odb_clue_get(o, c->id, NULL, err)) == DS_OK)
		return ds_err_set(err, DS_EEXIST, "clue already recorded");
	if (s != DS_ENOENT)
		return s;
	if ((st = odb_stmt(o, Q_CLUE_PUT, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, c->id, CASE_ID_BYTES);
	oc_bind_text(st, 2, c->channel);
	oc_bind_text(st, 3, c->source);
	oc_bind_text(st, 4, c->hh_key[0] != '\0' ? c->hh_key : NULL);
	dbx_bind_int(st, 5, c->ambiguous);
	oc_bind_blob(st, 6, c->has_idx ? c->idx : NULL, 32);
	txt[0] = t->id_no;
	txt[1] = t->name;
	txt[2] = t->reason;
	txt[3] = t->amount;
	for (i = 0; i < 4; i++)
		if ((s = oc_bind_sealed(o, st, 7 + i, tags[i], c->id,
		    CASE_ID_BYTES, txt[i] != NULL && *txt[i] ? txt[i] : NULL,
		    err)) != DS_OK) {
			dbx_reset(st);
			return s;
		}
	oc_bind_text(st, 11, c->date);
	dbx_bind_int64(st, 12, c->received_at);
	oc_bind_text(st, 13, c->open ? "open" : "closed");
	oc_bind_blob(st, 14, c->has_closed_rev ? c->closed_rev : NULL, 16);
	if (c->open)
		dbx_bind_null(st, 15);
	else
		dbx_bind_int64(st, 15, c->closed_at);
	oc_bind_blob(st, 16, c->has_batch ? c->batch : NULL, 32);
	rc = dbx_step(st);
	if (rc != DBX_DONE) {
		s = odb_sqlerr(o->db, rc, err, "clue");
		dbx_reset(st);
		return s;
	}
	dbx_reset(st);
	return DS_OK;
}

static const char Q_CLUE_GET[] = "SELECT " CLUE_COLS " FROM clue"
    " WHERE clue_id = ?1";

enum ds_status
odb_clue_get(struct odb *o, const unsigned char id[16], struct odb_clue *out,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	if ((st = odb_stmt(o, Q_CLUE_GET, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, id, 16);
	rc = dbx_step(st);
	if (rc == DBX_ROW) {
		if (out != NULL)
			clue_row(st, out);
	} else if (rc == DBX_DONE)
		s = DS_ENOENT;
	else
		s = odb_sqlerr(o->db, rc, err, "clue");
	dbx_reset(st);
	return s;
}

static const char Q_CLUE_FIND[] = "SELECT " CLUE_COLS " FROM clue"
    " WHERE substr(lower(hex(clue_id)), 1, length(?1)) = ?1 LIMIT 2";

enum ds_status
odb_clue_find(struct odb *o, const char *prefix, struct odb_clue *out,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	char hex[33];
	int rc, n = 0;

	if ((s = oc_hex_prefix(prefix, hex, err)) != DS_OK)
		return s;
	if ((st = odb_stmt(o, Q_CLUE_FIND, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, hex);
	while ((rc = dbx_step(st)) == DBX_ROW)
		if (n++ == 0)
			clue_row(st, out);
	s = rc == DBX_DONE ? DS_OK : odb_sqlerr(o->db, rc, err, "clue");
	dbx_reset(st);
	if (s == DS_OK && n == 0)
		s = ds_err_set(err, DS_ENOENT, "no clue id starts with %s", hex);
	else if (s == DS_OK && n > 1)
		s = ds_err_set(err, DS_EINVAL, "several clue ids start with %s",
		    hex);
	return s;
}

static const char Q_CLUE_BATCH[] = "SELECT min(received_at) FROM clue"
    " WHERE batch = ?1";

enum ds_status
odb_clue_batch(struct odb *o, const unsigned char hash[32], int *found,
    int64_t *received_at, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	*found = 0;
	*received_at = 0;
	if ((st = odb_stmt(o, Q_CLUE_BATCH, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, hash, 32);
	rc = dbx_step(st);
	if (rc == DBX_ROW && dbx_column_type(st, 0) != DBX_NULL) {
		*found = 1;
		*received_at = dbx_column_int64(st, 0);
	} else if (rc != DBX_ROW)
		s = odb_sqlerr(o->db, rc, err, "clue");
	dbx_reset(st);
	return s;
}

static const char Q_CLUE_CLOSE_HH[] = "UPDATE clue SET state = 'closed',"
    " closed_rev = ?3, closed_at = ?4 WHERE hh_key = ?1 AND state = 'open'"
    " AND date <= ?2";
static const char Q_CLUE_OPEN_HH[] = "SELECT 1 FROM clue WHERE"
    " hh_key = ?1 AND state = 'open' AND date <= ?2 LIMIT 1";

enum ds_status
odb_clue_close_hh(struct odb *o, const char *key, const char *upto,
    const unsigned char rev[16], int64_t at, int *n, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	int rc;

	if (n != NULL)
		*n = 0;
	/* Every verified visit asks; most households have no open clue:
	 * a read says so for less than an UPDATE that changes nothing.  On
	 * PostgreSQL an uncounted UPDATE does not wait (odb_clue_match). */
	if (n == NULL && odb_is_pg(o))
		goto update;
	if ((st = odb_stmt(o, Q_CLUE_OPEN_HH, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	oc_bind_text(st, 2, upto);
	rc = dbx_step(st);
	dbx_reset(st);
	if (rc == DBX_DONE)
		return DS_OK;
	if (rc != DBX_ROW)
		return odb_sqlerr(o->db, rc, err, "clue");
update:
	if ((st = odb_stmt(o, Q_CLUE_CLOSE_HH, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	oc_bind_text(st, 2, upto);
	oc_bind_blob(st, 3, rev, 16);
	dbx_bind_int64(st, 4, at);
	if ((s = oc_step_done(o, st, "clue", err)) == DS_OK && n != NULL &&
	    (*n = dbx_changes(o->db)) < 0)	/* PostgreSQL: it failed */
		s = odb_sqlerr(o->db, DBX_ERROR, err, "clue");
	return s;
}

static const char Q_CLUE_CLOSE[] = "UPDATE clue SET state = 'closed',"
    " closed_rev = ?2, closed_at = ?3 WHERE clue_id = ?1 AND state = 'open'";

enum ds_status
odb_clue_close(struct odb *o, const unsigned char id[16],
    const unsigned char rev[16], int64_t at, struct ds_err *err)
{
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_CLUE_CLOSE, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, id, 16);
	oc_bind_blob(st, 2, rev, 16);
	dbx_bind_int64(st, 3, at);
	return oc_step_done(o, st, "clue", err);
}

static const char Q_CLUE_MATCH[] = "UPDATE clue SET hh_key = ?2 WHERE"
    " id_idx = ?1 AND hh_key IS NULL AND ambiguous = 0";
static const char Q_CLUE_MATCHES[] = "SELECT 1 FROM clue WHERE"
    " id_idx = ?1 AND hh_key IS NULL AND ambiguous = 0 LIMIT 1";

enum ds_status
odb_clue_match(struct odb *o, const unsigned char idx[32], const char *key,
    int *n, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	int rc;

	if (n != NULL)
		*n = 0;
	/* The import asks this of every member's ID number; almost none
	 * matches a waiting clue.  A read answers that at a third of the
	 * cost of an UPDATE that changes nothing (issue 16).  On PostgreSQL
	 * the read waits for the server and an uncounted UPDATE does not
	 * (dbx_pg.c). */
	if (n == NULL && odb_is_pg(o))
		goto update;
	if ((st = odb_stmt(o, Q_CLUE_MATCHES, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, idx, 32);
	rc = dbx_step(st);
	dbx_reset(st);
	if (rc == DBX_DONE)
		return DS_OK;
	if (rc != DBX_ROW)
		return odb_sqlerr(o->db, rc, err, "clue");
update:
	if ((st = odb_stmt(o, Q_CLUE_MATCH, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, idx, 32);
	oc_bind_text(st, 2, key);
	if ((s = oc_step_done(o, st, "clue", err)) == DS_OK && n != NULL &&
	    (*n = dbx_changes(o->db)) < 0)	/* PostgreSQL: it failed */
		s = odb_sqlerr(o->db, DBX_ERROR, err, "clue");
	return s;
}

static const char Q_CLUE_WAITING[] = "SELECT id_idx FROM clue WHERE"
    " hh_key IS NULL AND ambiguous = 0 AND id_idx IS NOT NULL";

enum ds_status
odb_clue_waiting(struct odb *o, int (*fn)(void *, const unsigned char *),
    void *arg, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	if ((st = odb_stmt(o, Q_CLUE_WAITING, err)) == NULL)
		return NOSTMT(err);
	while ((rc = dbx_step(st)) == DBX_ROW)
		if (dbx_column_bytes(st, 0) == 32 &&
		    fn(arg, dbx_column_blob(st, 0)) != 0)
			break;
	if (rc != DBX_ROW && rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, "clue");
	dbx_reset(st);
	return s;
}

static const char Q_CLUE_WAITING_N[] = "SELECT count(*) FROM (SELECT 1"
    " FROM clue WHERE hh_key IS NULL AND ambiguous = 0 AND id_idx IS NOT NULL"
    " LIMIT ?1) w";

enum ds_status
odb_clue_waiting_n(struct odb *o, int64_t max, int64_t *n,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	*n = 0;
	if ((st = odb_stmt(o, Q_CLUE_WAITING_N, err)) == NULL)
		return NOSTMT(err);
	dbx_bind_int64(st, 1, max);
	if ((rc = dbx_step(st)) == DBX_ROW)
		*n = dbx_column_int64(st, 0);
	else
		s = odb_sqlerr(o->db, rc, err, "clue");
	dbx_reset(st);
	return s;
}

static const char Q_CLUE_OPEN_N[] = "SELECT count(*) FROM clue WHERE"
    " hh_key = ?1 AND state = 'open'";

enum ds_status
odb_clue_open_n(struct odb *o, const char *key, int64_t *n,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	*n = 0;
	if ((st = odb_stmt(o, Q_CLUE_OPEN_N, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	if ((rc = dbx_step(st)) == DBX_ROW)
		*n = dbx_column_int64(st, 0);
	else
		s = odb_sqlerr(o->db, rc, err, "clue");
	dbx_reset(st);
	return s;
}

/* The earliest by (date, clue_id), chosen here: a household has few
 * clues, and an ORDER BY would sort them in a temporary table. */
static const char Q_CLUE_FIRST[] = "SELECT channel, date, clue_id FROM clue"
    " WHERE hh_key = ?1 AND closed_rev = ?2";

enum ds_status
odb_clue_first(struct odb *o, const char *key, const unsigned char rev[16],
    char channel[ODB_CODE_MAX], struct ds_err *err)
{
	struct dbx_stmt *st;
	unsigned char id[16], best_id[16];
	char d[CASE_DATE_LEN], best[CASE_DATE_LEN];
	enum ds_status s = DS_OK;
	int rc, c, found = 0;

	channel[0] = '\0';
	if ((st = odb_stmt(o, Q_CLUE_FIRST, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	oc_bind_blob(st, 2, rev, 16);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		oc_col_text(st, 1, d, sizeof(d));
		(void)oc_col_blob(st, 2, id, sizeof(id));
		if (found && ((c = strcmp(d, best)) > 0 || (c == 0 &&
		    memcmp(id, best_id, sizeof(id)) >= 0)))
			continue;
		found = 1;
		memcpy(best, d, sizeof(d));
		memcpy(best_id, id, sizeof(id));
		oc_col_text(st, 0, channel, ODB_CODE_MAX);
	}
	if (rc != DBX_ROW && rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, "clue");
	dbx_reset(st);
	return s;
}

static const char Q_CLUE_EACH[] = "SELECT " CLUE_COLS " FROM clue WHERE"
    " (hh_key = ?1 OR ?1 IS NULL) AND (?2 = 0 OR state = 'open') AND"
    " (?3 = 0 OR hh_key IS NULL) ORDER BY date, clue_id";

struct clue_each {
	struct odb			*o;
	const struct odb_clue_filter	*f;
	int				(*cb)(void *, const struct odb_clue *,
					    const struct odb_clue_text *);
	void				*arg;
	struct odb_plain		 pl[4];
	struct ds_err			*err;
};

static enum ds_status
clue_each_row(void *arg, struct dbx_stmt *st, int *stop)
{
	static const char *const tags[4] = { "clue.id_no", "clue.name",
	    "clue.reason", "clue.amount" };
	struct clue_each *c = arg;
	struct odb_clue cl;
	struct odb_clue_text t;
	const char *v[4] = { NULL, NULL, NULL, NULL };
	enum ds_status s;
	int i;

	clue_row(st, &cl);
	if (c->f->text)
		for (i = 0; i < 4; i++)
			if ((s = oc_col_open(c->o, st, 12 + i, tags[i], cl.id,
			    CASE_ID_BYTES, &c->pl[i], &v[i], c->err)) != DS_OK)
				return s;
	t.id_no = v[0];
	t.name = v[1];
	t.reason = v[2];
	t.amount = v[3];
	*stop = c->cb(c->arg, &cl, &t);
	for (i = 0; i < 4; i++)
		odb_plain_wipe(&c->pl[i]);
	return DS_OK;
}

enum ds_status
odb_clue_each(struct odb *o, const struct odb_clue_filter *f,
    int (*cb)(void *, const struct odb_clue *, const struct odb_clue_text *),
    void *arg, struct ds_err *err)
{
	struct clue_each c;
	struct dbx_stmt *st;
	enum ds_status s;
	int i;

	if ((st = odb_stmt(o, Q_CLUE_EACH, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, f->key);
	dbx_bind_int(st, 2, f->open);
	dbx_bind_int(st, 3, f->unmatched);
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.f = f;
	c.cb = cb;
	c.arg = arg;
	c.err = err;
	s = oc_each_row(o, st, "clue", clue_each_row, &c, err);
	for (i = 0; i < 4; i++)
		odb_plain_free(&c.pl[i]);
	return s;
}

/* ---- visit ------------------------------------------------------------------ */

#define VISIT_COLS "rev_id, record_uuid, hh_key, device_id, worker_id," \
    " visit_date, visit_type, reason, entry_id, corrects, consent, outcome," \
    " finalized, finalized_at, proposes, light, light_set, imported_at"

static void
visit_row(struct dbx_stmt *st, struct odb_visit *v)
{
	memset(v, 0, sizeof(*v));
	oc_col_blob(st, 0, v->rev_id, 16);
	oc_col_blob(st, 1, v->record_uuid, 16);
	oc_col_text(st, 2, v->hh_key, sizeof(v->hh_key));
	oc_col_blob(st, 3, v->device_id, 16);
	oc_col_text(st, 4, v->worker_id, sizeof(v->worker_id));
	oc_col_text(st, 5, v->visit_date, sizeof(v->visit_date));
	oc_col_text(st, 6, v->visit_type, sizeof(v->visit_type));
	oc_col_text(st, 7, v->reason, sizeof(v->reason));
	v->has_entry = oc_col_blob(st, 8, v->entry_id, 16);
	v->has_corrects = oc_col_blob(st, 9, v->corrects, 16);
	oc_col_text(st, 10, v->consent, sizeof(v->consent));
	oc_col_text(st, 11, v->outcome, sizeof(v->outcome));
	v->finalized = dbx_column_int(st, 12);
	v->finalized_at = dbx_column_int64(st, 13);
	oc_col_text(st, 14, v->proposes, sizeof(v->proposes));
	oc_col_text(st, 15, v->light, sizeof(v->light));
	v->has_light_set = oc_col_blob(st, 16, v->light_set, 32);
	v->imported_at = dbx_column_int64(st, 17);
}

static const char Q_VISIT_PUT[] = "INSERT INTO visit(" VISIT_COLS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
    " ?15, ?16, ?17, ?18) ON CONFLICT DO NOTHING";

enum ds_status
odb_visit_put(struct odb *o, const struct odb_visit *v, int *inserted,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	int64_t n;

	*inserted = 0;
	if ((st = odb_stmt(o, Q_VISIT_PUT, err)) == NULL)
		return NOSTMT(err);
	ref_blob(st, 1, v->rev_id, 16);
	ref_blob(st, 2, v->record_uuid, 16);
	ref_text(st, 3, v->hh_key);
	ref_blob(st, 4, v->device_id, 16);
	ref_text(st, 5, v->worker_id);
	ref_text(st, 6, v->visit_date);
	ref_text(st, 7, v->visit_type);
	ref_text(st, 8, v->reason);
	ref_blob(st, 9, v->has_entry ? v->entry_id : NULL, 16);
	ref_blob(st, 10, v->has_corrects ? v->corrects : NULL, 16);
	ref_text(st, 11, v->consent);
	ref_text(st, 12, v->outcome);
	dbx_bind_int(st, 13, v->finalized);
	if (v->finalized)
		dbx_bind_int64(st, 14, v->finalized_at);
	else
		dbx_bind_null(st, 14);
	ref_text(st, 15, v->proposes);
	ref_text(st, 16, v->light);
	ref_blob(st, 17, v->has_light_set ? v->light_set : NULL, 32);
	dbx_bind_int64(st, 18, v->imported_at);
	if ((s = oc_step_done(o, st, "visit", err)) != DS_OK)
		return s;
	if ((n = dbx_changes(o->db)) < 0)
		return odb_sqlerr(o->db, DBX_ERROR, err, "visit");
	*inserted = n > 0;
	return DS_OK;
}

struct visit_each {
	int	(*cb)(void *, const struct odb_visit *);
	void	*arg;
};

static enum ds_status
visit_each_row(void *arg, struct dbx_stmt *st, int *stop)
{
	struct visit_each *c = arg;
	struct odb_visit v;

	visit_row(st, &v);
	*stop = c->cb(c->arg, &v);
	return DS_OK;
}

static const char Q_VISIT_HH[] = "SELECT " VISIT_COLS " FROM visit WHERE"
    " hh_key = ?1 ORDER BY visit_date, finalized_at, rev_id";

enum ds_status
odb_visit_each_hh(struct odb *o, const char *key,
    int (*cb)(void *, const struct odb_visit *), void *arg,
    struct ds_err *err)
{
	struct visit_each c;
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_VISIT_HH, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	c.cb = cb;
	c.arg = arg;
	return oc_each_row(o, st, "visit", visit_each_row, &c, err);
}

static const char Q_VISIT_LATER[] = "SELECT 1 FROM visit WHERE"
    " hh_key = ?1 AND visit_date > ?2 AND finalized = 1 AND rev_id != ?3"
    " LIMIT 1";

enum ds_status
odb_visit_later(struct odb *o, const char *key, const char *date,
    const unsigned char rev[16], int *later, struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	*later = 0;
	if ((st = odb_stmt(o, Q_VISIT_LATER, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	oc_bind_text(st, 2, date);
	oc_bind_blob(st, 3, rev, 16);
	rc = dbx_step(st);
	dbx_reset(st);
	if (rc == DBX_ROW)
		*later = 1;
	else if (rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "visit");
	return DS_OK;
}

static const char Q_VISIT_FINAL[] = "SELECT " VISIT_COLS " FROM visit WHERE"
    " finalized = 1 ORDER BY hh_key, visit_date, rev_id";

enum ds_status
odb_visit_each_final(struct odb *o,
    int (*cb)(void *, const struct odb_visit *), void *arg,
    struct ds_err *err)
{
	struct visit_each c;
	struct dbx_stmt *st;

	/* Not cached: relight updates rows while this runs. */
	if (dbx_prepare(o->db, Q_VISIT_FINAL, &st) != DBX_OK)
		return odb_sqlerr(o->db, DBX_ERROR, err, "visit");
	c.cb = cb;
	c.arg = arg;
	{
		enum ds_status s = oc_each_row(o, st, "visit", visit_each_row,
		    &c, err);

		dbx_finalize(st);
		return s;
	}
}

static const char Q_VISIT_LIGHT[] = "UPDATE visit SET light = ?2,"
    " light_set = ?3 WHERE hh_key = ?4 AND visit_date = ?5 AND rev_id = ?1";

enum ds_status
odb_visit_light(struct odb *o, const struct odb_visit *v, const char *light,
    const unsigned char set_hash[32], struct ds_err *err)
{
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_VISIT_LIGHT, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, v->rev_id, 16);
	oc_bind_text(st, 2, light);
	oc_bind_blob(st, 3, set_hash, 32);
	oc_bind_text(st, 4, v->hh_key);
	oc_bind_text(st, 5, v->visit_date);
	return oc_step_done(o, st, "visit", err);
}

/*
 * In the key's order (no sort, no temporary table): the latest date's
 * rows come first, larger rev_id first; of them the one finalized last,
 * on a tie the larger rev_id.
 */
static const char Q_VISIT_LAST_LIGHT[] = "SELECT light, visit_date,"
    " finalized_at FROM visit WHERE hh_key = ?1 AND finalized = 1 AND"
    " outcome = 'done' AND consent IN ('yes', 'on_file')"
    " ORDER BY visit_date DESC, rev_id DESC";

enum ds_status
odb_visit_last_light(struct odb *o, const char *key, int *found,
    char light[ODB_CODE_MAX], char date[CASE_DATE_LEN], struct ds_err *err)
{
	struct dbx_stmt *st;
	char d[CASE_DATE_LEN];
	enum ds_status s = DS_OK;
	int64_t at, best = 0;
	int rc;

	*found = 0;
	light[0] = date[0] = '\0';
	if ((st = odb_stmt(o, Q_VISIT_LAST_LIGHT, err)) == NULL)
		return NOSTMT(err);
	oc_bind_text(st, 1, key);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		oc_col_text(st, 1, d, sizeof(d));
		if (*found && strcmp(d, date) != 0)
			break;
		at = dbx_column_int64(st, 2);
		if (*found && at <= best)
			continue;
		*found = 1;
		best = at;
		oc_col_text(st, 0, light, ODB_CODE_MAX);
		memcpy(date, d, sizeof(d));
	}
	if (rc != DBX_ROW && rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, "visit");
	dbx_reset(st);
	return s;
}

static const char Q_ENTRY_GET[] = "SELECT clue_id, state FROM entry"
    " WHERE entry_id = ?1";
static const char Q_ENTRY_DONE[] = "UPDATE entry SET state = 'done',"
    " done_rev = ?2, done_at = ?3 WHERE entry_id = ?1 AND state != 'done'";

enum ds_status
odb_entry_done(struct odb *o, const unsigned char id[16],
    const unsigned char rev[16], int64_t at, int *found, int *has_clue,
    unsigned char clue[16], struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	*found = *has_clue = 0;
	if ((st = odb_stmt(o, Q_ENTRY_GET, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, id, 16);
	rc = dbx_step(st);
	if (rc == DBX_ROW) {
		*found = 1;
		*has_clue = oc_col_blob(st, 0, clue, 16);
	} else if (rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, "entry");
	dbx_reset(st);
	if (s != DS_OK || !*found)
		return s;
	if ((st = odb_stmt(o, Q_ENTRY_DONE, err)) == NULL)
		return NOSTMT(err);
	oc_bind_blob(st, 1, id, 16);
	oc_bind_blob(st, 2, rev, 16);
	dbx_bind_int64(st, 3, at);
	return oc_step_done(o, st, "entry", err);
}
