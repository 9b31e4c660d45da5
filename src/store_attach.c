/* doorstep: the files of media questions, sealed in the store. */
/*
 * A file is kept under the record and the name the answer holds, sealed
 * under the attachment subkey with that record and name as AD, so a blob
 * moved to another record or name does not open.  rev_no is the revision
 * it travels with: the record's next one when it is put (the save that
 * records the answer), so each file goes to the office once, in the
 * bundle that carries that revision.  Files are never changed: another
 * file is another name.
 */
#include "store.h"

#include <string.h>

#include <sqlite3.h>

#include "cry.h"
#include "form_media.h"
#include "mem.h"
#include "store_int.h"

#define ATTACH_AD_TAG	"doorstep attachment v1"

_Static_assert(STORE_ATTACH_MAX == FORM_MEDIA_MAX, "attachment caps agree");

static void
attach_ad(struct store_ad *a, const unsigned char *kid,
    const unsigned char *rid, const char *name)
{
	memset(a, 0, sizeof(*a));
	store_ad_put(a, ATTACH_AD_TAG, strlen(ATTACH_AD_TAG));
	store_ad_put(a, rid, STORE_ID_BYTES);
	store_ad_put(a, name, strlen(name));
	store_ad_put(a, kid, CRY_KEYID_BYTES);
}

static enum ds_status
prep(struct store *s, const char *sql, sqlite3_stmt **st, struct ds_err *err)
{
	int rc;

	*st = NULL;
	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL)) != SQLITE_OK)
		return store_sql_err(s, rc, "attachment", err);
	return DS_OK;
}

