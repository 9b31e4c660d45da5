/* doorstep: benchmark of the case reports at county size (make bench only). */
/*
 * A county-sized office (issue 10; domain.md §9: up to ~150,000 rural
 * households, here 300,000 by default) with two years of case history:
 * every household in the register, a screening visit each year; one in
 * ten a case (a department warning, a verification visit, the four
 * identification steps, measures, monthly follow-up visits), a third of
 * those later eliminated (the four elimination steps).  Rows are written
 * through odb_case.h in one transaction, names and ID numbers sealed, as
 * the import and the commands write them.
 *
 * Measured, median of R runs each, interleaved with a bare scan of the
 * same rows in the same run: `case list --overdue` (odb_hh_each with the
 * command's filter, each line formatted), the monthly report and the
 * coverage report of a screening round.  The bare scans step through every
 * row each of them reads (households, events, visits, clues) in table
 * order, doing nothing with them.  Goal: each under 10 s and under 2x its scan.
 * Options: N_HH (default 300000), RUNS (default 3), BENCH_DIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench_common.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "case.h"
#include "case_db.h"
#include "cry.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "odb_case.h"
#include "odb_report.h"
#include "oset.h"
#include "report.h"
#include "util.h"

static const char settings[] = "{\"settings\": \"" OSET_MAGIC "\","
    " \"province\": \"65\", \"identification\": {\"steps\": [\"assess\","
    " \"notice\", \"review\", \"approve\"], \"notice_min_days\": 7},"
    " \"elimination\": {\"steps\": [\"assess\", \"notice\", \"review\","
    " \"approve\"], \"notice_min_days\": 7}, \"signal\": {\"bands\": ["
    "{\"year\": 2024, \"red_below\": 4000, \"orange_below\": 4500,"
    " \"yellow_below\": 5000}, {\"year\": 2025, \"red_below\": 4000,"
    " \"orange_below\": 4500, \"yellow_below\": 5000}]},"
    " \"visits\": {\"monthly\": true}}";

static const char *const lights[4] = { "red", "orange", "yellow", "green" };

static void
die(const char *what, const struct ds_err *err)
{
	fprintf(stderr, "bench_case: %s: %s\n", what, err != NULL ? err->msg :
	    "");
	exit(1);
}

static void
date_of(int day, char out[CASE_DATE_LEN])
{
	/* day 0 = 2024-01-01 */
	case_days_date(case_date_days("2024-01-01") + day, out);
}

static void
visit(struct odb *db, const char *key, int day, const char *type,
    const char *light, int k, struct ds_err *err)
{
	struct odb_visit v;
	int ins;

	memset(&v, 0, sizeof(v));
	cry_random(v.rev_id, 16);
	cry_random(v.record_uuid, 16);
	memset(v.device_id, 0xd1 + k % 50, 16);
	snprintf(v.hh_key, sizeof(v.hh_key), "%s", key);
	snprintf(v.worker_id, sizeof(v.worker_id), "worker-%03d", k % 900);
	date_of(day, v.visit_date);
	snprintf(v.visit_type, sizeof(v.visit_type), "%s", type);
	snprintf(v.consent, sizeof(v.consent), "yes");
	snprintf(v.outcome, sizeof(v.outcome), k % 97 == 0 ? "refused" :
	    "done");
	v.finalized = 1;
	v.finalized_at = 1704067200 + (int64_t)day * 86400 + 7200;
	v.imported_at = v.finalized_at + 86400;
	snprintf(v.light, sizeof(v.light), "%s", light);
	if (odb_visit_put(db, &v, &ins, err) != DS_OK)
		die("visit", err);
}

static void
event(struct odb *db, const char *key, int track, int step, int outcome,
    int day, int cat, int kind, struct ds_err *err)
{
	struct odb_event e;

	memset(&e, 0, sizeof(e));
	cry_random(e.ev.id, 16);
	e.ev.track = track;
	e.ev.step = step;
	e.ev.outcome = outcome;
	date_of(day, e.ev.date);
	if (step == CASE_S_NOTICE)
		date_of(day + 6, e.ev.date_end);
	e.ev.category = cat;
	e.ev.kind = kind;
	e.ev.channel = step == CASE_S_START && track == CASE_T_IDENT ?
	    CASE_CH_DEPT : 0;
	e.ev.recorded_at = 1704067200 + (int64_t)day * 86400 + 3600;
	snprintf(e.hh_key, sizeof(e.hh_key), "%s", key);
	snprintf(e.source, sizeof(e.source), "cli");
	if (odb_event_put(db, &e, "经办人", NULL, err) != DS_OK)
		die("event", err);
}

