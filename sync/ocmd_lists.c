/* doorstep: `doorstep-office lists`, visit lists per laptop. */
/*
 * Per device: entries waiting for its box key, sent, applied (its notes
 * say so), done (a visit came back), withdrawn, and overdue (open past
 * the due date); the office bundles made and applied.  With --device,
 * that laptop's entries one a line.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "ocmd_util.h"
#include "odb_assign.h"
#include "util.h"

extern const struct cmd_entry ocmd_lists_entry;

struct show {
	const char	*today;
	int		 n;
};

static int
count_cb(void *arg, const struct odb_list_counts *c)
{
	struct show *s = arg;
	char id[33];

	ds_hex_encode(c->device_id, 16, id);
	if (s->n++ == 0)
		printf(_("device    queued  sent  applied  done  overdue  "
		    "withdrawn  bundles (applied)\n"));
	printf("%.8s  %6lld  %4lld  %7lld  %4lld  %7lld  %9lld  %llu (%llu)"
	    "%s\n", id, (long long)c->queued, (long long)c->sent,
	    (long long)c->applied, (long long)c->done, (long long)c->overdue,
	    (long long)c->withdrawn, (unsigned long long)c->ob_seq,
	    (unsigned long long)c->note_seq, c->has_box ? "" :
	    _("  (not synced since enrollment)"));
	return 0;
}

static int
entry_cb(void *arg, const struct odb_entry *e)
{
	struct show *s = arg;
	char id[33];
	int open = e->state == ODB_ENTRY_QUEUED || e->state ==
	    ODB_ENTRY_SENT || e->state == ODB_ENTRY_APPLIED;

	ds_hex_encode(e->entry_id, 16, id);
	printf("%.8s  %-20s %-10s %s  %-9s%s\n", id, e->hh_key, e->reason,
	    e->due, odb_entry_state_str(e->state), open &&
	    strcmp(e->due, s->today) < 0 ? _("  overdue") : "");
	s->n++;
	return 0;
}

static int
office_lists(const struct cli *cli, int argc, char **argv)
{
	struct office o;
	struct odb_device d;
	struct show s;
	struct ds_err err;
	const char *dev = NULL;
	char iso[32], day[11];
	enum ds_status st;
	int rc;

	(void)argv;
	if (office_opt(&argc, argv, "--device", &dev) == -1 || argc != 1)
		return cmd_usage(cli, &ocmd_lists_entry);
	if ((rc = office_open(cli, &ocmd_lists_entry, &o, 0)) != 0)
		return rc;
	ds_time_iso(ds_now(), iso);
	snprintf(day, sizeof(day), "%.10s", iso);
	memset(&s, 0, sizeof(s));
	s.today = day;
	ds_err_clear(&err);
	if (dev != NULL) {
		if ((st = odb_device_find(o.db, dev, &d, &err)) == DS_OK)
			st = odb_entry_each(o.db, d.device_id, entry_cb, &s,
			    &err);
	} else
		st = odb_list_counts(o.db, day, count_cb, &s, &err);
	office_close(&o);
	if (st != DS_OK)
		return office_fail_err(cli, "lists", &err);
	if (s.n == 0)
		printf(_("No visit lists yet (`%s assign` makes them).\n"),
		    cli->progname);
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_lists_entry = {
	"lists",
	"[--device ID]",
	N_("show visit lists per laptop: sent, applied, done, overdue"),
	office_lists,
	N_("Options:\n"
	    "  --device ID\n"
	    "      that laptop's entries, one a line\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office lists\n")
};
