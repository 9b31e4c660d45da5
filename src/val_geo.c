/* doorstep: ODK location values as text. */
/*
 * A point is read into at most four number spans, checked, and written
 * back as typed; nothing is rounded, so a value read from gpsd or typed
 * from a paper map keeps its digits.
 */
#include "val_geo.h"

#include <stdlib.h>
#include <string.h>

#define GEO_NUM_MAX	32	/* bytes of one number */

struct span {
	const char	*p;
	size_t		 n;
};

static int
is_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',' || c == '\n' || c == '\r';
}

/* A decimal number: [-+]digits[.digits] or [-+].digits; its value. */
static int
num(const struct span *s, double *v)
{
	char b[GEO_NUM_MAX + 1], *end;
	size_t i, digits = 0, dots = 0;

	if (s->n == 0 || s->n > GEO_NUM_MAX)
		return -1;
	for (i = 0; i < s->n; i++) {
		if (s->p[i] >= '0' && s->p[i] <= '9')
			digits++;
		else if (s->p[i] == '.')
			dots++;
		else if (i > 0 || (s->p[i] != '-' && s->p[i] != '+'))
			return -1;
	}
	if (digits == 0 || dots > 1)
		return -1;
	memcpy(b, s->p, s->n);
	b[s->n] = '\0';
	*v = strtod(b, &end);
	return *end == '\0' ? 0 : -1;
}

/* One point in p[0..n): check it and append it to out. */
static enum val_geo_why
point(const char *p, size_t n, struct ds_buf *out)
{
	struct span sp[4];
	size_t i = 0, k = 0, s;
	double v;

	while (i < n) {
		while (i < n && is_sep(p[i]))
			i++;
		if (i == n)
			break;
		for (s = i; i < n && !is_sep(p[i]); i++)
			;
		if (k == 4)
			return VAL_GEO_FORMAT;
		sp[k].p = p + s;
		sp[k].n = i - s;
		k++;
	}
	if (k < 2)
		return VAL_GEO_FORMAT;
	for (i = 0; i < k; i++) {
		if (num(&sp[i], &v) == -1)
			return VAL_GEO_FORMAT;
		if (i == 0 && (v < -90 || v > 90))
			return VAL_GEO_LAT;
		if (i == 1 && (v < -180 || v > 180))
			return VAL_GEO_LON;
		if (i == 3 && v < 0)
			return VAL_GEO_ACC;
	}
	for (i = 0; i < k; i++) {
		if (i > 0 && ds_buf_addc(out, ' ') != DS_OK)
			return VAL_GEO_NOMEM;
		if (ds_buf_add(out, sp[i].p[0] == '+' ? sp[i].p + 1 : sp[i].p,
		    sp[i].p[0] == '+' ? sp[i].n - 1 : sp[i].n) != DS_OK)
			return VAL_GEO_NOMEM;
	}
	return VAL_GEO_OK;
}

enum val_geo_why
val_geo_norm(enum val_geo_kind kind, const char *s, struct ds_buf *out,
    size_t *pt)
{
	const char *p = s, *e;
	size_t npts = 0, first_len = 0, last_at = 0;
	enum val_geo_why why;

	ds_buf_clear(out);
	if (pt != NULL)
		*pt = 0;
	for (;;) {
		e = strchr(p, ';');
		if (e == NULL)
			e = p + strlen(p);
		/* A trailing ';' (Collect writes none, people do) ends it. */
		{
			const char *q = p;

			while (q < e && is_sep(*q))
				q++;
			if (q == e && *e == '\0' && npts > 0)
				break;
		}
		if (++npts > VAL_GEO_MAX_POINTS)
			return VAL_GEO_MANY;
		if (npts > 1 && ds_buf_addc(out, ';') != DS_OK)
			return VAL_GEO_NOMEM;
		last_at = out->len;
		if ((why = point(p, (size_t)(e - p), out)) != VAL_GEO_OK) {
			if (pt != NULL)
				*pt = npts;
			return why;
		}
		if (npts == 1)
			first_len = out->len;
		if (*e == '\0')
			break;
		p = e + 1;
	}
	if (kind == VAL_GEOPOINT && npts != 1)
		return VAL_GEO_FORMAT;
	if (kind == VAL_GEOTRACE && npts < 2)
		return VAL_GEO_FEW;
	if (kind == VAL_GEOSHAPE) {
		/* Close an open shape with its first point. */
		if (npts >= 3 && (out->len - last_at != first_len ||
		    memcmp(out->p, out->p + last_at, first_len) != 0)) {
			if (ds_buf_addc(out, ';') != DS_OK ||
			    ds_buf_reserve(out, first_len + 1) != DS_OK)
				return VAL_GEO_NOMEM;
			if (ds_buf_add(out, out->p, first_len) != DS_OK)
				return VAL_GEO_NOMEM;
			npts++;
		}
		if (npts < 4)
			return VAL_GEO_FEW;
	}
	return VAL_GEO_OK;
}

const char *
val_geo_hint(enum val_geo_kind kind)
{
	switch (kind) {
	case VAL_GEOPOINT:
		return "Format: latitude longitude [altitude accuracy], for "
		    "example 30.5728 104.0668";
	case VAL_GEOTRACE:
		return "Format: points separated by ';', for example "
		    "30.57 104.06; 30.58 104.07";
	default:
		return "Format: 3 or more points separated by ';'; the area "
		    "is closed for you";
	}
}