/* A run of four steps from `day`, 7 days apart, the notice 7 days. */
static void
run4(struct odb *db, const char *key, int track, int day, int cat, int kind,
    struct ds_err *err)
{
	event(db, key, track, CASE_S_START, 0, day, 0, 0, err);
	event(db, key, track, CASE_S_ASSESS, CASE_O_PASS, day + 2, 0, 0, err);
	event(db, key, track, CASE_S_NOTICE, CASE_O_PASS, day + 3, 0, 0, err);
	event(db, key, track, CASE_S_REVIEW, CASE_O_PASS, day + 11, 0, 0, err);
	event(db, key, track, CASE_S_APPROVE, CASE_O_PASS, day + 15, cat, kind,
	    err);
}

static void
fill(struct odb *db, int nhh, size_t *nev, size_t *nvis)
{
	struct ds_err err;
	struct odb_hh h;
	struct odb_clue c;
	struct odb_clue_text tx;
	struct odb_measure m;
	char key[CASE_KEY_MAX], idno[24], name[32];
	int k, what, d, mo, start;

	*nev = *nvis = 0;
	if (odb_begin(db, &err) != DS_OK)
		die("begin", &err);
	for (k = 0; k < nhh; k++) {
		memset(&h, 0, sizeof(h));
		snprintf(key, sizeof(key), "6531%02d%03d%07d", k % 20,
		    (k / 20) % 300, k);
		snprintf(h.hh_key, sizeof(h.hh_key), "%s", key);
		snprintf(h.township, sizeof(h.township), "6531%02d101",
		    k % 20);
		snprintf(h.village, sizeof(h.village), "6531%02d101%03d",
		    k % 20, (k / 20) % 300 % 30);
		snprintf(h.vgroup, sizeof(h.vgroup), "%s%02d", h.village,
		    k % 7);
		h.members = 1 + k % 6;
		snprintf(idno, sizeof(idno), "6531011980%08d", k);
		snprintf(name, sizeof(name), "户主%d", k);
		if (odb_hh_register(db, &h, name, idno, &what, &err) != DS_OK)
			die("register", &err);
		/* A screening visit each year. */
		visit(db, key, 250 + k % 20, "screening", lights[3], k, &err);
		visit(db, key, 615 + k % 20, "screening", lights[3], k, &err);
		*nvis += 2;
		if (k % 10 != 0)
			continue;
		/* A case: warning, verification, identification. */
		start = (k / 10) % 480;
		memset(&c, 0, sizeof(c));
		cry_random(c.id, 16);
		snprintf(c.channel, sizeof(c.channel), "dept_warning");
		snprintf(c.source, sizeof(c.source), "yibao");
		snprintf(c.hh_key, sizeof(c.hh_key), "%s", key);
		date_of(start - 3, c.date);
		c.received_at = 1704067200 + (int64_t)(start - 2) * 86400;
		c.open = k % 30 == 0;
		memset(&tx, 0, sizeof(tx));
		tx.id_no = idno;
		tx.reason = "住院";
		if (odb_clue_put(db, &c, &tx, &err) != DS_OK)
			die("clue", &err);
		visit(db, key, start, "verification", lights[k % 4], k, &err);
		run4(db, key, CASE_T_IDENT, start, 1 + k % 3, 0, &err);
		*nev += 5;
		memset(&m, 0, sizeof(m));
		cry_random(m.id, 16);
		snprintf(m.hh_key, sizeof(m.hh_key), "%s", key);
		snprintf(m.type, sizeof(m.type), k % 2 ? "health" : "job");
		date_of(start + 16, m.start_date);
		snprintf(m.status, sizeof(m.status), "in_progress");
		snprintf(m.source, sizeof(m.source), "office");
		if (odb_measure_put(db, &m, "3000", NULL, &err) != DS_OK)
			die("measure", &err);
		event(db, key, CASE_T_CASE, CASE_S_MEASURE, 0, start + 16, 0, 0,
		    &err);
		(*nev)++;
		/* Monthly follow-up visits to the end of the two years (one
		 * case in four stops being visited in the autumn). */
		for (mo = 1, d = start + 30; d < (k % 40 == 0 ? 600 : 730);
		    d += 30, mo++) {
			visit(db, key, d, "review", lights[(k + mo) % 4], k,
			    &err);
			(*nvis)++;
		}
		(*nvis)++;
		/* A third eliminated half a year later. */
		if (k % 30 == 0 && start + 200 < 700) {
			visit(db, key, start + 200, "elimination", lights[3], k,
			    &err);
			run4(db, key, CASE_T_ELIM, start + 200, 0,
			    1 + k % 2, &err);
			*nev += 5;
			(*nvis)++;
		}
		if (odb_case_settings_get(db) != NULL &&
		    case_refresh(db, key, NULL, &err) != DS_OK)
			die("refresh", &err);
	}
	if (odb_commit(db, &err) != DS_OK)
		die("commit", &err);
}

