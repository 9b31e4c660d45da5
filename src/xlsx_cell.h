/* doorstep: .xlsx cell values as text, as pyxform reads them (layer 2). */
#ifndef DS_XLSX_CELL_H
#define DS_XLSX_CELL_H

/*
 * Pure functions (no allocation, no I/O) used by xlsx.c to turn the raw
 * text of a cell's <v> into the text an XLSForm author sees, following
 * pyxform (xls2json_backends.py: openpyxl values through
 * xlsx_value_to_str) except where docs/forms.md "Workbooks" says why not:
 *   - numbers: an integral value is written as an integer ("1.0" -> "1",
 *     "1E3" -> "1000"), any other as Python's repr ("0.1",
 *     "1.0000000000000002", "1e-05");
 *   - numbers under a date or time format (number formats from
 *     styles.xml, classified as openpyxl's is_date_format): dates as
 *     "YYYY-MM-DD", date and time as "YYYY-MM-DDTHH:MM:SS[.mmm]", serials
 *     below 1 as "HH:MM:SS[.mmm]", elapsed-time formats ([h]:mm) as
 *     Python's str(timedelta) ("1 day, 2:00:00");
 *   - ISO 8601 date cells (t="d") in the same forms.
 * Every function writes a NUL-terminated result into out (n bytes) and
 * returns XCV_OK, or an XCV_* error and leaves out unspecified.
 */

#include <stddef.h>
#include <stdint.h>

/* Kinds of a number format (a bit set; 0 is a plain number format). */
#define XLSX_FMT_DATE	1	/* date or time: serials become dates */
#define XLSX_FMT_TIME	2	/* shows a time of day */
#define XLSX_FMT_DELTA	4	/* elapsed time ([h], [mm], [ss]) */

/* Longest format code classified (Excel's own limit is 255). */
#define XLSX_MAX_FMTCODE	1024
/* Output room needed beyond the input's length. */
#define XLSX_CELL_EXTRA		400

enum xlsx_cv {
	XCV_OK = 0,
	XCV_NOTNUM,	/* not a number */
	XCV_NOTFINITE,	/* overflows to infinity */
	XCV_NEGATIVE,	/* negative date serial */
	XCV_FEB29,	/* serial 60 of the 1900 system: 1900-02-29 */
	XCV_RANGE,	/* date after 9999-12-31 */
	XCV_BADDATE,	/* t="d" text that is no ISO 8601 date or time */
	XCV_SPACE	/* output buffer too small */
};

/*
 * Kind of a number format code (openpyxl styles/numbers.py,
 * is_date_format and is_timedelta_format); codes longer than
 * XLSX_MAX_FMTCODE bytes are plain (0).
 */
int		 xlsx_fmt_kind(const char *code);
/* Kind of a built-in numFmtId: 14-22, 45-47 (openpyxl's table) and the
 * East Asian date and time ids 27-36, 50-58 (ECMA-376 18.8.30). */
int		 xlsx_builtin_kind(uint32_t id);

/*
 * Text of a number cell: `s` is the stripped <v> text, `kind` the cell's
 * format kind, `date1904` the workbook's date system.  out needs
 * strlen(s) + XLSX_CELL_EXTRA bytes.
 */
enum xlsx_cv	 xlsx_number_text(const char *s, int kind, int date1904,
		    char *out, size_t n);
/* Text of a date serial (the conversion alone). */
enum xlsx_cv	 xlsx_serial_text(double v, int kind, int date1904, char *out,
		    size_t n);
/* Text of an ISO 8601 date cell (t="d"). */
enum xlsx_cv	 xlsx_iso_text(const char *s, char *out, size_t n);
/* A short English reason for an error, for messages. */
const char	*xlsx_cv_reason(enum xlsx_cv);

#endif
