/* doorstep: `doorstep-office report`, the office reports from the case. */
/*
 *   report monthly --month YYYY-MM [--cutoff D] [--freeze] --out FILE
 *   report period --from YYYY-MM --to YYYY-MM [--cutoff D] --out FILE
 *   report coverage --round NAME --out FILE
 *   report quality [--form FILE] [--out FILE]
 *   report timeliness [--from YYYY-MM --to YYYY-MM] --out FILE
 * each with [--area CODE] [--forms DIR].  Connected as the county's role
 * to a county database, every township's rows, or --township CODE's only
 * (not --freeze, not quality: those are a township's).
 *
 * The monthly and period reports count the office's decisions (events
 * approved in the months, recorded by the cutoff: by default the 10th of
 * the month after); --freeze stores the submitted copy sealed, and a
 * frozen month reports as submitted.  Coverage is a screening round's
 * register against its visits; quality is the problem ledger (it records
 * the problems it finds); timeliness is its days from visit to finalize
 * and to the import.  CSV or XLSX by the file's suffix (report.h); words
 * and titles in the command's one language.  Area names come from
 * township.csv and village.csv in --forms DIR (default DIR/forms, else
 * the shipped forms).  Definitions: docs/reports.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "case.h"
#include "cmd.h"
#include "eng.h"
#include "form.h"
#include "i18n.h"
#include "i18n_diag.h"
#include "i18n_eng.h"
#include "json.h"
#include "mem.h"
#include "ocmd_case_util.h"
#include "ocmd_util.h"
#include "odb.h"
#include "odb_case.h"
#include "report.h"
#include "util.h"
#include "xls.h"

extern const struct cmd_entry ocmd_report_entry;

struct ropts {
	const char	*month, *from, *to, *cutoff, *round, *area, *forms,
			*out, *form, *township;
	int		 freeze;
};

static const char *
tr(const char *msgid)
{
	return gettext(msgid);
}

static void
print_text(const struct report_table *t)
{
	static const size_t show[] = { 0, 1, 5, 6, 10, 11, 12 };
	size_t r, c;

	printf("%s\n", report_table_title(t));
	for (r = 0; r < report_table_nrows(t); r++) {
		for (c = 0; c < sizeof(show) / sizeof(show[0]); c++) {
			const char *s = report_table_cell(t, r, show[c]);

			printf("%s%s", c > 0 ? "  " : "", *s ? s : "-");
		}
		printf("\n");
	}
	if (report_table_nrows(t) == 0)
		printf("%s\n", _("No problems in the ledger."));
}

/* Load and compile the form for re-checking; prints its diagnostics. */
static int
load_form(const struct cli *cli, const char *path, struct form **f,
    struct eng_form **cf)
{
	struct form_diags d;
	char line[1024];
	size_t i;
	int rc = 0;

	form_diags_init(&d);
	if (form_load_file(path, f, &d) != DS_OK ||
	    eng_compile(*f, cf, &d) != DS_OK)
		rc = -1;
	for (i = 0; i < d.n; i++)
		if (d.v[i].is_error) {
			i18n_form_diag(&d.v[i], line, sizeof(line));
			fprintf(stderr, "%s\n", line);
		}
	if (rc != 0)
		fprintf(stderr, _("%s: report: cannot load form %s\n"),
		    cli->progname, path);
	form_diags_reset(&d);
	return rc;
}

/* The end of a local date (23:59:59) as Unix seconds. */
static int64_t
day_end(const char *date)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = atoi(date) - 1900;
	tm.tm_mon = atoi(date + 5) - 1;
	tm.tm_mday = atoi(date + 8);
	tm.tm_hour = 23;
	tm.tm_min = 59;
	tm.tm_sec = 59;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* The default cutoff: the 10th of the month after ym. */
static void
default_cutoff(int ym, char out[CASE_DATE_LEN])
{
	int y = ym / 100, m = ym % 100 + 1;

	if (m == 13) {
		m = 1;
		y++;
	}
	snprintf(out, CASE_DATE_LEN, "%04d-%02d-10", y, m);
}

static void
day_of(int64_t t, char out[CASE_DATE_LEN])
{
	char iso[32];

	ds_time_iso(t, iso);
	snprintf(out, CASE_DATE_LEN, "%.10s", iso);
}

/* Names: --forms, else the form's directory, else DIR/forms, else the
 * shipped lists. */
