/* doorstep: `doorstep-office resolve`, close a reviewed fork. */
#include <stdio.h>

#include "i18n.h"
#include "ocmd_util.h"

extern const struct cmd_entry ocmd_resolve_entry;

static int
office_resolve(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct ds_err err;
	const char *note = "reviewed";
	int rc, n;

	if (office_opt(&argc, argv, "--note", &note) == -1 || argc != 2)
		return cmd_usage(cli, &ocmd_resolve_entry);
	if ((rc = office_open(cli, &ocmd_resolve_entry, &o, 0)) != 0)
		return rc;
	ds_err_clear(&err);
	if (odb_fork_resolve(o.db, argv[1], note, &n, &err) != DS_OK) {
		office_close(&o);
		return office_fail_err(cli, "resolve", &err);
	}
	office_close(&o);
	printf("%d fork%s resolved\n", n, n == 1 ? "" : "s");
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_resolve_entry = {
	"resolve",
	"[--note TEXT] REVISION_ID",
	N_("mark the forks of a revision as reviewed"),
	office_resolve,
	N_("Options:\n"
	    "  REVISION_ID\n"
	    "      the revision `conflicts` lists\n"
	    "  --note TEXT\n"
	    "      what was decided, kept with the fork\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office resolve --note \"checked by phone\" 3f2a9c1e\n")
};
