/* doorstep: jansson set-up and canonical output. */
/*
 * jansson's allocator hook has no size on free, so each block carries its
 * size in a header; the free hook wipes header and payload.  Canonical output
 * is jansson's own compact, key-sorted encoder, which is deterministic for a
 * given document (the same object always gives the same bytes).
 */
#include "json.h"

#include <string.h>

#include "mem.h"

#define HDR	16	/* keeps the payload 16-byte aligned */

/* An allocation for jansson failed.  jansson's own error does not say so
 * (it may blame the syntax), so ds_json_parse asks this. */
static _Thread_local int json_oom;

static void *
json_alloc(size_t n)
{
	unsigned char *p;

	if ((p = ds_malloc(n + HDR)) == NULL) {
		json_oom = 1;
		return NULL;
	}
	memcpy(p, &n, sizeof(n));
	return p + HDR;
}

static void
json_release(void *q)
{
	volatile unsigned char *v;
	unsigned char *p;
	size_t n, i;

	if (q == NULL)
		return;
	p = (unsigned char *)q - HDR;
	memcpy(&n, p, sizeof(n));
	v = p;
	for (i = 0; i < n + HDR; i++)
		v[i] = 0;
	ds_free(p);
}

void
ds_json_init(void)
{
	static int done;

	if (done)
		return;
	json_set_alloc_funcs(json_alloc, json_release);
	done = 1;
}

enum ds_status
ds_json_canonical(const json_t *j, char **out, size_t *lenp,
    struct ds_err *err)
{
	size_t flags = JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY |
	    JSON_REAL_PRECISION(17);
	size_t n;
	char *s, *d;

	if ((n = json_dumpb(j, NULL, 0, flags)) == 0)
		return ds_err_set(err, DS_ENOMEM, "cannot encode json");
	if ((s = ds_malloc(n + 1)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if (json_dumpb(j, s, n, flags) != n) {
		ds_free(s);
		return ds_err_set(err, DS_ENOMEM, "cannot encode json");
	}
	s[n] = '\0';
	d = s;
	*out = d;
	if (lenp)
		*lenp = n;
	return DS_OK;
}

enum ds_status
ds_json_parse(const char *text, size_t len, size_t cap, const char *what,
    json_t **out, struct ds_err *err)
{
	json_error_t je;
	json_t *j;

	if (len > cap)
		return ds_err_set(err, DS_ELIMIT,
		    "%s: json too large (%zu bytes, limit %zu)", what, len, cap);
	json_oom = 0;
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &je);
	if (json_oom) {
		json_decref(j);
		return ds_err_set(err, DS_ENOMEM, "%s: %s", what,
		    ds_status_str(DS_ENOMEM));
	}
	if (j == NULL) {
		ds_err_set(err, DS_EPARSE, "%s:%d:%d: %s", what, je.line,
		    je.column, je.text);
		ds_err_at(err, what, je.line, NULL);
		return DS_EPARSE;
	}
	*out = j;
	return DS_OK;
}
