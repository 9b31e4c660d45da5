/* doorstep: a bundle's revisions stored at once on PostgreSQL. */
/*
 * Row by row (odb_sync.c), a bundle of a thousand revisions costs the
 * server a thousand inserts, sequence checks, sibling look-ups and head
 * upserts, and the importer a wait for each read.  Here the bundle's
 * revision rows, sealed as odb_rev_insert seals them, go to a temporary
 * table in one COPY; one query answers, for every row, the questions the
 * row-by-row path asks (stored already? parent settled? sequence number
 * taken? a sibling to fork with?); one INSERT ... SELECT stores the new
 * ones and one more sets the heads of the settled ones.  Same
 * transaction, same township lock (odb_begin), same rows.
 *
 * Only when nothing needs the row-by-row path's order: a bundle where two
 * revisions share a record or an id, a parent is in the bundle, a device
 * sequence number is used twice (a restored laptop: alerts), or a new
 * settled revision has a sibling (a fork: its answers are compared in C)
 * goes row by row, as before.  Nothing is written before that is known.
 * The staging table holds sealed values only (no name or number in
 * clear), lives in the session's own schema and empties at each commit.
 */
#include "odb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "bundle.h"
#include "mem.h"
#include "util.h"

/* The COPY text of a bundle at most: its payload's cap, sealed, in hex. */
#define STAGE_MAX	((size_t)4 * BUNDLE_PLAIN_MAX)

static const char Q_STAGE_MAKE[] = "CREATE TEMP TABLE IF NOT EXISTS"
    " ds_rev_stage(ord int NOT NULL, rev_id bytea, record_uuid bytea,"
    " parent_rev_id bytea, rev_no bigint, household_key text, form_id text,"
    " form_ver text, device_id bytea, device_seq bigint, worker_id text,"
    " t_start bigint, t_end bigint, saved_at bigint, deleted bigint,"
    " answers bytea, audit bytea, consent bytea, bundle_id bytea)"
    " ON COMMIT DELETE ROWS";

static const char Q_STAGE_COPY[] = "COPY pg_temp.ds_rev_stage FROM STDIN";

/*
 * For each staged row, what the row-by-row path asks of it (odb_sync.c:
 * odb_rev_insert's conflict, odb_rev_settled, odb_rev_seq_taken,
 * odb_rev_siblings).  Scalar subqueries: an index probe each a row.  The
 * township named as well as the policy's: equal on every leading column
 * of the index whatever the planner knows (a plan made before the table
 * had statistics left the township to a filter over the county's rows:
 * time growing with the township).
 */
#define MINE " r.county_code = (SELECT ds_county()) AND" \
    " r.township_code = (SELECT ds_township()) AND"
static const char Q_STAGE_PLAN[] = "SELECT s.ord,"
    " (SELECT 1 FROM revision r WHERE" MINE " r.rev_id = s.rev_id LIMIT 1),"
    " (SELECT r.held FROM revision r WHERE" MINE
    "  r.rev_id = s.parent_rev_id LIMIT 1),"
    " (SELECT 1 FROM revision r WHERE" MINE " r.device_id = s.device_id"
    "  AND r.device_seq = s.device_seq AND r.rev_id <> s.rev_id LIMIT 1),"
    " (SELECT 1 FROM revision r WHERE" MINE
    "  r.record_uuid = s.record_uuid AND"
    "  r.parent_rev_id IS NOT DISTINCT FROM s.parent_rev_id AND"
    "  r.rev_id <> s.rev_id AND r.held = 0 LIMIT 1)"
    " FROM pg_temp.ds_rev_stage s ORDER BY s.ord";

