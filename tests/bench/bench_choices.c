/* doorstep benchmark: a 50,000-row choice list with a choice_filter. */
/*
 * select_one_from_file villages.csv (50,000 rows, 500 counties) filtered by
 * county = ${county}: time to build the prompt (the filtered, translated
 * choices) the first time after an answer, and again for a redraw with no
 * change (what the TUI does on every keystroke).  Goal (xlsform-xpath.md
 * §16): under 10 ms per keystroke.  Baseline: the prompt of a text question.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_common.h"
#include "buf.h"
#include "eng.h"
#include "form.h"
#include "json.h"
#include "mem.h"
#include "util.h"
#include "xls.h"

#define ROWS	50000
#define RUNS	21

int
main(void)
{
	static const char *md =
	    "| survey |\n"
	    "| | type | name | label | choice_filter |\n"
	    "| | text | county | County | |\n"
	    "| | select_one_from_file villages.csv | village | Village | "
	    "county = ${county} |\n";
	struct ds_buf csv;
	struct form_diags d;
	struct form *f;
	struct eng_form *cf;
	struct eng *e;
	struct ds_err err;
	uint64_t t_first[RUNS], t_again[RUNS], t_base[RUNS], t0;
	char dir[] = "/tmp/ds-bench-choices.XXXXXX", path[256], v[32];
	const struct eng_prompt *p;
	size_t n = 0;
	int i;

	bench_machine("start", NULL);
	ds_json_init();
	if (mkdtemp(dir) == NULL)
		return 1;
	ds_buf_init(&csv, 16u << 20);
	ds_buf_adds(&csv, "name,label,county\n");
	for (i = 0; i < ROWS; i++)
		ds_buf_printf(&csv, "v%d,Village %d,c%d\n", i, i, i % 500);
	snprintf(path, sizeof(path), "%s/villages.csv", dir);
	ds_file_write_atomic(path, csv.p, csv.len, 0600, NULL);
	snprintf(path, sizeof(path), "%s/form.md", dir);
	ds_file_write_atomic(path, md, strlen(md), 0600, NULL);
	ds_buf_reset(&csv);
	form_diags_init(&d);
	if (form_load_file(path, &f, &d) != DS_OK ||
	    eng_compile(f, &cf, &d) != DS_OK ||
	    eng_open(cf, NULL, &e, &err) != DS_OK) {
		fprintf(stderr, "bench_choices: cannot open the form\n");
		return 1;
	}
	for (i = 0; i < RUNS; i++) {
		snprintf(v, sizeof(v), "c%d", i * 7);
		eng_set(e, "county", v, &err);
		eng_jump(e, "county", &err);
		t0 = ds_mono_ns();
		(void)eng_prompt(e);
		t_base[i] = ds_mono_ns() - t0;
		eng_jump(e, "village", &err);
		t0 = ds_mono_ns();
		p = eng_prompt(e);
		t_first[i] = ds_mono_ns() - t0;
		n = p->fields[0].nchoices;
		t0 = ds_mono_ns();
		(void)eng_prompt(e);
		t_again[i] = ds_mono_ns() - t0;
	}
	printf("choices: %d rows, %zu after the filter\n", ROWS, n);
	printf("baseline (text question prompt): median %.3f ms\n",
	    bench_quantile(t_base, RUNS, 0.5) / 1e6);
	printf("prompt after an answer: median %.3f ms, max %.3f ms\n",
	    bench_quantile(t_first, RUNS, 0.5) / 1e6,
	    bench_quantile(t_first, RUNS, 1.0) / 1e6);
	printf("redraw, no change: median %.3f ms, max %.3f ms (goal < 10 ms)\n",
	    bench_quantile(t_again, RUNS, 0.5) / 1e6,
	    bench_quantile(t_again, RUNS, 1.0) / 1e6);
	eng_free(e);
	eng_form_free(cf);
	form_free(f);
	form_diags_reset(&d);
	snprintf(path, sizeof(path), "%s/villages.csv", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/form.md", dir);
	unlink(path);
	rmdir(dir);
	bench_machine("end", NULL);
	return n == ROWS / 500 ? 0 : 1;
}
