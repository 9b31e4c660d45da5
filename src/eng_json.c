/* doorstep: answers as JSON: serialize, restore, and fill from a file. */
/*
 * Shape (the same for drafts, finalized records and `fill` input):
 *   { "name": "text", "size": "4", "crops": ["rice", "tea"],
 *     "member": [ { "mname": "...", "age": "34" }, ... ],
 *     "_meta": { "form": ID, "version": V, "state": "draft",
 *                "path": "member[2]/age", "reasons": { PATH: TEXT },
 *                ...caller keys such as "consent" } }
 * Groups are flattened (names are unique); every answer is a string except
 * select_multiple (an array of names); empty answers are left out.  Input
 * also takes JSON numbers and booleans for answers, and a space-separated
 * string for select_multiple.
 *
 * Restore loads values as stored, without checks (a draft may hold answers
 * that fail them), marks every node's default as applied, then recomputes.
 */
#include "eng_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

/* ---- serialize -------------------------------------------------------- */

static enum ds_status
put_value(json_t *obj, const struct inst_node *n)
{
	json_t *v, *a;
	const char *p, *q;

	if (n->def->type == FT_SELECT_MULTIPLE) {
		if ((a = json_array()) == NULL)
			return DS_ENOMEM;
		for (p = n->value; *p != '\0'; p = q) {
			q = p + strcspn(p, " ");
			if ((v = json_stringn(p, (size_t)(q - p))) == NULL ||
			    json_array_append_new(a, v) != 0) {
				json_decref(a);
				return DS_ENOMEM;
			}
			while (*q == ' ')
				q++;
		}
		v = a;
	} else if ((v = json_string(n->value)) == NULL)
		return DS_ECORRUPT;	/* not UTF-8: never stored by eng_set */
	return json_object_set_new(obj, n->def->name, v) == 0 ? DS_OK :
	    DS_ENOMEM;
}

/*
 * Answers the worker has not confirmed yet (a default or a value filled
 * from another answer, on a screen not passed): kept by path under
 * _meta.unconfirmed in a draft, so progress and the outline stay true
 * after a resume.  Older records without it count every answer.
 */
static enum ds_status
unconfirmed(const struct inst_node *n, json_t *arr)
{
	char path[ENG_PATH_MAX];

	for (; n != NULL; n = inst_next(n, 0))
		if (n->kind == INST_LEAF && n->value != NULL &&
		    eng_answerable(n->def->type) &&
		    !(n->flags & INST_F_ANSWERED) &&
		    (eng_path_fmt(n, path, sizeof(path)) != DS_OK ||
		    json_array_append_new(arr, json_string(path)) != 0))
			return DS_ENOMEM;
	return DS_OK;
}

static enum ds_status
emit(const struct inst_node *c, json_t *obj, json_t *reasons)
{
	const struct inst_node *k;
	enum ds_status st;
	json_t *arr, *o;
	char path[ENG_PATH_MAX];
	size_t i, j;

	for (i = 0; i < c->def->nkids; i++) {
		k = c->kids[i];
		switch (k->kind) {
		case INST_LEAF:
			if (k->value != NULL &&
			    (st = put_value(obj, k)) != DS_OK)
				return st;
			if (k->reason != NULL) {
				if (eng_path_fmt(k, path, sizeof(path)) !=
				    DS_OK || json_object_set_new(reasons,
				    path, json_string(k->reason)) != 0)
					return DS_ENOMEM;
			}
			break;
		case INST_GROUP:
			if ((st = emit(k, obj, reasons)) != DS_OK)
				return st;
			break;
		case INST_SET:
			if (k->nitems == 0)
				break;
			if ((arr = json_array()) == NULL ||
			    json_object_set_new(obj, k->def->name, arr) != 0)
				return DS_ENOMEM;
			for (j = 0; j < k->nitems; j++) {
				if ((o = json_object()) == NULL ||
				    json_array_append_new(arr, o) != 0)
					return DS_ENOMEM;
				if ((st = emit(k->items[j], o, reasons)) !=
				    DS_OK)
					return st;
			}
			break;
		default:
			break;
		}
	}
	return DS_OK;
}

