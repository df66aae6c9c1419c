/* SPDX-License-Identifier: MIT */
/* Tests for the OpenCV wrapper: inputs are made here (temp dir), except opencv-doc's vtest.avi. */
#include "zp_test.h"
#include "cvwrap.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* OpenCV's BGR2GRAY for 8-bit: BT.601 in 14-bit fixed point, rounded. */
static int luma_of(int b, int g, int r)
{
	return (b * 1868 + g * 9617 + r * 4899 + 8192) >> 14;
}

static void fill_bgr(uint8_t *p, int w, int h, int stride, int b, int g, int r)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			p[y * stride + 3 * x] = (uint8_t)b;
			p[y * stride + 3 * x + 1] = (uint8_t)g;
			p[y * stride + 3 * x + 2] = (uint8_t)r;
		}
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 24;
}

START_TEST(bgr_to_gray_matches_bt601_with_strides)
{
	enum { W = 37, H = 11, BS = W * 3 + 5, GS = W + 3 };
	static uint8_t bgr[BS * H], gray[GS * H];
	uint32_t seed = 12345;

	for (size_t i = 0; i < sizeof(bgr); i++)
		bgr[i] = (uint8_t)lcg(&seed);
	/* edge values in the first pixels */
	fill_bgr(bgr, 1, 1, BS, 255, 255, 255);
	fill_bgr(bgr + 3, 1, 1, BS, 0, 0, 0);
	memset(gray, 0xAA, sizeof(gray));
	zp_cv_bgr_to_gray(bgr, BS, gray, GS, W, H);
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			const uint8_t *p = bgr + y * BS + 3 * x;

			ck_assert_int_eq(gray[y * GS + x], luma_of(p[0], p[1], p[2]));
		}
		for (int x = W; x < GS; x++)
			ck_assert_int_eq(gray[y * GS + x], 0xAA); /* padding untouched */
	}
	ck_assert_int_eq(gray[0], 255);
	ck_assert_int_eq(gray[1], 0);
}
END_TEST

START_TEST(png_roundtrip_is_exact)
{
	enum { W = 21, H = 13 };
	char dir[64], path[128], err[256];
	uint8_t bgr[W * 3 * H], grey[W * H];
	uint8_t *out = NULL;
	int w = 0, h = 0;
	uint32_t seed = 7;

	zp_test_tmpdir_make(dir, sizeof(dir), "cvwrap");
	for (size_t i = 0; i < sizeof(bgr); i++)
		bgr[i] = (uint8_t)lcg(&seed);
	for (size_t i = 0; i < sizeof(grey); i++)
		grey[i] = (uint8_t)lcg(&seed);

	snprintf(path, sizeof(path), "%s/c.png", dir);
	ck_assert_int_eq(zp_cv_imwrite(path, bgr, W, H, W * 3, 3, err, sizeof(err)), 0);
	ck_assert_int_eq(zp_cv_imread(path, 3, &out, &w, &h, err, sizeof(err)), 0);
	ck_assert_int_eq(w, W);
	ck_assert_int_eq(h, H);
	ck_assert_mem_eq(out, bgr, sizeof(bgr));
	free(out);

	snprintf(path, sizeof(path), "%s/g.png", dir);
	ck_assert_int_eq(zp_cv_imwrite(path, grey, W, H, W, 1, err, sizeof(err)), 0);
	ck_assert_int_eq(zp_cv_imread(path, 1, &out, &w, &h, err, sizeof(err)), 0);
	ck_assert_int_eq(w, W);
	ck_assert_int_eq(h, H);
	ck_assert_mem_eq(out, grey, sizeof(grey));
	free(out);
	zp_test_tmpdir_remove(dir);
}
END_TEST

