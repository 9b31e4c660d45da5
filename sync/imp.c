/* doorstep: office import of one bundle, in the order of §7.4. */
/*
 * Invariants: nothing is written before the header, device, signature and
 * ledger checks pass and the payload decrypts and parses; then everything
 * is written in one transaction, receipt and ledger row included, so a
 * crash at any point leaves either the old database or the new one, and a
 * rerun converges to the same bytes (receipt ids are derived, not random,
 * and times come from ds_now, which tests fix).
 */
#include "imp.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "bundle.h"
#include "case_hook.h"
#include "cry_bundle.h"
#include "mem.h"
#include "odb_attach.h"
#include "receipt.h"
#include "util.h"

#define SIBLINGS_MAX	16

void
imp_result_free(struct imp_result *r)
{
	if (r == NULL)
		return;
	ds_free(r->receipt);
	r->receipt = NULL;
	r->receipt_len = 0;
}

/* Fill the parts of a receipt every outcome shares, and sign it. */
static enum ds_status
sign_receipt(struct odb *o, const struct cry_office_sec *sec,
    struct receipt *rc, const unsigned char hash[BUNDLE_HASH_BYTES],
    struct imp_result *res,
    struct ds_err *err)
{
	unsigned char seed[2 * CRY_ID_BYTES + BUNDLE_HASH_BYTES + 1];
	struct odb_range *rg;
	size_t n = 0, i;
	enum ds_status st;

	odb_office_id(o, rc->office_id);
	cry_key_id(sec->sign.pk, sizeof(sec->sign.pk), rc->office_kid);
	memcpy(rc->device_id, res->device_id, CRY_ID_BYTES);
	memcpy(rc->bundle_id, res->bundle_id, CRY_ID_BYTES);
	if (hash != NULL)
		memcpy(rc->bundle_hash, hash, BUNDLE_HASH_BYTES);
	rc->status = (uint8_t)res->status;
	rc->reason = (uint16_t)res->reason;
	rc->n_new = res->n_new;
	rc->n_dup = res->n_dup;
	rc->n_conflict = res->n_conflict;
	rc->office_time = ds_now();
	/* The text is the verdict as a code (docs/sync.md): each program
	 * words the status, reason and counts in its user's language. */
	if (res->status == RS_REJECTED)
		snprintf(res->msg, sizeof(res->msg), "rejected: %s",
		    bundle_reason_str(res->reason));
	else
		snprintf(res->msg, sizeof(res->msg), "%s",
		    receipt_status_str(res->status));
	snprintf(rc->msg, sizeof(rc->msg), "%s", res->msg);
	/* Derived id: a rerun after a crash yields the same receipt. */
	memcpy(seed, rc->office_id, CRY_ID_BYTES);
	memcpy(seed + CRY_ID_BYTES, rc->bundle_hash, BUNDLE_HASH_BYTES);
	memcpy(seed + CRY_ID_BYTES + BUNDLE_HASH_BYTES, rc->device_id,
	    CRY_ID_BYTES);
	seed[sizeof(seed) - 1] = rc->status;
	cry_hash(rc->receipt_id, CRY_ID_BYTES, NULL, 0, seed, sizeof(seed));
	rc->nranges = 0;
	rc->contiguous = 0;
	if (res->status != RS_REJECTED && res->status != RS_HELD) {
		if ((rg = ds_calloc(RECEIPT_RANGES_MAX, sizeof(*rg))) == NULL)
			return ds_err_set(err, DS_ENOMEM, NULL);
		st = odb_ack_get(o, res->device_id, rg, RECEIPT_RANGES_MAX, &n,
		    &rc->contiguous, err);
		if (st != DS_OK) {
			ds_free(rg);
			return st;
		}
		for (i = 0; i < n && i < RECEIPT_RANGES_MAX; i++) {
			rc->ranges[i].lo = rg[i].lo;
			rc->ranges[i].hi = rg[i].hi;
		}
		rc->nranges = (uint16_t)i;
		ds_free(rg);
	}
	return receipt_encode(rc, &sec->sign, &res->receipt, &res->receipt_len,
	    err);
}

/* Build a verdict without touching the database beyond reading acks. */
static enum ds_status
verdict(struct odb *o, const struct cry_office_sec *sec, int status,
    int reason, const unsigned char hash[BUNDLE_HASH_BYTES],
    struct imp_result *res,
    struct ds_err *err)
{
	struct receipt *rc;
	enum ds_status st;

