/* SPDX-License-Identifier: MIT */
/*
 * test_run.c - `zebrapad run` (app/cmd_run_loop.c, app/cmd_run.c): the real daemon
 * loop, the real capture code (capture/v4l2.c, capture/file.c) and the real
 * GPIO driver (gpio/line_gpiod1.c or _gpiod2.c), linked against the fake
 * libv4l2 (tests/fakes/fake_v4l2.c) and the fake libgpiod (fake_gpiod*.c
 * over fake_gpio_kernel.c), in this process.
 *
 * The fake camera serves frames made here: a synthetic scene with exact
 * expectations (a textured road and one "person" walking through the zone),
 * or (test_run_video only) opencv-doc's vtest.avi decoded by capture/file.c
 * through OpenCV. test_run links no OpenCV, like the daemon: its recordings
 * are .y4m files the test writes. The fake GPIO chip
 * logs every level change of every line with the time of the daemon's
 * clock: the test's clock (injected through zp_run_env) is the monotonic
 * clock, and stamps the fake chip each time the daemon reads it.
 *
 * Each test: the daemon's stderr goes to a file (the log assertions), the
 * systemd notify socket is a datagram socket of the test, and the hook
 * (zp_run_env.hook) injects faults at given frames or times.
 */
#include "zp_test.h"

#include "app.h"
#include "cmd_run.h"
#include "capture.h"
#include "fake_gpio.h"
#include "fake_v4l2.h"
#include "slow_vfs.h"
#include "store.h"
#include "writer.h"
#include "zp_store_rows.h"

#if ZP_HAVE_JSON
#include <cjson/cJSON.h>
#endif

#include <sqlite3.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LIGHT 17
#define HEART 27
#define BUTTON 22
#define MAX_FRAMES 8192
#define MAX_NOTES 4096

/* the synthetic scene: 320x240, a 24x48 block walking left to right at 4 px per frame */
#define SYN_W 320
#define SYN_H 240
#define SYN_BW 24
#define SYN_BH 48
#define SYN_BOTTOM 200
/* the zone "middle" is x 130..210: the block's centre (x0 + 24 + 4k at frame from+k) is inside for k 27..46 */
#define SYN_IN_FIRST 27
#define SYN_IN_LAST 46

struct t;
typedef void (*step_fn)(struct t *t, const zp_run_step *st);

/* Everything one test needs; one per process (Check forks each test). */
struct t {
	int synced_after;       /* the clock reads synchronised once frame synced_after was processed (-1: always) */
	int synced_calls;
	char dir[256];
	char config[300];
	char store[300];
	char log[300];
	char notify[300];
	int saved_stderr;
	int notify_fd;

	/* the scene: block visible for producer frames [from, to] */
	int block_from, block_to;
	int period;                /* > 0: the block walks through again every period frames */
	zp_source *video;          /* vtest frames, when the producer serves them */
	int video_w, video_h;

	/* what the hook saw */
	int64_t mono0;
	int64_t t_frame[MAX_FRAMES + 1];   /* loop time of processed frame n */
	int64_t lat_ns[MAX_FRAMES + 1];    /* fake DQBUF returned -> hook, frame n */
	int startup_retries;
	int no_frame_steps;
	char *notes[MAX_NOTES];
	int nnotes;

	/* the scenario */
	step_fn on_step;
	int64_t mark;              /* a time the scenario remembers */
	int64_t mark2;
	int phase;

	zp_run_env env;
	zp_run_summary sum;
};

static struct t T;

/* ---- clock, hook, notify ---- */

static int64_t test_mono(void *ctx)
{
	int64_t now = zp_now_ms();

	(void)ctx;
	fake_gpio_set_time(now);   /* the fake chip stamps changes with the daemon's time */
	return now;
}

static int64_t test_wall(void *ctx)
{
	struct t *t = ctx;

	/* 2024-01-01T00:00:00Z + elapsed */
	return 1704067200000LL + (zp_now_ms() - t->mono0);
}

/* The kernel's word on the wall clock, scripted: synchronised once frame synced_after was processed. */
static int test_synced(void *ctx)
{
	struct t *t = ctx;

	t->synced_calls++;
	return t->synced_after < 0 || (t->synced_after <= MAX_FRAMES && t->t_frame[t->synced_after] != 0);
}

