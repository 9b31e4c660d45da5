/* doorstep: the store interface on PostgreSQL (libpq). */
/*
 * A statement is prepared on the server (one name per statement and
 * connection) at its first step, with ?N rewritten to $N.  Step runs it
 * and keeps the whole result; later steps walk its rows, so other
 * statements may run while a caller iterates (as the odb callbacks do).
 * Parameters go as text (numbers, text) or as binary bytea (blobs); the
 * server infers each parameter's type from the SQL.  Results come as
 * text: numbers are parsed, bytea is decoded from hex once per row and
 * column, booleans read as 1 / 0.  libpq's notices are dropped: library
 * code never prints.
 *
 * Inside a transaction a write (INSERT, UPDATE or DELETE without
 * RETURNING) does not wait for the server: its step sends it in libpq's
 * pipeline mode and answers DBX_DONE.  The next call that needs the
 * server (a read, dbx_changes, exec, commit, finalize) sends a sync and
 * reads every pending result first, so the server runs the statements in
 * the caller's order and a read sees the writes before it; an import
 * waits once per read instead of once per statement.  A pipelined write
 * that fails aborts the transaction, as any failed statement does on
 * PostgreSQL: the failure (its status and message) is reported by that
 * next call (dbx_changes answers -1), and COMMIT cannot succeed after it.
 */
#include "dbx_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "mem.h"

/* Type OIDs of pg_type.h (stable across releases). */
#define PG_BOOL		16
#define PG_BYTEA	17
#define PG_INT8		20
#define PG_INT2		21
#define PG_INT4		23
#define PG_TEXT		25
#define PG_OID		26
#define PG_FLOAT4	700
#define PG_FLOAT8	701
#define PG_NUMERIC	1700

/* Most parameters a statement may have. */
#define DBX_PG_PARAMS	64
/*
 * Most commands in the pipeline before a sync: their results (a few
 * bytes each) must fit the socket's buffer while the client still sends.
 */
#define DBX_PG_PIPE_MAX	256
/* SQLSTATE of a statement refused because the transaction failed. */
#define PG_IN_FAILED_TXN	"25P02"

static void
no_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* The SQLSTATE of a failed result, as a status. */
static enum ds_status
pg_status(const PGresult *res)
{
	const char *c = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (c == NULL)
		return DS_EIO;
	if (strncmp(c, "23", 2) == 0)
		return DS_ECONSTRAINT;
	if (strcmp(c, "40001") == 0 || strcmp(c, "40P01") == 0 ||
	    strcmp(c, "55P03") == 0)
		return DS_EBUSY;
	if (strcmp(c, "53100") == 0)
		return DS_ENOSPC;
	if (strcmp(c, "53200") == 0)
		return DS_ENOMEM;
	return DS_EIO;
}

/* Record the failure of res (may be NULL: the connection's). */
static int
pg_fail(struct dbx *db, const PGresult *res)
{
	const char *m = res != NULL ? PQresultErrorMessage(res) : "";
	const char *c = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	size_t n;

	/* After a failed pipelined write, its failure is the one to tell. */
	if (db->failed && c != NULL && strcmp(c, PG_IN_FAILED_TXN) == 0)
		return DBX_ERROR;

	if (*m == '\0')
		m = PQerrorMessage(db->h);
	dbx_fail(db, pg_status(res), "%s", m);
	n = strlen(db->msg);
	while (n > 0 && (db->msg[n - 1] == '\n' || db->msg[n - 1] == ' '))
		db->msg[--n] = '\0';
	return DBX_ERROR;
}

