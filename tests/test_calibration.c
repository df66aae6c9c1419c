/* SPDX-License-Identifier: MIT */
#include "zp_test.h"
#include "calibration.h"

#include <string.h>

/* Build a polygon from "x,y ..." text; the test fails when it does not parse. */
static zp_polygon poly_of(const char *text)
{
	zp_polygon p;
	char err[128] = "";

	memset(&p, 0, sizeof(p));
	ck_assert_msg(zp_polygon_parse(text, &p, err, sizeof(err)) == ZP_OK, "'%s': %s", text, err);
	return p;
}

START_TEST(contains_square_inside_outside_edges)
{
	zp_polygon sq = poly_of("10,10 20,10 20,20 10,20");

	ck_assert(zp_polygon_contains(&sq, 15, 15));
	ck_assert(!zp_polygon_contains(&sq, 5, 15));
	ck_assert(!zp_polygon_contains(&sq, 25, 15));
	ck_assert(!zp_polygon_contains(&sq, 15, 9.999));
	ck_assert(!zp_polygon_contains(&sq, 15, 20.001));
	/* on an edge and on a vertex: inside */
	ck_assert(zp_polygon_contains(&sq, 10, 15));
	ck_assert(zp_polygon_contains(&sq, 20, 12.5));
	ck_assert(zp_polygon_contains(&sq, 15, 20));
	ck_assert(zp_polygon_contains(&sq, 10, 10));
	ck_assert(zp_polygon_contains(&sq, 20, 20));
	/* level with a vertex but outside: the ray passes through a vertex */
	ck_assert(!zp_polygon_contains(&sq, 0, 10));
	ck_assert(!zp_polygon_contains(&sq, 30, 20));
}
END_TEST

START_TEST(contains_concave_and_slanted)
{
	/* a U shape: the notch 4..6 x 4..10 is outside */
	zp_polygon u = poly_of("0,0 10,0 10,10 6,10 6,4 4,4 4,10 0,10");
	/* a diamond (slanted edges) */
	zp_polygon d = poly_of("5,0 10,5 5,10 0,5");

	ck_assert(zp_polygon_contains(&u, 2, 8));
	ck_assert(zp_polygon_contains(&u, 8, 8));
	ck_assert(!zp_polygon_contains(&u, 5, 8));
	ck_assert(zp_polygon_contains(&u, 5, 2));
	ck_assert(zp_polygon_contains(&u, 5, 4)); /* bottom of the notch: an edge */
	/* the ray from (1,4) runs along the notch bottom edge 6,4 - 4,4 */
	ck_assert(zp_polygon_contains(&u, 1, 4));
	ck_assert(zp_polygon_contains(&d, 5, 5));
	ck_assert(zp_polygon_contains(&d, 7.5, 2.5)); /* on the slanted edge */
	ck_assert(!zp_polygon_contains(&d, 8, 1.9));
	ck_assert(!zp_polygon_contains(&d, 1, 1));
	ck_assert(!zp_polygon_contains(&d, 11, 5));
	ck_assert(zp_polygon_contains(&d, 0, 5));
}
END_TEST

START_TEST(area_signed_shoelace)
{
	zp_polygon ccw = poly_of("0,0 4,0 4,3 0,3");   /* counter-clockwise with y up */
	zp_polygon cw = poly_of("0,0 0,3 4,3 4,0");
	zp_polygon tri = poly_of("0,0 10,0 0,5");
	zp_polygon u = poly_of("0,0 10,0 10,10 6,10 6,4 4,4 4,10 0,10");

	ck_assert_double_eq_tol(zp_polygon_area(&ccw), 12.0, 1e-12);
	ck_assert_double_eq_tol(zp_polygon_area(&cw), -12.0, 1e-12);
	ck_assert_double_eq_tol(zp_polygon_area(&tri), 25.0, 1e-12);
	ck_assert_double_eq_tol(zp_polygon_area(&u), 100.0 - 12.0, 1e-12);
}
END_TEST

