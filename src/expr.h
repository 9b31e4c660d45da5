/* doorstep: the ODK XPath expression language, public API (layer 3: expr). */
#ifndef DS_EXPR_H
#define DS_EXPR_H

/*
 * Parse once, evaluate many times.  expr_parse() turns the text of one
 * XLSForm expression column into an immutable AST (struct expr), checking
 * syntax, function names and arity.  The AST never changes after parse, so
 * one struct expr may be shared by every repeat instance and evaluated from
 * several places (not concurrently from several threads: the evaluator is
 * reentrant, but the environment usually is not).
 *
 * Evaluation knows nothing of storage: the caller supplies a struct
 * expr_env of callbacks (ncdu's dir_output) that walk its instance tree
 * through opaque node handles (struct expr_node, val.h).
 *
 * Semantics are ODK Collect's (JavaRosa); every place where ODK Collect
 * and ODK Web Forms disagree is listed in docs/expressions.md.
 */
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "val.h"

/* Limits (DS_ELIMIT). */
#define EXPR_MAX_LEN	65536	/* bytes of source */
#define EXPR_MAX_DEPTH	256	/* nesting of the AST (parentheses, calls,
				 * operator chains, predicates) */
#define EXPR_MAX_NODES	32768	/* AST nodes */
#define EXPR_MAX_STRING	(1u << 20) /* bytes of any string value built
				 * while evaluating (concat, join, ...) */
#define EXPR_MAX_STEPS	(1u << 22) /* AST node visits in one evaluation
				 * (nested predicates can be exponential) */

struct expr;	/* opaque, immutable after expr_parse */

/*
 * Parse `len` bytes of UTF-8 source.  On success *out is a new expr the
 * caller frees with expr_free.  On failure *out is left unchanged and err
 * holds DS_EPARSE (syntax error, unknown function, wrong number of
 * arguments, an XPath 1.0 function ODK does not have) or DS_ELIMIT (too
 * long, too deep) or DS_ENOMEM.  Parse messages end with
 * "at character N": N is the 0-based offset of the offending token,
 * counted in characters (code points), e.g.
 *   "unknown function 'substring' (use substr(); it is 0-based) at
 *    character 0"
 *   "expected ')' at character 7"
 */
enum ds_status	 expr_parse(const char *src, size_t len, struct expr **out,
		    struct ds_err *err);
/* Free an expr. NULL is a no-op. */
void		 expr_free(struct expr *);
/* The source text the expr was parsed from (NUL-terminated, borrowed). */
const char	*expr_source(const struct expr *, size_t *lenp);

/*
 * Print the AST back as canonical source (fully parenthesised binary
 * operators, single-quoted strings), appending to out.  Parsing the printed
 * text gives an AST that prints the same (tests/fuzz/fuzz_expr.c).
 */
enum ds_status	 expr_print(const struct expr *, struct ds_buf *out);

/*
 * What an expression uses, for the dependency graph.
 *
 * expr_flags() summarises:
 *   EXPR_F_VOLATILE  now(), today(), random(), uuid(): may change with no
 *                    input changing (re-run at the ODK moments, §12)
 *   EXPR_F_POSITION  position() or position(..)
 *   EXPR_F_CURRENT   current()
 *   EXPR_F_CONTEXT   a relative path from the context node: '.', '..', 'x'
 *   EXPR_F_INSTANCE  instance('id') (also pulldata())
 *   EXPR_F_ONCE      once()
 *   EXPR_F_CHOICE    jr:choice-name() (depends on the active language)
 *
 * expr_refs() calls `fn` once per reference, in source order, and stops
 * early (returning what fn returned) when fn returns other than DS_OK.
 * The struct and its text are borrowed for the call.
 *   EXPR_REF_NAME      ${name}: text is the name without ${ }
 *   EXPR_REF_PATH      a location path, as text without its predicates,
 *                      e.g. "/data/hh/age", "../age", ".", "current()/../x",
 *                      "instance('lists')/root/item/name"; the predicates'
 *                      own references are reported separately, with
 *                      EXPR_REFF_PREDICATE
 *   EXPR_REF_INSTANCE  instance('id') or pulldata('id', ...): text is id
 * Flags on a reference:
 *   EXPR_REFF_PREDICATE  inside a predicate [...]
 *   EXPR_REFF_ALL        an argument of indexed-repeat(): resolved with
 *                        EXPR_RESOLVE_ALL (every repeat instance)
 *   EXPR_REFF_ABSOLUTE   path starts at '/'
 *   EXPR_REFF_CURRENT    path starts at current()
 *   EXPR_REFF_AGGREGATE  argument of sum, count, count-non-empty, max, min,
 *                        join, concat, indexed-repeat or randomize (a
 *                        node-set is expected: several nodes are fine)
 */
