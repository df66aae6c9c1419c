/* SPDX-License-Identifier: MIT */
/*
 * bgsub_scalar.c - the reference background-model row kernel. The SIMD
 * variants (bgsub_sse2.c, bgsub_avx2.c, bgsub_neon.c) must produce the same
 * bytes; the arithmetic is spelled out in models_internal.h.
 */
#include "models_internal.h"

/* (v + 2^(s-1)) >> s without overflow, for 1 <= s <= 15. */
static inline unsigned rshr(unsigned v, unsigned s)
{
	return ((v >> (s - 1)) + 1) >> 1;
}

static inline unsigned absdiff(unsigned a, unsigned b)
{
	return a > b ? a - b : b - a;
}

void zp_bg_row_scalar(const uint8_t *src, uint16_t *mean, uint16_t *dev, const uint8_t *hold, uint8_t *fg, int width,
		      const struct zp_bg_kparams *kp)
{
	for (int i = 0; i < width; i++) {
		unsigned x = (unsigned)src[i] << 8;
		unsigned m = mean[i];
		unsigned v = dev[i];
		unsigned d = absdiff(x, m);
		unsigned t = v * kp->dev_mult;
		bool f;
		unsigned s;

		if (t > 0xffff)
			t = 0xffff;
		if (t < kp->thr)
			t = kp->thr;
		f = d > t;
		fg[i] = f ? 255 : 0;
		if (hold[i])
			continue;
		s = f ? kp->shift_fg : kp->shift_bg;
		mean[i] = (uint16_t)(x > m ? m + rshr(d, s) : m - rshr(d, s));
		dev[i] = (uint16_t)(d > v ? v + rshr(d - v, s) : v - rshr(v - d, s));
	}
}

void zp_bg_luma_scalar(const uint16_t *mean, uint8_t *dst, int width)
{
	for (int i = 0; i < width; i++)
		dst[i] = (uint8_t)((mean[i] + 128u) >> 8);
}
