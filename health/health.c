/* SPDX-License-Identifier: MIT */
/*
 * health.c - the daemon's health board and the thread that writes it to a
 * .prom file (health.h). The loop only stores integers; names, text and the
 * file are this thread's.
 */
#include "health.h"

#include "detector.h"
#include "lights.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEALTH_NICE 19
#define HEALTH_TEXT_MAX 8192

/* The snapshot as integers: the board's slots. */
enum {
	V_LIGHTS = 0, V_DETHEALTH, V_FS_MS, V_FS_TOTAL_MS, V_FRAMES, V_LAST_FRAME, V_ACTIVE, V_RECONNECTS,
	V_QUEUE, V_DROPPED, V_START, V_FAULT0, V_COUNT = V_FAULT0 + ZP_HFAULT_COUNT
};

struct zp_health_board {
	zp_health_params p;
	char version[32];
	_Atomic unsigned seq;
	_Atomic int64_t v[V_COUNT];
	atomic_bool published;       /* the loop published at least once */
	_Atomic uint64_t written, failed;
	int efd;
	atomic_bool stop;
	pthread_t thread;
	zp_ratelimit rl;
};

static const char *const fault_names[ZP_HFAULT_COUNT] = { "stall", "health", "source", "store", "loop" };

const char *zp_health_fault_name(zp_health_fault k)
{
	return (unsigned)k < ZP_HFAULT_COUNT ? fault_names[k] : "unknown";
}

static void pack(const zp_health_snapshot *s, int64_t *v)
{
	v[V_LIGHTS] = s->lights;
	v[V_DETHEALTH] = s->detector_health;
	v[V_FS_MS] = s->failsafe_ms;
	v[V_FS_TOTAL_MS] = s->failsafe_total_ms;
	v[V_FRAMES] = (int64_t)s->frames;
	v[V_LAST_FRAME] = s->last_frame_wall_ms;
	v[V_ACTIVE] = (int64_t)s->active;
	v[V_RECONNECTS] = (int64_t)s->camera_reconnects;
	v[V_QUEUE] = (int64_t)s->store_queue;
	v[V_DROPPED] = (int64_t)s->store_dropped;
	v[V_START] = s->start_wall_ms;
	for (int k = 0; k < ZP_HFAULT_COUNT; k++)
		v[V_FAULT0 + k] = (int64_t)s->faults[k];
}

static void unpack(const int64_t *v, zp_health_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->lights = (int)v[V_LIGHTS];
	s->detector_health = (int)v[V_DETHEALTH];
	s->failsafe_ms = v[V_FS_MS];
	s->failsafe_total_ms = v[V_FS_TOTAL_MS];
	s->frames = (uint64_t)v[V_FRAMES];
	s->last_frame_wall_ms = v[V_LAST_FRAME];
	s->active = (unsigned)v[V_ACTIVE];
	s->camera_reconnects = (uint64_t)v[V_RECONNECTS];
	s->store_queue = (uint64_t)v[V_QUEUE];
	s->store_dropped = (uint64_t)v[V_DROPPED];
	s->start_wall_ms = v[V_START];
	for (int k = 0; k < ZP_HFAULT_COUNT; k++)
		s->faults[k] = (uint64_t)v[V_FAULT0 + k];
}

