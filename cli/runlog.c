/* SPDX-License-Identifier: MIT */
/* runlog.c - the log hand-off of the daemon and the tools (cli.h). */
#include "cli.h"

#include "zp_common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#define RUNLOG_PIPE_BYTES (1 << 20)
#define RUNLOG_LINE 2048            /* a longer line is cut there */
#define RUNLOG_LIB_PER_MIN 20       /* library lines passed on per minute; the rest are counted */
#define RUNLOG_LIB_WINDOW_MS 60000

struct zp_runlog {
	int real_fd;        /* the original stderr */
	int rd, wr;         /* the pipe; wr is descriptor 2's copy while the hand-off is in place */
	pthread_t thread;
	bool started;
	atomic_bool give_up;    /* stop writing: nobody reads stderr and the daemon is stopping */
	atomic_bool busy;       /* the drain holds bytes it has read and not yet written */
	uint64_t dropped;

	/* the drain thread's own */
	char line[RUNLOG_LINE + 64];
	size_t len;
	zp_ratelimit lib_rl;    /* library lines: RUNLOG_LIB_PER_MIN a minute (zp_common.h) */
};

/*
 * Write to the real stderr, waiting for room with poll() in short steps so
 * that the thread can be told to give up (a stderr nobody reads would
 * otherwise hold it in write() for ever). Pieces of at most PIPE_BUF bytes:
 * once poll() says a pipe is writable, such a write does not block.
 */
static void write_all(zp_runlog *l, const char *p, size_t n)
{
	struct pollfd pfd = { .fd = l->real_fd, .events = POLLOUT };
	ssize_t k;
	int r;

	while (n) {
		if (atomic_load(&l->give_up))
			return;
		r = poll(&pfd, 1, 100);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (r > 0 && (pfd.revents & (POLLERR | POLLNVAL))))
			return;   /* stderr closed or broken: the message is lost, the daemon is not */
		if (r == 0)
			continue;
		k = write(l->real_fd, p, n < 512 ? n : 512);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			return;
		p += k;
		n -= (size_t)k;
	}
}

/* A line that is zebrapad's own: "<N>zebrapad: ..." or a command's "zebrapad CMD: ..." (its callers rate-limit it). */
static bool tagged(const char *s, size_t n)
{
	return (n >= 4 && s[0] == '<' && s[1] >= '0' && s[1] <= '7' && s[2] == '>') ||
	       (n >= 8 && !memcmp(s, "zebrapad", 8));
}

/* Spaces only: a progress line being wiped ("%40s\r"), ours. */
static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ')
			return false;
	return true;
}

/*
 * One complete line. zebrapad's own pass as they are. Anything else comes
 * from a library writing to stderr itself (FFmpeg, libv4l2, SQLite's own
 * messages): it gets the tag (priority warning, "zebrapad: lib: "), and at
 * most RUNLOG_LIB_PER_MIN of them a minute pass; the others are counted and
 * their number is said once the minute is over.
 */
static void put_line(zp_runlog *l, const char *s, size_t n, char end)
{
	char msg[160];
	uint64_t skipped = 0;
	int64_t now = zp_now_ms();

	if (l->lib_rl.suppressed && now - l->lib_rl.last_ms >= RUNLOG_LIB_WINDOW_MS) {
		/* the minute is over: its count said now, not only when the library speaks again */
		int k = snprintf(msg, sizeof(msg), "<4>zebrapad: lib: %llu more library messages in the last "
				 "minute were not shown\n", (unsigned long long)l->lib_rl.suppressed);

		write_all(l, msg, (size_t)k);
		l->lib_rl.suppressed = 0;
	}
	if (tagged(s, n) || (end == '\r' && blank(s, n))) {
		write_all(l, s, n);
		write_all(l, &end, 1);   /* '\r': a progress line that rewrites itself */
		return;
	}
	if (n == 0)
		return;
	if (!zp_ratelimit_burst(&l->lib_rl, now, RUNLOG_LIB_WINDOW_MS, RUNLOG_LIB_PER_MIN, &skipped))
		return;
	if (skipped) {
		int k = snprintf(msg, sizeof(msg), "<4>zebrapad: lib: %llu more library messages in the last "
				 "minute were not shown\n", (unsigned long long)skipped);

		write_all(l, msg, (size_t)k);
	}
	write_all(l, "<4>zebrapad: lib: ", 18);
	write_all(l, s, n);
	write_all(l, "\n", 1);
}

/* Split what was read into lines; a line longer than RUNLOG_LINE is passed on in pieces. */
static void take(zp_runlog *l, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || buf[i] == '\r') {
			put_line(l, l->line, l->len, buf[i]);
			l->len = 0;
			continue;
		}
		l->line[l->len++] = buf[i];
		if (l->len == RUNLOG_LINE) {
			put_line(l, l->line, l->len, '\n');
			l->len = 0;
		}
	}
}

