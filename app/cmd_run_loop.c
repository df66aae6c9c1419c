/* SPDX-License-Identifier: MIT */
/*
 * cmd_run_loop.c - the daemon loop of `zebrapad run` (see cmd_run.h, docs/run.md).
 *
 * Start-up, in this order:
 *   1. the config (bad: exit 2);
 *   2. SIGTERM/SIGINT/SIGHUP blocked and read through a signalfd;
 *   3. the sandbox (no core dumps, Landlock, seccomp) - before any thread or
 *      device exists, so everything opened later is opened inside it;
 *   4. the GPIO output lines (light, heartbeat), requested at the fail-safe
 *      level. A busy or missing line is retried for gpio_give_up_ms; then
 *      exit 1: without the light line nothing we do can switch the lights, so
 *      systemd restarts us and meanwhile the external watchdog, which sees no
 *      heartbeat, forces the lights on. The push button is optional: without
 *      it we run on the camera alone;
 *   5. the counts store (optional: a store that does not open is logged and
 *      retried, the lights do not wait for statistics);
 *   6. the frame source (a camera that is not there yet is not an error: the
 *      source reconnects by itself and the lights stay fail-safe);
 *   7. READY=1: the lines are held and driven; from here on every failure is
 *      handled inside the loop.
 *
 * The loop waits for a frame at most stall_ms/4 (less when the stall
 * deadline or a blink edge is nearer), so the controller is updated by a
 * frame or a tick at least that often and goes fail-safe within a few ms of
 * stall_ms. A processed frame sets the light line and then toggles the
 * heartbeat: the heartbeat means "frames are processed and the light line
 * obeys", and stops when either is not true.
 *
 * Pixels: the frame goes to the detector only; nothing here writes an image.
 */
#include "cmd_run.h"
#include "timesync.h"
#include "app.h"
#include "cli.h"

#include "capture.h"
#include "config.h"
#include "detector.h"
#include "chain.h"
#include "health.h"
#include "store.h"
#include "writer.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#ifndef ZP_VERSION
#define ZP_VERSION "0"
#endif

#define RUN_LOG_INTERVAL_MS 60000     /* a repeating fault is logged once a minute, with a count */
#define RUN_STATUS_MIN_MS 1000        /* STATUS= at most this often, unless the light state changed */
#define RUN_BUTTON_STUCK_MS 60000     /* a button held this long is reported (it still counts as presence) */
#define RUN_CAMERA_REFUSED_MS 10000   /* a camera refused by the sandbox this long: exit 1, systemd restarts */

/* ---- the environment ---- */

static int64_t default_mono_ms(void *ctx)
{
	(void)ctx;
	return zp_now_ms();
}

static int64_t default_wall_ms(void *ctx)
{
	(void)ctx;
	return zp_wall_ms();
}

void zp_run_env_default(zp_run_env *env)
{
	memset(env, 0, sizeof(*env));
	env->mono_ms = default_mono_ms;
	env->wall_ms = default_wall_ms;
	env->sandbox = true;
	env->gpio_retry_ms = 2000;
	env->gpio_give_up_ms = 10000;
	env->line_fail_exit_ms = 5000;
	env->store_retry_ms = 1000;
	env->store_queue_rows = 0;
	env->clock_check_ms = 1000;
}

/* Measurement only (latency), never behaviour: the behaviour runs on env->mono_ms. */
static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- latency histogram: 1 us buckets below 1024 us, then 512 per octave (0.2 %) ---- */

#define LAT_LINEAR 1024
#define LAT_SUB 512
#define LAT_OCTAVES 22
#define LAT_BUCKETS (LAT_LINEAR + LAT_OCTAVES * LAT_SUB)

struct latency {
	uint64_t *count;        /* LAT_BUCKETS, NULL when not measured */
	uint64_t n;
	uint64_t max_us;
	double sum_us;
};

static size_t lat_bucket(uint64_t us)
{
	unsigned e;
	size_t b;

	if (us < LAT_LINEAR)
		return (size_t)us;
	e = 63u - (unsigned)__builtin_clzll(us);  /* 2^e <= us < 2^(e+1), e >= 10 */
	b = LAT_LINEAR + (size_t)(e - 10) * LAT_SUB + (size_t)((us - (1ull << e)) >> (e - 9));
	return b < LAT_BUCKETS ? b : LAT_BUCKETS - 1;
}

/* Middle of bucket b, microseconds. */
static double lat_mid(size_t b)
{
	unsigned e;
	uint64_t sub;

	if (b < LAT_LINEAR)
		return (double)b + 0.5;
	e = 10 + (unsigned)((b - LAT_LINEAR) / LAT_SUB);
	sub = (b - LAT_LINEAR) % LAT_SUB;
	return (double)((1ull << e) + (sub << (e - 9))) + (double)(1ull << (e - 9)) / 2.0;
}

static void lat_add(struct latency *l, int64_t ns)
{
	uint64_t us = ns > 0 ? (uint64_t)ns / 1000 : 0;

	if (!l->count)
		return;
	l->count[lat_bucket(us)]++;
	l->n++;
	l->sum_us += (double)ns / 1000.0;
	if (us > l->max_us)
		l->max_us = us;
}

static double lat_quantile(const struct latency *l, double q)
{
	uint64_t want = (uint64_t)(q * (double)l->n), seen = 0;
	double v;

	if (want < 1)
		want = 1;
	for (size_t b = 0; b < LAT_BUCKETS; b++) {
		seen += l->count[b];
		if (seen >= want) {
			v = lat_mid(b);
			return v > (double)l->max_us + 1 ? (double)l->max_us + 1 : v;
		}
	}
	return (double)l->max_us;
}

static void lat_result(const struct latency *l, zp_run_latency *out)
{
	memset(out, 0, sizeof(*out));
	if (!l->count || !l->n)
		return;
	out->n = l->n;
	out->median_us = lat_quantile(l, 0.5);
	out->p99_us = lat_quantile(l, 0.99);
	out->max_us = (double)l->max_us;
	out->mean_us = l->sum_us / (double)l->n;
}

/* ---- the daemon's state ---- */

struct run {
	const zp_run_opts *o;
	zp_run_env env;
	zp_config *cfg;

	/* the wall clock: counts are kept only once it is synchronised */
	bool clock_known;
	bool clock_said;           /* "not synchronised" logged */
	int64_t clock_asked;       /* loop time it was last asked */

	/* signals */
	int sfd;
	sigset_t oldmask;
	bool masked;

	/* lines */
	zp_line *light, *heartbeat, *button;
	int hb_level;
	int64_t line_fail_since;        /* -1 while the light line obeys */
	bool pressed;
	int64_t press_since;
	int64_t last_press;             /* ZP_LIGHTS_NEVER until a press */

	/* frames */
	zp_source *src;
	bool recording;
	zp_result *res;
	zp_frame pending;               /* a recording's next frame, waiting for its time */
	bool have_pending;
	int64_t rec_offset;             /* loop time - recording time */
	bool rec_offset_set;
	int src_err;                    /* last source error, 0 while frames come */

	/* the crossing's step (pipeline/chain.h): detector, controller, sampler - the one copy, which
	   `audit --live` and the replay pipeline drive too */
	zp_chain chain;
	zp_light_state last_state;
	unsigned last_faults;
	zp_health last_health;
	int64_t stall_since;

