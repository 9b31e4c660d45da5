/* Unit tests: the household list screen on a real workspace: status
 * filter, sort by village, search by name, household number (blind index)
 * and ID-card number (blind index); the app drawn into /dev/null and read
 * back with the screen dump. */
#include <curses.h>
#undef OK	/* curses' OK; the harness has its own */
#include <locale.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "support/support.h"

#include "cry.h"
#include "mem.h"
#include "status.h"
#include "store.h"
#include "tui.h"
#include "tui_app.h"
#include "tui_int.h"
#include "util.h"
#include "ws.h"

static const char *PASS = "list test passphrase";
static char dump_path[4096], wsdir[4096];
static char *screen;

static const char *villages[] = { "Gamma village", "Alpha village",
    "Beta village" };

static void
seed(void)
{
	struct store_summary sm;
	struct store_save v;
	struct ws *w = NULL;
	struct ds_err err;
	unsigned char id[16];
	char json[256], head[32], hh[32];
	const char *idn[1] = { "11010119900307001X" };
	int i;

	ST_EQ(ws_open(wsdir, PASS, strlen(PASS), &w, &err), DS_OK, &err);
	if (w == NULL)
		return;
	for (i = 0; i < 12; i++) {
		snprintf(head, sizeof(head), "Head%02d", i);
		snprintf(hh, sizeof(hh), "HH%04d", i);
		snprintf(json, sizeof(json), "{\"head\":\"%s\"}", head);
		memset(&sm, 0, sizeof(sm));
		sm.head_name = head;
		sm.village = villages[i % 3];
		sm.n_errors = i == 4 ? 2 : 0;
		memset(&v, 0, sizeof(v));
		store_id_new(id);
		v.record_id = id;
		v.form_id = "household";
		v.form_version = "1";
		v.household_key = hh;
		if (i == 5) {
			v.id_numbers = idn;
			v.n_id_numbers = 1;
		}
		v.answers = json;
		v.answers_len = strlen(json);
		v.summary = &sm;
		v.finalize = i % 3 == 0;
		ST_EQ(store_save(ws_store(w), &v, NULL, &err), DS_OK, &err);
	}
	ws_close(w);
}

/* The whole screen as text, after a draw pass. */
static const char *
text(void)
{
	struct ds_err err;
	size_t len;

	tui_draw();
	ds_free(screen);
	screen = NULL;
	if (tui_dump(dump_path, &err) != DS_OK ||
	    ds_file_read(dump_path, 1 << 20, &screen, &len, &err) != DS_OK)
		return "(dump failed)";
	return screen;
}

/* Line n (0-based) of the last text(). */
static const char *
line(int n)
{
	static char out[1024];
	const char *p = screen, *e;

	for (; n > 0 && p != NULL; n--)
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	if (p == NULL)
		return "";
	e = strchr(p, '\n');
	snprintf(out, sizeof(out), "%.*s", e ? (int)(e - p) : (int)strlen(p),
	    p);
	return out;
}

static void
keys(const char *s)
{
	struct tui_key k;

	for (; *s != '\0'; s++) {
		memset(&k, 0, sizeof(k));
		k.ch = (wint_t)(unsigned char)*s;
		if (*s == '\n')
			k.ch = L'\r';
		tui_feed(&k);
	}
}

static void
test_list_shows_every_household(void)
{
	const char *t = text();

	OK(strstr(t, "Households: 12") != NULL);
	OK(strstr(t, "list worker") != NULL);
	/* Newest save first. */
	OK(strstr(line(4), "Head11") != NULL);
	OK(strstr(line(4), "Beta village") != NULL);
	OK(strstr(line(4), "draft") != NULL);
	OK(strstr(t, "finalized") != NULL);
}

static void
test_status_filter_cycles(void)
{
	keys("s");
	OK(strstr(text(), "Households: 8") != NULL);
	/* A filter that hides records says so. */
	OK(strstr(screen, "Only draft (S: all)") != NULL);
	OK(strstr(screen, "finalized ") == NULL);
	keys("s");
	OK(strstr(text(), "Households: 4") != NULL);
	OK(strstr(screen, "Only finalized (S: all)") != NULL);
	keys("s");
	OK(strstr(text(), "Households: 0") != NULL);
	OK(strstr(screen, "Nothing here with this filter. S shows all.") !=
	    NULL);
	keys("ss");
	OK(strstr(text(), "Households: 12") != NULL);
	OK(strstr(screen, "Show: all") != NULL);
}

static void
test_sort_by_village(void)
{
	keys("o");
	text();
	OK(strstr(screen, "Sort: village") != NULL);
	OK(strstr(line(4), "Alpha village") != NULL);
	OK(strstr(line(8), "Beta village") != NULL);
	OK(strstr(line(15), "Gamma village") != NULL);
	keys("o");
	OK(strstr(text(), "Sort: last saved") != NULL);
	OK(strstr(line(4), "Head11") != NULL);
}

