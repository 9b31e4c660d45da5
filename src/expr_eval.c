/* doorstep: the evaluator of ODK XPath expressions. */
/*
 * Purpose: evaluate a parsed expression against an environment of
 * callbacks (struct expr_env), with ODK Collect's (JavaRosa's) typing and
 * coercions: typed node values by bind type, JR equality (boolean, then
 * number with 1e-12 tolerance, then string), numeric comparisons, and the
 * "field is repeated" error for a multi-node path used as one value.
 *
 * Invariants: recursion depth is bounded by the AST height (at most
 * EXPR_MAX_DEPTH, checked at parse); every val is reset on every path;
 * strings the environment lends are copied before the next callback.
 * Not done here: the function bodies (expr_func.c), storage, caching.
 */
#include "expr.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "expr_int.h"
#include "mem.h"
#include "util.h"

enum ds_status
ev_error(struct ectx *ec, const struct enode *at, enum ds_status st,
    const char *fmt, ...)
{
	char msg[DS_ERR_MSG_MAX - 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (at != NULL)
		return ds_err_set(ec->err, st, "%s at character %u", msg,
		    at->pos);
	return ds_err_set(ec->err, st, "%s", msg);
}

/* A callback failed: keep its message if it left one. */
static enum ds_status
cb_fail(struct ectx *ec, const struct enode *at, enum ds_status st,
    const char *what)
{
	if (ec->err != NULL && ec->err->code == st && ec->err->msg[0] != '\0')
		return st;
	if (st == DS_ENOMEM)
		return ds_err_set(ec->err, st, NULL);
	return ev_error(ec, at, st, "%s: %s", what, ds_status_str(st));
}

int64_t
ev_now_ms(struct ectx *ec)
{
	if (ec->env->now_ms != NULL)
		return ec->env->now_ms(ec->env->ctx);
	return ds_now_ms();
}

static struct expr_rng	default_rng;
static int		default_rng_seeded;

uint64_t
ev_rand64(struct ectx *ec)
{
	if (ec->env->rand64 != NULL)
		return ec->env->rand64(ec->env->ctx);
	/* Not thread-safe; environments that care supply rand64. */
	if (!default_rng_seeded) {
		expr_rng_seed(&default_rng, (uint64_t)ds_now_ms());
		default_rng_seeded = 1;
	}
	return expr_rng_next(&default_rng);
}

void
expr_rng_seed(struct expr_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t
expr_rng_next(struct expr_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int
ev_tz_at(int64_t ms)
{
	struct tm tm;
	time_t t = (time_t)(ms / 1000);

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return (int)(tm.tm_gmtoff / 60);
}

enum ds_status
ev_node_string(struct ectx *ec, struct expr_node n, const char **s,
    size_t *len)
{
	enum ds_status st;

	*s = "";
	*len = 0;
	if (ec->env->value == NULL)
		return ev_error(ec, NULL, DS_EINVAL, "environment has no "
		    "value callback");
	if ((st = ec->env->value(ec->env->ctx, n, s, len)) != DS_OK)
		return cb_fail(ec, NULL, st, "cannot read a value");
	if (*s == NULL) {
		*s = "";
		*len = 0;
	}
	return DS_OK;
}

enum ds_status
ev_node_value(struct ectx *ec, struct expr_node n, struct val *out)
{
	const char *s;
	size_t len;
	enum val_type t;
	enum ds_status st;
	double d;
	int tz;

	if ((st = ev_node_string(ec, n, &s, &len)) != DS_OK)
		return st;
	if (len == 0) {
		val_reset(out);
		return DS_OK;
	}
	t = ec->env->type != NULL ? ec->env->type(ec->env->ctx, n) :
	    VAL_STRING;
	switch (t) {
	case VAL_NUMBER:
		if (val_parse_number(s, len, &d) == 0) {
			val_set_number(out, d);
			return DS_OK;
		}
		break;
	case VAL_DATE:
		if (val_parse_date(s, len, &d) == 0) {
			val_set_date(out, d);
			return DS_OK;
		}
		break;
	case VAL_DATETIME:
		if (val_parse_datetime(s, len, ev_tz_at(ev_now_ms(ec)), &d,
		    &tz) == 0) {
			val_set_datetime(out, d, tz);
			return DS_OK;
		}
		break;
	case VAL_BOOL:
		if ((len == 4 && memcmp(s, "true", 4) == 0) ||
		    (len == 1 && s[0] == '1')) {
			val_set_bool(out, 1);
			return DS_OK;
		}
		if ((len == 5 && memcmp(s, "false", 5) == 0) ||
		    (len == 1 && s[0] == '0')) {
			val_set_bool(out, 0);
			return DS_OK;
		}
		break;
	default:
		break;
	}
	if (val_set_string(out, s, len) != DS_OK)
		return ds_err_set(ec->err, DS_ENOMEM, NULL);
	return DS_OK;
}

enum ds_status
ev_atomize(struct ectx *ec, const struct enode *at, struct val *v)
{
	struct expr_node n;

	if (v->type != VAL_NODESET)
		return DS_OK;
	if (v->ns.n == 0) {
		val_reset(v);
		return DS_OK;
	}
	if (v->ns.n > 1) {
		size_t k = v->ns.n;

		val_reset(v);
		return ev_error(ec, at, DS_ETYPE, "this field is repeated "
		    "(%zu values) but is used as a single value: use it "
		    "inside sum(), count(), join() or indexed-repeat()", k);
	}
	n = v->ns.v[0];
	val_reset(v);
	return ev_node_value(ec, n, v);
}

enum ds_status
ev_atom(struct ectx *ec, uint32_t i, struct val *out)
{
	enum ds_status st;

	if ((st = ev_node(ec, i, out)) != DS_OK)
		return st;
	return ev_atomize(ec, &ec->e->nodes[i], out);
}

enum ds_status
ev_arg_str(struct ectx *ec, const struct enode *call, int k,
    struct val *tmp)
{
	enum ds_status st;
	char *s;
	size_t len;

	if ((st = ev_atom(ec, ARG(ec->e, call, k), tmp)) != DS_OK)
		return st;
	if (tmp->type == VAL_STRING)
		return DS_OK;
	if ((st = val_to_string(tmp, 0, &s, &len)) != DS_OK) {
		val_reset(tmp);
		return ds_err_set(ec->err, st, NULL);
	}
	val_take_string(tmp, s, len);
	return DS_OK;
}

enum ds_status
ev_arg_num(struct ectx *ec, const struct enode *call, int k, double *out)
{
	struct val v;
	enum ds_status st;

	val_init(&v);
	st = ev_atom(ec, ARG(ec->e, call, k), &v);
	*out = st == DS_OK ? val_number(&v) : NAN;
	val_reset(&v);
	return st;
}

enum ds_status
ev_position(struct ectx *ec, struct expr_node n, size_t *out)
{
	const struct expr_env *env = ec->env;
	struct expr_nodes kids;
	struct expr_node par;
	enum ds_status st;
	size_t i;

	if (env->position != NULL) {
		*out = env->position(env->ctx, n);
		return DS_OK;
	}
	/* Fallback: position among all element siblings. */
	*out = 1;
	if (env->parent == NULL || !env->parent(env->ctx, n, &par))
		return DS_OK;
	expr_nodes_init(&kids);
	if ((st = env->children(env->ctx, par, NULL, 0, &kids)) != DS_OK) {
		expr_nodes_reset(&kids);
		return cb_fail(ec, NULL, st, "cannot list children");
	}
	for (i = 0; i < kids.n; i++)
		if (kids.v[i].p == n.p && kids.v[i].i == n.i) {
			*out = i + 1;
			break;
		}
	expr_nodes_reset(&kids);
	return DS_OK;
}

enum ds_status
ev_find_eq(struct ectx *ec, struct expr_node parent, const char *step,
    size_t steplen, const char *key, size_t keylen, const char *value,
    size_t valuelen, struct expr_nodes *out)
{
	const struct expr_env *env = ec->env;

	if (env->find_eq == NULL)
		return DS_ENOENT;
	return env->find_eq(env->ctx, parent, step, steplen, key, keylen,
	    value, valuelen, out);
}

/* JR XPathEqExpr. */
static int
vals_equal(const struct val *a, const struct val *b)
{
	double x, y;
	struct ds_buf sa, sb;
	int eq;

	if (a->type == VAL_BOOL || b->type == VAL_BOOL)
		return val_bool(a) == val_bool(b);
	if (a->type == VAL_NUMBER || b->type == VAL_NUMBER) {
		x = val_number(a);
		y = val_number(b);
		return x == y || fabs(x - y) < 1.0e-12;
	}
	if (a->type == VAL_STRING && b->type == VAL_STRING)
		return a->len == b->len && (a->len == 0 ||
		    memcmp(a->s, b->s, a->len) == 0);
	/* dates: compare their string forms */
	ds_buf_init(&sa, EXPR_MAX_STRING);
	ds_buf_init(&sb, EXPR_MAX_STRING);
	if (val_format(a, 0, &sa) != DS_OK || val_format(b, 0, &sb) !=
	    DS_OK)
		eq = 0;
	else
		eq = sa.len == sb.len && (sa.len == 0 ||
		    memcmp(sa.p, sb.p, sa.len) == 0);
	ds_buf_reset(&sa);
	ds_buf_reset(&sb);
	return eq;
}

static void
nodes_dedupe(struct expr_nodes *ns)
{
	size_t i, j, w = 0;

	/* Quadratic, but only used after '..' steps and unions, whose sets
	 * are small in practice; large sets skip exact duplicates that are
	 * adjacent, which is what '..' from siblings produces. */
	for (i = 0; i < ns->n; i++) {
		int dup = 0;

		if (ns->n > 256) {
			dup = w > 0 && ns->v[w - 1].p == ns->v[i].p &&
			    ns->v[w - 1].i == ns->v[i].i;
		} else {
			for (j = 0; j < w; j++)
				if (ns->v[j].p == ns->v[i].p &&
				    ns->v[j].i == ns->v[i].i) {
					dup = 1;
					break;
				}
		}
		if (!dup)
			ns->v[w++] = ns->v[i];
	}
	ns->n = w;
}

/* Filter `set` in place by the predicates kidv[at .. at+n). */
static enum ds_status
apply_preds(struct ectx *ec, uint32_t at, uint32_t n, struct expr_nodes *set)
{
	struct ectx sub;
	struct val v;
	enum ds_status st;
	uint32_t k;
	size_t i, w, size;
	int keep;

	for (k = 0; k < n; k++) {
		sub = *ec;
		size = set->n;
		w = 0;
		for (i = 0; i < size; i++) {
			sub.context = set->v[i];
			sub.cpos = i + 1;
			sub.csize = size;
			val_init(&v);
			if ((st = ev_node(&sub, ec->e->kidv[at + k], &v)) !=
			    DS_OK) {
				val_reset(&v);
				return st;
			}
			if (v.type == VAL_NUMBER)
				keep = v.n == (double)(i + 1);
			else
				keep = val_bool(&v);
			val_reset(&v);
			if (keep)
				set->v[w++] = set->v[i];
		}
		set->n = w;
	}
	return DS_OK;
}

/*
 * The fast path for step[key = value] (javarosa#689): if the first
 * predicate compares a child of the step with a context-free string,
 * ask the environment.  Returns DS_ENOENT when it does not apply.
 */
static enum ds_status
try_find_eq(struct ectx *ec, const struct estep *s, struct expr_node x,
    struct expr_nodes *out)
{
	const struct expr *e = ec->e;
	const struct enode *pr, *a, *b, *key, *other;
	const struct estep *ks;
	struct val v;
	enum ds_status st;

	if (ec->env->find_eq == NULL || s->kind != ESTEP_CHILD ||
	    s->npreds == 0)
		return DS_ENOENT;
	pr = &e->nodes[e->kidv[s->preds]];
	if (pr->op != EOP_EQ)
		return DS_ENOENT;
	a = &e->nodes[e->kidv[pr->kids]];
	b = &e->nodes[e->kidv[pr->kids + 1]];
	if (a->op == EOP_PATH && !a->absolute && a->filter == ENONE &&
	    a->nsteps == 1 && !b->ctxdep) {
		key = a;
		other = b;
	} else if (b->op == EOP_PATH && !b->absolute && b->filter == ENONE &&
	    b->nsteps == 1 && !a->ctxdep) {
		key = b;
		other = a;
	} else
		return DS_ENOENT;
	ks = &e->stepv[key->steps];
	if ((ks->kind != ESTEP_CHILD && ks->kind != ESTEP_ATTR) ||
	    ks->npreds != 0)
		return DS_ENOENT;
	val_init(&v);
	if ((st = ev_atom(ec, (uint32_t)(other - e->nodes), &v)) != DS_OK) {
		val_reset(&v);
		return st;
	}
	if (v.type != VAL_STRING) {
		val_reset(&v);
		return DS_ENOENT;
	}
	st = ev_find_eq(ec, x, EPOOL(e, s->name), s->nlen, EPOOL(e, ks->name),
	    ks->nlen, val_str(&v), v.len, out);
	val_reset(&v);
	if (st != DS_OK && st != DS_ENOENT)
		return cb_fail(ec, key, st, "lookup failed");
	return st;
}

static enum ds_status
eval_path(struct ectx *ec, const struct enode *n, struct val *out)
{
	const struct expr *e = ec->e;
	const struct expr_env *env = ec->env;
	struct expr_nodes cur, nxt, tmp, sw;
	struct expr_node x, y, anc[64];
	struct val fv;
	enum ds_status st = DS_OK;
	uint32_t k, skip;
	size_t i, j, nanc;
	int onchain = 0;

	expr_nodes_init(&cur);
	expr_nodes_init(&nxt);
	expr_nodes_init(&tmp);
	nanc = 0;
	if (n->absolute) {
		/* JR contextualizes absolute paths (but not those naming
		 * indexed-repeat's node and repeats): a step without
		 * predicates that passes through an ancestor of the context
		 * node keeps to that ancestor (the current repeat instance).
		 * anc[] holds the context's ancestors, document first. */
		x = env->context;
		for (; !ec->from_root;) {
			if (nanc == sizeof(anc) / sizeof(anc[0])) {
				nanc = 0;
				break;
			}
			anc[nanc++] = x;
			if (!env->parent(env->ctx, x, &y))
				break;
			x = y;
		}
		for (i = 0; i < nanc / 2; i++) {
			y = anc[i];
			anc[i] = anc[nanc - 1 - i];
			anc[nanc - 1 - i] = y;
		}
		if (env->root == NULL) {
			st = ev_error(ec, n, DS_EINVAL, "no primary instance");
			goto out;
		}
		if ((st = env->root(env->ctx, &x)) != DS_OK) {
			st = cb_fail(ec, n, st, "no primary instance");
			goto out;
		}
		if ((st = expr_nodes_add(&cur, x)) != DS_OK)
			goto nomem;
		if (nanc == 0 || anc[0].p != x.p || anc[0].i != x.i)
			nanc = 0;
		onchain = nanc > 0;
	} else if (n->filter != ENONE) {
		val_init(&fv);
		if ((st = ev_node(ec, n->filter, &fv)) != DS_OK) {
			val_reset(&fv);
			goto out;
		}
		if (fv.type != VAL_NODESET) {
			val_reset(&fv);
			st = ev_error(ec, n, DS_ETYPE, "a path needs a node-set "
			    "to start from, not a value");
			goto out;
		}
		cur = fv.ns;
		expr_nodes_init(&fv.ns);
		val_reset(&fv);
		if ((st = apply_preds(ec, n->fpreds, n->nfpreds, &cur)) !=
		    DS_OK)
			goto out;
	} else if ((st = expr_nodes_add(&cur, ec->context)) != DS_OK)
		goto nomem;

	for (k = 0; k < n->nsteps; k++) {
		const struct estep *s = &e->stepv[n->steps + k];

		nxt.n = 0;
		for (i = 0; i < cur.n; i++) {
			x = cur.v[i];
			tmp.n = 0;
			skip = 0;
			switch (s->kind) {
			case ESTEP_SELF:
				st = expr_nodes_add(&tmp, x);
				break;
			case ESTEP_PARENT:
				if (env->parent(env->ctx, x, &y))
					st = expr_nodes_add(&tmp, y);
				break;
			case ESTEP_CHILD:
				st = try_find_eq(ec, s, x, &tmp);
				if (st == DS_OK) {
					skip = 1;
					break;
				}
				if (st != DS_ENOENT)
					goto out;
				tmp.n = 0;
				st = env->children(env->ctx, x,
				    EPOOL(e, s->name), s->nlen, &tmp);
				if (st != DS_OK)
					st = cb_fail(ec, n, st, "cannot list "
					    "children");
				break;
			case ESTEP_ATTR:
				st = env->children(env->ctx, x,
				    EPOOL(e, s->name), s->nlen, &tmp);
				if (st != DS_OK)
					st = cb_fail(ec, n, st, "cannot read "
					    "attributes");
				break;
			default:
				st = env->children(env->ctx, x, NULL, 0, &tmp);
				if (st != DS_OK)
					st = cb_fail(ec, n, st, "cannot list "
					    "children");
				break;
			}
			if (st != DS_OK)
				goto out;
			if ((st = apply_preds(ec, s->preds + skip,
			    s->npreds - skip, &tmp)) != DS_OK)
				goto out;
			for (j = 0; j < tmp.n; j++)
				if ((st = expr_nodes_add(&nxt, tmp.v[j])) !=
				    DS_OK)
					goto nomem;
		}
		if (s->kind == ESTEP_PARENT && cur.n > 1)
			nodes_dedupe(&nxt);
		if (onchain) {
			onchain = 0;
			if (s->kind == ESTEP_CHILD && s->npreds == 0 &&
			    k + 1 < nanc) {
				y = anc[k + 1];
				for (j = 0; j < nxt.n; j++)
					if (nxt.v[j].p == y.p &&
					    nxt.v[j].i == y.i)
						break;
				if (j < nxt.n) {
					nxt.v[0] = y;
					nxt.n = 1;
					onchain = 1;
				}
			}
		}
		/* swap; tmp keeps its buffer for the next step */
		sw = cur;
		cur = nxt;
		nxt = sw;
	}
	val_reset(out);
	out->type = VAL_NODESET;
	out->ns = cur;
	expr_nodes_init(&cur);
	goto out;
nomem:
	st = ev_error(ec, n, st, "%s while following a path",
	    ds_status_str(st));
out:
	expr_nodes_reset(&cur);
	expr_nodes_reset(&nxt);
	expr_nodes_reset(&tmp);
	return st;
}

static enum ds_status
eval_ref(struct ectx *ec, const struct enode *n, struct val *out)
{
	const struct expr_env *env = ec->env;
	struct expr_nodes ns;
	enum ds_status st;

	if (env->ref == NULL)
		return ev_error(ec, n, DS_ENOENT, "unknown question ${%s}",
		    EPOOL(ec->e, n->str));
	expr_nodes_init(&ns);
	st = env->ref(env->ctx, EPOOL(ec->e, n->str), n->slen, env->current,
	    ec->resolve, &ns, ec->err);
	if (st != DS_OK) {
		expr_nodes_reset(&ns);
		if (st == DS_ENOENT && (ec->err == NULL ||
		    ec->err->code != DS_ENOENT))
			return ev_error(ec, n, st, "unknown question ${%s}",
			    EPOOL(ec->e, n->str));
		return cb_fail(ec, n, st, "cannot resolve reference");
	}
	val_reset(out);
	out->type = VAL_NODESET;
	out->ns = ns;
	return DS_OK;
}

enum ds_status
ev_node(struct ectx *ec, uint32_t i, struct val *out)
{
	const struct expr *e = ec->e;
	const struct enode *n = &e->nodes[i];
	struct val a, b;
	enum ds_status st = DS_OK;
	double x, y, r;
	uint32_t k;
	int res;
	size_t j;

	if (++*ec->steps > EXPR_MAX_STEPS)
		return ev_error(ec, n, DS_ELIMIT, "expression takes too many "
		    "steps (more than %u)", EXPR_MAX_STEPS);
	switch (n->op) {
	case EOP_NUM:
		val_set_number(out, n->num);
		return DS_OK;
	case EOP_STR:
		if (val_set_string(out, EPOOL(e, n->str), n->slen) != DS_OK)
			return ds_err_set(ec->err, DS_ENOMEM, NULL);
		return DS_OK;
	case EOP_REF:
		return eval_ref(ec, n, out);
	case EOP_PATH:
		return eval_path(ec, n, out);
	case EOP_CALL:
		val_reset(out);
		st = n->fn->fn(ec, n, out);
		if (st != DS_OK)
			val_reset(out);
		return st;
	case EOP_OR:
	case EOP_AND:
		val_init(&a);
		res = n->op == EOP_AND;
		for (k = 0; k < n->nkids; k++) {
			if ((st = ev_atom(ec, e->kidv[n->kids + k], &a)) !=
			    DS_OK) {
				val_reset(&a);
				return st;
			}
			if (val_bool(&a) != (n->op == EOP_AND)) {
				res = !res;
				break;
			}
		}
		val_reset(&a);
		val_set_bool(out, res);
		return DS_OK;
	case EOP_UNION:
		val_init(&a);
		val_init(&b);
		if ((st = ev_node(ec, e->kidv[n->kids], &a)) != DS_OK ||
		    (st = ev_node(ec, e->kidv[n->kids + 1], &b)) != DS_OK)
			goto done2;
		if (a.type != VAL_NODESET || b.type != VAL_NODESET) {
			st = ev_error(ec, n, DS_ETYPE, "'|' joins node-sets, "
			    "not values");
			goto done2;
		}
		for (j = 0; j < b.ns.n; j++)
			if ((st = expr_nodes_add(&a.ns, b.ns.v[j])) != DS_OK) {
				st = ds_err_set(ec->err, st, NULL);
				goto done2;
			}
		nodes_dedupe(&a.ns);
		val_move(out, &a);
		goto done2;
	default:
		break;
	}

	val_init(&a);
	val_init(&b);
	if ((st = ev_atom(ec, e->kidv[n->kids], &a)) != DS_OK)
		goto done2;
	if (n->op == EOP_NEG) {
		val_set_number(out, -val_number(&a));
		goto done2;
	}
	if ((st = ev_atom(ec, e->kidv[n->kids + 1], &b)) != DS_OK)
		goto done2;
	switch (n->op) {
	case EOP_EQ:
		val_set_bool(out, vals_equal(&a, &b));
		break;
	case EOP_NE:
		val_set_bool(out, !vals_equal(&a, &b));
		break;
	case EOP_LT: case EOP_LE: case EOP_GT: case EOP_GE:
		/* ODK: any comparison with an empty value is false (NaN) */
		x = val_number(&a);
		y = val_number(&b);
		res = n->op == EOP_LT ? x < y : n->op == EOP_LE ? x <= y :
		    n->op == EOP_GT ? x > y : x >= y;
		val_set_bool(out, res);
		break;
	default:
		x = val_number(&a);
		y = val_number(&b);
		switch (n->op) {
		case EOP_ADD: r = x + y; break;
		case EOP_SUB: r = x - y; break;
		case EOP_MUL: r = x * y; break;
		case EOP_DIV: r = x / y; break;
		default: r = fmod(x, y); break;
		}
		val_set_number(out, r);
		break;
	}
done2:
	val_reset(&a);
	val_reset(&b);
	return st;
}

static void
ectx_init(struct ectx *ec, const struct expr *e, const struct expr_env *env,
    size_t *steps, struct ds_err *err)
{
	*steps = 0;
	ec->steps = steps;
	ec->e = e;
	ec->env = env;
	ec->context = env->context;
	ec->cpos = 0;
	ec->csize = 0;
	ec->resolve = 0;
	ec->from_root = 0;
	ec->err = err;
}

enum ds_status
expr_eval(const struct expr *e, const struct expr_env *env, struct val *out,
    struct ds_err *err)
{
	struct ectx ec;
	struct val v;
	enum ds_status st;
	size_t steps;

	ectx_init(&ec, e, env, &steps, err);
	val_init(&v);
	if ((st = ev_atom(&ec, e->root, &v)) != DS_OK) {
		val_reset(&v);
		val_reset(out);
		return st;
	}
	val_move(out, &v);
	return DS_OK;
}

enum ds_status
expr_eval_nodes(const struct expr *e, const struct expr_env *env,
    struct expr_nodes *out, struct ds_err *err)
{
	struct ectx ec;
	struct val v;
	enum ds_status st;
	size_t i, steps;

	ectx_init(&ec, e, env, &steps, err);
	val_init(&v);
	if ((st = ev_node(&ec, e->root, &v)) != DS_OK)
		goto out;
	if (v.type != VAL_NODESET) {
		st = ds_err_set(err, DS_ETYPE, "expression is a value, not a "
		    "node-set");
		goto out;
	}
	for (i = 0; i < v.ns.n; i++)
		if ((st = expr_nodes_add(out, v.ns.v[i])) != DS_OK) {
			st = ds_err_set(err, st, NULL);
			goto out;
		}
out:
	val_reset(&v);
	return st;
}

enum ds_status
expr_eval_bool(const struct expr *e, const struct expr_env *env, int *out,
    struct ds_err *err)
{
	struct val v;
	enum ds_status st;

	val_init(&v);
	if ((st = expr_eval(e, env, &v, err)) == DS_OK)
		*out = val_bool(&v);
	val_reset(&v);
	return st;
}

enum ds_status
expr_eval_number(const struct expr *e, const struct expr_env *env,
    double *out, struct ds_err *err)
{
	struct val v;
	enum ds_status st;

	val_init(&v);
	if ((st = expr_eval(e, env, &v, err)) == DS_OK)
		*out = val_number(&v);
	val_reset(&v);
	return st;
}

enum ds_status
expr_eval_string(const struct expr *e, const struct expr_env *env,
    char **out, size_t *lenp, struct ds_err *err)
{
	struct val v;
	enum ds_status st;

	val_init(&v);
	if ((st = expr_eval(e, env, &v, err)) == DS_OK &&
	    (st = val_to_string(&v, VAL_FMT_STORE, out, lenp)) != DS_OK)
		ds_err_set(err, st, NULL);
	val_reset(&v);
	return st;
}
