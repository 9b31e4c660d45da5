/* doorstep: XLSForm loader: the survey sheet. */
/*
 * One table row per question type (style.md §13), the type cell's
 * grammar (selects with their list or file, or_other), the parameters
 * column, and the rows themselves: nesting of groups and repeats, names,
 * and each column's value.  Expressions are only capped here.
 */
#include "xls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mem.h"
#include "xls_int.h"

/* Question types: one row each (style.md §13). */
enum tkind {
	TK_QUESTION,	/* plain type */
	TK_SELECT,	/* select_* L [or_other] */
	TK_FROM_FILE,	/* select_*_from_file f.csv */
	TK_EXTERNAL_SELECT,	/* select_one_external L: external_choices */
	TK_BEGIN,	/* begin group / begin repeat */
	TK_END,		/* end group / end repeat */
	TK_LOOP,	/* begin loop over L: expanded into groups */
	TK_EXTERNAL,	/* csv-external: a lookup file, not a question */
	TK_REFUSED	/* known XLSForm type doorstep does not run */
};

struct qtype {
	const char	*name;
	enum tkind	 kind;
	enum form_type	 type;
	/* pyxform's constraint and hint, unless the row has its own */
	const char	*constraint;
	const char	*hint;
};

/*
 * pyxform question_type_dictionary.py and aliases.py: every name pyxform
 * accepts, mapped to what doorstep runs.  The refused ones carry what to
 * use instead in `hint` (a fact for the message, not form text).
 */
