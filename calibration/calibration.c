/* SPDX-License-Identifier: MIT */
/*
 * calibration.c - zone polygons: parsing, point-in-polygon, area, and the
 * checks that reject polygons the detector cannot use (crossing edges,
 * repeated points, points outside the frame).
 *
 * Pure and allocation-free. The homography fit lives in its own file
 * (homography_fit.c).
 */
#include "calibration.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Coordinates beyond this are surely a typo; keeps every product below far from overflow. */
#define ZP_COORD_MAX 100000.0

/*
 * Tolerance on cross products. Config coordinates are pixels, written as
 * integers or short decimals, so products are exact or nearly; this only
 * absorbs rounding in the last bits.
 */
#define ZP_GEOM_EPS 1e-9

/* Sign of the cross product (b - a) x (c - a): 1 left turn, -1 right turn, 0 collinear. */
static int orient(zp_pt a, zp_pt b, zp_pt c)
{
	double v = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);

	if (v > ZP_GEOM_EPS)
		return 1;
	if (v < -ZP_GEOM_EPS)
		return -1;
	return 0;
}

/* p collinear with a-b is within the segment's bounding box (so on the segment). */
static bool within_box(zp_pt a, zp_pt b, zp_pt p)
{
	return p.x >= fmin(a.x, b.x) - ZP_GEOM_EPS && p.x <= fmax(a.x, b.x) + ZP_GEOM_EPS &&
	       p.y >= fmin(a.y, b.y) - ZP_GEOM_EPS && p.y <= fmax(a.y, b.y) + ZP_GEOM_EPS;
}

static bool on_segment(zp_pt a, zp_pt b, zp_pt p)
{
	return orient(a, b, p) == 0 && within_box(a, b, p);
}

/* Segments a-b and c-d cross or touch (an end on the other segment, or collinear overlap). */
static bool segments_meet(zp_pt a, zp_pt b, zp_pt c, zp_pt d)
{
	int o1 = orient(a, b, c), o2 = orient(a, b, d);
	int o3 = orient(c, d, a), o4 = orient(c, d, b);

	if (o1 * o2 < 0 && o3 * o4 < 0)
		return true;
	return (o1 == 0 && within_box(a, b, c)) || (o2 == 0 && within_box(a, b, d)) ||
	       (o3 == 0 && within_box(c, d, a)) || (o4 == 0 && within_box(c, d, b));
}

static bool same_pt(zp_pt a, zp_pt b)
{
	return fabs(a.x - b.x) <= ZP_GEOM_EPS && fabs(a.y - b.y) <= ZP_GEOM_EPS;
}

bool zp_polygon_contains(const zp_polygon *poly, double x, double y)
{
	zp_pt p = { x, y };
	bool inside = false;
	int n = poly->n;

	if (n < 1 || n > ZP_MAX_POLY)
		return false;
	for (int i = 0, j = n - 1; i < n; j = i++) {
		zp_pt a = poly->p[j], b = poly->p[i];

		if (on_segment(a, b, p))
			return true;
		/* even-odd: count edges crossed by a ray to +x; half-open in y so a vertex counts once */
		if ((b.y > y) != (a.y > y)) {
			double xc = a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y);

			if (x < xc)
				inside = !inside;
		}
	}
	return inside;
}

/*
 * Not a simple polygon when: fewer than 3 or more than ZP_MAX_POLY points; a
 * point repeats (a zero-length edge or a pinch); two non-adjacent edges
 * cross or touch; or two adjacent edges fold back over each other (a spike,
 * which is also how a polygon with all points on one line shows up).
 */
bool zp_polygon_self_intersects(const zp_polygon *poly)
{
	int n = poly->n;

	if (n < 3 || n > ZP_MAX_POLY)
		return true;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (same_pt(poly->p[i], poly->p[j]))
				return true;
	for (int i = 0; i < n; i++) {
		zp_pt a = poly->p[i], b = poly->p[(i + 1) % n], c = poly->p[(i + 2) % n];

		/* adjacent edges a-b, b-c overlap beyond b when collinear and pointing the same way from b */
		if (orient(a, b, c) == 0 && (a.x - b.x) * (c.x - b.x) + (a.y - b.y) * (c.y - b.y) > 0)
			return true;
		for (int j = i + 2; j < n; j++) {
			if (i == 0 && j == n - 1)
				continue; /* edge n-1 -> 0 is adjacent to edge 0 -> 1 */
			if (segments_meet(a, b, poly->p[j], poly->p[(j + 1) % n]))
				return true;
		}
	}
	return false;
}

double zp_polygon_area(const zp_polygon *poly)
{
	double s = 0;
	int n = poly->n;

	if (n < 3 || n > ZP_MAX_POLY)
		return 0;
	for (int i = 0, j = n - 1; i < n; j = i++)
		s += poly->p[j].x * poly->p[i].y - poly->p[i].x * poly->p[j].y;
	return s / 2;
}

