/* doorstep: interview engine tests over small markdown forms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "eng_int.h"
#include "form.h"
#include "harness.h"
#include "json.h"
#include "mem.h"
#include "util.h"
#include "xls.h"

static struct form *cur_form;
static struct eng_form *cur_cf;
static struct form_diags cur_d;

/* Load .md text and compile; returns the first failing status. */
static enum ds_status
load(const char *md)
{
	struct xls_opts o;
	enum ds_status st;

	memset(&o, 0, sizeof(o));
	o.source = "form.md";
	form_diags_init(&cur_d);
	cur_form = NULL;
	cur_cf = NULL;
	if ((st = form_load_md(md, strlen(md), &o, &cur_form, &cur_d)) !=
	    DS_OK)
		return st;
	return eng_compile(cur_form, &cur_cf, &cur_d);
}

static void
unload(void)
{
	eng_form_free(cur_cf);
	form_free(cur_form);
	form_diags_reset(&cur_d);
	cur_cf = NULL;
	cur_form = NULL;
}

/* 1 if some diagnostic, formatted, contains s. */
static int
diag_has(const char *s)
{
	char line[1024];
	size_t i;

	for (i = 0; i < cur_d.n; i++) {
		form_diag_format(&cur_d.v[i], line, sizeof(line));
		if (strstr(line, s) != NULL)
			return 1;
	}
	return 0;
}

static void
dump_diags(void)
{
	char line[1024];
	size_t i;

	for (i = 0; i < cur_d.n; i++) {
		form_diag_format(&cur_d.v[i], line, sizeof(line));
		printf("# %s\n", line);
	}
}

static struct eng *
open_form(const char *md)
{
	struct eng *e = NULL;
	struct ds_err err;
	enum ds_status st;

	if ((st = load(md)) != DS_OK) {
		dump_diags();
		HARNESS_FAIL("load: %s", ds_status_name(st));
		return NULL;
	}
	if ((st = eng_open(cur_cf, NULL, &e, &err)) != DS_OK) {
		HARNESS_FAIL("eng_open: %s", err.msg);
		return NULL;
	}
	return e;
}

static void
done(struct eng *e)
{
	eng_free(e);
	unload();
}

static const char *
cur_path(struct eng *e)
{
	return eng_prompt(e)->path;
}

#define SET_OK(e, p, v) do {						\
	struct ds_err err_;						\
	ST_EQ(eng_set((e), (p), (v), &err_), DS_OK, &err_);		\
} while (0)

/* ---- relevance and navigation ------------------------------------- */

static const char *F_SKIP =
"| survey |\n"
"|        | type              | name  | label  | relevant       |\n"
"|        | select_one yn     | kids  | Kids?  |                |\n"
"|        | integer           | nkids | How many? | ${kids}='yes' |\n"
"|        | text              | note1 | Remark |                |\n"
"| choices |\n"
"|         | list_name | name | label |\n"
"|         | yn        | yes  | Yes   |\n"
"|         | yn        | no   | No    |\n";

static void
test_relevant_skips_question(void)
{
	struct eng *e = open_form(F_SKIP);
	struct ds_err err;

	if (e == NULL)
		return;
	STR_EQ(cur_path(e), "kids");
	SET_OK(e, NULL, "no");
	ST_EQ(eng_next(e, &err), DS_OK, &err);
	STR_EQ(cur_path(e), "note1");
	ST_EQ(eng_prev(e, &err), DS_OK, &err);
	STR_EQ(cur_path(e), "kids");
	SET_OK(e, "kids", "yes");
	ST_EQ(eng_next(e, &err), DS_OK, &err);
	STR_EQ(cur_path(e), "nkids");
	/* not relevant: refused */
	SET_OK(e, "nkids", "2");
	SET_OK(e, "kids", "no");
	ST_EQ(eng_set(e, "nkids", "3", &err), DS_ESTATE, &err);
	/* kept while filling, back when relevant again */
	SET_OK(e, "kids", "yes");
	STR_EQ(eng_value(e, "nkids"), "2");
	ST_EQ(eng_next(e, &err), DS_OK, &err);
	STR_EQ(cur_path(e), "note1");
	ST_EQ(eng_next(e, &err), DS_OK, &err);
	INT_EQ(eng_prompt(e)->kind, EP_END);
	ST_EQ(eng_next(e, &err), DS_ENOENT, &err);
	done(e);
}

static void
test_finalize_drops_nonrelevant(void)
{
	struct eng *e = open_form(F_SKIP);
	struct ds_err err;

	if (e == NULL)
		return;
	SET_OK(e, "kids", "yes");
	SET_OK(e, "nkids", "2");
	SET_OK(e, "kids", "no");
	STR_EQ(eng_value(e, "nkids"), "2");
	ST_EQ(eng_finalize(e, &err), DS_OK, &err);
	OK(eng_value(e, "nkids") == NULL);
	STR_EQ(eng_value(e, "kids"), "no");
	ST_EQ(eng_set(e, "kids", "yes", &err), DS_ESTATE, &err);
	done(e);
}

/* ---- types ---------------------------------------------------------- */

static const char *F_TYPES =
"| survey |\n"
"|        | type                | name | label |\n"
"|        | integer             | i    | I     |\n"
"|        | decimal             | d    | D     |\n"
"|        | date                | dt   | Date  |\n"
"|        | time                | tm   | Time  |\n"
"|        | select_one c        | s1   | One   |\n"
"|        | select_multiple c   | sm   | Many  |\n"
"|        | note                | nt   | Note  |\n"
"|        | acknowledge         | ack  | Ack   |\n"
"| choices |\n"
"|         | list_name | name | label |\n"
"|         | c         | a    | A     |\n"
"|         | c         | b    | B     |\n";

static void
test_types_checked_and_normalised(void)
{
	struct eng *e = open_form(F_TYPES);
	struct ds_err err;

	if (e == NULL)
		return;
	ST_EQ(eng_set(e, "i", "12x", &err), DS_ETYPE, &err);
	INT_EQ(eng_refusal(e, NULL)->code, ENG_MSG_INTEGER);
	ST_EQ(eng_set(e, "i", "1.5", &err), DS_ETYPE, &err);
	SET_OK(e, "i", " +042 ");
	STR_EQ(eng_value(e, "i"), "42");
	SET_OK(e, "d", "3,25");
	STR_EQ(eng_value(e, "d"), "3.25");
	ST_EQ(eng_set(e, "d", "1e5", &err), DS_ETYPE, &err);
	ST_EQ(eng_set(e, "dt", "2023-02-29", &err), DS_ETYPE, &err);
	ST_EQ(eng_set(e, "dt", "2024-2-1", &err), DS_ETYPE, &err);
	SET_OK(e, "dt", "2024-02-29");
	SET_OK(e, "tm", "07:05");
	STR_EQ(eng_value(e, "tm"), "07:05:00");
	ST_EQ(eng_set(e, "tm", "24:00", &err), DS_ETYPE, &err);
	ST_EQ(eng_set(e, "s1", "c", &err), DS_ETYPE, &err);
	INT_EQ(eng_refusal(e, NULL)->code, ENG_MSG_NO_OPTION);
	STR_EQ(eng_refusal(e, NULL)->arg, "c");
	ST_EQ(eng_set(e, "s1", "a b", &err), DS_ETYPE, &err);
	SET_OK(e, "s1", "b");
	SET_OK(e, "sm", "  b   a ");
	STR_EQ(eng_value(e, "sm"), "b a");
	ST_EQ(eng_set(e, "sm", "a a", &err), DS_ETYPE, &err);
	ST_EQ(eng_set(e, "nt", "x", &err), DS_ESTATE, &err);
	ST_EQ(eng_set(e, "ack", "no", &err), DS_ETYPE, &err);
	SET_OK(e, "ack", "OK");
	/* clearing */
	SET_OK(e, "i", "");
	OK(eng_value(e, "i") == NULL);
	ST_EQ(eng_set(e, "nosuch", "1", &err), DS_ENOENT, &err);
	done(e);
}

/* ---- calculate chains, required, constraint, warning ---------------- */

static const char *F_CALC =
"| survey |\n"
"|        | type      | name  | label | calculation          | required | constraint | constraint_message | warning   | warning_message   |\n"
"|        | integer   | a     | A     |                      | yes      | . >= 0     | Must be positive   | . < 100   | Unusually large   |\n"
"|        | calculate | b     |       | ${a} * 2             |          |            |                    |           |                   |\n"
"|        | calculate | c     |       | ${b} + 1             |          |            |                    |           |                   |\n"
"|        | text      | t     | T ${c} |                     |          |            |                    |           |                   |\n";

static void
test_calculate_chain_recomputes(void)
{
	struct eng *e = open_form(F_CALC);

	if (e == NULL)
		return;
	OK(eng_value(e, "b") == NULL);	/* NaN stored as empty */
	SET_OK(e, "a", "4");
	STR_EQ(eng_value(e, "b"), "8");
	STR_EQ(eng_value(e, "c"), "9");
	SET_OK(e, "a", "5");
	STR_EQ(eng_value(e, "c"), "11");
	SET_OK(e, "a", "");
	OK(eng_value(e, "c") == NULL);
	done(e);
}

/* A text answer that date() cannot read: the calculation, a relevance
 * and a constraint fail at run time. */
static const char *F_RULE =
"| survey |\n"
"|        | type      | name | label | calculation      | relevant              | constraint             |\n"
"|        | text      | d    | D     |                  |                       |                        |\n"
"|        | calculate | age  |       | age(${d})        |                       |                        |\n"
"|        | integer   | n    | N     |                  | date(${d}) > date('2000-01-01') | . > date(${d}) |\n"
"|        | integer   | m    | M     |                  |                       | . > date(${d})         |\n"
"|        | text      | last | Last  |                  |                       |                        |\n";

