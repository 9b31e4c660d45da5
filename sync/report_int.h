/* doorstep: internals shared by sync/report*.c only. */
#ifndef DS_REPORT_INT_H
#define DS_REPORT_INT_H

/*
 * The table (cells are owned strings), the XLSX writer entry point, the
 * area-name lookup and the per-record facts every report reads from a
 * head's answers JSON (docs/reports.md names each source field).
 */
#include <stddef.h>
#include <stdint.h>

#include "eng.h"
#include "report.h"

/* A word of a report in the caller's language: the msgid marks it. */
#ifndef N_
#define N_(s)	(s)
#endif

/* report_col.numeric */
#define REPORT_NUM_INT	1	/* integer counts */
#define REPORT_NUM_DEC	2	/* a number with one decimal */

struct report_col {
	const char	*title;		/* column title (a msgid: N_) */
	const char	*group;		/* group title over it, or NULL */
	int		 numeric;	/* 0 text, REPORT_NUM_INT, _DEC */
	int		 width;		/* XLSX column width, characters */
};

struct report_table {
	char			 title[256];
	report_tr		 tr;		/* words; NULL: msgids */
	const struct report_col	*cols;
	size_t			 ncols;
	size_t			 freeze_cols;	/* columns kept in view */
	size_t			 nrows, cap;
	int			*kinds;		/* enum report_row_kind */
	char			**cells;	/* nrows * ncols, owned */
};

enum ds_status	 report_table_new(const char *title,
		    const struct report_col *, size_t ncols,
		    size_t freeze_cols, struct report_table **,
		    struct ds_err *);
/* Append a row of empty cells; *row its index. */
enum ds_status	 report_table_add(struct report_table *, int kind,
		    size_t *row, struct ds_err *);
/* Set a cell to a copy of text / to a count. */
enum ds_status	 report_table_set(struct report_table *, size_t row,
		    size_t col, const char *text, struct ds_err *);
enum ds_status	 report_table_setn(struct report_table *, size_t row,
		    size_t col, int64_t n, struct ds_err *);
/* A number with one decimal ("97.5"). */
enum ds_status	 report_table_setd(struct report_table *, size_t row,
		    size_t col, double v, struct ds_err *);
/* A word (a msgid) in the table's language. */
enum ds_status	 report_table_setw(struct report_table *, size_t row,
		    size_t col, const char *msgid, struct ds_err *);
/* The table's word for a msgid (the identity without tr). */
const char	*report_word(const struct report_table *, const char *msgid);

/*
 * XLSX through libxlsxwriter (report_xlsx.c), to the file tmp_path; its
 * scratch files go in the directory of `path`, where the file will be.
 */
enum ds_status	 report_xlsx_write(const struct report_table *,
		    const char *tmp_path, const char *path, struct ds_err *);

/* ---- area names (township.csv, village.csv next to the form) ---------- */

struct report_names;

/*
 * Load the Chinese labels of township.csv and village.csv in dir (the
 * column "label::中文 (zh)", else the first "label" column).  A missing
 * dir or file gives an empty lookup, not an error: names are a courtesy.
 */
enum ds_status	 report_names_load(const char *dir, struct report_names **,
		    struct ds_err *);
void		 report_names_free(struct report_names *);
/* The label of an area code, or "" when unknown. */
const char	*report_names_get(const struct report_names *,
		    const char *code);

/* ---- facts of one current record ---------------------------------------- */

#define REPORT_NRISK	11
#define REPORT_NMEASURE	10
#define REPORT_NVISIT	5

/* Category codes (field `category`). */
enum {
	RC_NONE = 0,	/* none, blank or unknown: not monitored */
	RC_UNSTABLE,
	RC_MARGINAL,
	RC_SUDDEN
};

/* One open problem the engine finds in a record, in form order. */
struct report_check {
	int		 is_error;	/* 0: a warning without a reason */
	char		*path;		/* owned */
	struct eng_note	 note;		/* owned (eng_note_free); the
					   report's caller words it */
};

struct eng_form;

/* A member's ID number (upper-case) and where it sits in the record. */
struct report_id {
	char		id[24];
	char		name[64];	/* the member's name */
	int		member;		/* index in `member` */
};

