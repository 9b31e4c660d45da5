/* doorstep: what dbx.c (SQLite) and dbx_pg.c (libpq) share. */
#ifndef DS_DBX_INT_H
#define DS_DBX_INT_H

/* Not for use outside sync/dbx*.c. */
#include "dbx.h"

struct dbx {
	int		 engine;	/* enum dbx_engine */
	void		*h;		/* sqlite3 *, or PGconn * */
	enum ds_status	 st;		/* last failure */
	char		 msg[DS_ERR_MSG_MAX];
	int64_t		 changes;
	unsigned	 nprep;		/* PostgreSQL statement names */
	int		 npipe;		/* commands awaiting results */
	int		 failed;	/* a pipelined write failed */
};

/* A bound PostgreSQL parameter: its bytes are the statement's. */
struct dbx_param {
	int		 type;		/* DBX_NULL, _INTEGER, ... _BLOB */
	char		*p;
	size_t		 n, cap;
};

/* A bytea column of the current row, decoded from hex once. */
struct dbx_dec {
	int		 row;		/* -1: not decoded */
	unsigned char	*p;
	size_t		 n;
};

struct dbx_stmt {
	struct dbx	*db;
	void		*s;		/* sqlite3_stmt * */
	/* PostgreSQL */
	char		 name[24];	/* server-side prepared name */
	char		*sql;		/* ?N translated to $N */
	int		 prepared;
	int		 writes;	/* INSERT, UPDATE, DELETE: no rows */
	int		 deferred;	/* sent in the pipeline: done */
	int		 nparam;
	uint64_t	 used;		/* bit i-1: $i is in the SQL */
	struct dbx_param *par;
	void		*res;		/* PGresult *, or NULL */
	int		 row, nrows, ncols;
	struct dbx_dec	*dec;		/* ndec columns */
	int		 ndec;
};

/* Record a failure on the handle; returns DBX_ERROR. */
int		 dbx_fail(struct dbx *, enum ds_status, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* PostgreSQL (dbx_pg.c); dbx.c dispatches to these when engine is DBX_PG. */
enum ds_status	 dbx_pg_open(const char *url, struct dbx *,
		    struct ds_err *);
void		 dbx_pg_close(struct dbx *);
enum ds_status	 dbx_pg_exec(struct dbx *, const char *sql,
		    struct ds_err *);
enum ds_status	 dbx_pg_commit(struct dbx *, struct ds_err *);
int		 dbx_pg_prepare(struct dbx *, const char *sql,
		    struct dbx_stmt **);
void		 dbx_pg_finalize(struct dbx_stmt *);
void		 dbx_pg_reset(struct dbx_stmt *);
void		 dbx_pg_clear(struct dbx_stmt *);
int		 dbx_pg_bind(struct dbx_stmt *, int i, int type,
		    const void *, size_t n);
int		 dbx_pg_step(struct dbx_stmt *);
/* Wait for the pipelined writes; DBX_OK or DBX_ERROR (the first failure). */
int		 dbx_pg_sync(struct dbx *);
int		 dbx_pg_copy_in(struct dbx *, const char *sql, const void *,
		    size_t n);
int		 dbx_pg_column_count(struct dbx_stmt *);
int		 dbx_pg_column_type(struct dbx_stmt *, int i);
const unsigned char *dbx_pg_column_text(struct dbx_stmt *, int i);
const void	*dbx_pg_column_blob(struct dbx_stmt *, int i);
int		 dbx_pg_column_bytes(struct dbx_stmt *, int i);

#endif
