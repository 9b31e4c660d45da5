/* doorstep: a bounded, allocation-free reader of the case's answers. */
/*
 * RFC 8259 token by token over [p, end): whitespace, strings with their
 * escapes, numbers and literals copied as written, objects and arrays
 * skipped with a depth cap.  Every function returns the position after
 * what it read, or NULL when the text is malformed there; callers stop at
 * the first NULL and keep what they copied so far (the fields they did
 * not reach stay empty).
 */
#include "case_json.h"

#include <stddef.h>
#include <string.h>

#include "cry.h"

const char *const case_ans_grid[CASE_ANS_NGRID] = { "has_industry",
    "has_job", "has_finance", "has_health", "has_education", "has_assist",
    "has_allowance", "has_housing", "has_water", "has_social" };

static const char *
ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char *
hex4(const char *p, const char *end, unsigned *v)
{
	int i, h;

	*v = 0;
	if (end - p < 4)
		return NULL;
	for (i = 0; i < 4; i++) {
		if ((h = hexval(p[i])) < 0)
			return NULL;
		*v = *v << 4 | (unsigned)h;
	}
	return p + 4;
}

/* Append the UTF-8 of cp to out (cap bytes with its NUL), if it fits. */
static void
put_cp(char *out, size_t cap, size_t *o, unsigned cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	/* Cut whole characters only: a name never ends in half of one. */
	if (out != NULL && *o + n < cap) {
		memcpy(out + *o, b, n);
		*o += n;
	}
}

/*
 * A string at p (p at the opening quote): decoded into out (cap bytes,
 * NUL-terminated, cut at a character) when out is not NULL.
 */
static const char *
string(const char *p, const char *end, char *out, size_t cap)
{
	size_t o = 0, n;
	unsigned cp, lo;
	unsigned char c;

	if (p >= end || *p != '"')
		return NULL;
	p++;
	while (p < end && *p != '"') {
		c = (unsigned char)*p;
		if (c < 0x20)
			return NULL;
		if (c != '\\') {
			/* A raw UTF-8 character: copy it whole or not at all. */
			n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			if ((size_t)(end - p) < n)
				return NULL;
			if (out != NULL && o + n < cap) {
				memcpy(out + o, p, n);
				o += n;
			} else if (out != NULL)
				cap = o + 1;	/* full: keep nothing after */
			p += n;
			continue;
		}
		if (++p >= end)
			return NULL;
		switch (*p) {
		case '"': case '\\': case '/':
			cp = (unsigned char)*p;
			break;
		case 'b':
			cp = '\b';
			break;
		case 'f':
			cp = '\f';
			break;
		case 'n':
			cp = '\n';
			break;
		case 'r':
			cp = '\r';
			break;
		case 't':
			cp = '\t';
			break;
		case 'u':
			if ((p = hex4(p + 1, end, &cp)) == NULL)
				return NULL;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
				    (p = hex4(p + 2, end, &lo)) == NULL ||
				    lo < 0xdc00 || lo > 0xdfff)
					return NULL;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000)
				return NULL;
			put_cp(out, cap, &o, cp);
			continue;
		default:
			return NULL;
		}
		put_cp(out, cap, &o, cp);
		p++;
	}
	if (p >= end)
		return NULL;
	if (out != NULL && cap > 0)
		out[o < cap ? o : cap - 1] = '\0';
	return p + 1;
}

static const char *skip(const char *, const char *, int);

/* A number or literal, copied as written into out (when not NULL). */
static const char *
scalar(const char *p, const char *end, char *out, size_t cap)
{
	const char *s = p;
	size_t n;

	while (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' &&
	    *p <= 'z') || *p == '-' || *p == '+' || *p == '.' || *p == 'E'))
		p++;
	if (p == s)
		return NULL;
	if (out != NULL && cap > 0) {
		n = (size_t)(p - s) < cap - 1 ? (size_t)(p - s) : cap - 1;
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return p;
}

/* Any value, read into out when it is a string or a scalar. */
static const char *
value(const char *p, const char *end, char *out, size_t cap, int depth)
{
	const char *q;

	p = ws(p, end);
	if (p >= end)
		return NULL;
	if (*p == '"') {
		/* A string cut short leaves its field empty, not half read. */
		if ((q = string(p, end, out, cap)) == NULL && out != NULL &&
		    cap > 0)
			out[0] = '\0';
		return q;
	}
	if (*p == '{' || *p == '[')
		return skip(p, end, depth);
	return scalar(p, end, out, cap);
}

/* Skip an object or array at p, depth capped. */
static const char *
skip(const char *p, const char *end, int depth)
{
	char close = *p == '{' ? '}' : ']';
	int obj = *p == '{';

	if (depth >= CASE_JSON_DEPTH)
		return NULL;
	p = ws(p + 1, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (obj) {
			if ((p = string(ws(p, end), end, NULL, 0)) == NULL)
				return NULL;
			p = ws(p, end);
			if (p >= end || *p != ':')
				return NULL;
			p++;
		}
		if ((p = value(p, end, NULL, 0, depth + 1)) == NULL)
			return NULL;
		p = ws(p, end);
		if (p >= end)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return NULL;
		p++;
	}
}

/* One key of an object, and the field it names. */
struct want {
	const char	*key;
	char		*to;
	size_t		 cap;
};

