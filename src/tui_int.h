/* doorstep: TUI internals shared by the tui_*.c files (layer 9: tui). */
#ifndef DS_TUI_INT_H
#define DS_TUI_INT_H

/*
 * The TUI follows ncdu and tig: keys become abstract requests (tui_keys.c),
 * each screen is one file offering init/draw/key, drawing goes through a
 * few helpers into stdscr with one colour table (tui_draw.c), and
 * KEY_RESIZE is handled in one place (tui.c).  The editing logic of the
 * widgets (tui_edit.c, tui_select.c) does not touch curses, so unit tests
 * drive it directly.
 *
 * This header does not include <curses.h>; files that draw include it
 * themselves.
 */
#include <stddef.h>
#include <stdio.h>
#include <wchar.h>

#include "status.h"

struct eng_prompt;

/* ---- requests (tui_keys.c) ---- */

enum tui_req {
	TUI_REQ_NONE,
	TUI_REQ_CHAR,		/* a printable character: ev->ch */
	TUI_REQ_ENTER,
	TUI_REQ_CANCEL,		/* Esc */
	TUI_REQ_LEFT,
	TUI_REQ_RIGHT,
	TUI_REQ_UP,
	TUI_REQ_DOWN,
	TUI_REQ_HOME,
	TUI_REQ_END,
	TUI_REQ_BACKSPACE,
	TUI_REQ_DELETE,
	TUI_REQ_KILL,		/* Ctrl-U: clear the field */
	TUI_REQ_TAB,
	TUI_REQ_BTAB,
	TUI_REQ_HELP,		/* F1, Ctrl-G, ? */
	TUI_REQ_SAVE,		/* F2, Ctrl-S */
	TUI_REQ_PREV,		/* F3, Ctrl-P, PgUp */
	TUI_REQ_NEXT,		/* F4, Ctrl-N, PgDn */
	TUI_REQ_JUMP,		/* F5, Ctrl-O */
	TUI_REQ_ROSTER,		/* F6, Ctrl-R */
	TUI_REQ_REVIEW,		/* F7, Ctrl-E */
	TUI_REQ_LANG,		/* F8, Ctrl-T */
	TUI_REQ_SYNC,		/* F9, Ctrl-Y */
	TUI_REQ_QUIT,		/* F10, Ctrl-X, Ctrl-C */
	TUI_REQ_REDRAW,		/* Ctrl-L */
	TUI_REQ_RESIZE,		/* the terminal changed size */
	TUI_REQ_GPS,		/* F12, Ctrl-W: read the GPS receiver */
	TUI_REQ_COUNT
};

/* One key as read from the keyboard or a script. */
struct tui_key {
	int	 fkey;		/* curses KEY_* code, or 0 for a character */
	wint_t	 ch;		/* the character when fkey == 0 */
};

/*
 * The request for a key.  `texting` is 1 while a text-like widget has the
 * focus: then '?' and letters are characters, not commands.
 */
enum tui_req	 tui_req_of(const struct tui_key *, int texting);

/* One row of the help overlay: keys and what they do (an msgid). */
struct tui_keyhelp {
	const char	*keys;		/* "F1  Ctrl-G  ?" */
	const char	*what;		/* N_("Show this help") */
};
/* NULL-terminated table of every global key, for the help overlay. */
extern const struct tui_keyhelp tui_keyhelp[];

/*
 * Key-script parsing (tui_script.c).  A script is UTF-8 text: characters
 * are typed as they are, newlines are ignored, `#` starts a comment line,
 * and <NAME> is a special key or a command:
 *   <Enter> <Esc> <Tab> <BTab> <Space> <BS> <Del> <Up> <Down> <Left>
 *   <Right> <Home> <End> <PgUp> <PgDn> <F1>..<F12> <C-a>..<C-z> <lt>
 *   <dump PATH>        write the screen as text to PATH
 *   <resize COLSxROWS> change the terminal size
 */
enum tui_step_kind {
	TUI_STEP_KEY,
	TUI_STEP_DUMP,
	TUI_STEP_RESIZE
};

struct tui_step {
	enum tui_step_kind	 kind;
	struct tui_key		 key;
	char			*path;		/* DUMP: owned */
	int			 cols, rows;	/* RESIZE */
};

struct tui_script {
	struct tui_step	*v;
	size_t		 n;
	size_t		 pos;		/* next step */
};

#define TUI_SCRIPT_MAX_BYTES	(1024 * 1024)
#define TUI_SCRIPT_MAX_STEPS	100000

/* Parse text (len bytes) into s; on error s is unchanged and err says
 * where ("script line 3: unknown key <F99>"). */
enum ds_status	 tui_script_parse(struct tui_script *s, const char *text,
		    size_t len, struct ds_err *);
enum ds_status	 tui_script_load(struct tui_script *s, const char *path,
		    struct ds_err *);
