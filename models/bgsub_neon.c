/* SPDX-License-Identifier: MIT */
/* bgsub_neon.c - NEON background-model row kernel; matches bgsub_scalar.c byte for byte. */
#include "models_internal.h"

#include <arm_neon.h>

struct consts {
	uint16x8_t thr, thrfl, one, lo8, inc, on, hon, b7f, b80, h255;
	uint16x4_t k;
	int16x8_t sbg, sfg, s2; /* -shift: vrshlq by a negative count is a rounding right shift */
	bool quiet_ok;          /* blink_on > 0: a pixel with b 0 is not flickering */
};

/* m moved towards x by step (x > m: up, else down). */
static inline uint16x8_t step_to(uint16x8_t m, uint16x8_t x, uint16x8_t step)
{
	return vbslq_u16(vcgtq_u16(x, m), vaddq_u16(m, step), vsubq_u16(m, step));
}

/* true when every lane of the mask is set */
static inline bool all8(uint16x8_t mask)
{
	uint64x2_t q = vreinterpretq_u64_u16(mask);

	return (vgetq_lane_u64(q, 0) & vgetq_lane_u64(q, 1)) == ~(uint64_t)0;
}

/* The general case of step8(): m, v, a the state loaded, d = |x - m|, kv = sat16(dev_mult * v). */
static inline uint16x8_t step8_full(uint16x8_t x, uint16x8_t m, uint16x8_t v, uint16x8_t a, uint16x8_t d,
				    uint16x8_t kv, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
				    uint16x8_t held, const struct consts *c)
{
	uint16x8_t m2, d2;
	uint16x8_t b = vandq_u16(a, c->b7f), h = vshrq_n_u16(a, 8), missed = vtstq_u16(a, c->b80);
	uint16x8_t flick = vcgeq_u16(b, c->on);
	uint16x8_t t = vmaxq_u16(kv, vbslq_u16(flick, c->thrfl, c->thr));
	uint16x8_t bg1 = vcleq_u16(d, t), in0 = vcleq_u16(d, vmaxq_u16(kv, c->thr));
	uint16x8_t match2, bg2, keep, nb, upd2, rep2, e, na;
	/* NEON shifts per lane: one rounding shift by the lane's own -shift */
	int16x8_t sh;

	nb = vaddq_u16(vqsubq_u16(b, c->one), vandq_u16(vandq_u16(missed, in0), c->inc));
	nb = vminq_u16(nb, c->b7f);
	if (all8(bg1)) {
		/* all background in mode 1: bg2 = 0, mode 2 and h unchanged */
		vst1q_u16(mean, step_to(m, x, vbicq_u16(vrshlq_u16(d, c->sbg), held)));
		e = vabdq_u16(d, v);
		vst1q_u16(dev, step_to(v, d, vbicq_u16(vrshlq_u16(e, c->sbg), held)));
		na = vorrq_u16(vshlq_n_u16(h, 8), vorrq_u16(vbicq_u16(c->b80, in0), nb));
		vst1q_u16(aux, vbslq_u16(held, a, na));
		return vdupq_n_u16(0);
	}
	m2 = vld1q_u16(mean2);
	d2 = vabdq_u16(x, m2);
	match2 = vcleq_u16(d2, t);
	bg2 = vbicq_u16(vandq_u16(match2, vandq_u16(flick, vcgeq_u16(h, c->hon))), bg1);
	keep = vorrq_u16(held, bg2);
	sh = vbslq_s16(bg1, c->sbg, c->sfg);

	vst1q_u16(mean, step_to(m, x, vbicq_u16(vrshlq_u16(d, sh), keep)));
	e = vabdq_u16(d, v);
	vst1q_u16(dev, step_to(v, d, vbicq_u16(vrshlq_u16(e, sh), keep)));

	upd2 = vbicq_u16(match2, vorrq_u16(held, bg1));
	rep2 = vmvnq_u16(vorrq_u16(vorrq_u16(held, bg1), vorrq_u16(match2, vcgeq_u16(nb, c->on))));
	vst1q_u16(mean2, vbslq_u16(upd2, step_to(m2, x, vrshlq_u16(d2, c->s2)), vbslq_u16(rep2, x, m2)));
	h = vbslq_u16(upd2, vminq_u16(vaddq_u16(h, c->one), c->h255), vbicq_u16(h, rep2));
	na = vorrq_u16(vshlq_n_u16(h, 8), vorrq_u16(vbicq_u16(c->b80, in0), nb));
	vst1q_u16(aux, vbslq_u16(held, a, na));
	return vmvnq_u16(vorrq_u16(bg1, bg2));
}

