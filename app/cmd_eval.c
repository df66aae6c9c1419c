/* SPDX-License-Identifier: MIT */
/*
 * cmd_eval.c - `zebrapad eval SOURCE [--config FILE] [--gt PATH] [--compare]
 * [--json] [--max-frames N]`: score the detector against ground truth.
 *
 *  - CDnet folder (input/, groundtruth/, ROI.bmp, temporalROI.txt): pixel
 *    metrics of the cleaned foreground mask (zp_detector_mask);
 *  - a video or image folder with MOTChallenge gt.txt: CLEAR MOT box metrics
 *    of the confirmed tracks, and zone presence for the config's zones.
 *
 * --compare runs OpenCV's MOG2, KNN, GSOC, MOG and CNT in the same pass, each
 * feeding its mask to its own copy of the downstream pipeline
 * (zp_pipeline_step_mask), so only the background model differs. Frames
 * are decoded once. Metrics are a function of input and config only;
 * timings (clock_gettime) are printed apart and never mixed into them.
 */
#include "app.h"
#include "app_path.h"
#include "app_pipeline.h"

#include "cvwrap.h"
#include "eval.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define PROG "zebrapad eval"
#define EVAL_MAX_MODELS 6
#define EVAL_PATH ZP_APP_PATH_MAX

struct eval_opts {
	const char *source;
	const char *config;
	const char *gt;
	bool compare;
	bool json;
	long max_frames;
};

enum eval_kind { EVAL_CDNET, EVAL_MOT };

struct eval_model {
	const char *name;          /* "zebrapad", "mog2", ... */
	zp_cv_bgsub *cv;           /* NULL: our detector */
	zp_pipeline pl;
	bool open;
	zp_result *r;
	uint8_t *fg;               /* OpenCV's mask (input size) */
	uint8_t *mask;             /* the cleaned mask after the detector (input size) */
	zp_eval_box *ours;         /* confirmed tracks' boxes this frame */
	zp_eval_pixels px;
	zp_eval_mot *mot;
	zp_eval_presence *pres[ZP_MAX_ZONES];
	uint64_t model_ns, total_ns;
};

struct eval {
	struct eval_opts o;
	enum eval_kind kind;
	char source[EVAL_PATH];    /* what is opened (a MOT sequence folder: its img1/) */
	char gt[EVAL_PATH];        /* CDnet: ground-truth folder; MOT: gt.txt */
	char roi_path[EVAL_PATH];
	char troi_path[EVAL_PATH];
	zp_config *cfg;
	bool have_roi, have_troi;
	uint8_t *roi;
	int64_t troi_first, troi_last;
	zp_eval_gt *mot_gt;
	int nmodels;
	struct eval_model m[EVAL_MAX_MODELS];
	int w, h;
	uint64_t frames;
	uint64_t scored;           /* CDnet: frames in the temporal ROI that were scored */
};

static void eval_usage(FILE *out)
{
	fprintf(out,
		"usage: zebrapad eval SOURCE [--config FILE] [options]\n"
		"  SOURCE                 CDnet folder (input/, groundtruth/, ROI.bmp, temporalROI.txt), or a video\n"
		"                         file / image folder / MOTChallenge sequence folder (img1/, or one video\n"
		"                         file beside gt/) with box\n"
		"                         ground truth\n"
		"  -c, --config FILE      site config (INI): detector parameters and zones (default: built-in\n"
		"                         detector defaults, no zones, so no zone presence)\n"
		"      --gt PATH          CDnet ground-truth folder (default SOURCE/groundtruth) or MOTChallenge\n"
		"                         gt.txt (default: gt/gt.txt next to the video, or SOURCE/gt/gt.txt)\n"
		"      --compare          also OpenCV MOG2, KNN, GSOC, MOG and CNT through the same downstream\n"
		"                         pipeline\n"
		"      --json             one JSON object on stdout instead of the table\n"
		"      --max-frames N     stop after N frames\n");
}

