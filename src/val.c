/* doorstep: typed values of the ODK expression language. */
/*
 * Purpose: the value model shared by the evaluator and its callers, with
 * ODK Collect's (JavaRosa's) conversions: toNumeric, toBoolean, toString.
 * Invariants: a val always owns what it points to; a VAL_STRING with
 * s == NULL is the empty string; val_reset() always leaves a valid empty
 * string.  Dates are plain day counts on the proleptic Gregorian calendar,
 * so no time-zone database is consulted here: a dateTime carries its own
 * offset.  This file never looks at node-sets beyond freeing them; the
 * evaluator atomizes them through the environment.
 */
#include "val.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arr.h"
#include "mem.h"

/* Beyond the years 1..9999 a date prints as "". */
#define VAL_DAYS_MAX	3000000.0

void
expr_nodes_init(struct expr_nodes *ns)
{
	ns->v = NULL;
	ns->n = 0;
	ns->cap = 0;
}

void
expr_nodes_reset(struct expr_nodes *ns)
{
	ds_free(ns->v);
	expr_nodes_init(ns);
}

enum ds_status
expr_nodes_add(struct expr_nodes *ns, struct expr_node n)
{
	enum ds_status st;

	if ((st = ds_arr_grow(&ns->v, &ns->cap, ns->n + 1, sizeof(*ns->v),
	    EXPR_NODES_MAX)) != DS_OK)
		return st;
	ns->v[ns->n++] = n;
	return DS_OK;
}

void
val_init(struct val *v)
{
	v->type = VAL_STRING;
	v->n = 0;
	v->tz = 0;
	v->s = NULL;
	v->len = 0;
	expr_nodes_init(&v->ns);
}

void
val_reset(struct val *v)
{
	ds_free(v->s);
	expr_nodes_reset(&v->ns);
	val_init(v);
}

void
val_set_number(struct val *v, double d)
{
	val_reset(v);
	v->type = VAL_NUMBER;
	v->n = d;
}

void
val_set_bool(struct val *v, int b)
{
	val_reset(v);
	v->type = VAL_BOOL;
	v->n = b ? 1 : 0;
}

void
val_set_date(struct val *v, double days)
{
	val_reset(v);
	v->type = VAL_DATE;
	v->n = days;
}

void
val_set_datetime(struct val *v, double days, int tz)
{
	val_reset(v);
	v->type = VAL_DATETIME;
	v->n = days;
	v->tz = tz;
}

enum ds_status
val_set_string(struct val *v, const char *s, size_t len)
{
	char *p;

	val_reset(v);
	if (len == 0)
		return DS_OK;
	if ((p = ds_strndup(s, len)) == NULL)
		return DS_ENOMEM;
	v->s = p;
	v->len = len;
	return DS_OK;
}

void
val_take_string(struct val *v, char *s, size_t len)
{
	val_reset(v);
	if (len == 0) {
		ds_free(s);
		return;
	}
	v->s = s;
	v->len = len;
}

void
val_move(struct val *dst, struct val *src)
{
	if (dst == src)
		return;
	val_reset(dst);
	*dst = *src;
	val_init(src);
}

enum ds_status
val_copy(struct val *dst, const struct val *src)
{
	size_t i;

	if (dst == src)
		return DS_OK;
	val_reset(dst);
	switch (src->type) {
	case VAL_STRING:
		return val_set_string(dst, src->s, src->len);
	case VAL_NODESET:
		dst->type = VAL_NODESET;
		for (i = 0; i < src->ns.n; i++)
			if (expr_nodes_add(&dst->ns, src->ns.v[i]) != DS_OK) {
				val_reset(dst);
				return DS_ENOMEM;
			}
		return DS_OK;
	default:
		dst->type = src->type;
		dst->n = src->n;
		dst->tz = src->tz;
		return DS_OK;
	}
}

