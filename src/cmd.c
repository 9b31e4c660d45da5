/* doorstep: shared command dispatch for both programs (main layer). */
/*
 * Lives in the library archive so both programs link it, but it is main-layer
 * code: it prints usage and returns exit statuses.  Nothing below main calls
 * it (make lint-layers checks).
 */
#include "cmd.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static void
usage_all(const struct cmd_program *p, FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s [OPTIONS] COMMAND [ARGS]\n\n%s\n\nCommands:\n",
	    p->name, p->about);
	for (i = 0; p->commands[i] != NULL; i++)
		fprintf(f, "  %-16s %s\n", p->commands[i]->name,
		    p->commands[i]->summary);
	fprintf(f, "\n%s", p->options);
	fprintf(f, "  --help           this help\n"
	    "  --version        print the version\n");
}

int
cmd_usage(const struct cli *cli, const struct cmd_entry *c)
{
	fprintf(stderr, "usage: %s %s %s\n", cli->progname, c->name,
	    c->usage);
	return CMD_EXIT_USAGE;
}

/*
 * Take a shared option out of argv wherever it stands, so `doorstep records
 * --workspace W` and `doorstep --workspace W records` both work.  Returns -1
 * when the option lacks its value.
 */
int
cmd_take_opt(int *argc, char **argv, const char *name, const char **val)
{
	size_t n = strlen(name);
	int i, j, shift;

	for (i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], name, n) != 0)
			continue;
		if (argv[i][n] == '=') {
			*val = argv[i] + n + 1;
			shift = 1;
		} else if (argv[i][n] == '\0') {
			if (i + 1 >= *argc)
				return -1;
			*val = argv[i + 1];
			shift = 2;
		} else
			continue;
		for (j = i; j + shift <= *argc; j++)
			argv[j] = argv[j + shift];
		*argc -= shift;
		i--;
	}
	return 0;
}

/* Match the longest command name (one or two words) at argv[1]. */
static const struct cmd_entry *
find_command(const struct cmd_entry *const *cmds, int argc, char **argv,
    int *words)
{
	char two[128];
	size_t i;

	if (argc >= 3 && snprintf(two, sizeof(two), "%s %s", argv[1],
	    argv[2]) < (int)sizeof(two)) {
		for (i = 0; cmds[i] != NULL; i++)
			if (strcmp(cmds[i]->name, two) == 0) {
				*words = 2;
				return cmds[i];
			}
	}
	for (i = 0; cmds[i] != NULL; i++)
		if (strcmp(cmds[i]->name, argv[1]) == 0) {
			*words = 1;
			return cmds[i];
		}
	return NULL;
}

int
cmd_run(const struct cmd_program *p, int argc, char **argv)
{
	const struct cmd_entry *c;
	struct cli cli;
	int words = 1;

	setlocale(LC_ALL, "");
	/* Numbers in forms, answers and files use '.', whatever the
	 * worker's locale says (strtod and printf follow LC_NUMERIC). */
	setlocale(LC_NUMERIC, "C");
	ds_json_init();
	memset(&cli, 0, sizeof(cli));
	cli.progname = p->name;
	cli.workspace = getenv("DOORSTEP_WORKSPACE");
	cli.office_dir = getenv("DOORSTEP_OFFICE_DIR");
	if (cmd_take_opt(&argc, argv, "--workspace", &cli.workspace) == -1 ||
	    cmd_take_opt(&argc, argv, "--passphrase-file",
	    &cli.passphrase_file) == -1 ||
	    cmd_take_opt(&argc, argv, "--dir", &cli.office_dir) == -1) {
		fprintf(stderr, "%s: option needs a value\n", p->name);
		usage_all(p, stderr);
		return CMD_EXIT_USAGE;
	}
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)) {
		usage_all(p, stdout);
		return CMD_EXIT_OK;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", p->name, DS_VERSION);
		return CMD_EXIT_OK;
	}
	if (argc < 2) {
		if (p->noargs != NULL)
			return p->noargs(&cli);
		usage_all(p, stderr);
		return CMD_EXIT_USAGE;
	}
	if ((c = find_command(p->commands, argc, argv, &words)) == NULL) {
		fprintf(stderr, "%s: unknown command '%s'\n", p->name,
		    argv[1]);
		usage_all(p, stderr);
		return CMD_EXIT_USAGE;
	}
	return c->exec(&cli, argc - words, argv + words);
}