static int parse_eval(int argc, char **argv, struct eval_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "gt", required_argument, NULL, 'g' },
		{ "compare", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "max-frames", required_argument, NULL, 'n' },
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
		case 'g': o->gt = optarg; break;
		case 'C': o->compare = true; break;
		case 'j': o->json = true; break;
		case 'n':
			if (zp_opt_int(PROG, "--max-frames", optarg, 1, 1000000000, &v))
				return ZP_EXIT_USAGE;
			o->max_frames = v;
			break;
		case 'h': eval_usage(stdout); return -1;
		default: eval_usage(stderr); return ZP_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, PROG ": expected one SOURCE\n");
		eval_usage(stderr);
		return ZP_EXIT_USAGE;
	}
	o->source = argv[optind];
	return ZP_EXIT_OK;
}

/* ---- input layout ---- */

/*
 * The one video file in a MOTChallenge-style folder (gt/gt.txt beside it):
 * 1 found (path in dst), 0 none, -1 more than one (their names in dst).
 */
static int folder_video(char *dst, size_t size, const char *dir)
{
	static const char *const ext[] = { ".mp4", ".avi", ".mkv", ".mov", ".webm", ".mpg", ".mpeg" };
	DIR *d = opendir(dir);
	struct dirent *de;
	char first[256] = "";
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
			size_t el = strlen(ext[i]);

			if (len > el && strcasecmp(de->d_name + len - el, ext[i]) == 0) {
				if (n++ == 0)
					zp_strlcpy(first, de->d_name, sizeof(first));
				else if (n == 2)
					snprintf(dst, size, "%s, %s", first, de->d_name);
				break;
			}
		}
	}
	closedir(d);
	if (n == 1 && !zp_path_join(dst, size, dir, first))
		return 0;
	return n > 1 ? -1 : n;
}

/*
 * Which ground truth goes with SOURCE: CDnet (a folder of masks) or MOT (a
 * gt.txt), from --gt or the layout. One line and ZP_EXIT_USAGE when there is none.
 */
static int resolve_inputs(struct eval *e)
{
	const char *src = e->o.source;
	char tmp[EVAL_PATH], parent[EVAL_PATH];
	struct stat st;
	bool cdnet_layout = false;

	if (strlen(src) > EVAL_PATH - 64 || (e->o.gt && strlen(e->o.gt) > EVAL_PATH - 64)) {
		fprintf(stderr, PROG ": %s: path too long (at most %d bytes)\n",
			strlen(src) > EVAL_PATH - 64 ? src : e->o.gt, EVAL_PATH - 64);
		return ZP_EXIT_USAGE;
	}
	if (stat(src, &st) != 0) {
		fprintf(stderr, PROG ": %s: no such file or folder\n", src);
		return ZP_EXIT_USAGE;
	}
	zp_strlcpy(e->source, src, sizeof(e->source));
	tmp[0] = '\0';
	if (S_ISDIR(st.st_mode)) {
		char sub[EVAL_PATH];

		if (zp_path_join(sub, sizeof(sub), src, "input") && zp_path_is_dir(sub)) {
			cdnet_layout = true;
		} else if (zp_path_join(sub, sizeof(sub), src, "img1") && zp_path_is_dir(sub)) {
			/* a MOTChallenge sequence folder: frames in img1/, boxes in gt/gt.txt */
			zp_strlcpy(e->source, sub, sizeof(e->source));
			zp_path_join(tmp, sizeof(tmp), src, "gt/gt.txt");
		} else if (zp_path_join(tmp, sizeof(tmp), src, "gt/gt.txt") && zp_path_is_file(tmp)) {
			/* the same with the frames as one video file beside gt/ */
			int nv = folder_video(sub, sizeof(sub), src);

			if (nv != 1) {
				fprintf(stderr,
					nv < 0 ? PROG ": %s: more than one video (%s...); expected one, or give the video "
						 "as SOURCE\n"
					       : PROG ": %s: no frames found (expected img1/, input/ or one video file beside "
						 "gt/)%s\n",
					src, nv < 0 ? sub : "");
				return ZP_EXIT_USAGE;
			}
			zp_strlcpy(e->source, sub, sizeof(e->source));
		} else {
			zp_path_dirname(parent, sizeof(parent), src);
			zp_path_join(tmp, sizeof(tmp), parent, "gt/gt.txt");
		}
	} else {
		zp_path_dirname(parent, sizeof(parent), src);
		zp_path_join(tmp, sizeof(tmp), parent, "gt/gt.txt");
	}
	if (e->o.gt) {
		if (zp_path_is_dir(e->o.gt)) {
			e->kind = EVAL_CDNET;
		} else if (zp_path_is_file(e->o.gt)) {
			e->kind = EVAL_MOT;
		} else {
			fprintf(stderr,
				PROG ": %s: no such file or folder (expected a CDnet ground-truth folder or a "
				"MOTChallenge gt.txt)\n", e->o.gt);
			return ZP_EXIT_USAGE;
		}
		zp_strlcpy(e->gt, e->o.gt, sizeof(e->gt));
	} else if (cdnet_layout) {
		e->kind = EVAL_CDNET;
		zp_path_join(e->gt, sizeof(e->gt), src, "groundtruth");
		if (!zp_path_is_dir(e->gt)) {
			fprintf(stderr,
				PROG ": %s: no such folder (expected the CDnet ground-truth masks gt000001.png ..., "
				"or --gt PATH)\n", e->gt);
			return ZP_EXIT_USAGE;
		}
	} else {
		e->kind = EVAL_MOT;
		if (!tmp[0] || !zp_path_is_file(tmp)) {
			fprintf(stderr,
				PROG ": %s: no ground truth found (looked for %s); expected --gt PATH "
				"(a CDnet groundtruth/ folder or a MOTChallenge gt.txt)\n",
				src, tmp[0] ? tmp : "gt/gt.txt");
			return ZP_EXIT_USAGE;
		}
		zp_strlcpy(e->gt, tmp, sizeof(e->gt));
	}
	if (e->kind == EVAL_CDNET) {
		/* ROI.bmp and temporalROI.txt sit next to the ground-truth folder */
		zp_path_dirname(parent, sizeof(parent), e->gt);
		zp_path_join(e->roi_path, sizeof(e->roi_path), parent, "ROI.bmp");
		zp_path_join(e->troi_path, sizeof(e->troi_path), parent, "temporalROI.txt");
	}
	return ZP_EXIT_OK;
}

