/* doorstep: XLSForm loader: sheets -> struct form. */
/*
 * Gives a struct xls_book (from mdtable.c or xlsx.c) its XLSForm meaning:
 * sheets survey/choices/settings, column aliases and ::Language columns,
 * question types and their aliases, nesting, choice lists from the choices
 * sheet and from CSV files, settings and the doorstep extensions.  The order
 * is fixed: settings (default_language decides what unsuffixed columns
 * mean), languages (from every header), choices, survey, then checks that
 * need the whole form (settings naming questions, lookups by pulldata).
 *
 * Invariants of a form returned with DS_OK: see form.c.  On any error the
 * half-built form is freed; every problem found is in the diags.  The
 * loader never reads files: sibling CSVs come through opts->fetch.
 * Expressions are not parsed here (the engine does), only capped.
 */
#include "xls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "mdtable.h"
#include "mem.h"
#include "util.h"
#include "xlsx.h"

/* Survey and choices columns the loader understands. */
enum col_id {
	C_NONE,		/* empty header: cells ignored */
	C_IGNORED,	/* known XLSForm column doorstep does not use */
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
	C_LIST_NAME
};

struct alias {
	const char	*name;	/* lowercase, as written in the header */
	enum col_id	 id;
};

/* pyxform aliases.py survey_header, plus the doorstep columns. */
static const struct alias survey_aliases[] = {
	{ "type", C_TYPE }, { "command", C_TYPE },
	{ "name", C_NAME }, { "tag", C_NAME }, { "value", C_NAME },
	{ "label", C_LABEL }, { "caption", C_LABEL },
	{ "hint", C_HINT },
	{ "required", C_REQUIRED },
	{ "required_message", C_REQUIRED_MSG },
	{ "required message", C_REQUIRED_MSG },
	{ "requiredmsg", C_REQUIRED_MSG },
	{ "constraint", C_CONSTRAINT },
	{ "constraint_message", C_CONSTRAINT_MSG },
	{ "constraint message", C_CONSTRAINT_MSG },
	{ "constraining message", C_CONSTRAINT_MSG },
	{ "warning", C_WARNING },
	{ "warning_message", C_WARNING_MSG },
	{ "warning message", C_WARNING_MSG },
	{ "relevant", C_RELEVANT }, { "relevance", C_RELEVANT },
	{ "calculation", C_CALCULATION }, { "calculate", C_CALCULATION },
	{ "default", C_DEFAULT },
	{ "choice_filter", C_CHOICE_FILTER },
	{ "repeat_count", C_REPEAT_COUNT }, { "count", C_REPEAT_COUNT },
	{ "jr:count", C_REPEAT_COUNT },
	{ "read_only", C_READ_ONLY }, { "readonly", C_READ_ONLY },
	{ "appearance", C_APPEARANCE },
	{ "trigger", C_TRIGGER },
	{ "parameters", C_PARAMETERS },
	/* Known to pyxform, not used by doorstep (media, web, entities). */
	{ "guidance_hint", C_IGNORED }, { "image", C_IGNORED },
	{ "big-image", C_IGNORED }, { "audio", C_IGNORED },
	{ "video", C_IGNORED }, { "autoplay", C_IGNORED },
	{ "rows", C_IGNORED }, { "save_to", C_IGNORED },
	{ "compact_tag", C_IGNORED }, { "media", C_IGNORED },
	{ "bind", C_IGNORED }, { "instance", C_IGNORED },
	{ "body", C_IGNORED }, { "control", C_IGNORED },
	{ "noappearancewarning", C_IGNORED },
	{ "no_app_error_string", C_IGNORED }, { "noapperrorstring", C_IGNORED },
	{ NULL, C_NONE }
};

/* pyxform aliases.py list_header. */
static const struct alias choices_aliases[] = {
	{ "list_name", C_LIST_NAME }, { "list name", C_LIST_NAME },
	{ "name", C_NAME }, { "value", C_NAME },
	{ "label", C_LABEL }, { "caption", C_LABEL },
	{ "image", C_IGNORED }, { "big-image", C_IGNORED },
	{ "audio", C_IGNORED }, { "video", C_IGNORED },
	{ "media", C_IGNORED },
	{ NULL, C_NONE }
};

/* Columns that take ::Language suffixes. */
static int
col_translatable(enum col_id id)
{
	return id == C_LABEL || id == C_HINT || id == C_REQUIRED_MSG ||
	    id == C_CONSTRAINT_MSG || id == C_WARNING_MSG;
}

/* Canonical column names for diagnostics. */
static const char *
col_name(enum col_id id)
{
	switch (id) {
	case C_TYPE:		return "type";
	case C_NAME:		return "name";
	case C_LABEL:		return "label";
	case C_HINT:		return "hint";
	case C_REQUIRED:	return "required";
	case C_REQUIRED_MSG:	return "required_message";
	case C_CONSTRAINT:	return "constraint";
	case C_CONSTRAINT_MSG:	return "constraint_message";
	case C_WARNING:		return "warning";
	case C_WARNING_MSG:	return "warning_message";
	case C_RELEVANT:	return "relevant";
	case C_CALCULATION:	return "calculation";
	case C_DEFAULT:		return "default";
	case C_CHOICE_FILTER:	return "choice_filter";
	case C_REPEAT_COUNT:	return "repeat_count";
	case C_READ_ONLY:	return "read_only";
	case C_APPEARANCE:	return "appearance";
	case C_TRIGGER:		return "trigger";
	case C_PARAMETERS:	return "parameters";
	case C_LIST_NAME:	return "list_name";
	default:		return NULL;
	}
}

struct col {
	enum col_id	 id;
	int		 lang;		/* translatable columns */
	const char	*header;	/* as written */
};

/* Question types: one row each (style.md §13). */
enum tkind {
	TK_QUESTION,	/* plain type */
	TK_SELECT,	/* select_* L [or_other] */
	TK_FROM_FILE,	/* select_*_from_file f.csv */
	TK_BEGIN,	/* begin group / begin repeat */
	TK_END,		/* end group / end repeat */
	TK_EXTERNAL,	/* csv-external: a lookup file, not a question */
	TK_UNSUPPORTED	/* known XLSForm type doorstep does not run */
};

struct qtype {
	const char	*name;
	enum tkind	 kind;
	enum form_type	 type;
};

static const struct qtype qtypes[] = {
	{ "text", TK_QUESTION, FT_TEXT },
	{ "string", TK_QUESTION, FT_TEXT },
	{ "integer", TK_QUESTION, FT_INTEGER },
	{ "int", TK_QUESTION, FT_INTEGER },
	{ "decimal", TK_QUESTION, FT_DECIMAL },
	{ "date", TK_QUESTION, FT_DATE },
	{ "time", TK_QUESTION, FT_TIME },
	{ "dateTime", TK_QUESTION, FT_DATETIME },
	{ "note", TK_QUESTION, FT_NOTE },
	{ "acknowledge", TK_QUESTION, FT_ACKNOWLEDGE },
	{ "calculate", TK_QUESTION, FT_CALCULATE },
	{ "hidden", TK_QUESTION, FT_HIDDEN },
	{ "start", TK_QUESTION, FT_START },
	{ "end", TK_QUESTION, FT_END },
	{ "today", TK_QUESTION, FT_TODAY },
	{ "deviceid", TK_QUESTION, FT_DEVICEID },
	{ "imei", TK_QUESTION, FT_DEVICEID },
	{ "username", TK_QUESTION, FT_USERNAME },
	{ "begin group", TK_BEGIN, FT_GROUP },
	{ "begin_group", TK_BEGIN, FT_GROUP },
	{ "begin repeat", TK_BEGIN, FT_REPEAT },
	{ "begin_repeat", TK_BEGIN, FT_REPEAT },
	{ "end group", TK_END, FT_GROUP },
	{ "end_group", TK_END, FT_GROUP },
	{ "end repeat", TK_END, FT_REPEAT },
	{ "end_repeat", TK_END, FT_REPEAT },
	{ "csv-external", TK_EXTERNAL, FT_TEXT },
	{ "geopoint", TK_UNSUPPORTED, FT_TEXT },
	{ "geotrace", TK_UNSUPPORTED, FT_TEXT },
	{ "geoshape", TK_UNSUPPORTED, FT_TEXT },
	{ "start-geopoint", TK_UNSUPPORTED, FT_TEXT },
	{ "background-geopoint", TK_UNSUPPORTED, FT_TEXT },
	{ "image", TK_UNSUPPORTED, FT_TEXT },
	{ "photo", TK_UNSUPPORTED, FT_TEXT },
	{ "audio", TK_UNSUPPORTED, FT_TEXT },
	{ "background-audio", TK_UNSUPPORTED, FT_TEXT },
	{ "video", TK_UNSUPPORTED, FT_TEXT },
	{ "file", TK_UNSUPPORTED, FT_TEXT },
	{ "barcode", TK_UNSUPPORTED, FT_TEXT },
	{ "range", TK_UNSUPPORTED, FT_TEXT },
	{ "rank", TK_UNSUPPORTED, FT_TEXT },
	{ "audit", TK_UNSUPPORTED, FT_TEXT },
	{ "xml-external", TK_UNSUPPORTED, FT_TEXT },
	{ "osm", TK_UNSUPPORTED, FT_TEXT },
	{ "simserial", TK_UNSUPPORTED, FT_TEXT },
	{ "subscriberid", TK_UNSUPPORTED, FT_TEXT },
	{ "phonenumber", TK_UNSUPPORTED, FT_TEXT },
	{ "email", TK_UNSUPPORTED, FT_TEXT },
	{ "begin loop", TK_UNSUPPORTED, FT_TEXT },
	{ "begin_loop", TK_UNSUPPORTED, FT_TEXT },
	{ "select_one_external", TK_UNSUPPORTED, FT_TEXT },
	{ NULL, TK_QUESTION, FT_TEXT }
};

