/* doorstep: workspace keyring, unlock, passphrase change and recovery. */
/*
 * The keyring is a small text file (docs/keys.md) rewritten whole and
 * atomically on every change.  It is parsed strictly and then re-encoded:
 * a file that is not byte-for-byte the canonical encoding of what was
 * parsed, or whose checksum line does not match, is refused as damaged,
 * naming the file.  The checksum catches accidents; deliberate edits to the
 * KDF parameters are caught by the wrap's AD, which binds them.
 *
 * Secrets (DEK, KEK, device secret key, worker name, passphrases) are held
 * only in cry_secure_alloc memory and wiped on every path.  It does not
 * read passphrases from anywhere: callers pass them in.
 */
#include "ws.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "utf8.h"
#include "util.h"

/* v2 binds the pinned office key (office-key); v1 keyrings are read and
 * moved to v2 at their first unlock (pin_first). */
#define KR_HEADER_V1	"doorstep keyring v1"
#define KR_HEADER	"doorstep keyring v2"
#define KR_MAX		8192
#define PASS_WRAP_LEN	(CRY_KEY_BYTES + CRY_AEAD_OVERHEAD)
#define REC_PLAIN_LEN	(CRY_ID_BYTES + CRY_KEY_BYTES)
#define REC_WRAP_LEN	(REC_PLAIN_LEN + CRY_SEAL_OVERHEAD)
#define SIGN_WRAP_LEN	(CRY_SIGN_SK_BYTES + CRY_AEAD_OVERHEAD)
#define BOX_WRAP_LEN	(CRY_BOX_SK_BYTES + CRY_AEAD_OVERHEAD)
#define WORKER_WRAP_MAX	(WS_WORKER_MAX + CRY_AEAD_OVERHEAD)
#define NEXT_WRAP_LEN	(CRY_KEY_BYTES + CRY_AEAD_OVERHEAD)

/* The keyring as stored: nothing in it is secret. */
struct keyring {
	unsigned char		ws_id[CRY_ID_BYTES];
	unsigned char		device_id[CRY_ID_BYTES];
	unsigned char		office_id[CRY_ID_BYTES];
	int			version;	/* 1 or 2 (KR_HEADER) */
	unsigned char		office_key[CRY_HASH256_BYTES]; /* v2 */
	unsigned char		key_id[CRY_KEYID_BYTES];
	struct cry_kdf_params	kdf;
	unsigned char		pass_wrap[PASS_WRAP_LEN];
	unsigned char		rec_key_id[CRY_KEYID_BYTES];
	unsigned char		rec_wrap[REC_WRAP_LEN];
	unsigned char		sign_pk[CRY_SIGN_PK_BYTES];
	unsigned char		sign_wrap[SIGN_WRAP_LEN];
	int			has_box;	/* keyrings before issue 11: 0 */
	unsigned char		box_pk[CRY_BOX_PK_BYTES];
	unsigned char		box_wrap[BOX_WRAP_LEN];
	unsigned char		worker[WORKER_WRAP_MAX];
	size_t			worker_len;
	/* Only while a key rotation is under way (ws_rotate). */
	int			has_next;
	unsigned char		next_key_id[CRY_KEYID_BYTES];
	unsigned char		next_wrap[NEXT_WRAP_LEN];
};

/* Secrets of an open workspace, one secure allocation. */
struct ws_secret {
	unsigned char	dek[CRY_KEY_BYTES];
	unsigned char	next[CRY_KEY_BYTES];	/* kr.has_next: the new key */
	char		worker[WS_WORKER_MAX + 1];
};

struct ws {
	char			*dir;
	struct keyring		 kr;
	int			 rotated;	/* kr.has_next: the store is
						   under the new key already */
	struct ws_secret	*sec;
	struct cry_signkey	*sign;
	struct cry_boxkey	*box;	/* NULL if it could not be stored */
	struct cry_office_pub	 office;
	struct store		*store;
};

/* ------------------------------------------------------------------ */
/* Canonical length-prefixed AD (same encoding as store.c).            */

struct ad {
	unsigned char	b[256];
	size_t		n;
};

static void
ad_put(struct ad *a, const void *p, size_t n)
{
	size_t i;

	if (a->n + 4 + n > sizeof(a->b))
		return;		/* callers pass fixed, small fields */
	for (i = 0; i < 4; i++)
		a->b[a->n++] = (unsigned char)(n >> (8 * i));
	memcpy(a->b + a->n, p, n);
	a->n += n;
}

static void
ad_u64(struct ad *a, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	ad_put(a, b, 8);
}

static void
ad_pass(struct ad *a, const struct keyring *kr)
{
	memset(a, 0, sizeof(*a));
	ad_put(a, "doorstep keywrap v1", 19);
	ad_put(a, kr->ws_id, CRY_ID_BYTES);
	ad_put(a, CRY_KDF_ALG_NAME, strlen(CRY_KDF_ALG_NAME));
	ad_u64(a, kr->kdf.ops);
	ad_u64(a, kr->kdf.mem);
	ad_put(a, kr->kdf.salt, CRY_SALT_BYTES);
}

static void
ad_sign(struct ad *a, const struct keyring *kr)
{
	memset(a, 0, sizeof(*a));
	ad_put(a, "doorstep device key v1", 22);
	ad_put(a, kr->ws_id, CRY_ID_BYTES);
	ad_put(a, kr->device_id, CRY_ID_BYTES);
	ad_put(a, kr->sign_pk, CRY_SIGN_PK_BYTES);
}

static void
ad_box(struct ad *a, const struct keyring *kr)
{
	memset(a, 0, sizeof(*a));
	ad_put(a, "doorstep device box key v1", 26);
	ad_put(a, kr->ws_id, CRY_ID_BYTES);
	ad_put(a, kr->device_id, CRY_ID_BYTES);
	ad_put(a, kr->box_pk, CRY_BOX_PK_BYTES);
}

static void
ad_next(struct ad *a, const struct keyring *kr)
{
	memset(a, 0, sizeof(*a));
	ad_put(a, "doorstep next key v1", 20);
	ad_put(a, kr->ws_id, CRY_ID_BYTES);
	ad_put(a, kr->key_id, CRY_KEYID_BYTES);
	ad_put(a, kr->next_key_id, CRY_KEYID_BYTES);
}

/*
 * The worker wrap of a v2 keyring binds the hash of the pinned office
 * key: editing the office-key line, or dropping it with the header back
 * at v1, leaves a worker name that does not decrypt.
 */
static void
ad_worker(struct ad *a, const struct keyring *kr)
{
	memset(a, 0, sizeof(*a));
	if (kr->version < 2) {
		ad_put(a, "doorstep worker v1", 18);
		ad_put(a, kr->ws_id, CRY_ID_BYTES);
		return;
	}
	ad_put(a, "doorstep worker v2", 18);
	ad_put(a, kr->ws_id, CRY_ID_BYTES);
	ad_put(a, kr->office_key, CRY_HASH256_BYTES);
}

/* BLAKE2b-256 of the text of office-public.key for pub. */
static void
office_hash(const struct cry_office_pub *pub,
    unsigned char out[CRY_HASH256_BYTES])
{
	char text[CRY_OFFICE_PUB_TEXT_MAX];

	cry_office_pub_text(pub, text);
	cry_hash(out, CRY_HASH256_BYTES, NULL, 0, text, strlen(text));
}

