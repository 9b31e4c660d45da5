/* doorstep: what the engine tells the worker, as codes and facts. */
/*
 * The engine never words a message: it hands the edge a code, the form's
 * own message when the form gives one (in the display language, ${}
 * references filled in), and the facts behind it (docs/engine.md).  This
 * file builds those notes: for a refused action (eng_refusal), for a
 * question's checks (the prompt and the review), and, for a rule that
 * calls id-card-valid(), which part of the ID number is wrong.
 */
#include "eng_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "val.h"

#define FILL_MAX	(64 * 1024)	/* bytes of a text with ${} filled */

/* ---- ${} references ---------------------------------------------------- */

/* The label of choice `name` (len bytes) of list l, or NULL. */
static const char *
choice_label(struct eng *e, const struct form_list *l, const char *name,
    size_t len)
{
	size_t i;

	for (i = 0; i < l->nchoices; i++)
		if (strlen(l->choices[i].name) == len &&
		    memcmp(l->choices[i].name, name, len) == 0)
			return form_text_get(e->f, &l->choices[i].label,
			    e->lang);
	return NULL;
}

/* The shown text of n's answer: a select's choice labels (", " between
 * the choices of a multiple choice), in the arena. */
static const char *
shown_value(struct eng *e, const struct inst_node *n)
{
	const struct form_list *l;
	const char *lab, *p;
	struct ds_buf b;
	size_t len;

	if (n->value == NULL || (n->def->type != FT_SELECT_ONE &&
	    n->def->type != FT_SELECT_MULTIPLE) ||
	    (l = eng_list_of(e, n->def)) == NULL)
		return n->value;
	ds_buf_init(&b, FILL_MAX);
	for (p = n->value; *p != '\0'; p += len) {
		while (*p == ' ')
			p++;
		if ((len = strcspn(p, " ")) == 0)
			break;
		if (b.len > 0)
			ds_buf_adds(&b, ", ");
		lab = choice_label(e, l, p, len);
		if (lab != NULL)
			ds_buf_adds(&b, lab);
		else
			ds_buf_add(&b, p, len);
	}
	if (b.p == NULL)
		return n->value;
	return eng_arena_keep(e, ds_buf_take(&b, NULL));
}

const char *
eng_fill_refs(struct eng *e, const struct inst_node *n, const char *s)
{
	struct ds_buf b;
	const struct form_node *d;
	const struct inst_node *v;
	char name[INST_NAME_MAX];
	const char *p, *q;
	size_t len;

	if (s == NULL || strstr(s, "${") == NULL)
		return s;
	ds_buf_init(&b, FILL_MAX);
	for (p = s; *p != '\0'; p = q) {
		if ((q = strstr(p, "${")) == NULL) {
			ds_buf_adds(&b, p);
			break;
		}
		ds_buf_add(&b, p, (size_t)(q - p));
		p = q + 2;
		if ((q = strchr(p, '}')) == NULL ||
		    (len = (size_t)(q - p)) >= sizeof(name)) {
			ds_buf_adds(&b, p - 2);
			break;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		q++;
		/* An answer not given yet reads as nothing: raw form code
		 * never shows. */
		if ((d = form_find(e->f, name)) != NULL &&
		    (v = eng_ref1(e, n, d)) != NULL && v->value != NULL)
			ds_buf_adds(&b, shown_value(e, v));
	}
	if (b.p == NULL)
		return "";
	return eng_arena_keep(e, ds_buf_take(&b, NULL));
}

/* ---- facts and ID numbers ---------------------------------------------- */

/*
 * Labelled questions the expression text reads (${name}), with their
 * answers: what the worker needs to see why a check fails ("age 11").
 */
static void
facts(struct eng *e, const struct inst_node *n, const char *src,
    struct eng_note *out)
{
	const struct form_node *d;
	const struct inst_node *v;
	char name[INST_NAME_MAX];
	const char *p, *q, *lab;
	size_t len, i;

	for (p = src; p != NULL && out->nfacts < ENG_FACTS_MAX; p = q) {
		if ((p = strstr(p, "${")) == NULL)
			break;
		p += 2;
		if ((q = strchr(p, '}')) == NULL ||
		    (len = (size_t)(q - p)) >= sizeof(name))
			break;
		memcpy(name, p, len);
		name[len] = '\0';
		if ((d = form_find(e->f, name)) == NULL || d == n->def ||
		    (lab = form_text_get(e->f, &d->label, e->lang)) == NULL ||
		    (v = eng_ref1(e, n, d)) == NULL || v->value == NULL)
			continue;
		for (i = 0; i < out->nfacts; i++)
			if (out->facts[i].label == lab)
				break;
		if (i < out->nfacts)
			continue;
		out->facts[out->nfacts].label = eng_fill_refs(e, v, lab);
		out->facts[out->nfacts++].value = shown_value(e, v);
	}
}

enum eng_idpart
eng_id_diagnose(const char *s, long *len)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10,
	    5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	char date[11];
	size_t n = strlen(s), i;
	double d;
	int sum = 0;

	*len = (long)n;
	/* A disability certificate is the ID number and 2 or 4 more. */
	if (n != 18 && n != 20 && n != 22)
		return ENG_ID_LENGTH;
	for (i = 0; i < 17; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ENG_ID_CHARS;
		sum += (s[i] - '0') * w[i];
	}
	if (!(s[17] >= '0' && s[17] <= '9') && s[17] != 'X' && s[17] != 'x')
		return ENG_ID_CHARS;
	snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", s + 6, s + 10, s + 12);
	if (val_parse_date(date, 10, &d) != 0)
		return ENG_ID_BIRTH;
	if ((s[17] == 'x' ? 'X' : s[17]) != check[sum % 11])
		return ENG_ID_CHECK;
	return ENG_ID_NONE;
}

