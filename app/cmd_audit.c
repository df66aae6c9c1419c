/* SPDX-License-Identifier: MIT */
/*
 * cmd_audit.c - `zebrapad audit`: the privacy report, and `--live`: the
 * records the daemon would store, as they are made, from the camera or a
 * recording. Never pixels.
 *
 *   zebrapad audit --config FILE [--json] [--allow-preview]
 *   zebrapad audit --live --config FILE [--source FILE|DEVICE] [--interval S]
 *                  [--max-frames N] [--fps N] [--json] [--no-sandbox]
 *
 * Exit: 0 the audit passes; 1 the data directory holds something that is
 * not the counts store (each file is named), or a runtime failure; 2 bad
 * usage or config.
 */
#include "app.h"
#include "app_ground.h"

#include "capture.h"
#include "config.h"
#include "detector.h"
#include "lights.h"
#include "store.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

struct audit_opts {
	const char *config;
	const char *source;
	bool json;
	bool live;
	bool allow_preview;
	bool no_sandbox;
	int interval_s;
	long max_frames;
	double fps;
};

static void audit_usage(FILE *out)
{
	fprintf(out,
		"usage: zebrapad audit --config FILE [--json] [--allow-preview]\n"
		"       zebrapad audit --live --config FILE [--source FILE|DEVICE] [options]\n"
		"  -c, --config FILE    site config (INI)\n"
		"      --json           machine-readable output (live: one JSON object per line)\n"
		"      --allow-preview  a calibration-preview.png in the data directory is listed, not failed\n"
		"      --live           run the camera (or --source) through the detector and print each record\n"
		"                       the daemon would store, as its interval closes; nothing is written\n"
		"      --source S       a recording (video file, image folder) or a V4L2 device instead of\n"
		"                       the config's camera\n"
		"      --interval S     interval length for the live view, seconds (default: the config's)\n"
		"      --max-frames N   stop after N frames (default: until Ctrl-C or the recording ends)\n"
		"      --fps N          frame rate for a recording's frame times (default: the file's)\n"
		"      --no-sandbox     live: do not apply the sandbox (debugging)\n"
		"exit: 0 pass, 1 files other than the counts store found (or a failure), 2 bad usage/config\n");
}

static int parse_audit(int argc, char **argv, struct audit_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "allow-preview", no_argument, NULL, 'P' },
		{ "live", no_argument, NULL, 'l' },
		{ "source", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "max-frames", required_argument, NULL, 'n' },
		{ "fps", required_argument, NULL, 'f' },
		{ "no-sandbox", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, v;

	memset(o, 0, sizeof(*o));
	o->max_frames = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'j': o->json = true; break;
		case 'P': o->allow_preview = true; break;
		case 'l': o->live = true; break;
		case 's': o->source = optarg; break;
		case 'S': o->no_sandbox = true; break;
		case 'i':
			if (zp_opt_int("zebrapad audit", "--interval", optarg, 1, 3600, &o->interval_s))
				return ZP_EXIT_USAGE;
			break;
		case 'n':
			if (zp_opt_int("zebrapad audit", "--max-frames", optarg, 1, 1000000000, &v))
				return ZP_EXIT_USAGE;
			o->max_frames = v;
			break;
		case 'f':
			if (zp_opt_double("zebrapad audit", "--fps", optarg, 0.1, 1000, &o->fps))
				return ZP_EXIT_USAGE;
			break;
		case 'h': audit_usage(stdout); return -1;
		default: audit_usage(stderr); return ZP_EXIT_USAGE;
		}
	}
	if (optind != argc || !o->config) {
		fprintf(stderr, "zebrapad audit: expected --config FILE (and no other arguments)\n");
		audit_usage(stderr);
		return ZP_EXIT_USAGE;
	}
	if (!o->live && (o->source || o->interval_s || o->max_frames > 0 || o->fps > 0 || o->no_sandbox)) {
		fprintf(stderr, "zebrapad audit: --source, --interval, --max-frames, --fps and --no-sandbox go with --live\n");
		return ZP_EXIT_USAGE;
	}
	return ZP_EXIT_OK;
}

static int64_t wall_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the report ---- */

#ifdef ZP_HAVE_EXPORT
static void export_detail(void *ctx, FILE *out, bool json)
{
	const zp_config *cfg = ctx;

	zp_export_describe(&cfg->exp, cfg->store.path, out, json);
}
#endif

