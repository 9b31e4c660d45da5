/* doorstep: the crypto layer, the one owner of <sodium.h> (layer 5). */
#ifndef DS_CRY_H
#define DS_CRY_H

/*
 * Everything libsodium does for doorstep goes through this header (and the
 * other src/cry_*.c files, e.g. the sync engineer's cry_bundle.c).  Layers
 * above never see <sodium.h>.
 *
 * Secret memory: every secret key, passphrase and derived key lives in
 * memory from cry_secure_alloc() (sodium_malloc: guard pages, canary,
 * mlock'd, excluded from core dumps) and is wiped by cry_secure_free().
 * Structs below marked "secure" are only ever allocated that way; their
 * constructors do it and their _free functions wipe.  Public values (public
 * keys, ids, signatures) are plain arrays the caller owns.
 *
 * Nothing here prints or exits.  Failures return enum ds_status and fill
 * struct ds_err; secrets never appear in messages.
 */

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define CRY_KEY_BYTES		32	/* symmetric keys: DEK, KEK, subkeys */
#define CRY_KEYID_BYTES		8	/* key id: BLAKE2b-256(pk)[0..8) */
#define CRY_ID_BYTES		16	/* office id, device id, record ids */
#define CRY_ID_HEX		(2 * CRY_ID_BYTES + 1)	/* id in hex, and NUL */
#define CRY_BOX_PK_BYTES	32	/* X25519 public key */
#define CRY_BOX_SK_BYTES	32	/* X25519 secret key */
#define CRY_SIGN_PK_BYTES	32	/* Ed25519 public key */
#define CRY_SIGN_SK_BYTES	64	/* Ed25519 secret key (libsodium form) */
#define CRY_SIG_BYTES		64	/* Ed25519 signature */
#define CRY_HASH_BYTES		64	/* what cry_sign_hash signs: BLAKE2b-512 */
#define CRY_HASH256_BYTES	32	/* BLAKE2b-256 (bundles, blind index) */
#define CRY_SEAL_OVERHEAD	48	/* crypto_box_seal: epk(32) + tag(16) */
#define CRY_AEAD_NONCE_BYTES	24	/* XChaCha20-Poly1305-IETF */
#define CRY_AEAD_TAG_BYTES	16
#define CRY_AEAD_OVERHEAD	(CRY_AEAD_NONCE_BYTES + CRY_AEAD_TAG_BYTES)
#define CRY_SALT_BYTES		16	/* crypto_pwhash_SALTBYTES */

/*
 * Start-up: sodium_init(), check the run-time libsodium is at least 1.0.18,
 * and disable core dumps (RLIMIT_CORE 0) so secrets cannot land in a core
 * file.  Safe to call more than once; every entry point below that needs
 * libsodium calls it too, so forgetting it is harmless.
 */
enum ds_status	 cry_init(struct ds_err *);
/* Whether libsodium's library version major.minor is 1.0.18 or later. */
int		 cry_sodium_version_ok(int, int);

/* Secure memory.  cry_secure_alloc returns NULL on failure, and when a
 * test has armed DS_FAULT_SECURE (mem.h). */
void		*cry_secure_alloc(size_t);
/* Wipe and free; NULL is fine. */
void		 cry_secure_free(void *);
/* Secure allocations not yet freed: tests check that a path gives back
 * what it took (sodium_malloc maps pages of its own, which ASan does not
 * track). */
long		 cry_secure_live(void);
/* sodium_memzero: a wipe the compiler cannot remove. */
void		 cry_wipe(void *, size_t);
/* Fill with random bytes (randombytes_buf). */
void		 cry_random(void *, size_t);

/* Key id of a public key: first 8 bytes of BLAKE2b-256(pk). */
void		 cry_key_id(const unsigned char *pk, size_t pklen,
		    unsigned char id[CRY_KEYID_BYTES]);

/* The key id of a data key (DEK): first 8 bytes of a crypto_kdf subkey
 * ("keyid___", 1), so the id reveals nothing about the key itself. */
void		 cry_dek_key_id(const unsigned char dek[CRY_KEY_BYTES],
		    unsigned char id[CRY_KEYID_BYTES]);