/* Select prefixes (pyxform aliases.py select, select_from_file). */
static const struct qtype selects[] = {
	{ "select_one_from_file", TK_FROM_FILE, FT_SELECT_ONE },
	{ "select_multiple_from_file", TK_FROM_FILE, FT_SELECT_MULTIPLE },
	{ "select one from file", TK_FROM_FILE, FT_SELECT_ONE },
	{ "select multiple from file", TK_FROM_FILE, FT_SELECT_MULTIPLE },
	{ "select_one", TK_SELECT, FT_SELECT_ONE },
	{ "select one", TK_SELECT, FT_SELECT_ONE },
	{ "select1", TK_SELECT, FT_SELECT_ONE },
	{ "select one from", TK_SELECT, FT_SELECT_ONE },
	{ "select_multiple", TK_SELECT, FT_SELECT_MULTIPLE },
	{ "select all that apply", TK_SELECT, FT_SELECT_MULTIPLE },
	{ "select all that apply from", TK_SELECT, FT_SELECT_MULTIPLE },
	{ "select_one_external", TK_UNSUPPORTED, FT_TEXT },
	{ "rank", TK_UNSUPPORTED, FT_TEXT },
	{ NULL, TK_QUESTION, FT_TEXT }
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
	struct strmap		 listmap;	/* choices-sheet lists */
	struct csvlist		*csvs;
	size_t			 ncsvs;
	const char		*deflang;	/* default_language setting */
	int			 allow_dup;
	int			 settings_line;
	const struct xls_sheet	*survey, *choices, *settings;
	const char		**lang_cols;	/* pending language names */
};

static void	ld_diag(struct ld *, const char *, int, const char *, int,
		    const char *, ...) __attribute__((format(printf, 6, 7)));

static void
ld_diag(struct ld *ld, const char *file, int line, const char *col,
    int is_error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (form_diag_vadd(ld->diags, file ? file : ld->src, line, col,
	    is_error, fmt, ap) != DS_OK)
		ld->oom = 1;
	va_end(ap);
}

#define ERR(ld, line, col, ...) ld_diag(ld, NULL, line, col, 1, __VA_ARGS__)
#define WARN(ld, line, col, ...) ld_diag(ld, NULL, line, col, 0, __VA_ARGS__)

static char *
ld_strdup(struct ld *ld, const char *s)
{
	char *r;

	if (s == NULL)
		return NULL;
	if ((r = ds_strdup(s)) == NULL)
		ld->oom = 1;
	return r;
}

/* Grow *arr (element size sz) so that index n fits. */
static int
ld_grow(struct ld *ld, void **arr, size_t *cap, size_t n, size_t sz)
{
	size_t nc;
	void *p;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	while (nc <= n)
		nc *= 2;
	if ((p = ds_realloc(*arr, nc * sz)) == NULL) {
		ld->oom = 1;
		return -1;
	}
	*arr = p;
	*cap = nc;
	return 0;
}

/* String map */

static size_t
strmap_hash(const char *s)
{
	size_t h = 5381;

	for (; *s != '\0'; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static int
strmap_get(const struct strmap *m, const char *key, size_t *val)
{
	size_t k;

	if (m->cap == 0)
		return 0;
	for (k = strmap_hash(key) & (m->cap - 1); m->keys[k] != NULL;
	    k = (k + 1) & (m->cap - 1))
		if (strcmp(m->keys[k], key) == 0) {
			*val = m->vals[k];
			return 1;
		}
	return 0;
}

/* Insert a key not yet present. -1 on ENOMEM. */
static int
strmap_put(struct strmap *m, const char *key, size_t val)
{
	struct strmap nm;
	size_t i, k;

	if ((m->n + 1) * 2 > m->cap) {
		nm.cap = m->cap ? m->cap * 2 : 64;
		nm.n = 0;
		nm.keys = ds_calloc(nm.cap, sizeof(*nm.keys));
		nm.vals = ds_calloc(nm.cap, sizeof(*nm.vals));
		if (nm.keys == NULL || nm.vals == NULL) {
			ds_free(nm.keys);
			ds_free(nm.vals);
			return -1;
		}
		for (i = 0; i < m->cap; i++)
			if (m->keys[i] != NULL)
				(void)strmap_put(&nm, m->keys[i], m->vals[i]);
		ds_free(m->keys);
		ds_free(m->vals);
		*m = nm;
	}
	for (k = strmap_hash(key) & (m->cap - 1); m->keys[k] != NULL;
	    k = (k + 1) & (m->cap - 1))
		;
	m->keys[k] = key;
	m->vals[k] = val;
	m->n++;
	return 0;
}

static void
strmap_free(struct strmap *m)
{
	ds_free(m->keys);
	ds_free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* Cells and headers */

static const char *
cell(const struct xls_row *r, size_t i)
{
	return i < r->ncells ? r->cells[i] : NULL;
}

/* ASCII lowercase copy into buf; 0 if it does not fit. */
static int
lower(const char *s, size_t n, char *buf, size_t bufsz)
{
	size_t i;

	if (n >= bufsz)
		return 0;
	for (i = 0; i < n; i++)
		buf[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i];
	buf[n] = '\0';
	return 1;
}

static enum col_id
alias_find(const struct alias *tab, const char *lname)
{
	size_t i;

	for (i = 0; tab[i].name != NULL; i++)
		if (strcmp(tab[i].name, lname) == 0)
			return tab[i].id;
	return C_UNKNOWN;
}

/* Language index by name, adding it if `add`; -1 if absent or on error. */
static int
lang_index(struct ld *ld, const char *name, size_t n, int add, int line)
{
	struct form *f = ld->f;
	char **nl;
	size_t i;

	for (i = 0; i < f->nlangs; i++)
		if (strlen(f->langs[i]) == n &&
		    strncmp(f->langs[i], name, n) == 0)
			return (int)i;
	if (!add)
		return -1;
	if (f->nlangs >= XLS_MAX_LANGS) {
		ERR(ld, line, NULL, "too many languages (limit %d)",
		    XLS_MAX_LANGS);
		ld->limit = 1;
		return -1;
	}
	if ((nl = ds_realloc(f->langs, (f->nlangs + 1) * sizeof(*nl))) ==
	    NULL) {
		ld->oom = 1;
		return -1;
	}
	f->langs = nl;
	if ((f->langs[f->nlangs] = ds_strndup(name, n)) == NULL) {
		ld->oom = 1;
		return -1;
	}
	return (int)f->nlangs++;
}

/*
 * Map a sheet's header row to columns.  `add_langs` registers the
 * languages (pass 1); later passes only look them up.  Returns NULL on
 * ENOMEM.  Diagnostics are given only when `diag` is set.
 */
static struct col *
map_header(struct ld *ld, const struct xls_sheet *sh,
    const struct alias *tab, int choices, int add_langs, int diag)
{
	const struct xls_row *h = &sh->rows[0];
	struct col *cols;
	const char *hd, *sep;
	char lname[128];
	size_t i, j, bn;
	enum col_id id;

	if ((cols = ds_calloc(h->ncells + 1, sizeof(*cols))) == NULL) {
		ld->oom = 1;
		return NULL;
	}
	for (i = 0; i < h->ncells; i++) {
		cols[i].lang = -1;
		if ((hd = h->cells[i]) == NULL) {
			cols[i].id = C_NONE;
			continue;
		}
		cols[i].header = hd;
		sep = strstr(hd, "::");
		bn = sep ? (size_t)(sep - hd) : strlen(hd);
		/* pyxform strips around the parts of "label :: Lang" too. */
		while (bn > 0 && hd[bn - 1] == ' ')
			bn--;
		id = lower(hd, bn, lname, sizeof(lname)) ?
		    alias_find(tab, lname) : C_UNKNOWN;
		if (id == C_UNKNOWN && choices)
			id = C_EXTRA;
		if (id == C_UNKNOWN) {
			if (diag)
				WARN(ld, h->line, hd, "unknown column is "
				    "ignored");
			cols[i].id = C_IGNORED;
			continue;
		}
		cols[i].id = id;
		if (sep != NULL && id != C_IGNORED && id != C_EXTRA) {
			const char *l = sep + 2;
			size_t ln;

			while (*l == ' ')
				l++;
			ln = strlen(l);
			if (!col_translatable(id)) {
				if (diag)
					WARN(ld, h->line, hd, "column '%s' "
					    "cannot be translated; ignored",
					    col_name(id));
				cols[i].id = C_IGNORED;
				continue;
			}
			if (ln == 0) {
				if (diag)
					ERR(ld, h->line, hd, "empty language "
					    "name after '::'");
				cols[i].id = C_IGNORED;
				continue;
			}
			cols[i].lang = lang_index(ld, l, ln, add_langs,
			    h->line);
		} else if (col_translatable(id)) {
			const char *l = ld->deflang ? ld->deflang : "default";

			cols[i].lang = lang_index(ld, l, strlen(l),
			    add_langs, h->line);
		}
		if (col_translatable(id) && cols[i].lang < 0 && !add_langs) {
			/* Languages are registered in pass 1: unreachable
			 * unless the language limit was hit. */
			cols[i].id = C_IGNORED;
			continue;
		}
		if (!diag || id == C_IGNORED)
			continue;
		for (j = 0; j < i; j++)
			if (cols[j].id == id && cols[j].lang == cols[i].lang &&
			    (id != C_EXTRA ||
			    strcmp(cols[j].header, hd) == 0)) {
				ERR(ld, h->line, hd, "duplicate column (same "
				    "as '%s')", cols[j].header);
				cols[i].id = C_IGNORED;
				break;
			}
	}
	cols[h->ncells].id = C_NONE;
	return cols;
}

/* Find a column by id in a mapped header; -1 if absent. */
static long
col_find(const struct col *cols, size_t n, enum col_id id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cols[i].id == id)
			return (long)i;
	return -1;
}

static int
text_set(struct ld *ld, struct form_text *t, int lang, const char *v)
{
	if (v == NULL || lang < 0 || (size_t)lang >= ld->f->nlangs)
		return 0;
	if (t->v == NULL &&
	    (t->v = ds_calloc(ld->f->nlangs, sizeof(*t->v))) == NULL) {
		ld->oom = 1;
		return -1;
	}
	ds_free(t->v[lang]);
	t->v[lang] = ld_strdup(ld, v);
	return 0;
}

static int
text_empty(const struct form *f, const struct form_text *t)
{
	return form_text_get(f, t, 0) == NULL;
}

/* Names */

/* pyxform: XML names; a letter or '_' first, then letters, digits, '-',
 * '_', '.'.  Bytes >= 0x80 count as letters (non-ASCII names). */
static int
name_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	    *p == '_' || *p >= 0x80))
		return 0;
	for (p++; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '.' || *p >= 0x80))
			return 0;
	return 1;
}

