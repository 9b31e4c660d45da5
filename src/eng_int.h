/* doorstep: engine internals shared by eng*.c (layer 4: engine). */
#ifndef DS_ENG_INT_H
#define DS_ENG_INT_H

#include <stddef.h>

#include "buf.h"
#include "eng.h"
#include "expr.h"
#include "form.h"
#include "inst.h"
#include "status.h"

#define INST_NAME_MAX	256	/* bytes of a choice or question name */
#define INST_F_TRIG	0x20	/* inst flag: enqueued by its trigger */
#define INST_F_RULE_CALC 0x40	/* inst flag: rule_err is its calculation's */

/* Expression columns of a node, compiled. */
enum eng_xk {
	EX_RELEVANT,
	EX_CALC,
	EX_READONLY,
	EX_COUNT,	/* repeat_count */
	EX_REQUIRED,
	EX_CONSTRAINT,
	EX_WARNING,
	EX_FILTER,	/* choice_filter */
	EX_DEFAULT,	/* dynamic default */
	EX_NKIND
};

/* The answers and rosters one JSON object holds, groups flattened, in
 * the order of their names' bytes (eng_json.c). */
struct eng_scope {
	const struct form_node	**defs;
	char			**keys;	/* each name as `"name":` */
	size_t			 *klen;
	size_t			  n;
	int			  made;
};

/* An edge of the dependency graph: `to` reads the node it leaves. */
struct eng_edge {
	size_t			 to;	/* node index of the dependant */
	const struct form_node	*lca;	/* deepest repeat holding both, or
					 * NULL: where to anchor instances */
};

struct eng_edges {
	struct eng_edge	*v;
	size_t		 n;
	size_t		 cap;
};

struct eng_bind {
	const struct form_node	*node;
	struct expr		*x[EX_NKIND];
	const struct form_node	*rep;	/* nearest repeat strictly above */
	size_t			 kidpos;/* position in the parent's kids */
	unsigned		 rank;	/* topological order (eager only) */
	int			 eager;	/* relevant, calc, readonly, count */
	int			 uses_pos;
	int			 is_static_default;
	const struct form_node	*trigger;
	/* choice_filter of the form `column = ${q}`: compared directly */
	char			*filt_col;
	const struct form_node	*filt_ref;
	struct eng_edges	 out;	/* value dependants */
	struct eng_edges	 sout;	/* repeat: structural dependants */
	size_t			*posusers; /* repeat: defs inside it that use
					    * position() (node indices) */
	size_t			 nposusers;
};

struct eng_form {
	const struct form	*f;
	struct eng_bind		*b;		/* f->nnodes */
	const struct form_node	*consent;	/* gate question or NULL */
	size_t			 gate_end;	/* last node index the gate
						 * leaves open */
	const struct form_node	*hhkey;
	struct expr		*instance_name;
	size_t			*volatiles;	/* nodes whose eager expressions
						 * use now(), today(), random() */
	size_t			 nvolatiles;
};

/* Filtered choices of one select, valid while gen and lang match. */
#define ENG_CHOICE_CACHE	8
struct eng_choice_cache {
	const struct inst_node	*n;
	unsigned long		 gen;
	int			 lang;
	size_t			*idx;
	size_t			 nidx;
};

/* A binary heap of inst nodes keyed by their def's rank. */
struct eng_queue {
	struct inst_node	**v;
	size_t			 n;
	size_t			 cap;
};

