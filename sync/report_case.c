/* doorstep: the monthly and period reports, from the case (docs/reports.md). */
/*
 * Counts come from the office's decisions, not from what a worker typed
 * at the door: a household is identified in a month when the county's
 * approval of its identification is dated in that month, eliminated when
 * the approval of its elimination is, and monitored at a date when its
 * events up to that date leave it so (case.c replays them).  Drafts never
 * count; visits count when finalized.  Events recorded and clues received
 * after the cutoff are left out (visits count by their own date, whenever
 * they arrived); a month that is frozen is reported as submitted (visits
 * imported after the freeze left out too), and an event dated in a frozen
 * month but recorded after the freeze counts in the next month not yet
 * frozen then, as a correction.
 *
 * One pass: four cursors over office.db ordered by household key (hh,
 * case_event, visit, clue) are merged, each household is counted into
 * its village's row, and the rows are sorted by township and village at
 * the end.  Memory holds one household's events at a time.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arr.h"
#include "case.h"
#include "cry.h"
#include "mem.h"
#include "odb_case.h"
#include "odb_report.h"
#include "oset.h"
#include "report_int.h"

#define NMEASURE	10
#define NVTYPE		5
#define EV_MAX		100000	/* events of one household */
#define VROWS_MAX	200000	/* villages */
#define FREEZE_MAX	1200	/* frozen months */

enum {
	C_S0_HH, C_S0_P, C_S0_UNSTABLE, C_S0_MARGINAL, C_S0_SUDDEN,
	C_NEW_HH, C_NEW_P, C_NEW_UNSTABLE, C_NEW_MARGINAL, C_NEW_SUDDEN,
	C_NEW_SELF, C_NEW_CADRE, C_NEW_DEPT,
	C_EL_HH, C_EL_P, C_EL_ASSISTED, C_EL_NATURAL, C_REFLAG, C_ROLLBACK,
	C_S1_HH, C_S1_P, C_S1_UNSTABLE, C_S1_MARGINAL, C_S1_SUDDEN,
	C_IN_IDENT, C_IN_ELIM,
	C_L_RED, C_L_ORANGE, C_L_YELLOW, C_L_GREEN, C_L_NONE,
	C_CLUE, C_CLUE_SELF, C_CLUE_CADRE, C_CLUE_DEPT,
	C_MS0,
	C_VISITS = C_MS0 + NMEASURE, C_V0,
	C_V_REFUSED = C_V0 + NVTYPE, C_V_NOT_REACHED,
	C_CORR_IDENT, C_CORR_ELIM, C_CORR_OTHER,
	NNUM
};

#define NAREA	4
#define G_S0	N_("Monitored at the start")
#define G_NEW	N_("Identified (approved)")
#define G_EL	N_("Risk eliminated (approved)")
#define G_S1	N_("Monitored at the end")
#define G_L	N_("Signal lights (monitored at the end)")
#define G_CL	N_("Clues open at the cutoff")
#define G_MS	N_("Households with an active measure (monitored at the end)")
#define G_V	N_("Finalized visits")
#define G_CO	N_("Late changes to frozen months")

