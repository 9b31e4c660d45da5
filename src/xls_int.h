/* doorstep: what the XLSForm loader's files share (xls*.c only). */
#ifndef DS_XLS_INT_H
#define DS_XLS_INT_H

/*
 * The loader is one module in four files: xls.c (entry points, sheets,
 * headers, shared helpers), xls_survey.c (survey rows and question
 * types), xls_choices.c (choices sheet, CSV lists, settings) and
 * xls_check.c (checks that need the whole form).  They share one loading
 * state, struct ld; a helper that fails on memory sets ld->oom, one that
 * hits a limit sets ld->limit, and the passes stop at either.
 */

#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "xls.h"

/* Survey and choices columns the loader understands. */
enum col_id {
	C_NONE,		/* empty header: cells ignored */
	C_IGNORED,	/* known XLSForm column with no effect on entry */
	C_UNUSED,	/* known XLSForm column doorstep does not run:
			 * warned once and ignored */
	C_UNKNOWN,	/* unknown column (survey: warned and ignored) */
	C_EXTRA,	/* choices: kept as an extra column */
	C_TYPE,
	C_NAME,
	C_LABEL,
	C_HINT,
	C_REQUIRED,
	C_REQUIRED_MSG,
	C_CONSTRAINT,
	C_CONSTRAINT_MSG,
	C_WARNING,
	C_WARNING_MSG,
	C_RELEVANT,
	C_CALCULATION,
	C_DEFAULT,
	C_CHOICE_FILTER,
	C_REPEAT_COUNT,
	C_READ_ONLY,
	C_APPEARANCE,
	C_TRIGGER,
	C_PARAMETERS,
	C_CARRY,	/* doorstep: previous answers go with a return visit */
	C_DISABLED,	/* pyxform: a yes spelling skips the row */
	C_LIST_NAME
};

struct xls_alias {
	const char	*name;	/* lowercase, as written in the header */
	enum col_id	 id;
};

/* Header aliases (xls.c), NULL-terminated. */
extern const struct xls_alias	xls_survey_aliases[];
extern const struct xls_alias	xls_choices_aliases[];

struct col {
	enum col_id	 id;
	int		 lang;		/* translatable columns */
	const char	*header;	/* as written */
};

/* A string -> index map for names (keys borrowed from the form). */
struct strmap {
	const char	**keys;
	size_t		 *vals;
	size_t		  cap;	/* power of two or 0 */
	size_t		  n;
};

/* A CSV already turned into a list: (file, value, label) -> list. */
struct csvlist {
	char	*file;
	char	*value;
	char	*label;
	int	 list;	/* -1 when loading failed (reported once) */
};

/* The state of one form_load_book call. */
struct ld {
	const struct xls_opts	*opts;
	const char		*src;
	struct form_diags	*diags;
	struct form		*f;
	int			 oom;
	int			 limit;	/* a limit was exceeded */
	size_t			 anodes;
	size_t			 alists;
	size_t			 nchoices;	/* all lists */
	size_t			 fetched;	/* CSV bytes read */
	struct strmap		 names;		/* node names -> node index */
	struct strmap		 lnames;	/* lowercased, owned */
	struct strmap		 listmap;	/* choices-sheet lists */
	struct strmap		 extmap;	/* external_choices */
	struct csvlist		*csvs;
	size_t			 ncsvs;
	const char		*deflang;	/* default_language setting */
	int			 allow_dup;
	int			 settings_line;
	const struct xls_sheet	*survey, *choices, *settings, *external;
	const char		**lang_cols;	/* pending language names */
	/* FNV-1a 64 of the content: the version when the form sets
	 * none (xls_hash) */
	uint64_t		 hash;
};

/* Fold n bytes into the content hash (xls.c). */
void		 xls_hash(struct ld *, const void *, size_t);

/* ------------------------------------------------------------------ */
/* Diagnostics and memory (xls.c)                                      */

/* Add a diagnostic (file NULL: the form itself); sets ld->oom on ENOMEM. */
void		 xls_diag(struct ld *, const char *file, int line,
		    const char *col, int is_error, const char *fmt, ...)
		    __attribute__((format(printf, 6, 7)));
