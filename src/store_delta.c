/* doorstep: draft deltas: an answer kept without a new revision. */
/*
 * A draft's answers since its last revision, one sealed row each, keyed
 * by record and number: saving an answer writes one small row instead of
 * the whole record, its revision, outbox row and indexes.  The session
 * replays them over the revision when it resumes, and its next full save
 * (leaving the record, finalizing, every so many answers) makes the
 * revision that holds them and deletes them in the same transaction
 * (store_save.c).  A delta is bound by its AD to the record, the revision
 * it follows and its number, so one moved, replayed on another revision
 * or put in another order does not open; a missing number is refused.
 */
#include "store.h"

#include <string.h>

#include <sqlite3.h>

#include "arr.h"
#include "cry.h"
#include "mem.h"
#include "store_int.h"

#define DELTA_AD_TAG	"doorstep delta v1"

static void
delta_ad(struct store_ad *a, const unsigned char *rid, int64_t rev_no,
    int64_t seq, const unsigned char *kid)
{
	memset(a, 0, sizeof(*a));
	store_ad_put(a, DELTA_AD_TAG, strlen(DELTA_AD_TAG));
	store_ad_put(a, rid, STORE_ID_BYTES);
	store_ad_u64(a, (uint64_t)rev_no);
	store_ad_u64(a, (uint64_t)seq);
	store_ad_put(a, kid, CRY_KEYID_BYTES);
}

enum ds_status
store_delta_top(struct store *s, const unsigned char *rid, int64_t *top,
    struct ds_err *err)
{
	sqlite3_stmt *b = store_stmt(s, Q_DELTA_TOP);
	int rc;