static void *drain(void *arg)
{
	zp_runlog *l = arg;
	char buf[16384];
	sigset_t set;
	ssize_t n;

	/* a reader that went away gives EPIPE here, not a SIGPIPE that would end the daemon */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		struct pollfd pfd = { .fd = l->rd, .events = POLLIN };
		int r;

		/*
		 * Wait in poll, not read: a process the command started (a tune
		 * worker, bench's child) may still hold a write end, so EOF may
		 * not come, and zp_runlog_end() must still be able to stop this.
		 */
		if (atomic_load(&l->give_up))
			return NULL;
		r = poll(&pfd, 1, 100);
		if (r == 0 || (r < 0 && errno == EINTR))
			continue;
		if (r < 0)
			break;
		atomic_store(&l->busy, true);   /* before the read: zp_runlog_sync() sees bytes in the pipe or this */
		n = read(l->rd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
			atomic_store(&l->busy, false);
			continue;
		}
		if (n <= 0)
			break;    /* EOF: every write end is closed */
		take(l, buf, (size_t)n);
		atomic_store(&l->busy, false);
	}
	if (l->len)
		put_line(l, l->line, l->len, '\n');
	l->len = 0;
	if (l->lib_rl.suppressed) {
		char msg[160];
		int k = snprintf(msg, sizeof(msg), "<4>zebrapad: lib: %llu more library messages were not shown\n",
				 (unsigned long long)l->lib_rl.suppressed);

		write_all(l, msg, (size_t)k);
	}
	return NULL;
}

int zp_runlog_begin(zp_runlog **out, size_t pipe_bytes, char *err, size_t errlen)
{
	zp_runlog *l = calloc(1, sizeof(*l));
	int p[2];

	*out = NULL;
	if (!l)
		return zp_seterr(err, errlen, -1, "log: out of memory");
	fflush(stderr);
	if (pipe2(p, O_CLOEXEC) != 0) {
		free(l);
		return zp_seterr(err, errlen, -1, "log: pipe: %s", strerror(errno));
	}
	l->rd = p[0];
	l->wr = p[1];
	/* where not allowed, the default 64 KiB */
	(void)fcntl(l->wr, F_SETPIPE_SZ, pipe_bytes ? (int)pipe_bytes : RUNLOG_PIPE_BYTES);
	l->real_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (l->real_fd < 0 || fcntl(l->wr, F_SETFL, O_NONBLOCK) != 0 || dup2(l->wr, 2) < 0) {
		zp_seterr(err, errlen, -1, "log: cannot redirect stderr: %s", strerror(errno));
		if (l->real_fd >= 0)
			close(l->real_fd);
		close(p[0]);
		close(p[1]);
		free(l);
		return -1;
	}
	clearerr(stderr);
	*out = l;
	return 0;
}

zp_runlog *zp_runlog_tool(bool *stderr_tty)
{
	zp_runlog *l;
	char err[160];

	*stderr_tty = isatty(STDERR_FILENO) != 0;
	if (zp_runlog_begin(&l, 64 << 10, err, sizeof(err)) != 0)
		return NULL;
	/* fd 2 shares the write end's file description: both block from now on */
	if (fcntl(l->wr, F_SETFL, 0) != 0 || zp_runlog_start(l) != 0) {
		zp_runlog_end(l, 0);
		return NULL;
	}
	return l;
}

int zp_runlog_start(zp_runlog *l)
{
	sigset_t all, old;
	int rc;

	/*
	 * The thread starts with every signal blocked: a SIGINT or SIGTERM is
	 * the command's (tune and the daemon read them through a signalfd in
	 * the main thread; one delivered to this thread would end the process).
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&l->thread, NULL, drain, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	l->started = true;
	return 0;
}

void zp_runlog_sync(zp_runlog *l, int wait_ms)
{
	struct timespec ms = { 0, 1000000 };
	int left = 0;

	fflush(stderr);
	if (!l || !l->started)
		return;
	for (int i = 0; i < wait_ms; i++) {
		if (ioctl(l->rd, FIONREAD, &left) != 0)
			return;
		if (left == 0 && !atomic_load(&l->busy))
			return;
		nanosleep(&ms, NULL);
	}
}

int zp_runlog_fds(const zp_runlog *l, int fds[3])
{
	if (!l)
		return 0;
	fds[0] = l->real_fd;
	fds[1] = l->rd;
	fds[2] = l->wr;
	return 3;
}

uint64_t zp_runlog_take_dropped(zp_runlog *l)
{
	uint64_t n;

	if (!l)
		return 0;
	if (ferror(stderr)) {
		l->dropped++;
		clearerr(stderr);
	}
	n = l->dropped;
	l->dropped = 0;
	return n;
}

void zp_runlog_end(zp_runlog *l, int wait_ms)
{
	struct timespec ts;

	if (!l)
		return;
	fflush(stderr);
	dup2(l->real_fd, 2);     /* later messages go straight to the real stderr */
	clearerr(stderr);
	close(l->wr);            /* the drain thread reads what is left, then EOF */
	if (!l->started)
		(void)zp_runlog_start(l);   /* never started (an early exit): what waits in the pipe still goes out */
	if (l->started) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wait_ms / 1000;
		ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_timedjoin_np(l->thread, NULL, &ts) != 0) {
			/* nobody reads stderr: the rest is lost; the thread sees this within 100 ms */
			atomic_store(&l->give_up, true);
			pthread_join(l->thread, NULL);
		}
	}
	close(l->rd);
	close(l->real_fd);
	free(l);
}

int zp_runlog_command(zp_runlog_body *body, int argc, char **argv, const struct zp_cmd_env *env)
{
	zp_runlog *log = NULL;
	int rc = body(argc, argv, env, &log);

	zp_runlog_end(log, 1000);
	return rc;
}
