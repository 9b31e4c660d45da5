/* doorstep: the interview screen: one question (or field-list) at a time. */
/*
 * Draws the engine's prompt and turns requests into engine actions through
 * the session (tui_iv.h), which saves after every accepted answer.  Nothing
 * here decides what is valid: the widgets only refuse keys that can never
 * be right, and the engine's message is shown under the widget when it
 * refuses an answer; the worker stays on the question.
 *
 * Widgets are rebuilt from the prompt after every action, because the
 * prompt's strings are borrowed only until the next engine call; option
 * texts are copied.  A rebuild on the same question keeps the list cursor
 * and filter (a language switch must not lose the worker's place).
 *
 * Long labels (the consent letter) scroll with PgUp/PgDn before those keys
 * move between questions.  A failing warning asks for a typed reason; Esc
 * goes back to change the answer instead.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "mem.h"
#include "tui_app.h"
#include "tui_iv.h"

#define FL_MAX		32	/* fields shown on one field-list screen */
#define VALUE_MAX	(TUI_EDIT_MAX * 4 + 1)

enum fkind {
	FK_NONE,		/* note, read-only, calculate: text only */
	FK_EDIT,
	FK_SELECT
};

struct fld {
	enum fkind	 kind;
	char		 path[ENG_PATH_MAX];
	struct tui_edit	 ed;
	struct tui_select sel;
	struct tui_opt	*opts;		/* copies, owned */
	size_t		 nopts;
	int		 quick;
};

static struct {
	struct fld	 f[FL_MAX];
	size_t		 n;
	size_t		 focus;
	char		 path[ENG_PATH_MAX];	/* prompt the widgets are for */
	int		 kind;			/* its eng_prompt_kind */
	int		 skip;			/* label lines scrolled away */
	int		 label_more;		/* label has lines below */
	char		 msg[DS_ERR_MSG_MAX];
	enum tui_color	 msgc;
	int		 reasoning;		/* typing a warning reason */
	struct tui_edit	 reason;
	char		 reason_path[ENG_PATH_MAX];
} F;

static void	form_init(const void *);
static void	form_draw(void);
static void	form_key(enum tui_req, wint_t);
static int	form_texting(void);
static void	form_resume(const struct tui_res *);
static void	form_leave(void);
static void	rebuild(int keep);
static void	fld_free(struct fld *);
static int	fld_value(struct fld *, char *, size_t);
static int	accept(int advance);
static void	show_err(const struct ds_err *);
static void	after_move(void);

/*
 * The interview screen owns the open interview (tui_iv): whoever pushes
 * it has opened one, and popping it closes it.  The roster, the outline
 * and the review are pushed over it and hand back what happened.
 */
const struct tui_screen tui_scr_form = {
	"form", form_init, form_draw, form_key, form_texting, form_resume,
	form_leave, 0
};

static void
form_init(const void *arg)
{
	(void)arg;
	memset(F.path, 0, sizeof(F.path));
	F.n = 0;
	F.msg[0] = '\0';
	F.reasoning = 0;
	rebuild(0);
	after_move();
}

static void
form_leave(void)
{
	size_t i;

	for (i = 0; i < F.n; i++)
		fld_free(&F.f[i]);
	F.n = 0;
	tui_iv_close();
}

/* Back from the roster, the outline or the review. */
static void
form_resume(const struct tui_res *res)
{
	struct ds_err err;

	F.msg[0] = '\0';
	F.reasoning = 0;
	switch (res->kind) {
	case TUI_RES_CLOSE:
		tui_pop(NULL);
		return;
	case TUI_RES_REQ:
		rebuild(0);
		form_key(res->req, 0);
		return;
	default:
		break;
	}
	/* Back from the review at the end means the last question (else
	 * the review would open again at once). */
	if (res->kind == TUI_RES_BACK && res->from == TUI_SCR_REVIEW &&
	    tui_iv_prompt()->kind == EP_END)
		(void)tui_iv_prev(&err);
	rebuild(0);
	after_move();
}

static void
fld_free(struct fld *f)
{
	size_t i;

	if (f->kind == FK_SELECT)
		tui_select_reset(&f->sel);
	for (i = 0; i < f->nopts; i++) {
		ds_free((char *)(uintptr_t)f->opts[i].name);
		ds_free((char *)(uintptr_t)f->opts[i].label);
	}
	ds_free(f->opts);
	memset(f, 0, sizeof(*f));
}