static void
forms_dir(const struct cli *cli, struct ropts *o, char forms[4096],
    char form[4096], int want_form)
{
	char *slash;

	if (o->forms == NULL && o->form != NULL) {
		snprintf(forms, 4096, "%s", o->form);
		if ((slash = strrchr(forms, '/')) != NULL) {
			*slash = '\0';
			o->forms = forms;
		} else
			o->forms = ".";
	}
	if (o->forms == NULL && snprintf(forms, 4096, "%s/forms",
	    cli->office_dir) < 4096 && ds_path_exists(forms))
		o->forms = forms;
	if (o->forms == NULL && ds_share_dir(DS_SHARE_FORMS, forms, 4096) ==
	    0 && ds_path_exists(forms))
		o->forms = forms;
	if (want_form && o->form == NULL && o->forms != NULL &&
	    snprintf(form, 4096, "%s/household.md", o->forms) < 4096 &&
	    ds_path_exists(form))
		o->form = form;
}

static int
month_arg(const char *s, int *ym)
{
	int y, m;

	if (report_month_parse(s, &y, &m) != 0)
		return -1;
	*ym = y * 100 + m;
	return 0;
}

/* monthly and period */
static int
case_report(const struct cli *cli, struct office *off, struct ropts *o,
    int monthly, struct report_table **t)
{
	struct report_case_opts co;
	struct report_case_info info;
	struct ds_err err;
	char cut[CASE_DATE_LEN], title[512], extra[256], d[CASE_DATE_LEN],
	    month[8], *csv = NULL;
	enum ds_status st;
	size_t len;
	int found;
	int64_t fa;

	memset(&co, 0, sizeof(co));
	if (monthly) {
		if (month_arg(o->month, &co.from_ym) != 0)
			return -1;
		co.to_ym = co.from_ym;
	} else if (month_arg(o->from, &co.from_ym) != 0 ||
	    month_arg(o->to, &co.to_ym) != 0 || co.to_ym < co.from_ym)
		return -1;
	if (o->cutoff != NULL) {
		if (ocase_date(o->cutoff, cut) != 0)
			return -1;
	} else
		default_cutoff(co.to_ym, cut);
	co.cutoff = day_end(cut);
	co.area = o->area;
	co.forms_dir = o->forms;
	co.tr = tr;
	ds_err_clear(&err);
	snprintf(month, sizeof(month), "%04d-%02d", co.from_ym / 100,
	    co.from_ym % 100);
	if (o->freeze) {
		if ((st = odb_freeze_get(off->db, month, &found, &fa, d,
		    &err)) != DS_OK)
			return ocase_fail_err(cli, "report", &err,
			    "%s", err.msg);
		if (found) {
			day_of(fa, d);
			return ocase_fail(cli, "report", _("%s was frozen on %s: "
			    "its report is the copy submitted then, and later "
			    "changes show in the next month as corrections. "
			    "Nothing was changed."), month, d);
		}
	}
	if ((st = report_case(off->db, &co, t, &info, &err)) != DS_OK)
		return ocase_fail_db(cli, "report", &err, "%s",
		    _("The report could not be made."));
	day_of(info.cutoff, d);
	if (monthly)
		snprintf(title, sizeof(title), _("Monitoring report %04d-%02d: "
		    "households identified and eliminated as approved in the "
		    "month, recorded by %s"), co.from_ym / 100, co.from_ym % 100,
		    d);
	else
		snprintf(title, sizeof(title), _("Monitoring report %04d-%02d "
		    "to %04d-%02d: households identified and eliminated as "
		    "approved in these months, recorded by %s"),
		    co.from_ym / 100, co.from_ym % 100, co.to_ym / 100,
		    co.to_ym % 100, d);
	extra[0] = '\0';
	if (info.frozen) {
		day_of(info.frozen_at, d);
		snprintf(extra, sizeof(extra), _(" (the copy frozen on %s)"), d);
		strncat(title, extra, sizeof(title) - strlen(title) - 1);
	}
	if (!info.bands)
		strncat(title, _(" (signal bands not set: no lights)"),
		    sizeof(title) - strlen(title) - 1);
	if (o->area != NULL && *o->area != '\0') {
		snprintf(extra, sizeof(extra), _(" (area %s)"), o->area);
		strncat(title, extra, sizeof(title) - strlen(title) - 1);
	}
	report_table_set_title(*t, title);
	if (!o->freeze)
		return 0;
	if ((st = report_csv(*t, &csv, &len, &err)) != DS_OK)
		return ocase_fail_err(cli, "report", &err, "%s", err.msg);
	if ((st = odb_begin(off->db, &err)) == DS_OK) {
		st = odb_freeze_put(off->db, month, ds_now(), cut, csv, len,
		    &err);
		if (st == DS_OK)
			st = odb_commit(off->db, &err);
		else
			odb_rollback(off->db);
	}
	ds_free(csv);
	if (st != DS_OK)
		return ocase_fail_db(cli, "report", &err, "%s",
		    _("The month could not be frozen. Nothing was "
		    "changed."));
	printf(_("%s is frozen: this copy is the one submitted.\n"), month);
	return 0;
}

