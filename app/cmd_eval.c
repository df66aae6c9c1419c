/* SPDX-License-Identifier: MIT */
/*
 * cmd_eval.c - `zebrapad eval SOURCE [--config FILE] [--gt PATH] [--compare]
 * [--json] [--detector-defaults] [--start-frame N] [--max-frames N]
 * [--empty-until N]`: score the detector against ground truth.
 *
 *  - CDnet folder (input/, groundtruth/, ROI.bmp, temporalROI.txt): pixel
 *    metrics of the cleaned foreground mask (zp_detector_mask);
 *  - a video or image folder with MOTChallenge gt.txt: CLEAR MOT box metrics
 *    of the confirmed tracks, and per zone of the config: presence, counts
 *    and valid calls (app_score.c's zp_zone_score, which tune uses too);
 *  - a Wallflower folder (bNNNNN.bmp, hand_segmented_NNNNN.bmp): the share
 *    of foreground on the frames nobody is in, and pixel P/R/F on each
 *    hand-segmented frame.
 *
 * --compare runs OpenCV's MOG2, KNN, GSOC, MOG and CNT in the same pass, each
 * feeding its mask to its own copy of the downstream pipeline
 * (zp_pipeline_step_mask), so only the background model differs. Frames
 * are decoded once. Metrics are a function of input and config only;
 * timings (clock_gettime) are printed apart and never mixed into them.
 */
#include "app.h"
#include "cli.h"
#include "path.h"
#include "pipeline.h"
#include "score.h"

#include "cvwrap.h"
#include "eval.h"
#include "json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define PROG "zebrapad eval"
/* Progress lines in a log only for an eval that takes longer than this (a short one stays silent). */
#define EVAL_QUIET_MS 10000
#define EVAL_MAX_MODELS 6
#define EVAL_PATH ZP_PATH_MAX

struct eval_opts {
	const char *source;
	const char *config;
	const char *gt;
	bool compare;
	bool json;
	bool detector_defaults;
	long start_frame;
	long max_frames;
	long empty_until;
	long light;                /* --light: % of the recorded brightness (100: as recorded) */
	long noise;                /* --noise: sensor noise added, standard deviation in grey levels */
};

struct eval_model {
	const char *name;          /* "zebrapad", "mog2", ... */
	zp_cv_bgsub *cv;           /* NULL: our detector */
	zp_pipeline pl;
	bool open;
	zp_result *r;
	uint8_t *fg;               /* OpenCV's mask (input size) */
	uint8_t *mask;             /* the cleaned mask after the detector (input size) */
	zp_eval_box *ours;         /* confirmed tracks' boxes this frame */
	zp_eval_pixels px;         /* CDnet; Wallflower: the empty frames (every pixel negative) */
	zp_eval_pixels hand[ZP_WALLFLOWER_MAX_MASKS]; /* Wallflower: one per hand-segmented frame */
	zp_eval_mot *mot;
	zp_zone_score *zs;
	uint64_t model_ns, total_ns;
};

struct eval {
	struct eval_opts o;
	zp_score_inputs in;
	zp_config *cfg;
	bool have_roi, have_troi;
	uint8_t *roi;
	uint8_t *zeros;            /* Wallflower: an all-background ground truth */
	int64_t troi_first, troi_last;
	zp_eval_gt *mot_gt;
	zp_score_range range;
	int64_t last_scored;       /* the last frame scored (0: none) */
	uint64_t scored;           /* frames scored (CDnet: in the temporal ROI; Wallflower: empty frames) */
	bool past_annotation;      /* MOT: the source goes on past the last annotated frame */
	double fps;
	int tolerance;
	int nmodels;
	struct eval_model m[EVAL_MAX_MODELS];
	int w, h;
	uint64_t frames;           /* read and run through the models */
	uint8_t *dim_luma, *dim_bgr; /* --light, --noise: the frame as the models see it */
};

static void eval_usage(FILE *out)
{
	fprintf(out,
		"usage: zebrapad eval --source SOURCE [--config FILE] [options]\n"
		"       zebrapad eval SOURCE [--config FILE] [options]   (the same; SOURCE positional)\n"
		"  -s, --source SOURCE    CDnet folder (input/, groundtruth/, ROI.bmp, temporalROI.txt); a video\n"
		"                         file / image folder / MOTChallenge sequence folder (img1/, or one video\n"
		"                         file beside gt/) with box ground truth; or a Wallflower folder\n"
		"                         (b00000.bmp ..., hand_segmented_NNNNN.bmp)\n"
		"  -c, --config FILE      site config (INI): detector parameters and zones (default: built-in\n"
		"                         detector defaults, no zones, so no zone figures)\n"
		"      --gt PATH          CDnet ground-truth folder (default SOURCE/groundtruth) or MOTChallenge\n"
		"                         gt.txt (default: gt/gt.txt next to the video, or SOURCE/gt/gt.txt)\n"
		"      --compare          also OpenCV MOG2, KNN, GSOC, MOG and CNT through the same downstream\n"
		"                         pipeline\n"
		"      --detector-defaults\n"
		"                         every [detector] key at its default, whatever the config says (its\n"
		"                         zones and [ground] are kept): how a new site does before any tuning\n"
		"      --json             one JSON object on stdout instead of the table\n"
		"      --start-frame N    score from frame N (frames from 1; the frames before still run through\n"
		"                         the detector, unscored)\n"
		"      --max-frames N     score at most N frames from the start frame, then stop\n"
		"      --empty-until N    Wallflower: images numbered below N have nobody in view (default: from\n"
		"                         the set's script.txt, \"NNNNN - ... enters\")\n"
		"      --light PCT        every model sees the frames at PCT %% of their brightness (1..100,\n"
		"                         default 100): dusk, or a camera at the end of its exposure range\n"
		"      --noise SIGMA      ... with sensor noise of standard deviation SIGMA grey levels added\n"
		"                         (0..50, default 0; the same noise every run)\n"
		"exit: 0 done, 1 runtime failure, 2 bad input (usage, config, source, ground truth)\n");
}

static int parse_eval(int argc, char **argv, struct eval_opts *o)
{
	const zp_opt opts[] = {
		{ "source", 's', ZP_OPT_STR, .to.str = &o->source },
		{ "config", 'c', ZP_OPT_STR, .to.str = &o->config },
		{ "gt", 0, ZP_OPT_STR, .to.str = &o->gt },
		{ "compare", 0, ZP_OPT_TRUE, .to.flag = &o->compare },
		{ "json", 0, ZP_OPT_TRUE, .to.flag = &o->json },
		{ "detector-defaults", 0, ZP_OPT_TRUE, .to.flag = &o->detector_defaults },
		{ "start-frame", 0, ZP_OPT_LONG, .to.l = &o->start_frame, .min = 1, .max = 1000000000 },
		{ "max-frames", 0, ZP_OPT_LONG, .to.l = &o->max_frames, .min = 1, .max = 1000000000 },
		{ "empty-until", 0, ZP_OPT_LONG, .to.l = &o->empty_until, .min = 0, .max = 1000000000 },
		{ "light", 0, ZP_OPT_LONG, .to.l = &o->light, .min = 1, .max = 100 },
		{ "noise", 0, ZP_OPT_LONG, .to.l = &o->noise, .min = 0, .max = 50 },
	};
	int rc;

	memset(o, 0, sizeof(*o));
	o->max_frames = -1;
	o->start_frame = 1;
	o->empty_until = -1;
	o->light = 100;
	rc = zp_opts_parse(PROG, opts, sizeof(opts) / sizeof(opts[0]), eval_usage, argc, argv);
	if (rc)
		return rc;
	if (zp_opt_source(PROG, argc, argv, optind, &o->source))
		return ZP_EXIT_USAGE;
	if (!o->source) {
		fprintf(stderr, PROG ": expected --source SOURCE\n");
		eval_usage(stderr);
		return ZP_EXIT_USAGE;
	}
	return ZP_EXIT_OK;
}