static enum tui_edit_kind
edit_kind(enum form_type t)
{
	switch (t) {
	case FT_INTEGER:
		return TUI_EDIT_INT;
	case FT_DECIMAL:
		return TUI_EDIT_DEC;
	case FT_DATE:
		return TUI_EDIT_DATE;
	default:
		return TUI_EDIT_TEXT;
	}
}

/* Build one field's widget from the prompt. */
static void
fld_build(struct fld *f, const struct eng_field *ef, const struct fld *old)
{
	static const char ack_name[] = "OK";
	size_t i;
	int multi, filt;

	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", ef->path);
	if (ef->readonly || ef->type == FT_NOTE || ef->type == FT_CALCULATE) {
		f->kind = FK_NONE;
		return;
	}
	if (ef->type == FT_SELECT_ONE || ef->type == FT_SELECT_MULTIPLE ||
	    ef->type == FT_ACKNOWLEDGE) {
		f->kind = FK_SELECT;
		f->nopts = ef->type == FT_ACKNOWLEDGE ? 1 : ef->nchoices;
		f->opts = ds_calloc(f->nopts + 1, sizeof(*f->opts));
		if (f->opts == NULL)
			tui_die("out of memory");
		for (i = 0; i < f->nopts; i++) {
			const char *n = ef->type == FT_ACKNOWLEDGE ? ack_name :
			    ef->choices[i].name;
			const char *l = ef->type == FT_ACKNOWLEDGE ?
			    _("OK, acknowledged") : ef->choices[i].label;

			f->opts[i].name = ds_strdup(n);
			f->opts[i].label = ds_strdup(l != NULL ? l : n);
			if (f->opts[i].name == NULL || f->opts[i].label == NULL)
				tui_die("out of memory");
		}
		multi = ef->type == FT_SELECT_MULTIPLE;
		filt = ef->appearance != NULL &&
		    (strstr(ef->appearance, "search") != NULL ||
		    strstr(ef->appearance, "minimal") != NULL ||
		    strstr(ef->appearance, "autocomplete") != NULL);
		f->quick = ef->appearance != NULL &&
		    strstr(ef->appearance, "quick") != NULL;
		if (tui_select_init(&f->sel, f->opts, f->nopts, multi, filt,
		    ef->value) != DS_OK) {
			/* Too long to list: the worker types the choice's
			 * name and the engine checks it. */
			for (i = 0; i < f->nopts; i++) {
				ds_free((char *)(uintptr_t)f->opts[i].name);
				ds_free((char *)(uintptr_t)f->opts[i].label);
			}
			ds_free(f->opts);
			f->opts = NULL;
			f->nopts = 0;
			f->kind = FK_EDIT;
			tui_edit_init(&f->ed, TUI_EDIT_TEXT, ef->value);
			return;
		}
		if (old != NULL && old->kind == FK_SELECT &&
		    old->sel.nvis > 0) {
			/* Same question again: keep the worker's place. */
			memcpy(f->sel.filter, old->sel.filter,
			    sizeof(f->sel.filter));
			f->sel.flen = old->sel.flen;
			(void)tui_select_key(&f->sel, TUI_REQ_NONE, 0);
			if (old->sel.cur < f->sel.nvis)
				f->sel.cur = old->sel.cur;
		}
		return;
	}
	f->kind = FK_EDIT;
	tui_edit_init(&f->ed, edit_kind(ef->type), ef->value);
}

/*
 * Rebuild the widgets for the current prompt.  keep: the prompt is the
 * same question and unsaved typing should survive (language switch).
 */
