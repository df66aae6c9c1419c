/* SPDX-License-Identifier: MIT */
/*
 * cmd_replay.c - `zebrapad replay --source SOURCE --config FILE [options]`: a recording
 * through the whole pipeline (capture -> detector -> lights -> simulated
 * line), a summary, and the tuning outputs (fixed formats, see README).
 *
 * Everything written to files is a function of the input and the config
 * only (no wall clock), so two replays give byte-identical files.
 */
#include "app.h"
#include "cli.h"
#include "pipeline.h"

#include "cvwrap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

/* Progress lines in a log only for a replay that takes longer than this (a short one stays silent). */
#define REPLAY_QUIET_MS 10000

struct replay_opts {
	const char *source;
	const char *config;
	const char *zones_out;
	const char *tracks_out;
	const char *masks_out;
	const char *lights_out;
	const char *overlay_out;
	double fps;
	long max_frames;
	bool quiet;
};

static void replay_usage(FILE *out)
{
	fprintf(out,
		"usage: zebrapad replay --source SOURCE --config FILE [options]\n"
		"       zebrapad replay SOURCE --config FILE [options]   (the same; SOURCE positional)\n"
		"  -s, --source SOURCE    video file, folder of numbered images, or CDnet folder (input/)\n"
		"  -c, --config FILE      site config (INI)\n"
		"      --zones-out F      CSV frame,zone,count (one row per frame per zone)\n"
		"      --tracks-out F     MOTChallenge CSV frame,id,left,top,width,height,conf,-1,-1,-1\n"
		"      --lights-out F     CSV frame,t_ms,state (off, on, failsafe)\n"
		"                         (F = -: standard output, one of the three; the summary then goes\n"
		"                         to standard error)\n"
		"      --masks-out DIR    foreground masks DIR/bin000001.png ... (0/255, input size)\n"
		"      --overlay-out F    video with zones, tracks and light state drawn (.avi or .mp4)\n"
		"      --fps N            frame rate for frame times (default: the file's; images 25)\n"
		"      --max-frames N     stop after N frames\n"
		"  -q, --quiet            print only the summary\n"
		"exit: 0 done, 1 runtime failure (an output could not be written, a frame failed),\n"
		"      2 bad input (usage, config, source, an output that cannot be opened)\n");
}

static int parse_replay(int argc, char **argv, struct replay_opts *o)
{
	const zp_opt opts[] = {
		{ "source", 's', ZP_OPT_STR, .to.str = &o->source },
		{ "config", 'c', ZP_OPT_STR, .to.str = &o->config },
		{ "zones-out", 0, ZP_OPT_STR, .to.str = &o->zones_out },
		{ "tracks-out", 0, ZP_OPT_STR, .to.str = &o->tracks_out },
		{ "masks-out", 0, ZP_OPT_STR, .to.str = &o->masks_out },
		{ "lights-out", 0, ZP_OPT_STR, .to.str = &o->lights_out },
		{ "overlay-out", 0, ZP_OPT_STR, .to.str = &o->overlay_out },
		{ "fps", 0, ZP_OPT_DOUBLE, .to.d = &o->fps, .min = 0.1, .max = 1000 },
		{ "max-frames", 0, ZP_OPT_LONG, .to.l = &o->max_frames, .min = 1, .max = 1000000000 },
		{ "quiet", 'q', ZP_OPT_TRUE, .to.flag = &o->quiet },
	};
	int rc;

	memset(o, 0, sizeof(*o));
	o->max_frames = -1;
	rc = zp_opts_parse("zebrapad replay", opts, sizeof(opts) / sizeof(opts[0]), replay_usage, argc, argv);
	if (rc)
		return rc;
	if (zp_opt_source("zebrapad replay", argc, argv, optind, &o->source))
		return ZP_EXIT_USAGE;
	if (!o->source || !o->config) {
		fprintf(stderr, "zebrapad replay: expected --source SOURCE and --config FILE (missing %s)\n",
			!o->source ? "--source" : "--config");
		replay_usage(stderr);
		return ZP_EXIT_USAGE;
	}
	/* "-": standard output, for one CSV; not for the pictures */
	if ((zp_opt_is_stdout(o->zones_out) + zp_opt_is_stdout(o->tracks_out) + zp_opt_is_stdout(o->lights_out)) > 1) {
		fprintf(stderr, "zebrapad replay: only one of --zones-out, --tracks-out, --lights-out can be - "
				"(standard output)\n");
		return ZP_EXIT_USAGE;
	}
	if (zp_opt_is_stdout(o->masks_out) || zp_opt_is_stdout(o->overlay_out)) {
		fprintf(stderr, "zebrapad replay: %s -: images go to a %s, not to standard output\n",
			zp_opt_is_stdout(o->masks_out) ? "--masks-out" : "--overlay-out",
			zp_opt_is_stdout(o->masks_out) ? "folder" : "video file");
		return ZP_EXIT_USAGE;
	}
	return ZP_EXIT_OK;
}

