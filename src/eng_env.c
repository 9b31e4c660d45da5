/* doorstep: the expression environment over the instance tree. */
/*
 * Implements struct expr_env (expr.h) for the engine.  Handles: the primary
 * tree's nodes are (inst_node *, TAG_INST); the primary document node is
 * (eng, TAG_DOC).  Every choice list is a secondary instance
 * instance('list')/root/item with children name, label and the extra
 * columns: (list, TAG_LDOC), (list, TAG_LROOT), (list, idx<<3|TAG_LITEM),
 * (list, (idx<<10|field)<<3|TAG_LFIELD).  Repeat sets are not XPath
 * elements: an item's parent is the set's parent, and the items are the
 * children named after the repeat.
 *
 * ${name} resolves like pyxform's relative paths: up from the context to
 * the deepest repeat item shared with the target, then down, fanning out
 * over every item of each repeat below that point.
 */
#include "eng_int.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "mem.h"
#include "util.h"

#define TAG_INST	0
#define TAG_DOC		1
#define TAG_LDOC	2
#define TAG_LROOT	3
#define TAG_LITEM	4
#define TAG_LFIELD	5
#define TAG(h)		((h).i & 7u)
#define IDX(h)		((h).i >> 3)
#define FIELD_BITS	10

struct expr_node
eng_hnode(const struct inst_node *n)
{
	struct expr_node h;

	h.p = n;
	h.i = TAG_INST;
	return h;
}

/*
 * Expressions see choice labels in the form's default language, whatever
 * language the screen shows: what a calculation stores must not depend on
 * the worker's language (a village name saved as "Donghu (sample)" from
 * the English screen was another village to the office).
 */
#define DATA_LANG(e)	((e)->f->default_lang)

static struct expr_node
mk(const void *p, size_t idx, unsigned tag)
{
	struct expr_node h;

	h.p = p;
	h.i = (idx << 3) | tag;
	return h;
}

static const struct inst_node *
inode(struct expr_node h)
{
	return TAG(h) == TAG_INST ? h.p : NULL;
}

/* Append n (a SET expands to its items). */
static enum ds_status
add_node(struct expr_nodes *out, const struct inst_node *n)
{
	enum ds_status st;
	size_t i;

	if (n->kind != INST_SET)
		return expr_nodes_add(out, eng_hnode(n));
	for (i = 0; i < n->nitems; i++)
		if ((st = expr_nodes_add(out, eng_hnode(n->items[i]))) != DS_OK)
			return st;
	return DS_OK;
}

/*
 * Append the instances of def under `from` (whose def is an ancestor of
 * def), walking the def chain down and fanning out over repeat items.
 */
static enum ds_status
descend(struct eng *e, const struct inst_node *from,
    const struct form_node *def, struct expr_nodes *out)
{
	const struct form_node *chain[64];
	const struct form_node *d;
	size_t nc = 0;

	for (d = def; d != NULL && d != from->def; d = d->parent) {
		if (nc == 64)
			return DS_ELIMIT;
		chain[nc++] = d;
	}
	if (d == NULL)
		return DS_OK;
	return eng_descend_chain(e, from, chain, nc, out);
}

enum ds_status
eng_descend_chain(struct eng *e, const struct inst_node *n,
    const struct form_node *const *chain, size_t nc, struct expr_nodes *out)
{
	const struct form_node *d;
	const struct inst_node *k;
	enum ds_status st;
	size_t i;

	d = chain[nc - 1];
	if (n->kids == NULL)
		return DS_OK;
	k = n->kids[e->cf->b[d->index].kidpos];
	if (nc == 1)
		return add_node(out, k);
	if (k->kind == INST_SET) {
		for (i = 0; i < k->nitems; i++)
			if ((st = eng_descend_chain(e, k->items[i], chain,
			    nc - 1, out)) != DS_OK)
				return st;
		return DS_OK;
	}
	return eng_descend_chain(e, k, chain, nc - 1, out);
}

