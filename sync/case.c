/* doorstep: the household case's rules: step order and derived state. */
/*
 * docs/case.md "States of a case".  A track (identification or
 * elimination) runs once per proposal: a finalized visit starts it, the
 * office records the steps the settings list, in order, and approval
 * with `pass` ends it (identified: monitored; eliminated).  `fail` on any
 * step ends the run with no change of state; `return` restarts the run at
 * its first step.  Re-flag and rollback bring an eliminated case back to
 * monitored.  Nothing here reads a clock except case_today, and nothing
 * here knows SQL or words: a refusal is a code and its facts.
 */
#include "case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"
#include "util.h"

static const char *const state_names[CASE_NSTATE] = { "registered",
    "clue_open", "ident", "monitored", "elim", "eliminated" };
static const char *const track_names[] = { "ident", "elim", "case" };
static const char *const outcome_names[] = { "", "pass", "fail" };
static const char *const cat_names[] = { "", "unstable", "marginal",
    "sudden" };
static const char *const kind_names[] = { "", "assisted", "natural" };
static const char *const channel_names[] = { "", "self_report",
    "cadre_screening", "dept_warning" };

static const struct {
	int		 step;
	const char	*name;
} steps[] = {
	{ CASE_S_START, "start" },
	{ CASE_S_ASSESS, "assess" },
	{ CASE_S_NOTICE, "notice" },
	{ CASE_S_REVIEW, "review" },
	{ CASE_S_APPROVE, "approve" },
	{ CASE_S_RETURN, "return" },
	{ CASE_S_MEASURE, "measure" },
	{ CASE_S_REFLAG, "reflag" },
	{ CASE_S_ROLLBACK, "rollback" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
name_from(const char *const *names, size_t n, const char *s, int none)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (*names[i] != '\0' && strcmp(s, names[i]) == 0)
			return (int)i;
	return none;
}

const char *
case_state_str(int s)
{
	return s >= 0 && s < CASE_NSTATE ? state_names[s] : "";
}

int
case_state_from(const char *s)
{
	return name_from(state_names, CASE_NSTATE, s, -1);
}

const char *
case_track_str(int t)
{
	return t >= 0 && t < (int)NELEM(track_names) ? track_names[t] : "";
}

int
case_track_from(const char *s)
{
	return name_from(track_names, NELEM(track_names), s, -1);
}

const char *
case_step_str(int s)
{
	size_t i;

	for (i = 0; i < NELEM(steps); i++)
		if (steps[i].step == s)
			return steps[i].name;
	return "";
}

int
case_step_from(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < NELEM(steps); i++)
		if (strcmp(s, steps[i].name) == 0)
			return steps[i].step;
	return 0;
}

const char *
case_outcome_str(int v)
{
	return v > 0 && v < (int)NELEM(outcome_names) ? outcome_names[v] : "";
}

int
case_outcome_from(const char *s)
{
	return name_from(outcome_names, NELEM(outcome_names), s, 0);
}

const char *
case_cat_str(int v)
{
	return v > 0 && v < (int)NELEM(cat_names) ? cat_names[v] : "";
}

int
case_cat_from(const char *s)
{
	return name_from(cat_names, NELEM(cat_names), s, 0);
}

const char *
case_kind_str(int v)
{
	return v > 0 && v < (int)NELEM(kind_names) ? kind_names[v] : "";
}

int
case_kind_from(const char *s)
{
	return name_from(kind_names, NELEM(kind_names), s, 0);
}

const char *
case_channel_str(int v)
{
	return v > 0 && v < (int)NELEM(channel_names) ? channel_names[v] : "";
}

int
case_channel_from(const char *s)
{
	return name_from(channel_names, NELEM(channel_names), s, 0);
}

/* ---- dates ---------------------------------------------------------------- */

