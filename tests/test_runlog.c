/* SPDX-License-Identifier: MIT */
/*
 * The log hand-off (cli/runlog.c, cli/cli.h): library lines tagged and limited to
 * 20 a minute, zebrapad's own passed untouched, and an end that does not
 * hang on a child process still holding stderr.
 */
#include "zp_test.h"
#include "zp_text.h"
#include "cli.h"
#include "zp_common.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/* A tool's log hand-off writing to a temp file that fd 2 points at. */
struct tool_log {
	FILE *tmp;    /* what reaches fd 2 */
	int saved;    /* fd 2 before */
	zp_runlog *l;
};

/* Point fd 2 at a new temp file and start the hand-off on it. */
static void tool_log_start(struct tool_log *t, bool *tty)
{
	t->saved = dup(2);
	t->tmp = tmpfile();
	ck_assert_ptr_nonnull(t->tmp);
	fflush(stderr);
	ck_assert_int_ge(dup2(fileno(t->tmp), 2), 0);
	t->l = zp_runlog_tool(tty);
	ck_assert_ptr_nonnull(t->l);
}

/* Give fd 2 back; what was written to the temp file is returned. */
static const char *stderr_back(const struct tool_log *t)
{
	static char buf[16384];
	size_t n;

	fflush(stderr);
	dup2(t->saved, 2);
	close(t->saved);
	rewind(t->tmp);
	n = fread(buf, 1, sizeof(buf) - 1, t->tmp);
	buf[n] = '\0';
	fclose(t->tmp);
	return buf;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(library_lines_tagged_and_limited)
{
	struct tool_log t;
	bool tty = true;
	const char *s;

	tool_log_start(&t, &tty);
	ck_assert(!tty);   /* a file, not a terminal */
	for (int i = 0; i < 50; i++)
		fprintf(stderr, "[mjpeg @ 0x1234] error count: %d\n", i);
	fprintf(stderr, "zebrapad eval: warning: its own\n");
	zp_log(ZP_LOG_WARNING, "tagged %d", 7);
	fprintf(stderr, "zebrapad eval [###...] 3/10 frames\r%40s\r", "");   /* a progress line wiped */
	zp_runlog_end(t.l, 1000);
	s = stderr_back(&t);
	ck_assert_int_eq(count(s, "<4>zebrapad: lib: [mjpeg @ 0x1234] error count: "), 20);
	ck_assert_msg(!strstr(s, "error count: 20\n"), "%s", s);
	zp_assert_has_all(s, (const char *const[]){ "<4>zebrapad: lib: [mjpeg @ 0x1234] error count: 19\n",
						  "<4>zebrapad: lib: 30 more library messages were not shown\n",
						  "\nzebrapad eval: warning: its own\n", "\n<4>zebrapad: tagged 7\n",
						  "zebrapad eval [###...] 3/10 frames\r", NULL });
	ck_assert_int_eq(count(s, "lib: zebrapad"), 0);
	ck_assert_int_eq(count(s, "lib:  "), 0);   /* the wiping spaces are not a library line */
}
END_TEST

/* After zp_runlog_sync() everything written so far is out (a tool's results on stdout come after it). */
START_TEST(sync_waits_for_the_drain)
{
	struct tool_log t;
	bool tty;
	struct stat st;
	long want = 0;

	tool_log_start(&t, &tty);
	for (int i = 0; i < 3000; i++)   /* ~150 KB: more than the pipe holds, so the drain is mid-way */
		want += fprintf(stderr, "zebrapad eval: line %04d of a long warning, the same length each\n", i);
	zp_runlog_sync(t.l, 5000);
	ck_assert_int_eq(fstat(fileno(t.tmp), &st), 0);
	ck_assert_int_eq(st.st_size, want);
	zp_runlog_end(t.l, 1000);
	stderr_back(&t);
}
END_TEST

/* A child still holding stderr (a worker that outlives the command): the end waits wait_ms, not for the child. */
START_TEST(end_does_not_wait_for_a_child)
{
	struct tool_log t;
	bool tty;
	double t0, dt;
	pid_t pid;
	int st;

	tool_log_start(&t, &tty);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		sleep(6);   /* holds the pipe's write end (its fd 2) */
		_exit(0);
	}
	fprintf(stderr, "zebrapad tune: a line\n");
	t0 = now_s();
	zp_runlog_end(t.l, 300);
	dt = now_s() - t0;
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	stderr_back(&t);
	ck_assert_msg(dt < 3.0, "zp_runlog_end took %.1f s with a child holding stderr", dt);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "core", .timeout_s = 30, .tests = ZP_TESTS(
			library_lines_tagged_and_limited,
			end_does_not_wait_for_a_child,
			sync_waits_for_the_drain) },
	};

	return zp_test_run(ZP_TEST_SUITE("runlog", cases));
}
