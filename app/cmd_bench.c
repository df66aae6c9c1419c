/* SPDX-License-Identifier: MIT */
/*
 * cmd_bench.c - `zebrapad bench [SOURCE] [--frames N] [--reps R]
 * [--config FILE] [--json]`: how fast and how small the detector is,
 * against OpenCV's MOG2, KNN and CNT on the same grey frames.
 *
 * Order: pin to the current CPU; the frames are decoded into memory; a
 * fresh `run`-like process (this binary re-executed: source -> detector,
 * one frame at a time) reports its peak RSS; then, one thread (OpenCV too), R repetitions, each
 * timing every row over all frames from a fresh model (rows interleaved so
 * load changes on a shared machine hit all rows alike); the median is
 * printed. The measurements live in bench/bench_suite.c; this file parses
 * options and prints (docs/performance.md).
 */
#include "app.h"
#include "cli.h"

#include "bench_suite.h"
#include "config.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "zebrapad bench"
#define BENCH_DEFAULT_SOURCE "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
#define BENCH_MAX_REPS 100
#define BENCH_MAX_ROWS 32
#define BENCH_YUV_W 640      /* the camera conversions: one 640x480 YUYV frame, */
#define BENCH_YUV_H 480
#define BENCH_YUV_FRAMES 50  /* converted this often per repetition */
#define MIB (1024.0 * 1024.0)

/* The speed targets: the background model alone >= 25x MOG2, the whole detector >= 10x. */
#define TARGET_MODEL_X_MOG2 25.0
#define TARGET_DETECTOR_X_MOG2 10.0
#define TARGET_DETECTOR_X_CNT 1.0
#define TARGET_MODEL_X_FLOOR 4.0
#define TARGET_STATE_MIB 8.0

struct bench_opts {
	const char *source;
	const char *config;
	int frames;   /* <= 0: all */
	int reps;
	bool json;
	bool runlike_child;  /* hidden: be the run-like child (zp_bench_spawn_runlike) */
};

enum row_kind { ROW_MODEL, ROW_DETECTOR, ROW_CV, ROW_FLOOR, ROW_YUV };

struct row {
	enum row_kind kind;
	char name[48];
	zp_simd simd;           /* ROW_MODEL, ROW_DETECTOR, ROW_YUV */
	bool bgr, opencv;       /* ROW_YUV: YUYV -> luma + BGR (else luma only); OpenCV's cvtColor (else simd) */
	zp_cv_bgsub_kind cv;    /* ROW_CV */
	bool work;              /* at the detector's work resolution */
	int w, h;               /* pixels the row's ns/pixel is per */
	double ms[BENCH_MAX_REPS];
	double median, min, max;
	double x_mog2;          /* MOG2 ms / this row's ms; 0 when unknown */
	double x_floor;         /* this row's ms / the floor at its size; 0 when not applicable */
	double x_scalar;        /* ROW_YUV: the scalar row's ms / this row's ms */
	double x_opencv;        /* ROW_YUV: OpenCV's ms / this row's ms */
};

struct bench {
	bool tty;                  /* stderr was a terminal */
	struct bench_opts o;
	zp_config *cfg;
	bool have_config;
	zp_bench_frames full, work;
	zp_simd best;
	int cpu;
	struct row rows[BENCH_MAX_ROWS];
	int nrows;
	zp_bench_runlike runlike;
	size_t state_640, state_src;
	long maxrss_kib;
};

