/* doorstep: `doorstep passwd`, change the workspace passphrase. */
/*
 * Unlocks with the current passphrase and re-wraps the data key under the
 * new one (fresh salt, calibrated cost).  Records are not re-encrypted.
 * The new passphrase comes from --new-passphrase-file, then
 * DOORSTEP_NEW_PASSPHRASE, then the terminal (asked twice).
 */
#include <stdio.h>

#include "cmd.h"
#include "cmd_ws.h"
#include "i18n.h"
#include "ws.h"

extern const struct cmd_entry cmd_passwd_entry;

static int
passwd_exec(const struct cli *cli, int argc, char **argv)
{
	const char *newfile = NULL, *cost_arg = NULL;
	char *pass = NULL;
	enum cry_cost cost;
	struct ds_err err;
	struct ws *w = NULL;
	size_t len = 0;
	int i, r, rc;

	for (i = 1; i < argc; i++) {
		if ((r = cmdw_opt(argc, argv, &i, "--new-passphrase-file",
		    &newfile)) ||
		    (r = cmdw_opt(argc, argv, &i, "--kdf-cost", &cost_arg))) {
			if (r < 0)
				return cmd_usage(cli, &cmd_passwd_entry);
			continue;
		}
		return cmd_usage(cli, &cmd_passwd_entry);
	}
	/* A keyring below the KDF floor opens here: this is its way out. */
	if ((rc = cmdw_cost(cli, cost_arg, &cost)) != 0 ||
	    (rc = cmdw_open_flags(cli, WS_OPEN_ANY_COST, &w)) != 0)
		return rc;
	if ((rc = cmdw_pass(cli, newfile, "DOORSTEP_NEW_PASSPHRASE",
	    "新口令 / New passphrase: ", 1, &pass, &len)) != 0) {
		ws_close(w);
		return rc;
	}
	ds_err_clear(&err);
	if (ws_passwd(w, pass, len, cost, &err) != DS_OK)
		rc = cmdw_fail(cli, "passwd", &err);
	else
		printf("口令已更改 / passphrase changed\n");
	cmdw_free(pass, len);
	ws_close(w);
	return rc;
}

const struct cmd_entry cmd_passwd_entry = {
	"passwd",
	"[--new-passphrase-file FILE] [--kdf-cost default|min]",
	N_("change the workspace passphrase (re-wraps the key only)"),
	passwd_exec,
	N_("Options:\n"
	    "  --new-passphrase-file FILE\n"
	    "      read the new passphrase from FILE (DOORSTEP_NEW_PASSPHRASE\n"
	    "      works too; the terminal asks twice by default)\n"
	    "  --kdf-cost default|min\n"
	    "      passphrase hashing cost; min is for tests only\n"
	    "\n"
	    "Example:\n"
	    "  doorstep passwd\n")
};