#define EXPR_F_VOLATILE		0x01u
#define EXPR_F_POSITION		0x02u
#define EXPR_F_CURRENT		0x04u
#define EXPR_F_CONTEXT		0x08u
#define EXPR_F_INSTANCE		0x10u
#define EXPR_F_ONCE		0x20u
#define EXPR_F_CHOICE		0x40u

unsigned	 expr_flags(const struct expr *);

enum expr_ref_kind {
	EXPR_REF_NAME,
	EXPR_REF_PATH,
	EXPR_REF_INSTANCE
};

#define EXPR_REFF_PREDICATE	0x01u
#define EXPR_REFF_ALL		0x02u
#define EXPR_REFF_ABSOLUTE	0x04u
#define EXPR_REFF_CURRENT	0x08u
#define EXPR_REFF_AGGREGATE	0x10u

struct expr_ref {
	enum expr_ref_kind	 kind;
	const char		*text;	/* borrowed, NUL-terminated */
	size_t			 len;
	size_t			 pos;	/* character offset in the source */
	unsigned		 flags;	/* EXPR_REFF_* */
};

enum ds_status	 expr_refs(const struct expr *,
		    enum ds_status (*fn)(void *arg, const struct expr_ref *),
		    void *arg);

/*
 * The evaluation environment, filled in by the caller (the engine, the
 * `doorstep expr` command, the tests).  `ctx` is passed to every callback.
 * Strings handed to callbacks are borrowed for the call and need not be
 * NUL-terminated (use the length).  Strings returned through `const char
 * **` are borrowed from the environment until its next callback; the
 * evaluator copies what it keeps.  A callback that fails returns a status
 * other than DS_OK and may fill err; evaluation stops with that status.
 *
 * The tree model is XPath's: a document node at the top of each instance,
 * whose single element child is the instance's root element (`data` for
 * the primary instance, `root` for a secondary one).  Paths:
 *   /data/a/b       root() gives the primary document node; then
 *                   children(doc, "data"), children(data, "a"), ...
 *   ../x, ., x      parent() and children() from the context node
 *   ${name}         ref(name) relative to `current`
 *   instance('id')/root/item    instance(id) gives that document node
 */

/* ref(): flags */
#define EXPR_RESOLVE_ALL	0x1u	/* every repeat instance's node, as
					 * from outside the repeats
					 * (indexed-repeat arguments) */

struct expr_env {
	void			*ctx;

	/* The context node ('.') and current() (both the node the
	 * expression belongs to, except in a choice_filter: context = the
	 * item, current = the question).  Predicates move '.' but never
	 * current(). */
	struct expr_node	 context;
	struct expr_node	 current;

	/*
	 * ${name}: resolve a question, group or repeat name relative to
	 * `from` (= current), as pyxform does: inside the same repeat
	 * instance the one node of that instance; into a repeat from outside
	 * it, the node of every instance in document order.  Append to out.
	 * Unknown name: DS_ENOENT with a message.  Required.
	 */
	enum ds_status	(*ref)(void *ctx, const char *name, size_t len,
			    struct expr_node from, unsigned flags,
			    struct expr_nodes *out, struct ds_err *err);

	/* The primary instance's document node.  Required for '/' paths. */
	enum ds_status	(*root)(void *ctx, struct expr_node *out);

	/* Parent of n: 1 and *out set, or 0 at a document node.  Required. */
	int		(*parent)(void *ctx, struct expr_node n,
			    struct expr_node *out);

	/*
	 * Append n's element children named `name` (len bytes), or all
	 * element children when name is NULL ('*'), in document order.
	 * Required.
	 */
	enum ds_status	(*children)(void *ctx, struct expr_node n,
			    const char *name, size_t len,
			    struct expr_nodes *out);

	/*
	 * String value of n (an answer; "" when unanswered or for a group).
	 * Borrowed until the next callback.  Required.
	 */
	enum ds_status	(*value)(void *ctx, struct expr_node n,
			    const char **s, size_t *len);

	/*
	 * Bind type of n, for JR-style typed values: VAL_NUMBER (integer,
	 * decimal), VAL_DATE, VAL_DATETIME, VAL_BOOL, else VAL_STRING (text,
	 * selects, time, groups, secondary instances).  An empty value is
	 * always the empty string whatever the type, and a value that does
	 * not parse as its type stays a string.  Optional: NULL means every
	 * node is a string.
	 */
	enum val_type	(*type)(void *ctx, struct expr_node n);