	sqlite3_bind_blob(b, 1, rid, STORE_ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(b);
	*top = rc == SQLITE_ROW ? sqlite3_column_int64(b, 0) : 0;
	sqlite3_reset(b);
	if (rc != SQLITE_ROW)
		return store_sql_err(s, rc, "read deltas", err);
	return DS_OK;
}

/* The body of store_delta_add, inside BEGIN IMMEDIATE. */
static enum ds_status
add_tx(struct store *s, const unsigned char *id, int64_t rev_no, int64_t seq,
    const unsigned char *ct, size_t ctlen, struct ds_err *err)
{
	char idt[STORE_UUID_TEXT];
	sqlite3_stmt *b = store_stmt(s, Q_REC_GET);
	enum ds_status st;
	int64_t cur, top;
	int rc;

	store_id_text(id, idt);
	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(b);
	cur = rc == SQLITE_ROW ? sqlite3_column_int64(b, 1) : 0;
	sqlite3_reset(b);
	if (rc == SQLITE_DONE)
		return ds_err_set(err, DS_ENOENT, "no record %s", idt);
	if (rc != SQLITE_ROW)
		return store_sql_err(s, rc, "save", err);
	if ((st = store_delta_top(s, id, &top, err)) != DS_OK)
		return st;
	if (cur != rev_no || top != seq - 1)
		return ds_err_set(err, DS_ECONFLICT, "record %s was changed "
		    "since it was opened", idt);
	b = store_stmt(s, Q_DELTA_INS);
	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(b, 2, seq);
	sqlite3_bind_int64(b, 3, rev_no);
	sqlite3_bind_blob(b, 4, ct, (int)ctlen, SQLITE_STATIC);
	return store_step(s, Q_DELTA_INS, "save", err);
}

enum ds_status
store_delta_add(struct store *s, const unsigned char id[STORE_ID_BYTES],
    int64_t rev_no, int64_t seq, const char *body, size_t len,
    struct ds_err *err)
{
	unsigned char *ct;
	struct store_ad a;
	enum ds_status st;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	if (body == NULL || len == 0 || len > STORE_DELTA_MAX || seq < 1 ||
	    rev_no < 1)
		return ds_err_set(err, DS_EINVAL, "delta: 1..%u bytes on a "
		    "saved record", STORE_DELTA_MAX);
	if ((ct = ds_malloc(len + CRY_AEAD_OVERHEAD)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "save: %s",
		    ds_status_str(DS_ENOMEM));
	delta_ad(&a, id, rev_no, seq, s->key_id);
	(void)store_seal(ct, body, len, &a, s->k->dlt);
	if ((st = store_tx_begin(s, "save", err)) == DS_OK)
		st = add_tx(s, id, rev_no, seq, ct, len + CRY_AEAD_OVERHEAD,
		    err);
	st = store_tx_end(s, st, "save", err);
	ds_free(ct);
	return st;
}

/* Open the body of row q (columns: seq, body) of record rid on rev_no. */
static enum ds_status
open_row(sqlite3_stmt *q, const unsigned char *rid, int64_t rev_no,
    const unsigned char *kid, const unsigned char *key, char **pt,
    size_t *n, struct ds_err *err)
{
	size_t ctlen = (size_t)sqlite3_column_bytes(q, 1);
	char idt[STORE_UUID_TEXT];
	struct store_ad a;

	*pt = NULL;
	*n = 0;
	store_id_text(rid, idt);
	if (ctlen <= CRY_AEAD_OVERHEAD ||
	    ctlen > STORE_DELTA_MAX + CRY_AEAD_OVERHEAD)
		return ds_err_set(err, DS_ECORRUPT, "record %s: a saved answer "
		    "is damaged", idt);
	if ((*pt = ds_malloc(ctlen - CRY_AEAD_OVERHEAD + 1)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	delta_ad(&a, rid, rev_no, sqlite3_column_int64(q, 0), kid);
	if (store_unseal(*pt, sqlite3_column_blob(q, 1), ctlen, &a, key) !=
	    DS_OK) {
		ds_free(*pt);
		*pt = NULL;
		return ds_err_set(err, DS_ECRYPTO, "record %s: answer %lld "
		    "after revision %lld does not decrypt: the stored data was "
		    "altered or moved", idt,
		    (long long)sqlite3_column_int64(q, 0), (long long)rev_no);
	}
	*n = ctlen - CRY_AEAD_OVERHEAD;
	(*pt)[*n] = '\0';
	return DS_OK;
}

enum ds_status
store_delta_each(struct store *s, const unsigned char id[STORE_ID_BYTES],
    int64_t rev_no, store_delta_fn fn, void *arg, struct ds_err *err)
{
	char idt[STORE_UUID_TEXT], *pt = NULL;
	sqlite3_stmt *q;
	enum ds_status st;
	int64_t want = 1;
	size_t n = 0;
	int rc;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	store_id_text(id, idt);
	/* One statement: the record's revision and its deltas agree. */
	rc = sqlite3_prepare_v2(s->db, "SELECT d.seq, d.body, d.rev_no, "
	    "r.rev_no FROM delta d JOIN record r ON r.id = d.record_id "
	    "WHERE d.record_id = ?1 ORDER BY d.seq", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "read deltas", err);
	sqlite3_bind_blob(q, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	while (st == DS_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_int64(q, 2) != rev_no ||
		    sqlite3_column_int64(q, 3) != rev_no) {
			st = ds_err_set(err, DS_ECONFLICT, "record %s was "
			    "changed since it was opened", idt);
			break;
		}
		if (sqlite3_column_int64(q, 0) != want++) {
			st = ds_err_set(err, DS_ECORRUPT, "record %s: a saved "
			    "answer is missing", idt);
			break;
		}
		if ((st = open_row(q, id, rev_no, s->key_id, s->k->dlt, &pt,
		    &n, err)) != DS_OK)
			break;
		st = fn(arg, sqlite3_column_int64(q, 0), pt, n, err);
		cry_wipe(pt, n);
		ds_free(pt);
		pt = NULL;
	}
	if (st == DS_OK && rc != SQLITE_DONE)
		st = store_sql_err(s, rc, "read deltas", err);
	sqlite3_finalize(q);
	return st;
}

enum ds_status
store_delta_records(struct store *s, unsigned char (**ids)[STORE_ID_BYTES],
    size_t *np, struct ds_err *err)
{
	unsigned char (*v)[STORE_ID_BYTES] = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *q;
	enum ds_status st;
	int rc;

	*ids = NULL;
	*np = 0;
	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	rc = sqlite3_prepare_v2(s->db, "SELECT DISTINCT record_id FROM delta "
	    "ORDER BY record_id", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "read deltas", err);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(q, 0) != STORE_ID_BYTES)
			continue;
		if ((st = ds_arr_grow(&v, &cap, n + 1, sizeof(*v),
		    STORE_LIST_CAP)) != DS_OK) {
			sqlite3_finalize(q);
			ds_free(v);
			return ds_err_set(err, st, "read deltas: %s",
			    ds_status_str(st));
		}
		memcpy(v[n++], sqlite3_column_blob(q, 0), STORE_ID_BYTES);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		ds_free(v);
		return store_sql_err(s, rc, "read deltas", err);
	}
	*ids = v;
	*np = n;
	return DS_OK;
}

enum ds_status
store_delta_rekey(struct store *s, const struct store_keys *old,
    const unsigned char okid[CRY_KEYID_BYTES], struct ds_err *err)
{
	unsigned char *ct = NULL;
	const unsigned char *rid;
	char *pt = NULL;
	sqlite3_stmt *q = NULL, *u = NULL;
	struct store_ad a;
	enum ds_status st = DS_OK;
	int64_t rev_no;
	size_t n = 0;
	int rc;

	/* Key order: an update of the body moves no row of this scan. */
	if ((rc = sqlite3_prepare_v2(s->db, "SELECT seq, body, record_id, "
	    "rev_no FROM delta ORDER BY record_id, seq", -1, &q, NULL)) !=
	    SQLITE_OK || (rc = sqlite3_prepare_v2(s->db, "UPDATE delta SET "
	    "body = ?3 WHERE record_id = ?1 AND seq = ?2", -1, &u, NULL)) !=
	    SQLITE_OK) {
		st = store_sql_err(s, rc, "re-encrypt", err);
		goto out;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		rid = sqlite3_column_blob(q, 2);
		rev_no = sqlite3_column_int64(q, 3);
		if (rid == NULL || sqlite3_column_bytes(q, 2) !=
		    STORE_ID_BYTES) {
			st = ds_err_set(err, DS_ECORRUPT, "re-encrypt: a saved "
			    "answer is damaged: nothing was changed");
			break;
		}
		if ((st = open_row(q, rid, rev_no, okid, old->dlt, &pt, &n,
		    err)) != DS_OK) {
			ds_err_prefix(err, "re-encrypt: nothing was changed");
			break;
		}
		if ((ct = ds_malloc(n + CRY_AEAD_OVERHEAD)) == NULL) {
			st = ds_err_set(err, DS_ENOMEM, NULL);
			break;
		}
		delta_ad(&a, rid, rev_no, sqlite3_column_int64(q, 0),
		    s->key_id);
		(void)store_seal(ct, pt, n, &a, s->k->dlt);
		sqlite3_bind_blob(u, 1, rid, STORE_ID_BYTES, SQLITE_STATIC);
		sqlite3_bind_int64(u, 2, sqlite3_column_int64(q, 0));
		sqlite3_bind_blob(u, 3, ct, (int)(n + CRY_AEAD_OVERHEAD),
		    SQLITE_STATIC);
		rc = sqlite3_step(u);
		sqlite3_reset(u);
		cry_wipe(pt, n);
		ds_free(pt);
		ds_free(ct);
		pt = NULL;
		ct = NULL;
		if (rc != SQLITE_DONE) {
			st = store_sql_err(s, rc, "re-encrypt", err);
			break;
		}
	}
	if (st == DS_OK && rc != SQLITE_DONE)
		st = store_sql_err(s, rc, "re-encrypt", err);
out:
	if (pt != NULL) {
		cry_wipe(pt, n);
		ds_free(pt);
	}
	ds_free(ct);
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	return st;
}
