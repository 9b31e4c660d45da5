/* doorstep: .xlsx workbooks -> sheets of rows. */
/*
 * A workbook is a zip of XML parts.  This file opens the zip from memory
 * (libzip), reads each needed part with a hard cap on its unpacked size,
 * and runs expat over it with namespace processing, matching elements by
 * local name so that any namespace prefix works.  The parts, in order:
 * workbook.xml (sheet names and relationship ids, the date system),
 * workbook.xml.rels (ids to part names), sharedStrings.xml and styles.xml
 * (both optional), then each sheet.  Cell values become text as pyxform
 * sees them (xlsx_cell.c): numbers under a date format become dates.
 *
 * Invariants: no part is trusted for sizes or counts: every string, row,
 * column, sheet and shared-string index is checked before use; a DOCTYPE
 * stops the parse (no entity expansion).  libzip and expat allocate with
 * the C library; everything handed to the book comes from ds_malloc.
 * Not done: merged cells, formulas (their cached values are read), number
 * formats other than "is it a date" (a number shows as pyxform writes it,
 * not as its format would: 0.5 under "0%" is "0.5").
 */
#include "xlsx.h"

#include <expat.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zip.h>

#include "arr.h"
#include "buf.h"
#include "mem.h"
#include "utf8.h"
#include "util.h"
#include "xlsx_cell.h"

#define XLSX_MAX_STRINGS	1000000	/* shared strings */
#define XLSX_MAX_TOTAL		(4 * (size_t)XLS_MAX_XML) /* all parts */
#define XLSX_MAX_NUMFMTS	1024	/* custom number formats */
#define XLSX_MAX_XFS		65536	/* cell formats (Excel: 64000) */

/* A custom number format of styles.xml. */
struct xl_numfmt {
	uint32_t	id;
	uint32_t	seq;	/* order in the file: the last one wins */
	int		kind;	/* XLSX_FMT_* */
};

struct xlsx {
	const char		*file;
	struct xls_book		*book;
	struct form_diags	*diags;
	enum ds_status		 rc;	/* first failure, DS_OK while fine */
	zip_t			*zip;
	size_t			 total;	/* unpacked bytes read so far */
	XML_Parser		 xp;

	/* workbook.xml */
	char			**sheet_names;
	char			**sheet_rids;
	size_t			 nsheets;
	/* workbook.xml.rels */
	char			**rel_ids;
	char			**rel_targets;
	size_t			 nrels;
	int			 date1904;	/* workbookPr date1904 */
	/* sharedStrings.xml */
	char			**strings;	/* NULL entries for empty */
	size_t			 nstrings, astrings;
	/* styles.xml: cellXfs, each xf's numFmtId, then its XLSX_FMT_* */
	uint32_t		*xf_fmt;
	unsigned char		*xf_kind;
	size_t			 nxf, axf;
	struct xl_numfmt	*fmts;
	size_t			 nfmts, afmts;
	int			 in_numfmts, in_cellxfs;

	/* text collection (shared strings, inline strings, values) */
	struct ds_buf		 text;
	int			 in_text;	/* inside <t> or <v> */
	int			 in_rph;	/* inside phonetic run */
	int			 in_si;		/* <si> or <is> */

	/* sheet state */
	struct xls_sheet	*sheet;
	char			**row;		/* XLS_MAX_COLS cells */
	size_t			 nrow;		/* highest used column + 1 */
	long			 rownum, lastrow;
	long			 stored;	/* row number of last row kept */
	size_t			 width;		/* header width, 0 = no header */
	int			 stopped;	/* rest of the sheet ignored */
	long			 col, lastcol;
	char			 ctype[16];
	int64_t			 cstyle;	/* s="", 0 if absent */
	int			 in_v, in_is;
	int			 has_v;
};

