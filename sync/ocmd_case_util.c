/* doorstep: helpers of the case commands: options, words, refusals. */
/*
 * The case layer gives codes and facts; this file words them in the one
 * language chosen for the command (i18n_pick).  Every sentence a
 * refusal prints says what was wrong, and that office.db is unchanged.
 */
#include "ocmd_case_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "odb_case.h"
#include "oset.h"
#include "util.h"

int
ocase_args(int argc, char **argv, int first, const struct ocase_opt *opts,
    size_t nopts, const char **pos, size_t maxpos, size_t *npos)
{
	size_t i, n;
	int a;

	*npos = 0;
	for (i = 0; i < nopts; i++) {
		if (opts[i].val != NULL)
			*opts[i].val = NULL;
		else if (opts[i].flag != NULL)
			*opts[i].flag = 0;
	}
	for (a = first; a < argc; a++) {
		if (strncmp(argv[a], "--", 2) != 0) {
			if (*npos == maxpos)
				return -1;
			pos[(*npos)++] = argv[a];
			continue;
		}
		for (i = 0; i < nopts; i++) {
			n = strlen(opts[i].name);
			if (strncmp(argv[a], opts[i].name, n) != 0)
				continue;
			if (opts[i].val == NULL && argv[a][n] == '\0') {
				*opts[i].flag = 1;
				break;
			}
			if (opts[i].val == NULL)
				continue;
			if (argv[a][n] == '=') {
				*opts[i].val = argv[a] + n + 1;
				break;
			}
			if (argv[a][n] == '\0' && a + 1 < argc) {
				*opts[i].val = argv[++a];
				break;
			}
		}
		if (i == nopts)
			return -1;
	}
	return 0;
}

