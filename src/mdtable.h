/* doorstep: pyxform markdown tables -> sheets of rows (layer 2: model). */
#ifndef DS_MDTABLE_H
#define DS_MDTABLE_H

/*
 * Reads the pyxform markdown form format (xlsform-xpath.md §8; pyxform
 * xls2json_backends.py md_to_dict) into a struct xls_book, exactly as
 * pyxform does:
 *   1. only lines that start (after whitespace) with '|' and hold a second
 *      '|' are table lines; text after the last '|' is ignored;
 *   2. a line whose first non-space character is '#' is a comment;
 *   3. cells split on '|' not preceded by '\'; "\|" is a literal pipe;
 *      cells are stripped (Python str.strip) and an empty cell is NULL;
 *   4. a non-empty first cell starts a new sheet of that name; the rest of
 *      that line is a row too (so the header may share the name's line);
 *   5. rows whose cells (after the first) are all empty are skipped;
 *   6. separator rows hold only '|' and '-' and are skipped.
 * Deliberate refusals, so that every file accepted here is read the same
 * way by pyxform: a separator row with spaces or colons (`| --- |`,
 * `|:--|`), which pyxform takes as data; a UTF-8 byte order mark, which
 * makes pyxform skip the first line; invalid UTF-8; NUL bytes; two sheets
 * with the same (case-insensitive) name; data rows before the first sheet
 * name.  Sheet meaning (survey, choices, ...) is left to xls.c.
 */

#include <stddef.h>

#include "form.h"
#include "xls_book.h"

/*
 * Parse `len` bytes of markdown.  `file` names the source in diagnostics.
 * Every problem is added to `diags` (errors and warnings; collected, not
 * only the first).  Returns DS_OK with *out set to a new book (free with
 * xls_book_free) when there was no error; otherwise DS_EPARSE, DS_ELIMIT
 * or DS_ENOMEM with *out untouched and at least one error in diags (or
 * DS_ENOMEM when even that could not be recorded).
 */
enum ds_status	 mdtable_parse(const char *text, size_t len, const char *file,
		    struct xls_book **out, struct form_diags *diags);

#endif
