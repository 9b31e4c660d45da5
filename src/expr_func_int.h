/* doorstep: what the XPath function files share (expr_func*.c only). */
#ifndef DS_EXPR_FUNC_INT_H
#define DS_EXPR_FUNC_INT_H

/*
 * The function table (expr_func.c) is one table; the evaluators live in
 * one file per family: expr_func.c (control), expr_func_num.c,
 * expr_func_str.c, expr_func_sel.c, expr_func_node.c, expr_func_date.c,
 * expr_func_id.c.  Every evaluator has the shape of struct expr_func's
 * fn: it receives its call node unevaluated and fills *out.
 */

#include <stddef.h>

#include "buf.h"
#include "expr_int.h"
#include "val.h"

/* ------------------------------------------------------------------ */
/* Helpers (expr_func.c)                                               */

/* out = a copy of s[0..len); DS_ENOMEM on failure. */
enum ds_status	 fn_set_str(struct ectx *, struct val *out, const char *s,
		    size_t len);
/* out = the buffer's string (taken; b is then empty). */
enum ds_status	 fn_take_buf(struct ectx *, struct val *out, struct ds_buf *);
/* Reset b and report st from building call's result (DS_ELIMIT: over
 * EXPR_MAX_STRING, with a message naming the function). */
enum ds_status	 fn_buf_fail(struct ectx *, const struct enode *call,
		    struct ds_buf *, enum ds_status st);
/* Arguments 0 and 1 as strings. */
enum ds_status	 fn_args2(struct ectx *, const struct enode *,
		    struct val *a, struct val *b);
/* Call fn on each item of argument k: every node's typed value of a
 * node-set, or the value itself. */
enum ds_status	 fn_each_item(struct ectx *, const struct enode *, int k,
		    enum ds_status (*fn)(struct ectx *, const struct val *,
		    void *), void *arg);
/* Argument k must be a node-set; moved into *out. */
enum ds_status	 fn_arg_nodes(struct ectx *, const struct enode *, int k,
		    struct val *out);
/* XPath white space: space, tab, CR, LF. */
int		 fn_space(char);

/* What a counting or extreme-finding fn_each_item callback accumulates. */
struct fn_counter {
	size_t	n;
	double	total;
	double	best;
	int	have;
	int	want_max;
};

/* Dates (expr_func_date.c). */
/* Now as local days (fractional) and the zone offset in minutes. */
void		 fn_now_local(struct ectx *, double *days, int *tz);
/* Argument k as days: *r 1 converted, 0 blank; DS_ETYPE if not a date. */
enum ds_status	 fn_date_arg(struct ectx *, const struct enode *, int k,
		    struct val *tmp, double *days, int *tz, int *is_dt,
		    int *r);

/* ------------------------------------------------------------------ */
/* Evaluators, by family                                               */

/* Control (expr_func.c) */
enum ds_status	 fn_if(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_coalesce(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_once(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_true(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_false(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_boolean(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_not(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_bfs(struct ectx *, const struct enode *,
		    struct val *);

/* Numbers (expr_func_num.c) */
enum ds_status	 fn_number(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_string(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_int(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_round(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_math1(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_pow(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_atan2(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_pi(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_random(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_randomize(struct ectx *, const struct enode *,
		    struct val *);

/* Strings (expr_func_str.c) */
enum ds_status	 fn_concat(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_join(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_substr(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_sbefore(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_safter(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_strlen(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_contains(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_starts(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_ends(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_translate(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_normspace(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_regex(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_uuid(struct ectx *, const struct enode *,
		    struct val *);

/* Selects (expr_func_sel.c) */
enum ds_status	 fn_selected(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_selat(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_countsel(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_choicename(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_checklist(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_wchecklist(struct ectx *, const struct enode *,
		    struct val *);

/* Node-sets and repeats (expr_func_node.c) */
enum ds_status	 fn_sum(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_count(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_countne(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_max(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_min(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_position(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_irepeat(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_instance(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_pulldata(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_current(struct ectx *, const struct enode *,
		    struct val *);

/* Dates (expr_func_date.c) */
enum ds_status	 fn_today(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_now(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_date(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_datetime(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_ddt(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_dtime(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_fdate(struct ectx *, const struct enode *,
		    struct val *);

/* Doorstep extensions (expr_func_id.c) */
enum ds_status	 fn_idvalid(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_idbirth(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_idsex(struct ectx *, const struct enode *,
		    struct val *);
enum ds_status	 fn_age(struct ectx *, const struct enode *,
		    struct val *);

#endif
