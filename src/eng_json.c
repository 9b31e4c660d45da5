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

#include "json.h"
#include "mem.h"
#include "utf8.h"
#include "util.h"

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

/* ---- the same, as canonical text ------------------------------------- */
/*
 * ds_json_canonical is jansson's compact dump with sorted keys: keys in
 * the order of their bytes (a shorter key first when one is a prefix of
 * the other), strings with '"', '\\' and the control characters escaped
 * (\b \f \n \r \t, else \u00XX), everything else as it is.  The writer
 * below gives the same bytes without building the tree: each object
 * scope's names are sorted once per engine.  tests/fuzz/fuzz_eng_*.c
 * compare the two on every input of their corpora.
 */

static int
key_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int c = memcmp(a, b, la < lb ? la : lb);

	return c != 0 ? c : la < lb ? -1 : la > lb;
}

static int
def_cmp(const void *a, const void *b)
{
	return key_cmp((*(const struct form_node *const *)a)->name,
	    (*(const struct form_node *const *)b)->name);
}

/* Leaves and repeats whose object is `scope`, through its groups. */
static size_t
scope_collect(const struct form_node *g, const struct form_node **out,
    size_t n)
{
	size_t i;

	for (i = 0; i < g->nkids; i++) {
		if (g->kids[i]->type == FT_GROUP)
			n = scope_collect(g->kids[i], out, n);
		else {
			if (out != NULL)
				out[n] = g->kids[i];
			n++;
		}
	}
	return n;
}

static enum ds_status	put_str(struct ds_buf *, const char *, size_t);

static void
scope_free(struct eng_scope *sc)
{
	size_t i;

	for (i = 0; sc->keys != NULL && i < sc->n; i++)
		ds_free(sc->keys[i]);
	ds_free(sc->keys);
	ds_free(sc->klen);
	ds_free(sc->defs);
	memset(sc, 0, sizeof(*sc));
}

static const struct eng_scope *
scope_of(struct eng *e, const struct form_node *def)
{
	struct eng_scope *sc;
	struct ds_buf b;
	size_t n, i;

	if (e->scopes == NULL &&
	    (e->scopes = ds_calloc(e->f->nnodes, sizeof(*e->scopes))) == NULL)
		return NULL;
	sc = &e->scopes[def->index];
	if (sc->made)
		return sc;
	n = scope_collect(def, NULL, 0);
	if ((sc->defs = ds_calloc(n ? n : 1, sizeof(*sc->defs))) == NULL ||
	    (sc->keys = ds_calloc(n ? n : 1, sizeof(*sc->keys))) == NULL ||
	    (sc->klen = ds_calloc(n ? n : 1, sizeof(*sc->klen))) == NULL) {
		scope_free(sc);
		return NULL;
	}
	sc->n = scope_collect(def, sc->defs, 0);
	qsort(sc->defs, sc->n, sizeof(*sc->defs), def_cmp);
	/* The key of each, written once: a save writes them thousands of
	 * times. */
	for (i = 0; i < sc->n; i++) {
		ds_buf_init(&b, ENG_TEXT_MAX);
		if (put_str(&b, sc->defs[i]->name, strlen(sc->defs[i]->name))
		    != DS_OK || ds_buf_addc(&b, ':') != DS_OK ||
		    (sc->keys[i] = ds_buf_take(&b, &sc->klen[i])) == NULL) {
			ds_buf_reset(&b);
			scope_free(sc);
			return NULL;
		}
	}
	sc->made = 1;
	return sc;
}

void
eng_scopes_free(struct eng *e)
{
	size_t i;

	if (e->scopes == NULL)
		return;
	for (i = 0; i < e->f->nnodes; i++)
		scope_free(&e->scopes[i]);
	ds_free(e->scopes);
	e->scopes = NULL;
}

/* The node for def (of scope s's object) under s's instance. */
static const struct inst_node *
scope_kid(const struct eng *e, const struct inst_node *s,
    const struct form_node *def)
{
	const struct form_node *chain[64], *p;
	size_t n = 0;

	for (p = def; p != NULL && p != s->def && n < 64; p = p->parent)
		chain[n++] = p;
	if (p != s->def)
		return NULL;
	while (n > 0) {
		p = chain[--n];
		s = s->kids[e->cf->b[p->index].kidpos];
	}
	return s;
}

