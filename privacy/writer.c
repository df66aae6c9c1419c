/* SPDX-License-Identifier: MIT */
/*
 * writer.c - the counts store's writer thread and its hand-off (writer.h).
 *
 * The ring: head is written only by the producer (the loop), tail only by
 * the writer thread. The producer stores rows, then publishes head with
 * release order; the consumer reads head with acquire order, copies rows
 * out, writes them, and only then publishes tail (release): a row leaves
 * the ring when it is committed, so the ring is the one bound on rows held.
 *
 * Messages from this thread go through zp_log(), whose output the daemon
 * sends through its own non-blocking hand-off (cli/runlog.c); they are
 * rate-limited here (a failing store is reported once a minute).
 */
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define WRITER_BATCH 256            /* rows per transaction */
#define WRITER_LOG_MS 60000         /* a repeating failure is logged once a minute */
#define DAY_S 86400
#define WRITER_NICE 19                /* nice value of the writer thread (Linux: per thread) */

struct zp_writer {
	zp_store_params p;
	zp_writer_opts o;
	int nzones;
	char zones[ZP_MAX_ZONES][ZP_NAME_MAX];
	const char *zone_ptr[ZP_MAX_ZONES];

	/* the hand-off */
	zp_store_row *ring;
	size_t cap;
	_Atomic size_t head;            /* producer */
	_Atomic size_t tail;            /* consumer */
	int efd;                        /* eventfd: rows waiting, or stop */
	atomic_bool stop;

	/* counters (read by any thread) */
	_Atomic uint64_t queued, written, dropped, failures, reopens, retention_deleted;
	_Atomic int state;

	/* the writer thread's own */
	pthread_t thread;
	bool started;
	int lock_fd;
	zp_store *store;
	int64_t retry_at;
	zp_ratelimit rl_fail;    /* failures: logged once a minute (primed: there were some) */
	bool retention_due;
	int64_t retention_day;          /* the day (Unix days) of the last retention run */
	int64_t retention_n;            /* rows deleted in the run in progress */
	int64_t latest_end_ms;          /* end of the latest row written: the time retention goes by */
	uint64_t unwritten;             /* left at stop */
};

void zp_writer_opts_default(zp_writer_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->queue_rows = 4096;
	o->retry_ms = 1000;
	o->busy_timeout_ms = 250;
	o->retention_batch = ZP_STORE_RETENTION_BATCH;
	o->stop_wait_ms = 2000;
}

static int64_t mono_ms(void)
{
	return zp_now_ms();
}

/* ---- the instance lock ---- */

/*
 * Open (creating it 0640 when missing) and flock() the store file. flock()
 * and SQLite's fcntl() byte-range locks do not interact on Linux, so
 * SQLite's own locking is unchanged and readers (the audit) are not affected.
 */
static int take_lock(zp_writer *w, char *err, size_t errlen)
{
	int fd = open(w->p.path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640), e;

	if (fd < 0)
		return zp_seterr(err, errlen, zp_err_from_errno(errno), "%s: cannot open: %s", w->p.path,
				 strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return zp_seterr(err, errlen, ZP_EBUSY,
					 "%s: in use by another zebrapad run (one daemon per store)", w->p.path);
		return zp_seterr(err, errlen, ZP_EIO, "%s: cannot lock: %s", w->p.path, strerror(e));
	}
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	w->lock_fd = fd;
	return 0;
}

/* ---- the ring ---- */

