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
 * This file holds the entry points, the sheet and header reading every
 * pass shares, and the loader's helpers (xls_int.h); xls_survey.c reads
 * the survey rows, xls_choices.c the choices, CSV lists and settings, and
 * xls_check.c the checks that need the whole form.
 *
 * Invariants of a form returned with DS_OK: see form.c.  On any error the
 * half-built form is freed; every problem found is in the diags.  The
 * loader never reads files: sibling CSVs come through opts->fetch.
 * Expressions are not parsed here (the engine does), only capped.
 */
#include "xls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arr.h"
#include "mdtable.h"
#include "mem.h"
#include "util.h"
#include "xls_biff.h"
#include "xls_int.h"
#include "xlsx.h"

/*
 * pyxform aliases.py survey_header, plus the doorstep columns.  Names are
 * in snake case (pyxform's to_snake_case: whitespace runs become '_',
 * lowercase), the form a header is compared in.
 */
const struct xls_alias xls_survey_aliases[] = {
	{ "type", C_TYPE }, { "command", C_TYPE },
	{ "name", C_NAME }, { "tag", C_NAME }, { "value", C_NAME },
	{ "label", C_LABEL }, { "caption", C_LABEL },
	{ "hint", C_HINT },
	{ "required", C_REQUIRED },
	{ "required_message", C_REQUIRED_MSG },
	{ "requiredmsg", C_REQUIRED_MSG },
	{ "constraint", C_CONSTRAINT },
	{ "constraint_message", C_CONSTRAINT_MSG },
	{ "constraining_message", C_CONSTRAINT_MSG },
	{ "warning", C_WARNING },
	{ "warning_message", C_WARNING_MSG },
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
	{ "carry", C_CARRY },
	{ "disabled", C_DISABLED },
	/* Known to pyxform, no effect on what is entered or kept. */
	{ "guidance_hint", C_IGNORED }, { "rows", C_IGNORED },
	{ "compact_tag", C_IGNORED }, { "save_to", C_IGNORED },
	{ "list_name", C_IGNORED }, { "noappearancewarning", C_IGNORED },
	{ "no_app_error_string", C_IGNORED }, { "noapperrorstring", C_IGNORED },
	{ "sms_field", C_IGNORED }, { "sms_option", C_IGNORED },
	{ "sms_separator", C_IGNORED }, { "sms_allow_media", C_IGNORED },
	{ "sms_date_format", C_IGNORED },
	{ "sms_datetime_format", C_IGNORED }, { "sms_response", C_IGNORED },
	{ "instance", C_IGNORED },
	/* Known to pyxform, shown or run by Collect, not by doorstep. */
	{ "image", C_UNUSED }, { "big-image", C_UNUSED },
	{ "audio", C_UNUSED }, { "video", C_UNUSED }, { "media", C_UNUSED },
	{ "autoplay", C_UNUSED }, { "intent", C_UNUSED },
	{ "bind", C_UNUSED }, { "control", C_UNUSED }, { "body", C_UNUSED },
	{ NULL, C_NONE }
};

/* pyxform aliases.py list_header (snake case). */
const struct xls_alias xls_choices_aliases[] = {
	{ "list_name", C_LIST_NAME },
	{ "name", C_NAME }, { "value", C_NAME },
	{ "label", C_LABEL }, { "caption", C_LABEL },
	{ "image", C_UNUSED }, { "big-image", C_UNUSED },
	{ "audio", C_UNUSED }, { "video", C_UNUSED },
	{ "media", C_UNUSED },
	{ NULL, C_NONE }
};

/* bind::ATTR and control::ATTR (body::ATTR) columns that mean one of ours
 * (pyxform survey_header maps e.g. relevant to bind::relevant). */
static const struct xls_alias bind_attrs[] = {
	{ "relevant", C_RELEVANT }, { "required", C_REQUIRED },
	{ "constraint", C_CONSTRAINT }, { "calculate", C_CALCULATION },
	{ "readonly", C_READ_ONLY }, { "jr:constraintmsg", C_CONSTRAINT_MSG },
	{ "jr:requiredmsg", C_REQUIRED_MSG },
	{ "jr:noapperrorstring", C_IGNORED },
	{ NULL, C_NONE }
};
static const struct xls_alias control_attrs[] = {
	{ "appearance", C_APPEARANCE }, { "jr:count", C_REPEAT_COUNT },
	{ NULL, C_NONE }
};

