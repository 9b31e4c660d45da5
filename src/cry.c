/* doorstep: libsodium wrapper, secure memory and office key files. */
/*
 * The only file (with the other cry_*.c) that includes <sodium.h>.  It keeps
 * three promises: secrets live in sodium_malloc memory and are wiped on every
 * path; key files are read into secure memory, never into the ordinary heap;
 * every parser is strict (exact header, exact hex lengths, no unknown or
 * repeated keys), so a damaged key file is refused rather than half-used.
 * It does not know about workspaces or records (ws.c, store.c do).
 */
#include "cry.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "mem.h"
#include "util.h"

#define KEYFILE_MAX	4096	/* every key file is far smaller */

static int cry_ready;
static atomic_long secure_live;	/* cry_secure_live */

/* 1.0.18 reports library version 10.3; later releases report more. */
int
cry_sodium_version_ok(int major, int minor)
{
	return major > 10 || (major == 10 && minor >= 3);
}

enum ds_status
cry_init(struct ds_err *err)
{
	struct rlimit rl;

	if (cry_ready)
		return DS_OK;
	if (sodium_init() < 0)
		return ds_err_set(err, DS_ECRYPTO, "cannot initialise libsodium");
	if (!cry_sodium_version_ok(sodium_library_version_major(),
	    sodium_library_version_minor()))
		return ds_err_set(err, DS_ECRYPTO,
		    "libsodium %s is too old, need 1.0.18 or later",
		    sodium_version_string());
	rl.rlim_cur = rl.rlim_max = 0;
	(void)setrlimit(RLIMIT_CORE, &rl);
	cry_ready = 1;
	return DS_OK;
}

static void
ensure_init(void)
{
	if (!cry_ready)
		(void)cry_init(NULL);
}

void *
cry_secure_alloc(size_t n)
{
	void *p;

	ensure_init();
	if (ds_fault_hit(DS_FAULT_SECURE))
		return NULL;
	if ((p = sodium_malloc(n)) != NULL) {
		sodium_memzero(p, n);
		secure_live++;
	}
	return p;
}

void
cry_secure_free(void *p)
{
	if (p != NULL)
		secure_live--;
	sodium_free(p);		/* wipes; NULL is fine */
}

long
cry_secure_live(void)
{
	return secure_live;
}

void
cry_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

void
cry_random(void *p, size_t n)
{
	ensure_init();
	randombytes_buf(p, n);
}

void
cry_hash(unsigned char *out, size_t outlen, const unsigned char *key,
    size_t keylen, const void *in, size_t inlen)
{
	ensure_init();
	crypto_generichash(out, outlen, in, inlen, key, keylen);
}

void
cry_key_id(const unsigned char *pk, size_t pklen,
    unsigned char id[CRY_KEYID_BYTES])
{
	unsigned char h[32];

	cry_hash(h, sizeof(h), NULL, 0, pk, pklen);
	memcpy(id, h, CRY_KEYID_BYTES);
}

/*
 * 80 bits of a domain-separated BLAKE2b of the key, written as 24 decimal
 * digits: a stranger needs about 2^80 key pairs to match a given laptop's.
 */
void
cry_fingerprint(const unsigned char pk[CRY_SIGN_PK_BYTES],
    char out[CRY_FPR_TEXT])
{
	static const char dom[] = "doorstep device fingerprint v1";
	unsigned char h[32], n[CRY_FPR_BITS / 8];
	char d[CRY_FPR_DIGITS];
	unsigned r;
	size_t i, k;
	char *o = out;

	cry_hash(h, sizeof(h), (const unsigned char *)dom, sizeof(dom) - 1,
	    pk, CRY_SIGN_PK_BYTES);
	memcpy(n, h, sizeof(n));
	/* Long division by 10, least significant digit first. */
	for (k = 0; k < CRY_FPR_DIGITS; k++) {
		for (i = 0, r = 0; i < sizeof(n); i++) {
			r = r * 256 + n[i];
			n[i] = (unsigned char)(r / 10);
			r %= 10;
		}
		d[CRY_FPR_DIGITS - 1 - k] = (char)('0' + r);
	}
	for (k = 0; k < CRY_FPR_DIGITS; k++) {
		if (k > 0 && k % 4 == 0)
			*o++ = ' ';
		*o++ = d[k];
	}
	*o = '\0';
	cry_wipe(h, sizeof(h));
}

