/* SPDX-License-Identifier: MIT */
/*
 * shadow.c - foreground pixels that are only a shadow (or a patch of shade)
 * go back to background before the clean-up.
 *
 * A cast shadow darkens the ground by a factor (0.3..0.9 in sunlight, less
 * under a cloud) and keeps what the ground looks like: its texture and its
 * colour. A person changes both. So a foreground pixel whose 3x3
 * neighbourhood is the background's, only darker, is a shadow:
 *
 *   ratio  r = sum(x) / sum(b) over the 3x3 window, within
 *          [shadow_min_ratio, shadow_max_ratio];
 *   texture where the background has some (variance of b over the window
 *          >= ZP_SH_TEXTURE): the normalised cross-correlation of x and b
 *          is >= ZP_SH_NCC_PCT % (the same pattern, only darker);
 *   colour where it has none (flat ground), only when the frame has
 *          colour and the ground is coloured (|B - Y| + |R - Y| of the
 *          background >= ZP_SH_MIN_CHROMA: grass, coloured paving): the
 *          chroma of the pixel is the background's scaled by r, within
 *          ZP_SH_CHROMA. A darker patch on flat grey ground may as well be a
 *          grey coat - its chroma is "kept" too - so it stays foreground
 *          (neither luma nor colour can tell; see docs/quality.md).
 *
 * A shadow is a region: a pixel whose window passed alone is dropped (a
 * chance match on a person). The shadow's rim (the penumbra, where the
 * frame has an edge that the background lacks) fails the texture test and
 * stays foreground; growing the shadow into it also eats the feet and legs
 * of the person who casts it (measured: CDnet recall -0.5 to -2 %), so the
 * rim is left to the blob stage instead: the shadow pixels found here are
 * kept in `mark`, and blobs.c trims box rows at the bottom (and columns at
 * the sides) that are mostly shadow, so a shadow joined to the feet does
 * not move the ground point (zp_blobs_find).
 *
 * Pools of light (headlights sweeping the road at night, a lamp) are the
 * same test the other way, in low light only (the caller's `pools`; by
 * day the tile gains of exposure.c take patches of sun): a foreground
 * window that is the background brighter by a ratio within
 * [ZP_LIT_MIN_PCT, ZP_LIT_MAX_PCT] %, with its texture kept where the
 * background has texture (NCC, and a slope of the ratio: light multiplies,
 * a paler copy of the ground adds). On flat ground (asphalt) a brighter
 * flat patch may as well be a pale coat; what tells them apart is the
 * pool's extent: light spreads smoothly, so along each axis the ratios
 * ZP_LIT_RING work pixels away on either side average to the window's
 * (ring_agrees()). The pool then grows into its rim and around people
 * standing in it (grow_pools()), and a lit region closed by an object's
 * edges - the flat inside of a pale coat - goes back to foreground unless
 * it is larger than ZP_LIT_REGION_PEOPLE of the smallest people
 * (keep_open_pools()). Only with `light_pools`.
 *
 * Colour needs a background for the chroma. It is kept at work scale, two
 * int16 planes, learnt from background pixels only: every row in the
 * warm-up, then one row in ZP_SH_ROWS each frame (round robin, so its cost
 * is small and it is the same on every run), at the model's rate sped up
 * by the same factor. The chroma of a work pixel is the mean over its
 * scale x scale block of camera pixels.
 *
 * Cost: the tests run on foreground pixels only (a few per cent of the
 * frame), the chroma background on 1/ZP_SH_ROWS of the frame.
 */
