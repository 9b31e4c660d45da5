/* doorstep: `doorstep-office dbsetup URL`, the county database's schema. */
/*
 * County IT runs this once as the database's owner, and again after an
 * upgrade: it creates or migrates the tables, their row-level policies
 * and the ds_office group (docs/operations.md "PostgreSQL for a county").
 * It needs no office directory and reads no key.
 */
#include <stdio.h>

#include "i18n.h"
#include "ocmd_util.h"

extern const struct cmd_entry ocmd_dbsetup_entry;

static int
office_dbsetup(const struct cli *cli, int argc, char **argv)
{
	struct ds_err err;
	int from, to;

	if (argc != 2)
		return cmd_usage(cli, &ocmd_dbsetup_entry);
	ds_err_clear(&err);
	if (odb_pg_setup(argv[1], 0, &from, &to, &err) != DS_OK) {
		fprintf(stderr, _("%s dbsetup: the county database was not "
		    "changed: %s\n"), cli->progname, err.msg);
		return CMD_EXIT_FAIL;
	}
	if (from == to)
		printf(_("The county database is at schema version %d: "
		    "nothing to do.\n"), to);
	else
		printf(_("The county database went from schema version %d "
		    "to %d.\n"), from, to);
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_dbsetup_entry = {
	"dbsetup",
	"URL",
	N_("create or upgrade the county's PostgreSQL database (its owner)"),
	office_dbsetup,
	N_("Options:\n"
	    "  URL\n"
	    "      postgresql://OWNER@HOST/DATABASE, connected as the owner\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office dbsetup postgresql://doorstep@db/county\n")
};
