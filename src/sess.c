/* doorstep: interview sessions: the engine saved through the store. */
/*
 * Each action runs in the engine first; if it is accepted, it is saved.
 * An answer or a reason on a draft is kept as one sealed delta (the path
 * and the value: store_delta_add), so its cost does not grow with the
 * record; anything else, and every SESS_DELTAS_MAX answers, leaving the
 * record (sess_flush) and finalizing, serializes the whole instance
 * (canonical JSON) as one new revision, which replaces the deltas.
 * Resume replays the deltas over the revision through the engine, as
 * they were first made.  If a save fails (disk full, conflict), the
 * engine is rebuilt from the last revision and the deltas kept since, so
 * what the worker sees is what is on disk.  The
 * serialized document carries the cursor and warning reasons, so resume
 * lands on the same question.  A move with unchanged answers stores only
 * the sealed cursor on the record row (no revision: every revision goes
 * to the office); resume prefers that cursor while it is bound to the
 * current revision.  Plaintext answers exist only in memory and
 * are wiped when freed (json.h wipes jansson blocks; store_text_free).
 */
#include "sess.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cry.h"
#include "form.h"
#include "json.h"
#include "mem.h"
#include "util.h"

#define SESS_IDS_MAX	STORE_BLIND_MAX
#define SESS_CARRIED_MAX	4096	/* carried answers noted per record */
#define SESS_DELTAS_MAX	32	/* answers kept as deltas, then a revision */

struct sess {
	struct store		*st;
	const struct eng_form	*cf;
	struct eng_opts		 opts;
	struct eng		*e;
	unsigned char		 id[STORE_ID_BYTES];
	unsigned char		 rev[STORE_ID_BYTES];
	int			 has_rev;
	int64_t			 rev_no;
	/* The last saved document as canonical text, and the same without
	 * the cursor (_meta.path and .unconfirmed): a move compares that. */
	char			*saved;
	size_t			 saved_len;
	char			*saved_cmp;
	size_t			 saved_cmp_len;
	/* The engine's generation when they were made; and the cursor
	 * stored since (moves with no other change): "" if none. */
	unsigned long		 saved_gen;
	char			 saved_path[ENG_PATH_MAX];
	/* Problems as the record row counts them (made on the first save,
	 * brought up to date by sess_flush: not on every answer), and the
	 * engine's generation they were counted at. */
	int			 counted;
	size_t			 nerr, nwarn;
	unsigned long		 counted_gen;
	/* The deltas kept since the last revision, in order (objects:
	 * op, path, v), and the engine's generation when it last equalled
	 * that revision with them replayed: an answer made from there is
	 * kept as one more delta. */
	json_t			*deltas;
	unsigned long		 durable_gen;
};

static void
text_free(char **p, size_t *n)
{
	if (*p != NULL) {
		cry_wipe(*p, *n);
		ds_free(*p);
	}
	*p = NULL;
	*n = 0;
}

/* The last saved document as a tree (rollback, twins), with the cursor
 * stored since, or NULL. */
