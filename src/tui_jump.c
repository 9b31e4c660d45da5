/* doorstep: the jump view: the whole form as an outline. */
/*
 * One row per group, repeat item and question of the interview as it
 * stands (repeat items expanded), with a mark: answered, missing, error,
 * open warning, or not relevant.  Enter jumps to a relevant question (or
 * the first question of a group).  Rebuilt each time it opens; labels
 * have their ${} references filled in from each row's own place, and a
 * default the worker has not passed yet is not marked answered.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "eng.h"
#include "i18n.h"
#include "inst.h"
#include "mem.h"
#include "tui_app.h"
#include "tui_iv.h"

#define JUMP_ROWS_MAX	20000

struct row {
	int		 depth;
	char		*label;		/* owned, ${} filled in */
	char		*path;		/* owned; NULL for headers */
	char		 mark;		/* ' ' '*' '!' 'W' '-' */
	int		 header;
	int		 roster;	/* a repeat set: Enter opens its roster */
	size_t		 item;		/* repeat item number, or 0 */
	size_t		 count;		/* roster: its items */
};

static struct {
	struct row	*v;
	size_t		 n;
	size_t		 cur, top;
} J;

static void	jump_init(const void *);
static void	jump_draw(void);
static void	jump_key(enum tui_req, wint_t);
static void	rows_free(void);

const struct tui_screen tui_scr_jump = {
	"jump", jump_init, jump_draw, jump_key, NULL, NULL, rows_free, 0
};

/* Leaving: the rows are rebuilt each time the view opens. */
static void
rows_free(void)
{
	size_t i;

	for (i = 0; i < J.n; i++) {
		ds_free(J.v[i].path);
		ds_free(J.v[i].label);
	}
	ds_free(J.v);
	memset(&J, 0, sizeof(J));
}

static int
shown_type(enum form_type t)
{
	return t != FT_ROOT && !form_type_hidden(t);
}

static int
irrelevant(const struct inst_node *n)
{
	for (; n != NULL; n = n->parent)
		if (n->flags & INST_F_IRRELEVANT)
			return 1;
	return 0;
}

static int
depth_of(const struct inst_node *n)
{
	int d = 0;

	for (n = n->parent; n != NULL; n = n->parent)
		if (n->kind != INST_SET)
			d++;
	return d > 0 ? d - 1 : 0;
}

static void
build(void)
{
	struct eng_issue *iss = NULL;
	const char *lab;
	size_t niss = 0, nerr = 0, cap = 0, i;
	struct inst_node *n;
	char path[ENG_PATH_MAX];
	struct row r, *v;

	rows_free();
	if (eng_issues(tui_iv_eng(), &iss, &niss, &nerr) != DS_OK)
		niss = 0;
	for (n = inst_next(eng_root(tui_iv_eng()), 0); n != NULL &&
	    J.n < JUMP_ROWS_MAX; n = inst_next(n, 0)) {
		memset(&r, 0, sizeof(r));
		if (n->kind != INST_SET && !shown_type(n->def->type))
			continue;
		if (eng_path_fmt(n, path, sizeof(path)) != DS_OK)
			continue;
		r.depth = depth_of(n);
		lab = eng_node_label(tui_iv_eng(), n);
		r.label = ds_strdup(lab != NULL && *lab != '\0' ? lab :
		    n->def->name);
		r.header = n->kind != INST_LEAF;
		r.roster = n->kind == INST_SET;
		r.item = n->kind == INST_ITEM ? n->pos + 1 : 0;
		r.count = n->kind == INST_SET ? n->nitems : 0;
		if (irrelevant(n))
			r.mark = '-';
		else if (n->kind == INST_LEAF) {
			/* a default not yet passed is not an answer */
			r.mark = n->value != NULL &&
			    (n->flags & INST_F_ANSWERED) ? '*' : ' ';
			for (i = 0; i < niss; i++)
				if (strcmp(iss[i].path, path) == 0) {
					r.mark = iss[i].is_error ? '!' : 'W';
					if (iss[i].is_error)
						break;
				}
		}
		r.path = ds_strdup(path);
		if (r.path == NULL || r.label == NULL)
			tui_die("out of memory");
		if (J.n == cap) {
			cap = cap ? cap * 2 : 128;
			v = ds_realloc(J.v, cap * sizeof(*v));
			if (v == NULL)
				tui_die("out of memory");
			J.v = v;
		}
		J.v[J.n++] = r;
	}
	eng_issues_free(iss, niss);
}