static const struct report_col cols[NAREA + NNUM] = {
	{ N_("Township code"), NULL, 0, 11 },
	{ N_("Township"), NULL, 0, 10 },
	{ N_("Village code"), NULL, 0, 14 },
	{ N_("Village"), NULL, 0, 14 },
	{ N_("Households"), G_S0, 1, 8 },
	{ N_("Persons"), G_S0, 1, 8 },
	{ N_("Unstable formerly-poor"), G_S0, 1, 8 },
	{ N_("Marginal at risk"), G_S0, 1, 8 },
	{ N_("Sudden severe hardship"), G_S0, 1, 8 },
	{ N_("Households"), G_NEW, 1, 8 },
	{ N_("Persons"), G_NEW, 1, 8 },
	{ N_("Unstable formerly-poor"), G_NEW, 1, 8 },
	{ N_("Marginal at risk"), G_NEW, 1, 8 },
	{ N_("Sudden severe hardship"), G_NEW, 1, 8 },
	{ N_("Found by self-report"), G_NEW, 1, 8 },
	{ N_("Found by cadre screening"), G_NEW, 1, 8 },
	{ N_("Found by department warning"), G_NEW, 1, 8 },
	{ N_("Households"), G_EL, 1, 8 },
	{ N_("Persons"), G_EL, 1, 8 },
	{ N_("Through assistance"), G_EL, 1, 8 },
	{ N_("Naturally"), G_EL, 1, 8 },
	{ N_("Risk re-flagged"), G_EL, 1, 8 },
	{ N_("Elimination rolled back"), G_EL, 1, 8 },
	{ N_("Households"), G_S1, 1, 8 },
	{ N_("Persons"), G_S1, 1, 8 },
	{ N_("Unstable formerly-poor"), G_S1, 1, 8 },
	{ N_("Marginal at risk"), G_S1, 1, 8 },
	{ N_("Sudden severe hardship"), G_S1, 1, 8 },
	{ N_("In identification"), G_S1, 1, 8 },
	{ N_("In risk elimination"), G_S1, 1, 8 },
	{ N_("Red"), G_L, 1, 6 },
	{ N_("Orange"), G_L, 1, 6 },
	{ N_("Yellow"), G_L, 1, 6 },
	{ N_("Green"), G_L, 1, 6 },
	{ N_("No light"), G_L, 1, 6 },
	{ N_("Open clues"), G_CL, 1, 8 },
	{ N_("Self-report"), G_CL, 1, 8 },
	{ N_("Cadre screening"), G_CL, 1, 8 },
	{ N_("Department warning"), G_CL, 1, 8 },
	{ N_("Industry"), G_MS, 1, 8 },
	{ N_("Employment"), G_MS, 1, 8 },
	{ N_("Finance"), G_MS, 1, 8 },
	{ N_("Health"), G_MS, 1, 8 },
	{ N_("Education"), G_MS, 1, 8 },
	{ N_("Safety net (dibao or tekun)"), G_MS, 1, 8 },
	{ N_("Other allowances"), G_MS, 1, 8 },
	{ N_("Housing safety"), G_MS, 1, 8 },
	{ N_("Drinking water"), G_MS, 1, 8 },
	{ N_("Social assistance and other"), G_MS, 1, 8 },
	{ N_("Visits"), G_V, 1, 8 },
	{ N_("Concentrated screening"), G_V, 1, 8 },
	{ N_("Home-visit verification"), G_V, 1, 8 },
	{ N_("Annual update"), G_V, 1, 8 },
	{ N_("Follow-up review"), G_V, 1, 8 },
	{ N_("Risk-elimination verification"), G_V, 1, 8 },
	{ N_("Refused"), G_V, 1, 8 },
	{ N_("Not reached"), G_V, 1, 8 },
	{ N_("Identifications"), G_CO, 1, 8 },
	{ N_("Eliminations"), G_CO, 1, 8 },
	{ N_("Other steps"), G_CO, 1, 8 },
};

static const char *const measure_types[NMEASURE] = { "industry", "job",
    "finance", "health", "education", "assist", "allowance", "housing",
    "water", "social" };
static const char *const visit_types[NVTYPE] = { "screening",
    "verification", "annual", "review", "elimination" };

struct vrow {
	char	 township[ODB_CODE_MAX], village[ODB_CODE_MAX];
	int64_t	 n[NNUM];
};

struct freeze {
	int	 ym;
	int64_t	 at;
};

/* A measure's last status up to the end date. */
struct mstate {
	unsigned char	 ref[CRY_ID_BYTES];
	int		 type;		/* index in measure_types, -1 */
	int		 active;
};

