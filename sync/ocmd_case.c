/* doorstep: `doorstep-office case`, the household case at the office. */
/*
 *   case list [--state S] [--village V] [--open-clues] [--overdue]
 *   case show KEY
 *   case step KEY --step STEP [--outcome pass|fail] --date D --by NAME
 *             [--note T] [--end D] [--objections N] [--category C]
 *             [--kind K] [--corrects EVENT]
 *   case step --from FILE.xlsx|FILE.csv [--by NAME]
 *   case measure KEY --type T --start D [--dept D] [--amount A] [--unit U]
 *             [--status S] [--note T] [--by NAME]
 *   case measure KEY --id MEASURE --status S [--note T] [--by NAME]
 *   case round add NAME --from D [--due D] [--village V1,V2...]
 *   case round list
 *   case relight
 * each with.
 *
 * Steps follow the order of DIR/settings.json and the rules of case.h; a
 * refused step says why and changes nothing (one transaction, rolled
 * back).  Events are append-only: a mistake is corrected by a new event
 * naming it (--corrects).  Names and notes are sealed in office.db and
 * shown here in full: this is the office's own view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_db.h"
#include "arr.h"
#include "case_file.h"
#include "cry.h"
#include "mem.h"
#include "ocmd_case_util.h"
#include "odb_case.h"
#include "util.h"

extern const struct cmd_entry ocmd_case_entry;

/* ---- list ------------------------------------------------------------------- */

struct list_ctx {
	size_t	 n;
};

static int
list_cb(void *arg, const struct odb_hh *h, const struct odb_hh_more *m)
{
	struct list_ctx *l = arg;
	char why[256];

	why[0] = '\0';
	if (m->entry_late)
		snprintf(why + strlen(why), sizeof(why) - strlen(why), " [%s]",
		    _("list visit past due"));
	if (m->visit_late)
		snprintf(why + strlen(why), sizeof(why) - strlen(why), " [%s]",
		    _("no visit this month or last"));
	if (m->run_late)
		snprintf(why + strlen(why), sizeof(why) - strlen(why), " [%s]",
		    _("over the time limit"));
	if (m->clue_late)
		snprintf(why + strlen(why), sizeof(why) - strlen(why), " [%s]",
		    _("clue not verified in time"));
	printf("%s  %s  %s", h->hh_key, *h->village ? h->village : "-",
	    ocase_state_word(h->state));
	if (h->track_step[0] != '\0')
		printf(" (%s %s)", _("next:"), ocase_step_word(
		    oset_step_from(h->track_step)));
	if (h->category[0] != '\0')
		printf("  %s", ocase_cat_word(h->category));
	if (h->light[0] != '\0')
		printf("  %s %s", _("light"), ocase_light_word(h->light));
	if (m->open_clues > 0)
		printf("  %s %lld (%s %s)", _("open clues"),
		    (long long)m->open_clues, _("since"), m->oldest_clue);
	printf("  %s %s%s\n", _("last visit"), *m->last_visit ? m->last_visit :
	    "-", why);
	l->n++;
	return 0;
}

/* today minus n days into out (n < 0: no date). */
static const char *
days_before(const char *today, int n, char out[CASE_DATE_LEN])
{
	if (n < 0)
		return NULL;
	case_days_date(case_date_days(today) - n, out);
	return out;
}