/* A JSON string of n bytes as jansson writes it (valid UTF-8 only). */
static enum ds_status
put_str(struct ds_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char *o;
	size_t i;
	unsigned char c;
	int ascii = 1;

	/* Room for the worst case (every byte \u00XX), written in place. */
	if (n > (ENG_TEXT_MAX - 2) / 6 || ds_buf_reserve(b, 6 * n + 2) !=
	    DS_OK)
		return DS_ENOMEM;
	o = b->p + b->len;
	*o++ = '"';
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			ascii &= c < 0x80;
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*o++ = (char)c;
			break;
		case '\b':
			*o++ = 'b';
			break;
		case '\f':
			*o++ = 'f';
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\r':
			*o++ = 'r';
			break;
		case '\t':
			*o++ = 't';
			break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
			break;
		}
	}
	*o++ = '"';
	if (!ascii && !utf8_valid(s, n, 0))
		return DS_ECORRUPT;	/* never stored by eng_set */
	b->len = (size_t)(o - b->p);
	b->p[b->len] = '\0';
	return DS_OK;
}

static enum ds_status
put_key(struct ds_buf *b, int *first, const char *k)
{
	enum ds_status st;

	if (!*first && ds_buf_addc(b, ',') != DS_OK)
		return DS_ENOMEM;
	*first = 0;
	if ((st = put_str(b, k, strlen(k))) != DS_OK)
		return st;
	return ds_buf_addc(b, ':') == DS_OK ? DS_OK : DS_ENOMEM;
}

/* An answer: a string, or a select_multiple's names as an array. */
static enum ds_status
put_answer(struct ds_buf *b, const struct inst_node *n)
{
	const char *p, *q;
	enum ds_status st;

	if (n->def->type != FT_SELECT_MULTIPLE)
		return put_str(b, n->value, strlen(n->value));
	if (ds_buf_addc(b, '[') != DS_OK)
		return DS_ENOMEM;
	for (p = n->value; *p != '\0'; p = q) {
		q = p + strcspn(p, " ");
		if (p != n->value && ds_buf_addc(b, ',') != DS_OK)
			return DS_ENOMEM;
		if ((st = put_str(b, p, (size_t)(q - p))) != DS_OK)
			return st;
		while (*q == ' ')
			q++;
	}
	return ds_buf_addc(b, ']') == DS_OK ? DS_OK : DS_ENOMEM;
}

/* Where the cursor's members of _meta went (eng_to_texts cuts them). */
struct cut {
	size_t	at[2][2];	/* [path, unconfirmed][from, to) */
};

static enum ds_status	put_meta(struct eng *, struct ds_buf *, int flags,
			    struct cut *);

static enum ds_status	put_obj(struct eng *, struct ds_buf *,
			    const struct inst_node *, int, struct cut *);

/*
 * A roster item: its kept text while nothing in it changed, else written
 * anew and kept.  An answer then costs the items it touches, not every
 * member of a large roster.
 */
static enum ds_status
put_item(struct eng *e, struct ds_buf *b, struct inst_node *it, int flags)
{
	enum ds_status st;
	size_t from = b->len;

	if (it->text != NULL)
		return ds_buf_add(b, it->text, it->textlen) == DS_OK ? DS_OK :
		    DS_ENOMEM;
	if ((st = put_obj(e, b, it, flags, NULL)) != DS_OK)
		return st;
	/* Not kept if there is no memory for it: only slower. */
	if ((it->text = ds_malloc(b->len - from)) != NULL) {
		memcpy(it->text, b->p + from, b->len - from);
		it->textlen = b->len - from;
	}
	return DS_OK;
}

