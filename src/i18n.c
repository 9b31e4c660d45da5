/* doorstep: locale set-up and the gettext catalogue switch. */
/*
 * The only code that calls setlocale(), bindtextdomain() and textdomain().
 * The running language is switched by setting LANGUAGE, which GNU gettext
 * consults on every lookup once the locale is not "C"; the message-catalogue
 * counter tells it to drop its cache (documented in the gettext manual,
 * "Being a gettext grok").  Only two languages exist, so a worker's switch
 * is a toggle; anything else the locale asks for falls back to English.
 */
#include "i18n.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#ifndef DS_LOCALEDIR
#define DS_LOCALEDIR "/usr/share/locale"
#endif

extern int _nl_msg_cat_cntr;

static const char *cur_lang = "en";

static int
lang_is_zh(const char *s)
{
	return s != NULL && strncmp(s, "zh", 2) == 0;
}

int
i18n_init(const char *localedir)
{
	const char *dir, *l, *cs;

	if (setlocale(LC_ALL, "") == NULL)
		(void)setlocale(LC_ALL, "C.UTF-8");
	(void)setlocale(LC_NUMERIC, "C");	/* '.' in every number */
	dir = getenv("DOORSTEP_LOCALEDIR");
	if (dir == NULL || *dir == '\0')
		dir = localedir != NULL ? localedir : DS_LOCALEDIR;
	(void)bindtextdomain("doorstep", dir);
	(void)bind_textdomain_codeset("doorstep", "UTF-8");
	(void)textdomain("doorstep");

	/* Which catalogue will answer: LANGUAGE first, then the locale. */
	l = getenv("LANGUAGE");
	if (l == NULL || *l == '\0')
		l = setlocale(LC_MESSAGES, NULL);
	cur_lang = lang_is_zh(l) ? "zh_CN" : "en";
	cs = nl_langinfo(CODESET);
	return cs != NULL && strcmp(cs, "UTF-8") == 0;
}

int
i18n_set_lang(const char *lang)
{
	if (strcmp(lang, "zh_CN") != 0 && strcmp(lang, "en") != 0)
		return -1;
	if (setenv("LANGUAGE", lang, 1) != 0)
		return -1;
	/* LANGUAGE is ignored under the "C" locale: make sure it is not. */
	if (strcmp(setlocale(LC_MESSAGES, NULL), "C") == 0)
		(void)setlocale(LC_MESSAGES, "C.UTF-8");
	++_nl_msg_cat_cntr;
	cur_lang = strcmp(lang, "zh_CN") == 0 ? "zh_CN" : "en";
	return 0;
}

/* "zh_CN", "en" or NULL for a language or locale name ("zh", "zh_CN",
 * "en_US.UTF-8"; strchr finds the terminating NUL too). */
static const char *
lang_of(const char *s)
{
	if (s == NULL)
		return NULL;
	if (strncmp(s, "zh", 2) == 0 && strchr("_.-", s[2]) != NULL)
		return "zh_CN";
	if (strncmp(s, "en", 2) == 0 && strchr("_.-", s[2]) != NULL)
		return "en";
	return NULL;
}

const char *
i18n_pick(const char *opt)
{
	static const char *const env[] = { "DOORSTEP_LANG", "LC_ALL",
	    "LC_MESSAGES", "LANG" };
	const char *v, *l;
	size_t i;

	if (opt != NULL)
		return lang_of(opt);
	for (i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
		v = getenv(env[i]);
		if (v == NULL || *v == '\0')
			continue;
		if ((l = lang_of(v)) != NULL)
			return l;
		/* A locale that is set decides, even if it is neither. */
		if (i > 0)
			break;
	}
	return "zh_CN";
}

const char *
i18n_lang(void)
{
	return cur_lang;
}


const char *
i18n_visit_reason(const char *code)
{
	static const struct {
		const char	*code, *word;
	} w[] = {
		{ "clue", N_("clue to check") },
		{ "routine", N_("routine visit") },
		{ "followup", N_("follow-up") },
		{ "elim_check", N_("elimination check") },
		{ "lookback", N_("look-back check") },
		{ "annual", N_("annual update") },
		{ "correction", N_("correction") },
		{ "screening", N_("screening") },
		{ NULL, NULL }
	};
	size_t i;

	for (i = 0; w[i].code != NULL; i++)
		if (strcmp(w[i].code, code) == 0)
			return _(w[i].word);
	return code;
}