/* CDnet: ROI.bmp (optional: whole frame) and temporalROI.txt (optional: every frame). */
static int load_cdnet_rois(struct eval *e)
{
	char err[EVAL_PATH + 128];
	int w, h, rc;

	if (zp_path_is_file(e->in.roi_path)) {
		rc = zp_cv_imread(e->in.roi_path, 1, &e->roi, &w, &h, err, sizeof(err));
		if (rc) {
			fprintf(stderr, PROG ": %s\n", err);
			return ZP_EXIT_USAGE;
		}
		if (w != e->w || h != e->h) {
			fprintf(stderr, PROG ": %s: %dx%d, expected the frames' size %dx%d\n", e->in.roi_path, w, h, e->w,
				e->h);
			return ZP_EXIT_USAGE;
		}
		e->have_roi = true;
	} else {
		fprintf(stderr, PROG ": note: %s not found: the whole frame is scored\n", e->in.roi_path);
	}
	if (zp_path_is_file(e->in.troi_path)) {
		if (zp_eval_troi_load(e->in.troi_path, &e->troi_first, &e->troi_last, err, sizeof(err))) {
			fprintf(stderr, PROG ": %s\n", err);
			return ZP_EXIT_USAGE;
		}
		e->have_troi = true;
	} else {
		fprintf(stderr, PROG ": note: %s not found: every frame is scored\n", e->in.troi_path);
	}
	return ZP_EXIT_OK;
}

/* ---- models ---- */

static const zp_cv_bgsub_kind cv_kinds[] = { ZP_CV_MOG2, ZP_CV_KNN, ZP_CV_GSOC, ZP_CV_MOG, ZP_CV_CNT };

static int open_models(struct eval *e)
{
	const size_t wh = (size_t)e->w * e->h;
	char err[256];
	int want = e->o.compare ? EVAL_MAX_MODELS : 1;

	for (int k = 0; k < want; k++) {
		struct eval_model *m = &e->m[e->nmodels];
		int rc;

		if (k == 0) {
			m->name = "zebrapad";
		} else {
			m->cv = zp_cv_bgsub_new(cv_kinds[k - 1], err, sizeof(err));
			if (!m->cv) {
				fprintf(stderr, PROG ": note: %s left out: %s\n", zp_cv_bgsub_name(cv_kinds[k - 1]),
					err);
				continue;
			}
			m->name = zp_cv_bgsub_name(cv_kinds[k - 1]);
		}
		e->nmodels++;
		/* m[0]'s pipeline is open already and owns the one source every model is fed from */
		if (k > 0) {
			rc = zp_pipeline_open_cfg(&m->pl, PROG, e->cfg, e->in.source, e->in.seq_fps);
			if (rc)
				return rc;
			zp_source_free(m->pl.src);
			m->pl.src = NULL;
			m->open = true;
		}
		zp_eval_pixels_init(&m->px, e->have_troi ? e->troi_first : 0, e->have_troi ? e->troi_last : 0);
		for (int i = 0; i < ZP_WALLFLOWER_MAX_MASKS; i++)
			zp_eval_pixels_init(&m->hand[i], 0, 0);
		m->r = calloc(1, sizeof(*m->r));
		m->mask = malloc(wh);
		m->fg = m->cv ? malloc(wh) : NULL;
		m->ours = malloc(ZP_MAX_TRACKS * sizeof(*m->ours));
		if (!m->r || !m->mask || (m->cv && !m->fg) || !m->ours)
			return ZP_EXIT_FAIL;
		if (e->in.kind == ZP_SCORE_MOT) {
			m->mot = zp_eval_mot_new(0.5);
			m->zs = zp_zone_score_new(e->cfg->nzones, e->tolerance);
			if (!m->mot || !m->zs)
				return ZP_EXIT_FAIL;
		}
	}
	return ZP_EXIT_OK;
}

