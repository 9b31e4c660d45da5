/* doorstep: read-only office.db queries for the reports (sync layer). */
#ifndef DS_ODB_REPORT_H
#define DS_ODB_REPORT_H

/*
 * The case reports (report_case.c, report_cover.c) read office.db through
 * these cursors: each runs one SELECT over the case tables and hands back
 * one row at a time, so a report merges several streams ordered by
 * household key without holding a county in memory.  Only clear columns
 * are read; nothing here opens a sealed value or writes.
 */
#include <stddef.h>
#include <stdint.h>

#include "case.h"
#include "odb.h"
#include "odb_case.h"
#include "status.h"

/* A household: every row of hh, by key. */
struct odb_rep_hh {
	char	 hh_key[CASE_KEY_MAX];
	char	 township[ODB_CODE_MAX], village[ODB_CODE_MAX];
	char	 vgroup[ODB_CODE_MAX];
	int64_t	 members;
	int	 in_register;
};

/* An event recorded at or before the cutoff, by key then seq. */
struct odb_rep_ev {
	char			 hh_key[CASE_KEY_MAX];
	struct case_event	 ev;
	char			 detail[ODB_NAME_MAX];	/* measure TYPE:STATUS */
	int			 has_ref;
	unsigned char		 ref[16];
};

/* A finalized visit imported at or before the cutoff, by key, date. */
struct odb_rep_visit {
	char		 hh_key[CASE_KEY_MAX];
	unsigned char	 record_uuid[16];
	char		 visit_date[CASE_DATE_LEN];
	char		 visit_type[ODB_CODE_MAX];
	char		 outcome[ODB_CODE_MAX];
	char		 consent[ODB_CODE_MAX];
	char		 light[ODB_CODE_MAX];
	char		 worker_id[ODB_NAME_MAX];
	int64_t		 finalized_at, imported_at;
};

/* A clue received at or before the cutoff, by key (unmatched: ""). */
struct odb_rep_clue {
	char	 hh_key[CASE_KEY_MAX];
	char	 date[CASE_DATE_LEN];
	char	 channel[ODB_CODE_MAX];
	int	 open;		/* still open at the cutoff */
};

enum odb_rep_kind {
	ODB_REP_HH = 1,
	ODB_REP_EV,
	ODB_REP_VISIT,
	ODB_REP_CLUE
};

struct odb_rcur;

/*
 * Open a cursor of `kind` (rows as above) for rows recorded, imported or
 * received at or before `upto` (0: all); visits and clues also dated on
 * or before `date_to` (NULL: all).  *out is the caller's (odb_rcur_close).
 */
enum ds_status	 odb_rcur_open(struct odb *, int kind, int64_t upto,
		    const char *date_to, struct odb_rcur **out,
		    struct ds_err *);
/* The next row into *row (the kind's struct): 1, 0 at the end, -1 on
 * error (err set). */
int		 odb_rcur_next(struct odb_rcur *, void *row, struct ds_err *);
void		 odb_rcur_close(struct odb_rcur *);

/* Every frozen month ("YYYY-MM") and when it was frozen, by month. */
enum ds_status	 odb_report_freezes(struct odb *,
		    int (*cb)(void *, const char *month, int64_t frozen_at),
		    void *arg, struct ds_err *);

/* One group's screening coverage (report_coverage). */
struct odb_rep_cover {
	char	 township[ODB_CODE_MAX], village[ODB_CODE_MAX];
	char	 vgroup[ODB_CODE_MAX];
	int64_t	 reg, done, refused, not_reached;
};

/*
 * Register households (in_register) by township, village and group, with
 * those whose best finalized visit dated from `from` to `to` was done,
 * refused or not reached (a done visit wins over a refusal, a refusal
 * over not reached).  scope: village codes separated by spaces, or ""
 * for all.
 */
enum ds_status	 odb_report_coverage(struct odb *, const char *from,
		    const char *to, const char *scope,
		    int (*cb)(void *, const struct odb_rep_cover *), void *arg,
		    struct ds_err *);

/* One village and worker's timeliness (report_timeliness). */
struct odb_rep_time {
	char	 township[ODB_CODE_MAX], village[ODB_CODE_MAX];
	char	 worker[ODB_NAME_MAX];
	int64_t	 visits;
	double	 vf_avg, vf_max;	/* days, visit date to finalizing */
	double	 fi_avg, fi_max;	/* days, finalizing to the import */
};

/*
 * Finalized visits dated from `from` to `to` ("YYYY-MM-DD", NULL: all),
 * each record once (its first finalized revision), by township, village
 * and worker.
 */
enum ds_status	 odb_report_timeliness(struct odb *, const char *from,
		    const char *to,
		    int (*cb)(void *, const struct odb_rep_time *), void *arg,
		    struct ds_err *);

#endif
