/* doorstep: exports of the current heads for clerks and analysts. */
#ifndef DS_EXPORT_H
#define DS_EXPORT_H

/*
 * Two tables linked by household key: households (one row per record:
 * the record columns, then every household answer) and members (one row
 * per item of the member repeat: record id, household key, member number,
 * then the member answers), plus a codebook (every variable, its label and
 * type, and each choice's code and label).
 *
 * With a form, columns follow the form's order and carry its labels in the
 * chosen language; select answers become choice labels (codes with
 * `codes`), integer and decimal answers numbers, dates dates.  Answers the
 * form does not know follow, sorted by name, as stored.  Without a form,
 * columns are answer names sorted, values as stored.
 *
 *   CSV   PATH (households), STEM-members.csv, STEM-codebook.csv: UTF-8 with
 *         a BOM (Excel reads Chinese), CRLF, a label row then a name row
 *         (names only without a form); a cell that would start a formula
 *         gets a leading apostrophe.
 *   XLSX  one workbook: households, members, codebook; label row, name
 *         row, frozen; numbers and dates as XLSX numbers and dates.
 *   DTA   Stata 14+ (format 118, UTF-8) through ReadStat: PATH and
 *   SAV   STEM-members.dta; SPSS .sav likewise.  Variable labels; select
 *         one answers coded 1..n in choice order with value labels (as
 *         strings with `codes`); dates as Stata %td / SPSS DATE11.
 *
 * The same database and options give the same bytes (CSV; XLSX and the
 * others carry no clock either).  Every file is written to a temp name
 * created 0600, fsynced, renamed, the directory fsynced: mode 0600 whatever
 * the umask.  Nothing here prints; the words that are not the form's
 * (record column titles, sheet names, codebook titles) come from the
 * caller in the user's language.
 */
#include <stddef.h>

#include "odb.h"
#include "status.h"

enum export_format {
	EXPORT_CSV,
	EXPORT_XLSX,
	EXPORT_DTA,
	EXPORT_SAV
};

#define EXPORT_NMETA	7	/* record id, household key, form, version,
				   revision, worker, saved at */
#define EXPORT_NBOOK	6	/* codebook: table, name, label, type, code,
				   code label */

/* The caller's words, in the user's language; NULL entries use the names. */
struct export_words {
	const char	*meta[EXPORT_NMETA];
	const char	*member_no;		/* "member no." */
	const char	*sheet[3];		/* households, members, codebook */
	const char	*book[EXPORT_NBOOK];
};

struct form;

struct export_opts {
	enum export_format		 fmt;
	const char			*path;
	const char			*repeat;	/* NULL: "member" */
	const struct form		*form;		/* NULL: names, raw */
	const char			*lang;		/* "zh" or "en" */
	int				 codes;		/* raw choice codes */
	const struct export_words	*words;		/* may be NULL */
};

struct export_stats {
	size_t	households, members;
	char	members_path[4096];	/* "" when in the same file (XLSX) */
	char	codebook_path[4096];	/* "" when inside the file */
	size_t	media;			/* attached files written */
	char	media_dir[4096];	/* STEM-media, "" when none */
};

enum ds_status	 export_heads(struct odb *, const struct export_opts *,
		    struct export_stats *, struct ds_err *);

#endif
