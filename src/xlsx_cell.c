/* doorstep: .xlsx cell values as text, as pyxform reads them. */
/*
 * pyxform reads workbooks through openpyxl and writes each value with
 * xlsx_value_to_str (XLSForm/pyxform:pyxform/xls2json_backends.py):
 * booleans "TRUE"/"FALSE", integral floats as int, other numbers with
 * Python's str(), datetimes with str().  openpyxl (openpyxl/openpyxl:
 * openpyxl/worksheet/_reader.py, utils/datetime.py from_excel,
 * styles/numbers.py is_date_format) decides which numbers are dates from
 * the cell's number format.  This file is our own code for the same
 * rules; docs/forms.md lists where we differ on purpose (ISO text for
 * dates, errors instead of "#VALUE!" for serials no calendar has).
 *
 * Invariants: no allocation; every write is bounded by the caller's n;
 * strtod and snprintf run in the C locale (the program calls
 * setlocale(LC_ALL, ""), and a comma locale must not change a form).
 */
#include "xlsx_cell.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

/* ---- number formats -------------------------------------------------- */

/* "[h]", "[hh]", "[m]", "[mm]", "[s]", "[ss]" at p (n bytes): elapsed
 * time, which openpyxl's LOCALE_GROUP keeps (case-sensitive lookahead). */
static int
elapsed_at(const char *p, size_t n, int icase)
{
	char c, d;

	if (n < 2)
		return 0;
	c = p[0];
	d = p[1];
	if (icase && c >= 'A' && c <= 'Z')
		c = (char)(c - 'A' + 'a');
	if (icase && d >= 'A' && d <= 'Z')
		d = (char)(d - 'A' + 'a');
	if (c != 'h' && c != 'm' && c != 's')
		return 0;
	if (d == ']')
		return 1;
	return d == c && n >= 3 && p[2] == ']';
}

/*
 * openpyxl is_date_format: take the first section (up to ';'), remove
 * quoted literals ("...", no line break inside) and bracketed parts other
 * than [h] [hh] [m] [mm] [s] [ss] ([Red], [$-804]), then look for one of
 * d m h y s (either case) not preceded by '_' or '\'.  is_timedelta_format:
 * the first section holds [h], [m] or [s] (doubled or not, any case).
 */
int
xlsx_fmt_kind(const char *code)
{
	char s[XLSX_MAX_FMTCODE];
	size_t len, i, j, k = 0;
	int kind = 0;

	len = strcspn(code, ";");
	if (len > XLSX_MAX_FMTCODE)
		return 0;
	for (i = 0; i < len;) {
		if (code[i] == '"') {
			for (j = i + 1; j < len && code[j] != '"' &&
			    code[j] != '\n'; j++)
				;
			if (j < len && code[j] == '"') {
				i = j + 1;
				continue;
			}
		} else if (code[i] == '[' &&
		    !elapsed_at(code + i + 1, len - i - 1, 0)) {
			for (j = i + 1; j < len && code[j] != ']'; j++)
				;
			if (j < len) {
				i = j + 1;
				continue;
			}
		}
		s[k++] = code[i++];
	}
	for (i = 0; i < k; i++) {
		if (s[i] == '\0' || strchr("dmhysDMHYS", s[i]) == NULL)
			continue;
		if (i > 0 && (s[i - 1] == '_' || s[i - 1] == '\\'))
			continue;
		kind |= XLSX_FMT_DATE;
		if (strchr("hHsS", s[i]) != NULL)
			kind |= XLSX_FMT_TIME;
	}
	for (i = 0; i < len && (kind & XLSX_FMT_DATE); i++)
		if (code[i] == '[' && elapsed_at(code + i + 1, len - i - 1, 1)) {
			kind |= XLSX_FMT_DELTA;
			break;
		}
	return kind;
}

/* Built-in formats that are dates: openpyxl's BUILTIN_FORMATS, and the
 * zh-cn codes ECMA-376 gives the East Asian ids, which openpyxl leaves out
 * (Chinese Excel shows dates with them). */
