/* doorstep: `doorstep passwd`, change the workspace passphrase. */
/*
 * Unlocks with the current passphrase and re-wraps the data key under the
 * new one (fresh salt, calibrated cost).  Records are not re-encrypted:
 * an old copy of the keyring still opens with the old passphrase.  With
 * --rotate the data key itself is new and every record is re-encrypted
 * (ws_passwd_rotate; crash-safe).  The new passphrase comes from
 * --new-passphrase-file, then DOORSTEP_NEW_PASSPHRASE, then the terminal
 * (asked twice).
 */
#include <stdio.h>
#include <string.h>

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
	size_t len = 0, lost = 0;
	int i, r, rc, rotate = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rotate") == 0) {
			rotate = 1;
			continue;
		}
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
	    _("New passphrase: "), 1, &pass, &len)) != 0) {
		ws_close(w);
		return rc;
	}
	ds_err_clear(&err);
	if (!rotate) {
		if (ws_passwd(w, pass, len, cost, &err) != DS_OK)
			rc = cmdw_fail(cli, "passwd", &err);
		else
			printf(_("Passphrase changed.\n"));
	} else if (ws_passwd_rotate(w, pass, len, cost, NULL, &lost, &err) !=
	    DS_OK) {
		rc = cmdw_fail(cli, "passwd", &err);
		cmdw_newpass(&err);
	} else {
		printf(_("Passphrase changed, and every record re-encrypted "
		    "under a new key: an old copy of the keyring no longer "
		    "opens what is saved from now on.\n"));
		if (lost > 0)
			printf(_("%zu search entries could not be made again; "
			    "those households are found by them after their "
			    "next save.\n"), lost);
	}
	cmdw_free(pass, len);
	ws_close(w);
	return rc;
}

const struct cmd_entry cmd_passwd_entry = {
	"passwd",
	"[--rotate] [--new-passphrase-file FILE] [--kdf-cost default|min]",
	N_("change the workspace passphrase (--rotate: and the data key)"),
	passwd_exec,
	N_("Options:\n"
	    "  --rotate\n"
	    "      also make a new data key and re-encrypt every record, so\n"
	    "      an old copy of the keyring opens nothing saved later\n"
	    "  --new-passphrase-file FILE\n"
	    "      read the new passphrase from FILE (DOORSTEP_NEW_PASSPHRASE\n"
	    "      works too; the terminal asks twice by default)\n"
	    "  --kdf-cost default|min\n"
	    "      passphrase hashing cost; min exists in test builds only\n"
	    "\n"
	    "Example:\n"
	    "  doorstep passwd --rotate\n")
};
