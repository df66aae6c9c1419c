/* SPDX-License-Identifier: MIT */
/*
 * test_privacy_live.c - the live path against the fake camera, with every
 * open for writing recorded by an LD_PRELOAD shim (fakes/openlog_preload.c):
 *
 *  - `zebrapad audit --live` (zebrapad built against the fake libv4l2) runs a
 *    few hundred frames and opens nothing at all for writing;
 *  - a daemon-like writer (this program with --writer: fake camera ->
 *    detector -> light controller -> counts store, under the sandbox) opens
 *    only the store's files for writing, and its one attempt to write a
 *    picture elsewhere fails (where the kernel has Landlock).
 *
 * The real daemon (`zebrapad run`, zp_run_daemon) under the same shim:
 * tests/test_run_privacy.c.
 */
#include "zp_test.h"
#include "zp_openlog.h"
#include "capture.h"
#include "detector.h"
#include "fake_v4l2.h"
#include "lights.h"
#include "store.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FRAMES 300

/* ---- the writer (runs in a child, under the shim) ---- */

enum { WRITER_OK = 0, WRITER_OK_NO_LANDLOCK = 40 };

static int live_writer(const char *data, const char *outside)
{
	const char *names[] = { "middle" };
	zp_zone zone;
	zp_camera_params cam;
	zp_detector_params dp;
	zp_lights_params lp;
	zp_store_params sp;
	zp_sandbox_opts so;
	zp_sandbox_status sb;
	zp_lights lights;
	zp_detector *det = NULL;
	zp_source *src;
	zp_store *st;
	zp_result *r = calloc(1, sizeof(*r));
	char err[512], path[600];
	int code = 0, fd, frames = 0;
	int64_t t0 = -1, last = 0;
	uint64_t act = 0;

	if (!r)
		return 2;
	fake_v4l2_reset();
	zp_camera_params_default(&cam);
	zp_strlcpy(cam.device, "/dev/video0", sizeof(cam.device));
	src = zp_source_open_v4l2(&cam, &code, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "writer: %s\n", err);
		return 3;
	}
	zp_sandbox_opts_default(&so);
	so.data_dir = data;
	if (zp_sandbox_apply(&so, &sb, err, sizeof(err))) {
		fprintf(stderr, "writer: %s\n", err);
		return 4;
	}
	memset(&sp, 0, sizeof(sp));
	snprintf(sp.path, sizeof(sp.path), "%s/counts.db", data);
	sp.interval_s = 1;
	sp.retention_days = 365;
	st = zp_store_open(&sp, names, 1, 0, NULL, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "writer: %s\n", err);
		return 5;
	}
	memset(&zone, 0, sizeof(zone));
	zp_strlcpy(zone.name, "middle", sizeof(zone.name));
	zone.role = ZP_ROLE_CROSSING;
	zone.poly.n = 4;
	zone.poly.p[0] = (zp_pt){ 100, 100 };
	zone.poly.p[1] = (zp_pt){ 540, 100 };
	zone.poly.p[2] = (zp_pt){ 540, 400 };
	zone.poly.p[3] = (zp_pt){ 100, 400 };
	zp_detector_params_default(&dp);
	zp_lights_params_default(&lp);
	while (frames < FRAMES) {
		zp_store_sample smp;
		zp_frame f;

		if (zp_source_next(src, &f, 2000)) {
			fprintf(stderr, "writer: %s\n", zp_source_error(src));
			return 6;
		}
		if (!det) {
			det = zp_detector_new(&dp, &zone, 1, f.width, f.height, NULL, err, sizeof(err));
			if (!det) {
				fprintf(stderr, "writer: %s\n", err);
				return 7;
			}
			zp_lights_init(&lights, &lp, f.t_ms);
			t0 = last = f.t_ms;
		}
		if (zp_detector_process(det, &f, r))
			return 8;
		zp_lights_frame(&lights, f.t_ms, zp_result_occupied(r), r->health == ZP_HEALTH_OK, r->model_ready);
		memset(&smp, 0, sizeof(smp));
		/* frame times stretched x40 so a few hundred fast fake frames span several 1-second intervals */
		smp.wall_ms = 1700000000000LL + (f.t_ms - t0) * 40;
		smp.dt_ms = (f.t_ms - last) * 40;
		smp.occupied[0] = r->zone_count[0] > 0;
		smp.light_on = lights.state == ZP_LIGHT_ON;
		smp.fault = lights.state == ZP_LIGHT_FAILSAFE;
		smp.light_activations = (int)(lights.activations - act);
		act = lights.activations;
		last = f.t_ms;
		if (zp_store_account(st, &smp))
			return 9;
		frames++;
	}
	/* what a bug (or an attacker) would try: keep a picture somewhere else */
	snprintf(path, sizeof(path), "%s/frame.jpg", outside);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		close(fd);
		if (sb.landlock)
			return 10;
	} else if (sb.landlock && errno != EACCES) {
		return 11;
	}
	zp_store_close(st);
	zp_detector_free(det);
	zp_source_free(src);
	free(r);
	return sb.landlock ? WRITER_OK : WRITER_OK_NO_LANDLOCK;
}

/* ---- the parent ---- */

/* The log's lines, checked: every successful write-open is one of `allowed` (NULL-terminated). */
struct log_check {
	struct zp_openlog_check log;
	const char *const *allowed;
	const char *leak; /* the deliberate attempt outside the store, or NULL */
	int ok_lines;
	int seen[8];
	bool leak_denied;
};

