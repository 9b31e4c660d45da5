/* doorstep: growable byte buffers with a hard cap. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

void
ds_buf_init(struct ds_buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
ds_buf_reset(struct ds_buf *b)
{
	ds_free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void
ds_buf_wipe(struct ds_buf *b)
{
	if (b->p != NULL) {
		volatile char *v = b->p;
		size_t i;

		for (i = 0; i < b->cap; i++)
			v[i] = 0;
	}
	ds_buf_reset(b);
}

void
ds_buf_clear(struct ds_buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

enum ds_status
ds_buf_reserve(struct ds_buf *b, size_t n)
{
	size_t need, ncap;
	char *np;

	if (n > b->max || b->len > b->max - n)
		return DS_ELIMIT;
	need = b->len + n + 1;
	if (need <= b->cap)
		return DS_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	if ((np = ds_realloc(b->p, ncap)) == NULL)
		return DS_ENOMEM;
	b->p = np;
	b->cap = ncap;
	return DS_OK;
}

enum ds_status
ds_buf_add(struct ds_buf *b, const void *data, size_t n)
{
	enum ds_status st;

	if ((st = ds_buf_reserve(b, n)) != DS_OK)
		return st;
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return DS_OK;
}

enum ds_status
ds_buf_adds(struct ds_buf *b, const char *s)
{
	return ds_buf_add(b, s, strlen(s));
}

enum ds_status
ds_buf_addc(struct ds_buf *b, char c)
{
	return ds_buf_add(b, &c, 1);
}

enum ds_status
ds_buf_printf(struct ds_buf *b, const char *fmt, ...)
{
	va_list ap;
	enum ds_status st;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return DS_EINVAL;
	if ((st = ds_buf_reserve(b, (size_t)n)) != DS_OK)
		return st;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return DS_OK;
}

char *
ds_buf_take(struct ds_buf *b, size_t *lenp)
{
	char *p;

	if (b->p == NULL) {
		if ((p = ds_malloc(1)) == NULL)
			return NULL;
		p[0] = '\0';
		if (lenp)
			*lenp = 0;
		return p;
	}
	p = b->p;
	if (lenp)
		*lenp = b->len;
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

enum ds_status
ds_buf_add_le(struct ds_buf *b, uint64_t v, int n)
{
	unsigned char x[8];
	int i;

	for (i = 0; i < n; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	return ds_buf_add(b, x, (size_t)n);
}

uint64_t
ds_rd_le(struct ds_rd *r, int n)
{
	uint64_t v = 0;
	int i;

	if (r->bad || r->n - r->off < (size_t)n) {
		r->bad = 1;
		return 0;
	}
	for (i = 0; i < n; i++)
		v |= (uint64_t)r->p[r->off + (size_t)i] << (8 * i);
	r->off += (size_t)n;
	return v;
}

void
ds_rd_mem(struct ds_rd *r, void *out, size_t n)
{
	if (r->bad || r->n - r->off < n) {
		r->bad = 1;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p + r->off, n);
	r->off += n;
}