enum ds_status
dbx_pg_open(const char *url, struct dbx *db, struct ds_err *err)
{
	PGconn *c;
	enum ds_status s;

	if ((c = PQconnectdb(url)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if (PQstatus(c) != CONNECTION_OK) {
		s = ds_err_set(err, DS_EIO, "postgresql: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		return s;
	}
	PQsetNoticeProcessor(c, no_notice, NULL);
	db->h = c;
	/* What the decoder reads, whatever the role or database sets. */
	if ((s = dbx_pg_exec(db, "SET bytea_output = hex;"
	    "SET client_encoding = 'UTF8'", err)) != DS_OK) {
		PQfinish(c);
		db->h = NULL;
		return s;
	}
	return DS_OK;
}

void
dbx_pg_close(struct dbx *db)
{
	PQfinish(db->h);
}

/*
 * Send a sync, read the results of the commands in the pipeline and leave
 * pipeline mode.  keep, if not NULL, receives the last command's rows (a
 * read the caller sent last), or NULL.  DBX_ERROR records the first
 * failure on the handle and marks it failed (pg_fail).
 */
static int
pipe_end(struct dbx *db, PGresult **keep)
{
	PGconn *c = db->h;
	PGresult *r;
	ExecStatusType x;
	int rc = DBX_OK, i, n = db->npipe;

	if (keep != NULL)
		*keep = NULL;
	if (n == 0)
		return DBX_OK;
	db->npipe = 0;
	if (PQpipelineSync(c) != 1)
		rc = pg_fail(db, NULL);
	for (i = 0; i < n; i++)
		while ((r = PQgetResult(c)) != NULL) {
			x = PQresultStatus(r);
			if (x == PGRES_COMMAND_OK)
				db->changes = strtoll(PQcmdTuples(r), NULL, 10);
			else if (x == PGRES_TUPLES_OK && keep != NULL &&
			    i == n - 1 && *keep == NULL) {
				*keep = r;
				continue;
			} else if (x != PGRES_TUPLES_OK && rc == DBX_OK) {
				/* The failure, then PGRES_PIPELINE_ABORTED. */
				rc = pg_fail(db, r);
				db->failed = 1;
			}
			PQclear(r);
		}
	/* The sync's own result, then nothing is pending. */
	while ((r = PQgetResult(c)) != NULL) {
		x = PQresultStatus(r);
		PQclear(r);
		if (x == PGRES_PIPELINE_SYNC)
			break;
	}
	if (PQexitPipelineMode(c) != 1 && rc == DBX_OK) {
		rc = pg_fail(db, NULL);
		db->failed = 1;
	}
	if (rc != DBX_OK && keep != NULL) {
		PQclear(*keep);
		*keep = NULL;
	}
	return rc;
}

int
dbx_pg_sync(struct dbx *db)
{
	return pipe_end(db, NULL);
}

enum ds_status
dbx_pg_exec(struct dbx *db, const char *sql, struct ds_err *err)
{
	PGresult *r;
	ExecStatusType x;
	int end = strcmp(sql, "ROLLBACK") == 0 || strcmp(sql, "BEGIN") == 0;

	/* A rollback goes on whatever the pipelined writes did. */
	if (pipe_end(db, NULL) != DBX_OK && strcmp(sql, "ROLLBACK") != 0)
		return ds_err_set(err, db->st, "%s", db->msg);
	if (end)
		db->failed = 0;
	r = PQexec(db->h, sql);
	x = PQresultStatus(r);
	if (x != PGRES_COMMAND_OK && x != PGRES_TUPLES_OK) {
		pg_fail(db, r);
		PQclear(r);
		return ds_err_set(err, db->st, "%s", db->msg);
	}
	PQclear(r);
	return DS_OK;
}

/*
 * COMMIT of a transaction aborted by a failed statement rolls back and
 * answers "ROLLBACK" with no error: only "COMMIT" is a commit.
 */
enum ds_status
dbx_pg_commit(struct dbx *db, struct ds_err *err)
{
	PGresult *r;
	enum ds_status s = DS_OK;

	if (pipe_end(db, NULL) != DBX_OK || db->failed)
		return ds_err_set(err, db->st, "%s", db->msg);
	r = PQexec(db->h, "COMMIT");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		pg_fail(db, r);
		s = ds_err_set(err, db->st, "%s", db->msg);
	} else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		dbx_fail(db, DS_EIO, "the transaction was rolled back");
		s = ds_err_set(err, db->st, "%s", db->msg);
	}
	PQclear(r);
	return s;
}

/*
 * ?N becomes $N and a bare ? the next number, outside quotes.  *np is the
 * highest parameter number.  NULL when out of memory or over the cap.
 */
static char *
translate(const char *sql, int *np, uint64_t *used)
{
	size_t n = strlen(sql), o = 0;
	char *out, q = 0;
	int next = 0, v;

	*np = 0;
	*used = 0;
	/* "?" -> "$NN": at most two more bytes a parameter. */
	if ((out = ds_malloc(n * 3 + 1)) == NULL)
		return NULL;
	for (const char *p = sql; *p != '\0'; p++) {
		if (q != 0) {
			if (*p == q)
				q = 0;
			out[o++] = *p;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			q = *p;
			out[o++] = *p;
			continue;
		}
		if (*p != '?') {
			out[o++] = *p;
			continue;
		}
		if (p[1] >= '0' && p[1] <= '9') {
			v = 0;
			while (p[1] >= '0' && p[1] <= '9' && v <= DBX_PG_PARAMS)
				v = v * 10 + (*++p - '0');
		} else
			v = next + 1;
		if (v < 1 || v > DBX_PG_PARAMS) {
			ds_free(out);
			return NULL;
		}
		next = v;
		*used |= (uint64_t)1 << (v - 1);
		if (v > *np)
			*np = v;
		o += (size_t)snprintf(out + o, 4, "$%d", v);
	}
	out[o] = '\0';
	return out;
}

/* The first word of sql, case-insensitively, is w (a word of capitals). */
static int
first_word(const char *sql, const char *w)
{
	size_t n = strlen(w);

	while (*sql == ' ' || *sql == '\t' || *sql == '\n')
		sql++;
	return strncasecmp(sql, w, n) == 0 && !(sql[n] >= 'A' &&
	    sql[n] <= 'Z') && !(sql[n] >= 'a' && sql[n] <= 'z') &&
	    sql[n] != '_';
}

/* 1 if sql changes rows and returns none: it may wait in the pipeline. */
static int
is_write(const char *sql)
{
	if (!first_word(sql, "INSERT") && !first_word(sql, "UPDATE") &&
	    !first_word(sql, "DELETE"))
		return 0;
	for (const char *p = sql; *p != '\0'; p++)
		if (strncasecmp(p, "RETURNING", 9) == 0)
			return 0;
	return 1;
}

int
dbx_pg_prepare(struct dbx *db, const char *sql, struct dbx_stmt **out)
{
	struct dbx_stmt *st;

	if ((st = ds_calloc(1, sizeof(*st))) == NULL)
		return dbx_fail(db, DS_ENOMEM, "out of memory");
	st->db = db;
	st->row = -1;
	if ((st->sql = translate(sql, &st->nparam, &st->used)) == NULL) {
		ds_free(st);
		return dbx_fail(db, DS_ELIMIT, "statement has more than %d "
		    "parameters, or no memory", DBX_PG_PARAMS);
	}
	if (st->nparam > 0 && (st->par = ds_calloc((size_t)st->nparam,
	    sizeof(*st->par))) == NULL) {
		ds_free(st->sql);
		ds_free(st);
		return dbx_fail(db, DS_ENOMEM, "out of memory");
	}
	for (int i = 0; i < st->nparam; i++)
		st->par[i].type = DBX_NULL;
	st->writes = is_write(sql);
	snprintf(st->name, sizeof(st->name), "dbx%u", ++db->nprep);
	*out = st;
	return DBX_OK;
}

static void
drop_result(struct dbx_stmt *st)
{
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = st->ncols = 0;
}

/* Forget the decoded columns (their buffers are kept for reuse). */
static void
dec_reset(struct dbx_stmt *st)
{
	for (int i = 0; i < st->ndec; i++)
		st->dec[i].row = -1;
}

void
dbx_pg_finalize(struct dbx_stmt *st)
{
	char q[48];
	int i;

	drop_result(st);
	(void)pipe_end(st->db, NULL);
	if (st->prepared) {
		/* Fails in an aborted transaction: the name is never reused. */
		snprintf(q, sizeof(q), "DEALLOCATE %s", st->name);
		PQclear(PQexec(st->db->h, q));
	}
	for (i = 0; i < st->nparam; i++)
		ds_free(st->par[i].p);
	ds_free(st->par);
	for (i = 0; i < st->ndec; i++)
		ds_free(st->dec[i].p);
	ds_free(st->dec);
	ds_free(st->sql);
	ds_free(st);
}

void
dbx_pg_reset(struct dbx_stmt *st)
{
	drop_result(st);
	st->deferred = 0;
}

void
dbx_pg_clear(struct dbx_stmt *st)
{
	for (int i = 0; i < st->nparam; i++)
		st->par[i].type = DBX_NULL;
}

int
dbx_pg_bind(struct dbx_stmt *st, int i, int type, const void *p, size_t n)
{
	struct dbx_param *pa;
	char *np;

	if (i < 1 || i > st->nparam)
		return dbx_fail(st->db, DS_EINVAL, "bind: no parameter %d", i);
	pa = &st->par[i - 1];
	pa->type = type;
	pa->n = n;
	if (type == DBX_NULL)
		return DBX_OK;
	/* Text goes in text format: NUL-terminated. */
	if (n + 1 > pa->cap) {
		if ((np = ds_realloc(pa->p, n + 1)) == NULL) {
			pa->type = DBX_NULL;
			return dbx_fail(st->db, DS_ENOMEM, "out of memory");
		}
		pa->p = np;
		pa->cap = n + 1;
	}
	if (n > 0)
		memcpy(pa->p, p, n);
	pa->p[n] = '\0';
	return DBX_OK;
}

/*
 * Prepare on the server (first step, outside the pipeline: a prepare an
 * aborted pipeline skipped would leave a name the server does not know)
 * and execute with the bindings.  *out: the result of the prepare if it
 * failed, else of the statement; with pipe, it is queued and *out stays
 * NULL.  A read sent while writes wait joins the pipeline and ends it.
 */
static int
run(struct dbx_stmt *st, int pipe, PGresult **out)
{
	const char *val[DBX_PG_PARAMS];
	int len[DBX_PG_PARAMS], fmt[DBX_PG_PARAMS];
	Oid type[DBX_PG_PARAMS];
	struct dbx *db = st->db;
	PGresult *r;
	int i;

	for (i = 0; i < st->nparam; i++) {
		struct dbx_param *pa = &st->par[i];

		val[i] = pa->type == DBX_NULL ? NULL : pa->p;
		len[i] = (int)pa->n;
		fmt[i] = pa->type == DBX_BLOB;
		/* A number the SQL skips (SQLite allows it) has no type
		 * to infer: text, whatever is bound. */
		type[i] = pa->type == DBX_BLOB ? PG_BYTEA :
		    (st->used & (uint64_t)1 << i) == 0 ? PG_TEXT : 0;
	}
	*out = NULL;
	if (!st->prepared) {
		if (pipe_end(db, NULL) != DBX_OK)
			return DBX_ERROR;
		r = PQprepare(db->h, st->name, st->sql, st->nparam, type);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			*out = r;
			return DBX_OK;
		}
		PQclear(r);
		st->prepared = 1;
	}
	if (!pipe && db->npipe == 0) {
		*out = PQexecPrepared(db->h, st->name, st->nparam, val, len,
		    fmt, 0);
		return DBX_OK;
	}
	if ((db->npipe == 0 && PQenterPipelineMode(db->h) != 1) ||
	    PQsendQueryPrepared(db->h, st->name, st->nparam, val, len, fmt,
	    0) != 1) {
		pg_fail(db, NULL);
		if (db->npipe == 0)
			(void)PQexitPipelineMode(db->h);
		return DBX_ERROR;
	}
	db->npipe++;
	if (!pipe)		/* a read: its rows, after the writes before */
		return pipe_end(db, out);
	if (db->npipe >= DBX_PG_PIPE_MAX)
		return pipe_end(db, NULL);
	return DBX_OK;
}

