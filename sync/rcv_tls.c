/* doorstep: check the office's TLS certificate and key before serving. */
/*
 * The only includer of the GnuTLS headers (libmicrohttpd serves TLS with
 * GnuTLS).  libmicrohttpd reports any certificate problem as "cannot start";
 * this file says which one: no certificate in the file, a key that does not
 * parse or is encrypted, a key that belongs to another certificate, a
 * certificate outside its validity period.  It also computes the public-key
 * pin that laptops can give to `sync push --pin`.  Nothing here keeps a copy
 * of the key.
 */
#include "rcv.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>
#include <time.h>

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* "sha256//" and the base64 of 32 bytes (44 characters). */
static void
pin_of(const unsigned char h[32], char out[RCV_PIN_MAX])
{
	unsigned v;
	size_t i, o;

	memcpy(out, "sha256//", 8);
	o = 8;
	for (i = 0; i + 3 <= 32; i += 3) {
		v = (unsigned)h[i] << 16 | (unsigned)h[i + 1] << 8 | h[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	/* 32 = 30 + 2: two bytes left, one '=' of padding. */
	v = (unsigned)h[30] << 16 | (unsigned)h[31] << 8;
	out[o++] = b64[v >> 18 & 63];
	out[o++] = b64[v >> 12 & 63];
	out[o++] = b64[v >> 6 & 63];
	out[o++] = '=';
	out[o] = '\0';
}

static void
day_of(int64_t t, char out[16])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 16, "%Y-%m-%d", &tm) == 0)
		memcpy(out, "?", 2);
}

enum ds_status
rcv_tls_check(const char *cert, const char *key, int64_t now,
    char pin[RCV_PIN_MAX], struct ds_err *err)
{
	gnutls_x509_crt_t *crts = NULL;
	gnutls_x509_privkey_t pk = NULL;
	gnutls_datum_t d;
	unsigned char cid[64], kid[64];
	size_t clen = sizeof(cid), klen = sizeof(kid);
	unsigned i, n = 0;
	char day[16];
	int64_t t;
	int r;
	enum ds_status st = DS_OK;

	pin[0] = '\0';
	if (cert == NULL || key == NULL || strlen(cert) > RCV_PEM_MAX ||
	    strlen(key) > RCV_PEM_MAX)
		return ds_err_set(err, DS_EINVAL, "TLS needs both a "
		    "certificate and a key, each at most %u bytes",
		    (unsigned)RCV_PEM_MAX);
	d.data = (unsigned char *)(uintptr_t)cert;
	d.size = (unsigned)strlen(cert);
	r = gnutls_x509_crt_list_import2(&crts, &n, &d, GNUTLS_X509_FMT_PEM,
	    0);
	if (r < 0 || n == 0) {
		crts = r < 0 ? NULL : crts;
		st = ds_err_set(err, DS_EPARSE, "certificate file: no PEM "
		    "certificate (\"-----BEGIN CERTIFICATE-----\") could be "
		    "read: %s", r < 0 ? gnutls_strerror(r) : "empty");
		goto out;
	}
	if ((r = gnutls_x509_privkey_init(&pk)) < 0) {
		st = ds_err_set(err, DS_ENOMEM, "tls key: %s",
		    gnutls_strerror(r));
		goto out;
	}
	d.data = (unsigned char *)(uintptr_t)key;
	d.size = (unsigned)strlen(key);
	if ((r = gnutls_x509_privkey_import2(pk, &d, GNUTLS_X509_FMT_PEM, NULL,
	    0)) < 0) {
		if (strstr(key, "ENCRYPTED") != NULL)
			st = ds_err_set(err, DS_EPARSE, "key file: the key is "
			    "protected by a password; serve needs it "
			    "unencrypted (keep the file mode 0600)");
		else
			st = ds_err_set(err, DS_EPARSE, "key file: no PEM "
			    "private key could be read: %s",
			    gnutls_strerror(r));
		goto out;
	}
	/* The key must belong to the first (the server's) certificate. */
	if ((r = gnutls_x509_crt_get_key_id(crts[0], GNUTLS_KEYID_USE_SHA256,
	    cid, &clen)) < 0 || (r = gnutls_x509_privkey_get_key_id(pk,
	    GNUTLS_KEYID_USE_SHA256, kid, &klen)) < 0) {
		st = ds_err_set(err, DS_EPARSE, "certificate or key: cannot "
		    "compute the public key id: %s", gnutls_strerror(r));
		goto out;
	}
	if (clen != 32 || klen != 32 || memcmp(cid, kid, 32) != 0) {
		st = ds_err_set(err, DS_ECRYPTO, "the key does not belong to "
		    "the certificate (the first certificate in the file must "
		    "be the server's own, made from this key)");
		goto out;
	}
	t = (int64_t)gnutls_x509_crt_get_activation_time(crts[0]);
	if (t != -1 && now < t) {
		day_of(t, day);
		st = ds_err_set(err, DS_ESTATE, "certificate is not valid "
		    "before %s (UTC); check the office computer's clock", day);
		goto out;
	}
	t = (int64_t)gnutls_x509_crt_get_expiration_time(crts[0]);
	if (t != -1 && now > t) {
		day_of(t, day);
		st = ds_err_set(err, DS_ESTATE, "certificate expired on %s "
		    "(UTC); make a new one (docs/sync.md)", day);
		goto out;
	}
	pin_of(cid, pin);
out:
	if (pk != NULL)
		gnutls_x509_privkey_deinit(pk);
	for (i = 0; crts != NULL && i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
	return st;
}
