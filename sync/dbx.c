/* doorstep: the store interface, and SQLite behind it. */
/*
 * Each call dispatches on the engine; SQLite's calls are thin wrappers
 * (the interface is SQLite's shape), PostgreSQL's live in dbx_pg.c.
 */
#include "dbx_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "mem.h"
#include "util.h"

int
dbx_fail(struct dbx *db, enum ds_status st, const char *fmt, ...)
{
	va_list ap;

	db->st = st;
	va_start(ap, fmt);
	vsnprintf(db->msg, sizeof(db->msg), fmt, ap);
	va_end(ap);
	return DBX_ERROR;
}

int
dbx_is_url(const char *s)
{
	return s != NULL && (strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0);
}

#define DBX_PAST_END	((sqlite3_int64)1 << 62)	/* no file is this big */

static int
full_errno(int e)
{
	return e == ENOSPC || e == EFBIG || e == EDQUOT;
}

/* A file's own last errno (0 when it has none). */
static int
file_errno(sqlite3_file *f)
{
	int le = 0;

	if (f == NULL || f->pMethods == NULL ||
	    f->pMethods->xFileControl(f, SQLITE_FCNTL_LAST_ERRNO, &le) !=
	    SQLITE_OK)
		return 0;
	return le;
}

/* The database file, then its WAL or journal (a commit writes the WAL). */
static void
lite_files(sqlite3 *h, sqlite3_file *f[2])
{
	f[0] = f[1] = NULL;
	(void)sqlite3_file_control(h, "main", SQLITE_FCNTL_FILE_POINTER, &f[0]);
	(void)sqlite3_file_control(h, "main", SQLITE_FCNTL_JOURNAL_POINTER,
	    &f[1]);
}

/*
 * The errno behind an I/O error.  sqlite3_system_errno is the thread's
 * errno when the error was recorded, which a COMMIT's rollback has often
 * overwritten by then; the files keep the errno of their own last failed
 * call (lite_errno_reset clears it before each statement).
 */
static int
lite_errno(sqlite3 *h)
{
	sqlite3_file *f[2];
	int e = sqlite3_system_errno(h), i;

	if (full_errno(e))
		return e;
	lite_files(h, f);
	for (i = 0; i < 2; i++)
		if (full_errno(file_errno(f[i])))
			return file_errno(f[i]);
	return e;
}

/*
 * Before a statement: forget a full disk met earlier.  A file keeps its
 * last errno until its next failure, so without this a connection that
 * once met a full disk (serve runs for days) words every later I/O error
 * as a full disk.  SQLite has no call to clear it; the unix VFS clears it
 * on a short read, so read one byte far past the end.  Rare: only after a
 * full disk.
 */
static void
lite_errno_reset(sqlite3 *h)
{
	sqlite3_file *f[2];
	char b;
	int i;

	errno = 0;
	lite_files(h, f);
	for (i = 0; i < 2; i++)
		if (full_errno(file_errno(f[i])))
			(void)f[i]->pMethods->xRead(f[i], &b, 1, DBX_PAST_END);
}

/*
 * SQLite's result code as a status.  A full disk may surface as I/O: a
 * file at its size limit (ulimit -f, FAT32's 4 GiB on a stick) fails
 * with EFBIG, which SQLite reports as SQLITE_IOERR_WRITE.
 */
