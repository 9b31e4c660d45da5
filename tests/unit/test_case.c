/* doorstep: the case rules, the settings file and the list reader. */
/*
 * case.c is pure: events in, state or a refusal (code and facts) out, so
 * each rule of docs/case.md "States of a case" is one small history here.
 * The shipped settings files are parsed from forms/settings (they must
 * stay valid); a malformed file names the key.  The list reader is fed
 * CSV text from memory.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

#include "case.h"
#include "case_db.h"
#include "case_file.h"
#include "case_json.h"
#include "json.h"
#include "mem.h"
#include "oset.h"
#include "report.h"
#include "report_int.h"
#include "support/support.h"
#include "util.h"

#define NEV	16

struct hist {
	struct case_event	ev[NEV];
	size_t			n;
};

static struct case_event *
add(struct hist *h, int track, int step, int outcome, const char *date)
{
	struct case_event *e = &h->ev[h->n];

	memset(e, 0, sizeof(*e));
	e->id[0] = (unsigned char)(h->n + 1);
	e->seq = (int64_t)h->n + 1;
	e->track = track;
	e->step = step;
	e->outcome = outcome;
	snprintf(e->date, sizeof(e->date), "%s", date);
	h->n++;
	return e;
}

/* Replay h, strict from index `from` (in case_order's order). */
static enum ds_status
replay(const struct oset *set, struct hist *h, size_t from,
    struct case_status *st, struct case_why *why)
{
	struct case_replay_opts o;
	size_t ix[NEV], m;

	memset(&o, 0, sizeof(o));
	o.set = set;
	o.today = "2030-01-01";
	o.strict_from = from;
	if (case_order(h->ev, h->n, ix, &m) != DS_OK)
		return DS_ENOMEM;
	return case_replay(&o, h->ev, ix, m, st, why);
}

static struct oset *
settings(int notice_min)
{
	struct oset *set;
	struct ds_err err;
	char text[1024];

	snprintf(text, sizeof(text), "{\"settings\": \"%s\", \"province\": "
	    "\"34\", \"identification\": {\"steps\": [\"assess\", \"notice\", "
	    "\"review\", \"approve\"], \"notice_min_days\": %s}, "
	    "\"elimination\": {\"steps\": [\"assess\", \"notice\", \"review\", "
	    "\"approve\"], \"notice_min_days\": %s}}", OSET_MAGIC,
	    notice_min > 0 ? "7" : "null", notice_min > 0 ? "7" : "null");
	if (oset_parse(text, strlen(text), "test", &set, &err) != DS_OK) {
		printf("# %s\n", err.msg);
		return NULL;
	}
	return set;
}

/* start, assess, notice (7 days), review, approve: monitored. */
static void
ident_run(struct hist *h)
{
	struct case_event *e;

	memset(h, 0, sizeof(*h));
	add(h, CASE_T_IDENT, CASE_S_START, 0, "2024-09-10")->channel =
	    CASE_CH_DEPT;
	add(h, CASE_T_IDENT, CASE_S_ASSESS, CASE_O_PASS, "2024-09-12");
	e = add(h, CASE_T_IDENT, CASE_S_NOTICE, CASE_O_PASS, "2024-09-13");
	snprintf(e->date_end, sizeof(e->date_end), "2024-09-19");
	add(h, CASE_T_IDENT, CASE_S_REVIEW, CASE_O_PASS, "2024-09-20");
	add(h, CASE_T_IDENT, CASE_S_APPROVE, CASE_O_PASS,
	    "2024-09-25")->category = CASE_CAT_MARGINAL;
}

static void
test_identification_in_order_monitors(void)
{
	struct oset *set = settings(7);
	struct case_status st;
	struct case_why why;
	struct hist h;

	ident_run(&h);
	ST_EQ(replay(set, &h, 0, &st, &why), DS_OK, NULL);
	INT_EQ(st.state, CASE_MONITORED);
	INT_EQ(st.category, CASE_CAT_MARGINAL);
	STR_EQ(st.ident_date, "2024-09-25");
	INT_EQ(st.run, -1);
	/* Before the approval: in identification, next the approval. */
	h.n = 4;
	ST_EQ(replay(set, &h, 0, &st, &why), DS_OK, NULL);
	INT_EQ(st.state, CASE_IDENT);
	INT_EQ(st.next, CASE_S_APPROVE);
	STR_EQ(st.run_since, "2024-09-10");
	INT_EQ(st.channel, CASE_CH_DEPT);
	oset_free(set);
}

