/* doorstep: the expression suite: the tests/expr cases plus API tests. */
/*
 * Each .txt file in tests/expr holds cases people can read (cmark's spec
 * format):
 *
 *   ```` data                      optional; applies to the cases after it
 *   { "age": 30, "member": [ ... ] }
 *   ````
 *
 *   ```` example name of the case
 *   context: /data/member[2]       optional option lines:
 *   now: 1795435200                  context, now (seconds), store: yes,
 *   fast: no                         fast: no (no find_eq fast path)
 *   1 + 2 * 3                      the expression (may span lines)
 *   .
 *   7                              the expected string value, or
 *   ````                           "error DS_CODE: message substring"
 *
 * Every case is also printed, re-parsed and re-printed (the printer must
 * round-trip).  The clock defaults to 2026-11-23T12:00:00+08:00 (TZ is
 * CST-8) and random() uses a fixed seed, so the cases are deterministic.
 */
#include <dirent.h>
#include <stdarg.h>
#include <time.h>

#include "harness.h"

#include "buf.h"
#include "expr.h"
#include "expr_json.h"
#include "json.h"
#include "mem.h"
#include "status.h"
#include "util.h"
#include "val.h"

#define DEFAULT_NOW	1795406400LL	/* 2026-11-23T04:00:00Z */

static int64_t	case_now;
static struct expr_rng rng;

static int64_t
fake_now(void *ctx)
{
	(void)ctx;
	return case_now * 1000;
}

static uint64_t
fake_rand(void *ctx)
{
	(void)ctx;
	return expr_rng_next(&rng);
}

static int cases_pass, cases_fail;

