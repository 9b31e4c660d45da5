/* doorstep: ODK location values as text (layer 3: expr). */
#ifndef DS_VAL_GEO_H
#define DS_VAL_GEO_H

/*
 * ODK stores a location as text (getodk/xforms-spec, data types):
 *   geopoint  "lat lon [alt [acc]]"  degrees, metres, metres
 *   geotrace  two or more points separated by ';'
 *   geoshape  a closed trace: four or more points, the last equal to the
 *             first
 * A laptop has no GPS as a rule, so these are typed (or read from gpsd,
 * gps.h); val_geo_norm checks what was typed and writes the stored form.
 * Numbers are decimal with '.', no exponent; ',' and runs of spaces
 * separate the numbers of a point.  An unclosed shape of three or more
 * points is closed by repeating its first point, as Collect does.
 */

#include <stddef.h>

#include "buf.h"

#define VAL_GEO_MAX_POINTS	10000

enum val_geo_kind {
	VAL_GEOPOINT,
	VAL_GEOTRACE,
	VAL_GEOSHAPE
};

enum val_geo_why {
	VAL_GEO_OK = 0,
	VAL_GEO_FORMAT,		/* not 2 to 4 numbers in a point */
	VAL_GEO_LAT,		/* latitude outside -90..90 */
	VAL_GEO_LON,		/* longitude outside -180..180 */
	VAL_GEO_ACC,		/* negative accuracy */
	VAL_GEO_FEW,		/* too few points for the kind */
	VAL_GEO_MANY,		/* more than VAL_GEO_MAX_POINTS */
	VAL_GEO_NOMEM
};

/*
 * Check s as a value of `kind` and write its stored form to out (cleared
 * first): numbers as typed, single spaces, points joined by ';'.  On an
 * error *point (if not NULL) is the 1-based point at fault, or 0.
 */
enum val_geo_why val_geo_norm(enum val_geo_kind, const char *s,
		    struct ds_buf *out, size_t *point);

/* The format hint for a location question, an English msgid the edge
 * translates (i18n_diag.h lists it). */
const char	*val_geo_hint(enum val_geo_kind);

#endif
