/* doorstep: `doorstep-office report monthly|quality`, the office reports. */
/*
 *   report monthly --month YYYY-MM [--area CODE] [--forms DIR] --out FILE
 *   report quality [--area CODE] [--forms DIR] [--form FILE] [--out FILE]
 *
 * Reads DIR/office.db (only the current heads, opened with the office
 * secret key: the answers are sealed) and writes the report as
 * CSV or XLSX by the file's suffix (report.h).  The problem data list
 * without --out is printed as text, one problem per line.  Area names come
 * from township.csv and village.csv in --forms DIR (default DIR/forms when
 * it exists, else the shipped forms, util.h ds_share_dir); without them the
 * report shows codes only.  The problem
 * list re-checks records with the form --form FILE (default
 * FORMS/household.md when it exists) through the interview engine.
 * Definitions: docs/reports.md.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "eng.h"
#include "form.h"
#include "i18n.h"
#include "json.h"
#include "ocmd_util.h"
#include "odb.h"
#include "report.h"
#include "util.h"
#include "xls.h"

extern const struct cmd_entry ocmd_report_entry;

struct ropts {
	const char	*month, *area, *forms, *out, *form;
};

#define NOPTS	5

/* --name VALUE or --name=VALUE; -1 on an unknown option or a missing value. */
static int
parse(int argc, char **argv, struct ropts *o)
{
	static const char *const names[NOPTS] = { "--month", "--area",
	    "--forms", "--out", "--form" };
	const char **vals[NOPTS];
	size_t i, n;
	int a;

	memset(o, 0, sizeof(*o));
	vals[0] = &o->month;
	vals[1] = &o->area;
	vals[2] = &o->forms;
	vals[3] = &o->out;
	vals[4] = &o->form;
	for (a = 2; a < argc; a++) {
		for (i = 0; i < NOPTS; i++) {
			n = strlen(names[i]);
			if (strncmp(argv[a], names[i], n) != 0)
				continue;
			if (argv[a][n] == '=') {
				*vals[i] = argv[a] + n + 1;
				break;
			}
			if (argv[a][n] == '\0' && a + 1 < argc) {
				*vals[i] = argv[++a];
				break;
			}
		}
		if (i == NOPTS)
			return -1;
	}
	return 0;
}

static void
print_text(const struct report_table *t)
{
	size_t r, c;

	printf("%s\n", report_table_title(t));
	for (r = 0; r < report_table_nrows(t); r++) {
		for (c = 0; c < report_table_ncols(t); c++) {
			const char *s = report_table_cell(t, r, c);

			/* Codes are for machines; the printed list has names. */
			if (c == 0 || c == 2)
				continue;
			printf("%s%s", c > 1 ? "  " : "", *s ? s : "-");
		}
		printf("\n");
	}
	if (report_table_nrows(t) == 0)
		printf("没有待处理的问题数据。\nNo open problems.\n");
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
			form_diag_format(&d.v[i], line, sizeof(line));
			fprintf(stderr, "%s\n", line);
		}
	if (rc != 0)
		fprintf(stderr, "%s: report: cannot load form %s\n",
		    cli->progname, path);
	form_diags_reset(&d);
	return rc;
}

