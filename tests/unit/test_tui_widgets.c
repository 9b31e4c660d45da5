/* Unit tests: the TUI's input widgets, key map and key scripts (no curses
 * screen needed). */
#include <curses.h>
#undef OK	/* curses' OK; the harness has its own */
#include <locale.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "mem.h"
#include "status.h"
#include "tui_int.h"

static char out[4096];

/* Feed a UTF-8 string as typed characters. */
static void
type(struct tui_edit *ed, const char *s)
{
	mbstate_t st;
	wchar_t wc;
	size_t k;

	memset(&st, 0, sizeof(st));
	while (*s != '\0') {
		k = mbrtowc(&wc, s, strlen(s), &st);
		if (k == 0 || k > 4)
			return;
		(void)tui_edit_key(ed, TUI_REQ_CHAR, (wint_t)wc);
		s += k;
	}
}

static const char *
val(const struct tui_edit *ed)
{
	if (tui_edit_get(ed, out, sizeof(out)) != 0)
		return "(too long)";
	return out;
}

static void
test_text_insert_delete_and_cursor(void)
{
	struct tui_edit ed;

	tui_edit_init(&ed, TUI_EDIT_TEXT, NULL);
	type(&ed, "Wang Fang");
	STR_EQ(val(&ed), "Wang Fang");
	INT_EQ(ed.cur, 9);
	(void)tui_edit_key(&ed, TUI_REQ_HOME, 0);
	type(&ed, ">");
	STR_EQ(val(&ed), ">Wang Fang");
	(void)tui_edit_key(&ed, TUI_REQ_DELETE, 0);
	STR_EQ(val(&ed), ">ang Fang");
	(void)tui_edit_key(&ed, TUI_REQ_END, 0);
	(void)tui_edit_key(&ed, TUI_REQ_LEFT, 0);
	(void)tui_edit_key(&ed, TUI_REQ_BACKSPACE, 0);
	STR_EQ(val(&ed), ">ang Fag");
	INT_EQ(tui_edit_key(&ed, TUI_REQ_CHAR, 0x07), TUI_EDIT_REJECTED);
	INT_EQ(tui_edit_key(&ed, TUI_REQ_KILL, 0), TUI_EDIT_CHANGED);
	STR_EQ(val(&ed), "");
	INT_EQ(tui_edit_key(&ed, TUI_REQ_BACKSPACE, 0), TUI_EDIT_IGNORED);
	INT_EQ(tui_edit_key(&ed, TUI_REQ_LEFT, 0), TUI_EDIT_IGNORED);
}

static void
test_text_cjk_width_and_scroll(void)
{
	struct tui_edit ed;
	int col;

	tui_edit_init(&ed, TUI_EDIT_TEXT, "王芳");
	INT_EQ(ed.len, 2);
	INT_EQ(tui_edit_cols(ed.s, 0, ed.len), 4);
	type(&ed, "a张");
	STR_EQ(val(&ed), "王芳a张");
	INT_EQ(tui_edit_cols(ed.s, 0, ed.len), 7);
	/* A 6-column field: the cursor (after 张) must stay visible. */
	col = tui_edit_scroll(&ed, 6);
	OK(col <= 5);
	INT_EQ(tui_edit_cols(ed.s, ed.off, ed.cur), col);
	(void)tui_edit_key(&ed, TUI_REQ_HOME, 0);
	INT_EQ(tui_edit_scroll(&ed, 6), 0);
	INT_EQ(ed.off, 0);
	(void)tui_edit_key(&ed, TUI_REQ_RIGHT, 0);
	(void)tui_edit_key(&ed, TUI_REQ_BACKSPACE, 0);
	STR_EQ(val(&ed), "芳a张");
	/* Invalid UTF-8 and control characters are dropped on init. */
	tui_edit_init(&ed, TUI_EDIT_TEXT, "a\xff" "b\x01" "c");
	STR_EQ(val(&ed), "abc");
}

