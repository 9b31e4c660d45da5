/* doorstep: the function table of ODK XPath and doorstep's extensions. */
/*
 * Purpose: one table row per function (name, arity, flags, evaluator), as
 * style.md §13 asks, the helpers the evaluators share
 * (expr_func_int.h) and the control functions.  The other evaluators are
 * in one file per family: expr_func_num.c, expr_func_str.c,
 * expr_func_sel.c, expr_func_node.c, expr_func_date.c, expr_func_id.c.
 * Semantics follow ODK Collect
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
#include <string.h>

#include "expr_func_int.h"
#include "expr_int.h"
#include "mem.h"

#define VOL	EXPR_F_VOLATILE

static const struct expr_func funcs[] = {
	/* control */
	{ "if",			3, 3,  0,		fn_if },
	{ "coalesce",		2, 2,  0,		fn_coalesce },
	{ "once",		1, 1,  EXPR_F_ONCE,	fn_once },
	{ "true",		0, 0,  0,		fn_true },
	{ "false",		0, 0,  0,		fn_false },
	{ "not",		1, 1,  0,		fn_not },
	{ "boolean",		1, 1,  0,		fn_boolean },
	{ "boolean-from-string", 1, 1, 0,		fn_bfs },
	/* numbers */
	{ "number",		1, 1,  0,		fn_number },
	{ "string",		0, 1,  0,		fn_string },
	{ "int",		1, 1,  0,		fn_int },
	{ "round",		1, 2,  0,		fn_round },
	{ "pow",		2, 2,  0,		fn_pow },
	{ "abs",		1, 1,  0,		fn_math1 },
	{ "sqrt",		1, 1,  0,		fn_math1 },
	{ "exp",		1, 1,  0,		fn_math1 },
	{ "exp10",		1, 1,  0,		fn_math1 },
	{ "log",		1, 1,  0,		fn_math1 },
	{ "log10",		1, 1,  0,		fn_math1 },
	{ "sin",		1, 1,  0,		fn_math1 },
	{ "cos",		1, 1,  0,		fn_math1 },
	{ "tan",		1, 1,  0,		fn_math1 },
	{ "asin",		1, 1,  0,		fn_math1 },
	{ "acos",		1, 1,  0,		fn_math1 },
	{ "atan",		1, 1,  0,		fn_math1 },
	{ "atan2",		2, 2,  0,		fn_atan2 },
	{ "pi",			0, 0,  0,		fn_pi },
	{ "random",		0, 0,  VOL,		fn_random },
	{ "randomize",		1, 2,  FN_AGG,		fn_randomize },
	/* strings */
	{ "concat",		0, -1, FN_AGG,		fn_concat },
	{ "join",		2, -1, FN_AGG,		fn_join },
	{ "substr",		2, 3,  0,		fn_substr },
	{ "substring-before",	2, 2,  0,		fn_sbefore },
	{ "substring-after",	2, 2,  0,		fn_safter },
	{ "string-length",	0, 1,  0,		fn_strlen },
	{ "contains",		2, 2,  0,		fn_contains },
	{ "starts-with",	2, 2,  0,		fn_starts },
	{ "ends-with",		2, 2,  0,		fn_ends },
	{ "translate",		3, 3,  0,		fn_translate },
	{ "normalize-space",	0, 1,  0,		fn_normspace },
	{ "regex",		2, 2,  0,		fn_regex },
	{ "uuid",		0, 1,  VOL,		fn_uuid },
	/* selects */
	{ "selected",		2, 2,  0,		fn_selected },
	{ "selected-at",	2, 2,  0,		fn_selat },
	{ "count-selected",	1, 1,  0,		fn_countsel },
	{ "jr:choice-name",	2, 2,  EXPR_F_CHOICE,	fn_choicename },
	{ "checklist",		2, -1, FN_AGG,		fn_checklist },
	{ "weighted-checklist",	2, -1, FN_AGG,		fn_wchecklist },
	/* node-sets and repeats */
	{ "sum",		1, 1,  FN_AGG,		fn_sum },
	{ "count",		1, 1,  FN_AGG,		fn_count },
	{ "count-non-empty",	1, 1,  FN_AGG,		fn_countne },
	{ "max",		1, -1, FN_AGG,		fn_max },
	{ "min",		1, -1, FN_AGG,		fn_min },
	{ "position",		0, 1,  EXPR_F_POSITION,	fn_position },
	{ "indexed-repeat",	3, 7,  FN_AGG | FN_ALLARGS, fn_irepeat },
	{ "pulldata",		4, 4,  EXPR_F_INSTANCE,	fn_pulldata },
	{ "instance",		1, 1,  EXPR_F_INSTANCE,	fn_instance },
	{ "current",		0, 0,  EXPR_F_CURRENT,	fn_current },
	/* dates */
	{ "today",		0, 0,  VOL,		fn_today },
	{ "now",		0, 0,  VOL,		fn_now },
	{ "date",		1, 1,  0,		fn_date },
	{ "date-time",		1, 1,  0,		fn_datetime },
	{ "decimal-date-time",	1, 1,  0,		fn_ddt },
	{ "decimal-time",	1, 1,  0,		fn_dtime },
	{ "format-date",	2, 2,  0,		fn_fdate },
	{ "format-date-time",	2, 2,  0,		fn_fdate },
	/* doorstep extensions */
	{ "id-card-valid",	1, 1,  VOL,		fn_idvalid },
	{ "id-card-birth-date",	1, 1,  0,		fn_idbirth },
	{ "id-card-sex",	1, 1,  0,		fn_idsex },
	{ "age",		1, 2,  0,		fn_age },
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