static void	xl_fail(struct xlsx *, enum ds_status, int, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

static void
xl_fail(struct xlsx *x, enum ds_status rc, int line, const char *fmt, ...)
{
	va_list ap;

	if (x->rc != DS_OK)
		return;
	x->rc = rc;
	va_start(ap, fmt);
	if (form_diag_vadd(x->diags, x->file, line, NULL, 1, fmt, ap) !=
	    DS_OK)
		x->rc = DS_ENOMEM;
	va_end(ap);
	if (x->xp != NULL)
		XML_StopParser(x->xp, XML_FALSE);
}

static void
xl_oom(struct xlsx *x)
{
	if (x->rc == DS_OK)
		x->rc = DS_ENOMEM;
	(void)form_diag_add(x->diags, x->file, 0, NULL, 1,
	    "out of memory while reading the workbook");
	if (x->xp != NULL)
		XML_StopParser(x->xp, XML_FALSE);
}

/* Local part of an expat namespace name "uri local". */
static const char *
lname(const XML_Char *n)
{
	const char *s = strrchr(n, ' ');

	return s ? s + 1 : n;
}

/* Attribute by local name; `ns` 1 requires a namespace, 0 forbids one. */
static const char *
attr(const XML_Char **a, const char *name, int ns)
{
	size_t i;

	for (i = 0; a[i] != NULL; i += 2) {
		int has = strchr(a[i], ' ') != NULL;

		if (has == ns && strcmp(lname(a[i]), name) == 0)
			return a[i + 1];
	}
	return NULL;
}

static int
push(struct xlsx *x, char ***arr, size_t n, const char *s)
{
	char **na;

	if ((na = ds_realloc(*arr, (n + 1) * sizeof(*na))) == NULL) {
		xl_oom(x);
		return -1;
	}
	*arr = na;
	if (s == NULL)
		na[n] = NULL;
	else if ((na[n] = ds_strdup(s)) == NULL) {
		xl_oom(x);
		return -1;
	}
	return 0;
}

static void
strs_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ds_free(v[i]);
	ds_free(v);
}

static void XMLCALL
xl_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal)
{
	struct xlsx *x = ud;

	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal;
	xl_fail(x, DS_EPARSE, 0, "workbook part has a DOCTYPE, which is not "
	    "allowed");
}

static void XMLCALL
xl_chars(void *ud, const XML_Char *s, int n)
{
	struct xlsx *x = ud;

	if (!x->in_text || x->in_rph || x->rc != DS_OK || n <= 0)
		return;
	if (ds_buf_add(&x->text, s, (size_t)n) != DS_OK) {
		if (x->text.len + (size_t)n > x->text.max)
			xl_fail(x, DS_ELIMIT, (int)x->rownum, "cell too long "
			    "(limit %d bytes)", XLS_MAX_CELL);
		else
			xl_oom(x);
	}
}

/*
 * Run expat over a part.  Element handlers get the struct xlsx.  Returns
 * x->rc; an XML syntax error is DS_EPARSE with expat's message.
 */
static enum ds_status
xl_run(struct xlsx *x, const char *part, const char *data, size_t len,
    XML_StartElementHandler start, XML_EndElementHandler end)
{
	enum XML_Status st;

	if ((x->xp = XML_ParserCreateNS("UTF-8", ' ')) == NULL) {
		xl_oom(x);
		return x->rc;
	}
	XML_SetUserData(x->xp, x);
	XML_SetElementHandler(x->xp, start, end);
	XML_SetCharacterDataHandler(x->xp, xl_chars);
	XML_SetDoctypeDeclHandler(x->xp, xl_doctype, NULL);
	if (len > INT32_MAX)
		len = INT32_MAX;	/* unreachable: parts are capped */
	st = XML_Parse(x->xp, data, (int)len, XML_TRUE);
	if (st == XML_STATUS_ERROR && x->rc == DS_OK)
		xl_fail(x, DS_EPARSE, 0, "%s: XML error at line %lu: %s",
		    part, (unsigned long)XML_GetCurrentLineNumber(x->xp),
		    XML_ErrorString(XML_GetErrorCode(x->xp)));
	XML_ParserFree(x->xp);
	x->xp = NULL;
	return x->rc;
}

/* Read a zip member into a new NUL-terminated buffer, capped. */
static enum ds_status
xl_read_part(struct xlsx *x, const char *name, int optional, char **out,
    size_t *lenp)
{
	zip_file_t *zf;
	struct ds_buf b;
	char chunk[16384];
	zip_int64_t n;

	if ((zf = zip_fopen(x->zip, name, 0)) == NULL) {
		if (optional)
			return DS_ENOENT;
		xl_fail(x, DS_EPARSE, 0, "not an XLSForm workbook: %s is "
		    "missing", name);
		return x->rc;
	}
	ds_buf_init(&b, XLS_MAX_XML);
	while ((n = zip_fread(zf, chunk, sizeof(chunk))) > 0) {
		if (x->total + (size_t)n > XLSX_MAX_TOTAL ||
		    ds_buf_add(&b, chunk, (size_t)n) != DS_OK) {
			if (x->total + (size_t)n > XLSX_MAX_TOTAL ||
			    b.len + (size_t)n > b.max)
				xl_fail(x, DS_ELIMIT, 0, "%s is too large "
				    "unpacked (limit %u bytes)", name,
				    XLS_MAX_XML);
			else
				xl_oom(x);
			zip_fclose(zf);
			ds_buf_reset(&b);
			return x->rc;
		}
		x->total += (size_t)n;
	}
	zip_fclose(zf);
	if (n < 0) {
		ds_buf_reset(&b);
		xl_fail(x, DS_EPARSE, 0, "cannot unpack %s: damaged zip", name);
		return x->rc;
	}
	if ((*out = ds_buf_take(&b, lenp)) == NULL) {
		xl_oom(x);
		return x->rc;
	}
	return DS_OK;
}

