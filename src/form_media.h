/* doorstep: attachments of image, audio, video and file questions. */
#ifndef DS_FORM_MEDIA_H
#define DS_FORM_MEDIA_H

/*
 * A laptop has no camera the form can drive, so the worker attaches a
 * file from disk (a photo copied from a phone) by path.  The answer is
 * the file's name as ODK Collect makes it, "<milliseconds>.<ext>"; the
 * bytes go to the store, sealed, and travel in the bundle.  These rules
 * are the model's: what a question of each type takes, by the file's
 * first bytes (never by its name alone), and what a name may be.
 */
#include <stddef.h>
#include <stdint.h>

#include "form.h"

#define FORM_MEDIA_MAX		(16u << 20)	/* bytes of one file */
#define FORM_MEDIA_NAME_MAX	128		/* bytes of its name */
#define FORM_MEDIA_EXT_MAX	8		/* bytes of its extension */

/* 1 for FT_IMAGE, FT_AUDIO, FT_VIDEO and FT_FILE. */
int		 form_type_media(enum form_type);

/*
 * 1 if s (n bytes) is an attachment name: 1..FORM_MEDIA_NAME_MAX bytes
 * of [A-Za-z0-9._-], not starting with '.'.  Such a name is safe as a
 * file name in any folder and carries nothing about the household.
 */
int		 form_media_name_ok(const char *s, size_t n);

enum form_media_fit {
	FORM_MEDIA_OK,
	FORM_MEDIA_EMPTY,	/* no bytes */
	FORM_MEDIA_KIND		/* not a file this type takes */
};

/*
 * Whether the bytes p[0..n) fit a question of type t, and the extension
 * to name them by (into ext): the kind the first bytes show (JPEG, PNG,
 * MP3, MP4 ...), else for a `file` question the extension of src (the
 * path it came from) when that is a plain one, else "bin".
 */
enum form_media_fit form_media_fit(enum form_type t, const char *src,
		    const unsigned char *p, size_t n,
		    char ext[FORM_MEDIA_EXT_MAX + 1]);

/* "<ms>.<ext>" into out (cap bytes); -1 if it does not fit. */
int		 form_media_name(int64_t ms, const char *ext, char *out,
		    size_t cap);

#endif
