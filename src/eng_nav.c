/* doorstep: navigation, the prompt view model, review and finalize. */
/*
 * The cursor is a tree node: a question leaf, a field-list group (one
 * screen), a repeat set (the roster screen), or NULL for the end.  Moving
 * walks the tree in document order, skipping non-relevant subtrees, the
 * insides of field-list groups, and nodes nobody answers (calculate,
 * hidden, metadata).  The consent gate stops forward moves past its group
 * until consent is "yes"; a refusal sends the worker to the end.
 *
 * The prompt is rebuilt on every eng_prompt() call into memory the engine
 * owns (an arena freed on the next call), so the TUI can hold plain
 * pointers for one draw.
 */
#include "eng_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

/* ---- arena ------------------------------------------------------------ */

char *
eng_arena_keep(struct eng *e, char *s)
{
	char **v;
	size_t cap;

	if (s == NULL)
		return NULL;
	if (e->narena == e->caparena) {
		cap = e->caparena ? e->caparena * 2 : 32;
		if ((v = ds_realloc(e->arena, cap * sizeof(*v))) == NULL) {
			ds_free(s);
			return NULL;
		}
		e->arena = v;
		e->caparena = cap;
	}
	e->arena[e->narena++] = s;
	return s;
}

void
eng_arena_clear(struct eng *e)
{
	size_t i;

	for (i = 0; i < e->narena; i++)
		ds_free(e->arena[i]);
	e->narena = 0;
}

/* 1 if n is sub or below it. */
static int
inside_of(const struct inst_node *n, const struct inst_node *sub)
{
	for (; n != NULL; n = n->parent)
		if (n == sub)
			return 1;
	return 0;
}

/* ---- what is a prompt ------------------------------------------------- */

/* ODK: a table-list group is a field-list shown as a grid. */
static int
is_fieldlist(const struct inst_node *n)
{
	return n->kind == INST_GROUP &&
	    (form_has_appearance(n->def, "field-list") ||
	    form_has_appearance(n->def, "table-list"));
}

/* Leaves shown to the worker (questions, notes). */
int
eng_shown_leaf(const struct inst_node *n)
{
	return n->kind == INST_LEAF && !form_type_hidden(n->def->type);
}

/* The field-list group holding n, or n itself. */
static struct inst_node *
screen_of(struct inst_node *n)
{
	struct inst_node *p, *top = n;

	for (p = n->parent; p != NULL; p = p->parent)
		if (is_fieldlist(p))
			top = p;
	return top;
}

/* A repeat set whose own relevant is false (checked in its parent). */
int
eng_set_relevant(struct eng *e, struct inst_node *set)
{
	const struct expr *x = e->cf->b[set->def->index].x[EX_RELEVANT];
	int v = 1;

	if (x == NULL)
		return 1;
	if (set->nitems > 0)
		return !(set->items[0]->flags & INST_F_IRRELEVANT);
	if (eng_eval_bool(e, x, set, &v) != DS_OK)
		v = 1;
	return v;
}

int
eng_is_prompt(const struct eng *e, const struct inst_node *n)
{
	(void)e;
	switch (n->kind) {
	case INST_LEAF:
		return eng_shown_leaf(n);
	case INST_GROUP:
		return is_fieldlist(n);
	case INST_SET:
		return 1;
	default:
		return 0;
	}
}

struct inst_node *
eng_nav_first_in(struct eng *e, struct inst_node *n)
{
	while (n != NULL) {
		if (!eng_relevant(n) ||
		    (n->kind == INST_SET && !eng_set_relevant(e, n))) {
			n = inst_next(n, 1);
			continue;
		}
		if (eng_is_prompt(e, n))
			return n;
		n = inst_next(n, 0);
	}
	return NULL;
}

/* ---- checks of one screen --------------------------------------------- */

static int
is_required(struct eng *e, struct inst_node *n)
{
	const struct expr *x = e->cf->b[n->def->index].x[EX_REQUIRED];
	int v = 0;

	if (x == NULL || eng_readonly(e, n))
		return 0;
	/* `yes` (normalised to true()) needs no evaluation: most are. */
	if (n->def->required != NULL && strcmp(n->def->required, "true()") ==
	    0)
		return 1;
	if (eng_eval_bool(e, x, n, &v) != DS_OK)
		return 0;
	return v;
}