/* Days from civil (Howard Hinnant's algorithm), proleptic Gregorian. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t
case_date_days(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int i, y, m, d, leap;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = (int)strtol(s, NULL, 10);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 2000 || y > 2099 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap))
		return -1;
	return days_from_civil(y, m, d);
}

void
case_days_date(int64_t z, char out[CASE_DATE_LEN])
{
	int64_t era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0 || y > 9999)
		y = 0;
	snprintf(out, CASE_DATE_LEN, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

void
case_today(char out[CASE_DATE_LEN])
{
	time_t t = (time_t)ds_now();
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(out, CASE_DATE_LEN, "%Y-%m-%d", &tm) == 0)
		snprintf(out, CASE_DATE_LEN, "1970-01-01");
}

int
case_key_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i + 1 >= CASE_KEY_MAX || !((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
			return 0;
	return i > 0;
}

/* ---- order ---------------------------------------------------------------- */

enum ds_status
case_order(const struct case_event *ev, size_t n, size_t *ix, size_t *m)
{
	size_t *slot, *pos, i, j, k;
	const size_t none = (size_t)-1;

	*m = 0;
	if (n == 0)
		return DS_OK;
	/* slot[p]: the event holding seq position p; pos[e]: its slot. */
	if ((slot = ds_calloc(n, sizeof(*slot))) == NULL)
		return DS_ENOMEM;
	if ((pos = ds_calloc(n, sizeof(*pos))) == NULL) {
		ds_free(slot);
		return DS_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		slot[i] = i;
		pos[i] = i;
	}
	/* Events come in seq order, so a correction of a correction works. */
	for (i = 0; i < n; i++) {
		if (!ev[i].has_corrects)
			continue;
		for (j = 0; j < i; j++)
			if (memcmp(ev[j].id, ev[i].corrects, CASE_ID_BYTES) == 0)
				break;
		if (j == i || pos[j] == none)
			continue;	/* unknown or already replaced: stays */
		k = pos[j];
		slot[pos[i]] = none;
		slot[k] = i;
		pos[i] = k;
		pos[j] = none;
	}
	for (i = 0; i < n; i++)
		if (slot[i] != none)
			ix[(*m)++] = slot[i];
	ds_free(slot);
	ds_free(pos);
	return DS_OK;
}

/* ---- replay --------------------------------------------------------------- */

/* The step after s in track t's list; 0 when s is the last or absent. */
static int
step_after(const struct oset_track *tr, int s)
{
	int i;

	for (i = 0; i + 1 < tr->nsteps; i++)
		if (tr->steps[i] == s)
			return tr->steps[i + 1];
	return 0;
}

static int
step_listed(const struct oset_track *tr, int s)
{
	int i;

	for (i = 0; i < tr->nsteps; i++)
		if (tr->steps[i] == s)
			return 1;
	return 0;
}

static int
refuse(struct case_why *why, int code, const struct case_event *e,
    int track)
{
	memset(why, 0, sizeof(*why));
	why->code = code;
	why->track = track;
	why->step = e->step;
	why->seq = e->seq;
	return code;
}

/* A date of a strict event: real, and not after today. */
static int
date_ok(const struct case_replay_opts *o, const char *d, int strict)
{
	if (case_date_days(d) < 0)
		return 0;
	return !strict || o->today == NULL || strcmp(d, o->today) <= 0;
}

static void
run_begin(struct case_status *st, const struct oset *set, int track,
    const struct case_event *e)
{
	st->run = track;
	st->next = set->track[track].steps[0];
	snprintf(st->run_since, sizeof(st->run_since), "%s", e->date);
	snprintf(st->last, sizeof(st->last), "%s", e->date);
	st->notice_end[0] = '\0';
	st->channel = track == CASE_T_IDENT ? e->channel : CASE_CH_NONE;
}

static void
run_end(struct case_status *st)
{
	st->run = -1;
	st->next = 0;
	st->run_since[0] = st->last[0] = st->notice_end[0] = '\0';
	st->channel = CASE_CH_NONE;
}

/* An office step (assess .. approve) on the running run. */
static int
apply_step(const struct case_replay_opts *o, const struct case_event *e,
    struct case_status *st, int strict, struct case_why *why, int *change)
{
	const struct oset_track *tr;
	int64_t a, b;
	int t = st->run;

