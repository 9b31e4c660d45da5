/* doorstep: `doorstep-office import`, bundles from USB or disk. */
/*
 * Each argument is a bundle file or a directory searched for *.dsb files
 * (the USB layout doorstep/outbox/<device>/...), imported in name order.
 * Every bundle gets a receipt file next to it or in --receipts DIR.  A
 * directory's device notes (*.dsn, doorstep/notes/<device>.dsn) are read
 * after its bundles, and the office bundles each laptop seen there has not
 * applied are written to DIR/doorstep/inbox/<device>/ (docs/sync.md).
 * Exit 0 when every bundle was imported, a duplicate or held for approval;
 * 1 if any was rejected or could not be processed.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arr.h"
#include "assign.h"
#include "bundle.h"
#include "i18n.h"
#include "imp.h"
#include "mem.h"
#include "ocmd_util.h"
#include "receipt.h"
#include "util.h"

extern const struct cmd_entry ocmd_import_entry;

#define SCAN_MAX	10000

struct names {
	char	**v;
	size_t	  n, cap;
};

static int
add_name(struct names *l, const char *s)
{
	if (ds_arr_grow(&l->v, &l->cap, l->n + 1, sizeof(*l->v), SCAN_MAX) !=
	    DS_OK)
		return -1;
	if ((l->v[l->n] = ds_strdup(s)) == NULL)
		return -1;
	l->n++;
	return 0;
}

static int
cmpname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect *.dsb (and device notes, *.dsn) under dir (depth-limited). */
static int
scan(struct names *l, struct names *notes, const char *dir, int depth)
{
	char p[PATH_MAX];
	struct dirent *e;
	struct stat sb;
	DIR *d;
	size_t n;
	int rc = 0;

	if (depth > 4 || (d = opendir(dir)) == NULL)
		return depth > 4 ? 0 : -1;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(p) || lstat(p, &sb) != 0)
			continue;
		n = strlen(e->d_name);
		if (S_ISDIR(sb.st_mode))
			rc = scan(l, notes, p, depth + 1);
		else if (S_ISREG(sb.st_mode) && n > 4 &&
		    strcmp(e->d_name + n - 4, ".dsb") == 0)
			rc = add_name(l, p);
		else if (S_ISREG(sb.st_mode) && n > 4 &&
		    strcmp(e->d_name + n - 4, ".dsn") == 0)
			rc = add_name(notes, p);
	}
	closedir(d);
	return rc;
}

/*
 * A refusal, said once in the user's language: a file that is not a
 * bundle, or a bundle for another office, gets no receipt and says why
 * exporting again will or will not help.
 */
static void
rejected(const struct office *o, const char *path,
    const struct imp_result *r, const char *rp)
{
	char theirs[2 * CRY_ID_BYTES + 1], ours[2 * CRY_ID_BYTES + 1];

	if (imp_not_bundle(r->reason)) {
		printf(_("%s: not a doorstep bundle: %s.\n  Nothing was "
		    "changed at the office and no receipt was written. Import "
		    "the .dsb files that `doorstep sync export` writes.\n"),
		    path, cmd_reason_text(r->reason));
		return;
	}
	if (r->reason == BR_OFFICE) {
		ds_hex_encode(r->office_id, CRY_ID_BYTES, theirs);
		ds_hex_encode(o->pub.office_id, CRY_ID_BYTES, ours);
		printf(_("%s: this bundle was made for another office (office "
		    "%.8s; this office is %.8s).\n  Nothing was changed and no "
		    "receipt was written. Exporting it again will not help: "
		    "the laptop that made it is set up for the other office. "
		    "Find out which township the laptop belongs to.\n"), path,
		    theirs, ours);
		return;
	}
	printf(_("%s: bundle refused: %s.\n  Nothing was changed at the "
	    "office; the answers are still safe on the laptop: export again "
	    "and import the new bundle.\n  receipt %s\n"), path,
	    cmd_reason_text(r->reason), rp);
}

/* Devices seen on one stick: their inbox folders get office bundles. */
struct devs {
	unsigned char	v[256][CRY_ID_BYTES];
	size_t		n;
};