enum ds_status
fn_set_str(struct ectx *ec, struct val *out, const char *s, size_t len)
{
	if (val_set_string(out, s, len) != DS_OK)
		return ds_err_set(ec->err, DS_ENOMEM, NULL);
	return DS_OK;
}

enum ds_status
fn_take_buf(struct ectx *ec, struct val *out, struct ds_buf *b)
{
	size_t len;
	char *s;

	if ((s = ds_buf_take(b, &len)) == NULL)
		return ds_err_set(ec->err, DS_ENOMEM, NULL);
	val_take_string(out, s, len);
	return DS_OK;
}

enum ds_status
fn_buf_fail(struct ectx *ec, const struct enode *call, struct ds_buf *b,
    enum ds_status st)
{
	ds_buf_reset(b);
	if (st == DS_ELIMIT)
		return ev_error(ec, call, st, "%s(): result longer than %u "
		    "bytes", call->fn->name, EXPR_MAX_STRING);
	return ds_err_set(ec->err, st, NULL);
}

/* Two string arguments. */
enum ds_status
fn_args2(struct ectx *ec, const struct enode *c, struct val *a, struct val *b)
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
enum ds_status
fn_each_item(struct ectx *ec, const struct enode *c, int k,
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
enum ds_status
fn_arg_nodes(struct ectx *ec, const struct enode *c, int k, struct val *out)
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


/* XPath white space. */
int
fn_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Control. */

enum ds_status
fn_if(struct ectx *ec, const struct enode *c, struct val *out)
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

enum ds_status
fn_coalesce(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;

	/* ODK: NaN counts as empty (JR and WF) */
	if ((st = ev_atom(ec, ARG(ec->e, c, 0), out)) != DS_OK)
		return st;
	if (!is_blank(out))
		return DS_OK;
	return ev_atom(ec, ARG(ec->e, c, 1), out);
}

enum ds_status
fn_once(struct ectx *ec, const struct enode *c, struct val *out)
{
	const char *s;
	size_t len;
	enum ds_status st;

	if ((st = ev_node_string(ec, ec->env->context, &s, &len)) != DS_OK)
		return st;
	if (len > 0)
		return fn_set_str(ec, out, s, len);
	return ev_atom(ec, ARG(ec->e, c, 0), out);
}

enum ds_status
fn_true(struct ectx *ec, const struct enode *c, struct val *out)
{
	(void)ec;
	(void)c;
	val_set_bool(out, 1);
	return DS_OK;
}

enum ds_status
fn_false(struct ectx *ec, const struct enode *c, struct val *out)
{
	(void)ec;
	(void)c;
	val_set_bool(out, 0);
	return DS_OK;
}

enum ds_status
fn_boolean(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;

	if ((st = ev_atom(ec, ARG(ec->e, c, 0), out)) != DS_OK)
		return st;
	val_set_bool(out, val_bool(out));
	return DS_OK;
}

enum ds_status
fn_not(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;

	if ((st = ev_atom(ec, ARG(ec->e, c, 0), out)) != DS_OK)
		return st;
	val_set_bool(out, !val_bool(out));
	return DS_OK;
}

enum ds_status
fn_bfs(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;
	const char *s;

	if ((st = ev_arg_str(ec, c, 0, out)) != DS_OK)
		return st;
	s = val_str(out);
	val_set_bool(out, strcmp(s, "true") == 0 || strcmp(s, "1") == 0);
	return DS_OK;
}

