/* doorstep: the open interview for the screens: session, form, language. */
/*
 * Wraps one struct sess (engine + store) with what the screens need
 * besides: the loaded and compiled form (ws_form_path: the newest version
 * installed for a new record, a record's own version when it reopens),
 * the display language, the last save time for the header, and the
 * consent evidence.  Every answer goes through sess_*, which saves before
 * it returns; a refused action changes nothing.
 *
 * Consent evidence: when a question of the gate's group is answered, the
 * letter as shown (every note of the group up to the gate, then the gate's
 * own label, in the display language), the language, the worker, the
 * method and the signer go to sess_consent().  Question names follow
 * forms/household.md: the method is "refused" unless the gate is yes, then
 * "proxy" when proxy_written is yes, else "signed"; the signer is
 * signer_name and their relation to the head signer_role (else the first
 * text question of the group after the gate, and one whose name contains
 * "rel").
 */
#include "tui_iv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "fetch.h"
#include "form.h"
#include "i18n.h"
#include "i18n_attach.h"
#include "i18n_eng.h"
#include "mem.h"
#include "sess.h"
#include "sess_attach.h"
#include "tui_app.h"
#include "tui_int.h"
#include "util.h"
#include "ws.h"
#include "xls.h"

#define LETTER_MAX	(64 * 1024)

static struct {
	struct form	*form;
	struct eng_form	*cf;
	struct sess	*s;
	int		 lang;
	int		 saved;		/* 1 saved, 0 not yet, -1 failed */
	int64_t		 saved_at;
	char		 household[256];
	char		 code[32];
	char		 form_id[128];
	char		 words[DS_ERR_MSG_MAX * 2];
	json_t		*carried;	/* a visit's carried answers, or NULL */
	char		 dev[CRY_ID_HEX];	/* the session keeps a pointer */
} I;

static enum ds_status	load_form(const char *id, const char *ver,
			    struct ds_err *);
static void		after_save(enum ds_status);
static void		consent_evidence(const char *path);
static void		carry_rest(void);
static void		start_gps(void);

static int
lang_index(const struct form *f, const char *want)
{
	size_t i;

	for (i = 0; i < f->nlangs; i++)
		if (strstr(f->langs[i], want) != NULL)
			return (int)i;
	return -1;
}

/* The form language that matches the app's language, else the default. */
static int
pick_lang(const struct form *f)
{
	int l = lang_index(f, strcmp(i18n_lang(), "zh_CN") == 0 ? "(zh" :
	    "(en");

	return l >= 0 ? l : f->default_lang;
}

/* The form's newest version installed (ver NULL), or a record's own. */
static enum ds_status
load_form(const char *id, const char *ver, struct ds_err *err)
{
	struct tui_app *a = tui_app();
	struct form_diags d;
	char path[TUI_PATH_MAX + 160];
	enum ds_status rc;

	if ((ver == NULL || ws_form_path(a->ws_path, id, ver, path,
	    sizeof(path), NULL, 0, err) != DS_OK) &&
	    (rc = ws_form_path(a->ws_path, id, NULL, path, sizeof(path), NULL,
	    0, err)) != DS_OK)
		return rc;
	form_diags_init(&d);
	rc = form_load_file(path, &I.form, &d);
	if (rc == DS_OK)
		rc = eng_compile(I.form, &I.cf, &d);
	if (rc != DS_OK) {
		if (d.n > 0)
			form_diag_format(&d.v[0], err->msg, sizeof(err->msg));
		else
			ds_err_set(err, rc, "cannot load form %s", path);
		err->code = rc;
		form_diags_reset(&d);
		form_free(I.form);
		I.form = NULL;
		return rc;
	}
	form_diags_reset(&d);
	snprintf(I.form_id, sizeof(I.form_id), "%s", id);
	I.lang = pick_lang(I.form);
	return DS_OK;
}

static void
opts_of(struct eng_opts *o)
{
	struct tui_app *a = tui_app();

	memset(o, 0, sizeof(*o));
	ds_hex_encode(ws_device_id(a->ws), 16, I.dev);
	o->deviceid = I.dev;
	o->username = a->worker;
	o->lang = I.lang;
}