#include "detector_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Background variance over the 3x3 window (sum of squares about the mean, / 9) that counts as texture. */
#define ZP_SH_TEXTURE 12
/* Normalised cross-correlation of frame and background that says "the same pattern", per cent. */
#define ZP_SH_NCC_PCT 80
/* Largest chroma distance |u - r u_b| + |v - r v_b| of a shadow, levels. */
#define ZP_SH_CHROMA 8
/* Smallest background chroma |u_b| + |v_b| the colour test uses: grey ground says nothing (nor a grey coat). */
#define ZP_SH_MIN_CHROMA 12
/* Backgrounds darker than this (mean of the window) say nothing about shadows. */
#define ZP_SH_MIN_BG 24
/* A shadow pixel found by the window test needs this many of its 8 neighbours found too. */
#define ZP_SH_SEEDS 3
/* The chroma background learns one row in this many per frame after the warm-up. */
#define ZP_SH_ROWS 8
/* A light pool brightens by this ratio band, per cent (a lamp on dark asphalt: 1.2 to 3). */
#define ZP_LIT_MIN_PCT 115
#define ZP_LIT_MAX_PCT 400
/* Backgrounds darker than this say nothing about light (the noise is a large ratio there). */
#define ZP_LIT_MIN_BG 8
/* Flat ground: the ring of windows this far away (work pixels) must agree with the ratio within this, per cent. */
#define ZP_LIT_RING 6
#define ZP_LIT_RING_PCT 8
/* A lit region stays lit when at most this share of its outer contacts are an object's edge, per cent, */
#define ZP_LIT_EDGE_PCT 20
/* or when it is larger than this many of the smallest people (min_area). */
#define ZP_LIT_REGION_PEOPLE 8
/* A contact is an object's edge when this many work pixels further out half the brightening is gone, */
#define ZP_LIT_STEP 3
/* or the ratio differs by this much, per cent of the larger. */
#define ZP_LIT_STEP_PCT 25
/* Textured ground: the frame's slope against the background is the ratio within this, per cent. */
#define ZP_LIT_SLOPE_PCT 25
/* A pool grows into neighbours brightened by the same ratio within this, per cent, down to ZP_LIT_GROW_MIN_PCT. */
#define ZP_LIT_GROW_PCT 5
#define ZP_LIT_GROW_MIN_PCT 105

int zp_shadow_init(zp_shadow *s, int ww, int wh)
{
	memset(s, 0, sizeof(*s));
	s->w = ww;
	s->h = wh;
	s->u = calloc((size_t)ww * wh, sizeof(*s->u));
	s->v = calloc((size_t)ww * wh, sizeof(*s->v));
	s->list = calloc((size_t)ww * wh, sizeof(*s->list));
	if (!s->u || !s->v || !s->list) {
		zp_shadow_fini(s);
		return ZP_ENOMEM;
	}
	return 0;
}

void zp_shadow_fini(zp_shadow *s)
{
	free(s->u);
	free(s->v);
	free(s->list);
	memset(s, 0, sizeof(*s));
}

size_t zp_shadow_bytes(const zp_shadow *s)
{
	return (size_t)s->w * s->h * (sizeof(*s->u) + sizeof(*s->v) + sizeof(*s->list));
}

/*
 * Chroma of work pixel (x, y): mean B - Y and R - Y over its block of
 * camera pixels, Y = BT.601 luma of the mean, in 1/16 levels (integer
 * arithmetic, rounded); divided by gain (a compensated gain step scales
 * colour as it scales luma).
 */
static int64_t div_round(int64_t num, int64_t den)
{
	return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}

static inline void block_chroma(const zp_frame *f, int scale, int x, int y, double inv_gain, int *u, int *v)
{
	unsigned b = 0, g = 0, r = 0;
	int64_t Y, den = (int64_t)scale * scale * 1024;

	if (scale == 2) { /* the default scale, unrolled: this runs on a quarter of the frame every frame */
		const uint8_t *p = f->bgr + (size_t)(y * 2) * f->bgr_stride + (size_t)x * 6, *q = p + f->bgr_stride;

		b = (unsigned)p[0] + p[3] + q[0] + q[3];
		g = (unsigned)p[1] + p[4] + q[1] + q[4];
		r = (unsigned)p[2] + p[5] + q[2] + q[5];
	} else {
		for (int j = 0; j < scale; j++) {
			const uint8_t *p = f->bgr + (size_t)(y * scale + j) * f->bgr_stride + (size_t)x * scale * 3;

			for (int i = 0; i < scale; i++, p += 3) {
				b += p[0];
				g += p[1];
				r += p[2];
			}
		}
	}
	/* BT.601 luma in 1/16384: 0.114, 0.587, 0.299 -> 1868, 9617, 4899 (sum 16384); integer, the same everywhere */
	Y = 1868 * (int64_t)b + 9617 * (int64_t)g + 4899 * (int64_t)r;
	if (scale == 1 || scale == 2 || scale == 4) {
		/* den a power of two: a shift (rounding half up; arithmetic shift, as on every machine we build for) */
		int sh = scale == 1 ? 10 : scale == 2 ? 12 : 14;

		*u = (int)(((int64_t)b * 16384 - Y + (den >> 1)) >> sh);
		*v = (int)(((int64_t)r * 16384 - Y + (den >> 1)) >> sh);
	} else {
		*u = (int)div_round((int64_t)b * 16384 - Y, den);
		*v = (int)div_round((int64_t)r * 16384 - Y, den);
	}
	if (inv_gain != 1.0) {
		*u = (int)lrint(*u * inv_gain);
		*v = (int)lrint(*v * inv_gain);
	}
}

