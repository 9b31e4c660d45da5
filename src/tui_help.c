/* doorstep: the help overlay listing every key (F1, Ctrl-G, ?). */
/*
 * An overlay screen: drawn over whatever screen is below it, from the same
 * table the key map uses (tui_keys.c), and under it the worker's settings
 * (A switches moving on after a pick, kept in the workspace).  Up and Down
 * scroll when the list does not fit; any other key closes it.
 */
#include "tui_int.h"

#include <curses.h>

#include "i18n.h"
#include "tui_app.h"

static int top;

static void	help_init(const void *);
static void	help_draw(void);
static void	help_key(enum tui_req, wint_t);

const struct tui_screen tui_scr_help = {
	"help", help_init, help_draw, help_key, NULL, NULL, NULL, 1
};

static void
help_init(const void *arg)
{
	(void)arg;
	top = 0;
}

static void
help_draw(void)
{
	int n, i, y, x, w, h, rows, kw = 18;

	for (n = 0; tui_keyhelp[n].keys != NULL; n++)
		;
	w = COLS - 8 < 76 ? COLS - 8 : 76;
	h = n + 6 < LINES - 2 ? n + 6 : LINES - 2;
	rows = h - 6;
	if (top > n - rows)
		top = n - rows > 0 ? n - rows : 0;
	y = (LINES - h) / 2;
	x = (COLS - w) / 2;
	for (i = 0; i < h; i++)
		tui_fill(y + i, x, w, TUI_C_NORMAL);
	attrset(tui_attr(TUI_C_NORMAL));
	mvhline(y, x, ACS_HLINE, w);
	mvhline(y + h - 1, x, ACS_HLINE, w);
	mvvline(y, x, ACS_VLINE, h);
	mvvline(y, x + w - 1, ACS_VLINE, h);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	tui_put(y, x + 2, w - 4, TUI_C_TITLE, _(" Keys "));
	for (i = 0; i < rows && top + i < n; i++) {
		tui_put(y + 2 + i, x + 2, kw, TUI_C_TITLE,
		    tui_keyhelp[top + i].keys);
		tui_put(y + 2 + i, x + 2 + kw, w - kw - 4, TUI_C_NORMAL,
		    _(tui_keyhelp[top + i].what));
	}
	tui_put(y + h - 3, x + 2, kw, TUI_C_TITLE, "A");
	tui_put(y + h - 3, x + 2 + kw, w - kw - 4, TUI_C_NORMAL,
	    tui_app()->auto_advance ? _("A pick or a full answer moves on: "
	    "on") : _("A pick or a full answer moves on: off"));
	tui_put(y + h - 1, x + 2, w - 4, TUI_C_HINT,
	    _(" A changes the setting; any other key closes this help "));
}

static void
help_key(enum tui_req req, wint_t ch)
{
	if (req == TUI_REQ_CHAR && (ch == L'a' || ch == L'A')) {
		if (tui_app_set_auto_advance(!tui_app()->auto_advance) != 0)
			tui_status(TUI_C_ERROR, "%s", _("The setting could not "
			    "be saved in the workspace; it holds until the app "
			    "ends."));
		return;
	}
	if (req == TUI_REQ_DOWN) {
		top++;
		return;
	}
	if (req == TUI_REQ_UP) {
		if (top > 0)
			top--;
		return;
	}
	tui_pop(NULL);
}
