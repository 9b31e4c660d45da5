/* doorstep: office.db queries for visit lists and office bundles. */
/*
 * One or a few statements per function and no transaction of its own
 * (assign.c wraps each command in one).  Hot statements (one per entry
 * of a list of a thousand households) go through the connection's cache;
 * the rest are prepared once per call.
 */
#include "odb_int.h"
#include "odb_assign.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "util.h"

#define ENTRY_BODY_TAG	"entry.body"

static const char *const entry_states[] = { "", "queued", "sent",
    "applied", "done", "withdrawn" };
static const char *const item_kinds[] = { "", "entry", "withdraw", "form" };

const char *
odb_entry_state_str(int s)
{
	return s >= ODB_ENTRY_QUEUED && s <= ODB_ENTRY_WITHDRAWN ?
	    entry_states[s] : "";
}

static int
entry_state_num(const unsigned char *t)
{
	int i;

	for (i = ODB_ENTRY_QUEUED; i <= ODB_ENTRY_WITHDRAWN; i++)
		if (t != NULL && strcmp((const char *)t, entry_states[i]) == 0)
			return i;
	return 0;
}

static void
bind_blob(struct dbx_stmt *st, int i, const void *p, size_t n)
{
	if (p == NULL)
		dbx_bind_null(st, i);
	else
		dbx_bind_blob(st, i, p, (int)n);
}

static void
bind_text(struct dbx_stmt *st, int i, const char *s)
{
	dbx_bind_text(st, i, s != NULL ? s : "", -1);
}

static void
col_blob(struct dbx_stmt *st, int i, unsigned char *out, size_t n)
{
	const void *p = dbx_column_blob(st, i);

	if (p != NULL && (size_t)dbx_column_bytes(st, i) == n)
		memcpy(out, p, n);
	else
		memset(out, 0, n);
}

static void
col_text(struct dbx_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = dbx_column_text(st, i);

	snprintf(out, n, "%s", t != NULL ? (const char *)t : "");
}

/* Step a statement that returns no row, then reset it. */
static enum ds_status
step_done(struct odb *o, struct dbx_stmt *st, const char *what,
    struct ds_err *err)
{
	int rc = dbx_step(st);
	enum ds_status s = DS_OK;

	if (rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, what);
	dbx_reset(st);
	return s;
}

/* A statement for one call (finalized by the caller). */
static struct dbx_stmt *
prep(struct odb *o, const char *sql, struct ds_err *err)
{
	struct dbx_stmt *st = NULL;
	int rc;

	if ((rc = dbx_prepare(o->db, sql, &st)) != DBX_OK) {
		odb_sqlerr(o->db, rc, err, "prepare");
		return NULL;
	}
	return st;
}

static enum ds_status
stmt_fail(struct ds_err *err)
{
	return err != NULL && err->code != DS_OK ? err->code : DS_EIO;
}

/* ---- entries -------------------------------------------------------------- */

#define ENTRY_COLS "entry_id, hh_key, device_id, worker, reason, due," \
	" clue_id, round, form_id, form_ver, state, created_at, ob_seq," \
	" applied_at, done_at, withdrawn_at"

static void
entry_row(struct dbx_stmt *st, struct odb_entry *e)
{
	memset(e, 0, sizeof(*e));
	col_blob(st, 0, e->entry_id, 16);
	col_text(st, 1, e->hh_key, sizeof(e->hh_key));
	col_blob(st, 2, e->device_id, 16);
	col_text(st, 3, e->worker, sizeof(e->worker));
	col_text(st, 4, e->reason, sizeof(e->reason));
	col_text(st, 5, e->due, sizeof(e->due));
	e->has_clue = dbx_column_type(st, 6) == DBX_BLOB;
	col_blob(st, 6, e->clue_id, 16);
	col_text(st, 7, e->round, sizeof(e->round));
	col_text(st, 8, e->form_id, sizeof(e->form_id));
	col_text(st, 9, e->form_ver, sizeof(e->form_ver));
	e->state = entry_state_num(dbx_column_text(st, 10));
	e->created_at = dbx_column_int64(st, 11);
	e->ob_seq = (uint64_t)dbx_column_int64(st, 12);
	e->applied_at = dbx_column_int64(st, 13);
	e->done_at = dbx_column_int64(st, 14);
	e->withdrawn_at = dbx_column_int64(st, 15);
}

static const char Q_ENTRY_PUT[] = "INSERT INTO entry(entry_id, hh_key,"
    " device_id, worker, reason, due, clue_id, round, form_id, form_ver,"
    " body, state, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
    " ?10, ?11, ?12, ?13)";

