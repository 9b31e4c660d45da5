/* doorstep benchmark: load and compile a generated 2,000-question form. */
/*
 * The form: 2,000 questions in 100 groups, 200 choice lists of 20 choices,
 * a relevant on every fifth question, a constraint on every integer, a
 * calculate chain every tenth row.  Measures form_load_md + eng_compile
 * (goal < 50 ms, issue 3) against form_load_md alone (the baseline: the
 * ratio is what compiling adds).  Prints the median and max of 21 runs.
 */
#include <stdio.h>
#include <string.h>

#include "bench_common.h"
#include "buf.h"
#include "eng.h"
#include "form.h"
#include "json.h"
#include "mem.h"
#include "xls.h"

#define NQ	2000
#define NL	200
#define NC	20
#define RUNS	21

static char *
gen(size_t *lenp)
{
	struct ds_buf b;
	int i, j;

	ds_buf_init(&b, 64u << 20);
	ds_buf_adds(&b, "| survey |\n|  | type | name | label | relevant | "
	    "constraint | calculation |\n");
	for (i = 0; i < NQ; i++) {
		if (i % 20 == 0)
			ds_buf_printf(&b, "| | begin group | g%d | Group %d | "
			    "| | |\n", i / 20, i / 20);
		if (i % 10 == 9)
			ds_buf_printf(&b, "| | calculate | q%d | | | | "
			    "coalesce(${q%d}, 0) + 1 |\n", i, i - 1);
		else if (i % 3 == 0)
			ds_buf_printf(&b, "| | select_one l%d | q%d | Question "
			    "%d | %s | | |\n", i % NL, i, i,
			    i % 5 == 0 && i > 0 ? "${q0} != 'c1'" : "");
		else
			ds_buf_printf(&b, "| | integer | q%d | Question %d | "
			    "%s | . >= 0 and . < 1000 | |\n", i, i,
			    i % 5 == 0 ? "${q0} != 'c1'" : "");
		if (i % 20 == 19)
			ds_buf_adds(&b, "| | end group | | | | | |\n");
	}
	ds_buf_adds(&b, "| choices |\n| | list_name | name | label |\n");
	for (i = 0; i < NL; i++)
		for (j = 0; j < NC; j++)
			ds_buf_printf(&b, "| | l%d | c%d | Choice %d |\n", i, j,
			    j);
	ds_buf_adds(&b, "| settings |\n| | form_id | version |\n"
	    "| | bench | 1 |\n");
	return ds_buf_take(&b, lenp);
}

int
main(void)
{
	uint64_t t_load[RUNS], t_all[RUNS], t0;
	struct xls_opts o;
	struct form_diags d;
	struct form *f;
	struct eng_form *cf;
	size_t len;
	char *md;
	int i;

	bench_machine("start", NULL);
	ds_json_init();
	md = gen(&len);
	memset(&o, 0, sizeof(o));
	o.source = "bench.md";
	for (i = 0; i < RUNS; i++) {
		form_diags_init(&d);
		t0 = ds_mono_ns();
		if (form_load_md(md, len, &o, &f, &d) != DS_OK) {
			fprintf(stderr, "bench_form_load: load failed\n");
			return 1;
		}
		t_load[i] = ds_mono_ns() - t0;
		form_free(f);
		form_diags_reset(&d);

		form_diags_init(&d);
		t0 = ds_mono_ns();
		if (form_load_md(md, len, &o, &f, &d) != DS_OK ||
		    eng_compile(f, &cf, &d) != DS_OK) {
			fprintf(stderr, "bench_form_load: compile failed\n");
			return 1;
		}
		t_all[i] = ds_mono_ns() - t0;
		eng_form_free(cf);
		form_free(f);
		form_diags_reset(&d);
	}
	printf("form: %d questions, %d lists x %d choices, %zu bytes of "
	    "markdown\n", NQ, NL, NC, len);
	printf("load only (baseline): median %.2f ms\n",
	    bench_quantile(t_load, RUNS, 0.5) / 1e6);
	printf("load + compile:       median %.2f ms, max %.2f ms "
	    "(goal < 50 ms)\n", bench_quantile(t_all, RUNS, 0.5) / 1e6,
	    bench_quantile(t_all, RUNS, 1.0) / 1e6);
	printf("ratio load+compile / load: %.2f\n",
	    (double)bench_quantile(t_all, RUNS, 0.5) /
	    (double)bench_quantile(t_load, RUNS, 0.5));
	ds_free(md);
	bench_machine("end", NULL);
	return 0;
}
