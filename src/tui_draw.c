/* doorstep: drawing helpers and the one colour table (ncdu). */
/*
 * Everything is drawn into stdscr through these helpers.  Text arrives as
 * UTF-8 and is drawn as wide characters; a helper never starts a wide
 * character it cannot finish inside its width, so no cell is ever broken.
 * Each colour entry has an attribute that works on a monochrome terminal
 * too; colours are only added on top (NO_COLOR disables them).
 */
#include "tui_int.h"

#include <curses.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "util.h"

struct colour {
	short	 fg, bg;
	int	 mono;		/* attribute without colour */
	int	 extra;		/* attribute added with colour */
};

static const struct colour colours[TUI_C_COUNT] = {
	[TUI_C_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[TUI_C_HEADER] = { COLOR_WHITE, COLOR_BLUE, A_REVERSE, A_BOLD },
	[TUI_C_TITLE] = { -1, -1, A_BOLD, A_BOLD },
	[TUI_C_HINT] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[TUI_C_ERROR] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[TUI_C_WARN] = { COLOR_YELLOW, -1, A_BOLD | A_UNDERLINE, A_BOLD },
	[TUI_C_OK] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[TUI_C_CURSOR] = { COLOR_BLACK, COLOR_CYAN, A_REVERSE, A_NORMAL },
	[TUI_C_FIELD] = { -1, -1, A_UNDERLINE, A_UNDERLINE },
};

static int use_colour;

void
tui_color_init(void)
{
	const char *nc = getenv("NO_COLOR");
	int i;

	use_colour = 0;
	if ((nc != NULL && *nc != '\0') || !has_colors() ||
	    start_color() == ERR)
		return;
	(void)use_default_colors();
	for (i = 1; i < TUI_C_COUNT; i++)
		if (init_pair((short)i, colours[i].fg, colours[i].bg) == ERR)
			return;
	use_colour = 1;
}

int
tui_attr(enum tui_color c)
{
	if ((int)c < 0 || c >= TUI_C_COUNT)
		c = TUI_C_NORMAL;
	if (!use_colour || c == TUI_C_NORMAL)
		return colours[c].mono;
	return (int)COLOR_PAIR((int)c) | colours[c].extra;
}

/* Decode one UTF-8 character; returns bytes used (1 for invalid). */
static size_t
next_wc(const char *s, size_t n, wchar_t *wc)
{
	mbstate_t st;
	size_t k;

	memset(&st, 0, sizeof(st));
	k = mbrtowc(wc, s, n, &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*wc = 0xfffd;
		return 1;
	}
	return k;
}

static int
wc_cols(wchar_t wc)
{
	int w = wcwidth(wc);

	return w < 0 ? 1 : w;
}

int
tui_putw(int y, int x, int w, enum tui_color c, const wchar_t *s, size_t n)
{
	cchar_t cc;
	wchar_t one[2];
	int used = 0, cw, a = tui_attr(c);
	size_t i;

	if (y < 0 || y >= LINES || x < 0 || w <= 0)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	for (i = 0; i < n && s[i] != 0; i++) {
		one[0] = s[i];
		if (wcwidth(one[0]) < 0 || one[0] < 0x20)
			one[0] = L'?';
		one[1] = 0;
		cw = wc_cols(one[0]);
		if (cw == 0)
			continue;	/* combining marks are dropped */
		if (used + cw > w)
			break;
		/* The pair goes in its own argument: setcchar() takes the
		 * colour from there, not from the attributes. */
		setcchar(&cc, one, (attr_t)a & ~A_COLOR,
		    (short)PAIR_NUMBER(a), NULL);
		mvadd_wch(y, x + used, &cc);
		used += cw;
	}
	return used;
}

int
tui_put(int y, int x, int w, enum tui_color c, const char *s)
{
	wchar_t buf[256];
	size_t n = 0, len, k;
	int used = 0;

	if (s == NULL)
		return 0;
	len = strlen(s);
	while (len > 0) {
		n = 0;
		while (len > 0 && n < 256) {
			k = next_wc(s, len, &buf[n++]);
			s += k;
			len -= k;
		}
		used += tui_putw(y, x + used, w - used, c, buf, n);
		if (used >= w)
			break;
	}
	return used;
}

void
tui_fill(int y, int x, int w, enum tui_color c)
{
	int i;

	if (y < 0 || y >= LINES)
		return;
	attrset(tui_attr(c));
	for (i = 0; i < w && x + i < COLS; i++)
		mvaddch(y, x + i, ' ');
	attrset(A_NORMAL);
}

int
tui_width(const char *s)
{
	size_t len = s != NULL ? strlen(s) : 0, k;
	wchar_t wc;
	int w = 0;

	while (len > 0) {
		k = next_wc(s, len, &wc);
		s += k;
		len -= k;
		w += wc_cols(wc);
	}
	return w;
}

/*
 * Word wrap: a line breaks at the last space that fits, or before a wide
 * character, or (for an overlong word) anywhere.  Explicit newlines break.
 */
int
tui_wrap(int y, int x, int w, int rows, int skip, enum tui_color c,
    const char *s)
{
	wchar_t line[1024];
	const char *at[1024];	/* where each character of line starts */
	size_t len = s != NULL ? strlen(s) : 0, k, n, brk;
	int lines = 0, cols, cw, nl;
	wchar_t wc;

	if (w < 1)
		return 0;
	while (len > 0) {
		n = 0;
		cols = 0;
		brk = 0;
		nl = 0;
		/* Collect characters until the line is full. */
		while (len > 0 && n < 1023) {
			k = next_wc(s, len, &wc);
			if (wc == L'\n') {
				s += k;
				len -= k;
				nl = 1;
				break;
			}
			cw = wc_cols(wc);
			if (cols + cw > w) {
				/* Back up to the last break opportunity. */
				if (brk > 0 && brk < n) {
					len += (size_t)(s - at[brk]);
					s = at[brk];
					n = brk;
				}
				break;
			}
			at[n] = s;
			line[n++] = wc;
			cols += cw;
			s += k;
			len -= k;
			if (wc == L' ' || cw == 2)
				brk = n;	/* after a space or any CJK */
		}
		if (lines >= skip && lines - skip < rows)
			tui_putw(y + lines - skip, x, w, c, line, n);
		lines++;
		/* A wrapped line does not start with spaces. */
		while (!nl && len > 0 && *s == ' ') {
			s++;
			len--;
		}
	}
	return lines;
}

/* Line-drawing characters as plain text in dumps: + - | */
static wchar_t
acs_text(wchar_t c)
{
	switch (c) {
	case L'q':
		return L'-';
	case L'x':
		return L'|';
	case L'l': case L'k': case L'm': case L'j': case L'n':
	case L't': case L'u': case L'v': case L'w':
		return L'+';
	default:
		return c;
	}
}

enum ds_status
tui_dump(const char *path, struct ds_err *err)
{
	char *out, mb[MB_LEN_MAX];
	size_t o = 0, cap, last, k;
	cchar_t cc;
	wchar_t wch[CCHARW_MAX + 1];
	attr_t a;
	short pair;
	int y, x, cw;
	mbstate_t st;
	enum ds_status rc;

	cap = (size_t)LINES * ((size_t)COLS * MB_LEN_MAX + 1) + 1;
	if ((out = ds_malloc(cap)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	memset(&st, 0, sizeof(st));
	for (y = 0; y < LINES; y++) {
		last = o;
		for (x = 0; x < COLS; x += cw) {
			cw = 1;
			if (mvin_wch(y, x, &cc) == ERR ||
			    getcchar(&cc, wch, &a, &pair, NULL) == ERR ||
			    wch[0] == 0) {
				out[o++] = ' ';
				continue;
			}
			cw = wc_cols(wch[0]);
			if (cw < 1)
				cw = 1;
			if ((a & A_ALTCHARSET) ||
			    (mvinch(y, x) & A_ALTCHARSET))
				wch[0] = acs_text(wch[0]);
			k = wcrtomb(mb, wch[0], &st);
			if (k == (size_t)-1) {
				mb[0] = '?';
				k = 1;
			}
			memcpy(out + o, mb, k);
			o += k;
			if (wch[0] != L' ')
				last = o;
		}
		o = last;
		out[o++] = '\n';
	}
	/* The screen may show a household's answers. */
	rc = ds_file_write_atomic(path, out, o, 0600, err);
	ds_free(out);
	return rc;
}