/* [export]: what leaves the device (export/describe.c), or nothing. */
static void export_info(const zp_config *cfg, zp_audit_info *info, char *desc, size_t len)
{
	if (!cfg->exp.broker[0])
		return;
	snprintf(desc, len, "the counts and the site's status, by zebrapad-export, to the MQTT broker %s port %d "
		 "(%s), as site %s", cfg->exp.broker, zp_export_port(&cfg->exp), cfg->exp.ca_file[0] ? "TLS" : "plain TCP",
		 cfg->exp.site);
	info->export_desc = desc;
#ifdef ZP_HAVE_EXPORT
	info->export_detail = export_detail;
	info->export_ctx = (void *)cfg;
#endif
}

static int audit_report(const struct audit_opts *o, const zp_config *cfg)
{
	const char *names[ZP_MAX_ZONES], *roles[ZP_MAX_ZONES];
	char desc[600];
	zp_audit_info info;
	char err[512];
	int rc;

	for (int z = 0; z < cfg->nzones; z++) {
		names[z] = cfg->zones[z].name;
		roles[z] = zp_zone_role_name(cfg->zones[z].role);
	}
	memset(&info, 0, sizeof(info));
	info.config_path = cfg->path[0] ? cfg->path : o->config;
	info.site_name = cfg->site.name;
	info.store = &cfg->store;
	info.nzones = cfg->nzones;
	info.zones = names;
	info.zone_roles = roles;
	info.camera_device = cfg->camera.device;
	info.gpio_chip = cfg->gpio.chip;
	export_info(cfg, &info, desc, sizeof(desc));
	info.health_file = cfg->health.prom_file;
	info.allow_preview = o->allow_preview;
	info.now_ms = wall_now_ms();
	rc = zp_audit_report(&info, stdout, o->json, err, sizeof(err));
	fflush(stdout);
	if (rc < 0) {
		fprintf(stderr, "zebrapad audit: %s\n", err);
		return ZP_EXIT_FAIL;
	}
	if (rc > 0) {
		fprintf(stderr, "zebrapad audit: FAIL: the data directory holds %d file%s that %s not the counts store "
			"(listed above)\n", rc, rc == 1 ? "" : "s", rc == 1 ? "is" : "are");
		return ZP_EXIT_FAIL;
	}
	return ZP_EXIT_OK;
}

/* ---- the live view ---- */

struct live {
	bool json;
	uint64_t rows;
};

static void fmt_utc(int64_t unix_s, char *buf, size_t n)
{
	time_t t = (time_t)unix_s;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, n, "%" PRId64, unix_s);
}

/* Each row exactly as the store would get it: no pixels, no person, no time finer than the interval. */
static void print_row(void *ctx, const zp_store_row *r)
{
	struct live *lv = ctx;
	char t[40];

	lv->rows++;
	if (lv->json) {
		printf("{\"interval_start\": %" PRId64 ", \"interval_s\": %d, \"zone\": \"%s\"", r->interval_start,
		       r->interval_s, r->zone);
		if (r->entered >= 0)
			printf(", \"entered\": %" PRId64 ", \"occupied_s\": %.3f}\n", r->entered, r->occupied_s);
		else
			printf(", \"light_activations\": %" PRId64 ", \"light_on_s\": %.3f, \"fault_s\": %.3f}\n",
			       r->light_activations, r->light_on_s, r->fault_s);
	} else {
		fmt_utc(r->interval_start, t, sizeof(t));
		if (r->entered >= 0)
			printf("%s  %4ds  %-16s entered %-4" PRId64 " occupied %6.1f s\n", t, r->interval_s, r->zone,
			       r->entered, r->occupied_s);
		else
			printf("%s  %4ds  %-16s lights on %" PRId64 "x %6.1f s  fail-safe %6.1f s\n", t, r->interval_s,
			       "* (crossing)", r->light_activations, r->light_on_s, r->fault_s);
	}
	fflush(stdout);
}

static bool is_device(const char *s)
{
	return !strncmp(s, "/dev/", 5);
}

/* V4L2 device nodes have character major 81 (Linux's video4linux); any other device never gives a frame. */
#define V4L2_MAJOR 81

/* A --source that is a device but not a camera (/dev/null, a disk, a tty): 0 when it may be one. */
static int refuse_non_camera(const char *source)
{
	struct stat st;

	if (stat(source, &st) != 0)
		return 0;    /* not there yet: the camera may come */
	if (S_ISCHR(st.st_mode) && major(st.st_rdev) == V4L2_MAJOR)
		return 0;
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return 0;
	fprintf(stderr, "zebrapad audit: %s: not a V4L2 camera (a %s); expected a camera, a video file or an image "
		"folder\n", source, S_ISCHR(st.st_mode) ? "character device" : S_ISBLK(st.st_mode) ? "block device" :
		S_ISFIFO(st.st_mode) ? "FIFO" : "special file");
	return ZP_EXIT_USAGE;
}

