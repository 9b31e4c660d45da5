/* doorstep: the immutable form model: accessors, diagnostics, teardown. */
/*
 * The loaders (xls.c) build a struct form; this file reads and frees it.
 * Invariants the loaders guarantee and these functions rely on:
 * form->nodes[i]->index == i, nodes[0] is the root, every node but the root
 * has a unique non-NULL name, every form_text.v is NULL or has nlangs
 * entries, and node->list is -1 or a valid index into form->lists.
 * Teardown walks form->nodes (a flat array), never the tree, so deep nesting
 * costs no stack.
 */
#include "form.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mem.h"

static const char *const form_type_names[] = {
	[FT_TEXT] = "text",
	[FT_INTEGER] = "integer",
	[FT_DECIMAL] = "decimal",
	[FT_SELECT_ONE] = "select_one",
	[FT_SELECT_MULTIPLE] = "select_multiple",
	[FT_DATE] = "date",
	[FT_TIME] = "time",
	[FT_DATETIME] = "dateTime",
	[FT_NOTE] = "note",
	[FT_ACKNOWLEDGE] = "acknowledge",
	[FT_CALCULATE] = "calculate",
	[FT_HIDDEN] = "hidden",
	[FT_START] = "start",
	[FT_END] = "end",
	[FT_TODAY] = "today",
	[FT_DEVICEID] = "deviceid",
	[FT_USERNAME] = "username",
	[FT_GEOPOINT] = "geopoint",
	[FT_GEOTRACE] = "geotrace",
	[FT_GEOSHAPE] = "geoshape",
	[FT_BARCODE] = "barcode",
	[FT_START_GEOPOINT] = "start-geopoint",
	[FT_PHONENUMBER] = "phonenumber",
	[FT_SIMSERIAL] = "simserial",
	[FT_SUBSCRIBERID] = "subscriberid",
	[FT_EMAIL] = "email",
	[FT_AUDIT] = "audit",
	[FT_IMAGE] = "image",
	[FT_AUDIO] = "audio",
	[FT_VIDEO] = "video",
	[FT_FILE] = "file",
	[FT_GROUP] = "begin_group",
	[FT_REPEAT] = "begin_repeat",
	[FT_ROOT] = "survey",
};

int
form_type_hidden(enum form_type t)
{
	switch (t) {
	case FT_CALCULATE:
	case FT_HIDDEN:
	case FT_START:
	case FT_END:
	case FT_TODAY:
	case FT_DEVICEID:
	case FT_USERNAME:
	case FT_START_GEOPOINT:
	case FT_PHONENUMBER:
	case FT_SIMSERIAL:
	case FT_SUBSCRIBERID:
	case FT_EMAIL:
	case FT_AUDIT:
		return 1;
	default:
		return 0;
	}
}

const char *
form_type_name(enum form_type t)
{
	if ((size_t)t >= sizeof(form_type_names) / sizeof(form_type_names[0])
	    || form_type_names[t] == NULL)
		return "unknown";
	return form_type_names[t];
}

/* Diagnostics */

void
form_diags_init(struct form_diags *d)
{
	d->v = NULL;
	d->n = 0;
	d->nerrors = 0;
}

void
form_diags_reset(struct form_diags *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		ds_free(d->v[i].file);
		ds_free(d->v[i].column);
		ds_free(d->v[i].msg);
		ds_free(d->v[i].fact[0]);
		ds_free(d->v[i].fact[1]);
	}
	ds_free(d->v);
	form_diags_init(d);
}

/* Cap on recorded diagnostics: a broken 100,000-row sheet must not turn
 * into 100,000 messages.  The last slot says that more were dropped. */
#define FORM_MAX_DIAGS	1000

enum ds_status
form_diag_vadd(struct form_diags *d, const char *file, int line,
    const char *column, int is_error, const char *fmt, va_list ap)
{
	struct form_diag *nv, *g;
	char msg[1024];

	if (d->n >= FORM_MAX_DIAGS) {
		if (is_error)
			d->nerrors++;
		return DS_OK;
	}
	if (d->n == FORM_MAX_DIAGS - 1) {
		snprintf(msg, sizeof(msg), "too many problems, the rest are "
		    "not shown");
		is_error = 1;
		line = 0;
		column = NULL;
	} else
		vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Grow by one each time is fine: diagnostics are few and capped. */
	if ((nv = ds_realloc(d->v, (d->n + 1) * sizeof(*nv))) == NULL)
		return DS_ENOMEM;
	d->v = nv;
	g = &d->v[d->n];
	memset(g, 0, sizeof(*g));
	g->line = line;
	g->is_error = is_error;
	if ((file != NULL && (g->file = ds_strdup(file)) == NULL) ||
	    (column != NULL && (g->column = ds_strdup(column)) == NULL) ||
	    (g->msg = ds_strdup(msg)) == NULL) {
		ds_free(g->file);
		ds_free(g->column);
		return DS_ENOMEM;
	}
	d->n++;
	if (is_error)
		d->nerrors++;
	return DS_OK;
}

