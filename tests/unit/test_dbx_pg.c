/* doorstep: the store interface on a real PostgreSQL (tests/pg/t_pg.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#include "dbx.h"
#include "odb.h"
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

static int64_t
count(struct dbx *db, const char *sql)
{
	struct dbx_stmt *st;
	int64_t n = -1;

	if (dbx_prepare(db, sql, &st) != DBX_OK)
		return -1;
	if (dbx_step(st) == DBX_ROW)
		n = dbx_column_int64(st, 0);
	dbx_finalize(st);
	return n;
}

static int
insert(struct dbx_stmt *ins, int x)
{
	dbx_reset(ins);
	dbx_bind_int(ins, 1, x);
	return dbx_step(ins);
}

/*
 * Writes in a transaction wait in libpq's pipeline (dbx_pg.c): reads see
 * them, dbx_changes counts them, and a failed one is reported, with its
 * own status and message, by the next call and by the commit.
 */
static void
test_pipeline(void)
{
	struct ds_err err;
	struct dbx_stmt *ins, *up;
	struct dbx *db;
	int i, rc;

	ds_err_clear(&err);
	ST_EQ(dbx_open(url, &db, &err), DS_OK, &err);
	if (db == NULL)
		return;
	ST_EQ(dbx_exec(db, "CREATE TEMP TABLE p(x int PRIMARY KEY)", &err),
	    DS_OK, &err);
	OK(dbx_prepare(db, "INSERT INTO p VALUES (?1)", &ins) == DBX_OK);
	OK(dbx_prepare(db, "UPDATE p SET x = x + 10000 WHERE x < ?1", &up) ==
	    DBX_OK);
	/* Outside a transaction a write waits: its failure is its own. */
	OK(insert(ins, 1) == DBX_DONE);
	OK(insert(ins, 1) == DBX_ERROR);
	OK(dbx_status(db) == DS_ECONSTRAINT);
	/* More writes than one pipeline holds, then a read. */
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	for (i = 2, rc = DBX_DONE; i <= 1000 && rc == DBX_DONE; i++)
		rc = insert(ins, i);
	OK(rc == DBX_DONE);
	OK(dbx_changes(db) == 1);
	OK(count(db, "SELECT count(*) FROM p") == 1000);
	dbx_reset(up);
	dbx_bind_int(up, 1, 11);
	OK(dbx_step(up) == DBX_DONE);
	OK(dbx_changes(db) == 10);
	ST_EQ(dbx_commit(db, &err), DS_OK, &err);
	/* A duplicate key, told by the read after it, and by the commit. */
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	OK(insert(ins, 5000) == DBX_DONE);
	OK(insert(ins, 12) == DBX_DONE);
	OK(count(db, "SELECT count(*) FROM p") == -1);
	OK(dbx_status(db) == DS_ECONSTRAINT);
	OK(strstr(dbx_errmsg(db), "duplicate key") != NULL);
	/* Later statements fail; the message is still the cause. */
	OK(count(db, "SELECT count(*) FROM p") == -1);
	OK(strstr(dbx_errmsg(db), "duplicate key") != NULL);
	ds_err_clear(&err);
	ST_EQ(dbx_commit(db, &err), DS_ECONSTRAINT, &err);
	OK(strstr(err.msg, "duplicate key") != NULL);
	/*
	 * A count after a failed write is -1 with the write's own failure,
	 * not 0 ("nothing changed": a caller would word the wrong cause),
	 * and stays -1 until the rollback.
	 */
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	OK(insert(ins, 5002) == DBX_DONE);
	OK(insert(ins, 14) == DBX_DONE);
	OK(dbx_changes(db) == -1);
	OK(dbx_status(db) == DS_ECONSTRAINT);
	OK(strstr(dbx_errmsg(db), "duplicate key") != NULL);
	OK(dbx_changes(db) == -1);
	dbx_reset(up);
	dbx_bind_int(up, 1, 0);
	OK(dbx_step(up) == DBX_ERROR);
	OK(strstr(dbx_errmsg(db), "duplicate key") != NULL);
	dbx_rollback(db);
	OK(insert(ins, 5003) == DBX_DONE);
	OK(dbx_changes(db) == 1);
	OK(count(db, "SELECT count(*) FROM p WHERE x IN (5002, 5003)") == 1);
	/* With no read after it, the commit tells it. */
	ST_EQ(dbx_begin(db, &err), DS_OK, &err);
	OK(insert(ins, 5001) == DBX_DONE);
	OK(insert(ins, 13) == DBX_DONE);
	ds_err_clear(&err);
	ST_EQ(dbx_commit(db, &err), DS_ECONSTRAINT, &err);
	/* Both rolled back; the connection works. */
	OK(count(db, "SELECT count(*) FROM p WHERE x IN (5000, 5001)") == 0);
	OK(count(db, "SELECT count(*) FROM p") == 1001);
	dbx_finalize(ins);
	dbx_finalize(up);
	dbx_close(db);
}

/* `test_dbx_pg --setup N`: the county schema of version N, for t_pg. */
static int
setup(const char *n)
{
	struct ds_err err;
	int from, to;

	ds_err_clear(&err);
	if (odb_pg_setup(url, atoi(n), &from, &to, &err) != DS_OK) {
		printf("not ok setup: %s\n", err.msg);
		return 1;
	}
	printf("ok setup from version %d to %d\n", from, to);
	return 0;
}

int
main(int argc, char **argv)
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
	if (argc == 3 && strcmp(argv[1], "--setup") == 0)
		return setup(argv[2]);
	RUN(test_commit_after_failure);
	RUN(test_pipeline);
	return harness_done();
}
