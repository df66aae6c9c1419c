/* SPDX-License-Identifier: MIT */
/* powercut_vfs.c - see powercut_vfs.h. Test code: plain POSIX, aborts nothing, returns -1 on trouble. */
#include "powercut_vfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REC_MAGIC 0x50435554u /* "PCUT" */

struct rec {
	uint32_t magic;
	int32_t len;      /* bytes of data that follow; -1: truncate to off */
	int64_t off;
};

typedef struct pc_file {
	sqlite3_file base;
	sqlite3_file *real;
	bool tracked;
	unsigned gen;
	int log_fd;
	char path[PATH_MAX];
} pc_file;

static sqlite3_vfs *real_vfs(sqlite3_vfs *vfs)
{
	return vfs->pAppData;
}

/* ---- sidecar files ---- */

static void split(const char *path, char *dir, size_t dlen, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		snprintf(dir, dlen, ".");
		*base = path;
	} else {
		snprintf(dir, dlen, "%.*s", (int)(slash - path) ? (int)(slash - path) : 1, path);
		*base = slash + 1;
	}
}

/* For each sidecar "BASE.durable.N" / "BASE.pending.N": the highest durable N, and optionally remove them all. */
static int scan_sidecars(const char *path, bool remove_all, long *max_durable)
{
	char dir[PATH_MAX], full[PATH_MAX + 300];
	const char *base;
	struct dirent *de;
	DIR *d;
	size_t bl;

	split(path, dir, sizeof(dir), &base);
	bl = strlen(base);
	*max_durable = -1;
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		const char *rest;
		char *end;
		long n;

		if (strncmp(de->d_name, base, bl) != 0 || de->d_name[bl] != '.')
			continue;
		rest = de->d_name + bl + 1;
		if (!strncmp(rest, "durable.", 8)) {
			n = strtol(rest + 8, &end, 10);
			if (*end == '\0' && n > *max_durable)
				*max_durable = n;
		} else if (strncmp(rest, "pending.", 8) != 0) {
			continue;
		}
		if (remove_all) {
			snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
			unlink(full);
		}
	}
	closedir(d);
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536], tmp[PATH_MAX + 8];
	int in, out;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", to);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	close(out);
	if (n < 0 || rename(tmp, to) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- the file shim ---- */

static int pc_log(pc_file *f, int32_t len, int64_t off, const void *data)
{
	struct rec r = { REC_MAGIC, len, off };
	size_t n = sizeof(r) + (len > 0 ? (size_t)len : 0);
	char name[PATH_MAX + 32];
	char *buf;
	ssize_t w;

	if (f->log_fd < 0) {
		snprintf(name, sizeof(name), "%s.pending.%u", f->path, f->gen);
		f->log_fd = open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (f->log_fd < 0)
			return SQLITE_IOERR;
	}
	buf = malloc(n);
	if (!buf)
		return SQLITE_NOMEM;
	memcpy(buf, &r, sizeof(r));
	if (len > 0)
		memcpy(buf + sizeof(r), data, (size_t)len);
	w = write(f->log_fd, buf, n);
	free(buf);
	return w == (ssize_t)n ? SQLITE_OK : SQLITE_IOERR;
}

static int pc_close(sqlite3_file *file)
{
	pc_file *f = (pc_file *)file;
	int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;

	if (f->log_fd >= 0)
		close(f->log_fd);
	return rc;
}

static int pc_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	pc_file *f = (pc_file *)file;

	return f->real->pMethods->xRead(f->real, buf, amt, off);
}

static int pc_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
	pc_file *f = (pc_file *)file;
	int rc = f->real->pMethods->xWrite(f->real, buf, amt, off);

	if (rc == SQLITE_OK && f->tracked)
		rc = pc_log(f, amt, off, buf);
	return rc;
}

static int pc_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	pc_file *f = (pc_file *)file;
	int rc = f->real->pMethods->xTruncate(f->real, size);

	if (rc == SQLITE_OK && f->tracked)
		rc = pc_log(f, -1, size, NULL);
	return rc;
}

