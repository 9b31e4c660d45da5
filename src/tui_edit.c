/* doorstep: text, number and date input fields without curses. */
/*
 * The editing logic of the input widgets, kept apart from drawing so unit
 * tests drive it with requests.  Text is held as wide characters so the
 * cursor moves by character and display width comes from wcwidth(): a CJK
 * character takes two columns and is never cut in half.
 *
 * Invariants: s[len] == 0; cur <= len; off <= cur after tui_edit_scroll().
 * Numbers are checked while typing: an integer field takes an optional
 * leading minus and digits, a decimal field one point more.  A date field
 * takes digits and puts the dashes in itself (YYYY-MM-DD), refusing a
 * digit that can no longer make a real date (month 13, 31 April); + and
 * - step a complete date by a day.  A refused key says why (ed->why).
 * The engine still checks every value: these rules only stop keys that
 * can never be right.
 */
#include "tui_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wctype.h>

#include "util.h"

static int	accepts(struct tui_edit *, wint_t);
static void	insert(struct tui_edit *, wchar_t);
static int	date_key(struct tui_edit *, wint_t, enum tui_edit_res *);

void
tui_edit_init(struct tui_edit *ed, enum tui_edit_kind kind, const char *utf8)
{
	mbstate_t st;
	size_t k;
	wchar_t wc;

	memset(ed, 0, sizeof(*ed));
	ed->kind = kind;
	if (utf8 == NULL)
		return;
	memset(&st, 0, sizeof(st));
	while (*utf8 != '\0' && ed->len < TUI_EDIT_MAX) {
		k = mbrtowc(&wc, utf8, strlen(utf8), &st);
		if (k == (size_t)-1 || k == (size_t)-2) {
			memset(&st, 0, sizeof(st));
			utf8++;
			continue;
		}
		if (k == 0)
			break;
		utf8 += k;
		if (wc == L'\n' || wc == L'\t')
			wc = L' ';
		if (!iswprint((wint_t)wc))
			continue;
		ed->s[ed->len++] = wc;
	}
	ed->s[ed->len] = 0;
	ed->cur = ed->len;
}

void
tui_edit_replace_on_type(struct tui_edit *ed)
{
	ed->pristine = ed->len > 0;
}

/* Refuse a key and say why. */
static int
refuse(struct tui_edit *ed, enum tui_edit_why why)
{
	ed->why = why;
	return 0;
}

static int
accepts(struct tui_edit *ed, wint_t ch)
{
	size_t i;

	switch (ed->kind) {
	case TUI_EDIT_TEXT:
		return iswprint(ch) && wcwidth((wchar_t)ch) >= 0;
	case TUI_EDIT_INT:
	case TUI_EDIT_DEC:
		if (ed->len >= TUI_NUM_MAX)
			return refuse(ed, TUI_WHY_LONG);
		if (ch >= L'0' && ch <= L'9')
			return !(ed->cur == 0 && ed->len > 0 &&
			    ed->s[0] == L'-') || refuse(ed, TUI_WHY_MINUS);
		if (ch == L'-')
			return (ed->cur == 0 && (ed->len == 0 ||
			    ed->s[0] != L'-')) || refuse(ed, TUI_WHY_MINUS);
		if (ch == L'.' && ed->kind == TUI_EDIT_DEC) {
			for (i = 0; i < ed->len; i++)
				if (ed->s[i] == L'.')
					return refuse(ed, TUI_WHY_POINT);
			return !(ed->cur == 0 && ed->len > 0 &&
			    ed->s[0] == L'-') || refuse(ed, TUI_WHY_MINUS);
		}
		return refuse(ed, ed->kind == TUI_EDIT_INT ? TUI_WHY_INT :
		    TUI_WHY_DEC);
	case TUI_EDIT_DATE:
		return 0;	/* date_key() decides */
	}
	return 0;
}

