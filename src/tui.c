/* doorstep: terminal set-up, the main loop, resize and the die hook. */
/*
 * The only place that starts and ends curses, reads keys (from the
 * keyboard or a key script) and handles KEY_RESIZE.  Each pass of the loop
 * draws the whole current screen into stdscr, then the help overlay if it
 * is open, then the status line; curses sends only what changed.  Below
 * TUI_MIN_COLS x TUI_MIN_ROWS a message replaces the layout, so nothing is
 * ever drawn broken.
 *
 * The terminal is in raw mode (Ctrl-S, Ctrl-Q, Ctrl-C arrive as keys);
 * Esc is told apart from escape sequences within 25 ms.
 */
#include "tui.h"
#include "tui_int.h"

#include <curses.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "tui_app.h"

static struct {
	const struct tui_opts	*opts;
	SCREEN			*scr;
	FILE			*null;		/* no_display: in and out */
	struct tui_script	 script;
	int			 scripted;
	const struct tui_screen	*screen;
	int			 quit;
	char			 status[512];
	enum tui_color		 status_c;
	int			 up;		/* curses is running */
	int			 cy, cx;	/* where the cursor goes, or -1 */
} T;

static enum ds_status	term_open(const struct tui_opts *, struct ds_err *);
static void		term_close(void);
static int		read_key(struct tui_key *);
static void		draw_all(void);
static int		too_small(void);

void
tui_opts_env(struct tui_opts *o)
{
	const char *s;
	int c, r;
	char x;

	s = getenv("DOORSTEP_KEYS");
	o->keys = s != NULL && *s != '\0' ? s : NULL;
	s = getenv("DS_NO_DISPLAY");
	o->no_display = s != NULL && *s != '\0' && *s != '0';
	o->cols = TUI_MIN_COLS;
	o->rows = TUI_MIN_ROWS;
	s = getenv("DOORSTEP_SIZE");
	if (s != NULL && sscanf(s, "%dx%d%c", &c, &r, &x) == 2 && c > 0 &&
	    c <= 1000 && r > 0 && r <= 1000) {
		o->cols = c;
		o->rows = r;
	}
}

static enum ds_status
term_open(const struct tui_opts *o, struct ds_err *err)
{
	const char *term = getenv("TERM");

	if (o->no_display) {
		/* tig's TIG_NO_DISPLAY: a real curses screen on /dev/null. */
		T.null = fopen("/dev/null", "r+");
		if (T.null == NULL)
			return ds_err_set(err, DS_EIO, "cannot open /dev/null");
		T.scr = newterm("xterm", T.null, T.null);
	} else {
		if (term == NULL || *term == '\0')
			return ds_err_set(err, DS_EINVAL, "TERM is not set");
		T.scr = newterm(NULL, stdout, stdin);
	}
	if (T.scr == NULL)
		return ds_err_set(err, DS_EINVAL, "cannot start the terminal "
		    "(TERM=%s)", term != NULL ? term : "");
	set_term(T.scr);
	T.up = 1;
	if (o->no_display)
		resizeterm(o->rows, o->cols);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	(void)curs_set(0);
	tui_color_init();
	return DS_OK;
}

static void
term_close(void)
{
	if (T.up) {
		endwin();
		T.up = 0;
	}
	if (T.scr != NULL) {
		delscreen(T.scr);
		T.scr = NULL;
	}
	if (T.null != NULL)
		fclose(T.null);
	T.null = NULL;
}

enum ds_status
tui_term_open_null(int cols, int rows, struct ds_err *err)
{
	static struct tui_opts o;

	memset(&o, 0, sizeof(o));
	o.no_display = 1;
	o.cols = cols;
	o.rows = rows;
	return term_open(&o, err);
}

void
tui_term_close(void)
{
	term_close();
}

