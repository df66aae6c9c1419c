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

#include <cjson/cJSON.h>
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

/* The number at key of o (cJSON); fails the test when it is missing or not a number. */
static double jnum(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	ck_assert_msg(cJSON_IsNumber(v), "\"%s\" is not a number", key);
	return v->valuedouble;
}

START_TEST(json_output)
{
	const char *vtest = zp_test_vtest();
	const cJSON *row, *reps;
	struct zp_exec r;
	int rows = 0, navail = 0, models = 0, cv = 0, converts = 0, luma_bgr_cv = 0;
	cJSON *j;
	double v;

	if (!vtest)
		return;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		navail += zp_simd_available(paths[i]);
	run_bench(&r, vtest, "--frames", "12", "--reps", "2", "--json", NULL);
	ck_assert_msg(r.code == 0, "exit %d, stderr: %s", r.code, r.err);
	j = cJSON_Parse(r.out);
	ck_assert_msg(cJSON_IsObject(j), "not one JSON object: %s", r.out);
	ck_assert_double_eq(jnum(j, "frames"), 12);
	ck_assert_double_eq(jnum(j, "reps"), 2);
	ck_assert_double_eq(jnum(j, "width"), 768);
	ck_assert_double_eq(jnum(j, "work_width"), 384);
	ck_assert_double_eq(jnum(j, "runlike_frames"), 12);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "config")));
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "source")->valuestring, vtest);
	v = jnum(j, "state_bytes_640x480");
	ck_assert_msg(v > 100000 && v <= 8.0 * 1024 * 1024, "state at 640x480: %g bytes", v);
	ck_assert_double_gt(jnum(j, "runlike_start_rss_kib"), 0);
	ck_assert_double_gt(jnum(j, "runlike_peak_rss_kib"), jnum(j, "runlike_start_rss_kib"));
	ck_assert_double_gt(jnum(j, "peak_rss_kib"), jnum(j, "runlike_peak_rss_kib"));
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(j, "rows")) {
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "kind"));
		const char *model = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "model"));

		ck_assert_ptr_nonnull(kind);
		rows++;
		models += !strcmp(kind, "model");
		if (!strcmp(kind, "opencv")) {
			ck_assert_ptr_nonnull(model);
			cv += !strcmp(model, "mog2") || !strcmp(model, "knn") || !strcmp(model, "cnt");
		}
		if (!strcmp(kind, "convert")) {
			const char *output = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "output"));

			converts++;
			ck_assert_ptr_nonnull(output);
			luma_bgr_cv += !strcmp(output, "luma+bgr") &&
				       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "opencv"));
			ck_assert_double_gt(jnum(row, "x_scalar"), 0);
			ck_assert_double_gt(jnum(row, "x_opencv"), 0);
		}
		ck_assert_double_gt(jnum(row, "ms_per_frame"), 0);
		ck_assert_double_gt(jnum(row, "ns_per_pixel"), 0);
		/* two repetitions listed */
		reps = cJSON_GetObjectItemCaseSensitive(row, "ms_reps");
		ck_assert(cJSON_IsArray(reps));
		ck_assert_int_eq(cJSON_GetArraySize(reps), 2);
		ck_assert(cJSON_IsNumber(cJSON_GetArrayItem(reps, 0)));
	}
	ck_assert_int_eq(models, 2 * navail);
	ck_assert_int_eq(converts, 2 * (navail + 1)); /* luma and luma+BGR: every path and OpenCV */
	ck_assert_int_eq(luma_bgr_cv, 1);
	ck_assert_int_eq(rows, 2 * navail + navail + 3 + 2 + converts);
	ck_assert_int_eq(cv, 3);
	ck_assert_int_gt(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "targets")), 0);
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(j, "targets")) {
		ck_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(row, "what")));
		ck_assert(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(row, "holds")));
	}
	cJSON_Delete(j);
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
	struct zp_exec r;
	cJSON *j;

	if (!vtest)
		return;
	zp_exec_zebrapad(&r, scalar_env, "bench", "--source", vtest, "--frames", "4", "--reps", "1", "--json", NULL);
	ck_assert_msg(r.code == 0, "exit %d, stderr: %s", r.code, r.err);
	j = cJSON_Parse(r.out);
	ck_assert_msg(j != NULL, "not JSON: %s", r.out);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "best_path")), "scalar");
	cJSON_Delete(j);
	zp_exec_free(&r);
	if (zp_simd_choose(NULL) == ZP_SIMD_SCALAR)
		return; /* nothing faster here to tell apart */
	unsetenv("ZEBRAPAD_SIMD");
	run_bench(&r, "--source", vtest, "--frames", "4", "--reps", "1", "--json", NULL);
	ck_assert_msg(r.code == 0, "exit %d, stderr: %s", r.code, r.err);
	j = cJSON_Parse(r.out);
	ck_assert_msg(j != NULL, "not JSON: %s", r.out);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "best_path")),
			 zp_simd_name(zp_simd_choose(NULL)));
	cJSON_Delete(j);
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

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "bench", .timeout_s = 600, .tests = ZP_TESTS(
			text_has_every_row,
			json_output,
			with_config,
			simd_path_from_main,
			bad_input,
			frames_capped_by_memory) },
	};

	return zp_test_run(ZP_TEST_SUITE("bench", cases));
}
