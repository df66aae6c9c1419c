/* SPDX-License-Identifier: MIT */
/*
 * test_run_privacy.c - `zebrapad run`'s write set: the REAL daemon loop
 * (app/cmd_run_loop.c, zp_run_daemon) with the sandbox ON as in production, the
 * real capture code against the fake libv4l2 and the real GPIO driver
 * against the fake libgpiod (as tests/test_run.c links them), run in a child
 * process (this program re-executed with --daemon) under the LD_PRELOAD shim
 * tests/fakes/openlog_preload.c, which records every open for writing.
 *
 * The fake camera serves 400 frames of opencv-doc's vtest.avi (decoded by
 * capture/file.c in the child, opened inside the sandbox on the first frame,
 * as the daemon opens a recording), or a synthetic scene
 * (a block walking through the zone) when vtest.avi is not installed.
 *
 * The parent checks:
 *  - the only files the daemon opened for writing are the store (counts.db
 *    and its -wal, -shm, -journal), and it did open them;
 *  - the store holds the intervals the run spanned: contiguous 1-second
 *    intervals from start to stop, one row per zone plus the crossing row
 *    each, the light activations the daemon reported, people entered,
 *    PRAGMA integrity_check = ok; and the light-on and fail-safe times the
 *    daemon's controller measured, although the wall clock jitters and is
 *    set back 300 ms during the start-up fail-safe (see child_wall; the
 *    sampler's wall_span() in pipeline/sampler.c tiles the wall clock, or
 *    the store would refuse the rows);
 *  - from inside the daemon (the zp_run_env hook at frame 50, after the
 *    sandbox was applied: the process is no longer dumpable) creating a
 *    file, and opening an existing one for writing, outside the data
 *    directory both fail with EACCES where the kernel has Landlock (skipped
 *    with a message where it does not), and the daemon logged Landlock.
 */
#include "zp_test.h"
#include "zp_openlog.h"
#include "timesync.h"

#include "app.h"
#include "cmd_run.h"
#include "capture.h"
#include "fake_gpio.h"
#include "fake_v4l2.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <linux/videodev2.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIGHT 17
#define HEART 27
#define BUTTON 22
#define FRAMES 400
#define ATTEMPT_AT 50          /* the frame at which the hook tries to write outside the data directory */
#define WALL_BASE 1704067200000LL  /* 2024-01-01T00:00:00Z */

/* synthetic scene (no vtest.avi): 320x240, a 24x48 block walking through the zone from frame 300 */
#define SYN_W 320
#define SYN_H 240

/* What the child reports to the parent, one "key value" line each on its stdout. */
struct results {
	long long rc;                   /* zp_run_daemon's exit code */
	long long frames, activations, on_ms, failsafe_ms, stalls;   /* its summary */
	long long landlock_abi, seccomp_available;                  /* zp_sandbox_probe() */
	long long wall_min, wall_max;   /* the wall clock the daemon read */
	long long tried;                /* the hook made its attempts, inside the sandbox: */
	long long dumpable;             /* PR_GET_DUMPABLE (0 once the sandbox is in force) */
	long long seccomp_mode;         /* "Seccomp:" of /proc/self/status */
	long long create_rc, create_errno, append_rc, append_errno;
	long long video_errors;
	long long clock_rc;             /* zp_clock_synced() asked inside the sandbox (< 0: refused) */
};

#define RESULT(f) { #f, offsetof(struct results, f) }
static const struct {
	const char *key;
	size_t off;
} result_keys[] = {
	RESULT(rc), RESULT(frames), RESULT(activations), RESULT(on_ms), RESULT(failsafe_ms), RESULT(stalls),
	RESULT(landlock_abi), RESULT(seccomp_available), RESULT(wall_min), RESULT(wall_max), RESULT(tried),
	RESULT(dumpable), RESULT(seccomp_mode), RESULT(create_rc), RESULT(create_errno), RESULT(append_rc),
	RESULT(append_errno), RESULT(video_errors), RESULT(clock_rc),
};
#define NKEYS (sizeof(result_keys) / sizeof(result_keys[0]))

static long long *result_field(struct results *r, size_t i)
{
	return (long long *)(void *)((char *)r + result_keys[i].off);
}

/* ---- the child: the daemon under the shim ---- */

struct child {
	zp_source *video;          /* vtest frames, or NULL: the synthetic scene */
	const char *video_path;
	const char *outside;
	int64_t mono0;
	int64_t wall_calls;
	struct results res;
};

