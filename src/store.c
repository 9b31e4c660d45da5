/* doorstep: the encrypted record store on SQLite. */
/*
 * This file opens and closes the store and holds what its other files
 * share (store_int.h): connection settings, statement and transaction
 * helpers, error mapping, canonical AD and sealing, ids, meta and checks.
 * Invariants of the whole store:
 * - only ciphertext, random ids, numbers, form ids, blind indexes and times
 *   are bound into SQL; every plaintext buffer is wiped before it is freed;
 * - every AD is rebuilt from trusted row metadata at open time, never read
 *   from the blob (docs/storage.md gives the layouts);
 * - each public call that writes is one transaction and leaves the store as
 *   it was on failure; an I/O error closes and reopens the connection, so a
 *   failed fsync is never retried on the same descriptor;
 * - the schema changes only through the migration list (store_schema.c).
 * It does not know what a form is: summary strings and the household key
 * come from the caller.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cry.h"
#include "mem.h"
#include "store_int.h"
#include "util.h"

/* SQL of the prepared statements (enum store_stmt in store_int.h). */
static const char *const stmt_sql[Q_COUNT] = {
	"BEGIN IMMEDIATE",
	"BEGIN",
	"COMMIT",
	"ROLLBACK",
	"SELECT form_id, rev_no, rev_id, status, created_at FROM record "
	    "WHERE id = ?1",
	"INSERT INTO record (id, form_id, form_version, status, rev_no, "
	    "rev_id, created_at, saved_at, n_errors, n_warnings, summary) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	"UPDATE record SET form_version = ?3, status = ?4, rev_no = ?5, "
	    "rev_id = ?6, saved_at = ?8, n_errors = ?9, n_warnings = ?10, "
	    "summary = ?11 WHERE id = ?1",
	"INSERT INTO revision (rev_id, record_id, rev_no, parent_rev_id, "
	    "device_id, key_id, form_version, saved_at, answers_len, answers) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	/* the next seq: past every row and the floor (store_schema.c 6) */
	"INSERT INTO outbox (seq, record_id, rev_id) VALUES (max("
	    "(SELECT coalesce(max(seq), 0) FROM outbox), (SELECT coalesce("
	    "(SELECT v FROM meta WHERE k = 'seq_floor'), 0))) + 1, ?1, ?2)",
	"DELETE FROM blind WHERE record_id = ?1",
	"INSERT OR IGNORE INTO blind (kind, idx, record_id) VALUES (?1, ?2, ?3)",
	"SELECT kind, idx FROM blind WHERE record_id = ?1",
	"DELETE FROM blind WHERE kind = ?1 AND idx = ?2 AND record_id = ?3",
	"INSERT INTO audit (record_id, at, event, rev_no) VALUES (?1, ?2, ?3, ?4)",
	"SELECT r.form_id, v.rev_no, v.form_version, v.device_id, v.key_id, "
	    "v.answers_len, v.answers FROM revision v JOIN record r "
	    "ON r.id = v.record_id WHERE v.record_id = ?1 AND v.rev_no = "
	    "CASE WHEN ?2 = 0 THEN r.rev_no ELSE ?2 END",
	"SELECT seq FROM outbox WHERE rev_id = ?1",
	"SELECT coalesce(max(seq), 0) FROM delta WHERE record_id = ?1",
	"INSERT INTO delta (record_id, seq, rev_no, body) VALUES (?1, ?2, ?3, "
	    "?4)",
	"DELETE FROM delta WHERE record_id = ?1",
};

/* ------------------------------------------------------------------ */
/* Errors                                                              */

enum ds_status
store_sql_err_errno(struct store *s, int rc, int hint, const char *what,
    struct ds_err *err)
{
	int prim = rc & 0xff, e = sqlite3_system_errno(s->db);

	const char *m = sqlite3_errmsg(s->db);