enum ds_status
odb_entry_put(struct odb *o, const struct odb_entry *e, const char *body,
    size_t len, struct ds_err *err)
{
	struct dbx_stmt *st;
	unsigned char *nb;
	size_t need = ODB_SEALED_LEN(len);

	if (o->dkey == NULL)
		return ds_err_set(err, DS_ESTATE, "office db: opened without "
		    "the office secret key: entries cannot be stored");
	if (need > o->scap) {
		if ((nb = ds_realloc(o->sbuf, need)) == NULL)
			return ds_err_set(err, DS_ENOMEM, NULL);
		o->sbuf = nb;
		o->scap = need;
	}
	odb_seal_row(o, ENTRY_BODY_TAG, e->entry_id, 16, body, len, o->sbuf);
	if ((st = odb_stmt(o, Q_ENTRY_PUT, err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, e->entry_id, 16);
	bind_text(st, 2, e->hh_key);
	bind_blob(st, 3, e->device_id, 16);
	bind_text(st, 4, e->worker);
	bind_text(st, 5, e->reason);
	bind_text(st, 6, e->due);
	bind_blob(st, 7, e->has_clue ? e->clue_id : NULL, 16);
	if (e->round[0] != '\0')
		bind_text(st, 8, e->round);
	bind_text(st, 9, e->form_id);
	bind_text(st, 10, e->form_ver);
	bind_blob(st, 11, o->sbuf, need);
	bind_text(st, 12, odb_entry_state_str(e->state));
	dbx_bind_int64(st, 13, e->created_at);
	return step_done(o, st, "entry", err);
}

static const char Q_ENTRY_GET[] = "SELECT " ENTRY_COLS " FROM entry"
    " WHERE entry_id = ?1";

enum ds_status
odb_entry_get(struct odb *o, const unsigned char id[16], struct odb_entry *e,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	if ((st = odb_stmt(o, Q_ENTRY_GET, err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, id, 16);
	rc = dbx_step(st);
	if (rc == DBX_ROW)
		entry_row(st, e);
	dbx_reset(st);
	if (rc == DBX_ROW)
		return DS_OK;
	if (rc == DBX_DONE)
		return ds_err_set(err, DS_ENOENT, "no such entry");
	return odb_sqlerr(o->db, rc, err, "entry");
}

enum ds_status
odb_entry_find(struct odb *o, const char *hexprefix, struct odb_entry *e,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	size_t n = strlen(hexprefix), i;
	int rc, found = 0;

	if (n < 4 || n > 32)
		return ds_err_set(err, DS_EINVAL, "an entry id needs 4 to 32 "
		    "hex digits");
	for (i = 0; i < n; i++)
		if (!((hexprefix[i] >= '0' && hexprefix[i] <= '9') ||
		    (hexprefix[i] >= 'a' && hexprefix[i] <= 'f') ||
		    (hexprefix[i] >= 'A' && hexprefix[i] <= 'F')))
			return ds_err_set(err, DS_EINVAL, "an entry id is hex "
			    "digits");
	if ((st = prep(o, "SELECT " ENTRY_COLS " FROM entry WHERE"
	    " substr(lower(hex(entry_id)), 1, ?2) = lower(?1)", err)) == NULL)
		return stmt_fail(err);
	dbx_bind_text(st, 1, hexprefix, -1);
	dbx_bind_int(st, 2, (int)n);
	while ((rc = dbx_step(st)) == DBX_ROW)
		if (found++ == 0)
			entry_row(st, e);
	dbx_finalize(st);
	if (rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "entry");
	if (found == 0)
		return ds_err_set(err, DS_ENOENT, "no entry %s", hexprefix);
	if (found > 1)
		return ds_err_set(err, DS_EINVAL, "%d entries start with %s",
		    found, hexprefix);
	return DS_OK;
}

static const char Q_ENTRY_BODY[] = "SELECT body FROM entry WHERE"
    " entry_id = ?1";

enum ds_status
odb_entry_body(struct odb *o, const unsigned char id[16], char **out,
    size_t *len, struct ds_err *err)
{
	struct odb_plain pl = { NULL, 0, 0 };
	struct dbx_stmt *st;
	enum ds_status s;
	int rc;

	*out = NULL;
	if ((st = odb_stmt(o, Q_ENTRY_BODY, err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, id, 16);
	if ((rc = dbx_step(st)) != DBX_ROW) {
		dbx_reset(st);
		return rc == DBX_DONE ? ds_err_set(err, DS_ENOENT,
		    "no such entry") : odb_sqlerr(o->db, rc, err, "entry");
	}
	s = odb_unseal_row(o, st, 0, ENTRY_BODY_TAG, id, 16, &pl, err);
	dbx_reset(st);
	if (s != DS_OK) {
		odb_plain_free(&pl);
		return s;
	}
	*out = pl.p;
	*len = pl.len;
	return DS_OK;
}

static const char Q_ENTRY_OPEN[] = "SELECT 1 FROM entry WHERE hh_key = ?1"
    " AND device_id = ?2 AND reason = ?3 AND state IN ('queued', 'sent',"
    " 'applied') LIMIT 1";

enum ds_status
odb_entry_open(struct odb *o, const char *hh_key,
    const unsigned char device_id[16], const char *reason, int *open,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	*open = 0;
	if ((st = odb_stmt(o, Q_ENTRY_OPEN, err)) == NULL)
		return stmt_fail(err);
	bind_text(st, 1, hh_key);
	bind_blob(st, 2, device_id, 16);
	bind_text(st, 3, reason);
	rc = dbx_step(st);
	dbx_reset(st);
	if (rc == DBX_ROW)
		*open = 1;
	else if (rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "entry");
	return DS_OK;
}

enum ds_status
odb_entry_state_set(struct odb *o, const unsigned char id[16], int state,
    int64_t at, struct ds_err *err)
{
	static const char *const sql[] = {
		NULL,
		"UPDATE entry SET state = 'queued' WHERE entry_id = ?1",
		"UPDATE entry SET state = 'sent', ob_seq = ?2 WHERE"
		" entry_id = ?1",
		"UPDATE entry SET state = 'applied', applied_at = ?2 WHERE"
		" entry_id = ?1",
		"UPDATE entry SET state = 'done', done_at = ?2 WHERE"
		" entry_id = ?1",
		"UPDATE entry SET state = 'withdrawn', withdrawn_at = ?2 WHERE"
		" entry_id = ?1"
	};
	struct dbx_stmt *st;

	if (state < ODB_ENTRY_QUEUED || state > ODB_ENTRY_WITHDRAWN)
		return ds_err_set(err, DS_EINVAL, "bad entry state");
	if ((st = odb_stmt(o, sql[state], err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, id, 16);
	if (state != ODB_ENTRY_QUEUED)
		dbx_bind_int64(st, 2, at);
	return step_done(o, st, "entry state", err);
}

enum ds_status
odb_entry_applied(struct odb *o, const unsigned char dev[16], uint64_t seq,
    int64_t at, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;

	if ((st = prep(o, "UPDATE entry SET state = 'applied', applied_at ="
	    " ?3 WHERE device_id = ?1 AND state = 'sent' AND ob_seq <= ?2",
	    err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, dev, 16);
	dbx_bind_int64(st, 2, (int64_t)seq);
	dbx_bind_int64(st, 3, at);
	s = step_done(o, st, "entry applied", err);
	dbx_finalize(st);
	return s;
}

enum ds_status
odb_entry_each(struct odb *o, const unsigned char *device_id,
    int (*cb)(void *, const struct odb_entry *), void *arg,
    struct ds_err *err)
{
	struct odb_entry e;
	struct dbx_stmt *st;
	int rc;

	if ((st = prep(o, "SELECT " ENTRY_COLS " FROM entry WHERE"
	    " device_id = ?1"
	    " OR ?1 IS NULL ORDER BY created_at, entry_id", err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, device_id, 16);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		entry_row(st, &e);
		if (cb(arg, &e) != 0) {
			rc = DBX_DONE;
			break;
		}
	}
	dbx_finalize(st);
	return rc == DBX_DONE ? DS_OK : odb_sqlerr(o->db, rc, err, "entry");
}

enum ds_status
odb_list_counts(struct odb *o, const char *today,
    int (*cb)(void *, const struct odb_list_counts *), void *arg,
    struct ds_err *err)
{
	struct odb_list_counts c;
	struct dbx_stmt *st;
	int rc;

	if ((st = prep(o, "WITH devs AS (SELECT device_id FROM entry UNION"
	    " SELECT device_id FROM obundle) SELECT d.device_id,"
	    " (SELECT count(*) FROM entry e WHERE e.device_id = d.device_id"
	    "  AND state = 'queued'),"
	    " (SELECT count(*) FROM entry e WHERE e.device_id = d.device_id"
	    "  AND state = 'sent'),"
	    " (SELECT count(*) FROM entry e WHERE e.device_id = d.device_id"
	    "  AND state = 'applied'),"
	    " (SELECT count(*) FROM entry e WHERE e.device_id = d.device_id"
	    "  AND state = 'done'),"
	    " (SELECT count(*) FROM entry e WHERE e.device_id = d.device_id"
	    "  AND state = 'withdrawn'),"
	    " (SELECT count(*) FROM entry e WHERE e.device_id = d.device_id"
	    "  AND state IN ('queued', 'sent', 'applied') AND due < ?1),"
	    " (SELECT coalesce(max(seq), 0) FROM obundle b WHERE"
	    "  b.device_id = d.device_id),"
	    " coalesce(v.note_seq, 0), coalesce(v.note_at, 0),"
	    " v.box_pk IS NOT NULL"
	    " FROM devs d LEFT JOIN device v ON v.device_id = d.device_id"
	    " ORDER BY d.device_id", err)) == NULL)
		return stmt_fail(err);
	bind_text(st, 1, today);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		memset(&c, 0, sizeof(c));
		col_blob(st, 0, c.device_id, 16);
		c.queued = dbx_column_int64(st, 1);
		c.sent = dbx_column_int64(st, 2);
		c.applied = dbx_column_int64(st, 3);
		c.done = dbx_column_int64(st, 4);
		c.withdrawn = dbx_column_int64(st, 5);
		c.overdue = dbx_column_int64(st, 6);
		c.ob_seq = (uint64_t)dbx_column_int64(st, 7);
		c.note_seq = (uint64_t)dbx_column_int64(st, 8);
		c.note_at = dbx_column_int64(st, 9);
		c.has_box = dbx_column_int(st, 10);
		if (cb(arg, &c) != 0) {
			rc = DBX_DONE;
			break;
		}
	}
	dbx_finalize(st);
	return rc == DBX_DONE ? DS_OK : odb_sqlerr(o->db, rc, err,
	    "list counts");
}

/* ---- households to visit -------------------------------------------------- */

#define CAND_COLS "coalesce(h.hh_key, c.hh_key), coalesce(h.township, ''),"	\
	" coalesce(h.village, ''), coalesce(h.vgroup, ''),"		\
	" coalesce(h.grid_worker, ''), h.head_name"
#define CAND_PLACE "(h.village = ?1 OR ?1 IS NULL) AND (h.vgroup = ?2 OR"\
	" ?2 IS NULL) AND (h.grid_worker = ?3 OR ?3 IS NULL)"
#define CAND_NOT_SEEN "NOT EXISTS (SELECT 1 FROM visit v WHERE"		\
	" v.hh_key = h.hh_key AND v.finalized = 1 AND v.visit_date >= ?4)"
#define CAND_ORDER " ORDER BY 3, 4, 1"

static const char *const cand_sql[] = {
	NULL,
	/* PLACE */
	"SELECT " CAND_COLS " FROM hh h LEFT JOIN clue c ON 1 = 0 WHERE "
	CAND_PLACE CAND_ORDER,
	/* CLUES: the household's oldest open clue */
	"SELECT " CAND_COLS ", c.clue_id, c.channel, c.source, c.date,"
	" c.reason, c.amount FROM clue c LEFT JOIN hh h ON h.hh_key ="
	" c.hh_key WHERE c.hh_key IS NOT NULL AND c.state = 'open' AND"
	" c.clue_id = (SELECT c2.clue_id FROM clue c2 WHERE c2.hh_key ="
	" c.hh_key AND c2.state = 'open' ORDER BY c2.date, c2.clue_id"
	" LIMIT 1) AND (" CAND_PLACE " OR"
	"(?1 IS NULL AND ?2 IS NULL AND ?3 IS NULL))" CAND_ORDER,
	/* FOLLOWUP */
	"SELECT " CAND_COLS " FROM hh h LEFT JOIN clue c ON 1 = 0 WHERE "
	CAND_PLACE " AND h.state IN ('monitored', 'elim') AND "
	CAND_NOT_SEEN CAND_ORDER,
	/* LOOKBACK */
	"SELECT " CAND_COLS " FROM hh h LEFT JOIN clue c ON 1 = 0 WHERE "
	CAND_PLACE " AND h.state = 'eliminated' AND " CAND_NOT_SEEN CAND_ORDER,
	/* ROUND: the scope is filtered in C */
	"SELECT " CAND_COLS " FROM hh h LEFT JOIN clue c ON 1 = 0 WHERE "
	CAND_PLACE " AND h.in_register = 1 AND " CAND_NOT_SEEN CAND_ORDER,
	/* KEY */
	"SELECT " CAND_COLS " FROM hh h LEFT JOIN clue c ON 1 = 0 WHERE "
	CAND_PLACE " AND h.hh_key = ?5"
};

/* Unseal column i into out (n bytes, NUL-terminated); "" when NULL. */
static enum ds_status
unseal_text(struct odb *o, struct dbx_stmt *st, int i, const char *tag,
    const void *key, size_t keylen, char *out, size_t n, struct ds_err *err)
{
	struct odb_plain pl = { NULL, 0, 0 };
	enum ds_status s;

	out[0] = '\0';
	if (dbx_column_type(st, i) == DBX_NULL)
		return DS_OK;
	if ((s = odb_unseal_row(o, st, i, tag, key, keylen, &pl, err)) ==
	    DS_OK)
		snprintf(out, n, "%s", pl.p);
	odb_plain_free(&pl);
	return s;
}

/* Is word one of the comma- or space-separated words of list? */
static int
in_scope(const char *list, const char *word)
{
	size_t n = strlen(word), k;
	const char *p = list;

	if (n == 0)
		return 0;
	while (*p != '\0') {
		while (*p == ',' || *p == ' ')
			p++;
		k = strcspn(p, ", ");
		if (k == n && strncmp(p, word, n) == 0)
			return 1;
		p += k;
	}
	return 0;
}

/* The round's start, due date and scope; DS_ENOENT if unknown. */
static enum ds_status
round_get(struct odb *o, const char *name, char started[ODB_DATE_MAX],
    char due[ODB_DATE_MAX], char *scope, size_t n, struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	if ((st = prep(o, "SELECT started, due, scope FROM round WHERE"
	    " name = ?1", err)) == NULL)
		return stmt_fail(err);
	bind_text(st, 1, name);
	if ((rc = dbx_step(st)) == DBX_ROW) {
		col_text(st, 0, started, ODB_DATE_MAX);
		col_text(st, 1, due, ODB_DATE_MAX);
		col_text(st, 2, scope, n);
	}
	dbx_finalize(st);
	if (rc == DBX_DONE)
		return ds_err_set(err, DS_ENOENT, "no screening round %s",
		    name);
	return rc == DBX_ROW ? DS_OK : odb_sqlerr(o->db, rc, err, "round");
}

/* A key seen only in imported revisions: a candidate without places. */
static enum ds_status
key_in_revisions(struct odb *o, const char *key, int *found,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	*found = 0;
	if ((st = prep(o, "SELECT 1 FROM revision WHERE household_key = ?1"
	    " LIMIT 1", err)) == NULL)
		return stmt_fail(err);
	bind_text(st, 1, key);
	rc = dbx_step(st);
	dbx_finalize(st);
	if (rc == DBX_ROW)
		*found = 1;
	return rc == DBX_ROW || rc == DBX_DONE ? DS_OK :
	    odb_sqlerr(o->db, rc, err, "revision");
}

enum ds_status
odb_candidates(struct odb *o, const struct odb_cand_q *q,
    int (*cb)(void *, const struct odb_cand *), void *arg,
    struct ds_err *err)
{
	struct odb_cand *c = NULL;
	struct dbx_stmt *st = NULL;
	char started[ODB_DATE_MAX] = "", due[ODB_DATE_MAX] = "";
	char scope[1024] = "";
	enum ds_status s = DS_OK;
	int rc = DBX_DONE, calls = 0, stop = 0;

	if (q->by < ODB_CAND_PLACE || q->by > ODB_CAND_KEY)
		return ds_err_set(err, DS_EINVAL, "bad selection");
	if (o->dkey == NULL)
		return ds_err_set(err, DS_ESTATE, "office db: opened without "
		    "the office secret key");
	if (q->by == ODB_CAND_ROUND && (s = round_get(o, q->round, started,
	    due, scope, sizeof(scope), err)) != DS_OK)
		return s;
	if ((c = ds_malloc(sizeof(*c))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if ((st = prep(o, cand_sql[q->by], err)) == NULL) {
		ds_free(c);
		return stmt_fail(err);
	}
	if (q->village != NULL)
		bind_text(st, 1, q->village);
	if (q->vgroup != NULL)
		bind_text(st, 2, q->vgroup);
	if (q->grid_worker != NULL)
		bind_text(st, 3, q->grid_worker);
	if (q->by == ODB_CAND_FOLLOWUP || q->by == ODB_CAND_LOOKBACK)
		bind_text(st, 4, q->since);
	else if (q->by == ODB_CAND_ROUND)
		bind_text(st, 4, started);
	if (q->by == ODB_CAND_KEY)
		bind_text(st, 5, q->key);
	while (!stop && s == DS_OK && (rc = dbx_step(st)) == DBX_ROW) {
		memset(c, 0, sizeof(*c));
		col_text(st, 0, c->hh_key, sizeof(c->hh_key));
		col_text(st, 1, c->township, sizeof(c->township));
		col_text(st, 2, c->village, sizeof(c->village));
		col_text(st, 3, c->vgroup, sizeof(c->vgroup));
		col_text(st, 4, c->grid_worker, sizeof(c->grid_worker));
		if (q->by == ODB_CAND_ROUND && scope[0] != '\0' &&
		    !in_scope(scope, c->village) && !in_scope(scope, c->vgroup))
			continue;
		snprintf(c->round_due, sizeof(c->round_due), "%s", due);
		s = unseal_text(o, st, 5, "hh.head_name", c->hh_key,
		    strlen(c->hh_key), c->head_name, sizeof(c->head_name), err);
		if (s == DS_OK && q->by == ODB_CAND_CLUES) {
			c->has_clue = 1;
			col_blob(st, 6, c->clue_id, 16);
			col_text(st, 7, c->channel, sizeof(c->channel));
			col_text(st, 8, c->source, sizeof(c->source));
			col_text(st, 9, c->clue_date, sizeof(c->clue_date));
			s = unseal_text(o, st, 10, "clue.reason", c->clue_id,
			    16, c->clue_reason, sizeof(c->clue_reason), err);
			if (s == DS_OK)
				s = unseal_text(o, st, 11, "clue.amount",
				    c->clue_id, 16, c->clue_amount,
				    sizeof(c->clue_amount), err);
		}
		if (s == DS_OK) {
			calls++;
			stop = cb(arg, c) != 0;
		}
		cry_wipe(c, sizeof(*c));
	}
	if (s == DS_OK && !stop && rc != DBX_DONE)
		s = odb_sqlerr(o->db, rc, err, "households");
	dbx_finalize(st);
	if (s == DS_OK && !stop && calls == 0 && q->by == ODB_CAND_KEY &&
	    q->village == NULL && q->vgroup == NULL && q->grid_worker == NULL) {
		int found;

		if ((s = key_in_revisions(o, q->key, &found, err)) == DS_OK &&
		    found) {
			memset(c, 0, sizeof(*c));
			snprintf(c->hh_key, sizeof(c->hh_key), "%s", q->key);
			(void)cb(arg, c);
		}
	}
	cry_wipe(c, sizeof(*c));
	ds_free(c);
	return s;
}

enum ds_status
odb_hh_heads(struct odb *o, const char *hh_key, unsigned char (*out)[16],
    size_t max, size_t *n, struct ds_err *err)
{
	static const char q[] = "SELECT h.rev_id FROM head h JOIN revision r"
	    " ON r.rev_id = h.rev_id WHERE h.household_key = ?1 AND"
	    " h.deleted = 0 ORDER BY r.saved_at DESC, r.rev_id DESC";
	struct dbx_stmt *st;
	int rc = DBX_DONE;

	*n = 0;
	if ((st = odb_stmt(o, q, err)) == NULL)
		return stmt_fail(err);
	bind_text(st, 1, hh_key);
	while (*n < max && (rc = dbx_step(st)) == DBX_ROW)
		col_blob(st, 0, out[(*n)++], 16);
	if (*n < max && rc != DBX_DONE) {
		dbx_reset(st);
		return odb_sqlerr(o->db, rc, err, "heads");
	}
	dbx_reset(st);
	return DS_OK;
}

/* ---- items ------------------------------------------------------------------ */

static const char Q_ITEM_QUEUE[] = "INSERT INTO ob_item(device_id, kind, ref,"
    " queued_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";

enum ds_status
odb_item_queue(struct odb *o, const unsigned char device[16], int kind,
    const void *ref, size_t ref_len, struct ds_err *err)
{
	struct dbx_stmt *st;

	if (kind < ODB_ITEM_ENTRY || kind > ODB_ITEM_FORM ||
	    ref_len > sizeof(((struct odb_item *)0)->ref))
		return ds_err_set(err, DS_EINVAL, "bad item");
	if ((st = odb_stmt(o, Q_ITEM_QUEUE, err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, device, 16);
	bind_text(st, 2, item_kinds[kind]);
	bind_blob(st, 3, ref, ref_len);
	dbx_bind_int64(st, 4, ds_now());
	return step_done(o, st, "item", err);
}

enum ds_status
odb_item_unqueue(struct odb *o, const unsigned char device[16], int kind,
    const void *ref, size_t ref_len, int *dropped, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	int n = 0;

	*dropped = 0;
	if ((st = prep(o, "DELETE FROM ob_item WHERE device_id = ?1 AND"
	    " kind = ?2 AND ref = ?3 AND seq IS NULL", err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, device, 16);
	bind_text(st, 2, item_kinds[kind]);
	bind_blob(st, 3, ref, ref_len);
	if ((s = step_done(o, st, "item", err)) == DS_OK &&
	    (n = dbx_changes(o->db)) < 0)	/* PostgreSQL: it failed */
		s = odb_sqlerr(o->db, DBX_ERROR, err, "item");
	else if (s == DS_OK)
		*dropped = n > 0;
	dbx_finalize(st);
	return s;
}

enum ds_status
odb_item_each_queued(struct odb *o, const unsigned char device[16],
    int (*cb)(void *, const struct odb_item *), void *arg,
    struct ds_err *err)
{
	struct odb_item it;
	struct dbx_stmt *st;
	const void *p;
	int rc, k;

	/* Forms first: an entry may name the version it brings. */
	if ((st = prep(o, "SELECT kind, ref FROM ob_item WHERE device_id = ?1"
	    " AND seq IS NULL ORDER BY CASE kind WHEN 'form' THEN 0"
	    " WHEN 'entry' THEN 1 ELSE 2 END, queued_at, ref", err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, device, 16);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		memset(&it, 0, sizeof(it));
		for (k = ODB_ITEM_ENTRY; k <= ODB_ITEM_FORM; k++)
			if (strcmp((const char *)dbx_column_text(st, 0),
			    item_kinds[k]) == 0)
				it.kind = k;
		it.ref_len = (size_t)dbx_column_bytes(st, 1);
		p = dbx_column_blob(st, 1);
		if (it.kind == 0 || p == NULL || it.ref_len > sizeof(it.ref))
			continue;
		memcpy(it.ref, p, it.ref_len);
		if (cb(arg, &it) != 0) {
			rc = DBX_DONE;
			break;
		}
	}
	dbx_finalize(st);
	return rc == DBX_DONE ? DS_OK : odb_sqlerr(o->db, rc, err, "items");
}

static const char Q_ITEM_SENT[] = "UPDATE ob_item SET seq = ?4 WHERE"
    " device_id = ?1 AND kind = ?2 AND ref = ?3";

enum ds_status
odb_item_sent(struct odb *o, const unsigned char device[16], int kind,
    const void *ref, size_t ref_len, uint64_t seq, struct ds_err *err)
{
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_ITEM_SENT, err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, device, 16);
	bind_text(st, 2, item_kinds[kind]);
	bind_blob(st, 3, ref, ref_len);
	dbx_bind_int64(st, 4, (int64_t)seq);
	return step_done(o, st, "item sent", err);
}

enum ds_status
odb_item_devices(struct odb *o,
    int (*cb)(void *, const unsigned char device[16]), void *arg,
    struct ds_err *err)
{
	unsigned char dev[16];
	struct dbx_stmt *st;
	int rc;

	if ((st = prep(o, "SELECT DISTINCT device_id FROM ob_item WHERE"
	    " seq IS NULL ORDER BY device_id", err)) == NULL)
		return stmt_fail(err);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		col_blob(st, 0, dev, 16);
		if (cb(arg, dev) != 0) {
			rc = DBX_DONE;
			break;
		}
	}
	dbx_finalize(st);
	return rc == DBX_DONE ? DS_OK : odb_sqlerr(o->db, rc, err, "items");
}

enum ds_status
odb_item_has(struct odb *o, const unsigned char device[16], int kind,
    const void *ref, size_t ref_len, int *any, struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	*any = 0;
	if ((st = prep(o, "SELECT 1 FROM ob_item WHERE device_id = ?1 AND"
	    " kind = ?2 AND ref = ?3", err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, device, 16);
	bind_text(st, 2, item_kinds[kind]);
	bind_blob(st, 3, ref, ref_len);
	rc = dbx_step(st);
	dbx_finalize(st);
	if (rc == DBX_ROW)
		*any = 1;
	else if (rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "items");
	return DS_OK;
}

/* ---- office bundles -------------------------------------------------------- */

enum ds_status
odb_obundle_put(struct odb *o, const struct odb_obundle *b,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;

	if ((st = prep(o, "INSERT INTO obundle(device_id, seq, bundle_id,"
	    " hash, created_at, n_entries, n_withdrawals, n_files, bytes)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, b->device_id, 16);
	dbx_bind_int64(st, 2, (int64_t)b->seq);
	bind_blob(st, 3, b->bundle_id, 16);
	bind_blob(st, 4, b->hash, 32);
	dbx_bind_int64(st, 5, b->created_at);
	dbx_bind_int64(st, 6, b->n_entries);
	dbx_bind_int64(st, 7, b->n_withdrawals);
	dbx_bind_int64(st, 8, b->n_files);
	bind_blob(st, 9, b->bytes, b->len);
	s = step_done(o, st, "office bundle", err);
	dbx_finalize(st);
	return s;
}

enum ds_status
odb_obundle_last(struct odb *o, const unsigned char dev[16], uint64_t *seq,
    unsigned char hash[32], struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	*seq = 0;
	memset(hash, 0, 32);
	if ((st = prep(o, "SELECT seq, hash FROM obundle WHERE device_id = ?1"
	    " ORDER BY seq DESC LIMIT 1", err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, dev, 16);
	if ((rc = dbx_step(st)) == DBX_ROW) {
		*seq = (uint64_t)dbx_column_int64(st, 0);
		col_blob(st, 1, hash, 32);
	}
	dbx_finalize(st);
	return rc == DBX_ROW || rc == DBX_DONE ? DS_OK :
	    odb_sqlerr(o->db, rc, err, "office bundle");
}

enum ds_status
odb_obundle_get(struct odb *o, const unsigned char dev[16], uint64_t seq,
    unsigned char **out, size_t *len, unsigned char hash[32],
    struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	*out = NULL;
	*len = 0;
	if ((st = prep(o, "SELECT bytes, hash FROM obundle WHERE"
	    " device_id = ?1 AND seq = ?2", err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, dev, 16);
	dbx_bind_int64(st, 2, (int64_t)seq);
	if ((rc = dbx_step(st)) == DBX_ROW) {
		*len = (size_t)dbx_column_bytes(st, 0);
		if ((*out = ds_malloc(*len ? *len : 1)) == NULL)
			s = ds_err_set(err, DS_ENOMEM, NULL);
		else
			memcpy(*out, dbx_column_blob(st, 0), *len);
		if (hash != NULL)
			col_blob(st, 1, hash, 32);
	} else if (rc == DBX_DONE)
		s = ds_err_set(err, DS_ENOENT, "no such office bundle");
	else
		s = odb_sqlerr(o->db, rc, err, "office bundle");
	dbx_finalize(st);
	return s;
}

enum ds_status
odb_obundle_each(struct odb *o, const unsigned char dev[16], uint64_t after,
    int (*cb)(void *, const struct odb_obundle *), void *arg,
    struct ds_err *err)
{
	struct odb_obundle b;
	struct dbx_stmt *st;
	int rc;

	if ((st = prep(o, "SELECT seq, bundle_id, hash, created_at,"
	    " coalesce(applied_at, 0), n_entries, n_withdrawals, n_files,"
	    " bytes FROM obundle WHERE device_id = ?1 AND seq > ?2"
	    " ORDER BY seq", err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, dev, 16);
	dbx_bind_int64(st, 2, (int64_t)after);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		memset(&b, 0, sizeof(b));
		memcpy(b.device_id, dev, 16);
		b.seq = (uint64_t)dbx_column_int64(st, 0);
		col_blob(st, 1, b.bundle_id, 16);
		col_blob(st, 2, b.hash, 32);
		b.created_at = dbx_column_int64(st, 3);
		b.applied_at = dbx_column_int64(st, 4);
		b.n_entries = dbx_column_int64(st, 5);
		b.n_withdrawals = dbx_column_int64(st, 6);
		b.n_files = dbx_column_int64(st, 7);
		b.bytes = dbx_column_blob(st, 8);
		b.len = (size_t)dbx_column_bytes(st, 8);
		if (cb(arg, &b) != 0) {
			rc = DBX_DONE;
			break;
		}
	}
	dbx_finalize(st);
	return rc == DBX_DONE ? DS_OK : odb_sqlerr(o->db, rc, err,
	    "office bundle");
}

enum ds_status
odb_obundle_applied(struct odb *o, const unsigned char dev[16], uint64_t seq,
    int64_t at, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;

	if ((st = prep(o, "UPDATE obundle SET applied_at = ?3 WHERE"
	    " device_id = ?1 AND seq <= ?2 AND applied_at IS NULL", err)) ==
	    NULL)
		return stmt_fail(err);
	bind_blob(st, 1, dev, 16);
	dbx_bind_int64(st, 2, (int64_t)seq);
	dbx_bind_int64(st, 3, at);
	s = step_done(o, st, "office bundle applied", err);
	dbx_finalize(st);
	return s;
}

enum ds_status
odb_obundle_unsend(struct odb *o, const unsigned char dev[16], uint64_t seq,
    struct ds_err *err)
{
	static const char *const sql[] = {
		"UPDATE ob_item SET seq = NULL WHERE device_id = ?1 AND"
		" seq > ?2",
		"UPDATE entry SET state = 'queued', ob_seq = NULL WHERE"
		" device_id = ?1 AND state = 'sent' AND ob_seq > ?2",
		"DELETE FROM obundle WHERE device_id = ?1 AND seq > ?2"
	};
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	size_t i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]) && s == DS_OK; i++) {
		if ((st = prep(o, sql[i], err)) == NULL)
			return stmt_fail(err);
		bind_blob(st, 1, dev, 16);
		dbx_bind_int64(st, 2, (int64_t)seq);
		s = step_done(o, st, "office bundle", err);
		dbx_finalize(st);
	}
	return s;
}

/* ---- forms ------------------------------------------------------------------ */

/* Compare the stored files of a version with these; *same 1 if equal. */
static enum ds_status
form_same(struct odb *o, const char *form_id, const char *version,
    const struct odb_form_file *f, size_t n, int *same, struct ds_err *err)
{
	struct dbx_stmt *st;
	size_t i, seen = 0;
	int rc;

	*same = 1;
	if ((st = prep(o, "SELECT name, role, bytes FROM form_file WHERE"
	    " form_id = ?1 AND version = ?2", err)) == NULL)
		return stmt_fail(err);
	bind_text(st, 1, form_id);
	bind_text(st, 2, version);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		const char *name = (const char *)dbx_column_text(st, 0);
		const char *role = (const char *)dbx_column_text(st, 1);
		size_t len = (size_t)dbx_column_bytes(st, 2);
		const void *p = dbx_column_blob(st, 2);

		seen++;
		for (i = 0; i < n; i++)
			if (strcmp(f[i].name, name) == 0)
				break;
		if (i == n || strcmp(role, f[i].role == 1 ? "form" : "list") !=
		    0 || f[i].len != len || (len > 0 && memcmp(f[i].bytes, p,
		    len) != 0))
			*same = 0;
	}
	dbx_finalize(st);
	if (rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "form files");
	if (seen != n)
		*same = 0;
	return DS_OK;
}

enum ds_status
odb_form_put(struct odb *o, const char *form_id, const char *version,
    const char *title, const struct odb_form_file *f, size_t n, int64_t at,
    int *same, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	size_t i;
	int rc;

	*same = 0;
	if ((st = prep(o, "SELECT 1 FROM form_pub WHERE form_id = ?1 AND"
	    " version = ?2", err)) == NULL)
		return stmt_fail(err);
	bind_text(st, 1, form_id);
	bind_text(st, 2, version);
	rc = dbx_step(st);
	dbx_finalize(st);
	if (rc == DBX_ROW) {
		if ((s = form_same(o, form_id, version, f, n, same, err)) !=
		    DS_OK)
			return s;
		return *same ? DS_OK : ds_err_set(err, DS_EEXIST, "form %s "
		    "version %s is already published with other files",
		    form_id, version);
	}
	if (rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "form");
	if ((st = prep(o, "INSERT INTO form_pub(form_id, version, title,"
	    " published_at) VALUES (?1, ?2, ?3, ?4)", err)) == NULL)
		return stmt_fail(err);
	bind_text(st, 1, form_id);
	bind_text(st, 2, version);
	bind_text(st, 3, title);
	dbx_bind_int64(st, 4, at);
	s = step_done(o, st, "form", err);
	dbx_finalize(st);
	if (s != DS_OK)
		return s;
	if ((st = prep(o, "INSERT INTO form_file(form_id, version, name, role,"
	    " bytes) VALUES (?1, ?2, ?3, ?4, ?5)", err)) == NULL)
		return stmt_fail(err);
	for (i = 0; i < n && s == DS_OK; i++) {
		dbx_reset(st);
		bind_text(st, 1, form_id);
		bind_text(st, 2, version);
		bind_text(st, 3, f[i].name);
		bind_text(st, 4, f[i].role == 1 ? "form" : "list");
		bind_blob(st, 5, f[i].bytes, f[i].len);
		s = step_done(o, st, "form file", err);
	}
	dbx_finalize(st);
	return s;
}

enum ds_status
odb_form_files(struct odb *o, const char *form_id, const char *version,
    int (*cb)(void *, const struct odb_form_file *), void *arg,
    struct ds_err *err)
{
	struct odb_form_file f;
	struct dbx_stmt *st;
	int rc, n = 0;

	/* The form file first, then its lists by name. */
	if ((st = prep(o, "SELECT name, role, bytes FROM form_file WHERE"
	    " form_id = ?1 AND version = ?2 ORDER BY role = 'list', name",
	    err)) == NULL)
		return stmt_fail(err);
	bind_text(st, 1, form_id);
	bind_text(st, 2, version);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		n++;
		f.name = (const char *)dbx_column_text(st, 0);
		f.role = strcmp((const char *)dbx_column_text(st, 1),
		    "form") == 0 ? 1 : 2;
		f.bytes = dbx_column_blob(st, 2);
		f.len = (size_t)dbx_column_bytes(st, 2);
		if (cb(arg, &f) != 0) {
			rc = DBX_DONE;
			break;
		}
	}
	dbx_finalize(st);
	if (rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "form files");
	return n > 0 ? DS_OK : ds_err_set(err, DS_ENOENT, "form %s version "
	    "%s is not published", form_id, version);
}

enum ds_status
odb_form_latest(struct odb *o, const char *form_id,
    int (*cb)(void *, const char *id, const char *ver), void *arg,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	if ((st = prep(o, "SELECT form_id, version FROM form_pub p WHERE"
	    " (form_id = ?1 OR ?1 IS NULL) AND NOT EXISTS (SELECT 1 FROM"
	    " form_pub q WHERE q.form_id = p.form_id AND (q.published_at >"
	    " p.published_at OR (q.published_at = p.published_at AND"
	    " q.version > p.version))) ORDER BY form_id", err)) == NULL)
		return stmt_fail(err);
	if (form_id != NULL)
		bind_text(st, 1, form_id);
	while ((rc = dbx_step(st)) == DBX_ROW)
		if (cb(arg, (const char *)dbx_column_text(st, 0),
		    (const char *)dbx_column_text(st, 1)) != 0) {
			rc = DBX_DONE;
			break;
		}
	dbx_finalize(st);
	return rc == DBX_DONE ? DS_OK : odb_sqlerr(o->db, rc, err, "forms");
}

/* ---- devices ---------------------------------------------------------------- */

enum ds_status
odb_device_box(struct odb *o, const unsigned char dev[16],
    unsigned char box_pk[32], int *has, uint64_t *note_seq,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	*has = 0;
	*note_seq = 0;
	memset(box_pk, 0, 32);
	if ((st = prep(o, "SELECT box_pk, note_seq FROM device WHERE"
	    " device_id = ?1", err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, dev, 16);
	if ((rc = dbx_step(st)) == DBX_ROW) {
		*has = dbx_column_type(st, 0) == DBX_BLOB &&
		    dbx_column_bytes(st, 0) == 32;
		col_blob(st, 0, box_pk, 32);
		*note_seq = (uint64_t)dbx_column_int64(st, 1);
	}
	dbx_finalize(st);
	if (rc == DBX_DONE)
		return ds_err_set(err, DS_ENOENT, "unknown device");
	return rc == DBX_ROW ? DS_OK : odb_sqlerr(o->db, rc, err,
	    "device");
}

enum ds_status
odb_device_note(struct odb *o, const unsigned char dev[16],
    const unsigned char box_pk[32], uint64_t applied_seq, int64_t at,
    int *first, int *changed, struct ds_err *err)
{
	unsigned char old[32];
	uint64_t seq;
	struct dbx_stmt *st;
	enum ds_status s;
	int has;

	*first = *changed = 0;
	if ((s = odb_device_box(o, dev, old, &has, &seq, err)) != DS_OK)
		return s;
	*first = !has;
	*changed = has && memcmp(old, box_pk, 32) != 0;
	if ((st = prep(o, "UPDATE device SET box_pk = ?2, box_pk_at ="
	    " CASE WHEN box_pk IS NOT DISTINCT FROM ?2 THEN box_pk_at"
	    " ELSE ?4 END, note_seq = CASE WHEN note_seq > ?3 THEN note_seq"
	    " ELSE ?3 END, note_at = ?4 WHERE device_id = ?1", err)) == NULL)
		return stmt_fail(err);
	bind_blob(st, 1, dev, 16);
	bind_blob(st, 2, box_pk, 32);
	dbx_bind_int64(st, 3, (int64_t)applied_seq);
	dbx_bind_int64(st, 4, at);
	s = step_done(o, st, "device note", err);
	dbx_finalize(st);
	return s;
}
