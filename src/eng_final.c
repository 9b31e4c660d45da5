/* doorstep: review (every error and open warning) and finalize. */
/*
 * eng_issues walks the relevant part of the tree in document order and
 * lists what blocks finalize: required answers missing, constraints
 * failing on stored answers (a later answer can break an earlier one),
 * select answers no longer in their filtered list, roster items beyond
 * repeat_count, a consent gate not answered, and every failing warning
 * without a reason.  eng_finalize refuses while the list is not empty,
 * then drops what Collect drops (non-relevant answers; after a refused
 * consent everything past the consent group), stamps `end`, and freezes.
 */
#include "eng_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "util.h"

struct ilist {
	struct eng_issue	*v;
	size_t			 n;
	size_t			 cap;
	size_t			 nerr;
	int			 oom;
	int			 count;		/* count only: no list */
};

/* Append an issue with a copy of the note. */
static void
add(struct ilist *l, const struct inst_node *n, int is_error,
    const struct eng_note *note)
{
	struct eng_issue *v;
	size_t cap;

	if (l->count) {
		l->n++;
		if (is_error)
			l->nerr++;
		return;
	}
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		if ((v = ds_realloc(l->v, cap * sizeof(*v))) == NULL) {
			l->oom = 1;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	v = &l->v[l->n];
	memset(v, 0, sizeof(*v));
	if (eng_note_copy(&v->note, note) != DS_OK) {
		l->oom = 1;
		return;
	}
	(void)eng_path_fmt(n, v->path, sizeof(v->path));
	v->name = n->def->name;
	v->line = n->def->line;
	v->is_error = is_error;
	l->n++;
	if (is_error)
		l->nerr++;
}

/* A note of a check of n. */
static void
add_check(struct eng *e, struct ilist *l, const struct inst_node *n,
    enum eng_msg code)
{
	struct eng_note t;

	if (l->count) {
		l->n++;
		l->nerr += code != ENG_MSG_WARNING;
		return;
	}
	eng_note_check(e, n, code, &t);
	add(l, n, code != ENG_MSG_WARNING, &t);
}

/* Is every name of a stored select answer still in its filtered list? */
static const char *
bad_choice(struct eng *e, struct inst_node *n, size_t *len)
{
	const struct form_list *l = eng_list_of(e, n->def);
	const char *p = n->value;
	size_t i;

	while (p != NULL && *p != '\0') {
		*len = strcspn(p, " ");
		for (i = 0; l != NULL && i < l->nchoices; i++)
			if (strlen(l->choices[i].name) == *len &&
			    memcmp(l->choices[i].name, p, *len) == 0)
				break;
		if (l == NULL || i == l->nchoices) {
			if (!(n->def->or_other && *len == 5 &&
			    memcmp(p, "other", 5) == 0))
				return p;
		} else if (!eng_choice_ok(e, n, l, i))
			return p;
		p += *len;
		while (*p == ' ')
			p++;
	}
	return NULL;
}

static void
check_leaf(struct eng *e, struct ilist *l, struct inst_node *n)
{
	enum eng_msg em, wm;
	struct eng_note t;
	char name[INST_NAME_MAX];
	const char *bad;
	size_t len;

	if (n->rule_err != NULL) {	/* calculations are read-only too */
		add_check(e, l, n, ENG_MSG_RULE);
		return;
	}
	if (eng_readonly(e, n))
		return;
	eng_check_node(e, n, &em, &wm);
	if (em != ENG_MSG_NONE)
		add_check(e, l, n, em);
	if (n->value != NULL && (n->def->type == FT_SELECT_ONE ||
	    n->def->type == FT_SELECT_MULTIPLE) &&
	    (bad = bad_choice(e, n, &len)) != NULL) {
		memset(&t, 0, sizeof(t));
		t.code = ENG_MSG_OPTION_HIDDEN;
		snprintf(name, sizeof(name), "%.*s", (int)len, bad);
		t.arg = name;
		add(l, n, 1, &t);
	}
	if (wm != ENG_MSG_NONE && n->reason == NULL)
		add_check(e, l, n, wm);
}

static void
check_set(struct eng *e, struct ilist *l, struct inst_node *set)
{
	const struct expr *x = e->cf->b[set->def->index].x[EX_COUNT];
	struct eng_note t;
	double d;

	if (x == NULL || eng_eval_num(e, x, set, &d) != DS_OK)
		return;
	if (isnan(d) || d < 0)
		d = 0;
	if ((double)set->nitems > d) {
		memset(&t, 0, sizeof(t));
		t.code = ENG_MSG_SURPLUS;
		t.n[0] = (long)(set->nitems - (size_t)d);
		add(l, set, 1, &t);
	}
}

/* Walk the relevant tree in document order into l (see eng_issues). */
static void
issues_walk(struct eng *e, struct ilist *l)
{
	struct inst_node *n = e->root;
	const struct form_node *g = e->cf->consent;

	if (g != NULL && eng_consent_state(e) == 0) {
		struct inst_node *gn = eng_ref1(e, e->root, g);
		struct eng_note t;

		memset(&t, 0, sizeof(t));
		t.code = ENG_MSG_CONSENT_OPEN;
		t.arg = form_text_get(e->f, &g->label, e->lang);
		if (gn != NULL)
			add(l, gn, 1, &t);
	}
	while (n != NULL) {
		/* Irrelevant subtrees are skipped whole: every node reached
		 * has relevant ancestors, so its own flag decides. */
		if ((n->flags & INST_F_IRRELEVANT) || eng_blocked(e, n)) {
			n = inst_next(n, 1);
			continue;
		}
		if (n->kind == INST_LEAF)
			check_leaf(e, l, n);
		else if (n->rule_err != NULL)	/* group, item, roster */
			add_check(e, l, n, ENG_MSG_RULE);
		else if (n->kind == INST_SET)
			check_set(e, l, n);
		n = inst_next(n, 0);
	}
}

void
eng_issue_counts(struct eng *e, size_t *n, size_t *nerrors)
{
	struct ilist l;

	memset(&l, 0, sizeof(l));
	l.count = 1;
	issues_walk(e, &l);
	*n = l.n;
	*nerrors = l.nerr;
}

enum ds_status
eng_issues(struct eng *e, struct eng_issue **out, size_t *nout,
    size_t *nerrors)
{
	struct ilist l;

	memset(&l, 0, sizeof(l));
	issues_walk(e, &l);
	if (l.oom) {
		eng_issues_free(l.v, l.n);
		return DS_ENOMEM;
	}
	*out = l.v;
	*nout = l.n;
	if (nerrors != NULL)
		*nerrors = l.nerr;
	return DS_OK;
}

void
eng_issues_free(struct eng_issue *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		eng_note_free(&v[i].note);
	ds_free(v);
}

/* Clear every answer under n and empty its rosters. */
static void
clear_subtree(struct inst_node *n)
{
	size_t i;

	if (n->kind == INST_LEAF) {
		(void)inst_value_set(n, NULL, NULL);
		(void)inst_reason_set(n, NULL);
	}
	if (n->kind == INST_SET)
		while (n->nitems > 0)
			inst_item_remove(n, n->nitems - 1);
	if (n->kids != NULL)
		for (i = 0; i < n->def->nkids; i++)
			clear_subtree(n->kids[i]);
}

/* A refused consent keeps only the gate group and what precedes it. */
static void
clear_after(struct inst_node *n, size_t gate_end)
{
	size_t i;

	if (n->def->index > gate_end) {
		clear_subtree(n);
		return;
	}
	if (n->kids != NULL)
		for (i = 0; i < n->def->nkids; i++)
			clear_after(n->kids[i], gate_end);
}

/* Collect: non-relevant answers are not part of the record. */
static void
drop_irrelevant(struct inst_node *n)
{
	size_t i;

	if (n->flags & INST_F_IRRELEVANT) {
		clear_subtree(n);
		return;
	}
	if (n->kind == INST_SET) {
		for (i = n->nitems; i > 0; i--)
			if (n->items[i - 1]->flags & INST_F_IRRELEVANT)
				inst_item_remove(n, i - 1);
			else
				drop_irrelevant(n->items[i - 1]);
		return;
	}
	if (n->kids != NULL)
		for (i = 0; i < n->def->nkids; i++)
			drop_irrelevant(n->kids[i]);
}

enum ds_status
eng_finalize(struct eng *e, struct ds_err *err)
{
	struct eng_issue *v;
	struct inst_node *n;
	size_t nv, nerr, i;
	enum ds_status st;
	char iso[32];

	ds_err_clear(err);
	eng_refusal_clear(e);
	if (e->finalized)
		return eng_refuse(e, err, DS_ESTATE, NULL, ENG_MSG_FINALIZED,
		    NULL);
	if ((st = eng_refresh(e)) != DS_OK ||
	    (st = eng_issues(e, &v, &nv, &nerr)) != DS_OK)
		return ds_err_set(err, st, NULL);
	if (nv > 0) {
		(void)eng_refuse(e, err, DS_ECONSTRAINT, NULL, ENG_MSG_ISSUES,
		    NULL);
		e->rnote.n[0] = (long)nerr;
		e->rnote.n[1] = (long)(nv - nerr);
		ds_err_at(err, e->f->source, v[0].line, v[0].path);
		ds_err_set(err, DS_ECONSTRAINT, "%zu error(s), %zu warning(s) "
		    "without a reason; first: %s: %s%s%s", nerr, nv - nerr,
		    v[0].path, eng_msg_dev(v[0].note.code),
		    v[0].note.detail != NULL ? ": " : "",
		    v[0].note.detail != NULL ? v[0].note.detail : "");
		eng_issues_free(v, nv);
		return DS_ECONSTRAINT;
	}
	eng_issues_free(v, nv);
	if (eng_consent_state(e) == 2)
		clear_after(e->root, e->cf->gate_end);
	drop_irrelevant(e->root);
	for (i = 0; i < e->f->nnodes; i++)
		if (e->f->nodes[i]->type == FT_END &&
		    (n = eng_ref1(e, e->root, e->f->nodes[i])) != NULL) {
			ds_time_iso(ds_now(), iso);
			(void)inst_value_set(n, iso, NULL);
		}
	e->finalized = 1;
	e->gen++;
	e->cur = NULL;
	return DS_OK;
}