/* Chroma of the frame where work pixel (x, y) of the background is: moved by the camera sway, within the frame. */
static inline void scene_chroma(const zp_shadow *s, const zp_frame *f, int scale, int x, int y, double inv_gain,
				int *u, int *v)
{
	int fx = x + s->dx, fy = y + s->dy;

	fx = fx < 0 ? 0 : fx >= s->w ? s->w - 1 : fx;
	fy = fy < 0 ? 0 : fy >= s->h ? s->h - 1 : fy;
	block_chroma(f, scale, fx, fy, inv_gain, u, v);
}

void zp_shadow_learn(zp_shadow *s, const zp_frame *f, int scale, double gain, const uint8_t *fg, bool warmup,
		     int learn_shift)
{
	double inv = gain > 0 ? 1.0 / gain : 1.0;
	int y0 = 0, step = 1, sh;

	if (!f->bgr)
		return;
	if (!s->have) {
		warmup = true; /* first colour frame: every pixel */
		learn_shift = 0;
	} else if (!warmup) {
		y0 = (int)(s->row++ % ZP_SH_ROWS);
		step = ZP_SH_ROWS;
	}
	/* one row in ZP_SH_ROWS learns ZP_SH_ROWS times as fast (shift 3 less), at least shift 1 */
	sh = warmup ? (learn_shift < 3 ? learn_shift : 3) : (learn_shift - 3 > 1 ? learn_shift - 3 : 1);
	for (int y = y0; y < s->h; y += step) {
		int16_t *pu = s->u + (size_t)y * s->w, *pv = s->v + (size_t)y * s->w;
		const uint8_t *m = fg + (size_t)y * s->w;

		for (int x = 0; x < s->w; x++) {
			int u, v;

			if (s->have && m[x])
				continue;
			scene_chroma(s, f, scale, x, y, inv, &u, &v);
			if (sh == 0) {
				pu[x] = (int16_t)u;
				pv[x] = (int16_t)v;
			} else {
				/* arithmetic shift of a signed difference: floor, same on every machine we build for */
				pu[x] = (int16_t)(pu[x] + ((u - pu[x]) / (1 << sh)));
				pv[x] = (int16_t)(pv[x] + ((v - pv[x]) / (1 << sh)));
			}
		}
	}
	s->have = true;
}

/* Is the colour of (x, y) the background's, darkened by r? */
static bool chroma_kept(const zp_shadow *s, const zp_frame *f, int scale, double inv_gain, int x, int y, double r)
{
	size_t i = (size_t)y * s->w + x;
	int u, v;

	if (abs(s->u[i]) + abs(s->v[i]) < 16 * ZP_SH_MIN_CHROMA)
		return false;
	scene_chroma(s, f, scale, x, y, inv_gain, &u, &v);
	return (fabs(u - r * s->u[i]) + fabs(v - r * s->v[i])) / 16.0 <= ZP_SH_CHROMA;
}

/* Append pixel i to the marked list and mark it with ratio v (1..255). */
static inline void mark_px(zp_shadow *s, uint8_t *mark, int32_t i, int v)
{
	mark[i] = (uint8_t)v;
	s->list[s->nlist++] = i;
}

