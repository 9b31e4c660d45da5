/* doorstep: the record store's outbox, for the sync packer. */
/*
 * Every save appends an outbox row (per-device sequence number).  The
 * packer walks the unacknowledged rows, marks a range sent in a bundle,
 * and a verified receipt acknowledges it; a workspace restored from a
 * backup moves its sequence past what the office holds (crypto-sync.md
 * §7.1, docs/sync.md).  Each write is one transaction.
 */
#include "store.h"

#include <string.h>

#include <sqlite3.h>

#include "store_int.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Outbox                                                              */

/* One pending row's revision, decrypted, handed to fn. */
static enum ds_status
snapshot_row(struct store *s, sqlite3_stmt *b, store_outbox_fn fn, void *arg,
    struct ds_err *err)
{
	struct store_snapshot sn;
	enum ds_status st;
	char *json = NULL;
	size_t len = 0;

	memset(&sn, 0, sizeof(sn));
	if (sqlite3_column_bytes(b, 1) != STORE_ID_BYTES ||
	    sqlite3_column_bytes(b, 2) != STORE_ID_BYTES ||
	    sqlite3_column_bytes(b, 9) != STORE_ID_BYTES)
		return ds_err_set(err, DS_ECORRUPT, "outbox: damaged revision");
	sn.seq = sqlite3_column_int64(b, 0);
	memcpy(sn.record_id, sqlite3_column_blob(b, 1), STORE_ID_BYTES);
	memcpy(sn.rev_id, sqlite3_column_blob(b, 2), STORE_ID_BYTES);
	if (sqlite3_column_bytes(b, 3) == STORE_ID_BYTES) {
		memcpy(sn.parent_rev_id, sqlite3_column_blob(b, 3),
		    STORE_ID_BYTES);
		sn.has_parent = 1;
	}
	sn.rev_no = sqlite3_column_int64(b, 4);
	sn.saved_at = sqlite3_column_int64(b, 5);
	sn.is_current = sqlite3_column_int(b, 11);
	sn.status = sn.is_current ?
	    (enum store_status)sqlite3_column_int(b, 6) : STORE_DRAFT;
	sn.form_id = (const char *)sqlite3_column_text(b, 7);
	sn.form_version = (const char *)sqlite3_column_text(b, 8);
	sn.device_id = sqlite3_column_blob(b, 9);
	if (sn.form_id == NULL || sn.form_version == NULL)
		return ds_err_set(err, DS_ECORRUPT, "outbox: damaged revision");
	st = store_answers_get(s, sn.record_id, sn.rev_no, &json, &len, err);
	if (st == DS_OK) {
		sn.answers = json;
		sn.answers_len = len;
		st = fn(arg, &sn, err);
		store_text_free(json, len);
	}
	return st;
}