enum ds_status
tui_iv_new(const char *form_id, struct ds_err *err)
{
	struct eng_opts o;
	enum ds_status rc;

	tui_iv_close();
	if ((rc = load_form(form_id, NULL, err)) != DS_OK)
		return rc;
	opts_of(&o);
	rc = sess_new(ws_store(tui_app()->ws), I.cf, &o, &I.s, err);
	if (rc != DS_OK) {
		tui_iv_close();
		return rc;
	}
	I.saved = 0;
	start_gps();
	return DS_OK;
}

enum ds_status
tui_iv_resume(const unsigned char id[16], struct ds_err *err)
{
	struct store *st = ws_store(tui_app()->ws);
	struct store_list l = { NULL, 0 };
	struct store_query q;
	struct eng_opts o;
	char form_id[STORE_FORM_ID_MAX];
	char form_ver[STORE_FORM_ID_MAX];
	enum ds_status rc;
	int64_t saved_at = 0;
	size_t i;

	tui_iv_close();
	/* The record's form id from its list line. */
	store_query_init(&q);
	if ((rc = store_list(st, &q, &l, err)) != DS_OK)
		return rc;
	form_id[0] = '\0';
	for (i = 0; i < l.n; i++)
		if (memcmp(l.items[i].id, id, STORE_ID_BYTES) == 0) {
			snprintf(form_id, sizeof(form_id), "%s",
			    l.items[i].form_id);
			snprintf(form_ver, sizeof(form_ver), "%s",
			    l.items[i].form_version);
			snprintf(I.household, sizeof(I.household), "%s",
			    l.items[i].label != NULL ? l.items[i].label : "");
			saved_at = l.items[i].saved_at;
			break;
		}
	store_list_free(&l);
	if (form_id[0] == '\0')
		return ds_err_set(err, DS_ENOENT, "%s", _("That record is no "
		    "longer on this computer."));
	if ((rc = load_form(form_id, form_ver, err)) != DS_OK)
		return rc;
	opts_of(&o);
	rc = sess_resume(st, I.cf, &o, id, &I.s, err);
	if (rc != DS_OK) {
		tui_iv_close();
		return rc;
	}
	/* The header's "Saved" is the record's last save, not now. */
	I.saved = 1;
	I.saved_at = saved_at;
	return DS_OK;
}

/*
 * Records a session left with answers kept as deltas (the program was
 * killed inside an interview): the revision that holds them, so the
 * list, the search and the next sync see them.  Only with no interview
 * open.  A record whose form is missing keeps its deltas (its next
 * opening replays them).  The number made.
 */
size_t
tui_iv_compact(void)
{
	struct store *st = ws_store(tui_app()->ws);
	unsigned char (*ids)[STORE_ID_BYTES] = NULL;
	struct store_list l = { NULL, 0 };
	struct store_query q;
	struct eng_opts o;
	struct ds_err err;
	size_t n = 0, i, j, done = 0;

	if (I.s != NULL || store_delta_records(st, &ids, &n, &err) != DS_OK ||
	    n == 0)
		goto out;
	store_query_init(&q);
	if (store_list(st, &q, &l, &err) != DS_OK)
		goto out;
	for (i = 0; i < n; i++)
		for (j = 0; j < l.n; j++) {
			if (memcmp(l.items[j].id, ids[i], STORE_ID_BYTES) != 0)
				continue;
			if (load_form(l.items[j].form_id,
			    l.items[j].form_version, &err) == DS_OK) {
				opts_of(&o);
				if (sess_compact(st, I.cf, &o, ids[i], &err) ==
				    DS_OK)
					done++;
			}
			eng_form_free(I.cf);
			form_free(I.form);
			memset(&I, 0, sizeof(I));
			break;
		}
out:
	store_list_free(&l);
	ds_free(ids);
	return done;
}

int
tui_iv_open_p(void)
{
	return I.s != NULL;
}

struct eng *
tui_iv_eng(void)
{
	return sess_eng(I.s);
}

const struct eng_prompt *
tui_iv_prompt(void)
{
	return eng_prompt(sess_eng(I.s));
}

const struct form *
tui_iv_form(void)
{
	return I.form;
}

int
tui_iv_lang(void)
{
	return I.lang;
}

