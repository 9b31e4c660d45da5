/* doorstep: the office database (office.db, SQLite) — sync layer. */
#ifndef DS_ODB_H
#define DS_ODB_H

/*
 * office.db holds what the township office knows: the devices (pending,
 * enrolled, revoked), the bundle ledger with each stored receipt, every
 * imported revision, the current head of each record, fork flags and the
 * per-device acknowledged sequence ranges.  odb*.c are the only sync files
 * that include <sqlite3.h>; everything else goes through this header.
 *
 * One struct odb is one connection (WAL, synchronous=FULL, secure_delete,
 * temp_store=MEMORY, foreign keys, busy timeout).  It is not thread safe;
 * the HTTP receiver serialises imports on one connection.
 *
 * Schema versions are kept in PRAGMA user_version; odb_open refuses a file
 * whose application_id is not office.db's or whose version is newer than
 * this program knows (ODB_SCHEMA_VERSION), and migrates older ones.
 */
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define ODB_SCHEMA_VERSION	1
#define ODB_APPLICATION_ID	0x44534f46	/* "DSOF" */

struct odb;

/*
 * Create a new office.db at `path` for the office `office_id` with the
 * current schema.  Refuses (DS_EEXIST) if `path` already exists, so an
 * office is never initialised twice over its data.  The file is complete
 * and durable when this returns DS_OK; on failure nothing is left behind.
 */
enum ds_status	 odb_create(const char *path,
		    const unsigned char office_id[16], struct ds_err *);

/*
 * Open an existing office.db read-write.  DS_ENOENT when it does not
 * exist, DS_ECORRUPT when it is not an office database or fails
 * quick_check, DS_ESTATE when its schema is newer than this program's.
 * The caller owns *out and closes it with odb_close.
 */
enum ds_status	 odb_open(const char *path, struct odb **out,
		    struct ds_err *);
/* Close and free; NULL is allowed. */
void		 odb_close(struct odb *);

/* The office id recorded at creation. */
void		 odb_office_id(const struct odb *, unsigned char out[16]);

#endif
