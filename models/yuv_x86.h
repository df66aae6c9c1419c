/* SPDX-License-Identifier: MIT */
/*
 * yuv_x86.h - what the SSE2 and AVX2 YUV rows (yuv_sse2.c, yuv_avx2.c)
 * share: SSE2 intrinsics only, so it compiles under either file's flags.
 */
#ifndef ZP_YUV_X86_H
#define ZP_YUV_X86_H

#include <emmintrin.h>
#include <stdint.h>

/* 8 chroma samples s[0], s[cstep], ... s[7 * cstep] in the low 8 bytes; reads s[0 .. 8 * cstep - 1]. */
static inline __m128i zp_yuv_chroma8(const uint8_t *s, int cstep)
{
	if (cstep == 1)
		return _mm_loadl_epi64((const __m128i *)s);
	if (cstep == 2) {
		__m128i v = _mm_and_si128(_mm_loadu_si128((const __m128i *)s), _mm_set1_epi16(0x00ff));

		return _mm_packus_epi16(v, v);
	} else {
		const __m128i lo = _mm_set1_epi32(0xff);
		__m128i a = _mm_and_si128(_mm_loadu_si128((const __m128i *)s), lo);
		__m128i b = _mm_and_si128(_mm_loadu_si128((const __m128i *)(s + 16)), lo);
		__m128i p = _mm_packs_epi32(a, b);

		return _mm_packus_epi16(p, p);
	}
}

/*
 * The weights of _mm_madd_epi16 / _mm256_madd_epi16 on 16-bit pairs that
 * give the scalar's 32-bit products (models_internal.h): each coefficient
 * split into two parts that fit 16 bits,
 *   CY (Y-16)     = 10775 (Y-16) + 32767 (2 (Y-16))     pair (Y-16, 2 (Y-16))
 *   CBU d         = 1133 d + 32767 (4 d)                pair (d, 4 d)
 *   CRV e         = 6296 e + 32767 (3 e)                pair (e, 3 e)
 *   CGU d + CGV e = 25675 (d + 2 e) + 1929 e            pair (d + 2 e, e)
 * with d = U - 128, e = V - 128; the low 16 bits weigh the pair's first value.
 */
#define ZP_YUV_W_Y (32767 << 16 | 10775)
#define ZP_YUV_W_B (32767 << 16 | 1133)
#define ZP_YUV_W_R (32767 << 16 | 6296)
#define ZP_YUV_W_G (1929 << 16 | 25675)

#endif
