/* doorstep: saving records: revisions, finalizing, cursor, history, audit. */
/*
 * Every write here is one transaction (store_tx_begin .. store_tx_end) or
 * one statement, and leaves the store as it was on failure.  A save seals
 * the answers and the summary, writes the revision, the record row, the
 * next outbox row and the blind indexes that changed together, and
 * deletes the draft's deltas the revision now holds (store_delta.c); the
 * revision is its own "saved" audit event.
 */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "arr.h"
#include "cry.h"
#include "mem.h"
#include "store_int.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Saving                                                              */

static int
bad_text(const char *t, size_t max)
{
	return t == NULL || *t == '\0' || strlen(t) >= max;
}

/* Summary plaintext: six strings, each u16 LE length (0xffff = absent)
 * then bytes, then a flags byte (1: refused) and the answered count (u16
 * LE).  Returns the length written into buf. */
static size_t
summary_pack(const struct store_summary *sm, unsigned char *buf)
{
	const char *f[STORE_SUMMARY_STRINGS];
	size_t n = 0, l;
	unsigned a;
	int i;

	f[0] = sm ? sm->head_name : NULL;
	f[1] = sm ? sm->village : NULL;
	f[2] = sm ? sm->label : NULL;
	f[3] = sm ? sm->household_key : NULL;
	f[4] = sm ? sm->members : NULL;
	f[5] = sm ? sm->code : NULL;
	for (i = 0; i < STORE_SUMMARY_STRINGS; i++) {
		l = f[i] == NULL ? STORE_SUMMARY_NULL : strlen(f[i]);
		buf[n++] = (unsigned char)(l & 0xff);
		buf[n++] = (unsigned char)(l >> 8);
		if (f[i] != NULL) {
			memcpy(buf + n, f[i], l);
			n += l;
		}
	}
	a = sm != NULL && sm->answered > 0 ? (unsigned)sm->answered : 0;
	if (a > 0xffff)
		a = 0xffff;
	buf[n++] = sm != NULL && sm->refused ? 1 : 0;
	buf[n++] = (unsigned char)(a & 0xff);
	buf[n++] = (unsigned char)(a >> 8);
	return n;
}

static enum ds_status
save_check(const struct store_save *v, struct ds_err *err)
{
	size_t i;

	if (v->record_id == NULL || v->answers == NULL)
		return ds_err_set(err, DS_EINVAL, "save: record id and answers "
		    "are required");
	if (bad_text(v->form_id, STORE_FORM_ID_MAX) ||
	    bad_text(v->form_version, STORE_FORM_ID_MAX))
		return ds_err_set(err, DS_EINVAL, "save: form id and version "
		    "must be 1..%d bytes", STORE_FORM_ID_MAX - 1);
	if (v->answers_len > STORE_ANSWERS_MAX)
		return ds_err_set(err, DS_ELIMIT, "save: answers are %zu "
		    "bytes, limit %u", v->answers_len, STORE_ANSWERS_MAX);
	if (v->n_id_numbers > STORE_BLIND_MAX)
		return ds_err_set(err, DS_ELIMIT, "save: %zu ID numbers, "
		    "limit %d", v->n_id_numbers, STORE_BLIND_MAX);
	if (v->summary != NULL) {
		const char *f[STORE_SUMMARY_STRINGS] = {
		    v->summary->head_name, v->summary->village,
		    v->summary->label, v->summary->household_key,
		    v->summary->members, v->summary->code };

		for (i = 0; i < STORE_SUMMARY_STRINGS; i++)
			if (f[i] != NULL && strlen(f[i]) >= STORE_SUMMARY_MAX)
				return ds_err_set(err, DS_ELIMIT, "save: "
				    "summary text over %d bytes",
				    STORE_SUMMARY_MAX - 1);
	}
	return DS_OK;
}

static enum ds_status
blind_put(struct store *s, int kind, const unsigned char *idx,
    const unsigned char *rid, struct ds_err *err)
{
	sqlite3_stmt *b = store_stmt(s, Q_BLIND_INS);

	sqlite3_bind_int(b, 1, kind);
	sqlite3_bind_blob(b, 2, idx, STORE_BLIND_BYTES, SQLITE_TRANSIENT);
	sqlite3_bind_blob(b, 3, rid, STORE_ID_BYTES, SQLITE_STATIC);
	return store_step(s, Q_BLIND_INS, "save", err);
}

