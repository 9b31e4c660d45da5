/* doorstep: benchmark of the record store (make bench; never in tests). */
/*
 * 1. One save as the interview saves an answer: a ~3 KB household of five
 *    members (their ID numbers and the household key as blind indexes, a
 *    summary with their names), a new record every 10 saves and nine
 *    edits of it.  Against the bare commit: the same bytes as one row of a
 *    plain table, BEGIN / INSERT / COMMIT, with the store's settings (WAL,
 *    synchronous=FULL) in the same directory.  Interleaved pair by pair
 *    (the order alternating), N_SAVE pairs: the median and spread of each
 *    and of the ratio per pair, and the WAL pages each writes (counted by
 *    a VFS wrapper: tests/support/countvfs.c).  Both are durable when they
 *    return (the WAL is fsynced at COMMIT).
 * 1b. One answer saved as the interview saves it now (src/sess.c): a
 *    sealed delta of that one answer (store_delta_add, about 100 bytes),
 *    and every SESS_DELTAS_MAX-th (32) the full store_save that holds
 *    them, as the session makes it; against the same bare commit of the
 *    3 KB household, interleaved the same way.  Its mean is given too:
 *    the median hides the one full save in 32.
 * 1c. The delta alone (store_delta_add) against a bare commit of its own
 *    bytes (about 100), the floor for "one small row".
 * 2. Bulk: N_BULK households saved one transaction each into a fresh
 *    store; it is reopened (quick check) and the whole list read
 *    (decrypting every summary), then searches.
 * The scratch directory (BENCH_DIR, else TMPDIR) decides the disk: the
 * machine state line says whether it is tmpfs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "support/countvfs.h"
#include "support/support.h"

#include "bench_common.h"
#include "cry.h"
#include "store.h"
#include "util.h"

#define NMEMBER	5

struct bench {
	struct store		*s;
	sqlite3			*bare;
	sqlite3_stmt		*ins;
	char			 json[8192];
	size_t			 len;
	unsigned char		 id[STORE_ID_BYTES];
	int			 i;
	char			 ids[NMEMBER][24];
	const char		*idp[NMEMBER];
	char			 members[256];
	uint64_t		 wal_bare, wal_store;
	int64_t			 rev_no, nd;	/* 1b: revision, deltas */
	char			 delta[256];
};

/* A household of about 3 KB; edit e changes one answer. */
static size_t
household(struct bench *b, int k, int e)
{
	size_t len, m;
	int i;

	len = (size_t)snprintf(b->json, sizeof(b->json), "{\"edit\":%d,"
	    "\"head\":\"户主%d\",\"hh_id\":\"34052200%06d\",\"member\":[", e, k,
	    k);
	b->members[0] = '\0';
	for (i = 0, m = 0; i < 22; i++) {
		len += (size_t)snprintf(b->json + len, sizeof(b->json) - len,
		    "%s{\"age\":%d,\"id\":\"34052219%02d0512%03d%d\",\"income\":"
		    "%d.5,\"name\":\"成员%d-%d\",\"note\":\"无异常情况，继续监测\","
		    "\"relation\":\"child\"}", i ? "," : "", 20 + i, i, k % 1000,
		    i % 10, 12000 + i * 37, k, i);
		if (i < NMEMBER) {
			snprintf(b->ids[i], sizeof(b->ids[i]),
			    "34052219%02d0512%03d%d", i, k % 1000, i % 10);
			m += (size_t)snprintf(b->members + m,
			    sizeof(b->members) - m, "%s成员%d-%d", i ? "\n" : "",
			    k, i);
		}
	}
	len += (size_t)snprintf(b->json + len, sizeof(b->json) - len,
	    "],\"village\":\"石门村\"}");
	return len;
}

static uint64_t
wal_bytes(void)
{
	struct countvfs_stats c;

	countvfs_get(&c);
	return c.bytes[COUNTVFS_WAL];
}

