/* doorstep: the sync bundle format v1: build, parse, verify, open. */
#ifndef DS_BUNDLE_H
#define DS_BUNDLE_H

/*
 * A bundle carries record revisions from one device to one office
 * (docs/bundle-format.md has every byte).  In outline:
 *
 *   HEADER   plaintext, signed: ids, keys, sequence range, lengths,
 *            the sealed stream key and the secretstream header
 *   PAYLOAD  secretstream chunks of the zlib-deflated revision list;
 *            chunk 0 authenticates BLAKE2b-256(HEADER); the last chunk
 *            carries TAG_FINAL
 *   TRAILER  Ed25519 by the device over "DSBNDL-v1" || BLAKE2b-512(
 *            HEADER || PAYLOAD)
 *
 * The header fixes the exact file length, so a truncated or extended file
 * is refused before any cryptography.  Reading runs in the order of
 * crypto-sync.md §7.4: bundle_parse_header (caps, strict fields),
 * bundle_verify (signature; the caller first checks the device key),
 * bundle_open (unseal, decrypt requiring TAG_FINAL, inflate capped at the
 * signed plaintext length, strict payload parse).  Nothing is inflated or
 * parsed before the signature and every chunk tag verify.
 *
 * Every failure names a reason (enum bundle_reason) that receipts carry.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cry.h"
#include "cry_bundle.h"
#include "status.h"

#define BUNDLE_MAGIC		"DSBNDL"
#define BUNDLE_VERSION		1
#define BUNDLE_VERSION_ATTACH	2	/* records carry attached files */
#define BUNDLE_SIGN_DOMAIN	"DSBNDL-v1"
#define BUNDLE_FIXED_LEN	313	/* header bytes before app_ver */
#define BUNDLE_HEADER_MAX	4096
#define BUNDLE_FILE_MAX		(64u << 20)	/* FAT32-safe, §7.2 */
#define BUNDLE_PLAIN_MAX	(256u << 20)	/* inflated payload cap */
#define BUNDLE_CHUNK_DEFAULT	65536
#define BUNDLE_CHUNK_MIN	256
#define BUNDLE_CHUNK_MAX	65536
#define BUNDLE_RECORDS_MAX	100000
#define BUNDLE_FORMS_MAX	32
#define BUNDLE_STR_MAX		255	/* ids, versions, keys, names */
#define BUNDLE_ANSWERS_MAX	(1u << 20)
#define BUNDLE_AUDIT_MAX	(1u << 20)
#define BUNDLE_CONSENT_MAX	(64u << 10)
#define BUNDLE_ATTACH_MAX	(16u << 20)	/* one file (FORM_MEDIA_MAX) */
#define BUNDLE_ATTACH_PER_REV	64		/* files with one revision */
#define BUNDLE_HASH_BYTES	CRY_HASH256_BYTES /* BLAKE2b-256(file) */
#define BUNDLE_TRAILER_BYTES	CRY_SIG_BYTES

/* Why a bundle was refused.  Stable numbers: receipts carry them. */
#define BUNDLE_REASONS(X)						\
	X(BR_OK, 0, "ok")						\
	X(BR_SIZE, 1, "file too large or too small")			\
	X(BR_MAGIC, 2, "not a doorstep bundle")				\
	X(BR_VERSION, 3, "unknown bundle version")			\
	X(BR_HEADER, 4, "malformed header")				\
	X(BR_LENGTH, 5, "file length does not match header")		\
	X(BR_OFFICE, 6, "bundle is for another office")			\
	X(BR_DEVICE_UNKNOWN, 7, "device not enrolled")			\
	X(BR_DEVICE_REVOKED, 8, "device revoked")			\
	X(BR_DEVICE_KEY, 9, "device key differs from enrolled key")	\
	X(BR_SIGNATURE, 10, "bad signature")				\
	X(BR_LEDGER, 11, "bundle id reused with different content")	\
	X(BR_SEAL, 12, "bundle key not sealed to this office")		\
	X(BR_STREAM, 13, "payload does not authenticate")		\
	X(BR_TRUNCATED, 14, "payload stream ends early")		\
	X(BR_INFLATE, 15, "payload does not decompress")		\
	X(BR_PAYLOAD, 16, "malformed payload")				\
	X(BR_STORE, 17, "office database error")			\
	X(BR_ROLLBACK, 18, "device reused sequence numbers (restored)")	\
	X(BR_QUOTA, 19, "office holds enough from devices not enrolled")

