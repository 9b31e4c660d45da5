/* doorstep: `doorstep-office register import`, the township's register. */
/*
 *   register import FILE.xlsx|FILE.csv
 *
 * The register (监测台账 base) lists the township's rural households:
 * household key, village, group, head's name and ID number, members
 * (case_register_fields names the accepted headers).  It is what
 * screening coverage is measured against.  Names and ID numbers are
 * sealed in office.db; ID numbers are found through blind indexes.  The
 * whole file is checked before anything is written, and imported in one
 * transaction; importing it again changes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "case_db.h"
#include "case_file.h"
#include "ocmd_case_util.h"

extern const struct cmd_entry ocmd_register_entry;

static int
office_register(const struct cli *cli, int argc, char **argv)
{
	struct case_reg_result res;
	struct case_row_why rw;
	struct case_file_why fw;
	struct case_table *t = NULL;
	struct office o;
	struct ds_err err;
	const char *pos[1];
	enum ds_status s;
	size_t npos;
	int rc;

	if (argc < 2 || strcmp(argv[1], "import") != 0 ||
	    ocase_args(argc, argv, 2, NULL, 0, pos, 1, &npos) != 0 ||
	    npos != 1)
		return cmd_usage(cli, &ocmd_register_entry);
	ds_err_clear(&err);
	if (case_file_read(pos[0], case_register_fields,
	    CASE_REGISTER_NFIELDS, &t, &fw, &err) != DS_OK)
		return ocase_say_file(cli, "register", pos[0], &fw, &err);
	if ((rc = ocase_open(cli, &ocmd_register_entry, &o)) != 0) {
		case_table_free(t);
		return rc;
	}
	if ((s = odb_begin(o.db, &err)) == DS_OK) {
		s = case_register_import(o.db, t, &res, &rw, &err);
		if (s == DS_OK)
			s = odb_commit(o.db, &err);
		else
			odb_rollback(o.db);
	}
	case_table_free(t);
	ocase_close(&o);
	if (s == DS_EREJECT)
		return ocase_say_row(cli, "register", pos[0], &rw);
	if (s != DS_OK)
		return ocase_fail_db(cli, "register", &err, "%s",
		    _("The register could not be imported. Nothing was "
		    "changed."));
	printf(_("Register imported: %zu households, %zu new, %zu changed, "
	    "%zu unchanged; %zu department warnings matched.\n"), res.rows,
	    res.added, res.changed, res.same, res.clues_matched);
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_register_entry = {
	"register",
	"import FILE.xlsx|FILE.csv",
	N_("import the township's register of households (names, IDs sealed)"),
	office_register,
	N_("Options:\n"
	    "  import FILE.xlsx|FILE.csv\n"
	    "      the register: one row per household with the columns\n"
	    "      hh_key, village, group, head_name, id_number, members\n"
	    "      (or their Chinese headers); township and grid_worker are\n"
	    "      optional.  The whole file is checked first; importing it\n"
	    "      again changes nothing\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office register import register-2024.xlsx\n")
};
