/* doorstep: typed values of the ODK expression language (layer 3: expr). */
#ifndef DS_VAL_H
#define DS_VAL_H

/*
 * A struct val is the result of evaluating an expression, or one of its
 * arguments: a string, a number, a boolean, a date, a dateTime or a
 * node-set.  ODK Collect (JavaRosa, "JR") is typed: int/decimal answers are
 * numbers, dates are dates, and so on; the conversions below follow JR
 * (xlsform-xpath.md §10), with the [doorstep] choices listed in
 * docs/expressions.md.
 *
 * Embedded, not allocated: val_init() ... val_reset().  A val owns its
 * string and its node array; val_reset() frees them and leaves an empty
 * string.  Setters reset the old content first.  A failing setter
 * (DS_ENOMEM) leaves the val as an empty string.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "status.h"

enum val_type {
	VAL_STRING,
	VAL_NUMBER,	/* IEEE double; NaN is "no number" */
	VAL_BOOL,
	VAL_DATE,	/* whole days since 1970-01-01 (local calendar) */
	VAL_DATETIME,	/* local days since 1970-01-01 with fraction, + tz */
	VAL_NODESET
};

/*
 * A node of some instance tree, as an opaque handle the environment
 * (struct expr_env in expr.h, implemented by the engine) gives out and
 * understands.  The expression layer only copies and compares handles
 * (equal when both fields are equal); it never dereferences p.
 */
struct expr_node {
	const void	*p;
	size_t		 i;
};

/*
 * A growable list of nodes, in document order as the environment returns
 * them.  Capped at EXPR_NODES_MAX entries (DS_ELIMIT beyond).  Embedded:
 * expr_nodes_init() ... expr_nodes_reset().
 */
#define EXPR_NODES_MAX	(1u << 22)

struct expr_nodes {
	struct expr_node	*v;
	size_t			 n;
	size_t			 cap;
};

void		 expr_nodes_init(struct expr_nodes *);
void		 expr_nodes_reset(struct expr_nodes *);
/* Append one node; DS_ENOMEM or DS_ELIMIT on failure, list unchanged. */
enum ds_status	 expr_nodes_add(struct expr_nodes *, struct expr_node);

struct val {
	enum val_type		 type;
	double			 n;	/* NUMBER; BOOL 0 or 1; DATE; DATETIME */
	int			 tz;	/* DATETIME: UTC offset in minutes */
	char			*s;	/* STRING: owned, NUL-terminated, or
					 * NULL for the empty string */
	size_t			 len;	/* STRING: bytes, excluding NUL */
	struct expr_nodes	 ns;	/* NODESET: owned */
};

/* Initialise as the empty string. */
void		 val_init(struct val *);
/* Free what the val owns; it becomes the empty string. */
void		 val_reset(struct val *);

void		 val_set_number(struct val *, double);
void		 val_set_bool(struct val *, int);
void		 val_set_date(struct val *, double days);
void		 val_set_datetime(struct val *, double days, int tz_minutes);
/* Copy len bytes (need not be NUL-terminated). */
enum ds_status	 val_set_string(struct val *, const char *, size_t);
/* Take ownership of a ds_malloc'ed NUL-terminated string of len bytes. */
void		 val_take_string(struct val *, char *, size_t);
/* Move src into dst (dst is reset first); src becomes the empty string. */
void		 val_move(struct val *dst, struct val *src);
/* Deep copy; on DS_ENOMEM dst is the empty string. */
enum ds_status	 val_copy(struct val *dst, const struct val *src);

/* The string bytes of a VAL_STRING ("" when empty); NULL for other types. */
const char	*val_str(const struct val *);

/*
 * Conversions of an atomic value (not a node-set: the evaluator atomizes
 * node-sets through the environment first; here a node-set gives NaN,
 * true when non-empty, and "" respectively).
 *
 * val_number: JR toNumeric.  Strings are trimmed, ',' becomes '.', then
 * [-]digits[.digits] (or [-].digits) is a number and anything else NaN
 * (no exponents, no "Infinity").  Booleans 1/0; dates and dateTimes their
 * (fractional) days since 1970-01-01.
 *
 * val_bool: XPath boolean(): a number is true unless 0 or NaN, a string
 * unless empty ("false" is true), a date always.
 */
double		 val_number(const struct val *);
int		 val_bool(const struct val *);

/*
 * String value as ODK Collect converts it:
 *   numbers  integral |x| < 1e15 as an integer ("5", not "5.0"); otherwise
 *            Java's Double.toString ("0.1", "2.5E-4", "1.0E15"); "NaN",
 *            "Infinity", "-Infinity";
 *   booleans "true" / "false" ([doorstep]: the spec, not JR's 1/0);
 *   dates    "YYYY-MM-DD";
 *   dateTime "YYYY-MM-DDTHH:MM:SS.mmm+HH:MM" (offset from the value).
 * With VAL_FMT_STORE (a value about to be stored as an answer, e.g. a
 * calculate) NaN and infinities become "" (JR stores NaN as empty).
 * val_format appends to a capped buffer (DS_ENOMEM / DS_ELIMIT, buffer
 * unchanged); val_to_string returns a new string the caller frees with
 * ds_free.
 */
#define VAL_FMT_STORE	0x1u

enum ds_status	 val_format(const struct val *, unsigned flags,
		    struct ds_buf *out);
enum ds_status	 val_to_string(const struct val *, unsigned flags,
		    char **out, size_t *lenp);

/* Java-style number text into buf (at least VAL_NUMBUF bytes); length. */
#define VAL_NUMBUF	40
size_t		 val_fmt_number(double, char *buf);

/*
 * JR number parsing (see val_number) of len bytes: 0 and *out set, or -1
 * when the text is not a number (*out is then NaN).
 */
int		 val_parse_number(const char *, size_t, double *out);

/*
 * Dates.  val_parse_date accepts YYYY-MM-DD (a real calendar date, year
 * 1..9999; "1983-09-31" fails), optionally followed by a time part, which
 * is ignored.  val_parse_datetime accepts YYYY-MM-DD[THH:MM[:SS[.fff]]]
 * [Z|+HH:MM|-HH:MM]; without an offset the value is taken as local time
 * with offset `deftz` minutes.  Both return 0 on success, -1 otherwise
 * (outputs unchanged).
 */
int		 val_parse_date(const char *, size_t, double *days);
int		 val_parse_datetime(const char *, size_t, int deftz,
		    double *days, int *tz);
/* Proleptic Gregorian calendar <-> days since 1970-01-01. */
int64_t		 val_days_from_civil(int64_t y, unsigned m, unsigned d);
void		 val_civil_from_days(int64_t days, int64_t *y, unsigned *m,
		    unsigned *d);

#endif
