/* doorstep: `doorstep fill`, a whole visit without a screen. */
/*
 * For bulk loads, scripts and tests.  A visit starts from nothing (FORM:
 * a form file, or the id of a form installed in the workspace, its
 * newest version), from an entry of the office's visit list
 * (--assignment), as a correction of a finalized record (--correct, with
 * the reason), or as 再访 of a household seen before (--revisit).  The
 * last three start from the carried answers and the consent on file
 * (docs/case.md); --answers then gives this visit's answers.  Every
 * answer goes through the engine's checks in form order; every problem
 * is printed as "path: message" and nothing is saved.  Otherwise the
 * record is saved as one revision (finalized with --finalize, when the
 * engine allows it) and its id printed.
 */
#include "cmd.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmd_ws.h"
#include "cry.h"
#include "eng.h"
#include "fetch.h"
#include "form.h"
#include "gpsd.h"
#include "i18n.h"
#include "i18n_attach.h"
#include "i18n_diag.h"
#include "i18n_eng.h"
#include "json.h"
#include "mem.h"
#include "sess.h"
#include "sess_attach.h"
#include "store.h"
#include "util.h"
#include "ws.h"
#include "xls.h"

#define FILL_ANSWERS_MAX	(4u << 20)
#define FILL_ATTACH_MAX		64	/* --attach options */

extern const struct cmd_entry cmd_fill_entry;

/* Load and compile; print the form's errors.  0 on success. */
static int
load_path(const char *path, struct form **f, struct eng_form **cf)
{
	struct form_diags d;
	char line[1024];
	size_t i;
	int rc = 0;

	form_diags_init(&d);
	if (form_load_file(path, f, &d) != DS_OK ||
	    eng_compile(*f, cf, &d) != DS_OK)
		rc = 1;
	for (i = 0; i < d.n; i++)
		if (d.v[i].is_error) {
			i18n_form_diag(&d.v[i], line, sizeof(line));
			fprintf(stderr, "%s\n", line);
		}
	if (rc != 0 && d.nerrors == 0)
		fprintf(stderr, _("doorstep fill: cannot load the form %s\n"),
		    path);
	form_diags_reset(&d);
	return rc;
}

/* A form installed in the workspace: that version, else the newest. */
static int
load_installed(const char *wsdir, const char *id, const char *ver,
    struct form **f, struct eng_form **cf)
{
	char path[4096], got[WS_FORM_TOKEN_MAX + 1];
	struct ds_err err;

	ds_err_clear(&err);
	if ((ver == NULL || ver[0] == '\0' || ws_form_path(wsdir, id, ver,
	    path, sizeof(path), got, sizeof(got), &err) != DS_OK) &&
	    ws_form_path(wsdir, id, NULL, path, sizeof(path), got,
	    sizeof(got), &err) != DS_OK) {
		fprintf(stderr, _("doorstep fill: form %s is not in this "
		    "workspace. Forms come from the township office with the "
		    "visit lists (doorstep sync, or a USB stick with sync "
		    "export); doorstep init installs the household form.\n"),
		    id);
		return 1;
	}
	if (ver != NULL && ver[0] != '\0' && strcmp(got, ver) != 0)
		fprintf(stderr, _("doorstep fill: form %s version %s is not in "
		    "this workspace; using version %s.\n"), id, ver, got);
	return load_path(path, f, cf);
}

/*
 * A form given by path goes into the workspace when its version is not
 * there yet, so that the record opens later in the terminal app.
 */
