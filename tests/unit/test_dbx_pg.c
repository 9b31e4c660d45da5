/* doorstep: the store interface on a real PostgreSQL (tests/pg/t_pg.sh). */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

#include "dbx.h"
#include "status.h"

static char url[600];

/* A failed statement aborts the transaction: COMMIT must not succeed. */
static void
test_commit_after_failure(void)
{
	struct ds_err err;
	struct dbx *db;

	ds_err_clear(&err);
	ST_EQ(dbx_open(url, &db, &err), DS_OK, &err);
	if (db == NULL)
		return;
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	ST_EQ(dbx_exec(db, "CREATE TEMP TABLE t(x int)", &err), DS_OK, &err);
	OK(dbx_exec(db, "SELECT 1 / 0", &err) != DS_OK);
	ds_err_clear(&err);
	ST_EQ(dbx_commit(db, &err), DS_EIO, &err);
	/* Rolled back: the table is not there, the connection works. */
	OK(dbx_exec(db, "SELECT * FROM t", NULL) != DS_OK);
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	ST_EQ(dbx_exec(db, "CREATE TEMP TABLE t(x int)", &err), DS_OK, &err);
	ST_EQ(dbx_commit(db, &err), DS_OK, &err);
	ST_EQ(dbx_exec(db, "SELECT * FROM t", &err), DS_OK, &err);
	dbx_close(db);
}

int
main(void)
{
	const char *h = getenv("DOORSTEP_TEST_PG_HOST");
	const char *d = getenv("DOORSTEP_TEST_PG_DB");
	const char *u = getenv("DOORSTEP_TEST_PG_OWNER");

	if (h == NULL || d == NULL || u == NULL) {
		printf("ok test_dbx_pg # SKIP no PostgreSQL "
		    "(tests/pg/t_pg.sh runs it)\n");
		return 0;
	}
	snprintf(url, sizeof(url), "postgresql:///%s?host=%s&user=%s", d, h,
	    u);
	RUN(test_commit_after_failure);
	return harness_done();
}
