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

#include "arr.h"
#include "case.h"
#include "case_db.h"
#include "case_json.h"
#include "cry.h"
#include "mem.h"
#include "odb_case.h"
#include "util.h"

/* Bytes of the word (a status, a measure type) in a row id's seed:
 * fixed, because the seed makes ids that must not change. */
#define SEED_WORD	16
#define STOP_MAX	16	/* measures a visit's answer stops at once */
#define IDX_BYTES	32	/* a blind index (odb_blind) */

/* The measure types of the grid's answers (case_ans_grid order). */
static const char *const grid_type[CASE_ANS_NGRID] = { "industry", "job",
    "finance", "health", "education", "assist", "allowance", "housing",
    "water", "social" };

/*
 * What one revision does to its household's row, kept until the bundle
 * ends (case_batch_end writes each household once).  The fields are
 * those of the revision's visit when it was the household's latest,
 * else empty.
 */
struct hh_fold {
	char		 key[CASE_KEY_MAX];
	size_t		 ord;			/* in the bundle */
	char		 township[CASE_ANS_VAL], village[CASE_ANS_VAL];
	char		 vgroup[CASE_ANS_VAL];
	int64_t		 members;
	char		 name[128];		/* personal: wiped */
	char		 idno[32];		/* personal: wiped */
};

/* A member's blind index for person, kept until the bundle ends. */
struct member {
	unsigned char	 idx[IDX_BYTES];
	char		 key[CASE_KEY_MAX];
	size_t		 ord;			/* in the bundle */
	int		 head;
};

/* Waiting clues kept in memory for a bundle, at most (else asked per
 * number). */
#define WAIT_MAX	65536
/* ID numbers a record carries, as most do (five members a household):
 * more waiting clues than the bundle's records times this, and each
 * number is asked rather than every clue read. */
#define WAIT_PER_REV	8

struct case_batch {
	struct hh_fold	*v;
	size_t		 n, cap;
	/* The blind indexes clues wait for, sorted: no clue is made
	 * unmatched during an import, so a number not among them matches
	 * none.  wait_all: more than the bundle's numbers, or too many to
	 * keep: ask of every number. */
	unsigned char	(*wait)[IDX_BYTES];
	size_t		 nwait, capwait;
	int		 wait_all;
	/* The members' blind indexes, written at the end in key order. */
	struct member	*m;
	size_t		 nm, capm;
};

/* 32 hex digits into 16 bytes: 1, or 0. */
static int
hex16(const char *s, unsigned char out[CRY_ID_BYTES])
{
	return strlen(s) == 2 * CRY_ID_BYTES &&
	    ds_hex_decode(s, out, CRY_ID_BYTES) == 0;
}

static int
light_of(const struct oset *set, const struct case_ans *a)
{
	double inc, g = 0;

	if (set == NULL || case_date_days(a->visit_date) < 0 ||
	    (ds_parse_double(a->pc_line, &inc) != 0 &&
	    ds_parse_double(a->per_capita, &inc) != 0))
		return OSET_LIGHT_NONE;
	(void)ds_parse_double(a->guar_problem, &g);
	return oset_light(set, atoi(a->visit_date), inc, g >= 1);
}

int
case_answers_light(const struct oset *set, const char *answers, size_t len)
{
	struct case_ans a;
	int l;

	l = case_ans_scan(answers, len, &a) == 0 ? light_of(set, &a) :
	    OSET_LIGHT_NONE;
	case_ans_wipe(&a);
	return l;
}