START_TEST(imread_errors)
{
	char dir[64], path[128], err[256] = "";
	uint8_t *out = (uint8_t *)1;
	uint8_t px[3 * 4 * 4] = { 0 };
	int w, h;

	zp_test_tmpdir_make(dir, sizeof(dir), "cvwrap");
	snprintf(path, sizeof(path), "%s/missing.png", dir);
	ck_assert_int_eq(zp_cv_imread(path, 3, &out, &w, &h, err, sizeof(err)), ZP_ENODEV);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(err, path));

	snprintf(path, sizeof(path), "%s/junk.png", dir);
	zp_test_write_text(path, "this is not a PNG\n");
	ck_assert_int_eq(zp_cv_imread(path, 1, &out, &w, &h, err, sizeof(err)), ZP_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err, path));

	ck_assert_int_eq(zp_cv_imread(path, 2, &out, &w, &h, err, sizeof(err)), ZP_EINVAL);
	snprintf(path, sizeof(path), "%s/nodir/x.png", dir);
	ck_assert_int_ne(zp_cv_imwrite(path, px, 4, 4, 12, 3, err, sizeof(err)), 0);
	ck_assert_int_eq(zp_cv_imwrite(path, px, 4, 4, 11, 3, err, sizeof(err)), ZP_EINVAL); /* stride < 3w */
	zp_test_tmpdir_remove(dir);
}
END_TEST

START_TEST(image_handle_reuses_and_reports)
{
	char dir[64], path[128], err[256] = "";
	uint8_t a[8 * 3 * 6], b[10 * 3 * 4];
	const uint8_t *p;
	int w, h, stride;
	zp_cv_image *im = zp_cv_image_new();

	ck_assert_ptr_nonnull(im);
	zp_test_tmpdir_make(dir, sizeof(dir), "cvwrap");
	fill_bgr(a, 8, 6, 24, 10, 20, 30);
	fill_bgr(b, 10, 4, 30, 200, 100, 50);
	snprintf(path, sizeof(path), "%s/a.png", dir);
	ck_assert_int_eq(zp_cv_imwrite(path, a, 8, 6, 24, 3, err, sizeof(err)), 0);
	ck_assert_int_eq(zp_cv_image_read(im, path, &p, &w, &h, &stride, err, sizeof(err)), 0);
	ck_assert_int_eq(w, 8);
	ck_assert_int_eq(h, 6);
	for (int y = 0; y < h; y++)
		ck_assert_mem_eq(p + y * stride, a + y * 24, 24);

	snprintf(path, sizeof(path), "%s/b.bmp", dir);
	ck_assert_int_eq(zp_cv_imwrite(path, b, 10, 4, 30, 3, err, sizeof(err)), 0);
	ck_assert_int_eq(zp_cv_image_read(im, path, &p, &w, &h, &stride, err, sizeof(err)), 0);
	ck_assert_int_eq(w, 10);
	ck_assert_int_eq(h, 4);
	for (int y = 0; y < h; y++)
		ck_assert_mem_eq(p + y * stride, b + y * 30, 30);

	snprintf(path, sizeof(path), "%s/none.png", dir);
	ck_assert_int_eq(zp_cv_image_read(im, path, &p, &w, &h, &stride, err, sizeof(err)), ZP_ENODEV);
	ck_assert_ptr_nonnull(strstr(err, path));
	snprintf(path, sizeof(path), "%s/junk.jpg", dir);
	zp_test_write_text(path, "garbage");
	ck_assert_int_eq(zp_cv_image_read(im, path, &p, &w, &h, &stride, err, sizeof(err)), ZP_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err, path));
	snprintf(path, sizeof(path), "%s/empty.png", dir);
	zp_test_write_text(path, "");
	ck_assert_int_eq(zp_cv_image_read(im, path, &p, &w, &h, &stride, err, sizeof(err)), ZP_EFORMAT);
	zp_cv_image_free(im);
	zp_cv_image_free(NULL);
	zp_test_tmpdir_remove(dir);
}
END_TEST