/* Settings */

static const struct {
	const char *alias, *key;
} settings_aliases[] = {
	{ "set form title", "form_title" },
	{ "set form id", "form_id" },
	{ NULL, NULL }
};

static void
load_settings(struct ld *ld)
{
	const struct xls_sheet *sh = ld->settings;
	const struct xls_row *h, *r;
	struct form *f = ld->f;
	char lname[128];
	const char *key, *v;
	size_t i, k;

	if (sh == NULL || sh->nrows == 0)
		return;
	h = &sh->rows[0];
	ld->settings_line = h->line;
	if (sh->nrows < 2)
		return;
	r = &sh->rows[1];
	ld->settings_line = r->line;
	if (sh->nrows > 2)
		WARN(ld, sh->rows[2].line, NULL, "settings sheet has more "
		    "than one row; only the first is used");
	if ((f->settings = ds_calloc(h->ncells + 1, sizeof(*f->settings))) ==
	    NULL) {
		ld->oom = 1;
		return;
	}
	for (i = 0; i < h->ncells; i++) {
		if (h->cells[i] == NULL || (v = cell(r, i)) == NULL)
			continue;
		if (!lower(h->cells[i], strlen(h->cells[i]), lname,
		    sizeof(lname))) {
			WARN(ld, h->line, NULL, "settings column name too "
			    "long; ignored");
			continue;
		}
		key = lname;
		for (k = 0; settings_aliases[k].alias != NULL; k++)
			if (strcmp(settings_aliases[k].alias, lname) == 0)
				key = settings_aliases[k].key;
		for (k = 0; k < f->nsettings; k++)
			if (strcmp(f->settings[k].key, key) == 0)
				break;
		if (k < f->nsettings) {
			ERR(ld, h->line, h->cells[i], "duplicate settings "
			    "column");
			continue;
		}
		f->settings[f->nsettings].key = ld_strdup(ld, key);
		f->settings[f->nsettings].value = ld_strdup(ld, v);
		f->nsettings++;	/* form_free frees a half-set pair */
		if (ld->oom)
			return;
	}
	ld->deflang = form_setting(f, "default_language");
	v = form_setting(f, "allow_choice_duplicates");
	ld->allow_dup = v != NULL && (strcmp(v, "yes") == 0 ||
	    strcmp(v, "Yes") == 0 || strcmp(v, "YES") == 0 ||
	    strcmp(v, "true") == 0 || strcmp(v, "True") == 0 ||
	    strcmp(v, "TRUE") == 0 || strcmp(v, "true()") == 0);
}

/* Choices sheet */

static int
list_add(struct ld *ld, const char *name, const char *file, int line)
{
	struct form *f = ld->f;
	struct form_list *l;

	if (f->nlists >= XLS_MAX_LISTS) {
		ERR(ld, line, NULL, "too many choice lists (limit %d)",
		    XLS_MAX_LISTS);
		ld->limit = 1;
		return -1;
	}
	if (ld_grow(ld, (void **)&f->lists, &ld->alists, f->nlists,
	    sizeof(*f->lists)) == -1)
		return -1;
	l = &f->lists[f->nlists];
	memset(l, 0, sizeof(*l));
	l->line = line;
	if ((l->name = ld_strdup(ld, name)) == NULL ||
	    (file != NULL && (l->file = ld_strdup(ld, file)) == NULL)) {
		ds_free(l->name);
		return -1;
	}
	return (int)f->nlists++;
}

/* Append an empty choice to list li; NULL on error. */
static struct form_choice *
choice_add(struct ld *ld, int li, size_t *acap, int line)
{
	struct form_list *l = &ld->f->lists[li];
	struct form_choice *c;

	if (ld->nchoices >= XLS_MAX_CHOICES) {
		if (ld->nchoices == XLS_MAX_CHOICES) {
			ERR(ld, line, NULL, "too many choices (limit %d)",
			    XLS_MAX_CHOICES);
			ld->nchoices++;
		}
		ld->limit = 1;
		return NULL;
	}
	if (ld_grow(ld, (void **)&l->choices, acap, l->nchoices,
	    sizeof(*l->choices)) == -1)
		return NULL;
	c = &l->choices[l->nchoices++];
	memset(c, 0, sizeof(*c));
	c->line = line;
	ld->nchoices++;
	return c;
}

static int
kv_add(struct ld *ld, struct form_kv **kv, size_t *n, const char *k,
    const char *v)
{
	struct form_kv *nk;

	if ((nk = ds_realloc(*kv, (*n + 1) * sizeof(*nk))) == NULL) {
		ld->oom = 1;
		return -1;
	}
	*kv = nk;
	nk[*n].key = ld_strdup(ld, k);
	nk[*n].value = ld_strdup(ld, v);
	if (ld->oom) {
		ds_free(nk[*n].key);
		ds_free(nk[*n].value);
		return -1;
	}
	(*n)++;
	return 0;
}

