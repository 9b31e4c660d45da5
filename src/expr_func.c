/* doorstep: the function table of ODK XPath and doorstep's extensions. */
/*
 * Purpose: one table row per function (name, arity, flags, evaluator), as
 * style.md §13 asks, and the evaluators.  Semantics follow ODK Collect
 * (JavaRosa, "JR"); xlsform-xpath.md §11 is the reference and
 * docs/expressions.md lists each choice where ODK clients differ.
 *
 * Invariants: evaluators receive their call node unevaluated, so if(),
 * coalesce(), once() and the boolean operators evaluate only what they
 * need; every string built is capped at EXPR_MAX_STRING; string positions
 * and lengths count characters (UTF-8 code points), not bytes.
 * Not done here: parsing (arity is checked by the parser from this table).
 */
#include "expr.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"
#include "mem.h"

#define F_DECL(name)	static enum ds_status name(struct ectx *, \
			    const struct enode *, struct val *)

F_DECL(f_if); F_DECL(f_coalesce); F_DECL(f_once); F_DECL(f_true);
F_DECL(f_false); F_DECL(f_not); F_DECL(f_boolean); F_DECL(f_bfs);
F_DECL(f_number); F_DECL(f_string); F_DECL(f_int); F_DECL(f_round);
F_DECL(f_math1); F_DECL(f_pow); F_DECL(f_atan2); F_DECL(f_pi);
F_DECL(f_random); F_DECL(f_randomize); F_DECL(f_concat); F_DECL(f_join);
F_DECL(f_substr); F_DECL(f_sbefore); F_DECL(f_safter); F_DECL(f_strlen);
F_DECL(f_contains); F_DECL(f_starts); F_DECL(f_ends); F_DECL(f_translate);
F_DECL(f_normspace); F_DECL(f_regex); F_DECL(f_uuid); F_DECL(f_selected);
F_DECL(f_selat); F_DECL(f_countsel); F_DECL(f_choicename);
F_DECL(f_checklist); F_DECL(f_wchecklist); F_DECL(f_sum); F_DECL(f_count);
F_DECL(f_countne); F_DECL(f_max); F_DECL(f_min); F_DECL(f_position);
F_DECL(f_irepeat); F_DECL(f_pulldata); F_DECL(f_instance);
F_DECL(f_current); F_DECL(f_today); F_DECL(f_now); F_DECL(f_date);
F_DECL(f_datetime); F_DECL(f_ddt); F_DECL(f_dtime); F_DECL(f_fdate);
F_DECL(f_idvalid); F_DECL(f_idbirth); F_DECL(f_idsex); F_DECL(f_age);

#define VOL	EXPR_F_VOLATILE

static const struct expr_func funcs[] = {
	/* control */
	{ "if",			3, 3,  0,		f_if },
	{ "coalesce",		2, 2,  0,		f_coalesce },
	{ "once",		1, 1,  EXPR_F_ONCE,	f_once },
	{ "true",		0, 0,  0,		f_true },
	{ "false",		0, 0,  0,		f_false },
	{ "not",		1, 1,  0,		f_not },
	{ "boolean",		1, 1,  0,		f_boolean },
	{ "boolean-from-string", 1, 1, 0,		f_bfs },
	/* numbers */
	{ "number",		1, 1,  0,		f_number },
	{ "string",		0, 1,  0,		f_string },
	{ "int",		1, 1,  0,		f_int },
	{ "round",		1, 2,  0,		f_round },
	{ "pow",		2, 2,  0,		f_pow },
	{ "abs",		1, 1,  0,		f_math1 },
	{ "sqrt",		1, 1,  0,		f_math1 },
	{ "exp",		1, 1,  0,		f_math1 },
	{ "exp10",		1, 1,  0,		f_math1 },
	{ "log",		1, 1,  0,		f_math1 },
	{ "log10",		1, 1,  0,		f_math1 },
	{ "sin",		1, 1,  0,		f_math1 },
	{ "cos",		1, 1,  0,		f_math1 },
	{ "tan",		1, 1,  0,		f_math1 },
	{ "asin",		1, 1,  0,		f_math1 },
	{ "acos",		1, 1,  0,		f_math1 },
	{ "atan",		1, 1,  0,		f_math1 },
	{ "atan2",		2, 2,  0,		f_atan2 },
	{ "pi",			0, 0,  0,		f_pi },
	{ "random",		0, 0,  VOL,		f_random },
	{ "randomize",		1, 2,  FN_AGG,		f_randomize },
	/* strings */
	{ "concat",		1, -1, FN_AGG,		f_concat },
	{ "join",		2, -1, FN_AGG,		f_join },
	{ "substr",		2, 3,  0,		f_substr },
	{ "substring-before",	2, 2,  0,		f_sbefore },
	{ "substring-after",	2, 2,  0,		f_safter },
	{ "string-length",	1, 1,  0,		f_strlen },
	{ "contains",		2, 2,  0,		f_contains },
	{ "starts-with",	2, 2,  0,		f_starts },
	{ "ends-with",		2, 2,  0,		f_ends },
	{ "translate",		3, 3,  0,		f_translate },
	{ "normalize-space",	0, 1,  0,		f_normspace },
	{ "regex",		2, 2,  0,		f_regex },
	{ "uuid",		0, 1,  VOL,		f_uuid },
	/* selects */
	{ "selected",		2, 2,  0,		f_selected },
	{ "selected-at",	2, 2,  0,		f_selat },
	{ "count-selected",	1, 1,  0,		f_countsel },
	{ "jr:choice-name",	2, 2,  EXPR_F_CHOICE,	f_choicename },
	{ "checklist",		2, -1, FN_AGG,		f_checklist },
	{ "weighted-checklist",	2, -1, FN_AGG,		f_wchecklist },
	/* node-sets and repeats */
	{ "sum",		1, 1,  FN_AGG,		f_sum },
	{ "count",		1, 1,  FN_AGG,		f_count },
	{ "count-non-empty",	1, 1,  FN_AGG,		f_countne },
	{ "max",		1, -1, FN_AGG,		f_max },
	{ "min",		1, -1, FN_AGG,		f_min },
	{ "position",		0, 1,  EXPR_F_POSITION,	f_position },
	{ "indexed-repeat",	3, 7,  FN_AGG | FN_ALLARGS, f_irepeat },
	{ "pulldata",		4, 4,  EXPR_F_INSTANCE,	f_pulldata },
	{ "instance",		1, 1,  EXPR_F_INSTANCE,	f_instance },
	{ "current",		0, 0,  EXPR_F_CURRENT,	f_current },
	/* dates */
	{ "today",		0, 0,  VOL,		f_today },
	{ "now",		0, 0,  VOL,		f_now },
	{ "date",		1, 1,  0,		f_date },
	{ "date-time",		1, 1,  0,		f_datetime },
	{ "decimal-date-time",	1, 1,  0,		f_ddt },
	{ "decimal-time",	1, 1,  0,		f_dtime },
	{ "format-date",	2, 2,  0,		f_fdate },
	{ "format-date-time",	2, 2,  0,		f_fdate },
	/* doorstep extensions */
	{ "id-card-valid",	1, 1,  VOL,		f_idvalid },
	{ "id-card-birth-date",	1, 1,  0,		f_idbirth },
	{ "id-card-sex",	1, 1,  0,		f_idsex },
	{ "age",		1, 2,  0,		f_age },
};

/* XPath 1.0 functions ODK does not have (xlsform-xpath.md §11). */
static const struct {
	const char	*name;
	const char	*advice;
} rejected[] = {
	{ "substring", "use substr(s, start, end): 0-based, end exclusive" },
	{ "floor", "use int() to truncate or round()" },
	{ "ceiling", "use round() or int()" },
	{ "last", "use count()" },
	{ "name", "no ODK equivalent" },
	{ "local-name", "no ODK equivalent" },
	{ "namespace-uri", "no ODK equivalent" },
	{ "lang", "no ODK equivalent" },
	{ "id", "no ODK equivalent" },
	{ "sum-of", "use sum()" },
};