static const struct qtype qtypes[] = {
	{ "text", TK_QUESTION, FT_TEXT, NULL, NULL },
	{ "string", TK_QUESTION, FT_TEXT, NULL, NULL },
	{ "q string", TK_QUESTION, FT_TEXT, NULL, NULL },
	{ "add text prompt", TK_QUESTION, FT_TEXT, NULL, NULL },
	{ "phone number", TK_QUESTION, FT_TEXT, "regex(., '^\\d*$')",
	    "Enter numbers only." },
	{ "integer", TK_QUESTION, FT_INTEGER, NULL, NULL },
	{ "int", TK_QUESTION, FT_INTEGER, NULL, NULL },
	{ "q int", TK_QUESTION, FT_INTEGER, NULL, NULL },
	{ "add integer prompt", TK_QUESTION, FT_INTEGER, NULL, NULL },
	{ "percentage", TK_QUESTION, FT_INTEGER, "0 <= . and . <= 100",
	    NULL },
	{ "number of days in last month", TK_QUESTION, FT_INTEGER,
	    "0 <= . and . <= 31", "Enter a number 0-31." },
	{ "number of days in last six months", TK_QUESTION, FT_INTEGER,
	    "0 <= . and . <= 183", "Enter a number 0-183." },
	{ "number of days in last year", TK_QUESTION, FT_INTEGER,
	    "0 <= . and . <= 365", "Enter a number 0-365." },
	{ "decimal", TK_QUESTION, FT_DECIMAL, NULL, NULL },
	{ "q decimal", TK_QUESTION, FT_DECIMAL, NULL, NULL },
	{ "add decimal prompt", TK_QUESTION, FT_DECIMAL, NULL, NULL },
	{ "range", TK_QUESTION, FT_DECIMAL, NULL, NULL },
	{ "date", TK_QUESTION, FT_DATE, NULL, NULL },
	{ "q date", TK_QUESTION, FT_DATE, NULL, NULL },
	{ "add date prompt", TK_QUESTION, FT_DATE, NULL, NULL },
	{ "time", TK_QUESTION, FT_TIME, NULL, NULL },
	{ "dateTime", TK_QUESTION, FT_DATETIME, NULL, NULL },
	{ "datetime", TK_QUESTION, FT_DATETIME, NULL, NULL },
	{ "date time", TK_QUESTION, FT_DATETIME, NULL, NULL },
	{ "q date time", TK_QUESTION, FT_DATETIME, NULL, NULL },
	{ "q dateTime", TK_QUESTION, FT_DATETIME, NULL, NULL },
	{ "add date time prompt", TK_QUESTION, FT_DATETIME, NULL, NULL },
	{ "add dateTime prompt", TK_QUESTION, FT_DATETIME, NULL, NULL },
	{ "note", TK_QUESTION, FT_NOTE, NULL, NULL },
	{ "q note", TK_QUESTION, FT_NOTE, NULL, NULL },
	{ "add note prompt", TK_QUESTION, FT_NOTE, NULL, NULL },
	{ "acknowledge", TK_QUESTION, FT_ACKNOWLEDGE, NULL, NULL },
	{ "q acknowledge", TK_QUESTION, FT_ACKNOWLEDGE, NULL, NULL },
	{ "add acknowledge prompt", TK_QUESTION, FT_ACKNOWLEDGE, NULL, NULL },
	{ "trigger", TK_QUESTION, FT_ACKNOWLEDGE, NULL, NULL },
	{ "calculate", TK_QUESTION, FT_CALCULATE, NULL, NULL },
	{ "q calculate", TK_QUESTION, FT_CALCULATE, NULL, NULL },
	{ "add calculate prompt", TK_QUESTION, FT_CALCULATE, NULL, NULL },
	{ "hidden", TK_QUESTION, FT_HIDDEN, NULL, NULL },
	{ "start", TK_QUESTION, FT_START, NULL, NULL },
	{ "start time", TK_QUESTION, FT_START, NULL, NULL },
	{ "get start time", TK_QUESTION, FT_START, NULL, NULL },
	{ "end", TK_QUESTION, FT_END, NULL, NULL },
	{ "end time", TK_QUESTION, FT_END, NULL, NULL },
	{ "get end time", TK_QUESTION, FT_END, NULL, NULL },
	{ "today", TK_QUESTION, FT_TODAY, NULL, NULL },
	{ "get today", TK_QUESTION, FT_TODAY, NULL, NULL },
	{ "deviceid", TK_QUESTION, FT_DEVICEID, NULL, NULL },
	{ "device id", TK_QUESTION, FT_DEVICEID, NULL, NULL },
	{ "get device id", TK_QUESTION, FT_DEVICEID, NULL, NULL },
	{ "imei", TK_QUESTION, FT_DEVICEID, NULL, NULL },
	{ "uri:deviceid", TK_QUESTION, FT_DEVICEID, NULL, NULL },
	{ "username", TK_QUESTION, FT_USERNAME, NULL, NULL },
	{ "uri:username", TK_QUESTION, FT_USERNAME, NULL, NULL },
	{ "phonenumber", TK_QUESTION, FT_PHONENUMBER, NULL, NULL },
	{ "get phone number", TK_QUESTION, FT_PHONENUMBER, NULL, NULL },
	{ "uri:phonenumber", TK_QUESTION, FT_PHONENUMBER, NULL, NULL },
	{ "simserial", TK_QUESTION, FT_SIMSERIAL, NULL, NULL },
	{ "sim id", TK_QUESTION, FT_SIMSERIAL, NULL, NULL },
	{ "get sim id", TK_QUESTION, FT_SIMSERIAL, NULL, NULL },
	{ "uri:simserial", TK_QUESTION, FT_SIMSERIAL, NULL, NULL },
	{ "subscriberid", TK_QUESTION, FT_SUBSCRIBERID, NULL, NULL },
	{ "subscriber id", TK_QUESTION, FT_SUBSCRIBERID, NULL, NULL },
	{ "get subscriber id", TK_QUESTION, FT_SUBSCRIBERID, NULL, NULL },
	{ "uri:subscriberid", TK_QUESTION, FT_SUBSCRIBERID, NULL, NULL },
	{ "email", TK_QUESTION, FT_EMAIL, NULL, NULL },
	{ "uri:email", TK_QUESTION, FT_EMAIL, NULL, NULL },
	{ "audit", TK_QUESTION, FT_AUDIT, NULL, NULL },
	{ "geopoint", TK_QUESTION, FT_GEOPOINT, NULL, NULL },
	{ "gps", TK_QUESTION, FT_GEOPOINT, NULL, NULL },
	{ "location", TK_QUESTION, FT_GEOPOINT, NULL, NULL },
	{ "q location", TK_QUESTION, FT_GEOPOINT, NULL, NULL },
	{ "q geopoint", TK_QUESTION, FT_GEOPOINT, NULL, NULL },
	{ "add location prompt", TK_QUESTION, FT_GEOPOINT, NULL, NULL },
	{ "geotrace", TK_QUESTION, FT_GEOTRACE, NULL, NULL },
	{ "q geotrace", TK_QUESTION, FT_GEOTRACE, NULL, NULL },
	{ "geoshape", TK_QUESTION, FT_GEOSHAPE, NULL, NULL },
	{ "q geoshape", TK_QUESTION, FT_GEOSHAPE, NULL, NULL },
	{ "start-geopoint", TK_QUESTION, FT_START_GEOPOINT, NULL, NULL },
	{ "barcode", TK_QUESTION, FT_BARCODE, NULL, NULL },
	{ "q barcode", TK_QUESTION, FT_BARCODE, NULL, NULL },
	{ "add barcode prompt", TK_QUESTION, FT_BARCODE, NULL, NULL },
	{ "csv-external", TK_EXTERNAL, FT_TEXT, NULL, NULL },
	/* Attachments: a file from disk, by path (form_media.h). */
	{ "image", TK_QUESTION, FT_IMAGE, NULL, NULL },
	{ "photo", TK_QUESTION, FT_IMAGE, NULL, NULL },
	{ "q image", TK_QUESTION, FT_IMAGE, NULL, NULL },
	{ "q picture", TK_QUESTION, FT_IMAGE, NULL, NULL },
	{ "add image prompt", TK_QUESTION, FT_IMAGE, NULL, NULL },
	{ "add photo prompt", TK_QUESTION, FT_IMAGE, NULL, NULL },
	{ "audio", TK_QUESTION, FT_AUDIO, NULL, NULL },
	{ "q audio", TK_QUESTION, FT_AUDIO, NULL, NULL },
	{ "add audio prompt", TK_QUESTION, FT_AUDIO, NULL, NULL },
	{ "video", TK_QUESTION, FT_VIDEO, NULL, NULL },
	{ "q video", TK_QUESTION, FT_VIDEO, NULL, NULL },
	{ "add video prompt", TK_QUESTION, FT_VIDEO, NULL, NULL },
	{ "file", TK_QUESTION, FT_FILE, NULL, NULL },
	{ "add file prompt", TK_QUESTION, FT_FILE, NULL, NULL },
	/* Refused: `hint` says what to use instead. */
	{ "background-audio", TK_REFUSED, FT_TEXT, NULL, "a note asking "
	    "the worker to record on another device" },
	{ "background-geopoint", TK_REFUSED, FT_TEXT, NULL,
	    "geopoint or start-geopoint" },
	{ "xml-external", TK_REFUSED, FT_TEXT, NULL, "a CSV file with "
	    "csv-external" },
	/* An OpenMapKit .osm file: no map here, so attached by path. */
	{ "osm", TK_QUESTION, FT_FILE, NULL, NULL },
	{ "rank", TK_REFUSED, FT_TEXT, NULL, "one select_one per place "
	    "(first, second, ...)" },
	{ NULL, TK_QUESTION, FT_TEXT, NULL, NULL }
};

