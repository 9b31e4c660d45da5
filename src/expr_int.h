/* doorstep: internals shared by expr_lex.c, expr_parse.c, expr_eval.c and
 * expr_func*.c (layer 3: expr). */
#ifndef DS_EXPR_INT_H
#define DS_EXPR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "expr.h"
#include "status.h"
#include "val.h"

/* Tokens. */
enum tok_type {
	T_EOF, T_NUM, T_STR, T_REF, T_NAME,
	T_LP, T_RP, T_LB, T_RB, T_DOT, T_DOTDOT, T_COMMA, T_PIPE,
	T_SLASH, T_SLASH2, T_PLUS, T_MINUS, T_EQ, T_NE, T_LT, T_LE, T_GT,
	T_GE, T_STAR, T_AND, T_OR, T_DIV, T_MOD,
	T_AT,			/* @name: an attribute step */
	T_AXIS, T_VAR		/* recognised only to be rejected */
};

struct tok {
	enum tok_type	 type;
	size_t		 pos;	/* byte offset of the token */
	size_t		 cpos;	/* character offset of the token */
	const char	*s;	/* text (STR: between quotes; REF: name) */
	size_t		 len;
};

struct lexer {
	const char	*src;
	size_t		 len;
	size_t		 pos;	/* byte offset of the next character */
	size_t		 cpos;	/* character offset of the next character */
	enum tok_type	 prev;	/* previous token, for operator names */
	int		 have_prev;
};

void		 lex_init(struct lexer *, const char *, size_t);
/* Next token; DS_EPARSE with message and position for bad input. */
enum ds_status	 lex_next(struct lexer *, struct tok *, struct ds_err *);

/* AST. */
enum eop {
	EOP_NUM, EOP_STR, EOP_REF,
	EOP_OR, EOP_AND,		/* n-ary */
	EOP_EQ, EOP_NE, EOP_LT, EOP_LE, EOP_GT, EOP_GE,
	EOP_ADD, EOP_SUB, EOP_MUL, EOP_DIV, EOP_MOD,
	EOP_NEG, EOP_UNION, EOP_CALL, EOP_PATH
};

/* ESTEP_ATTR is @name: on a secondary-instance item, its column `name`
 * (choice lists and CSV files have no attributes of their own). */
enum estep_kind { ESTEP_CHILD, ESTEP_ANY, ESTEP_SELF, ESTEP_PARENT,
    ESTEP_ATTR };

#define ENONE	UINT32_MAX

struct estep {
	uint8_t		 kind;
	uint32_t	 name;	/* pool offset (CHILD) */
	uint32_t	 nlen;
	uint32_t	 preds;	/* into kidv */
	uint32_t	 npreds;
};

struct ectx;
struct enode;

/* One row of the function table (expr_func.c). */
struct expr_func {
	const char	*name;
	int		 min;	/* arguments */
	int		 max;	/* -1: any number */
	unsigned	 flags;	/* EXPR_F_* it adds, plus FN_* below */
	enum ds_status	(*fn)(struct ectx *, const struct enode *,
			    struct val *out);
};

#define FN_AGG		0x1000u	/* arguments are node-sets */
#define FN_ALLARGS	0x2000u	/* indexed-repeat: refs resolve ALL */

struct enode {
	uint8_t			 op;
	uint8_t			 absolute;	/* PATH from '/' */
	uint8_t			 ctxdep;	/* uses the context node */
	uint16_t		 depth;		/* AST height */
	uint32_t		 pos;		/* character offset */
	double			 num;
	uint32_t		 str;		/* pool: NUM text, STR, REF, CALL */
	uint32_t		 slen;
	uint32_t		 kids;		/* kidv: operands, arguments */
	uint32_t		 nkids;
	uint32_t		 filter;	/* PATH: primary, or ENONE */
	uint32_t		 fpreds;	/* PATH: filter predicates */
	uint32_t		 nfpreds;
	uint32_t		 steps;		/* PATH: stepv */
	uint32_t		 nsteps;
	const struct expr_func	*fn;
};

struct expr {
	char		*src;
	size_t		 len;
	struct enode	*nodes;
	uint32_t	 nnodes;
	uint32_t	*kidv;
	uint32_t	 nkidv;
	struct estep	*stepv;
	uint32_t	 nstepv;
	char		*pool;
	size_t		 npool;
	uint32_t	 root;
	unsigned	 flags;
};

#define EPOOL(e, off)	((e)->pool + (off))

/* Function table lookup; NULL if unknown. */
const struct expr_func	*expr_func_find(const char *name, size_t len);
/* For a function XPath 1.0 has and ODK rejects: the advice, else NULL. */
const char		*expr_func_rejected(const char *name, size_t len);

/* Evaluation state (expr_eval.c). */
struct ectx {
	const struct expr	*e;
	const struct expr_env	*env;
	struct expr_node	 context;
	size_t			 cpos;	/* predicate position, 0 outside */
	size_t			 csize;
	unsigned		 resolve;	/* EXPR_RESOLVE_* for ${} */
	int			 from_root;	/* absolute paths are not kept
						 * to the current repeat
						 * instance (indexed-repeat) */
	size_t			*steps;		/* shared budget, EXPR_MAX_STEPS */
	struct ds_err		*err;
};

/* Evaluate node i, raw (node-sets stay node-sets). */
enum ds_status	 ev_node(struct ectx *, uint32_t, struct val *out);
/* Evaluate node i and atomize (JR unpack). */
enum ds_status	 ev_atom(struct ectx *, uint32_t, struct val *out);
/* Atomize v in place. `at` is the AST node for messages. */
enum ds_status	 ev_atomize(struct ectx *, const struct enode *at,
		    struct val *v);
/* Typed value of one node. */
enum ds_status	 ev_node_value(struct ectx *, struct expr_node,
		    struct val *out);
/* String value of one node (borrowed until the next callback). */
enum ds_status	 ev_node_string(struct ectx *, struct expr_node,
		    const char **s, size_t *len);
/* Argument k of a call. */
#define ARG(e, call, k)	((e)->kidv[(call)->kids + (k)])
/* Argument k as a string into tmp (atomized, converted); s borrowed. */
enum ds_status	 ev_arg_str(struct ectx *, const struct enode *call, int k,
		    struct val *tmp);
enum ds_status	 ev_arg_num(struct ectx *, const struct enode *call, int k,
		    double *out);
/* Error helper: sets err with "... at character N" and returns code. */
enum ds_status	 ev_error(struct ectx *, const struct enode *at,
		    enum ds_status, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
/* ${} / path helpers used by functions. */
enum ds_status	 ev_position(struct ectx *, struct expr_node, size_t *out);
enum ds_status	 ev_find_eq(struct ectx *, struct expr_node parent,
		    const char *step, size_t steplen, const char *key,
		    size_t keylen, const char *value, size_t valuelen,
		    struct expr_nodes *out);
int64_t		 ev_now_ms(struct ectx *);
uint64_t	 ev_rand64(struct ectx *);
/* Local UTC offset in minutes at time t (ms). */
int		 ev_tz_at(int64_t ms);

#endif
