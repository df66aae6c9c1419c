/* SPDX-License-Identifier: MIT */
/*
 * homography_fit.c - zp_homography_fit(): the checks (homography.c), the
 * normalised DLT in double precision, then the sign normalisation and the
 * reprojection report (homography.c).
 *
 * The DLT: points normalised (centroid to the origin, mean distance sqrt 2),
 * the 2n x 9 system A h = 0 solved by the right singular vector of A's
 * smallest singular value. The SVD is a one-sided Jacobi (Hestenes) on A
 * itself, not an eigen-solve of A^T A, so the singular values keep their
 * full precision and the rank test (8th singular value clear of zero) means
 * what it says. Pure C, no allocation: the daemon links it without OpenCV.
 * tests/test_site.c checks it against OpenCV's cv::SVD on random sites.
 */
#include "calibration.h"

#include <math.h>
#include <string.h>

#define DLT_ROWS (2 * ZP_MAX_GROUND_PAIRS < 9 ? 9 : 2 * ZP_MAX_GROUND_PAIRS)

bool zp_homography_normaliser(const double *xy, int n, double T[9])
{
	double cx = 0, cy = 0, d = 0, s;

	for (int i = 0; i < n; i++) {
		cx += xy[2 * i];
		cy += xy[2 * i + 1];
	}
	cx /= n;
	cy /= n;
	for (int i = 0; i < n; i++)
		d += hypot(xy[2 * i] - cx, xy[2 * i + 1] - cy);
	d /= n;
	if (!isfinite(d) || d <= 0)
		return false;
	s = sqrt(2.0) / d;
	T[0] = s, T[1] = 0, T[2] = -s * cx;
	T[3] = 0, T[4] = s, T[5] = -s * cy;
	T[6] = 0, T[7] = 0, T[8] = 1;
	return true;
}

/*
 * One-sided Jacobi SVD of the m x 9 matrix a (row-major, overwritten):
 * w[9] the singular values in decreasing order, v (9 x 9, row-major) the
 * right singular vectors as columns in the same order.
 */
static void svd_jacobi(double a[][9], int m, double w[9], double v[9][9])
{
	int order[9];
	double vv[9][9], ww[9];

	memset(vv, 0, sizeof(vv));
	for (int i = 0; i < 9; i++)
		vv[i][i] = 1;
	for (int sweep = 0; sweep < 60; sweep++) {
		bool rotated = false;

		for (int p = 0; p < 8; p++)
			for (int q = p + 1; q < 9; q++) {
				double alpha = 0, beta = 0, gamma = 0, zeta, t, c, s;

				for (int i = 0; i < m; i++) {
					alpha += a[i][p] * a[i][p];
					beta += a[i][q] * a[i][q];
					gamma += a[i][p] * a[i][q];
				}
				if (gamma == 0 || fabs(gamma) <= 1e-15 * sqrt(alpha * beta))
					continue;
				rotated = true;
				zeta = (beta - alpha) / (2 * gamma);
				t = (zeta >= 0 ? 1.0 : -1.0) / (fabs(zeta) + sqrt(1 + zeta * zeta));
				c = 1 / sqrt(1 + t * t);
				s = c * t;
				for (int i = 0; i < m; i++) {
					double x = a[i][p], y = a[i][q];

					a[i][p] = c * x - s * y;
					a[i][q] = s * x + c * y;
				}
				for (int i = 0; i < 9; i++) {
					double x = vv[i][p], y = vv[i][q];

					vv[i][p] = c * x - s * y;
					vv[i][q] = s * x + c * y;
				}
			}
		if (!rotated)
			break;
	}
	for (int j = 0; j < 9; j++) {
		double n2 = 0;

		for (int i = 0; i < m; i++)
			n2 += a[i][j] * a[i][j];
		ww[j] = sqrt(n2);
		order[j] = j;
	}
	for (int i = 1; i < 9; i++) /* insertion sort, decreasing */
		for (int j = i; j > 0 && ww[order[j]] > ww[order[j - 1]]; j--) {
			int k = order[j];

			order[j] = order[j - 1];
			order[j - 1] = k;
		}
	for (int j = 0; j < 9; j++) {
		w[j] = ww[order[j]];
		for (int i = 0; i < 9; i++)
			v[i][j] = vv[i][order[j]];
	}
}

