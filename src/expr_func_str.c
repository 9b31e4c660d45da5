/* doorstep: XPath functions: strings. */
/*
 * concat(), join(), substr(), the substring and search functions,
 * translate(), normalize-space(), regex() and uuid().  Positions and
 * lengths count characters (UTF-8 code points), not bytes; every string
 * built is capped at EXPR_MAX_STRING.  The table row of each is in
 * expr_func.c.
 */
#include "expr.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "expr_func_int.h"
#include "expr_int.h"
#include "mem.h"
#include "utf8.h"

/* Strings. */

static const char *
mem_find(const char *h, size_t hl, const char *n, size_t nl)
{
	size_t i;

	if (nl == 0)
		return h;
	if (nl > hl)
		return NULL;
	for (i = 0; i + nl <= hl; i++)
		if (h[i] == n[0] && memcmp(h + i, n, nl) == 0)
			return h + i;
	return NULL;
}


struct cat {
	struct ds_buf	 b;
	const char	*sep;
	size_t		 seplen;
	size_t		 n;
};

static enum ds_status
cat_item(struct ectx *ec, const struct val *v, void *arg)
{
	struct cat *ct = arg;
	enum ds_status st;

	(void)ec;
	if (ct->sep != NULL && ct->n > 0 &&
	    (st = ds_buf_add(&ct->b, ct->sep, ct->seplen)) != DS_OK)
		return st;
	ct->n++;
	return val_format(v, 0, &ct->b);
}

enum ds_status
fn_concat(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct cat ct;
	enum ds_status st;
	uint32_t k;

	memset(&ct, 0, sizeof(ct));
	ds_buf_init(&ct.b, EXPR_MAX_STRING);
	for (k = 0; k < c->nkids; k++)
		if ((st = fn_each_item(ec, c, (int)k, cat_item, &ct)) !=
		    DS_OK) {
			if (st == DS_ELIMIT || st == DS_ENOMEM)
				return fn_buf_fail(ec, c, &ct.b, st);
			ds_buf_reset(&ct.b);
			return st;
		}
	return fn_take_buf(ec, out, &ct.b);
}

enum ds_status
fn_join(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct cat ct;
	struct val sep;
	enum ds_status st;
	uint32_t k;

	memset(&ct, 0, sizeof(ct));
	val_init(&sep);
	if ((st = ev_arg_str(ec, c, 0, &sep)) != DS_OK)
		return st;
	ds_buf_init(&ct.b, EXPR_MAX_STRING);
	ct.sep = val_str(&sep);
	ct.seplen = sep.len;
	for (k = 1; k < c->nkids; k++)
		if ((st = fn_each_item(ec, c, (int)k, cat_item, &ct)) !=
		    DS_OK) {
			val_reset(&sep);
			if (st == DS_ELIMIT || st == DS_ENOMEM)
				return fn_buf_fail(ec, c, &ct.b, st);
			ds_buf_reset(&ct.b);
			return st;
		}
	val_reset(&sep);
	return fn_take_buf(ec, out, &ct.b);
}

enum ds_status
fn_substr(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val s;
	double ds, de;
	size_t n;
	int64_t start, end;
	size_t b0, b1;
	enum ds_status st;

	val_init(&s);
	if ((st = ev_arg_str(ec, c, 0, &s)) != DS_OK ||
	    (st = ev_arg_num(ec, c, 1, &ds)) != DS_OK)
		goto out;
	n = utf8_count(val_str(&s), s.len);
	de = (double)n;
	if (c->nkids > 2 && (st = ev_arg_num(ec, c, 2, &de)) != DS_OK)
		goto out;
	if (isnan(ds) || isnan(de)) {
		val_reset(out);
		goto out;
	}
	/* ODK: 0-based start, exclusive end; negatives count from the end
	 * (JR: substr('hello', -2) = 'lo') */
	ds = trunc(ds);
	de = trunc(de);
	if (ds < -(double)n) ds = -(double)n;
	if (ds > (double)n) ds = (double)n;
	if (de < -(double)n) de = -(double)n;
	if (de > (double)n) de = (double)n;
	start = (int64_t)ds;
	end = (int64_t)de;
	if (start < 0)
		start += (int64_t)n;
	if (end < 0)
		end += (int64_t)n;
	if (end <= start) {
		val_reset(out);
		goto out;
	}
	b0 = utf8_offset(val_str(&s), s.len, (size_t)start);
	b1 = utf8_offset(val_str(&s), s.len, (size_t)end);
	st = fn_set_str(ec, out, val_str(&s) + b0, b1 - b0);
out:
	val_reset(&s);
	return st;
}