static void
test_integer_rejects_non_numbers(void)
{
	struct tui_edit ed;

	tui_edit_init(&ed, TUI_EDIT_INT, NULL);
	INT_EQ(tui_edit_key(&ed, TUI_REQ_CHAR, L'x'), TUI_EDIT_REJECTED);
	INT_EQ(tui_edit_key(&ed, TUI_REQ_CHAR, L'.'), TUI_EDIT_REJECTED);
	type(&ed, "-12a3");
	STR_EQ(val(&ed), "-123");
	INT_EQ(tui_edit_key(&ed, TUI_REQ_CHAR, L'-'), TUI_EDIT_REJECTED);
	(void)tui_edit_key(&ed, TUI_REQ_HOME, 0);
	/* Nothing may go before the minus sign. */
	INT_EQ(tui_edit_key(&ed, TUI_REQ_CHAR, L'5'), TUI_EDIT_REJECTED);
	STR_EQ(val(&ed), "-123");
	tui_edit_init(&ed, TUI_EDIT_INT, NULL);
	type(&ed, "1234567890123456789012345678");
	INT_EQ(ed.len, TUI_NUM_MAX);
}

static void
test_decimal_one_point(void)
{
	struct tui_edit ed;

	tui_edit_init(&ed, TUI_EDIT_DEC, NULL);
	type(&ed, "91.5.0x");
	STR_EQ(val(&ed), "91.50");
	tui_edit_init(&ed, TUI_EDIT_DEC, "-0");
	type(&ed, ".25");
	STR_EQ(val(&ed), "-0.25");
	INT_EQ(tui_edit_key(&ed, TUI_REQ_CHAR, L'e'), TUI_EDIT_REJECTED);
}

static void
test_date_dashes_and_stepping(void)
{
	struct tui_edit ed;

	tui_edit_init(&ed, TUI_EDIT_DATE, NULL);
	type(&ed, "20240228");
	STR_EQ(val(&ed), "2024-02-28");
	INT_EQ(tui_edit_key(&ed, TUI_REQ_CHAR, L'9'), TUI_EDIT_REJECTED);
	(void)tui_edit_key(&ed, TUI_REQ_CHAR, L'+');
	STR_EQ(val(&ed), "2024-02-29");
	(void)tui_edit_key(&ed, TUI_REQ_CHAR, L'+');
	STR_EQ(val(&ed), "2024-03-01");
	(void)tui_edit_key(&ed, TUI_REQ_CHAR, L'-');
	(void)tui_edit_key(&ed, TUI_REQ_CHAR, L'-');
	STR_EQ(val(&ed), "2024-02-28");
	/* Deleting a digit after a dash removes the dash too. */
	(void)tui_edit_key(&ed, TUI_REQ_BACKSPACE, 0);
	(void)tui_edit_key(&ed, TUI_REQ_BACKSPACE, 0);
	STR_EQ(val(&ed), "2024-02");
	/* Typing the dash yourself is fine where one belongs. */
	tui_edit_init(&ed, TUI_EDIT_DATE, NULL);
	type(&ed, "2023-1231");
	STR_EQ(val(&ed), "2023-12-31");
	(void)tui_edit_key(&ed, TUI_REQ_CHAR, L'+');
	STR_EQ(val(&ed), "2024-01-01");
	INT_EQ(tui_edit_key(&ed, TUI_REQ_CHAR, L'/'), TUI_EDIT_REJECTED);
	OK(tui_date_valid("2024-02-29"));
	OK(!tui_date_valid("2023-02-29"));
	OK(!tui_date_valid("2023-13-01"));
	OK(!tui_date_valid("2023-1-01"));
	OK(!tui_date_valid("1899-12-31"));
}

static void
test_date_step_from_empty_is_today(void)
{
	struct tui_edit ed;

	setenv("DOORSTEP_FAKE_NOW", "1717200000", 1);	/* 2024-06-01 UTC */
	setenv("TZ", "UTC", 1);
	tzset();
	tui_edit_init(&ed, TUI_EDIT_DATE, NULL);
	(void)tui_edit_key(&ed, TUI_REQ_CHAR, L'+');
	STR_EQ(val(&ed), "2024-06-01");
	unsetenv("DOORSTEP_FAKE_NOW");
}

static const struct tui_opt opts12[] = {
	{ "a1", "One" }, { "a2", "Two" }, { "a3", "Three" }, { "a4", "Four" },
	{ "a5", "Five" }, { "a6", "Six" }, { "a7", "Seven" },
	{ "a8", "Eight" }, { "a9", "Nine" }, { "a10", "Ten" },
	{ "a11", "Eleven" }, { "a12", "汉族 Han" },
};

static const char *
sval(const struct tui_select *s)
{
	if (tui_select_value(s, out, sizeof(out)) != 0)
		return "(too long)";
	return out;
}

