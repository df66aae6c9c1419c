/* SPDX-License-Identifier: MIT */
/*
 * homography_fit.c - zp_homography_fit(): the checks (homography.c), the
 * double-precision DLT through the OpenCV wrapper, then the sign
 * normalisation and the reprojection report (homography.c).
 *
 * Its own library (zp_calibration_fit) so that the pure core, which links
 * zp_calibration, never pulls in OpenCV.
 */
#include "calibration.h"
#include "cvwrap.h"

int zp_homography_fit(const zp_pt *img, const zp_pt *world, int n, zp_homography *H, zp_homography_report *rep,
		      char *err, size_t errlen)
{
	double ixy[2 * ZP_MAX_GROUND_PAIRS], gxy[2 * ZP_MAX_GROUND_PAIRS];
	int rc;

	H->valid = false;
	rc = zp_homography_check_points(img, world, n, err, errlen);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++) {
		ixy[2 * i] = img[i].x;
		ixy[2 * i + 1] = img[i].y;
		gxy[2 * i] = world[i].x;
		gxy[2 * i + 1] = world[i].y;
	}
	rc = zp_cv_find_homography(ixy, gxy, n, H->h, err, errlen);
	if (rc)
		return rc;
	return zp_homography_finish(img, world, n, H, rep, err, errlen);
}
