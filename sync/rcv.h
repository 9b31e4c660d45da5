/* doorstep: the office HTTP receiver (libmicrohttpd). */
#ifndef DS_RCV_H
#define DS_RCV_H

/*
 *   PUT /v1/bundles/{bundle_id}   raw bundle body (size cap) -> receipt
 *   GET /v1/devices/{id}/acks      fresh signed ack-state receipt
 *   POST /v1/devices/{id}/note     a device note -> "ok N" (N office
 *                                  bundles wait); 400/403/404/409/421
 *                                  when refused, nothing changed
 *   GET /v1/devices/{id}/lists/{seq}  office bundle seq of the device;
 *                                  404 alike for an unknown device and a
 *                                  bundle not made
 *
 * Status codes: 200 imported or duplicate, 202 held (device awaiting
 * enrollment), 409 bundle id reused with other content, 403 device
 * revoked or key mismatch, 421 bundle for another office, 422 any other
 * rejection, 413 body over the cap, 400 bad path or id mismatch, 404
 * unknown path or device, 405 wrong method, 503 database failure (retry).
 * Every 2xx/4xx answer to a PUT that reached the importer carries the
 * signed receipt as its body.  Requests are handled one at a time on the
 * daemon's single internal thread, so the office.db connection is never
 * shared.  Limits: connections, per-IP connections, connection timeout,
 * connection memory.  With a certificate: TLS 1.2/1.3, AEAD suites only.
 */
#include <stddef.h>
#include <stdint.h>

#include "cry.h"
#include "odb.h"
#include "status.h"

#define RCV_BODY_DEFAULT	(64u << 20)

struct rcv_opts {
	const char	*addr;		/* IPv4 dotted quad; NULL: 127.0.0.1 */
	uint16_t	 port;		/* 0: any free port (see rcv_port) */
	unsigned	 conn_limit;	/* 0: 32 */
	unsigned	 per_ip_limit;	/* 0: 8 */
	unsigned	 timeout_s;	/* 0: 60 */
	size_t		 max_body;	/* 0: RCV_BODY_DEFAULT */
	const char	*tls_cert;	/* PEM text (NUL-terminated), or NULL
					   for plain HTTP */
	const char	*tls_key;	/* PEM, unencrypted; caller wipes */
	int64_t		 now;		/* validity check; 0: ds_now() */
};

/* The transport-free handler, for tests and fuzzing. */
struct rcv_ctx {
	struct odb			*db;
	const struct cry_office_sec	*sec;
	size_t				 max_body;
};

struct rcv_reply {
	unsigned	 status;
	unsigned char	*body;		/* ds_free */
	size_t		 len;
	const char	*ctype;
};

/*
 * Handle one complete request.  Always fills `out` (status and a body,
 * possibly a short plain-text message).
 */
void		 rcv_handle(struct rcv_ctx *, const char *method,
		    const char *url, const unsigned char *body, size_t len,
		    struct rcv_reply *out);

struct rcv;

/*
 * Start listening; the daemon runs on its own thread until rcv_stop.
 * With a certificate: DS_ESTATE when this libmicrohttpd has no TLS, and
 * every rcv_tls_check failure, before any socket is bound.
 */
enum ds_status	 rcv_start(struct rcv_ctx *, const struct rcv_opts *,
		    struct rcv **out, struct ds_err *);
/* The port actually bound. */
uint16_t	 rcv_port(struct rcv *);
/* The TLS public-key pin ("sha256//..."), or NULL for plain HTTP. */
const char	*rcv_pin(struct rcv *);

/* 1 if this libmicrohttpd was built with TLS (GnuTLS). */
int		 rcv_tls_supported(void);

#define RCV_PEM_MAX	(1u << 20)
#define RCV_PIN_MAX	64	/* "sha256//" + 44 base64 + NUL */

/*
 * Check a PEM certificate file's text (the server certificate first, then
 * any intermediates) and its PEM private key: both parse, the key is not
 * password-protected, the key belongs to the first certificate, which is
 * valid at `now`.  On success `pin` is that certificate's public-key pin
 * as CURLOPT_PINNEDPUBLICKEY takes it.  Messages name what is wrong:
 * DS_EPARSE unreadable certificate or key, DS_ECRYPTO key of another
 * certificate, DS_ESTATE outside the validity period.  (rcv_tls.c)
 */
enum ds_status	 rcv_tls_check(const char *cert, const char *key,
		    int64_t now, char pin[RCV_PIN_MAX], struct ds_err *);
void		 rcv_stop(struct rcv *);

#endif
