/* SPDX-License-Identifier: MIT */
/*
 * yuv_avx2.c - AVX2 YUYV/UYVY -> luma and YCbCr -> BGR rows; match
 * yuv_scalar.c byte for byte. Built with -mavx2.
 */
#include "models_internal.h"
#include "yuv_x86.h"

#include <immintrin.h>

static inline __m256i ld(const uint8_t *p)
{
	return _mm256_loadu_si256((const __m256i *)p);
}

/* 32 pixels a time: the luma bytes of 64 source bytes, packed (packus works per 128-bit lane: permute back). */
void zp_yuv_luma_packed_avx2(uint8_t *dst, const uint8_t *src, int w, int odd)
{
	const __m256i lowbytes = _mm256_set1_epi16(0x00ff);
	int x = 0;

	for (; x + 32 <= w; x += 32) {
		__m256i a = ld(src + 2 * x), b = ld(src + 2 * x + 32);

		if (odd) {
			a = _mm256_srli_epi16(a, 8);
			b = _mm256_srli_epi16(b, 8);
		} else {
			a = _mm256_and_si256(a, lowbytes);
			b = _mm256_and_si256(b, lowbytes);
		}
		_mm256_storeu_si256((__m256i *)(dst + x), _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xd8));
	}
	zp_yuv_luma_packed_scalar(dst + x, src + 2 * x, w - x, odd);
}

/* 16 bytes of 8 chroma samples each doubled (one per pixel), as 16-bit lanes, minus 128. */
static inline __m256i chroma16(const uint8_t *s, int cstep)
{
	__m128i c = zp_yuv_chroma8(s, cstep);

	return _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm_unpacklo_epi8(c, c)), _mm256_set1_epi16(128));
}

/* (sum >> 16) of 2 x 8 32-bit sums, clamped to 0..255, as 16-bit lanes (packs restores the unpack order). */
static inline __m256i shr16(__m256i lo, __m256i hi)
{
	return _mm256_packs_epi32(_mm256_srai_epi32(lo, ZP_YUV_SHIFT), _mm256_srai_epi32(hi, ZP_YUV_SHIFT));
}

/*
 * 16 pixels a time, in 32-bit sums formed exactly as the scalar's: the
 * products come from _mm256_madd_epi16 on 16-bit pairs whose weights split
 * each coefficient into parts that fit 16 bits (yuv_x86.h). An arithmetic
 * shift then a signed and an unsigned saturating pack give the scalar's
 * clamp (a negative sum gives 0, above 255 gives 255).
 */
void zp_yuv_bgr_row_avx2(uint8_t *dst, const uint8_t *y, const uint8_t *u, const uint8_t *v, int w, int cstep)
{
	const __m256i wy = _mm256_set1_epi32(ZP_YUV_W_Y);
	const __m256i wb = _mm256_set1_epi32(ZP_YUV_W_B);
	const __m256i wr = _mm256_set1_epi32(ZP_YUV_W_R);
	const __m256i wg = _mm256_set1_epi32(ZP_YUV_W_G);
	const __m256i half = _mm256_set1_epi32(ZP_YUV_HALF);
	const __m256i sixteen = _mm256_set1_epi16(16);
	/* per 128-bit lane: B0..7 G0..7 (bg) and R0..7 twice (rr) -> 24 bytes B0 G0 R0 B1 ... R7 */
	const __m256i m_bg0 = _mm256_broadcastsi128_si256(
		_mm_setr_epi8(0, 8, -1, 1, 9, -1, 2, 10, -1, 3, 11, -1, 4, 12, -1, 5));
	const __m256i m_rr0 = _mm256_broadcastsi128_si256(
		_mm_setr_epi8(-1, -1, 0, -1, -1, 1, -1, -1, 2, -1, -1, 3, -1, -1, 4, -1));
	const __m256i m_bg1 = _mm256_broadcastsi128_si256(
		_mm_setr_epi8(13, -1, 6, 14, -1, 7, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1));
	const __m256i m_rr1 = _mm256_broadcastsi128_si256(
		_mm_setr_epi8(-1, 5, -1, -1, 6, -1, -1, 7, -1, -1, -1, -1, -1, -1, -1, -1));
	int cw = (w + 1) / 2, x = 0, k = 0;

	/*
	 * A vector reads y[x .. x+15] and u, v[k * cstep .. (k + 8) * cstep - 1];
	 * the last chroma byte the row may read is (cw - 1) * cstep.
	 */
	for (; x + 16 <= w && (k + 8) * cstep - 1 <= (cw - 1) * cstep; x += 16, k += 8) {
		__m256i yy = _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(y + x))), sixteen);
		__m256i d = chroma16(u + (size_t)k * cstep, cstep), e = chroma16(v + (size_t)k * cstep, cstep);
		__m256i y2 = _mm256_add_epi16(yy, yy), d4 = _mm256_slli_epi16(d, 2);
		__m256i e3 = _mm256_add_epi16(e, _mm256_add_epi16(e, e)), de2 = _mm256_add_epi16(d, _mm256_add_epi16(e, e));
		/* lo: pixels 0-3 and 8-11, hi: 4-7 and 12-15 (per 128-bit lane) */
		__m256i c_lo = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(yy, y2), wy), half);
		__m256i c_hi = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(yy, y2), wy), half);
		__m256i b_lo = _mm256_madd_epi16(_mm256_unpacklo_epi16(d, d4), wb);
		__m256i b_hi = _mm256_madd_epi16(_mm256_unpackhi_epi16(d, d4), wb);
		__m256i r_lo = _mm256_madd_epi16(_mm256_unpacklo_epi16(e, e3), wr);
		__m256i r_hi = _mm256_madd_epi16(_mm256_unpackhi_epi16(e, e3), wr);
		__m256i g_lo = _mm256_madd_epi16(_mm256_unpacklo_epi16(de2, e), wg);
		__m256i g_hi = _mm256_madd_epi16(_mm256_unpackhi_epi16(de2, e), wg);
		__m256i bb = shr16(_mm256_add_epi32(c_lo, b_lo), _mm256_add_epi32(c_hi, b_hi));
		__m256i gg = shr16(_mm256_sub_epi32(c_lo, g_lo), _mm256_sub_epi32(c_hi, g_hi));
		__m256i rw = shr16(_mm256_add_epi32(c_lo, r_lo), _mm256_add_epi32(c_hi, r_hi));
		__m256i bg = _mm256_packus_epi16(bb, gg), rr = _mm256_packus_epi16(rw, rw);
		__m256i o0 = _mm256_or_si256(_mm256_shuffle_epi8(bg, m_bg0), _mm256_shuffle_epi8(rr, m_rr0));
		__m256i o1 = _mm256_or_si256(_mm256_shuffle_epi8(bg, m_bg1), _mm256_shuffle_epi8(rr, m_rr1));
		uint8_t *p = dst + 3 * (size_t)x;

		_mm_storeu_si128((__m128i *)p, _mm256_castsi256_si128(o0));
		_mm_storel_epi64((__m128i *)(p + 16), _mm256_castsi256_si128(o1));
		_mm_storeu_si128((__m128i *)(p + 24), _mm256_extracti128_si256(o0, 1));
		_mm_storel_epi64((__m128i *)(p + 40), _mm256_extracti128_si256(o1, 1));
	}
	zp_yuv_bgr_row_scalar(dst + 3 * (size_t)x, y + x, u + (size_t)k * cstep, v + (size_t)k * cstep, w - x, cstep);
}
