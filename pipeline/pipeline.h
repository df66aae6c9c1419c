/* SPDX-License-Identifier: MIT */
/*
 * pipeline.h - the replay pipeline shared by the commands that run a
 * recording (replay, eval): config + recorded source + the daemon's step
 * (chain.h: detector, light controller, sampler) + simulated line, and the
 * per-zone tallies of the rows the store would get.
 */
#ifndef ZP_PIPELINE_H
#define ZP_PIPELINE_H

#include "capture.h"
#include "chain.h"
#include "config.h"
#include "detector.h"
#include "lights.h"
#include "sampler.h"

#include <stdio.h>

typedef struct zp_pipeline {
	zp_config cfg;
	zp_source *src;
	/* detector, controller and sampler: the daemon's step (chain.h), on the recording's clock; the
	   pipeline must not move in memory once open (the chain points at cfg) */
	zp_chain chain;
	zp_line *line;           /* simulated light line */
	int width, height;
	uint64_t frames;
	int64_t first_t_ms, last_t_ms;
	/* per zone, the sums of the rows the counts store would get (the chain's sampler, stamped with
	   the recording's clock): people counted into the zone, crossings by direction, occupied time */
	uint64_t entered[ZP_MAX_ZONES];
	uint64_t crossed[ZP_MAX_ZONES][2];
	double occupied_s[ZP_MAX_ZONES];
	uint64_t health_frames[ZP_HEALTH_FOREGROUND + 1];
} zp_pipeline;

/*
 * Load the config, open the recorded source, check the zones against the
 * frame size, create the detector, controller and line. On failure prints
 * one line "PROG: ..." to stderr and returns the exit code (2 for bad
 * input); 0 on success. fps_override <= 0: the source's own rate. simd:
 * the detector's kernel path (the config's [detector] keys are the rest).
 */
int zp_pipeline_open(zp_pipeline *pl, const char *prog, const char *config_path, const char *source,
		     double fps_override, zp_simd simd);

/* Same with an already loaded config (tune, eval). */
int zp_pipeline_open_cfg(zp_pipeline *pl, const char *prog, const zp_config *cfg, const char *source,
			 double fps_override);

/*
 * One frame: detector (or, with fgmask != NULL, the downstream pipeline on
 * that mask), controller, line, tallies. 0 or a negative zp_err.
 */
int zp_pipeline_step_mask(zp_pipeline *pl, const zp_frame *f, const uint8_t *fgmask, zp_result *r,
			  zp_light_state *state);
static inline int zp_pipeline_step(zp_pipeline *pl, const zp_frame *f, zp_result *r, zp_light_state *state)
{
	return zp_pipeline_step_mask(pl, f, NULL, r, state);
}

/* Draw zones, tracks and light state on a copy of the frame into canvas (width*height*3, BGR). */
void zp_pipeline_draw_overlay(const zp_pipeline *pl, const zp_frame *f, const zp_result *r, zp_light_state st,
			      uint8_t *canvas);

/*
 * The human summary: frames, frames/s (wall_ms), per zone entered / occupied time / crossings (the
 * store's rows summed: the interval in progress is closed first), lights.
 */
void zp_pipeline_print_summary(zp_pipeline *pl, FILE *out, int64_t wall_ms);

void zp_pipeline_close(zp_pipeline *pl);

#endif