/*
 * Eight pixels, as step8 in bgsub_sse2.c: the state read from and written
 * to the arrays given; mode 2 not read when all eight match mode 1, aux not
 * written for quiet pixels. Returns the foreground mask.
 */
static inline uint16x8_t step8(uint16x8_t x, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
			       uint16x8_t held, const struct consts *c)
{
	uint16x8_t m = vld1q_u16(mean), v = vld1q_u16(dev), a = vld1q_u16(aux);
	uint16x8_t d = vabdq_u16(x, m);
	uint16x8_t kv = vcombine_u16(vqmovn_u32(vmull_u16(vget_low_u16(v), c->k)),
				     vqmovn_u32(vmull_u16(vget_high_u16(v), c->k)));

	/* quiet pixels all matching mode 1 at the plain threshold: as in bgsub_sse2.c */
	if (c->quiet_ok && all8(vceqq_u16(vandq_u16(a, c->lo8), vdupq_n_u16(0))) &&
	    all8(vcleq_u16(d, vmaxq_u16(kv, c->thr)))) {
		vst1q_u16(mean, step_to(m, x, vbicq_u16(vrshlq_u16(d, c->sbg), held)));
		vst1q_u16(dev, step_to(v, d, vbicq_u16(vrshlq_u16(vabdq_u16(d, v), c->sbg), held)));
		return vdupq_n_u16(0);
	}
	return step8_full(x, m, v, a, d, kv, mean, dev, mean2, aux, held, c);
}

/* 16 pixels of a row. */
static inline void step16(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
			  const uint8_t *hold, uint8_t *fg, const struct consts *c)
{
	uint8x16_t x = vld1q_u8(src);
	uint8x16_t h = vtstq_u8(vld1q_u8(hold), vld1q_u8(hold));
	uint16x8_t h0 = vreinterpretq_u16_s16(vmovl_s8(vreinterpret_s8_u8(vget_low_u8(h))));
	uint16x8_t h1 = vreinterpretq_u16_s16(vmovl_s8(vreinterpret_s8_u8(vget_high_u8(h))));
	uint16x8_t f0 = step8(vshll_n_u8(vget_low_u8(x), 8), mean, dev, mean2, aux, h0, c);
	uint16x8_t f1 = step8(vshll_n_u8(vget_high_u8(x), 8), mean + 8, dev + 8, mean2 + 8, aux + 8, h1, c);

	vst1q_u8(fg, vcombine_u8(vmovn_u16(f0), vmovn_u16(f1)));
}

/* The last n (1..15) pixels of a row of 16 or more, before the row loop (models_internal.h: zp_bg_tail_held). */
static inline void tail_first(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
			      const uint8_t *hold, uint8_t *fg, int width, int n, const struct consts *c)
{
	int e = width - 16;
	uint8_t h[16];

	vst1q_u8(h, vorrq_u8(vld1q_u8(hold + e), vld1q_u8(zp_bg_tail_held + n)));
	step16(src + e, mean + e, dev + e, mean2 + e, aux + e, h, fg + e, c);
}

void zp_bg_row_neon(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
		    const uint8_t *hold, uint8_t *fg, int width, const struct zp_bg_kparams *kp)
{
	struct consts c;
	int i = 0;

	if (width < 16) { /* narrower than one step (models_internal.h) */
		zp_bg_row_scalar(src, mean, dev, mean2, aux, hold, fg, width, kp);
		return;
	}
	c.thr = vdupq_n_u16(kp->thr);
	c.thrfl = vdupq_n_u16(kp->thr_fl);
	c.one = vdupq_n_u16(1);
	c.lo8 = vdupq_n_u16(0xff);
	c.quiet_ok = kp->blink_on > 0;
	c.inc = vdupq_n_u16(kp->blink_inc);
	c.on = vdupq_n_u16(kp->blink_on);
	c.hon = vdupq_n_u16(kp->hits_on);
	c.b7f = vdupq_n_u16(0x7f);
	c.b80 = vdupq_n_u16(0x80);
	c.h255 = vdupq_n_u16(255);
	c.k = vdup_n_u16(kp->dev_mult);
	c.sbg = vdupq_n_s16((int16_t)-kp->shift_bg);
	c.sfg = vdupq_n_s16((int16_t)-kp->shift_fg);
	c.s2 = vdupq_n_s16((int16_t)-kp->shift2);
	if (width % 16)
		tail_first(src, mean, dev, mean2, aux, hold, fg, width, width % 16, &c);
	for (; i + 16 <= width; i += 16)
		step16(src + i, mean + i, dev + i, mean2 + i, aux + i, hold + i, fg + i, &c);
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
