/* doorstep: allocation with fault injection. */
/*
 * Thin wrappers over the C allocator.  The fault state is process-global and
 * not thread-safe; tests arm it from one thread while nothing else runs.
 */
#include "mem.h"

#include <stdlib.h>
#include <string.h>

struct fault {
	long	countdown;	/* 0 = disarmed */
	int	persistent;
	int	tripped;	/* persistent fault has fired */
	long	checks;
	long	fired;
};

static struct fault faults[DS_FAULT_COUNT];

void
ds_fault_arm(enum ds_fault f, long countdown, int persistent)
{
	faults[f].countdown = countdown;
	faults[f].persistent = persistent;
	faults[f].tripped = 0;
	faults[f].checks = 0;
	faults[f].fired = 0;
}

void
ds_fault_disarm(enum ds_fault f)
{
	faults[f].countdown = 0;
	faults[f].persistent = 0;
	faults[f].tripped = 0;
	faults[f].checks = 0;
}

int
ds_fault_hit(enum ds_fault f)
{
	struct fault *ft = &faults[f];

	if (ft->countdown == 0 && !ft->tripped)
		return 0;
	ft->checks++;
	if (ft->tripped) {
		ft->fired++;
		return 1;
	}
	if (--ft->countdown > 0)
		return 0;
	if (ft->persistent)
		ft->tripped = 1;
	ft->fired++;
	return 1;
}

long
ds_fault_checks(enum ds_fault f)
{
	return faults[f].checks;
}

long
ds_fault_fired(enum ds_fault f)
{
	return faults[f].fired;
}

void *
ds_malloc(size_t n)
{
	if (ds_fault_hit(DS_FAULT_ALLOC))
		return NULL;
	return malloc(n ? n : 1);
}

void *
ds_calloc(size_t n, size_t sz)
{
	if (ds_fault_hit(DS_FAULT_ALLOC))
		return NULL;
	if (n == 0 || sz == 0)
		return calloc(1, 1);
	return calloc(n, sz);
}

void *
ds_realloc(void *p, size_t n)
{
	if (ds_fault_hit(DS_FAULT_ALLOC))
		return NULL;
	return realloc(p, n ? n : 1);
}

void
ds_free(void *p)
{
	free(p);
}

char *
ds_strndup(const char *s, size_t n)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = ds_malloc(n + 1)) == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *
ds_strdup(const char *s)
{
	if (s == NULL)
		return NULL;
	return ds_strndup(s, strlen(s));
}