/*
 * The kernel's word on the clock, asked as the daemon asks it - from inside
 * the sandbox, whose seccomp filter must allow adjtimex - and recorded; the
 * daemon is told "synchronised" whatever this machine's clock says, so that
 * it keeps its counts.
 */
static int child_synced(void *ctx)
{
	struct child *c = ctx;
	int k = zp_clock_synced();

	if (c->res.clock_rc >= 0)
		c->res.clock_rc = k;
	return 1;
}

static int64_t child_mono(void *ctx)
{
	int64_t now = zp_now_ms();

	(void)ctx;
	fake_gpio_set_time(now);
	return now;
}

/*
 * The wall clock: 2024-01-01 + the time since start, + 0 or 3 ms (alternate
 * calls), and set back by 300 ms from 500 ms on. The daemon reads the wall
 * clock when it feeds a sample to the store, after the frame was processed,
 * and the monotonic clock when the frame came: the distance between the two
 * varies with the processing time, and NTP slews or steps the wall clock
 * (chrony steps it at boot, when the daemon starts). Counted naively, the
 * samples' wall-clock spans overlap and a state held for a whole interval
 * sums to more than the interval; the start-up fail-safe (recover_ms 1200)
 * holds for all of the first interval, which the set-back makes certain.
 */
static int64_t child_wall(void *ctx)
{
	struct child *c = ctx;
	int64_t elapsed = zp_now_ms() - c->mono0;
	int64_t w = WALL_BASE + elapsed + 3 * (c->wall_calls++ % 2) - (elapsed >= 500 ? 300 : 0);

	if (c->res.wall_min == 0 || w < c->res.wall_min)
		c->res.wall_min = w;
	if (w > c->res.wall_max)
		c->res.wall_max = w;
	return w;
}

static int seccomp_mode(void)
{
	char line[256];
	int mode = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return mode;
}

/* What a bug (or an attacker) inside the running daemon would try: keep a picture outside the data directory. */
static void child_hook(void *ctx, const zp_run_step *st)
{
	struct child *c = ctx;
	char path[600];
	int fd;

	if (c->res.tried || st->phase != ZP_RUN_FRAME || st->frames != ATTEMPT_AT)
		return;
	c->res.tried = 1;
	c->res.dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	c->res.seccomp_mode = seccomp_mode();
	snprintf(path, sizeof(path), "%s/frame.jpg", c->outside);
	errno = 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	c->res.create_rc = fd >= 0 ? 0 : -1;
	c->res.create_errno = fd >= 0 ? 0 : errno;
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/existing.txt", c->outside);
	errno = 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	c->res.append_rc = fd >= 0 ? 0 : -1;
	c->res.append_errno = fd >= 0 ? 0 : errno;
	if (fd >= 0)
		close(fd);
}

static void video_producer(void *ctx, uint64_t n, uint8_t *luma, int w, int h)
{
	struct child *c = ctx;
	zp_frame f;

	(void)n;
	if (!c->video) {
		/* opened here, inside the sandbox, as the daemon opens a recording: the sandbox closes every
		 * descriptor it is not told to keep, and the decoder's would be one of them */
		char err[256];
		int code;

		c->video = zp_source_open_file(c->video_path, 0, &code, err, sizeof(err));
		if (!c->video) {
			fprintf(stderr, "child: %s\n", err);
			c->res.video_errors++;
			memset(luma, 128, (size_t)w * (size_t)h);
			return;
		}
	}
	if (zp_source_next(c->video, &f, 1000) != 0 || f.width < w || f.height < h) {
		c->res.video_errors++;
		memset(luma, 128, (size_t)w * (size_t)h);
		return;
	}
	for (int y = 0; y < h; y++)
		memcpy(luma + (size_t)y * (size_t)w, f.luma + (size_t)y * (size_t)f.stride, (size_t)w);
}

/* Textured ground with a little noise; a bright 24x48 block walks left to right at 4 px per frame from frame 300
 * (after the start-up fail-safe). */
static void scene_producer(void *ctx, uint64_t n, uint8_t *luma, int w, int h)
{
	int bx = n >= 300 && n <= 380 ? 12 + 4 * ((int)n - 300) : -1000;

	(void)ctx;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint32_t hsh = (uint32_t)(x * 73856093u) ^ (uint32_t)(y * 19349663u) ^
				       (uint32_t)(n * 83492791u);
			int v = 70 + ((x * 7 + y * 13) % 41) + ((x / 16 + y / 16) % 2) * 20 + (int)((hsh >> 13) % 3);

			if (x >= bx && x < bx + 24 && y >= 152 && y < 200)
				v = 230 - ((x - bx) + (y % 8)) % 12;
			luma[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)v;
		}
}

