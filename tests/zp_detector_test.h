/* SPDX-License-Identifier: MIT */
/* Helpers shared by the detector suites: zones, a detector that must open, a frame fed through it. */
#ifndef ZP_DETECTOR_TEST_H
#define ZP_DETECTOR_TEST_H

#include "zp_test.h"
#include "detector.h"

#include <string.h>

/* The rectangle x0..x1, y0..y1 as a zone named name. */
static inline zp_zone zp_test_rect_zone(const char *name, double x0, double y0, double x1, double y1)
{
	zp_zone z;

	memset(&z, 0, sizeof(z));
	zp_strlcpy(z.name, name, sizeof(z.name));
	z.poly.n = 4;
	z.poly.p[0] = (zp_pt){ x0, y0 };
	z.poly.p[1] = (zp_pt){ x1, y0 };
	z.poly.p[2] = (zp_pt){ x1, y1 };
	z.poly.p[3] = (zp_pt){ x0, y1 };
	return z;
}

/* A detector for w x h frames; fails the test, with the reason, when it cannot be made. */
static inline zp_detector *zp_test_detector_new(const zp_detector_params *p, const zp_zone *zones, int nzones, int w,
						int h)
{
	char err[256] = "";
	zp_detector *d = zp_detector_new(p, zones, nzones, w, h, NULL, err, sizeof(err));

	ck_assert_msg(d != NULL, "zp_detector_new: %s", err);
	return d;
}

/* The w x h luma image img as frame seq at t_ms. */
static inline zp_frame zp_test_frame(const uint8_t *img, int w, int h, uint64_t seq, int64_t t_ms)
{
	return (zp_frame){ .luma = img, .stride = w, .width = w, .height = h, .t_ms = t_ms, .seq = seq };
}

/* Process img as frame seq at t_ms; the result in r. */
static inline void zp_test_feed(zp_detector *d, const uint8_t *img, int w, int h, uint64_t seq, int64_t t_ms,
				zp_result *r)
{
	zp_frame f = zp_test_frame(img, w, h, seq, t_ms);

	ck_assert_int_eq(zp_detector_process(d, &f, r), 0);
	ck_assert_int_eq((int)r->seq, (int)seq);
}

#endif