static int
case_list(const struct cli *cli, int argc, char **argv)
{
	struct odb_hh_filter f;
	struct list_ctx l;
	struct office o;
	struct ds_err err;
	const struct oset *set;
	const char *state, *village;
	char today[CASE_DATE_LEN], vs[CASE_DATE_LEN], rb[2][CASE_DATE_LEN],
	    cb[CASE_DATE_LEN];
	int open, overdue, rc, y, m;
	struct ocase_opt opts[] = {
		{ "--state", &state, NULL }, { "--village", &village, NULL },
		{ "--open-clues", NULL, &open }, { "--overdue", NULL, &overdue },
	};
	enum ds_status s;
	size_t npos;

	if (ocase_args(argc, argv, 2, opts, 4, NULL, 0, &npos) != 0 ||
	    (state != NULL && case_state_from(state) < 0))
		return cmd_usage(cli, &ocmd_case_entry);
	if ((rc = ocase_open(cli, &ocmd_case_entry, &o)) != 0)
		return rc;
	set = odb_case_settings_get(o.db);
	memset(&f, 0, sizeof(f));
	f.state = state;
	f.village = village;
	f.open_clues = open;
	f.overdue = overdue;
	case_today(today);
	f.today = today;
	if (set->visits_monthly) {
		/* Monthly visits: the first day of last month. */
		y = atoi(today);
		m = atoi(today + 5) - 1;
		if (m == 0) {
			m = 12;
			y--;
		}
		snprintf(vs, sizeof(vs), "%04d-%02d-01", y, m);
		f.visit_since = vs;
	}
	f.run_before[0] = days_before(today, set->track[0].limit_days, rb[0]);
	f.run_before[1] = days_before(today, set->track[1].limit_days, rb[1]);
	f.clue_before = days_before(today, set->clue_verify_days, cb);
	memset(&l, 0, sizeof(l));
	ds_err_clear(&err);
	s = odb_hh_each(o.db, &f, list_cb, &l, &err);
	ocase_close(&o);
	if (s != DS_OK)
		return ocase_fail_err(cli, "case", &err, "%s", err.msg);
	printf(_("%zu households.\n"), l.n);
	return CMD_EXIT_OK;
}

/* ---- show ------------------------------------------------------------------- */

/* One line of the timeline, sorted by date then order of arrival. */
struct tl_item {
	char	 date[CASE_DATE_LEN];
	size_t	 order;
	char	*text;
};

struct tl {
	struct tl_item	*v;
	size_t		 n, cap;
	int		 oom;
	struct office	*o;
	const char	*key;
	/* parallel visits: month and device of the finalized ones */
	struct {
		char		month[8];
		unsigned char	dev[CRY_ID_BYTES];
	}		*vis;
	size_t		 nvis, viscap;
};

#define TL_MAX	1000000		/* lines of one timeline */

static void
tl_add(struct tl *t, const char *date, const char *text)
{
	size_t n = strlen(text);

	if (t->oom)
		return;
	if (ds_arr_grow(&t->v, &t->cap, t->n + 1, sizeof(*t->v), TL_MAX) !=
	    DS_OK) {
		t->oom = 1;
		return;
	}
	if ((t->v[t->n].text = ds_malloc(n + 1)) == NULL) {
		t->oom = 1;
		return;
	}
	memcpy(t->v[t->n].text, text, n + 1);
	snprintf(t->v[t->n].date, CASE_DATE_LEN, "%s", date);
	t->v[t->n].order = t->n;
	t->n++;
}