enum ds_status
form_diag_addc(struct form_diags *d, const char *file, int line,
    const char *column, int is_error, enum form_diag_code code,
    const char *fact0, const char *fact1, const char *fmt, ...)
{
	struct form_diag *g;
	enum ds_status rc;
	size_t n0 = d->n;
	va_list ap;

	va_start(ap, fmt);
	rc = form_diag_vadd(d, file, line, column, is_error, fmt, ap);
	va_end(ap);
	/* Not recorded past the cap, or replaced by "too many problems". */
	if (rc != DS_OK || d->n == n0 || d->n == FORM_MAX_DIAGS)
		return rc;
	g = &d->v[d->n - 1];
	if ((fact0 != NULL && (g->fact[0] = ds_strdup(fact0)) == NULL) ||
	    (fact1 != NULL && (g->fact[1] = ds_strdup(fact1)) == NULL))
		return DS_ENOMEM;	/* freed with the diags */
	g->code = code;
	return DS_OK;
}

enum ds_status
form_diag_add(struct form_diags *d, const char *file, int line,
    const char *column, int is_error, const char *fmt, ...)
{
	enum ds_status rc;
	va_list ap;

	va_start(ap, fmt);
	rc = form_diag_vadd(d, file, line, column, is_error, fmt, ap);
	va_end(ap);
	return rc;
}

void
form_diag_format(const struct form_diag *g, char *buf, size_t n)
{
	char where[64] = "";

	if (n == 0)
		return;
	if (g->line > 0)
		snprintf(where, sizeof(where), ":%d", g->line);
	snprintf(buf, n, "%s%s: %s: %s%s%s%s", g->file ? g->file : "form",
	    where, g->is_error ? "error" : "warning",
	    g->column ? "[" : "", g->column ? g->column : "",
	    g->column ? "] " : "", g->msg ? g->msg : "");
}

/* Teardown */

static void
form_text_free(struct form_text *t, size_t nlangs)
{
	size_t i;

	if (t->v == NULL)
		return;
	for (i = 0; i < nlangs; i++)
		ds_free(t->v[i]);
	ds_free(t->v);
	t->v = NULL;
}

static void
form_kvs_free(struct form_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ds_free(kv[i].key);
		ds_free(kv[i].value);
	}
	ds_free(kv);
}

static void
form_node_free(struct form_node *nd, size_t nlangs)
{
	ds_free(nd->name);
	ds_free(nd->kids);
	form_text_free(&nd->label, nlangs);
	form_text_free(&nd->hint, nlangs);
	form_text_free(&nd->required_msg, nlangs);
	form_text_free(&nd->constraint_msg, nlangs);
	form_text_free(&nd->warning_msg, nlangs);
	ds_free(nd->required);
	ds_free(nd->constraint);
	ds_free(nd->warning);
	ds_free(nd->relevant);
	ds_free(nd->calculation);
	ds_free(nd->default_value);
	ds_free(nd->choice_filter);
	ds_free(nd->repeat_count);
	ds_free(nd->read_only);
	ds_free(nd->trigger);
	ds_free(nd->appearance);
	form_kvs_free(nd->params, nd->nparams);
	ds_free(nd);
}

void
form_free(struct form *f)
{
	size_t i, j;

	if (f == NULL)
		return;
	for (i = 0; i < f->nnodes; i++)
		form_node_free(f->nodes[i], f->nlangs);
	/* A root not yet in nodes (failed build) is freed here. */
	if (f->root != NULL && (f->nnodes == 0 || f->nodes[0] != f->root))
		form_node_free(f->root, f->nlangs);
	ds_free(f->nodes);
	for (i = 0; i < f->nlists; i++) {
		struct form_list *l = &f->lists[i];

		for (j = 0; j < l->nchoices; j++) {
			ds_free(l->choices[j].name);
			form_text_free(&l->choices[j].label, f->nlangs);
			form_kvs_free(l->choices[j].extra,
			    l->choices[j].nextra);
		}
		ds_free(l->choices);
		ds_free(l->name);
		ds_free(l->file);
	}
	ds_free(f->lists);
	for (i = 0; i < f->nlangs; i++)
		ds_free(f->langs[i]);
	ds_free(f->langs);
	form_kvs_free(f->settings, f->nsettings);
	ds_free(f->id);
	ds_free(f->version);
	ds_free(f->title);
	ds_free(f->instance_name);
	ds_free(f->household_key);
	ds_free(f->consent);
	ds_free(f->source);
	ds_free(f->name_slots);
	ds_free(f);
}

