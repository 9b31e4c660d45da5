/* doorstep: drawing the input widgets of tui_edit.c and tui_select.c. */
/*
 * A text field is one underlined row that scrolls sideways to keep the
 * cursor visible; a list shows as many options as fit, scrolled to keep
 * the highlighted one visible, with a "more" mark when some are hidden.
 * Only the focused widget shows the terminal cursor.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"

/*
 * A number with thousands separators (35,000.5), and where the cursor
 * falls in it; the separators are only drawn, never stored.
 */
static int
draw_thousands(struct tui_edit *ed, int y, int x, int w, int focus,
    enum tui_color c)
{
	wchar_t d[TUI_NUM_MAX * 2 + 2];
	size_t i, n = 0, start, intend;
	int col = -1;

	start = ed->len > 0 && ed->s[0] == L'-' ? 1 : 0;
	for (intend = start; intend < ed->len && ed->s[intend] != L'.';
	    intend++)
		;
	for (i = 0; i < ed->len && n + 2 < sizeof(d) / sizeof(d[0]); i++) {
		if (i > start && i < intend && (intend - i) % 3 == 0)
			d[n++] = L',';
		if (i == ed->cur)
			col = (int)n;
		d[n++] = ed->s[i];
	}
	if (col < 0)
		col = (int)n;
	tui_fill(y, x, w, TUI_C_FIELD);
	tui_putw(y, x, w, c, d, n);
	if (focus && col < w)
		tui_cursor_at(y, x + col);
	return 1;
}

void
tui_edit_draw(struct tui_edit *ed, int y, int x, int w, int focus,
    int secret)
{
	wchar_t stars[TUI_EDIT_MAX + 1];
	const wchar_t *s = ed->s;
	enum tui_color c;
	int col;
	size_t i;

	/* A value that typing replaces shows highlighted, as selected
	 * text does elsewhere. */
	c = ed->pristine && focus ? TUI_C_CURSOR : TUI_C_FIELD;
	if (ed->thousands && !secret && (ed->kind == TUI_EDIT_INT ||
	    ed->kind == TUI_EDIT_DEC) && ed->len <= TUI_NUM_MAX) {
		(void)draw_thousands(ed, y, x, w, focus, c);
		return;
	}
	if (secret) {
		for (i = 0; i < ed->len; i++)
			stars[i] = L'*';
		stars[ed->len] = 0;
		s = stars;
	}
	col = tui_edit_scroll(ed, w);
	tui_fill(y, x, w, TUI_C_FIELD);
	tui_putw(y, x, w, c, s + ed->off, ed->len - ed->off);
	if (focus && col < w)
		tui_cursor_at(y, x + col);
}

int
tui_select_draw(struct tui_select *sel, int y, int x, int w, int rows,
    int focus)
{
	char line[64];
	const struct tui_opt *o;
	enum tui_color c;
	size_t i, shown;
	int used = 0, k, hdr = 0;

	if (rows < 1)
		return 0;
	if (sel->filterable) {
		char f[256];
		mbstate_t st;
		size_t n = 0, j, m;

		memset(&st, 0, sizeof(st));
		for (j = 0; j < sel->flen; j++) {
			m = wcrtomb(f + n, sel->filter[j], &st);
			if (m == (size_t)-1 || n + m + 8 >= sizeof(f))
				break;
			n += m;
		}
		f[n] = '\0';
		k = tui_put(y, x, w, TUI_C_HINT, _("Type to search: "));
		tui_put(y, x + k, w - k, TUI_C_FIELD, f);
		used++;
		hdr = 1;
		if (rows - hdr < 1)
			return used;
	}
	if (sel->nvis == 0) {
		tui_put(y + used, x + 2, w - 2, TUI_C_HINT,
		    _("(no option matches)"));
		return used + 1;
	}
	shown = (size_t)(rows - hdr);
	tui_select_scroll(sel, shown);
	for (i = 0; i < shown && sel->top + i < sel->nvis; i++) {
		size_t vi = sel->top + i;

		o = &sel->opts[sel->vis[vi]];
		if (sel->multi)
			snprintf(line, sizeof(line), "%s%3zu. ",
			    sel->on[sel->vis[vi]] ? "[x]" : "[ ]", vi + 1);
		else
			snprintf(line, sizeof(line), "%s%3zu. ",
			    sel->on[sel->vis[vi]] ? "(*)" : "( )", vi + 1);
		c = focus && vi == sel->cur ? TUI_C_CURSOR : TUI_C_NORMAL;
		if (c == TUI_C_CURSOR)
			tui_fill(y + used, x, w, c);
		k = tui_put(y + used, x, w, c, line);
		tui_put(y + used, x + k, w - k, c,
		    o->label != NULL ? o->label : o->name);
		used++;
	}
	if (sel->top > 0 || sel->top + shown < sel->nvis) {
		snprintf(line, sizeof(line), "%zu-%zu / %zu", sel->top + 1,
		    sel->top + i, sel->nvis);
		tui_put(y + used - 1, x + w - tui_width(line), tui_width(line),
		    TUI_C_HINT, line);
	}
	if (sel->nnum > 0) {
		snprintf(line, sizeof(line), "> %s", sel->num);
		tui_put(y + used, x, w, TUI_C_HINT, line);
		used++;
	}
	return used;
}

/* One option as a grid row shows it: "(*) 1.Yes". */
static int
row_opt(const struct tui_select *sel, size_t vi, char *buf, size_t n)
{
	const struct tui_opt *o = &sel->opts[sel->vis[vi]];

	snprintf(buf, n, "%s %zu.%s", sel->on[sel->vis[vi]] ? "(*)" : "( )",
	    vi + 1, o->label != NULL ? o->label : o->name);
	return tui_width(buf);
}

int
tui_select_row_width(const struct tui_select *sel)
{
	char buf[256];
	size_t i;
	int w = 0;

	for (i = 0; i < sel->nvis; i++)
		w += row_opt(sel, i, buf, sizeof(buf)) + (i > 0 ? 2 : 0);
	return w;
}

void
tui_select_draw_row(struct tui_select *sel, int y, int x, int w, int focus)
{
	char buf[256];
	size_t i;
	int k = 0;

	for (i = 0; i < sel->nvis && k < w; i++) {
		if (i > 0)
			k += 2;
		(void)row_opt(sel, i, buf, sizeof(buf));
		k += tui_put(y, x + k, w - k, focus && i == sel->cur ?
		    TUI_C_CURSOR : TUI_C_NORMAL, buf);
	}
}