struct rc {
	const struct report_case_opts	*o;
	const struct oset		*set;
	char		 start[CASE_DATE_LEN], end[CASE_DATE_LEN];
	int64_t		 cutoff;
	int64_t		 visits_upto;	/* a frozen month's freeze, else 0 */
	struct vrow	*rows;
	size_t		 nrows, rcap;
	struct freeze	*fz;
	size_t		 nfz, fzcap;
	int		 oom;
	/* one household */
	struct case_event *ev;
	struct odb_rep_ev *evx;		/* the rows (for detail, ref) */
	size_t		 nev, evcap, evxcap;
	size_t		*ix, *sub;
	size_t		 ixcap, subcap;
	struct odb_rep_visit *vis;
	size_t		 nvis, viscap;
	struct mstate	*ms;
	size_t		 nms, mscap;
	/* changes seen by the replay of the whole range */
	struct vrow	*cur;
	int64_t		 members;
	struct ds_err	*err;
};

/* ---- village rows --------------------------------------------------------- */

static struct vrow *
row_get(struct rc *c, const char *township, const char *village)
{
	size_t i;

	/* Households come by key, villages repeat: try the last one first. */
	if (c->nrows > 0 && strcmp(c->rows[c->nrows - 1].village,
	    village) == 0 && strcmp(c->rows[c->nrows - 1].township,
	    township) == 0)
		return &c->rows[c->nrows - 1];
	for (i = 0; i < c->nrows; i++)
		if (strcmp(c->rows[i].village, village) == 0 &&
		    strcmp(c->rows[i].township, township) == 0)
			return &c->rows[i];
	if (ds_arr_grow(&c->rows, &c->rcap, c->nrows + 1, sizeof(*c->rows),
	    VROWS_MAX) != DS_OK)
		return NULL;
	memset(&c->rows[c->nrows], 0, sizeof(*c->rows));
	snprintf(c->rows[c->nrows].township, ODB_CODE_MAX, "%s", township);
	snprintf(c->rows[c->nrows].village, ODB_CODE_MAX, "%s", village);
	return &c->rows[c->nrows++];
}

static int
row_cmp(const void *pa, const void *pb)
{
	const struct vrow *a = pa, *b = pb;
	int ea = *a->township == '\0' && *a->village == '\0';
	int eb = *b->township == '\0' && *b->village == '\0';
	int x;

	if (ea != eb)
		return ea ? 1 : -1;
	if ((x = strcmp(a->township, b->township)) != 0)
		return x;
	return strcmp(a->village, b->village);
}

/* ---- freezes ----------------------------------------------------------------- */

static int
freeze_cb(void *arg, const char *month, int64_t at)
{
	struct rc *c = arg;
	int y, m;

	if (report_month_parse(month, &y, &m) != 0)
		return 0;
	if (ds_arr_grow(&c->fz, &c->fzcap, c->nfz + 1, sizeof(*c->fz),
	    FREEZE_MAX) != DS_OK) {
		c->oom = 1;
		return 1;
	}
	c->fz[c->nfz].ym = y * 100 + m;
	c->fz[c->nfz].at = at;
	c->nfz++;
	return 0;
}

/* When ym was frozen, or 0. */
static int64_t
frozen_at(const struct rc *c, int ym)
{
	size_t i;

	for (i = 0; i < c->nfz; i++)
		if (c->fz[i].ym == ym)
			return c->fz[i].at;
	return 0;
}

static int
ym_next(int ym)
{
	return ym % 100 == 12 ? (ym / 100 + 1) * 100 + 1 : ym + 1;
}

static int
ym_of(const char *date)
{
	return atoi(date) * 100 + atoi(date + 5);
}

/*
 * The report month a late event counts in: the first month after its own
 * (frozen) month that was not yet frozen when it was recorded; 0 when the
 * event is not late.
 */
static int
late_month(const struct rc *c, const struct case_event *e)
{
	int ym = ym_of(e->date), n;
	int64_t at = frozen_at(c, ym), f;

	if (at == 0 || e->recorded_at <= at)
		return 0;
	for (n = ym_next(ym); n < 210001; n = ym_next(n))
		if ((f = frozen_at(c, n)) == 0 || f > e->recorded_at)
			return n;
	return 0;
}

/* ---- one household ----------------------------------------------------------- */

