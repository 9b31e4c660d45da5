/* doorstep: office.db connection, schema and migrations. */
/*
 * The office database is created whole in one transaction and opened with
 * the settings of crypto-sync.md §6.  The schema below is version 1; a
 * later version adds a step to `migrations` and never edits an old one.
 * Invariants the schema enforces itself: ids have their exact lengths,
 * device states and fork kinds are closed sets, one ledger row per bundle,
 * one revision row per rev_id.
 */
#include "odb_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "util.h"

static const char schema_v1[] =
	"CREATE TABLE meta("
	"  k TEXT PRIMARY KEY,"
	"  v NOT NULL"
	") WITHOUT ROWID;"
	/* Devices: pending until a supervisor enrolls them. */
	"CREATE TABLE device("
	"  device_id BLOB PRIMARY KEY CHECK(length(device_id) = 16),"
	"  sign_pk BLOB NOT NULL CHECK(length(sign_pk) = 32),"
	"  state TEXT NOT NULL"
	"    CHECK(state IN ('pending', 'enrolled', 'revoked')),"
	"  label TEXT NOT NULL DEFAULT '',"
	"  first_seen INTEGER NOT NULL,"
	"  changed_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	/* One row per imported bundle; receipt is the signed receipt file. */
	"CREATE TABLE ledger("
	"  bundle_id BLOB PRIMARY KEY CHECK(length(bundle_id) = 16),"
	"  bundle_hash BLOB NOT NULL CHECK(length(bundle_hash) = 32),"
	"  device_id BLOB NOT NULL,"
	"  seq_lo INTEGER NOT NULL,"
	"  seq_hi INTEGER NOT NULL CHECK(seq_hi >= seq_lo),"
	"  record_count INTEGER NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  imported_at INTEGER NOT NULL,"
	"  receipt BLOB NOT NULL"
	") WITHOUT ROWID;"
	/* Bundles held until their device is enrolled (ciphertext only). */
	"CREATE TABLE pending("
	"  bundle_id BLOB PRIMARY KEY CHECK(length(bundle_id) = 16),"
	"  bundle_hash BLOB NOT NULL CHECK(length(bundle_hash) = 32),"
	"  device_id BLOB NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  bundle BLOB NOT NULL"
	") WITHOUT ROWID;"
	/* Every revision ever imported, stored once by rev_id. */
	"CREATE TABLE revision("
	"  rev_id BLOB PRIMARY KEY CHECK(length(rev_id) = 16),"
	"  record_uuid BLOB NOT NULL CHECK(length(record_uuid) = 16),"
	"  parent_rev_id BLOB CHECK(parent_rev_id IS NULL"
	"    OR length(parent_rev_id) = 16),"
	"  rev_no INTEGER NOT NULL CHECK(rev_no >= 1),"
	"  household_key TEXT NOT NULL,"
	"  form_id TEXT NOT NULL,"
	"  form_ver TEXT NOT NULL,"
	"  device_id BLOB NOT NULL,"
	"  device_seq INTEGER NOT NULL,"
	"  worker_id TEXT NOT NULL,"
	"  t_start INTEGER NOT NULL,"
	"  t_end INTEGER NOT NULL,"
	"  saved_at INTEGER NOT NULL,"
	"  deleted INTEGER NOT NULL CHECK(deleted IN (0, 1)),"
	"  answers TEXT NOT NULL,"
	"  audit TEXT NOT NULL,"
	"  consent TEXT NOT NULL,"
	"  bundle_id BLOB NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX revision_record ON revision(record_uuid, parent_rev_id);"
	"CREATE INDEX revision_household ON revision(household_key);"
	/* Current head per record: higher rev_no, then larger rev_id. */
	"CREATE TABLE head("
	"  record_uuid BLOB PRIMARY KEY,"
	"  rev_id BLOB NOT NULL,"
	"  rev_no INTEGER NOT NULL,"
	"  household_key TEXT NOT NULL,"
	"  form_id TEXT NOT NULL,"
	"  deleted INTEGER NOT NULL"
	") WITHOUT ROWID;"
	/* Forks: two revisions of one record with one parent (rev_a < rev_b). */
	"CREATE TABLE fork("
	"  rev_a BLOB NOT NULL,"
	"  rev_b BLOB NOT NULL CHECK(rev_a < rev_b),"
	"  record_uuid BLOB NOT NULL,"
	"  parent_rev_id BLOB,"
	"  kind TEXT NOT NULL CHECK(kind IN ('parallel', 'conflict')),"
	"  questions TEXT NOT NULL,"
	"  detected_at INTEGER NOT NULL,"
	"  resolved_at INTEGER,"
	"  resolution TEXT,"
	"  PRIMARY KEY(rev_a, rev_b)"
	") WITHOUT ROWID;"
	/* Acknowledged device sequence numbers as disjoint, merged ranges. */
	"CREATE TABLE ackrange("
	"  device_id BLOB NOT NULL,"
	"  lo INTEGER NOT NULL CHECK(lo >= 1),"
	"  hi INTEGER NOT NULL CHECK(hi >= lo),"
	"  PRIMARY KEY(device_id, lo)"
	") WITHOUT ROWID;";

