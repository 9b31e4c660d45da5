/* doorstep: a JSON-built instance tree and expression environment. */
/*
 * Purpose: give `doorstep expr --data` and tests/unit/test_expr.c a real
 * tree to evaluate paths, predicates, repeats, position(), indexed-repeat
 * and instance() lookups against, through the same struct expr_env the
 * engine implements.
 * Invariants: the tree is built once and never changes; node 0 is the
 * primary document node, node 1 its /data element; node handles are
 * { doc, index }.  Every string is owned by the doc.
 * Not done: speed.  Lookups scan; the engine keeps real indexes.
 */
#include "expr_json.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "val.h"

#define JNONE	UINT32_MAX
#define JDOC_MAX_NODES	(1u << 20)

struct jnode {
	char		*name;
	char		*value;		/* NULL for groups and documents */
	uint32_t	 parent;
	uint32_t	 first;
	uint32_t	 last;
	uint32_t	 next;
	uint32_t	 pos;		/* among same-named siblings, 1-based */
	uint8_t		 type;		/* enum val_type */
	uint8_t		 is_rep;	/* element of a JSON array */
};

struct jinst {
	char		*id;
	uint32_t	 doc;
};

struct expr_jdoc {
	struct jnode	*v;
	uint32_t	 n;
	uint32_t	 cap;
	struct jinst	*inst;
	size_t		 ninst;
	json_t		*choices;	/* borrowed from root, kept alive */
	json_t		*root;
	size_t		 fast_hits;
};

static uint32_t
jnew(struct expr_jdoc *d, uint32_t parent, const char *name, size_t nlen)
{
	struct jnode *nv, *n;
	uint32_t i, k;

	if (d->n >= JDOC_MAX_NODES)
		return JNONE;
	if (d->n == d->cap) {
		uint32_t ncap = d->cap ? d->cap * 2 : 64;

		if ((nv = ds_realloc(d->v, ncap * sizeof(*nv))) == NULL)
			return JNONE;
		d->v = nv;
		d->cap = ncap;
	}
	i = d->n;
	n = &d->v[i];
	memset(n, 0, sizeof(*n));
	if ((n->name = ds_strndup(name, nlen)) == NULL)
		return JNONE;
	d->n++;
	n->parent = parent;
	n->first = n->last = n->next = JNONE;
	n->pos = 1;
	n->type = VAL_STRING;
	if (parent != JNONE) {
		struct jnode *p = &d->v[parent];

		for (k = p->first; k != JNONE; k = d->v[k].next)
			if (strcmp(d->v[k].name, n->name) == 0)
				n->pos++;
		if (p->last == JNONE)
			p->first = i;
		else
			d->v[p->last].next = i;
		p->last = i;
	}
	return i;
}

static enum ds_status
build(struct expr_jdoc *d, uint32_t parent, const char *name, json_t *j,
    int is_rep, int depth)
{
	char nb[VAL_NUMBUF];
	const char *key, *s = NULL;
	json_t *val;
	size_t i, len = 0;
	uint32_t me;
	enum ds_status st;

	if (depth > 64)
		return DS_ELIMIT;
	if (json_is_array(j)) {
		for (i = 0; i < json_array_size(j); i++)
			if ((st = build(d, parent, name,
			    json_array_get(j, i), 1, depth + 1)) != DS_OK)
				return st;
		return DS_OK;
	}
	if ((me = jnew(d, parent, name, strlen(name))) == JNONE)
		return DS_ENOMEM;
	d->v[me].is_rep = (uint8_t)is_rep;
	if (json_is_object(j)) {
		json_object_foreach(j, key, val) {
			if (key[0] == '_' && parent == 0)
				continue;	/* _types, _instances, ... */
			if ((st = build(d, me, key, val, 0, depth + 1)) !=
			    DS_OK)
				return st;
		}
		return DS_OK;
	}
	if (json_is_string(j)) {
		s = json_string_value(j);
		len = json_string_length(j);
	} else if (json_is_integer(j)) {
		len = (size_t)snprintf(nb, sizeof(nb), "%lld",
		    (long long)json_integer_value(j));
		s = nb;
		d->v[me].type = VAL_NUMBER;
	} else if (json_is_real(j)) {
		len = val_fmt_number(json_real_value(j), nb);
		s = nb;
		d->v[me].type = VAL_NUMBER;
	} else if (json_is_true(j)) {
		s = "true";
		len = 4;
	} else if (json_is_false(j)) {
		s = "false";
		len = 5;
	} else {
		s = "";
		len = 0;
	}
	if ((d->v[me].value = ds_strndup(s, len)) == NULL)
		return DS_ENOMEM;
	return DS_OK;
}

