/* SPDX-License-Identifier: MIT */
/* plot.c - small charts for reports (see plot.h). */
#include "plot.h"

#include "cvwrap.h"
#include "zp_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_AXIS = 0x202020, COL_GRIDLINE = 0xe4e4e4, COL_LABEL = 0x202020 };

int zp_plot_new(zp_plot *p, int w, int h)
{
	p->bgr = malloc((size_t)w * h * 3);
	if (!p->bgr)
		return ZP_ENOMEM;
	memset(p->bgr, 255, (size_t)w * h * 3);
	p->w = w;
	p->h = h;
	p->x_integer = false;
	return 0;
}

void zp_plot_x_integer(zp_plot *p, bool on)
{
	p->x_integer = on;
}

void zp_plot_free(zp_plot *p)
{
	free(p->bgr);
	p->bgr = NULL;
}

void zp_plot_text(zp_plot *p, int x, int y, const char *text, double scale, uint32_t rgb)
{
	zp_cv_draw_text(p->bgr, p->w, p->h, p->w * 3, x, y, text, scale, rgb);
}

/* Width of text in the Hershey simplex font, estimated (about 18.5 px per character at scale 1). */
static int text_w(const char *text, double scale)
{
	return (int)(strlen(text) * 18.5 * scale);
}

double zp_plot_tick_step(double range, int want)
{
	double raw, mag, f;

	if (!(range > 0) || want < 1)
		return 1;
	raw = range / want;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

/* Widen [*a, *b] to multiples of the tick step (at least min_step); a zero-width range around its value. */
static double nice_range(double *a, double *b, int want, double min_step)
{
	double step;

	if (!isfinite(*a) || !isfinite(*b)) {
		*a = 0;
		*b = 1;
	}
	if (*b - *a < 1e-12) {
		double d = fabs(*a) > 1e-9 ? fabs(*a) * 0.1 : 0.5;

		*a -= d;
		*b += d;
	}
	step = zp_plot_tick_step(*b - *a, want);
	if (step < min_step)
		step = min_step;
	*a = floor(*a / step + 1e-9) * step;
	*b = ceil(*b / step - 1e-9) * step;
	return step;
}

static int sx(const zp_plot_panel *pn, double x)
{
	return pn->ax + (int)lround((x - pn->x0) / (pn->x1 - pn->x0) * pn->aw);
}

static int sy(const zp_plot_panel *pn, double y)
{
	return pn->ay + pn->ah - (int)lround((y - pn->y0) / (pn->y1 - pn->y0) * pn->ah);
}

/* A tick value as short text: no trailing zeros, no "-0". */
static void tick_text(char *buf, size_t size, double v, double step)
{
	int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);

	if (fabs(v) < step * 1e-6)
		v = 0;
	snprintf(buf, size, "%.*f", dec > 6 ? 6 : dec, v);
}

