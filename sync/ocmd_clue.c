/* doorstep: `doorstep-office clue import|add|list`, the discovery channels. */
/*
 *   clue import FILE.xlsx|FILE.csv --source NAME
 *   clue add KEY --date D [--channel C] [--source S] [--name N] [--id IDNO]
 *            [--reason R] [--amount A]
 *   clue list [--open] [--unmatched] [--hh KEY]
 *
 * Department warnings come as lists (ID number, name, reason, amount,
 * date) and are matched by ID number against every member of every
 * household; a row that matches none is kept unmatched, never dropped.
 * The same file twice is refused; rows seen before are duplicates.  A
 * self-report is recorded with `add`.  Every clue stays open until a
 * visit verifies the household (the import hook closes it).
 */
#include <stdio.h>
#include <string.h>

#include "case_db.h"
#include "case_file.h"
#include "cry.h"
#include "ocmd_case_util.h"
#include "odb_case.h"
#include "util.h"

extern const struct cmd_entry ocmd_clue_entry;

static int
clue_import(const struct cli *cli, int argc, char **argv)
{
	struct case_clue_result res;
	struct case_row_why rw;
	struct case_file_why fw;
	struct case_table *t = NULL;
	struct office o;
	struct ds_err err;
	const char *pos[1], *source;
	struct ocase_opt opts[] = { { "--source", &source, NULL } };
	char when[32];
	enum ds_status s;
	int64_t first;
	size_t npos;
	int rc;

	if (ocase_args(argc, argv, 2, opts, 1, pos, 1, &npos) != 0 ||
	    npos != 1 || source == NULL || *source == '\0')
		return cmd_usage(cli, &ocmd_clue_entry);
	ds_err_clear(&err);
	if (case_file_read(pos[0], case_clue_fields, CASE_CLUE_NFIELDS, &t,
	    &fw, &err) != DS_OK)
		return ocase_say_file(cli, "clue", pos[0], &fw, &err);
	if ((rc = ocase_open(cli, &ocmd_clue_entry, &o)) != 0) {
		case_table_free(t);
		return rc;
	}
	if ((s = odb_begin(o.db, &err)) == DS_OK) {
		s = case_clue_import(o.db, t, source, &res, &first, &rw, &err);
		/* Every row seen before: nothing new, nothing to keep. */
		if (s == DS_OK && res.added > 0)
			s = odb_commit(o.db, &err);
		else
			odb_rollback(o.db);
	}
	case_table_free(t);
	ocase_close(&o);
	if (s == DS_EREJECT)
		return ocase_say_row(cli, "clue", pos[0], &rw);
	if (s == DS_EEXIST) {
		ds_time_iso(first, when);
		return ocase_fail(cli, "clue", _("%s was imported before (on "
		    "%.10s): its rows are already clues. Nothing was changed."),
		    pos[0], when);
	}
	if (s != DS_OK)
		return ocase_fail_db(cli, "clue", &err, "%s",
		    _("The list could not be imported. Nothing was "
		    "changed."));
	printf(_("Clues from %s: %zu rows, %zu new: %zu matched a household, "
	    "%zu matched none (kept as unmatched clues), %zu matched several "
	    "households (kept unmatched, ambiguous); %zu rows were imported "
	    "before.\n"), source, res.rows, res.added, res.matched,
	    res.unmatched, res.ambiguous, res.duplicate);
	return CMD_EXIT_OK;
}

static int
clue_add(const struct cli *cli, int argc, char **argv)
{
	struct case_clue_in in;
	struct case_row_why rw;
	struct office o;
	struct ds_err err;
	unsigned char id[CASE_ID_BYTES];
	char hex[CRY_ID_HEX];
	const char *pos[1], *date, *channel, *source, *name, *idno, *reason,
	    *amount;
	struct ocase_opt opts[] = {
		{ "--date", &date, NULL }, { "--channel", &channel, NULL },
		{ "--source", &source, NULL }, { "--name", &name, NULL },
		{ "--id", &idno, NULL }, { "--reason", &reason, NULL },
		{ "--amount", &amount, NULL },
	};
	enum ds_status s;
	size_t npos;
	int rc;

	if (ocase_args(argc, argv, 2, opts, 7, pos, 1, &npos) != 0 ||
	    npos != 1 || date == NULL)
		return cmd_usage(cli, &ocmd_clue_entry);
	memset(&in, 0, sizeof(in));
	in.key = pos[0];
	in.channel = channel != NULL ? case_channel_from(channel) :
	    CASE_CH_SELF;
	in.date = date;
	in.source = source;
	in.name = name;
	in.idno = idno;
	in.reason = reason;
	in.amount = amount;
	if ((rc = ocase_open(cli, &ocmd_clue_entry, &o)) != 0)
		return rc;
	ds_err_clear(&err);
	if ((s = odb_begin(o.db, &err)) == DS_OK) {
		s = case_clue_add(o.db, &in, id, &rw, &err);
		if (s == DS_OK)
			s = odb_commit(o.db, &err);
		else
			odb_rollback(o.db);
	}
	ocase_close(&o);
	if (s == DS_EREJECT)
		return ocase_say_row(cli, "clue", NULL, &rw);
	if (s != DS_OK)
		return ocase_fail_db(cli, "clue", &err, "%s",
		    _("The clue could not be recorded. Nothing was "
		    "changed."));
	ds_hex_encode(id, CASE_ID_BYTES, hex);
	printf(_("Clue %.12s recorded for household %s (%s); it stays open "
	    "until a visit verifies the household.\n"), hex, in.key,
	    ocase_channel_word(case_channel_str(in.channel)));
	return CMD_EXIT_OK;
}

