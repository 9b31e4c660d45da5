/* doorstep: the headless interview engine (layer 4: engine). */
#ifndef DS_ENG_H
#define DS_ENG_H

/*
 * Two objects:
 *
 *   struct eng_form  a form compiled once: every expression parsed, every
 *                    ${name} resolved, the dependency graph built and
 *                    ordered (cycles are load errors).  Immutable and
 *                    shareable between interviews; it borrows the form,
 *                    which must outlive it.
 *   struct eng       one interview over a compiled form: the instance tree
 *                    (inst.h), a cursor, warning reasons, consent state.
 *                    A pure state machine: every call either succeeds and
 *                    changes the state, or fails with the state unchanged
 *                    and a message in the struct ds_err.
 *
 * Semantics follow ODK Collect (xlsform-xpath.md): required only when
 * relevant, constraint only when non-empty, non-relevant answers kept while
 * filling and dropped at finalize, lowering repeat_count never deletes
 * items, defaults applied once per node.  doorstep extensions: `warning`
 * (a soft check that must hold like a constraint; when it fails the worker
 * confirms the answer with a typed reason, kept in the record) and the
 * consent gate (form setting `consent`).  See docs/engine.md.
 *
 * Paths.  A node is named by a path of its enclosing repeat items and its
 * name: "age" outside repeats, "member[2]/age" (1-based) in a roster,
 * "member[2]/child[1]/cname" nested, "member[2]" for an item, "member" for
 * the repeat set of the current top level.  Paths appear in prompts,
 * issues, jumps and the serialized cursor.
 */

#include <stddef.h>

#include "form.h"
#include "json.h"
#include "status.h"

struct eng_form;
struct eng;
struct inst_node;

/* Limits. */
#define ENG_PATH_MAX		512	/* bytes of a path */
#define ENG_REASON_MAX		1024	/* bytes of a warning reason */

/*
 * Compile a loaded form.  Every problem goes into diags as
 * "file:line: error: [column] message" (bad ${} references, expression
 * syntax errors, unknown functions, cycles with the rows involved,
 * select questions without a list, bad consent/household_key settings);
 * all of them are collected, not only the first.  Returns DS_OK and
 * *out when there are no errors; DS_EPARSE (or DS_ECYCLE when the only
 * errors are cycles) with *out NULL otherwise; DS_ENOMEM.
 * diags may be NULL (then only the status tells).
 */
enum ds_status	 eng_compile(const struct form *, struct eng_form **out,
		    struct form_diags *diags);
void		 eng_form_free(struct eng_form *);
const struct form *eng_form_model(const struct eng_form *);

/* Context the caller supplies for metadata questions. */
struct eng_opts {
	const char	*deviceid;	/* for `deviceid`, may be NULL */
	const char	*username;	/* for `username`, may be NULL */
	const char	*start_geopoint; /* for `start-geopoint`: a gpsd
					 * fix (gpsd.h) or NULL (empty) */
	int		 lang;		/* index into form->langs, -1 default */
};

/*
 * Start a new interview: build the tree, apply defaults, fill start/today/
 * deviceid/username, compute every calculate and relevance, place the
 * cursor on the first prompt.  opts may be NULL.  The eng borrows cf.
 */
enum ds_status	 eng_open(const struct eng_form *cf, const struct eng_opts *,
		    struct eng **out, struct ds_err *);
void		 eng_free(struct eng *);
/*
 * A fix that came after eng_open (gpsd.h: the receiver answered while the
 * interview ran): the empty `start-geopoint` answers take it and what
 * depends on them is computed again, as if it had been in eng_opts.  An
 * answer restored from a saved record is kept.  DS_EEXIST when the
 * engine already has one, DS_ESTATE once finalized; the caller saves.
 */
enum ds_status	 eng_start_geopoint(struct eng *, const char *fix);

/* Display language (index into form->langs; -1 = the form's default). */
void		 eng_set_lang(struct eng *, int lang);

/* ---- Messages ------------------------------------------------------- */

/*
 * What the engine tells the worker is a code and its facts, never text in
 * a language of its own: the edge (the TUI, `doorstep fill`) words it in
 * the worker's one language (docs/engine.md).  A message the form gives
 * (required_message, constraint_message, warning_message) comes as `text`
 * in the display language with its ${} references filled in; the code
 * still says what kind of check it is.
 */