const struct expr_func *
expr_func_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (strlen(funcs[i].name) == len &&
		    memcmp(funcs[i].name, name, len) == 0)
			return &funcs[i];
	return NULL;
}

const char *
expr_func_rejected(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
		if (strlen(rejected[i].name) == len &&
		    memcmp(rejected[i].name, name, len) == 0)
			return rejected[i].advice;
	return NULL;
}

int
expr_func_known(const char *name, size_t len)
{
	return expr_func_find(name, len) != NULL;
}

/* Helpers. */

static enum ds_status
set_str(struct ectx *ec, struct val *out, const char *s, size_t len)
{
	if (val_set_string(out, s, len) != DS_OK)
		return ds_err_set(ec->err, DS_ENOMEM, NULL);
	return DS_OK;
}

static enum ds_status
take_buf(struct ectx *ec, struct val *out, struct ds_buf *b)
{
	size_t len;
	char *s;

	if ((s = ds_buf_take(b, &len)) == NULL)
		return ds_err_set(ec->err, DS_ENOMEM, NULL);
	val_take_string(out, s, len);
	return DS_OK;
}

static enum ds_status
buf_fail(struct ectx *ec, const struct enode *call, struct ds_buf *b,
    enum ds_status st)
{
	ds_buf_reset(b);
	if (st == DS_ELIMIT)
		return ev_error(ec, call, st, "%s(): result longer than %u "
		    "bytes", call->fn->name, EXPR_MAX_STRING);
	return ds_err_set(ec->err, st, NULL);
}

size_t
utf8_len(const char *s, size_t n)
{
	return lex_chars(s, n);
}

/* Byte offset of character index ci (clamped to n). */
static size_t
utf8_off(const char *s, size_t n, size_t ci)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (ci == 0)
				return i;
			ci--;
		}
	}
	return n;
}

/* Length in bytes of the character starting at s[0]. */
static size_t
utf8_clen(const char *s, size_t n)
{
	size_t k = 1;

	while (k < n && ((unsigned char)s[k] & 0xc0) == 0x80)
		k++;
	return k;
}

static const char *
mem_find(const char *h, size_t hl, const char *n, size_t nl)
{
	size_t i;

	if (nl == 0)
		return h;
	if (nl > hl)
		return NULL;
	for (i = 0; i + nl <= hl; i++)
		if (h[i] == n[0] && memcmp(h + i, n, nl) == 0)
			return h + i;
	return NULL;
}

/* Two string arguments. */
static enum ds_status
args2(struct ectx *ec, const struct enode *c, struct val *a, struct val *b)
{
	enum ds_status st;

	if ((st = ev_arg_str(ec, c, 0, a)) != DS_OK)
		return st;
	return ev_arg_str(ec, c, 1, b);
}

/*
 * Call fn on each item of argument k: every node's typed value of a
 * node-set, or the value itself.
 */
static enum ds_status
each_item(struct ectx *ec, const struct enode *c, int k,
    enum ds_status (*fn)(struct ectx *, const struct val *, void *),
    void *arg)
{
	struct val v, item;
	enum ds_status st = DS_OK;
	size_t i;

	val_init(&v);
	val_init(&item);
	if ((st = ev_node(ec, ARG(ec->e, c, k), &v)) != DS_OK)
		goto out;
	if (v.type != VAL_NODESET) {
		st = fn(ec, &v, arg);
		goto out;
	}
	for (i = 0; i < v.ns.n; i++) {
		if ((st = ev_node_value(ec, v.ns.v[i], &item)) != DS_OK ||
		    (st = fn(ec, &item, arg)) != DS_OK)
			goto out;
	}
out:
	val_reset(&item);
	val_reset(&v);
	return st;
}

/* Argument k must be a node-set; moved into *out. */
static enum ds_status
arg_nodes(struct ectx *ec, const struct enode *c, int k, struct val *out)
{
	enum ds_status st;

	if ((st = ev_node(ec, ARG(ec->e, c, k), out)) != DS_OK)
		return st;
	if (out->type != VAL_NODESET) {
		val_reset(out);
		return ev_error(ec, c, DS_ETYPE, "%s() needs a node-set (a "
		    "path or ${name}), not a value", c->fn->name);
	}
	return DS_OK;
}

/* Control. */

static enum ds_status
f_if(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val v;
	enum ds_status st;
	int b;

	val_init(&v);
	st = ev_atom(ec, ARG(ec->e, c, 0), &v);
	b = val_bool(&v);
	val_reset(&v);
	if (st != DS_OK)
		return st;
	/* JR: the result is not coerced */
	return ev_node(ec, ARG(ec->e, c, b ? 1 : 2), out);
}

static int
is_blank(const struct val *v)
{
	return (v->type == VAL_STRING && v->len == 0) ||
	    (v->type == VAL_NUMBER && isnan(v->n));
}

static enum ds_status
f_coalesce(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;

	/* ODK: NaN counts as empty (JR and WF) */
	if ((st = ev_atom(ec, ARG(ec->e, c, 0), out)) != DS_OK)
		return st;
	if (!is_blank(out))
		return DS_OK;
	return ev_atom(ec, ARG(ec->e, c, 1), out);
}

static enum ds_status
f_once(struct ectx *ec, const struct enode *c, struct val *out)
{
	const char *s;
	size_t len;
	enum ds_status st;

	if ((st = ev_node_string(ec, ec->env->context, &s, &len)) != DS_OK)
		return st;
	if (len > 0)
		return set_str(ec, out, s, len);
	return ev_atom(ec, ARG(ec->e, c, 0), out);
}

static enum ds_status
f_true(struct ectx *ec, const struct enode *c, struct val *out)
{
	(void)ec;
	(void)c;
	val_set_bool(out, 1);
	return DS_OK;
}

static enum ds_status
f_false(struct ectx *ec, const struct enode *c, struct val *out)
{
	(void)ec;
	(void)c;
	val_set_bool(out, 0);
	return DS_OK;
}

static enum ds_status
f_boolean(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;

	if ((st = ev_atom(ec, ARG(ec->e, c, 0), out)) != DS_OK)
		return st;
	val_set_bool(out, val_bool(out));
	return DS_OK;
}

static enum ds_status
f_not(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;

	if ((st = ev_atom(ec, ARG(ec->e, c, 0), out)) != DS_OK)
		return st;
	val_set_bool(out, !val_bool(out));
	return DS_OK;
}

static enum ds_status
f_bfs(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;
	const char *s;

	if ((st = ev_arg_str(ec, c, 0, out)) != DS_OK)
		return st;
	s = val_str(out);
	val_set_bool(out, strcmp(s, "true") == 0 || strcmp(s, "1") == 0);
	return DS_OK;
}

/* Numbers. */

static enum ds_status
f_number(struct ectx *ec, const struct enode *c, struct val *out)
{
	double d;
	enum ds_status st;

	if ((st = ev_arg_num(ec, c, 0, &d)) != DS_OK)
		return st;
	val_set_number(out, d);
	return DS_OK;
}

static enum ds_status
f_string(struct ectx *ec, const struct enode *c, struct val *out)
{
	const char *s;
	size_t len;
	enum ds_status st;

	if (c->nkids == 0) {
		if ((st = ev_node_string(ec, ec->context, &s, &len)) != DS_OK)
			return st;
		return set_str(ec, out, s, len);
	}
	return ev_arg_str(ec, c, 0, out);
}

static enum ds_status
f_int(struct ectx *ec, const struct enode *c, struct val *out)
{
	double d;
	enum ds_status st;

	if ((st = ev_arg_num(ec, c, 0, &d)) != DS_OK)
		return st;
	val_set_number(out, isfinite(d) ? trunc(d) : d);
	return DS_OK;
}

