/* doorstep: .xlsx workbooks -> sheets of rows (layer 2: model). */
#ifndef DS_XLSX_H
#define DS_XLSX_H

/*
 * Reads an Office Open XML workbook from memory through libzip and expat
 * (the only includers of <zip.h> and <expat.h>) into a struct xls_book:
 *   - sheet names and order from xl/workbook.xml, each sheet's part from
 *     xl/_rels/workbook.xml.rels;
 *   - cells: shared strings (xl/sharedStrings.xml, rich-text runs joined,
 *     phonetic runs left out), inline strings, formula strings, numbers as
 *     written in <v>, booleans as TRUE/FALSE; formulas are not evaluated
 *     (the cached value is used);
 *   - cell references (B7) may skip columns and rows; each row keeps its
 *     row number for diagnostics; cells are stripped like markdown cells.
 * Refused: documents with a DOCTYPE (entity expansion), parts larger than
 * XLS_MAX_XML unpacked, more than XLS_MAX_SHEETS sheets, XLS_MAX_ROWS rows,
 * XLS_MAX_COLS columns or XLS_MAX_CELL bytes in a cell, invalid UTF-8.
 */

#include <stddef.h>

#include "form.h"
#include "xls_book.h"

/*
 * Parse `len` bytes of a .xlsx file.  `file` names it in diagnostics.
 * Returns DS_OK with *out a new book (free with xls_book_free), or
 * DS_EPARSE / DS_ELIMIT / DS_ENOMEM with *out untouched and an error in
 * diags.
 */
enum ds_status	 xlsx_parse(const void *data, size_t len, const char *file,
		    struct xls_book **out, struct form_diags *diags);

#endif
