/* doorstep benchmark: add and delete one of 1,000 roster members. */
/*
 * A roster of 1,000 items, each with position(..) and a value, and sum()
 * and count() outside.  Measures eng_repeat_insert in the middle and
 * eng_repeat_remove of the first item (all position() users after it and
 * the sums recompute), 200 times each: median and max (goal < 5 ms; ODK
 * Collect took 4.25 s to delete one of 1,000, javarosa#219).  Baseline: a
 * full recompute of the whole instance, measured in the same run.
 */
#include <stdio.h>
#include <string.h>

#include "bench_common.h"
#include "eng.h"
#include "eng_int.h"
#include "form.h"
#include "json.h"
#include "xls.h"

#define ITEMS	1000
#define RUNS	200

static const char *MD =
"| survey |\n"
"| | type | name | label | calculation |\n"
"| | begin repeat | member | Member | |\n"
"| | integer | age | Age | |\n"
"| | calculate | idx | | position(..) |\n"
"| | calculate | label2 | | concat('No. ', ${idx}) |\n"
"| | end repeat | | | |\n"
"| | calculate | total | | sum(${age}) |\n"
"| | calculate | n | | count(${member}) |\n";

int
main(void)
{
	struct xls_opts o;
	struct form_diags d;
	struct form *f;
	struct eng_form *cf;
	struct eng *e;
	struct ds_err err;
	static uint64_t ta[RUNS], td[RUNS], tf[RUNS], ca[RUNS], cd[RUNS];
	uint64_t c0;
	char path[64];
	uint64_t t0;
	int i;

	bench_machine("start", NULL);
	ds_json_init();
	memset(&o, 0, sizeof(o));
	o.source = "roster.md";
	form_diags_init(&d);
	if (form_load_md(MD, strlen(MD), &o, &f, &d) != DS_OK ||
	    eng_compile(f, &cf, &d) != DS_OK ||
	    eng_open(cf, NULL, &e, &err) != DS_OK) {
		fprintf(stderr, "bench_roster: cannot open the form\n");
		return 1;
	}
	for (i = 0; i < ITEMS; i++) {
		eng_repeat_add(e, "member", &err);
		snprintf(path, sizeof(path), "member[%d]/age", i + 1);
		eng_set(e, path, "30", &err);
	}
	for (i = 0; i < RUNS; i++) {
		c0 = bench_cpu_ns();
		t0 = ds_mono_ns();
		if (eng_repeat_remove(e, "member", 0, &err) != DS_OK) {
			fprintf(stderr, "bench_roster: %s\n", err.msg);
			return 1;
		}
		td[i] = ds_mono_ns() - t0;
		cd[i] = bench_cpu_ns() - c0;
		c0 = bench_cpu_ns();
		t0 = ds_mono_ns();
		if (eng_repeat_insert(e, "member", ITEMS / 2, &err) != DS_OK) {
			fprintf(stderr, "bench_roster: %s\n", err.msg);
			return 1;
		}
		ta[i] = ds_mono_ns() - t0;
		ca[i] = bench_cpu_ns() - c0;
		t0 = ds_mono_ns();
		eng_compute_all(e, 0);
		tf[i] = ds_mono_ns() - t0;
	}
	if (strcmp(eng_value(e, "n"), "1000") != 0 ||
	    strcmp(eng_value(e, "member[1000]/idx"), "1000") != 0) {
		fprintf(stderr, "bench_roster: wrong result\n");
		return 1;
	}
	printf("roster: %d items, %d runs\n", ITEMS, RUNS);
	printf("baseline (full recompute): median %.3f ms\n",
	    bench_quantile(tf, RUNS, 0.5) / 1e6);
	printf("delete first, wall: median %.3f ms, max %.3f ms (goal < 5 ms)\n",
	    bench_quantile(td, RUNS, 0.5) / 1e6,
	    bench_quantile(td, RUNS, 1.0) / 1e6);
	printf("insert middle, wall: median %.3f ms, max %.3f ms (goal < 5 ms)\n",
	    bench_quantile(ta, RUNS, 0.5) / 1e6,
	    bench_quantile(ta, RUNS, 1.0) / 1e6);
	printf("thread CPU time: delete median %.3f ms, max %.3f ms; insert "
	    "median %.3f ms, max %.3f ms\n", bench_quantile(cd, RUNS, 0.5) / 1e6,
	    bench_quantile(cd, RUNS, 1.0) / 1e6,
	    bench_quantile(ca, RUNS, 0.5) / 1e6,
	    bench_quantile(ca, RUNS, 1.0) / 1e6);
	printf("ratio delete / full recompute: %.2f\n",
	    (double)bench_quantile(td, RUNS, 0.5) /
	    (double)bench_quantile(tf, RUNS, 0.5));
	eng_free(e);
	eng_form_free(cf);
	form_free(f);
	form_diags_reset(&d);
	bench_machine("end", NULL);
	return 0;
}
