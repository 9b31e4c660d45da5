/* doorstep: report tables, their CSV form, and writing them to a file. */
/*
 * A table is built row by row by the report builders and then written
 * whole.  Cells are owned strings; numeric columns hold decimal integers.
 * The CSV is the exact bytes the tests compare: a UTF-8 BOM (so Excel
 * opens Chinese text correctly), RFC 4180 quoting, CRLF after every line,
 * nothing that depends on the clock or the locale.  report_write picks the
 * format by the file name and always replaces the file atomically.
 */
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arr.h"
#include "buf.h"
#include "mem.h"
#include "report_int.h"
#include "util.h"

#define CSV_MAX		((size_t)256 << 20)	/* bytes of one CSV */

enum ds_status
report_table_new(const char *title, const struct report_col *cols,
    size_t ncols, size_t freeze_cols, struct report_table **out,
    struct ds_err *err)
{
	struct report_table *t;

	if ((t = ds_calloc(1, sizeof(*t))) == NULL)
		return ds_err_set(err, DS_ENOMEM, "report: out of memory");
	snprintf(t->title, sizeof(t->title), "%s", title);
	t->cols = cols;
	t->ncols = ncols;
	t->freeze_cols = freeze_cols;
	*out = t;
	return DS_OK;
}

void
report_table_free(struct report_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		ds_free(t->cells[i]);
	ds_free(t->cells);
	ds_free(t->kinds);
	ds_free(t);
}

enum ds_status
report_table_add(struct report_table *t, int kind, size_t *row,
    struct ds_err *err)
{
	size_t ncap;
	char **c;
	int *k;

	if (t->nrows >= REPORT_ROWS_MAX)
		return ds_err_set(err, DS_ELIMIT, "report: more than %d rows",
		    REPORT_ROWS_MAX);
	if (t->nrows == t->cap) {
		ncap = t->cap ? t->cap * 2 : 64;
		if ((c = ds_realloc(t->cells, ncap * t->ncols *
		    sizeof(*c))) == NULL)
			return ds_err_set(err, DS_ENOMEM,
			    "report: out of memory");
		t->cells = c;
		if ((k = ds_realloc(t->kinds, ncap * sizeof(*k))) == NULL)
			return ds_err_set(err, DS_ENOMEM,
			    "report: out of memory");
		t->kinds = k;
		t->cap = ncap;
	}
	memset(&t->cells[t->nrows * t->ncols], 0, t->ncols *
	    sizeof(*t->cells));
	t->kinds[t->nrows] = kind;
	*row = t->nrows++;
	return DS_OK;
}

enum ds_status
report_table_set(struct report_table *t, size_t row, size_t col,
    const char *text, struct ds_err *err)
{
	char *s, **cell;

	if (row >= t->nrows || col >= t->ncols)
		return ds_err_set(err, DS_EINVAL, "report: no cell %zu,%zu",
		    row, col);
	if ((s = ds_strdup(text != NULL ? text : "")) == NULL)
		return ds_err_set(err, DS_ENOMEM, "report: out of memory");
	cell = &t->cells[row * t->ncols + col];
	ds_free(*cell);
	*cell = s;
	return DS_OK;
}

void
report_table_words(struct report_table *t, report_tr tr)
{
	t->tr = tr;
}

void
report_table_set_title(struct report_table *t, const char *title)
{
	snprintf(t->title, sizeof(t->title), "%s", title);
}

const char *
report_word(const struct report_table *t, const char *msgid)
{
	return t->tr != NULL && msgid != NULL && *msgid != '\0' ?
	    t->tr(msgid) : msgid;
}

enum ds_status
report_table_setw(struct report_table *t, size_t row, size_t col,
    const char *msgid, struct ds_err *err)
{
	return report_table_set(t, row, col, report_word(t, msgid), err);
}

enum ds_status
report_table_setd(struct report_table *t, size_t row, size_t col, double v,
    struct ds_err *err)
{
	char b[64];

	snprintf(b, sizeof(b), "%.1f", v);
	return report_table_set(t, row, col, b, err);
}

enum ds_status
report_table_setn(struct report_table *t, size_t row, size_t col, int64_t n,
    struct ds_err *err)
{
	char b[32];

	snprintf(b, sizeof(b), "%" PRId64, n);
	return report_table_set(t, row, col, b, err);
}

const char *
report_table_title(const struct report_table *t)
{
	return t->title;
}

size_t
report_table_ncols(const struct report_table *t)
{
	return t->ncols;
}

size_t
report_table_nrows(const struct report_table *t)
{
	return t->nrows;
}

const char *
report_table_col(const struct report_table *t, size_t col)
{
	return col < t->ncols ? report_word(t, t->cols[col].title) : "";
}

