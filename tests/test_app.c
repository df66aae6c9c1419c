/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of `zebrapad replay`: the real binary on real frames
 * (vtest.avi, the CDnet set when ../shared/data is there), on a scene this
 * test builds itself with exact expected occupancy, determinism, and every
 * kind of bad input (exit 2, one line naming the file:line or key); and the
 * interface every command shares (--source and its positional alias, - for
 * standard output, exit codes in every --help, `zebrapad help CMD`, -o).
 */
#include "zp_test.h"
#include "zp_exec.h"
#include "cvwrap.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define SYN_W 320
#define SYN_H 240
#define SYN_FRAMES 100
#define SYN_APPEAR 20   /* first frame (1-based) with the block */
#define SYN_STOP 80     /* last frame with the block */
#define SYN_BW 24
#define SYN_BH 48
#define SYN_X0 12       /* block left edge at SYN_APPEAR */
#define SYN_STEP 4      /* px per frame */
#define SYN_BOTTOM 200  /* block bottom row + 1 (ground point y) */

static char g_tmp[256]; /* per-process temp dir; Check forks each test so this is set in the fixture */

/* `zebrapad replay ARGS...` (NULL-terminated) */
#define run_replay(r, ...) zp_exec_zebrapad(r, NULL, "replay", __VA_ARGS__)

static const char *tmp_path(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", g_tmp, name);
	return buf[i];
}

static const char *config_path(const char *name)
{
	static char buf[512];
	const char *s = getenv("ZP_SOURCE_DIR");

	snprintf(buf, sizeof(buf), "%s/%s", s ? s : "..", name);
	return buf;
}

static void setup(void)
{
	zp_test_tmpdir_make(g_tmp, sizeof(g_tmp), "app");
}

static void teardown(void)
{
	zp_test_tmpdir_remove(g_tmp);
}

/* ---- the synthetic scene ---- */

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static int block_left(int frame)
{
	return SYN_X0 + SYN_STEP * (frame - SYN_APPEAR);
}

/* Expected people in zone "middle" (x 130..210, y 100..230) at a 1-based frame. */
static int expected_count(int frame)
{
	double gx;

	if (frame < SYN_APPEAR || frame > SYN_STOP)
		return 0;
	gx = block_left(frame) + SYN_BW / 2.0;
	return gx >= 130 && gx <= 210 ? 1 : 0;
}

/* One row of a zones CSV (frame,zone,count). */
struct zone_row {
	int frame;
	char zone[64];
	int count;
};

/* The rows of a zones CSV after its header, checked line by line; *n of them, freed by the caller. */
static struct zone_row *read_zones(const char *csvpath, int *n)
{
	char *csv = zp_test_slurp(csvpath, NULL), *line, *save = NULL;
	struct zone_row *rows;
	size_t lines = 0;

	ck_assert_ptr_nonnull(csv);
	for (const char *c = csv; *c; c++)
		lines += *c == '\n';
	rows = calloc(lines + 1, sizeof(*rows));
	ck_assert_ptr_nonnull(rows);
	*n = 0;
	line = strtok_r(csv, "\n", &save);
	ck_assert_str_eq(line, "frame,zone,count");
	while ((line = strtok_r(NULL, "\n", &save))) {
		struct zone_row *z = &rows[(*n)++];

		ck_assert_int_eq(sscanf(line, "%d,%63[^,],%d", &z->frame, z->zone, &z->count), 3);
	}
	free(csv);
	return rows;
}