static void drain_notify(struct t *t)
{
	char buf[512];
	ssize_t n;

	if (t->notify_fd < 0)
		return;
	while ((n = recv(t->notify_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		if (t->nnotes < MAX_NOTES)
			t->notes[t->nnotes++] = strdup(buf);
	}
}

static void test_hook(void *ctx, const zp_run_step *st)
{
	struct t *t = ctx;

	if (st->phase == ZP_RUN_FRAME && st->frames <= MAX_FRAMES) {
		struct timespec ts;

		t->t_frame[st->frames] = st->now_ms;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t->lat_ns[st->frames] = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - fake_v4l2_seen().last_dqbuf_ns;
	} else if (st->phase == ZP_RUN_STARTUP_RETRY) {
		t->startup_retries++;
	} else {
		t->no_frame_steps++;
	}
	drain_notify(t);
	if (t->on_step)
		t->on_step(t, st);
}

/* First note (from index i) that contains s; -1 when none. */
static int note_find(const struct t *t, int i, const char *s)
{
	for (; i < t->nnotes; i++)
		if (strstr(t->notes[i], s))
			return i;
	return -1;
}

static int note_count(const struct t *t, const char *s)
{
	int n = 0;

	for (int i = 0; i < t->nnotes; i++)
		n += strstr(t->notes[i], s) != NULL;
	return n;
}

/* ---- frames ---- */

static uint8_t background(int x, int y)
{
	return (uint8_t)(70 + ((x * 7 + y * 13) % 41) + ((x / 16 + y / 16) % 2) * 20);
}

/* The synthetic scene: textured ground, a little noise (so the view never looks frozen), the block. */
static void scene_producer(void *ctx, uint64_t n, uint8_t *luma, int w, int h)
{
	struct t *t = ctx;
	int bx = -1000;

	if (t->period > 0)
		n %= (uint64_t)t->period;
	if ((int64_t)n >= t->block_from && (int64_t)n <= t->block_to)
		bx = 12 + 4 * ((int)n - t->block_from);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint32_t hsh = (uint32_t)(x * 73856093u) ^ (uint32_t)(y * 19349663u) ^
				       (uint32_t)(n * 83492791u);
			int v = background(x, y) + (int)((hsh >> 13) % 3);

			if (x >= bx && x < bx + SYN_BW && y >= SYN_BOTTOM - SYN_BH && y < SYN_BOTTOM)
				v = 230 - ((x - bx) + (y % 8)) % 12;
			luma[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)v;
		}
}

#ifdef ZP_TEST_VIDEO /* test_run_video: capture/file.c through OpenCV reads vtest.avi */
/* vtest.avi frames, the centre of each when the camera is smaller; starts over at the end. */
static void video_producer(void *ctx, uint64_t n, uint8_t *luma, int w, int h)
{
	struct t *t = ctx;
	zp_frame f;
	int rc = zp_source_next(t->video, &f, 1000), ox, oy;

	(void)n;
	if (rc == ZP_EOF) {
		char err[256];
		int code;

		zp_source_free(t->video);
		t->video = zp_source_open_file(zp_test_vtest(), 0, &code, err, sizeof(err));
		ck_assert_msg(t->video != NULL, "%s", err);
		rc = zp_source_next(t->video, &f, 1000);
	}
	ck_assert_int_eq(rc, 0);
	ox = (f.width - w) / 2;
	oy = (f.height - h) / 2;
	ck_assert(ox >= 0 && oy >= 0);
	for (int y = 0; y < h; y++)
		memcpy(luma + (size_t)y * (size_t)w, f.luma + (size_t)(y + oy) * (size_t)f.stride + ox, (size_t)w);
}
#endif

static void camera_size(int w, int h)
{
	const struct fake_v4l2_fmt fmt = { V4L2_PIX_FMT_YUYV, w, h };

	fake_v4l2_set_formats(&fmt, 1, true);
}

/* ---- config ---- */

struct cfg {
	const char *chip;          /* NULL: gpiochip0 */
	int width, height;         /* 0: the synthetic scene's */
	int stall_ms;
	const char *shutdown;
	const char *failsafe;
	int min_on_ms, hold_ms, recover_ms;
	int button_hold_ms;
	bool no_button;
	bool vtest_zones;
	bool sides;                /* the synthetic scene's zone "middle" between two kerbs: west, east */
	int camera_timeout_ms;
	int shadows;               /* 0: the default (1, luma) */
};

static void cfg_default(struct cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->stall_ms = 200;
	c->shutdown = "on";
	c->failsafe = "on";
	c->min_on_ms = 300;
	c->hold_ms = 300;
	c->recover_ms = 100;
	c->button_hold_ms = 500;
	c->camera_timeout_ms = 500;
}

static void write_config(struct t *t, const struct cfg *c)
{
	FILE *f = fopen(t->config, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"[camera]\ndevice = /dev/video0\nwidth = %d\nheight = %d\nfps = 30\ntimeout_ms = %d\n"
		"retry_min_ms = 20\nretry_max_ms = 100\n\n",
		c->width ? c->width : SYN_W, c->height ? c->height : SYN_H, c->camera_timeout_ms);
	if (c->vtest_zones)
		fprintf(f,
			"[detector]\nscale = 2\nmin_area = 300\nmax_area = 20000\ntrack_max_dist = 60\n"
			"warmup_frames = 30\n\n"
			"[zone kerb-north]\nrole = waiting\npolygon = 175,172 365,172 365,205 175,205\n\n"
			"[zone crossing]\nrole = crossing\npolygon = 180,207 360,207 360,296 180,259\n\n"
			"[zone kerb-south]\nrole = waiting\npolygon = 180,263 360,301 360,345 180,305\n\n");
	else
		fprintf(f,
			"[detector]\nscale = 1\nwarmup_frames = 10\nopen_radius = 1\nclose_radius = 1\n"
			"min_area = 300\nmax_area = 20000\ntrack_min_hits = 3\ntrack_max_dist = 30\nshadows = %d\n"
			"; the block crosses the zone in 0.2 s (100 fps): counted on its first frame in it\n"
			"count_min_ms = 0\n\n"
			"[zone middle]\nrole = crossing\npolygon = 130,100 210,100 210,230 130,230\n%s\n",
			c->shadows ? c->shadows : 1, c->sides ? "sides = west, east\n" : "");
	if (c->sides && !c->vtest_zones)
		fprintf(f,
			"[zone west]\nrole = waiting\npolygon = 20,100 129,100 129,230 20,230\n\n"
			"[zone east]\nrole = waiting\npolygon = 211,100 300,100 300,230 211,230\n\n");
	fprintf(f,
		"[lights]\nmin_on_ms = %d\nhold_ms = %d\nstall_ms = %d\nrecover_ms = %d\nfailsafe = %s\n"
		"shutdown = %s\nblink_ms = 100\n\n",
		c->min_on_ms, c->hold_ms, c->stall_ms, c->recover_ms, c->failsafe, c->shutdown);
	fprintf(f, "[gpio]\nchip = %s\nline = %d\nheartbeat_line = %d\nbutton_line = %d\nbutton_hold_ms = %d\n\n",
		c->chip ? c->chip : FAKE_GPIO_CHIP, LIGHT, HEART, c->no_button ? -1 : BUTTON, c->button_hold_ms);
	fprintf(f, "[store]\npath = %s\ninterval_s = 1\n", t->store);
	fclose(f);
}

/* text added at the end of the config written. */
static void append_config(const char *text)
{
	FILE *f = fopen(T.config, "a");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* The config of cfg_default(), written for the next run. */
static void write_default_config(void)
{
	struct cfg c;

	cfg_default(&c);
	write_config(&T, &c);
}

/* ---- the fixture ---- */

static void setup(void)
{
	struct sockaddr_un sa;
	int fd;

	memset(&T, 0, sizeof(T));
	zp_test_tmpdir_make(T.dir, sizeof(T.dir), "run");
	snprintf(T.config, sizeof(T.config), "%s/site.ini", T.dir);
	snprintf(T.store, sizeof(T.store), "%s/counts.db", T.dir);
	snprintf(T.log, sizeof(T.log), "%s/log", T.dir);
	snprintf(T.notify, sizeof(T.notify), "%s/notify", T.dir);

	fake_v4l2_reset();
	camera_size(SYN_W, SYN_H);
	fake_v4l2_set_frame_period_us(10000);   /* 100 fps: the tests take seconds, not minutes */
	fake_v4l2_set_producer(scene_producer, &T);
	T.block_from = 60;
	T.block_to = 140;
	fake_gpio_reset(32);
	fake_gpio_drive_input(BUTTON, 1);     /* released: the button pulls the line low */
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");

	T.notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(T.notify_fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	zp_strlcpy(sa.sun_path, T.notify, sizeof(sa.sun_path));
	ck_assert_int_eq(bind(T.notify_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", T.notify, 1);

	/* the daemon's log goes to a file the test reads */
	fflush(stderr);
	T.saved_stderr = dup(2);
	fd = open(T.log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	dup2(fd, 2);
	close(fd);

	T.mono0 = zp_now_ms();
	zp_run_env_default(&T.env);
	T.env.mono_ms = test_mono;
	T.env.wall_ms = test_wall;
	T.env.clock_synced = test_synced;
	T.env.clock_ctx = &T;
	T.synced_after = -1;
	T.synced_calls = 0;
	T.env.hook = test_hook;
	T.env.hook_ctx = &T;
	T.env.sandbox = false;   /* it would bind this test process; run_binary.sh runs the binary with it */
	T.env.gpio_retry_ms = 50;
	T.env.gpio_give_up_ms = 250;
	T.env.line_fail_exit_ms = 300;
	T.env.store_retry_ms = 200;
	T.env.summary = &T.sum;
}

/* The log, for a message after a failed assertion. */
static void dump_log(void)
{
	char buf[4096];
	ssize_t n;
	int fd = open(T.log, O_RDONLY);

	if (fd < 0 || T.saved_stderr < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(T.saved_stderr, buf, (size_t)n) < 0)
			break;
	close(fd);
}

/* Nothing left held: camera closed and unmapped with its buffers zeroed, GPIO lines and chips released. */
static void teardown(void)
{
	fflush(stderr);
	if (T.saved_stderr >= 0) {
		dup2(T.saved_stderr, 2);
		close(T.saved_stderr);
	}
	ck_assert_int_eq(fake_v4l2_seen().open_fds, 0);
	ck_assert_int_eq(fake_v4l2_seen().mapped, 0);
	ck_assert_int_eq(fake_v4l2_seen().unzeroed_unmaps, 0);
	ck_assert_int_eq(fake_gpio_open_handles(), 0);
	ck_assert_ptr_null(fake_gpio_consumer(LIGHT));
	ck_assert_ptr_null(fake_gpio_consumer(HEART));
	ck_assert_ptr_null(fake_gpio_consumer(BUTTON));
	zp_source_free(T.video);
	fake_v4l2_reset();
	fake_gpio_reset(0);
	for (int i = 0; i < T.nnotes; i++)
		free(T.notes[i]);
	if (T.notify_fd >= 0)
		close(T.notify_fd);
	unsetenv("NOTIFY_SOCKET");
	zp_test_tmpdir_remove(T.dir);
}

static char *read_log(void)
{
	static char buf[1 << 20];
	int fd;
	ssize_t n;

	fflush(stderr);
	fd = open(T.log, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int log_count(const char *s)
{
	const char *p = read_log();
	int n = 0;

	while ((p = strstr(p, s)) != NULL) {
		n++;
		p += strlen(s);
	}
	return n;
}

#define ck_assert_log(s)                                                                                          \
	do {                                                                                                      \
		if (!log_count(s))                                                                                \
			dump_log();                                                                               \
		ck_assert_msg(log_count(s) > 0, "log has no \"%s\"", s);                                         \
	} while (0)

/* Run the daemon: `run --config site.ini [extra...]`. */
static int run_daemon(const char *extra1, const char *extra2)
{
	char *argv[8];
	int argc = 0, rc;
	zp_run_opts o;

	argv[argc++] = (char *)"run";
	argv[argc++] = (char *)"--config";
	argv[argc++] = T.config;
	if (extra1)
		argv[argc++] = (char *)extra1;
	if (extra2)
		argv[argc++] = (char *)extra2;
	argv[argc] = NULL;
	ck_assert_int_eq(zp_run_parse(argc, argv, &o), 0);
	rc = zp_run_daemon(&o, &T.env);
	drain_notify(&T);
	return rc;
}

/* ---- the GPIO log ---- */

struct edge {
	int64_t t;
	int v;
};

static int edges(unsigned offset, struct edge *out, int max)
{
	size_t n;
	const fake_gpio_change *c = fake_gpio_changes(&n);
	int k = 0;

	for (size_t i = 0; i < n; i++)
		if (c[i].offset == offset && k < max) {
			out[k].t = c[i].t_ms;
			out[k].v = c[i].physical;
			k++;
		}
	return k;
}

static int edges_between(unsigned offset, int64_t from, int64_t to)
{
	size_t n;
	const fake_gpio_change *c = fake_gpio_changes(&n);
	int k = 0;

	for (size_t i = 0; i < n; i++)
		k += c[i].offset == offset && c[i].t_ms > from && c[i].t_ms < to;
	return k;
}

static void print_edges(unsigned offset)
{
	struct edge e[64];
	int n = edges(offset, e, 64);
	char line[128];

	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "  line %u: %+lld ms -> %d\n", offset, (long long)(e[i].t - T.mono0),
			 e[i].v);
		if (write(T.saved_stderr, line, strlen(line)) < 0)
			break;
	}
}

/* The heartbeat toggled on every processed frame: one change per frame after the request (0). */
static void assert_heartbeat_per_frame(uint64_t frames)
{
	static struct edge e[MAX_FRAMES + 8];
	int n = edges(HEART, e, MAX_FRAMES + 8);

	ck_assert_uint_eq((uint64_t)n, frames + 1);
	ck_assert_int_eq(e[0].v, 0);
	for (int i = 1; i < n; i++)
		ck_assert_int_eq(e[i].v, i % 2);
	ck_assert_uint_eq(T.sum.heartbeats, frames);
}

/* ---- the counts store ---- */

struct totals {
	int64_t entered;
	double occupied_s;
	int64_t activations;
	double on_s, fault_s;
};

static int add_row(void *ctx, const zp_store_row *row)
{
	struct totals *tt = ctx;

	if (strcmp(row->zone, ZP_STORE_CROSSING) == 0) {
		tt->activations += row->light_activations;
		tt->on_s += row->light_on_s;
		tt->fault_s += row->fault_s;
	} else {
		tt->entered += row->entered;
		tt->occupied_s += row->occupied_s;
	}
	return 0;
}

static struct totals store_totals(void)
{
	struct totals tt;

	memset(&tt, 0, sizeof(tt));
	zp_rows_read_each(T.store, add_row, &tt);
	return tt;
}

/* o run twice, the store removed in between: the first run's summary, each run's store totals. */
static void run_twice(const zp_run_opts *o, zp_run_summary *first, struct totals *t1, struct totals *t2)
{
	ck_assert_int_eq(zp_run_daemon(o, &T.env), ZP_EXIT_OK);
	*first = T.sum;
	*t1 = store_totals();
	ck_assert_int_eq(unlink(T.store), 0);
	ck_assert_int_eq(zp_run_daemon(o, &T.env), ZP_EXIT_OK);
	*t2 = store_totals();
}

/* ---- normal operation ---- */

/*
 * The person walks through the zone: the light goes on while they are in
 * it, stays on min_on_ms / hold_ms, goes off; the heartbeat toggles on
 * every frame; counts reach the store; SIGTERM-free exit at --max-frames.
 */
START_TEST(normal_run)
{
	struct cfg c;
	struct edge e[16];
	struct totals tt;
	int n, rc;

	cfg_default(&c);
	write_config(&T, &c);
	rc = run_daemon("--max-frames", "220");
	if (rc)
		dump_log();
	ck_assert_int_eq(rc, ZP_EXIT_OK);
	ck_assert_str_eq(T.sum.reason, "max-frames");
	ck_assert_uint_eq(T.sum.frames, 220);
	ck_assert_uint_eq(T.sum.stalls, 0);
	ck_assert_uint_eq(T.sum.source_faults, 0);

	/* light: fail-safe at start (1), off once the model is ready (0), on for the person (1), off (0), and
	 * the shutdown level (on: 1) */
	n = edges(LIGHT, e, 16);
	if (n != 5)
		print_edges(LIGHT);
	ck_assert_int_eq(n, 5);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(e[i].v, i % 2 == 0); /* on, off, on, off, on */
	/* off before the person comes; on while they are in the zone (track confirmed after 3 frames) */
	ck_assert_int_lt(e[1].t, T.t_frame[T.block_from]);
	ck_assert_int_ge(e[2].t, T.t_frame[T.block_from + SYN_IN_FIRST - 1]);
	ck_assert_int_le(e[2].t, T.t_frame[T.block_from + SYN_IN_FIRST + 5]);
	/* off no earlier than min_on_ms after on and hold_ms after the person left the zone */
	/* the controller times from frame capture, the line log from the loop: up to 20 ms apart under load */
	ck_assert_int_ge(e[3].t - e[2].t, c.min_on_ms - 20);
	ck_assert_int_ge(e[3].t, T.t_frame[T.block_from + SYN_IN_LAST] + c.hold_ms - 20);
	ck_assert_int_le(e[3].t, T.t_frame[T.block_from + SYN_IN_LAST + 2] + c.hold_ms + 50);
	/* shutdown level set after the last frame, and the lines released (teardown checks) */
	ck_assert_int_ge(e[4].t, T.t_frame[220]);

	assert_heartbeat_per_frame(220);
	/* leaving the start-up fail-safe counts as one: warm-up health counts as presence (gpio/controller.c) */
	ck_assert_uint_eq(T.sum.activations, 2);

	tt = store_totals();
	ck_assert_int_eq(tt.entered, 1);
	ck_assert_int_eq(tt.activations, 2);
	ck_assert(tt.occupied_s > 0.1 && tt.occupied_s < 0.4);
	ck_assert(tt.on_s * 1000 > c.min_on_ms - 20);
	ck_assert(tt.fault_s > 0);   /* the start-up fail-safe */

	/* systemd: READY first (lines held, camera not seen yet), STOPPING last */
	ck_assert_int_eq(note_find(&T, 0, "READY=1"), 0);
	/* the store is opened by its writer thread: READY does not wait for it */
	ck_assert_ptr_nonnull(strstr(T.notes[0], "STATUS=lights failsafe (learning the empty scene); camera waiting for "
						"the first frame; counts "));
	ck_assert(strstr(T.notes[0], "; counts ok") || strstr(T.notes[0], "; counts opening"));
	ck_assert(strstr(T.notes[T.nnotes - 1], "STOPPING=1") != NULL);
	ck_assert_int_ge(note_find(&T, 0, "STATUS=lights off"), 0);
	ck_assert_int_ge(note_find(&T, 0, "STATUS=lights on"), 0);
	ck_assert_int_eq(note_count(&T, "WATCHDOG=1"), 0);   /* no WATCHDOG_USEC: no pings */
}
END_TEST

/*
 * A Pi without a battery clock: until the clock is synchronised the lights
 * work as always, but no count is kept (it would carry a wrong date) - the
 * time is counted in the summary and said once in the log. Asked once a
 * second: synchronised after 3 questions, the person who comes later is
 * counted; never synchronised, nothing is.
 */
START_TEST(counts_wait_for_the_clock)
{
	struct cfg c;
	struct edge e[16];
	struct totals tt;
	int64_t span;

	cfg_default(&c);
	write_config(&T, &c);
	T.env.clock_check_ms = 50;
	T.synced_after = 1000000; /* never */
	ck_assert_int_eq(run_daemon("--max-frames", "220"), ZP_EXIT_OK);
	span = T.t_frame[220] - T.t_frame[1];
	ck_assert_int_eq(edges(LIGHT, e, 16), 5);  /* the lights as in normal_run */
	ck_assert_int_eq(e[2].v, 1);
	tt = store_totals();
	ck_assert_int_eq(tt.entered, 0);
	ck_assert(tt.occupied_s == 0 && tt.on_s == 0);
	ck_assert_int_ge(T.sum.unsynced_ms, span);
	ck_assert_int_le(T.synced_calls, span / 50 + 3);   /* asked every clock_check_ms, not every frame */
	{
		/* asked on the first frame at least clock_check_ms after the last ask: at most a frame gap late each time */
		int64_t gap = 0;

		for (int i = 2; i <= 220; i++)
			gap = T.t_frame[i] - T.t_frame[i - 1] > gap ? T.t_frame[i] - T.t_frame[i - 1] : gap;
		ck_assert_int_ge(T.synced_calls, span / (50 + gap) - 2);
	}
	ck_assert_int_eq(log_count("the clock is not synchronised yet"), 1);
	ck_assert_log("counts of ");

	/* the same scene afresh, the clock synchronised from frame 40, before the person comes (frame 60) */
	teardown();
	setup();
	write_config(&T, &c);
	T.env.clock_check_ms = 50;
	T.synced_after = 40;
	ck_assert_int_eq(run_daemon("--max-frames", "220"), ZP_EXIT_OK);
	tt = store_totals();
	ck_assert_int_eq(tt.entered, 1);
	ck_assert_int_gt(T.sum.unsynced_ms, 0);
	ck_assert_int_lt(T.sum.unsynced_ms, T.t_frame[60] - T.t_frame[1]);
	ck_assert_log("the clock is synchronised: counts are kept from now on");
}
END_TEST

/*
 * SIGTERM while the light is on: the shutdown level (off here) is set,
 * lines released, exit 0; the systemd watchdog was pinged.
 */
#define TERM_AT (60 + SYN_IN_FIRST + 8)

static void term_while_on(struct t *t, const zp_run_step *st)
{
	if (st->phase == ZP_RUN_FRAME && st->frames == TERM_AT) {
		t->phase = st->state;
		raise(SIGTERM);
	}
}

START_TEST(sigterm_sets_shutdown_level)
{
	struct cfg c;
	struct edge e[16];
	int n, w, first_wd;

	cfg_default(&c);
	c.shutdown = "off";
	write_config(&T, &c);
	setenv("WATCHDOG_USEC", "100000", 1);   /* WatchdogSec=0.1: a ping every 50 ms */
	T.on_step = term_while_on;
	ck_assert_int_eq(run_daemon(NULL, NULL), ZP_EXIT_OK);
	ck_assert_str_eq(T.sum.reason, "SIGTERM");
	ck_assert_uint_eq(T.sum.frames, TERM_AT);
	ck_assert_int_eq(T.phase, ZP_LIGHT_ON);
	n = edges(LIGHT, e, 16);
	ck_assert_int_eq(n, 4);                   /* 1 start, 0 ready, 1 person, 0 shutdown */
	ck_assert_int_eq(e[3].v, 0);
	ck_assert_int_ge(e[3].t, T.t_frame[TERM_AT]);
	ck_assert_int_eq(fake_gpio_physical(LIGHT), 0);
	assert_heartbeat_per_frame(TERM_AT);
	ck_assert_log("SIGTERM: stopping");
	ck_assert_log("light line left at 0");

	ck_assert_int_eq(note_find(&T, 0, "READY=1"), 0);
	ck_assert(strstr(T.notes[T.nnotes - 1], "STOPPING=1") != NULL);
	w = note_count(&T, "WATCHDOG=1");
	first_wd = note_find(&T, 0, "WATCHDOG=1");
	/* a ping every 50 ms, not one per frame */
	ck_assert_int_ge(w, (int)((T.t_frame[TERM_AT] - T.t_frame[1]) / 50) - 2);
	ck_assert_int_le(w, (int)((T.t_frame[TERM_AT] - T.mono0) / 50) + 2);
	ck_assert_int_gt(first_wd, 0);
	unsetenv("WATCHDOG_USEC");
}
END_TEST

static void hup_then_int(struct t *t, const zp_run_step *st)
{
	(void)t;
	if (st->phase == ZP_RUN_FRAME && st->frames == 20)
		raise(SIGHUP);
	if (st->phase == ZP_RUN_FRAME && st->frames == 40)
		raise(SIGINT);
}

START_TEST(sighup_logged_sigint_stops)
{
	write_default_config();
	T.on_step = hup_then_int;
	ck_assert_int_eq(run_daemon(NULL, NULL), ZP_EXIT_OK);
	ck_assert_str_eq(T.sum.reason, "SIGINT");
	ck_assert_uint_eq(T.sum.frames, 40);
	ck_assert_log("SIGHUP: nothing is reloaded");
	ck_assert_int_eq(fake_gpio_physical(LIGHT), 1);  /* shutdown = on */
	/* the signal mask is as it was: SIGHUP is deliverable again */
	{
		sigset_t cur;

		sigprocmask(SIG_BLOCK, NULL, &cur);
		ck_assert(!sigismember(&cur, SIGHUP) && !sigismember(&cur, SIGTERM));
	}
}
END_TEST

/* The push button: a short press with nobody in view switches the light on for button_hold_ms. */
static void press_at_100(struct t *t, const zp_run_step *st)
{
	if (st->phase != ZP_RUN_FRAME)
		return;
	if (st->frames == 100) {
		ck_assert_int_eq(st->state, ZP_LIGHT_OFF);
		fake_gpio_drive_input(BUTTON, 0);  /* pressed: pulled low */
		t->mark = st->now_ms;
	}
	if (st->frames == 105) {
		fake_gpio_drive_input(BUTTON, 1);
		t->mark2 = st->now_ms;
	}
}

START_TEST(push_button_switches_light_on)
{
	struct cfg c;
	struct edge e[16];
	int n;

	cfg_default(&c);
	write_config(&T, &c);
	T.block_from = T.block_to = 100000;   /* nobody walks */
	T.on_step = press_at_100;
	ck_assert_int_eq(run_daemon("--max-frames", "240"), ZP_EXIT_OK);
	ck_assert_uint_eq(T.sum.button_presses, 1);
	n = edges(LIGHT, e, 16);
	if (n != 5 || T.sum.activations != 2) {
		print_edges(LIGHT);
		dump_log();
	}
	ck_assert_int_eq(n, 5);   /* 1 start, 0 ready, 1 button, 0 after the hold, 1 shutdown */
	ck_assert_int_eq(e[2].v, 1);
	/* on with the next frame after the press */
	ck_assert_int_ge(e[2].t, T.mark);
	ck_assert_int_le(e[2].t, T.t_frame[102]);
	/* a press counts as presence for button_hold_ms after the last time it read pressed, then hold_ms */
	ck_assert_int_eq(e[3].v, 0);
	ck_assert_int_ge(e[3].t - T.mark2, c.button_hold_ms);
	ck_assert_int_le(e[3].t - T.mark2, c.button_hold_ms + c.hold_ms + 100);
	ck_assert_uint_eq(T.sum.activations, 2);   /* start-up + button */
	/* the button line was an input of ours, released at the end */
	ck_assert_int_eq(fake_gpio_writes(BUTTON), 0);
}
END_TEST

/* ---- GPIO at start-up ---- */

START_TEST(gpio_chip_missing)
{
	struct cfg c;

	cfg_default(&c);
	c.chip = "gpiochip9";
	write_config(&T, &c);
	ck_assert_int_eq(run_daemon(NULL, NULL), ZP_EXIT_FAIL);
	ck_assert_log("gpio chip 'gpiochip9' line 17");
	ck_assert_log("no such GPIO chip");
	ck_assert_log("giving up after");
	/* retried every 50 ms for 250 ms, logged once, then the give-up line */
	ck_assert_int_ge(T.startup_retries, 3);
	ck_assert_int_le(T.startup_retries, 7);
	ck_assert_int_eq(log_count("no such GPIO chip"), 2);
	ck_assert_int_eq(fake_v4l2_seen().open_attempts, 0);    /* nothing else was opened */
	ck_assert_int_eq(note_count(&T, "READY=1"), 0);
	ck_assert_int_ge(note_find(&T, 0, "STATUS=waiting for the light GPIO line"), 0);
}
END_TEST

START_TEST(light_line_busy)
{
	write_default_config();
	fake_gpio_set_busy(LIGHT, "other-app");
	ck_assert_int_eq(run_daemon(NULL, NULL), ZP_EXIT_FAIL);
	ck_assert_log("line busy, used by 'other-app'");
	ck_assert_int_ge(T.startup_retries, 3);
	ck_assert_str_eq(fake_gpio_consumer(LIGHT), "other-app");
	ck_assert_int_eq(fake_gpio_writes(LIGHT), 0);
	ck_assert_ptr_null(fake_gpio_consumer(HEART));    /* never got that far */
	fake_gpio_set_busy(LIGHT, NULL);
}
END_TEST

/* A previous instance still holds the line for a moment (a restart): we wait and start. */
static void free_line_on_retry(struct t *t, const zp_run_step *st)
{
	(void)t;
	if (st->phase == ZP_RUN_STARTUP_RETRY && t->startup_retries == 2)
		fake_gpio_set_busy(LIGHT, NULL);
}

START_TEST(light_line_busy_then_free)
{
	write_default_config();
	fake_gpio_set_busy(LIGHT, "zebrapad");
	T.on_step = free_line_on_retry;
	ck_assert_int_eq(run_daemon("--max-frames", "30"), ZP_EXIT_OK);
	ck_assert_int_eq(T.startup_retries, 2);
	ck_assert_log("light line: requested on try 3");
	assert_heartbeat_per_frame(30);
}
END_TEST

START_TEST(heartbeat_line_busy)
{
	write_default_config();
	fake_gpio_set_busy(HEART, "watchdog-test");
	ck_assert_int_eq(run_daemon(NULL, NULL), ZP_EXIT_FAIL);
	ck_assert_log("heartbeat line: gpio chip 'gpiochip0' line 27");
	/* the light line was requested at the fail-safe level, then released */
	ck_assert_int_eq(fake_gpio_physical(LIGHT), 1);
	ck_assert_ptr_null(fake_gpio_consumer(LIGHT));
	fake_gpio_set_busy(HEART, NULL);
}
END_TEST

START_TEST(button_line_busy_runs_without)
{
	write_default_config();
	fake_gpio_set_busy(BUTTON, "other-app");
	ck_assert_int_eq(run_daemon("--max-frames", "20"), ZP_EXIT_OK);
	ck_assert_log("push button line: gpio chip 'gpiochip0' line 22");
	ck_assert_log("running without the button");
	assert_heartbeat_per_frame(20);
	fake_gpio_set_busy(BUTTON, NULL);
}
END_TEST

/* The light line stops obeying mid-run: the heartbeat stops at once, exit 1 after line_fail_exit_ms. */
static void break_line_at_60(struct t *t, const zp_run_step *st)
{
	if (st->phase == ZP_RUN_FRAME && st->frames == 60) {
		fake_gpio_fail_set(LIGHT, EIO);
		t->mark = st->now_ms;
	}
}

START_TEST(light_line_fails_mid_run)
{
	write_default_config();
	T.on_step = break_line_at_60;
	ck_assert_int_eq(run_daemon(NULL, NULL), ZP_EXIT_FAIL);
	ck_assert_str_eq(T.sum.reason, "light line lost");
	ck_assert_log("light line: cannot set it to");
	ck_assert_log("heartbeat stopped");
	ck_assert_int_eq(log_count("light line: cannot set it to"), 1);   /* rate-limited */
	ck_assert_int_eq(edges_between(HEART, T.mark, INT64_MAX), 0);
	ck_assert_uint_eq(T.sum.heartbeats, 60);
	ck_assert_uint_ge(T.sum.frames, 62);     /* frames were still processed after the failure */
	fake_gpio_fail_set(LIGHT, 0);
}
END_TEST

/* ---- the camera's faults ---- */

/*
 * Unplugged at frame 160 (DQBUF fails ENODEV), back 600 ms later: fail-safe
 * within stall_ms of the last frame, no heartbeat while away, a logged
 * fault, and back to normal once frames come again.
 */
static void unplug_at_160(struct t *t, const zp_run_step *st)
{
	if (t->phase == 0 && st->phase == ZP_RUN_FRAME && st->frames == 160) {
		fake_v4l2_unplug(FAKE_UNPLUG_DQBUF_ENODEV);
		t->mark = st->now_ms;
		t->phase = 1;
	} else if (t->phase == 1 && st->now_ms >= t->mark + 600) {
		fake_v4l2_plug();
		t->mark2 = st->now_ms;
		t->phase = 2;
	}
}

START_TEST(camera_unplugged_and_back)
{
	struct cfg c;
	struct edge e[16];
	int n;
	int64_t last;

	cfg_default(&c);
	write_config(&T, &c);
	T.on_step = unplug_at_160;
	ck_assert_int_eq(run_daemon("--max-frames", "300"), ZP_EXIT_OK);
	last = T.t_frame[160];
	n = edges(LIGHT, e, 16);
	if (n != 7)
		print_edges(LIGHT);
	/* 1 start, 0, 1 person, 0, 1 fail-safe, 0 recovered, 1 shutdown */
	ck_assert_int_eq(n, 7);
	ck_assert_int_eq(e[4].v, 1);
	ck_assert_int_gt(e[4].t, T.mark);
	/*
	 * fail-safe as soon as more than stall_ms passed since the last frame. The
	 * controller counts from the frame's capture time, which is earlier than
	 * the loop time recorded here by the capture-to-processing delay (a few ms
	 * on a loaded machine under ASan), hence the 20 ms of slack below.
	 */
	fprintf(stderr, "fail-safe %lld ms after the last frame (stall_ms %d)\n", (long long)(e[4].t - last),
		c.stall_ms);
	ck_assert_int_ge(e[4].t - last, c.stall_ms - 20);
	ck_assert_int_le(e[4].t - last, c.stall_ms + 40);
	/* no heartbeat while the camera was away */
	ck_assert_int_eq(edges_between(HEART, T.mark, T.mark2), 0);
	/* back: off again recover_ms after frames came back */
	ck_assert_int_eq(e[5].v, 0);
	ck_assert_int_ge(e[5].t, T.mark2 + c.recover_ms);
	ck_assert_int_le(e[5].t, T.mark2 + c.recover_ms + 300);
	assert_heartbeat_per_frame(300);
	ck_assert_uint_eq(T.sum.stalls, 1);
	ck_assert_uint_ge(T.sum.source_faults, 1);
	ck_assert(T.sum.no_frame_ms >= 600 - c.stall_ms - 50 && T.sum.no_frame_ms <= 800);
	ck_assert_uint_eq(T.sum.failsafe_entries, 1);
	ck_assert_log("camera lost");
	ck_assert_log("no frame for 200 ms: lights fail-safe");
	ck_assert_log("frames again after");
	ck_assert_int_ge(note_find(&T, 0, "STATUS=lights failsafe (no frames); camera /dev/video0"), 0);
	ck_assert_int_ge(fake_v4l2_seen().opens, 2);
}
END_TEST

/*
 * Slow frames: one frame late by 350 ms (DQBUF not ready; the camera's own
 * timeout of 500 ms is not reached), then a burst of DQBUF EAGAIN although
 * poll said readable, then the camera's timeout (a reopen). Each time:
 * fail-safe, then back.
 */
static void slow_frames(struct t *t, const zp_run_step *st)
{
	if (st->phase != ZP_RUN_FRAME) {
		if (t->phase == 2 && st->now_ms >= t->mark + 350) {
			fake_v4l2_spurious(0);
			t->phase = 3;
		}
		return;
	}
	if (t->phase == 0 && st->frames == 100) {
		fake_v4l2_delay(350);
		t->phase = 1;
	} else if (t->phase == 1 && st->frames == 150) {
		fake_v4l2_spurious(-1);
		t->mark = st->now_ms;
		t->phase = 2;
	} else if (t->phase == 3 && st->frames == 200) {
		fake_v4l2_delay(700);   /* beyond the camera's timeout_ms: it reopens */
		t->phase = 4;
	}
}

START_TEST(dqbuf_timeouts)
{
	write_default_config();
	T.block_from = T.block_to = 100000;
	T.on_step = slow_frames;
	ck_assert_int_eq(run_daemon("--max-frames", "260"), ZP_EXIT_OK);
	ck_assert_int_eq(T.phase, 4);
	ck_assert_uint_eq(T.sum.stalls, 3);
	ck_assert_uint_eq(T.sum.failsafe_entries, 3);
	ck_assert_int_eq(fake_gpio_physical(LIGHT), 1);
	/* the light was off at the end of the run: the last change before shutdown is 0 */
	{
		struct edge e[32];
		int n = edges(LIGHT, e, 32);

		if (n != 9)
			print_edges(LIGHT);
		ck_assert_int_eq(n, 9);   /* 1 start, 0 ready, then (1 fail-safe, 0 back) three times, 1 shutdown */
		for (int i = 1; i < n - 1; i++)
			ck_assert_int_eq(e[i].v, i % 2 ? 0 : 1);
	}
	ck_assert_log("no frame for 500 ms (camera stalled?)");
	ck_assert_int_eq(log_count("no frame for 200 ms: lights fail-safe"), 1);   /* rate-limited */
	assert_heartbeat_per_frame(260);
}
END_TEST

/* EINTR everywhere: every ioctl interrupted 20 times, and a signal every 2 ms interrupting the waits. */
static void on_alarm(int sig)
{
	(void)sig;
}

START_TEST(eintr_storm)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } }, off = { { 0, 0 }, { 0, 0 } };

	write_default_config();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;   /* no SA_RESTART: poll, nanosleep, read are interrupted */
	sigaction(SIGALRM, &sa, NULL);
	fake_v4l2_eintr(20);
	setitimer(ITIMER_REAL, &it, NULL);
	ck_assert_int_eq(run_daemon("--max-frames", "200"), ZP_EXIT_OK);
	setitimer(ITIMER_REAL, &off, NULL);
	fake_v4l2_eintr(0);
	ck_assert_uint_eq(T.sum.frames, 200);
	ck_assert_uint_eq(T.sum.stalls, 0);
	ck_assert_uint_eq(T.sum.source_faults, 0);
	ck_assert_uint_eq(T.sum.activations, 2);
	assert_heartbeat_per_frame(200);
	ck_assert_int_gt(fake_v4l2_count(VIDIOC_DQBUF), 200 * 20);
}
END_TEST

/* The camera opens and streams but no frame ever comes: READY anyway, fail-safe throughout, no heartbeat. */
static void term_after_1500ms(struct t *t, const zp_run_step *st)
{
	if (st->now_ms - t->mono0 >= 1500)
		raise(SIGTERM);
}

START_TEST(frame_never_comes)
{
	struct cfg c;
	struct edge e[8];

	cfg_default(&c);
	write_config(&T, &c);
	fake_v4l2_stall(true);
	T.on_step = term_after_1500ms;
	ck_assert_int_eq(run_daemon(NULL, NULL), ZP_EXIT_OK);
	ck_assert_uint_eq(T.sum.frames, 0);
	ck_assert_int_eq(edges(LIGHT, e, 8), 1);   /* requested at 1 (fail-safe), kept, shutdown 1 */
	ck_assert_int_eq(e[0].v, 1);
	ck_assert_int_eq(edges(HEART, e, 8), 1);   /* only the request at 0 */
	ck_assert_int_eq(note_find(&T, 0, "READY=1"), 0);
	ck_assert_log("no frame for 500 ms (camera stalled?)");
	ck_assert_log("no frame for 200 ms: lights fail-safe");
	ck_assert_int_ge(fake_v4l2_seen().opens, 2);   /* reopened after its timeout */
	/* the loop woke at least every stall_ms/4 */
	ck_assert_int_ge(T.no_frame_steps, 1500 / (c.stall_ms / 4) - 2);
	ck_assert(T.sum.no_frame_ms >= 1500 - c.stall_ms - 100);
}
END_TEST

/* A camera that only offers what we cannot read: fail-safe, the error logged once, retried with back-off. */
START_TEST(format_refused)
{
	const struct fake_v4l2_fmt mjpg = { V4L2_PIX_FMT_MJPEG, SYN_W, SYN_H };

	write_default_config();
	fake_v4l2_set_formats(&mjpg, 1, false);
	fake_v4l2_refuse_formats(true);
	T.on_step = term_after_1500ms;
	ck_assert_int_eq(run_daemon(NULL, NULL), ZP_EXIT_OK);
	ck_assert_uint_eq(T.sum.frames, 0);
	ck_assert_int_ge(fake_v4l2_seen().open_attempts, 8);       /* back-off 20 .. 100 ms over 1.5 s */
	ck_assert_log("cannot deliver a luma format");
	/* capture logs its error once a minute, the daemon its fail-safe once: not once per attempt */
	ck_assert_int_le(log_count("cannot deliver a luma format"), 2);
	ck_assert_int_eq(log_count("lights fail-safe"), 1);
	ck_assert_int_eq(fake_gpio_physical(LIGHT), 1);
	ck_assert_int_ge(note_find(&T, 0, "cannot deliver a luma format"), 0);   /* in STATUS= */
	ck_assert_uint_ge(T.sum.source_faults, 8);
}
END_TEST

/* The colour shadow mode asks the camera for colour; the default (luma) does not pay for the conversion. */
START_TEST(colour_only_for_colour_shadows)
{
	struct cfg c;

	cfg_default(&c);
	write_config(&T, &c);
	ck_assert_int_eq(run_daemon("--max-frames", "20"), ZP_EXIT_OK);
	ck_assert_uint_eq(T.sum.frames, 20);
	ck_assert_log("YUYV, ");
	ck_assert_int_eq(log_count("-> luma + BGR"), 0);

	teardown();
	setup();
	cfg_default(&c);
	c.shadows = 2;
	write_config(&T, &c);
	ck_assert_int_eq(run_daemon("--max-frames", "20"), ZP_EXIT_OK);
	ck_assert_uint_eq(T.sum.frames, 20);
	ck_assert_log("YUYV -> luma + BGR");
}
END_TEST

/* The camera delivers a size the zones do not fit: no frame is processed, fail-safe, logged once. */
START_TEST(zones_do_not_fit_camera)
{
	write_default_config();
	camera_size(160, 120);
	T.on_step = term_after_1500ms;
	ck_assert_int_eq(run_daemon(NULL, NULL), ZP_EXIT_OK);
	ck_assert_uint_eq(T.sum.frames, 0);
	ck_assert_log("frames are not processed, lights stay fail-safe");
	ck_assert_int_eq(log_count("frames are not processed"), 1);
	ck_assert_int_eq(fake_gpio_physical(LIGHT), 1);
	ck_assert_uint_eq(T.sum.heartbeats, 0);
}
END_TEST

/* ---- other sources and inputs ---- */

#ifdef ZP_TEST_VIDEO
/*
 * A recording (--source --fast): frames as fast as they decode on the
 * recording's own clock, so two runs give the same lights and counts; with
 * no [gpio] chip the light line is simulated and no GPIO is touched.
 */
static void vtest_config(struct cfg *c, const char *chip)
{
	cfg_default(c);
	c->width = 768;
	c->height = 576;
	c->vtest_zones = true;
	c->chip = chip;
	c->recover_ms = 500;
	c->min_on_ms = 2000;
	c->hold_ms = 1000;
	c->stall_ms = 1000;
}

START_TEST(recording_fast_is_deterministic)
{
	const char *vt = zp_test_vtest();
	zp_run_summary first;
	struct totals t1, t2;
	struct cfg c;

	if (!vt)
		return;
	vtest_config(&c, "");
	write_config(&T, &c);
	{
		char *argv[] = { (char *)"run", (char *)"--config", T.config, (char *)"--source", (char *)vt,
				 (char *)"--fast", (char *)"--max-frames", (char *)"400", (char *)"--write-store", NULL };
		zp_run_opts o;
		struct stat st;

		ck_assert_int_eq(zp_run_parse(9, argv, &o), 0);
		run_twice(&o, &first, &t1, &t2);

		/* without --write-store a dry run leaves the production store alone: not even created */
		ck_assert_int_eq(unlink(T.store), 0);
		ck_assert_int_eq(zp_run_parse(8, argv, &o), 0);
		ck_assert(!o.write_store);
		ck_assert_int_eq(zp_run_daemon(&o, &T.env), ZP_EXIT_OK);
		ck_assert_int_ne(stat(T.store, &st), 0);
		ck_assert_uint_eq(T.sum.rows_written, 0);
		ck_assert_log("no counts are written to");
	}
	ck_assert_str_eq(first.reason, "max-frames");
	ck_assert_uint_eq(first.frames, 400);
	ck_assert_uint_ge(first.activations, 1);
	ck_assert_uint_eq(first.activations, T.sum.activations);
	ck_assert_int_eq(first.on_ms, T.sum.on_ms);
	ck_assert_int_eq(first.failsafe_ms, T.sum.failsafe_ms);
	ck_assert_uint_eq(first.stalls, 0);
	/* 400 frames at 10 fps: 39.9 s of recording time, whatever the speed */
	ck_assert_int_eq(T.t_frame[400] - T.t_frame[1], 39900);
	ck_assert_int_gt(t1.entered, 0);
	ck_assert_int_eq(t1.entered, t2.entered);
	ck_assert_int_eq(t1.activations, t2.activations);
	ck_assert_int_eq(t1.activations, (int64_t)first.activations);
	ck_assert(t1.on_s > 0 && t1.on_s - t2.on_s < 0.01 && t2.on_s - t1.on_s < 0.01);
	ck_assert_int_eq(fake_gpio_open_handles(), 0);
	ck_assert_int_eq(fake_gpio_writes(LIGHT), 0);
	ck_assert_int_eq(fake_v4l2_seen().open_attempts, 0);
	ck_assert_log("the light line is simulated");
}
END_TEST

/* Without --fast a recording is paced by its frame times (vtest: 10 fps). */
START_TEST(recording_paced)
{
	const char *vt = zp_test_vtest();
	struct cfg c;
	int64_t span;

	if (!vt)
		return;
	vtest_config(&c, "");
	write_config(&T, &c);
	{
		char *argv[] = { (char *)"run", (char *)"--config", T.config, (char *)"--source", (char *)vt,
				 (char *)"--max-frames", (char *)"12", NULL };
		zp_run_opts o;

		ck_assert_int_eq(zp_run_parse(7, argv, &o), 0);
		ck_assert_int_eq(zp_run_daemon(&o, &T.env), ZP_EXIT_OK);
	}
	/*
	 * frame i is due 100 ms after frame i-1: never processed early, and not
	 * much late. Frames are paced from the start of the recording, not from the
	 * moment frame 1 was processed (a few ms later on a loaded machine: one CI
	 * run saw 299 ms for 300), hence the 5 ms of slack below.
	 */
	span = T.t_frame[12] - T.t_frame[1];
	ck_assert_int_ge(span, 1100 - 5);
	ck_assert_int_le(span, 1100 + 60);
	for (int i = 2; i <= 12; i++) {
		ck_assert_int_ge(T.t_frame[i] - T.t_frame[1], (i - 1) * 100 - 5);
		ck_assert_int_le(T.t_frame[i] - T.t_frame[1], (i - 1) * 100 + 60);
	}
}
END_TEST

/* Real recorded frames through the real V4L2 code: vtest.avi served by the fake camera at 768x576. */
START_TEST(vtest_through_camera)
{
	const char *vt = zp_test_vtest();
	char err[256];
	int code;
	struct cfg c;
	struct totals tt;

	if (!vt)
		return;
	vtest_config(&c, NULL);
	write_config(&T, &c);
	T.video = zp_source_open_file(vt, 0, &code, err, sizeof(err));
	ck_assert_msg(T.video != NULL, "%s", err);
	camera_size(768, 576);
	fake_v4l2_set_producer(video_producer, &T);
	fake_v4l2_set_frame_period_us(5000);
	ck_assert_int_eq(run_daemon("--max-frames", "400"), ZP_EXIT_OK);
	ck_assert_uint_eq(T.sum.frames, 400);
	ck_assert_int_eq(T.sum.width, 768);
	ck_assert_uint_eq(T.sum.stalls, 0);
	ck_assert_uint_ge(T.sum.activations, 1);
	assert_heartbeat_per_frame(400);
	tt = store_totals();
	ck_assert_int_gt(tt.entered, 0);
	ck_assert_int_eq(tt.activations, (int64_t)T.sum.activations);
}
END_TEST

/*
 * Latency from frame dequeued to light line set, 640x480 YUYV, over a long
 * run (ZP_RUN_BENCH_FRAMES, default 3000): the daemon's own figure (source
 * returned -> zp_line_set returned) and the test's (the fake's DQBUF
 * returned -> the hook, after the line was set).
 */
static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

START_TEST(latency_640x480)
{
	const char *vt = zp_test_vtest();
	const char *env_n = getenv("ZP_RUN_BENCH_FRAMES");
	int n = env_n ? atoi(env_n) : 3000;
	char err[256], nbuf[32], line[400];
	static int64_t lat[MAX_FRAMES];
	int code;
	struct cfg c;

	if (n < 10 || n > MAX_FRAMES)
		n = 3000;
	if (vt) {
		vtest_config(&c, NULL);
		T.video = zp_source_open_file(vt, 0, &code, err, sizeof(err));
		ck_assert_msg(T.video != NULL, "%s", err);
		fake_v4l2_set_producer(video_producer, &T);
	} else {
		cfg_default(&c);
	}
	c.width = 640;
	c.height = 480;
	write_config(&T, &c);
	camera_size(640, 480);
	fake_v4l2_set_frame_period_us(0);
	snprintf(nbuf, sizeof(nbuf), "%d", n);
	{
		char *argv[] = { (char *)"run", (char *)"--config", T.config, (char *)"--max-frames", nbuf,
				 (char *)"--stats", NULL };
		zp_run_opts o;

		ck_assert_int_eq(zp_run_parse(6, argv, &o), 0);
		ck_assert_int_eq(zp_run_daemon(&o, &T.env), ZP_EXIT_OK);
	}
	ck_assert_uint_eq(T.sum.frames, (uint64_t)n);
	ck_assert_uint_eq(T.sum.latency.n, (uint64_t)n);
	ck_assert_int_eq(T.sum.width, 640);
	ck_assert_log("latency frame -> light line set, 640x480");
	/* the test's figure after the warm-up (the model learns faster, and costs more, in its first frames) */
	{
		int m = n - 100;

		for (int i = 0; i < m; i++)
			lat[i] = T.lat_ns[i + 101];
		qsort(lat, (size_t)m, sizeof(lat[0]), cmp_i64);
		snprintf(line, sizeof(line), "latency 640x480, frames 101..%d: DQBUF returned -> after line set median %.0f us, "
			 "p99 %.0f us, max %.0f us\n", n, lat[m / 2] / 1e3, lat[m * 99 / 100] / 1e3, lat[m - 1] / 1e3);
		if (write(T.saved_stderr, line, strlen(line)) < 0)
			ck_abort();
	}
	for (int i = 0; i < n; i++)
		lat[i] = T.lat_ns[i + 1];
	qsort(lat, (size_t)n, sizeof(lat[0]), cmp_i64);
	snprintf(line, sizeof(line),
		 "latency 640x480 (%s), %d frames: daemon (frame returned -> line set) median %.0f us, p99 %.0f us, "
		 "max %.0f us; test (DQBUF returned -> after line set) median %.0f us, p99 %.0f us, max %.0f us\n",
		 vt ? "vtest.avi" : "synthetic", n, T.sum.latency.median_us, T.sum.latency.p99_us, T.sum.latency.max_us,
		 lat[n / 2] / 1e3, lat[n * 99 / 100] / 1e3, lat[n - 1] / 1e3);
	if (write(T.saved_stderr, line, strlen(line)) < 0)
		ck_abort();
	ck_assert(T.sum.latency.median_us > 0 && T.sum.latency.median_us <= T.sum.latency.max_us);
	ck_assert(T.sum.latency.median_us < lat[n / 2] / 1e3 + 1);   /* the daemon's span is inside the test's */
	ck_assert(lat[n / 2] < 100 * 1000000LL);                      /* far below a frame period, even under ASan */
}
END_TEST
#else
/*
 * The daemon's own reader (capture/plain.c, no OpenCV): the synthetic scene
 * written as a Y4M file at 10 fps, run with --source --fast twice (same
 * lights, same counts, frame times from the file), then paced.
 */
static void write_scene_y4m(const char *path, int frames, const char *colour)
{
	FILE *f = fopen(path, "wb");
	static uint8_t luma[SYN_W * SYN_H], chroma[SYN_W * SYN_H];
	size_t nchroma = strcmp(colour, "mono") ? 2 * (SYN_W / 2) * (SYN_H / 2) : 0;

	ck_assert_ptr_nonnull(f);
	memset(chroma, 128, sizeof(chroma));
	fprintf(f, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C%s\n", SYN_W, SYN_H, colour);
	for (int n = 1; n <= frames; n++) {
		scene_producer(&T, (uint64_t)n, luma, SYN_W, SYN_H);
		fprintf(f, "FRAME\n");
		ck_assert_uint_eq(fwrite(luma, 1, sizeof(luma), f), sizeof(luma));
		ck_assert_uint_eq(fwrite(chroma, 1, nchroma, f), nchroma);
	}
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(recording_y4m_without_opencv)
{
	char y4m[320];
	struct totals t1, t2;
	zp_run_summary first;
	struct cfg c;
	int64_t span;

	snprintf(y4m, sizeof(y4m), "%s/scene.y4m", T.dir);
	write_scene_y4m(y4m, 220, "420jpeg");
	cfg_default(&c);
	c.chip = "";
	write_config(&T, &c);
	{
		char *argv[] = { (char *)"run", (char *)"--config", T.config, (char *)"--source", y4m, (char *)"--fast",
				 (char *)"--write-store", NULL };
		zp_run_opts o;

		ck_assert_int_eq(zp_run_parse(7, argv, &o), 0);
		run_twice(&o, &first, &t1, &t2);
	}
	ck_assert_str_eq(first.reason, "end of recording");
	ck_assert_uint_eq(first.frames, 220);
	ck_assert_int_eq(first.width, SYN_W);
	/* 220 frames at 10 fps: 21.9 s of recording time, whatever the speed */
	ck_assert_int_eq(T.t_frame[220] - T.t_frame[1], 21900);
	ck_assert_uint_eq(first.activations, T.sum.activations);
	ck_assert_int_eq(first.on_ms, T.sum.on_ms);
	ck_assert_int_eq(t1.entered, 1);
	ck_assert_int_eq(t2.entered, 1);
	ck_assert_int_eq(t1.activations, t2.activations);
	ck_assert_int_eq(fake_gpio_writes(LIGHT), 0);
	ck_assert_int_eq(fake_v4l2_seen().open_attempts, 0);
	ck_assert_log("the light line is simulated");

	/* paced: frame i is due 100 ms after frame i-1 (5 ms slack: see recording_paced in test_run_video) */
	write_scene_y4m(y4m, 8, "mono");
	ck_assert_int_eq(unlink(T.store), 0);
	{
		char *argv[] = { (char *)"run", (char *)"--config", T.config, (char *)"--source", y4m, NULL };
		zp_run_opts o;

		ck_assert_int_eq(zp_run_parse(5, argv, &o), 0);
		ck_assert_int_eq(zp_run_daemon(&o, &T.env), ZP_EXIT_OK);
	}
	ck_assert_uint_eq(T.sum.frames, 8);
	span = T.t_frame[8] - T.t_frame[1];
	ck_assert_int_ge(span, 700 - 5);
	ck_assert_int_le(span, 700 + 60);
}
END_TEST

/* ---- the same recording through `run --fast` and `audit --live` (--json: not in static cross builds) ---- */
#if ZP_HAVE_JSON

/* The number at key of a record, or -1 when the key is not there (a column that does not apply). */
static double json_field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v)
		return -1;
	ck_assert_msg(cJSON_IsNumber(v), "\"%s\" is not a number", key);
	return v->valuedouble;
}

/* `audit ARGS...` (argv[0] = "audit") in a child, its --json records parsed back into rows. */
static void run_audit(char **argv, zp_rows *rs)
{
	char out[320], line[512];
	pid_t pid;
	int st;
	FILE *f;

	snprintf(out, sizeof(out), "%s/audit.jsonl", T.dir);
	fflush(stdout);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int argc = 0, fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		zp_cmd_env env = { .simd = ZP_SIMD_AUTO, .service = false };

		while (argv[argc])
			argc++;
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(99);
		_exit(zp_cmd_audit(argc, argv, &env));
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "audit --live exited with %d", WEXITSTATUS(st));
	f = fopen(out, "r");
	ck_assert_ptr_nonnull(f);
	rs->n = 0;
	while (fgets(line, sizeof(line), f)) {
		zp_store_row *r = &rs->r[rs->n];
		cJSON *o = cJSON_Parse(line);
		const char *z = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "zone"));

		ck_assert_int_lt(rs->n, (int)(sizeof(rs->r) / sizeof(rs->r[0])));
		ck_assert_msg(cJSON_IsObject(o) && z != NULL, "not a record: %s", line);
		memset(r, 0, sizeof(*r));
		zp_strlcpy(r->zone, z, sizeof(r->zone));
		r->interval_start = (int64_t)json_field(o, "interval_start");
		r->interval_s = (int)json_field(o, "interval_s");
		r->entered = (int64_t)json_field(o, "entered");
		r->occupied_s = json_field(o, "occupied_s");
		r->crossed_a_to_b = (int64_t)json_field(o, "crossed_a_to_b");
		r->crossed_b_to_a = (int64_t)json_field(o, "crossed_b_to_a");
		r->light_activations = (int64_t)json_field(o, "light_activations");
		r->light_on_s = json_field(o, "light_on_s");
		r->fault_s = json_field(o, "fault_s");
		cJSON_Delete(o);
		rs->n++;
	}
	fclose(f);
	unlink(out);
}