struct eng {
	const struct eng_form	*cf;
	const struct form	*f;
	struct inst_node	*root;
	struct inst_node	*cur;		/* NULL: the end */
	int			 lang;
	int			 finalized;
	int			 full;		/* full recompute in progress */
	int			 oom;		/* allocation failed in the queue */
	char			*deviceid;
	char			*username;
	char			*start_geopoint;	/* eng_opts, or NULL */
	json_t			*meta;		/* caller's extra _meta keys */
	struct eng_queue	 q;
	struct expr_rng		 rng;
	struct ds_buf		 tmp;		/* scratch, capped */
	struct ds_buf		 tmp2;
	/* the prompt and the strings it borrows */
	struct eng_prompt	 prompt;
	char			**arena;
	size_t			 narena;
	size_t			 caparena;
	struct ds_err		 everr;		/* last evaluation error */
	unsigned long		 gen;		/* bumped on every change of a
						 * value, flag or roster */
	unsigned long		 sticky_gen;	/* bumped when a calculation
						 * with once(), now(), today(),
						 * random() or uuid() changes */
	struct inst_node	*consent_node;	/* the gate's answer, or NULL
						 * (never in a roster) */
	/* eng_to_text: the keys of each object scope (the root, a repeat)
	 * in byte order, made at first use; by the scope's node index */
	struct eng_scope	*scopes;
	/* the counts each node keeps (inst_node.kstamp, eng_view.c): valid
	 * while a node's kstamp is kepoch, which moves when the consent
	 * state they were counted under (kcons) changes */
	unsigned		 kepoch;
	int			 kcons;
	struct eng_choice_cache	 cc[ENG_CHOICE_CACHE];
	unsigned		 ccnext;
	/* the last refusal (eng_refusal, eng_msg.c) */
	struct eng_note		 rnote;
	char			 rpath[ENG_PATH_MAX];
	char			 rarg[INST_NAME_MAX];
	char			*rtext;		/* owned */
};

/* eng_type.c: on DS_ETYPE *why says what is wrong */
enum ds_status	 eng_type_norm(enum form_type, const char *s,
		    struct ds_buf *out, enum eng_msg *why, struct ds_err *);

/* eng_msg.c */
/* s with each ${name} replaced by that answer as shown (a select's
 * label; nothing when unanswered); kept in the arena. */
const char	*eng_fill_refs(struct eng *, const struct inst_node *,
		    const char *s);
/* The note of a check of n (REQUIRED, CONSTRAINT, WARNING, RULE): the
 * form's message, facts, ID part; strings in the arena. */
void		 eng_note_check(struct eng *, const struct inst_node *n,
		    enum eng_msg, struct eng_note *out);
/* Record a refusal (eng_refusal) and set err to st with developer
 * text; returns st.  n (may be NULL) is the question refused. */
enum ds_status	 eng_refuse(struct eng *, struct ds_err *, enum ds_status,
		    const struct inst_node *n, enum eng_msg, const char *arg);
void		 eng_refuse_id(struct eng *, const struct inst_node *,
		    const char *value);
void		 eng_refusal_clear(struct eng *);
enum eng_idpart	 eng_id_diagnose(const char *s, long *len);

/* eng_env.c: evaluation of a node's expressions */
void		 eng_env_make(struct eng *, struct expr_env *,
		    const struct inst_node *context);
struct expr_node eng_hnode(const struct inst_node *);
enum ds_status	 eng_eval_bool(struct eng *, const struct expr *,
		    const struct inst_node *ctx, int *out);
enum ds_status	 eng_eval_str(struct eng *, const struct expr *,
		    const struct inst_node *ctx, char **out);
enum ds_status	 eng_eval_num(struct eng *, const struct expr *,
		    const struct inst_node *ctx, double *out);
/* Is choice c of list l allowed by n's choice_filter? */
int		 eng_choice_ok(struct eng *, const struct inst_node *n,
		    const struct form_list *, size_t c);
/* Instances of def as ${name} gives them from `from` (all: every item). */
enum ds_status	 eng_resolve(struct eng *, const struct inst_node *from,
		    const struct form_node *def, int all,
		    struct expr_nodes *out);
enum ds_status	 eng_descend_chain(struct eng *, const struct inst_node *,
		    const struct form_node *const *chain, size_t nc,
		    struct expr_nodes *out);
/*
 * Indices of the choices of list l that n's choice_filter allows, in list
 * order; borrowed from the engine's cache until the next change.  NULL
 * (with *np 0) on ENOMEM.
 */