/*
 * Version 2: a revision whose parent is not here yet is held (not a head,
 * not in forks) until the parent arrives; the ledger keeps each bundle's
 * database id and predecessor hash; alerts record device rollbacks.
 */
static const char schema_v2[] =
	"ALTER TABLE revision ADD COLUMN held INTEGER NOT NULL DEFAULT 0"
	"  CHECK(held IN (0, 1));"
	"ALTER TABLE revision ADD COLUMN held_at INTEGER;"
	"CREATE INDEX revision_held ON revision(parent_rev_id) WHERE held = 1;"
	"CREATE INDEX revision_devseq ON revision(device_id, device_seq);"
	"ALTER TABLE ledger ADD COLUMN db_uuid BLOB"
	"  CHECK(db_uuid IS NULL OR length(db_uuid) = 16);"
	"ALTER TABLE ledger ADD COLUMN prev_hash BLOB"
	"  CHECK(prev_hash IS NULL OR length(prev_hash) = 32);"
	"CREATE TABLE alert("
	"  id INTEGER PRIMARY KEY,"
	"  device_id BLOB NOT NULL CHECK(length(device_id) = 16),"
	"  kind TEXT NOT NULL CHECK(kind IN ('rollback', 'new_db')),"
	"  bundle_id BLOB NOT NULL,"
	"  detail TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  UNIQUE(bundle_id, kind)"
	");";

/*
 * Version 3: revision.answers, audit and consent hold sealed BLOBs (same
 * columns; SQLite keeps a BLOB as BLOB in a TEXT column).  Rows an older
 * program stored in clear are marked here and sealed by the first open
 * with the office secret key (seal_legacy); a v2 program refuses v3, so
 * nothing reads a sealed value as text.
 */
static const char schema_v3[] =
	"INSERT OR REPLACE INTO meta(k, v) SELECT 'seal_pending', 1"
	"  WHERE EXISTS (SELECT 1 FROM revision);";

/* migrations[i] takes a database from version i to i + 1. */
static const char *const migrations[] = {
	schema_v1,
	schema_v2,
	schema_v3,
};

/* The key check: a fixed text sealed under the data key (meta). */
static const char key_check_text[] = "doorstep office.db data key v1";

static enum ds_status
sql_status(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return DS_OK;
	case SQLITE_NOMEM:
		return DS_ENOMEM;
	case SQLITE_FULL:
		return DS_ENOSPC;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return DS_ECORRUPT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DS_EBUSY;
	case SQLITE_CONSTRAINT:
		return DS_ECONSTRAINT;
	case SQLITE_CANTOPEN:
		return DS_ENOENT;
	default:
		return DS_EIO;
	}
}