/*
 * One person walks from the west kerb over the crossing to the east kerb.
 * `run --fast --write-store` and `audit --live` on the same recording from
 * the same --start-time give the same rows, every column (the records the
 * audit shows are the ones the store keeps), and the crossing reaches the
 * store with its direction.
 */
START_TEST(recording_rows_same_in_run_and_audit_live)
{
	static zp_rows run_rows, audit_rows;
	char y4m[320];
	struct cfg c;
	int64_t a_to_b = 0, b_to_a = 0, entered_middle = 0;

	snprintf(y4m, sizeof(y4m), "%s/scene.y4m", T.dir);
	write_scene_y4m(y4m, 220, "420jpeg");
	cfg_default(&c);
	c.chip = "";
	c.sides = true;
	write_config(&T, &c);
	{
		char *argv[] = { (char *)"run", (char *)"--config", T.config, (char *)"--source", y4m, (char *)"--fast",
				 (char *)"--write-store", (char *)"--start-time", (char *)"2024-03-01T08:00:00Z", NULL };
		zp_run_opts o;

		ck_assert_int_eq(zp_run_parse(9, argv, &o), 0);
		ck_assert_int_eq(zp_run_daemon(&o, &T.env), ZP_EXIT_OK);
	}
	zp_rows_read(T.store, &run_rows);
	{
		char *argv[] = { (char *)"audit", (char *)"--live", (char *)"--config", T.config, (char *)"--source", y4m,
				 (char *)"--start-time", (char *)"1709280000", /* the same time, as Unix seconds */
				 (char *)"--json", (char *)"--no-sandbox", NULL };

		run_audit(argv, &audit_rows);
	}
	unlink(y4m);

	/* 220 frames at 10 fps from 08:00:00: 22 one-second intervals, 3 zones + "*" each */
	ck_assert_int_eq(run_rows.n, 22 * 4);
	ck_assert_int_eq(run_rows.r[0].interval_start, 1709280000);
	ck_assert_int_eq(audit_rows.n, run_rows.n);
	for (int i = 0; i < run_rows.n; i++) {
		const zp_store_row *a = &run_rows.r[i], *b = NULL;

		for (int j = 0; j < audit_rows.n && !b; j++)
			if (audit_rows.r[j].interval_start == a->interval_start && !strcmp(audit_rows.r[j].zone, a->zone))
				b = &audit_rows.r[j];
		ck_assert_msg(b != NULL, "audit --live has no row %lld %s", (long long)a->interval_start, a->zone);
		ck_assert_int_eq(b->interval_s, a->interval_s);
		ck_assert_int_eq(b->entered, a->entered);
		ck_assert_double_eq_tol(b->occupied_s, a->occupied_s, 1e-9);
		ck_assert_int_eq(b->crossed_a_to_b, a->crossed_a_to_b);
		ck_assert_int_eq(b->crossed_b_to_a, a->crossed_b_to_a);
		ck_assert_int_eq(b->light_activations, a->light_activations);
		ck_assert_double_eq_tol(b->light_on_s, a->light_on_s, 1e-9);
		ck_assert_double_eq_tol(b->fault_s, a->fault_s, 1e-9);
		if (!strcmp(a->zone, "middle")) {
			ck_assert_int_ge(a->crossed_a_to_b, 0);
			a_to_b += a->crossed_a_to_b;
			b_to_a += a->crossed_b_to_a;
			entered_middle += a->entered;
		} else {
			ck_assert_int_eq(a->crossed_a_to_b, -1); /* kerbs and "*": NULL */
			ck_assert_int_eq(a->crossed_b_to_a, -1);
		}
	}
	ck_assert_int_eq(entered_middle, 1);
	ck_assert_int_eq(a_to_b, 1); /* west -> east */
	ck_assert_int_eq(b_to_a, 0);
}
END_TEST