void zp_plot_panel_init(zp_plot *p, zp_plot_panel *pn, int x, int y, int w, int h, double x0, double x1, double y0,
			double y1, const char *title, const char *xlabel, const char *ylabel)
{
	const int W = p->w * 3;
	double xs, ys;
	char buf[32];

	pn->x = x;
	pn->y = y;
	pn->w = w;
	pn->h = h;
	pn->ax = x + 62;
	pn->ay = y + 30;
	pn->aw = w - 62 - 30;
	pn->ah = h - 30 - 44;
	xs = nice_range(&x0, &x1, pn->aw > 250 ? 6 : 4, p->x_integer ? 1 : 0);
	ys = nice_range(&y0, &y1, pn->ah > 250 ? 6 : 4, 0);
	pn->x0 = x0;
	pn->x1 = x1;
	pn->y0 = y0;
	pn->y1 = y1;
	/* grid and ticks */
	for (double v = x0; v <= x1 + xs * 1e-6; v += xs) {
		int px = sx(pn, v);

		zp_cv_draw_line(p->bgr, p->w, p->h, W, px, pn->ay, px, pn->ay + pn->ah, COL_GRIDLINE, 1);
		zp_cv_draw_line(p->bgr, p->w, p->h, W, px, pn->ay + pn->ah, px, pn->ay + pn->ah + 5, COL_AXIS, 1);
		tick_text(buf, sizeof(buf), v, xs);
		zp_plot_text(p, px - text_w(buf, 0.4) / 2, pn->ay + pn->ah + 19, buf, 0.4, COL_LABEL);
	}
	for (double v = y0; v <= y1 + ys * 1e-6; v += ys) {
		int py = sy(pn, v);

		zp_cv_draw_line(p->bgr, p->w, p->h, W, pn->ax, py, pn->ax + pn->aw, py, COL_GRIDLINE, 1);
		zp_cv_draw_line(p->bgr, p->w, p->h, W, pn->ax - 5, py, pn->ax, py, COL_AXIS, 1);
		tick_text(buf, sizeof(buf), v, ys);
		zp_plot_text(p, pn->ax - 8 - text_w(buf, 0.4), py + 5, buf, 0.4, COL_LABEL);
	}
	zp_cv_draw_rect(p->bgr, p->w, p->h, W, pn->ax, pn->ay, pn->aw + 1, pn->ah + 1, COL_AXIS, 1);
	if (title) /* too long for the panel: its tail is what tells panels apart */
		zp_plot_text(p, pn->ax, y + 20,
			     text_w(title, 0.5) > pn->aw && strlen(title) > 4 ?
				     title + strlen(title) - (size_t)(pn->aw / (18.5 * 0.5)) : title, 0.5, COL_LABEL);
	if (xlabel)
		zp_plot_text(p, pn->ax + pn->aw / 2 - text_w(xlabel, 0.45) / 2, pn->ay + pn->ah + 38, xlabel, 0.45,
			     COL_LABEL);
	if (ylabel) /* no rotated text in the wrapper: the y label goes top left, beside the title */
		zp_plot_text(p, pn->ax + pn->aw - text_w(ylabel, 0.4), y + 20, ylabel, 0.4, COL_LABEL);
}

static bool inside(const zp_plot_panel *pn, double x, double y)
{
	const double ex = (pn->x1 - pn->x0) * 1e-9, ey = (pn->y1 - pn->y0) * 1e-9;

	return isfinite(x) && isfinite(y) && x >= pn->x0 - ex && x <= pn->x1 + ex && y >= pn->y0 - ey &&
	       y <= pn->y1 + ey;
}

void zp_plot_mark(zp_plot *p, const zp_plot_panel *pn, double x, double y, int mark, int size, uint32_t rgb)
{
	if (inside(pn, x, y))
		zp_plot_mark_px(p, sx(pn, x), sy(pn, y), mark, size, rgb);
}

void zp_plot_mark_px(zp_plot *p, int px, int py, int mark, int size, uint32_t rgb)
{
	const int W = p->w * 3;

	switch (mark) {
	case ZP_MARK_SQUARE:
		zp_cv_draw_rect(p->bgr, p->w, p->h, W, px - size, py - size, 2 * size + 1, 2 * size + 1, rgb, 2);
		break;
	case ZP_MARK_RING:
		zp_cv_draw_circle(p->bgr, p->w, p->h, W, px, py, size, rgb, 2);
		break;
	case ZP_MARK_CROSS:
		zp_cv_draw_line(p->bgr, p->w, p->h, W, px - size, py - size, px + size, py + size, rgb, 2);
		zp_cv_draw_line(p->bgr, p->w, p->h, W, px - size, py + size, px + size, py - size, rgb, 2);
		break;
	default:
		zp_cv_draw_circle(p->bgr, p->w, p->h, W, px, py, size, rgb, -1);
		break;
	}
}

void zp_plot_polyline(zp_plot *p, const zp_plot_panel *pn, const double *x, const double *y, int n, uint32_t rgb,
		      int thickness)
{
	for (int i = 1; i < n; i++)
		if (inside(pn, x[i - 1], y[i - 1]) && inside(pn, x[i], y[i]))
			zp_cv_draw_line(p->bgr, p->w, p->h, p->w * 3, sx(pn, x[i - 1]), sy(pn, y[i - 1]), sx(pn, x[i]),
					sy(pn, y[i]), rgb, thickness);
}

int zp_plot_write(const zp_plot *p, const char *path, char *err, size_t errlen)
{
	return zp_cv_imwrite(path, p->bgr, p->w, p->h, p->w * 3, 3, err, errlen);
}
