/* SPDX-License-Identifier: MIT */
/*
 * homography.c - the image -> ground homography around the fit: the checks
 * on the point pairs before it (count, repeats, collinear points), the sign
 * and scale normalisation and the reprojection report after it, the inverse,
 * the local derivative (metres per pixel) and polygons mapped onto the
 * ground.
 *
 * Pure and allocation-free; the fit itself (the DLT) is in homography_fit.c.
 */
#include "calibration.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Two image points closer than this are the same point (pixels); ground points: metres. */
#define ZP_SAME_PX 1.0
#define ZP_SAME_M 0.01
/* A point nearer than this fraction of the points' spread to the line through two others is on it. */
#define ZP_COLLINEAR_FRAC 0.01

static double dist(zp_pt a, zp_pt b)
{
	return hypot(a.x - b.x, a.y - b.y);
}

/* Largest distance between two of the points. */
static double spread(const zp_pt *p, int n)
{
	double s = 0;

	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (dist(p[i], p[j]) > s)
				s = dist(p[i], p[j]);
	return s;
}

/*
 * How far the triangle i, j, k is from a line: its height over the longest
 * side (twice the area divided by that side). *off gets the vertex opposite
 * the longest side, the one that is off the line through the other two.
 */
static double triangle_height(const zp_pt *p, int i, int j, int k, int *off)
{
	double area2 = fabs((p[j].x - p[i].x) * (p[k].y - p[i].y) - (p[j].y - p[i].y) * (p[k].x - p[i].x));
	double dij = dist(p[i], p[j]), djk = dist(p[j], p[k]), dik = dist(p[i], p[k]);
	double longest = dij;

	*off = k;
	if (djk > longest) {
		longest = djk;
		*off = i;
	}
	if (dik > longest) {
		longest = dik;
		*off = j;
	}
	return longest > 0 ? area2 / longest : 0;
}

/* Names for the messages: "image" / "ground", and the unit. */
struct plane {
	const char *name;
	const char *unit;
	double same;
};

static const struct plane planes[2] = {
	{ "image", "px", ZP_SAME_PX },
	{ "ground", "m", ZP_SAME_M },
};

static int check_repeats(const zp_pt *p, int n, const struct plane *pl, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (dist(p[i], p[j]) < pl->same)
				return zp_seterr(err, errlen, ZP_EINVAL,
						 "pairs %d and %d have the same %s point (%g,%g and %g,%g, less than %g %s "
						 "apart): expected %d distinct points",
						 i + 1, j + 1, pl->name, p[i].x, p[i].y, p[j].x, p[j].y, pl->same,
						 pl->unit, n);
	return 0;
}

/* true when no 3 of the points a, b, c, d are on one line (within tol). */
static bool general_position(const zp_pt *p, int a, int b, int c, int d, double tol)
{
	const int q[4] = { a, b, c, d };
	int off;

	for (int skip = 0; skip < 4; skip++) {
		int t[3], m = 0;

		for (int i = 0; i < 4; i++)
			if (i != skip)
				t[m++] = q[i];
		if (triangle_height(p, t[0], t[1], t[2], &off) < tol)
			return false;
	}
	return true;
}