static void
devs_add(struct devs *d, const unsigned char id[CRY_ID_BYTES])
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (memcmp(d->v[i], id, CRY_ID_BYTES) == 0)
			return;
	if (d->n < sizeof(d->v) / sizeof(d->v[0]))
		memcpy(d->v[d->n++], id, CRY_ID_BYTES);
}

/* Import one bundle file and print the outcome; 1 if it failed. */
static int
import_one(const struct cli *cli, struct office *o, const char *path,
    const char *rdir, struct devs *devs)
{
	struct imp_result res;
	struct ds_err err;
	char rp[PATH_MAX], id[33];

	ds_err_clear(&err);
	if (imp_file(o->db, o->sec, path, rdir, &res, rp, &err) != DS_OK) {
		if (err.code == DS_ENOSPC)
			(void)office_fail_err(cli, "import", &err);
		else
			fprintf(stderr, "%s import: %s: %s\n", cli->progname,
			    path, err.msg);
		return 1;
	}
	if (res.status == RS_REJECTED) {
		rejected(o, path, &res, rp);
		imp_result_free(&res);
		return 1;
	}
	ds_hex_encode(res.device_id, 16, id);
	printf("%s: %s", path, office_status_words(res.status, res.replay));
	if (res.status == RS_IMPORTED || res.status == RS_DUPLICATE) {
		printf(_(" (%u new, %u duplicate, %u fork(s)) device %.8s"
		    " seq %llu-%llu"), res.n_new, res.n_dup,
		    res.n_conflict, id, (unsigned long long)res.seq_lo,
		    (unsigned long long)res.seq_hi);
		devs_add(devs, res.device_id);
	} else if (res.status == RS_HELD)
		printf(_(" device %.8s awaiting `%s enroll %.8s --fingerprint "
		    "\"...\"` with the fingerprint read on the laptop itself "
		    "(`doorstep sync status`)"), id, cli->progname, id);
	/* Worded here from the verdict; the receipt's text is not shown. */
	printf("\n  %s\n", res.status == RS_HELD ? _("The bundle is kept "
	    "until the device is enrolled; the answers are safe.") :
	    res.status == RS_DUPLICATE ? _("These revisions were already "
	    "imported; the answers are safe.") : _("The answers are safe at "
	    "the office."));
	if (res.n_held > 0)
		printf(_("  %u revision(s) wait for an earlier revision "
		    "not here yet (see `%s conflicts`).\n"), res.n_held,
		    cli->progname);
	if (res.n_released > 0)
		printf(_("  %u waiting revision(s) joined now.\n"),
		    res.n_released);
	printf(_("  receipt %s\n"), rp);
	imp_result_free(&res);
	return 0;
}

/* Read each device note (one transaction each); 1 if any was refused. */
static int
read_notes(const struct cli *cli, struct office *o, const struct names *n,
    size_t from, struct devs *devs)
{
	struct assign_note_res res;
	struct ds_err err;
	char *buf, id[33];
	size_t i, len;
	enum ds_status st;
	int bad = 0;

	for (i = from; i < n->n; i++) {
		buf = NULL;
		ds_err_clear(&err);
		if ((st = ds_file_read(n->v[i], 4096, &buf, &len, &err)) ==
		    DS_OK && (st = odb_begin(o->db, &err)) == DS_OK) {
			if ((st = assign_note(o->db, o->sec,
			    (unsigned char *)buf, len, &res, &err)) == DS_OK)
				st = odb_commit(o->db, &err);
			else
				odb_rollback(o->db);
		}
		ds_free(buf);
		if (st != DS_OK) {
			fprintf(stderr, _("%s import: %s is not a note of a "
			    "laptop of this office: ignored, nothing "
			    "changed.\n"), cli->progname, n->v[i]);
			office_detail(err.msg);
			bad = 1;
			continue;
		}
		devs_add(devs, res.device_id);
		ds_hex_encode(res.device_id, 16, id);
		printf(_("%s: device %.8s has applied %llu office bundle(s).\n"),
		    n->v[i], id, (unsigned long long)res.applied_seq);
		if (res.box_changed)
			printf(_("  Its box key changed (see `%s devices`); its "
			    "lists are sealed to the new key.\n"),
			    cli->progname);
	}
	return bad;
}

