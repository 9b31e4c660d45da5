/* doorstep: the tiny unit-test harness (cmark api_test, Redis testhelp.h). */
#ifndef DS_HARNESS_H
#define DS_HARNESS_H

/*
 * A test is a `static void test_x(void)` run by RUN(test_x) from main().
 * Checks record a failure and carry on; RUN prints one line per test:
 *   ok test_x
 *   not ok test_x: file:line: what
 * tests/run.sh counts those lines across every binary and script.
 * main() ends with `return harness_done();` (exit 1 if anything failed).
 * DS_TORTURE=1 in the environment lets tests that support it loop over
 * allocation failures (see mem.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_pass, harness_fail, harness_cur_failed;
static const char *harness_cur;

#define HARNESS_FAIL(...) do {						\
	if (!harness_cur_failed)					\
		printf("not ok %s: ", harness_cur);			\
	else								\
		printf("  also: ");					\
	printf("%s:%d: ", __FILE__, __LINE__);				\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	fflush(stdout);							\
	harness_cur_failed = 1;						\
} while (0)

#define OK(cond) do {							\
	if (!(cond))							\
		HARNESS_FAIL("%s", #cond);				\
} while (0)

#define INT_EQ(got, want) do {						\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (g_ != w_)							\
		HARNESS_FAIL("%s = %lld, want %lld", #got, g_, w_);	\
} while (0)

#define STR_EQ(got, want) do {						\
	const char *g_ = (got), *w_ = (want);				\
	if (g_ == NULL || w_ == NULL ? g_ != w_ : strcmp(g_, w_) != 0)	\
		HARNESS_FAIL("%s = \"%s\", want \"%s\"", #got,		\
		    g_ ? g_ : "(null)", w_ ? w_ : "(null)");		\
} while (0)

#define DBL_EQ(got, want) do {						\
	double g_ = (got), w_ = (want);					\
	if (!(fabs(g_ - w_) < 1e-9 || (isnan(g_) && isnan(w_))))	\
		HARNESS_FAIL("%s = %.17g, want %.17g", #got, g_, w_);	\
} while (0)

/* Status check that prints the error message on mismatch. */
#define ST_EQ(got, want, errp) do {					\
	int g_ = (int)(got), w_ = (int)(want);				\
	const struct ds_err *e_ = (errp);				\
	if (g_ != w_)							\
		HARNESS_FAIL("%s = %s (%s), want %s", #got,		\
		    ds_status_name((enum ds_status)g_),			\
		    e_ != NULL ? e_->msg : "",				\
		    ds_status_name((enum ds_status)w_));		\
} while (0)

#define RUN(fn) do {							\
	harness_cur = #fn;						\
	harness_cur_failed = 0;						\
	fn();								\
	if (harness_cur_failed)						\
		harness_fail++;						\
	else {								\
		harness_pass++;						\
		printf("ok %s\n", #fn);					\
	}								\
	fflush(stdout);							\
} while (0)

static inline int
harness_done(void)
{
	printf("# %d passed, %d failed\n", harness_pass, harness_fail);
	return harness_fail ? 1 : 0;
}

static inline int
harness_torture(void)
{
	const char *t = getenv("DS_TORTURE");

	return t != NULL && *t == '1';
}

#endif
