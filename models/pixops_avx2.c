/* SPDX-License-Identifier: MIT */
/* pixops_avx2.c - AVX2 downscale2 / erode3 / dilate3; match pixops_scalar.c byte for byte. Built with -mavx2. */
#include "models_internal.h"

#include <immintrin.h>

static inline __m256i pairsum(__m256i v, __m256i lowbytes)
{
	return _mm256_add_epi16(_mm256_and_si256(v, lowbytes), _mm256_srli_epi16(v, 8));
}

static inline __m256i ld(const uint8_t *p)
{
	return _mm256_loadu_si256((const __m256i *)p);
}

void zp_downscale2_avx2(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h)
{
	const __m256i lowbytes = _mm256_set1_epi16(0x00ff);
	const __m256i two = _mm256_set1_epi16(2);
	int dw = w / 2;

	for (int y = 0; y < h / 2; y++) {
		const uint8_t *s0 = src + (size_t)(2 * y) * sstride;
		const uint8_t *s1 = s0 + sstride;
		uint8_t *d = dst + (size_t)y * dstride;
		int x = 0;

		for (; x + 32 <= dw; x += 32) {
			__m256i sa = _mm256_add_epi16(pairsum(ld(s0 + 2 * x), lowbytes), pairsum(ld(s1 + 2 * x), lowbytes));
			__m256i sb = _mm256_add_epi16(pairsum(ld(s0 + 2 * x + 32), lowbytes),
						      pairsum(ld(s1 + 2 * x + 32), lowbytes));

			sa = _mm256_srli_epi16(_mm256_add_epi16(sa, two), 2);
			sb = _mm256_srli_epi16(_mm256_add_epi16(sb, two), 2);
			/* packus interleaves the 128-bit lanes: put them back in order */
			_mm256_storeu_si256((__m256i *)(d + x),
					    _mm256_permute4x64_epi64(_mm256_packus_epi16(sa, sb), 0xd8));
		}
		zp_downscale2_row_scalar(s0, s1, d, x, dw);
	}
}

static inline __m256i vmin3(const uint8_t *a, const uint8_t *b, const uint8_t *c, int x)
{
	return _mm256_min_epu8(_mm256_min_epu8(ld(a + x), ld(b + x)), ld(c + x));
}

static inline __m256i vmax3(const uint8_t *a, const uint8_t *b, const uint8_t *c, int x)
{
	return _mm256_max_epu8(_mm256_max_epu8(ld(a + x), ld(b + x)), ld(c + x));
}

/* 32 output columns from x: reads x-1..x+32, which must be <= w-1. */
static inline void morph_vec(const uint8_t *a, const uint8_t *b, const uint8_t *c, uint8_t *d, int x, bool dilate)
{
	__m256i r;

	if (dilate)
		r = _mm256_max_epu8(_mm256_max_epu8(vmax3(a, b, c, x - 1), vmax3(a, b, c, x)), vmax3(a, b, c, x + 1));
	else
		r = _mm256_min_epu8(_mm256_min_epu8(vmin3(a, b, c, x - 1), vmin3(a, b, c, x)), vmin3(a, b, c, x + 1));
	_mm256_storeu_si256((__m256i *)(d + x), r);
}

/*
 * As in pixops_sse2.c, 32 columns at a time; the columns left over at the
 * right end are covered by one more vector ending at column w-2 (it rewrites
 * some columns with the same values: the op has no state), so only columns
 * 0 and w-1 (border replication) go through the scalar helper.
 */
static void morph3(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, bool dilate)
{
	for (int y = 0; y < h; y++) {
		const uint8_t *a = src + (size_t)(y > 0 ? y - 1 : 0) * sstride;
		const uint8_t *b = src + (size_t)y * sstride;
		const uint8_t *c = src + (size_t)(y < h - 1 ? y + 1 : h - 1) * sstride;
		uint8_t *d = dst + (size_t)y * dstride;
		int x = 1;

		if (w < 34) { /* narrower than one vector and its neighbours */
			zp_morph3_row_scalar(a, b, c, d, 0, w, w, dilate);
			continue;
		}
		for (; x + 33 <= w; x += 32)
			morph_vec(a, b, c, d, x, dilate);
		if (x < w - 1)
			morph_vec(a, b, c, d, w - 33, dilate);
		zp_morph3_edges_scalar(a, b, c, d, w, dilate);
	}
}

void zp_erode3_avx2(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h)
{
	morph3(src, sstride, dst, dstride, w, h, false);
}

void zp_dilate3_avx2(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h)
{
	morph3(src, sstride, dst, dstride, w, h, true);
}

/*
 * Samples x..x+31 of a row (every step-th byte from s): reads
 * s[x * step .. (x + 32) * step - 1]. The packs work per 128-bit lane; the
 * permutes put the samples back in order (SAD against prev needs it).
 */
static inline __m256i gather32(const uint8_t *s, int step, int x)
{
	const uint8_t *p = s + (size_t)x * step;

	if (step == 1)
		return ld(p);
	if (step == 2) {
		const __m256i lo = _mm256_set1_epi16(0x00ff);
		__m256i v = _mm256_packus_epi16(_mm256_and_si256(ld(p), lo), _mm256_and_si256(ld(p + 32), lo));

		return _mm256_permute4x64_epi64(v, 0xd8);
	} else {
		const __m256i lo = _mm256_set1_epi32(0xff);
		const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
		__m256i a = _mm256_packs_epi32(_mm256_and_si256(ld(p), lo), _mm256_and_si256(ld(p + 32), lo));
		__m256i b = _mm256_packs_epi32(_mm256_and_si256(ld(p + 64), lo), _mm256_and_si256(ld(p + 96), lo));

		return _mm256_permutevar8x32_epi32(_mm256_packus_epi16(a, b), order);
	}
}

