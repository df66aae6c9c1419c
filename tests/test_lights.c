/* SPDX-License-Identifier: MIT */
/*
 * test_lights.c - the crossing-light controller (gpio/controller.c): every
 * transition as a unit test, then a property test over thousands of random
 * event sequences (deterministic xorshift seeds) that checks the safety rules
 * after every step against a model kept from the inputs alone.
 */
#include "zp_test.h"
#include "lights.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define OFF ZP_LIGHT_OFF
#define ON ZP_LIGHT_ON
#define FS ZP_LIGHT_FAILSAFE

static zp_lights_params test_params(void)
{
	zp_lights_params p;

	zp_lights_params_default(&p);
	p.min_on_ms = 2000;
	p.hold_ms = 3000;
	p.stall_ms = 1000;
	p.bad_health_ms = 5000;
	p.recover_ms = 4000;
	p.blink_ms = 500;
	p.failsafe = ZP_FAILSAFE_ON;
	p.shutdown = ZP_FAILSAFE_ON;
	return p;
}

/* frames every 100 ms in [from, to): each one must leave the light in state want */
static void each_frame(zp_lights *l, int64_t from, int64_t to, bool occ, bool ok, bool ready, zp_light_state want)
{
	for (int64_t t = from; t < to; t += 100)
		ck_assert_msg(zp_lights_frame(l, t, occ, ok, ready) == want, "frame at %lld: %s, expected %s", (long long)t,
			      zp_light_state_name(l->state), zp_light_state_name(want));
}

/* init at 0, good empty frames every 100 ms: OFF exactly recover_ms after the first one */
static int64_t boot(zp_lights *l, const zp_lights_params *p)
{
	zp_lights_init(l, p, 0);
	each_frame(l, 0, p->recover_ms, false, true, true, FS);
	ck_assert_int_eq(zp_lights_frame(l, p->recover_ms, false, true, true), OFF);
	return p->recover_ms;
}

START_TEST(init_is_startup_failsafe)
{
	zp_lights_params p = test_params();
	zp_lights l;

	zp_lights_init(&l, &p, 1000);
	ck_assert_int_eq(l.state, FS);
	ck_assert_uint_eq(l.faults, ZP_FAULT_STARTUP);
	ck_assert_int_eq(zp_lights_level(&l, 1000), 1);
	ck_assert_uint_eq(l.activations, 0);
	ck_assert_uint_eq(l.failsafe_entries, 0);
	ck_assert_int_eq(l.on_ms, 0);
	ck_assert_int_eq(l.failsafe_ms, 0);
	ck_assert(l.last_present_ms == ZP_LIGHTS_NEVER);
	ck_assert_str_eq(zp_light_state_name(l.state), "failsafe");
}
END_TEST

START_TEST(init_null_params_are_defaults)
{
	zp_lights_params d;
	zp_lights l;

	zp_lights_params_default(&d);
	zp_lights_init(&l, NULL, 0);
	ck_assert_int_eq(l.p.min_on_ms, d.min_on_ms);
	ck_assert_int_eq(l.p.hold_ms, d.hold_ms);
	ck_assert_int_eq(l.p.stall_ms, d.stall_ms);
	ck_assert_int_eq(l.p.recover_ms, d.recover_ms);
	ck_assert_int_eq(l.p.failsafe, d.failsafe);
}
END_TEST

START_TEST(startup_waits_for_ready_then_recover)
{
	zp_lights_params p = test_params();
	zp_lights l;

	zp_lights_init(&l, &p, 0);
	/* 20 s of frames while the model learns: fail-safe all along, whatever is seen */
	each_frame(&l, 0, 20000, false, true, false, FS);
	ck_assert_uint_eq(l.faults, ZP_FAULT_STARTUP);
	/* ready from 20000: STARTUP clears, but recovery takes recover_ms */
	each_frame(&l, 20000, 20000 + p.recover_ms, false, true, true, FS);
	ck_assert_uint_eq(l.faults, 0);
	ck_assert_int_eq(zp_lights_frame(&l, 20000 + p.recover_ms, false, true, true), OFF);
	ck_assert_int_eq(l.state_since_ms, 20000 + p.recover_ms);
	ck_assert_uint_eq(l.activations, 0);
	ck_assert_uint_eq(l.failsafe_entries, 0);
	ck_assert_int_eq(l.failsafe_ms, 20000 + p.recover_ms);
}
END_TEST