/* The object of instance s (the root, or a roster item). */
static enum ds_status
put_obj(struct eng *e, struct ds_buf *b, const struct inst_node *s,
    int flags, struct cut *cut)
{
	const struct eng_scope *sc = scope_of(e, s->def);
	const struct inst_node *k;
	enum ds_status st;
	size_t i, j;
	int first = 1, meta = s == e->root;

	if (sc == NULL || ds_buf_addc(b, '{') != DS_OK)
		return DS_ENOMEM;
	for (i = 0; i <= sc->n; i++) {
		/* The root's "_meta" goes in its place among the names (and
		 * wins over an answer of that name, as in eng_to_json). */
		if (meta && (i == sc->n || key_cmp("_meta",
		    sc->defs[i]->name) <= 0)) {
			meta = 0;
			if ((st = put_key(b, &first, "_meta")) != DS_OK ||
			    (st = put_meta(e, b, flags, cut)) != DS_OK)
				return st;
		}
		if (i == sc->n)
			break;
		if (s == e->root && strcmp(sc->defs[i]->name, "_meta") == 0)
			continue;
		if ((k = scope_kid(e, s, sc->defs[i])) == NULL)
			return DS_ECORRUPT;
		if (k->kind == INST_LEAF) {
			if (k->value == NULL)
				continue;
			if ((!first && ds_buf_addc(b, ',') != DS_OK) ||
			    ds_buf_add(b, sc->keys[i], sc->klen[i]) != DS_OK)
				return DS_ENOMEM;
			first = 0;
			if ((st = put_answer(b, k)) != DS_OK)
				return st;
		} else if (k->kind == INST_SET && k->nitems > 0) {
			if ((!first && ds_buf_addc(b, ',') != DS_OK) ||
			    ds_buf_add(b, sc->keys[i], sc->klen[i]) != DS_OK ||
			    ds_buf_addc(b, '[') != DS_OK)
				return DS_ENOMEM;
			first = 0;
			for (j = 0; j < k->nitems; j++) {
				if (j > 0 && ds_buf_addc(b, ',') != DS_OK)
					return DS_ENOMEM;
				if ((st = put_item(e, b, k->items[j], flags)) !=
				    DS_OK)
					return st;
			}
			if (ds_buf_addc(b, ']') != DS_OK)
				return DS_ENOMEM;
		}
	}
	return ds_buf_addc(b, '}') == DS_OK ? DS_OK : DS_ENOMEM;
}

struct reason {
	char		 path[ENG_PATH_MAX];
	const char	*text;
};

static int
reason_cmp(const void *a, const void *b)
{
	return key_cmp(((const struct reason *)a)->path,
	    ((const struct reason *)b)->path);
}

/*
 * What _meta needs from the whole tree, in one walk: the warning reasons
 * by path, and the paths of the answers not yet confirmed (a JSON array's
 * body, in document order, as unconfirmed() above lists them).
 */
struct walked {
	struct reason	*r;
	size_t		 nr, cap;
	struct ds_buf	 unconf;	/* "p1","p2",... */
	int		 nunconf;
};

static void
walked_free(struct walked *w)
{
	ds_free(w->r);
	ds_buf_wipe(&w->unconf);
	memset(w, 0, sizeof(*w));
}

static enum ds_status
walk_meta(struct eng *e, struct walked *w, int want_unconf)
{
	char path[ENG_PATH_MAX];
	const struct inst_node *n;
	struct reason *nv;
	enum ds_status st;

	memset(w, 0, sizeof(*w));
	ds_buf_init(&w->unconf, ENG_TEXT_MAX);
	/* Only into the subtrees that hold a reason or (wanted) an answer
	 * not yet confirmed, as the counts the tree keeps say. */
	eng_kept(e);
	for (n = e->root; n != NULL; ) {
		if (n->kind != INST_LEAF) {
			n = inst_next(n, n->kreason == 0 && (!want_unconf ||
			    n->kunconf == 0));
			continue;
		}
		if (n->reason != NULL) {
			if (w->nr == w->cap) {
				w->cap = w->cap ? 2 * w->cap : 8;
				if ((nv = ds_realloc(w->r, w->cap *
				    sizeof(*nv))) == NULL)
					return DS_ENOMEM;
				w->r = nv;
			}
			if (eng_path_fmt(n, w->r[w->nr].path,
			    sizeof(w->r[w->nr].path)) != DS_OK)
				return DS_ENOMEM;
			w->r[w->nr++].text = n->reason;
		}
		if (want_unconf && eng_unconfirmed(n)) {
			if (eng_path_fmt(n, path, sizeof(path)) != DS_OK ||
			    (w->nunconf > 0 && ds_buf_addc(&w->unconf, ',') !=
			    DS_OK))
				return DS_ENOMEM;
			if ((st = put_str(&w->unconf, path, strlen(path))) !=
			    DS_OK)
				return st;
			w->nunconf++;
		}
		n = inst_next(n, 0);
	}
	if (w->nr > 1)
		qsort(w->r, w->nr, sizeof(*w->r), reason_cmp);
	return DS_OK;
}

/* "reasons": every warning reason by path, in key order. */
static enum ds_status
put_reasons(const struct walked *w, struct ds_buf *b)
{
	enum ds_status st;
	size_t i;
	int first = 1;

	if (ds_buf_addc(b, '{') != DS_OK)
		return DS_ENOMEM;
	for (i = 0; i < w->nr; i++)
		if ((st = put_key(b, &first, w->r[i].path)) != DS_OK ||
		    (st = put_str(b, w->r[i].text, strlen(w->r[i].text))) !=
		    DS_OK)
			return st;
	return ds_buf_addc(b, '}') == DS_OK ? DS_OK : DS_ENOMEM;
}

