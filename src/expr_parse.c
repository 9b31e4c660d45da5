/* doorstep: the parser of ODK XPath expressions, printer and reference walker. */
/*
 * Purpose: source text -> immutable AST (struct expr), once at form load.
 * Syntax errors, unknown functions, wrong arity and the XPath 1.0
 * functions ODK lacks are all reported here, with a character offset.
 *
 * Invariants: the AST lives in four arrays owned by the expr (nodes,
 * child indices, path steps, a string pool), addressed by index, so
 * growing them never invalidates anything and expr_free is four frees.
 * Parser recursion is bounded by EXPR_MAX_DEPTH (10k-deep parentheses fail
 * cleanly), and every node's height is at most EXPR_MAX_DEPTH, which bounds
 * the evaluator's recursion too.  'and'/'or' chains are n-ary, so long
 * relevance conditions stay shallow.
 *
 * Not done here: name resolution (${name} is checked by the engine through
 * expr_refs), types, evaluation.
 */
#include "expr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"
#include "mem.h"
#include "utf8.h"

struct parser {
	struct lexer	 lx;
	struct tok	 t;		/* current token */
	struct expr	*e;
	uint32_t	*scratch;	/* pending child lists */
	uint32_t	 nscratch;
	uint32_t	 capscratch;
	struct estep	*sscratch;	/* pending path steps */
	uint32_t	 nsscratch;
	uint32_t	 capsscratch;
	uint32_t	 capnodes;
	uint32_t	 capkidv;
	uint32_t	 capstepv;
	size_t		 cappool;
	int		 depth;
	enum ds_status	 st;
	struct ds_err	*err;
};

static uint32_t	parse_or(struct parser *);
static uint32_t	fail(struct parser *, enum ds_status, size_t, const char *,
		    ...) __attribute__((format(printf, 4, 5)));

