/* doorstep: a GPS receiver's fix through gpsd (layer 4: engine). */
#ifndef DS_GPSD_H
#define DS_GPSD_H

/*
 * A laptop has a GPS only when a receiver is plugged in and gpsd serves
 * it.  These functions read one fix through libgps (Debian libgps, the
 * only includer of <gps.h>) and write it as ODK's geopoint text,
 * "lat lon alt acc" (degrees, metres above mean sea level, horizontal
 * accuracy in metres), as val_geo.h reads it.  Optional at run time: no
 * gpsd, no receiver or no fix is DS_ENOENT at once or when the timeout
 * runs out, and the caller lets the worker type the location.
 */
#include <stddef.h>

#include "status.h"

#define GPSD_TEXT_MAX	96	/* "lat lon alt acc" and its NUL */
/*
 * gpsd opens a receiver only when a client asks, then learns its sentence
 * cycle: the first fix came 1.2 s after connecting to an idle gpsd fed at
 * a 1 Hz receiver's pace, and later at load.  No gpsd costs no wait.
 */
#define GPSD_WAIT_MS	5000	/* how long `fill` waits for a fix */
#define GPSD_KEY_MS	5000	/* how long the TUI's GPS key waits */
#define GPSD_START_MS	60000	/* how long the TUI listens at a start */
/*
 * How long a connection to gpsd may take.  A connection on the laptop or
 * its network takes milliseconds; a host that does not answer would hold
 * libgps's own connect for minutes, at each new record of the TUI.
 */
#define GPSD_CONNECT_MS	500

/*
 * A fix from the gpsd on `host` (NULL: DOORSTEP_GPSD "host:port", else
 * localhost:2947) within timeout_ms.  DS_OK with out filled, DS_ENOENT
 * when there is no gpsd, no receiver or no 2D fix in time.
 */
enum ds_status	 gpsd_read(const char *host, int timeout_ms, char *out,
		    size_t n);

/*
 * A watch: one connection to gpsd, asking for its reports, for a caller
 * that must not block (the TUI polls it between keys).  gpsd_watch_open
 * connects (a refused loopback connection fails at once, a host that does
 * not answer after GPSD_CONNECT_MS): DS_OK with *out to close with
 * gpsd_watch_close, DS_ENOENT when there is no gpsd, DS_ENOMEM.
 * gpsd_watch_poll reads what gpsd sent, waiting up to wait_ms (0: only
 * what has come): DS_OK with out filled at the first 2D fix,
 * DS_ENOENT when none came in time, DS_EIO when gpsd went away.
 */
struct gpsd_watch;
enum ds_status	 gpsd_watch_open(const char *host, struct gpsd_watch **out);
enum ds_status	 gpsd_watch_poll(struct gpsd_watch *, int wait_ms,
		    char *out, size_t n);
void		 gpsd_watch_close(struct gpsd_watch *);

/*
 * One gpsd JSON report (a TPV object, as gpsd sends it) to geopoint text,
 * through libgps's own parser: DS_OK, or DS_ENOENT when it holds no 2D
 * fix, DS_EPARSE when it is not a report.  For tests and for replaying a
 * receiver's log.
 */
enum ds_status	 gpsd_fix_from_json(const char *json, char *out,
		    size_t n);

/*
 * The accuracy in geopoint text written by these functions (its last
 * field, metres), or NULL when the receiver gave none: the text holds 0
 * then, as ODK's does, and a known accuracy is written as at least 0.1.
 */
const char	*gpsd_fix_accuracy(const char *fix);

#endif
