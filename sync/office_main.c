/* doorstep: the township office program's entry point. */
/*
 * The office command table; the commands live in sync/ocmd_*.c.
 */
#include "cmd.h"

#include <stddef.h>

#include "i18n.h"

extern const struct cmd_entry ocmd_init_entry;
extern const struct cmd_entry ocmd_import_entry;
extern const struct cmd_entry ocmd_devices_entry;
extern const struct cmd_entry ocmd_enroll_entry;
extern const struct cmd_entry ocmd_revoke_entry;
extern const struct cmd_entry ocmd_conflicts_entry;
extern const struct cmd_entry ocmd_resolve_entry;
extern const struct cmd_entry ocmd_release_entry;
extern const struct cmd_entry ocmd_report_entry;
extern const struct cmd_entry ocmd_serve_entry;
extern const struct cmd_entry ocmd_export_entry;

/* Commands, in the order --help lists them. */
static const struct cmd_entry *const commands[] = {
	&ocmd_init_entry,
	&ocmd_import_entry,
	&ocmd_devices_entry,
	&ocmd_enroll_entry,
	&ocmd_revoke_entry,
	&ocmd_conflicts_entry,
	&ocmd_resolve_entry,
	&ocmd_release_entry,
	&ocmd_report_entry,
	&ocmd_serve_entry,
	&ocmd_export_entry,
	NULL
};

static const struct cmd_program program = {
	"doorstep-office",
	N_("Township office program: keys, bundle import, receipts, reports."),
	N_("Options for every command:\n"
	"  --dir DIR        the office directory (default DOORSTEP_OFFICE_DIR)\n"),
	commands,
	NULL
};

int
main(int argc, char **argv)
{
	return cmd_run(&program, argc, argv);
}
