/* doorstep: what an imported revision does to its case (sync layer). */
#ifndef DS_CASE_HOOK_H
#define DS_CASE_HOOK_H

/*
 * The importer (imp.c, store()) works a bundle's case at a time, inside
 * its transaction (docs/case.md "Import"): case_batch_begin, then
 * case_on_rev for every revision it stores for the first time, with its
 * plaintext answers, then case_batch_end:
 *   1. a visit row from _meta and the answers (household key `hh_id`,
 *      else _meta.hh_key for a refused or not-reached visit from a list),
 *      its light from the connection's settings (odb_case_settings);
 *   2. the household (created if unknown), its members' ID numbers as
 *      blind indexes, unmatched clues that now match;
 *   3. a finalized visit with consent (given, or on file) closes the
 *      household's open clues dated on or before it; the visit-list entry
 *      named by _meta.entry becomes done (its clue closes with it when the
 *      visit verified the household; a refused or not-reached visit
 *      leaves clues open);
 *   4. a finalized, consented visit proposing a category for a household
 *      not monitored starts identification (without an open clue it is
 *      itself the clue: channel from its `channel` answer); `el_done` =
 *      yes on a monitored household starts elimination;
 *   5. `has_*` = yes with no active measure of the type adds one (source
 *      visit); `has_*` = no stops the visit-made measures of the type;
 *   6. (case_batch_end, once per household of the bundle, in key order)
 *      the household's row: the facts of its latest visit (step 2), its
 *      light and state recomputed, written in one statement.
 * Steps 1-5 run revision by revision, in the bundle's order; the
 * household's row, which none of them reads, is written once at the end
 * with what every revision of the bundle made of it, in that order.
 * A revision without a usable household key, or of a deleted record,
 * changes nothing.  Ids made here are derived from the record, so a
 * revision imported again (or another revision of the same record)
 * adds nothing twice.
 */
#include <stddef.h>

#include "bundle.h"
#include "odb.h"
#include "oset.h"
#include "status.h"

struct case_batch;

/* A batch for at most nrevs revisions; free with case_batch_free. */
enum ds_status	 case_batch_begin(struct odb *, size_t nrevs,
		    struct case_batch **, struct ds_err *);
enum ds_status	 case_on_rev(struct odb *, struct case_batch *,
		    const struct bundle_rev *,
		    const unsigned char device_id[16], struct ds_err *);
/* Step 6 for each household the batch's revisions touched. */
enum ds_status	 case_batch_end(struct odb *, struct case_batch *,
		    struct ds_err *);
/* Wipes the names and numbers it kept; NULL is a no-op. */
void		 case_batch_free(struct case_batch *);

/*
 * The light of one answers JSON text (per-capita income `pc_line`, else
 * `per_capita`; `guar_problem`; the year of `visit_date`) under set:
 * enum oset_light, OSET_LIGHT_NONE without bands or income.
 */
int		 case_answers_light(const struct oset *, const char *answers,
		    size_t len);

#endif
