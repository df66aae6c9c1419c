/* SPDX-License-Identifier: MIT */
/*
 * The recordings the daemon reads without OpenCV (capture/plain.c through
 * capture/file_plain.c): YUV4MPEG2 files in every 8-bit colour space it
 * takes and folders of numbered PGM images; frame times, exact luma, and a
 * one-line error naming the file for each bad input. Inputs are made here.
 */
#include "zp_test.h"
#include "capture_internal.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

static char D[64];

static void setup(void)
{
	zp_test_tmpdir_make(D, sizeof(D), "capplain");
}

static void teardown(void)
{
	zp_test_tmpdir_remove(D);
}

static uint8_t pix(int k, int x, int y)
{
	return (uint8_t)zp_hash3((uint32_t)k, (uint32_t)x, (uint32_t)y);
}

/* A Y4M file: NFRAMES frames of w x h, luma pix(k, x, y), chroma bytes 0xEE (never luma). */
static const char *write_y4m(const char *name, const char *header_tail, int w, int h, size_t chroma, int nframes)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", D, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "YUV4MPEG2 W%d H%d%s\n", w, h, header_tail);
	for (int k = 1; k <= nframes; k++) {
		fprintf(f, k % 2 ? "FRAME\n" : "FRAME Ixyz\n");
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				fputc(pix(k, x, y), f);
		for (size_t i = 0; i < chroma; i++)
			fputc(0xEE, f);
	}
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static void assert_frame(const zp_frame *f, int k, int w, int h)
{
	ck_assert_int_eq(f->width, w);
	ck_assert_int_eq(f->height, h);
	ck_assert_ptr_null(f->bgr);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			ck_assert_int_eq(f->luma[(size_t)y * (size_t)f->stride + (size_t)x], pix(k, x, y));
}

START_TEST(y4m_every_colour_space)
{
	/* odd sizes: the chroma planes round up */
	const struct { const char *tail; size_t chroma; } cs[] = {
		{ " F30000:1001 Ip A1:1 Cmono", 0 },
		{ " F30000:1001 Ip A1:1", 2 * 4 * 3 },            /* no C: 4:2:0 */
		{ " F30000:1001 C420jpeg XYSCSS=420JPEG", 2 * 4 * 3 },
		{ " F30000:1001 C420paldv", 2 * 4 * 3 },
		{ " F30000:1001 C420mpeg2", 2 * 4 * 3 },
		{ " F30000:1001 C420", 2 * 4 * 3 },
		{ " F30000:1001 C422", 2 * 4 * 5 },
		{ " F30000:1001 C444", 2 * 7 * 5 },
	};

	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		const char *p = write_y4m("a.y4m", cs[i].tail, 7, 5, cs[i].chroma, 4);
		char err[256] = "";
		int code = 1;
		zp_source *s = zp_source_open_file(p, 0, &code, err, sizeof(err));
		zp_frame f;
		int w, h;

		ck_assert_msg(s != NULL, "%s: %s", cs[i].tail, err);
		ck_assert_int_eq(code, 0);
		zp_source_size(s, &w, &h);
		ck_assert_int_eq(w, 7);
		ck_assert_int_eq(h, 5);
		ck_assert(fabs(zp_source_fps(s) - 30000.0 / 1001.0) < 1e-9);
		/* frames 2 and 4 have parameters on their FRAME line: the size does not tell the count */
		ck_assert_int_eq(zp_source_frame_count(s), -1);
		for (int k = 1; k <= 4; k++) {
			ck_assert_int_eq(zp_source_next(s, &f, 0), 0);
			ck_assert_uint_eq(f.seq, (uint64_t)k);
			ck_assert_int_eq(f.t_ms, llround((k - 1) * 1001.0 / 30.0));
			assert_frame(&f, k, 7, 5);
		}
		ck_assert_int_eq(zp_source_next(s, &f, 0), ZP_EOF);
		ck_assert_ptr_nonnull(strstr(zp_source_error(s), "end of recording after 4 frames"));
		zp_source_free(s);
	}
}
END_TEST