static void mul3(const double a[9], const double b[9], double out[9])
{
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 3; c++)
			out[3 * r + c] = a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
}

static double det3(const double m[9])
{
	return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
	       m[2] * (m[3] * m[7] - m[4] * m[6]);
}

int zp_homography_dlt(const double *img_xy, const double *ground_xy, int n, double H[9], char *err, size_t errlen)
{
	double a[DLT_ROWS][9], w[9], v[9][9], Ti[9], Tg[9], Tg_inv[9], Hn[9], tmp[9], Hm[9];
	double norm = 0, scale, det;
	int m;

	if (!img_xy || !ground_xy || !H || n < 4)
		return zp_seterr(err, errlen, ZP_EINVAL, "a homography needs at least 4 point pairs, got %d", n);
	if (n > ZP_MAX_GROUND_PAIRS)
		return zp_seterr(err, errlen, ZP_EINVAL, "a homography takes at most %d point pairs, got %d",
				 ZP_MAX_GROUND_PAIRS, n);
	if (!zp_homography_normaliser(img_xy, n, Ti) || !zp_homography_normaliser(ground_xy, n, Tg))
		return zp_seterr(err, errlen, ZP_EINVAL, "no homography: the %d points coincide or are not finite", n);
	m = 2 * n < 9 ? 9 : 2 * n;
	memset(a, 0, sizeof(a));
	for (int i = 0; i < n; i++) {
		const double x = Ti[0] * img_xy[2 * i] + Ti[2], y = Ti[4] * img_xy[2 * i + 1] + Ti[5];
		const double u = Tg[0] * ground_xy[2 * i] + Tg[2], vg = Tg[4] * ground_xy[2 * i + 1] + Tg[5];
		const double a0[9] = { -x, -y, -1, 0, 0, 0, u * x, u * y, u };
		const double a1[9] = { 0, 0, 0, -x, -y, -1, vg * x, vg * y, vg };

		memcpy(a[2 * i], a0, sizeof(a0));
		memcpy(a[2 * i + 1], a1, sizeof(a1));
	}
	svd_jacobi(a, m, w, v);
	/* One solution only: the 8th singular value must stay clear of zero (else collinear/repeated points). */
	if (!(w[7] > 1e-9 * w[0]))
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "no homography from these %d point pairs (degenerate: collinear or repeated points)", n);
	for (int i = 0; i < 9; i++)
		Hn[i] = v[i][8];
	/* Tg = [s 0 tx; 0 s ty; 0 0 1]: its inverse is [1/s 0 -tx/s; 0 1/s -ty/s; 0 0 1] */
	memset(Tg_inv, 0, sizeof(Tg_inv));
	Tg_inv[0] = Tg_inv[4] = 1 / Tg[0];
	Tg_inv[2] = -Tg[2] / Tg[0];
	Tg_inv[5] = -Tg[5] / Tg[4];
	Tg_inv[8] = 1;
	mul3(Tg_inv, Hn, tmp);
	mul3(tmp, Ti, Hm);
	for (int i = 0; i < 9; i++)
		norm += Hm[i] * Hm[i];
	norm = sqrt(norm);
	scale = fabs(Hm[8]) > 1e-12 ? Hm[8] : norm;
	for (int i = 0; i < 9; i++)
		Hm[i] /= scale;
	norm = 0;
	for (int i = 0; i < 9; i++)
		norm += Hm[i] * Hm[i];
	norm = sqrt(norm);
	for (int i = 0; i < 9; i++)
		tmp[i] = Hm[i] / norm;
	det = det3(tmp);
	if (!(fabs(det) > 1e-12))
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "no homography from these %d point pairs (degenerate: it maps onto a line)", n);
	for (int i = 0; i < 9; i++) {
		if (!isfinite(Hm[i]))
			return zp_seterr(err, errlen, ZP_EINVAL, "homography is not finite (degenerate points)");
		H[i] = Hm[i];
	}
	return 0;
}

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
	rc = zp_homography_dlt(ixy, gxy, n, H->h, err, errlen);
	if (rc)
		return rc;
	return zp_homography_finish(img, world, n, H, rep, err, errlen);
}
