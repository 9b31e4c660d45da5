/* doorstep: select_one and select_multiple lists without curses. */
/*
 * Options are numbered from 1 in the order shown.  A number picks at once
 * when no longer number could follow (with 12 options, "3" picks but "1"
 * waits for a second digit or Enter).  select_multiple toggles with a
 * number or Space and confirms with Enter.  With appearance search or
 * minimal, other characters filter the list (case-insensitive, on label
 * and name); numbers then refer to the filtered list.
 *
 * Invariants: vis holds nvis indices into opts in list order; cur < nvis
 * unless nvis == 0; on[] has n flags and a single select has at most one.
 */
#include "tui_int.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "mem.h"

static void	refilter(struct tui_select *);
static int	matches(const char *, const wchar_t *, size_t);
static enum tui_sel_res choose(struct tui_select *, size_t idx);

enum ds_status
tui_select_init(struct tui_select *sel, const struct tui_opt *opts, size_t n,
    int multi, int filterable, const char *value)
{
	const char *p, *e;
	size_t i, k;

	memset(sel, 0, sizeof(*sel));
	if (n > TUI_SELECT_MAX)
		return DS_ELIMIT;
	sel->on = ds_calloc(n + 1, 1);
	sel->vis = ds_calloc(n + 1, sizeof(size_t));
	if (sel->on == NULL || sel->vis == NULL) {
		ds_free(sel->on);
		ds_free(sel->vis);
		memset(sel, 0, sizeof(*sel));
		return DS_ENOMEM;
	}
	sel->opts = opts;
	sel->n = n;
	sel->multi = multi;
	sel->filterable = filterable;
	for (p = value; p != NULL && *p != '\0'; p = e) {
		while (*p == ' ')
			p++;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		k = (size_t)(e - p);
		for (i = 0; k > 0 && i < n; i++) {
			if (strlen(opts[i].name) == k &&
			    memcmp(opts[i].name, p, k) == 0) {
				if (!multi)
					memset(sel->on, 0, n);
				sel->on[i] = 1;
			}
		}
	}
	refilter(sel);
	/* Start on the current answer. */
	for (i = 0; i < sel->nvis; i++)
		if (sel->on[sel->vis[i]]) {
			sel->cur = i;
			break;
		}
	return DS_OK;
}

void
tui_select_reset(struct tui_select *sel)
{
	ds_free(sel->on);
	ds_free(sel->vis);
	memset(sel, 0, sizeof(*sel));
}

/* Case-insensitive substring test of the wide filter in UTF-8 text. */
static int
matches(const char *text, const wchar_t *f, size_t flen)
{
	wchar_t w[512];
	mbstate_t st;
	const char *p = text;
	size_t n = 0, i, j, k;
	wchar_t wc;

	if (flen == 0)
		return 1;
	if (text == NULL)
		return 0;
	memset(&st, 0, sizeof(st));
	while (*p != '\0' && n < 511) {
		k = mbrtowc(&wc, p, strlen(p), &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof(st));
			p++;
			continue;
		}
		p += k;
		w[n++] = (wchar_t)towlower((wint_t)wc);
	}
	for (i = 0; i + flen <= n; i++) {
		for (j = 0; j < flen; j++)
			if (w[i + j] != (wchar_t)towlower((wint_t)f[j]))
				break;
		if (j == flen)
			return 1;
	}
	return 0;
}

static void
refilter(struct tui_select *sel)
{
	size_t i;

	sel->nvis = 0;
	for (i = 0; i < sel->n; i++)
		if (matches(sel->opts[i].label, sel->filter, sel->flen) ||
		    matches(sel->opts[i].name, sel->filter, sel->flen))
			sel->vis[sel->nvis++] = i;
	if (sel->cur >= sel->nvis)
		sel->cur = sel->nvis > 0 ? sel->nvis - 1 : 0;
	if (sel->top > sel->cur)
		sel->top = sel->cur;
}

static enum tui_sel_res
choose(struct tui_select *sel, size_t idx)
{
	if (sel->multi) {
		sel->on[idx] = !sel->on[idx];
		return TUI_SEL_CHANGED;
	}
	memset(sel->on, 0, sel->n);
	sel->on[idx] = 1;
	return TUI_SEL_PICKED;
}

