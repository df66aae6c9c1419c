/* SPDX-License-Identifier: MIT */
/*
 * test_pixops.c - the per-pixel kernels added for the detector's speed
 * (issue 3): zp_pixops.stats (frame sums + previous-frame copy, step 1, 2
 * and 4) and the background-to-luma row kernel behind
 * zp_bgmodel_background(). Every SIMD path the CPU runs against the scalar
 * reference byte for byte (outputs, sums, and the bytes around them), on
 * random and edge inputs, every width from 1 to 80, unaligned rows, padding,
 * and buffers that end at a PROT_NONE guard page; the scalar reference
 * against sums computed here independently. (erode3/dilate3/downscale2 and
 * the model are in test_models.c.)
 */
#include "zp_simd_test.h"
#include "models.h"
#include "models_internal.h"

#include <string.h>

static int first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (int)i;
	return -1;
}

/* ---- stats ---- */

enum { FILL_RANDOM, FILL_ZERO, FILL_FULL, FILL_EDGE, FILL_NEAR };

static void fill(uint8_t *p, size_t n, int kind, uint32_t *s)
{
	static const uint8_t edge[] = { 0, 1, 127, 128, 254, 255 };

	for (size_t i = 0; i < n; i++) {
		switch (kind) {
		case FILL_ZERO: p[i] = 0; break;
		case FILL_FULL: p[i] = 255; break;
		case FILL_EDGE: p[i] = edge[rnd(s) % 6]; break;
		case FILL_NEAR: p[i] = (uint8_t)(100 + rnd(s) % 3); break;
		default: p[i] = (uint8_t)rnd(s); break;
		}
	}
}

/* The sums as the definition says, computed here without the kernels. */
static zp_pixstats naive_stats(const uint8_t *src, int sstride, int step, const uint8_t *prev, int pstride, int w,
			       int h)
{
	zp_pixstats st = { 0, 0, 0 };

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int v = src[(size_t)y * step * sstride + (size_t)x * step], p = prev[(size_t)y * pstride + x];

			st.sum += (uint64_t)v;
			st.sum2 += (uint64_t)(v * v);
			st.sad += (uint64_t)(v > p ? v - p : p - v);
		}
	return st;
}

/*
 * One case: src with w x h samples at `step`, rows sstride apart (>= w *
 * step), base offset `off`; prev rows pstride apart. Scalar, the naive sums
 * and path `simd` must agree; prev must hold the samples and be untouched
 * between rows.
 */
static void stats_case(zp_simd simd, int step, int w, int h, int spad, int ppad, int off, int kind, int pkind,
		       uint32_t seed)
{
	zp_pixops ps, pv;
	int sstride = w * step + spad, pstride = w + ppad;
	size_t slen = (size_t)off + (size_t)(h - 1) * step * sstride + (size_t)w * step;
	size_t plen = (size_t)off + (size_t)(h - 1) * pstride + (size_t)w;
	struct pagebuf bs, b0, b1;
	uint8_t *src = pb_alloc(&bs, slen) + off;
	uint8_t *p0 = pb_alloc(&b0, plen), *p1 = pb_alloc(&b1, plen);
	zp_pixstats s0, s1, want;
	uint32_t s = seed;
	int d;

	zp_pixops_init(&ps, ZP_SIMD_SCALAR);
	zp_pixops_init(&pv, simd);
	ck_assert_int_eq(pv.simd, simd);
	fill(src, slen - off, kind, &s);
	fill(p0, plen, pkind, &s);
	memcpy(p1, p0, plen);
	want = naive_stats(src, sstride, step, p0 + off, pstride, w, h);
	memset(&s0, 0x5a, sizeof(s0)); /* the kernel must set every field, not add to it */
	memset(&s1, 0xa5, sizeof(s1));
	ps.stats(src, sstride, step, p0 + off, pstride, w, h, &s0);
	pv.stats(src, sstride, step, p1 + off, pstride, w, h, &s1);
	ck_assert_msg(s0.sum == want.sum && s0.sum2 == want.sum2 && s0.sad == want.sad,
		      "scalar step %d %dx%d: sums %llu %llu %llu, expected %llu %llu %llu", step, w, h,
		      (unsigned long long)s0.sum, (unsigned long long)s0.sum2, (unsigned long long)s0.sad,
		      (unsigned long long)want.sum, (unsigned long long)want.sum2, (unsigned long long)want.sad);
	ck_assert_msg(s1.sum == want.sum && s1.sum2 == want.sum2 && s1.sad == want.sad,
		      "%s step %d %dx%d pad %d/%d off %d: sums %llu %llu %llu, expected %llu %llu %llu",
		      zp_simd_name(simd), step, w, h, spad, ppad, off, (unsigned long long)s1.sum,
		      (unsigned long long)s1.sum2, (unsigned long long)s1.sad, (unsigned long long)want.sum,
		      (unsigned long long)want.sum2, (unsigned long long)want.sad);
	d = first_diff(p0, p1, plen);
	ck_assert_msg(d < 0, "%s step %d %dx%d pad %d/%d off %d: prev differs at byte %d (%u vs %u)", zp_simd_name(simd),
		      step, w, h, spad, ppad, off, d, p0[d], p1[d]);
	/* prev holds the samples (and the padding between its rows is as it was: checked by the equality above) */
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			ck_assert_uint_eq(p0[off + (size_t)y * pstride + x],
					  src[(size_t)y * step * sstride + (size_t)x * step]);
	pb_free(&bs);
	pb_free(&b0);
	pb_free(&b1);
}

