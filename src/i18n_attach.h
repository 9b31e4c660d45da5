/* doorstep: an attachment's refusal in the user's language. */
#ifndef DS_I18N_ATTACH_H
#define DS_I18N_ATTACH_H

#include <stddef.h>

#include "sess_attach.h"
#include "status.h"

/*
 * One sentence for the refusal r (from sess_attach of `file` to question
 * `q`) into buf: what happened, that the answers are safe, what to do.
 */
const char	*i18n_attach_why(const struct sess_attach_res *r,
		    const char *q, const char *file, const struct ds_err *err,
		    char *buf, size_t n);

#endif
