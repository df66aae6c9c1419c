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

static inline unsigned step_to(unsigned m, unsigned x, unsigned d, unsigned s)
{
	return x > m ? m + rshr(d, s) : m - rshr(d, s);
}

void zp_bg_row_scalar(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
		      const uint8_t *hold, uint8_t *fg, int width, const struct zp_bg_kparams *kp)
{
	for (int i = 0; i < width; i++) {
		unsigned x = (unsigned)src[i] << 8;
		unsigned m = mean[i], v = dev[i], m2 = mean2[i];
		unsigned b = aux[i] & 0x7f, missed = (aux[i] >> 7) & 1, h = aux[i] >> 8;
		unsigned d = absdiff(x, m), d2 = absdiff(x, m2);
		unsigned kv = v * kp->dev_mult, floor = b >= kp->blink_on ? kp->thr_fl : kp->thr, t, t0;
		bool bg1, in0, match2, bg2;
		unsigned s;

		if (kv > 0xffff)
			kv = 0xffff;
		t0 = kv > kp->thr ? kv : kp->thr;
		t = kv > floor ? kv : floor;
		in0 = d <= t0;
		bg1 = d <= t;
		match2 = d2 <= t;
		bg2 = !bg1 && match2 && b >= kp->blink_on && h >= kp->hits_on;
		fg[i] = !bg1 && !bg2 ? 255 : 0;
		if (hold[i])
			continue;
		b = b > 0 ? b - 1 : 0;
		if (missed && in0)
			b = b + kp->blink_inc > 127 ? 127 : b + kp->blink_inc;
		if (!bg2) {
			s = bg1 ? kp->shift_bg : kp->shift_fg;
			mean[i] = (uint16_t)step_to(m, x, d, s);
			dev[i] = (uint16_t)(d > v ? v + rshr(d - v, s) : v - rshr(v - d, s));
		}
		if (!bg1 && match2) {
			mean2[i] = (uint16_t)step_to(m2, x, d2, kp->shift2);
			h = h < 255 ? h + 1 : 255;
		} else if (!bg1 && b < kp->blink_on) {
			mean2[i] = (uint16_t)x;
			h = 0;
		}
		aux[i] = (uint16_t)(h << 8 | (unsigned)!in0 << 7 | b);
	}
}

void zp_bg_luma_scalar(const uint16_t *mean, uint8_t *dst, int width)
{
	for (int i = 0; i < width; i++)
		dst[i] = (uint8_t)((mean[i] + 128u) >> 8);
}
