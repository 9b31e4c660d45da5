/* doorstep: read-only office.db queries for the reports (sync layer). */
#ifndef DS_ODB_REPORT_H
#define DS_ODB_REPORT_H

/*
 * The reports read the current heads through odb_head_each (odb.h).  This
 * header adds what they need beyond that and what odb.c does not offer:
 * the history of one head (its parent chain), used to tell a re-flagged
 * household from a new one.  Nothing here writes.
 */
#include <stddef.h>

#include "odb.h"
#include "status.h"

/* Longest parent chain walked; a longer one is cut (and a cycle ends). */
#define ODB_REPORT_DEPTH_MAX	10000

/*
 * Call cb with the answers JSON (len bytes, NUL-terminated, valid during
 * the call) of each ancestor of revision rev_id, nearest first, following
 * parent_rev_id until a revision has no parent or its parent is not in the
 * database.  The revision itself is not passed.  A non-zero cb return stops
 * the walk.  DS_ENOENT if rev_id is unknown.  The answers are decrypted
 * into memory wiped after each call: needs the data key (DS_ESTATE), and
 * an ancestor whose row does not open is DS_ECRYPTO naming it.
 */
enum ds_status	 odb_report_ancestors(struct odb *,
		    const unsigned char rev_id[16],
		    int (*cb)(void *, const char *answers, size_t len),
		    void *arg, struct ds_err *);

#endif