/*
 * Blocking error and failing warning of one leaf as it stands (relevance
 * is the caller's business).  Messages borrowed from the form.
 */
enum ds_status
eng_check_node(struct eng *e, struct inst_node *n, enum eng_msg *err,
    enum eng_msg *warn)
{
	char buf[ENG_RULE_TEXT_MAX];
	int ok;

	*err = ENG_MSG_NONE;
	*warn = ENG_MSG_NONE;
	ds_free(n->check_err);
	n->check_err = NULL;
	/* A rule that could not be computed comes first: it may be why
	 * the question looks unanswered or wrong. */
	if (n->rule_err != NULL) {
		*err = ENG_MSG_RULE;
		return DS_OK;
	}
	if (n->value == NULL) {
		if (is_required(e, n)) {
			*err = ENG_MSG_REQUIRED;
			return DS_OK;
		}
	} else if (eng_check_expr(e, n, EX_CONSTRAINT, &ok) != DS_OK) {
		snprintf(buf, sizeof(buf), "constraint: %s", e->everr.msg);
		n->check_err = ds_strdup(buf);
		*err = ENG_MSG_RULE;
		return n->check_err != NULL ? DS_OK : DS_ENOMEM;
	} else if (!ok)
		*err = ENG_MSG_CONSTRAINT;
	if (eng_check_expr(e, n, EX_WARNING, &ok) != DS_OK) {
		snprintf(buf, sizeof(buf), "warning: %s", e->everr.msg);
		n->check_err = ds_strdup(buf);
		if (*err == ENG_MSG_NONE)
			*err = ENG_MSG_RULE;
		return n->check_err != NULL ? DS_OK : DS_ENOMEM;
	}
	if (!ok)
		*warn = ENG_MSG_WARNING;
	return DS_OK;
}

/* A form's broken rule is not the worker's to fix: it shows, and it
 * holds finalize, but it does not stop the interview. */
static int
stops(enum eng_msg em)
{
	return em == ENG_MSG_REQUIRED || em == ENG_MSG_CONSTRAINT;
}

/* First error on the screen at the cursor (*at), or ENG_MSG_NONE. */
static enum eng_msg
screen_error(struct eng *e, struct inst_node *cur, struct inst_node **at)
{
	struct inst_node *n;
	enum eng_msg em, wm;

	if (cur->kind == INST_LEAF) {
		*at = cur;
		if (eng_readonly(e, cur))
			return ENG_MSG_NONE;
		eng_check_node(e, cur, &em, &wm);
		return stops(em) ? em : ENG_MSG_NONE;
	}
	if (cur->kind != INST_GROUP)
		return ENG_MSG_NONE;
	for (n = inst_next(cur, 0); n != NULL && n != inst_next(cur, 1);
	    n = inst_next(n, !eng_relevant(n))) {
		if (n->kind != INST_LEAF || !eng_relevant(n) ||
		    eng_readonly(e, n))
			continue;
		eng_check_node(e, n, &em, &wm);
		if (stops(em)) {
			*at = n;
			return em;
		}
	}
	return ENG_MSG_NONE;
}

void
eng_confirm_screen(struct eng *e, struct inst_node *cur)
{
	struct inst_node *n;

	if (cur->kind == INST_LEAF) {
		if (cur->value != NULL && !(cur->flags & INST_F_ANSWERED)) {
			cur->flags |= INST_F_ANSWERED;
			inst_touch(cur);
			e->gen++;
		}
		return;
	}
	if (cur->kind != INST_GROUP)
		return;
	for (n = inst_next(cur, 0); n != NULL && n != inst_next(cur, 1);
	    n = inst_next(n, !eng_relevant(n)))
		if (n->kind == INST_LEAF && n->value != NULL &&
		    !(n->flags & INST_F_ANSWERED) &&
		    eng_relevant(n) && !eng_blocked(e, n)) {
			n->flags |= INST_F_ANSWERED;
			inst_touch(n);
			e->gen++;
		}
}