void		 tui_script_reset(struct tui_script *);

/* ---- text, number and date input (tui_edit.c, no curses) ---- */

enum tui_edit_kind {
	TUI_EDIT_TEXT,
	TUI_EDIT_INT,
	TUI_EDIT_DEC,
	TUI_EDIT_DATE
};

#define TUI_EDIT_MAX	1000	/* characters in one answer */
#define TUI_NUM_MAX	24	/* characters in a number */

/* Why a key was refused (TUI_EDIT_REJECTED), for the worker. */
enum tui_edit_why {
	TUI_WHY_NONE,
	TUI_WHY_INT,		/* only digits (and a minus first) */
	TUI_WHY_DEC,		/* only digits, one point, a minus first */
	TUI_WHY_POINT,		/* a second decimal point */
	TUI_WHY_MINUS,		/* a minus not at the start */
	TUI_WHY_LONG,		/* the field is full */
	TUI_WHY_DATE,		/* only digits (+ and - step a day) */
	TUI_WHY_YEAR,		/* years 1900 to 2199 */
	TUI_WHY_MONTH,		/* months 01 to 12 */
	TUI_WHY_DAY		/* no such day in that month */
};

struct tui_edit {
	enum tui_edit_kind	 kind;
	wchar_t			 s[TUI_EDIT_MAX + 1];	/* NUL-terminated */
	size_t			 len;
	size_t			 cur;	/* cursor, 0..len */
	size_t			 off;	/* first character shown */
	int			 dirty;	/* changed since init */
	int			 pristine; /* the first character typed
					    * replaces the text */
	int			 thousands; /* draw 35,000 (a number) */
	enum tui_edit_why	 why;	/* of the last refused key */
};

enum tui_edit_res {
	TUI_EDIT_IGNORED,	/* not an editing request */
	TUI_EDIT_CHANGED,	/* text changed */
	TUI_EDIT_MOVED,		/* cursor moved */
	TUI_EDIT_REJECTED	/* the key cannot go into this field */
};

/* Start with `utf8` (may be NULL); invalid bytes are dropped. */
void		 tui_edit_init(struct tui_edit *, enum tui_edit_kind,
		    const char *utf8);
/* A value the worker did not type (a default, an earlier answer of a
 * number or date): the first character typed replaces it, as CSPro does;
 * a move or Backspace edits it instead. */
void		 tui_edit_replace_on_type(struct tui_edit *);
enum tui_edit_res tui_edit_key(struct tui_edit *, enum tui_req, wint_t ch);
/* The text as UTF-8 into out; -1 if it does not fit (out is then ""). */
int		 tui_edit_get(const struct tui_edit *, char *out, size_t n);
/* Display columns of s[from..to) (wcwidth; unprintable counts 1). */
int		 tui_edit_cols(const wchar_t *s, size_t from, size_t to);
/*
 * Scroll so the cursor fits in `width` columns: updates ed->off and
 * returns the cursor's column relative to the field start.
 */
int		 tui_edit_scroll(struct tui_edit *, int width);
/*
 * The number of characters a constraint fixes: it starts with
 * regex(., '^...$') and every part of the pattern has one length
 * ("regex(., '^1[0-9]{10}$')" gives 11); 0 if it fixes none.  A field
 * typed to that length is full (CSPro moves on from a full field).
 */
size_t		 tui_fixed_len(const char *constraint);
/* Date helpers: 1 if s is a real YYYY-MM-DD date (years 1900..2199). */
int		 tui_date_valid(const char *s);
/* Add days to a valid date in place (s holds 11 bytes). */
void		 tui_date_step(char *s, int days);

/* ---- select_one / select_multiple (tui_select.c, no curses) ---- */

struct tui_opt {
	const char	*name;	/* stored value; borrowed */
	const char	*label;	/* shown text; borrowed */
};

#define TUI_SELECT_MAX	100000	/* options in one list */

struct tui_select {
	const struct tui_opt	*opts;	/* borrowed, n entries */
	size_t			 n;
	int			 multi;
	int			 filterable;	/* appearance search/minimal */
	unsigned char		*on;	/* n flags: chosen */
	size_t			*vis;	/* visible option indices */
	size_t			 nvis;
	size_t			 cur;	/* cursor, index into vis */
	size_t			 top;	/* first visible row shown */
	wchar_t			 filter[64];
	size_t			 flen;
	char			 num[8];	/* digits typed so far */
	size_t			 nnum;
};

enum tui_sel_res {
	TUI_SEL_IGNORED,
	TUI_SEL_MOVED,
	TUI_SEL_CHANGED,	/* a choice was toggled or typed */
	TUI_SEL_PICKED,		/* single: an option was picked by number */
	TUI_SEL_CONFIRM,	/* Enter: accept the value */
	TUI_SEL_REJECTED
};

