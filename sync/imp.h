/* doorstep: the office importer: bundle in, rows and signed receipt out. */
#ifndef DS_IMP_H
#define DS_IMP_H

/*
 * imp_bundle runs crypto-sync.md §7.4 in order: size caps and a strict
 * header parse; the office check; the device (unknown or pending: held
 * after its signature verifies, whatever key signed it -- competing keys
 * are all kept until `enroll` picks one by its fingerprint; revoked:
 * rejected; enrolled: its pinned key must match); the signature; the ledger (same bundle id and hash: the
 * stored receipt again; same id, other hash: rejected); unseal, decrypt
 * requiring TAG_FINAL, inflate capped; strict parse; then ONE transaction
 * storing revisions idempotently by rev_id, heads, fork flags, the
 * device's acknowledged range, the signed receipt and the ledger row.
 *
 * A refusal changes no row (but for one quota alert a day, below).
 * Every outcome (imported, duplicate, rejected,
 * held) yields a signed receipt.  imp_bundle returns an error status only
 * when it could not reach a verdict (database or memory failure); then
 * nothing was committed and the bundle can simply be imported again.
 */
#include <stddef.h>
#include <stdint.h>

#include "cry.h"
#include "odb.h"
#include "status.h"

struct imp_result {
	int		 status;	/* enum receipt_status */
	int		 reason;	/* enum bundle_reason */
	unsigned char	 bundle_id[CRY_ID_BYTES];
	unsigned char	 device_id[CRY_ID_BYTES];
	unsigned char	 office_id[16];	/* the office the bundle names */
	uint32_t	 n_new, n_dup, n_conflict;
	uint32_t	 n_held;	/* new, waiting for their parent */
	uint32_t	 n_released;	/* held before, settled now */
	uint64_t	 seq_lo, seq_hi;
	int		 replay;	/* seen before: the stored receipt */
	unsigned char	*receipt;	/* signed receipt; imp_result_free */
	size_t		 receipt_len;
	/* The receipt's text: the verdict as a code ("imported",
	 * "rejected: REASON"), never words (docs/sync.md). */
	char		 msg[512];
};

enum ds_status	 imp_bundle(struct odb *, const struct cry_office_sec *,
		    const unsigned char *buf, size_t len,
		    struct imp_result *, struct ds_err *);

/*
 * What devices the office has not enrolled may leave in office.db when
 * they send over HTTP (docs/sync.md, "Threat model").  A bundle past a
 * cap is refused (BR_QUOTA, HTTP 429) and a quota alert is recorded once
 * a day.  A USB import has no caps: the clerk holds the stick.  0: no
 * cap on that count.
 */
struct imp_quota {
	uint64_t	total;		/* bytes held, every device */
	uint64_t	device;		/* bytes held for one device */
	uint32_t	bundles;	/* bundles held for one device */
	uint32_t	devices;	/* devices holding bundles */
};
#define IMP_HELD_TOTAL		(128u << 20)
#define IMP_HELD_DEVICE		(16u << 20)
#define IMP_HELD_BUNDLES	8
#define IMP_HELD_DEVICES	32
void		 imp_quota_default(struct imp_quota *);

/*
 * imp_bundle for a body of len bytes behind a reader (the receiver's
 * spool file): rd(arg, off, buf, n) fills buf with bytes [off, off + n)
 * and returns 0, or -1 (DS_EIO).  It is read once to hash and check, and
 * into memory only when the signature verifies and the device may leave
 * it: an enrolled device's bundle, or one within the quota q (NULL: no
 * caps).  So a body of junk, or signed by nobody the office knows, costs
 * a pass over the file and no memory.
 */
enum ds_status	 imp_bundle_read(struct odb *, const struct cry_office_sec *,
		    const struct imp_quota *q,
		    int (*rd)(void *, uint64_t, void *, size_t), void *arg,
		    uint64_t len, struct imp_result *, struct ds_err *);
void		 imp_result_free(struct imp_result *);