START_TEST(stats_paths_match_scalar)
{
	static const int sizes[][2] = { { 384, 72 }, { 160, 48 }, { 169, 39 }, { 640, 4 }, { 77, 13 }, { 129, 7 } };
	static const int steps[] = { 1, 2, 4 };
	zp_simd paths[4];
	int np = simd_paths(paths);
	uint32_t seed = 777;

	for (int p = -1; p < np; p++) {
		/* p == -1: scalar against the naive sums only */
		zp_simd simd = p < 0 ? ZP_SIMD_SCALAR : paths[p];

		for (int si = 0; si < 3; si++) {
			int step = steps[si];

			for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
				for (int v = 0; v < 5; v++)
					stats_case(simd, step, sizes[i][0], sizes[i][1], v * 3, (v * 5) % 7,
						   (v * 7 + 1) % 16, v, (v + 2) % 5, rnd(&seed));
			for (int w = 1; w <= 80; w++)
				for (int h = 1; h <= 3; h++)
					stats_case(simd, step, w, h, (w + h) % 5, (w * h) % 3, (w * 3 + h) % 15 + 1,
						   (w + h) % 5, w % 5, rnd(&seed));
		}
	}
}
END_TEST

/* Full-scale rows as wide as the contract allows: the 32-bit partial sums must not wrap. */
START_TEST(stats_no_overflow)
{
	zp_simd paths[4];
	int np = simd_paths(paths);
	const int w = 65535, h = 3;

	for (int p = -1; p < np; p++) {
		zp_simd simd = p < 0 ? ZP_SIMD_SCALAR : paths[p];
		zp_pixops ops;
		uint8_t *src = malloc((size_t)w * h), *prev = calloc((size_t)w * h, 1);
		zp_pixstats st;

		ck_assert(src && prev);
		memset(src, 255, (size_t)w * h);
		zp_pixops_init(&ops, simd);
		ops.stats(src, w, 1, prev, w, w, h, &st);
		ck_assert_uint_eq(st.sum, 255ull * w * h);
		ck_assert_uint_eq(st.sum2, 65025ull * w * h);
		ck_assert_uint_eq(st.sad, 255ull * w * h);
		ops.stats(src, w, 1, prev, w, w, h, &st);
		ck_assert_uint_eq(st.sad, 0);
		free(src);
		free(prev);
	}
}
END_TEST

/* A hand-checked case: 2x2 samples at step 2 from a 4x4 image. */
START_TEST(stats_scalar_reference)
{
	const uint8_t img[16] = { 1, 99, 2, 99, 99, 99, 99, 99, 3, 99, 250, 99, 99, 99, 99, 99 };
	uint8_t prev[4] = { 0, 5, 3, 250 };
	zp_pixops ops;
	zp_pixstats st;

	zp_pixops_init(&ops, ZP_SIMD_SCALAR);
	ops.stats(img, 4, 2, prev, 2, 2, 2, &st);
	ck_assert_uint_eq(st.sum, 1 + 2 + 3 + 250);
	ck_assert_uint_eq(st.sum2, 1 + 4 + 9 + 62500);
	ck_assert_uint_eq(st.sad, 1 + 3 + 0 + 0);
	ck_assert_uint_eq(prev[0], 1);
	ck_assert_uint_eq(prev[1], 2);
	ck_assert_uint_eq(prev[2], 3);
	ck_assert_uint_eq(prev[3], 250);
}
END_TEST

/* ---- background estimate to luma ---- */

