/* SPDX-License-Identifier: MIT */
/*
 * Check suite for `zebrapad tune`'s safe tuning, end to end on a recording
 * the test writes itself (a MOTChallenge sequence folder: img1/, gt/gt.txt):
 *
 *  - a run that scores better but misses a presence episode is not
 *    recommended (and is marked in the table and runs.csv);
 *  - person size limits that would miss a child are refused, one line
 *    naming the key, unless --allow-no-children;
 *  - a best value at the edge of its grid is flagged;
 *  - --holdout-from ranks on the frames before and scores the rest apart,
 *    exactly as `zebrapad eval --start-frame` scores them;
 *  - SIGINT stops the sweep and leaves the runs done in runs.csv;
 *  - SOURCE is found as eval finds it (a folder with gt/gt.txt and a video).
 *
 * The scene: a textured still background; person A, bright, walks in zone
 * "left" (frames 10-25); an unannotated faint object moves in zone "right"
 * (frames 32-47: false presence for a low threshold); person B, faint, walks
 * in zone "left" (frames 55-70). Threshold 20 sees all three, threshold 70
 * only A.
 */
#include "zp_test.h"
#include "zp_exec.h"
#include "cvwrap.h"

#include <cjson/cJSON.h>

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define W 160
#define H 120
#define NFRAMES 80
#define PW 10
#define PH 20

static char g_tmp[256];
static const char *const env[] = { "ASAN_OPTIONS=detect_leaks=0", NULL };

/* A file in the test's temporary folder, the name printf-style. */
#define tp(...) zp_test_path(g_tmp, __VA_ARGS__)

static void setup(void)
{
	zp_test_tmpdir_make(g_tmp, sizeof(g_tmp), "tune");
}

static void teardown(void)
{
	zp_test_tmpdir_remove(g_tmp);
}

/* A box drawn over the background: bright (250) or the background plus 45. */
static void draw(uint8_t *img, const uint8_t *bg, int x0, int y0, bool bright)
{
	for (int y = y0; y < y0 + PH; y++)
		for (int x = x0; x < x0 + PW; x++)
			for (int c = 0; c < 3; c++)
				img[(y * W + x) * 3 + c] = bright ? 250 : (uint8_t)(bg[(y * W + x) * 3 + c] + 45);
}

static const char *const SITE =
	"[detector]\nscale = 1\nwarmup_frames = 5\nthreshold = 20\nmin_area = 40\nmax_area = 4000\n"
	"[zone left]\nrole = waiting\npolygon = 0,0 79,0 79,119 0,119\n"
	"[zone right]\nrole = crossing\npolygon = 80,0 159,0 159,119 80,119\n";

static void make_scene(void)
{
	static uint8_t bg[W * H * 3], img[W * H * 3];
	uint32_t seed = 5;
	char err[256];
	FILE *gt;

	for (int i = 0; i < W * H * 3; i++) {
		seed = seed * 1103515245u + 12345u;
		bg[i] = (uint8_t)(60 + ((seed >> 16) % 60));
	}
	gt = zp_test_mot_seq(g_tmp, "seq");
	for (int f = 1; f <= NFRAMES; f++) {
		memcpy(img, bg, sizeof(img));
		if (f >= 10 && f <= 25) { /* A: bright, left zone, walking right */
			int x = 15 + 2 * (f - 10);

			draw(img, bg, x, 60, true);
			fprintf(gt, "%d,1,%d,60,%d,%d,1,-1,-1,-1\n", f, x, PW, PH);
		}
		if (f >= 32 && f <= 47) /* not annotated: faint, right zone */
			draw(img, bg, 95 + 2 * (f - 32), 60, false);
		if (f >= 55 && f <= 70) { /* B: faint, left zone */
			int x = 15 + 2 * (f - 55);

			draw(img, bg, x, 60, false);
			fprintf(gt, "%d,2,%d,60,%d,%d,1,-1,-1,-1\n", f, x, PW, PH);
		}
		ck_assert_msg(zp_cv_imwrite(tp("seq/img1/%06d.png", f), img, W, H, W * 3, 3, err, sizeof(err)) == 0, "%s",
			      err);
	}
	/* the annotation covers every frame (the last ones are empty) */
	fclose(gt);
	zp_test_write_text(tp("seq/seqinfo.ini"), "[Sequence]\nframeRate=25\nseqLength=80\n");
	zp_test_write_text(tp("site.ini"), SITE);
}

