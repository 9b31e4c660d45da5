/* doorstep: the laptop side of sync: build bundles, apply receipts. */
#ifndef DS_PACK_H
#define DS_PACK_H

/*
 * The delta is every outbox row no verified receipt covers yet, each as
 * that row's revision, a full snapshot (store_outbox_pending): the office
 * gets every revision, parents before children.  pack_build
 * makes the signed bundle in memory; pack_export also writes it durably
 * (temp, fsync, rename, dir fsync) and records it as sent in the store.
 * A receipt changes laptop state only after receipt_open verified it with
 * the pinned office key; it retires exactly the sequence ranges it lists.
 * Losing a receipt costs nothing: the next bundle covers the same rows,
 * and the office's ledger and rev_id make the repeat harmless.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "cry.h"
#include "receipt.h"
#include "status.h"
#include "store.h"
#include "xport.h"

struct pack_opts {
	const char	*worker;	/* worker id carried per revision */
	const char	*app_ver;	/* NULL: DS_VERSION or "0" */
	uint32_t	 chunk_size;	/* 0: default */
	/* Answer names searched (depth first) for the household key;
	 * NULL: "hh_id", then "household_key". */
	const char	*household_field;
	/* Start after this outbox sequence number (0: at the first pending
	 * row); a caller writing several bundles passes the last seq_hi. */
	int64_t		 after_seq;
	/* Cap on one bundle's answers, bytes; 0: PACK_BUNDLE_BYTES. */
	size_t		 max_bytes;
};

/* One bundle carries at most this much answer text before deflate; the
 * rest goes in the next bundle (well under BUNDLE_FILE_MAX). */
#define PACK_BUNDLE_BYTES	(32u << 20)

struct pack_result {
	unsigned char	 bundle_id[STORE_ID_BYTES];
	unsigned char	 hash[STORE_HASH_BYTES];	/* BLAKE2b-256, file */
	int64_t		 seq_lo, seq_hi;
	size_t		 n_records;	/* revisions in the bundle */
	size_t		 size;
	int		 more;		/* rows after seq_hi still wait */
	size_t		 n_bundles;	/* files pack_export wrote */
	char		 path[PATH_MAX];	/* pack_export only */
};

/*
 * Build a bundle of everything pending.  DS_ENOENT "nothing to send" when
 * the outbox is drained.  *out (the file bytes) is the caller's (ds_free).
 */
enum ds_status	 pack_build(struct store *,
		    const unsigned char device_id[STORE_ID_BYTES],
		    const struct cry_signkey *, const struct cry_office_pub *,
		    const struct pack_opts *, unsigned char **out,
		    size_t *outlen, struct pack_result *, struct ds_err *);

/*
 * pack_build, then write the file: into `out` itself when it ends in
 * ".dsb", else under the directory `out` as
 * doorstep/outbox/<device>/<lo>-<hi>-<bundle>.dsb (the USB layout), then
 * mark the rows sent.  Into a folder it writes as many bundles as the
 * rows need (*res: the last file, the whole range and totals); to a named
 * file only one, with res->more set if rows remain (call again with
 * opts.after_seq = res->seq_hi).
 */
enum ds_status	 pack_export(struct store *,
		    const unsigned char device_id[STORE_ID_BYTES],
		    const struct cry_signkey *, const struct cry_office_pub *,
		    const struct pack_opts *, const char *out,
		    struct pack_result *, struct ds_err *);

/*
 * Verify a receipt (pinned office key, this device) and retire the outbox
 * rows its ranges cover.  A rejected or held receipt verifies but retires
 * nothing.  Ranges beyond any sequence number this store issued mean it
 * was restored from a backup (store_outbox_rollback): rows at or below
 * the office's highest number are then retired only by a receipt for the
 * bundle that carried them.  The rollback and the acknowledgements are one
 * store transaction (store_outbox_receipt): an error changes nothing.
 * DS_ECRYPTO / DS_EREJECT for a receipt not to be trusted.
 */
enum ds_status	 pack_apply_receipt(struct store *,
		    const unsigned char device_id[STORE_ID_BYTES],
		    const struct cry_office_pub *, const unsigned char *buf,
		    size_t len, struct receipt *out, struct ds_err *);

/* ---- HTTP (pack_push.c) ------------------------------------------ */

struct push_opts {
	unsigned		 tries;		/* 0: 5 */
	unsigned		 backoff_ms;	/* first wait; doubles; 0: 1000 */
	struct xport_opts	 x;
	/*
	 * The wait before try `next` of `tries` (2..tries), ms long; NULL:
	 * sleep.  Called with x.arg.  Return nonzero to cancel the push
	 * (DS_ECANCEL).  A screen uses it to count down and read Esc.
	 */
	int			(*wait)(void *, unsigned ms, unsigned next,
				    unsigned tries);
};

/*
 * Build bundles (as many as the pending rows need, each after the last)
 * and PUT each to the office at base_url until a receipt
 * that verifies comes back, waiting with exponential back-off between
 * tries.  Any unclear outcome (no answer, 5xx, a body that is not a valid
 * receipt) sends the SAME bundle again.  On a verified receipt it is
 * applied (pack_apply_receipt) and copied to *rc.  DS_EREJECT when the
 * office rejected the bundle (rc says why); DS_ENET when every try
 * failed; DS_ECRYPTO at once, without retrying, when the https server
 * could not be trusted (xport.h); DS_ENOENT when nothing is pending;
 * DS_ECANCEL when the progress or wait callback cancelled (the rows stay
 * pending: only a verified receipt retires them, so the next push sends
 * them again).  *res and *rc describe the last bundle sent;
 * res->n_records counts the revisions of all of them.
 */
enum ds_status	 pack_push(struct store *,
		    const unsigned char device_id[STORE_ID_BYTES],
		    const struct cry_signkey *, const struct cry_office_pub *,
		    const struct pack_opts *, const char *base_url,
		    const struct push_opts *, struct pack_result *,
		    struct receipt *rc, struct ds_err *);

/* GET the office's ack state for this device and apply it. */
enum ds_status	 pack_fetch_acks(struct store *,
		    const unsigned char device_id[STORE_ID_BYTES],
		    const struct cry_office_pub *, const char *base_url,
		    const struct push_opts *, struct receipt *rc,
		    struct ds_err *);

#endif
