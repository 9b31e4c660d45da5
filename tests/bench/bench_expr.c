/* doorstep benchmark: parse and evaluate typical household expressions. */
/*
 * The expression layer alone, against the JSON tree of `doorstep expr`
 * (linear lookups, so an upper bound for the engine's indexed tree): parse
 * time per expression, and evaluation time of relevance, constraint and
 * roster aggregates on a 15-member household.  Not a test; figures go in
 * docs/performance.md.
 */
#include <stdio.h>
#include <string.h>

#include "bench_common.h"
#include "buf.h"
#include "expr.h"
#include "expr_json.h"
#include "json.h"
#include "util.h"
#include "val.h"

#define RUNS	20000

static const char *const exprs[] = {
	"${age} >= 16 and ${age} < 60 and selected(${work}, 'farm')",
	"sum(${income}) div count(${member}) < 4500",
	"count(${member}[age < 18])",
	"id-card-valid(${id}) and age(id-card-birth-date(${id})) = ${age}",
	"instance('villages')/root/item[name = ${village}]/label",
	"if(${hh_size} > 0, round(${total} div ${hh_size}, 2), '')",
	"concat(${name}, ' (', jr:choice-name(${sex}, '${sex}'), ')')",
	"regex(${phone}, '1[3-9]\\d{9}')",
};

int
main(void)
{
	struct ds_buf data;
	struct expr_jdoc *doc;
	struct expr_env env;
	struct expr *e[sizeof(exprs) / sizeof(exprs[0])];
	struct ds_err err;
	struct val v;
	uint64_t t0, t1, ns[RUNS];
	size_t k, i, n = sizeof(exprs) / sizeof(exprs[0]);

	bench_machine("start", NULL);
	ds_json_init();
	ds_buf_init(&data, 1 << 20);
	ds_buf_adds(&data, "{\"hh_size\": 15, \"total\": 60000, \"village\": "
	    "\"v150\", \"member\": [");
	for (i = 0; i < 15; i++)
		ds_buf_printf(&data, "%s{\"name\": \"m%zu\", \"age\": %zu, "
		    "\"sex\": \"%s\", \"work\": \"farm other\", \"income\": "
		    "%zu, \"id\": \"11010519491231002X\", \"phone\": "
		    "\"13800138000\"}", i ? "," : "", i, 5 * i + 3,
		    i % 2 ? "male" : "female", 1000 * i);
	ds_buf_adds(&data, "], \"_instances\": {\"villages\": [");
	for (i = 0; i < 300; i++)
		ds_buf_printf(&data, "%s{\"name\": \"v%zu\", \"label\": "
		    "\"Village %zu\"}", i ? "," : "", i, i);
	ds_buf_adds(&data, "]}, \"_choices\": {\"sex\": {\"male\": \"M\", "
	    "\"female\": \"F\"}}}");
	if (expr_jdoc_new(data.p, data.len, &doc, &err) != DS_OK ||
	    expr_jdoc_env(doc, "/data/member[8]/age", 1, &env, &err) !=
	    DS_OK) {
		fprintf(stderr, "bench_expr: %s\n", err.msg);
		return 1;
	}
	printf("%-66s %9s %9s %9s\n", "expression", "parse_us", "eval_p50",
	    "eval_p99");
	for (k = 0; k < n; k++) {
		t0 = bench_cpu_ns();
		for (i = 0; i < 1000; i++) {
			if (expr_parse(exprs[k], strlen(exprs[k]), &e[k],
			    &err) != DS_OK) {
				fprintf(stderr, "bench_expr: %s\n", err.msg);
				return 1;
			}
			if (i < 999)
				expr_free(e[k]);
		}
		t1 = bench_cpu_ns();
		val_init(&v);
		for (i = 0; i < RUNS; i++) {
			uint64_t a = bench_cpu_ns();

			if (expr_eval(e[k], &env, &v, &err) != DS_OK) {
				fprintf(stderr, "bench_expr: %s: %s\n",
				    exprs[k], err.msg);
				return 1;
			}
			ns[i] = bench_cpu_ns() - a;
		}
		val_reset(&v);
		printf("%-66.66s %9.2f %8.2fus %8.2fus\n", exprs[k],
		    (double)(t1 - t0) / 1000.0 / 1000.0,
		    (double)bench_quantile(ns, RUNS, 0.5) / 1000.0,
		    (double)bench_quantile(ns, RUNS, 0.99) / 1000.0);
		expr_free(e[k]);
	}
	expr_jdoc_free(doc);
	ds_buf_reset(&data);
	bench_machine("end", NULL);
	return 0;
}