static void tune(struct zp_exec *r, ...)
{
	char *argv[ZP_EXEC_MAX_ARGS];
	int n = 0;
	va_list ap;

	argv[n++] = (char *)zp_exec_zebrapad_path();
	argv[n++] = "tune";
	argv[n++] = "-c";
	argv[n++] = (char *)tp("site.ini");
	argv[n++] = "-s";
	argv[n++] = (char *)tp("seq");
	argv[n++] = "--out-dir";
	argv[n++] = (char *)tp("out");
	argv[n++] = "--jobs";
	argv[n++] = "2";
	va_start(ap, r);
	while ((argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	zp_exec_argv(r, env, argv);
}

/* The runs.csv row of run `run`, split at commas into f (at most max fields); returns the field count. */
static int csv_row(const char *path, int run, char f[][64], int max, char header[][64])
{
	char *text = zp_test_slurp(path, NULL), *line, *save = NULL;
	int n = 0, row = -1;

	ck_assert_ptr_nonnull(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), row++) {
		char *p = line;
		int k = 0;

		if (row != -1 && row != run)
			continue;
		for (;;) {
			char *c = strchr(p, ',');
			size_t len = c ? (size_t)(c - p) : strlen(p);

			if (k < max)
				snprintf(row == -1 ? header[k] : f[k], 64, "%.*s", (int)len, p);
			k++;
			if (!c)
				break;
			p = c + 1;
		}
		if (row == run)
			n = k;
	}
	free(text);
	return n;
}

/* The value of column `name` in run `run` of runs.csv ("" when absent). */
static const char *csv_get(const char *path, int run, const char *name)
{
	static char f[96][64], header[96][64];
	int n = csv_row(path, run, f, 96, header);

	for (int i = 0; i < n && i < 96; i++)
		if (!strcmp(header[i], name))
			return f[i];
	return "";
}

/* A cell of runs.csv the test expects: the run, the column and the text. */
struct csv_cell {
	int run;
	const char *name, *want;
};

static void assert_cells(const char *csv, const struct csv_cell *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(!strcmp(csv_get(csv, c[i].run, c[i].name), c[i].want), "run %d %s: '%s', expected '%s'",
			      c[i].run, c[i].name, csv_get(csv, c[i].run, c[i].name), c[i].want);
}

START_TEST(unsafe_run_not_recommended)
{
	/* threshold 70 misses person B, so it is marked unsafe; the others are not */
	static const struct csv_cell unsafe[] = { { 2, "missed", "1" }, { 0, "missed", "0" }, { 2, "unsafe", "yes" },
						  { 1, "unsafe", "no" }, { 0, "unsafe", "no" } };
	struct zp_exec r;
	char csv[600];

	make_scene();
	tune(&r, "--grid", "threshold=20,70", "--metric", "presence_precision", NULL);
	ck_assert_msg(r.code == 0, "exit %d\n%s%s", r.code, r.out, r.err);
	zp_strlcpy(csv, tp("out/runs.csv"), sizeof(csv));
	/* threshold 70 has the better precision (no false presence) but misses person B: unsafe */
	ck_assert_str_eq(csv_get(csv, 2, "threshold"), "70");
	ck_assert_msg(atof(csv_get(csv, 2, "score_presence_precision")) > atof(csv_get(csv, 0, "score_presence_precision")),
		      "the scene no longer tempts: %s vs %s\n%s", csv_get(csv, 2, "score_presence_precision"),
		      csv_get(csv, 0, "score_presence_precision"), r.out);
	assert_cells(csv, unsafe, sizeof(unsafe) / sizeof(unsafe[0]));
	ck_assert_msg(strstr(r.out, "is never recommended: 1 such run\n"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "(unsafe: not recommended)"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "no combination beat it"), "%s", r.out);
	/* best.ini keeps threshold 20 and says why */
	{
		char *best = zp_test_slurp(tp("out/best.ini"), NULL);

		ck_assert_ptr_nonnull(best);
		ck_assert_msg(strstr(best, "; safety: no run that misses more presence episodes"), "%s", best);
		ck_assert_msg(strstr(best, "threshold = 20\n") && !strstr(best, "threshold = 70"), "%s", best);
		/* ... and that 20 is the low edge of the grid */
		ck_assert_msg(strstr(best, "; note: the best threshold (20) is at the low edge of its grid 20,70"), "%s", best);
		free(best);
	}
	ck_assert_msg(strstr(r.out, "note: the best threshold (20) is at the low edge of its grid 20,70: the best value "
				    "may lie beyond it; widen the grid\n"), "%s", r.out);
	zp_exec_free(&r);

	/* a best value inside its grid: no note */
	tune(&r, "--grid", "threshold=10,20,70", "--metric", "presence_recall", NULL);
	ck_assert_msg(r.code == 0, "exit %d\n%s%s", r.code, r.out, r.err);
	if (!strcmp(csv_get(tp("out/runs.csv"), 0, "score_presence_recall"),
		    csv_get(tp("out/runs.csv"), 1, "score_presence_recall")))
		ck_assert_msg(!strstr(r.out, "edge of its grid"), "%s", r.out);
	zp_exec_free(&r);
}
END_TEST

START_TEST(children_refused)
{
	struct zp_exec r;

	make_scene();
	tune(&r, "--grid", "person_min_height_m=0.6:1.2:0.2", NULL);
	ck_assert_msg(r.code == 2, "exit %d\n%s", r.code, r.err);
	ck_assert_msg(strstr(r.err, "person_min_height_m 1.2 m is above 1.0 m: a child of 5-6 years") &&
			      strstr(r.err, "--allow-no-children"), "%s", r.err);
	ck_assert_ptr_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);
	ck_assert_int_ne(access(tp("out/runs.csv"), F_OK), 0);
	zp_exec_free(&r);
	tune(&r, "--grid", "person_min_width_m=0.3,0.55", NULL);
	ck_assert_int_eq(r.code, 2);
	ck_assert_msg(strstr(r.err, "person_min_width_m 0.55 m is above 0.5 m"), "%s", r.err);
	zp_exec_free(&r);
	/* 1.0 and 0.5 themselves are allowed */
	tune(&r, "--grid", "person_min_height_m=0.8,1.0", "--grid", "person_min_width_m=0.5", NULL);
	ck_assert_msg(r.code == 0, "exit %d\n%s", r.code, r.err);
	zp_exec_free(&r);
	/* --allow-no-children: runs */
	tune(&r, "--grid", "person_min_height_m=0.6:1.2:0.2", "--allow-no-children", NULL);
	ck_assert_msg(r.code == 0, "exit %d\n%s", r.code, r.err);
	zp_exec_free(&r);
	/* the config as given with such a limit */
	zp_test_write_text(tp("site.ini"), "[detector]\nperson_min_width_m = 0.6\nperson_max_width_m = 1.5\n"
					   "[zone left]\nrole = waiting\npolygon = 0,0 79,0 79,119 0,119\n");
	tune(&r, "--grid", "threshold=20,30", NULL);
	ck_assert_msg(r.code == 2, "exit %d\n%s", r.code, r.err);
	ck_assert_msg(strstr(r.err, "person_min_width_m = 0.6 m is above 0.5 m"), "%s", r.err);
	ck_assert_ptr_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);
	zp_exec_free(&r);
}
END_TEST