/* The single producer (the loop): a sequence counter around relaxed stores (a seqlock, without a lock). */
void zp_health_publish(zp_health_board *b, const zp_health_snapshot *s)
{
	int64_t v[V_COUNT];
	unsigned q;

	if (!b)
		return;
	pack(s, v);
	q = atomic_load_explicit(&b->seq, memory_order_relaxed);
	atomic_store_explicit(&b->seq, q + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (int i = 0; i < V_COUNT; i++)
		atomic_store_explicit(&b->v[i], v[i], memory_order_relaxed);
	atomic_store_explicit(&b->seq, q + 2, memory_order_release);
	atomic_store_explicit(&b->published, true, memory_order_relaxed);
}

/* A consistent copy (the thread); retried while the loop is in the middle of a publish. */
static void take(zp_health_board *b, zp_health_snapshot *s)
{
	int64_t v[V_COUNT];
	unsigned q1, q2;

	for (;;) {
		q1 = atomic_load_explicit(&b->seq, memory_order_acquire);
		for (int i = 0; i < V_COUNT; i++)
			v[i] = atomic_load_explicit(&b->v[i], memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		q2 = atomic_load_explicit(&b->seq, memory_order_relaxed);
		if (q1 == q2 && !(q1 & 1))
			break;
		sched_yield();
	}
	unpack(v, s);
}

struct text {
	char *buf;
	size_t len, n;
	bool overflow;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (t->overflow)
		return;
	va_start(ap, fmt);
	k = vsnprintf(t->buf + t->n, t->len - t->n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= t->len - t->n) {
		t->overflow = true;
		return;
	}
	t->n += (size_t)k;
}

static void head(struct text *t, const char *name, const char *type, const char *help)
{
	put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int zp_health_render(const zp_health_snapshot *s, const char *version, int64_t now_ms, char *buf, size_t len)
{
	struct text t = { buf, len, 0, false };

	head(&t, "zebrapad_info", "gauge", "The zebrapad daemon's version.");
	put(&t, "zebrapad_info{version=\"%s\"} 1\n", version);
	head(&t, "zebrapad_lights_state", "gauge", "The crossing lights' state: 1 for the state they are in.");
	for (int i = ZP_LIGHT_OFF; i <= ZP_LIGHT_FAILSAFE; i++)
		put(&t, "zebrapad_lights_state{state=\"%s\"} %d\n", zp_light_state_name((zp_light_state)i),
		    s->lights == i);
	head(&t, "zebrapad_failsafe_seconds", "gauge", "Seconds in the current fail-safe (0 when not in fail-safe).");
	put(&t, "zebrapad_failsafe_seconds %.3f\n", (double)s->failsafe_ms / 1000.0);
	head(&t, "zebrapad_failsafe_seconds_total", "counter", "Seconds in fail-safe since the daemon started.");
	put(&t, "zebrapad_failsafe_seconds_total %.3f\n", (double)s->failsafe_total_ms / 1000.0);
	head(&t, "zebrapad_detector_health", "gauge", "The detector's view: 1 for the current health (none before "
	     "the first frame).");
	for (int i = ZP_HEALTH_OK; i <= ZP_HEALTH_FOREGROUND; i++)
		put(&t, "zebrapad_detector_health{health=\"%s\"} %d\n", zp_health_name((zp_health)i),
		    s->detector_health == i);
	head(&t, "zebrapad_faults_total", "counter", "Faults since the daemon started, by kind.");
	for (int k = 0; k < ZP_HFAULT_COUNT; k++)
		put(&t, "zebrapad_faults_total{kind=\"%s\"} %" PRIu64 "\n", fault_names[k], s->faults[k]);
	head(&t, "zebrapad_fault_active", "gauge", "1 while a fault of this kind is active.");
	for (int k = 0; k < ZP_HFAULT_COUNT; k++)
		put(&t, "zebrapad_fault_active{kind=\"%s\"} %d\n", fault_names[k], (s->active >> k) & 1);
	head(&t, "zebrapad_frames_total", "counter", "Camera frames processed since the daemon started.");
	put(&t, "zebrapad_frames_total %" PRIu64 "\n", s->frames);
	head(&t, "zebrapad_last_frame_timestamp_seconds", "gauge", "Unix time of the last processed frame (0: none).");
	put(&t, "zebrapad_last_frame_timestamp_seconds %.3f\n", (double)s->last_frame_wall_ms / 1000.0);
	head(&t, "zebrapad_camera_reconnects_total", "counter", "Times the camera came back after an error.");
	put(&t, "zebrapad_camera_reconnects_total %" PRIu64 "\n", s->camera_reconnects);
	head(&t, "zebrapad_store_queue_rows", "gauge", "Counts rows waiting for the store's writer.");
	put(&t, "zebrapad_store_queue_rows %" PRIu64 "\n", s->store_queue);
	head(&t, "zebrapad_store_rows_dropped_total", "counter", "Counts rows lost because the store's queue was full.");
	put(&t, "zebrapad_store_rows_dropped_total %" PRIu64 "\n", s->store_dropped);
	head(&t, "zebrapad_start_timestamp_seconds", "gauge", "Unix time the daemon started.");
	put(&t, "zebrapad_start_timestamp_seconds %.3f\n", (double)s->start_wall_ms / 1000.0);
	head(&t, "zebrapad_health_timestamp_seconds", "gauge", "Unix time this file was written.");
	put(&t, "zebrapad_health_timestamp_seconds %.3f\n", (double)now_ms / 1000.0);
	return t.overflow ? ZP_ENOMEM : (int)t.n;
}

static void write_once(zp_health_board *b)
{
	zp_health_snapshot s;
	char text[HEALTH_TEXT_MAX], err[400];
	int n;
	uint64_t skipped;

	if (!atomic_load_explicit(&b->published, memory_order_relaxed))
		return;
	take(b, &s);
	n = zp_health_render(&s, b->version, zp_wall_ms(), text, sizeof(text));
	if (n >= 0 && zp_file_write_atomic(b->p.prom_file, text, (size_t)n, 0644, false, err, sizeof(err)) == 0) {
		atomic_fetch_add(&b->written, 1);
		return;
	}
	atomic_fetch_add(&b->failed, 1);
	if (n < 0)
		snprintf(err, sizeof(err), "%s: the text does not fit", b->p.prom_file);
	if (zp_ratelimit_ok(&b->rl, zp_now_ms(), 60000, &skipped))
		zp_log(ZP_LOG_WARNING, "health: %s (retried every %d s)", err, b->p.period_s);
}

static void *health_main(void *arg)
{
	zp_health_board *b = arg;
	struct pollfd pfd = { .fd = b->efd, .events = POLLIN };
	uint64_t v;

	if (setpriority(PRIO_PROCESS, 0, HEALTH_NICE) != 0) {
		/* not allowed: the default priority */
	}
	while (!atomic_load(&b->stop)) {
		write_once(b);
		if (poll(&pfd, 1, b->p.period_s * 1000) > 0 && read(b->efd, &v, sizeof(v)) < 0) {
			/* EAGAIN: taken already */
		}
	}
	write_once(b);
	return NULL;
}

int zp_health_start(const zp_health_params *p, const char *version, zp_health_board **out, char *err,
		    size_t errlen)
{
	zp_health_board *b;
	char dir[sizeof(p->prom_file)];
	char *slash;
	struct stat st;

	*out = NULL;
	if (!p->prom_file[0])
		return zp_seterr(err, errlen, ZP_EINVAL, "health: no prom_file");
	zp_strlcpy(dir, p->prom_file, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (stat(dir[0] ? dir : "/", &st) != 0 || !S_ISDIR(st.st_mode))
		return zp_seterr(err, errlen, ZP_ENODEV, "health: %s: the directory %s %s", p->prom_file, dir,
				 errno == ENOENT ? "does not exist" : "is not a directory");
	b = calloc(1, sizeof(*b));
	if (!b)
		return zp_seterr(err, errlen, ZP_ENOMEM, "health: out of memory");
	b->p = *p;
	if (b->p.period_s < 1)
		b->p.period_s = 1;
	zp_strlcpy(b->version, version ? version : "", sizeof(b->version));
	b->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->efd < 0) {
		free(b);
		return zp_seterr(err, errlen, ZP_EIO, "health: eventfd: %s", strerror(errno));
	}
	if (pthread_create(&b->thread, NULL, health_main, b) != 0) {
		close(b->efd);
		free(b);
		return zp_seterr(err, errlen, ZP_ENOMEM, "health: cannot start its thread");
	}
	*out = b;
	return 0;
}

void zp_health_stop(zp_health_board *b)
{
	uint64_t one = 1;

	if (!b)
		return;
	atomic_store(&b->stop, true);
	if (write(b->efd, &one, sizeof(one)) < 0) {
		/* the thread wakes at its period anyway */
	}
	pthread_join(b->thread, NULL);
	close(b->efd);
	free(b);
}

void zp_health_counts(const zp_health_board *b, uint64_t *written, uint64_t *failed)
{
	if (written)
		*written = b ? atomic_load(&b->written) : 0;
	if (failed)
		*failed = b ? atomic_load(&b->failed) : 0;
}
