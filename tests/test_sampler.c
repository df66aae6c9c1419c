/* SPDX-License-Identifier: MIT */
/*
 * test_sampler.c - the interval sampler (pipeline/sampler.h): samples into
 * interval rows, and steps (results, the light controller, times) into
 * samples, as the daemon and `audit --live` drive it.
 */
#include "zp_test.h"
#include "zp_rows.h"
#include "sampler.h"

#include <string.h>

/* 2023-11-14 22:14:00 UTC, a multiple of 60 s */
#define T0_MS 1700000040000LL

/* The row of zone for the interval starting at start_ms, or NULL. */
static const zp_store_row *find(const zp_rows *rs, int64_t start_ms, const char *zone)
{
	return zp_rows_find(rs, start_ms / 1000, zone);
}

static const char *const names[] = { "kerb-a", "road", "kerb-b" };

/* The road's row of the interval from start_ms: seconds occupied, people entered, crossings A->B and B->A. */
static void check_road(const zp_rows *rs, int64_t start_ms, double occupied_s, int64_t entered, int64_t a_to_b,
		       int64_t b_to_a)
{
	const zp_store_row *r = find(rs, start_ms, "road");

	ck_assert_ptr_nonnull(r);
	ck_assert_double_eq(r->occupied_s, occupied_s);
	ck_assert_int_eq(r->entered, entered);
	ck_assert_int_eq(r->crossed_a_to_b, a_to_b);
	ck_assert_int_eq(r->crossed_b_to_a, b_to_a);
}
static const bool road_sides[] = { false, true, false };

static void init(zp_sampler *s, zp_rows *rs, int interval_s)
{
	char err[200];

	rs->n = 0;
	ck_assert_int_eq(zp_sampler_init(s, interval_s, names, road_sides, 3, zp_rows_sink, rs, err, sizeof(err)), 0);
}

static void no_crossings(zp_store_sample *smp)
{
	memset(smp, 0, sizeof(*smp));
	smp->crossed[0][0] = smp->crossed[0][1] = -1;
	smp->crossed[2][0] = smp->crossed[2][1] = -1;
}

/* ---- samples into rows ---- */

START_TEST(spans_split_exactly_at_interval_boundaries)
{
	zp_sampler s;
	zp_store_sample smp;
	zp_rows rs;
	const zp_store_row *r;

	init(&s, &rs, 60);
	no_crossings(&smp);
	smp.wall_ms = T0_MS + 50000; /* [T0+40 s, T0+50 s): road occupied, light on */
	smp.dt_ms = 10000;
	smp.occupied[1] = true;
	smp.light_on = true;
	ck_assert_int_eq(zp_sampler_account(&s, &smp), 0);
	smp.wall_ms = T0_MS + 75000; /* [T0+50, T0+75): 10 s in the first interval, 15 s in the next */
	smp.dt_ms = 25000;
	smp.entered[1] = 2;           /* events count where the sample ends */
	smp.crossed[1][0] = 1;
	smp.light_activations = 1;
	ck_assert_int_eq(zp_sampler_account(&s, &smp), 4); /* the first interval closed: 3 zones + "*" */
	ck_assert_int_eq(rs.n, 4);
	check_road(&rs, T0_MS, 20.0, 0, 0, 0);
	r = find(&rs, T0_MS, "kerb-a");
	ck_assert_int_eq(r->crossed_a_to_b, -1); /* no sides: NULL in the store */
	ck_assert_int_eq(r->light_activations, -1);
	r = find(&rs, T0_MS, "*");
	ck_assert_double_eq(r->light_on_s, 20.0);
	ck_assert_int_eq(r->light_activations, 0);
	ck_assert_int_eq(r->entered, -1);
	ck_assert_int_eq(r->crossed_a_to_b, -1);

	/* an interval with no sample at all gets no rows; the one in progress goes out on flush */
	smp.wall_ms = T0_MS + 250000;
	smp.dt_ms = 0;
	memset(smp.entered, 0, sizeof(smp.entered));
	smp.crossed[1][0] = 0;
	smp.light_activations = 0;
	ck_assert_int_eq(zp_sampler_account(&s, &smp), 4);
	check_road(&rs, T0_MS + 60000, 15.0, 2, 1, 0);
	ck_assert_int_eq(find(&rs, T0_MS + 60000, "*")->light_activations, 1);
	ck_assert_ptr_null(find(&rs, T0_MS + 120000, "road"));
	ck_assert_int_eq(zp_sampler_flush(&s), 0); /* T0+240 s: nothing happened in it */
	ck_assert_int_eq(rs.n, 8);
}
END_TEST

