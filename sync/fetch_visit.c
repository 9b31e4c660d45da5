/* doorstep: starting a visit from a list entry, a correction or 再访. */
/*
 * docs/case.md "On the laptop".  A new record is never a copy of an old
 * one: it starts empty, takes the keys that tie it to its household and
 * its reason (_meta.entry, _meta.reason, _meta.hh_key, _meta.place,
 * _meta.consent_ref, _meta.corrects, _meta.revisit), then the carried
 * answers through the engine's own checks, each noted with its value in
 * _meta.carried so the session can note at save which ones changed.
 * The command line (`doorstep fill`) and the TUI's due view both start
 * visits here.
 */
#include "fetch.h"

#include <stdint.h>
#include <string.h>

#include "cry.h"
#include "form.h"
#include "form_media.h"
#include "json.h"
#include "mem.h"
#include "util.h"

#define CARRIED_PATH_MAX	ENG_PATH_MAX

/* Entry reason -> the household form's visit_type choice. */
static const struct {
	const char	*reason;
	const char	*choice;
} visit_types[] = {
	{ "clue", "verification" },
	{ "routine", "screening" },
	{ "screening", "screening" },
	{ "followup", "review" },
	{ "lookback", "review" },
	{ "elim_check", "elimination" },
	{ "annual", "annual" },
	{ NULL, NULL }
};