/* Select prefixes (pyxform aliases.py select, select_from_file). */
static const struct qtype selects[] = {
	{ "select_one_from_file", TK_FROM_FILE, FT_SELECT_ONE, NULL, NULL },
	{ "select_multiple_from_file", TK_FROM_FILE, FT_SELECT_MULTIPLE,
	    NULL, NULL },
	{ "select one from file", TK_FROM_FILE, FT_SELECT_ONE, NULL, NULL },
	{ "select multiple from file", TK_FROM_FILE, FT_SELECT_MULTIPLE,
	    NULL, NULL },
	{ "select_one", TK_SELECT, FT_SELECT_ONE, NULL, NULL },
	{ "select one", TK_SELECT, FT_SELECT_ONE, NULL, NULL },
	{ "select1", TK_SELECT, FT_SELECT_ONE, NULL, NULL },
	{ "select one from", TK_SELECT, FT_SELECT_ONE, NULL, NULL },
	{ "add select one prompt using", TK_SELECT, FT_SELECT_ONE, NULL,
	    NULL },
	{ "select_multiple", TK_SELECT, FT_SELECT_MULTIPLE, NULL, NULL },
	{ "select all that apply", TK_SELECT, FT_SELECT_MULTIPLE, NULL,
	    NULL },
	{ "select all that apply from", TK_SELECT, FT_SELECT_MULTIPLE, NULL,
	    NULL },
	{ "add select multiple prompt using", TK_SELECT, FT_SELECT_MULTIPLE,
	    NULL, NULL },
	{ "select_one_external", TK_EXTERNAL_SELECT, FT_SELECT_ONE, NULL,
	    NULL },
	{ "select_multiple_external", TK_EXTERNAL_SELECT, FT_SELECT_MULTIPLE,
	    NULL, NULL },
	{ "rank", TK_REFUSED, FT_TEXT, NULL, "one select_one per place "
	    "(first, second, ...)" },
	/* "osm TAGS": the tags are for the map widget (sheet `osm`). */
	{ "osm", TK_QUESTION, FT_FILE, NULL, NULL },
	{ NULL, TK_QUESTION, FT_TEXT, NULL, NULL }
};

/* begin/end words (pyxform aliases.py control): loop is expanded. */
static const struct {
	const char	*word;
	enum tkind	 kind;	/* TK_BEGIN or TK_LOOP */
	enum form_type	 type;
} controls[] = {
	{ "looped group", TK_BEGIN, FT_REPEAT },
	{ "group", TK_BEGIN, FT_GROUP },
	{ "lgroup", TK_BEGIN, FT_REPEAT },
	{ "repeat", TK_BEGIN, FT_REPEAT },
	{ "loop", TK_LOOP, FT_GROUP },
	{ NULL, TK_BEGIN, FT_GROUP }
};
static const struct qtype q_begin_group = { "begin group", TK_BEGIN, FT_GROUP,
    NULL, NULL };
static const struct qtype q_begin_repeat = { "begin repeat", TK_BEGIN,
    FT_REPEAT, NULL, NULL };
static const struct qtype q_end_group = { "end group", TK_END, FT_GROUP, NULL,
    NULL };
static const struct qtype q_end_repeat = { "end repeat", TK_END, FT_REPEAT,
    NULL, NULL };
static const struct qtype q_loop = { "begin loop", TK_LOOP, FT_GROUP, NULL,
    NULL };

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

/* Copy the word at w (up to a space) into arg; returns past it. */
static const char *
take_word(const char *w, char *arg, size_t argsz)
{
	size_t ln;

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
	return w;
}

/*
 * begin/end rows (pyxform's regexes): "begin" or "end", then ' ' or '_',
 * then a control word; "begin" may add "[over] LIST".  NULL if t is not
 * one.
 */
static const struct qtype *
parse_control(const char *t, char *arg, size_t argsz, int *extra_words)
{
	const char *w;
	size_t i, n;
	int begin;

	if (strncmp(t, "begin", 5) == 0 && (t[5] == ' ' || t[5] == '_'))
		begin = 1;
	else if (strncmp(t, "end", 3) == 0 && (t[3] == ' ' || t[3] == '_'))
		begin = 0;
	else
		return NULL;
	w = t + (begin ? 6 : 4);
	for (i = 0; controls[i].word != NULL; i++) {
		n = strlen(controls[i].word);
		if (strncmp(w, controls[i].word, n) == 0 &&
		    (w[n] == '\0' || w[n] == ' '))
			break;
	}
	if (controls[i].word == NULL)
		return NULL;
	w += n;
	while (*w == ' ')
		w++;
	if (!begin)
		return *w != '\0' ? NULL : controls[i].kind == TK_LOOP ?
		    &q_end_group : controls[i].type == FT_GROUP ?
		    &q_end_group : &q_end_repeat;
	if (strncmp(w, "over ", 5) == 0)
		w += 5;
	w = take_word(w, arg, argsz);
	if (*w != '\0')
		*extra_words = 1;
	if (controls[i].kind == TK_LOOP)
		return &q_loop;
	return controls[i].type == FT_GROUP ? &q_begin_group :
	    &q_begin_repeat;
}

/*
 * Parse the type cell.  Returns the table row (NULL: unknown type) and for
 * selects and loops the list or file name, and or_other.
 */
