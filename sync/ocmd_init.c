/* doorstep: `doorstep-office init`, create the office keys and database. */
/*
 * Creates DIR (0700), the three key files (cry_office_create) and
 * DIR/office.db (odb_create, bound to the new office id): the
 * public file to hand to laptops, the online secret file, and the recovery
 * secret that belongs offline (docs/keys.md), and DIR/settings.json, the
 * office's copy of its province's settings (docs/case.md), checked before
 * anything is created.  Refuses to touch an office that already has keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cry.h"
#include "dbx.h"
#include "i18n.h"
#include "mem.h"
#include "ocmd_util.h"
#include "odb.h"
#include "oset.h"
#include "util.h"

extern const struct cmd_entry ocmd_init_entry;

/*
 * --settings FILE|PROVINCE: a path (it has a '/' or ends in .json), else
 * a shipped province file (ds_share_dir: forms/settings in the tree,
 * PREFIX/share/doorstep/settings installed).  Read and checked before
 * anything is created.
 */
static int
settings_read(const char *arg, char **buf, size_t *len, struct ds_err *err)
{
	struct oset *set = NULL;
	char path[4096], dir[3072];
	size_t n = strlen(arg);

	if (strchr(arg, '/') != NULL || (n > 5 &&
	    strcmp(arg + n - 5, ".json") == 0))
		snprintf(path, sizeof(path), "%s", arg);
	else {
		if (strspn(arg, "abcdefghijklmnopqrstuvwxyz_") != n || n == 0) {
			ds_err_set(err, DS_EINVAL, "no province settings named "
			    "'%s'", arg);
			return -1;
		}
		if (ds_share_dir(DS_SHARE_SETTINGS, dir, sizeof(dir)) != 0) {
			ds_err_set(err, DS_ELIMIT, "settings directory name too "
			    "long");
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s.json", dir, arg);
	}
	if (ds_file_read(path, OSET_MAX_BYTES, buf, len, err) != DS_OK ||
	    oset_parse(*buf, *len, path, &set, err) != DS_OK) {
		ds_free(*buf);
		*buf = NULL;
		return -1;
	}
	oset_free(set);
	return 0;
}

/*
 * An office that has its keys, with --db: its township joins the county
 * database under the same office id (a township moving from office.db;
 * the keys stay in DIR, nothing in DIR changes).
 */
static int
join_county(const struct cli *cli, const char *url)
{
	struct cry_office_pub pub;
	struct ds_err err;
	char p[PATH_MAX + 64], id[2 * CRY_ID_BYTES + 1];

	ds_err_clear(&err);
	snprintf(p, sizeof(p), "%s/%s", cli->office_dir, CRY_OFFICE_PUB_FILE);
	if (cry_init(&err) != DS_OK ||
	    cry_office_pub_read(p, &pub, &err) != DS_OK ||
	    odb_create(url, pub.office_id, &err) != DS_OK) {
		if (err.code == DS_ESTATE)
			return office_pg_fail(cli, "init", url, &err);
		fprintf(stderr, _("%s init: the office did not join the "
		    "county database: %s\n"), cli->progname, err.msg);
		return CMD_EXIT_FAIL;
	}
	ds_hex_encode(pub.office_id, sizeof(pub.office_id), id);
	printf(_("office %s joined the county database; its keys stay in "
	    "%s\n"), id, cli->office_dir);
	return CMD_EXIT_OK;
}

static int
office_init(const struct cli *cli, int argc, char **argv)
{
	struct cry_office_pub pub;
	struct ds_err err;
	char id[2 * CRY_ID_BYTES + 1];
	unsigned char kid[CRY_KEYID_BYTES];
	char khex[2 * CRY_KEYID_BYTES + 1];
	char db[1024], sp[1024];
	const char *settings = "anhui";
	char *sbuf = NULL;
	size_t slen = 0;

	if (cmd_take_opt(&argc, argv, "--settings", &settings) != 0 ||
	    argc != 1)
		return cmd_usage(cli, &ocmd_init_entry);
	if (office_need_dir(cli, &ocmd_init_entry) != 0)
		return CMD_EXIT_USAGE;
	office_db_where(cli->office_dir, db, sizeof(db));
	snprintf(sp, sizeof(sp), "%s/%s", cli->office_dir,
	    CRY_OFFICE_PUB_FILE);
	if (dbx_is_url(db) && ds_path_exists(sp))
		return join_county(cli, db);
	ds_err_clear(&err);
	if (settings_read(settings, &sbuf, &slen, &err) != 0) {
		fprintf(stderr, "%s: init: settings: %s\n", cli->progname,
		    err.msg);
		return CMD_EXIT_FAIL;
	}
	if (cry_init(&err) != DS_OK ||
	    ds_mkdir_p(cli->office_dir, 0700, &err) != DS_OK ||
	    cry_office_create(cli->office_dir, &pub, &err) != DS_OK) {
		fprintf(stderr, "%s: init: %s\n", cli->progname, err.msg);
		ds_free(sbuf);
		return CMD_EXIT_FAIL;
	}
	/*
	 * The office's own copy of the province settings (docs/case.md),
	 * before the database: a file is undone with unlink, a county
	 * database's rows would not be.
	 */
	if (snprintf(sp, sizeof(sp), "%s/%s", cli->office_dir, OSET_FILE) >=
	    (int)sizeof(sp) || ds_file_write_atomic(sp, sbuf, slen, 0644,
	    &err) != DS_OK) {
		fprintf(stderr, "%s: init: %s\n", cli->progname, err.msg);
		cry_office_unlink(cli->office_dir);
		ds_free(sbuf);
		return CMD_EXIT_FAIL;
	}
	office_db_where(cli->office_dir, db, sizeof(db));
	if (odb_create(db, pub.office_id, &err) != DS_OK) {
		if (err.code == DS_ESTATE)
			office_pg_fail(cli, "init", db, &err);
		else
			fprintf(stderr, "%s: init: %s\n", cli->progname,
			    err.msg);
		/* Keys without a database are half an office: undo. */
		unlink(sp);
		cry_office_unlink(cli->office_dir);
		ds_free(sbuf);
		return CMD_EXIT_FAIL;
	}
	ds_free(sbuf);
	ds_hex_encode(pub.office_id, sizeof(pub.office_id), id);
	cry_key_id(pub.box_pk, sizeof(pub.box_pk), kid);
	ds_hex_encode(kid, sizeof(kid), khex);
	printf("office %s created in %s\n"
	    "box key id %s\n"
	    "hand %s/%s to each laptop (doorstep init --office-key FILE)\n"
	    "move %s/%s offline: it can recover any laptop's data\n"
	    "settings in %s (from %s): check the numbers marked null\n",
	    id, cli->office_dir, khex, cli->office_dir, CRY_OFFICE_PUB_FILE,
	    cli->office_dir, CRY_OFFICE_REC_FILE, sp, settings);
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_init_entry = {
	"init",
	"--dir DIR [--settings FILE|PROVINCE]",
	N_("create the office keys, database and settings in DIR"),
	office_init,
	N_("Options:\n"
	    "  --dir DIR\n"
	    "      the new office directory; it gets office-public.key (for\n"
	    "      laptops), office-secret.key, office-recovery.key (keep it\n"
	    "      offline), office.db and settings.json\n"
	    "  --settings FILE|PROVINCE\n"
	    "      the province's settings to copy: a shipped file by name\n"
	    "      (anhui, xinjiang) or a settings file; default anhui.  Check\n"
	    "      the numbers it leaves null before recording steps\n"
	    "  --db URL (an option of every command)\n"
	    "      keep the office data in the county's PostgreSQL database;\n"
	    "      for a DIR that has its keys already, its township joins\n"
	    "      that database under the same office id\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office init --dir /var/lib/doorstep-office "
	    "--settings anhui\n")
};