/* The camera gives frames again (SIGALRM, in the child that runs the audit). */
static void camera_back(int sig)
{
	(void)sig;
	fake_v4l2_stall(false);
}

/* The scene, with the camera stalling for a second while the person is in the zone (after frame 95). */
static void stalling_scene(void *ctx, uint64_t n, uint8_t *luma, int w, int h)
{
	struct sigaction sa;

	scene_producer(ctx, n, luma, w, h);
	if (n != 95)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = camera_back;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	fake_v4l2_stall(true);
	alarm(1);
}

/*
 * `audit --live` on a camera that stalls while someone is in the zone: as in
 * the daemon, the controller goes fail-safe after stall_ms and the time
 * without frames counts as fault time, not as occupied time (nobody can be
 * seen).
 */
START_TEST(audit_live_camera_stall_is_fault_not_occupancy)
{
	static zp_rows rows;
	struct cfg c;
	double occupied = 0, fault = 0;

	cfg_default(&c);
	c.camera_timeout_ms = 3000; /* a stall, not a lost camera: no reopen */
	write_config(&T, &c);
	fake_v4l2_set_producer(stalling_scene, &T);
	{
		char *argv[] = { (char *)"audit", (char *)"--live", (char *)"--config", T.config, (char *)"--max-frames",
				 (char *)"180", (char *)"--json", (char *)"--no-sandbox", NULL };

		run_audit(argv, &rows);
	}
	for (int i = 0; i < rows.n; i++) {
		if (!strcmp(rows.r[i].zone, "middle"))
			occupied += rows.r[i].occupied_s;
		else if (!strcmp(rows.r[i].zone, ZP_STORE_CROSSING))
			fault += rows.r[i].fault_s;
	}
	/* in the zone for 20 frames (0.2 s at 100 fps) and the stall's first stall_ms (0.2 s); the
	   whole second of the stall would be occupied time if the audit kept counting through it */
	ck_assert_msg(occupied > 0.1 && occupied < 0.8, "occupied %.3f s", occupied);
	/* fail-safe from stall_ms into the stall to recover_ms after it, plus the warm-up's */
	ck_assert_msg(fault >= 0.7, "fault %.3f s", fault);
	ck_assert_int_gt(rows.n, 0);
}
END_TEST
#endif

