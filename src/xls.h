/* doorstep: XLSForm loader: sheets -> struct form (layer 2: model). */
#ifndef DS_XLS_H
#define DS_XLS_H

/*
 * Builds the immutable form model (form.h) from a pyxform markdown file
 * (.md, mdtable.h) or an Excel workbook (.xlsx, xlsx.h).  Both readers yield
 * the same sheets-of-rows structure (xls_book.h), and one function gives it
 * XLSForm meaning, so both formats load to equal models.  The rules and the
 * supported subset are in docs/forms.md.
 *
 * Errors are collected like a compiler's, every one in the file, into a
 * struct form_diags (format them with form_diag_format):
 *   form.md:12: error: [type] unknown question type 'txet'
 * Expression columns are kept as text: checking ${references}, syntax,
 * functions and cycles is the engine's (it reports through the same diags,
 * using node->line and the column names of docs/forms.md).
 *
 * Sibling files (CSV for select_*_from_file, csv-external, and the CSVs that
 * pulldata('x', ...) and instance('x') name) are read through a callback, so
 * the loader itself never touches the file system and can be fuzzed.
 *
 * Limits (every one reported as an error, never a crash):
 *   XLS_MAX_FILE (xls_book.h)	16 MiB form file
 *   XLS_MAX_XML			64 MiB per unpacked xlsx part
 *   XLS_MAX_SHEETS		64 sheets
 *   XLS_MAX_ROWS		100,000 rows per sheet
 *   XLS_MAX_COLS		256 columns
 *   XLS_MAX_CELL		32 KiB per cell
 *   XLS_MAX_EXPR		4 KiB per expression cell
 *   XLS_MAX_DEPTH		32 nested groups/repeats
 *   XLS_MAX_LANGS		32 languages
 *   XLS_MAX_LISTS		10,000 choice lists
 *   XLS_MAX_CHOICES		1,000,000 choices in all (CSV included)
 *   XLS_MAX_CSV			32 MiB per CSV file, 128 MiB in all
 */

#include <stddef.h>

#include "form.h"
#include "status.h"
#include "xls_book.h"

#define XLS_MAX_EXPR	4096
#define XLS_NAME_MAX	255	/* bytes of a name, or of the group path
				 * a name used in several groups takes */
#define XLS_MAX_DEPTH	32
#define XLS_MAX_LANGS	32
#define XLS_MAX_LISTS	10000
#define XLS_MAX_CHOICES	1000000
#define XLS_MAX_CSV	(32u << 20)
#define XLS_MAX_FETCH	(128u << 20)

/*
 * Fetch the sibling file `name` (a plain file name such as "villages.csv",
 * never a path).  On success put a ds_malloc'd buffer in *data (the loader
 * frees it with ds_free) and its length in *len.  Return DS_ENOENT when
 * there is no such file, another status (with err filled) on failure.
 */
typedef enum ds_status (*xls_fetch_fn)(void *arg, const char *name,
    char **data, size_t *len, struct ds_err *err);

struct xls_opts {
	const char	*source;	/* name in diagnostics, e.g. "hh.md";
					 * its stem is the default form_id */
	xls_fetch_fn	 fetch;		/* NULL: no sibling files */
	void		*fetch_arg;
};

/*
 * Load a form from memory.  On success (DS_OK) *out is a new form (free
 * with form_free) and diags may hold warnings.  On failure *out is
 * untouched, diags holds every error found, and the status is DS_EPARSE
 * (the form is wrong), DS_ELIMIT (a limit was exceeded) or DS_ENOMEM.
 * `diags` must be initialised (form_diags_init); new entries are appended.
 */
enum ds_status	 form_load_md(const char *text, size_t len,
		    const struct xls_opts *, struct form **out,
		    struct form_diags *diags);
enum ds_status	 form_load_xlsx(const void *data, size_t len,
		    const struct xls_opts *, struct form **out,
		    struct form_diags *diags);
/* The common part: give a book XLSForm meaning. */
enum ds_status	 form_load_book(const struct xls_book *,
		    const struct xls_opts *, struct form **out,
		    struct form_diags *diags);

/*
 * Load a form held in memory whose file name is `name` (the source in
 * diagnostics): ".md", ".xlsx" or ".xls" by suffix, otherwise by content,
 * as form_load_file.  A legacy .xls goes through a private temporary file
 * (FreeXL reads only paths), removed before returning.  For forms kept in
 * a database (published forms) rather than in a directory.
 */
enum ds_status	 form_load_mem(const char *name, const void *data,
		    size_t len, const struct xls_opts *, struct form **out,
		    struct form_diags *diags);

/*
 * Read `path` (at most XLS_MAX_FILE bytes) and load it: ".md", ".xlsx" or
 * ".xls" by suffix, otherwise by content (a zip is xlsx, an OLE2 compound
 * file .xls; text with at least five '|' in its first 5 KB is markdown).
 * Sibling CSV files are read from the directory of `path` (at most XLS_MAX_CSV bytes each).  The source name in
 * diagnostics is `path` as given.  I/O errors are diagnostics too (DS_EIO,
 * DS_ENOENT).
 */
enum ds_status	 form_load_file(const char *path, struct form **out,
		    struct form_diags *diags);

#endif