	/* store: the chain's sampler (interval arithmetic, no file) in the loop, the writer thread behind a
	   hand-off */
	zp_writer *writer;
	bool counts_on;                 /* rows go to the store ([store] path, not a dry run without --write-store) */
	uint64_t rows_dropped;          /* rows the hand-off refused (full) */
	uint64_t rows_dropped_logged;
	zp_runlog *log;                 /* the log hand-off (NULL when not in place) */
	uint64_t log_dropped;

	bool sandboxed;                 /* Landlock in force: a camera node that is new since start-up is refused */
	int64_t cam_refused_since;      /* -1, or when the camera started to be refused (EACCES) */

	/* loop stalls: an iteration that ended more than stall_ms after the previous one */
	int64_t iter_end;
	uint64_t loop_stalls;
	int64_t loop_stall_max;
	const char *zone_names[ZP_MAX_ZONES];
	int64_t last_sample;

	/* time */
	int64_t now;                    /* this iteration's time */
	int64_t virt_now;               /* --fast: the recording's clock */
	int64_t mono0, wall0;

	/* logs */
	zp_ratelimit rl_line, rl_hb, rl_btn, rl_det, rl_store, rl_fs, rl_back, rl_health, rl_stuck, rl_clock;
	zp_ratelimit rl_drop, rl_logdrop, rl_loop;

	/* systemd */
	int notify_fd;                  /* connected to $NOTIFY_SOCKET, non-blocking; -1: none */
	uint64_t notify_dropped;
	int64_t wd_ms;                  /* WATCHDOG=1 interval, 0: no watchdog */
	int64_t last_wd;
	char status[256];
	int64_t last_status_ms;
	zp_light_state status_state;

	/* end */
	bool stop;
	int exit_code;
	char reason[64];

	uint64_t frames;
	struct latency lat;
	zp_run_summary sum;

	/* health: a snapshot per iteration onto the board; its own thread writes the .prom file */
	zp_health_board *health;
	uint64_t health_frames, health_faults, camera_back;
	int64_t health_last_frame;
	bool health_bad, health_src_err;
};

static int64_t mono(struct run *r)
{
	return r->env.mono_ms(r->env.clock_ctx);
}

/* The loop's time: the monotonic clock, or with --fast the recording's own clock. */
static int64_t loop_now(struct run *r)
{
	return r->o->fast ? r->virt_now : mono(r);
}

static int64_t wall_now(struct run *r)
{
	return r->o->fast || r->o->start_time_set ? r->wall0 + (r->now - r->mono0) : r->env.wall_ms(r->env.clock_ctx);
}

static void stop(struct run *r, int code, const char *reason)
{
	if (r->stop)
		return;
	r->stop = true;
	r->exit_code = code;
	zp_strlcpy(r->reason, reason, sizeof(r->reason));
}

/* Log a repeating problem: the first time, then once a minute with the count of those skipped. */
static void log_limited(zp_ratelimit *rl, int64_t now, int level, const char *what)
{
	zp_log_limited(rl, now, RUN_LOG_INTERVAL_MS, level, "%s", what);
}

/* ---- signals ---- */

static int signals_block(struct run *r)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, &r->oldmask) != 0) {
		zp_log(ZP_LOG_ERR, "cannot block signals: %s", strerror(errno));
		return ZP_EXIT_FAIL;
	}
	r->masked = true;
	r->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (r->sfd < 0) {
		zp_log(ZP_LOG_ERR, "signalfd: %s", strerror(errno));
		return ZP_EXIT_FAIL;
	}
	return 0;
}

/* Take every pending signal: SIGTERM/SIGINT stop the loop, SIGHUP is only logged. */
static void signals_check(struct run *r)
{
	struct signalfd_siginfo si;

	if (r->sfd < 0)
		return;
	while (read(r->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			if (!r->stop)
				zp_log(ZP_LOG_INFO, "%s: stopping", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			stop(r, ZP_EXIT_OK, si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
		} else if (si.ssi_signo == SIGHUP) {
			zp_log(ZP_LOG_NOTICE,
			       "SIGHUP: nothing is reloaded; restart the service to apply a changed config");
		}
	}
}

/* Sleep up to ms, or less when a signal comes. */
static void signals_wait(struct run *r, int64_t ms)
{
	struct pollfd p = { .fd = r->sfd, .events = POLLIN };

	if (ms <= 0)
		return;
	if (ms > 60000)
		ms = 60000;
	if (poll(&p, 1, (int)ms) < 0 && errno != EINTR)
		zp_log(ZP_LOG_WARNING, "poll: %s", strerror(errno));
}

static void signals_restore(struct run *r)
{
	if (r->sfd >= 0) {
		signals_check(r);  /* take what is pending, so unblocking does not deliver it */
		close(r->sfd);
		r->sfd = -1;
	}
	if (r->masked)
		sigprocmask(SIG_SETMASK, &r->oldmask, NULL);
	r->masked = false;
}

/* ---- systemd ---- */

static const char *fault_text(unsigned faults)
{
	if (faults & ZP_FAULT_STALL)
		return "no frames";
	if (faults & ZP_FAULT_HEALTH)
		return "detector cannot see";
	if (faults & ZP_FAULT_STARTUP)
		return "learning the empty scene";
	return "recovering";
}

static void status_text(struct run *r, char *buf, size_t len)
{
	const char *src = r->recording ? "recording" : "camera";
	const char *cam = r->src_err ? zp_source_error(r->src) : r->frames ? "ok" : "waiting for the first frame";
	const char *counts = "off";
	zp_writer_stats ws;

	if (r->writer) {
		zp_writer_stats_get(r->writer, &ws);
		counts = ws.state == ZP_WRITER_OK ? "ok" : ws.state == ZP_WRITER_OPENING ? "opening" :
			 ws.state == ZP_WRITER_FAILING ? "write failing (rows queued)" : "not open (retrying)";
	}

	if (r->src_err && !*cam)
		cam = zp_strerror(r->src_err);
	if (r->chain.lights.state == ZP_LIGHT_FAILSAFE)
		snprintf(buf, len, "lights failsafe (%s); %s %s; counts %s%s", fault_text(r->chain.lights.faults), src, cam,
			 counts, r->line_fail_since >= 0 ? "; LIGHT LINE FAILING" : "");
	else
		snprintf(buf, len, "lights %s; %s %s; counts %s%s", zp_light_state_name(r->chain.lights.state), src, cam,
			 counts, r->line_fail_since >= 0 ? "; LIGHT LINE FAILING" : "");
}

/*
 * systemd's notify protocol, never blocking: one datagram on a socket
 * connected at start-up (before the sandbox, which allows no new socket),
 * sent with MSG_DONTWAIT. A datagram the manager's queue cannot take is
 * dropped and counted; the next WATCHDOG=1 goes out on the next iteration.
 */
static void notify_open(struct run *r)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	size_t n;

	r->notify_fd = -1;
	if (!path || !path[0] || (path[0] != '/' && path[0] != '@'))
		return;
	n = strlen(path);
	if (n >= sizeof(sa.sun_path)) {
		zp_log(ZP_LOG_WARNING, "NOTIFY_SOCKET: path too long, systemd is not notified");
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';   /* an abstract socket */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/'));
	r->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->notify_fd < 0 || connect(r->notify_fd, (struct sockaddr *)&sa, len) != 0) {
		zp_log(ZP_LOG_WARNING, "NOTIFY_SOCKET %s: %s: systemd is not notified", path, strerror(errno));
		if (r->notify_fd >= 0)
			close(r->notify_fd);
		r->notify_fd = -1;
	}
}

