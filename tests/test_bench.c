/* SPDX-License-Identifier: MIT */
/*
 * Smoke tests of `zebrapad bench`: the real binary on a few frames of
 * vtest.avi prints every row (each SIMD path this CPU runs, the whole
 * detector, OpenCV MOG2, KNN and CNT, the memcpy floor), the memory figures and
 * the targets, as text and as JSON; bad input is refused with exit 2 and one
 * line. No timing is asserted (benchmarks are not tests); the detector's
 * state size at 640x480 is a size, so its 8 MiB budget is.
 */
#include "zp_test.h"
#include "zp_exec.h"
#include "models.h"
#include "bench_suite.h"

#include <string.h>

/* `zebrapad bench ARGS...` (NULL-terminated); stdout and stderr captured. */
#define run_bench(r, ...) zp_exec_zebrapad(r, NULL, "bench", __VA_ARGS__)

/* The line of text that starts with `prefix` (at a line start), or NULL. */
static const char *line_starting(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, prefix, n))
			return p;
	return NULL;
}

/*
 * A table row: `name` (padded), the pixels column (`pixels`, then " work" for
 * work-resolution rows), then ms/frame, min, max and ns/px, all > 0 and
 * min <= median <= max.
 */
static void check_row(const char *out, const char *name, const char *pixels)
{
	char pix[64], ms[32], mn[32], mx[32], ns[32];
	const char *p = out;

	for (; (p = line_starting(p, name)) != NULL; p = strchr(p, '\n')) {
		const char *rest = p + strlen(name);

		rest += strspn(rest, " ");
		ck_assert_int_eq(sscanf(rest, "%63s", pix), 1);
		if (strcmp(pix, pixels) != 0)
			continue;
		rest += strlen(pix);
		if (!strncmp(rest, " work", 5))
			rest += 5;
		ck_assert_int_eq(sscanf(rest, "%31s %31s %31s %31s", ms, mn, mx, ns), 4);
		ck_assert_msg(atof(ms) > 0 && atof(mn) > 0 && atof(mx) > 0 && atof(ns) > 0, "row '%s %s': %s %s %s %s",
			      name, pixels, ms, mn, mx, ns);
		ck_assert_msg(atof(mn) <= atof(ms) && atof(ms) <= atof(mx), "row '%s %s': min %s median %s max %s", name,
			      pixels, mn, ms, mx);
		return;
	}
	ck_abort_msg("no row '%s' at %s in:\n%s", name, pixels, out);
}