/* Every u16 value, at every alignment of a 65536-element row and in short rows of every width. */
START_TEST(bg_luma_paths_match_scalar)
{
	zp_simd paths[4];
	int np = simd_paths(paths);
	const int n = 65536;
	struct pagebuf bm, b0, b1;
	uint16_t *mean = (uint16_t *)(void *)pb_alloc(&bm, (size_t)n * 2 + 16);
	uint8_t *d0 = pb_alloc(&b0, (size_t)n + 16), *d1 = pb_alloc(&b1, (size_t)n + 16);
	const struct zp_kernels *ks = zp_kernels_get(ZP_SIMD_SCALAR);

	ck_assert_int_eq(ks->simd, ZP_SIMD_SCALAR);
	for (int i = 0; i < n + 8; i++)
		mean[i] = (uint16_t)(i * 40503u);  /* every value once over 65536 (odd multiplier) */
	/* the reference on hand-checked values */
	{
		const uint16_t m[6] = { 0, 127, 128, 0x7f80, 0xff00, 0xff7f };
		uint8_t o[6];

		ks->bg_luma(m, o, 6);
		ck_assert_uint_eq(o[0], 0);
		ck_assert_uint_eq(o[1], 0);
		ck_assert_uint_eq(o[2], 1);
		ck_assert_uint_eq(o[3], 128);
		ck_assert_uint_eq(o[4], 255);
		ck_assert_uint_eq(o[5], 255);
	}
	for (int p = 0; p < np; p++) {
		const struct zp_kernels *kv = zp_kernels_get(paths[p]);

		ck_assert_int_eq(kv->simd, paths[p]);
		for (int off = 0; off < 8; off++) {
			int d;

			memset(d0, 0xa5, (size_t)n + 16);
			memset(d1, 0xa5, (size_t)n + 16);
			ks->bg_luma(mean + off, d0 + 16 - off, n - 8);
			kv->bg_luma(mean + off, d1 + 16 - off, n - 8);
			d = first_diff(d0, d1, (size_t)n + 16);
			ck_assert_msg(d < 0, "%s off %d: first diff at %d (%u vs %u)", zp_simd_name(paths[p]), off, d, d0[d],
				      d1[d]);
		}
		for (int w = 0; w <= 80; w++) {
			uint32_t s = (uint32_t)w * 2654435761u + 1;
			int d;

			for (int i = 0; i < w; i++)
				mean[i] = (uint16_t)rnd(&s);
			memset(d0, 0x5a, 96);
			memset(d1, 0x5a, 96);
			ks->bg_luma(mean, d0 + 3, w);
			kv->bg_luma(mean, d1 + 3, w);
			d = first_diff(d0, d1, 96);
			ck_assert_msg(d < 0, "%s width %d: first diff at %d", zp_simd_name(paths[p]), w, d);
		}
	}
	pb_free(&bm);
	pb_free(&b0);
	pb_free(&b1);
}
END_TEST

/* Through the public API: the background of a model on each path, after the same frames. */
START_TEST(background_through_api)
{
	zp_bgmodel_params prm = { .threshold = 10, .learn_shift = 3, .fg_learn_shift = 6, .warmup_frames = 4 };
	zp_simd paths[4];
	int np = simd_paths(paths);
	const int w = 203, h = 17;
	uint8_t *frame = malloc((size_t)w * h), *fg = malloc((size_t)w * h);
	uint8_t *bg0 = malloc((size_t)w * h), *bg1 = malloc((size_t)w * h);

	ck_assert(frame && fg && bg0 && bg1);
	for (int p = 0; p < np; p++) {
		zp_bgmodel *m0 = zp_bgmodel_new(w, h, &prm, ZP_SIMD_SCALAR, NULL, 0);
		zp_bgmodel *m1 = zp_bgmodel_new(w, h, &prm, paths[p], NULL, 0);
		uint32_t s = 99;

		ck_assert(m0 && m1);
		for (int f = 0; f < 20; f++) {
			for (int i = 0; i < w * h; i++)
				frame[i] = (uint8_t)rnd(&s);
			zp_bgmodel_apply(m0, frame, w, NULL, 0, fg, w);
			zp_bgmodel_apply(m1, frame, w, NULL, 0, fg, w);
			zp_bgmodel_background(m0, bg0, w);
			zp_bgmodel_background(m1, bg1, w);
			ck_assert_int_eq(first_diff(bg0, bg1, (size_t)w * h), -1);
		}
		zp_bgmodel_free(m0);
		zp_bgmodel_free(m1);
	}
	free(frame);
	free(fg);
	free(bg0);
	free(bg1);
}
END_TEST

static Suite *pixops_suite(void)
{
	Suite *s = suite_create("pixops");
	TCase *tc = tcase_create("kernels");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, stats_scalar_reference);
	tcase_add_test(tc, stats_paths_match_scalar);
	tcase_add_test(tc, stats_no_overflow);
	tcase_add_test(tc, bg_luma_paths_match_scalar);
	tcase_add_test(tc, background_through_api);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return zp_test_run(pixops_suite());
}
