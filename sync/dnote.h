/* doorstep: the device note v1 (laptop -> office): box key, applied. */
#ifndef DS_DNOTE_H
#define DS_DNOTE_H

/*
 * A device note is 216 bytes, signed by the device (docs/bundle-format.md
 * "Device note"): which laptop, for which office, its signing and box
 * public keys, and the highest office bundle it applied with that
 * bundle's hash.  The office learns a laptop's box key from its first
 * note and what it applied from every note.  Nothing here prints.
 */
#include <stddef.h>
#include <stdint.h>

#include "cry.h"
#include "status.h"

#define DNOTE_MAGIC		"DSNOTE"
#define DNOTE_VERSION		1
#define DNOTE_SIGN_DOMAIN	"DSNOTE-v1"
#define DNOTE_LEN		216
#define DNOTE_SIGNED_LEN	152	/* bytes the signature covers */
#define DNOTE_HASH_BYTES	32

struct dnote {
	unsigned char	device_id[CRY_ID_BYTES];
	unsigned char	office_id[CRY_ID_BYTES];
	unsigned char	sign_pk[CRY_SIGN_PK_BYTES];
	unsigned char	box_pk[CRY_BOX_PK_BYTES];
	uint64_t	applied_seq;	/* 0: none applied */
	unsigned char	applied_hash[DNOTE_HASH_BYTES];	/* zero if none */
	int64_t		created_at;	/* device clock, informational */
};

/*
 * Lay out and sign a note.  n->sign_pk must be key's public key, and
 * applied_hash zero exactly when applied_seq is 0 (DS_EINVAL).
 */
enum ds_status	 dnote_build(const struct dnote *, const struct cry_signkey *,
		    unsigned char out[DNOTE_LEN], struct ds_err *);

/*
 * Parse a note: exactly DNOTE_LEN bytes, magic, version, the signature by
 * the key it carries (checked before any other field is read), applied
 * hash zero exactly when applied_seq is 0.  DS_EPARSE or DS_ECRYPTO with
 * the reason.  The caller then checks that the key is the one it knows
 * for that device and that the office id is its own.
 */
enum ds_status	 dnote_parse(const unsigned char *buf, size_t len,
		    struct dnote *out, struct ds_err *);

#endif
