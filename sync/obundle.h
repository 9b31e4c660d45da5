/* doorstep: the office bundle v1 (office -> one laptop): build, read. */
#ifndef DS_OBUNDLE_H
#define DS_OBUNDLE_H

/*
 * An office bundle carries one laptop's visit-list entries, withdrawals
 * of entries, previous answers and form files (docs/bundle-format.md,
 * "Office bundle file"; flows in docs/case.md).  It is the laptop bundle's
 * container with the roles swapped: a fixed 248-byte header, the payload
 * deflated and encrypted in secretstream chunks under a key sealed to the
 * device's X25519 box key, and an Ed25519 trailer by the office signing
 * key over "DSOBND-v1" || BLAKE2b-512(HEADER || PAYLOAD).
 *
 * Reading follows docs/bundle-format.md "Reading order (laptop)":
 * obundle_parse_header (caps, strict fields, exact file length),
 * obundle_check_for (this laptop, the pinned office and key, this box
 * key), obundle_verify (signature), the caller's sequence and chain
 * checks, obundle_open (unseal, decrypt, inflate, strict payload parse).
 * Nothing is inflated or parsed before the signature verifies.  Every
 * failure names an enum obundle_reason; nothing here prints.
 */
#include <stddef.h>
#include <stdint.h>

#include "bundle.h"
#include "cry.h"
#include "status.h"

#define OBUNDLE_MAGIC		"DSOBND"
#define OBUNDLE_VERSION		1
#define OBUNDLE_SIGN_DOMAIN	"DSOBND-v1"
#define OBUNDLE_HEADER_LEN	248
#define OBUNDLE_FILE_MAX	BUNDLE_FILE_MAX
#define OBUNDLE_PLAIN_MAX	BUNDLE_PLAIN_MAX
#define OBUNDLE_ITEMS_MAX	100000
#define OBUNDLE_FORM_FILE_MAX	(16u << 20)	/* one form or CSV file */
#define OBUNDLE_ENTRY_MAX	(1u << 20)	/* one entry's JSON */
#define OBUNDLE_NAME_MAX	128		/* a form file name */
#define OBUNDLE_FILES_MAX	1024		/* file items per bundle */
#define OBUNDLE_HASH_BYTES	BUNDLE_HASH_BYTES

/* Why an office bundle was refused.  Stable numbers. */
#define OBUNDLE_REASONS(X)						\
	X(OB_OK, 0, "ok")						\
	X(OB_SIZE, 1, "file too large or too small")			\
	X(OB_MAGIC, 2, "not an office bundle")				\
	X(OB_VERSION, 3, "unknown office bundle version")		\
	X(OB_HEADER, 4, "malformed header")				\
	X(OB_LENGTH, 5, "file length does not match header")		\
	X(OB_DEVICE, 6, "bundle is for another laptop")			\
	X(OB_OFFICE, 7, "bundle is from another office or key")		\
	X(OB_BOXKEY, 8, "bundle is sealed to another box key")		\
	X(OB_SIGNATURE, 9, "bad signature")				\
	X(OB_APPLIED, 10, "already applied")				\
	X(OB_GAP, 11, "an earlier office bundle is missing")		\
	X(OB_CHAIN, 12, "does not follow the last applied bundle")	\
	X(OB_SEAL, 13, "bundle key not sealed to this laptop")		\
	X(OB_STREAM, 14, "payload does not authenticate")		\
	X(OB_TRUNCATED, 15, "payload stream ends early")		\
	X(OB_INFLATE, 16, "payload does not decompress")		\
	X(OB_PAYLOAD, 17, "malformed payload")				\
	X(OB_STORE, 18, "workspace error")

enum obundle_reason {
#define OB_X(name, num, msg) name = num,
	OBUNDLE_REASONS(OB_X)
#undef OB_X
	OB_COUNT
};

/* Developer text ("bad signature"); never NULL. */
const char	*obundle_reason_str(int reason);
/* Symbolic name ("OB_SIGNATURE"); never NULL. */
const char	*obundle_reason_name(int reason);

struct obundle_header {
	uint16_t		 version;
	uint32_t		 header_len;
	unsigned char		 bundle_id[CRY_ID_BYTES];
	unsigned char		 office_id[CRY_ID_BYTES];
	unsigned char		 office_kid[CRY_KEYID_BYTES];	/* signing */
	unsigned char		 device_id[CRY_ID_BYTES];
	unsigned char		 box_kid[CRY_KEYID_BYTES];
	uint64_t		 seq;
	unsigned char		 prev_hash[OBUNDLE_HASH_BYTES];
	int64_t			 created_at;	/* informational only */
	uint32_t		 chunk_size;
	uint64_t		 plain_len;
	uint64_t		 comp_len;
	unsigned char		 sealed_key[80];
	unsigned char		 ss_header[24];
	/* derived */
	uint32_t		 chunk_count;
	size_t			 file_len;
};

enum obundle_kind {
	OBI_FILE = 1,		/* a form file or one of its CSV lists */
	OBI_ENTRY = 2,		/* a visit-list entry (JSON) */
	OBI_WITHDRAW = 3	/* an entry taken back */
};

enum obundle_role {
	OB_ROLE_FORM = 1,
	OB_ROLE_LIST = 2
};

/*
 * One item.  For obundle_build the caller owns what the pointers reach;
 * in a parsed payload they point into its plaintext.
 *   OBI_FILE      form_id, form_ver, name, role, data (the file)
 *   OBI_ENTRY     entry_id, data (the entry JSON object)
 *   OBI_WITHDRAW  entry_id, data (the reason, printable ASCII)
 */
