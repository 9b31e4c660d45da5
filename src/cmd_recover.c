/* doorstep: `doorstep recover`, set a new passphrase with the recovery key. */
/*
 * For a forgotten passphrase: the township office brings its offline
 * recovery key file (office-recovery.key); the data key's recovery wrap is
 * opened with it, and a new data key, wrapped under the new passphrase
 * and to the recovery key, takes its place: every record is re-encrypted
 * (ws_recover_rotate; crash-safe).
 */
#include <stdio.h>

#include "cmd.h"
#include "cmd_ws.h"
#include "i18n.h"
#include "ws.h"

extern const struct cmd_entry cmd_recover_entry;

static int
recover_exec(const struct cli *cli, int argc, char **argv)
{
	const char *key = NULL, *newfile = NULL, *cost_arg = NULL;
	char dir[1024], *pass = NULL;
	enum cry_cost cost;
	struct ds_err err;
	size_t len = 0, lost = 0;
	int i, r, rc;

	for (i = 1; i < argc; i++) {
		if ((r = cmdw_opt(argc, argv, &i, "--recovery-key", &key)) ||
		    (r = cmdw_opt(argc, argv, &i, "--new-passphrase-file",
		    &newfile)) ||
		    (r = cmdw_opt(argc, argv, &i, "--kdf-cost", &cost_arg))) {
			if (r < 0)
				return cmd_usage(cli, &cmd_recover_entry);
			continue;
		}
		return cmd_usage(cli, &cmd_recover_entry);
	}
	if (key == NULL)
		return cmd_usage(cli, &cmd_recover_entry);
	if ((rc = cmdw_cost(cli, cost_arg, &cost)) != 0 ||
	    (rc = cmdw_dir(cli, dir, sizeof(dir))) != 0)
		return rc;
	/* The new passphrase: never the one the worker forgot, so the
	 * plain --passphrase-file is accepted too. */
	if ((rc = cmdw_pass(cli, newfile != NULL ? newfile :
	    cli->passphrase_file, "DOORSTEP_NEW_PASSPHRASE",
	    _("New passphrase: "), 1, &pass, &len)) != 0)
		return rc;
	ds_err_clear(&err);
	if (ws_recover_rotate(dir, key, pass, len, cost, NULL, &lost, &err) !=
	    DS_OK) {
		rc = cmdw_fail(cli, "recover", &err);
		cmdw_newpass(&err);
	} else {
		printf(_("New passphrase set with the recovery key, and every "
		    "record re-encrypted under a new key: whoever knew the old "
		    "passphrase opens nothing saved from now on.\n"));
		if (lost > 0)
			printf(_("%zu search entries could not be made again; "
			    "those households are found by them after their "
			    "next save.\n"), lost);
	}
	cmdw_free(pass, len);
	return rc;
}

const struct cmd_entry cmd_recover_entry = {
	"recover",
	"--recovery-key FILE [--new-passphrase-file FILE] "
	    "[--kdf-cost default|min]",
	N_("set a new passphrase using the office recovery key"),
	recover_exec,
	N_("Options:\n"
	    "  --recovery-key FILE\n"
	    "      the office's office-recovery.key, brought on a stick by\n"
	    "      the office and taken away again\n"
	    "  --new-passphrase-file FILE\n"
	    "      read the new passphrase from FILE (the terminal asks twice\n"
	    "      by default)\n"
	    "  --kdf-cost default|min\n"
	    "      passphrase hashing cost; min is for tests only\n"
	    "\n"
	    "Example:\n"
	    "  doorstep recover --recovery-key /media/usb/office-recovery.key\n")
};
