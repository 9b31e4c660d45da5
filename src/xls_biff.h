/* doorstep: legacy .xls workbooks -> sheets of rows (layer 2: model). */
#ifndef DS_XLS_BIFF_H
#define DS_XLS_BIFF_H

/*
 * Excel 97-2003 workbooks (BIFF8, "Compound File" containers) are read
 * through FreeXL (Debian libfreexl, the only includer of <freexl.h>) into
 * the same struct xls_book the markdown and xlsx readers make, cell values
 * written as pyxform writes them (xlrd numbers: an integral value without
 * ".0"; dates "2026-01-01", date-times "2026-01-01T08:30:00", times
 * "08:30:00"; cells stripped as markdown cells).  A sheet ends after 60
 * empty rows, as with xlsx.
 *
 * FreeXL reads only a path.  When it cannot read the file (an encrypted
 * workbook, a BIFF it does not know) and LibreOffice is installed
 * (`soffice` on PATH), the file is converted to .xlsx in a private
 * temporary directory (`soffice --headless --convert-to xlsx`) and that is
 * read; otherwise the error (FD_XLS_CONVERT) says how to save the file as
 * .xlsx.  Limits: those of xls_book.h.
 */

#include "form.h"
#include "xls_book.h"

/*
 * Read the .xls at path; `file` names it in diagnostics.  DS_OK with *out
 * a new book, or DS_EPARSE / DS_ELIMIT / DS_ENOMEM with an error in
 * diags.  *xlsx is set (a ds_malloc'd copy of the converted workbook's
 * bytes, *xlsx_len long) instead of *out when LibreOffice converted it:
 * the caller reads those as an .xlsx.
 */
enum ds_status	 xls_biff_read(const char *path, const char *file,
		    struct xls_book **out, char **xlsx, size_t *xlsx_len,
		    struct form_diags *diags);

#endif
