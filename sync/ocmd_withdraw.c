/* doorstep: `doorstep-office withdraw ENTRY`, take a list entry back. */
/*
 * An entry not yet sent is dropped; one a laptop has (or may have) gets a
 * withdrawal in that laptop's next office bundle.  A visit already done
 * cannot be withdrawn.
 */
#include <stdio.h>

#include "assign.h"
#include "i18n.h"
#include "ocmd_util.h"
#include "odb_assign.h"
#include "util.h"

extern const struct cmd_entry ocmd_withdraw_entry;

static int
office_withdraw(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct odb_entry e;
	struct ds_err err;
	char id[33];
	size_t bundles = 0;
	enum ds_status st;
	int rc, sent = 0;

	if (argc != 2)
		return cmd_usage(cli, &ocmd_withdraw_entry);
	if ((rc = office_open(cli, &ocmd_withdraw_entry, &o, 1)) != 0)
		return rc;
	ds_err_clear(&err);
	if ((st = odb_begin(o.db, &err)) == DS_OK &&
	    (st = assign_withdraw(o.db, o.sec, argv[1], &e, &sent, &bundles,
	    &err)) == DS_OK)
		st = odb_commit(o.db, &err);
	else
		odb_rollback(o.db);
	office_close(&o);
	switch (st) {
	case DS_OK:
		break;
	case DS_ENOENT:
		fprintf(stderr, _("%s withdraw: no entry %s (see `%s lists "
		    "--device ID`). Nothing changed.\n"), cli->progname,
		    argv[1], cli->progname);
		return CMD_EXIT_FAIL;
	case DS_EINVAL:
		fprintf(stderr, _("%s withdraw: %s names no single entry: give "
		    "4 to 32 hex digits of one. Nothing changed.\n"),
		    cli->progname, argv[1]);
		return CMD_EXIT_FAIL;
	case DS_ESTATE:
		fprintf(stderr, _("%s withdraw: entry %s is %s already. Nothing "
		    "changed.\n"), cli->progname, argv[1],
		    odb_entry_state_str(e.state));
		return CMD_EXIT_FAIL;
	case DS_ENOSPC:
		return office_fail_full(cli, "withdraw", &err);
	default:
		fprintf(stderr, _("%s withdraw: %s\nNothing changed.\n"),
		    cli->progname, err.msg);
		return CMD_EXIT_FAIL;
	}
	ds_hex_encode(e.entry_id, 16, id);
	if (sent)
		printf(_("Entry %.8s (household %s) is withdrawn; the laptop "
		    "is told at its next sync.\n"), id, e.hh_key);
	else
		printf(_("Entry %.8s (household %s) is withdrawn; it had not "
		    "gone to the laptop yet.\n"), id, e.hh_key);
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_withdraw_entry = {
	"withdraw",
	"ENTRY",
	N_("take a visit-list entry back from its laptop"),
	office_withdraw,
	N_("Options:\n"
	    "  ENTRY\n"
	    "      4 or more hex digits of the entry (`lists --device ID`\n"
	    "      shows them)\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office withdraw 3f2a9c01\n")
};
