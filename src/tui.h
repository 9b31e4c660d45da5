/* doorstep: the field app's terminal UI, entry point (layer 9: tui). */
#ifndef DS_TUI_H
#define DS_TUI_H

/*
 * `doorstep` with no command runs tui_run().  The TUI is the only code that
 * includes <curses.h>; it draws the engine's view model and turns keys into
 * engine actions.  Everything below it is headless.
 *
 * Test hooks (documented in docs/tui.md):
 *   DOORSTEP_KEYS=FILE   read keys from a script instead of the keyboard;
 *                        the script can dump the screen as text and resize
 *   DS_NO_DISPLAY=1      draw into /dev/null (with DOORSTEP_KEYS)
 *   DOORSTEP_SIZE=CxR    terminal size under DS_NO_DISPLAY (default 80x24)
 */

struct tui_opts {
	const char	*workspace;	  /* NULL: the default workspace */
	const char	*passphrase_file; /* NULL: ask on the unlock screen */
	const char	*keys;		  /* key script, or NULL */
	int		 no_display;	  /* draw into /dev/null */
	int		 cols, rows;	  /* size when no_display */
};

/*
 * Fill opts from the environment (DOORSTEP_KEYS, DS_NO_DISPLAY,
 * DOORSTEP_SIZE); workspace and passphrase_file are left as they are.
 */
void	 tui_opts_env(struct tui_opts *);

/*
 * Run the app until the worker quits.  Returns a process exit status:
 * 0 normal end, 1 failure (a message has been printed to stderr after the
 * terminal was restored).
 */
int	 tui_run(const struct tui_opts *);

#endif