/* The last STORE_TAIL_SHORT and STORE_TAIL_LONG characters of an ID
 * number, each as a blind index of their own kind. */
static enum ds_status
save_tails(struct store *s, const char *val, const unsigned char *rid,
    struct ds_err *err)
{
	static const size_t tails[] = { STORE_TAIL_SHORT, STORE_TAIL_LONG };
	unsigned char idx[STORE_BLIND_BYTES];
	char norm[STORE_SUMMARY_MAX];
	enum ds_status st = DS_OK;
	size_t i, n;

	if (store_blind_normalize(val, norm, sizeof(norm)) != 0)
		return ds_err_set(err, DS_ELIMIT, "save: ID number too long");
	n = strlen(norm);
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]) && st == DS_OK;
	    i++) {
		if (n <= tails[i])
			continue;
		if (store_blind(s, STORE_KIND_IDTAIL, norm + n - tails[i],
		    idx) != 0)
			st = ds_err_set(err, DS_ELIMIT, "save: ID number too "
			    "long");
		else
			st = blind_put(s, STORE_KIND_IDTAIL, idx, rid, err);
	}
	cry_wipe(norm, sizeof(norm));
	return st;
}

/* One blind index of a record: its kind and keyed hash. */
struct blind_ent {
	int		kind;
	unsigned char	idx[STORE_BLIND_BYTES];
};

/* The household key, each ID number, and each one's two tails. */
#define BLIND_ENTS	(1 + 3 * STORE_BLIND_MAX)

static int
blind_add(struct blind_ent *e, size_t *n, int kind, const struct store *s,
    const char *val)
{
	e[*n].kind = kind;
	if (store_blind(s, kind, val, e[*n].idx) != 0)
		return -1;
	(*n)++;
	return 0;
}

/*
 * The blind indexes a save asks for: the household key, each ID number,
 * and each ID number's last STORE_TAIL_SHORT and STORE_TAIL_LONG
 * characters (a kind of their own), as store_blind_index writes them.
 * -1 if a value is too long.
 */
static int
blind_want(const struct store *s, const struct store_save *v,
    struct blind_ent *e, size_t *n)
{
	static const size_t tails[] = { STORE_TAIL_SHORT, STORE_TAIL_LONG };
	char norm[STORE_SUMMARY_MAX];
	const char *val;
	size_t i, t, l;
	int rc = 0;

	*n = 0;
	if (v->household_key != NULL && *v->household_key != '\0' &&
	    blind_add(e, n, STORE_KIND_HOUSEHOLD, s, v->household_key) != 0)
		return -1;
	for (i = 0; i < v->n_id_numbers && rc == 0; i++) {
		if ((val = v->id_numbers[i]) == NULL || *val == '\0')
			continue;
		if (blind_add(e, n, STORE_KIND_IDNUMBER, s, val) != 0 ||
		    store_blind_normalize(val, norm, sizeof(norm)) != 0) {
			rc = -1;
			break;
		}
		l = strlen(norm);
		for (t = 0; t < sizeof(tails) / sizeof(tails[0]); t++)
			if (l > tails[t] && blind_add(e, n, STORE_KIND_IDTAIL,
			    s, norm + l - tails[t]) != 0)
				rc = -1;
	}
	cry_wipe(norm, sizeof(norm));
	return rc;
}

static int
blind_has(const struct blind_ent *e, size_t n, int kind,
    const unsigned char *idx)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (e[i].kind == kind && memcmp(e[i].idx, idx,
		    STORE_BLIND_BYTES) == 0)
			return 1;
	return 0;
}

/*
 * Make the record's blind indexes what this save asks for, touching only
 * those that change: an answer that leaves the household key and the ID
 * numbers alone writes no page of the index.  Inside the save
 * transaction; exists: the record was there before it.
 */
static enum ds_status
save_blind(struct store *s, const struct store_save *v, int exists,
    struct ds_err *err)
{
	struct blind_ent want[BLIND_ENTS], have[BLIND_ENTS];
	size_t nw, nh = 0, i;
	enum ds_status st = DS_OK;
	sqlite3_stmt *b;
	int rc;