	/* Debian's SQLite does not always record the errno of a failed
	 * write (IOERR_WRITE on EFBIG); the caller's errno then tells. */
	if (e == 0)
		e = hint;
	if (prim == SQLITE_FULL || (prim == SQLITE_IOERR && (e == ENOSPC ||
	    e == EFBIG
#ifdef EDQUOT
	    || e == EDQUOT
#endif
	    )))
		return ds_err_set(err, DS_ENOSPC,
		    "disk full: %s failed, nothing was saved (%s)", what, m);
	switch (prim) {
	case SQLITE_NOMEM:
		return ds_err_set(err, DS_ENOMEM, "%s: out of memory", what);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ds_err_set(err, DS_EBUSY, "%s: database is busy (%s)",
		    what, m);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return ds_err_set(err, DS_ECORRUPT, "%s: database is corrupt "
		    "(%s)", what, m);
	case SQLITE_CONSTRAINT:
		return ds_err_set(err, DS_ECONSTRAINT, "%s: %s", what, m);
	case SQLITE_IOERR:
		return ds_err_set(err, DS_EIO, "%s: i/o error (%s)", what, m);
	default:
		return ds_err_set(err, DS_EIO, "%s: %s", what, m);
	}
}

enum ds_status
store_sql_err(struct store *s, int rc, const char *what, struct ds_err *err)
{
	return store_sql_err_errno(s, rc, 0, what, err);
}

sqlite3_stmt *
store_stmt(struct store *s, enum store_stmt i)
{
	sqlite3_reset(s->q[i]);
	sqlite3_clear_bindings(s->q[i]);
	return s->q[i];
}

enum ds_status
store_step(struct store *s, enum store_stmt i, const char *what,
    struct ds_err *err)
{
	int rc, e;
	enum ds_status st = DS_OK;

	errno = 0;
	rc = sqlite3_step(s->q[i]);
	e = errno;
	/* Before the reset, which may clear the system errno. */
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		st = store_sql_err_errno(s, rc, e, what, err);
	sqlite3_reset(s->q[i]);
	return st;
}

enum ds_status
store_exec(struct store *s, const char *sql, const char *what,
    struct ds_err *err)
{
	int rc, e;

	errno = 0;
	rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	e = errno;
	if (rc != SQLITE_OK)
		return store_sql_err_errno(s, rc, e, what, err);
	return DS_OK;
}

int64_t
store_query_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* ------------------------------------------------------------------ */
/* Transactions                                                        */

enum ds_status
store_tx_begin(struct store *s, const char *what, struct ds_err *err)
{
	return store_step(s, Q_BEGIN, what, err);
}

void
store_tx_rollback(struct store *s)
{
	if (sqlite3_get_autocommit(s->db) == 0) {
		sqlite3_reset(s->q[Q_ROLLBACK]);
		(void)sqlite3_step(s->q[Q_ROLLBACK]);
		sqlite3_reset(s->q[Q_ROLLBACK]);
	}
}

void
store_fail_write(struct store *s, enum ds_status st)
{
	struct ds_err e2;

	store_tx_rollback(s);
	if (st == DS_EIO || st == DS_ENOSPC) {
		store_db_close(s);
		(void)store_db_open(s, &e2);	/* the next call reports */
	}
}

