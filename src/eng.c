/* doorstep: the interview engine: state, answers, recompute, repeats. */
/*
 * One interview = the instance tree + a recompute queue.  Invariant between
 * calls: every eager expression (relevant, calculation, read_only,
 * repeat_count) of every node holds its value for the current answers, and
 * the queue is empty.
 *
 * Incremental recompute: a change to node X of def R enqueues, for each
 * edge R -> D, the instances of D that can see X: those under X's item of
 * the edge's shared repeat (or all of them when they share none).  The
 * queue is a heap ordered by the compiled topological rank, so every node
 * is evaluated after all its inputs and at most once per change.  Adding or
 * removing a repeat item touches the new item, the roster's structural
 * dependants (sum, count) and the position() users after it: nothing else,
 * so a roster of n costs O(n) only where position() forces it.
 *
 * What this file does not do: navigation and the view model (eng_nav.c),
 * JSON (eng_json.c), evaluation plumbing (eng_env.c).
 */
#include "eng_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "util.h"

/* ---- small predicates ---------------------------------------------- */

int
eng_relevant(const struct inst_node *n)
{
	for (; n != NULL; n = n->parent)
		if (n->flags & INST_F_IRRELEVANT)
			return 0;
	return 1;
}

int
eng_answerable(enum form_type t)
{
	switch (t) {
	case FT_TEXT:
	case FT_INTEGER:
	case FT_DECIMAL:
	case FT_SELECT_ONE:
	case FT_SELECT_MULTIPLE:
	case FT_DATE:
	case FT_TIME:
	case FT_DATETIME:
	case FT_ACKNOWLEDGE:
	case FT_GEOPOINT:
	case FT_GEOTRACE:
	case FT_GEOSHAPE:
	case FT_BARCODE:
	case FT_IMAGE:
	case FT_AUDIO:
	case FT_VIDEO:
	case FT_FILE:
		return 1;
	default:
		return 0;
	}
}

int
eng_readonly(const struct eng *e, const struct inst_node *n)
{
	const struct inst_node *p;

	/* ODK: a question with a calculation is read-only, unless the
	 * calculation has a trigger: then it only fills the answer in
	 * when the trigger changes, and the worker may change it. */
	if (n->kind == INST_LEAF && (!eng_answerable(n->def->type) ||
	    (e->cf->b[n->def->index].x[EX_CALC] != NULL &&
	    e->cf->b[n->def->index].trigger == NULL)))
		return 1;
	for (p = n; p != NULL; p = p->parent)
		if (p->flags & INST_F_READONLY)
			return 1;
	return 0;
}

const struct form_list *
eng_list_of(const struct eng *e, const struct form_node *def)
{
	if (def->list < 0 || (size_t)def->list >= e->f->nlists)
		return NULL;
	return &e->f->lists[def->list];
}

/*
 * Consent on file (_meta.consent_ref, the record code of the consent the
 * household gave before; docs/case.md): the gate is not asked again.
 */
static int
consent_on_file(const struct eng *e)
{
	const json_t *r = eng_meta_get(e, "consent_ref");

	return json_is_string(r) && json_string_length(r) > 0;
}

/* The node the gate hides behind: its group, or the question itself. */
static const struct form_node *
gate_node(const struct eng_form *cf)
{
	const struct form_node *g = cf->consent;

	return g->parent->type == FT_ROOT ? g : g->parent;
}

int
eng_consent_state(const struct eng *e)
{
	const struct inst_node *n = e->consent_node;

	if (e->cf->consent == NULL)
		return -1;
	if (n == NULL || n->value == NULL)
		return consent_on_file(e) ? 1 : 0;
	return strcmp(n->value, "yes") == 0 ? 1 : 2;
}

int
eng_consent(const struct eng *e)
{
	return eng_consent_state(e);
}

int
eng_blocked(const struct eng *e, const struct inst_node *n)
{
	if (e->cf->consent == NULL || n->def->index <= e->cf->gate_end)
		return 0;
	return eng_consent_state(e) != 1;
}

/* ---- the recompute queue ------------------------------------------- */

static unsigned
rank_of(const struct eng *e, const struct inst_node *n)
{
	return e->cf->b[n->def->index].rank;
}

static int
q_less(const struct eng *e, const struct inst_node *a,
    const struct inst_node *b)
{
	return rank_of(e, a) < rank_of(e, b);
}

static enum ds_status
q_push(struct eng *e, struct inst_node *n)
{
	struct eng_queue *q = &e->q;
	struct inst_node **v, *t;
	size_t i, p, cap;

	if (q->n == q->cap) {
		cap = q->cap ? q->cap * 2 : 64;
		if ((v = ds_realloc(q->v, cap * sizeof(*v))) == NULL)
			return DS_ENOMEM;
		q->v = v;
		q->cap = cap;
	}
	i = q->n++;
	q->v[i] = n;
	while (i > 0) {
		p = (i - 1) / 2;
		if (!q_less(e, q->v[i], q->v[p]))
			break;
		t = q->v[i];
		q->v[i] = q->v[p];
		q->v[p] = t;
		i = p;
	}
	return DS_OK;
}

