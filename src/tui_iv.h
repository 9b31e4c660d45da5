/* doorstep: the open interview as the TUI screens see it (layer 9: tui). */
#ifndef DS_TUI_IV_H
#define DS_TUI_IV_H

/*
 * One interview is open at a time: the engine plus the record it saves
 * into (the session layer).  Every call that changes an answer saves a new
 * revision before it returns DS_OK; a failure leaves the interview where it
 * was, with the engine's or the store's message in err.  The screens draw
 * from tui_iv_prompt(), which is borrowed until the next tui_iv_* call.
 */
#include <stdint.h>

#include "eng.h"
#include "status.h"

/* Resume the record `id` (drafts at their saved question; finalized
 * records read-only), or start a new one with the installed form. */
enum ds_status	 tui_iv_resume(const unsigned char id[16], struct ds_err *);
enum ds_status	 tui_iv_new(const char *form_id, struct ds_err *);
/*
 * Start a visit from the office's list, a correction or 再访
 * (sync/fetch.h): a new record with the household's keys, the consent on
 * file and the carried answers, saved at once (an entry is linked to it).
 * Carried answers behind a closed consent gate come once it opens.
 */
struct fetch_visit;
enum ds_status	 tui_iv_visit(const struct fetch_visit *, struct ds_err *);
/*
 * 1 while the answer at path is the one carried from the last visit and
 * the worker has neither changed nor kept it (Enter on it: _keep, noted
 * in _meta.carried_kept and saved at once).
 */
int		 tui_iv_carried(const char *path);
void		 tui_iv_carried_keep(const char *path);
/* "Consent on file (letter K7M2-Q9XD of 2026-11-03, signed): ..." or
 * "" into buf, returned. */
const char	*tui_iv_consent_on_file(char *buf, size_t n);
/* The twin warning (sess_twins) in the worker's words, or "". */
const char	*tui_iv_twins(char *buf, size_t n);
/* Save the revisions of records left with deltas; the number made. */
size_t		 tui_iv_compact(void);
int		 tui_iv_open_p(void);	/* 1 while an interview is open */
struct eng	*tui_iv_eng(void);
const struct eng_prompt *tui_iv_prompt(void);

enum ds_status	 tui_iv_set(const char *path, const char *value,
		    struct ds_err *);
/*
 * Attach the file at `file` to the media question at path, and save
 * (sess_attach).  words gets what happened, done or refused, in the
 * worker's language.
 */
enum ds_status	 tui_iv_attach(const char *path, const char *file,
		    char *words, size_t n, struct ds_err *);
enum ds_status	 tui_iv_reason(const char *path, const char *reason,
		    struct ds_err *);
enum ds_status	 tui_iv_next(struct ds_err *);
enum ds_status	 tui_iv_prev(struct ds_err *);
enum ds_status	 tui_iv_jump(const char *path, struct ds_err *);
enum ds_status	 tui_iv_repeat_add(const char *set, struct ds_err *);
enum ds_status	 tui_iv_repeat_insert(const char *set, size_t at,
		    struct ds_err *);
enum ds_status	 tui_iv_repeat_remove(const char *set, size_t at,
		    struct ds_err *);
enum ds_status	 tui_iv_finalize(struct ds_err *);
/* The loaded form, and the display language (index into its langs). */
const struct form *tui_iv_form(void);
int		 tui_iv_lang(void);
/* Toggle the form language between Chinese and English. */
void		 tui_iv_lang_toggle(void);
/* 1 once the record is finalized (read-only). */
int		 tui_iv_finalized(void);

/*
 * A failed tui_iv_* call in the worker's words: the engine's refusal
 * worded in the app language (a form's own message as it is), else
 * err->msg (a save that failed, already worded).  Borrowed until the
 * next call.  The refusal's question and code, for the screen.
 */
const char	*tui_iv_words(const struct ds_err *);
const char	*tui_iv_refusal_path(void);
enum eng_msg	 tui_iv_refusal_code(void);

/*
 * Who a path inside a roster item is about, for lists that mix members:
 * "Li Xiaohong (no. 4)" from the item's first text answer, "no. 4"
 * without one; "" outside rosters.  Into buf, returned.
 */
const char	*tui_iv_who(const char *path, char *buf, size_t n);
/* The same for item `at` (0-based) of the roster `set`. */
const char	*tui_iv_who_item(const char *set, size_t at, char *buf,
		    size_t n);

/* A roster by set path: its label (references into its items left
 * out; the set's name without one) and whether repeat_count drives it. */
const char	*tui_iv_repeat_label(const char *set);
int		 tui_iv_repeat_counted(const char *set);

/* Save state for the header: 1 saved (at *when), 0 not yet, -1 failed. */
int		 tui_iv_saved(int64_t *when);
/*
 * The title of form f in the app's language: the setting
 * "form_title::LANGUAGE" when the form gives one (a doorstep extension:
 * XLSForm's title has no translations), else form_title, else the id.
 */
const char	*tui_iv_form_title(const struct form *f);
/* Form title, household label ("" if none): borrowed. */
const char	*tui_iv_title(void);
const char	*tui_iv_household(void);
/* Short code to write on the paper consent letter ("K7M2-Q9XD"). */
const char	*tui_iv_record_code(void);
/*
 * The repeat set of the innermost roster item on `path` ("member[2]/age"
 * -> "member", item 1, 0-based).  -1 if the path is in no roster.
 */
int		 tui_iv_repeat_of(const char *path, char *set, size_t n,
		    size_t *item);
/* 1 if `name` is the form's consent gate question. */
int		 tui_iv_is_consent(const char *name);
/*
 * A receiver's fix that came after the record started (tui_gps.c): the
 * record's start location, saved at once when the record is already on
 * disk, else with its first save.  0 if taken, -1 if not (the record is
 * finalized or has one): nothing to say then.
 */
int		 tui_iv_start_geopoint(const char *fix);
void		 tui_iv_close(void);

#endif