/* Open an output file ("-": standard output); a message naming it on failure. */
static FILE *open_out(const char *path, const char *header)
{
	FILE *f = zp_opt_is_stdout(path) ? stdout : fopen(path, "w");

	if (!f) {
		fprintf(stderr, "zebrapad replay: %s: cannot write (%s)\n", path, strerror(errno));
		return NULL;
	}
	if (header)
		fputs(header, f);
	return f;
}

struct replay_out {
	FILE *zones, *tracks, *lights;
	const char *zones_path, *tracks_path, *lights_path, *overlay_path;
	zp_cv_writer *overlay;
	bool overlay_failed;   /* already reported: not checked again at the end */
	uint8_t *canvas;   /* overlay frame (BGR) */
	uint8_t *mask;     /* input-size mask */
	char maskdir[512];
};

/* A write error on an output so far (a full disk): a message naming the file. */
static int check_out(FILE *f, const char *path)
{
	if (f && ferror(f)) {
		fprintf(stderr, "zebrapad replay: %s: write failed (%s): the file is incomplete\n", path,
			errno ? strerror(errno) : "I/O error");
		return ZP_EXIT_FAIL;
	}
	return ZP_EXIT_OK;
}

/* Close one output: its last bytes are written here, so a full disk shows up here too. */
static int close_out(FILE *f, const char *path)
{
	int rc;

	if (!f)
		return ZP_EXIT_OK;
	errno = 0;
	rc = check_out(f, path);
	if ((f == stdout ? fflush(f) : fclose(f)) != 0 && !rc) {
		fprintf(stderr, "zebrapad replay: %s: write failed (%s): the file is incomplete\n", path,
			strerror(errno));
		rc = ZP_EXIT_FAIL;
	}
	return rc;
}

/* Close every output; ZP_EXIT_FAIL when any of them could not be written whole. */
static int close_outputs(struct replay_out *o)
{
	int rc = close_out(o->zones, o->zones_path);

	rc |= close_out(o->tracks, o->tracks_path);
	rc |= close_out(o->lights, o->lights_path);
	o->zones = o->tracks = o->lights = NULL;
	if (o->overlay) {
		char err[512];

		if (o->overlay_failed) {
			zp_cv_writer_close(o->overlay);
		} else if (zp_cv_writer_finish(o->overlay, err, sizeof(err))) {
			fprintf(stderr, "zebrapad replay: %s\n", err);
			rc = ZP_EXIT_FAIL;
		}
	}
	o->overlay = NULL;
	free(o->canvas);
	free(o->mask);
	o->canvas = o->mask = NULL;
	return rc ? ZP_EXIT_FAIL : ZP_EXIT_OK;
}

static int open_outputs(const struct replay_opts *ro, struct replay_out *o, int w, int h, double fps)
{
	char err[256];

	o->zones_path = ro->zones_out;
	o->tracks_path = ro->tracks_out;
	o->lights_path = ro->lights_out;
	o->overlay_path = ro->overlay_out;
	if (ro->zones_out && !(o->zones = open_out(ro->zones_out, "frame,zone,count\n")))
		return ZP_EXIT_USAGE;
	if (ro->tracks_out && !(o->tracks = open_out(ro->tracks_out, NULL)))
		return ZP_EXIT_USAGE;
	if (ro->lights_out && !(o->lights = open_out(ro->lights_out, "frame,t_ms,state\n")))
		return ZP_EXIT_USAGE;
	if (ro->masks_out) {
		if (mkdir(ro->masks_out, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "zebrapad replay: %s: cannot create folder (%s)\n", ro->masks_out,
				strerror(errno));
			return ZP_EXIT_USAGE;
		}
		zp_strlcpy(o->maskdir, ro->masks_out, sizeof(o->maskdir));
		o->mask = malloc((size_t)w * h);
		if (!o->mask)
			return ZP_EXIT_FAIL;
	}
	if (ro->overlay_out) {
		o->overlay = zp_cv_writer_open(ro->overlay_out, fps > 0 ? fps : 25, w, h, err, sizeof(err));
		if (!o->overlay) {
			fprintf(stderr, "zebrapad replay: %s\n", err);
			return ZP_EXIT_USAGE;
		}
		o->canvas = malloc((size_t)w * h * 3);
		if (!o->canvas)
			return ZP_EXIT_FAIL;
	}
	return ZP_EXIT_OK;
}