START_TEST(leaving_failsafe_with_recent_presence_goes_on)
{
	zp_lights_params p = test_params();
	zp_lights l;

	zp_lights_init(&l, &p, 0);
	each_frame(&l, 0, 3000, false, true, true, FS);
	ck_assert_int_eq(zp_lights_frame(&l, 3000, true, true, true), FS); /* someone passes */
	ck_assert_int_eq(zp_lights_frame(&l, 3100, false, true, true), FS);
	/* leaves at recover_ms (4000) with the last presence 900 ms ago < hold: ON, on_since now */
	each_frame(&l, 3200, 4000, false, true, true, FS);
	ck_assert_int_eq(zp_lights_frame(&l, 4000, false, true, true), ON);
	ck_assert_int_eq(l.on_since_ms, 4000);
	ck_assert_uint_eq(l.activations, 1);
	/* min_on counts from on_since (4000 + 2000), hold from 3100 (3100 + 3000): off at 6100 */
	each_frame(&l, 4100, 6100, false, true, true, ON);
	ck_assert_int_eq(zp_lights_frame(&l, 6100, false, true, true), OFF);
}
END_TEST

START_TEST(presence_turns_on_and_hold_keeps_on)
{
	zp_lights_params p = test_params();
	zp_lights l;
	int64_t t0 = boot(&l, &p);

	ck_assert_int_eq(zp_lights_frame(&l, t0 + 100, true, true, true), ON);
	ck_assert_uint_eq(l.activations, 1);
	ck_assert_int_eq(l.on_since_ms, t0 + 100);
	ck_assert_int_eq(zp_lights_level(&l, t0 + 100), 1);
	each_frame(&l, t0 + 200, t0 + 10000, true, true, true, ON);
	ck_assert_uint_eq(l.activations, 1);
	/* last occupied frame t0+9900; presence lasts until the next frame (t0+10000) */
	each_frame(&l, t0 + 10000, t0 + 10000 + p.hold_ms, false, true, true, ON);
	ck_assert_int_eq(zp_lights_frame(&l, t0 + 10000 + p.hold_ms, false, true, true), OFF);
	ck_assert_int_eq(zp_lights_level(&l, t0 + 10000 + p.hold_ms), 0);
	ck_assert_int_eq(l.on_ms, 10000 + p.hold_ms - 100);
}
END_TEST

START_TEST(min_on_outlasts_short_hold)
{
	zp_lights_params p = test_params();
	zp_lights l;
	int64_t t0;

	p.min_on_ms = 8000;
	p.hold_ms = 500;
	t0 = boot(&l, &p);
	ck_assert_int_eq(zp_lights_frame(&l, t0 + 100, true, true, true), ON);
	each_frame(&l, t0 + 200, t0 + 100 + p.min_on_ms, false, true, true, ON);
	ck_assert_int_eq(zp_lights_frame(&l, t0 + 100 + p.min_on_ms, false, true, true), OFF);
}
END_TEST

START_TEST(presence_persists_between_frames)
{
	zp_lights_params p = test_params();
	zp_lights l;
	int64_t t0;

	p.hold_ms = 200;
	p.min_on_ms = 0;
	p.stall_ms = 5000;
	t0 = boot(&l, &p);
	ck_assert_int_eq(zp_lights_frame(&l, t0 + 100, true, true, true), ON);
	/* frames 2 s apart (slow camera): ticks in between must not turn the light off */
	ck_assert_int_eq(zp_lights_tick(&l, t0 + 1000), ON);
	ck_assert_int_eq(zp_lights_tick(&l, t0 + 2000), ON);
	ck_assert_int_eq(zp_lights_frame(&l, t0 + 2100, false, true, true), ON);
	ck_assert_int_eq(l.last_present_ms, t0 + 2100);
	ck_assert_int_eq(zp_lights_tick(&l, t0 + 2299), ON);
	ck_assert_int_eq(zp_lights_tick(&l, t0 + 2300), OFF);
}
END_TEST