static void make_synthetic(const char *dir)
{
	uint8_t *bg = malloc(SYN_W * SYN_H * 3), *img = malloc(SYN_W * SYN_H * 3);
	uint32_t seed = 12345;
	char path[600], err[256];

	ck_assert_ptr_nonnull(bg);
	ck_assert_ptr_nonnull(img);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	/* texture: 4x4 cells of grey 40..120 (a paved road seen from above) */
	for (int y = 0; y < SYN_H; y++)
		for (int x = 0; x < SYN_W; x++) {
			uint32_t s = (uint32_t)((y / 4) * 1000 + x / 4) * 2654435761u + 1;
			uint8_t v = (uint8_t)(40 + xorshift(&s) % 80);

			bg[3 * (y * SYN_W + x)] = bg[3 * (y * SYN_W + x) + 1] = bg[3 * (y * SYN_W + x) + 2] = v;
		}
	for (int f = 1; f <= SYN_FRAMES; f++) {
		memcpy(img, bg, SYN_W * SYN_H * 3);
		/* faint sensor noise, +-2, deterministic */
		for (int i = 0; i < SYN_W * SYN_H * 3; i += 3) {
			int v = img[i] + (int)(xorshift(&seed) % 5) - 2;

			img[i] = img[i + 1] = img[i + 2] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
		if (f >= SYN_APPEAR && f <= SYN_STOP) {
			int x0 = block_left(f);

			for (int y = SYN_BOTTOM - SYN_BH; y < SYN_BOTTOM; y++)
				for (int x = x0; x < x0 + SYN_BW && x < SYN_W; x++)
					memset(img + 3 * (y * SYN_W + x), 230, 3);
		}
		snprintf(path, sizeof(path), "%s/in%06d.png", dir, f);
		ck_assert_msg(zp_cv_imwrite(path, img, SYN_W, SYN_H, SYN_W * 3, 3, err, sizeof(err)) == 0, "%s", err);
	}
	free(bg);
	free(img);
}

START_TEST(synthetic_scene_exact_occupancy)
{
	struct zp_exec r;
	const char *dir = tmp_path("scene");
	char *csv, *line, *save = NULL, scene[512];
	struct zone_row *rows;
	int n, mismatches = 0;

	make_synthetic(dir);
	run_replay(&r, dir, "--config", config_path("tests/configs/synthetic.ini"), "--zones-out",
		     tmp_path("zones.csv"), "--lights-out", tmp_path("lights.csv"), "-q", NULL);
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	rows = read_zones(tmp_path("zones.csv"), &n);
	for (int i = 0; i < n; i++) {
		int fr = rows[i].frame, cnt = rows[i].count;

		ck_assert_str_eq(rows[i].zone, "middle");
		ck_assert_int_eq(fr, i + 1);
		if (cnt != expected_count(fr)) {
			fprintf(stderr, "frame %d: count %d, expected %d\n", fr, cnt, expected_count(fr));
			mismatches++;
		}
	}
	ck_assert_int_eq(n, SYN_FRAMES);
	ck_assert_int_eq(mismatches, 0);
	free(rows);
	/* one person entered the zone, the summary says so, and the sizes the config set */
	ck_assert_msg(strstr(r.out, "entered: 1 ") != NULL, "summary: %s", r.out);
	ck_assert_msg(strstr(r.out, "\nsizes at 320x240: scale 1, min_area 300, max_area 20000, track_max_dist 30\n"),
		      "summary: %s", r.out);
	zp_exec_free(&r);

	/* the lights: on while the block is in the zone, off again after min-on/hold */
	csv = zp_test_slurp(tmp_path("lights.csv"), NULL);
	ck_assert_ptr_nonnull(csv);
	{
		int on_first = 0, off_after = 0, fr;
		long long t;
		char state[16];

		save = NULL;
		line = strtok_r(csv, "\n", &save);
		ck_assert_str_eq(line, "frame,t_ms,state");
		while ((line = strtok_r(NULL, "\n", &save))) {
			ck_assert_int_eq(sscanf(line, "%d,%lld,%15s", &fr, &t, state), 3);
			ck_assert_int_eq(t, (long long)(fr - 1) * 40); /* 25 fps */
			if (expected_count(fr))
				ck_assert_msg(!strcmp(state, "on"), "frame %d: lights %s while occupied", fr, state);
			if (!strcmp(state, "on") && !on_first)
				on_first = fr;
			if (on_first && !strcmp(state, "off"))
				off_after = fr;
		}
		ck_assert_int_gt(on_first, 0);
		ck_assert_int_gt(off_after, on_first);
	}
	free(csv);

	/* the summary names what was left to the frame size "(auto)": at 320x240 min_area scaled down to its floor */
	zp_test_write_text(tmp_path("auto.ini"), "[detector]\nmax_area = 5000\n");
	snprintf(scene, sizeof(scene), "%s", tmp_path("scene"));
	run_replay(&r, scene, "--config", tmp_path("auto.ini"), "-q", NULL);
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	ck_assert_msg(strstr(r.out, "\nsizes at 320x240: scale 1 (auto), min_area 250 (auto), max_area 5000, "
				    "track_max_dist 60 (auto)\n"),
		      "summary: %s", r.out);
	zp_exec_free(&r);
}
END_TEST

/* ---- real recordings ---- */

/* Frames with any count > 0 in a zones CSV; its row count in *rows. */
static int occupied_frames(const char *csvpath, int *rows)
{
	struct zone_row *zr = read_zones(csvpath, rows);
	int occ = 0, last = -1;

	for (int i = 0; i < *rows; i++)
		if (zr[i].count > 0 && zr[i].frame != last) {
			occ++;
			last = zr[i].frame;
		}
	free(zr);
	return occ;
}

/* lights CSV: did the state go on, and later off again? */
static void assert_lights_on_then_off(const char *csvpath)
{
	char *csv = zp_test_slurp(csvpath, NULL), *line, *save = NULL;
	int on = 0, off_after_on = 0;

	ck_assert_ptr_nonnull(csv);
	line = strtok_r(csv, "\n", &save);
	while ((line = strtok_r(NULL, "\n", &save))) {
		if (strstr(line, ",on"))
			on++;
		else if (on && strstr(line, ",off"))
			off_after_on++;
	}
	ck_assert_msg(on > 0, "lights never went on");
	ck_assert_msg(off_after_on > 0, "lights never went off after being on");
	free(csv);
}

START_TEST(vtest_people_found_and_lights_switch)
{
	const char *vtest = zp_test_vtest();
	struct zp_exec r;
	int rows, occ;

	if (!vtest)
		return;
	run_replay(&r, vtest, "--config", config_path("examples/vtest.ini"), "--zones-out", tmp_path("z.csv"),
		     "--lights-out", tmp_path("l.csv"), "--tracks-out", tmp_path("t.csv"), "-q", NULL);
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	occ = occupied_frames(tmp_path("z.csv"), &rows);
	ck_assert_int_gt(rows, 795); /* 795 frames x zones */
	ck_assert_msg(occ > 100, "people in a zone in only %d frames", occ);
	assert_lights_on_then_off(tmp_path("l.csv"));
	ck_assert_ptr_nonnull(strstr(r.out, "frames: 795"));
	/* vtest.ini has [ground] and sets the scale and the distance */
	ck_assert_msg(strstr(r.out, "\nsizes at 768x576: scale 2, blobs by their size on the ground ([ground]), "
				    "track_max_dist 60\n"),
		      "summary: %s", r.out);
	zp_exec_free(&r);
}
END_TEST

START_TEST(cdnet_people_found_and_lights_switch)
{
	const char *data = zp_test_shared_data();
	char src[600];
	struct zp_exec r;
	int rows, occ;

	if (!data)
		return;
	snprintf(src, sizeof(src), "%s/cdnet2014_baseline_pedestrians", data);
	run_replay(&r, src, "--config", config_path("tests/configs/cdnet_pedestrians.ini"), "--zones-out",
		     tmp_path("z.csv"), "--lights-out", tmp_path("l.csv"), "-q", NULL);
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	zp_exec_free(&r);
	occ = occupied_frames(tmp_path("z.csv"), &rows);
	ck_assert_int_eq(rows, 1099 * 3);
	/* GT: 634 of the 800 evaluated frames have foreground; people walk the path */
	ck_assert_msg(occ > 300, "people in a zone in only %d frames", occ);
	assert_lights_on_then_off(tmp_path("l.csv"));
}
END_TEST

static bool files_equal(const char *a, const char *b)
{
	size_t la = 0, lb = 0;
	char *x = zp_test_slurp(a, &la), *y = zp_test_slurp(b, &lb);
	bool eq = x && y && la == lb && memcmp(x, y, la) == 0;

	free(x);
	free(y);
	return eq;
}

START_TEST(replay_is_deterministic)
{
	const char *vtest = zp_test_vtest();
	const char *names[] = { "zones.csv", "tracks.csv", "lights.csv", "overlay.avi", "masks/bin000150.png" };
	char dir[2][512];

	if (!vtest)
		return;
	for (int i = 0; i < 2; i++) {
		struct zp_exec r;
		char a[600], b[600], c[600], d[600], e[600];

		snprintf(dir[i], sizeof(dir[i]), "%s/run%d", g_tmp, i);
		ck_assert_int_eq(mkdir(dir[i], 0755), 0);
		snprintf(a, sizeof(a), "%s/zones.csv", dir[i]);
		snprintf(b, sizeof(b), "%s/tracks.csv", dir[i]);
		snprintf(c, sizeof(c), "%s/lights.csv", dir[i]);
		snprintf(d, sizeof(d), "%s/overlay.avi", dir[i]);
		snprintf(e, sizeof(e), "%s/masks", dir[i]);
		run_replay(&r, vtest, "--config", config_path("examples/vtest.ini"), "--max-frames", "200",
			     "--zones-out", a, "--tracks-out", b, "--lights-out", c, "--overlay-out", d, "--masks-out",
			     e, "-q", NULL);
		ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
		zp_exec_free(&r);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char a[700], b[700];
		size_t len;
		char *x;

		snprintf(a, sizeof(a), "%s/%s", dir[0], names[i]);
		snprintf(b, sizeof(b), "%s/%s", dir[1], names[i]);
		x = zp_test_slurp(a, &len);
		ck_assert_msg(x && len > 0, "%s missing or empty", a);
		free(x);
		ck_assert_msg(files_equal(a, b), "%s differs between two replays", names[i]);
	}
}
END_TEST

/* ---- bad input: exit 2 and one line that names the place ---- */

static void expect_bad(const char *source, const char *config_text, const char *needle)
{
	struct zp_exec r;
	const char *cfg = tmp_path("bad.ini");

	zp_test_write_text(cfg, config_text);
	run_replay(&r, source, "--config", cfg, "-q", NULL);
	ck_assert_msg(r.code == 2, "exit %d (expected 2) for '%s': %s", r.code, needle, r.err);
	ck_assert_msg(strstr(r.err, needle) != NULL, "stderr lacks '%s': %s", needle, r.err);
	/* exactly one line */
	ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "more than one line: %s", r.err);
	zp_exec_free(&r);
}

