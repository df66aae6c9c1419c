/* SPDX-License-Identifier: MIT */
/*
 * yuv_sse2.c - SSE2 YUYV/UYVY -> luma and YCbCr -> BGR rows; match
 * yuv_scalar.c byte for byte. Built with -msse2.
 */
#include "models_internal.h"
#include "yuv_x86.h"

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

/* The weights of the 16-bit pairs (yuv_x86.h) and the rounding half. */
struct bgr_w {
	__m128i wy, wb, wr, wg, half;
};

/*
 * 8 pixels: yy = Y - 16, d = U - 128, e = V - 128 as 16-bit lanes (one chroma
 * value per pixel) -> B, G, R as 16-bit lanes, (sum >> 16) saturated to
 * int16 (the unsigned pack that follows clamps to 0..255).
 */
static inline void bgr8(__m128i yy, __m128i d, __m128i e, const struct bgr_w *k, __m128i *b, __m128i *g, __m128i *r)
{
	__m128i y2 = _mm_add_epi16(yy, yy), d4 = _mm_slli_epi16(d, 2);
	__m128i e3 = _mm_add_epi16(e, _mm_add_epi16(e, e)), de2 = _mm_add_epi16(d, _mm_add_epi16(e, e));
	__m128i c_lo = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(yy, y2), k->wy), k->half);
	__m128i c_hi = _mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(yy, y2), k->wy), k->half);
	__m128i b_lo = _mm_add_epi32(c_lo, _mm_madd_epi16(_mm_unpacklo_epi16(d, d4), k->wb));
	__m128i b_hi = _mm_add_epi32(c_hi, _mm_madd_epi16(_mm_unpackhi_epi16(d, d4), k->wb));
	__m128i r_lo = _mm_add_epi32(c_lo, _mm_madd_epi16(_mm_unpacklo_epi16(e, e3), k->wr));
	__m128i r_hi = _mm_add_epi32(c_hi, _mm_madd_epi16(_mm_unpackhi_epi16(e, e3), k->wr));
	__m128i g_lo = _mm_sub_epi32(c_lo, _mm_madd_epi16(_mm_unpacklo_epi16(de2, e), k->wg));
	__m128i g_hi = _mm_sub_epi32(c_hi, _mm_madd_epi16(_mm_unpackhi_epi16(de2, e), k->wg));

	*b = _mm_packs_epi32(_mm_srai_epi32(b_lo, ZP_YUV_SHIFT), _mm_srai_epi32(b_hi, ZP_YUV_SHIFT));
	*g = _mm_packs_epi32(_mm_srai_epi32(g_lo, ZP_YUV_SHIFT), _mm_srai_epi32(g_hi, ZP_YUV_SHIFT));
	*r = _mm_packs_epi32(_mm_srai_epi32(r_lo, ZP_YUV_SHIFT), _mm_srai_epi32(r_hi, ZP_YUV_SHIFT));
}

/*
 * 4 pixels as B G R 0 in 32-bit lanes -> 12 bytes B G R B G R ... at bytes
 * 0..11, bytes 12..15 zero: each 64-bit half drops its two zero bytes, then
 * the upper half moves down next to the lower.
 */
static inline __m128i pack12(__m128i q)
{
	const __m128i m1 = _mm_set1_epi64x(0x0000000000ffffffll), m2 = _mm_set1_epi64x(0x0000ffffff000000ll);
	__m128i c = _mm_or_si128(_mm_and_si128(q, m1), _mm_and_si128(_mm_srli_epi64(q, 8), m2));

	return _mm_or_si128(_mm_move_epi64(c), _mm_slli_si128(_mm_unpackhi_epi64(c, _mm_setzero_si128()), 6));
}

/*
 * 16 pixels a time with the 32-bit sums of yuv_avx2.c (_mm_madd_epi16 on
 * 16-bit pairs whose weights split each coefficient, yuv_x86.h), so the same
 * bytes as the scalar. SSE2 has no byte shuffle: B, G, R are interleaved by
 * unpacking to B G R 0 words and squeezing out the zero bytes (pack12).
 */