enum ds_status
fn_sbefore(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val a, b;
	const char *p;
	enum ds_status st;

	val_init(&a);
	val_init(&b);
	if ((st = fn_args2(ec, c, &a, &b)) == DS_OK) {
		p = mem_find(val_str(&a), a.len, val_str(&b), b.len);
		st = fn_set_str(ec, out, val_str(&a), p == NULL ? 0 :
		    (size_t)(p - val_str(&a)));
	}
	val_reset(&a);
	val_reset(&b);
	return st;
}

enum ds_status
fn_safter(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val a, b;
	const char *p;
	size_t off;
	enum ds_status st;

	val_init(&a);
	val_init(&b);
	if ((st = fn_args2(ec, c, &a, &b)) == DS_OK) {
		p = mem_find(val_str(&a), a.len, val_str(&b), b.len);
		if (p == NULL)
			val_reset(out);
		else {
			off = (size_t)(p - val_str(&a)) + b.len;
			st = fn_set_str(ec, out, val_str(&a) + off,
			    a.len - off);
		}
	}
	val_reset(&a);
	val_reset(&b);
	return st;
}

enum ds_status
fn_strlen(struct ectx *ec, const struct enode *c, struct val *out)
{
	enum ds_status st;

	/* JR: no argument means the context node's value. */
	if ((st = fn_string(ec, c, out)) != DS_OK)
		return st;
	val_set_number(out, (double)utf8_count(val_str(out), out->len));
	return DS_OK;
}

static enum ds_status
strpred(struct ectx *ec, const struct enode *c, struct val *out, int how)
{
	struct val a, b;
	enum ds_status st;
	int r = 0;

	val_init(&a);
	val_init(&b);
	if ((st = fn_args2(ec, c, &a, &b)) == DS_OK) {
		if (how == 0)
			r = mem_find(val_str(&a), a.len, val_str(&b), b.len) !=
			    NULL;
		else if (how == 1)
			r = b.len <= a.len && memcmp(val_str(&a), val_str(&b),
			    b.len) == 0;
		else
			r = b.len <= a.len && memcmp(val_str(&a) + a.len -
			    b.len, val_str(&b), b.len) == 0;
		val_set_bool(out, r);
	}
	val_reset(&a);
	val_reset(&b);
	return st;
}

enum ds_status
fn_contains(struct ectx *ec, const struct enode *c, struct val *out)
{
	return strpred(ec, c, out, 0);
}

enum ds_status
fn_starts(struct ectx *ec, const struct enode *c, struct val *out)
{
	return strpred(ec, c, out, 1);
}

enum ds_status
fn_ends(struct ectx *ec, const struct enode *c, struct val *out)
{
	return strpred(ec, c, out, 2);
}

