/* doorstep: tests for office.db creation, opening and schema checks. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "support/support.h"

#include "odb.h"
#include "status.h"
#include "util.h"

static const char *tmpdir;

static void
path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
}

static void
test_create_then_open_keeps_office_id(void)
{
	unsigned char id[16], got[16];
	struct ds_err err;
	struct odb *o = NULL;
	char p[512];
	int i;

	for (i = 0; i < 16; i++)
		id[i] = (unsigned char)(0xa0 + i);
	path_in(p, sizeof(p), "a.db");
	ST_EQ(odb_create(p, id, &err), DS_OK, &err);
	ST_EQ(odb_open(p, NULL, &o, &err), DS_OK, &err);
	OK(o != NULL);
	if (o != NULL) {
		odb_office_id(o, got);
		OK(memcmp(id, got, 16) == 0);
	}
	odb_close(o);
}

static void
test_create_refuses_existing_file(void)
{
	unsigned char id[16] = { 1 };
	struct ds_err err;
	char p[512];
	FILE *f;

	path_in(p, sizeof(p), "b.db");
	ST_EQ(odb_create(p, id, &err), DS_OK, &err);
	ST_EQ(odb_create(p, id, &err), DS_EEXIST, &err);
	/* A stray empty file is not overwritten either. */
	path_in(p, sizeof(p), "c.db");
	f = fopen(p, "w");
	OK(f != NULL);
	if (f != NULL)
		fclose(f);
	ST_EQ(odb_create(p, id, &err), DS_EEXIST, &err);
}

static void
test_open_settings_are_durable(void)
{
	unsigned char id[16] = { 2 };
	struct ds_err err;
	sqlite3 *db;
	sqlite3_stmt *st;
	char p[512];

	path_in(p, sizeof(p), "d.db");
	ST_EQ(odb_create(p, id, &err), DS_OK, &err);
	OK(sqlite3_open(p, &db) == SQLITE_OK);
	OK(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) ==
	    SQLITE_OK);
	OK(sqlite3_step(st) == SQLITE_ROW);
	STR_EQ((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	OK(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK);
	OK(sqlite3_step(st) == SQLITE_ROW);
	INT_EQ(sqlite3_column_int(st, 0), ODB_SCHEMA_VERSION);
	sqlite3_finalize(st);
	OK(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema WHERE"
	    " type = 'table'", -1, &st, NULL) == SQLITE_OK);
	OK(sqlite3_step(st) == SQLITE_ROW);
	OK(sqlite3_column_int(st, 0) >= 8);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void
test_open_rejects_foreign_and_newer_files(void)
{
	unsigned char id[16] = { 3 };
	struct ds_err err;
	struct odb *o = NULL;
	sqlite3 *db;
	char p[512];

	path_in(p, sizeof(p), "missing.db");
	ST_EQ(odb_open(p, NULL, &o, &err), DS_ENOENT, &err);
	OK(o == NULL);

	path_in(p, sizeof(p), "other.db");
	OK(sqlite3_open(p, &db) == SQLITE_OK);
	OK(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL) ==
	    SQLITE_OK);
	sqlite3_close(db);
	ST_EQ(odb_open(p, NULL, &o, &err), DS_ECORRUPT, &err);
	OK(strstr(err.msg, "not an office database") != NULL);

	path_in(p, sizeof(p), "newer.db");
	ST_EQ(odb_create(p, id, &err), DS_OK, &err);
	OK(sqlite3_open(p, &db) == SQLITE_OK);
	OK(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL) ==
	    SQLITE_OK);
	sqlite3_close(db);
	ST_EQ(odb_open(p, NULL, &o, &err), DS_ESTATE, &err);
	OK(strstr(err.msg, "schema version 99") != NULL);
	OK(o == NULL);

	path_in(p, sizeof(p), "text.db");
	OK(ds_file_write_atomic(p, "hello, not sqlite at all, just text.....",
	    40, 0600, &err) == DS_OK);
	ST_EQ(odb_open(p, NULL, &o, &err), DS_ECORRUPT, &err);
}

int
main(void)
{
	tmpdir = ts_tmpdir("odb");
	RUN(test_create_then_open_keeps_office_id);
	RUN(test_create_refuses_existing_file);
	RUN(test_open_settings_are_durable);
	RUN(test_open_rejects_foreign_and_newer_files);
	return harness_done();
}
