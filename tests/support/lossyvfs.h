/* doorstep: a SQLite VFS that loses unsynced writes on a simulated power cut. */
#ifndef DS_LOSSYVFS_H
#define DS_LOSSYVFS_H

/*
 * For power-loss tests (tests/unit/test_powerloss.c, docs/storage.md
 * "Power loss").  lossy_begin() makes SQLite's default VFS a wrapper of
 * the unix VFS that keeps, for every file under one directory,
 * the durable image (what an xSync made permanent) and the writes and
 * truncations issued since.  Reads see every write, as with a page cache.
 * After `cut_after` mutating operations (xOpen that creates, xWrite,
 * xTruncate, xSync, xDelete) the next one does not happen: the power goes,
 * and every later operation on those files fails without touching them
 * (the code under test sees I/O errors, as a dying machine's would).
 * lossy_reboot() then rewrites every file under the directory from its
 * durable image, with the unsynced writes dropped (LOSSY_DROP), kept in
 * issue order up to one torn at 512-byte sectors (LOSSY_TORN), or kept
 * sector by sector at random (LOSSY_SUBSET).
 *
 * Directory model: a name created or deleted exists after the cut as it
 * did at the last directory fsync (observed through the unix VFS's
 * "openDirectory" system call, which it uses only to fsync a directory:
 * after creating a journal or WAL, and for xDelete with dirSync).  A file
 * the VFS did not see created (the store makes records.db with open(2))
 * counts as created at its first xOpen unless it was there at
 * lossy_begin().
 * The -shm file is not data: it is left, emptied, filled with garbage or
 * removed, at random.
 *
 * The real fsync is skipped except on a file's first sync after the VFS
 * created it, so the unix VFS runs its own directory sync for real and the
 * model sees it.  One epoch at a time, one thread.
 */

#include <stdint.h>

enum lossy_mode {
	LOSSY_DROP,	/* every unsynced write is lost */
	LOSSY_TORN,	/* a prefix of them survives, the last one torn */
	LOSSY_SUBSET	/* any subset of their 512-byte sectors survives */
};

/* What the cut did (for the test to prove it exercised something). */
struct lossy_stats {
	long	ops;		/* mutating operations seen */
	long	dropped;	/* unsynced writes lost in whole or part */
	long	kept;		/* unsynced writes that survived in part */
	long	vanished;	/* names lost because no directory sync */
	long	reappeared;	/* deleted names back after the cut */
	long	dirsyncs;	/* directory fsyncs observed */
	long	truncates;	/* xTruncate calls (WAL reset past its limit) */
};

/*
 * Register the VFS (not as default) and hook the unix VFS's directory
 * fsync.  Once per process; 0, or -1 if SQLite refused.
 */
int	lossy_install(void);
/*
 * Start an epoch: make the lossy VFS the default and track the files under
 * dir (no trailing slash), all taken as durable as they are now.
 * cut_after < 0: no cut by count.  seed drives the sector and -shm
 * choices; stats (may be NULL) is kept up to date.  0 or -1.
 */
int	lossy_begin(const char *dir, long cut_after, enum lossy_mode mode,
	    uint64_t seed, struct lossy_stats *stats);
/* Mutating operations so far in this epoch. */
long	lossy_ops(void);
/* 1 once the power is off: every tracked file operation fails. */
int	lossy_dead(void);
/*
 * The reboot: close every connection first.  Rewrites the files from the
 * model (this is the cut if the power was still on), frees the epoch and
 * makes the unix VFS the default again.
 */
void	lossy_reboot(void);

#endif
