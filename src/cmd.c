/* doorstep: shared command dispatch for both programs (main layer). */
/*
 * Lives in the library archive so both programs link it, but it is main-layer
 * code: it prints usage and returns exit statuses.  Nothing below main calls
 * it (make lint-layers checks).
 */
#include "cmd.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "i18n.h"
#include "json.h"
#include "utf8.h"

static void
usage_all(const struct cmd_program *p, FILE *f)
{
	size_t i;

	fprintf(f, _("usage: %s [OPTIONS] COMMAND [ARGS]\n"), p->name);
	fprintf(f, "\n%s\n\n%s\n", _(p->about), _("Commands:"));
	for (i = 0; p->commands[i] != NULL; i++)
		fprintf(f, "  %-16s %s\n", p->commands[i]->name,
		    _(p->commands[i]->summary));
	fprintf(f, "\n%s", _(p->options));
	fprintf(f, _("  --lang zh|en     the language of messages (default "
	    "DOORSTEP_LANG, then\n"
	    "                   the locale, then Chinese)\n"
	    "  --help           this help; COMMAND --help or help COMMAND "
	    "for one\n"
	    "                   command\n"
	    "  --version        print the version\n"));
}

/*
 * The commands of a group ("form": "form check", "form install"), for
 * `PROG form --help`, `PROG help form` and `PROG form` alone.  0 when word
 * names no group.
 */
static int
usage_group(const struct cmd_program *p, const char *word, FILE *f)
{
	const char *name;
	size_t i, n = strlen(word), k = 0;

	for (i = 0; p->commands[i] != NULL; i++) {
		name = p->commands[i]->name;
		if (strncmp(name, word, n) != 0 || name[n] != ' ')
			continue;
		if (k++ == 0)
			fprintf(f, _("usage: %s %s COMMAND [ARGS]\n\n%s\n"),
			    p->name, word, _("Commands:"));
		fprintf(f, "  %-16s %s\n", name, _(p->commands[i]->summary));
	}
	if (k > 0)
		fprintf(f, _("\nMore: %s %s COMMAND --help\n"), p->name, word);
	return k > 0;
}

/* `PROG CMD --help` and `PROG help CMD`: usage, summary, options, example. */
static int
help_one(const struct cli *cli, const struct cmd_entry *c)
{
	printf(_("usage: %s %s %s\n"), cli->progname, c->name, c->usage);
	printf("\n%s\n", _(c->summary));
	if (c->help != NULL)
		printf("\n%s", _(c->help));
	printf(_("\nOptions for every command: %s --help\n"), cli->progname);
	return CMD_EXIT_OK;
}

int
cmd_usage(const struct cli *cli, const struct cmd_entry *c)
{
	fprintf(stderr, _("usage: %s %s %s\n"), cli->progname, c->name,
	    c->usage);
	fprintf(stderr, _("More: %s %s --help\n"), cli->progname, c->name);
	return CMD_EXIT_USAGE;
}

/* "--help" or "-h" among a command's arguments (before "--"). */
static int
wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
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
	const char *lang = NULL;
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
	    cmd_take_opt(&argc, argv, "--dir", &cli.office_dir) == -1 ||
	    cmd_take_opt(&argc, argv, "--lang", &lang) == -1) {
		fprintf(stderr, "%s: option needs a value\n", p->name);
		usage_all(p, stderr);
		return CMD_EXIT_USAGE;
	}
	if ((cli.lang = i18n_pick(lang)) == NULL) {
		fprintf(stderr, "%s: --lang %s: zh or en\n", p->name, lang);
		return CMD_EXIT_USAGE;
	}
	/* Commands speak the policy's language; the TUI (no command) picks
	 * its own at start. */
	if (argc >= 2) {
		(void)i18n_init(NULL);
		(void)i18n_set_lang(cli.lang);
		/* i18n_init set the whole locale: numbers keep their '.'. */
		setlocale(LC_NUMERIC, "C");
	}
	if (argc >= 3 && strcmp(argv[1], "help") == 0) {
		if ((c = find_command(p->commands, argc - 1, argv + 1,
		    &words)) != NULL)
			return help_one(&cli, c);
		if (usage_group(p, argv[2], stdout))
			return CMD_EXIT_OK;
		fprintf(stderr, _("%s: unknown command '%s'\n"), p->name,
		    argv[2]);
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
		/* A group's name: its commands (asked for, or a usage
		 * error). */
		if (wants_help(argc - 1, argv + 1) &&
		    usage_group(p, argv[1], stdout))
			return CMD_EXIT_OK;
		if (usage_group(p, argv[1], stderr))
			return CMD_EXIT_USAGE;
		fprintf(stderr, _("%s: unknown command '%s'\n"), p->name,
		    argv[1]);
		usage_all(p, stderr);
		return CMD_EXIT_USAGE;
	}
	if (wants_help(argc - words, argv + words))
		return help_one(&cli, c);
	return c->exec(&cli, argc - words, argv + words);
}

const char *
cmd_reason_text(int reason)
{
	switch (reason) {
	case BR_SIZE:
		return _("the file is too small or too large to be a bundle");
	case BR_MAGIC:
		return _("the file does not begin the way a bundle does");
	case BR_VERSION:
		return _("its bundle version is one this program does not "
		    "know (update doorstep-office)");
	case BR_HEADER:
		return _("the bundle's header is malformed");
	case BR_LENGTH:
		return _("the file is shorter or longer than its header says");
	case BR_DEVICE_UNKNOWN:
		return _("the device is not enrolled");
	case BR_DEVICE_REVOKED:
		return _("the device was revoked");
	case BR_DEVICE_KEY:
		return _("the device key differs from the enrolled one");
	case BR_SIGNATURE:
		return _("the signature does not verify");
	case BR_LEDGER:
		return _("a bundle with this id but other content was imported "
		    "before");
	case BR_SEAL:
		return _("its key is not sealed to this office");
	case BR_STREAM:
		return _("its contents do not authenticate");
	case BR_TRUNCATED:
		return _("its contents end early");
	case BR_INFLATE:
		return _("its contents do not decompress");
	case BR_PAYLOAD:
		return _("its contents are malformed");
	case BR_STORE:
		return _("the office database failed");
	case BR_QUOTA:
		return _("the office already keeps as much as it will from "
		    "laptops it has not enrolled; ask the office to enroll "
		    "this laptop, or bring its bundles on a USB stick");
	default:
		return _("it was refused");
	}
}

const char *
cmd_phrase(enum cmd_phrase p)
{
	switch (p) {
	case CMD_DISK_FULL:
		return _("The disk is full.");
	case CMD_SAFE_LAPTOP:
		return _("The answers are safe on this laptop.");
	case CMD_NOTHING_SENT:
		return _("Nothing was sent.");
	case CMD_SAFE_OFFICE:
		return _("Nothing was changed at the office.");
	case CMD_SAFE_SENT:
		return _("What the laptops sent is still on the laptops and "
		    "the stick.");
	default:
		return "";
	}
}

const char *
cmd_join(char *buf, size_t n, const char *first, ...)
{
	const char *gap, *s;
	size_t len = 0;
	va_list ap;

	if (n == 0)
		return buf;
	buf[0] = '\0';
	gap = strcmp(i18n_lang(), "zh_CN") == 0 ? "" : " ";
	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		if (*s == '\0' || len + 1 >= n)
			continue;
		if (len > 0)
			len += utf8_copy(buf + len, n - len, gap);
		/* Cut on a character boundary when it does not fit. */
		len += utf8_copy(buf + len, n - len, s);
	}
	va_end(ap);
	return buf;
}