	/*
	 * 1-based position of n among its same-named siblings (a repeat
	 * instance's index).  Optional: NULL makes the evaluator count
	 * through parent() and children().
	 */
	size_t		(*position)(void *ctx, struct expr_node n);

	/* instance('id'): that secondary instance's document node, or
	 * DS_ENOENT with a message.  Optional (NULL: every id is unknown). */
	enum ds_status	(*instance)(void *ctx, const char *id, size_t len,
			    struct expr_node *out, struct ds_err *err);

	/*
	 * Fast path for `step[key = 'value']` (javarosa#689): append the
	 * children of `parent` named `step` whose child `key` has exactly the
	 * string value `value`, in document order, and return DS_OK; or
	 * return DS_ENOENT, untouched out, to make the evaluator scan.  Only
	 * called when the compared value is a string (not a number) and the
	 * predicate is exactly `key = expr` or `expr = key` where expr does
	 * not use the context node.  Optional.
	 */
	enum ds_status	(*find_eq)(void *ctx, struct expr_node parent,
			    const char *step, size_t steplen,
			    const char *key, size_t keylen,
			    const char *value, size_t valuelen,
			    struct expr_nodes *out);

	/*
	 * jr:choice-name(value, 'path'): the label of choice `value` of the
	 * select question named by `path` (the literal text, e.g. "${q}" or
	 * "/data/q"), resolved relative to `current`, in the active language.
	 * Borrowed label; "" (DS_OK) when the choice does not exist.
	 * Optional (NULL: the function returns "").
	 */
	enum ds_status	(*choice_name)(void *ctx, struct expr_node current,
			    const char *path, size_t pathlen,
			    const char *value, size_t valuelen,
			    const char **label, size_t *labellen,
			    struct ds_err *err);

	/* Clock in ms since the epoch.  Optional: NULL uses ds_now_ms()
	 * (util.h), so DOORSTEP_FAKE_NOW makes tests deterministic. */
	int64_t		(*now_ms)(void *ctx);

	/*
	 * 64 random bits for random(), uuid() and randomize() without a
	 * seed.  Optional: NULL uses a process-wide generator seeded from
	 * the clock (deterministic under DOORSTEP_FAKE_NOW).  See expr_rng.
	 */
	uint64_t	(*rand64)(void *ctx);
};

/*
 * Evaluate.  On success *out (an initialised val; reset first) holds the
 * result, always atomic: a node-set result is atomized (no nodes: the empty
 * string; one node: its typed value; several: DS_ETYPE "... is repeated:
 * use it inside sum(), count(), join() or indexed-repeat()", JR's rule).
 * On failure out is the empty string and err says why (DS_ETYPE for type
 * errors such as a bad date, DS_ENOENT for unknown ${name} or instance,
 * DS_ELIMIT, DS_ENOMEM, or what a callback returned).
 */
enum ds_status	 expr_eval(const struct expr *, const struct expr_env *,
		    struct val *out, struct ds_err *err);

/*
 * Evaluate to a node-set (for itemsets and callers that want the nodes):
 * *out receives the nodes (appended).  DS_ETYPE if the expression is not a
 * node-set expression.
 */
enum ds_status	 expr_eval_nodes(const struct expr *, const struct expr_env *,
		    struct expr_nodes *out, struct ds_err *err);

/* Conveniences: evaluate and convert (boolean(), number(), string()). */
enum ds_status	 expr_eval_bool(const struct expr *, const struct expr_env *,
		    int *out, struct ds_err *err);
enum ds_status	 expr_eval_number(const struct expr *,
		    const struct expr_env *, double *out, struct ds_err *err);
/* String as stored (VAL_FMT_STORE); caller frees *out with ds_free. */
enum ds_status	 expr_eval_string(const struct expr *,
		    const struct expr_env *, char **out, size_t *lenp,
		    struct ds_err *err);

/*
 * A small seeded generator (splitmix64) environments may use for rand64,
 * so tests are reproducible.
 */
struct expr_rng {
	uint64_t	s;
};

void		 expr_rng_seed(struct expr_rng *, uint64_t seed);
uint64_t	 expr_rng_next(struct expr_rng *);

/*
 * Function names known to the language (for editors and `form check`):
 * 1 if `name` (len bytes, e.g. "jr:choice-name") is a function.
 */
int		 expr_func_known(const char *name, size_t len);

#endif