static void
test_approval_without_review_is_refused(void)
{
	struct oset *set = settings(7);
	struct case_status st;
	struct case_why why;
	struct hist h;

	ident_run(&h);
	h.n = 3;
	add(&h, CASE_T_IDENT, CASE_S_APPROVE, CASE_O_PASS,
	    "2024-09-25")->category = CASE_CAT_MARGINAL;
	ST_EQ(replay(set, &h, 3, &st, &why), DS_EREJECT, NULL);
	INT_EQ(why.code, CASE_W_ORDER);
	INT_EQ(why.want, CASE_S_REVIEW);
	INT_EQ(why.step, CASE_S_APPROVE);
	oset_free(set);
}

static void
test_review_before_notice_end_is_refused(void)
{
	struct oset *set = settings(7);
	struct case_status st;
	struct case_why why;
	struct hist h;

	ident_run(&h);
	h.n = 3;
	add(&h, CASE_T_IDENT, CASE_S_REVIEW, CASE_O_PASS, "2024-09-19");
	ST_EQ(replay(set, &h, 3, &st, &why), DS_EREJECT, NULL);
	INT_EQ(why.code, CASE_W_REVIEW_EARLY);
	STR_EQ(why.other, "2024-09-19");
	oset_free(set);
}

static void
test_notice_shorter_than_setting_is_refused(void)
{
	struct oset *set = settings(7), *unset = settings(0);
	struct case_status st;
	struct case_why why;
	struct hist h;

	ident_run(&h);
	snprintf(h.ev[2].date_end, sizeof(h.ev[2].date_end), "2024-09-18");
	h.n = 3;
	ST_EQ(replay(set, &h, 2, &st, &why), DS_EREJECT, NULL);
	INT_EQ(why.code, CASE_W_NOTICE_SHORT);
	INT_EQ(why.days, 6);
	INT_EQ(why.min, 7);
	/* Seven days counted inclusively pass. */
	snprintf(h.ev[2].date_end, sizeof(h.ev[2].date_end), "2024-09-19");
	ST_EQ(replay(set, &h, 2, &st, &why), DS_OK, NULL);
	/* No minimum in the settings: refused, naming the key. */
	ST_EQ(replay(unset, &h, 2, &st, &why), DS_EREJECT, NULL);
	INT_EQ(why.code, CASE_W_NOTICE_UNSET);
	INT_EQ(why.track, CASE_T_IDENT);
	STR_EQ(oset_key_notice(why.track), "identification.notice_min_days");
	/* ... but a notice recorded before stays (lenient history). */
	ST_EQ(replay(unset, &h, 3, &st, &why), DS_OK, NULL);
	INT_EQ(st.next, CASE_S_REVIEW);
	oset_free(set);
	oset_free(unset);
}

static void
test_step_out_of_order_and_early_dates_are_refused(void)
{
	struct oset *set = settings(7);
	struct case_status st;
	struct case_why why;
	struct hist h;

	/* No run: no verification visit has proposed anything. */
	memset(&h, 0, sizeof(h));
	add(&h, CASE_T_IDENT, CASE_S_ASSESS, CASE_O_PASS, "2024-09-12");
	ST_EQ(replay(set, &h, 0, &st, &why), DS_EREJECT, NULL);
	INT_EQ(why.code, CASE_W_NO_TRACK);
	/* Notice before the assessment. */
	ident_run(&h);
	h.n = 1;
	add(&h, CASE_T_IDENT, CASE_S_NOTICE, CASE_O_PASS,
	    "2024-09-13");
	ST_EQ(replay(set, &h, 1, &st, &why), DS_EREJECT, NULL);
	INT_EQ(why.code, CASE_W_ORDER);
	INT_EQ(why.want, CASE_S_ASSESS);
	/* An assessment dated before the visit. */
	h.n = 1;
	add(&h, CASE_T_IDENT, CASE_S_ASSESS, CASE_O_PASS, "2024-09-09");
	ST_EQ(replay(set, &h, 1, &st, &why), DS_EREJECT, NULL);
	INT_EQ(why.code, CASE_W_DATE_BEFORE);
	STR_EQ(why.other, "2024-09-10");
	/* After today. */
	h.n = 1;
	add(&h, CASE_T_IDENT, CASE_S_ASSESS, CASE_O_PASS, "2031-01-01");
	ST_EQ(replay(set, &h, 1, &st, &why), DS_EREJECT, NULL);
	INT_EQ(why.code, CASE_W_BAD_DATE);
	/* Approval without its category. */
	ident_run(&h);
	h.ev[4].category = CASE_CAT_NONE;
	ST_EQ(replay(set, &h, 4, &st, &why), DS_EREJECT, NULL);
	INT_EQ(why.code, CASE_W_NEED_CATEGORY);
	oset_free(set);
}