/* The pooled presence figure `key` from `zebrapad eval --json` (the first model's "presence"."all"); NaN for null. */
static double eval_presence(const char *json, const char *key)
{
	cJSON *j = cJSON_Parse(json);
	const cJSON *v;
	double d;

	ck_assert_msg(j != NULL, "not JSON: %s", json);
	v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "models"), 0);
	v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v, "presence"), "all");
	v = cJSON_GetObjectItemCaseSensitive(v, key);
	ck_assert_msg(cJSON_IsNumber(v) || cJSON_IsNull(v), "no models[0].presence.all.%s in %s", key, json);
	d = cJSON_IsNull(v) ? NAN : v->valuedouble;
	cJSON_Delete(j);
	return d;
}

START_TEST(holdout_scored_apart)
{
	/* threshold 70 safe on the ranked frames (44 of them); the 31 held out hold B, and 70 misses it there */
	static const struct csv_cell held[] = { { 2, "unsafe", "no" }, { 0, "frames", "44" }, { 0, "held_frames", "31" },
						{ 2, "held_missed", "1" }, { 0, "held_missed", "0" } };
	struct zp_exec r;
	char csv[600];
	double held0;

	make_scene();
	zp_strlcpy(csv, tp("out/runs.csv"), sizeof(csv));
	/* ranked on frames 6-49 (A and the unannotated object): threshold 70 is safe there, and better */
	tune(&r, "--grid", "threshold=20,70", "--metric", "presence_precision", "--holdout-from", "50", NULL);
	ck_assert_msg(r.code == 0, "exit %d\n%s%s", r.code, r.out, r.err);
	ck_assert_msg(strstr(r.out, "ranked on frames 6-49; frames 50-80 held out"), "%s", r.out);
	assert_cells(csv, held, sizeof(held) / sizeof(held[0]));
	ck_assert_msg(strstr(r.out, "held out (frames from 50): best presence_precision"), "%s", r.out);
	held0 = atof(csv_get(csv, 0, "held_score_presence_precision"));
	zp_exec_free(&r);
	/* eval --start-frame 50 scores the held-out frames exactly as tune did */
	zp_exec_zebrapad(&r, env, "eval", tp("seq"), "--config", tp("site.ini"), "--start-frame", "50", "--json", NULL);
	ck_assert_msg(r.code == 0, "exit %d\n%s", r.code, r.err);
	ck_assert_msg(fabs(eval_presence(r.out, "precision") - held0) < 2e-6, "eval %.6f, tune %.6f",
		      eval_presence(r.out, "precision"), held0);
	zp_exec_free(&r);
	/* ... and eval --max-frames 49 the frames tuned on */
	zp_exec_zebrapad(&r, env, "eval", tp("seq"), "--config", tp("site.ini"), "--max-frames", "49", "--json", NULL);
	ck_assert_msg(r.code == 0, "exit %d\n%s", r.code, r.err);
	ck_assert_msg(fabs(eval_presence(r.out, "precision") - atof(csv_get(csv, 0, "score_presence_precision"))) < 2e-6,
		      "eval %.6f, tune %s", eval_presence(r.out, "precision"), csv_get(csv, 0, "score_presence_precision"));
	zp_exec_free(&r);
	/* a hold-out before the first scored frame or past the end */
	tune(&r, "--grid", "threshold=20,70", "--holdout-from", "5", NULL);
	ck_assert_int_eq(r.code, 2);
	ck_assert_msg(strstr(r.err, "--holdout-from 5: expected a frame after the first scored one (6)"), "%s", r.err);
	zp_exec_free(&r);
}
END_TEST

