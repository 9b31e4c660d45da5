/* doorstep: `doorstep-office enroll`, approve a device. */
/*
 * FILE is a bundle the device signed (its key comes from the header and
 * the signature must verify); ID is a hex prefix of a device already seen.
 * Bundles held for the device are imported at once.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle.h"
#include "i18n.h"
#include "imp.h"
#include "mem.h"
#include "ocmd_util.h"
#include "receipt.h"
#include "util.h"

extern const struct cmd_entry ocmd_enroll_entry;

static void
held_cb(void *arg, const struct imp_result *r)
{
	(void)arg;
	printf("  held bundle: %s (%u new)\n", receipt_status_str(r->status),
	    r->n_new);
}

static int
office_enroll(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct odb_device d;
	struct ds_err err;
	struct stat sb;
	const char *label = NULL;
	char *buf = NULL, id[33];
	size_t len = 0;
	enum ds_status st;
	int rc;

	if (office_opt(&argc, argv, "--label", &label) == -1 || argc != 2)
		return cmd_usage(cli, &ocmd_enroll_entry);
	if ((rc = office_open(cli, &ocmd_enroll_entry, &o, 1)) != 0)
		return rc;
	ds_err_clear(&err);
	if (stat(argv[1], &sb) == 0 && S_ISREG(sb.st_mode)) {
		st = ds_file_read(argv[1], BUNDLE_FILE_MAX, &buf, &len, &err);
		if (st == DS_OK)
			st = imp_enroll(o.db, o.sec, NULL,
			    (unsigned char *)buf, len, label, held_cb, NULL, &d,
			    &err);
		ds_free(buf);
	} else
		st = imp_enroll(o.db, o.sec, argv[1], NULL, 0, label, held_cb,
		    NULL, &d, &err);
	office_close(&o);
	if (st != DS_OK)
		return office_fail(cli, "enroll", err.msg);
	ds_hex_encode(d.device_id, 16, id);
	printf("device %s enrolled\n", id);
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_enroll_entry = {
	"enroll",
	"[--label TEXT] BUNDLE_FILE|DEVICE_ID",
	N_("approve a device and import its held bundles"),
	office_enroll,
	N_("Options:\n"
	    "  BUNDLE_FILE|DEVICE_ID\n"
	    "      a bundle the laptop signed, or the first 8 or more hex\n"
	    "      digits of a device `devices` lists\n"
	    "  --label TEXT\n"
	    "      a name for the device (worker, village)\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office enroll --label \"Zhang San, Xiwei\" 0a1b2c3d\n")
};
