/* doorstep: `doorstep history`, list a record's revisions and events. */
/*
 * Revisions oldest first (number, revision id, parent, outbox sequence,
 * saved time, device, size), then the audit trail.
 */
#include <stdio.h>

#include "cmd.h"
#include "cmd_ws.h"
#include "i18n.h"
#include "mem.h"
#include "store.h"
#include "util.h"
#include "ws.h"

extern const struct cmd_entry cmd_history_entry;

static int
history_exec(const struct cli *cli, int argc, char **argv)
{
	unsigned char id[STORE_ID_BYTES];
	struct store_rev *revs = NULL;
	struct store_audit *ev = NULL;
	struct ds_err err;
	struct ws *w = NULL;
	char rid[33], par[33], dev[33], when[32];
	size_t n = 0, k;
	int rc;

	if (argc != 2 || argv[1][0] == '-')
		return cmd_usage(cli, &cmd_history_entry);
	if ((rc = cmdw_open(cli, &w)) != 0)
		return rc;
	if ((rc = cmdw_record(cli, w, argv[1], id)) != 0) {
		ws_close(w);
		return rc;
	}
	ds_err_clear(&err);
	if (store_history(ws_store(w), id, &revs, &n, &err) != DS_OK) {
		rc = cmdw_fail(cli, "history", &err);
		ws_close(w);
		return rc;
	}
	for (k = 0; k < n; k++) {
		ds_hex_encode(revs[k].rev_id, 16, rid);
		ds_hex_encode(revs[k].parent_rev_id, 16, par);
		ds_hex_encode(revs[k].device_id, 8, dev);
		ds_time_iso(revs[k].saved_at, when);
		printf("rev %lld  %s  parent %s  seq %lld  %s  device %s  "
		    "%zu bytes  form %s\n", (long long)revs[k].rev_no, rid,
		    revs[k].has_parent ? par : "-", (long long)revs[k].seq,
		    when, dev, revs[k].answers_bytes, revs[k].form_version);
	}
	ds_free(revs);
	if (store_audit_list(ws_store(w), id, &ev, &n, &err) != DS_OK) {
		rc = cmdw_fail(cli, "history", &err);
		ws_close(w);
		return rc;
	}
	for (k = 0; k < n; k++) {
		ds_time_iso(ev[k].at, when);
		printf("event %s  %s  rev %lld\n", when,
		    store_event_name(ev[k].event), (long long)ev[k].rev_no);
	}
	ds_free(ev);
	ws_close(w);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_history_entry = {
	"history",
	"ID",
	N_("list a record's revisions and audit events"),
	history_exec,
	N_("Options:\n"
	    "  ID\n"
	    "      the record id, or its first 8 or more hex digits\n"
	    "\n"
	    "Example:\n"
	    "  doorstep history 3f2a9c1e\n")
};