enum bundle_reason {
#define BR_X(name, num, msg) name = num,
	BUNDLE_REASONS(BR_X)
#undef BR_X
	BR_COUNT
};

/* Developer text ("bad signature"); never NULL. */
const char	*bundle_reason_str(int reason);
/* Symbolic name ("BR_SIGNATURE"); never NULL. */
const char	*bundle_reason_name(int reason);

/* A byte string inside some other buffer (not NUL-terminated). */
struct bundle_bytes {
	const unsigned char	*p;
	size_t			 n;
};

struct bundle_form {
	struct bundle_bytes	 id;
	struct bundle_bytes	 ver;
};

/* The parsed header.  Byte strings point into the bundle buffer. */
struct bundle_header {
	uint16_t		 version;
	uint32_t		 header_len;
	unsigned char		 bundle_id[CRY_ID_BYTES];
	unsigned char		 device_id[CRY_ID_BYTES];
	unsigned char		 device_pk[CRY_SIGN_PK_BYTES];
	unsigned char		 device_kid[CRY_KEYID_BYTES];
	unsigned char		 office_id[CRY_ID_BYTES];
	unsigned char		 office_kid[CRY_KEYID_BYTES];
	unsigned char		 db_uuid[CRY_ID_BYTES];
	uint64_t		 seq_lo, seq_hi;
	uint32_t		 record_count;
	unsigned char		 prev_hash[BUNDLE_HASH_BYTES];
	int64_t			 created_at;	/* informational only */
	uint32_t		 schema_ver;
	uint8_t			 compression;	/* 1 = zlib */
	uint32_t		 chunk_size;
	uint64_t		 plain_len;	/* inflated payload bytes */
	uint64_t		 comp_len;	/* deflated payload bytes */
	unsigned char		 sealed_key[80];
	unsigned char		 ss_header[CRYB_SS_HEADER_BYTES];
	struct bundle_bytes	 app_ver;
	uint8_t			 nforms;
	struct bundle_form	 forms[BUNDLE_FORMS_MAX];
	/* derived */
	uint32_t		 chunk_count;
	size_t			 file_len;
};

/* A file attached to a media question: its name (the answer) and bytes. */
struct bundle_att {
	struct bundle_bytes	 name;
	struct bundle_bytes	 data;
};

/*
 * One record revision: a full snapshot (crypto-sync.md §7.1).  For
 * bundle_build the caller owns everything the pointers reach; in a parsed
 * payload they point into the payload's plaintext.
 */
struct bundle_rev {
	unsigned char		 record_uuid[CRY_ID_BYTES];
	unsigned char		 rev_id[CRY_ID_BYTES];
	unsigned char		 parent_rev_id[CRY_ID_BYTES];	/* zero: none */
	uint32_t		 rev_no;
	uint64_t		 device_seq;
	int64_t			 t_start, t_end, saved_at;
	int			 deleted;
	struct bundle_bytes	 form_id, form_ver, household_key, worker_id;
	struct bundle_bytes	 answers;	/* canonical JSON object */
	struct bundle_bytes	 audit;		/* JSON array */
	struct bundle_bytes	 consent;	/* JSON, or empty for none */
	/* The files first saved with this revision (version 2 only): the
	 * caller's for bundle_build; in a parsed payload, owned by it. */
	struct bundle_att	*att;
	size_t			 natt;
};

/* ---- framing helpers, shared with obundle.c and dnote.c ------------- */

/* Append a length byte and n bytes (n <= 255). */
enum ds_status	 bundle_put_str8(struct ds_buf *, const void *, size_t n);
/*
 * Read a byte string whose length is a lenbytes-byte integer, at most max,
 * pointing into r; -1 (and r->bad) if it does not fit.
 */
int		 bundle_get_bytes(struct ds_rd *r, int lenbytes, size_t max,
		    struct bundle_bytes *out);
/* 1 if b is min..max bytes of printable ASCII without space. */
int		 bundle_is_token(const struct bundle_bytes *b, size_t min,
		    size_t max);
