/* SPDX-License-Identifier: MIT */
/*
 * test_pixops.c - the per-pixel kernels added for the detector's speed:
 * zp_pixops.stats (frame sums + previous-frame copy, step 1, 2 and 4) and
 * the background-to-luma row kernel behind zp_bgmodel_background(); and the
 * capture's camera-format kernels, zp_pixops.yuv_luma_packed (YUYV/UYVY ->
 * luma) and zp_pixops.yuv_bgr_row (YCbCr -> BGR, packed, semi-planar and
 * planar chroma). Every SIMD path the CPU runs against the scalar
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

/* ---- camera formats: YUYV/UYVY -> luma, YCbCr -> BGR ---- */

/* The last n bytes of a pagebuf, so that they end at its guard page (one mapping serves every width). */
static uint8_t *pb_tail(const struct pagebuf *b, size_t n)
{
	return b->map + b->maplen - (size_t)sysconf(_SC_PAGESIZE) - n;
}

#define YUV_MAXW 1280

static void fill_yuv(uint8_t *p, size_t n, int kind, uint32_t *s)
{
	/* the ends of the limited range and the values around the clamps */
	static const uint8_t edge[] = { 0, 1, 15, 16, 17, 127, 128, 129, 234, 235, 236, 239, 240, 241, 254, 255 };

	for (size_t i = 0; i < n; i++)
		p[i] = kind == 0 ? (uint8_t)rnd(s) : edge[rnd(s) % sizeof(edge)];
}

/*
 * Every width 0..100 and some wide ones, both byte orders, dst offsets
 * 0..3: the row ends at a guard page (a read past 2 * w bytes faults), the
 * bytes around dst stay as they were, scalar is every second byte and every
 * SIMD path gives the scalar's bytes.
 */
START_TEST(yuv_luma_paths_match_scalar)
{
	static const int wide[] = { 127, 128, 129, 255, 256, 257, 640, 641, YUV_MAXW - 1 };
	zp_simd paths[4];
	int np = simd_paths(paths);
	uint32_t seed = 4242;
	struct pagebuf bs, b0, b1;
	zp_pixops ps, pv[4];

	pb_alloc(&bs, 2 * YUV_MAXW);
	pb_alloc(&b0, YUV_MAXW + 32);
	pb_alloc(&b1, YUV_MAXW + 32);
	zp_pixops_init(&ps, ZP_SIMD_SCALAR);
	for (int p = 0; p < np; p++) {
		zp_pixops_init(&pv[p], paths[p]);
		ck_assert_int_eq(pv[p].simd, paths[p]);
	}
	for (int i = 0; i <= 100 + (int)(sizeof(wide) / sizeof(wide[0])); i++) {
		int w = i <= 100 ? i : wide[i - 101];
		uint8_t *src = pb_tail(&bs, (size_t)2 * w);
		uint8_t *d0 = pb_tail(&b0, (size_t)w + 32), *d1 = pb_tail(&b1, (size_t)w + 32);
		int bad;

		for (int odd = 0; odd <= 1; odd++)
			for (int off = 0; off < 4; off++) {
				fill_yuv(src, (size_t)2 * w, 0, &seed);
				memset(d0, 0xa5, (size_t)w + 32);
				ps.yuv_luma_packed(d0 + 16 + off, src, w, odd);
				bad = -1; /* one assertion per row: check marks every assertion it passes */
				for (int x = w - 1; x >= 0; x--)
					if (d0[16 + off + x] != src[2 * x + odd])
						bad = x;
				ck_assert_msg(bad < 0, "scalar width %d odd %d: pixel %d is %u, expected %u", w, odd, bad,
					      bad < 0 ? 0 : d0[16 + off + bad], bad < 0 ? 0 : src[2 * bad + odd]);
				for (int p = 0; p < np; p++) {
					int d;

					memset(d1, 0xa5, (size_t)w + 32);
					pv[p].yuv_luma_packed(d1 + 16 + off, src, w, odd);
					d = first_diff(d0, d1, (size_t)w + 32);
					ck_assert_msg(d < 0, "%s width %d odd %d off %d: first diff at %d (%u vs %u)",
						      zp_simd_name(paths[p]), w, odd, off, d, d0[d], d1[d]);
				}
			}
	}
	pb_free(&bs);
	pb_free(&b0);
	pb_free(&b1);
}
END_TEST

/* The fixed-point formula of models_internal.h, computed here in 64 bits without the kernels. */
static uint8_t ref_chan(int64_t sum)
{
	int64_t q = sum < 0 ? 0 : sum >> 16;

	return (uint8_t)(q > 255 ? 255 : q);
}

