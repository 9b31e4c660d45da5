/* doorstep: the instance tree of one interview. */
/*
 * Plain tree bookkeeping: build the skeleton for a form node, insert and
 * remove repeat items, store values.  Invariants: a ROOT, GROUP or ITEM has
 * exactly def->nkids kids in form order; a SET's items have pos equal to
 * their index; every string is owned by its node.  Depth is bounded by the
 * form (the loader caps nesting), so recursion here is bounded too.
 * Semantics (relevance, calculation, checks) live in eng*.c.
 */
#include "inst.h"

#include <stdint.h>
#include <string.h>

#include "arr.h"
#include "mem.h"

static struct inst_node	*node_build(const struct form_node *,
			    struct inst_node *parent, enum inst_kind);

static enum inst_kind
kind_for(const struct form_node *def)
{
	switch (def->type) {
	case FT_ROOT:
		return INST_ROOT;
	case FT_GROUP:
		return INST_GROUP;
	case FT_REPEAT:
		return INST_SET;
	default:
		return INST_LEAF;
	}
}

/*
 * A node of `kind` for def, with its whole skeleton below it.  An ITEM is
 * built from the repeat's def like a group; a SET starts empty.
 */
static struct inst_node *
node_build(const struct form_node *def, struct inst_node *parent,
    enum inst_kind kind)
{
	struct inst_node *n;
	size_t i;

