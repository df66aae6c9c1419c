/* SPDX-License-Identifier: MIT */
/*
 * Detector on real video: opencv-doc's vtest.avi (PETS 2009 S2.L1 view 1,
 * 795 frames 768x576 at 10 fps, people walking across a road seen from
 * above), read through capture/. Skips with a message when the file is not
 * installed. Separate from test_detector so the core suite does not depend
 * on capture/ or OpenCV.
 */
#include "zp_test.h"
#include "zp_detector_test.h"
#include "capture.h"
#include "detector.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAXF 800

struct run_stats {
	int frames, after_warmup;
	int with_person;         /* frames after warm-up with >= 1 confirmed track */
	int health_ok;           /* frames after warm-up with health OK */
	int person_blobs, blobs; /* blobs after warm-up; those of person shape and size */
	int max_id;
	long confirmed_sum;
	int zone_count[MAXF];    /* per frame, for the determinism check */
};

static void run_vtest(const char *path, int scale, struct run_stats *st)
{
	char err[256];
	int ec, w, h;
	zp_source *s = zp_source_open_file(path, 0, &ec, err, sizeof(err));
	zp_detector_params p;
	zp_detector *d;
	zp_zone z;
	zp_frame f;
	zp_result r;

	ck_assert_msg(s != NULL, "%s", err);
	zp_source_size(s, &w, &h);
	zp_detector_params_default(&p);
	p.scale = scale;
	z = zp_test_rect_zone("", 0, 0, w - 1, h - 1);
	d = zp_test_detector_new(&p, &z, 1, w, h);
	memset(st, 0, sizeof(*st));
	while (zp_source_next(s, &f, 0) == 0 && st->frames < MAXF) {
		zp_rect boxes[ZP_MAX_BLOBS];
		int nb, c = 0;

		ck_assert_int_eq(zp_detector_process(d, &f, &r), 0);
		st->zone_count[st->frames++] = r.zone_count[0];
		for (int k = 0; k < r.ntracks; k++) {
			c += r.tracks[k].confirmed;
			if (r.tracks[k].id > st->max_id)
				st->max_id = r.tracks[k].id;
		}
		ck_assert_int_eq(c, r.zone_count[0]); /* the zone is the whole frame */
		if (st->frames <= p.warmup_frames + 10)
			continue;
		st->after_warmup++;
		st->with_person += c > 0;
		st->confirmed_sum += c;
		st->health_ok += r.health == ZP_HEALTH_OK;
		nb = zp_detector_blobs(d, boxes, ZP_MAX_BLOBS);
		for (int i = 0; i < nb; i++) {
			/* a person here: 40..200 px tall, taller than wide (groups of two may be square) */
			st->blobs++;
			st->person_blobs += boxes[i].h >= 40 && boxes[i].h <= 200 && boxes[i].w <= boxes[i].h * 1.2;
		}
	}
	zp_detector_free(d);
	zp_source_free(s);
}

static void check_stats(const struct run_stats *st, int scale)
{
	fprintf(stderr,
		"vtest scale %d: %d frames; after warm-up %d: person found %.1f %%, health ok %.1f %%, "
		"person-shaped blobs %.1f %% of %d, mean confirmed tracks %.2f, ids used %d\n",
		scale, st->frames, st->after_warmup, 100.0 * st->with_person / st->after_warmup,
		100.0 * st->health_ok / st->after_warmup, 100.0 * st->person_blobs / st->blobs, st->blobs,
		(double)st->confirmed_sum / st->after_warmup, st->max_id);
	ck_assert_int_eq(st->frames, 795);
	/* People walk through almost the whole clip. */
	ck_assert_int_ge(st->with_person * 100, st->after_warmup * 85);
	ck_assert_int_ge(st->health_ok * 100, st->after_warmup * 95);
	ck_assert_int_ge(st->person_blobs * 100, st->blobs * 75);
	/* 3..8 people are in view most of the time; tracks must not shatter into hundreds of ids. */
	ck_assert_int_ge(st->confirmed_sum, 2L * st->after_warmup);
	ck_assert_int_le(st->confirmed_sum, 10L * st->after_warmup);
	ck_assert_int_le(st->max_id, 120);
}

