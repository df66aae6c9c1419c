/* SPDX-License-Identifier: MIT */
/*
 * exposure.c - gain steps (camera auto-exposure, a cloud, street lights
 * switching, the sun coming out over part of the view) before the
 * background model.
 *
 * The gain is the median of frame / background over a sparse grid of pixels
 * that were background in the last frame (people and their shadows are left
 * out), away from black and saturation where the ratio says nothing. Only a
 * step (outside 1 +- ZP_GAIN_STEP) is compensated: slow drifts are learnt by
 * the model as usual. The compensation divides the frame by the gain, so
 * the model sees the scene it knows.
 *
 * Light does not change evenly: when a cloud moves off, the sunlit lawn
 * brightens by half while the shaded facade and the clipped sky hardly
 * change, and no single gain fits. So each tile of about ZP_GAIN_TILE work
 * pixels also gets its own gain, by the same rule over its own samples
 * (every ZP_GAIN_TILE_GRID pixels) that were background last frame, when
 * 60 % of them lie within 10 % of their median (light scales a surface
 * alike; a half-learnt object does not). Light comes over a region, so a
 * tile's step counts only when a neighbour across and one above or below
 * step the same way; a step in one tile, or one column of tiles, is
 * something local (a person, a shadow, headlights) and is left to the
 * model and the shadow test. A tile that was mostly foreground (a person close to the
 * camera fills it) or with too little to go by takes the global gain:
 * nothing a person covers can decide its own compensation. The gain moves
 * with the light as long as the light changes no faster than the model's
 * threshold per frame, since compensated pixels stay background and keep
 * feeding the estimate. When all tiles agree the frame goes through one
 * LUT; when they differ it is divided by the tile gains interpolated
 * bilinearly between tile centres (Q16 fixed point), so no seam appears at
 * tile edges.
 */
#include "detector_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Background levels and frame values outside these are left out of the estimate. */
#define ZP_GAIN_BG_MIN 16
#define ZP_GAIN_BG_MAX 239

static int gain_sample(zp_exposure *e, const uint8_t *luma, int lstride, const uint8_t *bg, int bstride,
		       const uint8_t *prev_fg, int fstride, int w, int h)
{
	int n = 0;

	memset(e->hist, 0, sizeof(e->hist));
	for (int y = ZP_GAIN_GRID / 2; y < h; y += ZP_GAIN_GRID) {
		const uint8_t *l = luma + (size_t)y * lstride;
		const uint8_t *b = bg + (size_t)y * bstride;
		const uint8_t *f = prev_fg ? prev_fg + (size_t)y * fstride : NULL;

		for (int x = ZP_GAIN_GRID / 2; x < w; x += ZP_GAIN_GRID) {
			unsigned v = l[x], r;

			if ((f && f[x]) || b[x] < ZP_GAIN_BG_MIN || b[x] > ZP_GAIN_BG_MAX || v == 0 || v == 255)
				continue;
			r = (v * ZP_GAIN_Q + b[x] / 2u) / b[x];
			e->hist[r < ZP_GAIN_BINS ? r : ZP_GAIN_BINS - 1]++;
			n++;
		}
	}
	return n;
}

/* First and last pixel of tile i of n along a side of w pixels. */
static int tile_lo(int i, int n, int w)
{
	return (int)((int64_t)i * w / n);
}

static int tile_hi(int i, int n, int w)
{
	return (int)((int64_t)(i + 1) * w / n) - 1;
}

/* Weight (Q8) of tile i + 1's gain at pixel p, where tile i's centre is at or before p. */
static int interp_weight(int p, int i, int n, int w)
{
	int c0 = tile_lo(i, n, w) + tile_hi(i, n, w), c1; /* doubled centres */

	if (i + 1 >= n || 2 * p <= c0)
		return 0;
	c1 = tile_lo(i + 1, n, w) + tile_hi(i + 1, n, w);
	return (int)((int64_t)(2 * p - c0) * 256 / (c1 - c0));
}

