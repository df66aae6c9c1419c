/* SPDX-License-Identifier: MIT */
/*
 * shadow.c - foreground pixels that are only a shadow (or a patch of shade)
 * go back to background before the clean-up.
 *
 * A cast shadow darkens the ground by a factor (0.3..0.9 in sunlight, less
 * under a cloud) and keeps what the ground looks like: its texture and its
 * colour. A person changes both. So a foreground pixel whose 3x3
 * neighbourhood is the background's, only darker, is a shadow:
 *
 *   ratio  r = sum(x) / sum(b) over the 3x3 window, within
 *          [shadow_min_ratio, shadow_max_ratio];
 *   texture where the background has some (variance of b over the window
 *          >= ZP_SH_TEXTURE): the normalised cross-correlation of x and b
 *          is >= ZP_SH_NCC_PCT % (the same pattern, only darker);
 *   colour where it has none (flat ground), only when the frame has
 *          colour and the ground is coloured (|B - Y| + |R - Y| of the
 *          background >= ZP_SH_MIN_CHROMA: grass, coloured paving): the
 *          chroma of the pixel is the background's scaled by r, within
 *          ZP_SH_CHROMA. A darker patch on flat grey ground may as well be a
 *          grey coat - its chroma is "kept" too - so it stays foreground
 *          (neither luma nor colour can tell; see docs/quality.md).
 *
 * A shadow is a region: a pixel whose window passed alone is dropped (a
 * chance match on a person). The shadow's rim (the penumbra, where the
 * frame has an edge that the background lacks) fails the texture test and
 * stays foreground; growing the shadow into it also eats the feet and legs
 * of the person who casts it (measured: CDnet recall -0.5 to -2 %), so the
 * rim is left to the blob stage instead: the shadow pixels found here are
 * kept in `mark`, and blobs.c trims box rows at the bottom (and columns at
 * the sides) that are mostly shadow, so a shadow joined to the feet does
 * not move the ground point (zp_blobs_find).
 *
 * Colour needs a background for the chroma. It is kept at work scale, two
 * int16 planes, learnt from background pixels only: every row in the
 * warm-up, then one row in ZP_SH_ROWS each frame (round robin, so its cost
 * is small and it is the same on every run), at the model's rate sped up
 * by the same factor. The chroma of a work pixel is the mean over its
 * scale x scale block of camera pixels.
 *
 * Cost: the tests run on foreground pixels only (a few per cent of the
 * frame), the chroma background on 1/ZP_SH_ROWS of the frame.
 */
#include "detector_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Background variance over the 3x3 window (sum of squares about the mean, / 9) that counts as texture. */
#define ZP_SH_TEXTURE 12
/* Normalised cross-correlation of frame and background that says "the same pattern", per cent. */
#define ZP_SH_NCC_PCT 80
/* Largest chroma distance |u - r u_b| + |v - r v_b| of a shadow, levels. */
#define ZP_SH_CHROMA 8
/* Smallest background chroma |u_b| + |v_b| the colour test uses: grey ground says nothing (nor a grey coat). */
#define ZP_SH_MIN_CHROMA 12
/* Backgrounds darker than this (mean of the window) say nothing about shadows. */
#define ZP_SH_MIN_BG 24
/* A shadow pixel found by the window test needs this many of its 8 neighbours found too. */
#define ZP_SH_SEEDS 3
/* The chroma background learns one row in this many per frame after the warm-up. */
#define ZP_SH_ROWS 8

int zp_shadow_init(zp_shadow *s, int ww, int wh)
{
	memset(s, 0, sizeof(*s));
	s->w = ww;
	s->h = wh;
	s->u = calloc((size_t)ww * wh, sizeof(*s->u));
	s->v = calloc((size_t)ww * wh, sizeof(*s->v));
	s->list = calloc((size_t)ww * wh, sizeof(*s->list));
	if (!s->u || !s->v || !s->list) {
		zp_shadow_fini(s);
		return ZP_ENOMEM;
	}
	return 0;
}

void zp_shadow_fini(zp_shadow *s)
{
	free(s->u);
	free(s->v);
	free(s->list);
	memset(s, 0, sizeof(*s));
}

size_t zp_shadow_bytes(const zp_shadow *s)
{
	return (size_t)s->w * s->h * (sizeof(*s->u) + sizeof(*s->v) + sizeof(*s->list));
}