/* A note in developer words: "(what) could not be computed: why" for a
 * rule that failed at run time. */
static const char *
note_text(const struct eng_note *n, char *t, size_t len)
{
	if (n->code == ENG_MSG_RULE)
		snprintf(t, len, "(%s) could not be computed: %s",
		    n->arg != NULL ? n->arg : "", n->detail != NULL ?
		    n->detail : "");
	else
		snprintf(t, len, "%s", n->text != NULL ? n->text :
		    n->detail != NULL ? n->detail : eng_msg_dev(n->code));
	return t;
}

static int
has_issue(struct eng *e, const char *name, const char *text)
{
	char t[ENG_RULE_TEXT_MAX];
	struct eng_issue *v = NULL;
	size_t n = 0, i;
	int found = 0;

	if (eng_issues(e, &v, &n, NULL) != DS_OK)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0 && v[i].is_error &&
		    strstr(note_text(&v[i].note, t, sizeof(t)), text) != NULL)
			found = 1;
	eng_issues_free(v, n);
	return found;
}

/*
 * Collect reports a rule that fails at run time; so do we: the question
 * shows why, the worker can go on, finalize waits, and the error goes
 * away when the answers no longer trigger it.
 */
static void
test_runtime_rule_errors_reported(void)
{
	struct eng *e = open_form(F_RULE);
	const struct eng_prompt *p;
	struct ds_err err;

	if (e == NULL)
		return;
	SET_OK(e, "d", "soon");
	OK(eng_value(e, "age") == NULL);
	OK(has_issue(e, "age", "(calculation) could not be computed"));
	OK(has_issue(e, "age", "is not a date"));
	OK(has_issue(e, "n", "(relevant) could not be computed"));
	/* Shown on the question, but the interview goes on. */
	ST_EQ(eng_next(e, &err), DS_OK, &err);
	p = eng_prompt(e);
	STR_EQ(p->path, "n");
	INT_EQ(p->fields[0].error.code, ENG_MSG_RULE);
	STR_EQ(p->fields[0].error.arg, "relevant");
	/* A constraint that cannot be checked lets the answer in. */
	SET_OK(e, "m", "5");
	OK(has_issue(e, "m", "(constraint) could not be computed"));
	ST_EQ(eng_next(e, &err), DS_OK, &err);
	STR_EQ(eng_prompt(e)->path, "m");
	ST_EQ(eng_next(e, &err), DS_OK, &err);
	STR_EQ(eng_prompt(e)->path, "last");
	ST_EQ(eng_finalize(e, &err), DS_ECONSTRAINT, &err);
	OK(strstr(err.msg, "could not be computed") != NULL);
	/* A readable date clears them; the constraint then runs for real. */
	SET_OK(e, "d", "2010-05-01");
	OK(eng_value(e, "age") != NULL);
	OK(!has_issue(e, "age", "could not be computed"));
	OK(!has_issue(e, "n", "could not be computed"));
	ST_EQ(eng_set(e, "n", "3", &err), DS_ECONSTRAINT, &err);
	SET_OK(e, "n", "999999");
	OK(has_issue(e, "m", "fails the constraint"));	/* 5 is now checked */
	SET_OK(e, "m", "999999");
	OK(!has_issue(e, "m", "could not be computed"));
	SET_OK(e, "d", "2010-05-01x");
	OK(has_issue(e, "n", "could not be computed"));
	done(e);
}

/* A calculation with a trigger keeps its error until it runs again,
 * even when its relevance is recomputed meanwhile. */
static const char *F_RULE_TRIG =
"| survey |\n"
"|        | type      | name | label | calculation | trigger | relevant     |\n"
"|        | text      | d    | D     |             |         |              |\n"
"|        | text      | t    | T     |             |         |              |\n"
"|        | calculate | c    |       | age(${d})   | ${t}    | ${d} != ''   |\n";

static void
test_runtime_rule_error_kept_until_recomputed(void)
{
	struct eng *e = open_form(F_RULE_TRIG);

	if (e == NULL)
		return;
	SET_OK(e, "d", "soon");
	SET_OK(e, "t", "go");
	OK(has_issue(e, "c", "(calculation) could not be computed"));
	SET_OK(e, "d", "later");	/* relevance again, no trigger */
	OK(has_issue(e, "c", "(calculation) could not be computed"));
	SET_OK(e, "d", "2001-02-03");
	SET_OK(e, "t", "again");	/* the trigger: it runs, and works */
	OK(!has_issue(e, "c", "could not be computed"));
	OK(eng_value(e, "c") != NULL);
	done(e);
}

static void
test_required_and_constraint(void)
{
	struct eng *e = open_form(F_CALC);
	struct ds_err err;
	const struct eng_prompt *p;

	if (e == NULL)
		return;
	ST_EQ(eng_next(e, &err), DS_ECONSTRAINT, &err);
	INT_EQ(eng_refusal(e, NULL)->code, ENG_MSG_REQUIRED);
	ST_EQ(eng_set(e, "a", "-1", &err), DS_ECONSTRAINT, &err);
	INT_EQ(eng_refusal(e, NULL)->code, ENG_MSG_CONSTRAINT);
	STR_EQ(eng_refusal(e, NULL)->text, "Must be positive");
	OK(eng_value(e, "a") == NULL);		/* not committed */
	SET_OK(e, "a", "7");
	ST_EQ(eng_next(e, &err), DS_OK, &err);
	p = eng_prompt(e);
	STR_EQ(p->path, "t");
	STR_EQ(p->fields[0].label, "T 15");	/* ${c} filled in */
	done(e);
}

static void
test_warning_needs_reason(void)
{
	struct eng *e = open_form(F_CALC);
	struct ds_err err;
	struct eng_issue *v;
	size_t n, nerr;
	json_t *j;

	if (e == NULL)
		return;
	SET_OK(e, "a", "150");			/* fires, does not block */
	STR_EQ(eng_prompt(e)->fields[0].warning.text, "Unusually large");
	ST_EQ(eng_issues(e, &v, &n, &nerr), DS_OK, NULL);
	INT_EQ(n, 1);
	INT_EQ(nerr, 0);
	if (n == 1) {
		STR_EQ(v[0].path, "a");
		STR_EQ(v[0].note.text, "Unusually large");
		INT_EQ(v[0].is_error, 0);
	}
	eng_issues_free(v, n);
	ST_EQ(eng_finalize(e, &err), DS_ECONSTRAINT, &err);
	ST_EQ(eng_reason(e, "a", "big farm, checked the ledger", &err),
	    DS_OK, &err);
	ST_EQ(eng_issues(e, &v, &n, &nerr), DS_OK, NULL);
	INT_EQ(n, 0);
	eng_issues_free(v, n);
	ST_EQ(eng_to_json(e, &j, &err), DS_OK, &err);
	STR_EQ(json_string_value(json_object_get(json_object_get(
	    json_object_get(j, "_meta"), "reasons"), "a")),
	    "big farm, checked the ledger");
	json_decref(j);
	/* a new answer drops the reason */
	SET_OK(e, "a", "120");
	ST_EQ(eng_issues(e, &v, &n, &nerr), DS_OK, NULL);
	INT_EQ(n, 1);
	eng_issues_free(v, n);
	ST_EQ(eng_reason(e, "a", "x", &err), DS_OK, &err);
	SET_OK(e, "a", "5");
	ST_EQ(eng_reason(e, "a", "x", &err), DS_ESTATE, &err);
	ST_EQ(eng_finalize(e, &err), DS_OK, &err);
	done(e);
}

/* ---- compile errors, one per kind ------------------------------------ */

static void
expect_compile_error(const char *md, enum ds_status want, const char *msg)
{
	enum ds_status st = load(md);

	INT_EQ(st, want);
	if (!diag_has(msg)) {
		dump_diags();
		HARNESS_FAIL("no diagnostic \"%s\"", msg);
	}
	unload();
}

static void
test_bare_calculate_relevant_warns(void)
{
	INT_EQ(load("| survey |\n"
	    "|        | type      | name | label | calculation | relevant |\n"
	    "|        | calculate | f    |       | 1 > 2       |          |\n"
	    "|        | text      | t    | T     |             | ${f}     |\n"
	    "|        | text      | u    | U     |             | ${f} = 'true' |\n"),
	    DS_OK);
	INT_EQ(cur_d.nerrors, 0);
	INT_EQ(cur_d.n, 1);
	OK(diag_has("form.md:4: warning: [relevant] relevant is the bare "
	    "calculate ${f}"));
	unload();
}

static void
test_compile_errors(void)
{
	expect_compile_error(
	    "| survey |\n"
	    "|        | type    | name | label | relevant     |\n"
	    "|        | integer | age  | Age   |              |\n"
	    "|        | text    | job  | Job   | ${agee} > 16 |\n",
	    DS_EPARSE, "form.md:4: error: [relevant] unknown question "
	    "${agee}");
	expect_compile_error(
	    "| survey |\n"
	    "|        | type      | name | calculation |\n"
	    "|        | calculate | x    | 1 +         |\n",
	    DS_EPARSE, "form.md:3: error: [calculation] ");
	expect_compile_error(
	    "| survey |\n"
	    "|        | type      | name | calculation          |\n"
	    "|        | calculate | x    | substring('abc', 1)  |\n",
	    DS_EPARSE, "substr");
	expect_compile_error(
	    "| survey |\n"
	    "|        | type      | name | calculation |\n"
	    "|        | calculate | a    | ${b} + 1    |\n"
	    "|        | calculate | b    | ${a} + 1    |\n",
	    DS_ECYCLE, "form.md:3: error: [calculation] dependency cycle: "
	    "a (line 3) -> b (line 4) -> a");
	expect_compile_error(
	    "| survey |\n"
	    "|        | type      | name | calculation       |\n"
	    "|        | calculate | a    | coalesce(., 'x')  |\n",
	    DS_ECYCLE, "dependency cycle: a (line 3) -> a");
	expect_compile_error(
	    "| survey |\n"
	    "|        | type    | name | label  | trigger |\n"
	    "|        | integer | a    | A      | ${zz}   |\n",
	    DS_EPARSE, "[trigger] unknown trigger ${zz}");
	expect_compile_error(
	    "| survey |\n"
	    "|        | type    | name | label        |\n"
	    "|        | integer | a    | A is ${nope} |\n",
	    DS_EPARSE, "[label] unknown question ${nope}");
	expect_compile_error(
	    "| survey |\n"
	    "|        | type    | name | label |\n"
	    "|        | integer | a    | A     |\n"
	    "| settings |\n"
	    "|          | consent |\n"
	    "|          | a       |\n",
	    DS_EPARSE, "[consent] consent question 'a' must be a select_one");
}

