/* doorstep: the township office program's entry point. */
/*
 * The office command table; the commands live in sync/ocmd_*.c.  The
 * office directory defaults to DOORSTEP_OFFICE_DIR in SYSCONFDIR's
 * office.conf (/etc/doorstep/office.conf when installed), the file the
 * systemd unit reads too.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"
#include "util.h"

#define CONF_MAX	(64u << 10)

extern const struct cmd_entry ocmd_init_entry;
extern const struct cmd_entry ocmd_import_entry;
extern const struct cmd_entry ocmd_devices_entry;
extern const struct cmd_entry ocmd_enroll_entry;
extern const struct cmd_entry ocmd_revoke_entry;
extern const struct cmd_entry ocmd_conflicts_entry;
extern const struct cmd_entry ocmd_resolve_entry;
extern const struct cmd_entry ocmd_release_entry;
extern const struct cmd_entry ocmd_report_entry;
extern const struct cmd_entry ocmd_serve_entry;
extern const struct cmd_entry ocmd_export_entry;
extern const struct cmd_entry ocmd_register_entry;
extern const struct cmd_entry ocmd_clue_entry;
extern const struct cmd_entry ocmd_case_entry;
extern const struct cmd_entry ocmd_problem_entry;
extern const struct cmd_entry ocmd_income_entry;
extern const struct cmd_entry ocmd_assign_entry, ocmd_publish_entry,
    ocmd_withdraw_entry, ocmd_lists_entry;
extern const struct cmd_entry ocmd_dbsetup_entry;
extern const struct cmd_entry ocmd_forward_entry;

/* Commands, in the order --help lists them. */
static const struct cmd_entry *const commands[] = {
	&ocmd_init_entry,
	&ocmd_import_entry,
	&ocmd_devices_entry,
	&ocmd_enroll_entry,
	&ocmd_revoke_entry,
	&ocmd_conflicts_entry,
	&ocmd_resolve_entry,
	&ocmd_release_entry,
	&ocmd_report_entry,
	&ocmd_serve_entry,
	&ocmd_export_entry,
	&ocmd_register_entry,
	&ocmd_clue_entry,
	&ocmd_case_entry,
	&ocmd_problem_entry,
	&ocmd_income_entry,
	&ocmd_publish_entry,
	&ocmd_assign_entry,
	&ocmd_withdraw_entry,
	&ocmd_lists_entry,
	&ocmd_dbsetup_entry,
	&ocmd_forward_entry,
	NULL
};

static const struct cmd_program program = {
	"doorstep-office",
	N_("Township office program: keys, bundle import, receipts, reports."),
	N_("Options for every command:\n"
	"  --dir DIR        the office directory (default DOORSTEP_OFFICE_DIR)\n"
	"  --db URL         office data in PostgreSQL (default "
	"DOORSTEP_OFFICE_DB;\n"
	"                   else DIR/office.db)\n"),
	commands,
	NULL
};

/*
 * DOORSTEP_OFFICE_DIR=VALUE from office.conf into the environment, unless
 * it is set there already.  Shell-like lines; quotes around VALUE dropped.
 */
static void
conf_office_dir(void)
{
	static const char key[] = "DOORSTEP_OFFICE_DIR=";
	struct ds_err err;
	char dir[4096], path[4096 + 16], *text = NULL, *line, *next, *v, *e;
	size_t len;

	if (getenv("DOORSTEP_OFFICE_DIR") != NULL ||
	    ds_share_dir(DS_SHARE_SYSCONF, dir, sizeof(dir)) != 0)
		return;
	(void)snprintf(path, sizeof(path), "%s/office.conf", dir);
	if (ds_file_read(path, CONF_MAX, &text, &len, &err) != DS_OK)
		return;
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (strncmp(line, key, sizeof(key) - 1) != 0)
			continue;
		v = line + sizeof(key) - 1;
		e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		if (e - v >= 2 && (*v == '"' || *v == '\'') && e[-1] == *v) {
			e[-1] = '\0';
			v++;
		}
		if (*v != '\0')
			(void)setenv("DOORSTEP_OFFICE_DIR", v, 0);
	}
	ds_free(text);
}

int
main(int argc, char **argv)
{
	const char *db = NULL;

	conf_office_dir();
	/* --db travels as DOORSTEP_OFFICE_DB, as office.conf's directory. */
	if (cmd_take_opt(&argc, argv, "--db", &db) == -1) {
		fprintf(stderr, "%s: option needs a value\n", program.name);
		return CMD_EXIT_USAGE;
	}
	if (db != NULL)
		(void)setenv("DOORSTEP_OFFICE_DB", db, 1);
	return cmd_run(&program, argc, argv);
}
