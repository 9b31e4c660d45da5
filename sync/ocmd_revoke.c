/* doorstep: `doorstep-office revoke`, refuse a device from now on. */
#include <stdio.h>

#include "i18n.h"
#include "imp.h"
#include "ocmd_util.h"
#include "util.h"

extern const struct cmd_entry ocmd_revoke_entry;

static int
office_revoke(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct odb_device d;
	struct ds_err err;
	char id[33];
	int rc;

	if (argc != 2)
		return cmd_usage(cli, &ocmd_revoke_entry);
	if ((rc = office_open(cli, &ocmd_revoke_entry, &o, 0)) != 0)
		return rc;
	ds_err_clear(&err);
	if (imp_revoke(o.db, argv[1], &d, &err) != DS_OK) {
		office_close(&o);
		return office_fail_err(cli, "revoke", &err);
	}
	office_close(&o);
	ds_hex_encode(d.device_id, 16, id);
	printf("device %s revoked; its bundles will be rejected\n", id);
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_revoke_entry = {
	"revoke",
	"DEVICE_ID",
	N_("revoke a device: its bundles are rejected from now on"),
	office_revoke,
	N_("Options:\n"
	    "  DEVICE_ID\n"
	    "      the first 8 or more hex digits of the device\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office revoke 0a1b2c3d\n")
};
