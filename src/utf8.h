/* doorstep: UTF-8 decoding, validation, counting and cutting (layer 1). */
#ifndef DS_UTF8_H
#define DS_UTF8_H

/*
 * The one UTF-8 decoder of the project; every validator, character
 * counter and "cut without splitting a character" is built on it.  Text
 * is a pointer and a length in bytes (NUL is an ordinary byte unless
 * UTF8_NO_CONTROLS is asked for).  Well-formed means RFC 3629: shortest
 * form only, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no
 * truncated sequence, no stray continuation byte.
 */

#include <stddef.h>
#include <stdint.h>

#define UTF8_CHAR_MAX		4	/* bytes in one encoded code point */
#define UTF8_NO_CONTROLS	0x1u	/* utf8_valid: refuse C0 and DEL */

/*
 * Decode the code point at s[0..n): its length in bytes (1..4) and *cp,
 * or 0 (cp untouched) if n is 0 or s does not start with a well-formed
 * sequence.
 */
size_t		 utf8_decode(const char *s, size_t n, uint32_t *cp);

/* 1 if s[0..n) is well-formed UTF-8 (with UTF8_NO_CONTROLS, and holds no
 * byte below 0x20 and no 0x7f), else 0. */
int		 utf8_valid(const char *s, size_t n, unsigned flags);

/*
 * Characters in s[0..n): the bytes that are not continuation bytes, which
 * is the number of code points of well-formed text.
 */
size_t		 utf8_count(const char *s, size_t n);

/* Byte offset of character index ci in s[0..n) (n if there are fewer). */
size_t		 utf8_offset(const char *s, size_t n, size_t ci);

/*
 * The longest prefix of s[0..n) of at most max bytes that does not end
 * inside a character: max itself when s[max] starts a character.
 */
size_t		 utf8_cut(const char *s, size_t n, size_t max);

/*
 * Copy the string s into dst (dstsz > 0 bytes), NUL-terminated, cut at a
 * character boundary if it does not fit.  Returns the bytes copied.
 */
size_t		 utf8_copy(char *dst, size_t dstsz, const char *s);

/*
 * The printf precision that shows at most max bytes of the string s
 * without splitting a character: printf("%.*s", utf8_prec(s, max), s).
 * max is at most INT_MAX.
 */
int		 utf8_prec(const char *s, size_t max);

#endif
