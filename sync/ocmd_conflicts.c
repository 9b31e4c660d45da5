/* doorstep: `doorstep-office conflicts`, forks awaiting review. */
/*
 * A fork is two revisions of one household with the same parent.  Both are
 * kept; the head is chosen deterministically; this lists the flags so a
 * supervisor can review "conflict" (same question, different answers)
 * and note "parallel update" (different questions).  Revisions that wait
 * for an earlier revision still on its way are listed too.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "ocmd_util.h"
#include "util.h"

extern const struct cmd_entry ocmd_conflicts_entry;

static int
show(void *arg, const struct odb_fork *f)
{
	char a[33], b[33], t[32];

	(void)arg;
	ds_hex_encode(f->rev_a, 16, a);
	ds_hex_encode(f->rev_b, 16, b);
	printf("%s  household %s  revisions %.12s %.12s\n",
	    f->conflict ? "conflict" : "parallel update", f->household_key,
	    a, b);
	printf("  questions: %s\n", f->questions);
	if (f->resolved_at != 0) {
		ds_time_iso(f->resolved_at, t);
		printf("  resolved %s: %s\n", t, f->resolution);
	}
	return 0;
}

static int
show_held(void *arg, const struct odb_held *h)
{
	char r[33], p[33], d[33], t[32];

	(void)arg;
	ds_hex_encode(h->rev_id, 16, r);
	ds_hex_encode(h->parent_rev_id, 16, p);
	ds_hex_encode(h->device_id, 16, d);
	ds_time_iso(h->held_at, t);
	printf("waiting  household %s  revision %.12s (no. %u, device %.12s "
	    "sequence %llu) since %s\n", h->household_key, r, h->rev_no, d,
	    (unsigned long long)h->device_seq, t);
	printf(_("  its earlier revision %.12s has not arrived; it joins "
	    "when it does, or: release %.12s\n"), p, r);
	return 0;
}

static int
office_conflicts(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct ds_err err;
	int rc, all = 0;

	if (argc == 2 && strcmp(argv[1], "--all") == 0)
		all = 1;
	else if (argc != 1)
		return cmd_usage(cli, &ocmd_conflicts_entry);
	if ((rc = office_open(cli, &ocmd_conflicts_entry, &o, 0)) != 0)
		return rc;
	ds_err_clear(&err);
	if (odb_fork_each(o.db, !all, show, NULL, &err) != DS_OK ||
	    odb_held_each(o.db, NULL, show_held, NULL, &err) != DS_OK) {
		office_close(&o);
		return office_fail_err(cli, "conflicts", &err);
	}
	office_close(&o);
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_conflicts_entry = {
	"conflicts",
	"[--all]",
	N_("list open forks (conflicts, parallel updates) and waiting "
	    "revisions"),
	office_conflicts,
	N_("Options:\n"
	    "  --all\n"
	    "      also forks already resolved\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office conflicts\n")
};