static const struct qtype *
parse_type(const char *t, char *arg, size_t argsz, int *or_other,
    int *extra_words)
{
	char norm[256];
	const char *p, *w;
	const struct qtype *best = NULL;
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
	if ((best = parse_control(norm, arg, argsz, extra_words)) != NULL)
		return best;
	/* Selects: longest prefix first, so "select one from" beats
	 * "select one". */
	for (i = 0; selects[i].name != NULL; i++) {
		ln = strlen(selects[i].name);
		if (strncmp(norm, selects[i].name, ln) == 0 &&
		    (norm[ln] == ' ' || norm[ln] == '\0') &&
		    (best == NULL || ln > strlen(best->name)))
			best = &selects[i];
	}
	if (best == NULL)
		return NULL;
	w = take_word(norm + strlen(best->name), arg, argsz);
	if (strcmp(w, "or_other") == 0 ||
	    strcmp(w, "or specify other") == 0 ||
	    strcmp(w, "or other") == 0)
		*or_other = 1;
	else if (*w != '\0')
		*extra_words = 1;
	return best;
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

/* The list of a select: choices sheet, CSV file or external_choices. */
static void
select_list(struct ld *ld, struct form_node *nd, const struct qtype *qt,
    const char *type, const char *arg, int or_other, int extra, int line)
{
	size_t li;

	nd->or_other = or_other;
	nd->from_file = qt->kind == TK_FROM_FILE;
	if (arg[0] == '\0') {
		ERR(ld, line, "type", "'%s' needs %s", type, nd->from_file ?
		    "a CSV file name" : "a choice list name");
	} else if (extra) {
		ERR(ld, line, "type", "unexpected words after the list name "
		    "in '%s'", type);
	} else if (nd->from_file) {
		const char *dot = strrchr(arg, '.');

		if (or_other)
			ERR(ld, line, "type", "or_other cannot be used with "
			    "%s", qt->name);
		else if (dot == NULL || strcasecmp(dot, ".csv") != 0)
			ERR(ld, line, "type", "'%s': only .csv files are "
			    "supported", arg);
		else
			nd->list = xls_csv_list(ld, arg,
			    form_param(nd, "value"), form_param(nd, "label"),
			    0, 0, line);
	} else if (qt->kind == TK_EXTERNAL_SELECT) {
		if (ld->external == NULL)
			ERR(ld, line, "type", "'%s' needs an external_choices "
			    "sheet (columns list_name, name, label)", type);
		else if (xls_strmap_get(&ld->extmap, arg, &li))
			nd->list = (int)li;
		else
			ERR(ld, line, "type", "list '%s' is not in the "
			    "external_choices sheet", arg);
	} else if (xls_strmap_get(&ld->listmap, arg, &li))
		nd->list = (int)li;
	else
		ERR(ld, line, "type", "unknown choice list '%s'", arg);
}

/* A number parameter of range; 0 and an error if it is not one. */
static int
range_num(struct ld *ld, const struct form_node *nd, const char *key,
    double dflt, double *v, int line)
{
	const char *s = form_param(nd, key);
	char *end;

	*v = dflt;
	if (s == NULL)
		return 1;
	*v = strtod(s, &end);
	if (end == s || *end != '\0' || *v != *v) {
		ERR(ld, line, "parameters", "range %s must be a number, not "
		    "'%s'", key, s);
		return 0;
	}
	return 1;
}

/*
 * range (pyxform: parameters start, end, step; defaults 1, 10, 1): a
 * number typed on the keyboard, kept between start and end on the step
 * by a constraint added to the row's own; integer when all three are.
 */
static void
range_params(struct ld *ld, struct form_node *nd, int line)
{
	double st, en, sp, from;
	char c[XLS_MAX_EXPR + 512], *nc;
	size_t i;

	for (i = 0; i < nd->nparams; i++)
		if (strcmp(nd->params[i].key, "start") != 0 &&
		    strcmp(nd->params[i].key, "end") != 0 &&
		    strcmp(nd->params[i].key, "step") != 0)
			ERR(ld, line, "parameters", "unknown parameter '%s' "
			    "(accepted: start, end, step)",
			    nd->params[i].key);
	nd->range = 1;
	if (!range_num(ld, nd, "start", 1, &st, line) ||
	    !range_num(ld, nd, "end", 10, &en, line) ||
	    !range_num(ld, nd, "step", 1, &sp, line))
		return;
	if (sp == 0 || (en - st) * sp < 0) {
		ERR(ld, line, "parameters", "range step %g cannot go from %g "
		    "to %g", sp, st, en);
		return;
	}
	if (st == (long long)st && en == (long long)en && sp == (long long)sp)
		nd->type = FT_INTEGER;
	/* The steps count from start, also when it is the upper end. */
	from = st;
	if (st > en) {
		double t = st;

		st = en;
		en = t;
	}
	if (nd->type == FT_INTEGER)
		snprintf(c, sizeof(c), "%s%s%s. >= %.17g and . <= %.17g and "
		    "(. - %.17g) mod %.17g = 0", nd->constraint ? "(" : "",
		    nd->constraint ? nd->constraint : "",
		    nd->constraint ? ") and " : "", st, en, from,
		    sp < 0 ? -sp : sp);
	else	/* on the step too, to a millionth of it (binary fractions) */
		snprintf(c, sizeof(c), "%s%s%s. >= %.17g and . <= %.17g and "
		    "abs((. - %.17g) div %.17g - round((. - %.17g) div %.17g)) "
		    "< 0.000001", nd->constraint ? "(" : "",
		    nd->constraint ? nd->constraint : "",
		    nd->constraint ? ") and " : "", st, en, from,
		    sp < 0 ? -sp : sp, from, sp < 0 ? -sp : sp);
	if ((nc = xls_strdup(ld, c)) != NULL) {
		ds_free(nd->constraint);
		nd->constraint = nc;
	}
}

/* Where a group was opened, for matching its end. */
struct open_group {
	struct form_node	*node;
	const char		*written;	/* type as written */
};

/*
 * The choice a `begin loop over L` body is being copied for.  pyxform
 * (builder.py) copies the loop's direct rows once per choice, each into a
 * group named after the choice, and formats their cells with Python's
 * "%": "%(name)s", "%(label)s" and any other choice column.
 */
struct loopctx {
	const struct form_list		*list;
	const struct form_choice	*c;
	size_t				 depth;	/* of the body rows */
};

/* The survey pass. */
struct sv {
	const struct xls_sheet	*sh;
	struct col		*cols;
	size_t			 ncols;
	long			 ct, cn, cdis;
	struct form_node	*cur;
	struct open_group	 stack[XLS_MAX_DEPTH + 1];
	size_t			 depth;
	size_t			 nq;
	int			 too_deep;
	unsigned char		*dup;	/* per node: name not unique */
	size_t			 adup;
};

static int
yes_spelling(const char *v)
{
	return v != NULL && strcmp(binding_conv(v), "true()") == 0;
}

/* A column's value for language-free uses: the choice label in the
 * default language, or a choice column. */
static const char *
choice_value(const struct ld *ld, const struct form_choice *c,
    const char *key, int lang)
{
	size_t i;

	if (strcmp(key, "name") == 0)
		return c->name;
	if (strcmp(key, "label") == 0) {
		const char *l = form_text_get(ld->f, &c->label, lang);

		return l ? l : "";
	}
	for (i = 0; i < c->nextra; i++)
		if (strcmp(c->extra[i].key, key) == 0)
			return c->extra[i].value ? c->extra[i].value : "";
	return NULL;
}

/*
 * Format a loop-body cell as pyxform does (Python's "%" with the choice as
 * the mapping).  Returns a new string, or NULL (ld->oom, or an error
 * reported for an unknown key).
 */
static char *
loop_subst(struct ld *ld, const struct loopctx *lc, const char *v, int lang,
    int line, const char *col)
{
	struct ds_buf b;
	const char *p, *e, *val;
	char key[128];
	size_t kn;

	ds_buf_init(&b, XLS_MAX_CELL * 4);
	for (p = v; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == '%') {
			if (ds_buf_addc(&b, '%') != DS_OK)
				goto oom;
			p++;
			continue;
		}
		if (p[0] == '%' && p[1] == '(' &&
		    (e = strchr(p + 2, ')')) != NULL && e[1] == 's') {
			kn = (size_t)(e - p - 2);
			if (kn >= sizeof(key))
				kn = sizeof(key) - 1;
			memcpy(key, p + 2, kn);
			key[kn] = '\0';
			val = choice_value(ld, lc->c, key, lang);
			if (val == NULL) {
				ERR(ld, line, col, "'%%(%s)s': list '%s' has "
				    "no column '%s'", key, lc->list->name,
				    key);
				ds_buf_reset(&b);
				return NULL;
			}
			if (ds_buf_adds(&b, val) != DS_OK)
				goto oom;
			p = e + 1;
			continue;
		}
		if (ds_buf_addc(&b, *p) != DS_OK)
			goto oom;
	}
	if (ds_buf_addc(&b, '\0') != DS_OK)
		goto oom;
	return ds_buf_take(&b, NULL);
oom:
	ds_buf_reset(&b);
	ld->oom = 1;
	return NULL;
}

