/* doorstep: imp_fork_compare, question by question, at its edges. */
/*
 * Two revisions of one parent: which answer paths changed, whether one
 * changed on both sides to different values (a conflict, and then only
 * those are named), the paths of nested groups and repeats, the limits on
 * nesting and path length, the list cut to fit, and memory failing at
 * each allocation.  Real jansson documents, no database needed.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support/support.h"

#include "imp.h"
#include "json.h"
#include "mem.h"
#include "status.h"

#define Q_MAX	256

/* Compare; the status, and conflict and the list in c and q. */
static enum ds_status
cmp(const char *base, const char *a, const char *b, int *c, char *q)
{
	struct ds_err err;

	*c = -1;
	ds_err_clear(&err);
	return imp_fork_compare(base, a, b, c, q, Q_MAX, &err);
}

#define SAME(base, a, b, wantc, wantq) do {				\
	char q_[Q_MAX];							\
	int c_;								\
	ST_EQ(cmp((base), (a), (b), &c_, q_), DS_OK, NULL);		\
	INT_EQ(c_, (wantc));						\
	STR_EQ(q_, (wantq));						\
} while (0)

/*
 * Changed on one side, on both to the same value, on both to different
 * values; gone on one side or both; and which paths the list names.
 */
static void
test_fork_paths(void)
{
	SAME("{\"a\":1,\"b\":1}", "{\"a\":2,\"b\":1}", "{\"a\":1,\"b\":1}",
	    0, "a");
	SAME("{\"a\":1,\"b\":1}", "{\"a\":1,\"b\":1}", "{\"a\":1,\"b\":3}",
	    0, "b");
	SAME("{\"a\":1,\"b\":1}", "{\"a\":2,\"b\":1}", "{\"a\":1,\"b\":3}",
	    0, "a, b");
	SAME("{\"a\":1}", "{\"a\":1}", "{\"a\":1}", 0, "");
	SAME("{}", "{}", "{}", 0, "");
	/* Sorted, whatever order the documents hold them in. */
	SAME("{\"z\":1,\"b\":1,\"m\":1}", "{\"m\":2,\"z\":2,\"b\":2}",
	    "{\"z\":1,\"b\":1,\"m\":1}", 0, "b, m, z");
	/* A conflict names only the paths in conflict. */
	SAME("{\"x\":1,\"y\":1,\"z\":1}", "{\"x\":2,\"y\":2,\"z\":1}",
	    "{\"x\":3,\"y\":1,\"z\":2}", 1, "x");
	SAME("{\"x\":1,\"y\":1}", "{\"x\":2,\"y\":2}", "{\"x\":3,\"y\":3}",
	    1, "x, y");
	SAME("{\"x\":1,\"y\":1}", "{\"x\":2,\"y\":2}", "{\"x\":2,\"y\":3}",
	    1, "y");
	/* Gone on one side is a change; gone on both is the same change. */
	SAME("{\"a\":1}", "{}", "{\"a\":1}", 0, "a");
	SAME("{\"a\":1}", "{\"a\":1}", "{}", 0, "a");
	SAME("{\"a\":1}", "{}", "{\"a\":2}", 1, "a");
	SAME("{\"a\":1}", "{\"a\":2}", "{}", 1, "a");
	SAME("{\"a\":1}", "{}", "{}", 0, "a");
	SAME("{}", "{\"a\":1}", "{\"a\":1}", 0, "a");
	SAME("{}", "{\"a\":1}", "{\"a\":2}", 1, "a");
	/* No parent here: every path is new on both sides. */
	SAME(NULL, "{\"a\":1,\"b\":1}", "{\"a\":1,\"b\":2}", 1, "b");
	SAME(NULL, "{\"a\":1}", "{\"a\":1}", 0, "a");
	/* Groups and repeats: paths, 1-based, nested. */
	SAME("{\"m\":[{\"n\":\"a\"},{\"n\":\"b\"}]}",
	    "{\"m\":[{\"n\":\"A\"},{\"n\":\"b\"}]}",
	    "{\"m\":[{\"n\":\"a\"},{\"n\":\"B\"}]}", 0, "m[1]/n, m[2]/n");
	SAME("{\"m\":[{\"n\":\"a\"},{\"n\":\"b\"}]}",
	    "{\"m\":[{\"n\":\"a\"},{\"n\":\"x\"}]}",
	    "{\"m\":[{\"n\":\"a\"},{\"n\":\"y\"}]}", 1, "m[2]/n");
	SAME("{\"g\":{\"h\":{\"i\":1}}}", "{\"g\":{\"h\":{\"i\":2}}}",
	    "{\"g\":{\"h\":{\"i\":1},\"j\":[5,6]}}", 0, "g/h/i, g/j[1], g/j[2]");
	/* A member added on one side. */
	SAME("{\"m\":[1]}", "{\"m\":[1,2]}", "{\"m\":[1]}", 0, "m[2]");
	/* Empty groups and repeats are values of their own. */
	SAME("{\"a\":1}", "{\"a\":{}}", "{\"a\":[]}", 1, "a");
	SAME("{\"a\":{}}", "{\"a\":{}}", "{\"a\":[]}", 0, "a");
	SAME("{\"a\":{}}", "{\"a\":{}}", "{\"a\":{\"x\":1}}", 0, "a, a/x");
	SAME("{\"a\":[]}", "{\"a\":[]}", "{\"a\":[1]}", 0, "a, a[1]");
	/* A document that is not an object. */
	SAME("5", "6", "7", 1, "(root)");
	SAME("[1]", "[1]", "[2]", 0, "[1]");
	/* The session state is not an answer, at the top only. */
	SAME("{\"_meta\":{\"p\":1}}", "{\"_meta\":{\"p\":2}}",
	    "{\"_meta\":{\"p\":3}}", 0, "");
	SAME("{\"g\":{\"_meta\":1}}", "{\"g\":{\"_meta\":2}}",
	    "{\"g\":{\"_meta\":3}}", 1, "g/_meta");
}

