/* doorstep: files, numbers, hex and time helpers. */
/*
 * The file helpers are the only place outside SQLite where the field app
 * writes files, so the durability sequence and the I/O fault hook live here
 * once.  Nothing in this file prints or exits.
 */
#define _GNU_SOURCE	/* O_TMPFILE */

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"

static enum ds_status
errno_status(int e)
{
	switch (e) {
	case ENOSPC:
#ifdef EDQUOT
	case EDQUOT:
#endif
	case EFBIG:
		return DS_ENOSPC;
	case ENOENT:
		return DS_ENOENT;
	case ENOMEM:
		return DS_ENOMEM;
	case EEXIST:
		return DS_EEXIST;
	default:
		return DS_EIO;
	}
}

enum ds_status
ds_file_read(const char *path, size_t cap, char **out, size_t *lenp,
    struct ds_err *err)
{
	struct stat sb;
	size_t len = 0;
	ssize_t n;
	char *p;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		e = errno;
		return ds_err_set(err, errno_status(e), "cannot open %s: %s",
		    path, strerror(e));
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return ds_err_set(err, DS_EIO, "cannot read %s: not a file",
		    path);
	}
	if ((uintmax_t)sb.st_size > cap) {
		close(fd);
		return ds_err_set(err, DS_ELIMIT,
		    "%s is too large (%jd bytes, limit %zu)", path,
		    (intmax_t)sb.st_size, cap);
	}
	if ((p = ds_malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		return ds_err_set(err, DS_ENOMEM, "cannot read %s: %s", path,
		    ds_status_str(DS_ENOMEM));
	}
	while (len < (size_t)sb.st_size) {
		n = read(fd, p + len, (size_t)sb.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n == 0 ? EIO : errno;
			close(fd);
			ds_free(p);
			return ds_err_set(err, DS_EIO, "cannot read %s: %s",
			    path, n == 0 ? "file shrank" : strerror(e));
		}
		len += (size_t)n;
	}
	close(fd);
	p[len] = '\0';
	*out = p;
	if (lenp)
		*lenp = len;
	return DS_OK;
}

static int
dir_of(const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');
	int r;

	if (slash == NULL)
		r = snprintf(dir, n, ".");
	else if (slash == path)
		r = snprintf(dir, n, "/");
	else
		r = snprintf(dir, n, "%.*s", (int)(slash - path), path);
	return r < 0 || (size_t)r >= n ? -1 : 0;
}

enum ds_status
ds_dir_sync(const char *path, struct ds_err *err)
{
	char dir[PATH_MAX];
	struct stat sb;
	int fd, e;

	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
			return ds_err_set(err, DS_EINVAL, "path too long");
	} else if (dir_of(path, dir, sizeof(dir)) == -1)
		return ds_err_set(err, DS_EINVAL, "path too long");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		e = errno;
		return ds_err_set(err, errno_status(e),
		    "cannot open directory %s: %s", dir, strerror(e));
	}
	if (ds_fault_hit(DS_FAULT_IO) || fsync(fd) == -1) {
		e = errno ? errno : EIO;
		close(fd);
		return ds_err_set(err, DS_EIO, "fsync of directory %s: %s",
		    dir, strerror(e));
	}
	close(fd);
	return DS_OK;
}

struct ds_file_test ds_file_test;

/* How often a writer retries a PATH.tmp that others keep taking. */
#define TMP_TRIES	64

static void
tmp_step(const char *step)
{
	if (ds_file_test.step != NULL)
		ds_file_test.step(step);
}