static int
type_of(const char *t)
{
	if (strcmp(t, "int") == 0 || strcmp(t, "integer") == 0 ||
	    strcmp(t, "decimal") == 0)
		return VAL_NUMBER;
	if (strcmp(t, "date") == 0)
		return VAL_DATE;
	if (strcmp(t, "dateTime") == 0)
		return VAL_DATETIME;
	if (strcmp(t, "boolean") == 0)
		return VAL_BOOL;
	if (strcmp(t, "string") == 0)
		return VAL_STRING;
	return -1;
}

void
expr_jdoc_free(struct expr_jdoc *d)
{
	uint32_t i;
	size_t k;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		ds_free(d->v[i].name);
		ds_free(d->v[i].value);
	}
	ds_free(d->v);
	for (k = 0; k < d->ninst; k++)
		ds_free(d->inst[k].id);
	ds_free(d->inst);
	if (d->root != NULL)
		json_decref(d->root);
	ds_free(d);
}

enum ds_status
expr_jdoc_new(const char *text, size_t len, struct expr_jdoc **out,
    struct ds_err *err)
{
	struct expr_jdoc *d;
	json_t *root, *types, *insts, *val, *items, *it;
	const char *key;
	enum ds_status st;
	uint32_t i, doc, r;
	size_t k;
	int t;