static int daemon_child(const char *config, const char *outside, const char *video)
{
	struct child c;
	struct fake_v4l2_fmt fmt = { V4L2_PIX_FMT_YUYV, SYN_W, SYN_H };
	char frames[16];
	char *argv[] = { (char *)"run", (char *)"--config", (char *)config, (char *)"--max-frames", frames, NULL };
	zp_sandbox_status probe;
	zp_run_summary sum;
	zp_run_opts o;
	zp_run_env env;
	char err[256];
	int code = 0, rc;

	snprintf(frames, sizeof(frames), "%d", FRAMES);
	memset(&c, 0, sizeof(c));
	c.outside = outside;
	c.res.create_rc = c.res.append_rc = 1;   /* not tried */
	fake_v4l2_reset();
	fake_gpio_reset(32);
	fake_gpio_drive_input(BUTTON, 1);     /* released (active low) */
	if (video[0]) {
		c.video = zp_source_open_file(video, 0, &code, err, sizeof(err));
		if (!c.video) {
			fprintf(stderr, "child: %s\n", err);
			return 3;
		}
		zp_source_size(c.video, &fmt.width, &fmt.height);
		zp_source_free(c.video);     /* the size only: the producer opens it again inside the sandbox */
		c.video = NULL;
		c.video_path = video;
		fake_v4l2_set_producer(video_producer, &c);
	} else {
		fake_v4l2_set_producer(scene_producer, &c);
	}
	fake_v4l2_set_formats(&fmt, 1, true);
	fake_v4l2_set_frame_period_us(5000);
	zp_sandbox_probe(&probe);

	if (zp_run_parse(5, argv, &o) != 0)
		return 4;
	zp_run_env_default(&env);      /* production: the sandbox on, production timings */
	if (!env.sandbox)
		return 5;
	c.mono0 = zp_now_ms();
	env.mono_ms = child_mono;
	env.wall_ms = child_wall;
	env.clock_synced = child_synced;
	env.clock_ctx = &c;
	env.hook = child_hook;
	env.hook_ctx = &c;
	memset(&sum, 0, sizeof(sum));
	env.summary = &sum;
	if (getenv("ZP_OPENLOG_FD"))    /* the shim's log: kept open through the sandbox's closing of descriptors */
		env.keep_fds[env.nkeep_fds++] = atoi(getenv("ZP_OPENLOG_FD"));
	rc = zp_run_daemon(&o, &env);

	c.res.rc = rc;
	c.res.frames = (long long)sum.frames;
	c.res.activations = (long long)sum.activations;
	c.res.on_ms = sum.on_ms;
	c.res.failsafe_ms = sum.failsafe_ms;
	c.res.stalls = (long long)sum.stalls;
	c.res.landlock_abi = probe.landlock_abi;
	c.res.seccomp_available = probe.seccomp_available;
	/* stdout was opened by the parent before exec: the results go there, no file is opened for them */
	for (size_t i = 0; i < NKEYS; i++)
		printf("%s %lld\n", result_keys[i].key, *result_field(&c.res, i));
	fflush(stdout);
	zp_source_free(c.video);
	fake_v4l2_reset();
	return rc == ZP_EXIT_OK ? 0 : 10 + rc;
}

/* ---- the parent ---- */

static void read_results(const char *path, struct results *r)
{
	bool found[NKEYS] = { false };
	char line[256], key[64];
	long long v;
	FILE *f = fopen(path, "r");

	memset(r, 0, sizeof(*r));
	ck_assert_msg(f != NULL, "no results from the daemon child (%s)", path);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", key, &v) == 2)
			for (size_t i = 0; i < NKEYS; i++)
				if (!strcmp(key, result_keys[i].key)) {
					*result_field(r, i) = v;
					found[i] = true;
				}
	fclose(f);
	for (size_t i = 0; i < NKEYS; i++)
		ck_assert_msg(found[i], "the daemon child did not report \"%s\"", result_keys[i].key);
}

static bool file_contains(const char *path, const char *s)
{
	static char buf[1 << 18];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, s) != NULL;
}