enum ds_status
eng_to_json(struct eng *e, json_t **out, struct ds_err *err)
{
	json_t *root, *meta, *reasons;
	char path[ENG_PATH_MAX];
	const char *k;
	json_t *v;
	enum ds_status st;

	ds_err_clear(err);
	root = json_object();
	meta = json_object();
	reasons = json_object();
	if (root == NULL || meta == NULL || reasons == NULL) {
		st = DS_ENOMEM;
		goto out;
	}
	if ((st = emit(e->root, root, reasons)) != DS_OK)
		goto out;
	if (e->meta != NULL)
		json_object_foreach(e->meta, k, v)
			if (json_object_set(meta, k, v) != 0) {
				st = DS_ENOMEM;
				goto out;
			}
	if (!e->finalized) {
		json_t *u = json_array();

		if (u == NULL || unconfirmed(e->root, u) != DS_OK ||
		    (json_array_size(u) > 0 && json_object_set(meta,
		    "unconfirmed", u) != 0)) {
			json_decref(u);
			st = DS_ENOMEM;
			goto out;
		}
		json_decref(u);
	}
	if (e->cur == NULL)
		snprintf(path, sizeof(path), "_end");
	else
		(void)eng_path_fmt(e->cur, path, sizeof(path));
	/* set_new consumes its value even when it fails */
	st = json_object_set_new(meta, "reasons", reasons) != 0 ? DS_ENOMEM :
	    DS_OK;
	reasons = NULL;
	if (st != DS_OK ||
	    json_object_set_new(meta, "form", json_string(e->f->id)) != 0 ||
	    (e->f->version != NULL && json_object_set_new(meta, "version",
	    json_string(e->f->version)) != 0) ||
	    json_object_set_new(meta, "state", json_string(e->finalized ?
	    "finalized" : "draft")) != 0 ||
	    json_object_set_new(meta, "path", json_string(path)) != 0) {
		st = DS_ENOMEM;
		goto out;
	}
	st = json_object_set_new(root, "_meta", meta) != 0 ? DS_ENOMEM :
	    DS_OK;
	meta = NULL;
	if (st != DS_OK)
		goto out;
	*out = root;
	return DS_OK;
out:
	json_decref(root);
	json_decref(meta);
	json_decref(reasons);
	return ds_err_set(err, st, "cannot serialize the answers");
}

/* ---- JSON values to answer text --------------------------------------- */

/* Text of a JSON answer into buf, or DS_ETYPE. */
static enum ds_status
value_text(const json_t *v, enum form_type t, struct ds_buf *b)
{
	size_t i;
	enum ds_status st;

	ds_buf_clear(b);
	switch (json_typeof(v)) {
	case JSON_STRING:
		return ds_buf_add(b, json_string_value(v),
		    json_string_length(v));
	case JSON_INTEGER:
		return ds_buf_printf(b, "%lld",
		    (long long)json_integer_value(v));
	case JSON_REAL:
		return ds_buf_printf(b, "%.17g", json_real_value(v));
	case JSON_TRUE:
		return ds_buf_adds(b, t == FT_ACKNOWLEDGE ? "OK" : "true");
	case JSON_FALSE:
		return ds_buf_adds(b, "false");
	case JSON_NULL:
		return DS_OK;
	case JSON_ARRAY:
		if (t != FT_SELECT_MULTIPLE)
			return DS_ETYPE;
		for (i = 0; i < json_array_size(v); i++) {
			const json_t *s = json_array_get(v, i);

			if (!json_is_string(s) ||
			    memchr(json_string_value(s), ' ',
			    json_string_length(s)) != NULL)
				return DS_ETYPE;
			if ((i > 0 && (st = ds_buf_addc(b, ' ')) != DS_OK) ||
			    (st = ds_buf_add(b, json_string_value(s),
			    json_string_length(s))) != DS_OK)
				return st;
		}
		return DS_OK;
	default:
		return DS_ETYPE;
	}
}