/* A video is not for the daemon: one line naming the file and what it reads, exit 2, nothing opened. */
START_TEST(recording_video_refused)
{
	char avi[320];
	struct cfg c;
	FILE *f;

	snprintf(avi, sizeof(avi), "%s/clip.avi", T.dir);
	f = fopen(avi, "wb");
	ck_assert_ptr_nonnull(f);
	fputs("RIFF....AVI LIST", f);
	fclose(f);
	cfg_default(&c);
	c.chip = "";
	write_config(&T, &c);
	ck_assert_int_eq(run_daemon("--source", avi), ZP_EXIT_USAGE);
	ck_assert_log("clip.avi: the daemon reads only a .y4m file or a folder of numbered .pgm images");
	ck_assert_int_eq(fake_v4l2_seen().open_attempts, 0);
}
END_TEST
#endif

/* Under systemd a simulated light line is refused unless the config says simulate = yes. */
START_TEST(service_refuses_simulated_line)
{
	char *argv[] = { (char *)"run", (char *)"--config", T.config, (char *)"--max-frames", (char *)"20", NULL };
	zp_run_opts o;
	struct cfg c;

	cfg_default(&c);
	c.chip = "";
	write_config(&T, &c);
	ck_assert_int_eq(zp_run_parse(5, argv, &o), 0);
	o.service = true;
	ck_assert_int_eq(zp_run_daemon(&o, &T.env), ZP_EXIT_USAGE);
	ck_assert_log("site.ini: [gpio] chip is empty, so the light line would only be simulated under systemd");
	ck_assert_int_eq(fake_v4l2_seen().open_attempts, 0);
	ck_assert_int_eq(note_count(&T, "READY=1"), 0);

	append_config("\n[gpio]\nsimulate = yes\n");
	ck_assert_int_eq(zp_run_daemon(&o, &T.env), ZP_EXIT_OK);
	ck_assert_uint_eq(T.sum.frames, 20);
	ck_assert_log("the light line is simulated");
}
END_TEST

