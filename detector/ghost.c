/* SPDX-License-Identifier: MIT */
/*
 * ghost.c - is a blob the thing in front of the camera, or the place where
 * something was?
 *
 * A background model that learnt someone standing still (through the
 * warm-up, or after the hold ran out) shows, once he walks away, a "ghost":
 * the ground he uncovered differs from the model, which still holds him.
 * The blob of a ghost has the shape of the person, and a track on it looks
 * like a person who waits - it would keep a kerb occupied and be counted.
 *
 * What tells the two apart is where the blob's outline has its edges. The
 * outline of something really there is an edge in the current frame (the
 * object against what is behind it) and, usually, not in the background.
 * The outline of a ghost is an edge in the background (the learnt object
 * against its surroundings) and not in the frame, which shows plain ground
 * there. So along the blob's boundary pixels we sum the gradient magnitude
 * of the frame and of the background (|d/dx| + |d/dy|, central differences,
 * work scale). The tracker weighs the two sums over time (tracker.c); see
 * docs/detector.md.
 */
#include "detector_internal.h"

#include <stdlib.h>
#include <string.h>

/* The rows of the blob's box at work scale, and its columns [*x0, *x1]. */
static void work_box(const zp_blob *b, const zp_cc *cc, int scale, int *x0, int *x1, int *y0, int *y1)
{
	*x0 = b->box.x / scale;
	*x1 = (b->box.x + b->box.w) / scale - 1;
	*y0 = b->box.y / scale;
	*y1 = (b->box.y + b->box.h) / scale - 1;
	*y1 = *y1 < cc->h - 1 ? *y1 : cc->h - 1;
}

/* Run i clipped to the blob: false when it is another component's or outside [x0, x1]. */
static bool blob_run(const zp_blob *b, const zp_cc *cc, int i, int x0, int x1, int *rx0, int *rx1)
{
	const zp_run *r = &cc->runs[i];

	*rx0 = r->x0 > x0 ? r->x0 : x0;
	*rx1 = r->x1 < x1 ? r->x1 : x1;
	return cc->parent[i] == b->root && *rx0 <= *rx1;
}

void zp_blob_edges(zp_blob *b, const zp_cc *cc, const uint8_t *mask, int scale, const uint8_t *in, int istride,
		   const uint8_t *bg)
{
	const int w = cc->w, h = cc->h;
	int64_t ef = 0, eb = 0;
	int n = 0;

	int x0, x1, y0, y1, rx0, rx1;

	work_box(b, cc, scale, &x0, &x1, &y0, &y1);
	for (int i = cc->row_first[y0]; i < cc->row_first[y1 + 1]; i++) {
		int y = cc->runs[i].y;
		const uint8_t *m = mask + (size_t)y * w;
		const uint8_t *f = in + (size_t)y * istride, *g = bg + (size_t)y * w;

		if (!blob_run(b, cc, i, x0, x1, &rx0, &rx1) || y < 1 || y > h - 2)
			continue;
		for (int x = rx0 < 1 ? 1 : rx0; x <= rx1 && x < w - 1; x++) {
			if (m[x - 1] && m[x + 1] && m[x - w] && m[x + w])
				continue; /* inside the blob */
			ef += abs(f[x + 1] - f[x - 1]) + abs(f[x + istride] - f[x - istride]);
			eb += abs(g[x + 1] - g[x - 1]) + abs(g[x + w] - g[x - w]);
			n++;
		}
	}
	b->edge_frame = (int32_t)(ef < INT32_MAX ? ef : INT32_MAX);
	b->edge_bg = (int32_t)(eb < INT32_MAX ? eb : INT32_MAX);
	b->edge_n = n;
}

void zp_blob_paint(const zp_blob *b, const zp_cc *cc, int scale, uint8_t *dst)
{
	int x0, x1, y0, y1, rx0, rx1;

	work_box(b, cc, scale, &x0, &x1, &y0, &y1);
	for (int i = cc->row_first[y0]; i < cc->row_first[y1 + 1]; i++)
		if (blob_run(b, cc, i, x0, x1, &rx0, &rx1))
			memset(dst + (size_t)cc->runs[i].y * cc->w + rx0, 255, (size_t)(rx1 - rx0 + 1));
}
