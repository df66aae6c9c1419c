/* SPDX-License-Identifier: MIT */
/*
 * mot.c - CLEAR MOT box metrics (Bernardin & Stiefelhagen 2008), matched the
 * way py-motmetrics does for MOTChallenge: keep last frame's correspondences
 * that still overlap enough, then the Hungarian method on the rest with
 * distance 1 - IoU, pairs below the IoU threshold forbidden.
 */
#include "eval.h"
#include "eval_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double zp_eval_iou(const zp_eval_box *a, const zp_eval_box *b)
{
	double ix = fmin(a->x + a->w, b->x + b->w) - fmax(a->x, b->x);
	double iy = fmin(a->y + a->h, b->y + b->h) - fmax(a->y, b->y);
	double inter, uni;

	if (a->w <= 0 || a->h <= 0 || b->w <= 0 || b->h <= 0 || ix <= 0 || iy <= 0)
		return 0.0;
	inter = ix * iy;
	uni = a->w * a->h + b->w * b->h - inter;
	return uni > 0 ? inter / uni : 0.0;
}

/* ---- Hungarian method ---- */

size_t zp_eval_hungarian_work(int n, int m)
{
	size_t r = (size_t)(n < m ? n : m), c = (size_t)(n < m ? m : n);
	size_t t = n > m ? (size_t)n * (size_t)m : 0;

	return (t + (r + 1) + 2 * (c + 1)) * sizeof(double) + (3 * (c + 1) + r) * sizeof(int);
}

/*
 * Kuhn-Munkres with row/column potentials, O(n^2 m) for n <= m rows x
 * columns (the shortest augmenting path form as in e-maxx's write-up):
 * each row in turn is added and an augmenting path of least reduced cost
 * found. Indices are 1-based inside; column 0 is the virtual start.
 */
