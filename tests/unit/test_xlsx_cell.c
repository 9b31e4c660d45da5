/* doorstep: tests for xlsx cell values: numbers, dates, number formats. */
/*
 * Expected texts are what pyxform writes through openpyxl (checked
 * against Python's own str(), repr() and datetime arithmetic), except the
 * date forms doorstep chose on purpose (docs/forms.md "Workbooks").  The
 * number tests run under a comma locale too (de_DE, built with localedef
 * when it is not installed).
 */
#include "harness.h"
#include "support/support.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx_cell.h"

static void
kind_is(const char *code, int want)
{
	int got = xlsx_fmt_kind(code);

	if (got != want)
		HARNESS_FAIL("format '%s': kind %d, want %d", code, got, want);
}

/* openpyxl's is_date_format and is_timedelta_format cases, and ours. */
static void
test_format_kinds(void)
{
	const int D = XLSX_FMT_DATE, T = XLSX_FMT_TIME, E = XLSX_FMT_DELTA;

	kind_is("General", 0);
	kind_is("0.00", 0);
	kind_is("@", 0);
	kind_is("0.00E+00", 0);
	kind_is("DD/MM/YY", D);
	kind_is("yyyy-mm-dd;@", D);
	kind_is("H:MM:SS;@", D | T);
	kind_is("yyyy-mm-dd hh:mm", D | T);
	kind_is("m\"M\"d\"D\";@", D);
	kind_is("yyyy\"年\"m\"月\"d\"日\"", D);
	kind_is("[$-409]dddd, mmmm dd, yyyy", D);
	kind_is("[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy", D);
	kind_is("#,##0\\ [$\xe2\x82\xbd-46D]", 0);
	kind_is("\"Y: \"0.00\"m\";\"Y: \"-0.00\"m\";@", 0);
	kind_is("\"$\"#,##0_);[Red](\"$\"#,##0)", 0);
	kind_is("0_ ;[Red]\\-0\\ ", 0);
	kind_is("\\Y000000", 0);
	kind_is("#,##0.0####\" YMD\"", 0);
	kind_is("0.0_s", 0);		/* _s: a space as wide as 's' */
	kind_is("[>=100][Magenta].00", 0);
	kind_is("[>=100][Magenta]General", 0);
	kind_is("[>=100][Magenta][s].00", D | T | E);
	kind_is("[h]", D | T | E);
	kind_is("[H]:mm", D | E);	/* [H] is stripped; mm remains */
	kind_is("[hh]:mm:ss", D | T | E);
	kind_is("[mm]:ss", D | T | E);
	kind_is("[m]", D | E);
	kind_is("[Blue]\\+[h]:mm;[Red]\\-[h]:mm", D | T | E);
	kind_is("hh:mm;[h]", D | T);	/* only the first section counts */
	kind_is("0.00;yyyy", 0);
	kind_is("\"q yyyy", D);	/* no literal without its quote */
	kind_is("[q yyyy", D);
	kind_is("", 0);
	INT_EQ(xlsx_builtin_kind(0), 0);
	INT_EQ(xlsx_builtin_kind(13), 0);
	INT_EQ(xlsx_builtin_kind(14), D);
	INT_EQ(xlsx_builtin_kind(20), D | T);
	INT_EQ(xlsx_builtin_kind(22), D | T);
	INT_EQ(xlsx_builtin_kind(31), D);
	INT_EQ(xlsx_builtin_kind(33), D | T);
	INT_EQ(xlsx_builtin_kind(44), 0);
	INT_EQ(xlsx_builtin_kind(46), D | T | E);
	INT_EQ(xlsx_builtin_kind(49), 0);
	INT_EQ(xlsx_builtin_kind(58), D);
	INT_EQ(xlsx_builtin_kind(164), 0);
}

static void
num_is(const char *in, int kind, int d1904, const char *want)
{
	char out[512];
	enum xlsx_cv r = xlsx_number_text(in, kind, d1904, out, sizeof(out));

	if (r != XCV_OK)
		HARNESS_FAIL("'%s' (kind %d): %s", in, kind,
		    xlsx_cv_reason(r));
	else if (strcmp(out, want) != 0)
		HARNESS_FAIL("'%s' (kind %d): '%s', want '%s'", in, kind, out,
		    want);
}

static void
num_fails(const char *in, int kind, int d1904, enum xlsx_cv want)
{
	char out[512];

	INT_EQ(xlsx_number_text(in, kind, d1904, out, sizeof(out)), want);
}