/* Is there a kid of parent, other than nd, called name?  pyxform
 * compares siblings' names ignoring case ("age" and "Age" clash). */
static const struct form_node *
sibling_named(const struct form_node *parent, const struct form_node *nd,
    const char *name)
{
	size_t i;

	for (i = 0; i < parent->nkids; i++)
		if (parent->kids[i] != nd && parent->kids[i]->name != NULL &&
		    strcasecmp(parent->kids[i]->name, name) == 0)
			return parent->kids[i];
	return NULL;
}

static void
mark_dup(struct ld *ld, struct sv *sv, size_t i)
{
	size_t old = sv->adup;

	if (xls_grow(ld, &sv->dup, &sv->adup, i, 1, XLS_MAX_ROWS + 1) == -1)
		return;
	if (sv->adup > old)
		memset(sv->dup + old, 0, sv->adup - old);
	sv->dup[i] = 1;
}

/* Has a name equal to name, ignoring ASCII case, been seen?  Records it. */
static int
lname_seen(struct ld *ld, const char *name)
{
	char *l;
	size_t v, i;

	if ((l = xls_strdup(ld, name)) == NULL)
		return 0;
	for (i = 0; l[i] != '\0'; i++)
		if (l[i] >= 'A' && l[i] <= 'Z')
			l[i] += 'a' - 'A';
	if (xls_strmap_get(&ld->lnames, l, &v)) {
		ds_free(l);
		return 1;
	}
	if (xls_strmap_put(&ld->lnames, l, 0) == -1) {
		ds_free(l);
		ld->oom = 1;
	}
	return 0;
}

/* Name a new node: pyxform wants names unique among siblings only. */
static void
node_name(struct ld *ld, struct sv *sv, struct form_node *nd,
    const char *name, int line, const char *kind)
{
	const struct form_node *o;
	size_t first;

	if (name == NULL) {
		ERR(ld, line, "name", "%s has no name", kind);
		return;
	}
	if (!xls_name_valid(name)) {
		ERR(ld, line, "name", "invalid name '%s': a name starts with "
		    "a letter or '_' and holds only letters, digits, '-', "
		    "'_' and '.'", name);
		return;
	}
	if (strcmp(name, "meta") == 0) {
		ERR(ld, line, "name", "the name 'meta' is reserved");
		return;
	}
	/* Siblings are compared only when the name, case folded, was
	 * seen before: a flat form of many rows stays linear. */
	if (lname_seen(ld, name) &&
	    (o = sibling_named(nd->parent, nd, name)) != NULL) {
		ERR(ld, line, "name", "duplicate name '%s' (first at line %d)",
		    name, o->line);
		return;
	}
	if (xls_strmap_get(&ld->names, name, &first)) {
		/* pyxform: a repeat's name is unique in the whole form
		 * (its data is a table of that name). */
		if (nd->type == FT_REPEAT ||
		    ld->f->nodes[first]->type == FT_REPEAT) {
			ERR(ld, line, "name", "'%s' is the name of a repeat "
			    "and of another row (line %d): a repeat's name "
			    "must be unique in the form", name,
			    ld->f->nodes[first]->line);
			return;
		}
		mark_dup(ld, sv, first);
		mark_dup(ld, sv, nd->index);
		nd->name = xls_strdup(ld, name);
		return;
	}
	nd->name = xls_strdup(ld, name);
	if (nd->name != NULL &&
	    xls_strmap_put(&ld->names, nd->name, nd->index) == -1)
		ld->oom = 1;
}

/* The row of the `end loop` closing the loop begun at row i, or `to`. */
static size_t
loop_end(const struct sv *sv, size_t i, size_t to)
{
	const struct qtype *qt;
	const char *type;
	char arg[512];
	size_t k, level = 0;
	int oo, ex;

	for (k = i + 1; k < to; k++) {
		type = xls_cell(&sv->sh->rows[k], (size_t)sv->ct);
		if (type == NULL ||
		    (qt = parse_type(type, arg, sizeof(arg), &oo, &ex)) ==
		    NULL)
			continue;
		if (qt->kind == TK_BEGIN || qt->kind == TK_LOOP)
			level++;
		else if (qt->kind == TK_END) {
			if (level == 0)
				return k;
			level--;
		}
	}
	return to;
}

