/* doorstep: `doorstep-office assign`, make visit-list entries. */
/*
 * One device, one selection (docs/case.md "Visit lists"): the households
 * of a village, group or grid worker; households with an open clue;
 * monitored households due for follow-up; eliminated households due for
 * 回头看; the register of a screening round; or household keys from a
 * file.  One transaction: the entries, and the office bundles they go in
 * when the device's box key is known.
 */
#include <stdio.h>
#include <string.h>

#include "assign.h"
#include "cry.h"
#include "csv.h"
#include "i18n.h"
#include "mem.h"
#include "obundle.h"
#include "ocmd_util.h"
#include "util.h"

extern const struct cmd_entry ocmd_assign_entry;

#define KEYS_FILE_MAX	(16u << 20)
#define KEYS_MAX	100000

/* Household keys from a file: a CSV with an hh_key column, or one a line. */
struct keys {
	char	**v;
	size_t	  n;
	char	 *text;
};

static void
keys_free(struct keys *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		ds_free(k->v[i]);
	ds_free(k->v);
	ds_free(k->text);
	memset(k, 0, sizeof(*k));
}

static int
keys_add(struct keys *k, const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r' ||
	    s[n - 1] == '\t'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n == 0)
		return 0;
	if (k->n == KEYS_MAX || (k->v[k->n] = ds_malloc(n + 1)) == NULL)
		return -1;
	memcpy(k->v[k->n], s, n);
	k->v[k->n++][n] = '\0';
	return 0;
}

