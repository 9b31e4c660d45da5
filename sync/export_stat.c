/* doorstep: Stata and SPSS exports through ReadStat (libreadstat). */
/*
 * One table per file.  Each column is scanned first to choose its type:
 * a column of numbers is a double, of dates a date (Stata %td, days from
 * 1960-01-01; SPSS DATE11, seconds from 1582-10-14), a select-one column
 * whose every answer is in its list an int32 coded 1..n in choice order
 * with a value label set (unless the caller asked for codes), anything
 * else a string as wide as its longest value (Stata strL past 2045
 * bytes).  Variable names are the answer names made valid for both
 * programs; labels are the form's, cut to 80 characters (Stata's limit).
 * ReadStat writes through our data writer into a 0600 temp file, which is
 * then fsynced and renamed (export.c).
 */
#include <errno.h>
#include <readstat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "export_int.h"
#include "form.h"
#include "mem.h"
#include "utf8.h"
#include "util.h"

#define STAT_NAME_MAX	32	/* Stata's variable names */
#define STAT_LABEL_MAX	80	/* characters of a Stata variable label */
#define DTA_STR_MAX	2045	/* bytes of a Stata str#; longer is strL */
#define DTA_VERSION	118	/* Stata 14+: UTF-8 */
#define DAYS_1960	(-3653)		/* 1960-01-01 from 1970-01-01 */
#define DAYS_1582	(-141428)	/* 1582-10-14 from 1970-01-01 */

enum sv_kind { SV_STR, SV_NUM, SV_DATE, SV_CODED };

struct svar {
	enum sv_kind		 kind;
	size_t			 width;		/* SV_STR: longest value */
	char			 name[STAT_NAME_MAX + 8];
	readstat_variable_t	*var;
};

struct sink {
	int		fd;
	int		failed;		/* errno of a failed write */
};

