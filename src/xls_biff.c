/* doorstep: legacy .xls workbooks through FreeXL, else LibreOffice. */
/*
 * FreeXL hands out each cell as a typed value; this file turns them into
 * the text xls.c reads (pyxform's, through xlrd: numbers without a
 * trailing ".0", dates as ISO text).  The LibreOffice fallback only runs
 * a converter and reads back its bytes: xlsx.c parses them.
 */
#include "xls_biff.h"

#include <freexl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mem.h"
#include "util.h"
#include "xls.h"
#include "xlsx_cell.h"

/* As xlsx.c: pyxform stops reading a sheet after 60 empty rows. */
#define BIFF_EMPTY_ROWS	60

extern char **environ;

/* The text of one cell, stripped; NULL when empty.  *oom on ENOMEM. */
static char *
cell_text(const FreeXL_CellValue *v, int *oom)
{
	char num[64], out[64 + XLSX_CELL_EXTRA], *p;
	const char *t;

	switch (v->type) {
	case FREEXL_CELL_INT:
		snprintf(num, sizeof(num), "%d", v->value.int_value);
		t = num;
		break;
	case FREEXL_CELL_DOUBLE:
		snprintf(num, sizeof(num), "%.17g", v->value.double_value);
		if (xlsx_number_text(num, 0, 0, out, sizeof(out)) != XCV_OK)
			return xls_strip_dup(num, strlen(num), oom);
		t = out;
		break;
	case FREEXL_CELL_TEXT:
	case FREEXL_CELL_SST_TEXT:
	case FREEXL_CELL_DATE:
	case FREEXL_CELL_DATETIME:
	case FREEXL_CELL_TIME:
		t = v->value.text_value;
		break;
	default:
		return NULL;
	}
	if (t == NULL)
		return NULL;
	if ((p = xls_strip_dup(t, strlen(t), oom)) != NULL &&
	    v->type == FREEXL_CELL_DATETIME && strlen(p) > 10 && p[10] == ' ')
		p[10] = 'T';	/* the xlsx reader's form (docs/forms.md) */
	return p;
}

/* Read one worksheet into a new sheet of b. */
static enum ds_status
read_sheet(const void *xl, unsigned short k, const char *file,
    struct xls_book *b, struct form_diags *d)
{
	FreeXL_CellValue v;
	struct xls_sheet *sh;
	const char *name = NULL;
	unsigned int nrows, r, empty = 0;
	unsigned short ncols, c;
	char **cells;
	size_t n;
	int oom = 0, any;
	enum ds_status st;