static void
changed(void *arg, int change, const struct case_event *e,
    const struct case_status *st)
{
	struct rc *c = arg;
	int64_t *n = c->cur->n;

	if (strcmp(e->date, c->start) < 0 || strcmp(e->date, c->end) > 0)
		return;
	switch (change) {
	case CASE_C_IDENTIFIED:
		n[C_NEW_HH]++;
		n[C_NEW_P] += c->members;
		if (e->category >= CASE_CAT_UNSTABLE &&
		    e->category <= CASE_CAT_SUDDEN)
			n[C_NEW_UNSTABLE + e->category - 1]++;
		if (st->ident_channel >= CASE_CH_SELF &&
		    st->ident_channel <= CASE_CH_DEPT)
			n[C_NEW_SELF + st->ident_channel - 1]++;
		break;
	case CASE_C_ELIMINATED:
		n[C_EL_HH]++;
		n[C_EL_P] += c->members;
		if (e->kind == CASE_K_ASSISTED)
			n[C_EL_ASSISTED]++;
		else if (e->kind == CASE_K_NATURAL)
			n[C_EL_NATURAL]++;
		break;
	case CASE_C_REFLAG:
		n[C_REFLAG]++;
		break;
	case CASE_C_ROLLBACK:
		n[C_ROLLBACK]++;
		break;
	default:
		break;
	}
}

/* Replay the household's ordered events passing `keep`. */
static enum ds_status
replay(struct rc *c, size_t m, int upto_end, struct case_status *st)
{
	struct case_replay_opts ro;
	struct case_why why;
	size_t k, n = 0;

	for (k = 0; k < m; k++) {
		const struct case_event *e = &c->ev[c->ix[k]];

		if (upto_end ? strcmp(e->date, c->end) <= 0 :
		    strcmp(e->date, c->start) < 0)
			c->sub[n++] = c->ix[k];
	}
	memset(&ro, 0, sizeof(ro));
	ro.set = c->set;
	ro.strict_from = n;
	if (upto_end) {
		ro.change = changed;
		ro.arg = c;
	}
	return case_replay(&ro, c->ev, c->sub, n, st, &why);
}

static void
count_stock(int64_t *n, int base, const struct case_status *st,
    int64_t members)
{
	if (!st->monitored || st->eliminated)
		return;
	n[base]++;
	n[base + 1] += members;
	if (st->category >= CASE_CAT_UNSTABLE &&
	    st->category <= CASE_CAT_SUDDEN)
		n[base + 2 + st->category - 1]++;
}

/* Measures as of the end date: the last status each measure had. */
static enum ds_status
count_measures(struct rc *c, int64_t *n)
{
	unsigned active = 0;
	char type[ODB_CODE_MAX], *colon;
	size_t i, j;
	int t;

	c->nms = 0;
	for (i = 0; i < c->nev; i++) {
		const struct odb_rep_ev *x = &c->evx[i];

		if (x->ev.step != CASE_S_MEASURE || !x->has_ref ||
		    strcmp(x->ev.date, c->end) > 0)
			continue;
		snprintf(type, sizeof(type), "%s", x->detail);
		if ((colon = strchr(type, ':')) == NULL)
			continue;
		*colon = '\0';
		for (j = 0; j < c->nms; j++)
			if (memcmp(c->ms[j].ref, x->ref, CRY_ID_BYTES) == 0)
				break;
		if (j == c->nms) {
			if (ds_arr_grow(&c->ms, &c->mscap, c->nms + 1,
			    sizeof(*c->ms), EV_MAX) != DS_OK)
				return ds_err_set(c->err, DS_ENOMEM, "report: "
				    "out of memory");
			memcpy(c->ms[j].ref, x->ref, CRY_ID_BYTES);
			c->nms++;
		}
		for (t = 0; t < NMEASURE; t++)
			if (strcmp(type, measure_types[t]) == 0)
				break;
		c->ms[j].type = t < NMEASURE ? t : -1;
		c->ms[j].active = strcmp(colon + 1, "planned") == 0 ||
		    strcmp(colon + 1, "in_progress") == 0;
	}
	for (j = 0; j < c->nms; j++)
		if (c->ms[j].active && c->ms[j].type >= 0)
			active |= 1u << c->ms[j].type;
	for (t = 0; t < NMEASURE; t++)
		if (active & (1u << t))
			n[C_MS0 + t]++;
	return DS_OK;
}

