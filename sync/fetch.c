/* doorstep: applying office bundles on the laptop; device notes. */
/*
 * Invariant: nothing is written before the office bundle passed every
 * check of docs/bundle-format.md "Reading order (laptop)", and the
 * applied sequence moves only in the store transaction that takes the
 * bundle's entries.  Decrypted entries and files are wiped before free.
 */
#include "fetch.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arr.h"
#include "bundle.h"
#include "json.h"
#include "mem.h"
#include "store.h"
#include "util.h"
#include "xport.h"

#define NOTE_REPLY_MAX	256
#define INBOX_MAX	4096	/* bundle files looked at on a stick */

static enum ds_status
refuse(struct fetch_res *r, int why, struct ds_err *err)
{
	r->why = why;
	if (err != NULL && err->code == DS_OK)
		ds_err_set(err, DS_EREJECT, "office bundle: %s",
		    obundle_reason_str(why));
	else if (err != NULL)
		err->code = DS_EREJECT;
	return DS_EREJECT;
}

/* The household key of an entry (checked JSON): a new string. */
static char *
entry_hh_key(const struct obundle_item *it)
{
	json_t *doc = NULL;
	char *k = NULL;

	if (ds_json_parse((const char *)it->data.p, it->data.n,
	    OBUNDLE_ENTRY_MAX, "entry", &doc, NULL) != DS_OK)
		return NULL;
	if (json_is_string(json_object_get(doc, "hh_key")))
		k = ds_strdup(json_string_value(json_object_get(doc,
		    "hh_key")));
	json_decref(doc);
	return k;
}

/* Install each form version's run of files. */
static enum ds_status
install_forms(struct ws *w, const struct obundle_payload *pl,
    struct fetch_res *r, struct ds_err *err)
{
	struct ws_form_file f[OBUNDLE_FILES_MAX];
	char *names[OBUNDLE_FILES_MAX];
	char id[WS_FORM_TOKEN_MAX + 1], ver[WS_FORM_TOKEN_MAX + 1];
	size_t i, k, j, nf;
	enum ds_status st = DS_OK;

	for (i = 0; i < pl->n && st == DS_OK; i = k) {
		const struct obundle_item *a = &pl->items[i];

		k = i + 1;
		if (a->kind != OBI_FILE)
			continue;
		while (k < pl->n && pl->items[k].kind == OBI_FILE &&
		    bundle_bytes_eq(&pl->items[k].form_id, &a->form_id) &&
		    bundle_bytes_eq(&pl->items[k].form_ver, &a->form_ver))
			k++;
		if (a->form_id.n > WS_FORM_TOKEN_MAX ||
		    a->form_ver.n > WS_FORM_TOKEN_MAX ||
		    k - i > OBUNDLE_FILES_MAX)
			return ds_err_set(err, DS_ELIMIT, "form too large");
		snprintf(id, sizeof(id), "%.*s", (int)a->form_id.n,
		    (const char *)a->form_id.p);
		snprintf(ver, sizeof(ver), "%.*s", (int)a->form_ver.n,
		    (const char *)a->form_ver.p);
		/* Names were checked ([A-Za-z0-9._-]): NUL-terminate them. */
		for (nf = 0, j = i; j < k; j++, nf++) {
			if ((names[nf] = ds_malloc(pl->items[j].name.n + 1)) ==
			    NULL) {
				st = ds_err_set(err, DS_ENOMEM, NULL);
				break;
			}
			memcpy(names[nf], pl->items[j].name.p,
			    pl->items[j].name.n);
			names[nf][pl->items[j].name.n] = '\0';
			f[nf].name = names[nf];
			f[nf].bytes = pl->items[j].data.p;
			f[nf].len = pl->items[j].data.n;
		}
		if (st == DS_OK)
			st = ws_form_install(ws_dir(w), id, ver, f, nf, err);
		for (j = 0; j < nf; j++)
			ds_free(names[j]);
		if (st == DS_OK && r->n_forms < FETCH_FORMS_MAX)
			snprintf(r->forms[r->n_forms++], sizeof(r->forms[0]),
			    "%s %s", id, ver);
	}
	return st;
}

enum ds_status
fetch_apply(struct ws *w, const unsigned char *buf, size_t len,
    struct fetch_res *r, struct ds_err *err)
{
	const struct cry_boxkey *box = ws_box(w);
	struct obundle_header h;
	struct obundle_payload *pl = NULL;
	struct store_entry_in *ents = NULL;
	unsigned char (*wd)[STORE_ID_BYTES] = NULL;
	unsigned char last_hash[OBUNDLE_HASH_BYTES];
	struct store_obundle ob;
	size_t i, ne = 0, nw = 0;
	enum ds_status st;
	int why;