static int check_collinear(const zp_pt *p, int n, const struct plane *pl, char *err, size_t errlen)
{
	double tol = ZP_COLLINEAR_FRAC * spread(p, n), best = 0;
	int bi = 0, bj = 1, bk = 2, off;

	if (n == 4) {
		for (int i = 0; i < 4; i++)
			for (int j = i + 1; j < 4; j++)
				for (int k = j + 1; k < 4; k++) {
					double h = triangle_height(p, i, j, k, &off);

					if (h < tol) {
						int a = off == i ? j : i, b = off == k ? j : k;

						return zp_seterr(err, errlen, ZP_EINVAL,
								 "%s points of pairs %d, %d and %d lie on one line (pair "
								 "%d is %.3g %s off the line through %d and %d, under 1%% "
								 "of the points' spread): expected 4 points with no 3 on "
								 "a line",
								 pl->name, i + 1, j + 1, k + 1, off + 1, h, pl->unit,
								 a + 1, b + 1);
					}
				}
		return 0;
	}
	/* More than 4: enough that some 4 of them are in general position. */
	for (int a = 0; a < n; a++)
		for (int b = a + 1; b < n; b++)
			for (int c = b + 1; c < n; c++)
				for (int d = c + 1; d < n; d++)
					if (general_position(p, a, b, c, d, tol))
						return 0;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			for (int k = j + 1; k < n; k++) {
				double h = triangle_height(p, i, j, k, &off);

				if (h > best) {
					best = h;
					bi = i;
					bj = j;
					bk = k;
				}
			}
	if (best < tol)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "all %d %s points lie on one line (within %.3g %s): expected at least 4 points "
				 "with no 3 on a line, spread over the area to be measured",
				 n, pl->name, tol, pl->unit);
	return zp_seterr(err, errlen, ZP_EINVAL,
			 "no 4 of the %d %s points are free of 3 on one line (the widest triangle is pairs %d, %d, "
			 "%d): expected at least 4 points with no 3 on a line",
			 n, pl->name, bi + 1, bj + 1, bk + 1);
}

