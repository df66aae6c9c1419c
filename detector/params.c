/* SPDX-License-Identifier: MIT */
/*
 * params.c - the [detector] config keys: defaults, one setter per key (the
 * key is the field name), and the check of the whole set.
 *
 * The defaults suit 640x480-ish street video at 15-25 fps, the camera a few
 * metres up looking down at the crossing. One table holds every key with its
 * range and default, so default(), set() and check() cannot disagree.
 */
#include "detector.h"
#include "detector_internal.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define INT_FIELD(name, lo, hi, def) ZP_INT_FIELD(zp_detector_params, name, lo, hi, def)
#define DBL_FIELD(name, lo, hi, def) ZP_DOUBLE_FIELD(zp_detector_params, name, lo, hi, def)

/*
 * 1 << 24 input pixels is more than a 4K frame: the area limits cannot
 * exceed any real frame by much. 0 in scale and the three pixel sizes is
 * auto (zp_detector_scale(), zp_detector_params_resolve()): their default.
 */
static const zp_field fields[] = {
	INT_FIELD(scale, 0, 4, 0),
	INT_FIELD(threshold, 1, 255, 20),
	INT_FIELD(low_light_luma, 0, 255, 96),
	INT_FIELD(learn_shift, 1, 15, 6),
	INT_FIELD(warmup_frames, 0, 100000, 50),
	INT_FIELD(flicker_on, 0, 127, 16),
	INT_FIELD(flicker_floor, 100, 400, 150),
	INT_FIELD(vote_radius, -1, 3, -1), /* ZP_VOTE_MAX_R (models.h; checked in detector.c) */
	INT_FIELD(open_radius, 0, 8, 0),
	INT_FIELD(close_radius, -1, 8, -1),
	INT_FIELD(fill_holes, 0, 1, 1),
	INT_FIELD(shadows, 0, 2, 1),
	INT_FIELD(jitter, 0, 1, 1),
	DBL_FIELD(shadow_min_ratio, 0.05, 1, 0.3),
	DBL_FIELD(shadow_max_ratio, 0.05, 1, 0.9),
	INT_FIELD(light_pools, 0, 1, 1),
	INT_FIELD(split_groups, 0, 1, 1),
	INT_FIELD(colour_fill, 0, 1, 1),
	INT_FIELD(min_area, 0, 1 << 24, 0),
	INT_FIELD(max_area, 0, 1 << 24, 0),
	INT_FIELD(track_max_missed, 0, 1000, 10),
	DBL_FIELD(track_max_dist, 0, 10000, 0),
	INT_FIELD(track_min_hits, 1, 1000, 3),
	INT_FIELD(still_hold_ms, 0, 3600000, 120000),
	INT_FIELD(call_extend_ms, 0, 10000, 500),
	INT_FIELD(count_min_ms, 0, 10000, 200),
	INT_FIELD(ghost_fade_ms, 1000, 3600000, 20000),
	INT_FIELD(dark_luma, 0, 255, 20),
	INT_FIELD(blind_luma, 0, 255, 235),
	INT_FIELD(flat_stddev, 0, 255, 4),
	INT_FIELD(frozen_ms, 100, 3600000, 3000),
	DBL_FIELD(max_fg_fraction, 0.01, 1, 0.6),
	/* a person 0.2-1.5 m wide (side by side with another: still one blob), 1.0-2.5 m tall */
	DBL_FIELD(person_min_width_m, 0, 10, 0.2),
	DBL_FIELD(person_max_width_m, 0.01, 20, 1.5),
	DBL_FIELD(person_min_height_m, 0, 10, 1.0),
	DBL_FIELD(person_max_height_m, 0.01, 20, 2.5),
};

void zp_detector_params_default(zp_detector_params *p)
{
	zp_fields_default(fields, ZP_FIELDS_N(fields), p, sizeof(*p));
	p->simd = ZP_SIMD_AUTO;
}

int zp_detector_scale(const zp_detector_params *p, int width)
{
	if (p->scale > 0)
		return p->scale;
	return width >= 1280 ? 4 : width >= 640 ? 2 : 1;
}

/*
 * The pixel sizes at 640x480; a larger frame scales them by its area (the
 * same street filmed with four times the pixels has people four times the
 * area and twice the stride). A smaller frame scales min_area down too, to
 * no less than ZP_AUTO_MIN_AREA_SMALL: the same street at 384x288 has
 * people of 300-500 pixels, and 400 lost half of them
 * (same_street_at_half_the_resolution); below 250 the pieces of a cast
 * shadow at 360x240 became tracks (shadow_is_not_a_person). max_area and
 * track_max_dist keep their 640x480 values below it (a person close to a
 * small camera can fill it). The hole filling keeps half of 400 there
 * (zp_detector_hole_area()).
 */
#define ZP_AUTO_MIN_AREA 400
#define ZP_AUTO_MIN_AREA_SMALL 250
#define ZP_AUTO_MAX_AREA 60000
#define ZP_AUTO_MAX_DIST 60.0
#define ZP_AUTO_REF_PIXELS (640.0 * 480.0)