static void
insert(struct tui_edit *ed, wchar_t ch)
{
	memmove(&ed->s[ed->cur + 1], &ed->s[ed->cur],
	    (ed->len - ed->cur + 1) * sizeof(wchar_t));
	ed->s[ed->cur++] = ch;
	ed->len++;
	ed->dirty = 1;
}

static int
leap(long y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/*
 * Can the date typed so far (digits and dashes, the new digit last) still
 * become a real date?  Else why not.
 */
static enum tui_edit_why
date_prefix(const wchar_t *s, size_t n)
{
	static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31};
	long y = 0;
	unsigned m = 0, d = 0, i;

	for (i = 0; i < n && i < 4; i++)
		y = y * 10 + (s[i] - L'0');
	/* years 1900..2199 */
	if ((n >= 1 && s[0] != L'1' && s[0] != L'2') ||
	    (n >= 2 && s[0] == L'1' && s[1] != L'9') ||
	    (n >= 2 && s[0] == L'2' && s[1] > L'1'))
		return TUI_WHY_YEAR;
	if (n >= 6 && s[5] > L'1')
		return TUI_WHY_MONTH;
	if (n >= 7) {
		m = (unsigned)((s[5] - L'0') * 10 + (s[6] - L'0'));
		if (m < 1 || m > 12)
			return TUI_WHY_MONTH;
	}
	if (n >= 9 && s[8] > L'3')
		return TUI_WHY_DAY;
	if (n >= 9 && m > 0 && s[8] == L'3' && mdays[m - 1] < 30)
		return TUI_WHY_DAY;
	if (n >= 10) {
		d = (unsigned)((s[8] - L'0') * 10 + (s[9] - L'0'));
		if (d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 &&
		    !leap(y)))
			return TUI_WHY_DAY;
	}
	return TUI_WHY_NONE;
}

