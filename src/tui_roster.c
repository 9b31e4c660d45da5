/* doorstep: the roster view: the items of one repeat as a table. */
/*
 * Shown when the interview reaches a repeat set (EP_REPEAT), or on F6
 * from a question inside a repeat.  Columns are the item's first few
 * questions (name, relationship, age in the household form); a select
 * shows its choice label.  Add, insert and delete go through the engine,
 * which refuses them when repeat_count drives the roster (then the count
 * is shown); delete asks first.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "form.h"
#include "i18n.h"
#include "tui_app.h"
#include "tui_iv.h"

#define COLS_MAX	4

enum { ASK_DELETE = 1 };

static struct {
	size_t		 cur;
	size_t		 top;
	char		 set[ENG_PATH_MAX];
	char		 from[ENG_PATH_MAX];	/* question F6 came from */
	char		 msg[DS_ERR_MSG_MAX];
} R;

static void	roster_init(const void *);
static void	roster_draw(void);
static void	roster_key(enum tui_req, wint_t);
static void	roster_resume(const struct tui_res *);

const struct tui_screen tui_scr_roster = {
	"roster", roster_init, roster_draw, roster_key, NULL, roster_resume,
	NULL, 0
};

/*
 * arg NULL: the interview reached a repeat set.  Else arg is the path of
 * a question inside a roster item (F6): show that roster, and go back
 * to the question on Esc.
 */
static void
roster_init(const void *arg)
{
	const char *from = arg;
	struct ds_err err;
	char set[ENG_PATH_MAX];
	size_t item = 0;

	R.msg[0] = '\0';
	R.from[0] = '\0';
	R.cur = R.top = 0;
	if (from != NULL && tui_iv_repeat_of(from, set, sizeof(set),
	    &item) == 0) {
		if (tui_iv_jump(set, &err) != DS_OK)
			snprintf(R.msg, sizeof(R.msg), "%s",
			    tui_iv_words(&err));
		else {
			snprintf(R.from, sizeof(R.from), "%s", from);
			R.cur = item;
		}
	}
	snprintf(R.set, sizeof(R.set), "%s", tui_iv_prompt()->path);
}

/* Back to the interview, which shows wherever the cursor now is. */
static void
done_moved(void)
{
	tui_pop_kind(TUI_RES_MOVED, 0);
}

/* Let the interview screen carry out a request (outline, review, close). */
static void
hand_down(enum tui_req req)
{
	struct tui_res r;

	memset(&r, 0, sizeof(r));
	r.kind = TUI_RES_REQ;
	r.req = req;
	tui_pop(&r);
}

/* Up to COLS_MAX leaf questions of the repeat to show as columns. */
static size_t
columns(const struct form_node *rep, const struct form_node **out)
{
	size_t i, n = 0;
	const struct form_node *k;

	if (rep == NULL)
		return 0;
	for (i = 0; i < rep->nkids && n < COLS_MAX; i++) {
		k = rep->kids[i];
		switch (k->type) {
		case FT_TEXT:
		case FT_INTEGER:
		case FT_DECIMAL:
		case FT_SELECT_ONE:
		case FT_DATE:
		case FT_CALCULATE:
			if (k->label.v != NULL || k->type != FT_CALCULATE)
				out[n++] = k;
			break;
		default:
			break;
		}
	}
	return n;
}

/* Shown text of an answer: the choice label for a select_one. */
static const char *
shown(const struct form_node *q, const char *v)
{
	const struct form *fm = tui_iv_form();
	const struct form_list *l;
	size_t i;

	if (v == NULL)
		return "";
	if (q->type != FT_SELECT_ONE || q->list < 0)
		return v;
	l = &fm->lists[q->list];
	for (i = 0; i < l->nchoices; i++)
		if (strcmp(l->choices[i].name, v) == 0) {
			const char *t = form_text_get(fm, &l->choices[i].label,
			    tui_iv_lang());

			return t != NULL ? t : v;
		}
	return v;
}

