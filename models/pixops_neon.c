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

static inline uint8x16_t vop(uint8x16_t x, uint8x16_t y, bool dilate)
{
	return dilate ? vmaxq_u8(x, y) : vminq_u8(x, y);
}

/* Columns x..x+15 of the three rows, min or max down each column. */
static inline uint8x16_t vcol(const uint8_t *a, const uint8_t *b, const uint8_t *c, int x, bool dilate)
{
	return vop(vop(vld1q_u8(a + x), vld1q_u8(b + x), dilate), vld1q_u8(c + x), dilate);
}

/* 16 output columns from x: reads x-1..x+16, which must be <= w-1. */
static inline void morph_vec(const uint8_t *a, const uint8_t *b, const uint8_t *c, uint8_t *d, int x, bool dilate)
{
	vst1q_u8(d + x, vop(vop(vcol(a, b, c, x - 1, dilate), vcol(a, b, c, x, dilate), dilate),
			    vcol(a, b, c, x + 1, dilate), dilate));
}

/*
 * Separable: each 16-column block is reduced down its columns once (3 loads,
 * 2 ops) and its left and right neighbours come from the blocks beside it
 * by vextq (column 0's left neighbour is itself: border replication), about
 * 13 instructions per 16 pixels instead of 28 for three 3-row loads per
 * output vector. The blocks that would need columns past w-1 are finished
 * by morph_vec (the last one ending at column w-2) and column w-1 by the
 * scalar edge helper. Rows narrower than 34 are all scalar.
 */
