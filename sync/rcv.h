/* doorstep: the office HTTP receiver (libmicrohttpd). */
#ifndef DS_RCV_H
#define DS_RCV_H

/*
 *   PUT /v1/bundles/{bundle_id}   raw bundle body (size cap) -> receipt
 *   GET /v1/devices/{id}/acks      fresh signed ack-state receipt (an
 *                                  unknown device gets an empty one: the
 *                                  answer does not tell who is known)
 *   POST /v1/devices/{id}/note     a device note -> "ok N" (N office
 *                                  bundles wait); 400/403/409/421 when
 *                                  refused, nothing changed
 *   GET /v1/devices/{id}/lists/{seq}  office bundle seq of the device;
 *                                  404 alike for an unknown device and a
 *                                  bundle not made
 *
 * Status codes: 200 imported or duplicate, 202 held (device awaiting
 * enrollment), 409 bundle id reused with other content, 403 device
 * revoked or key mismatch, 421 bundle for another office, 429 the caps
 * on what devices not enrolled may leave (imp_quota) are reached, 422 any
 * other rejection, 413 body over the cap (answered at once from
 * Content-Length, before any body is read or "100 Continue" sent), 411 a
 * body without Content-Length, 400 bad path or id mismatch, 404 unknown
 * path, 405 wrong method, 503 database failure or the spool full (retry).
 * Every 2xx/4xx answer to a PUT that reached the importer carries the
 * signed receipt as its body.
 *
 * Abuse (docs/sync.md, "Threat model"): bodies are spooled to an unlinked
 * file (ciphertext) and read back piece by piece, so memory does not follow
 * what clients send; at most spool_max bytes are spooled at once.  One
 * thread runs libmicrohttpd's event loop and handles complete requests one
 * at a time on one office.db connection.  Limits: connections, per-IP
 * connections, connection memory, an idle timeout, and a deadline the
 * loop enforces itself: request headers (and a TLS handshake) within
 * RCV_HEADER_S seconds (or the timeout, if shorter), then at least
 * RCV_MIN_RATE bytes a second on average once the timeout has passed.
 * With a certificate: TLS 1.2/1.3, AEAD suites only.
 */
#include <stddef.h>
#include <stdint.h>

#include "cry.h"
#include "imp.h"
#include "odb.h"
#include "status.h"

#define RCV_BODY_DEFAULT	(64u << 20)
#define RCV_SMALL_BODY		4096	/* cap on every body but a bundle */
#define RCV_CONN_DEFAULT	256
#define RCV_PER_IP_DEFAULT	8
#define RCV_TIMEOUT_DEFAULT	30	/* seconds */
#define RCV_HEADER_S		10
#define RCV_MIN_RATE		100	/* bytes a second, the laptop's own
					   low-speed limit */
#define RCV_LOG_MAX		256

struct rcv_opts {
	const char	*addr;		/* IPv4 dotted quad; NULL: 127.0.0.1 */
	uint16_t	 port;		/* 0: any free port (see rcv_port) */
	unsigned	 conn_limit;	/* 0: RCV_CONN_DEFAULT */
	unsigned	 per_ip_limit;	/* 0: RCV_PER_IP_DEFAULT */
	unsigned	 timeout_s;	/* 0: RCV_TIMEOUT_DEFAULT */
	size_t		 max_body;	/* 0: RCV_BODY_DEFAULT */
	const char	*spool_dir;	/* NULL: $TMPDIR, else /tmp */
	uint64_t	 spool_max;	/* bytes spooled at once; 0: 4 bodies */
	const char	*tls_cert;	/* PEM text (NUL-terminated), or NULL
					   for plain HTTP */
	const char	*tls_key;	/* PEM, unencrypted; caller wipes */
	int64_t		 now;		/* validity check; 0: ds_now() */
	/*
	 * One line per request and per dropped connection, without a
	 * newline: "TIME ADDR METHOD PATH STATUS IN OUT [device ID8] WHAT".
	 * Called on the receiver's thread.  May be NULL.
	 */
	void		(*log)(void *arg, const char *line);
	void		*log_arg;
};

/* The transport-free handler, for tests and fuzzing. */
struct rcv_ctx {
	struct odb			*db;
	const struct cry_office_sec	*sec;
	size_t				 max_body;
	const struct imp_quota		*quota;	/* NULL: no caps */
};

struct rcv_reply {
	unsigned	 status;
	unsigned char	*body;		/* ds_free */
	size_t		 len;
	const char	*ctype;
	char		 device[9];	/* the device, for the log; or "" */
	char		 what[64];	/* the outcome, for the log */
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
 * Start listening; the event loop runs on its own thread until rcv_stop.
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
