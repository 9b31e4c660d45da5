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
#include "dbx.h"
#include "i18n.h"
#include "odb_case.h"
#include "oset.h"
#include "receipt.h"
#include "util.h"

int
office_fail(const struct cli *cli, const char *name, const char *msg)
{
	fprintf(stderr, "%s %s: %s\n", cli->progname, name, msg);
	return CMD_EXIT_FAIL;
}

void
office_detail(const char *msg)
{
	if (msg != NULL && msg[0] != '\0' && strcmp(i18n_lang(), "en") == 0)
		fprintf(stderr, "  (%s)\n", msg);
}

/* The disk-full wording; `sent`: the laptops' data is safe too. */
static int
disk_full(const struct cli *cli, const char *name, const struct ds_err *err,
    int sent)
{
	const char *todo = _("Free some space on this computer (or move the "
	    "office folder to a larger disk), then run the command again.");
	char say[1024];

	fprintf(stderr, "%s %s: %s\n", cli->progname, name,
	    cmd_join(say, sizeof(say), cmd_phrase(CMD_DISK_FULL),
	    cmd_phrase(CMD_SAFE_OFFICE), sent ? cmd_phrase(CMD_SAFE_SENT) :
	    todo, sent ? todo : NULL, NULL));
	office_detail(err->msg);
	return CMD_EXIT_FAIL;
}

const char *
office_status_words(int status, int replay)
{
	switch (status) {
	case RS_IMPORTED:
		return replay ? _("already imported") : _("imported");
	case RS_DUPLICATE:
		return replay ? _("already imported") : _("duplicate");
	case RS_HELD:
		return replay ? _("already held") : _("held");
	case RS_REJECTED:
		return _("refused");
	case RS_ACKSTATE:
		return _("acknowledgements only");
	default:
		return _("not imported");
	}
}

int
office_fail_err(const struct cli *cli, const char *name,
    const struct ds_err *err)
{
	if (err->code != DS_ENOSPC)
		return office_fail(cli, name, err->msg);
	return disk_full(cli, name, err, 1);
}

int
office_fail_full(const struct cli *cli, const char *name,
    const struct ds_err *err)
{
	return disk_full(cli, name, err, 0);
}

int
office_pg_fail(const struct cli *cli, const char *name, const char *url,
    const struct ds_err *oerr)
{
	struct odb_pg_info in;
	struct ds_err err;

	ds_err_clear(&err);
	if (oerr->code != DS_ESTATE || !dbx_is_url(url) ||
	    odb_pg_probe(url, &in, &err) != DS_OK)
		return office_fail_err(cli, name, oerr);
	fprintf(stderr, "%s %s: ", cli->progname, name);
	switch (in.who) {
	case ODB_PG_NO_SCHEMA:
		fprintf(stderr, _("the county database is not set up: its "
		    "owner runs doorstep-office dbsetup first. Nothing was "
		    "changed.\n"));
		break;
	case ODB_PG_OLD_SCHEMA:
		fprintf(stderr, _("the county database has schema version %d "
		    "and this program knows version %d: its owner runs "
		    "doorstep-office dbsetup with the newer program. Nothing "
		    "was changed.\n"), in.version, in.known);
		break;
	case ODB_PG_NO_ROLE:
		fprintf(stderr, _("role %s is not a township's role in this "
		    "county database: its owner adds the role to ds_role "
		    "first. Nothing was changed.\n"), in.role);
		break;
	case ODB_PG_COUNTY:
		fprintf(stderr, _("role %s is not a township's role but the "
		    "county's: it reads every township's reports (report, "
		    "with --township CODE for one) and changes nothing. "
		    "Connect as the township's role for this command.\n"),
		    in.role);
		break;
	default:
		fprintf(stderr, "%s\n", oerr->msg);
		break;
	}
	return CMD_EXIT_FAIL;
}

int
office_open_county(const struct cli *cli, const struct cmd_entry *e,
    struct office *o, const char *township)
{
	struct odb_pg_info in;
	struct ds_err err;
	char p[PATH_MAX + 64];

	memset(o, 0, sizeof(*o));
	if (office_need_dir(cli, e) != 0)
		return CMD_EXIT_USAGE;
	snprintf(o->dir, sizeof(o->dir), "%s", cli->office_dir);
	office_db_where(o->dir, p, sizeof(p));
	ds_err_clear(&err);
	if (!dbx_is_url(p) || odb_pg_probe(p, &in, &err) != DS_OK ||
	    in.who != ODB_PG_COUNTY) {
		if (township != NULL) {
			fprintf(stderr, _("%s %s: --township is for the "
			    "county's role in a county database (--db "
			    "postgresql://...).\n"), cli->progname, e->name);
			return cmd_usage(cli, e);
		}
		return office_open(cli, e, o, 1);
	}
	if (odb_open_county(p, township, &o->db, &err) != DS_OK) {
		if (err.code == DS_ENOENT) {
			fprintf(stderr, _("%s %s: there is no township %s in "
			    "county %s.\n"), cli->progname, e->name, township,
			    in.county);
			return CMD_EXIT_FAIL;
		}
		return office_pg_fail(cli, e->name, p, &err);
	}
	/* The county's own settings (signal bands), when it keeps them. */
	snprintf(p, sizeof(p), "%s/%s", o->dir, OSET_FILE);
	if (oset_load(p, &o->set, &err) != DS_OK && err.code != DS_ENOENT) {
		office_close(o);
		return office_fail(cli, e->name, err.msg);
	}
	odb_case_settings(o->db, o->set);
	return 0;
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
			    "the key.\n"), cli->progname, e->name, p);
			office_detail(err.msg);
			return CMD_EXIT_FAIL;
		}
	}
	office_db_where(o->dir, p, sizeof(p));
	if (odb_open(p, o->sec, &o->db, &err) != DS_OK) {
		office_close(o);
		return office_pg_fail(cli, e->name, p, &err);
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