/* The visit's facts from the answers and _meta. */
static void
visit_facts(const struct case_ans *a, const struct bundle_rev *r,
    const unsigned char device_id[CRY_ID_BYTES], const char *key, const struct oset *set,
    struct odb_visit *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->rev_id, r->rev_id, CRY_ID_BYTES);
	memcpy(v->record_uuid, r->record_uuid, CRY_ID_BYTES);
	memcpy(v->device_id, device_id, CRY_ID_BYTES);
	snprintf(v->hh_key, sizeof(v->hh_key), "%s", key);
	snprintf(v->worker_id, sizeof(v->worker_id), "%.*s",
	    (int)r->worker_id.n, r->worker_id.n ? (const char *)r->worker_id.p :
	    "");
	if (case_date_days(a->visit_date) >= 0)
		snprintf(v->visit_date, sizeof(v->visit_date), "%s",
		    a->visit_date);
	snprintf(v->visit_type, sizeof(v->visit_type), "%s", a->visit_type);
	snprintf(v->reason, sizeof(v->reason), "%s", a->reason);
	v->has_entry = hex16(a->entry, v->entry_id);
	v->has_corrects = hex16(a->corrects, v->corrects);
	if (strcmp(a->consent, "no") == 0)
		snprintf(v->consent, sizeof(v->consent), "no");
	else if (a->consent_ref[0] != '\0')
		snprintf(v->consent, sizeof(v->consent), "on_file");
	else if (strcmp(a->consent, "yes") == 0)
		snprintf(v->consent, sizeof(v->consent), "yes");
	if (strcmp(a->outcome, "refused") == 0 ||
	    strcmp(a->outcome, "not_reached") == 0)
		snprintf(v->outcome, sizeof(v->outcome), "%s", a->outcome);
	else
		snprintf(v->outcome, sizeof(v->outcome), "%s",
		    strcmp(v->consent, "no") == 0 ? "refused" : "done");
	v->finalized = strcmp(a->state, "finalized") == 0;
	v->finalized_at = v->finalized ? r->saved_at : 0;
	if (strcmp(a->el_done, "yes") == 0)
		snprintf(v->proposes, sizeof(v->proposes), "elim");
	else if (case_cat_from(a->category) != CASE_CAT_NONE)
		snprintf(v->proposes, sizeof(v->proposes), "%s", a->category);
	if (v->finalized && strcmp(v->outcome, "done") == 0 &&
	    set->nbands > 0) {
		snprintf(v->light, sizeof(v->light), "%s",
		    oset_light_str(light_of(set, a)));
		v->has_light_set = 1;
		memcpy(v->light_set, set->hash, 32);
	}
	v->imported_at = ds_now();
}

static int
idx_cmp(const void *a, const void *b)
{
	return memcmp(a, b, IDX_BYTES);
}

/* Members' ID numbers: blind indexes, and clues that now match. */
static enum ds_status
index_members(struct odb *o, struct case_batch *b, const struct case_ans *a,
    const char *key, struct ds_err *err)
{
	unsigned char idx[IDX_BYTES];
	struct member *m;
	enum ds_status s;
	size_t i;

	for (i = 0; i < a->nids; i++) {
		if (odb_blind(o, a->ids[i], idx) != 0)
			continue;
		if ((s = ds_arr_grow(&b->m, &b->capm, b->nm + 1, sizeof(*b->m),
		    b->cap * CASE_ANS_MEMBERS)) != DS_OK)
			return ds_err_set(err, s, "case batch: members");
		m = &b->m[b->nm];
		memcpy(m->idx, idx, sizeof(m->idx));
		snprintf(m->key, sizeof(m->key), "%s", key);
		m->ord = b->nm++;
		m->head = i == 0;
		if ((b->wait_all || (b->nwait > 0 && bsearch(idx, b->wait,
		    b->nwait, sizeof(*b->wait), idx_cmp) != NULL)) &&
		    (s = odb_clue_match(o, idx, key, NULL, err)) != DS_OK)
			return s;
	}
	return DS_OK;
}

/*
 * The household row: created, and kept up to date by its latest visit.
 * Noted in the batch; written once when the bundle ends.
 */
static enum ds_status
household(struct odb *o, struct case_batch *b, const struct case_ans *a,
    const struct odb_visit *v, struct ds_err *err)
{
	struct hh_fold *f;
	enum ds_status s;
	double d;
	int later;

	if ((s = odb_visit_later(o, v->hh_key, v->visit_date, v->rev_id,
	    &later, err)) != DS_OK)
		return s;
	if (b->n >= b->cap)
		return ds_err_set(err, DS_ELIMIT, "case batch: more revisions "
		    "than the bundle has");
	f = &b->v[b->n];
	memset(f, 0, sizeof(*f));
	snprintf(f->key, sizeof(f->key), "%s", v->hh_key);
	f->ord = b->n++;
	if (!v->finalized || strcmp(v->outcome, "done") != 0 || later)
		return DS_OK;
	if (ds_parse_double(a->n_members, &d) == 0 && d > 0 && d < 1000)
		f->members = (int64_t)d;
	else
		f->members = (int64_t)a->nmembers;
	snprintf(f->township, sizeof(f->township), "%s", a->township);
	snprintf(f->village, sizeof(f->village), "%s", a->village);
	snprintf(f->vgroup, sizeof(f->vgroup), "%s", a->vgroup);
	snprintf(f->name, sizeof(f->name), "%s", a->head_name);
	if (a->nids > 0)
		snprintf(f->idno, sizeof(f->idno), "%s", a->ids[0]);
	return DS_OK;
}

