/* SPDX-License-Identifier: MIT */
/*
 * controller.c - the crossing-light controller: a pure state machine.
 *
 * Inputs are processed frames (occupied, health_ok, ready at now_ms) and
 * ticks (time passing without a frame); the output is the light state. No
 * clock, no I/O, no allocation: replaying the same inputs gives the same
 * states and counters.
 *
 * The rules, in the order they are applied at every call:
 *  1. Time never runs backwards: an earlier now_ms is taken as the last one.
 *  2. The time since the last call is added to on_ms / failsafe_ms according
 *     to the state held during it.
 *  3. Presence persists between frames: while the last frame said "occupied"
 *     (or "health bad") the last presence is "now". So a light is never
 *     turned off between two frames that both saw a person.
 *  4. Faults: STALL when no frame for more than stall_ms, HEALTH when health
 *     has been bad for more than bad_health_ms, STARTUP while the model is
 *     not ready. Any fault means FAILSAFE at once.
 *  5. FAILSAFE is left only when no fault is active and the "good" condition
 *     (frames arriving, health ok, model ready) has lasted recover_ms; then
 *     ON (on_since = now) if a person was seen less than hold_ms ago, else OFF.
 *  6. Bad health shorter than bad_health_ms is not a fault yet, but the
 *     detector cannot be trusted to see people: it counts as presence, so the
 *     light goes (or stays) ON and is never OFF while health is bad.
 *  7. OFF -> ON as soon as presence is wanted; ON -> OFF only when nobody was
 *     seen for hold_ms and the light has been on for min_on_ms.
 */
#include "lights.h"

#include <string.h>

static bool wants_on(const zp_lights *l, int64_t now_ms)
{
	if (l->present || l->bad_since_ms >= 0)
		return true;
	return l->last_present_ms != ZP_LIGHTS_NEVER && now_ms - l->last_present_ms < l->p.hold_ms;
}

static void enter(zp_lights *l, zp_light_state s, int64_t now_ms)
{
	if (s == l->state)
		return;
	l->state = s;
	l->state_since_ms = now_ms;
	if (s == ZP_LIGHT_ON) {
		l->activations++;
		l->on_since_ms = now_ms;
	} else if (s == ZP_LIGHT_FAILSAFE) {
		l->failsafe_entries++;
	}
}

/* STALL and HEALTH from the stored frame time and health; STARTUP is set by frames only. */
static void update_faults(zp_lights *l, int64_t now_ms)
{
	if (now_ms - l->last_frame_ms > l->p.stall_ms) {
		l->faults |= ZP_FAULT_STALL;
		l->good_since_ms = -1;
	} else {
		l->faults &= ~(unsigned)ZP_FAULT_STALL;
	}
	if (l->bad_since_ms >= 0 && now_ms - l->bad_since_ms > l->p.bad_health_ms)
		l->faults |= ZP_FAULT_HEALTH;
	else
		l->faults &= ~(unsigned)ZP_FAULT_HEALTH;
}

static void evaluate(zp_lights *l, int64_t now_ms)
{
	if (l->faults) {
		enter(l, ZP_LIGHT_FAILSAFE, now_ms);
		return;
	}
	switch (l->state) {
	case ZP_LIGHT_FAILSAFE:
		if (l->good_since_ms >= 0 && now_ms - l->good_since_ms >= l->p.recover_ms)
			enter(l, wants_on(l, now_ms) ? ZP_LIGHT_ON : ZP_LIGHT_OFF, now_ms);
		break;
	case ZP_LIGHT_OFF:
		if (wants_on(l, now_ms))
			enter(l, ZP_LIGHT_ON, now_ms);
		break;
	case ZP_LIGHT_ON:
		if (!wants_on(l, now_ms) && now_ms - l->on_since_ms >= l->p.min_on_ms)
			enter(l, ZP_LIGHT_OFF, now_ms);
		break;
	}
}

/*
 * Time passes up to now_ms (rules 1-4); returns the clamped now. A tick then
 * evaluates every transition; a frame only enters FAILSAFE here (a stall that
 * ends with this frame still counts) and evaluates the rest after applying
 * what the frame saw - so a hold that expires at the very frame that sees a
 * person does not turn the light off and on again.
 */
static int64_t advance(zp_lights *l, int64_t now_ms, bool full)
{
	int64_t dt;

	if (now_ms < l->last_update_ms)
		now_ms = l->last_update_ms;
	dt = now_ms - l->last_update_ms;
	if (l->state == ZP_LIGHT_ON)
		l->on_ms += dt;
	else if (l->state == ZP_LIGHT_FAILSAFE)
		l->failsafe_ms += dt;
	l->last_update_ms = now_ms;
	if (l->present || l->bad_since_ms >= 0)
		l->last_present_ms = now_ms;
	update_faults(l, now_ms);
	if (full)
		evaluate(l, now_ms);
	else if (l->faults)
		enter(l, ZP_LIGHT_FAILSAFE, now_ms);
	return now_ms;
}

void zp_lights_init(zp_lights *l, const zp_lights_params *p, int64_t now_ms)
{
	memset(l, 0, sizeof(*l));
	if (p)
		l->p = *p;
	else
		zp_lights_params_default(&l->p);
	l->state = ZP_LIGHT_FAILSAFE;
	l->faults = ZP_FAULT_STARTUP;
	l->on_since_ms = now_ms;
	l->last_present_ms = ZP_LIGHTS_NEVER;
	l->last_frame_ms = now_ms;
	l->bad_since_ms = -1;
	l->good_since_ms = -1;
	l->state_since_ms = now_ms;
	l->last_update_ms = now_ms;
}

zp_light_state zp_lights_frame(zp_lights *l, int64_t now_ms, bool occupied, bool health_ok, bool ready)
{
	/* first the gap that ends with this frame: a stall is seen even without ticks */
	now_ms = advance(l, now_ms, false);

	l->last_frame_ms = now_ms;
	l->present = occupied;
	if (health_ok)
		l->bad_since_ms = -1;
	else if (l->bad_since_ms < 0)
		l->bad_since_ms = now_ms;
	if (occupied || !health_ok)
		l->last_present_ms = now_ms;
	if (ready)
		l->faults &= ~(unsigned)ZP_FAULT_STARTUP;
	else
		l->faults |= ZP_FAULT_STARTUP;
	if (!health_ok || !ready)
		l->good_since_ms = -1;
	else if (l->good_since_ms < 0)
		l->good_since_ms = now_ms;
	update_faults(l, now_ms);
	evaluate(l, now_ms);
	return l->state;
}

zp_light_state zp_lights_tick(zp_lights *l, int64_t now_ms)
{
	advance(l, now_ms, true);
	return l->state;
}

int zp_lights_level(const zp_lights *l, int64_t now_ms)
{
	int64_t d;

	switch (l->state) {
	case ZP_LIGHT_OFF:
		return 0;
	case ZP_LIGHT_ON:
		return 1;
	case ZP_LIGHT_FAILSAFE:
		break;
	}
	switch (l->p.failsafe) {
	case ZP_FAILSAFE_OFF:
		return 0;
	case ZP_FAILSAFE_BLINK:
		if (l->p.blink_ms <= 0)
			return 1;
		d = now_ms - l->state_since_ms;
		if (d < 0)
			d = 0;
		return (d / l->p.blink_ms) % 2 == 0;
	case ZP_FAILSAFE_ON:
		break;
	}
	return 1;
}

int zp_lights_shutdown_level(const zp_lights *l)
{
	return l->p.shutdown == ZP_FAILSAFE_OFF ? 0 : 1;
}