static void
count_visits(struct rc *c, int64_t *n, int monitored_end)
{
	const struct odb_rep_visit *v, *last = NULL;
	size_t i, j;
	int t;

	for (i = 0; i < c->nvis; i++) {
		v = &c->vis[i];
		if (strcmp(v->outcome, "done") == 0 &&
		    strcmp(v->consent, "no") != 0)
			last = v;	/* by date: the last one wins */
		if (strcmp(v->visit_date, c->start) < 0)
			continue;
		/* A record counts once, whatever its revisions. */
		for (j = 0; j < i; j++)
			if (memcmp(c->vis[j].record_uuid, v->record_uuid,
			    16) == 0 && strcmp(c->vis[j].visit_date,
			    c->start) >= 0)
				break;
		if (j < i)
			continue;
		n[C_VISITS]++;
		for (t = 0; t < NVTYPE; t++)
			if (strcmp(v->visit_type, visit_types[t]) == 0)
				n[C_V0 + t]++;
		if (strcmp(v->outcome, "refused") == 0)
			n[C_V_REFUSED]++;
		else if (strcmp(v->outcome, "not_reached") == 0)
			n[C_V_NOT_REACHED]++;
	}
	if (!monitored_end)
		return;
	switch (last != NULL ? oset_light_from(last->light) :
	    OSET_LIGHT_NONE) {
	case OSET_LIGHT_RED:
		n[C_L_RED]++;
		break;
	case OSET_LIGHT_ORANGE:
		n[C_L_ORANGE]++;
		break;
	case OSET_LIGHT_YELLOW:
		n[C_L_YELLOW]++;
		break;
	case OSET_LIGHT_GREEN:
		n[C_L_GREEN]++;
		break;
	default:
		n[C_L_NONE]++;
		break;
	}
}

static void
count_late(struct rc *c, int64_t *n)
{
	const struct case_event *e;
	size_t i;
	int ym, from = ym_of(c->start), to = ym_of(c->end);

	for (i = 0; i < c->nev; i++) {
		e = &c->ev[i];
		if (e->step == CASE_S_START || e->step == CASE_S_MEASURE)
			continue;
		ym = late_month(c, e);
		if (ym < from || ym > to)
			continue;
		if (e->step == CASE_S_APPROVE && e->track == CASE_T_IDENT)
			n[C_CORR_IDENT]++;
		else if (e->step == CASE_S_APPROVE && e->track == CASE_T_ELIM)
			n[C_CORR_ELIM]++;
		else
			n[C_CORR_OTHER]++;
	}
}

static enum ds_status
count_household(struct rc *c, const struct odb_rep_hh *h)
{
	struct case_status s0, s1;
	enum ds_status st;
	size_t m = 0;
	int64_t *n;

	if ((c->cur = row_get(c, h->township, h->village)) == NULL)
		return ds_err_set(c->err, DS_ENOMEM, "report: out of memory");
	n = c->cur->n;
	c->members = h->members;
	memset(&s0, 0, sizeof(s0));
	memset(&s1, 0, sizeof(s1));
	s0.run = s1.run = -1;		/* no events: no run */
	if (c->nev > 0) {
		if (ds_arr_grow(&c->ix, &c->ixcap, c->nev, sizeof(*c->ix),
		    EV_MAX) != DS_OK || ds_arr_grow(&c->sub, &c->subcap,
		    c->nev, sizeof(*c->sub), EV_MAX) != DS_OK)
			return ds_err_set(c->err, DS_ENOMEM, "report: out of "
			    "memory");
		if (case_order(c->ev, c->nev, c->ix, &m) != DS_OK)
			return ds_err_set(c->err, DS_ENOMEM, "report: out of "
			    "memory");
		if ((st = replay(c, m, 0, &s0)) != DS_OK ||
		    (st = replay(c, m, 1, &s1)) != DS_OK)
			return ds_err_set(c->err, st, "report: replay of %s",
			    h->hh_key);
	}
	count_stock(n, C_S0_HH, &s0, c->members);
	count_stock(n, C_S1_HH, &s1, c->members);
	n[C_IN_IDENT] += s1.run == CASE_T_IDENT;
	n[C_IN_ELIM] += s1.run == CASE_T_ELIM;
	if (s1.monitored && !s1.eliminated &&
	    (st = count_measures(c, n)) != DS_OK)
		return st;
	count_visits(c, n, s1.monitored && !s1.eliminated);
	count_late(c, n);
	return DS_OK;
}