/* ---- what is measured -------------------------------------------------- */

static int
list_cb(void *arg, const struct odb_hh *h, const struct odb_hh_more *m)
{
	size_t *n = arg;
	char line[512];

	snprintf(line, sizeof(line), "%s  %s  %s  %s  %lld  %s%s%s",
	    h->hh_key, h->village, h->state, h->category,
	    (long long)m->open_clues, m->last_visit,
	    m->visit_late ? " [visit]" : "", m->entry_late ? " [list]" : "");
	(*n)++;
	return 0;
}

static uint64_t
t_list(struct odb *db, size_t *n)
{
	struct odb_hh_filter f;
	struct ds_err err;
	uint64_t t0 = ds_mono_ns();

	memset(&f, 0, sizeof(f));
	f.overdue = 1;
	f.today = "2025-12-31";
	f.visit_since = "2025-11-01";
	*n = 0;
	if (odb_hh_each(db, &f, list_cb, n, &err) != DS_OK)
		die("list", &err);
	return ds_mono_ns() - t0;
}

/*
 * The list's rows, bare: every household, every clue and every finalized
 * visit stepped through, nothing done with them.
 */
static uint64_t
t_list_scan(struct odb *db)
{
	static const int kinds[3] = { ODB_REP_HH, ODB_REP_VISIT,
	    ODB_REP_CLUE };
	union {
		struct odb_rep_hh h;
		struct odb_rep_visit v;
		struct odb_rep_clue c;
	} row;
	struct odb_rcur *c;
	struct ds_err err;
	uint64_t t0 = ds_mono_ns();
	int i;

	for (i = 0; i < 3; i++) {
		if (odb_rcur_open(db, kinds[i], 0, NULL, &c, &err) != DS_OK)
			die("scan", &err);
		while (odb_rcur_next(c, &row, &err) == 1)
			;
		odb_rcur_close(c);
	}
	return ds_mono_ns() - t0;
}

/* Step every row of the report's four cursors, doing nothing. */
static uint64_t
t_report_scan(struct odb *db, int64_t cutoff, const char *end)
{
	static const int kinds[4] = { ODB_REP_HH, ODB_REP_EV, ODB_REP_VISIT,
	    ODB_REP_CLUE };
	union {
		struct odb_rep_hh h;
		struct odb_rep_ev e;
		struct odb_rep_visit v;
		struct odb_rep_clue c;
	} row;
	struct odb_rcur *c;
	struct ds_err err;
	uint64_t t0 = ds_mono_ns();
	int i;

	for (i = 0; i < 4; i++) {
		if (odb_rcur_open(db, kinds[i], kinds[i] == ODB_REP_VISIT ? 0 :
		    cutoff, kinds[i] >= ODB_REP_VISIT ? end : NULL, &c, &err) !=
		    DS_OK)
			die("scan", &err);
		while (odb_rcur_next(c, &row, &err) == 1)
			;
		odb_rcur_close(c);
	}
	return ds_mono_ns() - t0;
}

static uint64_t
t_monthly(struct odb *db, int64_t cutoff, size_t *rows)
{
	struct report_case_opts o;
	struct report_case_info ri;
	struct report_table *t;
	struct ds_err err;
	uint64_t t0 = ds_mono_ns();

	memset(&o, 0, sizeof(o));
	o.from_ym = o.to_ym = 202509;
	o.cutoff = cutoff;
	if (report_case(db, &o, &t, &ri, &err) != DS_OK)
		die("monthly", &err);
	*rows = report_table_nrows(t);
	report_table_free(t);
	return ds_mono_ns() - t0;
}

static uint64_t
t_coverage(struct odb *db, size_t *rows)
{
	struct report_cover_opts o;
	struct report_table *t;
	struct ds_err err;
	uint64_t t0 = ds_mono_ns();

	memset(&o, 0, sizeof(o));
	o.round = "2025";
	o.today = "2025-12-31";
	if (report_coverage(db, &o, &t, &err) != DS_OK)
		die("coverage", &err);
	*rows = report_table_nrows(t);
	report_table_free(t);
	return ds_mono_ns() - t0;
}