	ds_json_init();
	if ((st = ds_json_parse(text, len, 16u << 20, "data", &root, err)) !=
	    DS_OK)
		return st;
	if (!json_is_object(root)) {
		json_decref(root);
		return ds_err_set(err, DS_EPARSE, "data: the top level must "
		    "be a JSON object");
	}
	if ((d = ds_calloc(1, sizeof(*d))) == NULL) {
		json_decref(root);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	d->root = root;
	if (jnew(d, JNONE, "", 0) == JNONE) {
		st = DS_ENOMEM;
		goto out;
	}
	if ((st = build(d, 0, "data", root, 0, 0)) != DS_OK)
		goto out;

	insts = json_object_get(root, "_instances");
	if (insts != NULL && json_is_object(insts)) {
		json_object_foreach(insts, key, items) {
			struct jinst *ni;

			ni = ds_realloc(d->inst, (d->ninst + 1) *
			    sizeof(*ni));
			if (ni == NULL) {
				st = DS_ENOMEM;
				goto out;
			}
			d->inst = ni;
			if ((doc = jnew(d, JNONE, "", 0)) == JNONE ||
			    (r = jnew(d, doc, "root", 4)) == JNONE ||
			    (d->inst[d->ninst].id = ds_strdup(key)) == NULL) {
				st = DS_ENOMEM;
				goto out;
			}
			d->inst[d->ninst++].doc = doc;
			if (!json_is_array(items))
				continue;
			for (k = 0; k < json_array_size(items); k++) {
				it = json_array_get(items, k);
				if ((st = build(d, r, "item", it, 1, 1)) !=
				    DS_OK)
					goto out;
			}
		}
	}
	types = json_object_get(root, "_types");
	if (types != NULL && json_is_object(types)) {
		json_object_foreach(types, key, val) {
			if (!json_is_string(val) ||
			    (t = type_of(json_string_value(val))) < 0) {
				st = ds_err_set(err, DS_EPARSE, "data: _types."
				    "%s: unknown type", key);
				goto out;
			}
			for (i = 0; i < d->n; i++)
				if (d->v[i].value != NULL &&
				    strcmp(d->v[i].name, key) == 0)
					d->v[i].type = (uint8_t)t;
		}
	}
	d->choices = json_object_get(root, "_choices");
	*out = d;
	return DS_OK;
out:
	expr_jdoc_free(d);
	if (st == DS_ENOMEM)
		return ds_err_set(err, st, NULL);
	if (st == DS_ELIMIT)
		return ds_err_set(err, st, "data: nested too deeply or too "
		    "large");
	return st;
}

size_t
expr_jdoc_fast_hits(const struct expr_jdoc *d)
{
	return d->fast_hits;
}

/* Callbacks. */

#define JD(ctx)		((struct expr_jdoc *)(ctx))
#define NODE(d, i)	((struct expr_node){ (d), (i) })

static int
is_within(const struct expr_jdoc *d, uint32_t x, uint32_t a)
{
	while (x != JNONE) {
		if (x == a)
			return 1;
		x = d->v[x].parent;
	}
	return 0;
}

static enum ds_status
j_ref(void *ctx, const char *name, size_t len, struct expr_node from,
    unsigned flags, struct expr_nodes *out, struct ds_err *err)
{
	struct expr_jdoc *d = JD(ctx);
	uint32_t i, a, found = 0, f = (uint32_t)from.i;
	enum ds_status st;

	for (i = 1; i < d->n; i++)
		if (is_within(d, i, 1) && strlen(d->v[i].name) == len &&
		    memcmp(d->v[i].name, name, len) == 0)
			found++;
	if (found == 0) {
		/* a name the form knows (_names) with no node: empty */
		json_t *names = json_object_get(d->root, "_names"), *nm;
		size_t k;

		json_array_foreach(names, k, nm)
			if (json_is_string(nm) &&
			    json_string_length(nm) == len &&
			    memcmp(json_string_value(nm), name, len) == 0)
				return DS_OK;
		return ds_err_set(err, DS_ENOENT, "unknown question ${%.*s}",
		    (int)len, name);
	}
	/* pyxform: inside the same repeat instance, the node of that
	 * instance; otherwise every node */
	a = JNONE;
	if (!(flags & EXPR_RESOLVE_ALL) && from.p == d) {
		for (a = f; a != JNONE; a = d->v[a].parent) {
			if (!d->v[a].is_rep)
				continue;
			for (i = a; i < d->n; i++)
				if (is_within(d, i, a) &&
				    strlen(d->v[i].name) == len &&
				    memcmp(d->v[i].name, name, len) == 0)
					break;
			if (i < d->n)
				break;
		}
	}
	for (i = 1; i < d->n; i++) {
		if (!is_within(d, i, 1) || strlen(d->v[i].name) != len ||
		    memcmp(d->v[i].name, name, len) != 0)
			continue;
		if (a != JNONE && !is_within(d, i, a))
			continue;
		if ((st = expr_nodes_add(out, NODE(d, i))) != DS_OK)
			return st;
	}
	return DS_OK;
}

static enum ds_status
j_root(void *ctx, struct expr_node *out)
{
	*out = NODE(JD(ctx), 0);
	return DS_OK;
}

static int
j_parent(void *ctx, struct expr_node n, struct expr_node *out)
{
	struct expr_jdoc *d = JD(ctx);
	uint32_t p = d->v[n.i].parent;

	if (p == JNONE)
		return 0;
	*out = NODE(d, p);
	return 1;
}

static enum ds_status
j_children(void *ctx, struct expr_node n, const char *name, size_t len,
    struct expr_nodes *out)
{
	struct expr_jdoc *d = JD(ctx);
	enum ds_status st;
	uint32_t k;

	for (k = d->v[n.i].first; k != JNONE; k = d->v[k].next) {
		if (name != NULL && (strlen(d->v[k].name) != len ||
		    memcmp(d->v[k].name, name, len) != 0))
			continue;
		if ((st = expr_nodes_add(out, NODE(d, k))) != DS_OK)
			return st;
	}
	return DS_OK;
}

static enum ds_status
j_value(void *ctx, struct expr_node n, const char **s, size_t *len)
{
	struct expr_jdoc *d = JD(ctx);
	const char *v = d->v[n.i].value;

	*s = v != NULL ? v : "";
	*len = strlen(*s);
	return DS_OK;
}

static enum val_type
j_type(void *ctx, struct expr_node n)
{
	return (enum val_type)JD(ctx)->v[n.i].type;
}

static size_t
j_position(void *ctx, struct expr_node n)
{
	return JD(ctx)->v[n.i].pos;
}

static enum ds_status
j_instance(void *ctx, const char *id, size_t len, struct expr_node *out,
    struct ds_err *err)
{
	struct expr_jdoc *d = JD(ctx);
	size_t k;