/* ---- repeats ---------------------------------------------------------- */

static const char *F_ROSTER =
"| survey |\n"
"|        | type         | name   | label  | calculation             |\n"
"|        | begin repeat | member | Member |                         |\n"
"|        | text         | mname  | Name   |                         |\n"
"|        | integer      | age    | Age    |                         |\n"
"|        | calculate    | idx    |        | position(..)            |\n"
"|        | end repeat   |        |        |                         |\n"
"|        | calculate    | total  |        | sum(${age})             |\n"
"|        | calculate    | n      |        | count(${member})        |\n";

static void
test_roster_add_insert_remove(void)
{
	struct eng *e = open_form(F_ROSTER);
	struct ds_err err;

	if (e == NULL)
		return;
	INT_EQ(eng_prompt(e)->kind, EP_REPEAT);
	STR_EQ(cur_path(e), "member");
	STR_EQ(eng_value(e, "total"), "0");
	STR_EQ(eng_value(e, "n"), "0");
	ST_EQ(eng_repeat_add(e, "member", &err), DS_OK, &err);
	STR_EQ(cur_path(e), "member[1]/mname");
	SET_OK(e, "member[1]/age", "30");
	ST_EQ(eng_repeat_add(e, "member", &err), DS_OK, &err);
	SET_OK(e, "member[2]/age", "5");
	STR_EQ(eng_value(e, "total"), "35");
	STR_EQ(eng_value(e, "n"), "2");
	STR_EQ(eng_value(e, "member[2]/idx"), "2");
	ST_EQ(eng_repeat_insert(e, "member", 0, &err), DS_OK, &err);
	STR_EQ(eng_value(e, "member[2]/idx"), "2");
	SET_OK(e, "member[1]/age", "60");
	STR_EQ(eng_value(e, "member[2]/age"), "30");
	STR_EQ(eng_value(e, "member[3]/idx"), "3");
	STR_EQ(eng_value(e, "member[1]/idx"), "1");
	STR_EQ(eng_value(e, "total"), "95");
	ST_EQ(eng_repeat_remove(e, "member", 1, &err), DS_OK, &err);
	STR_EQ(eng_value(e, "member[2]/age"), "5");
	STR_EQ(eng_value(e, "member[2]/idx"), "2");
	STR_EQ(eng_value(e, "total"), "65");
	STR_EQ(eng_value(e, "n"), "2");
	ST_EQ(eng_repeat_remove(e, "member", 5, &err), DS_EINVAL, &err);
	OK(eng_value(e, "member[3]/age") == NULL);
	done(e);
}

static const char *F_COUNT =
"| survey |\n"
"|        | type         | name   | label  | repeat_count | calculation |\n"
"|        | integer      | size   | Size   |              |             |\n"
"|        | begin repeat | member | Member | ${size}      |             |\n"
"|        | text         | mname  | Name   |              |             |\n"
"|        | end repeat   |        |        |              |             |\n"
"|        | calculate    | n      |        |              | count(${member}) |\n";

static void
test_repeat_count_never_deletes(void)
{
	struct eng *e = open_form(F_COUNT);
	struct ds_err err;
	struct eng_issue *v;
	size_t n, nerr;

	if (e == NULL)
		return;
	SET_OK(e, "size", "3");
	STR_EQ(eng_value(e, "n"), "3");
	ST_EQ(eng_repeat_add(e, "member", &err), DS_ESTATE, &err);
	ST_EQ(eng_repeat_remove(e, "member", 0, &err), DS_ESTATE, &err);
	SET_OK(e, "member[3]/mname", "Li");
	SET_OK(e, "size", "2");
	STR_EQ(eng_value(e, "n"), "3");		/* kept */
	STR_EQ(eng_value(e, "member[3]/mname"), "Li");
	ST_EQ(eng_issues(e, &v, &n, &nerr), DS_OK, NULL);
	INT_EQ(nerr, 1);
	if (n == 1)
		STR_EQ(v[0].path, "member");
	eng_issues_free(v, n);
	ST_EQ(eng_repeat_remove(e, "member", 2, &err), DS_OK, &err);
	STR_EQ(eng_value(e, "n"), "2");
	ST_EQ(eng_repeat_remove(e, "member", 0, &err), DS_ESTATE, &err);
	ST_EQ(eng_issues(e, &v, &n, &nerr), DS_OK, NULL);
	INT_EQ(nerr, 0);
	eng_issues_free(v, n);
	done(e);
}

static const char *F_NESTED =
"| survey |\n"
"|        | type         | name   | label  | calculation       | relevant     |\n"
"|        | text         | village| Village|                   |              |\n"
"|        | begin repeat | member | Member |                   |              |\n"
"|        | text         | mname  | Name   |                   |              |\n"
"|        | begin group  | g      | Kids   |                   |              |\n"
"|        | begin repeat | child  | Child  |                   |              |\n"
"|        | integer      | cage   | Age    |                   |              |\n"
"|        | text         | school | School |                   | ${cage} > 5  |\n"
"|        | calculate    | tag    |        | concat(${mname}, '/', ${village}, '/', position(..)) | |\n"
"|        | end repeat   |        |        |                   |              |\n"
"|        | end group    |        |        |                   |              |\n"
"|        | calculate    | kidsum |        | sum(${cage})      |              |\n"
"|        | end repeat   |        |        |                   |              |\n"
"|        | calculate    | all    |        | sum(${cage})      |              |\n";

static void
test_nested_repeats_resolve_relative(void)
{
	struct eng *e = open_form(F_NESTED);
	struct ds_err err;

	if (e == NULL)
		return;
	SET_OK(e, "village", "V");
	ST_EQ(eng_repeat_add(e, "member", &err), DS_OK, &err);
	ST_EQ(eng_repeat_add(e, "member", &err), DS_OK, &err);
	SET_OK(e, "member[1]/mname", "A");
	SET_OK(e, "member[2]/mname", "B");
	ST_EQ(eng_repeat_add(e, "member[2]/child", &err), DS_OK, &err);
	STR_EQ(cur_path(e), "member[2]/child[1]/cage");
	ST_EQ(eng_repeat_add(e, "member[2]/child", &err), DS_OK, &err);
	ST_EQ(eng_repeat_add(e, "member[1]/child", &err), DS_OK, &err);
	SET_OK(e, "member[2]/child[1]/cage", "3");
	SET_OK(e, "member[2]/child[2]/cage", "9");
	SET_OK(e, "member[1]/child[1]/cage", "10");
	STR_EQ(eng_value(e, "member[2]/kidsum"), "12");
	STR_EQ(eng_value(e, "member[1]/kidsum"), "10");
	STR_EQ(eng_value(e, "all"), "22");
	STR_EQ(eng_value(e, "member[2]/child[2]/tag"), "B/V/2");
	SET_OK(e, "village", "W");
	STR_EQ(eng_value(e, "member[1]/child[1]/tag"), "A/W/1");
	ST_EQ(eng_set(e, "member[2]/child[1]/school", "x", &err), DS_ESTATE,
	    &err);
	SET_OK(e, "member[2]/child[2]/school", "No. 1");
	ST_EQ(eng_repeat_remove(e, "member[2]/child", 0, &err), DS_OK, &err);
	STR_EQ(eng_value(e, "member[2]/child[1]/tag"), "B/W/1");
	STR_EQ(eng_value(e, "member[2]/kidsum"), "9");
	STR_EQ(eng_value(e, "all"), "19");
	ST_EQ(eng_repeat_remove(e, "member", 0, &err), DS_OK, &err);
	STR_EQ(eng_value(e, "all"), "9");
	STR_EQ(eng_value(e, "member[1]/child[1]/tag"), "B/W/1");
	done(e);
}

static const char *F_REPREL =
"| survey |\n"
"|        | type          | name  | label | relevant      | read_only     |\n"
"|        | select_one yn | kids  | Kids? |               |               |\n"
"|        | select_one yn | lock  | Lock? |               |               |\n"
"|        | begin repeat  | child | Child | ${kids}='yes' | ${lock}='yes' |\n"
"|        | text          | cname | Name  |               |               |\n"
"|        | end repeat    |       |       |               |               |\n"
"|        | text          | after | After |               |               |\n"
"| choices |\n"
"|         | list_name | name | label |\n"
"|         | yn        | yes  | Yes   |\n"
"|         | yn        | no   | No    |\n";

static void
test_repeat_relevant_and_read_only(void)
{
	struct eng *e = open_form(F_REPREL);
	struct ds_err err;

	if (e == NULL)
		return;
	SET_OK(e, "kids", "no");
	ST_EQ(eng_repeat_add(e, "child", &err), DS_ESTATE, &err);
	ST_EQ(eng_jump(e, "lock", &err), DS_OK, &err);
	ST_EQ(eng_next(e, &err), DS_OK, &err);
	STR_EQ(cur_path(e), "after");		/* roster skipped */
	SET_OK(e, "kids", "yes");
	SET_OK(e, "lock", "yes");
	ST_EQ(eng_repeat_add(e, "child", &err), DS_OK, &err);
	ST_EQ(eng_set(e, "child[1]/cname", "x", &err), DS_ESTATE, &err);
	SET_OK(e, "lock", "no");
	SET_OK(e, "child[1]/cname", "x");
	SET_OK(e, "kids", "no");
	ST_EQ(eng_set(e, "child[1]/cname", "y", &err), DS_ESTATE, &err);
	done(e);
}