enum ds_status
fn_translate(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val s, from, to;
	struct ds_buf b;
	enum ds_status st;
	size_t i, k, cl, fi, fl, ci, tb, tl;
	const char *sp, *fp, *tp;

	val_init(&s);
	val_init(&from);
	val_init(&to);
	ds_buf_init(&b, EXPR_MAX_STRING);
	if ((st = ev_arg_str(ec, c, 0, &s)) != DS_OK ||
	    (st = ev_arg_str(ec, c, 1, &from)) != DS_OK ||
	    (st = ev_arg_str(ec, c, 2, &to)) != DS_OK)
		goto out;
	sp = val_str(&s);
	fp = val_str(&from);
	tp = val_str(&to);
	for (i = 0; i < s.len; i += cl) {
		cl = utf8_offset(sp + i, s.len - i, 1);
		/* find the character in `from` (first occurrence wins) */
		for (k = 0, ci = 0; k < from.len; k += fl, ci++) {
			fl = utf8_offset(fp + k, from.len - k, 1);
			if (fl == cl && memcmp(fp + k, sp + i, cl) == 0)
				break;
		}
		fi = k;
		if (fi >= from.len)
			st = ds_buf_add(&b, sp + i, cl);
		else {
			tb = utf8_offset(tp, to.len, ci);
			if (tb < to.len) {
				tl = utf8_offset(tp + tb, to.len - tb, 1);
				st = ds_buf_add(&b, tp + tb, tl);
			}
		}
		if (st != DS_OK) {
			st = fn_buf_fail(ec, c, &b, st);
			goto out;
		}
	}
	st = fn_take_buf(ec, out, &b);
out:
	ds_buf_reset(&b);
	val_reset(&s);
	val_reset(&from);
	val_reset(&to);
	return st;
}

enum ds_status
fn_normspace(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct ds_buf b;
	const char *s;
	size_t len, i;
	enum ds_status st;
	int pending = 0;

	if (c->nkids == 0) {
		if ((st = ev_node_string(ec, ec->context, &s, &len)) != DS_OK ||
		    (st = fn_set_str(ec, out, s, len)) != DS_OK)
			return st;
	} else if ((st = ev_arg_str(ec, c, 0, out)) != DS_OK)
		return st;
	s = val_str(out);
	len = out->len;
	ds_buf_init(&b, EXPR_MAX_STRING);
	for (i = 0; i < len; i++) {
		if (fn_space(s[i])) {
			pending = b.len > 0;
			continue;
		}
		if (pending && (st = ds_buf_addc(&b, ' ')) != DS_OK)
			return fn_buf_fail(ec, c, &b, st);
		pending = 0;
		if ((st = ds_buf_addc(&b, s[i])) != DS_OK)
			return fn_buf_fail(ec, c, &b, st);
	}
	return fn_take_buf(ec, out, &b);
}

/*
 * Translate the Java regex escapes forms use (\d \D \s \S \w \W) to POSIX
 * classes; other escapes pass through.
 */
#define REGEX_MAX_REPEAT	100
#define REGEX_MAX_LEN		1024

static enum ds_status
regex_translate(const char *re, size_t len, struct ds_buf *b)
{
	enum ds_status st = DS_OK;
	size_t i;
	int inbr = 0, nrep = 0;

	for (i = 0; i < len && st == DS_OK; i++) {
		char ch = re[i];

		/* glibc compiles nested counted repetitions by copying, so
		 * (a{200}){200} would take seconds and megabytes */
		if (ch == '{' && !inbr) {
			size_t k = i + 1;
			long cnt = 0;

			while (k < len && ((re[k] >= '0' && re[k] <= '9') ||
			    re[k] == ',')) {
				if (re[k] != ',' && (cnt = cnt * 10 +
				    (re[k] - '0')) > REGEX_MAX_REPEAT)
					return DS_ELIMIT;
				if (re[k] == ',')
					cnt = 0;
				k++;
			}
			if (++nrep > 8)
				return DS_ELIMIT;
		}

		if (ch == '\\' && i + 1 < len) {
			char e = re[++i];
			const char *cls = NULL, *ncls = NULL;

			switch (e) {
			case 'd': cls = "0-9"; break;
			case 'D': ncls = "0-9"; break;
			case 's': cls = "[:space:]"; break;
			case 'S': ncls = "[:space:]"; break;
			case 'w': cls = "[:alnum:]_"; break;
			case 'W': ncls = "[:alnum:]_"; break;
			default: break;
			}
			if (cls != NULL)
				st = inbr ? ds_buf_adds(b, cls) :
				    ds_buf_printf(b, "[%s]", cls);
			else if (ncls != NULL)
				st = inbr ? ds_buf_adds(b, "") :
				    ds_buf_printf(b, "[^%s]", ncls);
			else if (inbr)
				st = ds_buf_addc(b, e);
			else {
				if ((st = ds_buf_addc(b, '\\')) == DS_OK)
					st = ds_buf_addc(b, e);
			}
			continue;
		}
		if (ch == '[' && !inbr) {
			inbr = 1;
			st = ds_buf_addc(b, ch);
			/* a ']' right after '[' or '[^' is literal */
			if (i + 1 < len && re[i + 1] == '^' && st == DS_OK) {
				st = ds_buf_addc(b, '^');
				i++;
			}
			if (i + 1 < len && re[i + 1] == ']' && st == DS_OK) {
				st = ds_buf_addc(b, ']');
				i++;
			}
			continue;
		}
		if (ch == ']' && inbr)
			inbr = 0;
		st = ds_buf_addc(b, ch);
	}
	return st;
}

