/* SPDX-License-Identifier: MIT */
/*
 * bgsub_micro.c - bench_models: time the background-model update and the
 * pixel ops per frame on every SIMD path this CPU runs, against a memcpy of
 * the bytes the model update reads and writes.
 *
 *   bench_models [WIDTH HEIGHT [FRAMES [RUNS]]]     default 768 576 200 5
 */
#include "bench_models.h"

#include <stdio.h>
#include <stdlib.h>

/*
 * OpenCV MOG2 apply on one 768x576 grey frame, one core, as measured once on
 * the development machine (not measured here: `zebrapad bench` runs OpenCV
 * side by side).
 */
#define MOG2_REF_MS 13.9

int main(int argc, char **argv)
{
	int w = 768, h = 576, frames = 200, runs = 5;
	static const zp_simd paths[] = { ZP_SIMD_SCALAR, ZP_SIMD_SSE2, ZP_SIMD_AVX2, ZP_SIMD_NEON };
	double px, cp;

	if (argc == 2 || argc > 5) {
		fprintf(stderr, "usage: %s [WIDTH HEIGHT [FRAMES [RUNS]]]\n", argv[0]);
		return 2;
	}
	if (argc >= 3) {
		w = atoi(argv[1]);
		h = atoi(argv[2]);
	}
	if (argc >= 4)
		frames = atoi(argv[3]);
	if (argc >= 5)
		runs = atoi(argv[4]);
	if (w < 2 || h < 2 || w > 16384 || h > 16384 || frames < 1 || runs < 1) {
		fprintf(stderr, "bench_models: expected WIDTH, HEIGHT 2..16384, FRAMES >= 1, RUNS >= 1\n");
		return 2;
	}
	px = (double)w * h;
	cp = zp_bench_memcpy_ns((size_t)(px * ZP_BENCH_BG_BYTES_READ), frames, runs);
	printf("frame %dx%d, %d frames x best of %d runs; CPU best path: %s\n", w, h, frames, runs,
	       zp_simd_name(zp_simd_cpu_best()));
	printf("memcpy of %d bytes/pixel (what the model reads; it writes as many): %.3f ms/frame, %.3f ns/pixel\n",
	       ZP_BENCH_BG_BYTES_READ, cp / 1e6, cp / px);
	printf("%-7s %10s %9s %8s %9s %10s %10s %10s %10s\n", "path", "model ms", "ns/px", "x memcpy", "x MOG2",
	       "+hold ms", "down2 ms", "erode ms", "dilate ms");
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		zp_bench_models_result r;

		if (!zp_simd_available(paths[i]))
			continue;
		if (zp_bench_models(w, h, paths[i], frames, runs, &r) < 0) {
			fprintf(stderr, "bench_models: %s failed\n", zp_simd_name(paths[i]));
			return 1;
		}
		printf("%-7s %10.3f %9.3f %8.2f %9.1f %10.3f %10.3f %10.3f %10.3f\n", zp_simd_name(r.simd),
		       r.bg_ns_frame / 1e6, r.bg_ns_frame / px, r.bg_ns_frame / cp,
		       MOG2_REF_MS * 1e6 * (px / (768.0 * 576.0)) / r.bg_ns_frame, r.bg_hold_ns_frame / 1e6,
		       r.down_ns_frame / 1e6, r.erode_ns_frame / 1e6, r.dilate_ns_frame / 1e6);
	}
	printf("x memcpy: model time / memcpy time (target <= 4); x MOG2: %.1f ms (a fixed MOG2 figure at 768x576,"
	       " scaled by pixels) / model time (target >= 25)\n", MOG2_REF_MS);
	return 0;
}
