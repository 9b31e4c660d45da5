/* doorstep: reading the office's input lists (CSV or XLSX) by header. */
/*
 * Both formats become rows of cells first (csv_parse, xlsx_parse into an
 * xls_book), then one mapping step picks the wanted columns by header.
 * The first non-empty row is the header.  A cell keeps its text as the
 * file has it, trimmed of ASCII spaces; the callers check values.
 */
#include "case_file.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "case.h"
#include "cry.h"
#include "csv.h"
#include "form.h"
#include "mem.h"
#include "utf8.h"
#include "util.h"
#include "xls_book.h"
#include "xlsx.h"

void
case_table_free(struct case_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; t->cells != NULL && i < t->nrows * t->nfields; i++)
		ds_free(t->cells[i]);
	ds_free(t->cells);
	ds_free(t->line);
	ds_free(t);
}

const char *
case_table_cell(const struct case_table *t, size_t row, size_t f)
{
	const char *c;

	if (row >= t->nrows || f >= t->nfields)
		return "";
	c = t->cells[row * t->nfields + f];
	return c != NULL ? c : "";
}

static enum ds_status
why_set(struct case_file_why *why, int code, int line, const char *field)
{
	why->code = code;
	why->line = line;
	why->field = field;
	return DS_OK;
}

/* Trimmed copy of s (ASCII space, tab, CR, LF), n bytes at most read. */
static char *
trim_dup(const char *s)
{
	size_t n;
	char *d;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if ((d = ds_malloc(n + 1)) == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* 1 if the header cell names the field. */
static int
header_is(const char *cell, const struct case_field *f)
{
	char *t;
	size_t i;
	int hit = 0;

	if (cell == NULL || (t = trim_dup(cell)) == NULL)
		return 0;
	if (strcasecmp(t, f->name) == 0)
		hit = 1;
	for (i = 0; !hit && f->aliases != NULL && f->aliases[i] != NULL; i++)
		hit = strcasecmp(t, f->aliases[i]) == 0;
	ds_free(t);
	return hit;
}

/* Rows as arrays of cells (either source), then the mapping. */
struct rows {
	size_t		  n;
	const char *const *(*get)(void *, size_t, size_t *ncells, int *line);
	void		 *src;
};

static const char *const *
csv_get(void *src, size_t i, size_t *ncells, int *line)
{
	const struct csv *c = src;

	*ncells = c->rows[i].ncells;
	*line = c->rows[i].line;
	return (const char *const *)c->rows[i].cells;
}

static const char *const *
xls_get(void *src, size_t i, size_t *ncells, int *line)
{
	const struct xls_sheet *s = src;

	*ncells = s->rows[i].ncells;
	*line = s->rows[i].line;
	return (const char *const *)s->rows[i].cells;
}

/* Map the header row's columns to fields; -1 the first missing one. */
static int
header_map(const struct case_field *fields, size_t nf, const char *const *cells,
    size_t nc, int *col, int *twice)
{
	size_t f, j;
	int missing = -1;

	*twice = -1;
	for (f = 0; f < nf; f++) {
		col[f] = -1;
		for (j = 0; j < nc; j++) {
			if (!header_is(cells[j], &fields[f]))
				continue;
			if (col[f] >= 0 && *twice < 0)
				*twice = (int)f;
			col[f] = (int)j;
		}
		if (col[f] < 0 && fields[f].required && missing < 0)
			missing = (int)f;
	}
	return missing;
}

static enum ds_status
map_rows(const struct rows *r, const struct case_field *fields,
    size_t nf, struct case_table **out, struct case_file_why *why,
    struct ds_err *err)
{
	struct case_table *t;
	const char *const *cells;
	int col[CASE_FILE_MAX_FIELDS];
	size_t i, f, j, nc, hdr, k, first = SIZE_MAX, seen = 0;
	int line, any, missing = -1, twice, fline = 0, found = 0;
	char *v;

	/*
	 * The header is the first row naming every required column; lists
	 * often open with a title row or two.  Only the first rows are
	 * tried.
	 */
	for (hdr = 0; hdr < r->n && seen < CASE_FILE_HEADER_ROWS; hdr++) {
		cells = r->get(r->src, hdr, &nc, &line);
		for (j = 0; j < nc; j++)
			if (cells[j] != NULL && *cells[j] != '\0')
				break;
		if (j == nc)
			continue;
		seen++;
		if (first == SIZE_MAX) {
			first = hdr;
			fline = line;
		}
		if (header_map(fields, nf, cells, nc, col, &twice) < 0) {
			found = 1;
			break;
		}
	}
	if (first == SIZE_MAX) {
		why_set(why, CASE_F_EMPTY, 0, NULL);
		return ds_err_set(err, DS_EPARSE, "no header row");
	}
	if (!found) {
		cells = r->get(r->src, first, &nc, &line);
		missing = header_map(fields, nf, cells, nc, col, &twice);
		why_set(why, CASE_F_COLUMN, fline, fields[missing < 0 ? 0 :
		    missing].name);
		return ds_err_set(err, DS_EPARSE, "no column %s",
		    why->field);
	}
	cells = r->get(r->src, hdr, &nc, &line);
	(void)header_map(fields, nf, cells, nc, col, &twice);
	if (twice >= 0) {
		why_set(why, CASE_F_TWICE, line, fields[twice].name);
		return ds_err_set(err, DS_EPARSE, "two columns for %s",
		    fields[twice].name);
	}
	if (r->n - hdr - 1 > CASE_FILE_MAX_ROWS) {
		why_set(why, CASE_F_ROWS, 0, NULL);
		return ds_err_set(err, DS_ELIMIT, "more than %d rows",
		    CASE_FILE_MAX_ROWS);
	}
	if ((t = ds_calloc(1, sizeof(*t))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	t->nfields = nf;
	k = r->n - hdr - 1;
	if (k > 0 && ((t->cells = ds_calloc(k * nf, sizeof(*t->cells))) ==
	    NULL || (t->line = ds_calloc(k, sizeof(*t->line))) == NULL)) {
		case_table_free(t);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	for (i = hdr + 1; i < r->n; i++) {
		cells = r->get(r->src, i, &nc, &line);
		any = 0;
		for (f = 0; f < nf; f++) {
			const char *c = col[f] >= 0 && (size_t)col[f] < nc ?
			    cells[col[f]] : NULL;

			if (c == NULL)
				c = "";
			if (strlen(c) > CASE_FILE_MAX_CELL ||
			    !utf8_valid(c, strlen(c), 0)) {
				/* Free the half row; the table is consistent. */
				for (j = 0; j < f; j++) {
					ds_free(t->cells[t->nrows * nf + j]);
					t->cells[t->nrows * nf + j] = NULL;
				}
				case_table_free(t);
				why_set(why, CASE_F_CELL, line, fields[f].name);
				return ds_err_set(err, DS_EPARSE, "line %d: %s: "
				    "too long or not UTF-8", line,
				    fields[f].name);
			}
			if ((v = trim_dup(c)) == NULL) {
				for (j = 0; j < f; j++) {
					ds_free(t->cells[t->nrows * nf + j]);
					t->cells[t->nrows * nf + j] = NULL;
				}
				case_table_free(t);
				return ds_err_set(err, DS_ENOMEM, NULL);
			}
			any |= *v != '\0';
			t->cells[t->nrows * nf + f] = v;
		}
		if (!any) {
			for (f = 0; f < nf; f++) {
				ds_free(t->cells[t->nrows * nf + f]);
				t->cells[t->nrows * nf + f] = NULL;
			}
			continue;
		}
		t->line[t->nrows++] = line;
	}
	*out = t;
	return DS_OK;
}

enum ds_status
case_file_parse(const void *data, size_t len, int xlsx,
    const struct case_field *fields, size_t nf, struct case_table **out,
    struct case_file_why *why, struct ds_err *err)
{
	struct csv_limits lim;
	struct csv *c = NULL;
	struct xls_book *b = NULL;
	struct form_diags d;
	struct rows r;
	enum ds_status s;

	*out = NULL;
	memset(why, 0, sizeof(*why));
	if (nf == 0 || nf > CASE_FILE_MAX_FIELDS)
		return ds_err_set(err, DS_EINVAL, "bad field list");
	if (len > CASE_FILE_MAX_BYTES) {
		why_set(why, CASE_F_ROWS, 0, NULL);
		return ds_err_set(err, DS_ELIMIT, "larger than %u bytes",
		    CASE_FILE_MAX_BYTES);
	}
	memset(&r, 0, sizeof(r));
	if (xlsx) {
		form_diags_init(&d);
		s = xlsx_parse(data, len, "list", &b, &d);
		if (s != DS_OK) {
			why_set(why, s == DS_ELIMIT ? CASE_F_ROWS : CASE_F_PARSE,
			    d.n > 0 ? d.v[0].line : 0, NULL);
			ds_err_set(err, s == DS_ENOMEM ? DS_ENOMEM : s, "%s",
			    d.n > 0 ? d.v[0].msg : "not a readable XLSX file");
			form_diags_reset(&d);
			return s;
		}
		form_diags_reset(&d);
		if (b->nsheets == 0) {
			xls_book_free(b);
			why_set(why, CASE_F_EMPTY, 0, NULL);
			return ds_err_set(err, DS_EPARSE, "no sheet");
		}
		r.n = b->sheets[0].nrows;
		r.get = xls_get;
		r.src = &b->sheets[0];
	} else {
		memset(&lim, 0, sizeof(lim));
		lim.max_bytes = CASE_FILE_MAX_BYTES;
		lim.max_rows = CASE_FILE_MAX_ROWS + 1;
		if ((s = csv_parse(data, len, &lim, &c, err)) != DS_OK) {
			why_set(why, s == DS_ELIMIT ? CASE_F_ROWS : CASE_F_PARSE,
			    err != NULL ? err->line : 0, NULL);
			return s;
		}
		r.n = c->nrows;
		r.get = csv_get;
		r.src = c;
	}
	s = map_rows(&r, fields, nf, out, why, err);
	csv_free(c);
	xls_book_free(b);
	if (s == DS_OK)
		cry_hash((*out)->hash, 32, NULL, 0, data, len);
	return s;
}

/* 1 if path ends in suffix, any case. */
static int
ends_with(const char *path, const char *suffix)
{
	size_t a = strlen(path), b = strlen(suffix);

	return a > b && strcasecmp(path + a - b, suffix) == 0;
}

enum ds_status
case_file_read(const char *path, const struct case_field *fields,
    size_t nf, struct case_table **out, struct case_file_why *why,
    struct ds_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	enum ds_status s;
	int xlsx;

	*out = NULL;
	memset(why, 0, sizeof(*why));
	if (ends_with(path, ".xlsx"))
		xlsx = 1;
	else if (ends_with(path, ".csv"))
		xlsx = 0;
	else {
		why_set(why, CASE_F_KIND, 0, NULL);
		return ds_err_set(err, DS_EINVAL, "%s: not .csv or .xlsx", path);
	}
	if ((s = ds_file_read(path, CASE_FILE_MAX_BYTES, &buf, &len, err)) !=
	    DS_OK) {
		why_set(why, s == DS_ELIMIT ? CASE_F_ROWS : CASE_F_READ, 0,
		    NULL);
		return s;
	}
	s = case_file_parse(buf, len, xlsx, fields, nf, out, why, err);
	/* The file may hold names and ID numbers: wipe the copy. */
	cry_wipe(buf, len);
	ds_free(buf);
	return s;
}

int
case_date_norm(const char *in, char out[11])
{
	char t[11];
	long y, m, d;
	char *e;

	if (strlen(in) == 8 && strspn(in, "0123456789") == 8) {
		snprintf(t, sizeof(t), "%.4s-%.2s-%.2s", in, in + 4, in + 6);
	} else {
		y = strtol(in, &e, 10);
		if (e == in || (*e != '-' && *e != '/' && *e != '.'))
			return -1;
		in = e + 1;
		m = strtol(in, &e, 10);
		if (e == in || (*e != '-' && *e != '/' && *e != '.'))
			return -1;
		in = e + 1;
		d = strtol(in, &e, 10);
		if (e == in || *e != '\0' || y < 2000 || y > 2099 || m < 1 ||
		    m > 12 || d < 1 || d > 31)
			return -1;
		snprintf(t, sizeof(t), "%04ld-%02ld-%02ld", y, m, d);
	}
	if (case_date_days(t) < 0)
		return -1;
	memcpy(out, t, sizeof(t));
	return 0;
}