START_TEST(simple_polygons_do_not_self_intersect)
{
	zp_polygon sq = poly_of("0,0 10,0 10,10 0,10");
	zp_polygon u = poly_of("0,0 10,0 10,10 6,10 6,4 4,4 4,10 0,10");
	zp_polygon tri = poly_of("0,0 10,0 5,8");
	/* three points on one straight edge (0,0 5,0 10,0) are fine: no fold */
	zp_polygon straight = poly_of("0,0 5,0 10,0 10,10 0,10");

	ck_assert(!zp_polygon_self_intersects(&sq));
	ck_assert(!zp_polygon_self_intersects(&u));
	ck_assert(!zp_polygon_self_intersects(&tri));
	ck_assert(!zp_polygon_self_intersects(&straight));
}
END_TEST

START_TEST(bow_tie_self_intersects)
{
	zp_polygon bow = poly_of("0,0 10,10 10,0 0,10");
	zp_polygon star = poly_of("50,0 79,90 2,35 98,35 21,90"); /* pentagram */

	ck_assert(zp_polygon_self_intersects(&bow));
	ck_assert(zp_polygon_self_intersects(&star));
	/* the signed area of a bow-tie cancels out: why it must be rejected */
	ck_assert_double_eq_tol(zp_polygon_area(&bow), 0.0, 1e-12);
}
END_TEST

START_TEST(touching_edges_self_intersect)
{
	/* vertex 5,0 lies on the non-adjacent bottom edge 0,0-10,0 */
	zp_polygon touch = poly_of("0,0 10,0 10,10 5,0 0,10");
	/* an hourglass pinched at one shared point reached twice */
	zp_polygon pinch = poly_of("0,0 10,0 5,5 10,10 0,10 5,5");

	ck_assert(zp_polygon_self_intersects(&touch));
	ck_assert(zp_polygon_self_intersects(&pinch));
}
END_TEST

START_TEST(collinear_and_repeated_points_are_malformed)
{
	zp_polygon line3 = poly_of("0,0 5,0 10,0");       /* all on one line */
	zp_polygon fold = poly_of("0,0 10,0 5,0 5,5");    /* edge 10,0-5,0 folds back over 0,0-10,0 */
	zp_polygon overlap = poly_of("0,0 4,0 4,4 2,4 2,0 1,-3"); /* 2,0 lands on edge 0,0-4,0 */
	zp_polygon rep = poly_of("0,0 10,0 10,0 0,10");   /* zero-length edge */
	zp_polygon rep2 = poly_of("0,0 10,0 10,10 0,0");  /* closing point repeated */
	zp_polygon tiny;

	ck_assert(zp_polygon_self_intersects(&line3));
	ck_assert(zp_polygon_self_intersects(&fold));
	ck_assert(zp_polygon_self_intersects(&overlap));
	ck_assert(zp_polygon_self_intersects(&rep));
	ck_assert(zp_polygon_self_intersects(&rep2));
	tiny.n = 2;
	tiny.p[0] = (zp_pt){ 0, 0 };
	tiny.p[1] = (zp_pt){ 1, 1 };
	ck_assert(zp_polygon_self_intersects(&tiny));
}
END_TEST

START_TEST(inside_frame_limits)
{
	zp_polygon in = poly_of("0,0 639,0 639,479 0,479");
	zp_polygon out_x = poly_of("0,0 640,0 639,479");
	zp_polygon out_neg = poly_of("-0.5,0 10,0 10,10");

	ck_assert(zp_polygon_inside_frame(&in, 640, 480));
	ck_assert(!zp_polygon_inside_frame(&in, 639, 480));
	ck_assert(!zp_polygon_inside_frame(&in, 640, 479));
	ck_assert(!zp_polygon_inside_frame(&out_x, 640, 480));
	ck_assert(!zp_polygon_inside_frame(&out_neg, 640, 480));
}
END_TEST

