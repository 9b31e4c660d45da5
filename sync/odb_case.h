/* doorstep: office.db rows of the household case (sync layer). */
#ifndef DS_ODB_CASE_H
#define DS_ODB_CASE_H

/*
 * The SQL of the case tables of schema 4 (docs/case.md): hh, person,
 * clue, visit, case_event, measure, income_check, problem, freeze, round,
 * and the one write the import hook makes to a visit-list entry.  Names,
 * ID numbers, notes and amounts are sealed here (odb_seal_row; the tag
 * is "table.column", the row key is the row's primary key bytes: the
 * household key's text for hh, the 16-byte id for clue, case_event,
 * measure and problem, "KEY/MONTH" for income_check, the month for
 * freeze) and opened here for callers that ask for them.  Nothing opens a
 * transaction of its own: callers wrap a whole change (odb_begin ..
 * odb_commit) so a refusal leaves no trace.  Text a callback receives is
 * valid during the call only; decrypted text is wiped after it.
 */
#include <stddef.h>
#include <stdint.h>

#include "case.h"
#include "odb.h"
#include "oset.h"
#include "status.h"

#define ODB_CODE_MAX	32	/* an area code, a state or type name */
#define ODB_NAME_MAX	128	/* a department, a source, a worker id */

struct oset;

/*
 * The settings the case follows (DIR/settings.json; the office commands
 * attach it after opening).  Borrowed: the caller keeps it alive while
 * the connection is used.  Without one (NULL), odb_case_settings_get
 * gives oset_default().
 */
void		 odb_case_settings(struct odb *, const struct oset *);
const struct oset *odb_case_settings_get(const struct odb *);

/* ---- hh: one row per household ----------------------------------------- */

struct odb_hh {
	char	 hh_key[CASE_KEY_MAX];
	char	 township[ODB_CODE_MAX], village[ODB_CODE_MAX];
	char	 vgroup[ODB_CODE_MAX];
	int64_t	 members;
	int	 in_register;
	char	 grid_worker[ODB_NAME_MAX];
	char	 state[ODB_CODE_MAX];	/* case_state_str */
	char	 track_step[ODB_CODE_MAX];	/* next step, "" none */
	char	 category[ODB_CODE_MAX], elim_kind[ODB_CODE_MAX];
	char	 ident_date[CASE_DATE_LEN], elim_date[CASE_DATE_LEN];
	char	 track_since[CASE_DATE_LEN];
	char	 light[ODB_CODE_MAX], light_month[8];
	int64_t	 created_at, updated_at;
};

/* DS_ENOENT when the household is not known. */
enum ds_status	 odb_hh_get(struct odb *, const char *key, struct odb_hh *,
		    struct ds_err *);
/* The head's name and ID number, opened ("" when none). */
enum ds_status	 odb_hh_head(struct odb *, const char *key, char *name,
		    size_t namelen, char *idno, size_t idlen, struct ds_err *);
/*
 * Insert or update a register row (township, village, vgroup, members,
 * grid_worker of h; in_register set; name and idno sealed).  *what: 1 new,
 * 2 changed, 0 the same as before.
 */
enum ds_status	 odb_hh_register(struct odb *, const struct odb_hh *,
		    const char *name, const char *idno, int *what,
		    struct ds_err *);
/*
 * The household's row as an imported bundle leaves it, written once
 * (case_hook.c): created when unknown (not in the register); a household
 * not in the register takes the area codes and the head's name and ID
 * number (non-empty ones); members (> 0) are set either way; light and
 * light_month when light is not NULL; the state columns from cs.
 */
struct odb_hh_imp {
	const char			*key;
	const char			*township, *village, *vgroup;
	int64_t				 members;
	const char			*name, *idno;	/* "", NULL: kept */
	const char			*light, *light_month;
	const struct case_status	*cs;
};
enum ds_status	 odb_hh_import(struct odb *, const struct odb_hh_imp *,
		    struct ds_err *);
/* Write the derived state columns. */
enum ds_status	 odb_hh_state(struct odb *, const char *key,
		    const struct case_status *, struct ds_err *);
