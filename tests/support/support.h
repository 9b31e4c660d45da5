/* doorstep: helpers shared by unit tests, fuzz targets and benchmarks. */
#ifndef DS_SUPPORT_H
#define DS_SUPPORT_H

#include <stddef.h>

/*
 * Make a fresh scratch directory under $TMPDIR (or /tmp) named after
 * `tag`, registered for removal at exit.  Returns a static path; aborts the
 * test program if the directory cannot be made.
 */
const char	*ts_tmpdir(const char *tag);
/* Remove a tree, like rm -rf; missing paths are fine. */
void		 ts_rmrf(const char *path);
/* Count occurrences of `needle` in the bytes of every file under `dir`. */
size_t		 ts_grep_tree(const char *dir, const void *needle, size_t n);
/*
 * Run fn(arg) in a child process and kill -9 it when a file replace
 * reaches `step` (ds_file_test.step in util.h: "written" or "linked"),
 * the child taking the named way (no O_TMPFILE) if `named`.  0 when the
 * child died there, -1 when it never got there.
 */
int		 ts_crash_at(const char *step, int named, void (*fn)(void *),
		    void *arg);
/*
 * End a test's child process: _exit(code), in a coverage build (MODE=cov)
 * after writing the child's gcov counts, which only exit() writes.  The
 * mutation runner reads those counts to pick the tests that run a line.
 */
void		 ts_exit(int code) __attribute__((noreturn));
/* Write the gcov counts now (coverage builds; elsewhere nothing): before
 * a child is killed. */
void		 ts_cov_dump(void);

#endif