START_TEST(stall_detected_by_tick)
{
	zp_lights_params p = test_params();
	zp_lights l;
	int64_t t0 = boot(&l, &p), t;

	ck_assert_int_eq(zp_lights_frame(&l, t0 + 100, false, true, true), OFF);
	/* last frame t0+100; ticks every stall_ms/4 */
	for (t = t0 + 100; t <= t0 + 100 + p.stall_ms; t += p.stall_ms / 4)
		ck_assert_int_eq(zp_lights_tick(&l, t), OFF);
	ck_assert_int_eq(zp_lights_tick(&l, t0 + 101 + p.stall_ms), FS);
	ck_assert_uint_eq(l.faults, ZP_FAULT_STALL);
	ck_assert_uint_eq(l.failsafe_entries, 1);
	ck_assert_int_eq(l.state_since_ms, t0 + 101 + p.stall_ms);
	ck_assert_int_eq(zp_lights_level(&l, t0 + 5000), 1);
	/* frames again at t1: the stall clears, recovery takes recover_ms from there */
	int64_t t1 = t0 + 10000;

	ck_assert_int_eq(zp_lights_frame(&l, t1, false, true, true), FS);
	ck_assert_uint_eq(l.faults, 0);
	ck_assert_int_eq(l.good_since_ms, t1);
	each_frame(&l, t1 + 100, t1 + p.recover_ms, false, true, true, FS);
	ck_assert_int_eq(zp_lights_frame(&l, t1 + p.recover_ms, false, true, true), OFF);
	ck_assert_uint_eq(l.failsafe_entries, 1);
	/* the start-up fail-safe (t0 = recover_ms) plus the stall */
	ck_assert_int_eq(l.failsafe_ms, t0 + t1 + p.recover_ms - (t0 + 101 + p.stall_ms));
}
END_TEST

START_TEST(stall_detected_by_late_frame)
{
	zp_lights_params p = test_params();
	zp_lights l;
	int64_t t0 = boot(&l, &p);

	ck_assert_int_eq(zp_lights_frame(&l, t0 + 100, true, true, true), ON);
	/* no tick at all, the next frame comes 3 s later: fail-safe all the same */
	ck_assert_int_eq(zp_lights_frame(&l, t0 + 3100, true, true, true), FS);
	ck_assert_uint_eq(l.failsafe_entries, 1);
	ck_assert_uint_eq(l.faults, 0);
	ck_assert_int_eq(l.on_ms, 3000); /* the gap counts in the state held during it */
	/* a gap of exactly stall_ms is not a stall */
	each_frame(&l, t0 + 3200, t0 + 3100 + p.recover_ms, true, true, true, FS);
	ck_assert_int_eq(zp_lights_frame(&l, t0 + 3100 + p.recover_ms, true, true, true), ON);
	ck_assert_int_eq(zp_lights_frame(&l, t0 + 3100 + p.recover_ms + p.stall_ms, true, true, true), ON);
}
END_TEST

START_TEST(short_bad_health_holds_on)
{
	zp_lights_params p = test_params();
	zp_lights l;
	int64_t t0 = boot(&l, &p), t;

	/* nobody there, but the detector is blinded: on, not off */
	ck_assert_int_eq(zp_lights_frame(&l, t0 + 100, false, false, true), ON);
	ck_assert_uint_eq(l.activations, 1);
	ck_assert_int_eq(l.bad_since_ms, t0 + 100);
	ck_assert_int_eq(l.good_since_ms, -1);
	/* the last bad frame at t0+bad_health_ms, the next one good: bad for exactly bad_health_ms, no fault */
	each_frame(&l, t0 + 200, t0 + 100 + p.bad_health_ms, false, false, true, ON);
	t = t0 + 100 + p.bad_health_ms;
	ck_assert_int_eq(zp_lights_frame(&l, t, false, true, true), ON);
	ck_assert_uint_eq(l.faults, 0);
	/* good again: hold_ms from the first good frame, then off */
	each_frame(&l, t + 100, t + p.hold_ms, false, true, true, ON);
	ck_assert_int_eq(zp_lights_frame(&l, t + p.hold_ms, false, true, true), OFF);
	ck_assert_uint_eq(l.failsafe_entries, 0);
}
END_TEST