/* Canonical names a misspelt header is compared with (survey, choices). */
static const char *const survey_known[] = {
	"type", "name", "label", "hint", "required", "required_message",
	"constraint", "constraint_message", "relevant", "calculation",
	"default", "choice_filter", "repeat_count", "read_only", "appearance",
	"trigger", "parameters", "guidance_hint", "warning",
	"warning_message", "image", "audio", "video", NULL
};
static const char *const choices_known[] = {
	"list_name", "label", NULL
};

/* Columns that take ::Language suffixes. */
static int
col_translatable(enum col_id id)
{
	return id == C_LABEL || id == C_HINT || id == C_REQUIRED_MSG ||
	    id == C_CONSTRAINT_MSG || id == C_WARNING_MSG;
}

/* Canonical column names for diagnostics. */
const char *
xls_col_name(enum col_id id)
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
	case C_CARRY:		return "carry";
	case C_DISABLED:	return "disabled";
	case C_LIST_NAME:	return "list_name";
	default:		return NULL;
	}
}


void
xls_diag(struct ld *ld, const char *file, int line, const char *col,
    int is_error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (form_diag_vadd(ld->diags, file ? file : ld->src, line, col,
	    is_error, fmt, ap) != DS_OK)
		ld->oom = 1;
	va_end(ap);
}

void
xls_diagc(struct ld *ld, int line, const char *col, int is_error,
    enum form_diag_code code, const char *f0, const char *f1,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (form_diag_addc(ld->diags, ld->src, line, col, is_error, code, f0,
	    f1, "%s", msg) != DS_OK)
		ld->oom = 1;
}

char *
xls_strdup(struct ld *ld, const char *s)
{
	char *r;

	if (s == NULL)
		return NULL;
	if ((r = ds_strdup(s)) == NULL)
		ld->oom = 1;
	return r;
}

/* Grow *arr (element size sz) so that index n fits. */
int
xls_grow(struct ld *ld, void *arrp, size_t *cap, size_t n, size_t sz,
    size_t max)
{
	switch (ds_arr_grow(arrp, cap, n + 1, sz, max)) {
	case DS_OK:
		return 0;
	case DS_ENOMEM:
		ld->oom = 1;
		return -1;
	default:
		ld->limit = 1;
		return -1;
	}
}

/*
 * The content hash behind a derived version (docs/forms.md): FNV-1a 64
 * over the sheets the form uses, in book order, each as its lowercased
 * name then its rows' cells, an empty cell as nothing, cells ended by
 * 0x1f, rows by 0x1e, sheets by 0x1d; then every list file read (its
 * name, a NUL, its bytes).  Markdown and a workbook with the same cells
 * get the same version; padding, comments and styles change nothing.
 */
void
xls_hash(struct ld *ld, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = ld->hash;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	ld->hash = h;
}