/* ---- consent gate ----------------------------------------------------- */

static const char *F_CONSENT =
"| survey |\n"
"|        | type          | name    | label     |\n"
"|        | text          | worker  | Worker    |\n"
"|        | begin group   | cg      | Consent   |\n"
"|        | select_one yn | consent | Agree?    |\n"
"|        | text          | signer  | Signed by |\n"
"|        | end group     |         |           |\n"
"|        | text          | head    | Head name |\n"
"|        | integer       | size    | Size      |\n"
"| choices |\n"
"|         | list_name | name | label |\n"
"|         | yn        | yes  | Yes   |\n"
"|         | yn        | no   | No    |\n"
"| settings |\n"
"|          | form_id | consent |\n"
"|          | hh      | consent |\n";

static void
test_consent_gate(void)
{
	struct eng *e = open_form(F_CONSENT);
	struct ds_err err;
	json_t *j;

	if (e == NULL)
		return;
	INT_EQ(eng_consent(e), 0);
	SET_OK(e, "worker", "Wang");
	ST_EQ(eng_set(e, "head", "Zhang San", &err), DS_ESTATE, &err);
	INT_EQ(eng_refusal(e, NULL)->code, ENG_MSG_CONSENT_OPEN);
	SET_OK(e, "signer", "self");	/* inside the gate group: open */
	ST_EQ(eng_jump(e, "signer", &err), DS_OK, &err);
	ST_EQ(eng_next(e, &err), DS_ESTATE, &err);
	ST_EQ(eng_jump(e, "head", &err), DS_ESTATE, &err);
	SET_OK(e, "consent", "yes");
	INT_EQ(eng_consent(e), 1);
	SET_OK(e, "head", "Zhang San");
	SET_OK(e, "size", "4");
	/* refusal: finalize keeps the gate group and what precedes it */
	SET_OK(e, "consent", "no");
	INT_EQ(eng_consent(e), 2);
	ST_EQ(eng_set(e, "size", "5", &err), DS_ESTATE, &err);
	INT_EQ(eng_refusal(e, NULL)->code, ENG_MSG_CONSENT_REFUSED);
	ST_EQ(eng_jump(e, "signer", &err), DS_OK, &err);
	ST_EQ(eng_next(e, &err), DS_OK, &err);
	INT_EQ(eng_prompt(e)->kind, EP_END);
	ST_EQ(eng_finalize(e, &err), DS_OK, &err);
	ST_EQ(eng_to_json(e, &j, &err), DS_OK, &err);
	OK(json_object_get(j, "head") == NULL);
	OK(json_object_get(j, "size") == NULL);
	STR_EQ(json_string_value(json_object_get(j, "worker")), "Wang");
	STR_EQ(json_string_value(json_object_get(j, "signer")), "self");
	STR_EQ(json_string_value(json_object_get(j, "consent")), "no");
	json_decref(j);
	done(e);
}

/* Consent on file (_meta.consent_ref) hides the gate: the counts kept per
 * generation see it at once; the same value again changes nothing. */
static void
test_consent_on_file_generation(void)
{
	struct eng *e = open_form(F_CONSENT);
	struct ds_err err;
	size_t a0, t0, a1, t1;
	unsigned long g;
	json_t *ref;

	if (e == NULL)
		return;
	SET_OK(e, "worker", "Wang");
	SET_OK(e, "signer", "self");	/* inside the gate group */
	eng_progress(e, &a0, &t0);	/* kept for this generation */
	INT_EQ(a0, 2);
	INT_EQ(eng_consent(e), 0);
	g = eng_generation(e);
	ref = json_string("K1A2-B3C4");
	ST_EQ(eng_meta_set(e, "consent_ref", ref), DS_OK, NULL);
	OK(eng_generation(e) != g);
	INT_EQ(eng_consent(e), 1);
	eng_progress(e, &a1, &t1);
	INT_EQ(a1, 1);		/* the hidden gate's answer not counted */
	SET_OK(e, "head", "Zhang San");
	g = eng_generation(e);
	ST_EQ(eng_meta_set(e, "consent_ref", ref), DS_OK, NULL);
	OK(eng_generation(e) == g);
	json_decref(ref);
	ST_EQ(eng_meta_set(e, "consent_ref", NULL), DS_OK, NULL);
	OK(eng_generation(e) != g);
	INT_EQ(eng_consent(e), 0);
	eng_progress(e, &a1, &t1);
	INT_EQ(a1, 2);		/* worker, signer: the gate is open again */
	ST_EQ(eng_set(e, "size", "4", &err), DS_ESTATE, &err);
	done(e);
}

/* ---- the counts the tree keeps ---------------------------------------- */

static const char *F_KEPT =
"| survey |\n"
"| | type | name | label | relevant | read_only | default | warning |\n"
"| | text | hide | Hide | | | | |\n"
"| | integer | lock | Lock | | | | |\n"
"| | begin group | g | G | | ${lock} = 1 | | |\n"
"| | begin repeat | member | Member | | | | |\n"
"| | text | mname | Name | | | | |\n"
"| | integer | age | Age | ${hide} != 'yes' | | | |\n"
"| | integer | kids | Kids | | | 2 | . < 5 |\n"
"| | end repeat | | | | | | |\n"
"| | end group | | | | | | |\n"
"| | integer | after | After | | | | |\n";

/* The progress and _meta (reasons, answers not yet confirmed) from the
 * counts kept as answers changed must equal those counted afresh. */
static void
kept_same(struct eng *e, size_t want_ans, size_t want_tot)
{
	struct ds_err err;
	char *t1 = NULL, *t2 = NULL;
	size_t a1, t1n, a2, t2n, l1 = 0, l2 = 0;

	eng_progress(e, &a1, &t1n);
	ST_EQ(eng_to_text(e, 0, &t1, &l1, &err), DS_OK, &err);
	e->kepoch++;		/* every kept count stale */
	eng_progress(e, &a2, &t2n);
	ST_EQ(eng_to_text(e, 0, &t2, &l2, &err), DS_OK, &err);
	INT_EQ(a1, a2);
	INT_EQ(t1n, t2n);
	INT_EQ(a1, want_ans);
	INT_EQ(t1n, want_tot);
	OK(t1 != NULL && t2 != NULL && l1 == l2 && memcmp(t1, t2, l1) == 0);
	ds_free(t1);
	ds_free(t2);
}

/*
 * Each kind of change reaches the counts: an answer, a default confirmed,
 * a reason, relevance and read-only set from outside the roster (on every
 * item, and on the group above it), items added and removed.
 */
static void
test_kept_counts_follow_every_change(void)
{
	struct eng *e = open_form(F_KEPT);
	struct ds_err err;
	int i;

	if (e == NULL)
		return;
	kept_same(e, 0, 3);
	for (i = 0; i < 3; i++)
		ST_EQ(eng_repeat_add(e, "member", &err), DS_OK, &err);
	kept_same(e, 0, 12);
	SET_OK(e, "member[2]/mname", "Li");
	SET_OK(e, "member[2]/age", "30");
	kept_same(e, 2, 12);
	/* a default passed is confirmed; a warning's reason is kept */
	ST_EQ(eng_jump(e, "member[2]/kids", &err), DS_OK, &err);
	ST_EQ(eng_next(e, &err), DS_OK, &err);
	kept_same(e, 3, 12);
	SET_OK(e, "member[3]/kids", "7");
	kept_same(e, 4, 12);
	ST_EQ(eng_reason(e, "member[3]/kids", "twins twice", &err), DS_OK,
	    &err);
	kept_same(e, 4, 12);
	SET_OK(e, "hide", "yes");		/* every item's age goes */
	kept_same(e, 4, 9);
	SET_OK(e, "lock", "1");			/* the roster is read-only */
	kept_same(e, 2, 3);
	SET_OK(e, "lock", "0");			/* lock is an answer too */
	kept_same(e, 5, 9);
	ST_EQ(eng_repeat_remove(e, "member", 0, &err), DS_OK, &err);
	kept_same(e, 5, 7);
	SET_OK(e, "hide", "no");
	kept_same(e, 6, 9);
	done(e);
}

/* ---- serialize / restore ---------------------------------------------- */

static char *
canon(struct eng *e)
{
	json_t *j = NULL;
	char *s = NULL;
	size_t len;
	struct ds_err err;

	if (eng_to_json(e, &j, &err) != DS_OK)
		return NULL;
	(void)ds_json_canonical(j, &s, &len, &err);
	json_decref(j);
	return s;
}

/* eng_to_text writes ds_json_canonical(eng_to_json()) byte for byte:
 * escapes, key order around "_meta", arrays, reasons, the caller's keys
 * (those the engine sets itself over them only where it sets none). */
static const char F_TEXT[] =
"| survey |\n"
"| | type | name | label | warning | relevant |\n"
"| | text | Zeta | Upper case sorts before _meta | | |\n"
"| | text | a_text | Text | | |\n"
"| | select_multiple c | pick | Pick | | |\n"
"| | integer | n | N | . < 3 | |\n"
"| | begin group | g | G | | |\n"
"| | text | b_in_group | In a group | | |\n"
"| | begin repeat | member | Member | | |\n"
"| | text | mname | Name | | |\n"
"| | select_multiple c | mpick | Pick | | ${mname} != '' |\n"
"| | end repeat | | | | |\n"
"| | end group | | | | |\n"
"| choices |\n"
"| | list_name | name | label |\n"
"| | c | b | B |\n"
"| | c | a | A |\n";