/* 1 if a and b hold the same bytes. */
int		 bundle_bytes_eq(const struct bundle_bytes *a,
		    const struct bundle_bytes *b);

/*
 * 1 if p holds exactly one strict JSON text (RFC 8259; no \u0000, no lone
 * surrogates, depth <= 64) that jansson also accepts; kind 'o' requires an
 * object, 'a' an array, 'j' anything.  Allocates nothing.
 */
int		 bundle_json_ok(const void *p, size_t n, int kind);

/* 1 if the revision names a parent. */
int		 bundle_rev_has_parent(const struct bundle_rev *);

/* What the builder needs beyond the revisions. */
struct bundle_meta {
	unsigned char		 device_id[CRY_ID_BYTES];
	unsigned char		 db_uuid[CRY_ID_BYTES];
	uint64_t		 seq_lo, seq_hi;
	unsigned char		 prev_hash[BUNDLE_HASH_BYTES];
	int64_t			 created_at;
	uint32_t		 schema_ver;
	const char		*app_ver;	/* printable ASCII, 1..64 */
	size_t			 nforms;
	const char		*form_ids[BUNDLE_FORMS_MAX];
	const char		*form_vers[BUNDLE_FORMS_MAX];
	uint32_t		 chunk_size;	/* 0: BUNDLE_CHUNK_DEFAULT */
	int			 test_no_final;	/* tests: omit TAG_FINAL */
};

/*
 * Build a signed bundle for `office` from n revisions (n >= 1, device_seq
 * strictly increasing inside [seq_lo, seq_hi]): version 1, or version 2
 * when a revision carries files (docs/bundle-format.md).  A fresh random bundle id
 * goes to bundle_id.  *out (the whole file, *outlen bytes) is the caller's;
 * free with ds_free.  The plaintext is wiped from memory before return.
 */
enum ds_status	 bundle_build(const struct bundle_meta *,
		    const struct bundle_rev *, size_t n,
		    const struct cry_signkey *device,
		    const struct cry_office_pub *office,
		    unsigned char bundle_id[CRY_ID_BYTES],
		    unsigned char **out, size_t *outlen, struct ds_err *);

/* BLAKE2b-256 of the whole file: the id of its exact bytes. */
void		 bundle_hash(const unsigned char *buf, size_t len,
		    unsigned char out[BUNDLE_HASH_BYTES]);

/*
 * Strict header parse (§7.4 steps 1-2): caps, magic, version, every field
 * in range, the device key id matching the device key, and the file length
 * equal to the one the header implies.  *why gets the reason on failure.
 */
enum ds_status	 bundle_parse_header(const unsigned char *buf, size_t len,
		    struct bundle_header *, int *why, struct ds_err *);

/*
 * The same from the first `avail` bytes of a file of `len` bytes (the
 * office's receiver reads a spooled body this way): the header must lie
 * within them (BUNDLE_HEADER_MAX bytes are always enough).
 */
enum ds_status	 bundle_parse_header_prefix(const unsigned char *buf,
		    size_t avail, size_t len, struct bundle_header *,
		    int *why, struct ds_err *);

/* Verify the device signature with h->device_pk (BR_SIGNATURE). */
enum ds_status	 bundle_verify(const unsigned char *buf, size_t len,
		    const struct bundle_header *, int *why, struct ds_err *);
/*
 * The same given BLAKE2b-512 of every byte before the trailer (prehash)
 * and the trailer (sig), for a body hashed piece by piece.
 */
enum ds_status	 bundle_verify_prehash(const struct bundle_header *,
		    const unsigned char prehash[CRY_HASH_BYTES],
		    const unsigned char sig[BUNDLE_TRAILER_BYTES], int *why,
		    struct ds_err *);

/* A decrypted payload; the plaintext is wiped by bundle_payload_free. */
struct bundle_payload {
	unsigned char		*plain;
	size_t			 plain_len;
	size_t			 nrevs;
	struct bundle_rev	*revs;
	size_t			 nrevs_alloc;	/* revs[] entries (their att) */
};