static void
hash_sheet(struct ld *ld, const struct xls_sheet *sh)
{
	char lname[256];
	size_t i, j;
	const struct xls_row *r;

	if (sh == NULL)
		return;
	if (xls_lower(sh->name, strlen(sh->name), lname, sizeof(lname)))
		xls_hash(ld, lname, strlen(lname));
	for (i = 0; i < sh->nrows; i++) {
		r = &sh->rows[i];
		for (j = 0; j < r->ncells; j++) {
			if (r->cells[j] != NULL)
				xls_hash(ld, r->cells[j], strlen(r->cells[j]));
			xls_hash(ld, "\x1f", 1);
		}
		xls_hash(ld, "\x1e", 1);
	}
	xls_hash(ld, "\x1d", 1);
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

int
xls_strmap_get(const struct strmap *m, const char *key, size_t *val)
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
int
xls_strmap_put(struct strmap *m, const char *key, size_t val)
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
				(void)xls_strmap_put(&nm, m->keys[i],
				    m->vals[i]);
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

void
xls_strmap_free(struct strmap *m)
{
	ds_free(m->keys);
	ds_free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* Cells and headers */

const char *
xls_cell(const struct xls_row *r, size_t i)
{
	return i < r->ncells ? r->cells[i] : NULL;
}

/* ASCII lowercase copy into buf; 0 if it does not fit. */
int
xls_lower(const char *s, size_t n, char *buf, size_t bufsz)
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
alias_find(const struct xls_alias *tab, const char *lname)
{
	size_t i;

	for (i = 0; tab[i].name != NULL; i++)
		if (strcmp(tab[i].name, lname) == 0)
			return tab[i].id;
	return C_UNKNOWN;
}

/*
 * Edit distance with adjacent transpositions (optimal string alignment),
 * so "constriant" is one edit from "constraint".  Strings longer than
 * 63 bytes are never near a column name: returns a large number.
 */
static size_t
osa_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, c, v;
	size_t d[64][64];

	if (la >= 64 || lb >= 64)
		return 64;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			c = a[i - 1] == b[j - 1] ? 0 : 1;
			v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + c < v)
				v = d[i - 1][j - 1] + c;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/*
 * The known column a header is probably a misspelling of, or NULL: one
 * edit away (two for names of six or more bytes), the nearest first.
 */
static const char *
near_column(const char *lname, const char *const *known)
{
	const char *best = NULL;
	size_t i, d, bd = 3, max;

	if (strlen(lname) < 3)
		return NULL;
	for (i = 0; known[i] != NULL; i++) {
		max = strlen(known[i]) >= 6 ? 2 : 1;
		d = osa_distance(lname, known[i]);
		if (d > 0 && d <= max && d < bd) {
			bd = d;
			best = known[i];
		}
	}
	return best;
}

/* Python str.strip() of s[0..n) as a (pointer, length). */
static const char *
strip_span(const char *s, size_t *n)
{
	size_t k;

	while (*n > 0 && (k = xls_space_len(s, *n)) > 0) {
		s += k;
		*n -= k;
	}
	while (*n > 0) {
		for (k = 1; k <= 3 && k <= *n; k++)
			if (xls_space_len(s + *n - k, k) == k)
				break;
		if (k > 3 || k > *n)
			break;
		*n -= k;
	}
	return s;
}

/* pyxform to_snake_case: whitespace runs become one '_', ASCII lowered.
 * 0 if it does not fit. */
static int
snake_case(const char *s, size_t n, char *buf, size_t bufsz)
{
	size_t i = 0, o = 0, k;
	int gap = 0;

	s = strip_span(s, &n);
	while (i < n) {
		if ((k = xls_space_len(s + i, n - i)) > 0) {
			gap = 1;
			i += k;
			continue;
		}
		if (o + 2 >= bufsz)
			return 0;
		if (gap)
			buf[o++] = '_';
		gap = 0;
		buf[o++] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' :
		    s[i];
		i++;
	}
	buf[o] = '\0';
	return 1;
}

/* A header split into tokens (pyxform sheet_headers.process_header). */
#define HDR_TOKENS	3
struct hdr {
	/* stripped; [0] in snake case */
	char	tok[HDR_TOKENS][128];
	int	ntok;
};

/*
 * Split on "::" when the sheet uses it anywhere or the header holds it,
 * else on ':' (pyxform's older delimiter, still accepted), keeping
 * "jr:name" together.  Tokens past the third join the third.  0 when a
 * token is too long.
 */
static int
split_header(const char *hd, int use_double, struct hdr *h)
{
	const char *p = hd, *e;
	char raw[8][128];
	size_t n, nraw = 0, i, dl;
	int dbl = use_double || strstr(hd, "::") != NULL;

	dl = dbl ? 2 : 1;
	for (;;) {
		e = dbl ? strstr(p, "::") : strchr(p, ':');
		n = e ? (size_t)(e - p) : strlen(p);
		if (nraw == 8)
			return 0;
		{
			const char *t = p;
			size_t tn = n;

			t = strip_span(t, &tn);
			if (tn >= sizeof(raw[0]))
				return 0;
			memcpy(raw[nraw], t, tn);
			raw[nraw][tn] = '\0';
			nraw++;
		}
		if (e == NULL)
			break;
		p = e + dl;
	}
	/* "bind:jr:constraintMsg" keeps "jr:constraintMsg" whole. */
	for (i = 0; !dbl && i + 1 < nraw; i++)
		if (strcmp(raw[i], "jr") == 0) {
			if (strlen(raw[i + 1]) + 4 > sizeof(raw[0]))
				return 0;
			memmove(raw[i] + 3, raw[i + 1], strlen(raw[i + 1]) + 1);
			memcpy(raw[i], "jr:", 3);
			memmove(&raw[i + 1], &raw[i + 2], (nraw - i - 2) *
			    sizeof(raw[0]));
			nraw--;
		}
	memset(h, 0, sizeof(*h));
	if (!snake_case(raw[0], strlen(raw[0]), h->tok[0], sizeof(h->tok[0])))
		return 0;
	for (i = 1; i < nraw; i++) {
		size_t at = i < HDR_TOKENS ? i : HDR_TOKENS - 1;
		size_t l = strlen(h->tok[at]);

		if (i >= HDR_TOKENS) {
			if (l + strlen(raw[i]) + 3 > sizeof(h->tok[0]))
				return 0;
			memcpy(h->tok[at] + l, dbl ? "::" : ":", dl);
			l += dl;
		}
		if (l + strlen(raw[i]) + 1 > sizeof(h->tok[0]))
			return 0;
		memcpy(h->tok[at] + l, raw[i], strlen(raw[i]) + 1);
	}
	h->ntok = (int)(nraw < HDR_TOKENS ? nraw : HDR_TOKENS);
	return 1;
}

/* Case-insensitive lookup of an attribute token (bind::, control::). */
static enum col_id
attr_find(const struct xls_alias *tab, const char *t)
{
	char l[128];

	if (!xls_lower(t, strlen(t), l, sizeof(l)))
		return C_UNKNOWN;
	return alias_find(tab, l);
}

/*
 * Map a sheet's header row to columns.  `add_langs` registers the
 * languages (pass 1); later passes only look them up.  Returns NULL on
 * ENOMEM.  Diagnostics are given only when `diag` is set.
 *
 * pyxform's rules (parsing/sheet_headers.py): a header is compared in
 * snake case; it is split on "::" when any header of the sheet uses "::",
 * else on ':' ("label:English", "bind:relevant"); "bind::ATTR",
 * "control::ATTR" and "body::ATTR" name the XForm attribute a column
 * stands for, so "bind::relevant" is the relevant column; "instance::"
 * and "media::" columns add nothing to what is entered.
 */
struct col *
xls_map_header(struct ld *ld, const struct xls_sheet *sh,
    const struct xls_alias *tab, int choices, int add_langs, int diag)
{
	const struct xls_row *h = &sh->rows[0];
	struct col *cols;
	struct hdr t;
	const char *hd, *lang, *near;
	size_t i, j;
	enum col_id id;
	int use_double = 0;

	if ((cols = ds_calloc(h->ncells + 1, sizeof(*cols))) == NULL) {
		ld->oom = 1;
		return NULL;
	}
	for (i = 0; i < h->ncells; i++)
		if (h->cells[i] != NULL && strstr(h->cells[i], "::") != NULL)
			use_double = 1;
	for (i = 0; i < h->ncells; i++) {
		cols[i].lang = -1;
		if ((hd = h->cells[i]) == NULL) {
			cols[i].id = C_NONE;
			continue;
		}
		cols[i].header = hd;
		lang = NULL;
		if (!split_header(hd, use_double, &t)) {
			id = C_UNKNOWN;
			t.tok[0][0] = '\0';
		} else if (!choices && strcmp(t.tok[0], "bind") == 0 &&
		    t.ntok > 1) {
			id = attr_find(bind_attrs, t.tok[1]);
			lang = t.ntok > 2 ? t.tok[2] : NULL;
			if (id == C_UNKNOWN)
				id = C_UNUSED;
		} else if (!choices && (strcmp(t.tok[0], "control") == 0 ||
		    strcmp(t.tok[0], "body") == 0) && t.ntok > 1) {
			id = attr_find(control_attrs, t.tok[1]);
			if (id == C_UNKNOWN)
				id = C_UNUSED;
		} else if (strcmp(t.tok[0], "instance") == 0 && t.ntok > 1) {
			id = C_IGNORED;
		} else if (strcmp(t.tok[0], "media") == 0 && t.ntok > 1) {
			id = C_UNUSED;
		} else {
			id = alias_find(tab, t.tok[0]);
			lang = t.ntok > 1 ? t.tok[1] : NULL;
		}
		if (id == C_UNKNOWN) {
			near = t.tok[0][0] != '\0' ? near_column(t.tok[0],
			    choices ? choices_known : survey_known) : NULL;
			if (near != NULL) {
				if (diag)
					xls_diagc(ld, h->line, hd, 1,
					    FD_COL_TYPO, hd, near, "unknown "
					    "column '%s': did you mean '%s'?",
					    hd, near);
				cols[i].id = C_IGNORED;
				continue;
			}
			if (use_double && strchr(hd, ':') != NULL &&
			    strstr(hd, "::") == NULL) {
				struct hdr t1;

				if (diag && split_header(hd, 0, &t1) &&
				    alias_find(tab, t1.tok[0]) != C_UNKNOWN)
					xls_diagc(ld, h->line, hd, 0,
					    FD_COL_DELIM, hd, NULL, "column "
					    "'%s' uses ':' where the other "
					    "columns use '::'; it is ignored "
					    "(as pyxform does)", hd);
				else if (diag && !choices)
					xls_diagc(ld, h->line, hd, 0,
					    FD_COL_UNKNOWN, hd, NULL,
					    "unknown column is ignored");
				cols[i].id = choices ? C_EXTRA : C_IGNORED;
				continue;
			}
			if (choices) {
				cols[i].id = C_EXTRA;
				continue;
			}
			if (diag)
				xls_diagc(ld, h->line, hd, 0, FD_COL_UNKNOWN,
				    hd, NULL, "unknown column is ignored");
			cols[i].id = C_IGNORED;
			continue;
		}
		if (id == C_UNUSED || id == C_IGNORED) {
			if (diag && id == C_UNUSED)
				xls_diagc(ld, h->line, hd, 0, FD_COL_UNUSED,
				    hd, NULL, "column '%s' is not used by "
				    "doorstep; ignored", hd);
			cols[i].id = C_IGNORED;
			continue;
		}
		cols[i].id = id;
		if (lang != NULL) {
			if (!col_translatable(id)) {
				if (diag)
					WARN(ld, h->line, hd, "column '%s' "
					    "cannot be translated; ignored",
					    xls_col_name(id));
				cols[i].id = C_IGNORED;
				continue;
			}
			if (lang[0] == '\0') {
				if (diag)
					ERR(ld, h->line, hd, "empty language "
					    "name after '%s'", use_double ||
					    strstr(hd, "::") ? "::" : ":");
				cols[i].id = C_IGNORED;
				continue;
			}
			cols[i].lang = xls_lang_index(ld, lang, strlen(lang),
			    add_langs, h->line);
		} else if (col_translatable(id)) {
			const char *l = ld->deflang ? ld->deflang : "default";

			cols[i].lang = xls_lang_index(ld, l, strlen(l),
			    add_langs, h->line);
		}
		if (col_translatable(id) && cols[i].lang < 0 && !add_langs) {
			/* Languages are registered in pass 1: unreachable
			 * unless the language limit was hit. */
			cols[i].id = C_IGNORED;
			continue;
		}
		if (!diag)
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

/* Language index by name, adding it if `add`; -1 if absent or on error. */
int
xls_lang_index(struct ld *ld, const char *name, size_t n, int add, int line)
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

/* Find a column by id in a mapped header; -1 if absent. */
long
xls_col_find(const struct col *cols, size_t n, enum col_id id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cols[i].id == id)
			return (long)i;
	return -1;
}

int
xls_text_set(struct ld *ld, struct form_text *t, int lang, const char *v)
{
	if (v == NULL || lang < 0 || (size_t)lang >= ld->f->nlangs)
		return 0;
	if (t->v == NULL &&
	    (t->v = ds_calloc(ld->f->nlangs, sizeof(*t->v))) == NULL) {
		ld->oom = 1;
		return -1;
	}
	ds_free(t->v[lang]);
	t->v[lang] = xls_strdup(ld, v);
	return 0;
}

/* Names */

/* pyxform: XML names; a letter or '_' first, then letters, digits, '-',
 * '_', '.'.  Bytes >= 0x80 count as letters (non-ASCII names). */
int
xls_name_valid(const char *s)
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

int
xls_kv_add(struct ld *ld, struct form_kv **kv, size_t *n, const char *k,
    const char *v)
{
	struct form_kv *nk;

	if ((nk = ds_realloc(*kv, (*n + 1) * sizeof(*nk))) == NULL) {
		ld->oom = 1;
		return -1;
	}
	*kv = nk;
	nk[*n].key = xls_strdup(ld, k);
	nk[*n].value = xls_strdup(ld, v);
	if (ld->oom) {
		ds_free(nk[*n].key);
		ds_free(nk[*n].value);
		return -1;
	}
	(*n)++;
	return 0;
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
	    (c = xls_map_header(ld, ld->survey, xls_survey_aliases, 0, 1, 0)) !=
	    NULL)
		ds_free(c);
	if (ld->choices != NULL && ld->choices->nrows > 0 &&
	    (c = xls_map_header(ld, ld->choices, xls_choices_aliases, 1, 1,
	    0)) != NULL)
		ds_free(c);
	if (ld->external != NULL && ld->external->nrows > 0 &&
	    (c = xls_map_header(ld, ld->external, xls_choices_aliases, 1, 1,
	    0)) != NULL)
		ds_free(c);
	if (ld->oom)
		return;
	d = ld->deflang ? ld->deflang : "default";
	if (f->nlangs == 0)
		(void)xls_lang_index(ld, d, strlen(d), 1, 0);
	f->default_lang = 0;
	if ((i = xls_lang_index(ld, d, strlen(d), 0, 0)) >= 0)
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
		return xls_strdup(ld, "form");
	b = strrchr(src, '/');
	b = b ? b + 1 : src;
	dot = strrchr(b, '.');
	if (dot == NULL || dot == b)
		return xls_strdup(ld, b);
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
		else if (strcasecmp(s->name, "external_choices") == 0)
			ld->external = s;
		else if (strcasecmp(s->name, "entities") == 0 ||
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
	ld.hash = 14695981039346656037ull;
	pick_sheets(&ld, b);
	hash_sheet(&ld, ld.survey);
	hash_sheet(&ld, ld.choices);
	hash_sheet(&ld, ld.external);
	hash_sheet(&ld, ld.settings);
	if (ld.survey == NULL) {
		ERR(&ld, 0, NULL, "no survey sheet");
		goto out;
	}
	if ((f->source = xls_strdup(&ld, ld.src)) == NULL)
		goto out;
	xls_load_settings(&ld);
	if (ld.oom)
		goto out;
	load_langs(&ld);
	if (ld.oom)
		goto out;
	xls_load_choices(&ld);
	if (ld.oom || ld.limit)
		goto out;
	if ((f->root = xls_node_new(&ld, FT_ROOT, NULL, ld.survey->line)) ==
	    NULL)
		goto out;
	xls_load_survey(&ld);
	if (ld.oom || ld.limit)
		goto out;
	if (form_index(f) != DS_OK) {
		ld.oom = 1;
		goto out;
	}
	xls_load_doorstep_settings(&ld);
	if (form_setting(f, "form_id") != NULL)
		f->id = xls_strdup(&ld, form_setting(f, "form_id"));
	else
		f->id = file_stem(&ld, ld.src);
	xls_load_lookups(&ld);
	xls_derive_version(&ld);
out:
	xls_strmap_free(&ld.names);
	for (i = 0; i < ld.lnames.cap; i++)
		ds_free((char *)(uintptr_t)ld.lnames.keys[i]);
	xls_strmap_free(&ld.lnames);
	xls_strmap_free(&ld.listmap);
	xls_strmap_free(&ld.extmap);
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

/* A legacy .xls read from `path`: FreeXL's book, or LibreOffice's .xlsx
 * of it.  opts->source names it in diagnostics. */
static enum ds_status
load_biff(const char *path, const struct xls_opts *opts, struct form **out,
    struct form_diags *diags)
{
	struct xls_book *b = NULL;
	char *x = NULL;
	size_t xlen = 0;
	enum ds_status rc;

	if ((rc = xls_biff_read(path, opts->source, &b, &x, &xlen, diags)) !=
	    DS_OK)
		return rc;
	if (x != NULL) {
		rc = form_load_xlsx(x, xlen, opts, out, diags);
		ds_free(x);
		return rc;
	}
	rc = form_load_book(b, opts, out, diags);
	xls_book_free(b);
	return rc;
}

enum form_kind { FK_NONE, FK_MD, FK_XLSX, FK_XLS };

/* Which reader: by the name's suffix, else by the first bytes. */
static enum form_kind
form_kind(const char *name, const char *data, size_t len)
{
	size_t i, pipes;

	if (has_suffix(name, ".xlsx"))
		return FK_XLSX;
	if (has_suffix(name, ".md"))
		return FK_MD;
	if (len >= 4 && memcmp(data, "PK\003\004", 4) == 0)
		return FK_XLSX;
	/* Excel 97-2003: an OLE2 compound file */
	if (has_suffix(name, ".xls") || (len >= 8 && memcmp(data,
	    "\320\317\021\340\241\261\032\341", 8) == 0))
		return FK_XLS;
	for (i = 0, pipes = 0; i < len && i < 5120; i++)
		if (data[i] == '|')
			pipes++;
	return pipes >= 5 ? FK_MD : FK_NONE;
}

static enum ds_status
not_a_form(const char *name, struct form_diags *diags)
{
	if (form_diag_add(diags, name, 0, NULL, 1, "not a form: expected an "
	    ".xlsx or .xls workbook or a pyxform markdown (.md) file") !=
	    DS_OK)
		return DS_ENOMEM;
	return DS_EPARSE;
}

/* Write all of p to fd; 0 or -1. */
static int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, c, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

enum ds_status
form_load_mem(const char *name, const void *data, size_t len,
    const struct xls_opts *opts, struct form **out, struct form_diags *diags)
{
	struct xls_opts o = *opts;
	char tmp[] = "/tmp/ds-form.XXXXXX";
	enum ds_status rc;
	int fd;

	o.source = name;
	switch (form_kind(name, data, len)) {
	case FK_MD:
		return form_load_md(data, len, &o, out, diags);
	case FK_XLSX:
		return form_load_xlsx(data, len, &o, out, diags);
	case FK_XLS:
		if ((fd = mkstemp(tmp)) < 0) {
			if (form_diag_add(diags, name, 0, NULL, 1, "cannot "
			    "make a temporary file for the workbook") !=
			    DS_OK)
				return DS_ENOMEM;
			return DS_EIO;
		}
		rc = write_all(fd, data, len) == 0 ?
		    load_biff(tmp, &o, out, diags) : DS_EIO;
		if (rc == DS_EIO)
			(void)form_diag_add(diags, name, 0, NULL, 1, "cannot "
			    "write a temporary file for the workbook");
		(void)close(fd);
		(void)unlink(tmp);
		return rc;
	default:
		return not_a_form(name, diags);
	}
}

enum ds_status
form_load_file(const char *path, struct form **out, struct form_diags *diags)
{
	struct xls_opts opts;
	struct ds_err err;
	char *data = NULL, *dir;
	const char *slash;
	size_t len = 0;
	enum ds_status rc;
	enum form_kind k;

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
	opts.source = path;
	opts.fetch = dir_fetch;
	opts.fetch_arg = dir;
	switch ((k = form_kind(path, data, len))) {
	case FK_XLS:
		rc = load_biff(path, &opts, out, diags);
		break;
	case FK_XLSX:
		rc = form_load_xlsx(data, len, &opts, out, diags);
		break;
	case FK_MD:
		rc = form_load_md(data, len, &opts, out, diags);
		break;
	default:
		rc = not_a_form(path, diags);
		break;
	}
	ds_free(data);
	ds_free(dir);
	return rc;
}

