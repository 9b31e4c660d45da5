/* doorstep: the record store's schema, one migration per version. */
/*
 * Entry i of the list takes PRAGMA user_version i to i + 1, in one
 * transaction with the version bump.  The list is append-only: never edit
 * a migration that has shipped; to change the schema, append one entry
 * (and describe it in docs/storage.md).  SQL CHECKs spell byte lengths as
 * numbers (length(id) = 16 is STORE_ID_BYTES): a constant cannot reach
 * into a string literal cleanly, and shipped SQL never changes anyway.
 */
#include "store.h"

#include <stdio.h>

#include <sqlite3.h>

#include "store_int.h"

#define APP_ID		0x44537472	/* "DStr", PRAGMA application_id */

static const char *const migrations[] = {
	/* 1: the first schema (docs/storage.md) */
	"CREATE TABLE meta (k TEXT PRIMARY KEY, v BLOB NOT NULL);"
	"CREATE TABLE record ("
	" id BLOB PRIMARY KEY CHECK (length(id) = 16),"
	" form_id TEXT NOT NULL, form_version TEXT NOT NULL,"
	" status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),"
	" rev_no INTEGER NOT NULL, rev_id BLOB NOT NULL,"
	" created_at INTEGER NOT NULL, saved_at INTEGER NOT NULL,"
	" n_errors INTEGER NOT NULL, n_warnings INTEGER NOT NULL,"
	" summary BLOB NOT NULL);"
	"CREATE INDEX record_saved ON record (saved_at);"
	"CREATE TABLE revision ("
	" rev_id BLOB PRIMARY KEY CHECK (length(rev_id) = 16),"
	" record_id BLOB NOT NULL REFERENCES record (id),"
	" rev_no INTEGER NOT NULL, parent_rev_id BLOB,"
	" device_id BLOB NOT NULL, key_id BLOB NOT NULL,"
	" form_version TEXT NOT NULL, saved_at INTEGER NOT NULL,"
	" answers_len INTEGER NOT NULL, answers BLOB NOT NULL,"
	" UNIQUE (record_id, rev_no));"
	"CREATE TABLE blind ("
	" kind INTEGER NOT NULL, idx BLOB NOT NULL,"
	" record_id BLOB NOT NULL REFERENCES record (id),"
	" PRIMARY KEY (kind, idx, record_id)) WITHOUT ROWID;"
	"CREATE INDEX blind_record ON blind (record_id);"
	"CREATE TABLE outbox ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" record_id BLOB NOT NULL REFERENCES record (id),"
	" rev_id BLOB NOT NULL UNIQUE REFERENCES revision (rev_id),"
	" bundle_id BLOB, acked INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX outbox_pending ON outbox (acked, seq);"
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY,"
	" record_id BLOB NOT NULL REFERENCES record (id),"
	" at INTEGER NOT NULL, event INTEGER NOT NULL,"
	" rev_no INTEGER NOT NULL);"
	"CREATE INDEX audit_record ON audit (record_id, id);",
	/* 2: the sealed cursor, saved on a move without a revision */
	("ALTER TABLE record ADD COLUMN cursor BLOB;"
	"ALTER TABLE record ADD COLUMN cursor_rev INTEGER;"),
	/* 3: a draft discarded by the worker leaves the lists, not the
	 * store (store_discard) */
	"ALTER TABLE record ADD COLUMN discarded INTEGER NOT NULL DEFAULT 0;",
	/* 4: visit-list entries and the office bundles applied */
	"CREATE TABLE entry ("
	" id BLOB PRIMARY KEY CHECK (length(id) = 16),"
	" hh_idx BLOB NOT NULL CHECK (length(hh_idx) = 32),"
	" ob_seq INTEGER NOT NULL,"
	" state INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1)),"
	" record_id BLOB CHECK (record_id IS NULL OR length(record_id) = 16),"
	" body BLOB NOT NULL);"
	"CREATE INDEX entry_hh ON entry (hh_idx);"
	"CREATE TABLE obundle ("
	" seq INTEGER PRIMARY KEY CHECK (seq >= 1),"
	" bundle_id BLOB NOT NULL CHECK (length(bundle_id) = 16),"
	" hash BLOB NOT NULL CHECK (length(hash) = 32),"
	" applied_at INTEGER NOT NULL,"
	" n_entries INTEGER NOT NULL, n_withdrawals INTEGER NOT NULL,"
	" n_files INTEGER NOT NULL);",
	/* 5: the files of media questions, sealed (store_attach.c); rev_no
	 * is the revision they travel with */
	"CREATE TABLE attachment ("
	" record_id BLOB NOT NULL CHECK (length(record_id) = 16),"
	" name TEXT NOT NULL, rev_no INTEGER NOT NULL,"
	" size INTEGER NOT NULL, data BLOB NOT NULL,"
	" UNIQUE (record_id, name));"
	"CREATE INDEX attachment_rev ON attachment (record_id, rev_no);",
	/* 6: a save writes fewer pages (docs/performance.md).  The outbox
	 * loses AUTOINCREMENT (its sqlite_sequence row, one page a save):
	 * the next seq is max(seq) + 1, never below meta seq_floor, which
	 * takes the sequence's value here and is raised by a rollback
	 * (store_outbox.c); rows are never deleted, so no number comes
	 * back.  The pending index goes: the packer reads the unacked rows
	 * by seq from the table itself. */
	"CREATE TABLE outbox_6 ("
	" seq INTEGER PRIMARY KEY CHECK (seq >= 1),"
	" record_id BLOB NOT NULL REFERENCES record (id),"
	" rev_id BLOB NOT NULL UNIQUE REFERENCES revision (rev_id),"
	" bundle_id BLOB, acked INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO outbox_6 (seq, record_id, rev_id, bundle_id, acked)"
	" SELECT seq, record_id, rev_id, bundle_id, acked FROM outbox;"
	"INSERT INTO meta (k, v) SELECT 'seq_floor', seq FROM sqlite_sequence"
	" WHERE name = 'outbox';"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_6 RENAME TO outbox;",
	/* 7: a draft's answers since its last revision, one sealed row
	 * each (store_delta.c): an answer writes one small row, not the
	 * whole record (docs/storage.md, "Draft deltas") */
	"CREATE TABLE delta ("
	" record_id BLOB NOT NULL CHECK (length(record_id) = 16),"
	" seq INTEGER NOT NULL CHECK (seq >= 1),"
	" rev_no INTEGER NOT NULL, body BLOB NOT NULL,"
	" PRIMARY KEY (record_id, seq)) WITHOUT ROWID;",
	/* 8: append the next migration here */
};
#define NMIGRATIONS	((int)(sizeof(migrations) / sizeof(migrations[0])))