bool zp_zone_has_sides(const zp_zone *zones, int nzones, int z)
{
	const int *s;

	if (z < 0 || z >= nzones)
		return false;
	s = zones[z].side;
	return zones[z].role == ZP_ROLE_CROSSING && s[0] >= 0 && s[1] >= 0 && s[0] < nzones && s[1] < nzones &&
	       s[0] != s[1];
}

void zp_crossing_step(zp_crossing_memory *m, const zp_zone *zones, int nzones, uint32_t in, int crossed[][2])
{
	uint32_t cross_in = 0;

	for (int z = 0; z < nzones; z++)
		if ((in & (1u << z)) && zp_zone_has_sides(zones, nzones, z))
			cross_in |= 1u << z;
	m->via |= cross_in;
	for (int w = 0; w < nzones; w++) {
		if (!(in & (1u << w)) || zones[w].role != ZP_ROLE_WAITING)
			continue;
		for (int z = 0; z < nzones && m->kerb > 0 && m->kerb != w + 1; z++) {
			const int *s = zones[z].side;

			if (!(m->via & (1u << z)))
				continue;
			if (s[0] == m->kerb - 1 && s[1] == w)
				crossed[z][0]++;
			else if (s[1] == m->kerb - 1 && s[0] == w)
				crossed[z][1]++;
		}
		m->kerb = w + 1;
		m->via = cross_in; /* a crossing zone overlapping this kerb stays visited */
		break;
	}
}

bool zp_polygon_inside_frame(const zp_polygon *poly, int width, int height)
{
	if (poly->n < 1 || poly->n > ZP_MAX_POLY)
		return false;
	for (int i = 0; i < poly->n; i++) {
		const zp_pt *p = &poly->p[i];

		if (!(p->x >= 0 && p->y >= 0 && p->x <= width - 1 && p->y <= height - 1))
			return false;
	}
	return true;
}

static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* One coordinate: a finite decimal number, no hex, no inf/nan. */
static bool parse_coord(const char **s, double *out)
{
	const char *p = *s;
	char *end;

	/* strtod would also take "inf", "nan" and hex floats; a coordinate is digits, sign, point, exponent */
	if (!(isdigit((unsigned char)*p) || *p == '-' || *p == '+' || *p == '.'))
		return false;
	for (const char *q = p; *q && *q != ',' && *q != ' ' && *q != '\t'; q++)
		if (*q == 'x' || *q == 'X')
			return false;
	errno = 0;
	*out = strtod(p, &end);
	if (end == p || errno == ERANGE || !isfinite(*out))
		return false;
	*s = end;
	return true;
}

int zp_polygon_parse(const char *text, zp_polygon *poly, char *err, size_t errlen)
{
	zp_polygon tmp;
	const char *s = skip_blank(text);

	tmp.n = 0;
	while (*s) {
		const char *tok = s;
		double x, y;
		size_t toklen;
		bool ok;

		if (tmp.n == ZP_MAX_POLY)
			return zp_seterr(err, errlen, ZP_EINVAL, "too many points (max %d)", ZP_MAX_POLY);
		ok = parse_coord(&s, &x);
		if (ok) {
			s = skip_blank(s);
			ok = *s == ',';
		}
		if (ok) {
			s = skip_blank(s + 1);
			ok = parse_coord(&s, &y);
		}
		ok = ok && (*s == '\0' || *s == ' ' || *s == '\t');
		if (!ok) {
			toklen = strcspn(tok, " \t");
			if (toklen > 40)
				toklen = 40;
			return zp_seterr(err, errlen, ZP_EINVAL, "expected x,y at point %d, got '%.*s'", tmp.n + 1,
					 (int)toklen, tok);
		}
		if (fabs(x) > ZP_COORD_MAX || fabs(y) > ZP_COORD_MAX)
			return zp_seterr(err, errlen, ZP_EINVAL,
					 "coordinate out of range at point %d, got '%g,%g' (expected -%g to %g)",
					 tmp.n + 1, x, y, ZP_COORD_MAX, ZP_COORD_MAX);
		tmp.p[tmp.n].x = x;
		tmp.p[tmp.n].y = y;
		tmp.n++;
		s = skip_blank(s);
	}
	if (tmp.n < 3)
		return zp_seterr(err, errlen, ZP_EINVAL, "expected at least 3 points as x,y");
	*poly = tmp;
	return ZP_OK;
}

const char *zp_zone_role_name(zp_zone_role role)
{
	switch (role) {
	case ZP_ROLE_CROSSING: return "crossing";
	case ZP_ROLE_WAITING: return "waiting";
	default: return "unknown";
	}
}
