/* doorstep: a SQLite VFS that loses unsynced writes on a simulated power cut. */
/*
 * The model (lossyvfs.h): the real files always hold the volatile state
 * (what a page cache would return), so SQLite reads them unchanged; in
 * memory each inode keeps its durable image and the writes and truncations
 * since its last xSync, and each name the inode it durably refers to (as of
 * the last directory fsync).  A cut rebuilds every file from that.  Nothing
 * is freed: the process ends at the cut.  Test fixture only.
 */
#include "lossyvfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#define SECTOR	512

enum { P_WRITE, P_TRUNC };

struct pend {
	int		 kind;
	sqlite3_int64	 off;		/* write offset, or the new size */
	int		 len;
	unsigned char	*data;
	long		 gseq;		/* issue order across all files */
	struct pend	*next;
};

/* A file's bytes, grown geometrically. */
struct img {
	unsigned char	*p;
	sqlite3_int64	 len, cap;
};

struct inode {
	struct img	 dur;		/* durable image */
	struct pend	*head, **tail;
	int		 real_sync_due;	/* created by us: sync for real once */
};

struct name {
	char		*path;
	struct inode	*cur;		/* NULL: does not exist now */
	struct inode	*dur;		/* NULL: not durably in the directory */
	struct name	*next;
};

struct lfile {
	sqlite3_file	 base;
	struct inode	*ino;		/* NULL: untracked */
	sqlite3_file	*real;		/* follows this struct */
};

static sqlite3_vfs *unix_vfs;
static sqlite3_vfs lossy_vfs;
static sqlite3_io_methods lossy_io;
static int (*real_open_dir)(const char *, int *);
static char dir[PATH_MAX];
static size_t dirlen;
static struct name *names;
static long cut_after = -1, ops, gseq;
static enum lossy_mode mode;
static uint64_t rng;
static int active, dead;
static struct lossy_stats *st, st_local;
/* Everything allocated for one epoch, freed by lossy_reboot(). */
static void **allocs;
static size_t nallocs, capallocs;

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	if (nallocs == capallocs) {
		capallocs = capallocs ? 2 * capallocs : 256;
		if ((allocs = realloc(allocs, capallocs * sizeof(*allocs))) ==
		    NULL)
			abort();
	}
	allocs[nallocs++] = p;
	return p;
}

/* A durable image grows in place: keep its slot in allocs current. */
static void *
xrealloc(void *old, size_t n)
{
	void *p;
	size_t k;

	if (old == NULL)
		return xmalloc(n);
	if ((p = realloc(old, n)) == NULL)
		abort();
	for (k = nallocs; k-- > 0;)
		if (allocs[k] == old) {
			allocs[k] = p;
			break;
		}
	return p;
}

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
tracked(const char *path)
{
	return path != NULL && strncmp(path, dir, dirlen) == 0 &&
	    path[dirlen] == '/' && strchr(path + dirlen + 1, '/') == NULL;
}

static int
is_shm(const char *path)
{
	size_t n = strlen(path);

	return n > 4 && strcmp(path + n - 4, "-shm") == 0;
}

static struct inode *
inode_new(void)
{
	struct inode *i = xmalloc(sizeof(*i));

	memset(i, 0, sizeof(*i));
	i->tail = &i->head;
	return i;
}

/* An inode whose durable image is the file's bytes on disk now. */
static struct inode *
inode_from_disk(const char *path)
{
	struct inode *i = inode_new();
	struct stat sb;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return i;
	if (fstat(fd, &sb) == 0 && sb.st_size > 0) {
		i->dur.p = xmalloc((size_t)sb.st_size);
		i->dur.cap = sb.st_size;
		n = pread(fd, i->dur.p, (size_t)sb.st_size, 0);
		i->dur.len = n > 0 ? n : 0;
	}
	close(fd);
	return i;
}