size_t zp_writer_push(zp_writer *w, const zp_store_row *rows, size_t n)
{
	size_t h = atomic_load_explicit(&w->head, memory_order_relaxed);
	size_t t = atomic_load_explicit(&w->tail, memory_order_acquire);
	size_t room = w->cap - (h - t), k = n < room ? n : room;
	uint64_t one = 1;

	for (size_t i = 0; i < k; i++)
		w->ring[(h + i) % w->cap] = rows[i];
	atomic_store_explicit(&w->head, h + k, memory_order_release);
	if (k)
		atomic_fetch_add_explicit(&w->queued, k, memory_order_relaxed);
	if (k < n)
		atomic_fetch_add_explicit(&w->dropped, n - k, memory_order_relaxed);
	if (k && write(w->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN only at a counter near 2^64: the thread is awake anyway */
	}
	return k;
}

/* Copy up to max waiting rows, oldest first, without taking them out. */
static size_t ring_peek(zp_writer *w, zp_store_row *out, size_t max)
{
	size_t h = atomic_load_explicit(&w->head, memory_order_acquire);
	size_t t = atomic_load_explicit(&w->tail, memory_order_relaxed);
	size_t n = h - t < max ? h - t : max;

	for (size_t i = 0; i < n; i++)
		out[i] = w->ring[(t + i) % w->cap];
	return n;
}

static void ring_consume(zp_writer *w, size_t n)
{
	atomic_fetch_add_explicit(&w->tail, n, memory_order_release);
}

void zp_writer_stats_get(const zp_writer *w, zp_writer_stats *out)
{
	zp_writer *m = (zp_writer *)w;   /* atomics are read, not changed */
	size_t h = atomic_load(&m->head), t = atomic_load(&m->tail);

	memset(out, 0, sizeof(*out));
	out->queued = atomic_load(&m->queued);
	out->written = atomic_load(&m->written);
	out->dropped = atomic_load(&m->dropped);
	out->failures = atomic_load(&m->failures);
	out->reopens = atomic_load(&m->reopens);
	out->retention_deleted = atomic_load(&m->retention_deleted);
	out->waiting = h - t;
	out->state = (zp_writer_state)atomic_load(&m->state);
}

/* ---- the thread ---- */

static void fail_log(zp_writer *w, int64_t now, const char *msg)
{
	zp_log_limited(&w->rl_fail, now, WRITER_LOG_MS, ZP_LOG_ERR, "counts store: %s", msg);
}

static void open_store(zp_writer *w, int64_t now)
{
	char err[400];
	int code = 0;

	w->store = zp_store_open(&w->p, w->zone_ptr, w->nzones, 0, &code, err, sizeof(err));
	if (!w->store) {
		atomic_store(&w->state, ZP_WRITER_CLOSED);
		w->retry_at = now + w->o.retry_ms;
		char msg[512];

		snprintf(msg, sizeof(msg), "%s; rows wait in memory, retried", err);
		fail_log(w, now, msg);
		return;
	}
	zp_store_set_busy_timeout(w->store, w->o.busy_timeout_ms);
	atomic_store(&w->state, ZP_WRITER_OK);
	w->retention_due = true;
	if (w->rl_fail.primed) {
		zp_log(ZP_LOG_NOTICE, "counts store: %s open again", w->p.path);
		memset(&w->rl_fail, 0, sizeof(w->rl_fail));
	}
}

/* The file under the open store was removed or replaced: log, close, lock and open the one there now. */
static void reopen_if_changed(zp_writer *w, int64_t now)
{
	char err[300];
	int changed = zp_store_file_changed(w->store);

	if (!changed)
		return;
	zp_log(ZP_LOG_WARNING, "counts store: %s was %s while zebrapad had it open: opening %s", w->p.path,
	       changed == 1 ? "removed" : "replaced by another file",
	       changed == 1 ? "a new one (rows written before are in the removed file)" : "the file now there");
	zp_store_close(w->store);   /* the interval accumulator is the loop's: nothing is flushed here */
	w->store = NULL;
	atomic_fetch_add(&w->reopens, 1);
	if (take_lock(w, err, sizeof(err)) != 0) {
		atomic_store(&w->state, ZP_WRITER_CLOSED);
		w->retry_at = now + w->o.retry_ms;
		fail_log(w, now, err);
		return;
	}
	open_store(w, now);
}

/* Wait for rows or stop, at most ms (-1: no limit). */
static void wait_wake(zp_writer *w, int ms)
{
	struct pollfd pfd = { .fd = w->efd, .events = POLLIN };
	uint64_t v;

	if (poll(&pfd, 1, ms) > 0 && read(w->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: another wake-up took it */
	}
}

static void *writer_main(void *arg)
{
	zp_writer *w = arg;
	zp_store_row batch[WRITER_BATCH];
	int64_t stop_deadline = -1, now;
	size_t n = 0;
	int rc, wait;

	/* below the loop: on a Pi's few cores a long retention yields the CPU to the frames (this thread only) */
	if (setpriority(PRIO_PROCESS, 0, WRITER_NICE) != 0) {
		/* not allowed: the default priority */
	}
	for (;;) {
		now = mono_ms();
		if (atomic_load(&w->stop) && stop_deadline < 0)
			stop_deadline = now + w->o.stop_wait_ms;
		if (!w->store && w->lock_fd < 0 && now >= w->retry_at) {
			char err[300];

			if (take_lock(w, err, sizeof(err)) != 0) {
				w->retry_at = now + w->o.retry_ms;
				fail_log(w, now, err);
			}
		}
		if (!w->store && w->lock_fd >= 0 && now >= w->retry_at)
			open_store(w, now);
		if (w->store)
			reopen_if_changed(w, now);

		n = ring_peek(w, batch, WRITER_BATCH);
		if (w->store && n && now >= w->retry_at) {
			rc = zp_store_write(w->store, batch, n);
			if (!rc) {
				ring_consume(w, n);
				atomic_fetch_add(&w->written, n);
				for (size_t i = 0; i < n; i++) {
					int64_t end = (batch[i].interval_start + batch[i].interval_s) * 1000;

					if (end > w->latest_end_ms)
						w->latest_end_ms = end;
				}
				if (atomic_load(&w->state) == ZP_WRITER_FAILING) {
					zp_log(ZP_LOG_NOTICE, "counts store: %s: writes work again", w->p.path);
					memset(&w->rl_fail, 0, sizeof(w->rl_fail));
				}
				atomic_store(&w->state, ZP_WRITER_OK);
				if (w->latest_end_ms / 1000 / DAY_S != w->retention_day)
					w->retention_due = true;
				continue;
			}
			atomic_fetch_add(&w->failures, 1);
			atomic_store(&w->state, ZP_WRITER_FAILING);
			w->retry_at = now + w->o.retry_ms;
			{
				char msg[600];

				snprintf(msg, sizeof(msg), "%s: writing %zu rows failed (%s: %s); the rows wait in memory "
					 "and are retried", w->p.path, n, zp_strerror(rc), zp_store_errmsg(w->store));
				fail_log(w, now, msg);
			}
		}
		if (stop_deadline >= 0 && (n == 0 || now >= stop_deadline))
			break;
		if (w->store && n == 0 && w->retention_due && w->latest_end_ms > 0) {
			int64_t del = 0;
			bool more = false;

			rc = zp_store_retention_step(w->store, w->latest_end_ms, w->o.retention_batch, &del, &more);
			w->retention_n += del;
			atomic_fetch_add(&w->retention_deleted, (uint64_t)del);
			if (rc || !more) {
				w->retention_due = false;
				w->retention_day = w->latest_end_ms / 1000 / DAY_S;
				if (w->retention_n)
					zp_log(ZP_LOG_INFO, "counts store: retention removed %" PRId64
					       " rows older than %d days", w->retention_n, w->p.retention_days);
				w->retention_n = 0;
			}
			continue;
		}
		wait = -1;
		if (!w->store || n)
			wait = w->retry_at > now ? (int)(w->retry_at - now) : 1;
		if (stop_deadline >= 0) {
			int left = (int)(stop_deadline - now);

			wait = wait < 0 || wait > left ? left : wait;
			if (wait < 1)
				wait = 1;
		}
		wait_wake(w, wait);
	}
	w->unwritten = n ? atomic_load(&w->head) - atomic_load(&w->tail) : 0;
	if (w->unwritten)
		zp_log(ZP_LOG_ERR, "counts store: %s: %" PRIu64 " rows could not be written before stopping", w->p.path,
		       w->unwritten);
	zp_store_close(w->store);
	w->store = NULL;
	return NULL;
}

int zp_writer_start(const zp_store_params *p, const char *const *zones, int nzones, const zp_writer_opts *o,
		    zp_writer **out, char *err, size_t errlen)
{
	zp_writer *w;
	int rc;

	*out = NULL;
	rc = zp_store_check_path(p->path, true, err, errlen);
	if (rc)
		return rc;
	if (nzones < 0 || nzones > ZP_MAX_ZONES)
		return zp_seterr(err, errlen, ZP_EINVAL, "store: expected 0 to %d zones, got %d", ZP_MAX_ZONES, nzones);
	w = calloc(1, sizeof(*w));
	if (!w)
		return zp_seterr(err, errlen, ZP_ENOMEM, "counts store: out of memory");
	w->p = *p;
	if (o)
		w->o = *o;
	else
		zp_writer_opts_default(&w->o);
	if (w->o.queue_rows < (size_t)nzones + 1)
		w->o.queue_rows = (size_t)nzones + 1;
	w->nzones = nzones;
	for (int i = 0; i < nzones; i++) {
		zp_strlcpy(w->zones[i], zones[i] ? zones[i] : "", ZP_NAME_MAX);
		w->zone_ptr[i] = w->zones[i];
	}
	w->lock_fd = -1;
	w->efd = -1;
	w->cap = w->o.queue_rows;
	w->ring = calloc(w->cap, sizeof(*w->ring));
	if (!w->ring) {
		rc = zp_seterr(err, errlen, ZP_ENOMEM, "counts store: out of memory for %zu queued rows", w->cap);
		goto fail;
	}
	rc = take_lock(w, err, errlen);
	if (rc)
		goto fail;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		rc = zp_seterr(err, errlen, ZP_EIO, "counts store: eventfd: %s", strerror(errno));
		goto fail;
	}
	atomic_store(&w->state, ZP_WRITER_OPENING);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		rc = zp_seterr(err, errlen, ZP_ENOMEM, "counts store: cannot start the writer thread");
		goto fail;
	}
	w->started = true;
	*out = w;
	return 0;
fail:
	if (w->efd >= 0)
		close(w->efd);
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	free(w->ring);
	free(w);
	return rc;
}

uint64_t zp_writer_stop(zp_writer *w)
{
	uint64_t left, one = 1;

	if (!w)
		return 0;
	atomic_store(&w->stop, true);
	if (write(w->efd, &one, sizeof(one)) < 0) {
		/* the thread polls with a timeout while stopping */
	}
	if (w->started)
		pthread_join(w->thread, NULL);
	left = w->unwritten;
	close(w->efd);
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	explicit_bzero(w->ring, w->cap * sizeof(*w->ring));
	free(w->ring);
	free(w);
	return left;
}