enum ds_status
store_outbox_pending(struct store *s, int64_t after_seq, size_t max_revs,
    size_t max_bytes, store_outbox_fn fn, void *arg, int64_t *seq_lo,
    int64_t *seq_hi, struct ds_err *err)
{
	int64_t lo = 0, hi = 0, prev = 0;
	size_t n = 0, bytes = 0, sz;
	sqlite3_stmt *b;
	enum ds_status st;
	int rc;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	if ((st = store_step(s, Q_BEGIN_READ, "outbox", err)) != DS_OK)
		return st;
	/*
	 * Sequence order puts each record's revisions parent first.  Rows
	 * are taken as a prefix, so [lo, hi] holds no pending row that was
	 * left out.
	 */
	rc = sqlite3_prepare_v2(s->db, "SELECT o.seq, o.record_id, o.rev_id, "
	    "v.parent_rev_id, v.rev_no, v.saved_at, r.status, r.form_id, "
	    "v.form_version, v.device_id, v.answers_len + coalesce((SELECT "
	    "sum(a.size) FROM attachment a WHERE a.record_id = o.record_id "
	    "AND a.rev_no = v.rev_no), 0), r.rev_id = o.rev_id "
	    "FROM outbox o JOIN revision v ON v.rev_id = o.rev_id "
	    "JOIN record r ON r.id = o.record_id WHERE o.acked = 0 "
	    "AND o.seq > ?1 ORDER BY o.seq", -1, &b, NULL);
	if (rc != SQLITE_OK) {
		st = store_sql_err(s, rc, "outbox", err);
		goto out;
	}
	sqlite3_bind_int64(b, 1, after_seq);
	while (st == DS_OK && (rc = sqlite3_step(b)) == SQLITE_ROW) {
		sz = (size_t)sqlite3_column_int64(b, 10);
		if (n > 0 && ((max_revs != 0 && n == max_revs) ||
		    (max_bytes != 0 && bytes + sz > max_bytes)))
			break;
		if (n == 0)
			lo = sqlite3_column_int64(b, 0);
		prev = hi;
		hi = sqlite3_column_int64(b, 0);
		n++;
		bytes += sz;
		st = snapshot_row(s, b, fn, arg, err);
		/* fn has no room for this row: the range ends before it. */
		if (st == DS_ELIMIT && n > 1) {
			n--;
			hi = prev;
			ds_err_clear(err);
			st = DS_OK;
			break;
		}
	}
	if (st == DS_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		st = store_sql_err(s, rc, "outbox", err);
	sqlite3_finalize(b);
out:
	store_tx_rollback(s);	/* end the read */
	if (st == DS_OK) {
		*seq_lo = n ? lo : 0;
		*seq_hi = n ? hi : 0;
	}
	return st;
}

enum ds_status
store_outbox_count(struct store *s, struct store_outbox_counts *c,
    struct ds_err *err)
{
	sqlite3_stmt *b;
	enum ds_status st;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	rc = sqlite3_prepare_v2(s->db, "SELECT "
	    "COALESCE(SUM(acked = 0), 0), COUNT(DISTINCT CASE WHEN acked = 0 "
	    "THEN record_id END), COALESCE(SUM(acked = 0 AND bundle_id IS "
	    "NULL), 0), COALESCE(MIN(CASE WHEN acked = 0 THEN seq END), 0), "
	    "COALESCE(MAX(CASE WHEN acked = 0 THEN seq END), 0), "
	    "COALESCE(SUM(acked != 0), 0), "
	    "COALESCE(MAX(CASE WHEN acked != 0 THEN seq END), 0) FROM outbox",
	    -1, &b, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "outbox", err);
	if ((rc = sqlite3_step(b)) == SQLITE_ROW) {
		c->revisions = sqlite3_column_int64(b, 0);
		c->records = sqlite3_column_int64(b, 1);
		c->unsent = sqlite3_column_int64(b, 2);
		c->seq_lo = sqlite3_column_int64(b, 3);
		c->seq_hi = sqlite3_column_int64(b, 4);
		c->acked = sqlite3_column_int64(b, 5);
		c->acked_hi = sqlite3_column_int64(b, 6);
		st = DS_OK;
	} else
		st = store_sql_err(s, rc, "outbox", err);
	sqlite3_finalize(b);
	return st;
}

/* Run a write script, inside a transaction, with ?1 = lo, ?2 = hi,
 * ?3 = blob, ?4 = now, ?5 = hash (STORE_HASH_BYTES). */
static enum ds_status
outbox_run(struct store *s, const char *const *sqls, int64_t lo, int64_t hi,
    const unsigned char *blob, const unsigned char *hash, const char *what,
    struct ds_err *err)
{
	sqlite3_stmt *b;
	enum ds_status st = DS_OK;
	int rc, i;

	for (i = 0; sqls[i] != NULL && st == DS_OK; i++) {
		if ((rc = sqlite3_prepare_v2(s->db, sqls[i], -1, &b, NULL))
		    != SQLITE_OK) {
			st = store_sql_err(s, rc, what, err);
			break;
		}
		sqlite3_bind_int64(b, 1, lo);
		sqlite3_bind_int64(b, 2, hi);
		if (blob != NULL && sqlite3_bind_parameter_count(b) >= 3)
			sqlite3_bind_blob(b, 3, blob, STORE_ID_BYTES,
			    SQLITE_STATIC);
		if (sqlite3_bind_parameter_count(b) >= 4)
			sqlite3_bind_int64(b, 4, ds_now());
		if (hash != NULL && sqlite3_bind_parameter_count(b) >= 5)
			sqlite3_bind_blob(b, 5, hash, STORE_HASH_BYTES,
			    SQLITE_STATIC);
		rc = sqlite3_step(b);
		sqlite3_finalize(b);
		if (rc != SQLITE_DONE)
			st = store_sql_err(s, rc, what, err);
	}
	return st;
}

static enum ds_status
bad_range(int64_t lo, int64_t hi, const char *what, struct ds_err *err)
{
	if (lo < 1 || hi < lo)
		return ds_err_set(err, DS_EINVAL, "%s: bad range %lld..%lld",
		    what, (long long)lo, (long long)hi);
	return DS_OK;
}

/* outbox_run in a transaction of its own. */
static enum ds_status
outbox_write(struct store *s, const char *const *sqls, int64_t lo, int64_t hi,
    const unsigned char *blob, const unsigned char *hash, const char *what,
    struct ds_err *err)
{
	enum ds_status st;

	if ((st = store_ready(s, err)) != DS_OK ||
	    (st = bad_range(lo, hi, what, err)) != DS_OK ||
	    (st = store_tx_begin(s, what, err)) != DS_OK)
		return st;
	st = outbox_run(s, sqls, lo, hi, blob, hash, what, err);
	return store_tx_end(s, st, what, err);
}

enum ds_status
store_outbox_mark_sent(struct store *s, int64_t lo, int64_t hi,
    const unsigned char bundle_id[STORE_ID_BYTES],
    const unsigned char bundle_hash[STORE_HASH_BYTES],
    struct ds_err *err)
{
	static const char *const sqls[] = {
		"UPDATE outbox SET bundle_id = ?3 WHERE seq BETWEEN ?1 AND ?2 "
		    "AND acked = 0",
		"UPDATE record SET status = 2 WHERE status = 1 AND rev_id IN "
		    "(SELECT rev_id FROM outbox WHERE seq BETWEEN ?1 AND ?2 "
		    "AND ?3 IS NOT NULL)",
		"INSERT INTO audit (record_id, at, event, rev_no) SELECT r.id, "
		    "?4, 3, r.rev_no FROM record r WHERE r.id IN (SELECT "
		    "record_id FROM outbox WHERE seq BETWEEN ?1 AND ?2 AND "
		    "?3 IS NOT NULL)",
		"INSERT OR REPLACE INTO meta (k, v) SELECT 'last_bundle_hash', "
		    "?5 WHERE ?5 IS NOT NULL",
		NULL
	};

	return outbox_write(s, sqls, lo, hi, bundle_id, bundle_hash,
	    "mark sent", err);
}

static const char *const ack_sqls[] = {
	"UPDATE outbox SET acked = 1 WHERE seq BETWEEN ?1 AND ?2 "
	    "AND bundle_id IS NOT NULL",
	"UPDATE record SET status = 3 WHERE status IN (1, 2) AND rev_id "
	    "IN (SELECT rev_id FROM outbox WHERE seq BETWEEN ?1 AND ?2 "
	    "AND acked = 1)",
	NULL
};

static const char *const ack_bundle_sqls[] = {
	"UPDATE outbox SET acked = 1 WHERE seq BETWEEN ?1 AND ?2 "
	    "AND bundle_id = ?3",
	"UPDATE record SET status = 3 WHERE status IN (1, 2) AND rev_id "
	    "IN (SELECT rev_id FROM outbox WHERE seq BETWEEN ?1 AND ?2 "
	    "AND bundle_id = ?3)",
	NULL
};

static const char *const rollback_sqls[] = {
	/* the next save numbers past office_hi */
	"INSERT INTO meta (k, v) VALUES ('seq_floor', ?2) "
	    "ON CONFLICT (k) DO UPDATE SET v = max(v, ?2)",
	"INSERT INTO meta (k, v) VALUES ('rollback_floor', ?2) "
	    "ON CONFLICT (k) DO UPDATE SET v = max(v, ?2)",
	NULL
};

enum ds_status
store_outbox_ack(struct store *s, int64_t lo, int64_t hi, struct ds_err *err)
{
	return outbox_write(s, ack_sqls, lo, hi, NULL, NULL, "acknowledge",
	    err);
}

enum ds_status
store_outbox_ack_bundle(struct store *s, int64_t lo, int64_t hi,
    const unsigned char bundle_id[STORE_ID_BYTES], struct ds_err *err)
{
	return outbox_write(s, ack_bundle_sqls, lo, hi, bundle_id, NULL,
	    "acknowledge bundle", err);
}

enum ds_status
store_outbox_rollback(struct store *s, int64_t office_hi, struct ds_err *err)
{
	return outbox_write(s, rollback_sqls, 1, office_hi, NULL, NULL,
	    "rollback", err);
}

enum ds_status
store_outbox_receipt(struct store *s, int64_t rollback_hi,
    const struct store_ack *acks, size_t n,
    const unsigned char bundle_id[STORE_ID_BYTES], struct ds_err *err)
{
	enum ds_status st;
	size_t i;

	if ((st = store_ready(s, err)) != DS_OK ||
	    (rollback_hi == 0 && n == 0))
		return st;
	if (rollback_hi != 0 &&
	    (st = bad_range(1, rollback_hi, "rollback", err)) != DS_OK)
		return st;
	for (i = 0; i < n; i++)
		if ((st = bad_range(acks[i].lo, acks[i].hi, "acknowledge",
		    err)) != DS_OK)
			return st;
	if ((st = store_tx_begin(s, "apply receipt", err)) != DS_OK)
		return st;
	if (rollback_hi != 0)
		st = outbox_run(s, rollback_sqls, 1, rollback_hi, NULL, NULL,
		    "rollback", err);
	for (i = 0; i < n && st == DS_OK; i++)
		st = outbox_run(s, acks[i].bundle_only ? ack_bundle_sqls :
		    ack_sqls, acks[i].lo, acks[i].hi, bundle_id, NULL,
		    "acknowledge", err);
	return store_tx_end(s, st, "apply receipt", err);
}

enum ds_status
store_outbox_floor(struct store *s, int64_t *out, struct ds_err *err)
{
	enum ds_status st;
	int64_t v;

	*out = 0;
	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	v = store_query_int(s, "SELECT COALESCE((SELECT v FROM meta WHERE k = "
	    "'rollback_floor'), 0)");
	if (v < 0)
		return ds_err_set(err, DS_EIO, "outbox: %s",
		    sqlite3_errmsg(s->db));
	*out = v;
	return DS_OK;
}

enum ds_status
store_outbox_last_seq(struct store *s, int64_t *out, struct ds_err *err)
{
	enum ds_status st;
	int64_t v;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	v = store_query_int(s, "SELECT COALESCE(MAX(seq), 0) FROM outbox");
	if (v < 0)
		return ds_err_set(err, DS_EIO, "outbox: %s",
		    sqlite3_errmsg(s->db));
	*out = v;
	return DS_OK;
}
