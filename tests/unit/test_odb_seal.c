/* doorstep: office.db keeps no personal data in clear (sealed revisions). */
/*
 * Real bundles carrying unmistakable markers (a householder's name, an
 * id-card number, a phone number) go through the real importer into a
 * real office.db; then every file of the office directory, office.db-wal
 * included, is scanned for the markers.  A database rewritten into the
 * old clear form (schema 2) is the positive control for the scan and must
 * be sealed by its first keyed open.  Rows moved between revisions or
 * columns, other offices' keys and commands without the key file must
 * all fail, naming what is wrong.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "buf.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "receipt.h"
#include "util.h"

#define NAME	"测试户主张三"
#define IDNO	"110101199003071234"
#define PHONE	"13912345678"
#define NREV	4

static const char *tmp;
static struct sf_office office, other;
static struct sf_rev revs[NREV];
static char audit[NREV][128], consent[NREV][128];

static size_t
markers(const char *dir)
{
	return ts_grep_tree(dir, NAME, strlen(NAME)) +
	    ts_grep_tree(dir, IDNO, strlen(IDNO)) +
	    ts_grep_tree(dir, PHONE, strlen(PHONE));
}

static int
run(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static const char *
office_bin(void)
{
	const char *bin = getenv("DOORSTEP_OFFICE");

	return bin != NULL ? bin : "build/rel/doorstep-office";
}

/* Every head's answers, in order, into one buffer (the export's input). */
struct heads {
	struct ds_buf	b;
	int		n;
};

static int
head_cb(void *arg, const struct odb_head *h)
{
	struct heads *hs = arg;
	char hex[33];

	ds_hex_encode(h->rev_id, 16, hex);
	ds_buf_printf(&hs->b, "%s %s %zu\n", hex, h->household_key,
	    h->answers_len);
	ds_buf_add(&hs->b, h->answers, h->answers_len);
	hs->n++;
	return 0;
}

static char *
heads_text(struct odb *db, struct ds_err *err, enum ds_status *st)
{
	struct heads hs;

	memset(&hs, 0, sizeof(hs));
	ds_buf_init(&hs.b, 1u << 24);
	*st = odb_head_each(db, head_cb, &hs, err);
	return ds_buf_take(&hs.b, NULL);
}

static void
bytes_of(struct bundle_bytes *b, const char *s)
{
	b->p = (const unsigned char *)s;
	b->n = strlen(s);
}