START_TEST(vtest_people_found)
{
	const char *path = zp_test_vtest();
	static struct run_stats a, b;

	if (!path)
		return;
	run_vtest(path, 2, &a);
	check_stats(&a, 2);
	/* Same file again: the same counts, frame for frame. */
	run_vtest(path, 2, &b);
	ck_assert_int_eq(memcmp(a.zone_count, b.zone_count, sizeof(a.zone_count)), 0);
}
END_TEST

START_TEST(vtest_scale_1_and_4)
{
	const char *path = zp_test_vtest();
	static struct run_stats a;

	if (!path)
		return;
	run_vtest(path, 1, &a);
	check_stats(&a, 1);
	run_vtest(path, 4, &a);
	check_stats(&a, 4);
}
END_TEST

/*
 * The same street at twice the resolution (every pixel doubled, luma and
 * colour) with every [detector] key at its default: the pixel sizes scale
 * with the frame, so the tracks are the same frame for frame. With the
 * 640x480 sizes fixed, the tracker's gate is half what it should be and
 * people shatter into many tracks.
 */
#define SS_FRAMES 300

struct street {
	int tracks;              /* confirmed tracks seen */
	int count[SS_FRAMES];    /* confirmed tracks per frame */
	double fg[SS_FRAMES];    /* the share of the frame that is foreground */
};

/*
 * Headlights at night: from frame 60, every 70 frames, a car's pool of
 * light sweeps the road along the north kerb and the crossing in 25 frames
 * (two Gaussians, 90 x 22 and 90 x 35 px at 768x576, centred on rows 190
 * and 250; the ground up to 3 times brighter), people in it lit alike.
 */
static void light_pool(uint8_t *luma, uint8_t *bgr, int w, int h, int frame)
{
	int ph = (frame - 60) % 70;
	double cx, sx = 90.0 * w / 768, cy[2] = { 190.0 * h / 576, 250.0 * h / 576 };
	double sy[2] = { 22.0 * h / 576, 35.0 * h / 576 };

	if (frame < 60 || ph >= 25)
		return;
	cx = (-150 + ph * (1070 / 24.0)) * w / 768;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double g = 1, dx = (x - cx) * (x - cx) / (2 * sx * sx);
			size_t i = (size_t)y * w + x;

			for (int e = 0; e < 2; e++)
				g += 2 * exp(-(dx + (y - cy[e]) * (y - cy[e]) / (2 * sy[e] * sy[e])));
			luma[i] = (uint8_t)(luma[i] * g > 255 ? 255 : luma[i] * g + 0.5);
			for (int c = 0; c < 3; c++)
				bgr[i * 3 + c] = (uint8_t)(bgr[i * 3 + c] * g > 255 ? 255 : bgr[i * 3 + c] * g + 0.5);
		}
}

/*
 * Cars through the crossing (docs/eval.md, "Cars through the crossing"):
 * vtest's frames with cars drawn in, each a red body 200 x 37 px with a dark
 * cabin 110 x 28 on it and two black wheels, 73 px tall (0.9 of a person
 * there) and 2.5 people long, its wheels on row 255 (the road through the
 * crossing zone), from the left edge to the right at px_per_frame (vtest is
 * 10 frames/s), one starting at each frame in starts[]. A runner instead is
 * a dark figure 26 x 78 px. Both carry a little noise, the same each run.
 */
struct passer {
	bool car;
	int px_per_frame;
	const int *starts;
	int nstarts;
};

