/* doorstep: pyxform markdown tables -> sheets of rows. */
/*
 * Line by line, as pyxform's md_to_dict: find the table lines, split them
 * into cells, group rows under sheet names.  Invariants: every stored cell
 * is stripped valid UTF-8 of at most XLS_MAX_CELL bytes, or NULL; rows keep
 * their 1-based line numbers.  This reader knows nothing of XLSForm columns
 * or types; it only reproduces pyxform's table reading and refuses the
 * layouts pyxform would misread.
 */
#include "mdtable.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mem.h"
#include "utf8.h"

struct md_state {
	const char		*file;
	struct form_diags	*diags;
	struct xls_book		*book;
	struct xls_sheet	*sheet;	/* current sheet, NULL before the first */
	int			 oom;
	int			 errors;
	int			 stray_warned;
};

static void	md_diag(struct md_state *, int, int, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static int	md_is_space_only(const char *, size_t);
static size_t	md_skip_space(const char *, size_t);
static int	md_separator_kind(const char *, size_t);
static void	md_line(struct md_state *, const char *, size_t, int);

static void
md_diag(struct md_state *s, int line, int is_error, const char *fmt, ...)
{
	va_list ap;

	if (is_error)
		s->errors++;
	va_start(ap, fmt);
	if (form_diag_vadd(s->diags, s->file, line, NULL, is_error, fmt,
	    ap) != DS_OK)
		s->oom = 1;
	va_end(ap);
}

static size_t
md_skip_space(const char *p, size_t n)
{
	size_t i = 0, k;

	while (i < n && (k = xls_space_len(p + i, n - i)) > 0)
		i += k;
	return i;
}

static int
md_is_space_only(const char *p, size_t n)
{
	return md_skip_space(p, n) == n;
}

/*
 * 0: not a separator; 1: a pyxform separator (only '|' and '-'); 2: a
 * separator pyxform misreads (spaces or ':' besides '|' and '-').
 */
static int
md_separator_kind(const char *p, size_t n)
{
	size_t i;
	int dash = 0, other = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] == '-')
			dash = 1;
		else if (p[i] == ':' || p[i] == ' ' || p[i] == '\t')
			other = 1;
		else if (p[i] != '|')
			return 0;
	}
	if (!other)
		return 1;
	return dash ? 2 : 0;
}

