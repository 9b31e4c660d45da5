/* doorstep: `doorstep-office enroll`, approve a device. */
/*
 * FILE is a bundle the device signed (its key comes from the header and
 * the signature must verify); ID is a hex prefix of a device already seen.
 * --fingerprint is required: the words the laptop itself shows (`doorstep
 * sync status`), read there by the clerk.  Anyone with office-public.key
 * can send a bundle under a new laptop's device id signed with a key of
 * their own; the fingerprint picks the laptop's key among every key that
 * claims the id, and bundles held under the others are dropped.
 * Bundles held for the device are imported at once, and each gets a fresh
 * receipt, named as import names it (SEQ-SEQ-BUNDLEID.rcpt), in --receipts
 * DIR or else FILE's directory, where it replaces the "held" receipt that
 * import wrote: the laptop's `sync ack` of it then retires the records.
 * Enrolled by ID without --receipts, no file is written and the operator is
 * told how the laptop gets them.
 */
#include <limits.h>
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

struct held {
	const char	*rdir;		/* NULL: write no receipts */
	size_t		 n, written;
	int		 failed;
};

static void
held_cb(void *arg, const struct imp_result *r)
{
	struct held *h = arg;
	struct ds_err err;
	char bid[2 * 16 + 1], path[PATH_MAX];

	h->n++;
	printf(_("  held bundle, sequence %llu-%llu: %s (%u new)\n"),
	    (unsigned long long)r->seq_lo, (unsigned long long)r->seq_hi,
	    office_status_words(r->status, r->replay), r->n_new);
	if (h->rdir == NULL || r->receipt == NULL)
		return;
	ds_hex_encode(r->bundle_id, 16, bid);
	ds_err_clear(&err);
	if (snprintf(path, sizeof(path), "%s/%llu-%llu-%s.rcpt", h->rdir,
	    (unsigned long long)r->seq_lo, (unsigned long long)r->seq_hi,
	    bid) >= (int)sizeof(path) || ds_file_write_atomic(path,
	    r->receipt, r->receipt_len, 0600, &err) != DS_OK) {
		fprintf(stderr, _("  cannot write the receipt %s: %s\n"), path,
		    err.msg);
		h->failed = 1;
		return;
	}
	h->written++;
	printf(_("  receipt %s\n"), path);
}

static int
office_enroll(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct odb_device d;
	struct ds_err err;
	struct stat sb;
	struct held h;
	const char *label = NULL, *rdir = NULL, *fpr = NULL;
	char *buf = NULL, id[33], dir[PATH_MAX], *slash;
	size_t len = 0, dropped = 0;
	enum ds_status st;
	int rc, file;

	if (office_opt(&argc, argv, "--label", &label) == -1 ||
	    office_opt(&argc, argv, "--receipts", &rdir) == -1 ||
	    office_opt(&argc, argv, "--fingerprint", &fpr) == -1 || argc != 2)
		return cmd_usage(cli, &ocmd_enroll_entry);
	if (office_need_dir(cli, &ocmd_enroll_entry) != 0)
		return CMD_EXIT_USAGE;
	if (fpr == NULL) {
		fprintf(stderr, _("%s enroll: give the laptop's fingerprint: "
		    "--fingerprint \"NNNN NNNN NNNN NNNN NNNN NNNN\". Read it "
		    "on the laptop itself (`doorstep sync status`, or the sync "
		    "screen), never from a file or message: anyone can send a "
		    "bundle under a new laptop's id. Nothing was changed.\n"),
		    cli->progname);
		return CMD_EXIT_USAGE;
	}
	file = stat(argv[1], &sb) == 0 && S_ISREG(sb.st_mode);
	/* Receipts: --receipts, else beside the bundle named. */
	if (rdir == NULL && file) {
		snprintf(dir, sizeof(dir), "%s", argv[1]);
		if ((slash = strrchr(dir, '/')) != NULL)
			*slash = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
		rdir = dir;
	}
	if ((rc = office_open(cli, &ocmd_enroll_entry, &o, 1)) != 0)
		return rc;
	ds_err_clear(&err);
	if (rdir != NULL && ds_mkdir_p(rdir, 0700, &err) != DS_OK) {
		office_close(&o);
		return office_fail_err(cli, "enroll", &err);
	}
	memset(&h, 0, sizeof(h));
	h.rdir = rdir;
	if (file) {
		st = ds_file_read(argv[1], BUNDLE_FILE_MAX, &buf, &len, &err);
		if (st == DS_OK)
			st = imp_enroll(o.db, o.sec, NULL,
			    (unsigned char *)buf, len, fpr, label, held_cb,
			    &h, &d, &dropped, &err);
		ds_free(buf);
	} else
		st = imp_enroll(o.db, o.sec, argv[1], NULL, 0, fpr, label,
		    held_cb, &h, &d, &dropped, &err);
	office_close(&o);
	if (st == DS_EREJECT) {
		fprintf(stderr, _("%s enroll: %s: no key that claims this "
		    "device has the fingerprint %s. Nothing was changed. Read "
		    "the fingerprint again on the laptop (`doorstep sync "
		    "status`); if it still differs, the bundles the office "
		    "holds for this id are not from that laptop: export again "
		    "from the laptop and import the new bundle.\n"),
		    cli->progname, argv[1], fpr);
		return CMD_EXIT_FAIL;
	}
	if (st != DS_OK)
		return office_fail_err(cli, "enroll", &err);
	ds_hex_encode(d.device_id, 16, id);
	printf(_("device %s enrolled\n"), id);
	if (dropped > 0)
		printf(_("%zu held bundle(s) signed by another key were "
		    "dropped: someone else sent them under this laptop's id.\n"),
		    dropped);
	if (h.n > 0 && rdir != NULL)
		printf(_("%zu fresh receipt(s) written to %s: take them back to "
		    "the laptop for `doorstep sync ack`, which retires those "
		    "records.\n"), h.written, rdir);
	else if (h.n > 0)
		printf(_("%zu held bundle(s) imported; no receipts written (no "
		    "--receipts DIR). The laptop's `doorstep sync ack URL` "
		    "fetches the office's acknowledgement state, or run enroll "
		    "with --receipts DIR to write receipts for the stick.\n"),
		    h.n);
	return h.failed ? CMD_EXIT_FAIL : CMD_EXIT_OK;
}

const struct cmd_entry ocmd_enroll_entry = {
	"enroll",
	"--fingerprint \"NNNN ...\" [--label TEXT] [--receipts DIR] "
	    "BUNDLE_FILE|DEVICE_ID",
	N_("approve a device and import its held bundles"),
	office_enroll,
	N_("Options:\n"
	    "  BUNDLE_FILE|DEVICE_ID\n"
	    "      a bundle the laptop signed, or the first 8 or more hex\n"
	    "      digits of a device `devices` lists\n"
	    "  --fingerprint \"NNNN NNNN NNNN NNNN NNNN NNNN\"\n"
	    "      required: the 24 digits the laptop shows (`doorstep sync\n"
	    "      status`), read on the laptop itself\n"
	    "  --label TEXT\n"
	    "      a name for the device (worker, village)\n"
	    "  --receipts DIR\n"
	    "      write the held bundles' fresh receipts here (default: the\n"
	    "      directory of BUNDLE_FILE, replacing the held receipts)\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office enroll --label \"Zhang San, Xiwei\" \\\n"
	    "      --fingerprint \"4821 0937 5512 0064 7790 3318\" 0a1b2c3d\n")
};
