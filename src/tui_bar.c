/* doorstep: the title and footer bars every screen shares. */
/*
 * The bars are drawn here so that no screen borrows another screen's
 * drawing: the title bar (row 0), the interview's title bar with the
 * section line under it, and the footer with the keys of the screen
 * (the last row).
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <time.h>

#include "i18n.h"
#include "tui_iv.h"

void
tui_bar_title(const char *left, const char *right)
{
	int w = right != NULL ? tui_width(right) : 0;

	tui_fill(0, 0, COLS, TUI_C_HEADER);
	if (right != NULL)
		tui_put(0, COLS - w - 1, w, TUI_C_HEADER, right);
	if (left != NULL)
		tui_put(0, 1, COLS - w - 3, TUI_C_HEADER, left);
}

/* Header bar: form, household, progress, save state; then the section. */
void
tui_bar_iv(const struct eng_prompt *p)
{
	char right[128], when[16];
	const char *hh;
	int64_t t;
	time_t tt;
	struct tm tm;
	int s, w, room, hw, x;

	tui_fill(0, 0, COLS, TUI_C_HEADER);
	s = tui_iv_saved(&t);
	if (eng_is_finalized(tui_iv_eng()))
		snprintf(right, sizeof(right), "%zu/%zu  %s", p->answered,
		    p->total, _("Finalized: read-only"));
	else if (s > 0) {
		tt = (time_t)t;
		if (localtime_r(&tt, &tm) != NULL)
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
		else
			when[0] = '\0';
		snprintf(right, sizeof(right), "%zu/%zu  %s %s", p->answered,
		    p->total, _("Saved"), when);
	} else if (s < 0)
		snprintf(right, sizeof(right), "%zu/%zu  %s", p->answered,
		    p->total, _("NOT SAVED"));
	else
		snprintf(right, sizeof(right), "%zu/%zu  %s", p->answered,
		    p->total, _("Nothing to save yet"));
	w = tui_width(right);
	tui_put(0, COLS - w - 1, w, s < 0 ? TUI_C_ERROR : TUI_C_HEADER,
	    right);
	/* Left of the progress: the household first (it tells records
	 * apart), then as much of the form's title as fits. */
	room = COLS - w - 4;
	hh = tui_iv_household();
	hw = *hh != '\0' ? tui_width(hh) + 3 : 0;
	if (hw > room / 2)
		hw = room / 2;
	x = 1 + tui_put(0, 1, room - hw, TUI_C_HEADER, tui_iv_title());
	if (hw > 3) {
		x += tui_put(0, x, 3, TUI_C_HEADER, " | ");
		tui_put(0, x, hw - 3, TUI_C_HEADER, hh);
	}
	tui_put(1, 1, COLS - 2, TUI_C_HINT, p->section);
}

void
tui_bar_keys(const char *keys)
{
	tui_fill(LINES - 1, 0, COLS, TUI_C_HEADER);
	tui_put(LINES - 1, 1, COLS - 2, TUI_C_HEADER, keys);
}