/* The shim's log: every line's path is one of `allowed` (NULL-terminated) or one of the deliberate attempts. */
struct log_check {
	struct zp_openlog_check log;
	const char *const *allowed;
	const char *const *attempts;
	int seen[8];                 /* successful opens of allowed[i] */
	int attempts_seen;           /* lines for the deliberate attempts */
	int attempts_refused;        /* ... that failed with EACCES (e13) */
};

static bool line_expected(void *ctx, const struct zp_openlog_line *l)
{
	struct log_check *c = ctx;
	bool ok = false;

	for (int i = 0; c->attempts[i]; i++)
		if (!strcmp(l->path, c->attempts[i])) {
			c->attempts_seen++;
			c->attempts_refused += !strcmp(l->result, "e13");
			ok = true;
		}
	for (int i = 0; c->allowed[i] && !ok; i++)
		if (!strcmp(l->path, c->allowed[i]) &&
		    (!strcmp(l->verb, "open") || (!strcmp(l->verb, "rename") && strstr(l->path, ".prom")))) {
			c->seen[i] += !strcmp(l->result, "ok");
			ok = true;
		}
	return ok;
}

static void check_log(const char *log_path, const char *const *allowed, const char *const *attempts,
		      struct log_check *c)
{
	memset(c, 0, sizeof(*c));
	c->allowed = allowed;
	c->attempts = attempts;
	zp_openlog_check(log_path, line_expected, c, &c->log);
}

/* SELECT returning one integer. */
static long long sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "%s: no row", sql);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void check_store(const char *db_path, const struct results *r, int nzones)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long rows, intervals, first, last, act, entered, bad, on_ms, fault_ms;

	ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);

	rows = sql_int(db, "SELECT COUNT(*) FROM counts");
	intervals = sql_int(db, "SELECT COUNT(DISTINCT interval_start) FROM counts");
	first = sql_int(db, "SELECT MIN(interval_start) FROM counts");
	last = sql_int(db, "SELECT MAX(interval_start) FROM counts");
	act = sql_int(db, "SELECT TOTAL(light_activations) FROM counts WHERE zone = '*'");
	entered = sql_int(db, "SELECT TOTAL(entered) FROM counts WHERE zone <> '*'");
	on_ms = sql_int(db, "SELECT ROUND(1000 * TOTAL(light_on_s)) FROM counts WHERE zone = '*'");
	fault_ms = sql_int(db, "SELECT ROUND(1000 * TOTAL(fault_s)) FROM counts WHERE zone = '*'");
	bad = sql_int(db, "SELECT COUNT(*) FROM counts WHERE interval_s <> 1 OR (zone = '*' AND light_on_s + fault_s > "
			  "interval_s + 1e-9)");
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT interval_start, zone, IFNULL(entered, -1), "
					    "IFNULL(occupied_s, -1), IFNULL(light_activations, -1), "
					    "IFNULL(light_on_s, -1), IFNULL(fault_s, -1) FROM counts "
					    "ORDER BY interval_start, zone", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		fprintf(stderr, "  %lld %-12s entered %2lld occupied %6.3f activations %2lld on %6.3f fault %6.3f\n",
			(long long)sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
			(long long)sqlite3_column_int64(st, 2), sqlite3_column_double(st, 3),
			(long long)sqlite3_column_int64(st, 4), sqlite3_column_double(st, 5),
			sqlite3_column_double(st, 6));
	sqlite3_finalize(st);
	fprintf(stderr, "store: %lld rows, %lld intervals %lld..%lld, %lld entered, %lld activations, lights on "
		"%lld ms, fail-safe %lld ms; the daemon: on %lld ms, fail-safe %lld ms; the run's wall clock "
		"%lld..%lld ms\n", rows, intervals, first, last, entered, act, on_ms, fault_ms, r->on_ms,
		r->failsafe_ms, r->wall_min, r->wall_max);
	ck_assert_int_gt(rows, 0);
	ck_assert_msg(r->clock_rc >= 0, "adjtimex inside the sandbox: %lld (refused)", r->clock_rc);
	/* light on and fail-safe exclude each other: together no longer than the interval */
	ck_assert_int_eq(bad, 0);
	/* every 1-second interval from the first to the one in progress at the stop, each with every zone and
	 * the crossing row: the daemon samples at least every stall_ms/4, so no interval of the run is empty */
	ck_assert_int_eq(rows, intervals * (nzones + 1));
	ck_assert_int_eq(intervals, last - first + 1);
	ck_assert_int_ge(first, r->wall_min / 1000);
	ck_assert_int_eq(last, r->wall_max / 1000);
	ck_assert_int_ge(intervals, 2);
	ck_assert_int_eq(sql_int(db, "SELECT COUNT(*) FROM counts WHERE zone = '*'"), intervals);
	ck_assert_int_eq(act, r->activations);
	/* the durations are the controller's, less the 300 ms the clock was set back during the fail-safe (not
	 * counted twice); a few ms either way: the controller runs on frame times, the samples on the loop's */
	ck_assert_int_le(llabs(on_ms - r->on_ms), 50);
	ck_assert_int_le(llabs(fault_ms - (r->failsafe_ms - 300)), 50);
	ck_assert_int_gt(entered, 0);
	sqlite3_close(db);
}