enum ds_status
eng_resolve(struct eng *e, const struct inst_node *from,
    const struct form_node *def, int all, struct expr_nodes *out)
{
	const struct form_node *r;
	const struct inst_node *anchor = NULL;

	if (!all && from != NULL) {
		/* deepest repeat item of `from` that also holds def */
		for (anchor = from; anchor != NULL; anchor = anchor->parent) {
			if (anchor->kind != INST_ITEM)
				continue;
			for (r = def; r != NULL && r != anchor->def;
			    r = r->parent)
				;
			if (r != NULL)
				break;
		}
		if (anchor != NULL && anchor->def == def)
			return expr_nodes_add(out, eng_hnode(anchor));
	}
	if (anchor == NULL)
		anchor = e->root;
	if (def == anchor->def)
		return add_node(out, anchor);
	return descend(e, anchor, def, out);
}

struct inst_node *
eng_ref1(struct eng *e, const struct inst_node *from,
    const struct form_node *def)
{
	struct expr_nodes ns;
	struct inst_node *r = NULL;

	expr_nodes_init(&ns);
	if (eng_resolve(e, from, def, 0, &ns) == DS_OK && ns.n > 0)
		r = (struct inst_node *)(uintptr_t)ns.v[0].p;
	expr_nodes_reset(&ns);
	return r;
}

static enum ds_status
cb_ref(void *ctx, const char *name, size_t len, struct expr_node from,
    unsigned flags, struct expr_nodes *out, struct ds_err *err)
{
	struct eng *e = ctx;
	char buf[INST_NAME_MAX];
	const struct form_node *def;

	if (len >= sizeof(buf))
		return ds_err_set(err, DS_ENOENT, "unknown question");
	memcpy(buf, name, len);
	buf[len] = '\0';
	if ((def = form_find(e->f, buf)) == NULL)
		return ds_err_set(err, DS_ENOENT, "unknown question ${%s}",
		    buf);
	return eng_resolve(e, inode(from), def,
	    (flags & EXPR_RESOLVE_ALL) != 0, out);
}

static enum ds_status
cb_root(void *ctx, struct expr_node *out)
{
	*out = mk(ctx, 0, TAG_DOC);
	return DS_OK;
}

static int
cb_parent(void *ctx, struct expr_node n, struct expr_node *out)
{
	struct eng *e = ctx;
	const struct inst_node *in;

	switch (TAG(n)) {
	case TAG_INST:
		in = n.p;
		if (in->parent == NULL) {
			*out = mk(e, 0, TAG_DOC);
			return 1;
		}
		in = in->parent;
		if (in->kind == INST_SET)
			in = in->parent;
		*out = eng_hnode(in);
		return 1;
	case TAG_LROOT:
		*out = mk(n.p, 0, TAG_LDOC);
		return 1;
	case TAG_LITEM:
		*out = mk(n.p, 0, TAG_LROOT);
		return 1;
	case TAG_LFIELD:
		*out = mk(n.p, IDX(n) >> FIELD_BITS, TAG_LITEM);
		return 1;
	default:
		return 0;
	}
}

static int
name_is(const char *want, size_t len, const char *have)
{
	return want == NULL || (have != NULL && strlen(have) == len &&
	    memcmp(want, have, len) == 0);
}

static enum ds_status
cb_children(void *ctx, struct expr_node n, const char *name, size_t len,
    struct expr_nodes *out)
{
	struct eng *e = ctx;
	const struct inst_node *in;
	const struct form_list *l;
	const struct form_choice *ch;
	enum ds_status st;
	size_t i;

	switch (TAG(n)) {
	case TAG_DOC:
		/* the root element: any name (pyxform uses the form id) */
		return expr_nodes_add(out, eng_hnode(e->root));
	case TAG_INST:
		in = n.p;
		if (in->kids == NULL)
			return DS_OK;
		for (i = 0; i < in->def->nkids; i++)
			if (name_is(name, len,
			    form_node_xml_name(in->def->kids[i])) &&
			    (st = add_node(out, in->kids[i])) != DS_OK)
				return st;
		return DS_OK;
	case TAG_LDOC:
		if (name_is(name, len, "root"))
			return expr_nodes_add(out, mk(n.p, 0, TAG_LROOT));
		return DS_OK;
	case TAG_LROOT:
		l = n.p;
		if (!name_is(name, len, "item"))
			return DS_OK;
		for (i = 0; i < l->nchoices; i++)
			if ((st = expr_nodes_add(out, mk(l, i,
			    TAG_LITEM))) != DS_OK)
				return st;
		return DS_OK;
	case TAG_LITEM:
		l = n.p;
		ch = &l->choices[IDX(n)];
		if (name_is(name, len, "name"))
			if ((st = expr_nodes_add(out, mk(l,
			    IDX(n) << FIELD_BITS | 0, TAG_LFIELD))) != DS_OK)
				return st;
		if (name_is(name, len, "label"))
			if ((st = expr_nodes_add(out, mk(l,
			    IDX(n) << FIELD_BITS | 1, TAG_LFIELD))) != DS_OK)
				return st;
		for (i = 0; i < ch->nextra && i + 2 < (1u << FIELD_BITS); i++)
			if (name_is(name, len, ch->extra[i].key) &&
			    (st = expr_nodes_add(out, mk(l,
			    IDX(n) << FIELD_BITS | (i + 2), TAG_LFIELD))) !=
			    DS_OK)
				return st;
		return DS_OK;
	default:
		return DS_OK;
	}
}