static ssize_t
data_writer(const void *data, size_t len, void *ctx)
{
	struct sink *s = ctx;
	const char *p = data;
	size_t done = 0;
	ssize_t w;

	while (done < len) {
		if ((w = write(s->fd, p + done, len - done)) == -1) {
			if (errno == EINTR)
				continue;
			s->failed = errno;
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)len;
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
static long
days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static const char *const reserved[] = { "_all", "_b", "byte", "_coef",
    "_cons", "double", "float", "if", "in", "int", "long", "_n", "_N",
    "_pi", "_pred", "_rc", "_skip", "strL", "using", "with", "and", "by",
    "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "all", NULL };

/* A name both Stata and SPSS take, unique among v[0..n). */
static void
stat_name(const char *src, struct svar *v, size_t n)
{
	char b[STAT_NAME_MAX + 1], *o = v[n].name;
	size_t i, k = 0, j;
	int dup, tries;

	for (i = 0; src[i] != '\0' && k < STAT_NAME_MAX - 2; i++) {
		unsigned char c = (unsigned char)src[i];

		b[k++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' ? (char)c : '_';
	}
	b[k] = '\0';
	if (k == 0 || !((b[0] >= 'a' && b[0] <= 'z') ||
	    (b[0] >= 'A' && b[0] <= 'Z')))
		snprintf(o, sizeof(v[n].name), "v%s", b);
	else
		snprintf(o, sizeof(v[n].name), "%s", b);
	for (i = 0; reserved[i] != NULL; i++)
		if (strcasecmp(o, reserved[i]) == 0) {
			snprintf(b, sizeof(b), "%s_", o);
			snprintf(o, sizeof(v[n].name), "%s", b);
			break;
		}
	snprintf(b, sizeof(b), "%s", o);
	for (tries = 2; tries < 10000; tries++) {
		for (j = 0, dup = 0; j < n && !dup; j++)
			dup = strcasecmp(v[j].name, o) == 0;
		if (!dup)
			return;
		snprintf(o, sizeof(v[n].name), "%.*s_%d", STAT_NAME_MAX - 6, b,
		    tries);
	}
}

/* Choose each column's kind from every value it holds. */
static void
scan(const struct xex *e, const struct xtable *t, int members,
    struct svar *v)
{
	struct ds_buf b;
	struct xv x;
	size_t i, j, nm;
	long k;
	int num, date, coded;
	const char *raw;

	ds_buf_init(&b, 16u << 20);
	for (j = 0; j < t->n; j++) {
		num = date = 1;
		coded = t->c[j].type == XC_ONE && t->c[j].list != NULL &&
		    !e->o->codes;
		v[j].width = 1;
		for (i = 0; i < e->n; i++) {
			nm = members ? xex_nmembers(e, i) : 1;
			for (k = 0; (size_t)k < nm; k++) {
				xex_value(e, &t->c[j], i, members ? k : -1,
				    &b, &x);
				if (x.kind == XV_EMPTY)
					continue;
				num &= x.kind == XV_NUM;
				date &= x.kind == XV_DATE;
				if (x.kind == XV_TEXT && x.n > v[j].width)
					v[j].width = x.n;
				if (x.kind == XV_DATE && v[j].width < 10)
					v[j].width = 10;
				if (coded && ((raw = xex_raw(e, &t->c[j], i,
				    members ? k : -1)) == NULL ||
				    xex_choice_index(&t->c[j], raw) < 0))
					coded = 0;
			}
		}
		if (coded)
			v[j].kind = SV_CODED;
		else if (t->c[j].type == XC_DATE && date)
			v[j].kind = SV_DATE;
		else if (num && (t->c[j].type == XC_NUM ||
		    t->c[j].type == XC_CALC ||
		    t->c[j].type == XC_META || t->c[j].type == XC_MEMBER_NO))
			v[j].kind = SV_NUM;
		else
			v[j].kind = SV_STR;
	}
	ds_buf_wipe(&b);
}

/* Variables and value labels. */
static readstat_error_t
declare(const struct xex *e, const struct xtable *t, struct svar *v,
    readstat_writer_t *w, int sav)
{
	readstat_label_set_t *ls;
	readstat_type_t type;
	const struct xcol *c;
	const char *l;
	char label[STAT_LABEL_MAX * UTF8_CHAR_MAX + 1], lsname[64];
	size_t j, i, cut;

	for (j = 0; j < t->n; j++) {
		c = &t->c[j];
		stat_name(c->name, v, j);
		switch (v[j].kind) {
		case SV_CODED:
			type = READSTAT_TYPE_INT32;
			break;
		case SV_NUM:
		case SV_DATE:
			type = READSTAT_TYPE_DOUBLE;
			break;
		default:
			type = !sav && v[j].width > DTA_STR_MAX ?
			    READSTAT_TYPE_STRING_REF : READSTAT_TYPE_STRING;
		}
		v[j].var = readstat_add_variable(w, v[j].name, type,
		    type == READSTAT_TYPE_STRING ? v[j].width : 0);
		if (v[j].var == NULL)
			return READSTAT_ERROR_MALLOC;
		cut = utf8_offset(c->label, strlen(c->label), STAT_LABEL_MAX);
		snprintf(label, sizeof(label), "%.*s", (int)cut, c->label);
		readstat_variable_set_label(v[j].var, label);
		if (v[j].kind == SV_DATE)
			readstat_variable_set_format(v[j].var, sav ? "DATE11" :
			    "%td");
		readstat_variable_set_measure(v[j].var, v[j].kind == SV_NUM ?
		    READSTAT_MEASURE_SCALE : READSTAT_MEASURE_NOMINAL);
		if (v[j].kind != SV_CODED)
			continue;
		snprintf(lsname, sizeof(lsname), "%s", v[j].name);
		if ((ls = readstat_add_label_set(w, READSTAT_TYPE_INT32,
		    lsname)) == NULL)
			return READSTAT_ERROR_MALLOC;
		for (i = 0; i < c->list->nchoices; i++) {
			l = xex_choice(e, c, c->list->choices[i].name);
			readstat_label_int32_value(ls, (int32_t)i + 1,
			    l != NULL ? l : c->list->choices[i].name);
		}
		readstat_variable_set_label_set(v[j].var, ls);
	}
	return READSTAT_OK;
}

static readstat_error_t
put(const struct xex *e, const struct xcol *c, const struct svar *v,
    readstat_writer_t *w, size_t i, long k, struct ds_buf *b, int sav)
{
	readstat_string_ref_t *ref;
	const char *raw;
	struct xv x;
	char *s;
	readstat_error_t re;
	long d;

	xex_value(e, c, i, k, b, &x);
	if (x.kind == XV_EMPTY)
		return readstat_insert_missing_value(w, v->var);
	switch (v->kind) {
	case SV_CODED:
		raw = xex_raw(e, c, i, k);
		return readstat_insert_int32_value(w, v->var,
		    (int32_t)xex_choice_index(c, raw) + 1);
	case SV_NUM:
		return readstat_insert_double_value(w, v->var, x.num);
	case SV_DATE:
		d = days_from_civil(x.y, x.m, x.d);
		return readstat_insert_double_value(w, v->var, sav ?
		    (double)(d - DAYS_1582) * 86400.0 : (double)(d - DAYS_1960));
	default:
		break;
	}
	if (x.kind == XV_NUM || x.kind == XV_DATE) {
		char num[40];

		if (x.kind == XV_NUM)
			snprintf(num, sizeof(num), "%.15g", x.num);
		else
			snprintf(num, sizeof(num), "%04d-%02d-%02d", x.y, x.m,
			    x.d);
		ds_buf_clear(b);
		ds_buf_adds(b, num);
		x.s = b->p;
		x.n = b->len;
	}
	if ((s = ds_malloc(x.n + 1)) == NULL)
		return READSTAT_ERROR_MALLOC;
	memcpy(s, x.s, x.n);
	s[x.n] = '\0';
	if (!sav && v->width > DTA_STR_MAX) {
		ref = readstat_add_string_ref(w, s);
		re = ref != NULL ? readstat_insert_string_ref(w, v->var, ref) :
		    READSTAT_ERROR_MALLOC;
	} else
		re = readstat_insert_string_value(w, v->var, s);
	ds_free(s);
	return re;
}

enum ds_status
xex_stat_write(const struct xex *e, int members, const char *path, int sav,
    struct ds_err *err)
{
	const struct xtable *t = members ? &e->mem : &e->hh;
	readstat_writer_t *w = NULL;
	struct svar *v = NULL;
	struct sink sk;
	struct ds_tmp tf;
	struct ds_buf b;
	enum ds_status st;
	readstat_error_t re = READSTAT_OK;
	size_t i, j, nm, rows = 0;
	long k;

	ds_buf_init(&b, 16u << 20);
	for (i = 0; i < e->n; i++)
		rows += members ? xex_nmembers(e, i) : 1;
	if ((v = ds_calloc(t->n ? t->n : 1, sizeof(*v))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	scan(e, t, members, v);
	memset(&sk, 0, sizeof(sk));
	if ((st = ds_tmp_open(&tf, path, 0600, err)) != DS_OK) {
		ds_free(v);
		return st;
	}
	sk.fd = tf.fd;
	if ((w = readstat_writer_init()) == NULL) {
		re = READSTAT_ERROR_MALLOC;
		goto out;
	}
	readstat_set_data_writer(w, data_writer);
	if (!sav)
		readstat_writer_set_file_format_version(w, DTA_VERSION);
	/* No clock in the file: the same data, the same bytes. */
	readstat_writer_set_file_timestamp(w, 0);
	if ((re = declare(e, t, v, w, sav)) != READSTAT_OK)
		goto out;
	re = sav ? readstat_begin_writing_sav(w, &sk, (long)rows) :
	    readstat_begin_writing_dta(w, &sk, (long)rows);
	for (i = 0; i < e->n && re == READSTAT_OK; i++) {
		nm = members ? xex_nmembers(e, i) : 1;
		for (k = 0; (size_t)k < nm && re == READSTAT_OK; k++) {
			if ((re = readstat_begin_row(w)) != READSTAT_OK)
				break;
			for (j = 0; j < t->n && re == READSTAT_OK; j++)
				re = put(e, &t->c[j], &v[j], w, i,
				    members ? k : -1, &b, sav);
			if (re == READSTAT_OK)
				re = readstat_end_row(w);
		}
	}
	if (re == READSTAT_OK)
		re = readstat_end_writing(w);
out:
	if (w != NULL)
		readstat_writer_free(w);
	ds_free(v);
	ds_buf_wipe(&b);
	if (re != READSTAT_OK || sk.failed != 0) {
		ds_tmp_abort(&tf);
		if (sk.failed != 0)
			return ds_err_set(err, sk.failed == ENOSPC ?
			    DS_ENOSPC : DS_EIO, "cannot write %s: %s", path,
			    strerror(sk.failed));
		return ds_err_set(err, DS_EIO, "cannot write %s: %s", path,
		    readstat_error_message(re));
	}
	return ds_tmp_commit(&tf, err);
}