/* JR: halves go toward +infinity, like Java's Math.round. */
static double
round_half_up(double x)
{
	double f = floor(x);

	return x - f >= 0.5 ? f + 1 : f;
}

static enum ds_status
f_round(struct ectx *ec, const struct enode *c, struct val *out)
{
	double x, d = 0, m;
	enum ds_status st;

	if ((st = ev_arg_num(ec, c, 0, &x)) != DS_OK)
		return st;
	if (c->nkids > 1 && (st = ev_arg_num(ec, c, 1, &d)) != DS_OK)
		return st;
	if (!isfinite(x) || isnan(d)) {
		val_set_number(out, isnan(d) ? NAN : x);
		return DS_OK;
	}
	d = trunc(d);
	if (d == 0) {
		val_set_number(out, round_half_up(x));
		return DS_OK;
	}
	if (d > 300 || d < -300) {
		val_set_number(out, d > 0 ? x : 0);
		return DS_OK;
	}
	m = pow(10, d);
	/* Decimal, not binary, halves: 2.675 is 2.67499999... in binary
	 * but rounds to 2.68 as the decimal the author wrote.  A value
	 * within 1e-9 (relative) of a half counts as the half. */
	x = x * m;
	if (fabs(x - (floor(x) + 0.5)) <= 1e-9 * fmax(1.0, fabs(x)))
		x = floor(x) + 1;
	else
		x = round_half_up(x);
	val_set_number(out, x / m);
	return DS_OK;
}

static enum ds_status
f_math1(struct ectx *ec, const struct enode *c, struct val *out)
{
	const char *n = c->fn->name;
	double x, r;
	enum ds_status st;

	if ((st = ev_arg_num(ec, c, 0, &x)) != DS_OK)
		return st;
	if (strcmp(n, "abs") == 0) r = fabs(x);
	else if (strcmp(n, "sqrt") == 0) r = sqrt(x);
	else if (strcmp(n, "exp") == 0) r = exp(x);
	else if (strcmp(n, "exp10") == 0) r = pow(10, x);
	else if (strcmp(n, "log") == 0) r = log(x);
	else if (strcmp(n, "log10") == 0) r = log10(x);
	else if (strcmp(n, "sin") == 0) r = sin(x);
	else if (strcmp(n, "cos") == 0) r = cos(x);
	else if (strcmp(n, "tan") == 0) r = tan(x);
	else if (strcmp(n, "asin") == 0) r = asin(x);
	else if (strcmp(n, "acos") == 0) r = acos(x);
	else r = atan(x);
	val_set_number(out, r);
	return DS_OK;
}

static enum ds_status
f_pow(struct ectx *ec, const struct enode *c, struct val *out)
{
	double x, y;
	enum ds_status st;

	if ((st = ev_arg_num(ec, c, 0, &x)) != DS_OK ||
	    (st = ev_arg_num(ec, c, 1, &y)) != DS_OK)
		return st;
	val_set_number(out, pow(x, y));
	return DS_OK;
}

static enum ds_status
f_atan2(struct ectx *ec, const struct enode *c, struct val *out)
{
	double y, x;
	enum ds_status st;

	if ((st = ev_arg_num(ec, c, 0, &y)) != DS_OK ||
	    (st = ev_arg_num(ec, c, 1, &x)) != DS_OK)
		return st;
	val_set_number(out, atan2(y, x));
	return DS_OK;
}

static enum ds_status
f_pi(struct ectx *ec, const struct enode *c, struct val *out)
{
	(void)ec;
	(void)c;
	val_set_number(out, M_PI);
	return DS_OK;
}

static enum ds_status
f_random(struct ectx *ec, const struct enode *c, struct val *out)
{
	(void)c;
	val_set_number(out, (double)(ev_rand64(ec) >> 11) * 0x1.0p-53);
	return DS_OK;
}

/* Park-Miller minimal standard generator (randomize with a seed). */
static uint64_t
park_miller(uint64_t *s)
{
	*s = (*s * 16807u) % 2147483647u;
	return *s;
}

static enum ds_status
f_randomize(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;
	struct expr_node t;
	uint64_t s = 0, r;
	double seed;
	size_t i, j;

	if ((st = arg_nodes(ec, c, 0, out)) != DS_OK)
		return st;
	if (c->nkids > 1) {
		if ((st = ev_arg_num(ec, c, 1, &seed)) != DS_OK)
			return st;
		if (!isfinite(seed))
			return ev_error(ec, c, DS_ETYPE, "randomize(): the "
			    "seed is not a number");
		s = (uint64_t)(int64_t)fabs(trunc(seed)) % 2147483647u;
		if (s == 0)
			s = 1;
	}
	for (i = out->ns.n; i > 1; i--) {
		r = c->nkids > 1 ? park_miller(&s) : ev_rand64(ec);
		j = (size_t)(r % i);
		t = out->ns.v[i - 1];
		out->ns.v[i - 1] = out->ns.v[j];
		out->ns.v[j] = t;
	}
	return DS_OK;
}

/* Strings. */

struct cat {
	struct ds_buf	 b;
	const char	*sep;
	size_t		 seplen;
	size_t		 n;
};

static enum ds_status
cat_item(struct ectx *ec, const struct val *v, void *arg)
{
	struct cat *ct = arg;
	enum ds_status st;

	(void)ec;
	if (ct->sep != NULL && ct->n > 0 &&
	    (st = ds_buf_add(&ct->b, ct->sep, ct->seplen)) != DS_OK)
		return st;
	ct->n++;
	return val_format(v, 0, &ct->b);
}

static enum ds_status
f_concat(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct cat ct;
	enum ds_status st;
	uint32_t k;

	memset(&ct, 0, sizeof(ct));
	ds_buf_init(&ct.b, EXPR_MAX_STRING);
	for (k = 0; k < c->nkids; k++)
		if ((st = each_item(ec, c, (int)k, cat_item, &ct)) != DS_OK) {
			if (st == DS_ELIMIT || st == DS_ENOMEM)
				return buf_fail(ec, c, &ct.b, st);
			ds_buf_reset(&ct.b);
			return st;
		}
	return take_buf(ec, out, &ct.b);
}

static enum ds_status
f_join(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct cat ct;
	struct val sep;
	enum ds_status st;
	uint32_t k;

	memset(&ct, 0, sizeof(ct));
	val_init(&sep);
	if ((st = ev_arg_str(ec, c, 0, &sep)) != DS_OK)
		return st;
	ds_buf_init(&ct.b, EXPR_MAX_STRING);
	ct.sep = val_str(&sep);
	ct.seplen = sep.len;
	for (k = 1; k < c->nkids; k++)
		if ((st = each_item(ec, c, (int)k, cat_item, &ct)) != DS_OK) {
			val_reset(&sep);
			if (st == DS_ELIMIT || st == DS_ENOMEM)
				return buf_fail(ec, c, &ct.b, st);
			ds_buf_reset(&ct.b);
			return st;
		}
	val_reset(&sep);
	return take_buf(ec, out, &ct.b);
}