/* Check duplicate choice names of every choices-sheet list. */
static void
check_choice_dups(struct ld *ld, size_t nsheet_lists)
{
	struct strmap m;
	size_t i, j, first;
	struct form_list *l;

	for (i = 0; i < nsheet_lists && !ld->oom; i++) {
		l = &ld->f->lists[i];
		memset(&m, 0, sizeof(m));
		for (j = 0; j < l->nchoices; j++) {
			if (strmap_get(&m, l->choices[j].name, &first)) {
				if (!ld->allow_dup)
					ERR(ld, l->choices[j].line, "name",
					    "duplicate choice '%s' in list "
					    "'%s' (first at line %d)",
					    l->choices[j].name, l->name,
					    l->choices[first].line);
				continue;
			}
			if (strmap_put(&m, l->choices[j].name, j) == -1) {
				ld->oom = 1;
				break;
			}
		}
		strmap_free(&m);
	}
}

static void
load_choices(struct ld *ld)
{
	const struct xls_sheet *sh = ld->choices;
	const struct xls_row *r;
	struct col *cols;
	struct form_choice *c;
	size_t i, j, *acaps = NULL, nacaps = 0, li;
	long cl, cn;
	const char *ln, *nm;
	int bad = 0;

	if (sh == NULL || sh->nrows == 0)
		return;
	if ((cols = map_header(ld, sh, choices_aliases, 1, 0, 1)) == NULL)
		return;
	cl = col_find(cols, sh->rows[0].ncells, C_LIST_NAME);
	cn = col_find(cols, sh->rows[0].ncells, C_NAME);
	if (cl < 0) {
		ERR(ld, sh->rows[0].line, "list_name", "choices sheet has no "
		    "'list_name' column");
		bad = 1;
	}
	if (cn < 0) {
		ERR(ld, sh->rows[0].line, "name", "choices sheet has no "
		    "'name' column");
		bad = 1;
	}
	for (i = 1; i < sh->nrows && !bad && !ld->oom && !ld->limit; i++) {
		r = &sh->rows[i];
		ln = cell(r, (size_t)cl);
		nm = cell(r, (size_t)cn);
		if (ln == NULL) {
			ERR(ld, r->line, "list_name", "choice has no list "
			    "name");
			continue;
		}
		if (nm == NULL) {
			ERR(ld, r->line, "name", "choice in list '%s' has no "
			    "name", ln);
			continue;
		}
		if (!strmap_get(&ld->listmap, ln, &li)) {
			int n = list_add(ld, ln, NULL, r->line);

			if (n < 0)
				break;
			li = (size_t)n;
			if (strmap_put(&ld->listmap, ld->f->lists[li].name,
			    li) == -1) {
				ld->oom = 1;
				break;
			}
		}
		if (li >= nacaps) {
			size_t *na = ds_realloc(acaps,
			    (li + 1) * 2 * sizeof(*na));

			if (na == NULL) {
				ld->oom = 1;
				break;
			}
			memset(na + nacaps, 0, ((li + 1) * 2 - nacaps) *
			    sizeof(*na));
			acaps = na;
			nacaps = (li + 1) * 2;
		}
		if ((c = choice_add(ld, (int)li, &acaps[li], r->line)) ==
		    NULL)
			break;
		c->name = ld_strdup(ld, nm);
		for (j = 0; j < r->ncells && j < sh->rows[0].ncells &&
		    !ld->oom; j++) {
			if (r->cells[j] == NULL)
				continue;
			if (cols[j].id == C_LABEL)
				text_set(ld, &c->label, cols[j].lang,
				    r->cells[j]);
			else if (cols[j].id == C_EXTRA)
				kv_add(ld, &c->extra, &c->nextra,
				    cols[j].header, r->cells[j]);
		}
		if (c->label.v == NULL)
			WARN(ld, r->line, "label", "choice '%s' in list '%s' "
			    "has no label", nm, ln);
	}
	ds_free(acaps);
	ds_free(cols);
	check_choice_dups(ld, ld->f->nlists);
}

/* CSV lists */

/*
 * Turn CSV text into list li.  value/label name the columns (NULL: "name"
 * and "label"); `lookup` is set for lists used only by pulldata/instance,
 * which need no name or label column (then the first column is the name).
 */
static void
csv_to_list(struct ld *ld, const char *file, const char *data, size_t len,
    const char *value, const char *label, int lookup, int li, int qline)
{
	struct csv *csv = NULL;
	struct ds_err err;
	const struct csv_row *h, *r;
	struct form_choice *c;
	size_t i, j, acap = 0;
	long vc = -1, lc = -1;
	long *lcols = NULL;	/* column -> language for label::x, or -1 */
	const char *vname = value ? value : "name";
	const char *lname = label ? label : "label";

	ds_err_clear(&err);
	if (csv_parse(data, len, NULL, &csv, &err) != DS_OK) {
		ld_diag(ld, file, err.line, NULL, 1, "%s", err.msg);
		if (err.code == DS_ENOMEM)
			ld->oom = 1;
		return;
	}
	if (csv->nrows == 0) {
		ERR(ld, qline, "type", "%s is empty", file);
		goto out;
	}
	h = &csv->rows[0];
	if ((lcols = ds_calloc(h->ncells + 1, sizeof(*lcols))) == NULL) {
		ld->oom = 1;
		goto out;
	}
	for (i = 0; i < h->ncells; i++) {
		lcols[i] = -1;
		if (!xls_utf8_valid(h->cells[i], strlen(h->cells[i]))) {
			ld_diag(ld, file, h->line, NULL, 1, "invalid UTF-8");
			goto out;
		}
		if (vc < 0 && strcmp(h->cells[i], vname) == 0)
			vc = (long)i;
		else if (lc < 0 && strcmp(h->cells[i], lname) == 0)
			lc = (long)i;
		else if (label == NULL && strncmp(h->cells[i], "label::", 7) ==
		    0) {
			const char *l = h->cells[i] + 7;

			lcols[i] = lang_index(ld, l, strlen(l), 0, 0);
			if (lcols[i] < 0)
				ld_diag(ld, file, h->line, h->cells[i], 0,
				    "language '%s' is not used by the form; "
				    "column ignored", l);
			else
				lcols[i] += 1000000;	/* marks a label */
		}
	}
	if (!lookup && vc < 0) {
		ERR(ld, qline, "type", "%s has no column '%s'", file, vname);
		goto out;
	}
	if (!lookup && lc < 0 && label != NULL) {
		ERR(ld, qline, "type", "%s has no column '%s'", file, lname);
		goto out;
	}
	if (lookup && vc < 0) {
		if (h->ncells == 0)
			goto out;
		vc = 0;
	}
	for (i = 1; i < csv->nrows && !ld->oom && !ld->limit; i++) {
		r = &csv->rows[i];
		for (j = 0; j < r->ncells; j++)
			if (!xls_utf8_valid(r->cells[j],
			    strlen(r->cells[j]))) {
				ld_diag(ld, file, r->line, NULL, 1,
				    "invalid UTF-8");
				goto out;
			}
		if ((size_t)vc >= r->ncells || r->cells[vc][0] == '\0') {
			/* A row without a value cannot be chosen or found. */
			continue;
		}
		if ((c = choice_add(ld, li, &acap, r->line)) == NULL)
			break;
		c->name = ld_strdup(ld, r->cells[vc]);
		for (j = 0; j < r->ncells && j < h->ncells && !ld->oom; j++) {
			if (r->cells[j][0] == '\0' || (long)j == vc)
				continue;
			if ((long)j == lc)
				text_set(ld, &c->label, ld->f->default_lang,
				    r->cells[j]);
			else if (lcols[j] >= 1000000)
				text_set(ld, &c->label,
				    (int)(lcols[j] - 1000000), r->cells[j]);
			else
				kv_add(ld, &c->extra, &c->nextra, h->cells[j],
				    r->cells[j]);
		}
	}
out:
	ds_free(lcols);
	csv_free(csv);
}

/* A plain file name: no directory parts, not hidden. */
static int
file_name_ok(const char *s)
{
	return s[0] != '\0' && s[0] != '.' && strchr(s, '/') == NULL &&
	    strchr(s, '\\') == NULL;
}

/*
 * The list for (file, value, label): load it on first use.  Returns the
 * list index or -1 (error reported, or missing and `optional`).
 */