/* Set the household's light (oset_light_str) and its month "YYYY-MM". */
enum ds_status	 odb_hh_light(struct odb *, const char *key,
		    const char *light, const char *month, struct ds_err *);

struct odb_hh_filter {
	const char	*state;		/* case_state_str, or NULL */
	const char	*village;	/* a village code, or NULL */
	int		 open_clues;	/* only households with one */
	int		 overdue;	/* only overdue ones (below) */
	const char	*today;		/* for overdue */
	const char	*visit_since;	/* monitored: no finalized visit on
					   or after this date: overdue
					   (NULL: not checked) */
	const char	*run_before[2];	/* an identification (0) or
					   elimination (1) run started
					   before this date: overdue */
	const char	*clue_before;	/* an open clue dated before */
};
/* Facts the list shows besides the row. */
struct odb_hh_more {
	int64_t	 open_clues;
	char	 oldest_clue[CASE_DATE_LEN];
	char	 last_visit[CASE_DATE_LEN];
	int	 entry_late;		/* a list entry past its due date */
	int	 visit_late, run_late, clue_late;
};
/*
 * Households by village code, then key, that pass the filter.  Overdue:
 * a list entry not done past its due date (today), a monitored household
 * (monitored or in elimination) without a finalized visit on or after
 * visit_since, a run started before run_before, or an open clue dated
 * before clue_before.
 */
enum ds_status	 odb_hh_each(struct odb *, const struct odb_hh_filter *,
		    int (*cb)(void *, const struct odb_hh *,
		    const struct odb_hh_more *), void *arg, struct ds_err *);

/* ---- person: blind indexes of ID numbers ------------------------------- */

/* src "register" or "visit", role "head" or "member". */
enum ds_status	 odb_person_put(struct odb *, const unsigned char idx[32],
		    const char *key, const char *src, const char *role,
		    struct ds_err *);
/* Rows of person for odb_person_put_n. */
struct odb_person {
	unsigned char	 idx[32];
	const char	*key, *src, *role;
};
/* n rows, several a statement (a row already there is kept). */
enum ds_status	 odb_person_put_n(struct odb *, const struct odb_person *,
		    size_t n, struct ds_err *);
/* Drop a household's indexes of one source (a register row replaced). */
enum ds_status	 odb_person_clear(struct odb *, const char *key,
		    const char *src, struct ds_err *);
/*
 * Every (index, household) row, in no set order: the table is clustered
 * by household (schema 7), so a search by index reads it whole, once per
 * batch of indexes.  fn non-zero stops.
 */
enum ds_status	 odb_person_each(struct odb *, int (*fn)(void *,
		    const unsigned char *idx, const char *key), void *arg,
		    struct ds_err *);

/* ---- clue ---------------------------------------------------------------- */

struct odb_clue {
	unsigned char	 id[CASE_ID_BYTES];
	char		 channel[ODB_CODE_MAX];	/* case_channel_str */
	char		 source[ODB_NAME_MAX];
	char		 hh_key[CASE_KEY_MAX];	/* "": unmatched */
	int		 ambiguous;
	int		 has_idx;
	unsigned char	 idx[32];
	char		 date[CASE_DATE_LEN];
	int64_t		 received_at;
	int		 open;
	int		 has_closed_rev;
	unsigned char	 closed_rev[16];
	int64_t		 closed_at;
	int		 has_batch;
	unsigned char	 batch[32];
};

/* The sealed text of a clue. */
struct odb_clue_text {
	const char	*id_no, *name, *reason, *amount;
};

/* Insert a clue (text sealed; NULL members are NULL).  DS_EEXIST. */
enum ds_status	 odb_clue_put(struct odb *, const struct odb_clue *,
		    const struct odb_clue_text *, struct ds_err *);
enum ds_status	 odb_clue_get(struct odb *, const unsigned char id[16],
		    struct odb_clue *, struct ds_err *);
/* A clue by a hex prefix of its id (>= 4 digits); DS_EINVAL: several. */
enum ds_status	 odb_clue_find(struct odb *, const char *hexprefix,
		    struct odb_clue *, struct ds_err *);
