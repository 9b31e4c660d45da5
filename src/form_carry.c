/* doorstep: what a return visit starts from (the form's carry marks). */
/*
 * Shared by the office (the previous answers an entry carries) and the
 * laptop (再访 and corrections start from a record of its own): the
 * answers a form marks `carry`, and the consent on file of a visit.
 * Answers are the engine's JSON (question names as keys, groups
 * flattened, repeats arrays of objects, "_meta" for metadata).
 */
#include "form.h"

#include <stdint.h>
#include <string.h>

#include "form_media.h"

int
form_carried(const struct form_node *n)
{
	for (; n != NULL; n = n->parent)
		if (n->carry)
			return 1;
	return 0;
}

/* The answers of obj that carry (every answer when all). */
static json_t *
filter(const struct form *f, const json_t *ans, int all)
{
	const struct form_node *n;
	const char *k;
	json_t *out, *v, *arr, *item, *sub;
	size_t i;

	if ((out = json_object()) == NULL)
		return NULL;
	json_object_foreach((json_t *)(uintptr_t)ans, k, v) {
		/* Calculations and metadata are the engine's own. */
		if (k[0] == '_' || (n = form_find(f, k)) == NULL ||
		    form_type_hidden(n->type) || n->type == FT_NOTE)
			continue;
		/*
		 * A file stays with the visit that took it: an office list
		 * carries no files, and a new visit takes its own.  A
		 * correction (all) copies them (fetch_visit.c).
		 */
		if (!all && form_type_media(n->type))
			continue;
		if ((all || form_carried(n)) && n->type != FT_REPEAT) {
			if (json_object_set(out, k, v) != 0)
				goto fail;
			continue;
		}
		if (n->type != FT_REPEAT || !json_is_array(v))
			continue;
		/* Each item keeps its carried questions (all of them when
		 * the repeat is carried whole). */
		if ((arr = json_array()) == NULL)
			goto fail;
		json_array_foreach(v, i, item) {
			if (!json_is_object(item))
				continue;
			if ((sub = filter(f, item, all)) == NULL) {
				json_decref(arr);
				goto fail;
			}
			if (json_object_size(sub) > 0 &&
			    json_array_append(arr, sub) != 0) {
				json_decref(sub);
				json_decref(arr);
				goto fail;
			}
			json_decref(sub);
		}
		if (json_array_size(arr) > 0 && json_object_set(out, k, arr) !=
		    0) {
			json_decref(arr);
			goto fail;
		}
		json_decref(arr);
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

json_t *
form_carry_filter(const struct form *f, const json_t *ans)
{
	return filter(f, ans, 0);
}

json_t *
form_answers_only(const struct form *f, const json_t *ans)
{
	return filter(f, ans, 1);
}

/* A string answer at the top level, or "". */
static const char *
answer(const json_t *ans, const char *name)
{
	const json_t *v;

	if (name == NULL || (v = json_object_get(ans, name)) == NULL ||
	    !json_is_string(v))
		return "";
	return json_string_value(v);
}

/* YYYY-MM-DD, shape only (the office checks the calendar too). */
static int
date_shape(const char *s)
{
	size_t i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

json_t *
form_consent_ref(const struct form *f, const json_t *ans)
{
	const json_t *meta = json_object_get(ans, "_meta"), *ref, *ev;
	const char *code, *date, *method = "signed";

	ref = json_object_get(meta, "consent_on_file");
	if (json_is_object(ref))
		return json_deep_copy(ref);
	code = answer(ans, "record_code");
	date = answer(ans, "visit_date");
	if (strcmp(answer(ans, f->consent), "yes") != 0 || code[0] == '\0' ||
	    strlen(code) > 64 || !date_shape(date))
		return json_null();
	ev = json_object_get(meta, "consent");
	if (json_is_string(json_object_get(ev, "method")))
		method = json_string_value(json_object_get(ev, "method"));
	return json_pack("{s:s,s:s,s:s}", "record_code", code, "date", date,
	    "method", method);
}