/* One column of the 3x3 window: its three pixels of frame (x) and background (b), summed. */
struct win_col {
	int x, b, xx, bb, xb;
};

static inline struct win_col win_column(const uint8_t *a, int astride, const uint8_t *b, int bstride, int x)
{
	struct win_col c = { 0, 0, 0, 0, 0 };

	for (int j = 0; j < 3; j++) {
		int u = a[(size_t)j * astride + x], v = b[(size_t)j * bstride + x];

		c.x += u;
		c.b += v;
		c.xx += u * u;
		c.bb += v * v;
		c.xb += u * v;
	}
	return c;
}

/* The 3x3 window's sums around (x, y), 1 <= x < w - 1, 1 <= y < h - 1. */
static inline struct win_col win_at(const uint8_t *in, int istride, const uint8_t *bg, int w, int x, int y)
{
	const uint8_t *a = in + (size_t)(y - 1) * istride, *b = bg + (size_t)(y - 1) * w;
	struct win_col c = { 0, 0, 0, 0, 0 };

	for (int k = -1; k <= 1; k++) {
		struct win_col d = win_column(a, istride, b, w, x + k);

		c.x += d.x;
		c.b += d.b;
		c.xx += d.xx;
		c.bb += d.bb;
		c.xb += d.xb;
	}
	return c;
}

/*
 * The window is lit ground: the background brighter by a ratio within
 * [min_pct, ZP_LIT_MAX_PCT] %, its texture kept (NCC, as for shadows), or,
 * on flat ground, no new structure (the frame's variance within the
 * background's scaled by the ratio, plus twice ZP_SH_TEXTURE of noise).
 */
static bool lit_window(struct win_col c, int min_pct, bool *flat)
{
	int64_t vb9, vx9, cov9;

	if (c.b < 9 * ZP_LIT_MIN_BG || 100 * (int64_t)c.x < (int64_t)min_pct * c.b ||
	    100 * (int64_t)c.x > (int64_t)ZP_LIT_MAX_PCT * c.b)
		return false;
	vb9 = 9 * (int64_t)c.bb - (int64_t)c.b * c.b;
	vx9 = 9 * (int64_t)c.xx - (int64_t)c.x * c.x;
	*flat = vb9 < 81 * ZP_SH_TEXTURE;
	if (!*flat) {
		int64_t dev;

		cov9 = 9 * (int64_t)c.xb - (int64_t)c.x * c.b;
		/* light multiplies: the frame against the background has the slope of the ratio, not 1 (a paler copy) */
		dev = cov9 * c.b - (int64_t)c.x * vb9;
		return vx9 > 0 && cov9 > 0 &&
		       10000 * cov9 * cov9 >= (int64_t)ZP_SH_NCC_PCT * ZP_SH_NCC_PCT * vx9 * vb9 &&
		       100 * (dev < 0 ? -dev : dev) <= (int64_t)ZP_LIT_SLOPE_PCT * c.x * vb9;
	}
	return vx9 * c.b * c.b <= vb9 * c.x * c.x + (int64_t)2 * 81 * ZP_SH_TEXTURE * c.b * c.b;
}

/* win_at() around (x, y) clamped into the frame (w x h). */
static inline struct win_col win_clamped(const uint8_t *in, int istride, const uint8_t *bg, int w, int h, int x, int y)
{
	return win_at(in, istride, bg, w, x < 1 ? 1 : x > w - 2 ? w - 2 : x, y < 1 ? 1 : y > h - 2 ? h - 2 : y);
}

/*
 * Light on flat ground spreads smoothly: along each of the four axes the
 * ratios of the windows ZP_LIT_RING away on either side average to this
 * window's, within ZP_LIT_RING_PCT % (the ratio is locally a plane; a coat
 * has ground on both sides that did not brighten as it did).
 */