static int
csv_list(struct ld *ld, const char *file, const char *value,
    const char *label, int lookup, int optional, int qline)
{
	struct csvlist *cl;
	struct ds_err err;
	char *data = NULL, name[600];
	size_t i, len = 0;
	enum ds_status rc;
	int li;

	for (i = 0; i < ld->ncsvs; i++) {
		cl = &ld->csvs[i];
		if (strcmp(cl->file, file) == 0 &&
		    (value == NULL ? cl->value == NULL : cl->value != NULL &&
		    strcmp(cl->value, value) == 0) &&
		    (label == NULL ? cl->label == NULL : cl->label != NULL &&
		    strcmp(cl->label, label) == 0))
			return cl->list;
	}
	if (!file_name_ok(file)) {
		ERR(ld, qline, "type", "'%s' is not a plain file name", file);
		return -1;
	}
	if (ld->opts->fetch == NULL) {
		if (!optional)
			ERR(ld, qline, "type", "cannot read %s: no directory "
			    "to read it from", file);
		return -1;
	}
	ds_err_clear(&err);
	rc = ld->opts->fetch(ld->opts->fetch_arg, file, &data, &len, &err);
	if (rc == DS_ENOENT && optional)
		return -1;
	if ((cl = ds_realloc(ld->csvs, (ld->ncsvs + 1) * sizeof(*cl))) ==
	    NULL) {
		ds_free(data);
		ld->oom = 1;
		return -1;
	}
	ld->csvs = cl;
	cl = &ld->csvs[ld->ncsvs];
	memset(cl, 0, sizeof(*cl));
	cl->list = -1;
	if ((cl->file = ld_strdup(ld, file)) == NULL ||
	    (value != NULL && (cl->value = ld_strdup(ld, value)) == NULL) ||
	    (label != NULL && (cl->label = ld_strdup(ld, label)) == NULL)) {
		ds_free(cl->file);
		ds_free(cl->value);
		ds_free(data);
		return -1;
	}
	ld->ncsvs++;
	if (rc != DS_OK) {
		if (rc == DS_ENOENT)
			ERR(ld, qline, "type", "%s not found next to the form",
			    file);
		else
			ERR(ld, qline, "type", "cannot read %s: %s", file,
			    err.msg);
		if (rc == DS_ENOMEM)
			ld->oom = 1;
		ds_free(data);
		return -1;
	}
	if (len > XLS_MAX_CSV || ld->fetched + len > XLS_MAX_FETCH) {
		ERR(ld, qline, "type", "%s is too large (%zu bytes; limit %u "
		    "per file, %u in all)", file, len, XLS_MAX_CSV,
		    XLS_MAX_FETCH);
		ld->limit = 1;
		ds_free(data);
		return -1;
	}
	ld->fetched += len;
	if (value == NULL && label == NULL)
		snprintf(name, sizeof(name), "%s", file);
	else
		snprintf(name, sizeof(name), "%s?value=%s&label=%s", file,
		    value ? value : "name", label ? label : "label");
	if ((li = list_add(ld, name, file, 1)) < 0) {
		ds_free(data);
		return -1;
	}
	csv_to_list(ld, file, data, len, value, label, lookup, li, qline);
	ds_free(data);
	cl->list = li;
	return li;
}

/* Survey sheet */

/* Normalise required/read_only spellings (pyxform BINDING_CONVERSIONS). */
static const char *
binding_conv(const char *v)
{
	static const char *const yes[] = { "yes", "Yes", "YES", "true",
	    "True", "TRUE", "true()", NULL };
	static const char *const no[] = { "no", "No", "NO", "false",
	    "False", "FALSE", "false()", NULL };
	size_t i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcmp(v, yes[i]) == 0)
			return "true()";
	for (i = 0; no[i] != NULL; i++)
		if (strcmp(v, no[i]) == 0)
			return "false()";
	return v;
}

/*
 * Parse the parameters column: pyxform splits on ';' if present, else ','
 * if present, else on whitespace; each part is key=value, key lowercased.
 */
static void
parse_params(struct ld *ld, struct form_node *nd, const char *raw, int line)
{
	char sep = strchr(raw, ';') ? ';' : strchr(raw, ',') ? ',' : ' ';
	const char *p = raw, *e, *eq;
	char key[64], *val;
	size_t kn, i;

	while (*p != '\0' && !ld->oom) {
		while (*p == sep || *p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != sep &&
		    !(sep == ' ' && *e == '\t'); e++)
			;
		eq = memchr(p, '=', (size_t)(e - p));
		if (eq == NULL) {
			ERR(ld, line, "parameters", "expected key=value, got "
			    "'%.*s'", (int)(e - p), p);
			p = e;
			continue;
		}
		kn = (size_t)(eq - p);
		while (kn > 0 && (p[kn - 1] == ' ' || p[kn - 1] == '\t'))
			kn--;
		if (kn == 0 || !lower(p, kn, key, sizeof(key))) {
			ERR(ld, line, "parameters", "bad parameter name in "
			    "'%.*s'", (int)(e - p), p);
			p = e;
			continue;
		}
		eq++;
		while (eq < e && (*eq == ' ' || *eq == '\t'))
			eq++;
		if ((val = xls_strip_dup(eq, (size_t)(e - eq), &ld->oom)) ==
		    NULL && !ld->oom) {
			ERR(ld, line, "parameters", "parameter '%s' has no "
			    "value", key);
			p = e;
			continue;
		}
		for (i = 0; i < nd->nparams; i++)
			if (strcmp(nd->params[i].key, key) == 0)
				break;
		if (i < nd->nparams) {
			ERR(ld, line, "parameters", "parameter '%s' given "
			    "twice", key);
		} else
			kv_add(ld, &nd->params, &nd->nparams, key, val);
		ds_free(val);
		p = e;
	}
}

/* pyxform: only some parameters are accepted per type. */
static void
check_params(struct ld *ld, const struct form_node *nd, int line)
{
	size_t i;
	const char *k, *r;
	int sel = nd->type == FT_SELECT_ONE || nd->type == FT_SELECT_MULTIPLE;

	for (i = 0; i < nd->nparams; i++) {
		k = nd->params[i].key;
		if (sel && (strcmp(k, "randomize") == 0 ||
		    strcmp(k, "seed") == 0))
			continue;
		if (sel && nd->from_file && (strcmp(k, "value") == 0 ||
		    strcmp(k, "label") == 0))
			continue;
		if (sel)
			ERR(ld, line, "parameters", "unknown parameter '%s' "
			    "(accepted: randomize, seed%s)", k,
			    nd->from_file ? ", value, label" : "");
		else
			ERR(ld, line, "parameters", "type '%s' takes no "
			    "parameters", form_type_name(nd->type));
	}
	if ((r = form_param(nd, "randomize")) != NULL &&
	    strcmp(r, "true") != 0 && strcmp(r, "false") != 0)
		ERR(ld, line, "parameters", "randomize must be true or false, "
		    "not '%s'", r);
	if (form_param(nd, "seed") != NULL &&
	    ((r = form_param(nd, "randomize")) == NULL ||
	    strcmp(r, "true") != 0))
		ERR(ld, line, "parameters", "seed needs randomize=true");
}

/*
 * Parse the type cell.  Returns the table row (NULL: unknown type) and for
 * selects the list or file name and or_other.
 */
static const struct qtype *
parse_type(const char *t, char *arg, size_t argsz, int *or_other,
    int *extra_words)
{
	char norm[256], *w;
	const char *p;
	size_t i, n, ln;

	*or_other = 0;
	*extra_words = 0;
	arg[0] = '\0';
	/* Collapse whitespace runs (pyxform splits the type on spaces). */
	for (p = t, n = 0; *p != '\0' && n + 1 < sizeof(norm); p++) {
		if (*p == ' ' || *p == '\t') {
			if (n > 0 && norm[n - 1] != ' ')
				norm[n++] = ' ';
		} else
			norm[n++] = *p;
	}
	while (n > 0 && norm[n - 1] == ' ')
		n--;
	norm[n] = '\0';
	for (i = 0; qtypes[i].name != NULL; i++)
		if (strcmp(qtypes[i].name, norm) == 0)
			return &qtypes[i];
	/* Selects: longest prefix first, so "select one from" beats
	 * "select one". */
	{
		const struct qtype *best = NULL;

		for (i = 0; selects[i].name != NULL; i++) {
			ln = strlen(selects[i].name);
			if (strncmp(norm, selects[i].name, ln) == 0 &&
			    (norm[ln] == ' ' || norm[ln] == '\0') &&
			    (best == NULL || ln > strlen(best->name)))
				best = &selects[i];
		}
		if (best == NULL)
			return NULL;
		w = norm + strlen(best->name);
		while (*w == ' ')
			w++;
		ln = strcspn(w, " ");
		if (ln >= argsz)
			ln = argsz - 1;
		memcpy(arg, w, ln);
		arg[ln] = '\0';
		w += strcspn(w, " ");
		while (*w == ' ')
			w++;
		if (strcmp(w, "or_other") == 0 ||
		    strcmp(w, "or specify other") == 0 ||
		    strcmp(w, "or other") == 0)
			*or_other = 1;
		else if (*w != '\0')
			*extra_words = 1;
		return best;
	}
}