static uint32_t
fail(struct parser *p, enum ds_status st, size_t cpos, const char *fmt, ...)
{
	char msg[DS_ERR_MSG_MAX - 32];
	va_list ap;

	if (p->st != DS_OK)
		return ENONE;
	p->st = st;
	if (st == DS_ENOMEM) {
		ds_err_set(p->err, st, NULL);
		return ENONE;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ds_err_set(p->err, st, "%s at character %zu", msg, cpos);
	return ENONE;
}

static int
next(struct parser *p)
{
	enum ds_status st;

	if ((st = lex_next(&p->lx, &p->t, p->err)) != DS_OK) {
		p->st = st;
		return -1;
	}
	return 0;
}

/* Peek at the token after the current one. */
static enum tok_type
peek(struct parser *p)
{
	struct lexer save = p->lx;
	struct tok t;
	struct ds_err dummy;

	if (lex_next(&save, &t, &dummy) != DS_OK)
		return T_EOF;
	return t.type;
}

static int
grow(void **v, uint32_t *cap, uint32_t need, size_t sz)
{
	uint32_t ncap;
	void *nv;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	if ((nv = ds_realloc(*v, (size_t)ncap * sz)) == NULL)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

static uint32_t
new_node(struct parser *p, enum eop op, size_t cpos)
{
	struct expr *e = p->e;
	struct enode *n;

	if (p->st != DS_OK)
		return ENONE;
	if (e->nnodes >= EXPR_MAX_NODES)
		return fail(p, DS_ELIMIT, cpos, "expression too large");
	if (grow((void **)&e->nodes, &p->capnodes, e->nnodes + 1,
	    sizeof(*e->nodes)) != 0)
		return fail(p, DS_ENOMEM, cpos, "out of memory");
	n = &e->nodes[e->nnodes];
	memset(n, 0, sizeof(*n));
	n->op = (uint8_t)op;
	n->pos = (uint32_t)cpos;
	n->filter = ENONE;
	n->depth = 1;
	return e->nnodes++;
}

static uint32_t
add_str(struct parser *p, const char *s, size_t len)
{
	struct expr *e = p->e;
	size_t need = e->npool + len + 1, ncap;
	char *np;
	uint32_t off;

	if (p->st != DS_OK)
		return 0;
	if (need > p->cappool) {
		ncap = p->cappool ? p->cappool : 64;
		while (ncap < need)
			ncap *= 2;
		if ((np = ds_realloc(e->pool, ncap)) == NULL) {
			fail(p, DS_ENOMEM, 0, "out of memory");
			return 0;
		}
		e->pool = np;
		p->cappool = ncap;
	}
	off = (uint32_t)e->npool;
	if (len > 0)
		memcpy(e->pool + off, s, len);
	e->pool[off + len] = '\0';
	e->npool = need;
	return off;
}

static void
push(struct parser *p, uint32_t k)
{
	if (p->st != DS_OK)
		return;
	if (grow((void **)&p->scratch, &p->capscratch, p->nscratch + 1,
	    sizeof(*p->scratch)) != 0) {
		fail(p, DS_ENOMEM, 0, "out of memory");
		return;
	}
	p->scratch[p->nscratch++] = k;
}

/* Move scratch[base..] into kidv; return its start. */
static uint32_t
commit(struct parser *p, uint32_t base, uint32_t *np)
{
	struct expr *e = p->e;
	uint32_t n = p->nscratch - base, start = e->nkidv;

	*np = 0;
	if (p->st != DS_OK)
		return 0;
	if (grow((void **)&e->kidv, &p->capkidv, e->nkidv + n,
	    sizeof(*e->kidv)) != 0) {
		fail(p, DS_ENOMEM, 0, "out of memory");
		return 0;
	}
	if (n > 0)
		memcpy(e->kidv + start, p->scratch + base, n * sizeof(uint32_t));
	e->nkidv += n;
	p->nscratch = base;
	*np = n;
	return start;
}

/* Height bookkeeping: node i is one above child k. */
static void
above(struct parser *p, uint32_t i, uint32_t k)
{
	struct enode *n, *c;

	if (p->st != DS_OK || i == ENONE || k == ENONE)
		return;
	n = &p->e->nodes[i];
	c = &p->e->nodes[k];
	if (c->depth + 1 > n->depth)
		n->depth = (uint16_t)(c->depth + 1 > 65535 ? 65535 :
		    c->depth + 1);
	if (c->ctxdep)
		n->ctxdep = 1;
	if (n->depth > EXPR_MAX_DEPTH)
		fail(p, DS_ELIMIT, n->pos, "expression nested too deeply "
		    "(more than %d levels)", EXPR_MAX_DEPTH);
}

static const char *
tok_what(const struct tok *t)
{
	switch (t->type) {
	case T_EOF: return "end of expression";
	case T_NUM: return "number";
	case T_STR: return "string";
	case T_REF: return "${name}";
	case T_NAME: return "name";
	case T_RP: return "')'";
	case T_RB: return "']'";
	case T_COMMA: return "','";
	default: return "operator";
	}
}

static uint32_t
expect_fail(struct parser *p, const char *what)
{
	return fail(p, DS_EPARSE, p->t.cpos, "expected %s, found %s", what,
	    tok_what(&p->t));
}

/* Predicates after a step or primary: [expr]... pushed to scratch. */
static void
parse_preds(struct parser *p, uint32_t owner)
{
	uint32_t k;

	while (p->st == DS_OK && p->t.type == T_LB) {
		if (next(p) != 0)
			return;
		k = parse_or(p);
		if (p->st != DS_OK)
			return;
		if (p->t.type != T_RB) {
			expect_fail(p, "']'");
			return;
		}
		if (next(p) != 0)
			return;
		push(p, k);
		if (owner != ENONE && p->st == DS_OK) {
			/* a predicate's own context does not leak out */
			uint8_t save = p->e->nodes[owner].ctxdep;

			above(p, owner, k);
			p->e->nodes[owner].ctxdep = save;
		}
	}
}

static uint32_t
parse_call(struct parser *p)
{
	struct tok name = p->t;
	const struct expr_func *fn;
	const char *adv;
	uint32_t i, base, k, n;
	struct enode *nd;

	fn = expr_func_find(name.s, name.len);
	if (fn == NULL) {
		adv = expr_func_rejected(name.s, name.len);
		if (adv != NULL)
			return fail(p, DS_EPARSE, name.cpos,
			    "function '%.*s' is not in ODK XPath (%s)",
			    (int)name.len, name.s, adv);
		return fail(p, DS_EPARSE, name.cpos, "unknown function "
		    "'%.*s'", (int)name.len, name.s);
	}
	if ((i = new_node(p, EOP_CALL, name.cpos)) == ENONE)
		return ENONE;
	p->e->nodes[i].fn = fn;
	p->e->nodes[i].str = add_str(p, name.s, name.len);
	p->e->nodes[i].slen = (uint32_t)name.len;
	p->e->flags |= fn->flags & 0xffu;
	if (next(p) != 0 || next(p) != 0)	/* name, '(' */
		return ENONE;
	base = p->nscratch;
	if (p->t.type != T_RP) {
		for (;;) {
			k = parse_or(p);
			if (p->st != DS_OK)
				return ENONE;
			push(p, k);
			above(p, i, k);
			if (p->t.type == T_COMMA) {
				if (next(p) != 0)
					return ENONE;
				continue;
			}
			if (p->t.type != T_RP)
				return expect_fail(p, "',' or ')'");
			break;
		}
	}
	if (next(p) != 0)
		return ENONE;
	nd = &p->e->nodes[i];
	nd->kids = commit(p, base, &n);
	nd = &p->e->nodes[i];
	nd->nkids = n;
	if ((int)n < fn->min || (fn->max >= 0 && (int)n > fn->max)) {
		if (fn->min == fn->max)
			return fail(p, DS_EPARSE, name.cpos, "%s() takes %d "
			    "argument%s, not %u", fn->name, fn->min,
			    fn->min == 1 ? "" : "s", n);
		if (fn->max < 0)
			return fail(p, DS_EPARSE, name.cpos, "%s() takes at "
			    "least %d argument%s, not %u", fn->name, fn->min,
			    fn->min == 1 ? "" : "s", n);
		return fail(p, DS_EPARSE, name.cpos, "%s() takes %d to %d "
		    "arguments, not %u", fn->name, fn->min, fn->max, n);
	}
	if (strcmp(fn->name, "indexed-repeat") == 0 && n % 2 == 0)
		return fail(p, DS_EPARSE, name.cpos, "indexed-repeat() takes "
		    "a node and pairs of repeat and index");
	if (strcmp(fn->name, "weighted-checklist") == 0 && n % 2 != 0)
		return fail(p, DS_EPARSE, name.cpos, "weighted-checklist() "
		    "takes min, max and pairs of value and weight");
	if (strcmp(fn->name, "position") == 0 && n == 0)
		nd->ctxdep = 1;
	if ((strcmp(fn->name, "once") == 0 ||
	    strcmp(fn->name, "string") == 0 ||
	    strcmp(fn->name, "normalize-space") == 0) && n == 0)
		nd->ctxdep = 1;
	return i;
}

/* Steps after the start of a location path; returns 0 or -1. */
static int
parse_steps(struct parser *p, uint32_t path)
{
	struct estep st;
	struct expr *e = p->e;
	uint32_t sbase = p->nsscratch, base, np, first;

	for (;;) {
		memset(&st, 0, sizeof(st));
		switch (p->t.type) {
		case T_NAME:
			if (peek(p) == T_LP) {
				fail(p, DS_EPARSE, p->t.cpos, "node tests "
				    "and functions are not allowed as a path "
				    "step");
				return -1;
			}
			if (p->t.len == 1 && p->t.s[0] == '*')
				st.kind = ESTEP_ANY;
			else {
				st.kind = ESTEP_CHILD;
				st.name = add_str(p, p->t.s, p->t.len);
				st.nlen = (uint32_t)p->t.len;
			}
			break;
		case T_DOT:
			st.kind = ESTEP_SELF;
			break;
		case T_DOTDOT:
			st.kind = ESTEP_PARENT;
			break;
		case T_AT:
			if (next(p) != 0)
				return -1;
			if (p->t.type != T_NAME || peek(p) == T_LP ||
			    (p->t.len == 1 && p->t.s[0] == '*')) {
				expect_fail(p, "an attribute name after '@'");
				return -1;
			}
			st.kind = ESTEP_ATTR;
			st.name = add_str(p, p->t.s, p->t.len);
			st.nlen = (uint32_t)p->t.len;
			break;
		default:
			expect_fail(p, "a path step");
			return -1;
		}
		if (next(p) != 0)
			return -1;
		if (p->t.type == T_AXIS) {
			fail(p, DS_EPARSE, p->t.cpos, "axes are not supported "
			    "(use '.', '..' and child names)");
			return -1;
		}
		base = p->nscratch;
		parse_preds(p, path);
		if (p->st != DS_OK)
			return -1;
		st.preds = commit(p, base, &np);
		st.npreds = np;
		/* nested paths in predicates add steps too: collect ours
		 * on the side and store them together at the end */
		if (grow((void **)&p->sscratch, &p->capsscratch,
		    p->nsscratch + 1, sizeof(*p->sscratch)) != 0) {
			fail(p, DS_ENOMEM, 0, "out of memory");
			return -1;
		}
		p->sscratch[p->nsscratch++] = st;
		if (p->t.type == T_SLASH2) {
			fail(p, DS_EPARSE, p->t.cpos, "'//' is not supported "
			    "(write the full path)");
			return -1;
		}
		if (p->t.type != T_SLASH)
			break;
		if (next(p) != 0)
			return -1;
	}
	np = p->nsscratch - sbase;
	if (grow((void **)&e->stepv, &p->capstepv, e->nstepv + np,
	    sizeof(*e->stepv)) != 0) {
		fail(p, DS_ENOMEM, 0, "out of memory");
		return -1;
	}
	first = e->nstepv;
	memcpy(e->stepv + first, p->sscratch + sbase, np * sizeof(*e->stepv));
	e->nstepv += np;
	p->nsscratch = sbase;
	e->nodes[path].steps = first;
	e->nodes[path].nsteps = np;
	return 0;
}

static int
starts_step(enum tok_type t)
{
	return t == T_NAME || t == T_DOT || t == T_DOTDOT || t == T_AT;
}

static uint32_t
parse_path(struct parser *p)
{
	struct tok t = p->t;
	uint32_t prim = ENONE, path, base, n;
	struct enode *nd;

	switch (t.type) {
	case T_SLASH:
		if ((path = new_node(p, EOP_PATH, t.cpos)) == ENONE)
			return ENONE;
		p->e->nodes[path].absolute = 1;
		if (next(p) != 0)
			return ENONE;
		if (starts_step(p->t.type) && parse_steps(p, path) != 0)
			return ENONE;
		return path;
	case T_SLASH2:
		return fail(p, DS_EPARSE, t.cpos, "'//' is not supported "
		    "(write the full path)");
	case T_NAME:
		if (peek(p) == T_LP) {
			prim = parse_call(p);
			break;
		}
		DS_FALLTHROUGH;
	case T_DOT:
	case T_DOTDOT:
	case T_AT:
		if ((path = new_node(p, EOP_PATH, t.cpos)) == ENONE)
			return ENONE;
		p->e->nodes[path].ctxdep = 1;
		if (parse_steps(p, path) != 0)
			return ENONE;
		return path;
	case T_NUM:
		if ((prim = new_node(p, EOP_NUM, t.cpos)) == ENONE)
			return ENONE;
		nd = &p->e->nodes[prim];
		nd->num = strtod(t.s, NULL);
		nd->str = add_str(p, t.s, t.len);
		p->e->nodes[prim].slen = (uint32_t)t.len;
		if (next(p) != 0)
			return ENONE;
		break;
	case T_STR:
		if ((prim = new_node(p, EOP_STR, t.cpos)) == ENONE)
			return ENONE;
		p->e->nodes[prim].str = add_str(p, t.s, t.len);
		p->e->nodes[prim].slen = (uint32_t)t.len;
		if (next(p) != 0)
			return ENONE;
		break;
	case T_REF:
		if ((prim = new_node(p, EOP_REF, t.cpos)) == ENONE)
			return ENONE;
		p->e->nodes[prim].str = add_str(p, t.s, t.len);
		p->e->nodes[prim].slen = (uint32_t)t.len;
		if (next(p) != 0)
			return ENONE;
		break;
	case T_LP:
		if (next(p) != 0)
			return ENONE;
		prim = parse_or(p);
		if (p->st != DS_OK)
			return ENONE;
		if (p->t.type != T_RP)
			return expect_fail(p, "')'");
		if (next(p) != 0)
			return ENONE;
		break;
	case T_VAR:
		return fail(p, DS_EPARSE, t.cpos, "variables are not "
		    "supported (write ${name} for a question)");
	default:
		return expect_fail(p, "a value");
	}
	if (p->st != DS_OK)
		return ENONE;
	if (p->t.type != T_LB && p->t.type != T_SLASH &&
	    p->t.type != T_SLASH2)
		return prim;
	/* filter expression: primary[pred]/steps */
	if ((path = new_node(p, EOP_PATH, t.cpos)) == ENONE)
		return ENONE;
	p->e->nodes[path].filter = prim;
	above(p, path, prim);
	base = p->nscratch;
	parse_preds(p, path);
	if (p->st != DS_OK)
		return ENONE;
	p->e->nodes[path].fpreds = commit(p, base, &n);
	p->e->nodes[path].nfpreds = n;
	if (p->t.type == T_SLASH2)
		return fail(p, DS_EPARSE, p->t.cpos, "'//' is not supported "
		    "(write the full path)");
	if (p->t.type == T_SLASH) {
		if (next(p) != 0)
			return ENONE;
		if (parse_steps(p, path) != 0)
			return ENONE;
	}
	return path;
}

/* A node `op` over a and, unless it is ENONE, b. */
static uint32_t
op_node(struct parser *p, enum eop op, size_t cpos, uint32_t a, uint32_t b)
{
	uint32_t i, base, n;

	if ((i = new_node(p, op, cpos)) == ENONE)
		return ENONE;
	base = p->nscratch;
	push(p, a);
	if (b != ENONE)
		push(p, b);
	p->e->nodes[i].kids = commit(p, base, &n);
	p->e->nodes[i].nkids = n;
	above(p, i, a);
	if (b != ENONE)
		above(p, i, b);
	return i;
}

static uint32_t
parse_union(struct parser *p)
{
	uint32_t a, b;
	size_t cpos;

	a = parse_path(p);
	while (p->st == DS_OK && p->t.type == T_PIPE) {
		cpos = p->t.cpos;
		if (next(p) != 0)
			return ENONE;
		b = parse_path(p);
		if ((a = op_node(p, EOP_UNION, cpos, a, b)) == ENONE)
			return ENONE;
	}
	return p->st == DS_OK ? a : ENONE;
}

static uint32_t
parse_unary(struct parser *p)
{
	size_t cpos[EXPR_MAX_DEPTH];
	int nneg = 0;
	uint32_t a;

	while (p->t.type == T_MINUS) {
		if (nneg >= EXPR_MAX_DEPTH)
			return fail(p, DS_ELIMIT, p->t.cpos, "expression "
			    "nested too deeply (more than %d levels)",
			    EXPR_MAX_DEPTH);
		cpos[nneg++] = p->t.cpos;
		if (next(p) != 0)
			return ENONE;
	}
	a = parse_union(p);
	while (p->st == DS_OK && nneg > 0) {
		if ((a = op_node(p, EOP_NEG, cpos[--nneg], a, ENONE)) ==
		    ENONE)
			return ENONE;
	}
	return p->st == DS_OK ? a : ENONE;
}

static int
binop(enum tok_type t, int level, enum eop *op)
{
	switch (level) {
	case 0:
		if (t == T_EQ) { *op = EOP_EQ; return 1; }
		if (t == T_NE) { *op = EOP_NE; return 1; }
		return 0;
	case 1:
		if (t == T_LT) { *op = EOP_LT; return 1; }
		if (t == T_LE) { *op = EOP_LE; return 1; }
		if (t == T_GT) { *op = EOP_GT; return 1; }
		if (t == T_GE) { *op = EOP_GE; return 1; }
		return 0;
	case 2:
		if (t == T_PLUS) { *op = EOP_ADD; return 1; }
		if (t == T_MINUS) { *op = EOP_SUB; return 1; }
		return 0;
	default:
		if (t == T_STAR) { *op = EOP_MUL; return 1; }
		if (t == T_DIV) { *op = EOP_DIV; return 1; }
		if (t == T_MOD) { *op = EOP_MOD; return 1; }
		return 0;
	}
}

/* Left-associative binary levels: 0 equality .. 3 multiplicative. */
static uint32_t
parse_bin(struct parser *p, int level)
{
	uint32_t a, b;
	enum eop op;
	size_t cpos;

	a = level == 3 ? parse_unary(p) : parse_bin(p, level + 1);
	while (p->st == DS_OK && binop(p->t.type, level, &op)) {
		cpos = p->t.cpos;
		if (next(p) != 0)
			return ENONE;
		b = level == 3 ? parse_unary(p) : parse_bin(p, level + 1);
		if ((a = op_node(p, op, cpos, a, b)) == ENONE)
			return ENONE;
	}
	return p->st == DS_OK ? a : ENONE;
}

/* n-ary 'and' (level 1) and 'or' (level 0). */
static uint32_t
parse_andor(struct parser *p, int is_or)
{
	enum tok_type want = is_or ? T_OR : T_AND;
	uint32_t a, k, i, base, n;
	size_t cpos;

	a = is_or ? parse_andor(p, 0) : parse_bin(p, 0);
	if (p->st != DS_OK || p->t.type != want)
		return p->st == DS_OK ? a : ENONE;
	cpos = p->t.cpos;
	if ((i = new_node(p, is_or ? EOP_OR : EOP_AND, cpos)) == ENONE)
		return ENONE;
	base = p->nscratch;
	push(p, a);
	above(p, i, a);
	while (p->st == DS_OK && p->t.type == want) {
		if (next(p) != 0)
			return ENONE;
		k = is_or ? parse_andor(p, 0) : parse_bin(p, 0);
		push(p, k);
		above(p, i, k);
	}
	if (p->st != DS_OK)
		return ENONE;
	p->e->nodes[i].kids = commit(p, base, &n);
	p->e->nodes[i].nkids = n;
	return i;
}

static uint32_t
parse_or(struct parser *p)
{
	uint32_t r;

	if (++p->depth > EXPR_MAX_DEPTH) {
		p->depth--;
		return fail(p, DS_ELIMIT, p->t.cpos, "expression nested too "
		    "deeply (more than %d levels)", EXPR_MAX_DEPTH);
	}
	r = parse_andor(p, 1);
	p->depth--;
	return r;
}

void
expr_free(struct expr *e)
{
	if (e == NULL)
		return;
	ds_free(e->src);
	ds_free(e->nodes);
	ds_free(e->kidv);
	ds_free(e->stepv);
	ds_free(e->pool);
	ds_free(e);
}

enum ds_status
expr_parse(const char *src, size_t len, struct expr **out,
    struct ds_err *err)
{
	struct parser p;
	struct expr *e;

	if (len > EXPR_MAX_LEN)
		return ds_err_set(err, DS_ELIMIT, "expression longer than %d "
		    "bytes", EXPR_MAX_LEN);
	if ((e = ds_calloc(1, sizeof(*e))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if ((e->src = ds_strndup(src, len)) == NULL) {
		ds_free(e);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	e->len = len;
	if (memchr(e->src, '\0', len) != NULL) {
		expr_free(e);
		return ds_err_set(err, DS_EPARSE, "NUL byte in expression at "
		    "character %zu", utf8_count(src, (size_t)((const char *)
		    memchr(src, '\0', len) - src)));
	}
	memset(&p, 0, sizeof(p));
	p.e = e;
	p.err = err;
	p.st = DS_OK;
	lex_init(&p.lx, e->src, len);
	if (next(&p) == 0) {
		if (p.t.type == T_EOF)
			fail(&p, DS_EPARSE, 0, "empty expression");
		else {
			e->root = parse_or(&p);
			if (p.st == DS_OK && p.t.type != T_EOF)
				fail(&p, DS_EPARSE, p.t.cpos, "unexpected %s "
				    "after the expression", tok_what(&p.t));
		}
	}
	ds_free(p.scratch);
	ds_free(p.sscratch);
	if (p.st != DS_OK) {
		expr_free(e);
		return p.st;
	}
	*out = e;
	return DS_OK;
}

const char *
expr_source(const struct expr *e, size_t *lenp)
{
	if (lenp != NULL)
		*lenp = e->len;
	return e->src;
}

unsigned
expr_flags(const struct expr *e)
{
	uint32_t i;
	unsigned f = e->flags;

	for (i = 0; i < e->nnodes; i++) {
		const struct enode *n = &e->nodes[i];

		if (n->op == EOP_PATH && !n->absolute && n->filter == ENONE)
			f |= EXPR_F_CONTEXT;
	}
	return f;
}

/* Printer. */

static const char *
op_text(uint8_t op)
{
	switch (op) {
	case EOP_OR: return " or ";
	case EOP_AND: return " and ";
	case EOP_EQ: return " = ";
	case EOP_NE: return " != ";
	case EOP_LT: return " < ";
	case EOP_LE: return " <= ";
	case EOP_GT: return " > ";
	case EOP_GE: return " >= ";
	case EOP_ADD: return " + ";
	case EOP_SUB: return " - ";
	case EOP_MUL: return " * ";
	case EOP_DIV: return " div ";
	case EOP_MOD: return " mod ";
	case EOP_UNION: return " | ";
	default: return " ? ";
	}
}

static enum ds_status	print_node(const struct expr *, uint32_t, int,
			    struct ds_buf *);

static enum ds_status
print_preds(const struct expr *e, uint32_t at, uint32_t n, int nopred,
    struct ds_buf *b)
{
	enum ds_status st;
	uint32_t k;

	if (nopred)
		return DS_OK;
	for (k = 0; k < n; k++) {
		if ((st = ds_buf_addc(b, '[')) != DS_OK ||
		    (st = print_node(e, e->kidv[at + k], 0, b)) != DS_OK ||
		    (st = ds_buf_addc(b, ']')) != DS_OK)
			return st;
	}
	return DS_OK;
}

static enum ds_status
print_string(const char *s, size_t len, struct ds_buf *b)
{
	char q = memchr(s, '\'', len) != NULL ? '"' : '\'';
	enum ds_status st;

	if ((st = ds_buf_addc(b, q)) != DS_OK ||
	    (st = ds_buf_add(b, s, len)) != DS_OK)
		return st;
	return ds_buf_addc(b, q);
}

static enum ds_status
print_node(const struct expr *e, uint32_t i, int nopred, struct ds_buf *b)
{
	const struct enode *n = &e->nodes[i];
	const struct estep *s;
	enum ds_status st = DS_OK;
	uint32_t k;

	switch (n->op) {
	case EOP_NUM:
		return ds_buf_add(b, EPOOL(e, n->str), n->slen);
	case EOP_STR:
		return print_string(EPOOL(e, n->str), n->slen, b);
	case EOP_REF:
		return ds_buf_printf(b, "${%s}", EPOOL(e, n->str));
	case EOP_NEG:
		if ((st = ds_buf_adds(b, "(-")) != DS_OK ||
		    (st = print_node(e, e->kidv[n->kids], nopred, b)) != DS_OK)
			return st;
		return ds_buf_addc(b, ')');
	case EOP_CALL:
		if ((st = ds_buf_printf(b, "%s(", EPOOL(e, n->str))) != DS_OK)
			return st;
		for (k = 0; k < n->nkids; k++) {
			if (k > 0 && (st = ds_buf_adds(b, ", ")) != DS_OK)
				return st;
			if ((st = print_node(e, e->kidv[n->kids + k], nopred,
			    b)) != DS_OK)
				return st;
		}
		return ds_buf_addc(b, ')');
	case EOP_PATH:
		if (n->filter != ENONE) {
			const struct enode *f = &e->nodes[n->filter];
			int paren = f->op != EOP_CALL && f->op != EOP_REF &&
			    f->op != EOP_STR && f->op != EOP_NUM;

			if (paren && (st = ds_buf_addc(b, '(')) != DS_OK)
				return st;
			if ((st = print_node(e, n->filter, nopred, b)) !=
			    DS_OK)
				return st;
			if (paren && (st = ds_buf_addc(b, ')')) != DS_OK)
				return st;
			if ((st = print_preds(e, n->fpreds, n->nfpreds,
			    nopred, b)) != DS_OK)
				return st;
			if (n->nsteps > 0 && (st = ds_buf_addc(b, '/')) !=
			    DS_OK)
				return st;
		} else if (n->absolute && (st = ds_buf_addc(b, '/')) != DS_OK)
			return st;
		for (k = 0; k < n->nsteps; k++) {
			s = &e->stepv[n->steps + k];
			if (k > 0 && (st = ds_buf_addc(b, '/')) != DS_OK)
				return st;
			switch (s->kind) {
			case ESTEP_CHILD:
				st = ds_buf_add(b, EPOOL(e, s->name), s->nlen);
				break;
			case ESTEP_ATTR:
				if ((st = ds_buf_addc(b, '@')) == DS_OK)
					st = ds_buf_add(b, EPOOL(e, s->name),
					    s->nlen);
				break;
			case ESTEP_ANY:
				st = ds_buf_addc(b, '*');
				break;
			case ESTEP_SELF:
				st = ds_buf_addc(b, '.');
				break;
			default:
				st = ds_buf_adds(b, "..");
				break;
			}
			if (st != DS_OK || (st = print_preds(e, s->preds,
			    s->npreds, nopred, b)) != DS_OK)
				return st;
		}
		return DS_OK;
	default:
		if ((st = ds_buf_addc(b, '(')) != DS_OK)
			return st;
		for (k = 0; k < n->nkids; k++) {
			if (k > 0 && (st = ds_buf_adds(b, op_text(n->op))) !=
			    DS_OK)
				return st;
			if ((st = print_node(e, e->kidv[n->kids + k], nopred,
			    b)) != DS_OK)
				return st;
		}
		return ds_buf_addc(b, ')');
	}
}

enum ds_status
expr_print(const struct expr *e, struct ds_buf *b)
{
	return print_node(e, e->root, 0, b);
}

/* Reference walker. */

struct walk {
	const struct expr	*e;
	enum ds_status		(*fn)(void *, const struct expr_ref *);
	void			*arg;
	struct ds_buf		 b;
};

static enum ds_status	walk_node(struct walk *, uint32_t, unsigned);

static enum ds_status
report(struct walk *w, enum expr_ref_kind kind, const char *s, size_t len,
    uint32_t pos, unsigned flags)
{
	struct expr_ref r;

	r.kind = kind;
	r.text = s;
	r.len = len;
	r.pos = pos;
	r.flags = flags;
	return w->fn(w->arg, &r);
}

static enum ds_status
walk_list(struct walk *w, uint32_t at, uint32_t n, unsigned flags)
{
	enum ds_status st;
	uint32_t k;

	for (k = 0; k < n; k++)
		if ((st = walk_node(w, w->e->kidv[at + k], flags)) != DS_OK)
			return st;
	return DS_OK;
}

static enum ds_status
walk_node(struct walk *w, uint32_t i, unsigned flags)
{
	const struct expr *e = w->e;
	const struct enode *n = &e->nodes[i], *f;
	enum ds_status st;
	unsigned pf, af;
	uint32_t k;

	switch (n->op) {
	case EOP_NUM:
	case EOP_STR:
		return DS_OK;
	case EOP_REF:
		return report(w, EXPR_REF_NAME, EPOOL(e, n->str), n->slen,
		    n->pos, flags);
	case EOP_CALL:
		af = flags & (EXPR_REFF_PREDICATE | EXPR_REFF_ALL);
		if (n->fn->flags & FN_ALLARGS)
			af |= EXPR_REFF_ALL;
		if (n->fn->flags & FN_AGG)
			af |= EXPR_REFF_AGGREGATE;
		if (n->fn->flags & EXPR_F_INSTANCE && n->nkids > 0 &&
		    e->nodes[e->kidv[n->kids]].op == EOP_STR) {
			f = &e->nodes[e->kidv[n->kids]];
			if ((st = report(w, EXPR_REF_INSTANCE,
			    EPOOL(e, f->str), f->slen, n->pos,
			    flags & EXPR_REFF_PREDICATE)) != DS_OK)
				return st;
		}
		for (k = 0; k < n->nkids; k++) {
			/* only direct arguments are aggregates */
			if ((st = walk_node(w, e->kidv[n->kids + k], af)) !=
			    DS_OK)
				return st;
		}
		return DS_OK;
	case EOP_PATH:
		pf = flags;
		if (n->absolute)
			pf |= EXPR_REFF_ABSOLUTE;
		if (n->filter != ENONE) {
			f = &e->nodes[n->filter];
			if (f->op == EOP_CALL &&
			    strcmp(f->fn->name, "current") == 0)
				pf |= EXPR_REFF_CURRENT;
			if ((st = walk_node(w, n->filter, flags)) != DS_OK)
				return st;
		}
		ds_buf_clear(&w->b);
		if ((st = print_node(e, i, 1, &w->b)) != DS_OK)
			return st;
		if ((st = report(w, EXPR_REF_PATH, w->b.p, w->b.len, n->pos,
		    pf)) != DS_OK)
			return st;
		pf = (flags & (EXPR_REFF_ALL)) | EXPR_REFF_PREDICATE;
		if ((st = walk_list(w, n->fpreds, n->nfpreds, pf)) != DS_OK)
			return st;
		for (k = 0; k < n->nsteps; k++) {
			const struct estep *s = &e->stepv[n->steps + k];

			if ((st = walk_list(w, s->preds, s->npreds, pf)) !=
			    DS_OK)
				return st;
		}
		return DS_OK;
	default:
		return walk_list(w, n->kids, n->nkids,
		    flags & ~EXPR_REFF_AGGREGATE);
	}
}

enum ds_status
expr_refs(const struct expr *e,
    enum ds_status (*fn)(void *, const struct expr_ref *), void *arg)
{
	struct walk w;
	enum ds_status st;

	w.e = e;
	w.fn = fn;
	w.arg = arg;
	ds_buf_init(&w.b, EXPR_MAX_LEN * 4);
	st = walk_node(&w, e->root, 0);
	ds_buf_reset(&w.b);
	return st;
}