/* *found and the first received_at of a clue file (its hash). */
enum ds_status	 odb_clue_batch(struct odb *, const unsigned char hash[32],
		    int *found, int64_t *received_at, struct ds_err *);
/* Close the household's open clues dated on or before `upto`; *n (n
 * may be NULL: not counted). */
enum ds_status	 odb_clue_close_hh(struct odb *, const char *key,
		    const char *upto, const unsigned char rev[16], int64_t at,
		    int *n, struct ds_err *);
/* Close one clue if open. */
enum ds_status	 odb_clue_close(struct odb *, const unsigned char id[16],
		    const unsigned char rev[16], int64_t at, struct ds_err *);
/* Unmatched, unambiguous clues of this index now belong to key; *n
 * (n may be NULL: not counted). */
enum ds_status	 odb_clue_match(struct odb *, const unsigned char idx[32],
		    const char *key, int *n, struct ds_err *);
/*
 * The blind index of every clue waiting for a household (unmatched,
 * unambiguous), to fn; fn returns non-zero to stop.  An import asks
 * odb_clue_match only of the ID numbers among them.
 */
enum ds_status	 odb_clue_waiting(struct odb *,
		    int (*fn)(void *, const unsigned char idx[32]), void *,
		    struct ds_err *);
/* How many clues wait for a household, counted up to max at most (a
 * read of at most max index entries). */
enum ds_status	 odb_clue_waiting_n(struct odb *, int64_t max, int64_t *n,
		    struct ds_err *);
enum ds_status	 odb_clue_open_n(struct odb *, const char *key, int64_t *n,
		    struct ds_err *);
/*
 * The channel of the household's earliest clue (by date) closed by
 * revision rev, or "" when none.
 */
enum ds_status	 odb_clue_first(struct odb *, const char *key,
		    const unsigned char rev[16], char channel[ODB_CODE_MAX],
		    struct ds_err *);

/* Which clues odb_clue_each lists. */
struct odb_clue_filter {
	const char	*key;		/* one household, or NULL */
	int		 open;		/* only open ones */
	int		 unmatched;	/* only unmatched ones */
	int		 text;		/* open the sealed text */
};
/* By date, then id.  text members NULL unless asked. */
enum ds_status	 odb_clue_each(struct odb *, const struct odb_clue_filter *,
		    int (*cb)(void *, const struct odb_clue *,
		    const struct odb_clue_text *), void *arg, struct ds_err *);

/* ---- visit ----------------------------------------------------------------- */

struct odb_visit {
	unsigned char	 rev_id[16], record_uuid[16], device_id[16];
	char		 hh_key[CASE_KEY_MAX];
	char		 worker_id[ODB_NAME_MAX];
	char		 visit_date[CASE_DATE_LEN];
	char		 visit_type[ODB_CODE_MAX];
	char		 reason[ODB_CODE_MAX];	/* a list entry's reason */
	int		 has_entry;
	unsigned char	 entry_id[16];
	int		 has_corrects;
	unsigned char	 corrects[16];		/* a record */
	char		 consent[ODB_CODE_MAX];	/* "", yes, no, on_file */
	char		 outcome[ODB_CODE_MAX];	/* done, refused, not_reached */
	int		 finalized;
	int64_t		 finalized_at;
	char		 proposes[ODB_CODE_MAX];	/* a category, elim, "" */
	char		 light[ODB_CODE_MAX];
	int		 has_light_set;
	unsigned char	 light_set[32];
	int64_t		 imported_at;
};

/* Insert unless the revision is there (*inserted 0). */
enum ds_status	 odb_visit_put(struct odb *, const struct odb_visit *,
		    int *inserted, struct ds_err *);
/* A household's visits by date, then finalize time. */
/* *later: 1 when the household has a finalized visit dated after date
 * other than revision rev (a revision's visit is then not its latest). */
enum ds_status	 odb_visit_later(struct odb *, const char *key,
		    const char *date, const unsigned char rev[16], int *later,
		    struct ds_err *);
