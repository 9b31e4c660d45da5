/* doorstep: an attachment's refusal in the user's language. */
#include "i18n_attach.h"

#include <stdio.h>

#include "i18n.h"

/* What a question of each media type takes, in words. */
static const char *
takes(int type)
{
	switch (type) {
	case FT_IMAGE:
		return _("a photo or picture (JPEG, PNG, HEIC, WebP, GIF, BMP, "
		    "TIFF)");
	case FT_AUDIO:
		return _("a sound recording (MP3, M4A, AMR, AAC, WAV, OGG, "
		    "FLAC)");
	case FT_VIDEO:
		return _("a video (MP4, 3GP, MOV, WebM, AVI)");
	default:
		return _("any file");
	}
}

const char *
i18n_attach_why(const struct sess_attach_res *r, const char *q,
    const char *file, const struct ds_err *err, char *buf, size_t n)
{
	const char *detail = err != NULL ? err->msg : "";

	switch (r->why) {
	case SESS_ATTACH_OK:
		snprintf(buf, n, _("%s: attached %s as %s (%zu bytes)."), q,
		    file, r->name, r->size);
		break;
	case SESS_ATTACH_QUESTION:
		snprintf(buf, n, _("%s is not a photo, audio, video or file "
		    "question of this form: nothing was attached."), q);
		break;
	case SESS_ATTACH_MISSING:
		snprintf(buf, n, _("There is no file at %s: check the path "
		    "and try again. Your answers are safe."), file);
		break;
	case SESS_ATTACH_UNREADABLE:
		snprintf(buf, n, _("%s cannot be read (%s): copy it to this "
		    "laptop as a plain file you may read, and try again. Your "
		    "answers are safe."), file, detail);
		break;
	case SESS_ATTACH_TOO_LARGE:
		snprintf(buf, n, _("%s is larger than %u MiB: make it smaller "
		    "(a photo at a lower resolution) and try again. Your "
		    "answers are safe."), file, FORM_MEDIA_MAX >> 20);
		break;
	case SESS_ATTACH_EMPTY:
		snprintf(buf, n, _("%s is empty: nothing was attached. Your "
		    "answers are safe."), file);
		break;
	case SESS_ATTACH_KIND:
		snprintf(buf, n, _("%s is not what this question takes: %s. "
		    "Nothing was attached; your answers are safe."), file,
		    takes(r->type));
		break;
	case SESS_ATTACH_REFUSED:
		snprintf(buf, n, _("%s cannot be answered now (%s): nothing "
		    "was attached."), q, detail);
		break;
	case SESS_ATTACH_TOO_MUCH:
		snprintf(buf, n, _("The files attached since the last save "
		    "pass %u MiB: save the record, then attach more. Your "
		    "answers are safe."), STORE_ATTACH_REV_MAX >> 20);
		break;
	default:
		snprintf(buf, n, _("The file could not be kept (%s): nothing "
		    "was attached. Your answers are safe."), detail);
		break;
	}
	return buf;
}