static enum ds_status
cb_value(void *ctx, struct expr_node n, const char **s, size_t *len)
{
	struct eng *e = ctx;
	const struct inst_node *in;
	const struct form_list *l;
	const struct form_choice *ch;
	const char *v = NULL;
	size_t f;

	switch (TAG(n)) {
	case TAG_INST:
		in = n.p;
		v = in->kind == INST_LEAF ? in->value : NULL;
		break;
	case TAG_LFIELD:
		l = n.p;
		f = IDX(n) & ((1u << FIELD_BITS) - 1);
		ch = &l->choices[IDX(n) >> FIELD_BITS];
		if (f == 0)
			v = ch->name;
		else if (f == 1)
			v = form_text_get(e->f, &ch->label, DATA_LANG(e));
		else
			v = ch->extra[f - 2].value;
		break;
	default:
		break;
	}
	*s = v != NULL ? v : "";
	*len = strlen(*s);
	return DS_OK;
}

static enum val_type
cb_type(void *ctx, struct expr_node n)
{
	const struct inst_node *in = inode(n);

	(void)ctx;
	if (in == NULL || in->kind != INST_LEAF)
		return VAL_STRING;
	switch (in->def->type) {
	case FT_INTEGER:
	case FT_DECIMAL:
		return VAL_NUMBER;
	case FT_DATE:
	case FT_TODAY:
		return VAL_DATE;
	case FT_DATETIME:
	case FT_START:
	case FT_END:
		return VAL_DATETIME;
	default:
		return VAL_STRING;
	}
}

static size_t
cb_position(void *ctx, struct expr_node n)
{
	const struct inst_node *in;

	(void)ctx;
	switch (TAG(n)) {
	case TAG_INST:
		in = n.p;
		return in->kind == INST_ITEM ? in->pos + 1 : 1;
	case TAG_LITEM:
		return IDX(n) + 1;
	default:
		return 1;
	}
}

static enum ds_status
cb_instance(void *ctx, const char *id, size_t len, struct expr_node *out,
    struct ds_err *err)
{
	struct eng *e = ctx;
	char name[INST_NAME_MAX];
	int l;

	/* form_list_find also knows a CSV list by its stem ("lines") */
	if (len < sizeof(name)) {
		memcpy(name, id, len);
		name[len] = '\0';
		if ((l = form_list_find(e->f, name)) >= 0) {
			*out = mk(&e->f->lists[l], 0, TAG_LDOC);
			return DS_OK;
		}
	}
	return ds_err_set(err, DS_ENOENT, "unknown instance '%.*s'",
	    (int)len, id);
}

static enum ds_status
cb_choice_name(void *ctx, struct expr_node current, const char *path,
    size_t pathlen, const char *value, size_t valuelen, const char **label,
    size_t *labellen, struct ds_err *err)
{
	struct eng *e = ctx;
	const struct form_node *q = NULL;
	const struct form_list *l;
	char name[INST_NAME_MAX];
	const char *p, *s;
	size_t i, n;

	(void)current;
	(void)err;
	*label = "";
	*labellen = 0;
	/* '${q}' or a path: the last step names the question */
	p = path;
	n = pathlen;
	if (n >= 3 && p[0] == '$' && p[1] == '{' && p[n - 1] == '}') {
		p += 2;
		n -= 3;
	} else {
		for (i = n; i > 0 && p[i - 1] != '/'; i--)
			;
		p += i;
		n -= i;
	}
	if (n == 0 || n >= sizeof(name))
		return DS_OK;
	memcpy(name, p, n);
	name[n] = '\0';
	if ((q = form_find(e->f, name)) == NULL ||
	    (l = eng_list_of(e, q)) == NULL)
		return DS_OK;
	for (i = 0; i < l->nchoices; i++)
		if (name_is(value, valuelen, l->choices[i].name)) {
			s = form_text_get(e->f, &l->choices[i].label,
			    DATA_LANG(e));
			if (s != NULL) {
				*label = s;
				*labellen = strlen(s);
			}
			break;
		}
	return DS_OK;
}

