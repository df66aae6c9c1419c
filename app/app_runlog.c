/* SPDX-License-Identifier: MIT */
/* app_runlog.c - the daemon's log hand-off (app_runlog.h). */
#include "app_runlog.h"

#include "zp_common.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUNLOG_PIPE_BYTES (1 << 20)

struct zp_runlog {
	int real_fd;        /* the original stderr */
	int rd, wr;         /* the pipe; wr is descriptor 2's copy while the hand-off is in place */
	pthread_t thread;
	bool started;
	uint64_t dropped;
};

static void write_all(int fd, const char *p, size_t n)
{
	ssize_t k;

	while (n) {
		k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;   /* stderr closed or broken: the message is lost, the daemon is not */
		p += k;
		n -= (size_t)k;
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
		n = read(l->rd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;    /* EOF: every write end is closed */
		write_all(l->real_fd, buf, (size_t)n);
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

int zp_runlog_start(zp_runlog *l)
{
	if (pthread_create(&l->thread, NULL, drain, l) != 0)
		return -1;
	l->started = true;
	return 0;
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
	if (l->started) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wait_ms / 1000;
		ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_timedjoin_np(l->thread, NULL, &ts) != 0) {
			/* blocked in write(): nobody reads stderr; write() is a cancellation point */
			pthread_cancel(l->thread);
			pthread_join(l->thread, NULL);
		}
	}
	close(l->rd);
	close(l->real_fd);
	free(l);
}
