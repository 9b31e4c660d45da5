/* doorstep: office.db queries for devices, ledger, revisions and acks. */
/*
 * Every function here is one or a few cached statements; none opens a
 * transaction of its own, so the importer can wrap a whole bundle in one
 * (odb_begin ... odb_commit).  Blob ids are compared as SQLite compares
 * blobs (memcmp), which is also how the deterministic head and the fork
 * pair order are defined.
 */
#include "odb_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bundle.h"
#include "mem.h"
#include "util.h"

#define STEP_DONE(o, st, what, err) do {				\
	int rc_ = dbx_step(st);					\
	if (rc_ != DBX_DONE) {					\
		enum ds_status s_ = odb_sqlerr((o)->db, rc_, err, what); \
		dbx_reset(st);					\
		return s_;						\
	}								\
	dbx_reset(st);						\
} while (0)

static void
bind_id(struct dbx_stmt *st, int i, const unsigned char *p, int n)
{
	if (p == NULL)
		dbx_bind_null(st, i);
	else
		dbx_bind_blob(st, i, p, n);
}

/* An id the statement reads where it lies (dbx_bind_blob_ref): the
 * import's own, alive until the statement has stepped. */
static void
bind_id_ref(struct dbx_stmt *st, int i, const unsigned char *p, int n)
{
	if (p == NULL)
		dbx_bind_null(st, i);
	else
		dbx_bind_blob_ref(st, i, p, n);
}

/* A bundle's bytes live as long as the import: read where they lie. */
static void
bind_bytes(struct dbx_stmt *st, int i, const struct bundle_bytes *b)
{
	dbx_bind_text_ref(st, i, b->n ? (const char *)b->p : "", (int)b->n);
}

static void
col_copy(struct dbx_stmt *st, int i, unsigned char *out, int n)
{
	const void *p = dbx_column_blob(st, i);

	if (p != NULL && dbx_column_bytes(st, i) == n)
		memcpy(out, p, (size_t)n);
	else
		memset(out, 0, (size_t)n);
}

static void
col_text(struct dbx_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = dbx_column_text(st, i);

	snprintf(out, n, "%s", t != NULL ? (const char *)t : "");
}

/* ---- transactions ------------------------------------------------------ */

enum ds_status
odb_begin(struct odb *o, struct ds_err *err)
{
	enum ds_status st;

	if (o->in_txn)
		return ds_err_set(err, DS_ESTATE, "office db: nested begin");
	if ((st = dbx_begin(o->db, err)) != DS_OK)
		return st;
	if (dbx_engine(o->db) == DBX_PG &&
	    (st = odb_pg_lock(o->db, err)) != DS_OK) {
		dbx_rollback(o->db);
		return st;
	}
	o->in_txn = 1;
	return DS_OK;
}

enum ds_status
odb_commit(struct odb *o, struct ds_err *err)
{
	enum ds_status st;

	st = dbx_commit(o->db, err);
	o->in_txn = 0;
	return st;
}

void
odb_rollback(struct odb *o)
{
	if (o->in_txn)
		dbx_rollback(o->db);
	o->in_txn = 0;
}

/* ---- devices ------------------------------------------------------------ */

static const char *const dev_states[] = { "", "pending", "enrolled",
    "revoked" };

const char *
odb_dev_state_str(int s)
{
	return s >= ODB_DEV_PENDING && s <= ODB_DEV_REVOKED ? dev_states[s] :
	    "unknown";
}

static int
dev_state_num(const unsigned char *t)
{
	int i;

	for (i = ODB_DEV_PENDING; i <= ODB_DEV_REVOKED; i++)
		if (t != NULL && strcmp((const char *)t, dev_states[i]) == 0)
			return i;
	return 0;
}

static void
dev_row(struct dbx_stmt *st, struct odb_device *d)
{
	col_copy(st, 0, d->device_id, 16);
	col_copy(st, 1, d->sign_pk, 32);
	d->state = dev_state_num(dbx_column_text(st, 2));
	col_text(st, 3, d->label, sizeof(d->label));
	d->first_seen = dbx_column_int64(st, 4);
	d->changed_at = dbx_column_int64(st, 5);
}

static const char Q_DEV_GET[] = "SELECT device_id, sign_pk, state, label,"
    " first_seen, changed_at FROM device WHERE device_id = ?1";

