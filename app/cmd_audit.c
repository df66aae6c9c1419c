/* SPDX-License-Identifier: MIT */
/*
 * cmd_audit.c - `zebrapad audit`: the privacy report, and `--live`: the
 * records the daemon would store, as they are made, from the camera or a
 * recording. Never pixels.
 *
 *   zebrapad audit --config FILE [--json] [--allow-preview]
 *   zebrapad audit --live --config FILE [--source FILE|DEVICE] [--interval S]
 *                  [--max-frames N] [--fps N] [--start-time T] [--json] [--no-sandbox]
 *
 * Exit: 0 the audit passes; 1 the data directory holds something that is
 * not the counts store (each file is named), or a runtime failure; 2 bad
 * usage or config.
 */
#include "app.h"
#include "cli.h"

#include "capture.h"
#include "chain.h"
#include "config.h"
#include "detector.h"
#include "lights.h"
#include "sampler.h"
#include "store.h"
#if ZP_HAVE_JSON
#include "json.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

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
	bool start_time_set;
	int64_t start_time_ms;
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
		"  -s, --source S       a recording (video file, image folder) or a V4L2 device instead of\n"
		"                       the config's camera\n"
		"      --interval S     interval length for the live view, seconds (default: the config's)\n"
		"      --max-frames N   stop after N frames (default: until Ctrl-C or the recording ends)\n"
		"      --fps N          frame rate for a recording's frame times (default: the file's)\n"
		"      --start-time T   a recording's first frame is at this wall-clock time, Unix seconds\n"
		"                       or YYYY-MM-DDTHH:MM:SSZ (default: now); as `run --start-time`\n"
		"      --no-sandbox     live: do not apply the sandbox (debugging)\n"
		"exit: 0 pass, 1 files other than the counts store found (or a failure), 2 bad usage/config\n");
}

