/* doorstep: what an imported revision does to its case (docs/case.md). */
/*
 * Called by the importer inside its transaction for each revision stored
 * for the first time (case_hook.h lists the six steps).  It reads only
 * the plaintext answers it is given and office.db; everything it writes
 * is keyed by the revision or the record, so a crash and a rerun of the
 * import converge.  Question names are those of forms/household.md; a
 * record of another form without them only gets its visit row.
 */
#include "case_hook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "case_db.h"
#include "cry.h"
#include "json.h"
#include "mem.h"
#include "odb_case.h"
#include "util.h"

#define HOOK_ANSWERS_MAX	(4u << 20)
#define HOOK_MEMBERS_MAX	64	/* ID numbers indexed per visit */

/* The measure grid: answer name -> measure type. */
static const struct {
	const char	*q, *type;
} grid[] = {
	{ "has_industry", "industry" }, { "has_job", "job" },
	{ "has_finance", "finance" }, { "has_health", "health" },
	{ "has_education", "education" }, { "has_assist", "assist" },
	{ "has_allowance", "allowance" }, { "has_housing", "housing" },
	{ "has_water", "water" }, { "has_social", "social" },
};
#define NGRID	(sizeof(grid) / sizeof(grid[0]))

static const char *
str(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* A number answer (stored as text, or a JSON number): 0 / -1. */
static int
num(const json_t *o, const char *k, double *out)
{
	const json_t *v = json_object_get(o, k);

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	return json_is_string(v) ? ds_parse_double(json_string_value(v), out) :
	    -1;
}

/* 32 hex digits into 16 bytes: 1, or 0. */
static int
hex16(const char *s, unsigned char out[16])
{
	return strlen(s) == 32 && ds_hex_decode(s, out, 16) == 0;
}

static int
light_of(const struct oset *set, const json_t *a)
{
	double inc, g = 0;
	const char *d = str(a, "visit_date");

	if (set == NULL || case_date_days(d) < 0 ||
	    (num(a, "pc_line", &inc) != 0 && num(a, "per_capita", &inc) != 0))
		return OSET_LIGHT_NONE;
	(void)num(a, "guar_problem", &g);
	return oset_light(set, atoi(d), inc, g >= 1);
}

int
case_answers_light(const struct oset *set, const char *answers, size_t len)
{
	json_t *a;
	int l;

	if (ds_json_parse(answers, len, HOOK_ANSWERS_MAX, "answers", &a,
	    NULL) != DS_OK)
		return OSET_LIGHT_NONE;
	l = json_is_object(a) ? light_of(set, a) : OSET_LIGHT_NONE;
	json_decref(a);
	return l;
}

/* The visit's facts from the answers and _meta. */
static void
visit_facts(const json_t *a, const json_t *meta, const struct bundle_rev *r,
    const unsigned char device_id[16], const char *key, const struct oset *set,
    struct odb_visit *v)
{
	const char *s;

	memset(v, 0, sizeof(*v));
	memcpy(v->rev_id, r->rev_id, 16);
	memcpy(v->record_uuid, r->record_uuid, 16);
	memcpy(v->device_id, device_id, 16);
	snprintf(v->hh_key, sizeof(v->hh_key), "%s", key);
	snprintf(v->worker_id, sizeof(v->worker_id), "%.*s",
	    (int)r->worker_id.n, r->worker_id.n ? (const char *)r->worker_id.p :
	    "");
	s = str(a, "visit_date");
	if (case_date_days(s) >= 0)
		snprintf(v->visit_date, sizeof(v->visit_date), "%s", s);
	snprintf(v->visit_type, sizeof(v->visit_type), "%s",
	    str(a, "visit_type"));
	snprintf(v->reason, sizeof(v->reason), "%s", str(meta, "reason"));
	v->has_entry = hex16(str(meta, "entry"), v->entry_id);
	v->has_corrects = hex16(str(meta, "corrects"), v->corrects);
	s = str(a, "consent");
	if (strcmp(s, "no") == 0)
		snprintf(v->consent, sizeof(v->consent), "no");
	else if (*str(meta, "consent_ref") != '\0')
		snprintf(v->consent, sizeof(v->consent), "on_file");
	else if (strcmp(s, "yes") == 0)
		snprintf(v->consent, sizeof(v->consent), "yes");
	s = str(meta, "outcome");
	if (strcmp(s, "refused") == 0 || strcmp(s, "not_reached") == 0)
		snprintf(v->outcome, sizeof(v->outcome), "%s", s);
	else
		snprintf(v->outcome, sizeof(v->outcome), "%s",
		    strcmp(v->consent, "no") == 0 ? "refused" : "done");
	v->finalized = strcmp(str(meta, "state"), "finalized") == 0;
	v->finalized_at = v->finalized ? r->saved_at : 0;
	if (strcmp(str(a, "el_done"), "yes") == 0)
		snprintf(v->proposes, sizeof(v->proposes), "elim");
	else if (case_cat_from(str(a, "category")) != CASE_CAT_NONE)
		snprintf(v->proposes, sizeof(v->proposes), "%s",
		    str(a, "category"));
	if (v->finalized && strcmp(v->outcome, "done") == 0 &&
	    set->nbands > 0) {
		snprintf(v->light, sizeof(v->light), "%s",
		    oset_light_str(light_of(set, a)));
		v->has_light_set = 1;
		memcpy(v->light_set, set->hash, 32);
	}
	v->imported_at = ds_now();
}

/* Members' ID numbers: blind indexes, and clues that now match. */
static enum ds_status
index_members(struct odb *o, const json_t *a, const char *key,
    struct ds_err *err)
{
	const json_t *mem = json_object_get(a, "member"), *m;
	unsigned char idx[32];
	enum ds_status s;
	size_t i;
	int n;

	if (!json_is_array(mem))
		return DS_OK;
	json_array_foreach(mem, i, m) {
		if (i >= HOOK_MEMBERS_MAX)
			break;
		if (!json_is_object(m) ||
		    odb_blind(o, str(m, "m_id_number"), idx) != 0)
			continue;
		if ((s = odb_person_put(o, idx, key, "visit",
		    i == 0 ? "head" : "member", err)) != DS_OK ||
		    (s = odb_clue_match(o, idx, key, &n, err)) != DS_OK)
			return s;
	}
	return DS_OK;
}

/* 1 if no other finalized visit of the household is dated after v. */
struct latest {
	const struct odb_visit	*v;
	int			 later;
};

static int
later_cb(void *arg, const struct odb_visit *o)
{
	struct latest *l = arg;

	if (o->finalized && memcmp(o->rev_id, l->v->rev_id, 16) != 0 &&
	    strcmp(o->visit_date, l->v->visit_date) > 0)
		l->later = 1;
	return l->later;
}

/* The household row: created, and kept up to date by its latest visit. */
static enum ds_status
household(struct odb *o, const json_t *a, const struct odb_visit *v,
    struct ds_err *err)
{
	const json_t *mem = json_object_get(a, "member"), *m0;
	struct latest l;
	enum ds_status s;
	int64_t n = 0;
	double d;
	int use;

	l.v = v;
	l.later = 0;
	if ((s = odb_visit_each_hh(o, v->hh_key, later_cb, &l, err)) != DS_OK)
		return s;
	use = v->finalized && strcmp(v->outcome, "done") == 0 && !l.later;
	if (use) {
		if (num(a, "n_members", &d) == 0 && d > 0 && d < 1000)
			n = (int64_t)d;
		else if (json_is_array(mem))
			n = (int64_t)json_array_size(mem);
	}
	m0 = json_is_array(mem) ? json_array_get(mem, 0) : NULL;
	return odb_hh_visit(o, v->hh_key, use ? str(a, "township") : "",
	    use ? str(a, "village") : "", use ? str(a, "vgroup") : "", n,
	    use ? str(a, "head_name") : NULL,
	    use && m0 != NULL ? str(m0, "m_id_number") : NULL, err);
}

/* A visit that is itself the clue (cadre screening by default). */
static enum ds_status
visit_clue(struct odb *o, const json_t *a, const struct odb_visit *v,
    int *channel, struct ds_err *err)
{
	struct odb_clue c;
	struct odb_clue_text tx;
	enum ds_status s;
	int ch;

	memset(&c, 0, sizeof(c));
	if (odb_row_id(o, "clue.visit", v->record_uuid, 16, c.id) != 0)
		return ds_err_set(err, DS_ESTATE, "no blind-index key");
	if ((s = odb_clue_get(o, c.id, &c, err)) == DS_OK) {
		*channel = case_channel_from(c.channel);
		return DS_OK;
	}
	if (s != DS_ENOENT)
		return s;
	if ((ch = case_channel_from(str(a, "channel"))) == CASE_CH_NONE)
		ch = CASE_CH_CADRE;
	snprintf(c.channel, sizeof(c.channel), "%s", case_channel_str(ch));
	snprintf(c.source, sizeof(c.source), "visit");
	snprintf(c.hh_key, sizeof(c.hh_key), "%s", v->hh_key);
	snprintf(c.date, sizeof(c.date), "%s", v->visit_date);
	c.received_at = v->imported_at;
	c.open = 0;
	c.has_closed_rev = 1;
	memcpy(c.closed_rev, v->rev_id, 16);
	c.closed_at = v->imported_at;
	memset(&tx, 0, sizeof(tx));
	*channel = ch;
	return odb_clue_put(o, &c, &tx, err);
}

/* Start a track: an event derived from the record (one per record). */
static enum ds_status
start_track(struct odb *o, const struct odb_visit *v, int track,
    int channel, struct ds_err *err)
{
	struct odb_event e;
	int found;
	enum ds_status s;

	memset(&e, 0, sizeof(e));
	if (odb_row_id(o, track == CASE_T_IDENT ? "event.start.ident" :
	    "event.start.elim", v->record_uuid, 16, e.ev.id) != 0)
		return ds_err_set(err, DS_ESTATE, "no blind-index key");
	if ((s = odb_event_exists(o, e.ev.id, &found, err)) != DS_OK || found)
		return s;
	e.ev.track = track;
	e.ev.step = CASE_S_START;
	snprintf(e.ev.date, sizeof(e.ev.date), "%s", v->visit_date);
	e.ev.channel = channel;
	e.ev.recorded_at = v->imported_at;
	snprintf(e.hh_key, sizeof(e.hh_key), "%s", v->hh_key);
	snprintf(e.source, sizeof(e.source), "visit");
	e.has_ref = 1;
	memcpy(e.ref, v->rev_id, 16);
	return odb_event_put(o, &e, v->worker_id, NULL, err);
}

struct stop_ctx {
	const char	*type;
	unsigned char	 ids[16][16];
	size_t		 n;
};

static int
stop_cb(void *arg, const struct odb_measure *m, const char *amount,
    const char *note)
{
	struct stop_ctx *c = arg;

	(void)amount;
	(void)note;
	if (strcmp(m->type, c->type) == 0 && strcmp(m->source, "visit") == 0 &&
	    (strcmp(m->status, "planned") == 0 ||
	    strcmp(m->status, "in_progress") == 0) && c->n < 16)
		memcpy(c->ids[c->n++], m->id, 16);
	return 0;
}

/* A measure change made by a visit, with its event. */
static enum ds_status
visit_measure_event(struct odb *o, const struct odb_visit *v,
    const unsigned char mid[16], const char *type, const char *status,
    struct ds_err *err)
{
	unsigned char seed[32 + 16];
	struct odb_event e;
	int found;
	enum ds_status s;

	memset(&e, 0, sizeof(e));
	memcpy(seed, mid, 16);
	memcpy(seed + 16, v->rev_id, 16);
	snprintf((char *)seed + 32, 16, "%s", status);
	if (odb_row_id(o, "event.measure", seed, sizeof(seed), e.ev.id) != 0)
		return ds_err_set(err, DS_ESTATE, "no blind-index key");
	if ((s = odb_event_exists(o, e.ev.id, &found, err)) != DS_OK || found)
		return s;
	e.ev.track = CASE_T_CASE;
	e.ev.step = CASE_S_MEASURE;
	snprintf(e.ev.date, sizeof(e.ev.date), "%s", v->visit_date);
	e.ev.recorded_at = v->imported_at;
	snprintf(e.hh_key, sizeof(e.hh_key), "%s", v->hh_key);
	snprintf(e.source, sizeof(e.source), "visit");
	snprintf(e.detail, sizeof(e.detail), "%s:%s", type, status);
	e.has_ref = 1;
	memcpy(e.ref, mid, 16);
	return odb_event_put(o, &e, v->worker_id, NULL, err);
}

static enum ds_status
measures(struct odb *o, const json_t *a, const struct odb_visit *v,
    int monitored, struct ds_err *err)
{
	struct odb_measure m;
	struct stop_ctx sc;
	unsigned char seed[16 + 16];
	const char *ans;
	enum ds_status s;
	int64_t active;
	size_t i, j;

	for (i = 0; i < NGRID; i++) {
		ans = str(a, grid[i].q);
		if (strcmp(ans, "yes") == 0) {
			if ((s = odb_measure_active(o, v->hh_key, grid[i].type,
			    &active, err)) != DS_OK)
				return s;
			if (active > 0)
				continue;
			memset(&m, 0, sizeof(m));
			memcpy(seed, v->record_uuid, 16);
			memset(seed + 16, 0, 16);
			snprintf((char *)seed + 16, 16, "%s", grid[i].type);
			if (odb_row_id(o, "measure.visit", seed, sizeof(seed),
			    m.id) != 0)
				return ds_err_set(err, DS_ESTATE, "no "
				    "blind-index key");
			snprintf(m.hh_key, sizeof(m.hh_key), "%s", v->hh_key);
			snprintf(m.type, sizeof(m.type), "%s", grid[i].type);
			snprintf(m.start_date, sizeof(m.start_date), "%s",
			    v->visit_date);
			snprintf(m.status, sizeof(m.status), "in_progress");
			snprintf(m.source, sizeof(m.source), "visit");
			m.has_source_rev = 1;
			memcpy(m.source_rev, v->rev_id, 16);
			m.created_at = m.updated_at = v->imported_at;
			s = odb_measure_put(o, &m, NULL, NULL, err);
			if (s == DS_EEXIST)
				continue;	/* this record made it before */
			if (s != DS_OK || (s = visit_measure_event(o, v, m.id,
			    m.type, m.status, err)) != DS_OK)
				return s;
		} else if (strcmp(ans, "no") == 0 && monitored) {
			memset(&sc, 0, sizeof(sc));
			sc.type = grid[i].type;
			if ((s = odb_measure_each_hh(o, v->hh_key, 0, stop_cb,
			    &sc, err)) != DS_OK)
				return s;
			for (j = 0; j < sc.n; j++)
				if ((s = odb_measure_status(o, sc.ids[j],
				    "stopped", NULL, err)) != DS_OK ||
				    (s = visit_measure_event(o, v, sc.ids[j],
				    grid[i].type, "stopped", err)) != DS_OK)
					return s;
		}
	}
	return DS_OK;
}

/* Steps 3-5 for a finalized visit. */
static enum ds_status
finalized(struct odb *o, const json_t *a, const struct odb_visit *v,
    struct ds_err *err)
{
	struct case_status st;
	char ch[ODB_CODE_MAX];
	unsigned char clue[16];
	enum ds_status s;
	int n, found, has_clue, verified, channel, monitoring;

	verified = strcmp(v->outcome, "done") == 0 &&
	    (strcmp(v->consent, "yes") == 0 ||
	    strcmp(v->consent, "on_file") == 0) && v->visit_date[0] != '\0';
	if (verified && (s = odb_clue_close_hh(o, v->hh_key, v->visit_date,
	    v->rev_id, v->imported_at, &n, err)) != DS_OK)
		return s;
	if (v->has_entry) {
		if ((s = odb_entry_done(o, v->entry_id, v->rev_id,
		    v->imported_at, &found, &has_clue, clue, err)) != DS_OK)
			return s;
		if (verified && found && has_clue && (s = odb_clue_close(o,
		    clue, v->rev_id, v->imported_at, err)) != DS_OK)
			return s;
	}
	if (!verified)
		return DS_OK;
	if ((s = case_status_get(o, v->hh_key, 0, &st, err)) != DS_OK)
		return s;
	monitoring = st.monitored && !st.eliminated;
	if (st.run < 0 && !monitoring &&
	    case_cat_from(v->proposes) != CASE_CAT_NONE) {
		if ((s = odb_clue_first(o, v->hh_key, v->rev_id, ch, err)) !=
		    DS_OK)
			return s;
		channel = case_channel_from(ch);
		if (channel == CASE_CH_NONE &&
		    (s = visit_clue(o, a, v, &channel, err)) != DS_OK)
			return s;
		if ((s = start_track(o, v, CASE_T_IDENT, channel, err)) !=
		    DS_OK)
			return s;
	} else if (st.run < 0 && monitoring &&
	    strcmp(v->proposes, "elim") == 0) {
		if ((s = start_track(o, v, CASE_T_ELIM, CASE_CH_NONE, err)) !=
		    DS_OK)
			return s;
	}
	return measures(o, a, v, st.monitored, err);
}

enum ds_status
case_on_rev(struct odb *o, const struct bundle_rev *r,
    const unsigned char device_id[16], struct ds_err *err)
{
	struct odb_visit v;
	const json_t *meta;
	json_t *a = NULL;
	const char *key;
	char light[ODB_CODE_MAX], date[CASE_DATE_LEN], mo[8];
	enum ds_status s;
	int ins, found;

	if (r->deleted || r->answers.n == 0)
		return DS_OK;
	/* The bundle parser checked the JSON; a failure here is memory. */
	if ((s = ds_json_parse((const char *)r->answers.p, r->answers.n,
	    HOOK_ANSWERS_MAX, "answers", &a, err)) != DS_OK)
		return s == DS_ENOMEM ? s : DS_OK;
	if (!json_is_object(a))
		goto out;
	meta = json_object_get(a, "_meta");
	key = str(a, "hh_id");
	if (*key == '\0')
		key = str(meta, "hh_key");
	if (!case_key_ok(key))
		goto out;
	visit_facts(a, meta, r, device_id, key, odb_case_settings_get(o), &v);
	if ((s = odb_visit_put(o, &v, &ins, err)) != DS_OK || !ins)
		goto out;
	if ((s = household(o, a, &v, err)) != DS_OK)
		goto out;
	if (strcmp(v.consent, "no") != 0 &&
	    (s = index_members(o, a, key, err)) != DS_OK)
		goto out;
	if (v.finalized && (s = finalized(o, a, &v, err)) != DS_OK)
		goto out;
	if ((s = odb_visit_last_light(o, key, &found, light, date, err)) !=
	    DS_OK)
		goto out;
	snprintf(mo, sizeof(mo), "%.7s", date);
	if (found && (s = odb_hh_light(o, key, light, mo, err)) != DS_OK)
		goto out;
	s = case_refresh(o, key, NULL, err);
out:
	json_decref(a);
	return s;
}
