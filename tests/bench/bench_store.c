/* doorstep: benchmark of the record store (make bench; never in tests). */
/*
 * 1. Save latency of one revision (~3 KB canonical JSON, synchronous=FULL)
 *    against a bare SQLite commit of the same bytes, same settings, same
 *    run, same directory: the ratio is the cost of doorstep's encryption,
 *    indexes, outbox and audit on top of the unavoidable fsync.
 * 2. Bulk: 10,000 households saved, then listed (decrypting every summary);
 *    list time and peak RSS.
 * Options: N_SAVE (default 300) and N_BULK (default 10000) from the
 * environment; BENCH_DIR for the scratch directory (default $TMPDIR).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <sqlite3.h>

#include "support/support.h"

#include "cry.h"
#include "store.h"
#include "util.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A household of about 3 KB. */
static size_t
household(char *buf, size_t n, int k)
{
	size_t len;
	int i;

	len = (size_t)snprintf(buf, n, "{\"head\":\"户主%d\",\"members\":[", k);
	for (i = 0; i < 22; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s{\"age\":%d,"
		    "\"id\":\"43052219%02d0512771%d\",\"income\":%d.5,"
		    "\"name\":\"成员%d-%d\",\"note\":\"无异常情况，继续监测\","
		    "\"relation\":\"child\"}", i ? "," : "", 20 + i, i, i % 10,
		    12000 + i * 37, k, i);
	len += (size_t)snprintf(buf + len, n - len, "],\"village\":\"石门村\"}");
	return len;
}

static uint64_t
median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

static int
bare_sqlite(const char *dir, const char *json, size_t len, int n,
    uint64_t *med)
{
	char path[600];
	sqlite3 *db;
	sqlite3_stmt *ins;
	uint64_t *t = calloc((size_t)n, sizeof(*t)), t0;
	int i;

	snprintf(path, sizeof(path), "%s/bare.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
	    "CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)", NULL, NULL,
	    NULL);
	sqlite3_prepare_v2(db, "INSERT INTO t (b) VALUES (?1)", -1, &ins,
	    NULL);
	for (i = 0; i < n; i++) {
		t0 = ds_mono_ns();
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		sqlite3_bind_blob(ins, 1, json, (int)len, SQLITE_STATIC);
		sqlite3_step(ins);
		sqlite3_reset(ins);
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			return -1;
		t[i] = ds_mono_ns() - t0;
	}
	sqlite3_finalize(ins);
	sqlite3_close(db);
	*med = median(t, n);
	free(t);
	return 0;
}

static int
store_saves(struct store *s, const char *json, size_t len, int n,
    uint64_t *med)
{
	unsigned char id[16];
	struct store_summary sm = { "户主", "石门村", NULL, 0, 0,
	    NULL, NULL, NULL, 0, 0 };
	struct store_save v;
	struct ds_err err;
	uint64_t *t = calloc((size_t)n, sizeof(*t)), t0;
	int i;

	memset(&v, 0, sizeof(v));
	v.form_id = "household";
	v.form_version = "2026110101";
	v.answers = json;
	v.answers_len = len;
	v.summary = &sm;
	v.household_key = "4305220001";
	for (i = 0; i < n; i++) {
		if (i % 10 == 0)
			store_id_new(id);	/* new records and revisions */
		v.record_id = id;
		t0 = ds_mono_ns();
		if (store_save(s, &v, NULL, &err) != DS_OK) {
			fprintf(stderr, "save: %s\n", err.msg);
			return -1;
		}
		t[i] = ds_mono_ns() - t0;
	}
	*med = median(t, n);
	free(t);
	return 0;
}

int
main(void)
{
	const char *dir, *e;
	char path[600], *json;
	unsigned char dek[32], dev[16], id[16];
	struct store_list l = { NULL, 0 };
	struct store_summary sm = { NULL, "石门村", NULL, 0, 0,
	    NULL, NULL, NULL, 0, 0 };
	struct store_query q;
	struct store_save v;
	struct store *s = NULL;
	struct ds_err err;
	struct rusage ru;
	uint64_t bare, ours, t0, tsave, tlist;
	size_t len;
	int nsave = 300, nbulk = 10000, k;
	char head[32];

	if ((e = getenv("N_SAVE")) != NULL)
		nsave = atoi(e);
	if ((e = getenv("N_BULK")) != NULL)
		nbulk = atoi(e);
	if (cry_init(&err) != DS_OK)
		return 1;
	dir = ts_tmpdir("bench_store");
	json = malloc(8192);
	len = household(json, 8192, 1);
	cry_random(dek, sizeof(dek));
	cry_random(dev, sizeof(dev));
	snprintf(path, sizeof(path), "%s/records.db", dir);
	if (store_open(path, dek, dev, &s, &err) != DS_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	/* Interleave to share the machine's mood fairly. */
	if (bare_sqlite(dir, json, len, nsave / 2, &bare) != 0 ||
	    store_saves(s, json, len, nsave / 2, &ours) != 0)
		return 1;
	{
		uint64_t b2, o2;

		if (store_saves(s, json, len, nsave / 2, &o2) != 0 ||
		    bare_sqlite(dir, json, len, nsave / 2, &b2) != 0)
			return 1;
		bare = (bare + b2) / 2;
		ours = (ours + o2) / 2;
	}
	printf("save: %zu-byte household, %d saves each, synchronous=FULL\n",
	    len, nsave);
	printf("  bare sqlite commit median  %8.3f ms\n", bare / 1e6);
	printf("  store_save median          %8.3f ms\n", ours / 1e6);
	printf("  ratio                      %8.2fx (goal <= 1.5x)\n",
	    (double)ours / (double)bare);
	store_close(s);

	/* Bulk: a fresh store with nbulk households. */
	snprintf(path, sizeof(path), "%s/bulk.db", dir);
	if (store_open(path, dek, dev, &s, &err) != DS_OK)
		return 1;
	memset(&v, 0, sizeof(v));
	v.form_id = "household";
	v.form_version = "2026110101";
	v.summary = &sm;
	t0 = ds_mono_ns();
	for (k = 0; k < nbulk; k++) {
		char hh[32];

		len = household(json, 8192, k);
		snprintf(head, sizeof(head), "户主%d", k);
		snprintf(hh, sizeof(hh), "43052200%05d", k);
		sm.head_name = head;
		store_id_new(id);
		v.record_id = id;
		v.household_key = hh;
		v.answers = json;
		v.answers_len = len;
		if (store_save(s, &v, NULL, &err) != DS_OK) {
			fprintf(stderr, "bulk save: %s\n", err.msg);
			return 1;
		}
	}
	tsave = ds_mono_ns() - t0;
	store_close(s);
	if (store_open(path, dek, dev, &s, &err) != DS_OK)
		return 1;
	store_query_init(&q);
	t0 = ds_mono_ns();
	if (store_list(s, &q, &l, &err) != DS_OK)
		return 1;
	tlist = ds_mono_ns() - t0;
	printf("bulk: %d households saved in %.1f s (%.2f ms each)\n", nbulk,
	    tsave / 1e9, tsave / 1e6 / nbulk);
	printf("  list all (decrypt %zu summaries)  %8.1f ms\n", l.n,
	    tlist / 1e6);
	store_list_free(&l);
	q.name = "户主9999";
	t0 = ds_mono_ns();
	store_list(s, &q, &l, &err);
	printf("  search by name (in memory)        %8.1f ms, %zu hits\n",
	    (ds_mono_ns() - t0) / 1e6, l.n);
	store_list_free(&l);
	store_query_init(&q);
	q.household_key = "4305220009999";
	t0 = ds_mono_ns();
	store_list(s, &q, &l, &err);
	printf("  search by household key (blind)   %8.3f ms, %zu hits\n",
	    (ds_mono_ns() - t0) / 1e6, l.n);
	store_list_free(&l);
	getrusage(RUSAGE_SELF, &ru);
	printf("  peak RSS                          %8.1f MiB\n",
	    ru.ru_maxrss / 1024.0);
	store_close(s);
	free(json);
	return 0;
}
