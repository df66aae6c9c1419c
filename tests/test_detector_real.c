/* SPDX-License-Identifier: MIT */
/*
 * Detector on real video: opencv-doc's vtest.avi (PETS 2009 S2.L1 view 1,
 * 795 frames 768x576 at 10 fps, people walking across a road seen from
 * above), read through capture/. Skips with a message when the file is not
 * installed. Separate from test_detector so the core suite does not depend
 * on capture/ or OpenCV.
 */
#include "zp_test.h"
#include "zp_detector_test.h"
#include "capture.h"
#include "detector.h"

#include <stdlib.h>
#include <string.h>

#define MAXF 800

struct run_stats {
	int frames, after_warmup;
	int with_person;         /* frames after warm-up with >= 1 confirmed track */
	int health_ok;           /* frames after warm-up with health OK */
	int person_blobs, blobs; /* blobs after warm-up; those of person shape and size */
	int max_id;
	long confirmed_sum;
	int zone_count[MAXF];    /* per frame, for the determinism check */
};

static void run_vtest(const char *path, int scale, struct run_stats *st)
{
	char err[256];
	int ec, w, h;
	zp_source *s = zp_source_open_file(path, 0, &ec, err, sizeof(err));
	zp_detector_params p;
	zp_detector *d;
	zp_zone z;
	zp_frame f;
	zp_result r;

	ck_assert_msg(s != NULL, "%s", err);
	zp_source_size(s, &w, &h);
	zp_detector_params_default(&p);
	p.scale = scale;
	z = zp_test_rect_zone("", 0, 0, w - 1, h - 1);
	d = zp_test_detector_new(&p, &z, 1, w, h);
	memset(st, 0, sizeof(*st));
	while (zp_source_next(s, &f, 0) == 0 && st->frames < MAXF) {
		zp_rect boxes[ZP_MAX_BLOBS];
		int nb, c = 0;

		ck_assert_int_eq(zp_detector_process(d, &f, &r), 0);
		st->zone_count[st->frames++] = r.zone_count[0];
		for (int k = 0; k < r.ntracks; k++) {
			c += r.tracks[k].confirmed;
			if (r.tracks[k].id > st->max_id)
				st->max_id = r.tracks[k].id;
		}
		ck_assert_int_eq(c, r.zone_count[0]); /* the zone is the whole frame */
		if (st->frames <= p.warmup_frames + 10)
			continue;
		st->after_warmup++;
		st->with_person += c > 0;
		st->confirmed_sum += c;
		st->health_ok += r.health == ZP_HEALTH_OK;
		nb = zp_detector_blobs(d, boxes, ZP_MAX_BLOBS);
		for (int i = 0; i < nb; i++) {
			/* a person here: 40..200 px tall, taller than wide (groups of two may be square) */
			st->blobs++;
			st->person_blobs += boxes[i].h >= 40 && boxes[i].h <= 200 && boxes[i].w <= boxes[i].h * 1.2;
		}
	}
	zp_detector_free(d);
	zp_source_free(s);
}

static void check_stats(const struct run_stats *st, int scale)
{
	fprintf(stderr,
		"vtest scale %d: %d frames; after warm-up %d: person found %.1f %%, health ok %.1f %%, "
		"person-shaped blobs %.1f %% of %d, mean confirmed tracks %.2f, ids used %d\n",
		scale, st->frames, st->after_warmup, 100.0 * st->with_person / st->after_warmup,
		100.0 * st->health_ok / st->after_warmup, 100.0 * st->person_blobs / st->blobs, st->blobs,
		(double)st->confirmed_sum / st->after_warmup, st->max_id);
	ck_assert_int_eq(st->frames, 795);
	/* People walk through almost the whole clip. */
	ck_assert_int_ge(st->with_person * 100, st->after_warmup * 85);
	ck_assert_int_ge(st->health_ok * 100, st->after_warmup * 95);
	ck_assert_int_ge(st->person_blobs * 100, st->blobs * 75);
	/* 3..8 people are in view most of the time; tracks must not shatter into hundreds of ids. */
	ck_assert_int_ge(st->confirmed_sum, 2L * st->after_warmup);
	ck_assert_int_le(st->confirmed_sum, 10L * st->after_warmup);
	ck_assert_int_le(st->max_id, 120);
}

START_TEST(vtest_people_found)
{
	const char *path = zp_test_vtest();
	static struct run_stats a, b;

	if (!path)
		return;
	run_vtest(path, 2, &a);
	check_stats(&a, 2);
	/* Same file again: the same counts, frame for frame. */
	run_vtest(path, 2, &b);
	ck_assert_int_eq(memcmp(a.zone_count, b.zone_count, sizeof(a.zone_count)), 0);
}
END_TEST

START_TEST(vtest_scale_1_and_4)
{
	const char *path = zp_test_vtest();
	static struct run_stats a;

	if (!path)
		return;
	run_vtest(path, 1, &a);
	check_stats(&a, 1);
	run_vtest(path, 4, &a);
	check_stats(&a, 4);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "vtest", .timeout_s = 300, .tests = ZP_TESTS(
			vtest_people_found,
			vtest_scale_1_and_4) },
	};

	return zp_test_run(ZP_TEST_SUITE("detector_real", cases));
}
