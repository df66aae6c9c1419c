/* SPDX-License-Identifier: MIT */
/*
 * openlog_preload.c - an LD_PRELOAD shim that records every attempt to open
 * a file for writing, to the file named by $ZP_OPENLOG, one line each:
 *
 *     open <result> <flags in hex> <absolute path>
 *
 * result is "ok" or the errno name's number ("e13"). Opens for reading only
 * are not logged. Covered: open, open64, openat, openat64, creat, creat64,
 * the _FORTIFY_SOURCE variants, fopen, fopen64, freopen, freopen64, plus
 * mkdir, rename, link, symlink, truncate (logged as their own verbs), which
 * are the other ways to make something appear on a disk. Calls made inside
 * libc (an internal open by another libc function) are not seen; every
 * library above libc (SQLite, OpenCV, libv4l2) goes through these symbols.
 *
 * The log is opened once, at load time, before any sandbox, and kept open.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef FILE *(*fopen_fn)(const char *, const char *);
typedef FILE *(*freopen_fn)(const char *, const char *, FILE *);

/* One fd for the whole process: an LD_PRELOAD shim has no other place to keep it. */
static int log_fd = -1;

/* dlsym returns an object pointer; ISO C has no cast to a function pointer, memcpy does it. */
#define NEXT(var, name)                                         \
	do {                                                    \
		void *sym_ = dlsym(RTLD_NEXT, name);            \
		memcpy(&(var), &sym_, sizeof(var));             \
	} while (0)

__attribute__((constructor)) static void openlog_init(void)
{
	const char *path = getenv("ZP_OPENLOG");
	open_fn real;

	NEXT(real, "open");
	if (path && real)
		log_fd = real(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log_fd >= 0) {
		/* the process may close descriptors it does not know (the daemon's sandbox does): say which is ours */
		char num[16];

		snprintf(num, sizeof(num), "%d", log_fd);
		setenv("ZP_OPENLOG_FD", num, 1);
	}
}

static int writes(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC | O_APPEND)) ||
	       (flags & O_TMPFILE) == O_TMPFILE;
}

/* dirfd + path -> absolute path (best effort). */
static void absolute(int dirfd, const char *path, char *out, size_t n)
{
	char base[PATH_MAX] = "";

	if (!path) {
		snprintf(out, n, "(null)");
		return;
	}
	if (path[0] == '/') {
		snprintf(out, n, "%s", path);
		return;
	}
	if (dirfd == AT_FDCWD) {
		if (!getcwd(base, sizeof(base)))
			snprintf(base, sizeof(base), ".");
	} else {
		char link[64];
		ssize_t k;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		k = readlink(link, base, sizeof(base) - 1);
		base[k > 0 ? k : 0] = '\0';
	}
	snprintf(out, n, "%s/%s", base, path);
}

static void record(const char *verb, int dirfd, const char *path, int flags, int result, int err)
{
	char abs[PATH_MAX], line[PATH_MAX + 96];
	int len, saved = errno;

	if (log_fd < 0)
		return;
	absolute(dirfd, path, abs, sizeof(abs));
	if (result >= 0)
		len = snprintf(line, sizeof(line), "%s ok %x %s\n", verb, (unsigned)flags, abs);
	else
		len = snprintf(line, sizeof(line), "%s e%d %x %s\n", verb, err, (unsigned)flags, abs);
	if (len > 0 && write(log_fd, line, (size_t)len) < 0)
		(void)0;
	errno = saved;
}

static int mode_flags(const char *mode)
{
	int f = 0;

	if (!mode)
		return 0;
	if (strchr(mode, 'w'))
		f |= O_WRONLY | O_CREAT | O_TRUNC;
	if (strchr(mode, 'a'))
		f |= O_WRONLY | O_CREAT | O_APPEND;
	if (strchr(mode, '+'))
		f = (f & ~O_ACCMODE) | O_RDWR;
	return f;
}