START_TEST(long_bad_health_is_failsafe)
{
	zp_lights_params p = test_params();
	zp_lights l;
	int64_t t0 = boot(&l, &p), tb = t0 + 100, t;

	each_frame(&l, tb, tb + p.bad_health_ms + 1, false, false, true, ON);
	/* the tick sees it too: bad for more than bad_health_ms */
	ck_assert_int_eq(zp_lights_tick(&l, tb + p.bad_health_ms + 1), FS);
	ck_assert_uint_eq(l.faults, ZP_FAULT_HEALTH);
	ck_assert_uint_eq(l.failsafe_entries, 1);
	each_frame(&l, tb + p.bad_health_ms + 100, tb + 20000, false, false, true, FS);
	/* recovery: good for recover_ms; one bad frame in between starts it over */
	t = tb + 20000;
	each_frame(&l, t, t + p.recover_ms - 100, false, true, true, FS);
	ck_assert_uint_eq(l.faults, 0);
	ck_assert_int_eq(zp_lights_frame(&l, t + p.recover_ms - 100, false, false, true), FS);
	each_frame(&l, t + p.recover_ms, t + 2 * p.recover_ms, false, true, true, FS);
	/* the last bad frame counts as presence; hold_ms (3000) < recover_ms (4000): off */
	ck_assert_int_eq(zp_lights_frame(&l, t + 2 * p.recover_ms, false, true, true), OFF);
}
END_TEST

START_TEST(model_not_ready_again_is_failsafe)
{
	zp_lights_params p = test_params();
	zp_lights l;
	int64_t t0 = boot(&l, &p);

	ck_assert_int_eq(zp_lights_frame(&l, t0 + 100, true, true, true), ON);
	ck_assert_int_eq(zp_lights_frame(&l, t0 + 200, false, true, false), FS);
	ck_assert_uint_eq(l.faults, ZP_FAULT_STARTUP);
	ck_assert_uint_eq(l.failsafe_entries, 1);
	ck_assert_int_eq(l.on_ms, 100);
}
END_TEST

START_TEST(recover_zero_leaves_at_first_good_frame)
{
	zp_lights_params p = test_params();
	zp_lights l;

	p.recover_ms = 0;
	zp_lights_init(&l, &p, 0);
	ck_assert_int_eq(zp_lights_frame(&l, 0, false, true, false), FS);
	ck_assert_int_eq(zp_lights_frame(&l, 100, false, true, true), OFF);
	/* a stall seen by a late frame: entered and left in the same call, but counted */
	ck_assert_int_eq(zp_lights_frame(&l, 5000, false, true, true), OFF);
	ck_assert_uint_eq(l.failsafe_entries, 1);
}
END_TEST

START_TEST(levels_per_mode)
{
	zp_lights_params p = test_params();
	zp_lights l;

	p.failsafe = ZP_FAILSAFE_BLINK;
	zp_lights_init(&l, &p, 1000);
	ck_assert_int_eq(zp_lights_level(&l, 1000), 1);
	ck_assert_int_eq(zp_lights_level(&l, 1499), 1);
	ck_assert_int_eq(zp_lights_level(&l, 1500), 0);
	ck_assert_int_eq(zp_lights_level(&l, 1999), 0);
	ck_assert_int_eq(zp_lights_level(&l, 2000), 1);
	ck_assert_int_eq(zp_lights_level(&l, 900), 1); /* before state_since: first half-period */
	l.p.failsafe = ZP_FAILSAFE_OFF;
	ck_assert_int_eq(zp_lights_level(&l, 1000), 0);
	l.p.failsafe = ZP_FAILSAFE_ON;
	ck_assert_int_eq(zp_lights_level(&l, 1500), 1);
	l.p.failsafe = ZP_FAILSAFE_BLINK;
	l.p.blink_ms = 0; /* nonsense: steady on rather than a division by zero */
	ck_assert_int_eq(zp_lights_level(&l, 1500), 1);
}
END_TEST