static struct inst_node *
q_pop(struct eng *e)
{
	struct eng_queue *q = &e->q;
	struct inst_node *top, *t;
	size_t i = 0, l, r, m;

	if (q->n == 0)
		return NULL;
	top = q->v[0];
	q->v[0] = q->v[--q->n];
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < q->n && q_less(e, q->v[l], q->v[m]))
			m = l;
		if (r < q->n && q_less(e, q->v[r], q->v[m]))
			m = r;
		if (m == i)
			break;
		t = q->v[i];
		q->v[i] = q->v[m];
		q->v[m] = t;
		i = m;
	}
	return top;
}

void
eng_enqueue(struct eng *e, struct inst_node *n)
{
	if (n->flags & INST_F_QUEUED)
		return;
	if (q_push(e, n) != DS_OK) {
		e->oom = 1;
		return;
	}
	n->flags |= INST_F_QUEUED;
}

/* Enqueue the instances of def under `at` (a SET for a repeat def). */
static void
enqueue_under(struct eng *e, struct inst_node *at, const struct form_node *d,
    unsigned extra)
{
	const struct form_node *chain[64], *c;
	struct inst_node *cur[1];
	size_t nc = 0;

	(void)cur;
	if (at->def == d && at->kind == INST_ITEM) {
		at->parent->flags |= extra;
		eng_enqueue(e, at->parent);
		return;
	}
	for (c = d; c != NULL && c != at->def; c = c->parent) {
		if (nc == 64)
			return;
		chain[nc++] = c;
	}
	if (c == NULL)
		return;
	/* walk down: groups one way, repeat sets fan out over items */
	{
		struct inst_node *stack[256];
		size_t depth[256], sp = 0;

		stack[sp] = at;
		depth[sp++] = nc;
		while (sp > 0) {
			struct inst_node *n = stack[--sp], *k;
			size_t lev = depth[sp], i;

			if (n->kids == NULL)
				continue;
			k = n->kids[e->cf->b[chain[lev - 1]->index].kidpos];
			if (lev == 1) {
				k->flags |= extra;
				eng_enqueue(e, k);
				continue;
			}
			if (k->kind == INST_SET) {
				for (i = k->nitems; i > 0; i--) {
					if (sp == 256) {
						/* deep and wide: go slow */
						enqueue_under(e, k->items[i - 1],
						    d, extra);
						continue;
					}
					stack[sp] = k->items[i - 1];
					depth[sp++] = lev - 1;
				}
			} else if (sp < 256) {
				stack[sp] = k;
				depth[sp++] = lev - 1;
			}
		}
	}
}

void
eng_enqueue_deps(struct eng *e, struct inst_node *changed,
    const struct eng_edges *out)
{
	const struct form_node *src = changed->def;
	struct inst_node *anchor;
	size_t i;

	for (i = 0; i < out->n; i++) {
		const struct eng_edge *ed = &out->v[i];
		const struct form_node *d = e->f->nodes[ed->to];
		unsigned extra = 0;

		if (e->cf->b[ed->to].trigger == src)
			extra = INST_F_TRIG;
		anchor = ed->lca ? inst_item_of(changed, ed->lca) : NULL;
		if (anchor == NULL)
			anchor = e->root;
		enqueue_under(e, anchor, d, extra);
	}
}

void
eng_enqueue_subtree(struct eng *e, struct inst_node *n)
{
	const struct eng_bind *b = &e->cf->b[n->def->index];
	size_t i;

	switch (n->kind) {
	case INST_SET:
		if (b->x[EX_COUNT] != NULL || b->x[EX_RELEVANT] != NULL ||
		    b->x[EX_READONLY] != NULL)
			eng_enqueue(e, n);
		for (i = 0; i < n->nitems; i++)
			eng_enqueue_subtree(e, n->items[i]);
		return;
	case INST_LEAF:
	case INST_GROUP:
		if (b->eager)
			eng_enqueue(e, n);
		break;
	default:
		break;
	}
	if (n->kids != NULL)
		for (i = 0; i < n->def->nkids; i++)
			eng_enqueue_subtree(e, n->kids[i]);
}

/* Forget n's runtime rule error before its rules run again. */
static void
rule_clear(struct inst_node *n)
{
	ds_free(n->rule_err);
	n->rule_err = NULL;
	n->flags &= ~(unsigned)INST_F_RULE_CALC;
}

/*
 * A rule of n failed at run time (a form bug met by these answers, e.g.
 * date() of a text answer).  Collect shows such errors; we keep the
 * first per node, show it on the question and refuse to finalize, so no
 * record is finished on a broken calculation.
 */
static void
rule_note(struct eng *e, struct inst_node *n, const char *what)
{
	char buf[ENG_RULE_TEXT_MAX];

	if (n->rule_err != NULL)
		return;
	/* "what: why", worded by the edge (eng_note_check) */
	snprintf(buf, sizeof(buf), "%s: %s", what, e->everr.msg);
	n->rule_err = ds_strdup(buf);
	if (n->rule_err == NULL)
		e->oom = 1;
}

