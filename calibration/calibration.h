/* SPDX-License-Identifier: MIT */
/*
 * calibration.h - the site: zones (polygons in input-frame pixels), the
 * image -> ground-plane homography and the checks on both.
 *
 * Geometry here is pure and allocation-free. zp_homography_fit() goes through
 * the OpenCV wrapper (findHomography); everything else is plain C.
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
} zp_zone;

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

#ifdef __cplusplus
}
#endif
#endif