START_TEST(sigint_keeps_runs)
{
	int fe = zp_exec_tmpfile(), st;
	pid_t pid;
	char *err = NULL;
	struct timespec t0, now;
	bool started = false;

	make_scene();
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (dup2(fe, STDERR_FILENO) < 0 || !freopen("/dev/null", "w", stdout))
			_exit(126);
		setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
		execl(zp_exec_zebrapad_path(), zp_exec_zebrapad_path(), "tune", "-c", tp("site.ini"), "-s", tp("seq"),
		      "--out-dir", tp("out"), "--jobs", "1", "--grid", "threshold=5:250:1", "--yes", (char *)NULL);
		_exit(127);
	}
	/* wait until the sweep has begun (the line saying how to stop it), then Ctrl-C */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct stat sb;

		usleep(50000);
		ck_assert_int_eq(fstat(fe, &sb), 0);
		if (sb.st_size > 0) {
			char buf[4096] = "";

			ck_assert(pread(fe, buf, sizeof(buf) - 1, 0) >= 0);
			started = strstr(buf, "Ctrl-C stops") != NULL;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!started && now.tv_sec - t0.tv_sec < 60);
	ck_assert_msg(started, "the sweep did not start");
	usleep(300000);
	ck_assert_int_eq(kill(pid, SIGINT), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	err = zp_exec_read(fe);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 130, "status %d\n%s", st, err);
	ck_assert_msg(strstr(err, "interrupted: ") && strstr(err, " of 247 runs done (the config as given included); they "
								"are in ") &&
			      strstr(err, "runs.csv; no best.ini or plot.png written\n"), "%s", err);
	/* runs.csv: the config as given, done; the sweep cut short: some runs not run */
	ck_assert_str_eq(csv_get(tp("out/runs.csv"), 0, "status"), "ok");
	ck_assert_str_eq(csv_get(tp("out/runs.csv"), 246, "status"), "not run");
	ck_assert_int_ne(access(tp("out/best.ini"), F_OK), 0);
	free(err);
}
END_TEST