static int write_frame_outputs(struct replay_out *o, const zp_pipeline *pl, const zp_frame *f,
			       const zp_result *r, zp_light_state st)
{
	const zp_config *cfg = &pl->cfg;
	char err[256];

	if (o->zones)
		for (int z = 0; z < cfg->nzones; z++)
			fprintf(o->zones, "%llu,%s,%d\n", (unsigned long long)f->seq, cfg->zones[z].name,
				r->zone_count[z]);
	if (o->tracks)
		for (int i = 0; i < r->ntracks; i++) {
			const zp_track_info *t = &r->tracks[i];

			if (t->confirmed)
				fprintf(o->tracks, "%llu,%d,%d,%d,%d,%d,1,-1,-1,-1\n", (unsigned long long)f->seq,
					t->id, t->box.x, t->box.y, t->box.w, t->box.h);
		}
	if (o->lights)
		fprintf(o->lights, "%llu,%lld,%s\n", (unsigned long long)f->seq, (long long)f->t_ms,
			zp_light_state_name(st));
	if (check_out(o->zones, o->zones_path) || check_out(o->tracks, o->tracks_path) ||
	    check_out(o->lights, o->lights_path))
		return ZP_EXIT_FAIL;
	if (o->mask) {
		char path[600];

		zp_detector_mask(pl->chain.det, o->mask, f->width);
		snprintf(path, sizeof(path), "%s/bin%06llu.png", o->maskdir, (unsigned long long)f->seq);
		if (zp_cv_imwrite(path, o->mask, f->width, f->height, f->width, 1, err, sizeof(err))) {
			fprintf(stderr, "zebrapad replay: %s\n", err);
			return ZP_EXIT_FAIL;
		}
	}
	if (o->overlay) {
		zp_pipeline_draw_overlay(pl, f, r, st, o->canvas);
		if (zp_cv_writer_write(o->overlay, o->canvas, f->width * 3)) {
			fprintf(stderr, "zebrapad replay: %s: cannot write overlay frame %llu\n", o->overlay_path,
				(unsigned long long)f->seq);
			o->overlay_failed = true;
			return ZP_EXIT_FAIL;
		}
	}
	return ZP_EXIT_OK;
}

int zp_cmd_replay(int argc, char **argv, const zp_cmd_env *env)
{
	struct replay_opts ro;
	struct replay_out out;
	zp_pipeline pl;
	zp_result *r;
	int rc, e;
	int64_t t0, t1;
	bool progress, csv_on_stdout;
	zp_runlog *log;
	zp_progress pg;
	long total;
	bool tty;

	rc = parse_replay(argc, argv, &ro);
	if (rc)
		return rc < 0 ? ZP_EXIT_OK : rc;
	/* FFmpeg's own messages about a corrupt file: tagged and at most 20 a minute (cli.h) */
	log = zp_runlog_tool(&tty);
	progress = !ro.quiet;
	memset(&out, 0, sizeof(out));
	r = calloc(1, sizeof(*r));
	if (!r) {
		zp_runlog_end(log, 1000);
		return ZP_EXIT_FAIL;
	}
	rc = zp_pipeline_open(&pl, "zebrapad replay", ro.config, ro.source, ro.fps, env->simd);
	if (rc) {
		free(r);
		zp_runlog_end(log, 1000);
		return rc;
	}
	rc = open_outputs(&ro, &out, pl.width, pl.height, zp_source_fps(pl.src));
	if (rc)
		goto done;

	t0 = zp_now_ms();
	total = zp_source_frame_count(pl.src);
	if (ro.max_frames >= 0 && (total <= 0 || ro.max_frames < total))
		total = ro.max_frames;
	zp_progress_begin(&pg, stderr, tty, "zebrapad replay", "frames", total, t0);
	pg.quiet_ms = REPLAY_QUIET_MS;
	for (;;) {
		zp_frame f;
		zp_light_state st;

		if (ro.max_frames >= 0 && (long)pl.frames >= ro.max_frames)
			break;
		e = zp_source_next(pl.src, &f, 1000);
		if (e == ZP_EOF)
			break;
		if (e) {
			zp_progress_end(&pg);
			fprintf(stderr, "zebrapad replay: %s: %s\n", ro.source, zp_source_error(pl.src));
			rc = ZP_EXIT_FAIL;
			goto done;
		}
		e = zp_pipeline_step(&pl, &f, r, &st);
		if (e) {
			fprintf(stderr, "zebrapad replay: %s: frame %llu: %s\n", ro.source,
				(unsigned long long)f.seq, zp_strerror(e));
			rc = ZP_EXIT_FAIL;
			goto done;
		}
		rc = write_frame_outputs(&out, &pl, &f, r, st);
		if (rc)
			goto done;
		if (progress)
			zp_progress_update(&pg, (long)pl.frames, zp_now_ms());
	}
	zp_progress_end(&pg); /* the bar off the terminal before the summary */
	t1 = zp_now_ms();
	if (pl.frames == 0) {
		fprintf(stderr, "zebrapad replay: %s: no frames\n", ro.source);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	zp_runlog_sync(log, 500);   /* stderr (the bar wiped, warnings) before the summary on a terminal */
	/* a CSV on standard output: the summary beside it on standard error */
	csv_on_stdout = out.zones == stdout || out.tracks == stdout || out.lights == stdout;
	zp_pipeline_print_summary(&pl, csv_on_stdout ? stderr : stdout, t1 - t0);
	rc = ZP_EXIT_OK;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "zebrapad replay: standard output: write failed (%s)\n", strerror(errno));
		rc = ZP_EXIT_FAIL;
	}
done:
	if (close_outputs(&out) && !rc)
		rc = ZP_EXIT_FAIL;
	zp_pipeline_close(&pl);
	free(r);
	zp_runlog_end(log, 1000);
	return rc;
}
