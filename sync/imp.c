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
#include "mem.h"
#include "receipt.h"
#include "util.h"

#define SIBLINGS_MAX	16

static const char *const msg_duplicate =
    "这些记录此前已导入，无需重复操作，答案是安全的。"
    " These revisions were already imported; the answers are safe.";
static const char *const msg_held =
    "此设备尚未登记，数据包已保留，待乡镇批准设备后导入。答案是安全的。"
    " This device is not enrolled yet: the bundle is kept and will be"
    " imported once the office approves the device. The answers are safe.";

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
	if (status == RS_REJECTED)
		/* The formats stay literals at the call (-Wformat-nonliteral
		 * at -O0). */
		snprintf(res->msg, sizeof(res->msg), "数据包被拒绝（%s），乡镇"
		    "数据未作任何改动。笔记本上的答案仍然安全，请重新导出后再"
		    "试。 Bundle rejected (%s); nothing was changed at the "
		    "office. The answers are still safe on the laptop: export "
		    "again and retry.", bundle_reason_str(reason),
		    bundle_reason_str(reason));
	else if (status == RS_HELD)
		snprintf(res->msg, sizeof(res->msg), "%s", msg_held);
	if ((rc = ds_calloc(1, sizeof(*rc))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	st = sign_receipt(o, sec, rc, hash, res, err);
	ds_free(rc);
	return st;
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

/* A revision joins the record's history: forks, then the head. */
static enum ds_status
settle(struct odb *o, const unsigned char *record_uuid,
    const unsigned char *parent, const unsigned char *rev_id,
    struct imp_result *res, struct ds_err *err)
{
	enum ds_status st;

	if ((st = check_forks(o, record_uuid, parent, rev_id, res, err)) !=
	    DS_OK)
		return st;
	return odb_head_update(o, record_uuid, err);
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
				st = settle(o, h[i].record_uuid,
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

/* §7.4 step 10: the one transaction. */
static enum ds_status
store(struct odb *o, const struct cry_office_sec *sec,
    const struct bundle_header *h, const struct bundle_payload *pl,
    const unsigned char hash[BUNDLE_HASH_BYTES], struct imp_result *res,
    struct ds_err *err)
{
	struct odb_ledger l;
	struct receipt *rc = NULL;
	const struct bundle_rev *r;
	enum ds_status st;
	size_t i;
	int ins, held, settled, rollback = 0;

	if ((st = odb_begin(o, err)) != DS_OK)
		return st;
	if ((st = check_db(o, h, err)) != DS_OK)
		goto out;
	/*
	 * Revisions come parent first; one whose parent is not here (and
	 * settled) is held until it is: never a head, never half a fork.
	 */
	for (i = 0; i < pl->nrevs; i++) {
		r = &pl->revs[i];
		settled = 0;
		if (bundle_rev_has_parent(r) && (st = odb_rev_settled(o,
		    r->parent_rev_id, &settled, err)) != DS_OK)
			goto out;
		held = bundle_rev_has_parent(r) && !settled;
		if ((st = odb_rev_insert(o, r, h->device_id, h->bundle_id,
		    held, &ins, err)) != DS_OK ||
		    (st = diagnose(o, h, r, ins, &rollback, err)) != DS_OK)
			goto out;
		if (!ins) {
			res->n_dup++;
			continue;
		}
		res->n_new++;
		/* The household's case learns of the visit (docs/case.md). */
		if ((st = case_on_rev(o, r, h->device_id, err)) != DS_OK)
			goto out;
		if (held) {
			res->n_held++;
			continue;
		}
		if ((st = settle(o, r->record_uuid, bundle_rev_has_parent(r) ?
		    r->parent_rev_id : NULL, r->rev_id, res, err)) != DS_OK)
			goto out;
	}
	if ((st = release_ready(o, res, err)) != DS_OK)
		goto out;
	if ((st = odb_ack_add(o, h->device_id, h->seq_lo, h->seq_hi, err)) !=
	    DS_OK)
		goto out;
	res->status = res->n_new > 0 ? RS_IMPORTED : RS_DUPLICATE;
	/* Tell a restored laptop its ranges overlap numbers used twice. */
	res->reason = rollback ? BR_ROLLBACK : BR_OK;
	if (res->status == RS_IMPORTED)
		snprintf(res->msg, sizeof(res->msg), "已导入 %u 条新记录，答案"
		    "已安全保存在乡镇。 Imported %u new revisions; the answers "
		    "are safe at the office.", res->n_new, res->n_new);
	else
		snprintf(res->msg, sizeof(res->msg), "%s", msg_duplicate);
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
	return odb_commit(o, err);
out:
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
	if (strlen(hexprefix) < 4)
		return ds_err_set(err, DS_EINVAL, "请至少输入版本编号的前4位"
		    "（见 conflicts）。 Give at least 4 hex digits of the "
		    "revision (see `conflicts`).");
	if ((st = odb_begin(o, err)) != DS_OK)
		return st;
	if ((st = odb_held_each(o, hexprefix, find_held_cb, &f, err)) !=
	    DS_OK)
		goto out;
	if (f.n != 1) {
		if (f.n > 1)
			st = ds_err_set(err, DS_EINVAL, "有%d个等待中的版本以 %s "
			    "开头，请多输入几位。 %d waiting revisions start "
			    "with %s: give more digits.", f.n, hexprefix, f.n,
			    hexprefix);
		else
			st = ds_err_set(err, DS_ENOENT, "没有以 %s 开头的等待中版本"
			    "（见 conflicts），未作任何改动。 No waiting "
			    "revision starts with %s (see `conflicts`); nothing "
			    "was changed.", hexprefix, hexprefix);
		goto out;
	}
	/* Its parent stays unknown: forks compare without a base. */
	if ((st = odb_rev_release(o, f.h.rev_id, err)) != DS_OK ||
	    (st = settle(o, f.h.record_uuid, f.h.parent_rev_id, f.h.rev_id,
	    res, err)) != DS_OK ||
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

/* Hold a bundle from a device the office has not approved yet. */
static enum ds_status
hold(struct odb *o, const struct cry_office_sec *sec,
    const struct bundle_header *h, int known, const unsigned char *buf,
    size_t len, const unsigned char hash[BUNDLE_HASH_BYTES],
    struct imp_result *res,
    struct ds_err *err)
{
	struct odb_device d;
	enum ds_status st;

	if ((st = odb_begin(o, err)) != DS_OK)
		return st;
	if (!known) {
		memset(&d, 0, sizeof(d));
		memcpy(d.device_id, h->device_id, CRY_ID_BYTES);
		memcpy(d.sign_pk, h->device_pk, CRY_SIGN_PK_BYTES);
		d.state = ODB_DEV_PENDING;
		if ((st = odb_device_put(o, &d, err)) != DS_OK)
			goto out;
	}
	if ((st = odb_pending_put(o, h->bundle_id, hash, h->device_id, buf,
	    len, err)) != DS_OK)
		goto out;
	if ((st = odb_commit(o, err)) != DS_OK)
		return st;
	return verdict(o, sec, RS_HELD, BR_DEVICE_UNKNOWN, hash, res, err);
out:
	odb_rollback(o);
	return st;
}

enum ds_status
imp_bundle(struct odb *o, const struct cry_office_sec *sec,
    const unsigned char *buf, size_t len, struct imp_result *res,
    struct ds_err *err)
{
	struct bundle_header h;
	struct bundle_payload *pl = NULL;
	struct odb_device dev;
	struct odb_ledger led;
	struct ds_err why_err;
	unsigned char hash[BUNDLE_HASH_BYTES], office_id[CRY_ID_BYTES],
	    kid[CRY_KEYID_BYTES];
	enum ds_status st;
	int why = BR_OK;

	memset(res, 0, sizeof(*res));
	ds_err_clear(&why_err);
	if (len > BUNDLE_FILE_MAX)
		return verdict(o, sec, RS_REJECTED, BR_SIZE, NULL, res, err);
	bundle_hash(buf, len, hash);
	/* 1-2: caps and the strict header. */
	if (bundle_parse_header(buf, len, &h, &why, &why_err) != DS_OK)
		return verdict(o, sec, RS_REJECTED, why, hash, res, err);
	memcpy(res->bundle_id, h.bundle_id, CRY_ID_BYTES);
	memcpy(res->device_id, h.device_id, CRY_ID_BYTES);
	memcpy(res->office_id, h.office_id, CRY_ID_BYTES);
	res->seq_lo = h.seq_lo;
	res->seq_hi = h.seq_hi;
	odb_office_id(o, office_id);
	cry_key_id(sec->box_pk, sizeof(sec->box_pk), kid);
	if (memcmp(h.office_id, office_id, CRY_ID_BYTES) != 0 ||
	    memcmp(h.office_kid, kid, sizeof(kid)) != 0)
		return verdict(o, sec, RS_REJECTED, BR_OFFICE, hash, res, err);
	/* 3: the device key. */
	st = odb_device_get(o, h.device_id, &dev, err);
	if (st != DS_OK && st != DS_ENOENT)
		return st;
	if (st == DS_OK && dev.state == ODB_DEV_REVOKED)
		return verdict(o, sec, RS_REJECTED, BR_DEVICE_REVOKED, hash,
		    res, err);
	if (st == DS_OK && memcmp(dev.sign_pk, h.device_pk, CRY_SIGN_PK_BYTES)
	    != 0)
		return verdict(o, sec, RS_REJECTED, BR_DEVICE_KEY, hash, res,
		    err);
	/* 4: the signature. */
	if (bundle_verify(buf, len, &h, &why, &why_err) != DS_OK)
		return verdict(o, sec, RS_REJECTED, why, hash, res, err);
	if (st == DS_ENOENT || dev.state == ODB_DEV_PENDING)
		return hold(o, sec, &h, st == DS_OK, buf, len, hash, res, err);
	/* 5: the ledger. */
	st = odb_ledger_get(o, h.bundle_id, &led, err);
	if (st == DS_OK) {
		if (memcmp(led.bundle_hash, hash, BUNDLE_HASH_BYTES) != 0) {
			ds_free(led.receipt);
			return verdict(o, sec, RS_REJECTED, BR_LEDGER, hash,
			    res, err);
		}
		/* Same bundle again: the stored receipt, byte for byte. */
		res->status = led.status;
		res->reason = BR_OK;
		res->replay = 1;
		res->receipt = led.receipt;
		res->receipt_len = led.receipt_len;
		snprintf(res->msg, sizeof(res->msg), "%s", msg_duplicate);
		{
			struct receipt *rc = ds_calloc(1, sizeof(*rc));

			if (rc != NULL && receipt_parse(led.receipt,
			    led.receipt_len, rc, NULL) == DS_OK) {
				res->n_new = rc->n_new;
				res->n_dup = rc->n_dup;
				res->n_conflict = rc->n_conflict;
			}
			ds_free(rc);
		}
		return DS_OK;
	}
	if (st != DS_ENOENT)
		return st;
	/* 6-9: unseal, decrypt, inflate, parse. */
	if (bundle_open(buf, len, &h, sec, &pl, &why, &why_err) != DS_OK) {
		if (why == BR_STORE)
			return ds_err_set(err, why_err.code, "%s", why_err.msg);
		return verdict(o, sec, RS_REJECTED, why, hash, res, err);
	}
	/* 10-11: one transaction, committed durably. */
	st = store(o, sec, &h, pl, hash, res, err);
	bundle_payload_free(pl);
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
	    0644, err)) != DS_OK)
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
	snprintf(res.msg, sizeof(res.msg), "乡镇已确认收到的记录。 What the "
	    "office holds for this device.");
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

enum ds_status
imp_enroll(struct odb *o, const struct cry_office_sec *sec,
    const char *prefix, const unsigned char *bundle, size_t blen,
    const char *label, void (*cb)(void *, const struct imp_result *),
    void *arg, struct odb_device *out, struct ds_err *err)
{
	struct bundle_header h;
	struct enroll_ctx *c;
	struct one_ctx one;
	struct imp_result res;
	enum ds_status st;
	size_t i;
	int why, more = 1;

	memset(out, 0, sizeof(*out));
	if (bundle != NULL) {
		if (bundle_parse_header(bundle, blen, &h, &why, err) != DS_OK ||
		    bundle_verify(bundle, blen, &h, &why, err) != DS_OK)
			return err != NULL ? err->code : DS_EPARSE;
		st = odb_device_get(o, h.device_id, out, err);
		if (st == DS_ENOENT) {
			memcpy(out->device_id, h.device_id, CRY_ID_BYTES);
			memcpy(out->sign_pk, h.device_pk, CRY_SIGN_PK_BYTES);
			out->state = ODB_DEV_PENDING;
		} else if (st != DS_OK)
			return st;
		else if (memcmp(out->sign_pk, h.device_pk, CRY_SIGN_PK_BYTES)
		    != 0)
			return ds_err_set(err, DS_EREJECT, "the bundle's "
			    "device key differs from the one on record");
	} else if (prefix == NULL)
		return ds_err_set(err, DS_EINVAL, "enroll needs a bundle or a "
		    "device id");
	else if ((st = odb_device_find(o, prefix, out, err)) != DS_OK)
		return st;
	if (out->state == ODB_DEV_REVOKED)
		return ds_err_set(err, DS_ESTATE, "device is revoked");
	out->state = ODB_DEV_ENROLLED;
	if (label != NULL)
		snprintf(out->label, sizeof(out->label), "%s", label);
	if ((st = odb_device_put(o, out, err)) != DS_OK)
		return st;
	if ((c = ds_calloc(1, sizeof(*c))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	c->o = o;
	c->sec = sec;
	/* Import held bundles in batches of 64, oldest first. */
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
