/* doorstep: screening coverage and timeliness (docs/reports.md). */
/*
 * Coverage answers "不漏一户" for a screening round: per villager group,
 * the households of the register against those whose visit in the
 * round's dates was done, refused or not reached, a subtotal per village
 * and a total.  Timeliness is part of the quality ledger: per village and
 * worker, the days from a visit to finalizing its record and from
 * finalizing to the import at the office.  Both are single SQL scans
 * (odb_report.c); counts are numbers, percentages and days one decimal.
 */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "case.h"
#include "mem.h"
#include "odb_case.h"
#include "odb_report.h"
#include "report_int.h"

enum { V_TCODE, V_TNAME, V_VCODE, V_VNAME, V_GROUP, V_REG, V_DONE, V_REF,
	V_NR, V_NONE, V_PCT, VN };

static const struct report_col vcols[VN] = {
	{ N_("Township code"), NULL, 0, 11 },
	{ N_("Township"), NULL, 0, 10 },
	{ N_("Village code"), NULL, 0, 14 },
	{ N_("Village"), NULL, 0, 14 },
	{ N_("Villager group"), NULL, 0, 16 },
	{ N_("Households in the register"), NULL, REPORT_NUM_INT, 10 },
	{ N_("Visited"), NULL, REPORT_NUM_INT, 8 },
	{ N_("Refused"), NULL, REPORT_NUM_INT, 8 },
	{ N_("Not reached"), NULL, REPORT_NUM_INT, 8 },
	{ N_("Not visited yet"), NULL, REPORT_NUM_INT, 8 },
	{ N_("Visited, percent"), NULL, REPORT_NUM_DEC, 8 },
};

struct cov {
	struct report_table	*t;
	struct report_names	*nm;
	const char		*area;
	struct odb_rep_cover	 vsub, tsub, tot;
	int			 have;
	enum ds_status		 st;
	struct ds_err		*err;
};

static enum ds_status
cov_row(struct cov *c, int kind, const struct odb_rep_cover *r,
    const char *vname, const char *group)
{
	struct report_table *t = c->t;
	enum ds_status st;
	size_t row;

	if ((st = report_table_add(t, kind, &row, c->err)) != DS_OK ||
	    (st = report_table_set(t, row, V_TCODE, r->township, c->err)) !=
	    DS_OK ||
	    (st = report_table_set(t, row, V_TNAME, report_names_get(c->nm,
	    r->township), c->err)) != DS_OK ||
	    (st = report_table_set(t, row, V_VCODE, r->village, c->err)) !=
	    DS_OK ||
	    (st = report_table_set(t, row, V_VNAME, vname, c->err)) != DS_OK ||
	    (st = report_table_set(t, row, V_GROUP, group, c->err)) != DS_OK ||
	    (st = report_table_setn(t, row, V_REG, r->reg, c->err)) != DS_OK ||
	    (st = report_table_setn(t, row, V_DONE, r->done, c->err)) !=
	    DS_OK ||
	    (st = report_table_setn(t, row, V_REF, r->refused, c->err)) !=
	    DS_OK ||
	    (st = report_table_setn(t, row, V_NR, r->not_reached, c->err)) !=
	    DS_OK ||
	    (st = report_table_setn(t, row, V_NONE, r->reg - r->done -
	    r->refused - r->not_reached, c->err)) != DS_OK)
		return st;
	if (r->reg > 0)
		return report_table_setd(t, row, V_PCT, 100.0 *
		    (double)r->done / (double)r->reg, c->err);
	return DS_OK;
}

static void
cov_add(struct odb_rep_cover *a, const struct odb_rep_cover *b)
{
	a->reg += b->reg;
	a->done += b->done;
	a->refused += b->refused;
	a->not_reached += b->not_reached;
}

