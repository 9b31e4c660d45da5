/* doorstep: a workbook as sheets of rows of cells (layer 2: model). */
#ifndef DS_XLS_BOOK_H
#define DS_XLS_BOOK_H

/*
 * The common output of the two form readers, mdtable.c (pyxform markdown)
 * and xlsx.c (Excel workbooks), and the input of xls.c, which gives the
 * cells their XLSForm meaning.  A cell is a NUL-terminated UTF-8 string
 * with surrounding whitespace already stripped, or NULL when empty.  Every
 * row remembers where it came from: the markdown line or the spreadsheet
 * row number, so diagnostics can point at it.  Rows whose cells are all
 * empty are never stored.  Everything is owned by the book.
 */

#include <stddef.h>

#include "status.h"

/* Reader limits (docs/forms.md "Limits"). */
#define XLS_MAX_FILE	(16u << 20)	/* bytes of a form file */
#define XLS_MAX_XML	(64u << 20)	/* bytes of one unpacked xlsx part */
#define XLS_MAX_SHEETS	64
#define XLS_MAX_ROWS	100000		/* rows per sheet */
#define XLS_MAX_COLS	256		/* columns per sheet */
#define XLS_MAX_CELL	32768		/* bytes per cell */

struct xls_row {
	int	  line;		/* markdown line or sheet row, 1-based */
	char	**cells;	/* ncells entries, NULL = empty cell */
	size_t	  ncells;
};

struct xls_sheet {
	char		*name;	/* as written */
	int		 line;	/* line or 0 for xlsx */
	struct xls_row	*rows;	/* first row is the header */
	size_t		 nrows;
	size_t		 arows;
};

struct xls_book {
	struct xls_sheet	*sheets;
	size_t			 nsheets;
	size_t			 asheets;
};

struct xls_book	*xls_book_new(void);
void		 xls_book_free(struct xls_book *);
/* Append an empty sheet (name copied); NULL on ENOMEM or too many sheets. */
struct xls_sheet *xls_book_add_sheet(struct xls_book *, const char *name,
		    int line);
/*
 * Append a row, taking ownership of `cells` (ncells strings or NULLs, the
 * array from ds_malloc) on success and on failure alike.  A row of only
 * NULLs is freed and not stored (DS_OK).  DS_ELIMIT past XLS_MAX_ROWS.
 */
enum ds_status	 xls_sheet_add_row(struct xls_sheet *, int line, char **cells,
		    size_t ncells);

/*
 * Length of the whitespace character at s (Python str.isspace(): ASCII
 * space, \t..\r, \x1c..\x1f, U+0085, U+00A0, U+1680, U+2000..U+200A,
 * U+2028, U+2029, U+202F, U+205F, U+3000), or 0.  `n` bytes are readable.
 */
size_t		 xls_space_len(const char *s, size_t n);
/* Strip whitespace as Python's str.strip(); returns a new string or NULL
 * for an all-space one; *oom set on allocation failure. */
char		*xls_strip_dup(const char *s, size_t n, int *oom);

#endif