int zp_exposure_init(zp_exposure *e, int w, int h)
{
	memset(e, 0, sizeof(*e));
	e->gain = 1.0;
	e->tw = (w + ZP_GAIN_TILE / 2) / ZP_GAIN_TILE > 0 ? (w + ZP_GAIN_TILE / 2) / ZP_GAIN_TILE : 1;
	e->th = (h + ZP_GAIN_TILE / 2) / ZP_GAIN_TILE > 0 ? (h + ZP_GAIN_TILE / 2) / ZP_GAIN_TILE : 1;
	e->tgain = calloc((size_t)e->tw * e->th, sizeof(*e->tgain));
	e->tinv = calloc((size_t)e->tw * e->th, sizeof(*e->tinv));
	e->rowinv = calloc((size_t)e->tw + 1, sizeof(*e->rowinv));
	e->colidx = calloc((size_t)w, sizeof(*e->colidx));
	e->colw = calloc((size_t)w, sizeof(*e->colw));
	e->w = w;
	e->h = h;
	for (int b = 1; b < 256; b++)
		e->recip[b] = ((uint32_t)ZP_GAIN_Q << 16) / (uint32_t)b;
	if (!e->tgain || !e->tinv || !e->rowinv || !e->colidx || !e->colw) {
		zp_exposure_fini(e);
		return ZP_ENOMEM;
	}
	/* per column: the tile centre at or left of it and the weight of the next one, Q8 */
	for (int x = 0; x < w; x++) {
		int i = 0;

		while (i + 1 < e->tw && 2 * x >= tile_lo(i + 1, e->tw, w) + tile_hi(i + 1, e->tw, w))
			i++;
		e->colidx[x] = (int16_t)i;
		e->colw[x] = (uint8_t)interp_weight(x, i, e->tw, w);
	}
	return 0;
}

void zp_exposure_fini(zp_exposure *e)
{
	free(e->tgain);
	free(e->tinv);
	free(e->rowinv);
	free(e->colidx);
	free(e->colw);
	memset(e, 0, sizeof(*e));
}

size_t zp_exposure_bytes(const zp_exposure *e)
{
	return (size_t)e->tw * e->th * (sizeof(*e->tgain) + sizeof(*e->tinv)) + (size_t)(e->tw + 1) * sizeof(*e->rowinv) +
	       (size_t)e->w * (sizeof(*e->colidx) + sizeof(*e->colw));
}

/*
 * A two-level radix select: the value's high bits, then its low ones. It
 * counts instead of comparing, so it has none of quickselect's branches on
 * how two ratios compare, which mispredict when the ratios are as close
 * together as a tile's are.
 */
#define ZP_KTH_LOW 4 /* bits of the second level */
unsigned zp_exposure_kth(const uint16_t *a, int n, int k)
{
	uint16_t hi[(ZP_GAIN_BINS >> ZP_KTH_LOW) + 1] = { 0 }, lo[1 << ZP_KTH_LOW] = { 0 };
	unsigned b = 0, l = 0;
	int below = 0;

	for (int i = 0; i < n; i++)
		hi[a[i] >> ZP_KTH_LOW]++;
	while (below + hi[b] <= k)
		below += hi[b++];
	for (int i = 0; i < n; i++)
		lo[a[i] & ((1u << ZP_KTH_LOW) - 1)] += (a[i] >> ZP_KTH_LOW) == b;
	while (below + lo[l] <= k)
		below += lo[l++];
	return b << ZP_KTH_LOW | l;
}

/*
 * Tile (tx, ty)'s own gain, or 0 when it has too little to go by: the
 * median ratio of its samples that were background last frame, when at
 * least half of its samples were.
 */
