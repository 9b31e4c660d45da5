/* doorstep: libFuzzer target for the expression parser and evaluator. */
/*
 * The first byte picks options (cmark's fuzzer): bit 0 evaluates against a
 * small household tree, bit 1 skips the print round trip, bit 2 puts the
 * context inside the roster, bit 3 offers the find_eq fast path.  The rest
 * is the expression.  Invariants checked after each input: a parsed
 * expression prints to text that parses and prints the same; every
 * reference the walker reports is NUL-terminated at its length; the
 * evaluator returns a status, never crashes; nothing leaks (ASan).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "expr.h"
#include "expr_json.h"
#include "json.h"
#include "val.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char data[] =
    "{\"hh\": {\"size\": 3, \"head\": \"Wang\"},"
    " \"member\": [{\"name\": \"Wang\", \"age\": 45, \"dob\": \"1980-05-10\"},"
    " {\"name\": \"Li\", \"age\": \"\", \"dob\": \"\"}],"
    " \"_types\": {\"dob\": \"date\"},"
    " \"_instances\": {\"l\": [{\"name\": \"a\", \"label\": \"A\"},"
    " {\"name\": \"b\", \"label\": \"B\"}]},"
    " \"_choices\": {\"name\": {\"Li\": \"LI\"}}}";

static int64_t
fixed_now(void *ctx)
{
	(void)ctx;
	return 1795406400000LL;
}

static enum ds_status
check_ref(void *arg, const struct expr_ref *r)
{
	size_t *n = arg;

	if (r->text == NULL || strlen(r->text) != r->len)
		abort();
	(*n)++;
	return DS_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	struct expr *e = NULL, *e2 = NULL;
	struct expr_jdoc *doc = NULL;
	struct expr_env env;
	struct ds_buf a, b;
	struct ds_err err;
	struct val v;
	size_t nrefs = 0;
	unsigned opt;

	if (len < 1 || len > 4096)
		return 0;
	opt = buf[0];
	buf++;
	len--;
	ds_json_init();
	ds_buf_init(&a, 1 << 20);
	ds_buf_init(&b, 1 << 20);
	val_init(&v);
	if (expr_parse((const char *)buf, len, &e, &err) != DS_OK)
		goto out;
	(void)expr_flags(e);
	(void)expr_refs(e, check_ref, &nrefs);
	if (!(opt & 2) && expr_print(e, &a) == DS_OK) {
		if (expr_parse(a.p, a.len, &e2, &err) != DS_OK)
			abort();	/* printed text must parse */
		if (expr_print(e2, &b) != DS_OK || strcmp(a.p, b.p) != 0)
			abort();	/* and print the same */
	}
	if ((opt & 1) && expr_jdoc_new(data, sizeof(data) - 1, &doc,
	    &err) == DS_OK && expr_jdoc_env(doc, (opt & 4) ?
	    "/data/member[1]/age" : NULL, (opt & 8) != 0, &env, &err) ==
	    DS_OK) {
		env.now_ms = fixed_now;
		(void)expr_eval(e, &env, &v, &err);
	}
out:
	val_reset(&v);
	expr_free(e);
	expr_free(e2);
	expr_jdoc_free(doc);
	ds_buf_reset(&a);
	ds_buf_reset(&b);
	return 0;
}
