/* doorstep: `doorstep-office export`, current heads as CSV or XLSX. */
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "i18n.h"
#include "ocmd_util.h"

extern const struct cmd_entry ocmd_export_entry;

static int
office_export(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct export_stats s;
	struct ds_err err;
	const char *fmt = NULL, *out = NULL, *repeat = NULL;
	enum export_format f;
	int rc;

	(void)argv;
	if (office_opt(&argc, argv, "--format", &fmt) == -1 ||
	    office_opt(&argc, argv, "--out", &out) == -1 ||
	    office_opt(&argc, argv, "--repeat", &repeat) == -1 || argc != 1 ||
	    fmt == NULL || out == NULL)
		return cmd_usage(cli, &ocmd_export_entry);
	if (strcmp(fmt, "csv") == 0)
		f = EXPORT_CSV;
	else if (strcmp(fmt, "xlsx") == 0)
		f = EXPORT_XLSX;
	else
		return cmd_usage(cli, &ocmd_export_entry);
	if ((rc = office_open(cli, &ocmd_export_entry, &o, 1)) != 0)
		return rc;
	ds_err_clear(&err);
	if (export_heads(o.db, f, out, repeat, &s, &err) != DS_OK) {
		office_close(&o);
		return office_fail(cli, "export", err.msg);
	}
	office_close(&o);
	printf("exported %zu households, %zu members to %s", s.households,
	    s.members, out);
	if (f == EXPORT_CSV)
		printf(" and %s", s.households_path);
	printf("\n");
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_export_entry = {
	"export",
	"--format csv|xlsx --out PATH [--repeat NAME]",
	N_("export current heads: one row per member, plus households"),
	office_export,
	N_("Options:\n"
	    "  --format csv|xlsx\n"
	    "      the file type\n"
	    "  --out PATH\n"
	    "      the file to write (csv: also PATH-households.csv)\n"
	    "  --repeat NAME\n"
	    "      the member repeat (default member)\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office export --format xlsx --out households.xlsx\n")
};
