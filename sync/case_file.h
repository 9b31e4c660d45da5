/* doorstep: the office's input lists, as columns by name (sync layer). */
#ifndef DS_CASE_FILE_H
#define DS_CASE_FILE_H

/*
 * The township hands the office lists as spreadsheets: the register of
 * households, the departments' warning lists, the villages' assessment
 * results, monthly income checks.  These files come from outside and are
 * untrusted: this reader takes CSV (UTF-8, RFC 4180, csv.h) or XLSX
 * (xlsx.h, first sheet), finds the header row (the first of the first
 * CASE_FILE_HEADER_ROWS non-empty rows that names every required column:
 * lists often open with a title), finds each wanted column by its header
 * (any of its aliases, ASCII case and surrounding spaces ignored), and
 * returns
 * the data rows as text cells in the order of the fields asked for ("" for
 * an empty cell or a column the file does not have).  Rows whose wanted
 * cells are all empty are skipped.  It gives the facts of a refusal
 * (struct case_file_why) and never words them.
 *
 * Limits: CASE_FILE_MAX_BYTES of file, CASE_FILE_MAX_ROWS data rows
 * (XLSX: XLS_MAX_ROWS per sheet), CASE_FILE_MAX_CELL bytes per wanted
 * cell; cells must be UTF-8.
 */
#include <stddef.h>

#include "status.h"

#define CASE_FILE_MAX_BYTES	(64u << 20)
#define CASE_FILE_MAX_ROWS	400000
#define CASE_FILE_MAX_CELL	1024
#define CASE_FILE_MAX_FIELDS	16
#define CASE_FILE_HEADER_ROWS	10	/* rows tried as the header */

/* One wanted column: its name and the headers that mean it. */
struct case_field {
	const char		*name;		/* canonical, English */
	const char *const	*aliases;	/* NULL-terminated */
	int			 required;	/* the file must have it */
};

enum case_file_code {
	CASE_F_OK = 0,
	CASE_F_KIND,		/* not .csv or .xlsx */
	CASE_F_READ,		/* cannot read (err has why) */
	CASE_F_PARSE,		/* not a readable CSV / XLSX (line) */
	CASE_F_EMPTY,		/* no header row */
	CASE_F_COLUMN,		/* a required column is missing (field) */
	CASE_F_TWICE,		/* two columns mean one field (field) */
	CASE_F_ROWS,		/* more than the limit of rows */
	CASE_F_CELL,		/* a cell too long or not UTF-8 (line, field) */
};

struct case_file_why {
	int		 code;		/* enum case_file_code */
	int		 line;		/* file line or sheet row, 0 none */
	const char	*field;		/* the field's name, or NULL */
};

struct case_table {
	size_t		  nrows, nfields;
	char		**cells;	/* nrows * nfields, owned */
	int		 *line;		/* each row's file line / sheet row */
	unsigned char	  hash[32];	/* BLAKE2b-256 of the file's bytes */
};

/*
 * Read the file at path (kind by suffix, any case).  On DS_OK *out is the
 * caller's (case_table_free).  Otherwise *why says what (and err too):
 * DS_EINVAL (kind), DS_ENOENT / DS_EIO (read), DS_EPARSE, DS_ELIMIT.
 */
enum ds_status	 case_file_read(const char *path,
		    const struct case_field *, size_t nfields,
		    struct case_table **out, struct case_file_why *,
		    struct ds_err *);
/* The same from memory: xlsx 1 for an XLSX file, 0 for CSV. */
enum ds_status	 case_file_parse(const void *data, size_t len, int xlsx,
		    const struct case_field *, size_t nfields,
		    struct case_table **out, struct case_file_why *,
		    struct ds_err *);
void		 case_table_free(struct case_table *);
/* The cell of a row and field (never NULL). */
const char	*case_table_cell(const struct case_table *, size_t row,
		    size_t field);

/*
 * A date as lists write it ("2024-09-10", "2024/9/10", "2024.9.10",
 * "20240910") to "YYYY-MM-DD" in out: 0, or -1 when it is no real date.
 */
int		 case_date_norm(const char *in, char out[11]);

#endif