	if (t < 0 || e->track != t)
		return refuse(why, CASE_W_NO_TRACK, e, e->track);
	tr = &o->set->track[t];
	if (!step_listed(tr, e->step))
		return refuse(why, CASE_W_STEP_UNKNOWN, e, t);
	if (e->step != st->next) {
		refuse(why, CASE_W_ORDER, e, t);
		why->want = st->next;
		return CASE_W_ORDER;
	}
	if (e->outcome != CASE_O_PASS && e->outcome != CASE_O_FAIL)
		return refuse(why, CASE_W_BAD_OUTCOME, e, t);
	if (!date_ok(o, e->date, strict))
		return refuse(why, CASE_W_BAD_DATE, e, t);
	if (strcmp(e->date, st->last) < 0) {
		refuse(why, CASE_W_DATE_BEFORE, e, t);
		snprintf(why->other, sizeof(why->other), "%s", st->last);
		return CASE_W_DATE_BEFORE;
	}
	if (e->step == CASE_S_REVIEW && st->notice_end[0] != '\0' &&
	    strcmp(e->date, st->notice_end) <= 0) {
		refuse(why, CASE_W_REVIEW_EARLY, e, t);
		snprintf(why->other, sizeof(why->other), "%s", st->notice_end);
		return CASE_W_REVIEW_EARLY;
	}
	if (strict && ((e->date_end[0] != '\0' && e->step != CASE_S_NOTICE) ||
	    (e->category != CASE_CAT_NONE && !(e->step == CASE_S_APPROVE &&
	    t == CASE_T_IDENT)) || (e->kind != CASE_K_NONE &&
	    !(e->step == CASE_S_APPROVE && t == CASE_T_ELIM))))
		return refuse(why, CASE_W_EXTRA, e, t);
	if (e->step == CASE_S_NOTICE) {
		a = case_date_days(e->date);
		b = case_date_days(e->date_end);
		if (b < 0 || b < a)
			return refuse(why, CASE_W_NOTICE_END, e, t);
		if (strict && e->outcome == CASE_O_PASS) {
			if (tr->notice_min_days < 0)
				return refuse(why, CASE_W_NOTICE_UNSET, e, t);
			if (b - a + 1 < tr->notice_min_days) {
				refuse(why, CASE_W_NOTICE_SHORT, e, t);
				why->days = (int)(b - a + 1);
				why->min = tr->notice_min_days;
				return CASE_W_NOTICE_SHORT;
			}
		}
	}
	if (e->step == CASE_S_APPROVE && e->outcome == CASE_O_PASS) {
		if (t == CASE_T_IDENT && e->category == CASE_CAT_NONE)
			return refuse(why, CASE_W_NEED_CATEGORY, e, t);
		if (t == CASE_T_ELIM && e->kind == CASE_K_NONE)
			return refuse(why, CASE_W_NEED_KIND, e, t);
	}
	/* Fits: apply. */
	if (e->outcome == CASE_O_FAIL) {
		run_end(st);
		return CASE_W_OK;
	}
	snprintf(st->last, sizeof(st->last), "%s", e->date);
	if (e->step == CASE_S_NOTICE)
		snprintf(st->notice_end, sizeof(st->notice_end), "%s",
		    e->date_end);
	if (e->step != CASE_S_APPROVE) {
		st->next = step_after(tr, e->step);
		return CASE_W_OK;
	}
	if (t == CASE_T_IDENT)
		st->ident_channel = st->channel;
	run_end(st);
	if (t == CASE_T_IDENT) {
		st->monitored = 1;
		st->eliminated = 0;
		st->category = e->category;
		st->kind = CASE_K_NONE;
		snprintf(st->ident_date, sizeof(st->ident_date), "%s", e->date);
		st->elim_date[0] = '\0';
		*change = CASE_C_IDENTIFIED;
	} else {
		st->eliminated = 1;
		st->kind = e->kind;
		snprintf(st->elim_date, sizeof(st->elim_date), "%s", e->date);
		*change = CASE_C_ELIMINATED;
	}
	return CASE_W_OK;
}

static int
apply(const struct case_replay_opts *o, const struct case_event *e,
    struct case_status *st, int strict, struct case_why *why, int *change)
{
	int monitoring = st->monitored && !st->eliminated;

