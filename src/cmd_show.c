/* doorstep: `doorstep show`, print a record's decrypted answers. */
/*
 * Prints the canonical JSON of the current revision (or --rev N) to
 * standard output; of a draft with answers kept as deltas since that
 * revision (docs/storage.md), the answers as saved: the revision with
 * them replayed through the record's form.  The plaintext exists only in
 * memory and on stdout.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cmd_ws.h"
#include "eng.h"
#include "form.h"
#include "i18n.h"
#include "i18n_diag.h"
#include "mem.h"
#include "sess.h"
#include "store.h"
#include "util.h"
#include "ws.h"
#include "xls.h"

extern const struct cmd_entry cmd_show_entry;

/* 1 if record id has deltas, 0 if not, -1 on an error. */
static int
has_deltas(struct store *st, const unsigned char *id, struct ds_err *err)
{
	unsigned char (*ids)[STORE_ID_BYTES] = NULL;
	size_t n = 0, i;
	int has = 0;

	if (store_delta_records(st, &ids, &n, err) != DS_OK)
		return -1;
	for (i = 0; i < n; i++)
		has |= memcmp(ids[i], id, STORE_ID_BYTES) == 0;
	ds_free(ids);
	return has;
}

/* The record's form, the version it was saved with (else the newest). */
static enum ds_status
record_form(const char *wsdir, struct store *st, const unsigned char *id,
    struct form **f, struct eng_form **cf, struct ds_err *err)
{
	struct store_list l = { NULL, 0 };
	struct store_query q;
	struct form_diags d;
	char path[4096], fid[STORE_FORM_ID_MAX], fver[STORE_FORM_ID_MAX];
	enum ds_status rc;
	size_t i;

	fid[0] = fver[0] = '\0';
	store_query_init(&q);
	if ((rc = store_list(st, &q, &l, err)) != DS_OK)
		return rc;
	for (i = 0; i < l.n; i++)
		if (memcmp(l.items[i].id, id, STORE_ID_BYTES) == 0) {
			snprintf(fid, sizeof(fid), "%s", l.items[i].form_id);
			snprintf(fver, sizeof(fver), "%s",
			    l.items[i].form_version);
		}
	store_list_free(&l);
	if (fid[0] == '\0')
		return DS_ENOENT;	/* discarded: the revision only */
	if (ws_form_path(wsdir, fid, fver, path, sizeof(path), NULL, 0,
	    err) != DS_OK && (rc = ws_form_path(wsdir, fid, NULL, path,
	    sizeof(path), NULL, 0, err)) != DS_OK)
		return rc;
	form_diags_init(&d);
	if ((rc = form_load_file(path, f, &d)) == DS_OK)
		rc = eng_compile(*f, cf, &d);
	if (rc != DS_OK) {
		if (d.n > 0)
			i18n_form_diag(&d.v[0], err->msg, sizeof(err->msg));
		err->code = rc;
	}
	form_diags_reset(&d);
	return rc;
}

/* The answers as saved: the revision with the deltas kept since. */
static enum ds_status
answers_now(const char *wsdir, struct store *st, const unsigned char *id,
    char **json, size_t *len, struct ds_err *err)
{
	struct form *f = NULL;
	struct eng_form *cf = NULL;
	struct sess *s = NULL;
	enum ds_status rc;
	int has;

	if ((has = has_deltas(st, id, err)) < 0)
		return err->code;
	if (has == 0)
		return store_answers_get(st, id, 0, json, len, err);
	if ((rc = record_form(wsdir, st, id, &f, &cf, err)) == DS_ENOENT)
		return store_answers_get(st, id, 0, json, len, err);
	if (rc == DS_OK && (rc = sess_peek(st, cf, NULL, id, &s, err)) ==
	    DS_OK)
		rc = eng_to_text(sess_eng(s), 0, json, len, err);
	sess_free(s);
	eng_form_free(cf);
	form_free(f);
	return rc;
}

static int
show_exec(const struct cli *cli, int argc, char **argv)
{
	const char *arg = NULL, *revs = NULL;
	unsigned char id[STORE_ID_BYTES];
	struct ds_err err;
	struct ws *w = NULL;
	char dir[4096];
	int64_t rev = 0;
	char *json = NULL;
	size_t len = 0;
	int i, r, rc;

	for (i = 1; i < argc; i++) {
		if ((r = cmdw_opt(argc, argv, &i, "--rev", &revs))) {
			if (r < 0)
				return cmd_usage(cli, &cmd_show_entry);
			continue;
		}
		if (arg != NULL || argv[i][0] == '-')
			return cmd_usage(cli, &cmd_show_entry);
		arg = argv[i];
	}
	if (arg == NULL || (revs != NULL &&
	    ds_parse_i64(revs, 1, INT64_MAX, &rev) != 0))
		return cmd_usage(cli, &cmd_show_entry);
	if ((rc = cmdw_dir(cli, dir, sizeof(dir))) != 0 ||
	    (rc = cmdw_open(cli, &w)) != 0)
		return rc;
	if ((rc = cmdw_record(cli, w, arg, id)) != 0) {
		ws_close(w);
		return rc;
	}
	ds_err_clear(&err);
	if ((rev != 0 ? store_answers_get(ws_store(w), id, rev, &json, &len,
	    &err) : answers_now(dir, ws_store(w), id, &json, &len, &err)) !=
	    DS_OK)
		rc = cmdw_fail(cli, "show", &err);
	else {
		fwrite(json, 1, len, stdout);
		fputc('\n', stdout);
		store_text_free(json, len);
	}
	ws_close(w);
	return rc;
}

const struct cmd_entry cmd_show_entry = {
	"show",
	"[--rev N] ID",
	N_("print a record's answers as JSON"),
	show_exec,
	N_("Options:\n"
	    "  ID\n"
	    "      the record id, or its first 8 or more hex digits\n"
	    "  --rev N\n"
	    "      an earlier revision instead of the latest\n"
	    "\n"
	    "Example:\n"
	    "  doorstep show 3f2a9c1e\n")
};
