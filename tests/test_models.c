/* SPDX-License-Identifier: MIT */
/*
 * test_models.c - the background model and pixel kernels: every SIMD path
 * the CPU runs against the scalar reference, byte for byte (model state and
 * outputs), on random and edge inputs, odd widths, unaligned rows and buffers
 * that end at a PROT_NONE guard page; the dispatcher; and the model's
 * behaviour on the scalar path.
 */
#include "zp_simd_test.h"
#include "models.h"
#include "models_internal.h"

#include <math.h>
#include <string.h>

/* ---- helpers ---- */

static const struct zp_kernels *kernels(zp_simd s)
{
	const struct zp_kernels *k = zp_kernels_get(s);

	ck_assert_msg(k && k->simd == s, "kernel table for %s not returned", zp_simd_name(s));
	return k;
}

/* Fill a w x h image (rows `stride` apart) with frame pattern `kind`. */
static void fill_frame(uint8_t *img, int w, int h, int stride, int kind, int f, uint32_t *s)
{
	static const uint8_t edge[] = { 0, 1, 2, 127, 128, 253, 254, 255 };
	uint8_t c = (uint8_t)rnd(s);

	for (int y = 0; y < h; y++) {
		uint8_t *r = img + (size_t)y * stride;

		for (int x = 0; x < w; x++) {
			switch (kind) {
			case 0:
				r[x] = (uint8_t)rnd(s);
				break;
			case 1:
				r[x] = 0;
				break;
			case 2:
				r[x] = 255;
				break;
			case 3:
				r[x] = c;
				break;
			case 4:
				r[x] = ((x + y + f) & 1) ? 255 : 0;
				break;
			case 5: { /* previous frame plus small noise, saturating */
				int v = r[x] + (int)(rnd(s) % 9) - 4;

				r[x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
				break;
			}
			case 6:
				r[x] = edge[rnd(s) % 8];
				break;
			default:
				r[x] = (uint8_t)(x * 7 + y * 3 + f * 11);
				break;
			}
		}
	}
}

static void random_kparams(struct zp_bg_kparams *kp, int f, uint32_t *s)
{
	/* every range at its ends: one frame in five at each */
	static const struct zp_bg_kparams extremes[2] = {
		{ .thr = 255 << 8, .thr_fl = 0xffff, .dev_mult = 16, .shift_bg = 1, .shift_fg = 15, .shift2 = 1,
		  .blink_inc = 127, .blink_on = 0, .hits_on = 0 },
		{ .thr = 1 << 8, .thr_fl = 1 << 8, .dev_mult = 0, .shift_bg = 15, .shift_fg = 1, .shift2 = 15,
		  .blink_inc = 0, .blink_on = 128 /* second level off */, .hits_on = 255 },
	};

	if (f % 5 < 2) {
		*kp = extremes[f % 5];
		return;
	}
	kp->thr = (uint16_t)((1 + rnd(s) % 255) << 8);
	kp->thr_fl = (uint16_t)(rnd(s) % 4 ? kp->thr + rnd(s) % (0x10000u - kp->thr) : rnd(s));
	kp->dev_mult = (uint16_t)(rnd(s) % 17);
	kp->shift_bg = (uint8_t)(1 + rnd(s) % 15);
	kp->shift_fg = (uint8_t)(1 + rnd(s) % 15);
	kp->shift2 = (uint8_t)(1 + rnd(s) % 15);
	kp->blink_inc = (uint8_t)(rnd(s) % 128);
	kp->blink_on = (uint8_t)(rnd(s) % 129);
	kp->hits_on = (uint8_t)(rnd(s) % 6 == 0 ? rnd(s) % 256 : rnd(s) % 8);
}

static int first_diff(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return (int)i;
	return -1;
}

/* ---- background row kernel: every path against scalar ---- */

#define BG_FRAMES 50

/*
 * One geometry: w x h, rows padded by `pad`, every buffer's base offset by
 * `off` elements, each ending at a guard page. Runs BG_FRAMES frames through
 * scalar and `simd` from the same state and compares mean, dev and fg.
 */
static void bg_case(zp_simd simd, int w, int h, int pad, int off, uint32_t seed, bool quiet)
{
	const struct zp_kernels *ks = kernels(ZP_SIMD_SCALAR), *kv = kernels(simd);
	int stride = w + pad, hstride = w + (pad * 3) % 17, fstride = w + (pad * 5) % 13;
	size_t n = (size_t)w * h;
	struct pagebuf bsrc, bhold, bfs, bfv, bm[2], bd[2], bm2[2], ba[2];
	uint8_t *src = pb_alloc(&bsrc, off + (size_t)(h - 1) * stride + w) + off;
	uint8_t *hold = pb_alloc(&bhold, off + (size_t)(h - 1) * hstride + w) + off;
	uint8_t *fgs = pb_alloc(&bfs, off + (size_t)(h - 1) * fstride + w) + off;
	uint8_t *fgv = pb_alloc(&bfv, off + (size_t)(h - 1) * fstride + w) + off;
	uint16_t *mean[2], *dev[2], *mean2[2], *aux[2];
	uint32_t s = seed;

	for (int i = 0; i < 2; i++) {
		mean[i] = (uint16_t *)pb_alloc(&bm[i], (off + n) * 2) + off;
		dev[i] = (uint16_t *)pb_alloc(&bd[i], (off + n) * 2) + off;
		mean2[i] = (uint16_t *)pb_alloc(&bm2[i], (off + n) * 2) + off;
		aux[i] = (uint16_t *)pb_alloc(&ba[i], (off + n) * 2) + off;
	}
	/* initial state: anything a u16 holds, with edge values */
	for (size_t i = 0; i < n; i++) {
		static const uint16_t ev[] = { 0, 1, 255, 256, 0x7fff, 0x8000, 65280, 65535 };
		bool edge = rnd(&s) % 4 == 0;

		mean[0][i] = edge ? ev[rnd(&s) % 8] : (uint16_t)rnd(&s);
		dev[0][i] = edge ? ev[rnd(&s) % 8] : (uint16_t)(rnd(&s) % 4096);
		mean2[0][i] = edge ? ev[rnd(&s) % 8] : (uint16_t)rnd(&s);
		aux[0][i] = edge ? ev[rnd(&s) % 8] : (uint16_t)rnd(&s);
		if (quiet) /* a fresh model: nothing flickers yet (the SIMD rows' quiet shortcut) */
			aux[0][i] = (uint16_t)(rnd(&s) % 4 ? aux[0][i] & 0xff00 : 0);
	}
	memcpy(mean[1], mean[0], n * 2);
	memcpy(dev[1], dev[0], n * 2);
	memcpy(mean2[1], mean2[0], n * 2);
	memcpy(aux[1], aux[0], n * 2);
	memset(fgs - off, 0x5a, off + (size_t)(h - 1) * fstride + w);
	memset(fgv - off, 0x5a, off + (size_t)(h - 1) * fstride + w);

	for (int f = 0; f < BG_FRAMES; f++) {
		struct zp_bg_kparams kp;
		int hmode = f % 3;

		fill_frame(src, w, h, stride, f % 8, f, &s);
		random_kparams(&kp, f, &s);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				hold[(size_t)y * hstride + x] =
					hmode == 0 ? 0 : hmode == 1 ? (rnd(&s) % 10 < 3 ? (uint8_t)(1 + rnd(&s) % 255) : 0)
								    : 255;
		for (int y = 0; y < h; y++) {
			size_t o = (size_t)y * w;

			ks->bg_row(src + (size_t)y * stride, mean[0] + o, dev[0] + o, mean2[0] + o, aux[0] + o,
				   hold + (size_t)y * hstride, fgs + (size_t)y * fstride, w, &kp);
			kv->bg_row(src + (size_t)y * stride, mean[1] + o, dev[1] + o, mean2[1] + o, aux[1] + o,
				   hold + (size_t)y * hstride, fgv + (size_t)y * fstride, w, &kp);
		}
		int dm = first_diff(mean[0], mean[1], n * 2);
		int dd = first_diff(dev[0], dev[1], n * 2);
		int dm2 = first_diff(mean2[0], mean2[1], n * 2);
		int da = first_diff(aux[0], aux[1], n * 2);
		int df = first_diff(fgs - off, fgv - off, off + (size_t)(h - 1) * fstride + w);

		ck_assert_msg(dm < 0 && dd < 0 && df < 0 && dm2 < 0 && da < 0,
			      "%s != scalar: %dx%d pad %d off %d frame %d (kind %d, thr %u/%u k %u s %u/%u/%u, blink +%u "
			      "on %u hits %u): first diff mean@%d dev@%d mean2@%d aux@%d fg@%d",
			      zp_simd_name(simd), w, h, pad, off, f, f % 8, kp.thr, kp.thr_fl, kp.dev_mult, kp.shift_bg,
			      kp.shift_fg, kp.shift2, kp.blink_inc, kp.blink_on, kp.hits_on, dm / 2, dd / 2, dm2 / 2,
			      da / 2, df);
	}
	pb_free(&bsrc);
	pb_free(&bhold);
	pb_free(&bfs);
	pb_free(&bfv);
	for (int i = 0; i < 2; i++) {
		pb_free(&bm[i]);
		pb_free(&bd[i]);
		pb_free(&bm2[i]);
		pb_free(&ba[i]);
	}
}

START_TEST(bg_row_paths_match_scalar)
{
	static const int sizes[][2] = { { 160, 48 }, { 169, 39 }, { 64, 8 }, { 77, 13 }, { 33, 5 }, { 47, 3 },
					{ 255, 2 } };
	zp_simd paths[4];
	int np = simd_paths(paths);
	uint32_t seed = 0x9e3779b9u;

	for (int p = 0; p < np; p++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			for (int v = 0; v < 3; v++)
				bg_case(paths[p], sizes[i][0], sizes[i][1], v * 7, (v * 5 + 1) % 16, rnd(&seed), v == 2);
		/* below one vector and around it */
		for (int w = 1; w <= 70; w++)
			bg_case(paths[p], w, 2, w % 16, w % 15 + 1, rnd(&seed), w % 2);
	}
}
END_TEST

/* The public API on each path: same fg and background as scalar, hold NULL or not. */
START_TEST(bgmodel_paths_match_scalar)
{
	zp_bgmodel_params par = { .threshold = 12, .learn_shift = 3, .fg_learn_shift = 6, .warmup_frames = 10 };
	zp_simd paths[4];
	int np = simd_paths(paths);
	int w = 101, h = 23, stride = 117;

	for (int p = 0; p < np; p++) {
		for (int use_hold = 0; use_hold < 2; use_hold++) {
			struct pagebuf bl, bh, bf0, bf1;
			uint8_t *luma = pb_alloc(&bl, 3 + (size_t)(h - 1) * stride + w) + 3;
			uint8_t *hold = pb_alloc(&bh, (size_t)(h - 1) * stride + w);
			uint8_t *fg0 = pb_alloc(&bf0, (size_t)w * h), *fg1 = pb_alloc(&bf1, (size_t)w * h);
			uint8_t bg0[101 * 23], bg1[101 * 23];
			zp_bgmodel *m0 = zp_bgmodel_new(w, h, &par, ZP_SIMD_SCALAR, NULL, 0);
			zp_bgmodel *m1 = zp_bgmodel_new(w, h, &par, paths[p], NULL, 0);
			uint32_t s = 77;

			ck_assert_ptr_nonnull(m0);
			ck_assert_ptr_nonnull(m1);
			ck_assert_int_eq(zp_bgmodel_simd(m1), paths[p]);
			for (int f = 0; f < BG_FRAMES; f++) {
				fill_frame(luma, w, h, stride, f % 8, f, &s);
				for (size_t i = 0; i < (size_t)(h - 1) * stride + w; i++)
					hold[i] = rnd(&s) % 5 == 0;
				ck_assert_int_eq(zp_bgmodel_apply(m0, luma, stride, use_hold ? hold : NULL, stride, fg0, w), 0);
				ck_assert_int_eq(zp_bgmodel_apply(m1, luma, stride, use_hold ? hold : NULL, stride, fg1, w), 0);
				ck_assert_msg(memcmp(fg0, fg1, (size_t)w * h) == 0, "%s fg differs at frame %d",
					      zp_simd_name(paths[p]), f);
				zp_bgmodel_background(m0, bg0, w);
				zp_bgmodel_background(m1, bg1, w);
				ck_assert_msg(memcmp(bg0, bg1, sizeof(bg0)) == 0, "%s background differs at frame %d",
					      zp_simd_name(paths[p]), f);
			}
			zp_bgmodel_free(m0);
			zp_bgmodel_free(m1);
			pb_free(&bl);
			pb_free(&bh);
			pb_free(&bf0);
			pb_free(&bf1);
		}
	}
}
END_TEST

/* ---- pixops: every path against scalar ---- */

enum { OP_DOWN, OP_ERODE, OP_DILATE, OP_VOTE, OP_MORPH };

static void pixop_case(zp_simd simd, int op, int w, int h, int pad, int off, bool binary, uint32_t seed)
{
	zp_pixops ps, pv;
	int sstride = w + pad, dw = op == OP_DOWN ? w / 2 : w, dh = op == OP_DOWN ? h / 2 : h;
	int dstride = dw + (pad * 3) % 11;
	size_t slen = off + (size_t)(h - 1) * sstride + w;
	size_t dlen = dh > 0 ? off + (size_t)(dh - 1) * dstride + dw : 0;
	struct pagebuf bs, b0, b1;
	uint8_t *src = pb_alloc(&bs, slen) + off;
	uint8_t *d0 = pb_alloc(&b0, dlen), *d1 = pb_alloc(&b1, dlen);
	uint32_t s = seed;
	int density = (int)(rnd(&s) % 8);
	int r = 1 + (int)(rnd(&s) % ZP_VOTE_MAX_R), k = 1 + (int)(rnd(&s) % (unsigned)((2 * r + 1) * (2 * r + 1)));
	uint8_t *row = malloc((size_t)w + 2 * ZP_VOTE_MAX_R);

	zp_pixops_init(&ps, ZP_SIMD_SCALAR);
	zp_pixops_init(&pv, simd);
	ck_assert_int_eq(ps.simd, ZP_SIMD_SCALAR);
	ck_assert_int_eq(pv.simd, simd);
	for (size_t i = 0; i < slen - off; i++)
		src[i] = binary ? (rnd(&s) % 8 < (uint32_t)density ? 255 : 0) : (uint8_t)rnd(&s);
	memset(d0, 0xa5, dlen);
	memset(d1, 0xa5, dlen);
	if (dlen) {
		d0 += off;
		d1 += off;
	}
	switch (op) {
	case OP_DOWN:
		ps.downscale2(src, sstride, d0, dstride, w, h);
		pv.downscale2(src, sstride, d1, dstride, w, h);
		break;
	case OP_ERODE:
		ps.erode3(src, sstride, d0, dstride, w, h);
		pv.erode3(src, sstride, d1, dstride, w, h);
		break;
	case OP_DILATE:
		ps.dilate3(src, sstride, d0, dstride, w, h);
		pv.dilate3(src, sstride, d1, dstride, w, h);
		break;
	case OP_VOTE:
		ps.vote(src, sstride, d0, dstride, w, h, r, k, row);
		memset(row, 0x5a, (size_t)w + 2 * ZP_VOTE_MAX_R); /* the scratch carries nothing over */
		pv.vote(src, sstride, d1, dstride, w, h, r, k, row);
		break;
	default: /* k's lowest bit: dilate */
		ps.morph(src, sstride, d0, dstride, w, h, r, k & 1, row);
		memset(row, 0x5a, (size_t)w + 2 * ZP_VOTE_MAX_R);
		pv.morph(src, sstride, d1, dstride, w, h, r, k & 1, row);
		break;
	}
	free(row);
	if (dlen) {
		int d = first_diff(d0 - off, d1 - off, dlen);

		ck_assert_msg(d < 0, "%s op %d %dx%d pad %d off %d %s (vote/morph r %d k %d): first diff at byte %d (%u vs %u)",
			      zp_simd_name(simd), op, w, h, pad, off, binary ? "binary" : "grey", r, k, d, (d0 - off)[d],
			      (d1 - off)[d]);
	}
	pb_free(&bs);
	pb_free(&b0);
	pb_free(&b1);
}

START_TEST(pixops_paths_match_scalar)
{
	static const int sizes[][2] = { { 160, 48 }, { 169, 39 }, { 640, 4 }, { 77, 13 }, { 129, 7 } };
	zp_simd paths[4];
	int np = simd_paths(paths);
	uint32_t seed = 12345;

	for (int p = 0; p < np; p++) {
		for (int op = OP_DOWN; op <= OP_MORPH; op++) {
			for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
				for (int v = 0; v < 4; v++)
					pixop_case(paths[p], op, sizes[i][0], sizes[i][1], v * 5, (v * 7 + 1) % 16,
						   v & 1, rnd(&seed));
			for (int w = 1; w <= 80; w++)
				for (int h = 1; h <= 4; h++)
					pixop_case(paths[p], op, w, h, (w + h) % 16, (w * 3 + h) % 15 + 1, w & 1,
						   rnd(&seed));
		}
	}
}
END_TEST

/*
 * zp_pixops.shake_sums, every path against scalar: random backgrounds and
 * frames (strides apart), points anywhere the contract allows, the
 * background ending at a guard page; counts around the 16-bit lane runs;
 * the largest sums (a white frame on black, every point at once).
 */
static void shake_case(zp_simd simd, int w, int h, int n, int extreme, uint32_t seed)
{
	zp_pixops ps, pv;
	int fstride = w + 7, bstride = w + (int)(seed % 5);
	size_t blen = (size_t)(h - 1) * bstride + w;
	struct pagebuf bb;
	uint8_t *bg = pb_alloc(&bb, blen), *frame = malloc((size_t)h * fstride);
	int32_t *pt = malloc(sizeof(*pt) * (size_t)(n > 0 ? n : 1)), s0[9], s1[9], v0[9], v1[9];
	uint32_t s = seed;

	zp_pixops_init(&ps, ZP_SIMD_SCALAR);
	zp_pixops_init(&pv, simd);
	for (size_t i = 0; i < blen; i++)
		bg[i] = extreme ? 0 : (uint8_t)rnd(&s);
	for (size_t i = 0; i < (size_t)h * fstride; i++)
		frame[i] = extreme ? 255 : (uint8_t)rnd(&s);
	for (int e = 0; e < n; e++) {
		/* x 1 .. w - 3, y 1 .. h - 2; the last row and column the contract allows now and then */
		int x = e % 5 == 0 ? w - 3 : 1 + (int)(rnd(&s) % (uint32_t)(w - 3));
		int y = e % 7 == 0 ? h - 2 : 1 + (int)(rnd(&s) % (uint32_t)(h - 2));

		pt[e] = (int32_t)((uint32_t)y << 16 | (uint32_t)x);
	}
	memset(s1, 0x5a, sizeof(s1));
	memset(v1, 0xa5, sizeof(v1));
	ps.shake_sums(frame, fstride, bg, bstride, pt, n, s0, s1);
	pv.shake_sums(frame, fstride, bg, bstride, pt, n, v0, v1);
	for (int k = 0; k < 9; k++) {
		ck_assert_msg(s0[k] == v0[k] && s1[k] == v1[k], "%s shake %dx%d n %d: k %d sums %d %d, scalar %d %d",
			      zp_simd_name(simd), w, h, n, k, v0[k], v1[k], s0[k], s1[k]);
		if (extreme) {
			ck_assert_int_eq(s0[k], 255 * n);
			ck_assert_int_eq(s1[k], 510 * n);
		}
	}
	free(pt);
	free(frame);
	pb_free(&bb);
}

START_TEST(pixops_shake_sums_match_scalar)
{
	static const int counts[] = { 0, 1, 2, 127, 128, 129, 255, 256, 257, 1000, ZP_SHAKE_MAX_N };
	zp_simd paths[4];
	int np = simd_paths(paths);
	uint32_t seed = 4242;

	for (int p = 0; p < np; p++) {
		for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
			shake_case(paths[p], 4, 3, counts[i], 0, rnd(&seed)); /* the smallest frame with a point */
			shake_case(paths[p], 37, 21, counts[i], 0, rnd(&seed));
			shake_case(paths[p], 360, 240, counts[i], 0, rnd(&seed));
		}
		shake_case(paths[p], 64, 48, ZP_SHAKE_MAX_N, 1, rnd(&seed));
	}
}
END_TEST

