/* doorstep: office reports: the monthly report and the problem data list. */
#ifndef DS_REPORT_H
#define DS_REPORT_H

/*
 * Reports read the current heads of office.db (odb_head_each) and build a
 * struct report_table: a title, column titles (Chinese, for the county
 * office) and rows of cells, each row data, subtotal or total.  A table is
 * then written as CSV (UTF-8 with a BOM, CRLF, RFC 4180 quoting) or XLSX
 * (libxlsxwriter: frozen header, totals in bold).
 *
 * Determinism: the same database and options give the same table, so the
 * same CSV bytes: rows are in a fixed order (area codes, household keys,
 * record ids), every number is an integer count, and no clock is read.
 * Every count is defined in docs/reports.md.
 *
 * Nothing here prints; failures return a status and fill struct ds_err.
 */
#include <stddef.h>
#include <stdint.h>

#include "odb.h"
#include "status.h"

/* Limits. */
#define REPORT_ROWS_MAX		1000000	/* rows of one table (XLSX holds 1,048,576) */
#define REPORT_ANSWERS_MAX	(4u << 20)	/* bytes of one record's JSON */

enum report_row_kind {
	REPORT_ROW_DATA,
	REPORT_ROW_SUBTOTAL,	/* a township's villages */
	REPORT_ROW_TOTAL	/* every row above */
};

struct report_table;

/* Options of the monthly report (issue 6, docs/reports.md). */
struct report_monthly_opts {
	int		 year, month;	/* the month reported on */
	const char	*area;		/* NULL/"": all; else an area code */
	const char	*forms_dir;	/* township.csv, village.csv for names;
					   NULL: codes only */
};

/* "YYYY-MM" (2000-01 .. 2099-12) to year and month; -1 if malformed. */
int		 report_month_parse(const char *, int *year, int *month);

/*
 * Build the monthly report: one row per village, a subtotal row after each
 * township, a total row at the end.  *out is the caller's
 * (report_table_free).
 */
enum ds_status	 report_monthly(struct odb *,
		    const struct report_monthly_opts *,
		    struct report_table **out, struct ds_err *);

struct eng_form;

/* Options of the problem data list. */
struct report_quality_opts {
	const char		*area;		/* NULL/"": all */
	const char		*forms_dir;	/* names, as above; may be NULL */
	const struct eng_form	*form;		/* re-check with it; NULL: the
						   stored state only */
};

/*
 * Build the problem data list: one row per open problem of a current
 * record, ordered by township, village, household key and record.  With
 * a form, records of that form are re-checked by the interview engine
 * (every open error and warning, with the form's message); every record
 * also lists whether it is a draft and its warnings confirmed with a
 * reason.  *out is the caller's.
 */
enum ds_status	 report_quality(struct odb *,
		    const struct report_quality_opts *,
		    struct report_table **out, struct ds_err *);

/* Free a table; NULL is allowed. */
void		 report_table_free(struct report_table *);

/* Shape, for callers and tests. */
const char	*report_table_title(const struct report_table *);
size_t		 report_table_ncols(const struct report_table *);
size_t		 report_table_nrows(const struct report_table *);
/* Column title; row cell text (never NULL; "" for empty). */
const char	*report_table_col(const struct report_table *, size_t col);
const char	*report_table_cell(const struct report_table *, size_t row,
		    size_t col);
enum report_row_kind report_table_row_kind(const struct report_table *,
		    size_t row);

/*
 * The table as CSV: UTF-8 BOM, one header line of column titles, one line
 * per row, CRLF line ends, fields quoted when they hold a comma, quote, CR
 * or LF.  *out (NUL-terminated, *lenp bytes) is the caller's (ds_free).
 */
enum ds_status	 report_csv(const struct report_table *, char **out,
		    size_t *lenp, struct ds_err *);

/*
 * Write the table to `path`: CSV when it ends in ".csv", XLSX when it ends
 * in ".xlsx" (any case); DS_EINVAL otherwise.  Durable and atomic: a temp
 * file next to path, fsync, rename, directory fsync; on failure path is
 * untouched and no temp file is left.
 */
enum ds_status	 report_write(const struct report_table *, const char *path,
		    struct ds_err *);

#endif