static double tile_gain(const zp_exposure *e, int tx, int ty, const uint8_t *luma, int lstride, const uint8_t *bg,
			int bstride, const uint8_t *prev_fg, int fstride)
{
	uint16_t rb[(ZP_GAIN_TILE * 2 / ZP_GAIN_TILE_GRID + 1) * (ZP_GAIN_TILE * 2 / ZP_GAIN_TILE_GRID + 1)];
	int x0 = tile_lo(tx, e->tw, e->w), x1 = tile_hi(tx, e->tw, e->w);
	int y0 = tile_lo(ty, e->th, e->h), y1 = tile_hi(ty, e->th, e->h);
	int nb = 0, na = 0, cap = (int)(sizeof(rb) / sizeof(rb[0]));

	for (int y = y0 + ZP_GAIN_TILE_GRID / 2; y <= y1; y += ZP_GAIN_TILE_GRID) {
		const uint8_t *l = luma + (size_t)y * lstride;
		const uint8_t *b = bg + (size_t)y * bstride;
		const uint8_t *f = prev_fg ? prev_fg + (size_t)y * fstride : NULL;

		for (int x = x0 + ZP_GAIN_TILE_GRID / 2; x <= x1 && nb < cap; x += ZP_GAIN_TILE_GRID) {
			unsigned v = l[x], r;

			if (b[x] < ZP_GAIN_BG_MIN || b[x] > ZP_GAIN_BG_MAX || v == 0 || v == 255)
				continue;
			na++;
			if (f && f[x])
				continue;
			r = (v * e->recip[b[x]] + 32768u) >> 16;
			rb[nb++] = (uint16_t)(r < ZP_GAIN_BINS ? r : ZP_GAIN_BINS - 1);
		}
	}
	if (nb >= 16 && 2 * nb >= na) {
		unsigned m = zp_exposure_kth(rb, nb, nb / 2);
		int near = 0;

		/* light scales the whole surface alike: most ratios close to the median (not half-learnt objects) */
		for (int i = 0; i < nb; i++)
			near += 10u * (unsigned)abs((int)rb[i] - (int)m) <= m;
		if (5 * near >= 3 * nb)
			return (double)m / ZP_GAIN_Q;
	}
	return 0;
}

/* -1, 0 or 1: tile k's gain is a step down, none, a step up. */
static int step_dir(const zp_exposure *e, int k)
{
	double g = e->tgain[k];

	return g > 1.0 + ZP_GAIN_STEP ? 1 : g < 1.0 - ZP_GAIN_STEP ? -1 : 0;
}

double zp_exposure_estimate(zp_exposure *e, const uint8_t *luma, int lstride, const uint8_t *bg, int bstride,
			    const uint8_t *prev_fg, int fstride, int w, int h)
{
	int grid = ((w + ZP_GAIN_GRID / 2) / ZP_GAIN_GRID) * ((h + ZP_GAIN_GRID / 2) / ZP_GAIN_GRID);
	int n = gain_sample(e, luma, lstride, bg, bstride, prev_fg, fstride, w, h);
	uint32_t cum = 0;

	/* Mostly foreground last frame (e.g. an uncompensated step): judge by every grid pixel. */
	if (prev_fg && n < grid / 8)
		n = gain_sample(e, luma, lstride, bg, bstride, NULL, 0, w, h);
	e->samples = n;
	e->gain = 1.0;
	if (n >= 16) {
		for (int i = 0; i < ZP_GAIN_BINS; i++) {
			cum += e->hist[i];
			if (2 * cum >= (uint32_t)n) {
				e->gain = (double)i / ZP_GAIN_Q;
				break;
			}
		}
	}
	/*
	 * Each tile's own step. A tile with too little to go by takes the
	 * global gain. A step counts only where a neighbour across and one
	 * above or below step the same way (in a grid one tile high or wide:
	 * the neighbours there are); a step in one tile, or in one column or
	 * row of tiles, is a local thing (a person, a shadow, headlights), not
	 * the light of the scene: the global gain there too. tinv marks those
	 * tiles meanwhile (it is rebuilt before it is used for dividing).
	 */
	e->tiles_lit = 0;
	if (!e->tgain || w != e->w || h != e->h)
		return e->gain;
	for (int ty = 0; ty < e->th; ty++)
		for (int tx = 0; tx < e->tw; tx++) {
			double g = tile_gain(e, tx, ty, luma, lstride, bg, bstride, prev_fg, fstride);

			e->tgain[ty * e->tw + tx] = g > 0 ? g : e->gain; /* clamped below, with the rest */
		}
	for (int ty = 0; ty < e->th; ty++)
		for (int tx = 0; tx < e->tw; tx++) {
			int k = ty * e->tw + tx, dir = step_dir(e, k);
			bool across = (tx > 0 && step_dir(e, k - 1) == dir) || (tx + 1 < e->tw && step_dir(e, k + 1) == dir);
			bool down = (ty > 0 && step_dir(e, k - e->tw) == dir) || (ty + 1 < e->th && step_dir(e, k + e->tw) == dir);
			bool shared = (across && down) || (across && e->th == 1) || (down && e->tw == 1);

			e->tinv[k] = dir != 0 && !shared ? -1 : 0; /* tgain is still read by the neighbours */
		}
	for (int k = 0; k < e->tw * e->th; k++) {
		double g = e->tinv[k] < 0 ? e->gain : e->tgain[k];

		if (!(g > 0) || fabs(g - 1.0) <= ZP_GAIN_STEP)
			g = 1.0;
		e->tgain[k] = g < 0.25 ? 0.25 : g > 4.0 ? 4.0 : g;
		e->tiles_lit += e->tgain[k] != 1.0;
	}
	return e->gain;
}

