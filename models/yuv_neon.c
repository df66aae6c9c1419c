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

/*
 * 16 pixels a time, in 32-bit lanes with the scalar's products and sums
 * (vmulq_n_s32 / vmlaq_n_s32 / vmlsq_n_s32), then two saturating narrows
 * (vqshrun to u16, vqmovn to u8) that are the scalar's clamp, and vst3q_u8
 * to interleave B, G, R.
 */
void zp_yuv_bgr_row_neon(uint8_t *dst, const uint8_t *y, const uint8_t *u, const uint8_t *v, int w, int cstep)
{
	const int32x4_t half = vdupq_n_s32(ZP_YUV_HALF);
	int cw = (w + 1) / 2, x = 0, k = 0;

	/* a vector reads y[x .. x+15] and u, v[k * cstep .. (k + 8) * cstep - 1]; the last chroma byte is (cw - 1) * cstep */
	for (; x + 16 <= w && (k + 8) * cstep - 1 <= (cw - 1) * cstep; x += 16, k += 8) {
		uint8x16_t yy = vld1q_u8(y + x);
		uint8x8_t cu = chroma8(u + (size_t)k * cstep, cstep), cv = chroma8(v + (size_t)k * cstep, cstep);
		uint8x8x2_t du = vzip_u8(cu, cu), dv = vzip_u8(cv, cv); /* each sample for its two pixels */
		int16x8_t y16[2], d16[2], e16[2];
		uint16x8_t bq[2], gq[2], rq[2];
		uint8x16x3_t out;

		y16[0] = vreinterpretq_s16_u16(vsubl_u8(vget_low_u8(yy), vdup_n_u8(16)));
		y16[1] = vreinterpretq_s16_u16(vsubl_u8(vget_high_u8(yy), vdup_n_u8(16)));
		for (int i = 0; i < 2; i++) {
			d16[i] = vreinterpretq_s16_u16(vsubl_u8(du.val[i], vdup_n_u8(128)));
			e16[i] = vreinterpretq_s16_u16(vsubl_u8(dv.val[i], vdup_n_u8(128)));
		}
		for (int i = 0; i < 2; i++) {
			uint16x4_t b4[2], g4[2], r4[2];

			for (int j = 0; j < 2; j++) {
				int16x4_t ys = j ? vget_high_s16(y16[i]) : vget_low_s16(y16[i]);
				int16x4_t ds = j ? vget_high_s16(d16[i]) : vget_low_s16(d16[i]);
				int16x4_t es = j ? vget_high_s16(e16[i]) : vget_low_s16(e16[i]);
				int32x4_t c = vmlaq_n_s32(half, vmovl_s16(ys), ZP_YUV_CY);
				int32x4_t d = vmovl_s16(ds), e = vmovl_s16(es);

				b4[j] = chan4(c, vmulq_n_s32(d, ZP_YUV_CBU));
				g4[j] = chan4(c, vmlaq_n_s32(vmulq_n_s32(d, -ZP_YUV_CGU), e, -ZP_YUV_CGV));
				r4[j] = chan4(c, vmulq_n_s32(e, ZP_YUV_CRV));
			}
			bq[i] = vcombine_u16(b4[0], b4[1]);
			gq[i] = vcombine_u16(g4[0], g4[1]);
			rq[i] = vcombine_u16(r4[0], r4[1]);
		}
		out.val[0] = vcombine_u8(vqmovn_u16(bq[0]), vqmovn_u16(bq[1]));
		out.val[1] = vcombine_u8(vqmovn_u16(gq[0]), vqmovn_u16(gq[1]));
		out.val[2] = vcombine_u8(vqmovn_u16(rq[0]), vqmovn_u16(rq[1]));
		vst3q_u8(dst + 3 * (size_t)x, out);
	}
	zp_yuv_bgr_row_scalar(dst + 3 * (size_t)x, y + x, u + (size_t)k * cstep, v + (size_t)k * cstep, w - x, cstep);
}
