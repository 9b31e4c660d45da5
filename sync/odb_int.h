/* doorstep: office.db internals shared by the odb*.c files only. */
#ifndef DS_ODB_INT_H
#define DS_ODB_INT_H

/*
 * Not for use outside sync/odb*.c.  SQL goes through dbx.h (SQLite or
 * PostgreSQL).  Prepared statements are cached per connection, keyed by
 * the address of their static SQL text, so a hot import loop prepares
 * each query once.
 */
#include "cry.h"
#include "dbx.h"
#include "odb.h"

#define ODB_STMT_MAX	256

struct oset;

struct odb {
	struct dbx	*db;
	unsigned char	 office_id[16];
	unsigned char	*dkey;		/* data key, secure memory; or NULL */
	unsigned char	*bkey;		/* blind-index key ("officebi" 2) */
	unsigned char	*sbuf;		/* sealed-value scratch (ciphertext) */
	size_t		 scap;
	int		 in_txn;
	int		 county;	/* odb_open_county: reads only */
	int		 county_all;	/* ... every township of it */
	int		 revs;		/* head.revs lists a record's settled
					 * revisions (SQLite, schema 9) */
	const struct oset *set;		/* case settings (odb_case.c) */
	int		 nstmt;
	const char	*stmt_sql[ODB_STMT_MAX];
	struct dbx_stmt	*stmt[ODB_STMT_MAX];
};

/*
 * On PostgreSQL every primary and unique key leads with the tenant
 * columns (odb_pg.c): an ON CONFLICT target names them there.
 */
#define ODB_PG_KEY	"county_code, township_code, "

/* The SQL text for the connection's engine: lite, or pg on PostgreSQL. */
const char	*odb_sql(const struct odb *, const char *lite,
		    const char *pg);

/* The sealed columns of a revision; the tag goes into the AD. */
enum odb_col {
	ODB_COL_ANSWERS,
	ODB_COL_AUDIT,
	ODB_COL_CONSENT
};

/* Decrypted text, NUL-terminated; wiped by odb_plain_wipe / _free. */
struct odb_plain {
	char	*p;
	size_t	 len, cap;
};

/* Longest row key a sealed value is bound to; longest AD. */
#define ODB_ROWKEY_MAX	256
#define ODB_AD_MAX	(ODB_ROWKEY_MAX + 64)
/* Longest value a blind index is made of (after normalization). */
#define ODB_BLIND_VALUE_MAX	256

/* Bytes a sealed value of n plaintext bytes takes. */
#define ODB_SEALED_LEN(n)	((n) + CRY_AEAD_OVERHEAD)

/*
 * Seal n bytes of column col of revision rev_id into out
 * (ODB_SEALED_LEN(n) bytes); needs o->dkey.
 */
void		 odb_seal(const struct odb *, const unsigned char rev_id[16],
		    enum odb_col, const void *pt, size_t n, unsigned char *out);
/*
 * Open result column i of st (column col of revision rev_id) into pl,
 * growing it.  DS_ECRYPTO naming the revision if the value is not a
 * sealed blob of this row and column, DS_ESTATE without the key.
 */
enum ds_status	 odb_unseal(const struct odb *, struct dbx_stmt *, int i,
		    const unsigned char rev_id[16], enum odb_col,
		    struct odb_plain *pl, struct ds_err *);
/*
 * The same for any sealed column: tag "table.column" (< 48 bytes), key the
 * row's primary key bytes (<= ODB_ROWKEY_MAX), e.g. "hh.head_name" and
 * the household key.  odb_seal(rev, col) is odb_seal_row(col name, rev).
 */
void		 odb_seal_row(const struct odb *, const char *tag,
		    const void *key, size_t keylen, const void *pt, size_t n,
		    unsigned char *out);
enum ds_status	 odb_unseal_row(const struct odb *, struct dbx_stmt *,
		    int i, const char *tag, const void *key, size_t keylen,
		    struct odb_plain *pl, struct ds_err *);
/*
 * PostgreSQL (odb_pg.c).  odb_pg_check: the schema is this program's and
 * the connected role is a township's (DS_ESTATE otherwise; info says
 * what it is).  odb_pg_lock,
 * inside a transaction: wait for the township's write lock.
 */
enum ds_status	 odb_pg_check(struct dbx *, struct odb_pg_info *,
		    struct ds_err *);
/* As the county role: read only `township`'s rows ("": every one). */
enum ds_status	 odb_pg_scope(struct dbx *, const char *township,
		    struct ds_err *);
enum ds_status	 odb_pg_lock(struct dbx *, struct ds_err *);

/* Wipe the used part (keeps the buffer); free wipes and releases it. */
void		 odb_plain_wipe(struct odb_plain *);
void		 odb_plain_free(struct odb_plain *);

/*
 * The failure the handle holds (rc DBX_ERROR) as a status and a message
 * naming `what`; any other rc (a row where none was due) is DS_EIO.
 */
enum ds_status	 odb_sqlerr(struct dbx *, int rc, struct ds_err *,
		    const char *what);
enum ds_status	 odb_exec(struct dbx *, const char *sql, struct ds_err *);

/*
 * The cached, reset statement for the static string `sql` (compared by
 * address), with bindings cleared.  NULL on failure with err set.
 */
struct dbx_stmt	*odb_stmt(struct odb *, const char *sql,
		    struct ds_err *);
/* Finalize every cached statement. */
void		 odb_stmts_free(struct odb *);

#endif