static void bench_usage(FILE *out)
{
	fprintf(out,
		"usage: zebrapad bench [--source SOURCE] [options]\n"
		"       zebrapad bench [SOURCE] [options]   (the same; SOURCE positional)\n"
		"  -s, --source SOURCE recording to time on (default " BENCH_DEFAULT_SOURCE ")\n"
		"      --frames N      decode at most N frames (default: all)\n"
		"      --reps R        repetitions; the median is reported (default 5, 1..%d)\n"
		"  -c, --config FILE   site config: its [detector] keys and zones (default: built-in defaults, no zones)\n"
		"      --json          machine-readable output\n"
		"Times, single-threaded on one pinned core: our model update on every SIMD path (full and work\n"
		"resolution), the whole detector, OpenCV MOG2, KNN and CNT apply, and a memcpy of the bytes the model\n"
		"reads and writes; prints ms/frame, ns/pixel, ratios, detector state and peak RSS. Then the camera's\n"
		"YUYV conversions (to luma, to luma + BGR) of a 640x480 frame on every SIMD path and in OpenCV's\n"
		"cvtColor, as ratios to the scalar path and to OpenCV.\n"
		"environment: ZEBRAPAD_SIMD=scalar|sse2|avx2|neon lowers the path of the 'best' ratios.\n"
		"exit: 0 done, 1 runtime failure (cannot pin a CPU, out of memory), 2 bad input (usage,\n"
		"      config, source)\n",
		BENCH_MAX_REPS);
}

static int parse_bench(int argc, char **argv, struct bench_opts *o)
{
	const zp_opt opts[] = {
		{ "source", 's', ZP_OPT_STR, .to.str = &o->source },
		{ "frames", 0, ZP_OPT_INT, .to.i = &o->frames, .min = 1, .max = 1000000 },
		{ "reps", 0, ZP_OPT_INT, .to.i = &o->reps, .min = 1, .max = BENCH_MAX_REPS },
		{ "config", 'c', ZP_OPT_STR, .to.str = &o->config },
		{ "json", 0, ZP_OPT_TRUE, .to.flag = &o->json },
		{ "runlike-child", 0, ZP_OPT_TRUE, .to.flag = &o->runlike_child },
	};
	int rc;

	memset(o, 0, sizeof(*o));
	o->reps = 5;
	rc = zp_opts_parse(PROG, opts, sizeof(opts) / sizeof(opts[0]), bench_usage, argc, argv);
	if (rc)
		return rc;
	if (zp_opt_source(PROG, argc, argv, optind, &o->source)) {
		bench_usage(stderr);
		return ZP_EXIT_USAGE;
	}
	if (!o->source)
		o->source = BENCH_DEFAULT_SOURCE;
	return ZP_EXIT_OK;
}

static void progress(const struct bench *b, const char *what)
{
	if (b->tty && !b->o.json)
		fprintf(stderr, PROG ": %s ...\n", what);
}

static struct row *add_row(struct bench *b, enum row_kind kind, const char *name, bool work)
{
	struct row *r = &b->rows[b->nrows++];

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->work = work;
	zp_strlcpy(r->name, name, sizeof(r->name));
	r->w = work ? b->work.width : b->full.width;
	r->h = work ? b->work.height : b->full.height;
	return r;
}

static void row_stats(struct row *r, int reps)
{
	double v[BENCH_MAX_REPS];

	memcpy(v, r->ms, (size_t)reps * sizeof(double));
	r->median = zp_bench_median(v, reps);
	r->min = v[0];
	r->max = v[reps - 1];
}

/* Model-update parameters as the detector sets them (fg_learn_shift: a typical value; speed does not depend on it). */
static void model_params(const zp_detector_params *dp, zp_bgmodel_params *mp)
{
	memset(mp, 0, sizeof(*mp));
	mp->threshold = dp->threshold;
	mp->learn_shift = dp->learn_shift;
	mp->fg_learn_shift = dp->learn_shift + 3 <= 15 ? dp->learn_shift + 3 : 15;
	mp->warmup_frames = dp->warmup_frames;
}

static const zp_simd all_paths[] = { ZP_SIMD_SCALAR, ZP_SIMD_SSE2, ZP_SIMD_AVX2, ZP_SIMD_NEON };
#define NPATHS ((int)(sizeof(all_paths) / sizeof(all_paths[0])))

