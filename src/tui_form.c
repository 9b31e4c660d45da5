/* doorstep: the interview screen: one question (or field-list) at a time. */
/*
 * Draws the engine's prompt and turns requests into engine actions through
 * the session (tui_iv.h), which saves after every accepted answer.  Nothing
 * here decides what is valid: the widgets only refuse keys that can never
 * be right (and say why), and the engine's note is worded under the
 * question it is about; the worker stays on the question.
 *
 * Every field keeps its own message: a refused answer or key, "must be
 * answered" once the worker tried to go on without an answer, the
 * engine's error and warning for the stored answer.  Messages stay under
 * their own question, never under the one that has the cursor.
 *
 * Widgets are rebuilt from the prompt after every action, because the
 * prompt's strings are borrowed only until the next engine call; option
 * texts are copied.  A rebuild on the same question keeps the list cursor,
 * the filter, unsaved typing and the messages (a language switch must not
 * lose the worker's place).
 *
 * Long labels (the consent letter) scroll with PgUp/PgDn before those keys
 * move between questions.  A failing warning asks for a typed reason; F4
 * leaves it open for the review, Esc goes back to change the answer.
 * After the last question of a roster item the worker is asked whether
 * to add another (unless repeat_count gives the number).  A question
 * reached from the review goes back to the review once it is answered.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form_media.h"
#include "gpsd.h"
#include "i18n.h"
#include "i18n_eng.h"
#include "mem.h"
#include "tui_app.h"
#include "tui_iv.h"
#include "util.h"

#define FL_MAX		32	/* fields shown on one field-list screen */
#define VALUE_MAX	(TUI_EDIT_MAX * 4 + 1)
#define FMSG_MAX	1024	/* bytes of one field's message */
#define FOLLOW_MAX	4	/* answers filled from one, shown with it */
#define ID_CARD_CHARS	18	/* a resident ID number (GB 11643) */

enum fkind {
	FK_NONE,		/* note, read-only, calculate: text only */
	FK_EDIT,
	FK_SELECT
};

enum { ASK_ADD = 1 };		/* tui_ask tag: add another roster item */

struct fld {
	enum fkind	 kind;
	char		 path[ENG_PATH_MAX];
	struct tui_edit	 ed;
	struct tui_select sel;
	struct tui_opt	*opts;		/* copies, owned */
	size_t		 nopts;
	int		 quick;
	char		 msg[FMSG_MAX];	/* its own message, or "" */
	enum tui_color	 msgc;
	int		 tried;		/* tried to go on: show "required" */
	int		 later;		/* its warning left for the review */
	int		 media;		/* a media question: ed holds a path */
};

