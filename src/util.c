/* doorstep: files, numbers, hex and time helpers. */
/*
 * The file helpers are the only place outside SQLite where the field app
 * writes files, so the durability sequence and the I/O fault hook live here
 * once.  Nothing in this file prints or exits.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

enum ds_status
ds_file_write_atomic(const char *path, const void *data, size_t len,
    int mode, struct ds_err *err)
{
	char tmp[PATH_MAX];
	const char *step = "open";
	const unsigned char *p = data;
	size_t off = 0;
	ssize_t n;
	int fd, e = 0;

	/*
	 * A name of its own per writer: with one fixed PATH.tmp, a second
	 * writer unlinked the first's temp file and the first renamed the
	 * second's half-written one over PATH.
	 */
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return ds_err_set(err, DS_EINVAL, "path too long: %s", path);
	fd = mkstemp(tmp);	/* O_EXCL, mode 0600: never follows a link */
	if (fd == -1) {
		e = errno;
		return ds_err_set(err, errno_status(e), "cannot create %s: %s",
		    tmp, strerror(e));
	}
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	(void)fchmod(fd, (mode_t)mode);	/* umask must not widen or narrow it */
	step = "write";
	while (off < len) {
		if (ds_fault_hit(DS_FAULT_IO)) {
			errno = ENOSPC;
			goto out;
		}
		n = write(fd, p + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			goto out;
		}
		off += (size_t)n;
	}
	step = "fsync";
	if (ds_fault_hit(DS_FAULT_IO)) {
		errno = EIO;
		goto out;
	}
	if (fsync(fd) == -1)
		goto out;
	if (close(fd) == -1) {
		fd = -1;
		step = "close";
		goto out;
	}
	fd = -1;
	step = "rename";
	if (ds_fault_hit(DS_FAULT_IO)) {
		errno = EIO;
		goto out;
	}
	if (rename(tmp, path) == -1)
		goto out;
	return ds_dir_sync(path, err);
out:
	e = errno;
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
	return ds_err_set(err, errno_status(e), "cannot write %s: %s failed: %s",
	    path, step, strerror(e));
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
