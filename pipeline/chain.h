/* SPDX-License-Identifier: MIT */
/*
 * chain.h - one step of the crossing, frame by frame: the detector (made
 * for the frame size), the light controller, the interval sampler. Every
 * command that runs frames drives it: the daemon (`run`), `audit --live`
 * and the replay pipeline (replay, eval), so a frame is turned into a
 * light state and into the counts store's rows by this code only.
 *
 * Pure like the core it wires: no clock, no file, no log, no GPIO. The
 * caller owns the frame source, the lines and the outputs; it passes the
 * loop's time, the wall time for the rows and the push button, and gets
 * back what happened (a new detector, a frame that could not be processed,
 * the sampler's word about the wall clock) to log as it likes.
 *
 * Order in a frame step: the detector (a frame size it was not made for:
 * it starts over, and the occupancy the sampler held is forgotten), the
 * controller updated with the result and then ticked when its last tick is
 * stall_ms/4 old, the sampler stepped with the result and the controller.
 * A frame that cannot be processed counts as none (zp_chain_idle): the
 * stall timer keeps running.
 */
#ifndef ZP_CHAIN_H
#define ZP_CHAIN_H

#include "config.h"
#include "detector.h"
#include "lights.h"
#include "sampler.h"
#include "zp_common.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The chain's state: fill with zp_chain_init(); read the fields, change them only through the functions. */
typedef struct zp_chain {
	const zp_config *cfg;     /* not owned: zones, [detector], [lights] */
	zp_homography ground;     /* [ground], when valid: blob sizes in metres */
	zp_detector *det;         /* NULL until a frame size it fits */
	int det_w, det_h;         /* the size det was made for */
	int bad_w, bad_h;         /* a size whose zones do not fit (not tried again for every frame) */
	zp_lights lights;
	int64_t last_tick;        /* the controller's last zp_lights_tick() */
	zp_sampler sampler;
} zp_chain;

/*
 * Set up for cfg (kept by pointer: it must outlive the chain) with the
 * ground plane (may be NULL or not valid: pixel sizes) and interval_s-second
 * rows going to sink (may be NULL). No detector yet (zp_chain_size or the
 * first frame makes it), the controller not started (zp_chain_start).
 * 0, or ZP_EINVAL with a one-line message in err.
 */
int zp_chain_init(zp_chain *c, const zp_config *cfg, const zp_homography *ground, int interval_s, zp_sampler_sink sink,
		  void *sink_ctx, char *err, size_t errlen);

/* The controller's clock starts at now_ms (fail-safe until the model is ready), and the sampler's with it. */
void zp_chain_start(zp_chain *c, int64_t now_ms);

/*
 * A detector for width x height: 0 when the one there fits, 1 when one was
 * made (*started_over: it replaced one for another size), ZP_EINVAL with a
 * one-line message in err when the zones do not fit or the detector cannot
 * be made (the size is remembered: asking again for it fails at once, with
 * err empty).
 */
int zp_chain_size(zp_chain *c, int width, int height, bool *started_over, char *err, size_t errlen);

/* One step's inputs. */
typedef struct zp_chain_in {
	int64_t now_ms;           /* the loop's time (monotonic, or a recording's frame time) */
	int64_t t_frame_ms;       /* a frame step: the frame's time in the loop's clock */
	bool presence;            /* someone asked for the lights (the push button) */
	const uint8_t *fgmask;    /* a frame step: the foreground from another model (eval --compare), NULL: ours */
	int fgstride;
	bool count;               /* step the sampler (false: the counts are not kept, only the lights run) */
	int64_t wall_ms;          /* ... Unix ms at now_ms: the rows' time */
	bool drop;                /* ... the wall clock is not known: the span is not kept */
} zp_chain_in;

/* What a frame step did. */
typedef struct zp_chain_out {
	int rc;                   /* 0 the frame was processed; else why not (it counted as no frame) */
	bool new_detector;        /* a detector was made for this frame's size */
	bool started_over;        /* ... in place of one for another size */
	char err[300];            /* rc != 0: a one-line message (empty: the same size refused again) */
	zp_sampler_note note;     /* the sampler's step (count: the wall clock's jumps) */
	int sampler_rc;           /* the sampler's return (< 0: a bad sample) */
} zp_chain_out;

/*
 * A frame: detector -> controller (+ presence) -> sampler. res receives the
 * detector's result (valid when out->rc is 0). Returns out->rc.
 */
int zp_chain_frame(zp_chain *c, const zp_frame *f, const zp_chain_in *in, zp_result *res, zp_chain_out *out);

/* No frame this time (none came, or it could not be processed): the controller ticks, the sampler steps. */
void zp_chain_idle(zp_chain *c, const zp_chain_in *in, zp_chain_out *out);

/*
 * The sampler alone (when in->count): the span up to in->now_ms with the
 * state that held, res's entries and crossings (res NULL: none). The frame
 * and idle steps end with it; the daemon's last sample at its end is one.
 */
void zp_chain_count(zp_chain *c, const zp_chain_in *in, const zp_result *res, zp_chain_out *out);

/* The interval in progress to the sink, as it stands (the end of a run). Returns the number of rows. */
int zp_chain_flush(zp_chain *c);

void zp_chain_free(zp_chain *c);

#endif