static struct name *
name_find(const char *path, int make)
{
	struct name *n;

	for (n = names; n != NULL; n = n->next)
		if (strcmp(n->path, path) == 0)
			return n;
	if (!make)
		return NULL;
	n = xmalloc(sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->path = xmalloc(strlen(path) + 1);
	memcpy(n->path, path, strlen(path) + 1);
	n->next = names;
	names = n;
	return n;
}

/*
 * Count one mutating operation; the one after cut_after never happens:
 * from then on every file operation fails and changes nothing.
 */
static int
tick(void)
{
	if (dead)
		return -1;
	if (cut_after >= 0 && ops >= cut_after) {
		dead = 1;
		return -1;
	}
	ops++;
	st->ops = ops;
	return 0;
}

static void
pend_add(struct inode *i, int kind, sqlite3_int64 off, const void *p,
    int len)
{
	struct pend *e = xmalloc(sizeof(*e));

	e->kind = kind;
	e->off = off;
	e->len = len;
	e->data = NULL;
	if (kind == P_WRITE) {
		e->data = xmalloc((size_t)len);
		memcpy(e->data, p, (size_t)len);
	}
	e->gseq = gseq++;
	e->next = NULL;
	*i->tail = e;
	i->tail = &e->next;
}

static void
img_size(struct img *m, sqlite3_int64 want)
{
	sqlite3_int64 cap;

	if (want > m->cap) {
		for (cap = m->cap ? m->cap : 4096; cap < want; cap *= 2)
			;
		m->p = xrealloc(m->p, (size_t)cap);
		m->cap = cap;
	}
	if (want > m->len)
		memset(m->p + m->len, 0, (size_t)(want - m->len));
	m->len = want;
}

static void
img_write(struct img *m, sqlite3_int64 off, const unsigned char *p, int n)
{
	if (off + n > m->len)
		img_size(m, off + n);
	memcpy(m->p + off, p, (size_t)n);
}

/*
 * Apply one pending operation to an image: all of it (keep 2), none (0),
 * or a random subset of its 512-byte sectors (1).  Returns 1 if any byte
 * of a write was kept.
 */
static int
pend_apply(const struct pend *e, struct img *m, int keep, int *lost)
{
	sqlite3_int64 a, b;
	int any = 0;

	*lost = keep != 2;
	if (keep == 0)
		return 0;
	if (e->kind == P_TRUNC) {
		img_size(m, e->off);
		return 0;
	}
	if (keep == 2) {
		img_write(m, e->off, e->data, e->len);
		return 1;
	}
	for (a = e->off; a < e->off + e->len; a = b) {
		b = (a / SECTOR + 1) * SECTOR;
		if (b > e->off + e->len)
			b = e->off + e->len;
		if (rnd() & 1) {
			img_write(m, a, e->data + (a - e->off), (int)(b - a));
			any = 1;
		}
	}
	return any;
}

static void
inode_sync(struct inode *i)
{
	struct pend *e;
	int lost;

	for (e = i->head; e != NULL; e = e->next)
		pend_apply(e, &i->dur, 2, &lost);
	i->head = NULL;
	i->tail = &i->head;
}

/* Write the image to path (replacing it) with plain system calls. */
static void
put_file(const char *path, const unsigned char *p, sqlite3_int64 n)
{
	sqlite3_int64 done = 0;
	ssize_t w;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		abort();
	while (done < n) {
		if ((w = write(fd, p + done, (size_t)(n - done))) <= 0)
			abort();
		done += w;
	}
	close(fd);
}

/* The shared memory file holds no data: any state of it must do. */
static void
cut_shm(const char *path)
{
	unsigned char junk[4096];
	struct stat sb;
	size_t k;
	int fd;

	switch (rnd() % 4) {
	case 0:
		break;
	case 1:
		if (truncate(path, 0) != 0)
			break;
		break;
	case 2:
		if (stat(path, &sb) != 0 ||
		    (fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
			break;
		for (k = 0; k < sizeof(junk); k++)
			junk[k] = (unsigned char)rnd();
		for (k = 0; (off_t)k < sb.st_size; k += sizeof(junk))
			if (pwrite(fd, junk, sizeof(junk), (off_t)k) < 0)
				break;
		close(fd);
		break;
	default:
		(void)unlink(path);
	}
}

static int
pend_cmp(const void *a, const void *b)
{
	const struct pend *x = *(const struct pend *const *)a;
	const struct pend *y = *(const struct pend *const *)b;

	return x->gseq < y->gseq ? -1 : x->gseq > y->gseq;
}

void
lossy_reboot(void)
{
	struct pend **all, *e;
	struct name *n;
	struct dirent *de;
	struct img img;
	char path[PATH_MAX];
	size_t npend = 0, k, torn = 0;
	int keep, lost, kept;
	DIR *d;

	/* Which unsynced operations survive, in issue order. */
	for (n = names; n != NULL; n = n->next)
		if (n->dur != NULL)
			for (e = n->dur->head; e != NULL; e = e->next)
				npend++;
	if ((all = malloc((npend + 1) * sizeof(*all))) == NULL)
		abort();
	npend = 0;
	for (n = names; n != NULL; n = n->next)
		if (n->dur != NULL)
			for (e = n->dur->head; e != NULL; e = e->next)
				all[npend++] = e;
	qsort(all, npend, sizeof(*all), pend_cmp);
	if (mode == LOSSY_TORN)
		torn = (size_t)(rnd() % (npend + 1));

	for (n = names; n != NULL; n = n->next) {
		if (n->dur == NULL) {
			if (n->cur != NULL) {
				st->vanished++;
				(void)unlink(n->path);
			}
			continue;
		}
		if (n->cur == NULL)
			st->reappeared++;
		img.len = img.cap = n->dur->dur.len;
		img.p = xmalloc((size_t)img.len);
		if (img.len > 0)
			memcpy(img.p, n->dur->dur.p, (size_t)img.len);
		for (e = n->dur->head; e != NULL; e = e->next) {
			if (mode == LOSSY_DROP)
				keep = 0;
			else if (mode == LOSSY_SUBSET)
				keep = 1;
			else {
				for (k = 0; all[k] != e; k++)
					;
				keep = k < torn ? 2 : k == torn ? 1 : 0;
			}
			kept = pend_apply(e, &img, keep, &lost);
			if (e->kind == P_WRITE) {
				st->dropped += lost;
				st->kept += kept;
			}
		}
		put_file(n->path, img.p, img.len);
	}
	free(all);
	/* Files made behind SQLite's back and never opened: not durable;
	 * the shared memory file: any state. */
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (is_shm(path))
				cut_shm(path);
			else if (name_find(path, 0) == NULL) {
				st->vanished++;
				(void)unlink(path);
			}
		}
		closedir(d);
	}
	for (k = 0; k < nallocs; k++)
		free(allocs[k]);
	free(allocs);
	allocs = NULL;
	nallocs = capallocs = 0;
	names = NULL;
	active = dead = 0;
	cut_after = -1;
	sqlite3_vfs_register(unix_vfs, 1);
}

long
lossy_ops(void)
{
	return ops;
}

int
lossy_dead(void)
{
	return dead;
}

/* ---- the unix VFS's directory fsync, observed ---- */

static int
open_dir_hook(const char *file, int *fd)
{
	const char *slash = strrchr(file, '/');
	struct name *n;

	if (active && !dead && slash != NULL &&
	    (size_t)(slash - file) == dirlen &&
	    strncmp(file, dir, dirlen) == 0) {
		for (n = names; n != NULL; n = n->next)
			n->dur = n->cur;
		st->dirsyncs++;
	}
	return real_open_dir(file, fd);
}

/* ---- io methods ---- */

#define REAL(f)	(((struct lfile *)(f))->real)
#define INO(f)	(((struct lfile *)(f))->ino)

static int
l_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
l_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	if (dead && INO(f) != NULL)
		return SQLITE_IOERR_READ;
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int
l_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	int rc;

	if (INO(f) != NULL && tick() != 0)
		return SQLITE_IOERR_WRITE;
	rc = REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
	if (rc == SQLITE_OK && INO(f) != NULL)
		pend_add(INO(f), P_WRITE, off, p, n);
	return rc;
}

