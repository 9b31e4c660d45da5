/* doorstep: a workbook as sheets of rows of cells. */
/*
 * Storage and small text helpers shared by the markdown and xlsx readers.
 * Whitespace follows Python's str.strip(), because pyxform strips cells with
 * it and the loader must read every cell exactly as pyxform does.
 */
#include "xls_book.h"

#include <string.h>

#include "mem.h"

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
	struct xls_sheet *ns, *s;
	size_t na;

	if (b->nsheets >= XLS_MAX_SHEETS)
		return NULL;
	if (b->nsheets == b->asheets) {
		na = b->asheets ? b->asheets * 2 : 4;
		if ((ns = ds_realloc(b->sheets, na * sizeof(*ns))) == NULL)
			return NULL;
		b->sheets = ns;
		b->asheets = na;
	}
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
	struct xls_row r, *nr;
	size_t i, na;

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
	if (s->nrows >= XLS_MAX_ROWS) {
		xls_row_free(&r);
		return DS_ELIMIT;
	}
	if (s->nrows == s->arows) {
		na = s->arows ? s->arows * 2 : 16;
		if ((nr = ds_realloc(s->rows, na * sizeof(*nr))) == NULL) {
			xls_row_free(&r);
			return DS_ENOMEM;
		}
		s->rows = nr;
		s->arows = na;
	}
	s->rows[s->nrows++] = r;
	return DS_OK;
}

int
xls_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, need;
	unsigned long cp, min;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf) {
			need = 1;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			need = 2;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			need = 3;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (n - i <= need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

size_t
xls_space_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;

	if (n == 0)
		return 0;
	if (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r') ||
	    (p[0] >= 0x1c && p[0] <= 0x1f))
		return 1;
	if (n >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
		return 2;
	if (n < 3 || (p[0] & 0xf0) != 0xe0 || (p[1] & 0xc0) != 0x80 ||
	    (p[2] & 0xc0) != 0x80)
		return 0;
	cp = ((unsigned long)(p[0] & 0x0f) << 12) |
	    ((unsigned long)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
	if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
	    cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000)
		return 3;
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