const char *
report_table_cell(const struct report_table *t, size_t row, size_t col)
{
	const char *s;

	if (row >= t->nrows || col >= t->ncols)
		return "";
	s = t->cells[row * t->ncols + col];
	return s != NULL ? s : "";
}

enum report_row_kind
report_table_row_kind(const struct report_table *t, size_t row)
{
	return row < t->nrows ? (enum report_row_kind)t->kinds[row] :
	    REPORT_ROW_DATA;
}

/* ---- CSV ---------------------------------------------------------------- */

static enum ds_status
csv_field(struct ds_buf *b, const char *s)
{
	enum ds_status st;
	const char *p;

	if (strpbrk(s, ",\"\r\n") == NULL)
		return ds_buf_adds(b, s);
	if ((st = ds_buf_addc(b, '"')) != DS_OK)
		return st;
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' && (st = ds_buf_addc(b, '"')) != DS_OK)
			return st;
		if ((st = ds_buf_addc(b, *p)) != DS_OK)
			return st;
	}
	return ds_buf_addc(b, '"');
}

/*
 * A CSV has no group row: a column under a group is titled "GROUP: TITLE"
 * so that columns of the same name in different groups stay apart.
 */
static enum ds_status
csv_title(const struct report_table *t, size_t c, struct ds_buf *b)
{
	struct ds_buf one;
	enum ds_status st;
	char *s;

	if (t->cols[c].group == NULL)
		return csv_field(b, report_word(t, t->cols[c].title));
	ds_buf_init(&one, 1024);
	if ((st = ds_buf_adds(&one, report_word(t, t->cols[c].group))) !=
	    DS_OK || (st = ds_buf_adds(&one, report_word(t, N_(": ")))) !=
	    DS_OK || (st = ds_buf_adds(&one, report_word(t,
	    t->cols[c].title))) != DS_OK) {
		ds_buf_reset(&one);
		return st;
	}
	if ((s = ds_buf_take(&one, NULL)) == NULL)
		return DS_ENOMEM;
	st = csv_field(b, s);
	ds_free(s);
	return st;
}

enum ds_status
report_csv(const struct report_table *t, char **out, size_t *lenp,
    struct ds_err *err)
{
	struct ds_buf b;
	enum ds_status st = DS_OK;
	size_t r, c;
	char *p;

	ds_buf_init(&b, CSV_MAX);
	st = ds_buf_adds(&b, "\xef\xbb\xbf");
	for (c = 0; st == DS_OK && c < t->ncols; c++) {
		if (c > 0)
			st = ds_buf_addc(&b, ',');
		if (st == DS_OK)
			st = csv_title(t, c, &b);
	}
	if (st == DS_OK)
		st = ds_buf_adds(&b, "\r\n");
	for (r = 0; st == DS_OK && r < t->nrows; r++) {
		for (c = 0; st == DS_OK && c < t->ncols; c++) {
			if (c > 0)
				st = ds_buf_addc(&b, ',');
			if (st == DS_OK)
				st = csv_field(&b, report_table_cell(t, r, c));
		}
		if (st == DS_OK)
			st = ds_buf_adds(&b, "\r\n");
	}
	if (st != DS_OK) {
		ds_buf_reset(&b);
		return ds_err_set(err, st, "report csv: %s",
		    ds_status_str(st));
	}
	if ((p = ds_buf_take(&b, lenp)) == NULL) {
		ds_buf_reset(&b);
		return ds_err_set(err, DS_ENOMEM, "report csv: out of memory");
	}
	*out = p;
	return DS_OK;
}

/* ---- files ------------------------------------------------------------- */

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcasecmp(s + n - m, suffix) == 0;
}

enum ds_status
report_write(const struct report_table *t, const char *path,
    struct ds_err *err)
{
	struct ds_tmp tf;
	enum ds_status st;
	char *csv;
	size_t len;

	if (ends_with(path, ".csv")) {
		if ((st = report_csv(t, &csv, &len, err)) != DS_OK)
			return st;
		st = ds_file_write_atomic(path, csv, len, 0600, err);
		ds_free(csv);
		return st;
	}
	if (!ends_with(path, ".xlsx"))
		return ds_err_set(err, DS_EINVAL,
		    "report: %s: the file name must end in .csv or .xlsx",
		    path);
	/*
	 * libxlsxwriter writes a file by name: give it the temp file's
	 * (made 0600 here, no symlink followed, so a directory we cannot
	 * write is refused here rather than by the library, which would
	 * also print to stderr); it truncates that file in place.
	 */
	if ((st = ds_tmp_open(&tf, path, 0600, err)) != DS_OK)
		return st;
	if ((st = report_xlsx_write(t, ds_tmp_name(&tf), path, err)) !=
	    DS_OK) {
		ds_tmp_abort(&tf);
		return st;
	}
	return ds_tmp_commit(&tf, err);
}

