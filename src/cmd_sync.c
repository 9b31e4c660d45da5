/* doorstep: `doorstep sync export|push|ack|status`, the field side of sync. */
/*
 * export writes a bundle for a USB stick; push sends one over HTTP and
 * applies the receipt; ack applies a receipt file carried back (or fetches
 * the office's ack state from a URL); status shows what is pending, sent
 * and acknowledged.  Only a receipt signed by the pinned office key
 * changes what counts as acknowledged.  Over https the office server is
 * verified too (--cacert / DOORSTEP_CA_FILE, --pin); an untrusted server
 * gets nothing.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "cmd.h"
#include "cmd_ws.h"
#include "fetch.h"
#include "i18n.h"
#include "mem.h"
#include "pack.h"
#include "receipt.h"
#include "store.h"
#include "util.h"
#include "ws.h"

/* A paragraph of what happened, what is safe and what to do. */
#define SAY_MAX		1024

extern const struct cmd_entry cmd_sync_export_entry, cmd_sync_push_entry,
    cmd_sync_ack_entry, cmd_sync_status_entry, cmd_sync_entry;

static void
opts_of(struct ws *w, struct pack_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->worker = ws_worker(w);
}

/*
 * What the office did, worded here from the receipt's signed facts (its
 * status, reason and counts); the receipt's own text is not shown.
 */
static void
show_receipt(const struct receipt *rc)
{
	unsigned long long through = (unsigned long long)rc->contiguous;

	switch (rc->status) {
	case RS_REJECTED:
		printf(_("office answer: refused: %s.\nNothing was changed at "
		    "the office; the answers are still safe on this laptop: "
		    "export again and take the new bundle.\n"),
		    cmd_reason_text(rc->reason));
		break;
	case RS_HELD:
		printf(_("office answer: held. The office has the bundle but "
		    "has not enrolled this laptop yet: ask the office to "
		    "enroll it (it compares the fingerprint `doorstep sync "
		    "status` shows).\n"));
		printf("%s\n", cmd_phrase(CMD_SAFE_LAPTOP));
		break;
	case RS_ACKSTATE:
		printf(_("office answer: what the office holds of this "
		    "laptop's saves; acknowledged through %llu.\n"), through);
		break;
	default:
		printf(_("office answer: %s, %u new, %u already there; "
		    "acknowledged through %llu. The answers are safe at the "
		    "office.\n"), rc->status == RS_DUPLICATE ?
		    _("already imported") : _("imported"), rc->n_new,
		    rc->n_dup, through);
		break;
	}
}

static int
nothing(const struct cli *cli)
{
	printf(_("Nothing to send: every saved answer is already "
	    "acknowledged or sent.\n"));
	(void)cli;
	return CMD_EXIT_OK;
}

/* Why an office bundle was refused, in the worker's words. */
static const char *
refusal_words(int why)
{
	switch (why) {
	case OB_DEVICE:
		return _("it is for another laptop");
	case OB_OFFICE:
	case OB_SIGNATURE:
		return _("it is not signed by this township office");
	case OB_BOXKEY:
	case OB_SEAL:
		return _("it is sealed for another key of this laptop");
	case OB_GAP:
		return _("an earlier list is missing: sync again, or bring "
		    "every list on the stick");
	case OB_CHAIN:
		return _("it does not follow the lists this laptop has");
	case OB_STORE:
		return _("the laptop could not store it");
	default:
		return _("it is damaged or was changed on the way");
	}
}

/* What came from the office: entries, withdrawals, forms, refusals. */
static void
show_fetch(const struct fetch_sum *f)
{
	size_t i;

	if (f->applied > 0)
		printf(_("Visit lists from the office: %zu new entries, %zu "
		    "withdrawn (doorstep records --due shows them).\n"),
		    f->n_entries, f->n_withdrawals);
	for (i = 0; i < f->n_forms; i++)
		printf(_("Form installed: %s\n"), f->forms[i]);
	if (f->refused > 0)
		printf(_("%zu list file(s) from the office were refused: %s. "
		    "Nothing in them was applied; the answers on this laptop "
		    "are safe. Ask the office to send the lists again.\n"),
		    f->refused, refusal_words(f->last_why));
	if (f->applied == 0 && f->refused == 0)
		printf(_("No new visit lists from the office.\n"));
}

