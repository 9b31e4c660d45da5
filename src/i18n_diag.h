/* doorstep: form diagnostics in the user's language (layer 9: tui). */
#ifndef DS_I18N_DIAG_H
#define DS_I18N_DIAG_H

/*
 * The loader and the engine report problems as struct form_diag: a code
 * and its facts where a form author must act (form.h, enum
 * form_diag_code), an English developer message otherwise.  This words
 * one through gettext, in the language i18n chose:
 *   "hh.md:3: error: [relevnt] unknown column 'relevnt': did you mean
 *   'relevant'?"
 * A diagnostic without a code keeps its English message.
 */
#include <stddef.h>

#include "form.h"

void		 i18n_form_diag(const struct form_diag *, char *buf, size_t n);

/* What doorstep does with a question type a laptop cannot capture the
 * usual way ("geopoint" -> "typed as latitude longitude ..."), worded;
 * NULL for an ordinary type. */
const char	*i18n_form_type_note(enum form_type);
/* The same for a range question and for the likert appearance. */
const char	*i18n_form_range_note(void);
const char	*i18n_form_likert_note(void);

/* English msgids made below this layer (NULL-terminated). */
extern const char *const i18n_lower_msgids[];

#endif