static const struct {
	uint32_t	 id;
	const char	*code;
} builtin[] = {
	{ 14, "mm-dd-yy" }, { 15, "d-mmm-yy" }, { 16, "d-mmm" },
	{ 17, "mmm-yy" }, { 18, "h:mm AM/PM" }, { 19, "h:mm:ss AM/PM" },
	{ 20, "h:mm" }, { 21, "h:mm:ss" }, { 22, "m/d/yy h:mm" },
	{ 27, "yyyy\"年\"m\"月\"" }, { 28, "m\"月\"d\"日\"" },
	{ 29, "m\"月\"d\"日\"" }, { 30, "m-d-yy" },
	{ 31, "yyyy\"年\"m\"月\"d\"日\"" }, { 32, "h\"时\"mm\"分\"" },
	{ 33, "h\"时\"mm\"分\"ss\"秒\"" }, { 34, "上午/下午h\"时\"mm\"分\"" },
	{ 35, "上午/下午h\"时\"mm\"分\"ss\"秒\"" }, { 36, "yyyy\"年\"m\"月\"" },
	{ 45, "mm:ss" }, { 46, "[h]:mm:ss" }, { 47, "mmss.0" },
	{ 50, "yyyy\"年\"m\"月\"" }, { 51, "m\"月\"d\"日\"" },
	{ 52, "yyyy\"年\"m\"月\"" }, { 53, "m\"月\"d\"日\"" },
	{ 54, "m\"月\"d\"日\"" }, { 55, "上午/下午h\"时\"mm\"分\"" },
	{ 56, "上午/下午h\"时\"mm\"分\"ss\"秒\"" }, { 57, "yyyy\"年\"m\"月\"" },
	{ 58, "m\"月\"d\"日\"" },
};

int
xlsx_builtin_kind(uint32_t id)
{
	size_t i;

	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (builtin[i].id == id)
			return xlsx_fmt_kind(builtin[i].code);
	return 0;
}

/* ---- the C locale ---------------------------------------------------- */

static locale_t c_loc;
static once_flag c_once = ONCE_FLAG_INIT;

