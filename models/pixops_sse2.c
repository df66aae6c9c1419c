/* SPDX-License-Identifier: MIT */
/* pixops_sse2.c - SSE2 downscale2 / erode3 / dilate3; match pixops_scalar.c byte for byte. Built with -msse2. */
#include "models_internal.h"

#include <emmintrin.h>

/* Sums of horizontally adjacent byte pairs, as 16-bit lanes. */
static inline __m128i pairsum(__m128i v, __m128i lowbytes)
{
	return _mm_add_epi16(_mm_and_si128(v, lowbytes), _mm_srli_epi16(v, 8));
}

void zp_downscale2_sse2(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h)
{
	const __m128i lowbytes = _mm_set1_epi16(0x00ff);
	const __m128i two = _mm_set1_epi16(2);
	int dw = w / 2;

	for (int y = 0; y < h / 2; y++) {
		const uint8_t *s0 = src + (size_t)(2 * y) * sstride;
		const uint8_t *s1 = s0 + sstride;
		uint8_t *d = dst + (size_t)y * dstride;
		int x = 0;

		for (; x + 16 <= dw; x += 16) {
			__m128i a0 = _mm_loadu_si128((const __m128i *)(s0 + 2 * x));
			__m128i b0 = _mm_loadu_si128((const __m128i *)(s0 + 2 * x + 16));
			__m128i a1 = _mm_loadu_si128((const __m128i *)(s1 + 2 * x));
			__m128i b1 = _mm_loadu_si128((const __m128i *)(s1 + 2 * x + 16));
			__m128i sa = _mm_add_epi16(pairsum(a0, lowbytes), pairsum(a1, lowbytes));
			__m128i sb = _mm_add_epi16(pairsum(b0, lowbytes), pairsum(b1, lowbytes));

			sa = _mm_srli_epi16(_mm_add_epi16(sa, two), 2);
			sb = _mm_srli_epi16(_mm_add_epi16(sb, two), 2);
			_mm_storeu_si128((__m128i *)(d + x), _mm_packus_epi16(sa, sb));
		}
		zp_downscale2_row_scalar(s0, s1, d, x, dw);
	}
}

static inline __m128i vmin3(const uint8_t *a, const uint8_t *b, const uint8_t *c, int x)
{
	return _mm_min_epu8(_mm_min_epu8(_mm_loadu_si128((const __m128i *)(a + x)),
					 _mm_loadu_si128((const __m128i *)(b + x))),
			    _mm_loadu_si128((const __m128i *)(c + x)));
}

static inline __m128i vmax3(const uint8_t *a, const uint8_t *b, const uint8_t *c, int x)
{
	return _mm_max_epu8(_mm_max_epu8(_mm_loadu_si128((const __m128i *)(a + x)),
					 _mm_loadu_si128((const __m128i *)(b + x))),
			    _mm_loadu_si128((const __m128i *)(c + x)));
}

/* 16 output columns from x: reads x-1..x+16, which must be <= w-1. */
static inline void morph_vec(const uint8_t *a, const uint8_t *b, const uint8_t *c, uint8_t *d, int x, bool dilate)
{
	__m128i r;

	if (dilate)
		r = _mm_max_epu8(_mm_max_epu8(vmax3(a, b, c, x - 1), vmax3(a, b, c, x)), vmax3(a, b, c, x + 1));
	else
		r = _mm_min_epu8(_mm_min_epu8(vmin3(a, b, c, x - 1), vmin3(a, b, c, x)), vmin3(a, b, c, x + 1));
	_mm_storeu_si128((__m128i *)(d + x), r);
}

/*
 * Column 0 and column w-1 are done by the scalar helper (border
 * replication); vectors cover x-1..x+16 <= w-1. The columns left over at the
 * right end are covered by one more vector ending at column w-2, which
 * rewrites some columns with the same values (the op has no state). Rows
 * narrower than 18 are all scalar.
 */