static void
text_same(struct eng *e, const char *what)
{
	struct ds_err err;
	json_t *j = NULL;
	char *a = NULL, *t = NULL;
	size_t al = 0, tl = 0;

	ST_EQ(eng_to_json(e, &j, &err), DS_OK, &err);
	ST_EQ(ds_json_canonical(j, &a, &al, &err), DS_OK, &err);
	ST_EQ(eng_to_text(e, 0, &t, &tl, &err), DS_OK, &err);
	if (a == NULL || t == NULL || al != tl || memcmp(a, t, al) != 0)
		HARNESS_FAIL("%s: eng_to_text differs:\n# %s\n# %s", what,
		    a ? a : "(null)", t ? t : "(null)");
	ds_free(t);
	t = NULL;
	(void)json_object_del(json_object_get(j, "_meta"), "path");
	(void)json_object_del(json_object_get(j, "_meta"), "unconfirmed");
	ds_free(a);
	a = NULL;
	ST_EQ(ds_json_canonical(j, &a, &al, &err), DS_OK, &err);
	ST_EQ(eng_to_text(e, ENG_TEXT_NO_CURSOR, &t, &tl, &err), DS_OK,
	    &err);
	if (a == NULL || t == NULL || al != tl || memcmp(a, t, al) != 0)
		HARNESS_FAIL("%s: eng_to_text without the cursor differs:\n"
		    "# %s\n# %s", what, a ? a : "(null)", t ? t : "(null)");
	/* Both at once: the same two texts. */
	{
		char *w = NULL, *c = NULL, *f = NULL;
		size_t wl = 0, cl = 0, fl = 0;

		ST_EQ(eng_to_texts(e, &w, &wl, &c, &cl, &err), DS_OK, &err);
		ST_EQ(eng_to_text(e, 0, &f, &fl, &err), DS_OK, &err);
		OK(w != NULL && f != NULL && wl == fl &&
		    memcmp(w, f, wl) == 0);
		OK(c != NULL && cl == tl && memcmp(c, t, cl) == 0);
		ds_free(w);
		ds_free(c);
		ds_free(f);
	}
	ds_free(a);
	ds_free(t);
	json_decref(j);
}

static void
test_text_is_canonical_json(void)
{
	struct eng *e = open_form(F_TEXT);
	struct ds_err err;
	json_t *v;

	if (e == NULL)
		return;
	text_same(e, "empty");
	SET_OK(e, "Zeta", "Z");
	SET_OK(e, "a_text", "q\"uote \\back\\ tab\t nl\n cr\r bs\b ff\f "
	    "\x01\x1f del\x7f é 中文 😀 /slash");
	SET_OK(e, "pick", "b a");
	SET_OK(e, "n", "5");
	ST_EQ(eng_reason(e, "n", "五口人\n\"真的\"", &err), DS_OK, &err);
	SET_OK(e, "b_in_group", "in");
	ST_EQ(eng_repeat_add(e, "member", &err), DS_OK, &err);
	ST_EQ(eng_repeat_add(e, "member", &err), DS_OK, &err);
	SET_OK(e, "member[2]/mname", "李");
	SET_OK(e, "member[2]/mpick", "a");
	text_same(e, "answered");
	/* The caller's keys: any JSON; the engine's own win where set. */
	v = json_pack("{s:s,s:[i,b,n],s:f}", "by", "王", "list", 3, 1, "x",
	    2.5);
	ST_EQ(eng_meta_set(e, "consent", v), DS_OK, &err);
	json_decref(v);
	v = json_string("caller");
	ST_EQ(eng_meta_set(e, "version", v), DS_OK, &err);
	ST_EQ(eng_meta_set(e, "unconfirmed", v), DS_OK, &err);
	ST_EQ(eng_meta_set(e, "path", v), DS_OK, &err);
	ST_EQ(eng_meta_set(e, "aaa", v), DS_OK, &err);
	ST_EQ(eng_meta_set(e, "zzz", v), DS_OK, &err);
	json_decref(v);
	text_same(e, "caller keys");
	ST_EQ(eng_jump(e, "member[2]/mname", &err), DS_OK, &err);
	text_same(e, "moved");
	ST_EQ(eng_repeat_remove(e, "member", 0, &err), DS_OK, &err);
	text_same(e, "removed");
	done(e);
}

static void
test_serialize_restore_round_trip(void)
{
	struct eng *e = open_form(F_NESTED), *r = NULL;
	struct ds_err err;
	json_t *j = NULL;
	char *a, *b;

	if (e == NULL)
		return;
	SET_OK(e, "village", "V");
	ST_EQ(eng_repeat_add(e, "member", &err), DS_OK, &err);
	SET_OK(e, "member[1]/mname", "王小明");
	ST_EQ(eng_repeat_add(e, "member[1]/child", &err), DS_OK, &err);
	ST_EQ(eng_repeat_add(e, "member[1]/child", &err), DS_OK, &err);
	SET_OK(e, "member[1]/child[2]/cage", "7");
	ST_EQ(eng_jump(e, "member[1]/child[2]/cage", &err), DS_OK, &err);
	a = canon(e);
	OK(a != NULL && strstr(a, "\"path\":\"member[1]/child[2]/cage\""));
	ST_EQ(eng_to_json(e, &j, &err), DS_OK, &err);
	ST_EQ(eng_restore(cur_cf, NULL, j, &r, &err), DS_OK, &err);
	json_decref(j);
	if (r != NULL) {
		b = canon(r);
		STR_EQ(b, a);
		STR_EQ(cur_path(r), "member[1]/child[2]/cage");
		STR_EQ(eng_value(r, "member[1]/kidsum"), "7");
		STR_EQ(eng_value(r, "member[1]/child[2]/tag"), "王小明/V/2");
		ds_free(b);
		eng_free(r);
	}
	ds_free(a);
	done(e);
}

static const char *F_TWO =
"| survey |\n"
"|        | type      | name | label | calculation   |\n"
"|        | integer   | a    | A     |               |\n"
"|        | calculate | hi   |       | ${lo} + ${a}  |\n"
"|        | calculate | lo   |       | ${a} + 1      |\n";

static const char *F_SCRAMBLED =
"| survey |\n"
"|        | type      | name | label | calculation   |\n"
"|        | integer   | a    | A     |               |\n"
"|        | calculate | x5   |       | ${x4} + ${a}  |\n"
"|        | calculate | x2   |       | ${x1} + ${a}  |\n"
"|        | calculate | x8   |       | ${x7} + ${a}  |\n"
"|        | calculate | x1   |       | ${a} + 1      |\n"
"|        | calculate | x7   |       | ${x6} + ${a}  |\n"
"|        | calculate | x3   |       | ${x2} + ${a}  |\n"
"|        | calculate | x6   |       | ${x5} + ${a}  |\n"
"|        | calculate | x4   |       | ${x3} + ${a}  |\n"
"|        | calculate | x10  |       | ${x9} + ${a}  |\n"
"|        | calculate | x9   |       | ${x8} + ${a}  |\n";

static const char *F_CHAIN =
"| survey |\n"
"|        | type      | name | label | calculation |\n"
"|        | integer   | a    | A     |             |\n"
"|        | calculate | c12 | | ${c11} + ${a} |\n"
"|        | calculate | c11 | | ${c10} + ${a} |\n"
"|        | calculate | c10 | | ${c9} + ${a} |\n"
"|        | calculate | c9 | | ${c8} + ${a} |\n"
"|        | calculate | c8 | | ${c7} + ${a} |\n"
"|        | calculate | c7 | | ${c6} + ${a} |\n"
"|        | calculate | c6 | | ${c5} + ${a} |\n"
"|        | calculate | c5 | | ${c4} + ${a} |\n"
"|        | calculate | c4 | | ${c3} + ${a} |\n"
"|        | calculate | c3 | | ${c2} + ${a} |\n"
"|        | calculate | c2 | | ${c1} + ${a} |\n"
"|        | calculate | c1 | | ${a} + 1 |\n";

/*
 * The recompute queue is a heap by rank: each calculation runs after its
 * inputs and once per change (docs/engine.md).  Twelve calculations that
 * all use `a` and each the one before, listed last to first, so a queue
 * that did not keep rank order would run some twice.
 */
static void
test_recompute_once_in_rank_order(void)
{
	struct eng *e = open_form(F_CHAIN);
	unsigned long g0;

	if (e == NULL)
		return;
	SET_OK(e, "a", "1");
	STR_EQ(eng_value(e, "c12"), "13");
	g0 = e->gen;
	SET_OK(e, "a", "2");
	STR_EQ(eng_value(e, "c1"), "3");
	STR_EQ(eng_value(e, "c12"), "25");
	/* a itself, then each calculation once. */
	INT_EQ(e->gen - g0, 13);
	g0 = e->gen;
	SET_OK(e, "a", "2");
	INT_EQ(e->gen - g0, 0);
	done(e);
	/* Two dependants, the later one first: the heap puts it back. */
	if ((e = open_form(F_TWO)) == NULL)
		return;
	SET_OK(e, "a", "1");
	g0 = e->gen;
	SET_OK(e, "a", "2");
	STR_EQ(eng_value(e, "hi"), "5");
	INT_EQ(e->gen - g0, 3);
	done(e);
	/* Ten in a scrambled order. */
	if ((e = open_form(F_SCRAMBLED)) == NULL)
		return;
	SET_OK(e, "a", "1");
	g0 = e->gen;
	SET_OK(e, "a", "2");
	STR_EQ(eng_value(e, "x10"), "21");
	INT_EQ(e->gen - g0, 11);
	done(e);
}

static const char *F_WIDE =
"| survey |\n"
"|        | type         | name | label  | calculation |\n"
"|        | integer      | t    | T      |             |\n"
"|        | begin repeat | m    | Member |             |\n"
"|        | begin group  | g    | G      |             |\n"
"|        | calculate    | x    |        | ${t} * 2    |\n"
"|        | end group    |      |        |             |\n"
"|        | end repeat   |      |        |             |\n"
"|        | calculate    | s    |        | sum(${x})   |\n";

