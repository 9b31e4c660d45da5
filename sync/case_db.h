/* doorstep: changes to the household case in office.db (sync layer). */
#ifndef DS_CASE_DB_H
#define DS_CASE_DB_H

/*
 * What the office commands do to a case, over odb_case.h and the rules of
 * case.h: import the register and the departments' clue lists, record a
 * self-report, record a step (one or a file of them), set measures,
 * import monthly income checks, recompute lights.  Each function works
 * inside the caller's transaction and checks everything it can before it
 * writes; the caller rolls back on any error, so a refused command leaves
 * office.db as it was.  The settings come from the connection
 * (odb_case_settings): without them DS_ESTATE.
 *
 * Refusals are facts, never words: struct case_why (case.h) for a step,
 * struct case_row_why for a row of a file (its line and field).
 */
#include <stddef.h>
#include <stdint.h>

#include "case.h"
#include "case_file.h"
#include "odb.h"
#include "status.h"

/* Why a row of a file (or a command's value) is refused. */
enum case_row_code {
	CASE_R_OK = 0,
	CASE_R_KEY,		/* not a household key */
	CASE_R_DUP,		/* the key is twice in the file */
	CASE_R_VILLAGE,		/* no village code */
	CASE_R_ID,		/* not a valid ID number */
	CASE_R_MEMBERS,		/* members not a whole number 0..99 */
	CASE_R_DATE,		/* not a real date (or after today) */
	CASE_R_AMOUNT,		/* not an amount of yuan */
	CASE_R_UNKNOWN,		/* the household is not known here */
	CASE_R_STEP,		/* not a step name */
	CASE_R_OUTCOME,		/* not pass or fail */
	CASE_R_CATEGORY,	/* not unstable, marginal or sudden */
	CASE_R_KIND,		/* not assisted or natural */
	CASE_R_CHANNEL,		/* not a discovery channel */
	CASE_R_TYPE,		/* not a measure type */
	CASE_R_STATUS,		/* not a measure status */
	CASE_R_NUMBER,		/* not a whole number */
	CASE_R_BANDS,		/* the month's year has no signal bands */
	CASE_R_NCODE
};

struct case_row_why {
	int		 code;		/* enum case_row_code */
	int		 line;		/* file line, 0 for a command */
	const char	*field;		/* the field's name */
	char		 value[CASE_KEY_MAX];	/* the key, when it helps */
};

/* Columns of the files (case_file_read); counts below. */
extern const struct case_field case_register_fields[];
extern const struct case_field case_clue_fields[];
extern const struct case_field case_step_fields[];
extern const struct case_field case_income_fields[];
#define CASE_REGISTER_NFIELDS	8
#define CASE_CLUE_NFIELDS	5
#define CASE_STEP_NFIELDS	11
#define CASE_INCOME_NFIELDS	2

/* 1 if an ID number (18 characters with its check digit, or a disability
 * certificate: the 18 plus 2 or 4) is well formed. */
int		 case_idno_ok(const char *);

/*
 * Recompute a household's state from its events and open clues and write
 * it to hh (odb_hh_state).  *out (may be NULL) gets it.
 */
enum ds_status	 case_refresh(struct odb *, const char *key,
		    struct case_status *out, struct ds_err *);
/* The state without writing; events recorded after upto (0: all) left
 * out. */
enum ds_status	 case_status_get(struct odb *, const char *key,
		    int64_t upto, struct case_status *, struct ds_err *);

/* ---- register -------------------------------------------------------------- */

struct case_reg_result {
	size_t	 rows, added, changed, same, clues_matched;
};

/*
 * Import the register (case_register_fields).  Every row is checked
 * before anything is written: the first bad row is DS_EREJECT with
 * *why.  Rows are keyed by household key: a second import of the same
 * file changes nothing.
 */
enum ds_status	 case_register_import(struct odb *, const struct case_table *,
		    struct case_reg_result *, struct case_row_why *,
		    struct ds_err *);

/* ---- clues ------------------------------------------------------------------ */

struct case_clue_result {
	size_t	 rows, added, matched, unmatched, ambiguous, duplicate;
};

/*
 * Import a department's warning list (case_clue_fields) as clues of
 * channel dept_warning from `source`.  Each row is matched by ID number
 * against every member of every household (person); a row matching none
 * is kept unmatched, one matching several is kept unmatched and marked
 * ambiguous.  Row ids are deterministic: a row imported before is a
 * duplicate.  The same file (by its hash) again is DS_EEXIST with
 * *first_at its first import time; a bad row is DS_EREJECT with *why.
 */