/* The reference itself, on hand-checked cases. */
START_TEST(pixops_scalar_reference)
{
	zp_pixops ops;
	uint8_t src[4 * 4], dst[4 * 4];

	zp_pixops_init(&ops, ZP_SIMD_SCALAR);
	/* downscale: (a+b+c+d+2)>>2, odd trailing column and row ignored */
	{
		const uint8_t in[3 * 5] = { 0, 1, 255, 255, 9, 1, 1, 255, 254, 9, 7, 7, 7, 7, 7 };
		uint8_t out[2] = { 0x11, 0x11 };

		ops.downscale2(in, 5, out, 2, 5, 3);
		ck_assert_uint_eq(out[0], 1);   /* (0+1+1+1+2)>>2 */
		ck_assert_uint_eq(out[1], 255); /* (1019+2)>>2 */
	}
	/* erode: a single 0 in the corner of a 255 field spreads to a 2x2 block (border replicated) */
	memset(src, 255, sizeof(src));
	src[0] = 0;
	ops.erode3(src, 4, dst, 4, 4, 4);
	for (int y = 0; y < 4; y++)
		for (int x = 0; x < 4; x++)
			ck_assert_uint_eq(dst[y * 4 + x], (x < 2 && y < 2) ? 0 : 255);
	/* dilate: a single 255 inside grows to 3x3 */
	memset(src, 0, sizeof(src));
	src[1 * 4 + 2] = 255;
	ops.dilate3(src, 4, dst, 4, 4, 4);
	for (int y = 0; y < 4; y++)
		for (int x = 0; x < 4; x++)
			ck_assert_uint_eq(dst[y * 4 + x], (y <= 2 && x >= 1) ? 255 : 0);
	/* 1x1 images: border replication makes both the identity */
	src[0] = 77;
	ops.erode3(src, 1, dst, 1, 1, 1);
	ck_assert_uint_eq(dst[0], 77);
	ops.dilate3(src, 1, dst, 1, 1, 1);
	ck_assert_uint_eq(dst[0], 77);
	/* 1x1 vote: the window is the pixel 9, 25 or 49 times over */
	{
		uint8_t row[1 + 2 * ZP_VOTE_MAX_R];

		ops.vote(src, 1, dst, 1, 1, 1, 3, 49, row);
		ck_assert_uint_eq(dst[0], 255);
		src[0] = 0;
		ops.vote(src, 1, dst, 1, 1, 1, 1, 1, row);
		ck_assert_uint_eq(dst[0], 0);
	}
	/* shake sums: the frame at (1, 1) against a background whose right column is 100 and the rest 10 */
	{
		const uint8_t bg[3 * 4] = { 10, 10, 100, 0, 10, 10, 100, 0, 10, 10, 100, 0 };
		const uint8_t frame[3 * 3] = { 0, 0, 0, 0, 30, 0, 0, 0, 0 };
		const int32_t pt[2] = { 1 << 16 | 1, 1 << 16 | 1 };
		int32_t s0[9], s1[9];

		ops.shake_sums(frame, 3, bg, 4, pt, 2, s0, s1);
		for (int k = 0; k < 9; k++) {
			ck_assert_int_eq(s0[k], 2 * (k % 3 == 2 ? 70 : 20));  /* |30 - v| */
			ck_assert_int_eq(s1[k], 2 * (k % 3 == 2 ? 50 : 40));  /* |60 - 10 - v| */
		}
	}
}
END_TEST

