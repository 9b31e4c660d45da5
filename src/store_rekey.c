/* doorstep: re-encrypt the record store under a new data key. */
/*
 * Issue 13, finding 5: a new passphrase alone re-wraps the same data key,
 * so an old copy of the keyring and the old passphrase still open what is
 * saved later.  store_rekey moves every value sealed under the data key to
 * a new one in ONE transaction -- each revision's answers, each record's
 * summary and cursor, the visit-list entries (store_entry.c), the key
 * check -- and rebuilds the blind indexes, whose keys come from the data
 * key too.  A crash leaves the store wholly under the old key or wholly
 * under the new one (ws.c keeps both keys reachable until the keyring
 * says which).
 *
 * A blind index is a keyed hash of a household key or an ID number; the
 * store keeps no plaintext to hash again.  The values are among the
 * record's answers (the session hashed answers the form names), so every
 * string and number in the current answers, and the household key of the
 * summary, is hashed under the old key: those that match an old index are
 * hashed again under the new one.  The matching reproduces exactly the set
 * the last save made, with no form and no engine.  An index that matches
 * none (a value the session took from elsewhere) is dropped and counted:
 * the record is found by it again after its next save; nothing is lost.
 */
#include "store.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "json.h"
#include "mem.h"
#include "store_int.h"
#include "util.h"

#define REKEY_OLD_MAX	256	/* blind rows of one record considered */

/* The old indexes of one record, and which were found again. */
struct oldidx {
	int		kind[REKEY_OLD_MAX];
	unsigned char	idx[REKEY_OLD_MAX][STORE_BLIND_BYTES];
	int		found[REKEY_OLD_MAX];
	size_t		n;
};

struct rekey {
	struct store		*s;
	struct store_keys	*old;
	unsigned char		 okid[CRY_KEYID_BYTES];
	struct oldidx		*oi;
	const unsigned char	*rid;
	enum ds_status		 st;
	struct ds_err		*err;
};

/* A value from the answers: index it again if it was indexed. */
static void
candidate(struct rekey *r, const char *v)
{
	unsigned char h[STORE_BLIND_BYTES];
	static const int kinds[] = { STORE_KIND_HOUSEHOLD,
	    STORE_KIND_IDNUMBER };
	size_t i, k;

	if (r->st != DS_OK || *v == '\0')
		return;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (store_blind_with(r->old, kinds[k], v, h) != 0)
			return;		/* too long to have been indexed */
		for (i = 0; i < r->oi->n; i++)
			if (!r->oi->found[i] && r->oi->kind[i] == kinds[k] &&
			    memcmp(r->oi->idx[i], h, sizeof(h)) == 0)
				break;
		if (i == r->oi->n)
			continue;
		r->oi->found[i] = 1;
		r->st = store_blind_index(r->s, kinds[k], v, r->rid, r->err);
	}
}

static void
walk(struct rekey *r, json_t *j)
{
	void *it;
	size_t i;
	char num[64];

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		for (it = json_object_iter(j); it != NULL;
		    it = json_object_iter_next(j, it))
			walk(r, json_object_iter_value(it));
		break;
	case JSON_ARRAY:
		for (i = 0; i < json_array_size(j); i++)
			walk(r, json_array_get(j, i));
		break;
	case JSON_STRING:
		candidate(r, json_string_value(j));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(j));
		candidate(r, num);
		break;
	default:
		break;
	}
}

/* The household key of a summary (its fourth string), or "". */
static void
summary_hh(const unsigned char *p, size_t n, char *out, size_t cap)
{
	size_t off = 0, l = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < 4; i++) {
		if (off + 2 > n)
			return;
		l = (size_t)p[off] | (size_t)p[off + 1] << 8;
		off += 2;
		if (l == STORE_SUMMARY_NULL)
			l = 0;
		if (off + l > n)
			return;
		if (i < 3)
			off += l;
	}
	if (l < cap) {
		memcpy(out, p + off, l);
		out[l] = '\0';
	}
}

/* Open an old sealed value (pt: ctlen - overhead bytes) or say which. */
static enum ds_status
reopen(void *pt, const void *ct, size_t ctlen, const struct store_ad *ad,
    const unsigned char *key, const char *what, const unsigned char *rid,
    struct ds_err *err)
{
	char idt[STORE_UUID_TEXT];

	if (ctlen < CRY_AEAD_OVERHEAD || store_unseal(pt, ct, ctlen, ad, key) !=
	    DS_OK) {
		store_id_text(rid, idt);
		return ds_err_set(err, DS_ECRYPTO, "record %s: %s does not "
		    "decrypt: nothing was changed", idt, what);
	}
	return DS_OK;
}

