/* SPDX-License-Identifier: MIT */
/*
 * exposure.c - global gain steps (camera auto-exposure, a cloud, street
 * lights switching) before the background model.
 *
 * The gain is the median of frame / background over a sparse grid of pixels
 * that were background in the last frame (people and their shadows are left
 * out), away from black and saturation where the ratio says nothing. Only a
 * step (outside 1 +- ZP_GAIN_STEP) is compensated: slow drifts are learnt by
 * the model as usual. The compensation divides the frame by the gain
 * through a 256-entry LUT, so the model sees the scene it knows.
 *
 * This is the seam for better photometric normalisation (per-region gains,
 * offset + gain fits): replace the estimate, keep the contract.
 */
#include "detector_internal.h"

#include <math.h>
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
	if (n < 16)
		return e->gain;
	for (int i = 0; i < ZP_GAIN_BINS; i++) {
		cum += e->hist[i];
		if (2 * cum >= (uint32_t)n) {
			e->gain = (double)i / ZP_GAIN_Q;
			break;
		}
	}
	return e->gain;
}

bool zp_exposure_compensate(zp_exposure *e, double gain, const uint8_t *luma, int lstride, uint8_t *dst,
			    int dstride, int w, int h)
{
	e->compensating = false;
	if (!(gain > 0) || fabs(gain - 1.0) <= ZP_GAIN_STEP)
		return false;
	for (int v = 0; v < 256; v++) {
		long c = lround(v / gain);

		e->lut[v] = (uint8_t)(c > 255 ? 255 : c);
	}
	for (int y = 0; y < h; y++) {
		const uint8_t *s = luma + (size_t)y * lstride;
		uint8_t *d = dst + (size_t)y * dstride;

		for (int x = 0; x < w; x++)
			d[x] = e->lut[s[x]];
	}
	e->compensating = true;
	return true;
}
