/* doorstep: XLSForm loader: the survey sheet. */
/*
 * One table row per question type (style.md §13), the type cell's
 * grammar (selects with their list or file, or_other), the parameters
 * column, and the rows themselves: nesting of groups and repeats, names,
 * and each column's value.  Expressions are only capped here.
 */
#include "xls.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mem.h"
#include "xls_int.h"

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


static int
text_empty(const struct form *f, const struct form_text *t)
{
	return form_text_get(f, t, 0) == NULL;
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
		if (kn == 0 || !xls_lower(p, kn, key, sizeof(key))) {
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
			xls_kv_add(ld, &nd->params, &nd->nparams, key, val);
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

struct form_node *
xls_node_new(struct ld *ld, enum form_type t, struct form_node *parent,
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
	if (xls_grow(ld, &f->nodes, &ld->anodes, f->nnodes,
	    sizeof(*f->nodes), XLS_MAX_ROWS + 1) == -1) {
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
		ERR(ld, line, xls_col_name(id), "expression too long (%zu "
		    "bytes, limit %d)", strlen(v), XLS_MAX_EXPR);
		return NULL;
	}
	return xls_strdup(ld, v);
}

static void
set_field(struct ld *ld, struct form_node *nd, const struct col *c,
    const char *v, int line)
{
	char **dst = NULL;

	switch (c->id) {
	case C_LABEL:
		xls_text_set(ld, &nd->label, c->lang, v);
		return;
	case C_HINT:
		xls_text_set(ld, &nd->hint, c->lang, v);
		return;
	case C_REQUIRED_MSG:
		xls_text_set(ld, &nd->required_msg, c->lang, v);
		return;
	case C_CONSTRAINT_MSG:
		xls_text_set(ld, &nd->constraint_msg, c->lang, v);
		return;
	case C_WARNING_MSG:
		xls_text_set(ld, &nd->warning_msg, c->lang, v);
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
		nd->appearance = xls_strdup(ld, v);
		return;
	case C_PARAMETERS:
		parse_params(ld, nd, v, line);
		return;
	case C_CARRY:
		v = binding_conv(v);
		if (v[0] == '\0')
			return;
		if (strcmp(v, "true()") == 0)
			nd->carry = 1;
		else if (strcmp(v, "false()") != 0)
			ERR(ld, line, "carry", "carry is yes or no, not \"%s\"",
			    v);
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

void
xls_load_survey(struct ld *ld)
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
	if ((cols = xls_map_header(ld, sh, xls_survey_aliases, 0, 0, 1)) ==
	    NULL)
		return;
	ct = xls_col_find(cols, sh->rows[0].ncells, C_TYPE);
	cn = xls_col_find(cols, sh->rows[0].ncells, C_NAME);
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
		type = xls_cell(r, (size_t)ct);
		name = xls_cell(r, (size_t)cn);
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
			(void)xls_csv_list(ld, file, NULL, NULL, 1, 0, r->line);
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
		if ((nd = xls_node_new(ld, qt->type, cur, r->line)) == NULL) {
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
		} else if (!xls_name_valid(name)) {
			ERR(ld, r->line, "name", "invalid name '%s': a name "
			    "starts with a letter or '_' and holds only "
			    "letters, digits, '-', '_' and '.'", name);
		} else if (strcmp(name, "meta") == 0) {
			ERR(ld, r->line, "name", "the name 'meta' is reserved");
		} else if (xls_strmap_get(&ld->names, name, &first)) {
			ERR(ld, r->line, "name", "duplicate name '%s' (first "
			    "at line %d)", name, f->nodes[first]->line);
		} else {
			nd->name = xls_strdup(ld, name);
			if (nd->name != NULL &&
			    xls_strmap_put(&ld->names, nd->name, nd->index) ==
			    -1)
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
				else if (dot == NULL ||
				    strcasecmp(dot, ".csv") != 0)
					ERR(ld, r->line, "type", "'%s': only "
					    ".csv files are supported", arg);
				else
					nd->list = xls_csv_list(ld, arg,
					    form_param(nd, "value"),
					    form_param(nd, "label"), 0, 0,
					    r->line);
			} else {
				size_t li;

				if (xls_strmap_get(&ld->listmap, arg, &li))
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