static enum ds_status
keys_read(const char *path, struct keys *k, struct ds_err *err)
{
	struct csv *c = NULL;
	size_t len = 0, i, col;
	const char *p, *e;
	enum ds_status st;

	memset(k, 0, sizeof(*k));
	if ((st = ds_file_read(path, KEYS_FILE_MAX, &k->text, &len, err)) !=
	    DS_OK)
		return st;
	if ((k->v = ds_calloc(KEYS_MAX, sizeof(*k->v))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	/* A header naming hh_key makes it a CSV table. */
	if (strstr(k->text, "hh_key") != NULL &&
	    (st = csv_parse(k->text, len, NULL, &c, err)) == DS_OK) {
		for (col = 0; c->nrows > 0 && col < c->rows[0].ncells; col++)
			if (strcmp(c->rows[0].cells[col], "hh_key") == 0)
				break;
		for (i = 1; c->nrows > 0 && col < c->rows[0].ncells &&
		    i < c->nrows; i++)
			if (col < c->rows[i].ncells && keys_add(k,
			    c->rows[i].cells[col],
			    strlen(c->rows[i].cells[col])) != 0) {
				csv_free(c);
				return ds_err_set(err, DS_ELIMIT, NULL);
			}
		csv_free(c);
		return DS_OK;
	}
	for (p = k->text; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		if (keys_add(k, p, (size_t)(e - p)) != 0)
			return ds_err_set(err, DS_ELIMIT, NULL);
	}
	return DS_OK;
}

static void
today(char out[11])
{
	char iso[32];

	ds_time_iso(ds_now(), iso);
	snprintf(out, 11, "%.10s", iso);
}

static int
office_assign(const struct cli *cli, int argc, char **argv)
{
	const char *dev = NULL, *village = NULL, *group = NULL, *gw = NULL;
	const char *round = NULL, *file = NULL, *since = NULL, *reason = NULL;
	const char *due = NULL, *form = "household", *who = NULL;
	struct assign_sel sel;
	struct assign_result res;
	struct office o;
	struct odb_device d;
	struct keys k;
	struct ds_err err;
	char day[11], from[16], id[CRY_ID_HEX];
	int i, rc, kinds = 0, clues = 0, follow = 0, look = 0;
	enum ds_status st;

	if (office_opt(&argc, argv, "--device", &dev) == -1 ||
	    office_opt(&argc, argv, "--village", &village) == -1 ||
	    office_opt(&argc, argv, "--group", &group) == -1 ||
	    office_opt(&argc, argv, "--grid-worker", &gw) == -1 ||
	    office_opt(&argc, argv, "--round", &round) == -1 ||
	    office_opt(&argc, argv, "--file", &file) == -1 ||
	    office_opt(&argc, argv, "--since", &since) == -1 ||
	    office_opt(&argc, argv, "--reason", &reason) == -1 ||
	    office_opt(&argc, argv, "--due", &due) == -1 ||
	    office_opt(&argc, argv, "--form", &form) == -1 ||
	    office_opt(&argc, argv, "--for", &who) == -1)
		return cmd_usage(cli, &ocmd_assign_entry);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--clues") == 0)
			clues = 1;
		else if (strcmp(argv[i], "--followup") == 0)
			follow = 1;
		else if (strcmp(argv[i], "--lookback") == 0)
			look = 1;
		else
			return cmd_usage(cli, &ocmd_assign_entry);
	}
	kinds = clues + follow + look + (round != NULL) + (file != NULL);
	if (dev == NULL || kinds > 1 || (kinds == 0 && village == NULL &&
	    group == NULL && gw == NULL))
		return cmd_usage(cli, &ocmd_assign_entry);
	today(day);
	if ((due != NULL && !obundle_date_ok(due, strlen(due))) ||
	    (since != NULL && !obundle_date_ok(since, strlen(since)))) {
		fprintf(stderr, _("%s assign: dates are written YYYY-MM-DD, "
		    "for example %s\n"), cli->progname, day);
		return CMD_EXIT_USAGE;
	}
	if (reason != NULL) {
		for (i = 0; obundle_entry_reasons[i] != NULL &&
		    strcmp(obundle_entry_reasons[i], reason) != 0; i++)
			;
		if (obundle_entry_reasons[i] == NULL) {
			fprintf(stderr, _("%s assign: unknown reason %s (clue, "
			    "routine, followup, elim_check, lookback, annual, "
			    "correction, screening)\n"), cli->progname, reason);
			return CMD_EXIT_USAGE;
		}
	}
	memset(&k, 0, sizeof(k));
	ds_err_clear(&err);
	if (file != NULL && keys_read(file, &k, &err) != DS_OK) {
		fprintf(stderr, _("%s assign: cannot read the household keys "
		    "in %s: %s\nNothing was assigned.\n"), cli->progname, file,
		    err.msg);
		keys_free(&k);
		return CMD_EXIT_FAIL;
	}
	memset(&sel, 0, sizeof(sel));
	sel.by = clues ? ASSIGN_CLUES : follow ? ASSIGN_FOLLOWUP : look ?
	    ASSIGN_LOOKBACK : round != NULL ? ASSIGN_ROUND : file != NULL ?
	    ASSIGN_KEYS : ASSIGN_PLACE;
	sel.village = village;
	sel.vgroup = group;
	sel.grid_worker = gw;
	sel.round = round;
	sel.keys = (const char *const *)k.v;
	sel.nkeys = k.n;
	sel.reason = reason;
	sel.due = due;
	sel.today = day;
	sel.worker = who;
	sel.form_id = form;
	/* Follow-ups are due monthly, 回头看 yearly (docs/case.md). */
	if (follow)
		snprintf(from, sizeof(from), "%.7s-01", day);
	else
		snprintf(from, sizeof(from), "%.4s-01-01", day);
	sel.since = since != NULL ? since : from;
	if ((rc = office_open(cli, &ocmd_assign_entry, &o, 1)) != 0) {
		keys_free(&k);
		return rc;
	}
	if ((st = odb_device_find(o.db, dev, &d, &err)) != DS_OK) {
		fprintf(stderr, _("%s assign: no device %s here (see "
		    "`%s devices`). Nothing was assigned.\n"), cli->progname,
		    dev, cli->progname);
		office_close(&o);
		keys_free(&k);
		return CMD_EXIT_FAIL;
	}
	ds_hex_encode(d.device_id, CRY_ID_BYTES, id);
	if ((st = odb_begin(o.db, &err)) == DS_OK &&
	    (st = assign_make(o.db, o.sec, d.device_id, &sel, &res, &err)) ==
	    DS_OK)
		st = odb_commit(o.db, &err);
	else
		odb_rollback(o.db);
	office_close(&o);
	keys_free(&k);
	if (st == DS_ENOENT && sel.by == ASSIGN_ROUND) {
		fprintf(stderr, _("%s assign: no screening round %s. Nothing "
		    "was assigned.\n"), cli->progname, round);
		return CMD_EXIT_FAIL;
	}
	if (st == DS_ENOENT) {
		fprintf(stderr, _("%s assign: form %s was never published. "
		    "Publish it first (`%s publish FORM_FILE`); nothing was "
		    "assigned.\n"), cli->progname, form, cli->progname);
		return CMD_EXIT_FAIL;
	}
	if (st == DS_ESTATE) {
		fprintf(stderr, _("%s assign: device %.8s is not enrolled (see "
		    "`%s devices`). Nothing was assigned.\n"), cli->progname,
		    id, cli->progname);
		return CMD_EXIT_FAIL;
	}
	if (st == DS_ENOSPC)
		return office_fail_full(cli, "assign", &err);
	if (st != DS_OK) {
		fprintf(stderr, _("%s assign: %s\nNothing was assigned; the "
		    "office database is as it was.\n"), cli->progname, err.msg);
		return CMD_EXIT_FAIL;
	}
	printf(_("%zu entries for device %.8s (form %s version %s).\n"),
	    res.made, id, form, res.form_ver);
	if (res.already > 0)
		printf(_("%zu households already have an open entry of this "
		    "reason: left as they are.\n"), res.already);
	if (res.unknown > 0)
		printf(_("%zu household keys are unknown here (the first: %s): "
		    "left out.\n"), res.unknown, res.first_unknown);
	if (res.waiting)
		printf(_("The laptop has not synced since it was enrolled: the "
		    "entries go to it after its next `doorstep sync` or USB "
		    "export.\n"));
	else if (res.bundles > 0)
		printf(_("Sealed into %zu office bundle(s): the laptop gets "
		    "them at its next sync, or from a USB stick after `%s "
		    "import`.\n"), res.bundles, cli->progname);
	return CMD_EXIT_OK;
}

const struct cmd_entry ocmd_assign_entry = {
	"assign",
	"--device ID [--village CODE] [--group CODE] [--grid-worker NAME] "
	    "[--clues | --followup | --lookback | --round NAME | --file FILE] "
	    "[--since DATE] [--reason R] [--due DATE] [--form ID] [--for NAME]",
	N_("make visit-list entries for a laptop"),
	office_assign,
	N_("Options:\n"
	    "  --device ID\n"
	    "      the laptop (8 or more hex digits of its device id)\n"
	    "  --village CODE, --group CODE, --grid-worker NAME\n"
	    "      the households of a village, villager group or grid\n"
	    "      worker (alone: a routine visit; with a kind below: narrow\n"
	    "      it)\n"
	    "  --clues\n"
	    "      households with an open clue (reason clue, due in 7 days)\n"
	    "  --followup\n"
	    "      monitored households without a finalized visit since\n"
	    "      --since (default the first of this month)\n"
	    "  --lookback\n"
	    "      eliminated households (look-back checks) without a\n"
	    "      finalized visit since --since (default the first of\n"
	    "      January)\n"
	    "  --round NAME\n"
	    "      the register households in a screening round's scope\n"
	    "  --file FILE\n"
	    "      household keys, one a line, or a CSV with an hh_key column\n"
	    "  --reason R, --due DATE\n"
	    "      instead of the kind's own (routine, end of this month)\n"
	    "  --form ID\n"
	    "      the form to use, its newest published version (default\n"
	    "      household)\n"
	    "  --for NAME\n"
	    "      the worker named on the entries (default the device's\n"
	    "      label)\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office assign --device 0a1b2c3d --clues\n")
};
