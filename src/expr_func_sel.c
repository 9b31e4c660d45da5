/* doorstep: XPath functions: selects and choices. */
/*
 * selected(), selected-at(), count-selected(), jr:choice-name(),
 * checklist() and weighted-checklist().  The table row of each is in
 * expr_func.c.
 */
#include "expr.h"

#include <math.h>
#include <string.h>

#include "expr_func_int.h"
#include "expr_int.h"
#include "mem.h"

/* Selects. */

/* Next space-separated token from *pp; 0 when there is none. */
static int
next_token(const char **pp, const char *end, const char **t, size_t *tl)
{
	const char *p = *pp;

	while (p < end && fn_space(*p))
		p++;
	if (p >= end)
		return 0;
	*t = p;
	while (p < end && !fn_space(*p))
		p++;
	*tl = (size_t)(p - *t);
	*pp = p;
	return 1;
}

enum ds_status
fn_selected(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val a, b;
	const char *p, *v, *hit;
	size_t pl, vl;
	enum ds_status st;

	val_init(&a);
	val_init(&b);
	if ((st = fn_args2(ec, c, &a, &b)) == DS_OK) {
		/*
		 * JR (XPathFuncExpr.multiSelected): the trimmed value with a
		 * space on each side is searched in the list with a space on
		 * each side, so selected('', '') is true and a value holding
		 * a space can match two neighbours.
		 */
		v = val_str(&b);
		vl = b.len;
		while (vl > 0 && (unsigned char)*v <= ' ') {
			v++;
			vl--;
		}
		while (vl > 0 && (unsigned char)v[vl - 1] <= ' ')
			vl--;
		p = val_str(&a);
		pl = a.len;
		hit = NULL;
		if (vl + 2 <= pl + 2) {
			size_t i;

			/* " p " holds " v " at i: match v against p[i-1..],
			 * the virtual spaces included */
			for (i = 0; i + vl + 2 <= pl + 2 && hit == NULL; i++) {
				char first = i == 0 ? ' ' : p[i - 1];
				char last = i + vl == pl ? ' ' :
				    i + vl < pl ? p[i + vl] : 0;

				if (first == ' ' && last == ' ' &&
				    memcmp(p + i, v, vl) == 0)
					hit = p + i;
			}
		}
		val_set_bool(out, hit != NULL);
	}
	val_reset(&a);
	val_reset(&b);
	return st;
}

enum ds_status
fn_selat(struct ectx *ec, const struct enode *c, struct val *out)
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
			st = fn_set_str(ec, out, t, tl);
			break;
		}
	}
out:
	val_reset(&a);
	return st;
}

enum ds_status
fn_countsel(struct ectx *ec, const struct enode *c, struct val *out)
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

enum ds_status
fn_choicename(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val v, path;
	const char *label = NULL;
	size_t llen = 0;
	enum ds_status st;

	val_init(&v);
	val_init(&path);
	if ((st = fn_args2(ec, c, &v, &path)) != DS_OK)
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
		st = fn_set_str(ec, out, label, llen);
out:
	val_reset(&v);
	val_reset(&path);
	return st;
}

static enum ds_status
count_true(struct ectx *ec, const struct val *v, void *arg)
{
	struct fn_counter *ct = arg;

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

enum ds_status
fn_checklist(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct fn_counter ct;
	enum ds_status st;
	uint32_t k;

	memset(&ct, 0, sizeof(ct));
	for (k = 2; k < c->nkids; k++)
		if ((st = fn_each_item(ec, c, (int)k, count_true, &ct)) !=
		    DS_OK)
			return st;
	return in_bounds(ec, c, (double)ct.n, out);
}

enum ds_status
fn_wchecklist(struct ectx *ec, const struct enode *c, struct val *out)
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

