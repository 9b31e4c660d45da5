/* doorstep: attach a file to a media question (layer 7: session). */
#ifndef DS_SESS_ATTACH_H
#define DS_SESS_ATTACH_H

/*
 * What a terminal cannot capture is entered another way: the worker
 * attaches a file from disk (a photo copied from a phone or a camera) to
 * an image, audio, video or file question by its path.  The file is
 * read into memory (never copied on disk; with SESS_ATTACH_REMOVE removed
 * once the record is saved), checked against the question's
 * type and FORM_MEDIA_MAX, kept sealed in the store under a new name as
 * ODK makes it, and the answer becomes that name.  On any refusal nothing
 * is kept and the answer stays as it was; `why` says which refusal, for
 * the edge to word.
 */
#include <stddef.h>

#include "form_media.h"
#include "sess.h"
#include "status.h"
#include "store.h"

enum sess_attach_why {
	SESS_ATTACH_OK,
	SESS_ATTACH_QUESTION,	/* no media question at that path */
	SESS_ATTACH_MISSING,	/* no file at the path */
	SESS_ATTACH_UNREADABLE,	/* not a readable regular file: err.msg */
	SESS_ATTACH_TOO_LARGE,	/* over FORM_MEDIA_MAX: size */
	SESS_ATTACH_EMPTY,	/* an empty file */
	SESS_ATTACH_KIND,	/* not a file of the question's kind */
	SESS_ATTACH_REFUSED,	/* the engine refused the answer (not
				 * relevant, read-only, finalized): err */
	SESS_ATTACH_TOO_MUCH,	/* over STORE_ATTACH_REV_MAX before a save */
	SESS_ATTACH_STORE	/* the store failed: err */
};

/* What became of the file on disk after an attach that succeeded. */
enum sess_attach_file {
	SESS_FILE_KEPT,		/* left where it is (not asked to remove) */
	SESS_FILE_REMOVED,	/* removed once the record was saved */
	SESS_FILE_LEFT		/* asked, but it could not be removed */
};

struct sess_attach_res {
	enum sess_attach_why	 why;
	enum sess_attach_file	 file;
	int			 type;		/* enum form_type, -1 none */
	size_t			 size;		/* bytes of the file */
	char			 name[FORM_MEDIA_NAME_MAX + 1];
};

#define SESS_ATTACH_SAVE	1	/* also save a revision now */
#define SESS_ATTACH_REMOVE	2	/* with SAVE: then remove the file */

/*
 * Attach the file at `file` to the question at `qpath` (as eng_set takes
 * it) of session s, whose store is st.  flags: SESS_ATTACH_SAVE saves a
 * revision now (the interview screen; else only answer: fill saves at the
 * end); SESS_ATTACH_REMOVE then removes the file (r->file says whether
 * it went).  No caller passes it today: what the worker typed may be the
 * only copy, so it is removed only where the worker was asked.
 */
enum ds_status	 sess_attach(struct sess *, struct store *st,
		    const char *qpath, const char *file, int flags,
		    struct sess_attach_res *, struct ds_err *);

#endif