static int
l_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc;

	if (INO(f) != NULL && tick() != 0)
		return SQLITE_IOERR_TRUNCATE;
	rc = REAL(f)->pMethods->xTruncate(REAL(f), size);
	if (rc == SQLITE_OK && INO(f) != NULL) {
		pend_add(INO(f), P_TRUNC, size, NULL, 0);
		st->truncates++;
	}
	return rc;
}

static int
l_sync(sqlite3_file *f, int flags)
{
	struct inode *i = INO(f);

	if (i == NULL)
		return REAL(f)->pMethods->xSync(REAL(f), flags);
	if (tick() != 0)
		return SQLITE_IOERR_FSYNC;
	inode_sync(i);
	if (i->real_sync_due) {
		/* Lets the unix VFS do its directory sync (observed). */
		i->real_sync_due = 0;
		return REAL(f)->pMethods->xSync(REAL(f), flags);
	}
	return SQLITE_OK;
}

static int
l_size(sqlite3_file *f, sqlite3_int64 *p)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), p);
}

static int
l_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int
l_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int
l_check(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
l_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
l_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
l_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
l_shmmap(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, pp);
}

static int
l_shmlock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
l_shmbarrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
l_shmunmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

/* No memory-mapped reads: every read goes through xRead. */
static int
l_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	(void)f;
	(void)off;
	(void)n;
	*pp = NULL;
	return SQLITE_OK;
}