static void
numbers(void)
{
	num_is("1", 0, 0, "1");
	num_is("1.0", 0, 0, "1");
	num_is("-0", 0, 0, "0");
	num_is("-0.0", 0, 0, "0");
	num_is("+007", 0, 0, "7");
	num_is("-007", 0, 0, "-7");
	num_is("000", 0, 0, "0");
	num_is("1E3", 0, 0, "1000");
	num_is("2026082201", 0, 0, "2026082201");
	num_is("123456789012345678901234567890", 0, 0,
	    "123456789012345678901234567890");
	num_is("1.10101199001011E+17", 0, 0, "110101199001011008");
	num_is("1.5", 0, 0, "1.5");
	num_is("-2.5", 0, 0, "-2.5");
	num_is("0.1", 0, 0, "0.1");
	num_is(".5", 0, 0, "0.5");
	num_is("1.0000000000000002", 0, 0, "1.0000000000000002");
	num_is("0.30000000000000004", 0, 0, "0.30000000000000004");
	num_is("123456.789", 0, 0, "123456.789");
	num_is("1E-4", 0, 0, "0.0001");
	num_is("1E-5", 0, 0, "1e-05");
	num_is("-1.5e-5", 0, 0, "-1.5e-05");
	num_is("1e-300", 0, 0, "1e-300");
	num_is("1e-999", 0, 0, "0");
	num_is("1000000000000000.5", 0, 0, "1000000000000000.5");
	num_is("4503599627370495.5", 0, 0, "4503599627370495.5");
	num_fails("", 0, 0, XCV_NOTNUM);
	num_fails("abc", 0, 0, XCV_NOTNUM);
	num_fails("1.2.3", 0, 0, XCV_NOTNUM);
	num_fails("1e", 0, 0, XCV_NOTNUM);
	num_fails(".", 0, 0, XCV_NOTNUM);
	num_fails("+", 0, 0, XCV_NOTNUM);
	num_fails(" 1", 0, 0, XCV_NOTNUM);
	num_fails("0x10", 0, 0, XCV_NOTNUM);
	num_fails("inf", 0, 0, XCV_NOTNUM);
	num_fails("nan", 0, 0, XCV_NOTNUM);
	num_fails("1e999", 0, 0, XCV_NOTFINITE);
}

/* A locale whose decimal point is a comma: installed, or built with
 * localedef into the test's directory (LOCPATH); 0 if neither works. */
static int
comma_locale(void)
{
	char cmd[1024];
	const char *tmp;

	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL) {
		tmp = ts_tmpdir("xlsx_cell");
		snprintf(cmd, sizeof(cmd), "localedef -i de_DE -f UTF-8 "
		    "'%s/de_DE.UTF-8' >/dev/null 2>&1", tmp);
		if (system(cmd) != 0 || setenv("LOCPATH", tmp, 1) != 0 ||
		    setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL)
			return 0;
	}
	return localeconv()->decimal_point[0] == ',';
}

static void
test_numbers_as_pyxform_writes_them(void)
{
	char out[8];

	numbers();
	/* strtod and printf must not follow a comma locale */
	if (comma_locale())
		numbers();
	else
		printf("# no comma locale: checked in C only\n");
	setlocale(LC_NUMERIC, "C");
	/* the output bound holds */
	INT_EQ(xlsx_number_text("123456789", 0, 0, out, sizeof(out)),
	    XCV_SPACE);
	INT_EQ(xlsx_number_text("0.30000000000000004", 0, 0, out,
	    sizeof(out)), XCV_SPACE);
}