/* Close the running village (and township) when r starts another. */
static enum ds_status
cov_flush(struct cov *c, const struct odb_rep_cover *next)
{
	enum ds_status st = DS_OK;
	int vend, tend;

	if (!c->have)
		return DS_OK;
	tend = next == NULL || strcmp(next->township, c->vsub.township) != 0;
	vend = tend || strcmp(next->village, c->vsub.village) != 0;
	if (vend) {
		st = cov_row(c, REPORT_ROW_SUBTOTAL, &c->vsub,
		    report_names_get(c->nm, c->vsub.village),
		    report_word(c->t, N_("Village subtotal")));
		cov_add(&c->tsub, &c->vsub);
		memset(&c->vsub, 0, sizeof(c->vsub));
	}
	if (st == DS_OK && tend) {
		c->tsub.village[0] = '\0';
		st = cov_row(c, REPORT_ROW_SUBTOTAL, &c->tsub,
		    report_word(c->t, N_("Township subtotal")), "");
		cov_add(&c->tot, &c->tsub);
		memset(&c->tsub, 0, sizeof(c->tsub));
	}
	return st;
}

static int
cov_cb(void *arg, const struct odb_rep_cover *r)
{
	struct cov *c = arg;
	size_t n;

	if (c->area != NULL && *c->area != '\0') {
		n = strlen(c->area);
		if (strncmp(r->village, c->area, n) != 0 &&
		    strncmp(r->township, c->area, n) != 0)
			return 0;
	}
	if ((c->st = cov_flush(c, r)) != DS_OK ||
	    (c->st = cov_row(c, REPORT_ROW_DATA, r, report_names_get(c->nm,
	    r->village), r->vgroup)) != DS_OK)
		return 1;
	if (c->vsub.reg == 0 && c->vsub.done == 0) {
		snprintf(c->vsub.township, sizeof(c->vsub.township), "%s",
		    r->township);
		snprintf(c->vsub.village, sizeof(c->vsub.village), "%s",
		    r->village);
		snprintf(c->tsub.township, sizeof(c->tsub.township), "%s",
		    r->township);
	}
	cov_add(&c->vsub, r);
	c->have = 1;
	return 0;
}

enum ds_status
report_coverage(struct odb *db, const struct report_cover_opts *o,
    struct report_table **out, struct ds_err *err)
{
	struct odb_round r;
	struct cov c;
	enum ds_status st;
	const char *to;

	*out = NULL;
	if ((st = odb_round_get(db, o->round, &r, err)) != DS_OK)
		return st;
	memset(&c, 0, sizeof(c));
	c.area = o->area;
	c.err = err;
	to = *r.due != '\0' ? r.due : o->today;
	if ((st = report_table_new("", vcols, VN, V_GROUP + 1, &c.t, err)) !=
	    DS_OK)
		return st;
	report_table_words(c.t, o->tr);
	if ((st = report_names_load(o->forms_dir, &c.nm, err)) != DS_OK)
		goto out;
	if ((st = odb_report_coverage(db, r.started, to, r.scope, cov_cb, &c,
	    err)) != DS_OK || (st = c.st) != DS_OK ||
	    (st = cov_flush(&c, NULL)) != DS_OK)
		goto out;
	memset(c.tot.township, 0, sizeof(c.tot.township));
	memset(c.tot.village, 0, sizeof(c.tot.village));
	st = cov_row(&c, REPORT_ROW_TOTAL, &c.tot, "", "");
	if (st == DS_OK)
		report_table_set(c.t, report_table_nrows(c.t) - 1, V_TNAME,
		    report_word(c.t, N_("Total")), NULL);
out:
	report_names_free(c.nm);
	if (st != DS_OK) {
		report_table_free(c.t);
		return st;
	}
	*out = c.t;
	return DS_OK;
}

/* ---- timeliness ---------------------------------------------------------- */

enum { T_TCODE, T_TNAME, T_VCODE, T_VNAME, T_WORKER, T_N, T_VF_AVG,
	T_VF_MAX, T_FI_AVG, T_FI_MAX, TN };