static void survey_rows(struct ld *, struct sv *, size_t, size_t,
    const struct loopctx *);

/* Set the cells of row r on node nd (loop cells formatted first). */
static void
row_fields(struct ld *ld, struct sv *sv, struct form_node *nd,
    const struct xls_row *r, const struct loopctx *lc)
{
	const struct col *c;
	char *v;
	size_t j;

	for (j = 0; j < r->ncells && j < sv->ncols && !ld->oom; j++) {
		c = &sv->cols[j];
		if (r->cells[j] == NULL || c->id <= C_EXTRA ||
		    c->id == C_TYPE || c->id == C_NAME || c->id == C_DISABLED)
			continue;
		if (lc == NULL) {
			set_field(ld, nd, c, r->cells[j], r->line);
			continue;
		}
		v = loop_subst(ld, lc, r->cells[j], c->lang >= 0 ? c->lang :
		    ld->f->default_lang, r->line, xls_col_name(c->id));
		if (v != NULL)
			set_field(ld, nd, c, v, r->line);
		ds_free(v);
	}
}

/* `begin loop over L` at row i, closed at row `end`: one group per
 * choice of L (but "none"), each holding a copy of the body. */
static void
expand_loop(struct ld *ld, struct sv *sv, size_t i, size_t end,
    const char *list, const char *name, const struct loopctx *outer)
{
	const struct xls_row *r = &sv->sh->rows[i];
	struct form_node *loop, *g, *saved = sv->cur;
	struct loopctx lc;
	const struct form_list *l;
	size_t li, k, d0 = sv->depth;
	int lang;

	if (outer != NULL) {
		ERR(ld, r->line, "type", "a loop inside a loop is not "
		    "supported; use a repeat");
		return;
	}
	if (list[0] == '\0') {
		ERR(ld, r->line, "type", "'begin loop' needs a choice list: "
		    "begin loop over LIST");
		return;
	}
	if (!xls_strmap_get(&ld->listmap, list, &li)) {
		ERR(ld, r->line, "type", "unknown choice list '%s'", list);
		return;
	}
	if (sv->depth >= XLS_MAX_DEPTH - 1) {
		ERR(ld, r->line, "type", "groups nested too deep (limit %d)",
		    XLS_MAX_DEPTH);
		ld->limit = 1;
		return;
	}
	l = &ld->f->lists[li];
	if ((loop = xls_node_new(ld, FT_GROUP, sv->cur, r->line)) == NULL)
		return;
	sv->nq++;
	node_name(ld, sv, loop, name, r->line, "loop");
	row_fields(ld, sv, loop, r, NULL);
	sv->stack[sv->depth].node = loop;
	sv->stack[sv->depth].written = "begin loop";
	sv->depth++;
	for (k = 0; k < l->nchoices && !ld->oom && !ld->limit; k++) {
		if (strcmp(l->choices[k].name, "none") == 0)
			continue;
		if ((g = xls_node_new(ld, FT_GROUP, loop, r->line)) == NULL)
			break;
		node_name(ld, sv, g, l->choices[k].name, l->choices[k].line,
		    "choice");
		for (lang = 0; lang < (int)ld->f->nlangs; lang++)
			if (l->choices[k].label.v != NULL)
				xls_text_set(ld, &g->label, lang,
				    l->choices[k].label.v[lang]);
		lc.list = l;
		lc.c = &l->choices[k];
		lc.depth = sv->depth + 1;
		sv->stack[sv->depth].node = g;
		sv->stack[sv->depth].written = "begin loop";
		sv->depth++;
		sv->cur = g;
		survey_rows(ld, sv, i + 1, end, &lc);
		if (sv->depth != d0 + 2) {
			/* The body left a group open or closed one too
			 * many: reported once, for the first choice. */
			if (k == 0)
				ERR(ld, r->line, "type", "groups inside "
				    "loop '%s' do not match", name ? name :
				    "");
			sv->depth = d0 + 2;
		}
		sv->depth--;
	}
	sv->depth = d0;
	sv->cur = saved;
}