START_TEST(shutdown_levels)
{
	zp_lights_params p = test_params();
	zp_lights l;

	p.shutdown = ZP_FAILSAFE_ON;
	zp_lights_init(&l, &p, 0);
	ck_assert_int_eq(zp_lights_shutdown_level(&l), 1);
	l.p.shutdown = ZP_FAILSAFE_BLINK;
	ck_assert_int_eq(zp_lights_shutdown_level(&l), 1);
	l.p.shutdown = ZP_FAILSAFE_OFF;
	ck_assert_int_eq(zp_lights_shutdown_level(&l), 0);
}
END_TEST

START_TEST(time_going_backwards_is_clamped)
{
	zp_lights_params p = test_params();
	zp_lights l;
	int64_t t0 = boot(&l, &p);

	ck_assert_int_eq(zp_lights_frame(&l, t0 + 1000, true, true, true), ON);
	ck_assert_int_eq(zp_lights_frame(&l, t0 + 500, false, true, true), ON); /* taken as t0+1000 */
	ck_assert_int_eq(l.last_update_ms, t0 + 1000);
	ck_assert_int_eq(l.on_ms, 0);
	ck_assert_int_eq(zp_lights_frame(&l, t0 + 1100, false, true, true), ON);
	ck_assert_int_eq(l.on_ms, 100);
	ck_assert_int_ge(l.failsafe_ms, 0);
}
END_TEST

START_TEST(counters_add_up)
{
	zp_lights_params p = test_params();
	zp_lights l;
	int64_t t, off_ms = 0;
	zp_light_state prev;

	zp_lights_init(&l, &p, 0);
	prev = l.state;
	for (t = 0; t <= 60000; t += 50) {
		bool occ = (t / 7000) % 2 == 1;
		bool ok = !(t >= 30000 && t < 37000);

		if (prev == OFF && t > 0)
			off_ms += 50;
		prev = zp_lights_frame(&l, t, occ, ok, t >= 2000);
	}
	ck_assert_int_eq(l.on_ms + l.failsafe_ms + off_ms, 60000);
	ck_assert_uint_ge(l.activations, 3);
	ck_assert_uint_eq(l.failsafe_entries, 1); /* the long blinding from 30 s */
}
END_TEST

/* ---- property test ---- */

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* uniform-ish in [lo, hi] */
static int rnd(uint64_t *s, int lo, int hi)
{
	return lo + (int)(xorshift64(s) % (uint64_t)(hi - lo + 1));
}

static bool chance(uint64_t *s, int percent_x10)
{
	return rnd(s, 0, 999) < percent_x10;
}

static void random_params(uint64_t *s, zp_lights_params *p)
{
	zp_lights_params_default(p);
	p->min_on_ms = rnd(s, 0, 6000);
	p->hold_ms = rnd(s, 0, 6000);
	p->stall_ms = rnd(s, 100, 3000);
	p->bad_health_ms = rnd(s, 0, 6000);
	p->recover_ms = chance(s, 100) ? 0 : rnd(s, 1, 6000);
	p->blink_ms = rnd(s, 100, 1000);
	p->failsafe = (zp_failsafe_mode)rnd(s, 0, 2);
	p->shutdown = (zp_failsafe_mode)rnd(s, 0, 2);
}

/* What the test knows from the inputs alone. */
struct model {
	int64_t now, last_frame, last_presence, bad_since, good_since, on_start;
	bool occ, ok, ready;
	int64_t t_on, t_fs;
	uint64_t activations, entries;
};