static void
test_select_one_number_picks(void)
{
	struct tui_select s;

	OK(tui_select_init(&s, opts12, 3, 0, 0, NULL) == DS_OK);
	INT_EQ(tui_select_key(&s, TUI_REQ_CHAR, L'2'), TUI_SEL_PICKED);
	STR_EQ(sval(&s), "a2");
	INT_EQ(tui_select_key(&s, TUI_REQ_CHAR, L'4'), TUI_SEL_REJECTED);
	STR_EQ(sval(&s), "a2");
	INT_EQ(tui_select_key(&s, TUI_REQ_CHAR, L'3'), TUI_SEL_PICKED);
	STR_EQ(sval(&s), "a3");
	INT_EQ(tui_select_key(&s, TUI_REQ_UP, 0), TUI_SEL_MOVED);
	INT_EQ(tui_select_key(&s, TUI_REQ_ENTER, 0), TUI_SEL_CONFIRM);
	STR_EQ(sval(&s), "a2");
	tui_select_reset(&s);

	/* Twelve options: "1" waits, "12" and "3" pick at once. */
	OK(tui_select_init(&s, opts12, 12, 0, 0, "a5") == DS_OK);
	INT_EQ(s.cur, 4);
	INT_EQ(tui_select_key(&s, TUI_REQ_CHAR, L'1'), TUI_SEL_MOVED);
	STR_EQ(sval(&s), "a5");
	INT_EQ(tui_select_key(&s, TUI_REQ_CHAR, L'2'), TUI_SEL_PICKED);
	STR_EQ(sval(&s), "a12");
	INT_EQ(tui_select_key(&s, TUI_REQ_CHAR, L'1'), TUI_SEL_MOVED);
	INT_EQ(tui_select_key(&s, TUI_REQ_ENTER, 0), TUI_SEL_CONFIRM);
	STR_EQ(sval(&s), "a1");
	INT_EQ(tui_select_key(&s, TUI_REQ_CHAR, L'0'), TUI_SEL_REJECTED);
	/* Letters do nothing without search/minimal. */
	INT_EQ(tui_select_key(&s, TUI_REQ_CHAR, L'T'), TUI_SEL_REJECTED);
	tui_select_reset(&s);
}

static void
test_select_filter_search(void)
{
	struct tui_select s;

	OK(tui_select_init(&s, opts12, 12, 0, 1, NULL) == DS_OK);
	(void)tui_select_key(&s, TUI_REQ_CHAR, L't');
	INT_EQ(s.nvis, 4);	/* Two, Three, Eight, Ten */
	(void)tui_select_key(&s, TUI_REQ_CHAR, L'W');
	INT_EQ(s.nvis, 1);
	INT_EQ(tui_select_key(&s, TUI_REQ_CHAR, L'1'), TUI_SEL_PICKED);
	STR_EQ(sval(&s), "a2");
	(void)tui_select_key(&s, TUI_REQ_CANCEL, 0);
	INT_EQ(s.nvis, 12);
	(void)tui_select_key(&s, TUI_REQ_CHAR, L'汉');
	INT_EQ(s.nvis, 1);
	INT_EQ(tui_select_key(&s, TUI_REQ_ENTER, 0), TUI_SEL_CONFIRM);
	STR_EQ(sval(&s), "a12");
	(void)tui_select_key(&s, TUI_REQ_BACKSPACE, 0);
	INT_EQ(s.nvis, 12);
	(void)tui_select_key(&s, TUI_REQ_CHAR, L'z');
	INT_EQ(s.nvis, 0);
	INT_EQ(tui_select_key(&s, TUI_REQ_CHAR, L'1'), TUI_SEL_REJECTED);
	INT_EQ(tui_select_key(&s, TUI_REQ_ENTER, 0), TUI_SEL_CONFIRM);
	STR_EQ(sval(&s), "a12");
	tui_select_reset(&s);
}

static void
test_select_multiple_space_toggles(void)
{
	struct tui_select s;

	OK(tui_select_init(&s, opts12, 4, 1, 0, "a3 a1 nosuch") == DS_OK);
	STR_EQ(sval(&s), "a1 a3");
	INT_EQ(tui_select_key(&s, TUI_REQ_CHAR, L'1'), TUI_SEL_CHANGED);
	STR_EQ(sval(&s), "a3");
	(void)tui_select_key(&s, TUI_REQ_DOWN, 0);
	INT_EQ(tui_select_key(&s, TUI_REQ_CHAR, L' '), TUI_SEL_CHANGED);
	STR_EQ(sval(&s), "a2 a3");
	INT_EQ(tui_select_key(&s, TUI_REQ_CHAR, L'4'), TUI_SEL_CHANGED);
	INT_EQ(tui_select_key(&s, TUI_REQ_ENTER, 0), TUI_SEL_CONFIRM);
	STR_EQ(sval(&s), "a2 a3 a4");
	tui_select_reset(&s);
	OK(tui_select_init(&s, opts12, TUI_SELECT_MAX + 1, 0, 0, NULL) ==
	    DS_ELIMIT);
}

