/* doorstep: the household case — rules and state, no SQL (sync layer). */
#ifndef DS_CASE_H
#define DS_CASE_H

/*
 * A case is everything the office knows of one household (docs/case.md):
 * register row, clues, visits, the office's steps, measures.  This
 * module holds the rules: which step may follow which, what a refused
 * step says (a code and its facts, worded by the command), and the state
 * derived from a case's events by replaying them in order.  Reading and
 * writing office.db is odb_case.c; what an imported revision does is
 * case_hook.c; reading register, clue and step files is case_file.c.
 *
 * Events are append-only.  A correction is a new event naming the one it
 * corrects: replay puts it in the corrected event's place, so the
 * corrected one no longer counts.  Replay is strict for events from
 * `strict_from` on (the new one, or everything after a correction) and
 * lenient before (those passed when recorded: an event that no longer
 * fits is skipped, never an error).
 */
#include <stddef.h>
#include <stdint.h>

#include "oset.h"
#include "status.h"

#define CASE_DATE_LEN	11	/* "YYYY-MM-DD" and NUL */
#define CASE_KEY_MAX	64	/* a household key (the form allows 30) */
#define CASE_ID_BYTES	16	/* event, clue, measure ids */
#define CASE_TEXT_MAX	2048	/* a note, a reason, a name */

enum case_track { CASE_T_IDENT = 0, CASE_T_ELIM = 1, CASE_T_CASE = 2 };

/* Steps: the four office steps share enum oset_step's numbers. */
enum case_step {
	CASE_S_START = 10,	/* a visit proposed the track */
	CASE_S_ASSESS = OSET_ASSESS,
	CASE_S_NOTICE = OSET_NOTICE,
	CASE_S_REVIEW = OSET_REVIEW,
	CASE_S_APPROVE = OSET_APPROVE,
	CASE_S_RETURN = 11,	/* township returns the case to the village */
	CASE_S_MEASURE = 12,	/* a measure changed (track case) */
	CASE_S_REFLAG = 13,	/* 风险再标注 */
	CASE_S_ROLLBACK = 14	/* 风险消除回退 */
};

enum case_outcome { CASE_O_NONE = 0, CASE_O_PASS, CASE_O_FAIL };

enum case_state {
	CASE_REGISTERED = 0,
	CASE_CLUE_OPEN,
	CASE_IDENT,
	CASE_MONITORED,
	CASE_ELIM,
	CASE_ELIMINATED,
	CASE_NSTATE
};

/* Monitored categories (the form's `cat` list). */
enum case_cat { CASE_CAT_NONE = 0, CASE_CAT_UNSTABLE, CASE_CAT_MARGINAL,
	CASE_CAT_SUDDEN };
enum case_kind { CASE_K_NONE = 0, CASE_K_ASSISTED, CASE_K_NATURAL };
/* Discovery channels (the form's `channel` list). */
enum case_channel { CASE_CH_NONE = 0, CASE_CH_SELF, CASE_CH_CADRE,
	CASE_CH_DEPT };

/* One event as replay needs it (no sealed text). */
struct case_event {
	unsigned char	 id[CASE_ID_BYTES];
	int64_t		 seq;		/* order within the case, from 1 */
	int		 track;		/* enum case_track */
	int		 step;		/* enum case_step */
	int		 outcome;	/* enum case_outcome */
	char		 date[CASE_DATE_LEN];
	char		 date_end[CASE_DATE_LEN];	/* notice; "" */
	int		 objections;
	int		 category;	/* approve ident: enum case_cat */
	int		 kind;		/* approve elim: enum case_kind */
	int		 channel;	/* start ident: enum case_channel */
	int		 has_corrects;
	unsigned char	 corrects[CASE_ID_BYTES];
	int		 has_note;	/* return needs one */
	int64_t		 recorded_at;
};

/* What a refused event says: a code and its facts. */
enum case_why_code {
	CASE_W_OK = 0,
	CASE_W_NO_TRACK,	/* no run of any track: no verification visit */
	CASE_W_STEP_UNKNOWN,	/* step not in this track's settings */
	CASE_W_ORDER,		/* step: expected `want` */
	CASE_W_DATE_BEFORE,	/* date before `other` (previous step) */
	CASE_W_REVIEW_EARLY,	/* review on or before the notice end `other` */
	CASE_W_NOTICE_UNSET,	/* notice_min_days not set: key */
	CASE_W_NOTICE_SHORT,	/* notice of `days` days, need `min` */
	CASE_W_NOTICE_END,	/* notice needs an end date on or after it */
	CASE_W_NEED_CATEGORY,	/* approve pass on ident needs a category */
	CASE_W_NEED_KIND,	/* approve pass on elim needs a kind */
	CASE_W_NEED_NOTE,	/* return needs a note */
	CASE_W_BAD_OUTCOME,	/* steps need pass or fail; return none */
	CASE_W_NOT_ELIMINATED,	/* reflag / rollback of a case not eliminated */
	CASE_W_CORRECTS,	/* the corrected event is not an office step */
	CASE_W_BAD_DATE,	/* not a real date, or after today */
	CASE_W_EXTRA,		/* category/kind/end given where not allowed */
	CASE_W_NCODE
};