	res->status = status;
	res->reason = reason;
	if ((rc = ds_calloc(1, sizeof(*rc))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	st = sign_receipt(o, sec, rc, hash, res, err);
	ds_free(rc);
	return st;
}

/*
 * A bundle already in the ledger: the stored receipt, byte for byte, or a
 * refusal when another bundle claimed its id.  Takes led->receipt.
 */
static enum ds_status
replay(struct odb *o, const struct cry_office_sec *sec,
    struct odb_ledger *led, const unsigned char hash[BUNDLE_HASH_BYTES],
    struct imp_result *res, struct ds_err *err)
{
	struct receipt *rc;

	if (memcmp(led->bundle_hash, hash, BUNDLE_HASH_BYTES) != 0) {
		ds_free(led->receipt);
		return verdict(o, sec, RS_REJECTED, BR_LEDGER, hash, res, err);
	}
	res->status = led->status;
	res->reason = BR_OK;
	res->replay = 1;
	res->receipt = led->receipt;
	res->receipt_len = led->receipt_len;
	snprintf(res->msg, sizeof(res->msg), "%s",
	    receipt_status_str(RS_DUPLICATE));
	rc = ds_calloc(1, sizeof(*rc));
	if (rc != NULL && receipt_parse(led->receipt, led->receipt_len, rc,
	    NULL) == DS_OK) {
		res->n_new = rc->n_new;
		res->n_dup = rc->n_dup;
		res->n_conflict = rc->n_conflict;
	}
	ds_free(rc);
	return DS_OK;
}

/* Fork detection for one newly settled revision. */
static enum ds_status
check_forks(struct odb *o, const unsigned char *record_uuid,
    const unsigned char *parent, const unsigned char *rev_id,
    struct imp_result *res, struct ds_err *err)
{
	unsigned char sib[SIBLINGS_MAX][CRY_ID_BYTES];
	char *pa = NULL, *ra = NULL, *sa = NULL, q[1024];
	size_t n, i;
	enum ds_status st;
	int conflict;

	if ((st = odb_rev_siblings(o, record_uuid, parent, rev_id, sib,
	    SIBLINGS_MAX, &n, err)) != DS_OK)
		return st;
	if (n == 0)
		return DS_OK;
	if (parent != NULL && (st = odb_rev_answers(o, parent, &pa, err)) !=
	    DS_OK && st != DS_ENOENT)
		return st;
	if ((st = odb_rev_answers(o, rev_id, &ra, err)) != DS_OK)
		goto out;
	for (i = 0; i < n && i < SIBLINGS_MAX; i++) {
		if ((st = odb_rev_answers(o, sib[i], &sa, err)) != DS_OK)
			goto out;
		st = imp_fork_compare(pa, ra, sa, &conflict, q, sizeof(q),
		    err);
		odb_answers_free(sa);
		sa = NULL;
		if (st != DS_OK)
			goto out;
		if ((st = odb_fork_put(o, rev_id, sib[i], record_uuid,
		    parent, conflict, q, err)) != DS_OK)
			goto out;
		res->n_conflict++;
	}
	st = DS_OK;
out:
	odb_answers_free(pa);
	odb_answers_free(ra);
	odb_answers_free(sa);
	return st;
}

/*
 * A revision joins the record's history: the head, then forks, looked
 * for only when the record had a head, so other settled revisions (most
 * imports store a record's first).  r: the revision this import
 * just stored, whose values the head takes without reading them back;
 * NULL for a released one.
 */
static enum ds_status
settle(struct odb *o, const struct bundle_rev *r,
    const unsigned char *record_uuid, const unsigned char *parent,
    const unsigned char *rev_id, struct imp_result *res, struct ds_err *err)
{
	enum ds_status st;
	int alone;

	st = r != NULL ? odb_head_put(o, r, &alone, err) :
	    odb_head_update(o, rev_id, &alone, err);
	if (st != DS_OK || alone)
		return st;
	return check_forks(o, record_uuid, parent, rev_id, res, err);
}

/*
 * Release held revisions whose parent is now settled, until none is left
 * (a released child can release its own child).
 */
static enum ds_status
release_ready(struct odb *o, struct imp_result *res, struct ds_err *err)
{
	struct odb_held *h;
	size_t n, i;
	enum ds_status st;

	if ((h = ds_calloc(64, sizeof(*h))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	for (;;) {
		if ((st = odb_rev_releasable(o, h, 64, &n, err)) != DS_OK ||
		    n == 0)
			break;
		for (i = 0; i < n && st == DS_OK; i++) {
			if ((st = odb_rev_release(o, h[i].rev_id, err)) ==
			    DS_OK)
				st = settle(o, NULL, h[i].record_uuid,
				    h[i].parent_rev_id, h[i].rev_id, res, err);
			res->n_released++;
		}
		if (st != DS_OK)
			break;
	}
	ds_free(h);
	return st;
}

/*
 * Diagnose a laptop restored from a backup: a sequence number that names
 * another revision here, or a database id never seen for this device.
 * Both are recorded, never refused: the revisions are new and kept.
 * *rollback tells the receipt (BR_ROLLBACK) that this bundle's ranges
 * cover numbers used twice.
 */
static enum ds_status
diagnose(struct odb *o, const struct bundle_header *h,
    const struct bundle_rev *r, int is_new, int *rollback,
    struct ds_err *err)
{
	struct odb_alert a;
	unsigned char other[CRY_ID_BYTES];
	char ra[33], rb[33];
	enum ds_status st;
	int found;

	if (*rollback)
		return DS_OK;
	if ((st = odb_rev_seq_taken(o, h->device_id, r->device_seq, r->rev_id,
	    other, &found, err)) != DS_OK || !found)
		return st;
	*rollback = 1;
	if (!is_new)		/* a resend: the alert was raised before */
		return DS_OK;
	memset(&a, 0, sizeof(a));
	memcpy(a.device_id, h->device_id, CRY_ID_BYTES);
	memcpy(a.bundle_id, h->bundle_id, CRY_ID_BYTES);
	a.kind = ODB_ALERT_ROLLBACK;
	a.at = ds_now();
	ds_hex_encode(r->rev_id, CRY_ID_BYTES, ra);
	ds_hex_encode(other, CRY_ID_BYTES, rb);
	snprintf(a.detail, sizeof(a.detail), "sequence %llu was revision "
	    "%.12s and is now %.12s: the laptop was probably restored from a "
	    "backup; both revisions are kept, check its gaps",
	    (unsigned long long)r->device_seq, rb, ra);
	return odb_alert_put(o, &a, err);
}

static enum ds_status
check_db(struct odb *o, const struct bundle_header *h, struct ds_err *err)
{
	struct odb_alert a;
	char u[33];
	enum ds_status st;
	int seen, any;

	if ((st = odb_ledger_db_seen(o, h->device_id, h->db_uuid, &seen, &any,
	    err)) != DS_OK || seen || !any)
		return st;
	memset(&a, 0, sizeof(a));
	memcpy(a.device_id, h->device_id, CRY_ID_BYTES);
	memcpy(a.bundle_id, h->bundle_id, CRY_ID_BYTES);
	a.kind = ODB_ALERT_NEW_DB;
	a.at = ds_now();
	ds_hex_encode(h->db_uuid, CRY_ID_BYTES, u);
	snprintf(a.detail, sizeof(a.detail), "the device now sends from "
	    "another records database (%.12s): reinstalled or restored; "
	    "check its gaps", u);
	return odb_alert_put(o, &a, err);
}

static int
count_rollback(void *arg, const struct odb_alert *a)
{
	if (a->kind == ODB_ALERT_ROLLBACK)
		(*(int *)arg)++;
	return 0;
}

/* The files the revision carries (bundle version 2), sealed. */
static enum ds_status
keep_files(struct odb *o, const struct bundle_rev *r, struct ds_err *err)
{
	enum ds_status st;
	size_t i;

	for (i = 0; i < r->natt; i++)
		if ((st = odb_attach_put(o, r->record_uuid, r->rev_id,
		    (const char *)r->att[i].name.p, r->att[i].name.n,
		    r->att[i].data.p, r->att[i].data.n, err)) != DS_OK)
			return st;
	return DS_OK;
}

/* One revision stored row by row: held while its parent is not settled. */
static enum ds_status
rev_one(struct odb *o, const struct bundle_header *h,
    const struct bundle_rev *r, int *ins, int *held, int *rollback,
    struct ds_err *err)
{
	enum ds_status st;
	int settled = 0;

	if (bundle_rev_has_parent(r) && (st = odb_rev_settled(o,
	    r->parent_rev_id, &settled, err)) != DS_OK)
		return st;
	*held = bundle_rev_has_parent(r) && !settled;
	if ((st = odb_rev_insert(o, r, h->device_id, h->bundle_id, *held,
	    ins, err)) != DS_OK)
		return st;
	return diagnose(o, h, r, *ins, rollback, err);
}

/* §7.4 step 10: the one transaction. */
static enum ds_status
store(struct odb *o, const struct cry_office_sec *sec,
    const struct bundle_header *h, const struct bundle_payload *pl,
    const unsigned char hash[BUNDLE_HASH_BYTES], struct imp_result *res,
    struct ds_err *err)
{
	struct odb_ledger l;
	struct receipt *rc = NULL;
	struct case_batch *cb = NULL;
	const struct bundle_rev *r;
	uint8_t *at = NULL;
	enum ds_status st;
	size_t i;
	int ins, held, rollback = 0, once = 0;

	if ((st = odb_begin(o, err)) != DS_OK)
		return st;
	/* Another importer may have stored it since the look-up: ask again
	 * under the township's write lock. */
	if ((st = odb_ledger_get(o, h->bundle_id, &l, err)) == DS_OK) {
		odb_rollback(o);
		return replay(o, sec, &l, hash, res, err);
	}
	if (st != DS_ENOENT)
		goto out;
	if ((st = check_db(o, h, err)) != DS_OK ||
	    (st = case_batch_begin(o, pl->nrevs, &cb, err)) != DS_OK)
		goto out;
	/* PostgreSQL: the revisions and their heads at once if it can. */
	if (pl->nrevs > 0 && (at = ds_calloc(pl->nrevs, 1)) == NULL) {
		st = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	if (at != NULL && (st = odb_revs_put(o, pl->revs, pl->nrevs,
	    h->device_id, h->bundle_id, at, &once, err)) != DS_OK)
		goto out;
	/*
	 * Revisions come parent first; one whose parent is not here (and
	 * settled) is held until it is: never a head, never half a fork.
	 */
	for (i = 0; i < pl->nrevs; i++) {
		r = &pl->revs[i];
		if (once) {
			ins = (at[i] & ODB_REV_NEW) != 0;
			held = (at[i] & ODB_REV_HELD) != 0;
		} else if ((st = rev_one(o, h, r, &ins, &held, &rollback,
		    err)) != DS_OK)
			goto out;
		if ((st = keep_files(o, r, err)) != DS_OK)
			goto out;
		if (!ins) {
			res->n_dup++;
			continue;
		}
		res->n_new++;
		/* The household's case learns of the visit (docs/case.md). */
		if ((st = case_on_rev(o, cb, r, h->device_id, err)) != DS_OK)
			goto out;
		if (held) {
			res->n_held++;
			continue;
		}
		/* At once: no fork, and the head is set. */
		if (!once && (st = settle(o, r, r->record_uuid,
		    bundle_rev_has_parent(r) ?
		    r->parent_rev_id : NULL, r->rev_id, res, err)) != DS_OK)
			goto out;
	}
	/* Each household's row once, for the whole bundle. */
	if ((st = case_batch_end(o, cb, err)) != DS_OK ||
	    (st = release_ready(o, res, err)) != DS_OK)
		goto out;
	case_batch_free(cb);
	cb = NULL;
	ds_free(at);
	at = NULL;
	if ((st = odb_ack_add(o, h->device_id, h->seq_lo, h->seq_hi, err)) !=
	    DS_OK)
		goto out;
	res->status = res->n_new > 0 ? RS_IMPORTED : RS_DUPLICATE;
	/* Tell a restored laptop its ranges overlap numbers used twice. */
	res->reason = rollback ? BR_ROLLBACK : BR_OK;
	if ((rc = ds_calloc(1, sizeof(*rc))) == NULL) {
		st = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	if ((st = sign_receipt(o, sec, rc, hash, res, err)) != DS_OK)
		goto out;
	memset(&l, 0, sizeof(l));
	memcpy(l.bundle_id, h->bundle_id, CRY_ID_BYTES);
	memcpy(l.bundle_hash, hash, BUNDLE_HASH_BYTES);
	memcpy(l.device_id, h->device_id, CRY_ID_BYTES);
	memcpy(l.db_uuid, h->db_uuid, CRY_ID_BYTES);
	memcpy(l.prev_hash, h->prev_hash, BUNDLE_HASH_BYTES);
	l.seq_lo = h->seq_lo;
	l.seq_hi = h->seq_hi;
	l.record_count = h->record_count;
	l.status = res->status;
	l.imported_at = rc->office_time;
	l.receipt = res->receipt;
	l.receipt_len = res->receipt_len;
	if ((st = odb_ledger_put(o, &l, err)) != DS_OK)
		goto out;
	ds_free(rc);
	rc = NULL;
	/* A failed commit is no import: no receipt either. */
	if ((st = odb_commit(o, err)) == DS_OK)
		return DS_OK;
out:
	case_batch_free(cb);
	ds_free(at);
	ds_free(rc);
	odb_rollback(o);
	imp_result_free(res);
	res->n_new = res->n_dup = res->n_conflict = 0;
	res->n_held = res->n_released = 0;
	return st;
}

struct find_held {
	struct odb_held	h;
	int		n;
};

static int
find_held_cb(void *arg, const struct odb_held *h)
{
	struct find_held *f = arg;

	if (f->n++ == 0)
		f->h = *h;
	return 0;
}

enum ds_status
imp_release(struct odb *o, const char *hexprefix, struct odb_held *out,
    struct imp_result *res, struct ds_err *err)
{
	struct find_held f;
	enum ds_status st;

	memset(res, 0, sizeof(*res));
	memset(&f, 0, sizeof(f));
	if (strlen(hexprefix) < IMP_PREFIX_MIN)
		return ds_err_set(err, DS_EINVAL, "prefix %s: fewer than "
		    "%d hex digits", hexprefix, IMP_PREFIX_MIN);
	if ((st = odb_begin(o, err)) != DS_OK)
		return st;
	if ((st = odb_held_each(o, hexprefix, find_held_cb, &f, err)) !=
	    DS_OK)
		goto out;
	if (f.n != 1) {
		if (f.n > 1)
			st = ds_err_set(err, DS_EINVAL, "%d waiting "
			    "revisions start with %s", f.n, hexprefix);
		else
			st = ds_err_set(err, DS_ENOENT, "no waiting "
			    "revision starts with %s", hexprefix);
		goto out;
	}
	/* Its parent stays unknown: forks compare without a base. */
	if ((st = odb_rev_release(o, f.h.rev_id, err)) != DS_OK ||
	    (st = settle(o, NULL, f.h.record_uuid, f.h.parent_rev_id,
	    f.h.rev_id, res, err)) != DS_OK ||
	    (st = release_ready(o, res, err)) != DS_OK)
		goto out;
	res->n_released++;
	if (out != NULL)
		*out = f.h;
	return odb_commit(o, err);
out:
	odb_rollback(o);
	return st;
}

/*
 * Where a bundle's bytes are: in memory (USB import, enroll), or behind a
 * reader (the receiver's spool file).  One pass (src_scan) takes the
 * ledger hash, the signature's pre-hash, the header and the trailer, so a
 * body is read into memory only once its signature verifies and its
 * device may leave it (imp.h).
 */
struct src {
	const unsigned char	*mem;
	int			(*rd)(void *, uint64_t, void *, size_t);
	void			*arg;
	uint64_t		 len;
	unsigned char		 head[BUNDLE_HEADER_MAX];
	size_t			 headlen;
	unsigned char		 sig[BUNDLE_TRAILER_BYTES];
	unsigned char		 prehash[CRY_HASH_BYTES];
	unsigned char		 hash[BUNDLE_HASH_BYTES];
};

#define IMP_PIECE	(64u << 10)

/* Bytes [off, off + n) of the source into dst. */
static enum ds_status
src_read(const struct src *s, uint64_t off, void *dst, size_t n,
    struct ds_err *err)
{
	if (s->mem != NULL) {
		memcpy(dst, s->mem + off, n);
		return DS_OK;
	}
	if (s->rd(s->arg, off, dst, n) != 0)
		return ds_err_set(err, DS_EIO, "cannot read the bundle back");
	return DS_OK;
}

static enum ds_status
src_scan(struct src *s, struct ds_err *err)
{
	struct cryb_hash *fh = NULL, *ph = NULL;
	unsigned char *piece = NULL;
	const unsigned char *p;
	uint64_t off, signed_len, a, b;
	size_t n;
	enum ds_status st;

	signed_len = s->len >= BUNDLE_TRAILER_BYTES ? s->len -
	    BUNDLE_TRAILER_BYTES : 0;
	memset(s->sig, 0, sizeof(s->sig));
	if ((st = cryb_hash_new(&fh, BUNDLE_HASH_BYTES, err)) != DS_OK ||
	    (st = cryb_hash_new(&ph, CRY_HASH_BYTES, err)) != DS_OK)
		goto out;
	if (s->mem == NULL && (piece = ds_malloc(IMP_PIECE)) == NULL) {
		st = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	for (off = 0; off < s->len; off += n) {
		n = s->len - off < IMP_PIECE ? (size_t)(s->len - off) :
		    IMP_PIECE;
		if (s->mem != NULL)
			p = s->mem + off;
		else if ((st = src_read(s, off, piece, n, err)) != DS_OK)
			goto out;
		else
			p = piece;
		cryb_hash_update(fh, p, n);
		if (off < signed_len)
			cryb_hash_update(ph, p, off + n <= signed_len ? n :
			    (size_t)(signed_len - off));
		if (off < sizeof(s->head))
			memcpy(s->head + off, p, off + n <= sizeof(s->head) ?
			    n : (size_t)(sizeof(s->head) - off));
		/* The part of this piece that is trailer. */
		a = off > signed_len ? off : signed_len;
		b = off + n;
		if (s->len >= BUNDLE_TRAILER_BYTES && a < b)
			memcpy(s->sig + (a - signed_len), p + (a - off),
			    (size_t)(b - a));
	}
	s->headlen = s->len < sizeof(s->head) ? (size_t)s->len :
	    sizeof(s->head);
	cryb_hash_final(fh, s->hash);
	cryb_hash_final(ph, s->prehash);
	st = DS_OK;
out:
	cryb_hash_free(fh);
	cryb_hash_free(ph);
	ds_free(piece);
	return st;
}

/* The whole bundle in memory: borrowed (mem) or read into *own. */
static enum ds_status
src_load(const struct src *s, const unsigned char **p, unsigned char **own,
    struct ds_err *err)
{
	enum ds_status st;

	*own = NULL;
	if (s->mem != NULL) {
		*p = s->mem;
		return DS_OK;
	}
	if ((*own = ds_malloc(s->len ? (size_t)s->len : 1)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if ((st = src_read(s, 0, *own, (size_t)s->len, err)) != DS_OK) {
		ds_free(*own);
		*own = NULL;
		return st;
	}
	*p = *own;
	return DS_OK;
}

void
imp_quota_default(struct imp_quota *q)
{
	q->total = IMP_HELD_TOTAL;
	q->device = IMP_HELD_DEVICE;
	q->bundles = IMP_HELD_BUNDLES;
	q->devices = IMP_HELD_DEVICES;
}

/* A stable id per UTC day: one quota alert a day (alert is unique by
 * bundle id and kind), however many bundles are refused. */
static void
quota_day_id(unsigned char id[CRY_ID_BYTES])
{
	char day[32];

	snprintf(day, sizeof(day), "quota %lld", (long long)(ds_now() /
	    86400));
	cry_hash(id, CRY_ID_BYTES, NULL, 0, day, strlen(day));
}

/*
 * Would holding this bundle pass the caps?  *over names the cap passed
 * (0: none).  Refusing records one quota alert a day, in its own
 * transaction: the refusal itself stores nothing.
 */
static enum ds_status
quota_check(struct odb *o, const struct imp_quota *q,
    const struct bundle_header *h, uint64_t len, int *over,
    struct ds_err *err)
{
	struct odb_alert a;
	int64_t dn = 0, db = 0, tb = 0, td = 0;
	char id[33];
	enum ds_status st;

	*over = 0;
	if ((st = odb_pending_usage(o, h->device_id, &dn, &db, NULL, err)) !=
	    DS_OK ||
	    (st = odb_pending_usage(o, NULL, NULL, &tb, &td, err)) != DS_OK)
		return st;
	if (q->device != 0 && (uint64_t)db + len > q->device)
		*over = 1;
	else if (q->bundles != 0 && (uint64_t)dn + 1 > q->bundles)
		*over = 2;
	else if (q->total != 0 && (uint64_t)tb + len > q->total)
		*over = 3;
	else if (q->devices != 0 && dn == 0 && (uint64_t)td + 1 > q->devices)
		*over = 4;
	if (*over == 0)
		return DS_OK;
	memset(&a, 0, sizeof(a));
	memcpy(a.device_id, h->device_id, CRY_ID_BYTES);
	quota_day_id(a.bundle_id);
	a.kind = ODB_ALERT_QUOTA;
	a.at = ds_now();
	ds_hex_encode(h->device_id, CRY_ID_BYTES, id);
	snprintf(a.detail, sizeof(a.detail), "bundles of devices not "
	    "enrolled were refused today (the first: device %.8s, %llu "
	    "bytes): %s; %lld bytes held for %lld devices. Enroll the "
	    "devices you know, revoke the others",
	    id, (unsigned long long)len, *over == 1 ? "over the per-device "
	    "bytes" : *over == 2 ? "over the per-device bundles" : *over ==
	    3 ? "over the total bytes" : "over the number of devices",
	    (long long)tb, (long long)td);
	if ((st = odb_begin(o, err)) != DS_OK)
		return st;
	if ((st = odb_alert_put(o, &a, err)) != DS_OK) {
		odb_rollback(o);
		return st;
	}
	return odb_commit(o, err);
}

/*
 * Hold a bundle from a device the office has not approved yet.  Every key
 * that claims a pending device is kept: a bundle signed by another key
 * than the first one seen raises a competing_key alert, and `enroll`
 * takes the key whose fingerprint the clerk read on the laptop.
 */
static enum ds_status
hold(struct odb *o, const struct cry_office_sec *sec,
    const struct bundle_header *h, const struct odb_device *known,
    const unsigned char *buf, size_t len,
    const unsigned char hash[BUNDLE_HASH_BYTES], struct imp_result *res,
    struct ds_err *err)
{
	struct odb_device d;
	struct odb_alert a;
	char fa[CRY_FPR_TEXT], fb[CRY_FPR_TEXT], id[33];
	enum ds_status st;

	if ((st = odb_begin(o, err)) != DS_OK)
		return st;
	if (known == NULL) {
		memset(&d, 0, sizeof(d));
		memcpy(d.device_id, h->device_id, CRY_ID_BYTES);
		memcpy(d.sign_pk, h->device_pk, CRY_SIGN_PK_BYTES);
		d.state = ODB_DEV_PENDING;
		if ((st = odb_device_put(o, &d, err)) != DS_OK)
			goto out;
	} else if (memcmp(known->sign_pk, h->device_pk, CRY_SIGN_PK_BYTES) !=
	    0) {
		memset(&a, 0, sizeof(a));
		memcpy(a.device_id, h->device_id, CRY_ID_BYTES);
		memcpy(a.bundle_id, h->bundle_id, CRY_ID_BYTES);
		a.kind = ODB_ALERT_COMPETING_KEY;
		a.at = ds_now();
		cry_fingerprint(known->sign_pk, fa);
		cry_fingerprint(h->device_pk, fb);
		ds_hex_encode(h->device_id, CRY_ID_BYTES, id);
		/* Only the start of each fingerprint: the whole one is read
		 * on the laptop, never copied from here. */
		snprintf(a.detail, sizeof(a.detail), "two keys claim device "
		    "%.8s: fingerprints beginning %.9s and %.9s; both are "
		    "kept. Enroll only with the fingerprint the laptop shows "
		    "(doorstep sync status)", id, fa, fb);
		if ((st = odb_alert_put(o, &a, err)) != DS_OK)
			goto out;
	}
	/* The receipt before the commit: an error commits nothing. */
	if ((st = odb_pending_put(o, h->bundle_id, hash, h->device_id, buf,
	    len, err)) != DS_OK ||
	    (st = verdict(o, sec, RS_HELD, BR_DEVICE_UNKNOWN, hash, res,
	    err)) != DS_OK)
		goto out;
	if ((st = odb_commit(o, err)) != DS_OK)
		imp_result_free(res);
	return st;
out:
	odb_rollback(o);
	return st;
}

static enum ds_status
import_src(struct odb *o, const struct cry_office_sec *sec,
    const struct imp_quota *q, struct src *s, struct imp_result *res,
    struct ds_err *err)
{
	struct bundle_header h;
	struct bundle_payload *pl = NULL;
	struct odb_device dev;
	const struct odb_device *known;
	struct odb_ledger led;
	struct ds_err why_err;
	const unsigned char *buf;
	unsigned char *own = NULL, office_id[CRY_ID_BYTES],
	    kid[CRY_KEYID_BYTES];
	enum ds_status st;
	int why = BR_OK, over, pending;

	memset(res, 0, sizeof(*res));
	ds_err_clear(&why_err);
	if (s->len > BUNDLE_FILE_MAX)
		return verdict(o, sec, RS_REJECTED, BR_SIZE, NULL, res, err);
	if ((st = src_scan(s, err)) != DS_OK)
		return st;
	/* 1-2: caps and the strict header. */
	if (bundle_parse_header_prefix(s->head, s->headlen, (size_t)s->len, &h,
	    &why, &why_err) != DS_OK)
		return verdict(o, sec, RS_REJECTED, why, s->hash, res, err);
	memcpy(res->bundle_id, h.bundle_id, CRY_ID_BYTES);
	memcpy(res->device_id, h.device_id, CRY_ID_BYTES);
	memcpy(res->office_id, h.office_id, CRY_ID_BYTES);
	res->seq_lo = h.seq_lo;
	res->seq_hi = h.seq_hi;
	odb_office_id(o, office_id);
	cry_key_id(sec->box_pk, sizeof(sec->box_pk), kid);
	if (memcmp(h.office_id, office_id, CRY_ID_BYTES) != 0 ||
	    memcmp(h.office_kid, kid, sizeof(kid)) != 0)
		return verdict(o, sec, RS_REJECTED, BR_OFFICE, s->hash, res,
		    err);
	/* 3: the device key.  A pending device has no key yet: every key
	 * that claims it is held (hold). */
	st = odb_device_get(o, h.device_id, &dev, err);
	if (st != DS_OK && st != DS_ENOENT)
		return st;
	if (st == DS_OK && dev.state == ODB_DEV_REVOKED)
		return verdict(o, sec, RS_REJECTED, BR_DEVICE_REVOKED, s->hash,
		    res, err);
	known = st == DS_OK ? &dev : NULL;
	pending = known == NULL || dev.state == ODB_DEV_PENDING;
	if (!pending && memcmp(dev.sign_pk, h.device_pk, CRY_SIGN_PK_BYTES) !=
	    0)
		return verdict(o, sec, RS_REJECTED, BR_DEVICE_KEY, s->hash, res,
		    err);
	/* 4: the signature. */
	if (bundle_verify_prehash(&h, s->prehash, s->sig, &why, &why_err) !=
	    DS_OK)
		return verdict(o, sec, RS_REJECTED, why, s->hash, res, err);
	if (pending) {
		if (q != NULL && (st = quota_check(o, q, &h, s->len, &over,
		    err)) != DS_OK)
			return st;
		if (q != NULL && over)
			return verdict(o, sec, RS_REJECTED, BR_QUOTA, s->hash,
			    res, err);
		if ((st = src_load(s, &buf, &own, err)) != DS_OK)
			return st;
		st = hold(o, sec, &h, known, buf, (size_t)s->len, s->hash,
		    res, err);
		ds_free(own);
		return st;
	}
	/* 5: the ledger. */
	st = odb_ledger_get(o, h.bundle_id, &led, err);
	if (st == DS_OK)
		return replay(o, sec, &led, s->hash, res, err);
	if (st != DS_ENOENT)
		return st;
	/* 6-9: unseal, decrypt, inflate, parse. */
	if ((st = src_load(s, &buf, &own, err)) != DS_OK)
		return st;
	if (bundle_open(buf, (size_t)s->len, &h, sec, &pl, &why, &why_err) !=
	    DS_OK) {
		ds_free(own);
		if (why == BR_STORE)
			return ds_err_set(err, why_err.code, "%s", why_err.msg);
		return verdict(o, sec, RS_REJECTED, why, s->hash, res, err);
	}
	ds_free(own);
	/* 10-11: one transaction, committed durably. */
	st = store(o, sec, &h, pl, s->hash, res, err);
	bundle_payload_free(pl);
	return st;
}

enum ds_status
imp_bundle(struct odb *o, const struct cry_office_sec *sec,
    const unsigned char *buf, size_t len, struct imp_result *res,
    struct ds_err *err)
{
	struct src *s;
	enum ds_status st;

	if ((s = ds_calloc(1, sizeof(*s))) == NULL) {
		memset(res, 0, sizeof(*res));
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	s->mem = buf;
	s->len = len;
	st = import_src(o, sec, NULL, s, res, err);
	ds_free(s);
	return st;
}

enum ds_status
imp_bundle_read(struct odb *o, const struct cry_office_sec *sec,
    const struct imp_quota *q, int (*rd)(void *, uint64_t, void *, size_t),
    void *arg, uint64_t len, struct imp_result *res, struct ds_err *err)
{
	struct src *s;
	enum ds_status st;

	if ((s = ds_calloc(1, sizeof(*s))) == NULL) {
		memset(res, 0, sizeof(*res));
		return ds_err_set(err, DS_ENOMEM, NULL);
	}
	s->rd = rd;
	s->arg = arg;
	s->len = len;
	st = import_src(o, sec, q, s, res, err);
	ds_free(s);
	return st;
}

/* dir/NAME.rcpt for a bundle file path. */
static enum ds_status
receipt_path(const char *path, const char *rdir, char *out,
    struct ds_err *err)
{
	const char *base = strrchr(path, '/');
	size_t bl, dl;
	int n;

	base = base != NULL ? base + 1 : path;
	bl = strlen(base);
	if (bl > 4 && strcmp(base + bl - 4, ".dsb") == 0)
		bl -= 4;
	if (rdir != NULL)
		n = snprintf(out, PATH_MAX, "%s/%.*s.rcpt", rdir, (int)bl,
		    base);
	else {
		dl = (size_t)(base - path);
		n = snprintf(out, PATH_MAX, "%.*s%.*s.rcpt", (int)dl, path,
		    (int)bl, base);
	}
	if (n < 0 || n >= PATH_MAX)
		return ds_err_set(err, DS_ELIMIT, "receipt path too long");
	return DS_OK;
}

enum ds_status
imp_file(struct odb *o, const struct cry_office_sec *sec, const char *path,
    const char *rdir, struct imp_result *res, char *rcpt_path,
    struct ds_err *err)
{
	char rp[PATH_MAX];
	char *buf = NULL;
	size_t len = 0;
	enum ds_status st;

	memset(res, 0, sizeof(*res));
	if ((st = receipt_path(path, rdir, rp, err)) != DS_OK)
		return st;
	st = ds_file_read(path, BUNDLE_FILE_MAX, &buf, &len, err);
	if (st == DS_ELIMIT)
		st = verdict(o, sec, RS_REJECTED, BR_SIZE, NULL, res, err);
	else if (st == DS_OK)
		st = imp_bundle(o, sec, (unsigned char *)buf, len, res, err);
	ds_free(buf);
	if (st != DS_OK)
		return st;
	if (rcpt_path != NULL)
		rcpt_path[0] = '\0';
	/* Nobody could use a receipt for these: no device, or another
	 * office's laptop that trusts only its own office's key. */
	if (res->status == RS_REJECTED && (imp_not_bundle(res->reason) ||
	    res->reason == BR_OFFICE))
		return DS_OK;
	/* §7.4 step 12: the receipt leaves only after the commit. */
	if ((st = ds_file_write_atomic(rp, res->receipt, res->receipt_len,
	    0600, err)) != DS_OK)
		return st;
	if (rcpt_path != NULL)
		snprintf(rcpt_path, PATH_MAX, "%s", rp);
	return DS_OK;
}

int
imp_not_bundle(int reason)
{
	return reason == BR_SIZE || reason == BR_MAGIC ||
	    reason == BR_VERSION || reason == BR_HEADER;
}

enum ds_status
imp_ack_state(struct odb *o, const struct cry_office_sec *sec,
    const unsigned char device_id[CRY_ID_BYTES], unsigned char **out,
    size_t *outlen,
    struct ds_err *err)
{
	struct imp_result res;
	struct receipt *rc;
	enum ds_status st;
	int n_rb;

	memset(&res, 0, sizeof(res));
	memcpy(res.device_id, device_id, CRY_ID_BYTES);
	res.status = RS_ACKSTATE;
	n_rb = 0;
	if ((st = odb_alert_each(o, device_id, count_rollback, &n_rb, err)) !=
	    DS_OK)
		return st;
	res.reason = n_rb > 0 ? BR_ROLLBACK : BR_OK;
	if ((rc = ds_calloc(1, sizeof(*rc))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	st = sign_receipt(o, sec, rc, NULL, &res, err);
	ds_free(rc);
	*out = res.receipt;
	*outlen = res.receipt_len;
	return st;
}

struct enroll_ctx {
	struct odb			*o;
	const struct cry_office_sec	*sec;
	void				(*cb)(void *, const struct imp_result *);
	void				*arg;
	unsigned char			 ids[64][CRY_ID_BYTES];
	size_t				 n;
};

static int
collect_cb(void *arg, const unsigned char *id, const unsigned char *b,
    size_t len)
{
	struct enroll_ctx *c = arg;

	(void)b;
	(void)len;
	if (c->n < 64)
		memcpy(c->ids[c->n++], id, CRY_ID_BYTES);
	return 0;
}

struct one_ctx {
	const unsigned char	*id;
	unsigned char		*copy;
	size_t			 len;
};

static int
fetch_cb(void *arg, const unsigned char *id, const unsigned char *b,
    size_t len)
{
	struct one_ctx *c = arg;

	if (memcmp(id, c->id, CRY_ID_BYTES) != 0 || c->copy != NULL)
		return 0;
	if ((c->copy = ds_malloc(len ? len : 1)) != NULL) {
		memcpy(c->copy, b, len);
		c->len = len;
	}
	return 1;
}

/*
 * The key the fingerprint names among every key that claims the device:
 * the one on record and those of its held bundles (and of `bundle`).
 * *found 0 when none matches.
 */
static enum ds_status
enroll_key(struct odb *o, const struct odb_device *d, const char *fpr,
    const struct bundle_header *bh, unsigned char pk[CRY_SIGN_PK_BYTES],
    int *found, struct ds_err *err)
{
	struct enroll_ctx *c;
	struct one_ctx one;
	struct bundle_header h;
	enum ds_status st = DS_OK;
	size_t i;
	int why;

	*found = 0;
	if (cry_fingerprint_match(d->sign_pk, fpr)) {
		memcpy(pk, d->sign_pk, CRY_SIGN_PK_BYTES);
		*found = 1;
		return DS_OK;
	}
	if (bh != NULL && cry_fingerprint_match(bh->device_pk, fpr)) {
		memcpy(pk, bh->device_pk, CRY_SIGN_PK_BYTES);
		*found = 1;
		return DS_OK;
	}
	if (d->state != ODB_DEV_PENDING)
		return DS_OK;	/* an enrolled device has one key */
	if ((c = ds_calloc(1, sizeof(*c))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	/* The held bundles were capped when they came: at most a few. */
	if ((st = odb_pending_each(o, d->device_id, collect_cb, c, err)) !=
	    DS_OK)
		goto out;
	for (i = 0; i < c->n && !*found; i++) {
		one.id = c->ids[i];
		one.copy = NULL;
		one.len = 0;
		if ((st = odb_pending_each(o, d->device_id, fetch_cb, &one,
		    err)) != DS_OK)
			break;
		if (one.copy != NULL && bundle_parse_header(one.copy, one.len,
		    &h, &why, NULL) == DS_OK &&
		    cry_fingerprint_match(h.device_pk, fpr)) {
			memcpy(pk, h.device_pk, CRY_SIGN_PK_BYTES);
			*found = 1;
		}
		ds_free(one.copy);
	}
out:
	ds_free(c);
	return st;
}

enum ds_status
imp_held_keys(struct odb *o, const unsigned char device_id[CRY_ID_BYTES],
    struct imp_held_key *out, size_t max, size_t *n, struct ds_err *err)
{
	struct enroll_ctx *c;
	struct one_ctx one;
	struct bundle_header h;
	enum ds_status st;
	size_t i, k;
	int why;

	*n = 0;
	if ((c = ds_calloc(1, sizeof(*c))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if ((st = odb_pending_each(o, device_id, collect_cb, c, err)) != DS_OK)
		goto out;
	for (i = 0; i < c->n; i++) {
		one.id = c->ids[i];
		one.copy = NULL;
		one.len = 0;
		if ((st = odb_pending_each(o, device_id, fetch_cb, &one, err)) !=
		    DS_OK)
			break;
		if (one.copy != NULL && bundle_parse_header(one.copy, one.len,
		    &h, &why, NULL) == DS_OK) {
			for (k = 0; k < *n; k++)
				if (memcmp(out[k].pk, h.device_pk,
				    CRY_SIGN_PK_BYTES) == 0)
					break;
			if (k == *n && k < max) {
				memcpy(out[k].pk, h.device_pk,
				    CRY_SIGN_PK_BYTES);
				out[k].bundles = 0;
				(*n)++;
			}
			if (k < max)
				out[k].bundles++;
		}
		ds_free(one.copy);
	}
out:
	ds_free(c);
	return st;
}

enum ds_status
imp_enroll(struct odb *o, const struct cry_office_sec *sec,
    const char *prefix, const unsigned char *bundle, size_t blen,
    const char *fpr, const char *label,
    void (*cb)(void *, const struct imp_result *), void *arg,
    struct odb_device *out, size_t *dropped, struct ds_err *err)
{
	struct bundle_header h, bh;
	struct enroll_ctx *c;
	struct one_ctx one;
	struct imp_result res;
	unsigned char pk[CRY_SIGN_PK_BYTES];
	char id[33];
	enum ds_status st;
	size_t i;
	int why, more = 1, found;

	memset(out, 0, sizeof(*out));
	if (dropped != NULL)
		*dropped = 0;
	if (fpr == NULL || *fpr == '\0')
		return ds_err_set(err, DS_EINVAL, "enroll needs the laptop's "
		    "fingerprint");
	if (bundle != NULL) {
		if (bundle_parse_header(bundle, blen, &bh, &why, err) !=
		    DS_OK || bundle_verify(bundle, blen, &bh, &why, err) !=
		    DS_OK)
			return err != NULL ? err->code : DS_EPARSE;
		st = odb_device_get(o, bh.device_id, out, err);
		if (st == DS_ENOENT) {
			memcpy(out->device_id, bh.device_id, CRY_ID_BYTES);
			memcpy(out->sign_pk, bh.device_pk, CRY_SIGN_PK_BYTES);
			out->state = ODB_DEV_PENDING;
		} else if (st != DS_OK)
			return st;
	} else if (prefix == NULL)
		return ds_err_set(err, DS_EINVAL, "enroll needs a bundle or a "
		    "device id");
	else if ((st = odb_device_find(o, prefix, out, err)) != DS_OK)
		return st;
	if (out->state == ODB_DEV_REVOKED)
		return ds_err_set(err, DS_ESTATE, "device is revoked");
	if ((st = enroll_key(o, out, fpr, bundle != NULL ? &bh : NULL, pk,
	    &found, err)) != DS_OK)
		return st;
	ds_hex_encode(out->device_id, CRY_ID_BYTES, id);
	if (!found)
		return ds_err_set(err, DS_EREJECT, "no key of device %.8s has "
		    "this fingerprint", id);
	memcpy(out->sign_pk, pk, CRY_SIGN_PK_BYTES);
	out->state = ODB_DEV_ENROLLED;
	if (label != NULL)
		snprintf(out->label, sizeof(out->label), "%s", label);
	if ((st = odb_device_put(o, out, err)) != DS_OK)
		return st;
	if ((c = ds_calloc(1, sizeof(*c))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	c->o = o;
	c->sec = sec;
	/*
	 * Import held bundles in batches of 64, oldest first; those signed
	 * by another key than the one enrolled are dropped (they are not
	 * this laptop's).
	 */
	while (more && (st = odb_pending_each(o, out->device_id, collect_cb, c,
	    err)) == DS_OK) {
		more = c->n == 64;
		for (i = 0; i < c->n; i++) {
			one.id = c->ids[i];
			one.copy = NULL;
			one.len = 0;
			if ((st = odb_pending_each(o, out->device_id, fetch_cb,
			    &one, err)) != DS_OK)
				break;
			if (one.copy == NULL) {
				st = ds_err_set(err, DS_ENOMEM, NULL);
				break;
			}
			if (bundle_parse_header(one.copy, one.len, &h, &why,
			    NULL) != DS_OK || memcmp(h.device_pk, pk,
			    CRY_SIGN_PK_BYTES) != 0) {
				ds_free(one.copy);
				if (dropped != NULL)
					(*dropped)++;
				if ((st = odb_pending_del(o, c->ids[i], err))
				    != DS_OK)
					break;
				continue;
			}
			st = imp_bundle(o, sec, one.copy, one.len, &res, err);
			ds_free(one.copy);
			if (st != DS_OK)
				break;
			if (cb != NULL)
				cb(arg, &res);
			imp_result_free(&res);
			if ((st = odb_pending_del(o, c->ids[i], err)) != DS_OK)
				break;
		}
		c->n = 0;
		if (st != DS_OK)
			break;
	}
	ds_free(c);
	return st;
}

static int
drop_cb(void *arg, const unsigned char *id, const unsigned char *b,
    size_t len)
{
	struct enroll_ctx *c = arg;

	(void)b;
	(void)len;
	if (c->n < 64)
		memcpy(c->ids[c->n++], id, CRY_ID_BYTES);
	return c->n == 64;
}

enum ds_status
imp_revoke(struct odb *o, const char *prefix, struct odb_device *out,
    struct ds_err *err)
{
	struct enroll_ctx *c;
	enum ds_status st;
	size_t i;

	if ((st = odb_device_find(o, prefix, out, err)) != DS_OK)
		return st;
	if ((c = ds_calloc(1, sizeof(*c))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if ((st = odb_begin(o, err)) != DS_OK)
		goto out;
	out->state = ODB_DEV_REVOKED;
	if ((st = odb_device_put(o, out, err)) != DS_OK)
		goto fail;
	do {
		c->n = 0;
		if ((st = odb_pending_each(o, out->device_id, drop_cb, c,
		    err)) != DS_OK)
			goto fail;
		for (i = 0; i < c->n; i++)
			if ((st = odb_pending_del(o, c->ids[i], err)) != DS_OK)
				goto fail;
	} while (c->n == 64);
	st = odb_commit(o, err);
	goto out;
fail:
	odb_rollback(o);
out:
	ds_free(c);
	return st;
}