START_TEST(parse_accepts_blanks_and_decimals)
{
	zp_polygon p;
	char err[128];

	ck_assert_int_eq(zp_polygon_parse("  1.5,2   3 , 4\t-5e1,+6  ", &p, err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(p.n, 3);
	ck_assert_double_eq(p.p[0].x, 1.5);
	ck_assert_double_eq(p.p[0].y, 2);
	ck_assert_double_eq(p.p[1].x, 3);
	ck_assert_double_eq(p.p[1].y, 4);
	ck_assert_double_eq(p.p[2].x, -50);
	ck_assert_double_eq(p.p[2].y, 6);
}
END_TEST

START_TEST(parse_errors)
{
	/* the text, and the message (NULL: only refused) */
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "", "expected at least 3 points as x,y" },
		{ "1,2 3,4", "expected at least 3 points as x,y" },
		{ "1,2 3;4 5,6", "expected x,y at point 2, got '3;4'" },
		{ "1,2 3,4 5", "expected x,y at point 3, got '5'" },
		{ "1,2,3,4,5,6", "expected x,y at point 1, got '1,2,3,4,5,6'" },
		{ "abc,1 1,2 3,4", "expected x,y at point 1, got 'abc,1'" },
		{ "1,2 nan,3 3,4", "expected x,y at point 2, got 'nan,3'" },
		{ "1,2 inf,3 3,4", "expected x,y at point 2, got 'inf,3'" },
		{ "1,2 0x10,3 3,4", "expected x,y at point 2, got '0x10,3'" },
		{ "1,2 3, 3,4", NULL },
		{ "1,2 1e400,3 3,4", NULL },
		{ "1,2 1e6,3 3,4", "coordinate out of range at point 2, got '1e+06,3' (expected -100000 to 100000)" },
	};
	zp_polygon p;
	char err[128];
	char many[1024] = "";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.n = 99;
		ck_assert_msg(zp_polygon_parse(bad[i].text, &p, err, sizeof(err)) == ZP_EINVAL, "'%s' parsed", bad[i].text);
		if (bad[i].err)
			ck_assert_str_eq(err, bad[i].err);
		ck_assert_int_eq(p.n, 99); /* untouched on error */
	}

	/* 32 points parse, 33 do not */
	for (int i = 0; i < ZP_MAX_POLY; i++)
		sprintf(many + strlen(many), "%d,%d ", i, i * i);
	ck_assert_int_eq(zp_polygon_parse(many, &p, err, sizeof(err)), ZP_OK);
	ck_assert_int_eq(p.n, ZP_MAX_POLY);
	strcat(many, "1,1");
	ck_assert_int_eq(zp_polygon_parse(many, &p, err, sizeof(err)), ZP_EINVAL);
	ck_assert_str_eq(err, "too many points (max 32)");
}
END_TEST

START_TEST(role_names)
{
	ck_assert_str_eq(zp_zone_role_name(ZP_ROLE_CROSSING), "crossing");
	ck_assert_str_eq(zp_zone_role_name(ZP_ROLE_WAITING), "waiting");
	ck_assert_str_eq(zp_zone_role_name((zp_zone_role)7), "unknown");
}
END_TEST

/*
 * The crossing rule on zone bitmasks. Zones: 0 kerb A, 1 road with sides
 * A -> B, 2 kerb B, 3 kerb C (a waiting zone of no crossing), 4 a second
 * road with its sides the other way, B -> A, 5 a crossing zone without
 * sides. Walk a path of `in` masks; *crossed accumulates.
 */
enum { KA = 1u << 0, ROAD = 1u << 1, KB = 1u << 2, KC = 1u << 3, ROAD2 = 1u << 4, BARE = 1u << 5 };

static void crossing_zones(zp_zone z[6])
{
	static const zp_zone_role roles[6] = { ZP_ROLE_WAITING, ZP_ROLE_CROSSING, ZP_ROLE_WAITING,
					       ZP_ROLE_WAITING, ZP_ROLE_CROSSING, ZP_ROLE_CROSSING };
	static const int sides[6][2] = { { -1, -1 }, { 0, 2 }, { -1, -1 }, { -1, -1 }, { 2, 0 }, { -1, -1 } };

	memset(z, 0, 6 * sizeof(*z));
	for (int k = 0; k < 6; k++) {
		z[k].role = roles[k];
		z[k].poly = poly_of("0,0 1,0 1,1");
		z[k].side[0] = sides[k][0];
		z[k].side[1] = sides[k][1];
	}
}