static int
l_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	(void)f;
	(void)off;
	(void)p;
	return SQLITE_OK;
}

/* ---- vfs methods ---- */

static int
v_open(sqlite3_vfs *v, const char *path, sqlite3_file *f, int flags,
    int *outf)
{
	struct lfile *lf = (struct lfile *)f;
	struct name *n = NULL;
	struct inode *made = NULL;
	struct stat sb;
	int rc, exists;

	(void)v;
	memset(lf, 0, sizeof(*lf));
	lf->real = (sqlite3_file *)(lf + 1);
	if (active && tracked(path) && !is_shm(path)) {
		if (dead)
			return SQLITE_CANTOPEN;
		exists = stat(path, &sb) == 0;
		n = name_find(path, 1);
		if (exists && n->cur == NULL)	/* made behind our back */
			n->cur = inode_from_disk(path);
		if (!exists && (flags & SQLITE_OPEN_CREATE)) {
			if (tick() != 0)
				return SQLITE_CANTOPEN;
			made = inode_new();
			made->real_sync_due = 1;
		}
	}
	rc = unix_vfs->xOpen(unix_vfs, path, lf->real, flags, outf);
	if (rc != SQLITE_OK) {
		f->pMethods = NULL;
		return rc;
	}
	if (n != NULL) {
		if (made != NULL)
			n->cur = made;
		lf->ino = n->cur;
	}
	f->pMethods = &lossy_io;
	return SQLITE_OK;
}

static int
v_delete(sqlite3_vfs *v, const char *path, int dirsync)
{
	struct name *n;

	(void)v;
	if (active && tracked(path)) {
		if (dead)
			return SQLITE_IOERR_DELETE;
		if ((n = name_find(path, 0)) != NULL) {
			if (tick() != 0)
				return SQLITE_IOERR_DELETE;
			n->cur = NULL;
		}
	}
	return unix_vfs->xDelete(unix_vfs, path, dirsync);
}

static int
v_access(sqlite3_vfs *v, const char *path, int flags, int *out)
{
	(void)v;
	return unix_vfs->xAccess(unix_vfs, path, flags, out);
}

static int
v_full(sqlite3_vfs *v, const char *path, int n, char *out)
{
	(void)v;
	return unix_vfs->xFullPathname(unix_vfs, path, n, out);
}