/* Mean of bg over the gain grid, rounded: how bright the scene is, as the model knows it. */
unsigned zp_exposure_level(const uint8_t *bg, int bstride, int w, int h)
{
	uint64_t sum = 0, n = 0;

	for (int y = ZP_GAIN_GRID / 2; y < h; y += ZP_GAIN_GRID) {
		const uint8_t *b = bg + (size_t)y * bstride;

		for (int x = ZP_GAIN_GRID / 2; x < w; x += ZP_GAIN_GRID) {
			sum += b[x];
			n++;
		}
	}
	return n ? (unsigned)((sum + n / 2) / n) : 255;
}

/* Through one LUT: luma / g. */
static void divide_lut(zp_exposure *e, double g, const uint8_t *luma, int lstride, uint8_t *dst, int dstride, int w,
		       int h)
{
	for (int v = 0; v < 256; v++) {
		long c = lround(v / g);

		e->lut[v] = (uint8_t)(c > 255 ? 255 : c);
	}
	for (int y = 0; y < h; y++) {
		const uint8_t *s = luma + (size_t)y * lstride;
		uint8_t *d = dst + (size_t)y * dstride;

		for (int x = 0; x < w; x++)
			d[x] = e->lut[s[x]];
	}
}

/* luma / the tile gains, interpolated bilinearly between tile centres. */
static void divide_tiles(zp_exposure *e, const uint8_t *luma, int lstride, uint8_t *dst, int dstride)
{
	int tw = e->tw, th = e->th, j = 0;

	for (int k = 0; k < tw * th; k++)
		e->tinv[k] = (int32_t)lround(65536.0 / e->tgain[k]);
	for (int y = 0; y < e->h; y++) {
		const uint8_t *s = luma + (size_t)y * lstride;
		uint8_t *d = dst + (size_t)y * dstride;
		const int32_t *r0, *r1;
		int wy;

		while (j + 1 < th && 2 * y >= tile_lo(j + 1, th, e->h) + tile_hi(j + 1, th, e->h))
			j++;
		wy = interp_weight(y, j, th, e->h);
		r0 = e->tinv + (size_t)j * tw;
		r1 = j + 1 < th ? r0 + tw : r0;
		for (int i = 0; i < tw; i++)
			e->rowinv[i] = (r0[i] * (256 - wy) + r1[i] * wy) >> 8;
		e->rowinv[tw] = e->rowinv[tw - 1];
		for (int x = 0; x < e->w; x++) {
			int i = e->colidx[x], wx = e->colw[x];
			int32_t inv = (e->rowinv[i] * (256 - wx) + e->rowinv[i + 1] * wx) >> 8;
			int32_t c = (s[x] * inv + 32768) >> 16;

			d[x] = (uint8_t)(c > 255 ? 255 : c);
		}
	}
}

bool zp_exposure_compensate(zp_exposure *e, const uint8_t *luma, int lstride, uint8_t *dst, int dstride, int w,
			    int h)
{
	bool uniform = true;

	e->compensating = false;
	if (!e->tgain || w != e->w || h != e->h) {
		/* no tiles: the global step alone */
		if (!(e->gain > 0) || fabs(e->gain - 1.0) <= ZP_GAIN_STEP)
			return false;
		divide_lut(e, e->gain, luma, lstride, dst, dstride, w, h);
		e->compensating = true;
		return true;
	}
	if (e->tiles_lit == 0)
		return false;
	for (int k = 1; k < e->tw * e->th && uniform; k++)
		uniform = e->tgain[k] == e->tgain[0];
	if (uniform)
		divide_lut(e, e->tgain[0], luma, lstride, dst, dstride, w, h);
	else
		divide_tiles(e, luma, lstride, dst, dstride);
	e->compensating = true;
	return true;
}