/* CDnet: ROI.bmp (optional: whole frame) and temporalROI.txt (optional: every frame). */
static int load_cdnet_rois(struct eval *e)
{
	char err[EVAL_PATH + 128];
	int w, h, rc;

	if (zp_path_is_file(e->roi_path)) {
		rc = zp_cv_imread(e->roi_path, 1, &e->roi, &w, &h, err, sizeof(err));
		if (rc) {
			fprintf(stderr, PROG ": %s\n", err);
			return ZP_EXIT_USAGE;
		}
		if (w != e->w || h != e->h) {
			fprintf(stderr, PROG ": %s: %dx%d, expected the frames' size %dx%d\n", e->roi_path, w, h, e->w,
				e->h);
			return ZP_EXIT_USAGE;
		}
		e->have_roi = true;
	} else {
		fprintf(stderr, PROG ": note: %s not found: the whole frame is scored\n", e->roi_path);
	}
	if (zp_path_is_file(e->troi_path)) {
		if (zp_eval_troi_load(e->troi_path, &e->troi_first, &e->troi_last, err, sizeof(err))) {
			fprintf(stderr, PROG ": %s\n", err);
			return ZP_EXIT_USAGE;
		}
		e->have_troi = true;
	} else {
		fprintf(stderr, PROG ": note: %s not found: every frame is scored\n", e->troi_path);
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
			rc = zp_pipeline_open_cfg(&m->pl, PROG, e->cfg, e->source, 0);
			if (rc)
				return rc;
			zp_source_free(m->pl.src);
			m->pl.src = NULL;
			m->open = true;
		}
		zp_eval_pixels_init(&m->px, e->have_troi ? e->troi_first : 0, e->have_troi ? e->troi_last : 0);
		m->r = calloc(1, sizeof(*m->r));
		m->mask = malloc(wh);
		m->fg = m->cv ? malloc(wh) : NULL;
		m->ours = malloc(ZP_MAX_TRACKS * sizeof(*m->ours));
		if (!m->r || !m->mask || (m->cv && !m->fg) || !m->ours)
			return ZP_EXIT_FAIL;
		if (e->kind == EVAL_MOT) {
			m->mot = zp_eval_mot_new(0.5);
			if (!m->mot)
				return ZP_EXIT_FAIL;
			for (int z = 0; z < e->cfg->nzones; z++)
				if (!(m->pres[z] = zp_eval_presence_new()))
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
		for (int z = 0; z < ZP_MAX_ZONES; z++)
			zp_eval_presence_free(m->pres[z]);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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
			fprintf(stderr, PROG ": %s: frame %llu: %s: %s\n", e->source, (unsigned long long)f->seq,
				m->name, zp_strerror(rc));
			return ZP_EXIT_FAIL;
		}
		m->model_ns += t1 - t0;
		m->total_ns += t2 - t0;
	}
	return ZP_EXIT_OK;
}