static int
bare_commit(void *arg)
{
	struct bench *b = arg;
	uint64_t w = wal_bytes();

	if (sqlite3_exec(b->bare, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(b->ins, 1, b->json, (int)b->len, SQLITE_STATIC);
	if (sqlite3_step(b->ins) != SQLITE_DONE)
		return -1;
	sqlite3_reset(b->ins);
	if (sqlite3_exec(b->bare, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	b->wal_bare += wal_bytes() - w;
	return 0;
}

/* Save household k, edit e, as record b->id (a full store_save). */
static int
save_household(struct bench *b, int k, int e)
{
	char hh[32], head[32];
	struct store_summary sm;
	struct store_save v;
	struct ds_err err;

	b->len = household(b, k, e);
	snprintf(hh, sizeof(hh), "34052200%06d", k);
	snprintf(head, sizeof(head), "户主%d", k);
	memset(&sm, 0, sizeof(sm));
	sm.head_name = head;
	sm.village = "石门村";
	sm.household_key = hh;
	sm.members = b->members;
	sm.answered = 80 + e;
	memset(&v, 0, sizeof(v));
	v.record_id = b->id;
	v.form_id = "household";
	v.form_version = "2026110101";
	v.household_key = hh;
	v.id_numbers = b->idp;
	v.n_id_numbers = NMEMBER;
	v.answers = b->json;
	v.answers_len = b->len;
	v.summary = &sm;
	if (store_save(b->s, &v, NULL, &err) != DS_OK) {
		fprintf(stderr, "save: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
one_save(void *arg)
{
	struct bench *b = arg;
	uint64_t w = wal_bytes();

	if (b->i % 10 == 0)
		store_id_new(b->id);	/* a new record, then nine edits */
	if (save_household(b, b->i / 10, b->i % 10) != 0)
		return -1;
	b->wal_store += wal_bytes() - w;
	b->i++;
	return 0;
}

#define ANSWERS_PER_REV	32	/* SESS_DELTAS_MAX in src/sess.c */

/* The delta of answer i to member m + 1 of the household. */
static size_t
delta_text(struct bench *b, int m)
{
	return (size_t)snprintf(b->delta, sizeof(b->delta), "{\"at\":"
	    "\"member[%d]/income\",\"op\":\"set\",\"path\":"
	    "\"member[%d]/income\",\"v\":\"%d.5\"}", m + 1, m + 1,
	    12000 + b->i);
}

/* 1c: the bare commit of a delta's bytes. */
static int
bare_small(void *arg)
{
	struct bench *b = arg;
	uint64_t w = wal_bytes();
	size_t len = delta_text(b, b->i % 22);

	if (sqlite3_exec(b->bare, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(b->ins, 1, b->delta, (int)len, SQLITE_STATIC);
	if (sqlite3_step(b->ins) != SQLITE_DONE)
		return -1;
	sqlite3_reset(b->ins);
	if (sqlite3_exec(b->bare, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	b->wal_bare += wal_bytes() - w;
	return 0;
}

/* 1c: one delta alone. */
static int
one_delta(void *arg)
{
	struct bench *b = arg;
	struct ds_err err;
	uint64_t w = wal_bytes();
	size_t len = delta_text(b, b->i % 22);

	if (store_delta_add(b->s, b->id, b->rev_no, b->nd + 1, b->delta, len,
	    &err) != DS_OK) {
		fprintf(stderr, "delta: %s\n", err.msg);
		return -1;
	}
	b->nd++;
	b->i++;
	b->wal_store += wal_bytes() - w;
	return 0;
}

/* 1b: one answer as the session keeps it; every 32nd the revision. */
static int
one_answer(void *arg)
{
	struct bench *b = arg;
	struct ds_err err;
	uint64_t w = wal_bytes();
	size_t len;
	int m = b->i % 22;

	if (b->rev_no == 0 || b->nd == ANSWERS_PER_REV) {
		if (b->rev_no == 0)
			store_id_new(b->id);
		if (save_household(b, 7, (int)b->rev_no) != 0)
			return -1;
		b->rev_no++;
		b->nd = 0;
	} else {
		len = delta_text(b, m);
		if (store_delta_add(b->s, b->id, b->rev_no, b->nd + 1,
		    b->delta, len, &err) != DS_OK) {
			fprintf(stderr, "delta: %s\n", err.msg);
			return -1;
		}
		b->nd++;
	}
	b->wal_store += wal_bytes() - w;
	b->i++;
	return 0;
}

static void
bulk(struct bench *b, const char *dir, const unsigned char *dek,
    const unsigned char *dev, int nbulk)
{
	struct store_list l = { NULL, 0 };
	struct store_query q;
	struct ds_err err;
	char path[700];
	uint64_t t0, tsave, tlist;

	snprintf(path, sizeof(path), "%s/bulk.db", dir);
	if (store_open(path, dek, dev, &b->s, &err) != DS_OK)
		exit(1);
	b->i = 0;
	t0 = ds_mono_ns();
	while (b->i < nbulk * 10)
		if (one_save(b) != 0)
			exit(1);
		else
			b->i += 9;	/* one save per household */
	tsave = ds_mono_ns() - t0;
	store_close(b->s);
	t0 = ds_mono_ns();
	if (store_open(path, dek, dev, &b->s, &err) != DS_OK)
		exit(1);
	printf("bulk: %d households saved in %.1f s (%.2f ms each)\n", nbulk,
	    tsave / 1e9, tsave / 1e6 / nbulk);
	printf("  reopen (quick check)              %8.1f ms\n",
	    (ds_mono_ns() - t0) / 1e6);
	store_query_init(&q);
	t0 = ds_mono_ns();
	if (store_list(b->s, &q, &l, &err) != DS_OK)
		exit(1);
	tlist = ds_mono_ns() - t0;
	printf("  list all (decrypt %zu summaries)  %8.1f ms\n", l.n,
	    tlist / 1e6);
	store_list_free(&l);
	q.name = "户主9999";
	t0 = ds_mono_ns();
	store_list(b->s, &q, &l, &err);
	printf("  search by name (in memory)        %8.1f ms, %zu hits\n",
	    (ds_mono_ns() - t0) / 1e6, l.n);
	store_list_free(&l);
	store_query_init(&q);
	q.household_key = "34052200009999";
	t0 = ds_mono_ns();
	store_list(b->s, &q, &l, &err);
	printf("  search by household key (blind)   %8.3f ms, %zu hits\n",
	    (ds_mono_ns() - t0) / 1e6, l.n);
	store_list_free(&l);
	store_close(b->s);
}

static double
mean_ms(const uint64_t *t, int n)
{
	double sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += (double)t[i];
	return sum / n / 1e6;
}

int
main(void)
{
	static struct bench b;
	const char *dir, *e;
	char path[700];
	unsigned char dek[32], dev[16];
	struct ds_err err;
	uint64_t *tb, *ts;
	double *ratio;
	int nsave = 400, nbulk = 10000, i;

	if ((e = getenv("N_SAVE")) != NULL && atoi(e) > 0)
		nsave = atoi(e);
	if ((e = getenv("N_BULK")) != NULL)
		nbulk = atoi(e);
	if (cry_init(&err) != DS_OK || countvfs_install() != 0)
		return 1;
	dir = getenv("BENCH_DIR") != NULL ? getenv("BENCH_DIR") :
	    ts_tmpdir("bench_store");
	bench_machine("start", dir);
	for (i = 0; i < NMEMBER; i++)
		b.idp[i] = b.ids[i];
	cry_random(dek, sizeof(dek));
	cry_random(dev, sizeof(dev));
	snprintf(path, sizeof(path), "%s/records.db", dir);
	if (store_open(path, dek, dev, &b.s, &err) != DS_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/bare.db", dir);
	if (sqlite3_open(path, &b.bare) != SQLITE_OK ||
	    sqlite3_exec(b.bare, "PRAGMA journal_mode=WAL; "
	    "PRAGMA synchronous=FULL; CREATE TABLE t (id INTEGER PRIMARY KEY, "
	    "b BLOB)", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(b.bare, "INSERT INTO t (b) VALUES (?1)", -1,
	    &b.ins, NULL) != SQLITE_OK)
		return 1;
	tb = calloc((size_t)nsave, sizeof(*tb));
	ts = calloc((size_t)nsave, sizeof(*ts));
	ratio = calloc((size_t)nsave, sizeof(*ratio));
	if (tb == NULL || ts == NULL || ratio == NULL)
		return 1;
	/* A few of each first: files created, caches warm. */
	if (bench_pair(10, bare_commit, one_save, &b, tb, ts, ratio) != 0)
		return 1;
	b.wal_bare = b.wal_store = 0;
	if (bench_pair(nsave, bare_commit, one_save, &b, tb, ts, ratio) != 0)
		return 1;
	printf("save: a %zu-byte household of %d members (blind indexes, "
	    "summary), a new record every 10 saves; %d pairs, "
	    "synchronous=FULL\n", b.len, NMEMBER, nsave);
	bench_pair_print("bare commit", "store_save", tb, ts, ratio, nsave);
	printf("  WAL pages per commit (4 KiB + 24 B): bare %.1f, store_save "
	    "%.1f\n", (double)b.wal_bare / nsave / (4096 + 24),
	    (double)b.wal_store / nsave / (4096 + 24));
	/* 1b: the answer as the interview saves it now */
	b.i = 0;
	if (bench_pair(10, bare_commit, one_answer, &b, tb, ts, ratio) != 0)
		return 1;
	b.wal_bare = b.wal_store = 0;
	b.rev_no = b.nd = 0;	/* a fresh record: its first save is full */
	if (bench_pair(nsave, bare_commit, one_answer, &b, tb, ts, ratio) !=
	    0)
		return 1;
	printf("answer: one answer as the interview saves it (a sealed delta, "
	    "a full save every %d); %d pairs\n", ANSWERS_PER_REV, nsave);
	bench_pair_print("bare commit", "answer save", tb, ts, ratio, nsave);
	printf("  mean: bare %.3f ms, answer save %.3f ms\n", mean_ms(tb,
	    nsave), mean_ms(ts, nsave));
	printf("  WAL pages per commit (4 KiB + 24 B): bare %.1f, answer save "
	    "%.1f\n", (double)b.wal_bare / nsave / (4096 + 24),
	    (double)b.wal_store / nsave / (4096 + 24));
	/* 1c: the delta alone against a bare row of its size */
	if (bench_pair(10, bare_small, one_delta, &b, tb, ts, ratio) != 0)
		return 1;
	b.wal_bare = b.wal_store = 0;
	if (bench_pair(nsave, bare_small, one_delta, &b, tb, ts, ratio) != 0)
		return 1;
	printf("delta: store_delta_add alone against a bare commit of its "
	    "%zu bytes; %d pairs\n", delta_text(&b, 0), nsave);
	bench_pair_print("bare commit, small", "store_delta_add", tb, ts,
	    ratio, nsave);
	printf("  WAL pages per commit (4 KiB + 24 B): bare %.1f, "
	    "store_delta_add %.1f\n", (double)b.wal_bare / nsave /
	    (4096 + 24), (double)b.wal_store / nsave / (4096 + 24));
	store_close(b.s);
	sqlite3_finalize(b.ins);
	sqlite3_close(b.bare);
	if (nbulk > 0)
		bulk(&b, dir, dek, dev, nbulk);
	printf("  peak RSS                          %8.1f MiB\n",
	    bench_peak_mib());
	bench_machine("end", dir);
	free(tb);
	free(ts);
	free(ratio);
	return 0;
}