static bool line_expected(void *ctx, const struct zp_openlog_line *l)
{
	struct log_check *c = ctx;
	bool ok = false;

	if (c->leak && !strcmp(l->path, c->leak)) {
		c->leak_denied = strcmp(l->result, "ok") != 0;
		return true;
	}
	for (int i = 0; c->allowed[i]; i++)
		if (!strcmp(l->path, c->allowed[i])) {
			c->seen[i] += !strcmp(l->result, "ok");
			ok = true;
		}
	c->ok_lines += !strcmp(l->result, "ok");
	return ok;
}

static void check_log(const char *log_path, const char *const *allowed, const char *leak, struct log_check *c)
{
	memset(c, 0, sizeof(*c));
	c->allowed = allowed;
	c->leak = leak;
	zp_openlog_check(log_path, line_expected, c, &c->log);
}

START_TEST(audit_live_opens_nothing_for_writing)
{
	const char *zebrapad = getenv("ZP_FAKECAM");
	const char *none[] = { NULL };
	char dir[64], cfg[128], log[128], out[128], line[512];
	char *argv[] = { (char *)zebrapad, "audit", "--live", "--json", "--config", cfg, "--max-frames", "300",
			 "--interval", "1", NULL };
	struct log_check c;
	int rc, rows = 0;
	FILE *f;

	ck_assert_msg(zebrapad != NULL, "ZP_FAKECAM not set (run through ctest)");
	zp_test_tmpdir_make(dir, sizeof(dir), "live");
	snprintf(cfg, sizeof(cfg), "%s/site.ini", dir);
	snprintf(log, sizeof(log), "%s/open.log", dir);
	snprintf(out, sizeof(out), "%s/out.jsonl", dir);
	f = fopen(cfg, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[camera]\ndevice = /dev/video0\n\n[store]\npath = %s/data/counts.db\n\n"
		"[zone middle]\nrole = crossing\npolygon = 100,100 540,100 540,400 100,400\n", dir);
	fclose(f);
	rc = zp_openlog_run(argv, log, out, NULL);
	ck_assert_msg(rc == 0, "zebrapad audit --live exited %d", rc);
	check_log(log, none, NULL, &c);
	ck_assert_msg(c.log.lines == 0, "audit --live opened for writing: %s", c.log.first_bad);
	f = fopen(out, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		cJSON *o = cJSON_Parse(line);

		ck_assert_msg(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "interval_start")) &&
			      cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "zone")), "not a record: %s", line);
		cJSON_Delete(o);
		rows++;
	}
	fclose(f);
	ck_assert_int_ge(rows, 2); /* at least the interval in progress: zone + crossing row */
	ck_assert_int_eq(rows % 2, 0);
	zp_test_tmpdir_remove(dir);
}
END_TEST

START_TEST(daemon_like_writer_opens_only_the_store)
{
	const char *self = getenv("ZP_SELF");
	char dir[64], data[128], outside[128], log[128], out[128], leak[160];
	struct zp_store_files sf;
	const char *allowed[] = { sf.db, sf.wal, sf.shm, sf.journal, NULL };
	char *argv[] = { (char *)self, "--writer", data, outside, NULL };
	struct log_check c;
	struct stat stt;
	int rc;

	ck_assert_msg(self != NULL, "ZP_SELF not set (run through ctest)");
	zp_test_tmpdir_make(dir, sizeof(dir), "live");
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(outside, sizeof(outside), "%s/elsewhere", dir);
	ck_assert_int_eq(mkdir(data, 0700), 0);
	ck_assert_int_eq(mkdir(outside, 0700), 0);
	snprintf(log, sizeof(log), "%s/open.log", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	snprintf(leak, sizeof(leak), "%s/frame.jpg", outside);
	zp_store_files_in(&sf, data);

	rc = zp_openlog_run(argv, log, out, NULL);
	ck_assert_msg(rc == WRITER_OK || rc == WRITER_OK_NO_LANDLOCK, "the writer failed at step %d", rc);
	check_log(log, allowed, leak, &c);
	ck_assert_msg(!c.log.first_bad[0], "opened for writing outside the store: %s", c.log.first_bad);
	ck_assert_msg(c.seen[0] >= 1 && c.seen[1] >= 1, "the store and its WAL were not seen (%d, %d): is the shim working?",
		      c.seen[0], c.seen[1]);
	if (rc == WRITER_OK_NO_LANDLOCK) {
		fprintf(stderr, "SKIP: Landlock is not available in this kernel: the write outside the data "
			"directory was not blocked (the write set was still checked)\n");
	} else {
		ck_assert_msg(c.leak_denied, "the attempt to write %s was not logged as refused", leak);
		ck_assert_int_ne(stat(leak, &stt), 0);
	}
	/* the rows are there */
	{
		zp_store_params sp;
		zp_store_summary sum;
		zp_store *st;
		char err[256];

		memset(&sp, 0, sizeof(sp));
		zp_strlcpy(sp.path, sf.db, sizeof(sp.path));
		sp.interval_s = 1;
		sp.retention_days = 365;
		st = zp_store_open(&sp, NULL, 0, ZP_STORE_READ_ONLY, NULL, err, sizeof(err));
		ck_assert_msg(st != NULL, "%s", err);
		ck_assert_int_eq(zp_store_summarize(st, &sum, err, sizeof(err)), 0);
		ck_assert_int_ge(sum.rows, 2);
		zp_store_close(st);
	}
	zp_test_tmpdir_remove(dir);
}
END_TEST

int main(int argc, char **argv)
{
	const struct zp_test_case cases[] = {
		{ .name = "live", .timeout_s = 120, .tests = ZP_TESTS(
			audit_live_opens_nothing_for_writing,
			daemon_like_writer_opens_only_the_store) },
	};

	if (argc == 4 && !strcmp(argv[1], "--writer"))
		return live_writer(argv[2], argv[3]);
	return zp_test_run(ZP_TEST_SUITE("privacy_live", cases));
}