/* CDnet: the frame's ground-truth mask against every model's cleaned mask. */
static int score_cdnet(struct eval *e, const zp_frame *f)
{
	char path[EVAL_PATH + 32], err[EVAL_PATH + 128];
	uint8_t *gt = NULL;
	int w, h, rc;

	if (!zp_eval_pixels_in_troi(&e->m[0].px, (int64_t)f->seq))
		return ZP_EXIT_OK;
	snprintf(path, sizeof(path), "%s/gt%06llu.png", e->gt, (unsigned long long)f->seq);
	if (!zp_path_is_file(path)) {
		fprintf(stderr, PROG ": %s: no such file (expected the CDnet ground-truth mask of frame %llu)\n", path,
			(unsigned long long)f->seq);
		return ZP_EXIT_USAGE;
	}
	rc = zp_cv_imread(path, 1, &gt, &w, &h, err, sizeof(err));
	if (rc) {
		fprintf(stderr, PROG ": %s\n", err);
		return ZP_EXIT_USAGE;
	}
	if (w != e->w || h != e->h) {
		fprintf(stderr, PROG ": %s: %dx%d, expected the frames' size %dx%d\n", path, w, h, e->w, e->h);
		free(gt);
		return ZP_EXIT_USAGE;
	}
	for (int k = 0; k < e->nmodels; k++) {
		struct eval_model *m = &e->m[k];

		zp_detector_mask(m->pl.det, m->mask, e->w);
		zp_eval_pixels_frame(&m->px, (int64_t)f->seq, m->mask, e->w, gt, e->w, e->have_roi ? e->roi : NULL,
				     e->w, e->w, e->h);
	}
	e->scored++;
	free(gt);
	return ZP_EXIT_OK;
}

/* MOT: ground-truth boxes against every model's confirmed tracks; zone presence. */
static int score_mot(struct eval *e, const zp_frame *f)
{
	const zp_eval_box *gt;
	int ngt = zp_eval_gt_frame(e->mot_gt, (int64_t)f->seq, &gt);
	uint32_t gt_bits = zp_eval_zone_presence(e->cfg->zones, e->cfg->nzones, gt, ngt);

	for (int k = 0; k < e->nmodels; k++) {
		struct eval_model *m = &e->m[k];
		int n = 0;

		for (int i = 0; i < m->r->ntracks; i++) {
			const zp_track_info *t = &m->r->tracks[i];

			if (t->confirmed)
				m->ours[n++] = (zp_eval_box){ .id = t->id, .x = t->box.x, .y = t->box.y, .w = t->box.w,
							      .h = t->box.h };
		}
		if (zp_eval_mot_frame(m->mot, gt, ngt, m->ours, n))
			return ZP_EXIT_FAIL;
		for (int z = 0; z < e->cfg->nzones; z++)
			if (zp_eval_presence_frame(m->pres[z], (int64_t)f->seq, gt_bits & (1u << z),
						   m->r->zone_count[z] > 0))
				return ZP_EXIT_FAIL;
	}
	return ZP_EXIT_OK;
}

