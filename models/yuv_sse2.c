/* SPDX-License-Identifier: MIT */
/*
 * yuv_sse2.c - SSE2 YUYV/UYVY -> luma; matches yuv_scalar.c byte for byte.
 * Built with -msse2. The BGR row on this path is the scalar one
 * (kernels_x86.c): SSE2 has no byte shuffle to interleave the three
 * channels and no 32-bit multiply, and every x86 CPU of this decade runs
 * the AVX2 row.
 */
#include "models_internal.h"

#include <emmintrin.h>

/* 16 pixels a time: the luma bytes of 32 source bytes, packed. */
void zp_yuv_luma_packed_sse2(uint8_t *dst, const uint8_t *src, int w, int odd)
{
	const __m128i lowbytes = _mm_set1_epi16(0x00ff);
	int x = 0;

	for (; x + 16 <= w; x += 16) {
		__m128i a = _mm_loadu_si128((const __m128i *)(src + 2 * x));
		__m128i b = _mm_loadu_si128((const __m128i *)(src + 2 * x + 16));

		if (odd) {
			a = _mm_srli_epi16(a, 8);
			b = _mm_srli_epi16(b, 8);
		} else {
			a = _mm_and_si128(a, lowbytes);
			b = _mm_and_si128(b, lowbytes);
		}
		_mm_storeu_si128((__m128i *)(dst + x), _mm_packus_epi16(a, b));
	}
	zp_yuv_luma_packed_scalar(dst + x, src + 2 * x, w - x, odd);
}