	memset(r, 0, sizeof(*r));
	ds_err_clear(err);
	if (box == NULL)
		return ds_err_set(err, DS_ESTATE, "this workspace has no box "
		    "key yet: unlock it again");
	/* 1-3: the file, this laptop, the pinned office key, signature. */
	if (obundle_parse_header(buf, len, &h, &why, err) != DS_OK)
		return refuse(r, why, err);
	r->seq = h.seq;
	if ((st = obundle_check_for(&h, ws_device_id(w), ws_office(w),
	    box->pk, &why, err)) != DS_OK ||
	    (st = obundle_verify(buf, len, &h, ws_office(w)->sign_pk, &why,
	    err)) != DS_OK) {
		if (why == OB_STORE) {	/* memory, not the bundle */
			r->why = OB_STORE;
			return st;
		}
		return refuse(r, why, err);
	}
	/* 4: exactly once, in order, on the chain. */
	if ((st = store_obundle_last(ws_store(w), &r->applied, last_hash,
	    err)) != DS_OK) {
		r->why = OB_STORE;
		return st;
	}
	if (h.seq <= r->applied)
		return refuse(r, OB_APPLIED, err);
	if (h.seq > r->applied + 1)
		return refuse(r, OB_GAP, err);
	if (memcmp(h.prev_hash, last_hash, OBUNDLE_HASH_BYTES) != 0)
		return refuse(r, OB_CHAIN, err);
	/* 5-6: unseal, decrypt, inflate, strict parse. */
	if ((st = obundle_open(buf, len, &h, box, &pl, &why, err)) != DS_OK) {
		if (why == OB_STORE) {
			r->why = OB_STORE;
			return st;
		}
		return refuse(r, why, err);
	}
	/* 7: forms, then one store transaction. */
	if ((ents = ds_calloc(pl->n_entries + 1, sizeof(*ents))) == NULL ||
	    (wd = ds_calloc(pl->n_withdrawals + 1, sizeof(*wd))) == NULL) {
		st = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	for (i = 0; i < pl->n; i++) {
		const struct obundle_item *it = &pl->items[i];

		if (it->kind == OBI_WITHDRAW)
			memcpy(wd[nw++], it->entry_id, STORE_ID_BYTES);
		if (it->kind != OBI_ENTRY)
			continue;
		ents[ne].entry_id = it->entry_id;
		ents[ne].json = (const char *)it->data.p;
		ents[ne].len = it->data.n;
		if ((ents[ne].hh_key = entry_hh_key(it)) == NULL) {
			st = ds_err_set(err, DS_ENOMEM, NULL);
			goto out;
		}
		ne++;
	}
	if ((st = install_forms(w, pl, r, err)) != DS_OK)
		goto out;
	memset(&ob, 0, sizeof(ob));
	ob.seq = h.seq;
	memcpy(ob.bundle_id, h.bundle_id, sizeof(ob.bundle_id));
	obundle_hash(buf, len, ob.hash);
	ob.applied_at = ds_now();
	ob.n_entries = (int64_t)pl->n_entries;
	ob.n_withdrawals = (int64_t)pl->n_withdrawals;
	ob.n_files = (int64_t)pl->n_files;
	st = store_obundle_apply(ws_store(w), &ob, h.prev_hash, ents, ne,
	    (const unsigned char (*)[STORE_ID_BYTES])wd, nw, err);
	if (st == DS_ECONFLICT) {	/* another program applied it first */
		st = refuse(r, OB_APPLIED, err);
		goto out;
	}
	if (st == DS_OK) {
		r->why = OB_OK;
		r->applied = h.seq;
		r->n_entries = pl->n_entries;
		r->n_withdrawals = pl->n_withdrawals;
		r->n_files = pl->n_files;
	}
out:
	if (st != DS_OK && st != DS_EREJECT)
		r->why = OB_STORE;
	for (i = 0; ents != NULL && i < ne; i++)
		ds_free((char *)(uintptr_t)ents[i].hh_key);
	ds_free(ents);
	ds_free(wd);
	obundle_payload_free(pl);
	return st;
}

enum ds_status
fetch_note(struct ws *w, unsigned char out[DNOTE_LEN], struct ds_err *err)
{
	const struct cry_boxkey *box = ws_box(w);
	struct dnote n;
	enum ds_status st;

	if (box == NULL)
		return ds_err_set(err, DS_ESTATE, "this workspace has no box "
		    "key yet: unlock it again");
	memset(&n, 0, sizeof(n));
	memcpy(n.device_id, ws_device_id(w), CRY_ID_BYTES);
	memcpy(n.office_id, ws_office(w)->office_id, CRY_ID_BYTES);
	memcpy(n.sign_pk, ws_signer(w)->pk, CRY_SIGN_PK_BYTES);
	memcpy(n.box_pk, box->pk, CRY_BOX_PK_BYTES);
	if ((st = store_obundle_last(ws_store(w), &n.applied_seq,
	    n.applied_hash, err)) != DS_OK)
		return st;
	n.created_at = ds_now();
	return dnote_build(&n, ws_signer(w), out, err);
}

/* Add one result to a sum. */
static void
sum_add(struct fetch_sum *s, enum ds_status st, const struct fetch_res *r)
{
	size_t i;

	if (st == DS_OK) {
		s->applied++;
		s->n_entries += r->n_entries;
		s->n_withdrawals += r->n_withdrawals;
		s->n_files += r->n_files;
		for (i = 0; i < r->n_forms && s->n_forms < FETCH_FORMS_MAX;
		    i++)
			snprintf(s->forms[s->n_forms++], sizeof(s->forms[0]),
			    "%s", r->forms[i]);
	} else if (r->why == OB_APPLIED)
		s->already++;
	else {
		s->refused++;
		s->last_why = r->why;
	}
	if (r->applied > s->seq)
		s->seq = r->applied;
}

/* ---- USB ---------------------------------------------------------------- */

struct found {
	uint64_t	seq;
	char		*path;
};

static int
found_cmp(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* The .dso files of dir with the sequence their header names. */
static enum ds_status
inbox_list(const char *dir, struct found **out, size_t *np,
    struct ds_err *err)
{
	struct obundle_header h;
	struct found *v = NULL;
	struct dirent *e;
	char p[4096], *buf;
	size_t n = 0, cap = 0, len, k;
	DIR *d;
	int why;

	*out = NULL;
	*np = 0;
	if ((d = opendir(dir)) == NULL)
		return DS_OK;	/* nothing for this laptop on the stick */
	while ((e = readdir(d)) != NULL && n < INBOX_MAX) {
		k = strlen(e->d_name);
		if (e->d_name[0] == '.' || k < 5 ||
		    strcmp(e->d_name + k - 4, ".dso") != 0 ||
		    snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(p))
			continue;
		if (ds_file_read(p, OBUNDLE_FILE_MAX, &buf, &len, NULL) !=
		    DS_OK)
			continue;
		h.seq = 0;
		(void)obundle_parse_header((unsigned char *)buf, len, &h, &why,
		    NULL);
		ds_free(buf);
		if (ds_arr_grow(&v, &cap, n + 1, sizeof(*v), INBOX_MAX) !=
		    DS_OK || (v[n].path = ds_strdup(p)) == NULL) {
			closedir(d);
			for (k = 0; k < n; k++)
				ds_free(v[k].path);
			ds_free(v);
			return ds_err_set(err, DS_ENOMEM, NULL);
		}
		v[n++].seq = h.seq;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), found_cmp);
	*out = v;
	*np = n;
	return DS_OK;
}

enum ds_status
fetch_dir(struct ws *w, const char *dir, struct fetch_sum *sum,
    struct ds_err *err)
{
	struct found *v = NULL;
	struct fetch_res r;
	unsigned char note[DNOTE_LEN], last[OBUNDLE_HASH_BYTES];
	char hex[33], p[4096];
	char *buf;
	size_t n = 0, i, len;
	enum ds_status st;

