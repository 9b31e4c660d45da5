/* doorstep: `doorstep-office release`, accept a revision whose parent is lost. */
/*
 * A revision that arrived before its parent waits (never a head) until
 * the parent comes.  When the parent will not come (a lost laptop, a
 * restored backup), a supervisor releases it here after checking the
 * device's gaps.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "imp.h"
#include "ocmd_util.h"
#include "util.h"

extern const struct cmd_entry ocmd_release_entry;

static int
office_release(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct odb_held h;
	struct imp_result res;
	struct ds_err err;
	char r[33];
	int rc;

	if (argc != 2)
		return cmd_usage(cli, &ocmd_release_entry);
	if (strlen(argv[1]) < IMP_PREFIX_MIN) {
		fprintf(stderr, _("%s release: give at least %d hex digits of "
		    "the revision (see `%s conflicts`); nothing was changed.\n"),
		    cli->progname, IMP_PREFIX_MIN, cli->progname);
		return CMD_EXIT_USAGE;
	}
	if ((rc = office_open(cli, &ocmd_release_entry, &o, 1)) != 0)
		return rc;
	ds_err_clear(&err);
	if (imp_release(o.db, argv[1], &h, &res, &err) != DS_OK) {
		office_close(&o);
		/* The importer gives the facts; the words are said here. */
		if (err.code == DS_ENOENT)
			fprintf(stderr, _("%s release: no waiting revision "
			    "starts with %s (see `%s conflicts`); nothing was "
			    "changed.\n"), cli->progname, argv[1],
			    cli->progname);
		else if (err.code == DS_EINVAL)
			fprintf(stderr, _("%s release: more than one waiting "
			    "revision starts with %s: give more digits (see "
			    "`%s conflicts`); nothing was changed.\n"),
			    cli->progname, argv[1], cli->progname);
		else
			return office_fail_err(cli, "release", &err);
		return CMD_EXIT_FAIL;
	}
	office_close(&o);
	ds_hex_encode(h.rev_id, 16, r);
	printf(_("Released %.12s of household %s: %u revision(s) joined, "
	    "%u fork(s) flagged.\n"), r, h.household_key, res.n_released,
	    res.n_conflict);
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_release_entry = {
	"release",
	"REVISION_ID",
	N_("accept a waiting revision whose earlier revision will not arrive"),
	office_release,
	N_("Options:\n"
	    "  REVISION_ID\n"
	    "      the waiting revision `conflicts` lists\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office release 3f2a9c1e\n")
};
