/* doorstep: `doorstep records`, list the household records. */
/*
 * One line per record, newest first: id, status, form and version,
 * revision, saved time, open errors and warnings, household head and
 * village (decrypted in memory only).
 */
#include <stdio.h>

#include "cmd.h"
#include "cmd_ws.h"
#include "i18n.h"
#include "store.h"
#include "util.h"
#include "ws.h"

extern const struct cmd_entry cmd_records_entry;

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
	int i, r, rc;

	store_query_init(&q);
	for (i = 1; i < argc; i++) {
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
	if ((rc = cmdw_open(cli, &w)) != 0)
		return rc;
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
	"[--status draft|finalized|sent|acknowledged] [--household KEY]",
	N_("list household records"),
	records_exec,
	N_("Options:\n"
	    "  --status draft|finalized|sent|acknowledged\n"
	    "      only records in this state\n"
	    "  --household KEY\n"
	    "      only this household\n"
	    "\n"
	    "Example:\n"
	    "  doorstep records --status draft\n")
};