static const char *good_zone = "[zone a]\nrole = crossing\npolygon = 10,10 100,10 100,100 10,100\n";

static const char *scene_dir(void)
{
	static char dir[512];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/scene", g_tmp);
	if (stat(dir, &st) != 0)
		make_synthetic(dir);
	return dir;
}

START_TEST(bad_missing_source)
{
	char cfg[512], src[600];

	snprintf(cfg, sizeof(cfg), "%s", good_zone);
	snprintf(src, sizeof(src), "%s/nope.avi", g_tmp);
	expect_bad(src, cfg, "nope.avi");
}
END_TEST

START_TEST(bad_undecodable_source)
{
	char src[600];

	snprintf(src, sizeof(src), "%s/garbage.avi", g_tmp);
	zp_test_write_text(src, "this is not a video\n");
	expect_bad(src, good_zone, "garbage.avi");
}
END_TEST

START_TEST(bad_empty_folder)
{
	char src[600];

	snprintf(src, sizeof(src), "%s/empty", g_tmp);
	ck_assert_int_eq(mkdir(src, 0755), 0);
	expect_bad(src, good_zone, "empty");
}
END_TEST

/* Bad configs: exit 2 and one line on stderr that names the file and line (or the zone). */
START_TEST(bad_configs_refused)
{
	static const struct {
		const char *config, *needle;
	} bad[] = {
		{ "[detector]\nscale = 1\n[zonez]\nx = 1\n", "bad.ini:3:" },                       /* unknown section */
		{ "[detector]\ntreshold = 10\n", "bad.ini:2:" },                                    /* unknown key */
		{ "[zone a]\nrole = crossing\npolygon = 10,10 100;10 100,100\n", "bad.ini:3:" },     /* malformed */
		{ "[zone a]\nrole = crossing\npolygon = 10,10 100,100 100,10 10,100\n", "bad.ini:3:" }, /* crossing */
		{ "[zone a]\nrole = crossing\npolygon = 10,10 100,100\n", "bad.ini:3:" },           /* too few points */
		{ "[zone far]\nrole = crossing\npolygon = 10,10 1000,10 1000,100 10,100\n", "far" }, /* outside */
		{ "[lights]\nmin_on_ms = soon\n", "bad.ini:2:" },                                   /* not a number */
		{ "[detector]\nthreshold = 100000\n", "bad.ini:2:" },                               /* out of range */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_bad(scene_dir(), bad[i].config, bad[i].needle);
}
END_TEST

START_TEST(bad_usage)
{
	struct zp_exec r;

	zp_exec_zebrapad(&r, NULL, "replay", NULL);
	ck_assert_int_eq(r.code, 2);
	zp_exec_free(&r);
	zp_exec_zebrapad(&r, NULL, "frobnicate", NULL);
	ck_assert_int_eq(r.code, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "unknown command"));
	zp_exec_free(&r);
	zp_exec_zebrapad(&r, NULL, "replay", scene_dir(), "--config", "/nonexistent/site.ini", NULL);
	ck_assert_int_eq(r.code, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/site.ini"));
	zp_exec_free(&r);
}
END_TEST

/* ---- one interface for every command ---- */

static const char *const commands[] = { "run", "replay", "eval", "tune", "calibrate", "audit", "bench", "export",
					"collect" };

/* --source SOURCE, -s SOURCE and the positional SOURCE are one option; two sources are refused. */
START_TEST(source_option_and_positional_alias)
{
	const char *dir = scene_dir(), *cfg = config_path("tests/configs/synthetic.ini");
	struct zp_exec r;

	run_replay(&r, "--source", dir, "--config", cfg, "--zones-out", tmp_path("opt.csv"), "-q", NULL);
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	zp_exec_free(&r);
	run_replay(&r, dir, "--config", cfg, "--zones-out", tmp_path("pos.csv"), "-q", NULL);
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	zp_exec_free(&r);
	run_replay(&r, "-s", dir, "-c", cfg, "--zones-out", tmp_path("short.csv"), "-q", NULL);
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	zp_exec_free(&r);
	ck_assert(files_equal(tmp_path("opt.csv"), tmp_path("pos.csv")));
	ck_assert(files_equal(tmp_path("opt.csv"), tmp_path("short.csv")));

	run_replay(&r, "--source", dir, dir, "--config", cfg, NULL);
	ck_assert_int_eq(r.code, 2);
	ck_assert_msg(strstr(r.err, "SOURCE given twice"), "%s", r.err);
	zp_exec_free(&r);
	run_replay(&r, dir, dir, "--config", cfg, NULL);
	ck_assert_int_eq(r.code, 2);
	ck_assert_msg(strstr(r.err, "expected one SOURCE, got 2 arguments"), "%s", r.err);
	zp_exec_free(&r);
	run_replay(&r, "--config", cfg, NULL);
	ck_assert_int_eq(r.code, 2);
	ck_assert_msg(strstr(r.err, "missing --source"), "%s", r.err);
	zp_exec_free(&r);

	/* eval takes it the same way: the source named in the message, either spelling */
	zp_exec_zebrapad(&r, NULL, "eval", "--source", tmp_path("nope"), NULL);
	ck_assert_int_eq(r.code, 2);
	ck_assert_msg(strstr(r.err, tmp_path("nope")), "%s", r.err);
	zp_exec_free(&r);
	zp_exec_zebrapad(&r, NULL, "eval", "--source", dir, dir, NULL);
	ck_assert_int_eq(r.code, 2);
	ck_assert_msg(strstr(r.err, "SOURCE given twice"), "%s", r.err);
	zp_exec_free(&r);
}
END_TEST

/* A file written by a command: - is standard output, not a file named "-". */
START_TEST(dash_means_standard_output)
{
	const char *dir = scene_dir(), *cfg = config_path("tests/configs/synthetic.ini");
	struct zp_exec r;
	char *csv;

	ck_assert_int_eq(chdir(g_tmp), 0); /* where a file named "-" would land */
	run_replay(&r, "--source", dir, "--config", cfg, "--zones-out", tmp_path("zones.csv"), "-q", NULL);
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	ck_assert_msg(strstr(r.out, "entered: 1 "), "summary on stdout: %s", r.out);
	zp_exec_free(&r);
	run_replay(&r, "--source", dir, "--config", cfg, "--zones-out", "-", "-q", NULL);
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	csv = zp_test_slurp(tmp_path("zones.csv"), NULL);
	ck_assert_ptr_nonnull(csv);
	ck_assert_str_eq(r.out, csv); /* the CSV alone on stdout ... */
	ck_assert_msg(strstr(r.err, "entered: 1 "), "summary on stderr: %s", r.err); /* ... the summary beside it */
	ck_assert_int_ne(access(tmp_path("-"), F_OK), 0);
	free(csv);
	zp_exec_free(&r);

	run_replay(&r, "--source", dir, "--config", cfg, "--zones-out", "-", "--lights-out", "-", NULL);
	ck_assert_int_eq(r.code, 2);
	ck_assert_msg(strstr(r.err, "only one of"), "%s", r.err);
	zp_exec_free(&r);
	run_replay(&r, "--source", dir, "--config", cfg, "--overlay-out", "-", NULL);
	ck_assert_int_eq(r.code, 2);
	ck_assert_msg(strstr(r.err, "--overlay-out -"), "%s", r.err);
	zp_exec_free(&r);
	ck_assert_int_ne(access(tmp_path("-"), F_OK), 0);
}
END_TEST

/* Every command's --help gives its exit codes; `zebrapad help CMD` is the same text. */
START_TEST(help_of_every_command)
{
	struct zp_exec a, b;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		zp_exec_zebrapad(&a, NULL, commands[i], "--help", NULL);
		ck_assert_msg(a.code == 0, "%s --help: exit %d: %s", commands[i], a.code, a.err);
		ck_assert_msg(strstr(a.out, "usage: zebrapad ") == a.out, "%s --help: %s", commands[i], a.out);
		ck_assert_msg(strstr(a.out, "\nexit: 0 "), "%s --help gives no exit codes: %s", commands[i], a.out);
		ck_assert_msg(strstr(a.out, " 2 bad "), "%s --help: no exit 2: %s", commands[i], a.out);
		zp_exec_zebrapad(&b, NULL, "help", commands[i], NULL);
		ck_assert_msg(b.code == 0, "help %s: exit %d: %s", commands[i], b.code, b.err);
		ck_assert_str_eq(b.out, a.out);
		zp_exec_free(&a);
		zp_exec_free(&b);
	}
	zp_exec_zebrapad(&a, NULL, "help", NULL);
	ck_assert_int_eq(a.code, 0);
	ck_assert_ptr_nonnull(strstr(a.out, "usage: zebrapad COMMAND"));
	ck_assert_ptr_nonnull(strstr(a.out, "\nexit: 0 "));
	zp_exec_free(&a);
	zp_exec_zebrapad(&a, NULL, "help", "frobnicate", NULL);
	ck_assert_int_eq(a.code, 2);
	ck_assert_ptr_nonnull(strstr(a.err, "unknown command 'frobnicate'"));
	zp_exec_free(&a);
}
END_TEST

