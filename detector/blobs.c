/* SPDX-License-Identifier: MIT */
/*
 * blobs.c - connected components of the cleaned mask and the blob filter.
 *
 * Run based: each row is cut into runs of foreground pixels; a run is joined
 * (union-find) with every run of the row above that touches it, including
 * diagonally (8-connectivity). One pass over the pixels, one over the runs.
 * A mask has at most ceil(w/2) runs per row, so the buffers sized for that
 * in zp_cc_init() never overflow and nothing is allocated per frame.
 *
 * Groups at different depths: people walking side by side but at
 * different distances from the camera merge into one component whose
 * lowest row belongs to the nearest of them, so the one further back would
 * be placed (ground point) where the near one stands, often in another zone.
 * split_columns() looks at the component's lower edge column by column: a
 * run of columns whose lower edge is clearly higher than the component's
 * lowest row, that is wide enough and as tall as a person, is a person
 * standing further back, and becomes a blob of its own with its own ground
 * point. The gap between a walking person's legs is also a raised stretch
 * of lower edge, so inside the component (not at its ends) the stretch must
 * also be flat at the bottom, like feet, where a leg gap is an inverted V;
 * an arm, a bag or a backpack is raised but far shorter than a person.
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
	cc->y1 = h;
	cc->cap = (w + 1) / 2 * h;
	cc->runs = calloc((size_t)cc->cap, sizeof(*cc->runs));
	cc->parent = calloc((size_t)cc->cap, sizeof(*cc->parent));
	cc->stat = calloc((size_t)cc->cap, sizeof(*cc->stat));
	cc->row_first = calloc((size_t)h + 1, sizeof(*cc->row_first));
	cc->low = calloc((size_t)w, sizeof(*cc->low));
	cc->top = calloc((size_t)w, sizeof(*cc->top));
	cc->cnt = calloc((size_t)w, sizeof(*cc->cnt));
	if (!cc->runs || !cc->parent || !cc->stat || !cc->row_first || !cc->low || !cc->top || !cc->cnt) {
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
	free(cc->low);
	free(cc->top);
	free(cc->cnt);
	memset(cc, 0, sizeof(*cc));
}

size_t zp_cc_bytes(const zp_cc *cc)
{
	return (size_t)cc->cap * (sizeof(*cc->runs) + sizeof(*cc->parent) + sizeof(*cc->stat)) +
	       ((size_t)cc->h + 1) * sizeof(*cc->row_first) +
	       (size_t)cc->w * (sizeof(*cc->low) + sizeof(*cc->top) + sizeof(*cc->cnt));
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
 * Cut the rows into runs - of the set pixels, or with of_zero of the zero
 * pixels - and join the runs of consecutive rows that touch: reach 1 joins
 * diagonal neighbours too (8-connected), reach 0 only overlapping columns
 * (4-connected). Returns the run count; row_first[] and parent[] are set.
 * Rows outside [cc->y0, cc->y1) are zero: not read (no runs of set
 * pixels; one run of zeros across).
 */