/* Write n solid frames, frame i of grey level 30 + 20 i, to PATH; returns 0 or fails the test. */
static void write_video(const char *path, int n, int w, int h, double fps)
{
	char err[256] = "";
	uint8_t *buf = malloc((size_t)w * 3 * h);
	zp_cv_writer *wr = zp_cv_writer_open(path, fps, w, h, err, sizeof(err));

	ck_assert_msg(wr != NULL, "%s", err);
	ck_assert_ptr_nonnull(buf);
	for (int i = 0; i < n; i++) {
		int v = 30 + 20 * i;

		fill_bgr(buf, w, h, w * 3, v, v, v);
		ck_assert_int_eq(zp_cv_writer_write(wr, buf, w * 3), 0);
	}
	ck_assert_int_eq(zp_cv_writer_write(wr, buf, w * 3 - 1), ZP_EINVAL);
	/* read back: every frame there */
	ck_assert_msg(zp_cv_writer_finish(wr, err, sizeof(err)) == 0, "%s", err);
	free(buf);
}

START_TEST(writer_then_reader_roundtrip)
{
	enum { W = 64, H = 48, N = 9 };
	char dir[64], path[128], err[256] = "";
	const uint8_t *p;
	int w, h, stride, n = 0;
	uint8_t gray[W * H];
	zp_cv_video *v;

	zp_test_tmpdir_make(dir, sizeof(dir), "cvwrap");
	snprintf(path, sizeof(path), "%s/v.avi", dir);
	write_video(path, N, W, H, 12.5);
	v = zp_cv_video_open(path, err, sizeof(err));
	ck_assert_msg(v != NULL, "%s", err);
	ck_assert_double_eq_tol(zp_cv_video_fps(v), 12.5, 1e-6);
	ck_assert_int_eq(zp_cv_video_frame_count(v), N);
	while (zp_cv_video_read(v, &p, &w, &h, &stride) == 0) {
		ck_assert_int_eq(w, W);
		ck_assert_int_eq(h, H);
		ck_assert_int_ge(stride, W * 3);
		zp_cv_bgr_to_gray(p, stride, gray, W, W, H);
		for (int i = 0; i < W * H; i++)
			ck_assert_int_le(abs(gray[i] - (30 + 20 * n)), 2); /* MJPG is lossy; solid colour nearly exact */
		n++;
	}
	ck_assert_int_eq(n, N);
	ck_assert_int_eq(zp_cv_video_read(v, &p, &w, &h, &stride), ZP_EOF);
	zp_cv_video_close(v);
	zp_cv_video_close(NULL);

	/* .mp4 (mp4v) opens and writes too */
	snprintf(path, sizeof(path), "%s/v.mp4", dir);
	write_video(path, 3, W, H, 25);
	v = zp_cv_video_open(path, err, sizeof(err));
	ck_assert_msg(v != NULL, "%s", err);
	for (n = 0; zp_cv_video_read(v, &p, &w, &h, &stride) == 0; n++)
		ck_assert_int_eq(w, W);
	ck_assert_int_eq(n, 3);
	zp_cv_video_close(v);
	zp_test_tmpdir_remove(dir);
}
END_TEST