enum ds_status
store_tx_end(struct store *s, enum ds_status st, const char *what,
    struct ds_err *err)
{
	if (st == DS_OK)
		st = store_step(s, Q_COMMIT, what, err);
	if (st != DS_OK)
		store_fail_write(s, st);
	return st;
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

const char *
store_status_name(enum store_status st)
{
	switch (st) {
	case STORE_DRAFT:
		return "draft";
	case STORE_FINALIZED:
		return "finalized";
	case STORE_SENT:
		return "sent";
	case STORE_ACKED:
		return "acknowledged";
	}
	return "unknown";
}

int
store_status_parse(const char *str, enum store_status *out)
{
	int i;

	for (i = STORE_DRAFT; i <= STORE_ACKED; i++)
		if (strcmp(str, store_status_name((enum store_status)i)) == 0) {
			*out = (enum store_status)i;
			return 0;
		}
	return -1;
}

const char *
store_event_name(enum store_event ev)
{
	switch (ev) {
	case STORE_EV_OPENED:
		return "opened";
	case STORE_EV_SAVED:
		return "saved";
	case STORE_EV_FINALIZED:
		return "finalized";
	case STORE_EV_EXPORTED:
		return "exported";
	case STORE_EV_DISCARDED:
		return "discarded";
	}
	return "unknown";
}

void
store_id_new(unsigned char id[STORE_ID_BYTES])
{
	cry_random(id, STORE_ID_BYTES);
	id[6] = (unsigned char)((id[6] & 0x0f) | 0x40);
	id[8] = (unsigned char)((id[8] & 0x3f) | 0x80);
}

void
store_id_text(const unsigned char id[STORE_ID_BYTES], char out[STORE_UUID_TEXT])
{
	char h[2 * STORE_ID_BYTES + 1];

	ds_hex_encode(id, STORE_ID_BYTES, h);
	snprintf(out, STORE_UUID_TEXT, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8,
	    h + 12, h + 16, h + 20);
}

int
store_id_parse(const char *str, unsigned char id[STORE_ID_BYTES])
{
	char h[2 * STORE_ID_BYTES + 1];
	size_t i, n = 0;

	for (i = 0; str[i] != '\0'; i++) {
		if (str[i] == '-' && (i == 8 || i == 13 || i == 18 || i == 23))
			continue;
		if (n >= 2 * STORE_ID_BYTES)
			return -1;
		h[n++] = str[i];
	}
	h[n] = '\0';
	if (n != 2 * STORE_ID_BYTES || (i != 2 * STORE_ID_BYTES &&
	    i != STORE_UUID_TEXT - 1))
		return -1;
	return ds_hex_decode(h, id, STORE_ID_BYTES);
}

void
store_text_free(char *p, size_t len)
{
	if (p == NULL)
		return;
	cry_wipe(p, len);
	ds_free(p);
}

/* ------------------------------------------------------------------ */
/* Associated data and sealing                                         */

void
store_ad_put(struct store_ad *a, const void *p, size_t n)
{
	if (a->over || n > STORE_AD_MAX || a->n + 4 + n > STORE_AD_MAX) {
		a->over = 1;
		return;
	}
	a->b[a->n++] = (unsigned char)(n & 0xff);
	a->b[a->n++] = (unsigned char)((n >> 8) & 0xff);
	a->b[a->n++] = (unsigned char)((n >> 16) & 0xff);
	a->b[a->n++] = (unsigned char)((n >> 24) & 0xff);
	memcpy(a->b + a->n, p, n);
	a->n += n;
}

void
store_ad_u64(struct store_ad *a, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	store_ad_put(a, b, 8);
}

/* AD of a revision's answers (docs/storage.md). */
void
store_ad_answers(struct store_ad *a, const unsigned char *rid,
    int64_t rev_no, const char *form_id, const char *form_version,
    const unsigned char *dev, const unsigned char *key_id)
{
	memset(a, 0, sizeof(*a));
	store_ad_put(a, "doorstep answers v1", 19);
	store_ad_put(a, rid, STORE_ID_BYTES);
	store_ad_u64(a, (uint64_t)rev_no);
	store_ad_put(a, form_id, strlen(form_id));
	store_ad_put(a, form_version, strlen(form_version));
	store_ad_put(a, dev, STORE_ID_BYTES);
	store_ad_put(a, key_id, CRY_KEYID_BYTES);
}

void
store_ad_summary(struct store_ad *a, const unsigned char *rid,
    int64_t rev_no, const unsigned char *key_id)
{
	memset(a, 0, sizeof(*a));
	store_ad_put(a, "doorstep summary v1", 19);
	store_ad_put(a, rid, STORE_ID_BYTES);
	store_ad_u64(a, (uint64_t)rev_no);
	store_ad_put(a, key_id, CRY_KEYID_BYTES);
}

/* AD of a record's cursor, bound to the revision it was set on. */
void
store_ad_cursor(struct store_ad *a, const unsigned char *rid,
    int64_t rev_no, const unsigned char *key_id)
{
	memset(a, 0, sizeof(*a));
	store_ad_put(a, "doorstep cursor v1", 18);
	store_ad_put(a, rid, STORE_ID_BYTES);
	store_ad_u64(a, (uint64_t)rev_no);
	store_ad_put(a, key_id, CRY_KEYID_BYTES);
}

enum ds_status
store_seal(unsigned char *ct, const void *pt, size_t len,
    const struct store_ad *a, const unsigned char *key)
{
	if (a->over)
		return DS_ELIMIT;
	cry_aead_seal(ct, pt, len, a->b, a->n, key);
	return DS_OK;
}

enum ds_status
store_unseal(void *pt, const unsigned char *ct, size_t ctlen,
    const struct store_ad *a, const unsigned char *key)
{
	if (a->over || cry_aead_open(pt, ct, ctlen, a->b, a->n, key) != DS_OK)
		return DS_ECRYPTO;
	return DS_OK;
}

/* ------------------------------------------------------------------ */
/* Open and close                                                      */

static enum ds_status
prepare_all(struct store *s, struct ds_err *err)
{
	int i, rc;

	for (i = 0; i < Q_COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL);
		if (rc != SQLITE_OK)
			return store_sql_err(s, rc, "prepare", err);
	}
	return DS_OK;
}

