/* SPDX-License-Identifier: MIT */
/* bgsub_sse2.c - SSE2 background-model row kernel; matches bgsub_scalar.c byte for byte. Built with -msse2. */
#include "models_internal.h"

#include <emmintrin.h>

struct consts {
	__m128i zero, ones, one, lo8, thr, thrfl, k, inc, on1, hon1, b7f, b80, h255;
	__m128i cbg, cfg, c2; /* shift counts: shift - 1 */
	bool quiet_ok;        /* blink_on > 0: a pixel with b 0 is not flickering */
};

static inline __m128i absdiff_u16(__m128i a, __m128i b)
{
	return _mm_or_si128(_mm_subs_epu16(a, b), _mm_subs_epu16(b, a));
}

/* (v + 2^(s-1)) >> s; c holds s - 1. */
static inline __m128i rshr_u16(__m128i v, __m128i c, __m128i zero)
{
	return _mm_avg_epu16(_mm_srl_epi16(v, c), zero);
}

/* a >= b ? all ones : 0, unsigned 16-bit */
static inline __m128i ge_u16(__m128i a, __m128i b, __m128i zero)
{
	return _mm_cmpeq_epi16(_mm_subs_epu16(b, a), zero);
}

/* mask ? a : b */
static inline __m128i sel(__m128i mask, __m128i a, __m128i b)
{
	return _mm_or_si128(_mm_and_si128(mask, a), _mm_andnot_si128(mask, b));
}

/* m moved towards x by step (x >= m: up, else down). */
static inline __m128i step_to(__m128i m, __m128i x, __m128i step, __m128i zero)
{
	__m128i up = ge_u16(x, m, zero);

	return _mm_sub_epi16(_mm_add_epi16(m, _mm_and_si128(up, step)), _mm_andnot_si128(up, step));
}

static inline __m128i ld(const uint16_t *p)
{
	return _mm_loadu_si128((const __m128i *)p);
}

static inline void st(uint16_t *p, __m128i v)
{
	_mm_storeu_si128((__m128i *)p, v);
}

