/* SPDX-License-Identifier: MIT */
/* pixops_neon.c - NEON downscale2 / erode3 / dilate3; match pixops_scalar.c byte for byte. */
#include "models_internal.h"

#include <arm_neon.h>

void zp_downscale2_neon(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h)
{
	int dw = w / 2;

	for (int y = 0; y < h / 2; y++) {
		const uint8_t *s0 = src + (size_t)(2 * y) * sstride;
		const uint8_t *s1 = s0 + sstride;
		uint8_t *d = dst + (size_t)y * dstride;
		int x = 0;

		for (; x + 16 <= dw; x += 16) {
			uint16x8_t sa = vpadalq_u8(vpaddlq_u8(vld1q_u8(s0 + 2 * x)), vld1q_u8(s1 + 2 * x));
			uint16x8_t sb = vpadalq_u8(vpaddlq_u8(vld1q_u8(s0 + 2 * x + 16)), vld1q_u8(s1 + 2 * x + 16));

			/* vrshrn: (sum + 2) >> 2, narrowed */
			vst1q_u8(d + x, vcombine_u8(vrshrn_n_u16(sa, 2), vrshrn_n_u16(sb, 2)));
		}
		zp_downscale2_row_scalar(s0, s1, d, x, dw);
	}
}

static inline uint8x16_t vmin3(const uint8_t *a, const uint8_t *b, const uint8_t *c, int x)
{
	return vminq_u8(vminq_u8(vld1q_u8(a + x), vld1q_u8(b + x)), vld1q_u8(c + x));
}

static inline uint8x16_t vmax3(const uint8_t *a, const uint8_t *b, const uint8_t *c, int x)
{
	return vmaxq_u8(vmaxq_u8(vld1q_u8(a + x), vld1q_u8(b + x)), vld1q_u8(c + x));
}

/* As in pixops_sse2.c: the vector covers x-1..x+16 <= w-1, the rest is scalar. */
/* 16 output columns from x: reads x-1..x+16, which must be <= w-1. */
static inline void morph_vec(const uint8_t *a, const uint8_t *b, const uint8_t *c, uint8_t *d, int x, bool dilate)
{
	if (dilate)
		vst1q_u8(d + x, vmaxq_u8(vmaxq_u8(vmax3(a, b, c, x - 1), vmax3(a, b, c, x)), vmax3(a, b, c, x + 1)));
	else
		vst1q_u8(d + x, vminq_u8(vminq_u8(vmin3(a, b, c, x - 1), vmin3(a, b, c, x)), vmin3(a, b, c, x + 1)));
}

/* As in pixops_sse2.c: one more vector ending at column w-2 covers the leftover columns. */
static void morph3(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, bool dilate)
{
	for (int y = 0; y < h; y++) {
		const uint8_t *a = src + (size_t)(y > 0 ? y - 1 : 0) * sstride;
		const uint8_t *b = src + (size_t)y * sstride;
		const uint8_t *c = src + (size_t)(y < h - 1 ? y + 1 : h - 1) * sstride;
		uint8_t *d = dst + (size_t)y * dstride;
		int x = 1;

		zp_morph3_row_scalar(a, b, c, d, 0, w < 1 ? w : 1, w, dilate);
		for (; x + 17 <= w; x += 16)
			morph_vec(a, b, c, d, x, dilate);
		if (x > 1 && x < w - 1) {
			morph_vec(a, b, c, d, w - 17, dilate);
			x = w - 1;
		}
		zp_morph3_row_scalar(a, b, c, d, x < w ? x : w, w, w, dilate);
	}
}

void zp_erode3_neon(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h)
{
	morph3(src, sstride, dst, dstride, w, h, false);
}

void zp_dilate3_neon(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h)
{
	morph3(src, sstride, dst, dstride, w, h, true);
}
