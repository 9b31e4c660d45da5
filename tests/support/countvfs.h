/* doorstep: a SQLite VFS that counts what reaches the files (benchmarks). */
#ifndef DS_COUNTVFS_H
#define DS_COUNTVFS_H

/*
 * countvfs_install() makes SQLite's default VFS a thin wrapper of the one
 * that was default, counting writes and syncs per kind of file (the main
 * database, its WAL, anything else).  It changes nothing that is done:
 * benchmarks read the counters around an operation, e.g. the WAL pages a
 * save writes (a WAL frame is one page plus its 24-byte header).  One
 * thread.
 */

#include <stdint.h>

enum countvfs_kind {
	COUNTVFS_DB,
	COUNTVFS_WAL,
	COUNTVFS_OTHER,
	COUNTVFS_NKIND
};

struct countvfs_stats {
	uint64_t	writes[COUNTVFS_NKIND];	/* xWrite calls */
	uint64_t	bytes[COUNTVFS_NKIND];	/* bytes written */
	uint64_t	syncs[COUNTVFS_NKIND];	/* xSync calls */
};

/* Install as the default VFS (once per process): 0, or -1. */
int	countvfs_install(void);
/* The counters since install. */
void	countvfs_get(struct countvfs_stats *);

#endif