/* Own relevance / read-only flags of one node from its expressions. */
static void
eval_flags(struct eng *e, struct inst_node *n, const struct eng_bind *b)
{
	unsigned was = n->flags;
	int v;

	if (b->x[EX_RELEVANT] != NULL) {
		if (eng_eval_bool(e, b->x[EX_RELEVANT], n, &v) != DS_OK) {
			v = 1;	/* a runtime error shows the question */
			rule_note(e, n, "relevant");
		}
		if (v)
			n->flags &= ~(unsigned)INST_F_IRRELEVANT;
		else
			n->flags |= INST_F_IRRELEVANT;
	}
	if (b->x[EX_READONLY] != NULL) {
		if (eng_eval_bool(e, b->x[EX_READONLY], n, &v) != DS_OK) {
			v = 0;
			rule_note(e, n, "read_only");
		}
		if (v)
			n->flags |= INST_F_READONLY;
		else
			n->flags &= ~(unsigned)INST_F_READONLY;
	}
	/* With consent on file the gate (and its group) is not shown. */
	if (e->cf->consent != NULL && n->def == gate_node(e->cf)) {
		if (consent_on_file(e))
			n->flags |= INST_F_IRRELEVANT;
		else if (b->x[EX_RELEVANT] == NULL)
			n->flags &= ~(unsigned)INST_F_IRRELEVANT;
	}
	if ((was ^ n->flags) & (INST_F_IRRELEVANT | INST_F_READONLY)) {
		e->gen++;
		inst_touch(n);
	}
}

static void
process(struct eng *e, struct inst_node *n)
{
	const struct eng_bind *b = &e->cf->b[n->def->index];
	unsigned trig = n->flags & INST_F_TRIG;
	char *s = NULL;
	double d;
	size_t i, want;
	int changed;

	n->flags &= ~(unsigned)(INST_F_QUEUED | INST_F_TRIG);
	/* A calculation that does not run this time (its trigger did not
	 * fire, or the record is final) keeps the error it had. */
	if (!(n->flags & INST_F_RULE_CALC) || (n->kind == INST_LEAF &&
	    b->x[EX_CALC] != NULL && !((b->trigger != NULL && !trig) ||
	    e->finalized)))
		rule_clear(n);
	if (n->kind == INST_SET) {
		if (b->x[EX_COUNT] != NULL &&
		    eng_eval_num(e, b->x[EX_COUNT], n, &d) != DS_OK)
			rule_note(e, n, "repeat_count");
		else if (b->x[EX_COUNT] != NULL && !isnan(d) && d > 0) {
			want = d >= INST_MAX_ITEMS ? INST_MAX_ITEMS : (size_t)d;
			/* Collect never deletes when the count drops */
			while (n->nitems < want)
				if (eng_item_add(e, n, n->nitems, NULL) !=
				    DS_OK) {
					e->oom = 1;
					break;
				}
		}
		for (i = 0; i < n->nitems; i++) {
			rule_clear(n->items[i]);
			eval_flags(e, n->items[i], b);
		}
		return;
	}
	eval_flags(e, n, b);
	if (n->kind != INST_LEAF || b->x[EX_CALC] == NULL)
		return;
	if ((b->trigger != NULL && !trig) || e->finalized)
		return;
	if (eng_eval_str(e, b->x[EX_CALC], n, &s) != DS_OK) {
		s = NULL;	/* runtime error: stored as empty, as NaN */
		rule_note(e, n, "calculation");
		if (n->rule_err != NULL)
			n->flags |= INST_F_RULE_CALC;
	}
	if (inst_value_set(n, s, &changed) != DS_OK)
		e->oom = 1;
	ds_free(s);
	if (changed) {
		e->gen++;
		/* once(), now(), random(): replaying the answer that set
		 * it would not give this value again */
		if (expr_flags(b->x[EX_CALC]) & (EXPR_F_ONCE | EXPR_F_VOLATILE))
			e->sticky_gen++;
		inst_reason_set(n, NULL);
		/* a value filled in anew waits for the worker to confirm */
		n->flags &= ~(unsigned)INST_F_ANSWERED;
		eng_enqueue_deps(e, n, &b->out);
	}
}

enum ds_status
eng_run(struct eng *e)
{
	struct inst_node *n;

	while ((n = q_pop(e)) != NULL)
		process(e, n);
	if (e->oom) {
		e->oom = 0;
		return DS_ENOMEM;
	}
	return DS_OK;
}

/* ---- defaults and metadata ----------------------------------------- */

static void
meta_value(struct eng *e, struct inst_node *n)
{
	char iso[32];

	if (n->value != NULL)
		return;
	switch (n->def->type) {
	case FT_START:
		ds_time_iso(ds_now(), iso);
		(void)inst_value_set(n, iso, NULL);
		break;
	case FT_TODAY:
		ds_time_iso(ds_now(), iso);
		iso[10] = '\0';
		(void)inst_value_set(n, iso, NULL);
		break;
	case FT_DEVICEID:
		(void)inst_value_set(n, e->deviceid, NULL);
		break;
	case FT_USERNAME:
		(void)inst_value_set(n, e->username, NULL);
		break;
	case FT_START_GEOPOINT:
		if (e->start_geopoint != NULL)
			(void)inst_value_set(n, e->start_geopoint, NULL);
		break;
	default:
		break;
	}
}

/*
 * Defaults of a subtree, once per node: static ones (and metadata) when
 * dynamic = 0, expressions when dynamic = 1 (after the first compute, so
 * they see computed values outside the new nodes).
 */