static int
office_report(const struct cli *cli, int argc, char **argv)
{
	struct report_quality_opts qo;
	struct report_cover_opts vo;
	struct report_time_opts to;
	struct report_table *t = NULL;
	struct office off;
	struct form *f = NULL;
	struct eng_form *cf = NULL;
	struct ds_err err;
	struct ropts o;
	struct ocase_opt opts[] = {
		{ "--month", &o.month, NULL }, { "--from", &o.from, NULL },
		{ "--to", &o.to, NULL }, { "--cutoff", &o.cutoff, NULL },
		{ "--round", &o.round, NULL }, { "--area", &o.area, NULL },
		{ "--forms", &o.forms, NULL }, { "--out", &o.out, NULL },
		{ "--form", &o.form, NULL }, { "--freeze", NULL, &o.freeze },
		{ "--township", &o.township, NULL },
	};
	enum ds_status st;
	char forms[4096], form[4096], today[CASE_DATE_LEN], title[512];
	const char *kind;
	size_t npos;
	int rc = CMD_EXIT_FAIL, r;

	memset(&off, 0, sizeof(off));
	memset(&o, 0, sizeof(o));
	if (argc < 2)
		return cmd_usage(cli, &ocmd_report_entry);
	if (office_need_dir(cli, &ocmd_report_entry) != 0)
		return CMD_EXIT_USAGE;
	kind = argv[1];
	if (ocase_args(argc, argv, 2, opts, sizeof(opts) / sizeof(opts[0]),
	    NULL, 0, &npos) != 0)
		return cmd_usage(cli, &ocmd_report_entry);
	/* What each report takes. */
	if (strcmp(kind, "monthly") == 0) {
		if (o.month == NULL || o.out == NULL || o.from != NULL ||
		    o.round != NULL || o.form != NULL)
			return cmd_usage(cli, &ocmd_report_entry);
	} else if (strcmp(kind, "period") == 0) {
		if (o.from == NULL || o.to == NULL || o.out == NULL ||
		    o.month != NULL || o.freeze || o.round != NULL)
			return cmd_usage(cli, &ocmd_report_entry);
	} else if (strcmp(kind, "coverage") == 0) {
		if (o.round == NULL || o.out == NULL || o.month != NULL ||
		    o.freeze)
			return cmd_usage(cli, &ocmd_report_entry);
	} else if (strcmp(kind, "quality") == 0) {
		if (o.month != NULL || o.freeze || o.round != NULL ||
		    o.from != NULL)
			return cmd_usage(cli, &ocmd_report_entry);
	} else if (strcmp(kind, "timeliness") == 0) {
		if (o.out == NULL || o.month != NULL || o.freeze ||
		    (o.from == NULL) != (o.to == NULL))
			return cmd_usage(cli, &ocmd_report_entry);
	} else
		return cmd_usage(cli, &ocmd_report_entry);
	forms_dir(cli, &o, forms, form, strcmp(kind, "quality") == 0);
	ds_json_init();
	ds_err_clear(&err);
	if (strcmp(kind, "quality") == 0 && o.form != NULL &&
	    load_form(cli, o.form, &f, &cf) != 0)
		return CMD_EXIT_FAIL;
	if ((r = office_open_county(cli, &ocmd_report_entry, &off,
	    o.township)) != 0) {
		rc = r;
		goto out;
	}
	/* The county reads: what writes or opens answers is a township's. */
	if (odb_is_county(off.db) && (o.freeze ||
	    strcmp(kind, "quality") == 0)) {
		rc = ocase_fail(cli, "report", "%s", o.freeze ?
		    _("A month is frozen by its township: the county's role "
		    "reads only. Nothing was changed.") :
		    _("The quality ledger is kept by each township (it opens "
		    "the answers with the township's key): run it as the "
		    "township."));
		goto out;
	}
	st = DS_OK;
	if (strcmp(kind, "monthly") == 0 || strcmp(kind, "period") == 0) {
		r = case_report(cli, &off, &o, strcmp(kind, "monthly") == 0,
		    &t);
		if (r < 0) {
			fprintf(stderr, _("%s: report: months are YYYY-MM (the "
			    "first not after the last) and dates YYYY-MM-DD\n"),
			    cli->progname);
			rc = cmd_usage(cli, &ocmd_report_entry);
			goto out;
		}
		if (r > 0)
			goto out;
	} else if (strcmp(kind, "coverage") == 0) {
		memset(&vo, 0, sizeof(vo));
		vo.round = o.round;
		vo.area = o.area;
		vo.forms_dir = o.forms;
		case_today(today);
		vo.today = today;
		vo.tr = tr;
		if ((st = report_coverage(off.db, &vo, &t, &err)) == DS_ENOENT) {
			rc = ocase_fail(cli, "report", _("There is no screening "
			    "round %s (see case round list)."), o.round);
			goto out;
		}
		snprintf(title, sizeof(title), _("Screening coverage, round %s"),
		    o.round);
		if (st == DS_OK)
			report_table_set_title(t, title);
	} else if (strcmp(kind, "quality") == 0) {
		memset(&qo, 0, sizeof(qo));
		qo.area = o.area;
		qo.forms_dir = o.forms;
		qo.form = cf;
		qo.tr = tr;
		qo.note_tr = i18n_note;
		if ((st = odb_begin(off.db, &err)) == DS_OK) {
			st = report_quality(off.db, &qo, &t, &err);
			if (st == DS_OK)
				st = odb_commit(off.db, &err);
			else
				odb_rollback(off.db);
		}
		if (st == DS_OK)
			report_table_set_title(t, _("Quality ledger"));
	} else {
		memset(&to, 0, sizeof(to));
		if (o.from != NULL && (month_arg(o.from, &to.from_ym) != 0 ||
		    month_arg(o.to, &to.to_ym) != 0)) {
			rc = cmd_usage(cli, &ocmd_report_entry);
			goto out;
		}
		to.area = o.area;
		to.forms_dir = o.forms;
		to.tr = tr;
		st = report_timeliness(off.db, &to, &t, &err);
		if (st == DS_OK)
			report_table_set_title(t, _("Timeliness of the visits: "
			    "days to finalize and to reach the office"));
	}
	if (st == DS_OK && o.out != NULL)
		st = report_write(t, o.out, &err);
	if (st != DS_OK) {
		rc = ocase_fail_db(cli, "report", &err, "%s",
		    _("The report could not be made."));
		goto out;
	}
	if (o.out != NULL)
		printf(_("Report written: %s (%zu rows).\n"), o.out,
		    report_table_nrows(t));
	else
		print_text(t);
	rc = CMD_EXIT_OK;
out:
	report_table_free(t);
	ocase_close(&off);
	eng_form_free(cf);
	form_free(f);
	return rc;
}