	if (freexl_get_worksheet_name(xl, k, &name) != FREEXL_OK ||
	    freexl_select_active_worksheet(xl, k) != FREEXL_OK ||
	    freexl_worksheet_dimensions(xl, &nrows, &ncols) != FREEXL_OK) {
		(void)form_diag_add(d, file, 0, NULL, 1, "cannot read sheet "
		    "%u", (unsigned)k + 1);
		return DS_EPARSE;
	}
	if ((sh = xls_book_add_sheet(b, name ? name : "", 0)) == NULL)
		return DS_ENOMEM;
	if (ncols > XLS_MAX_COLS) {
		(void)form_diag_add(d, file, 0, NULL, 1, "sheet '%s' has %u "
		    "columns (limit %d)", sh->name, (unsigned)ncols,
		    XLS_MAX_COLS);
		return DS_ELIMIT;
	}
	for (r = 0; r < nrows; r++) {
		if ((cells = ds_calloc(ncols ? ncols : 1, sizeof(*cells))) ==
		    NULL)
			return DS_ENOMEM;
		for (c = 0, any = 0, n = 0; c < ncols; c++) {
			if (freexl_get_cell_value(xl, r, c, &v) != FREEXL_OK)
				continue;
			if (v.type == FREEXL_CELL_TEXT ||
			    v.type == FREEXL_CELL_SST_TEXT) {
				if (v.value.text_value != NULL &&
				    strlen(v.value.text_value) >
				    XLS_MAX_CELL) {
					(void)form_diag_add(d, file, (int)r + 1,
					    NULL, 1, "cell too long (limit "
					    "%d bytes)", XLS_MAX_CELL);
					for (n = 0; n < c; n++)
						ds_free(cells[n]);
					ds_free(cells);
					return DS_ELIMIT;
				}
			}
			if ((cells[c] = cell_text(&v, &oom)) != NULL)
				any = 1;
			if (oom)
				break;
		}
		if (oom) {
			for (c = 0; c < ncols; c++)
				ds_free(cells[c]);
			ds_free(cells);
			return DS_ENOMEM;
		}
		if (!any) {
			ds_free(cells);
			if (++empty > BIFF_EMPTY_ROWS) {
				(void)form_diag_add(d, file, (int)r + 1, NULL,
				    0, "sheet '%s': more than %d empty rows; "
				    "the rest is ignored", sh->name,
				    BIFF_EMPTY_ROWS);
				break;
			}
			continue;
		}
		empty = 0;
		if ((st = xls_sheet_add_row(sh, (int)r + 1, cells, ncols)) !=
		    DS_OK) {
			if (st == DS_ELIMIT)
				(void)form_diag_add(d, file, (int)r + 1, NULL,
				    1, "sheet '%s' has too many rows (limit "
				    "%d)", sh->name, XLS_MAX_ROWS);
			return st;
		}
	}
	return DS_OK;
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

/* Is `prog` an executable on PATH? */
static int
on_path(const char *prog)
{
	const char *path = getenv("PATH"), *p, *e;
	char buf[4096];
	int n;

	for (p = path; p != NULL && *p != '\0'; p = e ? e + 1 : NULL) {
		e = strchr(p, ':');
		n = snprintf(buf, sizeof(buf), "%.*s/%s",
		    (int)(e ? (size_t)(e - p) : strlen(p)), p, prog);
		if (n > 0 && (size_t)n < sizeof(buf) && access(buf, X_OK) == 0)
			return 1;
		if (e == NULL)
			break;
	}
	return 0;
}

/*
 * soffice --headless --convert-to xlsx into a private directory, with its
 * own profile there; the bytes of the result in *data.  Everything made
 * is removed.
 */
static enum ds_status
convert(const char *path, char **data, size_t *len, struct ds_err *err)
{
	char dir[] = "/tmp/ds-xls.XXXXXX", prof[64], out[4096];
	char *argv[9];
	const char *base, *dot;
	pid_t pid;
	int status, n;
	enum ds_status st = DS_EIO;

	if (mkdtemp(dir) == NULL)
		return ds_err_set(err, DS_EIO, "cannot make a directory for "
		    "the conversion");
	snprintf(prof, sizeof(prof), "-env:UserInstallation=file://%s/p",
	    dir);
	argv[0] = (char *)(uintptr_t)"soffice";
	argv[1] = prof;
	argv[2] = (char *)(uintptr_t)"--headless";
	argv[3] = (char *)(uintptr_t)"--convert-to";
	argv[4] = (char *)(uintptr_t)"xlsx";
	argv[5] = (char *)(uintptr_t)"--outdir";
	argv[6] = dir;
	argv[7] = (char *)(uintptr_t)path;
	argv[8] = NULL;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	n = snprintf(out, sizeof(out), "%s/%.*s.xlsx", dir,
	    (int)(dot ? (size_t)(dot - base) : strlen(base)), base);
	if (n > 0 && (size_t)n < sizeof(out) &&
	    posix_spawnp(&pid, "soffice", NULL, NULL, argv, environ) == 0 &&
	    waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0)
		st = ds_file_read(out, XLS_MAX_FILE, data, len, err);
	else
		ds_err_set(err, DS_EIO, "LibreOffice could not convert it");
	(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return st;
}

enum ds_status
xls_biff_read(const char *path, const char *file, struct xls_book **out,
    char **xlsx, size_t *xlsx_len, struct form_diags *d)
{
	const void *xl = NULL;
	struct xls_book *b;
	struct ds_err err;
	unsigned int nsheets = 0, pw = 0, k;
	enum ds_status st = DS_OK;

	*xlsx = NULL;
	if (freexl_open(path, &xl) != FREEXL_OK ||
	    freexl_get_info(xl, FREEXL_BIFF_SHEET_COUNT, &nsheets) !=
	    FREEXL_OK ||
	    freexl_get_info(xl, FREEXL_BIFF_PASSWORD, &pw) != FREEXL_OK ||
	    pw == FREEXL_BIFF_OBFUSCATED) {
		if (xl != NULL)
			(void)freexl_close(xl);
		ds_err_clear(&err);
		if (on_path("soffice") &&
		    convert(path, xlsx, xlsx_len, &err) == DS_OK)
			return DS_OK;
		if (form_diag_addc(d, file, 0, NULL, 1, FD_XLS_CONVERT, file,
		    NULL, "%s is a legacy Excel 97-2003 workbook (.xls) and "
		    "could not be read; open it in Excel or LibreOffice and "
		    "use File > Save As > Excel Workbook (.xlsx), then use "
		    "the .xlsx file", file) != DS_OK)
			return DS_ENOMEM;
		return DS_EPARSE;
	}
	if (nsheets > XLS_MAX_SHEETS) {
		(void)freexl_close(xl);
		(void)form_diag_add(d, file, 0, NULL, 1, "too many sheets "
		    "(limit %d)", XLS_MAX_SHEETS);
		return DS_ELIMIT;
	}
	if ((b = xls_book_new()) == NULL) {
		(void)freexl_close(xl);
		return DS_ENOMEM;
	}
	for (k = 0; k < nsheets && st == DS_OK; k++)
		st = read_sheet(xl, (unsigned short)k, file, b, d);
	(void)freexl_close(xl);
	if (st != DS_OK) {
		if (st == DS_ENOMEM)
			(void)form_diag_add(d, file, 0, NULL, 1, "out of "
			    "memory while reading the workbook");
		xls_book_free(b);
		return st;
	}
	*out = b;
	return DS_OK;
}