static enum ds_status
f_substr(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val s;
	double ds, de;
	size_t n;
	int64_t start, end;
	size_t b0, b1;
	enum ds_status st;

	val_init(&s);
	if ((st = ev_arg_str(ec, c, 0, &s)) != DS_OK ||
	    (st = ev_arg_num(ec, c, 1, &ds)) != DS_OK)
		goto out;
	n = utf8_len(val_str(&s), s.len);
	de = (double)n;
	if (c->nkids > 2 && (st = ev_arg_num(ec, c, 2, &de)) != DS_OK)
		goto out;
	if (isnan(ds) || isnan(de)) {
		val_reset(out);
		goto out;
	}
	/* ODK: 0-based start, exclusive end; negatives count from the end
	 * (JR: substr('hello', -2) = 'lo') */
	ds = trunc(ds);
	de = trunc(de);
	if (ds < -(double)n) ds = -(double)n;
	if (ds > (double)n) ds = (double)n;
	if (de < -(double)n) de = -(double)n;
	if (de > (double)n) de = (double)n;
	start = (int64_t)ds;
	end = (int64_t)de;
	if (start < 0)
		start += (int64_t)n;
	if (end < 0)
		end += (int64_t)n;
	if (end <= start) {
		val_reset(out);
		goto out;
	}
	b0 = utf8_off(val_str(&s), s.len, (size_t)start);
	b1 = utf8_off(val_str(&s), s.len, (size_t)end);
	st = set_str(ec, out, val_str(&s) + b0, b1 - b0);
out:
	val_reset(&s);
	return st;
}

static enum ds_status
f_sbefore(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val a, b;
	const char *p;
	enum ds_status st;

	val_init(&a);
	val_init(&b);
	if ((st = args2(ec, c, &a, &b)) == DS_OK) {
		p = mem_find(val_str(&a), a.len, val_str(&b), b.len);
		st = set_str(ec, out, val_str(&a), p == NULL ? 0 :
		    (size_t)(p - val_str(&a)));
	}
	val_reset(&a);
	val_reset(&b);
	return st;
}

static enum ds_status
f_safter(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val a, b;
	const char *p;
	size_t off;
	enum ds_status st;

	val_init(&a);
	val_init(&b);
	if ((st = args2(ec, c, &a, &b)) == DS_OK) {
		p = mem_find(val_str(&a), a.len, val_str(&b), b.len);
		if (p == NULL)
			val_reset(out);
		else {
			off = (size_t)(p - val_str(&a)) + b.len;
			st = set_str(ec, out, val_str(&a) + off, a.len - off);
		}
	}
	val_reset(&a);
	val_reset(&b);
	return st;
}

static enum ds_status
f_strlen(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;

	if ((st = ev_arg_str(ec, c, 0, out)) != DS_OK)
		return st;
	val_set_number(out, (double)utf8_len(val_str(out), out->len));
	return DS_OK;
}

static enum ds_status
strpred(struct ectx *ec, const struct enode *c, struct val *out, int how)
{
	struct val a, b;
	enum ds_status st;
	int r = 0;

	val_init(&a);
	val_init(&b);
	if ((st = args2(ec, c, &a, &b)) == DS_OK) {
		if (how == 0)
			r = mem_find(val_str(&a), a.len, val_str(&b), b.len) !=
			    NULL;
		else if (how == 1)
			r = b.len <= a.len && memcmp(val_str(&a), val_str(&b),
			    b.len) == 0;
		else
			r = b.len <= a.len && memcmp(val_str(&a) + a.len -
			    b.len, val_str(&b), b.len) == 0;
		val_set_bool(out, r);
	}
	val_reset(&a);
	val_reset(&b);
	return st;
}

static enum ds_status
f_contains(struct ectx *ec, const struct enode *c, struct val *out)
{
	return strpred(ec, c, out, 0);
}

static enum ds_status
f_starts(struct ectx *ec, const struct enode *c, struct val *out)
{
	return strpred(ec, c, out, 1);
}

static enum ds_status
f_ends(struct ectx *ec, const struct enode *c, struct val *out)
{
	return strpred(ec, c, out, 2);
}

static enum ds_status
f_translate(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val s, from, to;
	struct ds_buf b;
	enum ds_status st;
	size_t i, k, cl, fi, fl, ci, tb, tl;
	const char *sp, *fp, *tp;

	val_init(&s);
	val_init(&from);
	val_init(&to);
	ds_buf_init(&b, EXPR_MAX_STRING);
	if ((st = ev_arg_str(ec, c, 0, &s)) != DS_OK ||
	    (st = ev_arg_str(ec, c, 1, &from)) != DS_OK ||
	    (st = ev_arg_str(ec, c, 2, &to)) != DS_OK)
		goto out;
	sp = val_str(&s);
	fp = val_str(&from);
	tp = val_str(&to);
	for (i = 0; i < s.len; i += cl) {
		cl = utf8_clen(sp + i, s.len - i);
		/* find the character in `from` (first occurrence wins) */
		for (k = 0, ci = 0; k < from.len; k += fl, ci++) {
			fl = utf8_clen(fp + k, from.len - k);
			if (fl == cl && memcmp(fp + k, sp + i, cl) == 0)
				break;
		}
		fi = k;
		if (fi >= from.len)
			st = ds_buf_add(&b, sp + i, cl);
		else {
			tb = utf8_off(tp, to.len, ci);
			if (tb < to.len) {
				tl = utf8_clen(tp + tb, to.len - tb);
				st = ds_buf_add(&b, tp + tb, tl);
			}
		}
		if (st != DS_OK) {
			st = buf_fail(ec, c, &b, st);
			goto out;
		}
	}
	st = take_buf(ec, out, &b);
out:
	ds_buf_reset(&b);
	val_reset(&s);
	val_reset(&from);
	val_reset(&to);
	return st;
}

static int
ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static enum ds_status
f_normspace(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct ds_buf b;
	const char *s;
	size_t len, i;
	enum ds_status st;
	int pending = 0;

	if (c->nkids == 0) {
		if ((st = ev_node_string(ec, ec->context, &s, &len)) != DS_OK ||
		    (st = set_str(ec, out, s, len)) != DS_OK)
			return st;
	} else if ((st = ev_arg_str(ec, c, 0, out)) != DS_OK)
		return st;
	s = val_str(out);
	len = out->len;
	ds_buf_init(&b, EXPR_MAX_STRING);
	for (i = 0; i < len; i++) {
		if (ws(s[i])) {
			pending = b.len > 0;
			continue;
		}
		if (pending && (st = ds_buf_addc(&b, ' ')) != DS_OK)
			return buf_fail(ec, c, &b, st);
		pending = 0;
		if ((st = ds_buf_addc(&b, s[i])) != DS_OK)
			return buf_fail(ec, c, &b, st);
	}
	return take_buf(ec, out, &b);
}

/*
 * Translate the Java regex escapes forms use (\d \D \s \S \w \W) to POSIX
 * classes; other escapes pass through.
 */
#define REGEX_MAX_REPEAT	100
#define REGEX_MAX_LEN		1024

static enum ds_status
regex_translate(const char *re, size_t len, struct ds_buf *b)
{
	enum ds_status st = DS_OK;
	size_t i;
	int inbr = 0, nrep = 0;

	for (i = 0; i < len && st == DS_OK; i++) {
		char ch = re[i];

		/* glibc compiles nested counted repetitions by copying, so
		 * (a{200}){200} would take seconds and megabytes */
		if (ch == '{' && !inbr) {
			size_t k = i + 1;
			long cnt = 0;

			while (k < len && ((re[k] >= '0' && re[k] <= '9') ||
			    re[k] == ',')) {
				if (re[k] != ',' && (cnt = cnt * 10 +
				    (re[k] - '0')) > REGEX_MAX_REPEAT)
					return DS_ELIMIT;
				if (re[k] == ',')
					cnt = 0;
				k++;
			}
			if (++nrep > 8)
				return DS_ELIMIT;
		}

		if (ch == '\\' && i + 1 < len) {
			char e = re[++i];
			const char *cls = NULL, *ncls = NULL;

			switch (e) {
			case 'd': cls = "0-9"; break;
			case 'D': ncls = "0-9"; break;
			case 's': cls = "[:space:]"; break;
			case 'S': ncls = "[:space:]"; break;
			case 'w': cls = "[:alnum:]_"; break;
			case 'W': ncls = "[:alnum:]_"; break;
			default: break;
			}
			if (cls != NULL)
				st = inbr ? ds_buf_adds(b, cls) :
				    ds_buf_printf(b, "[%s]", cls);
			else if (ncls != NULL)
				st = inbr ? ds_buf_adds(b, "") :
				    ds_buf_printf(b, "[^%s]", ncls);
			else if (inbr)
				st = ds_buf_addc(b, e);
			else {
				if ((st = ds_buf_addc(b, '\\')) == DS_OK)
					st = ds_buf_addc(b, e);
			}
			continue;
		}
		if (ch == '[' && !inbr) {
			inbr = 1;
			st = ds_buf_addc(b, ch);
			/* a ']' right after '[' or '[^' is literal */
			if (i + 1 < len && re[i + 1] == '^' && st == DS_OK) {
				st = ds_buf_addc(b, '^');
				i++;
			}
			if (i + 1 < len && re[i + 1] == ']' && st == DS_OK) {
				st = ds_buf_addc(b, ']');
				i++;
			}
			continue;
		}
		if (ch == ']' && inbr)
			inbr = 0;
		st = ds_buf_addc(b, ch);
	}
	return st;
}

