/* doorstep: a SQLite VFS whose reads fail on demand (failvfs.h). */
#include "failvfs.h"

#include <sqlite3.h>
#include <string.h>

struct ffile {
	sqlite3_file	 base;
	sqlite3_file	*real;		/* follows this struct */
};

static sqlite3_vfs fvfs, *under;
static long countdown, fired;

#define REAL(f)	(((struct ffile *)(f))->real)

static int
f_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	if (countdown > 0 && --countdown == 0)
		countdown = -1;
	if (countdown < 0) {
		fired++;
		return SQLITE_IOERR_READ;
	}
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int
f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}

static int
f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
f_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
f_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int
f_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int
f_check(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
f_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
f_chars(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
f_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, pp);
}

static int
f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
f_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

/* Version 2: no xFetch, so SQLite never maps the file. */
static const sqlite3_io_methods fmethods = {
	2, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock,
	f_unlock, f_check, f_control, f_sector, f_chars, f_shm_map,
	f_shm_lock, f_shm_barrier, f_shm_unmap, NULL, NULL
};

static int
f_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct ffile *ff = (struct ffile *)f;
	int rc;

	(void)v;
	ff->real = (sqlite3_file *)(ff + 1);
	rc = under->xOpen(under, name, ff->real, flags, out);
	if (rc == SQLITE_OK && ff->real->pMethods != NULL)
		f->pMethods = &fmethods;
	else
		f->pMethods = NULL;
	return rc;
}

static int
v_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return under->xDelete(under, name, sync);
}

static int
v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return under->xAccess(under, name, flags, out);
}

static int
v_full(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return under->xFullPathname(under, name, n, out);
}

static int
v_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return under->xRandomness(under, n, out);
}

static int
v_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return under->xSleep(under, us);
}

static int
v_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return under->xCurrentTime(under, out);
}

static int
v_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return under->xGetLastError(under, n, out);
}

static int
v_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return under->xCurrentTimeInt64(under, out);
}

int
failvfs_install(void)
{
	if (under != NULL)
		return 0;
	if ((under = sqlite3_vfs_find(NULL)) == NULL)
		return -1;
	memset(&fvfs, 0, sizeof(fvfs));
	fvfs.iVersion = 2;
	fvfs.szOsFile = (int)sizeof(struct ffile) + under->szOsFile;
	fvfs.mxPathname = under->mxPathname;
	fvfs.zName = "failvfs";
	fvfs.xOpen = f_open;
	fvfs.xDelete = v_delete;
	fvfs.xAccess = v_access;
	fvfs.xFullPathname = v_full;
	fvfs.xRandomness = v_random;
	fvfs.xSleep = v_sleep;
	fvfs.xCurrentTime = v_time;
	fvfs.xGetLastError = v_error;
	fvfs.xCurrentTimeInt64 = v_time64;
	return sqlite3_vfs_register(&fvfs, 1) == SQLITE_OK ? 0 : -1;
}

void
failvfs_arm(long n)
{
	countdown = n > 0 ? n : 1;
	fired = 0;
}

void
failvfs_disarm(void)
{
	countdown = 0;
}

long
failvfs_fired(void)
{
	return fired;
}
