/* doorstep: the engine's notes in the worker's language (layer 9: tui). */
#ifndef DS_I18N_ENG_H
#define DS_I18N_ENG_H

/*
 * The engine hands over codes and facts (struct eng_note, eng.h); these
 * functions word them through gettext in the one language chosen (the
 * TUI, `doorstep fill`).  A form's own message is used as it is.
 */
#include <stddef.h>

#include "eng.h"

/* The note as one text (message, the ID part, the facts) into buf;
 * returns buf ("" for ENG_MSG_NONE). */
const char	*i18n_note(const struct eng_note *, char *buf, size_t n);

#endif
