/* SPDX-License-Identifier: MIT */
/*
 * Running a program under the open-for-writing shim (fakes/openlog_preload.c,
 * built as $ZP_OPENLOG_SO), and reading back its log: one line per attempt,
 * "<verb> <result> <flags in hex> <absolute path>".
 *
 *     int rc = zp_openlog_run(argv, log_path, out_path, NULL);
 *     struct zp_openlog_check c;
 *
 *     zp_openlog_check(log_path, expected, ctx, &c);
 *
 * where expected(ctx, line) counts what the suite wants of each line and
 * says whether the line is one it allows.
 */
#ifndef ZP_OPENLOG_H
#define ZP_OPENLOG_H

#include "zp_test.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The store in the folder data, and the files SQLite keeps beside it: what a writer of the store may open. */
struct zp_store_files {
	char db[200], wal[220], shm[220], journal[220];
};

static inline void zp_store_files_in(struct zp_store_files *sf, const char *data)
{
	snprintf(sf->db, sizeof(sf->db), "%s/counts.db", data);
	snprintf(sf->wal, sizeof(sf->wal), "%s-wal", sf->db);
	snprintf(sf->shm, sizeof(sf->shm), "%s-shm", sf->db);
	snprintf(sf->journal, sizeof(sf->journal), "%s-journal", sf->db);
}

/* A file (a child's stderr, a log) copied to stderr, to explain a failing check; nothing when it is not there. */
static inline void zp_dump_file(const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	fprintf(stderr, "---- %s ----\n", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(f);
}

/*
 * Run argv (argv[0] a path) with the shim preloaded, logging to log_path,
 * stdout to out_path, stderr to err_path (NULL: this process's stderr);
 * returns its exit status. The environment is only the shim's and the
 * sanitizers' options: no NOTIFY_SOCKET, no JOURNAL_STREAM (a daemon logs to
 * stderr); LeakSanitizer is off, as it cannot work in a process that made
 * itself non-dumpable. A child killed by a signal fails the test, with its
 * stderr shown.
 */
static inline int zp_openlog_run(char *const argv[], const char *log_path, const char *out_path,
				 const char *err_path)
{
	const char *shim = getenv("ZP_OPENLOG_SO");
	char preload[600], logenv[600];
	int status;
	pid_t pid;

	ck_assert_msg(shim != NULL, "ZP_OPENLOG_SO not set (run through ctest)");
	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", shim);
	snprintf(logenv, sizeof(logenv), "ZP_OPENLOG=%s", log_path);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *envp[] = { preload, logenv, "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0",
				 "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1", NULL };
		int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(120);
		close(fd);
		if (err_path) {
			fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (fd < 0 || dup2(fd, 2) < 0)
				_exit(120);
			close(fd);
		}
		execve(argv[0], argv, envp);
		_exit(121);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) && err_path)
		zp_dump_file(err_path);
	ck_assert_msg(WIFEXITED(status), "%s died (signal %d)", argv[0], WTERMSIG(status));
	return WEXITSTATUS(status);
}

/* One line of the log. */
struct zp_openlog_line {
	char text[1200]; /* the whole line, as written */
	char verb[16];
	char result[16];
	unsigned flags;
	char path[1024];
};

/* What zp_openlog_check() found. */
struct zp_openlog_check {
	int lines;           /* all of them */
	char first_bad[700]; /* the first one expected() did not allow, "" when none */
};

/* Every line of the log at log_path (the shim must have written one, every line must parse) through expected(). */
static inline void zp_openlog_check(const char *log_path, bool (*expected)(void *ctx, const struct zp_openlog_line *l),
				    void *ctx, struct zp_openlog_check *c)
{
	struct zp_openlog_line l;
	FILE *f = fopen(log_path, "r");

	memset(c, 0, sizeof(*c));
	ck_assert_msg(f != NULL, "the shim did not create its log %s (not preloaded?)", log_path);
	while (fgets(l.text, sizeof(l.text), f)) {
		ck_assert_int_eq(sscanf(l.text, "%15s %15s %x %1023[^\n]", l.verb, l.result, &l.flags, l.path), 4);
		c->lines++;
		if (!expected(ctx, &l) && !c->first_bad[0])
			snprintf(c->first_bad, sizeof(c->first_bad), "%.650s", l.text);
	}
	fclose(f);
}

#endif