/*
 * Chroma of work pixel (x, y): mean B - Y and R - Y over its block of
 * camera pixels, Y = BT.601 luma of the mean, in 1/16 levels (integer
 * arithmetic, rounded); divided by gain (a compensated gain step scales
 * colour as it scales luma).
 */
static int64_t div_round(int64_t num, int64_t den)
{
	return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}

static inline void block_chroma(const zp_frame *f, int scale, int x, int y, double inv_gain, int *u, int *v)
{
	unsigned b = 0, g = 0, r = 0;
	int64_t Y, den = (int64_t)scale * scale * 1024;

	if (scale == 2) { /* the default scale, unrolled: this runs on a quarter of the frame every frame */
		const uint8_t *p = f->bgr + (size_t)(y * 2) * f->bgr_stride + (size_t)x * 6, *q = p + f->bgr_stride;

		b = (unsigned)p[0] + p[3] + q[0] + q[3];
		g = (unsigned)p[1] + p[4] + q[1] + q[4];
		r = (unsigned)p[2] + p[5] + q[2] + q[5];
	} else {
		for (int j = 0; j < scale; j++) {
			const uint8_t *p = f->bgr + (size_t)(y * scale + j) * f->bgr_stride + (size_t)x * scale * 3;

			for (int i = 0; i < scale; i++, p += 3) {
				b += p[0];
				g += p[1];
				r += p[2];
			}
		}
	}
	/* BT.601 luma in 1/16384: 0.114, 0.587, 0.299 -> 1868, 9617, 4899 (sum 16384); integer, the same everywhere */
	Y = 1868 * (int64_t)b + 9617 * (int64_t)g + 4899 * (int64_t)r;
	if (scale == 1 || scale == 2 || scale == 4) {
		/* den a power of two: a shift (rounding half up; arithmetic shift, as on every machine we build for) */
		int sh = scale == 1 ? 10 : scale == 2 ? 12 : 14;

		*u = (int)(((int64_t)b * 16384 - Y + (den >> 1)) >> sh);
		*v = (int)(((int64_t)r * 16384 - Y + (den >> 1)) >> sh);
	} else {
		*u = (int)div_round((int64_t)b * 16384 - Y, den);
		*v = (int)div_round((int64_t)r * 16384 - Y, den);
	}
	if (inv_gain != 1.0) {
		*u = (int)lrint(*u * inv_gain);
		*v = (int)lrint(*v * inv_gain);
	}
}

void zp_shadow_learn(zp_shadow *s, const zp_frame *f, int scale, double gain, const uint8_t *fg, bool warmup,
		     int learn_shift)
{
	double inv = gain > 0 ? 1.0 / gain : 1.0;
	int y0 = 0, step = 1, sh;

	if (!f->bgr)
		return;
	if (!s->have) {
		warmup = true; /* first colour frame: every pixel */
		learn_shift = 0;
	} else if (!warmup) {
		y0 = (int)(s->row++ % ZP_SH_ROWS);
		step = ZP_SH_ROWS;
	}
	/* one row in ZP_SH_ROWS learns ZP_SH_ROWS times as fast (shift 3 less), at least shift 1 */
	sh = warmup ? (learn_shift < 3 ? learn_shift : 3) : (learn_shift - 3 > 1 ? learn_shift - 3 : 1);
	for (int y = y0; y < s->h; y += step) {
		int16_t *pu = s->u + (size_t)y * s->w, *pv = s->v + (size_t)y * s->w;
		const uint8_t *m = fg + (size_t)y * s->w;

		for (int x = 0; x < s->w; x++) {
			int u, v;

			if (s->have && m[x])
				continue;
			block_chroma(f, scale, x, y, inv, &u, &v);
			if (sh == 0) {
				pu[x] = (int16_t)u;
				pv[x] = (int16_t)v;
			} else {
				/* arithmetic shift of a signed difference: floor, same on every machine we build for */
				pu[x] = (int16_t)(pu[x] + ((u - pu[x]) / (1 << sh)));
				pv[x] = (int16_t)(pv[x] + ((v - pv[x]) / (1 << sh)));
			}
		}
	}
	s->have = true;
}

