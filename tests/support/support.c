/* doorstep: helpers shared by unit tests, fuzz targets and benchmarks. */
#include "support.h"

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define MAXDIRS 64

#ifdef DS_COVERAGE
void	__gcov_dump(void);	/* libgcov, linked by --coverage */
#endif

static char dirs[MAXDIRS][512];
static int ndirs;
static int registered;

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
ts_rmrf(const char *path)
{
	(void)nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
cleanup(void)
{
	int i;

	if (getenv("DS_KEEP_TMP") != NULL)
		return;
	for (i = 0; i < ndirs; i++)
		ts_rmrf(dirs[i]);
}

const char *
ts_tmpdir(const char *tag)
{
	const char *base = getenv("TMPDIR");

	if (ndirs == MAXDIRS)
		abort();
	snprintf(dirs[ndirs], sizeof(dirs[ndirs]), "%s/ds-%s.XXXXXX",
	    base && *base ? base : "/tmp", tag);
	if (mkdtemp(dirs[ndirs]) == NULL)
		abort();
	if (!registered) {
		atexit(cleanup);
		registered = 1;
	}
	return dirs[ndirs++];
}

static const void *g_needle;
static size_t g_n, g_hits;

static int
grep_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	unsigned char *buf;
	size_t len, i;
	FILE *f;

	(void)ftw;
	if (flag != FTW_F || !S_ISREG(sb->st_mode))
		return 0;
	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	len = (size_t)sb->st_size;
	if ((buf = malloc(len + 1)) == NULL) {
		fclose(f);
		return 0;
	}
	len = fread(buf, 1, len, f);
	fclose(f);
	for (i = 0; g_n > 0 && i + g_n <= len; i++)
		if (memcmp(buf + i, g_needle, g_n) == 0)
			g_hits++;
	free(buf);
	return 0;
}

size_t
ts_grep_tree(const char *dir, const void *needle, size_t n)
{
	g_needle = needle;
	g_n = n;
	g_hits = 0;
	(void)nftw(dir, grep_one, 16, FTW_PHYS);
	return g_hits;
}

static int crash_fd = -1;
static const char *crash_step_name;

/* In the child: at the chosen step, tell the parent, wait for kill -9. */
static void
crash_step(const char *step)
{
	if (strcmp(step, crash_step_name) != 0)
		return;
	ts_cov_dump();
	if (write(crash_fd, "x", 1) != 1)
		ts_exit(4);
	for (;;)
		pause();
}

int
ts_crash_at(const char *step, int named, void (*fn)(void *), void *arg)
{
	int fd[2], st, r = -1;
	pid_t kid;
	char c;

	if (pipe(fd) == -1)
		return -1;
	fflush(NULL);	/* the child must not print the parent's buffer */
	if ((kid = fork()) == 0) {
		close(fd[0]);
		crash_fd = fd[1];
		crash_step_name = step;
		ds_file_test.step = crash_step;
		ds_file_test.named = named;
		fn(arg);
		ts_exit(3);	/* never reached the step */
	}
	close(fd[1]);
	if (kid > 0 && read(fd[0], &c, 1) == 1) {
		kill(kid, SIGKILL);
		r = 0;
	}
	close(fd[0]);
	if (kid > 0 && (waitpid(kid, &st, 0) != kid || !WIFSIGNALED(st) ||
	    WTERMSIG(st) != SIGKILL))
		r = -1;
	return r;
}

void
ts_cov_dump(void)
{
#ifdef DS_COVERAGE
	__gcov_dump();
#endif
}

void
ts_exit(int code)
{
	ts_cov_dump();
	_exit(code);
}
