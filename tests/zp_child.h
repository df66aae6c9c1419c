/* SPDX-License-Identifier: MIT */
/*
 * zp_child.h - run a function in a forked child and read back what it
 * reports through a pipe, for tests that must keep the child apart from the
 * test process (to measure its peak memory, or to confine it in a sandbox).
 */
#ifndef ZP_CHILD_H
#define ZP_CHILD_H

#include "zp_test.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Fork; the child runs fn(ctx, fd), fd the write end of a pipe, and must
 * _exit (127 if fn returns). The parent gets the child's pid, and the read
 * end in *from_child.
 */
static inline pid_t zp_child_start(void (*fn)(void *ctx, int fd), void *ctx, int *from_child)
{
	int pfd[2];
	pid_t pid;

	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(pfd[0]);
		fn(ctx, pfd[1]);
		_exit(127);
	}
	close(pfd[1]);
	*from_child = pfd[0];
	return pid;
}

/*
 * zp_child_start, then read what the child wrote, up to size - 1 bytes, into
 * report (NUL-terminated) and wait for it. Its wait status is returned; its
 * resource usage in *ru unless ru is NULL.
 */
static inline int zp_child_run(void (*fn)(void *ctx, int fd), void *ctx, char *report, size_t size,
			       struct rusage *ru)
{
	int fd, status;
	pid_t pid = zp_child_start(fn, ctx, &fd);
	size_t got = 0;
	ssize_t k;

	while (got + 1 < size && (k = read(fd, report + got, size - 1 - got)) > 0)
		got += (size_t)k;
	report[got] = '\0';
	close(fd);
	ck_assert_int_eq(wait4(pid, &status, 0, ru), pid);
	return status;
}

#endif