START_TEST(video_open_errors_name_the_file)
{
	char dir[64], path[128], err[256] = "";

	zp_test_tmpdir_make(dir, sizeof(dir), "cvwrap");
	snprintf(path, sizeof(path), "%s/missing.avi", dir);
	ck_assert_ptr_null(zp_cv_video_open(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, path));

	snprintf(path, sizeof(path), "%s/text.avi", dir);
	zp_test_write_text(path, "hello, I am a text file pretending to be a video\n");
	err[0] = '\0';
	ck_assert_ptr_null(zp_cv_video_open(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, "cannot decode as video"));

	/* a folder is not a video */
	ck_assert_ptr_null(zp_cv_video_open(dir, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, dir));

	/* writer: unknown extension, bad size */
	snprintf(path, sizeof(path), "%s/out.xyz", dir);
	ck_assert_ptr_null(zp_cv_writer_open(path, 25, 32, 32, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, ".avi"));
	snprintf(path, sizeof(path), "%s/out.avi", dir);
	ck_assert_ptr_null(zp_cv_writer_open(path, 25, 0, 32, err, sizeof(err)));
	ck_assert_ptr_null(zp_cv_writer_open(path, 0, 32, 32, err, sizeof(err)));
	/* a folder where the video should go: refused at open */
	snprintf(path, sizeof(path), "%s/sub.avi", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_ptr_null(zp_cv_writer_open(path, 25, 32, 32, err, sizeof(err)));
	ck_assert_msg(strstr(err, "sub.avi: expected a regular file for the video, got a folder") != NULL, "%s", err);
	ck_assert_int_eq(rmdir(path), 0);
	zp_cv_writer_close(NULL);
	ck_assert_int_eq(zp_cv_writer_finish(NULL, err, sizeof(err)), 0);
	zp_test_tmpdir_remove(dir);
}
END_TEST

START_TEST(vtest_opens_with_795_frames)
{
	const char *p = zp_test_vtest();
	char err[256] = "";
	const uint8_t *px;
	int w, h, stride, n = 0;
	zp_cv_video *v;

	if (!p)
		return;
	v = zp_cv_video_open(p, err, sizeof(err));
	ck_assert_msg(v != NULL, "%s", err);
	ck_assert_int_eq(zp_cv_video_frame_count(v), 795);
	ck_assert_double_eq_tol(zp_cv_video_fps(v), 10, 1e-6);
	while (zp_cv_video_read(v, &px, &w, &h, &stride) == 0) {
		ck_assert_int_eq(w, 768);
		ck_assert_int_eq(h, 576);
		n++;
	}
	ck_assert_int_eq(n, 795);
	zp_cv_video_close(v);
}
END_TEST

/* Feed a textured static background, then a square moving right; check the mask finds it. */
static void bgsub_finds_moving_square(zp_cv_bgsub_kind kind, int channels)
{
	enum { W = 96, H = 72, S = 16 };
	static uint8_t img[W * H * 3], mask[W * H];
	char err[256] = "";
	zp_cv_bgsub *b = zp_cv_bgsub_new(kind, err, sizeof(err));
	int inside = 0, outside = 0;
	int x0 = 0;

	ck_assert_msg(b != NULL, "%s: %s", zp_cv_bgsub_name(kind), err);
	for (int t = 0; t < 60; t++) {
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++)
				for (int c = 0; c < channels; c++)
					img[(y * W + x) * channels + c] = (uint8_t)(60 + ((x / 8 + y / 8) % 2) * 40 + c * 10);
		if (t >= 50) { /* a bright square enters and moves 3 px per frame */
			x0 = 10 + (t - 50) * 3;
			for (int y = 28; y < 28 + S; y++)
				for (int x = x0; x < x0 + S; x++)
					for (int c = 0; c < channels; c++)
						img[(y * W + x) * channels + c] = 240;
		}
		memset(mask, 0x55, sizeof(mask));
		ck_assert_int_eq(zp_cv_bgsub_apply(b, img, W, H, W * channels, channels, mask, W), 0);
		for (int i = 0; i < W * H; i++)
			ck_assert_msg(mask[i] == 0 || mask[i] == 255, "%s: mask value %d", zp_cv_bgsub_name(kind),
				      mask[i]);
	}
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			bool in = y >= 28 && y < 28 + S && x >= x0 && x < x0 + S;

			if (mask[y * W + x] && in)
				inside++;
			else if (mask[y * W + x])
				outside++;
		}
	ck_assert_msg(inside > S * S / 4, "%s (%d ch): only %d of %d square pixels found", zp_cv_bgsub_name(kind),
		      channels, inside, S * S);
	ck_assert_msg(outside < S * S, "%s (%d ch): %d pixels outside the square", zp_cv_bgsub_name(kind), channels,
		      outside);
	ck_assert_int_eq(zp_cv_bgsub_apply(b, img, W, H, W * channels - 1, channels, mask, W), ZP_EINVAL);
	zp_cv_bgsub_free(b);
}

