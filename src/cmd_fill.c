/* doorstep: `doorstep fill FORM --answers FILE.json [--finalize]`. */
/*
 * A whole interview without a screen, for bulk loads and tests.  FORM is a
 * form file, or the id of a form installed in the workspace
 * (WORKSPACE/forms/ID.md or ID.xlsx).  Every answer goes through the
 * engine's checks in form order; every problem is printed as
 * "path: message" and nothing is saved.  Otherwise the record is saved as
 * one revision (finalized with --finalize, when the engine allows it) and
 * its id printed.
 */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

#include "cmd_ws.h"
#include "cry.h"
#include "eng.h"
#include "form.h"
#include "gpsd.h"
#include "i18n.h"
#include "i18n_diag.h"
#include "i18n_eng.h"
#include "json.h"
#include "mem.h"
#include "sess.h"
#include "store.h"
#include "util.h"
#include "ws.h"
#include "xls.h"

#define FILL_ANSWERS_MAX	(4u << 20)

extern const struct cmd_entry cmd_fill_entry;

static int
load_form(const char *arg, const char *wsdir, struct form **f,
    struct eng_form **cf)
{
	struct form_diags d;
	char path[4096], line[1024];
	const char *use = arg;
	size_t i;
	int rc = 0;

	if (!ds_path_exists(arg) && wsdir != NULL) {
		snprintf(path, sizeof(path), "%s/forms/%s.md", wsdir, arg);
		if (!ds_path_exists(path))
			snprintf(path, sizeof(path), "%s/forms/%s.xlsx", wsdir,
			    arg);
		if (!ds_path_exists(path))
			snprintf(path, sizeof(path), "%s/forms/%s.xls", wsdir,
			    arg);
		use = path;
	}
	form_diags_init(&d);
	if (form_load_file(use, f, &d) != DS_OK ||
	    eng_compile(*f, cf, &d) != DS_OK)
		rc = 1;
	for (i = 0; i < d.n; i++)
		if (d.v[i].is_error) {
			i18n_form_diag(&d.v[i], line, sizeof(line));
			fprintf(stderr, "%s\n", line);
		}
	if (rc != 0 && d.nerrors == 0)
		fprintf(stderr, "doorstep fill: cannot load form %s\n", use);
	form_diags_reset(&d);
	return rc;
}

/* Each problem: where, and the engine's note in the chosen language. */
static void
print_issues(const struct eng_issue *v, size_t n, int errors_only)
{
	char words[2048];
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].is_error || !errors_only)
			fprintf(stderr, "%s: %s%s\n", v[i].path[0] ?
			    v[i].path : "(form)", v[i].is_error ? "" :
			    _("warning: "), i18n_note(&v[i].note, words,
			    sizeof(words)));
}

/* Saved, but this household looks entered twice on this laptop: say so. */
static void
twins(struct sess *s)
{
	unsigned char ids[SESS_TWINS_MAX][STORE_ID_BYTES];
	char hex[STORE_UUID_TEXT];
	struct ds_err err;
	size_t n = 0, i;

	ds_err_clear(&err);
	if (sess_twins(s, ids, SESS_TWINS_MAX, &n, &err) != DS_OK) {
		fprintf(stderr, _("doorstep fill: warning: could not look for "
		    "this household's other records: %s\n"), err.msg);
		return;
	}
	for (i = 0; i < n; i++) {
		store_id_text(ids[i], hex);
		fprintf(stderr, _("doorstep fill: warning: this household "
		    "(same household number, visited the same month) is "
		    "already on this laptop as record %s. Both are saved; if "
		    "it was entered twice, keep one. The office's problem list "
		    "shows the pair.\n"), hex);
	}
}