/* tune finds sources as eval does: a folder holding gt/gt.txt and one video, no --gt */
START_TEST(video_folder_source)
{
	static uint8_t img[W * H * 3];
	char err[256];
	struct zp_exec r;
	zp_cv_writer *w;

	make_scene();
	ck_assert_int_eq(mkdir(tp("vid"), 0755), 0);
	ck_assert_int_eq(mkdir(tp("vid/gt"), 0755), 0);
	ck_assert_int_eq(link(tp("seq/gt/gt.txt"), tp("vid/gt/gt.txt")), 0);
	w = zp_cv_writer_open(tp("vid/clip.avi"), 25, W, H, err, sizeof(err));
	ck_assert_msg(w != NULL, "%s", err);
	for (int f = 1; f <= NFRAMES; f++) {
		uint8_t *p = NULL;
		int iw, ih;

		ck_assert_int_eq(zp_cv_imread(tp("seq/img1/%06d.png", f), 3, &p, &iw, &ih, err, sizeof(err)), 0);
		memcpy(img, p, sizeof(img));
		free(p);
		ck_assert_int_eq(zp_cv_writer_write(w, img, W * 3), 0);
	}
	zp_cv_writer_close(w);
	zp_exec_zebrapad(&r, env, "tune", "-c", tp("site.ini"), "-s", tp("vid"), "--out-dir", tp("out"), "--grid",
			 "threshold=20,30", NULL);
	ck_assert_msg(r.code == 0, "exit %d\n%s", r.code, r.err);
	ck_assert_msg(strstr(r.err, "clip.avi"), "%s", r.err);
	/* no seqinfo.ini here: the annotation ends at the last box (frame 70), and tune says so */
	ck_assert_msg(strstr(r.out, "scored frames 6-70 (after the warm-up of 5 frames)"), "%s", r.out);
	ck_assert_msg(strstr(r.err, "has boxes up to frame 70: frames from 71 are not scored"), "%s", r.err);
	zp_exec_free(&r);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "safe", .timeout_s = 240, .setup = setup, .teardown = teardown, .tests = ZP_TESTS(
			unsafe_run_not_recommended,
			children_refused,
			holdout_scored_apart,
			sigint_keeps_runs,
			video_folder_source) },
	};

	return zp_test_run(ZP_TEST_SUITE("tune", cases));
}