struct list_ctx {
	char	 today[CASE_DATE_LEN];
	size_t	 n;
};

static int
list_cb(void *arg, const struct odb_clue *c, const struct odb_clue_text *t)
{
	struct list_ctx *l = arg;
	char hex[CRY_ID_HEX], age[64];

	ds_hex_encode(c->id, CASE_ID_BYTES, hex);
	age[0] = '\0';
	if (c->open)
		snprintf(age, sizeof(age), _("open %lld days"), (long long)
		    (case_date_days(l->today) - case_date_days(c->date)));
	else
		snprintf(age, sizeof(age), "%s", _("closed"));
	printf("%.12s  %s  %s  %s  %s  %s  %s\n", hex, c->date,
	    c->hh_key[0] != '\0' ? c->hh_key : c->ambiguous ?
	    _("(several households)") : _("(unmatched)"),
	    ocase_channel_word(c->channel), *c->source ? c->source : "-", age,
	    t->reason != NULL && *t->reason ? t->reason : "-");
	l->n++;
	return 0;
}

static int
clue_list(const struct cli *cli, int argc, char **argv)
{
	struct odb_clue_filter f;
	struct list_ctx l;
	struct office o;
	struct ds_err err;
	const char *pos[1], *hh;
	int open, unmatched;
	struct ocase_opt opts[] = {
		{ "--open", NULL, &open }, { "--unmatched", NULL, &unmatched },
		{ "--hh", &hh, NULL },
	};
	enum ds_status s;
	size_t npos;
	int rc;

	if (ocase_args(argc, argv, 2, opts, 3, pos, 0, &npos) != 0)
		return cmd_usage(cli, &ocmd_clue_entry);
	if ((rc = ocase_open(cli, &ocmd_clue_entry, &o)) != 0)
		return rc;
	memset(&f, 0, sizeof(f));
	f.key = hh;
	f.open = open;
	f.unmatched = unmatched;
	f.text = 1;
	memset(&l, 0, sizeof(l));
	case_today(l.today);
	ds_err_clear(&err);
	s = odb_clue_each(o.db, &f, list_cb, &l, &err);
	ocase_close(&o);
	if (s != DS_OK)
		return ocase_fail_err(cli, "clue", &err, "%s", err.msg);
	printf(_("%zu clues.\n"), l.n);
	return CMD_EXIT_OK;
}

static int
office_clue(const struct cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return clue_import(cli, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return clue_add(cli, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return clue_list(cli, argc, argv);
	return cmd_usage(cli, &ocmd_clue_entry);
}

const struct cmd_entry ocmd_clue_entry = {
	"clue",
	"import FILE --source NAME | add KEY --date D [--channel C]"
	" [--source S] [--name N] [--id IDNO] [--reason R] [--amount A]"
	" | list [--open] [--unmatched] [--hh KEY]",
	N_("department warnings and self-reports: clues that need a visit"),
	office_clue,
	N_("Options:\n"
	    "  import FILE.xlsx|FILE.csv --source NAME\n"
	    "      a department's warning list (id_number, name, reason,\n"
	    "      amount, date); rows are matched to households by ID\n"
	    "      number, unmatched rows are kept; the same file twice is\n"
	    "      refused\n"
	    "  add KEY --date YYYY-MM-DD\n"
	    "      record a self-report (--channel self_report, the default,\n"
	    "      cadre_screening or dept_warning; --source, --name, --id,\n"
	    "      --reason, --amount)\n"
	    "  list [--open] [--unmatched] [--hh KEY]\n"
	    "      the clues, with the age of the open ones\n"
	    "\n"
	    "Example:\n"
	    "  doorstep-office clue import yibao-2024-09.xlsx --source yibao\n")
};