void
store_db_close(struct store *s)
{
	int i;

	for (i = 0; i < Q_COUNT; i++) {
		sqlite3_finalize(s->q[i]);
		s->q[i] = NULL;
	}
	if (s->db != NULL)
		sqlite3_close(s->db);
	s->db = NULL;
}

enum ds_status
store_db_open(struct store *s, struct ds_err *err)
{
	enum ds_status st;
	int rc, fd;

	/* Create the file ourselves so it is 0600 from the first byte;
	 * SQLite gives -wal and -shm the same mode. */
	fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1)
		return ds_err_set(err, errno == ENOENT ? DS_ENOENT : DS_EIO,
		    "cannot open store %s: %s", s->path, strerror(errno));
	close(fd);
	rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE, NULL);
	if (rc != SQLITE_OK) {
		st = ds_err_set(err, DS_EIO, "cannot open store %s: %s",
		    s->path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
		store_db_close(s);
		return st;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if ((st = store_exec(s, "PRAGMA journal_mode=WAL; "
	    "PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; "
	    "PRAGMA temp_store=MEMORY; PRAGMA journal_size_limit=4194304; "
	    "PRAGMA foreign_keys=ON; PRAGMA cell_size_check=ON",
	    "configure store", err)) != DS_OK ||
	    (st = store_migrate(s, err)) != DS_OK ||
	    (st = prepare_all(s, err)) != DS_OK) {
		ds_err_prefix(err, "%s", s->path);
		store_db_close(s);
		return st;
	}
	return DS_OK;
}

enum ds_status
store_ready(struct store *s, struct ds_err *err)
{
	if (s->db != NULL)
		return DS_OK;
	return store_db_open(s, err);
}

void
store_keys_derive(struct store_keys *k, const unsigned char dek[CRY_KEY_BYTES])
{
	cry_kdf(k->ans, CRY_KEY_BYTES, 1, "rec_enc_", dek);
	cry_kdf(k->sum, CRY_KEY_BYTES, 2, "rec_enc_", dek);
	cry_kdf(k->chk, CRY_KEY_BYTES, 3, "rec_enc_", dek);
	cry_kdf(k->cur, CRY_KEY_BYTES, 4, "rec_enc_", dek);
	cry_kdf(k->ent, CRY_KEY_BYTES, 5, "rec_enc_", dek);
	cry_kdf(k->att, CRY_KEY_BYTES, 6, "rec_enc_", dek);
	cry_kdf(k->dlt, CRY_KEY_BYTES, 7, "rec_enc_", dek);
	cry_kdf(k->bhh, CRY_KEY_BYTES, 1, "blindidx", dek);
	cry_kdf(k->bid, CRY_KEY_BYTES, 2, "blindidx", dek);
}

static const char key_probe[] = "doorstep store key check";

enum ds_status
store_key_check_write(struct store *s, struct ds_err *err)
{
	unsigned char ct[sizeof(key_probe) + CRY_AEAD_OVERHEAD];
	sqlite3_stmt *st;
	int rc;

	cry_aead_seal(ct, (const unsigned char *)key_probe, sizeof(key_probe),
	    s->key_id, sizeof(s->key_id), s->k->chk);
	rc = sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta (k, v) "
	    "VALUES ('key_check', ?1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "write key check", err);
	sqlite3_bind_blob(st, 1, ct, sizeof(ct), SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "write key check", err);
	return DS_OK;
}

/*
 * The key check: a fixed string sealed under a subkey at creation.  A
 * store opened with another workspace's key fails here, naming the file,
 * instead of failing record by record.
 */
static enum ds_status
key_check(struct store *s, struct ds_err *err)
{
	unsigned char ct[sizeof(key_probe) + CRY_AEAD_OVERHEAD],
	    pt[sizeof(key_probe)];
	sqlite3_stmt *st;
	enum ds_status r;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT v FROM meta WHERE k = "
	    "'key_check'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "read key check", err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if ((size_t)sqlite3_column_bytes(st, 0) != sizeof(ct) ||
		    cry_aead_open(pt, sqlite3_column_blob(st, 0), sizeof(ct),
		    s->key_id, sizeof(s->key_id), s->k->chk) != DS_OK ||
		    memcmp(pt, key_probe, sizeof(key_probe)) != 0)
			r = ds_err_set(err, DS_ECRYPTO, "store %s belongs to "
			    "another workspace key", s->path);
		else
			r = DS_OK;
		sqlite3_finalize(st);
		return r;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "read key check", err);
	return store_key_check_write(s, err);
}

