/* doorstep: answer type checks and normalisation for the engine. */
/*
 * One function per value type turns what the worker (or an answers file)
 * typed into the stored text, or refuses it with a plain message.  Stored
 * forms: integers without leading zeros or '+', decimals as typed after
 * trimming (a '.' separator; ',' accepted as JR does), dates YYYY-MM-DD,
 * times HH:MM:SS, dateTimes YYYY-MM-DDTHH:MM:SS and an offset (the
 * laptop's local one when none was typed, as Collect), select_multiple
 * names separated by single spaces.  Select membership is checked by the
 * engine (it needs the filtered list), not here.
 */
#include "eng_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "form_media.h"
#include "utf8.h"
#include "util.h"
#include "val.h"
#include "val_geo.h"

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Copy s without leading and trailing ASCII space into buf (cap n). */
static int
trim_into(const char *s, char *buf, size_t n)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (len >= n)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

/* A value of the wrong kind: why says which (the edge words it). */
static enum ds_status
bad(enum eng_msg *why, enum eng_msg code, struct ds_err *err)
{
	*why = code;
	return ds_err_set(err, DS_ETYPE, "%s", eng_msg_dev(code));
}

static enum ds_status
norm_integer(const char *s, struct ds_buf *out, enum eng_msg *why,
    struct ds_err *err)
{
	char t[64];
	int64_t v;

	if (trim_into(s, t, sizeof(t)) == -1 ||
	    ds_parse_i64(t[0] == '+' ? t + 1 : t, -999999999999LL,
	    999999999999LL, &v) == -1)
		return bad(why, ENG_MSG_INTEGER, err);
	return ds_buf_printf(out, "%lld", (long long)v);
}

static enum ds_status
norm_decimal(const char *s, struct ds_buf *out, enum eng_msg *why,
    struct ds_err *err)
{
	char t[64], *p;
	size_t i, n;
	int dot = 0, digits = 0;

	if (trim_into(s, t, sizeof(t)) == -1)
		goto bad;
	p = t;
	if (*p == '-' || *p == '+')
		p++;
	n = strlen(p);
	for (i = 0; i < n; i++) {
		if (p[i] == ',' || p[i] == '.') {
			if (dot++)
				goto bad;
			p[i] = '.';
		} else if (isdigit((unsigned char)p[i]))
			digits++;
		else
			goto bad;
	}
	if (digits == 0 || digits > 17)
		goto bad;
	return ds_buf_adds(out, t[0] == '+' ? t + 1 : t);
bad:
	return bad(why, ENG_MSG_DECIMAL, err);
}

static enum ds_status
norm_date(const char *s, struct ds_buf *out, enum eng_msg *why,
    struct ds_err *err)
{
	char t[32];
	double d;

	if (trim_into(s, t, sizeof(t)) == -1 || strlen(t) != 10 ||
	    t[4] != '-' || t[7] != '-' || !all_digits(t, 4) ||
	    !all_digits(t + 5, 2) || !all_digits(t + 8, 2) ||
	    val_parse_date(t, 10, &d) == -1)
		return bad(why, ENG_MSG_DATE, err);
	return ds_buf_adds(out, t);
}

/* HH:MM[:SS] into h, m, sec; -1 if not a valid time. */
static int
parse_hms(const char *t, size_t n, int *h, int *m, int *sec)
{
	if ((n != 5 && n != 8) || t[2] != ':' || !all_digits(t, 2) ||
	    !all_digits(t + 3, 2))
		return -1;
	*h = (t[0] - '0') * 10 + (t[1] - '0');
	*m = (t[3] - '0') * 10 + (t[4] - '0');
	*sec = 0;
	if (n == 8) {
		if (t[5] != ':' || !all_digits(t + 6, 2))
			return -1;
		*sec = (t[6] - '0') * 10 + (t[7] - '0');
	}
	if (*h > 23 || *m > 59 || *sec > 59)
		return -1;
	return 0;
}

