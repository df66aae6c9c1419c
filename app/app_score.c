/* SPDX-License-Identifier: MIT */
/*
 * app_score.c - decode a recording and its ground truth once, score many
 * configs on it (see app_score.h). The scoring follows cmd_eval.c step for
 * step (same accumulators, same order, same temporal ROI and zone rules),
 * so a config scores the same here as under `zebrapad eval`; the tune
 * tests check that on real sequences.
 */
#include "app_score.h"

#include "app_path.h"

#include "capture.h"
#include "cvwrap.h"
#include "detector.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCORE_PATH ZP_APP_PATH_MAX

struct zp_score_set {
	zp_score_kind kind;
	char source[SCORE_PATH];
	int w, h;
	long n, cap;
	uint8_t *luma;        /* n frames of w x h, stride w */
	int64_t *t_ms;
	uint64_t *seq;
	/* CDnet */
	uint8_t *roi;         /* w x h, NULL: whole frame */
	int64_t troi_first, troi_last;
	long *gt_index;       /* per frame: index into gt_masks, -1 outside the temporal ROI */
	uint8_t *gt_masks;
	long ngt, capgt;
	/* MOTChallenge */
	zp_eval_gt *mot_gt;
};

/* Grow a buffer to hold need elements of size each; false when out of memory. */
static bool grow(void **buf, long *cap, long need, size_t each)
{
	long c = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return true;
	while (c < need)
		c *= 2;
	p = realloc(*buf, (size_t)c * each);
	if (!p)
		return false;
	*buf = p;
	*cap = c;
	return true;
}

/* Room for twice as many frames (hint or 64 at first, never much beyond mem_limit) in every per-frame array. */
static bool grow_frames(zp_score_set *s, size_t mem_limit, long hint)
{
	long c = s->cap ? 2 * s->cap : hint > 0 ? hint : 64, most = (long)(mem_limit / ((size_t)s->w * s->h)) + 1;
	uint8_t *l;
	int64_t *t;
	uint64_t *q;
	long *g;

	c = c < most ? c : most > s->cap ? most : s->cap + 1;
	l = realloc(s->luma, (size_t)c * s->w * s->h);
	if (!l)
		return false;
	s->luma = l;
	if (!(t = realloc(s->t_ms, (size_t)c * sizeof(*t))))
		return false;
	s->t_ms = t;
	if (!(q = realloc(s->seq, (size_t)c * sizeof(*q))))
		return false;
	s->seq = q;
	if (!(g = realloc(s->gt_index, (size_t)c * sizeof(*g))))
		return false;
	s->gt_index = g;
	s->cap = c;
	return true;
}