enum eng_msg {
	ENG_MSG_NONE,
	ENG_MSG_REQUIRED,	/* a required question is empty */
	ENG_MSG_CONSTRAINT,	/* the answer fails the question's rule */
	ENG_MSG_WARNING,	/* a soft check fails: confirm with a reason */
	ENG_MSG_RULE,		/* a rule could not be computed: arg is
				 * which (calculation, constraint, ...),
				 * detail the evaluator's reason */
	ENG_MSG_INTEGER,	/* not a whole number */
	ENG_MSG_DECIMAL,	/* not a number */
	ENG_MSG_DATE,		/* not a real YYYY-MM-DD date */
	ENG_MSG_TIME,		/* not HH:MM */
	ENG_MSG_DATETIME,	/* not YYYY-MM-DD HH:MM */
	ENG_MSG_UTF8,		/* text that is not UTF-8 */
	ENG_MSG_NO_OPTION,	/* arg: a name that is not in the list */
	ENG_MSG_OPTION_HIDDEN,	/* arg: a name the choice_filter hides */
	ENG_MSG_CHOICE_TWICE,	/* arg: a name given twice */
	ENG_MSG_CHOOSE_ONE,	/* several names for a select_one */
	ENG_MSG_CONFIRM_OK,	/* an acknowledge takes only OK */
	ENG_MSG_CONSENT_OPEN,	/* the consent gate is not yet yes; arg:
				 * the gate's label (the form's words) */
	ENG_MSG_CONSENT_REFUSED, /* consent refused: nothing more is asked */
	ENG_MSG_FINALIZED,	/* the record is finalized: read-only */
	ENG_MSG_COUNT_FIXED,	/* repeat_count drives the roster: no add */
	ENG_MSG_COUNT_LOWER,	/* remove only items beyond repeat_count */
	ENG_MSG_SURPLUS,	/* n[0] items beyond repeat_count */
	ENG_MSG_ISSUES,		/* finalize refused: n[0] errors, n[1]
				 * warnings without a reason */
	ENG_MSG_FILL,		/* a `fill` document problem: detail */
	ENG_MSG_GEO_FORMAT,	/* a location is not "lat lon [alt [acc]]" */
	ENG_MSG_GEO_LAT,	/* latitude outside -90..90 */
	ENG_MSG_GEO_LON,	/* longitude outside -180..180 */
	ENG_MSG_GEO_ACC,	/* negative accuracy */
	ENG_MSG_GEO_FEW,	/* too few points for a line or an area */
	ENG_MSG_GEO_MANY,	/* too many points */
	ENG_MSG_MEDIA,		/* not an attachment's name: attach a file */
	ENG_MSG_COUNT
};

/* Which part of an ID-card number is wrong (a rule using
 * id-card-valid() fails; GB 11643). */
enum eng_idpart {
	ENG_ID_NONE,
	ENG_ID_LENGTH,		/* n[0]: characters typed (18 wanted) */
	ENG_ID_CHARS,		/* not 17 digits then a digit or X */
	ENG_ID_BIRTH,		/* characters 7-14 are not a real past date */
	ENG_ID_CHECK		/* the check character does not match */
};

/* A fact behind a check: a labelled question it reads, and its answer. */
struct eng_fact {
	const char	*label;
	const char	*value;		/* a choice's label for a select */
};

#define ENG_FACTS_MAX	3

struct eng_note {
	enum eng_msg	 code;
	const char	*text;		/* the form's own message, or NULL */
	const char	*arg;
	const char	*detail;	/* developer text (English), or NULL */
	long		 n[2];
	enum eng_idpart	 id;
	struct eng_fact	 facts[ENG_FACTS_MAX];
	size_t		 nfacts;
};

/*
 * Why the last action on e was refused (ENG_MSG_NONE if it was not, or
 * for a developer error such as an unknown path), and at which question
 * (*path, may be ""; path may be NULL).  Borrowed until the next action.
 */
const struct eng_note *eng_refusal(const struct eng *, const char **path);