static void
test_correction_takes_the_corrected_place(void)
{
	struct oset *set = settings(7);
	struct case_status st;
	struct case_why why;
	struct case_event *e;
	struct hist h;

	ident_run(&h);
	/* The approval said "marginal"; the county meant "sudden". */
	e = add(&h, CASE_T_IDENT, CASE_S_APPROVE, CASE_O_PASS, "2024-09-26");
	e->category = CASE_CAT_SUDDEN;
	e->has_corrects = 1;
	memcpy(e->corrects, h.ev[4].id, CASE_ID_BYTES);
	ST_EQ(replay(set, &h, 4, &st, &why), DS_OK, NULL);
	INT_EQ(st.state, CASE_MONITORED);
	INT_EQ(st.category, CASE_CAT_SUDDEN);
	STR_EQ(st.ident_date, "2024-09-26");
	/* Correcting the notice's end to a day after the review breaks the
	 * review that follows: refused. */
	ident_run(&h);
	e = add(&h, CASE_T_IDENT, CASE_S_NOTICE, CASE_O_PASS, "2024-09-13");
	snprintf(e->date_end, sizeof(e->date_end), "2024-09-21");
	e->has_corrects = 1;
	memcpy(e->corrects, h.ev[2].id, CASE_ID_BYTES);
	ST_EQ(replay(set, &h, 2, &st, &why), DS_EREJECT, NULL);
	INT_EQ(why.code, CASE_W_REVIEW_EARLY);
	oset_free(set);
}

static void
test_return_restarts_and_fail_ends(void)
{
	struct oset *set = settings(7);
	struct case_status st;
	struct case_why why;
	struct hist h;

	ident_run(&h);
	h.n = 4;
	add(&h, CASE_T_IDENT, CASE_S_RETURN, 0, "2024-09-21");
	ST_EQ(replay(set, &h, 4, &st, &why), DS_EREJECT, NULL);
	INT_EQ(why.code, CASE_W_NEED_NOTE);
	h.ev[4].has_note = 1;
	ST_EQ(replay(set, &h, 4, &st, &why), DS_OK, NULL);
	INT_EQ(st.state, CASE_IDENT);
	INT_EQ(st.next, CASE_S_ASSESS);
	/* A failed assessment ends the run: back to registered. */
	add(&h, CASE_T_IDENT, CASE_S_ASSESS, CASE_O_FAIL, "2024-09-22");
	ST_EQ(replay(set, &h, 5, &st, &why), DS_OK, NULL);
	INT_EQ(st.state, CASE_REGISTERED);
	INT_EQ(st.run, -1);
	oset_free(set);
}

