/* SPDX-License-Identifier: MIT */
/* The clock-sync gate (timesync/timesync.c): held while unsynchronised, stamped in order once known. */
#include "zp_test.h"
#include "timesync.h"

#include <string.h>

struct row {
	int id;
	int64_t wall;
};

struct sink {
	struct row got[64];
	int n;
};

static void emit(void *ctx, void *item, int64_t wall_start_ms)
{
	struct sink *s = ctx;
	struct row *r = item;

	ck_assert_int_lt(s->n, 64);
	s->got[s->n] = *r;
	s->got[s->n].wall = wall_start_ms;
	s->n++;
}

/* Synchronised from the start: each row goes straight through, stamped with the offset of that moment. */
START_TEST(synced_passes_through)
{
	zp_tsgate g;
	struct sink s = { .n = 0 };
	struct row r = { 1, 0 };

	ck_assert_int_eq(zp_tsgate_init(&g, sizeof(struct row), 4), 0);
	ck_assert_uint_eq(zp_tsgate_offer(&g, &r, 1000, true, 1700000060000, 61000, emit, &s), 1);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.got[0].id, 1);
	ck_assert_int_eq(s.got[0].wall, 1700000000000);
	ck_assert_uint_eq(zp_tsgate_held(&g), 0);
	zp_tsgate_free(&g);
}
END_TEST

/*
 * Boot at 1970 + 5 s: three intervals counted before NTP, then the clock jumps to 2024; the held
 * rows come out first, in order, each stamped when it was counted (monotonic + the offset now).
 */
START_TEST(held_until_synced_then_stamped_in_order)
{
	const int64_t wall_2024 = 1704067200000LL;
	zp_tsgate g;
	struct sink s = { .n = 0 };
	struct row r;

	ck_assert_int_eq(zp_tsgate_init(&g, sizeof(struct row), 8), 0);
	for (int i = 0; i < 3; i++) {
		r.id = 10 + i;
		/* the wall clock still says 1970: whatever it says is ignored while unsynchronised */
		ck_assert_uint_eq(zp_tsgate_offer(&g, &r, 60000 * i, false, 5000 + 60000 * (i + 1), 60000 * (i + 1), emit,
						  &s), 0);
	}
	ck_assert_int_eq(s.n, 0);
	ck_assert_uint_eq(zp_tsgate_held(&g), 3);
	/* synchronised at monotonic 200 s, wall 2024-01-01T00:00:00Z */
	r.id = 13;
	ck_assert_uint_eq(zp_tsgate_offer(&g, &r, 180000, true, wall_2024, 200000, emit, &s), 4);
	ck_assert_int_eq(s.n, 4);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(s.got[i].id, 10 + i);
		ck_assert_int_eq(s.got[i].wall, wall_2024 - 200000 + 60000 * i);
	}
	ck_assert_uint_eq(zp_tsgate_held(&g), 0);
	ck_assert_uint_eq(zp_tsgate_dropped(&g), 0);
	zp_tsgate_free(&g);
}
END_TEST

/* A hold that fills drops the oldest and counts each: the newest rows survive, never a wrong date. */
START_TEST(full_hold_drops_oldest_counted)
{
	zp_tsgate g;
	struct sink s = { .n = 0 };
	struct row r;

	ck_assert_int_eq(zp_tsgate_init(&g, sizeof(struct row), 3), 0);
	for (int i = 0; i < 7; i++) {
		r.id = i;
		zp_tsgate_offer(&g, &r, 1000 * i, false, 0, 0, emit, &s);
	}
	ck_assert_uint_eq(zp_tsgate_held(&g), 3);
	ck_assert_uint_eq(zp_tsgate_dropped(&g), 4);
	r.id = 7;
	ck_assert_uint_eq(zp_tsgate_offer(&g, &r, 7000, true, 1000000, 10000, emit, &s), 4);
	ck_assert_int_eq(s.got[0].id, 4);
	ck_assert_int_eq(s.got[0].wall, 994000);
	ck_assert_int_eq(s.got[2].id, 6);
	ck_assert_int_eq(s.got[3].id, 7);
	ck_assert_uint_eq(g.held_total, 7);
	zp_tsgate_free(&g);
}
END_TEST

START_TEST(bad_sizes_and_kernel_flag)
{
	zp_tsgate g;
	int k;

	ck_assert_int_eq(zp_tsgate_init(&g, 0, 4), ZP_EINVAL);
	ck_assert_int_eq(zp_tsgate_init(&g, 8, 0), ZP_EINVAL);
	ck_assert_int_eq(zp_tsgate_init(&g, SIZE_MAX / 2, 4), ZP_EINVAL);
	/* the kernel answers yes or no (which depends on the machine), never an error outside a sandbox */
	k = zp_clock_synced();
	ck_assert(k == 0 || k == 1);
}
END_TEST

static Suite *timesync_suite(void)
{
	Suite *s = suite_create("timesync");
	TCase *tc = tcase_create("gate");

	tcase_add_test(tc, synced_passes_through);
	tcase_add_test(tc, held_until_synced_then_stamped_in_order);
	tcase_add_test(tc, full_hold_drops_oldest_counted);
	tcase_add_test(tc, bad_sizes_and_kernel_flag);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return zp_test_run(timesync_suite());
}