static void
test_date_serials(void)
{
	const int D = XLSX_FMT_DATE, T = XLSX_FMT_TIME, E = XLSX_FMT_DELTA;

	/* 1900 system, from_excel's arithmetic */
	num_is("46023", D, 0, "2026-01-01");
	num_is("46023.0", D, 0, "2026-01-01");
	num_is("46023", D | T, 0, "2026-01-01T00:00:00");
	num_is("46023.5", D, 0, "2026-01-01T12:00:00");
	num_is("46023.354166666664", D | T, 0, "2026-01-01T08:30:00");
	num_is("46023.000005787", D, 0, "2026-01-01T00:00:00.500");
	num_is("1", D, 0, "1900-01-01");
	num_is("59", D, 0, "1900-02-28");
	num_is("61", D, 0, "1900-03-01");
	num_is("2958465", D, 0, "9999-12-31");
	num_is("2958465.9999999", D, 0, "9999-12-31T23:59:59.991");
	/* below 1: a time of day, whatever the format */
	num_is("0.5", D, 0, "12:00:00");
	num_is("0", D, 0, "00:00:00");
	num_is("0.354166666666667", D | T, 0, "08:30:00");
	/* rounds up to a whole day: a date again */
	num_is("0.999999999", D, 0, "1900-01-01");
	/* 1904 system */
	num_is("44561", D, 1, "2026-01-01");
	num_is("44561.25", D | T, 1, "2026-01-01T06:00:00");
	num_is("1", D, 1, "1904-01-02");
	num_is("0", D, 1, "00:00:00");
	num_is("60", D, 1, "1904-03-01");
	/* elapsed time: Python's str(timedelta) */
	num_is("1.0833333333333333", D | T | E, 0, "1 day, 2:00:00");
	num_is("0.5", D | T | E, 0, "12:00:00");
	num_is("2.5", D | T | E, 0, "2 days, 12:00:00");
	num_is("-0.5", D | T | E, 0, "-1 day, 12:00:00");
	num_is("1", D | T | E, 0, "1 day, 0:00:00");
	num_is("0.000005787", D | T | E, 0, "0:00:00.500000");
	/* no calendar has these */
	num_fails("-1", D, 0, XCV_NEGATIVE);
	num_fails("-0.5", D, 1, XCV_NEGATIVE);
	num_fails("60", D, 0, XCV_FEB29);
	num_fails("60.75", D, 0, XCV_FEB29);
	num_fails("2958466", D, 0, XCV_RANGE);
	num_fails("2958466", D | E, 0, XCV_RANGE);
	num_fails("1e300", D, 0, XCV_RANGE);
	num_fails("1e999", D, 0, XCV_NOTFINITE);
	num_fails("x", D, 0, XCV_NOTNUM);
}

static void
iso_is(const char *in, const char *want)
{
	char out[64];
	enum xlsx_cv r = xlsx_iso_text(in, out, sizeof(out));

	if (r != XCV_OK)
		HARNESS_FAIL("'%s': %s", in, xlsx_cv_reason(r));
	else if (strcmp(out, want) != 0)
		HARNESS_FAIL("'%s': '%s', want '%s'", in, out, want);
}

static void
test_iso_date_cells(void)
{
	char out[64];

	iso_is("2026-01-01", "2026-01-01");
	iso_is("2026-01-01T08:30:00", "2026-01-01T08:30:00");
	iso_is("2026-01-01T08:30", "2026-01-01T08:30:00");
	iso_is("2026-01-01T08:30:00.5Z", "2026-01-01T08:30:00.500");
	iso_is("2026-01-01T00:00:00.000000", "2026-01-01T00:00:00");
	iso_is("08:30:15", "08:30:15");
	iso_is("2024-02-29", "2024-02-29");
	INT_EQ(xlsx_iso_text("2026-02-29", out, sizeof(out)), XCV_BADDATE);
	INT_EQ(xlsx_iso_text("1900-02-29", out, sizeof(out)), XCV_BADDATE);
	INT_EQ(xlsx_iso_text("2026-13-01", out, sizeof(out)), XCV_BADDATE);
	INT_EQ(xlsx_iso_text("0000-01-01", out, sizeof(out)), XCV_BADDATE);
	INT_EQ(xlsx_iso_text("2026-01-01T24:00:00", out, sizeof(out)),
	    XCV_BADDATE);
	INT_EQ(xlsx_iso_text("2026-01-01 08:30", out, sizeof(out)),
	    XCV_BADDATE);
	INT_EQ(xlsx_iso_text("T", out, sizeof(out)), XCV_BADDATE);
	INT_EQ(xlsx_iso_text("2026-1-1", out, sizeof(out)), XCV_BADDATE);
	INT_EQ(xlsx_iso_text("08:30:00.1234567890", out, sizeof(out)),
	    XCV_BADDATE);
	INT_EQ(xlsx_iso_text("2026-01-01T08:30:00", out, 12), XCV_SPACE);
}

int
main(void)
{
	RUN(test_format_kinds);
	RUN(test_numbers_as_pyxform_writes_them);
	RUN(test_date_serials);
	RUN(test_iso_date_cells);
	return harness_done();
}