/* The file as it is now becomes durable generation gen+1; writes after this go to pending.gen+1. */
static int pc_snapshot(pc_file *f)
{
	char name[PATH_MAX + 32], old[PATH_MAX + 32];
	sqlite3_int64 size = 0, off;
	char buf[65536];
	int out, rc;

	rc = f->real->pMethods->xFileSize(f->real, &size);
	if (rc != SQLITE_OK)
		return rc;
	snprintf(name, sizeof(name), "%s.durable.%u.tmp", f->path, f->gen + 1);
	out = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		return SQLITE_IOERR;
	for (off = 0; off < size; off += (sqlite3_int64)sizeof(buf)) {
		int n = size - off < (sqlite3_int64)sizeof(buf) ? (int)(size - off) : (int)sizeof(buf);

		rc = f->real->pMethods->xRead(f->real, buf, n, off);
		if ((rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) || write(out, buf, (size_t)n) != n) {
			close(out);
			unlink(name);
			return SQLITE_IOERR;
		}
	}
	close(out);
	snprintf(old, sizeof(old), "%s.durable.%u", f->path, f->gen + 1);
	if (rename(name, old) != 0)
		return SQLITE_IOERR;
	if (f->log_fd >= 0)
		close(f->log_fd);
	f->log_fd = -1;
	snprintf(old, sizeof(old), "%s.durable.%u", f->path, f->gen);
	unlink(old);
	snprintf(old, sizeof(old), "%s.pending.%u", f->path, f->gen);
	unlink(old);
	f->gen++;
	return SQLITE_OK;
}

static int pc_sync(sqlite3_file *file, int flags)
{
	pc_file *f = (pc_file *)file;
	int rc = f->real->pMethods->xSync(f->real, flags);

	if (rc == SQLITE_OK && f->tracked)
		rc = pc_snapshot(f);
	return rc;
}

static int pc_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	pc_file *f = (pc_file *)file;

	return f->real->pMethods->xFileSize(f->real, size);
}

static int pc_lock(sqlite3_file *file, int lock)
{
	pc_file *f = (pc_file *)file;

	return f->real->pMethods->xLock(f->real, lock);
}

static int pc_unlock(sqlite3_file *file, int lock)
{
	pc_file *f = (pc_file *)file;

	return f->real->pMethods->xUnlock(f->real, lock);
}

static int pc_check_reserved(sqlite3_file *file, int *out)
{
	pc_file *f = (pc_file *)file;

	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int pc_file_control(sqlite3_file *file, int op, void *arg)
{
	pc_file *f = (pc_file *)file;

	return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int pc_sector_size(sqlite3_file *file)
{
	pc_file *f = (pc_file *)file;

	return f->real->pMethods->xSectorSize(f->real);
}

static int pc_device_characteristics(sqlite3_file *file)
{
	pc_file *f = (pc_file *)file;

	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int pc_shm_map(sqlite3_file *file, int pg, int pgsz, int extend, void volatile **pp)
{
	pc_file *f = (pc_file *)file;

	return f->real->pMethods->xShmMap(f->real, pg, pgsz, extend, pp);
}

static int pc_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	pc_file *f = (pc_file *)file;

	return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void pc_shm_barrier(sqlite3_file *file)
{
	pc_file *f = (pc_file *)file;

	f->real->pMethods->xShmBarrier(f->real);
}

static int pc_shm_unmap(sqlite3_file *file, int del)
{
	pc_file *f = (pc_file *)file;

	return f->real->pMethods->xShmUnmap(f->real, del);
}

static const sqlite3_io_methods pc_methods = {
	.iVersion = 2, /* no xFetch: every write goes through xWrite */
	.xClose = pc_close,
	.xRead = pc_read,
	.xWrite = pc_write,
	.xTruncate = pc_truncate,
	.xSync = pc_sync,
	.xFileSize = pc_file_size,
	.xLock = pc_lock,
	.xUnlock = pc_unlock,
	.xCheckReservedLock = pc_check_reserved,
	.xFileControl = pc_file_control,
	.xSectorSize = pc_sector_size,
	.xDeviceCharacteristics = pc_device_characteristics,
	.xShmMap = pc_shm_map,
	.xShmLock = pc_shm_lock,
	.xShmBarrier = pc_shm_barrier,
	.xShmUnmap = pc_shm_unmap,
};

static int pc_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	pc_file *f = (pc_file *)file;
	int rc;

	memset(f, 0, sizeof(*f));
	f->log_fd = -1;
	f->real = (sqlite3_file *)(f + 1);
	rc = real_vfs(vfs)->xOpen(real_vfs(vfs), name, f->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		f->base.pMethods = NULL;
		return rc;
	}
	f->tracked = name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL));
	if (name)
		snprintf(f->path, sizeof(f->path), "%s", name);
	f->base.pMethods = &pc_methods;
	return SQLITE_OK;
}