static void put_box(uint8_t *luma, uint8_t *bgr, int w, int h, int x0, int y0, int bw, int bh, const uint8_t c[3],
		    uint32_t *seed)
{
	for (int y = y0 < 0 ? 0 : y0; y < y0 + bh && y < h; y++)
		for (int x = x0 < 0 ? 0 : x0; x < x0 + bw && x < w; x++) {
			size_t i = (size_t)y * w + x;

			for (int k = 0; k < 3; k++) {
				int v;

				*seed = *seed * 1664525u + 1013904223u;
				v = c[k] + (int)(*seed >> 28) - 8;
				bgr[i * 3 + k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
			}
			luma[i] = (uint8_t)((29 * bgr[i * 3] + 150 * bgr[i * 3 + 1] + 77 * bgr[i * 3 + 2] + 128) >> 8);
		}
}

static void draw_passers(const struct passer *ps, uint8_t *luma, uint8_t *bgr, int w, int h, int frame)
{
	static const uint8_t body[3] = { 40, 40, 190 }, cabin[3] = { 70, 50, 40 }, wheel[3] = { 20, 20, 20 },
			     coat[3] = { 110, 60, 40 };
	uint32_t seed = (uint32_t)frame * 2654435761u;

	for (int k = 0; k < ps->nstarts; k++) {
		int x = -(ps->car ? 200 : 26) + ps->px_per_frame * (frame - ps->starts[k]);

		if (frame < ps->starts[k] || x >= w)
			continue;
		if (!ps->car) {
			put_box(luma, bgr, w, h, x, 255 - 78, 26, 78, coat, &seed);
			continue;
		}
		put_box(luma, bgr, w, h, x + 45, 255 - 73, 110, 28, cabin, &seed);
		put_box(luma, bgr, w, h, x, 255 - 45, 200, 37, body, &seed);
		for (int e = 0; e < 2; e++)
			put_box(luma, bgr, w, h, x + 20 + 130 * e, 255 - 12, 30, 12, wheel, &seed);
	}
}

/*
 * A camera on a pole swaying in the wind: frame n is the picture moved by (amp sin(2 pi n / 13) + jitter,
 * 0.6 amp sin(2 pi n / 21 + 1) + jitter) pixels (periods of 1.3 and 2.1 s at vtest's 10 frames/s; the jitter
 * a fixed sequence of up to a quarter of amp), sampled between pixels (bilinear), the edges repeated. tmp
 * holds 4 bytes a pixel.
 */
static void sway_frame(uint8_t *luma, uint8_t *bgr, uint8_t *tmp, int w, int h, double amp, int n)
{
	const double pi = 3.14159265358979;
	double dx = amp * sin(2 * pi * n / 13.0) + amp / 4 * sin(n * 2.1),
	       dy = 0.6 * amp * sin(2 * pi * n / 21.0 + 1) + amp / 6 * sin(n * 3.7);
	int ix = (int)floor(dx), iy = (int)floor(dy), fx = (int)((dx - ix) * 256), fy = (int)((dy - iy) * 256);

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			/* this pixel shows the picture at (x - dx, y - dy) */
			int x0 = x - ix - 1, y0 = y - iy - 1;
			int xa = x0 < 0 ? 0 : x0 >= w ? w - 1 : x0, xb = x0 + 1 < 0 ? 0 : x0 + 1 >= w ? w - 1 : x0 + 1;
			int ya = y0 < 0 ? 0 : y0 >= h ? h - 1 : y0, yb = y0 + 1 < 0 ? 0 : y0 + 1 >= h ? h - 1 : y0 + 1;
			size_t a = (size_t)ya * w + xa, b = (size_t)ya * w + xb, c = (size_t)yb * w + xa,
			       d = (size_t)yb * w + xb;
			/* weights: x - dx = x0 + (1 - fx/256), so x0 gets fx/256 */
			int wa = fx * fy, wb = (256 - fx) * fy, wc = fx * (256 - fy), wd = (256 - fx) * (256 - fy);
			uint8_t *o = tmp + ((size_t)y * w + x) * 4;

			o[0] = (uint8_t)((luma[a] * wa + luma[b] * wb + luma[c] * wc + luma[d] * wd + 32768) >> 16);
			for (int k = 0; k < 3; k++)
				o[1 + k] = (uint8_t)((bgr[a * 3 + k] * wa + bgr[b * 3 + k] * wb + bgr[c * 3 + k] * wc +
						      bgr[d * 3 + k] * wd + 32768) >> 16);
		}
	for (size_t i = 0; i < (size_t)w * h; i++) {
		luma[i] = tmp[i * 4];
		memcpy(bgr + i * 3, tmp + i * 4 + 1, 3);
	}
}