static void
after_save(enum ds_status rc)
{
	char *hh;

	if (rc == DS_OK) {
		I.saved = 1;
		I.saved_at = ds_now();
		hh = eng_instance_name(sess_eng(I.s));
		if (hh != NULL) {
			/* concat() of empty answers gives blanks: show none. */
			snprintf(I.household, sizeof(I.household), "%s",
			    hh + strspn(hh, " "));
			ds_free(hh);
		}
	} else if (rc == DS_EIO || rc == DS_ENOSPC || rc == DS_ECRYPTO ||
	    rc == DS_ECORRUPT || rc == DS_EBUSY)
		I.saved = -1;
}

/* Say what happened to a save in the worker's words. */
static enum ds_status
saved(enum ds_status rc, struct ds_err *err)
{
	char dev[DS_ERR_MSG_MAX];

	after_save(rc);
	if (rc == DS_ENOSPC || rc == DS_EIO || rc == DS_EBUSY) {
		snprintf(dev, sizeof(dev), "%s", err->msg);
		snprintf(err->msg, sizeof(err->msg), _("Could not save: %s. "
		    "The answers saved before are kept; free disk space or "
		    "close other programs, then press F2 to retry."), dev);
	}
	return rc;
}

enum ds_status
tui_iv_set(const char *path, const char *value, struct ds_err *err)
{
	enum ds_status rc;

	rc = saved(sess_set(I.s, path, value, err), err);
	if (rc == DS_OK)
		consent_evidence(path);
	/* The gate opened: the carried answers behind it come now. */
	if (rc == DS_OK && I.carried != NULL && tui_iv_is_consent(path) &&
	    strcmp(value, "yes") == 0)
		carry_rest();
	return rc;
}

enum ds_status
tui_iv_attach(const char *path, const char *file, char *words, size_t n,
    struct ds_err *err)
{
	struct sess_attach_res r;
	enum ds_status rc;

	/* Never removes the file: it may be the only copy (a camera's
	 * card), and nobody was asked. */
	rc = sess_attach(I.s, ws_store(tui_app()->ws), path, file,
	    SESS_ATTACH_SAVE, &r, err);
	if (r.why == SESS_ATTACH_OK || r.why == SESS_ATTACH_STORE)
		rc = saved(rc, err);
	if (rc == DS_OK || r.why != SESS_ATTACH_STORE)
		i18n_attach_why(&r, path, file, err, words, n);
	else
		snprintf(words, n, "%s", err->msg);
	return rc;
}

enum ds_status
tui_iv_reason(const char *path, const char *reason, struct ds_err *err)
{
	return saved(sess_reason(I.s, path, reason, err), err);
}

/*
 * A move saves only the cursor (sess_move: sealed on the record row, no
 * new revision, nothing for the office), so a draft resumes at the
 * question the worker was looking at, not the last one answered.  A
 * failed cursor save is shown in the header but does not undo the move:
 * no answer is at stake.
 */
static enum ds_status
moved(enum ds_status rc)
{
	struct ds_err err;

	if (rc == DS_OK && !eng_is_finalized(sess_eng(I.s)))
		after_save(sess_move(I.s, &err));
	return rc;
}

enum ds_status
tui_iv_next(struct ds_err *err)
{
	return moved(eng_next(sess_eng(I.s), err));
}

enum ds_status
tui_iv_prev(struct ds_err *err)
{
	return moved(eng_prev(sess_eng(I.s), err));
}

enum ds_status
tui_iv_jump(const char *path, struct ds_err *err)
{
	return moved(eng_jump(sess_eng(I.s), path, err));
}

enum ds_status
tui_iv_repeat_add(const char *set, struct ds_err *err)
{
	return saved(sess_repeat_add(I.s, set, err), err);
}

enum ds_status
tui_iv_repeat_insert(const char *set, size_t at, struct ds_err *err)
{
	return saved(sess_repeat_insert(I.s, set, at, err), err);
}

enum ds_status
tui_iv_repeat_remove(const char *set, size_t at, struct ds_err *err)
{
	return saved(sess_repeat_remove(I.s, set, at, err), err);
}

enum ds_status
tui_iv_finalize(struct ds_err *err)
{
	return saved(sess_finalize(I.s, err), err);
}

void
tui_iv_lang_toggle(void)
{
	const char *to = strcmp(i18n_lang(), "zh_CN") == 0 ? "en" : "zh_CN";

	(void)i18n_set_lang(to);
	if (I.form != NULL) {
		I.lang = pick_lang(I.form);
		if (I.s != NULL)
			eng_set_lang(sess_eng(I.s), I.lang);
	}
}