/* A visit that is itself the clue (cadre screening by default). */
static enum ds_status
visit_clue(struct odb *o, const struct case_ans *a, const struct odb_visit *v,
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
	if ((ch = case_channel_from(a->channel)) == CASE_CH_NONE)
		ch = CASE_CH_CADRE;
	snprintf(c.channel, sizeof(c.channel), "%s", case_channel_str(ch));
	snprintf(c.source, sizeof(c.source), "visit");
	snprintf(c.hh_key, sizeof(c.hh_key), "%s", v->hh_key);
	snprintf(c.date, sizeof(c.date), "%s", v->visit_date);
	c.received_at = v->imported_at;
	c.open = 0;
	c.has_closed_rev = 1;
	memcpy(c.closed_rev, v->rev_id, CRY_ID_BYTES);
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
	memcpy(e.ref, v->rev_id, CRY_ID_BYTES);
	return odb_event_put(o, &e, v->worker_id, NULL, err);
}

struct stop_ctx {
	const char	*type;
	unsigned char	 ids[STOP_MAX][CRY_ID_BYTES];
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
	    strcmp(m->status, "in_progress") == 0) && c->n < STOP_MAX)
		memcpy(c->ids[c->n++], m->id, CRY_ID_BYTES);
	return 0;
}

/* A measure change made by a visit, with its event. */
static enum ds_status
visit_measure_event(struct odb *o, const struct odb_visit *v,
    const unsigned char mid[CRY_ID_BYTES], const char *type, const char *status,
    struct ds_err *err)
{
	unsigned char seed[2 * CRY_ID_BYTES + SEED_WORD];
	struct odb_event e;
	int found;
	enum ds_status s;

	memset(&e, 0, sizeof(e));
	memcpy(seed, mid, CRY_ID_BYTES);
	memcpy(seed + CRY_ID_BYTES, v->rev_id, CRY_ID_BYTES);
	snprintf((char *)seed + 2 * CRY_ID_BYTES, SEED_WORD, "%s", status);
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
	memcpy(e.ref, mid, CRY_ID_BYTES);
	return odb_event_put(o, &e, v->worker_id, NULL, err);
}

static enum ds_status
measures(struct odb *o, const struct case_ans *a, const struct odb_visit *v,
    int monitored, struct ds_err *err)
{
	struct odb_measure m;
	struct stop_ctx sc;
	unsigned char seed[CRY_ID_BYTES + SEED_WORD];
	const char *ans;
	enum ds_status s;
	int64_t active;
	size_t i, j;

	for (i = 0; i < CASE_ANS_NGRID; i++) {
		ans = a->has[i];
		if (strcmp(ans, "yes") == 0) {
			if ((s = odb_measure_active(o, v->hh_key, grid_type[i],
			    &active, err)) != DS_OK)
				return s;
			if (active > 0)
				continue;
			memset(&m, 0, sizeof(m));
			memcpy(seed, v->record_uuid, CRY_ID_BYTES);
			memset(seed + CRY_ID_BYTES, 0, SEED_WORD);
			snprintf((char *)seed + CRY_ID_BYTES, SEED_WORD, "%s",
			    grid_type[i]);
			if (odb_row_id(o, "measure.visit", seed, sizeof(seed),
			    m.id) != 0)
				return ds_err_set(err, DS_ESTATE, "no "
				    "blind-index key");
			snprintf(m.hh_key, sizeof(m.hh_key), "%s", v->hh_key);
			snprintf(m.type, sizeof(m.type), "%s", grid_type[i]);
			snprintf(m.start_date, sizeof(m.start_date), "%s",
			    v->visit_date);
			snprintf(m.status, sizeof(m.status), "in_progress");
			snprintf(m.source, sizeof(m.source), "visit");
			m.has_source_rev = 1;
			memcpy(m.source_rev, v->rev_id, CRY_ID_BYTES);
			m.created_at = m.updated_at = v->imported_at;
			s = odb_measure_put(o, &m, NULL, NULL, err);
			if (s == DS_EEXIST)
				continue;	/* this record made it before */
			if (s != DS_OK || (s = visit_measure_event(o, v, m.id,
			    m.type, m.status, err)) != DS_OK)
				return s;
		} else if (strcmp(ans, "no") == 0 && monitored) {
			memset(&sc, 0, sizeof(sc));
			sc.type = grid_type[i];
			if ((s = odb_measure_each_hh(o, v->hh_key, 0, stop_cb,
			    &sc, err)) != DS_OK)
				return s;
			for (j = 0; j < sc.n; j++)
				if ((s = odb_measure_status(o, sc.ids[j],
				    "stopped", NULL, err)) != DS_OK ||
				    (s = visit_measure_event(o, v, sc.ids[j],
				    grid_type[i], "stopped", err)) != DS_OK)
					return s;
		}
	}
	return DS_OK;
}