/* As zp_stats_sse2, 32 samples at a time (a 32-bit lane gains at most 4 * 255^2 per vector). */
void zp_stats_avx2(const uint8_t *src, int sstride, int step, uint8_t *prev, int pstride, int w, int h,
		   zp_pixstats *st)
{
	const __m256i zero = _mm256_setzero_si256();
	__m256i sum = zero, sad = zero, sum2 = zero;
	uint64_t lanes[4];

	st->sum = st->sum2 = st->sad = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *s = src + (size_t)y * step * sstride;
		uint8_t *p = prev + (size_t)y * pstride;
		__m256i sq = zero;
		int x = 0;

		for (; x + 32 <= w; x += 32) {
			__m256i v = gather32(s, step, x);
			__m256i pv = ld(p + x);
			__m256i lo = _mm256_unpacklo_epi8(v, zero), hi = _mm256_unpackhi_epi8(v, zero);

			sum = _mm256_add_epi64(sum, _mm256_sad_epu8(v, zero));
			sad = _mm256_add_epi64(sad, _mm256_sad_epu8(v, pv));
			sq = _mm256_add_epi32(sq, _mm256_add_epi32(_mm256_madd_epi16(lo, lo), _mm256_madd_epi16(hi, hi)));
			_mm256_storeu_si256((__m256i *)(p + x), v);
		}
		sum2 = _mm256_add_epi64(sum2, _mm256_add_epi64(_mm256_unpacklo_epi32(sq, zero),
							       _mm256_unpackhi_epi32(sq, zero)));
		zp_stats_row_scalar(s, step, p, x, w, st);
	}
	_mm256_storeu_si256((__m256i *)lanes, sum);
	st->sum += lanes[0] + lanes[1] + lanes[2] + lanes[3];
	_mm256_storeu_si256((__m256i *)lanes, sad);
	st->sad += lanes[0] + lanes[1] + lanes[2] + lanes[3];
	_mm256_storeu_si256((__m256i *)lanes, sum2);
	st->sum2 += lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

static inline void st(uint8_t *p, __m256i v)
{
	_mm256_storeu_si256((__m256i *)p, v);
}

/*
 * zp_pixops.morph, as the vote (vote_avx2.c): per output row the columns'
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
		for (x = 0; x < w; x += 32) {
			__m256i m;

			x = x + 32 <= w ? x : w - 32;
			m = ld(rows[0] + x);
#pragma GCC unroll 6
			for (int i = 1; i <= 2 * R; i++)
				m = DILATE ? _mm256_max_epu8(m, ld(rows[i] + x)) : _mm256_min_epu8(m, ld(rows[i] + x));
			st(row + R + x, m);
		}
		zp_vote_pad_scalar(row, w, R);
		for (x = 0; x < w; x += 32) {
			__m256i m;

			x = x + 32 <= w ? x : w - 32;
			m = ld(row + x);
#pragma GCC unroll 6
			for (int j = 1; j <= 2 * R; j++)
				m = DILATE ? _mm256_max_epu8(m, ld(row + x + j)) : _mm256_min_epu8(m, ld(row + x + j));
			st(d + x, m);
		}
	}
}

void zp_morph_avx2(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, int r, bool dilate,
		   uint8_t *row)
{
	if (r == 1) { /* the 3x3 kernel above: no row buffer, fewer instructions */
		(dilate ? zp_dilate3_avx2 : zp_erode3_avx2)(src, sstride, dst, dstride, w, h);
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

/* As zp_shake_sums_scalar: a point's 3x3 background in one vector of 16 lanes (models_internal.h). */
static void shake_run(const uint8_t *frame, int fstride, const uint8_t *bg, int bstride, const int32_t *pt, int n,
		      uint16_t l0[16], uint16_t l1[16])
{
	__m256i a = _mm256_setzero_si256(), c = _mm256_setzero_si256();

	for (int e = 0; e < n; e++) {
		int f, f2;
		uint32_t r[3];
		__m256i v;

		zp_shake_point(frame, fstride, bg, bstride, pt[e], &f, &f2, r);
		v = _mm256_cvtepu8_epi16(_mm_setr_epi32((int)r[0], (int)r[1], (int)r[2], 0));
		a = _mm256_add_epi16(a, _mm256_abs_epi16(_mm256_sub_epi16(_mm256_set1_epi16((int16_t)f), v)));
		c = _mm256_add_epi16(c, _mm256_abs_epi16(_mm256_sub_epi16(_mm256_set1_epi16((int16_t)f2), v)));
	}
	_mm256_storeu_si256((__m256i *)l0, a);
	_mm256_storeu_si256((__m256i *)l1, c);
}

void zp_shake_sums_avx2(const uint8_t *frame, int fstride, const uint8_t *bg, int bstride, const int32_t *pt, int n,
			int32_t s0[9], int32_t s1[9])
{
	zp_shake_sums_by_runs(frame, fstride, bg, bstride, pt, n, s0, s1, shake_run);
}