static bool ring_agrees(const uint8_t *in, int istride, const uint8_t *bg, int w, int h, int x, int y, int sx, int sb)
{
	static const signed char dir[4][2] = { { 1, 0 }, { 0, 1 }, { 1, 1 }, { 1, -1 } };
	double r = (double)sx / sb;
	int axes = 0;

	for (int k = 0; k < 4; k++) {
		int dx = dir[k][0] * ZP_LIT_RING, dy = dir[k][1] * ZP_LIT_RING;
		struct win_col a = win_clamped(in, istride, bg, w, h, x + dx, y + dy);
		struct win_col c = win_clamped(in, istride, bg, w, h, x - dx, y - dy);

		if (a.b < 9 * ZP_LIT_MIN_BG || c.b < 9 * ZP_LIT_MIN_BG)
			continue; /* black ground says nothing */
		if (fabs((double)a.x / a.b + (double)c.x / c.b - 2 * r) > 2 * r * ZP_LIT_RING_PCT / 100.0)
			return false;
		axes++;
	}
	return axes >= 2;
}

/* Pixel i is marked lit (255, a whole window in the frame, brighter than the background); c: its window. */
static bool lit_mark(const zp_shadow *s, const uint8_t *in, int istride, const uint8_t *bg, const uint8_t *mark,
		     int32_t i, struct win_col *c)
{
	int x = (int)(i % s->w), y = (int)(i / s->w);

	if (mark[i] != 255 || x < 1 || x > s->w - 2 || y < 1 || y > s->h - 2)
		return false;
	*c = win_at(in, istride, bg, s->w, x, y);
	return c->x > c->b;
}

/*
 * A pool's rim and the ground around a person standing in it fail the
 * ring test (the light fades there; the ring reaches the person). They
 * are lit ground all the same when they join the pool: a foreground pixel
 * next to a pool pixel whose window is lit ground (ratio down to
 * ZP_LIT_GROW_MIN_PCT %) brightened by the same ratio within
 * ZP_LIT_GROW_PCT % joins it. A person's edge is structure in the frame
 * (not flat), his clothes another ratio: the pool stops at him. Breadth
 * first from the marked pixels, in list order: deterministic.
 */
static void grow_pools(zp_shadow *s, const uint8_t *in, int istride, const uint8_t *bg, const uint8_t *fg,
		       uint8_t *mark)
{
	int w = s->w, h = s->h;

	for (int k = 0; k < s->nlist; k++) {
		int32_t i = s->list[k];
		int x = (int)(i % w), y = (int)(i / w);
		struct win_col c;

		if (!lit_mark(s, in, istride, bg, mark, i, &c))
			continue;
		for (int j = -1; j <= 1; j++)
			for (int d = -1; d <= 1; d++) {
				int qx = x + d, qy = y + j;
				int32_t q = (int32_t)((size_t)qy * w + qx);
				struct win_col e;
				int64_t diff;
				bool flat;

				if ((!j && !d) || qx < 1 || qx > w - 2 || qy < 1 || qy > h - 2 || !fg[q] || mark[q])
					continue;
				e = win_at(in, istride, bg, w, qx, qy);
				if (!lit_window(e, ZP_LIT_GROW_MIN_PCT, &flat))
					continue;
				diff = (int64_t)e.x * c.b - (int64_t)c.x * e.b;
				if (100 * (diff < 0 ? -diff : diff) <= (int64_t)ZP_LIT_GROW_PCT * c.x * e.b)
					mark_px(s, mark, q, 255);
			}
	}
}

/*
 * The region's pixel (vx, vy), window v, meets a pixel outside it in
 * direction (dx, dy): an object's edge when, ZP_LIT_STEP work pixels
 * further out, more than half of the brightening is gone (a coat against the ground it stands on) or
 * the ratio differs by more than ZP_LIT_STEP_PCT % (a pale coat in a pool
 * of light); the fading rim of a pool changes over tens of pixels.
 */
static bool lit_edge(const uint8_t *in, int istride, const uint8_t *bg, int w, int h, int vx, int vy,
		     struct win_col v, int dx, int dy)
{
	int ox = vx + dx * ZP_LIT_STEP, oy = vy + dy * ZP_LIT_STEP, cx = v.x, cb = v.b, ax, ab;
	struct win_col o;
	int64_t d, big;

