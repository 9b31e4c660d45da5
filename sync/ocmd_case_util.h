/* doorstep: helpers of the case commands (main layer). */
#ifndef DS_OCMD_CASE_UTIL_H
#define DS_OCMD_CASE_UTIL_H

/*
 * register, clue, case, problem, income and the case reports share these:
 * an option parser, opening the office with its settings, and the wording
 * of what the case layer refuses.  Every word goes through gettext (po/)
 * in the command's one language (cmd_run picked it: --lang, DOORSTEP_LANG,
 * the locale, else Chinese); refusals end saying that nothing was changed.
 */
#include <stddef.h>

#include "case.h"
#include "case_db.h"
#include "case_file.h"
#include "cmd.h"
#include "i18n.h"
#include "ocmd_util.h"

/* One option: "--name" with a value, or a flag (val NULL, *flag set). */
struct ocase_opt {
	const char	 *name;
	const char	**val;		/* NULL for a flag */
	int		 *flag;
};

/*
 * Parse argv[first..argc): options from opts (any order, "--n V" or
 * "--n=V"), the rest positional (at most maxpos into pos, *npos).  -1 on
 * an unknown option, a missing value or too many positional arguments.
 */
int	ocase_args(int argc, char **argv, int first,
	    const struct ocase_opt *opts, size_t nopts, const char **pos,
	    size_t maxpos, size_t *npos);

/*
 * Open the office with its secret key and settings (DIR/settings.json, or
 * the defaults when the file is missing), attached to the connection.
 * Prints what went wrong; 0 or an exit status.  ocase_close frees both.
 */
int	ocase_open(const struct cli *, const struct cmd_entry *,
	    struct office *);
void	ocase_close(struct office *);

/* "PROG CMD: " then the message to stderr; returns CMD_EXIT_FAIL. */
int	ocase_fail(const struct cli *, const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * The same for a failed store call: on a full disk the one disk-full
 * wording (nothing changed, free some space) in place of fmt and the
 * database's own words.
 */
int	ocase_fail_err(const struct cli *, const char *cmd,
	    const struct ds_err *, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/*
 * The same, fmt saying what could not be done, and the database's own
 * (English) words on a line of their own under it, in English only
 * (office_detail): never inside a sentence of the user's language.
 */
int	ocase_fail_db(const struct cli *, const char *cmd,
	    const struct ds_err *, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/* Words for codes (translated). */
const char	*ocase_step_word(int step);
const char	*ocase_track_word(int track);
const char	*ocase_state_word(const char *state);
const char	*ocase_cat_word(const char *cat);
const char	*ocase_kind_word(const char *kind);
const char	*ocase_channel_word(const char *channel);
const char	*ocase_light_word(const char *light);
const char	*ocase_measure_word(const char *type);
const char	*ocase_mstatus_word(const char *status);
const char	*ocase_field_word(const char *field);

/* The refusal of a step, of a row (file: path, or NULL), of a file. */
int	ocase_say_why(const struct cli *, const char *cmd, const char *key,
	    const struct case_why *);
int	ocase_say_row(const struct cli *, const char *cmd, const char *path,
	    const struct case_row_why *);
int	ocase_say_file(const struct cli *, const char *cmd, const char *path,
	    const struct case_file_why *, const struct ds_err *);

/* A "YYYY-MM-DD" date argument, normalized into out: 0 or -1. */
int	ocase_date(const char *in, char out[CASE_DATE_LEN]);

#endif