/* The general case of step8(): m, v, a the state loaded, d = |x - m|, kv = sat16(dev_mult * v). */
static inline __m128i step8_full(__m128i x, __m128i m, __m128i v, __m128i a, __m128i d, __m128i kv, uint16_t *mean,
				 uint16_t *dev, uint16_t *mean2, uint16_t *aux, __m128i held, const struct consts *c)
{
	__m128i m2, d2;
	__m128i b = _mm_and_si128(a, c->b7f), h = _mm_srli_epi16(a, 8);
	/* b <= 127, h <= 255, on1 and hon1 in -1..254: signed compares are right */
	__m128i flick = _mm_cmpgt_epi16(b, c->on1);
	__m128i floor = sel(flick, c->thrfl, c->thr);
	__m128i t = _mm_add_epi16(_mm_subs_epu16(kv, floor), floor); /* max(kv, floor) */
	__m128i bg1 = _mm_cmpeq_epi16(_mm_subs_epu16(d, t), c->zero);
	__m128i in0 = _mm_cmpeq_epi16(_mm_subs_epu16(d, _mm_add_epi16(_mm_subs_epu16(kv, c->thr), c->thr)), c->zero);
	__m128i missed = _mm_cmpeq_epi16(_mm_and_si128(a, c->b80), c->b80);
	__m128i match2, bg2, keep, nb, upd2, rep2, step, e, na;

	nb = _mm_add_epi16(_mm_subs_epu16(b, c->one), _mm_and_si128(_mm_and_si128(missed, in0), c->inc));
	nb = _mm_min_epi16(nb, c->b7f);
	if (_mm_movemask_epi8(bg1) == 0xffff) {
		/* all background in mode 1: bg2 = 0, mode 2 and h unchanged */
		st(mean, step_to(m, x, _mm_andnot_si128(held, rshr_u16(d, c->cbg, c->zero)), c->zero));
		e = absdiff_u16(d, v);
		st(dev, step_to(v, d, _mm_andnot_si128(held, rshr_u16(e, c->cbg, c->zero)), c->zero));
		na = _mm_or_si128(_mm_slli_epi16(h, 8), _mm_or_si128(_mm_andnot_si128(in0, c->b80), nb));
		st(aux, sel(held, a, na));
		return c->zero;
	}
	m2 = ld(mean2);
	d2 = absdiff_u16(x, m2);
	match2 = _mm_cmpeq_epi16(_mm_subs_epu16(d2, t), c->zero);
	bg2 = _mm_andnot_si128(bg1, _mm_and_si128(match2, _mm_and_si128(flick, _mm_cmpgt_epi16(h, c->hon1))));
	keep = _mm_or_si128(held, bg2);

	step = sel(bg1, rshr_u16(d, c->cbg, c->zero), rshr_u16(d, c->cfg, c->zero));
	st(mean, step_to(m, x, _mm_andnot_si128(keep, step), c->zero));

	e = absdiff_u16(d, v);
	step = sel(bg1, rshr_u16(e, c->cbg, c->zero), rshr_u16(e, c->cfg, c->zero));
	st(dev, step_to(v, d, _mm_andnot_si128(keep, step), c->zero));

	upd2 = _mm_andnot_si128(_mm_or_si128(held, bg1), match2);
	rep2 = _mm_andnot_si128(_mm_or_si128(_mm_or_si128(held, bg1), _mm_or_si128(match2, _mm_cmpgt_epi16(nb, c->on1))),
				c->ones);
	st(mean2, sel(upd2, step_to(m2, x, rshr_u16(d2, c->c2, c->zero), c->zero), sel(rep2, x, m2)));
	h = sel(upd2, _mm_min_epi16(_mm_add_epi16(h, c->one), c->h255), _mm_andnot_si128(rep2, h));
	na = _mm_or_si128(_mm_slli_epi16(h, 8), _mm_or_si128(_mm_andnot_si128(in0, c->b80), nb));
	st(aux, sel(held, a, na));
	return _mm_xor_si128(_mm_or_si128(bg1, bg2), c->ones);
}

/*
 * Eight pixels: x the pixels in 8.8, held all ones where the pixel must not
 * learn; the state is read from and written to the arrays given. Returns
 * the foreground mask (all ones = fg). When all eight match mode 1 (most
 * of a frame), mode 2 is neither needed nor changed, and is not read; for
 * quiet pixels aux is not written either.
 */
static inline __m128i step8(__m128i x, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux, __m128i held,
			    const struct consts *c)
{
	__m128i m = ld(mean), v = ld(dev), a = ld(aux);
	__m128i d = absdiff_u16(x, m);
	__m128i lo = _mm_mullo_epi16(v, c->k);
	__m128i hi = _mm_mulhi_epu16(v, c->k);
	__m128i kv = _mm_or_si128(lo, _mm_xor_si128(_mm_cmpeq_epi16(hi, c->zero), c->ones));

	/*
	 * Quiet pixels (blink level 0, not missed last frame: not flickering
	 * when blink_on > 0) that all match mode 1 at the plain threshold:
	 * only mean and dev learn; aux stays as it is, and is not written.
	 */
	if (c->quiet_ok && _mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(a, c->lo8), c->zero)) == 0xffff) {
		__m128i t0 = _mm_add_epi16(_mm_subs_epu16(kv, c->thr), c->thr);

		if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_subs_epu16(d, t0), c->zero)) == 0xffff) {
			__m128i e = absdiff_u16(d, v);

			st(mean, step_to(m, x, _mm_andnot_si128(held, rshr_u16(d, c->cbg, c->zero)), c->zero));
			st(dev, step_to(v, d, _mm_andnot_si128(held, rshr_u16(e, c->cbg, c->zero)), c->zero));
			return c->zero;
		}
	}
	return step8_full(x, m, v, a, d, kv, mean, dev, mean2, aux, held, c);
}

