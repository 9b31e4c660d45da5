/* doorstep: a workbook as sheets of rows of cells. */
/*
 * Storage and small text helpers shared by the markdown and xlsx readers.
 * Whitespace follows Python's str.strip(), because pyxform strips cells with
 * it and the loader must read every cell exactly as pyxform does.
 */
#include "xls_book.h"

#include <stdint.h>
#include <string.h>

#include "arr.h"
#include "mem.h"
#include "utf8.h"

struct xls_book *
xls_book_new(void)
{
	return ds_calloc(1, sizeof(struct xls_book));
}

static void
xls_row_free(struct xls_row *r)
{
	size_t i;

	for (i = 0; i < r->ncells; i++)
		ds_free(r->cells[i]);
	ds_free(r->cells);
}

void
xls_book_free(struct xls_book *b)
{
	size_t i, j;

	if (b == NULL)
		return;
	for (i = 0; i < b->nsheets; i++) {
		for (j = 0; j < b->sheets[i].nrows; j++)
			xls_row_free(&b->sheets[i].rows[j]);
		ds_free(b->sheets[i].rows);
		ds_free(b->sheets[i].name);
	}
	ds_free(b->sheets);
	ds_free(b);
}

struct xls_sheet *
xls_book_add_sheet(struct xls_book *b, const char *name, int line)
{
	struct xls_sheet *s;

	if (ds_arr_grow(&b->sheets, &b->asheets, b->nsheets + 1,
	    sizeof(*b->sheets), XLS_MAX_SHEETS) != DS_OK)
		return NULL;
	s = &b->sheets[b->nsheets];
	memset(s, 0, sizeof(*s));
	if ((s->name = ds_strdup(name)) == NULL)
		return NULL;
	s->line = line;
	b->nsheets++;
	return s;
}

enum ds_status
xls_sheet_add_row(struct xls_sheet *s, int line, char **cells, size_t ncells)
{
	struct xls_row r;
	enum ds_status st;
	size_t i;

	r.line = line;
	r.cells = cells;
	r.ncells = ncells;
	for (i = 0; i < ncells; i++)
		if (cells[i] != NULL)
			break;
	if (i == ncells) {
		xls_row_free(&r);
		return DS_OK;
	}
	/* Drop trailing empty cells: they carry no meaning. */
	while (r.ncells > 0 && r.cells[r.ncells - 1] == NULL)
		r.ncells--;
	if ((st = ds_arr_grow(&s->rows, &s->arows, s->nrows + 1,
	    sizeof(*s->rows), XLS_MAX_ROWS)) != DS_OK) {
		xls_row_free(&r);
		return st;
	}
	s->rows[s->nrows++] = r;
	return DS_OK;
}

size_t
xls_space_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t k;

	if (n == 0)
		return 0;
	if (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r') ||
	    (p[0] >= 0x1c && p[0] <= 0x1f))
		return 1;
	if ((k = utf8_decode(s, n, &cp)) < 2)
		return 0;
	if (cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
	    cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000)
		return k;
	return 0;
}

/* Length of the whitespace character that ends at s + n, or 0. */
static size_t
xls_space_len_back(const char *s, size_t n)
{
	size_t k;

	for (k = 1; k <= 3 && k <= n; k++)
		if (xls_space_len(s + n - k, k) == k)
			return k;
	return 0;
}

char *
xls_strip_dup(const char *s, size_t n, int *oom)
{
	size_t k;
	char *r;

	while (n > 0 && (k = xls_space_len(s, n)) > 0) {
		s += k;
		n -= k;
	}
	while (n > 0 && (k = xls_space_len_back(s, n)) > 0)
		n -= k;
	if (n == 0)
		return NULL;
	if ((r = ds_strndup(s, n)) == NULL)
		*oom = 1;
	return r;
}