struct crossing_run {
	int count[SS_FRAMES]; /* confirmed tracks in the crossing zone, per frame */
	int entered;          /* people counted into it */
};

/*
 * vtest's first SS_FRAMES frames through a detector with p and the zone (or none) on them: k > 0, every pixel
 * repeated k x k times; k = -2, every 2 x 2 block averaged (half the size). light: the frames at this % of their
 * brightness (100: as recorded); pools: headlights sweep the street (light_pool()); ps: passers drawn in
 * (draw_passers(), or NULL); sway: the picture moved by up to this many pixels each way (sway_frame()). Per frame
 * into street (confirmed tracks, foreground) and crossing (the zone's count and entries), either NULL.
 */
static void run_frames(const char *path, int k, const zp_detector_params *p, const zp_zone *zone, int light,
		       bool pools, const struct passer *ps, double sway, struct street *street,
		       struct crossing_run *crossing)
{
	char err[256];
	int ec, w, h, ow, oh, n = 0, seen[1024] = { 0 };
	zp_source *s = zp_source_open_file(path, 0, &ec, err, sizeof(err));
	zp_detector *d;
	zp_frame f;
	zp_result r;
	uint8_t *luma, *bgr, *moved;

	ck_assert_msg(s != NULL, "%s", err);
	ck_assert(k > 0 || k == -2);
	zp_source_size(s, &w, &h);
	ow = k > 0 ? w * k : w / 2;
	oh = k > 0 ? h * k : h / 2;
	luma = malloc((size_t)ow * oh);
	bgr = malloc((size_t)ow * oh * 3);
	moved = malloc((size_t)ow * oh * 4);
	ck_assert(luma && bgr && moved);
	d = zp_test_detector_new(p, zone, zone ? 1 : 0, ow, oh);
	if (street)
		memset(street, 0, sizeof(*street));
	if (crossing)
		memset(crossing, 0, sizeof(*crossing));
	while (n < SS_FRAMES && zp_source_next(s, &f, 0) == 0) {
		zp_frame g = f;

		ck_assert(f.bgr != NULL);
		if (k > 0) {
			for (int y = 0; y < h; y++) {
				uint8_t *lrow = luma + (size_t)y * k * ow, *crow = bgr + (size_t)y * k * ow * 3;

				for (int x = 0; x < ow; x++) {
					lrow[x] = f.luma[(size_t)y * f.stride + x / k];
					memcpy(crow + (size_t)x * 3, f.bgr + (size_t)y * f.bgr_stride + (size_t)(x / k) * 3, 3);
				}
				for (int dy = 1; dy < k; dy++) {
					memcpy(lrow + (size_t)dy * ow, lrow, (size_t)ow);
					memcpy(crow + (size_t)dy * ow * 3, crow, (size_t)ow * 3);
				}
			}
		} else {
			for (int y = 0; y < oh; y++)
				for (int x = 0; x < ow; x++) {
					const uint8_t *l0 = f.luma + (size_t)2 * y * f.stride + 2 * x, *l1 = l0 + f.stride;
					const uint8_t *c0 = f.bgr + (size_t)2 * y * f.bgr_stride + (size_t)6 * x;
					const uint8_t *c1 = c0 + f.bgr_stride;

					luma[(size_t)y * ow + x] = (uint8_t)((l0[0] + l0[1] + l1[0] + l1[1] + 2) / 4);
					for (int c = 0; c < 3; c++)
						bgr[((size_t)y * ow + x) * 3 + c] =
							(uint8_t)((c0[c] + c0[3 + c] + c1[c] + c1[3 + c] + 2) / 4);
				}
		}
		if (light != 100)
			for (size_t i = 0; i < (size_t)ow * oh; i++) {
				luma[i] = (uint8_t)((luma[i] * light + 50) / 100);
				for (int c = 0; c < 3; c++)
					bgr[i * 3 + c] = (uint8_t)((bgr[i * 3 + c] * light + 50) / 100);
			}
		if (pools)
			light_pool(luma, bgr, ow, oh, n);
		if (ps)
			draw_passers(ps, luma, bgr, ow, oh, n);
		if (sway > 0)
			sway_frame(luma, bgr, moved, ow, oh, sway, n);
		g.luma = luma;
		g.stride = ow;
		g.bgr = bgr;
		g.bgr_stride = ow * 3;
		g.width = ow;
		g.height = oh;
		ck_assert_int_eq(zp_detector_process(d, &g, &r), 0);
		if (street) {
			street->fg[n] = r.fg_fraction;
			for (int i = 0; i < r.ntracks; i++)
				if (r.tracks[i].confirmed) {
					street->count[n]++;
					if (r.tracks[i].id < 1024 && !seen[r.tracks[i].id]++)
						street->tracks++;
				}
		}
		if (crossing) {
			crossing->count[n] = r.zone_count[0];
			crossing->entered += r.zone_entered[0];
		}
		n++;
	}
	ck_assert_int_eq(n, SS_FRAMES);
	zp_detector_free(d);
	zp_source_free(s);
	free(luma);
	free(bgr);
	free(moved);
}

