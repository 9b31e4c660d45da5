/* doorstep: reading records: answers, the household list, blind indexes. */
/*
 * Reads decrypt in memory only: answers go to the caller (who wipes them),
 * summaries into the list's items.  Searches by household key or ID
 * number go through keyed blind indexes; a search by name decrypts the
 * summaries and matches in memory, so no plaintext ever reaches SQL.
 */
#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "arr.h"
#include "cry.h"
#include "mem.h"
#include "store_int.h"

/* ------------------------------------------------------------------ */
/* Blind indexes                                                       */

/*
 * Normalize for blind indexing: drop all white space (ASCII and U+3000),
 * fold full-width ASCII (U+FF01..U+FF5E) to ASCII, upper-case letters.
 */
int
store_blind_normalize(const char *in, char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;
	unsigned cp;

	while (*p != '\0') {
		if (p[0] == 0xef && (p[1] == 0xbc || p[1] == 0xbd) &&
		    p[2] >= 0x80 && p[2] <= 0xbf) {
			cp = 0xff00u + (unsigned)((p[1] & 0x03) << 6) +
			    (p[2] & 0x3f);
			if (cp >= 0xff01 && cp <= 0xff5e) {
				unsigned char c = (unsigned char)(cp - 0xfee0);

				if (o + 1 >= n)
					return -1;
				out[o++] = (char)(c >= 'a' && c <= 'z' ?
				    c - 32 : c);
				p += 3;
				continue;
			}
		}
		if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) {
			p += 3;		/* ideographic space */
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			p++;
			continue;
		}
		if (o + 1 >= n)
			return -1;
		out[o++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		p++;
	}
	out[o] = '\0';
	return 0;
}

int
store_blind(const struct store *s, int kind, const char *v,
    unsigned char out[STORE_BLIND_BYTES])
{
	return store_blind_with(s->k, kind, v, out);
}

int
store_blind_with(const struct store_keys *k, int kind, const char *v,
    unsigned char out[STORE_BLIND_BYTES])
{
	char norm[STORE_SUMMARY_MAX + 1];
	int rc;

	/* The last characters of an ID number hash apart from whole
	 * numbers: a "T" before them under the same key. */
	norm[0] = 'T';
	if (kind == STORE_KIND_IDTAIL) {
		if ((rc = store_blind_normalize(v, norm + 1,
		    sizeof(norm) - 1)) == 0)
			cry_hash(out, STORE_BLIND_BYTES, k->bid,
			    CRY_KEY_BYTES, norm, strlen(norm));
	} else if ((rc = store_blind_normalize(v, norm, sizeof(norm))) == 0)
		cry_hash(out, STORE_BLIND_BYTES, kind == STORE_KIND_HOUSEHOLD ?
		    k->bhh : k->bid, CRY_KEY_BYTES, norm, strlen(norm));
	cry_wipe(norm, sizeof(norm));
	return rc;
}

/* ------------------------------------------------------------------ */
/* Answers                                                             */