static void
roster_draw(void)
{
	const struct eng_prompt *p = tui_iv_prompt();
	const struct form *fm = tui_iv_form();
	const struct form_node *rep, *cols[COLS_MAX];
	char path[ENG_PATH_MAX + 64], line[160];
	const char *t, *name;
	size_t ncol, i, c, rows;
	int y = 3, x, cw;

	tui_bar_iv(p);
	if (p->kind != EP_REPEAT)
		return;
	name = strrchr(p->path, '/');
	name = name != NULL ? name + 1 : p->path;
	rep = form_find(fm, name);
	ncol = columns(rep, cols);
	t = p->repeat_label != NULL ? p->repeat_label : name;
	if (p->count >= 0)
		snprintf(line, sizeof(line), _("%s: %zu of %ld (the count "
		    "comes from an earlier answer)"), t, p->nitems, p->count);
	else
		snprintf(line, sizeof(line), _("%s: %zu"), t, p->nitems);
	tui_put(y++, 2, COLS - 4, TUI_C_TITLE, line);
	y++;
	cw = ncol > 0 ? (COLS - 10) / (int)ncol : COLS - 10;
	x = 7;
	tui_fill(y, 0, COLS, TUI_C_HEADER);
	tui_put(y, 1, 5, TUI_C_HEADER, "#");
	for (c = 0; c < ncol; c++) {
		t = form_text_get(fm, &cols[c]->label, tui_iv_lang());
		tui_put(y, x + (int)c * cw, cw - 1, TUI_C_HEADER,
		    t != NULL ? t : cols[c]->name);
	}
	y++;
	rows = (size_t)(LINES - 4 - y - 2);
	if (R.cur >= p->nitems && p->nitems > 0)
		R.cur = p->nitems - 1;
	if (R.cur < R.top)
		R.top = R.cur;
	if (R.cur >= R.top + rows)
		R.top = R.cur - rows + 1;
	for (i = R.top; i < p->nitems && i < R.top + rows; i++, y++) {
		enum tui_color col = i == R.cur ? TUI_C_CURSOR : TUI_C_NORMAL;

		if (col == TUI_C_CURSOR)
			tui_fill(y, 0, COLS, col);
		snprintf(line, sizeof(line), "%4zu", i + 1);
		tui_put(y, 1, 5, col, line);
		for (c = 0; c < ncol; c++) {
			snprintf(path, sizeof(path), "%s[%zu]/%s", p->path,
			    i + 1, cols[c]->name);
			tui_put(y, x + (int)c * cw, cw - 1, col,
			    shown(cols[c], eng_value(tui_iv_eng(), path)));
		}
	}
	if (p->nitems == 0)
		tui_put(y++, 2, COLS - 4, TUI_C_HINT, p->count >= 0 ?
		    _("None: the earlier answer gives 0. F4 goes on.") :
		    _("No one yet. Press A to add."));
	if (R.msg[0] != '\0')
		tui_wrap(LINES - 4, 2, COLS - 4, 2, 0, TUI_C_ERROR, R.msg);
	/* A finalized record offers nothing that would change it. */
	tui_bar_keys(tui_iv_finalized() ?
	    _("Enter Open  F4 Next  F3 Back  Esc Back  F10 Close") :
	    p->can_add ?
	    _("Enter Open  A Add  I Insert  D Delete  F4 Next  F3 Back  "
	    "F10 Close") :
	    _("Enter Open  D Delete  F4 Next  F3 Back  F10 Close"));
}

static void
roster_resume(const struct tui_res *res)
{
	struct ds_err err;

	if (res->kind != TUI_RES_YES || res->tag != ASK_DELETE)
		return;
	ds_err_clear(&err);
	if (tui_iv_repeat_remove(R.set, R.cur, &err) == DS_OK)
		tui_status(TUI_C_OK, "%s", _("Deleted."));
	else if (err.code != DS_ENOENT)
		snprintf(R.msg, sizeof(R.msg), "%s", tui_iv_words(&err));
}

static void
roster_key(enum tui_req req, wint_t ch)
{
	const struct eng_prompt *p = tui_iv_prompt();
	char path[ENG_PATH_MAX + 32], q[512], who[256];
	struct ds_err err;
	enum ds_status rc = DS_OK;

	ds_err_clear(&err);
	R.msg[0] = '\0';
	switch (req) {
	case TUI_REQ_UP:
		if (R.cur > 0)
			R.cur--;
		return;
	case TUI_REQ_DOWN:
		if (R.cur + 1 < p->nitems)
			R.cur++;
		return;
	case TUI_REQ_HOME:
		R.cur = 0;
		return;
	case TUI_REQ_END:
		R.cur = p->nitems > 0 ? p->nitems - 1 : 0;
		return;
	case TUI_REQ_ENTER:
		if (p->nitems == 0) {
			rc = tui_iv_repeat_add(R.set, &err);
			break;
		}
		snprintf(path, sizeof(path), "%s[%zu]", R.set, R.cur + 1);
		rc = tui_iv_jump(path, &err);
		break;
	case TUI_REQ_NEXT:
		rc = tui_iv_next(&err);
		break;
	case TUI_REQ_PREV:
		rc = tui_iv_prev(&err);
		break;
	case TUI_REQ_CANCEL:
	case TUI_REQ_ROSTER:
		/* Back to the question F6 came from, else the one before. */
		if (R.from[0] != '\0')
			rc = tui_iv_jump(R.from, &err);
		else
			rc = tui_iv_prev(&err);
		break;
	case TUI_REQ_QUIT:
	case TUI_REQ_JUMP:
	case TUI_REQ_REVIEW:
		hand_down(req);
		return;
	case TUI_REQ_CHAR:
		switch (ch) {
		case L'a':
		case L'A':
			if (tui_iv_finalized())
				return;
			rc = tui_iv_repeat_add(R.set, &err);
			break;
		case L'i':
		case L'I':
			if (tui_iv_finalized())
				return;
			rc = tui_iv_repeat_insert(R.set, R.cur, &err);
			break;
		case L'd':
		case L'D':
			if (p->nitems == 0 || tui_iv_finalized())
				return;
			tui_iv_who_item(R.set, R.cur, who, sizeof(who));
			snprintf(q, sizeof(q), _("Delete %s and all the answers "
			    "about them?"), who);
			tui_ask(q, ASK_DELETE, 1);
			return;
		default:
			if (ch >= L'1' && ch <= L'9' &&
			    (size_t)(ch - L'0') <= p->nitems)
				R.cur = (size_t)(ch - L'1');
			return;
		}
		break;
	default:
		return;
	}
	if (rc == DS_OK) {
		done_moved();
		return;
	}
	if (err.code != DS_ENOENT)
		snprintf(R.msg, sizeof(R.msg), "%s", tui_iv_words(&err));
}