/*
 * A change reaches every item of a roster wider than the walk's stack
 * (256), through a group in each item, once each.
 */
static void
test_recompute_reaches_every_item_of_a_wide_roster(void)
{
	struct eng *e = open_form(F_WIDE);
	struct ds_err err;
	unsigned long g0;
	char p[64];
	int i;

	if (e == NULL)
		return;
	for (i = 0; i < 300; i++)
		ST_EQ(eng_repeat_add(e, "m", &err), DS_OK, &err);
	SET_OK(e, "t", "1");
	STR_EQ(eng_value(e, "s"), "600");
	g0 = e->gen;
	SET_OK(e, "t", "2");
	STR_EQ(eng_value(e, "s"), "1200");
	for (i = 1; i <= 300; i++) {
		snprintf(p, sizeof(p), "m[%d]/x", i);
		if (eng_value(e, p) == NULL || strcmp(eng_value(e, p), "4") !=
		    0) {
			HARNESS_FAIL("%s = %s", p, eng_value(e, p) ?
			    eng_value(e, p) : "(null)");
			break;
		}
	}
	/* t, each x once, then s. */
	INT_EQ(e->gen - g0, 302);
	done(e);
}

static const char *F_ITEMREL =
"| survey |\n"
"|        | type          | name  | label  | relevant       |\n"
"|        | begin repeat  | m     | Member |                |\n"
"|        | select_one yn | works | Works? |                |\n"
"|        | integer       | wage  | Wage   | ${works}='yes' |\n"
"|        | end repeat    |       |        |                |\n"
"| choices |\n"
"|         | list_name | name | label |\n"
"|         | yn        | yes  | Yes   |\n"
"|         | yn        | no   | No    |\n";

/* Each item's own relevance is recomputed on restore, the first too. */
static void
test_restore_recomputes_item_relevance(void)
{
	struct eng *e = open_form(F_ITEMREL), *r = NULL;
	struct ds_err err;
	json_t *j = NULL;

	if (e == NULL)
		return;
	ST_EQ(eng_repeat_add(e, "m", &err), DS_OK, &err);
	ST_EQ(eng_repeat_add(e, "m", &err), DS_OK, &err);
	SET_OK(e, "m[1]/works", "no");
	SET_OK(e, "m[2]/works", "no");
	ST_EQ(eng_to_json(e, &j, &err), DS_OK, &err);
	ST_EQ(eng_restore(cur_cf, NULL, j, &r, &err), DS_OK, &err);
	json_decref(j);
	if (r != NULL) {
		ST_EQ(eng_set(r, "m[1]/wage", "5", &err), DS_ESTATE, &err);
		ST_EQ(eng_set(r, "m[2]/wage", "5", &err), DS_ESTATE, &err);
		SET_OK(r, "m[1]/works", "yes");
		SET_OK(r, "m[1]/wage", "5");
		eng_free(r);
	}
	done(e);
}

static const char *F_RTERR =
"| survey |\n"
"|        | type         | name | label | read_only                       | repeat_count |\n"
"|        | text         | d    | D     |                                 |              |\n"
"|        | integer      | ro   | RO    | date(${d}) > date('2000-01-01') |              |\n"
"|        | integer      | k    | K     |                                 |              |\n"
"|        | text         | d2   | D2    |                                 |              |\n"
"|        | begin repeat | r    | R     |                                 | date(${d2})  |\n"
"|        | text         | x    | X     |                                 |              |\n"
"|        | end repeat   |      |       |                                 |              |\n"
"|        | begin repeat | s    | S     |                                 | ${k}         |\n"
"|        | text         | y    | Y     |                                 |              |\n"
"|        | end repeat   |      |       |                                 |              |\n"
"|        | calculate    | ns   |       |                                 |              |\n";

/*
 * A read_only or repeat_count that fails at run time is reported on its
 * question like the other rules, and a read_only that fails leaves the
 * question answerable.  A count of one makes one item.
 */
static void
test_runtime_errors_in_read_only_and_count(void)
{
	struct eng *e = open_form(F_RTERR);
	struct ds_err err;

	if (e == NULL)
		return;
	SET_OK(e, "d", "not a date");
	SET_OK(e, "d2", "not a date");
	OK(has_issue(e, "ro", "(read_only) could not be computed"));
	OK(has_issue(e, "r", "(repeat_count) could not be computed"));
	ST_EQ(eng_set(e, "ro", "3", &err), DS_OK, &err);
	SET_OK(e, "d", "2010-01-01");
	SET_OK(e, "d2", "1970-01-02");
	OK(!has_issue(e, "ro", "could not be computed"));
	OK(!has_issue(e, "r", "could not be computed"));
	ST_EQ(eng_set(e, "ro", "4", &err), DS_ESTATE, &err);
	SET_OK(e, "k", "1");
	OK(eng_value(e, "s[1]/y") == NULL);
	SET_OK(e, "s[1]/y", "one");
	ST_EQ(eng_set(e, "s[2]/y", "two", &err), DS_ENOENT, &err);
	done(e);
}

static const char *F_CALCQ =
"| survey |\n"
"|        | type    | name | label | calculation | default  | warning | warning_message |\n"
"|        | integer | a    | A     |             | 5        |         |                 |\n"
"|        | integer | b    | B     | ${a} * 2    |          | . < 100 | Big             |\n"
"|        | integer | dd   | DD    |             | ${a} + 1 |         |                 |\n"
"|        | integer | c    | C     | ${dd} * 2   |          |         |                 |\n";

/*
 * A question filled by a calculation: when the value changes anew, the
 * worker's reason for its warning goes, and it waits to be confirmed
 * again.  A default that is an expression is computed at open, and what
 * depends on it too.
 */
static void
test_recalculated_answer_needs_confirming(void)
{
	struct eng *e = open_form(F_CALCQ);
	struct eng_issue *v;
	struct ds_err err;
	size_t n;

	if (e == NULL)
		return;
	STR_EQ(eng_value(e, "a"), "5");
	STR_EQ(eng_value(e, "dd"), "6");
	STR_EQ(eng_value(e, "c"), "12");
	SET_OK(e, "a", "60");
	STR_EQ(eng_value(e, "b"), "120");
	ST_EQ(eng_reason(e, "b", "two farms", &err), DS_OK, &err);
	ST_EQ(eng_issues(e, &v, &n, NULL), DS_OK, NULL);
	INT_EQ(n, 0);
	eng_issues_free(v, n);
	ST_EQ(eng_jump(e, "b", &err), DS_OK, &err);
	ST_EQ(eng_next(e, &err), DS_OK, &err);
	ST_EQ(eng_jump(e, "b", &err), DS_OK, &err);
	INT_EQ(eng_prompt(e)->fields[0].confirmed, 1);
	STR_EQ(eng_prompt(e)->fields[0].reason, "two farms");
	SET_OK(e, "a", "70");
	STR_EQ(eng_value(e, "b"), "140");
	ST_EQ(eng_jump(e, "b", &err), DS_OK, &err);
	OK(eng_prompt(e)->fields[0].reason == NULL);
	INT_EQ(eng_prompt(e)->fields[0].confirmed, 0);
	done(e);
}

/* Removing the item the cursor is in leaves the cursor on the roster;
 * adding and removing items count as changes. */
static void
test_remove_item_under_the_cursor(void)
{
	struct eng *e = open_form(F_ROSTER);
	struct ds_err err;
	unsigned long g0;

	if (e == NULL)
		return;
	g0 = e->gen;
	ST_EQ(eng_repeat_add(e, "member", &err), DS_OK, &err);
	OK(e->gen > g0);
	ST_EQ(eng_repeat_add(e, "member", &err), DS_OK, &err);
	SET_OK(e, "member[2]/mname", "B");
	ST_EQ(eng_jump(e, "member[2]/mname", &err), DS_OK, &err);
	g0 = e->gen;
	ST_EQ(eng_repeat_remove(e, "member", 1, &err), DS_OK, &err);
	OK(e->gen > g0);
	STR_EQ(cur_path(e), "member");
	ST_EQ(eng_next(e, &err), DS_OK, &err);
	done(e);
}

static const char *F_SELFREF =
"| survey |\n"
"|        | type          | name | label  | read_only                     |\n"
"|        | begin repeat  | m    | Member | ./lock = 'yes'                |\n"
"|        | select_one yn | lock | Lock?  |                               |\n"
"|        | text          | nm   | Name   |                               |\n"
"|        | end repeat    |      |        |                               |\n"
"| choices |\n"
"|         | list_name | name | label |\n"
"|         | yn        | yes  | Yes   |\n"
"|         | yn        | no   | No    |\n";

/*
 * A roster whose own rule reads its items: an answer in an item sends
 * the roster itself to be recomputed.
 */
static void
test_roster_rule_reading_its_items(void)
{
	struct eng *e = open_form(F_SELFREF);
	struct ds_err err;

	if (e == NULL)
		return;
	ST_EQ(eng_repeat_add(e, "m", &err), DS_OK, &err);
	ST_EQ(eng_repeat_add(e, "m", &err), DS_OK, &err);
	SET_OK(e, "m[1]/nm", "A");
	SET_OK(e, "m[2]/nm", "B");
	SET_OK(e, "m[2]/lock", "yes");
	ST_EQ(eng_set(e, "m[2]/nm", "C", &err), DS_ESTATE, &err);
	SET_OK(e, "m[1]/nm", "D");
	done(e);
}

