/* doorstep: attach a file to a media question. */
#include "sess_attach.h"

#include <stdio.h>
#include <string.h>

#include "cry.h"
#include "eng.h"
#include "mem.h"
#include "util.h"

/* Keep bytes under a fresh name: a clash (same millisecond) tries on. */
static enum ds_status
keep(struct store *st, const unsigned char *rid, const char *ext,
    const char *p, size_t n, struct sess_attach_res *r, struct ds_err *err)
{
	int64_t ms = ds_now_ms();
	enum ds_status s;
	int i;

	for (i = 0; i < 16; i++) {
		if (form_media_name(ms + i, ext, r->name, sizeof(r->name)) != 0)
			return ds_err_set(err, DS_ELIMIT, "attachment name");
		s = store_attach_put(st, rid, r->name, p, n, err);
		if (s != DS_EEXIST)
			return s;
		ds_err_clear(err);
	}
	return ds_err_set(err, DS_EEXIST, "attachment name");
}

enum ds_status
sess_attach(struct sess *ss, struct store *st, const char *qpath,
    const char *file, int flags, struct sess_attach_res *r,
    struct ds_err *err)
{
	struct eng *e = sess_eng(ss);
	char ext[FORM_MEDIA_EXT_MAX + 1], *old = NULL, *buf = NULL;
	const char *v;
	size_t len = 0;
	enum ds_status s;

	memset(r, 0, sizeof(*r));
	r->type = eng_path_type(e, qpath);
	if (r->type < 0 || !form_type_media((enum form_type)r->type)) {
		r->why = SESS_ATTACH_QUESTION;
		return ds_err_set(err, DS_ENOENT, "no media question %s",
		    qpath);
	}
	if ((s = ds_file_read(file, FORM_MEDIA_MAX, &buf, &len, err)) !=
	    DS_OK) {
		r->why = s == DS_ENOENT ? SESS_ATTACH_MISSING : s == DS_ELIMIT ?
		    SESS_ATTACH_TOO_LARGE : SESS_ATTACH_UNREADABLE;
		return s;
	}
	r->size = len;
	switch (form_media_fit((enum form_type)r->type, file,
	    (const unsigned char *)buf, len, ext)) {
	case FORM_MEDIA_OK:
		break;
	case FORM_MEDIA_EMPTY:
		r->why = SESS_ATTACH_EMPTY;
		s = ds_err_set(err, DS_ETYPE, "%s is empty", file);
		goto out;
	default:
		r->why = SESS_ATTACH_KIND;
		s = ds_err_set(err, DS_ETYPE, "%s is not a file of type %s",
		    file, form_type_name((enum form_type)r->type));
		goto out;
	}
	/* The answer first: a question the engine refuses keeps nothing. */
	v = eng_value(e, qpath);
	if (v != NULL && (old = ds_strdup(v)) == NULL) {
		s = ds_err_set(err, DS_ENOMEM, NULL);
		r->why = SESS_ATTACH_STORE;
		goto out;
	}
	if (form_media_name(ds_now_ms(), ext, r->name, sizeof(r->name)) != 0 ||
	    (s = eng_set(e, qpath, r->name, err)) != DS_OK) {
		r->why = SESS_ATTACH_REFUSED;
		s = s == DS_OK ? ds_err_set(err, DS_ELIMIT, "name") : s;
		goto out;
	}
	if ((s = keep(st, sess_id(ss), ext, buf, len, r, err)) != DS_OK) {
		r->why = s == DS_ELIMIT ? SESS_ATTACH_TOO_MUCH :
		    SESS_ATTACH_STORE;
		(void)eng_set(e, qpath, old, NULL);
		goto out;
	}
	/* keep() may have moved on to the next millisecond's name */
	if ((s = eng_set(e, qpath, r->name, err)) != DS_OK ||
	    ((flags & SESS_ATTACH_SAVE) && (s = sess_save(ss, err)) !=
	    DS_OK)) {
		r->why = SESS_ATTACH_STORE;
		goto out;
	}
	r->why = SESS_ATTACH_OK;
out:
	if (buf != NULL) {
		cry_wipe(buf, len);
		ds_free(buf);
	}
	ds_free(old);
	return s;
}