static void
test_elimination_then_reflag(void)
{
	struct oset *set = settings(7);
	struct case_status st;
	struct case_why why;
	struct case_event *e;
	struct hist h;

	ident_run(&h);
	add(&h, CASE_T_ELIM, CASE_S_START, 0, "2025-04-01");
	add(&h, CASE_T_ELIM, CASE_S_ASSESS, CASE_O_PASS, "2025-04-03");
	e = add(&h, CASE_T_ELIM, CASE_S_NOTICE, CASE_O_PASS, "2025-04-04");
	snprintf(e->date_end, sizeof(e->date_end), "2025-04-10");
	add(&h, CASE_T_ELIM, CASE_S_REVIEW, CASE_O_PASS, "2025-04-11");
	e = add(&h, CASE_T_ELIM, CASE_S_APPROVE, CASE_O_PASS, "2025-04-15");
	ST_EQ(replay(set, &h, 9, &st, &why), DS_EREJECT, NULL);
	INT_EQ(why.code, CASE_W_NEED_KIND);
	e->kind = CASE_K_ASSISTED;
	ST_EQ(replay(set, &h, 9, &st, &why), DS_OK, NULL);
	INT_EQ(st.state, CASE_ELIMINATED);
	INT_EQ(st.kind, CASE_K_ASSISTED);
	STR_EQ(st.elim_date, "2025-04-15");
	e = add(&h, CASE_T_CASE, CASE_S_REFLAG, 0, "2025-06-01");
	e->has_note = 1;
	ST_EQ(replay(set, &h, 10, &st, &why), DS_OK, NULL);
	INT_EQ(st.state, CASE_MONITORED);
	/* A second re-flag: the household is not eliminated any more. */
	e = add(&h, CASE_T_CASE, CASE_S_REFLAG, 0, "2025-06-02");
	e->has_note = 1;
	ST_EQ(replay(set, &h, 11, &st, &why), DS_EREJECT, NULL);
	INT_EQ(why.code, CASE_W_NOT_ELIMINATED);
	oset_free(set);
}

static void
test_dates(void)
{
	char d[CASE_DATE_LEN];

	INT_EQ(case_date_days("1970-01-01"), -1);	/* before 2000 */
	INT_EQ(case_date_days("2000-01-01"), 10957);
	INT_EQ(case_date_days("2024-02-29") - case_date_days("2024-02-28"),
	    1);
	INT_EQ(case_date_days("2023-02-29"), -1);
	INT_EQ(case_date_days("2024-9-01"), -1);
	case_days_date(case_date_days("2024-12-31") + 1, d);
	STR_EQ(d, "2025-01-01");
	OK(case_date_norm("2024/9/1", d) == 0 && strcmp(d, "2024-09-01") == 0);
	OK(case_date_norm("20240901", d) == 0 && strcmp(d, "2024-09-01") == 0);
	OK(case_date_norm("2024.13.01", d) != 0);
	OK(case_key_ok("3418021012010007"));
	OK(!case_key_ok("34-18"));
	OK(!case_key_ok(""));
	OK(case_idno_ok("341802197903150315"));
	OK(case_idno_ok("34180219790315031511"));
	OK(!case_idno_ok("341802197903150316"));
	OK(!case_idno_ok("3418021979031503"));
}

static void
test_shipped_settings_parse(void)
{
	struct oset *set = NULL;
	struct ds_err err;
	double line;

	ST_EQ(oset_load("forms/settings/anhui.json", &set, &err), DS_OK, &err);
	if (set != NULL) {
		STR_EQ(set->province, "34");
		INT_EQ(set->track[0].notice_min_days, -1);
		INT_EQ(set->track[1].stable_months, 6);
		OK(oset_line_get(set, 2024, &line) == 0 && line == 9100);
		OK(oset_line_get(set, 2023, &line) != 0);
		INT_EQ(set->nbands, 0);
		INT_EQ(oset_light(set, 2024, 100, 1), OSET_LIGHT_NONE);
		INT_EQ(set->months_below, 3);
	}
	oset_free(set);
	set = NULL;
	ST_EQ(oset_load("forms/settings/xinjiang.json", &set, &err), DS_OK,
	    &err);
	if (set != NULL) {
		INT_EQ(oset_light(set, 2020, 3999, 0), OSET_LIGHT_RED);
		INT_EQ(oset_light(set, 2020, 4000, 0), OSET_LIGHT_ORANGE);
		INT_EQ(oset_light(set, 2020, 4499.99, 0), OSET_LIGHT_ORANGE);
		INT_EQ(oset_light(set, 2020, 4500, 0), OSET_LIGHT_YELLOW);
		INT_EQ(oset_light(set, 2020, 5000, 0), OSET_LIGHT_GREEN);
		INT_EQ(oset_light(set, 2020, 9000, 1), OSET_LIGHT_RED);
		INT_EQ(oset_light(set, 2021, 9000, 0), OSET_LIGHT_NONE);
	}
	oset_free(set);
}

