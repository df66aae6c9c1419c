/* SPDX-License-Identifier: MIT */
/*
 * pixops_scalar.c - reference 2x2 downscale and 3x3 erode/dilate. The SIMD
 * files use the row helpers here for the columns they do not cover.
 *
 * erode3/dilate3 are the 3x3 minimum/maximum with the border replicated; on
 * 0/255 masks that is binary erosion/dilation, and it is defined (grey
 * morphology) for any input.
 */
#include "models_internal.h"

#include <stdlib.h>
#include <string.h>

static inline uint8_t min3(uint8_t a, uint8_t b, uint8_t c)
{
	uint8_t m = a < b ? a : b;

	return m < c ? m : c;
}

static inline uint8_t max3(uint8_t a, uint8_t b, uint8_t c)
{
	uint8_t m = a > b ? a : b;

	return m > c ? m : c;
}

void zp_downscale2_row_scalar(const uint8_t *s0, const uint8_t *s1, uint8_t *dst, int x0, int dw)
{
	for (int x = x0; x < dw; x++) {
		unsigned sum = s0[2 * x] + s0[2 * x + 1] + s1[2 * x] + s1[2 * x + 1];

		dst[x] = (uint8_t)((sum + 2) >> 2);
	}
}

void zp_downscale2_scalar(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h)
{
	for (int y = 0; y < h / 2; y++) {
		const uint8_t *s0 = src + (size_t)(2 * y) * sstride;

		zp_downscale2_row_scalar(s0, s0 + sstride, dst + (size_t)y * dstride, 0, w / 2);
	}
}

void zp_morph3_row_scalar(const uint8_t *a, const uint8_t *b, const uint8_t *c, uint8_t *dst, int x0, int x1, int w,
			  bool dilate)
{
	for (int x = x0; x < x1; x++) {
		int l = x > 0 ? x - 1 : 0;
		int r = x < w - 1 ? x + 1 : w - 1;

		if (dilate)
			dst[x] = max3(max3(a[l], b[l], c[l]), max3(a[x], b[x], c[x]), max3(a[r], b[r], c[r]));
		else
			dst[x] = min3(min3(a[l], b[l], c[l]), min3(a[x], b[x], c[x]), min3(a[r], b[r], c[r]));
	}
}

void zp_morph3_edges_scalar(const uint8_t *a, const uint8_t *b, const uint8_t *c, uint8_t *dst, int w, bool dilate)
{
	if (dilate) {
		uint8_t c0 = max3(a[0], b[0], c[0]), c1 = max3(a[1], b[1], c[1]);
		uint8_t e0 = max3(a[w - 2], b[w - 2], c[w - 2]), e1 = max3(a[w - 1], b[w - 1], c[w - 1]);

		dst[0] = c0 > c1 ? c0 : c1;
		dst[w - 1] = e0 > e1 ? e0 : e1;
	} else {
		uint8_t c0 = min3(a[0], b[0], c[0]), c1 = min3(a[1], b[1], c[1]);
		uint8_t e0 = min3(a[w - 2], b[w - 2], c[w - 2]), e1 = min3(a[w - 1], b[w - 1], c[w - 1]);

		dst[0] = c0 < c1 ? c0 : c1;
		dst[w - 1] = e0 < e1 ? e0 : e1;
	}
}

static void morph3(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, bool dilate)
{
	for (int y = 0; y < h; y++) {
		const uint8_t *a = src + (size_t)(y > 0 ? y - 1 : 0) * sstride;
		const uint8_t *b = src + (size_t)y * sstride;
		const uint8_t *c = src + (size_t)(y < h - 1 ? y + 1 : h - 1) * sstride;

		zp_morph3_row_scalar(a, b, c, dst + (size_t)y * dstride, 0, w, w, dilate);
	}
}

void zp_erode3_scalar(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h)
{
	morph3(src, sstride, dst, dstride, w, h, false);
}

void zp_dilate3_scalar(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h)
{
	morph3(src, sstride, dst, dstride, w, h, true);
}

void zp_stats_row_scalar(const uint8_t *src, int step, uint8_t *prev, int x0, int x1, zp_pixstats *st)
{
	uint64_t sum = 0, sum2 = 0, sad = 0;

	for (int x = x0; x < x1; x++) {
		unsigned v = src[(size_t)x * step], p = prev[x];

		sum += v;
		sum2 += v * v;
		sad += v > p ? v - p : p - v;
		prev[x] = (uint8_t)v;
	}
	st->sum += sum;
	st->sum2 += sum2;
	st->sad += sad;
}

void zp_stats_scalar(const uint8_t *src, int sstride, int step, uint8_t *prev, int pstride, int w, int h,
		     zp_pixstats *st)
{
	st->sum = st->sum2 = st->sad = 0;
	for (int y = 0; y < h; y++)
		zp_stats_row_scalar(src + (size_t)y * step * sstride, step, prev + (size_t)y * pstride, 0, w, st);
}

/* The minimum (maximum when dilate) of each column over the n rows, into col[0..w). */
static void morph_cols(const uint8_t *const *rows, int n, uint8_t *col, int w, bool dilate)
{
	memcpy(col, rows[0], (size_t)w);
	/* one row at a time, the op outside the loop: plain loops the compiler vectorises */
	for (int i = 1; i < n; i++) {
		const uint8_t *s = rows[i];

		if (dilate)
			for (int x = 0; x < w; x++)
				col[x] = s[x] > col[x] ? s[x] : col[x];
		else
			for (int x = 0; x < w; x++)
				col[x] = s[x] < col[x] ? s[x] : col[x];
	}
}

/* dst[x] = the minimum (maximum) of row[x .. x + 2r], x < w (row padded as for the vote). */
static void morph_row(const uint8_t *row, uint8_t *dst, int w, int r, bool dilate)
{
	memcpy(dst, row, (size_t)w);
	for (int j = 1; j <= 2 * r; j++) {
		const uint8_t *s = row + j;

		if (dilate)
			for (int x = 0; x < w; x++)
				dst[x] = s[x] > dst[x] ? s[x] : dst[x];
		else
			for (int x = 0; x < w; x++)
				dst[x] = s[x] < dst[x] ? s[x] : dst[x];
	}
}

void zp_morph_scalar(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, int r, bool dilate,
		     uint8_t *row)
{
	const uint8_t *rows[2 * ZP_VOTE_MAX_R + 1];

	for (int y = 0; y < h; y++) {
		zp_vote_window(src, sstride, h, y, r, rows);
		morph_cols(rows, 2 * r + 1, row + r, w, dilate);
		zp_vote_pad_scalar(row, w, r);
		morph_row(row, dst + (size_t)y * dstride, w, r, dilate);
	}
}

void zp_shake_sums_scalar(const uint8_t *frame, int fstride, const uint8_t *bg, int bstride, const int32_t *pt, int n,
			  int32_t s0[9], int32_t s1[9])
{
	const ptrdiff_t off[9] = { -bstride - 1, -bstride, -bstride + 1, -1, 0, 1, bstride - 1, bstride, bstride + 1 };

	for (int k = 0; k < 9; k++)
		s0[k] = s1[k] = 0;
	for (int e = 0; e < n; e++) {
		int y = (int)((uint32_t)pt[e] >> 16), x = pt[e] & 0xffff;
		const uint8_t *b = bg + (size_t)y * bstride + x;
		int f = frame[(size_t)y * fstride + x], f2 = 2 * f - b[0];

		for (int k = 0; k < 9; k++) {
			int v = b[off[k]];

			s0[k] += abs(f - v);
			s1[k] += abs(f2 - v);
		}
	}
}