static int
node_visible(enum form_type t)
{
	return !form_type_hidden(t) && t != FT_GROUP && t != FT_REPEAT &&
	    t != FT_ROOT;
}

static struct form_node *
node_new(struct ld *ld, enum form_type t, struct form_node *parent,
    int line)
{
	struct form *f = ld->f;
	struct form_node *nd, **nk;

	if (f->nnodes >= XLS_MAX_ROWS + 1) {
		ld->limit = 1;
		return NULL;
	}
	if ((nd = ds_calloc(1, sizeof(*nd))) == NULL) {
		ld->oom = 1;
		return NULL;
	}
	nd->type = t;
	nd->line = line;
	nd->list = -1;
	nd->parent = parent;
	nd->depth = parent ? parent->depth + 1 : 0;
	if (ld_grow(ld, (void **)&f->nodes, &ld->anodes, f->nnodes,
	    sizeof(*f->nodes)) == -1) {
		ds_free(nd);
		return NULL;
	}
	if (parent != NULL) {
		/* Kids arrays hold 4, then double at each power of two. */
		size_t n = parent->nkids;

		if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
			nk = ds_realloc(parent->kids, (n == 0 ? 4 : n * 2) *
			    sizeof(*nk));
			if (nk == NULL) {
				ld->oom = 1;
				ds_free(nd);
				return NULL;
			}
			parent->kids = nk;
		}
		parent->kids[parent->nkids++] = nd;
	}
	nd->index = f->nnodes;
	f->nodes[f->nnodes++] = nd;
	return nd;
}

/* Expression cells: capped. */
static char *
expr_dup(struct ld *ld, const char *v, enum col_id id, int line)
{
	if (strlen(v) > XLS_MAX_EXPR) {
		ERR(ld, line, col_name(id), "expression too long (%zu bytes, "
		    "limit %d)", strlen(v), XLS_MAX_EXPR);
		return NULL;
	}
	return ld_strdup(ld, v);
}

static void
set_field(struct ld *ld, struct form_node *nd, const struct col *c,
    const char *v, int line)
{
	char **dst = NULL;

	switch (c->id) {
	case C_LABEL:
		text_set(ld, &nd->label, c->lang, v);
		return;
	case C_HINT:
		text_set(ld, &nd->hint, c->lang, v);
		return;
	case C_REQUIRED_MSG:
		text_set(ld, &nd->required_msg, c->lang, v);
		return;
	case C_CONSTRAINT_MSG:
		text_set(ld, &nd->constraint_msg, c->lang, v);
		return;
	case C_WARNING_MSG:
		text_set(ld, &nd->warning_msg, c->lang, v);
		return;
	case C_REQUIRED:
		dst = &nd->required;
		v = binding_conv(v);
		break;
	case C_READ_ONLY:
		dst = &nd->read_only;
		v = binding_conv(v);
		break;
	case C_CONSTRAINT:
		dst = &nd->constraint;
		break;
	case C_WARNING:
		dst = &nd->warning;
		break;
	case C_RELEVANT:
		dst = &nd->relevant;
		break;
	case C_CALCULATION:
		dst = &nd->calculation;
		break;
	case C_DEFAULT:
		dst = &nd->default_value;
		break;
	case C_CHOICE_FILTER:
		dst = &nd->choice_filter;
		break;
	case C_REPEAT_COUNT:
		dst = &nd->repeat_count;
		break;
	case C_TRIGGER:
		dst = &nd->trigger;
		break;
	case C_APPEARANCE:
		ds_free(nd->appearance);
		nd->appearance = ld_strdup(ld, v);
		return;
	case C_PARAMETERS:
		parse_params(ld, nd, v, line);
		return;
	default:
		return;
	}
	ds_free(*dst);
	*dst = expr_dup(ld, v, c->id, line);
}

/* Where a group was opened, for matching its end. */
struct open_group {
	struct form_node	*node;
	const char		*written;	/* type as written */
};

static void
load_survey(struct ld *ld)
{
	const struct xls_sheet *sh = ld->survey;
	const struct xls_row *r;
	struct form *f = ld->f;
	struct col *cols;
	struct form_node *cur = f->root, *nd;
	struct open_group stack[XLS_MAX_DEPTH + 1];
	const struct qtype *qt;
	char arg[512];
	const char *type, *name;
	size_t i, j, first, depth = 0, nq = 0;
	long ct, cn;
	int or_other, extra, too_deep = 0;

	if (sh->nrows == 0) {
		ERR(ld, sh->line, NULL, "survey sheet is empty");
		return;
	}
	if ((cols = map_header(ld, sh, survey_aliases, 0, 0, 1)) == NULL)
		return;
	ct = col_find(cols, sh->rows[0].ncells, C_TYPE);
	cn = col_find(cols, sh->rows[0].ncells, C_NAME);
	if (ct < 0)
		ERR(ld, sh->rows[0].line, "type", "survey sheet has no 'type' "
		    "column");
	if (cn < 0)
		ERR(ld, sh->rows[0].line, "name", "survey sheet has no 'name' "
		    "column");
	if (ct < 0 || cn < 0) {
		ds_free(cols);
		return;
	}
	for (i = 1; i < sh->nrows && !ld->oom && !ld->limit; i++) {
		r = &sh->rows[i];
		type = cell(r, (size_t)ct);
		name = cell(r, (size_t)cn);
		if (type == NULL) {
			ERR(ld, r->line, "type", "row has no type%s%s%s",
			    name ? " (name '" : "", name ? name : "",
			    name ? "')" : "");
			continue;
		}
		qt = parse_type(type, arg, sizeof(arg), &or_other, &extra);
		if (qt == NULL) {
			ERR(ld, r->line, "type", "unknown question type '%s'",
			    type);
			continue;
		}
		if (qt->kind == TK_UNSUPPORTED) {
			ERR(ld, r->line, "type", "question type '%s' is not "
			    "supported by doorstep", qt->name);
			continue;
		}
		if (qt->kind == TK_END) {
			if (depth == 0) {
				ERR(ld, r->line, "type", "'%s' without a "
				    "matching 'begin %s'", type,
				    qt->type == FT_GROUP ? "group" : "repeat");
				continue;
			}
			depth--;
			if (stack[depth].node != NULL &&
			    stack[depth].node->type != qt->type)
				ERR(ld, r->line, "type", "'%s' closes '%s' "
				    "'%s' opened at line %d", type,
				    stack[depth].written,
				    stack[depth].node->name ?
				    stack[depth].node->name : "",
				    stack[depth].node->line);
			if (stack[depth].node != NULL)
				cur = stack[depth].node->parent;
			continue;
		}
		if (qt->kind == TK_EXTERNAL) {
			char file[600];

			if (name == NULL) {
				ERR(ld, r->line, "name", "csv-external needs "
				    "the file name (without .csv) in the "
				    "name column");
				continue;
			}
			snprintf(file, sizeof(file), "%s.csv", name);
			if (form_list_find(f, name) >= 0 &&
			    f->lists[form_list_find(f, name)].file == NULL)
				WARN(ld, r->line, "name", "csv-external '%s' "
				    "has the name of a choice list; "
				    "instance('%s') means the choice list",
				    name, name);
			(void)csv_list(ld, file, NULL, NULL, 1, 0, r->line);
			continue;
		}
		/* A question, group or repeat. */
		if (qt->kind == TK_BEGIN && depth >= XLS_MAX_DEPTH) {
			if (!too_deep)
				ERR(ld, r->line, "type", "groups nested too "
				    "deep (limit %d)", XLS_MAX_DEPTH);
			too_deep = 1;
			ld->limit = 1;
			break;
		}
		if ((nd = node_new(ld, qt->type, cur, r->line)) == NULL) {
			if (ld->limit)
				ERR(ld, r->line, NULL, "too many questions "
				    "(limit %d)", XLS_MAX_ROWS);
			break;
		}
		nq++;
		if (name == NULL) {
			ERR(ld, r->line, "name", "%s has no name",
			    qt->kind == TK_BEGIN ? (qt->type == FT_GROUP ?
			    "group" : "repeat") : "question");
		} else if (!name_valid(name)) {
			ERR(ld, r->line, "name", "invalid name '%s': a name "
			    "starts with a letter or '_' and holds only "
			    "letters, digits, '-', '_' and '.'", name);
		} else if (strcmp(name, "meta") == 0) {
			ERR(ld, r->line, "name", "the name 'meta' is reserved");
		} else if (strmap_get(&ld->names, name, &first)) {
			ERR(ld, r->line, "name", "duplicate name '%s' (first "
			    "at line %d)", name, f->nodes[first]->line);
		} else {
			nd->name = ld_strdup(ld, name);
			if (nd->name != NULL &&
			    strmap_put(&ld->names, nd->name, nd->index) == -1)
				ld->oom = 1;
		}
		for (j = 0; j < r->ncells && j < sh->rows[0].ncells &&
		    !ld->oom; j++)
			if (r->cells[j] != NULL && cols[j].id > C_EXTRA &&
			    cols[j].id != C_TYPE && cols[j].id != C_NAME)
				set_field(ld, nd, &cols[j], r->cells[j],
				    r->line);
		if (qt->kind == TK_BEGIN) {
			stack[depth].node = nd;
			stack[depth].written = type;
			depth++;
			cur = nd;
		}
		if (qt->kind == TK_SELECT || qt->kind == TK_FROM_FILE) {
			nd->or_other = or_other;
			nd->from_file = qt->kind == TK_FROM_FILE;
			if (arg[0] == '\0') {
				ERR(ld, r->line, "type", "'%s' needs %s", type,
				    nd->from_file ? "a CSV file name" :
				    "a choice list name");
			} else if (extra) {
				ERR(ld, r->line, "type", "unexpected words "
				    "after the list name in '%s'", type);
			} else if (nd->from_file) {
				const char *dot = strrchr(arg, '.');

				if (or_other)
					ERR(ld, r->line, "type", "or_other "
					    "cannot be used with %s",
					    qt->name);
				else if (dot == NULL || strcasecmp(dot, ".csv") !=
				    0)
					ERR(ld, r->line, "type", "'%s': only "
					    ".csv files are supported", arg);
				else
					nd->list = csv_list(ld, arg,
					    form_param(nd, "value"),
					    form_param(nd, "label"), 0, 0,
					    r->line);
			} else {
				size_t li;

				if (strmap_get(&ld->listmap, arg, &li))
					nd->list = (int)li;
				else
					ERR(ld, r->line, "type", "unknown "
					    "choice list '%s'", arg);
			}
		}
		check_params(ld, nd, r->line);
		if (node_visible(nd->type) && text_empty(f, &nd->label) &&
		    text_empty(f, &nd->hint))
			WARN(ld, r->line, "label", "question '%s' has no "
			    "label", name ? name : "");
		if (nd->repeat_count != NULL && nd->type != FT_REPEAT)
			WARN(ld, r->line, "repeat_count", "repeat_count only "
			    "applies to repeats; ignored");
	}
	while (depth > 0 && !ld->oom && !too_deep) {
		depth--;
		nd = stack[depth].node;
		ERR(ld, nd->line, "type", "'%s' '%s' is never closed "
		    "(missing 'end %s')", stack[depth].written,
		    nd->name ? nd->name : "",
		    nd->type == FT_GROUP ? "group" : "repeat");
	}
	if (nq == 0 && !ld->oom && ld->diags->nerrors == 0)
		ERR(ld, sh->rows[0].line, NULL, "survey has no questions");
	ds_free(cols);
}