/* opts must outlive the select.  `value` is the current answer (names,
 * space-separated) or NULL. */
enum ds_status	 tui_select_init(struct tui_select *, const struct tui_opt *,
		    size_t n, int multi, int filterable, const char *value);
void		 tui_select_reset(struct tui_select *);
enum tui_sel_res tui_select_key(struct tui_select *, enum tui_req, wint_t);
/* Names of the chosen options, space-separated, in list order; -1 if it
 * does not fit in n bytes. */
int		 tui_select_value(const struct tui_select *, char *out,
		    size_t n);
/* Keep the cursor within `rows` shown rows (updates top). */
void		 tui_select_scroll(struct tui_select *, size_t rows);

/* ---- widget drawing (tui_widget.c) ---- */

/* Draw an input field at (y, x) in w columns; `secret` shows stars.
 * With focus, the terminal cursor is placed in it. */
void	 tui_edit_draw(struct tui_edit *, int y, int x, int w, int focus,
	    int secret);
/* Draw a list in at most `rows` rows; returns the rows used. */
int	 tui_select_draw(struct tui_select *, int y, int x, int w, int rows,
	    int focus);
/* A single choice list as one row of a grid (a table-list screen): its
 * width in columns, and the row drawn at (y, x) in w columns. */
int	 tui_select_row_width(const struct tui_select *);
void	 tui_select_draw_row(struct tui_select *, int y, int x, int w,
	    int focus);

/* ---- drawing helpers (tui_draw.c) ---- */

enum tui_color {
	TUI_C_NORMAL,
	TUI_C_HEADER,		/* header and footer bars */
	TUI_C_TITLE,		/* question labels */
	TUI_C_HINT,
	TUI_C_ERROR,
	TUI_C_WARN,
	TUI_C_OK,
	TUI_C_CURSOR,		/* highlighted row */
	TUI_C_FIELD,		/* input field */
	TUI_C_COUNT
};

#define TUI_MIN_COLS	80
#define TUI_MIN_ROWS	24

/* Set up colours if the terminal has them and NO_COLOR is unset. */
void	 tui_color_init(void);
/* Attribute for a colour-table entry (works without colours). */
int	 tui_attr(enum tui_color);
/*
 * Draw UTF-8 text at (y, x) in at most `w` columns, never splitting a wide
 * character.  Returns the columns used.
 */
int	 tui_put(int y, int x, int w, enum tui_color, const char *utf8);
/* Same for n wide characters. */
int	 tui_putw(int y, int x, int w, enum tui_color, const wchar_t *, size_t);
/* Fill a row from x to x+w-1 with spaces in a colour. */
void	 tui_fill(int y, int x, int w, enum tui_color);
/* Columns that UTF-8 text takes. */
int	 tui_width(const char *utf8);
/*
 * Word-wrap UTF-8 text into `w` columns (breaking at spaces, or between
 * any two characters when one is wide, as CJK has no spaces), skip the
 * first `skip` wrapped lines, draw at most `rows` lines from (y, x).
 * Returns the total number of wrapped lines (drawn or not).
 */
int	 tui_wrap(int y, int x, int w, int rows, int skip, enum tui_color,
	    const char *utf8);

/* Write the screen as UTF-8 text, one line per row, trailing blanks cut. */
enum ds_status	 tui_dump(const char *path, struct ds_err *);

/* ---- screens and the screen stack (tui.c) ---- */

/*
 * Screens talk to each other only through one stack (tig's views, ncdu's
 * pstate): a screen pushes another by id, and the one on top pops itself,
 * handing a result back to the screen below.  No screen calls another
 * screen's functions.  Changes happen at once: a push runs the new
 * screen's init before tui_push returns, a pop runs the popped screen's
 * leave and the lower screen's resume before tui_pop returns, so a stack
 * change is the last thing a handler does.  Popping the bottom screen
 * ends the app.
 */
enum tui_scr {
	TUI_SCR_UNLOCK,		/* passphrase */
	TUI_SCR_LIST,		/* household list */
	TUI_SCR_NEWFORM,	/* choose the form for a new household */
	TUI_SCR_FORM,		/* interview; owns the open interview */
	TUI_SCR_ROSTER,		/* arg: path to return to on Esc, or NULL */
	TUI_SCR_JUMP,		/* outline */
	TUI_SCR_REVIEW,		/* review and finalize */
	TUI_SCR_SYNC,
	TUI_SCR_HELP,		/* overlay */
	TUI_SCR_ASK,		/* overlay; arg: const struct tui_ask * */
	TUI_SCR_DUE,		/* the office's visit list (待访) */
	TUI_SCR_COUNT
};

