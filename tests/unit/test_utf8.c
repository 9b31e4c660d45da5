/* doorstep: tests for the UTF-8 module (src/utf8.c). */
#include <stdint.h>
#include <string.h>

#include "harness.h"

#include "utf8.h"

/* Decode a whole byte string as one code point: its length, or 0. */
static size_t
dec(const char *s, size_t n, uint32_t *cp)
{
	*cp = 0xdeadbeef;
	return utf8_decode(s, n, cp);
}

static void
test_decode_accepts_each_length_at_its_bounds(void)
{
	uint32_t cp;

	INT_EQ(dec("A", 1, &cp), 1);
	INT_EQ(cp, 0x41);
	INT_EQ(dec("\0", 1, &cp), 1);
	INT_EQ(cp, 0);
	INT_EQ(dec("\x7f", 1, &cp), 1);
	INT_EQ(dec("\xc2\x80", 2, &cp), 2);		/* U+0080 */
	INT_EQ(cp, 0x80);
	INT_EQ(dec("\xdf\xbf", 2, &cp), 2);		/* U+07FF */
	INT_EQ(cp, 0x7ff);
	INT_EQ(dec("\xe0\xa0\x80", 3, &cp), 3);		/* U+0800 */
	INT_EQ(cp, 0x800);
	INT_EQ(dec("\xe4\xb8\xad", 3, &cp), 3);		/* 中 */
	INT_EQ(cp, 0x4e2d);
	INT_EQ(dec("\xed\x9f\xbf", 3, &cp), 3);		/* U+D7FF */
	INT_EQ(dec("\xee\x80\x80", 3, &cp), 3);		/* U+E000 */
	INT_EQ(dec("\xef\xbf\xbf", 3, &cp), 3);		/* U+FFFF */
	INT_EQ(dec("\xf0\x90\x80\x80", 4, &cp), 4);	/* U+10000 */
	INT_EQ(cp, 0x10000);
	INT_EQ(dec("\xf4\x8f\xbf\xbf", 4, &cp), 4);	/* U+10FFFF */
	INT_EQ(cp, 0x10ffff);
	/* Only the first character is decoded. */
	INT_EQ(dec("\xe4\xb8\xad\xe6\x96\x87", 6, &cp), 3);
}

static void
test_decode_refuses_overlong_forms(void)
{
	uint32_t cp;

	INT_EQ(dec("\xc0\x80", 2, &cp), 0);		/* NUL in two bytes */
	INT_EQ(dec("\xc1\xbf", 2, &cp), 0);
	INT_EQ(dec("\xe0\x80\x80", 3, &cp), 0);
	INT_EQ(dec("\xe0\x9f\xbf", 3, &cp), 0);		/* U+07FF in three */
	INT_EQ(dec("\xf0\x80\x80\x80", 4, &cp), 0);
	INT_EQ(dec("\xf0\x8f\xbf\xbf", 4, &cp), 0);	/* U+FFFF in four */
	INT_EQ(cp, 0xdeadbeef);				/* untouched */
}

static void
test_decode_refuses_surrogates_and_beyond_10ffff(void)
{
	uint32_t cp;

	INT_EQ(dec("\xed\xa0\x80", 3, &cp), 0);		/* U+D800 */
	INT_EQ(dec("\xed\xbf\xbf", 3, &cp), 0);		/* U+DFFF */
	INT_EQ(dec("\xf4\x90\x80\x80", 4, &cp), 0);	/* U+110000 */
	INT_EQ(dec("\xf5\x80\x80\x80", 4, &cp), 0);
	INT_EQ(dec("\xf7\xbf\xbf\xbf", 4, &cp), 0);
	INT_EQ(dec("\xf8\x88\x80\x80\x80", 5, &cp), 0);	/* old 5-byte form */
	INT_EQ(dec("\xff", 1, &cp), 0);
}