/* Vote against a direct count over the window with clamped coordinates, on random masks. */
/*
 * The reference morph against its definition: radius r is r passes of the
 * 3x3 erode / dilate (border replicated), on grey and binary images, sizes
 * from 1x1 up.
 */
START_TEST(pixops_morph_is_3x3_passes)
{
	zp_pixops ops;
	uint32_t s = 4242;
	static const int sizes[][2] = { { 1, 1 }, { 2, 7 }, { 5, 3 }, { 9, 9 }, { 33, 17 }, { 70, 5 } };

	zp_pixops_init(&ops, ZP_SIMD_SCALAR);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int w = sizes[i][0], h = sizes[i][1];
		size_t n = (size_t)w * h;
		uint8_t *src = malloc(n), *a = malloc(n), *b = malloc(n), *ref = malloc(n);
		uint8_t *row = malloc((size_t)w + 2 * ZP_VOTE_MAX_R);

		for (int binary = 0; binary < 2; binary++)
			for (int r = 1; r <= ZP_VOTE_MAX_R; r++)
				for (int dilate = 0; dilate < 2; dilate++) {
					for (size_t j = 0; j < n; j++)
						src[j] = binary ? (rnd(&s) % 3 ? 0 : 255) : (uint8_t)rnd(&s);
					memcpy(a, src, n);
					for (int p = 0; p < r; p++) {
						(dilate ? ops.dilate3 : ops.erode3)(a, w, b, w, w, h);
						memcpy(a, b, n);
					}
					memcpy(ref, a, n);
					ops.morph(src, w, b, w, w, h, r, dilate, row);
					ck_assert_msg(memcmp(b, ref, n) == 0, "morph r %d %s %dx%d %s != %d 3x3 passes", r,
						      dilate ? "dilate" : "erode", w, h, binary ? "binary" : "grey", r);
				}
		free(src);
		free(a);
		free(b);
		free(ref);
		free(row);
	}
}
END_TEST

