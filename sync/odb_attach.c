/* doorstep: office.db attachments, the files of media questions. */
/*
 * Kept once per record and name (the answer), sealed under the data key
 * with the record and the name as the row key, as the laptop sent them:
 * a file arrives with the first revision that names it.  A file is never
 * replaced: the same record and name again is the same file (a bundle
 * imported twice).
 */
#include "odb_attach.h"

#include <string.h>

#include "form_media.h"
#include "mem.h"
#include "odb_int.h"

#define ATTACH_TAG	"attachment.data"

/* The row key: record uuid, then the name. */
static size_t
row_key(unsigned char *k, const unsigned char *rid, const char *name,
    size_t n)
{
	memcpy(k, rid, 16);
	memcpy(k + 16, name, n);
	return 16 + n;
}

static const char Q_ATT_INS[] = "INSERT INTO attachment(record_uuid, name,"
    " rev_id, size, data) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT DO NOTHING";

enum ds_status
odb_attach_put(struct odb *o, const unsigned char rid[16],
    const unsigned char rev_id[16], const char *name, size_t nlen,
    const unsigned char *p, size_t n, struct ds_err *err)
{
	unsigned char key[16 + FORM_MEDIA_NAME_MAX], *ct;
	struct dbx_stmt *st;
	size_t kl;
	int rc;

	if (o->dkey == NULL)
		return ds_err_set(err, DS_ESTATE, "office db: opened without "
		    "the office secret key: files cannot be stored");
	if (!form_media_name_ok(name, nlen) || n == 0 || n > FORM_MEDIA_MAX)
		return ds_err_set(err, DS_EINVAL, "office db: bad attachment");
	if ((ct = ds_malloc(ODB_SEALED_LEN(n))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	kl = row_key(key, rid, name, nlen);
	odb_seal_row(o, ATTACH_TAG, key, kl, p, n, ct);
	if ((st = odb_stmt(o, Q_ATT_INS, err)) == NULL) {
		ds_free(ct);
		return err ? err->code : DS_EIO;
	}
	dbx_bind_blob(st, 1, rid, 16);
	dbx_bind_text(st, 2, name, (int)nlen);
	dbx_bind_blob(st, 3, rev_id, 16);
	dbx_bind_int64(st, 4, (int64_t)n);
	dbx_bind_blob(st, 5, ct, (int)ODB_SEALED_LEN(n));
	rc = dbx_step(st);
	dbx_reset(st);
	ds_free(ct);
	if (rc != DBX_DONE)
		return odb_sqlerr(o->db, rc, err, "attachment");
	return DS_OK;
}

static const char Q_ATT_GET[] = "SELECT data FROM attachment WHERE"
    " record_uuid = ?1 AND name = ?2";

enum ds_status
odb_attach_get(struct odb *o, const unsigned char rid[16], const char *name,
    unsigned char **p, size_t *n, struct ds_err *err)
{
	struct odb_plain pl = { NULL, 0, 0 };
	unsigned char key[16 + FORM_MEDIA_NAME_MAX];
	struct dbx_stmt *st;
	enum ds_status s;
	size_t nl = strlen(name);
	int rc;

	*p = NULL;
	*n = 0;
	if (!form_media_name_ok(name, nl))
		return ds_err_set(err, DS_ENOENT, "no such file");
	if ((st = odb_stmt(o, Q_ATT_GET, err)) == NULL)
		return err ? err->code : DS_EIO;
	dbx_bind_blob(st, 1, rid, 16);
	dbx_bind_text(st, 2, name, (int)nl);
	if ((rc = dbx_step(st)) != DBX_ROW) {
		dbx_reset(st);
		if (rc == DBX_DONE)
			return ds_err_set(err, DS_ENOENT, "no such file");
		return odb_sqlerr(o->db, rc, err, "attachment");
	}
	s = odb_unseal_row(o, st, 0, ATTACH_TAG, key, row_key(key, rid, name,
	    nl), &pl, err);
	dbx_reset(st);
	if (s != DS_OK) {
		odb_plain_free(&pl);
		return s;
	}
	*p = (unsigned char *)pl.p;
	*n = pl.len;
	return DS_OK;
}