/* -o names an output file wherever it exists; tune's folder is --out-dir (--out its alias). */
START_TEST(dash_o_is_a_file)
{
	struct zp_exec r;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const char *o;

		zp_exec_zebrapad(&r, NULL, commands[i], "--help", NULL);
		o = strstr(r.out, "-o, ");
		if (o)
			ck_assert_msg(!strncmp(strchr(o, ' ') + 1, "--out FILE", 10), "%s: %.40s", commands[i], o);
		zp_exec_free(&r);
	}
	zp_exec_zebrapad(&r, NULL, "tune", "--help", NULL);
	ck_assert_ptr_null(strstr(r.out, "-o, "));
	ck_assert_ptr_nonnull(strstr(r.out, "--out-dir DIR"));
	zp_exec_free(&r);
	zp_exec_zebrapad(&r, NULL, "tune", "-o", tmp_path("t"), NULL);
	ck_assert_int_eq(r.code, 2);
	ck_assert_msg(strstr(r.err, "--out-dir"), "%s", r.err);
	zp_exec_free(&r);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "replay", .timeout_s = 600, .setup = setup, .teardown = teardown, .tests = ZP_TESTS(
			synthetic_scene_exact_occupancy,
			vtest_people_found_and_lights_switch,
			cdnet_people_found_and_lights_switch,
			replay_is_deterministic,
			bad_missing_source,
			bad_undecodable_source,
			bad_empty_folder,
			bad_configs_refused,
			bad_usage,
			source_option_and_positional_alias,
			dash_means_standard_output,
			help_of_every_command,
			dash_o_is_a_file) },
	};

	return zp_test_run(ZP_TEST_SUITE("app", cases));
}
