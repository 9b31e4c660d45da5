/* doorstep: XPath functions: doorstep extensions. */
/*
 * Chinese resident ID cards (id-card-valid(), id-card-birth-date(),
 * id-card-sex()) and age().  The table row of each is in expr_func.c.
 */
#include "expr.h"

#include <math.h>
#include <stdio.h>

#include "expr_func_int.h"
#include "expr_int.h"
#include "mem.h"

/* doorstep extensions: Chinese resident ID cards (GB 11643-1999). */

/*
 * Check an 18-character resident ID: 17 digits, then the ISO 7064
 * MOD 11-2 check character (x accepted for X), with a real birth date in
 * characters 7-14 that is not after `today`.  Returns the birth date in
 * *birth (days) and 1, or 0.
 */
static int
idcard_check(const char *s, size_t len, double today, double *birth)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10,
	    5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	char date[11];
	int sum = 0, i;
	double d;
	char last;

	if (len != 18)
		return 0;
	for (i = 0; i < 17; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		sum += (s[i] - '0') * w[i];
	}
	last = s[17] == 'x' ? 'X' : s[17];
	if (last != check[sum % 11])
		return 0;
	snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", s + 6, s + 10, s + 12);
	if (val_parse_date(date, 10, &d) != 0 || d > today)
		return 0;
	*birth = d;
	return 1;
}

static enum ds_status
idcard_arg(struct ectx *ec, const struct enode *c, struct val *tmp,
    double *birth, int *ok)
{
	enum ds_status st;
	double today;
	int tz;

	if ((st = ev_arg_str(ec, c, 0, tmp)) != DS_OK)
		return st;
	fn_now_local(ec, &today, &tz);
	*ok = idcard_check(val_str(tmp), tmp->len, floor(today), birth);
	return DS_OK;
}

enum ds_status
fn_idvalid(struct ectx *ec, const struct enode *c, struct val *out)
{
	double b;
	int ok;
	enum ds_status st;

	if ((st = idcard_arg(ec, c, out, &b, &ok)) != DS_OK)
		return st;
	val_set_bool(out, ok);
	return DS_OK;
}

enum ds_status
fn_idbirth(struct ectx *ec, const struct enode *c, struct val *out)
{
	double b;
	int ok;
	enum ds_status st;

	if ((st = idcard_arg(ec, c, out, &b, &ok)) != DS_OK)
		return st;
	if (ok)
		val_set_date(out, b);
	else
		val_reset(out);
	return DS_OK;
}

enum ds_status
fn_idsex(struct ectx *ec, const struct enode *c, struct val *out)
{
	double b;
	int ok, odd;
	enum ds_status st;

	if ((st = idcard_arg(ec, c, out, &b, &ok)) != DS_OK)
		return st;
	if (!ok) {
		val_reset(out);
		return DS_OK;
	}
	odd = (val_str(out)[16] - '0') % 2;
	return fn_set_str(ec, out, odd ? "male" : "female", odd ? 4 : 6);
}

/* age(birth[, on]): whole years; NaN (stored empty) if either is blank. */
enum ds_status
fn_age(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val tmp;
	double b, on;
	int tz, dt, r;
	int64_t by, oy, years;
	unsigned bm, bd, om, od;
	enum ds_status st;

	val_init(&tmp);
	if ((st = fn_date_arg(ec, c, 0, &tmp, &b, &tz, &dt, &r)) != DS_OK)
		goto out;
	if (r == 0) {
		val_set_number(out, NAN);
		goto out;
	}
	if (c->nkids > 1) {
		if ((st = fn_date_arg(ec, c, 1, &tmp, &on, &tz, &dt, &r)) !=
		    DS_OK)
			goto out;
		if (r == 0) {
			val_set_number(out, NAN);
			goto out;
		}
	} else
		fn_now_local(ec, &on, &tz);
	val_civil_from_days((int64_t)floor(b), &by, &bm, &bd);
	val_civil_from_days((int64_t)floor(on), &oy, &om, &od);
	years = oy - by;
	if (om < bm || (om == bm && od < bd))
		years--;
	val_set_number(out, (double)years);
out:
	val_reset(&tmp);
	return st;
}

