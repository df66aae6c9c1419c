/* SPDX-License-Identifier: MIT */
/*
 * Site suite ("a new site in an afternoon"): the ground-plane
 * homography (exact fit, every degenerate input refused), the detector's
 * ground-size filter and speeds on a synthetic scene with a known ground
 * plane, and the `calibrate` and `tune` commands end to end (the real
 * binary; tune on a short real sequence from ../shared/data, skipped when
 * absent).
 */
#include "zp_test.h"
#include "zp_exec.h"
#include "calibration.h"
#include "config.h"
#include "cvwrap.h"
#include "detector.h"
#include "detector_internal.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- homography ---- */

/* A perspective image -> ground map (w = 1 + 0.0004 x + 0.004 y > 0 on a 640x480 frame). */
static const double H_TRUE[9] = {
	0.021, 0.004, -6.5,
	-0.0015, 0.048, -2.0,
	0.0004, 0.004, 1.0,
};

static zp_homography h_of(const double h[9])
{
	zp_homography H;

	memcpy(H.h, h, sizeof(H.h));
	H.valid = true;
	return H;
}

/* n image points spread over a 640x480 frame (no 3 on a line for the first 4), and their ground points under h. */
static void pairs_under(const double h[9], int n, zp_pt *img, zp_pt *world)
{
	static const zp_pt pts[8] = {
		{ 40, 450 }, { 610, 430 }, { 500, 120 }, { 90, 140 }, { 320, 300 }, { 200, 380 }, { 450, 220 },
		{ 600, 60 },
	};
	zp_homography H = h_of(h);

	for (int i = 0; i < n; i++) {
		img[i] = pts[i];
		ck_assert(zp_homography_apply(&H, img[i].x, img[i].y, &world[i].x, &world[i].y));
	}
}

static void assert_h_equal(const zp_homography *H, const double want[9], double tol)
{
	for (int i = 0; i < 9; i++)
		ck_assert_msg(fabs(H->h[i] - want[i]) <= tol, "h[%d] = %.15g, expected %.15g (tol %g)", i, H->h[i],
			      want[i], tol);
}

START_TEST(fit_exact_on_known_pairs)
{
	zp_pt img[8], world[8];
	zp_homography H;
	zp_homography_report rep;
	char err[256] = "";

	for (int n = 4; n <= 8; n += 4) {
		pairs_under(H_TRUE, n, img, world);
		ck_assert_msg(zp_homography_fit(img, world, n, &H, &rep, err, sizeof(err)) == 0, "n=%d: %s", n, err);
		ck_assert(H.valid);
		ck_assert_double_eq(H.h[8], 1.0);
		assert_h_equal(&H, H_TRUE, 1e-6);
		/* the map itself: far tighter than 1e-6 m on the points and elsewhere */
		for (int i = 0; i < n; i++) {
			double gx, gy;

			ck_assert(zp_homography_apply(&H, img[i].x, img[i].y, &gx, &gy));
			ck_assert_double_eq_tol(gx, world[i].x, 1e-6);
			ck_assert_double_eq_tol(gy, world[i].y, 1e-6);
			ck_assert(zp_homography_in_front(&H, img[i].x, img[i].y));
		}
		ck_assert_int_eq(rep.n, n);
		ck_assert(rep.exact == (n == 4));
		ck_assert_msg(rep.max_px < 1e-6 && rep.rms_px < 1e-6 && rep.max_m < 1e-6, "n=%d max %g px %g m", n,
			      rep.max_px, rep.max_m);
	}
}
END_TEST

/*
 * The plain-C DLT (calibration/homography_fit.c, what the daemon links)
 * against the same normalised DLT on OpenCV's cv::SVD (zp_cv_find_homography):
 * random sites of 4 to 32 pairs with noise, and the degenerate ones, agree.
 */
START_TEST(dlt_matches_opencv_svd)
{
	double img[64], gnd[64], H1[9], H2[9];
	char e1[256], e2[256];
	int r1, r2;

	for (uint32_t site = 0; site < 400; site++) {
		int n = 4 + (int)(zp_hash3(site, 1, 2) % 29);

		for (int i = 0; i < n; i++) {
			img[2 * i] = (double)(zp_hash3(site, (uint32_t)i, 3) % 64000) / 100.0;
			img[2 * i + 1] = (double)(zp_hash3(site, (uint32_t)i, 4) % 48000) / 100.0;
			gnd[2 * i] = img[2 * i] * 0.02 + img[2 * i + 1] * 0.003 + (double)(zp_hash3(site, (uint32_t)i, 5) % 100) / 1e4;
			gnd[2 * i + 1] = 30.0 / (1.0 + img[2 * i + 1] / 200.0) + (double)(zp_hash3(site, (uint32_t)i, 6) % 100) / 1e4;
		}
		if (site % 50 == 7) /* every image point on one line */
			for (int i = 0; i < n; i++)
				img[2 * i + 1] = 2 * img[2 * i] + 1;
		r1 = zp_homography_dlt(img, gnd, n, H1, e1, sizeof(e1));
		r2 = zp_cv_find_homography(img, gnd, n, H2, e2, sizeof(e2));
		ck_assert_msg(r1 == r2, "site %u (n=%d): plain %d (%s), OpenCV %d (%s)", site, n, r1, e1, r2, e2);
		if (r1)
			continue;
		for (int k = 0; k < 9; k++)
			ck_assert_msg(fabs(H1[k] - H2[k]) <= 1e-9 * (1 + fabs(H2[k])), "site %u h[%d]: %.17g vs %.17g", site,
				      k, H1[k], H2[k]);
	}
}
END_TEST

START_TEST(fit_reports_reprojection_error)
{
	zp_pt img[8], world[8];
	zp_homography H;
	zp_homography_report rep;
	char err[256] = "";

	pairs_under(H_TRUE, 8, img, world);
	/* pair 6 measured 3 px off in the image: least squares spreads it, the report finds it */
	img[5].x += 3;
	ck_assert_msg(zp_homography_fit(img, world, 8, &H, &rep, err, sizeof(err)) == 0, "%s", err);
	ck_assert(!rep.exact);
	ck_assert_int_eq(rep.worst, 5);
	ck_assert_msg(rep.max_px > 1.0 && rep.max_px < 3.5, "max %g px", rep.max_px);
	ck_assert_msg(rep.rms_px > 0.3 && rep.rms_px < rep.max_px, "rms %g px", rep.rms_px);
	ck_assert(rep.max_m > 0.01);
	/* rms is the root mean square of the per-pair errors */
	{
		double s = 0;

		for (int i = 0; i < 8; i++)
			s += rep.err_px[i] * rep.err_px[i];
		ck_assert_double_eq_tol(rep.rms_px, sqrt(s / 8), 1e-12);
	}
}
END_TEST