enum ds_status	 odb_visit_each_hh(struct odb *, const char *key,
		    int (*cb)(void *, const struct odb_visit *), void *arg,
		    struct ds_err *);
/* Every finalized visit (for relight), by household and date. */
enum ds_status	 odb_visit_each_final(struct odb *,
		    int (*cb)(void *, const struct odb_visit *), void *arg,
		    struct ds_err *);
/* Found by its key (household, date, revision), as each_final gave it. */
enum ds_status	 odb_visit_light(struct odb *, const struct odb_visit *,
		    const char *light, const unsigned char set_hash[32],
		    struct ds_err *);
/*
 * The household's latest finalized, consented visit with a light:
 * *found, its light and date.
 */
enum ds_status	 odb_visit_last_light(struct odb *, const char *key,
		    int *found, char light[ODB_CODE_MAX],
		    char date[CASE_DATE_LEN], struct ds_err *);

/*
 * A visit-list entry was answered: state done, done_rev, done_at (unless
 * already done).  *found 0 when no such entry; its clue id into clue
 * (*has_clue).
 */
enum ds_status	 odb_entry_done(struct odb *, const unsigned char id[16],
		    const unsigned char rev[16], int64_t at, int *found,
		    int *has_clue, unsigned char clue[16], struct ds_err *);

/* ---- case_event ------------------------------------------------------------ */

struct odb_event {
	struct case_event	 ev;
	char			 hh_key[CASE_KEY_MAX];
	char			 source[ODB_NAME_MAX];	/* cli, visit, file:HASH */
	char			 detail[ODB_NAME_MAX];	/* measure: TYPE:STATUS */
	int			 has_ref;
	unsigned char		 ref[16];	/* visit rev, measure id */
};

/*
 * Append an event: e->ev.seq is set to the case's next number.  by and
 * note are sealed (NULL: none).  DS_EEXIST when the id is there.
 */
enum ds_status	 odb_event_put(struct odb *, struct odb_event *,
		    const char *by, const char *note, struct ds_err *);
enum ds_status	 odb_event_exists(struct odb *, const unsigned char id[16],
		    int *found, struct ds_err *);
/*
 * A case's events by seq into *out (n of them, the caller's, ds_free),
 * leaving out those recorded after `upto` (0: all).
 */
enum ds_status	 odb_event_load(struct odb *, const char *key,
		    int64_t upto, struct case_event **out, size_t *n,
		    struct ds_err *);
/* A case's events by seq, with by and note opened when text is set. */
enum ds_status	 odb_event_each_hh(struct odb *, const char *key, int text,
		    int (*cb)(void *, const struct odb_event *, const char *by,
		    const char *note), void *arg, struct ds_err *);
/* An event of the case by a hex prefix of its id (>= 4 digits). */
enum ds_status	 odb_event_find(struct odb *, const char *key,
		    const char *hexprefix, struct odb_event *,
		    struct ds_err *);

/* ---- measure --------------------------------------------------------------- */

struct odb_measure {
	unsigned char	 id[CASE_ID_BYTES];
	char		 hh_key[CASE_KEY_MAX];
	char		 type[ODB_CODE_MAX];	/* industry .. social */
	char		 dept[ODB_NAME_MAX];
	char		 start_date[CASE_DATE_LEN];
	char		 unit[ODB_CODE_MAX];
	char		 status[ODB_CODE_MAX];
	char		 source[ODB_CODE_MAX];	/* office, visit */
	int		 has_source_rev;
	unsigned char	 source_rev[16];
	int64_t		 created_at, updated_at;
};

/* Insert (amount and note sealed, NULL: none).  DS_EEXIST. */
enum ds_status	 odb_measure_put(struct odb *, const struct odb_measure *,
		    const char *amount, const char *note, struct ds_err *);
/* Change a measure's status (and note when not NULL). */
enum ds_status	 odb_measure_status(struct odb *,
		    const unsigned char id[16], const char *status,
		    const char *note, struct ds_err *);