static enum ds_status
norm_time(const char *s, struct ds_buf *out, enum eng_msg *why,
    struct ds_err *err)
{
	char t[32];
	int h, m, sec;

	if (trim_into(s, t, sizeof(t)) == -1 ||
	    parse_hms(t, strlen(t), &h, &m, &sec) == -1)
		return bad(why, ENG_MSG_TIME, err);
	return ds_buf_printf(out, "%02d:%02d:%02d", h, m, sec);
}

/*
 * The offset from UTC of a local date and time, "+08:00", as Collect
 * writes it with every dateTime (daylight saving as that day had it);
 * -1 when the C library cannot place the time.
 */
static int
local_offset(const char *date, int h, int m, int sec, char *out, size_t n)
{
	struct tm tm;
	long off;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = atoi(date) - 1900;
	tm.tm_mon = atoi(date + 5) - 1;
	tm.tm_mday = atoi(date + 8);
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	tm.tm_wday = -1;	/* set by a mktime that placed it */
	(void)mktime(&tm);
	if (tm.tm_wday < 0)
		return -1;
	off = tm.tm_gmtoff;
	if (snprintf(out, n, "%c%02ld:%02ld", off < 0 ? '-' : '+',
	    labs(off) / 3600, labs(off) % 3600 / 60) >= (int)n)
		return -1;
	return 0;
}

static enum ds_status
norm_datetime(const char *s, struct ds_buf *out, enum eng_msg *why,
    struct ds_err *err)
{
	char t[48], local[16];
	const char *tz;
	size_t n, tn;
	double d;
	int h, m, sec;

	if (trim_into(s, t, sizeof(t)) == -1)
		goto bad;
	n = strlen(t);
	if (n < 16 || (t[10] != 'T' && t[10] != ' '))
		goto bad;
	if (!all_digits(t, 4) || t[4] != '-' || t[7] != '-' ||
	    val_parse_date(t, 10, &d) == -1)
		goto bad;
	tz = t + 11;
	tn = strcspn(tz, "Z+-");
	if (parse_hms(tz, tn, &h, &m, &sec) == -1)
		goto bad;
	tz += tn;
	if (*tz != '\0' && strcmp(tz, "Z") != 0 &&
	    !(strlen(tz) == 6 && tz[3] == ':' && all_digits(tz + 1, 2) &&
	    all_digits(tz + 4, 2)))
		goto bad;
	/* Typed without an offset: the laptop's local time, said so. */
	if (*tz == '\0') {
		if (local_offset(t, h, m, sec, local, sizeof(local)) == -1)
			goto bad;
		tz = local;
	}
	return ds_buf_printf(out, "%.10sT%02d:%02d:%02d%s", t, h, m, sec, tz);
bad:
	return bad(why, ENG_MSG_DATETIME, err);
}

/* Space-separated names, each once, joined by single spaces. */
static enum ds_status
norm_multi(const char *s, struct ds_buf *out, enum eng_msg *why,
    struct ds_err *err)
{
	const char *p, *q, *r;
	size_t n, m;
	enum ds_status st;

	for (p = s; *p != '\0'; p = q) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q != '\0' && *q != ' ' && *q != '\t' &&
		    *q != '\n'; q++)
			;
		n = (size_t)(q - p);
		/* refuse duplicates: scan what we have written so far */
		for (r = out->p; r != NULL && *r != '\0'; r += m) {
			while (*r == ' ')
				r++;
			m = strcspn(r, " ");
			if (m == n && memcmp(r, p, n) == 0) {
				*why = ENG_MSG_CHOICE_TWICE;
				return ds_err_set(err, DS_ETYPE, "%s: %.*s",
				    eng_msg_dev(*why), (int)n, p);
			}
		}
		if (out->len > 0 && (st = ds_buf_addc(out, ' ')) != DS_OK)
			return st;
		if ((st = ds_buf_add(out, p, n)) != DS_OK)
			return st;
	}
	return DS_OK;
}