/* Is `key` a name this container's object may hold? */
static int
key_belongs(const struct eng *e, const struct inst_node *c, const char *key)
{
	const struct form_node *d = form_find(e->f, key), *p;

	if (d == NULL || d->type == FT_GROUP)
		return 0;
	for (p = d->parent; p != NULL; p = p->parent) {
		if (p == c->def)
			return 1;
		if (p->type == FT_REPEAT)
			return 0;
	}
	return 0;
}

/* ---- restore ---------------------------------------------------------- */

static enum ds_status
load(struct eng *e, struct inst_node *c, const json_t *obj,
    struct ds_err *err)
{
	struct inst_node *k, *it;
	const char *key;
	const json_t *v, *el;
	enum ds_status st;
	size_t i, j;

	if (c->kind != INST_GROUP) {
		json_object_foreach((json_t *)(uintptr_t)obj, key, v) {
			if (c->kind == INST_ROOT && strcmp(key, "_meta") == 0)
				continue;
			if (!key_belongs(e, c, key))
				return ds_err_set(err, DS_ECORRUPT, "unknown "
				    "answer '%s' in the saved record", key);
		}
	}
	for (i = 0; i < c->def->nkids; i++) {
		k = c->kids[i];
		k->flags |= INST_F_DEFAULTED;
		if (k->kind == INST_GROUP) {
			if ((st = load(e, k, obj, err)) != DS_OK)
				return st;
			continue;
		}
		if ((v = json_object_get(obj, k->def->name)) == NULL)
			continue;
		if (k->kind == INST_LEAF) {
			if (value_text(v, k->def->type, &e->tmp) != DS_OK ||
			    inst_value_set(k, e->tmp.p, NULL) != DS_OK)
				return ds_err_set(err, DS_ECORRUPT, "bad saved "
				    "answer for %s", k->def->name);
			k->flags |= INST_F_ANSWERED;
			continue;
		}
		if (k->kind != INST_SET || !json_is_array(v))
			return ds_err_set(err, DS_ECORRUPT, "saved %s is not "
			    "a list", k->def->name);
		json_array_foreach(v, j, el) {
			if (!json_is_object(el))
				return ds_err_set(err, DS_ECORRUPT, "saved %s "
				    "item %zu is not an object", k->def->name,
				    j + 1);
			if ((st = inst_item_insert(k, k->nitems, &it)) != DS_OK)
				return ds_err_set(err, st, "cannot restore %s",
				    k->def->name);
			it->flags |= INST_F_DEFAULTED;
			if ((st = load(e, it, el, err)) != DS_OK)
				return st;
		}
	}
	return DS_OK;
}