static enum ds_status
f_regex(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val s, re;
	struct ds_buf b;
	regex_t rx;
	regmatch_t m;
	enum ds_status st;
	int rc;

	val_init(&s);
	val_init(&re);
	ds_buf_init(&b, EXPR_MAX_STRING);
	if ((st = args2(ec, c, &s, &re)) != DS_OK)
		goto out;
	if (memchr(val_str(&s), '\0', s.len) != NULL) {
		val_set_bool(out, 0);
		goto out;
	}
	/* ODK Collect: the whole string must match (Pattern.matches) */
	if (re.len > REGEX_MAX_LEN) {
		st = ev_error(ec, c, DS_ELIMIT, "regex(): pattern longer than "
		    "%d bytes", REGEX_MAX_LEN);
		goto out;
	}
	if ((st = ds_buf_adds(&b, "^(")) != DS_OK ||
	    (st = regex_translate(val_str(&re), re.len, &b)) != DS_OK ||
	    (st = ds_buf_adds(&b, ")$")) != DS_OK) {
		if (st == DS_ELIMIT)
			st = ev_error(ec, c, st, "regex(): at most 8 counted "
			    "repetitions of at most %d", REGEX_MAX_REPEAT);
		else
			st = buf_fail(ec, c, &b, st);
		goto out;
	}
	if (regcomp(&rx, b.p, REG_EXTENDED) != 0) {
		st = ev_error(ec, c, DS_ETYPE, "regex(): bad regular "
		    "expression '%.*s'", (int)(re.len > 80 ? 80 : re.len),
		    val_str(&re));
		goto out;
	}
	rc = regexec(&rx, val_str(&s), 1, &m, 0);
	regfree(&rx);
	val_set_bool(out, rc == 0 && m.rm_so == 0 &&
	    (size_t)m.rm_eo == s.len);
out:
	ds_buf_reset(&b);
	val_reset(&s);
	val_reset(&re);
	return st;
}

static enum ds_status
f_uuid(struct ectx *ec, const struct enode *c, struct val *out)
{
	static const char an[] = "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	unsigned char r[16];
	char *s;
	double dn;
	size_t n, i;
	uint64_t x;
	enum ds_status st;

	if (c->nkids > 0) {
		if ((st = ev_arg_num(ec, c, 0, &dn)) != DS_OK)
			return st;
		if (!(dn >= 0) || dn > 4096)
			return ev_error(ec, c, DS_ETYPE, "uuid(): length must "
			    "be 0 to 4096");
		n = (size_t)dn;
		if ((s = ds_malloc(n + 1)) == NULL)
			return ds_err_set(ec->err, DS_ENOMEM, NULL);
		for (i = 0; i < n; i++)
			s[i] = an[ev_rand64(ec) % (sizeof(an) - 1)];
		s[n] = '\0';
		val_take_string(out, s, n);
		return DS_OK;
	}
	x = ev_rand64(ec);
	memcpy(r, &x, 8);
	x = ev_rand64(ec);
	memcpy(r + 8, &x, 8);
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	if ((s = ds_malloc(37)) == NULL)
		return ds_err_set(ec->err, DS_ENOMEM, NULL);
	snprintf(s, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5],
	    r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
	val_take_string(out, s, 36);
	return DS_OK;
}

/* Selects. */

/* Next space-separated token from *pp; 0 when there is none. */
static int
next_token(const char **pp, const char *end, const char **t, size_t *tl)
{
	const char *p = *pp;

	while (p < end && ws(*p))
		p++;
	if (p >= end)
		return 0;
	*t = p;
	while (p < end && !ws(*p))
		p++;
	*tl = (size_t)(p - *t);
	*pp = p;
	return 1;
}

static enum ds_status
f_selected(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val a, b;
	const char *p, *end, *t, *v;
	size_t tl, vl;
	enum ds_status st;
	int r = 0;

	val_init(&a);
	val_init(&b);
	if ((st = args2(ec, c, &a, &b)) == DS_OK) {
		/* JR trims the value */
		v = val_str(&b);
		vl = b.len;
		while (vl > 0 && ws(*v)) {
			v++;
			vl--;
		}
		while (vl > 0 && ws(v[vl - 1]))
			vl--;
		p = val_str(&a);
		end = p + a.len;
		while (!r && next_token(&p, end, &t, &tl))
			r = tl == vl && memcmp(t, v, vl) == 0;
		val_set_bool(out, r);
	}
	val_reset(&a);
	val_reset(&b);
	return st;
}

static enum ds_status
f_selat(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val a;
	const char *p, *end, *t;
	size_t tl;
	double d;
	enum ds_status st;

	val_init(&a);
	if ((st = ev_arg_str(ec, c, 0, &a)) != DS_OK ||
	    (st = ev_arg_num(ec, c, 1, &d)) != DS_OK)
		goto out;
	/* ODK: 0-based; '' out of range */
	val_reset(out);
	if (!(d >= 0) || d > 1e9)
		goto out;
	d = trunc(d);
	p = val_str(&a);
	end = p + a.len;
	while (next_token(&p, end, &t, &tl)) {
		if (d-- == 0) {
			st = set_str(ec, out, t, tl);
			break;
		}
	}
out:
	val_reset(&a);
	return st;
}

static enum ds_status
f_countsel(struct ectx *ec, const struct enode *c, struct val *out)
{
	const char *p, *end, *t;
	size_t tl, n = 0;
	enum ds_status st;

	if ((st = ev_arg_str(ec, c, 0, out)) != DS_OK)
		return st;
	p = val_str(out);
	end = p + out->len;
	while (next_token(&p, end, &t, &tl))
		n++;
	val_set_number(out, (double)n);
	return DS_OK;
}

static enum ds_status
f_choicename(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val v, path;
	const char *label = NULL;
	size_t llen = 0;
	enum ds_status st;

	val_init(&v);
	val_init(&path);
	if ((st = args2(ec, c, &v, &path)) != DS_OK)
		goto out;
	val_reset(out);
	if (ec->env->choice_name == NULL)
		goto out;
	if ((st = ec->env->choice_name(ec->env->ctx, ec->env->current,
	    val_str(&path), path.len, val_str(&v), v.len, &label, &llen,
	    ec->err)) != DS_OK) {
		if (ec->err == NULL || ec->err->code != st)
			st = ev_error(ec, c, st, "jr:choice-name(): %s",
			    ds_status_str(st));
		goto out;
	}
	if (label != NULL)
		st = set_str(ec, out, label, llen);
out:
	val_reset(&v);
	val_reset(&path);
	return st;
}

struct counter {
	size_t	n;
	double	total;
	double	best;
	int	have;
	int	want_max;
};