/* true when SIGINT or SIGTERM is pending (they are blocked, so no handler and no global flag). */
static bool stop_requested(const sigset_t *set)
{
	struct timespec zero = { 0, 0 };

	return sigtimedwait(set, NULL, &zero) > 0;
}

/*
 * What one frame (or a tick without one) adds to the counts: the time since
 * the previous one is accounted with the state that held during it (the
 * previous frame's occupancy and light state); entries count now.
 */
struct feed {
	bool started;
	int64_t last_t_ms;
	bool occupied[ZP_MAX_ZONES];
	zp_light_state state;
	uint64_t activations;
};

static int feed_store(zp_store *st, struct feed *fd, const zp_lights *l, int64_t t_ms, int64_t wall_ms,
		      const zp_result *r, int nzones)
{
	zp_store_sample smp;

	memset(&smp, 0, sizeof(smp));
	smp.wall_ms = wall_ms;
	smp.dt_ms = fd->started && t_ms > fd->last_t_ms ? t_ms - fd->last_t_ms : 0;
	for (int z = 0; z < nzones; z++)
		smp.occupied[z] = fd->occupied[z];
	smp.light_on = fd->started && fd->state == ZP_LIGHT_ON;
	smp.fault = fd->started && fd->state == ZP_LIGHT_FAILSAFE;
	smp.light_activations = (int)(l->activations - fd->activations);
	for (int z = 0; r && z < nzones; z++)
		smp.entered[z] += r->zone_entered[z];
	if (r)
		for (int z = 0; z < nzones; z++)
			fd->occupied[z] = r->zone_count[z] > 0;
	fd->state = l->state;
	fd->activations = l->activations;
	fd->last_t_ms = t_ms;
	fd->started = true;
	return zp_store_account(st, &smp);
}

static void print_sandbox_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("#   %s\n", line);
}

/* What this process (the live view) is kept from, in the words `run` logs for itself. */
static void print_sandbox(const zp_sandbox_status *sb, bool applied, bool json)
{
	if (json)
		return;
	if (!applied) {
		printf("# sandbox: not applied (--no-sandbox)\n");
		return;
	}
	printf("# sandbox of this live view:\n");
	zp_sandbox_describe(sb, print_sandbox_line, NULL);
}