START_TEST(bgsub_kinds_find_a_moving_square)
{
	zp_cv_set_threads(1);
	for (int k = ZP_CV_MOG2; k <= ZP_CV_CNT; k++) {
		bgsub_finds_moving_square((zp_cv_bgsub_kind)k, 3);
		bgsub_finds_moving_square((zp_cv_bgsub_kind)k, 1);
	}
	ck_assert_str_eq(zp_cv_bgsub_name(ZP_CV_MOG2), "mog2");
	ck_assert_str_eq(zp_cv_bgsub_name(ZP_CV_KNN), "knn");
	ck_assert_str_eq(zp_cv_bgsub_name(ZP_CV_GSOC), "gsoc");
	ck_assert_str_eq(zp_cv_bgsub_name(ZP_CV_MOG), "mog");
	ck_assert_str_eq(zp_cv_bgsub_name(ZP_CV_CNT), "cnt");
	zp_cv_bgsub_free(NULL);
}
END_TEST

/* MOG2 marks a darker copy of the background as shadow (127); the wrapper must return 0 there. */
START_TEST(mog2_shadow_becomes_background)
{
	enum { W = 64, H = 48 };
	static uint8_t img[W * H * 3], mask[W * H];
	char err[256] = "";
	zp_cv_bgsub *b = zp_cv_bgsub_new(ZP_CV_MOG2, err, sizeof(err));
	int shadow_fg = 0, bright_fg = 0;

	ck_assert_ptr_nonnull(b);
	for (int t = 0; t < 40; t++) {
		fill_bgr(img, W, H, W * 3, 180, 180, 180);
		if (t == 39) {
			for (int y = 10; y < 30; y++) {
				fill_bgr(img + y * W * 3 + 5 * 3, 20, 1, W * 3, 135, 135, 135);   /* 0.75: shadow */
				fill_bgr(img + y * W * 3 + 35 * 3, 20, 1, W * 3, 20, 240, 20);    /* real object */
			}
		}
		ck_assert_int_eq(zp_cv_bgsub_apply(b, img, W, H, W * 3, 3, mask, W), 0);
	}
	for (int y = 10; y < 30; y++)
		for (int x = 0; x < 20; x++) {
			shadow_fg += mask[y * W + 5 + x] != 0;
			bright_fg += mask[y * W + 35 + x] == 255;
		}
	ck_assert_int_eq(shadow_fg, 0);
	ck_assert_int_eq(bright_fg, 400);
	zp_cv_bgsub_free(b);
}
END_TEST

static void apply_h(const double H[9], double x, double y, double *u, double *v)
{
	double w = H[6] * x + H[7] * y + H[8];

	*u = (H[0] * x + H[1] * y + H[2]) / w;
	*v = (H[3] * x + H[4] * y + H[5]) / w;
}

START_TEST(homography_from_four_exact_pairs)
{
	const double Href[9] = { 0.8, 0.1, 5.0, -0.05, 1.2, -3.0, 0.0005, 0.001, 1.0 };
	double img[8] = { 10, 20, 300, 25, 310, 220, 15, 240 };
	double ground[8], H[9];
	char err[256] = "";

	for (int i = 0; i < 4; i++)
		apply_h(Href, img[2 * i], img[2 * i + 1], &ground[2 * i], &ground[2 * i + 1]);
	ck_assert_int_eq(zp_cv_find_homography(img, ground, 4, H, err, sizeof(err)), 0);
	for (int i = 0; i < 9; i++)
		ck_assert_double_eq_tol(H[i], Href[i], 1e-9);

	/* more pairs, still exact: same H */
	double img6[12] = { 10, 20, 300, 25, 310, 220, 15, 240, 150, 120, 60, 200 }, ground6[12];
	for (int i = 0; i < 6; i++)
		apply_h(Href, img6[2 * i], img6[2 * i + 1], &ground6[2 * i], &ground6[2 * i + 1]);
	ck_assert_int_eq(zp_cv_find_homography(img6, ground6, 6, H, err, sizeof(err)), 0);
	for (int i = 0; i < 9; i++)
		ck_assert_double_eq_tol(H[i], Href[i], 1e-9);

	/* three of four on one line */
	const double three[8] = { 0, 0, 10, 0, 20, 0, 0, 10 };
	ck_assert_int_eq(zp_cv_find_homography(three, img, 4, H, err, sizeof(err)), ZP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "degenerate"));
	/* repeated point */
	const double rep[8] = { 0, 0, 0, 0, 20, 0, 0, 10 };
	ck_assert_int_eq(zp_cv_find_homography(rep, img, 4, H, err, sizeof(err)), ZP_EINVAL);

	/* degenerate: all on one line */
	const double line[8] = { 0, 0, 1, 1, 2, 2, 3, 3 };
	ck_assert_int_eq(zp_cv_find_homography(line, line, 4, H, err, sizeof(err)), ZP_EINVAL);
	ck_assert_int_eq(zp_cv_find_homography(img, ground, 3, H, err, sizeof(err)), ZP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "at least 4"));
}
END_TEST

