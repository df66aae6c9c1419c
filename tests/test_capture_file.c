/* SPDX-License-Identifier: MIT */
/*
 * Tests for the recorded-file source (capture/file.c). Inputs are made here in
 * a temp dir; vtest.avi and ../shared/data are used when present.
 */
#include "zp_test.h"
#include "zp_child.h"
#include "capture.h"
#include "capture_internal.h"
#include "mem_read.h"
#include "cvwrap.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* OpenCV's BGR2GRAY for 8-bit (BT.601, 14-bit fixed point). */
static int luma_of(int b, int g, int r)
{
	return (b * 1868 + g * 9617 + r * 4899 + 8192) >> 14;
}

/* Colour of image number k in the folders below: distinct lumas, not grey. */
static void colour_of(int k, int *b, int *g, int *r)
{
	*b = (40 + 37 * k) % 256;
	*g = (90 + 23 * k) % 256;
	*r = (200 + 51 * k) % 256;
}

/* Write a solid image of colour_of(k), w x h, to dir/name. */
static void write_image(const char *dir, const char *name, int k, int w, int h)
{
	char path[256], err[256] = "";
	uint8_t *px = malloc((size_t)w * h * 3);
	int b, g, r;

	ck_assert_ptr_nonnull(px);
	colour_of(k, &b, &g, &r);
	for (int i = 0; i < w * h; i++) {
		px[3 * i] = (uint8_t)b;
		px[3 * i + 1] = (uint8_t)g;
		px[3 * i + 2] = (uint8_t)r;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_msg(zp_cv_imwrite(path, px, w, h, w * 3, 3, err, sizeof(err)) == 0, "%s", err);
	free(px);
}

/* Every luma pixel of f within tol of v. */
static void check_luma(const zp_frame *f, int v, int tol)
{
	for (int y = 0; y < f->height; y++)
		for (int x = 0; x < f->width; x++)
			ck_assert_msg(abs(f->luma[y * f->stride + x] - v) <= tol, "seq %llu (%d,%d): luma %d, expected %d",
				      (unsigned long long)f->seq, x, y, f->luma[y * f->stride + x], v);
}

static zp_source *open_ok(const char *path, double fps)
{
	char err[256] = "";
	int code = 1;
	zp_source *s = zp_source_open_file(path, fps, &code, err, sizeof(err));

	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(code, 0);
	return s;
}

static int open_fails(const char *path, char *err, size_t errlen)
{
	int code = 0;
	zp_source *s = zp_source_open_file(path, 0, &code, err, errlen);

	ck_assert_ptr_null(s);
	return code;
}

START_TEST(video_file_frames_times_and_luma)
{
	enum { W = 80, H = 60, N = 12 };
	char dir[64], path[128], err[256] = "";
	uint8_t buf[W * H * 3];
	zp_cv_writer *wr;
	zp_source *s;
	zp_frame f;
	int w, h, n = 0;

	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	snprintf(path, sizeof(path), "%s/clip.avi", dir);
	wr = zp_cv_writer_open(path, 25, W, H, err, sizeof(err));
	ck_assert_msg(wr != NULL, "%s", err);
	for (int i = 0; i < N; i++) {
		memset(buf, 20 + 18 * i, sizeof(buf)); /* grey: luma == level */
		ck_assert_int_eq(zp_cv_writer_write(wr, buf, W * 3), 0);
	}
	zp_cv_writer_close(wr);

	s = open_ok(path, 0);
	ck_assert_double_eq_tol(zp_source_fps(s), 25, 1e-9);
	ck_assert_int_eq(zp_source_frame_count(s), N);
	zp_source_size(s, &w, &h);
	ck_assert_int_eq(w, W);
	ck_assert_int_eq(h, H);
	while (zp_source_next(s, &f, 100) == 0) {
		n++;
		ck_assert_int_eq(f.seq, n);
		ck_assert_int_eq(f.t_ms, (n - 1) * 40);
		ck_assert_int_eq(f.width, W);
		ck_assert_int_eq(f.height, H);
		ck_assert_int_ge(f.stride, W);
		ck_assert_ptr_nonnull(f.bgr);
		ck_assert_int_ge(f.bgr_stride, 3 * W);
		check_luma(&f, 20 + 18 * (n - 1), 2); /* MJPG is lossy; a solid frame nearly exact */
		ck_assert_int_le(abs(f.bgr[0] - (20 + 18 * (n - 1))), 2);
	}
	ck_assert_int_eq(n, N);
	ck_assert_int_eq(zp_source_next(s, &f, 100), ZP_EOF);
	ck_assert_int_eq(zp_source_next(s, &f, 100), ZP_EOF);
	zp_source_free(s);

	/* fps_override wins over the file's rate */
	s = open_ok(path, 7.5);
	ck_assert_double_eq_tol(zp_source_fps(s), 7.5, 1e-12);
	for (n = 1; zp_source_next(s, &f, 0) == 0; n++)
		ck_assert_int_eq(f.t_ms, llround((n - 1) * 1000.0 / 7.5));
	ck_assert_int_eq(n - 1, N);
	zp_source_free(s);
	zp_source_free(NULL);
	zp_test_tmpdir_remove(dir);
}
END_TEST

START_TEST(image_folder_in_order_exact_luma)
{
	enum { W = 33, H = 17 };
	char dir[64];
	zp_source *s;
	zp_frame f;
	int w, h, b, g, r, n = 0;

	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	/* written out of order; numbering from 1, CDnet-style names */
	const int order[] = { 3, 1, 5, 2, 4 };
	for (int i = 0; i < 5; i++) {
		char name[32];

		snprintf(name, sizeof(name), "in%06d.png", order[i]);
		write_image(dir, name, order[i], W, H);
	}
	s = open_ok(dir, 0);
	ck_assert_double_eq_tol(zp_source_fps(s), 25, 1e-12);
	ck_assert_int_eq(zp_source_frame_count(s), 5);
	zp_source_size(s, &w, &h);
	ck_assert_int_eq(w, W);
	ck_assert_int_eq(h, H);
	while (zp_source_next(s, &f, 0) == 0) {
		n++;
		colour_of(n, &b, &g, &r);
		ck_assert_int_eq(f.seq, n);
		ck_assert_int_eq(f.t_ms, (n - 1) * 40);
		check_luma(&f, luma_of(b, g, r), 0); /* PNG: exact */
		ck_assert_int_eq(f.bgr[0], b);
		ck_assert_int_eq(f.bgr[1], g);
		ck_assert_int_eq(f.bgr[2], r);
	}
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(zp_source_next(s, &f, 0), ZP_EOF);
	ck_assert_ptr_nonnull(strstr(zp_source_error(s), "end of recording"));
	zp_source_free(s);
	zp_test_tmpdir_remove(dir);
}
END_TEST

START_TEST(image_folder_from_zero_with_gaps_and_strays)
{
	char dir[64], path[128];
	const int nums[] = { 10, 0, 2, 7 };
	const int expect[] = { 0, 2, 7, 10 };
	zp_source *s;
	zp_frame f;
	int b, g, r, n = 0;

	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	for (int i = 0; i < 4; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%06d.png", nums[i]);
		write_image(dir, name, nums[i], 8, 6);
	}
	/* ignored: a non-image, a smaller series with another prefix, a name without a number, hidden */
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	zp_test_write_text(path, "x");
	write_image(dir, "thumb000001.png", 99, 4, 4);
	write_image(dir, "ROI.bmp", 98, 4, 4);
	write_image(dir, ".000003.png", 97, 4, 4);

	s = open_ok(dir, 12.5);
	ck_assert_int_eq(zp_source_frame_count(s), 4);
	while (zp_source_next(s, &f, 0) == 0) {
		colour_of(expect[n], &b, &g, &r);
		n++;
		ck_assert_int_eq(f.seq, n);
		ck_assert_int_eq(f.t_ms, (n - 1) * 80); /* 12.5 fps */
		check_luma(&f, luma_of(b, g, r), 0);
	}
	ck_assert_int_eq(n, 4);
	zp_source_free(s);
	zp_test_tmpdir_remove(dir);
}
END_TEST


/* stderr into a file while fn runs; the text it got. */
static char *stderr_of_open(const char *path)
{
	static char buf[8192];
	char log[64];
	int fd, saved;
	ssize_t n;
	zp_source *s;

	snprintf(log, sizeof(log), "/tmp/zp_capfile_log.%d", (int)getpid());
	fflush(stderr);
	saved = dup(2);
	fd = open(log, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	dup2(fd, 2);
	s = open_ok(path, 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	zp_source_free(s);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(log);
	return buf;
}

/* Skipped files are not silent: gaps in the numbers and frames of another extension are warned about, naming the folder. */
START_TEST(image_folder_gaps_and_strays_are_warned)
{
	char dir[64];
	const char *log;

	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	write_image(dir, "000001.png", 1, 8, 6);
	write_image(dir, "000002.png", 2, 8, 6);
	write_image(dir, "000005.png", 5, 8, 6);
	write_image(dir, "000009.png", 9, 8, 6);
	write_image(dir, "000003.jpg", 3, 8, 6);     /* mixed extensions: another series */
	log = stderr_of_open(dir);
	ck_assert_msg(strstr(log, "5 numbers missing in 2 gaps (the first after 000002.png)") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "1 numbered files of the same name with another extension are skipped") != NULL, "%s", log);
	ck_assert_msg(strstr(log, dir) != NULL, "%s", log);
	zp_test_tmpdir_remove(dir);

	/* a clean folder says nothing */
	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	write_image(dir, "000001.png", 1, 8, 6);
	write_image(dir, "000002.png", 2, 8, 6);
	log = stderr_of_open(dir);
	ck_assert_str_eq(log, "");
	zp_test_tmpdir_remove(dir);
}
END_TEST

/* Limits: frames over the camera's 8192 pixels a side, a FIFO, a device: refused at open, named. */
START_TEST(limits_frame_size_fifo_device)
{
	char dir[64], path[128], err[300];

	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	write_image(dir, "000001.png", 1, 8193, 4);
	ck_assert_int_eq(open_fails(dir, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "PNG header declares 8193x4 frames: more than 8192 pixels a side") != NULL, "%s", err);
	zp_test_tmpdir_remove(dir);

	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	write_image(dir, "000001.png", 1, 8192, 4);   /* the limit itself is fine */
	zp_source_free(open_ok(dir, 0));
	snprintf(path, sizeof(path), "%s/fifo.mp4", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(open_fails(path, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "got a FIFO") != NULL, "%s", err);
	unlink(path);
	zp_test_tmpdir_remove(dir);
	ck_assert_int_eq(open_fails("/dev/null", err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "/dev/null: expected a video file or a folder of images, got a device") != NULL, "%s",
		      err);
}
END_TEST

START_TEST(cdnet_folder_uses_input)
{
	char dir[64], sub[128];
	zp_source *s;
	zp_frame f;
	int b, g, r, n = 0;

	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	snprintf(sub, sizeof(sub), "%s/input", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/groundtruth", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	write_image(sub, "gt000001.png", 50, 16, 16);
	write_image(sub, "gt000002.png", 51, 16, 16);
	write_image(sub, "gt000003.png", 52, 16, 16);
	write_image(dir, "ROI.bmp", 60, 16, 16);
	snprintf(sub, sizeof(sub), "%s/input", dir);
	for (int k = 1; k <= 2; k++) {
		char name[32];

		snprintf(name, sizeof(name), "in%06d.jpg", k);
		write_image(sub, name, k, 24, 16);
	}
	s = open_ok(dir, 0);
	ck_assert_int_eq(zp_source_frame_count(s), 2);
	while (zp_source_next(s, &f, 0) == 0) {
		n++;
		colour_of(n, &b, &g, &r);
		ck_assert_int_eq(f.width, 24);
		check_luma(&f, luma_of(b, g, r), 2); /* JPEG: lossy, solid colour nearly exact */
	}
	ck_assert_int_eq(n, 2);
	zp_source_free(s);
	zp_test_tmpdir_remove(dir);
}
END_TEST

START_TEST(errors_missing_undecodable_empty)
{
	char dir[64], path[128], err[256] = "", want[320];

	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	snprintf(path, sizeof(path), "%s/missing.avi", dir);
	ck_assert_int_eq(open_fails(path, err, sizeof(err)), ZP_ENODEV);
	snprintf(want, sizeof(want), "%s: no such file or folder", path);
	ck_assert_str_eq(err, want);

	snprintf(path, sizeof(path), "%s/text.avi", dir);
	zp_test_write_text(path, "I am a text file, not a video\n");
	ck_assert_int_eq(open_fails(path, err, sizeof(err)), ZP_EFORMAT);
	snprintf(want, sizeof(want), "%s: cannot decode as video (", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s'", err);
	ck_assert_int_eq(err[strlen(err) - 1], ')');

	snprintf(path, sizeof(path), "%s/empty", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(open_fails(path, err, sizeof(err)), ZP_EINVAL);
	snprintf(want, sizeof(want), "%s: no numbered images (expected e.g. in000001.jpg)", path);
	ck_assert_str_eq(err, want);

	/* files, but none numbered */
	write_image(path, "ROI.png", 1, 4, 4);
	snprintf(want, sizeof(want), "%s/readme.txt", path);
	zp_test_write_text(want, "x");
	ck_assert_int_eq(open_fails(path, err, sizeof(err)), ZP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "no numbered images"));

	/* an empty CDnet input/ */
	snprintf(path, sizeof(path), "%s/cdnet", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(want, sizeof(want), "%s/cdnet/input", dir);
	ck_assert_int_eq(mkdir(want, 0700), 0);
	ck_assert_int_eq(open_fails(path, err, sizeof(err)), ZP_EINVAL);
	snprintf(want, sizeof(want), "%s: no numbered images (expected e.g. in000001.jpg)", path);
	ck_assert_str_eq(err, want);

	ck_assert_int_eq(open_fails("", err, sizeof(err)), ZP_EINVAL);
	ck_assert_ptr_null(zp_source_open_file(dir, -1, NULL, err, sizeof(err)));
	zp_test_tmpdir_remove(dir);
}
END_TEST

START_TEST(errors_in_folder_name_the_file)
{
	char dir[64], path[128], err[256] = "";
	zp_source *s;
	zp_frame f;
	int code;

	/* a frame of another size */
	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	write_image(dir, "in000001.png", 1, 32, 24);
	write_image(dir, "in000002.png", 2, 40, 24);
	write_image(dir, "in000003.png", 3, 32, 24);
	s = open_ok(dir, 0);
	ck_assert_int_eq(zp_source_next(s, &f, 0), 0);
	ck_assert_int_eq(zp_source_next(s, &f, 0), ZP_EFORMAT);
	ck_assert_ptr_nonnull(strstr(zp_source_error(s), "in000002.png"));
	ck_assert_ptr_nonnull(strstr(zp_source_error(s), "40x24"));
	ck_assert_int_eq(zp_source_next(s, &f, 0), 0); /* the next good one still comes, with the next seq */
	ck_assert_int_eq(f.seq, 2);
	ck_assert_int_eq(zp_source_next(s, &f, 0), ZP_EOF);
	zp_source_free(s);
	zp_test_tmpdir_remove(dir);

	/* an undecodable image in the middle */
	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	write_image(dir, "in000001.png", 1, 32, 24);
	snprintf(path, sizeof(path), "%s/in000002.png", dir);
	zp_test_write_text(path, "not a png");
	s = open_ok(dir, 0);
	ck_assert_int_eq(zp_source_next(s, &f, 0), 0);
	ck_assert_int_eq(zp_source_next(s, &f, 0), ZP_EFORMAT);
	ck_assert_ptr_nonnull(strstr(zp_source_error(s), path));
	zp_source_free(s);

	/* the first image undecodable: open fails naming it */
	snprintf(path, sizeof(path), "%s/in000000.png", dir);
	zp_test_write_text(path, "not a png either");
	code = open_fails(dir, err, sizeof(err));
	ck_assert_int_eq(code, ZP_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err, path));
	zp_test_tmpdir_remove(dir);

	/* two files with the same number */
	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	write_image(dir, "in1.png", 1, 8, 8);
	write_image(dir, "in01.png", 1, 8, 8);
	ck_assert_int_eq(open_fails(dir, err, sizeof(err)), ZP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "two images numbered 1"));
	zp_test_tmpdir_remove(dir);
}
END_TEST

/* Also the throughput figure for the report: frames/s through zp_source (decode + luma). */
START_TEST(vtest_795_frames)
{
	const char *p = zp_test_vtest();
	struct timespec a, b;
	zp_source *s;
	zp_frame f;
	int n = 0, rc;
	double dt;

	if (!p)
		return;
	s = open_ok(p, 0);
	ck_assert_int_eq(zp_source_frame_count(s), 795);
	ck_assert_double_eq_tol(zp_source_fps(s), 10, 1e-9);
	clock_gettime(CLOCK_MONOTONIC, &a);
	while ((rc = zp_source_next(s, &f, 0)) == 0) {
		n++;
		ck_assert_int_eq(f.width, 768);
		ck_assert_int_eq(f.height, 576);
		ck_assert_int_eq(f.seq, n);
		ck_assert_int_eq(f.t_ms, (n - 1) * 100);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_int_eq(rc, ZP_EOF);
	ck_assert_int_eq(n, 795);
	dt = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	fprintf(stderr, "vtest.avi through zp_source: %d frames in %.2f s = %.0f frames/s\n", n, dt, n / dt);
	zp_source_free(s);
}
END_TEST

static void shared_sequence(const char *folder, long frames, int width, int height)
{
	const char *d = zp_test_shared_data();
	char path[512];
	zp_source *s;
	zp_frame f;
	long n = 0;
	int rc;

	if (!d)
		return;
	snprintf(path, sizeof(path), "%s/%s", d, folder);
	if (access(path, F_OK) != 0) {
		fprintf(stderr, "SKIP: %s not present\n", path);
		return;
	}
	s = open_ok(path, 0);
	ck_assert_int_eq(zp_source_frame_count(s), frames);
	while ((rc = zp_source_next(s, &f, 0)) == 0) {
		n++;
		ck_assert_int_eq(f.width, width);
		ck_assert_int_eq(f.height, height);
		ck_assert_int_eq(f.seq, n);
	}
	ck_assert_msg(rc == ZP_EOF, "%s", zp_source_error(s));
	ck_assert_int_eq(n, frames);
	ck_assert_int_eq(f.t_ms, llround((double)(frames - 1) * 40.0));
	zp_source_free(s);
}

START_TEST(shared_cdnet_pedestrians)
{
	shared_sequence("cdnet2014_baseline_pedestrians", 1099, 360, 240);
}
END_TEST

START_TEST(shared_pets2001_from_zero)
{
	shared_sequence("pets2001_dataset3_camera1_320x240", 1823, 320, 240);
}
END_TEST

/* ---- frame sizes from the headers, before any decoder runs ---- */

/* zp_header_size() of a whole file through a descriptor; the format's name (or "none"). */
static const char *header_of(const char *path, int *w, int *h)
{
	const char *fmt;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(zp_header_size(zp_read_at_fd, &fd, &fmt, w, h), 0);
	close(fd);
	return fmt ? fmt : "none";
}

/* A small video written by OpenCV (FFmpeg's AVI and MP4 muxers): frames of level 100. */
static void write_clip(const char *path, int w, int h, int n)
{
	char err[256] = "";
	uint8_t *buf = malloc((size_t)w * h * 3);
	zp_cv_writer *wr = zp_cv_writer_open(path, 10, w, h, err, sizeof(err));

	ck_assert_ptr_nonnull(buf);
	ck_assert_msg(wr != NULL, "%s", err);
	memset(buf, 100, (size_t)w * h * 3);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(zp_cv_writer_write(wr, buf, w * 3), 0);
	zp_cv_writer_close(wr);
	free(buf);
}

static uint8_t *find(uint8_t *b, size_t n, const char *what, size_t from)
{
	size_t k = strlen(what);

	for (size_t i = from; i + k <= n; i++)
		if (!memcmp(b + i, what, k))
			return b + i;
	ck_abort_msg("'%s' not found", what);
	return NULL;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

static void write_bytes(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fwrite(b, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/*
 * An MJPEG AVI whose every header says W x H: avih, strf and the first
 * frame's own JPEG SOF (which is what FFmpeg's decoder allocates by). The
 * scan data stays that of a 64x48 frame, so the file is small.
 */
static void write_claiming_avi(const char *path, const char *tmpl, uint32_t w, uint32_t h)
{
	size_t n = 0;
	uint8_t *b = (uint8_t *)zp_test_slurp(tmpl, &n), *p;

	ck_assert_ptr_nonnull(b);
	p = find(b, n, "avih", 0);
	put_le32(p + 8 + 32, w);
	put_le32(p + 8 + 36, h);
	p = find(b, n, "strf", 0);
	put_le32(p + 8 + 4, w);
	put_le32(p + 8 + 8, h);
	p = find(b, n, "00dc", 0);
	p = find(b, n, "\xff\xc0", (size_t)(p - b));
	put_be16(p + 5, h);
	put_be16(p + 7, w);
	write_bytes(path, b, n);
	free(b);
}

/*
 * A baseline JPEG of w x h mid-grey pixels (w x h / 64 a multiple of 4), made
 * by hand as MJPEG frames often are: no Huffman tables (the decoder uses the
 * standard ones, JPEG Annex K), one grey component. Every 8x8 block is "DC
 * difference 0" (00) + "end of block" (1010): 6 bits, so 16000x16000 takes
 * 3 MB. Its length in *len; malloc'd.
 */
static uint8_t *grey_jpeg(int w, int h, size_t *len)
{
	static const uint8_t sos[] = { 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00 };
	size_t quads = ((size_t)w / 8) * ((size_t)h / 8) / 4;   /* 4 blocks = 24 bits = 3 bytes */
	size_t n = 2 + 69 + 13 + sizeof(sos) + quads * 3 + 2;
	uint8_t *b = malloc(n), *p = b;

	ck_assert_ptr_nonnull(b);
	memcpy(p, "\xFF\xD8\xFF\xDB\x00\x43\x00", 7);   /* SOI, DQT table 0: all ones */
	memset(p + 7, 1, 64);
	p += 71;
	/* SOF0: length 11, 8 bits, height, width, 1 component (id 1, 1x1, table 0) */
	memcpy(p, "\xFF\xC0\x00\x0B\x08", 5);
	put_be16(p + 5, (uint32_t)h);
	put_be16(p + 7, (uint32_t)w);
	memcpy(p + 9, "\x01\x01\x11\x00", 4);
	p += 13;
	memcpy(p, sos, sizeof(sos));
	p += sizeof(sos);
	for (size_t i = 0; i < quads; i++, p += 3)
		memcpy(p, "\x28\xA2\x8A", 3);   /* 001010 001010 001010 001010 */
	p[0] = 0xFF;
	p[1] = 0xD9;
	*len = n;
	return b;
}

/* An MJPEG AVI of one frame, the JPEG above, with w x h in every header (no index: FFmpeg reads it without). */
static void write_grey_avi(const char *path, int w, int h)
{
	size_t jn, n;
	uint8_t *jpg = grey_jpeg(w, h, &jn);
	size_t jpad = jn + (jn & 1);
	uint8_t *b, *p;

	n = 12 + 12 + 64 + 12 + 64 + 48 + 12 + 8 + jpad;
	b = calloc(1, n);
	ck_assert_ptr_nonnull(b);
	p = b;
	memcpy(p, "RIFF", 4), put_le32(p + 4, (uint32_t)(n - 8)), memcpy(p + 8, "AVI ", 4), p += 12;
	memcpy(p, "LIST", 4), put_le32(p + 4, 4 + 64 + 12 + 64 + 48), memcpy(p + 8, "hdrl", 4), p += 12;
	memcpy(p, "avih", 4), put_le32(p + 4, 56);
	put_le32(p + 8, 100000), put_le32(p + 8 + 16, 1), put_le32(p + 8 + 24, 1);
	put_le32(p + 8 + 32, (uint32_t)w), put_le32(p + 8 + 36, (uint32_t)h), p += 64;
	memcpy(p, "LIST", 4), put_le32(p + 4, 4 + 64 + 48), memcpy(p + 8, "strl", 4), p += 12;
	memcpy(p, "strh", 4), put_le32(p + 4, 56), memcpy(p + 8, "vidsMJPG", 8);
	put_le32(p + 8 + 20, 1), put_le32(p + 8 + 24, 10), put_le32(p + 8 + 32, 1), p += 64;
	memcpy(p, "strf", 4), put_le32(p + 4, 40), put_le32(p + 8, 40);
	put_le32(p + 12, (uint32_t)w), put_le32(p + 16, (uint32_t)h), p[20] = 1, p[22] = 24;
	memcpy(p + 24, "MJPG", 4), p += 48;
	memcpy(p, "LIST", 4), put_le32(p + 4, (uint32_t)(4 + 8 + jpad)), memcpy(p + 8, "movi", 4), p += 12;
	memcpy(p, "00dc", 4), put_le32(p + 4, (uint32_t)jn), memcpy(p + 8, jpg, jn);
	write_bytes(path, b, n);
	free(b);
	free(jpg);
}

/* The headers of files OpenCV writes, and of vtest.avi, say their real size. */
START_TEST(header_size_of_real_files)
{
	char dir[64], path[128];
	const char *vt = zp_test_vtest();
	int w, h;

	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	snprintf(path, sizeof(path), "%s/a.avi", dir);
	write_clip(path, 64, 48, 3);
	ck_assert_str_eq(header_of(path, &w, &h), "AVI");
	ck_assert_int_eq(w, 64);
	ck_assert_int_eq(h, 48);
	snprintf(path, sizeof(path), "%s/a.mp4", dir);
	write_clip(path, 80, 64, 3);
	ck_assert_str_eq(header_of(path, &w, &h), "MP4/MOV");
	ck_assert_int_eq(w, 80);
	ck_assert_int_eq(h, 64);
	write_image(dir, "1.png", 1, 33, 17);
	write_image(dir, "1.jpg", 1, 35, 19);
	write_image(dir, "1.bmp", 1, 37, 21);
	snprintf(path, sizeof(path), "%s/1.png", dir);
	ck_assert_str_eq(header_of(path, &w, &h), "PNG");
	ck_assert(w == 33 && h == 17);
	snprintf(path, sizeof(path), "%s/1.jpg", dir);
	ck_assert_str_eq(header_of(path, &w, &h), "JPEG");
	ck_assert(w == 35 && h == 19);
	snprintf(path, sizeof(path), "%s/1.bmp", dir);
	ck_assert_str_eq(header_of(path, &w, &h), "BMP");
	ck_assert(w == 37 && h == 21);
	snprintf(path, sizeof(path), "%s/text.txt", dir);
	zp_test_write_text(path, "not a video at all, but long enough to be looked at\n");
	ck_assert_str_eq(header_of(path, &w, &h), "none");
	ck_assert(w == 0 && h == 0);
	if (vt) {
		ck_assert_str_eq(header_of(vt, &w, &h), "AVI");
		ck_assert(w == 768 && h == 576);
	}
	zp_test_tmpdir_remove(dir);
}
END_TEST

/* Every prefix of a real AVI and MP4, and bytes flipped in them: bounded, no crash, no read out of bounds. */
START_TEST(header_size_of_cut_and_damaged_files)
{
	char dir[64], path[2][128];
	const char *fmt;
	int w, h;

	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	snprintf(path[0], sizeof(path[0]), "%s/a.avi", dir);
	snprintf(path[1], sizeof(path[1]), "%s/a.mp4", dir);
	write_clip(path[0], 64, 48, 2);
	write_clip(path[1], 64, 48, 2);
	for (int k = 0; k < 2; k++) {
		size_t n = 0;
		uint8_t *b = (uint8_t *)zp_test_slurp(path[k], &n);
		struct zp_mem_file m = { b, 0 };

		for (m.n = 0; m.n <= n && m.n < 4096; m.n++) {
			ck_assert_int_eq(zp_header_size(zp_mem_read_at, &m, &fmt, &w, &h), 0);
			ck_assert(w >= 0 && h >= 0);
		}
		m.n = n;
		for (size_t i = 0; i < n && i < 2048; i++) {
			uint8_t keep = b[i];

			b[i] ^= (uint8_t)(0x55 + i);
			ck_assert_int_eq(zp_header_size(zp_mem_read_at, &m, &fmt, &w, &h), 0);
			b[i] = keep;
		}
		free(b);
	}
	zp_test_tmpdir_remove(dir);
}
END_TEST

/* Open the file at path (ctx) and report "opened" or the error; exit 0 or -code. */
static void __attribute__((noreturn)) open_in_child(void *ctx, int fd)
{
	char e[300] = "";
	int c = 0;
	zp_source *s = zp_source_open_file(ctx, 0, &c, e, sizeof(e));

	if (s)
		snprintf(e, sizeof(e), "opened");
	if (write(fd, e, strlen(e) + 1) < 0)
		_exit(3);
	_exit(s ? 0 : -c);
}

/* Peak RSS in MiB of a child that opens path (and reads its first frame) through zp_source_open_file. */
static long open_peak_mib(const char *path, char *err, size_t errlen, int *code)
{
	struct rusage ru;
	int status = zp_child_run(open_in_child, (void *)path, err, errlen, &ru);

	ck_assert(WIFEXITED(status));
	*code = -WEXITSTATUS(status);
	return ru.ru_maxrss / 1024;
}

/*
 * A file claiming 16000x16000 frames is refused from its headers, before
 * FFmpeg allocates anything of that size: the message says so, and the
 * peak memory of opening it stays near that of opening a 64x48 clip.
 */
START_TEST(oversized_video_refused_before_decoding)
{
	char dir[64], small[128], path[128], err[320];
	long base, peak;
	int code;
	size_t n = 0;
	uint8_t *b, *p;

	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	snprintf(small, sizeof(small), "%s/small.avi", dir);
	write_grey_avi(small, 64, 48);
	base = open_peak_mib(small, err, sizeof(err), &code);
	ck_assert_msg(code == 0, "%s", err);

	/* a real 16000x16000 MJPEG frame (2 MB: every block the same grey) */
	snprintf(path, sizeof(path), "%s/huge.avi", dir);
	write_grey_avi(path, 16000, 16000);
	peak = open_peak_mib(path, err, sizeof(err), &code);
	fprintf(stderr, "peak RSS opening a 64x48 AVI: %ld MiB; one claiming 16000x16000: %ld MiB\n", base, peak);
	ck_assert_msg(peak < base + 64, "opening a 16000x16000 AVI took %ld MiB (a 64x48 one: %ld MiB)", peak, base);
	ck_assert_int_eq(code, ZP_EINVAL);
	ck_assert_msg(strstr(err, "huge.avi: its AVI header declares 16000x16000 frames: more than 8192 pixels a side") &&
		      strstr(err, "refused before decoding"), "%s", err);

	/* only the first frame's JPEG header claims it (the container says 64x48): still refused */
	snprintf(small, sizeof(small), "%s/clip.avi", dir);
	write_clip(small, 64, 48, 3);
	write_claiming_avi(path, small, 64, 48);
	b = (uint8_t *)zp_test_slurp(path, &n);
	p = find(b, n, "00dc", 0);
	p = find(b, n, "\xff\xc0", (size_t)(p - b));
	put_be16(p + 5, 12000);
	write_bytes(path, b, n);
	free(b);
	ck_assert_int_eq(open_fails(path, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "declares 64x12000 frames"), "%s", err);

	/* MP4: the track header and the sample entry */
	snprintf(path, sizeof(path), "%s/huge.mp4", dir);
	write_clip(path, 64, 48, 3);
	b = (uint8_t *)zp_test_slurp(path, &n);
	p = find(b, n, "tkhd", 0);
	put_be32(p + 4 + (p[4] == 1 ? 88 : 76), 9000u << 16);
	write_bytes(path, b, n);
	free(b);
	ck_assert_int_eq(open_fails(path, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "its MP4/MOV header declares 9000x48 frames"), "%s", err);

	/* Matroska: EBML header, Segment (unknown size), Tracks, TrackEntry, Video, PixelWidth, PixelHeight */
	{
		static const uint8_t mkv[] = {
			0x1A, 0x45, 0xDF, 0xA3, 0x84, 0x42, 0x82, 0x81, 0x00,       /* EBML { DocType "\0" } */
			0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* Segment, unknown size */
			0x16, 0x54, 0xAE, 0x6B, 0x8C,                              /* Tracks, 12 bytes */
			0xAE, 0x8A,                                                /* TrackEntry, 10 */
			0xE0, 0x88,                                                /* Video, 8 */
			0xB0, 0x82, 0x3E, 0x80,                                    /* PixelWidth 16000 */
			0xBA, 0x82, 0x02, 0x00,                                    /* PixelHeight 512 */
		};

		snprintf(path, sizeof(path), "%s/huge.mkv", dir);
		write_bytes(path, mkv, sizeof(mkv));
		ck_assert_int_eq(open_fails(path, err, sizeof(err)), ZP_EINVAL);
		ck_assert_msg(strstr(err, "its Matroska header declares 16000x512 frames"), "%s", err);
	}

	/* an image folder: a JPEG whose SOF claims 9000 rows */
	zp_test_tmpdir_remove(dir);
	zp_test_tmpdir_make(dir, sizeof(dir), "capfile");
	write_image(dir, "000001.jpg", 1, 8, 6);
	snprintf(path, sizeof(path), "%s/000001.jpg", dir);
	b = (uint8_t *)zp_test_slurp(path, &n);
	p = find(b, n, "\xff\xc0", 0);
	put_be16(p + 5, 9000);
	write_bytes(path, b, n);
	free(b);
	ck_assert_int_eq(open_fails(dir, err, sizeof(err)), ZP_EINVAL);
	ck_assert_msg(strstr(err, "000001.jpg: its JPEG header declares 8x9000 frames"), "%s", err);
	zp_test_tmpdir_remove(dir);
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "core", .tests = ZP_TESTS(
			video_file_frames_times_and_luma,
			image_folder_in_order_exact_luma,
			image_folder_from_zero_with_gaps_and_strays,
			cdnet_folder_uses_input,
			image_folder_gaps_and_strays_are_warned,
			limits_frame_size_fifo_device,
			header_size_of_real_files,
			header_size_of_cut_and_damaged_files,
			oversized_video_refused_before_decoding,
			errors_missing_undecodable_empty,
			errors_in_folder_name_the_file) },
		{ .name = "recorded", .timeout_s = 240, .tests = ZP_TESTS(
			vtest_795_frames,
			shared_cdnet_pedestrians,
			shared_pets2001_from_zero) },
	};

	return zp_test_run(ZP_TEST_SUITE("capture_file", cases));
}