/* The rows, in print order; nothing timed yet. */
static void plan_rows(struct bench *b)
{
	const zp_detector_params *dp = &b->cfg->detector;
	char name[48];
	struct row *r;

	for (int pass = 0; pass < 2; pass++) {
		if (pass && dp->scale == 1)
			break; /* the work resolution is the full one */
		for (int i = 0; i < NPATHS; i++) {
			if (!zp_simd_available(all_paths[i]))
				continue;
			snprintf(name, sizeof(name), "model update %s", zp_simd_name(all_paths[i]));
			r = add_row(b, ROW_MODEL, name, pass);
			r->simd = all_paths[i];
		}
	}
	for (int i = NPATHS - 1; i >= 0; i--) {
		if (!zp_simd_available(all_paths[i]))
			continue;
		snprintf(name, sizeof(name), "detector (whole) %s", zp_simd_name(all_paths[i]));
		r = add_row(b, ROW_DETECTOR, name, false);
		r->simd = all_paths[i];
	}
	for (int k = 0; k < 3; k++) {
		static const char *const names[] = { "OpenCV MOG2 apply", "OpenCV KNN apply", "OpenCV CNT apply" };
		static const zp_cv_bgsub_kind kinds[] = { ZP_CV_MOG2, ZP_CV_KNN, ZP_CV_CNT };

		r = add_row(b, ROW_CV, names[k], false);
		r->cv = kinds[k];
	}
	for (int pass = 0; pass < 2; pass++) {
		if (pass && dp->scale == 1)
			break;
		add_row(b, ROW_FLOOR, "memcpy floor (model bytes)", pass);
	}
	for (int bgr = 0; bgr < 2; bgr++) {
		const char *what = bgr ? "YUYV->luma+BGR" : "YUYV->luma";

		for (int i = 0; i <= NPATHS; i++) {
			if (i < NPATHS && !zp_simd_available(all_paths[i]))
				continue;
			if (i < NPATHS)
				snprintf(name, sizeof(name), "%s %s", what, zp_simd_name(all_paths[i]));
			else
				snprintf(name, sizeof(name), "%s OpenCV", what);
			r = add_row(b, ROW_YUV, name, false);
			r->bgr = bgr;
			r->opencv = i == NPATHS;
			r->simd = i < NPATHS ? all_paths[i] : ZP_SIMD_SCALAR;
			r->w = BENCH_YUV_W;
			r->h = BENCH_YUV_H;
		}
	}
}

/* One repetition of one row into r->ms[rep]. */
static int time_row(struct bench *b, struct row *r, int rep)
{
	const zp_detector_params *dp = &b->cfg->detector;
	const zp_bench_frames *fr = r->work ? &b->work : &b->full;
	zp_bgmodel_params mp;
	char err[512];
	int rc;

	switch (r->kind) {
	case ROW_MODEL:
		model_params(dp, &mp);
		rc = zp_bench_model(fr, r->simd, &mp, 1, &r->ms[rep]);
		if (rc < 0)
			snprintf(err, sizeof(err), "model update %s: %s", zp_simd_name(r->simd), zp_strerror(rc));
		break;
	case ROW_DETECTOR:
		rc = zp_bench_detector(fr, r->simd, dp, b->cfg->zones, b->cfg->nzones, 1, &r->ms[rep], err,
				       sizeof(err));
		break;
	case ROW_CV:
		rc = zp_bench_cv(fr, r->cv, 1, &r->ms[rep], err, sizeof(err));
		break;
	case ROW_YUV:
		rc = zp_bench_yuv(r->w, r->h, r->bgr, r->opencv, r->simd, BENCH_YUV_FRAMES, 1, &r->ms[rep], err,
				  sizeof(err));
		break;
	default:
		rc = zp_bench_floor(fr, 1, &r->ms[rep]);
		if (rc < 0)
			snprintf(err, sizeof(err), "memcpy floor: %s", zp_strerror(rc));
		break;
	}
	if (rc < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return ZP_EXIT_FAIL;
	}
	return ZP_EXIT_OK;
}

/*
 * Repetition-major: every row once, then again, so that a change in the
 * machine's load during the run (a shared VM) spreads over all rows instead
 * of skewing the ratios between them.
 */
