/* SPDX-License-Identifier: MIT */
/* bench_models.c - timing of the models/ kernels (see bench_models.h). Not part of the pure core. */
#include "bench_models.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NSEQ 8 /* frames in the synthetic sequence, cycled */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* A grey gradient with noise, and a few blocks that move from frame to frame. */
static void make_frame(uint8_t *img, int w, int h, int f, uint32_t *s)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			img[(size_t)y * w + x] = (uint8_t)(60 + (x + y) % 120 + (int)(rnd(s) % 7) - 3);
	for (int b = 0; b < 4; b++) {
		int bx = (b * w / 4 + f * 9) % (w > 40 ? w - 40 : 1), by = (b * h / 5 + f * 3) % (h > 80 ? h - 80 : 1);

		for (int y = by; y < by + 80 && y < h; y++)
			for (int x = bx; x < bx + 40 && x < w; x++)
				img[(size_t)y * w + x] = (uint8_t)(200 - b * 40);
	}
}

static int time_bg(zp_bgmodel *m, uint8_t *const *seq, const uint8_t *hold, uint8_t *fg, int w, int frames,
		   int runs, double *best)
{
	*best = 1e300;
	for (int r = 0; r < runs; r++) {
		double t0 = now_ns(), t;

		for (int f = 0; f < frames; f++)
			if (zp_bgmodel_apply(m, seq[f % NSEQ], w, hold, w, fg, w) < 0)
				return ZP_EINVAL;
		t = (now_ns() - t0) / frames;
		if (t < *best)
			*best = t;
	}
	return 0;
}

typedef void (*pixop_fn)(const uint8_t *, int, uint8_t *, int, int, int);

static double time_op(pixop_fn fn, uint8_t *const *seq, uint8_t *dst, int w, int h, int frames, int runs)
{
	double best = 1e300;

	for (int r = 0; r < runs; r++) {
		double t0 = now_ns(), t;

		for (int f = 0; f < frames; f++)
			fn(seq[f % NSEQ], w, dst, w, w, h);
		t = (now_ns() - t0) / frames;
		if (t < best)
			best = t;
	}
	return best;
}

int zp_bench_models(int w, int h, zp_simd simd, int frames, int runs, zp_bench_models_result *out)
{
	zp_bgmodel_params p = { .threshold = 15, .learn_shift = 5, .fg_learn_shift = 9, .warmup_frames = 25 };
	size_t n = (size_t)w * (size_t)h;
	uint8_t *seq[NSEQ] = { 0 }, *fg = NULL, *hold = NULL, *masks[NSEQ] = { 0 };
	zp_bgmodel *m = NULL;
	zp_pixops ops;
	uint32_t s = 2463534242u;
	int rc = ZP_ENOMEM;

	if (w < 2 || h < 2 || frames < 1 || runs < 1 || !out)
		return ZP_EINVAL;
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < NSEQ; i++) {
		seq[i] = malloc(n);
		masks[i] = malloc(n);
		if (!seq[i] || !masks[i])
			goto out;
		make_frame(seq[i], w, h, i, &s);
		for (size_t j = 0; j < n; j++)
			masks[i][j] = rnd(&s) % 8 < 2 ? 255 : 0;
	}
	fg = malloc(n);
	hold = malloc(n);
	m = zp_bgmodel_new(w, h, &p, simd, NULL, 0);
	if (!fg || !hold || !m)
		goto out;
	for (size_t j = 0; j < n; j++)
		hold[j] = rnd(&s) % 5 == 0;
	out->simd = zp_bgmodel_simd(m);
	/* past the first frame and the warm-up, so the steady state is timed */
	for (int f = 0; f < 30; f++)
		zp_bgmodel_apply(m, seq[f % NSEQ], w, NULL, 0, fg, w);
	rc = time_bg(m, seq, NULL, fg, w, frames, runs, &out->bg_ns_frame);
	if (rc == 0)
		rc = time_bg(m, seq, hold, fg, w, frames, runs, &out->bg_hold_ns_frame);
	if (rc < 0)
		goto out;
	zp_pixops_init(&ops, out->simd);
	out->down_ns_frame = time_op(ops.downscale2, seq, fg, w, h, frames, runs);
	out->erode_ns_frame = time_op(ops.erode3, masks, fg, w, h, frames, runs);
	out->dilate_ns_frame = time_op(ops.dilate3, masks, fg, w, h, frames, runs);
	rc = 0;
out:
	zp_bgmodel_free(m);
	free(fg);
	free(hold);
	for (int i = 0; i < NSEQ; i++) {
		free(seq[i]);
		free(masks[i]);
	}
	return rc;
}

double zp_bench_memcpy_ns(size_t bytes, int reps, int runs)
{
	uint8_t *a = malloc(bytes), *b = malloc(bytes);
	double best = 1e300;

	if (!a || !b || reps < 1 || runs < 1) {
		free(a);
		free(b);
		return -1;
	}
	memset(a, 1, bytes);
	memset(b, 2, bytes);
	for (int r = 0; r < runs; r++) {
		double t0 = now_ns(), t;

		for (int i = 0; i < reps; i++) {
			memcpy(b, a, bytes);
			/* keep the copy from being optimised away or merged */
			__asm__ volatile("" : : "r"(b) : "memory");
			a[i % bytes]++;
		}
		t = (now_ns() - t0) / reps;
		if (t < best)
			best = t;
	}
	free(a);
	free(b);
	return best;
}