/* ?1: a character a row ('0' skip, '1' new, '2' new and held). */
static const char Q_STAGE_REV[] = "INSERT INTO revision(rev_id,"
    " record_uuid, parent_rev_id, rev_no, household_key, form_id, form_ver,"
    " device_id, device_seq, worker_id, t_start, t_end, saved_at, deleted,"
    " answers, audit, consent, bundle_id, held, held_at)"
    " SELECT rev_id, record_uuid, parent_rev_id, rev_no, household_key,"
    " form_id, form_ver, device_id, device_seq, worker_id, t_start, t_end,"
    " saved_at, deleted, answers, audit, consent, bundle_id,"
    " CASE substr(?1, ord + 1, 1) WHEN '2' THEN 1 ELSE 0 END,"
    " CASE substr(?1, ord + 1, 1) WHEN '2' THEN ?2::bigint END"
    " FROM pg_temp.ds_rev_stage WHERE substr(?1, ord + 1, 1) <> '0'"
    " ORDER BY ord ON CONFLICT DO NOTHING RETURNING rev_id";

/* odb_head_put's upsert, for the new settled rows ('1'). */
static const char Q_STAGE_HEAD[] = "INSERT INTO head(record_uuid, rev_id,"
    " rev_no, household_key, form_id, deleted)"
    " SELECT record_uuid, rev_id, rev_no, household_key, form_id, deleted"
    " FROM pg_temp.ds_rev_stage WHERE substr(?1, ord + 1, 1) = '1'"
    " ORDER BY ord"
    " ON CONFLICT(" ODB_PG_KEY "record_uuid) DO UPDATE SET"
    " rev_id = excluded.rev_id, rev_no = excluded.rev_no,"
    " household_key = excluded.household_key, form_id = excluded.form_id,"
    " deleted = excluded.deleted"
    " WHERE excluded.rev_no > head.rev_no OR (excluded.rev_no = head.rev_no"
    " AND excluded.rev_id > head.rev_id)";

/*
 * As the owner, ANALYZE each table that has doubled in pages since its
 * statistics (odb_pg.c, version 6): a fresh county database has none,
 * and every plan then takes the township for a few rows and probes the
 * wrong index, reading every row of the township, until autovacuum comes.
 */
static const char Q_ANALYZE[] = "SELECT ds_analyze()";

/* An id and the revision it is of, to sort by id. */
struct key {
	unsigned char	 id[CRY_ID_BYTES];
	size_t		 i;
};

static int
key_cmp(const void *x, const void *y)
{
	return memcmp(((const struct key *)x)->id,
	    ((const struct key *)y)->id, CRY_ID_BYTES);
}

static int
seq_cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* 1 if two of the n sorted keys are equal. */
static int
keys_repeat(const struct key *k, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (memcmp(k[i - 1].id, k[i].id, CRY_ID_BYTES) == 0)
			return 1;
	return 0;
}

static int
has_nul(const struct bundle_bytes *b)
{
	return b->n > 0 && memchr(b->p, '\0', b->n) != NULL;
}

/*
 * 1 if the bundle can go at once: no id or record twice, no parent in
 * the bundle, no sequence number twice, every value one the row-by-row
 * path stores as is.  byid: the rows sorted by rev_id (kept for the
 * RETURNING rows).
 */
static int
stageable(const struct bundle_rev *revs, size_t n, struct key *byid,
    struct key *byrec, uint64_t *seqs)
{
	const struct bundle_rev *r;
	struct key k;
	size_t i;

	for (i = 0; i < n; i++) {
		r = &revs[i];
		if (r->natt > 0 || r->answers.n > BUNDLE_PLAIN_MAX ||
		    r->audit.n > BUNDLE_PLAIN_MAX ||
		    r->consent.n > BUNDLE_PLAIN_MAX ||
		    has_nul(&r->household_key) || has_nul(&r->form_id) ||
		    has_nul(&r->form_ver) || has_nul(&r->worker_id))
			return 0;
		memcpy(byid[i].id, r->rev_id, CRY_ID_BYTES);
		byid[i].i = i;
		memcpy(byrec[i].id, r->record_uuid, CRY_ID_BYTES);
		byrec[i].i = i;
		seqs[i] = r->device_seq;
	}
	qsort(byid, n, sizeof(*byid), key_cmp);
	qsort(byrec, n, sizeof(*byrec), key_cmp);
	qsort(seqs, n, sizeof(*seqs), seq_cmp);
	if (keys_repeat(byid, n) || keys_repeat(byrec, n))
		return 0;
	for (i = 1; i < n; i++)
		if (seqs[i - 1] == seqs[i])
			return 0;
	for (i = 0; i < n; i++) {
		if (!bundle_rev_has_parent(&revs[i]))
			continue;
		memcpy(k.id, revs[i].parent_rev_id, CRY_ID_BYTES);
		if (bsearch(&k, byid, n, sizeof(*byid), key_cmp) != NULL)
			return 0;
	}
	return 1;
}

