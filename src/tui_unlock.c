/* doorstep: the unlock screen: worker name and workspace passphrase. */
/*
 * The first screen.  Without a workspace it says how to make one.  The
 * passphrase is typed into a field that shows only stars.
 */
#include "tui_int.h"

#include <curses.h>
#include <string.h>

#include "i18n.h"
#include "tui_app.h"

static void	unlock_draw(void);
static void	unlock_key(enum tui_req, wint_t);

static const struct tui_screen unlock_screen = {
	"unlock", unlock_draw, unlock_key, NULL
};

void
tui_unlock_init(void)
{
	tui_screen_set(&unlock_screen);
}

static void
unlock_draw(void)
{
	struct tui_app *a = tui_app();
	int y = 3;

	tui_fill(0, 0, COLS, TUI_C_HEADER);
	tui_put(0, 1, COLS - 2, TUI_C_HEADER, _("doorstep household survey"));
	if (!a->ws_exists) {
		tui_put(y++, 2, COLS - 4, TUI_C_TITLE,
		    _("No workspace on this computer yet."));
		y++;
		tui_put(y++, 2, COLS - 4, TUI_C_NORMAL, _("Workspace:"));
		tui_put(y++, 4, COLS - 6, TUI_C_NORMAL, a->ws_path);
		y++;
		y += tui_wrap(y, 2, COLS - 4, 4, 0, TUI_C_NORMAL,
		    _("Ask the township office for the office key file, then "
		    "run: doorstep init --office-key FILE --worker NAME"));
	}
	tui_fill(LINES - 1, 0, COLS, TUI_C_HEADER);
	tui_put(LINES - 1, 1, COLS - 2, TUI_C_HEADER,
	    _("F1 Help  F10 Quit"));
}

static void
unlock_key(enum tui_req req, wint_t ch)
{
	(void)ch;
	if (req == TUI_REQ_QUIT || req == TUI_REQ_CANCEL)
		tui_quit();
}