enum ds_status
fn_regex(struct ectx *ec, const struct enode *c, struct val *out)
{
	struct val s, re;
	struct ds_buf b;
	regex_t rx;
	regmatch_t m;
	enum ds_status st;
	int rc;

	val_init(&s);
	val_init(&re);
	ds_buf_init(&b, EXPR_MAX_STRING);
	if ((st = fn_args2(ec, c, &s, &re)) != DS_OK)
		goto out;
	if (memchr(val_str(&s), '\0', s.len) != NULL) {
		val_set_bool(out, 0);
		goto out;
	}
	/* ODK Collect: the whole string must match (Pattern.matches) */
	if (re.len > REGEX_MAX_LEN) {
		st = ev_error(ec, c, DS_ELIMIT, "regex(): pattern longer than "
		    "%d bytes", REGEX_MAX_LEN);
		goto out;
	}
	if ((st = ds_buf_adds(&b, "^(")) != DS_OK ||
	    (st = regex_translate(val_str(&re), re.len, &b)) != DS_OK ||
	    (st = ds_buf_adds(&b, ")$")) != DS_OK) {
		if (st == DS_ELIMIT)
			st = ev_error(ec, c, st, "regex(): at most 8 counted "
			    "repetitions of at most %d", REGEX_MAX_REPEAT);
		else
			st = fn_buf_fail(ec, c, &b, st);
		goto out;
	}
	if (regcomp(&rx, b.p, REG_EXTENDED) != 0) {
		st = ev_error(ec, c, DS_ETYPE, "regex(): bad regular "
		    "expression '%.*s'", (int)utf8_cut(val_str(&re), re.len,
		    80), val_str(&re));
		goto out;
	}
	rc = regexec(&rx, val_str(&s), 1, &m, 0);
	regfree(&rx);
	val_set_bool(out, rc == 0 && m.rm_so == 0 &&
	    (size_t)m.rm_eo == s.len);
out:
	ds_buf_reset(&b);
	val_reset(&s);
	val_reset(&re);
	return st;
}

enum ds_status
fn_uuid(struct ectx *ec, const struct enode *c, struct val *out)
{
	static const char an[] = "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	unsigned char r[16];
	char *s;
	double dn;
	size_t n, i;
	uint64_t x;
	enum ds_status st;

	if (c->nkids > 0) {
		if ((st = ev_arg_num(ec, c, 0, &dn)) != DS_OK)
			return st;
		if (!(dn >= 0) || dn > 4096)
			return ev_error(ec, c, DS_ETYPE, "uuid(): length must "
			    "be 0 to 4096");
		n = (size_t)dn;
		if ((s = ds_malloc(n + 1)) == NULL)
			return ds_err_set(ec->err, DS_ENOMEM, NULL);
		for (i = 0; i < n; i++)
			s[i] = an[ev_rand64(ec) % (sizeof(an) - 1)];
		s[n] = '\0';
		val_take_string(out, s, n);
		return DS_OK;
	}
	x = ev_rand64(ec);
	memcpy(r, &x, 8);
	x = ev_rand64(ec);
	memcpy(r + 8, &x, 8);
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	if ((s = ds_malloc(37)) == NULL)
		return ds_err_set(ec->err, DS_ENOMEM, NULL);
	snprintf(s, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5],
	    r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
	val_take_string(out, s, 36);
	return DS_OK;
}