/*
 * Import the bundle file at `path` and write its receipt durably to
 * `rcpt_dir`/NAME.rcpt (NAME = the bundle's file name without ".dsb"), or
 * next to the bundle when rcpt_dir is NULL.  The receipt path goes to
 * rcpt_path (PATH_MAX bytes) when not NULL.  No receipt is written, and
 * rcpt_path is "", for a file that is not a bundle (imp_not_bundle: no
 * header names a device to answer) or a bundle made for another office
 * (BR_OFFICE: its laptop trusts only that office's key).
 */
enum ds_status	 imp_file(struct odb *, const struct cry_office_sec *,
		    const char *path, const char *rcpt_dir,
		    struct imp_result *, char *rcpt_path, struct ds_err *);

/* 1 when a rejection reason means the file is not a doorstep bundle at
 * all (size, magic, version, header). */
int		 imp_not_bundle(int reason);

/* A fresh signed ack-state receipt for a device (GET .../acks). */
enum ds_status	 imp_ack_state(struct odb *, const struct cry_office_sec *,
		    const unsigned char device_id[CRY_ID_BYTES],
		    unsigned char **out,
		    size_t *outlen, struct ds_err *);

/*
 * Approve a device and import the bundles held for it; cb (may be NULL)
 * sees each result.  The device is known by a hex id prefix, or, when
 * `bundle`/`blen` is given instead, by a bundle it signed (the signature
 * must verify).  fpr is the fingerprint the laptop shows (cry_fingerprint;
 * read on the laptop, never copied from the office's own output): the
 * key it names, among every key that claims the device, is enrolled
 * (DS_EINVAL without one, DS_EREJECT when no key matches: nothing
 * changes).  Held bundles signed by other keys are dropped, counted in
 * *dropped (may be NULL).  An already enrolled device is fine (held
 * bundles are retried) with its own fingerprint; a revoked one is refused
 * (DS_ESTATE).
 */
enum ds_status	 imp_enroll(struct odb *, const struct cry_office_sec *,
		    const char *hexprefix, const unsigned char *bundle,
		    size_t blen, const char *fpr, const char *label,
		    void (*cb)(void *, const struct imp_result *), void *arg,
		    struct odb_device *out, size_t *dropped, struct ds_err *);

/* A key that claims a pending device, and how many held bundles it signed. */
struct imp_held_key {
	unsigned char	pk[CRY_SIGN_PK_BYTES];
	size_t		bundles;
};
/* The distinct keys of a device's held bundles (at most max; *n). */
enum ds_status	 imp_held_keys(struct odb *,
		    const unsigned char device_id[CRY_ID_BYTES],
		    struct imp_held_key *out, size_t max, size_t *n,
		    struct ds_err *);

/*
 * Accept a revision that waits for a parent which will not come (hex id
 * prefix, >= 4 digits, naming exactly one waiting revision): it joins its
 * record's history now, forks compared without a base, and its own
 * waiting children follow.  *out (may be NULL) describes it.  Nothing
 * changes on DS_EINVAL (a prefix shorter than IMP_PREFIX_MIN, or one that
 * names several) or DS_ENOENT (none waits): the caller words them.
 */
#define IMP_PREFIX_MIN	4	/* hex digits naming a waiting revision */
enum ds_status	 imp_release(struct odb *, const char *hexprefix,
		    struct odb_held *out, struct imp_result *,
		    struct ds_err *);

/* Revoke a device (by hex id prefix) and drop its held bundles. */
enum ds_status	 imp_revoke(struct odb *, const char *hexprefix,
		    struct odb_device *out, struct ds_err *);

/*
 * Compare two revisions of one parent (answers JSON texts; base NULL when
 * the parent is unknown here): *conflict is 1 when some question changed
 * on both sides to different values, and `questions` lists those (or, for
 * a parallel update, every changed question), comma-separated, sorted,
 * truncated with "..." to fit qmax bytes.  Questions are answer paths such
 * as "income_wage" or "members[2]/name".
 */
enum ds_status	 imp_fork_compare(const char *base, const char *a,
		    const char *b, int *conflict, char *questions,
		    size_t qmax, struct ds_err *);

#endif
