/* doorstep: `doorstep-office forward --to URL`, office.db up to the county. */
/*
 * A township that works offline on its office.db sends it to its rows of
 * the county database (odb_forward): exactly once by each row's key, and
 * resumable.  The township joined the county database first with the
 * same keys (init --db URL); forward reads DIR/office.db whatever --db
 * says.  Sealed values travel sealed; the secret key is read to open
 * office.db as every command that reads answers does (which seals what an
 * older program stored in clear), never to open a value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cry.h"
#include "dbx.h"
#include "i18n.h"
#include "ocmd_util.h"
#include "odb.h"
#include "util.h"

extern const struct cmd_entry ocmd_forward_entry;

struct fwd_say {
	int64_t	 rows, sent;
};

static int
fwd_cb(void *arg, const char *table, int64_t rows, int64_t sent)
{
	struct fwd_say *f = arg;

	f->rows += rows;
	f->sent += sent;
	if (sent > 0)
		printf(_("%s: %lld rows, %lld sent\n"), table, (long long)rows,
		    (long long)sent);
	fflush(stdout);
	return 0;
}

static int
office_forward(const struct cli *cli, int argc, char **argv)
{
	struct cry_office_sec *sec = NULL;
	struct odb *from = NULL, *to = NULL;
	struct odb_fwd_gap gap;
	struct fwd_say f;
	struct ds_err err;
	const char *url = NULL, *bs = NULL;
	char p[4096 + 16];
	int64_t batch = 500;
	int rc = CMD_EXIT_FAIL;

	if (cmd_take_opt(&argc, argv, "--to", &url) != 0 ||
	    cmd_take_opt(&argc, argv, "--batch", &bs) != 0 || argc != 1 ||
	    url == NULL || !dbx_is_url(url) || (bs != NULL &&
	    ds_parse_i64(bs, 1, 1000000, &batch) != 0))
		return cmd_usage(cli, &ocmd_forward_entry);
	if (office_need_dir(cli, &ocmd_forward_entry) != 0)
		return CMD_EXIT_USAGE;
	ds_err_clear(&err);
	/* The key seals what an older program left in clear before it goes. */
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", cli->office_dir,
	    CRY_OFFICE_SEC_FILE) >= sizeof(p))
		return office_fail(cli, "forward", "path too long");
	if (cry_init(&err) != DS_OK ||
	    cry_office_sec_read(p, &sec, &err) != DS_OK) {
		fprintf(stderr, _("%s %s: this command needs the office secret "
		    "key %s to read or store household data, and it cannot be "
		    "read. Nothing was changed. Run the command on the office "
		    "computer that holds the key.\n  (%s)\n"), cli->progname,
		    "forward", p, err.msg);
		return CMD_EXIT_FAIL;
	}
	if ((size_t)snprintf(p, sizeof(p), "%s/office.db", cli->office_dir) >=
	    sizeof(p)) {
		rc = office_fail(cli, "forward", "path too long");
		goto out;
	}
	if (odb_open(p, sec, &from, &err) != DS_OK) {
		rc = office_fail_err(cli, "forward", &err);
		goto out;
	}
	if (odb_open(url, NULL, &to, &err) != DS_OK) {
		if (err.code == DS_ENOENT)
			fprintf(stderr, _("%s forward: this township has no "
			    "office in the county database yet: run "
			    "doorstep-office init --db URL with this office "
			    "directory first. Nothing was sent.\n"),
			    cli->progname);
		else
			office_pg_fail(cli, "forward", url, &err);
		goto out;
	}
	memset(&f, 0, sizeof(f));
	if (odb_forward(from, to, (int)batch, fwd_cb, &f, &gap, &err) !=
	    DS_OK) {
		if (err.code == DS_ECRYPTO)
			fprintf(stderr, _("%s forward: the county database "
			    "holds another office for this township (other "
			    "keys). Nothing was sent.\n"), cli->progname);
		else
			fprintf(stderr, _("%s forward: stopped: %s\n  What was "
			    "sent is kept; office.db is unchanged. Run the "
			    "same command again to send the rest.\n"),
			    cli->progname, err.msg);
		goto out;
	}
	if (f.sent == 0)
		printf(_("Nothing new to send: the county database has all "
		    "%lld rows of this township.\n"), (long long)f.rows);
	else
		printf(_("Sent %lld of %lld rows: the county database has this "
		    "township's office data.\n"), (long long)f.sent,
		    (long long)f.rows);
	/* Not a failure: what could be sent was, and running again
	 * changes nothing until office.db has the records again. */
	if (gap.behind)
		fprintf(stderr, _("%s forward: the county database holds "
		    "records of this township that office.db does not have "
		    "(bundles: %lld, revisions: %lld, case events: %lld): "
		    "office.db was restored from an older copy, or bundles "
		    "were imported into the county database directly. They "
		    "stay in the county database: nothing was lost. Rows new "
		    "to the county were sent; rows it had were left as they "
		    "are there. To bring office.db up to date, import the kept "
		    "sticks again (doorstep-office import DIR: a bundle "
		    "imported twice counts once), then forward again.\n"),
		    cli->progname, (long long)gap.bundles,
		    (long long)gap.revisions, (long long)gap.events);
	rc = CMD_EXIT_OK;
out:
	odb_close(to);
	odb_close(from);
	cry_office_sec_free(sec);
	return rc;
}

const struct cmd_entry ocmd_forward_entry = {
	"forward",
	"--to URL [--batch N]",
	N_("send this township's office.db up to the county database"),
	office_forward,
	N_("Options:\n"
	    "  --to URL\n"
	    "      postgresql://ROLE@HOST/DATABASE, as the township's role\n"
	    "      (the township joined first: init --db URL)\n"
	    "  --batch N\n"
	    "      rows a transaction (default 500); a stopped run keeps\n"
	    "      what it sent, and the next run sends the rest\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office forward --to postgresql://t341802101@db/county\n")
};