#define ENG_RULE_TEXT_MAX	2048	/* bytes of a note worded in full */

/* A note's code in developer words (English, for logs and errors). */
const char	*eng_msg_dev(enum eng_msg);

/* A deep copy of a note (dst's strings owned by dst), and its release. */
enum ds_status	 eng_note_copy(struct eng_note *dst,
		    const struct eng_note *src);
void		 eng_note_free(struct eng_note *);

/* ---- The view model ------------------------------------------------- */

enum eng_prompt_kind {
	EP_QUESTION,	/* one question */
	EP_FIELDLIST,	/* a field-list group: several questions, one screen */
	EP_REPEAT,	/* a roster: the items of one repeat set */
	EP_END		/* after the last question: review and finalize */
};

struct eng_choice {
	const char	*name;		/* stored value */
	const char	*label;		/* in the display language */
	int		 selected;
};

/* One question as shown: every pointer borrowed until the next call. */
struct eng_field {
	char			 path[ENG_PATH_MAX];
	const struct form_node	*node;
	enum form_type		 type;
	const char		*name;
	const char		*label;		/* ${x} references filled in */
	const char		*hint;
	const char		*value;		/* NULL when empty */
	struct eng_choice	*choices;	/* selects: filtered, translated */
	size_t			 nchoices;
	/* What fails now: ENG_MSG_REQUIRED (empty and required; the edge
	 * shows it once the worker tries to go on), _CONSTRAINT or _RULE;
	 * and a failing soft check (ENG_MSG_WARNING), or ENG_MSG_NONE. */
	struct eng_note		 error;
	struct eng_note		 warning;
	const char		*reason;	/* the worker's reason, or NULL */
	int			 readonly;
	int			 required;	/* currently required */
	int			 confirmed;	/* answered or passed by the
						 * worker, not only a default */
	const char		*appearance;
};

struct eng_prompt {
	enum eng_prompt_kind	 kind;
	char			 path[ENG_PATH_MAX];	/* cursor path */
	char			 section[ENG_PATH_MAX];	/* "Members > 2" */
	struct eng_field	*fields;	/* QUESTION: 1; FIELDLIST: n */
	size_t			 nfields;
	/* REPEAT */
	const char		*repeat_label;
	size_t			 nitems;
	long			 count;		/* repeat_count value, -1 none */
	int			 can_add;	/* add/insert allowed */
	/* progress over relevant, answerable questions: answers the worker
	 * gave or confirmed (a default not yet passed does not count) */
	size_t			 answered;
	size_t			 total;
	int			 finalized;
};

/* Progress as the prompt counts it, without building a prompt. */
void		 eng_progress(struct eng *, size_t *answered, size_t *total);

/* The prompt at the cursor.  Borrowed: valid until the next call on e. */
const struct eng_prompt *eng_prompt(struct eng *);

/* ---- Actions -------------------------------------------------------- */

/*
 * Move to the next / previous relevant prompt.  Next refuses to leave a
 * question whose required or constraint check fails (DS_ECONSTRAINT, the
 * message in err) and refuses to pass the consent gate until consent is
 * `yes` (DS_ESTATE).  At the end / beginning the cursor stays (DS_ENOENT).
 */
enum ds_status	 eng_next(struct eng *, struct ds_err *);
enum ds_status	 eng_prev(struct eng *, struct ds_err *);
/* Jump to a path (any relevant prompt; "" or "_end" for the end). */
enum ds_status	 eng_jump(struct eng *, const char *path, struct ds_err *);

/*
 * Answer the question at `path` (NULL: the question at the cursor) with the
 * text s: NULL or "" clears.  Type check (integer, decimal, date YYYY-MM-DD,
 * time HH:MM[:SS], dateTime, select names valid in the filtered list,
 * select_multiple space-separated names), then the constraint when
 * non-empty.  DS_ETYPE / DS_ECONSTRAINT leave the old value; DS_ESTATE for
 * read-only or non-relevant questions, a closed consent gate or a finalized
 * record; DS_ENOENT for an unknown path.  On success dependants are
 * recomputed; a failing warning does not refuse (see the prompt).
 * The stored text is normalised (e.g. "07:05" -> "07:05:00").
 */