	if (ox < 0 || ox >= w || oy < 0 || oy >= h)
		return false;
	o = win_clamped(in, istride, bg, w, h, ox, oy);
	ax = o.x;
	ab = o.b;
	if (cb <= 0 || ab <= 0 || cx <= cb)
		return false;
	/* d = (rv - ro) cb ab: rv - ro > (rv - 1) / 2, or |rv - ro| > ZP_LIT_STEP_PCT % of the larger */
	d = (int64_t)cx * ab - (int64_t)ax * cb;
	big = (int64_t)cx * ab > (int64_t)ax * cb ? (int64_t)cx * ab : (int64_t)ax * cb;
	return 2 * d > (int64_t)(cx - cb) * ab || 100 * (d < 0 ? -d : d) > (int64_t)ZP_LIT_STEP_PCT * big;
}

/*
 * Light comes from outside what it falls on: a pool's edge fades into the
 * ground around it. Each 4-connected region of lit pixels (mark 255,
 * brighter than the background) keeps its marks when at most
 * ZP_LIT_EDGE_PCT % of its outer contacts (4-neighbours not in it) are an
 * object's edge (lit_edge()), or when it has min_region pixels or more;
 * the flat inside of a pale coat is closed by the coat's edges and goes
 * back to foreground. Regions in list order, breadth first (visited: mark
 * 254; kept: 253, then 255 again): deterministic. s->list is compacted.
 */
static void keep_open_pools(zp_shadow *s, const uint8_t *in, int istride, const uint8_t *bg, const uint8_t *fg,
			    uint8_t *mark, int min_region)
{
	int w = s->w, h = s->h, kept = 0;
	/* the queue: the list's free end; a region is in the list, so it fits while the list is under half full */
	int32_t *q = s->list + s->nlist;

	if (s->nlist > w / 2 * h)
		return; /* over half the work frame lit: no region in it is under a few people */

	for (int k = 0; k < s->nlist; k++) {
		int32_t i = s->list[k];
		int n = 0, contacts = 0, closed = 0;
		struct win_col c;

		if (!lit_mark(s, in, istride, bg, mark, i, &c))
			continue;
		/* a new region: visit it (mark 254), counting its contacts */
		mark[i] = 254;
		q[n++] = i;
		for (int j = 0; j < n; j++) {
			int32_t v = q[j];
			int vx = (int)(v % w), vy = (int)(v / w);
			static const signed char dir[4][2] = { { -1, 0 }, { 1, 0 }, { 0, -1 }, { 0, 1 } };
			struct win_col cv = { 0, 0, 0, 0, 0 };
			bool have_cv = false; /* v's window, taken once at its first contact with foreground */

			for (int e = 0; e < 4; e++) {
				int ux = vx + dir[e][0], uy = vy + dir[e][1];
				int32_t u = (int32_t)((size_t)uy * w + ux);
				bool edge;

				if (ux < 0 || ux >= w || uy < 0 || uy >= h)
					continue;
				if (mark[u] == 255) {
					mark[u] = 254;
					q[n++] = u;
				} else if (mark[u] != 254) {
					if (fg[u] && !have_cv) {
						cv = win_clamped(in, istride, bg, w, h, vx, vy);
						have_cv = true;
					}
					edge = fg[u] && lit_edge(in, istride, bg, w, h, vx, vy, cv, dir[e][0], dir[e][1]);
					contacts++;
					closed += edge;
				}
			}
		}
		for (int j = 0; j < n; j++)
			mark[q[j]] = n >= min_region || 100 * (int64_t)closed <= (int64_t)ZP_LIT_EDGE_PCT * contacts ? 253 : 0;
	}
	/* 253: a lit region that stays; back to 255, and the list without the dropped */
	for (int k = 0; k < s->nlist; k++) {
		int32_t i = s->list[k];

		if (!mark[i])
			continue;
		if (mark[i] == 253)
			mark[i] = 255;
		s->list[kept++] = i;
	}
	s->nlist = kept;
}

