/* SPDX-License-Identifier: MIT */
/*
 * vote_scalar.c - the reference majority vote on binary masks (zp_pixops.vote).
 *
 * Per output row: the non-zero pixels of each column are counted over the
 * 2r+1 rows of the window (rows clamped at the top and bottom) into a
 * padded row buffer, the padding replicating the first and last column;
 * then 2r+1 neighbouring column counts are summed and compared with k.
 * Counts are at most 7 per column and 49 per window, so bytes never
 * overflow. The SIMD files (vote_sse2.c, vote_avx2.c, vote_neon.c) use the
 * row helpers below for the columns their vectors do not cover.
 */
#include "models_internal.h"

void zp_vote_cols_scalar(const uint8_t *const *rows, int n, uint8_t *col, int x0, int x1)
{
	for (int x = x0; x < x1; x++) {
		unsigned c = 0;

		for (int i = 0; i < n; i++)
			c += rows[i][x] != 0;
		col[x] = (uint8_t)c;
	}
}

void zp_vote_pad_scalar(uint8_t *row, int w, int r)
{
	for (int i = 0; i < r; i++) {
		row[i] = row[r];
		row[w + r + i] = row[w + r - 1];
	}
}

void zp_vote_row_scalar(const uint8_t *row, uint8_t *dst, int x0, int x1, int r, int k)
{
	for (int x = x0; x < x1; x++) {
		unsigned s = 0;

		for (int j = 0; j <= 2 * r; j++)
			s += row[x + j];
		dst[x] = s >= (unsigned)k ? 255 : 0;
	}
}

/* The 2r+1 source rows of output row y, clamped to the image. */
void zp_vote_window(const uint8_t *src, int sstride, int h, int y, int r, const uint8_t **rows)
{
	for (int i = -r; i <= r; i++) {
		int yy = y + i < 0 ? 0 : y + i > h - 1 ? h - 1 : y + i;

		rows[i + r] = src + (size_t)yy * sstride;
	}
}

void zp_vote_scalar(const uint8_t *src, int sstride, uint8_t *dst, int dstride, int w, int h, int r, int k,
		    uint8_t *row)
{
	const uint8_t *rows[2 * ZP_VOTE_MAX_R + 1];

	for (int y = 0; y < h; y++) {
		zp_vote_window(src, sstride, h, y, r, rows);
		zp_vote_cols_scalar(rows, 2 * r + 1, row + r, 0, w);
		zp_vote_pad_scalar(row, w, r);
		zp_vote_row_scalar(row, dst + (size_t)y * dstride, 0, w, r, k);
	}
}