static void *
v_dlopen(sqlite3_vfs *v, const char *path)
{
	(void)v;
	return unix_vfs->xDlOpen(unix_vfs, path);
}

static void
v_dlerror(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	unix_vfs->xDlError(unix_vfs, n, out);
}

static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	return unix_vfs->xDlSym(unix_vfs, h, sym);
}

static void
v_dlclose(sqlite3_vfs *v, void *h)
{
	(void)v;
	unix_vfs->xDlClose(unix_vfs, h);
}

static int
v_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return unix_vfs->xRandomness(unix_vfs, n, out);
}

static int
v_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return unix_vfs->xSleep(unix_vfs, us);
}

static int
v_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return unix_vfs->xCurrentTime(unix_vfs, out);
}

static int
v_lasterr(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return unix_vfs->xGetLastError(unix_vfs, n, out);
}

static int
v_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return unix_vfs->xCurrentTimeInt64(unix_vfs, out);
}

int
lossy_install(void)
{
	static const sqlite3_io_methods io = {
		3, l_close, l_read, l_write, l_truncate, l_sync, l_size,
		l_lock, l_unlock, l_check, l_fcntl, l_sector, l_devchar,
		l_shmmap, l_shmlock, l_shmbarrier, l_shmunmap, l_fetch,
		l_unfetch
	};

	if (unix_vfs != NULL)
		return 0;
	st = &st_local;
	if ((unix_vfs = sqlite3_vfs_find("unix")) == NULL)
		return -1;
	real_open_dir = (int (*)(const char *, int *))
	    unix_vfs->xGetSystemCall(unix_vfs, "openDirectory");
	if (real_open_dir == NULL || unix_vfs->xSetSystemCall(unix_vfs,
	    "openDirectory", (sqlite3_syscall_ptr)open_dir_hook) != SQLITE_OK)
		return -1;
	lossy_io = io;
	lossy_vfs = *unix_vfs;
	lossy_vfs.iVersion = 2;
	lossy_vfs.szOsFile = (int)sizeof(struct lfile) + unix_vfs->szOsFile;
	lossy_vfs.zName = "lossy";
	lossy_vfs.pNext = NULL;
	lossy_vfs.pAppData = NULL;
	lossy_vfs.xOpen = v_open;
	lossy_vfs.xDelete = v_delete;
	lossy_vfs.xAccess = v_access;
	lossy_vfs.xFullPathname = v_full;
	lossy_vfs.xDlOpen = v_dlopen;
	lossy_vfs.xDlError = v_dlerror;
	lossy_vfs.xDlSym = v_dlsym;
	lossy_vfs.xDlClose = v_dlclose;
	lossy_vfs.xRandomness = v_random;
	lossy_vfs.xSleep = v_sleep;
	lossy_vfs.xCurrentTime = v_time;
	lossy_vfs.xGetLastError = v_lasterr;
	lossy_vfs.xCurrentTimeInt64 = v_time64;
	return sqlite3_vfs_register(&lossy_vfs, 0) == SQLITE_OK ? 0 : -1;
}

int
lossy_begin(const char *d, long cut, enum lossy_mode m, uint64_t seed,
    struct lossy_stats *stats)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct name *n;
	DIR *dh;

	if (unix_vfs == NULL || active || realpath(d, dir) == NULL)
		return -1;
	dirlen = strlen(dir);
	cut_after = cut;
	mode = m;
	rng = seed ? seed : 0x9e3779b97f4a7c15ull;
	ops = gseq = 0;
	dead = 0;
	st = stats != NULL ? stats : &st_local;
	memset(st, 0, sizeof(*st));
	/* What is on disk now survived the last cut: it is durable. */
	if ((dh = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(dh)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (is_shm(path))
			continue;
		n = name_find(path, 1);
		n->cur = n->dur = inode_from_disk(path);
	}
	closedir(dh);
	active = 1;
	return sqlite3_vfs_register(&lossy_vfs, 1) == SQLITE_OK ? 0 : -1;
}