/*
 * The street with every [detector] key at its default (fixed_sizes: the 640x480 pixel sizes) but low_light
 * (the low_light_luma key) and light_pools (that key), run_frames() with no zone.
 */
static void run_street_lit(const char *path, int k, bool fixed_sizes, int light, int low_light, bool pools,
			   int light_pools, struct street *out)
{
	zp_detector_params p;

	zp_detector_params_default(&p);
	if (fixed_sizes) {
		p.min_area = 400;
		p.max_area = 60000;
		p.track_max_dist = 60;
	}
	p.low_light_luma = low_light;
	p.light_pools = light_pools;
	run_frames(path, k, &p, NULL, light, pools, NULL, 0, out, NULL);
}

static void run_street(const char *path, int k, bool fixed_sizes, int light, int low_light, struct street *out)
{
	run_street_lit(path, k, fixed_sizes, light, low_light, false, 1, out);
}

static int frames_apart(const struct street *a, const struct street *b)
{
	int n = 0;

	for (int i = 0; i < SS_FRAMES; i++)
		n += a->count[i] != b->count[i];
	return n;
}

/* Of the confirmed tracks of a frame by frame, the % that b has too (the lesser count of each frame). */
static int kept_pct(const struct street *a, const struct street *b)
{
	int n = 0, k = 0;

	for (int i = 0; i < SS_FRAMES; i++) {
		n += a->count[i];
		k += a->count[i] < b->count[i] ? a->count[i] : b->count[i];
	}
	return n ? 100 * k / n : 100;
}

/* The confirmed tracks b has beyond a's, frame by frame, in % of a's. */
static int extra_pct(const struct street *a, const struct street *b)
{
	int n = 0, k = 0;

	for (int i = 0; i < SS_FRAMES; i++) {
		n += a->count[i];
		k += b->count[i] > a->count[i] ? b->count[i] - a->count[i] : 0;
	}
	return n ? 100 * k / n : 0;
}