static enum ds_status
count_true(struct ectx *ec, const struct val *v, void *arg)
{
	struct counter *ct = arg;

	(void)ec;
	if (val_bool(v))
		ct->n++;
	return DS_OK;
}

static enum ds_status
in_bounds(struct ectx *ec, const struct enode *c, double x, struct val *out)
{
	double lo, hi;
	enum ds_status st;

	if ((st = ev_arg_num(ec, c, 0, &lo)) != DS_OK ||
	    (st = ev_arg_num(ec, c, 1, &hi)) != DS_OK)
		return st;
	/* -1 means no bound */
	val_set_bool(out, (lo == -1 || x >= lo) && (hi == -1 || x <= hi));
	return DS_OK;
}

static enum ds_status
f_checklist(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct counter ct;
	enum ds_status st;
	uint32_t k;

	memset(&ct, 0, sizeof(ct));
	for (k = 2; k < c->nkids; k++)
		if ((st = each_item(ec, c, (int)k, count_true, &ct)) != DS_OK)
			return st;
	return in_bounds(ec, c, (double)ct.n, out);
}

static enum ds_status
f_wchecklist(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val v;
	double w, total = 0;
	enum ds_status st;
	uint32_t k;

	val_init(&v);
	for (k = 2; k + 1 < c->nkids; k += 2) {
		if ((st = ev_atom(ec, ARG(ec->e, c, k), &v)) != DS_OK ||
		    (st = ev_arg_num(ec, c, (int)k + 1, &w)) != DS_OK) {
			val_reset(&v);
			return st;
		}
		if (val_bool(&v))
			total += w;
	}
	val_reset(&v);
	return in_bounds(ec, c, total, out);
}

/* Node-sets and repeats. */

static enum ds_status
f_sum(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val ns, item;
	enum ds_status st;
	double total = 0, d;
	size_t i;

	val_init(&ns);
	val_init(&item);
	if ((st = arg_nodes(ec, c, 0, &ns)) != DS_OK)
		goto out;
	/* JR: blanks and NaN are skipped; the empty set sums to 0 */
	for (i = 0; i < ns.ns.n; i++) {
		if ((st = ev_node_value(ec, ns.ns.v[i], &item)) != DS_OK)
			goto out;
		d = val_number(&item);
		if (!isnan(d))
			total += d;
	}
	val_set_number(out, total);
out:
	val_reset(&ns);
	val_reset(&item);
	return st;
}

static enum ds_status
f_count(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;

	if ((st = arg_nodes(ec, c, 0, out)) != DS_OK)
		return st;
	val_set_number(out, (double)out->ns.n);
	return DS_OK;
}

static enum ds_status
f_countne(struct ectx *ec, const struct enode *c, struct val *out)
{
	const char *s;
	size_t len, i, n = 0;
	enum ds_status st;

	if ((st = arg_nodes(ec, c, 0, out)) != DS_OK)
		return st;
	for (i = 0; i < out->ns.n; i++) {
		if ((st = ev_node_string(ec, out->ns.v[i], &s, &len)) != DS_OK)
			return st;
		if (len > 0)
			n++;
	}
	val_set_number(out, (double)n);
	return DS_OK;
}

static enum ds_status
minmax_item(struct ectx *ec, const struct val *v, void *arg)
{
	struct counter *ct = arg;
	double d = val_number(v);

	(void)ec;
	if (isnan(d))
		return DS_OK;
	/* [doorstep]: the true extreme (JR's max starts at
	 * Double.MIN_VALUE, wrong for all-negative sets) */
	if (!ct->have || (ct->want_max ? d > ct->best : d < ct->best))
		ct->best = d;
	ct->have = 1;
	return DS_OK;
}

static enum ds_status
minmax(struct ectx *ec, const struct enode *c, struct val *out, int want_max)
{
	struct counter ct;
	enum ds_status st;
	uint32_t k;

	memset(&ct, 0, sizeof(ct));
	ct.want_max = want_max;
	for (k = 0; k < c->nkids; k++)
		if ((st = each_item(ec, c, (int)k, minmax_item, &ct)) != DS_OK)
			return st;
	val_set_number(out, ct.have ? ct.best : NAN);
	return DS_OK;
}

static enum ds_status
f_max(struct ectx *ec, const struct enode *c, struct val *out)
{
	return minmax(ec, c, out, 1);
}

static enum ds_status
f_min(struct ectx *ec, const struct enode *c, struct val *out)
{
	return minmax(ec, c, out, 0);
}

static enum ds_status
f_position(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct expr_node n;
	size_t pos;
	enum ds_status st;

	if (c->nkids == 0) {
		if (ec->cpos > 0) {
			val_set_number(out, (double)ec->cpos);
			return DS_OK;
		}
		n = ec->context;
	} else {
		if ((st = arg_nodes(ec, c, 0, out)) != DS_OK)
			return st;
		if (out->ns.n != 1)
			return ev_error(ec, c, DS_ETYPE, "position() needs "
			    "exactly one node, not %zu", out->ns.n);
		n = out->ns.v[0];
	}
	if ((st = ev_position(ec, n, &pos)) != DS_OK)
		return st;
	val_set_number(out, (double)pos);
	return DS_OK;
}

static int
same_node(struct expr_node a, struct expr_node b)
{
	return a.p == b.p && a.i == b.i;
}

/* Is x inside (or equal to) r?  Walks up at most 1024 levels. */
static int
within(struct ectx *ec, struct expr_node x, struct expr_node r)
{
	struct expr_node p;
	int k;

	for (k = 0; k < 1024; k++) {
		if (same_node(x, r))
			return 1;
		if (!ec->env->parent(ec->env->ctx, x, &p))
			return 0;
		x = p;
	}
	return 0;
}

static void
keep_within(struct ectx *ec, struct expr_nodes *ns, struct expr_node r)
{
	size_t i, w = 0;

	for (i = 0; i < ns->n; i++)
		if (within(ec, ns->v[i], r))
			ns->v[w++] = ns->v[i];
	ns->n = w;
}

static enum ds_status
f_irepeat(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val target, reps;
	struct expr_node r = { NULL, 0 };
	unsigned save = ec->resolve;
	enum ds_status st;
	uint32_t k;
	double idx;
	int have = 0;

	val_init(&target);
	val_init(&reps);
	ec->resolve = EXPR_RESOLVE_ALL;
	st = arg_nodes(ec, c, 0, &target);
	ec->resolve = save;
	if (st != DS_OK)
		goto out;
	for (k = 1; k + 1 < c->nkids; k += 2) {
		ec->resolve = EXPR_RESOLVE_ALL;
		st = arg_nodes(ec, c, (int)k, &reps);
		ec->resolve = save;
		if (st != DS_OK ||
		    (st = ev_arg_num(ec, c, (int)k + 1, &idx)) != DS_OK)
			goto out;
		if (have)
			keep_within(ec, &reps.ns, r);
		/* JR: a blank index means the first instance; 1-based */
		if (isnan(idx))
			idx = 1;
		idx = trunc(idx);
		if (idx < 1 || idx > (double)reps.ns.n) {
			val_reset(out);
			goto out;
		}
		r = reps.ns.v[(size_t)idx - 1];
		have = 1;
	}
	keep_within(ec, &target.ns, r);
	target.ns.n = target.ns.n > 0 ? 1 : 0;
	val_move(out, &target);
out:
	val_reset(&target);
	val_reset(&reps);
	return st;
}

