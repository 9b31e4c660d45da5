/* doorstep-office export: current records for clerks and analysts. */
/*
 *   export --format xlsx|csv|dta|sav --out PATH [--lang zh|en] [--codes]
 *          [--form FILE | --forms DIR] [--repeat NAME]
 *
 * Labels, choice names and types come from the form: --form FILE, else
 * FORMS/household.md with FORMS = --forms, DIR/forms or the shipped forms
 * (util.h ds_share_dir).  Without a form found, the columns are the answer
 * names and the values as stored, and the command says so.  The language
 * of the labels is the user's (--lang, DOORSTEP_LANG, the locale).  The
 * words that are not the form's come from here, through gettext.  Files
 * are 0600 (export.h).
 */
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "form.h"
#include "i18n.h"
#include "i18n_diag.h"
#include "json.h"
#include "ocmd_util.h"
#include "util.h"
#include "xls.h"

extern const struct cmd_entry ocmd_export_entry;

/* The form for labels: NULL (and a note) when none is found. */
static int
find_form(const struct cli *cli, const char *form, const char *forms,
    struct form **out)
{
	struct form_diags d;
	char dir[4096], path[4200], line[1024];
	size_t i;
	int rc = 0;

	*out = NULL;
	if (form == NULL) {
		if (forms != NULL)
			snprintf(dir, sizeof(dir), "%s", forms);
		else if (snprintf(dir, sizeof(dir), "%s/forms",
		    cli->office_dir) >= (int)sizeof(dir) ||
		    !ds_path_exists(dir))
			(void)ds_share_dir(DS_SHARE_FORMS, dir, sizeof(dir));
		snprintf(path, sizeof(path), "%s/household.md", dir);
		if (!ds_path_exists(path)) {
			fprintf(stderr, _("%s export: no form in %s: columns "
			    "are answer names and values are codes (use --form "
			    "FILE)\n"), cli->progname, dir);
			return 0;
		}
		form = path;
	}
	form_diags_init(&d);
	if (form_load_file(form, out, &d) != DS_OK) {
		for (i = 0; i < d.n; i++)
			if (d.v[i].is_error) {
				i18n_form_diag(&d.v[i], line, sizeof(line));
				fprintf(stderr, "%s\n", line);
			}
		fprintf(stderr, _("%s export: cannot load the form %s\n"),
		    cli->progname, form);
		rc = -1;
	}
	form_diags_reset(&d);
	return rc;
}

static int
office_export(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct export_stats s;
	struct export_opts eo;
	struct export_words w;
	struct form *f = NULL;
	struct ds_err err;
	const char *fmt = NULL, *out = NULL, *repeat = NULL, *form = NULL;
	const char *forms = NULL;
	int i, rc, codes = 0;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--codes") == 0) {
			codes = 1;
			memmove(&argv[i], &argv[i + 1],
			    (size_t)(argc - i) * sizeof(*argv));
			argc--;
			i--;
		}
	if (office_opt(&argc, argv, "--format", &fmt) == -1 ||
	    office_opt(&argc, argv, "--out", &out) == -1 ||
	    office_opt(&argc, argv, "--repeat", &repeat) == -1 ||
	    office_opt(&argc, argv, "--form", &form) == -1 ||
	    office_opt(&argc, argv, "--forms", &forms) == -1 || argc != 1 ||
	    fmt == NULL || out == NULL)
		return cmd_usage(cli, &ocmd_export_entry);
	memset(&eo, 0, sizeof(eo));
	if (strcmp(fmt, "csv") == 0)
		eo.fmt = EXPORT_CSV;
	else if (strcmp(fmt, "xlsx") == 0)
		eo.fmt = EXPORT_XLSX;
	else if (strcmp(fmt, "dta") == 0)
		eo.fmt = EXPORT_DTA;
	else if (strcmp(fmt, "sav") == 0)
		eo.fmt = EXPORT_SAV;
	else
		return cmd_usage(cli, &ocmd_export_entry);
	if ((rc = office_need_dir(cli, &ocmd_export_entry)) != 0)
		return rc;
	ds_json_init();
	if (find_form(cli, form, forms, &f) != 0)
		return CMD_EXIT_FAIL;
	if ((rc = office_open(cli, &ocmd_export_entry, &o, 1)) != 0) {
		form_free(f);
		return rc;
	}
	memset(&w, 0, sizeof(w));
	w.meta[0] = _("Record id");
	w.meta[1] = _("Household key");
	w.meta[2] = _("Form");
	w.meta[3] = _("Form version");
	w.meta[4] = _("Revision");
	w.meta[5] = _("Worker");
	w.meta[6] = _("Saved at");
	w.member_no = _("Member no.");
	w.sheet[0] = _("Households");
	w.sheet[1] = _("Members");
	w.sheet[2] = _("Codebook");
	w.book[0] = _("Table");
	w.book[1] = _("Name");
	w.book[2] = _("Label");
	w.book[3] = _("Type");
	w.book[4] = _("Code");
	w.book[5] = _("Code label");
	eo.path = out;
	eo.repeat = repeat;
	eo.form = f;
	eo.lang = strncmp(cli->lang, "zh", 2) == 0 ? "zh" : "en";
	eo.codes = codes;
	eo.words = &w;
	ds_err_clear(&err);
	if (export_heads(o.db, &eo, &s, &err) != DS_OK) {
		office_close(&o);
		form_free(f);
		return office_fail_err(cli, "export", &err);
	}
	office_close(&o);
	form_free(f);
	printf(_("exported %zu households and %zu members to %s\n"),
	    s.households, s.members, out);
	if (*s.members_path != '\0')
		printf(_("  members: %s\n"), s.members_path);
	if (*s.codebook_path != '\0')
		printf(_("  codebook: %s\n"), s.codebook_path);
	if (s.media > 0)
		printf(_("  attached files: %zu in %s\n"), s.media,
		    s.media_dir);
	printf(_("The files hold personal data (mode 0600): keep them off "
	    "shared folders.\n"));
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_export_entry = {
	"export",
	"--format xlsx|csv|dta|sav --out PATH [--lang zh|en] [--codes]"
	    " [--form FILE | --forms DIR] [--repeat NAME]",
	N_("export the current records: households, members, codebook"),
	office_export,
	N_("Options:\n"
	    "  --format xlsx|csv|dta|sav\n"
	    "      xlsx: one workbook (households, members, codebook); csv:\n"
	    "      PATH, STEM-members.csv, STEM-codebook.csv; dta (Stata),\n"
	    "      sav (SPSS): PATH and STEM-members, labelled\n"
	    "  --out PATH\n"
	    "      the file to write (mode 0600: it holds personal data)\n"
	    "  --lang zh|en\n"
	    "      the language of the column and choice labels\n"
	    "  --codes\n"
	    "      keep the choice codes instead of their labels\n"
	    "  --form FILE, --forms DIR\n"
	    "      the form that gives labels and types (default\n"
	    "      DIR/forms/household.md, else the shipped form)\n"
	    "  --repeat NAME\n"
	    "      the member repeat (default member)\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office export --format xlsx --out households.xlsx\n")
};
