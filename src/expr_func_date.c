/* doorstep: XPath functions: dates and times. */
/*
 * today(), now(), date(), date-time(), decimal-date-time(),
 * decimal-time() and format-date(-time)().  The table row of each is in
 * expr_func.c.
 */
#include "expr.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "expr_func_int.h"
#include "expr_int.h"
#include "mem.h"

/* Dates. */

void
fn_now_local(struct ectx *ec, double *days, int *tz)
{
	int64_t ms = ev_now_ms(ec);

	*tz = ev_tz_at(ms);
	*days = (double)(ms + (int64_t)*tz * 60000) / 86400000.0;
}

enum ds_status
fn_today(struct ectx *ec, const struct enode *c, struct val *out)
{
	double d;
	int tz;

	(void)c;
	fn_now_local(ec, &d, &tz);
	val_set_date(out, floor(d));
	return DS_OK;
}

enum ds_status
fn_now(struct ectx *ec, const struct enode *c, struct val *out)
{
	double d;
	int tz;

	(void)c;
	fn_now_local(ec, &d, &tz);
	val_set_datetime(out, d, tz);
	return DS_OK;
}

/*
 * A date-like value as days: dates, dateTimes, numbers (days), date
 * strings.  1 if converted, 0 if blank, -1 if not a date.
 */
static int
to_days(struct ectx *ec, const struct val *v, double *days, int *tz,
    int *is_dt)
{
	*is_dt = 0;
	*tz = 0;
	switch (v->type) {
	case VAL_DATE:
		*days = v->n;
		return 1;
	case VAL_DATETIME:
		*days = v->n;
		*tz = v->tz;
		*is_dt = 1;
		return 1;
	case VAL_NUMBER:
		if (isnan(v->n))
			return 0;
		if (!isfinite(v->n) || fabs(v->n) > 3.0e6)
			return -1;
		*days = v->n;
		return 1;
	case VAL_STRING:
		if (v->len == 0)
			return 0;
		if (val_parse_date(v->s, v->len, days) == 0 && v->len <= 10)
			return 1;
		if (val_parse_datetime(v->s, v->len, ev_tz_at(ev_now_ms(ec)),
		    days, tz) == 0) {
			*is_dt = 1;
			return 1;
		}
		return -1;
	default:
		return -1;
	}
}

enum ds_status
fn_date_arg(struct ectx *ec, const struct enode *c, int k, struct val *tmp,
    double *days, int *tz, int *is_dt, int *r)
{
	enum ds_status st;

	if ((st = ev_atom(ec, ARG(ec->e, c, k), tmp)) != DS_OK)
		return st;
	*r = to_days(ec, tmp, days, tz, is_dt);
	if (*r < 0) {
		struct ds_buf b;

		ds_buf_init(&b, 80);
		(void)val_format(tmp, 0, &b);
		st = ev_error(ec, c, DS_ETYPE, "%s(): '%s' is not a date",
		    c->fn->name, b.p != NULL ? b.p : "");
		ds_buf_reset(&b);
		return st;
	}
	return DS_OK;
}

enum ds_status
fn_date(struct ectx *ec, const struct enode *c, struct val *out)
{
	double d;
	int tz, dt, r;
	enum ds_status st;

	if ((st = fn_date_arg(ec, c, 0, out, &d, &tz, &dt, &r)) != DS_OK)
		return st;
	if (r == 0)
		val_reset(out);
	else
		val_set_date(out, floor(d));	/* date(6.5) = 1970-01-07 */
	return DS_OK;
}

enum ds_status
fn_datetime(struct ectx *ec, const struct enode *c, struct val *out)
{
	double d;
	int tz, dt, r;
	enum ds_status st;

	if ((st = fn_date_arg(ec, c, 0, out, &d, &tz, &dt, &r)) != DS_OK)
		return st;
	if (r == 0)
		val_reset(out);
	else
		val_set_datetime(out, d, dt ? tz : ev_tz_at(ev_now_ms(ec)));
	return DS_OK;
}

enum ds_status
fn_ddt(struct ectx *ec, const struct enode *c, struct val *out)
{
	double d;
	int tz, dt, r;
	enum ds_status st;

	if ((st = fn_date_arg(ec, c, 0, out, &d, &tz, &dt, &r)) != DS_OK)
		return st;
	/* JR: days since the epoch, so a dateTime's offset counts
	 * (06:00+06:00 is midnight UTC); a date or a number is already
	 * a count of days. */
	if (r != 0 && dt)
		d -= tz / 1440.0;
	val_set_number(out, r == 0 ? NAN : d);
	return DS_OK;
}

