/* SPDX-License-Identifier: MIT */
/*
 * sampler.c - the interval sampler (sampler.h): steps into samples, samples
 * into interval rows. Arithmetic only.
 */
#include "sampler.h"

#include <string.h>

#define DAY_S 86400

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/*
 * Seconds of an interval, never more than the interval: the store's schema
 * refuses a longer duration, and one refused row would hold back every later
 * commit (a clock that stepped could otherwise produce one).
 */
static double secs_capped(int64_t ms, int interval_s)
{
	double s = (double)ms / 1000.0;

	return s < 0 ? 0 : s > interval_s ? interval_s : s;
}

/* Length of the overlap of [a0, a1) and [b0, b1). */
static int64_t overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
	int64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;

	return hi > lo ? hi - lo : 0;
}

int zp_sampler_init(zp_sampler *s, int interval_s, const char *const *names, const bool *sides, int nzones,
		    zp_sampler_sink sink, void *sink_ctx, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (interval_s < 1 || interval_s > DAY_S)
		return zp_seterr(err, errlen, ZP_EINVAL, "store: interval_s: expected 1 to %d seconds, got %d", DAY_S,
				 interval_s);
	if (nzones < 0 || nzones > ZP_MAX_ZONES || (nzones > 0 && !names))
		return zp_seterr(err, errlen, ZP_EINVAL, "store: expected 0 to %d zones, got %d", ZP_MAX_ZONES, nzones);
	for (int i = 0; i < nzones; i++) {
		if (!names[i] || !names[i][0] || strlen(names[i]) >= ZP_NAME_MAX)
			return zp_seterr(err, errlen, ZP_EINVAL, "store: zone %d: expected a name of 1 to %d characters",
					 i, ZP_NAME_MAX - 1);
		if (!strcmp(names[i], "*"))
			return zp_seterr(err, errlen, ZP_EINVAL, "store: zone name '*' is reserved for the crossing row");
		for (int j = 0; j < i; j++)
			if (!strcmp(names[i], names[j]))
				return zp_seterr(err, errlen, ZP_EINVAL, "store: zone '%s' appears twice", names[i]);
		zp_strlcpy(s->zones[i], names[i], ZP_NAME_MAX);
		s->sides[i] = sides && sides[i];
	}
	s->interval_s = interval_s;
	s->nzones = nzones;
	s->sink = sink;
	s->sink_ctx = sink_ctx;
	return 0;
}

static void interval_zero(zp_sampler *s)
{
	memset(s->entered, 0, sizeof(s->entered));
	memset(s->occupied_ms, 0, sizeof(s->occupied_ms));
	for (int z = 0; z < ZP_MAX_ZONES; z++)
		s->crossed[z][0] = s->crossed[z][1] = -1;
	s->activations = s->on_ms = s->fault_ms = 0;
	s->touched = false;
}

/* The interval in progress to the sink, then zeroed. Returns the number of rows. */
static int emit(zp_sampler *s)
{
	int64_t start_s = floor_div(s->start_ms, 1000);
	zp_store_row r;

	for (int z = 0; z < s->nzones; z++) {
		memset(&r, 0, sizeof(r));
		r.interval_start = start_s;
		r.interval_s = s->interval_s;
		zp_strlcpy(r.zone, s->zones[z], sizeof(r.zone));
		r.entered = s->entered[z];
		r.occupied_s = secs_capped(s->occupied_ms[z], s->interval_s);
		r.crossed_a_to_b = s->crossed[z][0];
		r.crossed_b_to_a = s->crossed[z][1];
		r.light_activations = -1;
		r.light_on_s = -1;
		r.fault_s = -1;
		if (s->sink)
			s->sink(s->sink_ctx, &r);
	}
	memset(&r, 0, sizeof(r));
	r.interval_start = start_s;
	r.interval_s = s->interval_s;
	zp_strlcpy(r.zone, "*", sizeof(r.zone));
	r.entered = -1;
	r.occupied_s = -1;
	r.crossed_a_to_b = r.crossed_b_to_a = -1;
	r.light_activations = s->activations;
	r.light_on_s = secs_capped(s->on_ms, s->interval_s);
	r.fault_s = secs_capped(s->fault_ms, s->interval_s);
	if (s->sink)
		s->sink(s->sink_ctx, &r);
	interval_zero(s);
	return s->nzones + 1;
}

static void add_time(zp_sampler *s, const zp_store_sample *smp, int64_t ms)
{
	if (ms <= 0)
		return;
	for (int z = 0; z < s->nzones; z++)
		if (smp->occupied[z])
			s->occupied_ms[z] += ms;
	if (smp->light_on)
		s->on_ms += ms;
	if (smp->fault)
		s->fault_ms += ms;
	s->touched = true;
}

