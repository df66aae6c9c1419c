/* SPDX-License-Identifier: MIT */
/*
 * test_chain.c - the crossing's step (pipeline/chain.h): a synthetic scene
 * (textured ground, a block walking through the zone) frame by frame
 * through detector -> light controller -> sampler, and the cases the
 * daemon's loop meets: a frame size the zones do not fit, a new size,
 * frames that stop. test_chain_score (ZP_TEST_SCORE, the tools' build)
 * adds eval's and tune's zone scorer (pipeline/score.h) on the same frames.
 */
#include "zp_test.h"
#include "zp_rows.h"
#include "chain.h"
#if ZP_TEST_SCORE
#include "score.h"
#endif

#include <stdlib.h>
#include <string.h>

#define W 320
#define H 240
#define BW 24
#define BH 48
#define BOTTOM 200
#define FRAME_MS 10            /* 100 fps */
#define T0 1000                /* the loop's clock at the start */
#define WALL0 1709280000000LL  /* 2024-03-01 08:00:00 UTC, the rows' time of T0 */

static const char config_text[] =
	"[detector]\nscale = 1\nwarmup_frames = 10\nopen_radius = 1\nclose_radius = 1\n"
	"min_area = 300\nmax_area = 20000\ntrack_min_hits = 3\ntrack_max_dist = 30\ncount_min_ms = 0\n\n"
	"[zone middle]\nrole = crossing\npolygon = 130,100 210,100 210,230 130,230\n\n"
	"[lights]\nmin_on_ms = 100\nhold_ms = 100\nstall_ms = 200\nrecover_ms = 100\n\n"
	"[store]\ninterval_s = 1\n";

/* Frame n of the scene (w x h): the block walks left to right from frame 60 to 140, 4 px a frame. */
static void scene(uint8_t *luma, int w, int h, int n)
{
	int bx = n >= 60 && n <= 140 ? 12 + 4 * (n - 60) : -1000;

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int v = 70 + ((x * 7 + y * 13) % 41) + ((x / 16 + y / 16) % 2) * 20;

			if (x >= bx && x < bx + BW && y >= BOTTOM - BH && y < BOTTOM)
				v = 230 - ((x - bx) + (y % 8)) % 12;
			luma[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)v;
		}
}

struct fx {
	zp_config cfg;
	zp_chain c;
	zp_rows rows;
	zp_result *res;
	uint8_t *luma;
};