static void
case_fail(const char *file, int line, const char *title, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
case_fail(const char *file, int line, const char *title, const char *fmt,
    ...)
{
	va_list ap;

	printf("not ok expr %s:%d %s: ", file, line, title);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	cases_fail++;
}

/* Print, re-parse, re-print: both prints must be equal. */
static int
round_trip(const struct expr *e, char *why, size_t n)
{
	struct ds_buf a, b;
	struct expr *e2 = NULL;
	struct ds_err err;
	int ok = 0;

	ds_buf_init(&a, 1 << 22);
	ds_buf_init(&b, 1 << 22);
	if (expr_print(e, &a) != DS_OK) {
		snprintf(why, n, "print failed");
		goto out;
	}
	if (expr_parse(a.p, a.len, &e2, &err) != DS_OK) {
		snprintf(why, n, "printed form does not parse: %s: %s", a.p,
		    err.msg);
		goto out;
	}
	if (expr_print(e2, &b) != DS_OK || strcmp(a.p, b.p) != 0) {
		snprintf(why, n, "print not stable: %s / %s", a.p,
		    b.p ? b.p : "");
		goto out;
	}
	ok = 1;
out:
	expr_free(e2);
	ds_buf_reset(&a);
	ds_buf_reset(&b);
	return ok;
}

static void
run_case(const char *file, int line, const char *title, const char *data,
    const char *context, int store, int fast, const char *src,
    const char *want)
{
	struct expr_jdoc *doc = NULL;
	struct expr *e = NULL;
	struct expr_env env;
	struct ds_err err;
	struct val v;
	char *got = NULL, why[1024], gotbuf[DS_ERR_MSG_MAX + 64];
	size_t len;
	enum ds_status st;

	ds_err_clear(&err);
	val_init(&v);
	expr_rng_seed(&rng, 42);
	st = expr_parse(src, strlen(src), &e, &err);
	if (st == DS_OK && !round_trip(e, why, sizeof(why))) {
		case_fail(file, line, title, "%s", why);
		goto out;
	}
	if (st == DS_OK) {
		st = expr_jdoc_new(data, strlen(data), &doc, &err);
		if (st != DS_OK) {
			case_fail(file, line, title, "bad data: %s",
			    err.msg);
			goto out;
		}
		st = expr_jdoc_env(doc, context, fast, &env, &err);
		if (st != DS_OK) {
			case_fail(file, line, title, "bad context: %s",
			    err.msg);
			goto out;
		}
		env.now_ms = fake_now;
		env.rand64 = fake_rand;
		st = expr_eval(e, &env, &v, &err);
	}
	if (st != DS_OK) {
		snprintf(gotbuf, sizeof(gotbuf), "error %s: %s",
		    ds_status_name(st), err.msg);
		if (strncmp(want, "error ", 6) != 0) {
			case_fail(file, line, title, "got '%s', want '%s'",
			    gotbuf, want);
			goto out;
		}
		/* "error DS_X" or "error DS_X: substring" */
		len = strcspn(want + 6, ":");
		if (strncmp(want + 6, ds_status_name(st), len) != 0 ||
		    strlen(ds_status_name(st)) != len ||
		    (want[6 + len] == ':' && strstr(err.msg, want + 8 + len) ==
		    NULL)) {
			case_fail(file, line, title, "got '%s', want '%s'",
			    gotbuf, want);
			goto out;
		}
		printf("ok expr %s:%d %s\n", file, line, title);
		cases_pass++;
		goto out;
	}
	if (val_to_string(&v, store ? VAL_FMT_STORE : 0, &got, &len) !=
	    DS_OK) {
		case_fail(file, line, title, "cannot format");
		goto out;
	}
	if (strcmp(got, want) != 0)
		case_fail(file, line, title, "got '%s', want '%s'", got, want);
	else {
		printf("ok expr %s:%d %s\n", file, line, title);
		cases_pass++;
	}
out:
	ds_free(got);
	val_reset(&v);
	expr_free(e);
	expr_jdoc_free(doc);
}

static int
is_fence(const char *l)
{
	return strncmp(l, "```", 3) == 0;
}

static void
run_file(const char *dir, const char *name)
{
	char path[1024], *text, *p, *nl, *lines[8192];
	struct ds_buf data, src, want;
	char title[256], context[512];
	size_t len, nlines = 0, i;
	int store, fast, start, in_data;
	struct ds_err err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (ds_file_read(path, 4u << 20, &text, &len, &err) != DS_OK) {
		printf("not ok expr %s: %s\n", name, err.msg);
		cases_fail++;
		return;
	}
	for (p = text; *p != '\0' && nlines < 8192; p = nl + 1) {
		lines[nlines++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
	}
	ds_buf_init(&data, 1 << 22);
	ds_buf_init(&src, 1 << 20);
	ds_buf_init(&want, 1 << 20);
	ds_buf_adds(&data, "{}");
	for (i = 0; i < nlines; i++) {
		if (!is_fence(lines[i]))
			continue;
		p = lines[i] + strspn(lines[i], "`");
		p += strspn(p, " ");
		in_data = strncmp(p, "data", 4) == 0;
		if (!in_data && strncmp(p, "example", 7) != 0)
			continue;
		start = (int)i + 1;
		if (in_data) {
			ds_buf_clear(&data);
			for (i++; i < nlines && !is_fence(lines[i]); i++) {
				ds_buf_adds(&data, lines[i]);
				ds_buf_addc(&data, '\n');
			}
			if (data.len == 0)
				ds_buf_adds(&data, "{}");
			continue;
		}
		p += 7;
		p += strspn(p, " :");
		snprintf(title, sizeof(title), "%s", p);
		context[0] = '\0';
		store = 0;
		fast = 1;
		case_now = DEFAULT_NOW;
		ds_buf_clear(&src);
		ds_buf_clear(&want);
		for (i++; i < nlines && !is_fence(lines[i]) &&
		    strcmp(lines[i], ".") != 0; i++) {
			const char *l = lines[i];

			if (src.len == 0 && strncmp(l, "context: ", 9) == 0)
				snprintf(context, sizeof(context), "%s", l + 9);
			else if (src.len == 0 && strncmp(l, "now: ", 5) == 0)
				case_now = strtoll(l + 5, NULL, 10);
			else if (src.len == 0 && strcmp(l, "store: yes") == 0)
				store = 1;
			else if (src.len == 0 && strcmp(l, "fast: no") == 0)
				fast = 0;
			else {
				if (src.len > 0)
					ds_buf_addc(&src, '\n');
				ds_buf_adds(&src, l);
			}
		}
		if (i >= nlines || strcmp(lines[i], ".") != 0) {
			printf("not ok expr %s:%d %s: no '.' line\n", name,
			    start, title);
			cases_fail++;
			continue;
		}
		for (i++; i < nlines && !is_fence(lines[i]); i++) {
			if (want.len > 0)
				ds_buf_addc(&want, '\n');
			ds_buf_adds(&want, lines[i]);
		}
		run_case(name, start, title, data.p, context, store, fast,
		    src.p != NULL ? src.p : "", want.p != NULL ? want.p : "");
	}
	ds_buf_reset(&data);
	ds_buf_reset(&src);
	ds_buf_reset(&want);
	ds_free(text);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_expr_files(void)
{
	const char *top = getenv("DS_TOP");
	char dir[1024], *names[256];
	struct dirent *de;
	size_t n = 0, i, l;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/expr", top ? top : ".");
	OK((d = opendir(dir)) != NULL);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && n < 256) {
		l = strlen(de->d_name);
		if (l > 4 && strcmp(de->d_name + l - 4, ".txt") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		run_file(dir, names[i]);
		free(names[i]);
	}
	OK(n >= 5);
	OK(cases_pass >= 300);
	INT_EQ(cases_fail, 0);
}

/* API tests. */

static struct expr *
parse_ok(const char *s)
{
	struct expr *e = NULL;
	struct ds_err err;

	if (expr_parse(s, strlen(s), &e, &err) != DS_OK)
		HARNESS_FAIL("parse %s: %s", s, err.msg);
	return e;
}

struct refs {
	struct ds_buf	b;
};

static enum ds_status
collect_ref(void *arg, const struct expr_ref *r)
{
	struct refs *rs = arg;
	static const char *const kinds[] = { "name", "path", "instance" };

	return ds_buf_printf(&rs->b, "%s:%s@%zu/%x;", kinds[r->kind], r->text,
	    r->pos, r->flags);
}

static void
test_refs_report_names_paths_and_instances(void)
{
	struct expr *e;
	struct refs rs;

	e = parse_ok("${a} + sum(${b}) + count(../x[. > ${c}]) + "
	    "instance('l')/root/item[name = current()/../q]/label + "
	    "indexed-repeat(${n}, ${r}, 2) + /data/g/z");
	ds_buf_init(&rs.b, 1 << 16);
	ST_EQ(expr_refs(e, collect_ref, &rs), DS_OK, NULL);
	STR_EQ(rs.b.p,
	    "name:a@0/0;"
	    "name:b@11/10;"
	    "path:../x@25/10;"
	    "path:.@30/1;"
	    "name:c@34/1;"
	    "instance:l@43/0;"
	    "path:instance('l')/root/item/label@43/0;"
	    "path:name@67/1;"
	    "path:current()/../q@74/9;"
	    "name:n@113/12;"
	    "name:r@119/12;"
	    "path:/data/g/z@130/4;");
	INT_EQ(expr_flags(e), EXPR_F_CURRENT | EXPR_F_CONTEXT |
	    EXPR_F_INSTANCE);
	ds_buf_reset(&rs.b);
	expr_free(e);

	e = parse_ok("once(concat(today(), random(), position(..)))");
	INT_EQ(expr_flags(e), EXPR_F_ONCE | EXPR_F_VOLATILE |
	    EXPR_F_POSITION | EXPR_F_CONTEXT);
	expr_free(e);
	e = parse_ok("jr:choice-name(${q}, '${q}')");
	INT_EQ(expr_flags(e), EXPR_F_CHOICE);
	expr_free(e);
}

static void
test_refs_stop_early(void)
{
	struct expr *e = parse_ok("${a} + ${b} + ${c}");
	struct refs rs;

	ds_buf_init(&rs.b, 20);	/* room for the first ref only */
	ST_EQ(expr_refs(e, collect_ref, &rs), DS_ELIMIT, NULL);
	ds_buf_reset(&rs.b);
	expr_free(e);
}

static void
test_deep_parentheses_fail_cleanly(void)
{
	struct ds_buf b;
	struct expr *e = NULL;
	struct ds_err err;
	int i;

	ds_buf_init(&b, 1 << 20);
	for (i = 0; i < 10000; i++)
		ds_buf_addc(&b, '(');
	ds_buf_addc(&b, '1');
	for (i = 0; i < 10000; i++)
		ds_buf_addc(&b, ')');
	ST_EQ(expr_parse(b.p, b.len, &e, &err), DS_ELIMIT, &err);
	OK(e == NULL);
	OK(strstr(err.msg, "nested too deeply") != NULL);
	ds_buf_clear(&b);
	for (i = 0; i < 10000; i++)
		ds_buf_adds(&b, "-");
	ds_buf_addc(&b, '1');
	ST_EQ(expr_parse(b.p, b.len, &e, &err), DS_ELIMIT, &err);
	ds_buf_clear(&b);
	for (i = 0; i < 10000; i++)
		ds_buf_adds(&b, "1 + ");
	ds_buf_addc(&b, '1');
	ST_EQ(expr_parse(b.p, b.len, &e, &err), DS_ELIMIT, &err);
	/* but long flat chains of 'or' and concat arguments are fine */
	ds_buf_clear(&b);
	for (i = 0; i < 2000; i++)
		ds_buf_adds(&b, "${a} = 'x' or ");
	ds_buf_adds(&b, "true()");
	ST_EQ(expr_parse(b.p, b.len, &e, &err), DS_OK, &err);
	expr_free(e);
	e = NULL;
	ds_buf_clear(&b);
	ds_buf_adds(&b, "concat('a'");
	for (i = 0; i < 5000; i++)
		ds_buf_adds(&b, ", 'b'");
	ds_buf_adds(&b, ")");
	ST_EQ(expr_parse(b.p, b.len, &e, &err), DS_OK, &err);
	expr_free(e);
	ds_buf_reset(&b);
}

static void
test_source_length_is_limited(void)
{
	char *s = ds_malloc(EXPR_MAX_LEN + 2);
	struct expr *e = NULL;
	struct ds_err err;

	memset(s, ' ', EXPR_MAX_LEN + 1);
	s[0] = '1';
	ST_EQ(expr_parse(s, EXPR_MAX_LEN + 1, &e, &err), DS_ELIMIT, &err);
	ST_EQ(expr_parse(s, EXPR_MAX_LEN, &e, &err), DS_OK, &err);
	expr_free(e);
	ds_free(s);
}

static void
test_number_format_follows_java(void)
{
	static const struct {
		double	d;
		const char *want;
	} t[] = {
		{ 5, "5" }, { -0.0, "0" }, { 0.5, "0.5" }, { 100.25, "100.25" },
		{ 1e-3, "0.001" }, { 1e-4, "1.0E-4" }, { 2.5e-4, "2.5E-4" },
		{ 1234567.5, "1234567.5" }, { 12345678.5, "1.23456785E7" },
		{ 1e15, "1.0E15" }, { 999999999999999.0, "999999999999999" },
		{ 0.1 + 0.2, "0.30000000000000004" }, { 1e300, "1.0E300" },
		{ -1.5, "-1.5" }, { 1.0 / 3, "0.3333333333333333" },
	};
	char buf[VAL_NUMBUF];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		val_fmt_number(t[i].d, buf);
		STR_EQ(buf, t[i].want);
	}
}

static void
test_fast_path_is_used_and_agrees(void)
{
	const char *data = "{\"_instances\": {\"l\": ["
	    "{\"name\": \"a\", \"label\": \"A\"},"
	    "{\"name\": \"b\", \"label\": \"B\"}]}, \"q\": \"b\"}";
	struct expr_jdoc *doc;
	struct expr_env env;
	struct ds_err err;
	struct expr *e;
	struct val v;

	ST_EQ(expr_jdoc_new(data, strlen(data), &doc, &err), DS_OK, &err);
	e = parse_ok("instance('l')/root/item[name = ${q}]/label");
	val_init(&v);
	ST_EQ(expr_jdoc_env(doc, NULL, 1, &env, &err), DS_OK, &err);
	ST_EQ(expr_eval(e, &env, &v, &err), DS_OK, &err);
	STR_EQ(val_str(&v), "B");
	INT_EQ(expr_jdoc_fast_hits(doc), 1);
	ST_EQ(expr_jdoc_env(doc, NULL, 0, &env, &err), DS_OK, &err);
	ST_EQ(expr_eval(e, &env, &v, &err), DS_OK, &err);
	STR_EQ(val_str(&v), "B");
	INT_EQ(expr_jdoc_fast_hits(doc), 1);
	val_reset(&v);
	expr_free(e);
	expr_jdoc_free(doc);
}

static void
test_eval_nodes_returns_the_nodes(void)
{
	const char *data = "{\"m\": [{\"a\": 1}, {\"a\": 2}, {\"a\": 3}]}";
	struct expr_jdoc *doc;
	struct expr_env env;
	struct expr_nodes ns;
	struct ds_err err;
	struct expr *e;

	ST_EQ(expr_jdoc_new(data, strlen(data), &doc, &err), DS_OK, &err);
	ST_EQ(expr_jdoc_env(doc, NULL, 1, &env, &err), DS_OK, &err);
	e = parse_ok("/data/m[a > 1]");
	expr_nodes_init(&ns);
	ST_EQ(expr_eval_nodes(e, &env, &ns, &err), DS_OK, &err);
	INT_EQ(ns.n, 2);
	expr_free(e);
	e = parse_ok("1 + 1");
	ST_EQ(expr_eval_nodes(e, &env, &ns, &err), DS_ETYPE, &err);
	INT_EQ(ns.n, 2);
	expr_nodes_reset(&ns);
	expr_free(e);
	expr_jdoc_free(doc);
}

/*
 * Torture: fail every allocation in turn while parsing and evaluating;
 * each run must end in DS_ENOMEM or success, never a crash or leak
 * (ASan checks the leaks).
 */
static void
test_allocation_failures_are_clean(void)
{
	static const char *const exprs[] = {
		"concat(join(' ', /data/m/a), substr('hello', 1, 3))",
		"sum(/data/m/a) + count(${a}) + max(/data/m/a)",
		"instance('l')/root/item[name = 'b']/label",
		"format-date(date('2024-03-01'), '%Y %b %e')",
		"indexed-repeat(${a}, ${m}, 2) + position(/data/m[2])",
		"regex(translate('abc', 'abc', 'xyz'), '[x-z]+')",
	};
	const char *data = "{\"m\": [{\"a\": 1}, {\"a\": 2}], "
	    "\"_instances\": {\"l\": [{\"name\": \"b\", \"label\": \"B\"}]}}";
	struct expr_jdoc *doc;
	struct expr_env env;
	struct ds_err err;
	struct expr *e;
	struct val v;
	enum ds_status st;
	size_t k;
	long n;
	int done;

	ST_EQ(expr_jdoc_new(data, strlen(data), &doc, &err), DS_OK, &err);
	ST_EQ(expr_jdoc_env(doc, NULL, 1, &env, &err), DS_OK, &err);
	for (k = 0; k < sizeof(exprs) / sizeof(exprs[0]); k++) {
		done = 0;
		for (n = 1; n < 200 && !done; n++) {
			e = NULL;
			val_init(&v);
			ds_fault_arm(DS_FAULT_ALLOC, n, 0);
			st = expr_parse(exprs[k], strlen(exprs[k]), &e, &err);
			if (st == DS_OK)
				st = expr_eval(e, &env, &v, &err);
			done = ds_fault_fired(DS_FAULT_ALLOC) == 0;
			ds_fault_disarm(DS_FAULT_ALLOC);
			if (st != DS_OK && st != DS_ENOMEM)
				HARNESS_FAIL("%s at fault %ld: %s", exprs[k],
				    n, err.msg);
			if (done && st != DS_OK)
				HARNESS_FAIL("%s failed with no fault: %s",
				    exprs[k], err.msg);
			val_reset(&v);
			expr_free(e);
		}
		OK(done);
	}
	expr_jdoc_free(doc);
}

int
main(void)
{
	setenv("TZ", "CST-8", 1);
	tzset();
	ds_json_init();
	RUN(test_expr_files);
	printf("# %d expression cases passed, %d failed\n", cases_pass,
	    cases_fail);
	RUN(test_refs_report_names_paths_and_instances);
	RUN(test_refs_stop_early);
	RUN(test_deep_parentheses_fail_cleanly);
	RUN(test_source_length_is_limited);
	RUN(test_number_format_follows_java);
	RUN(test_fast_path_is_used_and_agrees);
	RUN(test_eval_nodes_returns_the_nodes);
	RUN(test_allocation_failures_are_clean);
	return harness_done();
}