int
tui_iv_finalized(void)
{
	return I.s != NULL && eng_is_finalized(sess_eng(I.s));
}

const char *
tui_iv_words(const struct ds_err *err)
{
	const struct eng_note *n = I.s != NULL ?
	    eng_refusal(sess_eng(I.s), NULL) : NULL;

	if (n != NULL && n->code != ENG_MSG_NONE)
		return i18n_note(n, I.words, sizeof(I.words));
	return err->msg;
}

const char *
tui_iv_refusal_path(void)
{
	const char *p = "";

	if (I.s != NULL)
		(void)eng_refusal(sess_eng(I.s), &p);
	return p;
}

enum eng_msg
tui_iv_refusal_code(void)
{
	return I.s != NULL ? eng_refusal(sess_eng(I.s), NULL)->code :
	    ENG_MSG_NONE;
}

const char *
tui_iv_who(const char *path, char *buf, size_t n)
{
	const struct form_node *rep, *k;
	char set[ENG_PATH_MAX], p[ENG_PATH_MAX + 160];
	const char *name = NULL, *b;
	size_t item, i;

	buf[0] = '\0';
	if (tui_iv_repeat_of(path, set, sizeof(set), &item) != 0)
		return buf;
	b = strrchr(set, '/');
	rep = form_find(I.form, b != NULL ? b + 1 : set);
	for (i = 0; rep != NULL && i < rep->nkids && name == NULL; i++) {
		k = rep->kids[i];
		if (k->type != FT_TEXT)
			continue;
		snprintf(p, sizeof(p), "%s[%zu]/%s", set, item + 1, k->name);
		name = eng_value(sess_eng(I.s), p);
	}
	if (name != NULL && *name != '\0')
		snprintf(buf, n, _("%s (no. %zu)"), name, item + 1);
	else
		snprintf(buf, n, _("no. %zu"), item + 1);
	return buf;
}