static enum ds_status
lite_status(sqlite3 *h, int rc)
{
	if ((rc & 0xff) == SQLITE_IOERR && h != NULL &&
	    full_errno(lite_errno(h)))
		return DS_ENOSPC;
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

/* Record SQLite's failure rc on the handle; DBX_ERROR. */
static int
lite_fail(struct dbx *db, int rc)
{
	sqlite3 *h = db->h;

	return dbx_fail(db, lite_status(h, rc), "%s", h != NULL ?
	    sqlite3_errmsg(h) : sqlite3_errstr(rc));
}

enum ds_status
dbx_open(const char *where, struct dbx **out, struct ds_err *err)
{
	struct dbx *db;
	sqlite3 *h = NULL;
	enum ds_status s;
	int rc;

	*out = NULL;
	if ((db = ds_calloc(1, sizeof(*db))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if (dbx_is_url(where)) {
		db->engine = DBX_PG;
		if ((s = dbx_pg_open(where, db, err)) != DS_OK) {
			ds_free(db);
			return s;
		}
		*out = db;
		return DS_OK;
	}
	db->engine = DBX_SQLITE;
	if (!ds_path_exists(where)) {
		ds_free(db);
		return ds_err_set(err, DS_ENOENT, "%s does not exist", where);
	}
	rc = sqlite3_open_v2(where, &h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		s = ds_err_set(err, lite_status(h, rc), "open %s: %s", where,
		    h != NULL ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		sqlite3_close(h);
		ds_free(db);
		return s;
	}
	sqlite3_busy_timeout(h, 5000);
	db->h = h;
	*out = db;
	return DS_OK;
}

void
dbx_close(struct dbx *db)
{
	if (db == NULL)
		return;
	if (db->engine == DBX_PG)
		dbx_pg_close(db);
	else
		sqlite3_close(db->h);
	ds_free(db);
}

int
dbx_engine(const struct dbx *db)
{
	return db->engine;
}

enum ds_status
dbx_exec(struct dbx *db, const char *sql, struct ds_err *err)
{
	int rc;

	if (db->engine == DBX_PG)
		return dbx_pg_exec(db, sql, err);
	lite_errno_reset(db->h);
	if ((rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL)) != SQLITE_OK) {
		lite_fail(db, rc);
		return ds_err_set(err, db->st, "%s", db->msg);
	}
	return DS_OK;
}

enum ds_status
dbx_begin(struct dbx *db, struct ds_err *err)
{
	return dbx_exec(db, db->engine == DBX_PG ? "BEGIN" :
	    "BEGIN IMMEDIATE", err);
}

enum ds_status
dbx_commit(struct dbx *db, struct ds_err *err)
{
	enum ds_status s;

	if (db->engine == DBX_PG)
		s = dbx_pg_commit(db, err);
	else
		s = dbx_exec(db, "COMMIT", err);
	if (s != DS_OK)
		dbx_rollback(db);
	return s;
}

void
dbx_rollback(struct dbx *db)
{
	enum ds_status st = db->st;
	char msg[sizeof(db->msg)];

	/* Keep the failure that made the caller roll back. */
	memcpy(msg, db->msg, sizeof(msg));
	(void)dbx_exec(db, "ROLLBACK", NULL);
	db->st = st;
	memcpy(db->msg, msg, sizeof(msg));
}

int
dbx_prepare(struct dbx *db, const char *sql, struct dbx_stmt **out)
{
	struct dbx_stmt *st;
	int rc;

	*out = NULL;
	if (db->engine == DBX_PG)
		return dbx_pg_prepare(db, sql, out);
	if ((st = ds_calloc(1, sizeof(*st))) == NULL)
		return dbx_fail(db, DS_ENOMEM, "out of memory");
	st->db = db;
	/* Persistent: the statements are cached for the connection's life. */
	rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    (sqlite3_stmt **)&st->s, NULL);
	if (rc != SQLITE_OK) {
		ds_free(st);
		return lite_fail(db, rc);
	}
	*out = st;
	return DBX_OK;
}

void
dbx_finalize(struct dbx_stmt *st)
{
	if (st == NULL)
		return;
	if (st->db->engine == DBX_PG) {
		dbx_pg_finalize(st);
		return;
	}
	sqlite3_finalize(st->s);
	ds_free(st);
}

void
dbx_reset(struct dbx_stmt *st)
{
	if (st->db->engine == DBX_PG)
		dbx_pg_reset(st);
	else
		sqlite3_reset(st->s);
}

void
dbx_clear(struct dbx_stmt *st)
{
	if (st->db->engine == DBX_PG)
		dbx_pg_clear(st);
	else
		sqlite3_clear_bindings(st->s);
}

static int
lite_bind(struct dbx_stmt *st, int rc)
{
	return rc == SQLITE_OK ? DBX_OK : lite_fail(st->db, rc);
}

int
dbx_bind_int64(struct dbx_stmt *st, int i, int64_t v)
{
	char b[24];

	if (st->db->engine == DBX_PG) {
		snprintf(b, sizeof(b), "%lld", (long long)v);
		return dbx_pg_bind(st, i, DBX_INTEGER, b, strlen(b));
	}
	return lite_bind(st, sqlite3_bind_int64(st->s, i, v));
}

int
dbx_bind_int(struct dbx_stmt *st, int i, int v)
{
	return dbx_bind_int64(st, i, v);
}

int
dbx_bind_double(struct dbx_stmt *st, int i, double v)
{
	char b[40];

	if (st->db->engine == DBX_PG) {
		/* %.17g reads back the same double; "C" decimal point. */
		snprintf(b, sizeof(b), "%.17g", v);
		for (char *c = b; *c != '\0'; c++)
			if (*c == ',')
				*c = '.';
		return dbx_pg_bind(st, i, DBX_FLOAT, b, strlen(b));
	}
	return lite_bind(st, sqlite3_bind_double(st->s, i, v));
}

int
dbx_bind_text(struct dbx_stmt *st, int i, const char *p, int n)
{
	size_t len = n < 0 ? strlen(p) : (size_t)n;

	if (st->db->engine == DBX_PG)
		return dbx_pg_bind(st, i, DBX_TEXT, p, len);
	return lite_bind(st, sqlite3_bind_text(st->s, i, p, (int)len,
	    SQLITE_TRANSIENT));
}

int
dbx_bind_blob(struct dbx_stmt *st, int i, const void *p, int n)
{
	if (st->db->engine == DBX_PG)
		return dbx_pg_bind(st, i, DBX_BLOB, p, (size_t)n);
	/* A NULL pointer would bind NULL; an empty blob stays a blob. */
	return lite_bind(st, sqlite3_bind_blob(st->s, i, p != NULL ? p : "",
	    n, SQLITE_TRANSIENT));
}

int
dbx_bind_text_ref(struct dbx_stmt *st, int i, const char *p, int n)
{
	size_t len = n < 0 ? strlen(p) : (size_t)n;

	if (st->db->engine == DBX_PG)
		return dbx_pg_bind(st, i, DBX_TEXT, p, len);
	return lite_bind(st, sqlite3_bind_text(st->s, i, p, (int)len,
	    SQLITE_STATIC));
}

int
dbx_bind_blob_ref(struct dbx_stmt *st, int i, const void *p, int n)
{
	if (st->db->engine == DBX_PG)
		return dbx_pg_bind(st, i, DBX_BLOB, p, (size_t)n);
	return lite_bind(st, sqlite3_bind_blob(st->s, i, p != NULL ? p : "",
	    n, SQLITE_STATIC));
}

int
dbx_bind_null(struct dbx_stmt *st, int i)
{
	if (st->db->engine == DBX_PG)
		return dbx_pg_bind(st, i, DBX_NULL, NULL, 0);
	return lite_bind(st, sqlite3_bind_null(st->s, i));
}

int
dbx_step(struct dbx_stmt *st)
{
	struct dbx *db = st->db;
	int rc;

	if (db->engine == DBX_PG)
		return dbx_pg_step(st);
	if (!sqlite3_stmt_busy(st->s))
		lite_errno_reset(db->h);
	rc = sqlite3_step(st->s);
	if (rc == SQLITE_ROW)
		return DBX_ROW;
	if (rc == SQLITE_DONE) {
		db->changes = sqlite3_changes(db->h);
		return DBX_DONE;
	}
	return lite_fail(db, rc);
}

int
dbx_column_count(struct dbx_stmt *st)
{
	if (st->db->engine == DBX_PG)
		return dbx_pg_column_count(st);
	return sqlite3_column_count(st->s);
}

int
dbx_column_type(struct dbx_stmt *st, int i)
{
	if (st->db->engine == DBX_PG)
		return dbx_pg_column_type(st, i);
	return sqlite3_column_type(st->s, i);
}

int64_t
dbx_column_int64(struct dbx_stmt *st, int i)
{
	const unsigned char *t;
	int64_t v;

	if (st->db->engine != DBX_PG)
		return sqlite3_column_int64(st->s, i);
	if ((t = dbx_pg_column_text(st, i)) == NULL)
		return 0;
	/* int and numeric come as decimal text (booleans as 1 / 0). */
	if (ds_parse_i64((const char *)t, INT64_MIN, INT64_MAX, &v) == 0)
		return v;
	return (int64_t)dbx_column_double(st, i);
}

int
dbx_column_int(struct dbx_stmt *st, int i)
{
	return (int)dbx_column_int64(st, i);
}

double
dbx_column_double(struct dbx_stmt *st, int i)
{
	const unsigned char *t;
	double d;

	if (st->db->engine != DBX_PG)
		return sqlite3_column_double(st->s, i);
	if ((t = dbx_pg_column_text(st, i)) == NULL ||
	    ds_parse_double((const char *)t, &d) != 0)
		return 0;
	return d;
}

const unsigned char *
dbx_column_text(struct dbx_stmt *st, int i)
{
	if (st->db->engine == DBX_PG)
		return dbx_pg_column_text(st, i);
	return sqlite3_column_text(st->s, i);
}

const void *
dbx_column_blob(struct dbx_stmt *st, int i)
{
	if (st->db->engine == DBX_PG)
		return dbx_pg_column_blob(st, i);
	return sqlite3_column_blob(st->s, i);
}

int
dbx_column_bytes(struct dbx_stmt *st, int i)
{
	if (st->db->engine == DBX_PG)
		return dbx_pg_column_bytes(st, i);
	return sqlite3_column_bytes(st->s, i);
}

int64_t
dbx_changes(struct dbx *db)
{
	/* The pipelined writes first: -1 from a failed one until rollback. */
	if (db->engine == DBX_PG && (dbx_pg_sync(db) != DBX_OK ||
	    db->failed))
		return -1;
	return db->changes;
}

int
dbx_copy_in(struct dbx *db, const char *sql, const void *data, size_t n)
{
	if (db->engine != DBX_PG)
		return dbx_fail(db, DS_EINVAL, "COPY needs PostgreSQL");
	return dbx_pg_copy_in(db, sql, data, n);
}

enum ds_status
dbx_status(const struct dbx *db)
{
	return db->st;
}

const char *
dbx_errmsg(const struct dbx *db)
{
	return db->msg;
}