/* Date keys: digits fill YYYY-MM-DD, dashes come by themselves. */
static int
date_key(struct tui_edit *ed, wint_t ch, enum tui_edit_res *res)
{
	char d[16];
	enum tui_edit_why why;
	int dash;

	if (ch == L'+' || ch == L'=' || ch == L'-') {
		if (tui_edit_get(ed, d, sizeof(d)) != 0)
			return 0;
		if (ed->len == 0) {
			/* Stepping from nothing starts at today. */
			time_t t = (time_t)ds_now();
			struct tm tm;

			if (localtime_r(&t, &tm) == NULL)
				return 0;
			snprintf(d, sizeof(d), "%04d-%02d-%02d",
			    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		} else if (tui_date_valid(d))
			tui_date_step(d, ch == L'-' ? -1 : 1);
		else if (ch == L'-' && (ed->len == 4 || ed->len == 7) &&
		    ed->cur == ed->len) {
			insert(ed, L'-');
			*res = TUI_EDIT_CHANGED;
			return 1;
		} else
			return 0;
		tui_edit_init(ed, TUI_EDIT_DATE, d);
		ed->dirty = 1;
		*res = TUI_EDIT_CHANGED;
		return 1;
	}
	if (ch < L'0' || ch > L'9')
		return refuse(ed, TUI_WHY_DATE);
	if (ed->cur != ed->len || ed->len >= 10)
		return refuse(ed, TUI_WHY_LONG);
	dash = ed->len == 4 || ed->len == 7;
	if (dash)
		insert(ed, L'-');
	insert(ed, (wchar_t)ch);
	if ((why = date_prefix(ed->s, ed->len)) != TUI_WHY_NONE) {
		/* take the digit (and its dash) back */
		ed->len -= dash ? 2 : 1;
		ed->cur = ed->len;
		ed->s[ed->len] = 0;
		return refuse(ed, why);
	}
	*res = TUI_EDIT_CHANGED;
	return 1;
}

enum tui_edit_res
tui_edit_key(struct tui_edit *ed, enum tui_req req, wint_t ch)
{
	static struct tui_edit keep;
	enum tui_edit_res res = TUI_EDIT_REJECTED;
	enum tui_edit_why why;

	ed->why = TUI_WHY_NONE;
	if (ed->pristine && req == TUI_REQ_CHAR && ch != L'+' && ch != L'=' &&
	    !(ch == L'-' && ed->kind == TUI_EDIT_DATE)) {
		/* Typing over a value not typed here replaces it; a refused
		 * key leaves it as it was. */
		keep = *ed;
		ed->len = ed->cur = ed->off = 0;
		ed->s[0] = 0;
		ed->pristine = 0;
		if ((res = tui_edit_key(ed, req, ch)) == TUI_EDIT_REJECTED) {
			why = ed->why;
			*ed = keep;
			ed->why = why;
		}
		return res;
	}
	if (req != TUI_REQ_NONE)
		ed->pristine = 0;
	switch (req) {
	case TUI_REQ_CHAR:
		if (ed->kind == TUI_EDIT_DATE)
			return date_key(ed, ch, &res) ? res :
			    TUI_EDIT_REJECTED;
		if (ed->len >= TUI_EDIT_MAX) {
			ed->why = TUI_WHY_LONG;
			return TUI_EDIT_REJECTED;
		}
		if (!accepts(ed, ch))
			return TUI_EDIT_REJECTED;
		insert(ed, (wchar_t)ch);
		return TUI_EDIT_CHANGED;
	case TUI_REQ_LEFT:
		if (ed->cur == 0)
			return TUI_EDIT_IGNORED;
		ed->cur--;
		return TUI_EDIT_MOVED;
	case TUI_REQ_RIGHT:
		if (ed->cur == ed->len)
			return TUI_EDIT_IGNORED;
		ed->cur++;
		return TUI_EDIT_MOVED;
	case TUI_REQ_HOME:
		ed->cur = 0;
		return TUI_EDIT_MOVED;
	case TUI_REQ_END:
		ed->cur = ed->len;
		return TUI_EDIT_MOVED;
	case TUI_REQ_BACKSPACE:
		if (ed->cur == 0)
			return TUI_EDIT_IGNORED;
		ed->cur--;
		DS_FALLTHROUGH;
	case TUI_REQ_DELETE:
		if (ed->cur == ed->len)
			return TUI_EDIT_IGNORED;
		memmove(&ed->s[ed->cur], &ed->s[ed->cur + 1],
		    (ed->len - ed->cur) * sizeof(wchar_t));
		ed->len--;
		/* A date keeps its dashes only where digits follow them. */
		if (ed->kind == TUI_EDIT_DATE && ed->len > 0 &&
		    ed->cur == ed->len && ed->s[ed->len - 1] == L'-') {
			ed->s[--ed->len] = 0;
			ed->cur = ed->len;
		}
		ed->dirty = 1;
		return TUI_EDIT_CHANGED;
	case TUI_REQ_KILL:
		ed->len = ed->cur = ed->off = 0;
		ed->s[0] = 0;
		ed->dirty = 1;
		return TUI_EDIT_CHANGED;
	default:
		return TUI_EDIT_IGNORED;
	}
}

int
tui_edit_get(const struct tui_edit *ed, char *out, size_t n)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t i, k, o = 0;

	if (n == 0)
		return -1;
	memset(&st, 0, sizeof(st));
	for (i = 0; i < ed->len; i++) {
		k = wcrtomb(mb, ed->s[i], &st);
		if (k == (size_t)-1)
			continue;
		if (o + k >= n) {
			out[0] = '\0';
			return -1;
		}
		memcpy(out + o, mb, k);
		o += k;
	}
	out[o] = '\0';
	return 0;
}

int
tui_edit_cols(const wchar_t *s, size_t from, size_t to)
{
	int c = 0, w;

	for (; from < to; from++) {
		w = wcwidth(s[from]);
		c += w < 0 ? 1 : w;
	}
	return c;
}