START_TEST(pixops_vote_reference)
{
	enum { W = 37, H = 23 };
	uint8_t src[W * H], dst[W * H], row[W + 2 * ZP_VOTE_MAX_R];
	zp_pixops ops;
	uint32_t s = 99;

	zp_pixops_init(&ops, ZP_SIMD_SCALAR);
	for (int t = 0; t < 60; t++) {
		int r = 1 + t % ZP_VOTE_MAX_R, n = (2 * r + 1) * (2 * r + 1), k = 1 + (t * 7) % n;

		for (int i = 0; i < W * H; i++)
			src[i] = rnd(&s) % 3 == 0 ? (uint8_t)(1 + rnd(&s) % 255) : 0; /* any non-zero counts */
		ops.vote(src, W, dst, W, W, H, r, k, row);
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				int c = 0;

				for (int dy = -r; dy <= r; dy++)
					for (int dx = -r; dx <= r; dx++) {
						int yy = y + dy < 0 ? 0 : y + dy >= H ? H - 1 : y + dy;
						int xx = x + dx < 0 ? 0 : x + dx >= W ? W - 1 : x + dx;

						c += src[yy * W + xx] != 0;
					}
				ck_assert_msg(dst[y * W + x] == (c >= k ? 255 : 0), "r %d k %d at %d,%d: count %d, got %u", r,
					      k, x, y, c, dst[y * W + x]);
			}
	}
}
END_TEST

