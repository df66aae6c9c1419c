/* SPDX-License-Identifier: MIT */
/*
 * sampler.h - the interval sampler: what the crossing saw, step by step
 * (each frame's result, the light controller's state, the times), into the
 * rows of the counts store, one per zone and interval plus the crossing
 * row "*".
 *
 * Pure: no clock, no file, no log. Times come in as arguments and closed
 * rows go out through a callback, so the daemon (`run`), `audit --live` and
 * the store's own accumulator get the same rows from the same steps, and a
 * recording gives the same rows every time.
 *
 * Two layers, one object:
 *  - steps (zp_sampler_step): a frame's result, or a step without one, with
 *    the loop's time and the wall clock. The time since the previous step
 *    is accounted with the state that held during it (the previous frame's
 *    occupancy, the previous light state); entries and crossings count at
 *    the step. Occupancy is not counted while frames have stopped
 *    (ZP_FAULT_STALL): nobody can be seen. The wall clock is tiled: each
 *    step's span starts where the previous one ended (see zp_sampler_step).
 *  - samples (zp_store_sample): a span of wall time and what happened in
 *    it, split exactly between intervals (zp_sampler_account).
 */
#ifndef ZP_SAMPLER_H
#define ZP_SAMPLER_H

#include "detector.h"
#include "lights.h"
#include "zp_common.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One row as the counts store keeps it. A zone row (zone = a zone name) has
 * entered and occupied_s, and -1 in the light and fault fields (NULL in the
 * table); a crossing zone with two sides also has crossed_a_to_b and
 * crossed_b_to_a (-1 on every other row). The crossing row (zone = "*") has
 * light_activations, light_on_s and fault_s, and -1 in the zone fields. So
 * a SUM over any column counts each thing once.
 */
typedef struct zp_store_row {
	int64_t interval_start;     /* Unix seconds (UTC), a multiple of interval_s */
	int interval_s;
	char zone[ZP_NAME_MAX];
	int64_t entered;            /* people who came into the zone (each track once, however often it
				       stepped out and back in) */
	double occupied_s;          /* seconds with at least one person in the zone */
	int64_t crossed_a_to_b;     /* people who crossed from the zone's side A to side B */
	int64_t crossed_b_to_a;     /* ... from side B to side A */
	int64_t light_activations;  /* times the light switched on */
	double light_on_s;          /* seconds the light was on (not counting fail-safe) */
	double fault_s;             /* seconds in fail-safe (the system could not see) */
} zp_store_row;

/*
 * What happened during one sample: the time span [wall_ms - dt_ms, wall_ms]
 * and the events in it. Events count in the interval holding wall_ms;
 * durations are split exactly between intervals when the span crosses a
 * boundary.
 */
typedef struct zp_store_sample {
	int64_t wall_ms;              /* Unix time in ms at the end of the sample */
	int64_t dt_ms;                /* length of the sample (>= 0) */
	int entered[ZP_MAX_ZONES];    /* people who came into zone z during the sample */
	/* crossings of zone z completed during the sample, [0] side A -> B, [1] B -> A;
	   -1 in both: the zone has no sides (its row gets NULL unless another sample of the
	   interval gave a count) */
	int crossed[ZP_MAX_ZONES][2];
	bool occupied[ZP_MAX_ZONES];  /* zone z held at least one person */
	int light_activations;        /* OFF -> ON switches during the sample */
	bool light_on;                /* the light was ON (the controller's ON state) */
	bool fault;                   /* the controller was in fail-safe */
} zp_store_sample;

/* Called for every row of an interval as it closes: the zone rows in config order, then "*". */
typedef void (*zp_sampler_sink)(void *ctx, const zp_store_row *row);

/* Wall clock against the loop's clock (zp_sampler_step). */
#define ZP_SAMPLER_CLOCK_FWD_MS 1000      /* the wall clock ran this much further than the loop: it jumped */
#define ZP_SAMPLER_CLOCK_BACK_MS 3600000  /* set back by up to this: time already counted is not counted again */

