/* SPDX-License-Identifier: MIT */
/*
 * bgmodel.c - the per-pixel background model: state, parameters, warm-up and
 * the frame loop over the row kernel chosen at _new (see models_internal.h
 * for the per-pixel arithmetic).
 */
#include "models_internal.h"

#include <stdlib.h>
#include <string.h>

#define ZP_BG_MAX_DIM 16384
#define ZP_BG_DEV_MULT_DEFAULT 3
/* flicker_on default, blink level added per blink back, mode-2 hits needed, mode-2 learning shift */
#define ZP_BG_FLICKER_ON_DEFAULT 16
#define ZP_BG_BLINK_INC 16
#define ZP_BG_HITS_ON 4
#define ZP_BG_SHIFT2 3
#define ZP_BG_FLICKER_FLOOR_DEFAULT 150

struct zp_bgmodel {
	int width, height;
	zp_bgmodel_params p;
	const struct zp_kernels *k;
	uint16_t *mean;     /* width * height, 8.8 */
	uint16_t *dev;      /* width * height, 8.8 */
	uint16_t *mean2;    /* width * height, 8.8: the second level of flickering pixels */
	uint16_t *aux;      /* width * height: blink level, missed flag, mode-2 hits (models_internal.h) */
	uint8_t *zero_hold; /* one row of zeros, for hold == NULL */
	long frames;        /* frames applied; 0 = not initialised */
};

static int check_params(int width, int height, const zp_bgmodel_params *p, char *err, size_t errlen)
{
	if (width < 1 || width > ZP_BG_MAX_DIM || height < 1 || height > ZP_BG_MAX_DIM)
		return zp_seterr(err, errlen, ZP_EINVAL, "bgmodel: size %dx%d: expected 1..%d x 1..%d", width, height,
				 ZP_BG_MAX_DIM, ZP_BG_MAX_DIM);
	if (!p)
		return zp_seterr(err, errlen, ZP_EINVAL, "bgmodel: params: expected a zp_bgmodel_params, got NULL");
	if (p->threshold < 1 || p->threshold > 255)
		return zp_seterr(err, errlen, ZP_EINVAL, "bgmodel: threshold: expected 1..255, got %d", p->threshold);
	if (p->learn_shift < 1 || p->learn_shift > 15)
		return zp_seterr(err, errlen, ZP_EINVAL, "bgmodel: learn_shift: expected 1..15, got %d", p->learn_shift);
	if (p->fg_learn_shift < 1 || p->fg_learn_shift > 15)
		return zp_seterr(err, errlen, ZP_EINVAL, "bgmodel: fg_learn_shift: expected 1..15, got %d",
				 p->fg_learn_shift);
	if (p->warmup_frames < 0 || p->warmup_frames > 1000000)
		return zp_seterr(err, errlen, ZP_EINVAL, "bgmodel: warmup_frames: expected 0..1000000, got %d",
				 p->warmup_frames);
	if (p->dev_mult < -1 || p->dev_mult > 16)
		return zp_seterr(err, errlen, ZP_EINVAL, "bgmodel: dev_mult: expected -1 (off), 0 (default 3) or 1..16, got %d",
				 p->dev_mult);
	if (p->flicker_on < -1 || p->flicker_on > 127)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "bgmodel: flicker_on: expected -1 (off), 0 (default %d) or 1..127, got %d",
				 ZP_BG_FLICKER_ON_DEFAULT, p->flicker_on);
	if (p->flicker_floor != 0 && (p->flicker_floor < 100 || p->flicker_floor > 400))
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "bgmodel: flicker_floor: expected 0 (default %d) or 100..400 (%% of threshold), got %d",
				 ZP_BG_FLICKER_FLOOR_DEFAULT, p->flicker_floor);
	return 0;
}