struct report_rec {
	char		 record[33];	/* record uuid, hex */
	unsigned char	 rev_id[16];
	char		 hh[128];	/* household key ("" when refused) */
	char		 head[128];	/* head_name */
	char		 province[24], city[24], county[24];
	char		 township[24], village[24];
	char		 village_name[128];	/* the form's label, if kept */
	char		 visit_date[16];
	int		 visit_ym;	/* YYYYMM of visit_date, 0 none */
	int		 visit_type;	/* index, -1 unknown */
	int		 remote;	/* visit_mode phone/online */
	int		 refused;	/* consent = no */
	int		 channel;	/* index, -1 unknown */
	int		 category;	/* RC_* */
	int		 ident_ym;	/* ident_month, 0 none */
	int		 el_done;	/* el_done = yes */
	int		 el_way;	/* 1 assisted, 2 natural, 0 */
	int		 el_ym;		/* el_month, 0 none */
	int		 risk_main;	/* index into the risk list, -1 */
	int		 n_members;	/* items of `member` */
	unsigned	 measures;	/* bit i: measure kind i chosen */
	int		 dev_gap;	/* can work, no development measure */
	unsigned	 risks;		/* bit i: risk_NAME i = yes */
	int		 no_labour;	/* no_labour_hh = yes */
	int		 dibao_tekun;	/* a member has dibao or tekun */
	int		 draft;		/* _meta.state is not "finalized" */
	size_t		 nreasons;	/* warnings confirmed with a reason */
	char		**reason_path;	/* nreasons paths, owned */
	char		**reason_text;	/* nreasons texts, owned */
	/* Re-check against the form (report_recs_load with a form): */
	int		 recheck;	/* 0 not done, 1 done, -1 failed */
	char		 recheck_msg[256];	/* why it failed */
	size_t		 nchecks;	/* open errors and warnings */
	struct report_check	*checks;	/* owned */
	int64_t		 saved_at;
	char		 worker[128];	/* the worker whose laptop saved it */
	char		 corrects[33];	/* _meta.corrects, hex; "" none */
	/* For the checks across households (rules 4 and 7): */
	char		 phone[24];	/* the household phone, as typed */
	size_t		 nids;		/* member ID numbers given */
	struct report_id *ids;		/* owned */
};

/*
 * The facts of one answers JSON object into *r (zeroed by the caller; the
 * record id, revision and save time are the caller's to set).  A value
 * that is missing or malformed counts as absent.  DS_EPARSE / DS_ECORRUPT
 * when the text is not a JSON object.  Free what it holds with
 * report_rec_reset (also after a failure).
 */
enum ds_status	 report_rec_parse(const char *answers, size_t len,
		    struct report_rec *r, struct ds_err *);
void		 report_rec_reset(struct report_rec *);

/*
 * Read every current head (not deleted) into *out (n records, in the
 * order of odb_head_each).  With asof_ym (YYYYMM, 0: now), each record as
 * it stood at the end of that month instead: its newest revision whose
 * visit_date falls in or before the month (a record with none is left
 * out), so a past month counts the categories and rosters it had then.
 * With a compiled form, each record in `area` (NULL: all) made with that
 * form (same form id) is also restored into the interview engine and its
 * open errors and warnings listed (checks); a record the engine cannot
 * restore gets recheck -1 and the reason.  Free with report_recs_free.
 */
enum ds_status	 report_recs_load(struct odb *, const struct eng_form *,
		    const char *area, int asof_ym, struct report_rec **out,
		    size_t *n, struct ds_err *);
/* Re-check one parsed record against a compiled form (as above). */
enum ds_status	 report_rec_recheck(struct report_rec *,
		    const struct eng_form *, const char *answers, size_t len,
		    struct ds_err *);
void		 report_recs_free(struct report_rec *, size_t);
/* 1 if the record's address has `area` as one of its codes. */
int		 report_rec_in_area(const struct report_rec *,
		    const char *area);

/* Value names in form order (forms/household.md choices). */
extern const char *const report_risk_names[REPORT_NRISK];
extern const char *const report_visit_names[REPORT_NVISIT];
extern const char *const report_measure_fields[REPORT_NMEASURE];

#endif
