/* doorstep: make one SQL statement fail, on demand (sqlfail.h). */
#include "sqlfail.h"

#include <stddef.h>

static long count, fail_at, fired;
static int fail_now;

static int
trace_cb(unsigned type, void *ctx, void *p, void *x)
{
	(void)ctx;
	(void)p;
	(void)x;
	if (type == SQLITE_TRACE_STMT && ++count == fail_at)
		fail_now = 1;
	return 0;
}

static int
progress_cb(void *arg)
{
	(void)arg;
	if (!fail_now)
		return 0;
	fail_now = 0;
	fired++;
	return 1;
}

void
sqlfail_arm(sqlite3 *db, long k)
{
	count = 0;
	fail_at = k;
	fired = 0;
	fail_now = 0;
	sqlite3_trace_v2(db, SQLITE_TRACE_STMT, trace_cb, NULL);
	sqlite3_progress_handler(db, 1, progress_cb, NULL);
}

void
sqlfail_disarm(sqlite3 *db)
{
	sqlite3_trace_v2(db, 0, NULL, NULL);
	sqlite3_progress_handler(db, 0, NULL, NULL);
	fail_now = 0;
}

long
sqlfail_fired(void)
{
	return fired;
}
