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

/*
 * The language of a command's words (the words policy): `opt` (a --lang
 * value; NULL if not given), else DOORSTEP_LANG, else the locale (LC_ALL,
 * LC_MESSAGES, LANG starting "zh" or "en"), else Chinese.  "zh", "zh_CN",
 * "en", "en_US.UTF-8" and the like are understood.  Returns "zh_CN" or
 * "en"; NULL when opt names another language (an unknown DOORSTEP_LANG
 * is passed over).
 */
const char	*i18n_pick(const char *opt);

/* "zh_CN" or "en": the language the catalogue currently uses. */
const char	*i18n_lang(void);

/* A visit-list reason code ("followup", docs/case.md) in words; an
 * unknown code as it is. */
const char	*i18n_visit_reason(const char *code);

#endif