/* Store p with its defaults filled in (0 = default for the optional fields). */
static void set_params(zp_bgmodel *m, const zp_bgmodel_params *p)
{
	m->p = *p;
	if (m->p.dev_mult == 0)
		m->p.dev_mult = ZP_BG_DEV_MULT_DEFAULT;
	if (m->p.flicker_on == 0)
		m->p.flicker_on = ZP_BG_FLICKER_ON_DEFAULT;
	if (m->p.flicker_floor == 0)
		m->p.flicker_floor = ZP_BG_FLICKER_FLOOR_DEFAULT;
}

zp_bgmodel *zp_bgmodel_new(int width, int height, const zp_bgmodel_params *p, zp_simd simd, char *err,
			   size_t errlen)
{
	zp_bgmodel *m;
	size_t n;

	if (check_params(width, height, p, err, errlen) < 0)
		return NULL;
	n = (size_t)width * (size_t)height;
	m = calloc(1, sizeof(*m));
	if (!m)
		goto fail;
	m->width = width;
	m->height = height;
	set_params(m, p);
	m->k = zp_kernels_get(simd);
	m->mean = calloc(n, sizeof(*m->mean));
	m->dev = calloc(n, sizeof(*m->dev));
	m->mean2 = calloc(n, sizeof(*m->mean2));
	m->aux = calloc(n, sizeof(*m->aux));
	m->zero_hold = calloc((size_t)width, 1);
	if (!m->mean || !m->dev || !m->mean2 || !m->aux || !m->zero_hold)
		goto fail;
	return m;

fail:
	zp_bgmodel_free(m);
	zp_seterr(err, errlen, ZP_ENOMEM, "bgmodel: out of memory for %dx%d", width, height);
	return NULL;
}

void zp_bgmodel_free(zp_bgmodel *m)
{
	if (!m)
		return;
	/* the mean is a picture of the empty street: never leave it in freed memory */
	if (m->mean)
		explicit_bzero(m->mean, (size_t)m->width * m->height * sizeof(*m->mean));
	if (m->dev)
		explicit_bzero(m->dev, (size_t)m->width * m->height * sizeof(*m->dev));
	if (m->mean2)
		explicit_bzero(m->mean2, (size_t)m->width * m->height * sizeof(*m->mean2));
	free(m->mean);
	free(m->dev);
	free(m->mean2);
	free(m->aux);
	free(m->zero_hold);
	free(m);
}

static void init_from(zp_bgmodel *m, const uint8_t *luma, int stride, uint8_t *fg, int fg_stride)
{
	for (int y = 0; y < m->height; y++) {
		const uint8_t *s = luma + (size_t)y * stride;
		uint16_t *mean = m->mean + (size_t)y * m->width;
		uint16_t *dev = m->dev + (size_t)y * m->width;
		uint16_t *mean2 = m->mean2 + (size_t)y * m->width, *aux = m->aux + (size_t)y * m->width;

		for (int x = 0; x < m->width; x++) {
			mean[x] = mean2[x] = (uint16_t)(s[x] << 8);
			dev[x] = 0;
			aux[x] = 0;
		}
		memset(fg + (size_t)y * fg_stride, 0, (size_t)m->width);
	}
}

/* 1 + floor(log2(n)) for n >= 1. */
static int ramp_shift(long n)
{
	int s = 1;

	while (n > 1) {
		n >>= 1;
		s++;
	}
	return s;
}

/*
 * Warm-up: frame n after the first learns with shift min(shift, 1+log2 n),
 * which is close to the running average of the frames so far, so the model
 * is usable after a few frames instead of 2^learn_shift. Foreground pixels
 * ramp too while warming up (the scene is assumed mostly empty then).
 */