	memset(sum, 0, sizeof(*sum));
	ds_hex_encode(ws_device_id(w), CRY_ID_BYTES, hex);
	if (snprintf(p, sizeof(p), "%s/doorstep/inbox/%s", dir, hex) >=
	    (int)sizeof(p))
		return ds_err_set(err, DS_ELIMIT, "path too long");
	if ((st = inbox_list(p, &v, &n, err)) != DS_OK)
		return st;
	for (i = 0; i < n; i++) {
		if ((st = ds_file_read(v[i].path, OBUNDLE_FILE_MAX, &buf, &len,
		    err)) != DS_OK)
			break;
		st = fetch_apply(w, (unsigned char *)buf, len, &r, err);
		ds_free(buf);
		sum_add(sum, st, &r);
		if (st != DS_OK && st != DS_EREJECT)
			break;
		st = DS_OK;
	}
	for (i = 0; i < n; i++)
		ds_free(v[i].path);
	ds_free(v);
	if (st != DS_OK)
		return st;
	if ((st = store_obundle_last(ws_store(w), &sum->seq, last, err)) !=
	    DS_OK)
		return st;
	/* The note, for the office's next import of this stick. */
	if (snprintf(p, sizeof(p), "%s/doorstep/notes", dir) >=
	    (int)sizeof(p) || (st = ds_mkdir_p(p, 0700, err)) != DS_OK ||
	    (st = fetch_note(w, note, err)) != DS_OK)
		return st;
	snprintf(p, sizeof(p), "%s/doorstep/notes/%s.dsn", dir, hex);
	if ((st = ds_file_write_atomic(p, note, sizeof(note), 0600, err)) !=
	    DS_OK)
		return st;
	sum->noted = 1;
	return DS_OK;
}

/* ---- HTTP --------------------------------------------------------------- */

static enum ds_status
post_note(struct ws *w, const char *base, const struct xport_opts *x,
    struct ds_err *err)
{
	unsigned char note[DNOTE_LEN], *body = NULL;
	size_t blen = 0;
	long status = 0;
	enum ds_status st;