/* A store made before db_uuid existed gets one at its next open. */
static enum ds_status
db_uuid_make(struct store *s, struct ds_err *err)
{
	unsigned char id[STORE_ID_BYTES];
	sqlite3_stmt *st;
	int rc;

	store_id_new(id);
	rc = sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO meta (k, v) "
	    "VALUES ('db_uuid', ?1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "write db id", err);
	sqlite3_bind_blob(st, 1, id, sizeof(id), SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "write db id", err);
	return DS_OK;
}

enum ds_status
store_quick_check(struct store *s, struct ds_err *err)
{
	enum ds_status st;
	char msg[256];
	sqlite3_stmt *qc;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	s->check_owed = 0;
	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &qc,
	    NULL) != SQLITE_OK)
		return DS_OK;
	msg[0] = '\0';
	if (sqlite3_step(qc) == SQLITE_ROW)
		snprintf(msg, sizeof(msg), "%s",
		    (const char *)sqlite3_column_text(qc, 0));
	sqlite3_finalize(qc);
	if (strcmp(msg, "ok") != 0)
		return ds_err_set(err, DS_ECORRUPT, "store %s fails its "
		    "check: %s", s->path, msg);
	return DS_OK;
}

int
store_check_owed(const struct store *s)
{
	return s->check_owed;
}

enum ds_status
store_open(const char *path, const unsigned char dek[CRY_KEY_BYTES],
    const unsigned char device_id[STORE_ID_BYTES], struct store **out,
    struct ds_err *err)
{
	return store_open_flags(path, dek, device_id, 0, out, err);
}

enum ds_status
store_open_flags(const char *path, const unsigned char dek[CRY_KEY_BYTES],
    const unsigned char device_id[STORE_ID_BYTES], int flags,
    struct store **out, struct ds_err *err)
{
	struct store *s;
	enum ds_status st;