static void
test_select_scroll_keeps_cursor(void)
{
	struct tui_select s;

	OK(tui_select_init(&s, opts12, 12, 0, 0, NULL) == DS_OK);
	(void)tui_select_key(&s, TUI_REQ_END, 0);
	tui_select_scroll(&s, 5);
	INT_EQ(s.top, 7);
	(void)tui_select_key(&s, TUI_REQ_HOME, 0);
	tui_select_scroll(&s, 5);
	INT_EQ(s.top, 0);
	tui_select_reset(&s);
}

static void
test_keys_map_fkeys_and_ctrl(void)
{
	struct tui_key k = { 0, 0 };

	k.fkey = KEY_F(1);
	INT_EQ(tui_req_of(&k, 1), TUI_REQ_HELP);
	k.fkey = 0;
	k.ch = 'g' & 0x1f;
	INT_EQ(tui_req_of(&k, 1), TUI_REQ_HELP);
	k.ch = L'?';
	INT_EQ(tui_req_of(&k, 0), TUI_REQ_HELP);
	INT_EQ(tui_req_of(&k, 1), TUI_REQ_CHAR);
	k.ch = 'x' & 0x1f;
	INT_EQ(tui_req_of(&k, 1), TUI_REQ_QUIT);
	k.fkey = KEY_F(10);
	INT_EQ(tui_req_of(&k, 0), TUI_REQ_QUIT);
	k.fkey = KEY_F(7);
	INT_EQ(tui_req_of(&k, 0), TUI_REQ_REVIEW);
	k.fkey = 0;
	k.ch = 'e' & 0x1f;
	INT_EQ(tui_req_of(&k, 0), TUI_REQ_REVIEW);
	k.ch = L'\r';
	INT_EQ(tui_req_of(&k, 0), TUI_REQ_ENTER);
	k.ch = L'王';
	INT_EQ(tui_req_of(&k, 1), TUI_REQ_CHAR);
	k.ch = 0x1b;
	INT_EQ(tui_req_of(&k, 1), TUI_REQ_CANCEL);
	k.ch = 0x1c;	/* an unmapped control character */
	INT_EQ(tui_req_of(&k, 1), TUI_REQ_NONE);
	k.fkey = KEY_RESIZE;
	INT_EQ(tui_req_of(&k, 1), TUI_REQ_RESIZE);
	k.fkey = KEY_F(11);
	INT_EQ(tui_req_of(&k, 1), TUI_REQ_NONE);
	k.fkey = KEY_F(12);	/* the GPS key, typing or not */
	INT_EQ(tui_req_of(&k, 1), TUI_REQ_GPS);
	k.fkey = 0;
	k.ch = 'w' & 0x1f;
	INT_EQ(tui_req_of(&k, 1), TUI_REQ_GPS);
}

static void
test_script_parse_tokens(void)
{
	struct tui_script s;
	struct ds_err err;
	const char *t = "# comment line\n王a<Enter><F10>\n<C-x><lt><dump /tmp/x y>"
	    "<resize 100x30>";

	ST_EQ(tui_script_parse(&s, t, strlen(t), &err), DS_OK, &err);
	INT_EQ(s.n, 8);
	INT_EQ(s.v[0].key.ch, L'王');
	INT_EQ(s.v[1].key.ch, L'a');
	INT_EQ(s.v[2].key.ch, L'\r');
	INT_EQ(s.v[3].key.fkey, KEY_F(10));
	INT_EQ(s.v[4].key.ch, 0x18);
	INT_EQ(s.v[5].key.ch, L'<');
	INT_EQ(s.v[6].kind, TUI_STEP_DUMP);
	STR_EQ(s.v[6].path, "/tmp/x y");
	INT_EQ(s.v[7].kind, TUI_STEP_RESIZE);
	INT_EQ(s.v[7].cols, 100);
	INT_EQ(s.v[7].rows, 30);
	tui_script_reset(&s);
}

