/* doorstep: the encrypted record store on SQLite. */
/*
 * Invariants:
 * - only ciphertext, random ids, numbers, form ids, blind indexes and times
 *   are bound into SQL; every plaintext buffer is wiped before it is freed;
 * - every AD is rebuilt from trusted row metadata at open time, never read
 *   from the blob (docs/storage.md gives the layouts);
 * - each public call that writes is one transaction and leaves the store as
 *   it was on failure; an I/O error closes and reopens the connection, so a
 *   failed fsync is never retried on the same descriptor;
 * - the schema changes only through the migration list at the bottom.
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
#include "util.h"

#define APP_ID		0x44537472	/* "DStr", PRAGMA application_id */
#define KIND_HOUSEHOLD	1
#define KIND_IDNUMBER	2
#define AD_MAX		512
#define SUMMARY_NULL	0xffffu

/* Prepared statements kept for the connection's life. */
enum stmt {
	Q_BEGIN,
	Q_BEGIN_READ,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_REC_GET,
	Q_REC_INS,
	Q_REC_UPD,
	Q_REV_INS,
	Q_OUT_INS,
	Q_BLIND_DEL,
	Q_BLIND_INS,
	Q_AUDIT_INS,
	Q_ANS_GET,
	Q_REV_SEQ,
	Q_COUNT
};

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
	"INSERT INTO outbox (record_id, rev_id) VALUES (?1, ?2)",
	"DELETE FROM blind WHERE record_id = ?1",
	"INSERT OR IGNORE INTO blind (kind, idx, record_id) VALUES (?1, ?2, ?3)",
	"INSERT INTO audit (record_id, at, event, rev_no) VALUES (?1, ?2, ?3, ?4)",
	"SELECT r.form_id, v.rev_no, v.form_version, v.device_id, v.key_id, "
	    "v.answers_len, v.answers FROM revision v JOIN record r "
	    "ON r.id = v.record_id WHERE v.record_id = ?1 AND v.rev_no = "
	    "CASE WHEN ?2 = 0 THEN r.rev_no ELSE ?2 END",
	"SELECT seq FROM outbox WHERE rev_id = ?1",
};

/* Subkeys, in secure memory. */
struct store_keys {
	unsigned char	ans[CRY_KEY_BYTES];	/* "rec_enc_" 1: answers */
	unsigned char	sum[CRY_KEY_BYTES];	/* "rec_enc_" 2: summaries */
	unsigned char	chk[CRY_KEY_BYTES];	/* "rec_enc_" 3: key check */
	unsigned char	cur[CRY_KEY_BYTES];	/* "rec_enc_" 4: cursors */
	unsigned char	bhh[CRY_KEY_BYTES];	/* "blindidx" 1: household */
	unsigned char	bid[CRY_KEY_BYTES];	/* "blindidx" 2: ID numbers */
};

struct store {
	sqlite3			*db;
	sqlite3_stmt		*q[Q_COUNT];
	struct store_keys	*k;
	unsigned char		 key_id[CRY_KEYID_BYTES];
	unsigned char		 device_id[STORE_ID_BYTES];
	char			*path;
	int			 version;
};

static enum ds_status	 db_open(struct store *, struct ds_err *);
static void		 db_close(struct store *);
static enum ds_status	 migrate(struct store *, struct ds_err *);

/* ------------------------------------------------------------------ */
/* Errors                                                              */

/*
 * Map an SQLite failure to a status with a message saying what we were
 * doing.  Disk full (SQLITE_FULL, or an I/O error whose errno is ENOSPC,
 * EFBIG, EDQUOT) is DS_ENOSPC.
 */
