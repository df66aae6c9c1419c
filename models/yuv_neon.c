/* SPDX-License-Identifier: MIT */
/* yuv_neon.c - NEON YUYV/UYVY -> luma and YCbCr -> BGR rows; match yuv_scalar.c byte for byte. */
#include "models_internal.h"

#include <arm_neon.h>

/* 16 pixels a time: vld2q_u8 splits the 32 source bytes into even and odd bytes. */
void zp_yuv_luma_packed_neon(uint8_t *dst, const uint8_t *src, int w, int odd)
{
	int x = 0;

	for (; x + 16 <= w; x += 16) {
		uint8x16x2_t p = vld2q_u8(src + 2 * x);

		vst1q_u8(dst + x, odd ? p.val[1] : p.val[0]);
	}
	zp_yuv_luma_packed_scalar(dst + x, src + 2 * x, w - x, odd);
}

/* 8 chroma samples s[0], s[cstep], ... s[7 * cstep]; reads s[0 .. 8 * cstep - 1]. */
static inline uint8x8_t chroma8(const uint8_t *s, int cstep)
{
	if (cstep == 1)
		return vld1_u8(s);
	if (cstep == 2)
		return vld2_u8(s).val[0];
	return vld4_u8(s).val[0];
}

/* One channel of 4 pixels: (c + t) >> 16 saturated to 0..65535 (vqshrun: a negative sum gives 0). */
static inline uint16x4_t chan4(int32x4_t c, int32x4_t t)
{
	return vqshrun_n_s32(vaddq_s32(c, t), ZP_YUV_SHIFT);
}

/* 8 pixels: Y - 16, U - 128, V - 128 as 16-bit lanes -> B, G, R, each product and sum the scalar's, in 32-bit lanes. */
static inline void bgr8(int16x8_t y, int16x8_t d, int16x8_t e, int32x4_t half, uint8x8_t *b, uint8x8_t *g,
			uint8x8_t *r)
{
	int32x4_t c0 = vmlaq_n_s32(half, vmovl_s16(vget_low_s16(y)), ZP_YUV_CY);
	int32x4_t c1 = vmlaq_n_s32(half, vmovl_s16(vget_high_s16(y)), ZP_YUV_CY);
	int32x4_t d0 = vmovl_s16(vget_low_s16(d)), d1 = vmovl_s16(vget_high_s16(d));
	int32x4_t e0 = vmovl_s16(vget_low_s16(e)), e1 = vmovl_s16(vget_high_s16(e));

	*b = vqmovn_u16(vcombine_u16(chan4(c0, vmulq_n_s32(d0, ZP_YUV_CBU)), chan4(c1, vmulq_n_s32(d1, ZP_YUV_CBU))));
	*g = vqmovn_u16(vcombine_u16(chan4(c0, vmlaq_n_s32(vmulq_n_s32(d0, -ZP_YUV_CGU), e0, -ZP_YUV_CGV)),
				     chan4(c1, vmlaq_n_s32(vmulq_n_s32(d1, -ZP_YUV_CGU), e1, -ZP_YUV_CGV))));
	*r = vqmovn_u16(vcombine_u16(chan4(c0, vmulq_n_s32(e0, ZP_YUV_CRV)), chan4(c1, vmulq_n_s32(e1, ZP_YUV_CRV))));
}

static inline int16x8_t minus(uint8x8_t v, uint8_t k)
{
	return vreinterpretq_s16_u16(vsubl_u8(v, vdup_n_u8(k)));
}

/*
 * 16 pixels a time, in 32-bit lanes with the scalar's products and sums
 * (vmulq_n_s32 / vmlaq_n_s32), then two saturating narrows (vqshrun to u16,
 * vqmovn to u8) that are the scalar's clamp, and vst3q_u8 to interleave B,
 * G, R. Inlined once per cstep (a constant in each call below).
 */
static inline __attribute__((always_inline)) void bgr_row(uint8_t *dst, const uint8_t *y, const uint8_t *u,
							  const uint8_t *v, int w, const int cstep)
{
	const int32x4_t half = vdupq_n_s32(ZP_YUV_HALF);
	int cw = (w + 1) / 2, x = 0, k = 0;

	/* a vector reads y[x .. x+15] and u, v[k * cstep .. (k + 8) * cstep - 1]; the last chroma byte is (cw - 1) * cstep */
	for (; x + 16 <= w && (k + 8) * cstep - 1 <= (cw - 1) * cstep; x += 16, k += 8) {
		uint8x16_t yy = vld1q_u8(y + x);
		uint8x8_t cu = chroma8(u + (size_t)k * cstep, cstep), cv = chroma8(v + (size_t)k * cstep, cstep);
		uint8x8x2_t du = vzip_u8(cu, cu), dv = vzip_u8(cv, cv); /* each sample for its two pixels */
		uint8x8_t b0, g0, r0, b1, g1, r1;
		uint8x16x3_t out;

		bgr8(minus(vget_low_u8(yy), 16), minus(du.val[0], 128), minus(dv.val[0], 128), half, &b0, &g0, &r0);
		bgr8(minus(vget_high_u8(yy), 16), minus(du.val[1], 128), minus(dv.val[1], 128), half, &b1, &g1, &r1);
		out.val[0] = vcombine_u8(b0, b1);
		out.val[1] = vcombine_u8(g0, g1);
		out.val[2] = vcombine_u8(r0, r1);
		vst3q_u8(dst + 3 * (size_t)x, out);
	}
	zp_yuv_bgr_row_scalar(dst + 3 * (size_t)x, y + x, u + (size_t)k * cstep, v + (size_t)k * cstep, w - x, cstep);
}

void zp_yuv_bgr_row_neon(uint8_t *dst, const uint8_t *y, const uint8_t *u, const uint8_t *v, int w, int cstep)
{
	switch (cstep) {
	case 4:
		bgr_row(dst, y, u, v, w, 4);
		break;
	case 2:
		bgr_row(dst, y, u, v, w, 2);
		break;
	default:
		bgr_row(dst, y, u, v, w, 1);
		break;
	}
}
