/* doorstep: `doorstep-office problem close`, the quality ledger (销号). */
/*
 *   problem close ID --note TEXT [--by NAME]
 *
 * `report quality` keeps a ledger of problems with stable ids (docs/
 * reports.md); each is checked and closed one by one (逐项核实销号).  A
 * closed problem stays in the ledger with who closed it, when, and the
 * note (sealed).  Closing needs a note; a closed problem cannot be
 * closed again.
 */
#include <stdio.h>
#include <string.h>

#include "ocmd_case_util.h"
#include "odb_case.h"
#include "util.h"

extern const struct cmd_entry ocmd_problem_entry;

static int
office_problem(const struct cli *cli, int argc, char **argv)
{
	struct odb_problem p;
	struct office o;
	struct ds_err err;
	const char *pos[1], *note, *by;
	struct ocase_opt opts[] = { { "--note", &note, NULL },
	    { "--by", &by, NULL } };
	enum ds_status s;
	char hex[33];
	size_t npos;
	int rc;

	if (argc < 2 || strcmp(argv[1], "close") != 0 ||
	    ocase_args(argc, argv, 2, opts, 2, pos, 1, &npos) != 0 ||
	    npos != 1)
		return cmd_usage(cli, &ocmd_problem_entry);
	if (note == NULL || *note == '\0')
		return ocase_fail(cli, "problem", "%s", _("Closing a problem "
		    "needs a note saying how it was checked (--note). Nothing "
		    "was changed."));
	if ((rc = ocase_open(cli, &ocmd_problem_entry, &o)) != 0)
		return rc;
	ds_err_clear(&err);
	if ((s = odb_begin(o.db, &err)) == DS_OK) {
		s = odb_problem_close(o.db, pos[0], by != NULL ? by : "", note,
		    ds_now(), &p, &err);
		if (s == DS_OK)
			s = odb_commit(o.db, &err);
		else
			odb_rollback(o.db);
	}
	ocase_close(&o);
	if (s == DS_ESTATE)
		return ocase_fail(cli, "problem", _("Problem %s is closed "
		    "already. Nothing was changed."), pos[0]);
	if (s == DS_ENOENT || s == DS_EINVAL)
		return ocase_fail(cli, "problem", _("No single problem has an id "
		    "starting with %s (see report quality). Nothing was "
		    "changed."), pos[0]);
	if (s != DS_OK)
		return ocase_fail_err(cli, "problem", &err, "%s", err.msg);
	ds_hex_encode(p.id, CASE_ID_BYTES, hex);
	printf(_("Problem %.12s of household %s closed.\n"), hex,
	    *p.hh_key ? p.hh_key : "-");
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_problem_entry = {
	"problem",
	"close ID --note TEXT [--by NAME]",
	N_("close a problem of the quality ledger after checking it"),
	office_problem,
	N_("Options:\n"
	    "  close ID --note TEXT\n"
	    "      close the problem whose id starts with ID (at least 4\n"
	    "      hex digits, see report quality), saying how it was\n"
	    "      checked; --by NAME records who closed it\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office problem close 3fa2c1d0 --note checked --by wang\n")
};