enum ds_status
odb_sqlerr(sqlite3 *db, int rc, struct ds_err *err, const char *what)
{
	return ds_err_set(err, sql_status(rc), "office db: %s: %s", what,
	    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

enum ds_status
odb_exec(sqlite3 *db, const char *sql, struct ds_err *err)
{
	int rc;

	if ((rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return odb_sqlerr(db, rc, err, "exec");
	return DS_OK;
}

static enum ds_status
get_int(sqlite3 *db, const char *sql, int64_t *out, struct ds_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return odb_sqlerr(db, rc, err, "prepare");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return odb_sqlerr(db, rc, err, sql);
	}
	*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return DS_OK;
}

/* Connection settings of crypto-sync.md §6, set on every open. */
static enum ds_status
configure(sqlite3 *db, struct ds_err *err)
{
	sqlite3_busy_timeout(db, 5000);
	return odb_exec(db,
	    "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;"
	    "PRAGMA secure_delete=ON;"
	    "PRAGMA temp_store=MEMORY;"
	    "PRAGMA journal_size_limit=4194304;"
	    "PRAGMA foreign_keys=ON;", err);
}

static void
unlink_db(const char *path)
{
	char p[4096];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-journal", path);
	unlink(p);
}

/* Apply every migration from `from` up to ODB_SCHEMA_VERSION, in one txn. */
static enum ds_status
migrate(sqlite3 *db, int64_t from, struct ds_err *err)
{
	char sql[96];
	enum ds_status st;
	int64_t v;

	if ((st = odb_exec(db, "BEGIN IMMEDIATE", err)) != DS_OK)
		return st;
	/* Re-read inside the write lock: another process may have won. */
	if ((st = get_int(db, "PRAGMA user_version", &v, err)) != DS_OK)
		goto fail;
	if (v != from) {
		odb_exec(db, "ROLLBACK", NULL);
		return DS_OK;
	}
	for (; v < ODB_SCHEMA_VERSION; v++)
		if ((st = odb_exec(db, migrations[v], err)) != DS_OK) {
			ds_err_prefix(err, "migration to version %lld",
			    (long long)v + 1);
			goto fail;
		}
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d",
	    ODB_SCHEMA_VERSION);
	if ((st = odb_exec(db, sql, err)) != DS_OK)
		goto fail;
	return odb_exec(db, "COMMIT", err);
fail:
	odb_exec(db, "ROLLBACK", NULL);
	return st;
}

enum ds_status
odb_create(const char *path, const unsigned char office_id[16],
    struct ds_err *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	enum ds_status s;
	char sql[96];
	int fd, rc, e, v;

	/* Reserve the name exclusively: never initialise over a database. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		e = errno;
		return ds_err_set(err, e == EEXIST ? DS_EEXIST : DS_EIO,
		    "cannot create %s: %s", path, strerror(e));
	}
	close(fd);
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		s = odb_sqlerr(db, rc, err, "open");
		goto fail;
	}
	if ((s = configure(db, err)) != DS_OK)
		goto fail;
	if ((s = odb_exec(db, "BEGIN IMMEDIATE", err)) != DS_OK)
		goto fail;
	for (v = 0; v < ODB_SCHEMA_VERSION; v++)
		if ((s = odb_exec(db, migrations[v], err)) != DS_OK)
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA application_id=%d;"
	    "PRAGMA user_version=%d", ODB_APPLICATION_ID, ODB_SCHEMA_VERSION);
	if ((s = odb_exec(db, sql, err)) != DS_OK)
		goto fail;
	rc = sqlite3_prepare_v2(db, "INSERT INTO meta(k, v) VALUES"
	    " ('office_id', ?1), ('created_at', ?2)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, office_id, 16, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ds_now());
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK) {
		s = odb_sqlerr(db, rc, err, "meta");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((s = odb_exec(db, "COMMIT", err)) != DS_OK)
		goto fail;
	if ((rc = sqlite3_close(db)) != SQLITE_OK) {
		db = NULL;
		s = ds_err_set(err, DS_EIO, "office db: close: %s",
		    sqlite3_errstr(rc));
		goto fail;
	}
	db = NULL;
	if ((s = ds_dir_sync(path, err)) != DS_OK)
		goto fail;
	return DS_OK;
fail:
	sqlite3_finalize(st);
	sqlite3_close(db);
	unlink_db(path);
	return s;
}

/* ---- the data key -------------------------------------------------------- */

static const char *const col_names[] = { "answers", "audit", "consent" };

/* AD = "dsodb1:" column ":" rev_id (16 bytes): binds row and column. */
static size_t
seal_ad(unsigned char ad[48], const char *tag, const unsigned char id[16])
{
	size_t n = (size_t)snprintf((char *)ad, 32, "dsodb1:%s:", tag);

	memcpy(ad + n, id, 16);
	return n + 16;
}

void
odb_seal(const struct odb *o, const unsigned char rev_id[16],
    enum odb_col col, const void *pt, size_t n, unsigned char *out)
{
	unsigned char ad[48];
	size_t adlen = seal_ad(ad, col_names[col], rev_id);

	/* Deterministic: a rerun after a crash stores the same bytes. */
	cry_aead_seal_det(out, pt, n, ad, adlen, o->dkey);
}

enum ds_status
odb_unseal(const struct odb *o, sqlite3_stmt *st, int i,
    const unsigned char rev_id[16], enum odb_col col, struct odb_plain *pl,
    struct ds_err *err)
{
	unsigned char ad[48];
	const unsigned char *ct;
	size_t adlen, n, need;
	char hex[33];
	char *np;

	if (o->dkey == NULL)
		return ds_err_set(err, DS_ESTATE, "office db: opened without "
		    "the office secret key: answers cannot be read");
	ds_hex_encode(rev_id, 16, hex);
	n = (size_t)sqlite3_column_bytes(st, i);
	if (sqlite3_column_type(st, i) != SQLITE_BLOB ||
	    n < CRY_AEAD_OVERHEAD)
		return ds_err_set(err, DS_ECRYPTO, "office db: revision %s: "
		    "%s is not sealed", hex, col_names[col]);
	ct = sqlite3_column_blob(st, i);
	need = n - CRY_AEAD_OVERHEAD + 1;
	if (need > pl->cap) {
		if ((np = ds_malloc(need)) == NULL)
			return ds_err_set(err, DS_ENOMEM, NULL);
		odb_plain_free(pl);
		pl->p = np;
		pl->cap = need;
	}
	adlen = seal_ad(ad, col_names[col], rev_id);
	if (cry_aead_open((unsigned char *)pl->p, ct, n, ad, adlen,
	    o->dkey) != DS_OK) {
		pl->len = 0;
		return ds_err_set(err, DS_ECRYPTO, "office db: revision %s: "
		    "%s does not open with this office's key (altered or "
		    "moved from another row)", hex, col_names[col]);
	}
	pl->len = n - CRY_AEAD_OVERHEAD;
	pl->p[pl->len] = '\0';
	return DS_OK;
}

void
odb_plain_wipe(struct odb_plain *pl)
{
	if (pl->p != NULL)
		cry_wipe(pl->p, pl->len + 1 <= pl->cap ? pl->len + 1 : pl->cap);
	pl->len = 0;
}

void
odb_plain_free(struct odb_plain *pl)
{
	if (pl->p != NULL) {
		cry_wipe(pl->p, pl->cap);
		ds_free(pl->p);
	}
	pl->p = NULL;
	pl->len = pl->cap = 0;
}

int
odb_has_key(const struct odb *o)
{
	return o != NULL && o->dkey != NULL;
}

/* Value of meta key k as a blob (copied into out, *n bytes), *found. */
static enum ds_status
meta_get(sqlite3 *db, const char *k, unsigned char *out, size_t max,
    size_t *n, int *found, struct ds_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*found = 0;
	*n = 0;
	if ((rc = sqlite3_prepare_v2(db, "SELECT v FROM meta WHERE k = ?1",
	    -1, &st, NULL)) != SQLITE_OK)
		return odb_sqlerr(db, rc, err, "meta");
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = 1;
		*n = (size_t)sqlite3_column_bytes(st, 0);
		if (*n > max)
			*n = max;
		if (*n > 0)
			memcpy(out, sqlite3_column_blob(st, 0), *n);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return odb_sqlerr(db, rc, err, "meta");
	return DS_OK;
}

/* The key check's AD: "dsodb1:check:" office_id. */
static enum ds_status
key_check(struct odb *o, const unsigned char *v, size_t n, const char *path,
    struct ds_err *err)
{
	unsigned char ad[48], pt[sizeof(key_check_text)];
	size_t adlen = seal_ad(ad, "check", o->office_id);

	if (n != ODB_SEALED_LEN(sizeof(key_check_text) - 1) ||
	    cry_aead_open(pt, v, n, ad, adlen, o->dkey) != DS_OK ||
	    memcmp(pt, key_check_text, sizeof(key_check_text) - 1) != 0)
		return ds_err_set(err, DS_ECRYPTO, "office-secret.key does "
		    "not open %s: it is not this office's key", path);
	return DS_OK;
}

/* Seal every revision an older program stored in clear; ids first. */
static enum ds_status
seal_legacy(struct odb *o, int64_t *count, struct ds_err *err)
{
	static const char q_ids[] = "SELECT rev_id FROM revision WHERE"
	    " typeof(answers) != 'blob' OR typeof(audit) != 'blob' OR"
	    " typeof(consent) != 'blob' ORDER BY rev_id";
	static const char q_get[] = "SELECT answers, audit, consent FROM"
	    " revision WHERE rev_id = ?1";
	static const char q_put[] = "UPDATE revision SET answers = ?2,"
	    " audit = ?3, consent = ?4 WHERE rev_id = ?1";
	sqlite3_stmt *ids = NULL, *get = NULL, *put = NULL;
	unsigned char (*id)[16] = NULL, (*nid)[16], *buf = NULL;
	size_t n = 0, cap = 0, i, len[3], off, total;
	enum ds_status s = DS_OK;
	const void *pt;
	int c, rc;

	*count = 0;
	if ((rc = sqlite3_prepare_v2(o->db, q_ids, -1, &ids, NULL)) !=
	    SQLITE_OK || (rc = sqlite3_prepare_v2(o->db, q_get, -1, &get,
	    NULL)) != SQLITE_OK || (rc = sqlite3_prepare_v2(o->db, q_put, -1,
	    &put, NULL)) != SQLITE_OK) {
		s = odb_sqlerr(o->db, rc, err, "seal");
		goto done;
	}
	while ((rc = sqlite3_step(ids)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nid = ds_realloc(id, cap * 16)) == NULL) {
				s = ds_err_set(err, DS_ENOMEM, NULL);
				goto done;
			}
			id = nid;
		}
		if (sqlite3_column_bytes(ids, 0) != 16) {
			s = ds_err_set(err, DS_ECORRUPT, "office db: bad rev_id");
			goto done;
		}
		memcpy(id[n++], sqlite3_column_blob(ids, 0), 16);
	}
	if (rc != SQLITE_DONE) {
		s = odb_sqlerr(o->db, rc, err, "seal");
		goto done;
	}
	for (i = 0; i < n; i++) {
		sqlite3_reset(get);
		sqlite3_bind_blob(get, 1, id[i], 16, SQLITE_STATIC);
		if ((rc = sqlite3_step(get)) != SQLITE_ROW) {
			s = odb_sqlerr(o->db, rc, err, "seal");
			goto done;
		}
		total = 0;
		for (c = 0; c < 3; c++) {
			/* A blob here is already sealed: keep it. */
			len[c] = (size_t)sqlite3_column_bytes(get, c);
			if (sqlite3_column_type(get, c) != SQLITE_BLOB)
				total += ODB_SEALED_LEN(len[c]);
		}
		ds_free(buf);
		if ((buf = ds_malloc(total + 1)) == NULL) {
			s = ds_err_set(err, DS_ENOMEM, NULL);
			goto done;
		}
		sqlite3_reset(put);
		sqlite3_bind_blob(put, 1, id[i], 16, SQLITE_STATIC);
		for (off = 0, c = 0; c < 3; c++) {
			if (sqlite3_column_type(get, c) == SQLITE_BLOB) {
				sqlite3_bind_value(put, c + 2,
				    sqlite3_column_value(get, c));
				continue;
			}
			pt = sqlite3_column_text(get, c);
			odb_seal(o, id[i], (enum odb_col)c, pt != NULL ? pt :
			    "", len[c], buf + off);
			sqlite3_bind_blob(put, c + 2, buf + off,
			    (int)ODB_SEALED_LEN(len[c]), SQLITE_STATIC);
			off += ODB_SEALED_LEN(len[c]);
		}
		if ((rc = sqlite3_step(put)) != SQLITE_DONE) {
			s = odb_sqlerr(o->db, rc, err, "seal");
			goto done;
		}
	}
	*count = (int64_t)n;
done:
	ds_free(buf);
	ds_free(id);
	sqlite3_finalize(ids);
	sqlite3_finalize(get);
	sqlite3_finalize(put);
	return s;
}

/*
 * Derive the data key, check it against the stored key check, and on the
 * first keyed open write the check and seal legacy clear rows (one
 * transaction), then truncate the WAL.
 */
static enum ds_status
key_setup(struct odb *o, const struct cry_office_sec *sec, const char *path,
    struct ds_err *err)
{
	static const char q_put[] = "INSERT OR REPLACE INTO meta(k, v)"
	    " VALUES ('data_key_check', ?1)";
	unsigned char v[128], ad[48];
	char a[33], b[33];
	sqlite3_stmt *st;
	enum ds_status s;
	size_t n, adlen;
	int64_t sealed = 0;
	int have, pending, rc;

	if (memcmp(sec->office_id, o->office_id, 16) != 0) {
		ds_hex_encode(sec->office_id, 16, a);
		ds_hex_encode(o->office_id, 16, b);
		return ds_err_set(err, DS_ECRYPTO, "office-secret.key is for "
		    "office %s, but %s belongs to office %s", a, path, b);
	}
	if ((o->dkey = cry_secure_alloc(CRY_KEY_BYTES)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "no secure memory for the "
		    "office data key");
	cry_kdf(o->dkey, CRY_KEY_BYTES, 1, "officedb", sec->box_sk);
	if ((s = meta_get(o->db, "data_key_check", v, sizeof(v), &n, &have,
	    err)) != DS_OK)
		return s;
	if (have && (s = key_check(o, v, n, path, err)) != DS_OK)
		return s;
	if ((s = meta_get(o->db, "seal_pending", v, sizeof(v), &n, &pending,
	    err)) != DS_OK)
		return s;
	if (have && !pending)
		return DS_OK;
	if ((s = odb_exec(o->db, "BEGIN IMMEDIATE", err)) != DS_OK)
		return s;
	/* Re-read under the write lock: another process may have done it. */
	if ((s = meta_get(o->db, "data_key_check", v, sizeof(v), &n, &have,
	    err)) != DS_OK)
		goto fail;
	if (have && (s = key_check(o, v, n, path, err)) != DS_OK)
		goto fail;
	if (!have) {
		adlen = seal_ad(ad, "check", o->office_id);
		cry_aead_seal_det(v, (const unsigned char *)key_check_text,
		    sizeof(key_check_text) - 1, ad, adlen, o->dkey);
		if ((rc = sqlite3_prepare_v2(o->db, q_put, -1, &st, NULL)) !=
		    SQLITE_OK) {
			s = odb_sqlerr(o->db, rc, err, "key check");
			goto fail;
		}
		sqlite3_bind_blob(st, 1, v,
		    (int)ODB_SEALED_LEN(sizeof(key_check_text) - 1),
		    SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			s = odb_sqlerr(o->db, rc, err, "key check");
			goto fail;
		}
	}
	if ((s = meta_get(o->db, "seal_pending", v, sizeof(v), &n, &pending,
	    err)) != DS_OK)
		goto fail;
	if (pending && ((s = seal_legacy(o, &sealed, err)) != DS_OK ||
	    (s = odb_exec(o->db, "DELETE FROM meta WHERE k = 'seal_pending'",
	    err)) != DS_OK))
		goto fail;
	if ((s = odb_exec(o->db, "COMMIT", err)) != DS_OK)
		goto fail;
	/*
	 * The clear pages are overwritten (secure_delete) in the WAL; copy
	 * them home and empty the WAL.  A reader elsewhere may hold it back;
	 * the next checkpoint finishes the job.
	 */
	if (pending)
		sqlite3_wal_checkpoint_v2(o->db, NULL,
		    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	return DS_OK;
fail:
	odb_exec(o->db, "ROLLBACK", NULL);
	return s;
}

enum ds_status
odb_open(const char *path, const struct cry_office_sec *sec,
    struct odb **out, struct ds_err *err)
{
	struct odb *o;
	sqlite3_stmt *st = NULL;
	enum ds_status s;
	int64_t appid, ver;
	int rc;

	*out = NULL;
	if (!ds_path_exists(path))
		return ds_err_set(err, DS_ENOENT, "office db %s does not exist",
		    path);
	if ((o = ds_calloc(1, sizeof(*o))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	rc = sqlite3_open_v2(path, &o->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		s = odb_sqlerr(o->db, rc, err, "open");
		goto fail;
	}
	if ((s = get_int(o->db, "PRAGMA application_id", &appid, err)) !=
	    DS_OK)
		goto fail;
	if (appid != ODB_APPLICATION_ID) {
		s = ds_err_set(err, DS_ECORRUPT,
		    "%s is not an office database", path);
		goto fail;
	}
	if ((s = configure(o->db, err)) != DS_OK)
		goto fail;
	if ((s = get_int(o->db, "PRAGMA user_version", &ver, err)) != DS_OK)
		goto fail;
	if (ver > ODB_SCHEMA_VERSION || ver < 1) {
		s = ds_err_set(err, ver < 1 ? DS_ECORRUPT : DS_ESTATE,
		    "office db %s has schema version %lld, this program "
		    "knows %d", path, (long long)ver, ODB_SCHEMA_VERSION);
		goto fail;
	}
	if (ver < ODB_SCHEMA_VERSION &&
	    (s = migrate(o->db, ver, err)) != DS_OK)
		goto fail;
	rc = sqlite3_prepare_v2(o->db, "SELECT v FROM meta WHERE"
	    " k = 'office_id'", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		s = odb_sqlerr(o->db, rc, err, "meta");
		goto fail;
	}
	if (sqlite3_step(st) != SQLITE_ROW ||
	    sqlite3_column_bytes(st, 0) != 16) {
		s = ds_err_set(err, DS_ECORRUPT, "office db %s has no office id",
		    path);
		goto fail;
	}
	memcpy(o->office_id, sqlite3_column_blob(st, 0), 16);
	sqlite3_finalize(st);
	st = NULL;
	if (sec != NULL && (s = key_setup(o, sec, path, err)) != DS_OK)
		goto fail;
	*out = o;
	return DS_OK;
fail:
	sqlite3_finalize(st);
	odb_close(o);
	return s;
}

void
odb_close(struct odb *o)
{
	if (o == NULL)
		return;
	if (o->in_txn)
		odb_exec(o->db, "ROLLBACK", NULL);
	odb_stmts_free(o);
	sqlite3_close(o->db);
	cry_secure_free(o->dkey);
	ds_free(o->sbuf);
	ds_free(o);
}

void
odb_office_id(const struct odb *o, unsigned char out[16])
{
	memcpy(out, o->office_id, 16);
}

sqlite3_stmt *
odb_stmt(struct odb *o, const char *sql, struct ds_err *err)
{
	sqlite3_stmt *st;
	int i, rc;

	for (i = 0; i < o->nstmt; i++)
		if (o->stmt_sql[i] == sql) {
			sqlite3_reset(o->stmt[i]);
			sqlite3_clear_bindings(o->stmt[i]);
			return o->stmt[i];
		}
	if (o->nstmt == ODB_STMT_MAX) {
		ds_err_set(err, DS_ELIMIT, "office db: statement cache full");
		return NULL;
	}
	if ((rc = sqlite3_prepare_v3(o->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL)) != SQLITE_OK) {
		odb_sqlerr(o->db, rc, err, "prepare");
		return NULL;
	}
	o->stmt_sql[o->nstmt] = sql;
	o->stmt[o->nstmt++] = st;
	return st;
}

void
odb_stmts_free(struct odb *o)
{
	int i;

	for (i = 0; i < o->nstmt; i++)
		sqlite3_finalize(o->stmt[i]);
	o->nstmt = 0;
}