enum ds_status
eng_defaults(struct eng *e, struct inst_node *n, int dynamic)
{
	const struct eng_bind *b = &e->cf->b[n->def->index];
	enum ds_status st;
	char *s = NULL;
	size_t i;
	int changed;

	if (n->kind == INST_LEAF && !(n->flags & INST_F_DEFAULTED)) {
		if (!dynamic) {
			meta_value(e, n);
			if (b->is_static_default && n->value == NULL &&
			    (st = inst_value_set(n, n->def->default_value,
			    NULL)) != DS_OK)
				return st;
			if (b->x[EX_DEFAULT] == NULL)
				n->flags |= INST_F_DEFAULTED;
		} else if (b->x[EX_DEFAULT] != NULL) {
			n->flags |= INST_F_DEFAULTED;
			if (n->value == NULL &&
			    eng_eval_str(e, b->x[EX_DEFAULT], n, &s) == DS_OK) {
				st = inst_value_set(n, s, &changed);
				ds_free(s);
				if (st != DS_OK)
					return st;
				if (changed) {
					e->gen++;
					eng_enqueue_deps(e, n, &b->out);
				}
			}
		}
	}
	if (n->kids != NULL)
		for (i = 0; i < n->def->nkids; i++)
			if ((st = eng_defaults(e, n->kids[i], dynamic)) != DS_OK)
				return st;
	if (n->kind == INST_SET && !dynamic)
		return DS_OK;	/* items get theirs when they are made */
	return DS_OK;
}

/* ---- repeats -------------------------------------------------------- */

/* Position users of a repeat in items [from, nitems). */
static void
enqueue_posusers(struct eng *e, struct inst_node *set, size_t from)
{
	const struct eng_bind *b = &e->cf->b[set->def->index];
	size_t i, k;

	if (b->nposusers == 0)
		return;
	for (i = from; i < set->nitems; i++)
		for (k = 0; k < b->nposusers; k++)
			enqueue_under(e, set->items[i],
			    e->f->nodes[b->posusers[k]], 0);
}

static void
enqueue_structural(struct eng *e, struct inst_node *set)
{
	const struct eng_bind *b = &e->cf->b[set->def->index];

	eng_enqueue_deps(e, set, &b->sout);
}

enum ds_status
eng_item_add(struct eng *e, struct inst_node *set, size_t at,
    struct inst_node **out)
{
	struct inst_node *it;
	enum ds_status st;

	if ((st = inst_item_insert(set, at, &it)) != DS_OK)
		return st;
	e->gen++;
	if ((st = eng_defaults(e, it, 0)) != DS_OK ||
	    (st = eng_defaults(e, it, 1)) != DS_OK) {
		inst_item_remove(set, at);
		return st;
	}
	eng_enqueue_subtree(e, it);
	if (e->cf->b[set->def->index].x[EX_RELEVANT] != NULL ||
	    e->cf->b[set->def->index].x[EX_READONLY] != NULL)
		eng_enqueue(e, set);	/* the new item's own flags */
	enqueue_structural(e, set);
	enqueue_posusers(e, set, at + 1);
	if (out != NULL)
		*out = it;
	return DS_OK;
}

/* 1 if n is inside (or is) sub. */
static int
inside(const struct inst_node *n, const struct inst_node *sub)
{
	for (; n != NULL; n = n->parent)
		if (n == sub)
			return 1;
	return 0;
}

static void
q_drop_subtree(struct eng *e, const struct inst_node *sub)
{
	struct eng_queue *q = &e->q;
	size_t i, j = 0;

	/* rare: only when a queued node dies; rebuild the heap */
	for (i = 0; i < q->n; i++)
		if (!inside(q->v[i], sub))
			q->v[j++] = q->v[i];
	if (j == q->n)
		return;
	q->n = 0;
	for (i = 0; i < j; i++)
		(void)q_push(e, q->v[i]);
}

enum ds_status
eng_item_remove(struct eng *e, struct inst_node *set, size_t at)
{
	struct inst_node *it = set->items[at];

	if (e->cur != NULL && inside(e->cur, it))
		e->cur = set;
	if (e->q.n > 0)
		q_drop_subtree(e, it);
	inst_item_remove(set, at);
	e->gen++;
	enqueue_structural(e, set);
	enqueue_posusers(e, set, at);
	return DS_OK;
}

/* ---- answers -------------------------------------------------------- */

/* The gate is closed: refused, or not answered yet (then the gate's own
 * label is the fact: the form's words for its letter). */
enum ds_status
eng_gate_error(struct eng *e, struct ds_err *err)
{
	const struct form_node *g = e->cf->consent;

	if (eng_consent_state(e) == 2)
		return eng_refuse(e, err, DS_ESTATE, NULL,
		    ENG_MSG_CONSENT_REFUSED, NULL);
	return eng_refuse(e, err, DS_ESTATE, NULL, ENG_MSG_CONSENT_OPEN,
	    g != NULL ? form_text_get(e->f, &g->label, e->lang) : NULL);
}

/* Check every name of a select answer against the filtered list. */
static enum ds_status
check_select(struct eng *e, struct inst_node *n, const char *v,
    struct ds_err *err)
{
	const struct form_list *l = eng_list_of(e, n->def);
	const char *p = v;
	char name[INST_NAME_MAX];
	size_t len, i;