/* Is the colour of (x, y) the background's, darkened by r? */
static bool chroma_kept(const zp_shadow *s, const zp_frame *f, int scale, double inv_gain, int x, int y, double r)
{
	size_t i = (size_t)y * s->w + x;
	int u, v;

	if (abs(s->u[i]) + abs(s->v[i]) < 16 * ZP_SH_MIN_CHROMA)
		return false;
	block_chroma(f, scale, x, y, inv_gain, &u, &v);
	return (fabs(u - r * s->u[i]) + fabs(v - r * s->v[i])) / 16.0 <= ZP_SH_CHROMA;
}

/* Append pixel i to the marked list and mark it with ratio v (1..255). */
static inline void mark_px(zp_shadow *s, uint8_t *mark, int32_t i, int v)
{
	mark[i] = (uint8_t)v;
	s->list[s->nlist++] = i;
}

/* One column of the 3x3 window: its three pixels of frame (x) and background (b), summed. */
struct win_col {
	int x, b, xx, bb, xb;
};

static inline struct win_col win_column(const uint8_t *a, int astride, const uint8_t *b, int bstride, int x)
{
	struct win_col c = { 0, 0, 0, 0, 0 };

	for (int j = 0; j < 3; j++) {
		int u = a[(size_t)j * astride + x], v = b[(size_t)j * bstride + x];

		c.x += u;
		c.b += v;
		c.xx += u * u;
		c.bb += v * v;
		c.xb += u * v;
	}
	return c;
}

int zp_shadow_filter(zp_shadow *s, const zp_detector_params *p, const zp_frame *f, int scale, double gain,
		     const uint8_t *in, int istride, const uint8_t *bg, uint8_t *fg, uint8_t *mark, int y0, int y1)
{
	bool colour = p->shadows == 2 && f->bgr && s->have;
	double inv = gain > 0 ? 1.0 / gain : 1.0;
	int w = s->w, h = s->h, n = 0, kept = 0;
	/* the ratio band in 1/256 steps: 256 sx >= lo sb and 256 sx <= hi sb */
	int64_t lo = (int64_t)(p->shadow_min_ratio * 256 + 0.5), hi = (int64_t)(p->shadow_max_ratio * 256 + 0.5);

	/* last frame's marks off (the list holds every marked pixel) */
	for (int k = 0; k < s->nlist; k++)
		mark[s->list[k]] = 0;
	s->nlist = 0;
	for (int y = y0 > 1 ? y0 : 1; y < h - 1 && y < y1; y++) {
		const uint8_t *m = fg + (size_t)y * w;
		const uint8_t *a = in + (size_t)(y - 1) * istride, *b = bg + (size_t)(y - 1) * w;
		/* the window's three columns, x - 1 .. x + 1, valid when cx == x - 1 (a run goes on) */
		struct win_col c[3] = { { 0 } };
		int cx = -2;

		for (int x = 1; x < w - 1; x++) {
			int sx, sb, sxx, sbb, sxb;
			int64_t vb9, vx9, cov9;

			if (!m[x]) {
				/* on to the next foreground pixel (the loop's x++ lands on it) */
				x = zp_skip_zero(m, x, w - 1) - 1;
				continue;
			}
			/* along a run of foreground the window slides: one new column, not nine pixels */
			if (cx == x - 1) {
				c[0] = c[1];
				c[1] = c[2];
			} else {
				c[0] = win_column(a, istride, b, w, x - 1);
				c[1] = win_column(a, istride, b, w, x);
			}
			c[2] = win_column(a, istride, b, w, x + 1);
			cx = x;
			sx = c[0].x + c[1].x + c[2].x;
			sb = c[0].b + c[1].b + c[2].b;
			sxx = c[0].xx + c[1].xx + c[2].xx;
			sbb = c[0].bb + c[1].bb + c[2].bb;
			sxb = c[0].xb + c[1].xb + c[2].xb;
			if (sb < 9 * ZP_SH_MIN_BG || 256 * (int64_t)sx < lo * sb || 256 * (int64_t)sx > hi * sb)
				continue;
			/* 81 x the variances and the covariance of the window, exact in integers */
			vb9 = 9 * (int64_t)sbb - (int64_t)sb * sb;
			if (vb9 >= 81 * ZP_SH_TEXTURE) {
				vx9 = 9 * (int64_t)sxx - (int64_t)sx * sx;
				cov9 = 9 * (int64_t)sxb - (int64_t)sx * sb;
				/* NCC >= ZP_SH_NCC_PCT / 100, squared */
				if (vx9 <= 0 || cov9 <= 0 ||
				    10000 * cov9 * cov9 < (int64_t)ZP_SH_NCC_PCT * ZP_SH_NCC_PCT * vx9 * vb9)
					continue;
				/* with colour, the texture test alone decides on textured ground */
			} else if (!colour || !chroma_kept(s, f, scale, inv, x, y, (double)sx / sb)) {
				continue;
			}
			/* the shadow's ratio, 1..255 (never 0: 0 is "no shadow") */
			mark_px(s, mark, (int32_t)((size_t)y * w + x), sx >= sb ? 255 : (255 * sx + sb / 2) / sb > 1 ?
				(255 * sx + sb / 2) / sb : 1);
		}
	}
	/*
	 * A shadow is a region: a window that passed alone (fewer than
	 * ZP_SH_SEEDS of its 8 neighbours passed too) is a chance match on a
	 * person or a changed scene, not a shadow. Pruned in place in raster
	 * order, so a pixel sees its earlier neighbours already pruned: the
	 * order is fixed, the result deterministic, and it only errs towards
	 * foreground.
	 */
	for (int k = 0; k < s->nlist; k++) {
		int32_t i = s->list[k];
		int c = 0;

		for (int j = -1; j <= 1; j++)
			for (int d = -1; d <= 1; d++)
				c += (j || d) && mark[i + (ptrdiff_t)j * w + d];
		if (c < ZP_SH_SEEDS)
			mark[i] = 0;
		else
			s->list[kept++] = i;
	}
	s->nlist = kept;
	/* the frame's border (no full window there) follows the pixel inside it */
	for (int x = 0; x < w && h >= 3 && w >= 3; x++) {
		int xi = x < 1 ? 1 : x > w - 2 ? w - 2 : x;

		if (fg[x] && mark[w + xi])
			mark_px(s, mark, x, mark[w + xi]);
		if (fg[(size_t)(h - 1) * w + x] && mark[(size_t)(h - 2) * w + xi])
			mark_px(s, mark, (int32_t)((size_t)(h - 1) * w + x), mark[(size_t)(h - 2) * w + xi]);
	}
	for (int y = 1; y < h - 1 && w >= 3; y++) {
		if (fg[(size_t)y * w] && mark[(size_t)y * w + 1])
			mark_px(s, mark, (int32_t)((size_t)y * w), mark[(size_t)y * w + 1]);
		if (fg[(size_t)y * w + w - 1] && mark[(size_t)y * w + w - 2])
			mark_px(s, mark, (int32_t)((size_t)y * w + w - 1), mark[(size_t)y * w + w - 2]);
	}
	for (int k = 0; k < s->nlist; k++) {
		fg[s->list[k]] = 0;
		n++;
	}
	return n;
}