struct case_why {
	int	 code;		/* enum case_why_code */
	int	 track;		/* the run's track */
	int	 step;		/* the refused step */
	int	 want;		/* CASE_W_ORDER: the step expected */
	char	 other[CASE_DATE_LEN];	/* a date it is compared with */
	int	 days, min;	/* CASE_W_NOTICE_SHORT */
	int64_t	 seq;		/* position of the refused event; 0: new */
};

/* The state derived from the events (and whether a clue is open). */
struct case_status {
	int	 state;		/* enum case_state */
	int	 run;		/* the track of the running run, or -1 */
	int	 next;		/* its next step (enum oset_step), 0 none */
	int	 category;	/* of the last approved identification */
	int	 kind;		/* of the last approved elimination */
	int	 monitored;	/* an approved identification stands */
	int	 eliminated;	/* ... and an approved elimination after it */
	int	 channel;	/* the running ident run's first clue */
	int	 ident_channel;	/* ... of the last approved identification */
	char	 run_since[CASE_DATE_LEN];	/* start of the run */
	char	 last[CASE_DATE_LEN];	/* the run's last passed step */
	char	 notice_end[CASE_DATE_LEN];	/* the run's notice end */
	char	 ident_date[CASE_DATE_LEN];	/* last approved ident */
	char	 elim_date[CASE_DATE_LEN];	/* last approved elim */
	size_t	 skipped;	/* lenient events that did not fit */
};

/* A state change replay reports, in event order. */
enum case_change {
	CASE_C_IDENTIFIED = 1,	/* approve ident pass: category, channel */
	CASE_C_ELIMINATED,	/* approve elim pass: kind */
	CASE_C_REFLAG,
	CASE_C_ROLLBACK,
	CASE_C_STARTED		/* a run started: track */
};

struct case_replay_opts {
	const struct oset	*set;
	const char		*today;	/* refuse later dates; NULL: none */
	size_t			 strict_from;	/* index into the ordered list */
	int			 open_clues;	/* the case has open clues */
	/* Each change (may be NULL); a non-zero return stops nothing. */
	void			(*change)(void *, int change,
				    const struct case_event *,
				    const struct case_status *);
	void			*arg;
};

/*
 * Order n events (seq order, each correction in its corrected event's
 * place, corrected events out) into ix (n slots); *m of them count.
 * Events must have distinct seq.  DS_ENOMEM only.
 */
enum ds_status	 case_order(const struct case_event *ev, size_t n,
		    size_t *ix, size_t *m);

/*
 * Replay the events (ordered by case_order: ev[ix[0..m)]) into *st.
 * Strict events that do not fit stop the replay: DS_EREJECT with *why.
 */
enum ds_status	 case_replay(const struct case_replay_opts *,
		    const struct case_event *ev, const size_t *ix, size_t m,
		    struct case_status *st, struct case_why *why);

/* Names stored in office.db, and back (-1 / 0 when unknown). */
const char	*case_state_str(int);
int		 case_state_from(const char *);
const char	*case_track_str(int);
int		 case_track_from(const char *);
const char	*case_step_str(int);
int		 case_step_from(const char *);
const char	*case_outcome_str(int);
int		 case_outcome_from(const char *);
const char	*case_cat_str(int);
int		 case_cat_from(const char *);
const char	*case_kind_str(int);
int		 case_kind_from(const char *);
const char	*case_channel_str(int);
int		 case_channel_from(const char *);

/*
 * Day number of a "YYYY-MM-DD" date (days since 1970-01-01), or -1 when
 * it is not a real date from 2000 to 2099.
 */
int64_t		 case_date_days(const char *);
/* The date of a day number into out. */
void		 case_days_date(int64_t, char out[CASE_DATE_LEN]);
/* Today's local date (ds_now, so tests fix it). */
void		 case_today(char out[CASE_DATE_LEN]);
/* 1 if s is a household key: 1 to CASE_KEY_MAX-1 letters and digits. */
int		 case_key_ok(const char *);

#endif
