/* doorstep: `doorstep-office publish FORM_FILE`, send a form version. */
/*
 * The form must pass `doorstep form check` (load and compile, no error)
 * and carry a version in its settings.  Its CSV lists (select_*_from_file,
 * the lists pulldata reads) are read from the form's folder.  The version
 * is recorded and queued for every enrolled laptop; laptops whose box key
 * is known get it in an office bundle at once.
 */
#include <stdio.h>
#include <string.h>

#include "assign.h"
#include "eng.h"
#include "form.h"
#include "i18n.h"
#include "i18n_diag.h"
#include "mem.h"
#include "obundle.h"
#include "ocmd_util.h"
#include "util.h"
#include "xls.h"

extern const struct cmd_entry ocmd_publish_entry;

/* The form, then each CSV list file once. */
struct pubfiles {
	struct assign_file	 v[OBUNDLE_FILES_MAX];
	char			*names[OBUNDLE_FILES_MAX];
	char			*bytes[OBUNDLE_FILES_MAX];
	size_t			 n;
};

static void
pubfiles_free(struct pubfiles *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		ds_free(p->names[i]);
		ds_free(p->bytes[i]);
	}
	p->n = 0;
}

static int
pubfiles_add(struct pubfiles *p, const char *dir, const char *name, int role,
    struct ds_err *err)
{
	char path[4096];
	size_t i, len;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->names[i], name) == 0)
			return 0;
	if (p->n == OBUNDLE_FILES_MAX) {
		ds_err_set(err, DS_ELIMIT, "more than %d files",
		    OBUNDLE_FILES_MAX);
		return -1;
	}
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path) || ds_file_read(path, OBUNDLE_FORM_FILE_MAX,
	    &p->bytes[p->n], &len, err) != DS_OK)
		return -1;
	if ((p->names[p->n] = ds_strdup(name)) == NULL) {
		ds_free(p->bytes[p->n]);
		ds_err_set(err, DS_ENOMEM, NULL);
		return -1;
	}
	p->v[p->n].name = p->names[p->n];
	p->v[p->n].role = role;
	p->v[p->n].bytes = (const unsigned char *)p->bytes[p->n];
	p->v[p->n].len = len;
	p->n++;
	return 0;
}

/* Load and compile like `form check`; print its errors.  0 if clean. */
static int
check_form(const struct cli *cli, const char *path, struct form **f)
{
	struct form_diags d;
	struct eng_form *cf = NULL;
	char line[1024];
	size_t i;
	int bad;

	form_diags_init(&d);
	(void)form_load_file(path, f, &d);
	if (*f != NULL)
		(void)eng_compile(*f, &cf, &d);
	for (i = 0; i < d.n; i++)
		if (d.v[i].is_error) {
			i18n_form_diag(&d.v[i], line, sizeof(line));
			fprintf(stderr, "%s\n", line);
		}
	bad = d.nerrors > 0 || *f == NULL || cf == NULL;
	if (bad)
		fprintf(stderr, _("%s publish: %s has errors (as `doorstep form "
		    "check` shows): nothing was published.\n"), cli->progname,
		    path);
	eng_form_free(cf);
	form_diags_reset(&d);
	return bad;
}

static int
office_publish(const struct cli *cli, int argc, char **argv)
{
	struct pubfiles *p = NULL;
	struct assign_pub res;
	struct office o;
	struct form *f = NULL;
	struct ds_err err;
	char dir[4096];
	const char *base, *slash;
	enum ds_status st;
	size_t i;
	int rc = CMD_EXIT_FAIL, say = 0;

	if (argc != 2)
		return cmd_usage(cli, &ocmd_publish_entry);
	if (check_form(cli, argv[1], &f) != 0)
		goto out;
	if (f->version == NULL || f->version[0] == '\0') {
		fprintf(stderr, _("%s publish: %s has no version in its "
		    "settings sheet: give it one (for example 2026120701) and "
		    "raise it with every change. Nothing was published.\n"),
		    cli->progname, argv[1]);
		goto out;
	}
	if ((p = ds_calloc(1, sizeof(*p))) == NULL)
		goto out;
	slash = strrchr(argv[1], '/');
	base = slash != NULL ? slash + 1 : argv[1];
	snprintf(dir, sizeof(dir), "%.*s", slash != NULL ?
	    (int)(slash - argv[1]) : 1, slash != NULL ? argv[1] : ".");
	ds_err_clear(&err);
	say = 1;	/* from here a failure says err.msg */
	if (pubfiles_add(p, dir, base, OB_ROLE_FORM, &err) != 0)
		goto out;
	for (i = 0; i < f->nlists; i++)
		if (f->lists[i].file != NULL && pubfiles_add(p, dir,
		    f->lists[i].file, OB_ROLE_LIST, &err) != 0)
			goto out;
	if ((rc = office_open(cli, &ocmd_publish_entry, &o, 1)) != 0) {
		say = 0;
		goto out;
	}
	rc = CMD_EXIT_FAIL;
	if ((st = odb_begin(o.db, &err)) == DS_OK &&
	    (st = assign_publish(o.db, o.sec, f->id, f->version, f->title ?
	    f->title : "", p->v, p->n, &res, &err)) == DS_OK)
		st = odb_commit(o.db, &err);
	else
		odb_rollback(o.db);
	office_close(&o);
	if (st == DS_EEXIST) {
		say = 0;
		fprintf(stderr, _("%s publish: form %s version %s was published "
		    "before with other files. A changed form needs a new "
		    "version in its settings sheet. Nothing was published.\n"),
		    cli->progname, f->id, f->version);
		goto out;
	}
	if (st != DS_OK)
		goto out;
	say = 0;
	printf(_("Form %s version %s (%zu file(s)) is published.\n"), f->id,
	    f->version, p->n);
	if (res.same)
		printf(_("It was published before with the same files.\n"));
	printf(_("Queued for %zu laptop(s); %zu office bundle(s) sealed.\n"),
	    res.devices, res.bundles);
	if (res.waiting > 0)
		printf(_("%zu laptop(s) have not synced since enrollment: they "
		    "get it after their next `doorstep sync` or USB export.\n"),
		    res.waiting);
	rc = CMD_EXIT_OK;
out:
	if (say && err.code == DS_ENOSPC)
		(void)office_fail_full(cli, "publish", &err);
	else if (say)
		fprintf(stderr, _("%s publish: %s\nNothing was published.\n"),
		    cli->progname, err.msg);
	if (p != NULL)
		pubfiles_free(p);
	ds_free(p);
	form_free(f);
	return rc;
}

const struct cmd_entry ocmd_publish_entry = {
	"publish",
	"FORM_FILE",
	N_("send a form version and its CSV lists to every laptop"),
	office_publish,
	N_("Options:\n"
	    "  FORM_FILE\n"
	    "      the form (.md or .xlsx), checked as `doorstep form check`\n"
	    "      does; its CSV lists are read from the same folder\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office publish forms/household.md\n")
};