enum ds_status
eng_restore(const struct eng_form *cf, const struct eng_opts *o,
    const json_t *doc, struct eng **out, struct ds_err *err)
{
	struct eng *e;
	const json_t *meta, *v, *reasons, *u;
	const char *key, *s;
	struct inst_node *n;
	enum ds_status st;
	size_t i;

	ds_err_clear(err);
	if (!json_is_object(doc))
		return ds_err_set(err, DS_ECORRUPT, "saved record is not an "
		    "object");
	meta = json_object_get(doc, "_meta");
	if (meta != NULL && (s = json_string_value(json_object_get(meta,
	    "form"))) != NULL && strcmp(s, cf->f->id) != 0)
		return ds_err_set(err, DS_ECONFLICT, "record is for form %s, "
		    "not %s", s, cf->f->id);
	if ((st = eng_new_empty(cf, o, &e)) != DS_OK)
		return ds_err_set(err, st, NULL);
	if ((st = load(e, e->root, doc, err)) != DS_OK)
		goto out;
	if (meta != NULL) {
		s = json_string_value(json_object_get(meta, "state"));
		e->finalized = s != NULL && strcmp(s, "finalized") == 0;
		reasons = json_object_get(meta, "reasons");
		json_object_foreach((json_t *)(uintptr_t)reasons, key, v) {
			if ((n = eng_path_find(e, key)) == NULL ||
			    n->kind != INST_LEAF || !json_is_string(v) ||
			    inst_reason_set(n, json_string_value(v)) != DS_OK) {
				st = ds_err_set(err, DS_ECORRUPT, "bad saved "
				    "reason for %s", key);
				goto out;
			}
		}
		json_object_foreach((json_t *)(uintptr_t)meta, key, v) {
			if (strcmp(key, "form") == 0 ||
			    strcmp(key, "version") == 0 ||
			    strcmp(key, "state") == 0 ||
			    strcmp(key, "path") == 0 ||
			    strcmp(key, "reasons") == 0 ||
			    strcmp(key, "unconfirmed") == 0)
				continue;
			if ((st = eng_meta_set(e, key, (json_t *)(uintptr_t)v))
			    != DS_OK)
				goto out;
		}
	}
	if ((st = eng_compute_all(e, 0)) != DS_OK) {
		ds_err_set(err, st, NULL);
		goto out;
	}
	/* After the recompute: a trigger may have set a value anew. */
	v = meta != NULL ? json_object_get(meta, "unconfirmed") : NULL;
	json_array_foreach(v, i, u)
		if ((s = json_string_value(u)) != NULL &&
		    (n = eng_path_find(e, s)) != NULL)
			n->flags &= ~(unsigned)INST_F_ANSWERED;
	s = meta != NULL ? json_string_value(json_object_get(meta, "path")) :
	    NULL;
	if (e->finalized || (s != NULL && strcmp(s, "_end") == 0))
		e->cur = NULL;
	else if (s != NULL && (n = eng_path_find(e, s)) != NULL &&
	    eng_is_prompt(e, n))
		e->cur = n;
	else
		e->cur = eng_nav_first_in(e, e->root);
	*out = e;
	return DS_OK;
out:
	eng_free(e);
	return st;
}

/* ---- fill ------------------------------------------------------------- */

struct fill {
	struct eng_issue	*v;
	size_t			 n;
	size_t			 cap;
	int			 oom;
	const struct eng_note	*note;	/* the next issue's refusal */
};

