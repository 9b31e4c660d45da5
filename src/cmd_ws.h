/* doorstep: workspace helpers shared by the field commands (main layer). */
#ifndef DS_CMD_WS_H
#define DS_CMD_WS_H

/*
 * Passphrase input, workspace resolution and unlock for src/cmd_*.c.  Each
 * function that returns int returns 0 on success or the exit status to use
 * after printing a message to stderr itself.
 *
 * Passphrase sources, first match wins: a file given by option (first line,
 * newline stripped), an environment variable, then the terminal (/dev/tty)
 * without echo.  Passphrases live in secure memory: free with cmdw_free.
 */

#include <stddef.h>

#include "cmd.h"
#include "cry.h"
#include "ws.h"

/* The workspace directory: --workspace / DOORSTEP_WORKSPACE, else the
 * XDG default. */
int	cmdw_dir(const struct cli *, char *out, size_t n);

/*
 * Read a passphrase from `file` (may be NULL), else getenv(env) (env may
 * be NULL), else the terminal with `prompt`; with confirm, the terminal
 * asks twice and the two must match.
 */
int	cmdw_pass(const struct cli *, const char *file, const char *env,
	    const char *prompt, int confirm, char **pass, size_t *len);
void	cmdw_free(char *pass, size_t len);

/*
 * KDF cost: `arg` from --kdf-cost, else DOORSTEP_KDF_COST, else the
 * calibrated default.  "min" is for tests only (docs/keys.md).
 */
int	cmdw_cost(const struct cli *, const char *arg, enum cry_cost *out);

/* Resolve, ask the passphrase (--passphrase-file, DOORSTEP_PASSPHRASE,
 * terminal) and unlock.  Wrong passphrase: exit status 2.  A keyring
 * below the KDF floor is refused with a message saying to run passwd
 * (ws_open_flags); cmdw_open_flags passes flags (WS_OPEN_ANY_COST). */
int	cmdw_open(const struct cli *, struct ws **out);
int	cmdw_open_flags(const struct cli *, int flags, struct ws **out);

/* Print the worker-facing message for a failed unlock or command and
 * return the exit status (2 for DS_EPASS, else 1). */
int	cmdw_fail(const struct cli *, const char *what, const struct ds_err *);
/* After a failed rotation: if the new passphrase is in force, say so. */
void	cmdw_newpass(const struct ds_err *);

/* A record id from full text or a unique prefix of at least 8 hex digits. */
int	cmdw_record(const struct cli *, struct ws *, const char *arg,
	    unsigned char id[16]);

/*
 * Match argv[*i] against "--name VALUE" or "--name=VALUE": 1 and *val set
 * (and *i advanced past a separate value), 0 if it is another argument,
 * -1 if the value is missing.
 */
int	cmdw_opt(int argc, char **argv, int *i, const char *name,
	    const char **val);

#endif