/* The foreground b has beyond a's, frame by frame, in % of a's. */
static int extra_fg_pct(const struct street *a, const struct street *b)
{
	double n = 0, k = 0;

	for (int i = 0; i < SS_FRAMES; i++) {
		n += a->fg[i];
		k += b->fg[i] > a->fg[i] ? b->fg[i] - a->fg[i] : 0;
	}
	return n > 0 ? (int)(100 * k / n + 0.5) : 0;
}

START_TEST(same_street_at_twice_the_resolution)
{
	const char *path = zp_test_vtest();
	static struct street x1, x2, x2_fixed;

	if (!path)
		return;
	run_street(path, 1, false, 100, 96, &x1);
	run_street(path, 2, false, 100, 96, &x2);
	run_street(path, 2, true, 100, 96, &x2_fixed);
	fprintf(stderr,
		"vtest %d frames: %d confirmed tracks; pixels doubled, auto sizes: %d tracks, %d frames apart; "
		"fixed 400/60000/60: %d tracks, %d frames apart\n",
		SS_FRAMES, x1.tracks, x2.tracks, frames_apart(&x1, &x2), x2_fixed.tracks, frames_apart(&x1, &x2_fixed));
	ck_assert_int_gt(x1.tracks, 5);
	ck_assert_int_eq(x2.tracks, x1.tracks);
	ck_assert_int_le(frames_apart(&x1, &x2), SS_FRAMES / 100);
	/* the fixed sizes do not carry over: the check above can tell */
	ck_assert_int_gt(frames_apart(&x1, &x2_fixed), SS_FRAMES / 10);
}
END_TEST

/*
 * The same street at a third of its light (every pixel x 0.35: dusk, or a
 * camera at the end of its exposure range; people show a third of their
 * contrast): with low_light_luma at its default the threshold follows the
 * light and the tracks are nearly those of the recording as it is. With it
 * off, the people fade below the threshold.
 */
START_TEST(same_street_at_a_third_of_the_light)
{
	const char *path = zp_test_vtest();
	static struct street day, dusk, dusk_off;

	if (!path)
		return;
	run_street(path, 1, false, 100, 96, &day);
	run_street(path, 1, false, 35, 96, &dusk);
	run_street(path, 1, false, 35, 0, &dusk_off);
	fprintf(stderr,
		"vtest %d frames: %d confirmed tracks; at 35 %% of the light: %d tracks, of the track-frames %d %% kept, "
		"%d %% extra; low_light_luma = 0: %d tracks, %d %% kept, %d %% extra\n",
		SS_FRAMES, day.tracks, dusk.tracks, kept_pct(&day, &dusk), extra_pct(&day, &dusk), dusk_off.tracks,
		kept_pct(&day, &dusk_off), extra_pct(&day, &dusk_off));
	ck_assert_int_gt(day.tracks, 5);
	ck_assert_int_ge(kept_pct(&day, &dusk), 97);
	ck_assert_int_le(extra_pct(&day, &dusk), 12);
	/* the check above can tell: without the low-light threshold people go missing */
	ck_assert_int_le(kept_pct(&day, &dusk_off), 93);
}
END_TEST

/*
 * The same street at night (35 % of its light), headlights sweeping it:
 * with light_pools at its default the tracks and the foreground are nearly
 * those of the dark street without the headlights; with it off, the pools
 * are foreground (more than twice the street's own).
 */