static void hungarian_rows(const double *a, int n, int m, int *row_to_col, double *u, double *v, double *minv,
			   int *p, int *way, int *used)
{
	for (int j = 0; j <= m; j++) {
		v[j] = 0;
		p[j] = 0;
		way[j] = 0;
	}
	for (int i = 0; i <= n; i++)
		u[i] = 0;
	for (int i = 1; i <= n; i++) {
		int j0 = 0;

		p[0] = i;
		for (int j = 0; j <= m; j++) {
			minv[j] = INFINITY;
			used[j] = 0;
		}
		do {
			int i0 = p[j0], j1 = 0;
			double delta = INFINITY;

			used[j0] = 1;
			for (int j = 1; j <= m; j++) {
				double cur;

				if (used[j])
					continue;
				cur = a[(size_t)(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
				if (cur < minv[j]) {
					minv[j] = cur;
					way[j] = j0;
				}
				if (minv[j] < delta) {
					delta = minv[j];
					j1 = j;
				}
			}
			for (int j = 0; j <= m; j++) {
				if (used[j]) {
					u[p[j]] += delta;
					v[j] -= delta;
				} else {
					minv[j] -= delta;
				}
			}
			j0 = j1;
		} while (p[j0] != 0);
		do {
			int j1 = way[j0];

			p[j0] = p[j1];
			j0 = j1;
		} while (j0);
	}
	for (int i = 0; i < n; i++)
		row_to_col[i] = -1;
	for (int j = 1; j <= m; j++)
		if (p[j])
			row_to_col[p[j] - 1] = j - 1;
}

void zp_eval_hungarian(const double *cost, int n, int m, int *row_to_col, void *work)
{
	int r = n < m ? n : m, c = n < m ? m : n;
	double *t = work;
	double *u, *v, *minv;
	int *p, *way, *used, *res;

	if (n <= 0 || m <= 0) {
		for (int i = 0; i < n; i++)
			row_to_col[i] = -1;
		return;
	}
	u = t + (n > m ? (size_t)n * m : 0);
	v = u + r + 1;
	minv = v + c + 1;
	p = (int *)(minv + c + 1);
	way = p + c + 1;
	used = way + c + 1;
	res = used + c + 1;
	if (n <= m) {
		hungarian_rows(cost, n, m, row_to_col, u, v, minv, p, way, used);
		return;
	}
	/* more rows than columns: solve the transpose, then turn column -> row around */
	for (int i = 0; i < n; i++)
		for (int j = 0; j < m; j++)
			t[(size_t)j * n + i] = cost[(size_t)i * m + j];
	hungarian_rows(t, m, n, res, u, v, minv, p, way, used);
	for (int i = 0; i < n; i++)
		row_to_col[i] = -1;
	for (int j = 0; j < m; j++)
		if (res[j] >= 0)
			row_to_col[res[j]] = j;
}

/* ---- CLEAR MOT accumulator ---- */

struct id_pair {
	int gt_id;
	int track_id;   /* track matched at this ground-truth id's last match */
};

struct zp_eval_mot {
	double iou_min;
	uint64_t frames, gt, tp, fp, fn, idsw;
	double iou_sum;
	struct id_pair *last;  /* one per ground-truth id ever matched */
	size_t nlast, caplast;
	/* per-frame workspace, grown as needed */
	void *ws;
	size_t ws_bytes;
};

zp_eval_mot *zp_eval_mot_new(double iou_min)
{
	zp_eval_mot *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->iou_min = iou_min;
	return m;
}

void zp_eval_mot_free(zp_eval_mot *m)
{
	if (!m)
		return;
	free(m->last);
	free(m->ws);
	free(m);
}

static struct id_pair *last_match(zp_eval_mot *m, int gt_id)
{
	for (size_t i = 0; i < m->nlast; i++)
		if (m->last[i].gt_id == gt_id)
			return &m->last[i];
	return NULL;
}

/* Record gt_id -> track_id as the latest match; true when it is an ID switch. */
static int remember(zp_eval_mot *m, int gt_id, int track_id, bool *sw)
{
	struct id_pair *lp = last_match(m, gt_id);
	void *grown;

	*sw = false;
	if (lp) {
		*sw = lp->track_id != track_id;
		lp->track_id = track_id;
		return 0;
	}
	grown = zp_grow(m->last, &m->caplast, m->nlast + 1, sizeof(*m->last), 64);
	if (!grown)
		return ZP_ENOMEM;
	m->last = grown;
	m->last[m->nlast++] = (struct id_pair){ gt_id, track_id };
	return 0;
}

/* A cost far above any sum of valid costs (each <= 1): forbidden pairs are taken only when nothing else is left. */
#define FORBIDDEN 1e9

int zp_eval_mot_frame(zp_eval_mot *m, const zp_eval_box *gt, int ngt, const zp_eval_box *ours, int nours)
{
	/* cost matrix, five index arrays, then Hungarian work for any nr <= ngt, nc <= nours (with transpose) */
	size_t need = ((size_t)ngt + nours) * sizeof(int) * 3 + 2 * (size_t)ngt * nours * sizeof(double) +
		      zp_eval_hungarian_work(ngt, nours) + 64;
	int *gt_match, *our_used, *rows, *cols, *r2c;
	double *cost;
	int nr = 0, nc = 0;
	bool sw;

	if (need > m->ws_bytes) {
		void *nw = realloc(m->ws, need);

		if (!nw)
			return ZP_ENOMEM;
		m->ws = nw;
		m->ws_bytes = need;
	}
	cost = m->ws;
	gt_match = (int *)(cost + (size_t)ngt * nours);
	our_used = gt_match + ngt;
	rows = our_used + nours;
	cols = rows + ngt;
	r2c = cols + nours;
	m->frames++;
	m->gt += (uint64_t)ngt;
	for (int i = 0; i < ngt; i++)
		gt_match[i] = -1;
	for (int j = 0; j < nours; j++)
		our_used[j] = 0;

	/* 1. continuation: a ground-truth id keeps last match's track while the boxes still overlap enough */
	for (int i = 0; i < ngt; i++) {
		struct id_pair *lp = last_match(m, gt[i].id);

		if (!lp)
			continue;
		for (int j = 0; j < nours; j++) {
			if (our_used[j] || ours[j].id != lp->track_id)
				continue;
			if (zp_eval_iou(&gt[i], &ours[j]) >= m->iou_min) {
				gt_match[i] = j;
				our_used[j] = 1;
			}
			break;
		}
	}
	/* 2. the rest: Hungarian on 1 - IoU, pairs under the threshold forbidden */
	for (int i = 0; i < ngt; i++)
		if (gt_match[i] < 0)
			rows[nr++] = i;
	for (int j = 0; j < nours; j++)
		if (!our_used[j])
			cols[nc++] = j;
	if (nr && nc) {
		void *work = (void *)(((uintptr_t)(r2c + nr) + 15) & ~(uintptr_t)15);

		for (int a = 0; a < nr; a++)
			for (int b = 0; b < nc; b++) {
				double iou = zp_eval_iou(&gt[rows[a]], &ours[cols[b]]);

				cost[(size_t)a * nc + b] = iou >= m->iou_min ? 1.0 - iou : FORBIDDEN;
			}
		zp_eval_hungarian(cost, nr, nc, r2c, work);
		for (int a = 0; a < nr; a++) {
			int b = r2c[a];

			if (b < 0 || cost[(size_t)a * nc + b] >= FORBIDDEN)
				continue;
			gt_match[rows[a]] = cols[b];
			our_used[cols[b]] = 1;
			if (remember(m, gt[rows[a]].id, ours[cols[b]].id, &sw))
				return ZP_ENOMEM;
			if (sw)
				m->idsw++;
		}
	}
	for (int i = 0; i < ngt; i++) {
		if (gt_match[i] < 0) {
			m->fn++;
			continue;
		}
		m->tp++;
		m->iou_sum += zp_eval_iou(&gt[i], &ours[gt_match[i]]);
	}
	for (int j = 0; j < nours; j++)
		if (!our_used[j])
			m->fp++;
	return 0;
}

void zp_eval_mot_get(const zp_eval_mot *m, zp_eval_mot_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->frames = m->frames;
	out->gt = m->gt;
	out->tp = m->tp;
	out->fp = m->fp;
	out->fn = m->fn;
	out->idsw = m->idsw;
	out->precision = zp_eval_ratio(m->tp, m->tp + m->fp);
	out->recall = zp_eval_ratio(m->tp, m->gt);
	out->mota = m->gt ? 1.0 - (double)(m->fn + m->fp + m->idsw) / (double)m->gt : NAN;
	out->motp_iou = m->tp ? m->iou_sum / (double)m->tp : NAN;
}