static inline int cc_runs(zp_cc *cc, const uint8_t *mask, int stride, bool of_zero, int reach)
{
	int w = cc->w, h = cc->h, n = 0;

	for (int y = 0; y < h; y++) {
		const uint8_t *row = mask + (size_t)y * stride;
		int x = 0;

		cc->row_first[y] = n;
		if (y < cc->y0 || y >= cc->y1) {
			x = w;
			if (of_zero) {
				cc->runs[n].x0 = 0;
				cc->runs[n].x1 = (uint16_t)(w - 1);
				cc->runs[n].y = (uint16_t)y;
				cc->parent[n] = n;
				n++;
			}
		}
		while (x < w) {
			int x0;

			x = of_zero ? zp_skip_set(row, x, w) : zp_skip_zero(row, x, w);
			if (x >= w)
				break;
			x0 = x;
			x = of_zero ? zp_skip_zero(row, x, w) : zp_skip_set(row, x, w);
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

			if (a->x0 <= b->x1 + reach && b->x0 <= a->x1 + reach)
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

/* The foreground's 8-connected components. Returns the run count. */
static int cc_label(zp_cc *cc, const uint8_t *mask, int stride)
{
	return cc_runs(cc, mask, stride, false, 1);
}

/* Components shorter than this (work pixels) are never split. */
#define ZP_SPLIT_MIN_H 12
/* At most this many blobs from one component. */
#define ZP_SPLIT_MAX 8

/* Lower and upper edge and pixel count of component `root` in each of its columns (parent[] holds roots). */
static void comp_columns(zp_cc *cc, int32_t root, const zp_ccstat *st)
{
	for (int x = st->x0; x <= st->x1; x++) {
		cc->low[x] = -1;
		cc->top[x] = INT16_MAX;
		cc->cnt[x] = 0;
	}
	for (int i = cc->row_first[st->y0]; i < cc->row_first[st->y1 + 1]; i++) {
		const zp_run *r = &cc->runs[i];

		if (cc->parent[i] != root)
			continue;
		for (int x = r->x0; x <= r->x1; x++) {
			if (r->y > cc->low[x])
				cc->low[x] = (int16_t)r->y;
			if (r->y < cc->top[x])
				cc->top[x] = (int16_t)r->y;
			cc->cnt[x]++;
		}
	}
}

/* Columns a..b as tall as a person in a component hc rows tall (11/20: one further back still is). */
static bool tall_enough(const zp_cc *cc, int a, int b, int hc)
{
	int lo = -1, hi = INT16_MAX;

	for (int x = a; x <= b; x++) {
		lo = cc->low[x] > lo ? cc->low[x] : lo;
		hi = cc->top[x] < hi ? cc->top[x] : hi;
	}
	return 20 * (lo - hi + 1) >= 11 * hc;
}

/*
 * Is the raised stretch a..b (lower edge above the component's lowest row)
 * the feet of a person further back rather than the gap between a near
 * person's legs? Between legs the lower edge is an inverted V: lowest where
 * it meets the legs at the ends, highest (the crotch) in the middle. Feet
 * further back make a plateau: at least a third of the columns, some of
 * them in the middle half, within max(2, hc/16) rows of the stretch's
 * lowest point.
 */
static bool plateau(const zp_cc *cc, int a, int b, int hc)
{
	int lo = -1, tol = hc / 16 > 2 ? hc / 16 : 2, near = 0, mid = 0, q = (b - a + 1) / 4;

	for (int x = a; x <= b; x++)
		lo = cc->low[x] > lo ? cc->low[x] : lo;
	for (int x = a; x <= b; x++)
		if (cc->low[x] >= lo - tol) {
			near++;
			mid += x >= a + q && x <= b - q;
		}
	return 3 * near >= b - a + 1 && mid > 0;
}

/*
 * Cut the component at people standing further back (see the top of the
 * file): a run of columns whose lower edge is more than max(2, hc/8) rows
 * above the lowest row, at least max(2, hc/6) columns wide and
 * tall_enough(); at either end of the component that is enough, inside it
 * the run must also be a plateau() (not the gap between a near person's
 * legs). Writes column ranges, left to right, into seg; returns how many
 * (1..ZP_SPLIT_MAX).
 */
static int split_columns(zp_cc *cc, int32_t root, const zp_ccstat *st, int seg[ZP_SPLIT_MAX][2])
{
	int hc = st->y1 - st->y0 + 1, tol = hc / 8 > 2 ? hc / 8 : 2, minw = hc / 6 > 2 ? hc / 6 : 2;
	int a = st->x0, b = st->x1, n = 0, start = a;

	if (hc < ZP_SPLIT_MIN_H || b - a + 1 < 2 * minw) {
		seg[0][0] = a;
		seg[0][1] = b;
		return 1;
	}
	comp_columns(cc, root, st);
	for (int x = a; x <= b;) {
		int e = x;

		if (cc->low[x] >= st->y1 - tol) {
			x++;
			continue;
		}
		while (e < b && cc->low[e + 1] < st->y1 - tol)
			e++;
		/* the lowest row is some column's lower edge, so a raised run never spans the whole component */
		if (e - x + 1 >= minw && tall_enough(cc, x, e, hc) &&
		    (x == a || e == b || plateau(cc, x, e, hc)) && n + 2 < ZP_SPLIT_MAX) {
			if (x > start) {
				seg[n][0] = start;
				seg[n++][1] = x - 1;
			}
			seg[n][0] = x;
			seg[n++][1] = e;
			start = e + 1;
		}
		x = e + 1;
	}
	if (start <= b) {
		seg[n][0] = start;
		seg[n++][1] = b;
	}
	return n;
}

/* Blob of columns a..b of the component whose envelopes comp_columns() left in cc. */
static void segment_stat(const zp_cc *cc, int a, int b, zp_ccstat *out)
{
	out->area = 0;
	out->x0 = (uint16_t)a;
	out->x1 = (uint16_t)b;
	out->y0 = UINT16_MAX;
	out->y1 = 0;
	for (int x = a; x <= b; x++) {
		out->area += cc->cnt[x];
		if (cc->top[x] < out->y0)
			out->y0 = (uint16_t)cc->top[x];
		if (cc->low[x] > out->y1)
			out->y1 = (uint16_t)cc->low[x];
	}
}

/*
 * Shadow evidence of row y (or column x when col) of component root within
 * the box st: fg pixels of the component that are not shadow, and shadow
 * pixels (found before the clean-up, so mostly no longer in the mask)
 * between the component's first and last pixel on that line.
 */
static void line_stats(const zp_cc *cc, int32_t root, const uint8_t *shadow, const zp_ccstat *st, int y, int *fgn,
		       int *sh)
{
	int lo = INT16_MAX, hi = -1;
	const uint8_t *srow = shadow + (size_t)y * cc->w;

	*fgn = *sh = 0;
	for (int i = cc->row_first[y]; i < cc->row_first[y + 1]; i++) {
		const zp_run *r = &cc->runs[i];
		int a = r->x0 > st->x0 ? r->x0 : st->x0, b = r->x1 < st->x1 ? r->x1 : st->x1;

		if (cc->parent[i] != root || a > b)
			continue;
		lo = a < lo ? a : lo;
		hi = b > hi ? b : hi;
		for (int x = a; x <= b; x++)
			*fgn += !srow[x];
	}
	for (int x = lo; x <= hi; x++)
		*sh += srow[x] != 0;
}

/* Pixels of component root in column x, rows y0..y1: not shadow, and shadow between its first and last. */
static void column_stats(const zp_cc *cc, int32_t root, const uint8_t *shadow, int x, int y0, int y1, int *fgn,
			 int *sh)
{
	int lo = -1, hi = -1;

	*fgn = *sh = 0;
	for (int y = y0; y <= y1; y++)
		for (int i = cc->row_first[y]; i < cc->row_first[y + 1]; i++) {
			const zp_run *r = &cc->runs[i];

			if (cc->parent[i] != root || r->x0 > x || r->x1 < x)
				continue;
			lo = lo < 0 ? y : lo;
			hi = y;
			*fgn += !shadow[(size_t)y * cc->w + x];
		}
	for (int y = lo; lo >= 0 && y <= hi; y++)
		*sh += shadow[(size_t)y * cc->w + x] != 0;
}

/*
 * A shadow joined to the feet: rows at the bottom of the box whose shadow
 * pixels are at least a quarter of the rest of the row (the shadow's rim
 * and what the clean-up filled back stay foreground), then columns at the
 * left and right under the same rule, are cut off the box - at most half
 * of its height or width. A person's legs have no shadow pixels, so the cut stops
 * at the feet. The area is kept.
 */
static void trim_shadow(const zp_cc *cc, int32_t root, const uint8_t *shadow, zp_ccstat *st)
{
	int h = st->y1 - st->y0 + 1, w = st->x1 - st->x0 + 1, fgn, sh;

	/*
	 * Rows: the box ends above the highest row that is itself mostly shadow
	 * (as below) and below which, all rows together, the shadow still holds
	 * a quarter: rows where the shadow is too narrow for the window test
	 * (the legs' shadow right under the feet) are passed over, the legs
	 * above (no shadow pixels) are not.
	 */
	{
		int cut = -1, F = 0, S = 0;

		for (int y = st->y1; y > st->y0 + h / 2; y--) {
			line_stats(cc, root, shadow, st, y, &fgn, &sh);
			F += fgn;
			S += sh;
			if (sh > 0 && 4 * sh >= fgn && 4 * S >= F)
				cut = y;
		}
		if (cut > 0)
			st->y1 = (uint16_t)(cut - 1);
	}
	while (st->x0 < st->x1 - w / 2) {
		column_stats(cc, root, shadow, st->x0, st->y0, st->y1, &fgn, &sh);
		if (sh == 0 || 4 * sh < fgn)
			break;
		st->x0++;
	}
	while (st->x1 > st->x0 + w / 2) {
		column_stats(cc, root, shadow, st->x1, st->y0, st->y1, &fgn, &sh);
		if (sh == 0 || 4 * sh < fgn)
			break;
		st->x1--;
	}
}

/* Where emit() puts what is too small to be a blob. */
typedef struct piece_out {
	zp_piece *p;
	int max, n;
} piece_out;

/*
 * Scale a component (or a part of one) to input pixels and append it when
 * its area passes; one under min_area but not under ZP_PIECE_MIN_PCT % of
 * it is a piece.
 */
static int emit(const zp_ccstat *st, int32_t root, int scale, int min_area, int max_area, zp_blob *out, int nout,
		int max, piece_out *po)
{
	int64_t area = (int64_t)st->area * scale * scale;
	zp_rect box = { st->x0 * scale, st->y0 * scale, (st->x1 - st->x0 + 1) * scale, (st->y1 - st->y0 + 1) * scale };
	zp_blob *b;

	if (area < min_area && 100 * area >= (int64_t)ZP_PIECE_MIN_PCT * min_area && po->n < po->max) {
		po->p[po->n].box = box;
		po->p[po->n++].area = (int)area;
	}
	if (nout >= max || area < min_area || area > max_area)
		return nout;
	b = &out[nout++];
	memset(b, 0, sizeof(*b));
	b->root = root;
	b->area = (int)area;
	b->box = box;
	/* bottom centre in pixel coordinates: the middle of the lowest row */
	b->gx = b->box.x + (b->box.w - 1) / 2.0;
	b->gy = b->box.y + b->box.h - 1;
	return nout;
}

int zp_blobs_find(zp_cc *cc, const uint8_t *mask, int stride, int scale, int min_area, int max_area, bool split,
		  const uint8_t *shadow, zp_blob *out, int max, zp_piece *pieces, int max_pieces, int *npieces)
{
	int n = cc_label(cc, mask, stride), nout = 0, ncomp = 0;
	piece_out po = { pieces, pieces ? max_pieces : 0, 0 };

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
		int seg[ZP_SPLIT_MAX][2], ns;

		if (cc->parent[i] != i)
			continue;
		ns = split ? split_columns(cc, i, st, seg) : 1;
		for (int k = 0; k < ns; k++) {
			zp_ccstat part = *st;

			if (ns > 1)
				segment_stat(cc, seg[k][0], seg[k][1], &part);
			if (shadow)
				trim_shadow(cc, i, shadow, &part);
			nout = emit(&part, i, scale, min_area, max_area, out, nout, max, &po);
		}
	}
	if (npieces)
		*npieces = po.n;
	return nout;
}

/*
 * Holes: 4-connected runs of zero (the dual of the 8-connected foreground)
 * joined into components; those that touch no edge of the frame and have
 * at most max_area pixels are set to 255. Cost: the runs of the
 * background, one or two a row in a quiet frame.
 */
int zp_holes_fill(zp_cc *cc, uint8_t *mask, int stride, int max_area)
{
	int w = cc->w, h = cc->h, n = cc_runs(cc, mask, stride, true, 0), filled = 0;

	/* area in stat[root].area; x0 == 0 marks "touches an edge" */
	for (int i = 0; i < n; i++) {
		int32_t r = cc_find(cc->parent, i);
		const zp_run *run = &cc->runs[i];
		zp_ccstat *st = &cc->stat[r];
		bool edge = run->x0 == 0 || run->x1 == w - 1 || run->y == 0 || run->y == h - 1;

		cc->parent[i] = r;
		if (r == i) {
			st->area = 0;
			st->x0 = 1;
		}
		st->area += run->x1 - run->x0 + 1;
		if (edge)
			st->x0 = 0;
	}
	for (int i = 0; i < n; i++) {
		const zp_ccstat *st = &cc->stat[cc->parent[i]];
		const zp_run *run = &cc->runs[i];

		if (st->x0 == 0 || st->area > max_area)
			continue;
		memset(mask + (size_t)run->y * stride + run->x0, 255, (size_t)(run->x1 - run->x0 + 1));
		filled += run->x1 - run->x0 + 1;
	}
	return filled;
}