void zp_detector_params_resolve(zp_detector_params *p, int width, int height)
{
	double r = (double)width * height / ZP_AUTO_REF_PIXELS, a = r < 1 ? 1 : r;

	p->scale = zp_detector_scale(p, width);
	if (p->max_area == 0)
		p->max_area = (int)lround(ZP_AUTO_MAX_AREA * a);
	if (p->min_area == 0) {
		double m = ZP_AUTO_MIN_AREA * r;

		p->min_area = (int)lround(m > ZP_AUTO_MIN_AREA_SMALL ? m : ZP_AUTO_MIN_AREA_SMALL);
		if (p->min_area > p->max_area)
			p->min_area = p->max_area;
	}
	if (p->track_max_dist == 0)
		p->track_max_dist = ZP_AUTO_MAX_DIST * sqrt(a);
}

/*
 * Holes under this many input pixels are filled (fill_holes): half of
 * min_area, or with min_area auto half of its 640x480 value scaled up with
 * a larger frame only: a hole inside a person on a small frame is no
 * smaller than on a 640x480 one, and the smaller auto min_area there is for
 * small people's blobs, not for their holes. `p` as the caller gave it
 * (before zp_detector_params_resolve()).
 */
int zp_detector_hole_area(const zp_detector_params *p, int width, int height)
{
	double a = (double)width * height / ZP_AUTO_REF_PIXELS;
	int m;

	if (p->min_area > 0)
		return p->min_area / 2;
	m = (int)lround(ZP_AUTO_MIN_AREA * (a < 1 ? 1 : a));
	if (p->max_area > 0 && m > p->max_area)
		m = p->max_area; /* as an auto min_area is */
	return m / 2;
}

/* "auto" for the keys whose 0 means auto */
static bool auto_key(const char *key)
{
	return !strcmp(key, "min_area") || !strcmp(key, "max_area") || !strcmp(key, "track_max_dist");
}

int zp_detector_params_set(zp_detector_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	if (!strcmp(key, "scale")) {
		int v;

		if (!strcmp(value, "auto")) {
			p->scale = 0;
			return ZP_OK;
		}
		if (zp_parse_int(value, 1, 4, &v, NULL, 0) || v == 3)
			return zp_seterr(err, errlen, ZP_EINVAL, "expected auto, 1, 2 or 4, got '%s'", value);
		p->scale = v;
		return ZP_OK;
	}
	if (auto_key(key) && !strcmp(value, "auto"))
		value = "0";
	return zp_fields_set(fields, ZP_FIELDS_N(fields), p, key, value, err, errlen);
}

int zp_detector_params_check(const zp_detector_params *p, char *err, size_t errlen)
{
	if (zp_fields_check(fields, ZP_FIELDS_N(fields), p, err, errlen))
		return ZP_EINVAL;
	if (p->simd < ZP_SIMD_AUTO || p->simd > ZP_SIMD_NEON)
		return zp_seterr(err, errlen, ZP_EINVAL, "simd: expected a zp_simd path or ZP_SIMD_AUTO, got %d",
				 (int)p->simd);
	if (p->scale != 0 && p->scale != 1 && p->scale != 2 && p->scale != 4)
		return zp_seterr(err, errlen, ZP_EINVAL, "scale: expected 0 (auto), 1, 2 or 4, got %d", p->scale);
	if (p->min_area > 0 && p->max_area > 0 && p->min_area > p->max_area)
		return zp_seterr(err, errlen, ZP_EINVAL, "min_area (%d) must not exceed max_area (%d)", p->min_area,
				 p->max_area);
	if (p->max_area == 0 && p->min_area > ZP_AUTO_MAX_AREA)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "min_area (%d) must not exceed max_area (auto: %d at 640x480, more for larger frames; "
				 "set max_area)",
				 p->min_area, ZP_AUTO_MAX_AREA);
	if (p->min_area == 0 && p->max_area > 0 && p->max_area < ZP_AUTO_MIN_AREA)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "max_area (%d) must not be below min_area (auto: %d at 640x480, more for larger frames; "
				 "set min_area)",
				 p->max_area, ZP_AUTO_MIN_AREA);
	if (p->person_min_width_m > p->person_max_width_m)
		return zp_seterr(err, errlen, ZP_EINVAL, "person_min_width_m (%g) must not exceed person_max_width_m (%g)",
				 p->person_min_width_m, p->person_max_width_m);
	if (p->person_min_height_m > p->person_max_height_m)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "person_min_height_m (%g) must not exceed person_max_height_m (%g)",
				 p->person_min_height_m, p->person_max_height_m);
	if (p->shadow_min_ratio > p->shadow_max_ratio)
		return zp_seterr(err, errlen, ZP_EINVAL, "shadow_min_ratio (%g) must not exceed shadow_max_ratio (%g)",
				 p->shadow_min_ratio, p->shadow_max_ratio);
	if (p->dark_luma >= p->blind_luma)
		return zp_seterr(err, errlen, ZP_EINVAL, "dark_luma (%d) must be below blind_luma (%d)", p->dark_luma,
				 p->blind_luma);
	return ZP_OK;
}

const char *zp_health_name(zp_health h)
{
	switch (h) {
	case ZP_HEALTH_OK: return "ok";
	case ZP_HEALTH_WARMUP: return "warmup";
	case ZP_HEALTH_DARK: return "dark";
	case ZP_HEALTH_BLINDED: return "blinded";
	case ZP_HEALTH_FROZEN: return "frozen";
	case ZP_HEALTH_FOREGROUND: return "foreground";
	default: return "unknown";
	}
}