static int
in_area(const char *area, const struct odb_rep_hh *h)
{
	size_t n;

	if (area == NULL || *area == '\0')
		return 1;
	n = strlen(area);
	return strncmp(h->village, area, n) == 0 ||
	    strncmp(h->township, area, n) == 0;
}

/* ---- the merge ------------------------------------------------------------------ */

struct stream {
	struct odb_rcur	*cur;
	int		 have;	/* 1 row waiting, 0 end */
};

static enum ds_status
advance(struct stream *s, void *row, struct ds_err *err)
{
	int r = odb_rcur_next(s->cur, row, err);

	if (r < 0)
		return err != NULL ? err->code : DS_EIO;
	s->have = r;
	return DS_OK;
}

static void
clue_count(int64_t *n, const struct odb_rep_clue *k)
{
	int ch;

	if (!k->open)
		return;
	n[C_CLUE]++;
	ch = case_channel_from(k->channel);
	if (ch >= CASE_CH_SELF && ch <= CASE_CH_DEPT)
		n[C_CLUE_SELF + ch - 1]++;
}

static enum ds_status
scan(struct rc *c, struct odb *db)
{
	struct stream sh, se, sv, sc;
	struct odb_rep_hh h;
	struct odb_rep_ev e;
	struct odb_rep_visit v;
	struct odb_rep_clue k;
	struct vrow *none;
	enum ds_status st;
	int x;

	memset(&sh, 0, sizeof(sh));
	memset(&se, 0, sizeof(se));
	memset(&sv, 0, sizeof(sv));
	memset(&sc, 0, sizeof(sc));
	if ((st = odb_rcur_open(db, ODB_REP_HH, 0, NULL, &sh.cur, c->err)) !=
	    DS_OK ||
	    (st = odb_rcur_open(db, ODB_REP_EV, c->cutoff, NULL, &se.cur,
	    c->err)) != DS_OK ||
	    (st = odb_rcur_open(db, ODB_REP_VISIT, c->visits_upto, c->end,
	    &sv.cur, c->err)) != DS_OK ||
	    (st = odb_rcur_open(db, ODB_REP_CLUE, c->cutoff, c->end, &sc.cur,
	    c->err)) != DS_OK)
		goto out;
	if ((st = advance(&se, &e, c->err)) != DS_OK ||
	    (st = advance(&sv, &v, c->err)) != DS_OK ||
	    (st = advance(&sc, &k, c->err)) != DS_OK)
		goto out;
	/* Unmatched clues (no household) come first: the no-address row. */
	while (sc.have && k.hh_key[0] == '\0') {
		if (c->o->area == NULL || *c->o->area == '\0') {
			if ((none = row_get(c, "", "")) == NULL) {
				st = ds_err_set(c->err, DS_ENOMEM, NULL);
				goto out;
			}
			clue_count(none->n, &k);
		}
		if ((st = advance(&sc, &k, c->err)) != DS_OK)
			goto out;
	}
	for (;;) {
		if ((st = advance(&sh, &h, c->err)) != DS_OK || !sh.have)
			break;
		c->nev = c->nvis = 0;
		/* Rows of keys before this one have no household: skip. */
		while (se.have && (x = strcmp(e.hh_key, h.hh_key)) <= 0) {
			if (x == 0) {
				if (ds_arr_grow(&c->ev, &c->evcap, c->nev + 1,
				    sizeof(*c->ev), EV_MAX) != DS_OK ||
				    ds_arr_grow(&c->evx, &c->evxcap, c->nev + 1,
				    sizeof(*c->evx), EV_MAX) != DS_OK) {
					st = ds_err_set(c->err, DS_ELIMIT,
					    "report: household %s has too many "
					    "events", h.hh_key);
					goto out;
				}
				c->ev[c->nev] = e.ev;
				c->evx[c->nev++] = e;
			}
			if ((st = advance(&se, &e, c->err)) != DS_OK)
				goto out;
		}
		while (sv.have && (x = strcmp(v.hh_key, h.hh_key)) <= 0) {
			if (x == 0) {
				if (ds_arr_grow(&c->vis, &c->viscap,
				    c->nvis + 1, sizeof(*c->vis), EV_MAX) !=
				    DS_OK) {
					st = ds_err_set(c->err, DS_ELIMIT,
					    "report: household %s has too many "
					    "visits", h.hh_key);
					goto out;
				}
				c->vis[c->nvis++] = v;
			}
			if ((st = advance(&sv, &v, c->err)) != DS_OK)
				goto out;
		}
		if (!in_area(c->o->area, &h)) {
			while (sc.have && strcmp(k.hh_key, h.hh_key) <= 0)
				if ((st = advance(&sc, &k, c->err)) != DS_OK)
					goto out;
			continue;
		}
		if ((st = count_household(c, &h)) != DS_OK)
			goto out;
		while (sc.have && (x = strcmp(k.hh_key, h.hh_key)) <= 0) {
			if (x == 0)
				clue_count(c->cur->n, &k);
			if ((st = advance(&sc, &k, c->err)) != DS_OK)
				goto out;
		}
	}
out:
	odb_rcur_close(sh.cur);
	odb_rcur_close(se.cur);
	odb_rcur_close(sv.cur);
	odb_rcur_close(sc.cur);
	return st;
}

