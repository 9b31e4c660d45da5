/* doorstep: review and finalize: every error and open warning. */
/*
 * Lists what the engine reports before finalizing (eng_issues), each row a
 * jump target.  Finalizing is refused while an error or an unexplained
 * warning remains; a warning is explained on its question (Enter there
 * asks for the reason).  After a refused consent the engine keeps only the
 * consent answers, and this screen says so.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "eng.h"
#include "i18n.h"
#include "tui_app.h"
#include "tui_iv.h"

static struct {
	struct eng_issue	*v;
	size_t			 n, nerr;
	size_t			 cur, top;
	char			 msg[DS_ERR_MSG_MAX];
} V;

static void	review_init(const void *);
static void	review_draw(void);
static void	review_key(enum tui_req, wint_t);
static void	review_leave(void);

const struct tui_screen tui_scr_review = {
	"review", review_init, review_draw, review_key, NULL, NULL,
	review_leave, 0
};

static void
load(void)
{
	eng_issues_free(V.v, V.n);
	V.v = NULL;
	V.n = V.nerr = 0;
	if (eng_issues(tui_iv_eng(), &V.v, &V.n, &V.nerr) != DS_OK)
		tui_die("out of memory");
	if (V.cur >= V.n)
		V.cur = V.n > 0 ? V.n - 1 : 0;
}

static void
review_init(const void *arg)
{
	(void)arg;
	V.cur = V.top = 0;
	V.msg[0] = '\0';
	load();
}

static void
review_leave(void)
{
	eng_issues_free(V.v, V.n);
	V.v = NULL;
	V.n = V.nerr = 0;
}

static void
review_draw(void)
{
	const struct form *fm = tui_iv_form();
	const struct form_node *q;
	const char *label;
	char line[256];
	size_t i, rows;
	int y = 3, consent = eng_consent(tui_iv_eng());
	enum tui_color c;

	tui_bar_iv(tui_iv_prompt());
	if (consent == 2) {
		y += tui_wrap(y, 2, COLS - 4, 3, 0, TUI_C_WARN, _("Consent was "
		    "refused. Finalizing keeps only the refusal; the other "
		    "answers are not kept."));
		y++;
	}
	if (V.n == 0)
		snprintf(line, sizeof(line), "%s", _("No errors and no open "
		    "warnings. Press F to finalize."));
	else
		snprintf(line, sizeof(line), _("%zu errors, %zu warnings to "
		    "explain. Enter goes to the question."), V.nerr,
		    V.n - V.nerr);
	tui_put(y++, 2, COLS - 4, V.nerr > 0 ? TUI_C_ERROR : TUI_C_TITLE,
	    line);
	y++;
	rows = (size_t)(LINES - 4 - y);
	if (V.cur < V.top)
		V.top = V.cur;
	if (V.cur >= V.top + rows)
		V.top = V.cur - rows + 1;
	for (i = V.top; i < V.n && i < V.top + rows; i++, y++) {
		c = i == V.cur ? TUI_C_CURSOR : V.v[i].is_error ?
		    TUI_C_ERROR : TUI_C_WARN;
		if (i == V.cur)
			tui_fill(y, 0, COLS, c);
		q = V.v[i].name != NULL ? form_find(fm, V.v[i].name) : NULL;
		label = q != NULL ? form_text_get(fm, &q->label,
		    tui_iv_lang()) : NULL;
		snprintf(line, sizeof(line), "%s %s: ",
		    V.v[i].is_error ? "!" : "W",
		    label != NULL ? label : V.v[i].path);
		tui_put(y, 1, COLS - 2, c, line);
		tui_put(y, 1 + tui_width(line), COLS - 2 - tui_width(line), c,
		    V.v[i].msg);
	}
	if (V.msg[0] != '\0')
		tui_wrap(LINES - 4, 2, COLS - 4, 2, 0, TUI_C_ERROR, V.msg);
	tui_bar_keys(_("Enter Go to question  F Finalize  Esc Back  "
	    "F10 Close"));
}

static void
review_key(enum tui_req req, wint_t ch)
{
	struct tui_res r;
	struct ds_err err;

	V.msg[0] = '\0';
	switch (req) {
	case TUI_REQ_UP:
		if (V.cur > 0)
			V.cur--;
		return;
	case TUI_REQ_DOWN:
		if (V.cur + 1 < V.n)
			V.cur++;
		return;
	case TUI_REQ_ENTER:
		if (V.n == 0)
			return;
		if (tui_iv_jump(V.v[V.cur].path, &err) != DS_OK) {
			snprintf(V.msg, sizeof(V.msg), "%s", err.msg);
			return;
		}
		tui_pop_kind(TUI_RES_MOVED, 0);
		return;
	case TUI_REQ_CHAR:
		if (ch != L'f' && ch != L'F')
			return;
		if (tui_iv_finalize(&err) != DS_OK) {
			snprintf(V.msg, sizeof(V.msg), "%s", err.msg);
			load();
			return;
		}
		tui_status(TUI_C_OK, "%s", _("Finalized and saved. It will go "
		    "to the office with the next sync."));
		tui_pop_kind(TUI_RES_CLOSE, 0);
		return;
	case TUI_REQ_CANCEL:
	case TUI_REQ_REVIEW:
	case TUI_REQ_PREV:
		tui_pop(NULL);
		return;
	case TUI_REQ_JUMP:
		memset(&r, 0, sizeof(r));
		r.kind = TUI_RES_REQ;
		r.req = TUI_REQ_JUMP;
		tui_pop(&r);
		return;
	case TUI_REQ_QUIT:
		tui_pop_kind(TUI_RES_CLOSE, 0);
		return;
	default:
		return;
	}
}