	*change = 0;
	switch (e->step) {
	case CASE_S_START:
		if (st->run >= 0 || case_date_days(e->date) < 0 ||
		    (e->track == CASE_T_IDENT && monitoring) ||
		    (e->track == CASE_T_ELIM && !monitoring) ||
		    e->track == CASE_T_CASE)
			return refuse(why, CASE_W_NO_TRACK, e, e->track);
		run_begin(st, o->set, e->track, e);
		*change = CASE_C_STARTED;
		return CASE_W_OK;
	case CASE_S_ASSESS:
	case CASE_S_NOTICE:
	case CASE_S_REVIEW:
	case CASE_S_APPROVE:
		return apply_step(o, e, st, strict, why, change);
	case CASE_S_RETURN:
		if (st->run < 0 || e->track != st->run)
			return refuse(why, CASE_W_NO_TRACK, e, e->track);
		if (e->outcome != CASE_O_NONE)
			return refuse(why, CASE_W_BAD_OUTCOME, e, st->run);
		if (!e->has_note)
			return refuse(why, CASE_W_NEED_NOTE, e, st->run);
		if (!date_ok(o, e->date, strict))
			return refuse(why, CASE_W_BAD_DATE, e, st->run);
		if (strcmp(e->date, st->last) < 0) {
			refuse(why, CASE_W_DATE_BEFORE, e, st->run);
			snprintf(why->other, sizeof(why->other), "%s", st->last);
			return CASE_W_DATE_BEFORE;
		}
		st->next = o->set->track[st->run].steps[0];
		snprintf(st->last, sizeof(st->last), "%s", e->date);
		st->notice_end[0] = '\0';
		return CASE_W_OK;
	case CASE_S_REFLAG:
	case CASE_S_ROLLBACK:
		if (!st->monitored || !st->eliminated || st->run >= 0)
			return refuse(why, CASE_W_NOT_ELIMINATED, e, e->track);
		if (!date_ok(o, e->date, strict))
			return refuse(why, CASE_W_BAD_DATE, e, e->track);
		if (strcmp(e->date, st->elim_date) < 0) {
			refuse(why, CASE_W_DATE_BEFORE, e, e->track);
			snprintf(why->other, sizeof(why->other), "%s",
			    st->elim_date);
			return CASE_W_DATE_BEFORE;
		}
		if (!e->has_note)
			return refuse(why, CASE_W_NEED_NOTE, e, e->track);
		st->eliminated = 0;
		st->kind = CASE_K_NONE;
		st->elim_date[0] = '\0';
		*change = e->step == CASE_S_REFLAG ? CASE_C_REFLAG :
		    CASE_C_ROLLBACK;
		return CASE_W_OK;
	case CASE_S_MEASURE:
		return CASE_W_OK;
	default:
		return refuse(why, CASE_W_STEP_UNKNOWN, e, e->track);
	}
}

enum ds_status
case_replay(const struct case_replay_opts *o, const struct case_event *ev,
    const size_t *ix, size_t m, struct case_status *st,
    struct case_why *why)
{
	const struct case_event *e;
	struct case_why w;
	size_t k;
	int change, strict;

	memset(st, 0, sizeof(*st));
	memset(why, 0, sizeof(*why));
	run_end(st);
	for (k = 0; k < m; k++) {
		e = &ev[ix[k]];
		strict = k >= o->strict_from;
		if (apply(o, e, st, strict, &w, &change) != CASE_W_OK) {
			if (strict) {
				*why = w;
				return DS_EREJECT;
			}
			st->skipped++;
			continue;
		}
		if (change != 0 && o->change != NULL)
			o->change(o->arg, change, e, st);
	}
	if (st->run == CASE_T_IDENT)
		st->state = CASE_IDENT;
	else if (st->run == CASE_T_ELIM)
		st->state = CASE_ELIM;
	else if (st->monitored && !st->eliminated)
		st->state = CASE_MONITORED;
	else if (st->monitored)
		st->state = CASE_ELIMINATED;
	else
		st->state = o->open_clues ? CASE_CLUE_OPEN : CASE_REGISTERED;
	return DS_OK;
}