START_TEST(run_daemon_writes_only_the_store)
{
	const char *self = getenv("ZP_SELF");
	const char *video = zp_test_vtest();
	char dir[64], data[128], outside[128], config[128], log[128], out[128], err[128];
	char leak[200], existing[200], buf[160];
	char hdir[128], prom[200], promtmp[220];
	struct zp_store_files sf;
	const char *allowed[] = { sf.db, sf.wal, sf.shm, sf.journal, prom, promtmp, NULL };
	const char *attempts[] = { leak, existing, NULL };
	char *argv[] = { (char *)self, (char *)"--daemon", config, outside, (char *)(video ? video : ""), NULL };
	struct log_check c;
	struct results r;
	struct stat stt;
	int rc, nzones;
	FILE *f;

	ck_assert_msg(self != NULL, "ZP_SELF not set (run through ctest)");
	zp_test_tmpdir_make(dir, sizeof(dir), "run_privacy");
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(outside, sizeof(outside), "%s/elsewhere", dir);
	snprintf(config, sizeof(config), "%s/site.ini", dir);
	snprintf(log, sizeof(log), "%s/open.log", dir);
	snprintf(out, sizeof(out), "%s/results.txt", dir);
	snprintf(err, sizeof(err), "%s/daemon.log", dir);
	zp_store_files_in(&sf, data);
	/* the health file in a directory of its own: the sandbox must let the daemon write there too */
	snprintf(hdir, sizeof(hdir), "%s/health", dir);
	snprintf(prom, sizeof(prom), "%s/zebrapad.prom", hdir);
	snprintf(promtmp, sizeof(promtmp), "%s.tmp", prom);
	snprintf(leak, sizeof(leak), "%s/frame.jpg", outside);
	snprintf(existing, sizeof(existing), "%s/existing.txt", outside);
	ck_assert_int_eq(mkdir(data, 0700), 0);
	ck_assert_int_eq(mkdir(outside, 0700), 0);
	ck_assert_int_eq(mkdir(hdir, 0700), 0);
	f = fopen(existing, "w");
	ck_assert_ptr_nonnull(f);
	fputs("untouched\n", f);
	fclose(f);

	f = fopen(config, "w");
	ck_assert_ptr_nonnull(f);
	if (video) {
		fprintf(f, "[camera]\ndevice = /dev/video0\nwidth = 768\nheight = 576\nfps = 30\ntimeout_ms = 500\n\n"
			"[detector]\nscale = 2\nmin_area = 300\nmax_area = 20000\ntrack_max_dist = 60\n"
			"warmup_frames = 30\n\n"
			"[zone kerb-north]\nrole = waiting\npolygon = 175,172 365,172 365,205 175,205\n\n"
			"[zone crossing]\nrole = crossing\npolygon = 180,207 360,207 360,296 180,259\n\n"
			"[zone kerb-south]\nrole = waiting\npolygon = 180,263 360,301 360,345 180,305\n\n"
			"[lights]\nmin_on_ms = 2000\nhold_ms = 1000\nstall_ms = 1000\nrecover_ms = 1200\n\n");
		nzones = 3;
	} else {
		fprintf(f, "[camera]\ndevice = /dev/video0\nwidth = %d\nheight = %d\nfps = 30\ntimeout_ms = 500\n\n"
			"[detector]\nscale = 1\nwarmup_frames = 10\nopen_radius = 1\nclose_radius = 1\n"
			"min_area = 300\nmax_area = 20000\ntrack_min_hits = 3\ntrack_max_dist = 30\n\n"
			"[zone middle]\nrole = crossing\npolygon = 130,100 210,100 210,230 130,230\n\n"
			"[lights]\nmin_on_ms = 300\nhold_ms = 300\nstall_ms = 200\nrecover_ms = 1200\n\n",
			SYN_W, SYN_H);
		nzones = 1;
		fprintf(stderr, "vtest.avi absent: the fake camera serves the synthetic scene instead\n");
	}
	fprintf(f, "[gpio]\nchip = %s\nline = %d\nheartbeat_line = %d\nbutton_line = %d\n\n"
		"[store]\npath = %s\ninterval_s = 1\n\n[health]\nprom_file = %s\nperiod_s = 1\n", FAKE_GPIO_CHIP, LIGHT,
		HEART, BUTTON, sf.db, prom);
	fclose(f);

	rc = zp_openlog_run(argv, log, out, err);
	if (rc)
		zp_dump_file(err);
	ck_assert_msg(rc == 0, "the daemon child exited %d (10 + the daemon's exit code, or a set-up step)", rc);
	read_results(out, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.frames, FRAMES);
	ck_assert_int_eq(r.stalls, 0);
	ck_assert_int_eq(r.video_errors, 0);
	ck_assert_int_ge(r.activations, 1);

	/* the hook ran inside the sandbox */
	ck_assert_int_eq(r.tried, 1);
	ck_assert_int_eq(r.dumpable, 0);
	if (r.seccomp_available)
		ck_assert_int_eq(r.seccomp_mode, 2);

	/* the write set: the store's files, nothing else */
	check_log(log, allowed, attempts, &c);
	if (c.log.first_bad[0])
		zp_dump_file(log);
	ck_assert_msg(!c.log.first_bad[0], "zebrapad run opened for writing outside the store: %s", c.log.first_bad);
	ck_assert_msg(c.seen[0] >= 1 && c.seen[1] >= 1,
		      "the store and its WAL were not seen opened (%d, %d): is the shim working?", c.seen[0],
		      c.seen[1]);
	ck_assert_int_eq(c.attempts_seen, 2);   /* the shim saw both deliberate attempts */

	/* the attempt to write outside the data directory */
	if (r.landlock_abi > 0) {
		ck_assert_msg(r.create_rc == -1 && r.create_errno == EACCES, "creating %s inside the sandbox: rc %lld "
			      "errno %lld (want EACCES)", leak, r.create_rc, r.create_errno);
		ck_assert_msg(r.append_rc == -1 && r.append_errno == EACCES, "opening %s for writing inside the "
			      "sandbox: rc %lld errno %lld (want EACCES)", existing, r.append_rc, r.append_errno);
		ck_assert_int_eq(c.attempts_refused, 2);
		ck_assert_int_ne(stat(leak, &stt), 0);
		snprintf(buf, sizeof(buf), "beneath %s", data);
		ck_assert_msg(file_contains(err, buf), "the daemon did not log Landlock for %s", data);
	} else {
		fprintf(stderr, "SKIP: Landlock is not available in this kernel: the writes outside the data directory "
			"were not blocked (create %s: rc %lld); the write set was still checked\n", leak, r.create_rc);
	}
	f = fopen(existing, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "untouched\n");

	check_store(sf.db, &r, nzones);
	/* the health file, written from inside the sandbox by its own thread, says what the run did */
	snprintf(buf, sizeof(buf), "zebrapad_frames_total %d\n", (int)FRAMES);
	ck_assert_msg(file_contains(prom, buf), "%s does not hold '%s'", prom, buf);
	ck_assert_msg(file_contains(prom, "zebrapad_lights_state{state="), "%s: no lights state", prom);
	ck_assert_int_ge(c.seen[4], 1);   /* its temporary file, then renamed over it (allowed above) */
	ck_assert_int_ge(c.seen[5], 1);
	ck_assert_int_ne(stat(promtmp, &stt), 0);
	zp_test_tmpdir_remove(dir);
}
END_TEST

int main(int argc, char **argv)
{
	const struct zp_test_case cases[] = {
		{ .name = "write_set", .timeout_s = 240, .tests = ZP_TESTS(
			run_daemon_writes_only_the_store) },
	};

	if (argc == 5 && !strcmp(argv[1], "--daemon"))
		return daemon_child(argv[2], argv[3], argv[4]);
	return zp_test_run(ZP_TEST_SUITE("run_privacy", cases));
}
