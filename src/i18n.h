/* doorstep: the app's own strings through gettext (layer 9: tui). */
#ifndef DS_I18N_H
#define DS_I18N_H

/*
 * Every string the TUI shows to a grid worker goes through _() so that
 * po/zh_CN.po and po/en.po translate it; msgids are English.  The catalogue
 * follows the locale (LANG, LC_ALL, LC_MESSAGES, LANGUAGE).  Form labels are
 * not app strings: they come translated from the form itself.
 */
#include <libintl.h>

#define _(s)	gettext(s)
#define N_(s)	(s)

/*
 * Set the locale from the environment and bind the "doorstep" domain to
 * `localedir` (DOORSTEP_LOCALEDIR overrides it; NULL uses the build's
 * DS_LOCALEDIR).  Returns 1 if the locale's codeset is UTF-8, else 0.
 */
int	 i18n_init(const char *localedir);

/*
 * Switch the app strings to "zh_CN" or "en" while running (the worker's
 * language key).  Returns 0, or -1 if the language is unknown.
 */
int	 i18n_set_lang(const char *lang);

/* "zh_CN" or "en": the language the catalogue currently uses. */
const char	*i18n_lang(void);

#endif