/* Write each device's unapplied office bundles to the stick. */
static int
write_inbox(const struct cli *cli, struct office *o, const char *dir,
    const struct devs *devs)
{
	struct ds_err err;
	char id[33];
	size_t i, n;
	int bad = 0;

	for (i = 0; i < devs->n; i++) {
		ds_err_clear(&err);
		ds_hex_encode(devs->v[i], 16, id);
		if (assign_inbox(o->db, devs->v[i], dir, &n, &err) != DS_OK) {
			fprintf(stderr, _("%s import: cannot write the visit "
			    "lists of device %.8s to %s: %s\n"), cli->progname,
			    id, dir, err.msg);
			bad = 1;
		} else if (n > 0)
			printf(_("%zu office bundle(s) for device %.8s written "
			    "to %s/%s/%s.\n"), n, id, dir, ASSIGN_INBOX_DIR, id);
	}
	return bad;
}

static int
office_import(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct names l = { NULL, 0, 0 }, notes = { NULL, 0, 0 };
	struct devs *devs = NULL;
	struct ds_err err;
	struct stat sb;
	const char *rdir = NULL;
	size_t i, start, nstart;
	int rc, bad = 0, a, isdir;

	if (office_opt(&argc, argv, "--receipts", &rdir) == -1 || argc < 2)
		return cmd_usage(cli, &ocmd_import_entry);
	if ((rc = office_open(cli, &ocmd_import_entry, &o, 1)) != 0)
		return rc;
	ds_err_clear(&err);
	if (rdir != NULL && ds_mkdir_p(rdir, 0700, &err) != DS_OK) {
		office_close(&o);
		return office_fail_err(cli, "import", &err);
	}
	if ((devs = ds_malloc(sizeof(*devs))) == NULL) {
		office_close(&o);
		return office_fail(cli, "import", ds_status_str(DS_ENOMEM));
	}
	/*
	 * Per argument: its bundles, then its notes (what the laptops
	 * applied), then, for a folder (a USB stick), the office bundles
	 * each laptop seen there has not applied yet.
	 */
	for (a = 1; a < argc; a++) {
		start = l.n;
		nstart = notes.n;
		isdir = stat(argv[a], &sb) == 0 && S_ISDIR(sb.st_mode);
		if (isdir) {
			if (scan(&l, &notes, argv[a], 0) != 0)
				fprintf(stderr, _("%s import: cannot read all "
				    "of %s\n"), cli->progname, argv[a]);
			if (l.n > start)	/* l.v is NULL when empty */
				qsort(l.v + start, l.n - start, sizeof(*l.v),
				    cmpname);
		} else if (add_name(&l, argv[a]) != 0)
			bad = 1;
		devs->n = 0;
		for (i = start; i < l.n; i++)
			bad |= import_one(cli, &o, l.v[i], rdir, devs);
		bad |= read_notes(cli, &o, &notes, nstart, devs);
		if (isdir)
			bad |= write_inbox(cli, &o, argv[a], devs);
	}
	if (l.n == 0 && notes.n == 0) {
		fprintf(stderr, _("%s import: no bundles found\n"),
		    cli->progname);
		bad = 1;
	}
	for (i = 0; i < l.n; i++)
		ds_free(l.v[i]);
	ds_free(l.v);
	for (i = 0; i < notes.n; i++)
		ds_free(notes.v[i]);
	ds_free(notes.v);
	ds_free(devs);
	office_close(&o);
	return bad ? CMD_EXIT_FAIL : CMD_EXIT_OK;
}

const struct cmd_entry ocmd_import_entry = {
	"import",
	"[--receipts DIR] BUNDLE|DIR...",
	N_("import bundles and write signed receipts"),
	office_import,
	N_("Options:\n"
	    "  BUNDLE|DIR...\n"
	    "      bundle files (.dsb), or directories searched for them (a\n"
	    "      USB stick); a stick's device notes (.dsn) are read too, and\n"
	    "      each laptop's visit lists written to DIR/doorstep/inbox\n"
	    "  --receipts DIR\n"
	    "      write receipts to DIR instead of next to each bundle\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office import /media/usb\n")
};