static void frame_kparams(const zp_bgmodel *m, struct zp_bg_kparams *kp)
{
	int ls = m->p.learn_shift, fs = m->p.fg_learn_shift;

	if (m->frames < m->p.warmup_frames) {
		int r = ramp_shift(m->frames);

		ls = ls < r ? ls : r;
		if (!m->p.fg_no_ramp)
			fs = fs < r ? fs : r;
	}
	kp->thr = (uint16_t)(m->p.threshold << 8);
	{
		/* 8.8, rounded, at most 0xffff (threshold 255 x 400 % is more) */
		long fl = ((long)m->p.threshold * m->p.flicker_floor * 256 + 50) / 100;

		kp->thr_fl = m->p.flicker_on < 0 ? kp->thr : (uint16_t)(fl > 0xffff ? 0xffff : fl);
	}
	kp->dev_mult = (uint16_t)(m->p.dev_mult < 0 ? 0 : m->p.dev_mult);
	kp->shift_bg = (uint8_t)ls;
	kp->shift_fg = (uint8_t)fs;
	kp->shift2 = ZP_BG_SHIFT2;
	kp->blink_inc = ZP_BG_BLINK_INC;
	kp->blink_on = (uint8_t)(m->p.flicker_on < 0 ? 128 : m->p.flicker_on);
	kp->hits_on = ZP_BG_HITS_ON;
}

int zp_bgmodel_apply(zp_bgmodel *m, const uint8_t *luma, int stride, const uint8_t *hold, int hold_stride,
		     uint8_t *fg, int fg_stride)
{
	struct zp_bg_kparams kp;

	if (!m || !luma || !fg || stride < m->width || fg_stride < m->width || (hold && hold_stride < m->width))
		return ZP_EINVAL;
	if (m->frames == 0) {
		init_from(m, luma, stride, fg, fg_stride);
		m->frames = 1;
		return 0;
	}
	frame_kparams(m, &kp);
	for (int y = 0; y < m->height; y++) {
		size_t off = (size_t)y * m->width;

		m->k->bg_row(luma + (size_t)y * stride, m->mean + off, m->dev + off, m->mean2 + off, m->aux + off,
			     hold ? hold + (size_t)y * hold_stride : m->zero_hold, fg + (size_t)y * fg_stride, m->width,
			     &kp);
	}
	m->frames++;
	return 0;
}

int zp_bgmodel_set_params(zp_bgmodel *m, const zp_bgmodel_params *p)
{
	if (!m || check_params(m->width, m->height, p, NULL, 0) < 0)
		return ZP_EINVAL;
	set_params(m, p);
	return 0;
}

int zp_bgmodel_absorb(zp_bgmodel *m, const uint8_t *luma, int stride, const uint8_t *mask, int mask_stride)
{
	if (!m || !luma || !mask || stride < m->width || mask_stride < m->width)
		return ZP_EINVAL;
	for (int y = 0; y < m->height; y++) {
		const uint8_t *s = luma + (size_t)y * stride, *k = mask + (size_t)y * mask_stride;
		uint16_t *mean = m->mean + (size_t)y * m->width;

		for (int x = 0; x < m->width; x++)
			if (k[x])
				mean[x] = (uint16_t)(s[x] << 8);
	}
	return 0;
}

bool zp_bgmodel_ready(const zp_bgmodel *m)
{
	return m && m->frames > 0 && m->frames >= m->p.warmup_frames;
}

zp_simd zp_bgmodel_simd(const zp_bgmodel *m)
{
	return m ? m->k->simd : ZP_SIMD_SCALAR;
}

size_t zp_bgmodel_state_bytes(const zp_bgmodel *m)
{
	size_t n;

	if (!m)
		return 0;
	n = (size_t)m->width * (size_t)m->height;
	return sizeof(*m) + n * (sizeof(*m->mean) + sizeof(*m->dev) + sizeof(*m->mean2) + sizeof(*m->aux)) +
	       (size_t)m->width;
}

void zp_bgmodel_background(const zp_bgmodel *m, uint8_t *dst, int dst_stride)
{
	if (!m || !dst || dst_stride < m->width)
		return;
	for (int y = 0; y < m->height; y++)
		m->k->bg_luma(m->mean + (size_t)y * m->width, dst + (size_t)y * dst_stride, m->width);
}