	if ((st = fetch_note(w, note, err)) != DS_OK)
		return st;
	st = xport_post_note(base, ws_device_id(w), note, sizeof(note), x,
	    &status, &body, &blen, NOTE_REPLY_MAX, err);
	ds_free(body);
	if (st != DS_OK)
		return st;
	if (status != 200)
		return ds_err_set(err, status == 404 || status == 403 ?
		    DS_EREJECT : DS_ENET, "the office answered %ld to this "
		    "laptop's note", status);
	return DS_OK;
}

enum ds_status
fetch_http(struct ws *w, const char *base, const struct xport_opts *x,
    struct fetch_sum *sum, struct ds_err *err)
{
	struct fetch_res r;
	unsigned char *body = NULL, h[OBUNDLE_HASH_BYTES];
	size_t blen = 0;
	long status = 0;
	uint64_t next;
	enum ds_status st;

	memset(sum, 0, sizeof(*sum));
	if ((st = post_note(w, base, x, err)) != DS_OK)
		return st;
	sum->noted = 1;
	for (;;) {
		if ((st = store_obundle_last(ws_store(w), &next, h, err)) !=
		    DS_OK)
			return st;
		next++;
		body = NULL;
		if ((st = xport_get_lists(base, ws_device_id(w), next, x,
		    &status, &body, &blen, OBUNDLE_FILE_MAX, err)) != DS_OK)
			return st;
		if (status == 404) {
			ds_free(body);
			break;
		}
		if (status != 200) {
			ds_free(body);
			return ds_err_set(err, DS_ENET, "the office answered "
			    "%ld for office bundle %llu", status,
			    (unsigned long long)next);
		}
		st = fetch_apply(w, body, blen, &r, err);
		ds_free(body);
		sum_add(sum, st, &r);
		if (st != DS_OK)
			break;	/* refused: the next cannot follow it */
	}
	if (st != DS_OK && st != DS_EREJECT)
		return st;
	if ((st = store_obundle_last(ws_store(w), &sum->seq, h, err)) !=
	    DS_OK)
		return st;
	/* Tell the office what this laptop has now. */
	return sum->applied > 0 ? post_note(w, base, x, err) : DS_OK;
}

enum ds_status
fetch_sync(struct ws *w, const char *base, const struct pack_opts *po,
    const struct push_opts *pu, struct fetch_sync *r, struct ds_err *err)
{
	memset(r, 0, sizeof(*r));
	ds_err_clear(&r->push_err);
	r->push = pack_push(ws_store(w), ws_device_id(w), ws_signer(w),
	    ws_office(w), po, base, pu, &r->sent, &r->rc, &r->push_err);
	/* An untrusted server stays untrusted for the fetch too; a
	 * cancelled send cancels the whole sync. */
	if (r->push == DS_ECRYPTO || r->push == DS_ECANCEL) {
		*err = r->push_err;
		return r->push;
	}
	return fetch_http(w, base, &pu->x, &r->got, err);
}
