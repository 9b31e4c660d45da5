/* doorstep: question-level comparison of two forked revisions. */
/*
 * Flattens each answers document into path -> leaf value ("members[2]/
 * name" -> "王五"), then compares.  A fork is a conflict when some path
 * changed from the parent on both sides to different values, else a
 * parallel update (ODK Central's distinction, crypto-sync.md §7.6).
 */
#include "imp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"

#define PATH_MAX_LEN	512
#define DEPTH_MAX	32

/*
 * Add v's leaves under path to out: 0; -1 past the nesting or path limits;
 * -2 out of memory.  An empty group or repeat is a leaf of its own, but
 * empty answers ({}) have no paths.
 */
static int
flatten(json_t *v, char *path, size_t plen, json_t *out, int depth)
{
	const char *k;
	json_t *x;
	size_t i, n;
	int rc;

	if (depth > DEPTH_MAX)
		return -1;
	if (json_is_object(v) && (json_object_size(v) > 0 || plen == 0)) {
		json_object_foreach(v, k, x) {
			/* Session state (cursor, consent record), not answers. */
			if (plen == 0 && strcmp(k, "_meta") == 0)
				continue;
			n = (size_t)snprintf(path + plen, PATH_MAX_LEN - plen,
			    "%s%s", plen ? "/" : "", k);
			if (plen + n >= PATH_MAX_LEN)
				return -1;
			if ((rc = flatten(x, path, plen + n, out, depth + 1)) !=
			    0)
				return rc;
		}
		path[plen] = '\0';
		return 0;
	}
	if (json_is_array(v) && json_array_size(v) > 0) {
		json_array_foreach(v, i, x) {
			n = (size_t)snprintf(path + plen, PATH_MAX_LEN - plen,
			    "[%zu]", i + 1);
			if (plen + n >= PATH_MAX_LEN)
				return -1;
			if ((rc = flatten(x, path, plen + n, out, depth + 1)) !=
			    0)
				return rc;
		}
		path[plen] = '\0';
		return 0;
	}
	return json_object_set(out, plen ? path : "(root)", v) == 0 ? 0 : -2;
}

static json_t *
flat_of(const char *text, struct ds_err *err, enum ds_status *st)
{
	char path[PATH_MAX_LEN];
	json_t *doc = NULL, *out;
	int rc = -2;

	*st = DS_OK;
	if (text == NULL) {
		if ((out = json_object()) == NULL)
			*st = ds_err_set(err, DS_ENOMEM, NULL);
		return out;
	}
	if ((*st = ds_json_parse(text, strlen(text), 16u << 20, "answers",
	    &doc, err)) != DS_OK)
		return NULL;
	path[0] = '\0';
	if ((out = json_object()) == NULL ||
	    (rc = flatten(doc, path, 0, out, 0)) != 0) {
		json_decref(out);
		json_decref(doc);
		*st = rc == -1 ? ds_err_set(err, DS_ELIMIT, "answers nest too "
		    "deep") : ds_err_set(err, DS_ENOMEM, NULL);
		return NULL;
	}
	json_decref(doc);
	return out;
}

/* Paths where x differs from base (missing on one side counts). */
static int
changed(json_t *base, json_t *x, const char *k)
{
	json_t *a = json_object_get(base, k), *b = json_object_get(x, k);

	if (a == NULL || b == NULL)
		return a != b;
	return !json_equal(a, b);
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

enum ds_status
imp_fork_compare(const char *base, const char *a, const char *b,
    int *conflict, char *q, size_t qmax, struct ds_err *err)
{
	json_t *fp = NULL, *fa = NULL, *fb = NULL, *all = NULL, *v;
	const char **names = NULL, *k;
	size_t n = 0, cap, i, used = 0, w, total;
	enum ds_status st;
	int ca, cb, hard = 0;

	*conflict = 0;
	if (qmax > 0)
		q[0] = '\0';
	if ((fp = flat_of(base, err, &st)) == NULL ||
	    (fa = flat_of(a, err, &st)) == NULL ||
	    (fb = flat_of(b, err, &st)) == NULL)
		goto out;
	/* Union of the paths of all three. */
	if ((all = json_object()) == NULL ||
	    json_object_update(all, fp) || json_object_update(all, fa) ||
	    json_object_update(all, fb)) {
		st = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	cap = json_object_size(all);
	if ((names = ds_calloc(cap + 1, sizeof(*names))) == NULL) {
		st = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	/* First pass: is any path a true conflict? */
	json_object_foreach(all, k, v) {
		ca = changed(fp, fa, k);
		cb = changed(fp, fb, k);
		if (ca && cb && changed(fa, fb, k))
			hard = 1;
	}
	json_object_foreach(all, k, v) {
		ca = changed(fp, fa, k);
		cb = changed(fp, fb, k);
		if (hard ? (ca && cb && changed(fa, fb, k)) : (ca || cb))
			names[n++] = k;
	}
	qsort(names, n, sizeof(*names), cmpstr);
	/* The whole list if it fits, else whole names then ", ...". */
	for (i = 0, total = 0; i < n; i++)
		total += strlen(names[i]) + (i ? 2 : 0);
	for (i = 0; i < n && qmax > 0; i++) {
		w = strlen(names[i]) + (i ? 2 : 0);
		if (total >= qmax && used + w + 5 >= qmax) {
			snprintf(q + used, qmax - used, "%s...", i ? ", " : "");
			break;
		}
		used += (size_t)snprintf(q + used, qmax - used, "%s%s",
		    i ? ", " : "", names[i]);
	}
	*conflict = hard;
	st = DS_OK;
out:
	ds_free(names);
	json_decref(all);
	json_decref(fp);
	json_decref(fa);
	json_decref(fb);
	return st;
}