/* A household's measure by a hex prefix of its id (>= 4 digits). */
enum ds_status	 odb_measure_find(struct odb *, const char *key,
		    const char *hexprefix, struct odb_measure *,
		    struct ds_err *);
/* By type, then start date; amount and note opened when text is set. */
enum ds_status	 odb_measure_each_hh(struct odb *, const char *key, int text,
		    int (*cb)(void *, const struct odb_measure *,
		    const char *amount, const char *note), void *arg,
		    struct ds_err *);
/* Active (planned or in progress) measures of a type; *n. */
enum ds_status	 odb_measure_active(struct odb *, const char *key,
		    const char *type, int64_t *n, struct ds_err *);

/* ---- round ------------------------------------------------------------------- */

struct odb_round {
	char	 name[ODB_NAME_MAX];
	char	 started[CASE_DATE_LEN], due[CASE_DATE_LEN];
	char	 scope[1024];		/* village codes, space separated */
	int64_t	 created_at;
};

/* DS_EEXIST when the name is taken. */
enum ds_status	 odb_round_put(struct odb *, const struct odb_round *,
		    struct ds_err *);
enum ds_status	 odb_round_get(struct odb *, const char *name,
		    struct odb_round *, struct ds_err *);
enum ds_status	 odb_round_each(struct odb *,
		    int (*cb)(void *, const struct odb_round *), void *arg,
		    struct ds_err *);

/* ---- income_check ------------------------------------------------------------ */

/* Insert a month's check (amount sealed); *inserted 0 when there. */
enum ds_status	 odb_income_put(struct odb *, const char *key,
		    const char *month, const char *light, const char *amount,
		    const unsigned char batch[32], int *inserted,
		    struct ds_err *);
/*
 * The household's latest checks up to `month`, newest first: at most max
 * months ("YYYY-MM") and lights; *n.
 */
enum ds_status	 odb_income_last(struct odb *, const char *key,
		    const char *month, char (*months)[8],
		    char (*lights)[ODB_CODE_MAX], size_t max, size_t *n,
		    struct ds_err *);
/* *found if a check file with this hash was imported. */
enum ds_status	 odb_income_batch(struct odb *, const unsigned char hash[32],
		    int *found, struct ds_err *);

/* ---- problem: the quality ledger --------------------------------------------- */

struct odb_problem {
	unsigned char	 id[CASE_ID_BYTES];
	char		 kind[ODB_CODE_MAX];
	char		 hh_key[CASE_KEY_MAX];
	int		 has_record;
	unsigned char	 record_uuid[16];
	char		 path[256];
	int64_t		 first_seen, last_seen;
	int64_t		 closed_at;	/* 0: open */
};

/*
 * Seen now: insert with first_seen = last_seen = now, or set last_seen
 * (and the detail) of a known id.  detail is sealed.
 */
enum ds_status	 odb_problem_seen(struct odb *, const struct odb_problem *,
		    const char *detail, int64_t now, struct ds_err *);
/* Close an open problem by a hex prefix of its id; DS_ESTATE if closed. */
enum ds_status	 odb_problem_close(struct odb *, const char *hexprefix,
		    const char *by, const char *note, int64_t now,
		    struct odb_problem *out, struct ds_err *);
/* Every problem by household, kind, path; text opened. */
enum ds_status	 odb_problem_each(struct odb *,
		    int (*cb)(void *, const struct odb_problem *,
		    const char *detail, const char *by, const char *note),
		    void *arg, struct ds_err *);

/* ---- freeze: submitted monthly reports --------------------------------------- */

/* *found, frozen_at and cutoff ("YYYY-MM-DD") of month "YYYY-MM". */
enum ds_status	 odb_freeze_get(struct odb *, const char *month, int *found,
		    int64_t *frozen_at, char cutoff[CASE_DATE_LEN],
		    struct ds_err *);
/* Store a month's submitted copy (sealed) and its hash.  DS_EEXIST. */
enum ds_status	 odb_freeze_put(struct odb *, const char *month,
		    int64_t frozen_at, const char *cutoff, const void *csv,
		    size_t len, struct ds_err *);

#endif
