/* SPDX-License-Identifier: MIT */
/* slow_vfs.c - see slow_vfs.h. */
#include "slow_vfs.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct slow_file {
	sqlite3_file base;
	sqlite3_file *real;
} slow_file;

static _Atomic unsigned delay_us;
static atomic_bool full;
static _Atomic uint64_t nwrites, nrefused;
static sqlite3_vfs shim;
static sqlite3_io_methods methods;

static sqlite3_file *R(sqlite3_file *f)
{
	return ((slow_file *)f)->real;
}

static int x_close(sqlite3_file *f)
{
	int rc = R(f)->pMethods ? R(f)->pMethods->xClose(R(f)) : SQLITE_OK;

	free(R(f));
	return rc;
}

static int x_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return R(f)->pMethods->xRead(R(f), b, n, o); }

static int x_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	unsigned us = atomic_load(&delay_us);

	atomic_fetch_add(&nwrites, 1);
	if (us) {
		struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };

		while (nanosleep(&ts, &ts) != 0) {
		}
	}
	if (atomic_load(&full)) {
		atomic_fetch_add(&nrefused, 1);
		return SQLITE_FULL;
	}
	return R(f)->pMethods->xWrite(R(f), b, n, o);
}

static int x_truncate(sqlite3_file *f, sqlite3_int64 s) { return R(f)->pMethods->xTruncate(R(f), s); }
static int x_sync(sqlite3_file *f, int fl) { return R(f)->pMethods->xSync(R(f), fl); }
static int x_size(sqlite3_file *f, sqlite3_int64 *s) { return R(f)->pMethods->xFileSize(R(f), s); }
static int x_lock(sqlite3_file *f, int l) { return R(f)->pMethods->xLock(R(f), l); }
static int x_unlock(sqlite3_file *f, int l) { return R(f)->pMethods->xUnlock(R(f), l); }
static int x_check(sqlite3_file *f, int *o) { return R(f)->pMethods->xCheckReservedLock(R(f), o); }
static int x_fcntl(sqlite3_file *f, int op, void *a) { return R(f)->pMethods->xFileControl(R(f), op, a); }
static int x_sector(sqlite3_file *f) { return R(f)->pMethods->xSectorSize(R(f)); }
static int x_dev(sqlite3_file *f) { return R(f)->pMethods->xDeviceCharacteristics(R(f)); }
static int x_shmmap(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	return R(f)->pMethods->xShmMap(R(f), pg, sz, ext, pp);
}
static int x_shmlock(sqlite3_file *f, int off, int n, int fl) { return R(f)->pMethods->xShmLock(R(f), off, n, fl); }
static void x_shmbarrier(sqlite3_file *f) { R(f)->pMethods->xShmBarrier(R(f)); }
static int x_shmunmap(sqlite3_file *f, int del) { return R(f)->pMethods->xShmUnmap(R(f), del); }

static int x_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	sqlite3_vfs *real = vfs->pAppData;
	slow_file *sf = (slow_file *)f;
	int rc;

	memset(sf, 0, sizeof(*sf));
	sf->real = calloc(1, (size_t)real->szOsFile);
	if (!sf->real)
		return SQLITE_NOMEM;
	rc = real->xOpen(real, name, sf->real, flags, out);
	if (rc != SQLITE_OK) {
		free(sf->real);
		sf->real = NULL;
		return rc;
	}
	sf->base.pMethods = &methods;
	return SQLITE_OK;
}

static int x_delete(sqlite3_vfs *v, const char *n, int s) { sqlite3_vfs *r = v->pAppData; return r->xDelete(r, n, s); }
static int x_access(sqlite3_vfs *v, const char *n, int fl, int *o)
{
	sqlite3_vfs *r = v->pAppData;

	return r->xAccess(r, n, fl, o);
}
static int x_full(sqlite3_vfs *v, const char *n, int k, char *o)
{
	sqlite3_vfs *r = v->pAppData;

	return r->xFullPathname(r, n, k, o);
}
static int x_rand(sqlite3_vfs *v, int n, char *o) { sqlite3_vfs *r = v->pAppData; return r->xRandomness(r, n, o); }
static int x_sleep(sqlite3_vfs *v, int us) { sqlite3_vfs *r = v->pAppData; return r->xSleep(r, us); }
static int x_time(sqlite3_vfs *v, double *o) { sqlite3_vfs *r = v->pAppData; return r->xCurrentTime(r, o); }
static int x_lasterr(sqlite3_vfs *v, int n, char *o)
{
	sqlite3_vfs *r = v->pAppData;

	return r->xGetLastError(r, n, o);
}
static int x_time64(sqlite3_vfs *v, sqlite3_int64 *o)
{
	sqlite3_vfs *r = v->pAppData;

	return r->xCurrentTimeInt64(r, o);
}

int zp_slow_vfs_register(void)
{
	sqlite3_vfs *real = sqlite3_vfs_find("unix");

	if (!real)
		return -1;
	if (shim.zName)
		return sqlite3_vfs_register(&shim, 1) == SQLITE_OK ? 0 : -1;
	methods = (sqlite3_io_methods){ 2, x_close, x_read, x_write, x_truncate, x_sync, x_size, x_lock, x_unlock,
				       x_check, x_fcntl, x_sector, x_dev, x_shmmap, x_shmlock, x_shmbarrier, x_shmunmap,
				       NULL, NULL };
	shim = (sqlite3_vfs){ 1, (int)sizeof(slow_file), real->mxPathname, NULL, "zp_slow", real, x_open, x_delete,
			      x_access, x_full, NULL, NULL, NULL, NULL, x_rand, x_sleep, x_time, x_lasterr, x_time64,
			      NULL, NULL, NULL };
	shim.iVersion = 2;
	return sqlite3_vfs_register(&shim, 1) == SQLITE_OK ? 0 : -1;
}

void zp_slow_vfs_set_delay_us(unsigned us)
{
	atomic_store(&delay_us, us);
}

void zp_slow_vfs_set_full(bool on)
{
	atomic_store(&full, on);
}

uint64_t zp_slow_vfs_writes(void)
{
	return atomic_load(&nwrites);
}

uint64_t zp_slow_vfs_refused(void)
{
	return atomic_load(&nrefused);
}
