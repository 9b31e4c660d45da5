/* doorstep: `doorstep init`, create a workspace on this laptop. */
/*
 * Pins the office public key, makes the data key, device key and record
 * store, and wraps the data key under the worker's passphrase (asked twice
 * on the terminal).  The Argon2id cost is calibrated to about a second;
 * --kdf-cost min exists for tests only.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cmd_ws.h"
#include "cry.h"
#include "form.h"
#include "i18n.h"
#include "mem.h"
#include "util.h"
#include "ws.h"
#include "xls.h"

extern const struct cmd_entry cmd_init_entry;

#define SHIPPED_FORM	"household.md"

/*
 * Install the shipped household form (ds_share_dir: DOORSTEP_DATADIR/forms,
 * else where the program was installed) under
 * WORKSPACE/forms/household/VERSION/.
 * Without it the workspace still works: forms also come from the office.
 */
static void
install_shipped(const char *wsdir)
{
	struct form_diags d;
	struct form *f = NULL;
	struct ds_err err;
	char dir[2048], path[4096];
	enum ds_status st;

	if (ds_share_dir(DS_SHARE_FORMS, dir, sizeof(dir)) != 0)
		dir[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, SHIPPED_FORM);
	ds_err_clear(&err);
	form_diags_init(&d);
	if (form_load_file(path, &f, &d) != DS_OK || f->version == NULL) {
		form_diags_reset(&d);
		form_free(f);
		printf(_("No household form was installed (%s could not be "
		    "read). Forms come from the township office with the "
		    "visit lists: doorstep sync, or a USB stick with sync "
		    "export.\n"), path);
		return;
	}
	form_diags_reset(&d);
	st = ws_form_install_file(wsdir, path, f, &err);
	if (st == DS_OK)
		printf(_("Form %s version %s installed.\n"), f->id,
		    f->version);
	else
		printf(_("The household form could not be installed (%s). "
		    "Forms also come from the township office with the visit "
		    "lists.\n"), err.msg);
	form_free(f);
}

static int
init_exec(const struct cli *cli, int argc, char **argv)
{
	const char *office = NULL, *worker = NULL, *cost_arg = NULL;
	char dir[1024], *pass = NULL, fpr[CRY_FPR_TEXT];
	enum cry_cost cost;
	struct ds_err err;
	size_t len = 0;
	int i, r, rc;

	for (i = 1; i < argc; i++) {
		if ((r = cmdw_opt(argc, argv, &i, "--office-key", &office)) ||
		    (r = cmdw_opt(argc, argv, &i, "--worker", &worker)) ||
		    (r = cmdw_opt(argc, argv, &i, "--kdf-cost", &cost_arg))) {
			if (r < 0)
				return cmd_usage(cli, &cmd_init_entry);
			continue;
		}
		return cmd_usage(cli, &cmd_init_entry);
	}
	if (office == NULL || worker == NULL || *worker == '\0')
		return cmd_usage(cli, &cmd_init_entry);
	if ((rc = cmdw_cost(cli, cost_arg, &cost)) != 0 ||
	    (rc = cmdw_dir(cli, dir, sizeof(dir))) != 0)
		return rc;
	ds_err_clear(&err);
	if ((rc = cmdw_pass(cli, cli->passphrase_file, "DOORSTEP_PASSPHRASE",
	    _("New passphrase: "), 1, &pass, &len)) != 0)
		return rc;
	if (ws_create(dir, office, worker, pass, len, cost, &err) != DS_OK) {
		cmdw_free(pass, len);
		return cmdw_fail(cli, "init", &err);
	}
	cmdw_free(pass, len);
	printf(_("Workspace created: %s\n"), dir);
	install_shipped(dir);
	if (ws_fingerprint_dir(dir, fpr, &err) == DS_OK)
		printf(_("This laptop's fingerprint: %s\nThe township office "
		    "compares it, digit by digit, when it enrolls the laptop. "
		    "`doorstep sync status` shows it again.\n"), fpr);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_init_entry = {
	"init",
	"--office-key FILE --worker NAME [--kdf-cost default|min]",
	N_("create a workspace (keys and record store) on this laptop"),
	init_exec,
	N_("Options:\n"
	    "  --office-key FILE\n"
	    "      the office public key (office-public.key from the township\n"
	    "      office)\n"
	    "  --worker NAME\n"
	    "      the grid worker's name, kept in every record\n"
	    "  --kdf-cost default|min\n"
	    "      passphrase hashing cost; min is for tests only\n"
	    "The passphrase is asked twice (or read with --passphrase-file).\n"
	    "\n"
	    "Example:\n"
	    "  doorstep init --worker \"Zhang San\" \\\n"
	    "      --office-key /media/usb/office-public.key\n")
};