/* ---- dispatcher ---- */

START_TEST(dispatch_choose_and_fallback)
{
	zp_simd best = zp_simd_choose(NULL);
	zp_pixops ops;

	ck_assert(zp_simd_available(ZP_SIMD_SCALAR));
	ck_assert(zp_simd_available(best));
	ck_assert_int_eq(zp_simd_choose(""), best);
	ck_assert_int_eq(zp_simd_choose("scalar"), ZP_SIMD_SCALAR);
	ck_assert_int_eq(zp_simd_choose("SCALAR"), ZP_SIMD_SCALAR);
	ck_assert_int_eq(zp_simd_choose("mmx"), best);
	ck_assert_int_eq(zp_simd_choose("avx512"), best);
	ck_assert_int_eq(zp_simd_choose("sse2 "), best);
	for (int s = ZP_SIMD_SSE2; s <= ZP_SIMD_NEON; s++) {
		if (zp_simd_available((zp_simd)s)) {
			ck_assert_int_eq(zp_simd_choose(zp_simd_name((zp_simd)s)), s);
		} else {
			/* a path the CPU lacks (or another architecture's) is refused: best available */
			ck_assert_int_eq(zp_simd_choose(zp_simd_name((zp_simd)s)), best);
			ck_assert_int_eq(zp_kernels_get((zp_simd)s)->simd, best);
		}
	}
	/* x86 and ARM paths never both */
	ck_assert(!(zp_simd_available(ZP_SIMD_NEON) && zp_simd_available(ZP_SIMD_SSE2)));
	ck_assert(zp_simd_available(zp_simd_cpu_best()));
	ck_assert_str_eq(zp_simd_name(ZP_SIMD_AVX2), "avx2");
	ck_assert_str_eq(zp_simd_name((zp_simd)42), "unknown");

	/* names as main passes ZEBRAPAD_SIMD's value: any case; unknown, empty or none: the best */
	ck_assert_int_eq(zp_simd_choose("scalar"), ZP_SIMD_SCALAR);
	ck_assert_int_eq(zp_simd_choose("SCALAR"), ZP_SIMD_SCALAR);
	ck_assert_int_eq(zp_simd_choose("bogus"), best);
	ck_assert_int_eq(zp_simd_choose(""), best);
	ck_assert_int_eq(zp_simd_choose(NULL), best);
	/* a parameter's default: the best path, never "auto" once resolved */
	ck_assert_str_eq(zp_simd_name(ZP_SIMD_AUTO), "auto");
	ck_assert_int_eq(zp_kernels_get(ZP_SIMD_AUTO)->simd, best);
	zp_pixops_init(&ops, ZP_SIMD_AUTO);
	ck_assert_int_eq(ops.simd, best);

	zp_pixops_init(&ops, ZP_SIMD_SCALAR);
	ck_assert_int_eq(ops.simd, ZP_SIMD_SCALAR);
	ck_assert(ops.downscale2 == zp_downscale2_scalar);
	zp_pixops_init(&ops, best);
	ck_assert_int_eq(ops.simd, best);
}
END_TEST

/* ---- model behaviour (scalar path) ---- */

#define BW 48
#define BH 24

static zp_bgmodel *model(const zp_bgmodel_params *p)
{
	char err[160] = "";
	zp_bgmodel *m = zp_bgmodel_new(BW, BH, p, ZP_SIMD_SCALAR, err, sizeof(err));

	ck_assert_msg(m != NULL, "zp_bgmodel_new: %s", err);
	ck_assert_int_eq(zp_bgmodel_simd(m), ZP_SIMD_SCALAR);
	return m;
}

/* img (BW x BH) set to one grey and applied to m; the foreground in fg. */
static void apply_flat(zp_bgmodel *m, uint8_t *img, uint8_t grey, uint8_t *fg)
{
	memset(img, grey, BW * BH);
	zp_bgmodel_apply(m, img, BW, NULL, 0, fg, BW);
}

/* A flat grey scene with deterministic +-2 noise. */
static void noisy_scene(uint8_t *img, int level, uint32_t *s)
{
	for (int i = 0; i < BW * BH; i++)
		img[i] = (uint8_t)(level + (int)(rnd(s) % 5) - 2);
}

static int count_fg(const uint8_t *fg)
{
	int n = 0;

	for (int i = 0; i < BW * BH; i++)
		n += fg[i] != 0;
	return n;
}

static bool in_rect(int i)
{
	int x = i % BW, y = i / BW;

	return x >= 10 && x < 20 && y >= 5 && y < 15;
}

START_TEST(model_constant_scene_no_fg_after_warmup)
{
	zp_bgmodel_params p = { .threshold = 15, .learn_shift = 5, .fg_learn_shift = 9, .warmup_frames = 30 };
	zp_bgmodel *m = model(&p);
	uint8_t img[BW * BH], fg[BW * BH];
	uint32_t s = 1;

	ck_assert(!zp_bgmodel_ready(m));
	for (int f = 0; f < 200; f++) {
		noisy_scene(img, 100, &s);
		ck_assert_int_eq(zp_bgmodel_apply(m, img, BW, NULL, 0, fg, BW), 0);
		ck_assert_int_eq(zp_bgmodel_ready(m), f + 1 >= 30);
		if (f + 1 >= 30)
			ck_assert_msg(count_fg(fg) == 0, "frame %d: %d fg pixels in a constant scene", f, count_fg(fg));
	}
	zp_bgmodel_background(m, img, BW);
	for (int i = 0; i < BW * BH; i++)
		ck_assert_int_le(abs(img[i] - 100), 1);
	zp_bgmodel_free(m);
}
END_TEST

