/* doorstep: a yes/no question over the current screen. */
/*
 * An overlay screen (tui_ask()): a box with the question and the keys.
 * Y or 1 answers yes, N, 2 or Esc answer no; Enter takes the highlighted
 * answer (yes at first), Left/Right/Up/Down move it.  It pops with
 * TUI_RES_YES or TUI_RES_NO and the asker's tag; nothing else happens
 * here, so the asker decides what the answer does.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"

#define ASK_TEXT_MAX	1024

static struct {
	char	 text[ASK_TEXT_MAX];
	int	 tag;
	int	 no;		/* the highlighted answer is no */
} A;

static void	ask_init(const void *);
static void	ask_draw(void);
static void	ask_key(enum tui_req, wint_t);

const struct tui_screen tui_scr_ask = {
	"ask", ask_init, ask_draw, ask_key, NULL, NULL, NULL, 1
};

static void
ask_init(const void *arg)
{
	const struct tui_ask *a = arg;

	snprintf(A.text, sizeof(A.text), "%s", a->text);
	A.tag = a->tag;
	A.no = a->no;
}

static void
ask_draw(void)
{
	char line[128];
	int w, h, y, x, i, n, k;

	w = COLS - 8 < 70 ? COLS - 8 : 70;
	n = tui_wrap(0, 0, w - 4, 0, 0, TUI_C_NORMAL, A.text);
	if (n > LINES - 8)
		n = LINES - 8;
	h = n + 4;
	y = (LINES - h) / 2;
	x = (COLS - w) / 2;
	for (i = 0; i < h; i++)
		tui_fill(y + i, x, w, TUI_C_NORMAL);
	attrset(tui_attr(TUI_C_TITLE));
	mvhline(y, x, ACS_HLINE, w);
	mvhline(y + h - 1, x, ACS_HLINE, w);
	mvvline(y, x, ACS_VLINE, h);
	mvvline(y, x + w - 1, ACS_VLINE, h);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	attrset(A_NORMAL);
	tui_wrap(y + 1, x + 2, w - 4, n, 0, TUI_C_TITLE, A.text);
	snprintf(line, sizeof(line), " %s ", _("1/Y Yes"));
	k = tui_put(y + n + 2, x + 2, w - 4, A.no ? TUI_C_NORMAL :
	    TUI_C_CURSOR, line);
	snprintf(line, sizeof(line), " %s ", _("2/N No"));
	tui_put(y + n + 2, x + 4 + k, w - 6 - k, A.no ? TUI_C_CURSOR :
	    TUI_C_NORMAL, line);
}

static void
ask_key(enum tui_req req, wint_t ch)
{
	int yes;

	switch (req) {
	case TUI_REQ_LEFT:
	case TUI_REQ_RIGHT:
	case TUI_REQ_UP:
	case TUI_REQ_DOWN:
	case TUI_REQ_TAB:
	case TUI_REQ_BTAB:
		A.no = !A.no;
		return;
	case TUI_REQ_ENTER:
		yes = !A.no;
		break;
	case TUI_REQ_CANCEL:
	case TUI_REQ_QUIT:
		yes = 0;
		break;
	case TUI_REQ_CHAR:
		if (ch == L'y' || ch == L'Y' || ch == L'1')
			yes = 1;
		else if (ch == L'n' || ch == L'N' || ch == L'2')
			yes = 0;
		else
			return;
		break;
	default:
		return;
	}
	tui_pop_kind(yes ? TUI_RES_YES : TUI_RES_NO, A.tag);
}