	if (blind_want(s, v, want, &nw) != 0)
		return ds_err_set(err, DS_ELIMIT, "save: household key or ID "
		    "number too long");
	if (exists) {
		b = store_stmt(s, Q_BLIND_GET);
		sqlite3_bind_blob(b, 1, v->record_id, STORE_ID_BYTES,
		    SQLITE_STATIC);
		while ((rc = sqlite3_step(b)) == SQLITE_ROW) {
			if (sqlite3_column_bytes(b, 1) != STORE_BLIND_BYTES)
				continue;
			if (nh == BLIND_ENTS) {
				rc = SQLITE_FULL;	/* never written so */
				break;
			}
			have[nh].kind = sqlite3_column_int(b, 0);
			memcpy(have[nh++].idx, sqlite3_column_blob(b, 1),
			    STORE_BLIND_BYTES);
		}
		sqlite3_reset(b);
		if (rc == SQLITE_FULL)
			return ds_err_set(err, DS_ECORRUPT, "save: the record "
			    "has more blind indexes than a save writes");
		if (rc != SQLITE_DONE)
			return store_sql_err(s, rc, "save", err);
		for (i = 0; i < nh && st == DS_OK; i++) {
			if (blind_has(want, nw, have[i].kind, have[i].idx))
				continue;
			b = store_stmt(s, Q_BLIND_DEL1);
			sqlite3_bind_int(b, 1, have[i].kind);
			sqlite3_bind_blob(b, 2, have[i].idx, STORE_BLIND_BYTES,
			    SQLITE_STATIC);
			sqlite3_bind_blob(b, 3, v->record_id, STORE_ID_BYTES,
			    SQLITE_STATIC);
			st = store_step(s, Q_BLIND_DEL1, "save", err);
		}
	}
	for (i = 0; i < nw && st == DS_OK; i++) {
		if (blind_has(have, nh, want[i].kind, want[i].idx))
			continue;
		st = blind_put(s, want[i].kind, want[i].idx, v->record_id,
		    err);
	}
	return st;
}

enum ds_status
store_blind_index(struct store *s, int kind, const char *val,
    const unsigned char *rid, struct ds_err *err)
{
	unsigned char idx[STORE_BLIND_BYTES];
	enum ds_status st;

	if (store_blind(s, kind, val, idx) != 0)
		return ds_err_set(err, DS_ELIMIT, "save: household key or ID "
		    "number too long");
	if ((st = blind_put(s, kind, idx, rid, err)) != DS_OK)
		return st;
	if (kind == STORE_KIND_IDNUMBER)
		return save_tails(s, val, rid, err);
	return DS_OK;
}

/* Append an audit event for record id.  Inside the caller's write. */
static enum ds_status
audit_put(struct store *s, const unsigned char *id, enum store_event ev,
    int64_t rev_no, struct ds_err *err)
{
	sqlite3_stmt *b = store_stmt(s, Q_AUDIT_INS);

	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(b, 2, ds_now());
	sqlite3_bind_int(b, 3, (int)ev);
	sqlite3_bind_int64(b, 4, rev_no);
	return store_step(s, Q_AUDIT_INS, "audit", err);
}