START_TEST(drawing_touches_the_right_pixels)
{
	enum { W = 40, H = 30, ST = W * 3 + 4 };
	static uint8_t img[ST * H];
	const double tri[6] = { 5, 5, 30, 5, 5, 25 };
	int changed = 0;

#define PX(x, y, c) img[(y) * ST + 3 * (x) + (c)]
	memset(img, 0, sizeof(img));
	zp_cv_draw_rect(img, W, H, ST, 2, 3, 5, 4, 0x102030, -1);
	ck_assert_int_eq(PX(2, 3, 0), 0x30); /* B */
	ck_assert_int_eq(PX(2, 3, 1), 0x20);
	ck_assert_int_eq(PX(2, 3, 2), 0x10); /* R */
	ck_assert_int_eq(PX(6, 6, 2), 0x10);
	ck_assert_int_eq(PX(7, 6, 2), 0);
	ck_assert_int_eq(PX(6, 7, 2), 0);
	for (int y = 0; y < H; y++) /* row padding never written */
		for (int i = W * 3; i < ST; i++)
			ck_assert_int_eq(img[y * ST + i], 0);

	memset(img, 0, sizeof(img));
	zp_cv_draw_line(img, W, H, ST, 0, 10, 39, 10, 0xff0000, 1);
	for (int x = 0; x < W; x++)
		ck_assert_int_eq(PX(x, 10, 2), 255);
	ck_assert_int_eq(PX(5, 11, 2), 0);

	memset(img, 0, sizeof(img));
	zp_cv_draw_circle(img, W, H, ST, 20, 15, 5, 0x00ff00, -1);
	ck_assert_int_eq(PX(20, 15, 1), 255);
	ck_assert_int_eq(PX(0, 0, 1), 0);

	memset(img, 0, sizeof(img));
	zp_cv_draw_polygon(img, W, H, ST, tri, 3, 0x0000ff, -1);
	ck_assert_int_eq(PX(8, 8, 0), 255);
	ck_assert_int_eq(PX(28, 23, 0), 0);
	memset(img, 0, sizeof(img));
	zp_cv_draw_polygon(img, W, H, ST, tri, 3, 0x0000ff, 1);
	ck_assert_int_eq(PX(5, 15, 0), 255); /* on the edge */
	ck_assert_int_eq(PX(8, 8, 0), 0);    /* outline only */

	memset(img, 0, sizeof(img));
	zp_cv_draw_text(img, W, H, ST, 2, 20, "Hi", 0.5, 0xffffff);
	for (size_t i = 0; i < sizeof(img); i++)
		changed += img[i] != 0;
	ck_assert_int_gt(changed, 10);
#undef PX
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "core", .timeout_s = 120, .tests = ZP_TESTS(
			bgr_to_gray_matches_bt601_with_strides,
			png_roundtrip_is_exact,
			imread_errors,
			image_handle_reuses_and_reports,
			writer_then_reader_roundtrip,
			video_open_errors_name_the_file,
			vtest_opens_with_795_frames,
			bgsub_kinds_find_a_moving_square,
			mog2_shadow_becomes_background,
			homography_from_four_exact_pairs,
			drawing_touches_the_right_pixels) },
	};

	return zp_test_run(ZP_TEST_SUITE("cvwrap", cases));
}
