/* doorstep: read-only office.db queries for the reports. */
/*
 * Kept apart from odb.c/odb_sync.c (the sync engineer's) so the reports can
 * add queries without touching the importer's statements.  Every query
 * here is a SELECT on the schema documented in odb.c; statements are
 * prepared per call and finalized before returning, so a caller may run
 * them inside an odb_head_each callback.  Answers are sealed (odb.h):
 * each is opened into memory that is wiped after its callback.
 */
#include "odb_report.h"

#include <string.h>

#include "odb_int.h"

static const char Q_REV[] = "SELECT parent_rev_id, answers FROM revision"
    " WHERE rev_id = ?1";

enum ds_status
odb_report_ancestors(struct odb *o, const unsigned char rev_id[16],
    int (*cb)(void *, const char *, size_t), void *arg, struct ds_err *err)
{
	struct odb_plain pl = { NULL, 0, 0 };
	sqlite3_stmt *st;
	unsigned char cur[16];
	enum ds_status s = DS_OK;
	const void *p;
	int rc, depth;

	if (!odb_has_key(o))
		return ds_err_set(err, DS_ESTATE, "office db: opened without "
		    "the office secret key: answers cannot be read");
	rc = sqlite3_prepare_v2(o->db, Q_REV, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return odb_sqlerr(o->db, rc, err, "revision history");
	memcpy(cur, rev_id, 16);
	for (depth = 0; depth <= ODB_REPORT_DEPTH_MAX; depth++) {
		sqlite3_reset(st);
		sqlite3_bind_blob(st, 1, cur, 16, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			/* The parent was never imported here: history ends. */
			if (depth == 0)
				s = ds_err_set(err, DS_ENOENT,
				    "revision history: unknown revision");
			break;
		}
		if (rc != SQLITE_ROW) {
			s = odb_sqlerr(o->db, rc, err, "revision history");
			break;
		}
		if (depth > 0) {
			if ((s = odb_unseal(o, st, 1, cur, ODB_COL_ANSWERS,
			    &pl, err)) != DS_OK)
				break;
			rc = cb(arg, pl.p, pl.len);
			odb_plain_wipe(&pl);
			if (rc != 0)
				break;
		}
		p = sqlite3_column_blob(st, 0);
		if (p == NULL || sqlite3_column_bytes(st, 0) != 16)
			break;
		memcpy(cur, p, 16);
		if (memcmp(cur, rev_id, 16) == 0)
			break;		/* a cycle cannot be imported; stop */
	}
	sqlite3_finalize(st);
	odb_plain_free(&pl);
	return s;
}