int zp_homography_check_points(const zp_pt *img, const zp_pt *world, int n, char *err, size_t errlen)
{
	int rc;

	if (!img || !world || n < 4)
		return zp_seterr(err, errlen, ZP_EINVAL, "a ground plane needs at least 4 point pairs, got %d",
				 img && world ? n : 0);
	if (n > ZP_MAX_GROUND_PAIRS)
		return zp_seterr(err, errlen, ZP_EINVAL, "too many point pairs: %d (max %d)", n,
				 ZP_MAX_GROUND_PAIRS);
	for (int i = 0; i < n; i++)
		if (!isfinite(img[i].x) || !isfinite(img[i].y) || !isfinite(world[i].x) || !isfinite(world[i].y))
			return zp_seterr(err, errlen, ZP_EINVAL, "pair %d: coordinates are not finite numbers", i + 1);
	for (int k = 0; k < 2; k++) {
		rc = check_repeats(k ? world : img, n, &planes[k], err, errlen);
		if (!rc)
			rc = check_collinear(k ? world : img, n, &planes[k], err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

static double hw(const zp_homography *H, double x, double y)
{
	return H->h[6] * x + H->h[7] * y + H->h[8];
}

int zp_homography_invert(const zp_homography *H, zp_homography *inv)
{
	const double *a = H->h;
	double c[9], det, scale = 0;

	if (!H->valid)
		return ZP_EINVAL;
	/* adjugate (transposed cofactors) */
	c[0] = a[4] * a[8] - a[5] * a[7];
	c[1] = a[2] * a[7] - a[1] * a[8];
	c[2] = a[1] * a[5] - a[2] * a[4];
	c[3] = a[5] * a[6] - a[3] * a[8];
	c[4] = a[0] * a[8] - a[2] * a[6];
	c[5] = a[2] * a[3] - a[0] * a[5];
	c[6] = a[3] * a[7] - a[4] * a[6];
	c[7] = a[1] * a[6] - a[0] * a[7];
	c[8] = a[0] * a[4] - a[1] * a[3];
	det = a[0] * c[0] + a[1] * c[3] + a[2] * c[6];
	for (int i = 0; i < 9; i++)
		scale = fmax(scale, fabs(a[i]));
	if (!isfinite(det) || fabs(det) <= 1e-15 * scale * scale * scale)
		return ZP_EINVAL;
	for (int i = 0; i < 9; i++)
		inv->h[i] = c[i] / det;
	inv->valid = true;
	return 0;
}

int zp_homography_finish(const zp_pt *img, const zp_pt *world, int n, zp_homography *H, zp_homography_report *rep,
			 char *err, size_t errlen)
{
	zp_homography inv;
	int pos = 0, neg = 0, first_pos = -1, first_neg = -1;
	double s2px = 0, s2m = 0;

	H->valid = false;
	for (int i = 0; i < 9; i++)
		if (!isfinite(H->h[i]))
			return zp_seterr(err, errlen, ZP_EINVAL, "the homography is not finite (degenerate pairs)");
	for (int i = 0; i < n; i++) {
		double w = hw(H, img[i].x, img[i].y);

		if (w > 0) {
			pos++;
			first_pos = first_pos < 0 ? i : first_pos;
		} else {
			neg++;
			first_neg = first_neg < 0 ? i : first_neg;
		}
	}
	if (pos && neg)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "no consistent ground plane: pairs %d and %d would lie on opposite sides of the horizon "
				 "(are two pairs swapped? each image point must go with its own ground point)",
				 first_pos + 1, first_neg + 1);
	if (fabs(H->h[8]) > 1e-12) {
		double s = 1.0 / fabs(H->h[8]);

		for (int i = 0; i < 9; i++)
			H->h[i] *= s;
	}
	if (neg)
		for (int i = 0; i < 9; i++)
			H->h[i] = -H->h[i];
	H->valid = true;
	if (zp_homography_invert(H, &inv)) {
		H->valid = false;
		return zp_seterr(err, errlen, ZP_EINVAL, "the homography is singular (degenerate pairs)");
	}
	if (!rep)
		return 0;
	memset(rep, 0, sizeof(*rep));
	rep->n = n;
	rep->exact = n == 4;
	for (int i = 0; i < n && i < ZP_MAX_GROUND_PAIRS; i++) {
		double x, y, gx, gy;

		rep->err_px[i] = zp_homography_apply(&inv, world[i].x, world[i].y, &x, &y) ?
					 hypot(x - img[i].x, y - img[i].y) : INFINITY;
		rep->err_m[i] = zp_homography_apply(H, img[i].x, img[i].y, &gx, &gy) ?
					hypot(gx - world[i].x, gy - world[i].y) : INFINITY;
		s2px += rep->err_px[i] * rep->err_px[i];
		s2m += rep->err_m[i] * rep->err_m[i];
		if (rep->err_px[i] > rep->max_px) {
			rep->max_px = rep->err_px[i];
			rep->worst = i;
		}
		rep->max_m = fmax(rep->max_m, rep->err_m[i]);
	}
	rep->rms_px = sqrt(s2px / n);
	rep->rms_m = sqrt(s2m / n);
	return 0;
}

bool zp_homography_jacobian(const zp_homography *H, double x, double y, double J[4])
{
	const double *h = H->h;
	double a = h[0] * x + h[1] * y + h[2], b = h[3] * x + h[4] * y + h[5], w = hw(H, x, y), w2;

	if (w > -1e-12 && w < 1e-12)
		return false;
	w2 = w * w;
	J[0] = (h[0] * w - a * h[6]) / w2;
	J[1] = (h[1] * w - a * h[7]) / w2;
	J[2] = (h[3] * w - b * h[6]) / w2;
	J[3] = (h[4] * w - b * h[7]) / w2;
	return true;
}

int zp_polygon_to_ground(const zp_homography *H, const zp_polygon *img, zp_polygon *ground)
{
	zp_polygon g;

	if (!H->valid || img->n < 0 || img->n > ZP_MAX_POLY)
		return ZP_EINVAL;
	g.n = img->n;
	for (int i = 0; i < img->n; i++)
		if (!zp_homography_in_front(H, img->p[i].x, img->p[i].y) ||
		    !zp_homography_apply(H, img->p[i].x, img->p[i].y, &g.p[i].x, &g.p[i].y))
			return ZP_EINVAL;
	*ground = g;
	return 0;
}