static int run_rows(struct bench *b)
{
	zp_progress pg;
	long done = 0;

	plan_rows(b);
	zp_progress_begin(&pg, stderr, b->tty, PROG, "measurements", (long)b->o.reps * b->nrows, zp_now_ms());
	for (int rep = 0; rep < b->o.reps; rep++) {
		for (int i = 0; i < b->nrows; i++) {
			if (!b->o.json)   /* between the timed rows, never inside one */
				zp_progress_update(&pg, done, zp_now_ms());
			if (time_row(b, &b->rows[i], rep) != ZP_EXIT_OK) {
				zp_progress_end(&pg);
				return ZP_EXIT_FAIL;
			}
			done++;
		}
	}
	if (!b->o.json)
		zp_progress_update(&pg, done, zp_now_ms());
	zp_progress_end(&pg);
	return ZP_EXIT_OK;
}

static const struct row *find_row(const struct bench *b, enum row_kind kind, zp_simd simd, bool work)
{
	for (int i = 0; i < b->nrows; i++) {
		const struct row *r = &b->rows[i];

		if (r->kind == kind && r->work == work && (kind == ROW_FLOOR || r->simd == simd))
			return r;
	}
	return NULL;
}

/* The conversion row of the scalar path (opencv false) or OpenCV's (true) with the same output as r. */
static const struct row *find_yuv(const struct bench *b, bool bgr, bool opencv)
{
	for (int i = 0; i < b->nrows; i++) {
		const struct row *r = &b->rows[i];

		if (r->kind == ROW_YUV && r->bgr == bgr && r->opencv == opencv &&
		    (opencv || r->simd == ZP_SIMD_SCALAR))
			return r;
	}
	return NULL;
}

static void compute_ratios(struct bench *b)
{
	const struct row *mog2 = NULL;

	for (int i = 0; i < b->nrows; i++) {
		row_stats(&b->rows[i], b->o.reps);
		if (b->rows[i].kind == ROW_CV && b->rows[i].cv == ZP_CV_MOG2)
			mog2 = &b->rows[i];
	}
	for (int i = 0; i < b->nrows; i++) {
		struct row *r = &b->rows[i];
		const struct row *fl = find_row(b, ROW_FLOOR, 0, r->work);

		if (r->kind == ROW_YUV) {
			const struct row *sc = find_yuv(b, r->bgr, false), *cv = find_yuv(b, r->bgr, true);

			if (r->median > 0) {
				r->x_scalar = sc ? sc->median / r->median : 0;
				r->x_opencv = cv ? cv->median / r->median : 0;
			}
			continue;
		}
		if (mog2 && r->median > 0)
			r->x_mog2 = mog2->median / r->median;
		if ((r->kind == ROW_MODEL || r->kind == ROW_FLOOR) && fl && fl->median > 0)
			r->x_floor = r->median / fl->median;
	}
}

struct target {
	const char *what;
	double value, limit;
	bool at_least;  /* value >= limit holds; else value <= limit */
	bool known;
};

static const struct row *find_cv(const struct bench *b, zp_cv_bgsub_kind cv)
{
	for (int i = 0; i < b->nrows; i++)
		if (b->rows[i].kind == ROW_CV && b->rows[i].cv == cv)
			return &b->rows[i];
	return NULL;
}

