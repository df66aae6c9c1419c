/* SPDX-License-Identifier: MIT */
/*
 * vote_avx2.c - AVX2 majority vote; matches vote_scalar.c byte for byte. Built with -mavx2.
 * Rows narrower than one vector go to the scalar code; the last vector of a
 * row overlaps the one before (the vote has no state, so the overlap writes
 * the same bytes again).
 */
#include "models_internal.h"

#include <immintrin.h>

/* The vote for a constant radius R: the window loops unroll (gcc -O2 does not unroll them by itself). */
static inline __attribute__((always_inline)) void vote_r(const uint8_t *src, int sstride, uint8_t *dst, int dstride,
							 int w, int h, const int R, int k, uint8_t *row)
{
	const uint8_t *rows[2 * ZP_VOTE_MAX_R + 1];
	const __m256i one = _mm256_set1_epi8(1);
	const __m256i km1 = _mm256_set1_epi8((char)(k - 1)); /* counts <= 49: signed compare is safe */

	for (int y = 0; y < h; y++) {
		uint8_t *d = dst + (size_t)y * dstride;
		int x = 0;

		zp_vote_window(src, sstride, h, y, R, rows);
		for (; x < w; x += 32) {
			__m256i acc = _mm256_setzero_si256();

			x = x + 32 <= w ? x : w - 32;
#pragma GCC unroll 7
			for (int i = 0; i < 2 * R + 1; i++) {
				__m256i v = _mm256_loadu_si256((const __m256i *)(rows[i] + x));

				acc = _mm256_add_epi8(acc, _mm256_min_epu8(v, one));
			}
			_mm256_storeu_si256((__m256i *)(row + R + x), acc);
		}
		zp_vote_pad_scalar(row, w, R);
		/* window of output x: row[x .. x + 2r], all inside row[0 .. w + 2r - 1] */
		for (x = 0; x < w; x += 32) {
			__m256i s;

			x = x + 32 <= w ? x : w - 32;
			s = _mm256_loadu_si256((const __m256i *)(row + x));
#pragma GCC unroll 7
			for (int j = 1; j < 2 * R + 1; j++)
				s = _mm256_add_epi8(s, _mm256_loadu_si256((const __m256i *)(row + x + j)));
			_mm256_storeu_si256((__m256i *)(d + x), _mm256_cmpgt_epi8(s, km1));
		}
	}
}

void zp_vote_avx2(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, int r, int k,
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