const char *
val_str(const struct val *v)
{
	if (v->type != VAL_STRING)
		return NULL;
	return v->s != NULL ? v->s : "";
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* ODK: ',' counts as '.' (javarosa XPathEvalTest round('4,6') = 5). */
int
val_parse_number(const char *s, size_t len, double *out)
{
	char tmp[64], *end;
	size_t i, n = 0, digits = 0, dots = 0;

	*out = NAN;
	while (len > 0 && is_space((unsigned char)s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_space((unsigned char)s[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '-' && i == 0)
			;
		else if (c == '.' || c == ',') {
			c = '.';
			if (++dots > 1)
				return -1;
		} else if (c >= '0' && c <= '9')
			digits++;
		else
			return -1;
		tmp[n++] = c;
	}
	tmp[n] = '\0';
	if (digits == 0)
		return -1;
	*out = strtod(tmp, &end);
	if (*end != '\0') {
		*out = NAN;
		return -1;
	}
	return 0;
}

double
val_number(const struct val *v)
{
	double d;
	int tz;

	switch (v->type) {
	case VAL_NUMBER:
	case VAL_BOOL:
	case VAL_DATE:
		return v->n;
	case VAL_DATETIME:
		/* JR toNumeric: days since the epoch, the offset applied,
		 * so instants compare right across offsets. */
		return v->n - v->tz / 1440.0;
	case VAL_STRING:
		if (val_parse_number(v->s, v->len, &d) == 0)
			return d;
		/* ODK extension: date strings count as days (JR toNumeric's
		 * attemptDateConversion). */
		if (v->len > 10 && val_parse_datetime(v->s, v->len, 0, &d,
		    &tz) == 0)
			return d - tz / 1440.0;
		if (v->len == 10 && val_parse_date(v->s, v->len, &d) == 0)
			return d;
		return NAN;
	case VAL_NODESET:
		return NAN;
	}
	return NAN;
}

int
val_bool(const struct val *v)
{
	switch (v->type) {
	case VAL_NUMBER:
		/* JR: |d| > 1e-12 and not NaN */
		return !isnan(v->n) && fabs(v->n) > 1.0e-12;
	case VAL_BOOL:
		return v->n != 0;
	case VAL_STRING:
		return v->len > 0;
	case VAL_DATE:
	case VAL_DATETIME:
		return 1;
	case VAL_NODESET:
		return v->ns.n > 0;
	}
	return 0;
}

/*
 * Java's Double.toString: the shortest digits that read back as the same
 * double; plain notation for 1e-3 <= |d| < 1e7, else d.dddE[-]n.  JR
 * prints integral values below 1e15 as a long first.
 */
size_t
val_fmt_number(double d, char *buf)
{
	char e[40], digits[24];
	int prec, exp10, nd, i, k;
	size_t n = 0;
	char *p;

	if (isnan(d))
		return (size_t)snprintf(buf, VAL_NUMBUF, "NaN");
	if (isinf(d))
		return (size_t)snprintf(buf, VAL_NUMBUF, "%s",
		    d > 0 ? "Infinity" : "-Infinity");
	if (fabs(d) < 1.0e15 && d == (double)(long long)d)
		return (size_t)snprintf(buf, VAL_NUMBUF, "%lld",
		    (long long)d);
	for (prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	/* e = [-]D[.DDD]e[+-]XX */
	p = e;
	if (*p == '-') {
		buf[n++] = '-';
		p++;
	}
	nd = 0;
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	exp10 = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (fabs(d) >= 1.0e-3 && fabs(d) < 1.0e7) {
		if (exp10 >= 0) {
			for (i = 0; i <= exp10; i++)
				buf[n++] = i < nd ? digits[i] : '0';
			buf[n++] = '.';
			if (exp10 + 1 >= nd)
				buf[n++] = '0';
			for (i = exp10 + 1; i < nd; i++)
				buf[n++] = digits[i];
		} else {
			buf[n++] = '0';
			buf[n++] = '.';
			for (k = -1; k > exp10; k--)
				buf[n++] = '0';
			for (i = 0; i < nd; i++)
				buf[n++] = digits[i];
		}
		buf[n] = '\0';
		return n;
	}
	buf[n++] = digits[0];
	buf[n++] = '.';
	if (nd == 1)
		buf[n++] = '0';
	for (i = 1; i < nd; i++)
		buf[n++] = digits[i];
	n += (size_t)snprintf(buf + n, VAL_NUMBUF - n, "E%d", exp10);
	return n;
}

/* Howard Hinnant's days_from_civil. */
int64_t
val_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
val_civil_from_days(int64_t z, int64_t *yp, unsigned *mp, unsigned *dp)
{
	int64_t era, doe, yoe, y, doy, mp5;
	unsigned d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp5 = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp5 + 2) / 5 + 1);
	m = (unsigned)(mp5 < 10 ? mp5 + 3 : mp5 - 9);
	*yp = y + (m <= 2);
	*mp = m;
	*dp = d;
}

static int
digits_at(const char *s, size_t len, size_t at, size_t n, int *out)
{
	size_t i;
	int v = 0;

	if (at + n > len)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[at + i] < '0' || s[at + i] > '9')
			return -1;
		v = v * 10 + (s[at + i] - '0');
	}
	*out = v;
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* YYYY-MM-DD at the start of s; -1 if not a real date. */
static int
parse_ymd(const char *s, size_t len, int64_t *days)
{
	int y, m, d;

	if (digits_at(s, len, 0, 4, &y) != 0 || len < 10 || s[4] != '-' ||
	    digits_at(s, len, 5, 2, &m) != 0 || s[7] != '-' ||
	    digits_at(s, len, 8, 2, &d) != 0)
		return -1;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*days = val_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

int
val_parse_date(const char *s, size_t len, double *days)
{
	int64_t dd;

	while (len > 0 && is_space((unsigned char)s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_space((unsigned char)s[len - 1]))
		len--;
	if (parse_ymd(s, len, &dd) != 0)
		return -1;
	if (len != 10 && s[10] != 'T')
		return -1;
	*days = (double)dd;
	return 0;
}

int
val_parse_datetime(const char *s, size_t len, int deftz, double *days,
    int *tzp)
{
	int64_t dd;
	int h = 0, mi = 0, sec = 0, ms = 0, th, tm, tz = deftz, k;
	size_t i = 10;

	while (len > 0 && is_space((unsigned char)s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_space((unsigned char)s[len - 1]))
		len--;
	if (parse_ymd(s, len, &dd) != 0)
		return -1;
	if (i < len) {
		if (s[i] != 'T' || digits_at(s, len, i + 1, 2, &h) != 0 ||
		    i + 3 >= len || s[i + 3] != ':' ||
		    digits_at(s, len, i + 4, 2, &mi) != 0)
			return -1;
		i += 6;
		if (i < len && s[i] == ':') {
			if (digits_at(s, len, i + 1, 2, &sec) != 0)
				return -1;
			i += 3;
			if (i < len && s[i] == '.') {
				i++;
				for (k = 0; i < len && s[i] >= '0' &&
				    s[i] <= '9'; i++, k++)
					if (k < 3)
						ms = ms * 10 + (s[i] - '0');
				if (k == 0)
					return -1;
				for (; k < 3; k++)
					ms *= 10;
			}
		}
		if (i < len) {
			if (s[i] == 'Z' && i + 1 == len)
				tz = 0;
			else if ((s[i] == '+' || s[i] == '-') &&
			    digits_at(s, len, i + 1, 2, &th) == 0 &&
			    ((i + 3 == len) || (i + 6 == len &&
			    s[i + 3] == ':' &&
			    digits_at(s, len, i + 4, 2, &tm) == 0) ||
			    (i + 5 == len &&
			    digits_at(s, len, i + 3, 2, &tm) == 0))) {
				if (i + 3 == len)
					tm = 0;
				if (th > 14 || tm > 59)
					return -1;
				tz = (th * 60 + tm) * (s[i] == '-' ? -1 : 1);
			} else
				return -1;
		}
		if (h > 24 || mi > 59 || sec > 60 || (h == 24 &&
		    (mi || sec || ms)))
			return -1;
	}
	*days = (double)dd + (h * 3600000.0 + mi * 60000.0 + sec * 1000.0 +
	    ms) / 86400000.0;
	*tzp = tz;
	return 0;
}

static enum ds_status
fmt_date(double days, struct ds_buf *out)
{
	int64_t y;
	unsigned m, d;

	val_civil_from_days((int64_t)floor(days), &y, &m, &d);
	return ds_buf_printf(out, "%04lld-%02u-%02u", (long long)y, m, d);
}

static enum ds_status
fmt_datetime(double days, int tz, struct ds_buf *out)
{
	double fd = floor(days);
	long long ms = llround((days - fd) * 86400000.0);
	enum ds_status st;
	int atz = tz < 0 ? -tz : tz;

	if (ms >= 86400000LL) {
		fd += 1;
		ms -= 86400000LL;
	}
	if ((st = fmt_date(fd, out)) != DS_OK)
		return st;
	return ds_buf_printf(out, "T%02lld:%02lld:%02lld.%03lld%c%02d:%02d",
	    ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000,
	    tz < 0 ? '-' : '+', atz / 60, atz % 60);
}

enum ds_status
val_format(const struct val *v, unsigned flags, struct ds_buf *out)
{
	char nb[VAL_NUMBUF];
	size_t n;

	switch (v->type) {
	case VAL_STRING:
		if (v->len == 0)
			return ds_buf_add(out, "", 0);
		return ds_buf_add(out, v->s, v->len);
	case VAL_NUMBER:
		if ((flags & VAL_FMT_STORE) && !isfinite(v->n))
			return ds_buf_add(out, "", 0);
		n = val_fmt_number(v->n, nb);
		return ds_buf_add(out, nb, n);
	case VAL_BOOL:
		return ds_buf_adds(out, v->n != 0 ? "true" : "false");
	case VAL_DATE:
		if (!isfinite(v->n) || fabs(v->n) > VAL_DAYS_MAX)
			return ds_buf_add(out, "", 0);
		return fmt_date(v->n, out);
	case VAL_DATETIME:
		if (!isfinite(v->n) || fabs(v->n) > VAL_DAYS_MAX)
			return ds_buf_add(out, "", 0);
		return fmt_datetime(v->n, v->tz, out);
	case VAL_NODESET:
		return ds_buf_add(out, "", 0);
	}
	return DS_EINVAL;
}

enum ds_status
val_to_string(const struct val *v, unsigned flags, char **out,
    size_t *lenp)
{
	struct ds_buf b;
	enum ds_status st;
	char *p;
	size_t len;

	ds_buf_init(&b, (size_t)1 << 30);
	if ((st = val_format(v, flags, &b)) != DS_OK) {
		ds_buf_reset(&b);
		return st;
	}
	if ((p = ds_buf_take(&b, &len)) == NULL)
		return DS_ENOMEM;
	*out = p;
	if (lenp != NULL)
		*lenp = len;
	return DS_OK;
}