static void
c_init(void)
{
	c_loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* Made once per process and kept (forms load from any thread). */
static locale_t
c_locale(void)
{
	call_once(&c_once, c_init);
	return c_loc;
}

/* Switch this thread to the C numeric locale; returns what to restore
 * ((locale_t)0: nothing, newlocale failed and the global one stays). */
static locale_t
c_enter(void)
{
	locale_t l = c_locale();

	return l == (locale_t)0 ? (locale_t)0 : uselocale(l);
}

static void
c_leave(locale_t old)
{
	if (old != (locale_t)0)
		(void)uselocale(old);
}

/* ---- dates ----------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era;
	long long yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

#define MS_DAY		86400000LL
/* Excel's last day, 9999-12-31, is serial 2958465 (1900 system). */
#define SERIAL_MAX	2958466.0

/* Append s to out (n bytes) at *at; -1 if it does not fit. */
static int
app(char *out, size_t n, size_t *at, const char *s)
{
	size_t l = strlen(s);

	if (*at + l + 1 > n)
		return -1;
	memcpy(out + *at, s, l + 1);
	*at += l;
	return 0;
}

static int
put_date(char *out, size_t n, size_t *at, long long y, int m, int d)
{
	char b[32];

	snprintf(b, sizeof(b), "%04lld-%02d-%02d", y, m, d);
	return app(out, n, at, b);
}

/* "HH:MM:SS" and ".mmm" when there are milliseconds. */
static int
put_time(char *out, size_t n, size_t *at, long long ms)
{
	char b[48];

	if (ms % 1000 != 0)
		snprintf(b, sizeof(b), "%02lld:%02lld:%02lld.%03lld",
		    ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
	else
		snprintf(b, sizeof(b), "%02lld:%02lld:%02lld", ms / 3600000,
		    ms / 60000 % 60, ms / 1000 % 60);
	return app(out, n, at, b);
}

/* Python's str(timedelta), at openpyxl's millisecond precision. */
static enum xlsx_cv
delta_text(double v, char *out, size_t n)
{
	long long ms, days, rem;
	size_t at = 0;
	char b[96];

	if (fabs(v) >= SERIAL_MAX)
		return XCV_RANGE;
	ms = (long long)nearbyint(v * 86400.0 * 1000.0);
	days = ms / MS_DAY;
	rem = ms % MS_DAY;
	if (rem < 0) {
		rem += MS_DAY;
		days--;
	}
	if (days != 0) {
		snprintf(b, sizeof(b), "%lld day%s, ", days,
		    days == 1 || days == -1 ? "" : "s");
		if (app(out, n, &at, b) == -1)
			return XCV_SPACE;
	}
	if (rem % 1000 != 0)
		snprintf(b, sizeof(b), "%lld:%02lld:%02lld.%03lld000",
		    rem / 3600000, rem / 60000 % 60, rem / 1000 % 60,
		    rem % 1000);
	else
		snprintf(b, sizeof(b), "%lld:%02lld:%02lld", rem / 3600000,
		    rem / 60000 % 60, rem / 1000 % 60);
	return app(out, n, &at, b) == -1 ? XCV_SPACE : XCV_OK;
}

/*
 * openpyxl from_excel: day and fraction, the fraction rounded to
 * milliseconds (half to even, as Python's round); below 1 a time of day;
 * in the 1900 system serials 1..59 are one day later than their count
 * says, because Excel counts a 1900-02-29 that never was (serial 60).
 */
enum xlsx_cv
xlsx_serial_text(double v, int kind, int date1904, char *out, size_t n)
{
	double day;
	long long ms, days, y;
	int m, d;
	size_t at = 0;

	if (!isfinite(v))
		return XCV_NOTFINITE;
	if (kind & XLSX_FMT_DELTA)
		return delta_text(v, out, n);
	if (v < 0)
		return XCV_NEGATIVE;
	if (v >= SERIAL_MAX)
		return XCV_RANGE;
	day = floor(v);
	ms = (long long)nearbyint((v - day) * 86400.0 * 1000.0);
	if (v < 1 && ms < MS_DAY)
		return put_time(out, n, &at, ms) == -1 ? XCV_SPACE : XCV_OK;
	if (date1904)
		days = days_from_civil(1904, 1, 1) + (long long)day;
	else {
		if (v >= 60 && v < 61)
			return XCV_FEB29;
		days = days_from_civil(1899, 12, 30) + (long long)day +
		    (v < 60);
	}
	days += ms / MS_DAY;
	ms %= MS_DAY;
	civil_from_days(days, &y, &m, &d);
	if (y > 9999)
		return XCV_RANGE;
	if (put_date(out, n, &at, y, m, d) == -1)
		return XCV_SPACE;
	if (ms == 0 && !(kind & XLSX_FMT_TIME))
		return XCV_OK;
	if (app(out, n, &at, "T") == -1 ||
	    put_time(out, n, &at, ms) == -1)
		return XCV_SPACE;
	return XCV_OK;
}

/* ---- numbers --------------------------------------------------------- */

/*
 * Python's repr of a non-integral double: the shortest digits that read
 * back the same, plain for 1e-4 <= |d| < 1e16, else d.ddde-XX (only small
 * numbers get here: every double of 2^52 or more is integral).
 */
static enum xlsx_cv
py_repr(double v, char *out, size_t n)
{
	char e[40], dig[24];
	int prec, nd = 0, exp10, decpt, i;
	size_t at = 0;
	const char *p;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	if (n < 32)
		return XCV_SPACE;
	p = e;
	if (*p == '-')
		out[at++] = *p++;
	for (; *p != 'e' && *p != '\0' && nd < (int)sizeof(dig); p++)
		if (*p >= '0' && *p <= '9')
			dig[nd++] = *p;
	exp10 = *p == 'e' ? atoi(p + 1) : 0;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	decpt = exp10 + 1;
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			out[at++] = '0';
			out[at++] = '.';
			for (i = decpt; i < 0; i++)
				out[at++] = '0';
			for (i = 0; i < nd; i++)
				out[at++] = dig[i];
		} else {
			for (i = 0; i < decpt; i++)
				out[at++] = i < nd ? dig[i] : '0';
			out[at++] = '.';
			if (nd <= decpt)
				out[at++] = '0';
			for (i = decpt; i < nd; i++)
				out[at++] = dig[i];
		}
		out[at] = '\0';
		return XCV_OK;
	}
	out[at++] = dig[0];
	if (nd > 1) {
		out[at++] = '.';
		for (i = 1; i < nd; i++)
			out[at++] = dig[i];
	}
	out[at] = '\0';
	snprintf(e, sizeof(e), "e%c%02d", exp10 < 0 ? '-' : '+',
	    exp10 < 0 ? -exp10 : exp10);
	return app(out, n, &at, e) == -1 ? XCV_SPACE : XCV_OK;
}

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * openpyxl _cast_number: text with '.', 'e' or 'E' is a float, other text
 * an int; pyxform then writes an integral float as an int.  The text must
 * be an XML Schema number (Excel writes nothing else).
 */