int zp_sampler_account(zp_sampler *s, const zp_store_sample *smp)
{
	int64_t len_ms = (int64_t)s->interval_s * 1000;
	int64_t t0, k_ms;
	int rows = 0;

	if (smp->dt_ms < 0 || smp->light_activations < 0)
		return ZP_EINVAL;
	for (int z = 0; z < s->nzones; z++)
		if (smp->entered[z] < 0 || (smp->crossed[z][0] < 0) != (smp->crossed[z][1] < 0))
			return ZP_EINVAL;
	t0 = smp->dt_ms > INT64_MAX / 2 ? INT64_MIN / 2 : smp->wall_ms - smp->dt_ms;
	k_ms = floor_div(smp->wall_ms, len_ms) * len_ms;
	if (s->open && k_ms != s->start_ms) {
		/* the part of the sample that fell into the interval in progress (none if the clock went back) */
		add_time(s, smp, overlap(t0, smp->wall_ms, s->start_ms, s->start_ms + len_ms));
		if (s->touched)
			rows = emit(s);
		s->open = false;
	}
	if (!s->open) {
		s->open = true;
		s->start_ms = k_ms;
		interval_zero(s);
	}
	add_time(s, smp, overlap(t0, smp->wall_ms, s->start_ms, s->start_ms + len_ms));
	for (int z = 0; z < s->nzones; z++) {
		s->entered[z] += smp->entered[z];
		s->touched |= smp->entered[z] > 0;
		for (int d = 0; d < 2 && smp->crossed[z][0] >= 0; d++) {
			s->crossed[z][d] = (s->crossed[z][d] < 0 ? 0 : s->crossed[z][d]) + smp->crossed[z][d];
			s->touched |= smp->crossed[z][d] > 0;
		}
	}
	s->activations += smp->light_activations;
	s->touched |= smp->light_activations > 0;
	return rows;
}

int zp_sampler_flush(zp_sampler *s)
{
	return s->open && s->touched ? emit(s) : 0;
}

void zp_sampler_begin(zp_sampler *s, int64_t now_ms, const zp_lights *lights)
{
	s->started = true;
	s->last_ms = now_ms;
	memset(s->held_occupied, 0, sizeof(s->held_occupied));
	s->held_state = lights ? lights->state : ZP_LIGHT_FAILSAFE;
	s->held_faults = lights ? lights->faults : 0;
	s->seen_activations = lights ? lights->activations : 0;
}

void zp_sampler_forget(zp_sampler *s)
{
	memset(s->held_occupied, 0, sizeof(s->held_occupied));
}

/* The wall time the span that ends at wall covers (dt: the loop's time since the previous step). */
static int64_t wall_span(zp_sampler *s, int64_t wall, int64_t dt, zp_sampler_note *note)
{
	int64_t span = dt, back = s->wall_covered - wall, ahead = wall - s->wall_covered - dt;

	if (!s->wall_covered_set) {
		/* the first span: dt */
	} else if (back >= 0 && back <= ZP_SAMPLER_CLOCK_BACK_MS) {
		if (back > ZP_SAMPLER_CLOCK_FWD_MS) {
			note->clock_back_ms = back;
			note->clock_back_held = true;
		}
		return 0;
	} else if (back > 0) {
		note->clock_back_ms = back;
	} else if (ahead > ZP_SAMPLER_CLOCK_FWD_MS) {
		note->clock_ahead_ms = ahead;
	} else {
		span = wall - s->wall_covered;
	}
	s->wall_covered = wall;
	s->wall_covered_set = true;
	return span;
}

/* What held until this step becomes what this step leaves behind. */
static void hold(zp_sampler *s, const zp_sampler_in *in)
{
	if (in->res)
		for (int z = 0; z < s->nzones; z++)
			s->held_occupied[z] = in->res->zone_count[z] > 0;
	if (in->lights) {
		s->held_state = in->lights->state;
		s->held_faults = in->lights->faults;
		s->seen_activations = in->lights->activations;
	}
}

int zp_sampler_step(zp_sampler *s, const zp_sampler_in *in, zp_sampler_note *note)
{
	zp_sampler_note dummy;
	zp_store_sample smp;
	int rc;

	if (!note)
		note = &dummy;
	memset(note, 0, sizeof(*note));
	if (!s->started)
		zp_sampler_begin(s, in->now_ms, in->lights);
	note->dt_ms = in->now_ms > s->last_ms ? in->now_ms - s->last_ms : 0;
	if (in->now_ms > s->last_ms)
		s->last_ms = in->now_ms;
	if (in->drop) {
		hold(s, in);
		return 0;
	}
	memset(&smp, 0, sizeof(smp));
	smp.wall_ms = in->wall_ms;
	smp.dt_ms = wall_span(s, in->wall_ms, note->dt_ms, note);
	note->span_ms = smp.dt_ms;
	for (int z = 0; z < s->nzones; z++) {
		smp.occupied[z] = !(s->held_faults & ZP_FAULT_STALL) && s->held_occupied[z];
		smp.entered[z] = in->res ? in->res->zone_entered[z] : 0;
		smp.crossed[z][0] = !s->sides[z] ? -1 : in->res ? in->res->zone_crossed[z][0] : 0;
		smp.crossed[z][1] = !s->sides[z] ? -1 : in->res ? in->res->zone_crossed[z][1] : 0;
	}
	if (in->lights && in->lights->activations >= s->seen_activations)
		smp.light_activations = (int)(in->lights->activations - s->seen_activations);
	smp.light_on = s->held_state == ZP_LIGHT_ON;
	smp.fault = s->held_state == ZP_LIGHT_FAILSAFE;
	hold(s, in);
	rc = zp_sampler_account(s, &smp);
	if (rc > 0)
		note->rows = rc;
	return rc;
}