/* The default config with text added at its end, refused: exit 2, want in the log, no GPIO line held. */
static void assert_config_refused(const char *text, const char *want)
{
	write_default_config();
	append_config(text);
	ck_assert_int_eq(run_daemon(NULL, NULL), ZP_EXIT_USAGE);
	ck_assert_log(want);
	ck_assert_int_eq(fake_gpio_open_handles(), 0);
}

START_TEST(bad_options_and_config)
{
	zp_run_opts o;
	char *a1[] = { (char *)"run", NULL };
	char *a2[] = { (char *)"run", (char *)"--config", (char *)"x.ini", (char *)"--fast", NULL };
	char *a3[] = { (char *)"run", (char *)"--config", (char *)"x.ini", (char *)"--max-frames", (char *)"0", NULL };
	char *a4[] = { (char *)"run", (char *)"--config", (char *)"x.ini", (char *)"extra", NULL };
	char *a5[] = { (char *)"run", (char *)"--config", (char *)"x.ini", (char *)"--start-time", (char *)"0", NULL };
	char *a6[] = { (char *)"run", (char *)"--config", (char *)"x.ini", (char *)"--source", (char *)"r.y4m",
		       (char *)"--start-time", (char *)"2024-13-01T00:00:00Z", NULL };
	char *a7[] = { (char *)"run", (char *)"--config", (char *)"x.ini", (char *)"--source", (char *)"r.y4m",
		       (char *)"--start-time", (char *)"2024-02-29T23:59:59Z", NULL };
	char *a8[] = { (char *)"run", (char *)"--config", (char *)"x.ini", (char *)"--source", (char *)"r.y4m",
		       (char *)"--start-time", (char *)"1709251199", NULL };

	ck_assert_int_eq(zp_run_parse(1, a1, &o), ZP_EXIT_USAGE);
	ck_assert_int_eq(zp_run_parse(4, a2, &o), ZP_EXIT_USAGE);
	ck_assert_int_eq(zp_run_parse(5, a3, &o), ZP_EXIT_USAGE);
	ck_assert_int_eq(zp_run_parse(4, a4, &o), ZP_EXIT_USAGE);
	ck_assert_int_eq(zp_run_parse(5, a5, &o), ZP_EXIT_USAGE);   /* --start-time without --source */
	ck_assert_int_eq(zp_run_parse(7, a6, &o), ZP_EXIT_USAGE);   /* month 13 */
	ck_assert_int_eq(zp_run_parse(7, a7, &o), 0);               /* a leap day, as UTC ... */
	ck_assert(o.start_time_set);
	ck_assert_int_eq(o.start_time_ms, 1709251199000LL);
	ck_assert_int_eq(zp_run_parse(7, a8, &o), 0);               /* ... and as Unix seconds */
	ck_assert_int_eq(o.start_time_ms, 1709251199000LL);

	/* a config with an error: exit 2, one line naming file:line, nothing opened */
	assert_config_refused("[lights]\nstall_ms = 5\n", "site.ini:");
	ck_assert_int_eq(fake_v4l2_seen().open_attempts, 0);
	ck_assert_int_eq(note_count(&T, "READY=1"), 0);

	/* [ground] pairs that cannot be fitted (all image points on one line): bad input, as in replay */
	assert_config_refused("[ground]\npoint = 10,10 0,0\npoint = 20,20 1,0\npoint = 30,30 1,1\npoint = 40,40 0,1\n",
			      "[ground]");
}
END_TEST

/*
 * The scene for these: a person walks through the zone every FP_PERIOD
 * frames (100 fps: every 1.5 s), so the light must go on FP_PERIOD apart,
 * for as long as a fault lasts.
 */
#define FP_PERIOD 150
#define FP_FROM 30
#define FP_TO 110

struct follow {
	int passes;            /* passes whose entry into the zone was served */
	int on_in_time;        /* of them, the light went on within 5 frames of the entry */
	int64_t hb_max_gap;    /* longest time between two heartbeat edges, from the first frame on */
	double p99_us;         /* the daemon's latency frame -> light line set */
	double max_us;
};

