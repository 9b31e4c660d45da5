/* doorstep: `doorstep records`, list the household records. */
/*
 * One line per record, newest first: id, status, form and version,
 * revision, saved time, open errors and warnings, household head and
 * village (decrypted in memory only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_ws.h"
#include "i18n.h"
#include "json.h"
#include "mem.h"
#include "store.h"
#include "util.h"
#include "ws.h"

extern const struct cmd_entry cmd_records_entry;

/* One line of the due view, from an entry's JSON. */
struct due {
	char		 id[33];
	const char	*due, *reason, *hh, *head, *village, *clue;
	json_t		*doc;
};

static int
due_cmp(const void *a, const void *b)
{
	const struct due *x = a, *y = b;
	int c = strcmp(x->due, y->due);

	return c != 0 ? c : strcmp(x->id, y->id);
}

static const char *
jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* The office's visit list: open entries by due date (docs/case.md). */
static int
records_due(const struct cli *cli, struct ws *w)
{
	struct store_entry *v = NULL;
	struct due *d = NULL;
	struct ds_err err;
	char iso[32], today[11];
	size_t n = 0, k, m = 0;
	int rc = CMD_EXIT_OK;

	ds_err_clear(&err);
	if (store_entry_list(ws_store(w), 1, &v, &n, &err) != DS_OK)
		return cmdw_fail(cli, "records", &err);
	if (n > 0 && (d = ds_calloc(n, sizeof(*d))) == NULL) {
		store_entries_free(v, n);
		return CMD_EXIT_FAIL;
	}
	for (k = 0; k < n; k++) {
		if (ds_json_parse(v[k].json, v[k].len, STORE_ENTRY_MAX,
		    "entry", &d[m].doc, NULL) != DS_OK)
			continue;
		ds_hex_encode(v[k].entry_id, STORE_ID_BYTES, d[m].id);
		d[m].due = jstr(d[m].doc, "due");
		d[m].reason = jstr(d[m].doc, "reason");
		d[m].hh = jstr(d[m].doc, "hh_key");
		d[m].head = jstr(d[m].doc, "head_name");
		d[m].village = jstr(d[m].doc, "village_name");
		d[m].clue = jstr(json_object_get(d[m].doc, "clue"), "reason");
		m++;
	}
	qsort(d, m, sizeof(*d), due_cmp);
	ds_time_iso(ds_now(), iso);
	snprintf(today, sizeof(today), "%.10s", iso);
	if (m == 0)
		printf(_("No visits are due: the office's lists come with "
		    "doorstep sync (or a USB stick and sync export).\n"));
	for (k = 0; k < m; k++) {
		printf("%.8s  %s%s  %-16s  %s  %s  %s", d[k].id, d[k].due,
		    strcmp(d[k].due, today) < 0 ? _(" overdue") : "",
		    i18n_visit_reason(d[k].reason), d[k].hh, *d[k].head ?
		    d[k].head : "-", *d[k].village ? d[k].village : "-");
		if (*d[k].clue)
			printf("  (%s)", d[k].clue);
		printf("\n");
	}
	for (k = 0; k < m; k++)
		json_decref(d[k].doc);
	ds_free(d);
	store_entries_free(v, n);
	return rc;
}

static int
records_exec(const struct cli *cli, int argc, char **argv)
{
	struct store_list l = { NULL, 0 };
	struct store_query q;
	enum store_status want;
	const char *status = NULL, *hh = NULL;
	struct ds_err err;
	struct ws *w = NULL;
	char id[STORE_UUID_TEXT], when[32];
	size_t k;
	int i, r, rc, due = 0;

	store_query_init(&q);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--due") == 0) {
			due = 1;
			continue;
		}
		if ((r = cmdw_opt(argc, argv, &i, "--status", &status)) ||
		    (r = cmdw_opt(argc, argv, &i, "--household", &hh))) {
			if (r < 0)
				return cmd_usage(cli, &cmd_records_entry);
			continue;
		}
		return cmd_usage(cli, &cmd_records_entry);
	}
	if (status != NULL) {
		if (store_status_parse(status, &want) != 0) {
			fprintf(stderr, "%s: unknown status '%s' (draft, "
			    "finalized, sent, acknowledged)\n", cli->progname,
			    status);
			return cmd_usage(cli, &cmd_records_entry);
		}
		q.status = (int)want;
	}
	q.household_key = hh;
	if (due && (status != NULL || hh != NULL))
		return cmd_usage(cli, &cmd_records_entry);
	if ((rc = cmdw_open(cli, &w)) != 0)
		return rc;
	if (due) {
		rc = records_due(cli, w);
		ws_close(w);
		return rc;
	}
	ds_err_clear(&err);
	if (store_list(ws_store(w), &q, &l, &err) != DS_OK) {
		rc = cmdw_fail(cli, "records", &err);
		ws_close(w);
		return rc;
	}
	for (k = 0; k < l.n; k++) {
		const struct store_item *it = &l.items[k];

		store_id_text(it->id, id);
		ds_time_iso(it->saved_at, when);
		printf("%s  %-12s %s@%s  rev %lld  %s  %dE %dW  %s  %s\n", id,
		    store_status_name(it->status), it->form_id,
		    it->form_version, (long long)it->rev_no, when,
		    it->n_errors, it->n_warnings,
		    it->head_name ? it->head_name : "-",
		    it->village ? it->village : "-");
	}
	store_list_free(&l);
	ws_close(w);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_records_entry = {
	"records",
	"[--status draft|finalized|sent|acknowledged] [--household KEY] | "
	    "--due",
	N_("list household records"),
	records_exec,
	N_("Options:\n"
	    "  --status draft|finalized|sent|acknowledged\n"
	    "      only records in this state\n"
	    "  --household KEY\n"
	    "      only this household\n"
	    "  --due\n"
	    "      the office's visit list instead: the visits due, by due\n"
	    "      date, with the entry to give `fill --assignment`\n"
	    "\n"
	    "Example:\n"
	    "  doorstep records --status draft\n")
};