void
tui_die(const char *fmt, ...)
{
	va_list ap;

	tui_app_close();
	term_close();
	fprintf(stderr, "doorstep: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

void
tui_cursor_at(int y, int x)
{
	T.cy = y;
	T.cx = x;
}

void
tui_screen_set(const struct tui_screen *s)
{
	T.screen = s;
}

void
tui_quit(void)
{
	T.quit = 1;
}

void
tui_status(enum tui_color c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(T.status, sizeof(T.status), fmt, ap);
	va_end(ap);
	T.status_c = c;
}

const char *
tui_status_text(enum tui_color *c)
{
	*c = T.status_c;
	return T.status;
}

/*
 * The next key, or -1 at the end of the input.  Script steps that are not
 * keys (dump, resize) are carried out here, after the screen was drawn.
 */
static int
read_key(struct tui_key *k)
{
	struct tui_step *st;
	struct ds_err err;
	wint_t wc;
	int r;

	memset(k, 0, sizeof(*k));
	if (!T.scripted) {
		r = get_wch(&wc);
		if (r == ERR)
			return -1;
		if (r == KEY_CODE_YES)
			k->fkey = (int)wc;
		else
			k->ch = wc;
		return 0;
	}
	while (T.script.pos < T.script.n) {
		st = &T.script.v[T.script.pos++];
		switch (st->kind) {
		case TUI_STEP_KEY:
			*k = st->key;
			return 0;
		case TUI_STEP_DUMP:
			doupdate();
			if (tui_dump(st->path, &err) != DS_OK)
				tui_die("%s", err.msg);
			break;
		case TUI_STEP_RESIZE:
			resizeterm(st->rows, st->cols);
			k->fkey = KEY_RESIZE;
			return 0;
		}
	}
	return -1;
}

enum tui_req
tui_poll(int wait_ms)
{
	struct tui_key k;
	enum tui_req req;
	wint_t wc;
	int r;

	if (wait_ms < 0)
		wait_ms = 0;
	if (!T.up || T.scripted || (T.opts != NULL && T.opts->no_display)) {
		if (wait_ms > 0)
			napms(wait_ms);
		return TUI_REQ_NONE;
	}
	memset(&k, 0, sizeof(k));
	timeout(wait_ms);
	r = get_wch(&wc);
	timeout(-1);
	if (r == ERR)
		return TUI_REQ_NONE;
	if (r == KEY_CODE_YES)
		k.fkey = (int)wc;
	else
		k.ch = wc;
	req = tui_req_of(&k, 0);
	if (req == TUI_REQ_RESIZE || req == TUI_REQ_REDRAW)
		clearok(curscr, TRUE);
	return req;
}

static int
too_small(void)
{
	return COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS;
}

static void
draw_all(void)
{
	const char *m1, *m2;
	enum tui_color sc;
	const char *st;
	int y;

	erase();
	T.cy = T.cx = -1;
	if (too_small()) {
		(void)curs_set(0);
		/* Both languages: the worker may not read the other. */
		m1 = _("Terminal too small (need 80x24)");
		m2 = "终端窗口太小（至少 80x24）";
		y = LINES / 2 - 1;
		tui_put(y, 0, COLS, TUI_C_ERROR, m1);
		if (strcmp(m1, m2) != 0)
			tui_put(y + 1, 0, COLS, TUI_C_ERROR, m2);
		tui_put(y + 2, 0, COLS, TUI_C_NORMAL,
		    _("Make the window larger."));
		refresh();
		return;
	}
	if (T.screen != NULL)
		T.screen->draw();
	st = tui_status_text(&sc);
	if (*st != '\0') {
		tui_fill(LINES - 2, 0, COLS, TUI_C_NORMAL);
		tui_put(LINES - 2, 1, COLS - 2, sc, st);
	}
	if (tui_help_is_open()) {
		T.cy = -1;
		tui_help_draw();
	}
	/* The cursor goes to the focused field last, after every helper
	 * has moved it while drawing. */
	if (T.cy >= 0) {
		move(T.cy, T.cx);
		(void)curs_set(1);
	} else
		(void)curs_set(0);
	refresh();
}

/* One key through the screens: the body of the main loop. */
void
tui_feed(const struct tui_key *k)
{
	enum tui_req req;
	int texting;

	texting = T.screen != NULL && T.screen->texting != NULL &&
	    !tui_help_is_open() && T.screen->texting();
	req = tui_req_of(k, texting);
	if (req == TUI_REQ_RESIZE || req == TUI_REQ_REDRAW) {
		/* The one place a resize is handled: redraw all. */
		clearok(curscr, TRUE);
		return;
	}
	T.status[0] = '\0';
	if (too_small()) {
		if (req == TUI_REQ_QUIT)
			T.quit = 1;
		return;
	}
	if (tui_help_is_open()) {
		tui_help_key(req, k->ch);
		return;
	}
	if (req == TUI_REQ_HELP) {
		tui_help_open();
		return;
	}
	if (T.screen != NULL)
		T.screen->key(req, k->ch);
}

void
tui_draw(void)
{
	draw_all();
}

int
tui_run(const struct tui_opts *o)
{
	struct ds_err err;
	struct tui_key k;
	int rc;

	memset(&T, 0, sizeof(T));
	T.opts = o;
	ds_err_clear(&err);
	if (!i18n_init(NULL))
		fprintf(stderr, "doorstep: warning: the locale is not UTF-8; "
		    "Chinese text may not show\n");
	if (o->keys != NULL) {
		if (tui_script_load(&T.script, o->keys, &err) != DS_OK) {
			fprintf(stderr, "doorstep: %s\n", err.msg);
			return 1;
		}
		T.scripted = 1;
	}
	if (term_open(o, &err) != DS_OK) {
		term_close();
		tui_script_reset(&T.script);
		fprintf(stderr, "doorstep: %s\n", err.msg);
		return 1;
	}
	if (tui_app_open(o, &err) != DS_OK) {
		term_close();
		tui_script_reset(&T.script);
		fprintf(stderr, "doorstep: %s\n", err.msg);
		return 1;
	}
	while (!T.quit) {
		draw_all();
		if (read_key(&k) != 0)
			break;
		tui_feed(&k);
	}
	rc = tui_app_close();
	term_close();
	tui_script_reset(&T.script);
	return rc;
}
