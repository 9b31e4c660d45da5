/* doorstep: a SQLite VFS whose reads fail on demand (tests only). */
#ifndef DS_FAILVFS_H
#define DS_FAILVFS_H

/*
 * lossyvfs.h cuts writes; this fails reads, the errors a dying disk gives
 * a program that only looks: after failvfs_arm(n) the n-th xRead from now
 * returns SQLITE_IOERR_READ, and every later one too.  It wraps the default
 * VFS of the moment and becomes the default, so connections opened after
 * failvfs_install() go through it (open them after installing, and reopen
 * to start with an empty page cache, so every page is read through it).
 * Memory-mapped I/O is not used by the code under test (mmap_size 0).
 * One thread.
 */

/* Register and make default; once per process.  0, or -1. */
int	failvfs_install(void);
/* The n-th read from now fails, and every later one (n >= 1). */
void	failvfs_arm(long n);
void	failvfs_disarm(void);
/* Reads failed since the last arm. */
long	failvfs_fired(void);

#endif
