/* doorstep: allocation with fault injection. */
#ifndef DS_MEM_H
#define DS_MEM_H

#include <stddef.h>

/*
 * All heap allocation in the libraries goes through these.  They behave like
 * the C library's, return NULL on failure (callers propagate DS_ENOMEM), and
 * fail on demand when a test has armed the allocation fault (below).
 * ds_free(NULL) is a no-op.  Secrets never live here: see cry.h.
 */
void	*ds_malloc(size_t);
void	*ds_calloc(size_t, size_t);
void	*ds_realloc(void *, size_t);
void	 ds_free(void *);
/* Copy of a NUL-terminated string, or NULL. NULL in gives NULL out. */
char	*ds_strdup(const char *);
/* Copy of n bytes plus a terminating NUL, or NULL. */
char	*ds_strndup(const char *, size_t);

/*
 * Fault injection (SQLite faultsim, curl torture).  A test arms a fault with
 * a countdown: the n-th check from now fails (n = 1 is the next one); with
 * `persistent` every later check fails too.  Library code asks
 * ds_fault_hit() before an operation that can fail in real life:
 * DS_FAULT_ALLOC in ds_malloc and friends, DS_FAULT_IO in the file helpers
 * of util.h (write, fsync, rename), DS_FAULT_SECURE in cry_secure_alloc
 * (sodium_malloc: a few guarded pages each, mlock'd, so it runs out long
 * before malloc), DS_FAULT_LOCK in their flock (ENOLCK: a file system
 * without locks).  Disarmed, a check costs one branch.
 */
enum ds_fault {
	DS_FAULT_ALLOC,
	DS_FAULT_IO,
	DS_FAULT_SECURE,
	DS_FAULT_LOCK,
	DS_FAULT_COUNT
};

void	 ds_fault_arm(enum ds_fault, long countdown, int persistent);
void	 ds_fault_disarm(enum ds_fault);
/* 1 if this operation must fail now; also counts the check. */
int	 ds_fault_hit(enum ds_fault);
/* Checks made since the fault was last armed or disarmed. */
long	 ds_fault_checks(enum ds_fault);
/* Failures injected since the fault was last armed. */
long	 ds_fault_fired(enum ds_fault);

#endif