enum ds_status	 eng_set(struct eng *, const char *path, const char *s,
		    struct ds_err *);

/*
 * An answer saved as it was taken, replayed on the record it was taken
 * on (sess.c's draft deltas): stored as a restore stores a saved answer,
 * without the type, option, constraint, relevance or gate checks it
 * passed then, and its dependants recomputed.  DS_ENOENT for an unknown
 * path, DS_ESTATE once finalized.
 */
enum ds_status	 eng_replay(struct eng *, const char *path, const char *s,
		    struct ds_err *);

/*
 * 1 if eng_set(path, s) would take s (type, options, constraint), with
 * nothing stored or refused.
 */
int		 eng_would_take(struct eng *, const char *path, const char *s);

/*
 * Confirm the failing warning at `path` with a reason (1..ENG_REASON_MAX
 * bytes; NULL clears).  DS_ESTATE when no warning fails there.  A reason
 * is dropped when the answer changes.
 */
enum ds_status	 eng_reason(struct eng *, const char *path,
		    const char *reason, struct ds_err *);

/*
 * Repeats.  `set` is the path of a repeat set ("member", or
 * "member[1]/child" nested).  Add appends; insert puts a new item before
 * 0-based index `at`; remove deletes item `at`.  With repeat_count the
 * count drives the roster: add/insert give DS_ESTATE, and remove is only
 * allowed for surplus items (more items than the count; Collect never
 * deletes them by itself, xlsform-xpath.md §13.11).  The cursor moves to
 * the new item, or stays on the roster after a remove.
 */
enum ds_status	 eng_repeat_add(struct eng *, const char *set,
		    struct ds_err *);
enum ds_status	 eng_repeat_insert(struct eng *, const char *set, size_t at,
		    struct ds_err *);
enum ds_status	 eng_repeat_remove(struct eng *, const char *set, size_t at,
		    struct ds_err *);

/*
 * Re-run the calculations and conditions that use now(), today() or
 * random() (and their dependants), as ODK does on save and finalize
 * (xlsform-xpath.md §12); once() keeps a value it has.  sess.c calls it
 * before every save, eng_finalize before its checks.
 */
enum ds_status	 eng_refresh(struct eng *);

/* ---- Review and finalize -------------------------------------------- */

struct eng_issue {
	char		 path[ENG_PATH_MAX];
	const char	*name;		/* question name */
	int		 is_error;	/* 0: open warning (needs a reason) */
	struct eng_note	 note;		/* strings owned by the issue */
	int		 line;		/* form source line */
};

/*
 * Every blocking error (required, constraint, type, surplus roster items,
 * closed consent) and every open warning, in form order.  *out owned by
 * the caller: eng_issues_free(v, n).
 */
enum ds_status	 eng_issues(struct eng *, struct eng_issue **out, size_t *n,
		    size_t *nerrors);
void		 eng_issues_free(struct eng_issue *, size_t);
/* How many issues eng_issues would list, and how many of them are errors,
 * without building the list (no note, path or message). */
void		 eng_issue_counts(struct eng *, size_t *n, size_t *nerrors);

/*
 * Finalize: refused (DS_ECONSTRAINT, with the first issue in err) while any
 * error or open warning remains.  Then drops non-relevant answers (and,
 * after a refused consent, everything after the consent group), sets
 * `end`, and freezes the record: later actions give DS_ESTATE.
 */
enum ds_status	 eng_finalize(struct eng *, struct ds_err *);
int		 eng_is_finalized(const struct eng *);

/* Consent: -1 no gate in the form, 0 not answered, 1 yes, 2 refused. */
int		 eng_consent(const struct eng *);

/* ---- Serialization -------------------------------------------------- */

/*
 * The answers as a JSON object keyed by question name (groups flattened),
 * repeats as arrays of such objects, select_multiple as arrays of choice
 * names, every other answer as a string; empty answers omitted.  The
 * reserved key "_meta" holds form id and version, state, cursor path,
 * warning reasons by path, and the caller's extra metadata (consent
 * evidence).  *out is a new reference.
 */
enum ds_status	 eng_to_json(struct eng *, json_t **out, struct ds_err *);

