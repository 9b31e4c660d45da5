/* doorstep: the office settings file (DIR/settings.json) — sync layer. */
#ifndef DS_OSET_H
#define DS_OSET_H

/*
 * Provinces differ in the steps of identification and elimination, the
 * notice period, the monitoring lines and the signal bands, so these live
 * in one JSON file per office (docs/case.md "Settings"), copied at `init`
 * from a shipped province file (forms/settings/PROVINCE.json).  Every
 * number carries its source; a number the sources do not give is null
 * (with a note), and whoever needs it refuses, naming the key to set
 * (oset_key_* below).  The parse is strict: an unknown key, a wrong type
 * or an unknown step is refused, naming the key.  The loaded settings are
 * immutable; the SHA of the file (BLAKE2b-256 of its bytes) goes with
 * every light computed from it.
 */
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define OSET_FILE	"settings.json"
#define OSET_MAGIC	"doorstep office settings v1"
#define OSET_MAX_BYTES	(256u << 10)	/* a settings file */
#define OSET_MAX_YEARS	64		/* lines or band rows */
#define OSET_STEPS_MAX	4

/* The office steps of a track, in the order they run. */
enum oset_step {
	OSET_ASSESS = 1,	/* village assessment (民主评议) */
	OSET_NOTICE,		/* public notice (公示) */
	OSET_REVIEW,		/* township review (审核) */
	OSET_APPROVE		/* county approval (认定) */
};

/* Lights, worst first; OSET_LIGHT_NONE: not computed (no bands). */
enum oset_light {
	OSET_LIGHT_NONE = 0,
	OSET_LIGHT_RED,
	OSET_LIGHT_ORANGE,
	OSET_LIGHT_YELLOW,
	OSET_LIGHT_GREEN
};
#define OSET_NLIGHT	4

struct oset_track {
	int	 steps[OSET_STEPS_MAX];	/* enum oset_step, nsteps of them */
	int	 nsteps;
	int	 notice_min_days;	/* -1: not set (null) */
	int	 limit_days;		/* whole run, -1: not set */
	int	 stable_months;		/* elimination only, -1: not set */
};

struct oset_line {
	int	 year;
	double	 line;			/* yuan per person per year */
};

/* Absolute bands of one year: below red_below is red, and so on. */
struct oset_band {
	int	 year;
	double	 red_below, orange_below, yellow_below;
};

struct oset {
	char			 province[16];
	char			 name[128];
	struct oset_track	 track[2];	/* 0 identification, 1 elim */
	struct oset_line	*lines;
	size_t			 nlines;
	struct oset_band	*bands;		/* NULL: bands not set */
	size_t			 nbands;
	int			 red_on_guarantee; /* 三保障/water → red */
	int			 months_below;	/* income checks; 0 unset */
	int			 visits_monthly; /* monitored: visit monthly */
	int			 clue_verify_days; /* -1: not set */
	unsigned char		 hash[32];	/* of the file's bytes */
};

/*
 * Parse settings text (len bytes; `what` names it in messages).  On
 * success *out is the caller's (oset_free).  DS_EPARSE naming the key
 * for anything malformed, DS_ELIMIT past OSET_MAX_BYTES.
 */
enum ds_status	 oset_parse(const char *text, size_t len, const char *what,
		    struct oset **out, struct ds_err *);
/* Read and parse a file; DS_ENOENT when it does not exist. */
enum ds_status	 oset_load(const char *path, struct oset **out,
		    struct ds_err *);
void		 oset_free(struct oset *);

/*
 * Settings for an office without a settings file: the default steps
 * (assess, notice, review, approve) and every number not set.
 */
const struct oset *oset_default(void);

/* The line of a year into *line: 0, or -1 when the settings have none. */
int		 oset_line_get(const struct oset *, int year, double *line);
/* The bands of a year, or NULL. */
const struct oset_band *oset_band_get(const struct oset *, int year);

/*
 * The light of a per-capita income in `year` (guar_problem 1: a
 * 两不愁三保障 or drinking-water problem, red when the settings say so).
 * OSET_LIGHT_NONE when the year has no bands.
 */
int		 oset_light(const struct oset *, int year, double income,
		    int guar_problem);

/* "red", "orange", "yellow", "green"; "" for none.  Back: 0 if unknown. */
const char	*oset_light_str(int);
int		 oset_light_from(const char *);
/* "assess", "notice", "review", "approve"; 0 if unknown. */
const char	*oset_step_str(int);
int		 oset_step_from(const char *);

/*
 * The key a command must name when a number is not set, for track t
 * (0 identification, 1 elimination): "identification.notice_min_days".
 */
const char	*oset_key_notice(int t);

#endif