/* Decrypt the current row of Q_ANS_GET (stepped to SQLITE_ROW). */
static enum ds_status
answers_from_row(struct store *s, sqlite3_stmt *b, const unsigned char *id,
    char **json, size_t *lenp, struct ds_err *err)
{
	char idt[STORE_UUID_TEXT];
	const unsigned char *ct = sqlite3_column_blob(b, 6);
	size_t ctlen = (size_t)sqlite3_column_bytes(b, 6);
	int64_t rev_no = sqlite3_column_int64(b, 1);
	int64_t plen = sqlite3_column_int64(b, 5);
	struct store_ad ad;
	char *pt;

	store_id_text(id, idt);
	if (sqlite3_column_bytes(b, 3) != STORE_ID_BYTES ||
	    sqlite3_column_bytes(b, 4) != CRY_KEYID_BYTES ||
	    ctlen < CRY_AEAD_OVERHEAD || plen < 0 ||
	    (size_t)plen != ctlen - CRY_AEAD_OVERHEAD)
		return ds_err_set(err, DS_ECORRUPT, "record %s revision %lld: "
		    "stored revision is damaged", idt, (long long)rev_no);
	if (memcmp(sqlite3_column_blob(b, 4), s->key_id, CRY_KEYID_BYTES) != 0)
		return ds_err_set(err, DS_ECRYPTO, "record %s revision %lld "
		    "was sealed under another key", idt, (long long)rev_no);
	store_ad_answers(&ad, id, rev_no,
	    (const char *)sqlite3_column_text(b, 0),
	    (const char *)sqlite3_column_text(b, 2),
	    sqlite3_column_blob(b, 3), s->key_id);
	if ((pt = ds_malloc((size_t)plen + 1)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "read record: %s",
		    ds_status_str(DS_ENOMEM));
	if (store_unseal(pt, ct, ctlen, &ad, s->k->ans) != DS_OK) {
		ds_free(pt);
		return ds_err_set(err, DS_ECRYPTO, "record %s revision %lld "
		    "does not decrypt: the stored data was altered or moved",
		    idt, (long long)rev_no);
	}
	pt[plen] = '\0';
	*json = pt;
	if (lenp != NULL)
		*lenp = (size_t)plen;
	return DS_OK;
}

enum ds_status
store_answers_get(struct store *s, const unsigned char id[STORE_ID_BYTES],
    int64_t rev_no, char **json, size_t *lenp, struct ds_err *err)
{
	char idt[STORE_UUID_TEXT];
	sqlite3_stmt *b;
	enum ds_status st;
	int rc;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	b = store_stmt(s, Q_ANS_GET);
	sqlite3_bind_blob(b, 1, id, STORE_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(b, 2, rev_no);
	rc = sqlite3_step(b);
	if (rc == SQLITE_ROW)
		st = answers_from_row(s, b, id, json, lenp, err);
	else if (rc == SQLITE_DONE) {
		store_id_text(id, idt);
		st = rev_no == 0 ? ds_err_set(err, DS_ENOENT, "no record %s",
		    idt) : ds_err_set(err, DS_ENOENT, "record %s has no "
		    "revision %lld", idt, (long long)rev_no);
	} else
		st = store_sql_err(s, rc, "read record", err);
	sqlite3_reset(b);
	return st;
}

/* ------------------------------------------------------------------ */
/* The household list                                                  */

void
store_query_init(struct store_query *qy)
{
	memset(qy, 0, sizeof(*qy));
	qy->status = -1;
}

static void
item_wipe(struct store_item *it)
{
	if (it->form_id != NULL)
		store_text_free((char *)(uintptr_t)it->form_id, it->blk_len);
	memset(it, 0, sizeof(*it));
}

void
store_list_free(struct store_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		item_wipe(&l->items[i]);
	ds_free(l->items);
	l->items = NULL;
	l->n = 0;
}

static int
name_match(const struct store_item *it, const char *name)
{
	return (it->head_name != NULL && strstr(it->head_name, name)) ||
	    (it->village != NULL && strstr(it->village, name)) ||
	    (it->label != NULL && strstr(it->label, name)) ||
	    (it->members != NULL && strstr(it->members, name));
}

/* Where the summary's strings are in its plaintext (absent: len -1). */
struct sum_span {
	size_t	off[STORE_SUMMARY_STRINGS];
	long	len[STORE_SUMMARY_STRINGS];
	int	nfields;		/* 3 (old summaries) or 6 */
	int	refused, answered;
};

/* Read the layout of a summary plaintext: 0, or -1 if malformed. */
static int
sum_parse(const unsigned char *p, size_t n, struct sum_span *sp)
{
	size_t off = 0, l;
	int i;

	sp->answered = -1;
	sp->refused = 0;
	for (i = 0; i < STORE_SUMMARY_STRINGS; i++) {
		sp->len[i] = -1;
		/* Summaries before the last three fields end here. */
		if (i == 3 && off == n)
			break;
		if (off + 2 > n)
			return -1;
		l = (size_t)p[off] | ((size_t)p[off + 1] << 8);
		off += 2;
		if (l == STORE_SUMMARY_NULL)
			continue;
		if (l > n - off)
			return -1;
		sp->off[i] = off;
		sp->len[i] = (long)l;
		off += l;
	}
	sp->nfields = i;
	if (i == STORE_SUMMARY_STRINGS) {
		if (off + 3 != n)
			return -1;
		sp->refused = p[off] & 1;
		sp->answered = p[off + 1] | p[off + 2] << 8;
	} else for (i = 3; i < STORE_SUMMARY_STRINGS; i++)
		sp->len[i] = -1;
	return 0;
}

/*
 * Fill it from a list row, decrypting the summary into pt (scratch of
 * STORE_SUMMARY_BYTES).  The strings go into one block: form id, form
 * version, then each present summary string (members only if wanted),
 * each NUL-terminated.
 */
static enum ds_status
item_from_row(struct store *s, sqlite3_stmt *b, struct store_item *it,
    unsigned char *pt, int members, struct ds_err *err)
{
	char idt[STORE_UUID_TEXT], **dst[STORE_SUMMARY_STRINGS];
	const unsigned char *ct = sqlite3_column_blob(b, 9);
	const char *fid = (const char *)sqlite3_column_text(b, 1);
	const char *fver = (const char *)sqlite3_column_text(b, 2);
	size_t ctlen = (size_t)sqlite3_column_bytes(b, 9), n, lf, lv, need, o;
	struct sum_span sp;
	struct store_ad ad;
	char *blk;
	int i;

	memset(it, 0, sizeof(*it));
	if (sqlite3_column_bytes(b, 0) != STORE_ID_BYTES || fid == NULL ||
	    fver == NULL)
		return ds_err_set(err, DS_ECORRUPT, "record list: bad row");
	memcpy(it->id, sqlite3_column_blob(b, 0), STORE_ID_BYTES);
	it->status = (enum store_status)sqlite3_column_int(b, 3);
	it->rev_no = sqlite3_column_int64(b, 4);
	it->created_at = sqlite3_column_int64(b, 5);
	it->saved_at = sqlite3_column_int64(b, 6);
	it->n_errors = sqlite3_column_int(b, 7);
	it->n_warnings = sqlite3_column_int(b, 8);
	if (ctlen < CRY_AEAD_OVERHEAD ||
	    ctlen > STORE_SUMMARY_BYTES + CRY_AEAD_OVERHEAD) {
		store_id_text(it->id, idt);
		return ds_err_set(err, DS_ECORRUPT, "record %s: stored summary "
		    "is damaged", idt);
	}
	n = ctlen - CRY_AEAD_OVERHEAD;
	store_ad_summary(&ad, it->id, it->rev_no, s->key_id);
	if (store_unseal(pt, ct, ctlen, &ad, s->k->sum) != DS_OK) {
		store_id_text(it->id, idt);
		return ds_err_set(err, DS_ECRYPTO, "record %s: summary does not "
		    "decrypt: the stored data was altered or moved", idt);
	}
	if (sum_parse(pt, n, &sp) != 0) {
		cry_wipe(pt, n);
		store_id_text(it->id, idt);
		return ds_err_set(err, DS_ECORRUPT, "record %s: summary is "
		    "malformed", idt);
	}
	if (!members)
		sp.len[4] = -1;
	lf = strlen(fid);
	lv = strlen(fver);
	need = lf + lv + 2;
	for (i = 0; i < STORE_SUMMARY_STRINGS; i++)
		if (sp.len[i] >= 0)
			need += (size_t)sp.len[i] + 1;
	if ((blk = ds_malloc(need)) == NULL) {
		cry_wipe(pt, n);
		return ds_err_set(err, DS_ENOMEM, "list records: %s",
		    ds_status_str(DS_ENOMEM));
	}
	memcpy(blk, fid, lf + 1);
	memcpy(blk + lf + 1, fver, lv + 1);
	o = lf + lv + 2;
	dst[0] = &it->head_name;
	dst[1] = &it->village;
	dst[2] = &it->label;
	dst[3] = &it->household_key;
	dst[4] = &it->members;
	dst[5] = &it->code;
	for (i = 0; i < STORE_SUMMARY_STRINGS; i++) {
		if (sp.len[i] < 0)
			continue;
		*dst[i] = blk + o;
		memcpy(blk + o, pt + sp.off[i], (size_t)sp.len[i]);
		o += (size_t)sp.len[i];
		blk[o++] = '\0';
	}
	cry_wipe(pt, n);
	it->form_id = blk;
	it->form_version = blk + lf + 1;
	it->blk_len = (uint32_t)need;
	it->refused = sp.refused;
	it->answered = sp.answered;
	return DS_OK;
}

enum ds_status
store_list(struct store *s, const struct store_query *qy,
    struct store_list *out, struct ds_err *err)
{
	char sql[640];
	unsigned char idx[STORE_BLIND_BYTES], *pt = NULL;
	struct store_list l = { NULL, 0 };
	struct store_item *it;
	size_t cap = 0;
	sqlite3_stmt *b = NULL;
	enum ds_status st = DS_OK;
	int rc, kind = 0;
	const char *bv = NULL;

	if ((st = store_ready(s, err)) != DS_OK)
		return st;
	if (qy->household_key != NULL) {
		kind = STORE_KIND_HOUSEHOLD;
		bv = qy->household_key;
	} else if (qy->id_number != NULL) {
		kind = STORE_KIND_IDNUMBER;
		bv = qy->id_number;
	} else if (qy->id_tail != NULL) {
		kind = STORE_KIND_IDTAIL;
		bv = qy->id_tail;
	}
	if (bv != NULL && store_blind(s, kind, bv, idx) != 0)
		return ds_err_set(err, DS_ELIMIT, "search key too long");
	snprintf(sql, sizeof(sql), "SELECT id, form_id, form_version, status, "
	    "rev_no, created_at, saved_at, n_errors, n_warnings, summary "
	    "FROM record WHERE discarded = 0 AND (?1 < 0 OR status = ?1) AND "
	    "(?2 IS NULL OR form_id = ?2)%s ORDER BY saved_at DESC, "
	    "rowid DESC", bv != NULL ? " AND id IN (SELECT record_id FROM blind WHERE "
	    "kind = ?3 AND idx = ?4)" : "");
	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &b, NULL)) != SQLITE_OK)
		return store_sql_err(s, rc, "list records", err);
	sqlite3_bind_int(b, 1, qy->status);
	if (qy->form_id != NULL)
		sqlite3_bind_text(b, 2, qy->form_id, -1, SQLITE_STATIC);
	if (bv != NULL) {
		sqlite3_bind_int(b, 3, kind);
		sqlite3_bind_blob(b, 4, idx, sizeof(idx), SQLITE_STATIC);
	}
	if ((pt = ds_malloc(STORE_SUMMARY_BYTES)) == NULL) {
		sqlite3_finalize(b);
		return ds_err_set(err, DS_ENOMEM, "list records: %s",
		    ds_status_str(DS_ENOMEM));
	}
	while ((rc = sqlite3_step(b)) == SQLITE_ROW) {
		if (qy->limit != 0 && l.n >= qy->limit)
			break;
		if ((st = ds_arr_grow(&l.items, &cap, l.n + 1, sizeof(*it),
		    STORE_LIST_CAP)) != DS_OK) {
			ds_err_set(err, st, "list records: %s",
			    ds_status_str(st));
			break;
		}
		it = &l.items[l.n];
		if ((st = item_from_row(s, b, it, pt, qy->name != NULL ||
		    qy->with_members, err)) != DS_OK)
			break;
		if (qy->name != NULL && !name_match(it, qy->name)) {
			item_wipe(it);
			continue;
		}
		if (!qy->with_members)
			it->members = NULL;
		l.n++;
	}
	if (st == DS_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		st = store_sql_err(s, rc, "list records", err);
	sqlite3_finalize(b);
	ds_free(pt);
	if (st != DS_OK) {
		store_list_free(&l);
		return st;
	}
	store_list_free(out);
	*out = l;
	return DS_OK;
}