	for (k = 0; k < d->ninst; k++)
		if (strlen(d->inst[k].id) == len &&
		    memcmp(d->inst[k].id, id, len) == 0) {
			*out = NODE(d, d->inst[k].doc);
			return DS_OK;
		}
	return ds_err_set(err, DS_ENOENT, "unknown instance '%.*s'",
	    (int)len, id);
}

static enum ds_status
j_find_eq(void *ctx, struct expr_node parent, const char *step,
    size_t steplen, const char *key, size_t keylen, const char *value,
    size_t valuelen, struct expr_nodes *out)
{
	struct expr_jdoc *d = JD(ctx);
	enum ds_status st;
	uint32_t k, c;
	const char *v;

	for (k = d->v[parent.i].first; k != JNONE; k = d->v[k].next) {
		if (strlen(d->v[k].name) != steplen ||
		    memcmp(d->v[k].name, step, steplen) != 0)
			continue;
		for (c = d->v[k].first; c != JNONE; c = d->v[c].next) {
			if (strlen(d->v[c].name) != keylen ||
			    memcmp(d->v[c].name, key, keylen) != 0)
				continue;
			v = d->v[c].value != NULL ? d->v[c].value : "";
			if (strlen(v) == valuelen &&
			    memcmp(v, value, valuelen) == 0) {
				if ((st = expr_nodes_add(out, NODE(d, k))) !=
				    DS_OK)
					return st;
				break;
			}
		}
	}
	d->fast_hits++;
	return DS_OK;
}

static enum ds_status
j_choice_name(void *ctx, struct expr_node cur, const char *path,
    size_t pathlen, const char *value, size_t valuelen, const char **label,
    size_t *labellen, struct ds_err *err)
{
	struct expr_jdoc *d = JD(ctx);
	char name[256], v[256];
	const char *p = path, *slash;
	size_t n = pathlen;
	json_t *q, *l;

	(void)cur;
	(void)err;
	*label = "";
	*labellen = 0;
	if (n >= 3 && p[0] == '$' && p[1] == '{' && p[n - 1] == '}') {
		p += 2;
		n -= 3;
	} else {
		while ((slash = memchr(p, '/', n)) != NULL) {
			n -= (size_t)(slash + 1 - p);
			p = slash + 1;
		}
	}
	if (d->choices == NULL || n >= sizeof(name) ||
	    valuelen >= sizeof(v))
		return DS_OK;
	memcpy(name, p, n);
	name[n] = '\0';
	memcpy(v, value, valuelen);
	v[valuelen] = '\0';
	if ((q = json_object_get(d->choices, name)) == NULL ||
	    (l = json_object_get(q, v)) == NULL || !json_is_string(l))
		return DS_OK;
	*label = json_string_value(l);
	*labellen = json_string_length(l);
	return DS_OK;
}

enum ds_status
expr_jdoc_env(struct expr_jdoc *d, const char *context, int fast,
    struct expr_env *env, struct ds_err *err)
{
	struct expr *e;
	struct expr_nodes ns;
	enum ds_status st;

	memset(env, 0, sizeof(*env));
	env->ctx = d;
	env->context = NODE(d, 1);
	env->current = env->context;
	env->ref = j_ref;
	env->root = j_root;
	env->parent = j_parent;
	env->children = j_children;
	env->value = j_value;
	env->type = j_type;
	env->position = j_position;
	env->instance = j_instance;
	env->find_eq = fast ? j_find_eq : NULL;
	env->choice_name = j_choice_name;
	if (context == NULL || context[0] == '\0')
		return DS_OK;
	if ((st = expr_parse(context, strlen(context), &e, err)) != DS_OK) {
		ds_err_prefix(err, "context");
		return st;
	}
	expr_nodes_init(&ns);
	st = expr_eval_nodes(e, env, &ns, err);
	expr_free(e);
	if (st == DS_OK && ns.n != 1)
		st = ds_err_set(err, DS_ENOENT, "context %s selects %zu nodes, "
		    "not one", context, ns.n);
	if (st == DS_OK)
		env->context = env->current = ns.v[0];
	expr_nodes_reset(&ns);
	return st;
}