/* ---- moves ------------------------------------------------------------ */

enum ds_status
eng_next(struct eng *e, struct ds_err *err)
{
	struct inst_node *n, *at = NULL;
	enum eng_msg msg;

	ds_err_clear(err);
	eng_refusal_clear(e);
	if (e->cur == NULL)
		return ds_err_set(err, DS_ENOENT, "at the end of the form");
	if (!e->finalized && (msg = screen_error(e, e->cur, &at)) !=
	    ENG_MSG_NONE) {
		ds_err_at(err, e->f->source, at->def->line, at->def->name);
		return eng_refuse(e, err, DS_ECONSTRAINT, at, msg, NULL);
	}
	/* Passing a screen confirms what it shows (defaults included). */
	if (!e->finalized)
		eng_confirm_screen(e, e->cur);
	n = eng_nav_first_in(e, inst_next(e->cur, is_fieldlist(e->cur)));
	if (n != NULL && eng_blocked(e, n)) {
		if (eng_consent_state(e) == 0)
			return eng_gate_error(e, err);
		n = NULL;	/* refused: straight to the end */
	}
	e->cur = n;
	return DS_OK;
}

/* Last node of the tree in pre-order. */
static struct inst_node *
last_node(struct inst_node *n)
{
	for (;;) {
		if (n->kind == INST_SET && n->nitems > 0)
			n = n->items[n->nitems - 1];
		else if (n->kind != INST_SET && n->kids != NULL &&
		    n->def->nkids > 0)
			n = n->kids[n->def->nkids - 1];
		else
			return n;
	}
}

enum ds_status
eng_prev(struct eng *e, struct ds_err *err)
{
	struct inst_node *p, *s;

	ds_err_clear(err);
	eng_refusal_clear(e);
	p = e->cur == NULL ? last_node(e->root) : inst_prev(e->cur);
	if (e->cur == NULL && p != NULL) {
		/* the last node itself is a candidate */
		s = screen_of(p);
		if (eng_relevant(s) && eng_is_prompt(e, s) &&
		    !eng_blocked(e, s) && (s->kind != INST_SET ||
		    eng_set_relevant(e, s))) {
			e->cur = s;
			return DS_OK;
		}
		p = inst_prev(s);
	}
	while (p != NULL) {
		s = screen_of(p);
		if (s != p) {
			p = s;
			continue;
		}
		if (eng_relevant(s) && eng_is_prompt(e, s) &&
		    !eng_blocked(e, s) && (s->kind != INST_SET ||
		    eng_set_relevant(e, s))) {
			e->cur = s;
			return DS_OK;
		}
		p = inst_prev(p);
	}
	return ds_err_set(err, DS_ENOENT, "at the beginning of the form");
}

enum ds_status
eng_jump(struct eng *e, const char *path, struct ds_err *err)
{
	struct inst_node *n;

	ds_err_clear(err);
	eng_refusal_clear(e);
	if (path == NULL || *path == '\0' || strcmp(path, "_end") == 0) {
		e->cur = NULL;
		return DS_OK;
	}
	if ((n = eng_path_find(e, path)) == NULL)
		return ds_err_set(err, DS_ENOENT, "no question %s", path);
	if (n->kind == INST_ITEM || n->kind == INST_ROOT ||
	    (n->kind == INST_GROUP && !is_fieldlist(screen_of(n)))) {
		struct inst_node *f = eng_nav_first_in(e, n);

		if (f == NULL || f == inst_next(n, 1) ||
		    (n->kind != INST_ROOT && !inside_of(f, n)))
			return ds_err_set(err, DS_ENOENT, "nothing to show in "
			    "%s", path);
		n = f;
	}
	n = screen_of(n);
	if (!eng_relevant(n))
		return ds_err_set(err, DS_ESTATE, "%s is not relevant",
		    path);
	if (!eng_is_prompt(e, n))
		return ds_err_set(err, DS_EINVAL, "%s is not shown", path);
	if (eng_blocked(e, n))
		return eng_gate_error(e, err);
	e->cur = n;
	return DS_OK;
}
