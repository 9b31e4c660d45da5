/* doorstep: terminal set-up, the screen stack, the main loop, resize. */
/*
 * The only place that starts and ends curses, reads keys (from the
 * keyboard or a key script), handles KEY_RESIZE and holds the screen
 * stack.  Each pass of the loop draws the top screen into stdscr (the
 * screen below first when the top one is an overlay: help, a question),
 * then the status line; curses sends only what changed.  Below
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

#define TUI_STACK_MAX	8
#define TUI_NESTING_MAX	16	/* pushes and pops inside one another */

static struct {
	const struct tui_opts	*opts;
	SCREEN			*scr;
	FILE			*null;		/* no_display: in and out */
	struct tui_script	 script;
	int			 scripted;
	enum tui_scr		 stack[TUI_STACK_MAX];
	size_t			 depth;
	int			 nesting;	/* pushes/pops in progress */
	int			 quit;
	char			 status[512];
	enum tui_color		 status_c;
	int			 up;		/* curses is running */
	int			 cy, cx;	/* where the cursor goes, or -1 */
} T;

/* The screens, by id: the only place that names them all. */
extern const struct tui_screen tui_scr_unlock, tui_scr_list,
    tui_scr_newform, tui_scr_form, tui_scr_roster, tui_scr_jump,
    tui_scr_review, tui_scr_sync, tui_scr_help, tui_scr_ask, tui_scr_due;

static const struct tui_screen *const screens[TUI_SCR_COUNT] = {
	[TUI_SCR_UNLOCK] = &tui_scr_unlock,
	[TUI_SCR_LIST] = &tui_scr_list,
	[TUI_SCR_NEWFORM] = &tui_scr_newform,
	[TUI_SCR_FORM] = &tui_scr_form,
	[TUI_SCR_ROSTER] = &tui_scr_roster,
	[TUI_SCR_JUMP] = &tui_scr_jump,
	[TUI_SCR_REVIEW] = &tui_scr_review,
	[TUI_SCR_SYNC] = &tui_scr_sync,
	[TUI_SCR_HELP] = &tui_scr_help,
	[TUI_SCR_ASK] = &tui_scr_ask,
	[TUI_SCR_DUE] = &tui_scr_due,
};

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

	while (T.depth > 0) {
		/* Leave every screen (the interview's frees its widgets);
		 * nothing is resumed. */
		T.depth--;
		if (screens[T.stack[T.depth]]->leave != NULL)
			screens[T.stack[T.depth]]->leave();
	}
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

static const struct tui_screen *
top(void)
{
	return T.depth > 0 ? screens[T.stack[T.depth - 1]] : NULL;
}

/* A screen's handler that pushes or pops in a loop would recurse forever:
 * that is a bug, not input. */
static void
nest(int d)
{
	T.nesting += d;
	if (T.nesting > TUI_NESTING_MAX)
		tui_die("screens push and pop in a loop");
}

void
tui_push(enum tui_scr id, const void *arg)
{
	size_t i;

	if ((int)id < 0 || id >= TUI_SCR_COUNT || T.depth == TUI_STACK_MAX)
		tui_die("screen stack: cannot push %d", (int)id);
	/* Each screen keeps its state in its own file: one copy at most. */
	for (i = 0; i < T.depth; i++)
		if (T.stack[i] == id)
			tui_die("screen %s is already open", screens[id]->name);
	nest(1);
	T.stack[T.depth++] = id;
	if (screens[id]->init != NULL)
		screens[id]->init(arg);
	nest(-1);
}

static void
pop(const struct tui_res *res, int resume)
{
	const struct tui_screen *s;
	struct tui_res r;

	if (T.depth == 0)
		return;
	nest(1);
	s = top();
	r.kind = TUI_RES_BACK;
	r.req = TUI_REQ_NONE;
	r.tag = 0;
	if (res != NULL)
		r = *res;
	r.from = T.stack[T.depth - 1];
	T.depth--;
	if (s->leave != NULL)
		s->leave();
	if (T.depth == 0)
		T.quit = 1;
	else if (resume && top()->resume != NULL)
		top()->resume(&r);
	nest(-1);
}