static int targets(const struct bench *b, struct target *t)
{
	const struct row *model = find_row(b, ROW_MODEL, b->best, false);
	const struct row *det = find_row(b, ROW_DETECTOR, b->best, false);
	const struct row *cnt = find_cv(b, ZP_CV_CNT);
	double x_cnt = det && cnt && det->median > 0 ? cnt->median / det->median : 0;
	int n = 0;

	t[n++] = (struct target){ "model update (best path, full resolution) x faster than MOG2 apply",
				  model ? model->x_mog2 : 0, TARGET_MODEL_X_MOG2, true, model && model->x_mog2 > 0 };
	t[n++] = (struct target){ "whole detector (best path) x faster than MOG2 apply", det ? det->x_mog2 : 0,
				  TARGET_DETECTOR_X_MOG2, true, det && det->x_mog2 > 0 };
	t[n++] = (struct target){ "whole detector (best path) x faster than CNT apply", x_cnt, TARGET_DETECTOR_X_CNT,
				  true, x_cnt > 0 };
	t[n++] = (struct target){ "model update (best path, full resolution) x the memcpy floor",
				  model ? model->x_floor : 0, TARGET_MODEL_X_FLOOR, false, model && model->x_floor > 0 };
	t[n++] = (struct target){ "detector state at 640x480, MiB", (double)b->state_640 / MIB, TARGET_STATE_MIB,
				  false, b->state_640 > 0 };
	return n;
}

static bool target_holds(const struct target *t)
{
	return t->known && (t->at_least ? t->value >= t->limit : t->value <= t->limit);
}

static void row_label(const struct bench *b, const struct row *r, char *buf, size_t len)
{
	if (r->kind == ROW_DETECTOR)
		snprintf(buf, len, "%dx%d->%dx%d", b->full.width, b->full.height, b->work.width, b->work.height);
	else
		snprintf(buf, len, "%dx%d%s", r->w, r->h, r->work ? " work" : "");
}

static void print_text(const struct bench *b)
{
	struct target t[8];
	int nt = targets(b, t);
	char res[48];

	printf("zebrapad bench: %s\n", b->o.source);
	printf("%d frames of %dx%d grey decoded into memory; %d repetition%s, median reported; pinned to CPU %d; "
	       "OpenCV threads 1\n",
	       b->full.n, b->full.width, b->full.height, b->o.reps, b->o.reps == 1 ? "" : "s", b->cpu);
	printf("detector: %s, scale %d (work %dx%d); best SIMD path here: %s\n",
	       b->have_config ? b->cfg->path : "built-in defaults, no zones", b->cfg->detector.scale, b->work.width,
	       b->work.height, zp_simd_name(b->best));
	printf("\n%-28s %-17s %9s %9s %9s %8s %8s %8s\n", "what", "pixels", "ms/frame", "min", "max", "ns/px",
	       "x MOG2", "x floor");
	for (int i = 0; i < b->nrows; i++) {
		const struct row *r = &b->rows[i];
		char xm[16] = "-", xf[16] = "-";

		if (r->kind == ROW_YUV)
			continue; /* a table of their own, below */
		row_label(b, r, res, sizeof(res));
		if (r->x_mog2 > 0)
			snprintf(xm, sizeof(xm), "%.1f", r->x_mog2);
		if (r->x_floor > 0)
			snprintf(xf, sizeof(xf), "%.2f", r->x_floor);
		printf("%-28s %-17s %9.3f %9.3f %9.3f %8.3f %8s %8s\n", r->name, res, r->median, r->min, r->max,
		       r->median * 1e6 / ((double)r->w * r->h), xm, xf);
	}
	printf("\nns/px: per pixel of the size shown (the detector: per input pixel). x MOG2: MOG2 apply time / this "
	       "row's\n(speed-up). x floor: this row's time / the memcpy floor at the same size, which copies the "
	       "frame\n(%d B/px) and a buffer the size of the model's state (8 B/px): the %d B/px the model update "
	       "reads\nand writes.\n",
	       1, ZP_BENCH_MODEL_BYTES_PER_PIXEL);
	printf("\ncamera conversions (capture/v4l2.c: zp_pixops yuv_luma_packed, yuv_bgr_row), one %dx%d YUYV frame of "
	       "random\nbytes converted %d times a repetition; OpenCV: cvtColor COLOR_YUV2GRAY_YUYV / "
	       "COLOR_YUV2BGR_YUYV\n%-28s %9s %9s %9s %8s %8s %8s\n",
	       BENCH_YUV_W, BENCH_YUV_H, BENCH_YUV_FRAMES, "what", "ms/frame", "min", "max", "ns/px", "x scalar",
	       "x OpenCV");
	for (int i = 0; i < b->nrows; i++) {
		const struct row *r = &b->rows[i];

		if (r->kind == ROW_YUV)
			printf("%-28s %9.3f %9.3f %9.3f %8.3f %8.2f %8.2f\n", r->name, r->median, r->min, r->max,
			       r->median * 1e6 / ((double)r->w * r->h), r->x_scalar, r->x_opencv);
	}
	printf("x scalar: the scalar path's time / this row's; x OpenCV: OpenCV's time / this row's (speed-up).\n");
	printf("\nmemory: detector state %zu bytes (%.2f MiB) at 640x480, %zu bytes (%.2f MiB) at %dx%d\n",
	       b->state_640, b->state_640 / MIB, b->state_src, b->state_src / MIB, b->full.width, b->full.height);
	printf("peak RSS: run-like process (fresh process: source -> detector, one frame at a time, %ld frames): "
	       "%.1f MiB,\n  of which %.1f MiB before the source was opened (the program and its libraries); this "
	       "process (all frames\n  in memory, OpenCV models): %.1f MiB\n",
	       b->runlike.frames, b->runlike.peak_kib / 1024.0, b->runlike.start_kib / 1024.0, b->maxrss_kib / 1024.0);
	printf("\ntargets:\n");
	for (int i = 0; i < nt; i++)
		printf("  %-72s %8.2f %s %5.1f  %s\n", t[i].what, t[i].value, t[i].at_least ? ">=" : "<=", t[i].limit,
		       !t[i].known ? "not measured" : target_holds(&t[i]) ? "holds" : "DOES NOT HOLD");
}