/* workbook.xml */

static void XMLCALL
wb_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct xlsx *x = ud;
	const char *nm, *rid, *v;

	if (x->rc != DS_OK)
		return;
	if (strcmp(lname(name), "workbookPr") == 0) {
		/* xsd:boolean; absent is the 1900 system */
		if ((v = attr(a, "date1904", 0)) == NULL)
			return;
		if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
			x->date1904 = 1;
		else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
			x->date1904 = 0;
		else
			xl_fail(x, DS_EPARSE, 0, "workbook.xml: bad date1904 "
			    "value '%.*s'", utf8_prec(v, 20), v);
		return;
	}
	if (strcmp(lname(name), "sheet") != 0)
		return;
	nm = attr(a, "name", 0);
	rid = attr(a, "id", 1);
	if (nm == NULL || rid == NULL) {
		xl_fail(x, DS_EPARSE, 0, "workbook.xml: sheet without name or "
		    "id");
		return;
	}
	if (x->nsheets >= XLS_MAX_SHEETS) {
		xl_fail(x, DS_ELIMIT, 0, "too many sheets (limit %d)",
		    XLS_MAX_SHEETS);
		return;
	}
	if (push(x, &x->sheet_names, x->nsheets, nm) == -1)
		return;
	if (push(x, &x->sheet_rids, x->nsheets, rid) == -1) {
		ds_free(x->sheet_names[x->nsheets]);
		return;
	}
	x->nsheets++;
}

static void XMLCALL
no_end(void *ud, const XML_Char *name)
{
	(void)ud;
	(void)name;
}

/* workbook.xml.rels */

static void XMLCALL
rel_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct xlsx *x = ud;
	const char *id, *target;

	if (strcmp(lname(name), "Relationship") != 0 || x->rc != DS_OK)
		return;
	id = attr(a, "Id", 0);
	target = attr(a, "Target", 0);
	if (id == NULL || target == NULL)
		return;
	if (x->nrels >= 4 * XLS_MAX_SHEETS + 64) {
		xl_fail(x, DS_ELIMIT, 0, "workbook.xml.rels: too many "
		    "relationships");
		return;
	}
	if (push(x, &x->rel_ids, x->nrels, id) == -1)
		return;
	if (push(x, &x->rel_targets, x->nrels, target) == -1) {
		ds_free(x->rel_ids[x->nrels]);
		return;
	}
	x->nrels++;
}

/* sharedStrings.xml */

static void XMLCALL
ss_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct xlsx *x = ud;
	const char *l = lname(name);

	(void)a;
	if (strcmp(l, "si") == 0) {
		x->in_si = 1;
		ds_buf_clear(&x->text);
	} else if (strcmp(l, "rPh") == 0)
		x->in_rph = 1;
	else if (strcmp(l, "t") == 0 && x->in_si)
		x->in_text = 1;
}

/*
 * openpyxl drops every "x005F_" from a shared string (ST_Xstring writes a
 * literal "_x" as "_x005F_x") and leaves other _xHHHH_ escapes as they
 * are; so does pyxform, and so do we.
 */
static void
unescape_x005f(struct ds_buf *b)
{
	size_t i, o;

	if (b->p == NULL)
		return;
	for (i = 0, o = 0; i < b->len;) {
		if (b->len - i >= 6 && memcmp(b->p + i, "x005F_", 6) == 0) {
			i += 6;
			continue;
		}
		b->p[o++] = b->p[i++];
	}
	b->len = o;
	b->p[o] = '\0';
}

/* Take the collected text as a stripped cell value (NULL if empty). */
static char *
take_text(struct xlsx *x, int *oom)
{
	return x->text.p == NULL ? NULL :
	    xls_strip_dup(x->text.p, x->text.len, oom);
}

static void XMLCALL
ss_end(void *ud, const XML_Char *name)
{
	struct xlsx *x = ud;
	const char *l = lname(name);
	char *s;
	int oom = 0;

	if (strcmp(l, "t") == 0)
		x->in_text = 0;
	else if (strcmp(l, "rPh") == 0)
		x->in_rph = 0;
	else if (strcmp(l, "si") == 0 && x->rc == DS_OK) {
		x->in_si = 0;
		if (x->nstrings >= XLSX_MAX_STRINGS) {
			xl_fail(x, DS_ELIMIT, 0, "too many shared strings "
			    "(limit %d)", XLSX_MAX_STRINGS);
			return;
		}
		if (ds_arr_grow(&x->strings, &x->astrings, x->nstrings + 1,
		    sizeof(*x->strings), XLSX_MAX_STRINGS) != DS_OK) {
			xl_oom(x);
			return;
		}
		unescape_x005f(&x->text);
		s = take_text(x, &oom);
		if (oom) {
			xl_oom(x);
			return;
		}
		x->strings[x->nstrings++] = s;
		ds_buf_clear(&x->text);
	}
}