static int
lock_wait(int fd)
{
	if (ds_fault_hit(DS_FAULT_LOCK)) {
		errno = ENOLCK;
		return -1;
	}
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/*
 * Free the name tmp: wait until no writer holds the file there (a live
 * writer keeps its lock until it has renamed the file away), then, if the
 * same file is still there, its writer died: remove it.  0 when the name
 * is free (or was taken again meanwhile: the caller retries), -1 on error.
 */
static int
tmp_collect(const char *tmp)
{
	struct stat a, b;
	int fd, e, r = 0;

	fd = open(tmp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	if (lock_wait(fd) == -1 || fstat(fd, &a) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (lstat(tmp, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino) {
		if (!S_ISREG(a.st_mode)) {
			errno = EEXIST;
			r = -1;
		} else if (unlink(tmp) == -1 && errno != ENOENT)
			r = -1;
	}
	e = errno;
	close(fd);
	errno = e;
	return r;
}

/* flock's answer where the file system has no locks. */
static int
no_locks(int e)
{
	return e == ENOLCK || e == EOPNOTSUPP;
}

/*
 * Without locks a writer cannot tell a dead writer's PATH.tmp from a live
 * one's: it takes a name no one else uses, PATH.XXXXXX, created 0600.
 */
static int
tmp_unique(struct ds_tmp *t)
{
	int r;

	r = snprintf(t->tmp, sizeof(t->tmp), "%s.XXXXXX", t->path);
	if (r < 0 || (size_t)r >= sizeof(t->tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkostemp(t->tmp, O_CLOEXEC);
}

/* PATH.tmp created here, exclusively, and locked: its fd or -1. */
static int
tmp_create(const char *tmp)
{
	struct stat sb;
	int fd, i, e;

	for (i = 0; i < TMP_TRIES; i++) {
		fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd == -1) {
			if (errno != EEXIST || tmp_collect(tmp) == -1)
				return -1;
			continue;
		}
		if (lock_wait(fd) == -1 || fstat(fd, &sb) == -1) {
			/*
			 * Not ours for sure: an empty file the next collects;
			 * without locks no one collects, nor took it.
			 */
			e = errno;
			if (no_locks(e))
				(void)unlink(tmp);
			close(fd);
			errno = e;
			return -1;
		}
		/* A collector took it for a dead writer's before our lock. */
		if (sb.st_nlink > 0)
			return fd;
		close(fd);
	}
	errno = EEXIST;
	return -1;
}

enum ds_status
ds_tmp_open(struct ds_tmp *t, const char *path, int mode, struct ds_err *err)
{
	char dir[DS_PATH_MAX];
	int e;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (snprintf(t->path, sizeof(t->path), "%s", path) >=
	    (int)sizeof(t->path) || snprintf(t->tmp, sizeof(t->tmp),
	    "%s.tmp", path) >= (int)sizeof(t->tmp) ||
	    dir_of(path, dir, sizeof(dir)) == -1)
		return ds_err_set(err, DS_EINVAL, "path too long: %s", path);
#ifdef O_TMPFILE
	/*
	 * No name while the data goes in: a crash leaves nothing.  The
	 * file is linked later through /proc (linkat with AT_EMPTY_PATH
	 * needs a capability), so without /proc take the named way.
	 */
	if (!ds_file_test.named &&
	    (t->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) != -1) {
		(void)snprintf(t->proc, sizeof(t->proc), "/proc/self/fd/%d",
		    t->fd);
		if (access(t->proc, F_OK) == 0 && lock_wait(t->fd) == 0)
			t->anon = 1;
		else {
			close(t->fd);
			t->fd = -1;
		}
	}
#endif
	if (t->fd == -1 && (t->fd = tmp_create(t->tmp)) == -1 &&
	    (!no_locks(errno) || (t->fd = tmp_unique(t)) == -1)) {
		e = errno;
		return ds_err_set(err, errno_status(e), "cannot create %s: %s",
		    t->tmp, strerror(e));
	}
	(void)fchmod(t->fd, (mode_t)mode); /* umask must not widen or narrow */
	return DS_OK;
}

const char *
ds_tmp_name(const struct ds_tmp *t)
{
	return t->anon ? t->proc : t->tmp;
}

void
ds_tmp_abort(struct ds_tmp *t)
{
	int e = errno;

	if (t->fd == -1)
		return;
	if (!t->anon)
		(void)unlink(t->tmp);	/* still ours: we hold the lock */
	close(t->fd);
	t->fd = -1;
	errno = e;
}

enum ds_status
ds_tmp_commit(struct ds_tmp *t, struct ds_err *err)
{
	const char *step = "fsync";
	int i, e;

	if (ds_fault_hit(DS_FAULT_IO)) {
		errno = EIO;
		goto out;
	}
	if (fsync(t->fd) == -1)
		goto out;
	tmp_step("written");
	if (t->anon) {
		step = "link";
		for (i = 0; i < TMP_TRIES; i++) {
			if (linkat(AT_FDCWD, t->proc, AT_FDCWD, t->tmp,
			    AT_SYMLINK_FOLLOW) == 0)
				break;
			if (errno != EEXIST || tmp_collect(t->tmp) == -1)
				goto out;
		}
		if (i == TMP_TRIES) {
			errno = EEXIST;
			goto out;
		}
		t->anon = 0;
		tmp_step("linked");
	}
	step = "rename";
	if (ds_fault_hit(DS_FAULT_IO)) {
		errno = EIO;
		goto out;
	}
	if (rename(t->tmp, t->path) == -1)
		goto out;
	/* Only now let go of the lock; the data is synced already. */
	close(t->fd);
	t->fd = -1;
	return ds_dir_sync(t->path, err);
out:
	e = errno;
	ds_tmp_abort(t);
	return ds_err_set(err, errno_status(e), "cannot write %s: %s failed: "
	    "%s", t->path, step, strerror(e));
}

enum ds_status
ds_file_write_atomic(const char *path, const void *data, size_t len,
    int mode, struct ds_err *err)
{
	struct ds_tmp t;
	enum ds_status st;
	const unsigned char *p = data;
	size_t off = 0;
	ssize_t n;
	int e;

	if ((st = ds_tmp_open(&t, path, mode, err)) != DS_OK)
		return st;
	while (off < len) {
		if (ds_fault_hit(DS_FAULT_IO)) {
			errno = ENOSPC;
			goto out;
		}
		n = write(t.fd, p + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			goto out;
		}
		off += (size_t)n;
	}
	return ds_tmp_commit(&t, err);
out:
	e = errno;
	ds_tmp_abort(&t);
	return ds_err_set(err, errno_status(e), "cannot write %s: write "
	    "failed: %s", path, strerror(e));
}

enum ds_status
ds_mkdir_p(const char *path, int mode, struct ds_err *err)
{
	char buf[PATH_MAX];
	size_t i, len;
	int e;

	len = strlen(path);
	if (len == 0 || len >= sizeof(buf))
		return ds_err_set(err, DS_EINVAL, "bad directory path");
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, i == len ? (mode_t)mode : 0700) == -1 &&
		    errno != EEXIST) {
			e = errno;
			return ds_err_set(err, errno_status(e),
			    "cannot create directory %s: %s", buf,
			    strerror(e));
		}
		if (i < len)
			buf[i] = '/';
	}
	return DS_OK;
}

int
ds_path_exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

#ifndef DS_FORMSDIR
#define DS_FORMSDIR	"/usr/share/doorstep/forms"
#endif
#ifndef DS_SETTINGSDIR
#define DS_SETTINGSDIR	"/usr/share/doorstep/settings"
#endif
#ifndef DS_DEMODIR
#define DS_DEMODIR	"/usr/share/doorstep/demo"
#endif
#ifndef DS_SYSCONFDIR
#define DS_SYSCONFDIR	"/etc/doorstep"
#endif

int
ds_share_dir(enum ds_share which, char *out, size_t n)
{
	static const char *const sub[] = { "forms", "settings", "demo" };
	static const char *const built[] = { DS_FORMSDIR, DS_SETTINGSDIR,
	    DS_DEMODIR };
	const char *env;
	int r;

	if (which == DS_SHARE_SYSCONF) {
		env = getenv("DOORSTEP_SYSCONFDIR");
		r = snprintf(out, n, "%s", env != NULL && *env != '\0' ?
		    env : DS_SYSCONFDIR);
	} else if ((env = getenv("DOORSTEP_DATADIR")) != NULL &&
	    *env != '\0')
		r = snprintf(out, n, "%s/%s", env, sub[which]);
	else
		r = snprintf(out, n, "%s", built[which]);
	return r < 0 || (size_t)r >= n ? -1 : 0;
}

int
ds_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t' || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
ds_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

void
ds_hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
ds_hex_decode(const char *in, unsigned char *out, size_t n)
{
	size_t i;
	int hi, lo;

	if (strlen(in) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		hi = hexval(in[2 * i]);
		lo = hexval(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int
ds_env_take(const char *name, char *out, size_t cap, size_t *len)
{
	char *v = getenv(name);
	size_t n;
	int r = 1;

	*len = 0;
	if (v == NULL)
		return 0;
	n = strlen(v);
	if (cap == 0 || n >= cap)
		r = -1;
	else {
		memcpy(out, v, n + 1);
		*len = n;
	}
	/* The whole "NAME=value" entry, which getenv's value ends. */
	(void)unsetenv(name);
	explicit_bzero(v - strlen(name) - 1, strlen(name) + 1 + n);
	return r;
}

int64_t
ds_now(void)
{
	const char *fake = getenv("DOORSTEP_FAKE_NOW");
	int64_t v;

	if (fake != NULL && ds_parse_i64(fake, 0, INT64_MAX / 1000, &v) == 0)
		return v;
	return (int64_t)time(NULL);
}

int64_t
ds_now_ms(void)
{
	const char *fake = getenv("DOORSTEP_FAKE_NOW");
	struct timespec ts;
	int64_t v;

	if (fake != NULL && ds_parse_i64(fake, 0, INT64_MAX / 1000, &v) == 0)
		return v * 1000;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t
ds_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
ds_time_iso(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	char z[8];
	size_t n;

	localtime_r(&tt, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(z, sizeof(z), "%z", &tm);	/* +0800 -> +08:00 */
	if (strlen(z) == 5)
		snprintf(out + n, 32 - n, "%.3s:%.2s", z, z + 3);
}

int
ds_memeq_ct(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d != 0;
}
