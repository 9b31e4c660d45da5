/* doorstep: office.db attachments, the files of media questions. */
#ifndef DS_ODB_ATTACH_H
#define DS_ODB_ATTACH_H

#include <stddef.h>

#include "odb.h"
#include "status.h"

/*
 * Keep the file `name` (nlen bytes, form_media_name_ok) of record rid,
 * first sent with revision rev_id, sealed; the same record and name
 * again changes nothing.  Inside the import's transaction.
 */
enum ds_status	 odb_attach_put(struct odb *, const unsigned char rid[16],
		    const unsigned char rev_id[16], const char *name,
		    size_t nlen, const unsigned char *p, size_t n,
		    struct ds_err *);

/*
 * The file `name` of record rid, decrypted: *p (NUL-terminated, *n bytes)
 * the caller wipes and frees (cry_wipe, ds_free).  DS_ENOENT if there is
 * none, DS_ECRYPTO if its sealed bytes were altered or moved.
 */
enum ds_status	 odb_attach_get(struct odb *, const unsigned char rid[16],
		    const char *name, unsigned char **p, size_t *n,
		    struct ds_err *);

#endif