	if ((n = ds_calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->kind = kind;
	n->def = def;
	n->parent = parent;
	if (kind == INST_ROOT || kind == INST_GROUP || kind == INST_ITEM) {
		if (def->nkids > 0) {
			n->kids = ds_calloc(def->nkids, sizeof(*n->kids));
			if (n->kids == NULL) {
				ds_free(n);
				return NULL;
			}
		}
		for (i = 0; i < def->nkids; i++) {
			n->kids[i] = node_build(def->kids[i], n,
			    kind_for(def->kids[i]));
			if (n->kids[i] == NULL) {
				inst_free(n);
				return NULL;
			}
			n->kids[i]->pos = i;
		}
	}
	return n;
}

enum ds_status
inst_new(const struct form *f, struct inst_node **out)
{
	struct inst_node *n;

	if ((n = node_build(f->root, NULL, INST_ROOT)) == NULL)
		return DS_ENOMEM;
	*out = n;
	return DS_OK;
}

/* The kept text holds answers: zero it before it goes. */
static void
text_free(struct inst_node *n)
{
	volatile char *v = n->text;
	size_t i;

	if (n->text == NULL)
		return;
	for (i = 0; i < n->textlen; i++)
		v[i] = 0;
	ds_free(n->text);
	n->text = NULL;
	n->textlen = 0;
}

void
inst_touch(struct inst_node *n)
{
	for (; n != NULL; n = n->parent)
		n->kstamp = 0;
}

void
inst_text_drop(struct inst_node *n)
{
	/* All the way up: an outer item's text holds the inner ones. */
	for (; n != NULL; n = n->parent)
		if (n->kind == INST_ITEM)
			text_free(n);
}

void
inst_free(struct inst_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	text_free(n);
	if (n->kids != NULL) {
		for (i = 0; i < n->def->nkids; i++)
			inst_free(n->kids[i]);
		ds_free(n->kids);
	}
	for (i = 0; i < n->nitems; i++)
		inst_free(n->items[i]);
	ds_free(n->items);
	ds_free(n->value);
	ds_free(n->reason);
	ds_free(n->rule_err);
	ds_free(n->check_err);
	ds_free(n);
}

enum ds_status
inst_item_insert(struct inst_node *set, size_t at, struct inst_node **out)
{
	struct inst_node *it;
	enum ds_status st;
	size_t i;

	if (set->kind != INST_SET || at > set->nitems)
		return DS_EINVAL;
	if (set->nitems >= INST_MAX_ITEMS)
		return DS_ELIMIT;
	if ((st = ds_arr_grow(&set->items, &set->capitems, set->nitems + 1,
	    sizeof(*set->items), INST_MAX_ITEMS)) != DS_OK)
		return st;
	if ((it = node_build(set->def, set, INST_ITEM)) == NULL)
		return DS_ENOMEM;
	memmove(set->items + at + 1, set->items + at,
	    (set->nitems - at) * sizeof(*set->items));
	set->items[at] = it;
	set->nitems++;
	for (i = at; i < set->nitems; i++)
		set->items[i]->pos = i;
	inst_text_drop(set);
	inst_touch(set);
	if (out != NULL)
		*out = it;
	return DS_OK;
}

void
inst_item_remove(struct inst_node *set, size_t at)
{
	size_t i;

	if (set->kind != INST_SET || at >= set->nitems)
		return;
	inst_free(set->items[at]);
	memmove(set->items + at, set->items + at + 1,
	    (set->nitems - at - 1) * sizeof(*set->items));
	set->nitems--;
	for (i = at; i < set->nitems; i++)
		set->items[i]->pos = i;
	inst_text_drop(set);
	inst_touch(set);
}

enum ds_status
inst_value_set(struct inst_node *n, const char *s, int *changed)
{
	char *c = NULL;
	size_t len;

	if (changed != NULL)
		*changed = 0;
	if (s != NULL && *s == '\0')
		s = NULL;
	if (s == NULL ? n->value == NULL :
	    n->value != NULL && strcmp(s, n->value) == 0)
		return DS_OK;
	if (s != NULL) {
		if ((len = strlen(s)) > INST_MAX_VALUE)
			return DS_ELIMIT;
		if ((c = ds_strndup(s, len)) == NULL)
			return DS_ENOMEM;
	}
	ds_free(n->value);
	n->value = c;
	inst_text_drop(n);
	inst_touch(n);
	if (changed != NULL)
		*changed = 1;
	return DS_OK;
}

enum ds_status
inst_reason_set(struct inst_node *n, const char *s)
{
	char *c = NULL;

	if (s != NULL && *s != '\0') {
		if (strlen(s) > INST_MAX_VALUE)
			return DS_ELIMIT;
		if ((c = ds_strdup(s)) == NULL)
			return DS_ENOMEM;
	}
	/* the counts hold whether there is one, not its text */
	if ((n->reason == NULL) != (c == NULL))
		inst_touch(n);
	ds_free(n->reason);
	n->reason = c;
	return DS_OK;
}

size_t
inst_kidpos(const struct form_node *def)
{
	size_t i;

	if (def->parent == NULL)
		return 0;
	for (i = 0; i < def->parent->nkids; i++)
		if (def->parent->kids[i] == def)
			return i;
	return 0;
}

struct inst_node *
inst_kid(const struct inst_node *n, const struct form_node *def)
{
	size_t i;

	if (n->kids == NULL || def->parent != n->def)
		return NULL;
	i = inst_kidpos(def);
	return n->kids[i];
}

/* Number of children of n in pre-order terms, and the i-th one. */
static size_t
nchild(const struct inst_node *n)
{
	if (n->kind == INST_SET)
		return n->nitems;
	if (n->kids != NULL)
		return n->def->nkids;
	return 0;
}

static struct inst_node *
child(const struct inst_node *n, size_t i)
{
	return n->kind == INST_SET ? n->items[i] : n->kids[i];
}

/* Index of n among its parent's children. */
static size_t
child_index(const struct inst_node *n)
{
	return n->pos;
}

struct inst_node *
inst_next(const struct inst_node *n, int skip)
{
	const struct inst_node *p;
	size_t i;

	if (!skip && nchild(n) > 0)
		return child(n, 0);
	while ((p = n->parent) != NULL) {
		i = child_index(n) + 1;
		if (i < nchild(p))
			return child(p, i);
		n = p;
	}
	return NULL;
}

struct inst_node *
inst_prev(const struct inst_node *n)
{
	const struct inst_node *p;
	struct inst_node *c;
	size_t i;

	if ((p = n->parent) == NULL)
		return NULL;
	i = child_index(n);
	if (i == 0)
		return (struct inst_node *)(uintptr_t)p;
	c = child(p, i - 1);
	while (nchild(c) > 0)
		c = child(c, nchild(c) - 1);
	return c;
}

struct inst_node *
inst_item_of(const struct inst_node *n, const struct form_node *rep)
{
	for (; n != NULL; n = n->parent)
		if (n->kind == INST_ITEM && n->def == rep)
			return (struct inst_node *)(uintptr_t)n;
	return NULL;
}