/* ---- the table --------------------------------------------------------------------- */

static enum ds_status
put_row(struct rc *c, struct report_table *t, int kind, const char *tcode,
    const char *tname, const char *vcode, const char *vname,
    const int64_t *n)
{
	enum ds_status st;
	size_t row, i;
	int lights = c->set->nbands > 0;

	if ((st = report_table_add(t, kind, &row, c->err)) != DS_OK ||
	    (st = report_table_set(t, row, 0, tcode, c->err)) != DS_OK ||
	    (st = report_table_set(t, row, 1, tname, c->err)) != DS_OK ||
	    (st = report_table_set(t, row, 2, vcode, c->err)) != DS_OK ||
	    (st = report_table_set(t, row, 3, vname, c->err)) != DS_OK)
		return st;
	for (i = 0; i < NNUM; i++) {
		/* Without bands no light was computed: say nothing. */
		if (!lights && i >= C_L_RED && i <= C_L_NONE)
			continue;
		if ((st = report_table_setn(t, row, NAREA + i, n[i],
		    c->err)) != DS_OK)
			return st;
	}
	return DS_OK;
}

static enum ds_status
build(struct rc *c, struct report_table *t)
{
	struct report_names *nm;
	const struct vrow *v;
	enum ds_status st;
	int64_t sub[NNUM], tot[NNUM];
	size_t i, j;
	int last;

	if ((st = report_names_load(c->o->forms_dir, &nm, c->err)) != DS_OK)
		return st;
	if (c->nrows > 0)
		qsort(c->rows, c->nrows, sizeof(*c->rows), row_cmp);
	memset(sub, 0, sizeof(sub));
	memset(tot, 0, sizeof(tot));
	for (i = 0; i < c->nrows && st == DS_OK; i++) {
		v = &c->rows[i];
		if (*v->township == '\0' && *v->village == '\0')
			st = put_row(c, t, REPORT_ROW_DATA, "", "", "",
			    report_word(t, N_("(no address)")), v->n);
		else
			st = put_row(c, t, REPORT_ROW_DATA, v->township,
			    report_names_get(nm, v->township), v->village,
			    report_names_get(nm, v->village), v->n);
		for (j = 0; j < NNUM; j++) {
			sub[j] += v->n[j];
			tot[j] += v->n[j];
		}
		last = i + 1 == c->nrows || strcmp(c->rows[i + 1].township,
		    v->township) != 0;
		if (st == DS_OK && last && (*v->township != '\0' ||
		    *v->village != '\0'))
			st = put_row(c, t, REPORT_ROW_SUBTOTAL, v->township,
			    report_names_get(nm, v->township), "",
			    report_word(t, N_("Subtotal")), sub);
		if (last)
			memset(sub, 0, sizeof(sub));
	}
	if (st == DS_OK)
		st = put_row(c, t, REPORT_ROW_TOTAL, "", report_word(t,
		    N_("Total")), "", "", tot);
	report_names_free(nm);
	return st;
}