static int
fill_exec(const struct cli *cli, int argc, char **argv)
{
	const char *form_arg = NULL, *answers = NULL;
	struct form *f = NULL;
	struct eng_form *cf = NULL;
	struct ws *ws = NULL;
	struct sess *s = NULL;
	struct eng_opts o;
	struct eng_issue *iv = NULL;
	struct ds_err err;
	json_t *doc = NULL;
	char *text = NULL, dev[33], idtext[STORE_UUID_TEXT];
	char geo[GPSD_TEXT_MAX];
	size_t len = 0, niv = 0;
	int i, finalize = 0, rc = CMD_EXIT_FAIL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--finalize") == 0)
			finalize = 1;
		else if (strcmp(argv[i], "--answers") == 0 && i + 1 < argc)
			answers = argv[++i];
		else if (strncmp(argv[i], "--answers=", 10) == 0)
			answers = argv[i] + 10;
		else if (argv[i][0] != '-' && form_arg == NULL)
			form_arg = argv[i];
		else
			form_arg = NULL, answers = NULL, i = argc;
	}
	if (form_arg == NULL || answers == NULL)
		return cmd_usage(cli, &cmd_fill_entry);
	ds_json_init();
	ds_err_clear(&err);
	if (ds_file_read(answers, FILL_ANSWERS_MAX, &text, &len, &err) !=
	    DS_OK || ds_json_parse(text, len, FILL_ANSWERS_MAX, answers, &doc,
	    &err) != DS_OK) {
		fprintf(stderr, "doorstep fill: %s\n", err.msg);
		goto out;
	}
	/* a form file loads before the passphrase is asked */
	if (ds_path_exists(form_arg) && load_form(form_arg, NULL, &f, &cf))
		goto out;
	if ((i = cmdw_open(cli, &ws)) != 0) {
		rc = i;
		goto out;
	}
	if (cf == NULL && load_form(form_arg, ws_dir(ws), &f, &cf))
		goto out;
	memset(&o, 0, sizeof(o));
	ds_hex_encode(ws_device_id(ws), 16, dev);
	o.deviceid = dev;
	o.username = ws_worker(ws);
	/* The form's texts (the problems printed) in the user's language. */
	o.lang = form_lang_find(f, strncmp(cli->lang, "zh", 2) == 0 ? "zh" :
	    "en");
	/* start-geopoint: the receiver's fix, when gpsd has one */
	for (i = 0; i < (int)f->nnodes; i++)
		if (f->nodes[i]->type == FT_START_GEOPOINT) {
			if (gpsd_read(NULL, GPSD_WAIT_MS, geo, sizeof(geo)) ==
			    DS_OK)
				o.start_geopoint = geo;
			break;
		}
	if (sess_new(ws_store(ws), cf, &o, &s, &err) != DS_OK) {
		rc = cmdw_fail(cli, "fill", &err);
		goto out;
	}
	if (eng_apply_answers(sess_eng(s), doc, &iv, &niv) != DS_OK) {
		print_issues(iv, niv, 0);
		fprintf(stderr, "doorstep fill: %zu problem(s); nothing was "
		    "saved\n", niv);
		goto out;
	}
	if (finalize) {
		eng_issues_free(iv, niv);
		iv = NULL;
		niv = 0;
		if (eng_issues(sess_eng(s), &iv, &niv, NULL) == DS_OK &&
		    niv > 0) {
			print_issues(iv, niv, 0);
			fprintf(stderr, "doorstep fill: cannot finalize: %zu "
			    "problem(s); nothing was saved\n", niv);
			goto out;
		}
		if (sess_finalize(s, &err) != DS_OK) {
			rc = cmdw_fail(cli, "fill", &err);
			goto out;
		}
	} else if (sess_save(s, &err) != DS_OK) {
		rc = cmdw_fail(cli, "fill", &err);
		goto out;
	}
	store_id_text(sess_id(s), idtext);
	printf("%s\n", idtext);
	twins(s);
	rc = CMD_EXIT_OK;
out:
	eng_issues_free(iv, niv);
	sess_free(s);
	ws_close(ws);
	eng_form_free(cf);
	form_free(f);
	if (doc != NULL)
		json_decref(doc);
	if (text != NULL) {
		cry_wipe(text, len);
		ds_free(text);
	}
	return rc;
}

const struct cmd_entry cmd_fill_entry = {
	"fill",
	"FORM --answers FILE.json [--finalize]",
	N_("run a whole interview from an answers file; print the record id"),
	fill_exec,
	N_("Options:\n"
	    "  FORM\n"
	    "      a form file, or the id of a form in the workspace\n"
	    "  --answers FILE.json\n"
	    "      the answers, by question name\n"
	    "  --finalize\n"
	    "      finalize the record (when the form has no errors left)\n"
	    "\n"
	    "Example:\n"
	    "  doorstep fill household --answers household-1.json --finalize\n")
};