static void
jump_init(const void *arg)
{
	const struct eng_prompt *p = tui_iv_prompt();
	size_t i;

	(void)arg;
	build();
	/* Start on the current question. */
	for (i = 0; i < J.n; i++)
		if (J.v[i].path != NULL && strcmp(J.v[i].path, p->path) == 0) {
			J.cur = i;
			break;
		}
}

static void
jump_draw(void)
{
	char line[64];
	size_t i, rows;
	int y = 3, x;
	enum tui_color c;

	tui_bar_iv(tui_iv_prompt());
	tui_put(2, 2, COLS - 4, TUI_C_HINT, _("*  answered   !  error   W  "
	    "warning   -  not asked (skipped)"));
	rows = (size_t)(LINES - 2 - y);
	if (J.cur < J.top)
		J.top = J.cur;
	if (J.cur >= J.top + rows)
		J.top = J.cur - rows + 1;
	for (i = J.top; i < J.n && i < J.top + rows; i++, y++) {
		const struct row *r = &J.v[i];

		c = i == J.cur ? TUI_C_CURSOR : r->mark == '!' ? TUI_C_ERROR :
		    r->mark == 'W' ? TUI_C_WARN : r->mark == '-' ? TUI_C_HINT :
		    r->header ? TUI_C_TITLE : TUI_C_NORMAL;
		if (i == J.cur)
			tui_fill(y, 0, COLS, c);
		line[0] = r->mark ? r->mark : ' ';
		line[1] = '\0';
		tui_put(y, 1, 1, c, line);
		x = 3 + 2 * (r->depth > 10 ? 10 : r->depth);
		if (r->item > 0) {
			snprintf(line, sizeof(line), "%zu. ", r->item);
			x += tui_put(y, x, COLS - x - 1, c, line);
		}
		x += tui_put(y, x, COLS - x - 1, c, r->label);
		if (r->roster) {
			snprintf(line, sizeof(line), _(" (%zu, Enter: roster)"),
			    r->count);
			tui_put(y, x, COLS - x - 1, TUI_C_HINT, line);
		}
	}
	tui_bar_keys(_("Enter Go there  Up/Down Move  Esc Back"));
}

static void
jump_key(enum tui_req req, wint_t ch)
{
	struct ds_err err;
	size_t page = (size_t)(LINES - 5), i;

	(void)ch;
	switch (req) {
	case TUI_REQ_UP:
		if (J.cur > 0)
			J.cur--;
		return;
	case TUI_REQ_DOWN:
		if (J.cur + 1 < J.n)
			J.cur++;
		return;
	case TUI_REQ_PREV:
		J.cur = J.cur > page ? J.cur - page : 0;
		return;
	case TUI_REQ_NEXT:
		J.cur = J.cur + page < J.n ? J.cur + page :
		    (J.n > 0 ? J.n - 1 : 0);
		return;
	case TUI_REQ_HOME:
		J.cur = 0;
		return;
	case TUI_REQ_END:
		J.cur = J.n > 0 ? J.n - 1 : 0;
		return;
	case TUI_REQ_ENTER:
		/* A roster row opens the roster; another header goes to its
		 * first relevant question. */
		for (i = J.cur; i < J.n; i++)
			if ((J.v[i].roster && i == J.cur) ||
			    (!J.v[i].header && J.v[i].mark != '-'))
				break;
		if (i >= J.n || J.v[J.cur].mark == '-') {
			tui_status(TUI_C_WARN, "%s", _("That question is not "
			    "asked because of earlier answers."));
			return;
		}
		if (tui_iv_jump(J.v[i].path, &err) != DS_OK) {
			/* The engine's reason (consent first), in words. */
			tui_status(TUI_C_ERROR, "%s", tui_iv_refusal_code() !=
			    ENG_MSG_NONE ? tui_iv_words(&err) :
			    _("That question cannot be shown now."));
			return;
		}
		tui_pop_kind(TUI_RES_MOVED, 0);
		return;
	case TUI_REQ_CANCEL:
	case TUI_REQ_JUMP:
	case TUI_REQ_QUIT:
		tui_pop(NULL);
		return;
	default:
		return;
	}
}