enum ds_status
report_case(struct odb *db, const struct report_case_opts *o,
    struct report_table **out, struct report_case_info *info,
    struct ds_err *err)
{
	struct report_table *t = NULL;
	struct rc c;
	enum ds_status st;
	int64_t fa;
	int y1, m1, y2, m2;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	*out = NULL;
	memset(info, 0, sizeof(*info));
	y1 = o->from_ym / 100;
	m1 = o->from_ym % 100;
	y2 = o->to_ym / 100;
	m2 = o->to_ym % 100;
	if (y1 < 2000 || y2 > 2099 || m1 < 1 || m1 > 12 || m2 < 1 || m2 > 12 ||
	    o->to_ym < o->from_ym)
		return ds_err_set(err, DS_EINVAL, "report: bad months");
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.err = err;
	c.set = odb_case_settings_get(db);
	snprintf(c.start, sizeof(c.start), "%04d-%02d-01", y1, m1);
	snprintf(c.end, sizeof(c.end), "%04d-%02d-%02d", y2, m2,
	    m2 == 2 && !((y2 % 4 == 0 && y2 % 100 != 0) || y2 % 400 == 0) ?
	    28 : mdays[m2 - 1]);
	c.cutoff = o->cutoff;
	if ((st = odb_report_freezes(db, freeze_cb, &c, err)) != DS_OK)
		goto out;
	if (c.oom) {
		st = ds_err_set(err, DS_ENOMEM, "report: out of memory");
		goto out;
	}
	/* A frozen month is reported as it was submitted. */
	if (o->from_ym == o->to_ym && (fa = frozen_at(&c, o->from_ym)) != 0) {
		info->frozen = 1;
		info->frozen_at = fa;
		if (c.cutoff == 0 || fa < c.cutoff)
			c.cutoff = fa;
		c.visits_upto = fa;
	}
	info->cutoff = c.cutoff;
	info->bands = c.set->nbands > 0;
	if ((st = scan(&c, db)) != DS_OK)
		goto out;
	if ((st = report_table_new("", cols, NAREA + NNUM, NAREA, &t, err)) !=
	    DS_OK)
		goto out;
	report_table_words(t, o->tr);
	if ((st = build(&c, t)) != DS_OK) {
		report_table_free(t);
		t = NULL;
		goto out;
	}
	*out = t;
out:
	ds_free(c.rows);
	ds_free(c.fz);
	ds_free(c.ev);
	ds_free(c.evx);
	ds_free(c.ix);
	ds_free(c.sub);
	ds_free(c.vis);
	ds_free(c.ms);
	return st;
}

int
report_month_parse(const char *s, int *year, int *month)
{
	int y, mo, i;

	if (s == NULL || strlen(s) != 7 || s[4] != '-')
		return -1;
	for (i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = atoi(s);
	mo = atoi(s + 5);
	if (y < 2000 || y > 2099 || mo < 1 || mo > 12)
		return -1;
	*year = y;
	*month = mo;
	return 0;
}