/* Checks needing the whole form */

static const char *
setting_value(struct ld *ld, const char *key)
{
	return form_setting(ld->f, key);
}

static int
in_repeat(const struct form_node *nd)
{
	for (nd = nd->parent; nd != NULL; nd = nd->parent)
		if (nd->type == FT_REPEAT)
			return 1;
	return 0;
}

static void
load_doorstep_settings(struct ld *ld)
{
	struct form *f = ld->f;
	const struct form_node *nd;
	const char *v;
	size_t i;
	int line = ld->settings_line;

	if ((v = setting_value(ld, "household_key")) != NULL) {
		f->household_key = ld_strdup(ld, v);
		nd = form_find(f, v);
		if (nd == NULL)
			ERR(ld, line, "household_key", "unknown question "
			    "'%s'", v);
		else if (nd->type == FT_GROUP || nd->type == FT_REPEAT)
			ERR(ld, line, "household_key", "'%s' is a %s, not a "
			    "question", v, nd->type == FT_GROUP ? "group" :
			    "repeat");
		else if (in_repeat(nd))
			ERR(ld, line, "household_key", "'%s' is inside a "
			    "repeat; the household key must be answered "
			    "once", v);
	}
	if ((v = setting_value(ld, "consent")) != NULL) {
		f->consent = ld_strdup(ld, v);
		nd = form_find(f, v);
		if (nd == NULL)
			ERR(ld, line, "consent", "unknown question '%s'", v);
		else if (nd->type != FT_SELECT_ONE)
			ERR(ld, line, "consent", "consent question '%s' must "
			    "be a select_one (it is %s)", v,
			    form_type_name(nd->type));
		else if (in_repeat(nd))
			ERR(ld, line, "consent", "consent question '%s' must "
			    "not be inside a repeat", v);
		else if (nd->list >= 0) {
			const struct form_list *l = &f->lists[nd->list];

			for (i = 0; i < l->nchoices; i++)
				if (strcmp(l->choices[i].name, "yes") == 0)
					break;
			if (i == l->nchoices)
				ERR(ld, line, "consent", "list '%s' of "
				    "consent question '%s' has no choice "
				    "'yes'", l->name, v);
		}
	}
	if ((v = setting_value(ld, "instance_name")) != NULL) {
		if (strlen(v) > XLS_MAX_EXPR)
			ERR(ld, line, "instance_name", "expression too long "
			    "(limit %d)", XLS_MAX_EXPR);
		else
			f->instance_name = ld_strdup(ld, v);
	}
	f->version = ld_strdup(ld, setting_value(ld, "version"));
	f->title = ld_strdup(ld, setting_value(ld, "form_title"));
}

/*
 * pulldata('x', ...) and instance('x') may name a CSV next to the form
 * without any declaration (ODK Collect attaches media CSVs; pyxform adds
 * the instance).  Load x.csv for every such name that is not a list yet;
 * a missing file is left for the engine to report.
 */
static void
scan_lookups(struct ld *ld, const char *e)
{
	static const char *const fns[] = { "pulldata", "instance", NULL };
	const char *p, *q, *s;
	char id[256], file[300];
	size_t i, n;
	char quote;

	if (e == NULL || ld->opts->fetch == NULL)
		return;
	for (i = 0; fns[i] != NULL; i++) {
		for (p = e; (p = strstr(p, fns[i])) != NULL; p++) {
			if (p > e && (p[-1] == '_' || p[-1] == '-' ||
			    p[-1] == '.' || p[-1] == ':' ||
			    (p[-1] >= 'a' && p[-1] <= 'z') ||
			    (p[-1] >= 'A' && p[-1] <= 'Z') ||
			    (p[-1] >= '0' && p[-1] <= '9')))
				continue;
			q = p + strlen(fns[i]);
			while (*q == ' ')
				q++;
			if (*q++ != '(')
				continue;
			while (*q == ' ')
				q++;
			if (*q != '\'' && *q != '"')
				continue;
			quote = *q++;
			if ((s = strchr(q, quote)) == NULL)
				continue;
			n = (size_t)(s - q);
			if (n == 0 || n >= sizeof(id))
				continue;
			memcpy(id, q, n);
			id[n] = '\0';
			if (!name_valid(id) || form_list_find(ld->f, id) >= 0)
				continue;
			snprintf(file, sizeof(file), "%s.csv", id);
			(void)csv_list(ld, file, NULL, NULL, 1, 1, 0);
		}
	}
}

static void
load_lookups(struct ld *ld)
{
	const struct form_node *nd;
	size_t i;

	for (i = 0; i < ld->f->nnodes && !ld->oom && !ld->limit; i++) {
		nd = ld->f->nodes[i];
		scan_lookups(ld, nd->calculation);
		scan_lookups(ld, nd->relevant);
		scan_lookups(ld, nd->constraint);
		scan_lookups(ld, nd->warning);
		scan_lookups(ld, nd->required);
		scan_lookups(ld, nd->read_only);
		scan_lookups(ld, nd->default_value);
		scan_lookups(ld, nd->choice_filter);
		scan_lookups(ld, nd->repeat_count);
	}
	scan_lookups(ld, ld->f->instance_name);
}

