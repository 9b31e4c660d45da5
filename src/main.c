/* doorstep: the field program's entry point. */
/*
 * The command table.  Only main files, cmd_*.c and the TUI's die hook may end
 * the process.
 */
#include "cmd.h"

#include <stddef.h>

/* Commands, in the order --help lists them. */
static const struct cmd_entry *const commands[] = {
	NULL
};

static const struct cmd_program program = {
	"doorstep",
	"Offline household survey app for door-to-door monitoring visits.",
	"Options for every command:\n"
	"  --workspace DIR  the workspace (default DOORSTEP_WORKSPACE, then\n"
	"                   $XDG_DATA_HOME/doorstep)\n"
	"  --passphrase-file FILE\n"
	"                   read the passphrase from FILE (scripts, tests);\n"
	"                   DOORSTEP_PASSPHRASE works too, the terminal is the\n"
	"                   default\n",
	commands,
	NULL
};

int
main(int argc, char **argv)
{
	return cmd_run(&program, argc, argv);
}