void
tui_pop(const struct tui_res *res)
{
	pop(res, 1);
}

void
tui_pop_kind(enum tui_res_kind kind, int tag)
{
	struct tui_res r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.tag = tag;
	pop(&r, 1);
}

void
tui_replace(enum tui_scr id, const void *arg)
{
	nest(1);
	pop(NULL, 0);
	T.quit = 0;
	tui_push(id, arg);
	nest(-1);
}

void
tui_reset(enum tui_scr id, const void *arg)
{
	nest(1);
	while (T.depth > 1)
		pop(NULL, 0);
	nest(-1);
	tui_replace(id, arg);
}

void
tui_ask(const char *text, int tag, int enter_means_no)
{
	struct tui_ask a;

	a.text = text;
	a.tag = tag;
	a.no = enter_means_no;
	tui_push(TUI_SCR_ASK, &a);
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
 * The next key (0), none yet (1: time to look at the GPS receiver), or -1
 * at the end of the input.  Script steps that are not
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
		/* Listening to the GPS receiver: wake now and then. */
		if (tui_gps_pending()) {
			timeout(TUI_GPS_TICK_MS);
			r = get_wch(&wc);
			timeout(-1);
			if (r == ERR)
				return 1;
		} else if ((r = get_wch(&wc)) == ERR)
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
draw_status(void)
{
	enum tui_color sc;
	const char *st = tui_status_text(&sc);
	int n;

	if (*st != '\0') {
		/* A long message takes the row above too. */
		n = tui_wrap(0, 0, COLS - 2, 0, 0, sc, st) > 1 ? 2 : 1;
		tui_fill(LINES - 2, 0, COLS, TUI_C_NORMAL);
		if (n == 2)
			tui_fill(LINES - 3, 0, COLS, TUI_C_NORMAL);
		tui_wrap(LINES - 1 - n, 1, COLS - 2, n, 0, sc, st);
	}
}

static void
draw_all(void)
{
	size_t i, base;
	int y;

	erase();
	T.cy = T.cx = -1;
	if (too_small()) {
		(void)curs_set(0);
		/* In the worker's one language, as every message. */
		y = LINES / 2 - 1;
		tui_wrap(y, 0, COLS, 2, 0, TUI_C_ERROR,
		    _("Terminal too small (need 80x24)"));
		tui_wrap(y + 2, 0, COLS, 2, 0, TUI_C_NORMAL,
		    _("Make the window larger."));
		refresh();
		return;
	}
	/* The last full screen, then the overlays above it. */
	base = T.depth;
	while (base > 1 && screens[T.stack[base - 1]]->overlay)
		base--;
	for (i = base; i > 0 && i <= T.depth; i++) {
		if (i == base + 1)
			draw_status();	/* the screen's, under the overlay */
		if (i > base)
			T.cy = -1;
		screens[T.stack[i - 1]]->draw();
	}
	if (base == T.depth)
		draw_status();
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

	texting = top() != NULL && top()->texting != NULL &&
	    top()->texting();
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
	if (req == TUI_REQ_LANG) {
		/* The whole app at once: every screen draws anew. */
		tui_app_lang_toggle();
		return;
	}
	if (req == TUI_REQ_HELP && T.depth > 0 &&
	    T.stack[T.depth - 1] != TUI_SCR_HELP) {
		tui_push(TUI_SCR_HELP, NULL);
		return;
	}
	if (top() != NULL)
		top()->key(req, k->ch);
}

void
tui_draw(void)
{
	draw_all();
}

int
tui_idle(void)
{
	return tui_app_idle();
}

int
tui_run(const struct tui_opts *o)
{
	struct ds_err err;
	struct tui_key k;
	int rc, r;

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
		/* Work owed once the screen shows, before the next key. */
		if (tui_idle())
			continue;
		while ((r = read_key(&k)) > 0 && !tui_idle())
			;
		if (r < 0)
			break;
		if (r == 0)
			tui_feed(&k);
	}
	while (T.depth > 0)
		pop(NULL, 0);
	rc = tui_app_close();
	term_close();
	tui_script_reset(&T.script);
	return rc;
}