/* A write inside a transaction need not wait (the comment at the top). */
static int
can_defer(struct dbx_stmt *st)
{
	return st->writes && (st->db->npipe > 0 ||
	    PQtransactionStatus(st->db->h) == PQTRANS_INTRANS);
}

int
dbx_pg_step(struct dbx_stmt *st)
{
	struct dbx_dec *nd;
	ExecStatusType x;
	PGresult *r;

	if (st->deferred)
		return DBX_DONE;
	if (st->res == NULL && can_defer(st)) {
		if (run(st, 1, &r) != DBX_OK) {
			PQclear(r);
			return DBX_ERROR;
		}
		if (r == NULL) {
			st->deferred = 1;
			return DBX_DONE;
		}
		/* The prepare failed. */
		pg_fail(st->db, r);
		PQclear(r);
		return DBX_ERROR;
	}
	if (st->res == NULL) {
		if (run(st, 0, &r) != DBX_OK) {
			PQclear(r);
			return DBX_ERROR;
		}
		x = PQresultStatus(r);
		if (x != PGRES_TUPLES_OK && x != PGRES_COMMAND_OK) {
			pg_fail(st->db, r);
			PQclear(r);
			return DBX_ERROR;
		}
		st->res = r;
		st->row = -1;
		st->nrows = PQntuples(r);
		st->ncols = PQnfields(r);
		if (x == PGRES_COMMAND_OK)
			st->db->changes = strtoll(PQcmdTuples(r), NULL, 10);
		if (st->ncols > st->ndec) {
			nd = ds_realloc(st->dec, (size_t)st->ncols *
			    sizeof(*nd));
			if (nd == NULL) {
				drop_result(st);
				return dbx_fail(st->db, DS_ENOMEM,
				    "out of memory");
			}
			memset(nd + st->ndec, 0, (size_t)(st->ncols -
			    st->ndec) * sizeof(*nd));
			st->dec = nd;
			st->ndec = st->ncols;
		}
	}
	dec_reset(st);
	if (st->row + 1 < st->nrows) {
		st->row++;
		return DBX_ROW;
	}
	st->row = st->nrows;
	return DBX_DONE;
}