static int parse_audit(int argc, char **argv, struct audit_opts *o)
{
	const zp_opt opts[] = {
		{ "config", 'c', ZP_OPT_STR, .to.str = &o->config },
		{ "json", 0, ZP_OPT_TRUE, .to.flag = &o->json },
		{ "allow-preview", 0, ZP_OPT_TRUE, .to.flag = &o->allow_preview },
		{ "live", 0, ZP_OPT_TRUE, .to.flag = &o->live },
		{ "source", 's', ZP_OPT_STR, .to.str = &o->source },
		{ "interval", 0, ZP_OPT_INT, .to.i = &o->interval_s, .min = 1, .max = 3600 },
		{ "max-frames", 0, ZP_OPT_LONG, .to.l = &o->max_frames, .min = 1, .max = 1000000000 },
		{ "fps", 0, ZP_OPT_DOUBLE, .to.d = &o->fps, .min = 0.1, .max = 1000 },
		{ "start-time", 0, ZP_OPT_TIME, .to.ms = &o->start_time_ms, .set = &o->start_time_set },
		{ "no-sandbox", 0, ZP_OPT_TRUE, .to.flag = &o->no_sandbox },
	};
	int rc;

	memset(o, 0, sizeof(*o));
	o->max_frames = -1;
	rc = zp_opts_parse("zebrapad audit", opts, sizeof(opts) / sizeof(opts[0]), audit_usage, argc, argv);
	if (rc)
		return rc;
#if !ZP_HAVE_JSON
	if (o->json) {
		fprintf(stderr, "zebrapad audit: --json is not in this build (built without cJSON)\n");
		return ZP_EXIT_USAGE;
	}
#endif
	if (optind != argc || !o->config) {
		fprintf(stderr, "zebrapad audit: expected --config FILE (and no other arguments)\n");
		audit_usage(stderr);
		return ZP_EXIT_USAGE;
	}
	if (!o->live && (o->source || o->interval_s || o->max_frames > 0 || o->fps > 0 || o->no_sandbox ||
			 o->start_time_set)) {
		fprintf(stderr, "zebrapad audit: --source, --interval, --max-frames, --fps, --start-time and --no-sandbox "
			"go with --live\n");
		return ZP_EXIT_USAGE;
	}
	return ZP_EXIT_OK;
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
	info.now_ms = zp_wall_ms();
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

/* A row as one JSON line: the zone's counts, or the crossing's lights and fail-safe time. */
static void live_row_json(const zp_store_row *r)
{
#if ZP_HAVE_JSON
	cJSON *o = cJSON_CreateObject();

	zp_json_add_int(o, "interval_start", r->interval_start);
	zp_json_add_int(o, "interval_s", r->interval_s);
	zp_json_add_str(o, "zone", r->zone);
	if (r->entered >= 0) {
		zp_json_add_int(o, "entered", r->entered);
		zp_json_add_num(o, "occupied_s", r->occupied_s, 3);
		if (r->crossed_a_to_b >= 0) {
			zp_json_add_int(o, "crossed_a_to_b", r->crossed_a_to_b);
			zp_json_add_int(o, "crossed_b_to_a", r->crossed_b_to_a);
		}
	} else {
		zp_json_add_int(o, "light_activations", r->light_activations);
		zp_json_add_num(o, "light_on_s", r->light_on_s, 3);
		zp_json_add_num(o, "fault_s", r->fault_s, 3);
	}
	if (zp_json_write(stdout, o, false))
		fprintf(stderr, "zebrapad audit: a row could not be written as JSON (out of memory)\n");
	cJSON_Delete(o);
#else
	(void)r;   /* parse_audit refuses --json in a build without cJSON */
#endif
}

/* Each row exactly as the store would get it: no pixels, no person, no time finer than the interval. */
static void print_row(void *ctx, const zp_store_row *r)
{
	struct live *lv = ctx;
	char t[40];

	lv->rows++;
	if (lv->json) {
		live_row_json(r);
	} else {
		zp_fmt_utc(r->interval_start, true, t, sizeof(t));
		if (r->entered >= 0 && r->crossed_a_to_b >= 0)
			printf("%s  %4ds  %-16s entered %-4" PRId64 " occupied %6.1f s  crossed A->B %" PRId64 ", B->A %"
			       PRId64 "\n", t, r->interval_s, r->zone, r->entered, r->occupied_s, r->crossed_a_to_b,
			       r->crossed_b_to_a);
		else if (r->entered >= 0)
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

/*
 * The live view: frames from the camera or a recording through the
 * daemon's own step (pipeline/chain.h: detector -> controller -> sampler),
 * each closed row printed instead of handed to the store's writer. No GPIO
 * line is touched (the daemon may hold them) and there is no push button:
 * the lights are what the camera alone would make of the scene. A camera
 * runs on the clocks as the daemon does (the loop's time is the monotonic
 * clock, the rows' the wall clock); a recording on its own frame times from
 * --start-time, as `run --fast --start-time` does, so the two print the
 * same rows for it.
 */
static int audit_live(const struct audit_opts *o, zp_config *cfg, zp_runlog *log)
{
	int interval_s = o->interval_s ? o->interval_s : cfg->store.interval_s;
	zp_sandbox_status sb;
	zp_sandbox_opts so;
	struct live lv = { .json = o->json };
	zp_chain ch;
	zp_chain_in in;
	zp_chain_out out;
	zp_homography ground = { .valid = false };
	zp_source *src = NULL;
	zp_result *r = NULL;
	sigset_t stop;
	char err[512];
	const char *source = o->source ? o->source : cfg->camera.device;
	bool camera = is_device(source), started = false;
	int64_t wall0 = 0, t0 = 0;
	int wait_ms = cfg->lights.stall_ms / 4 > 0 ? cfg->lights.stall_ms / 4 : 1;
	long frames = 0;
	int code = 0, rc = ZP_EXIT_FAIL, last_err = 0;

	if (refuse_non_camera(source))
		return ZP_EXIT_USAGE;
	if (camera && o->start_time_set) {
		fprintf(stderr, "zebrapad audit: --start-time goes with a recording (the camera runs on the clock)\n");
		return ZP_EXIT_USAGE;
	}
	/* the same blob filter as the daemon: ground-plane sizes when [ground] is given */
	if (zp_config_ground(cfg, &ground, NULL, err, sizeof(err))) {
		fprintf(stderr, "zebrapad audit: %s\n", err);
		return ZP_EXIT_USAGE;
	}
	/* the daemon's chain and sampler: each row exactly as the store would get it */
	if (zp_chain_init(&ch, cfg, &ground, interval_s, print_row, &lv, err, sizeof(err))) {
		fprintf(stderr, "zebrapad audit: %s: %s\n", cfg->path, err);
		return ZP_EXIT_USAGE;
	}
	memset(&in, 0, sizeof(in));
	in.count = true;
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

	zp_block_stop_signals(&stop);

	/* the source is open: from here on this process can write no file at all */
	zp_sandbox_opts_default(&so);
	so.data_dir = NULL;
	so.nkeep_fds = zp_runlog_fds(log, so.keep_fds);   /* the log hand-off's pipe and the real stderr */
	memset(&sb, 0, sizeof(sb));
	if (!o->no_sandbox && zp_sandbox_apply(&so, &sb, err, sizeof(err))) {
		fprintf(stderr, "zebrapad audit: %s\n", err);
		goto out;
	}
	if (log && zp_runlog_start(log) != 0)   /* inside the sandbox, like the daemon's */
		fprintf(stderr, "zebrapad audit: warning: library messages are not rate-limited (no thread)\n");
	if (!o->json) {
		printf("# live view: the records the daemon would store for %s, as each %d-second interval closes.\n"
		       "# Nothing is written; no picture is shown or kept. Ctrl-C stops.\n", source, interval_s);
		print_sandbox(&sb, !o->no_sandbox, o->json);
		fflush(stdout);
	}

	while (o->max_frames < 0 || frames < o->max_frames) {
		zp_frame f;
		int e;

		if (stop_requested(&stop))
			break;
		/* as the daemon: the controller hears at least every stall_ms/4, frames or not */
		e = zp_source_next(src, &f, wait_ms);
		if (e == ZP_EOF)
			break;
		if (e) {
			if (!camera) {
				fprintf(stderr, "zebrapad audit: %s: %s\n", source, zp_source_error(src));
				goto out;
			}
			/* no frame yet, or the camera is away: time passes, the controller may go fail-safe */
			if (e != ZP_EAGAIN && e != last_err)
				fprintf(stderr, "zebrapad audit: %s (waiting for the camera)\n", zp_source_error(src));
			if (e != ZP_EAGAIN)
				last_err = e;
			if (started) {
				in.now_ms = zp_now_ms();
				in.wall_ms = zp_wall_ms();
				zp_chain_idle(&ch, &in, &out);
				if (out.sampler_rc < 0)
					goto out;
			}
			continue;
		}
		last_err = 0;
		if (!started) {
			/* the first frame's size: zones that do not fit it are bad input */
			if (zp_chain_size(&ch, f.width, f.height, NULL, err, sizeof(err)) < 0) {
				fprintf(stderr, "zebrapad audit: %s\n", err);
				rc = ZP_EXIT_USAGE;
				goto out;
			}
			t0 = camera ? zp_now_ms() : f.t_ms;
			wall0 = o->start_time_set ? o->start_time_ms : zp_wall_ms();
			zp_chain_start(&ch, t0);
			started = true;
		}
		/* a camera: the loop's time is the monotonic clock at the frame, its frame time in the same base,
		   the rows' the wall clock; a recording: its frame times, from wall0 */
		in.now_ms = camera ? zp_now_ms() : f.t_ms;
		in.t_frame_ms = f.t_ms;
		in.wall_ms = camera ? zp_wall_ms() : wall0 + (f.t_ms - t0);
		if (zp_chain_frame(&ch, &f, &in, r, &out) && out.err[0])
			fprintf(stderr, "zebrapad audit: %s (frame %llu is %dx%d: counted as no frame)\n", out.err,
				(unsigned long long)f.seq, f.width, f.height);
		if (out.sampler_rc < 0)
			goto out;
		frames++;
	}
	if (!o->json)
		printf("# stopped after %ld frames; the interval in progress, as it stands:\n", frames);
	rc = ZP_EXIT_OK;
out:
	zp_chain_flush(&ch); /* prints the interval in progress */
	if (!o->json && rc == ZP_EXIT_OK)
		printf("# %" PRIu64 " records; none were written anywhere\n", lv.rows);
	zp_chain_free(&ch);
	zp_source_free(src); /* zeroes the frame buffers */
	free(r);
	return rc;
}

static int audit_main(int argc, char **argv, const zp_cmd_env *env, zp_runlog **logp)
{
	struct audit_opts o;
	zp_config *cfg;
	zp_runlog *log;
	char err[512];
	int rc = parse_audit(argc, argv, &o);

	if (rc)
		return rc < 0 ? ZP_EXIT_OK : rc;
	if (zp_runlog_begin(&log, 64 << 10, err, sizeof(err)) != 0)
		log = NULL;
	*logp = log;
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
	cfg->detector.simd = env->simd;
	cfg->camera.simd = env->simd;
	cfg->camera.io = zp_v4l2_io_choose(env->v4l2_io, env->ld_preload);
	if (!o.live && log && zp_runlog_start(log) != 0)
		fprintf(stderr, "zebrapad audit: warning: library messages are not rate-limited (no thread)\n");
	rc = o.live ? audit_live(&o, cfg, log) : audit_report(&o, cfg);
	free(cfg);
	return rc;
}

/*
 * Library messages (FFmpeg about a corrupt recording, libv4l2) tagged and
 * rate-limited, as in every command (zp_runlog_command). audit_main puts the
 * hand-off in place once the options are read, and starts its drain thread
 * at once, or with --live only after the sandbox, so that it runs inside
 * it, as the daemon's does.
 */
int zp_cmd_audit(int argc, char **argv, const zp_cmd_env *env)
{
	return zp_runlog_command(audit_main, argc, argv, env);
}