/* 16 pixels of a row. */
static inline void step16(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
			  const uint8_t *hold, uint8_t *fg, const struct consts *c)
{
	__m128i x = _mm_loadu_si128((const __m128i *)src);
	__m128i h = _mm_xor_si128(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)hold), c->zero), c->ones);
	__m128i f0 = step8(_mm_unpacklo_epi8(c->zero, x), mean, dev, mean2, aux, _mm_unpacklo_epi8(h, h), c);
	__m128i f1 = step8(_mm_unpackhi_epi8(c->zero, x), mean + 8, dev + 8, mean2 + 8, aux + 8, _mm_unpackhi_epi8(h, h),
			   c);

	_mm_storeu_si128((__m128i *)fg, _mm_packs_epi16(f0, f1));
}

/* The last n (1..15) pixels of a row of 16 or more, before the row loop (models_internal.h: zp_bg_tail_held). */
static inline void tail_first(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
			      const uint8_t *hold, uint8_t *fg, int width, int n, const struct consts *c)
{
	int e = width - 16;
	uint8_t h[16];

	_mm_storeu_si128((__m128i *)h, _mm_or_si128(_mm_loadu_si128((const __m128i *)(hold + e)),
						    _mm_loadu_si128((const __m128i *)(zp_bg_tail_held + n))));
	step16(src + e, mean + e, dev + e, mean2 + e, aux + e, h, fg + e, c);
}

void zp_bg_row_sse2(const uint8_t *src, uint16_t *mean, uint16_t *dev, uint16_t *mean2, uint16_t *aux,
		    const uint8_t *hold, uint8_t *fg, int width, const struct zp_bg_kparams *kp)
{
	struct consts c;
	int i = 0;

	if (width < 16) { /* narrower than one step (models_internal.h) */
		zp_bg_row_scalar(src, mean, dev, mean2, aux, hold, fg, width, kp);
		return;
	}
	c.zero = _mm_setzero_si128();
	c.ones = _mm_cmpeq_epi8(c.zero, c.zero);
	c.one = _mm_set1_epi16(1);
	c.lo8 = _mm_set1_epi16(0xff);
	c.quiet_ok = kp->blink_on > 0;
	c.thr = _mm_set1_epi16((short)kp->thr);
	c.thrfl = _mm_set1_epi16((short)kp->thr_fl);
	c.k = _mm_set1_epi16((short)kp->dev_mult);
	c.inc = _mm_set1_epi16(kp->blink_inc);
	c.on1 = _mm_set1_epi16((short)(kp->blink_on - 1));
	c.hon1 = _mm_set1_epi16((short)(kp->hits_on - 1));
	c.b7f = _mm_set1_epi16(0x7f);
	c.b80 = _mm_set1_epi16(0x80);
	c.h255 = _mm_set1_epi16(255);
	c.cbg = _mm_cvtsi32_si128(kp->shift_bg - 1);
	c.cfg = _mm_cvtsi32_si128(kp->shift_fg - 1);
	c.c2 = _mm_cvtsi32_si128(kp->shift2 - 1);
	if (width % 16)
		tail_first(src, mean, dev, mean2, aux, hold, fg, width, width % 16, &c);
	for (; i + 16 <= width; i += 16)
		step16(src + i, mean + i, dev + i, mean2 + i, aux + i, hold + i, fg + i, &c);
}

void zp_bg_luma_sse2(const uint16_t *mean, uint8_t *dst, int width)
{
	const __m128i half = _mm_set1_epi16(128);
	int i = 0;

	/* + 128 wraps like the scalar code truncates: both give 0 for mean > 0xff7f */
	for (; i + 16 <= width; i += 16) {
		__m128i a = _mm_srli_epi16(_mm_add_epi16(_mm_loadu_si128((const __m128i *)(mean + i)), half), 8);
		__m128i b = _mm_srli_epi16(_mm_add_epi16(_mm_loadu_si128((const __m128i *)(mean + i + 8)), half), 8);

		_mm_storeu_si128((__m128i *)(dst + i), _mm_packus_epi16(a, b));
	}
	zp_bg_luma_scalar(mean + i, dst + i, width - i);
}
