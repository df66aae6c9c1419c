/* SPDX-License-Identifier: MIT */
/* bgsub_avx2.c - AVX2 background-model row kernel; matches bgsub_scalar.c byte for byte. Built with -mavx2. */
#include "models_internal.h"

#include <immintrin.h>

struct consts {
	__m256i zero, ones, one, lo8, thr, thrfl, k, inc, on1, hon1, b7f, b80, h255;
	__m128i cbg, cfg, c2; /* shift counts: shift - 1 */
	bool quiet_ok;       /* blink_on > 0: a pixel with b 0 is not flickering */
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

/* m moved towards x by step (x >= m: up, else down). */
static inline __m256i step_to(__m256i m, __m256i x, __m256i step, __m256i zero)
{
	__m256i up = ge_u16(x, m, zero);

	return _mm256_sub_epi16(_mm256_add_epi16(m, _mm256_and_si256(up, step)), _mm256_andnot_si256(up, step));
}

static inline __m256i x16(const uint8_t *p)
{
	return _mm256_slli_epi16(_mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)p)), 8);
}

static inline __m256i held16(const uint8_t *p, const struct consts *c)
{
	return _mm256_xor_si256(_mm256_cmpeq_epi16(_mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)p)), c->zero),
				c->ones);
}

static inline __m256i ld(const uint16_t *p)
{
	return _mm256_loadu_si256((const __m256i *)p);
}

static inline void st(uint16_t *p, __m256i v)
{
	_mm256_storeu_si256((__m256i *)p, v);
}

/* The general case of step16(): m, v, a the state loaded, d = |x - m|, kv = sat16(dev_mult * v). */
static inline __m256i step16_full(__m256i x, __m256i m, __m256i v, __m256i a, __m256i d, __m256i kv, uint16_t *mean,
				  uint16_t *dev, uint16_t *mean2, uint16_t *aux, __m256i held, const struct consts *c)
{
	__m256i m2, d2;
	__m256i b = _mm256_and_si256(a, c->b7f), h = _mm256_srli_epi16(a, 8);
	__m256i flick = _mm256_cmpgt_epi16(b, c->on1);
	__m256i t = _mm256_max_epu16(kv, _mm256_blendv_epi8(c->thr, c->thrfl, flick));
	__m256i bg1 = _mm256_cmpeq_epi16(_mm256_subs_epu16(d, t), c->zero);
	__m256i in0 = _mm256_cmpeq_epi16(_mm256_subs_epu16(d, _mm256_max_epu16(kv, c->thr)), c->zero);
	__m256i missed = _mm256_cmpeq_epi16(_mm256_and_si256(a, c->b80), c->b80);
	__m256i match2, bg2, keep, nb, upd2, rep2, step, e, na;

	nb = _mm256_add_epi16(_mm256_subs_epu16(b, c->one), _mm256_and_si256(_mm256_and_si256(missed, in0), c->inc));
	nb = _mm256_min_epi16(nb, c->b7f);
	if (_mm256_movemask_epi8(bg1) == -1) {
		/* all background in mode 1: bg2 = 0, mode 2 and h unchanged */
		st(mean, step_to(m, x, _mm256_andnot_si256(held, rshr_u16(d, c->cbg, c->zero)), c->zero));
		e = absdiff_u16(d, v);
		st(dev, step_to(v, d, _mm256_andnot_si256(held, rshr_u16(e, c->cbg, c->zero)), c->zero));
		na = _mm256_or_si256(_mm256_slli_epi16(h, 8), _mm256_or_si256(_mm256_andnot_si256(in0, c->b80), nb));
		st(aux, _mm256_blendv_epi8(na, a, held));
		return c->zero;
	}
	m2 = ld(mean2);
	d2 = absdiff_u16(x, m2);
	match2 = _mm256_cmpeq_epi16(_mm256_subs_epu16(d2, t), c->zero);
	bg2 = _mm256_andnot_si256(bg1, _mm256_and_si256(match2, _mm256_and_si256(flick, _mm256_cmpgt_epi16(h, c->hon1))));
	keep = _mm256_or_si256(held, bg2);

	step = _mm256_blendv_epi8(rshr_u16(d, c->cfg, c->zero), rshr_u16(d, c->cbg, c->zero), bg1);
	st(mean, step_to(m, x, _mm256_andnot_si256(keep, step), c->zero));

	e = absdiff_u16(d, v);
	step = _mm256_blendv_epi8(rshr_u16(e, c->cfg, c->zero), rshr_u16(e, c->cbg, c->zero), bg1);
	st(dev, step_to(v, d, _mm256_andnot_si256(keep, step), c->zero));

	upd2 = _mm256_andnot_si256(_mm256_or_si256(held, bg1), match2);
	rep2 = _mm256_andnot_si256(
		_mm256_or_si256(_mm256_or_si256(held, bg1), _mm256_or_si256(match2, _mm256_cmpgt_epi16(nb, c->on1))),
		c->ones);
	st(mean2, _mm256_blendv_epi8(_mm256_blendv_epi8(m2, x, rep2),
				     step_to(m2, x, rshr_u16(d2, c->c2, c->zero), c->zero), upd2));
	h = _mm256_blendv_epi8(_mm256_andnot_si256(rep2, h), _mm256_min_epi16(_mm256_add_epi16(h, c->one), c->h255),
			       upd2);
	na = _mm256_or_si256(_mm256_slli_epi16(h, 8), _mm256_or_si256(_mm256_andnot_si256(in0, c->b80), nb));
	st(aux, _mm256_blendv_epi8(na, a, held));
	return _mm256_xor_si256(_mm256_or_si256(bg1, bg2), c->ones);
}

