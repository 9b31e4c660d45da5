/* doorstep: tests for the RFC 4180 CSV reader. */
#include "harness.h"

#include "csv.h"
#include "mem.h"
#include "status.h"

static struct csv *
parse_ok(const char *s)
{
	struct csv *c = NULL;
	struct ds_err err;

	ds_err_clear(&err);
	ST_EQ(csv_parse(s, strlen(s), NULL, &c, &err), DS_OK, &err);
	return c;
}

static void
test_csv_plain_quoted_and_crlf(void)
{
	struct csv *c = parse_ok("\xef\xbb\xbfname,label\r\n"
	    "a,\"Hello, \"\"world\"\"\"\r\n\r\n"
	    "b,\"two\nlines\"\n"
	    "c,\n");

	if (c == NULL)
		return;
	INT_EQ(c->nrows, 4);
	STR_EQ(c->rows[0].cells[0], "name");
	INT_EQ(c->rows[0].line, 1);
	STR_EQ(c->rows[1].cells[1], "Hello, \"world\"");
	INT_EQ(c->rows[1].line, 2);
	STR_EQ(c->rows[2].cells[1], "two\nlines");
	INT_EQ(c->rows[2].line, 4);
	INT_EQ(c->rows[3].line, 6);
	INT_EQ(c->rows[3].ncells, 2);
	STR_EQ(c->rows[3].cells[1], "");
	csv_free(c);
}

static void
test_csv_no_final_newline_and_inner_quote(void)
{
	struct csv *c = parse_ok("x,ab\"c\"\ny,\"\"");

	if (c == NULL)
		return;
	INT_EQ(c->nrows, 2);
	STR_EQ(c->rows[0].cells[1], "ab\"c\"");
	STR_EQ(c->rows[1].cells[1], "");
	csv_free(c);
}

static void
test_csv_errors(void)
{
	struct csv *c = NULL;
	struct ds_err err;
	struct csv_limits lim = { 0, 2, 3, 4 };

	ds_err_clear(&err);
	ST_EQ(csv_parse("a,\"b\nc", 6, NULL, &c, &err), DS_EPARSE, &err);
	STR_EQ(err.msg, "line 1: quoted field is never closed");
	ST_EQ(csv_parse("a,\"b\"x\n", 7, NULL, &c, &err), DS_EPARSE, &err);
	STR_EQ(err.msg, "line 1: unexpected character after closing quote");
	ST_EQ(csv_parse("a\0b", 3, NULL, &c, &err), DS_EPARSE, &err);
	STR_EQ(err.msg, "line 1: NUL byte");
	ST_EQ(csv_parse("a\nb\nc\n", 6, &lim, &c, &err), DS_ELIMIT, &err);
	STR_EQ(err.msg, "line 3: too many rows (limit 2)");
	ST_EQ(csv_parse("a,b,c,d\n", 8, &lim, &c, &err), DS_ELIMIT, &err);
	STR_EQ(err.msg, "line 1: too many fields (limit 3)");
	ST_EQ(csv_parse("abcde\n", 6, &lim, &c, &err), DS_ELIMIT, &err);
	STR_EQ(err.msg, "line 1: field too long (limit 4 bytes)");
	OK(c == NULL);
}

static void
test_csv_alloc_failures_are_clean(void)
{
	const char *s = "name,label\na,\"A, a\"\nb,B\n";
	struct csv *c;
	enum ds_status rc;
	long n;

	for (n = 1; n < 200; n++) {
		c = NULL;
		ds_fault_arm(DS_FAULT_ALLOC, n, 0);
		rc = csv_parse(s, strlen(s), NULL, &c, NULL);
		ds_fault_disarm(DS_FAULT_ALLOC);
		if (rc == DS_OK) {
			INT_EQ(c->nrows, 3);
			csv_free(c);
			break;
		}
		INT_EQ(rc, DS_ENOMEM);
		OK(c == NULL);
	}
	OK(n < 200);
}

int
main(void)
{
	RUN(test_csv_plain_quoted_and_crlf);
	RUN(test_csv_no_final_newline_and_inner_quote);
	RUN(test_csv_errors);
	RUN(test_csv_alloc_failures_are_clean);
	return harness_done();
}