/*
 * A device signing key's fingerprint as people compare it: 24 decimal
 * digits in groups of four, "4821 0937 5512 0064 7790 3318" (80 bits of
 * BLAKE2b-256 under the key "doorstep device fingerprint v1").  The laptop
 * shows it; the office's enroll requires it (docs/sync.md, "Threat model").
 */
#define CRY_FPR_BITS		80
#define CRY_FPR_DIGITS		24
#define CRY_FPR_TEXT		(CRY_FPR_DIGITS + CRY_FPR_DIGITS / 4)
void		 cry_fingerprint(const unsigned char pk[CRY_SIGN_PK_BYTES],
		    char out[CRY_FPR_TEXT]);
/* 1 if text (spaces and dashes ignored) is exactly pk's fingerprint. */
int		 cry_fingerprint_match(
		    const unsigned char pk[CRY_SIGN_PK_BYTES], const char *text);

/* BLAKE2b with an optional key (NULL, 0 for none); outlen 16..64. */
void		 cry_hash(unsigned char *out, size_t outlen,
		    const unsigned char *key, size_t keylen,
		    const void *in, size_t inlen);

/* ------------------------------------------------------------------ */
/* Ed25519 signing keys (device key, office receipt key).              */

/* secure: allocate only through cry_signkey_new / _from_sk. */
struct cry_signkey {
	unsigned char	pk[CRY_SIGN_PK_BYTES];
	unsigned char	sk[CRY_SIGN_SK_BYTES];
};

/* A fresh key pair. *out is the caller's (cry_signkey_free). */
enum ds_status	 cry_signkey_new(struct cry_signkey **out, struct ds_err *);
/* From a 64-byte libsodium secret key; the public half is recomputed and
 * must match the one embedded in sk, else DS_ECORRUPT. */
enum ds_status	 cry_signkey_from_sk(const unsigned char sk[CRY_SIGN_SK_BYTES],
		    struct cry_signkey **out, struct ds_err *);
void		 cry_signkey_free(struct cry_signkey *);

/*
 * Sign a 64-byte hash (the caller hashes its message with a protocol prefix,
 * e.g. "DSBNDL-v1" || BLAKE2b-512(header || ciphertext); crypto-sync.md §4).
 * Detached Ed25519 signature over exactly those 64 bytes.
 */
void		 cry_sign_hash(const struct cry_signkey *,
		    const unsigned char hash[CRY_HASH_BYTES],
		    unsigned char sig[CRY_SIG_BYTES]);
/* DS_OK if sig is pk's signature of hash, else DS_ECRYPTO. */
enum ds_status	 cry_verify_hash(const unsigned char pk[CRY_SIGN_PK_BYTES],
		    const unsigned char hash[CRY_HASH_BYTES],
		    const unsigned char sig[CRY_SIG_BYTES], struct ds_err *);

/* ------------------------------------------------------------------ */
/* X25519 box keys (the device box key: office bundles are sealed to it). */

/* secure: allocate only through cry_boxkey_new / _from_sk. */
struct cry_boxkey {
	unsigned char	pk[CRY_BOX_PK_BYTES];
	unsigned char	sk[CRY_BOX_SK_BYTES];
};

/* A fresh key pair.  *out is the caller's (cry_boxkey_free). */
enum ds_status	 cry_boxkey_new(struct cry_boxkey **out, struct ds_err *);
/* From a secret key; the public half is recomputed (crypto_scalarmult_base). */
enum ds_status	 cry_boxkey_from_sk(const unsigned char sk[CRY_BOX_SK_BYTES],
		    struct cry_boxkey **out, struct ds_err *);
void		 cry_boxkey_free(struct cry_boxkey *);

/* ------------------------------------------------------------------ */
/* Office keys and their files (formats in docs/keys.md).              */

/* The office's public identity, pinned on every laptop.  Plain data. */
struct cry_office_pub {
	unsigned char	office_id[CRY_ID_BYTES];
	unsigned char	box_pk[CRY_BOX_PK_BYTES];	/* seals bundle keys */
	unsigned char	sign_pk[CRY_SIGN_PK_BYTES];	/* signs receipts */
	unsigned char	recovery_pk[CRY_BOX_PK_BYTES];	/* DEK recovery wrap */
};