static const struct report_col tcols[TN] = {
	{ N_("Township code"), NULL, 0, 11 },
	{ N_("Township"), NULL, 0, 10 },
	{ N_("Village code"), NULL, 0, 14 },
	{ N_("Village"), NULL, 0, 14 },
	{ N_("Worker"), NULL, 0, 14 },
	{ N_("Finalized visits"), NULL, REPORT_NUM_INT, 8 },
	{ N_("Days to finalize, average"), NULL, REPORT_NUM_DEC, 10 },
	{ N_("Days to finalize, longest"), NULL, REPORT_NUM_DEC, 10 },
	{ N_("Days to the office, average"), NULL, REPORT_NUM_DEC, 10 },
	{ N_("Days to the office, longest"), NULL, REPORT_NUM_DEC, 10 },
};

struct tim {
	struct report_table	*t;
	struct report_names	*nm;
	const char		*area;
	enum ds_status		 st;
	struct ds_err		*err;
};

static int
tim_cb(void *arg, const struct odb_rep_time *r)
{
	struct tim *c = arg;
	struct report_table *t = c->t;
	size_t row, n;

	if (c->area != NULL && *c->area != '\0') {
		n = strlen(c->area);
		if (strncmp(r->village, c->area, n) != 0 &&
		    strncmp(r->township, c->area, n) != 0)
			return 0;
	}
	if ((c->st = report_table_add(t, REPORT_ROW_DATA, &row, c->err)) !=
	    DS_OK ||
	    (c->st = report_table_set(t, row, T_TCODE, r->township, c->err)) !=
	    DS_OK ||
	    (c->st = report_table_set(t, row, T_TNAME, report_names_get(c->nm,
	    r->township), c->err)) != DS_OK ||
	    (c->st = report_table_set(t, row, T_VCODE, r->village, c->err)) !=
	    DS_OK ||
	    (c->st = report_table_set(t, row, T_VNAME, report_names_get(c->nm,
	    r->village), c->err)) != DS_OK ||
	    (c->st = report_table_set(t, row, T_WORKER, r->worker, c->err)) !=
	    DS_OK ||
	    (c->st = report_table_setn(t, row, T_N, r->visits, c->err)) !=
	    DS_OK ||
	    (c->st = report_table_setd(t, row, T_VF_AVG, r->vf_avg, c->err)) !=
	    DS_OK ||
	    (c->st = report_table_setd(t, row, T_VF_MAX, r->vf_max, c->err)) !=
	    DS_OK ||
	    (c->st = report_table_setd(t, row, T_FI_AVG, r->fi_avg, c->err)) !=
	    DS_OK ||
	    (c->st = report_table_setd(t, row, T_FI_MAX, r->fi_max, c->err)) !=
	    DS_OK)
		return 1;
	return 0;
}

enum ds_status
report_timeliness(struct odb *db, const struct report_time_opts *o,
    struct report_table **out, struct ds_err *err)
{
	struct tim c;
	enum ds_status st;
	char from[CASE_DATE_LEN], to[CASE_DATE_LEN];

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.area = o->area;
	c.err = err;
	if (o->from_ym != 0)
		snprintf(from, sizeof(from), "%04d-%02d-01", o->from_ym / 100,
		    o->from_ym % 100);
	if (o->to_ym != 0)
		snprintf(to, sizeof(to), "%04d-%02d-31", o->to_ym / 100,
		    o->to_ym % 100);
	if ((st = report_table_new("", tcols, TN, T_WORKER + 1, &c.t, err)) !=
	    DS_OK)
		return st;
	report_table_words(c.t, o->tr);
	if ((st = report_names_load(o->forms_dir, &c.nm, err)) == DS_OK &&
	    (st = odb_report_timeliness(db, o->from_ym != 0 ? from : NULL,
	    o->to_ym != 0 ? to : NULL, tim_cb, &c, err)) == DS_OK)
		st = c.st;
	report_names_free(c.nm);
	if (st != DS_OK) {
		report_table_free(c.t);
		return st;
	}
	*out = c.t;
	return DS_OK;
}
