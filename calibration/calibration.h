/* SPDX-License-Identifier: MIT */
/*
 * calibration.h - the site: zones (polygons in input-frame pixels), the
 * image -> ground-plane homography and the checks on both.
 *
 * Geometry here is pure and allocation-free, the homography fit included
 * (a normalised DLT on a Jacobi SVD in plain C).
 */
#ifndef ZP_CALIBRATION_H
#define ZP_CALIBRATION_H

#include "zp_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zp_pt {
	double x, y;
} zp_pt;

typedef struct zp_polygon {
	int n;                 /* number of points, 3..ZP_MAX_POLY when valid */
	zp_pt p[ZP_MAX_POLY];
} zp_polygon;

typedef enum zp_zone_role {
	ZP_ROLE_CROSSING = 0,  /* on the road: people crossing */
	ZP_ROLE_WAITING = 1,   /* at the kerb: people about to cross */
} zp_zone_role;

typedef struct zp_zone {
	char name[ZP_NAME_MAX];
	zp_zone_role role;
	zp_polygon poly;
	/*
	 * A crossing zone's two kerbs: indices of waiting zones in the same zone
	 * array, or -1. A person who was last in side[0], then in this zone, then
	 * reaches side[1] has crossed "forwards"; the other way "back".
	 */
	int side[2];
} zp_zone;

/*
 * true when zones[z] is a crossing zone with two sides: side[0] and side[1]
 * are two different zones of the array. Crossings are counted only there.
 */
bool zp_zone_has_sides(const zp_zone *zones, int nzones, int z);

/*
 * The crossing rule, one for the detector's tracks and for the ground truth
 * that eval scores them against. A person remembers the waiting zone he was
 * last in (kerb) and the crossing zones he has been in since (via). Reaching
 * a waiting zone that is the other side of a crossing he came through
 * completes that crossing: forwards when he came from its side[0], back when
 * from its side[1]. Any waiting zone starts the memory afresh, so walking
 * out onto the road and back to the same kerb is no crossing; a crossing
 * zone that overlaps the kerb he is on stays visited.
 */
typedef struct zp_crossing_memory {
	int kerb;      /* 1 + the waiting zone he was last in; 0: none yet */
	uint32_t via;  /* crossing zones (with sides) he has been in since he left it */
} zp_crossing_memory;

/*
 * One frame of one person: `in` has bit z set when his ground point is in
 * zones[z] this frame (nzones <= ZP_MAX_ZONES). Adds the crossings he
 * completes this frame to crossed[z][0] (forwards) and crossed[z][1]
 * (back) and updates *m. Pure; a fresh memory is all zeros.
 */
void zp_crossing_step(zp_crossing_memory *m, const zp_zone *zones, int nzones, uint32_t in, int crossed[][2]);

/* Even-odd point-in-polygon; a point on an edge counts as inside. */
bool zp_polygon_contains(const zp_polygon *poly, double x, double y);

/*
 * true when the polygon is not simple: two non-adjacent edges cross or
 * touch, two adjacent edges fold back over each other (all points on one
 * line, a spike), a point repeats (zero-length edge, pinch), or n is
 * outside 3..ZP_MAX_POLY.
 */
bool zp_polygon_self_intersects(const zp_polygon *poly);

/* Signed area (shoelace); positive for counter-clockwise in a y-up frame. */
double zp_polygon_area(const zp_polygon *poly);

/* true when every point lies in [0,width-1] x [0,height-1]. */
bool zp_polygon_inside_frame(const zp_polygon *poly, int width, int height);

/*
 * Parse "x,y x,y x,y ..." (points separated by blanks; blanks around the
 * comma allowed; plain decimal numbers within +-100000) into poly. Returns 0,
 * or ZP_EINVAL with a message saying what is expected: "expected at least 3
 * points as x,y", "expected x,y at point N, got '...'", "too many points
 * (max 32)", "coordinate out of range at point N, ...". poly is untouched on
 * error. Does not check the shape (see zp_polygon_self_intersects()).
 */
int zp_polygon_parse(const char *text, zp_polygon *poly, char *err, size_t errlen);

/* Name of a role as written in the config ("crossing", "waiting"). */
const char *zp_zone_role_name(zp_zone_role role);

/* Maximum ground point pairs in [ground]. */
#define ZP_MAX_GROUND_PAIRS 32

/* Image (pixels) -> ground (metres) projective map; row-major 3x3. */
typedef struct zp_homography {
	double h[9];
	bool valid;
} zp_homography;

/* Apply H to an image point; returns false when the point maps to infinity. */
static inline bool zp_homography_apply(const zp_homography *H, double x, double y, double *gx, double *gy)
{
	double w = H->h[6] * x + H->h[7] * y + H->h[8];

	if (w > -1e-12 && w < 1e-12)
		return false;
	*gx = (H->h[0] * x + H->h[1] * y + H->h[2]) / w;
	*gy = (H->h[3] * x + H->h[4] * y + H->h[5]) / w;
	return true;
}