/* ---- output ---- */

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c == '\r')
			fputs("\\r", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* A number, or null when undefined (JSON has no NaN). */
static void json_num(FILE *out, double v, int decimals)
{
	if (isfinite(v))
		fprintf(out, "%.*f", decimals, v);
	else
		fputs("null", out);
}

/* A rate for the table: "-" when undefined. */
static const char *cell(char *buf, size_t size, double v, int decimals)
{
	if (isfinite(v))
		snprintf(buf, size, "%.*f", decimals, v);
	else
		zp_strlcpy(buf, "-", size);
	return buf;
}

static double ns_per_px(const struct eval *e, uint64_t ns)
{
	double px = (double)e->frames * e->w * e->h;

	return px > 0 ? (double)ns / px : NAN;
}

static void pool_presence(const struct eval *e, const struct eval_model *m, zp_eval_presence_stats *s)
{
	zp_eval_presence_pool((const zp_eval_presence *const *)m->pres, e->cfg->nzones, s);
}

/* name: the zone's name, or NULL for the pooled object */
static void json_presence(FILE *out, const char *name, const zp_eval_presence_stats *s)
{
	fputc('{', out);
	if (name) {
		fputs("\"name\": ", out);
		json_str(out, name);
		fputs(", ", out);
	}
	fprintf(out, "\"frames\": %llu, \"tp\": %llu, \"fp\": %llu, \"fn\": %llu, \"tn\": %llu, \"precision\": ",
		(unsigned long long)s->frames, (unsigned long long)s->tp, (unsigned long long)s->fp,
		(unsigned long long)s->fn, (unsigned long long)s->tn);
	json_num(out, s->precision, 6);
	fputs(", \"recall\": ", out);
	json_num(out, s->recall, 6);
	fputs(", \"f\": ", out);
	json_num(out, s->f, 6);
	fprintf(out, ", \"episodes\": %llu, \"missed\": %llu, \"latency_median\": ", (unsigned long long)s->episodes,
		(unsigned long long)s->missed);
	json_num(out, s->latency_median, 1);
	fputs(", \"latency_max\": ", out);
	if (s->latency_max >= 0)
		fprintf(out, "%lld", (long long)s->latency_max);
	else
		fputs("null", out);
	fputc('}', out);
}

/* CDnet's FPR-S: the share of shadow pixels (gt 50) called foreground; NaN when there are none. */
static double fpr_shadow(const zp_eval_pixels *px)
{
	return px->shadow ? (double)px->shadow_fp / (double)px->shadow : NAN;
}

static void print_json(const struct eval *e, FILE *out)
{
	fputs("{\"source\": ", out);
	json_str(out, e->o.source);
	fputs(", \"config\": ", out);
	if (e->o.config)
		json_str(out, e->o.config);
	else
		fputs("null", out);
	fputs(", \"gt\": ", out);
	json_str(out, e->gt);
	fprintf(out, ", \"kind\": \"%s\", \"width\": %d, \"height\": %d, \"frames\": %llu",
		e->kind == EVAL_CDNET ? "cdnet" : "mot", e->w, e->h, (unsigned long long)e->frames);
	if (e->kind == EVAL_CDNET) {
		fputs(", \"roi\": ", out);
		if (e->have_roi)
			json_str(out, e->roi_path);
		else
			fputs("null", out);
		if (e->have_troi)
			fprintf(out, ", \"temporal_roi\": [%lld, %lld]", (long long)e->troi_first,
				(long long)e->troi_last);
		else
			fputs(", \"temporal_roi\": null", out);
		fprintf(out, ", \"scored_frames\": %llu", (unsigned long long)e->scored);
	} else {
		fprintf(out, ", \"gt_boxes\": %zu, \"iou_min\": 0.5, \"zones\": [", zp_eval_gt_rows(e->mot_gt));
		for (int z = 0; z < e->cfg->nzones; z++) {
			fputs(z ? ", {\"name\": " : "{\"name\": ", out);
			json_str(out, e->cfg->zones[z].name);
			fprintf(out, ", \"role\": \"%s\"}", zp_zone_role_name(e->cfg->zones[z].role));
		}
		fputc(']', out);
	}
	fputs(",\n \"models\": [", out);
	for (int k = 0; k < e->nmodels; k++) {
		const struct eval_model *m = &e->m[k];

		fputs(k ? ",\n  {\"name\": " : "\n  {\"name\": ", out);
		json_str(out, m->name);
		if (e->kind == EVAL_CDNET) {
			zp_eval_rates r;

			zp_eval_rates_compute(m->px.tp, m->px.fp, m->px.tn, m->px.fn, &r);
			fprintf(out, ", \"pixels\": {\"tp\": %llu, \"fp\": %llu, \"tn\": %llu, \"fn\": %llu",
				(unsigned long long)m->px.tp, (unsigned long long)m->px.fp,
				(unsigned long long)m->px.tn, (unsigned long long)m->px.fn);
			fputs(", \"precision\": ", out);
			json_num(out, r.precision, 6);
			fputs(", \"recall\": ", out);
			json_num(out, r.recall, 6);
			fputs(", \"f\": ", out);
			json_num(out, r.f, 6);
			fputs(", \"fpr\": ", out);
			json_num(out, r.fpr, 6);
			fputs(", \"fnr\": ", out);
			json_num(out, r.fnr, 6);
			fputs(", \"pwc\": ", out);
			json_num(out, r.pwc, 6);
			fprintf(out, ", \"shadow\": %llu, \"shadow_fp\": %llu, \"fpr_shadow\": ",
				(unsigned long long)m->px.shadow, (unsigned long long)m->px.shadow_fp);
			json_num(out, fpr_shadow(&m->px), 6);
			fputs("}}", out);
		} else {
			zp_eval_mot_stats s;
			zp_eval_presence_stats ps;

			zp_eval_mot_get(m->mot, &s);
			fprintf(out,
				", \"boxes\": {\"gt\": %llu, \"tp\": %llu, \"fp\": %llu, \"fn\": %llu, \"idsw\": %llu"
				", \"precision\": ",
				(unsigned long long)s.gt, (unsigned long long)s.tp, (unsigned long long)s.fp,
				(unsigned long long)s.fn, (unsigned long long)s.idsw);
			json_num(out, s.precision, 6);
			fputs(", \"recall\": ", out);
			json_num(out, s.recall, 6);
			fputs(", \"mota\": ", out);
			json_num(out, s.mota, 6);
			fputs(", \"motp_iou\": ", out);
			json_num(out, s.motp_iou, 6);
			fputs("},\n   \"presence\": {\"all\": ", out);
			pool_presence(e, m, &ps);
			json_presence(out, NULL, &ps);
			fputs(", \"zones\": [", out);
			for (int z = 0; z < e->cfg->nzones; z++) {
				fputs(z ? ",\n     " : "\n     ", out);
				zp_eval_presence_get(m->pres[z], &ps);
				json_presence(out, e->cfg->zones[z].name, &ps);
			}
			fputs("]}}", out);
		}
	}
	/* wall-clock measurements: apart from the metrics, which are deterministic */
	fputs("],\n \"timing\": {\"clock\": \"CLOCK_MONOTONIC\", \"models\": [", out);
	for (int k = 0; k < e->nmodels; k++) {
		const struct eval_model *m = &e->m[k];

		fputs(k ? ", {\"name\": " : "{\"name\": ", out);
		json_str(out, m->name);
		fputs(", \"model_ns_per_px\": ", out);
		json_num(out, ns_per_px(e, m->model_ns), 3);
		fputs(", \"total_ns_per_px\": ", out);
		json_num(out, ns_per_px(e, m->total_ns), 3);
		fputc('}', out);
	}
	fputs("]}}\n", out);
}

static void print_table(const struct eval *e, FILE *out)
{
	char a[32], b[32], c[32], d[32], f[32], g[32], fs[32], t1[32], t2[32];

	if (e->kind == EVAL_CDNET) {
		fprintf(out, "CDnet %s: %llu frames %dx%d, %llu scored", e->o.source, (unsigned long long)e->frames,
			e->w, e->h, (unsigned long long)e->scored);
		if (e->have_troi)
			fprintf(out, " (temporal ROI %lld-%lld)", (long long)e->troi_first, (long long)e->troi_last);
		fprintf(out, ", ROI %s\n\n", e->have_roi ? e->roi_path : "whole frame");
		fprintf(out, "%-10s %7s %7s %7s %7s %7s %7s %7s %9s %9s\n", "model", "P", "R", "F", "FPR", "FNR", "PWC",
			"FPR-S", "model", "total");
		fprintf(out, "%-10s %7s %7s %7s %7s %7s %7s %7s %9s %9s\n", "", "", "", "", "", "", "%", "", "ns/px",
			"ns/px");
		for (int k = 0; k < e->nmodels; k++) {
			const struct eval_model *m = &e->m[k];
			zp_eval_rates r;

			zp_eval_rates_compute(m->px.tp, m->px.fp, m->px.tn, m->px.fn, &r);
			fprintf(out, "%-10s %7s %7s %7s %7s %7s %7s %7s %9s %9s\n", m->name,
				cell(a, sizeof(a), r.precision, 4), cell(b, sizeof(b), r.recall, 4),
				cell(c, sizeof(c), r.f, 4), cell(d, sizeof(d), r.fpr, 4), cell(f, sizeof(f), r.fnr, 4),
				cell(g, sizeof(g), r.pwc, 3),
				cell(fs, sizeof(fs), fpr_shadow(&m->px), 4),
				cell(t1, sizeof(t1), ns_per_px(e, m->model_ns), 1),
				cell(t2, sizeof(t2), ns_per_px(e, m->total_ns), 1));
		}
	} else {
		fprintf(out, "MOT %s: %llu frames %dx%d, gt %s (%zu boxes), match IoU >= 0.5, %d zone(s)\n\n",
			e->o.source, (unsigned long long)e->frames, e->w, e->h, e->gt, zp_eval_gt_rows(e->mot_gt),
			e->cfg->nzones);
		fprintf(out, "%-10s %6s %6s %7s %5s | %6s %6s %6s %9s %11s | %7s %7s\n", "model", "box P", "box R",
			"MOTA", "IDSW", "zone R", "zone P", "zone F", "missed", "latency", "model", "total");
		fprintf(out, "%-10s %6s %6s %7s %5s | %6s %6s %6s %9s %11s | %7s %7s\n", "", "", "", "", "", "", "", "",
			"/episodes", "med/max fr", "ns/px", "ns/px");
		for (int k = 0; k < e->nmodels; k++) {
			const struct eval_model *m = &e->m[k];
			zp_eval_mot_stats s;
			zp_eval_presence_stats ps;
			char ep[48], lat[48];

			zp_eval_mot_get(m->mot, &s);
			pool_presence(e, m, &ps);
			snprintf(ep, sizeof(ep), "%llu/%llu", (unsigned long long)ps.missed,
				 (unsigned long long)ps.episodes);
			if (ps.latency_max >= 0)
				snprintf(lat, sizeof(lat), "%.1f/%lld", ps.latency_median, (long long)ps.latency_max);
			else
				zp_strlcpy(lat, "-", sizeof(lat));
			fprintf(out, "%-10s %6s %6s %7s %5llu | %6s %6s %6s %9s %11s | %7s %7s\n", m->name,
				cell(a, sizeof(a), s.precision, 3), cell(b, sizeof(b), s.recall, 3),
				cell(c, sizeof(c), s.mota, 3), (unsigned long long)s.idsw,
				cell(d, sizeof(d), ps.recall, 3), cell(f, sizeof(f), ps.precision, 3),
				cell(g, sizeof(g), ps.f, 3), ep, lat,
				cell(t1, sizeof(t1), ns_per_px(e, m->model_ns), 1),
				cell(t2, sizeof(t2), ns_per_px(e, m->total_ns), 1));
		}
		if (e->cfg->nzones) {
			fprintf(out, "\nzone presence by zone (frames; episodes = runs of frames with a ground-truth "
				     "ground point in the zone)\n");
			fprintf(out, "%-10s %-16s %-8s %6s %6s %6s %9s %11s\n", "model", "zone", "role", "R", "P", "F",
				"missed", "latency");
			for (int k = 0; k < e->nmodels; k++)
				for (int z = 0; z < e->cfg->nzones; z++) {
					zp_eval_presence_stats ps;
					char ep[48], lat[48];

					zp_eval_presence_get(e->m[k].pres[z], &ps);
					snprintf(ep, sizeof(ep), "%llu/%llu", (unsigned long long)ps.missed,
						 (unsigned long long)ps.episodes);
					if (ps.latency_max >= 0)
						snprintf(lat, sizeof(lat), "%.1f/%lld", ps.latency_median,
							 (long long)ps.latency_max);
					else
						zp_strlcpy(lat, "-", sizeof(lat));
					fprintf(out, "%-10s %-16s %-8s %6s %6s %6s %9s %11s\n", e->m[k].name,
						e->cfg->zones[z].name, zp_zone_role_name(e->cfg->zones[z].role),
						cell(a, sizeof(a), ps.recall, 3), cell(b, sizeof(b), ps.precision, 3),
						cell(c, sizeof(c), ps.f, 3), ep, lat);
				}
		}
	}
	fprintf(out, "\nns/px: wall time per input pixel (CLOCK_MONOTONIC, one thread). zebrapad: the whole "
		     "detector (model, clean-up,\nblobs, tracking); OpenCV models: 'model' is apply() alone, 'total' "
		     "adds the same downstream pipeline.\n");
}

int zp_cmd_eval(int argc, char **argv)
{
	struct eval *e;
	char err[EVAL_PATH + 128];
	int rc, code;

	e = calloc(1, sizeof(*e));
	if (!e)
		return ZP_EXIT_FAIL;
	rc = parse_eval(argc, argv, &e->o);
	if (rc) {
		free(e);
		return rc < 0 ? ZP_EXIT_OK : rc;
	}
	rc = resolve_inputs(e);
	if (rc)
		goto done;
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
	if (e->kind == EVAL_MOT) {
		e->mot_gt = zp_eval_gt_load(e->gt, &code, err, sizeof(err));
		if (!e->mot_gt) {
			fprintf(stderr, PROG ": %s\n", err);
			rc = code == ZP_ENOMEM ? ZP_EXIT_FAIL : ZP_EXIT_USAGE;
			goto done;
		}
	}
	/* our detector's pipeline first: it opens the source the others are fed from */
	rc = zp_pipeline_open_cfg(&e->m[0].pl, PROG, e->cfg, e->source, 0);
	if (rc)
		goto done;
	e->m[0].open = true;
	e->nmodels = 0;
	e->w = e->m[0].pl.width;
	e->h = e->m[0].pl.height;
	if (e->kind == EVAL_CDNET) {
		rc = load_cdnet_rois(e);
		if (rc) {
			e->nmodels = 1;
			goto done;
		}
	}
	if (e->o.compare)
		zp_cv_set_threads(1);
	rc = open_models(e);
	if (rc)
		goto done;

	for (;;) {
		zp_frame f;
		int ev;

		if (e->o.max_frames >= 0 && (long)e->frames >= e->o.max_frames)
			break;
		ev = zp_source_next(e->m[0].pl.src, &f, 1000);
		if (ev == ZP_EOF)
			break;
		if (ev) {
			fprintf(stderr, PROG ": %s: %s\n", e->source, zp_source_error(e->m[0].pl.src));
			rc = ZP_EXIT_FAIL;
			goto done;
		}
		rc = step_models(e, &f);
		if (!rc)
			rc = e->kind == EVAL_CDNET ? score_cdnet(e, &f) : score_mot(e, &f);
		if (rc)
			goto done;
		e->frames++;
	}
	if (e->frames == 0) {
		fprintf(stderr, PROG ": %s: no frames\n", e->source);
		rc = ZP_EXIT_USAGE;
		goto done;
	}
	if (e->kind == EVAL_MOT && zp_eval_gt_last_frame(e->mot_gt) > (int64_t)e->frames && e->o.max_frames < 0)
		fprintf(stderr, PROG ": note: %s has boxes up to frame %lld, the source ended at frame %llu\n", e->gt,
			(long long)zp_eval_gt_last_frame(e->mot_gt), (unsigned long long)e->frames);
	if (e->o.json)
		print_json(e, stdout);
	else
		print_table(e, stdout);
	rc = fflush(stdout) == 0 ? ZP_EXIT_OK : ZP_EXIT_FAIL;
done:
	if (e->nmodels == 0 && e->m[0].open)
		zp_pipeline_close(&e->m[0].pl);
	close_models(e);
	zp_eval_gt_free(e->mot_gt);
	free(e->roi);
	free(e->cfg);
	free(e);
	return rc;
}