const struct cmd_entry ocmd_report_entry = {
	"report",
	"monthly --month YYYY-MM [--cutoff D] [--freeze] --out FILE"
	" | period --from YYYY-MM --to YYYY-MM [--cutoff D] --out FILE"
	" | coverage --round NAME --out FILE"
	" | quality [--form FILE] [--out FILE]"
	" | timeliness [--from YYYY-MM --to YYYY-MM] --out FILE"
	"  [--area CODE] [--forms DIR] [--township CODE]",
	N_("reports from the case: monthly, period, coverage, quality ledger"),
	office_report,
	N_("Options:\n"
	    "  monthly --month YYYY-MM\n"
	    "      households identified and eliminated as approved in the\n"
	    "      month; --cutoff YYYY-MM-DD leaves out what was recorded\n"
	    "      later (default the 10th of the next month); --freeze\n"
	    "      keeps this copy as the one submitted\n"
	    "  period --from YYYY-MM --to YYYY-MM\n"
	    "      the same over several months (bimonthly, quarterly)\n"
	    "  coverage --round NAME\n"
	    "      a screening round: the register against the visits\n"
	    "  quality\n"
	    "      the problem ledger (printed without --out); --form FILE\n"
	    "      re-checks records with this form\n"
	    "  timeliness\n"
	    "      days from visit to finalize and to the office\n"
	    "  --area CODE\n"
	    "      only this township or village\n"
	    "  --forms DIR\n"
	    "      township.csv and village.csv for area names\n"
	    "  --out FILE.xlsx|FILE.csv\n"
	    "      write the report to this file\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office report monthly --month 2026-05 \\\n"
	    "      --out 2026-05.xlsx\n")
};