static inline __attribute__((always_inline)) void morph3(const uint8_t *src, int sstride, uint8_t *dst, int dstride,
							 int w, int h, bool dilate)
{
	for (int y = 0; y < h; y++) {
		const uint8_t *a = src + (size_t)(y > 0 ? y - 1 : 0) * sstride;
		const uint8_t *b = src + (size_t)y * sstride;
		const uint8_t *c = src + (size_t)(y < h - 1 ? y + 1 : h - 1) * sstride;
		uint8_t *d = dst + (size_t)y * dstride;
		uint8x16_t cur, left;
		int x = 0;

		if (w < 34) {
			zp_morph3_row_scalar(a, b, c, d, 0, w, w, dilate);
			continue;
		}
		cur = vcol(a, b, c, 0, dilate);
		left = vextq_u8(vdupq_lane_u8(vget_low_u8(cur), 0), cur, 15);
		for (; x + 32 <= w; x += 16) {
			uint8x16_t next = vcol(a, b, c, x + 16, dilate);

			vst1q_u8(d + x, vop(vop(left, cur, dilate), vextq_u8(cur, next, 1), dilate));
			left = vextq_u8(cur, next, 15);
			cur = next;
		}
		/* columns x..w-2 are left (at most 31, and x >= 16) */
		if (x <= w - 17)
			morph_vec(a, b, c, d, x, dilate);
		if (x < w - 1)
			morph_vec(a, b, c, d, w - 17, dilate);
		zp_morph3_edges_scalar(a, b, c, d, w, dilate);
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

/* Samples x..x+15 of a row (every step-th byte from s): the de-interleaving loads read 16 * step bytes. */
static inline uint8x16_t gather16(const uint8_t *s, int step, int x)
{
	const uint8_t *p = s + (size_t)x * step;

	if (step == 1)
		return vld1q_u8(p);
	if (step == 2)
		return vld2q_u8(p).val[0];
	return vld4q_u8(p).val[0];
}

/*
 * Sample and |difference| sums by pairwise widening adds into 32-bit lanes,
 * squares by vmull_u8 then the same (a lane gains at most 4 * 255^2 per 16
 * samples, so a row of up to 65535 samples cannot wrap it); widened to 64
 * bits once per row.
 */
void zp_stats_neon(const uint8_t *src, int sstride, int step, uint8_t *prev, int pstride, int w, int h,
		   zp_pixstats *st)
{
	uint64x2_t sum = vdupq_n_u64(0), sad = vdupq_n_u64(0), sum2 = vdupq_n_u64(0);

	st->sum = st->sum2 = st->sad = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *s = src + (size_t)y * step * sstride;
		uint8_t *p = prev + (size_t)y * pstride;
		uint32x4_t rs = vdupq_n_u32(0), rd = vdupq_n_u32(0), rq = vdupq_n_u32(0);
		int x = 0;

		for (; x + 16 <= w; x += 16) {
			uint8x16_t v = gather16(s, step, x), pv = vld1q_u8(p + x);

			rs = vpadalq_u16(rs, vpaddlq_u8(v));
			rd = vpadalq_u16(rd, vpaddlq_u8(vabdq_u8(v, pv)));
			rq = vpadalq_u16(rq, vmull_u8(vget_low_u8(v), vget_low_u8(v)));
			rq = vpadalq_u16(rq, vmull_u8(vget_high_u8(v), vget_high_u8(v)));
			vst1q_u8(p + x, v);
		}
		sum = vpadalq_u32(sum, rs);
		sad = vpadalq_u32(sad, rd);
		sum2 = vpadalq_u32(sum2, rq);
		zp_stats_row_scalar(s, step, p, x, w, st);
	}
	st->sum += vgetq_lane_u64(sum, 0) + vgetq_lane_u64(sum, 1);
	st->sad += vgetq_lane_u64(sad, 0) + vgetq_lane_u64(sad, 1);
	st->sum2 += vgetq_lane_u64(sum2, 0) + vgetq_lane_u64(sum2, 1);
}

/* Columns x..x+15 reduced down the 2R+1 rows of the window. */
static inline __attribute__((always_inline)) uint8x16_t vcolr(const uint8_t *const *rows, int x, const int R,
							      const bool D)
{
	uint8x16_t m = vld1q_u8(rows[0] + x);

#pragma GCC unroll 6
	for (int i = 1; i <= 2 * R; i++)
		m = vop(m, vld1q_u8(rows[i] + x), D);
	return m;
}

/* The 16 outputs of block c from its column reductions and those of the blocks before (p) and after (n). */
static inline __attribute__((always_inline)) uint8x16_t hwin(uint8x16_t p, uint8x16_t c, uint8x16_t n, const int R,
							     const bool D)
{
	uint8x16_t m = vop(vop(vextq_u8(p, c, 15), c, D), vextq_u8(c, n, 1), D);

	m = vop(m, vop(vextq_u8(p, c, 14), vextq_u8(c, n, 2), D), D);
	if (R == 3)
		m = vop(m, vop(vextq_u8(p, c, 13), vextq_u8(c, n, 3), D), D);
	return m;
}

/*
 * zp_pixops.morph for r 2 and 3 (r 1 is the 3x3 kernel above), separable as
 * morph3: each 16-column block is reduced down the 2r+1 rows once and its
 * neighbours to r columns away come from the blocks beside it by vextq
 * (left of column 0: column 0 again, the border replicated), as long as a
 * whole block follows. The last 16..31 columns go through the row buffer as
 * in vote_neon.c (row + r + c holds column c's reduction, padded on the
 * right), with vectors that overlap the ones before (no state). Needs w >= 32.
 * Specialised per R and op, so the window loops unroll and the vextq
 * offsets are constants.
 */
static inline __attribute__((always_inline)) void morph_r(const uint8_t *src, int sstride, uint8_t *dst, int dstride,
							  int w, int h, const int R, const bool D, uint8_t *row)
{
	const uint8_t *rows[2 * ZP_VOTE_MAX_R + 1];

	for (int y = 0; y < h; y++) {
		uint8_t *d = dst + (size_t)y * dstride;
		uint8x16_t cur, prev;
		int x = 0, c;

		zp_vote_window(src, sstride, h, y, R, rows);
		cur = vcolr(rows, 0, R, D);
		prev = vdupq_lane_u8(vget_low_u8(cur), 0);
		for (; x + 32 <= w; x += 16) {
			uint8x16_t next = vcolr(rows, x + 16, R, D);

			vst1q_u8(d + x, hwin(prev, cur, next, R, D));
			prev = cur;
			cur = next;
		}
		/* columns x..w-1 left (16..31 of them, x >= 16): reductions of x-R..w-1 into the buffer */
		for (c = x - R; c < w; c += 16) {
			c = c + 16 <= w ? c : w - 16;
			vst1q_u8(row + R + c, vcolr(rows, c, R, D));
		}
		zp_vote_pad_scalar(row, w, R);
		for (c = x; c < w; c += 16) {
			uint8x16_t m;

			c = c + 16 <= w ? c : w - 16;
			m = vld1q_u8(row + c);
#pragma GCC unroll 6
			for (int j = 1; j <= 2 * R; j++)
				m = vop(m, vld1q_u8(row + c + j), D);
			vst1q_u8(d + c, m);
		}
	}
}

void zp_morph_neon(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, int r, bool dilate,
		   uint8_t *row)
{
	if (r == 1) { /* the 3x3 kernel above: no row buffer, fewer instructions */
		(dilate ? zp_dilate3_neon : zp_erode3_neon)(src, sstride, dst, dstride, w, h);
		return;
	}
	if (w < 32) {
		zp_morph_scalar(src, sstride, dst, dstride, w, h, r, dilate, row);
		return;
	}
	if (r == 2 && dilate)
		morph_r(src, sstride, dst, dstride, w, h, 2, true, row);
	else if (r == 2)
		morph_r(src, sstride, dst, dstride, w, h, 2, false, row);
	else if (dilate)
		morph_r(src, sstride, dst, dstride, w, h, 3, true, row);
	else
		morph_r(src, sstride, dst, dstride, w, h, 3, false, row);
}

/* As zp_shake_sums_scalar: a point's 3x3 background in two vectors of 8 lanes (models_internal.h). */
static void shake_run(const uint8_t *frame, int fstride, const uint8_t *bg, int bstride, const int32_t *pt, int n,
		      uint16_t l0[16], uint16_t l1[16])
{
	uint16x8_t a0 = vdupq_n_u16(0), a1 = a0, c0 = a0, c1 = a0; /* lanes 0..7 and 8..15 */

	for (int e = 0; e < n; e++) {
		int f, f2;
		uint32_t r[4] = { 0, 0, 0, 0 };
		uint8x16_t v;
		int16x8_t lo, hi, vf, vf2;

		zp_shake_point(frame, fstride, bg, bstride, pt[e], &f, &f2, r);
		v = vreinterpretq_u8_u32(vld1q_u32(r));
		lo = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(v)));
		hi = vreinterpretq_s16_u16(vmovl_u8(vget_high_u8(v)));
		vf = vdupq_n_s16((int16_t)f);
		vf2 = vdupq_n_s16((int16_t)f2);
		a0 = vaddq_u16(a0, vreinterpretq_u16_s16(vabdq_s16(vf, lo)));
		a1 = vaddq_u16(a1, vreinterpretq_u16_s16(vabdq_s16(vf, hi)));
		c0 = vaddq_u16(c0, vreinterpretq_u16_s16(vabdq_s16(vf2, lo)));
		c1 = vaddq_u16(c1, vreinterpretq_u16_s16(vabdq_s16(vf2, hi)));
	}
	vst1q_u16(l0, a0);
	vst1q_u16(l0 + 8, a1);
	vst1q_u16(l1, c0);
	vst1q_u16(l1 + 8, c1);
}

void zp_shake_sums_neon(const uint8_t *frame, int fstride, const uint8_t *bg, int bstride, const int32_t *pt, int n,
			int32_t s0[9], int32_t s1[9])
{
	zp_shake_sums_by_runs(frame, fstride, bg, bstride, pt, n, s0, s1, shake_run);
}