/* ------------------------------------------------------------------ */
/* Keyring text                                                        */

static enum ds_status
kr_hex(struct ds_buf *b, const char *name, const unsigned char *v, size_t n)
{
	char hex[2 * WORKER_WRAP_MAX + 1];
	enum ds_status st;

	ds_hex_encode(v, n, hex);
	if ((st = ds_buf_printf(b, "%s %s\n", name, hex)) != DS_OK)
		return st;
	return DS_OK;
}

/* Canonical text of kr, with the checksum line; *out ds_malloc'd. */
static enum ds_status
kr_encode(const struct keyring *kr, char **out, size_t *lenp,
    struct ds_err *err)
{
	struct ds_buf b;
	unsigned char sum[32];
	enum ds_status st;

	ds_buf_init(&b, KR_MAX);
	if ((st = ds_buf_printf(&b, "%s\n", kr->version < 2 ? KR_HEADER_V1 :
	    KR_HEADER)) != DS_OK ||
	    (st = kr_hex(&b, "workspace-id", kr->ws_id, CRY_ID_BYTES)) != DS_OK ||
	    (st = kr_hex(&b, "device-id", kr->device_id, CRY_ID_BYTES)) != DS_OK ||
	    (st = kr_hex(&b, "office-id", kr->office_id, CRY_ID_BYTES)) != DS_OK)
		goto out;
	if (kr->version >= 2 && (st = kr_hex(&b, "office-key", kr->office_key,
	    CRY_HASH256_BYTES)) != DS_OK)
		goto out;
	if ((st = kr_hex(&b, "key-id", kr->key_id, CRY_KEYID_BYTES)) != DS_OK ||
	    (st = ds_buf_printf(&b, "kdf-alg %s\nkdf-ops %llu\nkdf-mem %llu\n",
	    CRY_KDF_ALG_NAME, (unsigned long long)kr->kdf.ops,
	    (unsigned long long)kr->kdf.mem)) != DS_OK ||
	    (st = kr_hex(&b, "kdf-salt", kr->kdf.salt, CRY_SALT_BYTES)) != DS_OK ||
	    (st = kr_hex(&b, "pass-wrap", kr->pass_wrap, PASS_WRAP_LEN)) != DS_OK ||
	    (st = kr_hex(&b, "recovery-key-id", kr->rec_key_id,
	    CRY_KEYID_BYTES)) != DS_OK ||
	    (st = kr_hex(&b, "recovery-wrap", kr->rec_wrap, REC_WRAP_LEN)) != DS_OK ||
	    (st = kr_hex(&b, "device-sign-public", kr->sign_pk,
	    CRY_SIGN_PK_BYTES)) != DS_OK ||
	    (st = kr_hex(&b, "device-sign-secret", kr->sign_wrap,
	    SIGN_WRAP_LEN)) != DS_OK)
		goto out;
	if (kr->has_box && ((st = kr_hex(&b, "device-box-public", kr->box_pk,
	    CRY_BOX_PK_BYTES)) != DS_OK || (st = kr_hex(&b,
	    "device-box-secret", kr->box_wrap, BOX_WRAP_LEN)) != DS_OK))
		goto out;
	if ((st = kr_hex(&b, "worker", kr->worker, kr->worker_len)) != DS_OK)
		goto out;
	if (kr->has_next && ((st = kr_hex(&b, "next-key-id", kr->next_key_id,
	    CRY_KEYID_BYTES)) != DS_OK || (st = kr_hex(&b, "next-wrap",
	    kr->next_wrap, NEXT_WRAP_LEN)) != DS_OK))
		goto out;
	cry_hash(sum, sizeof(sum), NULL, 0, b.p, b.len);
	if ((st = kr_hex(&b, "check", sum, sizeof(sum))) != DS_OK)
		goto out;
	if ((*out = ds_buf_take(&b, lenp)) == NULL) {
		st = DS_ENOMEM;
		goto out;
	}
	return DS_OK;
out:
	ds_buf_reset(&b);
	return ds_err_set(err, st, "cannot encode keyring: %s",
	    ds_status_str(st));
}

/* Hex value of exactly n bytes, or (var) up to n bytes with *lenp. */
static int
get_hex(const char *v, size_t vlen, unsigned char *dst, size_t n,
    size_t *lenp)
{
	char tmp[2 * WORKER_WRAP_MAX + 1];

	if (lenp == NULL ? vlen != 2 * n : (vlen % 2 != 0 || vlen > 2 * n ||
	    vlen == 0))
		return -1;
	memcpy(tmp, v, vlen);
	tmp[vlen] = '\0';
	if (ds_hex_decode(tmp, dst, vlen / 2) != 0)
		return -1;
	if (lenp != NULL)
		*lenp = vlen / 2;
	return 0;
}

static int
get_u64(const char *v, size_t vlen, uint64_t *out)
{
	char tmp[24];
	int64_t x;

	if (vlen == 0 || vlen >= sizeof(tmp))
		return -1;
	memcpy(tmp, v, vlen);
	tmp[vlen] = '\0';
	if (ds_parse_i64(tmp, 1, INT64_MAX, &x) != 0)
		return -1;
	*out = (uint64_t)x;
	return 0;
}

/* Parse one "key value" line into kr; -1 on any problem. */
static int
kr_field(struct keyring *kr, const char *k, size_t klen, const char *v,
    size_t vlen, unsigned *seen)
{
	static const char *const names[] = { "workspace-id", "device-id",
	    "office-id", "key-id", "kdf-alg", "kdf-ops", "kdf-mem",
	    "kdf-salt", "pass-wrap", "recovery-key-id", "recovery-wrap",
	    "device-sign-public", "device-sign-secret", "worker",
	    "device-box-public", "device-box-secret", "next-key-id",
	    "next-wrap", "office-key", NULL };
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == klen && memcmp(names[i], k, klen) == 0)
			break;
	if (names[i] == NULL || (*seen & (1u << i)))
		return -1;
	*seen |= 1u << i;
	switch (i) {
	case 0:
		return get_hex(v, vlen, kr->ws_id, CRY_ID_BYTES, NULL);
	case 1:
		return get_hex(v, vlen, kr->device_id, CRY_ID_BYTES, NULL);
	case 2:
		return get_hex(v, vlen, kr->office_id, CRY_ID_BYTES, NULL);
	case 3:
		return get_hex(v, vlen, kr->key_id, CRY_KEYID_BYTES, NULL);
	case 4:
		return vlen == strlen(CRY_KDF_ALG_NAME) &&
		    memcmp(v, CRY_KDF_ALG_NAME, vlen) == 0 ? 0 : -1;
	case 5:
		return get_u64(v, vlen, &kr->kdf.ops);
	case 6:
		return get_u64(v, vlen, &kr->kdf.mem);
	case 7:
		return get_hex(v, vlen, kr->kdf.salt, CRY_SALT_BYTES, NULL);
	case 8:
		return get_hex(v, vlen, kr->pass_wrap, PASS_WRAP_LEN, NULL);
	case 9:
		return get_hex(v, vlen, kr->rec_key_id, CRY_KEYID_BYTES, NULL);
	case 10:
		return get_hex(v, vlen, kr->rec_wrap, REC_WRAP_LEN, NULL);
	case 11:
		return get_hex(v, vlen, kr->sign_pk, CRY_SIGN_PK_BYTES, NULL);
	case 12:
		return get_hex(v, vlen, kr->sign_wrap, SIGN_WRAP_LEN, NULL);
	case 13:
		return get_hex(v, vlen, kr->worker, WORKER_WRAP_MAX,
		    &kr->worker_len);
	case 14:
		return get_hex(v, vlen, kr->box_pk, CRY_BOX_PK_BYTES, NULL);
	case 15:
		return get_hex(v, vlen, kr->box_wrap, BOX_WRAP_LEN, NULL);
	case 16:
		return get_hex(v, vlen, kr->next_key_id, CRY_KEYID_BYTES, NULL);
	case 18:
		return get_hex(v, vlen, kr->office_key, CRY_HASH256_BYTES,
		    NULL);
	default:
		return get_hex(v, vlen, kr->next_wrap, NEXT_WRAP_LEN, NULL);
	}
}

