/* SPDX-License-Identifier: MIT */
/*
 * The detector at a real crossing, on real frames and on frames derived
 * from them (docs/quality.md).
 *
 * The frames are CDnet 2014 baseline/pedestrians from ../shared/data
 * (ZP_SHARED_DATA; research data, read in place, never copied): frames
 * 712..826 show the empty campus path (their ground truth has nobody in
 * them), and frame 640 a man standing upright, cut out with his ground-truth
 * mask (moving + unknown edge band). The tests paste him into the empty
 * frames - walking in, standing, leaving - and derive the hard cases from
 * that: a 90 s wait, a left object, a parked object and its ghost, gain
 * steps, a cast shadow, sensor noise, camera jitter, rain-like speckle, a
 * blinded, covered, dark or frozen view, a scene change. Each case skips
 * with a message when the data is absent.
 *
 * The empty frames are played forwards and backwards in turn, so the
 * background keeps its real sensor noise and small changes for as long as a
 * test needs (no jump at the turns). 10 frames a second.
 */
#include "zp_test.h"
#include "cvwrap.h"
#include "detector.h"
#include "zp_detector_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CW 360
#define CH 240
#define EMPTY_FIRST 712
#define NEMPTY 115
#define PERSON_FRAME 640
#define FPS_MS 100

/* ---- the material ---- */

struct cutout {
	int w, h;                 /* the box of the mask */
	uint8_t *mask;            /* non-zero: the person */
	uint8_t *bgr;             /* w x h x 3 */
};

struct material {
	uint8_t *bgr[NEMPTY];     /* CW x CH x 3 */
	struct cutout person;
	int feet_y;               /* the person's lowest row in frame PERSON_FRAME */
	int person_y0;            /* the top of his box there */
};

static struct material M;