static void
test_settings_refuse_what_they_do_not_know(void)
{
	static const struct {
		const char	*text, *msg;
	} bad[] = {
		{ "{\"settings\": \"x\"}", "settings: must be" },
		{ "{\"settings\": \"" OSET_MAGIC "\", \"province\": \"34\", "
		  "\"notice_days\": 5}", "notice_days: unknown key" },
		{ "{\"settings\": \"" OSET_MAGIC "\", \"province\": \"34\", "
		  "\"identification\": {\"steps\": [\"assess\", \"approve\", "
		  "\"review\"]}}", "approve must be the last" },
		{ "{\"settings\": \"" OSET_MAGIC "\", \"province\": \"34\", "
		  "\"identification\": {\"steps\": [\"approve\"], "
		  "\"notice_min_days\": \"7\"}}", "notice_min_days: must be" },
	};
	struct oset *set;
	struct ds_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ST_EQ(oset_parse(bad[i].text, strlen(bad[i].text), "s.json",
		    &set, &err), DS_EPARSE, &err);
		if (strstr(err.msg, bad[i].msg) == NULL)
			HARNESS_FAIL("message '%s' lacks '%s'", err.msg,
			    bad[i].msg);
	}
}

static void
test_list_reader_finds_columns_by_header(void)
{
	static const char csv[] = "\xef\xbb\xbf" "序号, 身份证号 ,姓名,预警原因,"
	    "预警日期\r\n1,341802197903150315,张三,住院,2024/9/1\r\n"
	    ",,,,\r\n2,341802198812124562,,,20240902\r\n";
	static const char nodate[] = "身份证号,姓名\n1,2\n";
	static const char twice[] = "身份证号,id_number,日期\n1,2,3\n";
	struct case_table *t = NULL;
	struct case_file_why why;
	struct ds_err err;

	ST_EQ(case_file_parse(csv, sizeof(csv) - 1, 0, case_clue_fields,
	    CASE_CLUE_NFIELDS, &t, &why, &err), DS_OK, &err);
	if (t != NULL) {
		INT_EQ(t->nrows, 2);	/* the empty row is skipped */
		STR_EQ(case_table_cell(t, 0, 0), "341802197903150315");
		STR_EQ(case_table_cell(t, 0, 1), "张三");
		STR_EQ(case_table_cell(t, 0, 3), "");	/* no amount column */
		STR_EQ(case_table_cell(t, 1, 4), "20240902");
		INT_EQ(t->line[1], 4);
	}
	case_table_free(t);
	ST_EQ(case_file_parse(nodate, sizeof(nodate) - 1, 0, case_clue_fields,
	    CASE_CLUE_NFIELDS, &t, &why, &err), DS_EPARSE, &err);
	INT_EQ(why.code, CASE_F_COLUMN);
	STR_EQ(why.field, "date");
	ST_EQ(case_file_parse(twice, sizeof(twice) - 1, 0, case_clue_fields,
	    CASE_CLUE_NFIELDS, &t, &why, &err), DS_EPARSE, &err);
	INT_EQ(why.code, CASE_F_TWICE);
	ST_EQ(case_file_parse("PK\3\4junk", 8, 1, case_clue_fields,
	    CASE_CLUE_NFIELDS, &t, &why, &err), DS_EPARSE, &err);
	INT_EQ(why.code, CASE_F_PARSE);
}

/* A register as a township keeps it: an XLSX with a title row first. */
static void
test_list_reader_takes_xlsx_with_a_title_row(void)
{
	static const struct report_col c[6] = {
		{ "户编号", NULL, 0, 20 }, { "村代码", NULL, 0, 14 },
		{ "村民小组代码", NULL, 0, 16 }, { "户主姓名", NULL, 0, 10 },
		{ "户主身份证号", NULL, 0, 20 }, { "家庭人口数", NULL, 1, 6 },
	};
	static const char *const rows[2][6] = {
		{ "3418021012010007", "341802101201", "34180210120101", "张建国",
		  "341802197903150315", "6" },
		{ "3418021012020001", "341802101202", "", "王五", "", "2" },
	};
	struct report_table *t = NULL;
	struct case_table *ct = NULL;
	struct case_file_why why;
	struct ds_err err;
	char path[600];
	size_t r, i, row;

	ST_EQ(report_table_new("水阳镇监测台账（2024年）", c, 6, 1, &t, &err),
	    DS_OK, &err);
	if (t == NULL)
		return;
	for (r = 0; r < 2; r++) {
		ST_EQ(report_table_add(t, REPORT_ROW_DATA, &row, &err), DS_OK,
		    &err);
		for (i = 0; i < 6; i++)
			ST_EQ(report_table_set(t, row, i, rows[r][i], &err),
			    DS_OK, &err);
	}
	snprintf(path, sizeof(path), "%s/register.xlsx", ts_tmpdir("case"));
	ST_EQ(report_write(t, path, &err), DS_OK, &err);
	report_table_free(t);
	ST_EQ(case_file_read(path, case_register_fields,
	    CASE_REGISTER_NFIELDS, &ct, &why, &err), DS_OK, &err);
	if (ct == NULL)
		return;
	INT_EQ(ct->nrows, 2);
	STR_EQ(case_table_cell(ct, 0, 0), "3418021012010007");
	STR_EQ(case_table_cell(ct, 0, 4), "张建国");
	STR_EQ(case_table_cell(ct, 0, 6), "6");	/* a number cell */
	STR_EQ(case_table_cell(ct, 1, 3), "");
	case_table_free(ct);
	/* Another suffix is refused before reading. */
	ST_EQ(case_file_read("register.txt", case_register_fields,
	    CASE_REGISTER_NFIELDS, &ct, &why, &err), DS_EINVAL, &err);
	INT_EQ(why.code, CASE_F_KIND);
}

