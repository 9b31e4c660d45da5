/* doorstep: the app state the TUI screens share (layer 9: tui). */
#ifndef DS_TUI_APP_H
#define DS_TUI_APP_H

#include "status.h"
#include "tui.h"

/*
 * One app per process (curses is global anyway).  tui_app_open() picks the
 * first screen; tui_app_close() closes the workspace and returns the exit
 * status.  Screens reach the shared state through tui_app().
 */
#define TUI_PATH_MAX	4096

struct ws;

struct tui_app {
	const struct tui_opts	*opts;
	struct ws		*ws;		/* open once unlocked */
	char			 worker[128];	/* the worker's name */
	char			 ws_path[TUI_PATH_MAX];	/* workspace dir */
	int			 ws_exists;
	int			 exit_status;
	int			 auto_advance;	/* a pick moves on (setting) */
};

struct tui_app	*tui_app(void);
enum ds_status	 tui_app_open(const struct tui_opts *, struct ds_err *);
int		 tui_app_close(void);
/*
 * Work owed once the screen is drawn: the store's integrity check, which
 * the unlock leaves for after the list shows (ws_open_flags).  A store
 * that fails it is closed and the unlock screen says why.  1 if it did
 * something, else 0.
 */
int		 tui_app_idle(void);
/*
 * The worker's settings, kept in the workspace's plain `tui-settings`
 * file (no personal data): "auto_advance 0|1", on when absent.
 * DOORSTEP_AUTO_ADVANCE=0|1 overrides the file (tests, scripts).
 * tui_app_set_auto_advance writes the file; the setting holds even if
 * that fails (-1: it is lost at exit).
 */
int		 tui_app_set_auto_advance(int on);

/* F8: switch the app's strings and the open form between Chinese and
 * English; every screen shows the new language on its next draw. */
void		 tui_app_lang_toggle(void);

#endif
