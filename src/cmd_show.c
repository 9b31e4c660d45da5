/* doorstep: `doorstep show`, print a record's decrypted answers. */
/*
 * Prints the canonical JSON of the current revision (or --rev N) to
 * standard output.  The plaintext exists only in memory and on stdout.
 */
#include <stdio.h>

#include "cmd.h"
#include "cmd_ws.h"
#include "i18n.h"
#include "store.h"
#include "util.h"
#include "ws.h"

extern const struct cmd_entry cmd_show_entry;

static int
show_exec(const struct cli *cli, int argc, char **argv)
{
	const char *arg = NULL, *revs = NULL;
	unsigned char id[STORE_ID_BYTES];
	struct ds_err err;
	struct ws *w = NULL;
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
	if ((rc = cmdw_open(cli, &w)) != 0)
		return rc;
	if ((rc = cmdw_record(cli, w, arg, id)) != 0) {
		ws_close(w);
		return rc;
	}
	ds_err_clear(&err);
	if (store_answers_get(ws_store(w), id, rev, &json, &len, &err)
	    != DS_OK)
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
