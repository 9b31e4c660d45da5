/* doorstep: helpers shared by the office commands (main layer). */
#ifndef DS_OCMD_UTIL_H
#define DS_OCMD_UTIL_H

#include <limits.h>

#include "cmd.h"
#include "cry.h"
#include "odb.h"

/* An opened office directory: office.db and, when asked, the secret keys. */
struct office {
	char			 dir[PATH_MAX];
	struct odb		*db;
	struct cry_office_sec	*sec;	/* NULL unless need_secret */
	struct cry_office_pub	 pub;
	struct oset		*set;	/* DIR/settings.json, need_secret */
};

struct oset;

/*
 * Open the office named by --dir / DOORSTEP_OFFICE_DIR.  need_secret:
 * read office-secret.key too and open office.db with its data key; every
 * command that stores or reads household answers needs it.  Those also
 * get the office settings (DIR/settings.json, when it exists) attached
 * to the connection for the household case (odb_case_settings).  Prints the
 * error (naming a missing key file) and returns an exit status
 * (CMD_EXIT_USAGE without a directory, CMD_EXIT_FAIL otherwise); 0 on
 * success.
 */
int	office_open(const struct cli *, const struct cmd_entry *,
	    struct office *, int need_secret);
void	office_close(struct office *);
/*
 * For the reports: as office_open(need_secret), or, when --db is a county
 * database and its role the county's, that database read across its
 * townships, or only `township` (not NULL), without keys.  --township
 * without the county's role is a usage error.
 */
int	office_open_county(const struct cli *, const struct cmd_entry *,
	    struct office *, const char *township);
/*
 * Print why opening url failed (oerr from odb_open or odb_create): for a
 * county database that refused the role or schema, worded from
 * odb_pg_probe's facts; else oerr's message.  CMD_EXIT_FAIL.
 */
int	office_pg_fail(const struct cli *, const char *name, const char *url,
	    const struct ds_err *oerr);
/*
 * Where the office data lives: --db / DOORSTEP_OFFICE_DB (a postgresql://
 * URL), else DIR/office.db.  The keys stay in DIR either way.
 */
void	office_db_where(const char *dir, char *out, size_t n);

/*
 * 0 when --dir, DOORSTEP_OFFICE_DIR or office.conf named the office
 * directory; else print the one message every command gives for a missing
 * directory, then the command's usage, and return CMD_EXIT_USAGE.
 */
int	office_need_dir(const struct cli *, const struct cmd_entry *);

/* Print "PROG NAME: msg" to stderr and return CMD_EXIT_FAIL. */
int	office_fail(const struct cli *, const char *name, const char *msg);
/*
 * The same for an error: a full disk (DS_ENOSPC) is said as such, in the
 * user's language, with what to do; anything else as office_fail.
 */
int	office_fail_err(const struct cli *, const char *name,
	    const struct ds_err *);
/*
 * A full disk (err->code DS_ENOSPC) for a command that changes the office
 * only: the disk-full wording, nothing changed, free some space, then
 * office_detail(err->msg).  CMD_EXIT_FAIL.
 */
int	office_fail_full(const struct cli *, const char *name,
	    const struct ds_err *);

/*
 * The program's own message of a failure (English, for whoever looks
 * into it) on stderr under the wording, in parentheses -- when the chosen
 * language is English only: a page in Chinese carries no English.
 */
void	office_detail(const char *msg);

/* What became of a bundle (enum receipt_status), in words; `replay`: it
 * was seen before ("already imported"). */
const char *office_status_words(int status, int replay);

/* Take "--NAME VALUE" or "--NAME=VALUE" out of argv; -1 if the value is
 * missing.  Same contract as the shared option parser. */
int	office_opt(int *argc, char **argv, const char *name, const char **val);

#endif