/*
 * The keys of _meta this writer makes, in key order.  eng_to_json copies
 * the caller's keys first and sets its own over them, so a caller's key
 * of the same name shows only where the engine sets none: "version" of a
 * form without one, "unconfirmed" when nothing is unconfirmed.
 */
enum { MK_FORM, MK_PATH, MK_REASONS, MK_STATE, MK_UNCONFIRMED, MK_VERSION,
    MK_N };
static const char *const meta_keys[MK_N] = { "form", "path", "reasons",
    "state", "unconfirmed", "version" };

static int
meta_own(const char *k)
{
	int i;

	for (i = 0; i < MK_N; i++)
		if (strcmp(k, meta_keys[i]) == 0)
			return 1;
	return 0;
}

/* Consent evidence may name a person: zero it before it is freed. */
static void
scrub(char *p, size_t n)
{
	volatile char *v = p;

	while (n-- > 0)
		*v++ = 0;
}

static int
str_cmp(const void *a, const void *b)
{
	return key_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* The caller's key k, if it has it: its value as jansson writes it. */
static enum ds_status
put_caller(struct eng *e, struct ds_buf *b, int *first, const char *k)
{
	const json_t *v = e->meta != NULL ? json_object_get(e->meta, k) : NULL;
	enum ds_status st;
	char *t = NULL;
	size_t tl;

	if (v == NULL)
		return DS_OK;
	if ((st = put_key(b, first, k)) != DS_OK)
		return st;
	if (ds_json_canonical(v, &t, &tl, NULL) != DS_OK)
		return DS_ENOMEM;
	st = ds_buf_add(b, t, tl) == DS_OK ? DS_OK : DS_ENOMEM;
	scrub(t, tl);
	ds_free(t);
	return st;
}

static enum ds_status
put_meta_own(struct eng *e, struct ds_buf *b, int *first, int k, int flags,
    const struct walked *w)
{
	char path[ENG_PATH_MAX];
	const char *v;
	enum ds_status st;

	switch (k) {
	case MK_FORM:
		v = e->f->id;
		break;
	case MK_PATH:
		if (flags & ENG_TEXT_NO_CURSOR)
			return DS_OK;
		eng_cursor_path(e, path, sizeof(path));
		v = path;
		break;
	case MK_REASONS:
		if ((st = put_key(b, first, "reasons")) != DS_OK)
			return st;
		return put_reasons(w, b);
	case MK_STATE:
		v = e->finalized ? "finalized" : "draft";
		break;
	case MK_UNCONFIRMED:
		if (flags & ENG_TEXT_NO_CURSOR)
			return DS_OK;
		if (e->finalized || w->nunconf == 0)
			return put_caller(e, b, first, "unconfirmed");
		if ((st = put_key(b, first, "unconfirmed")) != DS_OK ||
		    ds_buf_addc(b, '[') != DS_OK ||
		    ds_buf_add(b, w->unconf.p, w->unconf.len) != DS_OK ||
		    ds_buf_addc(b, ']') != DS_OK)
			return DS_ENOMEM;
		return DS_OK;
	default:
		if ((v = e->f->version) == NULL)
			return put_caller(e, b, first, "version");
		break;
	}
	if ((st = put_key(b, first, meta_keys[k])) != DS_OK)
		return st;
	return put_str(b, v, strlen(v));
}

static enum ds_status
put_meta(struct eng *e, struct ds_buf *b, int flags, struct cut *cut)
{
	const char **keys = NULL;
	const char *k;
	struct walked w;
	json_t *v;
	size_t n = 0, i;
	enum ds_status st = DS_OK;
	int first = 1, own = 0;

	if ((st = walk_meta(e, &w, !e->finalized &&
	    !(flags & ENG_TEXT_NO_CURSOR))) != DS_OK) {
		walked_free(&w);
		return st;
	}

	if (e->meta != NULL && json_object_size(e->meta) > 0) {
		if ((keys = ds_calloc(json_object_size(e->meta),
		    sizeof(*keys))) == NULL)
			return DS_ENOMEM;
		json_object_foreach(e->meta, k, v)
			if (!meta_own(k))
				keys[n++] = k;
		qsort(keys, n, sizeof(*keys), str_cmp);
	}
	if (ds_buf_addc(b, '{') != DS_OK) {
		st = DS_ENOMEM;
		goto out;
	}
	for (i = 0; i <= n; i++) {
		/* this writer's keys before each caller's key above them */
		while (own < MK_N && (i == n || key_cmp(meta_keys[own],
		    keys[i]) < 0)) {
			size_t from = b->len;

			if ((st = put_meta_own(e, b, &first, own, flags,
			    &w)) != DS_OK)
				goto out;
			/* "form" always comes first, so each of these two
			 * begins with its comma: cutting it out is exact. */
			if (cut != NULL && own == MK_PATH) {
				cut->at[0][0] = from;
				cut->at[0][1] = b->len;
			} else if (cut != NULL && own == MK_UNCONFIRMED) {
				cut->at[1][0] = from;
				cut->at[1][1] = b->len;
			}
			own++;
		}
		if (i < n && (st = put_caller(e, b, &first, keys[i])) !=
		    DS_OK)
			goto out;
	}
	st = ds_buf_addc(b, '}') == DS_OK ? DS_OK : DS_ENOMEM;
out:
	ds_free(keys);
	walked_free(&w);
	return st;
}

void
eng_cursor_path(struct eng *e, char *buf, size_t n)
{
	if (e->cur == NULL)
		snprintf(buf, n, "_end");
	else
		(void)eng_path_fmt(e->cur, buf, n);
}

enum ds_status
eng_to_text(struct eng *e, int flags, char **out, size_t *len,
    struct ds_err *err)
{
	struct ds_buf b;
	enum ds_status st;

	ds_err_clear(err);
	ds_buf_init(&b, ENG_TEXT_MAX);
	if ((st = put_obj(e, &b, e->root, flags, NULL)) != DS_OK) {
		ds_buf_wipe(&b);
		return ds_err_set(err, st, "cannot serialize the answers");
	}
	if ((*out = ds_buf_take(&b, len)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot serialize the "
		    "answers");
	return DS_OK;
}

enum ds_status
eng_to_texts(struct eng *e, char **out, size_t *len, char **cmp,
    size_t *cmplen, struct ds_err *err)
{
	struct ds_buf b;
	struct cut cut;
	enum ds_status st;
	char *c;
	size_t n, k;

	ds_err_clear(err);
	memset(&cut, 0, sizeof(cut));
	ds_buf_init(&b, ENG_TEXT_MAX);
	if ((st = put_obj(e, &b, e->root, 0, &cut)) != DS_OK) {
		ds_buf_wipe(&b);
		return ds_err_set(err, st, "cannot serialize the answers");
	}
	if ((c = ds_malloc(b.len + 1)) == NULL) {
		ds_buf_wipe(&b);
		return ds_err_set(err, DS_ENOMEM, "cannot serialize the "
		    "answers");
	}
	/* The text, less [path) and [unconfirmed), which come in order. */
	n = 0;
	memcpy(c, b.p, k = cut.at[0][0]);
	n += k;
	memcpy(c + n, b.p + cut.at[0][1], k = cut.at[1][0] - cut.at[0][1]);
	n += k;
	memcpy(c + n, b.p + cut.at[1][1], k = b.len - cut.at[1][1]);
	n += k;
	c[n] = '\0';
	if ((*out = ds_buf_take(&b, len)) == NULL) {
		scrub(c, n);
		ds_free(c);
		return ds_err_set(err, DS_ENOMEM, "cannot serialize the "
		    "answers");
	}
	*cmp = c;
	*cmplen = n;
	return DS_OK;
}

/* ---- JSON values to answer text --------------------------------------- */

/*
 * The shortest text that reads back as d: 0.1 is "0.1", not %.17g's
 * "0.10000000000000001", which has more digits than a decimal answer
 * takes.
 */
static enum ds_status
real_text(double d, struct ds_buf *b)
{
	char t[32];
	double back;
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(t, sizeof(t), "%.*g", prec, d);
		if (ds_parse_double(t, &back) == 0 && back == d)
			return ds_buf_adds(b, t);
	}
	return ds_buf_printf(b, "%.17g", d);
}

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
		return real_text(json_real_value(v), b);
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
			inst_touch(k);
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
		    (n = eng_path_find(e, s)) != NULL) {
			n->flags &= ~(unsigned)INST_F_ANSWERED;
			inst_touch(n);
		}
	e->gen++;
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