/* ---- a question's checks ------------------------------------------------ */

void
eng_note_check(struct eng *e, const struct inst_node *n, enum eng_msg code,
    struct eng_note *out)
{
	const struct form_node *d = n->def;
	const char *src = NULL, *why, *colon;
	const struct form_text *t = NULL;

	memset(out, 0, sizeof(*out));
	out->code = code;
	switch (code) {
	case ENG_MSG_REQUIRED:
		t = &d->required_msg;
		break;
	case ENG_MSG_CONSTRAINT:
		t = &d->constraint_msg;
		src = d->constraint;
		if (src != NULL && n->value != NULL &&
		    strstr(src, "id-card-valid") != NULL)
			out->id = eng_id_diagnose(n->value, &out->n[0]);
		break;
	case ENG_MSG_WARNING:
		t = &d->warning_msg;
		src = d->warning;
		break;
	case ENG_MSG_RULE:
		/* "what: why" (rule_note, eng_check_node) */
		why = n->rule_err != NULL ? n->rule_err : n->check_err;
		if (why == NULL)
			break;
		colon = strstr(why, ": ");
		if (colon == NULL) {
			out->detail = why;
			break;
		}
		out->arg = eng_arena_keep(e, ds_strndup(why,
		    (size_t)(colon - why)));
		out->detail = colon + 2;
		return;
	default:
		return;
	}
	if (t != NULL)
		out->text = eng_fill_refs(e, n, form_text_get(e->f, t,
		    e->lang));
	if (src != NULL)
		facts(e, n, src, out);
}

/* ---- refusals ---------------------------------------------------------- */

/* Developer text for err->msg: lowercase, what went wrong first. */
static const char *const devmsg[ENG_MSG_COUNT] = {
	[ENG_MSG_NONE] = "refused",
	[ENG_MSG_REQUIRED] = "required question is empty",
	[ENG_MSG_CONSTRAINT] = "answer fails the constraint",
	[ENG_MSG_WARNING] = "soft check fails",
	[ENG_MSG_RULE] = "a rule could not be computed",
	[ENG_MSG_INTEGER] = "not a whole number",
	[ENG_MSG_DECIMAL] = "not a number",
	[ENG_MSG_DATE] = "not a date (YYYY-MM-DD)",
	[ENG_MSG_TIME] = "not a time (HH:MM)",
	[ENG_MSG_DATETIME] = "not a date and time (YYYY-MM-DD HH:MM)",
	[ENG_MSG_UTF8] = "invalid utf-8 in answer",
	[ENG_MSG_NO_OPTION] = "no such option",
	[ENG_MSG_OPTION_HIDDEN] = "option not available here",
	[ENG_MSG_CHOICE_TWICE] = "choice listed twice",
	[ENG_MSG_CHOOSE_ONE] = "choose one option",
	[ENG_MSG_CONFIRM_OK] = "confirm with OK",
	[ENG_MSG_CONSENT_OPEN] = "consent is not recorded yet",
	[ENG_MSG_CONSENT_REFUSED] = "consent was refused",
	[ENG_MSG_FINALIZED] = "record is finalized",
	[ENG_MSG_COUNT_FIXED] = "the count comes from an earlier answer",
	[ENG_MSG_COUNT_LOWER] = ("lower the count from the earlier answer "
	    "first"),
	[ENG_MSG_SURPLUS] = "entries beyond the count",
	[ENG_MSG_ISSUES] = "errors or warnings remain",
	[ENG_MSG_FILL] = "bad answers document",
	[ENG_MSG_GEO_FORMAT] = "not a location (lat lon [alt [acc]])",
	[ENG_MSG_GEO_LAT] = "latitude out of range",
	[ENG_MSG_GEO_LON] = "longitude out of range",
	[ENG_MSG_GEO_ACC] = "negative accuracy",
	[ENG_MSG_GEO_FEW] = "too few points",
	[ENG_MSG_GEO_MANY] = "too many points",
	[ENG_MSG_MEDIA] = "not the name of an attached file",
};

