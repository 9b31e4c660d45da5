/* doorstep benchmark: the slowest form of the loader's test set. */
/*
 * Issue 15: every form of the XLSForm-rule test set (tests/forms/compat,
 * the legacy .xls fixture, the loader's basic form) and the shipped
 * household form are timed once through form_load_file; the slowest is
 * then loaded RUNS times, each run interleaved with a bare read of the
 * same bytes (ds_file_read, the baseline), so both see the same machine.
 * Prints the machine's load, both medians and their ratio.  Run from the
 * top directory.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "bench_common.h"
#include "form.h"
#include "mem.h"
#include "xls.h"

#define RUNS	41
#define MAXF	128

static uint64_t
load_ns(const char *path, int *ok)
{
	struct form_diags d;
	struct form *f = NULL;
	uint64_t t0, t;

	form_diags_init(&d);
	t0 = ds_mono_ns();
	*ok = form_load_file(path, &f, &d) == DS_OK;
	t = ds_mono_ns() - t0;
	form_free(f);
	form_diags_reset(&d);
	return t;
}

static uint64_t
read_ns(const char *path)
{
	struct ds_err err;
	char *data = NULL;
	size_t len;
	uint64_t t0, t;

	t0 = ds_mono_ns();
	(void)ds_file_read(path, XLS_MAX_FILE, &data, &len, &err);
	t = ds_mono_ns() - t0;
	ds_free(data);
	return t;
}

static void
machine(void)
{
	char line[256];
	FILE *fp;

	if ((fp = fopen("/proc/loadavg", "r")) != NULL) {
		if (fgets(line, sizeof(line), fp) != NULL)
			printf("load average: %s", line);
		fclose(fp);
	}
	if ((fp = fopen("/proc/cpuinfo", "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL)
			if (strncmp(line, "model name", 10) == 0) {
				printf("cpu: %s", strchr(line, ':') + 2);
				break;
			}
		fclose(fp);
	}
}

int
main(void)
{
	static char paths[MAXF][512];
	uint64_t t_load[RUNS], t_read[RUNS], t, worst = 0;
	struct dirent *de;
	DIR *dp;
	size_t n = 0, i, w = 0, l;
	int ok, r;

	bench_machine("start", NULL);
	if ((dp = opendir("tests/forms/compat")) == NULL) {
		fprintf(stderr, "bench_load: run from the top directory\n");
		return 1;
	}
	while ((de = readdir(dp)) != NULL && n < MAXF - 3) {
		l = strlen(de->d_name);
		if (l > 3 && strcmp(de->d_name + l - 3, ".md") == 0)
			snprintf(paths[n++], sizeof(paths[0]),
			    "tests/forms/compat/%s", de->d_name);
	}
	closedir(dp);
	snprintf(paths[n++], sizeof(paths[0]), "tests/forms/legacy/legacy.xls");
	snprintf(paths[n++], sizeof(paths[0]), "tests/forms/loader/basic.md");
	snprintf(paths[n++], sizeof(paths[0]), "forms/household.md");
	for (i = 0; i < n; i++) {
		/* best of 5: the form's own cost, not a hiccup */
		uint64_t best = UINT64_MAX;

		for (r = 0; r < 5; r++)
			if ((t = load_ns(paths[i], &ok)) < best)
				best = t;
		if (best > worst) {
			worst = best;
			w = i;
		}
	}
	machine();
	printf("test set: %zu forms; slowest: %s (%.3f ms)\n", n, paths[w],
	    worst / 1e6);
	for (r = 0; r < RUNS; r++) {
		t_read[r] = read_ns(paths[w]);
		t_load[r] = load_ns(paths[w], &ok);
		if (!ok && r == 0)
			printf("(it does not load: its errors are timed)\n");
	}
	printf("bare read of its bytes (baseline): median %.3f ms\n",
	    bench_quantile(t_read, RUNS, 0.5) / 1e6);
	printf("form_load_file:                    median %.3f ms, max %.3f "
	    "ms\n", bench_quantile(t_load, RUNS, 0.5) / 1e6,
	    bench_quantile(t_load, RUNS, 1.0) / 1e6);
	printf("ratio load / read: %.1f\n",
	    (double)bench_quantile(t_load, RUNS, 0.5) /
	    (double)bench_quantile(t_read, RUNS, 0.5));
	bench_machine("end", NULL);
	return 0;
}