static void
test_search_by_name_number_and_id(void)
{
	struct tui_key esc = { 0, 033 };

	keys("/Head07\n");
	OK(strstr(text(), "Households: 1") != NULL);
	OK(strstr(line(4), "Head07") != NULL);
	tui_feed(&esc);
	OK(strstr(text(), "Households: 12") != NULL);
	/* A household number goes through the blind index. */
	keys("/HH0003\n");
	OK(strstr(text(), "Households: 1") != NULL);
	OK(strstr(line(4), "Head03") != NULL);
	tui_feed(&esc);
	keys("/11010119900307001x\n");
	OK(strstr(text(), "Households: 1") != NULL);
	OK(strstr(line(4), "Head05") != NULL);
	tui_feed(&esc);
	keys("/nobody\n");
	OK(strstr(text(), "Nothing matches the search.") != NULL);
	tui_feed(&esc);
	OK(strstr(text(), "Households: 12") != NULL);
	/* Errors show in their column. */
	OK(strstr(screen, "2/0") != NULL);
}

/* The store's check is owed at unlock and run once the list shows. */
static void
test_check_runs_at_idle(void)
{
	struct store *st = ws_store(tui_app()->ws);

	OK(store_check_owed(st));
	OK(strstr(text(), "Households: 12") != NULL);
	INT_EQ(tui_idle(), 1);
	OK(!store_check_owed(st));
	INT_EQ(tui_idle(), 0);
	OK(tui_app()->ws != NULL);
}

/* A damaged page the list does not read: the list shows, then the check
 * at idle closes the workspace and the unlock screen says why. */
static void
test_damaged_store_fails_at_idle(void)
{
	static struct tui_opts o;
	struct ds_err err;
	sqlite3_stmt *q;
	sqlite3 *db;
	char path[4200];
	long root = -1, psz = 0;
	unsigned char zero = 0;
	FILE *f;

	tui_pop(NULL);		/* the list: the stack is empty again */
	(void)tui_app_close();
	snprintf(path, sizeof(path), "%s/%s", wsdir, WS_DB_FILE);
	OK(sqlite3_open(path, &db) == SQLITE_OK);
	OK(sqlite3_prepare_v2(db, "SELECT rootpage, (SELECT page_size FROM "
	    "pragma_page_size) FROM sqlite_schema WHERE name = 'audit'", -1,
	    &q, NULL) == SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW) {
		root = sqlite3_column_int64(q, 0);
		psz = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	OK(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
	    NULL) == SQLITE_OK);
	sqlite3_close(db);
	OK(root > 1 && psz > 0);
	/* The page's type byte: no b-tree page is of type 0. */
	if ((f = fopen(path, "r+b")) == NULL) {
		OK(0);
		return;
	}
	OK(fseek(f, (root - 1) * psz, SEEK_SET) == 0);
	OK(fwrite(&zero, 1, 1, f) == 1);
	fclose(f);
	o.workspace = wsdir;
	o.no_display = 1;
	setenv("DOORSTEP_PASSPHRASE", PASS, 1);	/* taken once read */
	ST_EQ(tui_app_open(&o, &err), DS_OK, &err);
	OK(tui_app()->ws != NULL);
	OK(strstr(text(), "Households: 12") != NULL);
	INT_EQ(tui_idle(), 1);
	OK(tui_app()->ws == NULL);
	OK(strstr(text(), "fails its check") != NULL);
	/* Not opened again behind the worker's back. */
	INT_EQ(tui_idle(), 0);
	OK(tui_app()->ws == NULL);
}

int
main(void)
{
	static struct tui_opts o;
	struct ds_err err;
	char key[4200];
	const char *d;

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		printf("not ok locale: C.UTF-8 missing\n");
		return 1;
	}
	setenv("LANGUAGE", "en", 1);
	d = ts_tmpdir("tui_list");
	snprintf(dump_path, sizeof(dump_path), "%s/screen.txt", d);
	snprintf(wsdir, sizeof(wsdir), "%s/ws", d);
	snprintf(key, sizeof(key), "%s/%s", d, CRY_OFFICE_PUB_FILE);
	if (cry_init(&err) != DS_OK || cry_office_create(d, NULL, &err) !=
	    DS_OK || ws_create(wsdir, key, "list worker", PASS, strlen(PASS),
	    CRY_COST_MIN, &err) != DS_OK) {
		printf("not ok setup: %s\n", err.msg);
		return 1;
	}
	seed();
	setenv("DOORSTEP_PASSPHRASE", PASS, 1);
	if (tui_term_open_null(80, 24, &err) != DS_OK) {
		printf("not ok term: %s\n", err.msg);
		return 1;
	}
	o.workspace = wsdir;
	o.no_display = 1;
	if (tui_app_open(&o, &err) != DS_OK || tui_app()->ws == NULL) {
		printf("not ok unlock: %s\n", err.msg);
		return 1;
	}
	RUN(test_list_shows_every_household);
	RUN(test_status_filter_cycles);
	RUN(test_sort_by_village);
	RUN(test_search_by_name_number_and_id);
	RUN(test_check_runs_at_idle);
	RUN(test_damaged_store_fails_at_idle);
	(void)tui_app_close();
	tui_term_close();
	ds_free(screen);
	return harness_done();
}