/* Parse keyring text strictly; `path` names it in messages. */
static enum ds_status
kr_parse(const char *text, size_t len, const char *path, struct keyring *out,
    struct ds_err *err)
{
	struct keyring kr;
	char *canon = NULL;
	const char *p, *end, *nl, *sp;
	size_t clen;
	unsigned seen = 0;
	enum ds_status st;
	int line = 0;

	memset(&kr, 0, sizeof(kr));
	p = text;
	end = text + len;
	while (p < end) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		if (line == 1) {
			if ((size_t)(nl - p) == strlen(KR_HEADER) &&
			    memcmp(p, KR_HEADER, strlen(KR_HEADER)) == 0)
				kr.version = 2;
			else if ((size_t)(nl - p) == strlen(KR_HEADER_V1) &&
			    memcmp(p, KR_HEADER_V1, strlen(KR_HEADER_V1)) == 0)
				kr.version = 1;
			else
				break;
		} else if ((size_t)(nl - p) > 6 && memcmp(p, "check ", 6) == 0) {
			p = nl + 1;
			break;	/* verified by re-encoding below */
		} else {
			if ((sp = memchr(p, ' ', (size_t)(nl - p))) == NULL ||
			    kr_field(&kr, p, (size_t)(sp - p), sp + 1,
			    (size_t)(nl - sp - 1), &seen) != 0)
				break;
		}
		p = nl + 1;
	}
	/* The box key lines come both or neither (older keyrings), and so
	 * do the rotation lines; the office key is in v2 and only there. */
	kr.has_box = ((seen >> 14) & 3) == 3;
	kr.has_next = ((seen >> 16) & 3) == 3;
	if (p != end || (seen & ((1u << 14) - 1)) != (1u << 14) - 1 ||
	    (((seen >> 14) & 3) != 0 && !kr.has_box) ||
	    (((seen >> 16) & 3) != 0 && !kr.has_next) ||
	    ((seen >> 18) & 1) != (kr.version == 2) ||
	    !cry_kdf_params_ok(kr.kdf.ops, kr.kdf.mem))
		return ds_err_set(err, DS_ECORRUPT, "keyring %s is damaged or "
		    "was edited (line %d)", path, line);
	if ((st = kr_encode(&kr, &canon, &clen, err)) != DS_OK)
		return st;
	if (clen != len || memcmp(canon, text, len) != 0)
		st = ds_err_set(err, DS_ECORRUPT, "keyring %s is damaged or "
		    "was edited (checksum mismatch)", path);
	ds_free(canon);
	if (st == DS_OK)
		*out = kr;
	return st;
}

enum ds_status
ws_keyring_check(const char *text, size_t len, const char *what,
    struct ds_err *err)
{
	struct keyring kr;

	if (len > KR_MAX)
		return ds_err_set(err, DS_ECORRUPT, "keyring %s is too large",
		    what);
	return kr_parse(text, len, what, &kr, err);
}

static enum ds_status
kr_read(const char *dir, struct keyring *out, struct ds_err *err)
{
	char path[1024], *text = NULL;
	size_t len;
	enum ds_status st;

	snprintf(path, sizeof(path), "%s/%s", dir, WS_KEYRING_FILE);
	if ((st = ds_file_read(path, KR_MAX, &text, &len, err)) != DS_OK) {
		if (st == DS_ENOENT)
			ds_err_set(err, DS_ENOENT, "%s is not a workspace (no "
			    "keyring); run doorstep init", dir);
		else if (st == DS_ELIMIT)
			st = ds_err_set(err, DS_ECORRUPT, "keyring %s is too "
			    "large", path);
		return st;
	}
	st = kr_parse(text, len, path, out, err);
	ds_free(text);
	return st;
}

static enum ds_status
kr_write(const char *dir, const struct keyring *kr, struct ds_err *err)
{
	char path[1024], *text;
	size_t len;
	enum ds_status st;

	snprintf(path, sizeof(path), "%s/%s", dir, WS_KEYRING_FILE);
	if ((st = kr_encode(kr, &text, &len, err)) != DS_OK)
		return st;
	st = ds_file_write_atomic(path, text, len, 0600, err);
	ds_free(text);
	if (st != DS_OK)
		ds_err_prefix(err, "cannot write keyring");
	return st;
}

/* ------------------------------------------------------------------ */

enum ds_status
ws_default_dir(char *out, size_t n, struct ds_err *err)
{
	const char *x = getenv("XDG_DATA_HOME"), *h = getenv("HOME");
	int r;

	if (x != NULL && *x == '/')
		r = snprintf(out, n, "%s/doorstep", x);
	else if (h != NULL && *h != '\0')
		r = snprintf(out, n, "%s/.local/share/doorstep", h);
	else
		return ds_err_set(err, DS_ENOENT, "no workspace: set --workspace, "
		    "DOORSTEP_WORKSPACE, XDG_DATA_HOME or HOME");
	if (r < 0 || (size_t)r >= n)
		return ds_err_set(err, DS_ELIMIT, "workspace path too long");
	return DS_OK;
}

enum ds_status
ws_pass_check(const char *pass, size_t len, struct ds_err *err)
{
	size_t i;

	if (len > WS_PASS_MAX)
		return ds_err_set(err, DS_EINVAL, "passphrase is too long (more "
		    "than %d bytes)", WS_PASS_MAX);
	if (!utf8_valid(pass, len, 0))
		return ds_err_set(err, DS_EINVAL, "passphrase is not valid "
		    "UTF-8");
	if (utf8_count(pass, len) < WS_PASS_MIN_CHARS)
		return ds_err_set(err, DS_EINVAL, "passphrase is too short "
		    "(at least %d characters)", WS_PASS_MIN_CHARS);
	for (i = 1; i < len && pass[i] == pass[0]; i++)
		;
	if (i == len)
		return ds_err_set(err, DS_EINVAL, "passphrase repeats one "
		    "character");
	return DS_OK;
}

/* A KEK for pass with fresh parameters (into kr->kdf); kek is secure. */
static enum ds_status
new_kek(struct keyring *kr, const char *pass, size_t passlen,
    enum cry_cost cost, unsigned char *kek, struct ds_err *err)
{
	enum ds_status st;

	if ((st = ws_pass_check(pass, passlen, err)) != DS_OK)
		return st;
	if ((st = cry_kdf_calibrate(cost, 0, &kr->kdf, err)) != DS_OK)
		return st;
	return cry_pwhash(kek, pass, passlen, &kr->kdf, err);
}