static const char *
str_of(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

enum ds_status
fetch_visit_form(struct store *st, const struct fetch_visit *v, char *id,
    size_t idn, char *ver, size_t vern, struct ds_err *err)
{
	json_t *doc = NULL;
	char *text = NULL;
	size_t len = 0;
	const char *fi, *fv;
	enum ds_status rc;

	if (v->kind == FV_ENTRY) {
		if ((rc = ds_json_parse(v->entry->json, v->entry->len,
		    STORE_ENTRY_MAX, "entry", &doc, err)) != DS_OK)
			return rc;
		fi = str_of(doc, "form_id");
		fv = str_of(doc, "form_ver");
	} else {
		if ((rc = store_answers_get(st, v->record_id, 0, &text, &len,
		    err)) != DS_OK)
			return rc;
		rc = ds_json_parse(text, len, STORE_ANSWERS_MAX, "answers",
		    &doc, err);
		store_text_free(text, len);
		if (rc != DS_OK)
			return rc;
		fi = str_of(json_object_get(doc, "_meta"), "form");
		fv = str_of(json_object_get(doc, "_meta"), "version");
		if (v->kind == FV_REVISIT)
			fv = NULL;	/* the newest version */
	}
	rc = DS_OK;
	if (fi == NULL)
		rc = ds_err_set(err, DS_ECORRUPT, "no form named");
	else {
		snprintf(id, idn, "%s", fi);
		snprintf(ver, vern, "%s", fv != NULL ? fv : "");
	}
	json_decref(doc);
	return rc;
}

/* Preset the visit type the form offers for this reason. */
static void
preset_visit_type(struct eng *e, const struct form *f, const char *reason)
{
	const struct form_node *n = form_find(f, "visit_type");
	const struct form_list *l;
	size_t i, k;

	if (n == NULL || n->type != FT_SELECT_ONE || n->list < 0 ||
	    (size_t)n->list >= f->nlists || reason == NULL)
		return;
	l = &f->lists[n->list];
	for (i = 0; visit_types[i].reason != NULL; i++) {
		if (strcmp(visit_types[i].reason, reason) != 0)
			continue;
		for (k = 0; k < l->nchoices; k++)
			if (strcmp(l->choices[k].name, visit_types[i].choice) ==
			    0)
				(void)eng_set(e, "visit_type",
				    visit_types[i].choice, NULL);
	}
}

/* Note path: value for every carried answer the engine holds now. */
static enum ds_status
mark(struct eng *e, json_t *map, const json_t *obj, const char *prefix)
{
	char path[CARRIED_PATH_MAX];
	const char *k, *now;
	json_t *v, *item;
	size_t i;
	enum ds_status st;

	json_object_foreach((json_t *)(uintptr_t)obj, k, v) {
		if (k[0] == '_')
			continue;
		if (json_is_array(v) && json_is_object(json_array_get(v, 0))) {
			json_array_foreach(v, i, item) {
				if (snprintf(path, sizeof(path), "%s%s[%zu]/",
				    prefix, k, i + 1) >= (int)sizeof(path))
					continue;
				if ((st = mark(e, map, item, path)) != DS_OK)
					return st;
			}
			continue;
		}
		if (snprintf(path, sizeof(path), "%s%s", prefix, k) >=
		    (int)sizeof(path) || json_object_get(map, path) != NULL ||
		    (now = eng_value(e, path)) == NULL)
			continue;
		if (json_object_set_new(map, path, json_string(now)) != 0)
			return DS_ENOMEM;
	}
	return DS_OK;
}

enum ds_status
fetch_visit_mark(struct sess *s, const json_t *carried)
{
	struct eng *e = sess_eng(s);
	json_t *map = eng_meta_get(e, "carried"), *m;
	enum ds_status st;

	if (carried == NULL || !json_is_object(carried))
		return DS_OK;
	if ((m = json_is_object(map) ? json_deep_copy(map) : json_object()) ==
	    NULL)
		return DS_ENOMEM;
	if ((st = mark(e, m, carried, "")) == DS_OK)
		st = eng_meta_set(e, "carried", m);
	json_decref(m);
	return st;
}

/* Set one _meta key (a new reference, taken). */
static enum ds_status
meta_take(struct eng *e, const char *key, json_t *v)
{
	enum ds_status st;

	if (v == NULL)
		return DS_ENOMEM;
	st = eng_meta_set(e, key, v);
	json_decref(v);
	return st;
}

/*
 * Consent on file: _meta.consent_on_file keeps the reference (record
 * code, date, method); _meta.consent_ref, the record code, opens the gate
 * (and tells the office's import the visit had consent on file).
 */
static enum ds_status
consent_set(struct eng *e, const json_t *c)
{
	const char *code = str_of(c, "record_code");
	enum ds_status st;

	if (code == NULL || code[0] == '\0')
		return DS_OK;
	if ((st = eng_meta_set(e, "consent_on_file",
	    (json_t *)(uintptr_t)c)) != DS_OK)
		return st;
	return meta_take(e, "consent_ref", json_string(code));
}

/* The keys and the carried answers of a list entry. */
static enum ds_status
from_entry(struct eng *e, const struct form *f, const struct store_entry *en,
    json_t **carried, const char **reason, json_t **doc, struct ds_err *err)
{
	const json_t *c;
	json_t *prev, *place;
	char hex[33];
	enum ds_status st;

	if ((st = ds_json_parse(en->json, en->len, STORE_ENTRY_MAX, "entry",
	    doc, err)) != DS_OK)
		return st;
	ds_hex_encode(en->entry_id, STORE_ID_BYTES, hex);
	*reason = str_of(*doc, "reason");
	place = json_pack("{s:s,s:s,s:s}", "township", str_of(*doc,
	    "township"), "village", str_of(*doc, "village"), "vgroup",
	    str_of(*doc, "vgroup"));
	if ((st = meta_take(e, "entry", json_string(hex))) != DS_OK ||
	    (st = meta_take(e, "reason", json_string(*reason))) != DS_OK ||
	    (st = meta_take(e, "hh_key", json_string(str_of(*doc,
	    "hh_key")))) != DS_OK ||
	    (st = meta_take(e, "place", place)) != DS_OK)
		return ds_err_set(err, st, NULL);
	c = json_object_get(*doc, "consent");
	if (json_is_object(c) && (st = consent_set(e, c)) != DS_OK)
		return ds_err_set(err, st, NULL);
	prev = json_object_get(*doc, "prev");
	*carried = json_is_object(prev) ? json_deep_copy(prev) :
	    json_object();
	/* The household key question takes the list's key. */
	if (*carried != NULL && f->household_key != NULL &&
	    json_object_get(*carried, f->household_key) == NULL)
		json_object_set_new(*carried, f->household_key,
		    json_string(str_of(*doc, "hh_key")));
	if (*carried == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	return DS_OK;
}

/* A correction or 再访 from a record of this laptop. */
static enum ds_status
from_record(struct eng *e, struct store *sto, const struct form *f,
    const struct fetch_visit *v, json_t **carried, json_t **doc,
    struct ds_err *err)
{
	char *text = NULL, idt[2 * STORE_ID_BYTES + 1];
	const char *state, *hh;
	size_t len = 0;
	json_t *meta, *c;
	enum ds_status st;

	if ((st = store_answers_get(sto, v->record_id, 0, &text, &len, err)) !=
	    DS_OK)
		return st;
	st = ds_json_parse(text, len, STORE_ANSWERS_MAX, "answers", doc, err);
	store_text_free(text, len);
	if (st != DS_OK)
		return st;
	meta = json_object_get(*doc, "_meta");
	state = str_of(meta, "state");
	if (v->kind == FV_CORRECT && (state == NULL ||
	    strcmp(state, "finalized") != 0))
		return ds_err_set(err, DS_ESTATE, "only a finalized record is "
		    "corrected by a new visit");
	ds_hex_encode(v->record_id, STORE_ID_BYTES, idt);
	hh = f->household_key != NULL ? str_of(*doc, f->household_key) : NULL;
	if (hh == NULL)
		hh = str_of(meta, "hh_key");
	if ((st = meta_take(e, v->kind == FV_CORRECT ? "corrects" : "revisit",
	    json_string(idt))) != DS_OK ||
	    (v->kind == FV_CORRECT && (st = meta_take(e, "reason",
	    json_string("correction"))) != DS_OK) ||
	    (v->kind == FV_CORRECT && v->note != NULL && (st = meta_take(e,
	    "correction_note", json_string(v->note))) != DS_OK) ||
	    (hh != NULL && (st = meta_take(e, "hh_key", json_string(hh))) !=
	    DS_OK))
		return ds_err_set(err, st, NULL);
	if (json_is_object(json_object_get(meta, "place")) && (st =
	    eng_meta_set(e, "place", json_object_get(meta, "place"))) != DS_OK)
		return ds_err_set(err, st, NULL);
	if ((c = form_consent_ref(f, *doc)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if (json_is_object(c))
		st = consent_set(e, c);
	json_decref(c);
	if (st != DS_OK)
		return ds_err_set(err, st, NULL);
	/* A correction starts from every answer; 再访 from the marked. */
	if (v->kind == FV_CORRECT)
		*carried = form_answers_only(f, *doc);
	else
		*carried = form_carry_filter(f, *doc);
	if (*carried == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	return DS_OK;
}

/*
 * A correction's carried attachments: the files stay with the record that
 * took them, so the new record gets its own sealed copy under the same
 * name, to travel with its first revision (without it the answer named a
 * file the new record never had, and the office's export left it out).
 * A file that is gone or does not fit what one save may add is left out
 * with its answer: the worker attaches it again; the correction starts.
 */
static enum ds_status
copy_media(struct store *sto, const struct form *f, const unsigned char *from,
    const unsigned char *to, json_t *ans, struct ds_err *err)
{
	const struct form_node *n;
	const char *k;
	json_t *v, *item;
	void *tmp;
	unsigned char *p;
	size_t i, len;
	enum ds_status st;

	json_object_foreach_safe(ans, tmp, k, v) {
		if ((n = form_find(f, k)) == NULL)
			continue;
		if (json_is_array(v)) {
			json_array_foreach(v, i, item)
				if ((st = copy_media(sto, f, from, to, item,
				    err)) != DS_OK)
					return st;
			continue;
		}
		if (!form_type_media(n->type) || !json_is_string(v))
			continue;
		st = store_attach_get(sto, from, json_string_value(v), &p, &len,
		    err);
		if (st == DS_OK) {
			st = store_attach_put(sto, to, json_string_value(v), p,
			    len, err);
			cry_wipe(p, len);
			ds_free(p);
		}
		if (st == DS_EEXIST)
			st = DS_OK;
		else if ((st == DS_ENOENT || st == DS_ELIMIT) &&
		    json_object_del(ans, k) != 0)
			return ds_err_set(err, DS_ENOMEM, NULL);
		else if (st == DS_ENOENT || st == DS_ELIMIT)
			st = DS_OK;
		if (st != DS_OK)
			return st;
		ds_err_clear(err);
	}
	return DS_OK;
}

enum ds_status
fetch_visit_start(struct sess *s, struct store *sto, const struct form *f,
    const struct fetch_visit *v, json_t **carried, struct eng_issue **iv,
    size_t *niv, struct ds_err *err)
{
	struct eng *e = sess_eng(s);
	const char *reason = NULL;
	json_t *doc = NULL;
	enum ds_status st;

	*carried = NULL;
	*iv = NULL;
	*niv = 0;
	if (v->kind == FV_ENTRY)
		st = from_entry(e, f, v->entry, carried, &reason, &doc, err);
	else
		st = from_record(e, sto, f, v, carried, &doc, err);
	if (st == DS_OK && v->kind == FV_CORRECT)
		st = copy_media(sto, f, v->record_id, sess_id(s), *carried,
		    err);
	if (st == DS_OK) {
		/* Answers the form refuses now are left out, not an error. */
		st = eng_apply_answers(e, *carried, iv, niv);
		if (st == DS_ECONSTRAINT)
			st = DS_OK;
		if (st != DS_OK)
			ds_err_set(err, st, NULL);
	}
	if (st == DS_OK && v->kind == FV_ENTRY)
		preset_visit_type(e, f, reason);
	if (st == DS_OK && (st = fetch_visit_mark(s, *carried)) != DS_OK)
		ds_err_set(err, st, NULL);
	if (doc != NULL)
		json_decref(doc);
	if (st != DS_OK && *carried != NULL) {
		json_decref(*carried);
		*carried = NULL;
	}
	return st;
}