START_TEST(same_street_under_headlights)
{
	const char *path = zp_test_vtest();
	static struct street dusk, lit, lit_off;

	if (!path)
		return;
	run_street_lit(path, 1, false, 35, 96, false, 1, &dusk);
	run_street_lit(path, 1, false, 35, 96, true, 1, &lit);
	run_street_lit(path, 1, false, 35, 96, true, 0, &lit_off);
	fprintf(stderr,
		"vtest %d frames at 35 %% of the light: %d confirmed tracks; headlights sweeping it: %d tracks, of the "
		"track-frames %d %% kept, %d %% extra, foreground %d %% extra; light_pools = 0: %d tracks, %d %% kept, "
		"%d %% extra, foreground %d %% extra\n",
		SS_FRAMES, dusk.tracks, lit.tracks, kept_pct(&dusk, &lit), extra_pct(&dusk, &lit), extra_fg_pct(&dusk, &lit),
		lit_off.tracks, kept_pct(&dusk, &lit_off), extra_pct(&dusk, &lit_off), extra_fg_pct(&dusk, &lit_off));
	ck_assert_int_gt(dusk.tracks, 5);
	ck_assert_int_ge(kept_pct(&dusk, &lit), 88);
	ck_assert_int_le(extra_pct(&dusk, &lit), 10);
	ck_assert_int_le(extra_fg_pct(&dusk, &lit), 30);
	/* the check above can tell: without the pool test the pools are foreground */
	ck_assert_int_ge(extra_fg_pct(&dusk, &lit_off), 100);
}
END_TEST

/*
 * The same street at half the resolution (every 2 x 2 block averaged:
 * 384x288, people of 300-500 pixels) with every [detector] key at its
 * default: min_area scales down with the frame (200 here), so nearly the
 * tracks of the full-size run are found. With 400 (the 640x480 value, which
 * smaller frames kept before) most people fall under it.
 */
START_TEST(same_street_at_half_the_resolution)
{
	const char *path = zp_test_vtest();
	static struct street full, half, half_fixed;

	if (!path)
		return;
	run_street(path, 1, false, 100, 96, &full);
	run_street(path, -2, false, 100, 96, &half);
	run_street(path, -2, true, 100, 96, &half_fixed);
	fprintf(stderr,
		"vtest %d frames: %d confirmed tracks; at half size, auto sizes: %d tracks, of the track-frames %d %% "
		"kept, %d %% extra; min_area 400: %d tracks, %d %% kept, %d %% extra\n",
		SS_FRAMES, full.tracks, half.tracks, kept_pct(&full, &half), extra_pct(&full, &half), half_fixed.tracks,
		kept_pct(&full, &half_fixed), extra_pct(&full, &half_fixed));
	ck_assert_int_gt(full.tracks, 5);
	ck_assert_int_ge(kept_pct(&full, &half), 85);
	ck_assert_int_le(extra_pct(&full, &half), 15);
	/* the check above can tell: the 640x480 min_area loses people at half size */
	ck_assert_int_le(kept_pct(&full, &half_fixed), 75);
}
END_TEST

/*
 * vtest's first SS_FRAMES frames, every [detector] key at its default (jitter: that key), its crossing zone
 * (examples/vtest.ini); passers ps and sway as run_frames().
 */
static void run_crossing_on(const char *path, const struct passer *ps, double sway, int jitter,
			    struct crossing_run *out)
{
	static const zp_pt poly[4] = { { 180, 207 }, { 360, 207 }, { 360, 296 }, { 180, 259 } };
	zp_detector_params p;
	zp_zone z = zp_test_rect_zone("crossing", 0, 0, 1, 1);

	zp_detector_params_default(&p);
	z.poly.n = 4;
	memcpy(z.poly.p, poly, sizeof(poly));
	p.jitter = jitter;
	run_frames(path, 1, &p, &z, 100, false, ps, sway, NULL, out);
}

static void run_crossing(const char *path, const struct passer *ps, struct crossing_run *out)
{
	run_crossing_on(path, ps, 0, 1, out);
}

/* Frames on which b has more in the crossing than a. */
static int more_in(const struct crossing_run *a, const struct crossing_run *b)
{
	int m = 0;

	for (int i = 0; i < SS_FRAMES; i++)
		m += b->count[i] > a->count[i];
	return m;
}