static int
adopt_form(const char *wsdir, const char *path, const struct form *f)
{
	char p[4096], got[WS_FORM_TOKEN_MAX + 1];
	struct ds_err err;
	enum ds_status st;
	int had;

	ds_err_clear(&err);
	if (!ds_path_exists(path) || f->version == NULL)
		return 0;
	had = ws_form_path(wsdir, f->id, f->version, p, sizeof(p), got,
	    sizeof(got), &err) == DS_OK && strcmp(got, f->version) == 0;
	/* Installed again even when there: other content under the same
	 * version is refused, never used for this record alone. */
	ds_err_clear(&err);
	st = ws_form_install_file(wsdir, path, f, &err);
	if (st == DS_EEXIST) {
		fprintf(stderr, _("%s: form %s version %s is already "
		    "installed with other content, and a version never "
		    "changes. Give the changed form a new version in its "
		    "settings sheet and install it again.\n"), path, f->id,
		    f->version);
		return 1;
	}
	if (st != DS_OK) {
		fprintf(stderr, _("doorstep fill: the form could not be copied "
		    "into the workspace (%s); nothing was saved. Install it with "
		    "doorstep form install and try again.\n"), err.msg);
		return 1;
	}
	if (!had)
		fprintf(stderr, _("Form %s version %s installed in the "
		    "workspace; new records use it.\n"), f->id, f->version);
	return 0;
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

/* Say which carried answers the form did not take (not marked carried). */
static void
left_out(const json_t *marked, const json_t *obj, const char *prefix)
{
	char path[ENG_PATH_MAX];
	const char *k;
	json_t *v, *item;
	size_t i;

	json_object_foreach((json_t *)(uintptr_t)obj, k, v) {
		if (json_is_array(v) && json_is_object(json_array_get(v, 0))) {
			json_array_foreach(v, i, item)
				if (snprintf(path, sizeof(path), "%s%s[%zu]/",
				    prefix, k, i + 1) < (int)sizeof(path))
					left_out(marked, item, path);
			continue;
		}
		if (snprintf(path, sizeof(path), "%s%s", prefix, k) <
		    (int)sizeof(path) && json_object_get(marked, path) == NULL)
			fprintf(stderr, _("%s: the answer from the last visit "
			    "was left out: the form does not take it with this "
			    "visit's answers\n"), path);
	}
}

struct fill_opts;
static int	attach_all(struct store *, struct sess *,
		    const struct fill_opts *);

struct fill_opts {
	const char	*form, *answers, *assignment, *correct, *reason;
	const char	*revisit;
	const char	*attach[FILL_ATTACH_MAX];	/* QUESTION=PATH */
	int		 nattach;
	int		 finalize;
};

static int
parse_args(int argc, char **argv, struct fill_opts *o)
{
	const char *v;
	int i, k, modes;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--finalize") == 0) {
			o->finalize = 1;
			continue;
		}
		if ((k = cmdw_opt(argc, argv, &i, "--answers",
		    &o->answers)) || (k = cmdw_opt(argc, argv, &i,
		    "--assignment", &o->assignment)) || (k = cmdw_opt(argc,
		    argv, &i, "--correct", &o->correct)) || (k = cmdw_opt(argc,
		    argv, &i, "--reason", &o->reason)) || (k = cmdw_opt(argc,
		    argv, &i, "--revisit", &o->revisit))) {
			if (k < 0)
				return -1;
			continue;
		}
		if ((k = cmdw_opt(argc, argv, &i, "--attach", &v)) != 0) {
			if (k < 0 || o->nattach == FILL_ATTACH_MAX ||
			    strchr(v, '=') == NULL || v[0] == '=')
				return -1;
			o->attach[o->nattach++] = v;
			continue;
		}
		if (argv[i][0] == '-' || o->form != NULL)
			return -1;
		o->form = argv[i];
	}
	modes = (o->form != NULL) + (o->assignment != NULL) +
	    (o->correct != NULL) + (o->revisit != NULL);
	if (modes != 1 || (o->form != NULL && o->answers == NULL &&
	    o->nattach == 0) ||
	    (o->correct != NULL) != (o->reason != NULL))
		return -1;
	return 0;
}

/*
 * Each --attach QUESTION=PATH: the file kept sealed in the store, the
 * answer its name.  0, or 1 after saying why nothing is saved.
 */
static int
attach_all(struct store *st, struct sess *s, const struct fill_opts *o)
{
	struct sess_attach_res r;
	struct ds_err err;
	char q[ENG_PATH_MAX], words[1024];
	const char *eq;
	int i;

	for (i = 0; i < o->nattach; i++) {
		eq = strchr(o->attach[i], '=');
		if ((size_t)(eq - o->attach[i]) >= sizeof(q)) {
			fprintf(stderr, _("doorstep fill: --attach %s: the "
			    "question's name is too long. Nothing was "
			    "saved.\n"), o->attach[i]);
			return 1;
		}
		memcpy(q, o->attach[i], (size_t)(eq - o->attach[i]));
		q[eq - o->attach[i]] = '\0';
		ds_err_clear(&err);
		if (sess_attach(s, st, q, eq + 1, 0, &r, &err) != DS_OK) {
			fprintf(stderr, "doorstep fill: %s\n", i18n_attach_why(&r,
			    q, eq + 1, &err, words, sizeof(words)));
			fprintf(stderr, _("doorstep fill: nothing was "
			    "saved.\n"));
			return 1;
		}
		/* The interview screen removes it; a script keeps its own. */
		fprintf(stderr, _("doorstep fill: %s stays on this computer, "
		    "not encrypted (the record keeps its own encrypted copy): "
		    "delete it when it is no longer needed.\n"), eq + 1);
	}
	return 0;
}

