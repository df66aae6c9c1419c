/* SPDX-License-Identifier: MIT */
/*
 * blobs.c - connected components of the cleaned mask and the blob filter.
 *
 * Run based: each row is cut into runs of foreground pixels; a run is joined
 * (union-find) with every run of the row above that touches it, including
 * diagonally (8-connectivity). One pass over the pixels, one over the runs.
 * A mask has at most ceil(w/2) runs per row, so the buffers sized for that
 * in zp_cc_init() never overflow and nothing is allocated per frame.
 */
#include "detector_internal.h"

#include <stdlib.h>
#include <string.h>

int zp_cc_init(zp_cc *cc, int w, int h)
{
	memset(cc, 0, sizeof(*cc));
	if (w <= 0 || h <= 0 || w > 65535 || h > 65535)
		return ZP_EINVAL;
	cc->w = w;
	cc->h = h;
	cc->cap = (w + 1) / 2 * h;
	cc->runs = calloc((size_t)cc->cap, sizeof(*cc->runs));
	cc->parent = calloc((size_t)cc->cap, sizeof(*cc->parent));
	cc->stat = calloc((size_t)cc->cap, sizeof(*cc->stat));
	cc->row_first = calloc((size_t)h + 1, sizeof(*cc->row_first));
	if (!cc->runs || !cc->parent || !cc->stat || !cc->row_first) {
		zp_cc_fini(cc);
		return ZP_ENOMEM;
	}
	return 0;
}

void zp_cc_fini(zp_cc *cc)
{
	free(cc->runs);
	free(cc->parent);
	free(cc->stat);
	free(cc->row_first);
	memset(cc, 0, sizeof(*cc));
}

size_t zp_cc_bytes(const zp_cc *cc)
{
	return (size_t)cc->cap * (sizeof(*cc->runs) + sizeof(*cc->parent) + sizeof(*cc->stat)) +
	       ((size_t)cc->h + 1) * sizeof(*cc->row_first);
}

static int32_t cc_find(int32_t *parent, int32_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]]; /* path halving */
		i = parent[i];
	}
	return i;
}

/* The smaller index becomes the root: the root of a set is its first run in raster order. */
static void cc_union(int32_t *parent, int32_t a, int32_t b)
{
	a = cc_find(parent, a);
	b = cc_find(parent, b);
	if (a < b)
		parent[b] = a;
	else if (b < a)
		parent[a] = b;
}

/*
 * The first x' >= x with row[x'] != 0 (skip_zero) or row[x'] == 0 (skip_set),
 * or w: 8 bytes at a time across uniform stretches (most of a mask), then
 * byte by byte. memcpy into a u64 is one unaligned load; the tests are
 * byte-order independent (v == 0; the exact "has a zero byte" test).
 */
static int skip_zero(const uint8_t *row, int x, int w)
{
	uint64_t v;

	for (; x + 8 <= w; x += 8) {
		memcpy(&v, row + x, 8);
		if (v)
			break;
	}
	while (x < w && !row[x])
		x++;
	return x;
}

static int skip_set(const uint8_t *row, int x, int w)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t v;

	for (; x + 8 <= w; x += 8) {
		memcpy(&v, row + x, 8);
		if ((v - ones) & ~v & highs)
			break;
	}
	while (x < w && row[x])
		x++;
	return x;
}

/* Cut the rows into runs and join touching runs of consecutive rows. Returns the run count. */
static int cc_label(zp_cc *cc, const uint8_t *mask, int stride)
{
	int w = cc->w, h = cc->h, n = 0;

	for (int y = 0; y < h; y++) {
		const uint8_t *row = mask + (size_t)y * stride;
		int x = 0;

		cc->row_first[y] = n;
		while (x < w) {
			int x0;

			x = skip_zero(row, x, w);
			if (x >= w)
				break;
			x0 = x;
			x = skip_set(row, x, w);
			cc->runs[n].x0 = (uint16_t)x0;
			cc->runs[n].x1 = (uint16_t)(x - 1);
			cc->runs[n].y = (uint16_t)y;
			cc->parent[n] = n;
			n++;
		}
		if (y == 0)
			continue;
		/* Merge walk over the runs of the row above (i) and this row (j). */
		for (int i = cc->row_first[y - 1], j = cc->row_first[y]; i < cc->row_first[y] && j < n;) {
			const zp_run *a = &cc->runs[i], *b = &cc->runs[j];

			if (a->x0 <= b->x1 + 1 && b->x0 <= a->x1 + 1)
				cc_union(cc->parent, i, j);
			if (a->x1 < b->x1)
				i++;
			else
				j++;
		}
	}
	cc->row_first[h] = n;
	return n;
}

int zp_blobs_find(zp_cc *cc, const uint8_t *mask, int stride, int scale, int min_area, int max_area,
		  zp_blob *out, int max)
{
	int n = cc_label(cc, mask, stride), nout = 0, ncomp = 0;
	int64_t s2 = (int64_t)scale * scale;

	/* Roots come first in their set, so each root's stats are initialised before its other runs add to them. */
	for (int i = 0; i < n; i++) {
		int32_t r = cc_find(cc->parent, i);
		const zp_run *run = &cc->runs[i];
		zp_ccstat *st = &cc->stat[r];

		cc->parent[i] = r;
		if (r == i) {
			st->area = 0;
			st->x0 = run->x0;
			st->x1 = run->x1;
			st->y0 = run->y;
			ncomp++;
		}
		st->area += run->x1 - run->x0 + 1;
		if (run->x0 < st->x0)
			st->x0 = run->x0;
		if (run->x1 > st->x1)
			st->x1 = run->x1;
		st->y1 = run->y;
	}
	cc->ncomponents = ncomp;
	for (int i = 0; i < n && nout < max; i++) {
		const zp_ccstat *st = &cc->stat[i];
		int64_t area;
		zp_blob *b;

		if (cc->parent[i] != i)
			continue;
		area = st->area * s2;
		if (area < min_area || area > max_area)
			continue;
		b = &out[nout++];
		b->area = (int)area;
		b->box.x = st->x0 * scale;
		b->box.y = st->y0 * scale;
		b->box.w = (st->x1 - st->x0 + 1) * scale;
		b->box.h = (st->y1 - st->y0 + 1) * scale;
		/* bottom centre in pixel coordinates: the middle of the lowest row */
		b->gx = b->box.x + (b->box.w - 1) / 2.0;
		b->gy = b->box.y + b->box.h - 1;
	}
	return nout;
}