/*
 * n groups one in another around a value, in an object: {"a":{"a":...1}}
 * (arr 0), or repeats {"a":[[...[1]...]]} (arr 1: the object and n - 1
 * arrays).
 */
static char *
nested(int n, int arr)
{
	char *s = malloc((size_t)n * 6 + 8);
	size_t off = 0;
	int i;

	if (s == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if (arr && i > 0)
			s[off++] = '[';
		else {
			memcpy(s + off, "{\"a\":", 5);
			off += 5;
		}
	}
	s[off++] = '1';
	for (i = n - 1; i >= 0; i--)
		s[off++] = arr && i > 0 ? ']' : '}';
	s[off] = '\0';
	return s;
}

/* {"K":1} with a key of n bytes. */
static char *
long_key(size_t n, char ch)
{
	char *s = malloc(n + 8);

	if (s == NULL)
		abort();
	s[0] = '{';
	s[1] = '"';
	memset(s + 2, ch, n);
	memcpy(s + 2 + n, "\":1}", 5);
	return s;
}

/*
 * 32 levels of groups compare; 33 are refused as too deep (DS_ELIMIT),
 * on any of the three sides.  A path of 511 bytes compares; 512 is
 * refused.
 */
static void
test_fork_limits(void)
{
	char q[Q_MAX], *ok = nested(32, 0), *deep = nested(33, 0);
	char *aok = nested(32, 1), *adeep = nested(33, 1);
	char *k511 = long_key(511, 'k'), *k512 = long_key(512, 'k');
	char *j511 = long_key(511, 'j');
	int c;

	ST_EQ(cmp(ok, ok, ok, &c, q), DS_OK, NULL);
	INT_EQ(c, 0);
	ST_EQ(cmp(deep, "{}", "{}", &c, q), DS_ELIMIT, NULL);
	ST_EQ(cmp("{}", deep, "{}", &c, q), DS_ELIMIT, NULL);
	ST_EQ(cmp("{}", "{}", deep, &c, q), DS_ELIMIT, NULL);
	INT_EQ(c, 0);
	ST_EQ(cmp(aok, aok, aok, &c, q), DS_OK, NULL);
	ST_EQ(cmp(adeep, "{}", "{}", &c, q), DS_ELIMIT, NULL);
	ST_EQ(cmp(k511, k511, j511, &c, q), DS_OK, NULL);
	ST_EQ(cmp(k512, "{}", "{}", &c, q), DS_ELIMIT, NULL);
	ST_EQ(cmp("{}", "{}", k512, &c, q), DS_ELIMIT, NULL);
	/* Nested: 300 + "/" + 210 = 511 bytes, then 512; a repeat's
	 * index counts too. */
	{
		char *t = malloc(2048);
		static const struct {
			size_t	 k1, k2;
			int	 arr;
			enum ds_status want;
		} v[] = {
			{ 300, 210, 0, DS_OK }, { 300, 211, 0, DS_ELIMIT },
			{ 300, 207, 1, DS_OK }, { 300, 208, 1, DS_ELIMIT },
		};
		size_t i;

		if (t == NULL)
			abort();
		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			size_t off = 0;

			t[off++] = '{';
			t[off++] = '"';
			memset(t + off, 'p', v[i].k1);
			off += v[i].k1;
			memcpy(t + off, "\":{\"", 4);
			off += 4;
			memset(t + off, 'q', v[i].k2);
			off += v[i].k2;
			snprintf(t + off, 16, "%s", v[i].arr ? "\":[1]}}" :
			    "\":1}}");
			if (cmp(t, "{}", "{}", &c, q) != v[i].want)
				HARNESS_FAIL("case %zu: want %s", i,
				    ds_status_name(v[i].want));
		}
		free(t);
	}
	ST_EQ(cmp("{", "{}", "{}", &c, q), DS_EPARSE, NULL);
	ST_EQ(cmp("{}", "[", "{}", &c, q), DS_EPARSE, NULL);
	ST_EQ(cmp("{}", "{}", "x", &c, q), DS_EPARSE, NULL);
	free(ok);
	free(deep);
	free(aok);
	free(adeep);
	free(k511);
	free(k512);
	free(j511);
}