#define ERR(ld, line, col, ...) xls_diag(ld, NULL, line, col, 1, __VA_ARGS__)
#define WARN(ld, line, col, ...) xls_diag(ld, NULL, line, col, 0, __VA_ARGS__)
/* The same with a code and its facts (form.h, the words policy). */
void		 xls_diagc(struct ld *, int line, const char *col,
		    int is_error, enum form_diag_code, const char *fact0,
		    const char *fact1, const char *fmt, ...)
		    __attribute__((format(printf, 8, 9)));

/* ds_strdup, setting ld->oom on failure; NULL stays NULL. */
char		*xls_strdup(struct ld *, const char *);
/* ds_arr_grow so that index n of *arrp (a T **) fits, at most max
 * elements; -1 and ld->oom (or ld->limit). */
int		 xls_grow(struct ld *, void *arrp, size_t *cap, size_t n,
		    size_t sz, size_t max);

/* String map: 1 and *val if key is present, else 0. */
int		 xls_strmap_get(const struct strmap *, const char *key,
		    size_t *val);
/* Insert a key not yet present (borrowed). -1 on ENOMEM. */
int		 xls_strmap_put(struct strmap *, const char *key, size_t val);
void		 xls_strmap_free(struct strmap *);

/* ------------------------------------------------------------------ */
/* Cells, headers, texts, names (xls.c)                                */

/* Cell i of row r; NULL if absent or empty. */
const char	*xls_cell(const struct xls_row *r, size_t i);
/* ASCII lowercase copy of s[0..n) into buf; 0 if it does not fit. */
int		 xls_lower(const char *s, size_t n, char *buf, size_t bufsz);
/* Canonical column name for diagnostics; NULL for the pseudo-columns. */
const char	*xls_col_name(enum col_id);
/* Language index by name, adding it if `add`; -1 if absent or on error. */
int		 xls_lang_index(struct ld *, const char *name, size_t n,
		    int add, int line);
/*
 * Map a sheet's header row to columns.  `add_langs` registers the
 * languages (pass 1); later passes only look them up.  Returns NULL on
 * ENOMEM.  Diagnostics are given only when `diag` is set.
 */
struct col	*xls_map_header(struct ld *, const struct xls_sheet *,
		    const struct xls_alias *tab, int choices, int add_langs,
		    int diag);
/* Find a column by id in a mapped header; -1 if absent. */
long		 xls_col_find(const struct col *, size_t n, enum col_id);
/* Set the text of language lang (a copy of v); -1 on ENOMEM. */
int		 xls_text_set(struct ld *, struct form_text *, int lang,
		    const char *v);
/* pyxform's XML name rule (non-ASCII bytes count as letters). */
int		 xls_name_valid(const char *);
/* Append (k, v) copies to *kv; -1 and ld->oom on ENOMEM. */
int		 xls_kv_add(struct ld *, struct form_kv **kv, size_t *n,
		    const char *k, const char *v);

/* ------------------------------------------------------------------ */
/* The passes                                                          */

/* Settings sheet (xls_choices.c). */
void		 xls_load_settings(struct ld *);
/* Choices sheet (xls_choices.c). */
void		 xls_load_choices(struct ld *);
/*
 * The list for CSV (file, value, label), loaded on first use
 * (xls_choices.c).  Returns the list index or -1 (error reported, or
 * missing and `optional`).
 */
int		 xls_csv_list(struct ld *, const char *file, const char *value,
		    const char *label, int lookup, int optional, int qline);
/* A new node under parent (xls_survey.c); NULL and ld->oom/limit. */
struct form_node *xls_node_new(struct ld *, enum form_type,
		    struct form_node *parent, int line);
/* Survey sheet (xls_survey.c). */
void		 xls_load_survey(struct ld *);
/* Settings that name questions: household_key, consent (xls_check.c). */
void		 xls_load_doorstep_settings(struct ld *);
/* CSVs that pulldata() and instance() name (xls_check.c). */
void		 xls_load_lookups(struct ld *);
/* The version from the content when the form sets none (xls_check.c). */
void		 xls_derive_version(struct ld *);

#endif
