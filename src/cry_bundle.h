/* doorstep: libsodium pieces of the sync bundle and receipt formats. */
#ifndef DS_CRY_BUNDLE_H
#define DS_CRY_BUNDLE_H

/*
 * The crypto the sync layer needs beyond cry.h (crypto-sync.md §4):
 * streaming BLAKE2b, domain-separated Ed25519 over a 64-byte hash, and a
 * secretstream (XChaCha20-Poly1305) whose fresh key is sealed to the office
 * box key.  The stream key lives only in secure memory inside struct
 * cryb_stream and is wiped by cryb_stream_free.
 */
#include <stddef.h>

#include "cry.h"
#include "status.h"

#define CRYB_SS_HEADER_BYTES	24	/* secretstream header */
#define CRYB_SS_ABYTES		17	/* per-chunk overhead */
#define CRYB_SEALED_KEY_BYTES	(CRY_KEY_BYTES + CRY_SEAL_OVERHEAD)

/* ---- hashing ------------------------------------------------------ */

/* Streaming BLAKE2b (unkeyed), output 16..64 bytes.  Plain data. */
struct cryb_hash;
enum ds_status	 cryb_hash_new(struct cryb_hash **out, size_t outlen,
		    struct ds_err *);
void		 cryb_hash_update(struct cryb_hash *, const void *, size_t);
/* Write the digest (outlen bytes); the state is then spent. */
void		 cryb_hash_final(struct cryb_hash *, unsigned char *out);
void		 cryb_hash_free(struct cryb_hash *);

/* ---- signatures --------------------------------------------------- */

/*
 * Detached Ed25519 signature of `domain` || h (domain a short ASCII tag
 * such as "DSBNDL-v1", without its NUL), so a bundle signature can never be
 * replayed as a receipt signature or the reverse.
 */
void		 cryb_sign(const struct cry_signkey *, const char *domain,
		    const unsigned char h[CRY_HASH_BYTES],
		    unsigned char sig[CRY_SIG_BYTES]);
/* DS_OK or DS_ECRYPTO "bad signature". */
enum ds_status	 cryb_verify(const unsigned char pk[CRY_SIGN_PK_BYTES],
		    const char *domain, const unsigned char h[CRY_HASH_BYTES],
		    const unsigned char sig[CRY_SIG_BYTES], struct ds_err *);

/* ---- the payload stream ------------------------------------------- */

/* secure: holds the stream key and state. */
struct cryb_stream;

/*
 * Writer: make a fresh random key, seal it to `box_pk` into sealed_key,
 * and start a stream whose header goes to `hdr`.
 */
enum ds_status	 cryb_push_init(const unsigned char box_pk[CRY_BOX_PK_BYTES],
		    unsigned char sealed_key[CRYB_SEALED_KEY_BYTES],
		    unsigned char hdr[CRYB_SS_HEADER_BYTES],
		    struct cryb_stream **out, struct ds_err *);
/*
 * Encrypt one chunk of mlen bytes into out (mlen + CRYB_SS_ABYTES bytes),
 * authenticating ad; `final` sets TAG_FINAL.
 */
enum ds_status	 cryb_push(struct cryb_stream *, unsigned char *out,
		    const unsigned char *m, size_t mlen,
		    const unsigned char *ad, size_t adlen, int final,
		    struct ds_err *);

/*
 * Reader: open sealed_key with the recipient's box key pair (the office's
 * for a laptop bundle, the device's for an office bundle; DS_ECRYPTO "key
 * not sealed to this box key") and start the stream (DS_ECRYPTO on a bad
 * header).
 */
enum ds_status	 cryb_pull_init(const unsigned char box_pk[CRY_BOX_PK_BYTES],
		    const unsigned char box_sk[CRY_BOX_SK_BYTES],
		    const unsigned char sealed_key[CRYB_SEALED_KEY_BYTES],
		    const unsigned char hdr[CRYB_SS_HEADER_BYTES],
		    struct cryb_stream **out, struct ds_err *);
/*
 * Decrypt one chunk of clen bytes into out (clen - CRYB_SS_ABYTES bytes);
 * *final is set to 1 if it carried TAG_FINAL.  DS_ECRYPTO when the chunk
 * does not authenticate (out is then wiped).
 */
enum ds_status	 cryb_pull(struct cryb_stream *, unsigned char *out,
		    const unsigned char *c, size_t clen,
		    const unsigned char *ad, size_t adlen, int *final,
		    struct ds_err *);
/* Wipe and free; NULL is fine. */
void		 cryb_stream_free(struct cryb_stream *);

#endif