/*
 * Decrypt and parse (§7.4 steps 6-9): unseal the stream key with the office
 * secret, pull every chunk requiring TAG_FINAL on exactly the last one,
 * inflate capped at h->plain_len, then bundle_payload_parse.  Call only
 * after bundle_verify.  *out is the caller's (bundle_payload_free).
 */
enum ds_status	 bundle_open(const unsigned char *buf, size_t len,
		    const struct bundle_header *,
		    const struct cry_office_sec *,
		    struct bundle_payload **out, int *why, struct ds_err *);

/*
 * Strict parse of an inflated payload against its header: record count,
 * sequence numbers strictly increasing inside the header's range, forms
 * listed in the header, every length capped, JSON well formed, no trailing
 * bytes.  Takes ownership of `plain` (ds_malloc'd, wiped and freed on
 * failure too).  Exposed for the payload fuzzer.
 */
enum ds_status	 bundle_payload_parse(unsigned char *plain, size_t len,
		    const struct bundle_header *,
		    struct bundle_payload **out, struct ds_err *);
void		 bundle_payload_free(struct bundle_payload *);

/* ---- the container, shared with the office bundle (obundle.h) ------ */

/*
 * Both bundle kinds are one container: a plaintext header, the payload
 * deflated as one zlib stream and encrypted in secretstream chunks under
 * a fresh key sealed to the recipient's box key (chunk 0 authenticates
 * BLAKE2b-256 of the header; the last chunk alone carries TAG_FINAL), and
 * an Ed25519 trailer over domain || BLAKE2b-512(header || chunks).  These
 * are the pieces; bundle.c and obundle.c lay out their own headers.
 * Failures name the bundle_reason that fits (BR_SEAL, BR_STREAM,
 * BR_TRUNCATED, BR_INFLATE; BR_STORE for memory).
 */

/* Deflate n bytes into *out (ds_malloc; the caller wipes *outlen bytes
 * and frees). */
enum ds_status	 bundle_deflate(const unsigned char *in, size_t n,
		    unsigned char **out, size_t *outlen, struct ds_err *);

/* File length a header of header_len bytes implies; *chunk_count set. */
uint64_t	 bundle_box_len(size_t header_len, uint64_t comp_len,
		    uint32_t chunk_size, uint32_t *chunk_count);

struct cryb_stream;
/*
 * Append comp (comp_len bytes, in chunks of csize) encrypted under ss to
 * f, which holds exactly the finished header (hashed for chunk 0's AD).
 * no_final (tests) leaves TAG_FINAL off.
 */
enum ds_status	 bundle_box_seal(struct ds_buf *f, struct cryb_stream *ss,
		    const unsigned char *comp, size_t comp_len, uint32_t csize,
		    int no_final, struct ds_err *);
/* Append the trailer: key's signature of domain || BLAKE2b-512(f). */
enum ds_status	 bundle_box_sign(struct ds_buf *f, const struct cry_signkey *,
		    const char *domain, struct ds_err *);
/* DS_OK if the last CRY_SIG_BYTES of buf sign the rest under pk and
 * domain; DS_ECRYPTO if not, DS_ENOMEM. */
enum ds_status	 bundle_box_verify(const unsigned char *buf, size_t len,
		    const unsigned char pk[CRY_SIGN_PK_BYTES], const char *domain,
		    struct ds_err *);

/* Where the chunks are, from a parsed header. */
struct bundle_box {
	size_t			 header_len;
	uint32_t		 chunk_size, chunk_count;
	uint64_t		 comp_len, plain_len;
	const unsigned char	*sealed_key;	/* CRYB_SEALED_KEY_BYTES */
	const unsigned char	*ss_header;	/* CRYB_SS_HEADER_BYTES */
};

/*
 * Unseal the stream key with the box key pair, decrypt every chunk
 * (TAG_FINAL on exactly the last), and inflate into exactly plain_len
 * bytes: *out (ds_malloc'd plaintext, the caller wipes and frees).  Call
 * only after the signature verified and the length matched.
 */
enum ds_status	 bundle_box_open(const unsigned char *buf,
		    const struct bundle_box *,
		    const unsigned char box_pk[CRY_BOX_PK_BYTES],
		    const unsigned char box_sk[CRY_BOX_SK_BYTES],
		    unsigned char **out, int *why, struct ds_err *);

#endif
