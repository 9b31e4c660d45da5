/* doorstep: a SQLite VFS that counts writes and syncs (benchmarks). */
#include "countvfs.h"

#include <sqlite3.h>
#include <string.h>

/* Our file: the counter's kind, then the real file in the same block. */
struct cfile {
	sqlite3_file		 base;
	int			 kind;
	sqlite3_file		*real;
};

static sqlite3_vfs cvfs, *under;
static struct countvfs_stats stats;
static sqlite3_io_methods cio;

static int
c_close(sqlite3_file *f)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xClose(c->real);
}

static int
c_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xRead(c->real, p, n, off);
}

static int
c_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct cfile *c = (struct cfile *)f;

	stats.writes[c->kind]++;
	stats.bytes[c->kind] += (uint64_t)n;
	return c->real->pMethods->xWrite(c->real, p, n, off);
}

static int
c_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xTruncate(c->real, size);
}

static int
c_sync(sqlite3_file *f, int flags)
{
	struct cfile *c = (struct cfile *)f;

	stats.syncs[c->kind]++;
	return c->real->pMethods->xSync(c->real, flags);
}

static int
c_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xFileSize(c->real, size);
}

static int
c_lock(sqlite3_file *f, int l)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xLock(c->real, l);
}

static int
c_unlock(sqlite3_file *f, int l)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xUnlock(c->real, l);
}

static int
c_check(sqlite3_file *f, int *out)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xCheckReservedLock(c->real, out);
}

static int
c_fcntl(sqlite3_file *f, int op, void *arg)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xFileControl(c->real, op, arg);
}

static int
c_sector(sqlite3_file *f)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xSectorSize(c->real);
}

static int
c_devchar(sqlite3_file *f)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xDeviceCharacteristics(c->real);
}

static int
c_shmmap(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xShmMap(c->real, pg, sz, extend, pp);
}

static int
c_shmlock(sqlite3_file *f, int off, int n, int flags)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xShmLock(c->real, off, n, flags);
}

static void
c_shmbarrier(sqlite3_file *f)
{
	struct cfile *c = (struct cfile *)f;

	c->real->pMethods->xShmBarrier(c->real);
}

static int
c_shmunmap(sqlite3_file *f, int del)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xShmUnmap(c->real, del);
}

static int
c_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xFetch(c->real, off, n, pp);
}

static int
c_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	struct cfile *c = (struct cfile *)f;

	return c->real->pMethods->xUnfetch(c->real, off, p);
}

static int
c_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct cfile *c = (struct cfile *)f;
	int rc;

	(void)v;
	memset(c, 0, sizeof(*c));
	c->real = (sqlite3_file *)(c + 1);
	c->kind = flags & SQLITE_OPEN_MAIN_DB ? COUNTVFS_DB :
	    flags & SQLITE_OPEN_WAL ? COUNTVFS_WAL : COUNTVFS_OTHER;
	rc = under->xOpen(under, name, c->real, flags, out);
	/* SQLite calls xClose only if pMethods is set. */
	c->base.pMethods = c->real->pMethods != NULL ? &cio : NULL;
	return rc;
}

static int
c_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return under->xDelete(under, name, sync);
}

static int
c_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return under->xAccess(under, name, flags, out);
}

static int
c_full(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return under->xFullPathname(under, name, n, out);
}

static void *
c_dlopen(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return under->xDlOpen(under, name);
}

static void
c_dlerror(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	under->xDlError(under, n, out);
}

static void (*c_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	return under->xDlSym(under, h, sym);
}

static void
c_dlclose(sqlite3_vfs *v, void *h)
{
	(void)v;
	under->xDlClose(under, h);
}

static int
c_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return under->xRandomness(under, n, out);
}

static int
c_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return under->xSleep(under, us);
}

static int
c_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return under->xCurrentTime(under, out);
}

static int
c_lasterr(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return under->xGetLastError(under, n, out);
}

static int
c_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return under->xCurrentTimeInt64(under, out);
}

int
countvfs_install(void)
{
	if (under != NULL)
		return 0;
	if ((under = sqlite3_vfs_find(NULL)) == NULL || under->iVersion < 2)
		return -1;
	cio.iVersion = 3;
	cio.xClose = c_close;
	cio.xRead = c_read;
	cio.xWrite = c_write;
	cio.xTruncate = c_truncate;
	cio.xSync = c_sync;
	cio.xFileSize = c_size;
	cio.xLock = c_lock;
	cio.xUnlock = c_unlock;
	cio.xCheckReservedLock = c_check;
	cio.xFileControl = c_fcntl;
	cio.xSectorSize = c_sector;
	cio.xDeviceCharacteristics = c_devchar;
	cio.xShmMap = c_shmmap;
	cio.xShmLock = c_shmlock;
	cio.xShmBarrier = c_shmbarrier;
	cio.xShmUnmap = c_shmunmap;
	cio.xFetch = c_fetch;
	cio.xUnfetch = c_unfetch;
	cvfs.iVersion = 2;
	cvfs.szOsFile = (int)sizeof(struct cfile) + under->szOsFile;
	cvfs.mxPathname = under->mxPathname;
	cvfs.zName = "countvfs";
	cvfs.xOpen = c_open;
	cvfs.xDelete = c_delete;
	cvfs.xAccess = c_access;
	cvfs.xFullPathname = c_full;
	cvfs.xDlOpen = c_dlopen;
	cvfs.xDlError = c_dlerror;
	cvfs.xDlSym = c_dlsym;
	cvfs.xDlClose = c_dlclose;
	cvfs.xRandomness = c_random;
	cvfs.xSleep = c_sleep;
	cvfs.xCurrentTime = c_time;
	cvfs.xGetLastError = c_lasterr;
	cvfs.xCurrentTimeInt64 = c_time64;
	return sqlite3_vfs_register(&cvfs, 1) == SQLITE_OK ? 0 : -1;
}

void
countvfs_get(struct countvfs_stats *out)
{
	*out = stats;
}