/* Register every language of the survey and choices headers, in order. */
static void
load_langs(struct ld *ld)
{
	struct form *f = ld->f;
	struct col *c;
	const char *d;
	int i;

	if (ld->survey != NULL && ld->survey->nrows > 0 &&
	    (c = map_header(ld, ld->survey, survey_aliases, 0, 1, 0)) !=
	    NULL)
		ds_free(c);
	if (ld->choices != NULL && ld->choices->nrows > 0 &&
	    (c = map_header(ld, ld->choices, choices_aliases, 1, 1, 0)) !=
	    NULL)
		ds_free(c);
	if (ld->oom)
		return;
	d = ld->deflang ? ld->deflang : "default";
	if (f->nlangs == 0)
		(void)lang_index(ld, d, strlen(d), 1, 0);
	f->default_lang = 0;
	if ((i = lang_index(ld, d, strlen(d), 0, 0)) >= 0)
		f->default_lang = i;
	else if (ld->deflang != NULL)
		WARN(ld, ld->settings_line, "default_language", "no column "
		    "is in language '%s'", ld->deflang);
}

/* The form_id default: the source's file name without directory and
 * extension. */
static char *
file_stem(struct ld *ld, const char *src)
{
	const char *b, *dot;

	if (src == NULL)
		return ld_strdup(ld, "form");
	b = strrchr(src, '/');
	b = b ? b + 1 : src;
	dot = strrchr(b, '.');
	if (dot == NULL || dot == b)
		return ld_strdup(ld, b);
	{
		char *r = ds_strndup(b, (size_t)(dot - b));

		if (r == NULL)
			ld->oom = 1;
		return r;
	}
}

static void
pick_sheets(struct ld *ld, const struct xls_book *b)
{
	const struct xls_sheet *s;
	size_t i;

	for (i = 0; i < b->nsheets; i++) {
		s = &b->sheets[i];
		if (s->name[0] == '_')
			continue;
		if (strcasecmp(s->name, "survey") == 0)
			ld->survey = s;
		else if (strcasecmp(s->name, "choices") == 0)
			ld->choices = s;
		else if (strcasecmp(s->name, "settings") == 0)
			ld->settings = s;
		else if (strcasecmp(s->name, "external_choices") == 0 ||
		    strcasecmp(s->name, "entities") == 0 ||
		    strcasecmp(s->name, "osm") == 0) {
			WARN(ld, s->line, NULL, "sheet '%s' is not supported "
			    "by doorstep and is ignored", s->name);
			continue;
		}
	}
	/* pyxform: a book with a single sheet is the survey. */
	if (b->nsheets == 1 && ld->survey == NULL &&
	    b->sheets[0].name[0] != '_')
		ld->survey = &b->sheets[0];
}

enum ds_status
form_load_book(const struct xls_book *b, const struct xls_opts *opts,
    struct form **out, struct form_diags *diags)
{
	struct ld ld;
	struct form *f;
	size_t nerr0 = diags->nerrors, i;
	enum ds_status rc;

	memset(&ld, 0, sizeof(ld));
	ld.opts = opts;
	ld.src = opts->source ? opts->source : "form";
	ld.diags = diags;
	if ((f = ld.f = ds_calloc(1, sizeof(*f))) == NULL)
		return DS_ENOMEM;
	f->default_lang = 0;
	pick_sheets(&ld, b);
	if (ld.survey == NULL) {
		ERR(&ld, 0, NULL, "no survey sheet");
		goto done;
	}
	if ((f->source = ld_strdup(&ld, ld.src)) == NULL)
		goto done;
	load_settings(&ld);
	if (ld.oom)
		goto done;
	load_langs(&ld);
	if (ld.oom)
		goto done;
	load_choices(&ld);
	if (ld.oom || ld.limit)
		goto done;
	if ((f->root = node_new(&ld, FT_ROOT, NULL, ld.survey->line)) ==
	    NULL)
		goto done;
	load_survey(&ld);
	if (ld.oom || ld.limit)
		goto done;
	if (form_index(f) != DS_OK) {
		ld.oom = 1;
		goto done;
	}
	load_doorstep_settings(&ld);
	if (setting_value(&ld, "form_id") != NULL)
		f->id = ld_strdup(&ld, setting_value(&ld, "form_id"));
	else
		f->id = file_stem(&ld, ld.src);
	load_lookups(&ld);
done:
	strmap_free(&ld.names);
	strmap_free(&ld.listmap);
	for (i = 0; i < ld.ncsvs; i++) {
		ds_free(ld.csvs[i].file);
		ds_free(ld.csvs[i].value);
		ds_free(ld.csvs[i].label);
	}
	ds_free(ld.csvs);
	if (ld.oom || ld.limit || diags->nerrors > nerr0) {
		rc = ld.oom ? DS_ENOMEM : ld.limit ? DS_ELIMIT : DS_EPARSE;
		if (ld.oom)
			(void)form_diag_add(diags, ld.src, 0, NULL, 1,
			    "out of memory while loading the form");
		form_free(f);
		return rc;
	}
	*out = f;
	return DS_OK;
}

enum ds_status
form_load_md(const char *text, size_t len, const struct xls_opts *opts,
    struct form **out, struct form_diags *diags)
{
	struct xls_book *b = NULL;
	enum ds_status rc;

	rc = mdtable_parse(text, len, opts->source ? opts->source : "form",
	    &b, diags);
	if (rc != DS_OK)
		return rc;
	rc = form_load_book(b, opts, out, diags);
	xls_book_free(b);
	return rc;
}

enum ds_status
form_load_xlsx(const void *data, size_t len, const struct xls_opts *opts,
    struct form **out, struct form_diags *diags)
{
	struct xls_book *b = NULL;
	enum ds_status rc;

	rc = xlsx_parse(data, len, opts->source ? opts->source : "form", &b,
	    diags);
	if (rc != DS_OK)
		return rc;
	rc = form_load_book(b, opts, out, diags);
	xls_book_free(b);
	return rc;
}

/* form_load_file: siblings come from the form's directory. */
static enum ds_status
dir_fetch(void *arg, const char *name, char **data, size_t *len,
    struct ds_err *err)
{
	const char *dir = arg;
	char path[4096];
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return ds_err_set(err, DS_ELIMIT, "path too long");
	return ds_file_read(path, XLS_MAX_CSV, data, len, err);
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcasecmp(s + n - m, suf) == 0;
}

enum ds_status
form_load_file(const char *path, struct form **out, struct form_diags *diags)
{
	struct xls_opts opts;
	struct ds_err err;
	char *data = NULL, *dir;
	const char *slash;
	size_t len = 0, i, pipes;
	enum ds_status rc;
	int xlsx;

	ds_err_clear(&err);
	rc = ds_file_read(path, XLS_MAX_FILE, &data, &len, &err);
	if (rc != DS_OK) {
		if (form_diag_add(diags, path, 0, NULL, 1, "%s", err.msg) !=
		    DS_OK)
			return DS_ENOMEM;
		return rc;
	}
	slash = strrchr(path, '/');
	dir = slash ? ds_strndup(path, (size_t)(slash - path)) :
	    ds_strdup(".");
	if (dir != NULL && dir[0] == '\0') {
		ds_free(dir);
		dir = ds_strdup("/");
	}
	if (dir == NULL) {
		ds_free(data);
		return DS_ENOMEM;
	}
	if (has_suffix(path, ".xlsx"))
		xlsx = 1;
	else if (has_suffix(path, ".md"))
		xlsx = 0;
	else if (len >= 4 && memcmp(data, "PK\003\004", 4) == 0)
		xlsx = 1;
	else {
		for (i = 0, pipes = 0; i < len && i < 5120; i++)
			if (data[i] == '|')
				pipes++;
		if (pipes < 5) {
			ds_free(data);
			ds_free(dir);
			if (form_diag_add(diags, path, 0, NULL, 1, "not a "
			    "form: expected an .xlsx workbook or a pyxform "
			    "markdown (.md) file") != DS_OK)
				return DS_ENOMEM;
			return DS_EPARSE;
		}
		xlsx = 0;
	}
	opts.source = path;
	opts.fetch = dir_fetch;
	opts.fetch_arg = dir;
	if (xlsx)
		rc = form_load_xlsx(data, len, &opts, out, diags);
	else
		rc = form_load_md(data, len, &opts, out, diags);
	ds_free(data);
	ds_free(dir);
	return rc;
}
