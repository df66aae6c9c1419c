/* SPDX-License-Identifier: MIT */
/* bgsub_avx2.c - AVX2 background-model row kernel; matches bgsub_scalar.c byte for byte. Built with -mavx2. */
#include "models_internal.h"

#include <immintrin.h>

struct consts {
	__m256i zero, ones, thr, k;
	__m128i cbg, cfg;
};

static inline __m256i absdiff_u16(__m256i a, __m256i b)
{
	return _mm256_or_si256(_mm256_subs_epu16(a, b), _mm256_subs_epu16(b, a));
}

/* (v + 2^(s-1)) >> s; c holds s - 1. */
static inline __m256i rshr_u16(__m256i v, __m128i c, __m256i zero)
{
	return _mm256_avg_epu16(_mm256_srl_epi16(v, c), zero);
}

static inline __m256i ge_u16(__m256i a, __m256i b, __m256i zero)
{
	return _mm256_cmpeq_epi16(_mm256_subs_epu16(b, a), zero);
}

/* Sixteen pixels, as step8 in bgsub_sse2.c. */
static inline __m256i step16(__m256i x, __m256i *m, __m256i *v, __m256i held, const struct consts *c)
{
	__m256i d = absdiff_u16(x, *m);
	__m256i lo = _mm256_mullo_epi16(*v, c->k);
	__m256i hi = _mm256_mulhi_epu16(*v, c->k);
	__m256i kv = _mm256_or_si256(lo, _mm256_xor_si256(_mm256_cmpeq_epi16(hi, c->zero), c->ones));
	__m256i t = _mm256_max_epu16(kv, c->thr);
	__m256i bg = _mm256_cmpeq_epi16(_mm256_subs_epu16(d, t), c->zero);
	__m256i step, up, e;

	step = _mm256_blendv_epi8(rshr_u16(d, c->cfg, c->zero), rshr_u16(d, c->cbg, c->zero), bg);
	step = _mm256_andnot_si256(held, step);
	up = ge_u16(x, *m, c->zero);
	*m = _mm256_sub_epi16(_mm256_add_epi16(*m, _mm256_and_si256(up, step)), _mm256_andnot_si256(up, step));

	e = absdiff_u16(d, *v);
	step = _mm256_blendv_epi8(rshr_u16(e, c->cfg, c->zero), rshr_u16(e, c->cbg, c->zero), bg);
	step = _mm256_andnot_si256(held, step);
	up = ge_u16(d, *v, c->zero);
	*v = _mm256_sub_epi16(_mm256_add_epi16(*v, _mm256_and_si256(up, step)), _mm256_andnot_si256(up, step));
	return _mm256_xor_si256(bg, c->ones);
}

void zp_bg_row_avx2(const uint8_t *src, uint16_t *mean, uint16_t *dev, const uint8_t *hold, uint8_t *fg, int width,
		    const struct zp_bg_kparams *kp)
{
	struct consts c;
	int i = 0;

	c.zero = _mm256_setzero_si256();
	c.ones = _mm256_cmpeq_epi8(c.zero, c.zero);
	c.thr = _mm256_set1_epi16((short)kp->thr);
	c.k = _mm256_set1_epi16((short)kp->dev_mult);
	c.cbg = _mm_cvtsi32_si128(kp->shift_bg - 1);
	c.cfg = _mm_cvtsi32_si128(kp->shift_fg - 1);
	for (; i + 32 <= width; i += 32) {
		__m128i xa = _mm_loadu_si128((const __m128i *)(src + i));
		__m128i xb = _mm_loadu_si128((const __m128i *)(src + i + 16));
		__m128i ha = _mm_loadu_si128((const __m128i *)(hold + i));
		__m128i hb = _mm_loadu_si128((const __m128i *)(hold + i + 16));
		__m256i x0 = _mm256_slli_epi16(_mm256_cvtepu8_epi16(xa), 8);
		__m256i x1 = _mm256_slli_epi16(_mm256_cvtepu8_epi16(xb), 8);
		__m256i h0 = _mm256_xor_si256(_mm256_cmpeq_epi16(_mm256_cvtepu8_epi16(ha), c.zero), c.ones);
		__m256i h1 = _mm256_xor_si256(_mm256_cmpeq_epi16(_mm256_cvtepu8_epi16(hb), c.zero), c.ones);
		__m256i m0 = _mm256_loadu_si256((const __m256i *)(mean + i));
		__m256i m1 = _mm256_loadu_si256((const __m256i *)(mean + i + 16));
		__m256i v0 = _mm256_loadu_si256((const __m256i *)(dev + i));
		__m256i v1 = _mm256_loadu_si256((const __m256i *)(dev + i + 16));
		__m256i f0 = step16(x0, &m0, &v0, h0, &c);
		__m256i f1 = step16(x1, &m1, &v1, h1, &c);

		_mm256_storeu_si256((__m256i *)(mean + i), m0);
		_mm256_storeu_si256((__m256i *)(mean + i + 16), m1);
		_mm256_storeu_si256((__m256i *)(dev + i), v0);
		_mm256_storeu_si256((__m256i *)(dev + i + 16), v1);
		/* packs interleaves the 128-bit lanes: put them back in order */
		_mm256_storeu_si256((__m256i *)(fg + i), _mm256_permute4x64_epi64(_mm256_packs_epi16(f0, f1), 0xd8));
	}
	if (i + 16 <= width) {
		/* 16..31 pixels left: one half-width step before the scalar tail */
		__m128i xa = _mm_loadu_si128((const __m128i *)(src + i));
		__m128i ha = _mm_loadu_si128((const __m128i *)(hold + i));
		__m256i x0 = _mm256_slli_epi16(_mm256_cvtepu8_epi16(xa), 8);
		__m256i h0 = _mm256_xor_si256(_mm256_cmpeq_epi16(_mm256_cvtepu8_epi16(ha), c.zero), c.ones);
		__m256i m0 = _mm256_loadu_si256((const __m256i *)(mean + i));
		__m256i v0 = _mm256_loadu_si256((const __m256i *)(dev + i));
		__m256i f0 = step16(x0, &m0, &v0, h0, &c);
		__m256i p = _mm256_permute4x64_epi64(_mm256_packs_epi16(f0, f0), 0xd8);

		_mm256_storeu_si256((__m256i *)(mean + i), m0);
		_mm256_storeu_si256((__m256i *)(dev + i), v0);
		_mm_storeu_si128((__m128i *)(fg + i), _mm256_castsi256_si128(p));
		i += 16;
	}
	zp_bg_row_scalar(src + i, mean + i, dev + i, hold + i, fg + i, width - i, kp);
}

void zp_bg_luma_avx2(const uint16_t *mean, uint8_t *dst, int width)
{
	const __m256i half = _mm256_set1_epi16(128);
	int i = 0;

	/* as in bgsub_sse2.c; packus works per 128-bit lane, the permute puts the halves back in order */
	for (; i + 32 <= width; i += 32) {
		__m256i a = _mm256_srli_epi16(_mm256_add_epi16(_mm256_loadu_si256((const __m256i *)(mean + i)), half), 8);
		__m256i b =
			_mm256_srli_epi16(_mm256_add_epi16(_mm256_loadu_si256((const __m256i *)(mean + i + 16)), half), 8);

		_mm256_storeu_si256((__m256i *)(dst + i), _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xd8));
	}
	zp_bg_luma_scalar(mean + i, dst + i, width - i);
}