static enum ds_status
f_instance(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val id;
	struct expr_node doc;
	enum ds_status st;

	val_init(&id);
	if ((st = ev_arg_str(ec, c, 0, &id)) != DS_OK)
		goto out;
	if (ec->env->instance == NULL) {
		st = ev_error(ec, c, DS_ENOENT, "unknown instance '%s'",
		    val_str(&id));
		goto out;
	}
	if ((st = ec->env->instance(ec->env->ctx, val_str(&id), id.len, &doc,
	    ec->err)) != DS_OK) {
		if (ec->err == NULL || ec->err->code != st)
			st = ev_error(ec, c, st, "unknown instance '%s'",
			    val_str(&id));
		goto out;
	}
	val_reset(out);
	out->type = VAL_NODESET;
	if ((st = expr_nodes_add(&out->ns, doc)) != DS_OK)
		st = ds_err_set(ec->err, st, NULL);
out:
	val_reset(&id);
	return st;
}

/* pulldata(inst, col, keycol, key) = instance(inst)/root/item[keycol =
 * key]/col, first match. */
static enum ds_status
f_pulldata(struct ectx *ec, const struct enode *c, struct val *out)
{
	const struct expr_env *env = ec->env;
	struct val col, kcol, key;
	struct expr_nodes roots, items, kids;
	const char *s;
	size_t len, i, j;
	enum ds_status st;

	val_init(&col);
	val_init(&kcol);
	val_init(&key);
	expr_nodes_init(&roots);
	expr_nodes_init(&items);
	expr_nodes_init(&kids);
	if ((st = f_instance(ec, c, out)) != DS_OK ||
	    (st = ev_arg_str(ec, c, 1, &col)) != DS_OK ||
	    (st = ev_arg_str(ec, c, 2, &kcol)) != DS_OK ||
	    (st = ev_arg_str(ec, c, 3, &key)) != DS_OK)
		goto out;
	if ((st = env->children(env->ctx, out->ns.v[0], "root", 4,
	    &roots)) != DS_OK)
		goto cbfail;
	val_reset(out);
	for (i = 0; i < roots.n; i++) {
		items.n = 0;
		st = ev_find_eq(ec, roots.v[i], "item", 4, val_str(&kcol),
		    kcol.len, val_str(&key), key.len, &items);
		if (st == DS_ENOENT) {
			/* scan */
			items.n = 0;
			if ((st = env->children(env->ctx, roots.v[i], "item",
			    4, &kids)) != DS_OK)
				goto cbfail;
			for (j = 0; j < kids.n; j++) {
				struct expr_nodes kc;

				expr_nodes_init(&kc);
				st = env->children(env->ctx, kids.v[j],
				    val_str(&kcol), kcol.len, &kc);
				if (st == DS_OK && kc.n > 0)
					st = ev_node_string(ec, kc.v[0], &s,
					    &len);
				else
					len = (size_t)-1;
				expr_nodes_reset(&kc);
				if (st != DS_OK)
					goto cbfail;
				if (len == key.len && (len == 0 ||
				    memcmp(s, val_str(&key), len) == 0)) {
					st = expr_nodes_add(&items, kids.v[j]);
					break;
				}
			}
			if (st != DS_OK)
				goto cbfail;
		} else if (st != DS_OK)
			goto cbfail;
		if (items.n == 0)
			continue;
		kids.n = 0;
		if ((st = env->children(env->ctx, items.v[0], val_str(&col),
		    col.len, &kids)) != DS_OK)
			goto cbfail;
		if (kids.n > 0) {
			if ((st = ev_node_string(ec, kids.v[0], &s, &len)) !=
			    DS_OK)
				goto out;
			st = set_str(ec, out, s, len);
		}
		goto out;
	}
	goto out;
cbfail:
	if (ec->err == NULL || ec->err->code != st)
		st = ev_error(ec, c, st, "pulldata(): %s", ds_status_str(st));
out:
	if (st != DS_OK)
		val_reset(out);
	expr_nodes_reset(&roots);
	expr_nodes_reset(&items);
	expr_nodes_reset(&kids);
	val_reset(&col);
	val_reset(&kcol);
	val_reset(&key);
	return st;
}

static enum ds_status
f_current(struct ectx *ec, const struct enode *c, struct val *out)
{
	(void)c;
	val_reset(out);
	out->type = VAL_NODESET;
	if (expr_nodes_add(&out->ns, ec->env->current) != DS_OK)
		return ds_err_set(ec->err, DS_ENOMEM, NULL);
	return DS_OK;
}

/* Dates. */

static void
now_local(struct ectx *ec, double *days, int *tz)
{
	int64_t ms = ev_now_ms(ec);

	*tz = ev_tz_at(ms);
	*days = (double)(ms + (int64_t)*tz * 60000) / 86400000.0;
}

static enum ds_status
f_today(struct ectx *ec, const struct enode *c, struct val *out)
{
	double d;
	int tz;

	(void)c;
	now_local(ec, &d, &tz);
	val_set_date(out, floor(d));
	return DS_OK;
}

static enum ds_status
f_now(struct ectx *ec, const struct enode *c, struct val *out)
{
	double d;
	int tz;

	(void)c;
	now_local(ec, &d, &tz);
	val_set_datetime(out, d, tz);
	return DS_OK;
}

/*
 * A date-like value as days: dates, dateTimes, numbers (days), date
 * strings.  1 if converted, 0 if blank, -1 if not a date.
 */
static int
to_days(struct ectx *ec, const struct val *v, double *days, int *tz,
    int *is_dt)
{
	*is_dt = 0;
	*tz = 0;
	switch (v->type) {
	case VAL_DATE:
		*days = v->n;
		return 1;
	case VAL_DATETIME:
		*days = v->n;
		*tz = v->tz;
		*is_dt = 1;
		return 1;
	case VAL_NUMBER:
		if (isnan(v->n))
			return 0;
		if (!isfinite(v->n) || fabs(v->n) > 3.0e6)
			return -1;
		*days = v->n;
		return 1;
	case VAL_STRING:
		if (v->len == 0)
			return 0;
		if (val_parse_date(v->s, v->len, days) == 0 && v->len <= 10)
			return 1;
		if (val_parse_datetime(v->s, v->len, ev_tz_at(ev_now_ms(ec)),
		    days, tz) == 0) {
			*is_dt = 1;
			return 1;
		}
		return -1;
	default:
		return -1;
	}
}

static enum ds_status
date_arg(struct ectx *ec, const struct enode *c, int k, struct val *tmp,
    double *days, int *tz, int *is_dt, int *r)
{
	enum ds_status st;

	if ((st = ev_atom(ec, ARG(ec->e, c, k), tmp)) != DS_OK)
		return st;
	*r = to_days(ec, tmp, days, tz, is_dt);
	if (*r < 0) {
		struct ds_buf b;

		ds_buf_init(&b, 80);
		(void)val_format(tmp, 0, &b);
		st = ev_error(ec, c, DS_ETYPE, "%s(): '%s' is not a date",
		    c->fn->name, b.p != NULL ? b.p : "");
		ds_buf_reset(&b);
		return st;
	}
	return DS_OK;
}

static enum ds_status
f_date(struct ectx *ec, const struct enode *c, struct val *out)
{
	double d;
	int tz, dt, r;
	enum ds_status st;

	if ((st = date_arg(ec, c, 0, out, &d, &tz, &dt, &r)) != DS_OK)
		return st;
	if (r == 0)
		val_reset(out);
	else
		val_set_date(out, floor(d));	/* date(6.5) = 1970-01-07 */
	return DS_OK;
}

static enum ds_status
f_datetime(struct ectx *ec, const struct enode *c, struct val *out)
{
	double d;
	int tz, dt, r;
	enum ds_status st;

	if ((st = date_arg(ec, c, 0, out, &d, &tz, &dt, &r)) != DS_OK)
		return st;
	if (r == 0)
		val_reset(out);
	else
		val_set_datetime(out, d, dt ? tz : ev_tz_at(ev_now_ms(ec)));
	return DS_OK;
}

static enum ds_status
f_ddt(struct ectx *ec, const struct enode *c, struct val *out)
{
	double d;
	int tz, dt, r;
	enum ds_status st;

	if ((st = date_arg(ec, c, 0, out, &d, &tz, &dt, &r)) != DS_OK)
		return st;
	val_set_number(out, r == 0 ? NAN : d);
	return DS_OK;
}