const char *
tui_iv_who_item(const char *set, size_t at, char *buf, size_t n)
{
	char p[ENG_PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s[%zu]/x", set, at + 1);
	return tui_iv_who(p, buf, n);
}

const char *
tui_iv_repeat_label(const char *set)
{
	const char *l = eng_repeat_label(sess_eng(I.s), set);
	const char *b;

	if (l != NULL && *l != '\0')
		return l;
	b = strrchr(set, '/');
	return b != NULL ? b + 1 : set;
}

int
tui_iv_repeat_counted(const char *set)
{
	return eng_repeat_counted(sess_eng(I.s), set);
}

int
tui_iv_saved(int64_t *when)
{
	*when = I.saved_at;
	return I.saved;
}

const char *
tui_iv_form_title(const struct form *f)
{
	char key[160];
	const char *t;
	int l;

	if (f == NULL)
		return "";
	l = pick_lang(f);
	if (l >= 0 && (size_t)l < f->nlangs) {
		snprintf(key, sizeof(key), "form_title::%s", f->langs[l]);
		if ((t = form_setting(f, key)) != NULL && *t != '\0')
			return t;
	}
	if (f->title != NULL)
		return f->title;
	return f->id != NULL ? f->id : "";
}

const char *
tui_iv_title(void)
{
	return I.form != NULL ? tui_iv_form_title(I.form) : I.form_id;
}

const char *
tui_iv_household(void)
{
	return I.household;
}

/*
 * The code to write on the paper letter: the form's own `record_code`
 * when it computes one, else the first 40 bits of the record id in
 * Crockford's base32 (no I, L, O or U: nothing to mistake for 1 or 0),
 * in two groups of four for reading aloud.
 */
const char *
tui_iv_record_code(void)
{
	static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	const char *v = eng_value(sess_eng(I.s), "record_code");
	const unsigned char *id = sess_id(I.s);
	uint64_t bits = 0;
	char c[8];
	int i;

	if (v != NULL && *v != '\0') {
		snprintf(I.code, sizeof(I.code), "%s", v);
		return I.code;
	}
	for (i = 0; i < 5; i++)
		bits = bits << 8 | id[i];
	for (i = 7; i >= 0; i--, bits >>= 5)
		c[i] = b32[bits & 31];
	snprintf(I.code, sizeof(I.code), "%.4s-%.4s", c, c + 4);
	return I.code;
}

int
tui_iv_repeat_of(const char *path, char *set, size_t n, size_t *item)
{
	const char *b = strrchr(path, '[');
	unsigned long k;

	if (b == NULL || (size_t)(b - path) >= n)
		return -1;
	memcpy(set, path, (size_t)(b - path));
	set[b - path] = '\0';
	k = strtoul(b + 1, NULL, 10);
	*item = k > 0 ? k - 1 : 0;
	return 0;
}

int
tui_iv_is_consent(const char *name)
{
	return I.form != NULL && I.form->consent != NULL && name != NULL &&
	    strcmp(I.form->consent, name) == 0;
}

/* Record the consent evidence after an answer in the gate's group. */
static void
consent_evidence(const char *path)
{
	char name[ENG_PATH_MAX];
	const struct form_node *q;
	const struct form *f = I.form;
	const struct form_node *gate, *grp, *k;
	struct sess_consent c;
	struct ds_buf letter;
	struct ds_err err;
	const char *t, *cv, *signer = NULL, *rel = NULL, *pw;
	char kpath[ENG_PATH_MAX];
	struct ds_buf why;
	size_t i;
	int after = 0, agreed;

	if (f == NULL || f->consent == NULL ||
	    (gate = form_find(f, f->consent)) == NULL)
		return;
	cv = eng_value(sess_eng(I.s), f->consent);
	if (cv == NULL)
		return;
	/* Only answers of the gate's own group change the evidence. */
	snprintf(name, sizeof(name), "%s", path);
	q = form_find(f, name);
	grp = gate->parent;
	if (q == NULL || (q != gate && q->parent != grp))
		return;
	agreed = strcmp(cv, "yes") == 0;
	ds_buf_init(&letter, LETTER_MAX);
	ds_buf_init(&why, LETTER_MAX);
	for (i = 0; i < grp->nkids; i++) {
		k = grp->kids[i];
		t = form_text_get(f, &k->label, I.lang);
		if (k == gate) {
			after = 1;
			if (t != NULL)
				(void)ds_buf_adds(&letter, t);
			continue;
		}
		if (!after && k->type == FT_NOTE && t != NULL) {
			(void)ds_buf_adds(&letter, t);
			(void)ds_buf_addc(&letter, '\n');
		}
		if (!after || (k->type != FT_TEXT &&
		    k->type != FT_SELECT_ONE))
			continue;
		snprintf(kpath, sizeof(kpath), "%s", k->name);
		t = eng_value(sess_eng(I.s), kpath);
		if (t == NULL)
			continue;
		if (!agreed) {
			/* A refusal has no signer: what was said is why. */
			if (why.len > 0)
				(void)ds_buf_adds(&why, "; ");
			(void)ds_buf_adds(&why, t);
			continue;
		}
		if (k->type == FT_TEXT && signer == NULL)
			signer = t;
		if (rel == NULL && strstr(k->name, "rel") != NULL)
			rel = t;
	}
	if (agreed && (t = eng_value(sess_eng(I.s), "signer_name")) != NULL)
		signer = t;
	if (agreed && (t = eng_value(sess_eng(I.s), "signer_role")) != NULL)
		rel = t;
	pw = eng_value(sess_eng(I.s), "proxy_written");
	memset(&c, 0, sizeof(c));
	c.letter = letter.p != NULL ? letter.p : "";
	c.language = f->langs[I.lang >= 0 ? (size_t)I.lang :
	    (size_t)f->default_lang];
	c.worker = tui_app()->worker;
	c.method = !agreed ? "refused" :
	    (pw != NULL && strcmp(pw, "yes") == 0 ? "proxy" : "signed");
	c.signer = signer;
	c.relation = rel;
	c.reason = why.len > 0 ? why.p : NULL;
	after_save(sess_consent(I.s, &c, &err));
	ds_buf_reset(&letter);
	ds_buf_reset(&why);
}

/*
 * A visit from the office's list, a correction or 再访 (docs/case.md):
 * the form the visit names, the keys and carried answers through
 * sync/fetch_visit.c as `doorstep fill` does, saved at once so that the
 * list entry is linked to its record (a second start resumes it).
 */
enum ds_status
tui_iv_visit(const struct fetch_visit *v, struct ds_err *err)
{
	struct store *st = ws_store(tui_app()->ws);
	char fid[WS_FORM_TOKEN_MAX + 1], fver[WS_FORM_TOKEN_MAX + 1];
	struct eng_issue *iv = NULL;
	struct eng_opts o;
	size_t niv = 0;
	enum ds_status rc;

	tui_iv_close();
	if ((rc = fetch_visit_form(st, v, fid, sizeof(fid), fver,
	    sizeof(fver), err)) != DS_OK)
		goto out;
	if ((rc = load_form(fid, fver[0] != '\0' ? fver : NULL, err)) ==
	    DS_ENOENT)
		ds_err_set(err, rc, _("The form this visit needs (%s) is not on "
		    "this laptop: sync with the office (F9) to get it. Nothing "
		    "was saved."), fid);
	if (rc != DS_OK)
		goto out;
	opts_of(&o);
	if ((rc = sess_new(st, I.cf, &o, &I.s, err)) != DS_OK)
		goto out;
	rc = fetch_visit_start(I.s, st, I.form, v, &I.carried, &iv, &niv,
	    err);
	eng_issues_free(iv, niv);
	if (rc == DS_ESTATE)
		ds_err_set(err, rc, "%s", _("Only a finalized record is "
		    "corrected by a new visit; open the draft to change it."));
	if (rc != DS_OK)
		goto out;
	if ((rc = saved(sess_save(I.s, err), err)) != DS_OK)
		goto out;
	if (v->kind == FV_ENTRY)
		rc = store_entry_link(st, v->entry->entry_id, sess_id(I.s),
		    err);
out:
	if (rc != DS_OK)
		tui_iv_close();
	else
		start_gps();
	return rc;
}

/*
 * The carried answers a closed consent gate kept out (fetch_visit.h):
 * once it opens, those the worker has not answered meanwhile.
 */
static void
carry_rest(void)
{
	struct eng *e = sess_eng(I.s);
	struct eng_issue *iv = NULL;
	struct ds_err err;
	json_t *rest, *v, *item;
	const char *k, *first;
	char p[ENG_PATH_MAX];
	size_t niv = 0;

	if ((rest = json_object()) == NULL)
		return;
	json_object_foreach(I.carried, k, v) {
		item = json_is_array(v) ? json_array_get(v, 0) : NULL;
		if (json_is_object(item)) {
			first = json_object_iter_key(json_object_iter(item));
			if (first == NULL || snprintf(p, sizeof(p), "%s[1]/%s",
			    k, first) >= (int)sizeof(p))
				continue;
		} else if (snprintf(p, sizeof(p), "%s", k) >= (int)sizeof(p))
			continue;
		if (eng_value(e, p) == NULL)
			(void)json_object_set(rest, k, v);
	}
	if (json_object_size(rest) > 0) {
		(void)eng_apply_answers(e, rest, &iv, &niv);
		eng_issues_free(iv, niv);
		(void)fetch_visit_mark(I.s, rest);
		ds_err_clear(&err);
		after_save(sess_save(I.s, &err));
	}
	json_decref(rest);
}

/* The index of path in _meta.carried_kept, or -1. */
static int
kept_at(const char *path)
{
	const json_t *kept = eng_meta_get(sess_eng(I.s), "carried_kept");
	size_t i;

	for (i = 0; i < json_array_size(kept); i++)
		if (json_is_string(json_array_get(kept, i)) &&
		    strcmp(json_string_value(json_array_get(kept, i)), path) ==
		    0)
			return (int)i;
	return -1;
}

int
tui_iv_carried(const char *path)
{
	struct eng *e;
	const json_t *c;
	const char *now;

	if (I.s == NULL || eng_is_finalized(e = sess_eng(I.s)))
		return 0;
	c = json_object_get(eng_meta_get(e, "carried"), path);
	if (!json_is_string(c) || (now = eng_value(e, path)) == NULL ||
	    strcmp(now, json_string_value(c)) != 0)
		return 0;
	return kept_at(path) < 0;
}

void
tui_iv_carried_keep(const char *path)
{
	struct ds_err err;
	json_t *kept, *old;

	if (!tui_iv_carried(path))
		return;
	old = eng_meta_get(sess_eng(I.s), "carried_kept");
	kept = json_is_array(old) ? json_copy(old) : json_array();
	if (kept == NULL || json_array_append_new(kept, json_string(path)) !=
	    0 || eng_meta_set(sess_eng(I.s), "carried_kept", kept) != DS_OK)
		tui_die("out of memory");
	json_decref(kept);
	/* Saved as an answer is: closing now must not lose it. */
	ds_err_clear(&err);
	after_save(sess_save(I.s, &err));
}

const char *
tui_iv_consent_on_file(char *buf, size_t n)
{
	const json_t *c;
	const char *code, *date, *m;

	buf[0] = '\0';
	if (I.s == NULL)
		return buf;
	c = eng_meta_get(sess_eng(I.s), "consent_on_file");
	code = json_string_value(json_object_get(c, "record_code"));
	date = json_string_value(json_object_get(c, "date"));
	m = json_string_value(json_object_get(c, "method"));
	if (code != NULL && *code != '\0')
		snprintf(buf, n, _("Consent on file (letter %s of %s, %s): not "
		    "asked again."), code, date != NULL ? date : "?",
		    m != NULL && strcmp(m, "proxy") == 0 ? _("signed by a "
		    "proxy") : _("signed"));
	return buf;
}

/*
 * sess_twins in the worker's words: the other record's head and save
 * date from its list line.  "" when there is none (or on a failure:
 * the warning is a help, not a gate).
 */
const char *
tui_iv_twins(char *buf, size_t n)
{
	unsigned char ids[SESS_TWINS_MAX][STORE_ID_BYTES];
	struct store_list l = { NULL, 0 };
	struct store_query q;
	struct ds_err err;
	const char *who, *key;
	char when[32];
	size_t k = 0, i;

	buf[0] = '\0';
	/* A correction is the same household again on purpose. */
	if (I.s == NULL || I.form == NULL || I.form->household_key == NULL ||
	    eng_meta_get(sess_eng(I.s), "corrects") != NULL)
		return buf;
	ds_err_clear(&err);
	if (sess_twins(I.s, ids, SESS_TWINS_MAX, &k, &err) != DS_OK || k == 0)
		return buf;
	key = eng_value(sess_eng(I.s), I.form->household_key);
	store_query_init(&q);
	q.household_key = key;
	when[0] = '\0';
	if (key != NULL && store_list(ws_store(tui_app()->ws), &q, &l, &err) ==
	    DS_OK)
		for (i = 0; i < l.n; i++)
			if (memcmp(l.items[i].id, ids[0], STORE_ID_BYTES) ==
			    0) {
				who = l.items[i].head_name;
				ds_time_iso(l.items[i].saved_at, when);
				when[10] = '\0';
				snprintf(buf, n, _("This household number is "
				    "already on this laptop, visited this "
				    "month (%s, saved %s). Both are kept; if "
				    "it was entered twice, discard one."),
				    who != NULL && *who != '\0' ? who : "-",
				    when);
			}
	store_list_free(&l);
	return buf;
}

/* A new record of a form with a start location listens for a fix. */
static void
start_gps(void)
{
	size_t i;

	for (i = 0; i < I.form->nnodes; i++)
		if (I.form->nodes[i]->type == FT_START_GEOPOINT) {
			tui_gps_start();
			return;
		}
}

int
tui_iv_start_geopoint(const char *fix)
{
	struct ds_err err;

	if (I.s == NULL || eng_start_geopoint(sess_eng(I.s), fix) != DS_OK)
		return -1;
	/* Not on disk yet: the first save carries it. */
	if (sess_rev_no(I.s) > 0) {
		ds_err_clear(&err);
		after_save(sess_save(I.s, &err));
	}
	return 0;
}

void
tui_iv_close(void)
{
	struct ds_err err;

	/* The list's error and warning counts, as of now.  If this fails
	 * the counts stay as the last save left them; the answers are
	 * saved either way. */
	tui_gps_stop();
	if (I.s != NULL)
		(void)sess_flush(I.s, &err);
	if (I.carried != NULL)
		json_decref(I.carried);
	sess_free(I.s);
	eng_form_free(I.cf);
	form_free(I.form);
	memset(&I, 0, sizeof(I));
}