int
cry_fingerprint_match(const unsigned char pk[CRY_SIGN_PK_BYTES],
    const char *text)
{
	char want[CRY_FPR_TEXT], got[CRY_FPR_DIGITS];
	size_t i, k = 0;

	for (; *text != '\0'; text++) {
		if (*text == ' ' || *text == '-')
			continue;
		if (*text < '0' || *text > '9' || k == CRY_FPR_DIGITS)
			return 0;
		got[k++] = *text;
	}
	if (k != CRY_FPR_DIGITS)
		return 0;
	cry_fingerprint(pk, want);
	for (i = 0, k = 0; want[i] != '\0'; i++)
		if (want[i] != ' ' && want[i] != got[k++])
			return 0;
	return 1;
}

void
cry_dek_key_id(const unsigned char dek[CRY_KEY_BYTES],
    unsigned char id[CRY_KEYID_BYTES])
{
	unsigned char sub[16];

	ensure_init();
	crypto_kdf_derive_from_key(sub, sizeof(sub), 1, "keyid___", dek);
	memcpy(id, sub, CRY_KEYID_BYTES);
	sodium_memzero(sub, sizeof(sub));
}

/* ------------------------------------------------------------------ */

enum ds_status
cry_signkey_new(struct cry_signkey **out, struct ds_err *err)
{
	struct cry_signkey *k;

	if ((k = cry_secure_alloc(sizeof(*k))) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
	crypto_sign_keypair(k->pk, k->sk);
	*out = k;
	return DS_OK;
}

enum ds_status
cry_signkey_from_sk(const unsigned char sk[CRY_SIGN_SK_BYTES],
    struct cry_signkey **out, struct ds_err *err)
{
	struct cry_signkey *k;
	unsigned char seed[crypto_sign_SEEDBYTES];

	if ((k = cry_secure_alloc(sizeof(*k))) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
	crypto_sign_ed25519_sk_to_seed(seed, sk);
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	sodium_memzero(seed, sizeof(seed));
	if (sodium_memcmp(k->sk, sk, CRY_SIGN_SK_BYTES) != 0) {
		cry_secure_free(k);
		return ds_err_set(err, DS_ECORRUPT,
		    "signing key does not match its public half");
	}
	*out = k;
	return DS_OK;
}

void
cry_signkey_free(struct cry_signkey *k)
{
	cry_secure_free(k);
}

enum ds_status
cry_boxkey_new(struct cry_boxkey **out, struct ds_err *err)
{
	struct cry_boxkey *k;

	*out = NULL;
	ensure_init();
	if ((k = cry_secure_alloc(sizeof(*k))) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
	crypto_box_keypair(k->pk, k->sk);
	*out = k;
	return DS_OK;
}

enum ds_status
cry_boxkey_from_sk(const unsigned char sk[CRY_BOX_SK_BYTES],
    struct cry_boxkey **out, struct ds_err *err)
{
	struct cry_boxkey *k;

	*out = NULL;
	ensure_init();
	if ((k = cry_secure_alloc(sizeof(*k))) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
	memcpy(k->sk, sk, CRY_BOX_SK_BYTES);
	crypto_scalarmult_base(k->pk, k->sk);
	*out = k;
	return DS_OK;
}

void
cry_boxkey_free(struct cry_boxkey *k)
{
	cry_secure_free(k);
}

void
cry_sign_hash(const struct cry_signkey *k,
    const unsigned char hash[CRY_HASH_BYTES], unsigned char sig[CRY_SIG_BYTES])
{
	crypto_sign_detached(sig, NULL, hash, CRY_HASH_BYTES, k->sk);
}

enum ds_status
cry_verify_hash(const unsigned char pk[CRY_SIGN_PK_BYTES],
    const unsigned char hash[CRY_HASH_BYTES],
    const unsigned char sig[CRY_SIG_BYTES], struct ds_err *err)
{
	ensure_init();
	if (crypto_sign_verify_detached(sig, hash, CRY_HASH_BYTES, pk) != 0)
		return ds_err_set(err, DS_ECRYPTO, "bad signature");
	return DS_OK;
}

/* ------------------------------------------------------------------ */
/* Key files: "header line\n" then "key hex\n" lines.                 */

struct kf_field {
	const char	*name;
	unsigned char	*dst;
	size_t		 n;		/* bytes; the hex is 2n digits */
	int		 seen;
};

/*
 * Read a key file into secure memory (it may hold secret hex), NUL-
 * terminated.  *lenp gets the byte count.
 */
static enum ds_status
kf_read(const char *path, char **out, size_t *lenp, struct ds_err *err)
{
	struct stat sb;
	size_t len = 0;
	ssize_t n;
	char *p;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		e = errno;
		return ds_err_set(err, e == ENOENT ? DS_ENOENT : DS_EIO,
		    "cannot open key file %s: %s", path, strerror(e));
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > KEYFILE_MAX) {
		close(fd);
		return ds_err_set(err, DS_EPARSE,
		    "%s: not a key file (too large or not a file)", path);
	}
	if ((p = cry_secure_alloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
	}
	while (len < (size_t)sb.st_size) {
		n = read(fd, p + len, (size_t)sb.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n == 0 ? EIO : errno;
			close(fd);
			cry_secure_free(p);
			return ds_err_set(err, DS_EIO, "cannot read %s: %s",
			    path, strerror(e));
		}
		len += (size_t)n;
	}
	close(fd);
	p[len] = '\0';
	*out = p;
	*lenp = len;
	return DS_OK;
}

/* Parse text (len bytes) against fields; every field must appear once. */
static enum ds_status
kf_parse(const char *path, const char *text, size_t len, const char *header,
    struct kf_field *f, size_t nf, struct ds_err *err)
{
	const char *p = text, *end = text + len, *nl, *sp;
	size_t i, klen, vlen;
	int lineno = 0;

	while (p < end) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return ds_err_set(err, DS_EPARSE,
			    "%s:%d: line does not end in a newline", path,
			    lineno);
		if (lineno == 1) {
			if ((size_t)(nl - p) != strlen(header) ||
			    memcmp(p, header, strlen(header)) != 0)
				return ds_err_set(err, DS_EPARSE,
				    "%s: not a '%s' file", path, header);
			p = nl + 1;
			continue;
		}
		if ((sp = memchr(p, ' ', (size_t)(nl - p))) == NULL)
			return ds_err_set(err, DS_EPARSE,
			    "%s:%d: expected 'key value'", path, lineno);
		klen = (size_t)(sp - p);
		vlen = (size_t)(nl - sp - 1);
		for (i = 0; i < nf; i++)
			if (strlen(f[i].name) == klen &&
			    memcmp(f[i].name, p, klen) == 0)
				break;
		if (i == nf)
			return ds_err_set(err, DS_EPARSE,
			    "%s:%d: unknown key '%.*s'", path, lineno,
			    (int)(klen > 40 ? 40 : klen), p);
		if (f[i].seen)
			return ds_err_set(err, DS_EPARSE,
			    "%s:%d: '%s' given twice", path, lineno,
			    f[i].name);
		if (vlen != 2 * f[i].n) {
			return ds_err_set(err, DS_EPARSE,
			    "%s:%d: '%s' must be %zu hex digits", path, lineno,
			    f[i].name, 2 * f[i].n);
		}
		if (sodium_hex2bin(f[i].dst, f[i].n, sp + 1, vlen, NULL,
		    NULL, NULL) != 0)
			return ds_err_set(err, DS_EPARSE,
			    "%s:%d: '%s' is not hex", path, lineno, f[i].name);
		f[i].seen = 1;
		p = nl + 1;
	}
	if (lineno == 0)
		return ds_err_set(err, DS_EPARSE, "%s: empty key file", path);
	for (i = 0; i < nf; i++)
		if (!f[i].seen)
			return ds_err_set(err, DS_EPARSE, "%s: '%s' missing",
			    path, f[i].name);
	return DS_OK;
}

#define PUB_HEADER	"doorstep office public key v1"
#define SEC_HEADER	"doorstep office secret key v1"
#define REC_HEADER	"doorstep office recovery key v1"

enum ds_status
cry_office_pub_parse(const char *text, size_t len, const char *what,
    struct cry_office_pub *out, struct ds_err *err)
{
	struct cry_office_pub pub;
	struct kf_field f[] = {
		{ "office-id", pub.office_id, sizeof(pub.office_id), 0 },
		{ "box", pub.box_pk, sizeof(pub.box_pk), 0 },
		{ "sign", pub.sign_pk, sizeof(pub.sign_pk), 0 },
		{ "recovery", pub.recovery_pk, sizeof(pub.recovery_pk), 0 },
	};
	enum ds_status st;

	ensure_init();
	memset(&pub, 0, sizeof(pub));
	if (len > KEYFILE_MAX)
		return ds_err_set(err, DS_EPARSE, "%s: not a key file (too "
		    "large)", what);
	if ((st = kf_parse(what, text, len, PUB_HEADER, f, 4, err)) != DS_OK)
		return st;
	*out = pub;
	return DS_OK;
}

enum ds_status
cry_office_pub_read(const char *path, struct cry_office_pub *out,
    struct ds_err *err)
{
	enum ds_status st;
	char *text;
	size_t len;

	if ((st = kf_read(path, &text, &len, err)) != DS_OK)
		return st;
	st = cry_office_pub_parse(text, len, path, out, err);
	cry_secure_free(text);
	return st;
}

enum ds_status
cry_office_sec_read(const char *path, struct cry_office_sec **out,
    struct ds_err *err)
{
	struct cry_office_sec *s;
	unsigned char sk[CRY_SIGN_SK_BYTES];
	struct cry_signkey *k = NULL;
	enum ds_status st;
	char *text;
	size_t len;

	if ((s = cry_secure_alloc(sizeof(*s))) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
	{
		struct kf_field f[] = {
			{ "office-id", s->office_id, sizeof(s->office_id), 0 },
			{ "box-secret", s->box_sk, sizeof(s->box_sk), 0 },
			{ "sign-secret", sk, sizeof(sk), 0 },
		};

		if ((st = kf_read(path, &text, &len, err)) != DS_OK) {
			cry_secure_free(s);
			return st;
		}
		st = kf_parse(path, text, len, SEC_HEADER, f, 3, err);
		cry_secure_free(text);
	}
	if (st == DS_OK && (st = cry_signkey_from_sk(sk, &k, err)) != DS_OK)
		ds_err_prefix(err, "%s", path);
	sodium_memzero(sk, sizeof(sk));
	if (st != DS_OK) {
		cry_secure_free(s);
		return st;
	}
	s->sign = *k;
	cry_signkey_free(k);
	crypto_scalarmult_base(s->box_pk, s->box_sk);
	*out = s;
	return DS_OK;
}

void
cry_office_sec_free(struct cry_office_sec *s)
{
	cry_secure_free(s);
}

enum ds_status
cry_office_rec_read(const char *path, struct cry_office_rec **out,
    struct ds_err *err)
{
	struct cry_office_rec *r;
	enum ds_status st;
	char *text;
	size_t len;

	if ((r = cry_secure_alloc(sizeof(*r))) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
	{
		struct kf_field f[] = {
			{ "office-id", r->office_id, sizeof(r->office_id), 0 },
			{ "recovery-secret", r->recovery_sk,
			    sizeof(r->recovery_sk), 0 },
		};

		if ((st = kf_read(path, &text, &len, err)) != DS_OK) {
			cry_secure_free(r);
			return st;
		}
		st = kf_parse(path, text, len, REC_HEADER, f, 2, err);
		cry_secure_free(text);
	}
	if (st != DS_OK) {
		cry_secure_free(r);
		return st;
	}
	crypto_scalarmult_base(r->recovery_pk, r->recovery_sk);
	*out = r;
	return DS_OK;
}

void
cry_office_rec_free(struct cry_office_rec *r)
{
	cry_secure_free(r);
}

/* Append "name hex\n" to buf (cap bytes, used *len). */
static void
kf_put(char *buf, size_t cap, size_t *len, const char *name,
    const unsigned char *v, size_t n)
{
	size_t nl = strlen(name);

	/* Callers size buf for their fixed fields; overflow is a bug. */
	if (*len + nl + 1 + 2 * n + 2 > cap)
		return;
	memcpy(buf + *len, name, nl);
	*len += nl;
	buf[(*len)++] = ' ';
	sodium_bin2hex(buf + *len, 2 * n + 1, v, n);
	*len += 2 * n;
	buf[(*len)++] = '\n';
	buf[*len] = '\0';
}

static void
kf_header(char *buf, size_t *len, const char *h)
{
	*len = strlen(h);
	memcpy(buf, h, *len);
	buf[(*len)++] = '\n';
	buf[*len] = '\0';
}

void
cry_office_pub_text(const struct cry_office_pub *pub,
    char buf[CRY_OFFICE_PUB_TEXT_MAX])
{
	size_t len;

	kf_header(buf, &len, PUB_HEADER);
	kf_put(buf, CRY_OFFICE_PUB_TEXT_MAX, &len, "office-id",
	    pub->office_id, sizeof(pub->office_id));
	kf_put(buf, CRY_OFFICE_PUB_TEXT_MAX, &len, "box", pub->box_pk,
	    sizeof(pub->box_pk));
	kf_put(buf, CRY_OFFICE_PUB_TEXT_MAX, &len, "sign", pub->sign_pk,
	    sizeof(pub->sign_pk));
	kf_put(buf, CRY_OFFICE_PUB_TEXT_MAX, &len, "recovery",
	    pub->recovery_pk, sizeof(pub->recovery_pk));
}

enum ds_status
cry_office_create(const char *dir, struct cry_office_pub *pubp,
    struct ds_err *err)
{
	struct cry_office_pub pub;
	struct {
		unsigned char	box_sk[CRY_BOX_SK_BYTES];
		unsigned char	sign_sk[CRY_SIGN_SK_BYTES];
		unsigned char	rec_sk[CRY_BOX_SK_BYTES];
		char		text[1024];
	} *s;
	char pubtext[CRY_OFFICE_PUB_TEXT_MAX];
	char path[3][1024];
	const char *names[3] = { CRY_OFFICE_SEC_FILE, CRY_OFFICE_REC_FILE,
	    CRY_OFFICE_PUB_FILE };
	enum ds_status st = DS_OK;
	size_t len;
	int i, done = 0;

	if ((st = cry_init(err)) != DS_OK)
		return st;
	for (i = 0; i < 3; i++) {
		len = (size_t)snprintf(path[i], sizeof(path[i]), "%s/%s", dir,
		    names[i]);
		if (len >= sizeof(path[i]))
			return ds_err_set(err, DS_ELIMIT,
			    "office directory path too long");
		if (ds_path_exists(path[i]))
			return ds_err_set(err, DS_EEXIST,
			    "%s already exists; refusing to replace office keys",
			    path[i]);
	}
	if ((s = cry_secure_alloc(sizeof(*s))) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
	randombytes_buf(pub.office_id, sizeof(pub.office_id));
	crypto_box_keypair(pub.box_pk, s->box_sk);
	crypto_sign_keypair(pub.sign_pk, s->sign_sk);
	crypto_box_keypair(pub.recovery_pk, s->rec_sk);

	kf_header(s->text, &len, SEC_HEADER);
	kf_put(s->text, sizeof(s->text), &len, "office-id", pub.office_id,
	    sizeof(pub.office_id));
	kf_put(s->text, sizeof(s->text), &len, "box-secret", s->box_sk,
	    sizeof(s->box_sk));
	kf_put(s->text, sizeof(s->text), &len, "sign-secret", s->sign_sk,
	    sizeof(s->sign_sk));
	if ((st = ds_file_write_atomic(path[0], s->text, len, 0600, err))
	    != DS_OK)
		goto out;
	done = 1;
	kf_header(s->text, &len, REC_HEADER);
	kf_put(s->text, sizeof(s->text), &len, "office-id", pub.office_id,
	    sizeof(pub.office_id));
	kf_put(s->text, sizeof(s->text), &len, "recovery-secret", s->rec_sk,
	    sizeof(s->rec_sk));
	if ((st = ds_file_write_atomic(path[1], s->text, len, 0600, err))
	    != DS_OK)
		goto out;
	done = 2;
	cry_office_pub_text(&pub, pubtext);
	if ((st = ds_file_write_atomic(path[2], pubtext, strlen(pubtext),
	    0644, err)) != DS_OK)
		goto out;
	done = 3;
	if (pubp != NULL)
		*pubp = pub;
out:
	if (st != DS_OK)
		for (i = 0; i < done; i++)
			(void)unlink(path[i]);
	cry_secure_free(s);
	return st;
}

void
cry_office_unlink(const char *dir)
{
	const char *names[3] = { CRY_OFFICE_PUB_FILE, CRY_OFFICE_SEC_FILE,
	    CRY_OFFICE_REC_FILE };
	char path[1024];
	int i;

	for (i = 0; i < 3; i++)
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) <
		    (int)sizeof(path))
			(void)unlink(path);
	(void)ds_dir_sync(dir, NULL);
}

/* ------------------------------------------------------------------ */

void
cry_aead_seal(unsigned char *out, const unsigned char *pt, size_t ptlen,
    const unsigned char *ad, size_t adlen, const unsigned char key[CRY_KEY_BYTES])
{
	ensure_init();
	randombytes_buf(out, CRY_AEAD_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + CRY_AEAD_NONCE_BYTES,
	    NULL, pt, ptlen, ad, adlen, NULL, out, key);
}

void
cry_aead_seal_det(unsigned char *out, const unsigned char *pt, size_t ptlen,
    const unsigned char *ad, size_t adlen, const unsigned char key[CRY_KEY_BYTES])
{
	crypto_generichash_state h;
	unsigned char nk[CRY_KEY_BYTES], len[8];
	size_t i;

	ensure_init();
	/* Synthetic nonce: a PRF of (ad, pt) under a subkey of key. */
	crypto_kdf_derive_from_key(nk, sizeof(nk), 1, "aeadsiv1", key);
	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)adlen >> (8 * i));
	crypto_generichash_init(&h, nk, sizeof(nk), CRY_AEAD_NONCE_BYTES);
	crypto_generichash_update(&h, len, sizeof(len));
	crypto_generichash_update(&h, ad, adlen);
	crypto_generichash_update(&h, pt, ptlen);
	crypto_generichash_final(&h, out, CRY_AEAD_NONCE_BYTES);
	sodium_memzero(&h, sizeof(h));
	sodium_memzero(nk, sizeof(nk));
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + CRY_AEAD_NONCE_BYTES,
	    NULL, pt, ptlen, ad, adlen, NULL, out, key);
}

enum ds_status
cry_aead_open(unsigned char *out, const unsigned char *ct, size_t ctlen,
    const unsigned char *ad, size_t adlen, const unsigned char key[CRY_KEY_BYTES])
{
	ensure_init();
	if (ctlen < CRY_AEAD_OVERHEAD)
		return DS_ECRYPTO;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL,
	    ct + CRY_AEAD_NONCE_BYTES, ctlen - CRY_AEAD_NONCE_BYTES, ad, adlen,
	    ct, key) != 0) {
		sodium_memzero(out, ctlen - CRY_AEAD_OVERHEAD);
		return DS_ECRYPTO;
	}
	return DS_OK;
}

