/* doorstep: XPath functions: node-sets and repeats. */
/*
 * sum(), count(), count-non-empty(), max(), min(), position(),
 * indexed-repeat(), instance(), pulldata() and current().  The table row
 * of each is in expr_func.c.
 */
#include "expr.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "expr_func_int.h"
#include "expr_int.h"
#include "mem.h"

/* Node-sets and repeats. */

enum ds_status
fn_sum(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val ns, item;
	enum ds_status st;
	double total = 0, d;
	size_t i;

	val_init(&ns);
	val_init(&item);
	if ((st = fn_arg_nodes(ec, c, 0, &ns)) != DS_OK)
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

enum ds_status
fn_count(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;

	if ((st = fn_arg_nodes(ec, c, 0, out)) != DS_OK)
		return st;
	val_set_number(out, (double)out->ns.n);
	return DS_OK;
}

enum ds_status
fn_countne(struct ectx *ec, const struct enode *c, struct val *out)
{
	const char *s;
	size_t len, i, n = 0;
	enum ds_status st;

	if ((st = fn_arg_nodes(ec, c, 0, out)) != DS_OK)
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
	struct fn_counter *ct = arg;
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
	struct fn_counter ct;
	enum ds_status st;
	uint32_t k;

	memset(&ct, 0, sizeof(ct));
	ct.want_max = want_max;
	for (k = 0; k < c->nkids; k++)
		if ((st = fn_each_item(ec, c, (int)k, minmax_item, &ct)) !=
		    DS_OK)
			return st;
	val_set_number(out, ct.have ? ct.best : NAN);
	return DS_OK;
}

enum ds_status
fn_max(struct ectx *ec, const struct enode *c, struct val *out)
{
	return minmax(ec, c, out, 1);
}

enum ds_status
fn_min(struct ectx *ec, const struct enode *c, struct val *out)
{
	return minmax(ec, c, out, 0);
}

enum ds_status
fn_position(struct ectx *ec, const struct enode *c, struct val *out)
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
		if ((st = fn_arg_nodes(ec, c, 0, out)) != DS_OK)
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

enum ds_status
fn_irepeat(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val target, reps;
	struct expr_node r = { NULL, 0 };
	unsigned save = ec->resolve;
	int save_root = ec->from_root;
	enum ds_status st;
	uint32_t k;
	double idx;
	int have = 0;

	val_init(&target);
	val_init(&reps);
	/* JR: the node and repeats are whole-form references, so
	 * /data/member inside member 2 is every member, not member 2. */
	ec->resolve = EXPR_RESOLVE_ALL;
	ec->from_root = 1;
	st = fn_arg_nodes(ec, c, 0, &target);
	ec->resolve = save;
	ec->from_root = save_root;
	if (st != DS_OK)
		goto out;
	for (k = 1; k + 1 < c->nkids; k += 2) {
		ec->resolve = EXPR_RESOLVE_ALL;
		ec->from_root = 1;
		st = fn_arg_nodes(ec, c, (int)k, &reps);
		ec->resolve = save;
		ec->from_root = save_root;
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

enum ds_status
fn_instance(struct ectx *ec, const struct enode *c, struct val *out)
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
enum ds_status
fn_pulldata(struct ectx *ec, const struct enode *c, struct val *out)
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
	if ((st = fn_instance(ec, c, out)) != DS_OK ||
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
			st = fn_set_str(ec, out, s, len);
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

enum ds_status
fn_current(struct ectx *ec, const struct enode *c, struct val *out)
{
	(void)c;
	val_reset(out);
	out->type = VAL_NODESET;
	if (expr_nodes_add(&out->ns, ec->env->current) != DS_OK)
		return ds_err_set(ec->err, DS_ENOMEM, NULL);
	return DS_OK;
}

