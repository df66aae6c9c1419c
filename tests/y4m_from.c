/* SPDX-License-Identifier: MIT */
/*
 * y4m_from SOURCE OUT.y4m MAX_FRAMES - a test helper: the first frames of any
 * recording the tools read (capture/file.c, OpenCV) written as a mono
 * YUV4MPEG2 file at the source's frame rate, so the daemon binary (which
 * reads only .y4m and PGM folders) can replay it. Exit 0, or 1 with one line.
 */
#include "capture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	char err[300];
	int code, w, h;
	long max;
	zp_source *s;
	zp_frame f;
	FILE *out;

	if (argc != 4 || (max = strtol(argv[3], NULL, 10)) < 1) {
		fprintf(stderr, "usage: y4m_from SOURCE OUT.y4m MAX_FRAMES\n");
		return 1;
	}
	s = zp_source_open_file(argv[1], 0, &code, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "y4m_from: %s\n", err);
		return 1;
	}
	out = fopen(argv[2], "wb");
	if (!out) {
		perror(argv[2]);
		zp_source_free(s);
		return 1;
	}
	zp_source_size(s, &w, &h);
	fprintf(out, "YUV4MPEG2 W%d H%d F%ld:1000 Ip A1:1 Cmono\n", w, h, lround(zp_source_fps(s) * 1000));
	for (long n = 0; n < max && zp_source_next(s, &f, 1000) == 0; n++) {
		fputs("FRAME\n", out);
		for (int y = 0; y < h; y++)
			fwrite(f.luma + (size_t)y * (size_t)f.stride, 1, (size_t)w, out);
	}
	zp_source_free(s);
	if (fclose(out) != 0) {
		perror(argv[2]);
		return 1;
	}
	return 0;
}
