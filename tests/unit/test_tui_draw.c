/* Unit tests: drawing helpers and widgets on a real curses screen drawn
 * into /dev/null, read back with the screen dump. */
#include <curses.h>
#undef OK	/* curses' OK; the harness has its own */
#include <locale.h>
#include <string.h>

#include "harness.h"
#include "mem.h"
#include "status.h"
#include "support/support.h"
#include "tui_int.h"
#include "util.h"

static char dump_path[4096];
static char *screen_text;

/* The screen as text; row r (0-based) of it in `line`. */
static const char *
row(int r)
{
	static char line[1024];
	struct ds_err err;
	size_t len;
	const char *p, *e;
	int i;

	refresh();
	ds_free(screen_text);
	screen_text = NULL;
	if (tui_dump(dump_path, &err) != DS_OK ||
	    ds_file_read(dump_path, 1 << 20, &screen_text, &len, &err) !=
	    DS_OK)
		return "(dump failed)";
	p = screen_text;
	for (i = 0; i < r && p != NULL; i++) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		return "(no such row)";
	e = strchr(p, '\n');
	snprintf(line, sizeof(line), "%.*s", (int)(e - p), p);
	return line;
}

static void
test_put_never_splits_wide_chars(void)
{
	erase();
	INT_EQ(tui_put(0, 0, 5, TUI_C_NORMAL, "王芳芳"), 4);
	STR_EQ(row(0), "王芳");
	INT_EQ(tui_put(1, 76, 10, TUI_C_NORMAL, "ab王芳"), 4);
	STR_EQ(row(1), "                                                                            ab王");
	INT_EQ(tui_width("a王b"), 4);
	/* Invalid UTF-8 shows as a replacement, not garbage. */
	INT_EQ(tui_put(2, 0, 10, TUI_C_NORMAL, "a\xffz"), 3);
	STR_EQ(row(2), "a\xef\xbf\xbdz");
}

static void
test_wrap_latin_and_cjk(void)
{
	int n;

	erase();
	n = tui_wrap(0, 0, 10, 10, 0, TUI_C_NORMAL,
	    "the quick brown fox jumps");
	INT_EQ(n, 3);
	STR_EQ(row(0), "the quick");
	STR_EQ(row(1), "brown fox");
	STR_EQ(row(2), "jumps");
	erase();
	n = tui_wrap(0, 0, 9, 10, 0, TUI_C_NORMAL, "本人自愿申请纳入防止返贫监测");
	INT_EQ(n, 4);
	STR_EQ(row(0), "本人自愿");
	STR_EQ(row(1), "申请纳入");
	STR_EQ(row(3), "监测");
	/* Skip lines (scrolling) and limit rows. */
	erase();
	n = tui_wrap(0, 0, 10, 1, 1, TUI_C_NORMAL,
	    "the quick brown fox jumps");
	INT_EQ(n, 3);
	STR_EQ(row(0), "brown fox");
	STR_EQ(row(1), "");
	/* Newlines break; a word longer than the width is cut. */
	erase();
	n = tui_wrap(0, 0, 4, 10, 0, TUI_C_NORMAL, "ab\nabcdefgh");
	INT_EQ(n, 3);
	STR_EQ(row(1), "abcd");
	STR_EQ(row(2), "efgh");
}

static void
test_edit_draw_scrolls_and_masks(void)
{
	struct tui_edit ed;

	erase();
	tui_edit_init(&ed, TUI_EDIT_TEXT, "王芳芳芳芳芳");
	tui_edit_draw(&ed, 0, 0, 8, 1, 0);
	/* 12 columns of text in an 8-column field: the end is shown. */
	STR_EQ(row(0), "芳芳芳");
	tui_edit_init(&ed, TUI_EDIT_TEXT, "secret");
	tui_edit_draw(&ed, 1, 0, 20, 0, 1);
	STR_EQ(row(1), "******");
}

static const struct tui_opt opts[] = {
	{ "han", "汉族" }, { "zhuang", "壮族" }, { "hui", "回族" },
	{ "man", "满族" }, { "uyghur", "维吾尔族" },
};

static void
test_select_draw_marks_and_scroll(void)
{
	struct tui_select s;
	int used;

	erase();
	OK(tui_select_init(&s, opts, 5, 0, 0, "hui") == DS_OK);
	used = tui_select_draw(&s, 0, 0, 40, 10, 1);
	INT_EQ(used, 5);
	STR_EQ(row(0), "( )  1. 汉族");
	STR_EQ(row(2), "(*)  3. 回族");
	tui_select_reset(&s);

	erase();
	OK(tui_select_init(&s, opts, 5, 1, 1, "han man") == DS_OK);
	(void)tui_select_key(&s, TUI_REQ_END, 0);
	used = tui_select_draw(&s, 0, 0, 40, 3, 1);
	INT_EQ(used, 3);
	STR_EQ(row(0), "Type to search:");
	STR_EQ(row(1), "[x]  4. 满族");
	STR_EQ(row(2), "[ ]  5. 维吾尔族                 4-5 / 5");
	tui_select_reset(&s);
}

int
main(void)
{
	struct ds_err err;

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		printf("not ok locale: C.UTF-8 missing\n");
		return 1;
	}
	setenv("LANGUAGE", "en", 1);
	snprintf(dump_path, sizeof(dump_path), "%s/screen.txt",
	    ts_tmpdir("tui_draw"));
	if (tui_term_open_null(80, 24, &err) != DS_OK) {
		printf("not ok term: %s\n", err.msg);
		return 1;
	}
	RUN(test_put_never_splits_wide_chars);
	RUN(test_wrap_latin_and_cjk);
	RUN(test_edit_draw_scrolls_and_masks);
	RUN(test_select_draw_marks_and_scroll);
	tui_term_close();
	ds_free(screen_text);
	return harness_done();
}