/* Lookups */

static uint32_t
form_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

enum ds_status
form_index(struct form *f)
{
	size_t n = 16, i, k, *slots;

	ds_free(f->name_slots);
	f->name_slots = NULL;
	f->nname_slots = 0;
	while (n < f->nnodes * 2)
		n *= 2;
	if ((slots = ds_calloc(n, sizeof(*slots))) == NULL)
		return DS_ENOMEM;
	for (i = 0; i < f->nnodes; i++) {
		if (f->nodes[i]->name == NULL)
			continue;
		k = form_hash(f->nodes[i]->name) & (n - 1);
		while (slots[k] != 0)
			k = (k + 1) & (n - 1);
		slots[k] = i + 1;
	}
	f->name_slots = slots;
	f->nname_slots = n;
	return DS_OK;
}

const struct form_node *
form_find(const struct form *f, const char *name)
{
	size_t i, k;

	if (f == NULL || name == NULL)
		return NULL;
	if (f->nname_slots == 0) {
		for (i = 0; i < f->nnodes; i++)
			if (f->nodes[i]->name != NULL &&
			    strcmp(f->nodes[i]->name, name) == 0)
				return f->nodes[i];
		return NULL;
	}
	k = form_hash(name) & (f->nname_slots - 1);
	while (f->name_slots[k] != 0) {
		i = f->name_slots[k] - 1;
		if (strcmp(f->nodes[i]->name, name) == 0)
			return f->nodes[i];
		k = (k + 1) & (f->nname_slots - 1);
	}
	return NULL;
}

int
form_list_find(const struct form *f, const char *name)
{
	size_t i, n;
	const char *dot;

	if (f == NULL || name == NULL)
		return -1;
	for (i = 0; i < f->nlists; i++)
		if (strcmp(f->lists[i].name, name) == 0)
			return (int)i;
	n = strlen(name);
	for (i = 0; i < f->nlists; i++) {
		if (f->lists[i].file == NULL)
			continue;
		dot = strrchr(f->lists[i].file, '.');
		if (dot != NULL && (size_t)(dot - f->lists[i].file) == n &&
		    strncmp(f->lists[i].file, name, n) == 0)
			return (int)i;
	}
	return -1;
}

const char *
form_text_get(const struct form *f, const struct form_text *t, int lang)
{
	size_t i;

	if (t == NULL || t->v == NULL || f == NULL)
		return NULL;
	if (lang >= 0 && (size_t)lang < f->nlangs && t->v[lang] != NULL)
		return t->v[lang];
	if (f->default_lang >= 0 && (size_t)f->default_lang < f->nlangs &&
	    t->v[f->default_lang] != NULL)
		return t->v[f->default_lang];
	for (i = 0; i < f->nlangs; i++)
		if (t->v[i] != NULL)
			return t->v[i];
	return NULL;
}

int
form_lang_find(const struct form *f, const char *code)
{
	char want[16];
	size_t i;

	if (snprintf(want, sizeof(want), "(%s", code) < (int)sizeof(want))
		for (i = 0; i < f->nlangs; i++)
			if (strstr(f->langs[i], want) != NULL)
				return (int)i;
	return f->default_lang;
}

const char *
form_node_xml_name(const struct form_node *nd)
{
	const char *t;

	if (nd == NULL || nd->name == NULL)
		return NULL;
	t = strrchr(nd->name, '~');
	return t != NULL ? t + 1 : nd->name;
}

const char *
form_param(const struct form_node *nd, const char *key)
{
	size_t i;

	if (nd == NULL || key == NULL)
		return NULL;
	for (i = 0; i < nd->nparams; i++)
		if (strcmp(nd->params[i].key, key) == 0)
			return nd->params[i].value;
	return NULL;
}

int
form_has_appearance(const struct form_node *nd, const char *w)
{
	const char *p, *e;
	size_t n;

	if (nd == NULL || nd->appearance == NULL || w == NULL)
		return 0;
	n = strlen(w);
	for (p = nd->appearance; *p != '\0'; p = e) {
		while (*p == ' ' || *p == '\t')
			p++;
		for (e = p; *e != '\0' && *e != ' ' && *e != '\t'; e++)
			;
		if ((size_t)(e - p) == n && n > 0 && strncmp(p, w, n) == 0)
			return 1;
	}
	return 0;
}

const char *
form_setting(const struct form *f, const char *name)
{
	size_t i;

	if (f == NULL || name == NULL)
		return NULL;
	for (i = 0; i < f->nsettings; i++)
		if (strcasecmp(f->settings[i].key, name) == 0)
			return f->settings[i].value;
	return NULL;
}