/* plain if + ck_abort_msg: ck_assert records a mark point per call, too slow for a million steps */
#define PROP_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
			ck_abort_msg("seed %llu step %d t=%lld: %s: %s", (unsigned long long)seed, step, \
				     (long long)m->now, #cond, msg(buf, sizeof(buf), __VA_ARGS__)); \
	} while (0)

static const char *msg(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static const char *msg(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

/* Check the rules after one step; prev = state before it. */
static void check_step(const zp_lights *l, const zp_lights_params *p, struct model *m, zp_light_state prev,
		       bool was_frame, bool stalled_gap, bool fault_seen, uint64_t seed, int step)
{
	zp_light_state st = l->state;
	uint64_t d_act = l->activations - m->activations, d_ent = l->failsafe_entries - m->entries;
	uint64_t vis_act = st == ON && prev != ON, vis_ent = st == FS && prev != FS;
	int64_t now = m->now;
	char buf[256];

	/* every transition is visible, except enter+leave of fail-safe in one call when recover_ms == 0 */
	if (p->recover_ms > 0) {
		PROP_CHECK(d_act == vis_act, "activations +%llu, visible %llu", (unsigned long long)d_act,
			   (unsigned long long)vis_act);
		PROP_CHECK(d_ent == vis_ent, "entries +%llu, visible %llu", (unsigned long long)d_ent,
			   (unsigned long long)vis_ent);
	} else {
		PROP_CHECK(d_act >= vis_act && d_act <= vis_act + 1, "activations +%llu", (unsigned long long)d_act);
		PROP_CHECK(d_ent >= vis_ent && d_ent <= vis_ent + 1, "entries +%llu", (unsigned long long)d_ent);
	}
	/* every ON period lasts min_on_ms unless cut short by fail-safe */
	if (prev == ON && st == OFF && d_ent == 0)
		PROP_CHECK(now - m->on_start >= p->min_on_ms, "on for %lld ms < min_on %d", (long long)(now - m->on_start),
			   p->min_on_ms);
	if (st == ON && (prev != ON || d_act > 0)) {
		PROP_CHECK(l->on_since_ms == now, "on_since %lld", (long long)l->on_since_ms);
		m->on_start = now;
	}
	/* OFF only when nobody was seen for hold_ms, and never while health is bad */
	if (st == OFF) {
		PROP_CHECK(m->last_presence == ZP_LIGHTS_NEVER || now - m->last_presence >= p->hold_ms,
			   "off %lld ms after presence, hold %d", (long long)(now - m->last_presence), p->hold_ms);
		PROP_CHECK(m->ok, "off while health is bad%s", "");
		PROP_CHECK(!m->occ, "off while occupied%s", "");
	}
	/* and not longer than needed: ON although allowed off */
	if (st == ON && !m->occ && m->ok && now - m->on_start >= p->min_on_ms)
		PROP_CHECK(m->last_presence != ZP_LIGHTS_NEVER && now - m->last_presence < p->hold_ms,
			   "still on %lld ms after presence, hold %d", (long long)(now - m->last_presence), p->hold_ms);
	/* faults */
	if (now - m->last_frame > p->stall_ms)
		PROP_CHECK(st == FS && (l->faults & ZP_FAULT_STALL), "no frame for %lld ms > stall %d, state %s",
			   (long long)(now - m->last_frame), p->stall_ms, zp_light_state_name(st));
	if (was_frame && stalled_gap)
		PROP_CHECK((prev == FS || d_ent > 0) && (st == FS || p->recover_ms == 0), "stall not seen by the frame%s",
			   "");
	if (m->bad_since >= 0 && now - m->bad_since > p->bad_health_ms)
		PROP_CHECK(st == FS && (l->faults & ZP_FAULT_HEALTH), "bad for %lld ms > %d", (long long)(now - m->bad_since),
			   p->bad_health_ms);
	if (!m->ready)
		PROP_CHECK(st == FS && (l->faults & ZP_FAULT_STARTUP), "model not ready, state %s", zp_light_state_name(st));
	if (l->faults)
		PROP_CHECK(st == FS, "faults %#x but %s", l->faults, zp_light_state_name(st));
	/* leaving fail-safe only after recover_ms of good health; and then promptly */
	if (prev == FS && st != FS)
		PROP_CHECK(m->good_since >= 0 && now - m->good_since >= p->recover_ms, "left fail-safe, good since %lld",
			   (long long)m->good_since);
	if (st == FS && !l->faults && m->good_since >= 0)
		PROP_CHECK(now - m->good_since < p->recover_ms, "stuck in fail-safe, good for %lld ms",
			   (long long)(now - m->good_since));
	if (vis_ent) {
		PROP_CHECK(l->state_since_ms == now, "state_since %lld", (long long)l->state_since_ms);
		PROP_CHECK(fault_seen, "fail-safe without a stall, long bad health or unready model%s", "");
	}
	/* counters from now_ms deltas */
	PROP_CHECK(l->on_ms == m->t_on && l->failsafe_ms == m->t_fs, "on_ms %lld/%lld failsafe_ms %lld/%lld",
		   (long long)l->on_ms, (long long)m->t_on, (long long)l->failsafe_ms, (long long)m->t_fs);
	/* the line level */
	if (st != FS)
		PROP_CHECK(zp_lights_level(l, now) == (st == ON), "level%s", "");
	else if (p->failsafe != ZP_FAILSAFE_BLINK)
		PROP_CHECK(zp_lights_level(l, now) == (p->failsafe == ZP_FAILSAFE_ON), "level%s", "");
	else
		PROP_CHECK(zp_lights_level(l, now) == (((now - l->state_since_ms) / p->blink_ms) % 2 == 0), "blink%s",
			   "");
	m->activations = l->activations;
	m->entries = l->failsafe_entries;
}

/* One random sequence of `steps` frames and ticks; the final controller in *out. */
static void run_sequence(uint64_t seed, int steps, zp_lights *out)
{
	uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
	zp_lights_params p;
	zp_lights l;
	struct model mm, *m = &mm;
	int ready_after, not_ready_left = 0, bad_left = 0;
	bool occ = false;

	random_params(&s, &p);
	memset(m, 0, sizeof(*m));
	m->now = rnd(&s, 0, 100000);
	m->last_frame = m->now;
	m->last_presence = ZP_LIGHTS_NEVER;
	m->bad_since = -1;
	m->good_since = -1;
	m->ok = true;
	zp_lights_init(&l, &p, m->now);
	ready_after = rnd(&s, 0, 60);

	for (int step = 0; step < steps; step++) {
		zp_light_state prev = l.state;
		int g = rnd(&s, 0, 99), gap;
		bool frame = rnd(&s, 0, 99) < 75, stalled_gap, fault_seen;

		if (g < 5)
			gap = 0;
		else if (g < 10)
			gap = rnd(&s, p.stall_ms / 2, p.stall_ms * 3);
		else if (g < 15)
			gap = rnd(&s, p.stall_ms / 2, p.stall_ms + 1); /* around the limit */
		else
			gap = rnd(&s, 10, 150);
		if (prev == ON)
			m->t_on += gap;
		else if (prev == FS)
			m->t_fs += gap;
		m->now += gap;
		stalled_gap = m->now - m->last_frame > p.stall_ms;
		fault_seen = stalled_gap || (m->bad_since >= 0 && m->now - m->bad_since > p.bad_health_ms);
		if (stalled_gap)
			m->good_since = -1;
		/* rule 3: what the last frame saw lasts until now */
		if (m->occ || !m->ok)
			m->last_presence = m->now;
		if (frame) {
			bool ok, ready;

			if (occ ? chance(&s, 100) : chance(&s, 50))
				occ = !occ;
			if (bad_left == 0 && chance(&s, 15))
				bad_left = chance(&s, 300) ? rnd(&s, 30, 200) : rnd(&s, 1, 30);
			ok = bad_left == 0;
			if (bad_left)
				bad_left--;
			if (ready_after == 0 && not_ready_left == 0 && chance(&s, 3))
				not_ready_left = rnd(&s, 1, 20);
			ready = ready_after == 0 && not_ready_left == 0;
			if (ready_after)
				ready_after--;
			if (not_ready_left)
				not_ready_left--;

			zp_lights_frame(&l, m->now, occ, ok, ready);

			m->last_frame = m->now;
			m->occ = occ;
			m->ok = ok;
			m->ready = ready;
			if (occ || !ok)
				m->last_presence = m->now;
			if (ok)
				m->bad_since = -1;
			else if (m->bad_since < 0)
				m->bad_since = m->now;
			if (!ok || !ready)
				m->good_since = -1;
			else if (m->good_since < 0)
				m->good_since = m->now;
		} else {
			zp_lights_tick(&l, m->now);
		}
		fault_seen = fault_seen || !m->ready || (m->bad_since >= 0 && m->now - m->bad_since > p.bad_health_ms);
		check_step(&l, &p, m, prev, frame, stalled_gap, fault_seen, seed, step);
	}
	*out = l;
}

#define PROP_SEQUENCES 2000
#define PROP_STEPS 400

START_TEST(property_random_sequences)
{
	zp_lights l;
	uint64_t seed;

	for (seed = 1; seed <= PROP_SEQUENCES; seed++)
		run_sequence(seed, PROP_STEPS, &l);
}
END_TEST

/* pure: the same inputs give the same state and counters */
START_TEST(property_deterministic)
{
	zp_lights a, b;
	uint64_t seed;

	for (seed = 1; seed <= 50; seed++) {
		run_sequence(seed, PROP_STEPS, &a);
		run_sequence(seed, PROP_STEPS, &b);
		ck_assert_int_eq(a.state, b.state);
		ck_assert_uint_eq(a.faults, b.faults);
		ck_assert_uint_eq(a.activations, b.activations);
		ck_assert_uint_eq(a.failsafe_entries, b.failsafe_entries);
		ck_assert_int_eq(a.on_ms, b.on_ms);
		ck_assert_int_eq(a.failsafe_ms, b.failsafe_ms);
		ck_assert_int_eq(a.state_since_ms, b.state_since_ms);
		ck_assert_int_eq(a.last_present_ms, b.last_present_ms);
	}
}
END_TEST

/* the property test must actually visit every state and fault (a test that cannot fail is a defect) */
START_TEST(property_covers_all_states)
{
	uint64_t on = 0, entries = 0, act = 0;
	zp_lights l;
	uint64_t seed;

	for (seed = 1; seed <= 200; seed++) {
		run_sequence(seed, PROP_STEPS, &l);
		act += l.activations;
		entries += l.failsafe_entries;
		on += l.on_ms > 0;
	}
	ck_assert_uint_gt(act, 200);
	ck_assert_uint_gt(entries, 200);
	ck_assert_uint_gt(on, 100);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "transitions", .tests = ZP_TESTS(
			init_is_startup_failsafe,
			init_null_params_are_defaults,
			startup_waits_for_ready_then_recover,
			leaving_failsafe_with_recent_presence_goes_on,
			presence_turns_on_and_hold_keeps_on,
			min_on_outlasts_short_hold,
			presence_persists_between_frames,
			stall_detected_by_tick,
			stall_detected_by_late_frame,
			short_bad_health_holds_on,
			long_bad_health_is_failsafe,
			model_not_ready_again_is_failsafe,
			recover_zero_leaves_at_first_good_frame,
			levels_per_mode,
			shutdown_levels,
			time_going_backwards_is_clamped,
			counters_add_up) },
		{ .name = "property", .timeout_s = 120, .tests = ZP_TESTS(
			property_random_sequences,
			property_deterministic,
			property_covers_all_states) },
	};

	return zp_test_run(ZP_TEST_SUITE("lights", cases));
}