/* The record's next revision, and the bytes already waiting for it. */
static enum ds_status
next_rev(struct store *s, const unsigned char *rid, int64_t *rev,
    int64_t *waiting, struct ds_err *err)
{
	sqlite3_stmt *q;
	enum ds_status st;
	int rc;

	if ((st = prep(s, "SELECT coalesce((SELECT rev_no FROM record WHERE "
	    "id = ?1), 0) + 1", &q, err)) != DS_OK)
		return st;
	sqlite3_bind_blob(q, 1, rid, STORE_ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(q);
	*rev = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return store_sql_err(s, rc, "attachment", err);
	if ((st = prep(s, "SELECT coalesce(sum(size), 0) FROM attachment "
	    "WHERE record_id = ?1 AND rev_no = ?2", &q, err)) != DS_OK)
		return st;
	sqlite3_bind_blob(q, 1, rid, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, *rev);
	rc = sqlite3_step(q);
	*waiting = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return store_sql_err(s, rc, "attachment", err);
	return DS_OK;
}

static enum ds_status
put_locked(struct store *s, const unsigned char *rid, const char *name,
    const void *p, size_t n, struct ds_err *err)
{
	unsigned char *ct = NULL;
	struct store_ad a;
	sqlite3_stmt *q = NULL;
	int64_t rev, waiting;
	enum ds_status st;
	int rc;

	if ((st = next_rev(s, rid, &rev, &waiting, err)) != DS_OK)
		return st;
	if ((uint64_t)waiting + n > STORE_ATTACH_REV_MAX)
		return ds_err_set(err, DS_ELIMIT, "the files attached since "
		    "the last save pass %u MiB", STORE_ATTACH_REV_MAX >> 20);
	if ((ct = ds_malloc(n + CRY_AEAD_OVERHEAD)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	attach_ad(&a, s->key_id, rid, name);
	if (store_seal(ct, p, n, &a, s->k->att) != DS_OK) {
		st = ds_err_set(err, DS_ELIMIT, "attachment name too long");
		goto out;
	}
	if ((st = prep(s, "INSERT INTO attachment (record_id, name, rev_no, "
	    "size, data) VALUES (?1, ?2, ?3, ?4, ?5)", &q, err)) != DS_OK)
		goto out;
	sqlite3_bind_blob(q, 1, rid, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, rev);
	sqlite3_bind_int64(q, 4, (int64_t)n);
	sqlite3_bind_blob(q, 5, ct, (int)(n + CRY_AEAD_OVERHEAD),
	    SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		st = ds_err_set(err, DS_EEXIST, "record already has a file "
		    "named %s", name);
	else if (rc != SQLITE_DONE)
		st = store_sql_err(s, rc, "attachment", err);
out:
	sqlite3_finalize(q);
	ds_free(ct);
	return st;
}

enum ds_status
store_attach_put(struct store *s, const unsigned char rid[STORE_ID_BYTES],
    const char *name, const void *p, size_t n, struct ds_err *err)
{
	enum ds_status st;

	if (!form_media_name_ok(name, strlen(name)))
		return ds_err_set(err, DS_EINVAL, "bad attachment name");
	if (n == 0 || n > STORE_ATTACH_MAX)
		return ds_err_set(err, DS_ELIMIT, "attachment of %zu bytes "
		    "(limit %u)", n, STORE_ATTACH_MAX);
	if ((st = store_ready(s, err)) != DS_OK ||
	    (st = store_tx_begin(s, "attachment", err)) != DS_OK)
		return st;
	st = put_locked(s, rid, name, p, n, err);
	return store_tx_end(s, st, "attachment", err);
}

/* Open the blob of row q (columns: name, data) for record rid. */
static enum ds_status
open_row(const unsigned char *rid, sqlite3_stmt *q,
    const unsigned char *kid, const unsigned char *key, unsigned char **pt,
    size_t *n, struct ds_err *err)
{
	const char *name = (const char *)sqlite3_column_text(q, 0);
	size_t ctlen = (size_t)sqlite3_column_bytes(q, 1);
	char idt[STORE_UUID_TEXT];
	struct store_ad a;

	*pt = NULL;
	*n = 0;
	if (name == NULL || ctlen <= CRY_AEAD_OVERHEAD ||
	    ctlen > STORE_ATTACH_MAX + CRY_AEAD_OVERHEAD) {
		store_id_text(rid, idt);
		return ds_err_set(err, DS_ECORRUPT, "record %s: an attached "
		    "file is damaged", idt);
	}
	if ((*pt = ds_malloc(ctlen - CRY_AEAD_OVERHEAD + 1)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	attach_ad(&a, kid, rid, name);
	if (store_unseal(*pt, sqlite3_column_blob(q, 1), ctlen, &a, key) !=
	    DS_OK) {
		ds_free(*pt);
		*pt = NULL;
		store_id_text(rid, idt);
		return ds_err_set(err, DS_ECRYPTO, "record %s: attached file "
		    "%s does not decrypt: the stored data was altered or "
		    "moved", idt, name);
	}
	*n = ctlen - CRY_AEAD_OVERHEAD;
	return DS_OK;
}

enum ds_status
store_attach_get(struct store *s, const unsigned char rid[STORE_ID_BYTES],
    const char *name, unsigned char **p, size_t *n, struct ds_err *err)
{
	sqlite3_stmt *q;
	enum ds_status st;
	int rc;

	*p = NULL;
	*n = 0;
	if ((st = store_ready(s, err)) != DS_OK ||
	    (st = prep(s, "SELECT name, data FROM attachment WHERE "
	    "record_id = ?1 AND name = ?2", &q, err)) != DS_OK)
		return st;
	sqlite3_bind_blob(q, 1, rid, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		st = open_row(rid, q, s->key_id, s->k->att, p, n, err);
	else if (rc == SQLITE_DONE)
		st = ds_err_set(err, DS_ENOENT, "no attached file %s", name);
	else
		st = store_sql_err(s, rc, "attachment", err);
	sqlite3_finalize(q);
	return st;
}

enum ds_status
store_attach_each(struct store *s, const unsigned char rid[STORE_ID_BYTES],
    int64_t rev_no, store_attach_fn fn, void *arg, struct ds_err *err)
{
	unsigned char *pt = NULL;
	sqlite3_stmt *q;
	enum ds_status st;
	size_t n;
	int rc = SQLITE_DONE;

	if ((st = store_ready(s, err)) != DS_OK ||
	    (st = prep(s, "SELECT name, data FROM attachment WHERE "
	    "record_id = ?1 AND (?2 = 0 OR rev_no = ?2) ORDER BY name", &q,
	    err)) != DS_OK)
		return st;
	sqlite3_bind_blob(q, 1, rid, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, rev_no);
	while (st == DS_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((st = open_row(rid, q, s->key_id, s->k->att, &pt, &n,
		    err)) != DS_OK)
			break;
		st = fn(arg, (const char *)sqlite3_column_text(q, 0), pt, n,
		    err);
		cry_wipe(pt, n);
		ds_free(pt);
		pt = NULL;
	}
	if (st == DS_OK && rc != SQLITE_DONE)
		st = store_sql_err(s, rc, "attachment", err);
	sqlite3_finalize(q);
	return st;
}

enum ds_status
store_attach_rekey(struct store *s, const struct store_keys *old,
    const unsigned char okid[CRY_KEYID_BYTES], struct ds_err *err)
{
	unsigned char *pt = NULL, *ct = NULL;
	const unsigned char *rid;
	sqlite3_stmt *q = NULL, *u = NULL;
	struct store_ad a;
	enum ds_status st;
	size_t n;
	int rc = SQLITE_DONE;

	/* rowid order: an update moves no row of this scan. */
	if ((st = prep(s, "SELECT name, data, record_id, rowid FROM "
	    "attachment ORDER BY rowid", &q, err)) != DS_OK ||
	    (st = prep(s, "UPDATE attachment SET data = ?2 WHERE rowid = ?1",
	    &u, err)) != DS_OK)
		goto out;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		rid = sqlite3_column_blob(q, 2);
		if (rid == NULL || sqlite3_column_bytes(q, 2) !=
		    STORE_ID_BYTES) {
			st = ds_err_set(err, DS_ECORRUPT, "re-encrypt: an "
			    "attached file is damaged: nothing was changed");
			break;
		}
		if ((st = open_row(rid, q, okid, old->att, &pt, &n, err)) !=
		    DS_OK) {
			ds_err_prefix(err, "re-encrypt: nothing was changed");
			break;
		}
		if ((ct = ds_malloc(n + CRY_AEAD_OVERHEAD)) == NULL) {
			st = ds_err_set(err, DS_ENOMEM, NULL);
			break;
		}
		attach_ad(&a, s->key_id, rid,
		    (const char *)sqlite3_column_text(q, 0));
		(void)store_seal(ct, pt, n, &a, s->k->att);
		sqlite3_bind_int64(u, 1, sqlite3_column_int64(q, 3));
		sqlite3_bind_blob(u, 2, ct, (int)(n + CRY_AEAD_OVERHEAD),
		    SQLITE_STATIC);
		rc = sqlite3_step(u);
		sqlite3_reset(u);
		cry_wipe(pt, n);
		ds_free(pt);
		ds_free(ct);
		pt = ct = NULL;
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
