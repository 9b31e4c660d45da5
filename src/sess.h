/* doorstep: an interview session = engine + store (layer 7: session). */
#ifndef DS_SESS_H
#define DS_SESS_H

/*
 * A session drives one household record: every accepted action (answer,
 * reason, roster change, consent, finalize) is saved at once, in one
 * transaction, so a crash loses at most the answer being typed (style.md
 * §30).  An answer or reason on a saved draft is kept as one sealed delta
 * (store_delta_add: its cost does not grow with the record); the rest,
 * and sess_flush, finalizing and every few answers, save a new revision
 * through store_save(), which then holds the deltas.  A refused action
 * saves nothing and changes nothing.  A move is recorded by sess_move(): only
 * the sealed cursor (store_cursor_set), no revision and no outbox row,
 * unless answers changed; every revision also carries its cursor.
 *
 * The session borrows the store and the compiled form (both must outlive
 * it) and owns its engine.  Summary fields for the household list come
 * from the form: the label is the form's instance_name; the settings
 * `head_name` and `village` (doorstep extensions) name the questions shown
 * as head and village; the household key is the `household_key` setting;
 * the setting `id_numbers` names the question(s) (space-separated) whose
 * answers are indexed as ID-card numbers (every roster item counts).
 */

#include <stddef.h>
#include <stdint.h>

#include "eng.h"
#include "status.h"
#include "store.h"

struct sess;

/* Start a new record (nothing is written until the first accepted action). */
enum ds_status	 sess_new(struct store *, const struct eng_form *,
		    const struct eng_opts *, struct sess **out,
		    struct ds_err *);

/*
 * Resume a record at its current revision: answers and reasons as saved,
 * the cursor from the last sess_move() on that revision if any (a
 * damaged cursor blob falls back to the revision's own cursor), else the
 * revision's, and the answers kept as deltas since replayed in order;
 * records an "opened" audit event.  DS_ECONFLICT if the record was saved
 * with another form id.
 */
enum ds_status	 sess_resume(struct store *, const struct eng_form *,
		    const struct eng_opts *,
		    const unsigned char id[STORE_ID_BYTES], struct sess **out,
		    struct ds_err *);
/* The same without the "opened" event: to read what was saved. */
enum ds_status	 sess_peek(struct store *, const struct eng_form *,
		    const struct eng_opts *,
		    const unsigned char id[STORE_ID_BYTES], struct sess **out,
		    struct ds_err *);
/*
 * A record left with deltas (the program ended without sess_flush):
 * resume it without an "opened" event and save the revision that holds
 * them, so the list, the search and the office see them.
 */
enum ds_status	 sess_compact(struct store *, const struct eng_form *,
		    const struct eng_opts *,
		    const unsigned char id[STORE_ID_BYTES], struct ds_err *);

void		 sess_free(struct sess *);

/* The engine, for prompts and navigation (do not change answers through
 * it directly: they would not be saved). */
struct eng	*sess_eng(struct sess *);
const unsigned char *sess_id(const struct sess *);
/* Revisions saved so far by this record (0 before the first save). */
int64_t		 sess_rev_no(const struct sess *);

/* Actions: the engine call, then a save.  On a failed save the engine
 * state is rolled back to the last saved one, so screen and disk agree. */
enum ds_status	 sess_set(struct sess *, const char *path, const char *s,
		    struct ds_err *);
enum ds_status	 sess_reason(struct sess *, const char *path,
		    const char *reason, struct ds_err *);
enum ds_status	 sess_repeat_add(struct sess *, const char *set,
		    struct ds_err *);
enum ds_status	 sess_repeat_insert(struct sess *, const char *set,
		    size_t at, struct ds_err *);
enum ds_status	 sess_repeat_remove(struct sess *, const char *set,
		    size_t at, struct ds_err *);
/*
 * The record's problem counts (the list's errors and warnings) are made
 * by the session's first save and then not on every answer (a large
 * roster would count them all each time): sess_flush brings the record
 * row's summary up to date, without a new revision, when the interview
 * is left; if answers were kept as deltas it saves the revision that
 * holds them, with those counts.  DS_OK when there was nothing to do.
 */
enum ds_status	 sess_flush(struct sess *, struct ds_err *);
/* Save a full revision now (a record with no answers yet, or `fill`). */
enum ds_status	 sess_save(struct sess *, struct ds_err *);
/*
 * After a navigation (eng_next / eng_prev / eng_jump on sess_eng()): if
 * the answers equal the last saved revision's, store only the cursor, so
 * resume lands here and nothing new travels to the office; if they
 * differ, or nothing is saved yet, save a full revision as sess_save().
 * A failed cursor save changes nothing in the engine.
 */
enum ds_status	 sess_move(struct sess *, struct ds_err *);

/*
 * Other records on this laptop that look like this household entered
 * twice: the same form, the same household key (through its blind index),
 * and a visit_date in the same month (any month when either has none),
 * unless one corrects the other (_meta.corrects names it).  Separate
 * monthly visits of a household are not twins.  Meant after a save (the
 * `fill` warning; the TUI can show it as a status).  Up to max record ids,
 * newest save first, into out; *n the number found, at most max.  A record
 * without a household key has none.
 */
#define SESS_TWINS_MAX	8
enum ds_status	 sess_twins(struct sess *,
		    unsigned char (*out)[STORE_ID_BYTES], size_t max,
		    size_t *n, struct ds_err *);

/*
 * Consent evidence, kept in the record under _meta.consent: BLAKE2b-256 of
 * the letter text as shown (hex), its language, the time, the worker, the
 * method ("signed", "proxy", "refused", ...), who signed, and for a
 * refusal why (never in the signer's place).  Saved at once.
 */
struct sess_consent {
	const char	*letter;	/* the full letter text shown */
	const char	*language;
	const char	*worker;
	const char	*method;
	const char	*signer;	/* who signed; NULL on a refusal */
	const char	*relation;	/* signer's relation to the head */
	const char	*reason;	/* a refusal: why, as recorded */
};
enum ds_status	 sess_consent(struct sess *, const struct sess_consent *,
		    struct ds_err *);

/* Finalize in the engine (refused while issues remain) and save as
 * finalized. */
enum ds_status	 sess_finalize(struct sess *, struct ds_err *);

#endif