enum ds_status
fn_dtime(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;
	const char *s;
	double d, days;
	int tz;
	size_t len;
	char tmp[48];

	if ((st = ev_atom(ec, ARG(ec->e, c, 0), out)) != DS_OK)
		return st;
	if (out->type == VAL_DATETIME) {
		val_set_number(out, out->n - floor(out->n));
		return DS_OK;
	}
	if ((st = ev_arg_str(ec, c, 0, out)) != DS_OK)
		return st;
	s = val_str(out);
	len = out->len;
	d = NAN;
	/* HH:MM[:SS[.fff]][offset]: parse through the dateTime parser */
	if (len >= 5 && len < sizeof(tmp) - 12) {
		snprintf(tmp, sizeof(tmp), "1970-01-01T%.*s", (int)len, s);
		if (val_parse_datetime(tmp, strlen(tmp), 0, &days, &tz) == 0)
			d = days - floor(days);
	}
	val_set_number(out, d);
	return DS_OK;
}

static const char *const mon_names[] = { "Jan", "Feb", "Mar", "Apr", "May",
	"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const day_names[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	"Fri", "Sat" };

enum ds_status
fn_fdate(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val fmt;
	struct ds_buf b;
	double d, fd;
	int tz, dt, r;
	int64_t y, wd;
	unsigned mo, da;
	long long ms;
	const char *f;
	size_t i;
	enum ds_status st;

	val_init(&fmt);
	ds_buf_init(&b, EXPR_MAX_STRING);
	if ((st = fn_date_arg(ec, c, 0, out, &d, &tz, &dt, &r)) != DS_OK)
		goto out;
	if ((st = ev_arg_str(ec, c, 1, &fmt)) != DS_OK)
		goto out;
	if (r == 0) {
		val_reset(out);
		goto out;
	}
	fd = floor(d);
	ms = llround((d - fd) * 86400000.0);
	if (ms >= 86400000LL) {
		fd += 1;
		ms -= 86400000LL;
	}
	val_civil_from_days((int64_t)fd, &y, &mo, &da);
	wd = ((int64_t)fd % 7 + 7 + 4) % 7;	/* 1970-01-01 was a Thursday */
	f = val_str(&fmt);
	for (i = 0; i < fmt.len && st == DS_OK; i++) {
		if (f[i] != '%' || i + 1 >= fmt.len) {
			st = ds_buf_addc(&b, f[i]);
			continue;
		}
		switch (f[++i]) {
		case 'Y': st = ds_buf_printf(&b, "%04lld", (long long)y);
			break;
		case 'y': st = ds_buf_printf(&b, "%02lld",
			    (long long)(y % 100));
			break;
		case 'm': st = ds_buf_printf(&b, "%02u", mo); break;
		case 'n': st = ds_buf_printf(&b, "%u", mo); break;
		case 'b': st = ds_buf_adds(&b, mon_names[mo - 1]); break;
		case 'd': st = ds_buf_printf(&b, "%02u", da); break;
		case 'e': st = ds_buf_printf(&b, "%u", da); break;
		case 'a': st = ds_buf_adds(&b, day_names[wd]); break;
		case 'H': st = ds_buf_printf(&b, "%02lld", ms / 3600000);
			break;
		case 'h': st = ds_buf_printf(&b, "%lld", ms / 3600000); break;
		case 'M': st = ds_buf_printf(&b, "%02lld", ms / 60000 % 60);
			break;
		case 'S': st = ds_buf_printf(&b, "%02lld", ms / 1000 % 60);
			break;
		case '3': st = ds_buf_printf(&b, "%03lld", ms % 1000); break;
		default:
			if ((st = ds_buf_addc(&b, '%')) == DS_OK)
				st = ds_buf_addc(&b, f[i]);
			break;
		}
	}
	if (st != DS_OK) {
		st = fn_buf_fail(ec, c, &b, st);
		goto out;
	}
	st = fn_take_buf(ec, out, &b);
out:
	ds_buf_reset(&b);
	val_reset(&fmt);
	return st;
}