static void morph3(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, bool dilate)
{
	for (int y = 0; y < h; y++) {
		const uint8_t *a = src + (size_t)(y > 0 ? y - 1 : 0) * sstride;
		const uint8_t *b = src + (size_t)y * sstride;
		const uint8_t *c = src + (size_t)(y < h - 1 ? y + 1 : h - 1) * sstride;
		uint8_t *d = dst + (size_t)y * dstride;
		int x = 1;

		if (w < 18) { /* narrower than one vector and its neighbours */
			zp_morph3_row_scalar(a, b, c, d, 0, w, w, dilate);
			continue;
		}
		for (; x + 17 <= w; x += 16)
			morph_vec(a, b, c, d, x, dilate);
		if (x < w - 1)
			morph_vec(a, b, c, d, w - 17, dilate);
		zp_morph3_edges_scalar(a, b, c, d, w, dilate);
	}
}

void zp_erode3_sse2(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h)
{
	morph3(src, sstride, dst, dstride, w, h, false);
}

void zp_dilate3_sse2(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h)
{
	morph3(src, sstride, dst, dstride, w, h, true);
}

/* Samples x..x+15 of a row (every step-th byte from s): reads s[x * step .. (x + 16) * step - 1]. */
static inline __m128i gather16(const uint8_t *s, int step, int x)
{
	const __m128i *p = (const __m128i *)(s + (size_t)x * step);

	if (step == 1)
		return _mm_loadu_si128(p);
	if (step == 2) {
		const __m128i lo = _mm_set1_epi16(0x00ff);

		return _mm_packus_epi16(_mm_and_si128(_mm_loadu_si128(p), lo), _mm_and_si128(_mm_loadu_si128(p + 1), lo));
	} else {
		const __m128i lo = _mm_set1_epi32(0xff);
		__m128i a = _mm_packs_epi32(_mm_and_si128(_mm_loadu_si128(p), lo), _mm_and_si128(_mm_loadu_si128(p + 1), lo));
		__m128i b = _mm_packs_epi32(_mm_and_si128(_mm_loadu_si128(p + 2), lo),
					    _mm_and_si128(_mm_loadu_si128(p + 3), lo));

		return _mm_packus_epi16(a, b);
	}
}

/*
 * Sums: _mm_sad_epu8 against zero (sample sum) and against prev (SAD) give
 * two 64-bit partial sums per vector; squares go through _mm_madd_epi16 into
 * 32-bit lanes (each lane gains at most 4 * 255^2 per 16 samples, so a row of
 * up to 65535 samples cannot wrap them) that are widened once per row.
 */
void zp_stats_sse2(const uint8_t *src, int sstride, int step, uint8_t *prev, int pstride, int w, int h,
		   zp_pixstats *st)
{
	const __m128i zero = _mm_setzero_si128();
	__m128i sum = zero, sad = zero, sum2 = zero;
	uint64_t lanes[2];

	st->sum = st->sum2 = st->sad = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *s = src + (size_t)y * step * sstride;
		uint8_t *p = prev + (size_t)y * pstride;
		__m128i sq = zero;
		int x = 0;

		for (; x + 16 <= w; x += 16) {
			__m128i v = gather16(s, step, x);
			__m128i pv = _mm_loadu_si128((const __m128i *)(p + x));
			__m128i lo = _mm_unpacklo_epi8(v, zero), hi = _mm_unpackhi_epi8(v, zero);

			sum = _mm_add_epi64(sum, _mm_sad_epu8(v, zero));
			sad = _mm_add_epi64(sad, _mm_sad_epu8(v, pv));
			sq = _mm_add_epi32(sq, _mm_add_epi32(_mm_madd_epi16(lo, lo), _mm_madd_epi16(hi, hi)));
			_mm_storeu_si128((__m128i *)(p + x), v);
		}
		sum2 = _mm_add_epi64(sum2, _mm_add_epi64(_mm_unpacklo_epi32(sq, zero), _mm_unpackhi_epi32(sq, zero)));
		zp_stats_row_scalar(s, step, p, x, w, st);
	}
	_mm_storeu_si128((__m128i *)lanes, sum);
	st->sum += lanes[0] + lanes[1];
	_mm_storeu_si128((__m128i *)lanes, sad);
	st->sad += lanes[0] + lanes[1];
	_mm_storeu_si128((__m128i *)lanes, sum2);
	st->sum2 += lanes[0] + lanes[1];
}

static inline __m128i ld(const uint8_t *p)
{
	return _mm_loadu_si128((const __m128i *)p);
}

static inline void st(uint8_t *p, __m128i v)
{
	_mm_storeu_si128((__m128i *)p, v);
}

