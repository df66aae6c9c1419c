/* SPDX-License-Identifier: MIT */
/*
 * detector.c - the pipeline, one frame in, one result out:
 *
 *   luma -> downscale to 1/scale (pixops) -> gain-step compensation
 *   (exposure.c) -> background model with a hold mask (models/) ->
 *   opening + closing (pixops erode3/dilate3) -> connected components and
 *   blob filter (blobs.c) -> tracker (tracker.c) -> zones and events
 *   (zones.c) -> health (health.c).
 *
 * Learning rates follow time, not frame counts, where the parameters are
 * times: the frame interval is measured from t_ms (median of the last few), and the
 * model's fg_learn_shift is chosen so that a ghost or a left object fades
 * within ghost_fade_ms at that interval. learn_shift stays per frame, as
 * configured.
 *
 * Everything is allocated in zp_detector_new(); no call allocates per frame.
 */
#include "detector_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(ZP_VOTE_MAX_R >= 3, "vote_radius goes up to 3 (params.c)");

/* shaken_frame(): the background's edges are looked for again every this many frames. */
#define ZP_EDGE_REFRESH 16
/* sway_estimate(): the largest move of the picture undone, in work pixels each way. */
#define ZP_SWAY_MAX 5

/* Frame interval assumed until two frames have been seen (25 fps). */
#define ZP_DEFAULT_INTERVAL_MS 40.0
/* Largest frame gap that counts towards the interval (a stall is not the frame rate). */
#define ZP_MAX_INTERVAL_MS 10000

bool zp_result_occupied(const zp_result *r)
{
	for (int z = 0; z < r->nzones; z++)
		if (r->zone_count[z] > 0)
			return true;
	return false;
}

/* Contrasts (levels) the fade probe tries; the slowest decides. */
static const uint8_t probe_contrast[] = { 24, 32, 48, 64, 96, 128, 160, 192, 224, 255 };
#define ZP_PROBE_N ((int)sizeof(probe_contrast))
/* Frame rates above this gain nothing from a slower fade (the probe stops at ghost_fade_ms at this rate). */
#define ZP_PROBE_MAX_FPS 200

/*
 * How many frames the model needs, learning foreground with shift s, until
 * an object of any probed contrast that vanished from the scene (a ghost)
 * is all background again. Measured on a one-row model through the public
 * API, so it follows whatever the model does (adaptive threshold included)
 * instead of a formula that could drift from it. Gives up at limit frames
 * (returns limit). Returns the frame count, or a negative zp_err.
 */
static int probe_fade(const zp_bgmodel_params *base, int s, int limit)
{
	uint8_t row[ZP_PROBE_N], zero[ZP_PROBE_N] = { 0 }, fg[ZP_PROBE_N];
	zp_bgmodel_params mp = *base;
	zp_bgmodel *m;
	int n, last = 0;

	mp.fg_learn_shift = s;
	mp.warmup_frames = 0;
	for (int i = 0; i < ZP_PROBE_N; i++)
		row[i] = probe_contrast[i] > mp.threshold ? probe_contrast[i] : (uint8_t)mp.threshold;
	m = zp_bgmodel_new(ZP_PROBE_N, 1, &mp, ZP_SIMD_SCALAR, NULL, 0);
	if (!m)
		return ZP_ENOMEM;
	zp_bgmodel_apply(m, row, ZP_PROBE_N, NULL, 0, fg, ZP_PROBE_N);
	for (n = 1; n <= limit && n - last < 64; n++) {
		bool any = false;

		zp_bgmodel_apply(m, zero, ZP_PROBE_N, NULL, 0, fg, ZP_PROBE_N);
		for (int i = 0; i < ZP_PROBE_N; i++)
			any |= fg[i] != 0;
		if (any)
			last = n;
	}
	zp_bgmodel_free(m);
	return last < limit ? last : limit;
}

/*
 * The slowest fg_learn_shift that still fades a ghost within ghost_fade_ms
 * at the measured frame interval: the pixels fade (d->fade[s] frames), then
 * the track coasts track_max_missed frames, plus one frame for the blob to
 * drop under min_area.
 */
static int choose_fg_shift(const zp_detector *d, double interval_ms)
{
	double frames = d->p.ghost_fade_ms / interval_ms;

	for (int s = 15; s > 1; s--)
		if (d->fade[s] < d->fade_limit && d->fade[s] + d->p.track_max_missed + 1 <= frames)
			return s;
	return 1;
}

