/* SPDX-License-Identifier: MIT */
/* bgsub_neon.c - NEON background-model row kernel; matches bgsub_scalar.c byte for byte. */
#include "models_internal.h"

#include <arm_neon.h>

struct consts {
	uint16x8_t thr;
	uint16x4_t k;
	int16x8_t sbg, sfg; /* -shift: vrshlq by a negative count is a rounding right shift */
};

/* Eight pixels, as step8 in bgsub_sse2.c. Returns the foreground mask. */
static inline uint16x8_t step8(uint16x8_t x, uint16x8_t *m, uint16x8_t *v, uint16x8_t held, const struct consts *c)
{
	uint16x8_t d = vabdq_u16(x, *m);
	uint16x8_t kv = vcombine_u16(vqmovn_u32(vmull_u16(vget_low_u16(*v), c->k)),
				     vqmovn_u32(vmull_u16(vget_high_u16(*v), c->k)));
	uint16x8_t t = vmaxq_u16(kv, c->thr);
	uint16x8_t f = vcgtq_u16(d, t);
	/* NEON shifts per lane: one rounding shift by the lane's own -shift */
	int16x8_t sh = vbslq_s16(f, c->sfg, c->sbg);
	uint16x8_t step, e;

	step = vbicq_u16(vrshlq_u16(d, sh), held);
	*m = vbslq_u16(vcgtq_u16(x, *m), vaddq_u16(*m, step), vsubq_u16(*m, step));

	e = vabdq_u16(d, *v);
	step = vbicq_u16(vrshlq_u16(e, sh), held);
	*v = vbslq_u16(vcgtq_u16(d, *v), vaddq_u16(*v, step), vsubq_u16(*v, step));
	return f;
}

void zp_bg_row_neon(const uint8_t *src, uint16_t *mean, uint16_t *dev, const uint8_t *hold, uint8_t *fg, int width,
		    const struct zp_bg_kparams *kp)
{
	struct consts c;
	int i = 0;

	c.thr = vdupq_n_u16(kp->thr);
	c.k = vdup_n_u16(kp->dev_mult);
	c.sbg = vdupq_n_s16((int16_t)-kp->shift_bg);
	c.sfg = vdupq_n_s16((int16_t)-kp->shift_fg);
	for (; i + 16 <= width; i += 16) {
		uint8x16_t x = vld1q_u8(src + i);
		uint8x16_t h = vtstq_u8(vld1q_u8(hold + i), vld1q_u8(hold + i));
		uint16x8_t h0 = vreinterpretq_u16_s16(vmovl_s8(vreinterpret_s8_u8(vget_low_u8(h))));
		uint16x8_t h1 = vreinterpretq_u16_s16(vmovl_s8(vreinterpret_s8_u8(vget_high_u8(h))));
		uint16x8_t m0 = vld1q_u16(mean + i), m1 = vld1q_u16(mean + i + 8);
		uint16x8_t v0 = vld1q_u16(dev + i), v1 = vld1q_u16(dev + i + 8);
		uint16x8_t f0 = step8(vshll_n_u8(vget_low_u8(x), 8), &m0, &v0, h0, &c);
		uint16x8_t f1 = step8(vshll_n_u8(vget_high_u8(x), 8), &m1, &v1, h1, &c);

		vst1q_u16(mean + i, m0);
		vst1q_u16(mean + i + 8, m1);
		vst1q_u16(dev + i, v0);
		vst1q_u16(dev + i + 8, v1);
		vst1q_u8(fg + i, vcombine_u8(vmovn_u16(f0), vmovn_u16(f1)));
	}
	zp_bg_row_scalar(src + i, mean + i, dev + i, hold + i, fg + i, width - i, kp);
}

void zp_bg_luma_neon(const uint16_t *mean, uint8_t *dst, int width)
{
	int i = 0;

	/*
	 * vrshrn: (mean + 128) >> 8 computed without wrapping, then narrowed
	 * keeping the low 8 bits, as the scalar cast does (256 -> 0).
	 */
	for (; i + 16 <= width; i += 16)
		vst1q_u8(dst + i, vcombine_u8(vrshrn_n_u16(vld1q_u16(mean + i), 8), vrshrn_n_u16(vld1q_u16(mean + i + 8), 8)));
	zp_bg_luma_scalar(mean + i, dst + i, width - i);
}
