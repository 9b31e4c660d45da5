/* doorstep: wording the engine's notes through gettext. */
/*
 * One table row per engine message code, its msgid; the form's own
 * message replaces the row's text when the form gives one.  Then, for an
 * ID number, which part is wrong; then the facts behind the check
 * ("(Age 11; Health: healthy)").  Nothing here decides anything: the
 * engine did.
 */
#include "i18n_eng.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"

static const char *const words[ENG_MSG_COUNT] = {
	[ENG_MSG_REQUIRED] = N_("This question must be answered."),
	[ENG_MSG_CONSTRAINT] = N_("This answer is not accepted; check it."),
	[ENG_MSG_WARNING] = N_("This answer is unusual; check it and give a "
	    "reason."),
	[ENG_MSG_INTEGER] = N_("Enter a whole number."),
	[ENG_MSG_DECIMAL] = N_("Enter a number, for example 12.5."),
	[ENG_MSG_DATE] = N_("Enter a real date as YYYY-MM-DD, for example "
	    "2024-03-05."),
	[ENG_MSG_TIME] = N_("Enter a time as HH:MM, for example 09:30."),
	[ENG_MSG_DATETIME] = N_("Enter a date and time as YYYY-MM-DD HH:MM."),
	[ENG_MSG_UTF8] = N_("The text has characters that cannot be "
	    "stored."),
	[ENG_MSG_CHOOSE_ONE] = N_("Choose one option."),
	[ENG_MSG_CONFIRM_OK] = N_("Confirm with OK."),
	[ENG_MSG_CONSENT_REFUSED] = N_("Consent was refused: the interview "
	    "ends here; what you entered is saved."),
	[ENG_MSG_FINALIZED] = N_("This record is finalized and cannot be "
	    "changed."),
	[ENG_MSG_COUNT_FIXED] = N_("The number of entries comes from an "
	    "earlier answer; change that answer instead."),
	[ENG_MSG_COUNT_LOWER] = N_("The number of entries comes from an "
	    "earlier answer; lower it first."),
	[ENG_MSG_GEO_FORMAT] = N_("Enter latitude and longitude in degrees, "
	    "for example 30.5728 104.0668 (altitude and accuracy in metres "
	    "may follow)."),
	[ENG_MSG_GEO_LAT] = N_("The latitude must be between -90 and 90."),
	[ENG_MSG_GEO_LON] = N_("The longitude must be between -180 and "
	    "180."),
	[ENG_MSG_GEO_ACC] = N_("The accuracy cannot be negative."),
	[ENG_MSG_GEO_FEW] = N_("Too few points: a line needs 2, an area 3 "
	    "or more."),
	[ENG_MSG_GEO_MANY] = N_("Too many points."),
	[ENG_MSG_MEDIA] = N_("Attach a file by its path; the answer is the "
	    "name it is kept under."),
};

/* The kinds of rule a form has, as the engine names them. */
static const struct {
	const char	*what;
	const char	*words;
} rules[] = {
	{ "calculation", N_("calculation") },
	{ "constraint", N_("constraint") },
	{ "warning", N_("soft check") },
	{ "relevant", N_("when to ask") },
	{ "read_only", N_("read-only rule") },
	{ "repeat_count", N_("number of entries") },
};

static const char *
rule_words(const char *what)
{
	size_t i;

	for (i = 0; what != NULL && i < sizeof(rules) / sizeof(rules[0]);
	    i++)
		if (strcmp(rules[i].what, what) == 0)
			return _(rules[i].words);
	return what != NULL ? what : "";
}

static const char *
id_words(const struct eng_note *n, char *buf, size_t len)
{
	switch (n->id) {
	case ENG_ID_LENGTH:
		snprintf(buf, len, _("The number has %ld characters; an ID "
		    "card number has 18 (a disability certificate 20 or 22)."),
		    n->n[0]);
		return buf;
	case ENG_ID_CHARS:
		return _("An ID card number is 17 digits, then a digit or X.");
	case ENG_ID_BIRTH:
		return _("The birth date in the number (characters 7 to 14) "
		    "is not a real date.");
	case ENG_ID_CHECK:
		return _("The last character (the check digit) does not fit "
		    "the others: a digit was probably typed wrong.");
	default:
		return NULL;
	}
}

/* Append s to buf (cut at n). */
static void
cat(char *buf, size_t n, const char *s)
{
	size_t k = strlen(buf);

	if (k + 1 < n)
		snprintf(buf + k, n - k, "%s", s);
}

const char *
i18n_note(const struct eng_note *n, char *buf, size_t len)
{
	char part[512], one[256];
	const char *w, *a = n->arg != NULL ? n->arg : "";
	size_t i;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	switch (n->code) {
	case ENG_MSG_NONE:
		return buf;
	case ENG_MSG_RULE:
		snprintf(buf, len, _("A rule of this question (%s) could not "
		    "be computed. The answers are saved; tell the county staff "
		    "who wrote the form."), rule_words(n->arg));
		return buf;
	case ENG_MSG_FILL:
		snprintf(buf, len, "%s", n->detail != NULL ? n->detail : "");
		return buf;
	case ENG_MSG_CONSENT_OPEN:
		if (n->arg == NULL) {
			snprintf(buf, len, "%s", _("Record the household's "
			    "consent first."));
			return buf;
		}
		break;
	default:
		break;
	}
	if (n->text != NULL)
		snprintf(buf, len, "%s", n->text);
	else
		switch (n->code) {
		case ENG_MSG_NO_OPTION:
			snprintf(buf, len, _("No such option: %s"), a);
			break;
		case ENG_MSG_OPTION_HIDDEN:
			snprintf(buf, len, _("This option is not available "
			    "here: %s"), a);
			break;
		case ENG_MSG_CHOICE_TWICE:
			snprintf(buf, len, _("Choice listed twice: %s"), a);
			break;
		case ENG_MSG_CONSENT_OPEN:
			snprintf(buf, len, _("Answer this first: %s"), a);
			break;
		case ENG_MSG_SURPLUS:
			snprintf(buf, len, _("%ld entries beyond the number "
			    "given; delete them."), n->n[0]);
			break;
		case ENG_MSG_ISSUES:
			snprintf(buf, len, _("%ld errors and %ld warnings "
			    "without a reason remain."), n->n[0], n->n[1]);
			break;
		default:
			if ((int)n->code > 0 && n->code < ENG_MSG_COUNT &&
			    (w = words[n->code]) != NULL)
				snprintf(buf, len, "%s", _(w));
			break;
		}
	if ((w = id_words(n, part, sizeof(part))) != NULL) {
		cat(buf, len, " ");
		cat(buf, len, w);
	}
	if (n->nfacts > 0) {
		part[0] = '\0';
		for (i = 0; i < n->nfacts && i < ENG_FACTS_MAX; i++) {
			snprintf(one, sizeof(one), _("%s: %s"),
			    n->facts[i].label, n->facts[i].value);
			if (i > 0)
				cat(part, sizeof(part), _("; "));
			cat(part, sizeof(part), one);
		}
		snprintf(one, sizeof(one), _(" (%s)"), part);
		cat(buf, len, one);
	}
	return buf;
}