static void
test_script_parse_errors_name_the_line(void)
{
	struct tui_script s = { NULL, 0, 0 };
	struct ds_err err;

	ST_EQ(tui_script_parse(&s, "ab\n<F99>", 8, &err), DS_EPARSE, &err);
	STR_EQ(err.msg, "script line 2: bad key token <F99>");
	INT_EQ(s.n, 0);
	ST_EQ(tui_script_parse(&s, "<Enter", 6, &err), DS_EPARSE, &err);
	STR_EQ(err.msg, "script line 1: bad key token <Enter");
	ST_EQ(tui_script_parse(&s, "a\xc3", 2, &err), DS_EPARSE, &err);
	STR_EQ(err.msg, "script line 1: invalid utf-8");
	ST_EQ(tui_script_parse(&s, "<resize 0x5>", 12, &err), DS_EPARSE,
	    &err);
}

static void
test_script_parse_out_of_memory(void)
{
	struct tui_script s = { NULL, 0, 0 };
	struct ds_err err;
	const char *t = "abc<dump /tmp/z>";
	long i;
	enum ds_status rc;

	for (i = 1; i < 5; i++) {
		ds_fault_arm(DS_FAULT_ALLOC, i, 0);
		rc = tui_script_parse(&s, t, strlen(t), &err);
		ds_fault_disarm(DS_FAULT_ALLOC);
		if (rc == DS_OK) {
			INT_EQ(s.n, 4);
			tui_script_reset(&s);
			break;
		}
		ST_EQ(rc, DS_ENOMEM, &err);
		INT_EQ(s.n, 0);
	}
	OK(i > 1);
}

/* A field is full at the length its regex constraint fixes. */
static void
test_fixed_len_from_constraint(void)
{
	INT_EQ(tui_fixed_len("regex(., '^1[0-9]{10}$')"), 11);
	INT_EQ(tui_fixed_len(" regex( . , \"^1[0-9]{10}$\" ) "), 11);
	INT_EQ(tui_fixed_len("regex(., '^20[0-9]{2}(0[1-9]|1[0-2])$') and "
	    "number(.) <= number(${visit_month})"), 6);
	INT_EQ(tui_fixed_len("regex(., '^\\d{6}[A-Z]$')"), 7);
	INT_EQ(tui_fixed_len("regex(., '^[^\\]]x$')"), 2);
	INT_EQ(tui_fixed_len("regex(., '^王..$')"), 3);
	/* lengths that vary, or no anchor, or more than the regex */
	INT_EQ(tui_fixed_len("regex(., '^[0-9A-Za-z]{6,30}$')"), 0);
	INT_EQ(tui_fixed_len("regex(., '^1[0-9]*$')"), 0);
	INT_EQ(tui_fixed_len("regex(., '^(0|12)$')"), 0);
	INT_EQ(tui_fixed_len("regex(., '1[0-9]{10}')"), 0);
	INT_EQ(tui_fixed_len("regex(., '^1[0-9]{10}$') or . = ''"), 0);
	INT_EQ(tui_fixed_len("string-length(.) = 18"), 0);
	INT_EQ(tui_fixed_len("regex(., '^[0-9]{99999}$')"), 0);
	INT_EQ(tui_fixed_len("regex(., '^((((((((((1))))))))))$')"), 0);
	INT_EQ(tui_fixed_len(NULL), 0);
	INT_EQ(tui_fixed_len("regex(., '^$')"), 0);
}

int
main(void)
{
	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		printf("not ok locale: C.UTF-8 missing\n");
		return 1;
	}
	RUN(test_text_insert_delete_and_cursor);
	RUN(test_text_cjk_width_and_scroll);
	RUN(test_integer_rejects_non_numbers);
	RUN(test_decimal_one_point);
	RUN(test_date_dashes_and_stepping);
	RUN(test_date_step_from_empty_is_today);
	RUN(test_fixed_len_from_constraint);
	RUN(test_select_one_number_picks);
	RUN(test_select_filter_search);
	RUN(test_select_multiple_space_toggles);
	RUN(test_select_scroll_keeps_cursor);
	RUN(test_keys_map_fkeys_and_ctrl);
	RUN(test_script_parse_tokens);
	RUN(test_script_parse_errors_name_the_line);
	RUN(test_script_parse_out_of_memory);
	return harness_done();
}
