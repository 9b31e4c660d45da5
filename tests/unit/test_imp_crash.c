/* doorstep: kill -9 the importer at random points; the rerun converges. */
/*
 * A child imports a fixed list of bundles (new records, an edit, a fork, a
 * duplicate, a held device) into a copy of one office database and is
 * killed with SIGKILL after a random delay.  The parent then reruns the
 * whole import on what the child left: the final database must equal,
 * row for row, the one a clean run produced (≥ 100 rounds).
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "util.h"

#define NB	7
#define ROUNDS	100

static const char *tmp;
static struct sf_office office;
static unsigned char *bund[NB];
static size_t blen[NB];

static void
copy_file(const char *from, const char *to)
{
	struct ds_err err;
	char *b = NULL, w[700];
	size_t n = 0;

	unlink(to);
	snprintf(w, sizeof(w), "%s-wal", to);
	unlink(w);
	snprintf(w, sizeof(w), "%s-shm", to);
	unlink(w);
	if (ds_file_read(from, 1u << 28, &b, &n, &err) != DS_OK ||
	    ds_file_write_atomic(to, b, n, 0600, &err) != DS_OK)
		abort();
	ds_free(b);
}

/* Import every bundle; 0 if all reached a verdict. */
static int
import_all(const char *path)
{
	struct odb *db;
	struct imp_result r;
	struct ds_err err;
	int i, bad = 0;

	if (odb_open(path, office.sec, &db, &err) != DS_OK)
		return -1;
	for (i = 0; i < NB; i++) {
		if (imp_bundle(db, office.sec, bund[i], blen[i], &r, &err) !=
		    DS_OK)
			bad = 1;
		imp_result_free(&r);
	}
	odb_close(db);
	return bad ? -1 : 0;
}

static int
integrity_ok(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int ok = 0;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return 0;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) ==
	    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(s, 0), "ok") ==
		    0;
	sqlite3_finalize(s);
	sqlite3_close(db);
	return ok;
}

static void
make_bundles(void)
{
	struct sf_device a, b, c;
	struct sf_rev r[12];
	struct odb *db;
	struct odb_device od;
	struct ds_err err;
	char ans[128];
	int i;

	sf_device_make(&a, 1);
	sf_device_make(&b, 2);
	sf_device_make(&c, 3);	/* never enrolled: held */
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK)
		abort();
	memset(&od, 0, sizeof(od));
	od.state = ODB_DEV_ENROLLED;
	memcpy(od.device_id, a.device_id, 16);
	memcpy(od.sign_pk, a.key->pk, 32);
	odb_device_put(db, &od, &err);
	memcpy(od.device_id, b.device_id, 16);
	memcpy(od.sign_pk, b.key->pk, 32);
	odb_device_put(db, &od, &err);
	odb_close(db);
	for (i = 0; i < 10; i++) {
		snprintf(ans, sizeof(ans), "{\"income\":%d,\"name\":\"户%d\"}",
		    i * 10, i);
		sf_rev(&r[i], &a, i, 1, NULL, ans);
	}
	bund[0] = sf_bundle(&a, &office, r, 5, 0, 0, &blen[0]);
	bund[1] = sf_bundle(&a, &office, r + 5, 5, 0, 0, &blen[1]);
	sf_rev(&r[10], &a, 3, 2, r[3].r.rev_id, "{\"income\":31,\"name\":\"户3\"}");
	bund[2] = sf_bundle(&a, &office, r + 10, 1, 0, 0, &blen[2]);
	sf_rev(&r[11], &b, 3, 2, r[3].r.rev_id, "{\"income\":32,\"name\":\"户3\"}");
	bund[3] = sf_bundle(&b, &office, r + 11, 1, 0, 0, &blen[3]);
	bund[4] = sf_bundle(&a, &office, r, 5, 0, 0, &blen[4]);	/* dup */
	sf_rev(&r[0], &c, 99, 1, NULL, "{\"x\":1}");
	bund[5] = sf_bundle(&c, &office, r, 1, 0, 0, &blen[5]);
	bund[6] = malloc(blen[1]);
	memcpy(bund[6], bund[1], blen[1]);
	bund[6][blen[1] / 2] ^= 1;	/* rejected */
	sf_device_free(&a);
	sf_device_free(&b);
	sf_device_free(&c);
}

static void
test_kill9_rerun_equals_clean_run(void)
{
	unsigned char ref[32], got[32];
	char pristine[700], clean[700], work[700];
	uint64_t t0, span;
	pid_t pid;
	int i, status, mismatches = 0, killed = 0, broken = 0;

	snprintf(pristine, sizeof(pristine), "%s/pristine.db", tmp);
	snprintf(clean, sizeof(clean), "%s/clean.db", tmp);
	snprintf(work, sizeof(work), "%s/work.db", tmp);
	copy_file(office.db, pristine);
	copy_file(pristine, clean);
	t0 = ds_mono_ns();
	INT_EQ(import_all(clean), 0);
	span = (ds_mono_ns() - t0) / 1000;	/* microseconds */
	if (span < 200)
		span = 200;
	sf_db_digest(clean, NULL, ref);
	/* A second clean pass changes nothing (idempotence). */
	INT_EQ(import_all(clean), 0);
	sf_db_digest(clean, NULL, got);
	OK(memcmp(ref, got, 32) == 0);

	srand((unsigned)time(NULL));
	for (i = 0; i < ROUNDS; i++) {
		copy_file(pristine, work);
		fflush(stdout);
		if ((pid = fork()) == -1)
			abort();
		if (pid == 0) {
			import_all(work);
			ts_exit(0);
		}
		usleep((useconds_t)((uint64_t)rand() % (span + span / 4)));
		if (kill(pid, SIGKILL) == 0)
			killed++;
		waitpid(pid, &status, 0);
		if (!integrity_ok(work))
			broken++;
		if (import_all(work) != 0)
			broken++;
		sf_db_digest(work, NULL, got);
		if (memcmp(ref, got, 32) != 0)
			mismatches++;
	}
	INT_EQ(broken, 0);
	INT_EQ(mismatches, 0);
	OK(killed >= ROUNDS / 2);
	printf("# %d rounds, clean import %llu us\n", ROUNDS,
	    (unsigned long long)span);
}

int
main(void)
{
	char d[600];
	int i;

	ds_json_init();
	setenv("DOORSTEP_FAKE_NOW", "1763880000", 1);
	tmp = ts_tmpdir("crash");
	snprintf(d, sizeof(d), "%s/office", tmp);
	sf_office_make(&office, d);
	make_bundles();
	RUN(test_kill9_rerun_equals_clean_run);
	for (i = 0; i < NB; i++) {
		if (i == 6)
			free(bund[i]);
		else
			ds_free(bund[i]);
	}
	sf_office_free(&office);
	return harness_done();
}