static enum xlsx_cv
number_text(const char *s, int kind, int date1904, char *out, size_t n)
{
	const char *p = s, *q;
	int isfloat = 0, digits = 0;
	size_t at = 0;
	double v;

	if (*p == '+' || *p == '-')
		p++;
	for (; isdig(*p); p++)
		digits++;
	if (*p == '.') {
		isfloat = 1;
		for (p++; isdig(*p); p++)
			digits++;
	}
	if (digits == 0)
		return XCV_NOTNUM;
	if (*p == 'e' || *p == 'E') {
		isfloat = 1;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdig(*p))
			return XCV_NOTNUM;
		while (isdig(*p))
			p++;
	}
	if (*p != '\0')
		return XCV_NOTNUM;
	if (!isfloat && !(kind & XLSX_FMT_DATE)) {
		/* int(): sign, no leading zeros, -0 is 0 */
		p = s;
		if (*p == '+' || *p == '-')
			p++;
		for (q = p; *q == '0' && isdig(q[1]); q++)
			;
		if (strlen(q) + 2 > n)
			return XCV_SPACE;
		if (*s == '-' && strcmp(q, "0") != 0)
			out[at++] = '-';
		memcpy(out + at, q, strlen(q) + 1);
		return XCV_OK;
	}
	v = strtod(s, NULL);
	if (!isfinite(v))
		return XCV_NOTFINITE;
	if (kind & XLSX_FMT_DATE)
		return xlsx_serial_text(v, kind, date1904, out, n);
	if (v == floor(v)) {
		/* int(v): glibc prints a double's exact value */
		if (v == 0)
			v = 0;	/* -0.0 */
		if (snprintf(out, n, "%.0f", v) >= (int)n)
			return XCV_SPACE;
		return XCV_OK;
	}
	return py_repr(v, out, n);
}

enum xlsx_cv
xlsx_number_text(const char *s, int kind, int date1904, char *out,
    size_t n)
{
	locale_t old = c_enter();
	enum xlsx_cv r;

	r = number_text(s, kind, date1904, out, n);
	c_leave(old);
	return r;
}

/* ---- ISO 8601 date cells --------------------------------------------- */

/* n digits at *p into *v; advances *p. */
static int
digits_at(const char **p, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdig((*p)[i]))
			return -1;
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return 0;
}

static int
month_days(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return md[m - 1];
}

/*
 * openpyxl from_ISO8601: [YYYY-MM-DD][T][HH:MM[:SS[.fff]]][Z].  A date
 * alone gives the date, a time alone the time, both the date and time.
 */
enum xlsx_cv
xlsx_iso_text(const char *s, char *out, size_t n)
{
	const char *p = s;
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, ms = 0, i, v;
	int has_date = 0, has_time = 0;
	size_t at = 0;

	if (isdig(p[0]) && isdig(p[1]) && isdig(p[2]) && isdig(p[3]) &&
	    p[4] == '-') {
		if (digits_at(&p, 4, &y) == -1 || *p++ != '-' ||
		    digits_at(&p, 2, &mo) == -1 || *p++ != '-' ||
		    digits_at(&p, 2, &d) == -1)
			return XCV_BADDATE;
		if (y < 1 || mo < 1 || mo > 12 || d < 1 ||
		    d > month_days(y, mo))
			return XCV_BADDATE;
		has_date = 1;
	}
	if (*p == 'T')
		p++;
	if (isdig(*p)) {
		if (digits_at(&p, 2, &h) == -1 || *p++ != ':' ||
		    digits_at(&p, 2, &mi) == -1)
			return XCV_BADDATE;
		if (*p == ':') {
			p++;
			if (digits_at(&p, 2, &se) == -1)
				return XCV_BADDATE;
			if (*p == '.') {
				p++;
				if (!isdig(*p))
					return XCV_BADDATE;
				for (i = 0; isdig(*p); i++, p++)
					if (i < 3)
						ms = ms * 10 + (*p - '0');
				for (; i < 3; i++)
					ms *= 10;
				if (i > 9)
					return XCV_BADDATE;
			}
		}
		if (h > 23 || mi > 59 || se > 59)
			return XCV_BADDATE;
		has_time = 1;
	}
	if (*p == 'Z')
		p++;
	if (*p != '\0' || (!has_date && !has_time))
		return XCV_BADDATE;
	v = ((h * 60 + mi) * 60 + se) * 1000 + ms;
	if (has_date && put_date(out, n, &at, y, mo, d) == -1)
		return XCV_SPACE;
	if (has_date && has_time && app(out, n, &at, "T") == -1)
		return XCV_SPACE;
	if (has_time && put_time(out, n, &at, v) == -1)
		return XCV_SPACE;
	return XCV_OK;
}

const char *
xlsx_cv_reason(enum xlsx_cv r)
{
	switch (r) {
	case XCV_OK:
		return "ok";
	case XCV_NOTNUM:
		return "is not a number";
	case XCV_NOTFINITE:
		return "is too large a number";
	case XCV_NEGATIVE:
		return "is a negative date, which Excel cannot show";
	case XCV_FEB29:
		return "is 1900-02-29, a day that never was (Excel's 1900 "
		    "leap-year error)";
	case XCV_RANGE:
		return "is a date after 9999-12-31";
	case XCV_BADDATE:
		return "is not an ISO 8601 date or time";
	case XCV_SPACE:
		return "is too long";
	}
	return "is not valid";
}