static uint64_t
cb_rand64(void *ctx)
{
	struct eng *e = ctx;

	return expr_rng_next(&e->rng);
}

void
eng_env_make(struct eng *e, struct expr_env *env,
    const struct inst_node *context)
{
	memset(env, 0, sizeof(*env));
	env->ctx = e;
	env->context = eng_hnode(context);
	env->current = env->context;
	env->ref = cb_ref;
	env->root = cb_root;
	env->parent = cb_parent;
	env->children = cb_children;
	env->value = cb_value;
	env->type = cb_type;
	env->position = cb_position;
	env->instance = cb_instance;
	env->choice_name = cb_choice_name;
	env->rand64 = cb_rand64;
}

/* Contexts: a SET evaluates (repeat_count) from its parent. */
static const struct inst_node *
ctx_of(const struct inst_node *n)
{
	return n->kind == INST_SET ? n->parent : n;
}

enum ds_status
eng_eval_bool(struct eng *e, const struct expr *x,
    const struct inst_node *ctx, int *out)
{
	struct expr_env env;

	eng_env_make(e, &env, ctx_of(ctx));
	ds_err_clear(&e->everr);
	return expr_eval_bool(x, &env, out, &e->everr);
}

enum ds_status
eng_eval_num(struct eng *e, const struct expr *x,
    const struct inst_node *ctx, double *out)
{
	struct expr_env env;

	eng_env_make(e, &env, ctx_of(ctx));
	ds_err_clear(&e->everr);
	return expr_eval_number(x, &env, out, &e->everr);
}

enum ds_status
eng_eval_str(struct eng *e, const struct expr *x,
    const struct inst_node *ctx, char **out)
{
	struct expr_env env;
	size_t len;

	eng_env_make(e, &env, ctx_of(ctx));
	ds_err_clear(&e->everr);
	return expr_eval_string(x, &env, out, &len, &e->everr);
}

/* The text of column `col` of choice ch ("" when absent). */
static const char *
choice_col(struct eng *e, const struct form_choice *ch, const char *col)
{
	const char *v = NULL;
	size_t i;

	if (strcmp(col, "name") == 0)
		v = ch->name;
	else if (strcmp(col, "label") == 0)
		v = form_text_get(e->f, &ch->label, DATA_LANG(e));
	else
		for (i = 0; i < ch->nextra; i++)
			if (strcmp(ch->extra[i].key, col) == 0) {
				v = ch->extra[i].value;
				break;
			}
	return v != NULL ? v : "";
}

/*
 * For a `column = ${q}` filter: q's answer as the string to compare, or
 * -1 when the general evaluator must decide (q typed as a number or date,
 * or q not one node from here: JR's coercions and errors apply then).
 */
static int
simple_ref(struct eng *e, const struct inst_node *n, const char **out)
{
	const struct eng_bind *b = &e->cf->b[n->def->index];
	struct expr_nodes ns;
	const struct inst_node *r;
	int rc = -1;

	if (b->filt_col == NULL)
		return -1;
	expr_nodes_init(&ns);
	if (eng_resolve(e, n, b->filt_ref, 0, &ns) == DS_OK && ns.n <= 1) {
		r = ns.n == 1 ? ns.v[0].p : NULL;
		if (r == NULL) {
			*out = "";
			rc = 0;
		} else if (r->kind == INST_LEAF &&
		    cb_type(e, eng_hnode(r)) == VAL_STRING) {
			*out = r->value != NULL ? r->value : "";
			rc = 0;
		}
	}
	expr_nodes_reset(&ns);
	return rc;
}