/* The coverage's rows: the register and the round's visits. */
static uint64_t
t_cover_scan(struct odb *db)
{
	union {
		struct odb_rep_hh h;
		struct odb_rep_visit v;
	} row;
	struct odb_rcur *c;
	struct ds_err err;
	uint64_t t0 = ds_mono_ns();

	if (odb_rcur_open(db, ODB_REP_HH, 0, NULL, &c, &err) != DS_OK)
		die("scan", &err);
	while (odb_rcur_next(c, &row, &err) == 1)
		;
	odb_rcur_close(c);
	if (odb_rcur_open(db, ODB_REP_VISIT, 0, "2025-12-31", &c, &err) !=
	    DS_OK)
		die("scan", &err);
	while (odb_rcur_next(c, &row, &err) == 1)
		;
	odb_rcur_close(c);
	return ds_mono_ns() - t0;
}

static double
med_s(uint64_t *v, int n)
{
	return (double)bench_quantile(v, (size_t)n, 0.5) / 1e9;
}

int
main(void)
{
	const char *e, *base = getenv("BENCH_DIR");
	struct sf_office office;
	struct odb *db;
	struct oset *set;
	struct odb_round r;
	struct ds_err err;
	struct rusage ru;
	uint64_t tl[16], tls[16], tm[16], tms[16], tc[16], tcs[16], t0;
	size_t nev, nvis, nlist = 0, mrows = 0, crows = 0;
	double load[3];
	char dir[600], path[700];
	int nhh = 300000, runs = 3, i;
	int64_t cutoff = case_date_days("2025-10-10") * 86400 + 86399;

	bench_machine("start", NULL);
	if ((e = getenv("N_HH")) != NULL)
		nhh = atoi(e);
	if ((e = getenv("RUNS")) != NULL)
		runs = atoi(e);
	if (runs < 1 || runs > 16 || nhh < 10)
		return 64;
	if (base != NULL)
		setenv("TMPDIR", base, 1);
	setenv("TZ", "UTC", 1);
	ds_json_init();
	if (cry_init(&err) != DS_OK)
		die("init", &err);
	if (getloadavg(load, 3) != 3)
		load[0] = load[1] = load[2] = -1;
	printf("machine: %ld cpus online, load %.2f %.2f %.2f\n",
	    sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2]);
	snprintf(dir, sizeof(dir), "%s", ts_tmpdir("bench-case"));
	snprintf(path, sizeof(path), "%s/office", dir);
	sf_office_make(&office, path);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK)
		die("open", &err);
	if (oset_parse(settings, sizeof(settings) - 1, "bench", &set, &err) !=
	    DS_OK)
		die("settings", &err);
	odb_case_settings(db, set);
	t0 = ds_mono_ns();
	fill(db, nhh, &nev, &nvis);
	printf("fill: %d households, %zu case events, %zu visits, %.1f s\n",
	    nhh, nev, nvis, (double)(ds_mono_ns() - t0) / 1e9);
	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "2025");
	snprintf(r.started, sizeof(r.started), "2025-09-01");
	snprintf(r.due, sizeof(r.due), "2025-09-30");
	if (odb_begin(db, &err) != DS_OK || odb_round_put(db, &r, &err) !=
	    DS_OK || odb_commit(db, &err) != DS_OK)
		die("round", &err);
	/* Close and reopen: a cold start of the command, as in use. */
	odb_close(db);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK)
		die("open", &err);
	odb_case_settings(db, set);
	for (i = 0; i < runs; i++) {
		tls[i] = t_list_scan(db);
		tl[i] = t_list(db, &nlist);
		tms[i] = t_report_scan(db, cutoff, "2025-09-30");
		tm[i] = t_monthly(db, cutoff, &mrows);
		tcs[i] = t_cover_scan(db);
		tc[i] = t_coverage(db, &crows);
	}
	printf("case list --overdue (%zu households): %.2f s; bare scan of "
	    "its rows %.2f s; ratio %.2fx\n", nlist, med_s(tl, runs), med_s(tls, runs),
	    med_s(tl, runs) / med_s(tls, runs));
	printf("monthly report 2025-09 (%zu rows): %.2f s; bare scan of its "
	    "rows %.2f s; ratio %.2fx\n", mrows, med_s(tm, runs),
	    med_s(tms, runs), med_s(tm, runs) / med_s(tms, runs));
	printf("coverage report, round 2025 (%zu rows): %.2f s; bare scan of "
	    "its rows %.2f s; ratio %.2fx\n", crows, med_s(tc, runs),
	    med_s(tcs, runs), med_s(tc, runs) / med_s(tcs, runs));
	printf("(median of %d runs, interleaved)\n", runs);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS: %.1f MiB\n", (double)ru.ru_maxrss / 1024);
	odb_close(db);
	oset_free(set);
	sf_office_free(&office);
	bench_machine("end", dir);
	return 0;
}