static void
test_decode_refuses_truncated_and_stray_bytes(void)
{
	uint32_t cp;

	INT_EQ(dec("", 0, &cp), 0);
	INT_EQ(dec("\xc2", 1, &cp), 0);
	INT_EQ(dec("\xe4\xb8", 2, &cp), 0);
	INT_EQ(dec("\xf0\x9f\x98", 3, &cp), 0);
	/* The length bounds the read, whatever follows in memory. */
	INT_EQ(dec("\xe4\xb8\xad", 2, &cp), 0);
	INT_EQ(dec("\x80", 1, &cp), 0);			/* continuation */
	INT_EQ(dec("\xbf\x80", 2, &cp), 0);
	INT_EQ(dec("\xe4\x41\xad", 3, &cp), 0);		/* ASCII inside */
	INT_EQ(dec("\xc2\xc2\x80", 3, &cp), 0);
}

static void
test_valid_whole_strings_and_controls(void)
{
	const char *zh = "户主 张三\n";

	OK(utf8_valid("", 0, 0));
	OK(utf8_valid(zh, strlen(zh), 0));
	OK(!utf8_valid(zh, strlen(zh), UTF8_NO_CONTROLS));	/* \n */
	OK(utf8_valid(zh, strlen(zh) - 1, UTF8_NO_CONTROLS));
	OK(!utf8_valid("a\x7f", 2, UTF8_NO_CONTROLS));
	OK(utf8_valid("a\x7f", 2, 0));
	OK(!utf8_valid("a\0b", 3, UTF8_NO_CONTROLS));
	OK(utf8_valid("a\0b", 3, 0));
	/* A character cut in half at the end of the range. */
	OK(!utf8_valid(zh, 2, 0));
	OK(!utf8_valid("ok\xed\xa0\x80", 5, 0));
	OK(!utf8_valid("ok\xc0\xaf", 4, 0));
	OK(utf8_valid("\xf0\x9f\x98\x80", 4, UTF8_NO_CONTROLS));	/* 😀 */
}

static void
test_count_and_offset_in_characters(void)
{
	const char *s = "a中b文😀";	/* 1 + 3 + 1 + 3 + 4 bytes */
	size_t n = strlen(s);

	INT_EQ(n, 12);
	INT_EQ(utf8_count(s, n), 5);
	INT_EQ(utf8_count(s, 4), 2);
	INT_EQ(utf8_count("", 0), 0);
	INT_EQ(utf8_offset(s, n, 0), 0);
	INT_EQ(utf8_offset(s, n, 1), 1);
	INT_EQ(utf8_offset(s, n, 2), 4);
	INT_EQ(utf8_offset(s, n, 4), 8);
	INT_EQ(utf8_offset(s, n, 5), n);
	INT_EQ(utf8_offset(s, n, 99), n);
}

static void
test_cut_copy_and_prec_never_split_a_character(void)
{
	const char *s = "张三丰";	/* 9 bytes */
	char dst[8];
	char out[32];

	INT_EQ(utf8_cut(s, 9, 9), 9);
	INT_EQ(utf8_cut(s, 9, 20), 9);
	INT_EQ(utf8_cut(s, 9, 8), 6);
	INT_EQ(utf8_cut(s, 9, 7), 6);
	INT_EQ(utf8_cut(s, 9, 6), 6);
	INT_EQ(utf8_cut(s, 9, 2), 0);
	INT_EQ(utf8_cut("abc", 3, 2), 2);
	INT_EQ(utf8_copy(dst, sizeof(dst), s), 6);
	STR_EQ(dst, "张三");
	INT_EQ(utf8_copy(dst, sizeof(dst), "abc"), 3);
	STR_EQ(dst, "abc");
	INT_EQ(utf8_copy(dst, 1, s), 0);
	STR_EQ(dst, "");
	snprintf(out, sizeof(out), "'%.*s'", utf8_prec(s, 4), s);
	STR_EQ(out, "'张'");
	snprintf(out, sizeof(out), "'%.*s'", utf8_prec("abc", 20), "abc");
	STR_EQ(out, "'abc'");
	INT_EQ(utf8_prec(s, 9), 9);
}

int
main(void)
{
	RUN(test_decode_accepts_each_length_at_its_bounds);
	RUN(test_decode_refuses_overlong_forms);
	RUN(test_decode_refuses_surrogates_and_beyond_10ffff);
	RUN(test_decode_refuses_truncated_and_stray_bytes);
	RUN(test_valid_whole_strings_and_controls);
	RUN(test_count_and_offset_in_characters);
	RUN(test_cut_copy_and_prec_never_split_a_character);
	return harness_done();
}