/* Steps 3-5 for a finalized visit. */
static enum ds_status
finalized(struct odb *o, const struct case_ans *a, const struct odb_visit *v,
    struct ds_err *err)
{
	struct case_status st;
	char ch[ODB_CODE_MAX];
	unsigned char clue[CRY_ID_BYTES];
	enum ds_status s;
	int found, has_clue, verified, channel, monitoring;

	verified = strcmp(v->outcome, "done") == 0 &&
	    (strcmp(v->consent, "yes") == 0 ||
	    strcmp(v->consent, "on_file") == 0) && v->visit_date[0] != '\0';
	if (verified && (s = odb_clue_close_hh(o, v->hh_key, v->visit_date,
	    v->rev_id, v->imported_at, NULL, err)) != DS_OK)
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

static int
wait_add(void *arg, const unsigned char idx[IDX_BYTES])
{
	struct case_batch *b = arg;
	unsigned char (*nw)[IDX_BYTES];
	size_t cap;

	if (b->nwait == b->capwait) {
		if (b->capwait >= WAIT_MAX) {
			b->wait_all = 1;
			return 1;
		}
		cap = b->capwait ? 2 * b->capwait : 64;
		if ((nw = ds_realloc(b->wait, cap * sizeof(*nw))) == NULL) {
			/* Not kept: asked of every number, as before. */
			b->wait_all = 1;
			return 1;
		}
		b->wait = nw;
		b->capwait = cap;
	}
	memcpy(b->wait[b->nwait++], idx, IDX_BYTES);
	return 0;
}

enum ds_status
case_batch_begin(struct odb *o, size_t nrevs, struct case_batch **out,
    struct ds_err *err)
{
	struct case_batch *b;
	enum ds_status s;
	int64_t most, nwait;

