/* doorstep: office.db internals shared by the odb*.c files only. */
#ifndef DS_ODB_INT_H
#define DS_ODB_INT_H

/*
 * Not for use outside sync/odb*.c: this header brings in <sqlite3.h>.
 * Prepared statements are cached per connection, keyed by the address of
 * their static SQL text, so a hot import loop prepares each query once.
 */
#include <sqlite3.h>

#include "odb.h"

#define ODB_STMT_MAX	64

struct odb {
	sqlite3		*db;
	unsigned char	 office_id[16];
	int		 in_txn;
	int		 nstmt;
	const char	*stmt_sql[ODB_STMT_MAX];
	sqlite3_stmt	*stmt[ODB_STMT_MAX];
};

/* Map an SQLite result code to a status and a message naming `what`. */
enum ds_status	 odb_sqlerr(sqlite3 *, int rc, struct ds_err *,
		    const char *what);
enum ds_status	 odb_exec(sqlite3 *, const char *sql, struct ds_err *);

/*
 * The cached, reset statement for the static string `sql` (compared by
 * address), with bindings cleared.  NULL on failure with err set.
 */
sqlite3_stmt	*odb_stmt(struct odb *, const char *sql, struct ds_err *);
/* Finalize every cached statement. */
void		 odb_stmts_free(struct odb *);

#endif