static void
test_answers_reader(void)
{
	static const char doc[] = "{\"head_name\":\"\u5f20\u5efa\u56fd\","
	    "\"hh_id\":\"3418021012010007\",\"member\":[{\"m_name\":\"x\","
	    "\"m_id_number\":\"341802197903150315\"},{\"m_health\":"
	    "[\"healthy\"]},{\"m_id_number\":\"341802198106200222\"}],"
	    "\"has_health\":\"yes\",\"n_members\":3,\"_meta\":{\"consent\":"
	    "{\"signer\":\"y\"},\"state\":\"finalized\",\"hh_key\":\"K\"},"
	    "\"visit_date\":\"2024-09-10\",\"x\":{\"hh_id\":\"not me\"}}";
	struct case_ans a;
	char long_name[400];
	size_t i;

	OK(case_ans_scan(doc, sizeof(doc) - 1, &a) == 0);
	STR_EQ(a.head_name, "张建国");
	STR_EQ(a.hh_id, "3418021012010007");
	INT_EQ(a.nmembers, 3);
	INT_EQ(a.nids, 3);
	STR_EQ(a.ids[0], "341802197903150315");
	STR_EQ(a.ids[1], "");
	STR_EQ(a.ids[2], "341802198106200222");
	STR_EQ(a.has[3], "yes");		/* has_health */
	STR_EQ(a.n_members, "3");		/* a number, as written */
	STR_EQ(a.state, "finalized");
	STR_EQ(a.hh_key, "K");
	STR_EQ(a.visit_date, "2024-09-10");
	/* A name longer than its field is cut at a character. */
	snprintf(long_name, sizeof(long_name), "{\"head_name\":\"");
	for (i = 0; i < 50; i++)
		strcat(long_name, "张");
	strcat(long_name, "\"}");
	OK(case_ans_scan(long_name, strlen(long_name), &a) == 0);
	INT_EQ(strlen(a.head_name), 126);
	/* Not an object; cut text keeps what came before the cut. */
	OK(case_ans_scan("[1]", 3, &a) == -1);
	OK(case_ans_scan("{\"hh_id\":\"K1\",\"visit_date\":\"20", 29, &a) ==
	    0);
	STR_EQ(a.hh_id, "K1");
	STR_EQ(a.visit_date, "");
	case_ans_wipe(&a);
}

int
main(void)
{
	ds_json_init();
	RUN(test_identification_in_order_monitors);
	RUN(test_approval_without_review_is_refused);
	RUN(test_review_before_notice_end_is_refused);
	RUN(test_notice_shorter_than_setting_is_refused);
	RUN(test_step_out_of_order_and_early_dates_are_refused);
	RUN(test_correction_takes_the_corrected_place);
	RUN(test_return_restarts_and_fail_ends);
	RUN(test_elimination_then_reflag);
	RUN(test_dates);
	RUN(test_shipped_settings_parse);
	RUN(test_settings_refuse_what_they_do_not_know);
	RUN(test_list_reader_finds_columns_by_header);
	RUN(test_list_reader_takes_xlsx_with_a_title_row);
	RUN(test_answers_reader);
	return harness_done();
}
