/* SPDX-License-Identifier: MIT */
/*
 * Run a program (usually the built zebrapad) from an end-to-end suite and keep
 * what it did: the exit code, all of stdout and all of stderr. Shared by
 * test_app, test_bench, test_eval and test_site.
 *
 * stdout and stderr go to temp files, not pipes: a pipe the test reads one at
 * a time blocks the child as soon as the other one fills up (64 KiB), and a
 * file has no such limit. The files are unlinked as soon as they are made, so
 * nothing is left in /tmp even when a failed check ends the test early.
 */
#ifndef ZP_EXEC_H
#define ZP_EXEC_H

#include "zp_test.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ZP_EXEC_MAX_ARGS 64 /* argv entries, the program and the NULL included */

/* What a finished run left. Release with zp_exec_free(). */
struct zp_exec {
	int code;  /* exit status, or 128 + the signal number when a signal ended it */
	char *out; /* all of stdout, NUL-terminated, heap-allocated */
	char *err; /* all of stderr, likewise */
};

/* The zebrapad under test: $ZP_BINARY_DIR/app/zebrapad (ctest sets ZP_BINARY_DIR), else ./app/zebrapad. */
static inline const char *zp_exec_zebrapad_path(void)
{
	static char path[512];
	const char *b = getenv("ZP_BINARY_DIR");

	snprintf(path, sizeof(path), "%s/app/zebrapad", b ? b : ".");
	return path;
}

/* A new temp file in $TMPDIR (else /tmp), already unlinked, open for reading and writing. */
static inline int zp_exec_tmpfile(void)
{
	const char *d = getenv("TMPDIR");
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/zp_exec.XXXXXX", d && *d ? d : "/tmp");
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp %s: %s", path, strerror(errno));
	unlink(path);
	return fd;
}

/* All of the file behind fd, NUL-terminated, in a new heap buffer; closes fd. */
static inline char *zp_exec_read(int fd)
{
	struct stat st;
	size_t n = 0, size;
	ssize_t k;
	char *buf;

	ck_assert_int_eq(fstat(fd, &st), 0);
	size = (size_t)st.st_size;
	buf = malloc(size + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	while (n < size && (k = read(fd, buf + n, size - n)) > 0)
		n += (size_t)k;
	ck_assert_uint_eq(n, size);
	buf[n] = '\0';
	close(fd);
	return buf;
}

/*
 * Run argv[0] (a path, as for execv) with the NULL-terminated argv and wait for it. env, when not NULL, is a
 * NULL-terminated list of "KEY=VALUE" set in the child's environment on top of this process's (for example
 * "ASAN_OPTIONS=detect_leaks=0"). stdin and the working directory are this process's. Fills r; a failure to
 * start the child fails the test, a failure to exec gives code 127 and the reason on r->err.
 */
static inline void zp_exec_argv(struct zp_exec *r, const char *const env[], char *const argv[])
{
	int fo = zp_exec_tmpfile(), fe = zp_exec_tmpfile(), st;
	pid_t pid;

	ck_assert_ptr_nonnull(argv[0]);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (dup2(fo, STDOUT_FILENO) < 0 || dup2(fe, STDERR_FILENO) < 0)
			_exit(126);
		close(fo);
		close(fe);
		for (size_t i = 0; env && env[i]; i++) {
			const char *eq = strchr(env[i], '=');
			char key[128];

			if (!eq || (size_t)(eq - env[i]) >= sizeof(key)) {
				fprintf(stderr, "zp_exec: environment entry '%s' is not KEY=VALUE\n", env[i]);
				_exit(126);
			}
			memcpy(key, env[i], (size_t)(eq - env[i]));
			key[eq - env[i]] = '\0';
			if (setenv(key, eq + 1, 1) != 0)
				_exit(126);
		}
		execv(argv[0], argv);
		fprintf(stderr, "zp_exec: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	r->code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->out = zp_exec_read(fo);
	r->err = zp_exec_read(fe);
}

/* zp_exec() with the arguments after prog as a va_list (NULL-terminated). */
static inline void zp_exec_v(struct zp_exec *r, const char *const env[], const char *prog, va_list ap)
{
	char *argv[ZP_EXEC_MAX_ARGS];
	int n = 0;

	ck_assert_ptr_nonnull(prog);
	argv[n++] = (char *)prog;
	while ((argv[n] = va_arg(ap, char *)) != NULL) {
		n++;
		ck_assert_msg(n < ZP_EXEC_MAX_ARGS, "zp_exec: more than %d arguments", ZP_EXEC_MAX_ARGS - 2);
	}
	zp_exec_argv(r, env, argv);
}

/* Run `prog ARGS...` (the arguments end with NULL) with env as in zp_exec_argv(). Release r with zp_exec_free(). */
__attribute__((sentinel)) static inline void zp_exec(struct zp_exec *r, const char *const env[], const char *prog, ...)
{
	va_list ap;

	va_start(ap, prog);
	zp_exec_v(r, env, prog, ap);
	va_end(ap);
}

/* `zebrapad ARGS...` (NULL-terminated), the binary from zp_exec_zebrapad_path(). */
#define zp_exec_zebrapad(r, env, ...) zp_exec(r, env, zp_exec_zebrapad_path(), __VA_ARGS__)

/* Free what a run holds; r itself may be reused for the next run. A NULL r, or one freed already, is fine. */
static inline void zp_exec_free(struct zp_exec *r)
{
	if (!r)
		return;
	free(r->out);
	free(r->err);
	r->out = NULL;
	r->err = NULL;
}

#endif
