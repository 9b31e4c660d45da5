/* doorstep: a small instance tree built from JSON, for `doorstep expr`
 * and the expression tests (layer 3: expr). */
#ifndef DS_EXPR_JSON_H
#define DS_EXPR_JSON_H

/*
 * The form author's calculator and the expression suite need data to
 * evaluate against without the interview engine.  An expr_jdoc is an
 * immutable tree built from a JSON object in the shape `doorstep fill`
 * takes:
 *
 *   { "name": "Li", "age": 30,            leaves: strings, numbers, bools
 *     "hh": { "size": 4 },                 groups: objects
 *     "member": [ { "age": 7 }, ... ],     repeats: arrays of objects
 *     "_types":   { "dob": "date" },       bind types by name: int,
 *                                          integer, decimal, date,
 *                                          dateTime, boolean, string
 *     "_instances": { "lists": [ { "name": "a", "label": "A" } ] },
 *                                          secondary instances, as
 *                                          instance('lists')/root/item
 *     "_choices": { "q": { "yes": "Yes" } },   labels for jr:choice-name
 *     "_names": [ "q", "r" ] }             names that exist even with no
 *                                          node (an empty repeat)
 *
 * The top object becomes /data.  JSON numbers are typed numbers unless
 * _types says otherwise; true/false are the strings "true"/"false" (how
 * doorstep stores booleans); null is "".  ${name} resolves like pyxform's
 * relative references: within the innermost repeat instance around the
 * context node that holds the name, else every node of that name.
 *
 * Not for production data: lookups are linear scans.
 */
#include <stddef.h>

#include "expr.h"
#include "status.h"

struct expr_jdoc;

/*
 * Build from `len` bytes of JSON (at most 16 MiB, depth-limited by the
 * JSON parser).  DS_EPARSE with the line and column for bad JSON or a top
 * level that is not an object.  Free with expr_jdoc_free (NULL is fine).
 */
enum ds_status	 expr_jdoc_new(const char *json, size_t len,
		    struct expr_jdoc **out, struct ds_err *err);
void		 expr_jdoc_free(struct expr_jdoc *);

/*
 * Fill env with callbacks over the tree.  The context node (and current())
 * is the node the path `context` selects (one node), e.g.
 * "/data/member[2]/age"; NULL or "" means /data.  The clock and RNG
 * callbacks are left NULL (ds_now_ms and the default generator); callers
 * may set them.  With `fast` the find_eq fast path is offered.
 */
enum ds_status	 expr_jdoc_env(struct expr_jdoc *, const char *context,
		    int fast, struct expr_env *env, struct ds_err *err);

/* Number of find_eq calls answered (to test the fast path is used). */
size_t		 expr_jdoc_fast_hits(const struct expr_jdoc *);

#endif