static void follow_of_run(struct follow *f)
{
	static struct edge e[MAX_FRAMES + 8];
	uint64_t frames = T.sum.frames < MAX_FRAMES ? T.sum.frames : MAX_FRAMES;
	int nl, nh;

	memset(f, 0, sizeof(*f));
	nl = edges(LIGHT, e, MAX_FRAMES + 8);
	for (int k = 0;; k++) {
		/* producer frame n is processed frame n + 1 */
		int entry = k * FP_PERIOD + FP_FROM + SYN_IN_FIRST + 1;
		bool on = false;

		if ((uint64_t)entry + 5 > frames)
			break;
		f->passes++;
		for (int i = 0; i < nl; i++)
			on |= e[i].v == 1 && e[i].t >= T.t_frame[entry - 1] && e[i].t <= T.t_frame[entry + 5];
		f->on_in_time += on;
	}
	nh = edges(HEART, e, MAX_FRAMES + 8);
	for (int i = 2; i < nh; i++)
		if (e[i].t - e[i - 1].t > f->hb_max_gap)
			f->hb_max_gap = e[i].t - e[i - 1].t;
	f->p99_us = T.sum.latency.p99_us;
	f->max_us = T.sum.latency.max_us;
}

static void periodic_config(void)
{
	write_default_config();
	T.period = FP_PERIOD;
	T.block_from = FP_FROM;
	T.block_to = FP_TO;
}

/* ---- what libraries write to stderr themselves: tagged and rate-limited ---- */

static void library_flood(struct t *t, const zp_run_step *st)
{
	char line[96];

	(void)t;
	if (st->phase != ZP_RUN_FRAME || st->frames > 100)
		return;
	/* like FFmpeg on a corrupt file: straight to descriptor 2, no tag, 30 lines a frame */
	for (int i = 0; i < 30; i++) {
		int n = snprintf(line, sizeof(line), "[h264 @ 0x55d0] corrupt macroblock %d in frame %llu\n", i,
				 (unsigned long long)st->frames);

		if (write(2, line, (size_t)n) != n)
			break;
	}
}

START_TEST(library_messages_tagged_and_limited)
{
	write_default_config();
	T.on_step = library_flood;
	ck_assert_int_eq(run_daemon("--max-frames", "120"), ZP_EXIT_OK);
	/* 3000 lines written: 20 shown, tagged as zebrapad's with a priority; the rest counted once */
	ck_assert_int_eq(log_count("<4>zebrapad: lib: [h264 @ 0x55d0] corrupt macroblock"), 20);
	ck_assert_int_eq(log_count("corrupt macroblock"), 20);
	ck_assert_log("<4>zebrapad: lib: 2980 more library messages were not shown");
	/* zebrapad's own lines are untouched */
	ck_assert_log("<6>zebrapad: stopped (max-frames)");
}
END_TEST

/* ---- the store's path, lock and file ---- */

/* A config whose [store] path is `path` (the rest as cfg_default). */
static void config_with_store(const char *path)
{
	struct cfg c;
	char saved[sizeof(T.store)];

	zp_strlcpy(saved, T.store, sizeof(saved));
	zp_strlcpy(T.store, path, sizeof(T.store));
	cfg_default(&c);
	write_config(&T, &c);
	zp_strlcpy(T.store, saved, sizeof(T.store));
}

/*
 * A store path decides the sandbox's writable directory: relative, in /, a
 * directory, or not a regular file - exit 2 with the reason, before any
 * device is opened.
 */