/* The line holding `text`, copied into buf (without the newline); false when absent. */
static bool line_with(const char *out, const char *text, char *buf, size_t size)
{
	const char *p = strstr(out, text), *b, *e;

	if (!p)
		return false;
	for (b = p; b > out && b[-1] != '\n'; b--)
		;
	e = strchr(p, '\n');
	if (!e)
		e = p + strlen(p);
	snprintf(buf, size, "%.*s", (int)(e - b), b);
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

static const zp_simd paths[] = { ZP_SIMD_SCALAR, ZP_SIMD_SSE2, ZP_SIMD_AVX2, ZP_SIMD_NEON };

/*
 * A row of the camera conversions' table: `name` (padded), then ms/frame,
 * min, max, ns/px, x scalar and x OpenCV, all > 0, min <= median <= max;
 * x scalar is 1 on the scalar rows and x OpenCV on OpenCV's.
 */
static void check_yuv_row(const char *out, const char *name, bool scalar, bool opencv)
{
	const char *p = line_starting(out, name);
	double ms, mn, mx, ns, xs, xo;

	ck_assert_msg(p != NULL, "no row '%s' in:\n%s", name, out);
	ck_assert_int_eq(sscanf(p + strlen(name), "%lf %lf %lf %lf %lf %lf", &ms, &mn, &mx, &ns, &xs, &xo), 6);
	ck_assert_msg(ms > 0 && mn > 0 && mx > 0 && ns > 0 && xs > 0 && xo > 0, "row '%s': %g %g %g %g %g %g", name, ms,
		      mn, mx, ns, xs, xo);
	ck_assert_msg(mn <= ms && ms <= mx, "row '%s': min %g median %g max %g", name, mn, ms, mx);
	if (scalar)
		ck_assert_double_eq_tol(xs, 1.0, 1e-9);
	if (opencv)
		ck_assert_double_eq_tol(xo, 1.0, 1e-9);
}

START_TEST(text_has_every_row)
{
	const char *vtest = zp_test_vtest();
	struct zp_exec r;
	char name[64];
	int navail = 0;

	if (!vtest)
		return;
	run_bench(&r, vtest, "--frames", "20", "--reps", "1", NULL);
	ck_assert_msg(r.code == 0, "exit %d, stderr: %s", r.code, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "20 frames of 768x576 grey decoded into memory; 1 repetition,"));
	ck_assert_ptr_nonnull(strstr(r.out, "pinned to CPU"));
	ck_assert_ptr_nonnull(strstr(r.out, "scale 2 (work 384x288)"));
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(name, sizeof(name), "model update %s ", zp_simd_name(paths[i]));
		if (!zp_simd_available(paths[i])) {
			ck_assert_msg(!line_starting(r.out, name), "row for %s, which this CPU lacks", name);
			continue;
		}
		navail++;
		check_row(r.out, name, "768x576");
		check_row(r.out, name, "384x288");
		snprintf(name, sizeof(name), "detector (whole) %s ", zp_simd_name(paths[i]));
		check_row(r.out, name, "768x576->384x288");
		snprintf(name, sizeof(name), "YUYV->luma %s ", zp_simd_name(paths[i]));
		check_yuv_row(r.out, name, i == 0, false);
		snprintf(name, sizeof(name), "YUYV->luma+BGR %s ", zp_simd_name(paths[i]));
		check_yuv_row(r.out, name, i == 0, false);
	}
	check_yuv_row(r.out, "YUYV->luma OpenCV ", false, true);
	check_yuv_row(r.out, "YUYV->luma+BGR OpenCV ", false, true);
	ck_assert_ptr_nonnull(strstr(r.out, "one 640x480 YUYV frame"));
	ck_assert_int_ge(navail, 2); /* scalar and at least one SIMD path on x86-64 and aarch64 */
	check_row(r.out, "OpenCV MOG2 apply ", "768x576");
	check_row(r.out, "OpenCV KNN apply ", "768x576");
	check_row(r.out, "OpenCV CNT apply ", "768x576");
	check_row(r.out, "memcpy floor (model bytes) ", "768x576");
	check_row(r.out, "memcpy floor (model bytes) ", "384x288");
	ck_assert_ptr_nonnull(line_starting(r.out, "memory: detector state "));
	ck_assert_ptr_nonnull(strstr(r.out, "at 640x480"));
	ck_assert_ptr_nonnull(
		strstr(r.out, "run-like process (fresh process: source -> detector, one frame at a time, 20 frames)"));
	ck_assert_ptr_nonnull(strstr(r.out, "before the source was opened"));
	ck_assert_ptr_nonnull(line_starting(r.out, "targets:"));
	{
		static const char *const tg[] = { "model update (best path, full resolution) x faster than MOG2 apply",
						  "whole detector (best path) x faster than MOG2 apply",
						  "whole detector (best path) x faster than CNT apply",
						  "model update (best path, full resolution) x the memcpy floor",
						  "detector state at 640x480, MiB" };
		char line[256];

		for (size_t i = 0; i < sizeof(tg) / sizeof(tg[0]); i++) {
			ck_assert_msg(line_with(r.out, tg[i], line, sizeof(line)), "no target line '%s'", tg[i]);
			ck_assert_msg(ends_with(line, " holds") || ends_with(line, " DOES NOT HOLD"),
				      "target line without a verdict: %s", line);
		}
		/* a size, not a timing: this one must hold */
		ck_assert(line_with(r.out, tg[4], line, sizeof(line)));
		ck_assert_msg(ends_with(line, " holds"), "%s", line);
	}
	zp_exec_free(&r);
}
END_TEST

/* The number after "key": in JSON text, from `from` on; NaN when missing. */
static double json_num(const char *from, const char *key, const char **next)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(from, pat);
	if (!p)
		return 0.0 / 0.0;
	p += strlen(pat);
	if (next)
		*next = p;
	return strtod(p, NULL);
}

