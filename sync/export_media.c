/* doorstep: the files of media answers, written beside the tables. */
/*
 * An answer of an image, audio, video or file question is the name of a
 * file the laptop sent with the record (odb_attach.c).  The export writes
 * each such file into one folder beside the tables, STEM-media, under its
 * name, so the cell names the file in that folder, as ODK's exports do.
 * Any string answer that is a file name the record holds counts, so this
 * works with and without the form.  Names are made from the laptop's
 * clock in milliseconds; when two records hold the same name, the second
 * file (and its cell) gets its record id in front.
 */
#include "export.h"

#include <stdio.h>
#include <string.h>

#include "cry.h"
#include "export_int.h"
#include "form_media.h"
#include "mem.h"
#include "odb_attach.h"
#include "util.h"

#define MEDIA_SUFFIX	"-media"
#define MEDIA_PATH_MAX	4096

struct media {
	struct odb		*db;
	struct export_stats	*stats;
	const struct xex	*e;
	unsigned char		 rid[16];
	const char		*rhex;		/* record id, hex */
	json_t			*written;	/* name -> record id hex */
	struct ds_err		*err;
};

/* The folder, made on the first file. */
static enum ds_status
folder(struct media *m)
{
	if (m->stats->media_dir[0] != '\0')
		return DS_OK;
	xex_sibling(m->e->o->path, MEDIA_SUFFIX, m->stats->media_dir,
	    sizeof(m->stats->media_dir));
	return ds_mkdir_p(m->stats->media_dir, 0700, m->err);
}

/* Write one file; *v may be replaced by the name it was written under. */
static enum ds_status
one(struct media *m, json_t *v)
{
	const char *name = json_string_value(v), *had;
	char out[FORM_MEDIA_NAME_MAX + 40], path[MEDIA_PATH_MAX];
	unsigned char *p = NULL;
	size_t n = 0;
	enum ds_status st;
	int r;

	if (!form_media_name_ok(name, json_string_length(v)))
		return DS_OK;
	st = odb_attach_get(m->db, m->rid, name, &p, &n, m->err);
	if (st == DS_ENOENT) {
		ds_err_clear(m->err);
		return DS_OK;
	}
	if (st != DS_OK) {
		ds_err_prefix(m->err, "record %s, file %s", m->rhex, name);
		return st;
	}
	if ((st = folder(m)) != DS_OK)
		goto out;
	/* The same record naming its file twice: written once. */
	had = json_string_value(json_object_get(m->written, name));
	if (had != NULL && strcmp(had, m->rhex) == 0)
		goto out;
	r = had != NULL ? snprintf(out, sizeof(out), "%s-%s", m->rhex, name) :
	    snprintf(out, sizeof(out), "%s", name);
	if (r < 0 || (size_t)r >= sizeof(out) || snprintf(path, sizeof(path),
	    "%s/%s", m->stats->media_dir, out) >= (int)sizeof(path)) {
		st = ds_err_set(m->err, DS_ELIMIT, "path too long");
		goto out;
	}
	if ((st = ds_file_write_atomic(path, p, n, 0600, m->err)) != DS_OK)
		goto out;
	m->stats->media++;
	if (json_object_set_new(m->written, out, json_string(m->rhex)) != 0 ||
	    (had != NULL && json_string_set(v, out) != 0))
		st = ds_err_set(m->err, DS_ENOMEM, NULL);
out:
	cry_wipe(p, n);
	ds_free(p);
	return st;
}

/* Every string answer at any depth (groups flattened, repeats). */
static enum ds_status
walk(struct media *m, json_t *x, int depth)
{
	const char *k;
	json_t *v;
	size_t i;
	enum ds_status st;

	if (depth > 16)
		return DS_OK;
	if (json_is_string(x))
		return one(m, x);
	if (json_is_array(x)) {
		json_array_foreach(x, i, v)
			if ((st = walk(m, v, depth + 1)) != DS_OK)
				return st;
		return DS_OK;
	}
	json_object_foreach(x, k, v)
		if (strcmp(k, "_meta") != 0 && (st = walk(m, v, depth + 1)) !=
		    DS_OK)
			return st;
	return DS_OK;
}

enum ds_status
xex_media(struct odb *db, struct xex *e, struct export_stats *stats,
    struct ds_err *err)
{
	struct media m;
	enum ds_status st = DS_OK;
	size_t i;

	memset(&m, 0, sizeof(m));
	m.db = db;
	m.e = e;
	m.stats = stats;
	m.err = err;
	if ((m.written = json_object()) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	for (i = 0; i < e->n && st == DS_OK; i++) {
		m.rhex = e->v[i].meta[0];
		if (ds_hex_decode(m.rhex, m.rid, sizeof(m.rid)) != 0) {
			st = ds_err_set(err, DS_ECORRUPT, "record id");
			break;
		}
		st = walk(&m, e->v[i].doc, 0);
	}
	json_decref(m.written);
	return st;
}