START_TEST(fit_sign_when_origin_beyond_horizon)
{
	/* w = 1 - 0.005 y: the image origin is on the other side of the horizon (y = 200) from the road below it */
	static const double h[9] = { 0.01, 0.0, -3.0, 0.0, -0.02, 10.0, 0.0, -0.005, 1.0 };
	static const zp_pt img[5] = { { 100, 300 }, { 500, 300 }, { 450, 470 }, { 150, 460 }, { 300, 400 } };
	zp_homography Ht = h_of(h), H, inv;
	zp_pt world[5];
	char err[256] = "";

	for (int i = 0; i < 5; i++)
		ck_assert(zp_homography_apply(&Ht, img[i].x, img[i].y, &world[i].x, &world[i].y));
	ck_assert_msg(zp_homography_fit(img, world, 5, &H, NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert_double_eq(H.h[8], -1.0);
	for (int i = 0; i < 9; i++)
		ck_assert_double_eq_tol(H.h[i], -h[i], 1e-9);
	for (int i = 0; i < 5; i++)
		ck_assert(zp_homography_in_front(&H, img[i].x, img[i].y));
	/* above the horizon: not on the road */
	ck_assert(!zp_homography_in_front(&H, 300, 100));
	/* the inverse takes the ground back to the image */
	ck_assert_int_eq(zp_homography_invert(&H, &inv), 0);
	for (int i = 0; i < 5; i++) {
		double x, y;

		ck_assert(zp_homography_apply(&inv, world[i].x, world[i].y, &x, &y));
		ck_assert_double_eq_tol(x, img[i].x, 1e-9);
		ck_assert_double_eq_tol(y, img[i].y, 1e-9);
	}
}
END_TEST

/* Fit must fail with ZP_EINVAL and a message containing want. */
static void assert_refused(const zp_pt *img, const zp_pt *world, int n, const char *want)
{
	zp_homography H;
	char err[512] = "";
	int rc;

	memset(&H, 0, sizeof(H));
	rc = zp_homography_fit(img, world, n, &H, NULL, err, sizeof(err));
	ck_assert_msg(rc == ZP_EINVAL, "expected ZP_EINVAL for '%s', got %d (%s)", want, rc, err);
	ck_assert(!H.valid);
	ck_assert_msg(strstr(err, want) != NULL, "message '%s' lacks '%s'", err, want);
	ck_assert_msg(strchr(err, '\n') == NULL, "message is more than one line: '%s'", err);
}

START_TEST(fit_refuses_degenerate_input)
{
	zp_pt img[8], world[8], a[8], b[8];

	pairs_under(H_TRUE, 8, img, world);
	/* too few */
	assert_refused(img, world, 3, "at least 4 point pairs, got 3");
	assert_refused(img, world, 0, "at least 4 point pairs, got 0");
	/* 3 of 4 image points on one line (pair 3 half a pixel off the line through 1 and 2) */
	memcpy(a, img, sizeof(a));
	memcpy(b, world, sizeof(b));
	a[2] = (zp_pt){ 325, 440.5 };
	assert_refused(a, b, 4, "image points of pairs 1, 2 and 3 lie on one line");
	/* 3 of 4 ground points on one line */
	memcpy(a, img, sizeof(a));
	b[0] = (zp_pt){ 0, 0 };
	b[1] = (zp_pt){ 10, 0 };
	b[2] = (zp_pt){ 5, 8 };
	b[3] = (zp_pt){ 20, 0.01 };
	assert_refused(a, b, 4, "ground points of pairs 1, 2 and 4 lie on one line");
	/* a repeated image point (within 1 px), a repeated ground point (within 1 cm) */
	memcpy(b, world, sizeof(b));
	a[4] = (zp_pt){ img[1].x + 0.5, img[1].y };
	assert_refused(a, b, 5, "pairs 2 and 5 have the same image point");
	memcpy(a, img, sizeof(a));
	b[6] = (zp_pt){ world[3].x, world[3].y + 0.005 };
	assert_refused(a, b, 7, "pairs 4 and 7 have the same ground point");
	/* six points on one line */
	for (int i = 0; i < 6; i++) {
		a[i] = (zp_pt){ 50.0 + 90 * i, 100.0 + 60 * i };
		b[i] = (zp_pt){ 1.0 * i, 0.5 * i + 1 };
	}
	assert_refused(a, b, 6, "all 6 image points lie on one line");
	/* five points, all but one on a line: no 4 in general position */
	for (int i = 0; i < 4; i++)
		a[i] = (zp_pt){ 50.0 + 100 * i, 400 };
	a[4] = (zp_pt){ 300, 100 };
	for (int i = 0; i < 5; i++)
		b[i] = (zp_pt){ (i * 7) % 5 * 1.3, (i * 3) % 5 * 2.1 + 0.1 * i };
	assert_refused(a, b, 5, "no 4 of the 5 image points are free of 3 on one line");
	/* two pairs swapped: a convex quadrilateral onto a bow tie, the pairs straddle the horizon */
	memcpy(a, img, sizeof(a));
	memcpy(b, world, sizeof(b));
	b[2] = world[3];
	b[3] = world[2];
	assert_refused(a, b, 4, "opposite sides of the horizon (are two pairs swapped?");
	/* not finite */
	memcpy(b, world, sizeof(b));
	a[1].x = NAN;
	assert_refused(a, b, 4, "pair 2: coordinates are not finite");
}
END_TEST

START_TEST(polygon_to_ground_and_jacobian)
{
	zp_homography H = h_of(H_TRUE);
	zp_polygon img = { .n = 4, .p = { { 100, 300 }, { 300, 300 }, { 300, 400 }, { 100, 400 } } }, g;
	double J[4], gx0 = 0, gy0 = 0, gx1 = 0, gy1 = 0;

	ck_assert_int_eq(zp_polygon_to_ground(&H, &img, &g), 0);
	ck_assert_int_eq(g.n, 4);
	for (int i = 0; i < 4; i++) {
		double gx, gy;

		ck_assert(zp_homography_apply(&H, img.p[i].x, img.p[i].y, &gx, &gy));
		ck_assert_double_eq(g.p[i].x, gx);
		ck_assert_double_eq(g.p[i].y, gy);
	}
	/* the Jacobian against a central difference */
	ck_assert(zp_homography_jacobian(&H, 250, 350, J));
	zp_homography_apply(&H, 250 - 1e-3, 350, &gx0, &gy0);
	zp_homography_apply(&H, 250 + 1e-3, 350, &gx1, &gy1);
	ck_assert_double_eq_tol(J[0], (gx1 - gx0) / 2e-3, 1e-7);
	ck_assert_double_eq_tol(J[2], (gy1 - gy0) / 2e-3, 1e-7);
	zp_homography_apply(&H, 250, 350 - 1e-3, &gx0, &gy0);
	zp_homography_apply(&H, 250, 350 + 1e-3, &gx1, &gy1);
	ck_assert_double_eq_tol(J[1], (gx1 - gx0) / 2e-3, 1e-7);
	ck_assert_double_eq_tol(J[3], (gy1 - gy0) / 2e-3, 1e-7);
	/* a vertex beyond the horizon (w < 0): refused */
	img.p[0] = (zp_pt){ 100, -400 };
	ck_assert_int_eq(zp_polygon_to_ground(&H, &img, &g), ZP_EINVAL);
	/* singular: no inverse */
	{
		static const double s[9] = { 1, 2, 3, 2, 4, 6, 0, 0, 1 };
		zp_homography S = h_of(s), inv;

		ck_assert_int_eq(zp_homography_invert(&S, &inv), ZP_EINVAL);
	}
}
END_TEST

/* ---- the detector on a synthetic scene with a known ground plane ---- */

#define SW 320
#define SH 240

/* A trapezoid of road: 8 m wide, 20 m deep; 30 px/m at the bottom, 15 px/m at the top. */
static void scene_ground(zp_homography *H)
{
	static const zp_pt img[4] = { { 40, 230 }, { 280, 230 }, { 220, 60 }, { 100, 60 } };
	static const zp_pt world[4] = { { 0, 0 }, { 8, 0 }, { 8, 20 }, { 0, 20 } };
	char err[256] = "";

	ck_assert_msg(zp_homography_fit(img, world, 4, H, NULL, err, sizeof(err)) == 0, "%s", err);
}

/* Pixel size of an object width_m x height_m standing with its feet (bottom centre) at fx, fy. */
static void object_px(const zp_homography *H, double fx, double fy, double width_m, double height_m, int *w, int *h)
{
	double J[4], mpp;

	ck_assert(zp_homography_jacobian(H, fx, fy, J));
	mpp = hypot(J[0], J[2]);
	*w = (int)lround(width_m / mpp);
	*h = (int)lround(height_m / mpp);
}

/* Textured background (4x4 patches) with +-3 sensor noise per frame. */
static void background(uint8_t *img, uint32_t frame)
{
	for (int y = 0; y < SH; y++)
		for (int x = 0; x < SW; x++) {
			int v = 60 + (int)(zp_hash32((uint32_t)((y >> 2) * 1000 + (x >> 2))) % 120);

			v += (int)(zp_hash32(frame * 77777u + (uint32_t)(y * SW + x)) % 7) - 3;
			img[y * SW + x] = (uint8_t)v;
		}
}

/* An object with its feet (bottom centre) at fx, fy: rows fy-h+1..fy, columns centred on fx. */
static void object(uint8_t *img, double fx, int fy, int w, int h, uint8_t v)
{
	int x0 = (int)lround(fx - (w - 1) / 2.0);

	for (int y = fy - h + 1; y <= fy; y++)
		for (int x = x0; x < x0 + w; x++)
			if (x >= 0 && x < SW && y >= 0 && y < SH)
				img[y * SW + x] = v;
}

struct scene_obj {
	const char *what;
	double fx;
	int fy;
	double wm, hm;
	int w, h;
};

/* person 0.6 x 1.7 m, dog 0.8 x 0.5 m, car 4.0 x 1.5 m (width x height) */
static void scene_objects(const zp_homography *H, struct scene_obj o[3])
{
	o[0] = (struct scene_obj){ "person", 110, 200, 0.6, 1.7, 0, 0 };
	o[1] = (struct scene_obj){ "dog", 60, 215, 0.8, 0.5, 0, 0 };
	o[2] = (struct scene_obj){ "car", 255, 140, 4.0, 1.5, 0, 0 };
	for (int i = 0; i < 3; i++)
		object_px(H, o[i].fx, o[i].fy, o[i].wm, o[i].hm, &o[i].w, &o[i].h);
}

START_TEST(ground_size_of_blobs)
{
	zp_homography H;
	zp_detector_params p;
	struct scene_obj o[3];
	zp_blob b[3], all[3];
	zp_piece pc[2];
	int npc = 0;

	scene_ground(&H);
	scene_objects(&H, o);
	zp_detector_params_default(&p);
	for (int i = 0; i < 3; i++) {
		double wm, hm;

		b[i].box = (zp_rect){ (int)lround(o[i].fx - (o[i].w - 1) / 2.0), o[i].fy - o[i].h + 1, o[i].w, o[i].h };
		b[i].area = o[i].w * o[i].h;
		b[i].gx = b[i].box.x + (b[i].box.w - 1) / 2.0;
		b[i].gy = o[i].fy;
		ck_assert(zp_ground_blob_size(&H, &b[i], &wm, &hm));
		/* one pixel of rounding either way */
		ck_assert_msg(fabs(wm - o[i].wm) < 0.08 && fabs(hm - o[i].hm) < 0.08, "%s: %.3f x %.3f m, expected %g x %g",
			      o[i].what, wm, hm, o[i].wm, o[i].hm);
	}
	memcpy(all, b, sizeof(b));
	ck_assert_int_eq(zp_ground_filter(&H, &p, SW, SH, 1, b, 3, NULL, 0, NULL), 1);
	ck_assert_int_eq(b[0].box.w, o[0].w); /* the person is the one kept */
	/* what is too small (the dog) is a piece; what is too large (the car) is not */
	ck_assert_int_eq(zp_ground_filter(&H, &p, SW, SH, 1, all, 3, pc, 2, &npc), 1);
	ck_assert_int_eq(npc, 1);
	ck_assert_int_eq(pc[0].box.w, o[1].w);
	ck_assert_int_eq(pc[0].box.h, o[1].h);
	ck_assert_int_eq(pc[0].area, o[1].w * o[1].h);
	/* a blob beyond the horizon (feet above the vanishing line) is never a person */
	b[0].gy = -500;
	b[0].box.y = -560;
	ck_assert_int_eq(zp_ground_filter(&H, &p, SW, SH, 1, b, 1, NULL, 0, NULL), 0);
}
END_TEST

static bool box_overlaps(const zp_rect *r, const struct scene_obj *o)
{
	int x0 = (int)lround(o->fx - (o->w - 1) / 2.0), y0 = o->fy - o->h + 1;

	return r->x < x0 + o->w && x0 < r->x + r->w && r->y < y0 + o->h && y0 < r->y + r->h;
}

/*
 * 20 frames of empty road, then a person walking left to right at 1.4 m/s
 * (10 fps), a dog and a car standing. Returns the number of frames in which
 * a confirmed track sat on each object; the person's last speed.
 */
static void run_scene(const zp_homography *ground, int tracked[3], double *speed)
{
	zp_detector_params p;
	zp_zone zone;
	struct scene_obj o[3];
	zp_homography H;
	zp_detector *d;
	zp_result r;
	uint8_t *img = malloc(SW * SH);
	char err[256] = "";
	double step_px;

	ck_assert_ptr_nonnull(img);
	scene_ground(&H);
	scene_objects(&H, o);
	memset(&zone, 0, sizeof(zone));
	zp_strlcpy(zone.name, "road", sizeof(zone.name));
	zone.poly = (zp_polygon){ .n = 4, .p = { { 0, 100 }, { 319, 100 }, { 319, 239 }, { 0, 239 } } };
	zp_detector_params_default(&p);
	p.scale = 1;
	p.warmup_frames = 10;
	p.min_area = 100; /* pixel limits (no ground): all three objects pass */
	p.max_area = 20000;
	p.track_max_dist = 30;
	d = zp_detector_new(&p, &zone, 1, SW, SH, ground, err, sizeof(err));
	ck_assert_msg(d != NULL, "%s", err);
	{
		double J[4];

		ck_assert(zp_homography_jacobian(&H, o[0].fx, o[0].fy, J));
		step_px = 0.14 / hypot(J[0], J[2]); /* 1.4 m/s at 10 fps */
	}
	memset(tracked, 0, 3 * sizeof(int));
	*speed = -2;
	for (int k = 0; k < 50; k++) {
		zp_frame f = { .luma = img, .stride = SW, .width = SW, .height = SH, .t_ms = k * 100, .seq = (uint64_t)k + 1 };

		background(img, (uint32_t)k);
		if (k >= 20) {
			object(img, o[0].fx + (k - 20) * step_px, o[0].fy, o[0].w, o[0].h, 230);
			object(img, o[1].fx, o[1].fy, o[1].w, o[1].h, 20);
			object(img, o[2].fx, o[2].fy, o[2].w, o[2].h, 240);
		}
		ck_assert_int_eq(zp_detector_process(d, &f, &r), 0);
		for (int t = 0; t < r.ntracks; t++) {
			struct scene_obj moved = o[0];

			if (!r.tracks[t].confirmed)
				continue;
			moved.fx = o[0].fx + (k - 20) * step_px;
			if (box_overlaps(&r.tracks[t].box, &moved)) {
				tracked[0]++;
				*speed = r.tracks[t].speed_mps;
			}
			for (int i = 1; i < 3; i++)
				tracked[i] += box_overlaps(&r.tracks[t].box, &o[i]);
		}
	}
	zp_detector_free(d);
	free(img);
}

START_TEST(ground_filter_keeps_person_drops_dog_and_car)
{
	zp_homography H;
	int tracked[3];
	double speed;

	scene_ground(&H);
	run_scene(&H, tracked, &speed);
	ck_assert_msg(tracked[0] >= 20, "person tracked in %d frames", tracked[0]);
	ck_assert_msg(tracked[1] == 0, "dog tracked in %d frames", tracked[1]);
	ck_assert_msg(tracked[2] == 0, "car tracked in %d frames", tracked[2]);
	ck_assert_msg(fabs(speed - 1.4) < 0.2, "person's speed %.3f m/s, expected 1.4", speed);

	/* the same scene without a ground plane: pixel limits only, all three are tracked, no speed */
	run_scene(NULL, tracked, &speed);
	ck_assert_msg(tracked[0] >= 20 && tracked[1] >= 20 && tracked[2] >= 20, "person %d dog %d car %d", tracked[0],
		      tracked[1], tracked[2]);
	ck_assert_double_eq(speed, -1);
}
END_TEST

START_TEST(ground_params_keys_and_checks)
{
	zp_detector_params p;
	char err[256] = "";

	zp_detector_params_default(&p);
	ck_assert_double_eq(p.person_min_width_m, 0.2);
	ck_assert_double_eq(p.person_max_width_m, 1.5);
	ck_assert_double_eq(p.person_min_height_m, 1.0);
	ck_assert_double_eq(p.person_max_height_m, 2.5);
	ck_assert_int_eq(zp_detector_params_set(&p, "person_max_width_m", "1.2", err, sizeof(err)), 0);
	ck_assert_double_eq(p.person_max_width_m, 1.2);
	ck_assert_int_eq(zp_detector_params_set(&p, "person_min_height_m", "abc", err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_detector_params_check(&p, err, sizeof(err)), 0);
	p.person_min_width_m = 1.3;
	ck_assert_int_eq(zp_detector_params_check(&p, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "person_min_width_m (1.3) must not exceed person_max_width_m (1.2)"), "%s", err);
}
END_TEST

/* ---- the commands, end to end (the real binary) ---- */

static char g_dir[256];

static const char *tmp(const char *name)
{
	static char buf[16][512];
	static int i;

	i = (i + 1) % 16;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", g_dir, name);
	return buf[i];
}

static void setup(void)
{
	zp_test_tmpdir_make(g_dir, sizeof(g_dir), "site");
}

static void teardown(void)
{
	zp_test_tmpdir_remove(g_dir);
}

/* zebrapad ARGS... (NULL-terminated) */
#define run_zebrapad(r, ...) zp_exec_zebrapad(r, NULL, __VA_ARGS__)

/* zebrapad built against the fake camera (/dev/video0), ARGS... (NULL-terminated) */
#define run_calcam(r, ...) zp_exec(r, NULL, getenv("ZP_CALCAM"), __VA_ARGS__)

/* A folder of numbered PNGs: a textured grey scene, w x h, with a bright block moving right. */
static const char *make_frames(const char *name, int n, int w, int h)
{
	static char dir[512]; /* tmp()'s buffers are reused: keep this one apart */
	uint8_t *img = malloc((size_t)w * h * 3);
	char path[600], err[256];

	ck_assert_ptr_nonnull(img);
	zp_strlcpy(dir, tmp(name), sizeof(dir));
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	for (int k = 1; k <= n; k++) {
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				uint8_t v = (uint8_t)(60 + zp_hash32((uint32_t)((y >> 2) * 1000 + (x >> 2))) % 120);

				if (k > n / 2 && x >= 10 + 3 * (k - n / 2) && x < 34 + 3 * (k - n / 2) && y >= h / 2 &&
				    y < h / 2 + 48)
					v = 240;
				memset(img + ((size_t)y * w + x) * 3, v, 3);
			}
		snprintf(path, sizeof(path), "%s/in%06d.png", dir, k);
		ck_assert_msg(zp_cv_imwrite(path, img, w, h, w * 3, 3, err, sizeof(err)) == 0, "%s", err);
	}
	free(img);
	return dir;
}

static void assert_has(const char *text, const char *want, const char *what)
{
	ck_assert_msg(strstr(text, want) != NULL, "%s lacks '%s':\n%s", what, want, text);
}

/* One line on stderr (the bad-input rule): the message, a newline, nothing else. */
/* The image at path reads back as a want_w x want_h picture. */
static void assert_png_size(const char *path, int want_w, int want_h)
{
	uint8_t *png = NULL;
	char err[256];
	int w, h;

	ck_assert_msg(zp_cv_imread(path, 3, &png, &w, &h, err, sizeof(err)) == 0, "%s: %s", path, err);
	ck_assert_int_eq(w, want_w);
	ck_assert_int_eq(h, want_h);
	free(png);
}

static void assert_one_line(const struct zp_exec *r, const char *want)
{
	assert_has(r->err, want, "stderr");
	ck_assert_msg(strchr(r->err, '\n') == r->err + strlen(r->err) - 1, "more than one line on stderr:\n%s", r->err);
}

/* `zebrapad ARGS...` (NULL-terminated) refused as bad input: exit 2, want on the one line of stderr. */
__attribute__((sentinel)) static void assert_bad_input(const char *want, ...)
{
	struct zp_exec r;
	va_list ap;

	va_start(ap, want);
	zp_exec_v(&r, NULL, zp_exec_zebrapad_path(), ap);
	va_end(ap);
	ck_assert_msg(r.code == 2, "exit %d\n%s", r.code, r.err);
	assert_one_line(&r, want);
	zp_exec_free(&r);
}

START_TEST(calibrate_vtest_preview)
{
	const char *vtest = zp_test_vtest();
	struct zp_exec r;
	uint8_t *png = NULL;
	const uint8_t *frame;
	int w, h, fw, fh, fs;
	long differ = 0, same = 0;
	char err[256];
	zp_cv_video *v;

	if (!vtest)
		return;
	run_zebrapad(&r, "calibrate", "--config", zp_test_src_path("examples/vtest.ini"), "--source", vtest, "--out",
		     tmp("preview.png"), NULL);
	ck_assert_msg(r.code == 0, "exit %d\n%s%s", r.code, r.out, r.err);
	assert_has(r.out, "ground plane: 6 point pairs", "stdout");
	assert_has(r.out, "reprojection error: rms", "stdout");
	assert_has(r.out, "good (rms <= 2 px)", "stdout");
	assert_has(r.out, "zone crossing (crossing): inside the frame", "stdout");
	assert_has(r.out, "m2 on the ground", "stdout");
	assert_has(r.out, "4.0 m at 1.07 m/s = 3.7 s walking + 2 s reaction = 5.8 s suggested minimum on-time", "stdout");
	assert_has(r.out, "0 failed", "stdout");
	/* the preview: the frame's size, the frame underneath, and drawing on top of it */
	ck_assert_int_eq(zp_cv_imread(tmp("preview.png"), 3, &png, &w, &h, err, sizeof(err)), 0);
	ck_assert_int_eq(w, 768);
	ck_assert_int_eq(h, 576);
	v = zp_cv_video_open(vtest, err, sizeof(err));
	ck_assert_msg(v != NULL, "%s", err);
	ck_assert_int_eq(zp_cv_video_read(v, &frame, &fw, &fh, &fs), 0);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			const uint8_t *a = png + ((size_t)y * w + x) * 3, *b = frame + (size_t)y * fs + x * 3;
			int d = abs(a[0] - b[0]) + abs(a[1] - b[1]) + abs(a[2] - b[2]);

			if (d > 30)
				differ++;
			else
				same++;
		}
	zp_cv_video_close(v);
	ck_assert_msg(differ > w * h / 50 && same > w * h / 2, "%ld pixels drawn over, %ld as in the frame", differ, same);
	free(png);
	zp_exec_free(&r);
}
END_TEST

/* 300 x 200 px = 15 x 10 m (0.05 m per pixel), plus a check point */
#define GOOD_GROUND "[ground]\npoint = 0,0 0,10\npoint = 300,0 15,10\npoint = 300,200 15,0\npoint = 0,200 0,0\n" \
		    "point = 150,100 7.5,5\n"

/*
 * `calibrate` on frames with the config text (written to tmp(name)), the preview to tmp("p.png"), at frame
 * (NULL: the default); it must exit with code.
 */
static void calibrate_with(struct zp_exec *r, const char *frames, const char *name, const char *text,
			   const char *frame, int code)
{
	zp_test_write_text(tmp(name), text);
	run_zebrapad(r, "calibrate", "-c", tmp(name), "-s", frames, "-o", tmp("p.png"), frame ? "--frame" : NULL, frame,
		     NULL);
	ck_assert_msg(r->code == code, "exit %d\n%s%s", r->code, r->out, r->err);
}

START_TEST(calibrate_checks_synthetic)
{
	const char *frames = make_frames("frames", 3, 320, 240);
	struct zp_exec r;

	/* good: zones, ground (areas in m2), crossing length and on-time */
	calibrate_with(&r, frames, "good.ini",
		       "[site]\ncrossing_length_m = 10\n[lights]\nmin_on_ms = 20000\n" GOOD_GROUND
		       "[zone road]\nrole = crossing\npolygon = 100,50 200,50 200,150 100,150\n",
		       "2", 0);
	assert_has(r.out, "zone road (crossing): inside the frame, 10000 px2, 25.0 m2 on the ground", "stdout");
	assert_has(r.out, "reprojection error: rms 0.00 px", "stdout");
	assert_has(r.out, "10.0 m at 1.07 m/s = 9.3 s walking + 2 s reaction = 11.4 s suggested minimum on-time; "
			  "[lights] min_on_ms = 20000 (20.0 s)", "stdout");
	assert_has(r.out, "frame 2 of", "stdout");
	assert_has(r.out, "checks: 3 ok, 0 warnings, 0 failed", "stdout");
	assert_png_size(tmp("p.png"), 320, 240);
	zp_exec_free(&r);

	/* a short on-time is a warning, not a failure */
	calibrate_with(&r, frames, "short.ini",
		       "[site]\ncrossing_length_m = 10\n[lights]\nmin_on_ms = 3000\n" GOOD_GROUND
		       "[zone road]\nrole = crossing\npolygon = 100,50 200,50 200,150 100,150\n",
		       NULL, 0);
	assert_has(r.out, "warn  10.0 m at 1.07 m/s", "stdout");
	assert_has(r.out, "below the suggestion", "stdout");
	zp_exec_free(&r);

	/* degenerate ground (three points on a line): a failed check, the preview still written */
	unlink(tmp("p.png"));
	calibrate_with(&r, frames, "line.ini",
		       "[ground]\npoint = 10,10 0,0\npoint = 100,100 5,0\npoint = 200,200 10,0\n"
		       "point = 50,200 0,8\n[zone road]\nrole = crossing\npolygon = 100,50 200,50 200,150\n",
		       NULL, 1);
	assert_has(r.out, "FAIL", "stdout");
	assert_has(r.out, "[ground]: image points of pairs 1, 2 and 3 lie on one line", "stdout");
	ck_assert_int_eq(access(tmp("p.png"), F_OK), 0);
	zp_exec_free(&r);

	/* a zone outside the frame, and a bad fit (pair 5 measured 40 px off) */
	calibrate_with(&r, frames, "out.ini",
		       "[ground]\npoint = 0,0 0,10\npoint = 300,0 15,10\npoint = 300,200 15,0\n"
		       "point = 0,200 0,0\npoint = 190,100 7.5,5\n"
		       "[zone road]\nrole = crossing\npolygon = 100,50 400,50 200,150\n",
		       NULL, 1);
	assert_has(r.out, "FAIL  zone road: a point lies outside the 320x240 frame", "stdout");
	assert_has(r.out, "poor (over 5 px); re-measure pair 5", "stdout");
	zp_exec_free(&r);
}
END_TEST

START_TEST(calibrate_from_camera)
{
	struct zp_exec r;

	if (!getenv("ZP_CALCAM")) {
		fprintf(stderr, "SKIP: zebrapad_calcam not built; calibrate on the fake camera skipped\n");
		return;
	}
	zp_test_write_text(tmp("cam.ini"), "[camera]\ndevice = /dev/video0\nwidth = 640\nheight = 480\n" GOOD_GROUND
				   "[zone road]\nrole = crossing\npolygon = 100,50 200,50 200,150 100,150\n");
	run_calcam(&r, "calibrate", "-c", tmp("cam.ini"), "-s", "/dev/video0", "-o", tmp("cam.png"), NULL);
	ck_assert_msg(r.code == 0, "exit %d\n%s%s", r.code, r.out, r.err);
	assert_has(r.out, "frame 15 of /dev/video0 (640x480)", "stdout");
	assert_has(r.out, "25.0 m2 on the ground", "stdout");
	assert_png_size(tmp("cam.png"), 640, 480);
	zp_exec_free(&r);
	/* another device: no such camera, bad input */
	run_calcam(&r, "calibrate", "-c", tmp("cam.ini"), "-s", "/dev/video7", "-o", tmp("cam7.png"), NULL);
	ck_assert_msg(r.code == 2, "exit %d\n%s%s", r.code, r.out, r.err);
	ck_assert_int_ne(access(tmp("cam7.png"), F_OK), 0);
	zp_exec_free(&r);
}
END_TEST

START_TEST(calibrate_bad_input)
{
	const char *frames = make_frames("frames", 2, 64, 48);

	zp_test_write_text(tmp("ok.ini"), "[zone a]\nrole = crossing\npolygon = 1,1 30,1 30,30\n");
	zp_test_write_text(tmp("bad.ini"), "[zone a]\nrole = crossing\npolygon = 1,1 30,1\n");
	assert_bad_input("expected --config FILE, --source SRC and --out PREVIEW.png (missing --out)",
			 "calibrate", "-c", tmp("ok.ini"), "-s", frames, NULL);
	assert_bad_input("expected a file name ending in .png",
			 "calibrate", "-c", tmp("ok.ini"), "-s", frames, "-o", tmp("p.jpg"), NULL);
	assert_bad_input("nothing: no such file or folder",
			 "calibrate", "-c", tmp("ok.ini"), "-s", tmp("nothing"), "-o", tmp("p.png"), NULL);
	assert_bad_input("has 2 frames, --frame 3 asked for more",
			 "calibrate", "-c", tmp("ok.ini"), "-s", frames, "-o", tmp("p.png"), "--frame", "3", NULL);
	assert_bad_input("bad.ini:3:", "calibrate", "-c", tmp("bad.ini"), "-s", frames, "-o", tmp("p.png"), NULL);
	assert_bad_input("--frame: expected an integer",
			 "calibrate", "-c", tmp("ok.ini"), "-s", frames, "-o", tmp("p.png"), "--frame", "x", NULL);
	ck_assert_int_ne(access(tmp("p.png"), F_OK), 0); /* nothing written on bad input */
}
END_TEST

/* ---- tune ---- */

/* The numbers of one runs.csv row (after the key columns): status and score. */
struct csv_row {
	char status[16];
	double score;
	char keys[4][24];
};

static int read_runs(const char *path, int nkeys, struct csv_row *rows, int max)
{
	char *text = zp_test_slurp(path, NULL), *line, *save = NULL;
	int n = -1;

	ck_assert_ptr_nonnull(text);
	for (line = strtok_r(text, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save), n++) {
		char *f[64], *p = line;
		int nf = 0;

		if (n < 0)
			continue; /* the header */
		while (nf < 64) {
			f[nf++] = p;
			p = strchr(p, ',');
			if (!p)
				break;
			*p++ = '\0';
		}
		ck_assert_int_ge(nf, nkeys + 3);
		ck_assert_int_eq(atoi(f[0]), n);
		for (int k = 0; k < nkeys && k < 4; k++)
			zp_strlcpy(rows[n].keys[k], f[1 + k], sizeof(rows[n].keys[k]));
		zp_strlcpy(rows[n].status, f[1 + nkeys], sizeof(rows[n].status));
		rows[n].score = f[2 + nkeys][0] ? atof(f[2 + nkeys]) : NAN;
	}
	free(text);
	return n;
}

/* The pooled zone-presence F (MOT) or the pixel F (CDnet) from `zebrapad eval --json`. */
static double eval_f(const char *json, bool cdnet)
{
	cJSON *j = cJSON_Parse(json);
	const cJSON *v;
	double f;

	ck_assert_msg(j != NULL, "eval's output is not JSON:\n%s", json);
	v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "models"), 0);
	if (cdnet)
		v = cJSON_GetObjectItemCaseSensitive(v, "pixels");
	else
		v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v, "presence"), "all");
	v = cJSON_GetObjectItemCaseSensitive(v, "f");
	ck_assert_msg(cJSON_IsNumber(v), "no scores in eval's JSON:\n%s", json);
	f = v->valuedouble;
	cJSON_Delete(j);
	return f;
}