enum ds_status
store_migrate(struct store *s, struct ds_err *err)
{
	char sql[96];
	enum ds_status st;
	int64_t v, app;
	int i;

	app = store_query_int(s, "PRAGMA application_id");
	v = store_query_int(s, "PRAGMA user_version");
	if (app < 0 || v < 0)
		return ds_err_set(err, DS_ECORRUPT, "not a doorstep store (%s)",
		    sqlite3_errmsg(s->db));
	if (app != APP_ID && !(app == 0 && v == 0 &&
	    store_query_int(s, "SELECT count(*) FROM sqlite_schema") == 0))
		return ds_err_set(err, DS_ECORRUPT, "not a doorstep store");
	if (v > NMIGRATIONS)
		return ds_err_set(err, DS_ECORRUPT, "store schema version %lld "
		    "is newer than this program (%d)", (long long)v,
		    NMIGRATIONS);
	for (i = (int)v; i < NMIGRATIONS; i++) {
		if ((st = store_exec(s, "BEGIN IMMEDIATE", "migrate", err)) !=
		    DS_OK)
			return st;
		snprintf(sql, sizeof(sql), "PRAGMA application_id=%d; "
		    "PRAGMA user_version=%d", APP_ID, i + 1);
		if ((st = store_exec(s, migrations[i], "migrate", err)) !=
		    DS_OK ||
		    (st = store_exec(s, sql, "migrate", err)) != DS_OK ||
		    (st = store_exec(s, "COMMIT", "migrate", err)) != DS_OK) {
			(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			ds_err_prefix(err, "schema version %d", i + 1);
			return st;
		}
	}
	s->version = NMIGRATIONS;
	return DS_OK;
}