static int vfail(const struct cli *, const char *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static int
vfail(const struct cli *cli, const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s %s: ", cli->progname, cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	return CMD_EXIT_FAIL;
}

int
ocase_fail(const struct cli *cli, const char *cmd, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(cli, cmd, fmt, ap);
	va_end(ap);
	return rc;
}

int
ocase_fail_err(const struct cli *cli, const char *cmd,
    const struct ds_err *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (err->code == DS_ENOSPC)
		return office_fail_full(cli, cmd, err);
	va_start(ap, fmt);
	rc = vfail(cli, cmd, fmt, ap);
	va_end(ap);
	return rc;
}

int
ocase_fail_db(const struct cli *cli, const char *cmd,
    const struct ds_err *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (err->code == DS_ENOSPC)
		return office_fail_full(cli, cmd, err);
	va_start(ap, fmt);
	rc = vfail(cli, cmd, fmt, ap);
	va_end(ap);
	office_detail(err->msg);
	return rc;
}

int
ocase_open(const struct cli *cli, const struct cmd_entry *e,
    struct office *o)
{
	return office_open(cli, e, o, 1);
}

void
ocase_close(struct office *o)
{
	office_close(o);
}

int
ocase_date(const char *in, char out[CASE_DATE_LEN])
{
	return in != NULL ? case_date_norm(in, out) : -1;
}

/* ---- words ------------------------------------------------------------------- */

const char *
ocase_step_word(int step)
{
	switch (step) {
	case CASE_S_START:
		return _("verification visit");
	case CASE_S_ASSESS:
		return _("village assessment");
	case CASE_S_NOTICE:
		return _("public notice");
	case CASE_S_REVIEW:
		return _("township review");
	case CASE_S_APPROVE:
		return _("county approval");
	case CASE_S_RETURN:
		return _("return to the village");
	case CASE_S_MEASURE:
		return _("assistance measure");
	case CASE_S_REFLAG:
		return _("re-flagging of the risk");
	case CASE_S_ROLLBACK:
		return _("rollback of the elimination");
	default:
		return "?";
	}
}

const char *
ocase_track_word(int track)
{
	switch (track) {
	case CASE_T_IDENT:
		return _("identification");
	case CASE_T_ELIM:
		return _("risk elimination");
	default:
		return _("case");
	}
}

static const char *
pick(const char *v, const char *const *codes, const char *const *words)
{
	size_t i;

	for (i = 0; codes[i] != NULL; i++)
		if (strcmp(v, codes[i]) == 0)
			return gettext(words[i]);
	return v;
}

const char *
ocase_state_word(const char *s)
{
	static const char *const c[] = { "registered", "clue_open", "ident",
	    "monitored", "elim", "eliminated", NULL };
	static const char *const w[] = { N_("registered"),
	    N_("clue to verify"), N_("in identification"), N_("monitored"),
	    N_("in elimination"), N_("risk eliminated") };

	return pick(s, c, w);
}

const char *
ocase_cat_word(const char *s)
{
	static const char *const c[] = { "unstable", "marginal", "sudden",
	    NULL };
	static const char *const w[] = { N_("unstable formerly-poor"),
	    N_("marginal at risk"), N_("sudden severe hardship") };

	return pick(s, c, w);
}

const char *
ocase_kind_word(const char *s)
{
	static const char *const c[] = { "assisted", "natural", NULL };
	static const char *const w[] = { N_("through assistance"),
	    N_("naturally") };

	return pick(s, c, w);
}

const char *
ocase_channel_word(const char *s)
{
	static const char *const c[] = { "self_report", "cadre_screening",
	    "dept_warning", NULL };
	static const char *const w[] = { N_("self-report"),
	    N_("cadre screening"), N_("department warning") };

	return pick(s, c, w);
}

const char *
ocase_light_word(const char *s)
{
	static const char *const c[] = { "red", "orange", "yellow", "green",
	    NULL };
	static const char *const w[] = { N_("red"), N_("orange"),
	    N_("yellow"), N_("green") };

	return pick(s, c, w);
}

const char *
ocase_measure_word(const char *s)
{
	static const char *const c[] = { "industry", "job", "finance",
	    "health", "education", "assist", "allowance", "housing", "water",
	    "social", NULL };
	static const char *const w[] = { N_("industry"), N_("employment"),
	    N_("finance"), N_("health"), N_("education"),
	    N_("safety net (dibao, tekun)"), N_("other allowances"),
	    N_("housing safety"), N_("drinking water"),
	    N_("social assistance and other") };

	return pick(s, c, w);
}

const char *
ocase_mstatus_word(const char *s)
{
	static const char *const c[] = { "planned", "in_progress", "done",
	    "stopped", NULL };
	static const char *const w[] = { N_("planned"), N_("in progress"),
	    N_("done"), N_("stopped") };

	return pick(s, c, w);
}

const char *
ocase_field_word(const char *s)
{
	static const char *const c[] = { "hh_key", "township", "village",
	    "group", "head_name", "id_number", "members", "grid_worker", "name",
	    "reason", "amount", "date", "step", "outcome", "date_end",
	    "objections", "category", "kind", "by", "note", "corrects",
	    "income", "channel", "type", "status", "start", NULL };
	static const char *const w[] = { N_("household key"), N_("township"),
	    N_("village"), N_("villager group"), N_("head's name"),
	    N_("ID number"), N_("members"), N_("grid worker"), N_("name"),
	    N_("reason"), N_("amount"), N_("date"), N_("step"),
	    N_("outcome"), N_("notice end date"), N_("objections"),
	    N_("category"), N_("kind of elimination"), N_("recorded by"),
	    N_("note"), N_("corrected event"), N_("per-capita income"),
	    N_("channel"), N_("measure type"), N_("status"),
	    N_("start date") };

	return s != NULL ? pick(s, c, w) : "";
}

/* ---- refusals ---------------------------------------------------------------- */

static int
refused(const struct cli *cli, const char *cmd, const char *msg)
{
	fprintf(stderr, "%s %s: %s %s\n", cli->progname, cmd, msg,
	    _("Nothing was changed."));
	return CMD_EXIT_FAIL;
}

int
ocase_say_why(const struct cli *cli, const char *cmd, const char *key,
    const struct case_why *w)
{
	char m[1024];
	const char *step = ocase_step_word(w->step);

	switch (w->code) {
	case CASE_W_NO_TRACK:
		snprintf(m, sizeof(m), _("Household %s has no identification "
		    "or risk elimination under way (no finalized verification "
		    "visit has proposed one), so the %s cannot be recorded."),
		    key, step);
		break;
	case CASE_W_STEP_UNKNOWN:
		snprintf(m, sizeof(m), _("The %s is not a step of %s in this "
		    "office's settings (%s)."), step,
		    ocase_track_word(w->track), OSET_FILE);
		break;
	case CASE_W_ORDER:
		snprintf(m, sizeof(m), _("The next step of the %s of household "
		    "%s is the %s, not the %s."), ocase_track_word(w->track),
		    key, ocase_step_word(w->want), step);
		break;
	case CASE_W_DATE_BEFORE:
		snprintf(m, sizeof(m), _("The %s cannot be dated before the "
		    "step before it (%s)."), step, w->other);
		break;
	case CASE_W_REVIEW_EARLY:
		snprintf(m, sizeof(m), _("The township review must come after "
		    "the public notice has ended (it ends on %s)."), w->other);
		break;
	case CASE_W_NOTICE_UNSET:
		snprintf(m, sizeof(m), _("The minimum length of the public "
		    "notice is not set: set %s in %s (the sources give no "
		    "number for this province) before recording a notice."),
		    oset_key_notice(w->track), OSET_FILE);
		break;
	case CASE_W_NOTICE_SHORT:
		snprintf(m, sizeof(m), _("The public notice lasts %d days; "
		    "this office's settings require at least %d."), w->days,
		    w->min);
		break;
	case CASE_W_NOTICE_END:
		snprintf(m, sizeof(m), "%s", _("A public notice needs its end "
		    "date (--end), on or after its first day."));
		break;
	case CASE_W_NEED_CATEGORY:
		snprintf(m, sizeof(m), "%s", _("A county approval of "
		    "identification needs the category: --category unstable, "
		    "marginal or sudden."));
		break;
	case CASE_W_NEED_KIND:
		snprintf(m, sizeof(m), "%s", _("A county approval of risk "
		    "elimination needs the kind: --kind assisted or natural."));
		break;
	case CASE_W_NEED_NOTE:
		snprintf(m, sizeof(m), _("The %s needs a note saying why "
		    "(--note)."), step);
		break;
	case CASE_W_BAD_OUTCOME:
		snprintf(m, sizeof(m), w->step == CASE_S_RETURN ?
		    _("The %s takes no outcome.") :
		    _("The %s needs --outcome pass or fail."), step);
		break;
	case CASE_W_NOT_ELIMINATED:
		snprintf(m, sizeof(m), _("Household %s is not a household "
		    "whose risk was eliminated, so the %s does not apply."),
		    key, step);
		break;
	case CASE_W_CORRECTS:
		snprintf(m, sizeof(m), "%s", _("That event cannot be corrected: "
		    "only the office's own steps can, and each only once "
		    "(correct the correction instead)."));
		break;
	case CASE_W_BAD_DATE:
		snprintf(m, sizeof(m), _("The date of the %s is not a real "
		    "date, or it is after today."), step);
		break;
	case CASE_W_EXTRA:
		snprintf(m, sizeof(m), "%s", _("--category and --kind belong to "
		    "the county approval, --end to the public notice."));
		break;
	default:
		snprintf(m, sizeof(m), "%s", _("The step was refused."));
		break;
	}
	return refused(cli, cmd, m);
}

int
ocase_say_row(const struct cli *cli, const char *cmd, const char *path,
    const struct case_row_why *w)
{
	char m[1024], where[600];
	const char *f = ocase_field_word(w->field);

	switch (w->code) {
	case CASE_R_KEY:
		snprintf(m, sizeof(m), "%s", _("the household key must be "
		    "letters and digits only."));
		break;
	case CASE_R_DUP:
		snprintf(m, sizeof(m), _("household %s is listed twice."),
		    w->value);
		break;
	case CASE_R_VILLAGE:
		snprintf(m, sizeof(m), "%s", _("the village code is missing."));
		break;
	case CASE_R_ID:
		snprintf(m, sizeof(m), "%s", _("the ID number is not valid (18 "
		    "characters with a correct check digit, or a disability "
		    "certificate number)."));
		break;
	case CASE_R_MEMBERS:
		snprintf(m, sizeof(m), "%s", _("the number of members must be a "
		    "whole number from 0 to 99."));
		break;
	case CASE_R_DATE:
		snprintf(m, sizeof(m), _("the %s is not a real date, or it is "
		    "after today."), f);
		break;
	case CASE_R_AMOUNT:
		snprintf(m, sizeof(m), _("the %s is not an amount of yuan."),
		    f);
		break;
	case CASE_R_UNKNOWN:
		snprintf(m, sizeof(m), _("household %s is not known at this "
		    "office (import the register first, or check the key)."),
		    w->value);
		break;
	case CASE_R_STEP:
		snprintf(m, sizeof(m), "%s", _("the step must be assess, "
		    "notice, review, approve, return, reflag or rollback."));
		break;
	case CASE_R_OUTCOME:
		snprintf(m, sizeof(m), "%s", _("the outcome must be pass or "
		    "fail."));
		break;
	case CASE_R_CATEGORY:
		snprintf(m, sizeof(m), "%s", _("the category must be unstable, "
		    "marginal or sudden."));
		break;
	case CASE_R_KIND:
		snprintf(m, sizeof(m), "%s", _("the kind of elimination must be "
		    "assisted or natural."));
		break;
	case CASE_R_CHANNEL:
		snprintf(m, sizeof(m), "%s", _("the channel must be "
		    "self_report, cadre_screening or dept_warning."));
		break;
	case CASE_R_TYPE:
		snprintf(m, sizeof(m), "%s", _("the measure type must be one of "
		    "industry, job, finance, health, education, assist, "
		    "allowance, housing, water, social."));
		break;
	case CASE_R_STATUS:
		snprintf(m, sizeof(m), "%s", _("the status must be planned, "
		    "in_progress, done or stopped."));
		break;
	case CASE_R_NUMBER:
		snprintf(m, sizeof(m), _("the %s must be a whole number."), f);
		break;
	case CASE_R_BANDS:
		snprintf(m, sizeof(m), _("signal bands are not set for %s: "
		    "set signal.bands in %s (with their source) before "
		    "importing income checks."), w->value, OSET_FILE);
		break;
	default:
		snprintf(m, sizeof(m), "%s", _("the value is not valid."));
		break;
	}
	if (path == NULL)
		return refused(cli, cmd, m);
	snprintf(where, sizeof(where), _("%s, line %d:"), path, w->line);
	fprintf(stderr, "%s %s: %s %s %s\n", cli->progname, cmd, where, m,
	    _("Nothing was changed."));
	return CMD_EXIT_FAIL;
}

int
ocase_say_file(const struct cli *cli, const char *cmd, const char *path,
    const struct case_file_why *w, const struct ds_err *err)
{
	char m[1024];
	int rc, detail = 0;

	switch (w->code) {
	case CASE_F_KIND:
		snprintf(m, sizeof(m), _("%s: only .csv and .xlsx files can be "
		    "read."), path);
		break;
	case CASE_F_PARSE:
		snprintf(m, sizeof(m), _("%s is not a readable CSV or XLSX file "
		    "(line %d)."), path, w->line);
		detail = 1;
		break;
	case CASE_F_EMPTY:
		snprintf(m, sizeof(m), _("%s has no header row."), path);
		break;
	case CASE_F_COLUMN:
		snprintf(m, sizeof(m), _("%s has no column for the %s (a header "
		    "cell must name it, e.g. %s)."), path,
		    ocase_field_word(w->field), w->field);
		break;
	case CASE_F_TWICE:
		snprintf(m, sizeof(m), _("%s has two columns for the %s."), path,
		    ocase_field_word(w->field));
		break;
	case CASE_F_ROWS:
		snprintf(m, sizeof(m), _("%s is too large (at most %d rows)."),
		    path, CASE_FILE_MAX_ROWS);
		break;
	case CASE_F_CELL:
		snprintf(m, sizeof(m), _("%s, line %d: the %s is too long or "
		    "not UTF-8 text."), path, w->line,
		    ocase_field_word(w->field));
		break;
	default:	/* CASE_F_READ */
		if (err->code == DS_ENOENT)
			snprintf(m, sizeof(m), _("There is no file at %s: "
			    "check the path."), path);
		else
			snprintf(m, sizeof(m), _("cannot read %s."), path);
		detail = 1;
		break;
	}
	rc = refused(cli, cmd, m);
	if (detail)
		office_detail(err->msg);
	return rc;
}