static enum ds_status
f_dtime(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;
	const char *s;
	double d, days;
	int tz;
	size_t len;
	char tmp[48];

	if ((st = ev_atom(ec, ARG(ec->e, c, 0), out)) != DS_OK)
		return st;
	if (out->type == VAL_DATETIME) {
		val_set_number(out, out->n - floor(out->n));
		return DS_OK;
	}
	if ((st = ev_arg_str(ec, c, 0, out)) != DS_OK)
		return st;
	s = val_str(out);
	len = out->len;
	d = NAN;
	/* HH:MM[:SS[.fff]][offset]: parse through the dateTime parser */
	if (len >= 5 && len < sizeof(tmp) - 12) {
		snprintf(tmp, sizeof(tmp), "1970-01-01T%.*s", (int)len, s);
		if (val_parse_datetime(tmp, strlen(tmp), 0, &days, &tz) == 0)
			d = days - floor(days);
	}
	val_set_number(out, d);
	return DS_OK;
}

static const char *const mon_names[] = { "Jan", "Feb", "Mar", "Apr", "May",
	"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const day_names[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	"Fri", "Sat" };

static enum ds_status
f_fdate(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val fmt;
	struct ds_buf b;
	double d, fd;
	int tz, dt, r;
	int64_t y, wd;
	unsigned mo, da;
	long long ms;
	const char *f;
	size_t i;
	enum ds_status st;

	val_init(&fmt);
	ds_buf_init(&b, EXPR_MAX_STRING);
	if ((st = date_arg(ec, c, 0, out, &d, &tz, &dt, &r)) != DS_OK)
		goto out;
	if ((st = ev_arg_str(ec, c, 1, &fmt)) != DS_OK)
		goto out;
	if (r == 0) {
		val_reset(out);
		goto out;
	}
	fd = floor(d);
	ms = llround((d - fd) * 86400000.0);
	if (ms >= 86400000LL) {
		fd += 1;
		ms -= 86400000LL;
	}
	val_civil_from_days((int64_t)fd, &y, &mo, &da);
	wd = ((int64_t)fd % 7 + 7 + 4) % 7;	/* 1970-01-01 was a Thursday */
	f = val_str(&fmt);
	for (i = 0; i < fmt.len && st == DS_OK; i++) {
		if (f[i] != '%' || i + 1 >= fmt.len) {
			st = ds_buf_addc(&b, f[i]);
			continue;
		}
		switch (f[++i]) {
		case 'Y': st = ds_buf_printf(&b, "%04lld", (long long)y);
			break;
		case 'y': st = ds_buf_printf(&b, "%02lld",
			    (long long)(y % 100));
			break;
		case 'm': st = ds_buf_printf(&b, "%02u", mo); break;
		case 'n': st = ds_buf_printf(&b, "%u", mo); break;
		case 'b': st = ds_buf_adds(&b, mon_names[mo - 1]); break;
		case 'd': st = ds_buf_printf(&b, "%02u", da); break;
		case 'e': st = ds_buf_printf(&b, "%u", da); break;
		case 'a': st = ds_buf_adds(&b, day_names[wd]); break;
		case 'H': st = ds_buf_printf(&b, "%02lld", ms / 3600000);
			break;
		case 'h': st = ds_buf_printf(&b, "%lld", ms / 3600000); break;
		case 'M': st = ds_buf_printf(&b, "%02lld", ms / 60000 % 60);
			break;
		case 'S': st = ds_buf_printf(&b, "%02lld", ms / 1000 % 60);
			break;
		case '3': st = ds_buf_printf(&b, "%03lld", ms % 1000); break;
		default:
			if ((st = ds_buf_addc(&b, '%')) == DS_OK)
				st = ds_buf_addc(&b, f[i]);
			break;
		}
	}
	if (st != DS_OK) {
		st = buf_fail(ec, c, &b, st);
		goto out;
	}
	st = take_buf(ec, out, &b);
out:
	ds_buf_reset(&b);
	val_reset(&fmt);
	return st;
}

/* doorstep extensions: Chinese resident ID cards (GB 11643-1999). */

/*
 * Check an 18-character resident ID: 17 digits, then the ISO 7064
 * MOD 11-2 check character (x accepted for X), with a real birth date in
 * characters 7-14 that is not after `today`.  Returns the birth date in
 * *birth (days) and 1, or 0.
 */
static int
idcard_check(const char *s, size_t len, double today, double *birth)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10,
	    5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	char date[11];
	int sum = 0, i;
	double d;
	char last;

	if (len != 18)
		return 0;
	for (i = 0; i < 17; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		sum += (s[i] - '0') * w[i];
	}
	last = s[17] == 'x' ? 'X' : s[17];
	if (last != check[sum % 11])
		return 0;
	snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", s + 6, s + 10, s + 12);
	if (val_parse_date(date, 10, &d) != 0 || d > today)
		return 0;
	*birth = d;
	return 1;
}

static enum ds_status
idcard_arg(struct ectx *ec, const struct enode *c, struct val *tmp,
    double *birth, int *ok)
{
	enum ds_status st;
	double today;
	int tz;

	if ((st = ev_arg_str(ec, c, 0, tmp)) != DS_OK)
		return st;
	now_local(ec, &today, &tz);
	*ok = idcard_check(val_str(tmp), tmp->len, floor(today), birth);
	return DS_OK;
}

static enum ds_status
f_idvalid(struct ectx *ec, const struct enode *c, struct val *out)
{
	double b;
	int ok;
	enum ds_status st;

	if ((st = idcard_arg(ec, c, out, &b, &ok)) != DS_OK)
		return st;
	val_set_bool(out, ok);
	return DS_OK;
}

static enum ds_status
f_idbirth(struct ectx *ec, const struct enode *c, struct val *out)
{
	double b;
	int ok;
	enum ds_status st;

	if ((st = idcard_arg(ec, c, out, &b, &ok)) != DS_OK)
		return st;
	if (ok)
		val_set_date(out, b);
	else
		val_reset(out);
	return DS_OK;
}

static enum ds_status
f_idsex(struct ectx *ec, const struct enode *c, struct val *out)
{
	double b;
	int ok, odd;
	enum ds_status st;

	if ((st = idcard_arg(ec, c, out, &b, &ok)) != DS_OK)
		return st;
	if (!ok) {
		val_reset(out);
		return DS_OK;
	}
	odd = (val_str(out)[16] - '0') % 2;
	return set_str(ec, out, odd ? "male" : "female", odd ? 4 : 6);
}

/* age(birth[, on]): whole years; NaN (stored empty) if either is blank. */
static enum ds_status
f_age(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val tmp;
	double b, on;
	int tz, dt, r;
	int64_t by, oy, years;
	unsigned bm, bd, om, od;
	enum ds_status st;

	val_init(&tmp);
	if ((st = date_arg(ec, c, 0, &tmp, &b, &tz, &dt, &r)) != DS_OK)
		goto out;
	if (r == 0) {
		val_set_number(out, NAN);
		goto out;
	}
	if (c->nkids > 1) {
		if ((st = date_arg(ec, c, 1, &tmp, &on, &tz, &dt, &r)) !=
		    DS_OK)
			goto out;
		if (r == 0) {
			val_set_number(out, NAN);
			goto out;
		}
	} else
		now_local(ec, &on, &tz);
	val_civil_from_days((int64_t)floor(b), &by, &bm, &bd);
	val_civil_from_days((int64_t)floor(on), &oy, &om, &od);
	years = oy - by;
	if (om < bm || (om == bm && od < bd))
		years--;
	val_set_number(out, (double)years);
out:
	val_reset(&tmp);
	return st;
}