/*
 * Sixteen pixels: x the pixels in 8.8, held all ones where the pixel must
 * not learn; the state is read from and written to the arrays given.
 * Returns the foreground mask (all ones = fg). When all sixteen match
 * mode 1 (most of a frame), mode 2 is neither needed nor changed, and is
 * not read at all; for quiet pixels aux is not written either.
 */
static inline __m256i step16(__m256i x, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux, __m256i held,
			     const struct consts *c)
{
	__m256i m = ld(mean), v = ld(dev), a = ld(aux);
	__m256i d = absdiff_u16(x, m);
	__m256i lo = _mm256_mullo_epi16(v, c->k);
	__m256i hi = _mm256_mulhi_epu16(v, c->k);
	__m256i kv = _mm256_or_si256(lo, _mm256_xor_si256(_mm256_cmpeq_epi16(hi, c->zero), c->ones));

	/*
	 * Quiet pixels (blink level 0, not missed last frame: not flickering
	 * when blink_on > 0) that all match mode 1 at the plain threshold:
	 * only mean and dev learn; aux stays as it is (b stays 0, the missed
	 * bit 0, h unchanged), so it is not even written. Most of a frame.
	 */
	if (c->quiet_ok && _mm256_movemask_epi8(_mm256_cmpeq_epi16(_mm256_and_si256(a, c->lo8), c->zero)) == -1) {
		__m256i t0 = _mm256_max_epu16(kv, c->thr);

		if (_mm256_movemask_epi8(_mm256_cmpeq_epi16(_mm256_subs_epu16(d, t0), c->zero)) == -1) {
			__m256i e = absdiff_u16(d, v);

			st(mean, step_to(m, x, _mm256_andnot_si256(held, rshr_u16(d, c->cbg, c->zero)), c->zero));
			st(dev, step_to(v, d, _mm256_andnot_si256(held, rshr_u16(e, c->cbg, c->zero)), c->zero));
			return c->zero;
		}
	}
	return step16_full(x, m, v, a, d, kv, mean, dev, mean2, aux, held, c);
}

/* 16 pixels of a row. */
static inline void half_step(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
			     const uint8_t *hold, uint8_t *fg, const struct consts *c)
{
	__m256i f0 = step16(x16(src), mean, dev, mean2, aux, held16(hold, c), c);
	__m256i p = _mm256_permute4x64_epi64(_mm256_packs_epi16(f0, f0), 0xd8);

	_mm_storeu_si128((__m128i *)fg, _mm256_castsi256_si128(p));
}

/* The last n (1..15) pixels of a row of 16 or more, before the row loop (models_internal.h: zp_bg_tail_held). */
static inline void tail_first(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
			      const uint8_t *hold, uint8_t *fg, int width, int n, const struct consts *c)
{
	int e = width - 16;
	uint8_t h[16];

	_mm_storeu_si128((__m128i *)h, _mm_or_si128(_mm_loadu_si128((const __m128i *)(hold + e)),
						    _mm_loadu_si128((const __m128i *)(zp_bg_tail_held + n))));
	half_step(src + e, mean + e, dev + e, mean2 + e, aux + e, h, fg + e, c);
}

void zp_bg_row_avx2(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
		    const uint8_t *hold, uint8_t *fg, int width, const struct zp_bg_kparams *kp)
{
	struct consts c;
	int i = 0;

	if (width < 16) { /* narrower than one step (models_internal.h) */
		zp_bg_row_scalar(src, mean, dev, mean2, aux, hold, fg, width, kp);
		return;
	}
	c.zero = _mm256_setzero_si256();
	c.ones = _mm256_cmpeq_epi8(c.zero, c.zero);
	c.one = _mm256_set1_epi16(1);
	c.lo8 = _mm256_set1_epi16(0xff);
	c.quiet_ok = kp->blink_on > 0;
	c.thr = _mm256_set1_epi16((short)kp->thr);
	c.thrfl = _mm256_set1_epi16((short)kp->thr_fl);
	c.k = _mm256_set1_epi16((short)kp->dev_mult);
	c.inc = _mm256_set1_epi16(kp->blink_inc);
	c.on1 = _mm256_set1_epi16((short)(kp->blink_on - 1));
	c.hon1 = _mm256_set1_epi16((short)(kp->hits_on - 1));
	c.b7f = _mm256_set1_epi16(0x7f);
	c.b80 = _mm256_set1_epi16(0x80);
	c.h255 = _mm256_set1_epi16(255);
	c.cbg = _mm_cvtsi32_si128(kp->shift_bg - 1);
	c.cfg = _mm_cvtsi32_si128(kp->shift_fg - 1);
	c.c2 = _mm_cvtsi32_si128(kp->shift2 - 1);
	if (width % 16)
		tail_first(src, mean, dev, mean2, aux, hold, fg, width, width % 16, &c);
	for (; i + 32 <= width; i += 32) {
		__m256i f0 = step16(x16(src + i), mean + i, dev + i, mean2 + i, aux + i, held16(hold + i, &c), &c);
		__m256i f1 = step16(x16(src + i + 16), mean + i + 16, dev + i + 16, mean2 + i + 16, aux + i + 16,
				    held16(hold + i + 16, &c), &c);

		/* packs interleaves the 128-bit lanes: put them back in order */
		_mm256_storeu_si256((__m256i *)(fg + i), _mm256_permute4x64_epi64(_mm256_packs_epi16(f0, f1), 0xd8));
	}
	if (i + 16 <= width) { /* 16..31 pixels left: one half-width step (the rest went first) */
		half_step(src + i, mean + i, dev + i, mean2 + i, aux + i, hold + i, fg + i, &c);
		i += 16;
	}
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