	while (*p != '\0') {
		len = strcspn(p, " ");
		for (i = 0; l != NULL && i < l->nchoices; i++)
			if (strlen(l->choices[i].name) == len &&
			    memcmp(l->choices[i].name, p, len) == 0)
				break;
		if (len >= sizeof(name))
			len = sizeof(name) - 1;
		memcpy(name, p, len);
		name[len] = '\0';
		if (l == NULL || i == l->nchoices) {
			if (!(n->def->or_other && len == 5 &&
			    memcmp(p, "other", 5) == 0))
				return eng_refuse(e, err, DS_ETYPE, n,
				    ENG_MSG_NO_OPTION, name);
		} else if (!eng_choice_ok(e, n, l, i))
			return eng_refuse(e, err, DS_ETYPE, n,
			    ENG_MSG_OPTION_HIDDEN, name);
		p += len;
		while (*p == ' ')
			p++;
	}
	return DS_OK;
}

/*
 * Evaluate n's constraint or warning against its current value.
 * *ok = 0 when it fails; a runtime error counts as failing and returns
 * DS_ETYPE (e->everr says why).
 */
enum ds_status
eng_check_expr(struct eng *e, struct inst_node *n, enum eng_xk xk, int *ok)
{
	const struct expr *x = e->cf->b[n->def->index].x[xk];

	*ok = 1;
	/* ODK: a constraint is only checked on a non-empty answer; a
	 * doorstep warning likewise (an empty answer is required's job) */
	if (x == NULL || n->value == NULL)
		return DS_OK;
	if (eng_eval_bool(e, x, n, ok) != DS_OK) {
		*ok = 0;
		return DS_ETYPE;
	}
	return DS_OK;
}

/*
 * The checks an answer passes before it is stored: read-only, relevance,
 * the consent gate, its type (normalised into *nv, NULL when empty), its
 * options and its constraint.
 */
static enum ds_status
check_set(struct eng *e, struct inst_node *n, const char *s, char **nv,
    struct ds_err *err)
{
	const struct eng_bind *b = &e->cf->b[n->def->index];
	enum ds_status st;
	enum eng_msg why;
	char *old;
	int ok;

	*nv = NULL;
	if (eng_readonly(e, n))
		return ds_err_set(err, DS_ESTATE, "%s is read-only",
		    n->def->name);
	if (!eng_relevant(n))
		return ds_err_set(err, DS_ESTATE, "%s is not relevant with "
		    "the answers given", n->def->name);
	if (eng_blocked(e, n))
		return eng_gate_error(e, err);
	if (s != NULL && *s != '\0') {
		if ((st = eng_type_norm(n->def->type, s, &e->tmp, &why,
		    err)) != DS_OK)
			return st == DS_ETYPE ? eng_refuse(e, err, st, n, why,
			    NULL) : st;
		if (e->tmp.len > 0 && (*nv = ds_strdup(e->tmp.p)) == NULL)
			return ds_err_set(err, DS_ENOMEM, NULL);
	}
	if (*nv != NULL && (n->def->type == FT_SELECT_ONE ||
	    n->def->type == FT_SELECT_MULTIPLE) &&
	    (st = check_select(e, n, *nv, err)) != DS_OK)
		goto out;
	if (*nv != NULL && b->x[EX_CONSTRAINT] != NULL) {
		/* JR: the constraint is checked before the value commits;
		 * one that cannot be computed does not stop the interview
		 * (the question then shows the rule error, finalize waits) */
		old = n->value;
		n->value = *nv;
		if (eng_check_expr(e, n, EX_CONSTRAINT, &ok) != DS_OK)
			ok = 1;
		n->value = old;
		if (!ok) {
			st = eng_refuse(e, err, DS_ECONSTRAINT, n,
			    ENG_MSG_CONSTRAINT, NULL);
			eng_refuse_id(e, n, *nv);
			goto out;
		}
	}
	return DS_OK;
out:
	ds_free(*nv);
	*nv = NULL;
	return st;
}

/*
 * Set n to s.  replay: an answer the session saved as it was taken
 * (eng_replay), stored as a restore stores a saved one, without the
 * checks it passed then: a clock set back or a revised form must not
 * make a saved answer refuse to open.
 */
static enum ds_status
set_node(struct eng *e, struct inst_node *n, const char *s, int replay,
    struct ds_err *err)
{
	const struct eng_bind *b;
	enum ds_status st;
	char *nv = NULL;
	int changed;

