/* SPDX-License-Identifier: MIT */
/*
 * y4m_from SOURCE OUT.y4m MAX_FRAMES [WIDTH HEIGHT] - a test helper: the
 * first frames of any recording the tools read (capture/file.c, OpenCV)
 * written as a mono YUV4MPEG2 file at the source's frame rate, so the daemon
 * binary (which reads only .y4m and PGM folders) can replay it; WIDTH HEIGHT:
 * the centre of each frame (at most the source's size). Exit 0, or 1 with one
 * line.
 */
#include "capture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	char err[300];
	int code, w, h, ow, oh, ox, oy;
	long max;
	zp_source *s;
	zp_frame f;
	FILE *out;

	if ((argc != 4 && argc != 6) || (max = strtol(argv[3], NULL, 10)) < 1) {
		fprintf(stderr, "usage: y4m_from SOURCE OUT.y4m MAX_FRAMES [WIDTH HEIGHT]\n");
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
	ow = argc == 6 ? atoi(argv[4]) : w;
	oh = argc == 6 ? atoi(argv[5]) : h;
	if (ow < 1 || oh < 1 || ow > w || oh > h) {
		fprintf(stderr, "y4m_from: %dx%d: expected a size within the source's %dx%d\n", ow, oh, w, h);
		fclose(out);
		zp_source_free(s);
		return 1;
	}
	ox = (w - ow) / 2;
	oy = (h - oh) / 2;
	fprintf(out, "YUV4MPEG2 W%d H%d F%ld:1000 Ip A1:1 Cmono\n", ow, oh, lround(zp_source_fps(s) * 1000));
	for (long n = 0; n < max && zp_source_next(s, &f, 1000) == 0; n++) {
		fputs("FRAME\n", out);
		for (int y = 0; y < oh; y++)
			fwrite(f.luma + (size_t)(y + oy) * (size_t)f.stride + ox, 1, (size_t)ow, out);
	}
	zp_source_free(s);
	if (fclose(out) != 0) {
		perror(argv[2]);
		return 1;
	}
	return 0;
}
