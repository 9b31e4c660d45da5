/* doorstep: command tables and dispatch for both programs (main layer). */
#ifndef DS_CMD_H
#define DS_CMD_H

#include <stddef.h>

/*
 * One file per command (tmux cmd-*.c): src/cmd_NAME.c (field program) or
 * sync/ocmd_NAME.c (office program) exports one `const struct cmd_entry`,
 * and the program's main file lists it.  Options every command takes are
 * parsed by cmd_run() before the command runs and arrive in struct cli.
 * This is main-layer code: it may print and choose exit statuses.
 *
 * Exit statuses: 0 success, 1 failure, 2 wrong passphrase, 64 usage error.
 */
#define CMD_EXIT_OK	0
#define CMD_EXIT_FAIL	1
#define CMD_EXIT_PASS	2
#define CMD_EXIT_USAGE	64

struct cli {
	const char	*progname;	  /* "doorstep" or "doorstep-office" */
	const char	*workspace;	  /* --workspace, DOORSTEP_WORKSPACE */
	const char	*passphrase_file; /* --passphrase-file */
	const char	*office_dir;	  /* --dir, DOORSTEP_OFFICE_DIR */
	const char	*lang;		  /* "zh_CN" or "en": --lang, else
					     DOORSTEP_LANG, else the locale,
					     else Chinese */
};

/*
 * summary and help are msgids (English, marked N_() so po/update.sh finds
 * them) that cmd.c prints through gettext in the user's language.
 */
struct cmd_entry {
	const char	*name;		/* "init", "form check", ... */
	const char	*usage;		/* arguments after the name */
	const char	*summary;	/* N_(): its line in the command list */
	/* argv[0] is the (last word of the) command name. */
	int		(*exec)(const struct cli *, int argc, char **argv);
	/*
	 * N_(): what `PROG CMD --help` and `PROG help CMD` print after the
	 * usage line and the summary: "Options:" with each option on its
	 * own line, then "Example:" and a command line.  Every command has
	 * one (tests/cli/t_help.sh fails otherwise).
	 */
	const char	*help;
};

struct cmd_program {
	const char			 *name;	   /* progname */
	const char			 *about;   /* N_(): a line for --help */
	const char			 *options; /* N_(): shared options */
	const struct cmd_entry *const	 *commands; /* NULL-terminated */
	/* Run when no command is given; NULL prints usage and returns 64. */
	int				(*noargs)(const struct cli *);
};

/* Parse shared options, dispatch, return the exit status. */
int	cmd_run(const struct cmd_program *, int argc, char **argv);

/*
 * Take `--name VALUE` or `--name=VALUE` out of argv wherever it stands
 * (before a "--"), setting *val; the last one wins.  -1 when the option
 * lacks its value.
 */
int	cmd_take_opt(int *argc, char **argv, const char *name, const char **val);

/*
 * Print "usage: PROG NAME USAGE" and a pointer to `PROG NAME --help` to
 * stderr, in the user's language, and return CMD_EXIT_USAGE.
 */
int	cmd_usage(const struct cli *, const struct cmd_entry *);

/*
 * Why the office refused a bundle (enum bundle_reason, sync/bundle.h), in
 * the user's language, as the end of "not a doorstep bundle: ..." or
 * "bundle refused: ...": both programs print it.
 */
const char	*cmd_reason_text(int reason);

/*
 * Sentences that many messages share, each one msgid so that it reads the
 * same wherever it appears (the words policy, docs/architecture.md): what
 * happened, that the answers are safe, what to do next.
 */
enum cmd_phrase {
	CMD_DISK_FULL,		/* the disk is full */
	CMD_SAFE_LAPTOP,	/* the answers are safe on this laptop */
	CMD_NOTHING_SENT,	/* nothing was sent */
	CMD_SAFE_OFFICE,	/* nothing was changed at the office */
	CMD_SAFE_SENT,		/* what laptops sent is on them and the stick */
	CMD_PHRASE_COUNT
};

/* The phrase as one sentence in the user's language. */
const char	*cmd_phrase(enum cmd_phrase);

/*
 * The sentences given (NULL ends them) as one paragraph, the way the
 * user's language writes it: English puts a space between sentences,
 * Chinese none.  Into buf (n bytes, cut short on a character boundary
 * if it must be); returns buf.
 */
const char	*cmd_join(char *buf, size_t n, const char *first, ...);

#endif
