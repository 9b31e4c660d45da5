/* doorstep: files, numbers, hex and time helpers for every layer. */
#ifndef DS_UTIL_H
#define DS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/*
 * Read a whole file into a new buffer (free with ds_free), NUL-terminated,
 * refusing files larger than `cap` bytes with DS_ELIMIT.  DS_ENOENT when the
 * file does not exist.
 */
enum ds_status	 ds_file_read(const char *path, size_t cap, char **out,
		    size_t *lenp, struct ds_err *);

/*
 * Durable replace (crypto-sync.md §8, Redis rdbSave): write the data into a
 * file with no name (O_TMPFILE in path's directory), chmod `mode`, fsync
 * it, link it as `PATH.tmp` and rename that over `path`, fsync the
 * directory.  A crash while writing leaves nothing; a crash between the
 * link and the rename leaves PATH.tmp, which the next write of `path`
 * removes.  Where the file system refuses O_TMPFILE, PATH.tmp is created
 * first and written in place (a crash then leaves it until that next
 * write).  A writer holds an flock on its file until the rename, so two
 * writers of one path never mix and only a dead writer's PATH.tmp is
 * removed.  Where the file system gives no locks (ENOLCK: NFS without its
 * lock daemon, some USB sticks), the writer creates a name of its own,
 * PATH.XXXXXX (mkstemp), that no other writer touches; a crash leaves
 * that one behind.  On failure `path` is untouched, no temp file stays, and the
 * message names the failing step.  ENOSPC and EDQUOT give DS_ENOSPC, other
 * failures DS_EIO.  Honours DS_FAULT_IO at each step, DS_FAULT_LOCK at
 * each flock.
 */
enum ds_status	 ds_file_write_atomic(const char *path, const void *data,
		    size_t len, int mode, struct ds_err *);

#define DS_PATH_MAX	4096	/* PATH_MAX on Linux */
#define DS_PROC_FD_MAX	32	/* "/proc/self/fd/" and an int */

/*
 * The same replace in steps, for a file written as a stream or by a
 * library that opens it by name.  ds_tmp_open prepares the file (mode
 * `mode`); write through t->fd, or have the library open ds_tmp_name(t)
 * (and truncate it: same file).  Then exactly one of ds_tmp_commit (on
 * failure the temp file is gone too) or ds_tmp_abort.
 */
struct ds_tmp {
	int	 fd;
	int	 anon;			/* no name on disk yet (O_TMPFILE) */
	char	 path[DS_PATH_MAX];
	char	 tmp[DS_PATH_MAX];	/* PATH.tmp, or PATH.XXXXXX */
	char	 proc[DS_PROC_FD_MAX];	/* /proc/self/fd/N, when anon */
};

enum ds_status	 ds_tmp_open(struct ds_tmp *, const char *path, int mode,
		    struct ds_err *);
const char	*ds_tmp_name(const struct ds_tmp *);
enum ds_status	 ds_tmp_commit(struct ds_tmp *, struct ds_err *);
void		 ds_tmp_abort(struct ds_tmp *);

/*
 * For tests only.  `step`, when set, is called between the steps of a
 * replace -- "written" (data synced, before any link or rename) and
 * "linked" (named PATH.tmp, before the rename) -- so a test can kill -9
 * the writer there; `named` set takes the path for file systems without
 * O_TMPFILE.
 */
struct ds_file_test {
	void	(*step)(const char *);
	int	  named;
};
extern struct ds_file_test ds_file_test;

/*
 * The files the programs ship with.  An installed build has the standard
 * places compiled in (make install: PREFIX/share/doorstep/forms, .../settings,
 * .../demo, and SYSCONFDIR/doorstep); a build in the source tree points at
 * forms/, forms/settings/, forms/demo/ and an /etc that does not exist.
 * DOORSTEP_DATADIR=DIR (DIR/forms, DIR/settings, DIR/demo) and
 * DOORSTEP_SYSCONFDIR=DIR override them (tests of an unpacked package).
 */
enum ds_share {
	DS_SHARE_FORMS,		/* household.md and its CSV lists */
	DS_SHARE_SETTINGS,	/* office settings files (*.json) */
	DS_SHARE_DEMO,		/* demo.sh and its sample answers */
	DS_SHARE_SYSCONF	/* defaults: office.conf */
};

/* Write the directory into out; -1 if it does not fit. */
int		 ds_share_dir(enum ds_share, char *out, size_t n);

/*
 * Take a secret from the environment (DOORSTEP_PASSPHRASE): copy its value
 * into out (cap bytes, NUL-terminated, *len its length), then overwrite
 * the variable's bytes where they lie -- the initial environment is what
 * /proc/PID/environ shows for the process's whole life -- and remove it.
 * 1 when it was set, 0 when not, -1 when longer than cap - 1 (removed
 * all the same).
 */
int		 ds_env_take(const char *name, char *out, size_t cap,
		    size_t *len);

/* fsync the directory that holds `path` (or `path` itself if a directory). */
enum ds_status	 ds_dir_sync(const char *path, struct ds_err *);

/*
 * Create a directory and its parents; the last component gets `mode`, the
 * parents 0700.  An existing directory is fine; its mode is not changed.
 */
enum ds_status	 ds_mkdir_p(const char *path, int mode, struct ds_err *);

/* 1 if path exists (any type). */
int		 ds_path_exists(const char *path);

/*
 * Checked number parsing: the whole string must be a number in range, with
 * no leading or trailing space.  Return 0 on success, -1 otherwise (out is
 * then unchanged).
 */
int		 ds_parse_i64(const char *s, int64_t min, int64_t max,
		    int64_t *out);
int		 ds_parse_double(const char *s, double *out);

/* Lowercase hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void		 ds_hex_encode(const unsigned char *in, size_t n, char *out);
/* Exactly 2n hex digits into n bytes; -1 on any other input. */
int		 ds_hex_decode(const char *in, unsigned char *out, size_t n);

/*
 * Wall clock in seconds and in milliseconds since the epoch.  Tests make it
 * deterministic with DOORSTEP_FAKE_NOW=SECONDS (each call then returns that
 * value; it is informational only and never used for security decisions).
 */
int64_t		 ds_now(void);
int64_t		 ds_now_ms(void);
/* Monotonic nanoseconds, for durations and benchmarks. */
uint64_t	 ds_mono_ns(void);

/* ISO 8601 local date-time with offset, e.g. 2026-11-23T14:05:09+08:00. */
void		 ds_time_iso(int64_t t, char out[32]);

/* Compare two byte strings of equal length in constant time: 0 if equal. */
int		 ds_memeq_ct(const void *, const void *, size_t);

#endif