START_TEST(store_path_cannot_widen_the_sandbox)
{
	static const struct {
		bool in_dir;          /* the path is beneath the test directory */
		const char *path;
		const char *says;
	} bad[] = {
		{ false, "counts.db", "expected an absolute file path" },
		{ false, "/x.db", "the store needs a directory of its own" },
		{ true, "/", "expected a file, got the directory" },
		{ true, "/../x.db", "without '.' or '..' parts" },
		{ true, "/fifo", "a FIFO" },
		{ true, "/sub", "a directory" },
		{ true, "/root/x.db", "is / once links are resolved" },
		{ true, "/nodir/x.db", "data directory" },
	};
	char p[400], l[400];

	snprintf(p, sizeof(p), "%s/fifo", T.dir);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	snprintf(p, sizeof(p), "%s/sub", T.dir);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	snprintf(l, sizeof(l), "%s/root", T.dir);
	ck_assert_int_eq(symlink("/", l), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", bad[i].in_dir ? T.dir : "", bad[i].path);
		config_with_store(p);
		ck_assert_msg(run_daemon(NULL, NULL) == ZP_EXIT_USAGE, "[store] path = %s: not refused", p);
		if (!log_count(bad[i].says))
			dump_log();
		ck_assert_msg(log_count(bad[i].says) > 0, "[store] path = %s: the log has no \"%s\"", p, bad[i].says);
		ck_assert_int_eq(fake_gpio_open_handles(), 0);
		ck_assert_int_eq(fake_v4l2_seen().open_attempts, 0);
	}
	snprintf(p, sizeof(p), "%s/fifo", T.dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/sub", T.dir);
	rmdir(p);
	unlink(l);
}
END_TEST

/* One daemon per store: a second one exits 2 and says why; the first one's counts are not touched. */
START_TEST(store_instance_lock)
{
	zp_store_params sp;
	zp_writer *other;
	const char *zones[] = { "middle" };
	char err[256];

	write_default_config();
	zp_store_params_default(&sp);
	zp_strlcpy(sp.path, T.store, sizeof(sp.path));
	ck_assert_int_eq(zp_writer_start(&sp, zones, 1, NULL, &other, err, sizeof(err)), 0);
	ck_assert_int_eq(run_daemon("--max-frames", "50"), ZP_EXIT_USAGE);
	ck_assert_log("in use by another zebrapad run");
	ck_assert_int_eq(note_count(&T, "READY=1"), 0);
	ck_assert_uint_eq(zp_writer_stop(other), 0);
	/* free again: it runs */
	ck_assert_int_eq(run_daemon("--max-frames", "50"), ZP_EXIT_OK);
}
END_TEST

/* The store file removed, or replaced, under the running daemon: noticed, logged, opened again; counts go on. */
static void remove_store_at(struct t *t, const zp_run_step *st)
{
	if (st->phase != ZP_RUN_FRAME)
		return;
	if (st->frames == 250)
		ck_assert_int_eq(unlink(t->store), 0);
	if (st->frames == 600) {
		char other[400];
		zp_store_params sp;
		zp_store *s;
		char err[256];
		const char *zones[] = { "middle" };

		/* another store file moved over it */
		snprintf(other, sizeof(other), "%s/other.db", t->dir);
		zp_store_params_default(&sp);
		zp_strlcpy(sp.path, other, sizeof(sp.path));
		s = zp_store_open(&sp, zones, 1, 0, NULL, err, sizeof(err));
		ck_assert_ptr_nonnull(s);
		zp_store_close(s);
		ck_assert_int_eq(rename(other, t->store), 0);
	}
}

START_TEST(store_removed_or_replaced_is_reopened)
{
	struct totals tt;

	periodic_config();
	T.on_step = remove_store_at;
	ck_assert_int_eq(run_daemon("--max-frames", "1000"), ZP_EXIT_OK);
	ck_assert_log("was removed while zebrapad had it open");
	ck_assert_log("was replaced by another file while zebrapad had it open");
	ck_assert_uint_eq(T.sum.store_reopens, 2);
	ck_assert_uint_eq(T.sum.rows_dropped, 0);
	/*
	 * The file there now has at least the counts from the replacement on
	 * (passes at frames 657, 807, 957), and rows still queued when it came
	 * (the writer may lag behind at its low priority); never more than the
	 * seven passes.
	 */
	tt = store_totals();
	ck_assert_int_ge(tt.entered, 3);
	ck_assert_int_le(tt.entered, 7);
}
END_TEST

/* A config without a zone: the lights could never switch on for a person - exit 2. */
START_TEST(run_without_a_zone_exits_2)
{
	FILE *f = fopen(T.config, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "[camera]\ndevice = /dev/video0\nwidth = 320\nheight = 240\n\n[gpio]\nchip = %s\nline = %d\n\n"
		"[store]\npath = %s\n", FAKE_GPIO_CHIP, LIGHT, T.store);
	fclose(f);
	ck_assert_int_eq(run_daemon(NULL, NULL), ZP_EXIT_USAGE);
	ck_assert_log("no [zone NAME] section");
	ck_assert_int_eq(fake_gpio_open_handles(), 0);
}
END_TEST

/* ---- the loop never waits: faults of the store and the log ---- */

/* Clear the per-run state the hook and the fakes keep, for a second run in one test. */
static void rerun_reset(void)
{
	fake_v4l2_reset();          /* the camera's frame numbers start over: the scene too */
	camera_size(SYN_W, SYN_H);
	fake_v4l2_set_frame_period_us(10000);
	fake_v4l2_set_producer(scene_producer, &T);
	fake_gpio_reset(32);
	fake_gpio_drive_input(BUTTON, 1);
	memset(T.t_frame, 0, sizeof(T.t_frame));
	T.phase = 0;
	T.mark = T.mark2 = 0;
}

/*
 * The periodic scene's config written, and a clean run of `frames` frames of
 * it: the reference the faulted run is held to.
 */
static void clean_reference(int frames, struct follow *ref)
{
	char n[16];
	void (*saved)(struct t *, const zp_run_step *) = T.on_step;

	periodic_config();
	snprintf(n, sizeof(n), "%d", frames);
	T.on_step = NULL;
	ck_assert_int_eq(run_daemon("--max-frames", n), ZP_EXIT_OK);
	follow_of_run(ref);
	if (T.sum.loop_stalls)
		dump_log();
	ck_assert_int_eq(ref->on_in_time, ref->passes);
	ck_assert_uint_eq(T.sum.loop_stalls, 0);
	T.on_step = saved;
	rerun_reset();
	unlink(T.store);
	{
		char p[400];

		snprintf(p, sizeof(p), "%s-wal", T.store);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", T.store);
		unlink(p);
	}
}

/*
 * The faulted run against the clean one: every pass switched the light on
 * in time, the heartbeat toggled on every frame and never paused for
 * stall_ms (where the lights would go fail-safe), no stall of any kind, and
 * the p99 latency within 2x of the clean run's. The clean p99 is floored at
 * 2.5 ms: on the shared 2-core CI machine (four people building) the p99 of
 * 600 frames is the 6th-worst frame, and measured clean runs of the same scene
 * gave 0.38 to 1.07 ms and a faulted one 3.7 ms with nothing of the fault on
 * the loop's path (a writer thread sleeping in 1 ms page writes); 2x of that
 * noise is not a property of the daemon. The bound, 5 ms, is still 40 times
 * below stall_ms, and the max gap of the heartbeat is asserted separately
 * against stall_ms. The ASan/UBSan build sets
 * the floor with ZP_RUN_P99_FLOOR_US (tests/run.cmake): there every frame
 * costs 10-30 times more and its p99 (10-35 ms measured) swings with the
 * machine's load between the clean and the faulted run; what matters for
 * the lights - every person lit in time, no heartbeat pause of stall_ms, no
 * stall - is asserted there unchanged.
 */
static void assert_follows(const struct follow *ref, const char *what)
{
	struct follow f;
	const char *fl = getenv("ZP_RUN_P99_FLOOR_US");
	double floor_us = fl && atoi(fl) > 0 ? atoi(fl) : 2500;
	double bound = 2.0 * (ref->p99_us > floor_us ? ref->p99_us : floor_us);
	char line[300];

	follow_of_run(&f);
	snprintf(line, sizeof(line), "%s: %d passes, %d in time; heartbeat max gap %lld ms; p99 %.0f us (clean %.0f us),"
		 " max %.0f us (clean %.0f us); stalls %llu, loop stalls %llu (longest %lld ms)\n", what, f.passes,
		 f.on_in_time, (long long)f.hb_max_gap, f.p99_us, ref->p99_us, f.max_us, ref->max_us,
		 (unsigned long long)T.sum.stalls, (unsigned long long)T.sum.loop_stalls,
		 (long long)T.sum.loop_stall_max_ms);
	if (write(T.saved_stderr, line, strlen(line)) < 0) {
		/* the figure is for the reader only */
	}
	ck_assert_int_gt(f.passes, 0);
	ck_assert_int_eq(f.on_in_time, f.passes);
	assert_heartbeat_per_frame(T.sum.frames);
	ck_assert_int_lt(f.hb_max_gap, 200);
	ck_assert_uint_eq(T.sum.stalls, 0);
	ck_assert_uint_eq(T.sum.loop_stalls, 0);
	ck_assert_msg(f.p99_us <= bound, "%s: p99 %.0f us, more than %.0f us", what, f.p99_us, bound);
}

/* ---- a store held locked by another process ---- */

/*
 * The figure of the field report: another process holds the write lock on
 * counts.db for 15 s. Scaled? No: 15 s is the case as it happened (the old
 * loop froze 9.3 s of it), and 15 s is long against every timeout involved
 * (SQLite's busy wait, the writer's retry, stall_ms).
 */
#define LOCK_HOLD_MS 15000
#define LOCK_AT 100

struct locker {
	pid_t pid;
	int go;        /* write a byte: take the lock */
	int report;    /* the child writes the times it took and released the lock */
};

static void locker_start(struct locker *L, const char *db)
{
	int go[2], rep[2];

	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(rep), 0);
	L->pid = fork();
	ck_assert_int_ge(L->pid, 0);
	if (L->pid == 0) {
		sqlite3 *h = NULL;
		char c;
		int64_t t[2];

		close(go[1]);
		close(rep[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
			_exit(3);
		sqlite3_busy_timeout(h, 10000);
		if (sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK)
			_exit(4);
		t[0] = zp_now_ms();
		usleep(LOCK_HOLD_MS * 1000);
		t[1] = zp_now_ms();
		sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(h);
		if (write(rep[1], t, sizeof(t)) != (ssize_t)sizeof(t))
			_exit(5);
		_exit(0);
	}
	close(go[0]);
	close(rep[1]);
	L->go = go[1];
	L->report = rep[0];
}

static struct locker LK;

static void lock_at_frame(struct t *t, const zp_run_step *st)
{
	(void)t;
	if (st->phase == ZP_RUN_FRAME && st->frames == LOCK_AT)
		ck_assert_int_eq(write(LK.go, "g", 1), 1);
}

START_TEST(store_locked_15s)
{
	struct follow ref;
	struct totals tt;
	int64_t t[2];
	int status;
	char n[16];

	clean_reference(400, &ref);
	locker_start(&LK, T.store);
	T.on_step = lock_at_frame;
	/* the lock from frame 100 for 15 s, then 3 s more for the rows to be written */
	snprintf(n, sizeof(n), "%d", LOCK_AT + LOCK_HOLD_MS / 10 + 300);
	ck_assert_int_eq(run_daemon("--max-frames", n), ZP_EXIT_OK);
	ck_assert_int_eq(read(LK.report, t, sizeof(t)), (ssize_t)sizeof(t));
	ck_assert_int_eq(waitpid(LK.pid, &status, 0), LK.pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_ge(t[1] - t[0], LOCK_HOLD_MS);
	assert_follows(&ref, "store locked 15 s");
	/* the lock was in the writer's way: it failed and retried, and the loop did not notice */
	ck_assert_uint_gt(T.sum.store_failures, 0);
	/* nothing lost: every row reached the file once the lock was gone */
	ck_assert_uint_eq(T.sum.rows_dropped, 0);
	ck_assert_uint_eq(T.sum.rows_waiting, 0);
	tt = store_totals();
	ck_assert_int_eq(tt.entered, (LOCK_AT + LOCK_HOLD_MS / 10 + 300 - FP_FROM - SYN_IN_LAST) / FP_PERIOD + 1);
	close(LK.go);
	close(LK.report);
}
END_TEST

/* ---- a store on a slow disk: 1 ms per page write ---- */

START_TEST(store_slow_disk)
{
	struct follow ref;

	clean_reference(400, &ref);
	ck_assert_int_eq(zp_slow_vfs_register(), 0);
	zp_slow_vfs_set_delay_us(1000);
	ck_assert_int_eq(run_daemon("--max-frames", "900"), ZP_EXIT_OK);
	zp_slow_vfs_set_delay_us(0);
	assert_follows(&ref, "store 1 ms per page write");
	/* the shim was in the store's path: every page written took 1 ms */
	ck_assert_uint_gt(zp_slow_vfs_writes(), 20);
	ck_assert_uint_gt(T.sum.rows_written, 0);
	ck_assert_uint_eq(T.sum.rows_dropped, 0);
}
END_TEST

/* ---- a full disk ---- */

static void full_between(struct t *t, const zp_run_step *st)
{
	(void)t;
	if (st->phase != ZP_RUN_FRAME)
		return;
	if (st->frames == 100)
		zp_slow_vfs_set_full(true);
	if (st->frames == 600)
		zp_slow_vfs_set_full(false);
}

START_TEST(store_disk_full)
{
	struct follow ref;
	struct totals tt;

	clean_reference(400, &ref);
	ck_assert_int_eq(zp_slow_vfs_register(), 0);
	T.on_step = full_between;
	ck_assert_int_eq(run_daemon("--max-frames", "900"), ZP_EXIT_OK);
	zp_slow_vfs_set_full(false);
	assert_follows(&ref, "disk full");
	ck_assert_uint_gt(zp_slow_vfs_refused(), 0);
	ck_assert_uint_gt(T.sum.store_failures, 0);
	ck_assert_log("writing");
	ck_assert_log("writes work again");
	ck_assert_uint_eq(T.sum.rows_dropped, 0);
	tt = store_totals();
	ck_assert_int_eq(tt.entered, (900 - FP_FROM - SYN_IN_LAST) / FP_PERIOD + 1);
}
END_TEST

/* ---- a small hand-off: rows beyond it are dropped and counted, the lights do not care ---- */

START_TEST(store_queue_full_drops_rows)
{
	struct follow ref;

	clean_reference(300, &ref);
	ck_assert_int_eq(zp_slow_vfs_register(), 0);
	T.env.store_queue_rows = 4;           /* two intervals of one zone */
	T.on_step = full_between;             /* full from frame 100 to 600: 5 s of 1 s intervals */
	ck_assert_int_eq(run_daemon("--max-frames", "700"), ZP_EXIT_OK);
	zp_slow_vfs_set_full(false);
	assert_follows(&ref, "store queue full");
	ck_assert_uint_gt(T.sum.rows_dropped, 0);
	ck_assert_log("rows dropped so far");
	ck_assert_int_eq(log_count("rows dropped so far"), 1);   /* once a minute at most */
}
END_TEST

/* ---- nobody reads stderr ---- */

static void chatter(struct t *t, const zp_run_step *st)
{
	(void)t;
	/* a library that talks a lot (FFmpeg on a corrupt file): 2 KB per frame, from the loop's thread */
	if (st->phase == ZP_RUN_FRAME)
		for (int i = 0; i < 8; i++)
			zp_log(ZP_LOG_DEBUG, "chatter %llu.%d %0200d", (unsigned long long)st->frames, i, 0);
}

START_TEST(stderr_not_read)
{
	struct follow ref;
	int p[2], saved;

	clean_reference(400, &ref);
	/* stderr: a pipe of one page that nobody reads */
	ck_assert_int_eq(pipe(p), 0);
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	fflush(stderr);
	saved = dup(2);
	dup2(p[1], 2);
	close(p[1]);
	T.env.log_pipe_bytes = 4096;
	T.on_step = chatter;
	ck_assert_int_eq(run_daemon("--max-frames", "600"), ZP_EXIT_OK);
	dup2(saved, 2);
	close(saved);
	close(p[0]);
	assert_follows(&ref, "stderr not read");
	ck_assert_uint_gt(T.sum.log_dropped, 0);
}
END_TEST

/* ---- retention of a year of rows ---- */

/* A year of 1-minute rows (one zone row and one crossing row each), all older than the 1-day retention. */
static int64_t fill_year(const char *path)
{
	static zp_store_row rows[10000];
	const char *zones[] = { "middle" };
	zp_store_params p;
	char err[256];
	zp_store *s;
	int64_t start = 1704067200 - 2 * 86400 - 365 * 86400, n = 0;
	size_t k = 0;

	zp_store_params_default(&p);
	zp_strlcpy(p.path, path, sizeof(p.path));
	s = zp_store_open(&p, zones, 1, 0, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	for (int64_t t = start; t < start + 365 * 86400; t += 60) {
		zp_store_row *r = &rows[k++];

		memset(r, 0, sizeof(*r));
		r->interval_start = t;
		r->interval_s = 60;
		zp_strlcpy(r->zone, (k & 1) ? "middle" : ZP_STORE_CROSSING, sizeof(r->zone));
		r->entered = (k & 1) ? 3 : -1;
		r->occupied_s = (k & 1) ? 5 : -1;
		r->light_activations = (k & 1) ? -1 : 2;
		r->light_on_s = (k & 1) ? -1 : 10;
		r->fault_s = (k & 1) ? -1 : 0;
		r->crossed_a_to_b = r->crossed_b_to_a = -1; /* "middle" has no sides */
		if (!(k & 1))
			t -= 60;     /* the crossing row of the same interval */
		if (k == sizeof(rows) / sizeof(rows[0])) {
			ck_assert_int_eq(zp_store_write(s, rows, k), 0);
			n += (int64_t)k;
			k = 0;
		}
	}
	ck_assert_int_eq(zp_store_write(s, rows, k), 0);
	n += (int64_t)k;
	zp_store_close(s);
	return n;
}

START_TEST(retention_of_a_year)
{
	struct follow ref;
	int64_t rows;

	clean_reference(400, &ref);
	rows = fill_year(T.store);
	ck_assert_int_gt(rows, 1000000);
	append_config("retention_days = 1\n");
	/* page writes at SD-card speed, as in the field report */
	ck_assert_int_eq(zp_slow_vfs_register(), 0);
	zp_slow_vfs_set_delay_us(200);
	ck_assert_int_eq(run_daemon("--max-frames", "900"), ZP_EXIT_OK);
	zp_slow_vfs_set_delay_us(0);
	assert_follows(&ref, "retention of a year of rows");
	/* retention was running all along, in small steps, and the new rows still got through */
	ck_assert_uint_gt(T.sum.rows_written, 0);
	ck_assert_uint_eq(T.sum.rows_dropped, 0);
	{
		zp_store_params p;
		zp_store_summary sm;
		char err[256];
		zp_store *s;

		zp_store_params_default(&p);
		zp_strlcpy(p.path, T.store, sizeof(p.path));
		s = zp_store_open(&p, NULL, 0, ZP_STORE_READ_ONLY, NULL, err, sizeof(err));
		ck_assert_msg(s != NULL, "%s", err);
		ck_assert_int_eq(zp_store_summarize(s, &sm, err, sizeof(err)), 0);
		zp_store_close(s);
		ck_assert_int_lt(sm.rows, rows);     /* rows were deleted while the loop ran */
	}
}
END_TEST

int main(void)
{
	const TTest *normal_tests[] = {
		normal_run,
		colour_only_for_colour_shadows,
		sigterm_sets_shutdown_level,
		sighup_logged_sigint_stops,
		push_button_switches_light_on,
		bad_options_and_config,
		service_refuses_simulated_line,
		counts_wait_for_the_clock,
		library_messages_tagged_and_limited,
#ifndef ZP_TEST_VIDEO
		recording_y4m_without_opencv,
#if ZP_HAVE_JSON
		recording_rows_same_in_run_and_audit_live,
		audit_live_camera_stall_is_fault_not_occupancy,
#endif
		recording_video_refused,
#endif
		NULL,
	};
#ifdef ZP_TEST_VIDEO
#endif
	const struct zp_test_case cases[] = {
		{ .name = "normal", .tests = normal_tests, .timeout_s = 60, .setup = setup, .teardown = teardown },
		{ .name = "gpio", .timeout_s = 60, .setup = setup, .teardown = teardown, .tests = ZP_TESTS(
			gpio_chip_missing,
			light_line_busy,
			light_line_busy_then_free,
			heartbeat_line_busy,
			button_line_busy_runs_without,
			light_line_fails_mid_run) },
		{ .name = "faults", .timeout_s = 60, .setup = setup, .teardown = teardown, .tests = ZP_TESTS(
			camera_unplugged_and_back,
			dqbuf_timeouts,
			eintr_storm,
			frame_never_comes,
			format_refused,
			zones_do_not_fit_camera) },
		{ .name = "store", .timeout_s = 60, .setup = setup, .teardown = teardown, .tests = ZP_TESTS(
			store_path_cannot_widen_the_sandbox,
			store_instance_lock,
			store_removed_or_replaced_is_reopened,
			run_without_a_zone_exits_2) },
		{ .name = "nowait", .timeout_s = 120, .setup = setup, .teardown = teardown, .tests = ZP_TESTS(
			store_locked_15s,
			store_slow_disk,
			store_disk_full,
			store_queue_full_drops_rows,
			stderr_not_read,
			retention_of_a_year) },
#ifdef ZP_TEST_VIDEO
		{ .name = "video", .timeout_s = 300, .setup = setup, .teardown = teardown, .tests = ZP_TESTS(
			recording_fast_is_deterministic,
			recording_paced,
			vtest_through_camera,
			latency_640x480) },
#endif
	};

	return zp_test_run(ZP_TEST_SUITE("run", cases));
}