static void
rebuild(int keep)
{
	const struct eng_prompt *p = tui_iv_prompt();
	static struct fld old[FL_MAX];
	size_t i, n_old = F.n;
	int same;

	same = keep && strcmp(F.path, p->path) == 0 &&
	    F.kind == (int)p->kind && F.n == (p->nfields < FL_MAX ?
	    p->nfields : FL_MAX);
	memcpy(old, F.f, sizeof(old));
	F.n = p->nfields < FL_MAX ? p->nfields : FL_MAX;
	if (p->kind != EP_QUESTION && p->kind != EP_FIELDLIST)
		F.n = 0;
	for (i = 0; i < F.n; i++) {
		fld_build(&F.f[i], &p->fields[i], same ? &old[i] : NULL);
		if (same && old[i].kind == FK_EDIT && F.f[i].kind == FK_EDIT &&
		    old[i].ed.dirty)
			F.f[i].ed = old[i].ed;
	}
	for (i = 0; i < n_old; i++)
		fld_free(&old[i]);
	/* A new screen starts at its first answerable field; the same
	 * screen after a save keeps the worker's field. */
	if (strcmp(F.path, p->path) != 0 || F.kind != (int)p->kind) {
		F.focus = 0;
		F.skip = 0;
		/* Start on the first field that takes an answer. */
		for (i = 0; i < F.n; i++)
			if (F.f[i].kind != FK_NONE) {
				F.focus = i;
				break;
			}
	}
	if (F.focus >= F.n)
		F.focus = F.n > 0 ? F.n - 1 : 0;
	snprintf(F.path, sizeof(F.path), "%s", p->path);
	F.kind = (int)p->kind;
}

/* Where the interview went: other prompt kinds have their own screens. */
static void
after_move(void)
{
	const struct eng_prompt *p = tui_iv_prompt();

	if (p->kind == EP_REPEAT)
		tui_push(TUI_SCR_ROSTER, NULL);
	else if (p->kind == EP_END)
		tui_push(TUI_SCR_REVIEW, NULL);
}

static int
fld_value(struct fld *f, char *out, size_t n)
{
	if (f->kind == FK_EDIT)
		return tui_edit_get(&f->ed, out, n);
	if (f->kind == FK_SELECT)
		return tui_select_value(&f->sel, out, n);
	return -1;
}

static void
show_err(const struct ds_err *err)
{
	snprintf(F.msg, sizeof(F.msg), "%s", err->msg);
	F.msgc = TUI_C_ERROR;
}

/* The field of the prompt at path, or NULL. */
static const struct eng_field *
prompt_field(const char *path)
{
	const struct eng_prompt *p = tui_iv_prompt();
	size_t i;

	for (i = 0; i < p->nfields; i++)
		if (strcmp(p->fields[i].path, path) == 0)
			return &p->fields[i];
	return NULL;
}

/*
 * Accept the focused field: save its value if it changed, ask for a
 * reason if a warning fails, then move on when `advance`.  Returns 0 if
 * the worker stays (a message says why).
 */
static int
accept(int advance)
{
	static char val[VALUE_MAX];
	const struct eng_field *ef;
	struct ds_err err;
	struct fld *f;
	const char *cur;

	ds_err_clear(&err);
	if (F.n > 0 && F.f[F.focus].kind != FK_NONE) {
		f = &F.f[F.focus];
		if (fld_value(f, val, sizeof(val)) != 0) {
			snprintf(F.msg, sizeof(F.msg), "%s",
			    _("The answer is too long."));
			F.msgc = TUI_C_ERROR;
			return 0;
		}
		ef = prompt_field(f->path);
		cur = ef != NULL && ef->value != NULL ? ef->value : "";
		if (strcmp(cur, val) != 0 || (f->kind == FK_EDIT &&
		    f->ed.dirty)) {
			if (tui_iv_set(f->path, val, &err) != DS_OK) {
				show_err(&err);
				return 0;
			}
			rebuild(0);
		}
		ef = prompt_field(F.f[F.focus].path);
		if (ef != NULL && ef->warning != NULL && ef->reason == NULL) {
			/* A soft check failed: the worker must say why. */
			F.reasoning = 1;
			tui_edit_init(&F.reason, TUI_EDIT_TEXT, NULL);
			snprintf(F.reason_path, sizeof(F.reason_path), "%s",
			    ef->path);
			return 0;
		}
	}
	if (!advance)
		return 1;
	/* On a field-list, Enter goes to the next field first. */
	while (F.focus + 1 < F.n) {
		F.focus++;
		if (F.f[F.focus].kind != FK_NONE)
			return 1;
	}
	if (tui_iv_next(&err) != DS_OK) {
		if (err.code == DS_ENOENT)
			return 1;
		show_err(&err);
		rebuild(1);
		return 0;
	}
	rebuild(0);
	F.msg[0] = '\0';
	after_move();
	return 1;
}