static void
issue(struct fill *fl, const char *path, const char *name, int line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
issue(struct fill *fl, const char *path, const char *name, int line,
    const char *fmt, ...)
{
	struct eng_issue *v;
	struct eng_note t;
	char msg[1024];
	va_list ap;
	size_t cap;
	enum ds_status st;

	if (fl->n == fl->cap) {
		cap = fl->cap ? fl->cap * 2 : 8;
		if ((v = ds_realloc(fl->v, cap * sizeof(*v))) == NULL) {
			fl->oom = 1;
			return;
		}
		fl->v = v;
		fl->cap = cap;
	}
	v = &fl->v[fl->n];
	memset(v, 0, sizeof(*v));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((v->msg = ds_strdup(msg)) == NULL) {
		fl->oom = 1;
		return;
	}
	/* The engine's refusal when there is one, else a document
	 * problem in developer words (`fill` is a developer's tool). */
	if (fl->note != NULL && fl->note->code != ENG_MSG_NONE)
		st = eng_note_copy(&v->note, fl->note);
	else {
		memset(&t, 0, sizeof(t));
		t.code = ENG_MSG_FILL;
		t.detail = msg;
		st = eng_note_copy(&v->note, &t);
	}
	fl->note = NULL;
	if (st != DS_OK) {
		ds_free(v->msg);
		fl->oom = 1;
		return;
	}
	snprintf(v->path, sizeof(v->path), "%s", path);
	v->name = name;
	v->line = line;
	v->is_error = 1;
	fl->n++;
}

static void
fill_in(struct eng *e, struct inst_node *c, const json_t *obj,
    struct fill *fl)
{
	struct inst_node *k, *it;
	const char *key;
	const json_t *v, *el;
	char path[ENG_PATH_MAX];
	struct ds_err err;
	size_t i, j;
	enum ds_status st;

	if (c->kind != INST_GROUP) {
		json_object_foreach((json_t *)(uintptr_t)obj, key, v) {
			if (c->kind == INST_ROOT && strcmp(key, "_meta") == 0)
				continue;
			if (!key_belongs(e, c, key)) {
				(void)eng_path_fmt(c, path, sizeof(path));
				issue(fl, path, NULL, 0, "unknown question "
				    "'%s'%s%s", key, *path ? " in " : "",
				    path);
			}
		}
	}
	for (i = 0; i < c->def->nkids; i++) {
		k = c->kids[i];
		if (k->kind == INST_GROUP) {
			fill_in(e, k, obj, fl);
			continue;
		}
		if ((v = json_object_get(obj, k->def->name)) == NULL)
			continue;
		(void)eng_path_fmt(k, path, sizeof(path));
		if (k->kind == INST_LEAF) {
			if (k->def->type == FT_CALCULATE ||
			    !eng_answerable(k->def->type))
				continue;	/* computed: ours wins */
			if (value_text(v, k->def->type, &e->tmp2) != DS_OK) {
				issue(fl, path, k->def->name, k->def->line,
				    "wrong kind of value");
				continue;
			}
			ds_err_clear(&err);
			if (eng_set_node(e, k, e->tmp2.p, &err) != DS_OK) {
				fl->note = eng_refusal(e, NULL);
				issue(fl, path, k->def->name, k->def->line,
				    "%s", err.msg);
			}
			continue;
		}
		if (!json_is_array(v)) {
			issue(fl, path, k->def->name, k->def->line,
			    "must be a list of entries");
			continue;
		}
		json_array_foreach(v, j, el) {
			if (!json_is_object(el)) {
				issue(fl, path, k->def->name, k->def->line,
				    "entry %zu is not an object", j + 1);
				continue;
			}
			if (j >= k->nitems) {
				ds_err_clear(&err);
				if (e->cf->b[k->def->index].x[EX_COUNT]) {
					issue(fl, path, k->def->name,
					    k->def->line, "%zu entries given, "
					    "the form asks for %zu", 
					    json_array_size(v), k->nitems);
					break;
				}
				if (!eng_relevant(k->parent) ||
				    eng_blocked(e, k)) {
					issue(fl, path, k->def->name,
					    k->def->line, "%s", eng_blocked(e,
					    k) ? "consent is not given" :
					    "not relevant with these answers");
					break;
				}
				if ((st = eng_item_add(e, k, k->nitems, &it))
				    != DS_OK || (st = eng_run(e)) != DS_OK) {
					issue(fl, path, k->def->name,
					    k->def->line, "%s",
					    ds_status_str(st));
					break;
				}
			}
			fill_in(e, k->items[j], el, fl);
		}
	}
}

enum ds_status
eng_apply_answers(struct eng *e, const json_t *doc, struct eng_issue **out,
    size_t *nout)
{
	struct fill fl;
	const json_t *meta, *reasons, *v;
	const char *key;
	struct ds_err err;

	memset(&fl, 0, sizeof(fl));
	if (!json_is_object(doc))
		issue(&fl, "", NULL, 0, "answers must be a JSON object");
	else {
		fill_in(e, e->root, doc, &fl);
		meta = json_object_get(doc, "_meta");
		reasons = meta != NULL ? json_object_get(meta, "reasons") :
		    NULL;
		json_object_foreach((json_t *)(uintptr_t)reasons, key, v) {
			ds_err_clear(&err);
			if (!json_is_string(v) || eng_reason(e, key,
			    json_string_value(v), &err) != DS_OK) {
				fl.note = json_is_string(v) ?
				    eng_refusal(e, NULL) : NULL;
				issue(&fl, key, NULL, 0, "reason: %s",
				    err.msg[0] ? err.msg : "not a string");
			}
		}
	}
	if (fl.oom) {
		eng_issues_free(fl.v, fl.n);
		return DS_ENOMEM;
	}
	*out = fl.v;
	*nout = fl.n;
	return fl.n == 0 ? DS_OK : DS_ECONSTRAINT;
}