const size_t	*eng_choices(struct eng *, const struct inst_node *n,
		    const struct form_list *l, size_t *np);
void		 eng_choice_cache_clear(struct eng *);
/* First node ${name} gives from n, or NULL. */
struct inst_node *eng_ref1(struct eng *, const struct inst_node *from,
		    const struct form_node *def);

/* eng.c */
int		 eng_relevant(const struct inst_node *);
int		 eng_readonly(const struct eng *, const struct inst_node *);
int		 eng_blocked(const struct eng *, const struct inst_node *);
int		 eng_answerable(enum form_type);
void		 eng_enqueue(struct eng *, struct inst_node *);
void		 eng_enqueue_deps(struct eng *, struct inst_node *changed,
		    const struct eng_edges *);
enum ds_status	 eng_run(struct eng *);
enum ds_status	 eng_check_expr(struct eng *, struct inst_node *,
		    enum eng_xk, int *ok);
enum ds_status	 eng_new_empty(const struct eng_form *,
		    const struct eng_opts *, struct eng **out);
enum ds_status	 eng_compute_all(struct eng *, int defaults);
enum ds_status	 eng_set_node(struct eng *, struct inst_node *,
		    const char *s, struct ds_err *);
enum ds_status	 eng_item_add(struct eng *, struct inst_node *set,
		    size_t at, struct inst_node **out);
enum ds_status	 eng_item_remove(struct eng *, struct inst_node *set,
		    size_t at);
void		 eng_enqueue_subtree(struct eng *, struct inst_node *);
enum ds_status	 eng_defaults(struct eng *, struct inst_node *, int dynamic);
int		 eng_consent_state(const struct eng *);
/* Refuse because the consent gate is closed (refused or not yet yes). */
enum ds_status	 eng_gate_error(struct eng *, struct ds_err *);
const struct form_list *eng_list_of(const struct eng *,
		    const struct form_node *);

/* eng_json.c */
#define ENG_TEXT_MAX	(64u << 20)	/* bytes of one answers document */
void		 eng_scopes_free(struct eng *);

/* eng_view.c */
/*
 * Bring the counts every node above the leaves keeps (inst_node.kans,
 * ktot, kreason, kunconf) up to date: only the nodes a change made stale
 * are counted again, each from its children's counts, so an answer costs
 * its own path up the tree (and one look at each item of the rosters on
 * it), not the whole instance.
 */
void		 eng_kept(struct eng *);
/* 1 if leaf n counts as an answer not yet confirmed (_meta.unconfirmed). */
int		 eng_unconfirmed(const struct inst_node *n);

/* eng_path.c (eng_path_fmt is in eng.h) */
struct inst_node *eng_path_find(struct eng *, const char *path);

/* eng_nav.c */
/* First prompt node at or after n in pre-order (NULL: the end). */
struct inst_node *eng_nav_first_in(struct eng *, struct inst_node *n);
int		 eng_shown_leaf(const struct inst_node *);
/* 1 unless the repeat's own relevant is false here. */
int		 eng_set_relevant(struct eng *, struct inst_node *set);
int		 eng_is_prompt(const struct eng *, const struct inst_node *);
char		*eng_arena_keep(struct eng *, char *s);
void		 eng_arena_clear(struct eng *);
/* The worker passed the screen at cur: its answers count as confirmed
 * (INST_F_ANSWERED), defaults included. */
void		 eng_confirm_screen(struct eng *, struct inst_node *cur);
/* What fails on n now: *err ENG_MSG_NONE, _REQUIRED, _CONSTRAINT or
 * _RULE (a rule error: n->rule_err or n->check_err holds "what: why");
 * *warn ENG_MSG_NONE or _WARNING. */
enum ds_status	 eng_check_node(struct eng *, struct inst_node *,
		    enum eng_msg *err, enum eng_msg *warn);

#endif