/*
 * Before leaving the question by another key than Enter (outline, roster,
 * review, back, close), save what the worker typed, so nothing typed is
 * lost by looking elsewhere.  Returns 0 if the answer was refused: the
 * worker stays and sees why.
 */
static int
keep_typing(void)
{
	static char val[VALUE_MAX];
	const struct eng_field *ef;
	struct fld *f;

	if (F.n == 0 || F.f[F.focus].kind == FK_NONE)
		return 1;
	f = &F.f[F.focus];
	if (fld_value(f, val, sizeof(val)) != 0)
		return 0;
	ef = prompt_field(f->path);
	if (strcmp(ef != NULL && ef->value != NULL ? ef->value : "", val) == 0)
		return 1;
	/* A failing warning does not hold the worker here: it stays
	 * open in the review list. */
	(void)accept(0);
	return F.msg[0] == '\0';
}

static void
reason_key(enum tui_req req, wint_t ch)
{
	static char val[VALUE_MAX];
	struct ds_err err;

	if (req == TUI_REQ_CANCEL) {
		F.reasoning = 0;
		return;
	}
	if (req != TUI_REQ_ENTER) {
		(void)tui_edit_key(&F.reason, req, ch);
		return;
	}
	if (tui_edit_get(&F.reason, val, sizeof(val)) != 0 || val[0] == '\0')
		return;
	if (tui_iv_reason(F.reason_path, val, &err) != DS_OK) {
		show_err(&err);
		return;
	}
	F.reasoning = 0;
	rebuild(0);
	(void)accept(1);
}

static void
form_key(enum tui_req req, wint_t ch)
{
	char set[ENG_PATH_MAX];
	struct ds_err err;
	struct fld *f = F.n > 0 ? &F.f[F.focus] : NULL;
	enum tui_sel_res sr;
	size_t i;

	if (F.reasoning) {
		reason_key(req, ch);
		return;
	}
	ds_err_clear(&err);
	switch (req) {
	case TUI_REQ_ENTER:
		if (f != NULL && f->kind == FK_SELECT) {
			sr = tui_select_key(&f->sel, req, ch);
			(void)sr;
		}
		F.msg[0] = '\0';
		(void)accept(1);
		return;
	case TUI_REQ_SAVE:
		F.msg[0] = '\0';
		if (accept(0))
			tui_status(TUI_C_OK, "%s", _("Saved."));
		return;
	case TUI_REQ_NEXT:
		if (F.label_more) {
			F.skip += LINES / 2;
			return;
		}
		F.msg[0] = '\0';
		(void)accept(1);
		return;
	case TUI_REQ_PREV:
		if (F.skip > 0) {
			F.skip -= LINES / 2;
			if (F.skip < 0)
				F.skip = 0;
			return;
		}
		F.msg[0] = '\0';
		if (!keep_typing())
			return;
		F.reasoning = 0;
		if (tui_iv_prev(&err) != DS_OK && err.code != DS_ENOENT)
			show_err(&err);
		rebuild(0);
		after_move();
		return;
	case TUI_REQ_TAB:
	case TUI_REQ_BTAB:
		for (i = 0; i < F.n; i++) {
			F.focus = req == TUI_REQ_TAB ? (F.focus + 1) % F.n :
			    (F.focus + F.n - 1) % F.n;
			if (F.f[F.focus].kind != FK_NONE)
				break;
		}
		return;
	case TUI_REQ_JUMP:
	case TUI_REQ_ROSTER:
	case TUI_REQ_REVIEW:
		F.msg[0] = '\0';
		if (!keep_typing())
			return;
		F.reasoning = 0;
		if (req == TUI_REQ_JUMP)
			tui_push(TUI_SCR_JUMP, NULL);
		else if (req == TUI_REQ_REVIEW)
			tui_push(TUI_SCR_REVIEW, NULL);
		else if (tui_iv_repeat_of(F.path, set, sizeof(set), &i) != 0)
			tui_status(TUI_C_WARN, "%s",
			    _("This question is not in a roster."));
		else
			tui_push(TUI_SCR_ROSTER, F.path);
		return;
	case TUI_REQ_LANG:
		tui_iv_lang_toggle();
		rebuild(1);
		return;
	case TUI_REQ_QUIT:
		F.msg[0] = '\0';
		if (!keep_typing())
			return;
		F.reasoning = 0;
		tui_pop(NULL);
		return;
	default:
		break;
	}
	if (f == NULL)
		return;
	if (f->kind == FK_EDIT) {
		if (tui_edit_key(&f->ed, req, ch) == TUI_EDIT_REJECTED)
			beep();
		return;
	}
	if (f->kind == FK_SELECT) {
		if (req == TUI_REQ_UP && f->sel.cur == 0 && F.focus > 0) {
			form_key(TUI_REQ_BTAB, 0);
			return;
		}
		sr = tui_select_key(&f->sel, req, ch);
		/* A number picks and saves; a multiple choice saves on
		 * Enter. */
		if (sr == TUI_SEL_REJECTED)
			beep();
		else if (sr == TUI_SEL_PICKED)
			(void)accept(f->quick);
		return;
	}
	if (req == TUI_REQ_UP || req == TUI_REQ_DOWN)
		form_key(req == TUI_REQ_UP ? TUI_REQ_BTAB : TUI_REQ_TAB, 0);
}