/* One survey row. Returns the index of the last row it used. */
static size_t
survey_row(struct ld *ld, struct sv *sv, size_t i, size_t to,
    const struct loopctx *lc)
{
	const struct xls_row *r = &sv->sh->rows[i];
	struct form *f = ld->f;
	struct form_node *nd;
	const struct qtype *qt;
	char arg[512], gen[64], *sname = NULL;
	const char *type, *name;
	size_t k;
	int or_other, extra, lab = 0;

	/* Only a loop body's own rows are formatted (pyxform). */
	if (lc != NULL && sv->depth != lc->depth)
		lc = NULL;
	if (sv->cdis >= 0 && yes_spelling(xls_cell(r, (size_t)sv->cdis)))
		return i;
	type = xls_cell(r, (size_t)sv->ct);
	name = xls_cell(r, (size_t)sv->cn);
	if (type == NULL) {
		for (k = 0; k < r->ncells && k < sv->ncols; k++)
			if (r->cells[k] != NULL && sv->cols[k].id == C_LABEL)
				lab = 1;
		/* pyxform: a row with neither name nor label is a comment
		 * row, skipped with a warning. */
		if (name == NULL && !lab)
			WARN(ld, r->line, "type", "row without type, name or "
			    "label is skipped");
		else
			ERR(ld, r->line, "type", "row has no type%s%s%s",
			    name ? " (name '" : "", name ? name : "",
			    name ? "')" : "");
		return i;
	}
	qt = parse_type(type, arg, sizeof(arg), &or_other, &extra);
	if (qt == NULL) {
		ERR(ld, r->line, "type", "unknown question type '%s'", type);
		return i;
	}
	if (qt->kind == TK_REFUSED) {
		xls_diagc(ld, r->line, "type", 1, FD_TYPE_REFUSED, qt->name,
		    qt->hint, "question type '%s' is not supported by "
		    "doorstep; use %s", qt->name, qt->hint);
		return i;
	}
	if (qt->type == FT_FILE && arg[0] != '\0')
		xls_diagc(ld, r->line, "type", 0, FD_TYPE_TAGS, arg, NULL,
		    "the tags of list '%s' are not offered: the .osm file is "
		    "attached as it is", arg);
	if (qt->kind == TK_END) {
		if (sv->depth == 0 || (lc != NULL && sv->depth <= lc->depth)) {
			ERR(ld, r->line, "type", "'%s' without a matching "
			    "'begin %s'", type,
			    qt->type == FT_GROUP ? "group" : "repeat");
			return i;
		}
		sv->depth--;
		nd = sv->stack[sv->depth].node;
		if (nd != NULL && nd->type != qt->type)
			ERR(ld, r->line, "type", "'%s' closes '%s' '%s' "
			    "opened at line %d", type,
			    sv->stack[sv->depth].written,
			    nd->name ? nd->name : "", nd->line);
		if (nd != NULL)
			sv->cur = nd->parent;
		return i;
	}
	if (qt->kind == TK_EXTERNAL) {
		char file[600];

		if (name == NULL) {
			ERR(ld, r->line, "name", "csv-external needs the file "
			    "name (without .csv) in the name column");
			return i;
		}
		snprintf(file, sizeof(file), "%s.csv", name);
		if (form_list_find(f, name) >= 0 &&
		    f->lists[form_list_find(f, name)].file == NULL)
			WARN(ld, r->line, "name", "csv-external '%s' has the "
			    "name of a choice list; instance('%s') means the "
			    "choice list", name, name);
		(void)xls_csv_list(ld, file, NULL, NULL, 1, 0, r->line);
		return i;
	}
	if (lc != NULL && name != NULL &&
	    (name = sname = loop_subst(ld, lc, name, f->default_lang,
	    r->line, "name")) == NULL)
		return i;
	if (qt->kind == TK_LOOP) {
		size_t end = loop_end(sv, i, to);

		if (end == to) {
			ERR(ld, r->line, "type", "'%s' '%s' is never closed "
			    "(missing 'end loop')", type, name ? name : "");
			ds_free(sname);
			return to - 1;
		}
		expand_loop(ld, sv, i, end, arg, name, lc);
		ds_free(sname);
		return end;
	}
	/* A question, group or repeat. */
	if (qt->kind == TK_BEGIN && sv->depth >= XLS_MAX_DEPTH) {
		if (!sv->too_deep)
			ERR(ld, r->line, "type", "groups nested too deep "
			    "(limit %d)", XLS_MAX_DEPTH);
		sv->too_deep = 1;
		ld->limit = 1;
		ds_free(sname);
		return i;
	}
	if ((nd = xls_node_new(ld, qt->type, sv->cur, r->line)) == NULL) {
		if (ld->limit)
			ERR(ld, r->line, NULL, "too many questions (limit %d)",
			    XLS_MAX_ROWS);
		ds_free(sname);
		return i;
	}
	sv->nq++;
	if (name == NULL && qt->type == FT_NOTE && qt->kind == TK_QUESTION) {
		/* pyxform names an unnamed note by its row number, the
		 * header being row 1. */
		snprintf(gen, sizeof(gen), "generated_note_name_%zu", i + 1);
		name = gen;
	}
	node_name(ld, sv, nd, name, r->line, qt->kind == TK_BEGIN ?
	    (qt->type == FT_GROUP ? "group" : "repeat") : "question");
	row_fields(ld, sv, nd, r, lc);
	if (qt->constraint != NULL && nd->constraint == NULL)
		nd->constraint = xls_strdup(ld, qt->constraint);
	if (qt->hint != NULL && text_empty(f, &nd->hint))
		xls_text_set(ld, &nd->hint, f->default_lang, qt->hint);
	if (qt->kind == TK_BEGIN) {
		sv->stack[sv->depth].node = nd;
		sv->stack[sv->depth].written = type;
		sv->depth++;
		sv->cur = nd;
	}
	if (qt->kind == TK_SELECT || qt->kind == TK_FROM_FILE ||
	    qt->kind == TK_EXTERNAL_SELECT)
		select_list(ld, nd, qt, type, arg, or_other, extra, r->line);
	if (strcmp(qt->name, "range") == 0)
		range_params(ld, nd, r->line);
	else
		check_params(ld, nd, r->line);
	if (node_visible(nd->type) && text_empty(f, &nd->label) &&
	    text_empty(f, &nd->hint))
		WARN(ld, r->line, "label", "question '%s' has no label",
		    name ? name : "");
	if (nd->repeat_count != NULL && nd->type != FT_REPEAT)
		WARN(ld, r->line, "repeat_count", "repeat_count only applies "
		    "to repeats; ignored");
	ds_free(sname);
	return i;
}

static void
survey_rows(struct ld *ld, struct sv *sv, size_t from, size_t to,
    const struct loopctx *lc)
{
	size_t i;

	for (i = from; i < to && !ld->oom && !ld->limit; i++)
		i = survey_row(ld, sv, i, to, lc);
}

/* Does text hold "${name}"? */
static int
refers_to(const char *text, const char *name)
{
	const char *p;
	size_t n = strlen(name);

	for (p = text; text != NULL && (p = strstr(p, "${")) != NULL; p += 2)
		if (strncmp(p + 2, name, n) == 0 && p[2 + n] == '}')
			return 1;
	return 0;
}

/* Does any cell of nd refer to name? *col is the column. */
static int
node_refers(const struct form *f, const struct form_node *nd,
    const char *name, const char **col)
{
	const struct {
		const char	*col;
		const char	*v;
	} ex[] = {
		{ "required", nd->required }, { "constraint", nd->constraint },
		{ "warning", nd->warning }, { "relevant", nd->relevant },
		{ "calculation", nd->calculation },
		{ "default", nd->default_value },
		{ "choice_filter", nd->choice_filter },
		{ "repeat_count", nd->repeat_count },
		{ "read_only", nd->read_only }, { "trigger", nd->trigger },
	};
	const struct form_text *tx[] = { &nd->label, &nd->hint,
	    &nd->required_msg, &nd->constraint_msg, &nd->warning_msg };
	size_t i, l;

	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		if (ex[i].v != NULL && refers_to(ex[i].v, name)) {
			*col = ex[i].col;
			return 1;
		}
	for (i = 0; i < sizeof(tx) / sizeof(tx[0]); i++)
		for (l = 0; tx[i]->v != NULL && l < f->nlangs; l++)
			if (tx[i]->v[l] != NULL &&
			    refers_to(tx[i]->v[l], name)) {
				*col = i == 0 ? "label" : i == 1 ? "hint" :
				    "message";
				return 1;
			}
	return 0;
}

