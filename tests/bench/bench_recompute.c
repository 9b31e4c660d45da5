/* doorstep benchmark: per-answer recompute on a 15-member household. */
/*
 * A household form with a 15-member roster: per member name, age, income
 * and calculates position(..), adult flag and share of income; outside
 * sum(), count(), per-capita income and a relevance that reads them.
 * Measures eng_set of a random member's age or income (with everything
 * that depends on it recomputed) over 5,000 answers: median and p99 (goal
 * p99 < 1 ms, issue 3).  Baseline: eng_set of a text answer nothing
 * depends on, in the same run.
 */
#include <stdio.h>
#include <string.h>

#include "bench_common.h"
#include "eng.h"
#include "form.h"
#include "json.h"
#include "xls.h"

#define N	5000
#define MEMBERS	15

static const char *MD =
"| survey |\n"
"| | type | name | label | calculation | relevant | constraint |\n"
"| | text | village | Village | | | |\n"
"| | text | remark | Remark | | | |\n"
"| | begin repeat | member | Member | | | |\n"
"| | text | mname | Name | | | |\n"
"| | integer | age | Age | | | . >= 0 and . < 130 |\n"
"| | decimal | income | Income | | | . >= 0 |\n"
"| | calculate | idx | | position(..) | | |\n"
"| | calculate | adult | | if(${age} >= 18, 1, 0) | | |\n"
"| | calculate | share | | if(${total} > 0, ${income} div ${total}, 0) | | |\n"
"| | text | job | Job | | ${age} >= 16 | |\n"
"| | end repeat | | | | | |\n"
"| | calculate | total | | sum(${income}) | | |\n"
"| | calculate | adults | | sum(${adult}) | | |\n"
"| | calculate | size | | count(${member}) | | |\n"
"| | calculate | percap | | if(${size} > 0, ${total} div ${size}, 0) | | |\n"
"| | note | poor | Below the line | | ${percap} < 9100 | |\n";

int
main(void)
{
	struct xls_opts o;
	struct form_diags d;
	struct form *f;
	struct eng_form *cf;
	struct eng *e;
	struct ds_err err;
	static uint64_t t[N], tb[N], tc[N];
	uint64_t c0;
	char path[64], val[32];
	uint64_t t0, r = 12345;
	int i;

	bench_machine("start", NULL);
	ds_json_init();
	memset(&o, 0, sizeof(o));
	o.source = "household.md";
	form_diags_init(&d);
	if (form_load_md(MD, strlen(MD), &o, &f, &d) != DS_OK ||
	    eng_compile(f, &cf, &d) != DS_OK ||
	    eng_open(cf, NULL, &e, &err) != DS_OK) {
		fprintf(stderr, "bench_recompute: cannot open the form\n");
		return 1;
	}
	for (i = 0; i < MEMBERS; i++) {
		eng_repeat_add(e, "member", &err);
		snprintf(path, sizeof(path), "member[%d]/age", i + 1);
		snprintf(val, sizeof(val), "%d", 5 + i * 5);
		eng_set(e, path, val, &err);
		snprintf(path, sizeof(path), "member[%d]/income", i + 1);
		eng_set(e, path, "1000", &err);
	}
	for (i = 0; i < N; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		snprintf(path, sizeof(path), "member[%d]/%s",
		    (int)((r >> 33) % MEMBERS) + 1, (r >> 20) & 1 ? "age" :
		    "income");
		snprintf(val, sizeof(val), "%d", (int)((r >> 40) % 100));
		c0 = bench_cpu_ns();
		t0 = ds_mono_ns();
		if (eng_set(e, path, val, &err) != DS_OK) {
			fprintf(stderr, "bench_recompute: %s\n", err.msg);
			return 1;
		}
		t[i] = ds_mono_ns() - t0;
		tc[i] = bench_cpu_ns() - c0;
		snprintf(val, sizeof(val), "r%d", i);
		t0 = ds_mono_ns();
		eng_set(e, "remark", val, &err);
		tb[i] = ds_mono_ns() - t0;
	}
	printf("household: %d members, %d answers\n", MEMBERS, N);
	printf("baseline (answer with no dependants): median %.1f us\n",
	    bench_quantile(tb, N, 0.5) / 1e3);
	printf("answer + recompute, wall: median %.1f us, p99 %.1f us, max %.1f us "
	    "(goal p99 < 1000 us)\n", bench_quantile(t, N, 0.5) / 1e3,
	    bench_quantile(t, N, 0.99) / 1e3, bench_quantile(t, N, 1.0) / 1e3);
	printf("answer + recompute, thread CPU time: median %.1f us, p99 "
	    "%.1f us, max %.1f us\n", bench_quantile(tc, N, 0.5) / 1e3,
	    bench_quantile(tc, N, 0.99) / 1e3, bench_quantile(tc, N, 1.0) / 1e3);
	printf("ratio median / baseline: %.1f\n",
	    (double)bench_quantile(t, N, 0.5) /
	    (double)bench_quantile(tb, N, 0.5));
	eng_free(e);
	eng_form_free(cf);
	form_free(f);
	form_diags_reset(&d);
	bench_machine("end", NULL);
	return 0;
}
