/* doorstep: helpers shared by the benchmarks (not a test). */
/*
 * What every benchmark prints the same way: the machine's state (load,
 * cores, the scratch directory's file system), and figures as a median
 * with their spread.  A benchmark measures a path against a baseline
 * interleaved with it in the same run (bench_pair), so the ratio holds on
 * a shared, loaded machine where the absolute times do not.
 */
#ifndef DS_BENCH_COMMON_H
#define DS_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/vfs.h>

#include "util.h"

#define BENCH_TMPFS_MAGIC	0x01021994	/* statfs f_type of tmpfs */

static inline int
bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static inline int
bench_cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sort v and return the q-quantile (0..1). */
static inline uint64_t
bench_quantile(uint64_t *v, size_t n, double q)
{
	size_t i;

	qsort(v, n, sizeof(*v), bench_cmp_u64);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

/*
 * CPU time of this thread in ns: on a shared, loaded machine the wall
 * clock's tail is the scheduler's, so the benchmarks print both.
 */
static inline uint64_t
bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* 1 if dir is on tmpfs, 0 if not, -1 if unknown. */
static inline int
bench_is_tmpfs(const char *dir)
{
	struct statfs sf;

	if (statfs(dir, &sf) != 0)
		return -1;
	return sf.f_type == BENCH_TMPFS_MAGIC;
}

/* The load averages (1, 5, 15 minutes); -1 each if unreadable. */
static inline void
bench_load(double la[3])
{
	FILE *f = fopen("/proc/loadavg", "r");

	la[0] = la[1] = la[2] = -1;
	if (f == NULL)
		return;
	if (fscanf(f, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3)
		la[0] = la[1] = la[2] = -1;
	fclose(f);
}

/*
 * Print the machine's state: date, load averages, cores, and the file
 * system of dir (NULL: none written).  Call at the start and the end: a
 * run spans minutes on a machine others share.
 */
static inline void
bench_machine(const char *what, const char *dir)
{
	char when[32];
	double la[3];
	time_t now = time(NULL);
	struct tm tm;
	int t;

	/* Line by line even into a file: a long run shows its progress. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_load(la);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	printf("machine (%s): %s, load average %.2f %.2f %.2f, %ld cores",
	    what, when, la[0], la[1], la[2], sysconf(_SC_NPROCESSORS_ONLN));
	if (dir != NULL) {
		t = bench_is_tmpfs(dir);
		printf(", %s on %s", dir, t == 1 ? "tmpfs (no disk)" :
		    t == 0 ? "a disk (not tmpfs)" : "an unknown file system");
	}
	printf("\n");
}

/* Peak resident set of this process in MiB. */
static inline double
bench_peak_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

/* A sample's median and spread. */
struct bench_stat {
	double	med, min, max, p10, p90;
	size_t	n;
};

/* Statistics of n values (sorted in place). */
static inline void
bench_stat_dbl(double *v, size_t n, struct bench_stat *s)
{
	memset(s, 0, sizeof(*s));
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), bench_cmp_dbl);
	s->n = n;
	s->min = v[0];
	s->max = v[n - 1];
	s->med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s->p10 = v[(size_t)(0.1 * (double)(n - 1) + 0.5)];
	s->p90 = v[(size_t)(0.9 * (double)(n - 1) + 0.5)];
}

/* Statistics of n times in ns, as milliseconds. */
static inline void
bench_stat_ms(const uint64_t *t, size_t n, struct bench_stat *s)
{
	double *v = calloc(n ? n : 1, sizeof(*v));
	size_t i;

	if (v == NULL)
		abort();
	for (i = 0; i < n; i++)
		v[i] = (double)t[i] / 1e6;
	bench_stat_dbl(v, n, s);
	free(v);
}

/* "label  median X (min A, p10 B, p90 C, max D, n N)" with a unit. */
static inline void
bench_print(const char *label, const struct bench_stat *s, const char *unit)
{
	printf("  %-34s median %9.3f %s (min %.3f, p10 %.3f, p90 %.3f, "
	    "max %.3f; n %zu)\n", label, s->med, unit, s->min, s->p10, s->p90,
	    s->max, s->n);
}

/*
 * Interleave a baseline and a measured path: reps rounds, each running
 * both, the first of the pair alternating (ABBA ...), so that a change in
 * the machine's load falls on both.  base and path return 0, or -1 to
 * stop.  tb[i], tp[i] are the wall times of round i; ratio[i] =
 * tp[i] / tb[i] (all three may be NULL).
 */
static inline int
bench_pair(int reps, int (*base)(void *), int (*path)(void *), void *arg,
    uint64_t *tb, uint64_t *tp, double *ratio)
{
	uint64_t t0, b, p;
	int i, k;

	for (i = 0; i < reps; i++) {
		b = p = 0;
		for (k = 0; k < 2; k++) {
			int is_base = (k == 0) == (i % 2 == 0);

			t0 = ds_mono_ns();
			if ((is_base ? base(arg) : path(arg)) != 0)
				return -1;
			if (is_base)
				b = ds_mono_ns() - t0;
			else
				p = ds_mono_ns() - t0;
		}
		if (tb != NULL)
			tb[i] = b;
		if (tp != NULL)
			tp[i] = p;
		if (ratio != NULL)
			ratio[i] = b > 0 ? (double)p / (double)b : 0;
	}
	return 0;
}

/* Print both sides of bench_pair and the ratio's median and spread. */
static inline void
bench_pair_print(const char *base, const char *path, const uint64_t *tb,
    const uint64_t *tp, double *ratio, int reps)
{
	struct bench_stat s;

	bench_stat_ms(tb, (size_t)reps, &s);
	bench_print(base, &s, "ms");
	bench_stat_ms(tp, (size_t)reps, &s);
	bench_print(path, &s, "ms");
	bench_stat_dbl(ratio, (size_t)reps, &s);
	bench_print("ratio (per round)", &s, "x ");
}

#endif