START_TEST(model_step_change_is_fg)
{
	zp_bgmodel_params p = { .threshold = 15, .learn_shift = 5, .fg_learn_shift = 9, .warmup_frames = 20 };
	zp_bgmodel *m = model(&p);
	uint8_t img[BW * BH], fg[BW * BH];
	uint32_t s = 2;

	for (int f = 0; f < 40; f++) {
		noisy_scene(img, 90, &s);
		zp_bgmodel_apply(m, img, BW, NULL, 0, fg, BW);
	}
	/* a darker and a brighter object: both are foreground, exactly where they are */
	for (int f = 0; f < 5; f++) {
		noisy_scene(img, 90, &s);
		for (int i = 0; i < BW * BH; i++)
			if (in_rect(i))
				img[i] = (uint8_t)(i % 2 ? 150 : 30);
		zp_bgmodel_apply(m, img, BW, NULL, 0, fg, BW);
		for (int i = 0; i < BW * BH; i++)
			ck_assert_msg(fg[i] == (in_rect(i) ? 255 : 0), "frame %d pixel %d: fg %u", f, i, fg[i]);
	}
	zp_bgmodel_free(m);
}
END_TEST

START_TEST(model_held_pixels_never_learn)
{
	zp_bgmodel_params p = { .threshold = 15, .learn_shift = 2, .fg_learn_shift = 3, .warmup_frames = 0 };
	zp_bgmodel *m = model(&p);
	uint8_t img[BW * BH], fg[BW * BH], hold[BW * BH], bg[BW * BH];

	apply_flat(m, img, 60, fg);
	for (int i = 0; i < BW * BH; i++) {
		hold[i] = in_rect(i) ? (uint8_t)(1 + i % 255) : 0;
		img[i] = 200;
	}
	for (int f = 0; f < 3000; f++) {
		zp_bgmodel_apply(m, img, BW, hold, BW, fg, BW);
		for (int i = 0; i < BW * BH; i++)
			if (in_rect(i))
				ck_assert_msg(fg[i] == 255, "held pixel %d not fg at frame %d", i, f);
	}
	zp_bgmodel_background(m, bg, BW);
	for (int i = 0; i < BW * BH; i++)
		ck_assert_uint_eq(bg[i], in_rect(i) ? 60 : 200); /* the rest learned the new scene */
	/* released, the held pixels learn too */
	for (int f = 0; f < 200; f++)
		zp_bgmodel_apply(m, img, BW, NULL, 0, fg, BW);
	ck_assert_int_eq(count_fg(fg), 0);
	zp_bgmodel_free(m);
}
END_TEST

/*
 * An object that stays (not held) is absorbed at the rate of fg_learn_shift:
 * with a = 2^-s, step D0, threshold T (all in 1/256 grey) and the rounding of
 * the step (at most 2^(s-1) each way), the residual after n frames lies in
 * D0 (1-a)^n -+ 2^(s-1), so the first background frame k (classified against
 * the residual after k-1 updates) lies between the two bounds below.
 */
START_TEST(model_unheld_fg_absorbed_within_bound)
{
	static const int shifts[] = { 3, 6, 8 };

	for (size_t si = 0; si < sizeof(shifts) / sizeof(shifts[0]); si++) {
		int s = shifts[si];
		zp_bgmodel_params p = { .threshold = 20, .learn_shift = 4, .fg_learn_shift = s, .warmup_frames = 0,
					.dev_mult = -1 };
		zp_bgmodel *m = model(&p);
		uint8_t img[BW * BH], fg[BW * BH];
		double a = 1.0 / (1 << s), d0 = 150 * 256.0, t = 20 * 256.0, half = (1 << s) / 2.0;
		double lo = log((t + half) / d0) / log(1 - a) + 1, hi = log((t - half) / d0) / log(1 - a) + 1;
		int k = -1;

		apply_flat(m, img, 50, fg);
		for (int i = 0; i < BW * BH; i++)
			if (in_rect(i))
				img[i] = 200;
		for (int f = 1; f <= (int)hi + 10 && k < 0; f++) {
			zp_bgmodel_apply(m, img, BW, NULL, 0, fg, BW);
			if (fg[5 * BW + 10] == 0)
				k = f;
			else
				ck_assert_int_eq(count_fg(fg), 100);
		}
		ck_assert_msg(k >= (int)floor(lo) && k <= (int)ceil(hi),
			      "fg_learn_shift %d: absorbed at frame %d, expected %.1f..%.1f", s, k, lo, hi);
		ck_assert_int_eq(count_fg(fg), 0);
		zp_bgmodel_free(m);

		/* with the adaptive threshold on, the deviation grows too: never later */
		p.dev_mult = 0;
		m = model(&p);
		apply_flat(m, img, 50, fg);
		memset(img, 200, sizeof(img));
		for (int f = 1; f <= (int)ceil(hi); f++)
			zp_bgmodel_apply(m, img, BW, NULL, 0, fg, BW);
		ck_assert_int_eq(count_fg(fg), 0);
		zp_bgmodel_free(m);
	}
}
END_TEST

/*
 * Noisy pixels (sensor noise, sigma about 11 grey) raise their own threshold
 * when dev_mult is on: far fewer false foreground pixels than with the fixed
 * threshold alone; the quiet pixels around stay clean either way.
 */
START_TEST(model_adaptive_threshold_follows_noise)
{
	int rate[2];

	for (int on = 0; on < 2; on++) {
		/* the second level off: this is the adaptive threshold alone */
		zp_bgmodel_params p = { .threshold = 15, .learn_shift = 5, .fg_learn_shift = 9, .warmup_frames = 0,
					.dev_mult = on ? 3 : -1, .flicker_on = -1 };
		zp_bgmodel *m = model(&p);
		uint8_t img[BW * BH], fg[BW * BH];
		uint32_t s = 99;
		int late = 0;

		for (int f = 0; f < 1500; f++) {
			for (int i = 0; i < BW * BH; i++) {
				int n = 0;

				for (int j = 0; j < 4 && in_rect(i); j++)
					n += (int)(rnd(&s) % 19) - 9;
				img[i] = (uint8_t)(100 + n);
			}
			zp_bgmodel_apply(m, img, BW, NULL, 0, fg, BW);
			for (int i = 0; i < BW * BH && f >= 1000; i++) {
				ck_assert(fg[i] == 0 || in_rect(i));
				late += fg[i] != 0;
			}
		}
		rate[on] = late; /* fg pixels in 500 frames x 100 noisy pixels */
		zp_bgmodel_free(m);
	}
	ck_assert_msg(rate[0] > 3000, "fixed threshold: only %d fg in 50000 noisy samples", rate[0]);
	ck_assert_msg(rate[1] * 5 < rate[0], "adaptive threshold: %d fg vs %d with the fixed one", rate[1], rate[0]);
}
END_TEST

