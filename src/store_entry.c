/* doorstep: visit-list entries and the office bundles applied. */
/*
 * An office bundle is applied in one transaction (docs/case.md): its
 * entries, sealed under the store's entry subkey with the household key
 * kept only as a blind index; its withdrawals; and its sequence number
 * and hash, which the next bundle must follow.  The sequence is checked
 * again inside the transaction, so two programs applying at once cannot
 * both succeed.  Entries are never deleted: a withdrawn one is marked,
 * and a record started from one keeps its link.
 */
#include "store.h"

#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "arr.h"
#include "cry.h"
#include "json.h"
#include "mem.h"
#include "store_int.h"
#include "util.h"

#define ENTRY_AD_TAG	"doorstep entry v1"
#define ENTRY_LIST_MAX	(1u << 20)

static void
entry_ad(struct store_ad *a, const unsigned char *kid, const unsigned char *id)
{
	memset(a, 0, sizeof(*a));
	store_ad_put(a, ENTRY_AD_TAG, strlen(ENTRY_AD_TAG));
	store_ad_put(a, id, STORE_ID_BYTES);
	store_ad_put(a, kid, CRY_KEYID_BYTES);
}

static enum ds_status
prep(struct store *s, const char *sql, sqlite3_stmt **st, const char *what,
    struct ds_err *err)
{
	int rc;

	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL)) != SQLITE_OK)
		return store_sql_err(s, rc, what, err);
	return DS_OK;
}

/* Step once to DONE (or ROW), then finalize. */
static enum ds_status
step_fin(struct store *s, sqlite3_stmt *st, const char *what,
    struct ds_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sql_err(s, rc, what, err);
	return DS_OK;
}

static enum ds_status
last_locked(struct store *s, uint64_t *seq, unsigned char hash[32],
    struct ds_err *err)
{
	sqlite3_stmt *st;
	const void *h;
	enum ds_status rc;
	int r;

	*seq = 0;
	memset(hash, 0, 32);
	if ((rc = prep(s, "SELECT seq, hash FROM obundle ORDER BY seq DESC"
	    " LIMIT 1", &st, "office bundles", err)) != DS_OK)
		return rc;
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
		h = sqlite3_column_blob(st, 1);
		if (h != NULL && sqlite3_column_bytes(st, 1) == 32)
			memcpy(hash, h, 32);
	}
	sqlite3_finalize(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return store_sql_err(s, r, "office bundles", err);
	return DS_OK;
}

enum ds_status
store_obundle_last(struct store *s, uint64_t *seq, unsigned char hash[32],
    struct ds_err *err)
{
	enum ds_status st;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	return last_locked(s, seq, hash, err);
}

static enum ds_status
put_entry(struct store *s, const struct store_entry_in *e, uint64_t seq,
    struct ds_err *err)
{
	unsigned char idx[STORE_BLIND_BYTES], *ct;
	struct store_ad a;
	sqlite3_stmt *st;
	enum ds_status rc;

