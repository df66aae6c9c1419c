/* SPDX-License-Identifier: MIT */
/*
 * bench_models.h - micro-benchmarks of the models/ kernels, reusable by the
 * bench_models program and by a later `zebrapad bench`. Wall-clock timing
 * (CLOCK_MONOTONIC), one thread; each figure is the best of `runs` runs of
 * `frames` frames, so other load on the machine only makes it slower.
 */
#ifndef ZP_BENCH_MODELS_H
#define ZP_BENCH_MODELS_H

#include "models.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes the model update reads and writes per pixel, hold == NULL, at most:
 * reads luma 1 + mean 2 + dev 2 + mean2 2 + counters 2, writes the same state
 * + fg 1 (a quiet pixel skips mean2 and the counters). */
#define ZP_BENCH_BG_BYTES_READ 9
#define ZP_BENCH_BG_BYTES_WRITTEN 9

typedef struct zp_bench_models_result {
	zp_simd simd;
	double bg_ns_frame;     /* zp_bgmodel_apply, hold NULL */
	double bg_hold_ns_frame; /* zp_bgmodel_apply with a hold mask (20 % held) */
	double down_ns_frame;   /* downscale2 of the frame */
	double erode_ns_frame;  /* erode3 of a mask of the frame's size */
	double dilate_ns_frame;
} zp_bench_models_result;

/*
 * Time the kernels of path `simd` on a synthetic w x h sequence (noisy
 * scene, moving blocks). Returns 0, ZP_EINVAL or ZP_ENOMEM.
 */
int zp_bench_models(int w, int h, zp_simd simd, int frames, int runs, zp_bench_models_result *out);

/* Nanoseconds per memcpy of `bytes` (source and destination distinct, best of `runs` x `reps`). */
double zp_bench_memcpy_ns(size_t bytes, int reps, int runs);

#ifdef __cplusplus
}
#endif
#endif
