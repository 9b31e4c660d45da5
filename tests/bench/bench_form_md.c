/* doorstep: benchmark: load a generated 2,000-question markdown form. */
/*
 * Generates a pyxform markdown form of 2,000 questions (20 groups of 100,
 * every fifth a select_one over one of 200 lists of 10 choices, two
 * languages, relevant and constraint on many rows) and measures
 * form_load_md (markdown tables + XLSForm meaning, no expression
 * compilation: that is bench_form_load's part).  The baseline is a plain
 * pass over the same bytes counting '|' cells, the least any reader does.
 * Second figure: a form whose select_one_from_file reads a 50,000-row CSV
 * (area list size), fetched from memory.
 * Figures in docs/performance.md ("Form loading").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "buf.h"
#include "form.h"
#include "mem.h"
#include "util.h"
#include "xls.h"

#define NQ	2000
#define NLISTS	200
#define RUNS	21

static struct ds_buf bigcsv;

static enum ds_status
mem_fetch(void *arg, const char *name, char **data, size_t *len,
    struct ds_err *err)
{
	(void)arg;
	(void)name;
	if ((*data = ds_malloc(bigcsv.len + 1)) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	memcpy(*data, bigcsv.p, bigcsv.len + 1);
	*len = bigcsv.len;
	return DS_OK;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(void)
{
	struct ds_buf b;
	struct xls_opts o = { "bench.md", NULL, NULL };
	struct form_diags d;
	struct form *f;
	uint64_t t0, tl[RUNS], tb[RUNS];
	size_t i, j, cells = 0;
	volatile size_t sink = 0;

	bench_machine("start", NULL);
	ds_buf_init(&b, 64u << 20);
	ds_buf_adds(&b, "| survey | type | name | label::中文 (zh) | "
	    "label::English (en) | relevant | constraint | required |\n");
	for (i = 0; i < NQ; i++) {
		if (i % 100 == 0)
			ds_buf_printf(&b, "| | begin group | g%zu | 第%zu组 | "
			    "Group %zu | | | |\n", i / 100, i / 100, i / 100);
		if (i % 5 == 0)
			ds_buf_printf(&b, "| | select_one l%zu | q%zu | 问题%zu "
			    "| Question %zu | | | yes |\n", i % NLISTS, i, i,
			    i);
		else
			ds_buf_printf(&b, "| | integer | q%zu | 问题%zu | "
			    "Question %zu | ${q%zu} != '' | . >= 0 and . < "
			    "1000 | |\n", i, i, i, i - 1);
		if (i % 100 == 99)
			ds_buf_adds(&b, "| | end group | | | | | | |\n");
	}
	ds_buf_adds(&b, "| choices | list_name | name | label::中文 (zh) | "
	    "label::English (en) |\n");
	for (i = 0; i < NLISTS; i++)
		for (j = 0; j < 10; j++)
			ds_buf_printf(&b, "| | l%zu | c%zu | 选项%zu | Choice "
			    "%zu |\n", i, j, j, j);
	ds_buf_adds(&b, "| settings | form_id | default_language |\n"
	    "| | bench | 中文 (zh) |\n");

	for (i = 0; i < RUNS; i++) {
		t0 = ds_mono_ns();
		for (j = 0, cells = 0; j < b.len; j++)
			cells += b.p[j] == '|';
		sink += cells;
		tb[i] = ds_mono_ns() - t0;

		form_diags_init(&d);
		t0 = ds_mono_ns();
		if (form_load_md(b.p, b.len, &o, &f, &d) != DS_OK) {
			fprintf(stderr, "bench: load failed\n");
			return 1;
		}
		tl[i] = ds_mono_ns() - t0;
		if (i == 0)
			printf("form: %zu bytes, %zu nodes, %zu lists\n", b.len,
			    f->nnodes, f->nlists);
		form_free(f);
		form_diags_reset(&d);
	}
	qsort(tl, RUNS, sizeof(tl[0]), cmp_u64);
	qsort(tb, RUNS, sizeof(tb[0]), cmp_u64);
	printf("baseline (count '|'), median: %.2f ms\n", tb[RUNS / 2] / 1e6);
	printf("form_load_md, median: %.2f ms (min %.2f, max %.2f)\n",
	    tl[RUNS / 2] / 1e6, tl[0] / 1e6, tl[RUNS - 1] / 1e6);
	printf("ratio: %.1fx\n", (double)tl[RUNS / 2] / (double)tb[RUNS / 2]);
	ds_buf_reset(&b);

	/* 50,000-row CSV list. */
	{
		static const char md[] = "| survey | type | name | label |\n"
		    "| | select_one_from_file big.csv | v | Village |\n";
		struct xls_opts oc = { "csv.md", mem_fetch, NULL };

		ds_buf_init(&bigcsv, 64u << 20);
		ds_buf_adds(&bigcsv, "name,label,label::English (en),"
		    "township\n");
		for (i = 0; i < 50000; i++)
			ds_buf_printf(&bigcsv, "v%zu,村%zu,Village %zu,t%zu\n",
			    i, i, i, i / 50);
		for (i = 0; i < RUNS; i++) {
			form_diags_init(&d);
			t0 = ds_mono_ns();
			if (form_load_md(md, sizeof(md) - 1, &oc, &f, &d) !=
			    DS_OK) {
				fprintf(stderr, "bench: csv load failed\n");
				return 1;
			}
			tl[i] = ds_mono_ns() - t0;
			if (i == 0)
				printf("csv: %zu bytes, %zu choices\n",
				    bigcsv.len, f->lists[0].nchoices);
			form_free(f);
			form_diags_reset(&d);
		}
		qsort(tl, RUNS, sizeof(tl[0]), cmp_u64);
		printf("form with a 50,000-row CSV list, median: %.2f ms "
		    "(min %.2f, max %.2f)\n", tl[RUNS / 2] / 1e6, tl[0] / 1e6,
		    tl[RUNS - 1] / 1e6);
		ds_buf_reset(&bigcsv);
	}
	bench_machine("end", NULL);
	return sink == 0;
}