int zp_shadow_filter(zp_shadow *s, const zp_detector_params *p, const zp_frame *f, int scale, double gain,
		     bool pools, const uint8_t *in, int istride, const uint8_t *bg, uint8_t *fg, uint8_t *mark, int y0,
		     int y1)
{
	bool colour = p->shadows == 2 && f->bgr && s->have;
	double inv = gain > 0 ? 1.0 / gain : 1.0;
	int w = s->w, h = s->h, n = 0, kept = 0;
	/* the ratio band in 1/256 steps: 256 sx >= lo sb and 256 sx <= hi sb */
	int64_t lo = (int64_t)(p->shadow_min_ratio * 256 + 0.5), hi = (int64_t)(p->shadow_max_ratio * 256 + 0.5);

	/* last frame's marks off (the list holds every marked pixel) */
	for (int k = 0; k < s->nlist; k++)
		mark[s->list[k]] = 0;
	s->nlist = 0;
	for (int y = y0 > 1 ? y0 : 1; y < h - 1 && y < y1; y++) {
		const uint8_t *m = fg + (size_t)y * w;
		const uint8_t *a = in + (size_t)(y - 1) * istride, *b = bg + (size_t)(y - 1) * w;
		/* the window's three columns, x - 1 .. x + 1, valid when cx == x - 1 (a run goes on) */
		struct win_col c[3] = { { 0 } };
		int cx = -2;

		for (int x = 1; x < w - 1; x++) {
			int sx, sb, sxx, sbb, sxb;
			int64_t vb9, vx9, cov9;

			if (!m[x]) {
				/* on to the next foreground pixel (the loop's x++ lands on it) */
				x = zp_skip_zero(m, x, w - 1) - 1;
				continue;
			}
			/* along a run of foreground the window slides: one new column, not nine pixels */
			if (cx == x - 1) {
				c[0] = c[1];
				c[1] = c[2];
			} else {
				c[0] = win_column(a, istride, b, w, x - 1);
				c[1] = win_column(a, istride, b, w, x);
			}
			c[2] = win_column(a, istride, b, w, x + 1);
			cx = x;
			sx = c[0].x + c[1].x + c[2].x;
			sb = c[0].b + c[1].b + c[2].b;
			sxx = c[0].xx + c[1].xx + c[2].xx;
			sbb = c[0].bb + c[1].bb + c[2].bb;
			sxb = c[0].xb + c[1].xb + c[2].xb;
			if (pools && sx > sb) {
				struct win_col wc = { sx, sb, sxx, sbb, sxb };
				bool flat;

				/* a pool of light: texture kept, or flat with the light spread around it */
				if (lit_window(wc, ZP_LIT_MIN_PCT, &flat) &&
				    (!flat || ring_agrees(in, istride, bg, w, h, x, y, sx, sb)))
					mark_px(s, mark, (int32_t)((size_t)y * w + x), 255);
				continue;
			}
			if (!p->shadows || sb < 9 * ZP_SH_MIN_BG || 256 * (int64_t)sx < lo * sb || 256 * (int64_t)sx > hi * sb)
				continue;
			/* 81 x the variances and the covariance of the window, exact in integers */
			vb9 = 9 * (int64_t)sbb - (int64_t)sb * sb;
			if (vb9 >= 81 * ZP_SH_TEXTURE) {
				vx9 = 9 * (int64_t)sxx - (int64_t)sx * sx;
				cov9 = 9 * (int64_t)sxb - (int64_t)sx * sb;
				/* NCC >= ZP_SH_NCC_PCT / 100, squared */
				if (vx9 <= 0 || cov9 <= 0 ||
				    10000 * cov9 * cov9 < (int64_t)ZP_SH_NCC_PCT * ZP_SH_NCC_PCT * vx9 * vb9)
					continue;
				/* with colour, the texture test alone decides on textured ground */
			} else if (!colour || !chroma_kept(s, f, scale, inv, x, y, (double)sx / sb)) {
				continue;
			}
			/* the shadow's ratio, 1..255 (never 0: 0 is "no shadow") */
			mark_px(s, mark, (int32_t)((size_t)y * w + x), sx >= sb ? 255 : (255 * sx + sb / 2) / sb > 1 ?
				(255 * sx + sb / 2) / sb : 1);
		}
	}
	/*
	 * A shadow is a region: a window that passed alone (fewer than
	 * ZP_SH_SEEDS of its 8 neighbours passed too) is a chance match on a
	 * person or a changed scene, not a shadow. Pruned in place in raster
	 * order, so a pixel sees its earlier neighbours already pruned: the
	 * order is fixed, the result deterministic, and it only errs towards
	 * foreground.
	 */
	for (int k = 0; k < s->nlist; k++) {
		int32_t i = s->list[k];
		int c = 0;

		for (int j = -1; j <= 1; j++)
			for (int d = -1; d <= 1; d++)
				c += (j || d) && mark[i + (ptrdiff_t)j * w + d];
		if (c < ZP_SH_SEEDS)
			mark[i] = 0;
		else
			s->list[kept++] = i;
	}
	s->nlist = kept;
	/* pools: grown into their rims, then the regions closed by an object's edges dropped */
	if (pools) {
		grow_pools(s, in, istride, bg, fg, mark);
		keep_open_pools(s, in, istride, bg, fg, mark,
				ZP_LIT_REGION_PEOPLE * (p->min_area > 0 ? p->min_area : 1) / (scale * scale) + 1);
	}
	/* the frame's border (no full window there) follows the pixel inside it */
	for (int x = 0; x < w && h >= 3 && w >= 3; x++) {
		int xi = x < 1 ? 1 : x > w - 2 ? w - 2 : x;

		if (fg[x] && mark[w + xi])
			mark_px(s, mark, x, mark[w + xi]);
		if (fg[(size_t)(h - 1) * w + x] && mark[(size_t)(h - 2) * w + xi])
			mark_px(s, mark, (int32_t)((size_t)(h - 1) * w + x), mark[(size_t)(h - 2) * w + xi]);
	}
	for (int y = 1; y < h - 1 && w >= 3; y++) {
		if (fg[(size_t)y * w] && mark[(size_t)y * w + 1])
			mark_px(s, mark, (int32_t)((size_t)y * w), mark[(size_t)y * w + 1]);
		if (fg[(size_t)y * w + w - 1] && mark[(size_t)y * w + w - 2])
			mark_px(s, mark, (int32_t)((size_t)y * w + w - 1), mark[(size_t)y * w + w - 2]);
	}
	for (int k = 0; k < s->nlist; k++) {
		fg[s->list[k]] = 0;
		n++;
	}
	return n;
}