/* Apply the receipts the office left on the stick for this laptop. */
static void
stick_receipts(struct ws *w, const char *dir)
{
	static struct receipt rc;
	struct dirent *e;
	struct ds_err err;
	char p[4096], hex[33], *buf;
	size_t n, len, ok = 0;
	DIR *d;

	ds_hex_encode(ws_device_id(w), 16, hex);
	if (snprintf(p, sizeof(p), "%s/doorstep/outbox/%s", dir, hex) >=
	    (int)sizeof(p) || (d = opendir(p)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (e->d_name[0] == '.' || n < 6 ||
		    strcmp(e->d_name + n - 5, ".rcpt") != 0 ||
		    snprintf(p, sizeof(p), "%s/doorstep/outbox/%s/%s", dir,
		    hex, e->d_name) >= (int)sizeof(p))
			continue;
		buf = NULL;
		if (ds_file_read(p, RECEIPT_FILE_MAX, &buf, &len, &err) ==
		    DS_OK && pack_apply_receipt(ws_store(w), ws_device_id(w),
		    ws_office(w), (unsigned char *)buf, len, &rc, &err) ==
		    DS_OK)
			ok++;
		ds_free(buf);
	}
	closedir(d);
	if (ok > 0)
		printf(_("%zu receipt(s) from the office applied.\n"), ok);
}

/*
 * 1 when the bundle at path landed on the file system that holds the
 * workspace: a directory on the laptop's disk, not a stick.
 */
static int
same_disk(const char *wsdir, const char *path)
{
	struct stat a, b;

	return stat(wsdir, &a) == 0 && stat(path, &b) == 0 &&
	    a.st_dev == b.st_dev;
}

static int
export_exec(const struct cli *cli, int argc, char **argv)
{
	struct fetch_sum got;
	struct stat sb;
	struct pack_opts o;
	struct pack_result r;
	struct ds_err err;
	struct ws *w = NULL;
	const char *out = NULL;
	char hex[65], w_dir[PATH_MAX];
	enum ds_status st;
	int i, k, rc, isdir;

	for (i = 1; i < argc; i++) {
		if ((k = cmdw_opt(argc, argv, &i, "--out", &out)) == 1)
			continue;
		return cmd_usage(cli, &cmd_sync_export_entry);
	}
	if (out == NULL)
		return cmd_usage(cli, &cmd_sync_export_entry);
	if ((rc = cmdw_open(cli, &w)) != 0)
		return rc;
	snprintf(w_dir, sizeof(w_dir), "%s", ws_dir(w));
	opts_of(w, &o);
	ds_err_clear(&err);
	/*
	 * A stick: first what the office left on it for this laptop (its
	 * receipts, its visit lists), then the bundle, then the note that
	 * tells the office what this laptop has: one action for the worker.
	 */
	isdir = stat(out, &sb) == 0 && S_ISDIR(sb.st_mode);
	if (isdir) {
		stick_receipts(w, out);
		if ((st = fetch_dir(w, out, &got, &err)) != DS_OK) {
			rc = cmdw_fail(cli, "sync export", &err);
			ws_close(w);
			return rc;
		}
		show_fetch(&got);
	}
	st = pack_export(ws_store(w), ws_device_id(w), ws_signer(w),
	    ws_office(w), &o, out, &r, &err);
	ws_close(w);
	if (st == DS_ENOENT)
		return nothing(cli);
	if (st != DS_OK)
		return cmdw_fail(cli, "sync export", &err);
	ds_hex_encode(r.hash, 32, hex);
	if (r.n_bundles > 1)
		printf(_("%zu bundles written, the last: %s\n"), r.n_bundles,
		    r.path);
	else
		printf(_("bundle written: %s\n"), r.path);
	printf(_("  %zu revision(s), sequence %lld-%lld, %zu bytes\n"
	    "  hash %s\n"), r.n_records, (long long)r.seq_lo,
	    (long long)r.seq_hi, r.size, hex);
	if (r.more)
		printf(_("More saves wait: export again for the next "
		    "bundle.\n"));
	if (same_disk(w_dir, r.path))
		fprintf(stderr, _("doorstep sync export: warning: %s is on "
		    "this laptop's own disk, not a removable stick. The bundle "
		    "is there: copy it to the stick, or plug the stick in and "
		    "export to it.\n"), realpath(r.path, w_dir) != NULL ?
		    w_dir : r.path);
	else
		printf(_("Use \"safely remove\" before unplugging the "
		    "stick.\n"));
	return CMD_EXIT_OK;
}

static int
progress(void *arg, size_t sent, size_t total)
{
	(void)arg;
	if (total > (1u << 20))
		fprintf(stderr, "\r%zu / %zu KiB", sent >> 10, total >> 10);
	return 0;
}

/*
 * TLS trust for push and ack: --cacert FILE or DOORSTEP_CA_FILE (a PEM CA
 * the office certificate is signed with; default the system CAs) and
 * --pin sha256//KEY.  Verification is never switched off.  0 when set,
 * else the exit status of the failure (message printed).
 */
static int
trust_of(const struct cli *cli, const char *cmd, const char *ca,
    const char *pin, struct xport_opts *x)
{
	char what[PATH_MAX + 256], say[SAY_MAX];

	if (ca == NULL && getenv("DOORSTEP_CA_FILE") != NULL &&
	    getenv("DOORSTEP_CA_FILE")[0] != '\0')
		ca = getenv("DOORSTEP_CA_FILE");
	if (ca != NULL && access(ca, R_OK) != 0) {
		snprintf(what, sizeof(what), _("The office's certificate "
		    "file %s cannot be read (%s)."), ca, strerror(errno));
		fprintf(stderr, "%s %s: %s\n", cli->progname, cmd,
		    cmd_join(say, sizeof(say), what,
		    cmd_phrase(CMD_NOTHING_SENT), cmd_phrase(CMD_SAFE_LAPTOP),
		    _("Copy the township office's certificate file (ca.pem) "
		    "to this laptop and name it with --cacert."), NULL));
		return CMD_EXIT_FAIL;
	}
	if (pin != NULL && strncmp(pin, "sha256//", 8) != 0) {
		fprintf(stderr, _("%s %s: the pin must look like "
		    "sha256//BASE64 (doorstep-office serve prints it)\n"),
		    cli->progname, cmd);
		return CMD_EXIT_USAGE;
	}
	x->ca_file = ca;
	x->pinned_key = pin;
	return 0;
}

/* The office server could not be trusted: say so, and what to do. */
static int
untrusted(const struct cli *cli, const char *cmd, const struct ds_err *err)
{
	char say[SAY_MAX];

	fprintf(stderr, "%s %s: %s\n%s\n", cli->progname, cmd, err->msg,
	    cmd_join(say, sizeof(say), _("The connection to the office "
	    "could not be trusted."),
	    cmd_phrase(CMD_NOTHING_SENT), cmd_phrase(CMD_SAFE_LAPTOP),
	    _("Check the address, get the right certificate file (ca.pem) "
	    "or pin from the township office, and try again."), NULL));
	return CMD_EXIT_FAIL;
}

/*
 * The arguments of `sync push` and `sync`: URL [--tries N] [--pin P]
 * [--cacert F]; the back-off from DOORSTEP_SYNC_BACKOFF_MS (tests).  0
 * when set, else the exit status (message printed).
 */
static int
push_args(const struct cli *cli, const struct cmd_entry *e, const char *cmd,
    int argc, char **argv, const char **url, struct push_opts *po)
{
	const char *tries = NULL, *pin = NULL, *ca = NULL;
	int64_t n;
	int i, k, rc;

	memset(po, 0, sizeof(*po));
	*url = NULL;
	for (i = 1; i < argc; i++) {
		if ((k = cmdw_opt(argc, argv, &i, "--tries", &tries)) ||
		    (k = cmdw_opt(argc, argv, &i, "--pin", &pin)) ||
		    (k = cmdw_opt(argc, argv, &i, "--cacert", &ca))) {
			if (k < 0)
				return cmd_usage(cli, e);
			continue;
		}
		if (*url != NULL || argv[i][0] == '-')
			return cmd_usage(cli, e);
		*url = argv[i];
	}
	if (*url == NULL)
		return cmd_usage(cli, e);
	if (tries != NULL) {
		if (ds_parse_i64(tries, 1, 100, &n) != 0)
			return cmd_usage(cli, e);
		po->tries = (unsigned)n;
	}
	if (getenv("DOORSTEP_SYNC_BACKOFF_MS") != NULL &&
	    ds_parse_i64(getenv("DOORSTEP_SYNC_BACKOFF_MS"), 1, 60000, &n) == 0)
		po->backoff_ms = (unsigned)n;
	if ((rc = trust_of(cli, cmd, ca, pin, &po->x)) != 0)
		return rc;
	po->x.progress = progress;
	return 0;
}

static int
push_exec(const struct cli *cli, int argc, char **argv)
{
	static struct receipt rcpt;
	struct pack_opts o;
	struct push_opts po;
	struct pack_result r;
	struct ds_err err;
	struct ws *w = NULL;
	const char *url;
	char say[SAY_MAX];
	enum ds_status st;
	int rc;

	if ((rc = push_args(cli, &cmd_sync_push_entry, "sync push", argc,
	    argv, &url, &po)) != 0)
		return rc;
	if ((rc = cmdw_open(cli, &w)) != 0)
		return rc;
	opts_of(w, &o);
	ds_err_clear(&err);
	st = pack_push(ws_store(w), ws_device_id(w), ws_signer(w),
	    ws_office(w), &o, url, &po, &r, &rcpt, &err);
	ws_close(w);
	if (st == DS_ENOENT)
		return nothing(cli);
	if (st == DS_OK || st == DS_EREJECT) {
		printf(_("sent %zu revision(s) (sequence %lld-%lld)\n"),
		    r.n_records, (long long)r.seq_lo, (long long)r.seq_hi);
		show_receipt(&rcpt);
		return st == DS_OK ? CMD_EXIT_OK : CMD_EXIT_FAIL;
	}
	if (st == DS_ECRYPTO)
		return untrusted(cli, "sync push", &err);
	fprintf(stderr, "%s sync push: %s\n%s\n", cli->progname, err.msg,
	    cmd_join(say, sizeof(say), cmd_phrase(CMD_SAFE_LAPTOP),
	    _("Push again later."), NULL));
	return CMD_EXIT_FAIL;
}

/*
 * `doorstep sync URL`: send what waits, then bring the office's visit
 * lists and forms, and tell the office what this laptop has (fetch_sync,
 * the same function the TUI's sync screen calls).
 */
static int
sync_exec(const struct cli *cli, int argc, char **argv)
{
	static struct fetch_sync fs;
	struct pack_opts o;
	struct push_opts po;
	struct ds_err err;
	struct ws *w = NULL;
	const char *url;
	enum ds_status st;
	int rc;

	if ((rc = push_args(cli, &cmd_sync_entry, "sync", argc, argv, &url,
	    &po)) != 0)
		return rc;
	if ((rc = cmdw_open(cli, &w)) != 0)
		return rc;
	opts_of(w, &o);
	ds_err_clear(&err);
	st = fetch_sync(w, url, &o, &po, &fs, &err);
	ws_close(w);
	if (st == DS_ECRYPTO)
		return untrusted(cli, "sync", &err);
	if (fs.push == DS_ENOENT)
		printf(_("Nothing to send: every saved answer is already with "
		    "the office.\n"));
	else if (fs.push == DS_OK || fs.push == DS_EREJECT) {
		printf(_("Sent %zu revision(s) (saves %lld-%lld).\n"),
		    fs.sent.n_records, (long long)fs.sent.seq_lo,
		    (long long)fs.sent.seq_hi);
		show_receipt(&fs.rc);
	} else
		fprintf(stderr, _("%s sync: sending failed: %s\nThe answers "
		    "are safe on this laptop; they go at the next sync.\n"),
		    cli->progname, fs.push_err.msg);
	if (st != DS_OK) {
		fprintf(stderr, _("%s sync: the visit lists could not be "
		    "fetched: %s\nNothing was changed on this laptop; sync "
		    "again later.\n"), cli->progname, err.msg);
		return CMD_EXIT_FAIL;
	}
	show_fetch(&fs.got);
	return fs.push == DS_OK || fs.push == DS_ENOENT ? CMD_EXIT_OK :
	    CMD_EXIT_FAIL;
}

static int
ack_exec(const struct cli *cli, int argc, char **argv)
{
	static struct receipt rcpt;
	struct push_opts po;
	struct ds_err err;
	struct ws *w = NULL;
	const char *pin = NULL, *ca = NULL, *arg = NULL;
	char *buf = NULL, say[SAY_MAX];
	size_t len = 0;
	enum ds_status st;
	int i, k, rc, net;

	memset(&po, 0, sizeof(po));
	for (i = 1; i < argc; i++) {
		if ((k = cmdw_opt(argc, argv, &i, "--pin", &pin)) ||
		    (k = cmdw_opt(argc, argv, &i, "--cacert", &ca))) {
			if (k < 0)
				return cmd_usage(cli, &cmd_sync_ack_entry);
			continue;
		}
		if (arg != NULL || argv[i][0] == '-')
			return cmd_usage(cli, &cmd_sync_ack_entry);
		arg = argv[i];
	}
	if (arg == NULL)
		return cmd_usage(cli, &cmd_sync_ack_entry);
	net = strncmp(arg, "http://", 7) == 0 ||
	    strncmp(arg, "https://", 8) == 0;
	if (!net && (pin != NULL || ca != NULL))
		return cmd_usage(cli, &cmd_sync_ack_entry);
	if (net && (rc = trust_of(cli, "sync ack", ca, pin, &po.x)) != 0)
		return rc;
	if ((rc = cmdw_open(cli, &w)) != 0)
		return rc;
	ds_err_clear(&err);
	if (net)
		st = pack_fetch_acks(ws_store(w), ws_device_id(w),
		    ws_office(w), arg, &po, &rcpt, &err);
	else if ((st = ds_file_read(arg, RECEIPT_FILE_MAX, &buf, &len,
	    &err)) == DS_OK)
		st = pack_apply_receipt(ws_store(w), ws_device_id(w),
		    ws_office(w), (unsigned char *)buf, len, &rcpt, &err);
	ds_free(buf);
	ws_close(w);
	if (st == DS_ECRYPTO && net)
		return untrusted(cli, "sync ack", &err);
	if (st != DS_OK) {
		fprintf(stderr, "%s sync ack: %s: %s\n%s\n", cli->progname,
		    arg, err.msg, cmd_join(say, sizeof(say), _("The receipt "
		    "was not applied; nothing was changed on this laptop."),
		    cmd_phrase(CMD_SAFE_LAPTOP), _("Bring the office's "
		    "receipt again, or sync again."), NULL));
		return CMD_EXIT_FAIL;
	}
	show_receipt(&rcpt);
	return CMD_EXIT_OK;
}

static int
status_exec(const struct cli *cli, int argc, char **argv)
{
	static const enum store_status sts[] = { STORE_DRAFT, STORE_FINALIZED,
	    STORE_SENT, STORE_ACKED };
	struct store_query q;
	struct store_list l = { NULL, 0 };
	struct store_outbox_counts c;
	struct ds_err err;
	struct ws *w = NULL;
	char fpr[CRY_FPR_TEXT];
	int64_t last = 0;
	size_t i;
	int rc;

	(void)argv;
	if (argc != 1)
		return cmd_usage(cli, &cmd_sync_status_entry);
	if ((rc = cmdw_open(cli, &w)) != 0)
		return rc;
	ds_err_clear(&err);
	if (store_outbox_count(ws_store(w), &c, &err) != DS_OK ||
	    store_outbox_last_seq(ws_store(w), &last, &err) != DS_OK) {
		rc = cmdw_fail(cli, "sync status", &err);
		ws_close(w);
		return rc;
	}
	ws_fingerprint(w, fpr);
	printf(_("fingerprint: %s (the office compares it to enroll this "
	    "laptop)\n"), fpr);
	printf(_("last save sequence: %lld\n"), (long long)last);
	if (c.revisions == 0)
		printf(_("pending: nothing; everything saved is "
		    "acknowledged\n"));
	else {
		printf(_("pending: %lld record(s) (%lld revision(s)) in "
		    "sequence %lld-%lld, not yet acknowledged by the "
		    "office\n"), (long long)c.records,
		    (long long)c.revisions, (long long)c.seq_lo,
		    (long long)c.seq_hi);
		printf(_("  in a bundle already: %lld; not yet in any: "
		    "%lld\n"), (long long)(c.revisions - c.unsent),
		    (long long)c.unsent);
		/* A receipt covered later saves but not these. */
		if (c.seq_lo < c.acked_hi)
			printf(_("  gap: the office has acknowledged later "
			    "saves but not these; they go with the next "
			    "sync\n"));
	}
	printf(_("acknowledged: %lld revision(s)\n"), (long long)c.acked);
	for (i = 0; i < sizeof(sts) / sizeof(sts[0]); i++) {
		store_query_init(&q);
		q.status = (int)sts[i];
		if (store_list(ws_store(w), &q, &l, &err) != DS_OK) {
			rc = cmdw_fail(cli, "sync status", &err);
			ws_close(w);
			return rc;
		}
		/* "draft", "finalized", "sent", "acknowledged": the
		 * msgids of the list screen's words */
		printf("  %-12s %zu\n", _(store_status_name(sts[i])), l.n);
		store_list_free(&l);
	}
	ws_close(w);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_sync_export_entry = {
	"sync export",
	"--out DIR|FILE.dsb",
	N_("write a bundle of unacknowledged records (USB)"),
	export_exec,
	N_("Options:\n"
	    "  --out DIR|FILE.dsb\n"
	    "      the USB stick (a directory: the bundle goes under\n"
	    "      DIR/doorstep/outbox/DEVICE/) or a bundle file; from a\n"
	    "      stick the office's receipts and visit lists for this\n"
	    "      laptop are applied first, and its note written last\n"
	    "\n"
	    "Example:\n"
	    "  doorstep sync export --out /media/usb\n")
};

const struct cmd_entry cmd_sync_push_entry = {
	"sync push",
	"[--tries N] [--cacert CA.pem] [--pin sha256//KEY] URL",
	N_("send unacknowledged records to the office over HTTP"),
	push_exec,
	N_("Options:\n"
	    "  URL\n"
	    "      the office server, e.g. https://office.example:8470\n"
	    "  --tries N\n"
	    "      attempts before giving up (1-100)\n"
	    "  --cacert CA.pem\n"
	    "      trust this CA for https (DOORSTEP_CA_FILE works too)\n"
	    "  --pin sha256//KEY\n"
	    "      accept only the server key with this pin\n"
	    "\n"
	    "Example:\n"
	    "  doorstep sync push --cacert ca.pem https://10.0.0.5:8470\n")
};

const struct cmd_entry cmd_sync_ack_entry = {
	"sync ack",
	"RECEIPT_FILE | [--cacert CA.pem] [--pin sha256//KEY] URL",
	N_("apply an office receipt (file from USB, or the office's "
	    "ack state)"),
	ack_exec,
	N_("Options:\n"
	    "  RECEIPT_FILE\n"
	    "      a receipt the office wrote next to the bundle (.rcpt)\n"
	    "  URL\n"
	    "      or fetch this laptop's ack state from the office server\n"
	    "  --cacert CA.pem\n"
	    "      trust this CA for https (URL only)\n"
	    "  --pin sha256//KEY\n"
	    "      accept only the server key with this pin (URL only)\n"
	    "\n"
	    "Example:\n"
	    "  doorstep sync ack \\\n"
	    "      /media/usb/doorstep/outbox/0a1b2c3d/000001.dsb.rcpt\n")
};

const struct cmd_entry cmd_sync_status_entry = {
	"sync status",
	"",
	N_("show what is pending, sent and acknowledged"),
	status_exec,
	N_("Options:\n"
	    "  (none)\n"
	    "\n"
	    "Example:\n"
	    "  doorstep sync status\n")
};

const struct cmd_entry cmd_sync_entry = {
	"sync",
	"[--tries N] [--cacert CA.pem] [--pin sha256//KEY] URL",
	N_("send answers to the office and bring its visit lists and forms"),
	sync_exec,
	N_("Options:\n"
	    "  URL\n"
	    "      the office server, e.g. https://office.example:8470\n"
	    "  --tries N\n"
	    "      attempts to send before giving up (1-100)\n"
	    "  --cacert CA.pem\n"
	    "      trust this CA for https (DOORSTEP_CA_FILE works too)\n"
	    "  --pin sha256//KEY\n"
	    "      accept only the server key with this pin\n"
	    "Without a network, `sync export --out DIR` does the same with\n"
	    "a USB stick.\n"
	    "\n"
	    "Example:\n"
	    "  doorstep sync --cacert ca.pem https://10.0.0.5:8470\n")
};