/* Bytes a PQputCopyData call sends at most (its length is an int). */
#define DBX_PG_COPY_CHUNK	(1 << 20)

int
dbx_pg_copy_in(struct dbx *db, const char *sql, const void *data, size_t n)
{
	const char *p = data;
	PGresult *r;
	ExecStatusType x;
	size_t k;
	int rc = DBX_OK;

	/* The writes before it first, in order; none after a failure. */
	if (pipe_end(db, NULL) != DBX_OK || db->failed)
		return DBX_ERROR;
	r = PQexec(db->h, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		pg_fail(db, r);
		PQclear(r);
		return DBX_ERROR;
	}
	PQclear(r);
	for (; n > 0 && rc == DBX_OK; p += k, n -= k) {
		k = n < DBX_PG_COPY_CHUNK ? n : DBX_PG_COPY_CHUNK;
		if (PQputCopyData(db->h, p, (int)k) != 1)
			rc = pg_fail(db, NULL);
	}
	/* Ended with an error message when sending failed: no rows. */
	if (PQputCopyEnd(db->h, rc == DBX_OK ? NULL : "send failed") != 1 &&
	    rc == DBX_OK)
		rc = pg_fail(db, NULL);
	while ((r = PQgetResult(db->h)) != NULL) {
		x = PQresultStatus(r);
		if (x == PGRES_COMMAND_OK)
			db->changes = strtoll(PQcmdTuples(r), NULL, 10);
		else if (rc == DBX_OK)
			rc = pg_fail(db, r);
		PQclear(r);
	}
	return rc;
}