	if ((st = cry_init(err)) != DS_OK)
		return st;
	if ((s = ds_calloc(1, sizeof(*s))) == NULL ||
	    (s->path = ds_strdup(path)) == NULL ||
	    (s->k = cry_secure_alloc(sizeof(*s->k))) == NULL) {
		if (s != NULL)
			ds_free(s->path);
		ds_free(s);
		return ds_err_set(err, DS_ENOMEM, "cannot open store: %s",
		    ds_status_str(DS_ENOMEM));
	}
	store_keys_derive(s->k, dek);
	cry_dek_key_id(dek, s->key_id);
	memcpy(s->device_id, device_id, STORE_ID_BYTES);
	if ((st = store_db_open(s, err)) != DS_OK) {
		store_close(s);
		return st;
	}
	/* quick_check at start-up (crypto-sync.md §6), now or owed. */
	if (flags & STORE_OPEN_CHECK_LATER)
		s->check_owed = 1;
	else if ((st = store_quick_check(s, err)) != DS_OK) {
		store_close(s);
		return st;
	}
	if ((st = key_check(s, err)) != DS_OK ||
	    (st = db_uuid_make(s, err)) != DS_OK) {
		store_close(s);
		return st;
	}
	*out = s;
	return DS_OK;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	store_db_close(s);
	cry_secure_free(s->k);
	ds_free(s->path);
	ds_free(s);
}

int
store_schema_version(struct store *s)
{
	return s->version;
}

/* ------------------------------------------------------------------ */
/* Meta and checks                                                     */

/* A meta value of exactly n bytes; all zero (and DS_OK) when absent. */
static enum ds_status
meta_blob(struct store *s, const char *k, unsigned char *out, size_t n,
    struct ds_err *err)
{
	sqlite3_stmt *b;
	enum ds_status st = DS_OK;
	int rc;

	memset(out, 0, n);
	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	rc = sqlite3_prepare_v2(s->db, "SELECT v FROM meta WHERE k = ?1", -1,
	    &b, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "meta", err);
	sqlite3_bind_text(b, 1, k, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(b)) == SQLITE_ROW) {
		if ((size_t)sqlite3_column_bytes(b, 0) == n)
			memcpy(out, sqlite3_column_blob(b, 0), n);
		else
			st = ds_err_set(err, DS_ECORRUPT, "store meta %s: bad "
			    "length", k);
	} else if (rc != SQLITE_DONE)
		st = store_sql_err(s, rc, "meta", err);
	sqlite3_finalize(b);
	return st;
}

enum ds_status
store_db_uuid(struct store *s, unsigned char out[STORE_ID_BYTES],
    struct ds_err *err)
{
	return meta_blob(s, "db_uuid", out, STORE_ID_BYTES, err);
}

enum ds_status
store_last_bundle_hash(struct store *s, unsigned char out[STORE_HASH_BYTES],
    struct ds_err *err)
{
	return meta_blob(s, "last_bundle_hash", out,
	    STORE_HASH_BYTES, err);
}

enum ds_status
store_check(struct store *s, struct ds_err *err)
{
	sqlite3_stmt *b;
	enum ds_status st;
	char msg[256] = "";
	int rc;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	rc = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check(1)", -1, &b,
	    NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "integrity check", err);
	if ((rc = sqlite3_step(b)) == SQLITE_ROW)
		snprintf(msg, sizeof(msg), "%s",
		    (const char *)sqlite3_column_text(b, 0));
	sqlite3_finalize(b);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_err(s, rc, "integrity check", err);
	if (strcmp(msg, "ok") != 0)
		return ds_err_set(err, DS_ECORRUPT, "store %s: integrity "
		    "check: %s", s->path, msg);
	return DS_OK;
}

enum ds_status
store_limit_pages(struct store *s, int64_t pages, struct ds_err *err)
{
	char sql[64];

	if (s->db == NULL)
		return ds_err_set(err, DS_EIO, "store is closed");
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count=%lld",
	    (long long)(pages > 0 ? pages : 1073741823));
	return store_exec(s, sql, "limit pages", err);
}