/*
 * The list fits qmax bytes with its NUL: whole when it fits, else whole
 * names and ", ..." (only "..." cut when qmax is tiny); qmax 0 writes
 * nothing.
 */
static void
test_fork_list_fits(void)
{
	static const char *base = "{}";
	static const char *a = "{\"aa\":1,\"bb\":1,\"cc\":1}";
	static const struct {
		size_t		 qmax;
		const char	*want;
	} v[] = {
		{ 1, "" }, { 2, "." }, { 3, ".." }, { 4, "..." },
		{ 7, "..." }, { 8, "aa, ..." }, { 10, "aa, ..." },
		{ 11, "aa, bb, cc" }, { 100, "aa, bb, cc" },
	};
	/* Four names: the cut where each name's separator counts. */
	static const char *a4 = "{\"aa\":1,\"bb\":1,\"cc\":1,\"dd\":1}";
	static const struct {
		size_t		 qmax;
		const char	*want;
	} v4[] = {
		{ 10, "aa, ..." }, { 11, "aa, ..." }, { 12, "aa, bb, ..." },
		{ 14, "aa, bb, ..." }, { 15, "aa, bb, cc, dd" },
	};
	struct ds_err err;
	char q[128];
	size_t i;
	int c;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		memset(q, 'Z', sizeof(q));
		ST_EQ(imp_fork_compare(base, a4, base, &c, q, v4[i].qmax, &err),
		    DS_OK, &err);
		if (strcmp(q, v4[i].want) != 0)
			HARNESS_FAIL("4 names, qmax %zu: \"%s\", want \"%s\"",
			    v4[i].qmax, q, v4[i].want);
	}
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(q, 'Z', sizeof(q));
		ST_EQ(imp_fork_compare(base, a, base, &c, q, v[i].qmax, &err),
		    DS_OK, &err);
		if (strlen(q) >= v[i].qmax || strcmp(q, v[i].want) != 0)
			HARNESS_FAIL("qmax %zu: \"%s\", want \"%s\"",
			    v[i].qmax, q, v[i].want);
		if (q[v[i].qmax] != 'Z')
			HARNESS_FAIL("qmax %zu: wrote past it", v[i].qmax);
	}
	memset(q, 'Z', sizeof(q));
	ST_EQ(imp_fork_compare(base, a, base, &c, q, 0, &err), DS_OK, &err);
	INT_EQ(q[0], 'Z');
	INT_EQ(c, 0);
	/* Nothing changed: an empty list, even in one byte. */
	memset(q, 'Z', sizeof(q));
	ST_EQ(imp_fork_compare(a, a, a, &c, q, 1, &err), DS_OK, &err);
	INT_EQ(q[0], '\0');
	INT_EQ(q[1], 'Z');
}

/*
 * Memory failing at each allocation: an error, DS_ENOMEM, never a
 * verdict; then it succeeds with the same answer.
 */
static void
test_fork_out_of_memory(void)
{
	struct ds_err err;
	char q[Q_MAX];
	long k;
	int c;
	enum ds_status st;

	int base;

	/* With the parent, without (base NULL), and empty answers; the
	 * sweep must fail each allocation a clean compare makes. */
	for (base = 0; base < 3; base++) {
		const char *p = base == 1 ? NULL : base == 2 ? "{}" :
		    "{\"m\":[{\"n\":1}],\"x\":1}";
		const char *x = base == 2 ? "{}" :
		    "{\"m\":[{\"n\":2}],\"x\":2}";
		long allocs;

		ds_fault_arm(DS_FAULT_ALLOC, LONG_MAX, 0);
		ST_EQ(imp_fork_compare(p, x, "{\"m\":[{\"n\":3}],\"x\":2}",
		    &c, q, sizeof(q), &err), DS_OK, &err);
		allocs = ds_fault_checks(DS_FAULT_ALLOC);
		ds_fault_disarm(DS_FAULT_ALLOC);
		for (k = 1; k < 1000; k++) {
			ds_fault_arm(DS_FAULT_ALLOC, k, 0);
			ds_err_clear(&err);
			c = -1;
			st = imp_fork_compare(p, x,
			    "{\"m\":[{\"n\":3}],\"x\":2}", &c, q, sizeof(q),
			    &err);
			ds_fault_disarm(DS_FAULT_ALLOC);
			if (st == DS_OK) {
				INT_EQ(c, base < 2);
				STR_EQ(q, base < 2 ? "m[1]/n" : "m[1]/n, x");
				break;
			}
			if (st != DS_ENOMEM)
				HARNESS_FAIL("base %d, allocation %ld: %s (%s)",
				    base, k, ds_status_name(st), err.msg);
		}
		INT_EQ(k, allocs + 1);
	}
}

int
main(void)
{
	ds_json_init();
	RUN(test_fork_paths);
	RUN(test_fork_limits);
	RUN(test_fork_list_fits);
	RUN(test_fork_out_of_memory);
	return harness_done();
}
