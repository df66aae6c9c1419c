/* SPDX-License-Identifier: MIT */
/*
 * vote_neon.c - NEON majority vote; matches vote_scalar.c byte for byte.
 * Rows narrower than two vectors go to the scalar code; below, how the rest
 * is covered.
 */
#include "models_internal.h"

#include <arm_neon.h>

/* Columns x..x+15: how many of the 2R+1 rows are non-zero. */
static inline __attribute__((always_inline)) uint8x16_t vcnt(const uint8_t *const *rows, int x, const int R,
							     uint8x16_t one)
{
	uint8x16_t acc = vminq_u8(vld1q_u8(rows[0] + x), one);

#pragma GCC unroll 7
	for (int i = 1; i < 2 * R + 1; i++)
		acc = vaddq_u8(acc, vminq_u8(vld1q_u8(rows[i] + x), one));
	return acc;
}

/* The window sums of block c from its column counts and those of the blocks before (p) and after (n). */
static inline __attribute__((always_inline)) uint8x16_t hsum(uint8x16_t p, uint8x16_t c, uint8x16_t n, const int R)
{
	uint8x16_t s = vaddq_u8(vaddq_u8(vextq_u8(p, c, 15), c), vextq_u8(c, n, 1));

	if (R >= 2)
		s = vaddq_u8(s, vaddq_u8(vextq_u8(p, c, 14), vextq_u8(c, n, 2)));
	if (R == 3)
		s = vaddq_u8(s, vaddq_u8(vextq_u8(p, c, 13), vextq_u8(c, n, 3)));
	return s;
}

/*
 * The vote for a constant radius R, as zp_morph_neon (pixops_neon.c): each
 * 16-column block's counts down the window once, the neighbours' counts to
 * R columns away by vextq from the blocks beside it (left of column 0:
 * column 0 again), as long as a whole block follows; the last 16..31
 * columns through the row buffer (row + R + c holds column c's count,
 * padded), with vectors that overlap the ones before (no state). w >= 32.
 */
static inline __attribute__((always_inline)) void vote_r(const uint8_t *src, int sstride, uint8_t *dst, int dstride,
							 int w, int h, const int R, int k, uint8_t *row)
{
	const uint8_t *rows[2 * ZP_VOTE_MAX_R + 1];
	const uint8x16_t one = vdupq_n_u8(1);
	const uint8x16_t kv = vdupq_n_u8((uint8_t)k);

	for (int y = 0; y < h; y++) {
		uint8_t *d = dst + (size_t)y * dstride;
		uint8x16_t cur, prev;
		int x = 0, c;

		zp_vote_window(src, sstride, h, y, R, rows);
		cur = vcnt(rows, 0, R, one);
		prev = vdupq_lane_u8(vget_low_u8(cur), 0);
		for (; x + 32 <= w; x += 16) {
			uint8x16_t next = vcnt(rows, x + 16, R, one);

			vst1q_u8(d + x, vcgeq_u8(hsum(prev, cur, next, R), kv));
			prev = cur;
			cur = next;
		}
		/* columns x..w-1 left (16..31 of them, x >= 16): counts of x-R..w-1 into the buffer */
		for (c = x - R; c < w; c += 16) {
			c = c + 16 <= w ? c : w - 16;
			vst1q_u8(row + R + c, vcnt(rows, c, R, one));
		}
		zp_vote_pad_scalar(row, w, R);
		for (c = x; c < w; c += 16) {
			uint8x16_t t;

			c = c + 16 <= w ? c : w - 16;
			t = vld1q_u8(row + c);
#pragma GCC unroll 7
			for (int j = 1; j < 2 * R + 1; j++)
				t = vaddq_u8(t, vld1q_u8(row + c + j));
			vst1q_u8(d + c, vcgeq_u8(t, kv));
		}
	}
}

void zp_vote_neon(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, int r, int k,
		  uint8_t *row)
{
	if (w < 32) {
		zp_vote_scalar(src, sstride, dst, dstride, w, h, r, k, row);
		return;
	}
	if (r == 1)
		vote_r(src, sstride, dst, dstride, w, h, 1, k, row);
	else if (r == 2)
		vote_r(src, sstride, dst, dstride, w, h, 2, k, row);
	else
		vote_r(src, sstride, dst, dstride, w, h, 3, k, row);
}