int
dbx_pg_column_count(struct dbx_stmt *st)
{
	return st->res != NULL ? st->ncols : 0;
}

/* 1 if (current row, column i) holds a value. */
static int
have(struct dbx_stmt *st, int i)
{
	return st->res != NULL && st->row >= 0 && st->row < st->nrows &&
	    i >= 0 && i < st->ncols && !PQgetisnull(st->res, st->row, i);
}

int
dbx_pg_column_type(struct dbx_stmt *st, int i)
{
	if (!have(st, i))
		return DBX_NULL;
	switch (PQftype(st->res, i)) {
	case PG_BYTEA:
		return DBX_BLOB;
	case PG_BOOL:
	case PG_INT2:
	case PG_INT4:
	case PG_INT8:
	case PG_OID:
		return DBX_INTEGER;
	case PG_FLOAT4:
	case PG_FLOAT8:
	case PG_NUMERIC:
		return DBX_FLOAT;
	default:
		return DBX_TEXT;
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The bytea column i of the current row, decoded (NUL-terminated). */
static struct dbx_dec *
decode(struct dbx_stmt *st, int i)
{
	struct dbx_dec *d = &st->dec[i];
	const char *t = PQgetvalue(st->res, st->row, i);
	size_t n = (size_t)PQgetlength(st->res, st->row, i), k;
	unsigned char *np;
	int h, l;

	if (d->row == st->row)
		return d;
	/* bytea_output = hex: "\x" then two digits a byte. */
	if (n < 2 || t[0] != '\\' || t[1] != 'x' || (n - 2) % 2 != 0) {
		dbx_fail(st->db, DS_ECORRUPT, "bytea not in hex form");
		return NULL;
	}
	n = (n - 2) / 2;
	/* The buffer is only ever grown; d->n is this row's length. */
	if ((np = ds_realloc(d->p, n + 1)) == NULL) {
		dbx_fail(st->db, DS_ENOMEM, "out of memory");
		return NULL;
	}
	d->p = np;
	for (k = 0; k < n; k++) {
		if ((h = hexval(t[2 + 2 * k])) < 0 ||
		    (l = hexval(t[3 + 2 * k])) < 0) {
			dbx_fail(st->db, DS_ECORRUPT, "bytea not in hex form");
			return NULL;
		}
		d->p[k] = (unsigned char)(h << 4 | l);
	}
	d->p[n] = '\0';
	d->n = n;
	d->row = st->row;
	return d;
}

const unsigned char *
dbx_pg_column_text(struct dbx_stmt *st, int i)
{
	struct dbx_dec *d;
	const char *t;

	if (!have(st, i))
		return NULL;
	switch (PQftype(st->res, i)) {
	case PG_BYTEA:
		return (d = decode(st, i)) != NULL ? d->p : NULL;
	case PG_BOOL:
		t = PQgetvalue(st->res, st->row, i);
		return (const unsigned char *)(t[0] == 't' ? "1" : "0");
	default:
		return (const unsigned char *)PQgetvalue(st->res, st->row, i);
	}
}

const void *
dbx_pg_column_blob(struct dbx_stmt *st, int i)
{
	if (!have(st, i) || dbx_pg_column_bytes(st, i) == 0)
		return NULL;
	return dbx_pg_column_text(st, i);
}

int
dbx_pg_column_bytes(struct dbx_stmt *st, int i)
{
	struct dbx_dec *d;

	if (!have(st, i))
		return 0;
	switch (PQftype(st->res, i)) {
	case PG_BYTEA:
		return (d = decode(st, i)) != NULL ? (int)d->n : 0;
	case PG_BOOL:
		return 1;
	default:
		return PQgetlength(st->res, st->row, i);
	}
}