void
cry_kdf(unsigned char *sub, size_t sublen, uint64_t id, const char ctx[8],
    const unsigned char key[CRY_KEY_BYTES])
{
	ensure_init();
	crypto_kdf_derive_from_key(sub, sublen, id, ctx, key);
}

enum ds_status
cry_seal(unsigned char *out, const unsigned char *msg, size_t len,
    const unsigned char pk[CRY_BOX_PK_BYTES], struct ds_err *err)
{
	ensure_init();
	if (crypto_box_seal(out, msg, len, pk) != 0)
		return ds_err_set(err, DS_ECRYPTO, "cannot seal to public key");
	return DS_OK;
}

enum ds_status
cry_seal_open(unsigned char *out, const unsigned char *ct, size_t ctlen,
    const unsigned char pk[CRY_BOX_PK_BYTES],
    const unsigned char sk[CRY_BOX_SK_BYTES], struct ds_err *err)
{
	ensure_init();
	if (ctlen < CRY_SEAL_OVERHEAD ||
	    crypto_box_seal_open(out, ct, ctlen, pk, sk) != 0)
		return ds_err_set(err, DS_ECRYPTO,
		    "sealed box does not open with this key");
	return DS_OK;
}

int
cry_kdf_params_ok(uint64_t ops, uint64_t mem)
{
	return ops >= crypto_pwhash_argon2id_OPSLIMIT_MIN &&
	    ops <= crypto_pwhash_argon2id_OPSLIMIT_MAX &&
	    mem >= crypto_pwhash_argon2id_MEMLIMIT_MIN &&
	    mem <= (uint64_t)4 << 30;	/* no laptop gives more; stops DoS */
}

