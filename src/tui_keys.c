/* doorstep: keys to abstract requests, and the key help table. */
/*
 * Screens never see raw keys (tig's `enum request`).  Every F-key action
 * also has a Ctrl key, for laptops and terminals without F-keys; the
 * help overlay is built from the same table, so the two cannot drift.
 * Ctrl-S and Ctrl-Q arrive because the terminal is in raw mode (no XON/XOFF).
 */
#include "tui_int.h"

#include <curses.h>

#include "i18n.h"

#define CTRL(c)	((c) & 0x1f)

struct keymap {
	int		 fkey;	/* KEY_* or 0 */
	int		 ctrl;	/* control character or 0 */
	enum tui_req	 req;
};

static const struct keymap keymap[] = {
	{ KEY_F(1), CTRL('g'), TUI_REQ_HELP },
	{ KEY_F(2), CTRL('s'), TUI_REQ_SAVE },
	{ KEY_F(3), CTRL('p'), TUI_REQ_PREV },
	{ KEY_PPAGE, 0, TUI_REQ_PREV },
	{ KEY_F(4), CTRL('n'), TUI_REQ_NEXT },
	{ KEY_NPAGE, 0, TUI_REQ_NEXT },
	{ KEY_F(5), CTRL('o'), TUI_REQ_JUMP },
	{ KEY_F(6), CTRL('r'), TUI_REQ_ROSTER },
	{ KEY_F(7), CTRL('e'), TUI_REQ_REVIEW },
	{ KEY_F(8), CTRL('t'), TUI_REQ_LANG },
	{ KEY_F(9), CTRL('y'), TUI_REQ_SYNC },
	{ KEY_F(10), CTRL('x'), TUI_REQ_QUIT },
	{ KEY_F(12), CTRL('w'), TUI_REQ_GPS },
	{ 0, CTRL('c'), TUI_REQ_QUIT },
	{ 0, CTRL('l'), TUI_REQ_REDRAW },
	{ 0, CTRL('u'), TUI_REQ_KILL },
	{ KEY_ENTER, '\r', TUI_REQ_ENTER },
	{ 0, '\n', TUI_REQ_ENTER },
	{ 0, 033, TUI_REQ_CANCEL },
	{ 0, '\t', TUI_REQ_TAB },
	{ KEY_BTAB, 0, TUI_REQ_BTAB },
	{ KEY_LEFT, CTRL('b'), TUI_REQ_LEFT },
	{ KEY_RIGHT, CTRL('f'), TUI_REQ_RIGHT },
	{ KEY_UP, 0, TUI_REQ_UP },
	{ KEY_DOWN, 0, TUI_REQ_DOWN },
	{ KEY_HOME, CTRL('a'), TUI_REQ_HOME },
	{ KEY_END, 0, TUI_REQ_END },
	{ KEY_BACKSPACE, CTRL('h'), TUI_REQ_BACKSPACE },
	{ 0, 0177, TUI_REQ_BACKSPACE },
	{ KEY_DC, CTRL('d'), TUI_REQ_DELETE },
	{ KEY_RESIZE, 0, TUI_REQ_RESIZE },
};

const struct tui_keyhelp tui_keyhelp[] = {
	{ "F1  Ctrl-G  ?", N_("Show this help") },
	{ "Enter", N_("Accept the answer and go to the next question") },
	{ "F2  Ctrl-S", N_("Save the answer and stay") },
	{ "F3  Ctrl-P  PgUp", N_("Previous question") },
	{ "F4  Ctrl-N  PgDn", N_("Next question") },
	{ "F5  Ctrl-O", N_("Outline of the form: jump to a question") },
	{ "F6  Ctrl-R", N_("Roster: members of a repeat") },
	{ "F7  Ctrl-E", N_("Review errors and warnings, finalize") },
	{ "F8  Ctrl-T", N_("Switch language (Chinese / English)") },
	{ "F9  Ctrl-Y", N_("Sync: export or send records") },
	{ "F10 Ctrl-X", N_("Back or quit (answers are already saved)") },
	{ "Esc", N_("Cancel, close a window") },
	{ "Ctrl-U", N_("Clear the field") },
	{ "Ctrl-L", N_("Redraw the screen") },
	{ "1-9  Space", N_("Pick an option; Space ticks in a multiple choice") },
	{ "+  -", N_("Date: one day later or earlier") },
	{ "F12 Ctrl-W", N_("Location: read the GPS receiver") },
	{ NULL, NULL }
};

enum tui_req
tui_req_of(const struct tui_key *k, int texting)
{
	size_t i;

	for (i = 0; i < sizeof(keymap) / sizeof(keymap[0]); i++) {
		if (k->fkey != 0 && keymap[i].fkey == k->fkey)
			return keymap[i].req;
		if (k->fkey == 0 && keymap[i].ctrl != 0 &&
		    (wint_t)keymap[i].ctrl == k->ch)
			return keymap[i].req;
	}
	if (k->fkey != 0 || k->ch < 0x20 || k->ch == 0x7f)
		return TUI_REQ_NONE;
	if (k->ch == L'?' && !texting)
		return TUI_REQ_HELP;
	return TUI_REQ_CHAR;
}