/* Locations as ODK's text (val_geo.h). */
static enum ds_status
norm_geo(enum val_geo_kind k, const char *s, struct ds_buf *out,
    enum eng_msg *why, struct ds_err *err)
{
	switch (val_geo_norm(k, s, out, NULL)) {
	case VAL_GEO_OK:
		return DS_OK;
	case VAL_GEO_NOMEM:
		return ds_err_set(err, DS_ENOMEM, NULL);
	case VAL_GEO_LAT:
		return bad(why, ENG_MSG_GEO_LAT, err);
	case VAL_GEO_LON:
		return bad(why, ENG_MSG_GEO_LON, err);
	case VAL_GEO_ACC:
		return bad(why, ENG_MSG_GEO_ACC, err);
	case VAL_GEO_FEW:
		return bad(why, ENG_MSG_GEO_FEW, err);
	case VAL_GEO_MANY:
		return bad(why, ENG_MSG_GEO_MANY, err);
	default:
		return bad(why, ENG_MSG_GEO_FORMAT, err);
	}
}

/* Text: any valid UTF-8 without NUL. */
static enum ds_status
norm_text(const char *s, struct ds_buf *out, enum eng_msg *why,
    struct ds_err *err)
{
	if (!utf8_valid(s, strlen(s), 0))
		return bad(why, ENG_MSG_UTF8, err);
	return ds_buf_adds(out, s);
}

enum ds_status
eng_type_norm(enum form_type t, const char *s, struct ds_buf *out,
    enum eng_msg *why, struct ds_err *err)
{
	*why = ENG_MSG_NONE;
	ds_buf_clear(out);
	switch (t) {
	case FT_INTEGER:
		return norm_integer(s, out, why, err);
	case FT_DECIMAL:
		return norm_decimal(s, out, why, err);
	case FT_DATE:
	case FT_TODAY:
		return norm_date(s, out, why, err);
	case FT_TIME:
		return norm_time(s, out, why, err);
	case FT_DATETIME:
	case FT_START:
	case FT_END:
		return norm_datetime(s, out, why, err);
	case FT_SELECT_MULTIPLE:
		return norm_multi(s, out, why, err);
	case FT_GEOPOINT:
		return norm_geo(VAL_GEOPOINT, s, out, why, err);
	case FT_GEOTRACE:
		return norm_geo(VAL_GEOTRACE, s, out, why, err);
	case FT_GEOSHAPE:
		return norm_geo(VAL_GEOSHAPE, s, out, why, err);
	case FT_SELECT_ONE: {
		char t1[INST_NAME_MAX];

		if (trim_into(s, t1, sizeof(t1)) == -1 || strchr(t1, ' '))
			return bad(why, ENG_MSG_CHOOSE_ONE, err);
		return ds_buf_adds(out, t1);
	}
	case FT_IMAGE:
	case FT_AUDIO:
	case FT_VIDEO:
	case FT_FILE: {
		char t1[FORM_MEDIA_NAME_MAX + 2];

		if (trim_into(s, t1, sizeof(t1)) == -1 ||
		    !form_media_name_ok(t1, strlen(t1)))
			return bad(why, ENG_MSG_MEDIA, err);
		return ds_buf_adds(out, t1);
	}
	case FT_ACKNOWLEDGE: {
		char t1[16];

		if (trim_into(s, t1, sizeof(t1)) == -1 ||
		    (strcmp(t1, "OK") != 0 && strcmp(t1, "ok") != 0 &&
		    strcmp(t1, "1") != 0 && strcmp(t1, "true") != 0))
			return bad(why, ENG_MSG_CONFIRM_OK, err);
		return ds_buf_adds(out, "OK");
	}
	default:
		return norm_text(s, out, why, err);
	}
}