	if (e->len == 0 || e->len > STORE_ENTRY_MAX)
		return ds_err_set(err, DS_EINVAL, "entry too long");
	if (store_blind(s, STORE_KIND_HOUSEHOLD, e->hh_key, idx) != 0)
		return ds_err_set(err, DS_ELIMIT, "household key too long");
	if ((ct = ds_malloc(e->len + CRY_AEAD_OVERHEAD)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	entry_ad(&a, s->key_id, e->entry_id);
	if ((rc = store_seal(ct, e->json, e->len, &a, s->k->ent)) != DS_OK) {
		ds_free(ct);
		return ds_err_set(err, rc, "entry AD too long");
	}
	if ((rc = prep(s, "INSERT INTO entry (id, hh_idx, ob_seq, body)"
	    " VALUES (?1, ?2, ?3, ?4)", &st, "store entry", err)) == DS_OK) {
		sqlite3_bind_blob(st, 1, e->entry_id, STORE_ID_BYTES,
		    SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, idx, sizeof(idx), SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (int64_t)seq);
		sqlite3_bind_blob(st, 4, ct, (int)(e->len + CRY_AEAD_OVERHEAD),
		    SQLITE_STATIC);
		rc = step_fin(s, st, "store entry", err);
	}
	ds_free(ct);
	return rc;
}

enum ds_status
store_obundle_apply(struct store *s, const struct store_obundle *b,
    const unsigned char prev_hash[32], const struct store_entry_in *v,
    size_t n, const unsigned char (*withdrawn)[STORE_ID_BYTES], size_t nw,
    struct ds_err *err)
{
	unsigned char last_hash[32];
	sqlite3_stmt *st;
	uint64_t last;
	enum ds_status rc;
	size_t i;

	if ((rc = store_ready(s, err)) != DS_OK ||
	    (rc = store_tx_begin(s, "apply office bundle", err)) != DS_OK)
		return rc;
	if ((rc = last_locked(s, &last, last_hash, err)) != DS_OK)
		goto out;
	if (b->seq != last + 1 || memcmp(prev_hash, last_hash, 32) != 0) {
		rc = ds_err_set(err, DS_ECONFLICT, "office bundle %llu does not "
		    "follow %llu", (unsigned long long)b->seq,
		    (unsigned long long)last);
		goto out;
	}
	for (i = 0; i < n && rc == DS_OK; i++)
		rc = put_entry(s, &v[i], b->seq, err);
	for (i = 0; i < nw && rc == DS_OK; i++)
		if ((rc = prep(s, "UPDATE entry SET state = 1 WHERE id = ?1",
		    &st, "withdraw entry", err)) == DS_OK) {
			sqlite3_bind_blob(st, 1, withdrawn[i], STORE_ID_BYTES,
			    SQLITE_STATIC);
			rc = step_fin(s, st, "withdraw entry", err);
		}
	if (rc == DS_OK && (rc = prep(s, "INSERT INTO obundle (seq, bundle_id,"
	    " hash, applied_at, n_entries, n_withdrawals, n_files) VALUES"
	    " (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &st, "office bundle", err)) ==
	    DS_OK) {
		sqlite3_bind_int64(st, 1, (int64_t)b->seq);
		sqlite3_bind_blob(st, 2, b->bundle_id, 16, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, b->hash, 32, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, b->applied_at);
		sqlite3_bind_int64(st, 5, b->n_entries);
		sqlite3_bind_int64(st, 6, b->n_withdrawals);
		sqlite3_bind_int64(st, 7, b->n_files);
		rc = step_fin(s, st, "office bundle", err);
	}
out:
	return store_tx_end(s, rc, "apply office bundle", err);
}

/* ---- reading entries ------------------------------------------------------- */

/* A visit the worker discarded (store_discard) leaves the entry to do. */
#define ENTRY_SELECT "SELECT e.id, e.state, e.ob_seq, e.record_id, e.body," \
	" r.status FROM entry e LEFT JOIN record r ON r.id = e.record_id" \
	" AND r.discarded = 0"

static enum ds_status
entry_row(struct store *s, sqlite3_stmt *st, struct store_entry *e,
    struct ds_err *err)
{
	const unsigned char *ct = sqlite3_column_blob(st, 4);
	size_t ctlen = (size_t)sqlite3_column_bytes(st, 4);
	const void *p;
	struct store_ad a;

	memset(e, 0, sizeof(*e));
	if ((p = sqlite3_column_blob(st, 0)) == NULL ||
	    sqlite3_column_bytes(st, 0) != STORE_ID_BYTES)
		return ds_err_set(err, DS_ECORRUPT, "entry without an id");
	memcpy(e->entry_id, p, STORE_ID_BYTES);
	e->state = sqlite3_column_int(st, 1);
	e->ob_seq = (uint64_t)sqlite3_column_int64(st, 2);
	if ((p = sqlite3_column_blob(st, 3)) != NULL &&
	    sqlite3_column_bytes(st, 3) == STORE_ID_BYTES &&
	    sqlite3_column_type(st, 5) != SQLITE_NULL) {
		memcpy(e->record_id, p, STORE_ID_BYTES);
		e->has_record = 1;
		e->record_status = (enum store_status)sqlite3_column_int(st,
		    5);
	}
	if (ct == NULL || ctlen <= CRY_AEAD_OVERHEAD)
		return ds_err_set(err, DS_ECORRUPT, "entry is not sealed");
	e->len = ctlen - CRY_AEAD_OVERHEAD;
	if ((e->json = ds_malloc(e->len + 1)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	entry_ad(&a, s->key_id, e->entry_id);
	if (store_unseal(e->json, ct, ctlen, &a, s->k->ent) != DS_OK) {
		ds_free(e->json);
		e->json = NULL;
		return ds_err_set(err, DS_ECRYPTO, "a visit-list entry does not "
		    "open with this workspace's key (damaged or moved)");
	}
	e->json[e->len] = '\0';
	return DS_OK;
}

void
store_entry_clear(struct store_entry *e)
{
	if (e == NULL)
		return;
	if (e->json != NULL) {
		cry_wipe(e->json, e->len);
		ds_free(e->json);
	}
	memset(e, 0, sizeof(*e));
}

void
store_entries_free(struct store_entry *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		store_entry_clear(&v[i]);
	ds_free(v);
}

/* Every row of a prepared entry query (finalized here). */
static enum ds_status
entry_rows(struct store *s, sqlite3_stmt *st, struct store_entry **out,
    size_t *np, struct ds_err *err)
{
	struct store_entry *v = NULL;
	size_t n = 0, cap = 0;
	enum ds_status rc = DS_OK;
	int r;

	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = ds_arr_grow(&v, &cap, n + 1, sizeof(*v),
		    ENTRY_LIST_MAX)) != DS_OK) {
			ds_err_set(err, rc, "too many entries");
			break;
		}
		if ((rc = entry_row(s, st, &v[n], err)) != DS_OK) {
			store_entry_clear(&v[n]);
			break;
		}
		n++;
	}
	sqlite3_finalize(st);
	if (rc == DS_OK && r != SQLITE_DONE)
		rc = store_sql_err(s, r, "list entries", err);
	if (rc != DS_OK) {
		store_entries_free(v, n);
		return rc;
	}
	*out = v;
	*np = n;
	return DS_OK;
}

enum ds_status
store_entry_list(struct store *s, int open_only, struct store_entry **out,
    size_t *np, struct ds_err *err)
{
	sqlite3_stmt *st;
	enum ds_status rc;

	*out = NULL;
	*np = 0;
	if ((rc = store_ready(s, err)) != DS_OK ||
	    (rc = prep(s, open_only ? ENTRY_SELECT " WHERE e.state = 0 AND"
	    " (r.status IS NULL OR r.status = 0) ORDER BY e.ob_seq, e.rowid" :
	    ENTRY_SELECT " ORDER BY e.ob_seq, e.rowid", &st, "list entries",
	    err)) != DS_OK)
		return rc;
	return entry_rows(s, st, out, np, err);
}

enum ds_status
store_entry_household(struct store *s, const char *hh_key,
    struct store_entry **out, size_t *np, struct ds_err *err)
{
	unsigned char idx[STORE_BLIND_BYTES];
	sqlite3_stmt *st;
	enum ds_status rc;

	*out = NULL;
	*np = 0;
	if ((rc = store_ready(s, err)) != DS_OK)
		return rc;
	if (store_blind(s, STORE_KIND_HOUSEHOLD, hh_key, idx) != 0)
		return DS_OK;	/* too long to be any entry's */
	if ((rc = prep(s, ENTRY_SELECT " WHERE e.hh_idx = ?1 ORDER BY"
	    " e.ob_seq, e.rowid", &st, "list entries", err)) != DS_OK)
		return rc;
	sqlite3_bind_blob(st, 1, idx, sizeof(idx), SQLITE_TRANSIENT);
	return entry_rows(s, st, out, np, err);
}

enum ds_status
store_entry_get(struct store *s, const unsigned char id[STORE_ID_BYTES],
    struct store_entry *e, struct ds_err *err)
{
	sqlite3_stmt *st;
	enum ds_status rc;
	int r;

	memset(e, 0, sizeof(*e));
	if ((rc = store_ready(s, err)) != DS_OK ||
	    (rc = prep(s, ENTRY_SELECT " WHERE e.id = ?1", &st, "entry", err))
	    != DS_OK)
		return rc;
	sqlite3_bind_blob(st, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	if ((r = sqlite3_step(st)) == SQLITE_ROW)
		rc = entry_row(s, st, e, err);
	else if (r == SQLITE_DONE)
		rc = ds_err_set(err, DS_ENOENT, "no such entry");
	else
		rc = store_sql_err(s, r, "entry", err);
	sqlite3_finalize(st);
	if (rc != DS_OK)
		store_entry_clear(e);
	return rc;
}

enum ds_status
store_entry_find(struct store *s, const char *hexprefix,
    struct store_entry *e, struct ds_err *err)
{
	struct store_entry *v = NULL;
	char hex[2 * STORE_ID_BYTES + 1];
	size_t n = 0, i, k = strlen(hexprefix), found = 0, at = 0;
	enum ds_status rc;

	memset(e, 0, sizeof(*e));
	if (k < 4 || k > 2 * STORE_ID_BYTES)
		return ds_err_set(err, DS_EINVAL, "an entry id needs 4 to 32 "
		    "hex digits");
	if ((rc = store_entry_list(s, 0, &v, &n, err)) != DS_OK)
		return rc;
	for (i = 0; i < n; i++) {
		ds_hex_encode(v[i].entry_id, STORE_ID_BYTES, hex);
		if (strncasecmp(hex, hexprefix, k) == 0) {
			found++;
			at = i;
		}
	}
	if (found == 1) {
		*e = v[at];
		memset(&v[at], 0, sizeof(v[at]));
	}
	store_entries_free(v, n);
	if (found == 0)
		return ds_err_set(err, DS_ENOENT, "no entry %s", hexprefix);
	if (found > 1)
		return ds_err_set(err, DS_EINVAL, "several entries start with "
		    "%s", hexprefix);
	return DS_OK;
}

enum ds_status
store_entry_link(struct store *s, const unsigned char id[STORE_ID_BYTES],
    const unsigned char record_id[STORE_ID_BYTES], struct ds_err *err)
{
	sqlite3_stmt *st;
	enum ds_status rc;

	if ((rc = store_ready(s, err)) != DS_OK ||
	    (rc = prep(s, "UPDATE entry SET record_id = ?2 WHERE id = ?1",
	    &st, "link entry", err)) != DS_OK)
		return rc;
	sqlite3_bind_blob(st, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, record_id, STORE_ID_BYTES, SQLITE_STATIC);
	if ((rc = step_fin(s, st, "link entry", err)) != DS_OK)
		store_fail_write(s, rc);
	else if (sqlite3_changes(s->db) == 0)
		rc = ds_err_set(err, DS_ENOENT, "no such entry");
	return rc;
}

/* ---- a new data key (store_rekey) ---------------------------------------- */

/* One entry: id, body (old key) in; hh_idx, body (new key) out. */
static enum ds_status
rekey_entry(struct store *s, const struct store_keys *old,
    const unsigned char *okid, sqlite3_stmt *q, sqlite3_stmt *u,
    struct ds_err *err)
{
	const unsigned char *id = sqlite3_column_blob(q, 0);
	size_t ctlen = (size_t)sqlite3_column_bytes(q, 1);
	unsigned char idx[STORE_BLIND_BYTES], *pt = NULL, *ct = NULL;
	struct store_ad a;
	json_t *doc = NULL, *hh;
	enum ds_status rc;
	int r;

	if (sqlite3_column_bytes(q, 0) != STORE_ID_BYTES ||
	    ctlen <= CRY_AEAD_OVERHEAD ||
	    ctlen > STORE_ENTRY_MAX + CRY_AEAD_OVERHEAD)
		return ds_err_set(err, DS_ECORRUPT, "re-encrypt: a visit-list "
		    "entry is damaged: nothing was changed");
	if ((pt = cry_secure_alloc(ctlen)) == NULL ||
	    (ct = ds_malloc(ctlen)) == NULL) {
		rc = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	entry_ad(&a, okid, id);
	if (store_unseal(pt, sqlite3_column_blob(q, 1), ctlen, &a,
	    old->ent) != DS_OK) {
		rc = ds_err_set(err, DS_ECRYPTO, "re-encrypt: a visit-list "
		    "entry does not decrypt: nothing was changed");
		goto out;
	}
	if ((rc = ds_json_parse((const char *)pt, ctlen - CRY_AEAD_OVERHEAD,
	    STORE_ENTRY_MAX, "entry", &doc, err)) != DS_OK)
		goto out;
	hh = json_object_get(doc, "hh_key");
	if (!json_is_string(hh) || store_blind(s, STORE_KIND_HOUSEHOLD,
	    json_string_value(hh), idx) != 0) {
		rc = ds_err_set(err, DS_ECORRUPT, "re-encrypt: a visit-list "
		    "entry has no household key: nothing was changed");
		goto out;
	}
	entry_ad(&a, s->key_id, id);
	(void)store_seal(ct, pt, ctlen - CRY_AEAD_OVERHEAD, &a, s->k->ent);
	sqlite3_bind_blob(u, 1, id, STORE_ID_BYTES, SQLITE_TRANSIENT);
	sqlite3_bind_blob(u, 2, idx, sizeof(idx), SQLITE_STATIC);
	sqlite3_bind_blob(u, 3, ct, (int)ctlen, SQLITE_STATIC);
	r = sqlite3_step(u);
	sqlite3_reset(u);
	rc = r == SQLITE_DONE ? DS_OK : store_sql_err(s, r, "re-encrypt", err);
out:
	json_decref(doc);
	cry_secure_free(pt);
	ds_free(ct);
	return rc;
}

enum ds_status
store_entry_rekey(struct store *s, const struct store_keys *old,
    const unsigned char okid[CRY_KEYID_BYTES], struct ds_err *err)
{
	sqlite3_stmt *q = NULL, *u = NULL;
	enum ds_status rc = DS_OK;
	int r = SQLITE_DONE;

	/* rowid order: an update moves no row of this scan. */
	if ((rc = prep(s, "SELECT id, body FROM entry ORDER BY rowid", &q,
	    "re-encrypt", err)) != DS_OK ||
	    (rc = prep(s, "UPDATE entry SET hh_idx = ?2, body = ?3 WHERE "
	    "id = ?1", &u, "re-encrypt", err)) != DS_OK)
		goto out;
	while ((r = sqlite3_step(q)) == SQLITE_ROW &&
	    (rc = rekey_entry(s, old, okid, q, u, err)) == DS_OK)
		;
	if (rc == DS_OK && r != SQLITE_DONE)
		rc = store_sql_err(s, r, "re-encrypt", err);
out:
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	return rc;
}