/*
 * The same document as canonical JSON text: byte for byte what
 * ds_json_canonical(eng_to_json()) gives, written straight from the tree
 * (no JSON object is built).  With ENG_TEXT_NO_CURSOR, _meta leaves out
 * "path" and "unconfirmed": what a move changes, for comparing two states
 * answer by answer.  *out is the caller's (wipe, then ds_free).
 */
#define ENG_TEXT_NO_CURSOR	0x1
/*
 * Both at once: the whole text (*out), and the same without the cursor
 * (*cmp, made by cutting those two members out of the first).
 */
enum ds_status	 eng_to_texts(struct eng *, char **out, size_t *len,
		    char **cmp, size_t *cmplen, struct ds_err *);
/*
 * A number that changes whenever an answer, a reason, the caller's
 * metadata, a flag or a roster changes (not when only the cursor moves):
 * equal numbers mean equal documents but for the cursor.
 */
unsigned long	 eng_generation(const struct eng *);
/*
 * A number that changes whenever a calculation that uses once(), now(),
 * today(), random() or uuid() changes value: an answer that moved it
 * cannot be replayed (eng_replay) to the same document, so the session
 * saves the whole record instead of the answer alone.
 */
unsigned long	 eng_sticky_generation(const struct eng *);
/* The cursor's path as _meta.path gives it ("_end" at the end). */
void		 eng_cursor_path(struct eng *, char *buf, size_t n);
enum ds_status	 eng_to_text(struct eng *, int flags, char **out,
		    size_t *len, struct ds_err *);

/*
 * Restore an interview from eng_to_json output: same answers, reasons,
 * cursor and state.  Values are loaded as stored (drafts may hold answers
 * that fail checks), then everything is recomputed.
 */
enum ds_status	 eng_restore(const struct eng_form *, const struct eng_opts *,
		    const json_t *, struct eng **out, struct ds_err *);

/*
 * Apply a `fill` answers document (same shape, "_meta" optional: "reasons"
 * by path is honoured) through eng_set and the repeat actions, in form
 * order, collecting every problem as issues instead of stopping at the
 * first.  Returns DS_OK if every answer was accepted.
 */
enum ds_status	 eng_apply_answers(struct eng *, const json_t *,
		    struct eng_issue **out, size_t *n);

/* Extra metadata kept under "_meta": borrowed reference, may be NULL. */
enum ds_status	 eng_meta_set(struct eng *, const char *key, json_t *);
json_t		*eng_meta_get(const struct eng *, const char *key);

/* Record label (instance_name) and household key, new strings or NULL. */
char		*eng_instance_name(struct eng *);
char		*eng_household_key(struct eng *);

/*
 * Non-empty answers of question `name` in every instance (document order),
 * at most max, borrowed until the next call that changes answers.
 */
size_t		 eng_answers_of(struct eng *, const char *name,
		    const char **out, size_t max);

/*
 * A repeat set by path ("member"): its label without what its items'
 * answers fill in ("Member ${m_name}" -> "Member"; NULL if no label or
 * no such set; borrowed until the next call), and whether repeat_count
 * gives its number of items.
 */
const char	*eng_repeat_label(struct eng *, const char *set);
int		 eng_repeat_counted(struct eng *, const char *set);

/*
 * A node's label or hint in the display language with its ${} references
 * filled in from the node's own place (nothing for an unanswered one):
 * for views of the whole form (the outline).  Borrowed until the next
 * eng_prompt().
 */
const char	*eng_node_label(struct eng *, const struct inst_node *);
/* The same by path (NULL for an unknown path). */
const char	*eng_path_label(struct eng *, const char *path);

/* Low-level access for tools and tests. */
struct inst_node *eng_root(const struct eng *);
/*
 * The path of a node as eng_jump and eng_set take it ("member[2]/m_name",
 * items counted from 1) into buf.  DS_ELIMIT when it does not fit.
 */
enum ds_status	 eng_path_fmt(const struct inst_node *, char *buf, size_t n);
const char	*eng_value(struct eng *, const char *path);
/* The form type of the question at path (enum form_type), -1 if none. */
int		 eng_path_type(struct eng *, const char *path);

#endif