	*out = NULL;
	if ((b = ds_calloc(1, sizeof(*b))) == NULL ||
	    (nrevs > 0 && (b->v = ds_calloc(nrevs, sizeof(*b->v))) == NULL)) {
		ds_free(b);
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	b->cap = nrevs;
	/*
	 * The waiting clues read once, not asked of every number; but when
	 * they outnumber the bundle's ID numbers (a one-record bundle from
	 * `serve`), each number is asked instead: the work follows the
	 * bundle, not the clue table.
	 */
	most = nrevs < WAIT_MAX / WAIT_PER_REV ?
	    (int64_t)(nrevs * WAIT_PER_REV) : WAIT_MAX;
	if ((s = odb_clue_waiting_n(o, most + 1, &nwait, err)) != DS_OK ||
	    (nwait <= most && (s = odb_clue_waiting(o, wait_add, b, err)) !=
	    DS_OK)) {
		case_batch_free(b);
		return s;
	}
	if (nwait > most)
		b->wait_all = 1;
	if (b->nwait > 1)
		qsort(b->wait, b->nwait, sizeof(*b->wait), idx_cmp);
	*out = b;
	return DS_OK;
}

void
case_batch_free(struct case_batch *b)
{
	if (b == NULL)
		return;
	if (b->v != NULL) {
		cry_wipe(b->v, b->cap * sizeof(*b->v));
		ds_free(b->v);
	}
	ds_free(b->wait);
	ds_free(b->m);
	ds_free(b);
}

enum ds_status
case_on_rev(struct odb *o, struct case_batch *b, const struct bundle_rev *r,
    const unsigned char device_id[CRY_ID_BYTES], struct ds_err *err)
{
	struct odb_visit v;
	struct case_ans *a;
	const char *key;
	enum ds_status s = DS_OK;
	int ins;

	if (r->deleted || r->answers.n == 0)
		return DS_OK;
	if ((a = ds_malloc(sizeof(*a))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if (case_ans_scan((const char *)r->answers.p, r->answers.n, a) != 0)
		goto out;
	key = a->hh_id[0] != '\0' ? a->hh_id : a->hh_key;
	if (!case_key_ok(key))
		goto out;
	visit_facts(a, r, device_id, key, odb_case_settings_get(o), &v);
	if ((s = odb_visit_put(o, &v, &ins, err)) != DS_OK || !ins)
		goto out;
	if ((s = household(o, b, a, &v, err)) != DS_OK)
		goto out;
	if (strcmp(v.consent, "no") != 0 &&
	    (s = index_members(o, b, a, key, err)) != DS_OK)
		goto out;
	if (v.finalized)
		s = finalized(o, a, &v, err);
out:
	case_ans_wipe(a);
	ds_free(a);
	return s;
}

static int
fold_cmp(const void *x, const void *y)
{
	const struct hh_fold *a = x, *b = y;
	int c = strcmp(a->key, b->key);

	if (c != 0)
		return c;
	return a->ord < b->ord ? -1 : a->ord > b->ord;
}

/* Later revisions' non-empty facts over earlier ones', as the row's own
 * update rules take them (odb_hh_import). */
static void
fold(struct hh_fold *acc, const struct hh_fold *f)
{
	if (f->township[0] != '\0')
		memcpy(acc->township, f->township, sizeof(acc->township));
	if (f->village[0] != '\0')
		memcpy(acc->village, f->village, sizeof(acc->village));
	if (f->vgroup[0] != '\0')
		memcpy(acc->vgroup, f->vgroup, sizeof(acc->vgroup));
	if (f->members > 0)
		acc->members = f->members;
	if (f->name[0] != '\0')
		memcpy(acc->name, f->name, sizeof(acc->name));
	if (f->idno[0] != '\0')
		memcpy(acc->idno, f->idno, sizeof(acc->idno));
}

/* Step 6 for one household, and its row written once. */
static enum ds_status
hh_finish(struct odb *o, const struct hh_fold *f, struct ds_err *err)
{
	struct odb_hh_imp h;
	struct case_status cs;
	char light[ODB_CODE_MAX], date[CASE_DATE_LEN], mo[8];
	enum ds_status s;
	int found;

	if ((s = odb_visit_last_light(o, f->key, &found, light, date, err)) !=
	    DS_OK ||
	    (s = case_status_get(o, f->key, 0, &cs, err)) != DS_OK)
		return s;
	snprintf(mo, sizeof(mo), "%.7s", date);
	memset(&h, 0, sizeof(h));
	h.key = f->key;
	h.township = f->township;
	h.village = f->village;
	h.vgroup = f->vgroup;
	h.members = f->members;
	h.name = f->name;
	h.idno = f->idno;
	h.light = found ? light : NULL;
	h.light_month = found ? mo : NULL;
	h.cs = &cs;
	return odb_hh_import(o, &h, err);
}

static int
member_cmp(const void *x, const void *y)
{
	const struct member *a = x, *b = y;
	int c;

	if ((c = strcmp(a->key, b->key)) != 0 ||
	    (c = memcmp(a->idx, b->idx, sizeof(a->idx))) != 0)
		return c;
	return a->ord < b->ord ? -1 : a->ord > b->ord;
}

/* The bundle's person rows in key order, several a statement; of two
 * rows of one number the first in the bundle stays, as it would have. */
static enum ds_status
members_put(struct odb *o, struct case_batch *b, struct ds_err *err)
{
	struct odb_person *p;
	enum ds_status s;
	size_t i;

	if (b->nm == 0)
		return DS_OK;
	if ((p = ds_calloc(b->nm, sizeof(*p))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	qsort(b->m, b->nm, sizeof(*b->m), member_cmp);
	for (i = 0; i < b->nm; i++) {
		memcpy(p[i].idx, b->m[i].idx, sizeof(p[i].idx));
		p[i].key = b->m[i].key;
		p[i].src = "visit";
		p[i].role = b->m[i].head ? "head" : "member";
	}
	s = odb_person_put_n(o, p, b->nm, err);
	ds_free(p);
	return s;
}

enum ds_status
case_batch_end(struct odb *o, struct case_batch *b, struct ds_err *err)
{
	struct hh_fold *acc;
	enum ds_status s;
	size_t i, j;

	if ((s = members_put(o, b, err)) != DS_OK || b->n == 0)
		return s;
	if ((acc = ds_malloc(sizeof(*acc))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	/* In key order: each household's pages visited once, in turn. */
	qsort(b->v, b->n, sizeof(*b->v), fold_cmp);
	for (i = 0; i < b->n && s == DS_OK; i = j) {
		*acc = b->v[i];
		for (j = i + 1; j < b->n && strcmp(b->v[j].key, acc->key) == 0;
		    j++)
			fold(acc, &b->v[j]);
		s = hh_finish(o, acc, err);
	}
	cry_wipe(acc, sizeof(*acc));
	ds_free(acc);
	return s;
}
