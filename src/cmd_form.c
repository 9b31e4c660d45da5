/* doorstep: `doorstep form check FILE...` and `doorstep form install FILE`. */
/*
 * check: for each file, load it (markdown, xlsx or xls), compile it for
 * the engine, print every diagnostic like a compiler, then one summary
 * line.  Exit 1 when any file has an error, 64 without files.
 * install: the same check, then the form and the CSV lists beside it go
 * into the workspace (WORKSPACE/forms/ID/VERSION/), where new records and
 * the terminal app find it.
 */
#include "cmd.h"
#include "cmd_ws.h"

#include <stdio.h>
#include <string.h>

#include "eng.h"
#include "form.h"
#include "i18n.h"
#include "i18n_diag.h"
#include "ws.h"
#include "xls.h"

extern const struct cmd_entry cmd_form_check_entry, cmd_form_install_entry;

static void
summary(const struct form *f, const char *path)
{
	size_t i, n, nq = 0, ng = 0, nr = 0, nrange = 0, nlikert = 0;
	size_t used;
	char langs[1024];	/* truncated past this: a summary line */
	int t, w;

	for (i = 0; i < f->nnodes; i++)
		switch (f->nodes[i]->type) {
		case FT_ROOT:
			break;
		case FT_GROUP:
			ng++;
			break;
		case FT_REPEAT:
			nr++;
			break;
		default:
			nq++;
			break;
		}
	langs[0] = '\0';
	for (i = 0, used = 0; i < f->nlangs && used < sizeof(langs); i++) {
		w = snprintf(langs + used, sizeof(langs) - used, "%s%s",
		    i ? ", " : "", f->langs[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	/* A loaded form always has a version (made from its content when
	 * the settings have none). */
	printf(_("%s: form %s version %s: %zu questions, %zu groups, "
	    "%zu repeats, %zu lists, %zu languages (%s)\n"), path, f->id,
	    f->version, nq, ng, nr, f->nlists, f->nlangs, langs);
	if (f->version_derived)
		printf(_("%s: no version setting: the version is %s, made "
		    "from the form's content; set one in the settings sheet "
		    "to choose it\n"), path, f->version);
	/* Types a terminal does not capture the usual way: how each is
	 * handled (issue 15). */
	for (t = 0; t < FT_GROUP; t++) {
		const char *note = i18n_form_type_note((enum form_type)t);

		for (i = 0, n = 0; i < f->nnodes && note != NULL; i++)
			if ((int)f->nodes[i]->type == t)
				n++;
		if (n > 0)
			printf(_("%s: %s (%zu): %s\n"), path,
			    form_type_name((enum form_type)t), n, note);
	}
	for (i = 0; i < f->nnodes; i++) {
		nrange += f->nodes[i]->range != 0;
		nlikert += f->nodes[i]->type == FT_SELECT_ONE &&
		    form_has_appearance(f->nodes[i], "likert");
	}
	if (nrange > 0)
		printf(_("%s: %s (%zu): %s\n"), path, "range", nrange,
		    i18n_form_range_note());
	if (nlikert > 0)
		printf(_("%s: %s (%zu): %s\n"), path, "likert", nlikert,
		    i18n_form_likert_note());
}

/* Check path like form check; 0 and *fp (the caller's) when it has no
 * error. */
static int
check_file(const char *path, struct form **fp)
{
	struct form_diags d;
	struct form *f = NULL;
	struct eng_form *cf = NULL;
	char line[1024];
	size_t i;
	int bad;

	form_diags_init(&d);
	(void)form_load_file(path, &f, &d);
	if (f != NULL)
		(void)eng_compile(f, &cf, &d);
	for (i = 0; i < d.n; i++) {
		i18n_form_diag(&d.v[i], line, sizeof(line));
		fprintf(d.v[i].is_error ? stderr : stdout, "%s\n", line);
	}
	bad = d.nerrors > 0 || f == NULL || cf == NULL;
	if (!bad)
		summary(f, path);
	else
		fprintf(stderr, _("%s: %zu error(s)\n"), path,
		    d.nerrors ? d.nerrors : 1);
	eng_form_free(cf);
	if (fp != NULL && !bad)
		*fp = f;
	else
		form_free(f);
	form_diags_reset(&d);
	return bad;
}

static int
check_one(const char *path)
{
	return check_file(path, NULL);
}

static int
form_check_exec(const struct cli *cli, int argc, char **argv)
{
	int i, bad = 0;

	if (argc < 2)
		return cmd_usage(cli, &cmd_form_check_entry);
	ds_json_init();
	for (i = 1; i < argc; i++)
		bad |= check_one(argv[i]);
	return bad ? CMD_EXIT_FAIL : CMD_EXIT_OK;
}

const struct cmd_entry cmd_form_check_entry = {
	"form check",
	"FILE...",
	N_("load and check forms; print every error and a summary"),
	form_check_exec,
	N_("Options:\n"
	    "  FILE...\n"
	    "      forms (.xlsx, .xls or pyxform .md), with their CSV lists\n"
	    "      beside them\n"
	    "\n"
	    "Example:\n"
	    "  doorstep form check forms/household.md\n")
};

static int
form_install_exec(const struct cli *cli, int argc, char **argv)
{
	struct form *f = NULL;
	struct ws *w = NULL;
	struct ds_err err;
	int rc;

	if (argc != 2)
		return cmd_usage(cli, &cmd_form_install_entry);
	ds_json_init();
	if (check_file(argv[1], &f) != 0) {
		fprintf(stderr, _("%s: the form has errors and was not "
		    "installed. Fix them (doorstep form check) and install it "
		    "again.\n"), argv[1]);
		return CMD_EXIT_FAIL;
	}
	if ((rc = cmdw_open(cli, &w)) != 0) {
		form_free(f);
		return rc;
	}
	ds_err_clear(&err);
	rc = CMD_EXIT_OK;
	if (ws_form_install_file(ws_dir(w), argv[1], f, &err) == DS_OK)
		printf(_("Form %s version %s installed in the workspace; new "
		    "records use it.\n"), f->id, f->version);
	else {
		if (err.code == DS_EEXIST)
			fprintf(stderr, _("%s: form %s version %s is already "
			    "installed with other content, and a version never "
			    "changes. Give the changed form a new version in its "
			    "settings sheet and install it again.\n"), argv[1],
			    f->id, f->version);
		else
			fprintf(stderr, _("%s: the form was not installed "
			    "(%s). The records in the workspace are not "
			    "affected.\n"), argv[1], err.msg);
		rc = CMD_EXIT_FAIL;
	}
	ws_close(w);
	form_free(f);
	return rc;
}

const struct cmd_entry cmd_form_install_entry = {
	"form install",
	"FILE",
	N_("check a form and install it, with its CSV lists, in the "
	    "workspace"),
	form_install_exec,
	N_("Options:\n"
	    "  FILE\n"
	    "      a form (.xlsx, .xls or pyxform .md) that passes form check;\n"
	    "      its CSV lists are read from beside it. Forms published by\n"
	    "      the office arrive with doorstep sync without this.\n"
	    "\n"
	    "Example:\n"
	    "  doorstep form install /media/usb/household.xlsx\n")
};