static int
office_report(const struct cli *cli, int argc, char **argv)
{
	struct report_monthly_opts mo;
	struct report_quality_opts qo;
	struct report_table *t = NULL;
	struct office off;
	struct odb *db = NULL;
	struct form *f = NULL;
	struct eng_form *cf = NULL;
	struct ds_err err;
	struct ropts o;
	enum ds_status st;
	char forms[4096], form[4096], *slash;
	int monthly, rc = CMD_EXIT_FAIL;

	memset(&off, 0, sizeof(off));
	if (argc < 2)
		return cmd_usage(cli, &ocmd_report_entry);
	if (office_need_dir(cli, &ocmd_report_entry) != 0)
		return CMD_EXIT_USAGE;
	monthly = strcmp(argv[1], "monthly") == 0;
	if ((!monthly && strcmp(argv[1], "quality") != 0) ||
	    parse(argc, argv, &o) != 0)
		return cmd_usage(cli, &ocmd_report_entry);
	memset(&mo, 0, sizeof(mo));
	if (monthly && (o.out == NULL || o.month == NULL ||
	    report_month_parse(o.month, &mo.year, &mo.month) != 0)) {
		if (o.month != NULL && o.out != NULL)
			fprintf(stderr, "%s: report: month must be YYYY-MM, "
			    "not '%s'\n", cli->progname, o.month);
		return cmd_usage(cli, &ocmd_report_entry);
	}
	if ((!monthly && o.month != NULL) || (monthly && o.form != NULL))
		return cmd_usage(cli, &ocmd_report_entry);
	/* Names: --forms, else the form's directory, else DIR/forms. */
	if (o.forms == NULL && o.form != NULL) {
		snprintf(forms, sizeof(forms), "%s", o.form);
		if ((slash = strrchr(forms, '/')) != NULL) {
			*slash = '\0';
			o.forms = forms;
		} else
			o.forms = ".";
	}
	if (o.forms == NULL && snprintf(forms, sizeof(forms), "%s/forms",
	    cli->office_dir) < (int)sizeof(forms) && ds_path_exists(forms))
		o.forms = forms;
	/* Last, the lists the programs ship with (/usr/share/doorstep). */
	if (o.forms == NULL && ds_share_dir(DS_SHARE_FORMS, forms,
	    sizeof(forms)) == 0 && ds_path_exists(forms))
		o.forms = forms;
	if (!monthly && o.form == NULL && o.forms != NULL &&
	    snprintf(form, sizeof(form), "%s/household.md", o.forms) <
	    (int)sizeof(form) && ds_path_exists(form))
		o.form = form;
	ds_json_init();
	ds_err_clear(&err);
	if (!monthly && o.form != NULL && load_form(cli, o.form, &f, &cf) != 0)
		return CMD_EXIT_FAIL;
	if (office_open(cli, &ocmd_report_entry, &off, 1) != 0)
		goto out;
	db = off.db;
	if (monthly) {
		mo.area = o.area;
		mo.forms_dir = o.forms;
		st = report_monthly(db, &mo, &t, &err);
	} else {
		memset(&qo, 0, sizeof(qo));
		qo.area = o.area;
		qo.forms_dir = o.forms;
		qo.form = cf;
		st = report_quality(db, &qo, &t, &err);
	}
	if (st == DS_OK && o.out != NULL)
		st = report_write(t, o.out, &err);
	if (st != DS_OK) {
		fprintf(stderr, "%s: report: %s\n", cli->progname, err.msg);
		goto out;
	}
	if (o.out != NULL)
		printf("报表已生成：%s（%zu 行）。\nReport written: %s (%zu rows).\n",
		    o.out, report_table_nrows(t), o.out,
		    report_table_nrows(t));
	else
		print_text(t);
	rc = CMD_EXIT_OK;
out:
	report_table_free(t);
	office_close(&off);
	eng_form_free(cf);
	form_free(f);
	return rc;
}

const struct cmd_entry ocmd_report_entry = {
	"report",
	"monthly --month YYYY-MM [--area CODE] [--forms DIR] --out FILE.xlsx|.csv"
	" | quality [--area CODE] [--forms DIR] [--form FILE] [--out FILE]",
	N_("monthly report, or the problem data list, from the current "
	    "records"),
	office_report,
	N_("Options:\n"
	    "  monthly --month YYYY-MM\n"
	    "      the monthly report for that month (--out required)\n"
	    "  quality\n"
	    "      the problem data list (printed without --out)\n"
	    "  --area CODE\n"
	    "      only this township or village\n"
	    "  --forms DIR\n"
	    "      township.csv and village.csv for area names (default\n"
	    "      DIR/forms)\n"
	    "  --form FILE\n"
	    "      re-check records with this form (quality)\n"
	    "  --out FILE.xlsx|FILE.csv\n"
	    "      write the report to this file\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office report monthly --month 2026-05 \\\n"
	    "      --out 2026-05.xlsx\n")
};
