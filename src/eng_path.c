/* doorstep: engine paths ("member[2]/age") to and from tree nodes. */
/*
 * A path names a node by its enclosing repeat items and its own name:
 * "age", "member[2]/age", "member[2]/child[1]/cname", "member[2]" (an
 * item), "member" (a set).  Groups never appear: names are unique in a
 * form.  Indices are 1-based, as position() is.  Parsing is strict: an
 * index must be a plain decimal in range, every repeat on the way must be
 * named with its index.
 */
#include "eng_int.h"

#include <stdio.h>
#include <string.h>

/* Append "/" (not first), name and, for an item (pos >= 1), "[pos]". */
static int
put_step(char *buf, size_t cap, size_t *len, const char *name, size_t pos)
{
	char num[24];
	size_t l = strlen(name), k = 0, need;

	while (pos > 0) {
		num[k++] = (char)('0' + pos % 10);
		pos /= 10;
	}
	need = (*len ? 1 : 0) + l + (k ? k + 2 : 0);
	if (need >= cap - *len)
		return -1;
	if (*len)
		buf[(*len)++] = '/';
	memcpy(buf + *len, name, l);
	*len += l;
	if (k) {
		buf[(*len)++] = '[';
		while (k > 0)
			buf[(*len)++] = num[--k];
		buf[(*len)++] = ']';
	}
	buf[*len] = '\0';
	return 0;
}

enum ds_status
eng_path_fmt(const struct inst_node *n, char *buf, size_t cap)
{
	const struct inst_node *items[64], *p;
	size_t ni = 0, len = 0, i;

	buf[0] = '\0';
	for (p = n; p != NULL; p = p->parent)
		if (p->kind == INST_ITEM) {
			if (ni == 64)
				return DS_ELIMIT;
			items[ni++] = p;
		}
	/* By hand, not snprintf: a save formats thousands of these. */
	for (i = ni; i > 0; i--)
		if (put_step(buf, cap, &len, items[i - 1]->def->name,
		    items[i - 1]->pos + 1) != 0)
			return DS_ELIMIT;
	if (n->kind != INST_ITEM && n->def->name != NULL &&
	    put_step(buf, cap, &len, n->def->name, 0) != 0)
		return DS_ELIMIT;
	return DS_OK;
}

/* The node of def under ctx, through groups only; NULL otherwise. */
static struct inst_node *
down(struct eng *e, struct inst_node *ctx, const struct form_node *def)
{
	const struct form_node *chain[64], *c;
	struct inst_node *n = ctx;
	size_t nc = 0;

	for (c = def; c != NULL && c != ctx->def; c = c->parent) {
		if (nc == 64)
			return NULL;
		chain[nc++] = c;
	}
	if (c == NULL)
		return NULL;
	while (nc > 0) {
		c = chain[--nc];
		if (n->kids == NULL)
			return NULL;
		n = n->kids[e->cf->b[c->index].kidpos];
		if (nc > 0 && n->kind == INST_SET)
			return NULL;	/* a repeat on the way needs [i] */
	}
	return n;
}

struct inst_node *
eng_path_find(struct eng *e, const char *path)
{
	struct inst_node *ctx = e->root, *n;
	const struct form_node *def;
	char name[INST_NAME_MAX];
	const char *p = path, *q;
	size_t len, idx;

	if (path == NULL)
		return NULL;
	if (*p == '\0')
		return e->root;
	for (;;) {
		q = p + strcspn(p, "[/");
		len = (size_t)(q - p);
		if (len == 0 || len >= sizeof(name))
			return NULL;
		memcpy(name, p, len);
		name[len] = '\0';
		if ((def = form_find(e->f, name)) == NULL ||
		    (n = down(e, ctx, def)) == NULL)
			return NULL;
		p = q;
		if (*p == '[') {
			idx = 0;
			p++;
			if (*p < '1' || *p > '9')
				return NULL;
			while (*p >= '0' && *p <= '9') {
				idx = idx * 10 + (size_t)(*p - '0');
				if (idx > INST_MAX_ITEMS)
					return NULL;
				p++;
			}
			if (*p++ != ']' || n->kind != INST_SET ||
			    idx > n->nitems)
				return NULL;
			n = n->items[idx - 1];
		}
		if (*p == '\0')
			return n;
		if (*p != '/' || n->kind != INST_ITEM)
			return NULL;
		ctx = n;
		p++;
	}
}

int
eng_path_type(struct eng *e, const char *path)
{
	const struct inst_node *n = eng_path_find(e, path);

	return n == NULL || n->kind != INST_LEAF ? -1 : (int)n->def->type;
}
