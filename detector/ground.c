/* SPDX-License-Identifier: MIT */
/*
 * ground.c - blob sizes and track speeds on the ground plane, for a site
 * with a [ground] homography (image pixels -> metres on the road).
 *
 * A homography of the ground plane knows nothing about heights, so the
 * model is:
 *   - width: the bottom edge of the blob's box, from its left to its right
 *     end, mapped onto the ground (exact for a line on the road);
 *   - height: the box height in pixels times the local scale at the feet,
 *     metres per pixel along the image row there (|dG/dx| of the map). An
 *     upright person at that distance has about the same scale vertically
 *     as horizontally; a camera looking steeply down foreshortens people,
 *     so heights come out lower there (cos of the tilt from horizontal view).
 * A blob cut by the frame edge is not held to the lower limit of the
 * dimension that is cut (its feet or head may be outside the picture).
 * A blob whose feet lie beyond the horizon cannot stand on the road: dropped.
 */
#include "detector_internal.h"

#include <math.h>

bool zp_ground_blob_size(const zp_homography *H, const zp_blob *b, double *width_m, double *height_m)
{
	double lx, ly, rx, ry, J[4];
	double yb = b->gy, xl = b->box.x, xr = b->box.x + b->box.w;

	if (!zp_homography_in_front(H, xl, yb) || !zp_homography_in_front(H, xr, yb) ||
	    !zp_homography_apply(H, xl, yb, &lx, &ly) || !zp_homography_apply(H, xr, yb, &rx, &ry) ||
	    !zp_homography_jacobian(H, b->gx, yb, J))
		return false;
	*width_m = hypot(rx - lx, ry - ly);
	*height_m = b->box.h * hypot(J[0], J[2]);
	return isfinite(*width_m) && isfinite(*height_m);
}

int zp_ground_filter(const zp_homography *H, const zp_detector_params *p, int width, int height, int scale,
		     zp_blob *blobs, int n, zp_piece *pieces, int max_pieces, int *npieces)
{
	int kept = 0;

	for (int i = 0; i < n; i++) {
		const zp_blob *b = &blobs[i];
		bool cut_x = b->box.x < scale || b->box.x + b->box.w > width - scale;
		bool cut_y = b->box.y < scale || b->box.y + b->box.h > height - scale;
		double wm, hm;

		if (!zp_ground_blob_size(H, b, &wm, &hm))
			continue;
		if (wm > p->person_max_width_m || hm > p->person_max_height_m)
			continue;
		if ((wm < p->person_min_width_m && !cut_x) || (hm < p->person_min_height_m && !cut_y)) {
			if (npieces && *npieces < max_pieces) { /* too small: a piece (zp_piece) */
				pieces[*npieces].box = b->box;
				pieces[(*npieces)++].area = b->area;
			}
			continue;
		}
		blobs[kept++] = *b;
	}
	return kept;
}

double zp_ground_speed(const zp_homography *H, double gx, double gy, double vx, double vy, double interval_ms)
{
	double ax, ay, bx, by;

	if (!(interval_ms > 0) || !zp_homography_in_front(H, gx, gy) || !zp_homography_in_front(H, gx + vx, gy + vy) ||
	    !zp_homography_apply(H, gx, gy, &ax, &ay) || !zp_homography_apply(H, gx + vx, gy + vy, &bx, &by))
		return -1;
	return hypot(bx - ax, by - ay) * 1000.0 / interval_ms;
}
