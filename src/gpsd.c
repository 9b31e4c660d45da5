/* doorstep: a GPS receiver's fix through gpsd. */
/*
 * libgps parses gpsd's JSON; this file only picks the fields ODK's
 * geopoint has and writes them with enough digits (1e-7 degrees is about
 * a centimetre).  Altitude is mean sea level when gpsd knows it, else the
 * ellipsoid height, else 0; accuracy is gpsd's eph, else the larger of
 * epx and epy, else 0 (ODK writes 0 for unknown too; a known one is at
 * least 0.1, so that it never reads as unknown).
 *
 * libgps connects with a blocking connect(), which waits minutes for a
 * host that does not answer; a non-blocking connect first bounds that to
 * GPSD_CONNECT_MS, and libgps then connects to the address it found.
 */
#include "gpsd.h"

#include <sys/socket.h>

#include <errno.h>
#include <gps.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "util.h"

/* The fix in d as geopoint text; DS_ENOENT without a 2D fix. */
static enum ds_status
fix_text(const struct gps_data_t *d, char *out, size_t n)
{
	const struct gps_fix_t *f = &d->fix;
	double alt, acc;
	int w;

	if (f->mode < MODE_2D || !isfinite(f->latitude) ||
	    !isfinite(f->longitude) || fabs(f->latitude) > 90 ||
	    fabs(f->longitude) > 180)
		return DS_ENOENT;
	alt = isfinite(f->altMSL) ? f->altMSL : isfinite(f->altHAE) ?
	    f->altHAE : 0;
	if (f->mode < MODE_3D)
		alt = 0;
	acc = isfinite(f->eph) ? f->eph : 0;
	if (!isfinite(f->eph) && (isfinite(f->epx) || isfinite(f->epy)))
		acc = fmax(isfinite(f->epx) ? f->epx : 0,
		    isfinite(f->epy) ? f->epy : 0);
	if (isfinite(f->eph) || isfinite(f->epx) || isfinite(f->epy))
		acc = fmax(acc, 0.1);
	w = snprintf(out, n, "%.7f %.7f %.1f %.1f", f->latitude,
	    f->longitude, alt, acc);
	if (w < 0 || (size_t)w >= n)
		return DS_ELIMIT;
	return DS_OK;
}

enum ds_status
gpsd_fix_from_json(const char *json, char *out, size_t n)
{
	struct gps_data_t d;
	char buf[4096];	/* a TPV report is a few hundred bytes */
	int w;

	memset(&d, 0, sizeof(d));
	w = snprintf(buf, sizeof(buf), "%s", json);
	if (w < 0 || (size_t)w >= sizeof(buf))
		return DS_EPARSE;
	/* gps_unpack leaves fields it did not see untouched: start NaN. */
	d.fix.latitude = d.fix.longitude = d.fix.altMSL = d.fix.altHAE = NAN;
	d.fix.eph = d.fix.epx = d.fix.epy = NAN;
	if (gps_unpack(buf, &d) == -1 || !(d.set & MODE_SET))
		return DS_EPARSE;
	return fix_text(&d, out, n);
}

const char *
gpsd_fix_accuracy(const char *fix)
{
	const char *acc = strrchr(fix, ' ');

	if (acc == NULL || strtod(acc + 1, NULL) <= 0)
		return NULL;
	return acc + 1;
}

struct gpsd_watch {
	struct gps_data_t	 d;
};

/*
 * Connect to host:port without blocking for longer than GPSD_CONNECT_MS
 * in all, and write the numeric address that took the connection into
 * addr.  1 if one did.
 */
static int
reachable(const char *host, const char *port, char *addr, size_t n)
{
	struct addrinfo hints, *res, *ai;
	struct pollfd p;
	int64_t end = ds_now_ms() + GPSD_CONNECT_MS, left;
	socklen_t len;
	int fd, ok = 0, e, r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return 0;
	for (ai = res; ai != NULL && !ok; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			ok = 1;
		else if (errno == EINPROGRESS) {
			p.fd = fd;
			p.events = POLLOUT;
			do {
				left = end - ds_now_ms();
				r = poll(&p, 1, left > 0 ? (int)left : 0);
			} while (r == -1 && errno == EINTR);
			len = sizeof(e);
			ok = r == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e,
			    &len) == 0 && e == 0;
		}
		if (ok && getnameinfo(ai->ai_addr, ai->ai_addrlen, addr,
		    (socklen_t)n, NULL, 0, NI_NUMERICHOST) != 0)
			ok = 0;
		close(fd);
	}
	freeaddrinfo(res);
	return ok;
}

enum ds_status
gpsd_watch_open(const char *host, struct gpsd_watch **out)
{
	struct gpsd_watch *w;
	const char *env = getenv("DOORSTEP_GPSD");
	char h[256], addr[NI_MAXHOST], *colon;
	const char *port = DEFAULT_GPSD_PORT;
	int r;

	*out = NULL;
	r = snprintf(h, sizeof(h), "%s", host ? host : env && *env ? env :
	    "localhost");
	if (r < 0 || (size_t)r >= sizeof(h))
		return DS_ENOENT;
	if ((colon = strrchr(h, ':')) != NULL) {
		*colon = '\0';
		port = colon + 1;
	}
	if (!reachable(h, port, addr, sizeof(addr)))
		return DS_ENOENT;
	if ((w = ds_calloc(1, sizeof(*w))) == NULL)
		return DS_ENOMEM;
	if (gps_open(addr, port, &w->d) != 0) {
		ds_free(w);
		return DS_ENOENT;
	}
	if (gps_stream(&w->d, WATCH_ENABLE | WATCH_JSON, NULL) != 0) {
		(void)gps_close(&w->d);
		ds_free(w);
		return DS_ENOENT;
	}
	*out = w;
	return DS_OK;
}

enum ds_status
gpsd_watch_poll(struct gpsd_watch *w, int wait_ms, char *out, size_t n)
{
	int64_t end = ds_now_ms() + (wait_ms > 0 ? wait_ms : 0), left;

	for (;;) {
		left = end - ds_now_ms();
		if (!gps_waiting(&w->d, left > 0 ? (int)(left * 1000) : 0))
			return DS_ENOENT;
		if (gps_read(&w->d, NULL, 0) == -1)
			return DS_EIO;
		if ((w->d.set & MODE_SET) && fix_text(&w->d, out, n) == DS_OK)
			return DS_OK;
	}
}

void
gpsd_watch_close(struct gpsd_watch *w)
{
	if (w == NULL)
		return;
	(void)gps_stream(&w->d, WATCH_DISABLE, NULL);
	(void)gps_close(&w->d);
	ds_free(w);
}

enum ds_status
gpsd_read(const char *host, int timeout_ms, char *out, size_t n)
{
	struct gpsd_watch *w;
	enum ds_status st;

	if ((st = gpsd_watch_open(host, &w)) != DS_OK)
		return st == DS_ENOMEM ? st : DS_ENOENT;
	st = gpsd_watch_poll(w, timeout_ms, out, n);
	gpsd_watch_close(w);
	return st == DS_OK ? DS_OK : DS_ENOENT;
}