static const char *F_RELROSTER =
"| survey |\n"
"|        | type          | name   | label    | relevant      |\n"
"|        | select_one yn | has    | Members? |               |\n"
"|        | begin repeat  | member | Member   | ${has}='yes'  |\n"
"|        | text          | mname  | Name     |               |\n"
"|        | end repeat    |        |          |               |\n"
"|        | text          | note1  | Remark   |               |\n"
"| choices |\n"
"|         | list_name | name | label |\n"
"|         | yn        | yes  | Yes   |\n"
"|         | yn        | no   | No    |\n";

/* 1 if the roster's own relevance is off in every way the worker sees. */
static int
roster_hidden(struct eng *e)
{
	struct ds_err err;
	int hidden = 1;

	if (eng_set(e, "member[1]/mname", "B", &err) != DS_ESTATE)
		hidden = 0;
	if (eng_jump(e, "has", &err) != DS_OK || eng_next(e, &err) != DS_OK ||
	    strcmp(cur_path(e), "note1") != 0)
		hidden = 0;
	return hidden;
}

/*
 * A repeat's own relevance must be recomputed on restore (issue 18, bug
 * 2: eng_enqueue_subtree once dropped EX_RELEVANT for repeat sets, and a
 * restored draft showed a roster the answers had closed).
 */
static void
test_restore_recomputes_roster_relevance(void)
{
	struct eng *e = open_form(F_RELROSTER), *r = NULL;
	struct ds_err err;
	json_t *j = NULL;

	if (e == NULL)
		return;
	SET_OK(e, "has", "yes");
	ST_EQ(eng_repeat_add(e, "member", &err), DS_OK, &err);
	SET_OK(e, "member[1]/mname", "A");
	SET_OK(e, "has", "no");
	OK(roster_hidden(e));
	ST_EQ(eng_to_json(e, &j, &err), DS_OK, &err);
	ST_EQ(eng_restore(cur_cf, NULL, j, &r, &err), DS_OK, &err);
	json_decref(j);
	if (r != NULL) {
		OK(roster_hidden(r));
		STR_EQ(eng_value(r, "member[1]/mname"), "A");
		eng_free(r);
	}
	done(e);
}

static const char *F_ROROSTER =
"| survey |\n"
"|        | type          | name   | label    | read_only     |\n"
"|        | select_one yn | lock   | Lock?    |               |\n"
"|        | begin repeat  | member | Member   | ${lock}='yes' |\n"
"|        | text          | mname  | Name     |               |\n"
"|        | end repeat    |        |          |               |\n"
"| choices |\n"
"|         | list_name | name | label |\n"
"|         | yn        | yes  | Yes   |\n"
"|         | yn        | no   | No    |\n";

/*
 * A repeat's own read_only is recomputed on restore, like its relevance
 * (issue 18: eng_enqueue_subtree with EX_READONLY's test turned left a
 * restored roster the answers had locked open to edits).
 */
static void
test_restore_recomputes_roster_read_only(void)
{
	struct eng *e = open_form(F_ROROSTER), *r = NULL;
	struct ds_err err;
	json_t *j = NULL;

	if (e == NULL)
		return;
	ST_EQ(eng_repeat_add(e, "member", &err), DS_OK, &err);
	SET_OK(e, "member[1]/mname", "A");
	SET_OK(e, "lock", "yes");
	ST_EQ(eng_set(e, "member[1]/mname", "B", &err), DS_ESTATE, &err);
	ST_EQ(eng_to_json(e, &j, &err), DS_OK, &err);
	ST_EQ(eng_restore(cur_cf, NULL, j, &r, &err), DS_OK, &err);
	json_decref(j);
	if (r != NULL) {
		ST_EQ(eng_set(r, "member[1]/mname", "B", &err), DS_ESTATE,
		    &err);
		STR_EQ(eng_value(r, "member[1]/mname"), "A");
		SET_OK(r, "lock", "no");
		SET_OK(r, "member[1]/mname", "B");
		eng_free(r);
	}
	done(e);
}

static void
test_restore_rejects_unknown_answer(void)
{
	struct eng *r = NULL;
	struct ds_err err;
	json_t *j;

	if (load(F_SKIP) != DS_OK) {
		HARNESS_FAIL("load");
		return;
	}
	j = json_pack("{s:s,s:s}", "kids", "no", "bogus", "1");
	ST_EQ(eng_restore(cur_cf, NULL, j, &r, &err), DS_ECORRUPT, &err);
	OK(strstr(err.msg, "bogus") != NULL);
	OK(r == NULL);
	json_decref(j);
	unload();
}

/* ---- fill (answers document) ------------------------------------------ */

static void
test_apply_answers_lists_every_error(void)
{
	struct eng *e = open_form(F_ROSTER);
	struct eng_issue *v = NULL;
	size_t n = 0;
	json_t *j;

	if (e == NULL)
		return;
	j = json_loads("{\"member\":[{\"mname\":\"A\",\"age\":\"x\"},"
	    "{\"mname\":\"B\",\"age\":40}], \"oops\": 1}", 0, NULL);
	ST_EQ(eng_apply_answers(e, j, &v, &n), DS_ECONSTRAINT, NULL);
	INT_EQ(n, 2);
	if (n == 2) {
		STR_EQ(v[0].path, "");
		OK(v[0].note.detail != NULL && strstr(v[0].note.detail,
		    "unknown question 'oops'") != NULL);
		STR_EQ(v[1].path, "member[1]/age");
		INT_EQ(v[1].note.code, ENG_MSG_INTEGER);
		INT_EQ(v[0].note.code, ENG_MSG_FILL);
	}
	eng_issues_free(v, n);
	STR_EQ(eng_value(e, "total"), "40");
	json_decref(j);
	done(e);
}

/* ---- choice filter, defaults, trigger, field-list --------------------- */

static const char *F_MISC =
"| survey |\n"
"|        | type            | name   | label  | choice_filter   | default   | trigger  | calculation | appearance |\n"
"|        | select_one prov | prov   | Prov   |                 |           |          |             |            |\n"
"|        | select_one city | city   | City   | prov=${prov}    |           |          |             |            |\n"
"|        | integer         | n      | N      |                 | 3         |          |             |            |\n"
"|        | date            | d      | D      |                 | today()   |          |             |            |\n"
"|        | calculate       | stamp  |        |                 |           | ${prov}  | concat('p:', ${prov}) |  |\n"
"|        | begin group     | fl     | Both   |                 |           |          |             | field-list |\n"
"|        | text            | x      | X      |                 |           |          |             |            |\n"
"|        | text            | y      | Y      |                 |           |          |             |            |\n"
"|        | end group       |        |        |                 |           |          |             |            |\n"
"| choices |\n"
"|         | list_name | name | label   | prov |\n"
"|         | prov      | ah   | Anhui   |      |\n"
"|         | prov      | hn   | Hunan   |      |\n"
"|         | city      | hf   | Hefei   | ah   |\n"
"|         | city      | wh   | Wuhu    | ah   |\n"
"|         | city      | cs   | Changsha| hn   |\n";

static void
test_choice_filter_defaults_trigger_fieldlist(void)
{
	struct eng *e;
	struct ds_err err;
	const struct eng_prompt *p;

	setenv("DOORSTEP_FAKE_NOW", "1700000000", 1);
	e = open_form(F_MISC);
	if (e == NULL)
		return;
	STR_EQ(eng_value(e, "n"), "3");
	OK(eng_value(e, "d") != NULL && strlen(eng_value(e, "d")) == 10);
	OK(eng_value(e, "stamp") == NULL);	/* trigger not fired yet */
	SET_OK(e, "prov", "hn");
	STR_EQ(eng_value(e, "stamp"), "p:hn");
	ST_EQ(eng_jump(e, "city", &err), DS_OK, &err);
	p = eng_prompt(e);
	INT_EQ(p->fields[0].nchoices, 1);
	if (p->fields[0].nchoices == 1)
		STR_EQ(p->fields[0].choices[0].label, "Changsha");
	ST_EQ(eng_set(e, "city", "hf", &err), DS_ETYPE, &err);
	SET_OK(e, "city", "cs");
	SET_OK(e, "n", "");			/* default applied once only */
	OK(eng_value(e, "n") == NULL);
	ST_EQ(eng_jump(e, "y", &err), DS_OK, &err);
	p = eng_prompt(e);
	INT_EQ(p->kind, EP_FIELDLIST);
	STR_EQ(p->path, "fl");
	INT_EQ(p->nfields, 2);
	/* a changed province invalidates the city at review */
	SET_OK(e, "prov", "ah");
	{
		struct eng_issue *v;
		size_t n, nerr;

		ST_EQ(eng_issues(e, &v, &n, &nerr), DS_OK, NULL);
		INT_EQ(nerr, 1);
		if (n >= 1)
			STR_EQ(v[0].path, "city");
		eng_issues_free(v, n);
	}
	done(e);
	unsetenv("DOORSTEP_FAKE_NOW");
}

static const char *F_FILTER =
"| survey |\n"
"|        | type         | name | label | choice_filter |\n"
"|        | integer      | n    | N     |               |\n"
"|        | text         | t    | T     |               |\n"
"|        | select_one c | byn  | ByN   | code = ${n}   |\n"
"|        | select_one c | byt  | ByT   | ${t} = code   |\n"
"| choices |\n"
"|         | list_name | name | label | code |\n"
"|         | c         | a    | A     | 1    |\n"
"|         | c         | b    | B     | 01   |\n"
"|         | c         | d    | D     | 2    |\n";