/* The entry named by --assignment, checked; 0 or an exit status. */
static int
find_entry(const struct cli *cli, struct ws *w, const char *arg,
    struct store_entry *e)
{
	char idt[STORE_UUID_TEXT];
	struct ds_err err;

	ds_err_clear(&err);
	switch (store_entry_find(ws_store(w), arg, e, &err)) {
	case DS_OK:
		break;
	case DS_ENOENT:
		fprintf(stderr, _("%s fill: no visit-list entry %s here "
		    "(doorstep records --due lists them). Nothing was "
		    "saved.\n"), cli->progname, arg);
		return CMD_EXIT_FAIL;
	case DS_EINVAL:
		fprintf(stderr, _("%s fill: %s names no single entry: give 4 "
		    "or more hex digits of one. Nothing was saved.\n"),
		    cli->progname, arg);
		return CMD_EXIT_USAGE;
	default:
		return cmdw_fail(cli, "fill", &err);
	}
	if (e->state == STORE_ENTRY_WITHDRAWN) {
		fprintf(stderr, _("%s fill: the office withdrew entry %s: no "
		    "visit is needed. Nothing was saved.\n"), cli->progname,
		    arg);
		return CMD_EXIT_FAIL;
	}
	if (e->has_record) {
		store_id_text(e->record_id, idt);
		fprintf(stderr, _("%s fill: entry %s was started already, as "
		    "record %s. Nothing was saved.\n"), cli->progname, arg,
		    idt);
		return CMD_EXIT_FAIL;
	}
	return 0;
}