/* ---- COPY's text format ------------------------------------------------ */

static enum ds_status
put_hex(struct ds_buf *b, const unsigned char *p, size_t n)
{
	enum ds_status s;

	/* bytea's "\x..." with COPY's backslash doubled. */
	if ((s = ds_buf_reserve(b, 3 + 2 * n + 1)) != DS_OK)
		return s;
	memcpy(b->p + b->len, "\\\\x", 3);
	ds_hex_encode(p, n, b->p + b->len + 3);
	b->len += 3 + 2 * n;
	b->p[b->len] = '\0';
	return DS_OK;
}

static enum ds_status
put_text(struct ds_buf *b, const struct bundle_bytes *t)
{
	enum ds_status s;
	size_t i;
	char *o;

	if ((s = ds_buf_reserve(b, 2 * t->n + 1)) != DS_OK)
		return s;
	o = b->p + b->len;
	for (i = 0; i < t->n; i++) {
		switch (t->p[i]) {
		case '\\':
			*o++ = '\\';
			*o++ = '\\';
			break;
		case '\t':
			*o++ = '\\';
			*o++ = 't';
			break;
		case '\n':
			*o++ = '\\';
			*o++ = 'n';
			break;
		case '\r':
			*o++ = '\\';
			*o++ = 'r';
			break;
		default:
			*o++ = (char)t->p[i];
		}
	}
	b->len = (size_t)(o - b->p);
	b->p[b->len] = '\0';
	return DS_OK;
}

/* One staged row: the columns of Q_STAGE_MAKE, sealed as odb_rev_insert. */
static enum ds_status
put_row(struct odb *o, struct ds_buf *b, size_t ord,
    const struct bundle_rev *r, const unsigned char device_id[16],
    const unsigned char bundle_id[16])
{
	const struct bundle_bytes *col[3];
	enum ds_status s;
	size_t need;
	unsigned char *nb;
	int c;

	col[ODB_COL_ANSWERS] = &r->answers;
	col[ODB_COL_AUDIT] = &r->audit;
	col[ODB_COL_CONSENT] = &r->consent;
	if ((s = ds_buf_printf(b, "%zu\t", ord)) != DS_OK ||
	    (s = put_hex(b, r->rev_id, CRY_ID_BYTES)) != DS_OK ||
	    (s = ds_buf_addc(b, '\t')) != DS_OK ||
	    (s = put_hex(b, r->record_uuid, CRY_ID_BYTES)) != DS_OK ||
	    (s = ds_buf_addc(b, '\t')) != DS_OK)
		return s;
	if (bundle_rev_has_parent(r))
		s = put_hex(b, r->parent_rev_id, CRY_ID_BYTES);
	else
		s = ds_buf_adds(b, "\\N");
	if (s != DS_OK || (s = ds_buf_printf(b, "\t%lu\t",
	    (unsigned long)r->rev_no)) != DS_OK ||
	    (s = put_text(b, &r->household_key)) != DS_OK ||
	    (s = ds_buf_addc(b, '\t')) != DS_OK ||
	    (s = put_text(b, &r->form_id)) != DS_OK ||
	    (s = ds_buf_addc(b, '\t')) != DS_OK ||
	    (s = put_text(b, &r->form_ver)) != DS_OK ||
	    (s = ds_buf_addc(b, '\t')) != DS_OK ||
	    (s = put_hex(b, device_id, CRY_ID_BYTES)) != DS_OK ||
	    (s = ds_buf_printf(b, "\t%lld\t", (long long)r->device_seq)) !=
	    DS_OK ||
	    (s = put_text(b, &r->worker_id)) != DS_OK ||
	    (s = ds_buf_printf(b, "\t%lld\t%lld\t%lld\t%d",
	    (long long)r->t_start, (long long)r->t_end,
	    (long long)r->saved_at, r->deleted ? 1 : 0)) != DS_OK)
		return s;
	for (c = 0; c < 3; c++) {
		need = ODB_SEALED_LEN(col[c]->n);
		if (need > o->scap) {
			if ((nb = ds_realloc(o->sbuf, need)) == NULL)
				return DS_ENOMEM;
			o->sbuf = nb;
			o->scap = need;
		}
		odb_seal(o, r->rev_id, (enum odb_col)c,
		    col[c]->n ? col[c]->p : (const unsigned char *)"",
		    col[c]->n, o->sbuf);
		if ((s = ds_buf_addc(b, '\t')) != DS_OK ||
		    (s = put_hex(b, o->sbuf, need)) != DS_OK)
			return s;
	}
	if ((s = ds_buf_addc(b, '\t')) != DS_OK ||
	    (s = put_hex(b, bundle_id, CRY_ID_BYTES)) != DS_OK)
		return s;
	return ds_buf_addc(b, '\n');
}