/* `column = ${q}` is compared as text only when q is text (JR coercion) */
static void
test_choice_filter_fast_path_keeps_coercion(void)
{
	struct eng *e = open_form(F_FILTER);
	struct ds_err err;
	const struct eng_prompt *p;

	if (e == NULL)
		return;
	SET_OK(e, "n", "1");
	SET_OK(e, "t", "01");
	ST_EQ(eng_jump(e, "byn", &err), DS_OK, &err);
	p = eng_prompt(e);
	INT_EQ(p->fields[0].nchoices, 2);	/* 1 = '1' and 1 = '01' */
	ST_EQ(eng_jump(e, "byt", &err), DS_OK, &err);
	p = eng_prompt(e);
	INT_EQ(p->fields[0].nchoices, 1);	/* '01' = '01' only */
	if (p->fields[0].nchoices == 1)
		STR_EQ(p->fields[0].choices[0].name, "b");
	SET_OK(e, "byt", "b");
	ST_EQ(eng_set(e, "byt", "a", &err), DS_ETYPE, &err);
	SET_OK(e, "t", "2");			/* cache follows the answer */
	p = eng_prompt(e);
	INT_EQ(p->fields[0].nchoices, 1);
	if (p->fields[0].nchoices == 1)
		STR_EQ(p->fields[0].choices[0].name, "d");
	done(e);
}

static const char *F_NOW =
"| survey |\n"
"|        | type      | name  | label | calculation     |\n"
"|        | text      | t     | T     |                 |\n"
"|        | calculate | stamp |       | now()           |\n"
"|        | calculate | first |       | once(now())     |\n"
"|        | calculate | dep   |       | concat('at ', ${stamp}) |\n";

/* now() re-runs on finalize (ODK: on save and finalize), once() keeps */
static void
test_volatile_refreshed_on_finalize(void)
{
	struct eng *e;
	struct ds_err err;
	char *a = NULL, *b = NULL, *f0 = NULL;

	setenv("DOORSTEP_FAKE_NOW", "1700000000", 1);
	if ((e = open_form(F_NOW)) == NULL)
		return;
	OK(eng_value(e, "stamp") != NULL && eng_value(e, "first") != NULL);
	a = eng_value(e, "stamp") ? strdup(eng_value(e, "stamp")) : NULL;
	f0 = eng_value(e, "first") ? strdup(eng_value(e, "first")) : NULL;
	setenv("DOORSTEP_FAKE_NOW", "1700003600", 1);
	SET_OK(e, "t", "x");			/* nothing reads t */
	STR_EQ(eng_value(e, "stamp"), a);
	ST_EQ(eng_finalize(e, &err), DS_OK, &err);
	b = eng_value(e, "stamp") ? strdup(eng_value(e, "stamp")) : NULL;
	OK(a != NULL && b != NULL && strcmp(a, b) != 0);
	STR_EQ(eng_value(e, "first"), f0);
	if (b != NULL) {
		char want[128];

		snprintf(want, sizeof(want), "at %s", b);
		STR_EQ(eng_value(e, "dep"), want);
	}
	free(a);
	free(b);
	free(f0);
	done(e);
	unsetenv("DOORSTEP_FAKE_NOW");
}

static const char *F_RAND =
"| survey |\n"
"|        | type         | name | label | parameters                 |\n"
"|        | integer      | s    | S     |                            |\n"
"|        | select_one c | a    | A     | randomize=true seed=${s}   |\n"
"|        | select_one c | b    | B     | randomize=true seed=7      |\n"
"|        | select_one c | n    | N     |                            |\n"
"| choices |\n"
"|         | list_name | name | label |\n"
"|         | c         | c1   | 1     |\n"
"|         | c         | c2   | 2     |\n"
"|         | c         | c3   | 3     |\n"
"|         | c         | c4   | 4     |\n"
"|         | c         | c5   | 5     |\n"
"|         | c         | c6   | 6     |\n";

static void
order_of(struct eng *e, const char *path, char *out)
{
	const struct eng_prompt *p;
	struct ds_err err;
	size_t i;

	out[0] = '\0';
	if (eng_jump(e, path, &err) != DS_OK)
		return;
	p = eng_prompt(e);
	for (i = 0; i < p->fields[0].nchoices; i++)
		strcat(out, p->fields[0].choices[i].label);
}

/* parameters randomize=true: a permutation, the same for the same seed */
static void
test_randomize_choices(void)
{
	struct eng *e = open_form(F_RAND);
	char a1[16], a2[16], b1[16], b2[16], n1[16];

	if (e == NULL)
		return;
	SET_OK(e, "s", "42");
	order_of(e, "a", a1);
	order_of(e, "b", b1);
	order_of(e, "n", n1);
	STR_EQ(n1, "123456");
	INT_EQ(strlen(a1), 6);
	OK(strcmp(a1, "123456") != 0 || strcmp(b1, "123456") != 0);
	SET_OK(e, "s", "43");
	order_of(e, "a", a2);
	SET_OK(e, "s", "42");
	order_of(e, "a", b2);
	STR_EQ(b2, a1);			/* same seed, same order */
	OK(strcmp(a2, a1) != 0);	/* another seed, another order */
	order_of(e, "b", b2);
	STR_EQ(b2, b1);
	SET_OK(e, "a", "c3");		/* still a valid answer */
	done(e);
}

/* ---- allocation failures ---------------------------------------------- */

/* One interview; every step may fail with DS_ENOMEM, none may crash. */
static void
scenario(void)
{
	struct eng *e = NULL, *r = NULL;
	struct ds_err err;
	json_t *j = NULL;
	struct eng_issue *v = NULL;
	size_t n = 0, nerr;

	if (eng_open(cur_cf, NULL, &e, &err) != DS_OK)
		return;
	(void)eng_set(e, "village", "V", &err);
	(void)eng_repeat_add(e, "member", &err);
	(void)eng_repeat_add(e, "member", &err);
	(void)eng_set(e, "member[1]/mname", "A", &err);
	(void)eng_repeat_add(e, "member[1]/child", &err);
	(void)eng_set(e, "member[1]/child[1]/cage", "4", &err);
	(void)eng_repeat_remove(e, "member", 1, &err);
	(void)eng_prompt(e);
	if (eng_issues(e, &v, &n, &nerr) == DS_OK)
		eng_issues_free(v, n);
	if (eng_to_json(e, &j, &err) == DS_OK) {
		if (eng_restore(cur_cf, NULL, j, &r, &err) == DS_OK)
			eng_free(r);
		json_decref(j);
	}
	(void)eng_finalize(e, &err);
	eng_free(e);
}

static void
test_alloc_failures_are_clean(void)
{
	long k, max = harness_torture() ? 100000 : 400;

	if (load(F_NESTED) != DS_OK) {
		HARNESS_FAIL("load");
		return;
	}
	for (k = 1; k <= max; k++) {
		ds_fault_arm(DS_FAULT_ALLOC, k, 0);
		scenario();
		if (ds_fault_fired(DS_FAULT_ALLOC) == 0)
			break;	/* ran to the end without a failure */
	}
	ds_fault_disarm(DS_FAULT_ALLOC);
	printf("# %ld allocation failure points\n", k - 1);
	OK(k > 100);
	unload();
}

/* ---- labels naming answers ---------------------------------------- */

static const char *F_ROSTER_LABEL =
"| survey |\n"
"|        | type         | name   | label            |\n"
"|        | begin repeat | member | Member ${m_name} |\n"
"|        | text         | m_name | Name             |\n"
"|        | integer      | m_age  | Age of ${m_name} |\n"
"|        | end repeat   |        |                  |\n";

static void
test_roster_labels_fill_item_answers(void)
{
	struct eng *e = open_form(F_ROSTER_LABEL);
	const struct eng_prompt *p;
	struct ds_err err;

	if (e == NULL)
		return;
	ST_EQ(eng_repeat_add(e, "member", &err), DS_OK, &err);
	SET_OK(e, "member[1]/m_name", "Wang Fang");
	ST_EQ(eng_jump(e, "member[1]/m_age", &err), DS_OK, &err);
	p = eng_prompt(e);
	OK(strstr(p->section, "Member Wang Fang 1") != NULL);
	OK(strstr(p->section, "${") == NULL);
	ST_EQ(eng_jump(e, "member", &err), DS_OK, &err);
	p = eng_prompt(e);
	OK(p->repeat_label != NULL && strstr(p->repeat_label, "${") == NULL);
	done(e);
}

int
main(void)
{
	ds_json_init();
	RUN(test_relevant_skips_question);
	RUN(test_finalize_drops_nonrelevant);
	RUN(test_types_checked_and_normalised);
	RUN(test_calculate_chain_recomputes);
	RUN(test_required_and_constraint);
	RUN(test_runtime_rule_errors_reported);
	RUN(test_runtime_rule_error_kept_until_recomputed);
	RUN(test_warning_needs_reason);
	RUN(test_compile_errors);
	RUN(test_bare_calculate_relevant_warns);
	RUN(test_roster_add_insert_remove);
	RUN(test_repeat_count_never_deletes);
	RUN(test_nested_repeats_resolve_relative);
	RUN(test_repeat_relevant_and_read_only);
	RUN(test_consent_gate);
	RUN(test_consent_on_file_generation);
	RUN(test_text_is_canonical_json);
	RUN(test_serialize_restore_round_trip);
	RUN(test_restore_recomputes_roster_relevance);
	RUN(test_restore_recomputes_roster_read_only);
	RUN(test_recompute_once_in_rank_order);
	RUN(test_recompute_reaches_every_item_of_a_wide_roster);
	RUN(test_restore_recomputes_item_relevance);
	RUN(test_runtime_errors_in_read_only_and_count);
	RUN(test_recalculated_answer_needs_confirming);
	RUN(test_remove_item_under_the_cursor);
	RUN(test_roster_rule_reading_its_items);
	RUN(test_restore_rejects_unknown_answer);
	RUN(test_apply_answers_lists_every_error);
	RUN(test_choice_filter_defaults_trigger_fieldlist);
	RUN(test_choice_filter_fast_path_keeps_coercion);
	RUN(test_volatile_refreshed_on_finalize);
	RUN(test_randomize_choices);
	RUN(test_roster_labels_fill_item_answers);
	RUN(test_kept_counts_follow_every_change);
	RUN(test_alloc_failures_are_clean);
	return harness_done();
}