/* Median of the last ZP_DT_RING frame intervals: one stall or burst does not retune the model. */
static double median_interval(const zp_detector *d)
{
	int32_t v[ZP_DT_RING];
	int n = d->ndt < ZP_DT_RING ? d->ndt : ZP_DT_RING;

	memcpy(v, d->dt, sizeof(v));
	for (int i = 1; i < n; i++) /* insertion sort, n <= 9 */
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int32_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* Measure the frame interval and retune the model's ghost fade to it. */
static void update_time(zp_detector *d, int64_t t_ms)
{
	if (d->have_t && t_ms > d->last_t) {
		int64_t dt = t_ms - d->last_t;

		d->dt[d->ndt++ % ZP_DT_RING] = (int32_t)(dt < ZP_MAX_INTERVAL_MS ? dt : ZP_MAX_INTERVAL_MS);
		if (d->ndt >= 2 * ZP_DT_RING)
			d->ndt -= ZP_DT_RING; /* keep the count bounded, the ring position the same */
		d->interval_ms = median_interval(d);
	}
	d->have_t = true;
	d->last_t = t_ms;
	if (d->model) {
		int s = choose_fg_shift(d, d->interval_ms);

		if (s != d->mp.fg_learn_shift) {
			zp_bgmodel_params mp = d->mp;

			mp.fg_learn_shift = s;
			if (zp_bgmodel_set_params(d->model, &mp) == 0)
				d->mp = mp;
		}
	}
}

/*
 * Low light: a scene at a third of its brightness shows people at a third of
 * their contrast, so below low_light_luma the threshold scales with the
 * background's mean level (exposure.c), down to a quarter of threshold. The
 * pixels' learnt deviation (dev_mult) still keeps noise out. Every
 * pixel-difference test of the frame (model, warm-up settle, shake, ghost
 * outlines) uses it. Returns the threshold for a background of this level.
 */
int zp_light_threshold(const zp_detector_params *p, unsigned level)
{
	int t = p->threshold, lo = (t + 3) / 4, v;

	if (p->low_light_luma <= 0 || level >= (unsigned)p->low_light_luma)
		return t;
	v = (int)(((unsigned)t * level + (unsigned)p->low_light_luma / 2) / (unsigned)p->low_light_luma);
	return v > lo ? v : lo;
}

static void follow_light(zp_detector *d, unsigned level)
{
	int t = zp_light_threshold(&d->p, level);

	d->low_light = level < (unsigned)d->p.low_light_luma;

	if (t != d->mp.threshold) {
		zp_bgmodel_params mp = d->mp;

		mp.threshold = t;
		if (zp_bgmodel_set_params(d->model, &mp) == 0)
			d->mp = mp;
	}
}

static int check_zones(const zp_zone *zones, int nzones, char *err, size_t errlen)
{
	if (nzones < 0 || nzones > ZP_MAX_ZONES)
		return zp_seterr(err, errlen, ZP_EINVAL, "detector: expected 0..%d zones, got %d", ZP_MAX_ZONES, nzones);
	if (nzones > 0 && !zones)
		return zp_seterr(err, errlen, ZP_EINVAL, "detector: %d zones but no zone array", nzones);
	for (int z = 0; z < nzones; z++)
		if (zones[z].poly.n < 3 || zones[z].poly.n > ZP_MAX_POLY)
			return zp_seterr(err, errlen, ZP_EINVAL, "detector: zone %d: expected 3..%d points, got %d", z,
					 ZP_MAX_POLY, zones[z].poly.n);
	return 0;
}

zp_detector *zp_detector_new(const zp_detector_params *p, const zp_zone *zones, int nzones, int width, int height,
			     const zp_homography *ground, char *err, size_t errlen)
{
	zp_detector *d = NULL;
	zp_detector_params q;
	int hole_area;
	bool oom = true; /* what went wrong when we reach fail: */
	size_t n;

	if (!p) {
		zp_seterr(err, errlen, ZP_EINVAL, "detector: expected parameters, got NULL");
		return NULL;
	}
	if (zp_detector_params_check(p, err, errlen) < 0 || check_zones(zones, nzones, err, errlen) < 0)
		return NULL;
	q = *p;
	hole_area = zp_detector_hole_area(p, width, height);
	zp_detector_params_resolve(&q, width, height); /* scale and pixel sizes: 0 is auto, from the frame size */
	p = &q;
	if (width < p->scale || height < p->scale || width > 16384 || height > 16384) {
		zp_seterr(err, errlen, ZP_EINVAL, "detector: frame size %dx%d: expected %d..16384 per side at scale %d",
			  width, height, p->scale, p->scale);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		goto fail;
	d->p = *p;
	d->hole_area = hole_area;
	/* -1: the same clean-up window in camera pixels at scales 1 and 2 */
	if (d->p.vote_radius < 0)
		d->p.vote_radius = p->scale == 1 ? 2 : 1;
	if (d->p.close_radius < 0)
		d->p.close_radius = p->scale == 1 ? 2 : 1;
	d->width = width;
	d->height = height;
	d->scale = p->scale;
	d->ww = p->scale == 4 ? width / 2 / 2 : width / p->scale;
	d->wh = p->scale == 4 ? height / 2 / 2 : height / p->scale;
	d->nzones = nzones;
	if (nzones > 0)
		memcpy(d->zones, zones, (size_t)nzones * sizeof(*zones));
	if (ground)
		d->ground = *ground;
	d->interval_ms = ZP_DEFAULT_INTERVAL_MS;

	zp_pixops_init(&d->ops, p->simd); /* the caller's path (ZP_SIMD_AUTO: the CPU's best) */
	d->mp.threshold = p->threshold;
	d->mp.learn_shift = p->learn_shift;
	d->mp.warmup_frames = p->warmup_frames;
	d->mp.flicker_on = p->flicker_on > 0 ? p->flicker_on : -1;
	d->mp.flicker_floor = p->flicker_floor;
	d->mp.fg_no_ramp = true; /* warmup_settle() absorbs what turns out to be background */
	d->mp.fg_learn_shift = 1;
	d->fade_limit = (int)((int64_t)p->ghost_fade_ms * ZP_PROBE_MAX_FPS / 1000);
	for (int s = 1, limit = d->fade_limit; s <= 15; s++) {
		/* slower learning never fades sooner: once one shift hits the limit, the rest do too */
		d->fade[s] = s > 1 && d->fade[s - 1] >= limit ? limit : probe_fade(&d->mp, s, limit);
		if (d->fade[s] < 0)
			goto fail;
	}
	d->mp.fg_learn_shift = choose_fg_shift(d, d->interval_ms);
	d->model = zp_bgmodel_new(d->ww, d->wh, &d->mp, d->ops.simd, err, errlen);
	if (!d->model) {
		oom = false; /* the model said why */
		goto fail;
	}

	n = (size_t)d->ww * d->wh;
	d->work = p->scale > 1 ? malloc(n) : NULL;
	d->half = p->scale == 4 ? malloc((size_t)(width / 2) * (height / 2)) : NULL;
	d->prev = calloc(n, 1);
	d->comp = malloc(n);
	d->bg = malloc(n);
	d->hold = calloc(n, 1);
	d->raw = calloc(n, 1);
	d->mask = calloc(n, 1);
	d->tmp = calloc(n, 1);
	d->voterow = calloc((size_t)d->ww + 2 * ZP_VOTE_MAX_R, 1);
	d->wprev = calloc(n, 1);
	d->still = calloc(n, 1);
	d->shmark = calloc(n, 1);
	d->edges = calloc(n / 9 + 1, sizeof(*d->edges)); /* one sample in 3 x 3 */
	d->stab = malloc(n);
	d->tr = malloc(sizeof(*d->tr));
	if ((p->scale > 1 && !d->work) || (p->scale == 4 && !d->half) || !d->prev || !d->comp || !d->bg ||
	    !d->hold || !d->raw || !d->mask || !d->tmp || !d->voterow || !d->wprev || !d->still || !d->shmark ||
	    !d->edges || !d->stab || !d->tr)
		goto fail;
	d->buf_bytes = n * (11 + (p->scale > 1)) + (n / 9 + 1) * sizeof(*d->edges) +
		       (p->scale == 4 ? (size_t)(width / 2) * (height / 2) : 0) + (size_t)d->ww + 2 * ZP_VOTE_MAX_R;
	if (zp_cc_init(&d->cc, d->ww, d->wh) < 0 || zp_shadow_init(&d->sh, d->ww, d->wh) < 0 ||
	    zp_exposure_init(&d->ex, d->ww, d->wh) < 0)
		goto fail;
	zp_tracker_init(d->tr);
	for (int z = 0; z < ZP_MAX_ZONES; z++)
		d->zone_seen_ms[z] = INT64_MIN;
	return d;

fail:
	if (oom)
		zp_seterr(err, errlen, ZP_ENOMEM, "detector: out of memory for %dx%d", width, height);
	zp_detector_free(d);
	return NULL;
}

void zp_detector_free(zp_detector *d)
{
	if (!d)
		return;
	zp_bgmodel_free(d->model);
	zp_cc_fini(&d->cc);
	zp_shadow_fini(&d->sh);
	zp_exposure_fini(&d->ex);
	/* frames and the background estimate are pixels of the street: zero them before freeing */
	{
		const size_t n = (size_t)d->ww * d->wh;

		if (d->work)
			explicit_bzero(d->work, n);
		if (d->half)
			explicit_bzero(d->half, (size_t)(d->width / 2) * (d->height / 2));
		if (d->prev)
			explicit_bzero(d->prev, n);
		if (d->comp)
			explicit_bzero(d->comp, n);
		if (d->stab)
			explicit_bzero(d->stab, n);
		if (d->bg)
			explicit_bzero(d->bg, n);
	}
	free(d->half);
	free(d->work);
	free(d->prev);
	free(d->comp);
	free(d->stab);
	free(d->bg);
	free(d->hold);
	free(d->raw);
	free(d->mask);
	free(d->tmp);
	free(d->voterow);
	if (d->wprev)
		explicit_bzero(d->wprev, (size_t)d->ww * d->wh);
	free(d->wprev);
	free(d->still);
	free(d->shmark);
	free(d->edges);
	free(d->tr);
	free(d);
}

static bool frame_ok(const zp_detector *d, const zp_frame *f)
{
	return f && f->luma && f->width == d->width && f->height == d->height && f->stride >= f->width;
}

/* src (input resolution) -> work scale; returns the work-scale image and its stride. */
static const uint8_t *to_work(zp_detector *d, const uint8_t *src, int stride, int *wstride)
{
	if (d->scale == 1) {
		*wstride = stride;
		return src;
	}
	if (d->scale == 2) {
		d->ops.downscale2(src, stride, d->work, d->ww, d->width, d->height);
	} else {
		d->ops.downscale2(src, stride, d->half, d->width / 2, d->width, d->height);
		d->ops.downscale2(d->half, d->width / 2, d->work, d->ww, d->width / 2, d->height / 2);
	}
	*wstride = d->ww;
	return d->work;
}

/* 0/255 in place: >= 128 is foreground. */
static void binarize(uint8_t *m, int stride, int w, int h)
{
	for (int y = 0; y < h; y++) {
		uint8_t *r = m + (size_t)y * stride;

		for (int x = 0; x < w; x++)
			r[x] = r[x] >= 128 ? 255 : 0;
	}
}

/*
 * The hold mask: the boxes of the tracks that should not be learnt
 * (zp_track_held), where they will be this frame (predicted), one work
 * pixel wider on every side. Returns false when nothing is held.
 */
static bool build_hold(zp_detector *d, int64_t t_ms)
{
	bool any = false;
	int s = d->scale;

	for (int k = 0; k < d->tr->n; k++) {
		const zp_track *t = &d->tr->t[k];
		int x0, x1, y0, y1;

		if (!zp_track_held(t, &d->p, t_ms))
			continue;
		if (!any)
			memset(d->hold, 0, (size_t)d->ww * d->wh);
		any = true;
		x0 = (int)floor((t->box.x + t->vx) / s) - 1;
		y0 = (int)floor((t->box.y + t->vy) / s) - 1;
		x1 = (int)ceil((t->box.x + t->box.w + t->vx) / s) + 1;
		y1 = (int)ceil((t->box.y + t->box.h + t->vy) / s) + 1;
		x0 = x0 < 0 ? 0 : x0;
		y0 = y0 < 0 ? 0 : y0;
		x1 = x1 > d->ww ? d->ww : x1;
		y1 = y1 > d->wh ? d->wh : y1;
		for (int y = y0; y < y1 && x1 > x0; y++)
			memset(d->hold + (size_t)y * d->ww + x0, 255, (size_t)(x1 - x0));
	}
	return any;
}

/*
 * The rows [*a, *b) of m (w x h, packed) from the first to the last with a
 * non-zero byte; *a == *b when m is all zero.
 */
static void mask_rows(const uint8_t *m, int w, int h, int *a, int *b)
{
	int y0 = 0, y1 = h;

	while (y0 < h && zp_skip_zero(m + (size_t)y0 * w, 0, w) == w)
		y0++;
	while (y1 > y0 && zp_skip_zero(m + (size_t)(y1 - 1) * w, 0, w) == w)
		y1--;
	*a = y0;
	*b = y1;
}

/*
 * One step of the clean-up on the rows that can change. Every non-zero
 * pixel of src lies in rows [*a, *b); a window of radius r makes output
 * rows further than r from them zero (vote, erode and dilate of zeros), so
 * the op runs on rows [*a - r, *b + r) alone (clamped to the frame) and the
 * rest of dst is cleared. That band's edge rows are zero, as is everything
 * beyond them, so the band's replicated border is what the frame has
 * there: every byte is the whole frame's. The band becomes [*a, *b).
 */
static void clean_step(zp_detector *d, const uint8_t *src, uint8_t *dst, int r, int op, int *a, int *b)
{
	const zp_pixops *o = &d->ops;
	int w = d->ww, h = d->wh, y0 = *a - r > 0 ? *a - r : 0, y1 = *b + r < h ? *b + r : h;
	size_t off = (size_t)y0 * w;

	if (op < 0) /* the vote */
		o->vote(src + off, w, dst + off, w, w, y1 - y0, r, ((2 * r + 1) * (2 * r + 1) + 1) / 2, d->voterow);
	else
		o->morph(src + off, w, dst + off, w, w, y1 - y0, r, op == 1, d->voterow);
	memset(dst, 0, off);
	memset(dst + (size_t)y1 * w, 0, (size_t)(h - y1) * w);
	*a = y0;
	*b = y1;
}

/*
 * raw -> mask: majority vote over (2 vote_radius + 1)^2 (a binary median:
 * specks go, thin limbs stay, which an opening would cut), then opening
 * (erode, dilate) and closing (dilate, erode) over squares of radius
 * open_radius / close_radius: each the same as that many 3x3 passes, done
 * in one separable pass per ZP_VOTE_MAX_R of radius (zp_pixops.morph).
 * Each step runs on the rows with foreground and their neighbours only
 * (clean_step): at a crossing most frames are mostly empty. raw is zero
 * outside rows [a, b); the mask's band goes to d->cc (its y0, y1), so
 * that the holes and the blobs read those rows alone.
 */
static void clean_mask(zp_detector *d, int a, int b)
{
	const uint8_t *src = d->raw;
	uint8_t *dst = d->mask, *spare = d->tmp;
	int w = d->ww, h = d->wh;
	/* the four steps: radius and op */
	const int rad[4] = { d->p.open_radius, d->p.open_radius, d->p.close_radius, d->p.close_radius };
	const bool dil[4] = { false, true, true, false };
	bool any = rad[0] > 0 || rad[2] > 0;

	d->cc.y0 = a;
	d->cc.y1 = b;
	if (a == b) { /* nothing in raw: every step gives zeros */
		memset(d->mask, 0, (size_t)w * h);
		return;
	}
	if (d->p.vote_radius > 0) {
		/* raw stays as it is: the gain estimate of the next frame reads it */
		clean_step(d, d->raw, any ? d->tmp : d->mask, d->p.vote_radius, -1, &d->cc.y0, &d->cc.y1);
		if (!any)
			return;
		src = d->tmp; /* each pass reads src and writes the other buffer */
	} else if (!any) {
		memcpy(d->mask, d->raw, (size_t)w * h);
		return;
	}
	for (int i = 0; i < 4; i++)
		for (int left = rad[i]; left > 0;) {
			int r = left < ZP_VOTE_MAX_R ? left : ZP_VOTE_MAX_R;
			uint8_t *t;

			clean_step(d, src, dst, r, dil[i], &d->cc.y0, &d->cc.y1);
			left -= r;
			src = dst;
			t = dst;
			dst = spare;
			spare = t;
		}
	/* src holds the result; make it d->mask (the two scratch buffers trade places). */
	if (src != d->mask) {
		d->tmp = d->mask;
		d->mask = (uint8_t *)src;
	}
}

/*
 * Warm-up with people in view. The model starts from the first frame and
 * learns the background fast while it warms up, but foreground pixels do
 * not ramp (fg_no_ramp): someone walking through would otherwise be
 * averaged into the background as a smear that lingers for ghost_fade_ms.
 * What is foreground and has not changed for half the warm-up (at most 255
 * frames) is taken as background at once: ground uncovered by someone who
 * stood there in the first frame and walked away (a walking person's pixels
 * keep changing).
 * Someone who stands still through the warm-up becomes background, as with
 * any background model; they are found once they move.
 */
/*
 * One row of warmup_settle(): still counts, previous row and absorb mask k.
 * Branch-free and restrict, so that the compiler vectorises it (the
 * detector is built with the "cheap" vectoriser cost model, see
 * CMakeLists.txt). Returns the OR of k.
 */
static unsigned settle_row(const uint8_t *restrict s, uint8_t *restrict pv, uint8_t *restrict st,
			   const uint8_t *restrict fg, const uint8_t *restrict hd, uint8_t *restrict k, int w, int moved,
			   unsigned need)
{
	unsigned rowany = 0;

	for (int x = 0; x < w; x++) {
		int dv = s[x] - pv[x];
		unsigned still = (unsigned)(dv <= moved && dv >= -moved);
		unsigned v = (unsigned)((st[x] + (st[x] < 255)) * still);

		st[x] = (uint8_t)v;
		pv[x] = s[x];
		k[x] = (uint8_t)(((fg[x] != 0) & (v >= need) & (hd[x] == 0)) * 255u);
		rowany |= k[x];
	}
	return rowany;
}

static void warmup_settle(zp_detector *d, const uint8_t *in, int stride, bool held)
{
	/* half the warm-up, at most what the 8-bit still counts reach */
	int w = d->ww, h = d->wh, half = d->p.warmup_frames / 2, need = half > 255 ? 255 : half > 2 ? half : 2;
	int moved = d->mp.threshold / 2 > 4 ? d->mp.threshold / 2 : 4;
	unsigned any = 0;

	if (!held)
		memset(d->voterow, 0, (size_t)w); /* voterow: any zero row will do */
	for (int y = 0; y < h; y++) {
		const uint8_t *hd = held ? d->hold + (size_t)y * w : d->voterow;

		/* tmp (the absorb mask) is free until the clean-up */
		any |= settle_row(in + (size_t)y * stride, d->wprev + (size_t)y * w, d->still + (size_t)y * w,
				  d->raw + (size_t)y * w, hd, d->tmp + (size_t)y * w, w, moved, (unsigned)need);
	}
	if (any)
		zp_bgmodel_absorb(d->model, in, stride, d->tmp, w);
}

/*
 * Camera shake: the picture moved by up to a pixel turns every edge of the
 * scene into foreground. There, the frame's 3x3 patch is the background's
 * patch moved by a pixel (or half a pixel: a mix of the two) in one of the
 * 8 directions; a person's patch is not. A foreground pixel whose patch
 * matches a moved background patch within 2/3 threshold a pixel on average
 * (plus 1/8 of the patch's own contrast: a moved strong edge never matches
 * exactly)
 * goes back to background. Only in frames where the picture did move
 * (shaken_frame()): on a steady camera it would cost people standing on
 * an edge of the scene (measured in docs/quality.md).
 */
static inline int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Fewer background edge samples than this say nothing of a move (shaken_frame(), sway_estimate()). */
#define ZP_MOVE_MIN_EDGES 16

/* A move's sum over the edge samples explains them clearly better than none's (below 3/4 of it). */
static inline bool explains_better(int64_t moved, int64_t none)
{
	return 4 * moved < 3 * none;
}

/* Background edge samples (3x3 contrast >= 2 threshold, every third pixel each way) into d->edges. */
static void find_edges(zp_detector *d)
{
	int w = d->ww, h = d->wh;

	/* the edge samples change with the background only: found again every ZP_EDGE_REFRESH frames */
	if (d->frames >= d->edges_at + ZP_EDGE_REFRESH || d->frames < d->edges_at) {
		d->nedges = 0;
		d->edges_at = d->frames;
		for (int y = 2; y < h - 2; y += 3)
			for (int x = 2; x < w - 2; x += 3) {
				const uint8_t *b = d->bg + (size_t)y * w + x;
				int lo = 255, hi = 0;

				for (int j = -1; j <= 1; j++)
					for (int i = -1; i <= 1; i++) {
						int v = b[(ptrdiff_t)j * w + i];

						lo = v < lo ? v : lo;
						hi = v > hi ? v : hi;
					}
				if (hi - lo >= 2 * d->mp.threshold)
					d->edges[d->nedges++] = (int32_t)((uint32_t)y << 16 | (uint32_t)x);
			}
	}
}

/*
 * Did the picture move this frame? On a sparse grid of background edges
 * (3x3 contrast >= 2 threshold), the sum of |frame - background moved by s|
 * for the 8 whole-pixel and 8 half-pixel moves against no move: shaken
 * when some move explains the edges clearly better (below 3/4). A person
 * walking by covers few of the edges and does not move them all one way.
 */
static bool shaken_frame(zp_detector *d, const uint8_t *in, int stride)
{
	int64_t sad[2][9] = { { 0 } };

	find_edges(d);
	if (d->nedges < ZP_MOVE_MIN_EDGES)
		return false;
	/* in blocks whose sums fit 32 bits (zp_pixops.shake_sums) */
	for (int e0 = 0; e0 < d->nedges; e0 += ZP_SHAKE_MAX_N) {
		int32_t s0[9], s1[9];

		d->ops.shake_sums(in, stride, d->bg, d->ww, d->edges + e0,
				  d->nedges - e0 > ZP_SHAKE_MAX_N ? ZP_SHAKE_MAX_N : d->nedges - e0, s0, s1);
		for (int k = 0; k < 9; k++) {
			sad[0][k] += s0[k];
			sad[1][k] += s1[k];
		}
	}
	for (int k = 0; k < 9; k++)
		if (k != 4 && (explains_better(sad[0][k], sad[0][4]) || explains_better(sad[1][k], 2 * sad[0][4])))
			return true;
	return false;
}

/* Sum over the edge samples of |frame at sample + (sx, sy) - background at sample|. */
static int64_t sway_cost(const zp_detector *d, const uint8_t *in, int stride, int sx, int sy)
{
	int w = d->ww, h = d->wh;
	int64_t sum = 0;

	for (int e = 0; e < d->nedges; e++) {
		int y = d->edges[e] >> 16, x = d->edges[e] & 0xffff;

		sum += abs(in[(size_t)clampi(y + sy, 0, h - 1) * stride + clampi(x + sx, 0, w - 1)] -
			   d->bg[(size_t)y * w + x]);
	}
	return sum;
}

/*
 * Camera sway (a pole in the wind): the whole picture moved by more than
 * the pixel unshake() undoes. From last frame's move, step to whichever of
 * the 8 neighbouring whole-pixel moves (up to ZP_SWAY_MAX each way) brings
 * the frame's pixels at the background's edge samples closest to the
 * background, until none does; a move is taken only when it explains the
 * edges clearly better than none (explains_better(), as shaken_frame()). Sets
 * d->sway_x, d->sway_y: the frame is the background moved by that.
 */
static void sway_estimate(zp_detector *d, const uint8_t *in, int stride)
{
	int cx = d->sway_x, cy = d->sway_y;
	int64_t none, best;

	if (d->nedges < ZP_MOVE_MIN_EDGES) {
		d->sway_x = d->sway_y = 0;
		return;
	}
	none = sway_cost(d, in, stride, 0, 0);
	best = cx || cy ? sway_cost(d, in, stride, cx, cy) : none;
	for (int it = 0; it < 2 * ZP_SWAY_MAX; it++) {
		int bx = cx, by = cy;

		for (int dy = -1; dy <= 1; dy++)
			for (int dx = -1; dx <= 1; dx++) {
				int nx = cx + dx, ny = cy + dy;
				int64_t c;

				if ((!dx && !dy) || abs(nx) > ZP_SWAY_MAX || abs(ny) > ZP_SWAY_MAX)
					continue;
				c = nx || ny ? sway_cost(d, in, stride, nx, ny) : none;
				if (c < best) {
					best = c;
					bx = nx;
					by = ny;
				}
			}
		if (bx == cx && by == cy)
			break;
		cx = bx;
		cy = by;
	}
	if (!explains_better(best, none))
		cx = cy = 0;
	d->sway_x = cx;
	d->sway_y = cy;
}

/* The frame moved back by the sway into d->stab (the edge rows and columns repeated). */
static const uint8_t *unsway(zp_detector *d, const uint8_t *in, int stride)
{
	int w = d->ww, h = d->wh, sx = d->sway_x, a = sx < 0 ? -sx : 0, b = sx > 0 ? w - sx : w;

	for (int y = 0; y < h; y++) {
		const uint8_t *src = in + (size_t)clampi(y + d->sway_y, 0, h - 1) * stride;
		uint8_t *o = d->stab + (size_t)y * w;

		memset(o, src[0], (size_t)a);
		memcpy(o + a, src + a + sx, (size_t)(b - a));
		memset(o + b, src[w - 1], (size_t)(w - b));
	}
	return d->stab;
}

static void unshake(zp_detector *d, const uint8_t *in, int stride)
{
	int w = d->ww, h = d->wh, lim = 9 * d->mp.threshold * 2 / 3;

	for (int y = 0; y < h; y++) {
		uint8_t *fg = d->raw + (size_t)y * w;

		for (int x = 0; x < w; x++) {
			bool shaken = false;
			int lo = 255, hi = 0, tol;

			if (!fg[x])
				continue;
			/* a moved edge never matches exactly (sampling, compression): more room the stronger the edge */
			for (int j = -1; j <= 1; j++)
				for (int i = -1; i <= 1; i++) {
					int b = d->bg[(size_t)clampi(y + j, 0, h - 1) * w + clampi(x + i, 0, w - 1)];

					lo = b < lo ? b : lo;
					hi = b > hi ? b : hi;
				}
			tol = lim + 9 * (hi - lo) / 8;
			/* the frame's 3x3 patch against the background moved by s (whole) or s/2 (half a pixel) */
			for (int sy = -1; sy <= 1 && !shaken; sy++)
				for (int sx = -1; sx <= 1 && !shaken; sx++) {
					int whole = 0, half = 0;

					if (!sx && !sy)
						continue;
					for (int j = -1; j <= 1; j++) {
						int yf = clampi(y + j, 0, h - 1), yb = clampi(y + j + sy, 0, h - 1);

						for (int i = -1; i <= 1; i++) {
							int xf = clampi(x + i, 0, w - 1), xb = clampi(x + i + sx, 0, w - 1);
							int f = in[(size_t)yf * stride + xf];
							int b0 = d->bg[(size_t)yf * w + xf], b1 = d->bg[(size_t)yb * w + xb];

							whole += abs(f - b1);
							half += abs(2 * f - b0 - b1);
						}
					}
					shaken = whole <= tol || half <= 2 * tol;
				}
			if (shaken)
				fg[x] = 0;
		}
	}
}

/*
 * The tracker found ghosts (ghost.c): take their pixels into the background
 * now, rather than letting them fade over ghost_fade_ms. tmp is free after
 * the clean-up.
 */
static void absorb_ghosts(zp_detector *d, const uint8_t *in, int stride)
{
	memset(d->tmp, 0, (size_t)d->ww * d->wh);
	for (int g = 0; g < d->tr->nghosts; g++)
		zp_blob_paint(&d->blobs[d->tr->ghost_blob[g]], &d->cc, d->scale, d->tmp);
	zp_bgmodel_absorb(d->model, in, stride, d->tmp, d->ww);
}

/* Everything after the foreground mask: clean-up, blobs, tracks, zones, health, result. */
/* The gain step this frame was compensated by (exposure.c); 1 when none: shadows and colour scale with it. */
static double frame_gain(const zp_detector *d)
{
	return d->ex.compensating ? d->ex.gain : 1.0;
}

static void downstream(zp_detector *d, const zp_frame *f, const uint8_t *in, int stride, bool ready, int y0,
		       int y1, zp_result *out)
{
	int64_t fg = 0;

	clean_mask(d, y0, y1);
	if (d->p.fill_holes) /* holes below half the smallest person (zp_detector_hole_area()), in work pixels */
		zp_holes_fill(&d->cc, d->mask, d->ww, d->hole_area / (d->scale * d->scale));
	d->have_mask = true;
	if (d->ground.valid) {
		/* sizes in metres on the ground (ground.c) instead of the pixel limits */
		d->nblobs = zp_blobs_find(&d->cc, d->mask, d->ww, d->scale, ZP_GROUND_MIN_WORK_PX * d->scale * d->scale,
					  d->width * d->height, d->p.split_groups, d->have_shadow ? d->shmark : NULL,
					  d->blobs, ZP_MAX_BLOBS, NULL, 0, NULL);
		d->npieces = 0;
		d->nblobs = zp_ground_filter(&d->ground, &d->p, d->width, d->height, d->scale, d->blobs, d->nblobs,
					     d->pieces, ZP_MAX_PIECES, &d->npieces);
	} else {
		d->nblobs = zp_blobs_find(&d->cc, d->mask, d->ww, d->scale, d->p.min_area, d->p.max_area,
					  d->p.split_groups, d->have_shadow ? d->shmark : NULL, d->blobs, ZP_MAX_BLOBS,
					  d->pieces, ZP_MAX_PIECES, &d->npieces);
	}
	for (int i = 0; i < d->cc.row_first[d->wh]; i++)
		fg += d->cc.runs[i].x1 - d->cc.runs[i].x0 + 1;

	memset(out, 0, sizeof(*out));
	out->seq = f->seq;
	out->t_ms = f->t_ms;
	out->model_ready = ready;
	out->fg_fraction = (double)fg / ((double)d->ww * d->wh);
	out->nblobs = d->nblobs;
	/*
	 * Is each blob there, or a ghost of what was there (ghost.c)? Measured
	 * on our own model's background, so not for masks from elsewhere.
	 * Ghosts are judged only when most of the picture is as the model knows
	 * it: after a global change (the camera knocked round) every outline is a
	 * "ghost", and re-learning the view blob by blob would hide the fault
	 * that the health verdict reports.
	 */
	if (in && out->fg_fraction <= d->p.max_fg_fraction)
		for (int b = 0; b < d->nblobs; b++)
			zp_blob_edges(&d->blobs[b], &d->cc, d->mask, d->scale, in, stride, d->bg);
	/*
	 * Camouflage: the mask is completed with colour inside the blobs' boxes
	 * (the mask given out: replay's masks, eval). The blobs, their outlines
	 * and fg_fraction were taken before, from the luma alone: colour does
	 * not make a blob, and the lights do not depend on it.
	 */
	if (d->p.colour_fill && in)
		zp_shadow_colour_fill(&d->sh, f, d->scale, frame_gain(d), d->mask,
				      d->have_shadow ? d->shmark : NULL, d->blobs, d->nblobs);
	/* The model's mask is not trusted while it warms up: no tracks then. */
	if (ready) {
		zp_detector_params tp = d->p;

		tp.threshold = d->mp.threshold; /* this frame's light (follow_light): the ghost outlines' test */
		/* what moves faster than anyone on foot (vehicle.c): judged on the components, before the tracks */
		zp_vehicles_mark(&d->veh, &d->cc, d->blobs, d->nblobs, d->scale,
				 d->ground.valid ? ZP_GROUND_MIN_WORK_PX * d->scale * d->scale : d->p.min_area, d->width,
				 d->height, &d->tr->stature, f->t_ms);
		zp_tracker_update(d->tr, &tp, d->blobs, d->nblobs, d->pieces, d->npieces, d->width, d->height,
				  f->t_ms);
	} else {
		zp_vehicles_reset(&d->veh);
	}
	if (in && d->tr->nghosts > 0)
		absorb_ghosts(d, in, stride);
	zp_zones_update(d->tr, d->zones, d->nzones, d->p.count_min_ms, out);
	for (int z = 0; z < d->nzones; z++) {
		if (out->zone_count[z] > 0)
			d->zone_seen_ms[z] = f->t_ms;
		out->zone_call[z] = out->model_ready && d->zone_seen_ms[z] != INT64_MIN &&
				    f->t_ms - d->zone_seen_ms[z] <= d->p.call_extend_ms;
	}
	out->sway_x = d->sway_x * d->scale;
	out->sway_y = d->sway_y * d->scale;
	out->ntracks = d->tr->n;
	for (int k = 0; k < d->tr->n; k++) {
		const zp_track *t = &d->tr->t[k];
		zp_track_info *ti = &out->tracks[k];

		ti->id = t->id;
		ti->box = t->box;
		ti->box.x += out->sway_x;
		ti->box.y += out->sway_y;
		ti->gx = t->gx + out->sway_x;
		ti->gy = t->gy + out->sway_y;
		ti->zones = t->zones;
		ti->age = t->age;
		ti->confirmed = t->confirmed;
		ti->speed_mps = d->ground.valid ? zp_ground_speed(&d->ground, t->gx, t->gy, t->vx, t->vy, d->interval_ms)
						: -1;
	}
	out->health = zp_health_verdict(&d->hs, &d->p, f->t_ms, ready, out->fg_fraction);
}

int zp_detector_process(zp_detector *d, const zp_frame *f, zp_result *out)
{
	const uint8_t *in;
	int stride, a, b;
	bool held, pools, have_bg = d && d->raw_valid;

	if (d)
		d->have_shadow = false;

	if (!d || !out || !frame_ok(d, f))
		return ZP_EINVAL;
	d->frames++;
	update_time(d, f->t_ms);
	zp_health_measure(&d->hs, &d->ops, f->luma, f->stride, d->scale, d->prev, d->ww, d->wh, f->t_ms);
	in = to_work(d, f->luma, f->stride, &stride);

	if (d->raw_valid) {
		zp_bgmodel_background(d->model, d->bg, d->ww);
		/* the camera swayed: the picture moved back onto the background first (sway_estimate()) */
		if (d->p.jitter && (d->shaken || d->sway_x || d->sway_y)) {
			find_edges(d);
			sway_estimate(d, in, stride);
			if (d->sway_x || d->sway_y) {
				in = unsway(d, in, stride);
				stride = d->ww;
			}
		}
		if (d->p.low_light_luma > 0)
			follow_light(d, zp_exposure_level(d->bg, d->ww, d->ww, d->wh));
		/* a gain step against what the model knows: compensated before the model sees it */
		zp_exposure_estimate(&d->ex, in, stride, d->bg, d->ww, d->raw, d->ww, d->ww, d->wh);
		if (zp_exposure_compensate(&d->ex, in, stride, d->comp, d->ww, d->ww, d->wh)) {
			in = d->comp;
			stride = d->ww;
		}
	}
	held = build_hold(d, f->t_ms);
	zp_bgmodel_apply(d->model, in, stride, held ? d->hold : NULL, d->ww, d->raw, d->ww);
	d->raw_valid = true;
	if (!zp_bgmodel_ready(d->model))
		warmup_settle(d, in, stride, held);
	d->shaken = d->p.jitter && have_bg && shaken_frame(d, in, stride);
	if (d->shaken)
		unshake(d, in, stride);
	/* the colour stages read the frame's colour where the background's pixels are now (the sway) */
	d->sh.dx = d->sway_x;
	d->sh.dy = d->sway_y;
	/* the rows with foreground (the shadow test only clears): the later stages skip the rest */
	mask_rows(d->raw, d->ww, d->wh, &a, &b);
	/* the chroma background, for colour shadows and colour_fill */
	if (d->p.shadows == 2 || d->p.colour_fill)
		zp_shadow_learn(&d->sh, f, d->scale, frame_gain(d), d->raw,
				!zp_bgmodel_ready(d->model), d->p.learn_shift);
	/* light pools (headlights, lamps) in low light only: by day the tile gains take patches of sun */
	pools = d->p.light_pools && d->low_light;
	if ((d->p.shadows || pools) && have_bg) /* d->bg: the background before this frame */
		d->have_shadow = zp_shadow_filter(&d->sh, &d->p, f, d->scale, frame_gain(d), pools, in, stride, d->bg,
						  d->raw, d->shmark, a, b) > 0;
	downstream(d, f, have_bg ? in : NULL, stride, zp_bgmodel_ready(d->model), a, b, out);
	return 0;
}

int zp_detector_process_mask(zp_detector *d, const zp_frame *f, const uint8_t *fgmask, int fgstride,
			     zp_result *out)
{
	int a, b;

	if (!d || !out || !frame_ok(d, f) || !fgmask || fgstride < d->width)
		return ZP_EINVAL;
	d->frames++;
	update_time(d, f->t_ms);
	zp_health_measure(&d->hs, &d->ops, f->luma, f->stride, d->scale, d->prev, d->ww, d->wh, f->t_ms);

	/* Work pixel = foreground when >= 2 of its 2x2 input pixels are (downscale2 rounds 2 x 255 / 4 up to 128). */
	if (d->scale == 1) {
		for (int y = 0; y < d->wh; y++)
			memcpy(d->raw + (size_t)y * d->ww, fgmask + (size_t)y * fgstride, (size_t)d->ww);
	} else if (d->scale == 2) {
		d->ops.downscale2(fgmask, fgstride, d->raw, d->ww, d->width, d->height);
	} else {
		int hw = d->width / 2, hh = d->height / 2;

		d->ops.downscale2(fgmask, fgstride, d->half, hw, d->width, d->height);
		binarize(d->half, hw, hw, hh);
		d->ops.downscale2(d->half, hw, d->raw, d->ww, hw, hh);
	}
	binarize(d->raw, d->ww, d->ww, d->wh);
	d->raw_valid = false; /* not the model's output: no gain sampling from it */
	d->sway_x = d->sway_y = 0; /* the mask is on this frame's pixels */
	d->have_shadow = false;
	mask_rows(d->raw, d->ww, d->wh, &a, &b);
	downstream(d, f, NULL, 0, d->frames >= (uint64_t)d->p.warmup_frames, a, b, out);
	return 0;
}

void zp_detector_mask(const zp_detector *d, uint8_t *dst, int dst_stride)
{
	if (!d || !dst || dst_stride < d->width)
		return;
	/* the mask is on the background's pixels: moved by the sway onto this frame's (sway_estimate()) */
	for (int y = 0; y < d->height; y++) {
		uint8_t *o = dst + (size_t)y * dst_stride;
		int wy = (y / d->scale < d->wh ? y / d->scale : d->wh - 1) - d->sway_y;
		const uint8_t *m = d->mask + (size_t)wy * d->ww;

		if (!d->have_mask || wy < 0 || wy >= d->wh) {
			memset(o, 0, (size_t)d->width);
			continue;
		}
		for (int x = 0; x < d->width; x++) {
			int wx = (x / d->scale < d->ww ? x / d->scale : d->ww - 1) - d->sway_x;

			o[x] = wx >= 0 && wx < d->ww && m[wx] ? 255 : 0;
		}
	}
}

const char *zp_detector_model_path(const zp_detector *d)
{
	return zp_simd_name(zp_bgmodel_simd(d ? d->model : NULL));
}

size_t zp_detector_state_bytes(const zp_detector *d)
{
	if (!d)
		return 0;
	return sizeof(*d) + d->buf_bytes + zp_cc_bytes(&d->cc) + zp_shadow_bytes(&d->sh) + zp_exposure_bytes(&d->ex) + sizeof(*d->tr) +
	       zp_bgmodel_state_bytes(d->model);
}

int zp_detector_blobs(const zp_detector *d, zp_rect *boxes, int max)
{
	if (!d)
		return 0;
	for (int i = 0; i < d->nblobs && i < max; i++) {
		boxes[i] = d->blobs[i].box;
		boxes[i].x += d->sway_x * d->scale;
		boxes[i].y += d->sway_y * d->scale;
	}
	return d->nblobs;
}