enum ds_status
odb_device_get(struct odb *o, const unsigned char id[16],
    struct odb_device *out, struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	if ((st = odb_stmt(o, Q_DEV_GET, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, id, 16);
	rc = dbx_step(st);
	if (rc == DBX_ROW) {
		dev_row(st, out);
		dbx_reset(st);
		return DS_OK;
	}
	dbx_reset(st);
	if (rc == DBX_DONE)
		return ds_err_set(err, DS_ENOENT, "device not known");
	return odb_sqlerr(o->db, rc, err, "device");
}

#define Q_DEV_PUT_SQL(k) "INSERT INTO device(device_id, sign_pk,"\
    " state, label, first_seen, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)"\
    " ON CONFLICT(" k "device_id) DO UPDATE SET sign_pk = excluded.sign_pk,"\
    " state = excluded.state, label = excluded.label,"\
    " changed_at = excluded.changed_at"
static const char Q_DEV_PUT[] = Q_DEV_PUT_SQL("");
static const char Q_DEV_PUT_PG[] = Q_DEV_PUT_SQL(ODB_PG_KEY);

enum ds_status
odb_device_put(struct odb *o, const struct odb_device *d, struct ds_err *err)
{
	struct dbx_stmt *st;

	if (d->state < ODB_DEV_PENDING || d->state > ODB_DEV_REVOKED)
		return ds_err_set(err, DS_EINVAL, "bad device state");
	if ((st = odb_stmt(o, odb_sql(o, Q_DEV_PUT, Q_DEV_PUT_PG), err)) ==
	    NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, d->device_id, 16);
	bind_id(st, 2, d->sign_pk, 32);
	dbx_bind_text(st, 3, dev_states[d->state], -1);
	dbx_bind_text(st, 4, d->label, -1);
	dbx_bind_int64(st, 5, ds_now());
	STEP_DONE(o, st, "device", err);
	return DS_OK;
}

static const char Q_DEV_ALL[] = "SELECT device_id, sign_pk, state, label,"
    " first_seen, changed_at FROM device ORDER BY device_id";

enum ds_status
odb_device_each(struct odb *o, int (*cb)(void *, const struct odb_device *),
    void *arg, struct ds_err *err)
{
	struct odb_device d;
	struct dbx_stmt *st;
	int rc;

	if ((st = odb_stmt(o, Q_DEV_ALL, err)) == NULL)
		return err ? err->code : DS_EIO;
	while ((rc = dbx_step(st)) == DBX_ROW) {
		dev_row(st, &d);
		if (cb(arg, &d) != 0)
			break;
	}
	dbx_reset(st);
	if (rc != DBX_ROW && rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "devices");
	return DS_OK;
}

struct find_arg {
	const char		*prefix;
	size_t			 plen;
	struct odb_device	*out;
	int			 hits;
};

static int
find_cb(void *arg, const struct odb_device *d)
{
	struct find_arg *f = arg;
	char hex[33];

	ds_hex_encode(d->device_id, 16, hex);
	if (strncmp(hex, f->prefix, f->plen) == 0) {
		if (f->hits++ == 0)
			*f->out = *d;
	}
	return 0;
}

enum ds_status
odb_device_find(struct odb *o, const char *prefix, struct odb_device *out,
    struct ds_err *err)
{
	struct find_arg f;
	enum ds_status st;
	char low[33];
	size_t i;

	f.plen = strlen(prefix);
	if (f.plen < 4 || f.plen > 32)
		return ds_err_set(err, DS_EINVAL, "device id %s: give 4 to 32 "
		    "hex digits", prefix);
	for (i = 0; i < f.plen; i++) {
		char c = prefix[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return ds_err_set(err, DS_EINVAL, "device id %s is not "
			    "hex", prefix);
		low[i] = c;
	}
	low[f.plen] = '\0';
	f.prefix = low;
	f.out = out;
	f.hits = 0;
	if ((st = odb_device_each(o, find_cb, &f, err)) != DS_OK)
		return st;
	if (f.hits == 0)
		return ds_err_set(err, DS_ENOENT, "no device %s", prefix);
	if (f.hits > 1)
		return ds_err_set(err, DS_EINVAL, "device id %s is ambiguous",
		    prefix);
	return DS_OK;
}

/* ---- ledger and held bundles ---------------------------------------------- */

static const char Q_LEDGER_GET[] = "SELECT bundle_hash, device_id, seq_lo,"
    " seq_hi, record_count, status, imported_at, receipt, db_uuid,"
    " prev_hash FROM ledger WHERE bundle_id = ?1";

enum ds_status
odb_ledger_get(struct odb *o, const unsigned char id[16],
    struct odb_ledger *out, struct ds_err *err)
{
	struct dbx_stmt *st;
	const void *p;
	int rc, n;

	memset(out, 0, sizeof(*out));
	if ((st = odb_stmt(o, Q_LEDGER_GET, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, id, 16);
	rc = dbx_step(st);
	if (rc != DBX_ROW) {
		dbx_reset(st);
		if (rc == DBX_DONE)
			return ds_err_set(err, DS_ENOENT, "bundle not in "
			    "ledger");
		return odb_sqlerr(o->db, rc, err, "ledger");
	}
	memcpy(out->bundle_id, id, 16);
	col_copy(st, 0, out->bundle_hash, 32);
	col_copy(st, 1, out->device_id, 16);
	out->seq_lo = (uint64_t)dbx_column_int64(st, 2);
	out->seq_hi = (uint64_t)dbx_column_int64(st, 3);
	out->record_count = (uint32_t)dbx_column_int64(st, 4);
	out->status = dbx_column_int(st, 5);
	out->imported_at = dbx_column_int64(st, 6);
	col_copy(st, 8, out->db_uuid, 16);
	col_copy(st, 9, out->prev_hash, 32);
	p = dbx_column_blob(st, 7);
	n = dbx_column_bytes(st, 7);
	if (p == NULL || n <= 0 || (out->receipt = ds_malloc((size_t)n)) ==
	    NULL) {
		dbx_reset(st);
		return ds_err_set(err, p == NULL ? DS_ECORRUPT : DS_ENOMEM,
		    "ledger receipt");
	}
	memcpy(out->receipt, p, (size_t)n);
	out->receipt_len = (size_t)n;
	dbx_reset(st);
	return DS_OK;
}

static const char Q_LEDGER_PUT[] = "INSERT INTO ledger(bundle_id,"
    " bundle_hash, device_id, seq_lo, seq_hi, record_count, status,"
    " imported_at, receipt, db_uuid, prev_hash)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

enum ds_status
odb_ledger_put(struct odb *o, const struct odb_ledger *l, struct ds_err *err)
{
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_LEDGER_PUT, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, l->bundle_id, 16);
	bind_id(st, 2, l->bundle_hash, 32);
	bind_id(st, 3, l->device_id, 16);
	dbx_bind_int64(st, 4, (int64_t)l->seq_lo);
	dbx_bind_int64(st, 5, (int64_t)l->seq_hi);
	dbx_bind_int64(st, 6, l->record_count);
	dbx_bind_int(st, 7, l->status);
	dbx_bind_int64(st, 8, l->imported_at);
	dbx_bind_blob(st, 9, l->receipt, (int)l->receipt_len);
	bind_id(st, 10, l->db_uuid, 16);
	bind_id(st, 11, l->prev_hash, 32);
	STEP_DONE(o, st, "ledger", err);
	return DS_OK;
}

static const char Q_LEDGER_DB[] = "SELECT"
    " COALESCE(MAX(CASE WHEN db_uuid = ?2 THEN 1 ELSE 0 END), 0),"
    " COUNT(db_uuid) FROM ledger"
    " WHERE device_id = ?1";

enum ds_status
odb_ledger_db_seen(struct odb *o, const unsigned char device_id[16],
    const unsigned char db_uuid[16], int *seen, int *any, struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	*seen = *any = 0;
	if ((st = odb_stmt(o, Q_LEDGER_DB, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, device_id, 16);
	bind_id(st, 2, db_uuid, 16);
	if ((rc = dbx_step(st)) == DBX_ROW) {
		*seen = dbx_column_int(st, 0) != 0;
		*any = dbx_column_int64(st, 1) > 0;
	}
	dbx_reset(st);
	if (rc != DBX_ROW)
		return odb_sqlerr(o->db, rc, err, "ledger");
	return DS_OK;
}

static const char Q_PEND_PUT[] = "INSERT INTO pending(bundle_id,"
    " bundle_hash, device_id, received_at, bundle) VALUES (?1, ?2, ?3, ?4,"
    " ?5) ON CONFLICT DO NOTHING";

enum ds_status
odb_pending_put(struct odb *o, const unsigned char id[16],
    const unsigned char hash[32], const unsigned char device_id[16],
    const unsigned char *bundle, size_t len, struct ds_err *err)
{
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_PEND_PUT, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, id, 16);
	bind_id(st, 2, hash, 32);
	bind_id(st, 3, device_id, 16);
	dbx_bind_int64(st, 4, ds_now());
	dbx_bind_blob(st, 5, bundle, len);
	STEP_DONE(o, st, "pending", err);
	return DS_OK;
}

/* Not cached: the callback may re-enter the database (it imports). */
enum ds_status
odb_pending_each(struct odb *o, const unsigned char device_id[16],
    int (*cb)(void *, const unsigned char *, const unsigned char *, size_t),
    void *arg, struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	rc = dbx_prepare(o->db, "SELECT bundle_id, bundle FROM pending"
	    " WHERE device_id = ?1 ORDER BY received_at, bundle_id", &st);
	if (rc != DBX_OK)
		return odb_sqlerr(o->db, rc, err, "pending");
	bind_id(st, 1, device_id, 16);
	while ((rc = dbx_step(st)) == DBX_ROW)
		if (cb(arg, dbx_column_blob(st, 0),
		    dbx_column_blob(st, 1),
		    (size_t)dbx_column_bytes(st, 1)) != 0)
			break;
	dbx_finalize(st);
	if (rc != DBX_ROW && rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "pending");
	return DS_OK;
}

static const char Q_PEND_DEL[] = "DELETE FROM pending WHERE bundle_id = ?1";

enum ds_status
odb_pending_del(struct odb *o, const unsigned char id[16], struct ds_err *err)
{
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_PEND_DEL, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, id, 16);
	STEP_DONE(o, st, "pending", err);
	return DS_OK;
}

static const char Q_PEND_N[] = "SELECT count(*) FROM pending WHERE"
    " device_id = ?1";

enum ds_status
odb_pending_count(struct odb *o, const unsigned char device_id[16],
    int64_t *n, struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	if ((st = odb_stmt(o, Q_PEND_N, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, device_id, 16);
	rc = dbx_step(st);
	*n = rc == DBX_ROW ? dbx_column_int64(st, 0) : 0;
	dbx_reset(st);
	if (rc != DBX_ROW)
		return odb_sqlerr(o->db, rc, err, "pending");
	return DS_OK;
}

/* length() of a blob reads its size, not its bytes. */
static const char Q_PEND_USE[] = "SELECT count(*), coalesce(sum(length("
    "bundle)), 0), count(DISTINCT device_id) FROM pending WHERE device_id = ?1"
    " OR ?1 IS NULL";

enum ds_status
odb_pending_usage(struct odb *o, const unsigned char *device_id,
    int64_t *bundles, int64_t *bytes, int64_t *devices, struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	if ((st = odb_stmt(o, Q_PEND_USE, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, device_id, 16);
	if ((rc = dbx_step(st)) == DBX_ROW) {
		if (bundles != NULL)
			*bundles = dbx_column_int64(st, 0);
		if (bytes != NULL)
			*bytes = dbx_column_int64(st, 1);
		if (devices != NULL)
			*devices = dbx_column_int64(st, 2);
	}
	dbx_reset(st);
	if (rc != DBX_ROW)
		return odb_sqlerr(o->db, rc, err, "pending");
	return DS_OK;
}

/* ---- revisions, heads, forks ----------------------------------------------- */

static const char Q_REV_INS[] = "INSERT INTO revision(rev_id, record_uuid,"
    " parent_rev_id, rev_no, household_key, form_id, form_ver, device_id,"
    " device_seq, worker_id, t_start, t_end, saved_at, deleted, answers,"
    " audit, consent, bundle_id, held, held_at) VALUES (?1, ?2, ?3, ?4, ?5,"
    " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
    " ?20) ON CONFLICT DO NOTHING";

enum ds_status
odb_rev_insert(struct odb *o, const struct bundle_rev *r,
    const unsigned char device_id[16], const unsigned char bundle_id[16],
    int held, int *inserted, struct ds_err *err)
{
	const struct bundle_bytes *col[3];
	struct dbx_stmt *st;
	unsigned char *nb;
	size_t need, off;
	int64_t n;
	int c;

	*inserted = 0;
	if (o->dkey == NULL)
		return ds_err_set(err, DS_ESTATE, "office db: opened without "
		    "the office secret key: answers cannot be stored");
	col[ODB_COL_ANSWERS] = &r->answers;
	col[ODB_COL_AUDIT] = &r->audit;
	col[ODB_COL_CONSENT] = &r->consent;
	for (need = 0, c = 0; c < 3; c++) {
		if (col[c]->n > BUNDLE_PLAIN_MAX)
			return ds_err_set(err, DS_ELIMIT, "office db: "
			    "revision too large");
		need += ODB_SEALED_LEN(col[c]->n);
	}
	if (need > o->scap) {
		if ((nb = ds_realloc(o->sbuf, need)) == NULL)
			return ds_err_set(err, DS_ENOMEM, NULL);
		o->sbuf = nb;
		o->scap = need;
	}
	if ((st = odb_stmt(o, Q_REV_INS, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id_ref(st, 1, r->rev_id, 16);
	bind_id_ref(st, 2, r->record_uuid, 16);
	bind_id_ref(st, 3, bundle_rev_has_parent(r) ? r->parent_rev_id : NULL,
	    16);
	dbx_bind_int64(st, 4, r->rev_no);
	bind_bytes(st, 5, &r->household_key);
	bind_bytes(st, 6, &r->form_id);
	bind_bytes(st, 7, &r->form_ver);
	bind_id_ref(st, 8, device_id, 16);
	dbx_bind_int64(st, 9, (int64_t)r->device_seq);
	bind_bytes(st, 10, &r->worker_id);
	dbx_bind_int64(st, 11, r->t_start);
	dbx_bind_int64(st, 12, r->t_end);
	dbx_bind_int64(st, 13, r->saved_at);
	dbx_bind_int(st, 14, r->deleted ? 1 : 0);
	for (off = 0, c = 0; c < 3; c++) {
		odb_seal(o, r->rev_id, (enum odb_col)c,
		    col[c]->n ? col[c]->p : (const unsigned char *)"",
		    col[c]->n, o->sbuf + off);
		dbx_bind_blob_ref(st, 15 + c, o->sbuf + off,
		    (int)ODB_SEALED_LEN(col[c]->n));
		off += ODB_SEALED_LEN(col[c]->n);
	}
	bind_id_ref(st, 18, bundle_id, 16);
	dbx_bind_int(st, 19, held ? 1 : 0);
	if (held)
		dbx_bind_int64(st, 20, ds_now());
	STEP_DONE(o, st, "revision", err);
	/* -1: the write failed (PostgreSQL told it now), not a duplicate. */
	if ((n = dbx_changes(o->db)) < 0)
		return odb_sqlerr(o->db, DBX_ERROR, err, "revision");
	*inserted = n == 1;
	return DS_OK;
}

static const char Q_REV_ANS[] = "SELECT answers FROM revision WHERE"
    " rev_id = ?1";

enum ds_status
odb_rev_answers(struct odb *o, const unsigned char rev_id[16], char **out,
    struct ds_err *err)
{
	struct odb_plain pl = { NULL, 0, 0 };
	struct dbx_stmt *st;
	enum ds_status s;
	int rc;

	*out = NULL;
	if (o->dkey == NULL)
		return ds_err_set(err, DS_ESTATE, "office db: opened without "
		    "the office secret key: answers cannot be read");
	if ((st = odb_stmt(o, Q_REV_ANS, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, rev_id, 16);
	rc = dbx_step(st);
	if (rc != DBX_ROW) {
		dbx_reset(st);
		if (rc == DBX_DONE)
			return ds_err_set(err, DS_ENOENT, "no such revision");
		return odb_sqlerr(o->db, rc, err, "revision");
	}
	s = odb_unseal(o, st, 0, rev_id, ODB_COL_ANSWERS, &pl, err);
	dbx_reset(st);
	if (s != DS_OK) {
		odb_plain_free(&pl);
		return s;
	}
	*out = pl.p;
	return DS_OK;
}

void
odb_answers_free(char *p)
{
	if (p != NULL) {
		cry_wipe(p, strlen(p));
		ds_free(p);
	}
}

/* Unordered: the smallest `max` ids are kept in order here, where an
 * ORDER BY would open a sorter for every revision settled.  From SQLite
 * schema 9 the record's settled revisions are those its head row lists
 * (no index by record_uuid); PostgreSQL keeps revision_record. */
static const char Q_REV_SIB[] = "SELECT rev_id FROM revision WHERE"
    " record_uuid = ?1 AND parent_rev_id IS NOT DISTINCT FROM ?2"
    " AND rev_id != ?3 AND held = 0";
static const char Q_REV_SIB_REVS[] = "SELECT r.rev_id FROM head h,"
    " json_each(h.revs) j JOIN revision r ON r.id = j.value"
    " WHERE h.record_uuid = ?1 AND r.parent_rev_id IS NOT DISTINCT FROM ?2"
    " AND r.rev_id != ?3 AND r.held = 0";

enum ds_status
odb_rev_siblings(struct odb *o, const unsigned char record_uuid[16],
    const unsigned char *parent, const unsigned char rev_id[16],
    unsigned char (*out)[16], size_t max, size_t *n, struct ds_err *err)
{
	struct dbx_stmt *st;
	unsigned char id[16];
	size_t k, j;
	int rc;

	*n = 0;
	if ((st = odb_stmt(o, o->revs ? Q_REV_SIB_REVS : Q_REV_SIB, err)) ==
	    NULL)
		return err ? err->code : DS_EIO;
	bind_id_ref(st, 1, record_uuid, 16);
	bind_id_ref(st, 2, parent, 16);
	bind_id_ref(st, 3, rev_id, 16);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		col_copy(st, 0, id, 16);
		k = *n < max ? *n : max;
		(*n)++;
		/* Insert in order; past max the largest falls off. */
		for (j = k; j > 0 && memcmp(out[j - 1], id, 16) > 0; j--)
			if (j < max)
				memcpy(out[j], out[j - 1], 16);
		if (j < max)
			memcpy(out[j], id, 16);
	}
	dbx_reset(st);
	if (rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "siblings");
	return DS_OK;
}

static const char Q_REV_SETTLED[] = "SELECT held FROM revision WHERE"
    " rev_id = ?1";

enum ds_status
odb_rev_settled(struct odb *o, const unsigned char rev_id[16], int *settled,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	*settled = 0;
	if ((st = odb_stmt(o, Q_REV_SETTLED, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, rev_id, 16);
	rc = dbx_step(st);
	if (rc == DBX_ROW)
		*settled = dbx_column_int(st, 0) == 0;
	dbx_reset(st);
	if (rc != DBX_ROW && rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "revision");
	return DS_OK;
}

#define HELD_COLS " r.rev_id, r.record_uuid, r.parent_rev_id, r.device_id," \
    " r.household_key, r.rev_no, r.device_seq, r.held_at"

static void
held_row(struct dbx_stmt *st, struct odb_held *h)
{
	memset(h, 0, sizeof(*h));
	col_copy(st, 0, h->rev_id, 16);
	col_copy(st, 1, h->record_uuid, 16);
	col_copy(st, 2, h->parent_rev_id, 16);
	col_copy(st, 3, h->device_id, 16);
	col_text(st, 4, h->household_key, sizeof(h->household_key));
	h->rev_no = (uint32_t)dbx_column_int64(st, 5);
	h->device_seq = (uint64_t)dbx_column_int64(st, 6);
	h->held_at = dbx_column_int64(st, 7);
}

static const char Q_REV_RELEASABLE[] = "SELECT" HELD_COLS
    " FROM revision r JOIN revision p ON p.rev_id = r.parent_rev_id"
    " WHERE r.held = 1 AND p.held = 0"
    " ORDER BY r.rev_no, r.rev_id LIMIT ?1";

enum ds_status
odb_rev_releasable(struct odb *o, struct odb_held *out, size_t max,
    size_t *n, struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	*n = 0;
	if ((st = odb_stmt(o, Q_REV_RELEASABLE, err)) == NULL)
		return err ? err->code : DS_EIO;
	dbx_bind_int64(st, 1, (int64_t)max);
	while ((rc = dbx_step(st)) == DBX_ROW && *n < max)
		held_row(st, &out[(*n)++]);
	dbx_reset(st);
	if (rc != DBX_ROW && rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "held");
	return DS_OK;
}

static const char Q_REV_RELEASE[] = "UPDATE revision SET held = 0,"
    " held_at = NULL WHERE rev_id = ?1";

enum ds_status
odb_rev_release(struct odb *o, const unsigned char rev_id[16],
    struct ds_err *err)
{
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_REV_RELEASE, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, rev_id, 16);
	STEP_DONE(o, st, "release", err);
	return DS_OK;
}

static const char Q_HELD_EACH[] = "SELECT" HELD_COLS " FROM revision r"
    " WHERE r.held = 1 ORDER BY r.held_at, r.rev_no, r.rev_id";

enum ds_status
odb_held_each(struct odb *o, const char *prefix,
    int (*cb)(void *, const struct odb_held *), void *arg,
    struct ds_err *err)
{
	struct odb_held h;
	struct dbx_stmt *st;
	char hex[33];
	size_t pl = prefix != NULL ? strlen(prefix) : 0;
	int rc;

	/* Not cached: callbacks may run other queries. */
	if ((rc = dbx_prepare(o->db, Q_HELD_EACH, &st)) !=
	    DBX_OK)
		return odb_sqlerr(o->db, rc, err, "held");
	while ((rc = dbx_step(st)) == DBX_ROW) {
		held_row(st, &h);
		if (prefix != NULL) {
			ds_hex_encode(h.rev_id, 16, hex);
			if (pl > 32 || strncasecmp(hex, prefix, pl) != 0)
				continue;
		}
		if (cb(arg, &h) != 0)
			break;
	}
	dbx_finalize(st);
	if (rc != DBX_ROW && rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "held");
	return DS_OK;
}

static const char Q_REV_SEQ[] = "SELECT rev_id FROM revision WHERE"
    " device_id = ?1 AND device_seq = ?2 AND rev_id != ?3 LIMIT 1";

enum ds_status
odb_rev_seq_taken(struct odb *o, const unsigned char device_id[16],
    uint64_t seq, const unsigned char rev_id[16], unsigned char other[16],
    int *found, struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	*found = 0;
	if ((st = odb_stmt(o, Q_REV_SEQ, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, device_id, 16);
	dbx_bind_int64(st, 2, (int64_t)seq);
	bind_id(st, 3, rev_id, 16);
	rc = dbx_step(st);
	if (rc == DBX_ROW) {
		col_copy(st, 0, other, 16);
		*found = 1;
	}
	dbx_reset(st);
	if (rc != DBX_ROW && rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "revision");
	return DS_OK;
}

/* ---- alerts --------------------------------------------------------------- */

static const char *const alert_kinds[] = { "", "rollback", "new_db",
    "box_key", "competing_key", "quota" };

const char *
odb_alert_kind_str(int k)
{
	return k >= ODB_ALERT_ROLLBACK && k <= ODB_ALERT_QUOTA ?
	    alert_kinds[k] : "unknown";
}

static const char Q_ALERT_PUT[] = "INSERT INTO alert(device_id,"
    " kind, bundle_id, detail, at) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT DO NOTHING";

enum ds_status
odb_alert_put(struct odb *o, const struct odb_alert *a, struct ds_err *err)
{
	struct dbx_stmt *st;

	if ((st = odb_stmt(o, Q_ALERT_PUT, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, a->device_id, 16);
	dbx_bind_text(st, 2, odb_alert_kind_str(a->kind), -1);
	bind_id(st, 3, a->bundle_id, 16);
	dbx_bind_text(st, 4, a->detail, -1);
	dbx_bind_int64(st, 5, a->at);
	STEP_DONE(o, st, "alert", err);
	return DS_OK;
}

static const char Q_ALERT_EACH[] = "SELECT device_id, kind, bundle_id,"
    " detail, at FROM alert WHERE device_id = ?1 OR ?1 IS NULL"
    " ORDER BY id";

enum ds_status
odb_alert_each(struct odb *o, const unsigned char *device_id,
    int (*cb)(void *, const struct odb_alert *), void *arg,
    struct ds_err *err)
{
	struct odb_alert a;
	const unsigned char *k;
	struct dbx_stmt *st;
	int rc;

	if ((rc = dbx_prepare(o->db, Q_ALERT_EACH, &st)) !=
	    DBX_OK)
		return odb_sqlerr(o->db, rc, err, "alerts");
	bind_id(st, 1, device_id, 16);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		memset(&a, 0, sizeof(a));
		col_copy(st, 0, a.device_id, 16);
		k = dbx_column_text(st, 1);
		for (a.kind = ODB_ALERT_QUOTA; a.kind > ODB_ALERT_ROLLBACK;
		    a.kind--)
			if (k != NULL && strcmp((const char *)k,
			    alert_kinds[a.kind]) == 0)
				break;
		col_copy(st, 2, a.bundle_id, 16);
		col_text(st, 3, a.detail, sizeof(a.detail));
		a.at = dbx_column_int64(st, 4);
		if (cb(arg, &a) != 0)
			break;
	}
	dbx_finalize(st);
	if (rc != DBX_ROW && rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "alerts");
	return DS_OK;
}

#define Q_HEAD_SET(k) \
    " ON CONFLICT(" k "record_uuid) DO UPDATE SET rev_id = excluded.rev_id,"\
    " rev_no = excluded.rev_no, household_key = excluded.household_key,"\
    " form_id = excluded.form_id, deleted = excluded.deleted"\
    " WHERE excluded.rev_no > head.rev_no OR (excluded.rev_no = head.rev_no"\
    " AND excluded.rev_id > head.rev_id)"
#define Q_HEAD_PUT_SQL(k) "INSERT INTO head(record_uuid, rev_id,"\
    " rev_no, household_key, form_id, deleted) VALUES (?1, ?2, ?3, ?4, ?5,"\
    " ?6)" Q_HEAD_SET(k)
static const char Q_HEAD_PUT[] = Q_HEAD_PUT_SQL("");
static const char Q_HEAD_PUT_PG[] = Q_HEAD_PUT_SQL(ODB_PG_KEY);

/*
 * SQLite from schema 9: the same head, and the revision's rowid added to
 * the record's list (once: a rerun adds nothing).  Every SET reads the
 * row as it was, so each column takes the newer revision's value.
 */
#define HEAD_NEWER " WHEN excluded.rev_no > head.rev_no OR"\
    " (excluded.rev_no = head.rev_no AND excluded.rev_id > head.rev_id)"
#define HEAD_COL(c) " " c " = CASE" HEAD_NEWER " THEN excluded." c\
    " ELSE head." c " END,"
#define Q_HEAD_SET_REVS " ON CONFLICT(record_uuid) DO UPDATE SET"\
    HEAD_COL("rev_id") HEAD_COL("rev_no") HEAD_COL("household_key")\
    HEAD_COL("form_id") HEAD_COL("deleted")\
    " revs = CASE WHEN EXISTS (SELECT 1 FROM json_each(head.revs)"\
    " WHERE value = json_extract(excluded.revs, '$[0]')) THEN head.revs"\
    " ELSE json_insert(head.revs, '$[#]', json_extract(excluded.revs,"\
    " '$[0]')) END"
#define Q_HEAD_REVS_SQL(conflict) "INSERT INTO head(record_uuid,"\
    " rev_id, rev_no, household_key, form_id, deleted, revs)"\
    " SELECT ?1, ?2, ?3, ?4, ?5, ?6, json_array(id) FROM revision"\
    " WHERE rev_id = ?2" conflict
/* The record's first settled revision: its head, nothing to upsert
 * (RETURNING would buffer the row in a temporary table, a statement's
 * worth of work again). */
static const char Q_HEAD_NEW_REVS[] = Q_HEAD_REVS_SQL(" ON CONFLICT"
    " DO NOTHING");
static const char Q_HEAD_PUT_REVS[] = Q_HEAD_REVS_SQL(Q_HEAD_SET_REVS);

enum ds_status
odb_head_put(struct odb *o, const struct bundle_rev *r, int *alone,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	const char *q[2];
	int64_t n;
	int i;

	*alone = 0;
	q[0] = o->revs ? Q_HEAD_NEW_REVS : NULL;
	q[1] = o->revs ? Q_HEAD_PUT_REVS : odb_sql(o, Q_HEAD_PUT,
	    Q_HEAD_PUT_PG);
	for (i = q[0] != NULL ? 0 : 1; i < 2; i++) {
		if ((st = odb_stmt(o, q[i], err)) == NULL)
			return err ? err->code : DS_EIO;
		bind_id_ref(st, 1, r->record_uuid, 16);
		bind_id_ref(st, 2, r->rev_id, 16);
		dbx_bind_int64(st, 3, r->rev_no);
		bind_bytes(st, 4, &r->household_key);
		bind_bytes(st, 5, &r->form_id);
		dbx_bind_int(st, 6, r->deleted ? 1 : 0);
		STEP_DONE(o, st, "head", err);
		/* A new head: the record's only settled revision. */
		if (i == 0 && (n = dbx_changes(o->db)) != 0) {
			*alone = n == 1;
			return n == 1 ? DS_OK : odb_sqlerr(o->db, DBX_ERROR,
			    err, "head");
		}
	}
	return DS_OK;
}

#define Q_HEAD_UPD_SQL(k) "INSERT INTO head(record_uuid, rev_id,"\
    " rev_no, household_key, form_id, deleted)"\
    " SELECT record_uuid, rev_id, rev_no, household_key, form_id, deleted"\
    " FROM revision WHERE rev_id = ?1 AND held = 0" Q_HEAD_SET(k)
static const char Q_HEAD_UPD[] = Q_HEAD_UPD_SQL("");
static const char Q_HEAD_UPD_PG[] = Q_HEAD_UPD_SQL(ODB_PG_KEY);
static const char Q_HEAD_UPD_REVS[] = "INSERT INTO head(record_uuid,"
    " rev_id, rev_no, household_key, form_id, deleted, revs)"
    " SELECT record_uuid, rev_id, rev_no, household_key, form_id, deleted,"
    " json_array(id) FROM revision WHERE rev_id = ?1 AND held = 0"
    Q_HEAD_SET_REVS;

enum ds_status
odb_head_update(struct odb *o, const unsigned char rev_id[16], int *alone,
    struct ds_err *err)
{
	struct dbx_stmt *st;

	*alone = 0;
	if ((st = odb_stmt(o, o->revs ? Q_HEAD_UPD_REVS :
	    odb_sql(o, Q_HEAD_UPD, Q_HEAD_UPD_PG), err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, rev_id, 16);
	STEP_DONE(o, st, "head", err);
	return DS_OK;
}

static const char Q_FORK_PUT[] = "INSERT INTO fork(rev_a, rev_b,"
    " record_uuid, parent_rev_id, kind, questions, detected_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING";

enum ds_status
odb_fork_put(struct odb *o, const unsigned char a[16],
    const unsigned char b[16], const unsigned char record_uuid[16],
    const unsigned char *parent, int conflict, const char *questions,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	int c = memcmp(a, b, 16);

	if (c == 0)
		return ds_err_set(err, DS_EINVAL, "fork of a revision with "
		    "itself");
	if ((st = odb_stmt(o, Q_FORK_PUT, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, c < 0 ? a : b, 16);
	bind_id(st, 2, c < 0 ? b : a, 16);
	bind_id(st, 3, record_uuid, 16);
	bind_id(st, 4, parent, 16);
	dbx_bind_text(st, 5, conflict ? "conflict" : "parallel", -1);
	dbx_bind_text(st, 6, questions, -1);
	dbx_bind_int64(st, 7, ds_now());
	STEP_DONE(o, st, "fork", err);
	return DS_OK;
}

static const char Q_FORK_ALL[] = "SELECT f.rev_a, f.rev_b, f.record_uuid,"
    " f.kind, f.questions, f.detected_at, f.resolved_at, f.resolution,"
    " (SELECT household_key FROM revision WHERE rev_id = f.rev_a)"
    " FROM fork f WHERE ?1 = 0 OR f.resolved_at IS NULL"
    " ORDER BY f.detected_at, f.rev_a, f.rev_b";

enum ds_status
odb_fork_each(struct odb *o, int open_only,
    int (*cb)(void *, const struct odb_fork *), void *arg, struct ds_err *err)
{
	struct odb_fork f;
	struct dbx_stmt *st;
	const unsigned char *k;
	int rc;

	if ((st = odb_stmt(o, Q_FORK_ALL, err)) == NULL)
		return err ? err->code : DS_EIO;
	dbx_bind_int(st, 1, open_only);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		memset(&f, 0, sizeof(f));
		col_copy(st, 0, f.rev_a, 16);
		col_copy(st, 1, f.rev_b, 16);
		col_copy(st, 2, f.record_uuid, 16);
		k = dbx_column_text(st, 3);
		f.conflict = k != NULL && strcmp((const char *)k,
		    "conflict") == 0;
		col_text(st, 4, f.questions, sizeof(f.questions));
		f.detected_at = dbx_column_int64(st, 5);
		f.resolved_at = dbx_column_int64(st, 6);
		col_text(st, 7, f.resolution, sizeof(f.resolution));
		col_text(st, 8, f.household_key, sizeof(f.household_key));
		if (cb(arg, &f) != 0)
			break;
	}
	dbx_reset(st);
	if (rc != DBX_ROW && rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "forks");
	return DS_OK;
}

static const char Q_FORK_RES[] = "UPDATE fork SET resolved_at = ?2,"
    " resolution = ?3 WHERE resolved_at IS NULL AND"
    " (substr(lower(hex(rev_a)), 1, length(?1)) = ?1 OR"
    "  substr(lower(hex(rev_b)), 1, length(?1)) = ?1)";

enum ds_status
odb_fork_resolve(struct odb *o, const char *prefix, const char *resolution,
    int *count, struct ds_err *err)
{
	struct dbx_stmt *st;
	size_t i, n = strlen(prefix);
	int64_t changed;

	*count = 0;
	if (n < 4 || n > 32)
		return ds_err_set(err, DS_EINVAL, "revision id %s: give 4 to "
		    "32 hex digits", prefix);
	for (i = 0; i < n; i++)
		if (!((prefix[i] >= '0' && prefix[i] <= '9') ||
		    (prefix[i] >= 'a' && prefix[i] <= 'f')))
			return ds_err_set(err, DS_EINVAL, "revision id %s is "
			    "not lowercase hex", prefix);
	if ((st = odb_stmt(o, Q_FORK_RES, err)) == NULL)
		return err ? err->code : DS_EIO;
	dbx_bind_text(st, 1, prefix, -1);
	dbx_bind_int64(st, 2, ds_now());
	dbx_bind_text(st, 3, resolution, -1);
	STEP_DONE(o, st, "resolve", err);
	if ((changed = dbx_changes(o->db)) < 0)
		return odb_sqlerr(o->db, DBX_ERROR, err, "resolve");
	*count = (int)changed;
	if (*count == 0)
		return ds_err_set(err, DS_ENOENT, "no open fork involves "
		    "revision %s", prefix);
	return DS_OK;
}

/* ---- acknowledged ranges ------------------------------------------------- */

static const char Q_ACK_OVER[] = "SELECT min(lo), max(hi) FROM ackrange"
    " WHERE device_id = ?1 AND hi >= ?2 - 1 AND lo <= ?3 + 1";
static const char Q_ACK_DEL[] = "DELETE FROM ackrange WHERE device_id = ?1"
    " AND hi >= ?2 - 1 AND lo <= ?3 + 1";
static const char Q_ACK_INS[] = "INSERT INTO ackrange(device_id, lo, hi)"
    " VALUES (?1, ?2, ?3)";

enum ds_status
odb_ack_add(struct odb *o, const unsigned char device_id[16], uint64_t lo,
    uint64_t hi, struct ds_err *err)
{
	struct dbx_stmt *st;
	int64_t l = (int64_t)lo, h = (int64_t)hi;
	int rc;

	if (lo < 1 || hi < lo || hi > INT64_MAX - 1)
		return ds_err_set(err, DS_EINVAL, "bad ack range");
	if ((st = odb_stmt(o, Q_ACK_OVER, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, device_id, 16);
	dbx_bind_int64(st, 2, l);
	dbx_bind_int64(st, 3, h);
	rc = dbx_step(st);
	if (rc != DBX_ROW) {
		dbx_reset(st);
		return odb_sqlerr(o->db, rc, err, "ack");
	}
	if (dbx_column_type(st, 0) != DBX_NULL) {
		if (dbx_column_int64(st, 0) < l)
			l = dbx_column_int64(st, 0);
		if (dbx_column_int64(st, 1) > h)
			h = dbx_column_int64(st, 1);
	}
	dbx_reset(st);
	if ((st = odb_stmt(o, Q_ACK_DEL, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, device_id, 16);
	dbx_bind_int64(st, 2, l);
	dbx_bind_int64(st, 3, h);
	STEP_DONE(o, st, "ack", err);
	if ((st = odb_stmt(o, Q_ACK_INS, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, device_id, 16);
	dbx_bind_int64(st, 2, l);
	dbx_bind_int64(st, 3, h);
	STEP_DONE(o, st, "ack", err);
	return DS_OK;
}

static const char Q_ACK_GET[] = "SELECT lo, hi FROM ackrange WHERE"
    " device_id = ?1 ORDER BY lo";

enum ds_status
odb_ack_get(struct odb *o, const unsigned char device_id[16],
    struct odb_range *out, size_t max, size_t *n, uint64_t *contiguous,
    struct ds_err *err)
{
	struct dbx_stmt *st;
	uint64_t lo, hi;
	int rc;

	*n = 0;
	*contiguous = 0;
	if ((st = odb_stmt(o, Q_ACK_GET, err)) == NULL)
		return err ? err->code : DS_EIO;
	bind_id(st, 1, device_id, 16);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		lo = (uint64_t)dbx_column_int64(st, 0);
		hi = (uint64_t)dbx_column_int64(st, 1);
		if (*n == 0 && lo == 1)
			*contiguous = hi;
		if (*n < max) {
			out[*n].lo = lo;
			out[*n].hi = hi;
		}
		(*n)++;
	}
	dbx_reset(st);
	if (rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "ack");
	return DS_OK;
}

/* ---- heads --------------------------------------------------------------- */

static const char Q_HEADS[] = "SELECT r.record_uuid, r.rev_id, r.rev_no,"
    " r.household_key, r.form_id, r.form_ver, r.worker_id, r.saved_at,"
    " r.deleted, r.answers FROM head h JOIN revision r ON r.rev_id = h.rev_id"
    " WHERE h.deleted = 0 ORDER BY h.household_key, h.record_uuid";

static const char Q_REVS[] = "SELECT r.record_uuid, r.rev_id, r.rev_no,"
    " h.household_key, r.form_id, r.form_ver, r.worker_id, r.saved_at,"
    " r.deleted, r.answers FROM head h JOIN revision r"
    " ON r.record_uuid = h.record_uuid WHERE h.deleted = 0 AND r.held = 0"
    " ORDER BY h.household_key, h.record_uuid, r.rev_no DESC, r.rev_id DESC";
static const char Q_REVS_REVS[] = "SELECT r.record_uuid, r.rev_id,"
    " r.rev_no, h.household_key, r.form_id, r.form_ver, r.worker_id,"
    " r.saved_at, r.deleted, r.answers FROM head h, json_each(h.revs) j"
    " JOIN revision r ON r.id = j.value WHERE h.deleted = 0 AND r.held = 0"
    " ORDER BY h.household_key, h.record_uuid, r.rev_no DESC, r.rev_id DESC";

static enum ds_status	heads_or_revs(struct odb *, const char *,
			    int (*)(void *, const struct odb_head *), void *,
			    struct ds_err *);

enum ds_status
odb_head_each(struct odb *o, int (*cb)(void *, const struct odb_head *),
    void *arg, struct ds_err *err)
{
	return heads_or_revs(o, Q_HEADS, cb, arg, err);
}

enum ds_status
odb_rev_each(struct odb *o, int (*cb)(void *, const struct odb_head *),
    void *arg, struct ds_err *err)
{
	return heads_or_revs(o, o->revs ? Q_REVS_REVS : Q_REVS, cb, arg, err);
}

static enum ds_status
heads_or_revs(struct odb *o, const char *sql,
    int (*cb)(void *, const struct odb_head *), void *arg,
    struct ds_err *err)
{
	struct odb_plain pl = { NULL, 0, 0 };
	struct odb_head h;
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	if (o->dkey == NULL)
		return ds_err_set(err, DS_ESTATE, "office db: opened without "
		    "the office secret key: answers cannot be read");
	/* Not cached: callbacks may run other queries. */
	rc = dbx_prepare(o->db, sql, &st);
	if (rc != DBX_OK)
		return odb_sqlerr(o->db, rc, err, "heads");
	while ((rc = dbx_step(st)) == DBX_ROW) {
		memset(&h, 0, sizeof(h));
		col_copy(st, 0, h.record_uuid, 16);
		col_copy(st, 1, h.rev_id, 16);
		h.rev_no = (uint32_t)dbx_column_int64(st, 2);
		h.household_key = (const char *)dbx_column_text(st, 3);
		h.form_id = (const char *)dbx_column_text(st, 4);
		h.form_ver = (const char *)dbx_column_text(st, 5);
		h.worker_id = (const char *)dbx_column_text(st, 6);
		h.saved_at = dbx_column_int64(st, 7);
		h.deleted = dbx_column_int(st, 8);
		if (h.household_key == NULL)
			continue;
		if ((s = odb_unseal(o, st, 9, h.rev_id, ODB_COL_ANSWERS, &pl,
		    err)) != DS_OK)
			break;
		h.answers = pl.p;
		h.answers_len = pl.len;
		rc = cb(arg, &h);
		odb_plain_wipe(&pl);
		if (rc != 0) {
			rc = DBX_DONE;
			break;
		}
	}
	dbx_finalize(st);
	odb_plain_free(&pl);
	if (s != DS_OK)
		return s;
	if (rc != DBX_ROW && rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "heads");
	return DS_OK;
}