/*
 * tune on a real sequence (source and gt named under the shared data; nothing
 * when that is not there), then the checks: the best is at least as good as
 * the config as given; `zebrapad eval` scores the config as given and
 * best.ini exactly as tune did; best.ini holds the best row's values.
 */
static void tune_and_check(const char *config, const char *source_rel, const char *gt_rel, bool cdnet,
			   const char *max_frames, const char *grid1, const char *grid2)
{
	const char *data = zp_test_shared_data();
	struct csv_row rows[64];
	struct zp_exec r;
	int n, best = 0;
	zp_config *c;
	char source[600], gt[600], err[512];

	if (!data)
		return;
	snprintf(source, sizeof(source), "%s/%s", data, source_rel);
	snprintf(gt, sizeof(gt), "%s/%s", data, gt_rel);
	c = malloc(sizeof(*c));
	ck_assert_ptr_nonnull(c);
	run_zebrapad(&r, "tune", "--config", config, "--source", source, "--gt", gt, "--grid", grid1, "--grid", grid2,
		     "--out", tmp("tune"), "--max-frames", max_frames, "--jobs", "2", NULL);
	ck_assert_msg(r.code == 0, "exit %d\n%s%s", r.code, r.out, r.err);
	assert_has(r.out, "rank", "stdout");
	assert_has(r.out, "(config as given)", "stdout");
	assert_has(r.err, "runs done", "stderr (progress, not a terminal: plain lines)");
	n = read_runs(tmp("tune/runs.csv"), 2, rows, 64);
	ck_assert_int_ge(n, 5);
	for (int i = 0; i < n; i++) {
		ck_assert_msg(!strcmp(rows[i].status, "ok"), "run %d: %s", i, rows[i].status);
		if (rows[i].score > rows[best].score)
			best = i;
	}
	ck_assert_msg(rows[best].score >= rows[0].score, "best %g below the config as given %g", rows[best].score,
		      rows[0].score);
	/* best.ini: loads, holds the values of one of the best rows (ties: tune prefers fewer changes) */
	ck_assert_msg(zp_config_load(tmp("tune/best.ini"), c, err, sizeof(err)) == 0, "%s", err);
	{
		zp_config *orig = malloc(sizeof(*orig));
		int found = -1;

		ck_assert_ptr_nonnull(orig);
		ck_assert_int_eq(zp_config_load(config, orig, err, sizeof(err)), 0);
		for (int i = 0; i < n && found < 0; i++) {
			zp_detector_params want = orig->detector;

			if (rows[i].score != rows[best].score)
				continue;
			for (int k = 0; k < 2 && i > 0; k++) {
				char key[48];
				const char *g = k ? grid2 : grid1;

				snprintf(key, sizeof(key), "%.*s", (int)(strchr(g, '=') - g), g);
				ck_assert_int_eq(zp_detector_params_set(&want, key, rows[i].keys[k], err, sizeof(err)), 0);
			}
			if (memcmp(&want, &c->detector, sizeof(want)) == 0)
				found = i;
		}
		ck_assert_msg(found >= 0, "best.ini holds the values of none of the runs scoring %g", rows[best].score);
		best = found;
		free(orig);
	}
	zp_exec_free(&r);
	/* eval agrees with tune on both configs, to the printed precision */
	for (int i = 0; i < 2; i++) {
		double f;

		run_zebrapad(&r, "eval", source, "--config", i ? tmp("tune/best.ini") : config, "--gt", gt, "--json",
			     "--max-frames", max_frames, NULL);
		ck_assert_msg(r.code == 0, "eval exit %d\n%s", r.code, r.err);
		f = eval_f(r.out, cdnet);
		ck_assert_msg(fabs(f - rows[i ? best : 0].score) < 2e-6, "eval says %.6f, tune said %.6f (run %d)", f,
			      rows[i ? best : 0].score, i ? best : 0);
		zp_exec_free(&r);
	}
	assert_png_size(tmp("tune/plot.png"), 1200, 560);
	free(c);
}

