/* doorstep: the immutable form model (layer 2: model). */
#ifndef DS_FORM_H
#define DS_FORM_H

/*
 * A loaded XLSForm.  The loaders (form_load_md, form_load_xlsx) build it
 * from bytes; after that it is read-only: every layer above takes
 * `const struct form *`.  Expressions are kept as source text here; the
 * expression layer parses them and the engine compiles and checks them
 * (references, functions, cycles) with form_check-style diagnostics that
 * carry the node's source line and the column name.
 *
 * All strings are NUL-terminated UTF-8 owned by the form.  A field that the
 * form leaves empty is NULL, never "".  Everything is freed by form_free().
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "status.h"

enum form_type {
	FT_TEXT,
	FT_INTEGER,
	FT_DECIMAL,
	FT_SELECT_ONE,		/* also select_one_from_file */
	FT_SELECT_MULTIPLE,	/* also select_multiple_from_file */
	FT_DATE,
	FT_TIME,
	FT_DATETIME,
	FT_NOTE,
	FT_ACKNOWLEDGE,
	FT_CALCULATE,
	FT_HIDDEN,
	FT_START,		/* metadata: filled by the engine */
	FT_END,
	FT_TODAY,
	FT_DEVICEID,
	FT_USERNAME,
	FT_GEOPOINT,		/* "lat lon [alt [acc]]", typed or from gpsd */
	FT_GEOTRACE,		/* points "lat lon alt acc;..." (2 or more) */
	FT_GEOSHAPE,		/* closed trace (4 or more, last = first) */
	FT_BARCODE,		/* typed; USB scanners type like a keyboard */
	FT_START_GEOPOINT,	/* metadata: gpsd fix at start, else empty */
	FT_PHONENUMBER,		/* metadata a laptop lacks: left empty */
	FT_SIMSERIAL,
	FT_SUBSCRIBERID,
	FT_EMAIL,
	FT_AUDIT,		/* turns on the store's paradata; no value */
	FT_IMAGE,		/* attachments (form_media.h): the answer is */
	FT_AUDIO,		/* the file's name, its bytes are in the */
	FT_VIDEO,		/* store, sealed */
	FT_FILE,
	FT_GROUP,
	FT_REPEAT,
	FT_ROOT			/* the form itself: the root node */
};

/* Name as written in the type column ("select_one", "begin_group", ...). */
const char	*form_type_name(enum form_type);

/* 1 for a leaf the program fills and never shows as a question
 * (calculate, hidden and the metadata types start, end, today, ...). */
int		 form_type_hidden(enum form_type);

/*
 * A translatable text: one entry per form language (form->langs), NULL where
 * that language has no text.  Use form_text_get() to read with fallback.
 */
struct form_text {
	char	**v;	/* form->nlangs entries, or NULL if no language has text */
};

/* key=value pair from the parameters column or an extra column. */
struct form_kv {
	char	*key;
	char	*value;
};

struct form_choice {
	char			*name;	 /* the stored value */
	struct form_text	 label;
	struct form_kv		*extra;	 /* other choice-sheet/CSV columns */
	size_t			 nextra;
	int			 line;	 /* source line (md) or row (xlsx/csv) */
};

struct form_list {
	char			*name;	 /* list_name, or the CSV file name */
	struct form_choice	*choices;
	size_t			 nchoices;
	char			*file;	 /* CSV file it came from, or NULL */
	int			 line;	 /* first row of the list */
};

struct form_node {
	enum form_type		 type;
	char			*name;		/* NULL only for the root */
	int			 line;		/* source line of the row */
	size_t			 index;		/* position in form->nodes */
	struct form_node	*parent;	/* NULL for the root */
	struct form_node	**kids;		/* groups, repeats, root */
	size_t			 nkids;
	int			 depth;		/* root 0, its children 1 */

	struct form_text	 label;
	struct form_text	 hint;
	struct form_text	 required_msg;
	struct form_text	 constraint_msg;
	struct form_text	 warning_msg;	/* doorstep extension */

