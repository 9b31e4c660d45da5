/* doorstep: the instance tree of one interview (layer 4: engine). */
#ifndef DS_INST_H
#define DS_INST_H

/*
 * The answers of one interview as a tree that mirrors the form: the root,
 * groups, repeat sets (one per repeat per enclosing instance), repeat items
 * (the instances of a repeat) and leaves (questions, calculates, metadata).
 *
 *   root ─ kids[i] for form_node kids[i] of the form root
 *   group/item ─ kids[i] for def->kids[i]
 *   set ─ items[0..nitems): INST_ITEM nodes, def = the repeat
 *
 * A group, item or root has exactly def->nkids kids, in form order, so the
 * child for a form node is kids[its position in the parent's kids] (see
 * inst_kidpos, precomputed by the engine).  Values are NUL-terminated
 * strings owned by the node; NULL is the empty answer.  The tree knows
 * nothing about expressions: the engine (eng*.c) gives it meaning.
 */

#include <stddef.h>

#include "form.h"
#include "status.h"

/* Hard limits: a roster bigger than this is a form error, not a survey. */
#define INST_MAX_ITEMS		10000	/* items per repeat set */
#define INST_MAX_VALUE		65536	/* bytes of one answer */

enum inst_kind {
	INST_ROOT,
	INST_GROUP,
	INST_SET,	/* the instances of one repeat under one parent */
	INST_ITEM,	/* one repeat instance */
	INST_LEAF
};

/* Flag bits in inst_node.flags; the engine owns their meaning. */
#define INST_F_IRRELEVANT	0x01	/* own relevant expression is false */
#define INST_F_READONLY		0x02	/* own read_only expression is true */
#define INST_F_QUEUED		0x04	/* in the recompute queue */
#define INST_F_DEFAULTED	0x08	/* default applied (once per node) */
#define INST_F_ANSWERED		0x10	/* set by the worker, not a default */

struct inst_node {
	enum inst_kind		 kind;
	const struct form_node	*def;		/* the repeat for SET and ITEM */
	struct inst_node	*parent;	/* NULL for the root */
	struct inst_node	**kids;		/* ROOT, GROUP, ITEM: def->nkids */
	struct inst_node	**items;	/* SET: the instances */
	size_t			 nitems;
	size_t			 capitems;
	size_t			 pos;		/* index among the parent's kids,
						 * or (ITEM) in the set */
	char			*value;		/* LEAF: answer or NULL */
	char			*reason;	/* LEAF: warning reason or NULL */
	/* Engine: why its relevance, read-only, calculation or count could
	 * not be computed (a runtime error), and why its constraint or
	 * warning could not be checked; NULL when fine.  Owned. */
	char			*rule_err;
	char			*check_err;
	unsigned		 flags;		/* INST_F_* */
	unsigned		 qrank;		/* queue bookkeeping (engine) */
	/* ITEM: its answers as the JSON text eng_to_text writes for it,
	 * kept by the engine; dropped (wiped) by any change of a value or
	 * a roster inside it.  NULL when not made or stale. */
	char			*text;
	size_t			 textlen;
	/* Not a leaf: counts over its subtree, kept by the engine while
	 * kstamp equals its epoch (eng_view.c); inst_touch makes them
	 * stale here and on every node above. */
	unsigned		 kstamp;
	unsigned		 kans, ktot;	/* progress: answered, total */
	unsigned		 kreason;	/* leaves with a warning reason */
	unsigned		 kunconf;	/* answers not yet confirmed */
};

/* Drop the kept text of every item holding n (n included). */
void		 inst_text_drop(struct inst_node *n);
/*
 * Make the kept counts of n and of every node above it stale: call on a
 * change of a leaf's value, reason or flags, or of a roster.
 * inst_value_set, inst_reason_set and the roster calls here do it.
 */
void		 inst_touch(struct inst_node *n);

/*
 * Build the tree for a form: every group, every leaf, and empty sets for
 * repeats.  *out owned by the caller (inst_free).
 */
enum ds_status	 inst_new(const struct form *, struct inst_node **out);

/* Free a subtree (iteratively bounded: depth is the form's depth). */
void		 inst_free(struct inst_node *);

/*
 * Create one item for the set `set` at index `at` (0..nitems), with its
 * groups, leaves and empty nested sets.  Items after it shift up by one and
 * their pos is updated.  DS_ELIMIT past INST_MAX_ITEMS.  The set is
 * unchanged on failure.  *out (may be NULL) borrows the new item.
 */
enum ds_status	 inst_item_insert(struct inst_node *set, size_t at,
		    struct inst_node **out);

/* Remove and free item `at` of `set`; later items shift down. */
void		 inst_item_remove(struct inst_node *set, size_t at);

/*
 * Replace a leaf's value with a copy of s (NULL or "" clears it).
 * DS_ELIMIT past INST_MAX_VALUE; unchanged on failure.
 * *changed (may be NULL) is set to 1 if the stored value differs.
 */
enum ds_status	 inst_value_set(struct inst_node *, const char *s,
		    int *changed);

/* Replace a leaf's warning reason (NULL clears). */
enum ds_status	 inst_reason_set(struct inst_node *, const char *s);

/*
 * The child of a ROOT, GROUP or ITEM for the form node `def`, which must be
 * one of its def's kids; NULL otherwise.
 */
struct inst_node *inst_kid(const struct inst_node *, const struct form_node *);

/* Position of form node `def` in its parent's kids (linear; cached by eng). */
size_t		 inst_kidpos(const struct form_node *);

/*
 * Pre-order successor of n within the tree (kids before siblings), or NULL
 * after the last node.  With skip = 1 the subtree of n is skipped.
 */
struct inst_node *inst_next(const struct inst_node *n, int skip);
/* Pre-order predecessor, or NULL before the root. */
struct inst_node *inst_prev(const struct inst_node *n);

/* Nearest ITEM ancestor-or-self whose def is `rep`, or NULL. */
struct inst_node *inst_item_of(const struct inst_node *n,
		    const struct form_node *rep);

#endif