/* secure: the office's online secrets (office-secret.key). */
struct cry_office_sec {
	unsigned char		office_id[CRY_ID_BYTES];
	unsigned char		box_pk[CRY_BOX_PK_BYTES];  /* from box_sk */
	unsigned char		box_sk[CRY_BOX_SK_BYTES];
	struct cry_signkey	sign;
};

/* secure: the offline recovery secret (office-recovery.key). */
struct cry_office_rec {
	unsigned char	office_id[CRY_ID_BYTES];
	unsigned char	recovery_pk[CRY_BOX_PK_BYTES];	/* from the sk */
	unsigned char	recovery_sk[CRY_BOX_SK_BYTES];
};

#define CRY_OFFICE_PUB_FILE	"office-public.key"
#define CRY_OFFICE_SEC_FILE	"office-secret.key"
#define CRY_OFFICE_REC_FILE	"office-recovery.key"

/*
 * Generate a new office: random office id, X25519 box key, Ed25519 sign
 * key, X25519 recovery key, and write DIR/office-public.key (0644),
 * DIR/office-secret.key and DIR/office-recovery.key (0600), each durably
 * (temp, fsync, rename, fsync dir).  DIR must exist.  Refuses with
 * DS_EEXIST if any of the three files exists.  On failure no key file is
 * left behind.  *pub (may be NULL) receives the public keys.
 */
enum ds_status	 cry_office_create(const char *dir, struct cry_office_pub *pub,
		    struct ds_err *);

/* Remove the three key files from DIR (undo a create whose next step
 * failed).  Missing files are fine. */
void		 cry_office_unlink(const char *dir);

/* Read DIR-less paths: each parser checks the header line, every field's
 * hex length, refuses unknown or duplicate keys, and checks that secret
 * keys match their public halves.  Errors name the file (DS_EPARSE,
 * DS_ECORRUPT, DS_ENOENT, DS_EIO). */
enum ds_status	 cry_office_pub_read(const char *path,
		    struct cry_office_pub *out, struct ds_err *);
/* The same check on text in memory (len bytes, need not end in NUL);
 * `what` names the source in messages.  For fuzzing and tests. */
enum ds_status	 cry_office_pub_parse(const char *text, size_t len,
		    const char *what, struct cry_office_pub *out,
		    struct ds_err *);
/* *out is secure memory: free with cry_office_sec_free. */
enum ds_status	 cry_office_sec_read(const char *path,
		    struct cry_office_sec **out, struct ds_err *);
void		 cry_office_sec_free(struct cry_office_sec *);
/* *out is secure memory: free with cry_office_rec_free. */
enum ds_status	 cry_office_rec_read(const char *path,
		    struct cry_office_rec **out, struct ds_err *);
void		 cry_office_rec_free(struct cry_office_rec *);

/* Text of office-public.key for pub (exact bytes cry_office_create
 * writes); into buf of CRY_OFFICE_PUB_TEXT_MAX bytes, NUL-terminated. */
#define CRY_OFFICE_PUB_TEXT_MAX	512
void		 cry_office_pub_text(const struct cry_office_pub *,
		    char buf[CRY_OFFICE_PUB_TEXT_MAX]);

/* ------------------------------------------------------------------ */
/* Symmetric primitives for the store and workspace.                   */

/*
 * XChaCha20-Poly1305-IETF with a fresh random nonce.  out must hold
 * ptlen + CRY_AEAD_OVERHEAD bytes: nonce(24) || ciphertext || tag(16).
 */
void		 cry_aead_seal(unsigned char *out,
		    const unsigned char *pt, size_t ptlen,
		    const unsigned char *ad, size_t adlen,
		    const unsigned char key[CRY_KEY_BYTES]);
/*
 * The same layout, but deterministic: the nonce is keyed BLAKE2b-192 of
 * (le64 adlen || ad || pt) under a crypto_kdf subkey of key ("aeadsiv1",
 * 1) -- a synthetic IV.  Equal (key, ad, pt) give equal bytes and nothing
 * else repeats a nonce, so it suits values sealed once per unique ad that
 * must come out byte-identical on a rerun (office.db revisions).  Opened
 * with cry_aead_open.
 */