/* ---- the bundle --------------------------------------------------------- */

/*
 * The plan: what each row is ('0' stored already, '1' new, '2' new and
 * held) into state; *ok 0 when a row needs the row-by-row path.
 */
static enum ds_status
plan(struct odb *o, const struct bundle_rev *revs, size_t n, char *state,
    int *ok, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	int64_t ord;
	size_t got = 0;
	int rc, dup, settled, seq, sib;

	*ok = 1;
	/* Planned for each bundle, not cached: a plan made while the
	 * township was empty would probe the wrong index for ever. */
	if ((rc = dbx_prepare(o->db, Q_STAGE_PLAN, &st)) != DBX_OK)
		return odb_sqlerr(o->db, rc, err, "staged revisions");
	while ((rc = dbx_step(st)) == DBX_ROW) {
		ord = dbx_column_int64(st, 0);
		if (ord < 0 || (size_t)ord >= n || (size_t)ord != got++) {
			dbx_finalize(st);
			return ds_err_set(err, DS_EIO, "office db: staged "
			    "revisions out of order");
		}
		dup = dbx_column_type(st, 1) != DBX_NULL;
		settled = dbx_column_type(st, 2) != DBX_NULL &&
		    dbx_column_int(st, 2) == 0;
		seq = dbx_column_type(st, 3) != DBX_NULL;
		sib = dbx_column_type(st, 4) != DBX_NULL;
		if (dup)
			state[ord] = '0';
		else if (bundle_rev_has_parent(&revs[ord]) && !settled)
			state[ord] = '2';
		else
			state[ord] = '1';
		/* A sequence number used twice (an alert, a receipt's
		 * reason) or a fork: the row-by-row path says them. */
		if (seq || (sib && state[ord] == '1'))
			*ok = 0;
	}
	if (rc != DBX_DONE) {
		s = odb_sqlerr(o->db, rc, err, "staged revisions");
		dbx_finalize(st);
		return s;
	}
	dbx_finalize(st);
	if (got != n)
		return ds_err_set(err, DS_EIO, "office db: %zu of %zu "
		    "revisions staged", got, n);
	return DS_OK;
}

