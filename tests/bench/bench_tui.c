/* Benchmark: the TUI on 10,000 households and the household form with a
 * 15-member roster (issue 4): start to the unlocked list, keystroke to
 * screen, peak RSS.  Not part of the test suite: `make bench`. */
/*
 * Everything runs through the real app code: curses on /dev/null (the
 * DS_NO_DISPLAY path), the real workspace, store, engine and session,
 * keys fed through tui_feed() exactly as the main loop does, and a full
 * draw pass (erase, draw, doupdate) after each key.  The key derivation
 * uses the minimum cost and is timed on its own, so "start to list"
 * excludes it as the issue asks.
 *
 *   N_HH=10000 MEMBERS=15 KEYS=400 build/rel/bench/bench_tui
 * Needs forms/household.md (run from the top directory, or FORMS=DIR).
 */
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "support/support.h"

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

static const char *PASS = "bench passphrase one";

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

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double *v, size_t n, double p)
{
	size_t i;

	qsort(v, n, sizeof(*v), cmp_dbl);
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i];
}

static long
rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* 10,000 households with summaries, like a busy township laptop. */
static void
seed(const char *ws, int n)
{
	static const char *villages[] = { "石门村", "河口村", "枫树村",
	    "新华村", "高桥村" };
	struct store_summary sm;
	struct store_save v;
	struct ws *w = NULL;
	struct ds_err err;
	unsigned char id[16];
	char json[512], head[64], hh[32];
	int i;

	if (ws_open(ws, PASS, strlen(PASS), &w, &err) != DS_OK)
		die("open for seeding", &err);
	for (i = 0; i < n; i++) {
		snprintf(head, sizeof(head), "户主%05d", i);
		snprintf(hh, sizeof(hh), "HH%06d", i);
		snprintf(json, sizeof(json), "{\"_meta\":{\"form\":\"household\","
		    "\"path\":\"head_name\",\"state\":\"draft\",\"version\":"
		    "\"2026112301\"},\"head_name\":\"%s\",\"hh_id\":\"%s\"}",
		    head, hh);
		memset(&sm, 0, sizeof(sm));
		sm.head_name = head;
		sm.village = villages[i % 5];
		sm.label = head;
		sm.n_errors = i % 3;
		memset(&v, 0, sizeof(v));
		store_id_new(id);
		v.record_id = id;
		v.form_id = "household";
		v.form_version = "2026112301";
		v.household_key = hh;
		v.answers = json;
		v.answers_len = strlen(json);
		v.summary = &sm;
		if (store_save(ws_store(w), &v, NULL, &err) != DS_OK)
			die("seed save", &err);
	}
	ws_close(w);
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

int
main(void)
{
	const char *forms = getenv("FORMS") ? getenv("FORMS") : "forms";
	int n_hh = getenv("N_HH") ? atoi(getenv("N_HH")) : 10000;
	int members = getenv("MEMBERS") ? atoi(getenv("MEMBERS")) : 15;
	int nkeys = getenv("KEYS") ? atoi(getenv("KEYS")) : 400;
	static struct tui_opts o;
	struct ds_err err;
	char dir[1024], ws[1100], key[1100], key2[1100], path[64];
	double t_kdf, t_list, t_total, *tk, *te;
	uint64_t t0;
	struct ws *w;
	int i;

	setlocale(LC_ALL, "C.UTF-8");
	setenv("LANGUAGE", "en", 1);
	snprintf(dir, sizeof(dir), "%s", ts_tmpdir("bench_tui"));
	snprintf(ws, sizeof(ws), "%s/ws", dir);
	snprintf(key, sizeof(key), "%s/%s", dir, CRY_OFFICE_PUB_FILE);
	if (cry_init(&err) != DS_OK || cry_office_create(dir, NULL, &err) !=
	    DS_OK)
		die("office", &err);
	if (ws_create(ws, key, "bench worker", PASS, strlen(PASS),
	    CRY_COST_MIN, &err) != DS_OK)
		die("workspace", &err);
	fprintf(stderr, "seeding %d households...\n", n_hh);
	seed(ws, n_hh);
	install_forms(forms, ws);

	/* The key derivation alone: opening an empty workspace of the same
	 * minimum cost (its store is empty, so this is the KDF). */
	snprintf(key2, sizeof(key2), "%s/ws0", dir);
	if (ws_create(key2, key, "bench worker", PASS, strlen(PASS),
	    CRY_COST_MIN, &err) != DS_OK)
		die("empty workspace", &err);
	t0 = ds_mono_ns();
	if (ws_open(key2, PASS, strlen(PASS), &w, &err) != DS_OK)
		die("ws_open", &err);
	t_kdf = ms_since(t0);
	ws_close(w);

	/* Start: curses, unlock (passphrase given), list loaded, drawn. */
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
	t_total = ms_since(t0);
	if (tui_app()->ws == NULL)
		die("unlock failed", NULL);
	t0 = ds_mono_ns();
	key_ch(L'o');		/* sort by village: reload, sort, draw */
	tui_draw();
	t_list = ms_since(t0);
	key_ch(L'o');

	/* A new household on the default form, roster of `members`. */
	key_ch(L'n');
	if (!tui_iv_open_p())
		die("new household did not open", NULL);
	if (tui_iv_set("consent", "yes", &err) != DS_OK)
		die("consent", &err);
	for (i = 0; i < members; i++) {
		if (tui_iv_repeat_add("member", &err) != DS_OK)
			die("add member", &err);
		snprintf(path, sizeof(path), "member[%d]/m_name", i + 1);
		if (tui_iv_set(path, "成员姓名", &err) != DS_OK)
			die("name", &err);
	}
	snprintf(path, sizeof(path), "member[%d]/m_name", members);
	if (tui_iv_jump(path, &err) != DS_OK)
		die("jump", &err);
	tui_draw();

	/* Typing: one character per key, drawn each time. */
	tk = calloc((size_t)nkeys, sizeof(double));
	te = calloc((size_t)nkeys, sizeof(double));
	for (i = 0; i < nkeys; i++) {
		t0 = ds_mono_ns();
		key_ch(i % 20 == 19 ? 0x15 /* Ctrl-U */ : L'王');
		tui_draw();
		tk[i] = ms_since(t0);
	}
	/* Accept: save a revision, recompute, move on, draw; then back. */
	for (i = 0; i < nkeys / 8; i++) {
		key_ch(i % 2 ? L'李' : L'张');
		t0 = ds_mono_ns();
		key_ch(L'\r');
		tui_draw();
		te[i] = ms_since(t0);
		key_f(KEY_F(3));
		tui_draw();
	}

	printf("| figure | value |\n|---|---|\n");
	printf("| households in the store | %d |\n", n_hh);
	printf("| key derivation (min cost; empty workspace open) | %.1f ms |\n",
	    t_kdf);
	printf("| start to unlocked household list, drawn (incl. KDF) | %.1f ms |\n",
	    t_total);
	printf("| **start to list excluding the key derivation** | **%.1f ms** |\n",
	    t_total - t_kdf);
	printf("| list reload + draw, %d households | %.1f ms |\n", n_hh, t_list);
	printf("| keystroke to screen, typing (p50 / p99), %d members | %.3f / %.3f ms |\n",
	    members, pct(tk, (size_t)nkeys, 0.5), pct(tk, (size_t)nkeys, 0.99));
	printf("| Enter: save + recompute + next + draw (p50 / p99) | %.2f / %.2f ms |\n",
	    pct(te, (size_t)(nkeys / 8), 0.5), pct(te, (size_t)(nkeys / 8),
	    0.99));
	printf("| **peak RSS** (whole process) | **%.1f MiB** |\n",
	    (double)rss_kib() / 1024.0);
	free(tk);
	free(te);
	(void)tui_app_close();
	tui_term_close();
	return 0;
}