void zp_yuv_bgr_row_sse2(uint8_t *dst, const uint8_t *y, const uint8_t *u, const uint8_t *v, int w, int cstep)
{
	const struct bgr_w k = {
		_mm_set1_epi32(ZP_YUV_W_Y), _mm_set1_epi32(ZP_YUV_W_B),
		_mm_set1_epi32(ZP_YUV_W_R), _mm_set1_epi32(ZP_YUV_W_G), _mm_set1_epi32(ZP_YUV_HALF),
	};
	const __m128i zero = _mm_setzero_si128(), sixteen = _mm_set1_epi16(16), c128 = _mm_set1_epi16(128);
	int cw = (w + 1) / 2, x = 0, j = 0;

	/* a vector reads y[x .. x+15] and u, v[j * cstep .. (j + 8) * cstep - 1]; the last chroma byte is (cw - 1) * cstep */
	for (; x + 16 <= w && (j + 8) * cstep - 1 <= (cw - 1) * cstep; x += 16, j += 8) {
		__m128i yv = _mm_loadu_si128((const __m128i *)(y + x));
		__m128i cu = zp_yuv_chroma8(u + (size_t)j * cstep, cstep);
		__m128i cv = zp_yuv_chroma8(v + (size_t)j * cstep, cstep);
		__m128i du = _mm_unpacklo_epi8(cu, cu), dv = _mm_unpacklo_epi8(cv, cv); /* each sample for two pixels */
		__m128i b0, g0, r0, b1, g1, r1, bb, gg, rr, bg_lo, bg_hi, r_lo, r_hi, p0, p1, p2, p3;
		uint8_t *o = dst + 3 * (size_t)x;

		bgr8(_mm_sub_epi16(_mm_unpacklo_epi8(yv, zero), sixteen), _mm_sub_epi16(_mm_unpacklo_epi8(du, zero), c128),
		     _mm_sub_epi16(_mm_unpacklo_epi8(dv, zero), c128), &k, &b0, &g0, &r0);
		bgr8(_mm_sub_epi16(_mm_unpackhi_epi8(yv, zero), sixteen), _mm_sub_epi16(_mm_unpackhi_epi8(du, zero), c128),
		     _mm_sub_epi16(_mm_unpackhi_epi8(dv, zero), c128), &k, &b1, &g1, &r1);
		bb = _mm_packus_epi16(b0, b1); /* the clamp to 0..255 */
		gg = _mm_packus_epi16(g0, g1);
		rr = _mm_packus_epi16(r0, r1);
		bg_lo = _mm_unpacklo_epi8(bb, gg);
		bg_hi = _mm_unpackhi_epi8(bb, gg);
		r_lo = _mm_unpacklo_epi8(rr, zero);
		r_hi = _mm_unpackhi_epi8(rr, zero);
		p0 = pack12(_mm_unpacklo_epi16(bg_lo, r_lo));
		p1 = pack12(_mm_unpackhi_epi16(bg_lo, r_lo));
		p2 = pack12(_mm_unpacklo_epi16(bg_hi, r_hi));
		p3 = pack12(_mm_unpackhi_epi16(bg_hi, r_hi));
		_mm_storeu_si128((__m128i *)o, _mm_or_si128(p0, _mm_slli_si128(p1, 12)));
		_mm_storeu_si128((__m128i *)(o + 16), _mm_or_si128(_mm_srli_si128(p1, 4), _mm_slli_si128(p2, 8)));
		_mm_storeu_si128((__m128i *)(o + 32), _mm_or_si128(_mm_srli_si128(p2, 8), _mm_slli_si128(p3, 4)));
	}
	zp_yuv_bgr_row_scalar(dst + 3 * (size_t)x, y + x, u + (size_t)j * cstep, v + (size_t)j * cstep, w - x, cstep);
}
