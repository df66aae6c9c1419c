/* SPDX-License-Identifier: MIT */
/*
 * bench_suite.h - the measurements behind `zebrapad bench`: frames decoded
 * into memory first, then each candidate timed over all of them, one thread,
 * several repetitions (each repetition starts from a fresh model / detector
 * / subtractor). Wall-clock timing (CLOCK_MONOTONIC); every function fills
 * one ms-per-frame figure per repetition and leaves the statistics to the
 * caller (zp_bench_median()).
 *
 * Not part of the pure core: this room reads the clock, forks and sets
 * environment variables (to force a SIMD path on the detector).
 */
#ifndef ZP_BENCH_SUITE_H
#define ZP_BENCH_SUITE_H

#include "calibration.h"
#include "cvwrap.h"
#include "detector.h"
#include "models.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Grey frames held in memory: frame i is luma + i * width * height (stride = width). */
typedef struct zp_bench_frames {
	int width, height, n;
	uint8_t *luma;
	int64_t *t_ms;   /* the source's frame times */
	bool capped;     /* decoding stopped at the memory budget (zp_bench_frames_budget) before the end */
} zp_bench_frames;

/*
 * Bytes the decoded frames may take: a quarter of the machine's RAM, at
 * least 64 MiB - a long recording must not take a Pi's memory (a 28-minute
 * one reached 9 GB).
 */
size_t zp_bench_frames_budget(void);

/*
 * Decode up to max_frames (<= 0: all) frames of a recorded source into fr,
 * and no more than fit in budget bytes (at least one frame; fr->capped says
 * when it stopped there). Returns 0, or the source's error (ZP_ENODEV, ZP_EFORMAT, ZP_EINVAL,
 * ZP_ENOMEM) with a one-line message naming the source in err. fr is empty
 * on failure.
 */
int zp_bench_frames_load(zp_bench_frames *fr, const char *source, int max_frames, size_t budget, char *err,
			 size_t errlen);

/*
 * The frames at 1/scale resolution (scale 1, 2 or 4), downscaled as the
 * detector does (2x2 box average, once or twice). 0, ZP_EINVAL or ZP_ENOMEM.
 */
int zp_bench_frames_downscale(const zp_bench_frames *in, int scale, zp_bench_frames *out);

/* Free the frames; a zeroed or freed fr is fine. */
void zp_bench_frames_free(zp_bench_frames *fr);

/*
 * zp_bgmodel_apply() on every frame, hold mask NULL, with path simd;
 * ms[r] = ms per frame of repetition r. 0, ZP_EINVAL, ZP_ENOMEM.
 */
int zp_bench_model(const zp_bench_frames *fr, zp_simd simd, const zp_bgmodel_params *p, int reps, double *ms);

/*
 * zp_detector_process() on every frame (frame times from the source), the
 * detector created with path simd (it replaces p->simd). 0 or a negative
 * zp_err with a message.
 */
int zp_bench_detector(const zp_bench_frames *fr, zp_simd simd, const zp_detector_params *p, const zp_zone *zones,
		      int nzones, int reps, double *ms, char *err, size_t errlen);

/* OpenCV's subtractor `kind` (default parameters) apply() on every grey frame through cvwrap. */
int zp_bench_cv(const zp_bench_frames *fr, zp_cv_bgsub_kind kind, int reps, double *ms, char *err, size_t errlen);

/*
 * The memory-traffic floor of the model update, per frame: memcpy of the
 * frame's luma (n bytes, read from the frames in memory like the model
 * reads it) into a mask-sized buffer, and memcpy of an 8n-byte buffer (the
 * size of the model's state: mean, dev, mean2, counters) into another: 9n
 * bytes read and 9n written, what zp_bgmodel_apply() without a hold mask
 * reads and writes.
 */
int zp_bench_floor(const zp_bench_frames *fr, int reps, double *ms);

/*
 * The camera's YUYV conversions (capture/v4l2.c) on one w x h frame of
 * random bytes (the conversions do the same work for any content), done
 * `frames` times per repetition; ms[r] = ms per frame. bgr false: YUYV ->
 * luma; true: YUYV -> luma and BGR, what a colour frame costs the camera.
 * cv false: the zp_pixops kernels of path simd, row by row as the camera
 * calls them; cv true: OpenCV's cvtColor (COLOR_YUV2GRAY_YUYV /
 * COLOR_YUV2BGR_YUYV) on the whole frame, simd unused. w even.
 * 0, or a negative zp_err with a message.
 */
int zp_bench_yuv(int w, int h, bool bgr, bool cv, zp_simd simd, int frames, int reps, double *ms, char *err,
		 size_t errlen);

/* Bytes a model update reads plus writes per pixel (hold NULL): luma 1 + state 8 + state 8 + fg 1. */
#define ZP_BENCH_MODEL_BYTES_PER_PIXEL 18

/* Median of v[0..n) (sorts v). 0 when n < 1. */
double zp_bench_median(double *v, int n);

/* What a `zebrapad run`-like process used: source -> detector, one frame at a time. */
typedef struct zp_bench_runlike {
	long start_kib;        /* peak RSS before the source was opened: the program and its libraries */
	long peak_kib;         /* peak RSS at the end */
	long frames;           /* frames processed */
	size_t state_bytes;    /* zp_detector_state_bytes() */
} zp_bench_runlike;

/*
 * In this process: open the source, create the detector, process up to
 * max_frames (<= 0: all) frames one at a time, and fill out. Peak RSS is
 * the process's VmHWM (/proc/self/status; ru_maxrss where that is
 * missing), so call it in a fresh process (zp_bench_spawn_runlike()) for
 * figures of its own. 0, or a negative zp_err with a message.
 */
int zp_bench_runlike_run(const char *source, int max_frames, const zp_detector_params *p, const zp_zone *zones,
			 int nzones, zp_bench_runlike *out, char *err, size_t errlen);

/* The one line a run-like child prints: "runlike frames=N start_kib=N peak_kib=N state_bytes=N". */
void zp_bench_runlike_print(FILE *f, const zp_bench_runlike *r);
/* Parse that line; 0 or ZP_EINVAL. */
int zp_bench_runlike_parse(const char *line, zp_bench_runlike *r);

/*
 * Run exe with argv (a fresh process: fork + execv) that prints the
 * run-like line on its stdout; its stderr is this process's. Returns 0 and
 * fills out, or ZP_EIO with a message when it failed or printed no line.
 */
int zp_bench_spawn_runlike(const char *exe, char *const argv[], zp_bench_runlike *out, char *err, size_t errlen);

/* Peak RSS of this process so far, KiB (getrusage ru_maxrss). */
long zp_bench_maxrss_kib(void);

/*
 * Pin the calling thread (and the children it forks afterwards) to the CPU
 * it runs on now. Returns that CPU, or a negative zp_err.
 */
int zp_bench_pin_cpu(void);

#ifdef __cplusplus
}
#endif
#endif