static void
md_line(struct md_state *s, const char *p, size_t n, int line)
{
	const char *inner;
	size_t i, first, last, ninner, start, ncells = 0, k;
	char **cells = NULL, *c;
	enum ds_status rc;

	first = md_skip_space(p, n);
	if (first >= n || p[first] == '#' || p[first] != '|')
		return;
	for (last = n - 1; last > first && p[last] != '|'; last--)
		;
	if (last == first)
		return;
	inner = p + first + 1;
	ninner = last - first - 1;
	switch (md_separator_kind(inner, ninner)) {
	case 1:
		return;
	case 2:
		md_diag(s, line, 1, "separator row with spaces or colons is "
		    "data to pyxform: write |---|---| (no spaces, no colons) "
		    "or leave it out");
		return;
	}
	/* Count cells: unescaped pipes + 1. */
	for (i = 0, k = 1; i < ninner; i++)
		if (inner[i] == '|' && (i == 0 || inner[i - 1] != '\\'))
			k++;
	if (k - 1 > XLS_MAX_COLS) {
		md_diag(s, line, 1, "too many cells in one row (limit %d)",
		    XLS_MAX_COLS);
		return;
	}
	if ((cells = ds_calloc(k, sizeof(*cells))) == NULL) {
		s->oom = 1;
		return;
	}
	for (i = 0, start = 0; i <= ninner; i++) {
		if (i < ninner && (inner[i] != '|' ||
		    (i > 0 && inner[i - 1] == '\\')))
			continue;
		c = xls_strip_dup(inner + start, i - start, &s->oom);
		if (c != NULL) {
			/* pyxform: cell.replace(r"\|", "|") after strip */
			char *r, *w;

			for (r = w = c; *r != '\0'; r++) {
				if (r[0] == '\\' && r[1] == '|')
					continue;
				*w++ = *r;
			}
			*w = '\0';
			if (strlen(c) > XLS_MAX_CELL) {
				ds_free(c);
				c = NULL;
				md_diag(s, line, 1, "cell too long (limit %d "
				    "bytes)", XLS_MAX_CELL);
			}
		}
		cells[ncells++] = c;
		start = i + 1;
	}
	if (s->oom) {
		for (i = 0; i < ncells; i++)
			ds_free(cells[i]);
		ds_free(cells);
		return;
	}
	if (cells[0] != NULL) {
		/* A sheet name: rule 4. */
		for (i = 0; i < s->book->nsheets; i++)
			if (strcasecmp(s->book->sheets[i].name, cells[0]) == 0)
				break;
		if (i < s->book->nsheets) {
			md_diag(s, line, 1, "sheet '%s' appears twice (first "
			    "at line %d)", cells[0], s->book->sheets[i].line);
			s->sheet = NULL;
		} else if ((s->sheet = xls_book_add_sheet(s->book, cells[0],
		    line)) == NULL) {
			if (s->book->nsheets >= XLS_MAX_SHEETS)
				md_diag(s, line, 1, "too many sheets (limit "
				    "%d)", XLS_MAX_SHEETS);
			else
				s->oom = 1;
		}
	} else if (s->sheet == NULL && s->book->nsheets == 0) {
		for (i = 1; i < ncells && cells[i] == NULL; i++)
			;
		if (i < ncells && !s->stray_warned) {
			s->stray_warned = 1;
			md_diag(s, line, 0, "table row before the first "
			    "sheet name is ignored: start the table with a "
			    "sheet name such as | survey |");
		}
	}
	ds_free(cells[0]);
	if (s->sheet == NULL) {
		for (i = 1; i < ncells; i++)
			ds_free(cells[i]);
		ds_free(cells);
		return;
	}
	memmove(cells, cells + 1, (ncells - 1) * sizeof(*cells));
	rc = xls_sheet_add_row(s->sheet, line, cells, ncells - 1);
	if (rc == DS_ENOMEM)
		s->oom = 1;
	else if (rc == DS_ELIMIT)
		md_diag(s, line, 1, "too many rows in sheet '%s' (limit %d)",
		    s->sheet->name, XLS_MAX_ROWS);
}

enum ds_status
mdtable_parse(const char *text, size_t len, const char *file,
    struct xls_book **out, struct form_diags *diags)
{
	struct md_state s;
	size_t i, start;
	int line = 1;
	size_t nerr0 = diags->nerrors;

	memset(&s, 0, sizeof(s));
	s.file = file;
	s.diags = diags;
	if (len > XLS_MAX_FILE) {
		md_diag(&s, 0, 1, "form file too large (%zu bytes, limit %u)",
		    len, XLS_MAX_FILE);
		return s.oom ? DS_ENOMEM : DS_ELIMIT;
	}
	if (memchr(text, '\0', len) != NULL) {
		for (i = 0; text[i] != '\0'; i++)
			if (text[i] == '\n')
				line++;
		md_diag(&s, line, 1, "NUL byte in a text file");
		return s.oom ? DS_ENOMEM : DS_EPARSE;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		md_diag(&s, 1, 1, "file starts with a byte order mark, which "
		    "makes pyxform skip the first line: save it as UTF-8 "
		    "without BOM");
		return s.oom ? DS_ENOMEM : DS_EPARSE;
	}
	if ((s.book = xls_book_new()) == NULL)
		return DS_ENOMEM;
	for (i = 0, start = 0; i <= len && !s.oom; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (!utf8_valid(text + start, i - start, 0))
			md_diag(&s, line, 1, "invalid UTF-8");
		else if (!md_is_space_only(text + start, i - start))
			md_line(&s, text + start, i - start, line);
		line++;
		start = i + 1;
		if (s.errors > 200) {
			md_diag(&s, line, 1, "too many errors, stopping");
			break;
		}
	}
	if (s.oom || diags->nerrors > nerr0 || s.errors > 0) {
		xls_book_free(s.book);
		return s.oom ? DS_ENOMEM : DS_EPARSE;
	}
	*out = s.book;
	return DS_OK;
}
