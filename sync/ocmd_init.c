/* doorstep: `doorstep-office init`, create the office keys and database. */
/*
 * Creates DIR (0700), the three key files (cry_office_create) and
 * DIR/office.db (odb_create, bound to the new office id): the
 * public file to hand to laptops, the online secret file, and the recovery
 * secret that belongs offline (docs/keys.md).  Refuses to touch an office
 * that already has keys.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cry.h"
#include "i18n.h"
#include "ocmd_util.h"
#include "odb.h"
#include "util.h"

extern const struct cmd_entry ocmd_init_entry;

static int
office_init(const struct cli *cli, int argc, char **argv)
{
	struct cry_office_pub pub;
	struct ds_err err;
	char id[2 * CRY_ID_BYTES + 1];
	unsigned char kid[CRY_KEYID_BYTES];
	char khex[2 * CRY_KEYID_BYTES + 1];
	char db[1024];

	(void)argv;
	if (argc != 1)
		return cmd_usage(cli, &ocmd_init_entry);
	if (office_need_dir(cli, &ocmd_init_entry) != 0)
		return CMD_EXIT_USAGE;
	ds_err_clear(&err);
	if (cry_init(&err) != DS_OK ||
	    ds_mkdir_p(cli->office_dir, 0700, &err) != DS_OK ||
	    cry_office_create(cli->office_dir, &pub, &err) != DS_OK) {
		fprintf(stderr, "%s: init: %s\n", cli->progname, err.msg);
		return CMD_EXIT_FAIL;
	}
	if (snprintf(db, sizeof(db), "%s/office.db", cli->office_dir) >=
	    (int)sizeof(db) || odb_create(db, pub.office_id, &err) != DS_OK) {
		fprintf(stderr, "%s: init: %s\n", cli->progname, err.msg);
		/* Keys without a database are half an office: undo. */
		cry_office_unlink(cli->office_dir);
		return CMD_EXIT_FAIL;
	}
	ds_hex_encode(pub.office_id, sizeof(pub.office_id), id);
	cry_key_id(pub.box_pk, sizeof(pub.box_pk), kid);
	ds_hex_encode(kid, sizeof(kid), khex);
	printf("office %s created in %s\n"
	    "box key id %s\n"
	    "hand %s/%s to each laptop (doorstep init --office-key FILE)\n"
	    "move %s/%s offline: it can recover any laptop's data\n",
	    id, cli->office_dir, khex, cli->office_dir, CRY_OFFICE_PUB_FILE,
	    cli->office_dir, CRY_OFFICE_REC_FILE);
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_init_entry = {
	"init",
	"--dir DIR",
	N_("create the office keys and database in DIR"),
	office_init,
	N_("Options:\n"
	    "  --dir DIR\n"
	    "      the new office directory; it gets office-public.key (for\n"
	    "      laptops), office-secret.key, office-recovery.key (keep it\n"
	    "      offline) and office.db\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office init --dir /var/lib/doorstep-office\n")
};