static void ref_bgr(int y, int u, int v, uint8_t *bgr)
{
	int64_t c = 76309LL * (y - 16) + 32768, d = u - 128, e = v - 128;

	bgr[0] = ref_chan(c + 132201LL * d);
	bgr[1] = ref_chan(c - 25675LL * d - 53279LL * e);
	bgr[2] = ref_chan(c + 104597LL * e);
}

/* The chroma layouts the capture passes: cstep, and where U and V sit (their offsets in one buffer, or planes). */
struct chroma_case {
	const char *name;
	int cstep;
	int uoff, voff;  /* into one row of cstep * (w + 1) / 2 bytes; -1: separate planes */
};

static const struct chroma_case chroma_cases[] = {
	{ "YUYV", 4, 1, 3 }, { "UYVY", 4, 0, 2 }, { "NV12", 2, 0, 1 }, { "NV21", 2, 1, 0 }, { "I420", 1, -1, -1 },
};

/* Guarded buffers for one row of up to YUV_MAXW pixels, and the kernels under test. */
struct bgr_bufs {
	struct pagebuf y, u, v, d0, d1;
	zp_pixops ps, pv[4];
	zp_simd paths[4];
	int np;
};

/*
 * One row of width w in one layout: the luma row and the chroma row(s) end
 * at guard pages exactly after the last byte the contract lets the kernel
 * read (u, v[k * cstep], k < (w + 1) / 2); dst has 16 bytes either side that
 * must stay. Scalar against ref_bgr, every path against scalar.
 */
static void bgr_case(struct bgr_bufs *B, const struct chroma_case *cc, int w, int kind, uint32_t *seed)
{
	int cw = (w + 1) / 2;
	size_t dlen = (size_t)3 * w + 32;
	uint8_t *y = pb_tail(&B->y, (size_t)w), *u, *v;
	uint8_t *d0 = pb_tail(&B->d0, dlen), *d1 = pb_tail(&B->d1, dlen);

	fill_yuv(y, (size_t)w, kind, seed);
	if (cc->uoff < 0) {
		u = pb_tail(&B->u, (size_t)cw);
		v = pb_tail(&B->v, (size_t)cw);
		fill_yuv(u, (size_t)cw, kind, seed);
		fill_yuv(v, (size_t)cw, kind, seed);
	} else {
		/* one interleaved row; its end is the last V (or U) byte the kernel reads */
		size_t last = (size_t)cc->cstep * (cw - 1) + (size_t)(cc->uoff > cc->voff ? cc->uoff : cc->voff) + 1;
		uint8_t *row = pb_tail(&B->u, last);

		fill_yuv(row, last, kind, seed);
		u = row + cc->uoff;
		v = row + cc->voff;
	}
	memset(d0, 0x5a, dlen);
	B->ps.yuv_bgr_row(d0 + 16, y, u, v, w, cc->cstep);
	for (int x = 0; x < w; x++) {
		int k = x / 2 * cc->cstep;
		uint8_t want[3];

		ref_bgr(y[x], u[k], v[k], want);
		if (memcmp(d0 + 16 + 3 * x, want, 3)) /* asserted only when wrong: check marks every assertion it passes */
			ck_abort_msg("scalar %s width %d pixel %d YUV %u %u %u: BGR %u %u %u, expected %u %u %u", cc->name,
				     w, x, y[x], u[k], v[k], d0[16 + 3 * x], d0[17 + 3 * x], d0[18 + 3 * x], want[0],
				     want[1], want[2]);
	}
	for (int i = 0; i < 16; i++)
		if (d0[i] != 0x5a || d0[dlen - 1 - i] != 0x5a)
			ck_abort_msg("scalar %s width %d: wrote outside its 3 * w bytes", cc->name, w);
	for (int p = 0; p < B->np; p++) {
		int d;

		memset(d1, 0x5a, dlen);
		B->pv[p].yuv_bgr_row(d1 + 16, y, u, v, w, cc->cstep);
		d = first_diff(d0, d1, dlen);
		ck_assert_msg(d < 0, "%s %s width %d: first diff at byte %d of dst (%u vs %u)", zp_simd_name(B->paths[p]),
			      cc->name, w, d - 16, d0[d], d1[d]);
	}
}

