/* doorstep: the office settings file, parsed strictly. */
/*
 * Shape (docs/case.md "Settings"; forms/settings/anhui.json is the
 * reference):
 *   { "settings": "doorstep office settings v1", "province": "34",
 *     "name": "...",
 *     "identification": { "steps": [...], "notice_min_days": N|null,
 *                         "limit_days": N|null },
 *     "elimination": { ...the same..., "stable_months": N|null },
 *     "lines": [ { "year": 2024, "line": 9100, "source": "..." } ],
 *     "signal": { "bands": null | [ { "year": Y, "red_below": A,
 *                 "orange_below": B, "yellow_below": C } ],
 *                 "red_on_guarantee_problem": true|false },
 *     "income_check": { "months_below": N|null },
 *     "visits": { "monthly": true|false },
 *     "clues": { "verify_days": N|null } }
 * Any key ending in "source" or "note" is free text, anywhere.  Nothing
 * else is accepted: a misspelt key would otherwise silently mean "not
 * set".  Steps: each known, none twice, approve last.
 */
#include "oset.h"

#include <stdio.h>
#include <string.h>

#include "cry.h"
#include "json.h"
#include "mem.h"
#include "util.h"

static const char *const step_names[] = { "", "assess", "notice",
    "review", "approve" };
static const char *const light_names[] = { "", "red", "orange", "yellow",
    "green" };
static const char *const track_keys[2] = { "identification", "elimination" };
static const char *const notice_keys[2] = {
    "identification.notice_min_days", "elimination.notice_min_days" };

const char *
oset_step_str(int s)
{
	return s >= OSET_ASSESS && s <= OSET_APPROVE ? step_names[s] : "";
}

int
oset_step_from(const char *s)
{
	int i;

	for (i = OSET_ASSESS; i <= OSET_APPROVE; i++)
		if (strcmp(s, step_names[i]) == 0)
			return i;
	return 0;
}

const char *
oset_light_str(int l)
{
	return l >= OSET_LIGHT_RED && l <= OSET_LIGHT_GREEN ? light_names[l] :
	    "";
}

int
oset_light_from(const char *s)
{
	int i;

	for (i = OSET_LIGHT_RED; i <= OSET_LIGHT_GREEN; i++)
		if (strcmp(s, light_names[i]) == 0)
			return i;
	return OSET_LIGHT_NONE;
}

const char *
oset_key_notice(int t)
{
	return notice_keys[t != 0];
}

/* 1 if key is free text: it ends in "source" or "note". */
static int
free_key(const char *k)
{
	size_t n = strlen(k);

	return (n >= 6 && strcmp(k + n - 6, "source") == 0) ||
	    (n >= 4 && strcmp(k + n - 4, "note") == 0);
}

/* Every key of o is in allowed (NULL-terminated) or free text. */
static enum ds_status
keys_ok(const json_t *o, const char *where, const char *const *allowed,
    struct ds_err *err)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)(uintptr_t)o, k, v) {
		if (free_key(k)) {
			if (!json_is_string(v))
				return ds_err_set(err, DS_EPARSE, "%s%s%s: must be "
				    "text", where, *where ? "." : "", k);
			continue;
		}
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(k, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return ds_err_set(err, DS_EPARSE, "%s%s%s: unknown key",
			    where, *where ? "." : "", k);
	}
	return DS_OK;
}

/* An optional whole number in [lo, hi], or null / absent (-1). */
static enum ds_status
get_int(const json_t *o, const char *where, const char *k, int lo, int hi,
    int *out, struct ds_err *err)
{
	const json_t *v = json_object_get(o, k);

	*out = -1;
	if (v == NULL || json_is_null(v))
		return DS_OK;
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return ds_err_set(err, DS_EPARSE, "%s.%s: must be a whole "
		    "number from %d to %d, or null", where, k, lo, hi);
	*out = (int)json_integer_value(v);
	return DS_OK;
}

static enum ds_status
get_num(const json_t *o, const char *where, const char *k, double *out,
    struct ds_err *err)
{
	const json_t *v = json_object_get(o, k);

	if (!json_is_number(v) || json_number_value(v) <= 0 ||
	    json_number_value(v) > 1e7)
		return ds_err_set(err, DS_EPARSE, "%s.%s: must be a number of "
		    "yuan above 0", where, k);
	*out = json_number_value(v);
	return DS_OK;
}

