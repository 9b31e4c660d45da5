/* doorstep: RFC 4180 CSV reader with hard limits (layer 1: base). */
#ifndef DS_CSV_H
#define DS_CSV_H

/*
 * csv_parse() reads a whole CSV text from memory into rows of cells.  It is
 * used for select_*_from_file choice lists and for the engine's pulldata()
 * and instance() lookups.
 *
 * Rules (RFC 4180, with the usual tolerances):
 *   - fields are separated by ',' and records by CRLF or LF (a lone CR too);
 *   - a field that starts with '"' is quoted: it ends at the next '"' not
 *     doubled; `""` inside is one quote; commas and line breaks inside are
 *     data; after the closing quote only ',' or a line break may follow;
 *   - a '"' inside an unquoted field is kept as data;
 *   - a UTF-8 byte order mark at the very start is skipped;
 *   - empty lines (no characters at all) are skipped; every other record is
 *     a row, even if all its fields are empty;
 *   - a NUL byte is an error (cells are C strings).
 * Cells are NUL-terminated copies, never NULL ("" for an empty field).  The
 * reader does not check UTF-8; callers that need text check it.
 */

#include <stddef.h>

#include "status.h"

/* Default limits, used for any field of struct csv_limits left 0. */
#define CSV_MAX_BYTES	(64u << 20)	/* input size */
#define CSV_MAX_ROWS	500000		/* records, header included */
#define CSV_MAX_COLS	1024		/* fields per record */
#define CSV_MAX_CELL	65536		/* bytes per field */

struct csv_limits {
	size_t	max_bytes;
	size_t	max_rows;
	size_t	max_cols;
	size_t	max_cell;
};

struct csv_row {
	char	**cells;	/* ncells strings, owned by the struct csv */
	size_t	  ncells;
	int	  line;		/* 1-based line where the record starts */
};

struct csv {
	struct csv_row	*rows;
	size_t		 nrows;
};

/*
 * Parse `len` bytes at `data`.  On success *out is a new table (free with
 * csv_free).  On failure *out is untouched and err says what and where
 * (err->line): DS_EPARSE for malformed quoting or a NUL byte, DS_ELIMIT
 * when a limit is exceeded, DS_ENOMEM.  `lim` may be NULL for the defaults.
 */
enum ds_status	 csv_parse(const char *data, size_t len,
		    const struct csv_limits *lim, struct csv **out,
		    struct ds_err *err);

/* Free a table. NULL is a no-op. */
void		 csv_free(struct csv *);

#endif