static int print_json(const struct bench *b)
{
	static const char *const kinds[] = { "model", "detector", "opencv", "floor", "convert" };
	struct target t[8];
	int nt = targets(b, t), rc;
	cJSON *j = cJSON_CreateObject(), *a;

	zp_json_add_str(j, "source", b->o.source);
	zp_json_add_int(j, "frames", b->full.n);
	zp_json_add_int(j, "width", b->full.width);
	zp_json_add_int(j, "height", b->full.height);
	zp_json_add_int(j, "reps", b->o.reps);
	zp_json_add_int(j, "cpu", b->cpu);
	zp_json_add_str(j, "best_path", zp_simd_name(b->best));
	zp_json_add_str(j, "config", b->have_config ? b->cfg->path : NULL);
	zp_json_add_int(j, "scale", b->cfg->detector.scale);
	zp_json_add_int(j, "work_width", b->work.width);
	zp_json_add_int(j, "work_height", b->work.height);
	a = zp_json_add_array(j, "rows");
	for (int i = 0; i < b->nrows; i++) {
		const struct row *r = &b->rows[i];
		cJSON *o = zp_json_add_object(a, NULL), *reps;

		zp_json_add_str(o, "kind", kinds[r->kind]);
		zp_json_add_str(o, "name", r->name);
		if (r->kind == ROW_MODEL || r->kind == ROW_DETECTOR || (r->kind == ROW_YUV && !r->opencv))
			zp_json_add_str(o, "path", zp_simd_name(r->simd));
		if (r->kind == ROW_YUV) {
			zp_json_add_str(o, "output", r->bgr ? "luma+bgr" : "luma");
			zp_json_add_bool(o, "opencv", r->opencv);
			zp_json_add_num(o, "x_scalar", r->x_scalar, 4);
			zp_json_add_num(o, "x_opencv", r->x_opencv, 4);
		}
		if (r->kind == ROW_CV)
			zp_json_add_str(o, "model", zp_cv_bgsub_name(r->cv));
		zp_json_add_bool(o, "work", r->work);
		zp_json_add_int(o, "width", r->w);
		zp_json_add_int(o, "height", r->h);
		zp_json_add_num(o, "ms_per_frame", r->median, 6);
		zp_json_add_num(o, "ms_min", r->min, 6);
		zp_json_add_num(o, "ms_max", r->max, 6);
		zp_json_add_num(o, "ns_per_pixel", r->median * 1e6 / ((double)r->w * r->h), 6);
		zp_json_add_num(o, "x_mog2", r->x_mog2, 4);
		zp_json_add_num(o, "x_floor", r->x_floor, 4);
		reps = zp_json_add_array(o, "ms_reps");
		for (int k = 0; k < b->o.reps; k++)
			zp_json_add_num(reps, NULL, r->ms[k], 6);
	}
	zp_json_add_int(j, "state_bytes_640x480", (int64_t)b->state_640);
	zp_json_add_int(j, "state_bytes_source", (int64_t)b->state_src);
	zp_json_add_int(j, "peak_rss_kib", b->maxrss_kib);
	zp_json_add_int(j, "runlike_peak_rss_kib", b->runlike.peak_kib);
	zp_json_add_int(j, "runlike_start_rss_kib", b->runlike.start_kib);
	zp_json_add_int(j, "runlike_frames", b->runlike.frames);
	a = zp_json_add_array(j, "targets");
	for (int i = 0; i < nt; i++) {
		cJSON *o = zp_json_add_object(a, NULL);

		zp_json_add_str(o, "what", t[i].what);
		zp_json_add_num(o, "value", t[i].value, 4);
		zp_json_add_num(o, "limit", t[i].limit, 1);
		zp_json_add_bool(o, "at_least", t[i].at_least);
		zp_json_add_bool(o, "holds", target_holds(&t[i]));
	}
	rc = zp_json_write(stdout, j, true);
	cJSON_Delete(j);
	return rc;
}