void		 cry_aead_seal_det(unsigned char *out,
		    const unsigned char *pt, size_t ptlen,
		    const unsigned char *ad, size_t adlen,
		    const unsigned char key[CRY_KEY_BYTES]);
/* Inverse; out holds ctlen - CRY_AEAD_OVERHEAD bytes.  DS_ECRYPTO on a
 * bad tag or short input (out is then wiped). */
enum ds_status	 cry_aead_open(unsigned char *out,
		    const unsigned char *ct, size_t ctlen,
		    const unsigned char *ad, size_t adlen,
		    const unsigned char key[CRY_KEY_BYTES]);

/* crypto_kdf_derive_from_key: ctx is exactly 8 characters. */
void		 cry_kdf(unsigned char *sub, size_t sublen, uint64_t id,
		    const char ctx[8], const unsigned char key[CRY_KEY_BYTES]);

/* Sealed box to an X25519 public key (anonymous sender).  out holds
 * len + CRY_SEAL_OVERHEAD bytes. */
enum ds_status	 cry_seal(unsigned char *out, const unsigned char *msg,
		    size_t len, const unsigned char pk[CRY_BOX_PK_BYTES],
		    struct ds_err *);
/* out holds ctlen - CRY_SEAL_OVERHEAD bytes; DS_ECRYPTO if not ours. */
enum ds_status	 cry_seal_open(unsigned char *out, const unsigned char *ct,
		    size_t ctlen, const unsigned char pk[CRY_BOX_PK_BYTES],
		    const unsigned char sk[CRY_BOX_SK_BYTES], struct ds_err *);

/*
 * Argon2id (crypto_pwhash ALG_ARGON2ID13) of a passphrase into a 32-byte
 * key (secure memory, the caller's).  DS_ENOMEM if the memory is refused,
 * DS_EINVAL if ops/mem are outside libsodium's bounds.
 */
struct cry_kdf_params {
	uint64_t	ops;		/* opslimit */
	uint64_t	mem;		/* memlimit, bytes */
	unsigned char	salt[CRY_SALT_BYTES];
};
#define CRY_KDF_ALG_NAME	"argon2id13"
enum ds_status	 cry_pwhash(unsigned char key[CRY_KEY_BYTES],
		    const char *pass, size_t passlen,
		    const struct cry_kdf_params *, struct ds_err *);
/* 1 if ops and mem are within Argon2id's limits. */
int		 cry_kdf_params_ok(uint64_t ops, uint64_t mem);

/*
 * Choose Argon2id parameters for this machine (fresh random salt):
 *   CRY_COST_DEFAULT: opslimit 3, memory 256 MiB, lowered (128, 64 MiB) if
 *     refused, then opslimit raised or lowered so one derivation takes
 *     about `target_ms` (1000 when 0) -- this is the shipped setting;
 *   CRY_COST_MIN: libsodium's OPSLIMIT_MIN / MEMLIMIT_MIN.  Test-only:
 *     selected by an explicit option, never by default (docs/keys.md).
 */
enum cry_cost {
	CRY_COST_DEFAULT,
	CRY_COST_MIN
};
enum ds_status	 cry_kdf_calibrate(enum cry_cost, unsigned target_ms,
		    struct cry_kdf_params *out, struct ds_err *);
/*
 * The floor: the least memory the default ever settles for.  Only test
 * builds (compiled with DS_TEST_KDF: a build in the source tree, never an
 * installed one) make keyrings below it (CRY_COST_MIN; otherwise
 * DS_EINVAL) or open them (ws.h).
 */
#define CRY_KDF_MEM_FLOOR	((uint64_t)64 << 20)
/* 1 in a test build. */
int		 cry_kdf_test_cost(void);
/* 1 if the parameters are below the floor. */
int		 cry_kdf_below_floor(const struct cry_kdf_params *);
/*
 * Test builds only (DS_TEST_KDF): the monotonic clock, in nanoseconds,
 * that cry_kdf_calibrate times its trial derivation with (NULL:
 * ds_mono_ns).  The derivation itself is always the real Argon2id.
 */
void		 cry_kdf_clock(uint64_t (*clock)(void));

#endif