static enum ds_status
sql_err_errno(struct store *s, int rc, int hint, const char *what,
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

static enum ds_status
sql_err(struct store *s, int rc, const char *what, struct ds_err *err)
{
	return sql_err_errno(s, rc, 0, what, err);
}

/* After a failed write: roll back; on an I/O error reopen the connection. */
static void
fail_write(struct store *s, enum ds_status st)
{
	struct ds_err e2;

	if (sqlite3_get_autocommit(s->db) == 0) {
		sqlite3_reset(s->q[Q_ROLLBACK]);
		(void)sqlite3_step(s->q[Q_ROLLBACK]);
		sqlite3_reset(s->q[Q_ROLLBACK]);
	}
	if (st == DS_EIO || st == DS_ENOSPC) {
		db_close(s);
		(void)db_open(s, &e2);	/* the next call reports if it fails */
	}
}

static sqlite3_stmt *
q(struct store *s, enum stmt i)
{
	sqlite3_reset(s->q[i]);
	sqlite3_clear_bindings(s->q[i]);
	return s->q[i];
}

static enum ds_status
run(struct store *s, enum stmt i, const char *what, struct ds_err *err)
{
	int rc, e;
	enum ds_status st = DS_OK;

	errno = 0;
	rc = sqlite3_step(s->q[i]);
	e = errno;
	/* Before the reset, which may clear the system errno. */
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		st = sql_err_errno(s, rc, e, what, err);
	sqlite3_reset(s->q[i]);
	return st;
}

static enum ds_status
exec(struct store *s, const char *sql, const char *what, struct ds_err *err)
{
	int rc, e;

	errno = 0;
	rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	e = errno;
	if (rc != SQLITE_OK)
		return sql_err_errno(s, rc, e, what, err);
	return DS_OK;
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
	char h[33];

	ds_hex_encode(id, STORE_ID_BYTES, h);
	snprintf(out, STORE_UUID_TEXT, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8,
	    h + 12, h + 16, h + 20);
}

int
store_id_parse(const char *str, unsigned char id[STORE_ID_BYTES])
{
	char h[33];
	size_t i, n = 0;

	for (i = 0; str[i] != '\0'; i++) {
		if (str[i] == '-' && (i == 8 || i == 13 || i == 18 || i == 23))
			continue;
		if (n >= 32)
			return -1;
		h[n++] = str[i];
	}
	h[n] = '\0';
	if (n != 32 || (i != 32 && i != 36))
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

/* Canonical AD: each field as u32 little-endian length then bytes. */
struct ad {
	unsigned char	b[AD_MAX];
	size_t		n;
	int		over;
};

static void
ad_put(struct ad *a, const void *p, size_t n)
{
	if (a->over || n > AD_MAX || a->n + 4 + n > AD_MAX) {
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

static void
ad_u64(struct ad *a, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	ad_put(a, b, 8);
}

/* AD of a revision's answers (docs/storage.md). */
static void
ad_answers(struct ad *a, const unsigned char *rid, int64_t rev_no,
    const char *form_id, const char *form_version, const unsigned char *dev,
    const unsigned char *key_id)
{
	memset(a, 0, sizeof(*a));
	ad_put(a, "doorstep answers v1", 19);
	ad_put(a, rid, STORE_ID_BYTES);
	ad_u64(a, (uint64_t)rev_no);
	ad_put(a, form_id, strlen(form_id));
	ad_put(a, form_version, strlen(form_version));
	ad_put(a, dev, STORE_ID_BYTES);
	ad_put(a, key_id, CRY_KEYID_BYTES);
}

static void
ad_summary(struct ad *a, const unsigned char *rid, int64_t rev_no,
    const unsigned char *key_id)
{
	memset(a, 0, sizeof(*a));
	ad_put(a, "doorstep summary v1", 19);
	ad_put(a, rid, STORE_ID_BYTES);
	ad_u64(a, (uint64_t)rev_no);
	ad_put(a, key_id, CRY_KEYID_BYTES);
}

/* AD of a record's cursor, bound to the revision it was set on. */
static void
ad_cursor(struct ad *a, const unsigned char *rid, int64_t rev_no,
    const unsigned char *key_id)
{
	memset(a, 0, sizeof(*a));
	ad_put(a, "doorstep cursor v1", 18);
	ad_put(a, rid, STORE_ID_BYTES);
	ad_u64(a, (uint64_t)rev_no);
	ad_put(a, key_id, CRY_KEYID_BYTES);
}

/*
 * Normalize for blind indexing: drop all white space (ASCII and U+3000),
 * fold full-width ASCII (U+FF01..U+FF5E) to ASCII, upper-case letters.
 */
int
store_blind_normalize(const char *in, char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;
	unsigned cp;

	while (*p != '\0') {
		if (p[0] == 0xef && (p[1] == 0xbc || p[1] == 0xbd) &&
		    p[2] >= 0x80 && p[2] <= 0xbf) {
			cp = 0xff00u + (unsigned)((p[1] & 0x03) << 6) +
			    (p[2] & 0x3f);
			if (cp >= 0xff01 && cp <= 0xff5e) {
				unsigned char c = (unsigned char)(cp - 0xfee0);

				if (o + 1 >= n)
					return -1;
				out[o++] = (char)(c >= 'a' && c <= 'z' ?
				    c - 32 : c);
				p += 3;
				continue;
			}
		}
		if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) {
			p += 3;		/* ideographic space */
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			p++;
			continue;
		}
		if (o + 1 >= n)
			return -1;
		out[o++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		p++;
	}
	out[o] = '\0';
	return 0;
}

/* Blind index of a value: keyed BLAKE2b-256 of the normalized text. */
static int
blind(const struct store *s, int kind, const char *v, unsigned char out[32])
{
	char norm[STORE_SUMMARY_MAX];
	int rc;

	if ((rc = store_blind_normalize(v, norm, sizeof(norm))) == 0)
		cry_hash(out, 32, kind == KIND_HOUSEHOLD ? s->k->bhh :
		    s->k->bid, CRY_KEY_BYTES, norm, strlen(norm));
	cry_wipe(norm, sizeof(norm));
	return rc;
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
			return sql_err(s, rc, "prepare", err);
	}
	return DS_OK;
}

static void
db_close(struct store *s)
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

static enum ds_status
db_open(struct store *s, struct ds_err *err)
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
		db_close(s);
		return st;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if ((st = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
	    "PRAGMA secure_delete=ON; PRAGMA temp_store=MEMORY; "
	    "PRAGMA journal_size_limit=4194304; PRAGMA foreign_keys=ON; "
	    "PRAGMA cell_size_check=ON", "configure store", err)) != DS_OK ||
	    (st = migrate(s, err)) != DS_OK ||
	    (st = prepare_all(s, err)) != DS_OK) {
		ds_err_prefix(err, "%s", s->path);
		db_close(s);
		return st;
	}
	return DS_OK;
}

/* Integer result of a one-row query; -1 on error. */
static int64_t
query_int(struct store *s, const char *sql)
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

/*
 * The key check: a fixed string sealed under a subkey at creation.  A
 * store opened with another workspace's key fails here, naming the file,
 * instead of failing record by record.
 */
static enum ds_status
key_check(struct store *s, struct ds_err *err)
{
	static const char probe[] = "doorstep store key check";
	unsigned char ct[sizeof(probe) + CRY_AEAD_OVERHEAD], pt[sizeof(probe)];
	sqlite3_stmt *st;
	enum ds_status r;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT v FROM meta WHERE k = "
	    "'key_check'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_err(s, rc, "read key check", err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if ((size_t)sqlite3_column_bytes(st, 0) != sizeof(ct) ||
		    cry_aead_open(pt, sqlite3_column_blob(st, 0), sizeof(ct),
		    s->key_id, sizeof(s->key_id), s->k->chk) != DS_OK ||
		    memcmp(pt, probe, sizeof(probe)) != 0)
			r = ds_err_set(err, DS_ECRYPTO, "store %s belongs to "
			    "another workspace key", s->path);
		else
			r = DS_OK;
		sqlite3_finalize(st);
		return r;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_err(s, rc, "read key check", err);
	cry_aead_seal(ct, (const unsigned char *)probe, sizeof(probe),
	    s->key_id, sizeof(s->key_id), s->k->chk);
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO meta (k, v) VALUES "
	    "('key_check', ?1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_err(s, rc, "write key check", err);
	sqlite3_bind_blob(st, 1, ct, sizeof(ct), SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_err(s, rc, "write key check", err);
	return DS_OK;
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
		return sql_err(s, rc, "write db id", err);
	sqlite3_bind_blob(st, 1, id, sizeof(id), SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_err(s, rc, "write db id", err);
	return DS_OK;
}

enum ds_status
store_open(const char *path, const unsigned char dek[32],
    const unsigned char device_id[STORE_ID_BYTES], struct store **out,
    struct ds_err *err)
{
	struct store *s;
	enum ds_status st;
	char msg[256];
	sqlite3_stmt *qc;

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
	cry_kdf(s->k->ans, CRY_KEY_BYTES, 1, "rec_enc_", dek);
	cry_kdf(s->k->sum, CRY_KEY_BYTES, 2, "rec_enc_", dek);
	cry_kdf(s->k->chk, CRY_KEY_BYTES, 3, "rec_enc_", dek);
	cry_kdf(s->k->cur, CRY_KEY_BYTES, 4, "rec_enc_", dek);
	cry_kdf(s->k->bhh, CRY_KEY_BYTES, 1, "blindidx", dek);
	cry_kdf(s->k->bid, CRY_KEY_BYTES, 2, "blindidx", dek);
	cry_dek_key_id(dek, s->key_id);
	memcpy(s->device_id, device_id, STORE_ID_BYTES);
	if ((st = db_open(s, err)) != DS_OK) {
		store_close(s);
		return st;
	}
	/* quick_check at start-up (crypto-sync.md §6). */
	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &qc,
	    NULL) == SQLITE_OK) {
		msg[0] = '\0';
		if (sqlite3_step(qc) == SQLITE_ROW)
			snprintf(msg, sizeof(msg), "%s",
			    (const char *)sqlite3_column_text(qc, 0));
		sqlite3_finalize(qc);
		if (strcmp(msg, "ok") != 0) {
			st = ds_err_set(err, DS_ECORRUPT, "store %s fails its "
			    "check: %s", path, msg);
			store_close(s);
			return st;
		}
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
	db_close(s);
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
/* Saving                                                              */

static int
bad_text(const char *t, size_t max)
{
	return t == NULL || *t == '\0' || strlen(t) >= max;
}

/* Summary plaintext: three strings, each u16 LE length (0xffff = absent)
 * then bytes.  Returns the length written into buf. */
static size_t
summary_pack(const struct store_summary *sm, unsigned char *buf)
{
	const char *f[3];
	size_t n = 0, l;
	int i;

	f[0] = sm ? sm->head_name : NULL;
	f[1] = sm ? sm->village : NULL;
	f[2] = sm ? sm->label : NULL;
	for (i = 0; i < 3; i++) {
		l = f[i] == NULL ? SUMMARY_NULL : strlen(f[i]);
		buf[n++] = (unsigned char)(l & 0xff);
		buf[n++] = (unsigned char)(l >> 8);
		if (f[i] != NULL) {
			memcpy(buf + n, f[i], l);
			n += l;
		}
	}
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
		const char *f[3] = { v->summary->head_name,
		    v->summary->village, v->summary->label };

		for (i = 0; i < 3; i++)
			if (f[i] != NULL && strlen(f[i]) >= STORE_SUMMARY_MAX)
				return ds_err_set(err, DS_ELIMIT, "save: "
				    "summary text over %d bytes",
				    STORE_SUMMARY_MAX - 1);
	}
	return DS_OK;
}

/* Replace the record's blind indexes.  Inside the save transaction. */
static enum ds_status
save_blind(struct store *s, const struct store_save *v, struct ds_err *err)
{
	unsigned char idx[32];
	enum ds_status st;
	sqlite3_stmt *b;
	size_t i;

	b = q(s, Q_BLIND_DEL);
	sqlite3_bind_blob(b, 1, v->record_id, STORE_ID_BYTES, SQLITE_STATIC);
	if ((st = run(s, Q_BLIND_DEL, "save", err)) != DS_OK)
		return st;
	for (i = 0; i < v->n_id_numbers + 1; i++) {
		const char *val = i == 0 ? v->household_key :
		    v->id_numbers[i - 1];
		int kind = i == 0 ? KIND_HOUSEHOLD : KIND_IDNUMBER;

		if (val == NULL || *val == '\0')
			continue;
		if (blind(s, kind, val, idx) != 0)
			return ds_err_set(err, DS_ELIMIT, "save: household key "
			    "or ID number too long");
		b = q(s, Q_BLIND_INS);
		sqlite3_bind_int(b, 1, kind);
		sqlite3_bind_blob(b, 2, idx, sizeof(idx), SQLITE_TRANSIENT);
		sqlite3_bind_blob(b, 3, v->record_id, STORE_ID_BYTES,
		    SQLITE_STATIC);
		if ((st = run(s, Q_BLIND_INS, "save", err)) != DS_OK)
			return st;
	}
	return DS_OK;
}

static enum ds_status
audit_add(struct store *s, const unsigned char *id, enum store_event ev,
    int64_t rev_no, struct ds_err *err)
{
	sqlite3_stmt *b = q(s, Q_AUDIT_INS);

	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(b, 2, ds_now());
	sqlite3_bind_int(b, 3, (int)ev);
	sqlite3_bind_int64(b, 4, rev_no);
	return run(s, Q_AUDIT_INS, "audit", err);
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
	struct ad ad;
	int64_t created = r->saved_at, status;
	int rc, exists = 0;

	store_id_text(v->record_id, idt);
	b = q(s, Q_REC_GET);
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
		return sql_err(s, rc, "save", err);
	}
	sqlite3_reset(b);
	if (v->expect_rev != NULL && (!exists ||
	    memcmp(v->expect_rev, r->parent_rev_id, STORE_ID_BYTES) != 0))
		return ds_err_set(err, DS_ECONFLICT, "record %s was changed "
		    "since it was opened", idt);
	if (!exists)
		r->rev_no = 1;

	/* Seal answers and summary under AD from this row's metadata. */
	ad_answers(&ad, v->record_id, r->rev_no, v->form_id, v->form_version,
	    s->device_id, s->key_id);
	if (ad.over)
		return ds_err_set(err, DS_ELIMIT, "save: associated data too "
		    "long");
	cry_aead_seal(ct, (const unsigned char *)v->answers, v->answers_len,
	    ad.b, ad.n, s->k->ans);
	ad_summary(&ad, v->record_id, r->rev_no, s->key_id);
	slen = summary_pack(v->summary, sumpt);
	cry_aead_seal(sct, sumpt, slen, ad.b, ad.n, s->k->sum);
	cry_wipe(sumpt, slen);

	status = v->finalize ? STORE_FINALIZED : STORE_DRAFT;
	b = q(s, exists ? Q_REC_UPD : Q_REC_INS);
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
	if ((st = run(s, exists ? Q_REC_UPD : Q_REC_INS, "save", err)) != DS_OK)
		return st;

	b = q(s, Q_REV_INS);
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
	if ((st = run(s, Q_REV_INS, "save", err)) != DS_OK)
		return st;

	b = q(s, Q_OUT_INS);
	sqlite3_bind_blob(b, 1, v->record_id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(b, 2, r->rev_id, STORE_ID_BYTES, SQLITE_STATIC);
	if ((st = run(s, Q_OUT_INS, "save", err)) != DS_OK)
		return st;
	r->seq = sqlite3_last_insert_rowid(s->db);

	if ((st = save_blind(s, v, err)) != DS_OK ||
	    (st = audit_add(s, v->record_id, STORE_EV_SAVED, r->rev_no,
	    err)) != DS_OK)
		return st;
	if (v->finalize && (st = audit_add(s, v->record_id,
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
	size_t slen = 3 * (2 + STORE_SUMMARY_MAX);
	enum ds_status st;

	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
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
	st = run(s, Q_BEGIN, "save", err);
	if (st == DS_OK)
		st = save_tx(s, v, &r, ct, sct, slen, err);
	if (st == DS_OK)
		st = run(s, Q_COMMIT, "save", err);
	if (st != DS_OK)
		fail_write(s, st);
	ds_free(ct);
	cry_wipe(sct, 2 * (slen + CRY_AEAD_OVERHEAD));
	ds_free(sct);
	if (st == DS_OK && out != NULL)
		*out = r;
	return st;
}

/* Run fn-free one-statement write with the record id bound as ?1. */
static enum ds_status
record_exists(struct store *s, const unsigned char *id, int64_t *rev_no,
    struct ds_err *err)
{
	char idt[STORE_UUID_TEXT];
	sqlite3_stmt *b = q(s, Q_REC_GET);
	int rc;

	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(b);
	if (rc == SQLITE_ROW && rev_no != NULL)
		*rev_no = sqlite3_column_int64(b, 1);
	sqlite3_reset(b);
	if (rc == SQLITE_ROW)
		return DS_OK;
	if (rc != SQLITE_DONE)
		return sql_err(s, rc, "read record", err);
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

	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	if ((st = run(s, Q_BEGIN, "finalize", err)) != DS_OK)
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
			st = sql_err(s, rc, "finalize", err);
	}
	if (st == DS_OK)
		st = audit_add(s, id, STORE_EV_FINALIZED, rev_no, err);
	if (st == DS_OK)
		st = run(s, Q_COMMIT, "finalize", err);
	if (st != DS_OK)
		fail_write(s, st);
	return st;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

/* Decrypt the current row of Q_ANS_GET (stepped to SQLITE_ROW). */
static enum ds_status
answers_from_row(struct store *s, sqlite3_stmt *b, const unsigned char *id,
    char **json, size_t *lenp, struct ds_err *err)
{
	char idt[STORE_UUID_TEXT];
	const unsigned char *ct = sqlite3_column_blob(b, 6);
	size_t ctlen = (size_t)sqlite3_column_bytes(b, 6);
	int64_t rev_no = sqlite3_column_int64(b, 1);
	int64_t plen = sqlite3_column_int64(b, 5);
	struct ad ad;
	char *pt;

	store_id_text(id, idt);
	if (sqlite3_column_bytes(b, 3) != STORE_ID_BYTES ||
	    sqlite3_column_bytes(b, 4) != CRY_KEYID_BYTES ||
	    ctlen < CRY_AEAD_OVERHEAD || plen < 0 ||
	    (size_t)plen != ctlen - CRY_AEAD_OVERHEAD)
		return ds_err_set(err, DS_ECORRUPT, "record %s revision %lld: "
		    "stored revision is damaged", idt, (long long)rev_no);
	if (memcmp(sqlite3_column_blob(b, 4), s->key_id, CRY_KEYID_BYTES) != 0)
		return ds_err_set(err, DS_ECRYPTO, "record %s revision %lld "
		    "was sealed under another key", idt, (long long)rev_no);
	ad_answers(&ad, id, rev_no, (const char *)sqlite3_column_text(b, 0),
	    (const char *)sqlite3_column_text(b, 2),
	    sqlite3_column_blob(b, 3), s->key_id);
	if ((pt = ds_malloc((size_t)plen + 1)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "read record: %s",
		    ds_status_str(DS_ENOMEM));
	if (ad.over || cry_aead_open((unsigned char *)pt, ct, ctlen, ad.b,
	    ad.n, s->k->ans) != DS_OK) {
		ds_free(pt);
		return ds_err_set(err, DS_ECRYPTO, "record %s revision %lld "
		    "does not decrypt: the stored data was altered or moved",
		    idt, (long long)rev_no);
	}
	pt[plen] = '\0';
	*json = pt;
	if (lenp != NULL)
		*lenp = (size_t)plen;
	return DS_OK;
}

enum ds_status
store_answers_get(struct store *s, const unsigned char id[STORE_ID_BYTES],
    int64_t rev_no, char **json, size_t *lenp, struct ds_err *err)
{
	char idt[STORE_UUID_TEXT];
	sqlite3_stmt *b;
	enum ds_status st;
	int rc;

	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	b = q(s, Q_ANS_GET);
	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(b, 2, rev_no);
	rc = sqlite3_step(b);
	if (rc == SQLITE_ROW)
		st = answers_from_row(s, b, id, json, lenp, err);
	else if (rc == SQLITE_DONE) {
		store_id_text(id, idt);
		st = rev_no == 0 ? ds_err_set(err, DS_ENOENT, "no record %s",
		    idt) : ds_err_set(err, DS_ENOENT, "record %s has no "
		    "revision %lld", idt, (long long)rev_no);
	} else
		st = sql_err(s, rc, "read record", err);
	sqlite3_reset(b);
	return st;
}

void
store_query_init(struct store_query *qy)
{
	memset(qy, 0, sizeof(*qy));
	qy->status = -1;
}

/* Unpack one summary string: 0, -1 on a malformed blob, -2 out of memory. */
static int
summary_field(const unsigned char *p, size_t n, size_t *off, char **out)
{
	size_t l;

	*out = NULL;
	if (*off + 2 > n)
		return -1;
	l = (size_t)p[*off] | ((size_t)p[*off + 1] << 8);
	*off += 2;
	if (l == SUMMARY_NULL)
		return 0;
	if (*off + l > n)
		return -1;
	if ((*out = ds_strndup((const char *)p + *off, l)) == NULL)
		return -2;
	*off += l;
	return 0;
}

static void
item_wipe(struct store_item *it)
{
	char *f[3] = { it->head_name, it->village, it->label };
	int i;

	for (i = 0; i < 3; i++)
		if (f[i] != NULL)
			store_text_free(f[i], strlen(f[i]));
	it->head_name = it->village = it->label = NULL;
}

void
store_list_free(struct store_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		item_wipe(&l->items[i]);
	ds_free(l->items);
	l->items = NULL;
	l->n = 0;
}

static int
name_match(const struct store_item *it, const char *name)
{
	return (it->head_name != NULL && strstr(it->head_name, name)) ||
	    (it->village != NULL && strstr(it->village, name)) ||
	    (it->label != NULL && strstr(it->label, name));
}

/* Fill it from a list row; decrypts the summary. */
static enum ds_status
item_from_row(struct store *s, sqlite3_stmt *b, struct store_item *it,
    unsigned char *pt, struct ds_err *err)
{
	char idt[STORE_UUID_TEXT];
	const unsigned char *ct = sqlite3_column_blob(b, 9);
	size_t ctlen = (size_t)sqlite3_column_bytes(b, 9), off = 0, n;
	struct ad ad;
	int rc = 0;

	memset(it, 0, sizeof(*it));
	if (sqlite3_column_bytes(b, 0) != STORE_ID_BYTES)
		return ds_err_set(err, DS_ECORRUPT, "record list: bad id");
	memcpy(it->id, sqlite3_column_blob(b, 0), STORE_ID_BYTES);
	store_id_text(it->id, idt);
	snprintf(it->form_id, sizeof(it->form_id), "%s",
	    (const char *)sqlite3_column_text(b, 1));
	snprintf(it->form_version, sizeof(it->form_version), "%s",
	    (const char *)sqlite3_column_text(b, 2));
	it->status = (enum store_status)sqlite3_column_int(b, 3);
	it->rev_no = sqlite3_column_int64(b, 4);
	it->created_at = sqlite3_column_int64(b, 5);
	it->saved_at = sqlite3_column_int64(b, 6);
	it->n_errors = sqlite3_column_int(b, 7);
	it->n_warnings = sqlite3_column_int(b, 8);
	if (ctlen < CRY_AEAD_OVERHEAD ||
	    ctlen > 3 * (2 + STORE_SUMMARY_MAX) + CRY_AEAD_OVERHEAD)
		return ds_err_set(err, DS_ECORRUPT, "record %s: stored summary "
		    "is damaged", idt);
	n = ctlen - CRY_AEAD_OVERHEAD;
	ad_summary(&ad, it->id, it->rev_no, s->key_id);
	if (cry_aead_open(pt, ct, ctlen, ad.b, ad.n, s->k->sum) != DS_OK)
		return ds_err_set(err, DS_ECRYPTO, "record %s: summary does not "
		    "decrypt: the stored data was altered or moved", idt);
	if ((rc = summary_field(pt, n, &off, &it->head_name)) != 0 ||
	    (rc = summary_field(pt, n, &off, &it->village)) != 0 ||
	    (rc = summary_field(pt, n, &off, &it->label)) != 0 || off != n) {
		cry_wipe(pt, n);
		item_wipe(it);
		if (rc == -2)
			return ds_err_set(err, DS_ENOMEM, "list records: %s",
			    ds_status_str(DS_ENOMEM));
		return ds_err_set(err, DS_ECORRUPT, "record %s: summary is "
		    "malformed", idt);
	}
	cry_wipe(pt, n);
	return DS_OK;
}

enum ds_status
store_list(struct store *s, const struct store_query *qy,
    struct store_list *out, struct ds_err *err)
{
	char sql[640];
	unsigned char idx[32], *pt = NULL;
	struct store_list l = { NULL, 0 };
	struct store_item *it, *grown;
	size_t cap = 0;
	sqlite3_stmt *b = NULL;
	enum ds_status st = DS_OK;
	int rc, kind = 0;
	const char *bv = NULL;

	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	if (qy->household_key != NULL) {
		kind = KIND_HOUSEHOLD;
		bv = qy->household_key;
	} else if (qy->id_number != NULL) {
		kind = KIND_IDNUMBER;
		bv = qy->id_number;
	}
	if (bv != NULL && blind(s, kind, bv, idx) != 0)
		return ds_err_set(err, DS_ELIMIT, "search key too long");
	snprintf(sql, sizeof(sql), "SELECT id, form_id, form_version, status, "
	    "rev_no, created_at, saved_at, n_errors, n_warnings, summary "
	    "FROM record WHERE (?1 < 0 OR status = ?1) AND (?2 IS NULL OR "
	    "form_id = ?2)%s ORDER BY saved_at DESC, rowid DESC",
	    bv != NULL ? " AND id IN (SELECT record_id FROM blind WHERE "
	    "kind = ?3 AND idx = ?4)" : "");
	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &b, NULL)) != SQLITE_OK)
		return sql_err(s, rc, "list records", err);
	sqlite3_bind_int(b, 1, qy->status);
	if (qy->form_id != NULL)
		sqlite3_bind_text(b, 2, qy->form_id, -1, SQLITE_STATIC);
	if (bv != NULL) {
		sqlite3_bind_int(b, 3, kind);
		sqlite3_bind_blob(b, 4, idx, sizeof(idx), SQLITE_STATIC);
	}
	if ((pt = ds_malloc(3 * (2 + STORE_SUMMARY_MAX))) == NULL) {
		sqlite3_finalize(b);
		return ds_err_set(err, DS_ENOMEM, "list records: %s",
		    ds_status_str(DS_ENOMEM));
	}
	while ((rc = sqlite3_step(b)) == SQLITE_ROW) {
		if (qy->limit != 0 && l.n >= qy->limit)
			break;
		if (l.n == cap) {
			cap = cap ? 2 * cap : 64;
			if ((grown = ds_realloc(l.items, cap * sizeof(*it)))
			    == NULL) {
				st = ds_err_set(err, DS_ENOMEM, "list records: "
				    "%s", ds_status_str(DS_ENOMEM));
				break;
			}
			l.items = grown;
		}
		it = &l.items[l.n];
		if ((st = item_from_row(s, b, it, pt, err)) != DS_OK)
			break;
		if (qy->name != NULL && !name_match(it, qy->name)) {
			item_wipe(it);
			continue;
		}
		l.n++;
	}
	if (st == DS_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		st = sql_err(s, rc, "list records", err);
	sqlite3_finalize(b);
	ds_free(pt);
	if (st != DS_OK) {
		store_list_free(&l);
		return st;
	}
	store_list_free(out);
	*out = l;
	return DS_OK;
}

enum ds_status
store_history(struct store *s, const unsigned char id[STORE_ID_BYTES],
    struct store_rev **revs, size_t *np, struct ds_err *err)
{
	struct store_rev *v = NULL, *grown;
	size_t n = 0, cap = 0;
	sqlite3_stmt *b;
	enum ds_status st;
	int rc;

	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	if ((st = record_exists(s, id, NULL, err)) != DS_OK)
		return st;
	rc = sqlite3_prepare_v2(s->db, "SELECT v.rev_id, v.parent_rev_id, "
	    "v.rev_no, v.saved_at, v.device_id, v.form_version, "
	    "v.answers_len, o.seq FROM revision v LEFT JOIN outbox o ON "
	    "o.rev_id = v.rev_id WHERE v.record_id = ?1 ORDER BY v.rev_no",
	    -1, &b, NULL);
	if (rc != SQLITE_OK)
		return sql_err(s, rc, "history", err);
	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	while ((rc = sqlite3_step(b)) == SQLITE_ROW) {
		struct store_rev *r;

		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((grown = ds_realloc(v, cap * sizeof(*v))) == NULL) {
				sqlite3_finalize(b);
				ds_free(v);
				return ds_err_set(err, DS_ENOMEM, "history: %s",
				    ds_status_str(DS_ENOMEM));
			}
			v = grown;
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
		return sql_err(s, rc, "history", err);
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
	char idt[STORE_UUID_TEXT];
	sqlite3_stmt *b;
	enum ds_status st;
	struct ad ad;
	int rc, changed;

	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	if (text == NULL || len == 0 || len > STORE_CURSOR_MAX)
		return ds_err_set(err, DS_EINVAL, "cursor: 1..%d bytes",
		    STORE_CURSOR_MAX);
	ad_cursor(&ad, id, rev_no, s->key_id);
	cry_aead_seal(ct, (const unsigned char *)text, len, ad.b, ad.n,
	    s->k->cur);
	rc = sqlite3_prepare_v2(s->db, "UPDATE record SET cursor = ?2, "
	    "cursor_rev = ?3 WHERE id = ?1 AND rev_no = ?3", -1, &b, NULL);
	if (rc != SQLITE_OK)
		return sql_err(s, rc, "save cursor", err);
	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(b, 2, ct, (int)(len + CRY_AEAD_OVERHEAD),
	    SQLITE_STATIC);
	sqlite3_bind_int64(b, 3, rev_no);
	errno = 0;
	rc = sqlite3_step(b);
	st = rc == SQLITE_DONE ? DS_OK : sql_err_errno(s, rc, errno,
	    "save cursor", err);
	changed = sqlite3_changes(s->db);
	sqlite3_finalize(b);
	if (st != DS_OK) {
		fail_write(s, st);
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
store_cursor_get(struct store *s, const unsigned char id[STORE_ID_BYTES],
    char **text, size_t *lenp, struct ds_err *err)
{
	char idt[STORE_UUID_TEXT], *pt;
	sqlite3_stmt *b;
	enum ds_status st;
	struct ad ad;
	size_t ctlen;
	int64_t cur_rev;
	int rc;

	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	store_id_text(id, idt);
	rc = sqlite3_prepare_v2(s->db, "SELECT rev_no, cursor_rev, cursor "
	    "FROM record WHERE id = ?1", -1, &b, NULL);
	if (rc != SQLITE_OK)
		return sql_err(s, rc, "read cursor", err);
	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	if ((rc = sqlite3_step(b)) != SQLITE_ROW) {
		sqlite3_finalize(b);
		return rc == SQLITE_DONE ? ds_err_set(err, DS_ENOENT, "no "
		    "record %s", idt) : sql_err(s, rc, "read cursor", err);
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
	ad_cursor(&ad, id, cur_rev, s->key_id);
	if (cry_aead_open((unsigned char *)pt, sqlite3_column_blob(b, 2),
	    ctlen, ad.b, ad.n, s->k->cur) != DS_OK) {
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

	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	if ((st = record_exists(s, id, &rev_no, err)) != DS_OK)
		return st;
	if ((st = audit_add(s, id, ev, rev_no, err)) != DS_OK)
		fail_write(s, st);
	return st;
}

enum ds_status
store_audit_list(struct store *s, const unsigned char id[STORE_ID_BYTES],
    struct store_audit **out, size_t *np, struct ds_err *err)
{
	struct store_audit *v = NULL, *grown;
	size_t n = 0, cap = 0;
	sqlite3_stmt *b;
	enum ds_status st;
	int rc;

	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	if ((st = record_exists(s, id, NULL, err)) != DS_OK)
		return st;
	rc = sqlite3_prepare_v2(s->db, "SELECT at, event, rev_no FROM audit "
	    "WHERE record_id = ?1 ORDER BY id", -1, &b, NULL);
	if (rc != SQLITE_OK)
		return sql_err(s, rc, "audit", err);
	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	while ((rc = sqlite3_step(b)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((grown = ds_realloc(v, cap * sizeof(*v))) == NULL) {
				sqlite3_finalize(b);
				ds_free(v);
				return ds_err_set(err, DS_ENOMEM, "audit: %s",
				    ds_status_str(DS_ENOMEM));
			}
			v = grown;
		}
		v[n].at = sqlite3_column_int64(b, 0);
		v[n].event = (enum store_event)sqlite3_column_int(b, 1);
		v[n].rev_no = sqlite3_column_int64(b, 2);
		n++;
	}
	sqlite3_finalize(b);
	if (rc != SQLITE_DONE) {
		ds_free(v);
		return sql_err(s, rc, "audit", err);
	}
	*out = v;
	*np = n;
	return DS_OK;
}

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

	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	if ((st = run(s, Q_BEGIN_READ, "outbox", err)) != DS_OK)
		return st;
	/*
	 * Sequence order puts each record's revisions parent first.  Rows
	 * are taken as a prefix, so [lo, hi] holds no pending row that was
	 * left out.
	 */
	rc = sqlite3_prepare_v2(s->db, "SELECT o.seq, o.record_id, o.rev_id, "
	    "v.parent_rev_id, v.rev_no, v.saved_at, r.status, r.form_id, "
	    "v.form_version, v.device_id, v.answers_len, r.rev_id = o.rev_id "
	    "FROM outbox o JOIN revision v ON v.rev_id = o.rev_id "
	    "JOIN record r ON r.id = o.record_id WHERE o.acked = 0 "
	    "AND o.seq > ?1 ORDER BY o.seq", -1, &b, NULL);
	if (rc != SQLITE_OK) {
		st = sql_err(s, rc, "outbox", err);
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
		st = sql_err(s, rc, "outbox", err);
	sqlite3_finalize(b);
out:
	sqlite3_reset(s->q[Q_ROLLBACK]);
	(void)sqlite3_step(s->q[Q_ROLLBACK]);	/* end the read */
	sqlite3_reset(s->q[Q_ROLLBACK]);
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
	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
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
		return sql_err(s, rc, "outbox", err);
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
		st = sql_err(s, rc, "outbox", err);
	sqlite3_finalize(b);
	return st;
}

/* A meta value of exactly n bytes; all zero (and DS_OK) when absent. */
static enum ds_status
meta_blob(struct store *s, const char *k, unsigned char *out, size_t n,
    struct ds_err *err)
{
	sqlite3_stmt *b;
	enum ds_status st = DS_OK;
	int rc;

	memset(out, 0, n);
	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	rc = sqlite3_prepare_v2(s->db, "SELECT v FROM meta WHERE k = ?1", -1,
	    &b, NULL);
	if (rc != SQLITE_OK)
		return sql_err(s, rc, "meta", err);
	sqlite3_bind_text(b, 1, k, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(b)) == SQLITE_ROW) {
		if ((size_t)sqlite3_column_bytes(b, 0) == n)
			memcpy(out, sqlite3_column_blob(b, 0), n);
		else
			st = ds_err_set(err, DS_ECORRUPT, "store meta %s: bad "
			    "length", k);
	} else if (rc != SQLITE_DONE)
		st = sql_err(s, rc, "meta", err);
	sqlite3_finalize(b);
	return st;
}

enum ds_status
store_db_uuid(struct store *s, unsigned char out[16], struct ds_err *err)
{
	return meta_blob(s, "db_uuid", out, 16, err);
}

enum ds_status
store_last_bundle_hash(struct store *s, unsigned char out[32],
    struct ds_err *err)
{
	return meta_blob(s, "last_bundle_hash", out, 32, err);
}

/* Run a write script with ?1 = lo, ?2 = hi, ?3 = blob, ?4 = now,
 * ?5 = hash (32 bytes). */
static enum ds_status
outbox_write(struct store *s, const char *const *sqls, int64_t lo, int64_t hi,
    const unsigned char *blob, const unsigned char *hash, const char *what,
    struct ds_err *err)
{
	sqlite3_stmt *b;
	enum ds_status st;
	int rc, i;

	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	if (lo < 1 || hi < lo)
		return ds_err_set(err, DS_EINVAL, "%s: bad range %lld..%lld",
		    what, (long long)lo, (long long)hi);
	if ((st = run(s, Q_BEGIN, what, err)) != DS_OK)
		return st;
	for (i = 0; sqls[i] != NULL && st == DS_OK; i++) {
		if ((rc = sqlite3_prepare_v2(s->db, sqls[i], -1, &b, NULL))
		    != SQLITE_OK) {
			st = sql_err(s, rc, what, err);
			break;
		}
		sqlite3_bind_int64(b, 1, lo);
		sqlite3_bind_int64(b, 2, hi);
		if (blob != NULL && sqlite3_bind_parameter_count(b) >= 3)
			sqlite3_bind_blob(b, 3, blob, 16, SQLITE_STATIC);
		if (sqlite3_bind_parameter_count(b) >= 4)
			sqlite3_bind_int64(b, 4, ds_now());
		if (hash != NULL && sqlite3_bind_parameter_count(b) >= 5)
			sqlite3_bind_blob(b, 5, hash, 32, SQLITE_STATIC);
		rc = sqlite3_step(b);
		sqlite3_finalize(b);
		if (rc != SQLITE_DONE)
			st = sql_err(s, rc, what, err);
	}
	if (st == DS_OK)
		st = run(s, Q_COMMIT, what, err);
	if (st != DS_OK)
		fail_write(s, st);
	return st;
}

enum ds_status
store_outbox_mark_sent(struct store *s, int64_t lo, int64_t hi,
    const unsigned char bundle_id[16], const unsigned char bundle_hash[32],
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

enum ds_status
store_outbox_ack(struct store *s, int64_t lo, int64_t hi, struct ds_err *err)
{
	static const char *const sqls[] = {
		"UPDATE outbox SET acked = 1 WHERE seq BETWEEN ?1 AND ?2 "
		    "AND bundle_id IS NOT NULL",
		"UPDATE record SET status = 3 WHERE status IN (1, 2) AND rev_id "
		    "IN (SELECT rev_id FROM outbox WHERE seq BETWEEN ?1 AND ?2 "
		    "AND acked = 1)",
		NULL
	};

	return outbox_write(s, sqls, lo, hi, NULL, NULL, "acknowledge", err);
}

enum ds_status
store_outbox_ack_bundle(struct store *s, int64_t lo, int64_t hi,
    const unsigned char bundle_id[16], struct ds_err *err)
{
	static const char *const sqls[] = {
		"UPDATE outbox SET acked = 1 WHERE seq BETWEEN ?1 AND ?2 "
		    "AND bundle_id = ?3",
		"UPDATE record SET status = 3 WHERE status IN (1, 2) AND rev_id "
		    "IN (SELECT rev_id FROM outbox WHERE seq BETWEEN ?1 AND ?2 "
		    "AND bundle_id = ?3)",
		NULL
	};

	return outbox_write(s, sqls, lo, hi, bundle_id, NULL,
	    "acknowledge bundle", err);
}

enum ds_status
store_outbox_rollback(struct store *s, int64_t office_hi, struct ds_err *err)
{
	static const char *const sqls[] = {
		"UPDATE sqlite_sequence SET seq = ?2 WHERE name = 'outbox' "
		    "AND seq < ?2",
		/* A store that never saved has no row yet (restored from
		 * an image of a fresh install). */
		"INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox', ?2 "
		    "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE "
		    "name = 'outbox')",
		"INSERT INTO meta (k, v) VALUES ('rollback_floor', ?2) "
		    "ON CONFLICT (k) DO UPDATE SET v = max(v, ?2)",
		NULL
	};

	return outbox_write(s, sqls, 1, office_hi, NULL, NULL, "rollback",
	    err);
}

enum ds_status
store_outbox_floor(struct store *s, int64_t *out, struct ds_err *err)
{
	enum ds_status st;
	int64_t v;

	*out = 0;
	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	v = query_int(s, "SELECT COALESCE((SELECT v FROM meta WHERE k = "
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

	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	v = query_int(s, "SELECT COALESCE(MAX(seq), 0) FROM outbox");
	if (v < 0)
		return ds_err_set(err, DS_EIO, "outbox: %s",
		    sqlite3_errmsg(s->db));
	*out = v;
	return DS_OK;
}

enum ds_status
store_check(struct store *s, struct ds_err *err)
{
	sqlite3_stmt *b;
	enum ds_status st;
	char msg[256] = "";
	int rc;

	if (s->db == NULL && (st = db_open(s, err)) != DS_OK)
		return st;
	rc = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check(1)", -1, &b,
	    NULL);
	if (rc != SQLITE_OK)
		return sql_err(s, rc, "integrity check", err);
	if ((rc = sqlite3_step(b)) == SQLITE_ROW)
		snprintf(msg, sizeof(msg), "%s",
		    (const char *)sqlite3_column_text(b, 0));
	sqlite3_finalize(b);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_err(s, rc, "integrity check", err);
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
	return exec(s, sql, "limit pages", err);
}

/* ------------------------------------------------------------------ */
/* Migrations: entry i takes user_version i to i + 1.  Append only.     */

static const char *const migrations[] = {
	/* 1: the first schema (docs/storage.md) */
	"CREATE TABLE meta (k TEXT PRIMARY KEY, v BLOB NOT NULL);"
	"CREATE TABLE record ("
	" id BLOB PRIMARY KEY CHECK (length(id) = 16),"
	" form_id TEXT NOT NULL, form_version TEXT NOT NULL,"
	" status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),"
	" rev_no INTEGER NOT NULL, rev_id BLOB NOT NULL,"
	" created_at INTEGER NOT NULL, saved_at INTEGER NOT NULL,"
	" n_errors INTEGER NOT NULL, n_warnings INTEGER NOT NULL,"
	" summary BLOB NOT NULL);"
	"CREATE INDEX record_saved ON record (saved_at);"
	"CREATE TABLE revision ("
	" rev_id BLOB PRIMARY KEY CHECK (length(rev_id) = 16),"
	" record_id BLOB NOT NULL REFERENCES record (id),"
	" rev_no INTEGER NOT NULL, parent_rev_id BLOB,"
	" device_id BLOB NOT NULL, key_id BLOB NOT NULL,"
	" form_version TEXT NOT NULL, saved_at INTEGER NOT NULL,"
	" answers_len INTEGER NOT NULL, answers BLOB NOT NULL,"
	" UNIQUE (record_id, rev_no));"
	"CREATE TABLE blind ("
	" kind INTEGER NOT NULL, idx BLOB NOT NULL,"
	" record_id BLOB NOT NULL REFERENCES record (id),"
	" PRIMARY KEY (kind, idx, record_id)) WITHOUT ROWID;"
	"CREATE INDEX blind_record ON blind (record_id);"
	"CREATE TABLE outbox ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" record_id BLOB NOT NULL REFERENCES record (id),"
	" rev_id BLOB NOT NULL UNIQUE REFERENCES revision (rev_id),"
	" bundle_id BLOB, acked INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX outbox_pending ON outbox (acked, seq);"
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY,"
	" record_id BLOB NOT NULL REFERENCES record (id),"
	" at INTEGER NOT NULL, event INTEGER NOT NULL,"
	" rev_no INTEGER NOT NULL);"
	"CREATE INDEX audit_record ON audit (record_id, id);",
	/* 2: the sealed cursor, saved on a move without a revision */
	"ALTER TABLE record ADD COLUMN cursor BLOB;"
	"ALTER TABLE record ADD COLUMN cursor_rev INTEGER;",
};
#define NMIGRATIONS	((int)(sizeof(migrations) / sizeof(migrations[0])))

static enum ds_status
migrate(struct store *s, struct ds_err *err)
{
	char sql[96];
	enum ds_status st;
	int64_t v, app;
	int i;

	app = query_int(s, "PRAGMA application_id");
	v = query_int(s, "PRAGMA user_version");
	if (app < 0 || v < 0)
		return ds_err_set(err, DS_ECORRUPT, "not a doorstep store (%s)",
		    sqlite3_errmsg(s->db));
	if (app != APP_ID && !(app == 0 && v == 0 &&
	    query_int(s, "SELECT count(*) FROM sqlite_schema") == 0))
		return ds_err_set(err, DS_ECORRUPT, "not a doorstep store");
	if (v > NMIGRATIONS)
		return ds_err_set(err, DS_ECORRUPT, "store schema version %lld "
		    "is newer than this program (%d)", (long long)v,
		    NMIGRATIONS);
	for (i = (int)v; i < NMIGRATIONS; i++) {
		if ((st = exec(s, "BEGIN IMMEDIATE", "migrate", err)) != DS_OK)
			return st;
		snprintf(sql, sizeof(sql), "PRAGMA application_id=%d; "
		    "PRAGMA user_version=%d", APP_ID, i + 1);
		if ((st = exec(s, migrations[i], "migrate", err)) != DS_OK ||
		    (st = exec(s, sql, "migrate", err)) != DS_OK ||
		    (st = exec(s, "COMMIT", "migrate", err)) != DS_OK) {
			(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			ds_err_prefix(err, "schema version %d", i + 1);
			return st;
		}
	}
	s->version = NMIGRATIONS;
	return DS_OK;
}