/* styles.xml */

/*
 * Only two lists matter: numFmts (custom format codes by id) and cellXfs
 * (a cell's s="" indexes it; each xf names a numFmtId).  numFmt elements
 * inside dxfs and xf elements inside cellStyleXfs are not these lists.
 */
static void XMLCALL
st_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct xlsx *x = ud;
	const char *l = lname(name), *v, *code;
	int64_t id;

	if (x->rc != DS_OK)
		return;
	if (strcmp(l, "numFmts") == 0)
		x->in_numfmts = 1;
	else if (strcmp(l, "cellXfs") == 0)
		x->in_cellxfs = 1;
	else if (strcmp(l, "numFmt") == 0 && x->in_numfmts) {
		v = attr(a, "numFmtId", 0);
		code = attr(a, "formatCode", 0);
		if (v == NULL || code == NULL ||
		    ds_parse_i64(v, 0, UINT32_MAX, &id) != 0) {
			xl_fail(x, DS_EPARSE, 0, "styles.xml: number format "
			    "without a numFmtId and formatCode");
			return;
		}
		if (strlen(code) > XLSX_MAX_FMTCODE) {
			xl_fail(x, DS_ELIMIT, 0, "styles.xml: number format "
			    "%lld is too long (limit %d bytes)", (long long)id,
			    XLSX_MAX_FMTCODE);
			return;
		}
		if (x->nfmts >= XLSX_MAX_NUMFMTS) {
			xl_fail(x, DS_ELIMIT, 0, "styles.xml: too many number "
			    "formats (limit %d)", XLSX_MAX_NUMFMTS);
			return;
		}
		if (ds_arr_grow(&x->fmts, &x->afmts, x->nfmts + 1,
		    sizeof(*x->fmts), XLSX_MAX_NUMFMTS) != DS_OK) {
			xl_oom(x);
			return;
		}
		x->fmts[x->nfmts].id = (uint32_t)id;
		x->fmts[x->nfmts].seq = (uint32_t)x->nfmts;
		x->fmts[x->nfmts].kind = xlsx_fmt_kind(code);
		x->nfmts++;
	} else if (strcmp(l, "xf") == 0 && x->in_cellxfs) {
		id = 0;
		if ((v = attr(a, "numFmtId", 0)) != NULL &&
		    ds_parse_i64(v, 0, UINT32_MAX, &id) != 0) {
			xl_fail(x, DS_EPARSE, 0, "styles.xml: cell format %zu "
			    "has a bad numFmtId '%.*s'", x->nxf,
			    utf8_prec(v, 20), v);
			return;
		}
		if (x->nxf >= XLSX_MAX_XFS) {
			xl_fail(x, DS_ELIMIT, 0, "styles.xml: too many cell "
			    "formats (limit %d)", XLSX_MAX_XFS);
			return;
		}
		if (ds_arr_grow(&x->xf_fmt, &x->axf, x->nxf + 1,
		    sizeof(*x->xf_fmt), XLSX_MAX_XFS) != DS_OK) {
			xl_oom(x);
			return;
		}
		x->xf_fmt[x->nxf++] = (uint32_t)id;
	}
}

static void XMLCALL
st_end(void *ud, const XML_Char *name)
{
	struct xlsx *x = ud;
	const char *l = lname(name);

	if (strcmp(l, "numFmts") == 0)
		x->in_numfmts = 0;
	else if (strcmp(l, "cellXfs") == 0)
		x->in_cellxfs = 0;
}

/* By id, then by position, so that the last of equal ids is found. */
static int
fmt_cmp(const void *pa, const void *pb)
{
	const struct xl_numfmt *a = pa, *b = pb;

	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * Each xf's kind: a custom format of its id if there is one (openpyxl's
 * custom_formats dict: the last definition wins, and it overrides a
 * built-in id), else the built-in format of that id.
 */