static enum ds_status
parse_track(const json_t *root, int t, struct oset_track *tr,
    struct ds_err *err)
{
	static const char *const allowed[] = { "steps", "notice_min_days",
	    "limit_days", "stable_months", NULL };
	const char *w = track_keys[t];
	const json_t *o = json_object_get(root, w), *st, *v;
	enum ds_status s;
	size_t i, j;
	int k;

	tr->notice_min_days = tr->limit_days = tr->stable_months = -1;
	if (!json_is_object(o))
		return ds_err_set(err, DS_EPARSE, "%s: missing or not an "
		    "object", w);
	if ((s = keys_ok(o, w, allowed, err)) != DS_OK)
		return s;
	st = json_object_get(o, "steps");
	if (!json_is_array(st) || json_array_size(st) == 0 ||
	    json_array_size(st) > OSET_STEPS_MAX)
		return ds_err_set(err, DS_EPARSE, "%s.steps: must list 1 to %d "
		    "of assess, notice, review, approve", w, OSET_STEPS_MAX);
	json_array_foreach(st, i, v) {
		if (!json_is_string(v) ||
		    (k = oset_step_from(json_string_value(v))) == 0)
			return ds_err_set(err, DS_EPARSE, "%s.steps[%zu]: not "
			    "one of assess, notice, review, approve", w, i);
		for (j = 0; j < i; j++)
			if (tr->steps[j] == k)
				return ds_err_set(err, DS_EPARSE, "%s.steps: %s "
				    "twice", w, oset_step_str(k));
		tr->steps[i] = k;
	}
	tr->nsteps = (int)json_array_size(st);
	if (tr->steps[tr->nsteps - 1] != OSET_APPROVE)
		return ds_err_set(err, DS_EPARSE, "%s.steps: approve must be "
		    "the last step", w);
	if ((s = get_int(o, w, "notice_min_days", 1, 365,
	    &tr->notice_min_days, err)) != DS_OK ||
	    (s = get_int(o, w, "limit_days", 1, 3650, &tr->limit_days,
	    err)) != DS_OK)
		return s;
	if (t == 0 && json_object_get(o, "stable_months") != NULL)
		return ds_err_set(err, DS_EPARSE, "%s.stable_months: only "
		    "elimination has it", w);
	return get_int(o, w, "stable_months", 1, 120, &tr->stable_months,
	    err);
}