/* Detector state bytes for a w x h input with the given parameters; 0 when it cannot be made. */
static size_t state_bytes(const zp_detector_params *p, int w, int h)
{
	zp_detector *d = zp_detector_new(p, NULL, 0, w, h, NULL, NULL, 0);
	size_t n = zp_detector_state_bytes(d);

	zp_detector_free(d);
	return n;
}

static int load_config(struct bench *b)
{
	char err[512];

	if (!b->o.config) {
		zp_config_default(b->cfg);
		return ZP_EXIT_OK;
	}
	if (zp_config_load(b->o.config, b->cfg, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return ZP_EXIT_USAGE;
	}
	b->have_config = true;
	return ZP_EXIT_OK;
}

/*
 * Peak RSS of `run`-like processing, measured in a fresh process (this
 * binary re-executed with the hidden --runlike-child), so that neither the
 * frames held here nor OpenCV's models count.
 */
static int spawn_runlike(struct bench *b)
{
	char frames[32], err[512];
	char *argv[12];
	int n = 0;

	argv[n++] = (char *)"zebrapad";
	argv[n++] = (char *)"bench";
	argv[n++] = (char *)"--runlike-child";
	if (b->o.frames > 0) {
		snprintf(frames, sizeof(frames), "%d", b->o.frames);
		argv[n++] = (char *)"--frames";
		argv[n++] = frames;
	}
	if (b->o.config) {
		argv[n++] = (char *)"--config";
		argv[n++] = (char *)b->o.config;
	}
	argv[n++] = (char *)"--source";
	argv[n++] = (char *)b->o.source;
	argv[n] = NULL;
	progress(b, "run-like process: source -> detector");
	if (zp_bench_spawn_runlike("/proc/self/exe", argv, &b->runlike, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return ZP_EXIT_FAIL;
	}
	return ZP_EXIT_OK;
}

/* The hidden child mode: one line on stdout (zp_bench_runlike_print). */
static int runlike_child(struct bench *b)
{
	zp_bench_runlike r;
	char err[512];
	int rc;

	rc = zp_bench_runlike_run(b->o.source, b->o.frames, &b->cfg->detector, b->cfg->zones, b->cfg->nzones, &r, err,
			      sizeof(err));
	if (rc < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return rc == ZP_ENOMEM || rc == ZP_EIO ? ZP_EXIT_FAIL : ZP_EXIT_USAGE;
	}
	zp_bench_runlike_print(stdout, &r);
	return ZP_EXIT_OK;
}

static int bench_main(int argc, char **argv, const zp_cmd_env *env, zp_runlog **log)
{
	struct bench *b = calloc(1, sizeof(*b));
	char err[512];
	int rc;

	if (!b)
		return ZP_EXIT_FAIL;
	b->cfg = calloc(1, sizeof(*b->cfg));
	if (!b->cfg) {
		free(b);
		return ZP_EXIT_FAIL;
	}
	rc = parse_bench(argc, argv, &b->o);
	if (rc != ZP_EXIT_OK) {
		rc = rc < 0 ? ZP_EXIT_OK : rc;
		goto out;
	}
	*log = zp_runlog_tool(&b->tty);
	rc = load_config(b);
	if (rc != ZP_EXIT_OK)
		goto out;
	b->cfg->detector.simd = env->simd; /* the run-like child: main read ZEBRAPAD_SIMD there too */
	if (b->o.runlike_child) {
		rc = runlike_child(b);
		goto out;
	}
	b->best = env->simd;
	b->cpu = zp_bench_pin_cpu();
	if (b->cpu < 0) {
		fprintf(stderr, PROG ": cannot pin to one CPU: %s\n", zp_strerror(b->cpu));
		rc = ZP_EXIT_FAIL;
		goto out;
	}
	zp_cv_set_threads(1);

	progress(b, "decoding the frames into memory");
	rc = zp_bench_frames_load(&b->full, b->o.source, b->o.frames, zp_bench_frames_budget(), err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = rc == ZP_ENOMEM ? ZP_EXIT_FAIL : ZP_EXIT_USAGE;
		goto out;
	}
	if (b->full.capped)
		fprintf(stderr, PROG ": %s: only the first %d frames fit the memory budget (%zu MiB, a quarter of the "
			"RAM); the bench runs on them\n", b->o.source, b->full.n, zp_bench_frames_budget() >> 20);
	if (zp_config_check_frame(b->cfg, b->full.width, b->full.height, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = ZP_EXIT_USAGE;
		goto out;
	}
	/* the state at 640x480 with the config's own scale: auto (0) there is what a 640x480 camera gets */
	b->state_640 = state_bytes(&b->cfg->detector, 640, 480);
	/* scale auto (0): resolved from the frame width here, as the detector does, so every row uses one scale */
	b->cfg->detector.scale = zp_detector_scale(&b->cfg->detector, b->full.width);
	if (zp_bench_frames_downscale(&b->full, b->cfg->detector.scale, &b->work) < 0) {
		fprintf(stderr, PROG ": out of memory for the work-resolution frames\n");
		rc = ZP_EXIT_FAIL;
		goto out;
	}
	rc = spawn_runlike(b);
	if (rc != ZP_EXIT_OK)
		goto out;
	b->state_src = state_bytes(&b->cfg->detector, b->full.width, b->full.height);
	rc = run_rows(b);
	if (rc != ZP_EXIT_OK)
		goto out;
	b->maxrss_kib = zp_bench_maxrss_kib();
	compute_ratios(b);
	zp_runlog_sync(*log, 500);   /* stderr (the bar wiped, warnings) before the results on a terminal */
	rc = ZP_EXIT_OK;
	if (!b->o.json) {
		print_text(b);
	} else if (print_json(b)) {
		fprintf(stderr, PROG ": cannot write the JSON results (out of memory or a write error)\n");
		rc = ZP_EXIT_FAIL;
	}
out:
	zp_bench_frames_free(&b->full);
	zp_bench_frames_free(&b->work);
	free(b->cfg);
	free(b);
	return rc;
}

/* The log hand-off around the command (zp_runlog_command, cli.h). */
int zp_cmd_bench(int argc, char **argv, const zp_cmd_env *env)
{
	return zp_runlog_command(bench_main, argc, argv, env);
}
