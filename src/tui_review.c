/* doorstep: review and finalize: every error and open warning. */
/*
 * Lists what the engine reports before finalizing (eng_issues), each row a
 * jump target naming the member it is about, the question, and the
 * engine's note worded with the facts behind it, wrapped.  Finalizing
 * asks first, and is refused while an error or an unexplained warning
 * remains; a warning is explained on its question (Enter there asks for
 * the reason).  After a refused consent the engine keeps only the consent
 * answers, and this screen says so.  A finalized record shows only that.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "eng.h"
#include "i18n.h"
#include "i18n_eng.h"
#include "tui_app.h"
#include "tui_iv.h"

static struct {
	struct eng_issue	*v;
	size_t			 n, nerr;
	size_t			 cur, top;
	char			 msg[DS_ERR_MSG_MAX];
} V;

enum { ASK_FINALIZE = 1 };

static void	review_init(const void *);
static void	review_draw(void);
static void	review_key(enum tui_req, wint_t);
static void	review_resume(const struct tui_res *);
static void	review_leave(void);

const struct tui_screen tui_scr_review = {
	"review", review_init, review_draw, review_key, NULL, review_resume,
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

/* One issue as the worker reads it: who, which question, what. */
static const char *
row_text(size_t i, char *buf, size_t n)
{
	static char words[DS_ERR_MSG_MAX * 2];
	const struct eng_issue *v = &V.v[i];
	const char *label = eng_path_label(tui_iv_eng(), v->path);
	char who[256];

	tui_iv_who(v->path, who, sizeof(who));
	snprintf(buf, n, "%s %s%s%s: %s", v->is_error ? "!" : "W", who,
	    who[0] != '\0' ? " " : "", label != NULL && *label != '\0' ?
	    label : v->path, i18n_note(&v->note, words, sizeof(words)));
	return buf;
}

static void
review_draw(void)
{
	char line[DS_ERR_MSG_MAX * 3];
	size_t i;
	int y = 3, h, bottom = LINES - 3, consent = eng_consent(tui_iv_eng());
	enum tui_color c;

	tui_bar_iv(tui_iv_prompt());
	if (tui_iv_finalized()) {
		tui_wrap(y, 2, COLS - 4, 3, 0, TUI_C_OK, _("This household is "
		    "finalized: nothing can be changed. It goes to the office "
		    "with the next sync."));
		tui_bar_keys(_("Esc Back  F10 Close"));
		return;
	}
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
	y += tui_wrap(y, 2, COLS - 4, 2, 0, V.nerr > 0 ? TUI_C_ERROR :
	    TUI_C_TITLE, line);
	y++;
	/* Rows wrap: scroll by whole issues so the current one shows. */
	if (V.cur < V.top)
		V.top = V.cur;
	for (;;) {
		for (i = V.top, h = 0; i <= V.cur && i < V.n; i++)
			h += tui_wrap(0, 0, COLS - 4, 0, 0, TUI_C_NORMAL,
			    row_text(i, line, sizeof(line)));
		if (h <= bottom - y || V.top >= V.cur)
			break;
		V.top++;
	}
	for (i = V.top; i < V.n && y < bottom; i++) {
		c = i == V.cur ? TUI_C_CURSOR : V.v[i].is_error ?
		    TUI_C_ERROR : TUI_C_WARN;
		row_text(i, line, sizeof(line));
		h = tui_wrap(0, 0, COLS - 4, 0, 0, c, line);
		if (h > bottom - y)
			h = bottom - y;
		if (i == V.cur)
			for (int k = 0; k < h; k++)
				tui_fill(y + k, 0, COLS, c);
		y += tui_wrap(y, 2, COLS - 4, h, 0, c, line);
	}
	if (V.msg[0] != '\0')
		tui_wrap(LINES - 3, 2, COLS - 4, 1, 0, TUI_C_ERROR, V.msg);
	tui_bar_keys(_("Enter Go to question  F Finalize  Esc Back  "
	    "F10 Close"));
}

static void
review_resume(const struct tui_res *res)
{
	struct ds_err err;

	if (res->tag != ASK_FINALIZE || res->kind != TUI_RES_YES)
		return;
	ds_err_clear(&err);
	if (tui_iv_finalize(&err) != DS_OK) {
		snprintf(V.msg, sizeof(V.msg), "%s", tui_iv_words(&err));
		load();
		return;
	}
	tui_status(TUI_C_OK, "%s", _("Finalized and saved. It will go to the "
	    "office with the next sync."));
	tui_pop_kind(TUI_RES_CLOSE, 0);
}

static void
review_key(enum tui_req req, wint_t ch)
{
	struct tui_res r;
	struct ds_err err;

	V.msg[0] = '\0';
	ds_err_clear(&err);
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
		if (V.n == 0 || tui_iv_finalized())
			return;
		if (tui_iv_jump(V.v[V.cur].path, &err) != DS_OK) {
			snprintf(V.msg, sizeof(V.msg), "%s",
			    tui_iv_words(&err));
			return;
		}
		tui_pop_kind(TUI_RES_MOVED, 0);
		return;
	case TUI_REQ_CHAR:
		if ((ch != L'f' && ch != L'F') || tui_iv_finalized())
			return;
		if (V.nerr > 0 || V.n > 0) {
			snprintf(V.msg, sizeof(V.msg), _("%zu errors and %zu "
			    "warnings without a reason remain: finalizing "
			    "waits until each is fixed or explained."), V.nerr,
			    V.n - V.nerr);
			return;
		}
		tui_ask(_("Finalize this household? After this the answers "
		    "cannot be changed on this laptop."), ASK_FINALIZE, 0);
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