enum tui_sel_res
tui_select_key(struct tui_select *sel, enum tui_req req, wint_t ch)
{
	unsigned long k;

	switch (req) {
	case TUI_REQ_CHAR:
		if (ch >= L'0' && ch <= L'9') {
			if (sel->nnum + 1 >= sizeof(sel->num))
				return TUI_SEL_REJECTED;
			sel->num[sel->nnum++] = (char)ch;
			sel->num[sel->nnum] = '\0';
			k = strtoul(sel->num, NULL, 10);
			if (k < 1 || k > sel->nvis) {
				sel->nnum = 0;
				sel->num[0] = '\0';
				return TUI_SEL_REJECTED;
			}
			sel->cur = k - 1;
			if (k * 10 > sel->nvis) {
				sel->nnum = 0;
				sel->num[0] = '\0';
				return choose(sel, sel->vis[k - 1]);
			}
			return TUI_SEL_MOVED;
		}
		if (ch == L' ' && (sel->multi || !sel->filterable ||
		    sel->flen == 0)) {
			if (sel->nvis == 0)
				return TUI_SEL_REJECTED;
			sel->nnum = 0;
			(void)choose(sel, sel->vis[sel->cur]);
			return TUI_SEL_CHANGED;
		}
		if (!sel->filterable || !iswprint(ch) ||
		    sel->flen + 1 >= sizeof(sel->filter) / sizeof(wchar_t))
			return TUI_SEL_REJECTED;
		sel->filter[sel->flen++] = (wchar_t)ch;
		sel->filter[sel->flen] = 0;
		sel->cur = sel->top = 0;
		refilter(sel);
		return TUI_SEL_MOVED;
	case TUI_REQ_BACKSPACE:
		if (sel->nnum > 0) {
			sel->num[--sel->nnum] = '\0';
			return TUI_SEL_MOVED;
		}
		if (sel->flen == 0)
			return TUI_SEL_IGNORED;
		sel->filter[--sel->flen] = 0;
		refilter(sel);
		return TUI_SEL_MOVED;
	case TUI_REQ_CANCEL:
		if (sel->nnum == 0 && sel->flen == 0)
			return TUI_SEL_IGNORED;
		sel->nnum = sel->flen = 0;
		sel->num[0] = '\0';
		sel->filter[0] = 0;
		refilter(sel);
		return TUI_SEL_MOVED;
	case TUI_REQ_UP:
		sel->nnum = 0;
		if (sel->cur == 0)
			return TUI_SEL_IGNORED;
		sel->cur--;
		return TUI_SEL_MOVED;
	case TUI_REQ_DOWN:
		sel->nnum = 0;
		if (sel->cur + 1 >= sel->nvis)
			return TUI_SEL_IGNORED;
		sel->cur++;
		return TUI_SEL_MOVED;
	case TUI_REQ_HOME:
		sel->cur = 0;
		return TUI_SEL_MOVED;
	case TUI_REQ_END:
		sel->cur = sel->nvis > 0 ? sel->nvis - 1 : 0;
		return TUI_SEL_MOVED;
	case TUI_REQ_ENTER:
		if (sel->nnum > 0) {
			k = strtoul(sel->num, NULL, 10);
			sel->nnum = 0;
			sel->num[0] = '\0';
			if (k >= 1 && k <= sel->nvis) {
				sel->cur = k - 1;
				(void)choose(sel, sel->vis[k - 1]);
			}
			return TUI_SEL_CONFIRM;
		}
		/* Enter on a single select takes the highlighted row. */
		if (!sel->multi && sel->nvis > 0)
			(void)choose(sel, sel->vis[sel->cur]);
		return TUI_SEL_CONFIRM;
	default:
		return TUI_SEL_IGNORED;
	}
}

int
tui_select_value(const struct tui_select *sel, char *out, size_t n)
{
	size_t i, o = 0, k;

	if (n == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < sel->n; i++) {
		if (!sel->on[i])
			continue;
		k = strlen(sel->opts[i].name);
		if (o + k + (o > 0) >= n) {
			out[0] = '\0';
			return -1;
		}
		if (o > 0)
			out[o++] = ' ';
		memcpy(out + o, sel->opts[i].name, k);
		o += k;
		out[o] = '\0';
	}
	return 0;
}

void
tui_select_scroll(struct tui_select *sel, size_t rows)
{
	if (rows == 0)
		rows = 1;
	if (sel->cur < sel->top)
		sel->top = sel->cur;
	if (sel->cur >= sel->top + rows)
		sel->top = sel->cur - rows + 1;
}