/*
 * Names used more than once (in different groups, as pyxform allows):
 * a ${reference} to one is an error naming the rows; then each such node
 * takes the path of its groups as its name ("hh~member_count"), '~'
 * being no name character, so that form_find and the saved record stay
 * unambiguous.
 */
static void
resolve_dups(struct ld *ld, struct sv *sv)
{
	struct form *f = ld->f;
	struct ds_buf b;
	const struct form_node *nd, *p, *chain[XLS_MAX_DEPTH + 2];
	char **nn = NULL, lines[96];
	const char *col;
	size_t i, j, k, n, nchain;

	if (sv->dup == NULL)
		return;
	if ((nn = ds_calloc(f->nnodes, sizeof(*nn))) == NULL) {
		ld->oom = 1;
		return;
	}
	for (i = 0; i < f->nnodes && i < sv->adup && !ld->oom; i++) {
		if (!sv->dup[i] || (nd = f->nodes[i])->name == NULL)
			continue;
		/* The first node of this name reports the references. */
		for (j = 0; j < i; j++)
			if (j < sv->adup && sv->dup[j] &&
			    strcmp(f->nodes[j]->name, nd->name) == 0)
				break;
		if (j == i) {
			lines[0] = '\0';
			for (k = i, n = 0; k < f->nnodes && k < sv->adup; k++)
				if (sv->dup[k] &&
				    strcmp(f->nodes[k]->name, nd->name) == 0 &&
				    n++ < 4)
					snprintf(lines + strlen(lines),
					    sizeof(lines) - strlen(lines),
					    "%s%d", n > 1 ? ", " : "",
					    f->nodes[k]->line);
			for (k = 0; k < f->nnodes; k++)
				if (node_refers(f, f->nodes[k], nd->name,
				    &col))
					xls_diagc(ld, f->nodes[k]->line, col,
					    1, FD_NAME_AMBIGUOUS, nd->name,
					    lines, "${%s} is ambiguous: "
					    "questions named '%s' are at "
					    "lines %s", nd->name, nd->name,
					    lines);
		}
		nchain = 0;
		for (p = nd; p != NULL && p->parent != NULL; p = p->parent)
			chain[nchain++] = p;
		ds_buf_init(&b, 4096);
		while (nchain > 0) {
			p = chain[--nchain];
			if ((b.len > 0 && ds_buf_addc(&b, '~') != DS_OK) ||
			    ds_buf_adds(&b, p->name ? p->name : "") != DS_OK)
				ld->oom = 1;
		}
		if (!ld->oom && ds_buf_addc(&b, '\0') != DS_OK)
			ld->oom = 1;
		if (!ld->oom && b.len > XLS_NAME_MAX)
			ERR(ld, nd->line, "name", "'%s' is used in several "
			    "groups and its group path '%s' is too long",
			    nd->name, b.p);
		nn[i] = ld->oom ? NULL : ds_buf_take(&b, NULL);
		ds_buf_reset(&b);
	}
	for (i = 0; i < f->nnodes; i++)
		if (nn[i] != NULL) {
			ds_free(f->nodes[i]->name);
			f->nodes[i]->name = nn[i];
		}
	ds_free(nn);
}

void
xls_load_survey(struct ld *ld)
{
	const struct xls_sheet *sh = ld->survey;
	struct form *f = ld->f;
	struct form_node *nd;
	struct sv sv;

	if (sh->nrows == 0) {
		ERR(ld, sh->line, NULL, "survey sheet is empty");
		return;
	}
	memset(&sv, 0, sizeof(sv));
	sv.sh = sh;
	sv.cur = f->root;
	sv.ncols = sh->rows[0].ncells;
	if ((sv.cols = xls_map_header(ld, sh, xls_survey_aliases, 0, 0, 1)) ==
	    NULL)
		return;
	sv.ct = xls_col_find(sv.cols, sv.ncols, C_TYPE);
	sv.cn = xls_col_find(sv.cols, sv.ncols, C_NAME);
	sv.cdis = xls_col_find(sv.cols, sv.ncols, C_DISABLED);
	if (sv.ct < 0)
		ERR(ld, sh->rows[0].line, "type", "survey sheet has no 'type' "
		    "column");
	if (sv.cn < 0)
		ERR(ld, sh->rows[0].line, "name", "survey sheet has no 'name' "
		    "column");
	if (sv.cdis >= 0)
		WARN(ld, sh->rows[0].line, "disabled", "the 'disabled' column "
		    "is not part of the XLSForm spec; use relevant (rows "
		    "marked yes are left out)");
	if (sv.ct < 0 || sv.cn < 0) {
		ds_free(sv.cols);
		return;
	}
	survey_rows(ld, &sv, 1, sh->nrows, NULL);
	while (sv.depth > 0 && !ld->oom && !sv.too_deep) {
		sv.depth--;
		nd = sv.stack[sv.depth].node;
		ERR(ld, nd->line, "type", "'%s' '%s' is never closed "
		    "(missing 'end %s')", sv.stack[sv.depth].written,
		    nd->name ? nd->name : "",
		    nd->type == FT_GROUP ? "group" : "repeat");
	}
	if (sv.nq == 0 && !ld->oom && ld->diags->nerrors == 0)
		ERR(ld, sh->rows[0].line, NULL, "survey has no questions");
	if (!ld->oom && !ld->limit)
		resolve_dups(ld, &sv);
	ds_free(sv.dup);
	ds_free(sv.cols);
}