START_TEST(y4m_count_fps_default_and_override)
{
	FILE *f;
	char p[128], err[256];
	int code;
	zp_source *s;
	zp_frame fr;

	/* every FRAME line bare: the count comes from the size; no F: 25 fps */
	snprintf(p, sizeof(p), "%s/b.y4m", D);
	f = fopen(p, "wb");
	fprintf(f, "YUV4MPEG2 W4 H2 Cmono\n");
	for (int k = 0; k < 3; k++)
		fprintf(f, "FRAME\n%c%c%c%c%c%c%c%c", k, k, k, k, k, k, k, k);
	fclose(f);
	s = zp_source_open_file(p, 0, &code, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(zp_source_frame_count(s), 3);
	ck_assert(zp_source_fps(s) == 25.0);
	zp_source_free(s);
	s = zp_source_open_file(p, 10, &code, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	ck_assert(zp_source_fps(s) == 10.0);
	ck_assert_int_eq(zp_source_next(s, &fr, 0), 0);
	ck_assert_int_eq(zp_source_next(s, &fr, 0), 0);
	ck_assert_int_eq(fr.t_ms, 100);
	ck_assert_int_eq(fr.luma[7], 1);
	zp_source_free(s);
}
END_TEST

/* Each bad Y4M: NULL or an error from next(), exit-code class, one line naming the file and what is expected. */
START_TEST(y4m_errors_name_the_file)
{
	const struct { const char *bytes; size_t n; int at_open; int code; const char *msg; } bad[] = {
		{ "YUV4MPEG W4 H2\n", 15, 1, ZP_EFORMAT, "not a YUV4MPEG2 file" },
		{ "YUV4MPEG2 W4 Cmono\n", 19, 1, ZP_EFORMAT, "without W<width> and H<height>" },
		{ "YUV4MPEG2 W4 H2 C420p10\n", 24, 1, ZP_EFORMAT, "colour space '420p10'" },
		{ "YUV4MPEG2 W0 H2\n", 16, 1, ZP_EFORMAT, "size 0x2 out of range" },
		{ "YUV4MPEG2 W99999 H2\n", 20, 1, ZP_EFORMAT, "out of range" },
		{ "YUV4MPEG2 W4 H8193\n", 19, 1, ZP_EFORMAT, "size 4x8193 out of range (1..8192 a side" },
		{ "YUV4MPEG2 W4 H2 F30\n", 20, 1, ZP_EFORMAT, "expected F<num>:<den>" },
		{ "YUV4MPEG2 W4 H2 Cmono\nFRAME\n1234", 32, 0, ZP_EFORMAT, "frame 1 truncated (expected 8 bytes)" },
		{ "YUV4MPEG2 W4 H2 Cmono\nFRAMX\n12345678", 36, 0, ZP_EFORMAT, "frame 1: expected a 'FRAME' line" },
		{ "YUV4MPEG2 W4 H2 Cmono\nFRAME", 27, 0, ZP_EFORMAT, "frame 1: expected a 'FRAME' line" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char p[128], err[256] = "";
		int code = 0;
		FILE *f;
		zp_source *s;
		zp_frame fr;

		snprintf(p, sizeof(p), "%s/bad%zu.y4m", D, i);
		f = fopen(p, "wb");
		fwrite(bad[i].bytes, 1, bad[i].n, f);
		fclose(f);
		s = zp_source_open_plain(p, 0, &code, err, sizeof(err));
		if (bad[i].at_open) {
			ck_assert_msg(s == NULL, "case %zu opened", i);
			ck_assert_int_eq(code, bad[i].code);
		} else {
			ck_assert_msg(s != NULL, "case %zu: %s", i, err);
			ck_assert_int_eq(zp_source_next(s, &fr, 0), bad[i].code);
			zp_strlcpy(err, zp_source_error(s), sizeof(err));
			zp_source_free(s);
		}
		ck_assert_msg(strstr(err, p) == err, "case %zu: '%s' does not start with the path", i, err);
		ck_assert_msg(strstr(err, bad[i].msg) != NULL, "case %zu: '%s' lacks '%s'", i, err, bad[i].msg);
		ck_assert_ptr_null(strchr(err, '\n'));
	}
}
END_TEST

static void write_pgm(const char *name, const char *header, int w, int h, int k)
{
	char p[160];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", D, name);
	f = fopen(p, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(header, f);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			fputc(pix(k, x, y), f);
	fclose(f);
}

START_TEST(pgm_folder_in_order)
{
	char err[256], sub[128];
	int code;
	zp_source *s;
	zp_frame f;

	/* numbers out of directory order and with a gap, a comment in one header, stray files */
	write_pgm("in000010.pgm", "P5\n6 3\n255\n", 6, 3, 3);
	write_pgm("in000002.pgm", "P5 6 3 255\n", 6, 3, 1);
	write_pgm("in000007.pgm", "P5\n# made here\n6 3\n# twice\n255\n", 6, 3, 2);
	snprintf(sub, sizeof(sub), "%s/notes.txt", D);
	zp_test_write_text(sub, "not an image\n");
	ck_assert(zp_plain_probe(D));
	s = zp_source_open_file(D, 0, &code, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(zp_source_frame_count(s), 3);
	ck_assert(zp_source_fps(s) == 25.0);
	for (int k = 1; k <= 3; k++) {
		ck_assert_int_eq(zp_source_next(s, &f, 0), 0);
		ck_assert_int_eq(f.t_ms, (k - 1) * 40);
		assert_frame(&f, k, 6, 3);
	}
	ck_assert_int_eq(zp_source_next(s, &f, 0), ZP_EOF);
	zp_source_free(s);

	/* a frame of another size: the error names that file */
	write_pgm("in000011.pgm", "P5\n5 3\n255\n", 5, 3, 4);
	s = zp_source_open_file(D, 0, &code, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	for (int k = 1; k <= 3; k++)
		ck_assert_int_eq(zp_source_next(s, &f, 0), 0);
	ck_assert_int_eq(zp_source_next(s, &f, 0), ZP_EFORMAT);
	ck_assert_ptr_nonnull(strstr(zp_source_error(s), "in000011.pgm: 5x3 differs from the first frame's 6x3"));
	zp_source_free(s);
}
END_TEST

START_TEST(pgm_errors)
{
	const struct { const char *hdr; int w, h; const char *msg; } bad[] = {
		{ "P2\n2 2\n255\n", 2, 2, "not a binary PGM" },
		{ "P5\n2 2\n65535\n", 2, 2, "maxval 65535 (expected 255" },
		{ "P5\n2\n", 0, 0, "expected width, height and maxval" },
		{ "P5\n4 4\n255\n", 2, 2, "PGM truncated: 4 pixel bytes, expected 16" },
		{ "P5\n2 2\n255", 0, 0, "expected a blank after maxval" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";
		int code = 0;
		zp_source *s;

		teardown();
		setup();
		write_pgm("f1.pgm", bad[i].hdr, bad[i].w, bad[i].h, 1);
		s = zp_source_open_plain(D, 0, &code, err, sizeof(err));
		ck_assert_msg(s == NULL, "case %zu opened", i);
		ck_assert_int_eq(code, ZP_EFORMAT);
		ck_assert_msg(strstr(err, "f1.pgm") && strstr(err, bad[i].msg), "case %zu: %s", i, err);
	}
}
END_TEST

/* What the daemon does not read: refused by name, with what it reads and how to convert. */
START_TEST(daemon_refuses_video_and_jpeg)
{
	char p[128], err[400] = "";
	int code = 0;

	snprintf(p, sizeof(p), "%s/clip.avi", D);
	zp_test_write_text(p, "RIFF....AVI ");
	ck_assert_ptr_null(zp_source_open_file(p, 0, &code, err, sizeof(err)));
	ck_assert_int_eq(code, ZP_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err, "clip.avi: the daemon reads only a .y4m file or a folder of numbered .pgm"));
	ck_assert_ptr_nonnull(strstr(err, "ffmpeg"));
	/* a folder whose largest series is JPEG */
	snprintf(p, sizeof(p), "%s/in1.jpg", D);
	zp_test_write_text(p, "x");
	snprintf(p, sizeof(p), "%s/in2.jpg", D);
	zp_test_write_text(p, "x");
	write_pgm("in1.pgm", "P5 1 1 255\n", 1, 1, 1);
	ck_assert(!zp_plain_probe(D));
	ck_assert_ptr_null(zp_source_open_file(D, 0, &code, err, sizeof(err)));
	ck_assert_int_eq(code, ZP_EFORMAT);
	/* missing: as for every source */
	snprintf(p, sizeof(p), "%s/none.y4m", D);
	ck_assert_ptr_null(zp_source_open_file(p, 0, &code, err, sizeof(err)));
	ck_assert_int_eq(code, ZP_ENODEV);
	ck_assert_ptr_nonnull(strstr(err, "none.y4m: no such file or folder"));
}
END_TEST

int main(void)
{
	const struct zp_test_case cases[] = {
		{ .name = "plain", .setup = setup, .teardown = teardown, .tests = ZP_TESTS(
			y4m_every_colour_space,
			y4m_count_fps_default_and_override,
			y4m_errors_name_the_file,
			pgm_folder_in_order,
			pgm_errors,
			daemon_refuses_video_and_jpeg) },
	};

	return zp_test_run(ZP_TEST_SUITE("capture_plain", cases));
}