/*
 * The chroma distance that says "another colour", 1/16 levels of
 * |B - Y - u_b| + |R - Y - v_b|: 40 levels. Leaves against the sky differ
 * from their mean by about half of that; a coloured coat from grey or
 * green ground by more.
 */
#define ZP_CAMO_CHROMA (40 * 16)

int zp_shadow_colour_fill(const zp_shadow *s, const zp_frame *f, int scale, double gain, uint8_t *mask,
			  const uint8_t *mark, const zp_blob *blobs, int nblobs)
{
	double inv = gain > 0 ? 1.0 / gain : 1.0;
	int set = 0;

	if (!f->bgr || !s->have)
		return 0;
	for (int b = 0; b < nblobs; b++) {
		int x0 = blobs[b].box.x / scale, y0 = blobs[b].box.y / scale;
		int x1 = (blobs[b].box.x + blobs[b].box.w) / scale, y1 = (blobs[b].box.y + blobs[b].box.h) / scale;

		x1 = x1 < s->w ? x1 : s->w;
		y1 = y1 < s->h ? y1 : s->h;
		for (int y = y0; y < y1; y++) {
			uint8_t *m = mask + (size_t)y * s->w;
			const int16_t *pu = s->u + (size_t)y * s->w, *pv = s->v + (size_t)y * s->w;

			for (int x = x0; x < x1; x++) {
				int u, v;

				if (m[x] || (mark && mark[(size_t)y * s->w + x]))
					continue;
				block_chroma(f, scale, x, y, inv, &u, &v);
				if (abs(u - pu[x]) + abs(v - pv[x]) > ZP_CAMO_CHROMA) {
					m[x] = 255;
					set++;
				}
			}
		}
	}
	return set;
}