static int pc_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	long max;
	int rc = real_vfs(vfs)->xDelete(real_vfs(vfs), name, sync_dir);

	scan_sidecars(name, true, &max);
	return rc;
}

int zp_powercut_register(void)
{
	sqlite3_vfs *real = sqlite3_vfs_find(NULL);
	sqlite3_vfs *vfs;

	if (!real)
		return -1;
	vfs = malloc(sizeof(*vfs));
	if (!vfs)
		return -1;
	*vfs = *real;
	vfs->zName = "powercut";
	vfs->szOsFile = (int)sizeof(pc_file) + real->szOsFile;
	vfs->pAppData = real;
	vfs->xOpen = pc_open;
	vfs->xDelete = pc_delete;
	vfs->pNext = NULL;
	return sqlite3_vfs_register(vfs, 1) == SQLITE_OK ? 0 : -1;
}

/* ---- after the cut ---- */

static uint32_t lcg(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

static int rebuild(const char *path, uint32_t *rng)
{
	char name[PATH_MAX + 32];
	long gen;
	int fd, in, dropped = 0;
	bool ioerr = false;
	struct rec r;

	if (scan_sidecars(path, false, &gen) != 0)
		return -1;
	if (gen < 0) {
		/* never synced: the cut takes the file with it */
		unlink(path);
		return 0;
	}
	snprintf(name, sizeof(name), "%s.durable.%ld", path, gen);
	if (copy_file(name, path) != 0)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	snprintf(name, sizeof(name), "%s.pending.%ld", path, gen);
	in = open(name, O_RDONLY | O_CLOEXEC);
	while (in >= 0 && read(in, &r, sizeof(r)) == (ssize_t)sizeof(r) && r.magic == REC_MAGIC) {
		bool keep = lcg(rng) & 1;

		if (r.len < 0) {
			if (keep && ftruncate(fd, r.off) != 0)
				ioerr = true;
		} else {
			char *buf = malloc((size_t)r.len + 1);

			if (!buf || read(in, buf, (size_t)r.len) != r.len) {
				free(buf);
				break; /* a record torn by the kill: never issued as far as the disk knows */
			}
			if (keep && pwrite(fd, buf, (size_t)r.len, r.off) != r.len)
				ioerr = true;
			free(buf);
		}
		if (!keep)
			dropped++;
	}
	if (in >= 0)
		close(in);
	close(fd);
	scan_sidecars(path, true, &gen);
	return ioerr ? -1 : dropped;
}

int zp_powercut_apply(const char *db_path, unsigned seed)
{
	static const char *const suffixes[] = { "", "-wal", "-journal" };
	char path[PATH_MAX];
	uint32_t rng = seed * 2654435761u + 1;
	int total = 0;

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		int n;

		snprintf(path, sizeof(path), "%s%s", db_path, suffixes[i]);
		n = rebuild(path, &rng);
		if (n < 0)
			return -1;
		total += n;
	}
	snprintf(path, sizeof(path), "%s-shm", db_path);
	unlink(path);
	return total;
}

int zp_powercut_settle(const char *db_path)
{
	static const char *const suffixes[] = { "", "-wal", "-journal" };
	char path[PATH_MAX], name[PATH_MAX + 32];
	struct stat st;
	long gen;

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", db_path, suffixes[i]);
		scan_sidecars(path, true, &gen);
		if (stat(path, &st) == 0) {
			snprintf(name, sizeof(name), "%s.durable.0", path);
			if (copy_file(path, name) != 0)
				return -1;
		}
	}
	return 0;
}
