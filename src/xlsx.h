/* doorstep: .xlsx workbooks -> sheets of rows (layer 2: model). */
#ifndef DS_XLSX_H
#define DS_XLSX_H

/*
 * Reads an Office Open XML workbook from memory through libzip and expat
 * (the only includers of <zip.h> and <expat.h>) into a struct xls_book:
 *   - sheet names and order from xl/workbook.xml, each sheet's part from
 *     xl/_rels/workbook.xml.rels;
 *   - cells: shared strings (xl/sharedStrings.xml, rich-text runs joined,
 *     phonetic runs left out, "x005F_" dropped as openpyxl does), inline
 *     strings, formula strings, booleans as TRUE/FALSE, numbers and dates
 *     as pyxform writes them (xlsx_cell.h: "1.0" -> "1"; a number under a
 *     date format of xl/styles.xml -> "2026-01-01", in the workbook's
 *     1900 or 1904 date system); formulas are not evaluated (the cached
 *     value is used);
 *   - cell references (B7) may skip columns and rows; each row keeps its
 *     row number for diagnostics; cells are stripped like markdown cells,
 *     and text below the header has U+00A0 turned into spaces (pyxform);
 *   - a sheet ends after 60 empty rows, a header after 20 empty columns.
 * Refused: documents with a DOCTYPE (entity expansion), parts larger than
 * XLS_MAX_XML unpacked, more than XLS_MAX_SHEETS sheets, XLS_MAX_ROWS rows,
 * XLS_MAX_COLS columns or XLS_MAX_CELL bytes in a cell, invalid UTF-8;
 * malformed or oversized styles.xml (1024 number formats, 65536 cell
 * formats, 1024-byte format codes); number cells that are no number and
 * date cells no calendar has (negative, 1900-02-29, after 9999), named by
 * sheet and cell.
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
