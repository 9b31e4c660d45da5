/* doorstep: the laptop's HTTP client (libcurl). */
#ifndef DS_XPORT_H
#define DS_XPORT_H

/*
 * One request per call; the caller owns the retry policy (pack_push), so
 * that "an unclear answer" is decided where receipts are verified.  The
 * bundle id travels in the path and as Idempotency-Key.  Stalled links are
 * cut by a low-speed limit; an optional pinned TLS public key
 * ("sha256//...") aborts before any data goes to the wrong server.
 * Uploads can be capped in bytes per second for metered links
 * (max_send_rate, else the operator's DOORSTEP_SYNC_MAX_RATE) and
 * cancelled from the progress callback.
 */
#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct xport_opts {
	long		 timeout_s;	/* whole request; 0: 300 */
	long		 connect_s;	/* 0: 20 */
	long		 low_speed_s;	/* abort below 100 B/s this long; 0: 30 */
	const char	*pinned_key;	/* CURLOPT_PINNEDPUBLICKEY or NULL */
	const char	*ca_file;	/* CURLOPT_CAINFO (PEM) or NULL:
					   $DOORSTEP_CA_FILE if set, else
					   the system CAs */
	/*
	 * Upload progress (may be NULL): bytes sent of total, called by
	 * curl's progress meter (about once a second, and as data moves).
	 * Return nonzero to cancel: the transfer stops and the call returns
	 * DS_ECANCEL.  Runs on the caller's thread, inside the call.
	 */
	int		(*progress)(void *, size_t sent, size_t total);
	void		*arg;
	/* Upload cap in bytes per second (CURLOPT_MAX_SEND_SPEED_LARGE);
	 * 0: DOORSTEP_SYNC_MAX_RATE when set (1..1e12), else no cap. */
	long long	 max_send_rate;
};

/*
 * PUT base/v1/bundles/<id> with the bundle body.  On a transfer that
 * completed, *status is the HTTP status and *body (ds_free) the response
 * body, capped at cap bytes; DS_ENET when the transfer itself failed
 * (no answer: the caller sends the same bundle again); DS_ECRYPTO when
 * the https server could not be trusted (certificate not verified by
 * ca_file or the system CAs, wrong name, pin mismatch, unusable CA file):
 * no request was sent, and sending again will not help.  Certificate and
 * host-name verification are always on.
 */
enum ds_status	 xport_put_bundle(const char *base,
		    const unsigned char bundle_id[16],
		    const unsigned char *buf, size_t len,
		    const struct xport_opts *, long *status,
		    unsigned char **body, size_t *blen, size_t cap,
		    struct ds_err *);

/* POST base/v1/devices/<id>/note with a device note; same contract. */
enum ds_status	 xport_post_note(const char *base,
		    const unsigned char device_id[16],
		    const unsigned char *buf, size_t len,
		    const struct xport_opts *, long *status,
		    unsigned char **body, size_t *blen, size_t cap,
		    struct ds_err *);

/* GET base/v1/devices/<id>/lists/<seq>: an office bundle; same contract. */
enum ds_status	 xport_get_lists(const char *base,
		    const unsigned char device_id[16], uint64_t seq,
		    const struct xport_opts *, long *status,
		    unsigned char **body, size_t *blen, size_t cap,
		    struct ds_err *);

/* GET base/v1/devices/<id>/acks; same contract. */
enum ds_status	 xport_get_acks(const char *base,
		    const unsigned char device_id[16],
		    const struct xport_opts *, long *status,
		    unsigned char **body, size_t *blen, size_t cap,
		    struct ds_err *);

#endif