static int
tl_cmp(const void *pa, const void *pb)
{
	const struct tl_item *a = pa, *b = pb;
	int c = strcmp(a->date, b->date);

	if (c != 0)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int
show_clue(void *arg, const struct odb_clue *c, const struct odb_clue_text *t)
{
	struct tl *tl = arg;
	char line[1024], hex[CRY_ID_HEX];

	ds_hex_encode(c->id, CASE_ID_BYTES, hex);
	snprintf(line, sizeof(line), "%s  %s%s%s  %s  %s  [%s %.12s]",
	    _("clue"), ocase_channel_word(c->channel), *c->source ? " " : "",
	    c->source, c->open ? _("open") : _("closed by a visit"),
	    t->reason != NULL && *t->reason ? t->reason : "", _("clue"), hex);
	tl_add(tl, c->date, line);
	return 0;
}

static int
show_visit(void *arg, const struct odb_visit *v)
{
	struct tl *tl = arg;
	char line[1024], hex[CRY_ID_HEX], mo[8];
	size_t i;
	int parallel = 0;

	ds_hex_encode(v->rev_id, CRY_ID_BYTES, hex);
	snprintf(mo, sizeof(mo), "%.7s", v->visit_date);
	if (v->finalized) {
		for (i = 0; i < tl->nvis; i++)
			if (strcmp(tl->vis[i].month, mo) == 0 &&
			    memcmp(tl->vis[i].dev, v->device_id,
			    CRY_ID_BYTES) != 0)
				parallel = 1;
	}
	snprintf(line, sizeof(line), "%s  %s  %s  %s  %s%s%s%s%s  [%s %.12s]",
	    _("visit"), *v->visit_type ? v->visit_type : "-", v->worker_id,
	    v->finalized ? _("finalized") : _("draft"),
	    strcmp(v->outcome, "refused") == 0 ? _("refused") :
	    strcmp(v->outcome, "not_reached") == 0 ? _("not reached") :
	    "", *v->light ? "  " : "", *v->light ?
	    ocase_light_word(v->light) : "", parallel ? "  " : "",
	    parallel ? _("(parallel visit: another laptop, same month)") : "",
	    _("revision"), hex);
	tl_add(tl, v->visit_date, line);
	return 0;
}

/* The finalized visits' months and devices, for "parallel". */
static int
vis_cb(void *arg, const struct odb_visit *v)
{
	struct tl *tl = arg;

	if (!v->finalized || tl->oom)
		return 0;
	if (ds_arr_grow(&tl->vis, &tl->viscap, tl->nvis + 1,
	    sizeof(*tl->vis), TL_MAX) != DS_OK) {
		tl->oom = 1;
		return 1;
	}
	snprintf(tl->vis[tl->nvis].month, 8, "%.7s", v->visit_date);
	memcpy(tl->vis[tl->nvis].dev, v->device_id, CRY_ID_BYTES);
	tl->nvis++;
	return 0;
}

static int
show_event(void *arg, const struct odb_event *e, const char *by,
    const char *note)
{
	struct tl *tl = arg;
	const struct case_event *c = &e->ev;
	char line[2048], hex[CRY_ID_HEX], extra[256], ch[CRY_ID_HEX];
	char type[ODB_CODE_MAX], *colon;

	ds_hex_encode(c->id, CASE_ID_BYTES, hex);
	extra[0] = '\0';
	if (c->step == CASE_S_NOTICE)
		snprintf(extra, sizeof(extra), " %s %s, %s %d", _("until"),
		    c->date_end, _("objections"), c->objections);
	if (c->category != CASE_CAT_NONE)
		snprintf(extra, sizeof(extra), " %s",
		    ocase_cat_word(case_cat_str(c->category)));
	if (c->kind != CASE_K_NONE)
		snprintf(extra, sizeof(extra), " %s",
		    ocase_kind_word(case_kind_str(c->kind)));
	if (c->step == CASE_S_START && c->channel != CASE_CH_NONE)
		snprintf(extra, sizeof(extra), " (%s)",
		    ocase_channel_word(case_channel_str(c->channel)));
	if (c->step == CASE_S_MEASURE) {
		snprintf(type, sizeof(type), "%s", e->detail);
		if ((colon = strchr(type, ':')) != NULL) {
			*colon = '\0';
			snprintf(extra, sizeof(extra), " %s: %s",
			    ocase_measure_word(type),
			    ocase_mstatus_word(colon + 1));
		}
	}
	ch[0] = '\0';
	if (c->has_corrects) {
		ds_hex_encode(c->corrects, CASE_ID_BYTES, ch);
		ch[12] = '\0';
	}
	snprintf(line, sizeof(line), "%s  %s%s%s%s  %s %s%s%s%s%s%s  "
	    "[%s %.12s]", ocase_track_word(c->track), ocase_step_word(c->step),
	    c->outcome == CASE_O_PASS ? ": " : c->outcome == CASE_O_FAIL ?
	    ": " : "", c->outcome == CASE_O_PASS ? _("pass") :
	    c->outcome == CASE_O_FAIL ? _("fail") : "", extra, _("by"),
	    by != NULL && *by ? by : "-", note != NULL && *note ? "  " : "",
	    note != NULL && *note ? note : "", *ch ? "  " : "",
	    *ch ? _("corrects") : "", *ch ? ch : "", _("event"), hex);
	tl_add(tl, c->date, line);
	return 0;
}

static int
show_measure(void *arg, const struct odb_measure *m, const char *amount,
    const char *note)
{
	char hex[CRY_ID_HEX];

	(void)arg;
	ds_hex_encode(m->id, CASE_ID_BYTES, hex);
	printf("  %-14s %-12s %s %s  %s%s%s%s%s  [%s %.12s]\n",
	    ocase_measure_word(m->type), ocase_mstatus_word(m->status),
	    _("since"), m->start_date, *m->dept ? m->dept : "",
	    amount != NULL && *amount ? "  " : "", amount != NULL ? amount :
	    "", note != NULL && *note ? "  " : "", note != NULL ? note : "",
	    _("measure"), hex);
	return 0;
}

static void
mask_id(const char *id, char *out, size_t n)
{
	size_t len = strlen(id);

	if (len < 10)
		snprintf(out, n, "%s", len ? "****" : "-");
	else
		snprintf(out, n, "%.6s********%s", id, id + len - 4);
}

static int
case_show(const struct cli *cli, int argc, char **argv)
{
	struct odb_clue_filter cf;
	struct odb_hh h;
	struct case_status st;
	struct tl tl;
	struct office o;
	struct ds_err err;
	const char *pos[1];
	char name[256], idno[64], masked[64];
	enum ds_status s;
	size_t npos, i;
	int rc;

	if (ocase_args(argc, argv, 2, NULL, 0, pos, 1, &npos) != 0 ||
	    npos != 1)
		return cmd_usage(cli, &ocmd_case_entry);
	if ((rc = ocase_open(cli, &ocmd_case_entry, &o)) != 0)
		return rc;
	ds_err_clear(&err);
	memset(&tl, 0, sizeof(tl));
	if ((s = odb_hh_get(o.db, pos[0], &h, &err)) == DS_ENOENT) {
		ocase_close(&o);
		return ocase_fail(cli, "case", _("Household %s is not known at "
		    "this office (import the register first, or check the "
		    "key)."), pos[0]);
	}
	if (s == DS_OK)
		s = odb_hh_head(o.db, pos[0], name, sizeof(name), idno,
		    sizeof(idno), &err);
	if (s == DS_OK)
		s = case_status_get(o.db, pos[0], 0, &st, &err);
	if (s != DS_OK)
		goto out;
	mask_id(idno, masked, sizeof(masked));
	cry_wipe(idno, sizeof(idno));
	printf("%s %s  %s %s  %s %s  %s %s\n", _("Household"), h.hh_key,
	    _("village"), *h.village ? h.village : "-", _("group"),
	    *h.vgroup ? h.vgroup : "-", _("in the register:"),
	    h.in_register ? _("yes") : _("no"));
	printf("%s %s  %s %s  %s %lld\n", _("Head:"), *name ? name : "-",
	    _("ID number:"), masked, _("members:"), (long long)h.members);
	cry_wipe(name, sizeof(name));
	printf("%s %s", _("State:"), ocase_state_word(h.state));
	if (st.run >= 0)
		printf("  (%s %s %s, %s %s)", ocase_track_word(st.run),
		    _("since"), st.run_since, _("next step:"),
		    ocase_step_word(st.next));
	if (h.category[0] != '\0')
		printf("  %s %s", ocase_cat_word(h.category), h.ident_date);
	if (h.elim_kind[0] != '\0')
		printf("  %s %s %s", _("eliminated"),
		    ocase_kind_word(h.elim_kind), h.elim_date);
	printf("\n%s %s\n", _("Light:"), h.light[0] != '\0' ?
	    ocase_light_word(h.light) : _("not computed (signal bands not "
	    "set)"));
	tl.o = &o;
	tl.key = pos[0];
	memset(&cf, 0, sizeof(cf));
	cf.key = pos[0];
	cf.text = 1;
	if ((s = odb_visit_each_hh(o.db, pos[0], vis_cb, &tl, &err)) != DS_OK ||
	    (s = odb_clue_each(o.db, &cf, show_clue, &tl, &err)) != DS_OK ||
	    (s = odb_visit_each_hh(o.db, pos[0], show_visit, &tl, &err)) !=
	    DS_OK ||
	    (s = odb_event_each_hh(o.db, pos[0], 1, show_event, &tl, &err)) !=
	    DS_OK)
		goto out;
	if (tl.oom) {
		s = ds_err_set(&err, DS_ENOMEM, NULL);
		goto out;
	}
	if (tl.n > 0)
		qsort(tl.v, tl.n, sizeof(*tl.v), tl_cmp);
	printf("%s\n", _("Timeline:"));
	for (i = 0; i < tl.n; i++)
		printf("  %s  %s\n", *tl.v[i].date ? tl.v[i].date : "----------",
		    tl.v[i].text);
	printf("%s\n", _("Measures:"));
	if ((s = odb_measure_each_hh(o.db, pos[0], 1, show_measure, NULL,
	    &err)) != DS_OK)
		goto out;
out:
	for (i = 0; i < tl.n; i++) {
		cry_wipe(tl.v[i].text, strlen(tl.v[i].text));
		ds_free(tl.v[i].text);
	}
	ds_free(tl.v);
	ds_free(tl.vis);
	ocase_close(&o);
	if (s != DS_OK)
		return ocase_fail_err(cli, "case", &err, "%s", err.msg);
	return CMD_EXIT_OK;
}

/* ---- step ------------------------------------------------------------------- */

static int
say_done(const struct office *o, const char *key,
    const unsigned char id[CRY_ID_BYTES])
{
	struct case_status st;
	struct ds_err err;
	char hex[CRY_ID_HEX];

	ds_hex_encode(id, CASE_ID_BYTES, hex);
	printf(_("Recorded for household %s (event %.12s).\n"), key, hex);
	if (case_status_get(o->db, key, 0, &st, &err) == DS_OK) {
		printf("%s %s", _("State:"), ocase_state_word(
		    case_state_str(st.state)));
		if (st.run >= 0)
			printf("  (%s, %s %s)", ocase_track_word(st.run),
			    _("next step:"), ocase_step_word(st.next));
		printf("\n");
	}
	return CMD_EXIT_OK;
}

static int
step_from_file(const struct cli *cli, const char *path, const char *by)
{
	struct case_steps_result res;
	struct case_why why;
	struct case_row_why rw;
	struct case_file_why fw;
	struct case_table *t = NULL;
	struct office o;
	struct ds_err err;
	enum ds_status s;
	int rc;

	ds_err_clear(&err);
	if (case_file_read(path, case_step_fields, CASE_STEP_NFIELDS, &t, &fw,
	    &err) != DS_OK)
		return ocase_say_file(cli, "case", path, &fw, &err);
	if ((rc = ocase_open(cli, &ocmd_case_entry, &o)) != 0) {
		case_table_free(t);
		return rc;
	}
	if ((s = odb_begin(o.db, &err)) == DS_OK) {
		s = case_steps_import(o.db, t, by, &res, &why, &rw, &err);
		if (s == DS_OK && res.added > 0)
			s = odb_commit(o.db, &err);
		else
			odb_rollback(o.db);
	}
	case_table_free(t);
	ocase_close(&o);
	if (s == DS_EREJECT && rw.code != CASE_R_OK)
		return ocase_say_row(cli, "case", path, &rw);
	if (s == DS_EREJECT) {
		fprintf(stderr, _("%s, line %d (household %s):\n"), path,
		    rw.line, rw.value);
		return ocase_say_why(cli, "case", rw.value, &why);
	}
	if (s == DS_ENOENT)
		return ocase_fail_err(cli, "case", &err,
		    _("%s, line %d: %s. Nothing was "
		    "changed."), path, rw.line, err.msg);
	if (s != DS_OK)
		return ocase_fail_db(cli, "case", &err, "%s",
		    _("The steps could not be recorded. Nothing was "
		    "changed."));
	printf(_("Steps from %s: %zu rows, %zu recorded, %zu recorded "
	    "before.\n"), path, res.rows, res.added, res.duplicate);
	return CMD_EXIT_OK;
}

static int
case_step(const struct cli *cli, int argc, char **argv)
{
	struct case_step_in in;
	struct case_why why;
	struct case_row_why rw;
	struct office o;
	struct ds_err err;
	unsigned char id[CASE_ID_BYTES];
	char d[CASE_DATE_LEN], de[CASE_DATE_LEN];
	const char *pos[1], *step, *outcome, *date, *end, *by, *note, *obj,
	    *cat, *kind, *corr, *from;
	struct ocase_opt opts[] = {
		{ "--step", &step, NULL }, { "--outcome", &outcome, NULL },
		{ "--date-end", &end, NULL }, { "--date", &date, NULL },
		{ "--end", &end, NULL }, { "--by", &by, NULL },
		{ "--note", &note, NULL }, { "--objections", &obj, NULL },
		{ "--category", &cat, NULL }, { "--kind", &kind, NULL },
		{ "--corrects", &corr, NULL }, { "--from", &from, NULL },
	};
	enum ds_status s;
	int64_t n;
	size_t npos;
	int rc;

	if (ocase_args(argc, argv, 2, opts, 12, pos, 1, &npos) != 0)
		return cmd_usage(cli, &ocmd_case_entry);
	if (from != NULL) {
		if (npos != 0 || step != NULL)
			return cmd_usage(cli, &ocmd_case_entry);
		return step_from_file(cli, from, by);
	}
	if (npos != 1 || step == NULL || date == NULL || by == NULL ||
	    *by == '\0')
		return cmd_usage(cli, &ocmd_case_entry);
	memset(&in, 0, sizeof(in));
	memset(&rw, 0, sizeof(rw));
	in.key = pos[0];
	in.step = case_step_from(step);
	if (in.step == 0 || in.step == CASE_S_START ||
	    in.step == CASE_S_MEASURE) {
		rw.code = CASE_R_STEP;
		return ocase_say_row(cli, "case", NULL, &rw);
	}
	if (outcome != NULL &&
	    (in.outcome = case_outcome_from(outcome)) == CASE_O_NONE) {
		rw.code = CASE_R_OUTCOME;
		return ocase_say_row(cli, "case", NULL, &rw);
	}
	if (ocase_date(date, d) != 0 || (end != NULL && ocase_date(end, de) !=
	    0)) {
		rw.code = CASE_R_DATE;
		rw.field = end != NULL && ocase_date(date, d) == 0 ?
		    "date_end" : "date";
		return ocase_say_row(cli, "case", NULL, &rw);
	}
	in.date = d;
	in.date_end = end != NULL ? de : NULL;
	if (obj != NULL) {
		if (ds_parse_i64(obj, 0, 100000, &n) != 0) {
			rw.code = CASE_R_NUMBER;
			rw.field = "objections";
			return ocase_say_row(cli, "case", NULL, &rw);
		}
		in.objections = (int)n;
	}
	if (cat != NULL && (in.category = case_cat_from(cat)) ==
	    CASE_CAT_NONE) {
		rw.code = CASE_R_CATEGORY;
		return ocase_say_row(cli, "case", NULL, &rw);
	}
	if (kind != NULL && (in.kind = case_kind_from(kind)) == CASE_K_NONE) {
		rw.code = CASE_R_KIND;
		return ocase_say_row(cli, "case", NULL, &rw);
	}
	in.by = by;
	in.note = note;
	in.corrects = corr;
	in.source = "cli";
	if ((rc = ocase_open(cli, &ocmd_case_entry, &o)) != 0)
		return rc;
	ds_err_clear(&err);
	if ((s = odb_begin(o.db, &err)) == DS_OK) {
		s = case_step_add(o.db, &in, &why, id, &err);
		if (s == DS_OK)
			s = odb_commit(o.db, &err);
		else
			odb_rollback(o.db);
	}
	if (s == DS_OK)
		rc = say_done(&o, in.key, id);
	ocase_close(&o);
	if (s == DS_OK)
		return rc;
	if (s == DS_EREJECT)
		return ocase_say_why(cli, "case", in.key, &why);
	if (s == DS_ENOENT && corr == NULL)
		return ocase_fail(cli, "case", _("Household %s is not known at "
		    "this office (import the register first, or check the "
		    "key). Nothing was changed."), in.key);
	if (s == DS_ENOENT || s == DS_EINVAL)
		return ocase_fail(cli, "case", _("No single event of household "
		    "%s has an id starting with %s (see case show). Nothing "
		    "was changed."), in.key, corr);
	return ocase_fail_db(cli, "case", &err, "%s",
	    _("The step could not be recorded. Nothing was changed."));
}

/* ---- measure ------------------------------------------------------------------ */

static int
case_measure(const struct cli *cli, int argc, char **argv)
{
	struct case_measure_in in;
	struct case_row_why rw;
	struct office o;
	struct ds_err err;
	unsigned char id[CASE_ID_BYTES];
	char hex[CRY_ID_HEX];
	const char *pos[1], *type, *dept, *start, *unit, *status, *amount,
	    *note, *by, *mid;
	struct ocase_opt opts[] = {
		{ "--type", &type, NULL }, { "--dept", &dept, NULL },
		{ "--start", &start, NULL }, { "--unit", &unit, NULL },
		{ "--status", &status, NULL }, { "--amount", &amount, NULL },
		{ "--note", &note, NULL }, { "--by", &by, NULL },
		{ "--id", &mid, NULL },
	};
	enum ds_status s;
	size_t npos;
	int rc;

	if (ocase_args(argc, argv, 2, opts, 9, pos, 1, &npos) != 0 ||
	    npos != 1 || (mid == NULL && (type == NULL || start == NULL)) ||
	    (mid != NULL && (status == NULL || type != NULL)))
		return cmd_usage(cli, &ocmd_case_entry);
	if ((rc = ocase_open(cli, &ocmd_case_entry, &o)) != 0)
		return rc;
	ds_err_clear(&err);
	memset(&in, 0, sizeof(in));
	in.key = pos[0];
	in.type = type;
	in.dept = dept;
	in.start = start;
	in.unit = unit;
	in.status = status;
	in.amount = amount;
	in.note = note;
	in.by = by;
	if ((s = odb_begin(o.db, &err)) == DS_OK) {
		s = mid != NULL ? case_measure_set(o.db, pos[0], mid, status,
		    note, by, &rw, &err) : case_measure_add(o.db, &in, id, &rw,
		    &err);
		if (s == DS_OK)
			s = odb_commit(o.db, &err);
		else
			odb_rollback(o.db);
	}
	ocase_close(&o);
	if (s == DS_EREJECT)
		return ocase_say_row(cli, "case", NULL, &rw);
	if (s == DS_ENOENT || s == DS_EINVAL)
		return ocase_fail(cli, "case", _("No single measure of household "
		    "%s has an id starting with %s (see case show). Nothing "
		    "was changed."), pos[0], mid != NULL ? mid : "");
	if (s != DS_OK)
		return ocase_fail_db(cli, "case", &err, "%s",
		    _("The measure could not be recorded. Nothing was "
		    "changed."));
	if (mid == NULL) {
		ds_hex_encode(id, CASE_ID_BYTES, hex);
		printf(_("Measure %.12s added to household %s: %s, %s.\n"), hex,
		    pos[0], ocase_measure_word(type), ocase_mstatus_word(
		    status != NULL ? status : "in_progress"));
	} else
		printf(_("Measure %s of household %s is now %s.\n"), mid, pos[0],
		    ocase_mstatus_word(status));
	return CMD_EXIT_OK;
}

/* ---- round -------------------------------------------------------------------- */

static int
round_cb(void *arg, const struct odb_round *r)
{
	(void)arg;
	printf("%s  %s %s  %s %s  %s %s\n", r->name, _("from"), r->started,
	    _("due"), *r->due ? r->due : "-", _("villages"),
	    *r->scope ? r->scope : _("all"));
	return 0;
}

static int
case_round(const struct cli *cli, int argc, char **argv)
{
	struct odb_round r;
	struct office o;
	struct ds_err err;
	struct case_row_why rw;
	const char *pos[2], *from, *due, *villages;
	struct ocase_opt opts[] = {
		{ "--from", &from, NULL }, { "--due", &due, NULL },
		{ "--village", &villages, NULL },
	};
	enum ds_status s;
	size_t npos, i;
	int rc, add;

	if (ocase_args(argc, argv, 2, opts, 3, pos, 2, &npos) != 0 ||
	    npos < 1)
		return cmd_usage(cli, &ocmd_case_entry);
	add = strcmp(pos[0], "add") == 0;
	if ((add && (npos != 2 || from == NULL)) || (!add &&
	    (strcmp(pos[0], "list") != 0 || npos != 1)))
		return cmd_usage(cli, &ocmd_case_entry);
	memset(&r, 0, sizeof(r));
	memset(&rw, 0, sizeof(rw));
	if (add) {
		snprintf(r.name, sizeof(r.name), "%s", pos[1]);
		if (ocase_date(from, r.started) != 0 || (due != NULL &&
		    ocase_date(due, r.due) != 0)) {
			rw.code = CASE_R_DATE;
			rw.field = "date";
			return ocase_say_row(cli, "case", NULL, &rw);
		}
		snprintf(r.scope, sizeof(r.scope), "%s", villages != NULL ?
		    villages : "");
		for (i = 0; r.scope[i] != '\0'; i++)
			if (r.scope[i] == ',')
				r.scope[i] = ' ';
		r.created_at = ds_now();
	}
	if ((rc = ocase_open(cli, &ocmd_case_entry, &o)) != 0)
		return rc;
	ds_err_clear(&err);
	if (!add) {
		s = odb_round_each(o.db, round_cb, NULL, &err);
		ocase_close(&o);
		return s == DS_OK ? CMD_EXIT_OK : ocase_fail_err(cli, "case",
		    &err, "%s", err.msg);
	}
	if ((s = odb_begin(o.db, &err)) == DS_OK) {
		s = odb_round_put(o.db, &r, &err);
		if (s == DS_OK)
			s = odb_commit(o.db, &err);
		else
			odb_rollback(o.db);
	}
	ocase_close(&o);
	if (s == DS_EEXIST)
		return ocase_fail(cli, "case", _("A screening round named %s "
		    "exists already. Nothing was changed."), r.name);
	if (s != DS_OK)
		return ocase_fail_err(cli, "case", &err, "%s", err.msg);
	printf(_("Screening round %s from %s recorded.\n"), r.name, r.started);
	return CMD_EXIT_OK;
}

/* ---- relight ------------------------------------------------------------------ */

static int
case_relight_cmd(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct ds_err err;
	enum ds_status s;
	size_t npos, nv, nc;
	int rc;

	if (ocase_args(argc, argv, 2, NULL, 0, NULL, 0, &npos) != 0)
		return cmd_usage(cli, &ocmd_case_entry);
	if ((rc = ocase_open(cli, &ocmd_case_entry, &o)) != 0)
		return rc;
	ds_err_clear(&err);
	if (odb_case_settings_get(o.db)->nbands == 0)
		printf("%s\n", _("Signal bands are not set in settings.json: "
		    "no light is computed."));
	if ((s = odb_begin(o.db, &err)) == DS_OK) {
		s = case_relight(o.db, &nv, &nc, &err);
		if (s == DS_OK)
			s = odb_commit(o.db, &err);
		else
			odb_rollback(o.db);
	}
	ocase_close(&o);
	if (s != DS_OK)
		return ocase_fail_db(cli, "case", &err, "%s",
		    _("The lights could not be recomputed. Nothing was "
		    "changed."));
	printf(_("Lights recomputed for %zu visits; %zu changed.\n"), nv, nc);
	return CMD_EXIT_OK;
}

static int
office_case(const struct cli *cli, int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*fn)(const struct cli *, int, char **);
	} sub[] = {
		{ "list", case_list }, { "show", case_show },
		{ "step", case_step }, { "measure", case_measure },
		{ "round", case_round }, { "relight", case_relight_cmd },
	};
	size_t i;

	for (i = 0; argc >= 2 && i < sizeof(sub) / sizeof(sub[0]); i++)
		if (strcmp(argv[1], sub[i].name) == 0)
			return sub[i].fn(cli, argc, argv);
	return cmd_usage(cli, &ocmd_case_entry);
}

