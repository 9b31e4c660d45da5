/* doorstep: tests for the pyxform markdown table reader. */
#include "harness.h"

#include "form.h"
#include "mdtable.h"
#include "mem.h"
#include "xls_book.h"

static struct form_diags diags;

static struct xls_book *
parse(const char *md, enum ds_status want)
{
	struct xls_book *b = NULL;

	form_diags_reset(&diags);
	ST_EQ(mdtable_parse(md, strlen(md), "m.md", &b, &diags), want, NULL);
	return b;
}

static const char *
diag0(void)
{
	static char buf[512];

	if (diags.n == 0)
		return "";
	form_diag_format(&diags.v[0], buf, sizeof(buf));
	return buf;
}

static void
test_rows_cells_and_lines(void)
{
	struct xls_book *b = parse("intro text\n"
	    "| survey | type | name |\n"
	    "|        | text | a    |\n"
	    "\n"
	    "|        |      |      |\n"
	    "| | integer |  b  | extra |\n"
	    "| choices |\n"
	    "| | list_name | name |\n", DS_OK);

	if (b == NULL)
		return;
	INT_EQ(b->nsheets, 2);
	STR_EQ(b->sheets[0].name, "survey");
	INT_EQ(b->sheets[0].line, 2);
	INT_EQ(b->sheets[0].nrows, 3);
	STR_EQ(b->sheets[0].rows[0].cells[0], "type");
	INT_EQ(b->sheets[0].rows[0].line, 2);
	STR_EQ(b->sheets[0].rows[1].cells[1], "a");
	INT_EQ(b->sheets[0].rows[2].line, 6);
	INT_EQ(b->sheets[0].rows[2].ncells, 3);
	STR_EQ(b->sheets[0].rows[2].cells[1], "b");
	STR_EQ(b->sheets[0].rows[2].cells[2], "extra");
	/* The sheet-name line alone is no row. */
	INT_EQ(b->sheets[1].nrows, 1);
	INT_EQ(b->sheets[1].rows[0].line, 8);
	xls_book_free(b);
}

static void
test_empty_cells_are_null(void)
{
	struct xls_book *b = parse("| s | a |  | c |\n", DS_OK);

	if (b == NULL)
		return;
	INT_EQ(b->sheets[0].rows[0].ncells, 3);
	OK(b->sheets[0].rows[0].cells[1] == NULL);
	xls_book_free(b);
}

static void
test_escaped_pipes(void)
{
	struct xls_book *b = parse("| s | a \\| b | x\\|y\\| | c |\n", DS_OK);

	if (b == NULL)
		return;
	INT_EQ(b->sheets[0].rows[0].ncells, 3);
	STR_EQ(b->sheets[0].rows[0].cells[0], "a | b");
	STR_EQ(b->sheets[0].rows[0].cells[1], "x|y|");
	STR_EQ(b->sheets[0].rows[0].cells[2], "c");
	xls_book_free(b);
}

static void
test_text_after_last_pipe_and_comments(void)
{
	struct xls_book *b = parse("| s | a | b | dropped\n"
	    "# | s2 | commented |\n"
	    "   #| s3 | also |\n"
	    "| | c | d |  # tail comment\n"
	    "|no second pipe\n", DS_OK);

	if (b == NULL)
		return;
	INT_EQ(b->nsheets, 1);
	INT_EQ(b->sheets[0].nrows, 2);
	INT_EQ(b->sheets[0].rows[0].ncells, 2);
	STR_EQ(b->sheets[0].rows[1].cells[1], "d");
	xls_book_free(b);
}

static void
test_python_whitespace_strip(void)
{
	/* U+3000 ideographic space and U+00A0 are stripped like pyxform's
	 * str.strip(); inner spaces stay. */
	struct xls_book *b = parse("| s | \xe3\x80\x80中 文\xc2\xa0 | \t x \r|\r\n",
	    DS_OK);

	if (b == NULL)
		return;
	STR_EQ(b->sheets[0].rows[0].cells[0], "中 文");
	STR_EQ(b->sheets[0].rows[0].cells[1], "x");
	xls_book_free(b);
}

static void
test_separators(void)
{
	struct xls_book *b = parse("| s | a |\n|---|---|\n|-|\n| | b |\n",
	    DS_OK);

	if (b != NULL)
		INT_EQ(b->sheets[0].nrows, 2);
	xls_book_free(b);
	b = parse("| s | a |\n| --- | --- |\n", DS_EPARSE);
	OK(b == NULL);
	STR_EQ(diag0(), "m.md:2: error: separator row with spaces or colons "
	    "is data to pyxform: write |---|---| (no spaces, no colons) or "
	    "leave it out");
}

static void
test_rows_before_first_sheet_warned(void)
{
	struct xls_book *b = parse("| | a | b |\n| s | c |\n", DS_OK);

	OK(b != NULL && b->nsheets == 1 && b->sheets[0].nrows == 1);
	INT_EQ(diags.n, 1);
	STR_EQ(diag0(), "m.md:1: warning: table row before the first sheet "
	    "name is ignored: start the table with a sheet name such as | "
	    "survey |");
	xls_book_free(b);
}

static void
test_limits(void)
{
	char *md, *p;
	size_t i;

	md = ds_malloc(XLS_MAX_CELL + 64);
	p = md;
	p += sprintf(p, "| s | ");
	for (i = 0; i < XLS_MAX_CELL + 1; i++)
		*p++ = 'x';
	strcpy(p, " |\n");
	OK(parse(md, DS_EPARSE) == NULL);
	STR_EQ(diag0(), "m.md:1: error: cell too long (limit 32768 bytes)");
	ds_free(md);
	md = ds_malloc(4 * (XLS_MAX_COLS + 2) + 16);
	p = md + sprintf(md, "| s ");
	for (i = 0; i < XLS_MAX_COLS + 1; i++)
		p += sprintf(p, "| x ");
	strcpy(p, "|\n");
	OK(parse(md, DS_EPARSE) == NULL);
	STR_EQ(diag0(), "m.md:1: error: too many cells in one row (limit "
	    "256)");
	ds_free(md);
}

int
main(void)
{
	form_diags_init(&diags);
	RUN(test_rows_cells_and_lines);
	RUN(test_empty_cells_are_null);
	RUN(test_escaped_pipes);
	RUN(test_text_after_last_pipe_and_comments);
	RUN(test_python_whitespace_strip);
	RUN(test_separators);
	RUN(test_rows_before_first_sheet_warned);
	RUN(test_limits);
	form_diags_reset(&diags);
	return harness_done();
}