/*
 * Pixels that flicker between two looks (leaves against the sky: 35 % of
 * the frames 180, else 100) are foreground a good share of the time with
 * one background level (the adaptive threshold alone does not cover a
 * jump of 80); with the second level (flicker_on) they are background. A
 * person (a third look, 30) over them is still foreground in every frame,
 * and so is one over the quiet pixels around.
 */
START_TEST(model_flicker_second_level)
{
	int late[2];

	for (int on = 0; on < 2; on++) {
		zp_bgmodel_params p = { .threshold = 15, .learn_shift = 5, .fg_learn_shift = 9, .warmup_frames = 0,
					.flicker_on = on ? 0 : -1 };
		zp_bgmodel *m = model(&p);
		uint8_t img[BW * BH], fg[BW * BH];
		uint32_t s = 7;

		late[on] = 0;
		for (int f = 0; f < 700; f++) {
			bool person = f >= 600 && f < 620;

			noisy_scene(img, 100, &s);
			for (int i = 0; i < BW * BH; i++) {
				if (in_rect(i) && rnd(&s) % 100 < 35)
					img[i] = 180;
				if (person && (in_rect(i) || (i % BW >= 30 && i % BW < 40 && i / BW >= 5 && i / BW < 15)))
					img[i] = 30;
			}
			zp_bgmodel_apply(m, img, BW, NULL, 0, fg, BW);
			for (int i = 0; i < BW * BH; i++) {
				bool quiet_person = person && i % BW >= 30 && i % BW < 40 && i / BW >= 5 && i / BW < 15;

				if (person && in_rect(i))
					ck_assert_msg(fg[i] == 255, "on %d frame %d: the person over the flicker is not foreground",
						      on, f);
				else if (quiet_person)
					ck_assert_msg(fg[i] == 255, "on %d frame %d: the person is not foreground", on, f);
				else if (f >= 300 && f < 600)
					late[on] += fg[i] != 0;
				if (f >= 300 && !person && !in_rect(i))
					ck_assert_msg(fg[i] == 0, "on %d frame %d: quiet pixel %d is foreground", on, f, i);
			}
		}
		zp_bgmodel_free(m);
	}
	/* 300 frames x 100 flickering pixels: 30000 samples, about 10500 of them the other look */
	ck_assert_msg(late[0] > 3000, "one level: only %d foreground samples of 30000 flickering", late[0]);
	ck_assert_msg(late[1] * 50 < late[0], "second level: %d foreground samples vs %d with one level", late[1],
		      late[0]);
}
END_TEST

/*
 * Pixels with more than two looks (leaves of many shades): half the frames
 * 100, the others 100 +- 21..28 at random. The second level takes one side;
 * the other side is a change above threshold (20) from both levels, so
 * without the higher floor of flickering pixels (flicker_floor 100) it is
 * foreground; with 150 % (30) it is background (blinks are still counted
 * at 20, so the floor stays up while the pixel flickers). A person (160) is
 * foreground either way. (dev_mult off: the deviation would otherwise
 * widen the threshold of these pixels as well.)
 */
START_TEST(model_flicker_floor)
{
	int late[2];

	for (int on = 0; on < 2; on++) {
		/* dev_mult off: the floor alone decides how far a look may be */
		zp_bgmodel_params p = { .threshold = 20, .learn_shift = 5, .fg_learn_shift = 9, .warmup_frames = 0,
					.dev_mult = -1, .flicker_floor = on ? 0 : 100 };
		zp_bgmodel *m = model(&p);
		uint8_t img[BW * BH], fg[BW * BH];
		uint32_t s = 11;

		late[on] = 0;
		for (int f = 0; f < 620; f++) {
			bool person = f >= 600;

			noisy_scene(img, 100, &s);
			for (int i = 0; i < BW * BH; i++)
				if (in_rect(i) && (person || rnd(&s) % 2)) {
					int dv = 21 + (int)(rnd(&s) % 8);

					img[i] = (uint8_t)(person ? 160 : rnd(&s) % 2 ? 100 + dv : 100 - dv);
				}
			zp_bgmodel_apply(m, img, BW, NULL, 0, fg, BW);
			for (int i = 0; i < BW * BH; i++) {
				if (person && in_rect(i))
					ck_assert_msg(fg[i] == 255, "floor %s frame %d: the person is not foreground at %d (%d late)",
						      on ? "150" : "100", f, i, late[on]);
				else if (f >= 300 && !person)
					late[on] += fg[i] != 0;
			}
		}
		zp_bgmodel_free(m);
	}
	ck_assert_msg(late[0] > 3000, "floor 100: only %d foreground samples of 30000 flickering", late[0]);
	ck_assert_msg(late[1] * 5 < late[0], "floor 150: %d foreground samples vs %d at 100", late[1], late[0]);
}
END_TEST

START_TEST(model_warmup_ramps_learning)
{
	/* the background after a flat 100 then a flat 120 frame */
	static const struct {
		int warmup_frames;
		unsigned bg;
	} c[] = {
		{ 30, 110 }, /* second frame: shift 1, the average of two */
		{ 0, 100 },  /* no ramp: learn_shift 8 from the start */
	};
	zp_bgmodel_params p = { .threshold = 50, .learn_shift = 8, .fg_learn_shift = 10 };
	uint8_t img[BW * BH], fg[BW * BH], bg[BW * BH];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		zp_bgmodel *m;

		p.warmup_frames = c[i].warmup_frames;
		m = model(&p);
		apply_flat(m, img, 100, fg);
		apply_flat(m, img, 120, fg);
		zp_bgmodel_background(m, bg, BW);
		ck_assert_uint_eq(bg[0], c[i].bg);
		ck_assert_int_eq(zp_bgmodel_ready(m), c[i].warmup_frames == 0);
		zp_bgmodel_free(m);
	}
}
END_TEST

