/* SPDX-License-Identifier: MIT */
/*
 * plot.h - small charts for reports (`zebrapad tune`'s plot.png): a
 * white canvas, panels with axes, ticks and labels, points and lines, drawn
 * with the OpenCV wrapper's primitives. No scene pixels: numbers only.
 */
#ifndef ZP_PLOT_H
#define ZP_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct zp_plot {
	uint8_t *bgr;   /* w x h x 3, malloc'd */
	int w, h;
	bool x_integer; /* next panel: x ticks at whole numbers only */
} zp_plot;

/* A panel: its box on the canvas, and the data range it shows. */
typedef struct zp_plot_panel {
	int x, y, w, h;             /* the whole panel (title, labels, plot area) */
	int ax, ay, aw, ah;         /* the plot area inside it */
	double x0, x1, y0, y1;      /* data range */
} zp_plot_panel;

enum zp_plot_mark { ZP_MARK_DOT = 0, ZP_MARK_SQUARE, ZP_MARK_RING, ZP_MARK_CROSS };

/* A white canvas; 0 or ZP_ENOMEM. */
int zp_plot_new(zp_plot *p, int w, int h);
void zp_plot_free(zp_plot *p);

/*
 * Lay out a panel at (x, y, w, h) for the data range [x0, x1] x [y0, y1]
 * (widened to round tick values; a zero-width range is widened around its
 * value), and draw its frame, grid, ticks with values, the title above (top
 * left), the x label below and the y label (may be NULL) top right.
 */
void zp_plot_panel_init(zp_plot *p, zp_plot_panel *pn, int x, int y, int w, int h, double x0, double x1, double y0,
			double y1, const char *title, const char *xlabel, const char *ylabel);

/* Ticks on the x axis at whole numbers only (for integer parameters): set before zp_plot_panel_init(). */
void zp_plot_x_integer(zp_plot *p, bool on);

/* A mark at data point (x, y); NaN or out of range: nothing. */
void zp_plot_mark(zp_plot *p, const zp_plot_panel *pn, double x, double y, int mark, int size, uint32_t rgb);

/* The same mark at canvas pixel (px, py) (legends). */
void zp_plot_mark_px(zp_plot *p, int px, int py, int mark, int size, uint32_t rgb);

/* A polyline through n data points (NaN points break it). */
void zp_plot_polyline(zp_plot *p, const zp_plot_panel *pn, const double *x, const double *y, int n, uint32_t rgb,
		      int thickness);

/* Text at canvas pixel (x, y) (baseline left), scale as the Hershey font's. */
void zp_plot_text(zp_plot *p, int x, int y, const char *text, double scale, uint32_t rgb);

/* "Nice" tick step for a range: 1, 2 or 5 x 10^k giving about `want` ticks. */
double zp_plot_tick_step(double range, int want);

/* Write the canvas as PNG; 0 or a negative zp_err with the message in err. */
int zp_plot_write(const zp_plot *p, const char *path, char *err, size_t errlen);

#endif