static void walk(const uint32_t *path, int n, int crossed[ZP_MAX_ZONES][2])
{
	zp_zone z[6];
	zp_crossing_memory m = { 0 };

	crossing_zones(z);
	memset(crossed, 0, ZP_MAX_ZONES * sizeof(crossed[0]));
	for (int i = 0; i < n; i++)
		zp_crossing_step(&m, z, 6, path[i], crossed);
}

#define WALK(crossed, ...)                                                                                             \
	do {                                                                                                           \
		const uint32_t path_[] = { __VA_ARGS__ };                                                              \
		walk(path_, (int)(sizeof(path_) / sizeof(path_[0])), crossed);                                         \
	} while (0)

START_TEST(crossing_needs_both_kerbs_and_the_road)
{
	int c[ZP_MAX_ZONES][2];

	WALK(c, KA, KA, 0, ROAD, ROAD, 0, KB); /* A, the road (a gap on the way), B: one forwards */
	ck_assert_int_eq(c[1][0], 1);
	ck_assert_int_eq(c[1][1], 0);
	WALK(c, KB, ROAD, KA); /* and back */
	ck_assert_int_eq(c[1][0], 0);
	ck_assert_int_eq(c[1][1], 1);
	WALK(c, KA, ROAD, ROAD, KA); /* out onto the road and back to the same kerb */
	ck_assert_int_eq(c[1][0] + c[1][1], 0);
	WALK(c, KA, 0, KB); /* from kerb to kerb without the road (another way round) */
	ck_assert_int_eq(c[1][0] + c[1][1], 0);
	WALK(c, ROAD, KB); /* from nowhere known */
	ck_assert_int_eq(c[1][0] + c[1][1], 0);
	WALK(c, KA, ROAD, KA, KB); /* back to A in between: the road was before the last kerb */
	ck_assert_int_eq(c[1][0] + c[1][1], 0);
	WALK(c, KA, ROAD, KB, ROAD, KA, ROAD, KB); /* three crossings */
	ck_assert_int_eq(c[1][0], 2);
	ck_assert_int_eq(c[1][1], 1);
}
END_TEST

START_TEST(crossing_overlap_other_kerbs_and_zones)
{
	int c[ZP_MAX_ZONES][2];

	WALK(c, KA | ROAD, KB); /* the road overlaps kerb A where he stood: still visited */
	ck_assert_int_eq(c[1][0], 1);
	WALK(c, KA, ROAD, KB | ROAD); /* he reaches B where it overlaps the road */
	ck_assert_int_eq(c[1][0], 1);
	WALK(c, KA, ROAD, KC, ROAD, KB); /* C is no side of the road: the memory starts at C */
	ck_assert_int_eq(c[1][0] + c[1][1], 0);
	WALK(c, KA, ROAD2, KB); /* the second road has its sides the other way */
	ck_assert_int_eq(c[4][1], 1);
	ck_assert_int_eq(c[4][0] + c[1][0] + c[1][1], 0);
	WALK(c, KA, ROAD | ROAD2, KB); /* through both roads at once: one crossing of each */
	ck_assert_int_eq(c[1][0], 1);
	ck_assert_int_eq(c[4][1], 1);
	WALK(c, KA, BARE, KB); /* a crossing zone without sides counts nothing */
	for (int k = 0; k < 6; k++)
		ck_assert_int_eq(c[k][0] + c[k][1], 0);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "polygon", .tests = ZP_TESTS(
			contains_square_inside_outside_edges,
			contains_concave_and_slanted,
			area_signed_shoelace,
			simple_polygons_do_not_self_intersect,
			bow_tie_self_intersects,
			touching_edges_self_intersect,
			collinear_and_repeated_points_are_malformed,
			inside_frame_limits,
			parse_accepts_blanks_and_decimals,
			parse_errors,
			role_names) },
		{ .name = "crossings", .tests = ZP_TESTS(
			crossing_needs_both_kerbs_and_the_road,
			crossing_overlap_other_kerbs_and_zones) },
	};

	return zp_test_run(ZP_TEST_SUITE("calibration", cases));
}
