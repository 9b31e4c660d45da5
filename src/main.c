/* doorstep: the field program's entry point. */
/*
 * The command table.  Only main files, cmd_*.c and the TUI's die hook may end
 * the process.
 */
#include "cmd.h"

#include <stddef.h>

#include "i18n.h"
#include "tui.h"

static int	run_tui(const struct cli *);

extern const struct cmd_entry cmd_init_entry, cmd_passwd_entry,
    cmd_recover_entry, cmd_records_entry, cmd_show_entry, cmd_history_entry;
extern const struct cmd_entry cmd_sync_export_entry, cmd_sync_push_entry,
    cmd_sync_ack_entry, cmd_sync_status_entry, cmd_sync_entry;

extern const struct cmd_entry cmd_expr_entry;
extern const struct cmd_entry cmd_form_check_entry, cmd_form_install_entry,
    cmd_fill_entry;

/* Commands, in the order --help lists them. */
static const struct cmd_entry *const commands[] = {
	&cmd_init_entry,
	&cmd_records_entry,
	&cmd_show_entry,
	&cmd_history_entry,
	&cmd_passwd_entry,
	&cmd_recover_entry,
	&cmd_sync_entry,
	&cmd_sync_export_entry,
	&cmd_sync_push_entry,
	&cmd_sync_ack_entry,
	&cmd_sync_status_entry,
	&cmd_expr_entry,
	&cmd_form_check_entry,
	&cmd_form_install_entry,
	&cmd_fill_entry,
	NULL
};

static const struct cmd_program program = {
	"doorstep",
	N_("Offline household survey app for door-to-door monitoring visits."),
	N_("Options for every command:\n"
	"  --workspace DIR  the workspace (default DOORSTEP_WORKSPACE, then\n"
	"                   $XDG_DATA_HOME/doorstep)\n"
	"  --passphrase-file FILE\n"
	"                   read the passphrase from FILE (scripts, tests);\n"
	"                   DOORSTEP_PASSPHRASE works too, the terminal is the\n"
	"                   default\n"),
	commands,
	run_tui
};

/* No command: the field app's screens. */
static int
run_tui(const struct cli *cli)
{
	struct tui_opts o = { 0 };

	tui_opts_env(&o);
	o.workspace = cli->workspace;
	o.passphrase_file = cli->passphrase_file;
	return tui_run(&o);
}

int
main(int argc, char **argv)
{
	return cmd_run(&program, argc, argv);
}
