/* SPDX-License-Identifier: MIT */
/*
 * vote_neon.c - NEON majority vote; matches vote_scalar.c byte for byte.
 * Rows narrower than one vector go to the scalar code; the last vector of a
 * row overlaps the one before (the vote has no state, so the overlap writes
 * the same bytes again).
 */
#include "models_internal.h"

#include <arm_neon.h>

void zp_vote_neon(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, int r, int k,
		  uint8_t *row)
{
	const uint8_t *rows[2 * ZP_VOTE_MAX_R + 1];
	const uint8x16_t one = vdupq_n_u8(1);
	const uint8x16_t kv = vdupq_n_u8((uint8_t)k);
	int n = 2 * r + 1;

	if (w < 16) {
		zp_vote_scalar(src, sstride, dst, dstride, w, h, r, k, row);
		return;
	}
	for (int y = 0; y < h; y++) {
		uint8_t *d = dst + (size_t)y * dstride;
		int x = 0;

		zp_vote_window(src, sstride, h, y, r, rows);
		for (; x < w; x += 16) {
			uint8x16_t acc = vdupq_n_u8(0);

			x = x + 16 <= w ? x : w - 16;
			for (int i = 0; i < n; i++)
				acc = vaddq_u8(acc, vminq_u8(vld1q_u8(rows[i] + x), one));
			vst1q_u8(row + r + x, acc);
		}
		zp_vote_pad_scalar(row, w, r);
		for (x = 0; x < w; x += 16) {
			uint8x16_t s;

			x = x + 16 <= w ? x : w - 16;
			s = vld1q_u8(row + x);
			for (int j = 1; j < n; j++)
				s = vaddq_u8(s, vld1q_u8(row + x + j));
			vst1q_u8(d + x, vcgeq_u8(s, kv));
		}
	}
}