START_TEST(json_output)
{
	const char *vtest = zp_test_vtest();
	const char *p;
	struct zp_exec r;
	int rows = 0, navail = 0, models = 0, converts = 0;
	double v;

	if (!vtest)
		return;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		navail += zp_simd_available(paths[i]);
	run_bench(&r, vtest, "--frames", "12", "--reps", "2", "--json", NULL);
	ck_assert_msg(r.code == 0, "exit %d, stderr: %s", r.code, r.err);
	ck_assert_msg(r.out[0] == '{' && strstr(r.out, "}\n") == r.out + strlen(r.out) - 2, "not one object: %s",
		      r.out);
	ck_assert_double_eq(json_num(r.out, "frames", NULL), 12);
	ck_assert_double_eq(json_num(r.out, "reps", NULL), 2);
	ck_assert_double_eq(json_num(r.out, "width", NULL), 768);
	ck_assert_double_eq(json_num(r.out, "work_width", NULL), 384);
	ck_assert_double_eq(json_num(r.out, "runlike_frames", NULL), 12);
	ck_assert_ptr_nonnull(strstr(r.out, "\"config\":null"));
	v = json_num(r.out, "state_bytes_640x480", NULL);
	ck_assert_msg(v > 100000 && v <= 8.0 * 1024 * 1024, "state at 640x480: %g bytes", v);
	ck_assert_double_gt(json_num(r.out, "runlike_start_rss_kib", NULL), 0);
	ck_assert_double_gt(json_num(r.out, "runlike_peak_rss_kib", NULL),
			    json_num(r.out, "runlike_start_rss_kib", NULL));
	ck_assert_double_gt(json_num(r.out, "peak_rss_kib", NULL), json_num(r.out, "runlike_peak_rss_kib", NULL));
	for (p = r.out; (p = strstr(p, "\"kind\":\"")) != NULL; p++) {
		const char *q = p;

		rows++;
		models += !strncmp(p + 8, "model\"", 6);
		if (!strncmp(p + 8, "convert\"", 8)) {
			converts++;
			ck_assert_double_gt(json_num(p, "x_scalar", NULL), 0);
			ck_assert_double_gt(json_num(p, "x_opencv", NULL), 0);
		}
		ck_assert_double_gt(json_num(p, "ms_per_frame", &q), 0);
		ck_assert_double_gt(json_num(p, "ns_per_pixel", NULL), 0);
		/* two repetitions listed */
		q = strstr(q, "\"ms_reps\":[");
		ck_assert_ptr_nonnull(q);
		ck_assert_ptr_nonnull(strchr(q, ','));
		ck_assert_ptr_eq(strchr(strchr(q, ',') + 1, ']'), strchr(q, ']'));
	}
	ck_assert_int_eq(models, 2 * navail);
	ck_assert_int_eq(converts, 2 * (navail + 1)); /* luma and luma+BGR: every path and OpenCV */
	ck_assert_int_eq(rows, 2 * navail + navail + 3 + 2 + converts);
	ck_assert_ptr_nonnull(strstr(r.out, "\"output\":\"luma+bgr\",\"opencv\":true"));
	ck_assert_ptr_nonnull(strstr(r.out, "\"model\":\"mog2\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"model\":\"knn\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"model\":\"cnt\""));
	ck_assert_int_eq((int)(strstr(r.out, "\"targets\":[") != NULL), 1);
	zp_exec_free(&r);
}
END_TEST

START_TEST(with_config)
{
	const char *vtest = zp_test_vtest();
	const char *src = getenv("ZP_SOURCE_DIR");
	char cfg[1024];
	struct zp_exec r;

	if (!vtest)
		return;
	snprintf(cfg, sizeof(cfg), "%s/examples/vtest.ini", src ? src : "..");
	run_bench(&r, vtest, "--frames", "8", "--reps", "1", "-c", cfg, NULL);
	ck_assert_msg(r.code == 0, "exit %d, stderr: %s", r.code, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, cfg));
	zp_exec_free(&r);
}
END_TEST

/*
 * The SIMD path is read from ZEBRAPAD_SIMD once, by main, and handed to the command: with it set to
 * scalar the bench's "best" path is scalar; without it, the CPU's best. The source given as --source.
 */
