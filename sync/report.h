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

/*
 * The words of a report (column titles, group titles, the sheet name,
 * words in cells) are English msgids; the caller gives the function that
 * translates them into its one language (gettext), or NULL for the msgids.
 */
typedef const char *(*report_tr)(const char *);

/* Words an engine note (a problem the re-check finds) into buf, as the
 * field app would show it; NULL: the developer text. */
struct eng_note;
typedef const char *(*report_note_tr)(const struct eng_note *, char *buf,
		    size_t n);

/* Give a table its words and its title (the caller words the title). */
void		 report_table_words(struct report_table *, report_tr);
void		 report_table_set_title(struct report_table *, const char *);

/* "YYYY-MM" (2000-01 .. 2099-12) to year and month; -1 if malformed. */
int		 report_month_parse(const char *, int *year, int *month);

/*
 * The monthly and period reports from the case (docs/reports.md): events
 * approved in the months from_ym .. to_ym (YYYYMM; one month for the
 * monthly report), events recorded and clues received after `cutoff`
 * (Unix seconds; 0: none) left out, and for one month that is frozen,
 * whatever came after the freeze too (visits included), so the report
 * equals the submitted copy.  One row per
 * village, a subtotal after each township's villages, households without
 * an address last, a total at the end.
 */
struct report_case_opts {
	int		 from_ym, to_ym;
	int64_t		 cutoff;
	const char	*area;		/* NULL/"": all; else a code prefix */
	const char	*forms_dir;	/* township.csv, village.csv; NULL */
	report_tr	 tr;
};

/* Facts for the title and the command's message. */
struct report_case_info {
	int		 bands;		/* 1: lights computed (bands set) */
	int		 frozen;	/* the one month is frozen */
	int64_t		 frozen_at;
	int64_t		 cutoff;	/* the cutoff used */
};

enum ds_status	 report_case(struct odb *, const struct report_case_opts *,
		    struct report_table **out, struct report_case_info *,
		    struct ds_err *);

/*
 * Screening coverage of a round (odb round table): per village and group,
 * the register's households against those visited, refused and not
 * reached from the round's start to its due date (or today).
 */
struct report_cover_opts {
	const char	*round;
	const char	*area, *forms_dir;
	const char	*today;		/* "YYYY-MM-DD", for an open round */
	report_tr	 tr;
};

enum ds_status	 report_coverage(struct odb *, const struct report_cover_opts *,
		    struct report_table **out, struct ds_err *);

/*
 * Timeliness of the visits finalized in the months from_ym .. to_ym (0:
 * all): per village and worker, days from the visit to finalizing it and
 * from finalizing to the import at the office.
 */
struct report_time_opts {
	int		 from_ym, to_ym;
	const char	*area, *forms_dir;
	report_tr	 tr;
};

enum ds_status	 report_timeliness(struct odb *,
		    const struct report_time_opts *, struct report_table **out,
		    struct ds_err *);

struct eng_form;

/* Options of the quality ledger. */
struct report_quality_opts {
	const char		*area;		/* NULL/"": all */
	const char		*forms_dir;	/* names, as above; may be NULL */
	const struct eng_form	*form;		/* re-check with it; NULL: the
						   stored state only */
	report_tr		 tr;
	report_note_tr		 note_tr;
	int64_t			 now;		/* this run; 0: ds_now() */
};

/*
 * Find the problems of the current records and monitored households,
 * record them in the ledger (office.db's problem table: new ones added,
 * known ones seen again; run it inside a transaction), and build the
 * ledger: every problem ever found, open, not found any more, or closed,
 * ordered by township, village, household key, record and kind.  *out is
 * the caller's.
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
