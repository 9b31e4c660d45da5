/* doorstep: `doorstep-office income import`, monthly income checks. */
/*
 *   income import FILE.xlsx|FILE.csv --month YYYY-MM
 *
 * Where a county runs monthly income checks, each month's list (household
 * key, per-capita income over the last 12 months) gets the light of the
 * settings' bands for the month's year; a household below the top band
 * for income_check.months_below months in a row gets a clue, which puts
 * it on the next visit list (docs/case.md).  Without bands for that year
 * the import is refused, naming the key to set: no band is invented.
 * Amounts are sealed in office.db.
 */
#include <stdio.h>
#include <string.h>

#include "case_db.h"
#include "case_file.h"
#include "ocmd_case_util.h"

extern const struct cmd_entry ocmd_income_entry;

/* "YYYY-MM", 2000-01 .. 2099-12. */
static int
month_ok(const char *m)
{
	char d[16];

	return m != NULL && strlen(m) == 7 &&
	    snprintf(d, sizeof(d), "%s-01", m) == 10 &&
	    case_date_days(d) >= 0;
}

static int
office_income(const struct cli *cli, int argc, char **argv)
{
	struct case_income_result res;
	struct case_row_why rw;
	struct case_file_why fw;
	struct case_table *t = NULL;
	struct office o;
	struct ds_err err;
	const char *pos[1], *month;
	struct ocase_opt opts[] = { { "--month", &month, NULL } };
	enum ds_status s;
	size_t npos;
	int rc;

	if (argc < 2 || strcmp(argv[1], "import") != 0 ||
	    ocase_args(argc, argv, 2, opts, 1, pos, 1, &npos) != 0 ||
	    npos != 1 || !month_ok(month))
		return cmd_usage(cli, &ocmd_income_entry);
	ds_err_clear(&err);
	if (case_file_read(pos[0], case_income_fields, CASE_INCOME_NFIELDS,
	    &t, &fw, &err) != DS_OK)
		return ocase_say_file(cli, "income", pos[0], &fw, &err);
	if ((rc = ocase_open(cli, &ocmd_income_entry, &o)) != 0) {
		case_table_free(t);
		return rc;
	}
	if ((s = odb_begin(o.db, &err)) == DS_OK) {
		s = case_income_import(o.db, t, month, &res, &rw, &err);
		if (s == DS_OK)
			s = odb_commit(o.db, &err);
		else
			odb_rollback(o.db);
	}
	case_table_free(t);
	ocase_close(&o);
	if (s == DS_EREJECT)
		return ocase_say_row(cli, "income", rw.line > 0 ? pos[0] :
		    NULL, &rw);
	if (s == DS_EEXIST)
		return ocase_fail(cli, "income", _("%s was imported before. "
		    "Nothing was changed."), pos[0]);
	if (s != DS_OK)
		return ocase_fail_db(cli, "income", &err, "%s",
		    _("The income checks could not be imported. Nothing "
		    "was changed."));
	printf(_("Income checks of %s: %zu households, %zu new, %zu known "
	    "before; %zu households below the band for the months the "
	    "settings give were put on the visit list.\n"), month, res.rows,
	    res.added, res.same, res.clues);
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_income_entry = {
	"income",
	"import FILE.xlsx|FILE.csv --month YYYY-MM",
	N_("monthly income checks: lights, and a visit after months below"),
	office_income,
	N_("Options:\n"
	    "  import FILE.xlsx|FILE.csv --month YYYY-MM\n"
	    "      the month's checks: hh_key and income (per-capita income\n"
	    "      over the last 12 months); needs signal bands for the\n"
	    "      month's year in settings.json\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office income import checks-2024-09.csv "
	    "--month 2024-09\n")
};