int
tui_edit_scroll(struct tui_edit *ed, int width)
{
	if (width < 3)
		width = 3;
	if (ed->off > ed->cur)
		ed->off = ed->cur;
	/* Leave one column for the cursor after the last character. */
	while (ed->off < ed->cur &&
	    tui_edit_cols(ed->s, ed->off, ed->cur) > width - 1)
		ed->off++;
	return tui_edit_cols(ed->s, ed->off, ed->cur);
}

/* Days from 1970-01-01 (Howard Hinnant's days_from_civil). */
static long
days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static void
civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
	long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = (long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y += *m <= 2;
}

int
tui_date_valid(const char *s)
{
	static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31};
	long y;
	unsigned m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = strtol(s, NULL, 10);
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)))
		return 0;
	return 1;
}

void
tui_date_step(char *s, int days)
{
	long y, z;
	unsigned m, d;

	if (!tui_date_valid(s))
		return;
	y = strtol(s, NULL, 10);
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	z = days_from_civil(y, m, d) + days;
	civil_from_days(z, &y, &m, &d);
	if (y < 1900 || y > 2199)
		return;
	snprintf(s, 11, "%04ld-%02u-%02u", y, m, d);
}

/*
 * Length of what one part of a regular expression matches, from *pp up
 * to '|', ')' or '$'; -1 when it can vary.  A group counts when all its
 * alternatives have one length.
 */
static long
re_len(const char **pp, int depth)
{
	const char *p = *pp;
	char *e;
	long n = 0, a, m;

	if (depth > 8)
		return -1;
	while (*p != '\0' && *p != '|' && *p != ')' && *p != '$') {
		if (*p == '(') {
			p++;
			if (p[0] == '?' && p[1] == ':')
				p += 2;
			if ((a = re_len(&p, depth + 1)) < 0)
				return -1;
			while (*p == '|') {
				p++;
				if (re_len(&p, depth + 1) != a)
					return -1;
			}
			if (*p != ')')
				return -1;
			p++;
		} else if (*p == '[') {
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p != '\0' && *p != ']')
				p += p[0] == '\\' && p[1] != '\0' ? 2 : 1;
			if (*p++ != ']')
				return -1;
			a = 1;
		} else if (*p == '\\') {
			if (p[1] == '\0')
				return -1;
			p += 2;
			a = 1;
		} else if (strchr("*+?{}^", *p) != NULL)
			return -1;
		else {
			/* one character, UTF-8 continuation bytes too */
			for (p++; (*p & 0xc0) == 0x80; p++)
				;
			a = 1;
		}
		if (*p == '{') {
			m = strtol(p + 1, &e, 10);
			if (e == p + 1 || *e != '}' || m < 0 || m > TUI_EDIT_MAX)
				return -1;
			a *= m;
			p = e + 1;
		} else if (*p != '\0' && strchr("*+?", *p) != NULL)
			return -1;
		if ((n += a) > TUI_EDIT_MAX)
			return -1;
	}
	*pp = p;
	return n;
}

size_t
tui_fixed_len(const char *c)
{
	const char *p = c;
	char q;
	long n;

	if (p == NULL)
		return 0;
	p += strspn(p, " ");
	if (strncmp(p, "regex(", 6) != 0)
		return 0;
	p += 6;
	p += strspn(p, " ");
	if (*p++ != '.')
		return 0;
	p += strspn(p, " ");
	if (*p++ != ',')
		return 0;
	p += strspn(p, " ");
	if ((q = *p++) != '\'' && q != '"')
		return 0;
	if (*p++ != '^' || (n = re_len(&p, 0)) <= 0)
		return 0;
	if (p[0] != '$' || p[1] != q)
		return 0;
	p += 2;
	p += strspn(p, " ");
	if (*p++ != ')')
		return 0;
	p += strspn(p, " ");
	/* Nothing after it, or more conditions that must also hold. */
	if (*p != '\0' && !(strncmp(p, "and", 3) == 0 && (p[3] == ' ' ||
	    p[3] == '(')))
		return 0;
	return (size_t)n;
}