static void fx_open(struct fx *x)
{
	char err[300];

	memset(x, 0, sizeof(*x));
	ck_assert_msg(zp_config_load_string(config_text, "chain.ini", &x->cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(zp_chain_init(&x->c, &x->cfg, NULL, x->cfg.store.interval_s, zp_rows_sink, &x->rows, err, sizeof(err)) == 0,
		      "%s", err);
	zp_chain_start(&x->c, T0);
	x->res = calloc(1, sizeof(*x->res));
	x->luma = malloc((size_t)(W + 40) * (H + 40));
	ck_assert(x->res && x->luma);
}

static void fx_close(struct fx *x)
{
	zp_chain_free(&x->c);
	free(x->res);
	free(x->luma);
}

/* Frame n of size w x h at the loop's time T0 + n * FRAME_MS, counted. Returns the chain's rc. */
static int feed(struct fx *x, int n, int w, int h, zp_chain_out *out)
{
	zp_frame f = { .luma = x->luma, .stride = w, .width = w, .height = h, .seq = (uint64_t)n };
	zp_chain_in in;

	scene(x->luma, w, h, n);
	memset(&in, 0, sizeof(in));
	in.now_ms = in.t_frame_ms = f.t_ms = T0 + (int64_t)n * FRAME_MS;
	in.count = true;
	in.wall_ms = WALL0 + (in.now_ms - T0);
	return zp_chain_frame(&x->c, &f, &in, x->res, out);
}

static void idle(struct fx *x, int64_t now)
{
	zp_chain_in in;
	zp_chain_out out;

	memset(&in, 0, sizeof(in));
	in.now_ms = now;
	in.count = true;
	in.wall_ms = WALL0 + (now - T0);
	zp_chain_idle(&x->c, &in, &out);
	ck_assert_int_ge(out.sampler_rc, 0);
}

static int64_t sum(const zp_rows *rs, const char *zone, int what)
{
	int64_t s = 0;

	for (int i = 0; i < rs->n; i++)
		if (!strcmp(rs->r[i].zone, zone))
			s += what == 0 ? rs->r[i].entered : what == 1 ? rs->r[i].crossed_a_to_b : rs->r[i].light_activations;
	return s;
}

/*
 * The person walks through: the lights come on, the zone's row counts one
 * entry, and the same frames through a second chain give the same rows to
 * the last bit (nothing but the arguments goes in).
 */
START_TEST(person_counted_and_lights_on)
{
	static struct fx a, b;
	zp_chain_out out;
	bool on = false;

	fx_open(&a);
	fx_open(&b);
	for (int n = 0; n < 220; n++) {
		ck_assert_int_eq(feed(&a, n, W, H, &out), 0);
		ck_assert_int_eq(out.new_detector, n == 0);
		ck_assert(!out.started_over);
		on |= a.c.lights.state == ZP_LIGHT_ON;
		ck_assert_int_eq(feed(&b, n, W, H, &out), 0);
	}
	zp_chain_flush(&a.c);
	zp_chain_flush(&b.c);
	ck_assert(on);
	ck_assert_int_eq(sum(&a.rows, "middle", 0), 1);
	ck_assert_int_ge(sum(&a.rows, "*", 2), 1);
	/* 220 frames at 100 fps from 08:00:00.000: 3 intervals, the zone and "*" in each */
	ck_assert_int_eq(a.rows.n, 3 * 2);
	ck_assert_int_eq(a.rows.r[0].interval_start, WALL0 / 1000);
	ck_assert_int_eq(b.rows.n, a.rows.n);
	ck_assert_mem_eq(b.rows.r, a.rows.r, sizeof(a.rows.r[0]) * (size_t)a.rows.n);
	fx_close(&a);
	fx_close(&b);
}
END_TEST

/*
 * The controller hears from the chain at least every stall_ms/4 while
 * frames come (a tick follows a frame when the last tick is that old), and
 * is ticked on every step without a frame.
 */
START_TEST(controller_ticked_every_quarter_stall)
{
	static struct fx a;
	zp_chain_out out;
	int64_t last = T0;

	fx_open(&a);
	for (int n = 0; n < 40; n++) {
		ck_assert_int_eq(feed(&a, n, W, H, &out), 0);
		ck_assert_int_le(T0 + n * FRAME_MS - a.c.last_tick, a.cfg.lights.stall_ms / 4);
		ck_assert_int_ge(a.c.last_tick, last);
		last = a.c.last_tick;
	}
	ck_assert_int_gt(last, T0);
	idle(&a, T0 + 40 * FRAME_MS + 3);
	ck_assert_int_eq(a.c.last_tick, T0 + 40 * FRAME_MS + 3);
	fx_close(&a);
}
END_TEST

/*
 * Frames the zones do not fit are refused once with a message, then
 * silently, and count as no frame: the stall timer runs on and the
 * controller goes fail-safe; the time is fault time, not occupied time.
 * A size that fits again gets a new detector; a different size that fits
 * starts the detector over.
 */
START_TEST(frame_sizes)
{
	static struct fx a;
	zp_chain_out out;
	int n = 0;
	double fault = 0, occupied = 0;

	fx_open(&a);
	for (; n < 20; n++)
		ck_assert_int_eq(feed(&a, n, W, H, &out), 0);
	/* 160x120: the zone (up to x 210) lies outside */
	ck_assert_int_eq(feed(&a, n++, 160, 120, &out), ZP_EINVAL);
	ck_assert_msg(strstr(out.err, "middle") != NULL, "%s", out.err);
	ck_assert_ptr_null(a.c.det);
	for (int k = 0; k < 40; k++, n++) {
		ck_assert_int_eq(feed(&a, n, 160, 120, &out), ZP_EINVAL);
		ck_assert_str_eq(out.err, "");
	}
	ck_assert_int_eq(a.c.lights.state, ZP_LIGHT_FAILSAFE);
	ck_assert(a.c.lights.faults & ZP_FAULT_STALL);
	/* the full size again: a new detector */
	ck_assert_int_eq(feed(&a, n++, W, H, &out), 0);
	ck_assert(out.new_detector && !out.started_over);
	/* a larger size the zones fit: it starts over */
	ck_assert_int_eq(feed(&a, n++, W + 40, H + 40, &out), 0);
	ck_assert(out.new_detector && out.started_over);
	ck_assert_int_eq(a.c.det_w, W + 40);
	zp_chain_flush(&a.c);
	for (int i = 0; i < a.rows.n; i++) {
		if (!strcmp(a.rows.r[i].zone, "*"))
			fault += a.rows.r[i].fault_s;
		else
			occupied += a.rows.r[i].occupied_s;
	}
	ck_assert_double_eq_tol(occupied, 0, 1e-9);
	/* fail-safe at least from stall_ms after the last good frame (19) to the last frame, and not longer
	   than the whole run */
	ck_assert_msg(fault >= (double)((n - 1) * FRAME_MS - (19 * FRAME_MS + a.cfg.lights.stall_ms)) / 1000.0 - 1e-9 &&
		      fault <= (double)(n - 1) * FRAME_MS / 1000.0 + 1e-9, "fault %.3f s", fault);
	fx_close(&a);
}
END_TEST

/* Without count the sampler is not stepped: the lights run, no row is made. */
START_TEST(no_counts_without_count)
{
	static struct fx a;
	zp_frame f = { .width = W, .height = H, .stride = W };
	zp_chain_in in;
	zp_chain_out out;

	fx_open(&a);
	f.luma = a.luma;
	for (int n = 0; n < 220; n++) {
		scene(a.luma, W, H, n);
		memset(&in, 0, sizeof(in));
		in.now_ms = in.t_frame_ms = f.t_ms = T0 + (int64_t)n * FRAME_MS;
		in.wall_ms = WALL0 + n * FRAME_MS;
		ck_assert_int_eq(zp_chain_frame(&a.c, &f, &in, a.res, &out), 0);
	}
	ck_assert_int_gt(a.c.lights.activations, 0);
	ck_assert_int_eq(zp_chain_flush(&a.c), 0);
	ck_assert_int_eq(a.rows.n, 0);
	fx_close(&a);
}
END_TEST

#if ZP_TEST_SCORE
/*
 * eval's and tune's counts are the store's: the zone scorer, fed every
 * frame's result and the walking block as the ground truth, counts as many
 * entries as the rows the sampler made from the same steps (both take the
 * detector's per-frame zone_entered; neither keeps a count of its own).
 */
START_TEST(scored_entries_are_the_rows_entries)
{
	static struct fx a;
	zp_chain_out out;
	zp_zone_score *zs = zp_zone_score_new(1, 100);
	zp_zone_stats st;

	ck_assert_ptr_nonnull(zs);
	fx_open(&a);
	for (int n = 0; n < 220; n++) {
		int bx = n >= 60 && n <= 140 ? 12 + 4 * (n - 60) : -1000;
		zp_eval_box gt = { .id = 7, .x = bx, .y = BOTTOM - BH, .w = BW, .h = BH };

		ck_assert_int_eq(feed(&a, n, W, H, &out), 0);
		ck_assert_int_eq(zp_zone_score_frame(zs, a.cfg.zones, n + 1, &gt, bx >= 0 ? 1 : 0, a.res), 0);
	}
	zp_chain_flush(&a.c);
	zp_zone_score_get(zs, 0, &st);
	ck_assert_uint_eq(st.counts.gt_people, 1);
	ck_assert_uint_eq(st.counts.entered, 1);
	ck_assert_int_eq((int64_t)st.counts.entered, sum(&a.rows, "middle", 0));
	zp_zone_score_free(zs);
	fx_close(&a);
}
END_TEST
#endif

int main(void)
{
	const TTest *chain_tests[] = {
		person_counted_and_lights_on,
		controller_ticked_every_quarter_stall,
		frame_sizes,
		no_counts_without_count,
#if ZP_TEST_SCORE
		scored_entries_are_the_rows_entries,
#endif
		NULL,
	};
	const struct zp_test_case cases[] = {
		{ .name = "chain", .tests = chain_tests, .timeout_s = 60 },
	};

	return zp_test_run(ZP_TEST_SUITE("chain", cases));
}