static void
st_resolve(struct xlsx *x)
{
	size_t i, lo, hi, mid;
	int kind;

	if (x->nxf == 0)
		return;
	if ((x->xf_kind = ds_malloc(x->nxf)) == NULL) {
		xl_oom(x);
		return;
	}
	if (x->nfmts > 1)
		qsort(x->fmts, x->nfmts, sizeof(*x->fmts), fmt_cmp);
	for (i = 0; i < x->nxf; i++) {
		/* last entry with id <= xf_fmt[i] */
		for (lo = 0, hi = x->nfmts; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if (x->fmts[mid].id <= x->xf_fmt[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > 0 && x->fmts[lo - 1].id == x->xf_fmt[i])
			kind = x->fmts[lo - 1].kind;
		else
			kind = xlsx_builtin_kind(x->xf_fmt[i]);
		x->xf_kind[i] = (unsigned char)kind;
	}
}

/* Sheets */

/* "BC12" -> column 54 (0-based), row 12; -1 on a malformed reference. */
static int
cell_ref(const char *r, long *col, long *row)
{
	long c = 0;
	int64_t rw;

	if (*r < 'A' || *r > 'Z')
		return -1;
	while (*r >= 'A' && *r <= 'Z') {
		c = c * 26 + (*r - 'A' + 1);
		if (c > 16384)
			return -1;
		r++;
	}
	if (ds_parse_i64(r, 1, 1048576, &rw) != 0)
		return -1;
	*col = c - 1;
	*row = (long)rw;
	return 0;
}

/*
 * pyxform stops reading a sheet after 60 adjacent empty rows and a header
 * after 20 adjacent empty columns (xls2json_backends.py get_excel_rows,
 * get_excel_column_headers; rows went from 20 to 60 after pyxform issue
 * #620, xlsform-xpath.md §1 still says 20).
 */
#define XLSX_EMPTY_ROWS		60
#define XLSX_EMPTY_COLS		20

static void
row_clear(struct xlsx *x)
{
	size_t i;

	for (i = 0; i < x->nrow; i++) {
		ds_free(x->row[i]);
		x->row[i] = NULL;
	}
	x->nrow = 0;
}

static void
row_flush(struct xlsx *x)
{
	char **cells;
	enum ds_status rc;
	size_t i, gap, last;

	if (x->nrow == 0 || x->stopped) {
		row_clear(x);
		return;
	}
	if (x->rownum - x->stored - 1 > XLSX_EMPTY_ROWS) {
		x->stopped = 1;
		if (form_diag_add(x->diags, x->file, (int)x->rownum, NULL, 0,
		    "sheet '%s': rows after more than %d empty rows are "
		    "ignored, as pyxform ignores them", x->sheet->name,
		    XLSX_EMPTY_ROWS) != DS_OK)
			xl_oom(x);
		row_clear(x);
		return;
	}
	if (x->width == 0) {
		/* The header: cut it at the first long gap. */
		for (i = 0, gap = 0, last = 0; i < x->nrow; i++) {
			if (x->row[i] == NULL) {
				if (++gap > XLSX_EMPTY_COLS)
					break;
				continue;
			}
			gap = 0;
			last = i + 1;
		}
		if (i < x->nrow) {
			for (; i < x->nrow && x->row[i] == NULL; i++)
				;
			if (i < x->nrow && form_diag_add(x->diags, x->file,
			    (int)x->rownum, NULL, 0, "sheet '%s': columns "
			    "after more than %d empty columns are ignored, as "
			    "pyxform ignores them", x->sheet->name,
			    XLSX_EMPTY_COLS) != DS_OK)
				xl_oom(x);
			for (i = last; i < x->nrow; i++) {
				ds_free(x->row[i]);
				x->row[i] = NULL;
			}
			x->nrow = last;
		}
		x->width = last;
		if (last == 0)
			return;	/* nothing left: the next row is the header */
	}
	x->stored = x->rownum;
	if ((cells = ds_malloc(x->nrow * sizeof(*cells))) == NULL) {
		xl_oom(x);
		return;
	}
	memcpy(cells, x->row, x->nrow * sizeof(*cells));
	memset(x->row, 0, x->nrow * sizeof(*x->row));
	rc = xls_sheet_add_row(x->sheet, (int)x->rownum, cells, x->nrow);
	x->nrow = 0;
	if (rc == DS_ELIMIT)
		xl_fail(x, DS_ELIMIT, (int)x->rownum, "sheet '%s': too many "
		    "rows (limit %d)", x->sheet->name, XLS_MAX_ROWS);
	else if (rc != DS_OK)
		xl_oom(x);
}

static void XMLCALL
sh_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct xlsx *x = ud;
	const char *l = lname(name), *v;
	int64_t rn;
	long c, r;

	if (x->rc != DS_OK)
		return;
	if (strcmp(l, "row") == 0) {
		x->nrow = 0;
		x->lastcol = -1;
		if ((v = attr(a, "r", 0)) != NULL) {
			if (ds_parse_i64(v, 1, 1048576, &rn) != 0) {
				xl_fail(x, DS_EPARSE, 0, "sheet '%s': bad row "
				    "number '%.*s'", x->sheet->name,
				    utf8_prec(v, 20), v);
				return;
			}
			x->rownum = (long)rn;
		} else
			x->rownum = x->lastrow + 1;
		x->lastrow = x->rownum;
	} else if (strcmp(l, "c") == 0) {
		if ((v = attr(a, "r", 0)) != NULL) {
			if (cell_ref(v, &c, &r) != 0) {
				xl_fail(x, DS_EPARSE, (int)x->rownum, "sheet "
				    "'%s': bad cell reference '%.*s'",
				    x->sheet->name, utf8_prec(v, 20), v);
				return;
			}
			x->col = c;
		} else
			x->col = x->lastcol + 1;
		x->lastcol = x->col;
		v = attr(a, "t", 0);
		snprintf(x->ctype, sizeof(x->ctype), "%s", v ? v : "n");
		/* openpyxl: style 0 when s is absent */
		x->cstyle = 0;
		if ((v = attr(a, "s", 0)) != NULL &&
		    ds_parse_i64(v, 0, INT64_MAX, &x->cstyle) != 0) {
			xl_fail(x, DS_EPARSE, (int)x->rownum, "sheet '%s': "
			    "bad style index '%.*s'", x->sheet->name,
			    utf8_prec(v, 20), v);
			return;
		}
		x->has_v = 0;
		x->in_is = 0;
		ds_buf_clear(&x->text);
	} else if (strcmp(l, "v") == 0) {
		x->in_text = 1;
		x->has_v = 1;
	} else if (strcmp(l, "is") == 0) {
		x->in_is = 1;
		x->has_v = 1;
	} else if (strcmp(l, "rPh") == 0) {
		x->in_rph = 1;
	} else if (strcmp(l, "t") == 0 && x->in_is) {
		x->in_text = 1;
	}
}

/* "C7": the current cell, for messages. */
static void
cell_name(const struct xlsx *x, char *buf, size_t n)
{
	char col[8];
	size_t i = sizeof(col) - 1;
	long c = x->col + 1;

	col[i] = '\0';
	while (c > 0 && i > 0) {
		col[--i] = (char)('A' + (c - 1) % 26);
		c = (c - 1) / 26;
	}
	snprintf(buf, n, "%s%ld", col + i, x->rownum);
}

static void
cell_fail(struct xlsx *x, const char *what, const char *t,
    enum xlsx_cv why)
{
	char ref[24];

	cell_name(x, ref, sizeof(ref));
	xl_fail(x, DS_EPARSE, (int)x->rownum, "sheet '%s' cell %s: %s "
	    "'%.*s' %s", x->sheet->name, ref, what, utf8_prec(t, 40), t,
	    xlsx_cv_reason(why));
}

/*
 * A number (t="n" or no t): as pyxform writes it, or a date when the
 * cell's format is a date format (xlsx_cell.h).  NULL for an empty <v>;
 * *bad set after a load error.
 */
static char *
number_cell(struct xlsx *x, int *oom, int *bad)
{
	char *t, *out;
	int kind = 0;
	enum xlsx_cv r;
	size_t n;

	if ((t = take_text(x, oom)) == NULL)
		return NULL;
	if (x->cstyle >= 0 && (uint64_t)x->cstyle < x->nxf &&
	    x->xf_kind != NULL)
		kind = x->xf_kind[x->cstyle];
	n = strlen(t) + XLSX_CELL_EXTRA;
	if ((out = ds_malloc(n)) == NULL) {
		ds_free(t);
		*oom = 1;
		return NULL;
	}
	if ((r = xlsx_number_text(t, kind, x->date1904, out, n)) != XCV_OK) {
		cell_fail(x, (kind & XLSX_FMT_DATE) && r != XCV_NOTNUM ?
		    "date" : "number", t, r);
		*bad = 1;
		ds_free(out);
		out = NULL;
	}
	ds_free(t);
	return out;
}

/* U+00A0 to a space, in place (the UTF-8 text gets shorter). */
static void
nbsp_to_space(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0) {
			*o++ = ' ';
			s++;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

/* An ISO 8601 date cell (t="d"). */
static char *
date_cell(struct xlsx *x, int *oom, int *bad)
{
	char *t, out[64];
	enum xlsx_cv r;
	char *val;

	if ((t = take_text(x, oom)) == NULL)
		return NULL;
	if ((r = xlsx_iso_text(t, out, sizeof(out))) != XCV_OK) {
		cell_fail(x, "date", t, r);
		*bad = 1;
		ds_free(t);
		return NULL;
	}
	ds_free(t);
	if ((val = ds_strdup(out)) == NULL)
		*oom = 1;
	return val;
}

static void
cell_end(struct xlsx *x)
{
	char *val = NULL;
	int oom = 0, bad = 0;
	int64_t idx;

	if (!x->has_v)
		return;
	if (strcmp(x->ctype, "s") == 0) {
		const char *t = x->text.p ? x->text.p : "";

		if (ds_parse_i64(t, 0, INT64_MAX, &idx) != 0 ||
		    (uint64_t)idx >= x->nstrings) {
			xl_fail(x, DS_EPARSE, (int)x->rownum, "sheet '%s': "
			    "shared string index '%.*s' out of range",
			    x->sheet->name, utf8_prec(t, 20), t);
			return;
		}
		if (x->strings[idx] != NULL &&
		    (val = ds_strdup(x->strings[idx])) == NULL)
			oom = 1;
		/* openpyxl gives shared strings as text too */
		if (val != NULL && x->width != 0)
			nbsp_to_space(val);
	} else if (strcmp(x->ctype, "b") == 0) {
		/* openpyxl: bool(int(v)); pyxform writes TRUE or FALSE */
		char *t = take_text(x, &oom);
		int64_t b;

		if (t == NULL && !oom)
			return;
		if (t != NULL && ds_parse_i64(t, INT64_MIN, INT64_MAX, &b) ==
		    0)
			val = ds_strdup(b != 0 ? "TRUE" : "FALSE");
		else if (t != NULL && (strcmp(t, "true") == 0 ||
		    strcmp(t, "false") == 0))
			val = ds_strdup(t[0] == 't' ? "TRUE" : "FALSE");
		else if (t != NULL) {
			cell_fail(x, "boolean", t, XCV_NOTNUM);
			bad = 1;
		}
		oom = oom || (val == NULL && !bad);
		ds_free(t);
	} else if (strcmp(x->ctype, "n") == 0)
		val = number_cell(x, &oom, &bad);
	else if (strcmp(x->ctype, "d") == 0)
		val = date_cell(x, &oom, &bad);
	else {
		val = take_text(x, &oom);
		/* pyxform: str(value).replace(chr(160), " ") on text cells
		 * below the header */
		if (val != NULL && x->width != 0)
			nbsp_to_space(val);
	}
	if (bad)
		return;
	if (oom) {
		xl_oom(x);
		return;
	}
	if (val == NULL)
		return;
	if (!utf8_valid(val, strlen(val), 0)) {
		ds_free(val);
		xl_fail(x, DS_EPARSE, (int)x->rownum, "sheet '%s': invalid "
		    "UTF-8", x->sheet->name);
		return;
	}
	if (x->col >= XLS_MAX_COLS) {
		ds_free(val);
		xl_fail(x, DS_ELIMIT, (int)x->rownum, "sheet '%s': too many "
		    "columns (limit %d)", x->sheet->name, XLS_MAX_COLS);
		return;
	}
	ds_free(x->row[x->col]);	/* a repeated reference: last wins */
	x->row[x->col] = val;
	if ((size_t)x->col + 1 > x->nrow)
		x->nrow = (size_t)x->col + 1;
}

static void XMLCALL
sh_end(void *ud, const XML_Char *name)
{
	struct xlsx *x = ud;
	const char *l = lname(name);

	if (strcmp(l, "v") == 0 || strcmp(l, "t") == 0)
		x->in_text = 0;
	else if (strcmp(l, "rPh") == 0)
		x->in_rph = 0;
	else if (strcmp(l, "is") == 0)
		x->in_is = 0;
	else if (strcmp(l, "c") == 0 && x->rc == DS_OK)
		cell_end(x);
	else if (strcmp(l, "row") == 0 && x->rc == DS_OK)
		row_flush(x);
}

/* Part name of a relationship target: relative to xl/ unless absolute. */
static int
part_name(const char *target, char *buf, size_t n)
{
	int r;

	if (target[0] == '/')
		r = snprintf(buf, n, "%s", target + 1);
	else
		r = snprintf(buf, n, "xl/%s", target);
	return r < 0 || (size_t)r >= n ? -1 : 0;
}

static void
xl_sheet(struct xlsx *x, size_t i)
{
	char part[512], *data = NULL;
	size_t k, len = 0;

	for (k = 0; k < x->nrels; k++)
		if (strcmp(x->rel_ids[k], x->sheet_rids[i]) == 0)
			break;
	if (k == x->nrels || part_name(x->rel_targets[k], part,
	    sizeof(part)) == -1) {
		xl_fail(x, DS_EPARSE, 0, "sheet '%s' has no part in "
		    "workbook.xml.rels", x->sheet_names[i]);
		return;
	}
	if ((x->sheet = xls_book_add_sheet(x->book, x->sheet_names[i], 0)) ==
	    NULL) {
		xl_oom(x);
		return;
	}
	if (xl_read_part(x, part, 0, &data, &len) != DS_OK)
		return;
	x->lastrow = 0;
	x->stored = 0;
	x->width = 0;
	x->stopped = 0;
	x->nrow = 0;
	x->in_text = x->in_rph = x->in_is = 0;
	(void)xl_run(x, part, data, len, sh_start, sh_end);
	ds_free(data);
	/* Cells of a row left open by a failed parse. */
	for (k = 0; k < x->nrow; k++) {
		ds_free(x->row[k]);
		x->row[k] = NULL;
	}
	x->nrow = 0;
}

static void
xl_free(struct xlsx *x)
{
	size_t i;

	strs_free(x->sheet_names, x->nsheets);
	strs_free(x->sheet_rids, x->nsheets);
	strs_free(x->rel_ids, x->nrels);
	strs_free(x->rel_targets, x->nrels);
	strs_free(x->strings, x->nstrings);
	ds_free(x->xf_fmt);
	ds_free(x->xf_kind);
	ds_free(x->fmts);
	if (x->row != NULL)
		for (i = 0; i < XLS_MAX_COLS; i++)
			ds_free(x->row[i]);
	ds_free(x->row);
	ds_buf_reset(&x->text);
	if (x->zip != NULL)
		zip_discard(x->zip);
}

enum ds_status
xlsx_parse(const void *data, size_t len, const char *file,
    struct xls_book **out, struct form_diags *diags)
{
	struct xlsx x;
	zip_source_t *src;
	zip_error_t zerr;
	char *part = NULL;
	size_t plen = 0, i;

	memset(&x, 0, sizeof(x));
	x.file = file;
	x.diags = diags;
	ds_buf_init(&x.text, XLS_MAX_CELL);
	if (len > XLS_MAX_FILE) {
		xl_fail(&x, DS_ELIMIT, 0, "form file too large (%zu bytes, "
		    "limit %u)", len, XLS_MAX_FILE);
		return x.rc;
	}
	zip_error_init(&zerr);
	if ((src = zip_source_buffer_create(data, len, 0, &zerr)) == NULL) {
		zip_error_fini(&zerr);
		xl_oom(&x);
		return x.rc;
	}
	if ((x.zip = zip_open_from_source(src, ZIP_RDONLY, &zerr)) == NULL) {
		zip_source_free(src);
		xl_fail(&x, DS_EPARSE, 0, "not an .xlsx workbook: %s",
		    zip_error_strerror(&zerr));
		zip_error_fini(&zerr);
		return x.rc;
	}
	zip_error_fini(&zerr);
	if ((x.book = xls_book_new()) == NULL ||
	    (x.row = ds_calloc(XLS_MAX_COLS, sizeof(*x.row))) == NULL) {
		xl_oom(&x);
		goto out;
	}
	if (xl_read_part(&x, "xl/workbook.xml", 0, &part, &plen) != DS_OK ||
	    xl_run(&x, "workbook.xml", part, plen, wb_start, no_end) !=
	    DS_OK)
		goto out;
	ds_free(part);
	part = NULL;
	if (xl_read_part(&x, "xl/_rels/workbook.xml.rels", 0, &part,
	    &plen) != DS_OK ||
	    xl_run(&x, "workbook.xml.rels", part, plen, rel_start, no_end) !=
	    DS_OK)
		goto out;
	ds_free(part);
	part = NULL;
	switch (xl_read_part(&x, "xl/sharedStrings.xml", 1, &part, &plen)) {
	case DS_OK:
		if (xl_run(&x, "sharedStrings.xml", part, plen, ss_start,
		    ss_end) != DS_OK)
			goto out;
		break;
	case DS_ENOENT:
		break;
	default:
		goto out;
	}
	ds_free(part);
	part = NULL;
	switch (xl_read_part(&x, "xl/styles.xml", 1, &part, &plen)) {
	case DS_OK:
		if (xl_run(&x, "styles.xml", part, plen, st_start, st_end) !=
		    DS_OK)
			goto out;
		st_resolve(&x);
		if (x.rc != DS_OK)
			goto out;
		break;
	case DS_ENOENT:
		break;
	default:
		goto out;
	}
	ds_free(part);
	part = NULL;
	ds_buf_clear(&x.text);
	for (i = 0; i < x.nsheets && x.rc == DS_OK; i++)
		xl_sheet(&x, i);
out:
	ds_free(part);
	if (x.rc == DS_OK) {
		*out = x.book;
		x.book = NULL;
	}
	xls_book_free(x.book);
	xl_free(&x);
	return x.rc;
}