static int
form_texting(void)
{
	if (F.reasoning)
		return 1;
	if (F.n == 0)
		return 0;
	return F.f[F.focus].kind == FK_EDIT ||
	    (F.f[F.focus].kind == FK_SELECT && F.f[F.focus].sel.filterable);
}

/* Rows a field's widget wants. */
static int
fld_rows(const struct fld *f)
{
	if (f->kind == FK_EDIT)
		return 1;
	if (f->kind == FK_SELECT)
		return (int)(f->sel.n + (f->sel.filterable ? 1 : 0) + 1);
	return 0;
}

static int
draw_msg(int y, int bottom, const struct eng_field *ef, int focus)
{
	int n = 0;

	if (focus && F.msg[0] != '\0')
		n += tui_wrap(y + n, 2, COLS - 4, bottom - y - n, 0, F.msgc,
		    F.msg);
	else if (ef->error != NULL)
		n += tui_wrap(y + n, 2, COLS - 4, bottom - y - n, 0,
		    TUI_C_ERROR, ef->error);
	if (ef->warning != NULL && y + n < bottom) {
		n += tui_wrap(y + n, 2, COLS - 4, bottom - y - n, 0,
		    TUI_C_WARN, ef->warning);
		if (ef->reason != NULL && y + n < bottom) {
			char r[ENG_REASON_MAX + 64];

			snprintf(r, sizeof(r), "%s %s", _("Reason given:"),
			    ef->reason);
			n += tui_wrap(y + n, 2, COLS - 4, bottom - y - n, 0,
			    TUI_C_HINT, r);
		}
	}
	return n;
}

/* One question on the whole screen. */
static void
draw_question(const struct eng_field *ef, struct fld *f, int top, int bottom)
{
	int y = top, w = COLS - 4, lines, avail, wrows, hl = 0;
	const char *code;

	wrows = fld_rows(f);
	if (wrows > (bottom - top) / 2)
		wrows = (bottom - top) / 2;
	if (f->kind == FK_NONE && ef->value != NULL)
		wrows = 1;
	if (ef->hint != NULL)
		hl = tui_wrap(0, 0, w, 0, 0, TUI_C_HINT, ef->hint);
	if (hl > 3)
		hl = 3;
	/* The label gets what the widget, hint and messages leave. */
	avail = bottom - top - wrows - hl - 4;
	if (avail < 2)
		avail = 2;
	if (tui_iv_is_consent(ef->name)) {
		code = tui_iv_record_code();
		y += tui_put(y, 2, w, TUI_C_TITLE, _("Record code (write it on "
		    "the paper letter): ")) > 0;
		tui_put(y - 1, 2 + tui_width(_("Record code (write it on "
		    "the paper letter): ")), 20, TUI_C_WARN, code);
		y++;
		avail -= 2;
	}
	lines = tui_wrap(0, 0, w, 0, 0, TUI_C_TITLE, ef->label != NULL ?
	    ef->label : ef->name);
	if (F.skip > lines - avail)
		F.skip = lines - avail > 0 ? lines - avail : 0;
	tui_wrap(y, 2, w, avail, F.skip, TUI_C_TITLE,
	    ef->label != NULL ? ef->label : ef->name);
	F.label_more = F.skip + avail < lines;
	if (ef->required && ef->value == NULL)
		tui_put(y, 0, 1, TUI_C_ERROR, "*");
	y += lines - F.skip < avail ? lines - F.skip : avail;
	if (F.label_more || F.skip > 0) {
		char more[96];

		snprintf(more, sizeof(more), _("(lines %d-%d of %d, "
		    "PgUp/PgDn to scroll)"), F.skip + 1, F.skip + avail, lines);
		tui_put(y++, 2, w, TUI_C_HINT, more);
	}
	if (hl > 0)
		y += tui_wrap(y, 2, w, hl, 0, TUI_C_HINT, ef->hint);
	y++;
	if (f->kind == FK_EDIT)
		tui_edit_draw(&f->ed, y++, 2, w < 60 ? w : 60, !F.reasoning,
		    0);
	else if (f->kind == FK_SELECT)
		y += tui_select_draw(&f->sel, y, 2, w, wrows, !F.reasoning);
	else if (ef->value != NULL)
		y += tui_wrap(y, 4, w - 2, 2, 0, TUI_C_OK, ef->value);
	y++;
	y += draw_msg(y, bottom, ef, 1);
	if (F.reasoning && y + 1 < bottom) {
		tui_put(y++, 2, w, TUI_C_WARN, _("Type why this answer is "
		    "right, then Enter (Esc: change the answer):"));
		tui_edit_draw(&F.reason, y, 2, w < 70 ? w : 70, 1, 0);
	}
}

