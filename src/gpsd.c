/* doorstep: a GPS receiver's fix through gpsd. */
/*
 * libgps parses gpsd's JSON; this file only picks the fields ODK's
 * geopoint has and writes them with enough digits (1e-7 degrees is about
 * a centimetre).  Altitude is mean sea level when gpsd knows it, else the
 * ellipsoid height, else 0; accuracy is gpsd's eph, else the larger of
 * epx and epy, else 0 (ODK writes 0 for unknown too).
 */
#include "gpsd.h"

#include <gps.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

enum ds_status
gpsd_read(const char *host, int timeout_ms, char *out, size_t n)
{
	struct gps_data_t d;
	const char *env = getenv("DOORSTEP_GPSD");
	char h[256], *colon;
	const char *port = DEFAULT_GPSD_PORT;
	int64_t end = ds_now_ms() + timeout_ms, left;
	enum ds_status st = DS_ENOENT;

	snprintf(h, sizeof(h), "%s", host ? host : env && *env ? env :
	    "localhost");
	if ((colon = strrchr(h, ':')) != NULL) {
		*colon = '\0';
		port = colon + 1;
	}
	memset(&d, 0, sizeof(d));
	if (gps_open(h, port, &d) != 0)
		return DS_ENOENT;
	(void)gps_stream(&d, WATCH_ENABLE | WATCH_JSON, NULL);
	while ((left = end - ds_now_ms()) > 0 &&
	    gps_waiting(&d, (int)(left * 1000))) {
		if (gps_read(&d, NULL, 0) == -1)
			break;
		if ((d.set & MODE_SET) && fix_text(&d, out, n) == DS_OK) {
			st = DS_OK;
			break;
		}
	}
	(void)gps_stream(&d, WATCH_DISABLE, NULL);
	(void)gps_close(&d);
	return st;
}
