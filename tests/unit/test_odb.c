/* doorstep: tests for office.db creation, opening and schema checks. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The first column of the first row of q, as text, into out. */
static void
q_text(const char *path, const char *q, char *out, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	out[0] = '\0';
	OK(sqlite3_open(path, &db) == SQLITE_OK);
	OK(sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/*
 * Migration 7: person as version 6 left it (keyed by the blind index,
 * with person_hh) is rebuilt clustered by household, and visit without
 * its indexes by rev_id and record_uuid, every row kept.
 */
static void
test_migration_7_clusters_by_household(void)
{
	static const char v6[] =
	    "DROP TABLE person;"
	    "CREATE TABLE person(idx BLOB NOT NULL CHECK(length(idx) = 32),"
	    " hh_key TEXT NOT NULL, src TEXT NOT NULL CHECK(src IN"
	    " ('register', 'visit')), role TEXT NOT NULL CHECK(role IN"
	    " ('head', 'member')), PRIMARY KEY(idx, hh_key, src))"
	    " WITHOUT ROWID;"
	    "CREATE INDEX person_hh ON person(hh_key);"
	    "INSERT INTO person VALUES (randomblob(32), 'k2', 'visit', 'head'),"
	    " (randomblob(32), 'k1', 'visit', 'member'),"
	    " (zeroblob(32), 'k1', 'register', 'head'),"
	    " (zeroblob(32), 'k1', 'visit', 'head');"
	    "CREATE UNIQUE INDEX visit_rev ON visit(rev_id);"
	    "CREATE INDEX visit_record ON visit(record_uuid);"
	    "INSERT INTO visit(rev_id, record_uuid, hh_key, device_id,"
	    " worker_id, visit_date, finalized, finalized_at, imported_at)"
	    " VALUES (randomblob(16), randomblob(16), 'k1', zeroblob(16),"
	    " 'w', '2024-09-01', 1, 5, 6), (randomblob(16), randomblob(16),"
	    " 'k2', zeroblob(16), 'w', '', 0, NULL, 7);"
	    "ALTER TABLE head DROP COLUMN revs;"
	    "CREATE INDEX revision_record ON revision(record_uuid,"
	    " parent_rev_id);"
	    "PRAGMA user_version=6";
	static const char rows[] = "SELECT group_concat(r, ' ') FROM"
	    " (SELECT hex(idx) || hh_key || src || role AS r FROM person"
	    " UNION ALL SELECT hex(rev_id) || hex(record_uuid) || hh_key ||"
	    " visit_date || finalized || coalesce(finalized_at, '-') ||"
	    " imported_at FROM visit ORDER BY 1)";
	unsigned char id[16] = { 7 };
	struct ds_err err;
	struct odb *o = NULL;
	sqlite3 *db;
	char p[512], before[1024], after[1024], t[64];

	path_in(p, sizeof(p), "v6.db");
	ST_EQ(odb_create(p, id, &err), DS_OK, &err);
	OK(sqlite3_open(p, &db) == SQLITE_OK);
	OK(sqlite3_exec(db, v6, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	q_text(p, rows, before, sizeof(before));
	OK(strlen(before) > 4 * 64 + 2 * 64);
	q_text(p, "SELECT count(*) FROM sqlite_schema WHERE"
	    " name = 'person_hh'", t, sizeof(t));
	STR_EQ(t, "1");
	ST_EQ(odb_open(p, NULL, &o, &err), DS_OK, &err);
	odb_close(o);
	q_text(p, "PRAGMA user_version", t, sizeof(t));
	INT_EQ(atoi(t), ODB_SCHEMA_VERSION);
	q_text(p, rows, after, sizeof(after));
	STR_EQ(after, before);
	q_text(p, "SELECT count(*) FROM sqlite_schema WHERE name IN"
	    " ('person_hh', 'visit_record') OR (tbl_name = 'visit' AND"
	    " sql LIKE '%UNIQUE%')", t, sizeof(t));
	STR_EQ(t, "0");
	/* The key's first column is the household now. */
	q_text(p, "SELECT name FROM pragma_index_xinfo("
	    "'sqlite_autoindex_person_1') WHERE seqno = 0", t, sizeof(t));
	STR_EQ(t, "hh_key");
}

int
main(void)
{
	tmpdir = ts_tmpdir("odb");
	RUN(test_create_then_open_keeps_office_id);
	RUN(test_create_refuses_existing_file);
	RUN(test_open_settings_are_durable);
	RUN(test_open_rejects_foreign_and_newer_files);
	RUN(test_migration_7_clusters_by_household);
	return harness_done();
}