static enum ds_status
parse_lines(const json_t *root, struct oset *set, struct ds_err *err)
{
	static const char *const allowed[] = { "year", "line", NULL };
	const json_t *a = json_object_get(root, "lines"), *v;
	enum ds_status s;
	size_t i, j;
	int y;

	if (a == NULL || json_is_null(a))
		return DS_OK;
	if (!json_is_array(a) || json_array_size(a) > OSET_MAX_YEARS)
		return ds_err_set(err, DS_EPARSE, "lines: must be a list of at "
		    "most %d years", OSET_MAX_YEARS);
	if (json_array_size(a) == 0)
		return DS_OK;
	if ((set->lines = ds_calloc(json_array_size(a),
	    sizeof(*set->lines))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	json_array_foreach(a, i, v) {
		if (!json_is_object(v))
			return ds_err_set(err, DS_EPARSE, "lines[%zu]: not an "
			    "object", i);
		if ((s = keys_ok(v, "lines[]", allowed, err)) != DS_OK ||
		    (s = get_int(v, "lines[]", "year", 2000, 2099, &y, err)) !=
		    DS_OK ||
		    (s = get_num(v, "lines[]", "line", &set->lines[i].line,
		    err)) != DS_OK)
			return s;
		if (y < 0)
			return ds_err_set(err, DS_EPARSE, "lines[%zu].year: "
			    "missing", i);
		for (j = 0; j < i; j++)
			if (set->lines[j].year == y)
				return ds_err_set(err, DS_EPARSE, "lines: year %d "
				    "twice", y);
		set->lines[i].year = y;
		set->nlines++;
	}
	return DS_OK;
}

static enum ds_status
parse_signal(const json_t *root, struct oset *set, struct ds_err *err)
{
	static const char *const allowed[] = { "bands",
	    "red_on_guarantee_problem", NULL };
	static const char *const ballowed[] = { "year", "red_below",
	    "orange_below", "yellow_below", NULL };
	const json_t *o = json_object_get(root, "signal"), *a, *v, *g;
	struct oset_band *b;
	enum ds_status s;
	size_t i, j;

	if (o == NULL)
		return DS_OK;
	if (!json_is_object(o))
		return ds_err_set(err, DS_EPARSE, "signal: not an object");
	if ((s = keys_ok(o, "signal", allowed, err)) != DS_OK)
		return s;
	g = json_object_get(o, "red_on_guarantee_problem");
	if (g != NULL && !json_is_boolean(g))
		return ds_err_set(err, DS_EPARSE, "signal.red_on_guarantee_"
		    "problem: must be true or false");
	set->red_on_guarantee = json_is_true(g);
	a = json_object_get(o, "bands");
	if (a == NULL || json_is_null(a))
		return DS_OK;
	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > OSET_MAX_YEARS)
		return ds_err_set(err, DS_EPARSE, "signal.bands: must be null or "
		    "a list of 1 to %d years", OSET_MAX_YEARS);
	if ((set->bands = ds_calloc(json_array_size(a),
	    sizeof(*set->bands))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	json_array_foreach(a, i, v) {
		b = &set->bands[i];
		if (!json_is_object(v))
			return ds_err_set(err, DS_EPARSE, "signal.bands[%zu]: "
			    "not an object", i);
		if ((s = keys_ok(v, "signal.bands[]", ballowed, err)) !=
		    DS_OK ||
		    (s = get_int(v, "signal.bands[]", "year", 2000, 2099,
		    &b->year, err)) != DS_OK ||
		    (s = get_num(v, "signal.bands[]", "red_below",
		    &b->red_below, err)) != DS_OK ||
		    (s = get_num(v, "signal.bands[]", "orange_below",
		    &b->orange_below, err)) != DS_OK ||
		    (s = get_num(v, "signal.bands[]", "yellow_below",
		    &b->yellow_below, err)) != DS_OK)
			return s;
		if (b->year < 0)
			return ds_err_set(err, DS_EPARSE, "signal.bands[%zu]."
			    "year: missing", i);
		if (!(b->red_below < b->orange_below &&
		    b->orange_below < b->yellow_below))
			return ds_err_set(err, DS_EPARSE, "signal.bands[%zu]: "
			    "need red_below < orange_below < yellow_below", i);
		for (j = 0; j < i; j++)
			if (set->bands[j].year == b->year)
				return ds_err_set(err, DS_EPARSE, "signal.bands: "
				    "year %d twice", b->year);
		set->nbands++;
	}
	return DS_OK;
}

/* An object with one optional number or flag, besides notes. */
static enum ds_status
parse_small(const json_t *root, const char *w, const char *k, int lo,
    int hi, int *out, struct ds_err *err)
{
	const char *allowed[2];
	const json_t *o = json_object_get(root, w);
	enum ds_status s;

	*out = -1;
	if (o == NULL)
		return DS_OK;
	if (!json_is_object(o))
		return ds_err_set(err, DS_EPARSE, "%s: not an object", w);
	allowed[0] = k;
	allowed[1] = NULL;
	if ((s = keys_ok(o, w, allowed, err)) != DS_OK)
		return s;
	if (lo < 0) {		/* a flag */
		const json_t *v = json_object_get(o, k);

		if (v != NULL && !json_is_boolean(v))
			return ds_err_set(err, DS_EPARSE, "%s.%s: must be true "
			    "or false", w, k);
		*out = json_is_true(v);
		return DS_OK;
	}
	return get_int(o, w, k, lo, hi, out, err);
}

static enum ds_status
parse_root(const json_t *root, struct oset *set, struct ds_err *err)
{
	static const char *const allowed[] = { "settings", "province", "name",
	    "identification", "elimination", "lines", "signal",
	    "income_check", "visits", "clues", NULL };
	const json_t *v;
	enum ds_status s;

	if (!json_is_object(root))
		return ds_err_set(err, DS_EPARSE, "not a JSON object");
	v = json_object_get(root, "settings");
	if (!json_is_string(v) || strcmp(json_string_value(v), OSET_MAGIC) != 0)
		return ds_err_set(err, DS_EPARSE, "settings: must be \"%s\"",
		    OSET_MAGIC);
	if ((s = keys_ok(root, "", allowed, err)) != DS_OK)
		return s;
	v = json_object_get(root, "province");
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) >= sizeof(set->province))
		return ds_err_set(err, DS_EPARSE, "province: must be an area "
		    "code");
	snprintf(set->province, sizeof(set->province), "%s",
	    json_string_value(v));
	v = json_object_get(root, "name");
	if (v != NULL && (!json_is_string(v) ||
	    json_string_length(v) >= sizeof(set->name)))
		return ds_err_set(err, DS_EPARSE, "name: must be text");
	if (v != NULL)
		snprintf(set->name, sizeof(set->name), "%s",
		    json_string_value(v));
	if ((s = parse_track(root, 0, &set->track[0], err)) != DS_OK ||
	    (s = parse_track(root, 1, &set->track[1], err)) != DS_OK ||
	    (s = parse_lines(root, set, err)) != DS_OK ||
	    (s = parse_signal(root, set, err)) != DS_OK ||
	    (s = parse_small(root, "income_check", "months_below", 1, 24,
	    &set->months_below, err)) != DS_OK ||
	    (s = parse_small(root, "visits", "monthly", -1, 0,
	    &set->visits_monthly, err)) != DS_OK ||
	    (s = parse_small(root, "clues", "verify_days", 1, 365,
	    &set->clue_verify_days, err)) != DS_OK)
		return s;
	if (set->months_below < 0)
		set->months_below = 0;
	if (set->visits_monthly < 0)
		set->visits_monthly = 0;
	return DS_OK;
}

enum ds_status
oset_parse(const char *text, size_t len, const char *what,
    struct oset **out, struct ds_err *err)
{
	struct oset *set;
	json_t *root = NULL;
	enum ds_status s;

	*out = NULL;
	if (len > OSET_MAX_BYTES)
		return ds_err_set(err, DS_ELIMIT, "%s: larger than %u bytes",
		    what, OSET_MAX_BYTES);
	if ((s = ds_json_parse(text, len, OSET_MAX_BYTES, what, &root, err)) !=
	    DS_OK)
		return s;
	if ((set = ds_calloc(1, sizeof(*set))) == NULL) {
		json_decref(root);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	s = parse_root(root, set, err);
	json_decref(root);
	if (s != DS_OK) {
		ds_err_prefix(err, "%s", what);
		oset_free(set);
		return s;
	}
	cry_hash(set->hash, sizeof(set->hash), NULL, 0, text, len);
	*out = set;
	return DS_OK;
}

enum ds_status
oset_load(const char *path, struct oset **out, struct ds_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	enum ds_status s;

	*out = NULL;
	if ((s = ds_file_read(path, OSET_MAX_BYTES, &buf, &len, err)) != DS_OK)
		return s;
	s = oset_parse(buf, len, path, out, err);
	ds_free(buf);
	return s;
}

void
oset_free(struct oset *set)
{
	if (set == NULL)
		return;
	ds_free(set->lines);
	ds_free(set->bands);
	ds_free(set);
}

const struct oset *
oset_default(void)
{
	static const struct oset dflt = {
		"", "",
		{ { { OSET_ASSESS, OSET_NOTICE, OSET_REVIEW, OSET_APPROVE }, 4,
		    -1, -1, -1 },
		  { { OSET_ASSESS, OSET_NOTICE, OSET_REVIEW, OSET_APPROVE }, 4,
		    -1, -1, -1 } },
		NULL, 0, NULL, 0, 0, 0, 0, -1, { 0 }
	};

	return &dflt;
}

int
oset_line_get(const struct oset *set, int year, double *line)
{
	size_t i;

	for (i = 0; set != NULL && i < set->nlines; i++)
		if (set->lines[i].year == year) {
			*line = set->lines[i].line;
			return 0;
		}
	return -1;
}

const struct oset_band *
oset_band_get(const struct oset *set, int year)
{
	size_t i;

	for (i = 0; set != NULL && i < set->nbands; i++)
		if (set->bands[i].year == year)
			return &set->bands[i];
	return NULL;
}

int
oset_light(const struct oset *set, int year, double income, int guar)
{
	const struct oset_band *b = oset_band_get(set, year);

	if (b == NULL)
		return OSET_LIGHT_NONE;
	if ((guar && set->red_on_guarantee) || income < b->red_below)
		return OSET_LIGHT_RED;
	if (income < b->orange_below)
		return OSET_LIGHT_ORANGE;
	if (income < b->yellow_below)
		return OSET_LIGHT_YELLOW;
	return OSET_LIGHT_GREEN;
}
