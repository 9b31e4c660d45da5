/* doorstep: one SQL interface over SQLite and PostgreSQL — sync layer. */
#ifndef DS_DBX_H
#define DS_DBX_H

/*
 * The office database speaks SQL through this interface only, so office.db
 * can be an SQLite file (the default: nothing to set up) or a PostgreSQL
 * database shared by a county's townships (docs/sync.md "The office store
 * on PostgreSQL").  dbx.c holds SQLite behind it, dbx_pg.c libpq.
 *
 * The calls follow SQLite's: prepare, bind (1-based), step, column
 * getters (0-based), reset, finalize.  SQL is written once, in the subset
 * both engines run: parameters are ?N (PostgreSQL gets $N), conflicts are
 * INSERT ... ON CONFLICT, blobs are bytea on PostgreSQL.  What one engine
 * cannot run is chosen by dbx_engine in the caller.
 *
 * Errors: a failed call returns DBX_ERROR (or a status) and leaves a
 * status and a developer message on the handle (dbx_status, dbx_errmsg),
 * as sqlite3_errmsg does; they stay until the next failure.
 *
 * Text and blob values given to bind are copied (not those given to the
 * _ref binds); column values are valid until the next step, reset or
 * finalize of their statement.  A handle and its statements are not
 * thread safe.
 */
#include <stddef.h>
#include <stdint.h>

#include "status.h"

enum dbx_engine {
	DBX_SQLITE = 1,
	DBX_PG = 2
};

/* dbx_step results (SQLite's numbers) and the failure of any int call. */
#define DBX_OK		0
#define DBX_ERROR	1
#define DBX_ROW		100
#define DBX_DONE	101

/* Column types (SQLite's numbers). */
#define DBX_INTEGER	1
#define DBX_FLOAT	2
#define DBX_TEXT	3
#define DBX_BLOB	4
#define DBX_NULL	5

struct dbx;
struct dbx_stmt;

/* 1 if s names a PostgreSQL database (postgresql:// or postgres://). */
int		 dbx_is_url(const char *s);

/*
 * Open an existing SQLite file read-write (no symlinks), or connect to the
 * PostgreSQL database a URL names.  DS_ENOENT if the file does not exist;
 * DS_EIO (with libpq's message) if the server does not answer or refuses.
 * The caller owns *out (dbx_close).
 */
enum ds_status	 dbx_open(const char *where, struct dbx **out,
		    struct ds_err *);
/* Close the handle (statements must be finalized first); NULL is fine. */
void		 dbx_close(struct dbx *);
int		 dbx_engine(const struct dbx *);

/* Run SQL without parameters (may hold several statements; no rows). */
enum ds_status	 dbx_exec(struct dbx *, const char *sql, struct ds_err *);
/*
 * Transactions.  dbx_begin takes SQLite's write lock at once (BEGIN
 * IMMEDIATE); on PostgreSQL it is BEGIN at READ COMMITTED, callers take
 * the locks their invariants need (odb: one advisory lock per township).
 */
enum ds_status	 dbx_begin(struct dbx *, struct ds_err *);
enum ds_status	 dbx_commit(struct dbx *, struct ds_err *);
void		 dbx_rollback(struct dbx *);

/* Compile sql; the caller owns *out (dbx_finalize).  DBX_OK or DBX_ERROR. */
int		 dbx_prepare(struct dbx *, const char *sql,
		    struct dbx_stmt **out);
void		 dbx_finalize(struct dbx_stmt *);
/* Make the statement ready to step again; bindings stay. */
void		 dbx_reset(struct dbx_stmt *);
/* Set every parameter to NULL. */
void		 dbx_clear(struct dbx_stmt *);

/* Bind parameter i (from 1).  n < 0: up to the NUL.  DBX_OK / DBX_ERROR. */
int		 dbx_bind_int64(struct dbx_stmt *, int i, int64_t);
int		 dbx_bind_int(struct dbx_stmt *, int i, int);
int		 dbx_bind_double(struct dbx_stmt *, int i, double);
int		 dbx_bind_text(struct dbx_stmt *, int i, const char *,
		    int n);
int		 dbx_bind_blob(struct dbx_stmt *, int i, const void *,
		    int n);
int		 dbx_bind_null(struct dbx_stmt *, int i);
/*
 * As dbx_bind_text and dbx_bind_blob, without the copy on SQLite: p must
 * stay as it is until the statement has stepped and is reset and cleared
 * or bound anew (odb_stmt clears a statement before its next use).  For
 * the import's statements, whose values live in the bundle and the
 * caller's structures; PostgreSQL copies as before.
 */
int		 dbx_bind_text_ref(struct dbx_stmt *, int i, const char *,
		    int n);
int		 dbx_bind_blob_ref(struct dbx_stmt *, int i, const void *,
		    int n);

/*
 * DBX_ROW, DBX_DONE or DBX_ERROR (the message is on the handle).  On
 * PostgreSQL a write inside a transaction answers DBX_DONE at once and
 * its failure is reported by the next call that waits for the server.
 */
int		 dbx_step(struct dbx_stmt *);

int		 dbx_column_count(struct dbx_stmt *);
int		 dbx_column_type(struct dbx_stmt *, int i);
int64_t		 dbx_column_int64(struct dbx_stmt *, int i);
int		 dbx_column_int(struct dbx_stmt *, int i);
double		 dbx_column_double(struct dbx_stmt *, int i);
/* NULL for SQL NULL; a zero-length blob is NULL too (as in SQLite). */
const unsigned char *dbx_column_text(struct dbx_stmt *, int i);
const void	*dbx_column_blob(struct dbx_stmt *, int i);
int		 dbx_column_bytes(struct dbx_stmt *, int i);

/*
 * Rows changed by the last INSERT, UPDATE or DELETE on the handle, or -1.
 * On PostgreSQL a write inside a transaction does not wait for the server
 * (dbx_pg.c): this call waits, and answers -1 if a write of the
 * transaction failed (until its rollback); the failure's status and
 * message are on the handle (dbx_status, dbx_errmsg), so a caller that
 * counts reports the cause, not "nothing changed".  Never -1 on SQLite.
 */
int64_t		 dbx_changes(struct dbx *);

/*
 * PostgreSQL only: run sql, a COPY ... FROM STDIN, with the n bytes of
 * data (COPY's text format) and wait for its end; dbx_changes then counts
 * the rows.  Many rows in one statement: what a bundle's import stages
 * (odb_pg_imp.c).  DBX_OK, or DBX_ERROR with the failure on the handle
 * (on SQLite always, DS_EINVAL).
 */
int		 dbx_copy_in(struct dbx *, const char *sql, const void *data,
		    size_t n);

/* The last failure: its status and message ("" when none). */
enum ds_status	 dbx_status(const struct dbx *);
const char	*dbx_errmsg(const struct dbx *);

#endif