START_TEST(simd_path_from_main)
{
	static const char *const scalar_env[] = { "ZEBRAPAD_SIMD=scalar", NULL };
	const char *vtest = zp_test_vtest();
	char want[64];
	struct zp_exec r;

	if (!vtest)
		return;
	zp_exec_zebrapad(&r, scalar_env, "bench", "--source", vtest, "--frames", "4", "--reps", "1", "--json", NULL);
	ck_assert_msg(r.code == 0, "exit %d, stderr: %s", r.code, r.err);
	ck_assert_msg(strstr(r.out, "\"best_path\":\"scalar\""), "%s", r.out);
	zp_exec_free(&r);
	if (zp_simd_choose(NULL) == ZP_SIMD_SCALAR)
		return; /* nothing faster here to tell apart */
	unsetenv("ZEBRAPAD_SIMD");
	run_bench(&r, "--source", vtest, "--frames", "4", "--reps", "1", "--json", NULL);
	ck_assert_msg(r.code == 0, "exit %d, stderr: %s", r.code, r.err);
	snprintf(want, sizeof(want), "\"best_path\":\"%s\"", zp_simd_name(zp_simd_choose(NULL)));
	ck_assert_msg(strstr(r.out, want), "expected %s in %s", want, r.out);
	zp_exec_free(&r);
}
END_TEST

/* Bad input: exit 2 and one line on stderr naming what is wrong. */
static void check_refused(const char *a1, const char *a2, const char *a3, const char *expect)
{
	struct zp_exec r;

	run_bench(&r, a1, a2, a3, NULL);
	ck_assert_msg(r.code == 2, "%s %s: exit %d", a1, a2 ? a2 : "", r.code);
	ck_assert_msg(strstr(r.err, expect) != NULL, "expected '%s' in: %s", expect, r.err);
	ck_assert_msg(!strncmp(r.err, "zebrapad bench: ", 16), "stderr: %s", r.err);
	ck_assert_str_eq(r.out, "");
	zp_exec_free(&r);
}

START_TEST(bad_input)
{
	check_refused("/nonexistent/video.avi", NULL, NULL, "/nonexistent/video.avi");
	check_refused("--frames", "abc", NULL, "--frames: expected an integer");
	check_refused("--reps", "0", NULL, "--reps: expected an integer from 1 to 100");
	check_refused("a.avi", "b.avi", NULL, "expected one SOURCE, got 2 arguments");
	check_refused("--source", "a.avi", "b.avi", "SOURCE given twice: --source a.avi and 'b.avi'");
	check_refused("--config", "/nonexistent/site.ini", NULL, "/nonexistent/site.ini");
}
END_TEST

/*
 * The decoded frames are capped in bytes: a long recording stops at the
 * budget (a 28-minute one took 9 GB), says so, and what was decoded is kept.
 */
START_TEST(frames_capped_by_memory)
{
	const char *vtest = zp_test_vtest();
	const size_t frame = 768 * 576;
	zp_bench_frames fr;
	char err[256];

	if (!vtest)
		return;
	ck_assert_int_eq(zp_bench_frames_load(&fr, vtest, 0, 40 * frame + frame / 2, err, sizeof(err)), 0);
	ck_assert_int_eq(fr.n, 40);
	ck_assert(fr.capped);
	zp_bench_frames_free(&fr);
	ck_assert_int_eq(zp_bench_frames_load(&fr, vtest, 30, 40 * frame, err, sizeof(err)), 0);
	ck_assert_int_eq(fr.n, 30); /* --frames first: not capped */
	ck_assert(!fr.capped);
	zp_bench_frames_free(&fr);
	ck_assert_uint_ge(zp_bench_frames_budget(), (size_t)64 << 20);
}
END_TEST

static Suite *bench_suite(void)
{
	Suite *s = suite_create("bench");
	TCase *tc = tcase_create("bench");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, text_has_every_row);
	tcase_add_test(tc, json_output);
	tcase_add_test(tc, with_config);
	tcase_add_test(tc, simd_path_from_main);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, frames_capped_by_memory);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return zp_test_run(bench_suite());
}