/* Every width 1..100 and some wide ones, odd and even, in every chroma layout, random and edge values. */
START_TEST(yuv_bgr_paths_match_scalar)
{
	static const int wide[] = { 127, 128, 129, 255, 256, 257, 639, 640, 641, YUV_MAXW - 1, YUV_MAXW };
	struct bgr_bufs B;
	uint32_t seed = 2024;

	B.np = simd_paths(B.paths);
	zp_pixops_init(&B.ps, ZP_SIMD_SCALAR);
	for (int p = 0; p < B.np; p++) {
		zp_pixops_init(&B.pv[p], B.paths[p]);
		ck_assert_int_eq(B.pv[p].simd, B.paths[p]);
	}
	pb_alloc(&B.y, YUV_MAXW);
	pb_alloc(&B.u, 4 * YUV_MAXW);
	pb_alloc(&B.v, YUV_MAXW);
	pb_alloc(&B.d0, 3 * YUV_MAXW + 32);
	pb_alloc(&B.d1, 3 * YUV_MAXW + 32);
	for (size_t c = 0; c < sizeof(chroma_cases) / sizeof(chroma_cases[0]); c++)
		for (int i = 1; i <= 100 + (int)(sizeof(wide) / sizeof(wide[0])); i++) {
			int w = i <= 100 ? i : wide[i - 101];

			for (int kind = 0; kind < 2; kind++)
				bgr_case(&B, &chroma_cases[c], w, kind, &seed);
		}
	pb_free(&B.y);
	pb_free(&B.u);
	pb_free(&B.v);
	pb_free(&B.d0);
	pb_free(&B.d1);
}
END_TEST

/*
 * Every (Y, U, V): rows of the 256 luma values with one chroma pair, in
 * planar and packed layouts; scalar against ref_bgr, every path against
 * scalar. Catches a coefficient split or a clamp that is wrong for a few
 * values only.
 */
START_TEST(yuv_bgr_every_value)
{
	zp_simd paths[4];
	int np = simd_paths(paths);
	zp_pixops ps, pv[4];
	uint8_t y[256], cu[128], cv[128], packed[4 * 128], d0[3 * 256], d1[3 * 256];

	zp_pixops_init(&ps, ZP_SIMD_SCALAR);
	for (int p = 0; p < np; p++)
		zp_pixops_init(&pv[p], paths[p]);
	for (int i = 0; i < 256; i++)
		y[i] = (uint8_t)(i * 167); /* every value once, not in order */
	for (int u = 0; u < 256; u++)
		for (int v = 0; v < 256; v++) {
			memset(cu, u, sizeof(cu));
			memset(cv, v, sizeof(cv));
			for (int k = 0; k < 128; k++) {
				packed[4 * k] = y[2 * k];
				packed[4 * k + 1] = (uint8_t)u;
				packed[4 * k + 2] = y[2 * k + 1];
				packed[4 * k + 3] = (uint8_t)v;
			}
			ps.yuv_bgr_row(d0, y, cu, cv, 256, 1);
			for (int x = 0; x < 256; x++) {
				uint8_t want[3];

				ref_bgr(y[x], u, v, want);
				if (memcmp(d0 + 3 * x, want, 3))
					ck_abort_msg("scalar YUV %u %d %d: %u %u %u, expected %u %u %u", y[x], u, v, d0[3 * x],
						     d0[3 * x + 1], d0[3 * x + 2], want[0], want[1], want[2]);
			}
			for (int p = 0; p < np; p++) {
				pv[p].yuv_bgr_row(d1, y, cu, cv, 256, 1);
				if (memcmp(d0, d1, sizeof(d0)))
					ck_abort_msg("%s planar U %d V %d: first diff at %d", zp_simd_name(paths[p]), u, v,
						     first_diff(d0, d1, sizeof(d0)));
				memset(d1, 0, sizeof(d1));
				pv[p].yuv_bgr_row(d1, y, packed + 1, packed + 3, 256, 4);
				if (memcmp(d0, d1, sizeof(d0)))
					ck_abort_msg("%s packed U %d V %d: first diff at %d", zp_simd_name(paths[p]), u, v,
						     first_diff(d0, d1, sizeof(d0)));
			}
		}
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "kernels", .timeout_s = 300, .tests = ZP_TESTS(
			stats_scalar_reference,
			stats_paths_match_scalar,
			stats_no_overflow,
			bg_luma_paths_match_scalar,
			background_through_api) },
		{ .name = "yuv", .timeout_s = 300, .tests = ZP_TESTS(
			yuv_luma_paths_match_scalar,
			yuv_bgr_paths_match_scalar,
			yuv_bgr_every_value) },
	};

	return zp_test_run(ZP_TEST_SUITE("pixops", cases));
}