static json_t *
saved_doc(const struct sess *s)
{
	json_t *j;

	if (s->saved == NULL || ds_json_parse(s->saved, s->saved_len,
	    s->saved_len + 1, "saved", &j, NULL) != DS_OK)
		return NULL;
	if (s->saved_path[0] != '\0' && json_object_set_new(json_object_get(j,
	    "_meta"), "path", json_string(s->saved_path)) != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

struct eng *
sess_eng(struct sess *s)
{
	return s->e;
}

const unsigned char *
sess_id(const struct sess *s)
{
	return s->id;
}

int64_t
sess_rev_no(const struct sess *s)
{
	return s->rev_no;
}

static enum ds_status
sess_alloc(struct store *st, const struct eng_form *cf,
    const struct eng_opts *o, struct sess **out)
{
	struct sess *s;

	if ((s = ds_calloc(1, sizeof(*s))) == NULL)
		return DS_ENOMEM;
	if ((s->deltas = json_array()) == NULL) {
		ds_free(s);
		return DS_ENOMEM;
	}
	s->st = st;
	s->cf = cf;
	if (o != NULL)
		s->opts = *o;
	else
		s->opts.lang = -1;
	*out = s;
	return DS_OK;
}

enum ds_status
sess_new(struct store *st, const struct eng_form *cf,
    const struct eng_opts *o, struct sess **out, struct ds_err *err)
{
	struct sess *s;
	enum ds_status rc;

	ds_err_clear(err);
	if ((rc = sess_alloc(st, cf, o, &s)) != DS_OK)
		return ds_err_set(err, rc, NULL);
	if ((rc = eng_open(cf, o, &s->e, err)) != DS_OK) {
		sess_free(s);
		return rc;
	}
	store_id_new(s->id);
	*out = s;
	return DS_OK;
}

/* Replay one delta (op, path, v) on e, as sess_set or sess_reason made
 * it. */
static enum ds_status
delta_apply(struct eng *e, const json_t *d, struct ds_err *err)
{
	const char *op = json_string_value(json_object_get(d, "op"));
	const char *path = json_string_value(json_object_get(d, "path"));
	const json_t *v = json_object_get(d, "v");
	enum ds_status rc;

	if (op == NULL || path == NULL || (v != NULL && !json_is_null(v) &&
	    !json_is_string(v)))
		return ds_err_set(err, DS_ECORRUPT, "a saved answer is "
		    "damaged");
	/* As taken, without the checks it passed: a clock set back or a
	 * revised form must not lock the record (a revision restores so). */
	if (strcmp(op, "set") == 0)
		return eng_replay(e, path, json_string_value(v), err);
	/* A warning that no longer fails wants no reason: nothing lost. */
	if (strcmp(op, "reason") == 0) {
		rc = eng_reason(e, path, json_string_value(v), err);
		return rc == DS_ESTATE ? DS_OK : rc;
	}
	return ds_err_set(err, DS_ECORRUPT, "a saved answer is damaged");
}

/* Resume: each stored delta replayed and kept in s->deltas. */
static enum ds_status
resume_delta(void *arg, int64_t seq, const char *body, size_t len,
    struct ds_err *err)
{
	struct sess *s = arg;
	json_t *d;
	enum ds_status rc;

	(void)seq;
	if ((rc = ds_json_parse(body, len, STORE_DELTA_MAX + 1, "answer", &d,
	    err)) != DS_OK)
		return rc;
	if ((rc = delta_apply(s->e, d, err)) == DS_OK &&
	    json_array_append(s->deltas, d) != 0)
		rc = ds_err_set(err, DS_ENOMEM, NULL);
	json_decref(d);
	if (rc != DS_OK)
		ds_err_prefix(err, "resume: answer %lld", (long long)seq);
	return rc;
}

/*
 * Put the record's saved cursor, if newer than the revision's, into the
 * document's _meta.path.  A cursor that does not open is only a lost
 * position, not lost answers: fall back to the revision's.  The cursor
 * text is the path, then a newline and the number of deltas kept when
 * it was set (none before deltas were): *ndelta, -1 without a cursor.
 */
static enum ds_status
resume_cursor(struct store *st, const unsigned char *id, json_t *doc,
    long long *ndelta, struct ds_err *err)
{
	json_t *meta = json_object_get(doc, "_meta");
	char *text = NULL, *nl;
	size_t len = 0;
	enum ds_status rc;
	struct ds_err e2;

	*ndelta = -1;
	rc = store_cursor_get(st, id, &text, &len, &e2);
	if (rc == DS_ECRYPTO || rc == DS_ECORRUPT)
		return DS_OK;
	if (rc != DS_OK) {
		*err = e2;
		return rc;
	}
	if (text == NULL)
		return DS_OK;
	*ndelta = 0;
	if ((nl = memchr(text, '\n', len)) != NULL)
		*ndelta = strtoll(nl + 1, NULL, 10);
	if (json_is_object(meta) && json_object_set_new(meta, "path",
	    json_stringn(text, nl != NULL ? (size_t)(nl - text) : len)) != 0)
		rc = ds_err_set(err, DS_ENOMEM, "resume: %s",
		    ds_status_str(DS_ENOMEM));
	store_text_free(text, len);
	return rc;
}

static enum ds_status
resume(struct store *st, const struct eng_form *cf, const struct eng_opts *o,
    const unsigned char id[STORE_ID_BYTES], int opened, struct sess **out,
    struct ds_err *err)
{
	struct store_rev *revs = NULL;
	struct sess *s;
	char *text = NULL;
	size_t len = 0, n = 0;
	json_t *doc = NULL;
	const char *at;
	long long ncur;
	struct ds_err e2;
	enum ds_status rc;

	ds_err_clear(err);
	if ((rc = sess_alloc(st, cf, o, &s)) != DS_OK)
		return ds_err_set(err, rc, NULL);
	memcpy(s->id, id, STORE_ID_BYTES);
	if ((rc = store_answers_get(st, id, 0, &text, &len, err)) != DS_OK)
		goto out;
	rc = ds_json_parse(text, len, STORE_ANSWERS_MAX, "record", &doc, err);
	store_text_free(text, len);
	text = NULL;
	if (rc != DS_OK)
		goto out;
	if ((rc = resume_cursor(st, id, doc, &ncur, err)) != DS_OK)
		goto out;
	if ((rc = eng_restore(cf, o, doc, &s->e, err)) != DS_OK)
		goto out;
	if ((rc = store_history(st, id, &revs, &n, err)) != DS_OK)
		goto out;
	if (n > 0) {
		memcpy(s->rev, revs[n - 1].rev_id, STORE_ID_BYTES);
		s->has_rev = 1;
		s->rev_no = revs[n - 1].rev_no;
	}
	ds_free(revs);
	/* The answers kept since that revision, as they were made. */
	if (s->has_rev && (rc = store_delta_each(st, id, s->rev_no,
	    resume_delta, s, err)) != DS_OK)
		goto out;
	/* An answer kept after the last move: the worker was there. */
	n = json_array_size(s->deltas);
	if (n > 0 && ncur != (long long)n && (at = json_string_value(
	    json_object_get(json_array_get(s->deltas, n - 1), "at"))) != NULL)
		(void)eng_jump(s->e, at, &e2);
	s->durable_gen = eng_generation(s->e);
	/* What is on disk (with the cursor resumed at), as text. */
	if ((rc = ds_json_canonical(doc, &s->saved, &s->saved_len, err)) !=
	    DS_OK)
		goto out;
	(void)json_object_del(json_object_get(doc, "_meta"), "path");
	(void)json_object_del(json_object_get(doc, "_meta"), "unconfirmed");
	if ((rc = ds_json_canonical(doc, &s->saved_cmp, &s->saved_cmp_len,
	    err)) != DS_OK)
		goto out;
	/* Compared by text on the first move: the restored state may
	 * serialize otherwise (a newer form, a recompute). */
	s->saved_gen = eng_generation(s->e) - 1;
	/* With deltas the text tells nothing: moves store the cursor, and
	 * the revision that holds them comes at sess_flush. */
	if (json_array_size(s->deltas) > 0)
		s->saved_gen = s->durable_gen;
	json_decref(doc);
	doc = NULL;
	if (opened && (rc = store_audit_add(st, id, STORE_EV_OPENED, err)) !=
	    DS_OK)
		goto out;
	*out = s;
	return DS_OK;
out:
	if (doc != NULL)
		json_decref(doc);
	sess_free(s);
	return rc;
}

enum ds_status
sess_resume(struct store *st, const struct eng_form *cf,
    const struct eng_opts *o, const unsigned char id[STORE_ID_BYTES],
    struct sess **out, struct ds_err *err)
{
	return resume(st, cf, o, id, 1, out, err);
}

enum ds_status
sess_peek(struct store *st, const struct eng_form *cf,
    const struct eng_opts *o, const unsigned char id[STORE_ID_BYTES],
    struct sess **out, struct ds_err *err)
{
	return resume(st, cf, o, id, 0, out, err);
}

enum ds_status
sess_compact(struct store *st, const struct eng_form *cf,
    const struct eng_opts *o, const unsigned char id[STORE_ID_BYTES],
    struct ds_err *err)
{
	struct sess *s = NULL;
	enum ds_status rc;

	ds_err_clear(err);
	if ((rc = resume(st, cf, o, id, 0, &s, err)) != DS_OK)
		return rc;
	rc = sess_flush(s, err);
	sess_free(s);
	return rc;
}

void
sess_free(struct sess *s)
{
	if (s == NULL)
		return;
	eng_free(s->e);
	text_free(&s->saved, &s->saved_len);
	text_free(&s->saved_cmp, &s->saved_cmp_len);
	if (s->deltas != NULL)
		json_decref(s->deltas);
	ds_free(s);
}

/* Answers of question `name` across every instance, appended to v. */
static void
collect_values(struct eng *e, const char *name, char **v, size_t *n)
{
	const char *vals[SESS_IDS_MAX];
	size_t k, i;

	k = eng_answers_of(e, name, vals, SESS_IDS_MAX - *n);
	for (i = 0; i < k; i++)
		v[(*n)++] = ds_strdup(vals[i]);
}

static char *
value_of_setting(struct eng *e, const struct form *f, const char *key)
{
	const char *q = form_setting(f, key), *v;

	if (q == NULL || (v = eng_value(e, q)) == NULL)
		return NULL;
	return ds_strdup(v);
}

/*
 * The names of a household's members for the list's search: the first
 * text question of the roster that holds the first `id_numbers`
 * question, every item, one name a line, as many as fit.
 */
static char *
member_names(struct eng *e, const struct form *f, const char *idq)
{
	const struct form_node *q, *rep;
	const char *vals[SESS_IDS_MAX];
	char first[128], *out;
	size_t i, k, n = 0, l;

	snprintf(first, sizeof(first), "%.*s", (int)strcspn(idq, " "), idq);
	if ((q = form_find(f, first)) == NULL)
		return NULL;
	for (rep = q->parent; rep != NULL && rep->type != FT_REPEAT;
	    rep = rep->parent)
		;
	for (i = 0, q = NULL; rep != NULL && i < rep->nkids && q == NULL; i++)
		if (rep->kids[i]->type == FT_TEXT)
			q = rep->kids[i];
	if (q == NULL || (k = eng_answers_of(e, q->name, vals,
	    SESS_IDS_MAX)) == 0)
		return NULL;
	if ((out = ds_malloc(STORE_SUMMARY_MAX)) == NULL)
		return NULL;
	for (i = 0; i < k; i++) {
		l = strlen(vals[i]);
		if (n + l + 1 >= STORE_SUMMARY_MAX)
			break;
		if (n > 0)
			out[n++] = '\n';
		memcpy(out + n, vals[i], l);
		n += l;
	}
	out[n] = '\0';
	return out;
}

static int
path_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A record started from previous answers keeps them in _meta.carried
 * (path: value as carried); each save notes in _meta.carried_changed the
 * paths whose answer now differs (docs/case.md).
 */
static enum ds_status
note_carried(struct eng *e)
{
	const char *k, *now, *keys[SESS_CARRIED_MAX];
	json_t *c = eng_meta_get(e, "carried"), *v, *ch;
	size_t n = 0, i;
	enum ds_status rc;

	if (!json_is_object(c))
		return DS_OK;
	json_object_foreach(c, k, v) {
		now = eng_value(e, k);
		if (n < SESS_CARRIED_MAX && (!json_is_string(v) ||
		    now == NULL || strcmp(now, json_string_value(v)) != 0))
			keys[n++] = k;
	}
	qsort(keys, n, sizeof(keys[0]), path_cmp);
	if ((ch = json_array()) == NULL)
		return DS_ENOMEM;
	for (i = 0; i < n; i++)
		if (json_array_append_new(ch, json_string(keys[i])) != 0) {
			json_decref(ch);
			return DS_ENOMEM;
		}
	rc = eng_meta_set(e, "carried_changed", ch);
	json_decref(ch);
	return rc;
}

/* A record's summary for the list, and the ID numbers for its blind
 * indexes: strings owned here (sum_free wipes them). */
struct sess_sum {
	struct store_summary	 sum;
	char			*ids[SESS_IDS_MAX];
	size_t			 nids;
	char			*head, *village, *label, *hh, *members, *code;
};

static void
sum_free(struct sess_sum *ss)
{
	size_t i;

	for (i = 0; i < ss->nids; i++) {
		if (ss->ids[i] != NULL)
			cry_wipe(ss->ids[i], strlen(ss->ids[i]));
		ds_free(ss->ids[i]);
	}
	ds_free(ss->head);
	ds_free(ss->village);
	ds_free(ss->label);
	ds_free(ss->hh);
	if (ss->members != NULL)
		cry_wipe(ss->members, strlen(ss->members));
	ds_free(ss->members);
	ds_free(ss->code);
	memset(ss, 0, sizeof(*ss));
}

/* Problems now: counted once per state of the answers. */
static void
count_problems(struct sess *s)
{
	size_t n, nerr;

	if (s->counted && s->counted_gen == eng_generation(s->e))
		return;
	eng_issue_counts(s->e, &n, &nerr);
	s->nerr = nerr;
	s->nwarn = n - nerr;
	s->counted = 1;
	s->counted_gen = eng_generation(s->e);
}

static void
sum_make(struct sess *s, struct sess_sum *ss)
{
	const struct form *f = eng_form_model(s->cf);
	size_t answered = 0, total = 0;
	const char *idq;

	memset(ss, 0, sizeof(*ss));
	ss->head = value_of_setting(s->e, f, "head_name");
	ss->village = value_of_setting(s->e, f, "village");
	ss->label = eng_instance_name(s->e);
	ss->hh = eng_household_key(s->e);
	/* A refused visit from a list keeps the list's household key. */
	if (ss->hh == NULL && json_is_string(eng_meta_get(s->e, "hh_key")))
		ss->hh = ds_strdup(json_string_value(eng_meta_get(s->e,
		    "hh_key")));
	if ((idq = form_setting(f, "id_numbers")) != NULL) {
		char names[512], *tok, *save_p = NULL;

		snprintf(names, sizeof(names), "%s", idq);
		for (tok = strtok_r(names, " ", &save_p); tok != NULL;
		    tok = strtok_r(NULL, " ", &save_p))
			collect_values(s->e, tok, ss->ids, &ss->nids);
		ss->members = member_names(s->e, f, idq);
	}
	/* The form's record code, written on the paper letter: what tells
	 * a refused household's line apart. */
	if (eng_value(s->e, "record_code") != NULL)
		ss->code = ds_strdup(eng_value(s->e, "record_code"));
	eng_progress(s->e, &answered, &total);
	/* The counts the record row holds (sess_flush brings them up to
	 * date); a new session counts once. */
	if (!eng_is_finalized(s->e)) {
		if (!s->counted)
			count_problems(s);
		ss->sum.n_errors = (int)s->nerr;
		ss->sum.n_warnings = (int)s->nwarn;
	}
	ss->sum.head_name = ss->head;
	ss->sum.village = ss->village;
	ss->sum.label = ss->label;
	ss->sum.household_key = ss->hh;
	ss->sum.members = ss->members;
	ss->sum.code = ss->code;
	ss->sum.refused = eng_consent(s->e) == 2;
	ss->sum.answered = answered > 0xffff ? 0xffff : (int)answered;
}

/*
 * What the screen shows must be what the disk holds: after a failed save
 * the engine is the last revision with the deltas kept since replayed
 * (a fresh one if there is none).
 */
static void
rollback(struct sess *s)
{
	struct eng *back = NULL;
	struct ds_err e2;
	json_t *doc;
	size_t i;

	if (s->saved != NULL) {
		if ((doc = saved_doc(s)) == NULL)
			return;
		if (eng_restore(s->cf, &s->opts, doc, &back, &e2) != DS_OK)
			back = NULL;
		json_decref(doc);
		for (i = 0; back != NULL && i < json_array_size(s->deltas);
		    i++)
			if (delta_apply(back, json_array_get(s->deltas, i),
			    &e2) != DS_OK) {
				eng_free(back);
				back = NULL;
			}
	} else if (eng_open(s->cf, &s->opts, &back, &e2) != DS_OK)
		back = NULL;
	if (back == NULL)
		return;
	eng_free(s->e);
	s->e = back;
	s->durable_gen = eng_generation(s->e);
}

/* Serialize and save one revision; on failure restore the engine. */
static enum ds_status
save(struct sess *s, int finalize, struct ds_err *err)
{
	const struct form *f = eng_form_model(s->cf);
	struct sess_sum ss;
	struct store_save sv;
	struct store_rev rev;
	size_t len = 0, clen = 0;
	char *text = NULL, *cmp = NULL;
	enum ds_status rc;

	memset(&ss, 0, sizeof(ss));
	memset(&sv, 0, sizeof(sv));
	if ((rc = eng_refresh(s->e)) != DS_OK ||
	    (rc = note_carried(s->e)) != DS_OK) {
		ds_err_set(err, rc, NULL);
		goto out;
	}
	sum_make(s, &ss);
	if ((rc = eng_to_texts(s->e, &text, &len, &cmp, &clen, err)) != DS_OK)
		goto out;
	sv.record_id = s->id;
	sv.form_id = f->id;
	sv.form_version = f->version != NULL ? f->version : "";
	sv.household_key = ss.hh;
	sv.id_numbers = (const char *const *)ss.ids;
	sv.n_id_numbers = ss.nids;
	sv.answers = text;
	sv.answers_len = len;
	sv.summary = &ss.sum;
	sv.expect_rev = s->has_rev ? s->rev : NULL;
	sv.expect_deltas = (int64_t)json_array_size(s->deltas);
	sv.finalize = finalize;
	if ((rc = store_save(s->st, &sv, &rev, err)) != DS_OK)
		goto out;
	memcpy(s->rev, rev.rev_id, STORE_ID_BYTES);
	s->has_rev = 1;
	s->rev_no = rev.rev_no;
	text_free(&s->saved, &s->saved_len);
	text_free(&s->saved_cmp, &s->saved_cmp_len);
	s->saved = text;
	s->saved_len = len;
	s->saved_cmp = cmp;
	s->saved_cmp_len = clen;
	s->saved_gen = s->durable_gen = eng_generation(s->e);
	s->saved_path[0] = '\0';
	(void)json_array_clear(s->deltas);
	text = cmp = NULL;
out:
	if (rc != DS_OK)
		rollback(s);
	text_free(&text, &len);
	text_free(&cmp, &clen);
	sum_free(&ss);
	return rc;
}

enum ds_status
sess_flush(struct sess *s, struct ds_err *err)
{
	struct sess_sum ss;
	size_t nerr = s->nerr, nwarn = s->nwarn;
	enum ds_status rc;

	ds_err_clear(err);
	/* Answers kept as deltas: the revision that holds them, with the
	 * list's counts of now. */
	if (s->has_rev && json_array_size(s->deltas) > 0) {
		if (!eng_is_finalized(s->e))
			count_problems(s);
		return save(s, eng_is_finalized(s->e), err);
	}
	if (!s->has_rev || eng_is_finalized(s->e) || (s->counted &&
	    s->counted_gen == eng_generation(s->e)))
		return DS_OK;
	count_problems(s);
	if (s->nerr == nerr && s->nwarn == nwarn)
		return DS_OK;
	sum_make(s, &ss);
	rc = store_summary_set(s->st, s->id, s->rev_no, &ss.sum, err);
	sum_free(&ss);
	if (rc != DS_OK) {
		s->nerr = nerr;		/* what the row still holds */
		s->nwarn = nwarn;
		s->counted = 0;
	}
	return rc;
}

enum ds_status
sess_save(struct sess *s, struct ds_err *err)
{
	ds_err_clear(err);
	return save(s, eng_is_finalized(s->e), err);
}

/*
 * A move: if the answers equal the last saved document's but for the
 * cursor path and the answers the worker has confirmed since (passing a
 * screen of defaults is a move, not a new revision: the next save carries
 * it), only the sealed cursor is stored; else a revision.
 */
enum ds_status
sess_move(struct sess *s, struct ds_err *err)
{
	char path[ENG_PATH_MAX], cur[ENG_PATH_MAX + 24];
	char *cmp = NULL, *text = NULL;
	size_t clen = 0, len = 0;
	enum ds_status rc;
	int same;

	ds_err_clear(err);
	if (!s->has_rev || s->saved == NULL || s->saved_cmp == NULL)
		return save(s, eng_is_finalized(s->e), err);
	/* Changed since the deltas: the saved text no longer tells. */
	if (eng_generation(s->e) != s->saved_gen &&
	    json_array_size(s->deltas) > 0)
		return save(s, eng_is_finalized(s->e), err);
	/* Nothing but the cursor changed since the saved text was made: no
	 * need to write it out to know.  No eng_refresh: volatile
	 * calculates (now()) must not turn a move into a revision; the
	 * next real save refreshes them. */
	if (eng_generation(s->e) != s->saved_gen) {
		if ((rc = eng_to_texts(s->e, &text, &len, &cmp, &clen,
		    err)) != DS_OK)
			return rc;
		same = clen == s->saved_cmp_len && memcmp(cmp, s->saved_cmp,
		    clen) == 0;
		text_free(&cmp, &clen);
		if (!same) {
			text_free(&text, &len);
			return save(s, eng_is_finalized(s->e), err);
		}
	}
	eng_cursor_path(s->e, path, sizeof(path));
	/* with the deltas it follows: resume tells which came last */
	(void)snprintf(cur, sizeof(cur), "%s\n%zu", path,
	    json_array_size(s->deltas));
	rc = store_cursor_set(s->st, s->id, s->rev_no, cur, strlen(cur), err);
	if (rc != DS_OK) {
		text_free(&text, &len);
		return rc;
	}
	/* The saved state then has this cursor: rollbacks land here. */
	if (text != NULL) {
		/* (its text without the cursor is the saved one already) */
		text_free(&s->saved, &s->saved_len);
		s->saved = text;
		s->saved_len = len;
		s->saved_gen = s->durable_gen = eng_generation(s->e);
		s->saved_path[0] = '\0';
	} else
		snprintf(s->saved_path, sizeof(s->saved_path), "%s", path);
	return DS_OK;
}

/*
 * 1 when the change about to be made can be kept as a delta: the record
 * is saved, a draft, the engine holds nothing the disk does not (the
 * revision and its deltas), and fewer than SESS_DELTAS_MAX are kept.
 */
static int
can_keep(const struct sess *s, const char *path)
{
	return path != NULL && s->has_rev && s->saved != NULL &&
	    !eng_is_finalized(s->e) &&
	    eng_generation(s->e) == s->durable_gen &&
	    json_array_size(s->deltas) < SESS_DELTAS_MAX;
}

/*
 * The change just made (op on path, to v) kept as the record's next
 * delta: sealed, one small row.  Too long for one: a revision.  On
 * failure the engine goes back to what the disk holds.
 */
static enum ds_status
keep(struct sess *s, const char *op, const char *path, const char *v,
    struct ds_err *err)
{
	char at[ENG_PATH_MAX], *body = NULL;
	size_t len = 0, n = json_array_size(s->deltas);
	enum ds_status rc;
	json_t *d;

	eng_cursor_path(s->e, at, sizeof(at));
	if ((d = json_pack("{s:s,s:s,s:s?,s:s}", "op", op, "path", path, "v",
	    v, "at", at)) == NULL) {
		rc = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	if ((rc = ds_json_canonical(d, &body, &len, err)) != DS_OK)
		goto out;
	if (len > STORE_DELTA_MAX) {
		json_decref(d);
		text_free(&body, &len);
		return save(s, 0, err);
	}
	if (json_array_append(s->deltas, d) != 0) {
		rc = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	if ((rc = store_delta_add(s->st, s->id, s->rev_no, (int64_t)n + 1,
	    body, len, err)) != DS_OK)
		(void)json_array_remove(s->deltas, n);
out:
	if (d != NULL)
		json_decref(d);
	text_free(&body, &len);
	if (rc != DS_OK)
		rollback(s);
	else
		s->saved_gen = s->durable_gen = eng_generation(s->e);
	return rc;
}

enum ds_status
sess_set(struct sess *s, const char *path, const char *v,
    struct ds_err *err)
{
	enum ds_status rc;
	int k = can_keep(s, path);
	unsigned long sticky = eng_sticky_generation(s->e);

	if ((rc = eng_set(s->e, path, v, err)) != DS_OK)
		return rc;
	/* once(now()) or random() moved: replay would not give it again */
	if (eng_sticky_generation(s->e) != sticky)
		k = 0;
	/* the value as stored (normalised: "07:05" is "07:05:00"), which
	 * the replay stores as it is */
	return k ? keep(s, "set", path, eng_value(s->e, path), err) :
	    save(s, 0, err);
}

enum ds_status
sess_reason(struct sess *s, const char *path, const char *reason,
    struct ds_err *err)
{
	enum ds_status rc;
	int k = can_keep(s, path);

	if ((rc = eng_reason(s->e, path, reason, err)) != DS_OK)
		return rc;
	return k ? keep(s, "reason", path, reason, err) : save(s, 0, err);
}

enum ds_status
sess_repeat_add(struct sess *s, const char *set, struct ds_err *err)
{
	enum ds_status rc;

	if ((rc = eng_repeat_add(s->e, set, err)) != DS_OK)
		return rc;
	return save(s, 0, err);
}

enum ds_status
sess_repeat_insert(struct sess *s, const char *set, size_t at,
    struct ds_err *err)
{
	enum ds_status rc;

	if ((rc = eng_repeat_insert(s->e, set, at, err)) != DS_OK)
		return rc;
	return save(s, 0, err);
}

enum ds_status
sess_repeat_remove(struct sess *s, const char *set, size_t at,
    struct ds_err *err)
{
	enum ds_status rc;

	if ((rc = eng_repeat_remove(s->e, set, at, err)) != DS_OK)
		return rc;
	return save(s, 0, err);
}

enum ds_status
sess_consent(struct sess *s, const struct sess_consent *c,
    struct ds_err *err)
{
	unsigned char h[32];
	char hex[65], iso[32];
	json_t *o;
	enum ds_status rc;

	ds_err_clear(err);
	if (c == NULL || c->letter == NULL || c->method == NULL)
		return ds_err_set(err, DS_EINVAL, "consent needs the letter "
		    "text and the method");
	cry_hash(h, sizeof(h), NULL, 0, c->letter, strlen(c->letter));
	ds_hex_encode(h, sizeof(h), hex);
	ds_time_iso(ds_now(), iso);
	o = json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s?}",
	    "letter_blake2b", hex, "method", c->method, "time", iso,
	    "language", c->language, "worker", c->worker, "signer", c->signer,
	    "relation", c->relation, "reason", c->reason);
	if (o == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	rc = eng_meta_set(s->e, "consent", o);
	json_decref(o);
	if (rc != DS_OK)
		return ds_err_set(err, rc, NULL);
	return save(s, 0, err);
}

enum ds_status
sess_finalize(struct sess *s, struct ds_err *err)
{
	enum ds_status rc;

	if ((rc = eng_finalize(s->e, err)) != DS_OK)
		return rc;
	return save(s, 1, err);
}

/* "YYYY-MM" of a visit_date answer into m (8 bytes); 0, or -1 if none. */
static int
visit_month(json_t *doc, char m[8])
{
	const char *v = json_string_value(json_object_get(doc, "visit_date"));

	if (v == NULL || strlen(v) < 7)
		return -1;
	memcpy(m, v, 7);
	m[7] = '\0';
	return 0;
}

/* 1 when doc's _meta.corrects names the record id (hex or UUID text). */
static int
corrects(json_t *doc, const unsigned char id[STORE_ID_BYTES])
{
	const char *c;
	unsigned char other[STORE_ID_BYTES];

	c = json_string_value(json_object_get(json_object_get(doc, "_meta"),
	    "corrects"));
	return c != NULL && store_id_parse(c, other) == 0 &&
	    memcmp(other, id, STORE_ID_BYTES) == 0;
}

enum ds_status
sess_twins(struct sess *s, unsigned char (*out)[STORE_ID_BYTES], size_t max,
    size_t *n, struct ds_err *err)
{
	const struct form *f = eng_form_model(s->cf);
	struct store_list l = { NULL, 0 };
	struct store_query q;
	json_t *doc = NULL, *saved = NULL;
	char *hh, *text = NULL, mine[8], theirs[8];
	size_t i, len = 0;
	enum ds_status st = DS_OK;
	int have_month;

	*n = 0;
	if ((hh = eng_household_key(s->e)) == NULL || *hh == '\0')
		goto out;
	saved = saved_doc(s);
	have_month = saved != NULL && visit_month(saved, mine) == 0;
	store_query_init(&q);
	q.form_id = f->id;
	q.household_key = hh;
	if ((st = store_list(s->st, &q, &l, err)) != DS_OK)
		goto out;
	for (i = 0; i < l.n && *n < max; i++) {
		if (memcmp(l.items[i].id, s->id, STORE_ID_BYTES) == 0)
			continue;
		if ((st = store_answers_get(s->st, l.items[i].id, 0, &text,
		    &len, err)) != DS_OK)
			goto out;
		st = ds_json_parse(text, len, len + 1, "answers", &doc, err);
		store_text_free(text, len);
		text = NULL;
		if (st != DS_OK)
			goto out;
		if ((!have_month || visit_month(doc, theirs) != 0 ||
		    strcmp(mine, theirs) == 0) && !corrects(doc, s->id) &&
		    (saved == NULL || !corrects(saved, l.items[i].id)))
			memcpy(out[(*n)++], l.items[i].id, STORE_ID_BYTES);
		json_decref(doc);
		doc = NULL;
	}
out:
	store_list_free(&l);
	if (saved != NULL)
		json_decref(saved);
	if (hh != NULL) {
		cry_wipe(hh, strlen(hh));
		ds_free(hh);
	}
	return st;
}
