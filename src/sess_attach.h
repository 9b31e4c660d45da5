/* doorstep: attach a file to a media question (layer 7: session). */
#ifndef DS_SESS_ATTACH_H
#define DS_SESS_ATTACH_H

/*
 * What a terminal cannot capture is entered another way: the worker
 * attaches a file from disk (a photo copied from a phone or a camera) to
 * an image, audio, video or file question by its path.  The file is
 * read into memory (never copied on disk, and left where it is: it may be
 * the only copy), checked against the question's type and FORM_MEDIA_MAX,
 * kept sealed in the store under a new name as ODK makes it, and the
 * answer becomes that name.  On any refusal nothing
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

struct sess_attach_res {
	enum sess_attach_why	 why;
	int			 type;		/* enum form_type, -1 none */
	size_t			 size;		/* bytes of the file */
	char			 name[FORM_MEDIA_NAME_MAX + 1];
};

#define SESS_ATTACH_SAVE	1	/* also save a revision now */

/*
 * Attach the file at `file` to the question at `qpath` (as eng_set takes
 * it) of session s, whose store is st.  flags: SESS_ATTACH_SAVE saves a
 * revision now (the interview screen; else only answer: fill saves at the
 * end).
 */
enum ds_status	 sess_attach(struct sess *, struct store *st,
		    const char *qpath, const char *file, int flags,
		    struct sess_attach_res *, struct ds_err *);

#endif