/* One record: its blind indexes again, its summary and cursor resealed. */
static enum ds_status
rekey_record(struct store *s, struct store_keys *old,
    const unsigned char *okid, sqlite3_stmt *row, struct oldidx *oi,
    size_t *lost, struct ds_err *err)
{
	unsigned char rid[STORE_ID_BYTES], *sum = NULL, *cur = NULL;
	unsigned char *sct = NULL, *cct = NULL;
	char hh[STORE_SUMMARY_MAX + 1];
	struct store_ad ad;
	struct rekey r;
	sqlite3_stmt *b = NULL;
	json_t *doc = NULL;
	char *answers = NULL;
	size_t slen, clen = 0, i, alen = 0;
	int64_t rev_no, cur_rev;
	enum ds_status st;
	int rc, has_cur;

	if (sqlite3_column_bytes(row, 0) != STORE_ID_BYTES)
		return ds_err_set(err, DS_ECORRUPT, "re-encrypt: bad record "
		    "id");
	memcpy(rid, sqlite3_column_blob(row, 0), STORE_ID_BYTES);
	rev_no = sqlite3_column_int64(row, 1);
	slen = (size_t)sqlite3_column_bytes(row, 2);
	has_cur = sqlite3_column_type(row, 3) != SQLITE_NULL;
	clen = has_cur ? (size_t)sqlite3_column_bytes(row, 3) : 0;
	cur_rev = sqlite3_column_int64(row, 4);
	if (slen < CRY_AEAD_OVERHEAD || slen > STORE_SUMMARY_BYTES +
	    CRY_AEAD_OVERHEAD || (has_cur && (clen <= CRY_AEAD_OVERHEAD ||
	    clen > STORE_CURSOR_MAX + CRY_AEAD_OVERHEAD)))
		return ds_err_set(err, DS_ECORRUPT, "re-encrypt: a stored "
		    "summary or cursor is damaged");
	if ((sum = cry_secure_alloc(slen)) == NULL ||
	    (sct = ds_malloc(slen)) == NULL ||
	    (has_cur && ((cur = cry_secure_alloc(clen)) == NULL ||
	    (cct = ds_malloc(clen)) == NULL))) {
		st = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	/* Summary and cursor: old key in, new key out. */
	store_ad_summary(&ad, rid, rev_no, okid);
	if ((st = reopen(sum, sqlite3_column_blob(row, 2), slen, &ad,
	    old->sum, "summary", rid, err)) != DS_OK)
		goto out;
	store_ad_summary(&ad, rid, rev_no, s->key_id);
	(void)store_seal(sct, sum, slen - CRY_AEAD_OVERHEAD, &ad, s->k->sum);
	if (has_cur) {
		store_ad_cursor(&ad, rid, cur_rev, okid);
		if ((st = reopen(cur, sqlite3_column_blob(row, 3), clen, &ad,
		    old->cur, "cursor", rid, err)) != DS_OK)
			goto out;
		store_ad_cursor(&ad, rid, cur_rev, s->key_id);
		(void)store_seal(cct, cur, clen - CRY_AEAD_OVERHEAD, &ad,
		    s->k->cur);
	}
	/* The old indexes of the record. */
	memset(oi, 0, sizeof(*oi));
	if ((rc = sqlite3_prepare_v2(s->db, "SELECT kind, idx FROM blind WHERE "
	    "record_id = ?1 AND kind IN (1, 2)", -1, &b, NULL)) != SQLITE_OK) {
		st = store_sql_err(s, rc, "re-encrypt", err);
		goto out;
	}
	sqlite3_bind_blob(b, 1, rid, STORE_ID_BYTES, SQLITE_STATIC);
	while ((rc = sqlite3_step(b)) == SQLITE_ROW && oi->n < REKEY_OLD_MAX)
		if (sqlite3_column_bytes(b, 1) == STORE_BLIND_BYTES) {
			oi->kind[oi->n] = sqlite3_column_int(b, 0);
			memcpy(oi->idx[oi->n++], sqlite3_column_blob(b, 1),
			    STORE_BLIND_BYTES);
		}
	sqlite3_finalize(b);
	b = NULL;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		st = store_sql_err(s, rc, "re-encrypt", err);
		goto out;
	}
	/* The current answers, under the old key (the revision rows are
	 * resealed after every record). */
	if (oi->n > 0) {
		struct store_keys *cur_k = s->k;
		unsigned char ck[CRY_KEYID_BYTES];

		/* store_answers_get reads under the store's keys: the old
		 * ones for this one call. */
		memcpy(ck, s->key_id, sizeof(ck));
		s->k = old;
		memcpy(s->key_id, okid, CRY_KEYID_BYTES);
		st = store_answers_get(s, rid, 0, &answers, &alen, err);
		s->k = cur_k;
		memcpy(s->key_id, ck, sizeof(ck));
		if (st != DS_OK)
			goto out;
		if ((st = ds_json_parse(answers, alen, alen + 1, "answers",
		    &doc, err)) != DS_OK)
			goto out;
	}
	b = store_stmt(s, Q_BLIND_DEL);
	sqlite3_bind_blob(b, 1, rid, STORE_ID_BYTES, SQLITE_STATIC);
	b = NULL;
	if ((st = store_step(s, Q_BLIND_DEL, "re-encrypt", err)) != DS_OK)
		goto out;
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.old = old;
	memcpy(r.okid, okid, sizeof(r.okid));
	r.oi = oi;
	r.rid = rid;
	r.st = DS_OK;
	r.err = err;
	if (doc != NULL)
		walk(&r, doc);
	/* The household key as the list shows it, too. */
	summary_hh(sum, slen - CRY_AEAD_OVERHEAD, hh, sizeof(hh));
	if (oi->n > 0)
		candidate(&r, hh);
	if ((st = r.st) != DS_OK)
		goto out;
	for (i = 0; i < oi->n; i++)
		*lost += !oi->found[i];
	if ((rc = sqlite3_prepare_v2(s->db, "UPDATE record SET summary = ?2, "
	    "cursor = ?3 WHERE id = ?1", -1, &b, NULL)) != SQLITE_OK) {
		st = store_sql_err(s, rc, "re-encrypt", err);
		goto out;
	}
	sqlite3_bind_blob(b, 1, rid, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(b, 2, sct, (int)slen, SQLITE_STATIC);
	if (has_cur)
		sqlite3_bind_blob(b, 3, cct, (int)clen, SQLITE_STATIC);
	else
		sqlite3_bind_null(b, 3);
	rc = sqlite3_step(b);
	st = rc == SQLITE_DONE ? DS_OK : store_sql_err(s, rc, "re-encrypt",
	    err);
out:
	if (b != NULL)
		sqlite3_finalize(b);
	json_decref(doc);
	if (answers != NULL)
		store_text_free(answers, alen);
	cry_wipe(hh, sizeof(hh));
	cry_secure_free(sum);
	cry_secure_free(cur);
	ds_free(sct);
	ds_free(cct);
	return st;
}

/* Every revision's answers: old key in, new key (and key id) out. */
static enum ds_status
rekey_revisions(struct store *s, const struct store_keys *old,
    const unsigned char *okid, struct ds_err *err)
{
	sqlite3_stmt *q = NULL, *u = NULL;
	struct store_ad ad;
	unsigned char *pt = NULL, *ct = NULL;
	const unsigned char *rid, *rec, *dev;
	size_t ctlen;
	enum ds_status st = DS_OK;
	int rc;

	/* rowid order: updating answers moves no row of this scan. */
	if ((rc = sqlite3_prepare_v2(s->db, "SELECT v.rev_id, v.record_id, "
	    "v.rev_no, r.form_id, v.form_version, v.device_id, v.key_id, "
	    "v.answers FROM revision v JOIN record r ON r.id = v.record_id "
	    "ORDER BY v.rowid", -1, &q, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v2(s->db, "UPDATE revision SET key_id = ?2, "
	    "answers = ?3 WHERE rev_id = ?1", -1, &u, NULL)) != SQLITE_OK) {
		st = store_sql_err(s, rc, "re-encrypt", err);
		goto out;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		rid = sqlite3_column_blob(q, 0);
		rec = sqlite3_column_blob(q, 1);
		dev = sqlite3_column_blob(q, 5);
		ctlen = (size_t)sqlite3_column_bytes(q, 7);
		if (sqlite3_column_bytes(q, 0) != STORE_ID_BYTES ||
		    sqlite3_column_bytes(q, 1) != STORE_ID_BYTES ||
		    sqlite3_column_bytes(q, 5) != STORE_ID_BYTES ||
		    sqlite3_column_bytes(q, 6) != CRY_KEYID_BYTES ||
		    memcmp(sqlite3_column_blob(q, 6), okid, CRY_KEYID_BYTES) !=
		    0 || ctlen < CRY_AEAD_OVERHEAD) {
			st = ds_err_set(err, DS_ECORRUPT, "re-encrypt: a "
			    "stored revision is damaged or under another key: "
			    "nothing was changed");
			break;
		}
		if ((pt = cry_secure_alloc(ctlen)) == NULL ||
		    (ct = ds_malloc(ctlen)) == NULL) {
			st = ds_err_set(err, DS_ENOMEM, NULL);
			break;
		}
		store_ad_answers(&ad, rec, sqlite3_column_int64(q, 2),
		    (const char *)sqlite3_column_text(q, 3),
		    (const char *)sqlite3_column_text(q, 4), dev, okid);
		if ((st = reopen(pt, sqlite3_column_blob(q, 7), ctlen, &ad,
		    old->ans, "answers", rec, err)) != DS_OK)
			break;
		store_ad_answers(&ad, rec, sqlite3_column_int64(q, 2),
		    (const char *)sqlite3_column_text(q, 3),
		    (const char *)sqlite3_column_text(q, 4), dev, s->key_id);
		(void)store_seal(ct, pt, ctlen - CRY_AEAD_OVERHEAD, &ad,
		    s->k->ans);
		sqlite3_bind_blob(u, 1, rid, STORE_ID_BYTES, SQLITE_TRANSIENT);
		sqlite3_bind_blob(u, 2, s->key_id, CRY_KEYID_BYTES,
		    SQLITE_STATIC);
		sqlite3_bind_blob(u, 3, ct, (int)ctlen, SQLITE_STATIC);
		rc = sqlite3_step(u);
		sqlite3_reset(u);
		cry_secure_free(pt);
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
	cry_secure_free(pt);
	ds_free(ct);
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	return st;
}

static enum ds_status
rekey_all(struct store *s, struct store_keys *old,
    const unsigned char *okid, size_t *lost, struct ds_err *err)
{
	struct oldidx *oi;
	sqlite3_stmt *q = NULL;
	enum ds_status st = DS_OK;
	int rc;

	if ((oi = ds_malloc(sizeof(*oi))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if ((rc = sqlite3_prepare_v2(s->db, "SELECT id, rev_no, summary, "
	    "cursor, cursor_rev FROM record ORDER BY rowid", -1, &q, NULL)) !=
	    SQLITE_OK)
		st = store_sql_err(s, rc, "re-encrypt", err);
	while (st == DS_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
		st = rekey_record(s, old, okid, q, oi, lost, err);
	if (st == DS_OK && rc != SQLITE_DONE)
		st = store_sql_err(s, rc, "re-encrypt", err);
	sqlite3_finalize(q);
	ds_free(oi);
	if (st == DS_OK)
		st = rekey_revisions(s, old, okid, err);
	if (st == DS_OK)
		st = store_entry_rekey(s, old, okid, err);
	if (st == DS_OK)
		st = store_attach_rekey(s, old, okid, err);
	if (st == DS_OK)
		st = store_delta_rekey(s, old, okid, err);
	if (st == DS_OK)
		st = store_key_check_write(s, err);
	return st;
}

enum ds_status
store_rekey(struct store *s, const unsigned char dek[CRY_KEY_BYTES],
    size_t *lost, struct ds_err *err)
{
	struct store_keys *old, *nk;
	unsigned char okid[CRY_KEYID_BYTES];
	enum ds_status st;
	size_t nlost = 0;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	if ((nk = cry_secure_alloc(sizeof(*nk))) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure "
		    "memory");
	store_keys_derive(nk, dek);
	old = s->k;
	memcpy(okid, s->key_id, sizeof(okid));
	if ((st = store_tx_begin(s, "re-encrypt", err)) != DS_OK) {
		cry_secure_free(nk);
		return st;
	}
	/* From here the store's keys are the new ones; `old` opens. */
	s->k = nk;
	cry_dek_key_id(dek, s->key_id);
	st = rekey_all(s, old, okid, &nlost, err);
	if ((st = store_tx_end(s, st, "re-encrypt", err)) != DS_OK) {
		s->k = old;
		memcpy(s->key_id, okid, sizeof(okid));
		cry_secure_free(nk);
		return st;
	}
	cry_secure_free(old);
	if (lost != NULL)
		*lost = nlost;
	/* Old ciphertext leaves the WAL; secure_delete already overwrote
	 * the pages it left in the file. */
	if (s->db != NULL)
		(void)sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)",
		    NULL, NULL, NULL);
	return DS_OK;
}