/*
 * Six cars through the crossing at 47 px a frame (6 person heights a
 * second: 38 km/h for a person of 1.75 m), every key at its default: a car
 * moves faster than anyone on foot (vehicle.c), so it is in no zone and
 * counted nowhere. Without that rule the crossing has more in it than
 * without the cars on 28 frames and counts 9 for 5; with it 8 frames and 7:
 * a car that hides a walker or carries his track off can still make him
 * two tracks. Six runners at 24 px a frame (3 heights a second) instead are
 * people: counted (10 for the street's 5; at least five of them, one may
 * pass a walker as one blob) and seen in the zone.
 */
START_TEST(cars_through_the_crossing)
{
	static const int starts[] = { 110, 140, 170, 200, 230, 260 };
	const struct passer cars = { true, 47, starts, 6 }, runners = { false, 24, starts, 6 };
	const char *path = zp_test_vtest();
	static struct crossing_run street, with_cars, with_runners;

	if (!path)
		return;
	run_crossing(path, NULL, &street);
	run_crossing(path, &cars, &with_cars);
	run_crossing(path, &runners, &with_runners);
	fprintf(stderr,
		"vtest %d frames, the crossing: %d entered; with 6 cars at 6 heights/s: %d entered, %d frames with more "
		"in it; with 6 runners at 3 heights/s: %d entered, %d frames with more\n",
		SS_FRAMES, street.entered, with_cars.entered, more_in(&street, &with_cars), with_runners.entered,
		more_in(&street, &with_runners));
	ck_assert_int_gt(street.entered, 3);
	ck_assert_int_le(with_cars.entered, street.entered + 2);
	ck_assert_int_le(more_in(&street, &with_cars), 14);
	/* the runners are people */
	ck_assert_int_ge(with_runners.entered, street.entered + 5);
	ck_assert_int_ge(more_in(&street, &with_runners), 6 * 3);
}
END_TEST

/*
 * The crossing seen from a pole swaying in the wind (sway_frame(): the picture moves up to 5 pixels each way,
 * 2.5 work pixels at scale 2, between pixels), every key at its default: the sway is measured on the
 * background's edges and the frame moved back before the model sees it (jitter), so the crossing holds
 * nearly what the steady camera's does, frame by frame, and the same people are counted. With jitter = 0
 * (neither the sway nor a one-pixel shake undone) the edges that sway join people and make tracks.
 */
START_TEST(crossing_on_a_swaying_pole)
{
	const char *path = zp_test_vtest();
	static struct crossing_run steady, swaying, swaying_off;
	int apart = 0, apart_off = 0;

	if (!path)
		return;
	run_crossing_on(path, NULL, 0, 1, &steady);
	run_crossing_on(path, NULL, 6, 1, &swaying);
	run_crossing_on(path, NULL, 6, 0, &swaying_off);
	for (int i = 0; i < SS_FRAMES; i++) {
		apart += steady.count[i] != swaying.count[i];
		apart_off += steady.count[i] != swaying_off.count[i];
	}
	fprintf(stderr,
		"vtest %d frames, the crossing: %d entered; swaying up to 6 px: %d entered, %d frames apart; "
		"jitter = 0: %d entered, %d frames apart\n",
		SS_FRAMES, steady.entered, swaying.entered, apart, swaying_off.entered, apart_off);
	ck_assert_int_gt(steady.entered, 3);
	ck_assert_int_le(abs(swaying.entered - steady.entered), 1);
	ck_assert_int_le(apart, SS_FRAMES / 10);
	/* the check above can tell */
	ck_assert_int_gt(apart_off, SS_FRAMES / 10);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "vtest", .timeout_s = 300, .tests = ZP_TESTS(
			vtest_people_found,
			vtest_scale_1_and_4,
			same_street_at_twice_the_resolution,
			same_street_at_a_third_of_the_light,
			same_street_under_headlights,
			same_street_at_half_the_resolution,
			cars_through_the_crossing,
			crossing_on_a_swaying_pole) },
	};

	return zp_test_run(ZP_TEST_SUITE("detector_real", cases));
}
