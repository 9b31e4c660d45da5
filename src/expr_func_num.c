/* doorstep: XPath functions: numbers and math. */
/*
 * number(), string(), int(), round(), pow() and the math functions,
 * random() and randomize().  The table row of each is in expr_func.c.
 */
#include "expr.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "expr_func_int.h"
#include "expr_int.h"
#include "mem.h"

/* Numbers. */

enum ds_status
fn_number(struct ectx *ec, const struct enode *c, struct val *out)
{
	double d;
	enum ds_status st;

	if ((st = ev_arg_num(ec, c, 0, &d)) != DS_OK)
		return st;
	val_set_number(out, d);
	return DS_OK;
}

enum ds_status
fn_string(struct ectx *ec, const struct enode *c, struct val *out)
{
	const char *s;
	size_t len;
	enum ds_status st;

	if (c->nkids == 0) {
		if ((st = ev_node_string(ec, ec->context, &s, &len)) != DS_OK)
			return st;
		return fn_set_str(ec, out, s, len);
	}
	return ev_arg_str(ec, c, 0, out);
}

enum ds_status
fn_int(struct ectx *ec, const struct enode *c, struct val *out)
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

enum ds_status
fn_round(struct ectx *ec, const struct enode *c, struct val *out)
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

enum ds_status
fn_math1(struct ectx *ec, const struct enode *c, struct val *out)
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

enum ds_status
fn_pow(struct ectx *ec, const struct enode *c, struct val *out)
{
	double x, y;
	enum ds_status st;

	if ((st = ev_arg_num(ec, c, 0, &x)) != DS_OK ||
	    (st = ev_arg_num(ec, c, 1, &y)) != DS_OK)
		return st;
	val_set_number(out, pow(x, y));
	return DS_OK;
}

enum ds_status
fn_atan2(struct ectx *ec, const struct enode *c, struct val *out)
{
	double y, x;
	enum ds_status st;

	if ((st = ev_arg_num(ec, c, 0, &y)) != DS_OK ||
	    (st = ev_arg_num(ec, c, 1, &x)) != DS_OK)
		return st;
	val_set_number(out, atan2(y, x));
	return DS_OK;
}

enum ds_status
fn_pi(struct ectx *ec, const struct enode *c, struct val *out)
{
	(void)ec;
	(void)c;
	val_set_number(out, M_PI);
	return DS_OK;
}

enum ds_status
fn_random(struct ectx *ec, const struct enode *c, struct val *out)
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

enum ds_status
fn_randomize(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;
	struct expr_node t;
	uint64_t s = 0, r;
	double seed;
	size_t i, j;

	if ((st = fn_arg_nodes(ec, c, 0, out)) != DS_OK)
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