/* A field-list: every field gets its label and widget, scrolled so the
 * focused one shows. */
static void
draw_fieldlist(const struct eng_prompt *p, int top, int bottom)
{
	size_t i, first = 0;
	int y, h, need, w = COLS - 4;

	/* Find the first field so that the focused one fits. */
	for (;;) {
		need = 0;
		for (i = first; i <= F.focus && i < F.n; i++)
			need += 2 + (fld_rows(&F.f[i]) > 6 ? 6 :
			    fld_rows(&F.f[i]));
		if (need <= bottom - top || first >= F.focus)
			break;
		first++;
	}
	y = top;
	for (i = first; i < F.n && y < bottom; i++) {
		const struct eng_field *ef = &p->fields[i];
		int focus = i == F.focus;

		tui_put(y, 0, 2, TUI_C_TITLE, focus ? "> " : "  ");
		y += tui_wrap(y, 2, w, 2, 0, focus ? TUI_C_TITLE :
		    TUI_C_NORMAL, ef->label != NULL ? ef->label : ef->name);
		h = fld_rows(&F.f[i]);
		if (h > 6)
			h = 6;
		if (y + h > bottom)
			h = bottom - y;
		if (F.f[i].kind == FK_EDIT)
			tui_edit_draw(&F.f[i].ed, y++, 4, w < 58 ? w : 58,
			    focus && !F.reasoning, 0);
		else if (F.f[i].kind == FK_SELECT)
			y += tui_select_draw(&F.f[i].sel, y, 4, w - 2, h,
			    focus && !F.reasoning);
		else if (ef->value != NULL)
			y += tui_put(y, 4, w - 2, TUI_C_OK, ef->value) > 0;
		y += draw_msg(y, bottom, ef, focus);
		if (focus && F.reasoning && y + 1 < bottom) {
			tui_put(y++, 2, w, TUI_C_WARN, _("Type why this "
			    "answer is right, then Enter (Esc: change the "
			    "answer):"));
			tui_edit_draw(&F.reason, y++, 2, w < 70 ? w : 70, 1,
			    0);
		}
		y++;
	}
}

static void
form_draw(void)
{
	const struct eng_prompt *p = tui_iv_prompt();
	int top = 3, bottom = LINES - 3;

	if (strcmp(p->path, F.path) != 0 || (int)p->kind != F.kind)
		rebuild(0);
	tui_bar_iv(p);
	if (p->kind == EP_QUESTION && F.n == 1)
		draw_question(&p->fields[0], &F.f[0], top, bottom);
	else if (p->kind == EP_FIELDLIST)
		draw_fieldlist(p, top, bottom);
	if (F.n == 0 && F.msg[0] != '\0')
		tui_wrap(bottom - 2, 2, COLS - 4, 2, 0, F.msgc, F.msg);
	tui_bar_keys(_("F1 Help  F3 Back  F5 Outline  F6 Roster  "
	    "F7 Review  F8 Language  F10 Close"));
}
