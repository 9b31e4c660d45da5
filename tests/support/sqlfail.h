/* doorstep: make one SQL statement fail, on demand (tests only). */
#ifndef DS_SQLFAIL_H
#define DS_SQLFAIL_H

#include <sqlite3.h>

/*
 * After sqlfail_arm(db, k) the k-th statement the connection starts
 * (counted by SQLite's statement trace) is interrupted through the
 * progress handler: it fails with SQLITE_INTERRUPT, as a statement
 * failing for any reason would, and the code under test takes its error
 * path; the statements after it run normally.  A test walks k = 1, 2, ...
 * until sqlfail_fired() stays 0.  One connection at a time, one thread.
 */
void	sqlfail_arm(sqlite3 *, long k);
void	sqlfail_disarm(sqlite3 *);
/* 1 if the armed statement was reached (and failed). */
long	sqlfail_fired(void);

#endif