int
eng_choice_ok(struct eng *e, const struct inst_node *n,
    const struct form_list *l, size_t c)
{
	const struct expr *x = e->cf->b[n->def->index].x[EX_FILTER];
	struct expr_env env;
	const char *want;
	int ok = 0;

	if (x == NULL)
		return 1;
	if (simple_ref(e, n, &want) == 0)
		return strcmp(choice_col(e, &l->choices[c],
		    e->cf->b[n->def->index].filt_col), want) == 0;
	eng_env_make(e, &env, n);
	env.context = mk(l, c, TAG_LITEM);
	ds_err_clear(&e->everr);
	if (expr_eval_bool(x, &env, &ok, &e->everr) != DS_OK)
		return 0;
	return ok;
}

/* FNV-1a, to turn text into a seed. */
static uint64_t
fnv(const char *s, uint64_t h)
{
	for (; s != NULL && *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/*
 * parameters randomize=true [seed=N or seed=${q}]: Fisher-Yates with the
 * Park-Miller generator (xlsform-xpath.md §11, randomize()), so a seed
 * gives the same order every time.  Without a seed the order is fixed per
 * record and question (from the record's `start` time and the path), so a
 * resumed draft shows the same order.
 */
static void
shuffle(struct eng *e, const struct inst_node *n, size_t *v, size_t k)
{
	const char *seed = form_param(n->def, "seed"), *r;
	const struct form_node *d;
	const struct inst_node *x;
	char name[INST_NAME_MAX], path[ENG_PATH_MAX];
	uint64_t h = 14695981039346656037ULL, st;
	size_t i, j, t, len;
	double num;

	if ((r = form_param(n->def, "randomize")) == NULL ||
	    strcmp(r, "true") != 0 || k < 2)
		return;
	if (seed != NULL && seed[0] == '$' && seed[1] == '{' &&
	    (len = strlen(seed)) > 3 && len - 3 < sizeof(name)) {
		memcpy(name, seed + 2, len - 3);
		name[len - 3] = '\0';
		seed = NULL;
		if ((d = form_find(e->f, name)) != NULL &&
		    (x = eng_ref1(e, n, d)) != NULL)
			seed = x->value != NULL ? x->value : "";
	}
	if (seed != NULL && val_parse_number(seed, strlen(seed), &num) == 0 &&
	    !isnan(num))
		st = (uint64_t)(int64_t)num;
	else if (seed != NULL)
		st = fnv(seed, h);
	else {
		for (i = 0; i < e->f->nnodes; i++)
			if (e->f->nodes[i]->type == FT_START &&
			    (x = eng_ref1(e, e->root, e->f->nodes[i])) != NULL)
				h = fnv(x->value, h);
		(void)eng_path_fmt(n, path, sizeof(path));
		st = fnv(path, h);
	}
	st %= 2147483647ULL;
	if (st == 0)
		st = 1;
	for (i = k - 1; i > 0; i--) {
		st = st * 16807ULL % 2147483647ULL;
		j = (size_t)(st % (i + 1));
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

void
eng_choice_cache_clear(struct eng *e)
{
	size_t i;

	for (i = 0; i < ENG_CHOICE_CACHE; i++) {
		ds_free(e->cc[i].idx);
		memset(&e->cc[i], 0, sizeof(e->cc[i]));
	}
}

const size_t *
eng_choices(struct eng *e, const struct inst_node *n,
    const struct form_list *l, size_t *np)
{
	struct eng_choice_cache *c;
	const char *want = NULL, *col;
	size_t i, k = 0, *v;
	int simple;

	*np = 0;
	for (i = 0; i < ENG_CHOICE_CACHE; i++) {
		c = &e->cc[i];
		if (c->n == n && c->gen == e->gen && c->lang == e->lang) {
			*np = c->nidx;
			return c->idx;
		}
	}
	if ((v = ds_malloc((l->nchoices ? l->nchoices : 1) *
	    sizeof(*v))) == NULL)
		return NULL;
	simple = e->cf->b[n->def->index].x[EX_FILTER] != NULL &&
	    simple_ref(e, n, &want) == 0;
	col = e->cf->b[n->def->index].filt_col;
	for (i = 0; i < l->nchoices; i++)
		if (simple ? strcmp(choice_col(e, &l->choices[i], col),
		    want) == 0 : eng_choice_ok(e, n, l, i))
			v[k++] = i;
	shuffle(e, n, v, k);
	c = &e->cc[e->ccnext++ % ENG_CHOICE_CACHE];
	ds_free(c->idx);
	c->n = n;
	c->gen = e->gen;
	c->lang = e->lang;
	c->idx = v;
	c->nidx = k;
	*np = k;
	return v;
}
