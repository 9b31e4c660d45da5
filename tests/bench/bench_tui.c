/* doorstep: benchmark of the TUI: start to the list, peak memory, Enter. */
/*
 * Everything runs through the real app code: curses on /dev/null (the
 * DS_NO_DISPLAY path), the real workspace, store, engine and session,
 * keys fed through tui_feed() as the main loop does, and a full draw pass
 * after each key.  Not part of the test suite: `make bench`.
 *
 * 1. Start to the list, at each size of N_HH (default "10000 100000"
 *    households, each with a summary of the shipped form's shape: head,
 *    village, label, household number, five members' names, record code).
 *    Each start is a process of its own (fork), so its peak memory is its
 *    own: unlock (the passphrase given; the key derivation, at the
 *    test-only minimum cost, is timed apart and taken out), the list
 *    loaded and drawn.  Then the integrity check the app runs once the
 *    list is on the screen (tui_idle), timed apart.  The floor, in a
 *    process of its own too: the same rows (a copy of the record table
 *    with the summaries sealed the same way, same sizes) read by the same
 *    query, each summary decrypted into one block, the lines sorted by
 *    time.  REPS (default 7) pairs, the order alternating.
 * 2. Enter in a roster: a household on the shipped form with MEMBERS
 *    (default "15 1000") members, the cursor on the last member's name;
 *    ENTERS (default 40) times, in blocks of 10 alternating between the
 *    households: a character typed, then Enter (save the answer,
 *    recompute, move on, draw), then F3 back.  Also the keystroke to
 *    screen while typing.
 * BENCH_DIR (else TMPDIR) holds the workspace; FORMS the shipped forms.
 */
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "support/support.h"

#include "bench_common.h"
#include "cry.h"
#include "eng.h"
#include "i18n.h"
#include "mem.h"
#include "store.h"
#include "tui.h"
#include "tui_app.h"
#include "tui_int.h"
#include "tui_iv.h"
#include "util.h"
#include "ws.h"

#define MAXSIZES	8
#define FLOOR_AD	"bench floor summary"

static const char *PASS = "bench passphrase one";
static unsigned char floor_key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];

static void
die(const char *what, const struct ds_err *err)
{
	fprintf(stderr, "bench_tui: %s: %s\n", what, err != NULL ? err->msg :
	    "");
	exit(1);
}

static double
ms_since(uint64_t t0)
{
	return (double)(ds_mono_ns() - t0) / 1e6;
}

/* The summary of household i, as the session would save it. */
struct summ {
	char	head[32], hh[32], label[64], members[160], code[16];
	const char *village;
};

static void
summ_of(int i, struct summ *s)
{
	static const char *villages[] = { "石门村", "河口村", "枫树村",
	    "新华村", "高桥村" };
	size_t m = 0;
	int k;

	snprintf(s->head, sizeof(s->head), "户主%06d", i);
	snprintf(s->hh, sizeof(s->hh), "34052200%06d", i);
	s->village = villages[i % 5];
	snprintf(s->label, sizeof(s->label), "%s %s", s->head, s->village);
	for (k = 0; k < 5; k++)
		m += (size_t)snprintf(s->members + m, sizeof(s->members) - m,
		    "%s%s成员%d", k ? "\n" : "", s->head, k);
	snprintf(s->code, sizeof(s->code), "K%03X-Q%03X", i % 4096,
	    (i * 7) % 4096);
}

/* Households [from, to): through store_save into the workspace, and the
 * same summaries sealed under the floor's key into floor.db. */