/*
 * What a fit found, pair by pair (pairs in the order given, numbered from 1
 * in messages). err_px: the world point mapped back into the image through
 * H^-1, its distance to the measured image point; err_m: the image point
 * mapped onto the ground through H, its distance to the measured world
 * point. With exactly 4 pairs the fit passes through every pair (exact is
 * true), so the errors are ~0 and check nothing: a 5th pair is the check.
 */
typedef struct zp_homography_report {
	int n;
	double err_px[ZP_MAX_GROUND_PAIRS];
	double err_m[ZP_MAX_GROUND_PAIRS];
	double rms_px, max_px;
	double rms_m, max_m;
	int worst;              /* index of the pair with the largest err_px */
	bool exact;             /* n == 4 */
} zp_homography_report;

/*
 * Fit the image (pixels) -> ground (metres) homography to n pairs, least
 * squares over all of them (zp_homography_dlt(), homography_fit.c). Checks first, each failing with ZP_EINVAL and one
 * line in err saying which pairs and what is expected:
 *   - 4 <= n <= ZP_MAX_GROUND_PAIRS;
 *   - no two image points within 1 px, no two ground points within 1 cm;
 *   - 4 points with no 3 on one line, in the image and on the ground (a
 *     point within 1% of the points' spread of the line through two others
 *     counts as on it; with 4 pairs every triple is checked);
 *   - every image point on the ground side of the horizon: H is scaled so
 *     that w = h[6] x + h[7] y + h[8] > 0 at every image point; pairs that
 *     need w of both signs (typically two pairs swapped) are refused.
 * H is normalised so that h[8] = 1, or h[8] = -1 where the image origin
 * lies beyond the horizon (w > 0 at the points decides). rep (may be NULL)
 * gets the reprojection errors. Returns 0 or ZP_EINVAL. *H is valid only
 * on success. Pure C like everything here: the daemon links it without
 * OpenCV.
 */
int zp_homography_fit(const zp_pt *img, const zp_pt *world, int n, zp_homography *H, zp_homography_report *rep,
		      char *err, size_t errlen);

/*
 * The normalised DLT behind zp_homography_fit(), on n point pairs as
 * x,y arrays (4 <= n <= ZP_MAX_GROUND_PAIRS): H (row-major, h[8] = 1 when
 * it is not near 0) maps img_xy to ground_xy in the least-squares sense.
 * ZP_EINVAL and one line when the points are degenerate (the 8th singular
 * value within 1e-9 of the largest, or a map onto a line). No checks of
 * point spacing or the horizon: zp_homography_fit() does those.
 */
int zp_homography_dlt(const double *img_xy, const double *ground_xy, int n, double H[9], char *err, size_t errlen);

/*
 * The point normalisation of the DLT (Hartley): T (row-major 3x3) moves the
 * n points' centroid to the origin and scales their mean distance from it
 * to sqrt 2. false when the points coincide or are not finite.
 */
bool zp_homography_normaliser(const double *xy, int n, double T[9]);

/*
 * The checks of zp_homography_fit() that come before the fit (count,
 * repeated and collinear points); 0 or ZP_EINVAL with the same messages.
 */
int zp_homography_check_points(const zp_pt *img, const zp_pt *world, int n, char *err, size_t errlen);

/*
 * After a fit: normalise the sign (w > 0 at every image point, h[8] = +-1),
 * or ZP_EINVAL when the points straddle the horizon; then fill rep (may be
 * NULL). Pure; zp_homography_fit() calls it. H->valid is set on success.
 */
int zp_homography_finish(const zp_pt *img, const zp_pt *world, int n, zp_homography *H, zp_homography_report *rep,
			 char *err, size_t errlen);

/* The inverse map (ground -> image). Returns 0, or ZP_EINVAL when H is singular or not valid. */
int zp_homography_invert(const zp_homography *H, zp_homography *inv);

/*
 * true when the image point lies on the ground side of the horizon
 * (w > 0 for a homography from zp_homography_fit()), i.e. it can be a point
 * on the road.
 */
static inline bool zp_homography_in_front(const zp_homography *H, double x, double y)
{
	return H->h[6] * x + H->h[7] * y + H->h[8] > 1e-12;
}

/*
 * The local derivative of the map at an image point: J = {dgx/dx, dgx/dy,
 * dgy/dx, dgy/dy}, metres per pixel. false when the point maps to infinity.
 */
bool zp_homography_jacobian(const zp_homography *H, double x, double y, double J[4]);

/*
 * The polygon mapped onto the ground (straight edges stay straight under a
 * homography, so the vertices are enough). Returns 0, or ZP_EINVAL when a
 * vertex is not in front (beyond the horizon).
 */
int zp_polygon_to_ground(const zp_homography *H, const zp_polygon *img, zp_polygon *ground);

#ifdef __cplusplus
}
#endif
#endif
