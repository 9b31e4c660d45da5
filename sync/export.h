/* doorstep: export of the current heads as CSV or XLSX. */
#ifndef DS_EXPORT_H
#define DS_EXPORT_H

/*
 * One row per household member (the repeat, "member" by default) with the
 * household's columns repeated, plus a households sheet with one row per
 * household.  Columns: record id, household key, form and version,
 * revision, worker, saved time, then every household answer name and
 * every member answer name, each set sorted by name, so the same database
 * gives byte-equal CSV.  Select-multiple answers are joined with spaces;
 * "_meta" (session state) is left out.  CSV is UTF-8 with a BOM (Excel
 * reads Chinese correctly); cells that would start a formula get a leading
 * apostrophe.  CSV writes PATH (members) and PATH's stem + "-households.csv";
 * XLSX writes one workbook with two sheets.  Files are written to a temp
 * name, fsynced, renamed and the directory fsynced.
 */
#include <stddef.h>

#include "odb.h"
#include "status.h"

enum export_format {
	EXPORT_CSV,
	EXPORT_XLSX
};

struct export_stats {
	size_t	households, members;
	char	households_path[4096];
};

enum ds_status	 export_heads(struct odb *, enum export_format,
		    const char *path, const char *repeat,
		    struct export_stats *, struct ds_err *);

#endif
