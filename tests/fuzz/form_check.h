/* doorstep: invariants of a loaded form, shared by the form fuzz targets. */
#ifndef DS_FUZZ_FORM_CHECK_H
#define DS_FUZZ_FORM_CHECK_H

#include <assert.h>
#include <string.h>

#include "form.h"
#include "mem.h"

/* Serve one small CSV for every *.csv name. */
static enum ds_status
fz_fetch(void *arg, const char *name, char **data, size_t *len,
    struct ds_err *err)
{
	static const char csv[] = "name,label,label::English (en),k\n"
	    "a,A,Aa,1\nb,\"B, b\",Bb,2\n";
	size_t n = strlen(name);

	(void)arg;
	if (n < 4 || strcmp(name + n - 4, ".csv") != 0)
		return ds_err_set(err, DS_ENOENT, "no such file");
	if ((*data = ds_strdup(csv)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	*len = sizeof(csv) - 1;
	return DS_OK;
}

/*
 * form.c's invariants: nodes[i]->index == i, the root first, every named
 * node found by form_find, parent/kids consistent, list indexes valid.
 */
static void
fz_check(const struct form *f)
{
	const struct form_node *nd;
	size_t i, k;

	assert(f->nnodes > 0 && f->nodes[0] == f->root);
	assert(f->root->type == FT_ROOT && f->root->parent == NULL);
	assert(f->nlangs > 0 && f->default_lang >= 0 &&
	    (size_t)f->default_lang < f->nlangs);
	assert(f->id != NULL);
	for (i = 0; i < f->nnodes; i++) {
		nd = f->nodes[i];
		assert(nd->index == i);
		if (i > 0) {
			assert(nd->name != NULL && nd->parent != NULL);
			assert(form_find(f, nd->name) == nd);
			assert(nd->depth == nd->parent->depth + 1);
			for (k = 0; k < nd->parent->nkids; k++)
				if (nd->parent->kids[k] == nd)
					break;
			assert(k < nd->parent->nkids);
		}
		assert(nd->list >= -1 && (nd->list < 0 ||
		    (size_t)nd->list < f->nlists));
		if (nd->type == FT_SELECT_ONE ||
		    nd->type == FT_SELECT_MULTIPLE)
			assert(nd->list >= 0);
		(void)form_text_get(f, &nd->label, 0);
	}
	for (i = 0; i < f->nlists; i++)
		for (k = 0; k < f->lists[i].nchoices; k++)
			assert(f->lists[i].choices[k].name != NULL);
}

#endif