/* CDnet: ROI.bmp and temporalROI.txt beside the ground-truth folder (both optional, as in eval). */
static int load_cdnet_rois(zp_score_set *s, const char *prog, const char *gt)
{
	char parent[SCORE_PATH], path[SCORE_PATH + 32], err[SCORE_PATH + 128];
	int w, h;

	zp_path_dirname(parent, sizeof(parent), gt);
	snprintf(path, sizeof(path), "%s/ROI.bmp", parent);
	if (zp_path_is_file(path)) {
		if (zp_cv_imread(path, 1, &s->roi, &w, &h, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return 2;
		}
		if (w != s->w || h != s->h) {
			fprintf(stderr, "%s: %s: %dx%d, expected the frames' size %dx%d\n", prog, path, w, h, s->w,
				s->h);
			return 2;
		}
	}
	snprintf(path, sizeof(path), "%s/temporalROI.txt", parent);
	if (zp_path_is_file(path) && zp_eval_troi_load(path, &s->troi_first, &s->troi_last, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 2;
	}
	return 0;
}

/* CDnet: the mask of frame seq, when it is in the temporal ROI. */
static int load_gt_mask(zp_score_set *s, const char *prog, const char *gt, long i)
{
	char path[SCORE_PATH + 32], err[SCORE_PATH + 128];
	uint8_t *m = NULL;
	int w, h;
	int64_t f = (int64_t)s->seq[i];

	s->gt_index[i] = -1;
	if (s->troi_first > 0 && (f < s->troi_first || f > s->troi_last))
		return 0;
	snprintf(path, sizeof(path), "%s/gt%06llu.png", gt, (unsigned long long)f);
	if (!zp_path_is_file(path)) {
		fprintf(stderr, "%s: %s: no such file (expected the CDnet ground-truth mask of frame %llu)\n", prog, path,
			(unsigned long long)f);
		return 2;
	}
	if (zp_cv_imread(path, 1, &m, &w, &h, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 2;
	}
	if (w != s->w || h != s->h) {
		fprintf(stderr, "%s: %s: %dx%d, expected the frames' size %dx%d\n", prog, path, w, h, s->w, s->h);
		free(m);
		return 2;
	}
	if (!grow((void **)&s->gt_masks, &s->capgt, s->ngt + 1, (size_t)s->w * s->h)) {
		free(m);
		fprintf(stderr, "%s: out of memory for the ground-truth masks\n", prog);
		return 1;
	}
	memcpy(s->gt_masks + (size_t)s->ngt * s->w * s->h, m, (size_t)s->w * s->h);
	free(m);
	s->gt_index[i] = s->ngt++;
	return 0;
}

zp_score_set *zp_score_set_load(const char *prog, const char *source, const char *gt, long max_frames,
				size_t mem_limit, int *exit_code)
{
	zp_score_set *s = calloc(1, sizeof(*s));
	char err[SCORE_PATH + 128], sub[SCORE_PATH + 8];
	zp_source *src = NULL;
	int code = 0, rc = 0;
	long hint;

	*exit_code = 1;
	if (!s)
		goto nomem;
	if (strlen(source) >= SCORE_PATH - 16 || strlen(gt) >= SCORE_PATH - 32) {
		fprintf(stderr, "%s: path too long (at most %d bytes)\n", prog, SCORE_PATH - 32);
		*exit_code = 2;
		goto fail;
	}
	/* as eval: a MOTChallenge sequence folder reads its frames from img1/ */
	snprintf(sub, sizeof(sub), "%s/img1", source);
	zp_strlcpy(s->source, zp_path_is_dir(source) && zp_path_is_dir(sub) ? sub : source, sizeof(s->source));
	if (zp_path_is_dir(gt)) {
		s->kind = ZP_SCORE_CDNET;
	} else if (zp_path_is_file(gt)) {
		s->kind = ZP_SCORE_MOT;
		s->mot_gt = zp_eval_gt_load(gt, &code, err, sizeof(err));
		if (!s->mot_gt) {
			fprintf(stderr, "%s: %s\n", prog, err);
			*exit_code = code == ZP_ENOMEM ? 1 : 2;
			goto fail;
		}
	} else {
		fprintf(stderr, "%s: --gt %s: no such file or folder (expected a CDnet ground-truth folder or a "
			"MOTChallenge gt.txt)\n", prog, gt);
		*exit_code = 2;
		goto fail;
	}
	src = zp_source_open_file(s->source, 0, &code, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "%s: %s\n", prog, err);
		*exit_code = 2;
		goto fail;
	}
	zp_source_size(src, &s->w, &s->h);
	/* the container's frame count (may be approximate) sizes the buffer at once: no copying while growing */
	hint = zp_source_frame_count(src);
	if (max_frames >= 0 && (hint <= 0 || hint > max_frames))
		hint = max_frames;
	hint = hint > 0 ? hint + 1 : 0;
	if (s->kind == ZP_SCORE_CDNET && (rc = load_cdnet_rois(s, prog, gt)) != 0) {
		*exit_code = rc;
		goto fail;
	}
	for (;;) {
		size_t fb = (size_t)s->w * s->h;
		zp_frame f;
		int ev;

		if (max_frames >= 0 && s->n >= max_frames)
			break;
		ev = zp_source_next(src, &f, 1000);
		if (ev == ZP_EOF)
			break;
		if (ev) {
			fprintf(stderr, "%s: %s: %s\n", prog, s->source, zp_source_error(src));
			*exit_code = 2;
			goto fail;
		}
		if ((size_t)(s->n + 1) * fb > mem_limit) {
			fprintf(stderr,
				"%s: %s: more than %ld frames of %dx%d do not fit in %zu MiB of memory; use --max-frames "
				"or a shorter clip\n", prog, s->source, s->n, s->w, s->h, mem_limit >> 20);
			*exit_code = 2;
			goto fail;
		}
		if (s->n == s->cap && !grow_frames(s, mem_limit, hint))
			goto nomem;
		for (int y = 0; y < s->h; y++)
			memcpy(s->luma + (size_t)s->n * fb + (size_t)y * s->w, f.luma + (size_t)y * f.stride, (size_t)s->w);
		s->t_ms[s->n] = f.t_ms;
		s->seq[s->n] = f.seq;
		if (s->kind == ZP_SCORE_CDNET && (rc = load_gt_mask(s, prog, gt, s->n)) != 0) {
			*exit_code = rc;
			goto fail;
		}
		s->n++;
	}
	zp_source_free(src);
	if (s->n == 0) {
		fprintf(stderr, "%s: %s: no frames\n", prog, s->source);
		*exit_code = 2;
		goto fail_nosrc;
	}
	if (s->kind == ZP_SCORE_CDNET && s->ngt == 0) {
		fprintf(stderr, "%s: %s: none of the %ld frames is in the temporal ROI %lld-%lld (use more frames)\n",
			prog, gt, s->n, (long long)s->troi_first, (long long)s->troi_last);
		*exit_code = 2;
		goto fail_nosrc;
	}
	*exit_code = 0;
	return s;

nomem:
	fprintf(stderr, "%s: out of memory\n", prog);
	*exit_code = 1;
fail:
	zp_source_free(src);
fail_nosrc:
	zp_score_set_free(s);
	return NULL;
}

void zp_score_set_free(zp_score_set *s)
{
	if (!s)
		return;
	/* frames of a real scene: zeroed before they go back to the allocator, as capture/ does */
	if (s->luma)
		memset(s->luma, 0, (size_t)s->n * s->w * s->h);
	free(s->luma);
	free(s->t_ms);
	free(s->seq);
	free(s->roi);
	free(s->gt_index);
	free(s->gt_masks);
	zp_eval_gt_free(s->mot_gt);
	free(s);
}

zp_score_kind zp_score_set_kind(const zp_score_set *s)
{
	return s->kind;
}

void zp_score_set_info(const zp_score_set *s, long *frames, int *width, int *height, char *desc, size_t desclen)
{
	if (frames)
		*frames = s->n;
	if (width)
		*width = s->w;
	if (height)
		*height = s->h;
	if (!desc)
		return;
	if (s->kind == ZP_SCORE_CDNET)
		snprintf(desc, desclen, "CDnet masks, %ld frames %dx%d, %ld scored (temporal ROI %lld-%lld), ROI %s",
			 s->n, s->w, s->h, s->ngt, (long long)s->troi_first, (long long)s->troi_last,
			 s->roi ? "ROI.bmp" : "whole frame");
	else
		snprintf(desc, desclen, "MOTChallenge boxes, %ld frames %dx%d, %zu ground-truth boxes", s->n, s->w, s->h,
			 zp_eval_gt_rows(s->mot_gt));
}

int zp_score_run(const zp_score_set *s, const zp_config *cfg, const zp_homography *ground, zp_score *out,
		 char *err, size_t errlen)
{
	const size_t fb = (size_t)s->w * s->h;
	zp_eval_presence *pres[ZP_MAX_ZONES] = { 0 };
	zp_eval_pixels px;
	zp_eval_mot *mot = NULL;
	zp_detector *det = NULL;
	zp_result *r = NULL;
	zp_eval_box *ours = NULL;
	uint8_t *mask = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	rc = zp_config_check_frame(cfg, s->w, s->h, err, errlen);
	if (rc)
		return rc;
	det = zp_detector_new(&cfg->detector, cfg->zones, cfg->nzones, s->w, s->h,
			      ground && ground->valid ? ground : NULL, err, errlen);
	if (!det)
		return ZP_EINVAL;
	r = malloc(sizeof(*r));
	if (!r)
		goto nomem;
	if (s->kind == ZP_SCORE_CDNET) {
		zp_eval_pixels_init(&px, s->troi_first, s->troi_last);
		if (!(mask = malloc(fb)))
			goto nomem;
	} else {
		ours = malloc(ZP_MAX_TRACKS * sizeof(*ours));
		mot = zp_eval_mot_new(0.5);
		if (!ours || !mot)
			goto nomem;
		for (int z = 0; z < cfg->nzones; z++)
			if (!(pres[z] = zp_eval_presence_new()))
				goto nomem;
	}
	for (long i = 0; i < s->n; i++) {
		zp_frame f = { .luma = s->luma + (size_t)i * fb, .stride = s->w, .width = s->w, .height = s->h,
			       .t_ms = s->t_ms[i], .seq = s->seq[i] };

		rc = zp_detector_process(det, &f, r);
		if (rc) {
			zp_seterr(err, errlen, rc, "frame %llu: %s", (unsigned long long)f.seq, zp_strerror(rc));
			goto done;
		}
		out->frames++;
		if (s->kind == ZP_SCORE_CDNET) {
			long g = s->gt_index[i];

			if (g < 0)
				continue;
			zp_detector_mask(det, mask, s->w);
			zp_eval_pixels_frame(&px, (int64_t)f.seq, mask, s->w, s->gt_masks + (size_t)g * fb, s->w, s->roi,
					     s->w, s->w, s->h);
		} else {
			const zp_eval_box *gt;
			int ngt = zp_eval_gt_frame(s->mot_gt, (int64_t)f.seq, &gt), n = 0;
			uint32_t bits = zp_eval_zone_presence(cfg->zones, cfg->nzones, gt, ngt);

			for (int t = 0; t < r->ntracks; t++) {
				const zp_track_info *ti = &r->tracks[t];

				if (ti->confirmed)
					ours[n++] = (zp_eval_box){ .id = ti->id, .x = ti->box.x, .y = ti->box.y,
								   .w = ti->box.w, .h = ti->box.h };
			}
			if (zp_eval_mot_frame(mot, gt, ngt, ours, n))
				goto nomem;
			for (int z = 0; z < cfg->nzones; z++)
				if (zp_eval_presence_frame(pres[z], (int64_t)f.seq, bits & (1u << z), r->zone_count[z] > 0))
					goto nomem;
		}
	}
	if (s->kind == ZP_SCORE_CDNET) {
		out->tp = px.tp;
		out->fp = px.fp;
		out->tn = px.tn;
		out->fn = px.fn;
		zp_eval_rates_compute(px.tp, px.fp, px.tn, px.fn, &out->px);
	} else {
		zp_eval_mot_get(mot, &out->mot);
		zp_eval_presence_pool((const zp_eval_presence *const *)pres, cfg->nzones, &out->pres);
		out->false_presence = out->pres.fp + out->pres.tn ?
					      (double)out->pres.fp / (double)(out->pres.fp + out->pres.tn) : NAN;
	}
	goto done;
nomem:
	rc = zp_seterr(err, errlen, ZP_ENOMEM, "out of memory");
done:
	zp_detector_free(det);
	free(r);
	free(mask);
	free(ours);
	zp_eval_mot_free(mot);
	for (int z = 0; z < ZP_MAX_ZONES; z++)
		zp_eval_presence_free(pres[z]);
	return rc;
}