const char *
eng_msg_dev(enum eng_msg code)
{
	return (int)code >= 0 && code < ENG_MSG_COUNT && devmsg[code] !=
	    NULL ? devmsg[code] : "refused";
}

enum ds_status
eng_refuse(struct eng *e, struct ds_err *err, enum ds_status st,
    const struct inst_node *n, enum eng_msg code, const char *arg)
{
	struct eng_note *r = &e->rnote;

	eng_refusal_clear(e);
	r->code = code;
	if (n != NULL) {
		(void)eng_path_fmt(n, e->rpath, sizeof(e->rpath));
		if (code == ENG_MSG_CONSTRAINT || code == ENG_MSG_REQUIRED) {
			/* The form's own words, filled now and kept. */
			struct eng_note t;

			eng_note_check(e, n, code, &t);
			if (t.text != NULL)
				e->rtext = ds_strdup(t.text);
			r->text = e->rtext;
		}
	}
	if (arg != NULL) {
		snprintf(e->rarg, sizeof(e->rarg), "%s", arg);
		r->arg = e->rarg;
	}
	if (arg != NULL)
		return ds_err_set(err, st, "%s: %s", eng_msg_dev(code), arg);
	return ds_err_set(err, st, "%s", eng_msg_dev(code));
}

/* The constraint failed on a value not stored (the refusal): which part
 * of an ID number is wrong. */
void
eng_refuse_id(struct eng *e, const struct inst_node *n, const char *v)
{
	if (n->def->constraint != NULL && strstr(n->def->constraint,
	    "id-card-valid") != NULL)
		e->rnote.id = eng_id_diagnose(v, &e->rnote.n[0]);
}

void
eng_refusal_clear(struct eng *e)
{
	ds_free(e->rtext);
	e->rtext = NULL;
	memset(&e->rnote, 0, sizeof(e->rnote));
	e->rpath[0] = '\0';
	e->rarg[0] = '\0';
}

const struct eng_note *
eng_refusal(const struct eng *e, const char **path)
{
	if (path != NULL)
		*path = e->rpath;
	return &e->rnote;
}

/* ---- owned copies (eng_issue) ------------------------------------------ */

static int
dup(const char **dst, const char *src)
{
	if (src == NULL)
		return 0;
	*dst = ds_strdup(src);
	return *dst == NULL ? -1 : 0;
}

static void
undup(const char *p)
{
	ds_free((char *)(uintptr_t)p);
}

enum ds_status
eng_note_copy(struct eng_note *dst, const struct eng_note *src)
{
	size_t i;
	int bad = 0;

	*dst = *src;
	dst->text = dst->arg = dst->detail = NULL;
	memset(dst->facts, 0, sizeof(dst->facts));
	bad |= dup(&dst->text, src->text);
	bad |= dup(&dst->arg, src->arg);
	bad |= dup(&dst->detail, src->detail);
	for (i = 0; i < src->nfacts && i < ENG_FACTS_MAX; i++) {
		bad |= dup(&dst->facts[i].label, src->facts[i].label);
		bad |= dup(&dst->facts[i].value, src->facts[i].value);
	}
	if (bad) {
		eng_note_free(dst);
		return DS_ENOMEM;
	}
	return DS_OK;
}

void
eng_note_free(struct eng_note *n)
{
	size_t i;

	undup(n->text);
	undup(n->arg);
	undup(n->detail);
	for (i = 0; i < n->nfacts && i < ENG_FACTS_MAX; i++) {
		undup(n->facts[i].label);
		undup(n->facts[i].value);
	}
	memset(n, 0, sizeof(*n));
}
