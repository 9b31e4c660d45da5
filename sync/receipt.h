/* doorstep: signed import receipts, office to device. */
#ifndef DS_RECEIPT_H
#define DS_RECEIPT_H

/*
 * A receipt says what the office did with one bundle (imported, duplicate,
 * rejected, held) and which of the device's sequence numbers the office now
 * holds durably, as the contiguous high-water mark plus SACK-style ranges.
 * An ack-state receipt (GET /v1/devices/{id}/acks) has a zero bundle id.
 * The office signs "DSRCPT-v1" || BLAKE2b-512(body); the laptop applies a
 * receipt only after receipt_open verified it with the pinned office key.
 * Layout byte by byte in docs/bundle-format.md.
 */
#include <stddef.h>
#include <stdint.h>

#include "cry.h"
#include "status.h"

#define RECEIPT_MAGIC		"DSRCPT"
#define RECEIPT_VERSION		1
#define RECEIPT_SIGN_DOMAIN	"DSRCPT-v1"
#define RECEIPT_RANGES_MAX	512
#define RECEIPT_MSG_MAX		1024
#define RECEIPT_FIXED_LEN	145
#define RECEIPT_FILE_MAX	(RECEIPT_FIXED_LEN + 16 * RECEIPT_RANGES_MAX + \
				    2 + RECEIPT_MSG_MAX + CRY_SIG_BYTES)

enum receipt_status {
	RS_IMPORTED = 1,	/* new revisions stored */
	RS_DUPLICATE = 2,	/* every revision was already there */
	RS_REJECTED = 3,	/* refused; reason says why; nothing stored */
	RS_ACKSTATE = 4,	/* acknowledgement state only, no bundle */
	RS_HELD = 5		/* device awaiting enrollment; bundle kept */
};

struct receipt_range {
	uint64_t	lo, hi;		/* inclusive */
};

/* Plain data; about 9 KiB, so keep it off small stacks in loops. */
struct receipt {
	unsigned char		receipt_id[CRY_ID_BYTES];
	unsigned char		office_id[CRY_ID_BYTES];
	unsigned char		office_kid[CRY_KEYID_BYTES];	/* sign key */
	unsigned char		device_id[CRY_ID_BYTES];
	unsigned char		bundle_id[CRY_ID_BYTES];
	unsigned char		bundle_hash[CRY_HASH256_BYTES];
	uint8_t			status;		/* enum receipt_status */
	uint16_t		reason;		/* enum bundle_reason */
	uint64_t		contiguous;	/* 1..contiguous all held */
	uint32_t		n_new, n_dup, n_conflict;
	int64_t			office_time;
	uint16_t		nranges;
	struct receipt_range	ranges[RECEIPT_RANGES_MAX];
	char			msg[RECEIPT_MSG_MAX + 1];	/* UTF-8 */
};

/* "imported", "duplicate", ...; never NULL. */
const char	*receipt_status_str(int status);

/*
 * Encode and sign.  Ranges must be sorted, disjoint and non-adjacent, and
 * contiguous must agree with them.  *out is the caller's (ds_free).
 */
enum ds_status	 receipt_encode(const struct receipt *,
		    const struct cry_signkey *office_sign,
		    unsigned char **out, size_t *outlen, struct ds_err *);

/* Strict parse without the signature check (fuzzable).  DS_EPARSE. */
enum ds_status	 receipt_parse(const unsigned char *buf, size_t len,
		    struct receipt *out, struct ds_err *);

/*
 * Verify the signature with the office's pinned sign key, then parse and
 * check the office id: DS_ECRYPTO "receipt signature does not verify",
 * DS_EREJECT "receipt is from another office".
 */
enum ds_status	 receipt_open(const unsigned char *buf, size_t len,
		    const struct cry_office_pub *, struct receipt *out,
		    struct ds_err *);

/* 1 if seq is covered by the receipt's ranges. */
int		 receipt_covers(const struct receipt *, uint64_t seq);

#endif