enum ds_status	 case_clue_import(struct odb *, const struct case_table *,
		    const char *source, struct case_clue_result *,
		    int64_t *first_at, struct case_row_why *, struct ds_err *);

struct case_clue_in {
	const char	*key;		/* the household */
	int		 channel;	/* enum case_channel */
	const char	*date;		/* "YYYY-MM-DD" */
	const char	*source;	/* where it came from, may be NULL */
	const char	*name, *idno, *reason, *amount;	/* may be NULL */
};

/* Record one clue (a self-report) with a random id into id_out. */
enum ds_status	 case_clue_add(struct odb *, const struct case_clue_in *,
		    unsigned char id_out[CASE_ID_BYTES], struct case_row_why *,
		    struct ds_err *);

/* ---- steps ------------------------------------------------------------------ */

struct case_step_in {
	const char		*key;
	int			 step;		/* enum case_step */
	int			 outcome;	/* enum case_outcome */
	const char		*date, *date_end;	/* date_end: notice */
	int			 objections;
	int			 category, kind;
	const char		*by, *note;	/* sealed; may be NULL */
	const char		*corrects;	/* hex prefix, or NULL */
	const char		*source;	/* "cli", "file:HASH" */
	const unsigned char	*id;		/* fixed id, or NULL: random */
};

/*
 * Record one step on a case.  DS_ENOENT: no such household (or corrected
 * event); DS_EREJECT: the rules refuse it (*why); DS_EEXIST: an event
 * with this fixed id is there.  id_out (may be NULL) gets the event id.
 */
enum ds_status	 case_step_add(struct odb *, const struct case_step_in *,
		    struct case_why *, unsigned char *id_out,
		    struct ds_err *);

struct case_steps_result {
	size_t	 rows, added, duplicate;
};

/*
 * A village's list of steps (case_step_fields), in file order, each
 * checked against the case as the rows before it left it.  Any refusal
 * is DS_EREJECT (*why for a rule with *row the row's line and key, or
 * *row for a bad value); the caller rolls back the whole file.  Rows
 * imported before are duplicates.
 */
enum ds_status	 case_steps_import(struct odb *, const struct case_table *,
		    const char *by_default, struct case_steps_result *,
		    struct case_why *, struct case_row_why *,
		    struct ds_err *);

/* ---- measures --------------------------------------------------------------- */

struct case_measure_in {
	const char	*key;
	const char	*type, *dept, *start, *unit, *status;
	const char	*amount, *note, *by;
};

/* Add an office measure (random id into id_out) and its event. */
enum ds_status	 case_measure_add(struct odb *, const struct case_measure_in *,
		    unsigned char id_out[CASE_ID_BYTES], struct case_row_why *,
		    struct ds_err *);
/* Change a measure's status (by a hex prefix of its id) and log it. */
enum ds_status	 case_measure_set(struct odb *, const char *key,
		    const char *prefix, const char *status, const char *note,
		    const char *by, struct case_row_why *, struct ds_err *);
/* 1 if s is a measure type / status name. */
int		 case_measure_type_ok(const char *);
int		 case_measure_status_ok(const char *);

/* ---- income checks and lights ---------------------------------------------- */

struct case_income_result {
	size_t	 rows, added, same, clues;	/* clues: put on a list */
};

/*
 * Monthly income checks of `month` ("YYYY-MM"; case_income_fields:
 * household key, per-capita income over the last 12 months).  Each row
 * gets the light of the settings' bands for the month's year (no bands:
 * DS_EREJECT, CASE_R_BANDS); a household below the top band (not green)
 * for income_check.months_below months in a row up to `month` gets a clue
 * (dept_warning, source income_check), which puts it on the next visit
 * list.  A file seen before is DS_EEXIST.
 */
enum ds_status	 case_income_import(struct odb *, const struct case_table *,
		    const char *month, struct case_income_result *,
		    struct case_row_why *, struct ds_err *);

/*
 * Recompute the light of every finalized visit with the connection's
 * settings, and each household's light from its latest visit.
 */
enum ds_status	 case_relight(struct odb *, size_t *visits, size_t *changed,
		    struct ds_err *);

#endif
