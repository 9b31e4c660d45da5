/* doorstep: dbx on SQLite: how an I/O failure is worded, one at a time. */
/*
 * A file at its size limit (ulimit -f) fails with EFBIG: a full disk.  The
 * database file keeps that errno until its next failure, so a later
 * unrelated I/O error (a disk read failing, support/failvfs.h) on the same
 * connection -- serve runs for days -- was worded "disk full" too.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "harness.h"
#include "support/failvfs.h"
#include "support/support.h"

#include "dbx.h"
#include "mem.h"
#include "util.h"

#define ROW_BYTES	3000	/* about one page a row */
#define NROWS		200

static const char *tmp;

/* Insert one row of ROW_BYTES; the step's result. */
static int
insert_row(struct dbx *db)
{
	static unsigned char blob[ROW_BYTES];
	struct dbx_stmt *s;
	int rc;

	if (dbx_prepare(db, "INSERT INTO t(x) VALUES (?1)", &s) != DBX_OK)
		return DBX_ERROR;
	memset(blob, 'x', sizeof(blob));
	dbx_bind_blob(s, 1, blob, (int)sizeof(blob));
	rc = dbx_step(s);
	dbx_finalize(s);
	return rc;
}

static void
test_full_then_read_error_is_not_full(void)
{
	struct rlimit old, lim;
	struct dbx *db = NULL;
	struct dbx_stmt *s = NULL;
	struct ds_err err;
	char path[600];
	int i, rc;

	snprintf(path, sizeof(path), "%s/t.db", tmp);
	ST_EQ(ds_file_write_atomic(path, "", 0, 0600, &err), DS_OK, &err);
	ST_EQ(dbx_open(path, &db, &err), DS_OK, &err);
	if (db == NULL)
		return;
	ST_EQ(dbx_exec(db, "PRAGMA journal_mode=WAL; PRAGMA cache_size=10;"
	    "CREATE TABLE t(x BLOB)", &err), DS_OK, &err);
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	for (i = 0; i < NROWS; i++)
		INT_EQ(insert_row(db), DBX_DONE);
	ST_EQ(dbx_commit(db, &err), DS_OK, &err);
	ST_EQ(dbx_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", &err), DS_OK,
	    &err);

	/* A full disk: the WAL may not grow. */
	OK(getrlimit(RLIMIT_FSIZE, &old) == 0);
	lim = old;
	lim.rlim_cur = ROW_BYTES;
	signal(SIGXFSZ, SIG_IGN);
	OK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
	INT_EQ(insert_row(db), DBX_ERROR);
	ST_EQ(dbx_status(db), DS_ENOSPC, NULL);
	OK(setrlimit(RLIMIT_FSIZE, &old) == 0);
	signal(SIGXFSZ, SIG_DFL);

	/* Room again; later a read fails mid-scan: an I/O error. */
	OK(dbx_prepare(db, "SELECT length(x) FROM t", &s) == DBX_OK);
	if (s == NULL)
		goto out;
	INT_EQ(dbx_step(s), DBX_ROW);
	failvfs_arm(1);
	for (i = 0; i < NROWS && (rc = dbx_step(s)) == DBX_ROW; i++)
		continue;
	failvfs_disarm();
	INT_EQ(rc, DBX_ERROR);
	OK(failvfs_fired() > 0);
	ST_EQ(dbx_status(db), DS_EIO, NULL);
	dbx_finalize(s);
	/* And a full disk again is a full disk again. */
	OK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
	signal(SIGXFSZ, SIG_IGN);
	INT_EQ(insert_row(db), DBX_ERROR);
	ST_EQ(dbx_status(db), DS_ENOSPC, NULL);
	OK(setrlimit(RLIMIT_FSIZE, &old) == 0);
	signal(SIGXFSZ, SIG_DFL);
	INT_EQ(insert_row(db), DBX_DONE);
out:
	dbx_close(db);
}

int
main(void)
{
	tmp = ts_tmpdir("dbx");
	if (failvfs_install() != 0) {
		printf("not ok setup: failvfs\n");
		return 1;
	}
	RUN(test_full_then_read_error_is_not_full);
	return harness_done();
}