/* Store the new rows; state of a row another writer stored turns '0'. */
static enum ds_status
store(struct odb *o, const struct key *byid, size_t n, char *state,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	struct key k, *f;
	char *ins;
	size_t i;
	int rc;

	if ((ins = ds_calloc(n + 1, 1)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if ((st = odb_stmt(o, Q_STAGE_REV, err)) == NULL) {
		ds_free(ins);
		return err ? err->code : DS_EIO;
	}
	dbx_bind_text(st, 1, state, (int)n);
	dbx_bind_int64(st, 2, ds_now());
	while ((rc = dbx_step(st)) == DBX_ROW) {
		if (dbx_column_bytes(st, 0) != CRY_ID_BYTES)
			continue;
		memcpy(k.id, dbx_column_blob(st, 0), CRY_ID_BYTES);
		if ((f = bsearch(&k, byid, n, sizeof(*byid), key_cmp)) !=
		    NULL)
			ins[f->i] = 1;
	}
	dbx_reset(st);
	if (rc != DBX_DONE) {
		ds_free(ins);
		return odb_sqlerr(o->db, rc, err, "revision");
	}
	for (i = 0; i < n; i++)
		if (!ins[i])
			state[i] = '0';
	ds_free(ins);
	if ((st = odb_stmt(o, Q_STAGE_HEAD, err)) == NULL)
		return err ? err->code : DS_EIO;
	dbx_bind_text(st, 1, state, (int)n);
	if ((rc = dbx_step(st)) != DBX_DONE) {
		dbx_reset(st);
		return odb_sqlerr(o->db, rc, err, "head");
	}
	dbx_reset(st);
	return DS_OK;
}

enum ds_status
odb_revs_put(struct odb *o, const struct bundle_rev *revs, size_t n,
    const unsigned char device_id[16], const unsigned char bundle_id[16],
    uint8_t *out, int *done, struct ds_err *err)
{
	struct key *byid = NULL, *byrec = NULL;
	struct ds_buf b;
	uint64_t *seqs = NULL;
	char *state = NULL;
	enum ds_status s = DS_OK;
	size_t i;
	int ok;

	*done = 0;
	ds_buf_init(&b, STAGE_MAX);
	if (!odb_is_pg(o) || n == 0 || n > INT32_MAX || o->dkey == NULL)
		return DS_OK;	/* row by row, which says what is wrong */
	/* Statistics for the plans of this bundle and the next ones, on a
	 * table that doubled since its last (schema version 6). */
	if ((s = odb_exec(o->db, Q_ANALYZE, err)) != DS_OK)
		return s;
	if ((byid = ds_calloc(n, sizeof(*byid))) == NULL ||
	    (byrec = ds_calloc(n, sizeof(*byrec))) == NULL ||
	    (seqs = ds_calloc(n, sizeof(*seqs))) == NULL ||
	    (state = ds_calloc(n + 1, 1)) == NULL) {
		s = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	if (!stageable(revs, n, byid, byrec, seqs))
		goto out;
	for (i = 0; i < n && s == DS_OK; i++)
		s = put_row(o, &b, i, &revs[i], device_id, bundle_id);
	if (s != DS_OK) {
		s = ds_err_set(err, s, "office db: staging the revisions");
		goto out;
	}
	if ((s = odb_exec(o->db, Q_STAGE_MAKE, err)) != DS_OK)
		goto out;
	if (dbx_copy_in(o->db, Q_STAGE_COPY, b.p, b.len) != DBX_OK) {
		s = odb_sqlerr(o->db, DBX_ERROR, err, "staged revisions");
		goto out;
	}
	if ((s = plan(o, revs, n, state, &ok, err)) != DS_OK)
		goto out;
	if (!ok) {
		/* Nothing stored: the rows go row by row. */
		s = odb_exec(o->db, "TRUNCATE pg_temp.ds_rev_stage", err);
		goto out;
	}
	if ((s = store(o, byid, n, state, err)) != DS_OK)
		goto out;
	for (i = 0; i < n; i++)
		out[i] = state[i] == '0' ? 0 : state[i] == '1' ? ODB_REV_NEW :
		    ODB_REV_NEW | ODB_REV_HELD;
	*done = 1;
out:
	ds_buf_wipe(&b);
	ds_free(byid);
	ds_free(byrec);
	ds_free(seqs);
	ds_free(state);
	return s;
}
