/* doorstep: choose the form for a new household. */
/*
 * Lists the forms installed in the workspace (ws_form_ids, as `doorstep
 * fill` finds them; a new record uses the newest version).  With one form
 * it starts at once.  At most NEWFORM_MAX forms are listed.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "tui_app.h"
#include "tui_iv.h"
#include "ws.h"

#define NEWFORM_MAX	64

static struct {
	char	 ids[NEWFORM_MAX][WS_FORM_TOKEN_MAX + 1];
	size_t	 n, cur;
	char	 msg[DS_ERR_MSG_MAX];
} N;

static void	newform_init(const void *);
static void	newform_draw(void);
static void	newform_key(enum tui_req, wint_t);

const struct tui_screen tui_scr_newform = {
	"newform", newform_init, newform_draw, newform_key, NULL, NULL, NULL,
	0
};

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
start(size_t i)
{
	struct ds_err err;

	ds_err_clear(&err);
	if (tui_iv_new(N.ids[i], &err) != DS_OK) {
		snprintf(N.msg, sizeof(N.msg), "%s", err.msg);
		return;
	}
	/* The interview screen takes this one's place: back from it is
	 * the list. */
	tui_replace(TUI_SCR_FORM, NULL);
}

static void
newform_init(const void *arg)
{
	(void)arg;
	memset(&N, 0, sizeof(N));
	(void)ws_form_ids(tui_app()->ws_path, N.ids, NEWFORM_MAX, &N.n, NULL);
	qsort(N.ids, N.n, sizeof(N.ids[0]), cmp_id);
	if (N.n == 1)
		start(0);
}

static void
newform_draw(void)
{
	char line[160];
	size_t i;
	int y = 3;

	tui_fill(0, 0, COLS, TUI_C_HEADER);
	tui_put(0, 1, COLS - 2, TUI_C_HEADER, _("New household"));
	if (N.n == 0)
		tui_wrap(y, 2, COLS - 4, 4, 0, TUI_C_WARN, _("No form is "
		    "installed in this workspace. Forms come from the township "
		    "office with the visit lists: sync with the office (F9), or "
		    "bring its USB stick and export to it."));
	else
		tui_put(y++, 2, COLS - 4, TUI_C_TITLE, _("Choose the form:"));
	y++;
	for (i = 0; i < N.n && y < LINES - 4; i++, y++) {
		snprintf(line, sizeof(line), "%3zu. %s", i + 1, N.ids[i]);
		if (i == N.cur)
			tui_fill(y, 0, COLS, TUI_C_CURSOR);
		tui_put(y, 2, COLS - 4, i == N.cur ? TUI_C_CURSOR :
		    TUI_C_NORMAL, line);
	}
	if (N.msg[0] != '\0')
		tui_wrap(LINES - 4, 2, COLS - 4, 2, 0, TUI_C_ERROR, N.msg);
	tui_bar_keys(_("Enter Start  Esc Back"));
}

static void
newform_key(enum tui_req req, wint_t ch)
{
	switch (req) {
	case TUI_REQ_UP:
		if (N.cur > 0)
			N.cur--;
		return;
	case TUI_REQ_DOWN:
		if (N.cur + 1 < N.n)
			N.cur++;
		return;
	case TUI_REQ_ENTER:
		if (N.n > 0)
			start(N.cur);
		return;
	case TUI_REQ_CHAR:
		if (ch >= L'1' && ch <= L'9' && (size_t)(ch - L'0') <= N.n)
			start((size_t)(ch - L'1'));
		return;
	case TUI_REQ_CANCEL:
	case TUI_REQ_QUIT:
		tui_pop(NULL);
		return;
	default:
		return;
	}
}