START_TEST(tune_mot_real)
{
	tune_and_check(zp_test_src_path("tests/configs/mot_tud_campus.ini"), "mot15_TUD-Campus/TUD-Campus.mp4",
		       "mot15_TUD-Campus/gt/gt.txt", false, "71", "threshold=10:40:10", "min_area=1000:3000:1000");
}
END_TEST

START_TEST(tune_cdnet_real)
{
	tune_and_check(zp_test_src_path("tests/configs/cdnet_pedestrians.ini"), "cdnet2014_baseline_pedestrians",
		       "cdnet2014_baseline_pedestrians/groundtruth", true, "400", "threshold=15:25:5", "close_radius=1,2,3");
}
END_TEST

START_TEST(tune_bad_input)
{
	const char *frames = make_frames("frames", 30, 160, 120);
	static const struct {
		const char *grid, *extra, *want;
	} bad[] = {
		{ "nope=1:2:1", NULL, "unknown [detector] key 'nope'" },
		{ "threshold=30:10:5", NULL, "FROM (30) is above TO (10)" },
		{ "threshold=10:30:0", NULL, "STEP must be above 0, got 0" },
		{ "threshold=10:30:-5", NULL, "STEP must be above 0" },
		{ "threshold=ten:30:5", NULL, "expected three numbers FROM:TO:STEP, got 'ten:30:5'" },
		{ "threshold=10:30", NULL, "expected three numbers FROM:TO:STEP" },
		{ "threshold=10:20:2.5", NULL, "expected an integer from 1 to 255, got '12.5' (an integer key" },
		{ "threshold=10:300:10", NULL, "expected an integer from 1 to 255, got '260'" },
		{ "scale=1:4:1", NULL, "scale: expected auto, 1, 2 or 4, got '3'" },
		{ "threshold=1,2,x", NULL, "expected numbers V1,V2,..." },
		{ "threshold", NULL, "expected KEY=FROM:TO:STEP" },
		{ "threshold=1:100:1", "--max-runs=50", "the grid has 100 combinations, more than --max-runs 50" },
		{ "threshold=10:40:10", "--metric=f", "--metric f needs CDnet masks (a folder) as --gt" },
		{ "threshold=10:40:10", "--metric=nope", "--metric nope: unknown" },
		{ "threshold=10:40:10", "--jobs=0", "--jobs: expected an integer from 1 to 64" },
	};
	struct zp_exec r;

	zp_test_write_text(tmp("site.ini"), "[zone a]\nrole = crossing\npolygon = 1,1 100,1 100,100 1,100\n");
	zp_test_write_text(tmp("gt.txt"), "20,1,40,60,24,48,1,-1,-1,-1\n21,1,43,60,24,48,1,-1,-1,-1\n");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) /* no extra: its NULL ends the arguments */
		assert_bad_input(bad[i].want, "tune", "-c", tmp("site.ini"), "-s", frames, "-g", tmp("gt.txt"), "--grid",
				 bad[i].grid, "--out-dir", tmp("out"), bad[i].extra, NULL);
	/* a key twice, no --grid, no --gt */
	assert_bad_input("key 'threshold' given twice",
			 "tune", "-c", tmp("site.ini"), "-s", frames, "-g", tmp("gt.txt"), "--grid", "threshold=1,2",
			 "--grid", "threshold=3,4", NULL);
	assert_bad_input("(missing --grid)", "tune", "-c", tmp("site.ini"), "-s", frames, "-g", tmp("gt.txt"), NULL);
	assert_bad_input("no ground truth found",
			 "tune", "-c", tmp("site.ini"), "-s", frames, "--grid", "threshold=1,2", NULL);
	/* a sweep estimated over --max-hours: said before it starts, nothing written */
	run_zebrapad(&r, "tune", "-c", tmp("site.ini"), "-s", frames, "-g", tmp("gt.txt"), "--grid", "threshold=10:40:10",
		     "--grid", "min_area=100:400:100", "--out-dir", tmp("long"), "--jobs", "1", "--max-hours", "0.000001",
		     NULL);
	ck_assert_msg(r.code == 2, "exit %d\n%s", r.code, r.err);
	assert_has(r.err, "this sweep would take about", "stderr");
	assert_has(r.err, "(16 runs x", "stderr");
	assert_has(r.err, "pass --yes to run it anyway", "stderr");
	ck_assert_int_ne(access(tmp("long/runs.csv"), F_OK), 0);
	zp_exec_free(&r);
	/* ... and with --yes it runs: a synthetic scene, exact presence */
	run_zebrapad(&r, "tune", "-c", tmp("site.ini"), "-s", frames, "-g", tmp("gt.txt"), "--grid", "threshold=10:40:10",
		     "--out-dir", tmp("long"), "--max-hours", "0.000001", "--yes", NULL);
	ck_assert_msg(r.code == 0, "exit %d\n%s", r.code, r.err);
	ck_assert_int_eq(access(tmp("long/runs.csv"), F_OK), 0);
	zp_exec_free(&r);
	/* a grid whose every combination is invalid (min_area above max_area): exit 2, no best.ini */
	run_zebrapad(&r, "tune", "-c", tmp("site.ini"), "-s", frames, "-g", tmp("gt.txt"), "--grid",
		     "min_area=900000,990000", "--out-dir", tmp("allbad"), "--yes", NULL);
	ck_assert_msg(r.code == 2, "exit %d\n%s", r.code, r.err);
	assert_has(r.err, "every combination of the grid is invalid", "stderr");
	ck_assert_int_ne(access(tmp("allbad/best.ini"), F_OK), 0);
	zp_exec_free(&r);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "homography", .tests = ZP_TESTS(
			fit_exact_on_known_pairs,
			fit_reports_reprojection_error,
			dlt_matches_opencv_svd,
			fit_sign_when_origin_beyond_horizon,
			fit_refuses_degenerate_input,
			polygon_to_ground_and_jacobian) },
		{ .name = "ground_filter", .tests = ZP_TESTS(
			ground_size_of_blobs,
			ground_filter_keeps_person_drops_dog_and_car,
			ground_params_keys_and_checks) },
		{ .name = "commands", .timeout_s = 120, .setup = setup, .teardown = teardown, .tests = ZP_TESTS(
			calibrate_vtest_preview,
			calibrate_checks_synthetic,
			calibrate_from_camera,
			calibrate_bad_input,
			tune_mot_real,
			tune_cdnet_real,
			tune_bad_input) },
	};

	return zp_test_run(ZP_TEST_SUITE("site", cases));
}