/* What a popped screen hands to the one below (its resume). */
enum tui_res_kind {
	TUI_RES_BACK,		/* nothing chosen */
	TUI_RES_MOVED,		/* the interview's cursor moved: show it */
	TUI_RES_REQ,		/* carry out `req` (F5 pressed on the roster) */
	TUI_RES_CLOSE,		/* the interview is over: close it */
	TUI_RES_YES,		/* the answer to a tui_ask */
	TUI_RES_NO
};

struct tui_res {
	enum tui_res_kind	 kind;
	enum tui_req		 req;	/* TUI_RES_REQ */
	int			 tag;	/* the pusher's tag (tui_ask, review) */
	enum tui_scr		 from;	/* the screen that popped (set by tui_pop) */
};

/* A yes/no question over the current screen; pops TUI_RES_YES or
 * TUI_RES_NO with `tag`.  The text is copied. */
struct tui_ask {
	const char	*text;
	int		 tag;
	int		 no;	/* Enter means no (a delete) */
};

/* One screen (ncdu pstate, tig view_ops): one file each. */
struct tui_screen {
	const char	*name;
	void		(*init)(const void *arg);	/* pushed */
	void		(*draw)(void);
	void		(*key)(enum tui_req, wint_t);
	int		(*texting)(void);		/* may be NULL: 0 */
	void		(*resume)(const struct tui_res *); /* may be NULL */
	void		(*leave)(void);			/* popped; may be NULL */
	int		 overlay;	/* drawn over the screen below */
};

void	 tui_push(enum tui_scr, const void *arg);
/* Pop the top screen; res NULL means TUI_RES_BACK. */
void	 tui_pop(const struct tui_res *res);
/* Pop the top screen without resuming the one below, then push. */
void	 tui_replace(enum tui_scr, const void *arg);
/* Pop every screen without resuming any, then push (a workspace that
 * must be unlocked again). */
void	 tui_reset(enum tui_scr, const void *arg);
/* Shortcuts: pop with a kind / ask a yes/no question. */
void	 tui_pop_kind(enum tui_res_kind, int tag);
void	 tui_ask(const char *text, int tag, int enter_means_no);

/* For tests: curses on /dev/null at a fixed size, and back. */
enum ds_status	 tui_term_open_null(int cols, int rows, struct ds_err *);
void		 tui_term_close(void);

/* One key through the screens as the main loop does, and one draw pass
 * (tests and benchmarks drive the app with these). */
void	 tui_feed(const struct tui_key *);
void	 tui_draw(void);
/* Work owed once the screen is drawn (tui_app_idle); 1 if some was done
 * (draw again), 0 if none is left.  The main loop calls it before it
 * reads a key. */
int	 tui_idle(void);
/*
 * While a long operation runs inside a key handler (an upload): wait at
 * most wait_ms for a key and return its request (TUI_REQ_NONE if none);
 * a resize is taken care of (the next tui_draw() repaints).  Curses stays
 * single-threaded: the operation calls this from its own callbacks.
 * Scripted and no-display runs only sleep: their keys wait for the loop.
 */
enum tui_req	 tui_poll(int wait_ms);
/* Show the terminal cursor at (y, x) once the screen is drawn. */
void	 tui_cursor_at(int y, int x);
/* Ask the main loop to end after this key. */
void	 tui_quit(void);
/* A one-line message on the status line until the next key. */
void	 tui_status(enum tui_color, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Restore the terminal, print the message, exit(1): broken invariants and
 * out-of-memory only. */
void	 tui_die(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/* Status line text, for the draw pass. */
const char	*tui_status_text(enum tui_color *);

/* ---- the GPS receiver (tui_gps.c) ---- */

#define TUI_GPS_TICK_MS	200	/* how often an open watch is looked at */

/* At a new record's start: listen for a fix for `start-geopoint`. */
void		 tui_gps_start(void);
void		 tui_gps_stop(void);
/* 1 while listening: the main loop wakes every TUI_GPS_TICK_MS. */
int		 tui_gps_pending(void);
/* Between keys: a fix that came is the start location; 1 if one did. */
int		 tui_gps_idle(void);
/*
 * The GPS key: a fix now as geopoint text, the status line saying that
 * it waits (up to GPSD_KEY_MS).  DS_OK, DS_ENOENT (no gpsd, no receiver
 * or no fix in time), DS_ECANCEL (Esc).
 */
enum ds_status	 tui_gps_read(char *out, size_t n);

/* ---- bars shared by the screens (tui_bar.c) ---- */

/* Title bar: `left` and `right` (either may be NULL) on row 0. */
void	 tui_bar_title(const char *left, const char *right);
/* The interview's title bar (form, household, progress, save state) and
 * its section line, for the interview's screens. */
void	 tui_bar_iv(const struct eng_prompt *);
/* Footer bar: the keys of this screen. */
void	 tui_bar_keys(const char *keys);

#endif