static struct {
	struct fld	 f[FL_MAX];
	size_t		 n;
	size_t		 focus;
	char		 path[ENG_PATH_MAX];	/* prompt the widgets are for */
	int		 kind;			/* its eng_prompt_kind */
	int		 lang;			/* form language they show */
	int		 skip;			/* label lines scrolled away */
	int		 label_more;		/* label has lines below */
	char		 msg[FMSG_MAX];		/* screen message (no field) */
	enum tui_color	 msgc;
	int		 reasoning;		/* typing a warning reason */
	struct tui_edit	 reason;
	char		 reason_path[ENG_PATH_MAX];
	int		 to_review;		/* back to the review on Enter */
	char		 ask_set[ENG_PATH_MAX];	/* "add another?" for this */
	/* The answers the question on the screen fills (their trigger is
	 * it: sex and birth date from the ID number), as drawn last: the
	 * key that confirms the question confirms these too. */
	struct {
		char	 path[ENG_PATH_MAX];
		char	 value[VALUE_MAX];
		const struct form_node *node;
	}		 shown[FOLLOW_MAX];
	size_t		 nshown;
	int		 grid;		/* table-list as a grid: label width */
	size_t		 below;		/* first field not drawn, or n */
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
static void	after_move(void);
static int	in_grid(size_t);
static int	fl_rows(const struct eng_prompt *, size_t);

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
	F.to_review = 0;
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

/* Back from the roster, the outline, the review or a question. */
static void
form_resume(const struct tui_res *res)
{
	struct ds_err err;

	F.msg[0] = '\0';
	F.reasoning = 0;
	if (res->from == TUI_SCR_ASK && res->tag == ASK_ADD) {
		if (res->kind == TUI_RES_YES) {
			ds_err_clear(&err);
			if (tui_iv_repeat_add(F.ask_set, &err) != DS_OK)
				snprintf(F.msg, sizeof(F.msg), "%s",
				    tui_iv_words(&err));
		}
		rebuild(0);
		after_move();
		return;
	}
	if (res->from == TUI_SCR_ASK)
		return;
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
	/* A question chosen in the review: back there once it is done. */
	F.to_review = res->kind == TUI_RES_MOVED &&
	    res->from == TUI_SCR_REVIEW;
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

static int
has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	for (p = list; p != NULL && (p = strstr(p, w)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' ||
		    p[n] == '\0'))
			return 1;
	return 0;
}

static void	fld_say(struct fld *, enum tui_color, const char *);

/* What a media question holds now. */
static void
media_say(struct fld *f, const char *name)
{
	char m[FMSG_MAX];

	snprintf(m, sizeof(m), _("Attached: %s. Type the path of another "
	    "file to replace it."), name);
	fld_say(f, TUI_C_OK, m);
}

/*
 * Enter (or leaving) on a media question: a typed path attaches that
 * file.  0 if it was refused (the message says why), 1 otherwise.
 */
static int
media_accept(struct fld *f, const char *val)
{
	static char words[FMSG_MAX];
	struct ds_err err;

	if (val[0] == '\0')
		return 1;
	ds_err_clear(&err);
	if (tui_iv_attach(f->path, val, words, sizeof(words), &err) !=
	    DS_OK) {
		fld_say(f, TUI_C_ERROR, words);
		return 0;
	}
	rebuild(0);
	fld_say(&F.f[F.focus], TUI_C_OK, words);
	return 1;
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
	if (old != NULL) {
		/* The same question again: its messages stay. */
		snprintf(f->msg, sizeof(f->msg), "%s", old->msg);
		f->msgc = old->msgc;
		f->tried = old->tried;
		f->later = old->later;
	}
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
		    old->sel.nvis > 0 && old->sel.n == f->sel.n) {
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
	if (form_type_media(ef->type)) {
		/* The worker types the path of a file; the answer (the name
		 * it is kept under) shows under the field. */
		f->media = 1;
		tui_edit_init(&f->ed, TUI_EDIT_TEXT, NULL);
		if (f->msg[0] == '\0' && ef->value != NULL)
			media_say(f, ef->value);
		else if (f->msg[0] == '\0')
			fld_say(f, TUI_C_HINT, _("Type the path of the file to "
			    "attach (a photo copied from a phone or a camera), "
			    "then press Enter."));
		return;
	}
	tui_edit_init(&f->ed, edit_kind(ef->type), ef->value);
	f->ed.thousands = has_word(ef->appearance, "thousands-sep");
	/* A number, a date or a value the worker has not confirmed
	 * (a default, one filled from the ID number): typing replaces. */
	if (f->ed.kind != TUI_EDIT_TEXT || !ef->confirmed)
		tui_edit_replace_on_type(&f->ed);
}

/*
 * Rebuild the widgets for the current prompt.  keep: the prompt is the
 * same question and unsaved typing should survive (language switch).
 * Messages of a question that is still on the screen always survive.
 */
static void
rebuild(int keep)
{
	const struct eng_prompt *p = tui_iv_prompt();
	static struct fld old[FL_MAX];
	const struct fld *o;
	size_t i, j, n_old = F.n;
	int same, screen;

	screen = strcmp(F.path, p->path) == 0 && F.kind == (int)p->kind;
	same = keep && screen && F.n == (p->nfields < FL_MAX ?
	    p->nfields : FL_MAX);
	memcpy(old, F.f, sizeof(old));
	F.n = p->nfields < FL_MAX ? p->nfields : FL_MAX;
	if (p->kind != EP_QUESTION && p->kind != EP_FIELDLIST)
		F.n = 0;
	for (i = 0; i < F.n; i++) {
		o = NULL;
		for (j = 0; screen && j < n_old; j++)
			if (strcmp(old[j].path, p->fields[i].path) == 0)
				o = &old[j];
		fld_build(&F.f[i], &p->fields[i], o);
		if (same && o != NULL && o->kind == FK_EDIT &&
		    F.f[i].kind == FK_EDIT && o->ed.dirty)
			F.f[i].ed = o->ed;
	}
	for (i = 0; i < n_old; i++)
		fld_free(&old[i]);
	/* A new screen starts at its first answerable field; the same
	 * screen after a save keeps the worker's field. */
	if (!screen) {
		F.focus = 0;
		F.skip = 0;
		F.grid = 0;
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
	F.lang = tui_iv_lang();
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

static void
fld_say(struct fld *f, enum tui_color c, const char *s)
{
	snprintf(f->msg, sizeof(f->msg), "%s", s);
	f->msgc = c;
}

/* Why a key cannot go into a number or date field. */
static const char *
why_words(enum tui_edit_why w)
{
	switch (w) {
	case TUI_WHY_INT:
		return _("Only digits go in this field (a minus sign may come "
		    "first).");
	case TUI_WHY_DEC:
		return _("Only digits and one decimal point go in this "
		    "field.");
	case TUI_WHY_POINT:
		return _("A number has only one decimal point.");
	case TUI_WHY_MINUS:
		return _("A minus sign can only come first.");
	case TUI_WHY_LONG:
		return _("The field is full.");
	case TUI_WHY_DATE:
		return _("Type the date as digits: year, month, day (+ and - "
		    "change it by a day).");
	case TUI_WHY_YEAR:
		return _("The year must be between 1900 and 2199.");
	case TUI_WHY_MONTH:
		return _("The month must be 01 to 12.");
	case TUI_WHY_DAY:
		return _("That month has no such day.");
	default:
		return NULL;
	}
}

/* Focus the field at path, if it is on this screen. */
static struct fld *
focus_path(const char *path)
{
	size_t i;

	for (i = 0; i < F.n; i++)
		if (strcmp(F.f[i].path, path) == 0) {
			F.focus = i;
			return &F.f[i];
		}
	return NULL;
}

/*
 * Going on from the last question of a roster item: ask whether to add
 * another, unless repeat_count gives the number.  item_set is the set of
 * the item the cursor was in before the move ("" if none).
 */
static int
ask_another(const char *item_set, const char *item_path)
{
	char set[ENG_PATH_MAX], q[512];
	const char *now = tui_iv_prompt()->path, *label;
	size_t k;

	if (item_set[0] == '\0')
		return 0;
	/* still inside the same item: not its end */
	if (strncmp(now, item_path, strlen(item_path)) == 0 &&
	    (now[strlen(item_path)] == '/' || now[strlen(item_path)] == '\0'))
		return 0;
	/* moved into a later item of the same set (repeat_count made it) */
	if (tui_iv_repeat_of(now, set, sizeof(set), &k) == 0 &&
	    strcmp(set, item_set) == 0)
		return 0;
	if (tui_iv_repeat_counted(item_set))
		return 0;
	label = tui_iv_repeat_label(item_set);
	snprintf(q, sizeof(q), _("Add another: %s?"), label);
	snprintf(F.ask_set, sizeof(F.ask_set), "%s", item_set);
	tui_ask(q, ASK_ADD, 0);
	return 1;
}

/* ---- answers filled from the one on the screen ------------------------ */

/*
 * The questions right after ef's (calculations skipped) whose trigger is
 * ef's question, each while it holds a value: the ID number fills sex
 * and birth date.  Into F.shown, drawn with ef's question.
 */
static void
followers_load(const struct eng_field *ef)
{
	const struct form_node *n = ef->node, *par, *k;
	char want[ENG_PATH_MAX + 4];
	const char *slash, *v;
	size_t i;
	int pre, r;

	F.nshown = 0;
	if (n == NULL || n->name == NULL || (par = n->parent) == NULL)
		return;
	r = snprintf(want, sizeof(want), "${%s}", n->name);
	if (r < 0 || (size_t)r >= sizeof(want))
		return;
	slash = strrchr(ef->path, '/');
	pre = slash == NULL ? 0 : (int)(slash - ef->path + 1);
	for (i = 0; i < par->nkids && par->kids[i] != n; i++)
		;
	for (i++; i < par->nkids && F.nshown < FOLLOW_MAX; i++) {
		k = par->kids[i];
		if (form_type_hidden(k->type))
			continue;
		if (k->trigger == NULL || strcmp(k->trigger, want) != 0)
			break;
		r = snprintf(F.shown[F.nshown].path, ENG_PATH_MAX, "%.*s%s",
		    pre, ef->path, k->name);
		if (r < 0 || r >= ENG_PATH_MAX)
			break;
		v = eng_value(tui_iv_eng(), F.shown[F.nshown].path);
		if (v == NULL || *v == '\0' ||
		    tui_iv_carried(F.shown[F.nshown].path))
			break;
		snprintf(F.shown[F.nshown].value, VALUE_MAX, "%s", v);
		F.shown[F.nshown].node = k;
		F.nshown++;
	}
}

/* A follower's value as the worker reads it: a choice by its label. */
static const char *
follower_text(size_t i)
{
	const struct form *fm = tui_iv_form();
	const struct form_node *k = F.shown[i].node;
	const struct form_list *l;
	const char *t;
	size_t j;

	if (fm == NULL || k->type != FT_SELECT_ONE || k->list < 0 ||
	    (size_t)k->list >= fm->nlists)
		return F.shown[i].value;
	l = &fm->lists[k->list];
	for (j = 0; j < l->nchoices; j++)
		if (strcmp(l->choices[j].name, F.shown[i].value) == 0) {
			t = form_text_get(fm, &l->choices[j].label,
			    tui_iv_lang());
			return t != NULL ? t : F.shown[i].value;
		}
	return F.shown[i].value;
}

/* The followers under their question from y; returns the rows.  draw 0:
 * only count them. */
static int
followers_draw(int y, int bottom, int draw)
{
	char line[VALUE_MAX + 256];
	const char *lab;
	int n = 0, w = COLS - 6;
	size_t i;

	if (F.nshown == 0)
		return 0;
	n += tui_wrap(y + n, 4, w, draw ? bottom - y - n : 0, 0, TUI_C_HINT,
	    _("Filled in from this answer, confirmed with it:"));
	for (i = 0; i < F.nshown && (!draw || y + n < bottom); i++) {
		lab = eng_path_label(tui_iv_eng(), F.shown[i].path);
		snprintf(line, sizeof(line), _("%s: %s"), lab != NULL ? lab :
		    F.shown[i].node->name, follower_text(i));
		n += tui_wrap(y + n, 6, w - 2, draw ? bottom - y - n : 0, 0,
		    TUI_C_OK, line);
	}
	return n;
}

/*
 * Moved on from a question that showed its followers: pass each of them
 * that still holds what was shown and has nothing to say (no error, no
 * warning), as Enter on it would.  The first that differs stops here.
 */
static void
followers_pass(void)
{
	const struct eng_prompt *p;
	const struct eng_field *ef;
	struct ds_err err;
	size_t i;

	for (i = 0; i < F.nshown; i++) {
		p = tui_iv_prompt();
		if (p->kind != EP_QUESTION || p->nfields != 1)
			break;
		ef = &p->fields[0];
		if (strcmp(ef->path, F.shown[i].path) != 0 ||
		    ef->value == NULL ||
		    strcmp(ef->value, F.shown[i].value) != 0 ||
		    ef->error.code != ENG_MSG_NONE ||
		    ef->warning.code != ENG_MSG_NONE)
			break;
		ds_err_clear(&err);
		if (tui_iv_next(&err) != DS_OK)
			break;
	}
	F.nshown = 0;
	rebuild(0);
}

/*
 * A character made the field full, with auto-advance on (the setting of
 * picks): an ID number of 18 characters is saved at once when the engine
 * takes it, so what it fills shows under it for the worker to confirm
 * with one key (without such answers it moves on); a field whose
 * constraint fixes its length (an 11-digit mobile number) is accepted
 * and moves on, as CSPro does with a full field.
 */
/*
 * A full field moved on by itself (when, in ms): the Enter a worker
 * habitually presses after typing comes next, and must not pick for an
 * unanswered single choice (Enter takes its highlighted option).  A
 * default shown is confirmed by Enter as always.  Any other key, or a
 * pause, ends this.
 */
#define MOVED_ON_MS	2000
static int64_t moved_on;
static int moved_multi;		/* the move ended a multiple choice */

/* 1 if a choice of the list is on. */
static int
sel_chosen(const struct tui_select *sel)
{
	size_t i;

	for (i = 0; i < sel->n; i++)
		if (sel->on[i])
			return 1;
	return 0;
}

/*
 * 1 if the choices picked in the select_multiple f are an answer the
 * engine takes and no other choice could be added to: complete by its
 * constraint ("healthy" excludes every illness).  It moves on, as a pick
 * does.  (Numbers do not move on by their range: a worker typing 130 for
 * an age of at most 120 would have 13 saved and the 0 in the next field.)
 */
static int
sel_complete(struct fld *f)
{
	static char val[VALUE_MAX], more[VALUE_MAX + 64];
	struct eng *e = tui_iv_eng();
	size_t i;
	int r;

	if (fld_value(f, val, sizeof(val)) != 0 || val[0] == '\0' ||
	    !eng_would_take(e, f->path, val))
		return 0;
	for (i = 0; i < f->sel.n; i++) {
		if (f->sel.on[i])
			continue;
		r = snprintf(more, sizeof(more), "%s %s", val, f->opts[i].name);
		if (r < 0 || (size_t)r >= sizeof(more) ||
		    eng_would_take(e, f->path, more))
			return 0;
	}
	return 1;
}

static void
full_field(struct fld *f)
{
	static char val[VALUE_MAX];
	const struct eng_field *ef = prompt_field(f->path);
	const struct form *fm = tui_iv_form();
	const char *ids;
	struct ds_err err;
	enum ds_status rc;

	if (!tui_app()->auto_advance || f->kind != FK_EDIT || f->media ||
	    ef == NULL || ef->node == NULL || f->ed.cur != f->ed.len ||
	    F.reasoning)
		return;
	ids = fm != NULL ? form_setting(fm, "id_numbers") : NULL;
	if (ef->type == FT_TEXT && ids != NULL &&
	    has_word(ids, ef->node->name)) {
		if (f->ed.len != ID_CARD_CHARS ||
		    fld_value(f, val, sizeof(val)) != 0)
			return;
		ds_err_clear(&err);
		rc = tui_iv_set(f->path, val, &err);
		/* Not taken (a wrong check digit, or a certificate with
		 * more to come): Enter says why.  A failed save says so. */
		if (rc == DS_ECONSTRAINT || rc == DS_ETYPE)
			return;
		if (rc != DS_OK) {
			fld_say(f, TUI_C_ERROR, tui_iv_words(&err));
			return;
		}
		rebuild(0);
		if ((ef = prompt_field(F.f[F.focus].path)) != NULL)
			followers_load(ef);
		if (F.nshown == 0 && accept(1))
			moved_on = ds_now_ms();
		return;
	}
	if (tui_fixed_len(ef->node->constraint) == f->ed.len && accept(1))
		moved_on = ds_now_ms();
}

/* A household number just given that this laptop has seen this month:
 * say so, as `doorstep fill` does (both records are kept). */
static void
twins(const char *path)
{
	const struct form *fm = tui_iv_form();
	char tw[512];

	if (fm != NULL && fm->household_key != NULL &&
	    strcmp(path, fm->household_key) == 0 &&
	    *tui_iv_twins(tw, sizeof(tw)) != '\0')
		tui_status(TUI_C_WARN, "%s", tw);
}

/*
 * Accept the focused field: save its value if it changed, ask for a
 * reason if a warning fails, then move on: advance 1 to the next field of
 * the screen (Enter), 2 to the next screen (F4: what the other fields
 * show is accepted as it is).  Returns 0 if the worker stays (a message
 * under the field says why).
 */
static int
accept(int advance)
{
	static char val[VALUE_MAX];
	const struct eng_field *ef;
	struct ds_err err;
	struct fld *f;
	char item_set[ENG_PATH_MAX], item_path[ENG_PATH_MAX + 32];
	const char *at, *cur;
	size_t k;

	ds_err_clear(&err);
	F.msg[0] = '\0';
	if (F.n > 0 && F.f[F.focus].kind != FK_NONE) {
		f = &F.f[F.focus];
		if (fld_value(f, val, sizeof(val)) != 0) {
			fld_say(f, TUI_C_ERROR, _("The answer is too long."));
			return 0;
		}
		ef = prompt_field(f->path);
		cur = ef != NULL && ef->value != NULL ? ef->value : "";
		if (f->media) {
			if (!media_accept(f, val))
				return 0;
			f = &F.f[F.focus];
		} else if (strcmp(cur, val) != 0 || (f->kind == FK_EDIT &&
		    f->ed.dirty) || (ef != NULL && !ef->confirmed &&
		    val[0] != '\0')) {
			if (tui_iv_set(f->path, val, &err) != DS_OK) {
				fld_say(f, TUI_C_ERROR, tui_iv_words(&err));
				return 0;
			}
			f->msg[0] = '\0';
			twins(f->path);
			rebuild(0);
			f = &F.f[F.focus];
		}
		/* Enter on an answer from the last visit keeps it. */
		tui_iv_carried_keep(f->path);
		ef = prompt_field(f->path);
		if (ef != NULL && ef->error.code == ENG_MSG_REQUIRED) {
			/* Enter on an empty required question: say so. */
			f->tried = 1;
			return 0;
		}
		if (ef != NULL && ef->error.code == ENG_MSG_CONSTRAINT)
			return 0;	/* a later answer broke it: shown */
		if (ef != NULL && ef->warning.code != ENG_MSG_NONE &&
		    ef->reason == NULL && !f->later) {
			/* A soft check failed: the worker says why, or
			 * leaves it open for the review. */
			F.reasoning = 1;
			tui_edit_init(&F.reason, TUI_EDIT_TEXT, NULL);
			snprintf(F.reason_path, sizeof(F.reason_path), "%s",
			    ef->path);
			return 0;
		}
	}
	if (!advance)
		return 1;
	/* On a field-list, Enter goes to the next field first (F4 goes on
	 * to the next screen at once). */
	while (advance == 1 && F.focus + 1 < F.n) {
		F.focus++;
		if (F.f[F.focus].kind != FK_NONE)
			return 1;
	}
	if (F.to_review) {
		/* Fixed what the review pointed at: back to it. */
		F.to_review = 0;
		tui_push(TUI_SCR_REVIEW, NULL);
		return 1;
	}
	item_set[0] = '\0';
	if (tui_iv_repeat_of(F.path, item_set, sizeof(item_set), &k) == 0)
		snprintf(item_path, sizeof(item_path), "%s[%zu]", item_set,
		    k + 1);
	else
		item_set[0] = '\0';
	if (tui_iv_next(&err) != DS_OK) {
		if (err.code == DS_ENOENT)
			return 1;
		/* The engine names the question that holds the worker. */
		at = tui_iv_refusal_path();
		f = focus_path(at);
		if (f == NULL) {
			snprintf(F.msg, sizeof(F.msg), "%s",
			    tui_iv_words(&err));
			F.msgc = TUI_C_ERROR;
		} else if (tui_iv_refusal_code() == ENG_MSG_REQUIRED)
			f->tried = 1;
		else
			fld_say(f, TUI_C_ERROR, tui_iv_words(&err));
		rebuild(1);
		return 0;
	}
	rebuild(0);
	followers_pass();
	if (!ask_another(item_set, item_path))
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
	struct ds_err err;
	struct fld *f;

	F.to_review = 0;
	if (F.n == 0 || F.f[F.focus].kind == FK_NONE)
		return 1;
	f = &F.f[F.focus];
	if (fld_value(f, val, sizeof(val)) != 0)
		return 0;
	if (f->media)
		return media_accept(f, val);
	ef = prompt_field(f->path);
	if (strcmp(ef != NULL && ef->value != NULL ? ef->value : "", val) == 0)
		return 1;
	/* A failing warning does not hold the worker here: it stays
	 * open in the review list. */
	ds_err_clear(&err);
	if (tui_iv_set(f->path, val, &err) != DS_OK) {
		fld_say(f, TUI_C_ERROR, tui_iv_words(&err));
		return 0;
	}
	rebuild(0);
	return 1;
}

static void
reason_key(enum tui_req req, wint_t ch)
{
	static char val[VALUE_MAX];
	struct ds_err err;
	struct fld *f = &F.f[F.focus];

	switch (req) {
	case TUI_REQ_CANCEL:
		F.reasoning = 0;
		return;
	case TUI_REQ_NEXT:
		/* Leave the warning open: the review lists it. */
		F.reasoning = 0;
		f->later = 1;
		(void)accept(1);
		return;
	case TUI_REQ_ENTER:
		break;
	default:
		(void)tui_edit_key(&F.reason, req, ch);
		return;
	}
	if (tui_edit_get(&F.reason, val, sizeof(val)) != 0 || val[0] == '\0')
		return;
	ds_err_clear(&err);
	if (tui_iv_reason(F.reason_path, val, &err) != DS_OK) {
		fld_say(f, TUI_C_ERROR, tui_iv_words(&err));
		return;
	}
	F.reasoning = 0;
	rebuild(0);
	(void)accept(1);
}

/* Leave for the outline, the roster or the review (or close). */
static void
leave_for(enum tui_req req)
{
	char set[ENG_PATH_MAX];
	size_t i;

	if (!keep_typing())
		return;
	F.reasoning = 0;
	switch (req) {
	case TUI_REQ_JUMP:
		tui_push(TUI_SCR_JUMP, NULL);
		return;
	case TUI_REQ_REVIEW:
		tui_push(TUI_SCR_REVIEW, NULL);
		return;
	case TUI_REQ_ROSTER:
		if (tui_iv_repeat_of(F.path, set, sizeof(set), &i) != 0)
			tui_status(TUI_C_WARN, "%s",
			    _("This question is not in a roster."));
		else
			tui_push(TUI_SCR_ROSTER, F.path);
		return;
	default:
		tui_pop(NULL);
		return;
	}
}

static void
edit_key(struct fld *f, enum tui_req req, wint_t ch)
{
	const char *why;

	switch (tui_edit_key(&f->ed, req, ch)) {
	case TUI_EDIT_REJECTED:
		if ((why = why_words(f->ed.why)) != NULL)
			fld_say(f, TUI_C_WARN, why);
		beep();
		return;
	case TUI_EDIT_CHANGED:
		/* Typing again (Ctrl-U too): the old message goes. */
		f->msg[0] = '\0';
		f->tried = 0;
		if (req == TUI_REQ_CHAR)
			full_field(f);
		return;
	default:
		return;
	}
}

/* The first field of [from, to) that is required and has no answer, or
 * to. */
static size_t
to_answer(size_t from, size_t to)
{
	const struct eng_field *ef;
	size_t i;

	for (i = from; i < to && i < F.n; i++)
		if (F.f[i].kind != FK_NONE &&
		    (ef = prompt_field(F.f[i].path)) != NULL &&
		    ef->required && (ef->value == NULL || *ef->value == '\0'))
			return i;
	return to;
}

/*
 * Bring the questions hidden below into view: the focus goes to the
 * first of those that fit on the screen together that needs an answer,
 * else to the last answerable one.
 */
static void
show_below(void)
{
	const struct eng_prompt *p = tui_iv_prompt();
	size_t i, end, first = F.below;
	int need = 0, room = LINES - 6 - 3;

	if (p->kind != EP_FIELDLIST || F.below >= F.n)
		return;
	for (i = F.below; i < F.n; i++) {
		need += fl_rows(p, i) + !in_grid(i);
		if (need > room && i > F.below)
			break;
		if (F.f[i].kind != FK_NONE)
			F.focus = i;
	}
	end = i;
	if ((i = to_answer(first, end)) < end)
		F.focus = i;
}

/* 1 if the field takes a location. */
static int
geo_field(const struct fld *f)
{
	const struct eng_field *ef;

	if (f == NULL || f->kind != FK_EDIT ||
	    (ef = prompt_field(f->path)) == NULL)
		return 0;
	return ef->type == FT_GEOPOINT || ef->type == FT_GEOTRACE ||
	    ef->type == FT_GEOSHAPE;
}

/*
 * The GPS key (tui_gps.c): on a geopoint the fix is the answer, saved at
 * once; on a geotrace or geoshape it is one more point of what the field
 * holds, saved by Enter as typing is.  Without a fix the worker types.
 */
static void
gps_key(struct fld *f)
{
	static char val[VALUE_MAX];
	char fix[GPSD_TEXT_MAX], m[FMSG_MAX];
	enum form_type type;
	const char *acc;
	size_t npts = 1, len, i;
	enum ds_status st;
	int r;

	if (!geo_field(f)) {
		tui_status(TUI_C_WARN, "%s", _("The GPS key works on a "
		    "location question."));
		return;
	}
	/* The wait draws the screen: the prompt it had is gone then. */
	type = prompt_field(f->path)->type;
	st = tui_gps_read(fix, sizeof(fix));
	if (st == DS_ECANCEL) {
		fld_say(f, TUI_C_HINT, _("Stopped. Type the location, or "
		    "press F12 to read the GPS receiver again."));
		return;
	}
	if (st != DS_OK) {
		fld_say(f, TUI_C_WARN, _("No location from a GPS receiver: "
		    "none is connected, or it has no fix yet (go outside, "
		    "wait, press F12 again). You can type the location "
		    "instead."));
		return;
	}
	acc = gpsd_fix_accuracy(fix);	/* NULL: the receiver gave none */
	if (type == FT_GEOPOINT) {
		tui_edit_init(&f->ed, TUI_EDIT_TEXT, fix);
		if (!accept(0))
			return;
		if (acc != NULL)
			snprintf(m, sizeof(m), _("Location from the GPS "
			    "receiver, accurate to %s m."), acc);
		else
			snprintf(m, sizeof(m), "%s", _("Location from the GPS "
			    "receiver."));
		fld_say(&F.f[F.focus], TUI_C_OK, m);
		return;
	}
	if (fld_value(f, val, sizeof(val)) != 0)
		return;
	len = strlen(val);
	while (len > 0 && (val[len - 1] == ' ' || val[len - 1] == ';'))
		val[--len] = '\0';
	for (i = 0; i < len; i++)
		npts += val[i] == ';';
	npts += len > 0;
	r = snprintf(val + len, sizeof(val) - len, "%s%s", len > 0 ? "; " :
	    "", fix);
	if (r < 0 || (size_t)r >= sizeof(val) - len ||
	    len + (size_t)r > TUI_EDIT_MAX) {
		fld_say(f, TUI_C_WARN, _("The field is full."));
		return;
	}
	tui_edit_init(&f->ed, TUI_EDIT_TEXT, val);
	f->ed.dirty = 1;
	if (acc != NULL)
		snprintf(m, sizeof(m), _("Point %zu from the GPS receiver, "
		    "accurate to %s m. Go to the next point and press F12 "
		    "again; Enter when done."), npts, acc);
	else
		snprintf(m, sizeof(m), _("Point %zu from the GPS receiver. Go "
		    "to the next point and press F12 again; Enter when done."),
		    npts);
	fld_say(f, TUI_C_OK, m);
}

static void
form_key(enum tui_req req, wint_t ch)
{
	struct ds_err err;
	struct fld *f = F.n > 0 ? &F.f[F.focus] : NULL;
	enum tui_sel_res sr;
	size_t i;

	if (moved_on != 0) {
		int64_t since = ds_now_ms() - moved_on;

		moved_on = 0;
		if (req == TUI_REQ_ENTER && since >= 0 &&
		    since < MOVED_ON_MS && f != NULL && (moved_multi ||
		    (f->kind == FK_SELECT && !f->sel.multi &&
		    !sel_chosen(&f->sel)))) {
			moved_multi = 0;
			return;
		}
		moved_multi = 0;
	}
	if (F.reasoning) {
		reason_key(req, ch);
		return;
	}
	ds_err_clear(&err);
	switch (req) {
	case TUI_REQ_ENTER:
		if (f != NULL && f->kind == FK_SELECT)
			(void)tui_select_key(&f->sel, req, ch);
		(void)accept(1);
		return;
	case TUI_REQ_SAVE:
		if (accept(0))
			tui_status(TUI_C_OK, "%s", _("Saved."));
		return;
	case TUI_REQ_NEXT:
		if (F.label_more) {
			F.skip += LINES / 2;
			return;
		}
		if (F.kind == EP_FIELDLIST && (F.below < F.n ||
		    to_answer(0, F.n) < F.n)) {
			/* F4 accepts what the screen shows and goes to the
			 * first question on it that still needs an answer;
			 * questions below come into view first. */
			if (!accept(0))
				return;
			if (F.below > F.n)
				F.below = F.n;
			if ((i = to_answer(0, F.below)) < F.below)
				F.focus = i;
			else if (F.below < F.n)
				show_below();
			else
				(void)accept(2);
			return;
		}
		(void)accept(2);
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
		if (tui_iv_prev(&err) != DS_OK && err.code != DS_ENOENT) {
			snprintf(F.msg, sizeof(F.msg), "%s",
			    tui_iv_words(&err));
			F.msgc = TUI_C_ERROR;
		}
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
	case TUI_REQ_QUIT:
		F.msg[0] = '\0';
		leave_for(req);
		return;
	case TUI_REQ_GPS:
		gps_key(f);
		return;
	default:
		break;
	}
	if (f == NULL)
		return;
	if (f->kind == FK_EDIT) {
		edit_key(f, req, ch);
		return;
	}
	if (f->kind == FK_SELECT && in_grid(F.focus)) {
		/* A grid row: up and down go between questions, left and
		 * right between the choices. */
		if (req == TUI_REQ_UP || req == TUI_REQ_DOWN) {
			form_key(req == TUI_REQ_UP ? TUI_REQ_BTAB : TUI_REQ_TAB,
			    0);
			return;
		}
		if (req == TUI_REQ_LEFT || req == TUI_REQ_RIGHT)
			req = req == TUI_REQ_LEFT ? TUI_REQ_UP : TUI_REQ_DOWN;
	}
	if (f->kind == FK_SELECT) {
		if (req == TUI_REQ_UP && f->sel.cur == 0 && F.focus > 0) {
			form_key(TUI_REQ_BTAB, 0);
			return;
		}
		sr = tui_select_key(&f->sel, req, ch);
		/* A number picks and saves (and moves on: CSPro); a
		 * multiple choice saves on Enter. */
		if (sr == TUI_SEL_REJECTED)
			beep();
		else if (sr == TUI_SEL_PICKED)
			(void)accept(f->quick || tui_app()->auto_advance);
		else if (sr == TUI_SEL_CHANGED && f->sel.multi &&
		    (f->quick || tui_app()->auto_advance) &&
		    sel_complete(f)) {
			/* Nothing else can be added: on.  The Enter that
			 * ends a multiple choice by habit may follow; it
			 * is not for the next question, whatever it is. */
			if (accept(1)) {
				moved_on = ds_now_ms();
				moved_multi = 1;
			}
		}
		else if (sr == TUI_SEL_CHANGED || sr == TUI_SEL_MOVED)
			f->tried = 0;
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

/* ---- drawing ---------------------------------------------------------- */

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

/*
 * The messages under one question (its own, the engine's error once it
 * shows, the warning and its reason), drawn from y; returns the rows.
 * rows 0: only count them.
 */
static int
fld_msgs(const struct fld *f, const struct eng_field *ef, int y, int rows)
{
	static char buf[FMSG_MAX * 2];
	char r[ENG_REASON_MAX + 64];
	int n = 0, draw = rows > 0, w = COLS - 6;

	if (!draw)
		rows = 1000;
	/* An answer carried from the last visit, until kept or changed. */
	if (tui_iv_carried(f->path) && !(f->kind == FK_EDIT && f->ed.dirty))
		n += tui_wrap(y + n, 4, w, draw ? rows - n : 0, 0, TUI_C_WARN,
		    _("From the last visit: Enter keeps it, or change it."));
	if (f->msg[0] != '\0')
		n += tui_wrap(y + n, 4, w, draw ? rows - n : 0, 0, f->msgc,
		    f->msg);
	else if (ef->error.code != ENG_MSG_NONE &&
	    (ef->error.code != ENG_MSG_REQUIRED || f->tried))
		n += tui_wrap(y + n, 4, w, draw ? rows - n : 0, 0,
		    TUI_C_ERROR, i18n_note(&ef->error, buf, sizeof(buf)));
	if (ef->warning.code != ENG_MSG_NONE && n < rows) {
		n += tui_wrap(y + n, 4, w, draw ? rows - n : 0, 0, TUI_C_WARN,
		    i18n_note(&ef->warning, buf, sizeof(buf)));
		if (ef->reason != NULL)
			snprintf(r, sizeof(r), "%s %s", _("Reason given:"),
			    ef->reason);
		else if (f->later)
			snprintf(r, sizeof(r), "%s", _("Left open: it waits in "
			    "the review (F7)."));
		else
			r[0] = '\0';
		if (r[0] != '\0' && n < rows)
			n += tui_wrap(y + n, 4, w, draw ? rows - n : 0, 0,
			    TUI_C_HINT, r);
	}
	return n;
}

/* The reason prompt under the focused question; returns the rows. */
static int
draw_reason(int y, int bottom)
{
	int w = COLS - 4;

	if (!F.reasoning || y + 1 >= bottom)
		return 0;
	tui_put(y, 2, w, TUI_C_WARN, _("Type why this answer is right, then "
	    "Enter (F4: later, from the review; Esc: change the answer):"));
	tui_edit_draw(&F.reason, y + 1, 2, w < 70 ? w : 70, 1, 0);
	return 2;
}

/* Label with "* " for a required question; returns the rows. */
static int
draw_label(const struct eng_field *ef, int y, int x, int w, int rows,
    int skip, enum tui_color c)
{
	const char *l = ef->label != NULL ? ef->label : ef->name;

	if (ef->required && skip == 0)
		tui_put(y, x - 2, 1, TUI_C_ERROR, "*");
	return tui_wrap(y, x, w, rows, skip, c, l);
}

/* One question on the whole screen. */
static void
draw_question(const struct eng_field *ef, struct fld *f, int top, int bottom)
{
	int y = top, w = COLS - 4, lines, avail, wrows, hl = 0, mrows;
	const char *code, *lbl;

	wrows = fld_rows(f);
	if (wrows > (bottom - top) / 2)
		wrows = (bottom - top) / 2;
	if (f->kind == FK_NONE && ef->value != NULL)
		wrows = 1;
	if (ef->hint != NULL)
		hl = tui_wrap(0, 0, w, 0, 0, TUI_C_HINT, ef->hint);
	if (hl > 3)
		hl = 3;
	mrows = fld_msgs(f, ef, 0, 0);
	if (mrows > 4)
		mrows = 4;
	/* What the stored answer fills, unless the worker is typing
	 * another one. */
	if (f->kind != FK_NONE && !(f->kind == FK_EDIT && f->ed.dirty))
		followers_load(ef);
	mrows += followers_draw(0, 0, 0);
	/* The label gets what the widget, hint and messages leave. */
	avail = bottom - top - wrows - hl - mrows - (F.reasoning ? 2 : 0) - 3;
	if (avail < 2)
		avail = 2;
	if (tui_iv_is_consent(ef->name)) {
		code = tui_iv_record_code();
		lbl = _("Record code (write it on the paper letter): ");
		tui_put(y, 2, w, TUI_C_TITLE, lbl);
		tui_put(y, 2 + tui_width(lbl), 20, TUI_C_WARN, code);
		y += 2;
		avail -= 2;
	}
	lines = tui_wrap(0, 0, w, 0, 0, TUI_C_TITLE, ef->label != NULL ?
	    ef->label : ef->name);
	if (F.skip > lines - avail)
		F.skip = lines - avail > 0 ? lines - avail : 0;
	draw_label(ef, y, 2, w, avail, F.skip, TUI_C_TITLE);
	F.label_more = F.skip + avail < lines;
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
	y += fld_msgs(f, ef, y, bottom - y);
	y += followers_draw(y, bottom, 1);
	y += draw_reason(y, bottom);
}

/* 1 if field i is a row of the grid. */
static int
in_grid(size_t i)
{
	return F.grid > 0 && F.f[i].kind == FK_SELECT;
}

/*
 * A table-list screen whose choices each fit on one line beside the
 * widest label is drawn as a grid, one question a row (as Collect does),
 * so that the whole screen shows at once: F.grid is the label column's
 * width, 0 when the screen is drawn as a list.
 */
static void
grid_setup(const struct eng_prompt *p)
{
	const struct form_node *g;
	const struct eng_field *ef;
	size_t i;
	int lw = 0, rw = 0, k;

	F.grid = 0;
	if (p->kind != EP_FIELDLIST || F.n == 0 ||
	    (g = p->fields[0].node != NULL ? p->fields[0].node->parent :
	    NULL) == NULL || !form_has_appearance(g, "table-list"))
		return;
	for (i = 0; i < F.n; i++) {
		ef = &p->fields[i];
		if (F.f[i].kind != FK_SELECT)
			continue;
		if (F.f[i].sel.multi || F.f[i].sel.filterable)
			return;
		k = tui_width(ef->label != NULL ? ef->label : ef->name);
		if (k > lw)
			lw = k;
		k = tui_select_row_width(&F.f[i].sel);
		if (k > rw)
			rw = k;
	}
	if (lw == 0 || lw + 2 + rw > COLS - 6)
		return;
	F.grid = lw + 2;
}

/* Rows field i takes on a field-list screen. */
static int
fl_rows(const struct eng_prompt *p, size_t i)
{
	const struct eng_field *ef = &p->fields[i];
	int w = COLS - 6, h = fld_rows(&F.f[i]), n;

	if (in_grid(i)) {
		n = 1 + fld_msgs(&F.f[i], ef, 0, 0);
		if (ef->hint != NULL)
			n += tui_wrap(0, 0, w, 0, 0, TUI_C_HINT, ef->hint) > 1 ?
			    2 : 1;
		if (i == F.focus && F.reasoning)
			n += 2;
		return n;
	}

	if (h > 6)
		h = 6;
	if (F.f[i].kind == FK_NONE && ef->value != NULL)
		h = 1;
	n = tui_wrap(0, 0, w, 0, 0, TUI_C_NORMAL, ef->label != NULL ?
	    ef->label : ef->name);
	if (n > 3)
		n = 3;
	if (ef->hint != NULL)
		n += tui_wrap(0, 0, w, 0, 0, TUI_C_HINT, ef->hint) > 1 ? 2 : 1;
	n += fld_msgs(&F.f[i], ef, 0, 0);
	if (i == F.focus && F.reasoning)
		n += 2;
	return n + h;
}

/*
 * A field-list: every field with its `*`, label, hint, widget and its
 * own messages, scrolled so the focused one shows, with a line saying
 * when questions are hidden above or below.
 */
static void
draw_fieldlist(const struct eng_prompt *p, int top, int bottom)
{
	size_t i, first = 0, hidden;
	int y, h, need, w = COLS - 6, room;
	char line[128];

	/* Find the first field so that the focused one fits (with the
	 * "more" lines). */
	grid_setup(p);
	room = bottom - top - 2;
	for (;;) {
		need = 0;
		for (i = first; i <= F.focus && i < F.n; i++)
			need += fl_rows(p, i) + !in_grid(i);
		if (need <= room || first >= F.focus)
			break;
		first++;
	}
	y = top;
	if (first > 0) {
		snprintf(line, sizeof(line), _("%zu more above (Shift-Tab)"),
		    first);
		tui_put(y++, 2, COLS - 4, TUI_C_HINT, line);
	}
	for (i = first; i < F.n; i++) {
		const struct eng_field *ef = &p->fields[i];
		int focus = i == F.focus;

		if (y + fl_rows(p, i) > bottom - 1 && i > F.focus)
			break;
		tui_put(y, 0, 1, TUI_C_TITLE, focus ? ">" : " ");
		if (in_grid(i)) {
			draw_label(ef, y, 4, F.grid - 2, 1, 0, focus ?
			    TUI_C_TITLE : TUI_C_NORMAL);
			tui_select_draw_row(&F.f[i].sel, y++, 4 + F.grid,
			    w - F.grid, focus && !F.reasoning);
			if (ef->hint != NULL)
				y += tui_wrap(y, 4, w, 2, 0, TUI_C_HINT,
				    ef->hint);
			y += fld_msgs(&F.f[i], ef, y, bottom - y);
			if (focus)
				y += draw_reason(y, bottom);
			continue;
		}
		y += draw_label(ef, y, 4, w, 3, 0, focus ? TUI_C_TITLE :
		    TUI_C_NORMAL);
		if (ef->hint != NULL)
			y += tui_wrap(y, 4, w, 2, 0, TUI_C_HINT, ef->hint);
		h = fld_rows(&F.f[i]);
		if (h > 6)
			h = 6;
		if (y + h > bottom)
			h = bottom - y;
		if (F.f[i].kind == FK_EDIT)
			tui_edit_draw(&F.f[i].ed, y++, 4, w < 58 ? w : 58,
			    focus && !F.reasoning, 0);
		else if (F.f[i].kind == FK_SELECT)
			y += tui_select_draw(&F.f[i].sel, y, 4, w, h,
			    focus && !F.reasoning);
		else if (ef->value != NULL)
			y += tui_put(y, 4, w, TUI_C_OK, ef->value) > 0;
		y += fld_msgs(&F.f[i], ef, y, bottom - y);
		if (focus)
			y += draw_reason(y, bottom);
		y++;
	}
	F.below = i;
	if (i < F.n) {
		for (hidden = 0; i < F.n; i++)
			hidden += F.f[i].kind != FK_NONE ||
			    p->fields[i].type == FT_NOTE;
		snprintf(line, sizeof(line), _("%zu more below (Tab or "
		    "Enter)"), hidden);
		tui_put(bottom - 1, 2, COLS - 4, TUI_C_WARN, line);
	}
}

static void
form_draw(void)
{
	const struct eng_prompt *p = tui_iv_prompt();
	int top = 3, bottom = LINES - 3;

	if (strcmp(p->path, F.path) != 0 || (int)p->kind != F.kind)
		rebuild(0);
	else if (F.lang != tui_iv_lang())
		rebuild(1);	/* F8: labels and options anew */
	tui_bar_iv(p);
	F.nshown = 0;
	F.grid = 0;		/* a table-list sets it as it is drawn */
	F.below = F.n;
	if (p->kind == EP_QUESTION && F.n == 1)
		draw_question(&p->fields[0], &F.f[0], top, bottom);
	else if (p->kind == EP_FIELDLIST)
		draw_fieldlist(p, top, bottom);
	if (F.msg[0] != '\0')
		tui_wrap(bottom - 1, 2, COLS - 4, 2, 0, F.msgc, F.msg);
	tui_bar_keys(F.reasoning ? _("Enter Save the reason  F4 Later  "
	    "Esc Change the answer") : tui_iv_finalized() ?
	    _("F1 Help  F3 Back  F4 Next  F5 Outline  F8 Language  "
	    "F10 Close") : F.n > 0 && geo_field(&F.f[F.focus]) ?
	    _("F1 Help  F3 Back  F5 Outline  F7 Review  F8 Language  "
	    "F10 Close  F12 GPS") :
	    _("F1 Help  F3 Back  F5 Outline  F6 Roster  F7 Review  "
	    "F8 Language  F10 Close"));
}