/* The body of store_save, inside BEGIN IMMEDIATE. */
static enum ds_status
save_tx(struct store *s, const struct store_save *v, struct store_rev *r,
    unsigned char *ct, unsigned char *sct, size_t slen, struct ds_err *err)
{
	char idt[STORE_UUID_TEXT];
	/* plaintext scratch after room for the sealed blob */
	unsigned char *sumpt = sct + slen + CRY_AEAD_OVERHEAD;
	sqlite3_stmt *b;
	enum ds_status st;
	struct store_ad ad;
	int64_t created = r->saved_at, status, deltas = 0;
	int rc, exists = 0;

	store_id_text(v->record_id, idt);
	b = store_stmt(s, Q_REC_GET);
	sqlite3_bind_blob(b, 1, v->record_id, STORE_ID_BYTES, SQLITE_STATIC);
	if ((rc = sqlite3_step(b)) == SQLITE_ROW) {
		exists = 1;
		if (strcmp((const char *)sqlite3_column_text(b, 0),
		    v->form_id) != 0) {
			sqlite3_reset(b);
			return ds_err_set(err, DS_ECONFLICT, "record %s belongs "
			    "to another form", idt);
		}
		r->rev_no = sqlite3_column_int64(b, 1) + 1;
		if (sqlite3_column_bytes(b, 2) == STORE_ID_BYTES)
			memcpy(r->parent_rev_id, sqlite3_column_blob(b, 2),
			    STORE_ID_BYTES);
		r->has_parent = 1;
		created = sqlite3_column_int64(b, 4);
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(b);
		return store_sql_err(s, rc, "save", err);
	}
	sqlite3_reset(b);
	/* The draft's deltas: the editor must have seen them all. */
	if (exists && (st = store_delta_top(s, v->record_id, &deltas,
	    err)) != DS_OK)
		return st;
	if (v->expect_rev != NULL && (!exists ||
	    memcmp(v->expect_rev, r->parent_rev_id, STORE_ID_BYTES) != 0 ||
	    deltas != v->expect_deltas))
		return ds_err_set(err, DS_ECONFLICT, "record %s was changed "
		    "since it was opened", idt);
	if (!exists)
		r->rev_no = 1;

	/* Seal answers and summary under AD from this row's metadata. */
	store_ad_answers(&ad, v->record_id, r->rev_no, v->form_id,
	    v->form_version, s->device_id, s->key_id);
	if (store_seal(ct, v->answers, v->answers_len, &ad, s->k->ans) !=
	    DS_OK)
		return ds_err_set(err, DS_ELIMIT, "save: associated data too "
		    "long");
	store_ad_summary(&ad, v->record_id, r->rev_no, s->key_id);
	slen = summary_pack(v->summary, sumpt);
	st = store_seal(sct, sumpt, slen, &ad, s->k->sum);
	cry_wipe(sumpt, slen);
	if (st != DS_OK)
		return ds_err_set(err, DS_ELIMIT, "save: associated data too "
		    "long");

	status = v->finalize ? STORE_FINALIZED : STORE_DRAFT;
	b = store_stmt(s, exists ? Q_REC_UPD : Q_REC_INS);
	sqlite3_bind_blob(b, 1, v->record_id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(b, 2, v->form_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(b, 3, v->form_version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(b, 4, status);
	sqlite3_bind_int64(b, 5, r->rev_no);
	sqlite3_bind_blob(b, 6, r->rev_id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(b, 7, created);
	sqlite3_bind_int64(b, 8, r->saved_at);
	sqlite3_bind_int(b, 9, v->summary ? v->summary->n_errors : 0);
	sqlite3_bind_int(b, 10, v->summary ? v->summary->n_warnings : 0);
	sqlite3_bind_blob(b, 11, sct, (int)(slen + CRY_AEAD_OVERHEAD),
	    SQLITE_STATIC);
	if ((st = store_step(s, exists ? Q_REC_UPD : Q_REC_INS, "save",
	    err)) != DS_OK)
		return st;

	b = store_stmt(s, Q_REV_INS);
	sqlite3_bind_blob(b, 1, r->rev_id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(b, 2, v->record_id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(b, 3, r->rev_no);
	if (r->has_parent)
		sqlite3_bind_blob(b, 4, r->parent_rev_id, STORE_ID_BYTES,
		    SQLITE_STATIC);
	sqlite3_bind_blob(b, 5, s->device_id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(b, 6, s->key_id, CRY_KEYID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(b, 7, v->form_version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(b, 8, r->saved_at);
	sqlite3_bind_int64(b, 9, (int64_t)v->answers_len);
	sqlite3_bind_blob(b, 10, ct, (int)(v->answers_len + CRY_AEAD_OVERHEAD),
	    SQLITE_STATIC);
	if ((st = store_step(s, Q_REV_INS, "save", err)) != DS_OK)
		return st;

	b = store_stmt(s, Q_OUT_INS);
	sqlite3_bind_blob(b, 1, v->record_id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(b, 2, r->rev_id, STORE_ID_BYTES, SQLITE_STATIC);
	if ((st = store_step(s, Q_OUT_INS, "save", err)) != DS_OK)
		return st;
	r->seq = sqlite3_last_insert_rowid(s->db);

	/* The new revision holds what the deltas said. */
	if (deltas > 0) {
		b = store_stmt(s, Q_DELTA_CLEAR);
		sqlite3_bind_blob(b, 1, v->record_id, STORE_ID_BYTES,
		    SQLITE_STATIC);
		if ((st = store_step(s, Q_DELTA_CLEAR, "save", err)) != DS_OK)
			return st;
	}
	/* No audit row: the revision is the "saved" event
	 * (store_audit_list). */
	if ((st = save_blind(s, v, exists, err)) != DS_OK)
		return st;
	if (v->finalize && (st = audit_put(s, v->record_id,
	    STORE_EV_FINALIZED, r->rev_no, err)) != DS_OK)
		return st;
	return DS_OK;
}

enum ds_status
store_save(struct store *s, const struct store_save *v, struct store_rev *out,
    struct ds_err *err)
{
	struct store_rev r;
	unsigned char *ct = NULL, *sct = NULL;
	size_t slen = STORE_SUMMARY_BYTES;
	enum ds_status st;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	if ((st = save_check(v, err)) != DS_OK)
		return st;
	memset(&r, 0, sizeof(r));
	memcpy(r.record_id, v->record_id, STORE_ID_BYTES);
	memcpy(r.device_id, s->device_id, STORE_ID_BYTES);
	cry_random(r.rev_id, STORE_ID_BYTES);
	r.saved_at = ds_now();
	snprintf(r.form_version, sizeof(r.form_version), "%s", v->form_version);
	r.answers_bytes = v->answers_len;
	/* ciphertext blobs; the summary buffer has plaintext scratch after */
	if ((ct = ds_malloc(v->answers_len + CRY_AEAD_OVERHEAD)) == NULL ||
	    (sct = ds_malloc(2 * (slen + CRY_AEAD_OVERHEAD))) == NULL) {
		ds_free(ct);
		return ds_err_set(err, DS_ENOMEM, "save: %s",
		    ds_status_str(DS_ENOMEM));
	}
	st = store_tx_begin(s, "save", err);
	if (st == DS_OK)
		st = save_tx(s, v, &r, ct, sct, slen, err);
	st = store_tx_end(s, st, "save", err);
	ds_free(ct);
	cry_wipe(sct, 2 * (slen + CRY_AEAD_OVERHEAD));
	ds_free(sct);
	if (st == DS_OK && out != NULL)
		*out = r;
	return st;
}

static enum ds_status	record_exists(struct store *, const unsigned char *,
			    int64_t *, struct ds_err *);

/*
 * Step and finalize b, an UPDATE of record id guarded by its revision:
 * no row changed means the record moved on (DS_ECONFLICT), or is gone.
 */
static enum ds_status
update_at_rev(struct store *s, sqlite3_stmt *b, const unsigned char *id,
    const char *what, struct ds_err *err)
{
	char idt[STORE_UUID_TEXT];
	enum ds_status st;
	int rc, changed;

	errno = 0;
	rc = sqlite3_step(b);
	st = rc == SQLITE_DONE ? DS_OK : store_sql_err_errno(s, rc, errno,
	    what, err);
	changed = sqlite3_changes(s->db);
	sqlite3_finalize(b);
	if (st != DS_OK) {
		store_fail_write(s, st);
		return st;
	}
	if (changed == 0) {
		if ((st = record_exists(s, id, NULL, err)) != DS_OK)
			return st;
		store_id_text(id, idt);
		return ds_err_set(err, DS_ECONFLICT, "record %s was changed "
		    "since it was opened", idt);
	}
	return DS_OK;
}

enum ds_status
store_summary_set(struct store *s, const unsigned char id[STORE_ID_BYTES],
    int64_t rev_no, const struct store_summary *sm, struct ds_err *err)
{
	unsigned char ct[STORE_SUMMARY_BYTES + CRY_AEAD_OVERHEAD];
	unsigned char pt[STORE_SUMMARY_BYTES];
	struct store_save chk;
	struct store_ad ad;
	sqlite3_stmt *b;
	enum ds_status st;
	size_t n;
	int rc;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	memset(&chk, 0, sizeof(chk));
	chk.record_id = id;
	chk.answers = "";
	chk.form_id = chk.form_version = "-";
	chk.summary = sm;
	if ((st = save_check(&chk, err)) != DS_OK)
		return st;
	store_ad_summary(&ad, id, rev_no, s->key_id);
	n = summary_pack(sm, pt);
	st = store_seal(ct, pt, n, &ad, s->k->sum);
	cry_wipe(pt, sizeof(pt));
	if (st != DS_OK)
		return ds_err_set(err, DS_ELIMIT, "summary: associated data "
		    "too long");
	rc = sqlite3_prepare_v2(s->db, "UPDATE record SET summary = ?2, "
	    "n_errors = ?3, n_warnings = ?4 WHERE id = ?1 AND rev_no = ?5",
	    -1, &b, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "save summary", err);
	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(b, 2, ct, (int)(n + CRY_AEAD_OVERHEAD),
	    SQLITE_STATIC);
	sqlite3_bind_int(b, 3, sm->n_errors);
	sqlite3_bind_int(b, 4, sm->n_warnings);
	sqlite3_bind_int64(b, 5, rev_no);
	return update_at_rev(s, b, id, "save summary", err);
}

/* DS_OK if record id exists (*rev_no, may be NULL: its current revision),
 * else DS_ENOENT naming it. */
static enum ds_status
record_exists(struct store *s, const unsigned char *id, int64_t *rev_no,
    struct ds_err *err)
{
	char idt[STORE_UUID_TEXT];
	sqlite3_stmt *b = store_stmt(s, Q_REC_GET);
	int rc;

	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(b);
	if (rc == SQLITE_ROW && rev_no != NULL)
		*rev_no = sqlite3_column_int64(b, 1);
	sqlite3_reset(b);
	if (rc == SQLITE_ROW)
		return DS_OK;
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "read record", err);
	store_id_text(id, idt);
	return ds_err_set(err, DS_ENOENT, "no record %s", idt);
}

enum ds_status
store_finalize(struct store *s, const unsigned char id[STORE_ID_BYTES],
    struct ds_err *err)
{
	sqlite3_stmt *b;
	enum ds_status st;
	int64_t rev_no = 0;
	int rc;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	if ((st = store_tx_begin(s, "finalize", err)) != DS_OK)
		return st;
	if ((st = record_exists(s, id, &rev_no, err)) == DS_OK) {
		rc = sqlite3_prepare_v2(s->db, "UPDATE record SET status = ?2 "
		    "WHERE id = ?1", -1, &b, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES,
			    SQLITE_STATIC);
			sqlite3_bind_int(b, 2, STORE_FINALIZED);
			rc = sqlite3_step(b);
			sqlite3_finalize(b);
		}
		if (rc != SQLITE_DONE && rc != SQLITE_OK)
			st = store_sql_err(s, rc, "finalize", err);
	}
	if (st == DS_OK)
		st = audit_put(s, id, STORE_EV_FINALIZED, rev_no, err);
	return store_tx_end(s, st, "finalize", err);
}

enum ds_status
store_discard(struct store *s, const unsigned char id[STORE_ID_BYTES],
    struct ds_err *err)
{
	sqlite3_stmt *b;
	enum ds_status st;
	int64_t rev_no = 0;
	int rc;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	if ((st = store_tx_begin(s, "discard", err)) != DS_OK)
		return st;
	if ((st = record_exists(s, id, &rev_no, err)) == DS_OK) {
		/* Only a draft: a mark on its row, nothing is deleted. */
		rc = sqlite3_prepare_v2(s->db, "UPDATE record SET discarded = 1 "
		    "WHERE id = ?1 AND status = ?2 AND discarded = 0", -1, &b,
		    NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES,
			    SQLITE_STATIC);
			sqlite3_bind_int(b, 2, STORE_DRAFT);
			rc = sqlite3_step(b);
			sqlite3_finalize(b);
		}
		if (rc != SQLITE_DONE && rc != SQLITE_OK)
			st = store_sql_err(s, rc, "discard", err);
		else if (sqlite3_changes(s->db) != 1)
			st = ds_err_set(err, DS_ESTATE, "discard: only a draft "
			    "can be discarded");
	}
	if (st == DS_OK)
		st = audit_put(s, id, STORE_EV_DISCARDED, rev_no, err);
	return store_tx_end(s, st, "discard", err);
}

/* ------------------------------------------------------------------ */
/* History                                                             */

enum ds_status
store_history(struct store *s, const unsigned char id[STORE_ID_BYTES],
    struct store_rev **revs, size_t *np, struct ds_err *err)
{
	struct store_rev *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *b;
	enum ds_status st;
	int rc;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	if ((st = record_exists(s, id, NULL, err)) != DS_OK)
		return st;
	rc = sqlite3_prepare_v2(s->db, "SELECT v.rev_id, v.parent_rev_id, "
	    "v.rev_no, v.saved_at, v.device_id, v.form_version, "
	    "v.answers_len, o.seq FROM revision v LEFT JOIN outbox o ON "
	    "o.rev_id = v.rev_id WHERE v.record_id = ?1 ORDER BY v.rev_no",
	    -1, &b, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "history", err);
	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	while ((rc = sqlite3_step(b)) == SQLITE_ROW) {
		struct store_rev *r;

		if ((st = ds_arr_grow(&v, &cap, n + 1, sizeof(*v),
		    STORE_HISTORY_CAP)) != DS_OK) {
			sqlite3_finalize(b);
			ds_free(v);
			return ds_err_set(err, st, "history: %s",
			    ds_status_str(st));
		}
		r = &v[n++];
		memset(r, 0, sizeof(*r));
		memcpy(r->record_id, id, STORE_ID_BYTES);
		if (sqlite3_column_bytes(b, 0) == STORE_ID_BYTES)
			memcpy(r->rev_id, sqlite3_column_blob(b, 0),
			    STORE_ID_BYTES);
		if (sqlite3_column_bytes(b, 1) == STORE_ID_BYTES) {
			memcpy(r->parent_rev_id, sqlite3_column_blob(b, 1),
			    STORE_ID_BYTES);
			r->has_parent = 1;
		}
		r->rev_no = sqlite3_column_int64(b, 2);
		r->saved_at = sqlite3_column_int64(b, 3);
		if (sqlite3_column_bytes(b, 4) == STORE_ID_BYTES)
			memcpy(r->device_id, sqlite3_column_blob(b, 4),
			    STORE_ID_BYTES);
		snprintf(r->form_version, sizeof(r->form_version), "%s",
		    (const char *)sqlite3_column_text(b, 5));
		r->answers_bytes = (size_t)sqlite3_column_int64(b, 6);
		r->seq = sqlite3_column_int64(b, 7);
	}
	sqlite3_finalize(b);
	if (rc != SQLITE_DONE) {
		ds_free(v);
		return store_sql_err(s, rc, "history", err);
	}
	*revs = v;
	*np = n;
	return DS_OK;
}

/* ------------------------------------------------------------------ */
/* Cursor: where the worker is, without a revision                     */

/*
 * One UPDATE of the record row, guarded by rev_no so that a cursor never
 * lands on a revision it was not set on.  It touches neither revision nor
 * outbox, so moving around a form sends nothing to the office.
 */
enum ds_status
store_cursor_set(struct store *s, const unsigned char id[STORE_ID_BYTES],
    int64_t rev_no, const char *text, size_t len, struct ds_err *err)
{
	unsigned char ct[STORE_CURSOR_MAX + CRY_AEAD_OVERHEAD];
	sqlite3_stmt *b;
	enum ds_status st;
	struct store_ad ad;
	int rc;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	if (text == NULL || len == 0 || len > STORE_CURSOR_MAX)
		return ds_err_set(err, DS_EINVAL, "cursor: 1..%d bytes",
		    STORE_CURSOR_MAX);
	store_ad_cursor(&ad, id, rev_no, s->key_id);
	if (store_seal(ct, text, len, &ad, s->k->cur) != DS_OK)
		return ds_err_set(err, DS_ELIMIT, "save cursor: associated "
		    "data too long");
	rc = sqlite3_prepare_v2(s->db, "UPDATE record SET cursor = ?2, "
	    "cursor_rev = ?3 WHERE id = ?1 AND rev_no = ?3", -1, &b, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "save cursor", err);
	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(b, 2, ct, (int)(len + CRY_AEAD_OVERHEAD),
	    SQLITE_STATIC);
	sqlite3_bind_int64(b, 3, rev_no);
	return update_at_rev(s, b, id, "save cursor", err);
}

enum ds_status
store_cursor_get(struct store *s, const unsigned char id[STORE_ID_BYTES],
    char **text, size_t *lenp, struct ds_err *err)
{
	char idt[STORE_UUID_TEXT], *pt;
	sqlite3_stmt *b;
	enum ds_status st;
	struct store_ad ad;
	size_t ctlen;
	int64_t cur_rev;
	int rc;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	store_id_text(id, idt);
	rc = sqlite3_prepare_v2(s->db, "SELECT rev_no, cursor_rev, cursor "
	    "FROM record WHERE id = ?1", -1, &b, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "read cursor", err);
	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	if ((rc = sqlite3_step(b)) != SQLITE_ROW) {
		sqlite3_finalize(b);
		return rc == SQLITE_DONE ? ds_err_set(err, DS_ENOENT, "no "
		    "record %s", idt) : store_sql_err(s, rc, "read cursor",
		    err);
	}
	cur_rev = sqlite3_column_int64(b, 1);
	/* None yet, or set before the current revision: that one's own
	 * cursor is newer. */
	if (sqlite3_column_type(b, 2) == SQLITE_NULL ||
	    sqlite3_column_type(b, 1) == SQLITE_NULL ||
	    cur_rev != sqlite3_column_int64(b, 0)) {
		sqlite3_finalize(b);
		*text = NULL;
		if (lenp != NULL)
			*lenp = 0;
		return DS_OK;
	}
	ctlen = (size_t)sqlite3_column_bytes(b, 2);
	if (ctlen <= CRY_AEAD_OVERHEAD ||
	    ctlen > STORE_CURSOR_MAX + CRY_AEAD_OVERHEAD) {
		sqlite3_finalize(b);
		return ds_err_set(err, DS_ECORRUPT, "record %s: stored cursor "
		    "is damaged", idt);
	}
	if ((pt = ds_malloc(ctlen - CRY_AEAD_OVERHEAD + 1)) == NULL) {
		sqlite3_finalize(b);
		return ds_err_set(err, DS_ENOMEM, "read cursor: %s",
		    ds_status_str(DS_ENOMEM));
	}
	store_ad_cursor(&ad, id, cur_rev, s->key_id);
	if (store_unseal(pt, sqlite3_column_blob(b, 2), ctlen, &ad,
	    s->k->cur) != DS_OK) {
		sqlite3_finalize(b);
		ds_free(pt);
		return ds_err_set(err, DS_ECRYPTO, "record %s: cursor does not "
		    "decrypt: the stored data was altered or moved", idt);
	}
	sqlite3_finalize(b);
	pt[ctlen - CRY_AEAD_OVERHEAD] = '\0';
	*text = pt;
	if (lenp != NULL)
		*lenp = ctlen - CRY_AEAD_OVERHEAD;
	return DS_OK;
}

/* ------------------------------------------------------------------ */
/* Audit                                                               */

enum ds_status
store_audit_add(struct store *s, const unsigned char id[STORE_ID_BYTES],
    enum store_event ev, struct ds_err *err)
{
	enum ds_status st;
	int64_t rev_no = 0;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	if ((st = record_exists(s, id, &rev_no, err)) != DS_OK)
		return st;
	if ((st = audit_put(s, id, ev, rev_no, err)) != DS_OK)
		store_fail_write(s, st);
	return st;
}

enum ds_status
store_audit_list(struct store *s, const unsigned char id[STORE_ID_BYTES],
    struct store_audit **out, size_t *np, struct ds_err *err)
{
	struct store_audit *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *b;
	enum ds_status st;
	int rc;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	if ((st = record_exists(s, id, NULL, err)) != DS_OK)
		return st;
	/*
	 * Each revision is its "saved" event, at its saved_at (stores of
	 * schema 5 and before also wrote an audit row for it: skipped).
	 * Every other event carries the revision current when it happened,
	 * so (rev_no, the save first, then audit order) is the order they
	 * happened in.
	 */
	rc = sqlite3_prepare_v2(s->db, "SELECT at, event, rev_no FROM ("
	    "SELECT saved_at AS at, ?2 AS event, rev_no, 0 AS k, 0 AS id "
	    "FROM revision WHERE record_id = ?1 UNION ALL SELECT at, event, "
	    "rev_no, 1, id FROM audit WHERE record_id = ?1 AND event != ?2) "
	    "ORDER BY rev_no, k, id", -1, &b, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "audit", err);
	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(b, 2, STORE_EV_SAVED);
	while ((rc = sqlite3_step(b)) == SQLITE_ROW) {
		if ((st = ds_arr_grow(&v, &cap, n + 1, sizeof(*v),
		    STORE_HISTORY_CAP)) != DS_OK) {
			sqlite3_finalize(b);
			ds_free(v);
			return ds_err_set(err, st, "audit: %s",
			    ds_status_str(st));
		}
		v[n].at = sqlite3_column_int64(b, 0);
		v[n].event = (enum store_event)sqlite3_column_int(b, 1);
		v[n].rev_no = sqlite3_column_int64(b, 2);
		n++;
	}
	sqlite3_finalize(b);
	if (rc != SQLITE_DONE) {
		ds_free(v);
		return store_sql_err(s, rc, "audit", err);
	}
	*out = v;
	*np = n;
	return DS_OK;
}