START_TEST(model_bad_arguments)
{
	zp_bgmodel_params p = { .threshold = 15, .learn_shift = 5, .fg_learn_shift = 9, .warmup_frames = 30 };
	zp_bgmodel_params bad;
	char err[160];
	zp_bgmodel *m;
	uint8_t img[BW * BH], fg[BW * BH];

	bad = p;
	bad.threshold = 0;
	ck_assert_ptr_null(zp_bgmodel_new(BW, BH, &bad, ZP_SIMD_SCALAR, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "threshold: expected 1..255, got 0"));
	bad = p;
	bad.learn_shift = 16;
	ck_assert_ptr_null(zp_bgmodel_new(BW, BH, &bad, ZP_SIMD_SCALAR, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "learn_shift: expected 1..15, got 16"));
	bad = p;
	bad.fg_learn_shift = 0;
	ck_assert_ptr_null(zp_bgmodel_new(BW, BH, &bad, ZP_SIMD_SCALAR, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "fg_learn_shift"));
	bad = p;
	bad.dev_mult = 17;
	ck_assert_ptr_null(zp_bgmodel_new(BW, BH, &bad, ZP_SIMD_SCALAR, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "dev_mult"));
	ck_assert_ptr_null(zp_bgmodel_new(0, BH, &p, ZP_SIMD_SCALAR, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "size 0x24"));
	ck_assert_ptr_null(zp_bgmodel_new(BW, BH, NULL, ZP_SIMD_SCALAR, NULL, 0));

	m = model(&p);
	memset(img, 0, sizeof(img));
	ck_assert_int_eq(zp_bgmodel_apply(m, img, BW - 1, NULL, 0, fg, BW), ZP_EINVAL);
	ck_assert_int_eq(zp_bgmodel_apply(m, img, BW, img, BW - 1, fg, BW), ZP_EINVAL);
	ck_assert_int_eq(zp_bgmodel_apply(m, NULL, BW, NULL, 0, fg, BW), ZP_EINVAL);
	ck_assert_int_eq(zp_bgmodel_apply(m, img, BW, NULL, 0, fg, BW), 0);
	bad = p;
	bad.threshold = 300;
	ck_assert_int_eq(zp_bgmodel_set_params(m, &bad), ZP_EINVAL);
	zp_bgmodel_free(m);
	zp_bgmodel_free(NULL);
}
END_TEST

START_TEST(model_set_params_keeps_state)
{
	zp_bgmodel_params p = { .threshold = 15, .learn_shift = 2, .fg_learn_shift = 12, .warmup_frames = 0 };
	zp_bgmodel *m = model(&p);
	uint8_t img[BW * BH], fg[BW * BH], bg[BW * BH];

	apply_flat(m, img, 40, fg);
	apply_flat(m, img, 200, fg);
	ck_assert_int_eq(count_fg(fg), BW * BH);
	p.fg_learn_shift = 1; /* absorb at once */
	ck_assert_int_eq(zp_bgmodel_set_params(m, &p), 0);
	zp_bgmodel_background(m, bg, BW);
	ck_assert_uint_eq(bg[0], 40); /* state kept (fg_learn_shift 12: under 1/16 grey learned) */
	for (int f = 0; f < 20; f++)
		zp_bgmodel_apply(m, img, BW, NULL, 0, fg, BW);
	ck_assert_int_eq(count_fg(fg), 0);
	zp_bgmodel_free(m);
}
END_TEST

/* fg_no_ramp: foreground does not ramp during warm-up; zp_bgmodel_absorb() takes pixels as background at once. */
START_TEST(model_warmup_fg_no_ramp_and_absorb)
{
	zp_bgmodel_params p = { .threshold = 20, .learn_shift = 6, .fg_learn_shift = 12, .warmup_frames = 30 };
	uint8_t img[BW * BH], fg[BW * BH], bg[BW * BH], mask[BW * BH];
	zp_bgmodel *m;

	for (int pass = 0; pass < 2; pass++) {
		p.fg_no_ramp = pass == 1;
		m = model(&p);
		apply_flat(m, img, 100, fg);
		/* frame 2: everything jumps by 60 - foreground; the ramp (shift 1) would take half of it */
		apply_flat(m, img, 160, fg);
		ck_assert_uint_eq(fg[0], 255);
		zp_bgmodel_background(m, bg, BW);
		ck_assert_uint_eq(bg[0], pass ? 100 : 130); /* shift 12: (60*256 + 2048) >> 12 = 4 of 8.8, rounds to 100 */
		zp_bgmodel_free(m);
	}
	/* absorb: only the masked pixels jump to the frame's value; then they are background */
	m = model(&p);
	apply_flat(m, img, 100, fg);
	memset(img, 200, sizeof(img));
	memset(mask, 0, sizeof(mask));
	mask[5] = 1;
	ck_assert_int_eq(zp_bgmodel_absorb(m, img, BW, mask, BW), 0);
	zp_bgmodel_background(m, bg, BW);
	ck_assert_uint_eq(bg[5], 200);
	ck_assert_uint_eq(bg[4], 100);
	zp_bgmodel_apply(m, img, BW, NULL, 0, fg, BW);
	ck_assert_uint_eq(fg[5], 0);
	ck_assert_uint_eq(fg[4], 255);
	ck_assert_int_eq(zp_bgmodel_absorb(m, img, BW - 1, mask, BW), ZP_EINVAL);
	ck_assert_int_eq(zp_bgmodel_absorb(NULL, img, BW, mask, BW), ZP_EINVAL);
	zp_bgmodel_free(m);
}
END_TEST

START_TEST(model_state_budget)
{
	zp_bgmodel_params p = { .threshold = 15, .learn_shift = 5, .fg_learn_shift = 9, .warmup_frames = 30 };
	zp_bgmodel *m = zp_bgmodel_new(640, 480, &p, zp_simd_choose(NULL), NULL, 0);
	size_t b;

	ck_assert_ptr_nonnull(m);
	b = zp_bgmodel_state_bytes(m);
	ck_assert_uint_ge(b, (size_t)640 * 480 * 8);
	ck_assert_uint_le(b, (size_t)640 * 480 * 8 + 4096); /* 8 bytes a pixel, well under 8 MiB */
	zp_bgmodel_free(m);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "simd_equality", .timeout_s = 240, .tests = ZP_TESTS(
			bg_row_paths_match_scalar,
			bgmodel_paths_match_scalar,
			pixops_paths_match_scalar,
			pixops_shake_sums_match_scalar,
			pixops_scalar_reference,
			pixops_vote_reference,
			pixops_morph_is_3x3_passes,
			dispatch_choose_and_fallback) },
		{ .name = "behaviour", .timeout_s = 120, .tests = ZP_TESTS(
			model_constant_scene_no_fg_after_warmup,
			model_step_change_is_fg,
			model_held_pixels_never_learn,
			model_unheld_fg_absorbed_within_bound,
			model_adaptive_threshold_follows_noise,
			model_flicker_second_level,
			model_flicker_floor,
			model_warmup_ramps_learning,
			model_warmup_fg_no_ramp_and_absorb,
			model_bad_arguments,
			model_set_params_keeps_state,
			model_state_budget) },
	};

	return zp_test_run(ZP_TEST_SUITE("models", cases));
}