const struct cmd_entry ocmd_case_entry = {
	"case",
	"list [--state S] [--village V] [--open-clues] [--overdue] | show KEY"
	" | step KEY --step STEP [--outcome pass|fail] --date D --by NAME"
	" [--note T] [--end D] [--objections N] [--category C] [--kind K]"
	" [--corrects EVENT] | step --from FILE [--by NAME]"
	" | measure KEY --type T --start D [--dept D] [--amount A] [--unit U]"
	" [--status S] [--note T] | measure KEY --id MEASURE --status S"
	" | round add NAME --from D [--due D] [--village V,...] | round list"
	" | relight",
	N_("the household case: list, timeline, steps, measures, rounds"),
	office_case,
	N_("Options:\n"
	    "  list [--state S] [--village V] [--open-clues] [--overdue]\n"
	    "      households and where their case stands\n"
	    "  show KEY\n"
	    "      one household's timeline: clues, visits, steps, measures\n"
	    "  step KEY --step STEP --date D --by NAME\n"
	    "      record assess, notice (--end D, --objections N), review,\n"
	    "      approve (--category or --kind), return, reflag or\n"
	    "      rollback (--note), with --outcome pass or fail; in the\n"
	    "      order settings.json gives; --corrects EVENT corrects one\n"
	    "  step --from FILE\n"
	    "      a village's list of steps, all or nothing\n"
	    "  measure KEY --type T --start D\n"
	    "      add an assistance measure; --id MEASURE --status S\n"
	    "      changes one\n"
	    "  round add NAME --from D [--due D] [--village V,...]\n"
	    "      a screening round, for report coverage\n"
	    "  relight\n"
	    "      recompute the signal lights after the bands changed\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office case step 3418021012010007 --step assess \\\n"
	    "      --outcome pass --date 2024-09-12 --by wang\n")
};