struct obundle_item {
	int			 kind;		/* enum obundle_kind */
	unsigned char		 entry_id[CRY_ID_BYTES];
	struct bundle_bytes	 form_id, form_ver, name;
	int			 role;		/* enum obundle_role */
	struct bundle_bytes	 data;
};

struct obundle_payload {
	unsigned char		*plain;		/* wiped by _free */
	size_t			 plain_len;
	struct obundle_item	*items;
	size_t			 n, n_files, n_entries, n_withdrawals;
};

/* What the builder needs beyond the items and the office key. */
struct obundle_meta {
	unsigned char		 device_id[CRY_ID_BYTES];
	unsigned char		 box_pk[CRY_BOX_PK_BYTES];	/* device's */
	uint64_t		 seq;		/* >= 1 */
	unsigned char		 prev_hash[OBUNDLE_HASH_BYTES];	/* seq - 1 */
	int64_t			 created_at;
	uint32_t		 chunk_size;	/* 0: BUNDLE_CHUNK_DEFAULT */
	int			 test_no_final;	/* tests: omit TAG_FINAL */
};

/*
 * Build a signed office bundle of n items (1 <= n <= OBUNDLE_ITEMS_MAX)
 * for one device.  The items must pass the parser's rules (the built
 * payload is parsed before it is sealed, so the office never sends what
 * a laptop refuses: DS_EINVAL naming the rule).  A fresh random bundle id
 * goes to bundle_id.  *out (the file, *outlen bytes) is the caller's
 * (ds_free).  The plaintext is wiped before return.
 */
enum ds_status	 obundle_build(const struct obundle_meta *,
		    const struct obundle_item *, size_t n,
		    const struct cry_office_sec *office,
		    unsigned char bundle_id[CRY_ID_BYTES], unsigned char **out,
		    size_t *outlen, struct ds_err *);

/* BLAKE2b-256 of the whole file: the bundle hash (chain and notes). */
void		 obundle_hash(const unsigned char *buf, size_t len,
		    unsigned char out[OBUNDLE_HASH_BYTES]);

/* Strict header parse: caps, magic, version, fields, exact length. */
enum ds_status	 obundle_parse_header(const unsigned char *buf, size_t len,
		    struct obundle_header *, int *why, struct ds_err *);

/*
 * Is the bundle for this laptop?  device id (OB_DEVICE), office id and
 * the pinned office signing key's id (OB_OFFICE), this laptop's box key
 * id (OB_BOXKEY).
 */
enum ds_status	 obundle_check_for(const struct obundle_header *,
		    const unsigned char device_id[CRY_ID_BYTES],
		    const struct cry_office_pub *,
		    const unsigned char box_pk[CRY_BOX_PK_BYTES], int *why,
		    struct ds_err *);

/* The office signature, with the pinned signing key (OB_SIGNATURE). */
enum ds_status	 obundle_verify(const unsigned char *buf, size_t len,
		    const struct obundle_header *,
		    const unsigned char office_sign_pk[CRY_SIGN_PK_BYTES],
		    int *why, struct ds_err *);

/*
 * Unseal with the device box key, decrypt (TAG_FINAL exactly on the last
 * chunk), inflate capped at plain_len, then obundle_payload_parse.  Call
 * only after obundle_verify.  *out is the caller's (obundle_payload_free).
 */
enum ds_status	 obundle_open(const unsigned char *buf, size_t len,
		    const struct obundle_header *, const struct cry_boxkey *,
		    struct obundle_payload **out, int *why, struct ds_err *);

/*
 * Strict payload parse: magic, item count, every length within its cap
 * and consumed exactly, known kinds and roles, file names plain, a form's
 * files together with exactly one form file (at most OBUNDLE_FILES_MAX
 * files), no entry twice, entry JSON
 * per obundle_entry_check, nothing after the last item.  Takes ownership
 * of plain (ds_malloc'd; wiped and freed on failure too).  Exposed for the
 * fuzzer.
 */
enum ds_status	 obundle_payload_parse(unsigned char *plain, size_t len,
		    struct obundle_payload **out, struct ds_err *);
void		 obundle_payload_free(struct obundle_payload *);
/*
 * Append the payload of n items to pl ("DSOP", count, items), unchecked:
 * obundle_build parses what this makes before sealing it.  Exposed so a
 * golden test can compare a decrypted payload byte for byte.
 */
struct ds_buf;
enum ds_status	 obundle_payload_make(const struct obundle_item *, size_t n,
		    struct ds_buf *pl, struct ds_err *);

/*
 * The entry JSON rules (docs/bundle-format.md): exactly the documented
 * keys, each of its type; "entry" equal to entry_id in hex; reason one of
 * the eight; due a date; clue and consent objects of their own keys or
 * null; prev an object or null.  0 if it passes, else -1 and *msg says
 * what failed (NULL: out of memory, nothing said about the entry).
 */
int		 obundle_entry_check(const char *json, size_t n,
		    const unsigned char entry_id[CRY_ID_BYTES],
		    const char **msg);

/* 1 if s (n bytes) is a calendar date YYYY-MM-DD. */
int		 obundle_date_ok(const char *s, size_t n);

/* "clue", "routine", ..., in the order of the reason codes; NULL ends. */
extern const char *const obundle_entry_reasons[];

#endif
