/* doorstep: opening the office directory for the office commands. */
/*
 * Every office command starts here: find the directory, open office.db,
 * read the public key file, and the secret key file only for commands that
 * sign, or store or read household answers (import, enroll, serve, export,
 * report, release): office.db keeps answers sealed under a key derived
 * from it (odb.h), so those cannot run without it.  devices, revoke,
 * resolve and conflicts never touch answers and open without it.
 */
#include "ocmd_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "i18n.h"
#include "odb_case.h"
#include "oset.h"
#include "util.h"

int
office_fail(const struct cli *cli, const char *name, const char *msg)
{
	fprintf(stderr, "%s %s: %s\n", cli->progname, name, msg);
	return CMD_EXIT_FAIL;
}

int
office_fail_err(const struct cli *cli, const char *name,
    const struct ds_err *err)
{
	char say[1024];

	if (err->code != DS_ENOSPC)
		return office_fail(cli, name, err->msg);
	fprintf(stderr, "%s %s: %s\n  (%s)\n", cli->progname, name,
	    cmd_join(say, sizeof(say), cmd_phrase(CMD_DISK_FULL),
	    cmd_phrase(CMD_SAFE_OFFICE), cmd_phrase(CMD_SAFE_SENT),
	    _("Free some space on this computer (or move the office folder "
	    "to a larger disk), then run the command again."), NULL),
	    err->msg);
	return CMD_EXIT_FAIL;
}

int
office_fail_full(const struct cli *cli, const char *name,
    const struct ds_err *err)
{
	char say[1024];

	fprintf(stderr, "%s %s: %s\n  (%s)\n", cli->progname, name,
	    cmd_join(say, sizeof(say), cmd_phrase(CMD_DISK_FULL),
	    cmd_phrase(CMD_SAFE_OFFICE), _("Free some space on this computer "
	    "(or move the office folder to a larger disk), then run the "
	    "command again."), NULL), err->msg);
	return CMD_EXIT_FAIL;
}

int
office_need_dir(const struct cli *cli, const struct cmd_entry *e)
{
	char conf[4096];

	if (cli->office_dir != NULL && *cli->office_dir != '\0')
		return 0;
	if (ds_share_dir(DS_SHARE_SYSCONF, conf, sizeof(conf)) != 0)
		snprintf(conf, sizeof(conf), "/etc/doorstep");
	fprintf(stderr, _("%s %s: no office directory: use --dir DIR, set "
	    "DOORSTEP_OFFICE_DIR, or set DOORSTEP_OFFICE_DIR in "
	    "%s/office.conf\n"), cli->progname, e->name, conf);
	return cmd_usage(cli, e);
}

int
office_open(const struct cli *cli, const struct cmd_entry *e,
    struct office *o, int need_secret)
{
	struct ds_err err;
	char p[PATH_MAX + 64];

	memset(o, 0, sizeof(*o));
	if (office_need_dir(cli, e) != 0)
		return CMD_EXIT_USAGE;
	snprintf(o->dir, sizeof(o->dir), "%s", cli->office_dir);
	ds_err_clear(&err);
	if (cry_init(&err) != DS_OK)
		return office_fail(cli, e->name, err.msg);
	snprintf(p, sizeof(p), "%s/%s", o->dir, CRY_OFFICE_PUB_FILE);
	if (cry_office_pub_read(p, &o->pub, &err) != DS_OK)
		return office_fail(cli, e->name, err.msg);
	if (need_secret) {
		snprintf(p, sizeof(p), "%s/%s", o->dir, CRY_OFFICE_SEC_FILE);
		if (cry_office_sec_read(p, &o->sec, &err) != DS_OK) {
			fprintf(stderr, _("%s %s: this command needs the "
			    "office secret key %s to read or store household "
			    "data, and it cannot be read. Nothing was changed. "
			    "Run the command on the office computer that holds "
			    "the key.\n  (%s)\n"), cli->progname, e->name, p,
			    err.msg);
			return CMD_EXIT_FAIL;
		}
	}
	office_db_where(o->dir, p, sizeof(p));
	if (odb_open(p, o->sec, &o->db, &err) != DS_OK) {
		office_close(o);
		return office_fail_err(cli, e->name, &err);
	}
	snprintf(p, sizeof(p), "%s/%s", o->dir, OSET_FILE);
	if (need_secret && oset_load(p, &o->set, &err) != DS_OK &&
	    err.code != DS_ENOENT) {
		office_close(o);
		return office_fail(cli, e->name, err.msg);
	}
	odb_case_settings(o->db, o->set);
	return 0;
}

void
office_db_where(const char *dir, char *out, size_t n)
{
	const char *url = getenv("DOORSTEP_OFFICE_DB");

	if (url != NULL && *url != '\0')
		snprintf(out, n, "%s", url);
	else
		snprintf(out, n, "%s/office.db", dir);
}

void
office_close(struct office *o)
{
	odb_close(o->db);
	o->db = NULL;
	oset_free(o->set);
	o->set = NULL;
	cry_office_sec_free(o->sec);
	o->sec = NULL;
}

int
office_opt(int *argc, char **argv, const char *name, const char **val)
{
	return cmd_take_opt(argc, argv, name, val);
}