/* CDnet frame n: its input (channels 3) or its ground truth (channels 1). */
static uint8_t *read_image(const char *dir, bool gt, int n, int channels)
{
	char path[1024], err[256];
	uint8_t *px = NULL;
	int w, h;

	snprintf(path, sizeof(path), gt ? "%s/cdnet2014_baseline_pedestrians/groundtruth/gt%06d.png" :
					  "%s/cdnet2014_baseline_pedestrians/input/in%06d.jpg", dir, n);
	ck_assert_msg(zp_cv_imread(path, channels, &px, &w, &h, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(w == CW && h == CH, "%s: %dx%d, expected %dx%d", path, w, h, CW, CH);
	return px;
}

/* Load the empty frames and cut the person out. false (with a message) when ../shared/data is absent. */
static bool load(void)
{
	const char *dir = zp_test_shared_data();
	uint8_t *gt, *in;
	int x0 = CW, y0 = CH, x1 = -1, y1 = -1;

	if (!dir)
		return false;
	if (M.bgr[0])
		return true;
	for (int i = 0; i < NEMPTY; i++)
		M.bgr[i] = read_image(dir, false, EMPTY_FIRST + i, 3);
	gt = read_image(dir, true, PERSON_FRAME, 1);
	in = read_image(dir, false, PERSON_FRAME, 3);
	/* the box of the moving pixels (255), then with the unknown edge band (170) around them */
	for (int y = 0; y < CH; y++)
		for (int x = 0; x < CW; x++)
			if (gt[y * CW + x] == 255) {
				x0 = x < x0 ? x : x0;
				x1 = x > x1 ? x : x1;
				y0 = y < y0 ? y : y0;
				y1 = y > y1 ? y : y1;
			}
	x0 = x0 - 3 > 0 ? x0 - 3 : 0;
	y0 = y0 - 3 > 0 ? y0 - 3 : 0;
	x1 = x1 + 3 < CW - 1 ? x1 + 3 : CW - 1;
	y1 = y1 + 3 < CH - 1 ? y1 + 3 : CH - 1;
	ck_assert_msg(x1 - x0 > 10 && y1 - y0 > 80, "frame %d: the person's mask is %d..%d x %d..%d", PERSON_FRAME, x0,
		      x1, y0, y1);
	M.person.w = x1 - x0 + 1;
	M.person.h = y1 - y0 + 1;
	M.person.mask = calloc((size_t)M.person.w * M.person.h, 1);
	M.person.bgr = calloc((size_t)M.person.w * M.person.h * 3, 1);
	ck_assert(M.person.mask && M.person.bgr);
	for (int y = 0; y < M.person.h; y++)
		for (int x = 0; x < M.person.w; x++) {
			size_t s = (size_t)(y0 + y) * CW + x0 + x, d = (size_t)y * M.person.w + x;

			M.person.mask[d] = gt[s] >= 170;
			memcpy(M.person.bgr + 3 * d, in + 3 * s, 3);
		}
	/* the lowest row of the mask */
	M.feet_y = y0;
	for (int y = 0; y < M.person.h; y++)
		for (int x = 0; x < M.person.w; x++)
			if (M.person.mask[y * M.person.w + x])
				M.feet_y = y0 + y;
	M.person_y0 = y0;
	free(gt);
	free(in);
	return true;
}

/* ---- composing a frame ---- */

/* Empty frame for frame number k (from 0): forwards, then backwards, then forwards ... */
static const uint8_t *empty_bgr(int k)
{
	int p = k % (2 * NEMPTY - 2);

	return M.bgr[p < NEMPTY ? p : 2 * NEMPTY - 2 - p];
}

struct scene {
	uint8_t bgr[CW * CH * 3];
	uint8_t luma[CW * CH];
	zp_frame f;
};

static void scene_begin(struct scene *s, int k)
{
	memcpy(s->bgr, empty_bgr(k), sizeof(s->bgr));
}

/* The person with the left of his box at x and his feet on row feet_y. */
static void paste_person(struct scene *s, int x, int feet_y)
{
	int top = feet_y - (M.feet_y - M.person_y0);

	for (int y = 0; y < M.person.h; y++)
		for (int i = 0; i < M.person.w; i++) {
			int fx = x + i, fy = top + y;

			if (fx < 0 || fx >= CW || fy < 0 || fy >= CH || !M.person.mask[y * M.person.w + i])
				continue;
			memcpy(s->bgr + 3 * ((size_t)fy * CW + fx), M.person.bgr + 3 * ((size_t)y * M.person.w + i), 3);
		}
}

/*
 * The person's cast shadow on the ground: his silhouette laid down towards
 * the camera and to the right from the feet (a low sun behind him), each
 * row of the body at height t above the feet landing t * 0.5 rows below
 * and t * 0.3 columns right of them; the ground there is darkened to
 * `factor` and tinted slightly blue (skylight), as in a real shadow.
 */
static void paste_shadow(struct scene *s, int x, int feet_y, double factor)
{
	static uint8_t sh[CW * CH];

	memset(sh, 0, sizeof(sh));
	for (int y = 0; y < M.person.h; y++) {
		int t = M.feet_y - M.person_y0 - y; /* height above the feet */
		int sy = feet_y + (int)(t * 0.5);

		for (int i = 0; i < M.person.w; i++) {
			int sx = x + i + (int)(t * 0.3);

			if (!M.person.mask[y * M.person.w + i] || sx < 0 || sx >= CW || sy < 0)
				continue;
			/* this row and the next: the 0.5 squeeze leaves no gaps */
			for (int r = 0; r < 2 && sy + r < CH; r++)
				sh[(size_t)(sy + r) * CW + sx] = 1;
		}
	}
	for (size_t j = 0; j < (size_t)CW * CH; j++) {
		uint8_t *p = s->bgr + 3 * j;

		if (!sh[j])
			continue;
		p[0] = (uint8_t)fmin(255, p[0] * factor * 1.08 + 0.5);
		p[1] = (uint8_t)(p[1] * factor + 0.5);
		p[2] = (uint8_t)(p[2] * factor * 0.96 + 0.5);
	}
}

/* Every channel times g (clamped): a camera gain / exposure step. */
static void apply_gain(struct scene *s, double g)
{
	for (size_t i = 0; i < sizeof(s->bgr); i++) {
		double v = s->bgr[i] * g + 0.5;

		s->bgr[i] = (uint8_t)(v > 255 ? 255 : v);
	}
}

/* Finish: luma from the colour, the frame record. */
static const zp_frame *scene_end(struct scene *s, int k)
{
	zp_cv_bgr_to_gray(s->bgr, CW * 3, s->luma, CW, CW, CH);
	s->f = (zp_frame){ .luma = s->luma, .stride = CW, .bgr = s->bgr, .bgr_stride = CW * 3, .width = CW, .height = CH,
			   .t_ms = (int64_t)k * FPS_MS, .seq = (uint64_t)k + 1 };
	return &s->f;
}

/* ---- detector helpers ---- */

static zp_detector *make(const zp_detector_params *p, const zp_zone *z, int nz)
{
	char err[256] = "";
	zp_detector *d = zp_detector_new(p, z, nz, CW, CH, NULL, err, sizeof(err));

	ck_assert_msg(d != NULL, "zp_detector_new: %s", err);
	return d;
}

static void run(zp_detector *d, const zp_frame *f, zp_result *r)
{
	ck_assert_int_eq(zp_detector_process(d, f, r), 0);
}

static int nconfirmed(const zp_result *r)
{
	int n = 0;

	for (int i = 0; i < r->ntracks; i++)
		n += r->tracks[i].confirmed;
	return n;
}

/* Warm up on empty frames 0..n-1. */
static void warm(zp_detector *d, struct scene *s, int n, double gain)
{
	zp_result r;

	for (int k = 0; k < n; k++) {
		scene_begin(s, k);
		if (gain != 1.0)
			apply_gain(s, gain);
		run(d, scene_end(s, k), &r);
		ck_assert_int_eq(nconfirmed(&r), 0);
	}
}

#define WARM 60     /* frames of empty scene first (warmup_frames defaults to 50) */
#define KERB_X 200  /* where the person stands: left of his box */
#define WALK 40     /* frames to walk in from the left edge */

/* x of the person's box while walking in from off the left edge (k from 0 to WALK) to KERB_X. */
static int walk_x(int k)
{
	int x0 = -M.person.w;

	return x0 + (KERB_X - x0) * (k < WALK ? k : WALK) / WALK;
}

/* The defaults, and two zones: the kerb where the person stands (zone 0) and the road below it (zone 1). */
static zp_detector *make_kerb_road(zp_detector_params *p)
{
	zp_zone z[2];

	zp_detector_params_default(p);
	z[0] = zp_test_rect_zone("kerb", KERB_X - 30, 120, KERB_X + 60, 175);
	z[1] = zp_test_rect_zone("road", 0, 176, CW - 1, CH - 1);
	return make(p, z, 2);
}

/* i frames after he set off from the kerb: walking right at 5 px a frame (1.5 m/s here), down onto the road;
   pasted while in view. Returns the left of his box. */
static int paste_leaving(struct scene *s, int i)
{
	int x = KERB_X + 5 * i;

	if (x < CW)
		paste_person(s, x, M.feet_y + (i < 20 ? 2 * i : 40));
	return x;
}

/* ---- (1) waiting at the kerb for 90 s, then leaving ---- */

/* Share of the pasted person's pixels (at x, feet_y) that are in the detector's cleaned mask. */
static double coverage(const zp_detector *d, int x, int feet_y)
{
	static uint8_t mask[CW * CH];
	int top = feet_y - (M.feet_y - M.person_y0), n = 0, in = 0;

	zp_detector_mask(d, mask, CW);
	for (int y = 0; y < M.person.h; y++)
		for (int i = 0; i < M.person.w; i++) {
			int fx = x + i, fy = top + y;

			if (fx < 0 || fx >= CW || fy < 0 || fy >= CH || !M.person.mask[y * M.person.w + i])
				continue;
			n++;
			in += mask[(size_t)fy * CW + fx] != 0;
		}
	return n ? (double)in / n : 0;
}

START_TEST(person_waits_90s_stays_detected)
{
	static struct scene s;
	zp_detector_params p;
	zp_detector *d;
	zp_result r;
	int k = 0, missed = 0, wait = 900, first_wait;

	if (!load())
		return;
	d = make_kerb_road(&p);
	warm(d, &s, WARM, 1.0);
	k = WARM;
	for (int i = 0; i <= WALK; i++, k++) {
		scene_begin(&s, k);
		paste_person(&s, walk_x(i), M.feet_y);
		run(d, scene_end(&s, k), &r);
	}
	ck_assert_msg(r.zone_count[0] == 1, "after walking in: %d in the kerb zone", r.zone_count[0]);
	/* 90 s standing perfectly still (a pasted cut-out: no sway at all, the hardest case for a model) */
	first_wait = k;
	for (int i = 0; i < wait; i++, k++) {
		scene_begin(&s, k);
		paste_person(&s, KERB_X, M.feet_y);
		run(d, scene_end(&s, k), &r);
		missed += r.zone_count[0] != 1;
		ck_assert_int_eq(r.zone_count[1], 0);
		ck_assert_int_le(nconfirmed(&r), 1);
	}
	fprintf(stderr, "waiting 90 s (%d frames from %.1f s): counted in %d, missed %d, still counted at the end: %s, "
		"%.0f %% of his pixels in the mask\n", wait, first_wait / 10.0, wait - missed, missed,
		r.zone_count[0] == 1 ? "yes" : "no", 100 * coverage(d, KERB_X, M.feet_y));
	ck_assert_int_eq(missed, 0);
	ck_assert_double_ge(coverage(d, KERB_X, M.feet_y), 0.8); /* still his shape, not a remnant */
	/* He walks away to the right: the kerb is empty again soon, and no ghost is left behind. */
	for (int i = 0; i < 30; i++, k++) {
		scene_begin(&s, k);
		paste_person(&s, KERB_X + 6 * (i + 1), M.feet_y);
		run(d, scene_end(&s, k), &r);
	}
	for (int i = 0; i < 100; i++, k++) {
		scene_begin(&s, k);
		run(d, scene_end(&s, k), &r);
		if (i >= p.track_max_missed + 2)
			ck_assert_msg(r.zone_count[0] == 0 && r.nblobs == 0, "%.1f s after he left: kerb %d, blobs %d",
				      i / 10.0, r.zone_count[0], r.nblobs);
	}
	zp_detector_free(d);
}
END_TEST

/*
 * Two people walk in together, one half a body behind the other (one
 * blob), and wait side by side for 90 s: the kerb stays occupied in every
 * frame and both stay in the mask.
 */
START_TEST(two_wait_side_by_side_90s)
{
	static struct scene s;
	zp_detector_params p;
	zp_zone z = zp_test_rect_zone("kerb", KERB_X - 60, 120, KERB_X + 90, 175);
	zp_detector *d;
	zp_result r;
	int k = WARM, missed = 0, off = M.person.w / 2;

	if (!load())
		return;
	zp_detector_params_default(&p);
	d = make(&p, &z, 1);
	warm(d, &s, WARM, 1.0);
	for (int i = 0; i <= WALK; i++, k++) {
		scene_begin(&s, k);
		paste_person(&s, walk_x(i) - off, M.feet_y - 4);
		paste_person(&s, walk_x(i), M.feet_y);
		run(d, scene_end(&s, k), &r);
	}
	ck_assert_int_ge(r.zone_count[0], 1);
	for (int i = 0; i < 900; i++, k++) {
		scene_begin(&s, k);
		paste_person(&s, KERB_X - off, M.feet_y - 4);
		paste_person(&s, KERB_X, M.feet_y);
		run(d, scene_end(&s, k), &r);
		missed += r.zone_count[0] < 1;
	}
	fprintf(stderr, "two waiting side by side 90 s: kerb empty in %d of 900 frames; in the mask at the end: "
		"%.0f %% (front), %.0f %% (behind, partly hidden)\n", missed, 100 * coverage(d, KERB_X, M.feet_y),
		100 * coverage(d, KERB_X - off, M.feet_y - 4));
	ck_assert_int_eq(missed, 0);
	ck_assert_double_ge(coverage(d, KERB_X, M.feet_y), 0.8);
	zp_detector_free(d);
}
END_TEST

/*
 * He stands at the kerb from the first frame, through the warm-up, then
 * walks away to the right and out of view. The model learnt him as
 * background, so the ground he uncovers is a ghost of him, first joined to
 * the walking person's blob. The kerb must be free again within 2 s of his
 * feet leaving it (a ghost held like a waiting person kept it occupied for
 * the whole hold), and he is one person: one confirmed track, counted once
 * on the road.
 */
START_TEST(stood_through_warmup_then_leaves)
{
	static struct scene s;
	zp_detector_params p;
	zp_detector *d;
	zp_result r;
	int k = 0, left_at = -1, kerb_last = -1, road_entered = 0, ids[64], nids = 0;
	int kerb_x1 = KERB_X + 60;

	if (!load())
		return;
	d = make_kerb_road(&p);
	/* standing from frame 0 to 8 s (warm-up: 5 s) */
	for (; k < 80; k++) {
		scene_begin(&s, k);
		paste_person(&s, KERB_X, M.feet_y);
		run(d, scene_end(&s, k), &r);
	}
	/* walks away onto the road until out of view */
	for (int i = 1; KERB_X + 5 * i < CW; i++, k++) {
		int x;

		scene_begin(&s, k);
		x = paste_leaving(&s, i);
		run(d, scene_end(&s, k), &r);
		if (left_at < 0 && x + M.person.w / 2 > kerb_x1)
			left_at = k;
		road_entered += r.zone_entered[1];
		for (int t = 0; t < r.ntracks; t++) {
			bool seen = false;

			if (!r.tracks[t].confirmed)
				continue;
			for (int j = 0; j < nids; j++)
				seen |= ids[j] == r.tracks[t].id;
			if (!seen && nids < 64 && r.tracks[t].gx > KERB_X + M.person.w)
				ids[nids++] = r.tracks[t].id;
		}
		if (r.zone_count[0] > 0)
			kerb_last = k;
	}
	for (int i = 0; i < 200; i++, k++) {
		scene_begin(&s, k);
		run(d, scene_end(&s, k), &r);
		road_entered += r.zone_entered[1];
		if (r.zone_count[0] > 0)
			kerb_last = k;
	}
	fprintf(stderr, "stood through the warm-up, then left at %.1f s: kerb last occupied %.1f s after, "
		"%d track(s) followed him, counted %d time(s) on the road\n", left_at / 10.0,
		(kerb_last - left_at) / 10.0, nids, road_entered);
	ck_assert_msg(kerb_last - left_at <= 20, "kerb occupied %.1f s after he left it", (kerb_last - left_at) / 10.0);
	ck_assert_int_eq(nids, 1);
	ck_assert_int_eq(road_entered, 1);
	zp_detector_free(d);
}
END_TEST

/*
 * He stands at the kerb from the first frame and walks away late in the
 * warm-up (at 3.5 s of 5 s), too late for the warm-up to have taken the
 * ground he uncovered into the background: when the warm-up ends, that
 * ground is a ghost of him where nobody walked in. A ghost there from the
 * start is judged on its first frames: it must not hold the kerb as a
 * waiting person (zone_count, what the lights see) for more than 0.3 s
 * after the warm-up, and he is still counted once on the road.
 */
START_TEST(left_late_in_the_warmup)
{
	static struct scene s;
	zp_detector_params p;
	zp_detector *d;
	zp_result r;
	int k = 0, kerb_frames = 0, road_entered = 0;

	if (!load())
		return;
	d = make_kerb_road(&p);
	for (; k < 35; k++) {
		scene_begin(&s, k);
		paste_person(&s, KERB_X, M.feet_y);
		run(d, scene_end(&s, k), &r);
	}
	/* walks away onto the road until out of view; then the empty scene for 10 s */
	for (int i = 1; k < 35 + 150; i++, k++) {
		scene_begin(&s, k);
		paste_leaving(&s, i);
		run(d, scene_end(&s, k), &r);
		road_entered += r.zone_entered[1];
		kerb_frames += k >= p.warmup_frames && r.zone_count[0] > 0;
	}
	fprintf(stderr, "left at 3.5 s of a 5 s warm-up: kerb occupied on %d frame(s) after the warm-up, "
		"counted %d time(s) on the road\n", kerb_frames, road_entered);
	ck_assert_msg(kerb_frames <= 3, "the ghost held the kerb for %d frames after the warm-up", kerb_frames);
	ck_assert_int_eq(road_entered, 1);
	zp_detector_free(d);
}
END_TEST

/*
 * The other side of that judgement: he walks in late in the warm-up and
 * stops at the kerb 0.5 s before it ends. His outline is in the frame, not
 * in the background: he is no ghost, but a person who came in unseen, held
 * like one who walked in, and the kerb stays occupied for the 30 s he
 * waits.
 */
START_TEST(arrived_late_in_the_warmup_waits)
{
	static struct scene s;
	zp_detector_params p;
	zp_detector *d;
	zp_result r;
	int empty_frames = 0, after = 0;

	if (!load())
		return;
	d = make_kerb_road(&p);
	for (int k = 0; k < p.warmup_frames + 300; k++) {
		scene_begin(&s, k);
		if (k >= 5)
			paste_person(&s, walk_x(k - 5), M.feet_y);
		run(d, scene_end(&s, k), &r);
		if (k >= p.warmup_frames + 5) { /* once confirmed */
			after++;
			empty_frames += r.zone_count[0] == 0;
		}
	}
	fprintf(stderr, "arrived 0.5 s before the end of the warm-up: kerb empty on %d of %d frames while he waits\n",
		empty_frames, after);
	ck_assert_int_eq(empty_frames, 0);
	zp_detector_free(d);
}
END_TEST

/*
 * Two people walk towards each other along the path, one a little nearer
 * the camera, meet (one blob while they pass) and part. Each keeps his
 * id through the merge - the one who came from the left leaves on the
 * right with the id he came with - and the path counts two people.
 */
START_TEST(two_pass_and_keep_ids)
{
	static struct scene s;
	zp_detector_params p;
	zp_zone z = zp_test_rect_zone("path", 0, 150, CW - 1, CH - 1);
	zp_detector *d;
	zp_result r;
	int k = WARM, entered = 0, ids[64], nids = 0, left_id = -1, right_id = -1, n = 70, merged = 0, checked = 0;

	if (!load())
		return;
	zp_detector_params_default(&p);
	d = make(&p, &z, 1);
	warm(d, &s, WARM, 1.0);
	for (int i = 0; i < n; i++, k++) {
		int xa = -M.person.w + 6 * i, xb = CW - 6 * i;

		scene_begin(&s, k);
		paste_person(&s, xb, M.feet_y - 6); /* the one further back first: the nearer one hides him */
		paste_person(&s, xa, M.feet_y + 6);
		run(d, scene_end(&s, k), &r);
		entered += r.zone_entered[0];
		merged += abs(xa - xb) < M.person.w / 2 && r.nblobs == 1;
		for (int t = 0; t < r.ntracks; t++) {
			const zp_track_info *ti = &r.tracks[t];
			bool seen = false;

			if (!ti->confirmed)
				continue;
			for (int j = 0; j < nids; j++)
				seen |= ids[j] == ti->id;
			if (!seen && nids < 64)
				ids[nids++] = ti->id;
			/* before they meet: who is who */
			if (xa + M.person.w < xb - 20)
				*(ti->gx < CW / 2 ? &left_id : &right_id) = ti->id;
			/* after they parted: the one from the left is on the right now */
			if (i == n - 8) {
				ck_assert_int_eq(ti->id, ti->gx > CW / 2 ? left_id : right_id);
				checked++;
			}
		}
	}
	fprintf(stderr, "two pass each other: one blob in %d frames, %d confirmed track id(s), counted %d on the path\n",
		merged, nids, entered);
	ck_assert_int_gt(merged, 0); /* they did merge */
	ck_assert_int_eq(checked, 2); /* both were there to check after parting */
	ck_assert_int_eq(nids, 2);
	ck_assert_int_eq(entered, 2);
	zp_detector_free(d);
}
END_TEST

/* ---- (2) a left object, a parked object and its ghost fade within the configured times ---- */

/*
 * Frames until the kerb zone is empty for good (checked over `horizon`
 * frames), the scene given by draw(k) from frame `from` on; -1 if never.
 */
static int frames_until_empty(zp_detector *d, struct scene *s, int *k, int horizon,
			      void (*draw)(struct scene *s, int i), int *present_at)
{
	zp_result r;
	int last_occupied = -1;

	for (int i = 0; i < horizon; i++, (*k)++) {
		scene_begin(s, *k);
		draw(s, i);
		run(d, scene_end(s, *k), &r);
		if (r.zone_count[0] > 0 || r.nblobs > 0)
			last_occupied = i;
		if (present_at && i < *present_at && r.nblobs == 0)
			*present_at = i; /* the first frame it was gone */
	}
	return last_occupied + 1;
}

static void draw_still(struct scene *s, int i)
{
	(void)i;
	paste_person(s, KERB_X, M.feet_y);
}

static void draw_nothing(struct scene *s, int i)
{
	(void)s;
	(void)i;
}

static void left_object_case(int ghost_fade_ms)
{
	static struct scene s;
	zp_detector_params p;
	zp_zone z = zp_test_rect_zone("kerb", KERB_X - 30, 120, KERB_X + 60, 175);
	zp_detector *d;
	int k = WARM, gone, first_gone = 1 << 30;

	zp_detector_params_default(&p);
	p.ghost_fade_ms = ghost_fade_ms;
	d = make(&p, &z, 1);
	warm(d, &s, WARM, 1.0);
	/* It appears from one frame to the next and never moves: a left object, never held. */
	gone = frames_until_empty(d, &s, &k, ghost_fade_ms / FPS_MS * 2, draw_still, &first_gone);
	fprintf(stderr, "left object, ghost_fade_ms %d: gone after %.1f s\n", ghost_fade_ms, gone / 10.0);
	ck_assert_msg(gone * FPS_MS <= ghost_fade_ms, "still there after %d ms (ghost_fade_ms %d)", gone * FPS_MS,
		      ghost_fade_ms);
	/* ... and not absorbed at once: it is seen for a good part of the time */
	ck_assert_msg(first_gone * FPS_MS >= ghost_fade_ms / 4, "gone already after %d ms", first_gone * FPS_MS);
	zp_detector_free(d);
}

START_TEST(left_object_fades_within_ghost_fade)
{
	if (!load())
		return;
	left_object_case(6000);
	left_object_case(15000);
}
END_TEST

START_TEST(parked_object_and_its_ghost_fade)
{
	static struct scene s;
	zp_detector_params p;
	zp_zone z = zp_test_rect_zone("kerb", KERB_X - 30, 120, KERB_X + 60, 175);
	zp_detector *d;
	zp_result r;
	int k = WARM, gone, bound, first_gone = 1 << 30;

	if (!load())
		return;
	zp_detector_params_default(&p);
	p.still_hold_ms = 20000;
	p.ghost_fade_ms = 8000;
	d = make(&p, &z, 1);
	warm(d, &s, WARM, 1.0);
	/* It comes in like a person and stops (a pram, a parked scooter): held for still_hold_ms, then it fades. */
	for (int i = 0; i <= WALK; i++, k++) {
		scene_begin(&s, k);
		paste_person(&s, walk_x(i), M.feet_y);
		run(d, scene_end(&s, k), &r);
	}
	gone = frames_until_empty(d, &s, &k, (p.still_hold_ms + 2 * p.ghost_fade_ms) / FPS_MS, draw_still, &first_gone);
	bound = p.still_hold_ms + p.ghost_fade_ms;
	fprintf(stderr, "parked object: gone after %.1f s (bound still_hold_ms + ghost_fade_ms = %.1f s)\n",
		gone / 10.0, bound / 1000.0);
	ck_assert_int_le(gone * FPS_MS, bound);
	ck_assert_int_ge(first_gone * FPS_MS, p.still_hold_ms); /* held while a person would be */
	/* It is background now. Taken away, it leaves a ghost, which fades within ghost_fade_ms. */
	first_gone = 1 << 30;
	gone = frames_until_empty(d, &s, &k, 2 * p.ghost_fade_ms / FPS_MS, draw_nothing, NULL);
	fprintf(stderr, "its ghost: gone after %.1f s (ghost_fade_ms %.1f s)\n", gone / 10.0, p.ghost_fade_ms / 1000.0);
	ck_assert_int_ge(gone, 1); /* there was a ghost to fade */
	ck_assert_int_le(gone * FPS_MS, p.ghost_fade_ms);
	zp_detector_free(d);
}
END_TEST

/* ---- (3) gain steps of +-30 % on real frames ---- */

/*
 * The path in these frames is bright (a third of it near 255), and a clipped
 * pixel cannot be brought back by any gain: the base here is the real
 * frames at 0.75 of their level (a camera exposed a little shorter), then a
 * +30 % and a -30 % step. No occupancy from the second frame after a step
 * on; with someone standing in view he stays counted.
 */
/*
 * A detector with one zone over the whole frame, warmed up on the empty
 * frames at `base` of their level; with_person: he has walked in to the
 * kerb and is counted. *k: the next frame.
 */
static zp_detector *lit_scene(struct scene *s, double base, bool with_person, int *k)
{
	zp_detector_params p;
	zp_zone z = zp_test_rect_zone("all", 0, 0, CW - 1, CH - 1);
	zp_detector *d;
	zp_result r;

	zp_detector_params_default(&p);
	d = make(&p, &z, 1);
	warm(d, s, WARM, base);
	*k = WARM;
	if (with_person) {
		for (int i = 0; i <= WALK + 20; i++, ++*k) {
			scene_begin(s, *k);
			paste_person(s, walk_x(i), M.feet_y);
			apply_gain(s, base);
			run(d, scene_end(s, *k), &r);
		}
		ck_assert_int_eq(r.zone_count[0], 1);
	}
	return d;
}

static void gain_case(double step, bool with_person)
{
	static struct scene s;
	const double base = 0.75;
	zp_result r;
	int k, worst = 0;
	zp_detector *d = lit_scene(&s, base, with_person, &k);

	for (int i = 0; i < 60; i++, k++) {
		double g = base * (i < 10 ? 1.0 : i < 35 ? step : 1.0); /* step up (or down) at 10, back at 35 */

		scene_begin(&s, k);
		if (with_person)
			paste_person(&s, KERB_X, M.feet_y);
		apply_gain(&s, g);
		run(d, scene_end(&s, k), &r);
		if ((i >= 12 && i < 35) || i >= 37) {
			ck_assert_msg(r.zone_count[0] == (with_person ? 1 : 0), "gain x%.2f, frame %d after the step: count %d",
				      step, i < 35 ? i - 10 : i - 35, r.zone_count[0]);
		}
		if (!with_person && r.nblobs > worst)
			worst = r.nblobs;
	}
	fprintf(stderr, "gain step x%.2f%s: at most %d blob(s) in any frame\n", step, with_person ? " (person in view)" : "",
		worst);
	zp_detector_free(d);
}

/* ---- (3b) the sun comes out over part of the view ---- */

/*
 * A cloud moves off: the lower part of the picture (the path and the lawn,
 * rows below SUN_Y0, with a soft edge SUN_EDGE rows wide) brightens to x1.35
 * over a second while the top stays as it was. No single gain fits the
 * frame; the detector compensates the lit tiles on their own. No occupancy,
 * little foreground; someone standing in the lit part stays counted.
 */
#define SUN_Y0 90
#define SUN_EDGE 30

static void apply_sun(struct scene *s, double g)
{
	for (int y = 0; y < CH; y++) {
		double t = y <= SUN_Y0 ? 0 : y >= SUN_Y0 + SUN_EDGE ? 1 : (double)(y - SUN_Y0) / SUN_EDGE;
		double f = 1.0 + (g - 1.0) * t;

		for (int i = 0; i < CW * 3; i++) {
			double v = s->bgr[(size_t)y * CW * 3 + i] * f + 0.5;

			s->bgr[(size_t)y * CW * 3 + i] = (uint8_t)(v > 255 ? 255 : v);
		}
	}
}

static void sun_case(bool with_person, double *worst_fg)
{
	static struct scene s;
	const double base = 0.7;
	zp_result r;
	int k;
	zp_detector *d = lit_scene(&s, base, with_person, &k);

	*worst_fg = 0;
	for (int i = 0; i < 80; i++, k++) {
		double g = i < 10 ? 1.0 : i < 20 ? 1.0 + 0.035 * (i - 9) : 1.35; /* x1.35 in 1 s, then it stays */

		scene_begin(&s, k);
		if (with_person)
			paste_person(&s, KERB_X, M.feet_y);
		apply_gain(&s, base);
		apply_sun(&s, g);
		run(d, scene_end(&s, k), &r);
		ck_assert_msg(r.zone_count[0] == (with_person ? 1 : 0), "sun x%.3f, frame %d: count %d", g, i,
			      r.zone_count[0]);
		ck_assert_int_eq(nconfirmed(&r), with_person ? 1 : 0);
		if (r.fg_fraction > *worst_fg)
			*worst_fg = r.fg_fraction;
	}
	zp_detector_free(d);
}

START_TEST(sun_over_part_of_view)
{
	double fg_empty, fg_person;

	if (!load())
		return;
	sun_case(false, &fg_empty);
	sun_case(true, &fg_person);
	fprintf(stderr, "sun over part of the view: foreground at most %.2f %% (empty), %.2f %% (person in view)\n",
		100 * fg_empty, 100 * fg_person);
	ck_assert_double_lt(fg_empty, 0.01);
}
END_TEST

START_TEST(gain_steps_no_false_occupancy)
{
	if (!load())
		return;
	gain_case(1.3, false);
	gain_case(0.7, false);
	gain_case(1.3, true);
	gain_case(0.7, true);
}
END_TEST

/* ---- (4) a person's shadow is not a second person and does not stretch his box into the next zone ---- */

/*
 * He stands on the lawn (feet on row LAWN_FEET), whose grass has texture
 * and colour; his shadow falls towards the camera. On the bright, flat,
 * grey path neither luma nor colour can tell a shadow from a grey coat (see
 * shadow.c), so the shadow test there is not what this case checks.
 */
#define LAWN_FEET 200
/*
 * The next zone begins this far below his feet: a quarter of his height.
 * His shadow reaches half his height below the feet. The shadow of his legs
 * right under the feet is too narrow for the texture window and stays
 * foreground (docs/quality.md), so a zone edge much closer than this to where
 * people stand can still be reached by a long shadow.
 */
#define NEAR_GAP 25

static void shadow_case(int shadows, double factor, int *max_tracks, int *near_frames, int *max_bottom,
			int *counted_end, int *walk_near)
{
	static struct scene s;
	zp_detector_params p;
	zp_zone z[2];
	zp_detector *d;
	zp_result r;
	int k = WARM;

	zp_detector_params_default(&p);
	p.shadows = shadows;
	z[0] = zp_test_rect_zone("far", 0, 100, CW - 1, LAWN_FEET + NEAR_GAP - 1);
	z[1] = zp_test_rect_zone("near", 0, LAWN_FEET + NEAR_GAP, CW - 1, CH - 1);
	d = make(&p, z, 2);
	warm(d, &s, WARM, 1.0);
	*max_tracks = 0;
	*near_frames = 0;
	*max_bottom = 0;
	*walk_near = 0;
	for (int i = 0; i <= WALK + 60; i++, k++) {
		int x = walk_x(i);

		scene_begin(&s, k);
		paste_shadow(&s, x, LAWN_FEET, factor);
		paste_person(&s, x, LAWN_FEET);
		run(d, scene_end(&s, k), &r);
		if (i < 10)
			continue; /* still coming in at the left edge */
		*max_tracks = nconfirmed(&r) > *max_tracks ? nconfirmed(&r) : *max_tracks;
		if (i < WALK) {
			/*
			 * Walking in over the darker, flatter grass on the left the shadow
			 * is found less well; counted apart (reported, not asserted).
			 */
			*walk_near += r.zone_count[1] > 0;
			continue;
		}
		*near_frames += r.zone_count[1] > 0;
		for (int t = 0; t < r.ntracks; t++)
			if (r.tracks[t].confirmed && r.tracks[t].box.y + r.tracks[t].box.h > *max_bottom)
				*max_bottom = r.tracks[t].box.y + r.tracks[t].box.h;
	}
	*counted_end = r.zone_count[0];
	zp_detector_free(d);
}

START_TEST(shadow_is_not_a_person)
{
	int tracks, near, bottom, end, walk;
	/* strong shadows (sunlight); a faint one (0.75) is found too sparsely to trim reliably: reported only */
	static const double factors[] = { 0.45, 0.6, 0.75 };

	if (!load())
		return;
	/* First, that the shadow matters: without the shadow test it drags his box into the near zone. */
	shadow_case(0, 0.6, &tracks, &near, &bottom, &end, &walk);
	fprintf(stderr, "shadow 0.60, shadows off: max %d tracks, standing: %d of 61 frames counted in the near zone, "
		"box bottom %d (feet %d, near zone from %d); walking in: %d of 30\n", tracks, near, bottom, LAWN_FEET,
		LAWN_FEET + NEAR_GAP, walk);
	ck_assert_int_gt(near, 30);
	for (int mode = 1; mode <= 2; mode++)
		for (size_t i = 0; i < sizeof(factors) / sizeof(factors[0]); i++) {
			shadow_case(mode, factors[i], &tracks, &near, &bottom, &end, &walk);
			fprintf(stderr, "shadow %.2f, shadows %s: max %d tracks, standing: %d of 61 frames in the near zone, "
				"box bottom %d; walking in: %d of 30\n", factors[i], mode == 1 ? "luma" : "colour", tracks,
				near, bottom, walk);
			ck_assert_int_eq(tracks, 1);
			if (factors[i] > 0.7)
				continue;
			ck_assert_int_eq(end, 1);
			ck_assert_int_eq(near, 0);
			ck_assert_int_lt(bottom, LAWN_FEET + NEAR_GAP);
		}
}
END_TEST

/* ---- (5) noise, jitter and speckle make no blobs ---- */

enum disturb { NOISE, JITTER, SPECKLE };

static void disturb_case(enum disturb what)
{
	static struct scene s, t;
	static const char *names[] = { "sensor noise +-8", "camera jitter 1 px", "rain-like speckle" };
	zp_result r;
	int blobs = 0, k;
	zp_detector *d = lit_scene(&s, 1.0, false, &k); /* the empty scene at its own level */

	for (; k < WARM + 300; k++) {
		scene_begin(&s, k);
		if (what == NOISE) {
			for (size_t i = 0; i < sizeof(s.bgr); i++) {
				int v = s.bgr[i] + (int)(zp_hash3((uint32_t)k, (uint32_t)i, 1) % 17) - 8;

				s.bgr[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
			}
		} else if (what == JITTER) {
			/* the whole picture moves by up to one pixel each way, a different way every frame */
			int dx = (int)(zp_hash3((uint32_t)k, 2, 3) % 3) - 1, dy = (int)(zp_hash3((uint32_t)k, 4, 5) % 3) - 1;

			memcpy(t.bgr, s.bgr, sizeof(s.bgr));
			for (int y = 0; y < CH; y++)
				for (int x = 0; x < CW; x++) {
					int sx = x + dx < 0 ? 0 : x + dx >= CW ? CW - 1 : x + dx;
					int sy = y + dy < 0 ? 0 : y + dy >= CH ? CH - 1 : y + dy;

					memcpy(s.bgr + 3 * ((size_t)y * CW + x), t.bgr + 3 * ((size_t)sy * CW + sx), 3);
				}
		} else {
			/* 400 drops a frame: bright streaks 1 px wide, 3..8 px long, falling slant */
			for (int j = 0; j < 400; j++) {
				uint32_t h = zp_hash3((uint32_t)k, (uint32_t)j, 9);
				int x = (int)(h % CW), y = (int)((h >> 9) % CH), len = 3 + (int)((h >> 18) % 6);

				for (int i = 0; i < len; i++) {
					int yy = y + i, xx = x + i / 3;
					uint8_t *px;

					if (yy >= CH || xx >= CW)
						break;
					px = s.bgr + 3 * ((size_t)yy * CW + xx);
					for (int c = 0; c < 3; c++)
						px[c] = (uint8_t)(px[c] + (255 - px[c]) / 2);
				}
			}
		}
		run(d, scene_end(&s, k), &r);
		blobs += r.nblobs;
		ck_assert_msg(r.zone_count[0] == 0, "%s, frame %d: %d counted", names[what], k - WARM, r.zone_count[0]);
		ck_assert_int_eq(nconfirmed(&r), 0);
	}
	fprintf(stderr, "%s: %d blobs in 300 frames\n", names[what], blobs);
	ck_assert_int_eq(blobs, 0);
	zp_detector_free(d);
}

START_TEST(noise_jitter_speckle_no_blobs)
{
	if (!load())
		return;
	disturb_case(NOISE);
	disturb_case(JITTER);
	disturb_case(SPECKLE);
}
END_TEST

/* ---- (6) health: when the detector cannot be trusted it says so ---- */

enum view { LIVE, BLINDED, COVERED, DARK, FROZEN, SCENE_CHANGE };

/* The health of the last of 40 frames of a view, after a warm-up on the live scene. */
static zp_health view_health(enum view v, int *first_bad)
{
	static struct scene s;
	zp_detector_params p;
	zp_detector *d;
	zp_result r;
	int k = WARM;

	zp_detector_params_default(&p);
	d = make(&p, NULL, 0);
	warm(d, &s, WARM, 1.0);
	*first_bad = -1;
	for (int i = 0; i < 60; i++, k++) {
		scene_begin(&s, v == FROZEN ? WARM : k);
		switch (v) {
		case BLINDED: /* the sun in the lens: everything near white */
			apply_gain(&s, 3.0);
			break;
		case COVERED: /* a bag over the camera: a dim, even, slightly noisy grey */
			for (size_t j = 0; j < sizeof(s.bgr); j++)
				s.bgr[j] = (uint8_t)(60 + zp_hash3((uint32_t)k, (uint32_t)j, 7) % 3);
			break;
		case DARK: /* night without street lights */
			apply_gain(&s, 0.06);
			break;
		case SCENE_CHANGE: /* the camera knocked round: the picture turned by 180 degrees */
			for (size_t j = 0; j < (size_t)CW * CH / 2; j++) {
				uint8_t *a = s.bgr + 3 * j, *e = s.bgr + 3 * ((size_t)CW * CH - 1 - j), t[3];

				memcpy(t, a, 3);
				memcpy(a, e, 3);
				memcpy(e, t, 3);
			}
			break;
		default:
			break;
		}
		run(d, scene_end(&s, k), &r);
		if (*first_bad < 0 && r.health != ZP_HEALTH_OK)
			*first_bad = i;
	}
	zp_detector_free(d);
	return r.health;
}

START_TEST(health_on_real_frames)
{
	static const struct {
		enum view v;
		zp_health want;
		const char *name;
	} cases[] = {
		{ LIVE, ZP_HEALTH_OK, "live" },
		{ BLINDED, ZP_HEALTH_BLINDED, "blinded" },
		{ COVERED, ZP_HEALTH_BLINDED, "covered" },
		{ DARK, ZP_HEALTH_DARK, "dark" },
		{ FROZEN, ZP_HEALTH_FROZEN, "frozen" },
		{ SCENE_CHANGE, ZP_HEALTH_FOREGROUND, "scene change" },
	};

	if (!load())
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int first_bad;
		zp_health h = view_health(cases[i].v, &first_bad);

		if (first_bad < 0)
			fprintf(stderr, "%s view: health %s after 6 s, ok throughout\n", cases[i].name, zp_health_name(h));
		else
			fprintf(stderr, "%s view: health %s after 6 s (first not ok after %.1f s)\n", cases[i].name,
				zp_health_name(h), first_bad / 10.0);
		ck_assert_msg(h == cases[i].want, "%s view: health %s, expected %s", cases[i].name, zp_health_name(h),
			      zp_health_name(cases[i].want));
		if (cases[i].v == LIVE)
			ck_assert_int_eq(first_bad, -1); /* a quiet live scene is never frozen or anything else */
		else if (cases[i].v != FROZEN)
			ck_assert_int_eq(first_bad, 0); /* said at once */
	}
}
END_TEST

/* ---- (8) leaves in the wind ---- */

/*
 * Leaves derived: in a band of the empty path (rows 60..140) each pixel
 * shows a second look (its own level 60..200, a leaf against the light) in
 * 35 % of the frames, drawn by a fixed hash - pixels that flicker between
 * two looks. With nobody there the band must light no confirmed track and
 * little of the mask; then the person walks through the band and must be
 * tracked and covered. Without the second background level (flicker_on 0)
 * the band is foreground and becomes blobs and tracks.
 */
#define LEAF_Y0 60
#define LEAF_Y1 140

static void paste_leaves(struct scene *s, int k)
{
	for (int y = LEAF_Y0; y < LEAF_Y1; y++)
		for (int x = 0; x < CW; x++) {
			uint32_t h = zp_hash3((uint32_t)x, (uint32_t)y, (uint32_t)k);
			uint8_t look = (uint8_t)(60 + zp_hash3((uint32_t)x, (uint32_t)y, 7u) % 141);

			if (h % 100 < 35)
				memset(s->bgr + 3 * ((size_t)y * CW + x), look, 3);
		}
}

static void leaves_case(int flicker_on, double *empty_fg, int *empty_tracks, double *walk_cov, bool *walk_tracked)
{
	zp_detector_params p;
	zp_detector *d;
	struct scene *s = malloc(sizeof(*s));
	zp_result r;
	int n = 0, k = 0;

	ck_assert_ptr_nonnull(s);
	zp_detector_params_default(&p);
	p.flicker_on = flicker_on;
	d = make(&p, NULL, 0);
	*empty_fg = 0;
	*empty_tracks = 0;
	for (; k < 300; k++) { /* 30 s of leaves, nobody */
		scene_begin(s, k);
		paste_leaves(s, k);
		run(d, scene_end(s, k), &r);
		if (k >= 100) {
			*empty_fg += r.fg_fraction;
			n++;
			*empty_tracks = nconfirmed(&r) > *empty_tracks ? nconfirmed(&r) : *empty_tracks;
		}
	}
	*empty_fg /= n;
	/* the person walks in from the left through the leaves to the kerb; feet on the band's lower part */
	*walk_cov = 0;
	*walk_tracked = false;
	for (int j = 0; j <= WALK; j++, k++) {
		scene_begin(s, k);
		paste_leaves(s, k);
		paste_person(s, walk_x(j), M.feet_y);
		run(d, scene_end(s, k), &r);
		if (j >= WALK / 2) {
			*walk_cov += coverage(d, walk_x(j), M.feet_y) / (WALK - WALK / 2 + 1);
			*walk_tracked |= nconfirmed(&r) > 0;
		}
	}
	zp_detector_free(d);
	free(s);
}

START_TEST(leaves_flicker_person_still_found)
{
	double fg[2], cov[2];
	int tracks[2];
	bool tracked[2];

	if (!load())
		return;
	for (int on = 0; on < 2; on++) {
		leaves_case(on ? 16 : 0, &fg[on], &tracks[on], &cov[on], &tracked[on]);
		fprintf(stderr, "leaves, flicker_on %s: empty foreground %.2f %%, confirmed tracks %d; walking through: "
				"coverage %.2f, tracked %d\n",
			on ? "16" : "0 (off)", 100 * fg[on], tracks[on], cov[on], tracked[on]);
	}
	/* without the second level the leaves are foreground and people */
	ck_assert_msg(fg[0] > 0.02, "flicker_on 0: only %.2f %% foreground in the leaves", 100 * fg[0]);
	ck_assert_msg(tracks[0] > 0, "flicker_on 0: the leaves made no track");
	/* with it: no false person, little foreground, and the walker is still found */
	ck_assert_int_eq(tracks[1], 0);
	ck_assert_msg(fg[1] < 0.005, "flicker_on 16: %.2f %% foreground in the leaves", 100 * fg[1]);
	ck_assert(tracked[1]);
	ck_assert_msg(cov[1] > 0.6, "flicker_on 16: the walker is %.2f covered", cov[1]);
}
END_TEST

/* ---- (9) a tree in the wind, real frames: Wallflower Waving Trees ---- */

/*
 * ../shared/data/wallflower_WavingTrees: 160x120, a tree moving in the
 * wind, nobody in frames 0..241; a person in front of the tree in frame
 * 247, which has a hand-segmented mask (threshold 128). Played at 25 fps
 * (as `zebrapad eval` plays an image folder) with the defaults: the share
 * of the empty frames' pixels in the cleaned mask after the warm-up, and F
 * of frame 247.
 */
#define WT_W 160
#define WT_H 120
#define WT_EMPTY 242
#define WT_GT 247

static void waving_trees(const char *dir, int flicker_on, int colour_fill, double *empty_fg, double *f247)
{
	static uint8_t luma[WT_W * WT_H], mask[WT_W * WT_H];
	zp_detector_params p;
	char path[1024], err[256] = "";
	uint64_t fg = 0, all = 0;
	zp_detector *d;
	zp_result r;
	uint8_t *gt = NULL;
	int w, h, tp = 0, fp = 0, fn = 0;

	zp_detector_params_default(&p);
	p.flicker_on = flicker_on;
	p.colour_fill = colour_fill;
	d = zp_detector_new(&p, NULL, 0, WT_W, WT_H, NULL, err, sizeof(err));
	ck_assert_msg(d != NULL, "zp_detector_new: %s", err);
	for (int n = 0; n <= WT_GT; n++) {
		uint8_t *bgr = NULL;
		zp_frame f;

		snprintf(path, sizeof(path), "%s/wallflower_WavingTrees/b%05d.bmp", dir, n);
		ck_assert_msg(zp_cv_imread(path, 3, &bgr, &w, &h, err, sizeof(err)) == 0, "%s", err);
		ck_assert_msg(w == WT_W && h == WT_H, "%s: %dx%d", path, w, h);
		zp_cv_bgr_to_gray(bgr, WT_W * 3, luma, WT_W, WT_W, WT_H);
		f = (zp_frame){ .luma = luma, .stride = WT_W, .bgr = bgr, .bgr_stride = WT_W * 3, .width = WT_W,
				.height = WT_H, .t_ms = (int64_t)n * 40, .seq = (uint64_t)n + 1 };
		run(d, &f, &r);
		free(bgr);
		zp_detector_mask(d, mask, WT_W);
		if (n >= p.warmup_frames && n < WT_EMPTY)
			for (int i = 0; i < WT_W * WT_H; i++) {
				fg += mask[i] != 0;
				all++;
			}
	}
	snprintf(path, sizeof(path), "%s/wallflower_WavingTrees/hand_segmented_%05d.BMP", dir, WT_GT);
	ck_assert_msg(zp_cv_imread(path, 1, &gt, &w, &h, err, sizeof(err)) == 0, "%s", err);
	for (int i = 0; i < WT_W * WT_H; i++) {
		tp += mask[i] && gt[i] >= 128;
		fp += mask[i] && gt[i] < 128;
		fn += !mask[i] && gt[i] >= 128;
	}
	free(gt);
	zp_detector_free(d);
	*empty_fg = (double)fg / (double)all;
	*f247 = 2.0 * tp / (2.0 * tp + fp + fn);
}

START_TEST(waving_trees_real_frames)
{
	const char *dir = zp_test_shared_data();
	char probe[1024];
	double fg[3], f[3];
	FILE *fp;

	if (!dir)
		return;
	snprintf(probe, sizeof(probe), "%s/wallflower_WavingTrees/b00000.bmp", dir);
	if (!(fp = fopen(probe, "rb"))) {
		fprintf(stderr, "SKIP: %s absent; the Waving Trees test is skipped\n", probe);
		return;
	}
	fclose(fp);
	/* [0] flicker_on 0, [1] flicker_on 16 without colour_fill, [2] the defaults (flicker_on 16, colour_fill 1) */
	for (int k = 0; k < 3; k++) {
		waving_trees(dir, k ? 16 : 0, k == 2, &fg[k], &f[k]);
		fprintf(stderr, "Waving Trees at 25 fps, flicker_on %s, colour_fill %d: empty frames %.2f %% foreground, "
			"frame %d F %.3f\n", k ? "16" : "0 (off)", k == 2, 100 * fg[k], WT_GT, f[k]);
	}
	/* measured 15.8 %, 0.23 %, 0.23 %; F 0.942, 0.916, 0.979 (docs/quality.md); the person stays found */
	ck_assert_msg(fg[0] > 0.05, "flicker_on 0: only %.2f %% foreground on the empty frames", 100 * fg[0]);
	ck_assert_msg(fg[1] < 0.005, "flicker_on 16: %.2f %% foreground on the empty frames", 100 * fg[1]);
	ck_assert_msg(fg[2] < 0.005, "defaults: %.2f %% foreground on the empty frames", 100 * fg[2]);
	ck_assert_msg(f[1] > 0.89, "flicker_on 16, no colour_fill: frame %d F %.3f", WT_GT, f[1]);
	ck_assert_msg(f[1] < 0.95, "without colour_fill frame %d F is %.3f: the colour test proves nothing", WT_GT, f[1]);
	ck_assert_msg(f[2] >= 0.95, "defaults: frame %d F %.3f", WT_GT, f[2]);
}
END_TEST

/* ---- (10) holes in a blob ---- */

/*
 * A textured empty scene (160x120, scale 1, min_area 400), then three
 * bright shapes: one with a 10x10 hole (100 pixels, under half min_area),
 * one with a 16x16 hole (256, over it) and one with a notch of the same
 * size open at its top (not enclosed). With fill_holes the small hole is
 * foreground; the large hole and the notch stay background; without it
 * the small hole is background too. Synthetic: no recorded data needed.
 */
#define HW 160
#define HH 120

static void holes_frame(uint8_t *img, bool shapes)
{
	for (int y = 0; y < HH; y++)
		for (int x = 0; x < HW; x++) {
			bool in = shapes && y >= 30 && y < 90 &&
				  ((x >= 10 && x < 40) || (x >= 60 && x < 92) || (x >= 110 && x < 140));
			bool hole = (x >= 20 && x < 30 && y >= 50 && y < 60) || (x >= 68 && x < 84 && y >= 50 && y < 66) ||
				    (x >= 117 && x < 133 && y >= 30 && y < 46);

			img[y * HW + x] = (uint8_t)(in && !hole ? 220 : 60 + (x * 7 + y * 13) % 40);
		}
}

static bool all_mask(const uint8_t *mask, int x0, int x1, int y0, int y1, uint8_t want)
{
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++)
			if ((mask[y * HW + x] != 0) != (want != 0))
				return false;
	return true;
}

START_TEST(holes_under_half_a_person_filled)
{
	static uint8_t img[HW * HH], mask[HW * HH];

	for (int on = 0; on < 2; on++) {
		zp_detector_params p;
		char err[256] = "";
		zp_detector *d;
		zp_result r;
		zp_frame f = { .luma = img, .stride = HW, .width = HW, .height = HH };

		zp_detector_params_default(&p);
		p.min_area = 400;
		p.fill_holes = on;
		d = zp_detector_new(&p, NULL, 0, HW, HH, NULL, err, sizeof(err));
		ck_assert_msg(d != NULL, "%s", err);
		for (int k = 0; k <= 60; k++) {
			holes_frame(img, k == 60);
			f.t_ms = (int64_t)k * FPS_MS;
			f.seq = (uint64_t)k + 1;
			run(d, &f, &r);
		}
		zp_detector_mask(d, mask, HW);
		/* the shapes themselves are foreground (inside, away from the edges the clean-up rounds) */
		ck_assert(all_mask(mask, 12, 18, 35, 45, 255));
		/* the small hole: filled only with fill_holes (its middle: the closing may round its rim) */
		ck_assert_msg(all_mask(mask, 23, 27, 53, 57, on ? 255 : 0), "fill_holes %d: small hole", on);
		/* the large hole and the open notch: never */
		ck_assert_msg(all_mask(mask, 72, 80, 54, 62, 0), "fill_holes %d: large hole filled", on);
		ck_assert_msg(all_mask(mask, 121, 129, 30, 40, 0), "fill_holes %d: open notch filled", on);
		zp_detector_free(d);
	}
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "crossing", .timeout_s = 600, .tests = ZP_TESTS(
			person_waits_90s_stays_detected,
			two_wait_side_by_side_90s,
			stood_through_warmup_then_leaves,
			left_late_in_the_warmup,
			arrived_late_in_the_warmup_waits,
			two_pass_and_keep_ids,
			left_object_fades_within_ghost_fade,
			parked_object_and_its_ghost_fade,
			gain_steps_no_false_occupancy,
			sun_over_part_of_view,
			shadow_is_not_a_person,
			noise_jitter_speckle_no_blobs,
			health_on_real_frames) },
		{ .name = "leaves", .timeout_s = 600, .tests = ZP_TESTS(
			leaves_flicker_person_still_found,
			waving_trees_real_frames,
			holes_under_half_a_person_filled) },
	};

	return zp_test_run(ZP_TEST_SUITE("quality", cases));
}