/* ---- area names --------------------------------------------------------- */

struct report_name {
	char	*code, *label;
};

struct report_names {
	struct report_name	*v;
	size_t			 n, cap;
};

#define NAMES_FILE_MAX	((size_t)8 << 20)
#define NAMES_MAX	200000
#define CSV_FIELDS_MAX	64

/*
 * Split one CSV line in place (quotes honoured, "" inside quotes is a
 * quote); returns the number of fields, at most max.  *next is the start
 * of the following line.
 */
static size_t
csv_split(char *p, char **f, size_t max, char **next)
{
	size_t n = 0;
	char *w;

	for (;;) {
		if (n < max)
			f[n] = p;
		n++;
		w = p;
		if (*p == '"') {
			p++;
			for (; *p != '\0'; p++) {
				if (*p == '"' && p[1] == '"')
					*w++ = *p++;
				else if (*p == '"') {
					p++;
					break;
				} else
					*w++ = *p;
			}
		}
		while (*p != '\0' && *p != ',' && *p != '\n' && *p != '\r')
			*w++ = *p++;
		if (*p == ',') {
			*w = '\0';
			p++;
			continue;
		}
		while (*p == '\r')
			p++;
		if (*p == '\n')
			p++;
		*w = '\0';
		*next = p;
		return n < max ? n : max;
	}
}

static enum ds_status
names_file(struct report_names *nm, const char *dir, const char *file,
    struct ds_err *err)
{
	char path[4096], *text, *p, *next, *f[CSV_FIELDS_MAX];
	size_t len, nf, i, ci = SIZE_MAX, li = SIZE_MAX;
	enum ds_status st;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return DS_OK;
	st = ds_file_read(path, NAMES_FILE_MAX, &text, &len, err);
	if (st == DS_ENOENT) {
		ds_err_clear(err);
		return DS_OK;
	}
	if (st != DS_OK)
		return st;
	p = text;
	if (strncmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	nf = csv_split(p, f, CSV_FIELDS_MAX, &next);
	for (i = 0; i < nf; i++) {
		if (strcmp(f[i], "name") == 0)
			ci = i;
		else if (strcmp(f[i], "label::中文 (zh)") == 0 ||
		    (li == SIZE_MAX && strncmp(f[i], "label", 5) == 0))
			li = i;
	}
	for (p = next; st == DS_OK && ci != SIZE_MAX && li != SIZE_MAX &&
	    *p != '\0'; p = next) {
		nf = csv_split(p, f, CSV_FIELDS_MAX, &next);
		if (ci >= nf || li >= nf || *f[ci] == '\0')
			continue;
		if ((st = ds_arr_grow(&nm->v, &nm->cap, nm->n + 1,
		    sizeof(*nm->v), NAMES_MAX)) != DS_OK) {
			st = st == DS_ELIMIT ? ds_err_set(err, st,
			    "%s: too many rows", path) : ds_err_set(err, st,
			    "report: out of memory");
			break;
		}
		nm->v[nm->n].code = ds_strdup(f[ci]);
		nm->v[nm->n].label = ds_strdup(f[li]);
		if (nm->v[nm->n].code == NULL || nm->v[nm->n].label == NULL) {
			ds_free(nm->v[nm->n].code);
			ds_free(nm->v[nm->n].label);
			st = ds_err_set(err, DS_ENOMEM, "report: out of memory");
			break;
		}
		nm->n++;
	}
	ds_free(text);
	return st;
}

enum ds_status
report_names_load(const char *dir, struct report_names **out,
    struct ds_err *err)
{
	struct report_names *nm;
	enum ds_status st = DS_OK;

	if ((nm = ds_calloc(1, sizeof(*nm))) == NULL)
		return ds_err_set(err, DS_ENOMEM, "report: out of memory");
	if (dir != NULL && *dir != '\0' &&
	    ((st = names_file(nm, dir, "township.csv", err)) != DS_OK ||
	    (st = names_file(nm, dir, "village.csv", err)) != DS_OK)) {
		report_names_free(nm);
		return st;
	}
	*out = nm;
	return DS_OK;
}

void
report_names_free(struct report_names *nm)
{
	size_t i;

	if (nm == NULL)
		return;
	for (i = 0; i < nm->n; i++) {
		ds_free(nm->v[i].code);
		ds_free(nm->v[i].label);
	}
	ds_free(nm->v);
	ds_free(nm);
}

const char *
report_names_get(const struct report_names *nm, const char *code)
{
	size_t i;

	if (nm == NULL || code == NULL || *code == '\0')
		return "";
	for (i = 0; i < nm->n; i++)
		if (strcmp(nm->v[i].code, code) == 0)
			return nm->v[i].label;
	return "";
}