static void notify(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notify(struct run *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (r->notify_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (send(r->notify_fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1,
		 MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		r->notify_dropped++;
}

/* WATCHDOG=1 when half the watchdog time has passed; STATUS= when it changed (rate-limited). */
static void keepalive(struct run *r)
{
	int64_t m = mono(r);
	char buf[sizeof(r->status)];

	if (r->wd_ms > 0 && m - r->last_wd >= r->wd_ms) {
		notify(r, "WATCHDOG=1");
		r->last_wd = m;
	}
	if (r->chain.lights.state == r->status_state && m - r->last_status_ms < RUN_STATUS_MIN_MS)
		return;
	status_text(r, buf, sizeof(buf));
	if (strcmp(buf, r->status) != 0) {
		notify(r, "STATUS=%s", buf);
		zp_strlcpy(r->status, buf, sizeof(r->status));
		r->last_status_ms = m;
	}
	r->status_state = r->chain.lights.state;
}

static void hook(struct run *r, zp_run_phase phase, int source_rc, int level)
{
	zp_run_step st;

	if (!r->env.hook)
		return;
	memset(&st, 0, sizeof(st));
	st.phase = phase;
	st.now_ms = r->now;
	st.frames = r->frames;
	st.source_rc = source_rc;
	st.state = r->chain.lights.state;
	st.faults = r->chain.lights.faults;
	st.level = level;
	r->env.hook(r->env.hook_ctx, &st);
}

/* ---- start-up ---- */

static void log_sandbox_line(void *ctx, const char *line)
{
	(void)ctx;
	zp_log(ZP_LOG_INFO, "sandbox: %s", line);
}

/*
 * The sandbox: writes only to the store's directory and the camera and GPIO
 * chip nodes of the config; every descriptor closed but the signalfd, the
 * notify socket and the log hand-off's; the seccomp allow-list.
 */
static int apply_sandbox(struct run *r)
{
	zp_sandbox_opts so;
	zp_sandbox_status st;
	char dir[sizeof(r->cfg->store.path)], chip[sizeof(r->cfg->gpio.chip) + 16], err[256];
	char hdir[sizeof(r->cfg->health.prom_file)];
	int rc, nd = 0, fds[3], n;

	zp_sandbox_opts_default(&so);
	if (r->cfg->store.path[0] && (!r->o->source || r->o->write_store)) {
		zp_strlcpy(dir, r->cfg->store.path, sizeof(dir));
		so.data_dir = dirname(dir);
	}
	if (r->cfg->health.prom_file[0]) {
		const char *hd;

		zp_strlcpy(hdir, r->cfg->health.prom_file, sizeof(hdir));
		hd = dirname(hdir); /* always: a dry run has no data_dir, and the rule is on the file's folder */
		if (!so.data_dir || strcmp(hd, so.data_dir))
			so.extra_dir = hd;
	}
	if (!r->o->source)
		so.devices[nd++] = r->cfg->camera.device;
	if (r->cfg->gpio.chip[0]) {
		const char *c = r->cfg->gpio.chip;
		bool digits = true;

		for (const char *p = c; *p; p++)
			digits &= *p >= '0' && *p <= '9';
		/* as the GPIO driver names it: "0" and "gpiochip0" are /dev/gpiochip0 */
		snprintf(chip, sizeof(chip), "%s%s%s", strchr(c, '/') ? "" : "/dev/", digits ? "gpiochip" : "", c);
		so.devices[nd++] = chip;
	}
	so.close_fds = true;
	so.keep_fds[so.nkeep_fds++] = r->sfd;
	if (r->notify_fd >= 0)
		so.keep_fds[so.nkeep_fds++] = r->notify_fd;
	n = zp_runlog_fds(r->log, fds);
	for (int i = 0; i < n; i++)
		so.keep_fds[so.nkeep_fds++] = fds[i];
	for (int i = 0; i < r->env.nkeep_fds && i < 4 && so.nkeep_fds < ZP_SANDBOX_MAX_KEEP_FDS; i++)
		so.keep_fds[so.nkeep_fds++] = r->env.keep_fds[i];
	rc = zp_sandbox_apply(&so, &st, err, sizeof(err));
	if (rc) {
		zp_log(ZP_LOG_ERR, "%s%s", err, rc == ZP_EINVAL && so.data_dir ? " (the directory of [store] path)" : "");
		return rc == ZP_EINVAL ? ZP_EXIT_USAGE : ZP_EXIT_FAIL;
	}
	r->sandboxed = st.landlock;
	zp_sandbox_describe(&st, log_sandbox_line, r);
	if (st.note[0])
		zp_log(ZP_LOG_WARNING, "sandbox: %s", st.note);
	return 0;
}

static bool retryable(int code)
{
	/* busy: another consumer (a previous instance still stopping); missing or no permission: udev at boot */
	return code == ZP_EBUSY || code == ZP_ENODEV || code == ZP_EACCES || code == ZP_EIO || code == ZP_EAGAIN;
}

/*
 * Request an output line, retrying a busy or missing one every gpio_retry_ms
 * for gpio_give_up_ms (signals, the watchdog and STATUS are served while
 * waiting). NULL with *exit_code on failure, or NULL with r->stop on a signal.
 */
static zp_line *request_output(struct run *r, const char *what, int offset, bool active_low, int initial,
			       int *exit_code)
{
	const char *chip = r->cfg->gpio.chip;
	int64_t start = mono(r), m;
	zp_ratelimit rl;
	char err[256], msg[400];
	int code = 0, tries = 0;
	zp_line *l;

	memset(&rl, 0, sizeof(rl));
	for (;;) {
		l = zp_line_gpiod_new(chip, offset, active_low, initial, &code, err, sizeof(err));
		tries++;
		if (l) {
			if (tries > 1)
				zp_log(ZP_LOG_NOTICE, "%s line: requested on try %d", what, tries);
			return l;
		}
		r->now = m = mono(r);
		if (!retryable(code)) {
			zp_log(ZP_LOG_ERR, "%s line: %s", what, err);
			*exit_code = code == ZP_EINVAL ? ZP_EXIT_USAGE : ZP_EXIT_FAIL;
			return NULL;
		}
		if (m - start >= r->env.gpio_give_up_ms) {
			zp_log(ZP_LOG_ERR, "%s line: %s; giving up after %d tries in %.1f s: exit 1 (systemd restarts "
			       "zebrapad; without a heartbeat the hardware watchdog keeps the lights on)", what, err,
			       tries, (double)(m - start) / 1000.0);
			*exit_code = ZP_EXIT_FAIL;
			return NULL;
		}
		snprintf(msg, sizeof(msg), "%s line: %s; retrying every %d ms for up to %d s", what, err,
			 r->env.gpio_retry_ms, r->env.gpio_give_up_ms / 1000);
		log_limited(&rl, m, ZP_LOG_ERR, msg);
		notify(r, "STATUS=waiting for the %s GPIO line: %s", what, err);
		if (r->wd_ms > 0)
			notify(r, "WATCHDOG=1");
		hook(r, ZP_RUN_STARTUP_RETRY, 0, -1);
		signals_wait(r, r->env.gpio_retry_ms);
		signals_check(r);
		if (r->stop)
			return NULL;
	}
}

static int open_lines(struct run *r)
{
	const zp_gpio_params *g = &r->cfg->gpio;
	char err[256];
	int code = 0, initial = zp_lights_level(&r->chain.lights, r->now);

	if (zp_gpio_check_service(g, r->o->service && !r->o->source, err, sizeof(err))) {
		zp_log(ZP_LOG_ERR, "%s: %s", r->cfg->path, err);
		return ZP_EXIT_USAGE;
	}
	if (!g->chip[0]) {
		r->light = zp_line_sim_new("lights");
		if (!r->light || zp_line_set(r->light, initial, r->now))
			return ZP_EXIT_FAIL;
		zp_log(ZP_LOG_WARNING,
		       "[gpio] chip is empty: the light line is simulated, nothing is driven (a dry run)%s",
		       g->heartbeat_line >= 0 || g->button_line >= 0 ? "; heartbeat_line and button_line ignored" : "");
		return 0;
	}
	if (g->line >= 0) {
		r->light = request_output(r, "light", g->line, g->active_low, initial, &code);
		if (!r->light)
			return r->stop ? 0 : code;
	} else {
		zp_log(ZP_LOG_WARNING, "[gpio] line = -1: no light line, the lights are not switched (counting only)");
	}
	if (g->heartbeat_line >= 0) {
		r->heartbeat = request_output(r, "heartbeat", g->heartbeat_line, false, 0, &code);
		if (!r->heartbeat)
			return r->stop ? 0 : code;
	}
	if (g->button_line >= 0) {
		r->button = zp_line_gpiod_input_new(g->chip, g->button_line, g->button_active_low, &code, err,
						    sizeof(err));
		if (!r->button)
			zp_log(ZP_LOG_ERR, "push button line: %s; running without the button (camera only)", err);
	}
	zp_log(ZP_LOG_INFO, "gpio %s: light line %d%s, heartbeat line %d, button line %d%s", g->chip, g->line,
	       g->active_low ? " (active low)" : "", g->heartbeat_line, r->button ? g->button_line : -1,
	       r->button && g->button_active_low ? " (active low)" : "");
	return 0;
}

/* A closed interval's row, from the sampler: into the writer's hand-off, never waiting for room. */
static void row_out(void *ctx, const zp_store_row *row)
{
	struct run *r = ctx;

	if (r->writer && zp_writer_push(r->writer, row, 1) == 0)
		r->rows_dropped++;
}

/*
 * The counts: the sampler (pipeline/sampler.h: interval arithmetic only) and
 * the writer thread. A dry run (--source) writes nothing unless
 * --write-store. Another daemon on the same store, or a store path that is
 * not a file in a directory of its own: exit 2. A store that cannot be
 * opened yet is the writer's to retry: the lights do not wait for it.
 */
static int open_store(struct run *r)
{
	zp_writer_opts wo;
	char err[400];
	int code = 0;

	if (!r->cfg->store.path[0])
		return 0;
	if (r->o->source && !r->o->write_store) {
		zp_log(ZP_LOG_NOTICE, "a dry run on a recording: no counts are written to %s (--write-store to write "
		       "them)", r->cfg->store.path);
		return 0;
	}
	zp_writer_opts_default(&wo);
	wo.retry_ms = r->env.store_retry_ms;
	if (r->env.store_queue_rows)
		wo.queue_rows = r->env.store_queue_rows;
	code = zp_writer_start(&r->cfg->store, r->zone_names, r->cfg->nzones, &wo, &r->writer, err, sizeof(err));
	if (code) {
		zp_log(ZP_LOG_ERR, "[store] path: %s", err);
		return code == ZP_EBUSY || code == ZP_EINVAL ? ZP_EXIT_USAGE : ZP_EXIT_FAIL;
	}
	r->counts_on = true;
	zp_log(ZP_LOG_INFO, "counts store: %s, %d s intervals, kept %d days, written by its own thread (up to %zu "
	       "rows queued)", r->cfg->store.path, r->cfg->store.interval_s, r->cfg->store.retention_days,
	       wo.queue_rows);
	return 0;
}

static int open_source(struct run *r)
{
	char err[300];
	int code = 0, w = 0, h = 0;

	if (r->o->source) {
		r->recording = true;
		r->src = zp_source_open_file(r->o->source, 0, &code, err, sizeof(err));
		if (!r->src) {
			zp_log(ZP_LOG_ERR, "%s", err);
			return ZP_EXIT_USAGE;
		}
		zp_source_size(r->src, &w, &h);
		if (zp_config_check_frame(r->cfg, w, h, err, sizeof(err))) {
			zp_log(ZP_LOG_ERR, "%s (the recording is %dx%d)", err, w, h);
			return ZP_EXIT_USAGE;
		}
		zp_log(ZP_LOG_INFO, "source: recording %s, %dx%d at %.3g fps%s", r->o->source, w, h,
		       zp_source_fps(r->src), r->o->fast ? ", as fast as it decodes" : ", paced by its frame times");
		return 0;
	}
	r->cfg->camera.want_bgr = r->cfg->detector.shadows == 2; /* colour costs a conversion: only when used */
	r->src = zp_source_open_v4l2(&r->cfg->camera, &code, err, sizeof(err));
	if (!r->src) {
		zp_log(ZP_LOG_ERR, "%s: %s", r->cfg->path, err);
		return ZP_EXIT_USAGE;
	}
	return 0;
}

/* ---- the loop ---- */

/*
 * Set the light line to the controller's level. On a processed frame, and
 * only when the light line obeyed, toggle the heartbeat. Returns the level
 * set, or -1 when the light line failed.
 */
static int set_lines(struct run *r, bool frame)
{
	int level = zp_lights_level(&r->chain.lights, r->now), rc = 0;
	char msg[160];

	if (r->light)
		rc = zp_line_set(r->light, level, r->now);
	if (rc) {
		if (r->line_fail_since < 0)
			r->line_fail_since = r->now;
		snprintf(msg, sizeof(msg), "light line: cannot set it to %d: %s; heartbeat stopped", level,
			 zp_strerror(rc));
		log_limited(&r->rl_line, r->now, ZP_LOG_ERR, msg);
		return -1;
	}
	if (r->line_fail_since >= 0) {
		zp_log(ZP_LOG_NOTICE, "light line: works again after %.1f s",
		       (double)(r->now - r->line_fail_since) / 1000.0);
		r->line_fail_since = -1;
	}
	if (frame) {
		r->hb_level ^= 1;
		r->sum.heartbeats++;
		if (r->heartbeat && (rc = zp_line_set(r->heartbeat, r->hb_level, r->now)) != 0) {
			snprintf(msg, sizeof(msg), "heartbeat line: %s", zp_strerror(rc));
			log_limited(&r->rl_hb, r->now, ZP_LOG_ERR, msg);
		}
	}
	return level;
}

static void read_button(struct run *r)
{
	int v;
	char msg[128];

	if (!r->button)
		return;
	v = zp_line_get(r->button);
	if (v < 0) {
		snprintf(msg, sizeof(msg), "push button line: %s", zp_strerror(v));
		log_limited(&r->rl_btn, r->now, ZP_LOG_ERR, msg);
		return;
	}
	if (v && !r->pressed) {
		r->press_since = r->now;
		r->sum.button_presses++;
		if (r->o->verbose)
			zp_log(ZP_LOG_DEBUG, "push button pressed");
	}
	if (v) {
		r->last_press = r->now;
		if (r->now - r->press_since >= RUN_BUTTON_STUCK_MS)
			log_limited(&r->rl_stuck, r->now, ZP_LOG_WARNING,
				    "push button held for over a minute: stuck, or button_active_low wrong? (it keeps "
				    "the lights on)");
	}
	r->pressed = v;
}

static bool button_presence(const struct run *r)
{
	return r->last_press != ZP_LIGHTS_NEVER && r->now - r->last_press <= r->cfg->gpio.button_hold_ms;
}

/*
 * Is the wall clock known? A Pi has no battery clock: until NTP sets it the
 * date is 1970 or the last shutdown, and counts stamped with it would be
 * wrong for ever. So until the kernel says the clock is synchronised
 * (adjtimex, asked once a second - clock_check_ms: a system call that does
 * not wait) the
 * lights run as always and the counts of that time are dropped, counted in
 * the summary's unsynced_ms and said once in the log. Dry runs (--source)
 * keep the recording's time and are not held back.
 */
static bool clock_known(struct run *r)
{
	int rc;

	if (r->clock_known || r->o->source)
		return true;
	if (r->clock_said && r->now - r->clock_asked < r->env.clock_check_ms && r->now >= r->clock_asked)
		return false;
	r->clock_asked = r->now;
	rc = r->env.clock_synced ? r->env.clock_synced(r->env.clock_ctx) : zp_clock_synced();
	if (rc == 1) {
		r->clock_known = true;
		if (r->clock_said)
			zp_log(ZP_LOG_NOTICE, "the clock is synchronised: counts are kept from now on (%.0f s of counts "
			       "were not kept before)", (double)r->sum.unsynced_ms / 1000.0);
		return true;
	}
	if (!r->clock_said)
		zp_log(ZP_LOG_WARNING, "the clock is not synchronised yet%s: the lights run, but counts are not kept "
		       "until it is (they would carry a wrong date)", rc < 0 ? " (the kernel cannot say)" : "");
	r->clock_said = true;
	return false;
}

/* The sampler's word about the wall clock, in the log. */
static void clock_note(struct run *r, const zp_sampler_note *n)
{
	char msg[160];

	if (n->clock_back_ms > 0 && n->clock_back_held)
		snprintf(msg, sizeof(msg), "wall clock set back by %.1f s: durations are counted again once it has "
			 "passed the time already counted", (double)n->clock_back_ms / 1000.0);
	else if (n->clock_back_ms > 0)
		snprintf(msg, sizeof(msg), "wall clock set back by %.0f s: counts go to the intervals it now shows",
			 (double)n->clock_back_ms / 1000.0);
	else if (n->clock_ahead_ms > 0)
		snprintf(msg, sizeof(msg), "wall clock jumped forward by %.1f s", (double)n->clock_ahead_ms / 1000.0);
	else
		return;
	log_limited(&r->rl_clock, r->now, ZP_LOG_NOTICE, msg);
}

/*
 * A step's inputs for the counts: the span [last_sample, now] goes to the
 * chain's sampler (the occupancy and light state held during it, entries
 * and crossings at its end) when counts are kept, stamped with the wall
 * clock once it is known; and the daemon's own figures: the time without
 * frames, the time whose counts were not kept.
 */
static void step_in(struct run *r, zp_chain_in *in)
{
	int64_t dt = r->now - r->last_sample;

	if (dt < 0)
		dt = 0;
	if (r->now > r->last_sample)
		r->last_sample = r->now;
	if (r->last_faults & ZP_FAULT_STALL)
		r->sum.no_frame_ms += dt;
	memset(in, 0, sizeof(*in));
	in->now_ms = r->now;
	if (!r->counts_on)
		return;
	in->count = true;
	in->drop = !clock_known(r);
	if (in->drop)
		r->sum.unsynced_ms += dt; /* counted, never stamped with a wrong date */
	else
		in->wall_ms = wall_now(r);
}

/* After a step: what the sampler said (closed rows went to row_out()) and the hand-off's losses, in the log. */
static void counted(struct run *r, const zp_chain_in *in, const zp_chain_out *out)
{
	char msg[160];

	if (!in->count)
		return;
	clock_note(r, &out->note);
	if (out->sampler_rc < 0) {
		snprintf(msg, sizeof(msg), "counts: bad sample: %s", zp_strerror(out->sampler_rc));
		log_limited(&r->rl_store, r->now, ZP_LOG_ERR, msg);
	}
	if (r->rows_dropped > r->rows_dropped_logged) {
		snprintf(msg, sizeof(msg), "counts store: falling behind, %" PRIu64 " rows dropped so far (the queue "
			 "holds %zu rows); the lights are not affected", r->rows_dropped,
			 r->env.store_queue_rows ? r->env.store_queue_rows : (size_t)4096);
		if (zp_ratelimit_ok(&r->rl_drop, r->now, RUN_LOG_INTERVAL_MS, NULL)) {
			zp_log(ZP_LOG_ERR, "%s", msg);
			r->rows_dropped_logged = r->rows_dropped;
		}
	}
}

/* A last sample up to now (the end of the loop): no frame, no tick. */
static void account_last(struct run *r)
{
	zp_chain_in in;
	zp_chain_out out;

	step_in(r, &in);
	zp_chain_count(&r->chain, &in, NULL, &out);
	counted(r, &in, &out);
}

/* Log the controller's transitions that matter to an operator. */
static void note_state(struct run *r)
{
	const zp_lights *l = &r->chain.lights;
	char msg[400];

	if ((l->faults & ZP_FAULT_STALL) && !(r->last_faults & ZP_FAULT_STALL)) {
		r->sum.stalls++;
		r->stall_since = r->now;
		snprintf(msg, sizeof(msg), "no frame for %d ms: lights fail-safe (%s)", r->cfg->lights.stall_ms,
			 r->src_err ? zp_source_error(r->src) : "the camera is slow or stalled");
		log_limited(&r->rl_fs, r->now, ZP_LOG_WARNING, msg);
	} else if (!(l->faults & ZP_FAULT_STALL) && (r->last_faults & ZP_FAULT_STALL)) {
		snprintf(msg, sizeof(msg), "frames again after %.1f s without; fail-safe until %d ms of good frames",
			 (double)(r->now - r->stall_since) / 1000.0, r->cfg->lights.recover_ms);
		log_limited(&r->rl_back, r->now, ZP_LOG_NOTICE, msg);
	}
	if ((l->faults & ZP_FAULT_HEALTH) && !(r->last_faults & ZP_FAULT_HEALTH) &&
	    r->last_health != ZP_HEALTH_WARMUP) {
		snprintf(msg, sizeof(msg), "detector health %s for %d ms: lights fail-safe",
			 zp_health_name(r->last_health), r->cfg->lights.bad_health_ms);
		log_limited(&r->rl_health, r->now, ZP_LOG_WARNING, msg);
	}
	if (l->state != r->last_state) {
		if (r->last_state == ZP_LIGHT_FAILSAFE)
			zp_log(ZP_LOG_NOTICE, "lights leave fail-safe: %s", zp_light_state_name(l->state));
		else if (l->state != ZP_LIGHT_FAILSAFE && r->o->verbose)
			zp_log(ZP_LOG_DEBUG, "lights %s", zp_light_state_name(l->state));
	}
	r->last_state = l->state;
	r->last_faults = l->faults;
}

/*
 * The next frame: 0 with *f and its time in the loop's clock, ZP_EAGAIN when
 * none is due yet, ZP_EOF, or the source's error. Sets r->now.
 */
static int next_frame(struct run *r, zp_frame *f, int64_t *t_frame, int timeout_ms)
{
	int64_t due, m;
	int rc;

	if (!r->recording) {
		rc = zp_source_next(r->src, f, timeout_ms);
		r->now = mono(r);
		if (rc == 0)
			*t_frame = f->t_ms;
		return rc;
	}
	if (!r->have_pending) {
		rc = zp_source_next(r->src, &r->pending, 1000);
		if (rc) {
			r->now = loop_now(r);
			return rc;
		}
		r->have_pending = true;
		if (!r->rec_offset_set) {
			r->rec_offset = loop_now(r) - r->pending.t_ms;
			r->rec_offset_set = true;
		}
	}
	due = r->pending.t_ms + r->rec_offset;
	if (r->o->fast) {
		if (due > r->virt_now)
			r->virt_now = due;
		r->now = r->virt_now;
	} else {
		m = mono(r);
		if (due > m) {
			signals_wait(r, due - m < timeout_ms ? due - m : timeout_ms);
			m = mono(r);
		}
		r->now = m;
		if (due > m)
			return ZP_EAGAIN;
	}
	*f = r->pending;
	*t_frame = due;
	r->have_pending = false;
	return 0;
}

/* How long to wait for a frame: stall_ms/4, or less to the stall deadline, a blink edge, the watchdog. */
static int next_timeout(struct run *r)
{
	const zp_lights *l = &r->chain.lights;
	int64_t t = r->cfg->lights.stall_ms / 4, d;

	if (!(l->faults & ZP_FAULT_STALL)) {
		d = l->last_frame_ms + l->p.stall_ms + 1 - r->now;
		if (d < t)
			t = d;
	}
	if (l->state == ZP_LIGHT_FAILSAFE && l->p.failsafe == ZP_FAILSAFE_BLINK && l->p.blink_ms > 0) {
		d = l->p.blink_ms - (r->now - l->state_since_ms) % l->p.blink_ms;
		if (d < t)
			t = d;
	}
	if (r->wd_ms > 0) {
		d = r->last_wd + r->wd_ms - mono(r);
		if (d < t)
			t = d;
	}
	return t < 1 ? 1 : (int)t;
}

/* What the chain's frame step said about the detector, in the log. */
static void detector_note(struct run *r, const zp_frame *f, const zp_chain_out *out, int prev_w, int prev_h)
{
	char msg[400];

	if (out->started_over)
		zp_log(ZP_LOG_NOTICE, "frame size changed from %dx%d to %dx%d: the detector starts over", prev_w, prev_h,
		       f->width, f->height);
	if (out->new_detector)
		zp_log(ZP_LOG_INFO, "detector: %dx%d frames, %d zones, background model %s", f->width, f->height,
		       r->cfg->nzones, zp_detector_model_path(r->chain.det));
	if (out->rc == ZP_EINVAL && !r->chain.det && out->err[0]) {
		snprintf(msg, sizeof(msg), "%s (frames are %dx%d): frames are not processed, lights stay fail-safe",
			 out->err, f->width, f->height);
		log_limited(&r->rl_det, r->now, ZP_LOG_ERR, msg);
	} else if (out->rc && r->chain.det) {
		log_limited(&r->rl_det, r->now, ZP_LOG_ERR, out->err);
	}
}

/*
 * A frame through the chain (detector -> controller, with the push button
 * -> sampler), then the lines. A frame that cannot be processed is as good
 * as none: the chain ticks the controller and the stall timer keeps running.
 */
static void on_frame(struct run *r, const zp_frame *f, int64_t t_frame, int64_t t_deq_ns)
{
	zp_result *res = r->res;
	zp_chain_in in;
	zp_chain_out out;
	int level, prev_w = r->chain.det_w, prev_h = r->chain.det_h;

	if (r->src_err)
		r->src_err = 0;
	read_button(r);
	step_in(r, &in);
	in.t_frame_ms = t_frame;
	in.presence = button_presence(r);
	zp_chain_frame(&r->chain, f, &in, res, &out);
	detector_note(r, f, &out, prev_w, prev_h);
	if (out.rc) {
		level = set_lines(r, false);
		counted(r, &in, &out);
		note_state(r);
		hook(r, ZP_RUN_NO_FRAME, 0, level);
		return;
	}
	r->frames++;
	level = set_lines(r, true);
	if (level >= 0)
		lat_add(&r->lat, now_ns() - t_deq_ns);
	counted(r, &in, &out);
	if (res->health != r->last_health && res->health != ZP_HEALTH_OK && res->health != ZP_HEALTH_WARMUP &&
	    r->o->verbose)
		zp_log(ZP_LOG_DEBUG, "detector health: %s", zp_health_name(res->health));
	r->last_health = res->health;
	r->sum.width = f->width;
	r->sum.height = f->height;
	note_state(r);
	hook(r, ZP_RUN_FRAME, 0, level);
}

static void on_no_frame(struct run *r, int rc)
{
	zp_chain_in in;
	zp_chain_out out;
	int level;

	if (rc != ZP_EAGAIN) {
		r->sum.source_faults++;
		r->src_err = rc;
	}
	read_button(r);
	step_in(r, &in);
	zp_chain_idle(&r->chain, &in, &out);
	level = set_lines(r, false);
	counted(r, &in, &out);
	note_state(r);
	hook(r, ZP_RUN_NO_FRAME, rc, level);
}

/*
 * Every stall, whatever its cause: an iteration that ends more than
 * stall_ms after the previous one (the wait for a frame is at most
 * stall_ms/4) means the loop itself was held up - a driver, a page fault, a
 * lock. Counted with the longest, logged once a minute. Also the hand-offs'
 * losses: log lines dropped. (--fast runs on the recording's clock: no
 * real-time promise, nothing counted.)
 */
static void check_loop(struct run *r)
{
	int64_t m = mono(r), gap = m - r->iter_end;
	uint64_t lost = zp_runlog_take_dropped(r->log);
	char msg[200];

	if (!r->o->fast && gap > r->cfg->lights.stall_ms) {
		r->loop_stalls++;
		if (gap > r->loop_stall_max)
			r->loop_stall_max = gap;
		snprintf(msg, sizeof(msg), "the loop was held up for %" PRId64 " ms (stall_ms %d): %" PRIu64
			 " such stalls so far", gap, r->cfg->lights.stall_ms, r->loop_stalls);
		log_limited(&r->rl_loop, r->now, ZP_LOG_WARNING, msg);
	}
	r->iter_end = m;
	if (lost) {
		r->log_dropped += lost;
		snprintf(msg, sizeof(msg), "log: stderr is not read fast enough: messages dropped (%" PRIu64 " so far)",
			 r->log_dropped);
		log_limited(&r->rl_logdrop, r->now, ZP_LOG_WARNING, msg);
	}
}

/*
 * Landlock allows writing to the camera's device node as it was at
 * start-up (by inode). A camera unplugged and plugged back gets a new node,
 * which the sandbox refuses (EACCES): after RUN_CAMERA_REFUSED_MS of that,
 * exit 1 so that systemd starts zebrapad again with the new node (the
 * lights were fail-safe all along: no frames).
 */
static void camera_refused(struct run *r, int rc)
{
	if (!r->sandboxed || r->recording || rc != ZP_EACCES) {
		if (rc != ZP_EAGAIN && rc != ZP_EACCES)
			r->cam_refused_since = -1;
		return;
	}
	if (r->cam_refused_since < 0)
		r->cam_refused_since = r->now;
	if (r->now - r->cam_refused_since >= RUN_CAMERA_REFUSED_MS) {
		zp_log(ZP_LOG_ERR, "camera %s: refused for %.0f s (a new device node since start-up, which the sandbox "
		       "does not allow): exit 1 so that systemd restarts zebrapad", r->cfg->camera.device,
		       (double)(r->now - r->cam_refused_since) / 1000.0);
		stop(r, ZP_EXIT_FAIL, "camera refused by the sandbox");
	}
}

/*
 * The health board ([health] prom_file): integers stored with relaxed
 * atomics, no lock, no system call (health.h); the file is written by the
 * board's own thread. Fault kinds are counted here by their rising edges.
 */
static void health_publish(struct run *r)
{
	zp_health_snapshot h;
	zp_writer_stats ws;
	bool bad = r->chain.lights.faults & ZP_FAULT_HEALTH, src = r->src_err != 0;

	if (!r->health)
		return;
	r->health_faults += bad && !r->health_bad;
	r->camera_back += !src && r->health_src_err;
	r->health_bad = bad;
	r->health_src_err = src;
	if (r->frames != r->health_frames) {
		r->health_frames = r->frames;
		r->health_last_frame = wall_now(r);
	}
	memset(&h, 0, sizeof(h));
	memset(&ws, 0, sizeof(ws));
	if (r->writer)
		zp_writer_stats_get(r->writer, &ws);
	h.lights = (int)r->chain.lights.state;
	h.detector_health = r->frames ? (int)r->last_health : -1;
	h.failsafe_ms = r->chain.lights.state == ZP_LIGHT_FAILSAFE ? r->now - r->chain.lights.state_since_ms : 0;
	h.failsafe_total_ms = r->chain.lights.failsafe_ms;
	h.frames = r->frames;
	h.last_frame_wall_ms = r->health_last_frame;
	h.faults[ZP_HFAULT_STALL] = r->sum.stalls;
	h.faults[ZP_HFAULT_HEALTH] = r->health_faults;
	h.faults[ZP_HFAULT_SOURCE] = r->sum.source_faults;
	h.faults[ZP_HFAULT_STORE] = ws.failures;
	h.faults[ZP_HFAULT_LOOP] = r->loop_stalls;
	h.active = (r->chain.lights.faults & ZP_FAULT_STALL ? 1u << ZP_HFAULT_STALL : 0) | (bad ? 1u << ZP_HFAULT_HEALTH : 0) |
		   (src ? 1u << ZP_HFAULT_SOURCE : 0) |
		   (ws.state == ZP_WRITER_FAILING || ws.state == ZP_WRITER_CLOSED ? 1u << ZP_HFAULT_STORE : 0);
	h.camera_reconnects = r->camera_back;
	h.store_queue = ws.waiting;
	h.store_dropped = ws.dropped + r->rows_dropped;
	h.start_wall_ms = r->wall0;
	zp_health_publish(r->health, &h);
}

static void loop(struct run *r)
{
	zp_frame f;
	int64_t t_frame = 0, t_deq;
	int rc;

	while (!r->stop) {
		rc = next_frame(r, &f, &t_frame, next_timeout(r));
		t_deq = now_ns();
		if (rc == 0) {
			on_frame(r, &f, t_frame, t_deq);
		} else if (rc == ZP_EOF) {
			stop(r, ZP_EXIT_OK, "end of recording");
		} else if (r->recording && rc != ZP_EAGAIN) {
			zp_log(ZP_LOG_ERR, "%s: %s", r->o->source, zp_source_error(r->src));
			stop(r, ZP_EXIT_FAIL, "recording unreadable");
		} else {
			on_no_frame(r, rc);
			camera_refused(r, rc);
		}
		if (r->line_fail_since >= 0 && r->now - r->line_fail_since >= r->env.line_fail_exit_ms) {
			zp_log(ZP_LOG_ERR,
			       "light line: cannot be set for %.1f s: exit 1 so that systemd restarts zebrapad "
			       "(the heartbeat has stopped: the hardware watchdog switches the lights on)",
			       (double)(r->now - r->line_fail_since) / 1000.0);
			stop(r, ZP_EXIT_FAIL, "light line lost");
		}
		if (r->o->max_frames >= 0 && (long)r->frames >= r->o->max_frames)
			stop(r, ZP_EXIT_OK, "max-frames");
		check_loop(r);
		health_publish(r);
		keepalive(r);
		signals_check(r);
	}
}

/* ---- the end ---- */

static void shutdown_lines(struct run *r)
{
	int level = zp_lights_shutdown_level(&r->chain.lights), rc;

	if (r->light) {
		rc = zp_line_set(r->light, level, r->now);
		if (rc)
			zp_log(ZP_LOG_ERR, "light line: cannot set the shutdown level %d: %s", level, zp_strerror(rc));
		else
			zp_log(ZP_LOG_INFO, "light line left at %d ([lights] shutdown = %s) and released", level,
			       level ? "on" : "off");
	}
	zp_line_free(r->button);
	zp_line_free(r->heartbeat);
	zp_line_free(r->light);
	r->button = r->heartbeat = r->light = NULL;
}

/* The interval in progress into the hand-off, then the writer stopped (a bounded wait); its figures kept. */
static void finish_counts(struct run *r)
{
	zp_writer_stats ws;

	if (r->counts_on)
		zp_chain_flush(&r->chain); /* the interval in progress, as it stands */
	r->counts_on = false;
	if (!r->writer)
		return;
	zp_writer_stats_get(r->writer, &ws);
	r->sum.rows_waiting = zp_writer_stop(r->writer);
	r->writer = NULL;
	r->sum.rows_written = ws.written + (ws.waiting - r->sum.rows_waiting);
	r->sum.store_failures = ws.failures;
	r->sum.store_reopens = ws.reopens;
}

static void summarize(struct run *r)
{
	zp_run_summary *s = &r->sum;
	double secs = (double)(r->now - r->mono0) / 1000.0;

	s->exit_code = r->exit_code;
	zp_strlcpy(s->reason, r->reason[0] ? r->reason : "start-up failed", sizeof(s->reason));
	s->frames = r->frames;
	s->activations = r->chain.lights.activations;
	s->on_ms = r->chain.lights.on_ms;
	s->failsafe_ms = r->chain.lights.failsafe_ms;
	s->failsafe_entries = r->chain.lights.failsafe_entries;
	lat_result(&r->lat, &s->latency);
	s->loop_stalls = r->loop_stalls;
	s->loop_stall_max_ms = r->loop_stall_max;
	s->log_dropped = r->log_dropped + zp_runlog_take_dropped(r->log);
	s->notify_dropped = r->notify_dropped;
	s->rows_dropped = r->rows_dropped;
	if (!r->src)
		return;
	zp_log(ZP_LOG_INFO, "stopped (%s) after %.1f s: %" PRIu64 " frames, lights on %.1f s (%" PRIu64
	       " times), fail-safe %.1f s (%" PRIu64 " times after start-up), %" PRIu64 " stalls (%.1f s without "
	       "frames), %" PRIu64 " source errors, %" PRIu64 " button presses",
	       s->reason, secs, s->frames, (double)s->on_ms / 1000.0, s->activations, (double)s->failsafe_ms / 1000.0,
	       s->failsafe_entries, s->stalls, (double)s->no_frame_ms / 1000.0, s->source_faults, s->button_presses);
	zp_log(ZP_LOG_INFO, "stalls of the loop itself: %" PRIu64 " (longest %" PRId64 " ms); counts: %" PRIu64
	       " rows written, %" PRIu64 " queued at stop, %" PRIu64 " dropped (queue full), %" PRIu64 " failed "
	       "writes, %" PRIu64 " reopens; %" PRIu64 " log messages and %" PRIu64 " systemd notifications dropped",
	       s->loop_stalls, s->loop_stall_max_ms, s->rows_written, s->rows_waiting, s->rows_dropped,
	       s->store_failures, s->store_reopens, s->log_dropped, s->notify_dropped);
	if (s->unsynced_ms > 0)
		zp_log(ZP_LOG_WARNING, "counts of %.1f s were not kept: the clock was not synchronised",
		       (double)s->unsynced_ms / 1000.0);
	if (r->o->stats)
		zp_log(ZP_LOG_INFO, "latency frame -> light line set, %dx%d, %" PRIu64 " frames: median %.0f us, "
		       "p99 %.0f us, max %.0f us, mean %.0f us", s->width, s->height, s->latency.n,
		       s->latency.median_us, s->latency.p99_us, s->latency.max_us, s->latency.mean_us);
}

static void cleanup(struct run *r)
{
	shutdown_lines(r);
	finish_counts(r);
	health_publish(r);
	zp_health_stop(r->health);   /* writes the last state */
	r->health = NULL;
	zp_source_free(r->src);   /* zeroes the frame buffers */
	zp_chain_free(&r->chain);
	if (r->res)
		explicit_bzero(r->res, sizeof(*r->res));
	free(r->res);
	free(r->lat.count);
	signals_restore(r);
	if (r->notify_fd >= 0)
		close(r->notify_fd);
	zp_runlog_end(r->log, 1000);
	r->log = NULL;
	free(r->cfg);
}

int zp_run_daemon(const zp_run_opts *o, const zp_run_env *env)
{
	struct run *r;
	zp_homography ground;
	char err[512];
	uint64_t wd_usec = 0;
	int rc;

	r = calloc(1, sizeof(*r));
	if (!r)
		return ZP_EXIT_FAIL;
	r->o = o;
	if (env)
		r->env = *env;
	else
		zp_run_env_default(&r->env);
	r->sfd = -1;
	r->notify_fd = -1;
	r->cam_refused_since = -1;
	r->line_fail_since = -1;
	r->last_press = ZP_LIGHTS_NEVER;
	r->now = r->mono0 = r->virt_now = mono(r);
	r->wall0 = o->start_time_set ? o->start_time_ms : r->env.wall_ms(r->env.clock_ctx);
	r->cfg = malloc(sizeof(*r->cfg));
	r->res = calloc(1, sizeof(*r->res));
	r->lat.count = calloc(LAT_BUCKETS, sizeof(r->lat.count[0]));
	rc = ZP_EXIT_FAIL;
	if (!r->cfg || !r->res || !r->lat.count) {
		zp_log(ZP_LOG_ERR, "out of memory");
		goto done;
	}
	if (zp_config_load(o->config, r->cfg, err, sizeof(err))) {
		zp_log(ZP_LOG_ERR, "%s", err);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	r->cfg->detector.simd = o->simd;
	r->cfg->camera.simd = o->simd; /* the capture's YUV kernels: the same path */
	r->cfg->camera.io = o->io;
	/* [ground] as replay reads it, so live and replay filter blobs alike; degenerate pairs are bad input */
	if (zp_config_ground(r->cfg, &ground, NULL, err, sizeof(err))) {
		zp_log(ZP_LOG_ERR, "%s", err);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	if (r->cfg->nzones < 1) {
		zp_log(ZP_LOG_ERR, "%s: no [zone NAME] section: the lights could never switch on for a person; add "
		       "at least one zone (zebrapad calibrate draws them)", r->cfg->path);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	if (r->cfg->store.path[0] && (!r->o->source || r->o->write_store) &&
	    zp_store_check_path(r->cfg->store.path, true, err, sizeof(err))) {
		zp_log(ZP_LOG_ERR, "%s: [store] path: %s", r->cfg->path, err);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	for (int z = 0; z < r->cfg->nzones; z++)
		r->zone_names[z] = r->cfg->zones[z].name;
	/* rows go to row_out(), which hands them to the store's writer once open_store() has started it */
	if (zp_chain_init(&r->chain, r->cfg, &ground, r->cfg->store.interval_s, row_out, r, err, sizeof(err))) {
		zp_log(ZP_LOG_ERR, "%s: %s", r->cfg->path, err);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec >= 2000)
		r->wd_ms = (int64_t)(wd_usec / 2000);
	r->last_wd = mono(r);

	rc = signals_block(r);
	if (rc)
		goto done;
	/* the hand-offs' descriptors before the sandbox (which allows no new socket), their threads after it */
	if (zp_runlog_begin(&r->log, r->env.log_pipe_bytes, err, sizeof(err)) != 0)
		zp_log(ZP_LOG_WARNING, "%s: messages are written directly", err);
	notify_open(r);
	if (r->env.sandbox && (rc = apply_sandbox(r)) != 0)
		goto done;
	if (r->log && zp_runlog_start(r->log) != 0) {
		zp_log(ZP_LOG_ERR, "log: cannot start the log thread");
		rc = ZP_EXIT_FAIL;
		goto done;
	}
	/* the health file's thread, after the sandbox (which allows writing its directory) */
	if (r->cfg->health.prom_file[0] && zp_health_start(&r->cfg->health, ZP_VERSION, &r->health, err, sizeof(err)))
		zp_log(ZP_LOG_WARNING, "%s: [health] prom_file: %s (no health file)", r->cfg->path, err);
	zp_chain_start(&r->chain, r->now);
	rc = open_lines(r);
	if (rc || r->stop)
		goto done;
	r->now = loop_now(r);
	rc = open_store(r);
	if (rc)
		goto done;
	rc = open_source(r);
	if (rc)
		goto done;

	/* the controller's clock starts now: fail-safe until the model is ready and recover_ms have passed */
	r->now = r->virt_now = r->mono0 = loop_now(r);
	r->last_sample = r->now;
	r->iter_end = mono(r);
	zp_chain_start(&r->chain, r->now);
	r->last_state = r->chain.lights.state;
	r->last_faults = r->chain.lights.faults;
	r->status_state = r->chain.lights.state;
	if (set_lines(r, false) < 0)
		zp_log(ZP_LOG_WARNING, "light line: the first set failed");
	status_text(r, r->status, sizeof(r->status));
	notify(r, "READY=1\nSTATUS=%s", r->status);
	r->last_status_ms = mono(r);
	zp_log(ZP_LOG_INFO, "running: %s, config %s, stall_ms %d%s",
	       r->recording ? r->o->source : r->cfg->camera.device, r->cfg->path, r->cfg->lights.stall_ms,
	       r->wd_ms ? ", systemd watchdog on" : "");
	signals_check(r);
	loop(r);
	rc = r->exit_code;

	/* a last sample up to now, then everything down in a safe order */
	account_last(r);
	notify(r, "STOPPING=1\nSTATUS=stopping (%s)", r->reason);
done:
	r->exit_code = rc;
	shutdown_lines(r);    /* the lights first, then the counts (which may wait a little for the disk) */
	finish_counts(r);
	summarize(r);
	if (env && env->summary)
		*env->summary = r->sum;
	cleanup(r);
	free(r);
	return rc;
}