static void close_models(struct eval *e)
{
	for (int k = 0; k < e->nmodels; k++) {
		struct eval_model *m = &e->m[k];

		if (m->open)
			zp_pipeline_close(&m->pl);
		zp_cv_bgsub_free(m->cv);
		free(m->r);
		free(m->fg);
		free(m->mask);
		free(m->ours);
		zp_eval_mot_free(m->mot);
		zp_zone_score_free(m->zs);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One grey level at light % with noise: v * light / 100 plus about N(0, sigma^2) (four 8-bit uniforms). */
static uint8_t dim_value(unsigned v, long light, long sigma, uint32_t seq, uint32_t i)
{
	long out = ((long)v * light + 50) / 100;

	if (sigma > 0) {
		uint32_t h = zp_hash32(i * 0x9e3779b9U ^ zp_hash32(seq));
		/* the sum of four uniforms on 0..255 has mean 510 and standard deviation 147.8 */
		long u = (long)(h & 255) + (long)(h >> 8 & 255) + (long)(h >> 16 & 255) + (long)(h >> 24) - 510;

		out += (u * sigma * 2 + (u < 0 ? -148 : 148)) / 296;
	}
	return (uint8_t)(out < 0 ? 0 : out > 255 ? 255 : out);
}

/*
 * --light, --noise: f as a darker camera would have given it. The luma and
 * the colour are scaled alike, each with its own noise. 0, or ZP_EXIT_FAIL
 * when out of memory.
 */
static int dim_frame(struct eval *e, zp_frame *f)
{
	size_t np = (size_t)f->width * f->height;

	if (e->o.light == 100 && e->o.noise == 0)
		return 0;
	if (!e->dim_luma && !(e->dim_luma = malloc(np)))
		return ZP_EXIT_FAIL;
	if (f->bgr && !e->dim_bgr && !(e->dim_bgr = malloc(3 * np)))
		return ZP_EXIT_FAIL;
	for (int y = 0; y < f->height; y++)
		for (int x = 0; x < f->width; x++) {
			uint32_t i = (uint32_t)y * (uint32_t)f->width + (uint32_t)x;

			e->dim_luma[i] = dim_value(f->luma[(size_t)y * f->stride + x], e->o.light, e->o.noise,
						   (uint32_t)f->seq, 4 * i);
			if (f->bgr)
				for (int c = 0; c < 3; c++)
					e->dim_bgr[3 * i + c] = dim_value(f->bgr[(size_t)y * f->bgr_stride + 3 * x + c],
									  e->o.light, e->o.noise, (uint32_t)f->seq,
									  4 * i + 1 + (uint32_t)c);
		}
	f->luma = e->dim_luma;
	f->stride = f->width;
	if (f->bgr) {
		f->bgr = e->dim_bgr;
		f->bgr_stride = 3 * f->width;
	}
	return 0;
}

/* Every model on one frame; timings kept apart from the results. */
static int step_models(struct eval *e, const zp_frame *f)
{
	for (int k = 0; k < e->nmodels; k++) {
		struct eval_model *m = &e->m[k];
		zp_light_state st;
		uint64_t t0, t1, t2;
		int rc;

		t0 = now_ns();
		if (m->cv) {
			rc = f->bgr ? zp_cv_bgsub_apply(m->cv, f->bgr, f->width, f->height, f->bgr_stride, 3, m->fg,
							f->width)
				    : zp_cv_bgsub_apply(m->cv, f->luma, f->width, f->height, f->stride, 1, m->fg,
							f->width);
			t1 = now_ns();
			if (!rc)
				rc = zp_pipeline_step_mask(&m->pl, f, m->fg, m->r, &st);
		} else {
			rc = zp_pipeline_step(&m->pl, f, m->r, &st);
			t1 = now_ns();
		}
		t2 = now_ns();
		if (rc) {
			fprintf(stderr, PROG ": %s: frame %llu: %s: %s\n", e->in.source, (unsigned long long)f->seq,
				m->name, zp_strerror(rc));
			return ZP_EXIT_FAIL;
		}
		m->model_ns += t1 - t0;
		m->total_ns += t2 - t0;
	}
	return ZP_EXIT_OK;
}

/* A grey mask of the frames' size, or one line and ZP_EXIT_USAGE. */
static int read_mask(const struct eval *e, const char *path, const char *what, uint8_t **gt)
{
	char err[EVAL_PATH + 128];
	int w, h, rc;

	if (!zp_path_is_file(path)) {
		fprintf(stderr, PROG ": %s: no such file (expected %s)\n", path, what);
		return ZP_EXIT_USAGE;
	}
	rc = zp_cv_imread(path, 1, gt, &w, &h, err, sizeof(err));
	if (rc) {
		fprintf(stderr, PROG ": %s\n", err);
		return ZP_EXIT_USAGE;
	}
	if (w != e->w || h != e->h) {
		fprintf(stderr, PROG ": %s: %dx%d, expected the frames' size %dx%d\n", path, w, h, e->w, e->h);
		free(*gt);
		*gt = NULL;
		return ZP_EXIT_USAGE;
	}
	return ZP_EXIT_OK;
}

/* CDnet: the frame's ground-truth mask against every model's cleaned mask. */
static int score_cdnet(struct eval *e, const zp_frame *f)
{
	char path[EVAL_PATH + 32], what[96];
	uint8_t *gt = NULL;
	int rc;

	if (!zp_eval_pixels_in_troi(&e->m[0].px, (int64_t)f->seq))
		return ZP_EXIT_OK;
	snprintf(path, sizeof(path), "%s/gt%06llu.png", e->in.gt, (unsigned long long)f->seq);
	snprintf(what, sizeof(what), "the CDnet ground-truth mask of frame %llu", (unsigned long long)f->seq);
	rc = read_mask(e, path, what, &gt);
	if (rc)
		return rc;
	for (int k = 0; k < e->nmodels; k++) {
		struct eval_model *m = &e->m[k];

		zp_detector_mask(m->pl.chain.det, m->mask, e->w);
		zp_eval_pixels_frame(&m->px, (int64_t)f->seq, m->mask, e->w, gt, e->w, e->have_roi ? e->roi : NULL,
				     e->w, e->w, e->h);
	}
	e->scored++;
	e->last_scored = (int64_t)f->seq;
	free(gt);
	return ZP_EXIT_OK;
}

/* Wallflower: the file number of frame seq. */
static int64_t wf_number(const struct eval *e, int64_t seq)
{
	return e->in.first_number + seq - 1;
}

/* Wallflower: every pixel of an empty frame is negative; a hand-segmented frame is scored at 128. */
static int score_wallflower(struct eval *e, const zp_frame *f)
{
	int64_t seq = (int64_t)f->seq, num = wf_number(e, seq);
	int mi = -1;

	for (int i = 0; i < e->in.nmasks; i++)
		if (e->in.mask_number[i] == num)
			mi = i;
	if (num < e->in.empty_until && seq >= e->range.first) {
		for (int k = 0; k < e->nmodels; k++) {
			struct eval_model *m = &e->m[k];

			zp_detector_mask(m->pl.chain.det, m->mask, e->w);
			zp_eval_pixels_frame(&m->px, seq, m->mask, e->w, e->zeros, e->w, NULL, 0, e->w, e->h);
		}
		e->scored++;
		e->last_scored = seq;
	}
	if (mi >= 0) {
		char path[EVAL_PATH + 80], what[96];
		uint8_t *gt = NULL;
		int rc;

		zp_path_join(path, sizeof(path), e->in.gt, e->in.mask_name[mi]);
		snprintf(what, sizeof(what), "the hand-segmented mask of frame %lld", (long long)num);
		rc = read_mask(e, path, what, &gt);
		if (rc)
			return rc;
		for (size_t i = 0; i < (size_t)e->w * e->h; i++)
			gt[i] = gt[i] >= 128 ? ZP_CDNET_MOVING : ZP_CDNET_STATIC;
		for (int k = 0; k < e->nmodels; k++) {
			struct eval_model *m = &e->m[k];

			zp_detector_mask(m->pl.chain.det, m->mask, e->w);
			zp_eval_pixels_frame(&m->hand[mi], seq, m->mask, e->w, gt, e->w, NULL, 0, e->w, e->h);
		}
		free(gt);
	}
	return ZP_EXIT_OK;
}

/* MOT: ground-truth boxes against every model's confirmed tracks; the zones. */
static int score_mot(struct eval *e, const zp_frame *f)
{
	const zp_eval_box *gt;
	int64_t seq = (int64_t)f->seq;
	int ngt = zp_eval_gt_frame(e->mot_gt, seq, &gt);

	for (int k = 0; k < e->nmodels; k++) {
		struct eval_model *m = &e->m[k];
		int n = 0, rc;

		for (int i = 0; i < m->r->ntracks; i++) {
			const zp_track_info *t = &m->r->tracks[i];

			if (t->confirmed)
				m->ours[n++] = (zp_eval_box){ .id = t->id, .x = t->box.x, .y = t->box.y, .w = t->box.w,
							      .h = t->box.h };
		}
		if (zp_eval_mot_frame(m->mot, gt, ngt, m->ours, n))
			return ZP_EXIT_FAIL;
		rc = zp_zone_score_frame(m->zs, e->cfg->zones, seq, gt, ngt, m->r);
		if (rc) {
			fprintf(stderr, PROG ": frame %lld: %s\n", (long long)seq, zp_strerror(rc));
			return ZP_EXIT_FAIL;
		}
	}
	e->scored++;
	e->last_scored = seq;
	return ZP_EXIT_OK;
}

/* ---- output ---- */

/* A signed % error for the table ("+144", "-18"), "-" when undefined. */
static const char *pct(char *buf, size_t size, double v)
{
	if (isfinite(v))
		snprintf(buf, size, "%+.0f", v);
	else
		zp_strlcpy(buf, "-", size);
	return buf;
}

static double ns_per_px(const struct eval *e, uint64_t ns)
{
	double px = (double)e->frames * e->w * e->h;

	return px > 0 ? (double)ns / px : NAN;
}

/* CDnet's FPR-S: the share of shadow pixels (gt 50) called foreground; NaN when there are none. */
static double fpr_shadow(const zp_eval_pixels *px)
{
	return px->shadow ? (double)px->shadow_fp / (double)px->shadow : NAN;
}

/* The object under arr for one zone's numbers (name: the zone's), or for all zones pooled (name NULL). */
static cJSON *json_zone_object(cJSON *arr, const char *key, const char *name)
{
	cJSON *o = zp_json_add_object(arr, key);

	if (name)
		zp_json_add_str(o, "name", name);
	return o;
}

static void json_presence(cJSON *arr, const char *key, const char *name, const zp_eval_presence_stats *s)
{
	cJSON *o = json_zone_object(arr, key, name);

	zp_json_add_int(o, "frames", (int64_t)s->frames);
	zp_json_add_int(o, "tp", (int64_t)s->tp);
	zp_json_add_int(o, "fp", (int64_t)s->fp);
	zp_json_add_int(o, "fn", (int64_t)s->fn);
	zp_json_add_int(o, "tn", (int64_t)s->tn);
	zp_json_add_num(o, "precision", s->precision, 6);
	zp_json_add_num(o, "recall", s->recall, 6);
	zp_json_add_num(o, "f", s->f, 6);
	zp_json_add_int(o, "empty_frames", (int64_t)(s->fp + s->tn));
	zp_json_add_bool(o, "no_empty_frames", s->frames && s->fp + s->tn == 0);
	zp_json_add_int(o, "episodes", (int64_t)s->episodes);
	zp_json_add_int(o, "missed", (int64_t)s->missed);
	zp_json_add_num(o, "latency_median", s->latency_median, 1);
	if (s->latency_max >= 0)
		zp_json_add_int(o, "latency_max", s->latency_max);
	else
		zp_json_add_null(o, "latency_max");
}

static void json_counts(cJSON *arr, const char *key, const char *name, const zp_eval_counts_stats *c)
{
	cJSON *o = json_zone_object(arr, key, name);

	zp_json_add_int(o, "gt_people", (int64_t)c->gt_people);
	zp_json_add_int(o, "entered", (int64_t)c->entered);
	zp_json_add_int(o, "tracks", (int64_t)c->tracks);
	zp_json_add_num(o, "entered_error_pct", c->entered_error, 2);
	zp_json_add_num(o, "tracks_error_pct", c->tracks_error, 2);
}

static void json_crossings(cJSON *arr, const char *name, const zp_zone *zn, const zp_zone *zones,
			   const zp_eval_crossings_stats *c)
{
	cJSON *o = json_zone_object(arr, NULL, name);

	zp_json_add_str(o, "from", zones[zn->side[0]].name);
	zp_json_add_str(o, "to", zones[zn->side[1]].name);
	zp_json_add_int(o, "gt_forward", (int64_t)c->gt[0]);
	zp_json_add_int(o, "gt_back", (int64_t)c->gt[1]);
	zp_json_add_int(o, "detected_forward", (int64_t)c->detected[0]);
	zp_json_add_int(o, "detected_back", (int64_t)c->detected[1]);
	zp_json_add_num(o, "error_pct", c->error, 2);
}

static void json_calls(cJSON *arr, const char *key, const char *name, const zp_eval_calls_stats *c)
{
	cJSON *o = json_zone_object(arr, key, name);

	zp_json_add_int(o, "frames", (int64_t)c->frames);
	zp_json_add_int(o, "episodes", (int64_t)c->episodes);
	zp_json_add_int(o, "valid", (int64_t)c->valid);
	zp_json_add_int(o, "missed", (int64_t)c->missed);
	zp_json_add_int(o, "late", (int64_t)c->late);
	zp_json_add_int(o, "spotty", (int64_t)c->spotty);
	zp_json_add_int(o, "dropped", (int64_t)c->dropped);
	zp_json_add_int(o, "held", (int64_t)c->held);
	zp_json_add_num(o, "valid_share", c->valid_share, 6);
	zp_json_add_int(o, "empty_stretches", (int64_t)c->empty_stretches);
	zp_json_add_int(o, "false_calls", (int64_t)c->false_calls);
	zp_json_add_int(o, "false_call_frames", (int64_t)c->false_call_frames);
}

static void json_pixels(cJSON *o, const zp_eval_pixels *px, bool shadow)
{
	zp_eval_rates r;

	zp_eval_rates_compute(px->tp, px->fp, px->tn, px->fn, &r);
	zp_json_add_int(o, "tp", (int64_t)px->tp);
	zp_json_add_int(o, "fp", (int64_t)px->fp);
	zp_json_add_int(o, "tn", (int64_t)px->tn);
	zp_json_add_int(o, "fn", (int64_t)px->fn);
	zp_json_add_num(o, "precision", r.precision, 6);
	zp_json_add_num(o, "recall", r.recall, 6);
	zp_json_add_num(o, "f", r.f, 6);
	if (!shadow)
		return;
	zp_json_add_num(o, "fpr", r.fpr, 6);
	zp_json_add_num(o, "fnr", r.fnr, 6);
	zp_json_add_num(o, "pwc", r.pwc, 6);
	zp_json_add_int(o, "shadow", (int64_t)px->shadow);
	zp_json_add_int(o, "shadow_fp", (int64_t)px->shadow_fp);
	zp_json_add_num(o, "fpr_shadow", fpr_shadow(px), 6);
}

/* The share of pixels called foreground on the empty frames (every pixel there is negative). */
static double empty_fg(const zp_eval_pixels *px)
{
	return px->fp + px->tn ? (double)px->fp / (double)(px->fp + px->tn) : NAN;
}

static const char *kind_name(zp_score_kind k)
{
	return k == ZP_SCORE_CDNET ? "cdnet" : k == ZP_SCORE_MOT ? "mot" : "wallflower";
}

static int print_json(const struct eval *e, FILE *out)
{
	cJSON *j = cJSON_CreateObject(), *o, *a;
	int rc;

	zp_json_add_str(j, "source", e->o.source);
	zp_json_add_str(j, "config", e->o.config);   /* NULL: null */
	zp_json_add_bool(j, "detector_defaults", e->o.detector_defaults);
	zp_json_add_int(j, "light_pct", e->o.light);
	zp_json_add_int(j, "noise_sigma", e->o.noise);
	zp_json_add_str(j, "gt", e->in.gt);
	zp_json_add_str(j, "kind", kind_name(e->in.kind));
	zp_json_add_int(j, "width", e->w);
	zp_json_add_int(j, "height", e->h);
	zp_json_add_int(j, "frames", (int64_t)e->frames);
	o = zp_json_add_object(j, "scored");
	zp_json_add_int(o, "start_frame", e->range.start);
	zp_json_add_int(o, "first", e->range.first);
	zp_json_add_int(o, "last", e->last_scored);
	zp_json_add_int(o, "frames", (int64_t)e->scored);
	zp_json_add_int(o, "warmup_frames", e->cfg->detector.warmup_frames);
	zp_json_add_bool(o, "past_annotation", e->past_annotation);
	if (e->in.kind == ZP_SCORE_CDNET) {
		zp_json_add_str(j, "roi", e->have_roi ? e->in.roi_path : NULL);
		if (e->have_troi) {
			a = zp_json_add_array(j, "temporal_roi");
			zp_json_add_int(a, NULL, e->troi_first);
			zp_json_add_int(a, NULL, e->troi_last);
		} else {
			zp_json_add_null(j, "temporal_roi");
		}
		zp_json_add_int(j, "scored_frames", (int64_t)e->scored);
	} else if (e->in.kind == ZP_SCORE_WALLFLOWER) {
		zp_json_add_int(j, "first_number", e->in.first_number);
		zp_json_add_int(j, "empty_until", e->in.empty_until);
		zp_json_add_str(j, "empty_from", e->o.empty_until >= 0 ? "--empty-until" : "script.txt");
		a = zp_json_add_array(j, "hand_segmented");
		for (int i = 0; i < e->in.nmasks; i++)
			zp_json_add_int(a, NULL, e->in.mask_number[i]);
	} else {
		zp_json_add_int(j, "gt_boxes", (int64_t)zp_eval_gt_rows(e->mot_gt));
		zp_json_add_num(j, "iou_min", 0.5, -1);
		zp_json_add_int(j, "annotated_last", e->range.annotated);
		zp_json_add_num(j, "fps", e->fps, 3);
		zp_json_add_int(j, "tolerance_frames", e->tolerance);
		zp_json_add_int(j, "count_min_frames", ZP_COUNT_MIN_FRAMES);
		a = zp_json_add_array(j, "zones");
		for (int z = 0; z < e->cfg->nzones; z++) {
			o = zp_json_add_object(a, NULL);
			zp_json_add_str(o, "name", e->cfg->zones[z].name);
			zp_json_add_str(o, "role", zp_zone_role_name(e->cfg->zones[z].role));
		}
	}
	a = zp_json_add_array(j, "models");
	for (int k = 0; k < e->nmodels; k++) {
		const struct eval_model *m = &e->m[k];
		cJSON *mo = zp_json_add_object(a, NULL);

		zp_json_add_str(mo, "name", m->name);
		if (e->in.kind == ZP_SCORE_CDNET) {
			json_pixels(zp_json_add_object(mo, "pixels"), &m->px, true);
		} else if (e->in.kind == ZP_SCORE_WALLFLOWER) {
			cJSON *hs;

			o = zp_json_add_object(mo, "empty");
			zp_json_add_int(o, "frames", (int64_t)m->px.frames);
			zp_json_add_int(o, "pixels", (int64_t)(m->px.fp + m->px.tn));
			zp_json_add_int(o, "fg_pixels", (int64_t)m->px.fp);
			zp_json_add_num(o, "fg_fraction", empty_fg(&m->px), 6);
			hs = zp_json_add_array(mo, "hand_segmented");
			for (int i = 0; i < e->in.nmasks; i++) {
				o = zp_json_add_object(hs, NULL);
				zp_json_add_int(o, "number", e->in.mask_number[i]);
				zp_json_add_bool(o, "scored", m->hand[i].frames != 0);
				json_pixels(o, &m->hand[i], false);
			}
		} else {
			zp_eval_mot_stats s;
			zp_zone_stats zst;
			cJSON *pres, *cnt, *calls, *pz, *cz, *kz, *xz;

			zp_eval_mot_get(m->mot, &s);
			o = zp_json_add_object(mo, "boxes");
			zp_json_add_int(o, "gt", (int64_t)s.gt);
			zp_json_add_int(o, "tp", (int64_t)s.tp);
			zp_json_add_int(o, "fp", (int64_t)s.fp);
			zp_json_add_int(o, "fn", (int64_t)s.fn);
			zp_json_add_int(o, "idsw", (int64_t)s.idsw);
			zp_json_add_num(o, "precision", s.precision, 6);
			zp_json_add_num(o, "recall", s.recall, 6);
			zp_json_add_num(o, "mota", s.mota, 6);
			zp_json_add_num(o, "motp_iou", s.motp_iou, 6);
			zp_zone_score_get(m->zs, -1, &zst);
			pres = zp_json_add_object(mo, "presence");
			json_presence(pres, "all", NULL, &zst.pres);
			pz = zp_json_add_array(pres, "zones");
			cnt = zp_json_add_object(mo, "counts");
			json_counts(cnt, "all", NULL, &zst.counts);
			cz = zp_json_add_array(cnt, "zones");
			calls = zp_json_add_object(mo, "calls");
			json_calls(calls, "all", NULL, &zst.calls);
			kz = zp_json_add_array(calls, "zones");
			xz = zp_json_add_array(mo, "crossings");
			for (int z = 0; z < e->cfg->nzones; z++) {
				zp_zone_stats zz;

				zp_zone_score_get(m->zs, z, &zz);
				json_presence(pz, NULL, e->cfg->zones[z].name, &zz.pres);
				json_counts(cz, NULL, e->cfg->zones[z].name, &zz.counts);
				json_calls(kz, NULL, e->cfg->zones[z].name, &zz.calls);
				if (zz.cross.sides)
					json_crossings(xz, e->cfg->zones[z].name, &e->cfg->zones[z], e->cfg->zones,
						       &zz.cross);
			}
		}
	}
	/* wall-clock measurements: apart from the metrics, which are deterministic, and last */
	o = zp_json_add_object(j, "timing");
	zp_json_add_str(o, "clock", "CLOCK_MONOTONIC");
	a = zp_json_add_array(o, "models");
	for (int k = 0; k < e->nmodels; k++) {
		const struct eval_model *m = &e->m[k];
		cJSON *t = zp_json_add_object(a, NULL);

		zp_json_add_str(t, "name", m->name);
		zp_json_add_num(t, "model_ns_per_px", ns_per_px(e, m->model_ns), 3);
		zp_json_add_num(t, "total_ns_per_px", ns_per_px(e, m->total_ns), 3);
	}
	rc = zp_json_write(out, j, true);
	cJSON_Delete(j);
	return rc;
}

static void print_cdnet(const struct eval *e, FILE *out)
{
	char a[32], b[32], c[32], d[32], f[32], g[32], fs[32], t1[32], t2[32];

	fprintf(out, "CDnet %s: %llu frames %dx%d, %llu scored", e->o.source, (unsigned long long)e->frames, e->w,
		e->h, (unsigned long long)e->scored);
	if (e->have_troi)
		fprintf(out, " (temporal ROI %lld-%lld)", (long long)e->troi_first, (long long)e->troi_last);
	if (e->range.start > 1)
		fprintf(out, " from frame %lld", (long long)e->range.start);
	fprintf(out, ", ROI %s\n\n", e->have_roi ? e->in.roi_path : "whole frame");
	fprintf(out, "%-10s %7s %7s %7s %7s %7s %7s %7s %9s %9s\n", "model", "P", "R", "F", "FPR", "FNR", "PWC", "FPR-S",
		"model", "total");
	fprintf(out, "%-10s %7s %7s %7s %7s %7s %7s %7s %9s %9s\n", "", "", "", "", "", "", "%", "", "ns/px", "ns/px");
	for (int k = 0; k < e->nmodels; k++) {
		const struct eval_model *m = &e->m[k];
		zp_eval_rates r;

		zp_eval_rates_compute(m->px.tp, m->px.fp, m->px.tn, m->px.fn, &r);
		fprintf(out, "%-10s %7s %7s %7s %7s %7s %7s %7s %9s %9s\n", m->name,
			zp_fmt_num(a, sizeof(a), r.precision, 4),
			zp_fmt_num(b, sizeof(b), r.recall, 4), zp_fmt_num(c, sizeof(c), r.f, 4),
			zp_fmt_num(d, sizeof(d), r.fpr, 4),
			zp_fmt_num(f, sizeof(f), r.fnr, 4), zp_fmt_num(g, sizeof(g), r.pwc, 3),
			zp_fmt_num(fs, sizeof(fs), fpr_shadow(&m->px), 4),
			zp_fmt_num(t1, sizeof(t1), ns_per_px(e, m->model_ns), 1),
			zp_fmt_num(t2, sizeof(t2), ns_per_px(e, m->total_ns), 1));
	}
}

static void print_wallflower(const struct eval *e, FILE *out)
{
	char a[32], b[32], c[32], t1[32], t2[32];

	fprintf(out, "Wallflower %s: %llu frames %dx%d, images numbered from %lld (image N is frame N%+lld)\n",
		e->o.source, (unsigned long long)e->frames, e->w, e->h, (long long)e->in.first_number,
		(long long)(1 - e->in.first_number));
	fprintf(out, "empty frames: images below %lld (%s) after the warm-up of %d frames", (long long)e->in.empty_until,
		e->o.empty_until >= 0 ? "--empty-until" : "script.txt", e->cfg->detector.warmup_frames);
	if (e->scored)
		fprintf(out, ": images %lld-%lld, %llu frames scored\n",
			(long long)wf_number(e, e->last_scored - (int64_t)e->scored + 1), (long long)wf_number(e, e->last_scored),
			(unsigned long long)e->scored);
	else
		fprintf(out, ": none scored\n");
	fprintf(out, "hand-segmented masks (foreground where >= 128):");
	for (int i = 0; i < e->in.nmasks; i++)
		fprintf(out, " %lld%s", (long long)e->in.mask_number[i], e->m[0].hand[i].frames ? "" : " (not reached)");
	fprintf(out, "\n\n%-10s %11s |", "model", "empty fg %");
	for (int i = 0; i < e->in.nmasks && i < 4; i++)
		fprintf(out, " %6s %6s %6s |", "P", "R", "F");
	fprintf(out, " %7s %7s\n%-10s %11s |", "model", "total", "", "");
	for (int i = 0; i < e->in.nmasks && i < 4; i++) {
		char hdr[32];

		snprintf(hdr, sizeof(hdr), "image %lld", (long long)e->in.mask_number[i]);
		fprintf(out, " %20s |", hdr);
	}
	fprintf(out, " %7s %7s\n", "ns/px", "ns/px");
	for (int k = 0; k < e->nmodels; k++) {
		const struct eval_model *m = &e->m[k];

		fprintf(out, "%-10s %11s |", m->name, zp_fmt_num(a, sizeof(a), 100.0 * empty_fg(&m->px), 3));
		for (int i = 0; i < e->in.nmasks && i < 4; i++) {
			zp_eval_rates r;

			zp_eval_rates_compute(m->hand[i].tp, m->hand[i].fp, m->hand[i].tn, m->hand[i].fn, &r);
			if (!m->hand[i].frames)
				r.precision = r.recall = r.f = NAN;
			fprintf(out, " %6s %6s %6s |", zp_fmt_num(a, sizeof(a), r.precision, 3),
				zp_fmt_num(b, sizeof(b), r.recall, 3),
				zp_fmt_num(c, sizeof(c), r.f, 3));
		}
		fprintf(out, " %7s %7s\n", zp_fmt_num(t1, sizeof(t1), ns_per_px(e, m->model_ns), 1),
			zp_fmt_num(t2, sizeof(t2), ns_per_px(e, m->total_ns), 1));
	}
	if (e->in.nmasks > 4)
		fprintf(out, "(%d more hand-segmented frames in --json)\n", e->in.nmasks - 4);
	fprintf(out, "\nempty fg %%: the share of pixels of the cleaned mask called foreground on the empty frames "
		     "(all are false).\n");
}

/* People who crossed each crossing zone with two sides, by direction: ground truth against each model. */
static void print_crossings(const struct eval *e, FILE *out)
{
	bool any = false;

	for (int z = 0; z < e->cfg->nzones; z++)
		any |= zp_zone_has_sides(e->cfg->zones, e->cfg->nzones, z);
	if (!any)
		return;
	fprintf(out, "\ncrossings: people who went from one side's waiting zone (A) through the crossing zone to the "
		     "other's (B); gt: the ground truth by the same rule\n");
	fprintf(out, "%-10s %-14s | %8s %8s | %8s %8s | %6s\n", "model", "zone", "A->B gt", "detected", "B->A gt",
		"detected", "err%");
	for (int k = 0; k < e->nmodels; k++)
		for (int z = 0; z < e->cfg->nzones; z++) {
			zp_zone_stats zs;
			char err[16];

			if (!zp_zone_has_sides(e->cfg->zones, e->cfg->nzones, z))
				continue;
			zp_zone_score_get(e->m[k].zs, z, &zs);
			fprintf(out, "%-10s %-14s | %8llu %8llu | %8llu %8llu | %6s\n", e->m[k].name, e->cfg->zones[z].name,
				(unsigned long long)zs.cross.gt[0], (unsigned long long)zs.cross.detected[0],
				(unsigned long long)zs.cross.gt[1], (unsigned long long)zs.cross.detected[1],
				pct(err, sizeof(err), zs.cross.error));
		}
	for (int z = 0; z < e->cfg->nzones; z++) {
		const zp_zone *zn = &e->cfg->zones[z];

		if (zp_zone_has_sides(e->cfg->zones, e->cfg->nzones, z))
			fprintf(out, "%s: A = %s, B = %s\n", zn->name, e->cfg->zones[zn->side[0]].name,
				e->cfg->zones[zn->side[1]].name);
	}
}

static void print_mot(const struct eval *e, FILE *out)
{
	char a[32], b[32], c[32], d[32], f[32], g[32], h[32], t1[32], t2[32], t3[32], t4[32];
	bool any_full = false;

	fprintf(out, "MOT %s: %llu frames %dx%d, gt %s (%zu boxes), match IoU >= 0.5, %d zone(s)\n", e->o.source,
		(unsigned long long)e->frames, e->w, e->h, e->in.gt, zp_eval_gt_rows(e->mot_gt), e->cfg->nzones);
	fprintf(out, "scored: frames %lld-%lld (%llu frames: from %s", (long long)e->range.first,
		(long long)e->last_scored, (unsigned long long)e->scored,
		e->range.first > e->range.start ? "the end of the warm-up" : "the start frame");
	fprintf(out, " (warm-up %d frames), to the %s)", e->cfg->detector.warmup_frames,
		e->last_scored >= e->range.annotated ? "last annotated frame" : "source's end or --max-frames");
	fprintf(out, "; %.3g fps: 1 s = %d frames\n", e->fps, e->tolerance);
	if (e->o.detector_defaults)
		fprintf(out, "detector: every [detector] key at its default (--detector-defaults)\n");
	if (e->o.light != 100 || e->o.noise)
		fprintf(out, "frames: at %ld %% of their light, noise sigma %ld grey levels added (--light, --noise)\n",
			e->o.light, e->o.noise);
	fputc('\n', out);
	fprintf(out, "%-10s %6s %6s %7s %5s | %6s %6s %6s %9s %11s | %7s %8s %8s | %7s %7s\n", "model", "box P",
		"box R", "MOTA", "IDSW", "zone R", "zone P", "zone F", "missed", "latency", "valid", "entered",
		"tracks", "model", "total");
	fprintf(out, "%-10s %6s %6s %7s %5s | %6s %6s %6s %9s %11s | %7s %8s %8s | %7s %7s\n", "", "", "", "", "", "",
		"", "", "/episodes", "med/max fr", "calls", "err %", "err %", "ns/px", "ns/px");
	for (int k = 0; k < e->nmodels; k++) {
		const struct eval_model *m = &e->m[k];
		zp_eval_mot_stats s;
		zp_zone_stats zs;
		char ep[48], lat[48];

		zp_eval_mot_get(m->mot, &s);
		zp_zone_score_get(m->zs, -1, &zs);
		snprintf(ep, sizeof(ep), "%llu/%llu", (unsigned long long)zs.pres.missed,
			 (unsigned long long)zs.pres.episodes);
		if (zs.pres.latency_max >= 0)
			snprintf(lat, sizeof(lat), "%.1f/%lld", zs.pres.latency_median, (long long)zs.pres.latency_max);
		else
			zp_strlcpy(lat, "-", sizeof(lat));
		fprintf(out, "%-10s %6s %6s %7s %5llu | %6s %6s %6s %9s %11s | %7s %8s %8s | %7s %7s\n", m->name,
			zp_fmt_num(a, sizeof(a), s.precision, 3), zp_fmt_num(b, sizeof(b), s.recall, 3),
			zp_fmt_num(c, sizeof(c), s.mota, 3),
			(unsigned long long)s.idsw, zp_fmt_num(d, sizeof(d), zs.pres.recall, 3),
			zp_fmt_num(f, sizeof(f), zs.pres.precision, 3), zp_fmt_num(g, sizeof(g), zs.pres.f, 3), ep, lat,
			zp_fmt_num(h, sizeof(h), zs.calls.valid_share, 3), pct(t1, sizeof(t1), zs.counts.entered_error),
			pct(t2, sizeof(t2), zs.counts.tracks_error),
			zp_fmt_num(t3, sizeof(t3), ns_per_px(e, m->model_ns), 1),
			zp_fmt_num(t4, sizeof(t4), ns_per_px(e, m->total_ns), 1));
	}
	if (!e->cfg->nzones)
		return;
	fprintf(out, "\nby zone: presence over frames and episodes; counts (people: ground-truth ids in the zone on "
		     ">= %d frames); valid calls (1 s = %d frames)\n", ZP_COUNT_MIN_FRAMES, e->tolerance);
	fprintf(out, "%-10s %-14s %-8s %6s %6s %6s %7s %9s | %6s %7s %5s %6s %5s | %7s %5s %5s %5s %5s %5s %5s | %5s\n",
		"model", "zone", "role", "R", "P", "F", "missed", "latency", "people", "entered", "err%", "tracks",
		"err%", "valid", "ep", "miss", "late", "spot", "drop", "held", "false");
	for (int k = 0; k < e->nmodels; k++)
		for (int z = 0; z < e->cfg->nzones; z++) {
			zp_zone_stats zs;
			char ep[48], lat[48], prec[40];
			bool full;

			zp_zone_score_get(e->m[k].zs, z, &zs);
			full = zs.pres.frames && zs.pres.fp + zs.pres.tn == 0;
			any_full |= full;
			snprintf(ep, sizeof(ep), "%llu/%llu", (unsigned long long)zs.pres.missed,
				 (unsigned long long)zs.pres.episodes);
			if (zs.pres.latency_max >= 0)
				snprintf(lat, sizeof(lat), "%.1f/%lld", zs.pres.latency_median,
					 (long long)zs.pres.latency_max);
			else
				zp_strlcpy(lat, "-", sizeof(lat));
			snprintf(prec, sizeof(prec), "%s%s",
				zp_fmt_num(b, sizeof(b), zs.pres.precision, 3), full ? "*" : "");
			fprintf(out,
				"%-10s %-14s %-8s %6s %6s %6s %7s %9s | %6llu %7llu %5s %6llu %5s | %7s %5llu %5llu %5llu "
				"%5llu %5llu %5llu | %5llu\n",
				e->m[k].name, e->cfg->zones[z].name, zp_zone_role_name(e->cfg->zones[z].role),
				zp_fmt_num(a, sizeof(a), zs.pres.recall, 3), prec,
				zp_fmt_num(c, sizeof(c), zs.pres.f, 3), ep, lat,
				(unsigned long long)zs.counts.gt_people, (unsigned long long)zs.counts.entered,
				pct(d, sizeof(d), zs.counts.entered_error), (unsigned long long)zs.counts.tracks,
				pct(f, sizeof(f), zs.counts.tracks_error),
				zp_fmt_num(g, sizeof(g), zs.calls.valid_share, 3),
				(unsigned long long)zs.calls.episodes, (unsigned long long)zs.calls.missed,
				(unsigned long long)zs.calls.late, (unsigned long long)zs.calls.spotty,
				(unsigned long long)zs.calls.dropped, (unsigned long long)zs.calls.held,
				(unsigned long long)zs.calls.false_calls);
		}
	if (any_full) {
		fprintf(out, "* no empty frame in this zone over the scored frames: presence precision is 1.000 for every "
			     "model; it says nothing. Zones:");
		for (int z = 0; z < e->cfg->nzones; z++) {
			zp_zone_stats zs;

			zp_zone_score_get(e->m[0].zs, z, &zs);
			if (zs.pres.frames && zs.pres.fp + zs.pres.tn == 0)
				fprintf(out, " %s", e->cfg->zones[z].name);
		}
		fputc('\n', out);
	}
	print_crossings(e, out);
}

static void print_table(const struct eval *e, FILE *out)
{
	if (e->in.kind == ZP_SCORE_CDNET)
		print_cdnet(e, out);
	else if (e->in.kind == ZP_SCORE_WALLFLOWER)
		print_wallflower(e, out);
	else
		print_mot(e, out);
	fprintf(out, "\nns/px: wall time per input pixel (CLOCK_MONOTONIC, one thread). zebrapad: the whole "
		     "detector (model, clean-up,\nblobs, tracking); OpenCV models: 'model' is apply() alone, 'total' "
		     "adds the same downstream pipeline.\n");
}

static int eval_main(int argc, char **argv, const zp_cmd_env *env, zp_runlog **log)
{
	struct eval *e;
	char err[EVAL_PATH + 128];
	int rc, code;
	zp_progress pg;
	long total;
	bool tty = false;

	e = calloc(1, sizeof(*e));
	if (!e)
		return ZP_EXIT_FAIL;
	rc = parse_eval(argc, argv, &e->o);
	if (rc) {
		free(e);
		return rc < 0 ? ZP_EXIT_OK : rc;
	}
	*log = zp_runlog_tool(&tty);
	rc = zp_score_resolve(PROG, e->o.source, e->o.gt, e->o.empty_until, &e->in);
	if (rc)
		goto done;
	if (e->in.kind == ZP_SCORE_WALLFLOWER && e->in.empty_until < 0) {
		fprintf(stderr, PROG ": %s: a Wallflower set without script.txt saying when somebody enters: expected "
			"--empty-until N (images numbered below N have nobody in view)\n", e->o.source);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	if (e->o.empty_until >= 0 && e->in.kind != ZP_SCORE_WALLFLOWER)
		fprintf(stderr, PROG ": note: --empty-until is for Wallflower sets; %s is not one\n", e->o.source);
	e->cfg = malloc(sizeof(*e->cfg));
	if (!e->cfg) {
		rc = ZP_EXIT_FAIL;
		goto done;
	}
	if (!e->o.config) {
		zp_config_default(e->cfg); /* the built-in detector defaults, no zones: pixel and box metrics only */
	} else if (zp_config_load(e->o.config, e->cfg, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	if (e->o.detector_defaults)
		zp_detector_params_default(&e->cfg->detector); /* the config was still checked as a whole */
	e->cfg->detector.simd = env->simd;
	if (e->in.kind == ZP_SCORE_MOT) {
		e->mot_gt = zp_eval_gt_load(e->in.gt, &code, err, sizeof(err));
		if (!e->mot_gt) {
			fprintf(stderr, PROG ": %s\n", err);
			rc = code == ZP_ENOMEM ? ZP_EXIT_FAIL : ZP_EXIT_USAGE;
			goto done;
		}
	}
	/* our detector's pipeline first: it opens the source the others are fed from */
	/* frame times at the sequence's rate (seqinfo.ini's frameRate) when it has one, as it is scored: an image
	   folder has no rate of its own (25), and the detector's times (call extension, ghosts, holds) follow it */
	rc = zp_pipeline_open_cfg(&e->m[0].pl, PROG, e->cfg, e->in.source, e->in.seq_fps);
	if (rc)
		goto done;
	e->m[0].open = true;
	e->nmodels = 0;
	e->w = e->m[0].pl.width;
	e->h = e->m[0].pl.height;
	/* the frames scored: from --start-frame, after the warm-up (not CDnet: its temporal ROI), to the annotation's end */
	e->range.start = e->o.start_frame;
	e->range.stop = e->o.max_frames > 0 ? e->range.start + e->o.max_frames - 1 : INT64_MAX;
	e->range.first = e->range.start;
	if (e->in.kind != ZP_SCORE_CDNET && e->cfg->detector.warmup_frames + 1 > e->range.first)
		e->range.first = e->cfg->detector.warmup_frames + 1;
	e->range.annotated = INT64_MAX;
	if (e->in.kind == ZP_SCORE_MOT) {
		int64_t last = zp_eval_gt_last_frame(e->mot_gt);

		e->range.annotated = e->in.seq_length > last ? e->in.seq_length : last;
	}
	e->fps = e->in.seq_fps > 0 ? e->in.seq_fps : zp_source_fps(e->m[0].pl.src);
	e->tolerance = zp_score_tolerance(e->fps);
	if (e->in.kind == ZP_SCORE_CDNET) {
		rc = load_cdnet_rois(e);
		if (rc) {
			e->nmodels = 1;
			goto done;
		}
	}
	if (e->in.kind == ZP_SCORE_WALLFLOWER && !(e->zeros = calloc((size_t)e->w * e->h, 1))) {
		rc = ZP_EXIT_FAIL;
		e->nmodels = 1;
		goto done;
	}
	if (e->o.compare)
		zp_cv_set_threads(1);
	rc = open_models(e);
	if (rc)
		goto done;

	total = zp_source_frame_count(e->m[0].pl.src);
	if (total > 0 && e->range.stop < total)
		total = (long)e->range.stop;
	if (total > 0 && e->range.annotated < total)   /* eval stops after the last annotated frame */
		total = (long)e->range.annotated;
	zp_progress_begin(&pg, stderr, tty, PROG, "frames", total, zp_now_ms());
	pg.quiet_ms = EVAL_QUIET_MS;
	for (;;) {
		zp_frame f;
		int ev;

		zp_progress_update(&pg, (long)e->frames, zp_now_ms());

		if ((int64_t)e->frames >= e->range.stop)
			break;
		ev = zp_source_next(e->m[0].pl.src, &f, 1000);
		if (ev == ZP_EOF)
			break;
		if (ev) {
			zp_progress_end(&pg);
			fprintf(stderr, PROG ": %s: %s\n", e->in.source, zp_source_error(e->m[0].pl.src));
			rc = ZP_EXIT_FAIL;
			goto done;
		}
		if ((int64_t)f.seq > e->range.annotated) {
			/* no boxes past here: nobody there, or nobody annotated? Not scored either way */
			e->past_annotation = true;
			zp_progress_end(&pg);
			fprintf(stderr, PROG ": warning: %s has boxes up to frame %lld; the source goes on: frames from %lld "
				"are not scored\n", e->in.gt, (long long)e->range.annotated,
				(long long)e->range.annotated + 1);
			break;
		}
		rc = dim_frame(e, &f);
		if (rc) {
			zp_progress_end(&pg);
			fprintf(stderr, PROG ": out of memory\n");
			goto done;
		}
		rc = step_models(e, &f);
		e->frames++;
		if (!rc && e->in.kind == ZP_SCORE_WALLFLOWER && (int64_t)f.seq >= e->range.start)
			rc = score_wallflower(e, &f);
		else if (!rc && (int64_t)f.seq >= e->range.first)
			rc = e->in.kind == ZP_SCORE_CDNET ? score_cdnet(e, &f) : score_mot(e, &f);
		if (rc) {
			zp_progress_end(&pg);
			goto done;
		}
	}
	zp_progress_end(&pg);
	if (e->frames == 0) {
		fprintf(stderr, PROG ": %s: no frames\n", e->in.source);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	if (e->frames < (uint64_t)e->range.start) {
		fprintf(stderr, PROG ": %s: --start-frame %lld is past the source's end (%llu frames)\n", e->in.source,
			(long long)e->range.start, (unsigned long long)e->frames);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	if (e->in.kind == ZP_SCORE_MOT && !e->past_annotation && e->range.annotated < INT64_MAX &&
	    (uint64_t)e->range.annotated > e->frames && e->o.max_frames < 0)
		fprintf(stderr, PROG ": note: %s has boxes up to frame %lld, the source ended at frame %llu\n", e->in.gt,
			(long long)e->range.annotated, (unsigned long long)e->frames);
	if (e->in.kind != ZP_SCORE_CDNET && e->scored == 0)
		fprintf(stderr, PROG ": note: no frame scored (frames %lld-%llu read; the warm-up ends at frame %d)\n",
			(long long)e->range.start, (unsigned long long)e->frames, e->cfg->detector.warmup_frames);
	zp_runlog_sync(*log, 500);   /* stderr (the bar wiped, warnings) before the results on a terminal */
	if (e->o.json && print_json(e, stdout)) {
		fprintf(stderr, PROG ": cannot write the JSON results (out of memory or a write error)\n");
		rc = ZP_EXIT_FAIL;
		goto done;
	}
	if (!e->o.json)
		print_table(e, stdout);
	rc = fflush(stdout) == 0 ? ZP_EXIT_OK : ZP_EXIT_FAIL;
done:
	if (e->nmodels == 0 && e->m[0].open)
		zp_pipeline_close(&e->m[0].pl);
	close_models(e);
	zp_eval_gt_free(e->mot_gt);
	free(e->roi);
	free(e->zeros);
	free(e->dim_luma);
	free(e->dim_bgr);
	free(e->cfg);
	free(e);
	return rc;
}

/* The log hand-off around the command (zp_runlog_command, cli.h). */
int zp_cmd_eval(int argc, char **argv, const zp_cmd_env *env)
{
	return zp_runlog_command(eval_main, argc, argv, env);
}