/*
 * The chroma distance that says "another colour", 1/16 levels of
 * |B - Y - u_b| + |R - Y - v_b|: 40 levels. Leaves against the sky differ
 * from their mean by about half of that; a coloured coat from grey or
 * green ground by more.
 */
#define ZP_CAMO_CHROMA (40 * 16)

int zp_shadow_colour_fill(const zp_shadow *s, const zp_frame *f, int scale, double gain, uint8_t *mask,
			  const uint8_t *mark, const zp_blob *blobs, int nblobs)
{
	double inv = gain > 0 ? 1.0 / gain : 1.0;
	int set = 0;

	if (!f->bgr || !s->have)
		return 0;
	for (int b = 0; b < nblobs; b++) {
		int x0 = blobs[b].box.x / scale, y0 = blobs[b].box.y / scale;
		int x1 = (blobs[b].box.x + blobs[b].box.w) / scale, y1 = (blobs[b].box.y + blobs[b].box.h) / scale;

		x1 = x1 < s->w ? x1 : s->w;
		y1 = y1 < s->h ? y1 : s->h;
		for (int y = y0; y < y1; y++) {
			uint8_t *m = mask + (size_t)y * s->w;
			const int16_t *pu = s->u + (size_t)y * s->w, *pv = s->v + (size_t)y * s->w;

			for (int x = x0; x < x1; x++) {
				int u, v;

				if (m[x] || (mark && mark[(size_t)y * s->w + x]))
					continue;
				scene_chroma(s, f, scale, x, y, inv, &u, &v);
				if (abs(u - pu[x]) + abs(v - pv[x]) > ZP_CAMO_CHROMA) {
					m[x] = 255;
					set++;
				}
			}
		}
	}
	return set;
}