/* Import NREV revisions with markers into office (a new device). */
static void
import_markers(struct odb *db, struct sf_office *o)
{
	struct sf_device d;
	struct imp_result res;
	struct ds_err err;
	unsigned char *b;
	char ans[4096], pad[2600];
	size_t n;
	int i;

	sf_device_make(&d, 7);
	ST_EQ(sf_enroll(db, d.device_id, d.key->pk, &err), DS_OK, &err);
	/* ~3 KB answers: they spill to overflow pages, as real ones do. */
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (i = 0; i < NREV; i++) {
		snprintf(ans, sizeof(ans), "{\"hh_id\":\"H%d\",\"note\":\"%s\","
		    "\"member\":[{\"mname\":\"%s\",\"idno\":\"%s\"}],"
		    "\"phone\":\"%s\"}", i, pad, NAME, IDNO, PHONE);
		sf_rev(&revs[i], &d, i < 3 ? i + 1 : 1, i < 3 ? 1 : 2,
		    i < 3 ? NULL : revs[0].r.rev_id, ans);
		snprintf(audit[i], sizeof(audit[i]), "[{\"ev\":\"called %s\","
		    "\"who\":\"%s\"}]", PHONE, NAME);
		snprintf(consent[i], sizeof(consent[i]), "{\"signed\":\"%s\","
		    "\"id\":\"%s\"}", NAME, IDNO);
		bytes_of(&revs[i].r.audit, audit[i]);
		bytes_of(&revs[i].r.consent, consent[i]);
	}
	b = sf_bundle(&d, o, revs, NREV, 0, 0, &n);
	ST_EQ(imp_bundle(db, o->sec, b, n, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_IMPORTED);
	INT_EQ(res.n_new, NREV);
	imp_result_free(&res);
	ds_free(b);
	sf_device_free(&d);
}

static void
sql(const char *path, const char *q)
{
	sqlite3 *db;
	char *msg = NULL;

	OK(sqlite3_open(path, &db) == SQLITE_OK);
	if (sqlite3_exec(db, q, NULL, NULL, &msg) != SQLITE_OK) {
		printf("# sql: %s: %s\n", q, msg);
		OK(0);
	}
	sqlite3_free(msg);
	sqlite3_close(db);
}

static long
count(const char *path, const char *q)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long n = -1;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void
test_no_marker_on_disk(void)
{
	struct odb *db = NULL;
	struct ds_err err;
	enum ds_status st;
	char *a = NULL, *h;

	ST_EQ(odb_open(office.db, office.sec, &db, &err), DS_OK, &err);
	if (db == NULL)
		return;
	import_markers(db, &office);
	/* While open: the WAL holds this import. */
	OK(ds_path_exists(office.db) && markers(office.dir) == 0);
	INT_EQ(count(office.db, "SELECT count(*) FROM revision WHERE"
	    " typeof(answers) != 'blob' OR typeof(audit) != 'blob' OR"
	    " typeof(consent) != 'blob'"), 0);
	/* The answers come back exactly, in memory. */
	ST_EQ(odb_rev_answers(db, revs[1].r.rev_id, &a, &err), DS_OK, &err);
	OK(a != NULL && strcmp(a, revs[1].answers) == 0);
	odb_answers_free(a);
	h = heads_text(db, &err, &st);
	ST_EQ(st, DS_OK, &err);
	OK(h != NULL && strstr(h, NAME) != NULL && strstr(h, IDNO) != NULL);
	ds_free(h);
	odb_close(db);
	INT_EQ(markers(office.dir), 0);
	/* The scan itself works: the bundle's plaintext would be found. */
	OK(ts_grep_tree(office.dir, "HH-0001", 7) > 0);
}

static void
test_moved_ciphertext_fails_naming_revision(void)
{
	struct odb *db = NULL;
	struct ds_err err;
	enum ds_status st;
	char q[512], a[33], b[33], *t = NULL, *h;

	ds_hex_encode(revs[1].r.rev_id, 16, a);
	ds_hex_encode(revs[2].r.rev_id, 16, b);
	/* rev 1's sealed answers copied into rev 2's row. */
	snprintf(q, sizeof(q), "UPDATE revision SET answers = (SELECT answers"
	    " FROM revision WHERE rev_id = x'%s') WHERE rev_id = x'%s'", a, b);
	sql(office.db, "CREATE TABLE keep AS SELECT rev_id, answers, consent"
	    " FROM revision");
	sql(office.db, q);
	ST_EQ(odb_open(office.db, office.sec, &db, &err), DS_OK, &err);
	if (db == NULL)
		return;
	ST_EQ(odb_rev_answers(db, revs[2].r.rev_id, &t, &err), DS_ECRYPTO,
	    &err);
	OK(t == NULL && strstr(err.msg, b) != NULL);
	OK(strstr(err.msg, "answers") != NULL);
	ST_EQ(odb_rev_answers(db, revs[1].r.rev_id, &t, &err), DS_OK, &err);
	odb_answers_free(t);
	t = NULL;
	h = heads_text(db, &err, &st);
	ST_EQ(st, DS_ECRYPTO, &err);
	OK(strstr(err.msg, b) != NULL);
	ds_free(h);
	odb_close(db);
	/* Its own consent, moved to its answers column: fails too. */
	snprintf(q, sizeof(q), "UPDATE revision SET answers = consent"
	    " WHERE rev_id = x'%s'", b);
	sql(office.db, q);
	ST_EQ(odb_open(office.db, office.sec, &db, &err), DS_OK, &err);
	ST_EQ(odb_rev_answers(db, revs[2].r.rev_id, &t, &err), DS_ECRYPTO,
	    &err);
	OK(strstr(err.msg, b) != NULL);
	odb_close(db);
	/* One flipped bit. */
	snprintf(q, sizeof(q), "UPDATE revision SET answers = (SELECT answers"
	    " FROM keep WHERE rev_id = x'%s') WHERE rev_id = x'%s';"
	    "UPDATE revision SET answers = substr(answers, 1, 30) ||"
	    " x'00' || substr(answers, 32) WHERE rev_id = x'%s'", b, b, b);
	sql(office.db, q);
	ST_EQ(odb_open(office.db, office.sec, &db, &err), DS_OK, &err);
	ST_EQ(odb_rev_answers(db, revs[2].r.rev_id, &t, &err), DS_ECRYPTO,
	    &err);
	OK(strstr(err.msg, b) != NULL);
	odb_close(db);
	/* Put back: it opens again. */
	snprintf(q, sizeof(q), "UPDATE revision SET answers = (SELECT answers"
	    " FROM keep WHERE rev_id = x'%s') WHERE rev_id = x'%s';"
	    "DROP TABLE keep", b, b);
	sql(office.db, q);
	ST_EQ(odb_open(office.db, office.sec, &db, &err), DS_OK, &err);
	ST_EQ(odb_rev_answers(db, revs[2].r.rev_id, &t, &err), DS_OK, &err);
	OK(t != NULL && strcmp(t, revs[2].answers) == 0);
	odb_answers_free(t);
	odb_close(db);
}

static void
test_wrong_key_and_no_key(void)
{
	struct odb *db = NULL;
	struct ds_err err;
	enum ds_status st;
	unsigned char keep[16];
	char *t = NULL, *h;

	/* Another office's secret key. */
	ST_EQ(odb_open(office.db, other.sec, &db, &err), DS_ECRYPTO, &err);
	OK(db == NULL && strstr(err.msg, "is for office") != NULL);
	/* Another key claiming this office's id: the key check fails. */
	memcpy(keep, other.sec->office_id, 16);
	memcpy(other.sec->office_id, office.pub.office_id, 16);
	ST_EQ(odb_open(office.db, other.sec, &db, &err), DS_ECRYPTO, &err);
	OK(db == NULL && strstr(err.msg, "not this office's key") != NULL);
	memcpy(other.sec->office_id, keep, 16);
	/* No key: devices and forks yes, answers no. */
	ST_EQ(odb_open(office.db, NULL, &db, &err), DS_OK, &err);
	if (db == NULL)
		return;
	OK(!odb_has_key(db));
	ST_EQ(odb_rev_answers(db, revs[0].r.rev_id, &t, &err), DS_ESTATE,
	    &err);
	OK(strstr(err.msg, "secret key") != NULL);
	h = heads_text(db, &err, &st);
	ST_EQ(st, DS_ESTATE, &err);
	ds_free(h);
	odb_close(db);
}

/*
 * An office.db as the program before sealing left it: schema 2, answers,
 * audit and consent as TEXT.  Made from a sealed one by rewriting the
 * rows in clear, so it holds real imported revisions.
 */
static void
test_legacy_clear_database_sealed_on_first_keyed_open(void)
{
	struct sf_office L;
	struct odb *db = NULL;
	struct ds_err err;
	enum ds_status st;
	sqlite3 *raw;
	sqlite3_stmt *up;
	char dir[600], *before = NULL, *after = NULL, *t = NULL;
	int i;

	snprintf(dir, sizeof(dir), "%s/legacy", tmp);
	sf_office_make(&L, dir);
	ST_EQ(odb_open(L.db, L.sec, &db, &err), DS_OK, &err);
	if (db == NULL)
		return;
	import_markers(db, &L);
	before = heads_text(db, &err, &st);
	ST_EQ(st, DS_OK, &err);
	odb_close(db);
	OK(sqlite3_open(L.db, &raw) == SQLITE_OK);
	OK(sqlite3_prepare_v2(raw, "UPDATE revision SET answers = ?2, audit ="
	    " ?3, consent = ?4 WHERE rev_id = ?1", -1, &up, NULL) ==
	    SQLITE_OK);
	for (i = 0; i < NREV; i++) {
		sqlite3_reset(up);
		sqlite3_bind_blob(up, 1, revs[i].r.rev_id, 16, SQLITE_STATIC);
		sqlite3_bind_text(up, 2, revs[i].answers, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 3, audit[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 4, consent[i], -1, SQLITE_STATIC);
		OK(sqlite3_step(up) == SQLITE_DONE);
	}
	sqlite3_finalize(up);
	/* Back to schema 2: what migrations 3 to 5 add goes too, and the
	 * revision table is again keyed by rev_id (WITHOUT ROWID). */
	OK(sqlite3_exec(raw, "CREATE TABLE r2(rev_id BLOB PRIMARY KEY,"
	    " record_uuid BLOB NOT NULL, parent_rev_id BLOB, rev_no INTEGER"
	    " NOT NULL, household_key TEXT NOT NULL, form_id TEXT NOT NULL,"
	    " form_ver TEXT NOT NULL, device_id BLOB NOT NULL, device_seq"
	    " INTEGER NOT NULL, worker_id TEXT NOT NULL, t_start INTEGER NOT"
	    " NULL, t_end INTEGER NOT NULL, saved_at INTEGER NOT NULL, deleted"
	    " INTEGER NOT NULL, answers TEXT NOT NULL, audit TEXT NOT NULL,"
	    " consent TEXT NOT NULL, bundle_id BLOB NOT NULL, held INTEGER NOT"
	    " NULL DEFAULT 0, held_at INTEGER) WITHOUT ROWID;"
	    "INSERT INTO r2 SELECT rev_id, record_uuid, parent_rev_id, rev_no,"
	    " household_key, form_id, form_ver, device_id, device_seq,"
	    " worker_id, t_start, t_end, saved_at, deleted, answers, audit,"
	    " consent, bundle_id, held, held_at FROM revision;"
	    "DROP TABLE revision; ALTER TABLE r2 RENAME TO revision;"
	    "CREATE INDEX revision_record ON revision(record_uuid,"
	    " parent_rev_id);"
	    "CREATE INDEX revision_household ON revision(household_key);"
	    "CREATE INDEX revision_held ON revision(parent_rev_id)"
	    " WHERE held = 1;"
	    "CREATE INDEX revision_devseq ON revision(device_id, device_seq);",
	    NULL, NULL, NULL) == SQLITE_OK);
	INT_EQ(count(L.db, "SELECT count(*) FROM pragma_table_info("
	    "'revision') WHERE name = 'id'"), 0);
	OK(sqlite3_exec(raw, "DELETE FROM meta WHERE k = 'data_key_check';"
	    "DROP TABLE hh; DROP TABLE person; DROP TABLE clue;"
	    "DROP TABLE visit; DROP TABLE case_event; DROP TABLE measure;"
	    "DROP TABLE income_check; DROP TABLE problem; DROP TABLE freeze;"
	    "DROP TABLE round; DROP TABLE entry; DROP TABLE obundle;"
	    "DROP TABLE ob_item; DROP TABLE form_file; DROP TABLE form_pub;"
	    "DROP TABLE attachment;"
	    "ALTER TABLE device DROP COLUMN box_pk;"
	    "ALTER TABLE device DROP COLUMN box_pk_at;"
	    "ALTER TABLE device DROP COLUMN note_seq;"
	    "ALTER TABLE device DROP COLUMN note_at;"
	    "ALTER TABLE head DROP COLUMN revs;"
	    "PRAGMA user_version = 2", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(raw);
	/* The control: the scan sees clear text where there is some. */
	OK(markers(dir) >= 3 * NREV);
	/* A command without the key migrates but cannot seal, nor read. */
	ST_EQ(odb_open(L.db, NULL, &db, &err), DS_OK, &err);
	ST_EQ(odb_rev_answers(db, revs[0].r.rev_id, &t, &err), DS_ESTATE,
	    &err);
	odb_close(db);
	INT_EQ(count(L.db, "PRAGMA user_version"), ODB_SCHEMA_VERSION);
	INT_EQ(count(L.db, "SELECT count(*) FROM meta WHERE k ="
	    " 'seal_pending'"), 1);
	OK(markers(dir) > 0);
	/* The first keyed open seals every row, then empties the WAL. */
	ST_EQ(odb_open(L.db, L.sec, &db, &err), DS_OK, &err);
	if (db == NULL)
		goto done;
	INT_EQ(markers(dir), 0);
	after = heads_text(db, &err, &st);
	ST_EQ(st, DS_OK, &err);
	OK(before != NULL && after != NULL && strcmp(before, after) == 0);
	ST_EQ(odb_rev_answers(db, revs[3].r.rev_id, &t, &err), DS_OK, &err);
	OK(t != NULL && strcmp(t, revs[3].answers) == 0);
	odb_answers_free(t);
	odb_close(db);
	INT_EQ(markers(dir), 0);
	INT_EQ(count(L.db, "SELECT count(*) FROM revision WHERE"
	    " typeof(answers) != 'blob' OR typeof(audit) != 'blob' OR"
	    " typeof(consent) != 'blob'"), 0);
	INT_EQ(count(L.db, "SELECT count(*) FROM meta WHERE k ="
	    " 'seal_pending'"), 0);
	/* Migration 5 gave the revisions a rowid and kept every row. */
	INT_EQ(count(L.db, "SELECT count(*) FROM pragma_table_info("
	    "'revision') WHERE name = 'id'"), 1);
	INT_EQ(count(L.db, "SELECT count(*) FROM revision"), NREV);
	INT_EQ(count(L.db, "SELECT count(*) FROM meta WHERE k ="
	    " 'data_key_check'"), 1);
	/* Sealing is deterministic: opening again changes nothing. */
	{
		unsigned char d1[32], d2[32];

		sf_db_digest(L.db, NULL, d1);
		ST_EQ(odb_open(L.db, L.sec, &db, &err), DS_OK, &err);
		odb_close(db);
		sf_db_digest(L.db, NULL, d2);
		OK(memcmp(d1, d2, 32) == 0);
	}
done:
	ds_free(before);
	ds_free(after);
	sf_office_free(&L);
}

/* The office commands: which need office-secret.key, and what they say. */
static void
test_commands_and_the_key_file(void)
{
	char cmd[2048], key[700], moved[700], out[700], *o = NULL;
	struct ds_err err;
	size_t n;

	snprintf(key, sizeof(key), "%s/office-secret.key", office.dir);
	snprintf(moved, sizeof(moved), "%s/secret.away", tmp);
	snprintf(out, sizeof(out), "%s/cmd.out", tmp);
	/* A new laptop's bundle on a stick: import holds it, enroll imports. */
	{
		struct sf_device d;
		struct sf_rev r;
		unsigned char *b;
		char ans[256], usb[700], bpath[1100], fpr[CRY_FPR_TEXT];
		long before = sf_db_count(office.db, "revision");

		sf_device_make(&d, 8);
		snprintf(ans, sizeof(ans), "{\"hh_id\":\"H9\",\"member\":[{"
		    "\"mname\":\"%s\",\"idno\":\"%s\"}]}", NAME, IDNO);
		sf_rev(&r, &d, 9, 1, NULL, ans);
		b = sf_bundle(&d, &office, &r, 1, 0, 0, &n);
		snprintf(usb, sizeof(usb), "%s/usb", tmp);
		OK(ds_mkdir_p(usb, 0700, &err) == DS_OK);
		snprintf(bpath, sizeof(bpath), "%s", sf_write(usb, "b.dsb", b,
		    n));
		ds_free(b);
		cry_fingerprint(d.key->pk, fpr);
		sf_device_free(&d);
		OK(rename(key, moved) == 0);
		snprintf(cmd, sizeof(cmd), "%s import --dir %s %s >%s 2>&1",
		    office_bin(), office.dir, bpath, out);
		INT_EQ(run(cmd), 1);
		OK(rename(moved, key) == 0);
		INT_EQ(run(cmd), 0);
		snprintf(cmd, sizeof(cmd), "%s enroll --dir %s --fingerprint "
		    "'%s' %s >%s 2>&1", office_bin(), office.dir, fpr, bpath,
		    out);
		INT_EQ(run(cmd), 0);
		INT_EQ(sf_db_count(office.db, "revision"), before + 1);
		INT_EQ(markers(office.dir), 0);
	}
	snprintf(cmd, sizeof(cmd), "%s export --dir %s --format csv --out "
	    "%s/e1.csv >%s 2>&1", office_bin(), office.dir, tmp, out);
	INT_EQ(run(cmd), 0);
	OK(rename(key, moved) == 0);
	/* Said in the one language chosen. */
	setenv("DOORSTEP_LANG", "en", 1);
	INT_EQ(run(cmd), 1);
	ST_EQ(ds_file_read(out, 1 << 16, &o, &n, &err), DS_OK, &err);
	OK(o != NULL && strstr(o, "office-secret.key") != NULL &&
	    strstr(o, "needs the office secret key") != NULL &&
	    strstr(o, "办公室") == NULL);
	ds_free(o);
	o = NULL;
	setenv("DOORSTEP_LANG", "zh", 1);
	INT_EQ(run(cmd), 1);
	ST_EQ(ds_file_read(out, 1 << 16, &o, &n, &err), DS_OK, &err);
	OK(o != NULL && strstr(o, "office-secret.key") != NULL &&
	    strstr(o, "办公室私钥") != NULL &&
	    strstr(o, "needs the office secret key") == NULL);
	ds_free(o);
	o = NULL;
	unsetenv("DOORSTEP_LANG");
	snprintf(cmd, sizeof(cmd), "%s report quality --dir %s >%s 2>&1",
	    office_bin(), office.dir, out);
	INT_EQ(run(cmd), 1);
	snprintf(cmd, sizeof(cmd), "%s release --dir %s 0123abcd >%s 2>&1",
	    office_bin(), office.dir, out);
	INT_EQ(run(cmd), 1);
	ST_EQ(ds_file_read(out, 1 << 16, &o, &n, &err), DS_OK, &err);
	OK(o != NULL && strstr(o, "office-secret.key") != NULL);
	ds_free(o);
	o = NULL;
	/* These never read answers. */
	snprintf(cmd, sizeof(cmd), "%s devices --dir %s >%s 2>&1",
	    office_bin(), office.dir, out);
	INT_EQ(run(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s conflicts --dir %s >%s 2>&1",
	    office_bin(), office.dir, out);
	INT_EQ(run(cmd), 0);
	/* Another office's key in its place: refused, saying so. */
	snprintf(cmd, sizeof(cmd), "cp %s/office-secret.key %s",
	    other.dir, key);
	INT_EQ(run(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s export --dir %s --format csv --out "
	    "%s/e2.csv >%s 2>&1", office_bin(), office.dir, tmp, out);
	INT_EQ(run(cmd), 1);
	ST_EQ(ds_file_read(out, 1 << 16, &o, &n, &err), DS_OK, &err);
	OK(o != NULL && strstr(o, "is for office") != NULL);
	ds_free(o);
	OK(rename(moved, key) == 0);
	INT_EQ(run(cmd), 0);
	INT_EQ(markers(office.dir), 0);
}

int
main(void)
{
	char d[600];

	ds_json_init();
	setenv("DOORSTEP_FAKE_NOW", "1763880000", 1);
	tmp = ts_tmpdir("odbseal");
	snprintf(d, sizeof(d), "%s/office", tmp);
	sf_office_make(&office, d);
	snprintf(d, sizeof(d), "%s/other", tmp);
	sf_office_make(&other, d);
	RUN(test_no_marker_on_disk);
	RUN(test_moved_ciphertext_fails_naming_revision);
	RUN(test_wrong_key_and_no_key);
	RUN(test_legacy_clear_database_sealed_on_first_keyed_open);
	RUN(test_commands_and_the_key_file);
	sf_office_free(&office);
	sf_office_free(&other);
	return harness_done();
}