/* The passphrase wrap of dek under kek (derived with kr->kdf). */
static void
seal_pass(struct keyring *kr, const unsigned char *dek,
    const unsigned char *kek)
{
	struct ad ad;

	ad_pass(&ad, kr);
	cry_aead_seal(kr->pass_wrap, dek, CRY_KEY_BYTES, ad.b, ad.n, kek);
}

/* Wrap the DEK under pass with fresh parameters; fills kr->kdf, pass_wrap. */
static enum ds_status
wrap_pass(struct keyring *kr, const unsigned char *dek, const char *pass,
    size_t passlen, enum cry_cost cost, struct ds_err *err)
{
	unsigned char *kek;
	enum ds_status st;

	if ((kek = cry_secure_alloc(CRY_KEY_BYTES)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
	if ((st = new_kek(kr, pass, passlen, cost, kek, err)) == DS_OK)
		seal_pass(kr, dek, kek);
	cry_secure_free(kek);
	return st;
}

static void
fail_delay(void)
{
	struct timespec ts = { WS_FAIL_DELAY_MS / 1000,
	    (WS_FAIL_DELAY_MS % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
ws_path(char *out, size_t n, const char *dir, const char *file)
{
	snprintf(out, n, "%s/%s", dir, file);
}

/*
 * A fresh device box key (X25519: office bundles are sealed to it), its
 * secret sealed into kr under DEK subkey "keywrap_" 3, like the device
 * and worker secrets under 1 and 2: a new data key (store_rekey) must
 * re-wrap all three.  *out is the caller's (cry_boxkey_free).
 */
static enum ds_status
box_make(struct keyring *kr, const unsigned char *dek, struct cry_boxkey **out,
    struct ds_err *err)
{
	unsigned char *wk;
	enum ds_status st;
	struct ad ad;

	if ((st = cry_boxkey_new(out, err)) != DS_OK)
		return st;
	if ((wk = cry_secure_alloc(CRY_KEY_BYTES)) == NULL) {
		cry_boxkey_free(*out);
		*out = NULL;
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure "
		    "memory");
	}
	memcpy(kr->box_pk, (*out)->pk, CRY_BOX_PK_BYTES);
	cry_kdf(wk, CRY_KEY_BYTES, 3, "keywrap_", dek);
	ad_box(&ad, kr);
	cry_aead_seal(kr->box_wrap, (*out)->sk, CRY_BOX_SK_BYTES, ad.b, ad.n,
	    wk);
	cry_secure_free(wk);
	kr->has_box = 1;
	return DS_OK;
}

/* Open the sealed box key of the keyring into w->box. */
static enum ds_status
box_open(struct ws *w, struct ds_err *err)
{
	unsigned char *wk, sk[CRY_BOX_SK_BYTES];
	enum ds_status st = DS_OK;
	struct ad ad;

	if ((wk = cry_secure_alloc(CRY_KEY_BYTES)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure "
		    "memory");
	cry_kdf(wk, CRY_KEY_BYTES, 3, "keywrap_", w->sec->dek);
	ad_box(&ad, &w->kr);
	if (cry_aead_open(sk, w->kr.box_wrap, BOX_WRAP_LEN, ad.b, ad.n, wk) !=
	    DS_OK)
		st = ds_err_set(err, DS_ECORRUPT, "keyring %s/%s: device box "
		    "key does not decrypt", w->dir, WS_KEYRING_FILE);
	else if ((st = cry_boxkey_from_sk(sk, &w->box, err)) == DS_OK &&
	    memcmp(w->box->pk, w->kr.box_pk, CRY_BOX_PK_BYTES) != 0)
		st = ds_err_set(err, DS_ECORRUPT, "keyring %s/%s: device box "
		    "key does not match its public key", w->dir,
		    WS_KEYRING_FILE);
	cry_wipe(sk, sizeof(sk));
	cry_secure_free(wk);
	return st;
}

/*
 * A keyring from before the box key gets one at its first unlock; the
 * keyring is rewritten atomically.  If it cannot be written, the
 * workspace opens without one (office bundles wait for the next unlock)
 * rather than with a key the office could be told and the laptop lose.
 */
static void
box_first(struct ws *w)
{
	struct keyring kr = w->kr;
	struct cry_boxkey *k = NULL;

	if (box_make(&kr, w->sec->dek, &k, NULL) != DS_OK)
		return;
	if (kr_write(w->dir, &kr, NULL) != DS_OK) {
		cry_boxkey_free(k);
		return;
	}
	w->kr = kr;
	w->box = k;
}

enum ds_status
ws_create(const char *dir, const char *office_key_path, const char *worker,
    const char *pass, size_t passlen, enum cry_cost cost, struct ds_err *err)
{
	struct keyring kr;
	struct cry_office_pub pub;
	struct cry_signkey *sk = NULL;
	struct cry_boxkey *bk = NULL;
	struct store *s = NULL;
	unsigned char *sec = NULL;	/* ws_id || dek, then scratch */
	char path[1024], pubtext[CRY_OFFICE_PUB_TEXT_MAX];
	size_t wlen = worker ? strlen(worker) : 0;
	enum ds_status st;
	struct ad ad;
	int made_office = 0, made_db = 0;

	if ((st = cry_init(err)) != DS_OK)
		return st;
	if (wlen == 0 || wlen > WS_WORKER_MAX)
		return ds_err_set(err, DS_EINVAL, "worker name must be 1..%d "
		    "bytes", WS_WORKER_MAX);
	if ((st = ws_pass_check(pass, passlen, err)) != DS_OK)
		return st;
	if ((st = cry_office_pub_read(office_key_path, &pub, err)) != DS_OK)
		return st;
	if (strlen(dir) > 900)
		return ds_err_set(err, DS_ELIMIT, "workspace path too long");
	ws_path(path, sizeof(path), dir, WS_KEYRING_FILE);
	if (ds_path_exists(path))
		return ds_err_set(err, DS_EEXIST, "%s is already a workspace",
		    dir);
	if ((st = ds_mkdir_p(dir, 0700, err)) != DS_OK)
		return st;
	if (chmod(dir, 0700) != 0)
		return ds_err_set(err, DS_EIO, "cannot chmod %s: %s", dir,
		    strerror(errno));
	ws_path(path, sizeof(path), dir, WS_DB_FILE);
	if (ds_path_exists(path))
		return ds_err_set(err, DS_EEXIST, "%s already holds a record "
		    "store; refusing to mix workspaces", dir);

	memset(&kr, 0, sizeof(kr));
	if ((sec = cry_secure_alloc(REC_PLAIN_LEN + WS_WORKER_MAX)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
	cry_random(kr.ws_id, CRY_ID_BYTES);
	cry_random(kr.device_id, CRY_ID_BYTES);
	memcpy(kr.office_id, pub.office_id, CRY_ID_BYTES);
	kr.version = 2;
	office_hash(&pub, kr.office_key);
	memcpy(sec, kr.ws_id, CRY_ID_BYTES);
	cry_random(sec + CRY_ID_BYTES, CRY_KEY_BYTES);	/* the DEK */
	cry_dek_key_id(sec + CRY_ID_BYTES, kr.key_id);
	cry_key_id(pub.recovery_pk, CRY_BOX_PK_BYTES, kr.rec_key_id);
	if ((st = cry_seal(kr.rec_wrap, sec, REC_PLAIN_LEN, pub.recovery_pk,
	    err)) != DS_OK ||
	    (st = wrap_pass(&kr, sec + CRY_ID_BYTES, pass, passlen, cost, err))
	    != DS_OK ||
	    (st = cry_signkey_new(&sk, err)) != DS_OK)
		goto out;
	{
		unsigned char *wk = sec + REC_PLAIN_LEN;	/* scratch key */

		memcpy(kr.sign_pk, sk->pk, CRY_SIGN_PK_BYTES);
		cry_kdf(wk, CRY_KEY_BYTES, 1, "keywrap_", sec + CRY_ID_BYTES);
		ad_sign(&ad, &kr);
		cry_aead_seal(kr.sign_wrap, sk->sk, CRY_SIGN_SK_BYTES, ad.b,
		    ad.n, wk);
		cry_kdf(wk, CRY_KEY_BYTES, 2, "keywrap_", sec + CRY_ID_BYTES);
		ad_worker(&ad, &kr);
		cry_aead_seal(kr.worker, (const unsigned char *)worker, wlen,
		    ad.b, ad.n, wk);
		kr.worker_len = wlen + CRY_AEAD_OVERHEAD;
		cry_wipe(wk, CRY_KEY_BYTES);
	}
	if ((st = box_make(&kr, sec + CRY_ID_BYTES, &bk, err)) != DS_OK)
		goto out;
	cry_boxkey_free(bk);
	bk = NULL;
	/* Pinned office key, then the store, then the keyring last: a
	 * keyring means a complete workspace. */
	cry_office_pub_text(&pub, pubtext);
	ws_path(path, sizeof(path), dir, WS_OFFICE_FILE);
	if ((st = ds_file_write_atomic(path, pubtext, strlen(pubtext), 0600,
	    err)) != DS_OK)
		goto out;
	made_office = 1;
	ws_path(path, sizeof(path), dir, WS_DB_FILE);
	made_db = 1;
	if ((st = store_open(path, sec + CRY_ID_BYTES, kr.device_id, &s, err))
	    != DS_OK)
		goto out;
	store_close(s);
	/* The worker's own name in clear, for the unlock screen (issue 4).
	 * It names the laptop's user, never a household; the sealed copy in
	 * the keyring stays the one ws_worker() returns. */
	ws_path(path, sizeof(path), dir, WS_WORKER_FILE);
	if ((st = ds_file_write_atomic(path, worker, wlen, 0600, err)) != DS_OK)
		goto out;
	st = kr_write(dir, &kr, err);
	if (st != DS_OK) {
		ws_path(path, sizeof(path), dir, WS_WORKER_FILE);
		(void)unlink(path);
	}
out:
	if (st != DS_OK) {
		if (made_office) {
			ws_path(path, sizeof(path), dir, WS_OFFICE_FILE);
			(void)unlink(path);
		}
		if (made_db) {
			static const char *const sfx[] = { "", "-wal", "-shm" };
			char p2[1100];
			int i;

			ws_path(path, sizeof(path), dir, WS_DB_FILE);
			for (i = 0; i < 3; i++) {
				snprintf(p2, sizeof(p2), "%s%s", path, sfx[i]);
				(void)unlink(p2);
			}
		}
	}
	cry_signkey_free(sk);
	cry_boxkey_free(bk);
	cry_secure_free(sec);
	return st;
}

/* The new data key of a rotation cut short, into w->sec->next. */
static enum ds_status
next_open(struct ws *w, struct ds_err *err)
{
	unsigned char *wk, kid[CRY_KEYID_BYTES];
	enum ds_status st = DS_OK;
	struct ad ad;

	if ((wk = cry_secure_alloc(CRY_KEY_BYTES)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure "
		    "memory");
	cry_kdf(wk, CRY_KEY_BYTES, 4, "keywrap_", w->sec->dek);
	ad_next(&ad, &w->kr);
	if (cry_aead_open(w->sec->next, w->kr.next_wrap, NEXT_WRAP_LEN, ad.b,
	    ad.n, wk) != DS_OK)
		st = ds_err_set(err, DS_ECORRUPT, "keyring %s/%s: the new data "
		    "key does not decrypt", w->dir, WS_KEYRING_FILE);
	else {
		cry_dek_key_id(w->sec->next, kid);
		if (memcmp(kid, w->kr.next_key_id, CRY_KEYID_BYTES) != 0)
			st = ds_err_set(err, DS_ECORRUPT, "keyring %s/%s: the "
			    "new data key does not match its key id", w->dir,
			    WS_KEYRING_FILE);
	}
	cry_secure_free(wk);
	return st;
}

/* The office key file is not the one the keyring pinned (ws_err_office). */
static enum ds_status
office_refuse(struct ds_err *err, const char *path, const char *why)
{
	ds_err_set(err, DS_ECRYPTO, "%s is not the office key this workspace "
	    "was set up with (%s)", path, why);
	if (err != NULL) {
		snprintf(err->file, sizeof(err->file), "%s", path);
		snprintf(err->col, sizeof(err->col), "%s", WS_OFFICE_FILE);
	}
	return DS_ECRYPTO;
}

/*
 * Read the pinned office key into w->office and check it against the
 * keyring before anything uses it: the office id, and in a v2 keyring
 * the hash of the whole key (bound into the worker wrap, which the
 * unlock opens next); a v1 keyring has only the recovery key's id.
 */
static enum ds_status
office_check(struct ws *w, struct ds_err *err)
{
	unsigned char h[CRY_HASH256_BYTES], kid[CRY_KEYID_BYTES];
	char path[1024];
	enum ds_status st;

	ws_path(path, sizeof(path), w->dir, WS_OFFICE_FILE);
	if ((st = cry_office_pub_read(path, &w->office, err)) != DS_OK)
		return st;
	if (memcmp(w->office.office_id, w->kr.office_id, CRY_ID_BYTES) != 0)
		return office_refuse(err, path, "it belongs to another office");
	cry_key_id(w->office.recovery_pk, CRY_BOX_PK_BYTES, kid);
	if (memcmp(kid, w->kr.rec_key_id, CRY_KEYID_BYTES) != 0)
		return office_refuse(err, path, "another recovery key");
	office_hash(&w->office, h);
	if (w->kr.version >= 2 &&
	    memcmp(h, w->kr.office_key, CRY_HASH256_BYTES) != 0)
		return office_refuse(err, path, "other keys, same office id");
	return DS_OK;
}

/*
 * A v1 keyring pins the office key it finds at its first unlock (its id
 * and recovery key checked by office_check): the keyring becomes v2, the
 * worker name sealed again with the key's hash in its AD, rewritten
 * atomically.  If it cannot be written, the workspace opens as before
 * and the next unlock tries again (docs/keys.md, "Pinned office key").
 */
static void
pin_first(struct ws *w)
{
	struct keyring kr = w->kr;
	unsigned char *wk;
	struct ad ad;

	if ((wk = cry_secure_alloc(CRY_KEY_BYTES)) == NULL)
		return;
	kr.version = 2;
	office_hash(&w->office, kr.office_key);
	cry_kdf(wk, CRY_KEY_BYTES, 2, "keywrap_", w->sec->dek);
	ad_worker(&ad, &kr);
	cry_aead_seal(kr.worker, (const unsigned char *)w->sec->worker,
	    kr.worker_len - CRY_AEAD_OVERHEAD, ad.b, ad.n, wk);
	cry_secure_free(wk);
	if (kr_write(w->dir, &kr, NULL) == DS_OK)
		w->kr = kr;
}

/* Open the DEK-dependent parts: office key, device key, worker, store. */
static enum ds_status
ws_unlock_rest(struct ws *w, int flags, struct ds_err *err)
{
	unsigned char *wk, sk[CRY_SIGN_SK_BYTES], kid[CRY_KEYID_BYTES];
	char path[1024];
	enum ds_status st = DS_OK;
	struct ad ad;
	int sflags = flags & WS_OPEN_CHECK_LATER ? STORE_OPEN_CHECK_LATER : 0;

	cry_dek_key_id(w->sec->dek, kid);
	if (memcmp(kid, w->kr.key_id, CRY_KEYID_BYTES) != 0)
		return ds_err_set(err, DS_ECORRUPT, "keyring %s/%s: data key "
		    "does not match its key id", w->dir, WS_KEYRING_FILE);
	if ((st = office_check(w, err)) != DS_OK)
		return st;
	if ((wk = cry_secure_alloc(CRY_KEY_BYTES)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
	cry_kdf(wk, CRY_KEY_BYTES, 1, "keywrap_", w->sec->dek);
	ad_sign(&ad, &w->kr);
	if (cry_aead_open(sk, w->kr.sign_wrap, SIGN_WRAP_LEN, ad.b, ad.n, wk)
	    != DS_OK)
		st = ds_err_set(err, DS_ECORRUPT, "keyring %s/%s: device key "
		    "does not decrypt", w->dir, WS_KEYRING_FILE);
	else if ((st = cry_signkey_from_sk(sk, &w->sign, err)) == DS_OK &&
	    memcmp(w->sign->pk, w->kr.sign_pk, CRY_SIGN_PK_BYTES) != 0)
		st = ds_err_set(err, DS_ECORRUPT, "keyring %s/%s: device key "
		    "does not match its public key", w->dir, WS_KEYRING_FILE);
	cry_wipe(sk, sizeof(sk));
	if (st == DS_OK) {
		cry_kdf(wk, CRY_KEY_BYTES, 2, "keywrap_", w->sec->dek);
		ad_worker(&ad, &w->kr);
		if (w->kr.worker_len < CRY_AEAD_OVERHEAD ||
		    cry_aead_open((unsigned char *)w->sec->worker, w->kr.worker,
		    w->kr.worker_len, ad.b, ad.n, wk) != DS_OK)
			st = ds_err_set(err, DS_ECORRUPT, "keyring %s/%s: "
			    "worker name does not decrypt", w->dir,
			    WS_KEYRING_FILE);
	}
	cry_secure_free(wk);
	if (st == DS_OK && w->kr.has_box)
		st = box_open(w, err);
	else if (st == DS_OK)
		box_first(w);
	if (st == DS_OK && w->kr.version < 2)
		pin_first(w);
	if (st != DS_OK)
		return st;
	ws_path(path, sizeof(path), w->dir, WS_DB_FILE);
	if (!w->kr.has_next)
		return store_open_flags(path, w->sec->dek, w->kr.device_id,
		    sflags, &w->store, err);
	/*
	 * A rotation was cut short (ws_rotate): the keyring holds the new
	 * key sealed under the old one.  The store's key check says which
	 * of the two it is under; ws_settle then finishes or undoes it.
	 */
	if ((st = next_open(w, err)) != DS_OK)
		return st;
	st = store_open_flags(path, w->sec->next, w->kr.device_id, sflags,
	    &w->store, err);
	if (st == DS_OK)
		w->rotated = 1;
	else if (st == DS_ECRYPTO)
		st = store_open_flags(path, w->sec->dek, w->kr.device_id,
		    sflags, &w->store, err);
	return st;
}

/*
 * Seal what the keyring keeps under a data key (the device signing key,
 * the worker name, the device box key) under dek, with dek's key id and a recovery wrap of it to
 * the office.  w's secrets must be open.
 */
static enum ds_status
kr_seal_all(const struct ws *w, struct keyring *kr, const unsigned char *dek,
    struct ds_err *err)
{
	unsigned char *wk, *plain;
	enum ds_status st;
	struct ad ad;

	if ((wk = cry_secure_alloc(CRY_KEY_BYTES + REC_PLAIN_LEN)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure "
		    "memory");
	plain = wk + CRY_KEY_BYTES;
	cry_dek_key_id(dek, kr->key_id);
	memcpy(plain, kr->ws_id, CRY_ID_BYTES);
	memcpy(plain + CRY_ID_BYTES, dek, CRY_KEY_BYTES);
	cry_key_id(w->office.recovery_pk, CRY_BOX_PK_BYTES, kr->rec_key_id);
	if ((st = cry_seal(kr->rec_wrap, plain, REC_PLAIN_LEN,
	    w->office.recovery_pk, err)) == DS_OK) {
		cry_kdf(wk, CRY_KEY_BYTES, 1, "keywrap_", dek);
		ad_sign(&ad, kr);
		cry_aead_seal(kr->sign_wrap, w->sign->sk, CRY_SIGN_SK_BYTES,
		    ad.b, ad.n, wk);
		cry_kdf(wk, CRY_KEY_BYTES, 2, "keywrap_", dek);
		ad_worker(&ad, kr);
		cry_aead_seal(kr->worker, (const unsigned char *)w->sec->worker,
		    kr->worker_len - CRY_AEAD_OVERHEAD, ad.b, ad.n, wk);
		if (kr->has_box) {
			cry_kdf(wk, CRY_KEY_BYTES, 3, "keywrap_", dek);
			ad_box(&ad, kr);
			cry_aead_seal(kr->box_wrap, w->box->sk,
			    CRY_BOX_SK_BYTES, ad.b, ad.n, wk);
		}
	}
	cry_secure_free(wk);
	return st;
}

/*
 * Finish or undo a rotation found cut short at unlock, with the KEK of
 * the passphrase wrap to write (kr.kdf its parameters): the store under
 * the new key -- everything to the new key; else the keyring without it.
 */
static enum ds_status
ws_settle(struct ws *w, const unsigned char *kek, struct ds_err *err)
{
	struct keyring kr = w->kr;
	enum ds_status st;

	if (!kr.has_next)
		return DS_OK;
	kr.has_next = 0;
	if (w->rotated && (st = kr_seal_all(w, &kr, w->sec->next, err)) !=
	    DS_OK)
		return st;
	seal_pass(&kr, w->rotated ? w->sec->next : w->sec->dek, kek);
	if ((st = kr_write(w->dir, &kr, err)) != DS_OK)
		return st;
	w->kr = kr;
	if (w->rotated)
		memcpy(w->sec->dek, w->sec->next, CRY_KEY_BYTES);
	w->rotated = 0;
	return DS_OK;
}

static void
rotate_step(const struct ws_rotate_opts *o, int n)
{
	if (o != NULL && o->step != NULL)
		o->step(o->arg, n);
}

/* The rotation failed with the new passphrase in force: say it in the
 * message (logs, tests) and mark it for the edge (ws_err_newpass). */
static void
newpass_mark(struct ds_err *err, const char *what)
{
	if (err == NULL)
		return;
	ds_err_prefix(err, "%s", what);
	(void)snprintf(err->col, sizeof(err->col), "%s", WS_NEWPASS_MARK);
}

/*
 * Move the workspace to a fresh data key, its passphrase wrap under kek
 * (kdf: the parameters kek was made with).  Three durable steps, each
 * leaving a working workspace:
 *   1. the keyring: the current key under kek, and the new key sealed
 *      under the current one (next-key-id, next-wrap);
 *   2. the store: every value moved to the new key, one transaction;
 *   3. the keyring: everything under the new key, the next lines gone.
 * Killed after 1 or 2, the next unlock finds the store's key and ends it
 * (ws_unlock_rest, ws_settle): the passphrase (and the recovery key)
 * always open the workspace, never neither.
 */
static enum ds_status
ws_rotate(struct ws *w, const struct cry_kdf_params *kdf,
    const unsigned char *kek, const struct ws_rotate_opts *o, size_t *lost,
    struct ds_err *err)
{
	struct keyring k0 = w->kr, k1 = w->kr, k2;
	unsigned char *dek1, *wk;
	enum ds_status st;
	struct ad ad;

	if (w->kr.has_next)
		return ds_err_set(err, DS_ESTATE, "a key rotation is "
		    "unfinished: open the workspace again");
	if ((dek1 = cry_secure_alloc(2 * CRY_KEY_BYTES)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure "
		    "memory");
	wk = dek1 + CRY_KEY_BYTES;
	cry_random(dek1, CRY_KEY_BYTES);
	k1.kdf = *kdf;
	seal_pass(&k1, w->sec->dek, kek);
	k1.has_next = 1;
	cry_dek_key_id(dek1, k1.next_key_id);
	cry_kdf(wk, CRY_KEY_BYTES, 4, "keywrap_", w->sec->dek);
	ad_next(&ad, &k1);
	cry_aead_seal(k1.next_wrap, dek1, CRY_KEY_BYTES, ad.b, ad.n, wk);
	if ((st = kr_write(w->dir, &k1, err)) != DS_OK)
		goto out;
	w->kr = k1;
	rotate_step(o, 1);
	if ((st = store_rekey(w->store, dek1, lost, err)) != DS_OK) {
		/* Nothing moved: the keyring as it was, old passphrase and
		 * all, so a failed rotation (a full disk) changes nothing.
		 * If even that cannot be written, the next unlock drops the
		 * new key, under the new passphrase. */
		if (kr_write(w->dir, &k0, NULL) == DS_OK)
			w->kr = k0;
		else
			newpass_mark(err, "the new passphrase opens the "
			    "workspace");
		goto out;
	}
	rotate_step(o, 2);
	k2 = k1;
	k2.has_next = 0;
	if ((st = kr_seal_all(w, &k2, dek1, err)) != DS_OK)
		goto moved;
	seal_pass(&k2, dek1, kek);
	if ((st = kr_write(w->dir, &k2, err)) != DS_OK)
		goto moved;
	rotate_step(o, 3);
	w->kr = k2;
	memcpy(w->sec->dek, dek1, CRY_KEY_BYTES);
	goto out;
moved:
	/* The store is under the new key, the keyring says both: the next
	 * unlock finishes.  This handle is done. */
	memcpy(w->sec->next, dek1, CRY_KEY_BYTES);
	w->rotated = 1;
	newpass_mark(err, "the records are under the new key; the new "
	    "passphrase opens the workspace, and its next unlock finishes "
	    "the keyring");
out:
	cry_secure_free(dek1);
	return st;
}

static struct ws *
ws_new(const char *dir)
{
	struct ws *w;

	if ((w = ds_calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if ((w->dir = ds_strdup(dir)) == NULL ||
	    (w->sec = cry_secure_alloc(sizeof(*w->sec))) == NULL) {
		ds_free(w->dir);
		ds_free(w);
		return NULL;
	}
	return w;
}

enum ds_status
ws_open(const char *dir, const char *pass, size_t passlen, struct ws **out,
    struct ds_err *err)
{
	return ws_open_flags(dir, pass, passlen, 0, out, err);
}

int
ws_keyring_weak(const char *dir)
{
	struct keyring kr;

	return strlen(dir) <= 900 && kr_read(dir, &kr, NULL) == DS_OK &&
	    cry_kdf_below_floor(&kr.kdf);
}

enum ds_status
ws_open_flags(const char *dir, const char *pass, size_t passlen, int flags,
    struct ws **out, struct ds_err *err)
{
	unsigned char *kek = NULL;
	enum ds_status st;
	struct ws *w;
	struct ad ad;

	if ((st = cry_init(err)) != DS_OK)
		return st;
	if (strlen(dir) > 900)
		return ds_err_set(err, DS_ELIMIT, "workspace path too long");
	if ((w = ws_new(dir)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot open workspace: %s",
		    ds_status_str(DS_ENOMEM));
	if ((st = kr_read(dir, &w->kr, err)) != DS_OK)
		goto out;
	if (cry_kdf_below_floor(&w->kr.kdf) && !(flags & WS_OPEN_ANY_COST) &&
	    ((flags & WS_OPEN_FLOOR) || !cry_kdf_test_cost())) {
		st = ds_err_set(err, DS_ESTATE, "keyring %s/%s was made with "
		    "the test-only passphrase cost (%llu KiB of memory, below "
		    "%llu MiB): run doorstep passwd to protect it at full cost",
		    dir, WS_KEYRING_FILE, (unsigned long long)(w->kr.kdf.mem >>
		    10), (unsigned long long)(CRY_KDF_MEM_FLOOR >> 20));
		goto out;
	}
	if ((kek = cry_secure_alloc(CRY_KEY_BYTES)) == NULL) {
		st = ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
		goto out;
	}
	if ((st = cry_pwhash(kek, pass, passlen, &w->kr.kdf, err)) != DS_OK)
		goto out;
	ad_pass(&ad, &w->kr);
	if (cry_aead_open(w->sec->dek, w->kr.pass_wrap, PASS_WRAP_LEN, ad.b,
	    ad.n, kek) != DS_OK) {
		cry_secure_free(kek);
		kek = NULL;
		fail_delay();
		st = ds_err_set(err, DS_EPASS, "wrong passphrase for workspace "
		    "%s", dir);
		goto out;
	}
	if ((st = ws_unlock_rest(w, flags, err)) != DS_OK)
		goto out;
	/* A rotation cut short ends here; if the keyring cannot be written
	 * now, the workspace still opens, and the next unlock tries again. */
	(void)ws_settle(w, kek, NULL);
	cry_secure_free(kek);
	*out = w;
	return DS_OK;
out:
	cry_secure_free(kek);
	ws_close(w);
	return st;
}

void
ws_close(struct ws *w)
{
	if (w == NULL)
		return;
	store_close(w->store);
	cry_signkey_free(w->sign);
	cry_boxkey_free(w->box);
	cry_secure_free(w->sec);
	ds_free(w->dir);
	ds_free(w);
}

enum ds_status
ws_passwd(struct ws *w, const char *pass, size_t passlen, enum cry_cost cost,
    struct ds_err *err)
{
	struct keyring kr = w->kr;
	enum ds_status st;

	if (kr.has_next)
		return ds_err_set(err, DS_ESTATE, "a key rotation is "
		    "unfinished: open the workspace again");
	if ((st = wrap_pass(&kr, w->sec->dek, pass, passlen, cost, err))
	    != DS_OK ||
	    (st = kr_write(w->dir, &kr, err)) != DS_OK)
		return st;
	w->kr = kr;
	return DS_OK;
}

enum ds_status
ws_passwd_rotate(struct ws *w, const char *pass, size_t passlen,
    enum cry_cost cost, const struct ws_rotate_opts *o, size_t *lost,
    struct ds_err *err)
{
	struct keyring kr = w->kr;
	unsigned char *kek;
	enum ds_status st;

	if ((kek = cry_secure_alloc(CRY_KEY_BYTES)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot allocate secure "
		    "memory");
	if ((st = new_kek(&kr, pass, passlen, cost, kek, err)) == DS_OK)
		st = ws_rotate(w, &kr.kdf, kek, o, lost, err);
	cry_secure_free(kek);
	return st;
}

enum ds_status
ws_recover(const char *dir, const char *recovery_key_path, const char *pass,
    size_t passlen, enum cry_cost cost, struct ds_err *err)
{
	return ws_recover_rotate(dir, recovery_key_path, pass, passlen, cost,
	    NULL, NULL, err);
}

enum ds_status
ws_recover_rotate(const char *dir, const char *recovery_key_path,
    const char *pass, size_t passlen, enum cry_cost cost,
    const struct ws_rotate_opts *o, size_t *lost, struct ds_err *err)
{
	struct cry_office_rec *rec = NULL;
	unsigned char *plain = NULL, *kek = NULL, kid[CRY_KEYID_BYTES];
	struct keyring kr;
	enum ds_status st;
	struct ws *w;
	char h1[CRY_ID_HEX], h2[CRY_ID_HEX];

	if ((st = cry_init(err)) != DS_OK)
		return st;
	if ((st = ws_pass_check(pass, passlen, err)) != DS_OK)
		return st;
	if ((w = ws_new(dir)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "cannot open workspace: %s",
		    ds_status_str(DS_ENOMEM));
	if ((st = kr_read(dir, &w->kr, err)) != DS_OK ||
	    (st = cry_office_rec_read(recovery_key_path, &rec, err)) != DS_OK)
		goto out;
	kr = w->kr;
	if (memcmp(rec->office_id, kr.office_id, CRY_ID_BYTES) != 0) {
		ds_hex_encode(rec->office_id, CRY_ID_BYTES, h1);
		ds_hex_encode(kr.office_id, CRY_ID_BYTES, h2);
		st = ds_err_set(err, DS_ECRYPTO, "recovery key is for office %s, "
		    "this workspace belongs to office %s", h1, h2);
		goto out;
	}
	cry_key_id(rec->recovery_pk, CRY_BOX_PK_BYTES, kid);
	if (memcmp(kid, kr.rec_key_id, CRY_KEYID_BYTES) != 0) {
		st = ds_err_set(err, DS_ECRYPTO, "recovery key %s is not the "
		    "one this workspace was sealed to", recovery_key_path);
		goto out;
	}
	if ((plain = cry_secure_alloc(REC_PLAIN_LEN)) == NULL) {
		st = ds_err_set(err, DS_ENOMEM, "cannot allocate secure memory");
		goto out;
	}
	if ((st = cry_seal_open(plain, kr.rec_wrap, REC_WRAP_LEN,
	    rec->recovery_pk, rec->recovery_sk, err)) != DS_OK) {
		ds_err_prefix(err, "keyring %s/%s: recovery wrap", dir,
		    WS_KEYRING_FILE);
		goto out;
	}
	if (memcmp(plain, kr.ws_id, CRY_ID_BYTES) != 0) {
		st = ds_err_set(err, DS_ECRYPTO, "keyring %s/%s: recovery wrap "
		    "belongs to another workspace", dir, WS_KEYRING_FILE);
		goto out;
	}
	memcpy(w->sec->dek, plain + CRY_ID_BYTES, CRY_KEY_BYTES);
	/* Prove the DEK by opening everything it protects. */
	if ((st = ws_unlock_rest(w, 0, err)) != DS_OK)
		goto out;
	/*
	 * Then a new passphrase and a new data key: whoever had the old
	 * passphrase (or a copy of the keyring) opens nothing saved from
	 * now on.  A rotation found cut short is settled first, under the
	 * new passphrase.
	 */
	kr = w->kr;
	if ((kek = cry_secure_alloc(CRY_KEY_BYTES)) == NULL) {
		st = ds_err_set(err, DS_ENOMEM, "cannot allocate secure "
		    "memory");
		goto out;
	}
	if ((st = new_kek(&kr, pass, passlen, cost, kek, err)) != DS_OK)
		goto out;
	/* w->kr stays the keyring on disk: ws_rotate puts it back if the
	 * store cannot move. */
	if (w->kr.has_next)
		w->kr.kdf = kr.kdf;
	if ((st = ws_settle(w, kek, err)) != DS_OK)
		goto out;
	st = ws_rotate(w, &kr.kdf, kek, o, lost, err);
out:
	cry_secure_free(kek);
	cry_secure_free(plain);
	cry_office_rec_free(rec);
	ws_close(w);
	return st;
}

struct store *
ws_store(struct ws *w)
{
	return w->store;
}

const unsigned char *
ws_id(const struct ws *w)
{
	return w->kr.ws_id;
}

const unsigned char *
ws_device_id(const struct ws *w)
{
	return w->kr.device_id;
}

const struct cry_signkey *
ws_signer(const struct ws *w)
{
	return w->sign;
}

const struct cry_boxkey *
ws_box(const struct ws *w)
{
	return w->box;
}

const struct cry_office_pub *
ws_office(const struct ws *w)
{
	return &w->office;
}

int
ws_err_office(const struct ds_err *err)
{
	return err != NULL && err->code == DS_ECRYPTO &&
	    strcmp(err->col, WS_OFFICE_FILE) == 0;
}

int
ws_err_newpass(const struct ds_err *err)
{
	return err != NULL && err->code != DS_OK &&
	    strcmp(err->col, WS_NEWPASS_MARK) == 0;
}

const char *
ws_worker(const struct ws *w)
{
	return w->sec->worker;
}

const char *
ws_dir(const struct ws *w)
{
	return w->dir;
}

void
ws_fingerprint(const struct ws *w, char out[CRY_FPR_TEXT])
{
	cry_fingerprint(w->kr.sign_pk, out);
}

enum ds_status
ws_fingerprint_dir(const char *dir, char out[CRY_FPR_TEXT],
    struct ds_err *err)
{
	struct keyring kr;
	enum ds_status st;

	if (strlen(dir) > 900)
		return ds_err_set(err, DS_ELIMIT, "workspace path too long");
	if ((st = kr_read(dir, &kr, err)) != DS_OK)
		return st;
	cry_fingerprint(kr.sign_pk, out);
	return DS_OK;
}

enum ds_status
ws_worker_hint(const char *dir, char *out, size_t n, struct ds_err *err)
{
	char path[1024], *text;
	enum ds_status st;
	size_t len;

	if (n == 0)
		return ds_err_set(err, DS_EINVAL, "no room for the worker name");
	out[0] = '\0';
	if (strlen(dir) > 900)
		return ds_err_set(err, DS_ELIMIT, "workspace path too long");
	ws_path(path, sizeof(path), dir, WS_WORKER_FILE);
	if ((st = ds_file_read(path, WS_WORKER_MAX, &text, &len, err)) != DS_OK)
		return st;
	snprintf(out, n, "%.*s", (int)len, text);
	ds_free(text);
	return DS_OK;
}
