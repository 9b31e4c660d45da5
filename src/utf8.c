/* doorstep: UTF-8 decoding, validation, counting and cutting. */
/*
 * One decoder (utf8_decode) and the few things built on it.  Nothing here
 * allocates or depends on the locale: the TUI asks ncursesw for display
 * widths, this module only knows bytes and code points.
 */
#include "utf8.h"

#include <string.h>

#define IS_CONT(c)	(((unsigned char)(c) & 0xc0) == 0x80)

size_t
utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c, min;
	size_t need, k;

	if (n == 0)
		return 0;
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;	/* continuation byte, c0, c1, f5..ff */
	if (n - 1 < need)
		return 0;
	for (k = 1; k <= need; k++) {
		if (!IS_CONT(p[k]))
			return 0;
		c = (c << 6) | (p[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return need + 1;
}

int
utf8_valid(const char *s, size_t n, unsigned flags)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if ((k = utf8_decode(s + i, n - i, &cp)) == 0)
			return 0;
		if ((flags & UTF8_NO_CONTROLS) && (cp < 0x20 || cp == 0x7f))
			return 0;
		i += k;
	}
	return 1;
}

size_t
utf8_count(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (!IS_CONT(s[i]))
			c++;
	return c;
}

size_t
utf8_offset(const char *s, size_t n, size_t ci)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!IS_CONT(s[i])) {
			if (ci == 0)
				return i;
			ci--;
		}
	}
	return n;
}

size_t
utf8_cut(const char *s, size_t n, size_t max)
{
	if (max >= n)
		return n;
	while (max > 0 && IS_CONT(s[max]))
		max--;
	return max;
}

size_t
utf8_copy(char *dst, size_t dstsz, const char *s)
{
	size_t l = utf8_cut(s, strlen(s), dstsz - 1);

	memcpy(dst, s, l);
	dst[l] = '\0';
	return l;
}

int
utf8_prec(const char *s, size_t max)
{
	return (int)utf8_cut(s, strnlen(s, max + 1), max);
}
