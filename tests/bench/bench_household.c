/* doorstep benchmark: the shipped household form (forms/household.md). */
/*
 * The real default form, not a generated one: 210 questions, a roster,
 * 46 choice lists, eight CSV files.  Measures (1) load with its CSV files
 * and compile, (2) a whole interview: open, apply the valid six-member
 * household (tests/forms/household/valid.json) and list the issues, as
 * `doorstep fill` does without the store, and (3) per-answer recompute on
 * that household: a wage amount (totals, per-capita income, category
 * suggestion, signal and the measure checks depend on it) or a member's
 * health (roster counts, risk checks).  Run from the top directory, or give
 * the top directory as the argument.
 */
#include <stdio.h>
#include <string.h>

#include "bench_common.h"
#include "eng.h"
#include "form.h"
#include "json.h"
#include "mem.h"
#include "xls.h"

#define NLOAD	30
#define NFILL	50
#define NSET	5000

static const char *const health[] = { "healthy", "chronic", "serious" };

int
main(int argc, char **argv)
{
	const char *top = argc > 1 ? argv[1] : ".";
	static uint64_t tl[NLOAD], tf[NFILL], ts[NSET], tc[NSET];
	char form[1024], ans[1024], path[64], val[32], *text = NULL;
	struct form_diags d;
	struct form *f = NULL;
	struct eng_form *cf = NULL;
	struct eng *e = NULL;
	struct eng_issue *iv;
	struct ds_err err;
	json_t *doc = NULL;
	size_t len, niv;
	uint64_t t0, c0, r = 99;
	int i;

	bench_machine("start", NULL);
	ds_json_init();
	ds_err_clear(&err);
	snprintf(form, sizeof(form), "%s/forms/household.md", top);
	snprintf(ans, sizeof(ans), "%s/tests/forms/household/valid.json", top);
	if (ds_file_read(ans, 1u << 20, &text, &len, &err) != DS_OK ||
	    ds_json_parse(text, len, 1u << 20, ans, &doc, &err) != DS_OK) {
		fprintf(stderr, "bench_household: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < NLOAD; i++) {
		eng_form_free(cf);
		form_free(f);
		cf = NULL;
		form_diags_init(&d);
		t0 = ds_mono_ns();
		if (form_load_file(form, &f, &d) != DS_OK ||
		    eng_compile(f, &cf, &d) != DS_OK) {
			fprintf(stderr, "bench_household: cannot load %s\n", form);
			return 1;
		}
		tl[i] = ds_mono_ns() - t0;
		form_diags_reset(&d);
	}
	for (i = 0; i < NFILL; i++) {
		eng_free(e);
		t0 = ds_mono_ns();
		if (eng_open(cf, NULL, &e, &err) != DS_OK ||
		    eng_apply_answers(e, doc, &iv, &niv) != DS_OK) {
			fprintf(stderr, "bench_household: the valid household "
			    "does not apply\n");
			return 1;
		}
		eng_issues_free(iv, niv);
		if (eng_issues(e, &iv, &niv, NULL) != DS_OK || niv != 0) {
			fprintf(stderr, "bench_household: %zu issues\n", niv);
			return 1;
		}
		eng_issues_free(iv, niv);
		tf[i] = ds_mono_ns() - t0;
	}
	for (i = 0; i < NSET; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		if ((r >> 20) & 1) {
			snprintf(path, sizeof(path), "inc_wage_migrant");
			snprintf(val, sizeof(val), "%d",
			    (int)((r >> 33) % 60000));
		} else {
			snprintf(path, sizeof(path), "member[%d]/m_health",
			    (int)((r >> 33) % 6) + 1);
			snprintf(val, sizeof(val), "%s", health[(r >> 40) % 3]);
		}
		c0 = bench_cpu_ns();
		t0 = ds_mono_ns();
		if (eng_set(e, path, val, &err) != DS_OK) {
			fprintf(stderr, "bench_household: %s: %s\n", path,
			    err.msg);
			return 1;
		}
		ts[i] = ds_mono_ns() - t0;
		tc[i] = bench_cpu_ns() - c0;
	}
	printf("household form: load with CSV files and compile: median %.2f ms, "
	    "max %.2f ms (%d runs)\n", bench_quantile(tl, NLOAD, 0.5) / 1e6,
	    bench_quantile(tl, NLOAD, 1.0) / 1e6, NLOAD);
	printf("whole interview (open, apply valid.json, issues): median %.2f ms, "
	    "max %.2f ms (%d runs)\n", bench_quantile(tf, NFILL, 0.5) / 1e6,
	    bench_quantile(tf, NFILL, 1.0) / 1e6, NFILL);
	printf("answer + recompute, wall: median %.1f us, p99 %.1f us; thread "
	    "CPU: median %.1f us, p99 %.1f us (%d answers)\n",
	    bench_quantile(ts, NSET, 0.5) / 1e3, bench_quantile(ts, NSET, 0.99) /
	    1e3, bench_quantile(tc, NSET, 0.5) / 1e3,
	    bench_quantile(tc, NSET, 0.99) / 1e3, NSET);
	eng_free(e);
	eng_form_free(cf);
	form_free(f);
	json_decref(doc);
	ds_free(text);
	bench_machine("end", NULL);
	return 0;
}