	/* Expression columns, raw text or NULL. `required` and `read_only`
	 * are normalised: yes/true spellings become "true()", no/false
	 * spellings "false()" (pyxform BINDING_CONVERSIONS). */
	char			*required;
	char			*constraint;
	char			*warning;	/* doorstep extension */
	char			*relevant;
	char			*calculation;
	char			*default_value;	/* static text or expression */
	char			*choice_filter;
	char			*repeat_count;
	char			*read_only;
	char			*trigger;	/* "${q}" or NULL */

	char			*appearance;	/* raw, space-separated words */
	struct form_kv		*params;	/* parameters column, parsed */
	size_t			 nparams;

	/* Selects: the choice list (index into form->lists), or -1. */
	int			 list;
	int			 or_other;	/* select_* L or_other */
	int			 from_file;	/* select_*_from_file */
	int			 range;		/* type range: a number kept on
						 * start, end and step */
	/* doorstep `carry`: a return visit starts from the previous
	 * answer (on a group or repeat: every question inside). */
	int			 carry;
};

struct form {
	char			*id;		/* settings form_id, or file stem */
	char			*version;	/* settings version, or one made
						 * from the content: never NULL
						 * in a loaded form */
	int			 version_derived; /* no version setting */
	uint64_t		 content_hash;	/* of the cells and lists read
						 * (xls_hash): the same form as
						 * markdown or workbook alike */
	char			*title;		/* form_title, may be NULL */
	char			*instance_name;	/* expression, may be NULL */
	char			*household_key;	/* question name, may be NULL */
	char			*consent;	/* gate question name, may be NULL */
	char			*source;	/* file name used in messages */

	char			**langs;	/* language names, as written:
						 * "English (en)", "中文 (zh)";
						 * "default" for unsuffixed columns */
	size_t			 nlangs;
	int			 default_lang;	/* index into langs */

	struct form_node	*root;		/* type FT_ROOT */
	struct form_node	**nodes;	/* every node in document order,
						 * root first; node->index */
	size_t			 nnodes;

	struct form_list	*lists;
	size_t			 nlists;

	struct form_kv		*settings;	/* every settings column */
	size_t			 nsettings;

	/* Private to form.c: open-addressing hash of node names for
	 * form_find (slots hold node index + 1, 0 = empty). */
	size_t			*name_slots;
	size_t			 nname_slots;	/* power of two, or 0 */
};

/*
 * A loader warning or error, reported like a compiler:
 *   "form.md:12: error: [relevant] unknown question ${agee}"
 * Loaders collect every problem in the file, not only the first.
 */
struct form_diag {
	char	*file;
	int	 line;
	char	*column;	/* column name, may be NULL */
	int	 is_error;	/* 0 = warning */
	char	*msg;		/* English, for developers and logs */
	int	 code;		/* enum form_diag_code; FD_NONE: msg only */
	char	*fact[2];	/* the code's facts, or NULL */
};

/*
 * Codes for the diagnostics a form author must act on, so that commands
 * can word them in the user's language (i18n_form_diag) from the facts;
 * `msg` keeps an English wording for logs and tests.  FD_NONE: only msg.
 */
enum form_diag_code {
	FD_NONE = 0,
	FD_COL_TYPO,		/* [0] header, [1] the known column meant */
	FD_COL_UNKNOWN,		/* [0] header: ignored */
	FD_COL_DELIM,		/* [0] header: ':' in a sheet using '::' */
	FD_COL_UNUSED,		/* [0] header: known, has no effect here */
	FD_TYPE_REFUSED,	/* [0] type, [1] what to use instead */
	FD_TYPE_EMPTY,		/* [0] type: accepted, always left empty */
	FD_TYPE_TAGS,		/* [0] osm's tag list, not offered */
	FD_NAME_AMBIGUOUS,	/* [0] name, [1] "line A, line B" */
	FD_XLS_CONVERT		/* [0] file: legacy .xls, how to convert */
};

struct form_diags {
	struct form_diag	*v;
	size_t			 n;
	size_t			 nerrors;
};