static int do_openat(const char *sym, int dirfd, const char *path, int flags, mode_t mode)
{
	int fd, err;

	if (!strcmp(sym, "open") || !strcmp(sym, "open64") || !strcmp(sym, "__open_2") || !strcmp(sym, "__open64_2")) {
		open_fn real;

		NEXT(real, !strcmp(sym, "open64") || !strcmp(sym, "__open64_2") ? "open64" : "open");
		fd = real ? real(path, flags, mode) : (errno = ENOSYS, -1);
	} else {
		openat_fn real;

		NEXT(real, !strcmp(sym, "openat64") || !strcmp(sym, "__openat64_2") ? "openat64" : "openat");
		fd = real ? real(dirfd, path, flags, mode) : (errno = ENOSYS, -1);
	}
	err = errno;
	if (writes(flags))
		record("open", dirfd, path, flags, fd, err);
	errno = err;
	return fd;
}

#define MODE_ARG(flags, mode)                                                      \
	do {                                                                       \
		if ((flags) & O_CREAT || ((flags) & O_TMPFILE) == O_TMPFILE) {     \
			va_list ap;                                                \
			va_start(ap, flags);                                       \
			mode = (mode_t)va_arg(ap, int);                            \
			va_end(ap);                                                \
		}                                                                  \
	} while (0)

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return do_openat("open", AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return do_openat("open64", AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return do_openat("openat", dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	return do_openat("openat64", dirfd, path, flags, mode);
}

int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags)
{
	return do_openat("open", AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags);
int __open64_2(const char *path, int flags)
{
	return do_openat("open64", AT_FDCWD, path, flags, 0);
}

int __openat_2(int dirfd, const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags)
{
	return do_openat("openat", dirfd, path, flags, 0);
}

int __openat64_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags)
{
	return do_openat("openat64", dirfd, path, flags, 0);
}

int creat(const char *path, mode_t mode)
{
	return do_openat("open", AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int creat64(const char *path, mode_t mode)
{
	return do_openat("open64", AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

static FILE *do_fopen(const char *sym, const char *path, const char *mode, FILE *stream)
{
	FILE *f;
	int err;

	if (stream) {
		freopen_fn real;

		NEXT(real, sym);
		f = real ? real(path, mode, stream) : (errno = ENOSYS, NULL);
	} else {
		fopen_fn real;

		NEXT(real, sym);
		f = real ? real(path, mode) : (errno = ENOSYS, NULL);
	}
	err = errno;
	if (writes(mode_flags(mode)) && path)
		record("open", AT_FDCWD, path, mode_flags(mode), f ? 0 : -1, err);
	errno = err;
	return f;
}

FILE *fopen(const char *path, const char *mode)
{
	return do_fopen("fopen", path, mode, NULL);
}

FILE *fopen64(const char *path, const char *mode)
{
	return do_fopen("fopen64", path, mode, NULL);
}

FILE *freopen(const char *path, const char *mode, FILE *stream)
{
	return do_fopen("freopen", path, mode, stream);
}

FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
	return do_fopen("freopen64", path, mode, stream);
}

/*
 * The other ways to put something on a disk, logged with their own verb and
 * the name they make; record() leaves errno as the call set it.
 */
static int logged(const char *verb, const char *path, int rc)
{
	record(verb, AT_FDCWD, path, 0, rc, errno);
	return rc;
}

/* rename, link and symlink: from -> to, and to is the name that appears. */
static int from_to(const char *verb, const char *from, const char *to)
{
	int (*real)(const char *, const char *);

	NEXT(real, verb);
	return logged(verb, to, real ? real(from, to) : -1);
}

int mkdir(const char *path, mode_t mode)
{
	int (*real)(const char *, mode_t);

	NEXT(real, "mkdir");
	return logged("mkdir", path, real ? real(path, mode) : -1);
}

int rename(const char *from, const char *to)
{
	return from_to("rename", from, to);
}

int link(const char *from, const char *to)
{
	return from_to("link", from, to);
}

int symlink(const char *from, const char *to)
{
	return from_to("symlink", from, to);
}

int truncate(const char *path, off_t len)
{
	int (*real)(const char *, off_t);

	NEXT(real, "truncate");
	return logged("truncate", path, real ? real(path, len) : -1);
}