/*
 * zp_pixops.morph, as the vote (vote_sse2.c): per output row the columns'
 * minimum (maximum) over the 2r+1 rows into the padded row, then 2r+1
 * neighbours of it; the last vector of a row overlaps the one before (no
 * state: the overlap writes the same bytes again). Rows narrower than one
 * vector go to the scalar code. Specialised for each r and op (R, DILATE
 * constant) and unrolled (gcc -O2 does not unroll them by itself). For r 1
 * the 3x3 kernel is as fast on x86 and takes fewer instructions on NEON
 * (its neighbours come from registers), so r starts at 2 here.
 */
static inline __attribute__((always_inline)) void morph_r(const uint8_t *src, int sstride, uint8_t *dst, int dstride,
							  int w, int h, const int R, const bool DILATE, uint8_t *row)
{
	const uint8_t *rows[2 * ZP_VOTE_MAX_R + 1];

	for (int y = 0; y < h; y++) {
		uint8_t *d = dst + (size_t)y * dstride;
		int x;

		zp_vote_window(src, sstride, h, y, R, rows);
		for (x = 0; x < w; x += 16) {
			__m128i m;

			x = x + 16 <= w ? x : w - 16;
			m = ld(rows[0] + x);
#pragma GCC unroll 6
			for (int i = 1; i <= 2 * R; i++)
				m = DILATE ? _mm_max_epu8(m, ld(rows[i] + x)) : _mm_min_epu8(m, ld(rows[i] + x));
			st(row + R + x, m);
		}
		zp_vote_pad_scalar(row, w, R);
		for (x = 0; x < w; x += 16) {
			__m128i m;

			x = x + 16 <= w ? x : w - 16;
			m = ld(row + x);
#pragma GCC unroll 6
			for (int j = 1; j <= 2 * R; j++)
				m = DILATE ? _mm_max_epu8(m, ld(row + x + j)) : _mm_min_epu8(m, ld(row + x + j));
			st(d + x, m);
		}
	}
}

void zp_morph_sse2(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, int r, bool dilate,
		   uint8_t *row)
{
	if (r == 1) { /* the 3x3 kernel above: no row buffer, fewer instructions */
		(dilate ? zp_dilate3_sse2 : zp_erode3_sse2)(src, sstride, dst, dstride, w, h);
		return;
	}
	if (w < 16) {
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
	const __m128i zero = _mm_setzero_si128();
	__m128i a0 = zero, a1 = zero, c0 = zero, c1 = zero; /* lanes 0..7 and 8..15 */

	for (int e = 0; e < n; e++) {
		int f, f2;
		uint32_t r[3];
		__m128i v, lo, hi, vf, vf2;

		zp_shake_point(frame, fstride, bg, bstride, pt[e], &f, &f2, r);
		v = _mm_setr_epi32((int)r[0], (int)r[1], (int)r[2], 0);
		lo = _mm_unpacklo_epi8(v, zero);
		hi = _mm_unpackhi_epi8(v, zero);
		vf = _mm_set1_epi16((int16_t)f);
		vf2 = _mm_set1_epi16((int16_t)f2);
		a0 = _mm_add_epi16(a0, _mm_max_epi16(_mm_sub_epi16(vf, lo), _mm_sub_epi16(lo, vf)));
		a1 = _mm_add_epi16(a1, _mm_max_epi16(_mm_sub_epi16(vf, hi), _mm_sub_epi16(hi, vf)));
		c0 = _mm_add_epi16(c0, _mm_max_epi16(_mm_sub_epi16(vf2, lo), _mm_sub_epi16(lo, vf2)));
		c1 = _mm_add_epi16(c1, _mm_max_epi16(_mm_sub_epi16(vf2, hi), _mm_sub_epi16(hi, vf2)));
	}
	_mm_storeu_si128((__m128i *)l0, a0);
	_mm_storeu_si128((__m128i *)(l0 + 8), a1);
	_mm_storeu_si128((__m128i *)l1, c0);
	_mm_storeu_si128((__m128i *)(l1 + 8), c1);
}

void zp_shake_sums_sse2(const uint8_t *frame, int fstride, const uint8_t *bg, int bstride, const int32_t *pt, int n,
			int32_t s0[9], int32_t s1[9])
{
	zp_shake_sums_by_runs(frame, fstride, bg, bstride, pt, n, s0, s1, shake_run);
}