/*
 * A key the wanted list does not have: read its value (p at it) and
 * return after it, or return p itself to have it skipped.
 */
typedef const char *(*other_fn)(const char *, const char *, const char *,
    struct case_ans *, int);

/* The object at p: each key in w (n of them) gets its value. */
static const char *
object(const char *p, const char *end, const struct want *w, size_t n,
    other_fn fn, struct case_ans *a, int depth)
{
	const char *q;
	char key[64];
	size_t i;

	if (p >= end || *p != '{' || depth >= CASE_JSON_DEPTH)
		return NULL;
	p = ws(p + 1, end);
	if (p < end && *p == '}')
		return p + 1;
	for (;;) {
		key[0] = '\0';
		if ((p = string(ws(p, end), end, key, sizeof(key))) == NULL)
			return NULL;
		p = ws(p, end);
		if (p >= end || *p != ':')
			return NULL;
		p = ws(p + 1, end);
		for (i = 0; i < n; i++)
			if (strcmp(key, w[i].key) == 0)
				break;
		if (i < n)
			p = value(p, end, w[i].to, w[i].cap, depth + 1);
		else if (fn != NULL && (q = fn(p, end, key, a, depth + 1)) !=
		    p)
			p = q;
		else
			p = value(p, end, NULL, 0, depth + 1);
		if (p == NULL)
			return NULL;
		p = ws(p, end);
		if (p >= end)
			return NULL;
		if (*p == '}')
			return p + 1;
		if (*p != ',')
			return NULL;
		p++;
	}
}

/* member: an array of objects, each's m_id_number. */
static const char *
members(const char *p, const char *end, struct case_ans *a, int depth)
{
	struct want w;
	char dummy[2];

	if (p >= end || *p != '[')
		return p;
	p = ws(p + 1, end);
	if (p < end && *p == ']')
		return p + 1;
	for (;;) {
		p = ws(p, end);
		w.key = "m_id_number";
		if (a->nids < CASE_ANS_MEMBERS) {
			w.to = a->ids[a->nids];
			w.cap = sizeof(a->ids[0]);
		} else {
			w.to = dummy;
			w.cap = sizeof(dummy);
		}
		if (p < end && *p == '{') {
			if ((p = object(p, end, &w, 1, NULL, a, depth)) == NULL)
				return NULL;
		} else if ((p = value(p, end, NULL, 0, depth)) == NULL)
			return NULL;
		if (a->nids < CASE_ANS_MEMBERS)
			a->nids++;
		a->nmembers++;
		p = ws(p, end);
		if (p >= end)
			return NULL;
		if (*p == ']')
			return p + 1;
		if (*p != ',')
			return NULL;
		p++;
	}
}

/* _meta: its own fields. */
static const char *
meta(const char *p, const char *end, struct case_ans *a, int depth)
{
	const struct want w[] = {
		{ "state", a->state, sizeof(a->state) },
		{ "reason", a->reason, sizeof(a->reason) },
		{ "entry", a->entry, sizeof(a->entry) },
		{ "corrects", a->corrects, sizeof(a->corrects) },
		{ "consent_ref", a->consent_ref, sizeof(a->consent_ref) },
		{ "outcome", a->outcome, sizeof(a->outcome) },
		{ "hh_key", a->hh_key, sizeof(a->hh_key) },
	};

	if (p >= end || *p != '{')
		return p;
	return object(p, end, w, sizeof(w) / sizeof(w[0]), NULL, a, depth);
}

static const char *
nested(const char *p, const char *end, const char *key, struct case_ans *a,
    int depth)
{
	if (strcmp(key, "member") == 0)
		return members(p, end, a, depth);
	if (strcmp(key, "_meta") == 0)
		return meta(p, end, a, depth);
	return p;
}

/* The top-level answers read, by their offsets in struct case_ans. */
#define FIELD(f)	{ #f, offsetof(struct case_ans, f), \
	sizeof(((struct case_ans *)0)->f) }
static const struct {
	const char	*key;
	size_t		 off, cap;
} fields[] = {
	FIELD(hh_id), FIELD(visit_date), FIELD(visit_type), FIELD(consent),
	FIELD(el_done), FIELD(category), FIELD(channel), FIELD(township),
	FIELD(village), FIELD(vgroup), FIELD(head_name), FIELD(n_members),
	FIELD(pc_line), FIELD(per_capita), FIELD(guar_problem),
};
#undef FIELD
#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

int
case_ans_scan(const char *text, size_t len, struct case_ans *a)
{
	struct want w[NFIELDS + CASE_ANS_NGRID];
	const char *p = text, *end = text + len;
	size_t n = 0, i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < NFIELDS; i++) {
		w[n].key = fields[i].key;
		w[n].to = (char *)a + fields[i].off;
		w[n].cap = fields[i].cap;
		n++;
	}
	for (i = 0; i < CASE_ANS_NGRID; i++) {
		w[n].key = case_ans_grid[i];
		w[n].to = a->has[i];
		w[n].cap = sizeof(a->has[i]);
		n++;
	}
	p = ws(p, end);
	if (p >= end || *p != '{')
		return -1;
	/* Malformed text stops the read; what was read is kept. */
	(void)object(p, end, w, n, nested, a, 0);
	return 0;
}

void
case_ans_wipe(struct case_ans *a)
{
	cry_wipe(a, sizeof(*a));
}