/* The sampler's state: fill with zp_sampler_init(), then treat as opaque. */
typedef struct zp_sampler {
	int interval_s;
	int nzones;
	char zones[ZP_MAX_ZONES][ZP_NAME_MAX];
	bool sides[ZP_MAX_ZONES];     /* zone z is a crossing with two sides: crossings are counted */
	zp_sampler_sink sink;
	void *sink_ctx;

	/* the interval in progress */
	bool open;
	bool touched;                 /* time or events accounted since the last rows */
	int64_t start_ms;
	int64_t entered[ZP_MAX_ZONES];
	int64_t crossed[ZP_MAX_ZONES][2]; /* -1: no sample of the interval gave a count */
	int64_t occupied_ms[ZP_MAX_ZONES];
	int64_t activations;
	int64_t on_ms;
	int64_t fault_ms;

	/* steps: what held since the previous one */
	bool started;
	int64_t last_ms;              /* the loop's time of the previous step */
	bool held_occupied[ZP_MAX_ZONES];
	zp_light_state held_state;
	unsigned held_faults;
	uint64_t seen_activations;    /* the controller's count at the previous step */
	int64_t wall_covered;         /* the wall time up to which spans were accounted */
	bool wall_covered_set;
} zp_sampler;

/*
 * Set up for interval_s-second intervals (1 to 86400) and the zones names[0..
 * nzones-1] (copied; 1 to ZP_NAME_MAX-1 characters, distinct, not "*").
 * sides (may be NULL: none) marks the crossing zones with two sides
 * (zp_zone_has_sides): their rows get crossing counts. Rows go to sink (may
 * be NULL). 0, or ZP_EINVAL with a one-line message in err.
 */
int zp_sampler_init(zp_sampler *s, int interval_s, const char *const *names, const bool *sides, int nzones,
		    zp_sampler_sink sink, void *sink_ctx, char *err, size_t errlen);

/* One step of the loop. */
typedef struct zp_sampler_in {
	int64_t now_ms;          /* the loop's clock (monotonic, or a recording's frame time) */
	int64_t wall_ms;         /* Unix time in ms at now_ms: the rows' time */
	const zp_result *res;    /* the frame processed at this step; NULL: no frame */
	const zp_lights *lights; /* the light controller after this step (state, faults, activations) */
	bool drop;               /* the span is not kept (the wall clock is not known yet): only the
				    state moves on */
} zp_sampler_in;

/* What a step did, for the caller's accounting and log. */
typedef struct zp_sampler_note {
	int64_t dt_ms;           /* the loop's time since the previous step (>= 0) */
	int64_t span_ms;         /* the wall time accounted */
	int64_t clock_back_ms;   /* > 0: the wall clock was set back by this much (more than
				    ZP_SAMPLER_CLOCK_FWD_MS) */
	bool clock_back_held;    /* ... by at most ZP_SAMPLER_CLOCK_BACK_MS: nothing is counted until it
				    has passed the time already counted */
	int64_t clock_ahead_ms;  /* > 0: the wall clock jumped forward by this much beyond the loop's time */
	int rows;                /* rows that went to the sink */
} zp_sampler_note;

/*
 * Begin at now_ms with the controller's state (the time until the first
 * step is accounted with it). Without it the first step begins, with a
 * span of 0.
 */
void zp_sampler_begin(zp_sampler *s, int64_t now_ms, const zp_lights *lights);

/*
 * Account one step: the span since the previous step with the state that
 * held during it, the entries and crossings of in->res, the light switches
 * since. The samples tile the wall clock: the wall clock is stamped after
 * the frame (a varying delay) and slewed or stepped by NTP, so spans of
 * (wall - dt, wall] would overlap now and then and a state held for a whole
 * interval would sum to more than the interval; each span starts where the
 * previous one ended instead. A clock set back by up to
 * ZP_SAMPLER_CLOCK_BACK_MS: the time already counted is not counted again
 * (0 until the clock is past it). A clock that jumped forward, or went back
 * further: dt, ending at wall_ms.
 * Returns the number of rows that went to the sink (>= 0), or ZP_EINVAL.
 * note may be NULL.
 */
int zp_sampler_step(zp_sampler *s, const zp_sampler_in *in, zp_sampler_note *note);

/* The detector started over (a new frame size): the occupancy held from its last frame is forgotten. */
void zp_sampler_forget(zp_sampler *s);

/*
 * Account one sample (the lower layer, used by zp_sampler_step and by
 * the store's own accumulator). When wall_ms is in another interval than
 * the one in progress, that one closes: its rows go to the sink. Intervals
 * with no time or event get no rows. Returns the number of rows that went
 * to the sink, or ZP_EINVAL (negative dt_ms, entries or activations).
 */
int zp_sampler_account(zp_sampler *s, const zp_store_sample *smp);

/*
 * The interval in progress to the sink now, as it stands (the end of a run).
 * Later samples in the same interval start from zero (the store adds them
 * to the row it has). Returns the number of rows.
 */
int zp_sampler_flush(zp_sampler *s);

#ifdef __cplusplus
}
#endif
#endif
