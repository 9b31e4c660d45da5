/* doorstep: libsodium code of the bundle and receipt formats. */
/*
 * Encrypt-then-sign (crypto-sync.md §4): a fresh 32-byte key per bundle,
 * sealed to the office X25519 key; the payload goes through secretstream;
 * the signature covers a BLAKE2b-512 of header and ciphertext behind a
 * domain tag.  Stream keys never leave sodium_malloc memory.
 */
#include "cry_bundle.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "mem.h"

#define CRYB_ALIGN	64	/* the hash state's alignment, more than
				   ds_malloc promises */
#define CRYB_DOMAIN_MAX	32	/* bytes of a signing domain used */

struct cryb_hash {
	crypto_generichash_state	*st;	/* aligned, inside mem */
	size_t				 outlen;
	unsigned char			 mem[sizeof(crypto_generichash_state) +
					    CRYB_ALIGN];
};

struct cryb_stream {
	crypto_secretstream_xchacha20poly1305_state	st;
	unsigned char					key[CRY_KEY_BYTES];
};

enum ds_status
cryb_hash_new(struct cryb_hash **out, size_t outlen, struct ds_err *err)
{
	struct cryb_hash *h;

	*out = NULL;
	if (outlen < crypto_generichash_BYTES_MIN ||
	    outlen > crypto_generichash_BYTES_MAX)
		return ds_err_set(err, DS_EINVAL, "bad hash length %zu",
		    outlen);
	(void)cry_init(NULL);
	/* libsodium wants the state aligned; ds_malloc gives max_align_t. */
	if ((h = ds_malloc(sizeof(*h))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	h->outlen = outlen;
	h->st = (crypto_generichash_state *)(void *)(h->mem +
	    (CRYB_ALIGN - (uintptr_t)h->mem % CRYB_ALIGN) % CRYB_ALIGN);
	crypto_generichash_init(h->st, NULL, 0, outlen);
	*out = h;
	return DS_OK;
}

void
cryb_hash_update(struct cryb_hash *h, const void *p, size_t n)
{
	crypto_generichash_update(h->st, p, n);
}

void
cryb_hash_final(struct cryb_hash *h, unsigned char *out)
{
	crypto_generichash_final(h->st, out, h->outlen);
}

void
cryb_hash_free(struct cryb_hash *h)
{
	ds_free(h);
}

/* The signed message: domain (cut to CRYB_DOMAIN_MAX) || h. */
static size_t
sign_msg(unsigned char *m, const char *domain,
    const unsigned char h[CRY_HASH_BYTES])
{
	size_t dl = strlen(domain);

	if (dl > CRYB_DOMAIN_MAX)
		dl = CRYB_DOMAIN_MAX;
	memcpy(m, domain, dl);
	memcpy(m + dl, h, CRY_HASH_BYTES);
	return dl + CRY_HASH_BYTES;
}

void
cryb_sign(const struct cry_signkey *k, const char *domain,
    const unsigned char h[CRY_HASH_BYTES], unsigned char sig[CRY_SIG_BYTES])
{
	unsigned char m[CRYB_DOMAIN_MAX + CRY_HASH_BYTES];
	size_t n;

	(void)cry_init(NULL);
	n = sign_msg(m, domain, h);
	crypto_sign_detached(sig, NULL, m, n, k->sk);
}

enum ds_status
cryb_verify(const unsigned char pk[CRY_SIGN_PK_BYTES], const char *domain,
    const unsigned char h[CRY_HASH_BYTES], const unsigned char sig[CRY_SIG_BYTES],
    struct ds_err *err)
{
	unsigned char m[CRYB_DOMAIN_MAX + CRY_HASH_BYTES];
	size_t n;

	(void)cry_init(NULL);
	n = sign_msg(m, domain, h);
	if (crypto_sign_verify_detached(sig, m, n, pk) != 0)
		return ds_err_set(err, DS_ECRYPTO, "bad signature");
	return DS_OK;
}

static struct cryb_stream *
stream_alloc(void)
{
	return cry_secure_alloc(sizeof(struct cryb_stream));
}

enum ds_status
cryb_push_init(const unsigned char box_pk[CRY_BOX_PK_BYTES],
    unsigned char sealed_key[CRYB_SEALED_KEY_BYTES],
    unsigned char hdr[CRYB_SS_HEADER_BYTES], struct cryb_stream **out,
    struct ds_err *err)
{
	struct cryb_stream *s;
	enum ds_status st;

	*out = NULL;
	(void)cry_init(NULL);
	if ((s = stream_alloc()) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot lock memory for "
		    "the bundle key");
	crypto_secretstream_xchacha20poly1305_keygen(s->key);
	if ((st = cry_seal(sealed_key, s->key, CRY_KEY_BYTES, box_pk, err)) !=
	    DS_OK) {
		cryb_stream_free(s);
		return st;
	}
	crypto_secretstream_xchacha20poly1305_init_push(&s->st, hdr, s->key);
	*out = s;
	return DS_OK;
}

enum ds_status
cryb_push(struct cryb_stream *s, unsigned char *out, const unsigned char *m,
    size_t mlen, const unsigned char *ad, size_t adlen, int final,
    struct ds_err *err)
{
	if (crypto_secretstream_xchacha20poly1305_push(&s->st, out, NULL, m,
	    mlen, ad, adlen, final ?
	    crypto_secretstream_xchacha20poly1305_TAG_FINAL :
	    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) != 0)
		return ds_err_set(err, DS_ECRYPTO, "cannot encrypt chunk");
	return DS_OK;
}

enum ds_status
cryb_pull_init(const unsigned char box_pk[CRY_BOX_PK_BYTES],
    const unsigned char box_sk[CRY_BOX_SK_BYTES],
    const unsigned char sealed_key[CRYB_SEALED_KEY_BYTES],
    const unsigned char hdr[CRYB_SS_HEADER_BYTES], struct cryb_stream **out,
    struct ds_err *err)
{
	struct cryb_stream *s;

	*out = NULL;
	(void)cry_init(NULL);
	if ((s = stream_alloc()) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot lock memory for "
		    "the bundle key");
	if (cry_seal_open(s->key, sealed_key, CRYB_SEALED_KEY_BYTES,
	    box_pk, box_sk, NULL) != DS_OK) {
		cryb_stream_free(s);
		return ds_err_set(err, DS_ECRYPTO,
		    "key not sealed to this box key");
	}
	if (crypto_secretstream_xchacha20poly1305_init_pull(&s->st, hdr,
	    s->key) != 0) {
		cryb_stream_free(s);
		return ds_err_set(err, DS_ECRYPTO, "bad stream header");
	}
	*out = s;
	return DS_OK;
}

enum ds_status
cryb_pull(struct cryb_stream *s, unsigned char *out, const unsigned char *c,
    size_t clen, const unsigned char *ad, size_t adlen, int *final,
    struct ds_err *err)
{
	unsigned char tag = 0;

	*final = 0;
	if (clen < CRYB_SS_ABYTES)
		return ds_err_set(err, DS_ECRYPTO, "chunk too short");
	if (crypto_secretstream_xchacha20poly1305_pull(&s->st, out, NULL,
	    &tag, c, clen, ad, adlen) != 0) {
		sodium_memzero(out, clen - CRYB_SS_ABYTES);
		return ds_err_set(err, DS_ECRYPTO, "chunk does not "
		    "authenticate");
	}
	*final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
	return DS_OK;
}

void
cryb_stream_free(struct cryb_stream *s)
{
	cry_secure_free(s);
}