enum ds_status
cry_pwhash(unsigned char key[CRY_KEY_BYTES], const char *pass, size_t passlen,
    const struct cry_kdf_params *p, struct ds_err *err)
{
	ensure_init();
	if (!cry_kdf_params_ok(p->ops, p->mem))
		return ds_err_set(err, DS_EINVAL,
		    "argon2id parameters out of range (ops %llu, mem %llu)",
		    (unsigned long long)p->ops, (unsigned long long)p->mem);
	if (crypto_pwhash(key, CRY_KEY_BYTES, pass, passlen, p->salt,
	    p->ops, (size_t)p->mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return ds_err_set(err, DS_ENOMEM,
		    "argon2id could not get %llu MiB of memory",
		    (unsigned long long)(p->mem >> 20));
	return DS_OK;
}

#ifdef DS_TEST_KDF
static uint64_t	(*kdf_clock)(void);

void
cry_kdf_clock(uint64_t (*clock)(void))
{
	kdf_clock = clock;
}
#endif

/* The calibration's clock: a test build's may be the test's. */
static uint64_t
kdf_now(void)
{
#ifdef DS_TEST_KDF
	if (kdf_clock != NULL)
		return kdf_clock();
#endif
	return ds_mono_ns();
}

static uint64_t
time_once(struct cry_kdf_params *p, unsigned char *key, int *okp)
{
	uint64_t t0 = kdf_now();

	*okp = crypto_pwhash(key, CRY_KEY_BYTES, "calibrate", 9, p->salt,
	    p->ops, (size_t)p->mem, crypto_pwhash_ALG_ARGON2ID13) == 0;
	return (kdf_now() - t0) / 1000000;
}

int
cry_kdf_test_cost(void)
{
#ifdef DS_TEST_KDF
	return 1;
#else
	return 0;
#endif
}

int
cry_kdf_below_floor(const struct cry_kdf_params *p)
{
	return p->mem < CRY_KDF_MEM_FLOOR;
}

enum ds_status
cry_kdf_calibrate(enum cry_cost cost, unsigned target_ms,
    struct cry_kdf_params *out, struct ds_err *err)
{
	struct cry_kdf_params p;
	unsigned char *key;
	uint64_t ms = 0;
	int ok = 0;

	ensure_init();
	randombytes_buf(p.salt, sizeof(p.salt));
	if (cost == CRY_COST_MIN && !cry_kdf_test_cost())
		return ds_err_set(err, DS_EINVAL, "the test-only KDF cost is not "
		    "in this build");
	if (cost == CRY_COST_MIN) {
		p.ops = crypto_pwhash_argon2id_OPSLIMIT_MIN;
		p.mem = crypto_pwhash_argon2id_MEMLIMIT_MIN;
		*out = p;
		return DS_OK;
	}
	if (target_ms == 0)
		target_ms = 1000;
	if ((key = cry_secure_alloc(CRY_KEY_BYTES)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
	p.ops = 3;
	/* 256 MiB, falling back to 128 and 64 MiB if refused. */
	for (p.mem = (uint64_t)256 << 20; p.mem >= (uint64_t)64 << 20;
	    p.mem >>= 1) {
		ms = time_once(&p, key, &ok);
		if (ok)
			break;
	}
	if (!ok) {
		cry_secure_free(key);
		return ds_err_set(err, DS_ENOMEM,
		    "argon2id could not get even 64 MiB of memory");
	}
	/* Time is about linear in opslimit: scale it toward the target. */
	if (ms == 0)
		ms = 1;
	p.ops = p.ops * target_ms / ms;
	if (p.ops > 64)
		p.ops = 64;
	cry_secure_free(key);
	if (p.ops < crypto_pwhash_argon2id_OPSLIMIT_MIN)
		p.ops = crypto_pwhash_argon2id_OPSLIMIT_MIN;
	*out = p;
	return DS_OK;
}