static int
fill_exec(const struct cli *cli, int argc, char **argv)
{
	struct fill_opts fo;
	struct fetch_visit v;
	struct store_entry ent;
	struct form *f = NULL;
	struct eng_form *cf = NULL;
	struct ws *ws = NULL;
	struct sess *s = NULL;
	struct eng_opts o;
	struct eng_issue *iv = NULL;
	struct ds_err err;
	json_t *doc = NULL, *carried = NULL;
	unsigned char rec[STORE_ID_BYTES];
	char *text = NULL, dev[33], idtext[STORE_UUID_TEXT];
	char geo[GPSD_TEXT_MAX];
	char fid[WS_FORM_TOKEN_MAX + 1], fver[WS_FORM_TOKEN_MAX + 1];
	size_t len = 0, niv = 0;
	int i, rc = CMD_EXIT_FAIL;

	memset(&ent, 0, sizeof(ent));
	memset(&v, 0, sizeof(v));
	if (parse_args(argc, argv, &fo) != 0)
		return cmd_usage(cli, &cmd_fill_entry);
	ds_err_clear(&err);
	if (fo.answers != NULL && (ds_file_read(fo.answers, FILL_ANSWERS_MAX,
	    &text, &len, &err) != DS_OK || ds_json_parse(text, len,
	    FILL_ANSWERS_MAX, fo.answers, &doc, &err) != DS_OK)) {
		fprintf(stderr, "doorstep fill: %s\n", err.msg);
		goto out;
	}
	/* a form file loads before the passphrase is asked */
	if (fo.form != NULL && ds_path_exists(fo.form) &&
	    load_path(fo.form, &f, &cf))
		goto out;
	if ((i = cmdw_open(cli, &ws)) != 0) {
		rc = i;
		goto out;
	}
	if (fo.form != NULL) {
		if (cf == NULL && load_installed(ws_dir(ws), fo.form, NULL, &f,
		    &cf))
			goto out;
		if (cf != NULL && adopt_form(ws_dir(ws), fo.form, f) != 0)
			goto out;
	} else {
		v.kind = fo.assignment != NULL ? FV_ENTRY : fo.correct !=
		    NULL ? FV_CORRECT : FV_REVISIT;
		v.note = fo.reason;
		if (v.kind == FV_ENTRY) {
			if ((i = find_entry(cli, ws, fo.assignment, &ent)) !=
			    0) {
				rc = i;
				goto out;
			}
			v.entry = &ent;
		} else if ((i = cmdw_record(cli, ws, v.kind == FV_CORRECT ?
		    fo.correct : fo.revisit, rec)) != 0) {
			rc = i;
			goto out;
		} else
			v.record_id = rec;
		if (fetch_visit_form(ws_store(ws), &v, fid, sizeof(fid), fver,
		    sizeof(fver), &err) != DS_OK) {
			rc = cmdw_fail(cli, "fill", &err);
			goto out;
		}
		if (load_installed(ws_dir(ws), fid, fver, &f, &cf))
			goto out;
	}
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
	if (v.kind != 0) {
		if (fetch_visit_start(s, ws_store(ws), f, &v, &carried, &iv,
		    &niv, &err) != DS_OK) {
			if (err.code == DS_ESTATE)
				fprintf(stderr, _("%s fill: only a finalized "
				    "record is corrected by a new visit; open "
				    "a draft to change it. Nothing was "
				    "saved.\n"), cli->progname);
			else
				rc = cmdw_fail(cli, "fill", &err);
			goto out;
		}
		eng_issues_free(iv, niv);
		iv = NULL;
		niv = 0;
	}
	/*
	 * This visit's answers, then the carried ones again (those left out
	 * at first wait on answers of this visit: consent, an age, a
	 * school), noted as carried, then this visit's answers over them.
	 */
	if (doc != NULL && eng_apply_answers(sess_eng(s), doc, &iv, &niv) !=
	    DS_OK && carried == NULL) {
		print_issues(iv, niv, 0);
		fprintf(stderr, "doorstep fill: %zu problem(s); nothing was "
		    "saved\n", niv);
		goto out;
	}
	if (doc != NULL && carried != NULL) {
		eng_issues_free(iv, niv);
		iv = NULL;
		niv = 0;
		(void)eng_apply_answers(sess_eng(s), carried, &iv, &niv);
		eng_issues_free(iv, niv);
		iv = NULL;
		niv = 0;
		if (fetch_visit_mark(s, carried) != DS_OK ||
		    eng_apply_answers(sess_eng(s), doc, &iv, &niv) != DS_OK) {
			print_issues(iv, niv, 0);
			fprintf(stderr, "doorstep fill: %zu problem(s); "
			    "nothing was saved\n", niv);
			goto out;
		}
	}
	if (carried != NULL)
		left_out(eng_meta_get(sess_eng(s), "carried"), carried, "");
	if (attach_all(ws_store(ws), s, &fo) != 0)
		goto out;
	if (fo.finalize) {
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
	if (v.kind == FV_ENTRY && store_entry_link(ws_store(ws),
	    ent.entry_id, sess_id(s), &err) != DS_OK) {
		rc = cmdw_fail(cli, "fill", &err);
		goto out;
	}
	store_id_text(sess_id(s), idtext);
	printf("%s\n", idtext);
	/* A correction is the same household again on purpose. */
	if (v.kind != FV_CORRECT)
		twins(s);
	rc = CMD_EXIT_OK;
out:
	eng_issues_free(iv, niv);
	sess_free(s);
	store_entry_clear(&ent);
	ws_close(ws);
	eng_form_free(cf);
	form_free(f);
	if (doc != NULL)
		json_decref(doc);
	if (carried != NULL)
		json_decref(carried);
	if (text != NULL) {
		cry_wipe(text, len);
		ds_free(text);
	}
	return rc;
}

const struct cmd_entry cmd_fill_entry = {
	"fill",
	"FORM --answers FILE.json | --assignment ENTRY | --correct RECORD "
	    "--reason TEXT | --revisit RECORD [--answers FILE.json] "
	    "[--attach QUESTION=PATH ...] [--finalize]",
	N_("run a whole visit from an answers file; print the record id"),
	fill_exec,
	N_("Options:\n"
	    "  FORM\n"
	    "      a form file, or the id of a form in the workspace (its\n"
	    "      newest version)\n"
	    "  --assignment ENTRY\n"
	    "      a visit from the office's list (doorstep records --due):\n"
	    "      the household's key, the consent on file and the answers\n"
	    "      carried from its last visit come first\n"
	    "  --correct RECORD --reason TEXT\n"
	    "      a correction of a finalized record: a new visit filled\n"
	    "      from it, with the reason\n"
	    "  --revisit RECORD\n"
	    "      visit again a household seen before, without a list entry\n"
	    "  --answers FILE.json\n"
	    "      this visit's answers, by question name (needed with FORM)\n"
	    "  --attach QUESTION=PATH\n"
	    "      attach the file at PATH (a photo copied from a phone) to\n"
	    "      an image, audio, video or file question: checked by its\n"
	    "      first bytes, at most 16 MiB, kept encrypted; the answer is\n"
	    "      the name it is kept under.  QUESTION as in the answers\n"
	    "      (a path such as member[2]/photo inside a repeat)\n"
	    "  --finalize\n"
	    "      finalize the record (when the form has no errors left)\n"
	    "\n"
	    "Example:\n"
	    "  doorstep fill household --answers household-1.json --finalize\n"
	    "  doorstep fill --assignment 3f2a9c01 --answers visit.json\n"
	    "  doorstep fill household --answers h.json --attach "
	    "consent_photo=IMG_0012.jpg\n")
};
