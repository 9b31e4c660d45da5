/* doorstep: RFC 4180 CSV reader with hard limits. */
/*
 * One pass over the bytes with a small state machine; each field is built in
 * a capped ds_buf and each record in a growable array of cell pointers.  The
 * table is built in locals and published only on success.  Limits are
 * checked before anything grows, so hostile input costs at most the caps.
 * It does not guess separators, decode encodings or trim spaces: a CSV list
 * is data, and the form loader decides what its cells mean.
 */
#include "csv.h"

#include <string.h>

#include "arr.h"
#include "buf.h"
#include "mem.h"

struct csv_state {
	struct csv_limits	 lim;
	struct csv_row		*rows;
	size_t			 nrows, arows;
	char			**cells;	/* the record being built */
	size_t			 ncells, acells;
	struct ds_buf		 field;
	int			 line;		/* current line */
	int			 rowline;	/* line the record started on */
};

static void	csv_cells_free(char **, size_t);
static enum ds_status csv_end_field(struct csv_state *, struct ds_err *);
static enum ds_status csv_end_record(struct csv_state *, struct ds_err *);

static void
csv_cells_free(char **cells, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ds_free(cells[i]);
	ds_free(cells);
}

void
csv_free(struct csv *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nrows; i++)
		csv_cells_free(c->rows[i].cells, c->rows[i].ncells);
	ds_free(c->rows);
	ds_free(c);
}

static enum ds_status
csv_end_field(struct csv_state *s, struct ds_err *err)
{
	char *cell;

	if (s->ncells >= s->lim.max_cols)
		return ds_err_set(err, DS_ELIMIT,
		    "line %d: too many fields (limit %zu)", s->rowline,
		    s->lim.max_cols);
	if (ds_arr_grow(&s->cells, &s->acells, s->ncells + 1,
	    sizeof(*s->cells), s->lim.max_cols) != DS_OK)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if ((cell = ds_buf_take(&s->field, NULL)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	s->cells[s->ncells++] = cell;
	return DS_OK;
}

static enum ds_status
csv_end_record(struct csv_state *s, struct ds_err *err)
{
	char **cells;

	if (s->nrows >= s->lim.max_rows)
		return ds_err_set(err, DS_ELIMIT,
		    "line %d: too many rows (limit %zu)", s->rowline,
		    s->lim.max_rows);
	if (ds_arr_grow(&s->rows, &s->arows, s->nrows + 1, sizeof(*s->rows),
	    s->lim.max_rows) != DS_OK)
		return ds_err_set(err, DS_ENOMEM, NULL);
	/* Shrink the cell array to fit; a failure here keeps the larger one. */
	cells = s->cells;
	if (s->ncells < s->acells && s->ncells > 0 &&
	    (cells = ds_realloc(s->cells, s->ncells * sizeof(*cells))) == NULL)
		cells = s->cells;
	s->rows[s->nrows].cells = cells;
	s->rows[s->nrows].ncells = s->ncells;
	s->rows[s->nrows].line = s->rowline;
	s->nrows++;
	s->cells = NULL;
	s->ncells = s->acells = 0;
	return DS_OK;
}

enum ds_status
csv_parse(const char *data, size_t len, const struct csv_limits *lim,
    struct csv **out, struct ds_err *err)
{
	enum { START, UNQUOTED, QUOTED, QUOTE_END } st = START;
	struct csv_state s;
	struct csv *c = NULL;
	enum ds_status rc = DS_OK;
	size_t i = 0, j;
	int empty_line = 1;	/* nothing seen on this record yet */
	char ch;

	memset(&s, 0, sizeof(s));
	if (lim != NULL)
		s.lim = *lim;
	if (s.lim.max_bytes == 0)
		s.lim.max_bytes = CSV_MAX_BYTES;
	if (s.lim.max_rows == 0)
		s.lim.max_rows = CSV_MAX_ROWS;
	if (s.lim.max_cols == 0)
		s.lim.max_cols = CSV_MAX_COLS;
	if (s.lim.max_cell == 0)
		s.lim.max_cell = CSV_MAX_CELL;
	ds_buf_init(&s.field, s.lim.max_cell);
	s.line = s.rowline = 1;

	if (len > s.lim.max_bytes)
		return ds_err_set(err, DS_ELIMIT,
		    "csv is too large (%zu bytes, limit %zu)", len,
		    s.lim.max_bytes);
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;

	for (; i < len && rc == DS_OK; i++) {
		ch = data[i];
		if (ch == '\0') {
			rc = ds_err_set(err, DS_EPARSE, "line %d: NUL byte",
			    s.line);
			break;
		}
		switch (st) {
		case START:
		case UNQUOTED:
			if (ch == '"' && st == START) {
				st = QUOTED;
				empty_line = 0;
				break;
			}
			if (ch == ',') {
				empty_line = 0;
				rc = csv_end_field(&s, err);
				st = START;
				break;
			}
			if (ch == '\r' || ch == '\n') {
				if (ch == '\r' && i + 1 < len &&
				    data[i + 1] == '\n')
					i++;
				if (!empty_line) {
					if ((rc = csv_end_field(&s, err)) ==
					    DS_OK)
						rc = csv_end_record(&s, err);
				}
				s.line++;
				s.rowline = s.line;
				empty_line = 1;
				st = START;
				break;
			}
			empty_line = 0;
			if (ds_buf_addc(&s.field, ch) != DS_OK)
				goto toolong;
			st = UNQUOTED;
			break;
		case QUOTED:
			if (ch == '"') {
				st = QUOTE_END;
				break;
			}
			if (ch == '\n' || (ch == '\r' && (i + 1 >= len ||
			    data[i + 1] != '\n')))
				s.line++;
			if (ds_buf_addc(&s.field, ch) != DS_OK)
				goto toolong;
			break;
		case QUOTE_END:
			if (ch == '"') {
				if (ds_buf_addc(&s.field, '"') != DS_OK)
					goto toolong;
				st = QUOTED;
				break;
			}
			if (ch == ',') {
				rc = csv_end_field(&s, err);
				st = START;
				break;
			}
			if (ch == '\r' || ch == '\n') {
				i--;	/* handled as an unquoted line end */
				st = UNQUOTED;
				break;
			}
			rc = ds_err_set(err, DS_EPARSE,
			    "line %d: unexpected character after closing quote",
			    s.line);
			break;
		}
		continue;
toolong:
		rc = ds_err_set(err, s.field.len >= s.lim.max_cell ?
		    DS_ELIMIT : DS_ENOMEM, s.field.len >= s.lim.max_cell ?
		    "line %d: field too long (limit %zu bytes)" : NULL,
		    s.rowline, s.lim.max_cell);
	}
	if (rc == DS_OK && st == QUOTED)
		rc = ds_err_set(err, DS_EPARSE,
		    "line %d: quoted field is never closed", s.rowline);
	if (rc == DS_OK && !empty_line) {
		if ((rc = csv_end_field(&s, err)) == DS_OK)
			rc = csv_end_record(&s, err);
	}
	if (rc == DS_OK && (c = ds_calloc(1, sizeof(*c))) == NULL)
		rc = ds_err_set(err, DS_ENOMEM, NULL);
	ds_buf_reset(&s.field);
	csv_cells_free(s.cells, s.ncells);
	if (rc != DS_OK) {
		if (err != NULL)
			err->line = s.rowline;
		for (j = 0; j < s.nrows; j++)
			csv_cells_free(s.rows[j].cells, s.rows[j].ncells);
		ds_free(s.rows);
		return rc;
	}
	c->rows = s.rows;
	c->nrows = s.nrows;
	*out = c;
	return DS_OK;
}