void		 form_diags_init(struct form_diags *);
void		 form_diags_reset(struct form_diags *);
/* Add one; returns DS_ENOMEM if it could not be recorded. */
enum ds_status	 form_diag_add(struct form_diags *, const char *file, int line,
		    const char *column, int is_error, const char *fmt, ...)
		    __attribute__((format(printf, 6, 7)));
/* Same with a va_list. */
enum ds_status	 form_diag_vadd(struct form_diags *, const char *file,
		    int line, const char *column, int is_error,
		    const char *fmt, va_list ap)
		    __attribute__((format(printf, 6, 0)));
/* Same, with a code and up to two facts (NULL for none). */
enum ds_status	 form_diag_addc(struct form_diags *, const char *file,
		    int line, const char *column, int is_error,
		    enum form_diag_code, const char *fact0, const char *fact1,
		    const char *fmt, ...)
		    __attribute__((format(printf, 9, 10)));
/* "file:line: error: [column] msg" into buf; "warning" for warnings; the
 * ":line" part is left out when line is 0, "[column] " when column is NULL. */
void		 form_diag_format(const struct form_diag *, char *buf,
		    size_t n);

/* Free a form and everything it owns. NULL is a no-op. */
void		 form_free(struct form *);

/* Node by question/group name, or NULL.  Names are unique in a form.
 * O(1): a hash built by the loader (form_index). */
const struct form_node	*form_find(const struct form *, const char *name);
/*
 * List by name, or -1.  A list read from a CSV file is named after the file
 * ("villages.csv") and is also found by the file's stem ("villages"), the
 * id ODK gives its secondary instance (instance('villages'), pulldata);
 * a choices-sheet list of that exact name wins.
 */
int			 form_list_find(const struct form *, const char *name);

/* (Re)build the name hash of form_find after form->nodes is complete.
 * DS_ENOMEM leaves the form without a hash (form_find then scans). */
enum ds_status		 form_index(struct form *);

/*
 * Text in language `lang`, falling back to the default language, then to
 * any language that has text.  NULL if the text is empty everywhere.
 */
const char	*form_text_get(const struct form *, const struct form_text *,
		    int lang);

/*
 * The form language whose name carries the code in parentheses: "zh"
 * finds "中文 (zh)" and "Chinese (zh_CN)", "en" finds "English (en)".
 * The default language when none does.
 */
int		 form_lang_find(const struct form *, const char *code);

/*
 * The name as written in the form.  A name used in several groups is kept
 * as its group path ("g1~name", docs/forms.md): path steps such as
 * ../name match this, the part after the last '~'.
 */
const char	*form_node_xml_name(const struct form_node *);

/* Value of a parameters-column key, or NULL. */
const char	*form_param(const struct form_node *, const char *key);
/* 1 if the appearance column holds the word `w`. */
int		 form_has_appearance(const struct form_node *, const char *w);
/* Value of a settings column by (case-insensitive) name, or NULL. */
const char	*form_setting(const struct form *, const char *name);

/* ---- return visits (form_carry.c) ------------------------------------ */

/* 1 if the question carries: marked itself, or inside a marked group. */
int		 form_carried(const struct form_node *);
/*
 * The carried part of an answers object (keys are question names, groups
 * flattened, repeats arrays of objects; calculations left out): a new
 * object, empty when nothing carries; NULL when out of memory.
 */
json_t		*form_carry_filter(const struct form *, const json_t *answers);
/* Every answer the worker gave (no calculations, no metadata, no _meta):
 * what a correction starts from.  A new object; NULL out of memory. */
json_t		*form_answers_only(const struct form *, const json_t *answers);
/*
 * The consent on file a visit's answers give: its own
 * _meta.consent_on_file when it was itself made on file; else, when the
 * gate answer is yes, {record_code, date (visit_date), method
 * (_meta.consent.method, else "signed")}; else JSON null (refused or
 * withdrawn).  A new reference; NULL when out of memory.
 */
json_t		*form_consent_ref(const struct form *, const json_t *answers);

#endif