START_TEST(bad_input_refused)
{
	const char *dup[] = { "a", "a" }, *star[] = { "*" }, *empty[] = { "" };
	zp_sampler s;
	zp_store_sample smp;
	zp_rows rs;
	char err[200];

	ck_assert_int_eq(zp_sampler_init(&s, 0, names, NULL, 3, zp_rows_sink, &rs, err, sizeof(err)), ZP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "interval_s"));
	ck_assert_int_eq(zp_sampler_init(&s, 60, dup, NULL, 2, zp_rows_sink, &rs, err, sizeof(err)), ZP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "appears twice"));
	ck_assert_int_eq(zp_sampler_init(&s, 60, star, NULL, 1, zp_rows_sink, &rs, err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_sampler_init(&s, 60, empty, NULL, 1, zp_rows_sink, &rs, err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_sampler_init(&s, 60, names, NULL, ZP_MAX_ZONES + 1, zp_rows_sink, &rs, err, sizeof(err)),
			 ZP_EINVAL);
	init(&s, &rs, 60);
	no_crossings(&smp);
	smp.wall_ms = T0_MS;
	smp.dt_ms = -1;
	ck_assert_int_eq(zp_sampler_account(&s, &smp), ZP_EINVAL);
	smp.dt_ms = 0;
	smp.entered[0] = -1;
	ck_assert_int_eq(zp_sampler_account(&s, &smp), ZP_EINVAL);
	smp.entered[0] = 0;
	smp.crossed[1][0] = -1; /* one direction without the other */
	ck_assert_int_eq(zp_sampler_account(&s, &smp), ZP_EINVAL);
	ck_assert_int_eq(zp_sampler_flush(&s), 0);
	ck_assert_int_eq(rs.n, 0);
}
END_TEST

/* ---- steps into samples ---- */

static zp_result res;
static zp_lights lights;

static int step(zp_sampler *s, int64_t now, int64_t wall, bool frame, zp_sampler_note *note)
{
	zp_sampler_in in = { .now_ms = now, .wall_ms = wall, .res = frame ? &res : NULL, .lights = &lights };

	return zp_sampler_step(s, &in, note);
}

static void frame_with(int road_count, int entered, int a_to_b, int b_to_a)
{
	memset(&res, 0, sizeof(res));
	res.nzones = 3;
	res.zone_count[1] = road_count;
	res.zone_entered[1] = entered;
	res.zone_entered[0] = entered;     /* a kerb: entries count, crossings never */
	res.zone_crossed[1][0] = a_to_b;
	res.zone_crossed[1][1] = b_to_a;
	res.zone_crossed[0][0] = 5;        /* what a detector never reports for a zone without sides: ignored */
}

/* init(), then begin at now_ms with the light in state and its counters zero. */
static void begin(zp_sampler *s, zp_rows *rs, int interval_s, int64_t now_ms, zp_light_state state)
{
	init(s, rs, interval_s);
	memset(&lights, 0, sizeof(lights));
	lights.state = state;
	zp_sampler_begin(s, now_ms, &lights);
}

/* A sampler begun at 0 in state, whose first frame, at 0, sees one person enter the road. */
static void begin_with_one_on_the_road(zp_sampler *s, zp_rows *rs, zp_light_state state)
{
	begin(s, rs, 60, 0, state);
	frame_with(1, 1, 0, 0);
	ck_assert_int_eq(step(s, 0, T0_MS, true, NULL), 0);
}

START_TEST(state_held_since_the_previous_step)
{
	zp_sampler s;
	zp_rows rs;
	const zp_store_row *x;

	begin(&s, &rs, 60, 1000, ZP_LIGHT_FAILSAFE);
	/* 1000 -> 5000: fail-safe (the state at begin); the frame at 5000 sees one person on the road */
	lights.state = ZP_LIGHT_ON;
	lights.activations = 1;
	frame_with(1, 1, 0, 0);
	ck_assert_int_eq(step(&s, 5000, T0_MS + 5000, true, NULL), 0);
	/* 5000 -> 9000: the person (held from the frame at 5000), the light on; a crossing completes at 9000 */
	frame_with(0, 0, 1, 0);
	lights.state = ZP_LIGHT_OFF;
	ck_assert_int_eq(step(&s, 9000, T0_MS + 9000, true, NULL), 0);
	/* 9000 -> 12000: empty, off; no frame at 12000 */
	ck_assert_int_eq(step(&s, 12000, T0_MS + 12000, false, NULL), 0);
	ck_assert_int_eq(zp_sampler_flush(&s), 4);
	check_road(&rs, T0_MS, 4.0, 1, 1, 0);
	x = find(&rs, T0_MS, "*");
	ck_assert_int_eq(find(&rs, T0_MS, "kerb-a")->entered, 1);
	ck_assert_int_eq(find(&rs, T0_MS, "kerb-a")->crossed_a_to_b, -1);
	ck_assert_double_eq(x->fault_s, 4.0);
	ck_assert_double_eq(x->light_on_s, 4.0);
	ck_assert_int_eq(x->light_activations, 1);
}
END_TEST

START_TEST(no_occupancy_while_frames_have_stopped)
{
	zp_sampler s;
	zp_rows rs;

	begin_with_one_on_the_road(&s, &rs, ZP_LIGHT_ON);
	lights.state = ZP_LIGHT_FAILSAFE;
	lights.faults = ZP_FAULT_STALL;                                 /* the controller saw the stall at 2000 */
	ck_assert_int_eq(step(&s, 2000, T0_MS + 2000, false, NULL), 0); /* 0-2 s still counted: no stall then */
	ck_assert_int_eq(step(&s, 10000, T0_MS + 10000, false, NULL), 0); /* 2-10 s: nobody can be seen */
	lights.state = ZP_LIGHT_ON;
	lights.faults = 0;
	frame_with(1, 0, 0, 0);                                         /* frames again: the person is there */
	ck_assert_int_eq(step(&s, 11000, T0_MS + 11000, true, NULL), 0); /* 10-11 s: still the stall's */
	ck_assert_int_eq(step(&s, 12000, T0_MS + 12000, true, NULL), 0);
	ck_assert_int_eq(zp_sampler_flush(&s), 4);
	ck_assert_double_eq(find(&rs, T0_MS, "road")->occupied_s, 3.0); /* 0-2 s and 11-12 s */
	ck_assert_double_eq(find(&rs, T0_MS, "*")->fault_s, 9.0);       /* 2-11 s */
	ck_assert_double_eq(find(&rs, T0_MS, "*")->light_on_s, 3.0);    /* 0-2 s and 11-12 s */
}
END_TEST

START_TEST(forget_drops_the_held_occupancy)
{
	zp_sampler s;
	zp_rows rs;

	begin_with_one_on_the_road(&s, &rs, ZP_LIGHT_OFF);
	zp_sampler_forget(&s); /* a new detector: what the old one saw no longer holds */
	ck_assert_int_eq(step(&s, 5000, T0_MS + 5000, false, NULL), 0);
	ck_assert_int_eq(zp_sampler_flush(&s), 4);
	ck_assert_double_eq(find(&rs, T0_MS, "road")->occupied_s, 0.0);
}
END_TEST

START_TEST(wall_clock_is_tiled)
{
	zp_sampler s;
	zp_sampler_note n;
	zp_rows rs;

	begin(&s, &rs, 60, 0, ZP_LIGHT_ON);
	ck_assert_int_eq(step(&s, 0, T0_MS, false, &n), 0);
	/* the wall clock read late, then early: spans start where the last one ended */
	ck_assert_int_eq(step(&s, 1000, T0_MS + 1040, false, &n), 0);
	ck_assert_int_eq(n.dt_ms, 1000);
	ck_assert_int_eq(n.span_ms, 1040);
	ck_assert_int_eq(step(&s, 2000, T0_MS + 2000, false, &n), 0);
	ck_assert_int_eq(n.span_ms, 960);
	/* set back by 30 s: nothing counted until the clock is past the time already counted (the sample's
	   time is in the interval before, so the one in progress closes: 4 rows, added up by the store) */
	ck_assert_int_eq(step(&s, 3000, T0_MS - 28000, false, &n), 4);
	ck_assert_int_eq(n.span_ms, 0);
	ck_assert_int_eq(n.clock_back_ms, 30000);
	ck_assert(n.clock_back_held);
	ck_assert_int_eq(step(&s, 35000, T0_MS + 4000, false, &n), 0);
	ck_assert_int_eq(n.span_ms, 2000);
	ck_assert_int_eq(n.clock_back_ms, 0);
	/* a jump forward: the loop's dt, ending at the new wall time */
	ck_assert_int_eq(step(&s, 36000, T0_MS + 30000, false, &n), 0);
	ck_assert_int_eq(n.span_ms, 1000);
	ck_assert_int_eq(n.clock_ahead_ms, 25000);
	/* a step dropped (the clock not known): time passes, nothing counted */
	{
		zp_sampler_in in = { .now_ms = 40000, .wall_ms = 0, .lights = &lights, .drop = true };

		ck_assert_int_eq(zp_sampler_step(&s, &in, &n), 0);
		ck_assert_int_eq(n.dt_ms, 4000);
		ck_assert_int_eq(n.span_ms, 0);
	}
	ck_assert_int_eq(step(&s, 41000, T0_MS + 31000, false, &n), 0);
	ck_assert_int_eq(n.span_ms, 1000);
	ck_assert_int_eq(zp_sampler_flush(&s), 4);
	ck_assert_int_eq(rs.n, 8);
	ck_assert_double_eq_tol(rs.r[3].light_on_s + rs.r[7].light_on_s, 1.040 + 0.960 + 2 + 1 + 1, 1e-9);
	ck_assert_str_eq(rs.r[7].zone, "*");
	ck_assert_int_eq(rs.r[3].interval_start, rs.r[7].interval_start);
}
END_TEST

/* The same steps give the same rows, to the last bit: no hidden input. */
START_TEST(same_steps_same_rows)
{
	zp_rows a, b;

	for (int pass = 0; pass < 2; pass++) {
		zp_rows *rs = pass ? &b : &a;
		zp_sampler s;

		begin(&s, rs, 7, 100, ZP_LIGHT_OFF);
		for (int i = 1; i <= 400; i++) {
			uint32_t h = zp_hash32((uint32_t)i);

			frame_with((int)(h & 1), (int)(h >> 1 & 1), (int)(h >> 2 & 1), (int)(h >> 3 & 1));
			lights.state = (zp_light_state)(h >> 4 & 1);
			lights.activations += h >> 5 & 1;
			ck_assert_int_ge(step(&s, 100 + i * 67, T0_MS + i * 67 + (h >> 8 & 15), (h >> 6 & 3) != 0, NULL), 0);
		}
		zp_sampler_flush(&s);
	}
	ck_assert_int_eq(a.n, b.n);
	ck_assert_int_gt(a.n, 4 * 3);
	ck_assert_mem_eq(a.r, b.r, (size_t)a.n * sizeof(a.r[0]));
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "sampler", .tests = ZP_TESTS(
			spans_split_exactly_at_interval_boundaries,
			bad_input_refused,
			state_held_since_the_previous_step,
			no_occupancy_while_frames_have_stopped,
			forget_drops_the_held_occupancy,
			wall_clock_is_tiled,
			same_steps_same_rows) },
	};

	return zp_test_run(ZP_TEST_SUITE("sampler", cases));
}