static void
seed(const char *ws, sqlite3 *fl, int from, int to)
{
	struct store_summary sm;
	struct store_save v;
	struct summ s;
	struct ws *w = NULL;
	struct ds_err err;
	sqlite3_stmt *ins;
	unsigned char id[16], pt[512], ct[600], nonce[24];
	char json[512];
	const char *f[6];
	size_t n, l;
	int i, k;

	if (ws_open(ws, PASS, strlen(PASS), &w, &err) != DS_OK)
		die("open for seeding", &err);
	if (sqlite3_exec(fl, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(fl, "INSERT INTO record (id, status, saved_at, "
	    "summary) VALUES (?1, ?2, ?3, ?4)", -1, &ins, NULL) != SQLITE_OK)
		die("floor", NULL);
	for (i = from; i < to; i++) {
		summ_of(i, &s);
		snprintf(json, sizeof(json), "{\"_meta\":{\"form\":"
		    "\"household\",\"path\":\"head_name\",\"state\":\"draft\","
		    "\"version\":\"2026112301\"},\"head_name\":\"%s\",\"hh_id\":"
		    "\"%s\"}", s.head, s.hh);
		memset(&sm, 0, sizeof(sm));
		sm.head_name = s.head;
		sm.village = s.village;
		sm.label = s.label;
		sm.household_key = s.hh;
		sm.members = s.members;
		sm.code = s.code;
		sm.answered = 40 + i % 50;
		sm.n_errors = i % 3;
		memset(&v, 0, sizeof(v));
		store_id_new(id);
		v.record_id = id;
		v.form_id = "household";
		v.form_version = "2026112301";
		v.household_key = s.hh;
		v.answers = json;
		v.answers_len = strlen(json);
		v.summary = &sm;
		if (store_save(ws_store(w), &v, NULL, &err) != DS_OK)
			die("seed save", &err);
		/* The floor's copy: the same strings, the same sizes. */
		f[0] = s.head, f[1] = s.village, f[2] = s.label;
		f[3] = s.hh, f[4] = s.members, f[5] = s.code;
		for (k = 0, n = 0; k < 6; k++) {
			l = strlen(f[k]);
			pt[n++] = (unsigned char)l;
			pt[n++] = 0;
			memcpy(pt + n, f[k], l);
			n += l;
		}
		memset(pt + n, 0, 3);
		n += 3;
		randombytes_buf(nonce, sizeof(nonce));
		memcpy(ct, nonce, sizeof(nonce));
		crypto_aead_xchacha20poly1305_ietf_encrypt(ct + 24, NULL, pt, n,
		    (const unsigned char *)FLOOR_AD, sizeof(FLOOR_AD) - 1, NULL,
		    nonce, floor_key);
		sqlite3_bind_blob(ins, 1, id, 16, SQLITE_STATIC);
		sqlite3_bind_int(ins, 2, i % 4);
		sqlite3_bind_int64(ins, 3, 1765000000 + i);
		sqlite3_bind_blob(ins, 4, ct, (int)(n + 24 + 16),
		    SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			die("floor insert", NULL);
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	if (sqlite3_exec(fl, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die("floor commit", NULL);
	ws_close(w);
}

/* ---- the floor: query, decrypt, sort ----------------------------------- */

struct fitem {
	unsigned char	 id[16];
	int64_t		 saved_at;
	int		 status;
	unsigned char	*sum;		/* the decrypted summary */
};

static int
cmp_fitem(const void *a, const void *b)
{
	const struct fitem *x = a, *y = b;

	return x->saved_at > y->saved_at ? -1 : x->saved_at < y->saved_at;
}

static double
floor_run(const char *path)
{
	struct fitem *v = NULL, *nv;
	size_t n = 0, cap = 0, len;
	sqlite3 *db;
	sqlite3_stmt *q;
	const unsigned char *ct;
	uint64_t t0 = ds_mono_ns();

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(db, "SELECT id, status, saved_at, "
	    "summary FROM record ORDER BY saved_at DESC, rowid DESC", -1, &q,
	    NULL) != SQLITE_OK)
		die("floor open", NULL);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				die("floor memory", NULL);
			v = nv;
		}
		memcpy(v[n].id, sqlite3_column_blob(q, 0), 16);
		v[n].status = sqlite3_column_int(q, 1);
		v[n].saved_at = sqlite3_column_int64(q, 2);
		ct = sqlite3_column_blob(q, 3);
		len = (size_t)sqlite3_column_bytes(q, 3) - 40;
		if ((v[n].sum = malloc(len)) == NULL ||
		    crypto_aead_xchacha20poly1305_ietf_decrypt(v[n].sum, NULL,
		    NULL, ct + 24, len + 16, (const unsigned char *)FLOOR_AD,
		    sizeof(FLOOR_AD) - 1, ct, floor_key) != 0)
			die("floor decrypt", NULL);
		n++;
	}
	qsort(v, n, sizeof(*v), cmp_fitem);
	return ms_since(t0);
}

/* ---- the app's start ------------------------------------------------- */

struct start_res {
	double	total, kdf, idle;
};

static void
tui_start(const char *dir, struct start_res *r)
{
	static struct tui_opts o;
	char ws[1100], ws0[1100];
	struct ds_err err;
	struct ws *w;
	uint64_t t0;

	snprintf(ws, sizeof(ws), "%s/ws", dir);
	snprintf(ws0, sizeof(ws0), "%s/ws0", dir);
	/* The key derivation alone: an empty workspace of the same cost. */
	t0 = ds_mono_ns();
	if (ws_open(ws0, PASS, strlen(PASS), &w, &err) != DS_OK)
		die("ws_open", &err);
	r->kdf = ms_since(t0);
	ws_close(w);
	setenv("DOORSTEP_PASSPHRASE", PASS, 1);
	t0 = ds_mono_ns();
	(void)i18n_init(NULL);
	if (tui_term_open_null(80, 24, &err) != DS_OK)
		die("terminal", &err);
	o.workspace = ws;
	o.no_display = 1;
	o.cols = 80;
	o.rows = 24;
	if (tui_app_open(&o, &err) != DS_OK)
		die("app", &err);
	tui_draw();
	r->total = ms_since(t0);
	if (tui_app()->ws == NULL)
		die("unlock failed", NULL);
	t0 = ds_mono_ns();
	while (tui_idle())
		tui_draw();
	r->idle = ms_since(t0);
	if (tui_app()->ws == NULL)
		die("the integrity check failed", NULL);
}

/* Run one start (which 0: floor, 1: app) in a child: ms and peak MiB. */
static void
child(const char *dir, int which, double *ms, double *mib, double *idle)
{
	struct start_res r;
	struct rusage ru;
	char path[1100];
	int fd[2], status;
	pid_t pid;

	if (pipe(fd) != 0 || (pid = fork()) < 0)
		die("fork", NULL);
	if (pid == 0) {
		close(fd[0]);
		memset(&r, 0, sizeof(r));
		snprintf(path, sizeof(path), "%s/floor.db", dir);
		if (which == 0)
			r.total = floor_run(path);
		else {
			tui_start(dir, &r);
			r.total -= r.kdf;
		}
		if (write(fd[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
		die("child failed", NULL);
	close(fd[0]);
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		die("child status", NULL);
	*ms = r.total;
	*idle = r.idle;
	*mib = (double)ru.ru_maxrss / 1024.0;
}

static void
starts(const char *dir, int n_hh, int reps)
{
	double *tf = calloc((size_t)reps, sizeof(double));
	double *ta = calloc((size_t)reps, sizeof(double));
	double *mf = calloc((size_t)reps, sizeof(double));
	double *ma = calloc((size_t)reps, sizeof(double));
	double *rt = calloc((size_t)reps, sizeof(double));
	double *rm = calloc((size_t)reps, sizeof(double));
	double *ti = calloc((size_t)reps, sizeof(double));
	double idle;
	struct bench_stat s;
	int i, k;

	if (tf == NULL || ta == NULL || mf == NULL || ma == NULL ||
	    rt == NULL || rm == NULL || ti == NULL)
		die("memory", NULL);
	for (i = 0; i < reps; i++) {
		for (k = 0; k < 2; k++) {
			int app = (k == 0) == (i % 2 == 0);

			if (app)
				child(dir, 1, &ta[i], &ma[i], &ti[i]);
			else
				child(dir, 0, &tf[i], &mf[i], &idle);
		}
		rt[i] = ta[i] / tf[i];
		rm[i] = ma[i] / mf[i];
	}
	printf("start to the list, %d households, %d pairs of processes:\n",
	    n_hh, reps);
	bench_stat_dbl(tf, (size_t)reps, &s);
	bench_print("floor: query, decrypt, sort", &s, "ms");
	bench_stat_dbl(ta, (size_t)reps, &s);
	bench_print("app: unlock to list drawn (no KDF)", &s, "ms");
	bench_stat_dbl(rt, (size_t)reps, &s);
	bench_print("ratio (per pair)", &s, "x ");
	bench_stat_dbl(ti, (size_t)reps, &s);
	bench_print("app: integrity check at idle", &s, "ms");
	bench_stat_dbl(mf, (size_t)reps, &s);
	bench_print("floor: peak RSS", &s, "MiB");
	bench_stat_dbl(ma, (size_t)reps, &s);
	bench_print("app: peak RSS", &s, "MiB");
	bench_stat_dbl(rm, (size_t)reps, &s);
	bench_print("peak RSS ratio (per pair)", &s, "x ");
	free(tf);
	free(ta);
	free(mf);
	free(ma);
	free(rt);
	free(rm);
	free(ti);
}

/* ---- Enter in a roster ------------------------------------------------ */

static void
key_ch(wint_t c)
{
	struct tui_key k = { 0, c };

	tui_feed(&k);
}

static void
key_f(int f)
{
	struct tui_key k = { f, 0 };

	tui_feed(&k);
}

static void
copy_file(const char *from, const char *to)
{
	struct ds_err err;
	char *b;
	size_t n;

	if (ds_file_read(from, 64 << 20, &b, &n, &err) != DS_OK)
		die(from, &err);
	if (ds_file_write_atomic(to, b, n, 0600, &err) != DS_OK)
		die(to, &err);
	ds_free(b);
}

static void
install_forms(const char *forms, const char *ws)
{
	static const char *files[] = { "household.md", "province.csv",
	    "city.csv", "county.csv", "township.csv", "village.csv",
	    "vgroup.csv", "ethnicity.csv", "lines.csv" };
	char a[4096], b[4096];
	size_t i;

	snprintf(a, sizeof(a), "%s/forms", ws);
	mkdir(a, 0700);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(a, sizeof(a), "%s/%s", forms, files[i]);
		snprintf(b, sizeof(b), "%s/forms/%s", ws, files[i]);
		copy_file(a, b);
	}
}

/* A new household of m members, saved; its record id into id. */
static void
household(int m, unsigned char id[16])
{
	struct store_list l = { NULL, 0 };
	struct store_query q;
	struct ds_err err;
	char path[64];
	int i;

	if (tui_iv_new("household", &err) != DS_OK)
		die("new household", &err);
	if (tui_iv_set("consent", "yes", &err) != DS_OK)
		die("consent", &err);
	for (i = 0; i < m; i++) {
		if (tui_iv_repeat_add("member", &err) != DS_OK)
			die("add member", &err);
		snprintf(path, sizeof(path), "member[%d]/m_name", i + 1);
		if (tui_iv_set(path, "成员姓名", &err) != DS_OK)
			die("name", &err);
	}
	tui_iv_close();
	/* The newest record is this one. */
	store_query_init(&q);
	q.limit = 1;
	if (store_list(ws_store(tui_app()->ws), &q, &l, &err) != DS_OK ||
	    l.n != 1)
		die("list", &err);
	memcpy(id, l.items[0].id, 16);
	store_list_free(&l);
}

/*
 * Open household id at its last member's name; n Enters timed into t
 * (wall) and c (this thread's CPU time: on a loaded machine the wall
 * clock's spread is the scheduler's).
 */
static void
enters(const unsigned char id[16], int m, double *t, double *c, int n)
{
	struct ds_err err;
	char path[64];
	uint64_t t0, c0;
	int i;

	if (tui_iv_resume(id, &err) != DS_OK)
		die("resume", &err);
	tui_push(TUI_SCR_FORM, NULL);
	snprintf(path, sizeof(path), "member[%d]/m_name", m);
	if (tui_iv_jump(path, &err) != DS_OK)
		die("jump", &err);
	tui_draw();
	for (i = 0; i < n; i++) {
		key_ch(i % 2 ? L'李' : L'张');
		t0 = ds_mono_ns();
		c0 = bench_cpu_ns();
		key_ch(L'\r');
		tui_draw();
		t[i] = ms_since(t0);
		c[i] = (double)(bench_cpu_ns() - c0) / 1e6;
		key_f(KEY_F(3));
		tui_draw();
	}
	tui_pop(NULL);
	tui_iv_close();
	tui_draw();
}

static void
roster(const char *dir, const int *members, int nm, int n_enter)
{
	static struct tui_opts o;
	unsigned char id[MAXSIZES][16];
	double *t[MAXSIZES], *c[MAXSIZES], tk[400];
	struct bench_stat s;
	struct ds_err err;
	char ws[1100], label[64];
	uint64_t t0;
	int i, b, blk = 10;

	snprintf(ws, sizeof(ws), "%s/ws", dir);
	setenv("DOORSTEP_PASSPHRASE", PASS, 1);
	(void)i18n_init(NULL);
	if (tui_term_open_null(80, 24, &err) != DS_OK)
		die("terminal", &err);
	o.workspace = ws;
	o.no_display = 1;
	o.cols = 80;
	o.rows = 24;
	if (tui_app_open(&o, &err) != DS_OK)
		die("app", &err);
	tui_draw();
	while (tui_idle())
		tui_draw();
	for (i = 0; i < nm; i++) {
		household(members[i], id[i]);
		if ((t[i] = calloc((size_t)n_enter, sizeof(double))) == NULL ||
		    (c[i] = calloc((size_t)n_enter, sizeof(double))) == NULL)
			die("memory", NULL);
	}
	/* Typing on the largest: one character per key, drawn each time. */
	if (tui_iv_resume(id[nm - 1], &err) != DS_OK)
		die("resume", &err);
	tui_push(TUI_SCR_FORM, NULL);
	snprintf(label, sizeof(label), "member[%d]/m_name", members[nm - 1]);
	if (tui_iv_jump(label, &err) != DS_OK)
		die("jump", &err);
	tui_draw();
	for (i = 0; i < 400; i++) {
		t0 = ds_mono_ns();
		key_ch(i % 20 == 19 ? 0x15 /* Ctrl-U */ : L'王');
		tui_draw();
		tk[i] = ms_since(t0);
	}
	key_ch(0x15);
	tui_pop(NULL);
	tui_iv_close();
	tui_draw();
	/* Enters in blocks, alternating between the households. */
	for (b = 0; b * blk < n_enter; b++)
		for (i = 0; i < nm; i++) {
			int h = (b % 2) ? nm - 1 - i : i;

			enters(id[h], members[h], t[h] + b * blk, c[h] +
			    b * blk, n_enter - b * blk < blk ? n_enter -
			    b * blk : blk);
		}
	printf("Enter (save the answer, recompute, move on, draw), %d each, "
	    "blocks of %d alternating:\n", n_enter, blk);
	for (i = 0; i < nm; i++) {
		snprintf(label, sizeof(label), "roster of %d members",
		    members[i]);
		bench_stat_dbl(t[i], (size_t)n_enter, &s);
		bench_print(label, &s, "ms");
		snprintf(label, sizeof(label), "  same, thread CPU time");
		bench_stat_dbl(c[i], (size_t)n_enter, &s);
		bench_print(label, &s, "ms");
		free(t[i]);
		free(c[i]);
	}
	bench_stat_dbl(tk, 400, &s);
	snprintf(label, sizeof(label), "keystroke, %d members",
	    members[nm - 1]);
	bench_print(label, &s, "ms");
	(void)tui_app_close();
	tui_term_close();
}

/* Up to MAXSIZES numbers from a space-separated list. */
static int
numbers(const char *s, int *out)
{
	char *end;
	int n = 0;

	while (n < MAXSIZES && *s != '\0') {
		out[n] = (int)strtol(s, &end, 10);
		if (end == s)
			break;
		if (out[n] > 0)
			n++;
		s = end;
	}
	return n;
}

int
main(void)
{
	const char *forms = getenv("FORMS") ? getenv("FORMS") : "forms";
	const char *e;
	int sizes[MAXSIZES], members[MAXSIZES], ns, nm, reps, n_enter, i, done;
	struct ds_err err;
	char dir[1024], ws[1100], key[1100], path[1100];
	sqlite3 *fl;

	setlocale(LC_ALL, "C.UTF-8");
	setenv("LANGUAGE", "en", 1);
	ns = numbers((e = getenv("N_HH")) != NULL ? e : "10000 100000", sizes);
	nm = numbers((e = getenv("MEMBERS")) != NULL ? e : "15 1000",
	    members);
	reps = (e = getenv("REPS")) != NULL && atoi(e) > 0 ? atoi(e) : 7;
	n_enter = (e = getenv("ENTERS")) != NULL && atoi(e) > 0 ? atoi(e) :
	    40;
	snprintf(dir, sizeof(dir), "%s", getenv("BENCH_DIR") != NULL ?
	    getenv("BENCH_DIR") : ts_tmpdir("bench_tui"));
	bench_machine("start", dir);
	snprintf(ws, sizeof(ws), "%s/ws", dir);
	snprintf(key, sizeof(key), "%s/%s", dir, CRY_OFFICE_PUB_FILE);
	if (cry_init(&err) != DS_OK || cry_office_create(dir, NULL, &err) !=
	    DS_OK)
		die("office", &err);
	if (ws_create(ws, key, "bench worker", PASS, strlen(PASS),
	    CRY_COST_MIN, &err) != DS_OK)
		die("workspace", &err);
	snprintf(path, sizeof(path), "%s/ws0", dir);
	if (ws_create(path, key, "bench worker", PASS, strlen(PASS),
	    CRY_COST_MIN, &err) != DS_OK)
		die("empty workspace", &err);
	install_forms(forms, ws);
	crypto_aead_xchacha20poly1305_ietf_keygen(floor_key);
	snprintf(path, sizeof(path), "%s/floor.db", dir);
	if (sqlite3_open(path, &fl) != SQLITE_OK ||
	    sqlite3_exec(fl, "PRAGMA journal_mode=WAL; CREATE TABLE record "
	    "(id BLOB PRIMARY KEY, status INTEGER, saved_at INTEGER, "
	    "summary BLOB); CREATE INDEX record_saved ON record (saved_at)",
	    NULL, NULL, NULL) != SQLITE_OK)
		die("floor db", NULL);
	for (i = 0, done = 0; i < ns; i++) {
		fprintf(stderr, "seeding %d households...\n", sizes[i]);
		seed(ws, fl, done, sizes[i]);
		done = sizes[i];
		starts(dir, sizes[i], reps);
	}
	sqlite3_close(fl);
	if (nm > 0)
		roster(dir, members, nm, n_enter);
	printf("  peak RSS of the roster run        %8.1f MiB\n",
	    bench_peak_mib());
	bench_machine("end", dir);
	return 0;
}