	eng_refusal_clear(e);
	if (e->finalized)
		return eng_refuse(e, err, DS_ESTATE, n, ENG_MSG_FINALIZED,
		    NULL);
	if (n->kind != INST_LEAF)
		return ds_err_set(err, DS_EINVAL, "not a question");
	b = &e->cf->b[n->def->index];
	ds_err_at(err, e->f->source, n->def->line, n->def->name);
	if (!replay && (st = check_set(e, n, s, &nv, err)) != DS_OK)
		return st;
	if (replay && s != NULL && *s != '\0' && (nv = ds_strdup(s)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	st = inst_value_set(n, nv, &changed);
	ds_free(nv);
	if (st != DS_OK)
		return ds_err_set(err, st, NULL);
	if (!(n->flags & INST_F_ANSWERED)) {
		e->gen++;	/* confirmed: progress counts it */
		inst_touch(n);
	}
	n->flags |= INST_F_ANSWERED;
	if (!changed)
		return DS_OK;
	e->gen++;
	(void)inst_reason_set(n, NULL);
	eng_enqueue_deps(e, n, &b->out);
	if ((st = eng_run(e)) != DS_OK)
		return ds_err_set(err, st, NULL);
	return DS_OK;
}

enum ds_status
eng_set_node(struct eng *e, struct inst_node *n, const char *s,
    struct ds_err *err)
{
	return set_node(e, n, s, 0, err);
}

enum ds_status
eng_replay(struct eng *e, const char *path, const char *s,
    struct ds_err *err)
{
	struct inst_node *n;

	ds_err_clear(err);
	if (path == NULL || (n = eng_path_find(e, path)) == NULL ||
	    n->kind != INST_LEAF)
		return ds_err_set(err, DS_ENOENT, "no question %s",
		    path != NULL ? path : "");
	return set_node(e, n, s, 1, err);
}

enum ds_status
eng_set(struct eng *e, const char *path, const char *s, struct ds_err *err)
{
	struct inst_node *n;

	ds_err_clear(err);
	if (path == NULL) {
		const struct eng_prompt *p = eng_prompt(e);

		if (p->kind != EP_QUESTION)
			return ds_err_set(err, DS_ESTATE,
			    "no question at the cursor");
		path = p->path;
	}
	if ((n = eng_path_find(e, path)) == NULL || n->kind != INST_LEAF)
		return ds_err_set(err, DS_ENOENT, "no question %s", path);
	return eng_set_node(e, n, s, err);
}

/*
 * 1 if eng_set would take s at path (type, options, constraint), without
 * storing it: what the keys typed so far allow next, so that an answer
 * that nothing could extend is complete (tui_form.c moves on).
 */
int
eng_would_take(struct eng *e, const char *path, const char *s)
{
	struct inst_node *n;
	struct ds_err err;
	enum eng_msg why;
	char *old, *nv;
	int ok;

	if (path == NULL || s == NULL || *s == '\0' || e->finalized ||
	    (n = eng_path_find(e, path)) == NULL || n->kind != INST_LEAF ||
	    eng_readonly(e, n) || !eng_relevant(n))
		return 0;
	ds_err_clear(&err);
	if (eng_type_norm(n->def->type, s, &e->tmp, &why, &err) != DS_OK ||
	    e->tmp.len == 0 || (nv = ds_strdup(e->tmp.p)) == NULL)
		return 0;
	ok = (n->def->type != FT_SELECT_ONE &&
	    n->def->type != FT_SELECT_MULTIPLE) ||
	    check_select(e, n, nv, &err) == DS_OK;
	if (ok) {
		old = n->value;
		n->value = nv;
		if (eng_check_expr(e, n, EX_CONSTRAINT, &ok) != DS_OK)
			ok = 0;
		n->value = old;
	}
	ds_free(nv);
	eng_refusal_clear(e);
	return ok;
}

enum ds_status
eng_reason(struct eng *e, const char *path, const char *reason,
    struct ds_err *err)
{
	struct inst_node *n;
	int ok;

	ds_err_clear(err);
	eng_refusal_clear(e);
	if (e->finalized)
		return eng_refuse(e, err, DS_ESTATE, NULL, ENG_MSG_FINALIZED,
		    NULL);
	if ((n = eng_path_find(e, path)) == NULL || n->kind != INST_LEAF)
		return ds_err_set(err, DS_ENOENT, "no question %s", path);
	if (reason != NULL && *reason != '\0') {
		if (strlen(reason) > ENG_REASON_MAX)
			return ds_err_set(err, DS_ELIMIT, "reason too long");
		(void)eng_check_expr(e, n, EX_WARNING, &ok);
		if (ok)
			return ds_err_set(err, DS_ESTATE, "no warning to "
			    "confirm at %s", path);
	}
	e->gen++;
	return ds_err_set(err, inst_reason_set(n, reason), NULL);
}

/* ---- repeat actions ------------------------------------------------- */

static enum ds_status
find_set(struct eng *e, const char *path, struct inst_node **out,
    struct ds_err *err)
{
	struct inst_node *n;

	eng_refusal_clear(e);
	if (e->finalized)
		return eng_refuse(e, err, DS_ESTATE, NULL, ENG_MSG_FINALIZED,
		    NULL);
	if ((n = eng_path_find(e, path)) == NULL)
		return ds_err_set(err, DS_ENOENT, "no repeat %s", path);
	if (n->kind == INST_ITEM)
		n = n->parent;
	if (n->kind != INST_SET)
		return ds_err_set(err, DS_EINVAL, "%s is not a repeat", path);
	if (!eng_relevant(n->parent) || !eng_set_relevant(e, n))
		return ds_err_set(err, DS_ESTATE, "%s is not relevant", path);
	if (eng_blocked(e, n))
		return eng_gate_error(e, err);
	*out = n;
	return DS_OK;
}

static enum ds_status
repeat_insert(struct eng *e, const char *path, size_t at, int append,
    struct ds_err *err)
{
	struct inst_node *set, *it;
	enum ds_status st;

	ds_err_clear(err);
	if ((st = find_set(e, path, &set, err)) != DS_OK)
		return st;
	if (e->cf->b[set->def->index].x[EX_COUNT] != NULL)
		return eng_refuse(e, err, DS_ESTATE, set, ENG_MSG_COUNT_FIXED,
		    NULL);
	if (append)
		at = set->nitems;
	if (at > set->nitems)
		return ds_err_set(err, DS_EINVAL, "no position %zu in %s",
		    at, path);
	if ((st = eng_item_add(e, set, at, &it)) != DS_OK)
		return ds_err_set(err, st, "cannot add to %s", path);
	if ((st = eng_run(e)) != DS_OK)
		return ds_err_set(err, st, NULL);
	e->cur = it;
	e->cur = eng_nav_first_in(e, it);
	return DS_OK;
}

enum ds_status
eng_repeat_add(struct eng *e, const char *set, struct ds_err *err)
{
	return repeat_insert(e, set, 0, 1, err);
}

enum ds_status
eng_repeat_insert(struct eng *e, const char *set, size_t at,
    struct ds_err *err)
{
	return repeat_insert(e, set, at, 0, err);
}

enum ds_status
eng_repeat_remove(struct eng *e, const char *path, size_t at,
    struct ds_err *err)
{
	struct inst_node *set;
	enum ds_status st;
	double d;

	ds_err_clear(err);
	if ((st = find_set(e, path, &set, err)) != DS_OK)
		return st;
	if (at >= set->nitems)
		return ds_err_set(err, DS_EINVAL, "no item %zu in %s", at + 1,
		    path);
	if (e->cf->b[set->def->index].x[EX_COUNT] != NULL &&
	    eng_eval_num(e, e->cf->b[set->def->index].x[EX_COUNT], set,
	    &d) == DS_OK && !isnan(d) && (double)set->nitems <= d)
		return eng_refuse(e, err, DS_ESTATE, set, ENG_MSG_COUNT_LOWER,
		    NULL);
	eng_item_remove(e, set, at);
	if ((st = eng_run(e)) != DS_OK)
		return ds_err_set(err, st, NULL);
	return DS_OK;
}

/* ---- life cycle ----------------------------------------------------- */

enum ds_status
eng_new_empty(const struct eng_form *cf, const struct eng_opts *o,
    struct eng **out)
{
	struct eng *e;

	if ((e = ds_calloc(1, sizeof(*e))) == NULL)
		return DS_ENOMEM;
	e->cf = cf;
	e->f = cf->f;
	e->lang = o != NULL && o->lang >= 0 && (size_t)o->lang < e->f->nlangs ?
	    o->lang : e->f->default_lang;
	ds_buf_init(&e->tmp, INST_MAX_VALUE + 1024);
	ds_buf_init(&e->tmp2, INST_MAX_VALUE + 1024);
	expr_rng_seed(&e->rng, (uint64_t)ds_now_ms());
	if (o != NULL && ((o->deviceid != NULL &&
	    (e->deviceid = ds_strdup(o->deviceid)) == NULL) ||
	    (o->username != NULL &&
	    (e->username = ds_strdup(o->username)) == NULL) ||
	    (o->start_geopoint != NULL &&
	    (e->start_geopoint = ds_strdup(o->start_geopoint)) == NULL))) {
		eng_free(e);
		return DS_ENOMEM;
	}
	if (inst_new(e->f, &e->root) != DS_OK) {
		eng_free(e);
		return DS_ENOMEM;
	}
	/* The gate is outside every roster (eng_compile): one node for
	 * the life of the tree. */
	if (cf->consent != NULL)
		e->consent_node = eng_ref1(e, e->root, cf->consent);
	*out = e;
	return DS_OK;
}

/* Full compute after building or loading a tree. */
enum ds_status
eng_compute_all(struct eng *e, int defaults)
{
	enum ds_status st;

	e->full = 1;
	e->gen++;
	if (defaults && (st = eng_defaults(e, e->root, 0)) != DS_OK)
		return st;
	eng_enqueue_subtree(e, e->root);
	if ((st = eng_run(e)) != DS_OK)
		return st;
	if (defaults) {
		if ((st = eng_defaults(e, e->root, 1)) != DS_OK)
			return st;
		if ((st = eng_run(e)) != DS_OK)
			return st;
	}
	e->full = 0;
	return DS_OK;
}

enum ds_status
eng_open(const struct eng_form *cf, const struct eng_opts *o,
    struct eng **out, struct ds_err *err)
{
	struct eng *e;
	enum ds_status st;

	ds_err_clear(err);
	if ((st = eng_new_empty(cf, o, &e)) != DS_OK)
		return ds_err_set(err, st, NULL);
	if ((st = eng_compute_all(e, 1)) != DS_OK) {
		eng_free(e);
		return ds_err_set(err, st, "cannot start the interview");
	}
	e->cur = eng_nav_first_in(e, e->root);
	*out = e;
	return DS_OK;
}

void
eng_free(struct eng *e)
{
	if (e == NULL)
		return;
	inst_free(e->root);
	ds_free(e->q.v);
	ds_free(e->deviceid);
	ds_free(e->username);
	ds_free(e->start_geopoint);
	if (e->meta != NULL)
		json_decref(e->meta);
	ds_buf_reset(&e->tmp);
	ds_buf_reset(&e->tmp2);
	eng_arena_clear(e);
	eng_choice_cache_clear(e);
	ds_free(e->arena);
	ds_free(e->prompt.fields);
	eng_refusal_clear(e);
	eng_scopes_free(e);
	ds_free(e);
}

void
eng_set_lang(struct eng *e, int lang)
{
	e->lang = lang >= 0 && (size_t)lang < e->f->nlangs ? lang :
	    e->f->default_lang;
}

struct inst_node *
eng_root(const struct eng *e)
{
	return e->root;
}

int
eng_is_finalized(const struct eng *e)
{
	return e->finalized;
}

const char *
eng_value(struct eng *e, const char *path)
{
	struct inst_node *n = eng_path_find(e, path);

	return n != NULL && n->kind == INST_LEAF ? n->value : NULL;
}

/* The empty start-geopoint leaves under n (not in rosters) take e's fix. */
static enum ds_status
start_geo_fill(struct eng *e, struct inst_node *n)
{
	enum ds_status st;
	size_t i;
	int changed;

	if (n->kind == INST_LEAF) {
		if (n->def->type != FT_START_GEOPOINT || n->value != NULL)
			return DS_OK;
		if ((st = inst_value_set(n, e->start_geopoint, &changed)) !=
		    DS_OK)
			return st;
		if (changed) {
			e->gen++;
			eng_enqueue_deps(e, n, &e->cf->b[n->def->index].out);
		}
		return DS_OK;
	}
	if (n->kind == INST_SET || n->kids == NULL)
		return DS_OK;
	for (i = 0; i < n->def->nkids; i++)
		if ((st = start_geo_fill(e, n->kids[i])) != DS_OK)
			return st;
	return DS_OK;
}

enum ds_status
eng_start_geopoint(struct eng *e, const char *fix)
{
	char *c;

	if (e->finalized)
		return DS_ESTATE;
	if (e->start_geopoint != NULL)
		return DS_EEXIST;
	if ((c = ds_strdup(fix)) == NULL)
		return DS_ENOMEM;
	e->start_geopoint = c;
	if (e->root == NULL)
		return DS_OK;
	if (start_geo_fill(e, e->root) != DS_OK)
		return DS_ENOMEM;
	return eng_run(e);
}

enum ds_status
eng_meta_set(struct eng *e, const char *key, json_t *v)
{
	struct inst_node *n;

	if (e->meta == NULL && (e->meta = json_object()) == NULL)
		return DS_ENOMEM;
	/* The same value again changes nothing (a save notes what it
	 * carried each time): the generation stays. */
	if (v != NULL && json_equal(json_object_get(e->meta, key), v))
		return DS_OK;
	if (v == NULL && json_object_del(e->meta, key) != 0)
		return DS_ENOENT;
	if (v != NULL && json_object_set(e->meta, key, v) != 0)
		return DS_ENOMEM;
	e->gen++;
	/* Consent on file hides the gate, or shows it again. */
	if (strcmp(key, "consent_ref") == 0 && e->cf->consent != NULL &&
	    e->root != NULL && (n = eng_ref1(e, e->root,
	    gate_node(e->cf))) != NULL) {
		if (consent_on_file(e))
			n->flags |= INST_F_IRRELEVANT;
		else if (e->cf->b[n->def->index].x[EX_RELEVANT] == NULL)
			n->flags &= ~(unsigned)INST_F_IRRELEVANT;
		else
			eng_enqueue(e, n);
		inst_touch(n);
		return eng_run(e);
	}
	return DS_OK;
}

unsigned long
eng_generation(const struct eng *e)
{
	return e->gen;
}

unsigned long
eng_sticky_generation(const struct eng *e)
{
	return e->sticky_gen;
}

json_t *
eng_meta_get(const struct eng *e, const char *key)
{
	return e->meta != NULL ? json_object_get(e->meta, key) : NULL;
}

char *
eng_instance_name(struct eng *e)
{
	char *s = NULL;

	if (e->cf->instance_name == NULL ||
	    eng_eval_str(e, e->cf->instance_name, e->root, &s) != DS_OK)
		return NULL;
	if (s != NULL && *s == '\0') {
		ds_free(s);
		return NULL;
	}
	return s;
}

char *
eng_household_key(struct eng *e)
{
	const struct inst_node *n;

	if (e->cf->hhkey == NULL ||
	    (n = eng_ref1(e, e->root, e->cf->hhkey)) == NULL ||
	    n->value == NULL)
		return NULL;
	return ds_strdup(n->value);
}

size_t
eng_answers_of(struct eng *e, const char *name, const char **out,
    size_t max)
{
	const struct form_node *d = form_find(e->f, name);
	const struct inst_node *n;
	struct expr_nodes ns;
	size_t i, k = 0;

	if (d == NULL)
		return 0;
	expr_nodes_init(&ns);
	if (eng_resolve(e, e->root, d, 1, &ns) == DS_OK)
		for (i = 0; i < ns.n && k < max; i++) {
			n = ns.v[i].p;
			if (n->kind == INST_LEAF && n->value != NULL)
				out[k++] = n->value;
		}
	expr_nodes_reset(&ns);
	return k;
}

enum ds_status
eng_refresh(struct eng *e)
{
	size_t i;

	if (e->finalized)
		return DS_OK;
	for (i = 0; i < e->cf->nvolatiles; i++)
		enqueue_under(e, e->root, e->f->nodes[e->cf->volatiles[i]], 0);
	return eng_run(e);
}