static int audit_live(const struct audit_opts *o, zp_config *cfg)
{
	const char *names[ZP_MAX_ZONES];
	zp_store_params sp = cfg->store;
	zp_sandbox_status sb;
	zp_sandbox_opts so;
	struct live lv = { .json = o->json };
	struct feed fd;
	zp_detector *det = NULL;
	zp_homography ground = { .valid = false };
	zp_source *src = NULL;
	zp_store *st = NULL;
	zp_result *r = NULL;
	zp_lights lights;
	sigset_t stop;
	char err[512];
	const char *source = o->source ? o->source : cfg->camera.device;
	bool camera = is_device(source);
	int64_t wall0 = 0, t0 = 0;
	long frames = 0;
	int code = 0, rc = ZP_EXIT_FAIL, w = 0, h = 0, last_err = 0;

	memset(&fd, 0, sizeof(fd));
	if (refuse_non_camera(source))
		return ZP_EXIT_USAGE;
	for (int z = 0; z < cfg->nzones; z++)
		names[z] = cfg->zones[z].name;
	if (o->interval_s)
		sp.interval_s = o->interval_s;
	st = zp_store_open(&sp, names, cfg->nzones, ZP_STORE_DRY_RUN, NULL, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "zebrapad audit: %s: %s\n", cfg->path, err);
		return ZP_EXIT_USAGE;
	}
	zp_store_set_sink(st, print_row, &lv);
	r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "zebrapad audit: out of memory\n");
		goto out;
	}

	if (camera) {
		zp_strlcpy(cfg->camera.device, source, sizeof(cfg->camera.device));
		cfg->camera.want_bgr = cfg->detector.shadows == 2; /* the same frames as `run` */
		src = zp_source_open_v4l2(&cfg->camera, &code, err, sizeof(err));
	} else {
		src = zp_source_open_file(source, o->fps, &code, err, sizeof(err));
	}
	if (!src) {
		fprintf(stderr, "zebrapad audit: %s\n", err);
		rc = ZP_EXIT_USAGE;
		goto out;
	}

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);

	/* the source is open: from here on this process can write no file at all */
	zp_sandbox_opts_default(&so);
	so.data_dir = NULL;
	memset(&sb, 0, sizeof(sb));
	if (!o->no_sandbox && zp_sandbox_apply(&so, &sb, err, sizeof(err))) {
		fprintf(stderr, "zebrapad audit: %s\n", err);
		goto out;
	}
	if (!o->json) {
		printf("# live view: the records the daemon would store for %s, as each %d-second interval closes.\n"
		       "# Nothing is written; no picture is shown or kept. Ctrl-C stops.\n", source, sp.interval_s);
		print_sandbox(&sb, !o->no_sandbox, o->json);
		fflush(stdout);
	}

	while (o->max_frames < 0 || frames < o->max_frames) {
		zp_frame f;
		int e;

		if (stop_requested(&stop))
			break;
		e = zp_source_next(src, &f, cfg->camera.timeout_ms > 0 ? cfg->camera.timeout_ms : 1000);
		if (e == ZP_EOF)
			break;
		if (e) {
			if (!camera) {
				fprintf(stderr, "zebrapad audit: %s: %s\n", source, zp_source_error(src));
				goto out;
			}
			/* the camera is away: time passes without frames, the controller goes fail-safe */
			if (e != last_err)
				fprintf(stderr, "zebrapad audit: %s (waiting for the camera)\n", zp_source_error(src));
			last_err = e;
			if (det) {
				int64_t now = zp_now_ms();

				zp_lights_tick(&lights, now);
				if (feed_store(st, &fd, &lights, now, wall0 + (now - t0), NULL, cfg->nzones) == ZP_EINVAL)
					goto out;
			}
			continue;
		}
		last_err = 0;
		if (!det) {
			w = f.width;
			h = f.height;
			if (zp_config_check_frame(cfg, w, h, err, sizeof(err))) {
				fprintf(stderr, "zebrapad audit: %s\n", err);
				rc = ZP_EXIT_USAGE;
				goto out;
			}
			if (zp_app_ground(cfg, &ground, NULL, err, sizeof(err))) {
				fprintf(stderr, "zebrapad audit: %s\n", err);
				rc = ZP_EXIT_USAGE;
				goto out;
			}
			/* the same blob filter as the daemon: ground-plane sizes when [ground] is given */
			det = zp_detector_new(&cfg->detector, cfg->zones, cfg->nzones, w, h, ground.valid ? &ground : NULL,
					      err, sizeof(err));
			if (!det) {
				fprintf(stderr, "zebrapad audit: %s: %s\n", cfg->path, err);
				rc = ZP_EXIT_USAGE;
				goto out;
			}
			zp_lights_init(&lights, &cfg->lights, f.t_ms);
			wall0 = wall_now_ms();
			t0 = f.t_ms;
		}
		if (zp_detector_process(det, &f, r)) {
			fprintf(stderr, "zebrapad audit: frame %llu: size changed from %dx%d to %dx%d\n",
				(unsigned long long)f.seq, w, h, f.width, f.height);
			goto out;
		}
		zp_lights_frame(&lights, f.t_ms, zp_result_occupied(r), r->health == ZP_HEALTH_OK, r->model_ready);
		if (feed_store(st, &fd, &lights, f.t_ms, wall0 + (f.t_ms - t0), r, cfg->nzones) == ZP_EINVAL)
			goto out;
		frames++;
	}
	if (!o->json)
		printf("# stopped after %ld frames; the interval in progress, as it stands:\n", frames);
	rc = ZP_EXIT_OK;
out:
	zp_store_close(st); /* a dry run: prints the interval in progress */
	if (!o->json && rc == ZP_EXIT_OK)
		printf("# %" PRIu64 " records; none were written anywhere\n", lv.rows);
	zp_detector_free(det);
	zp_source_free(src); /* zeroes the frame buffers */
	free(r);
	return rc;
}

int zp_cmd_audit(int argc, char **argv)
{
	struct audit_opts o;
	zp_config *cfg;
	char err[512];
	int rc = parse_audit(argc, argv, &o);

	if (rc)
		return rc < 0 ? ZP_EXIT_OK : rc;
	cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		fprintf(stderr, "zebrapad audit: out of memory\n");
		return ZP_EXIT_FAIL;
	}
	if (zp_config_load(o.config, cfg, err, sizeof(err))) {
		fprintf(stderr, "zebrapad audit: %s\n", err);
		free(cfg);
		return ZP_EXIT_USAGE;
	}
	rc = o.live ? audit_live(&o, cfg) : audit_report(&o, cfg);
	free(cfg);
	return rc;
}
