/* SPDX-License-Identifier: MIT */
/*
 * detector_y4m FILE.y4m [scalar] - every frame of a mono YUV4MPEG2 file
 * (tests/y4m_from writes one) through zp_detector_process() with the
 * detector's defaults and no zones, at 10 frames/s; prints the frame count.
 * Nothing else runs, so an instruction count of this program under qemu is
 * the detector's (scripts/count-instructions-aarch64). "scalar" takes the
 * scalar path. Exit 0, 1 with one line on a bad file.
 */
#include "detector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	char line[256], err[256];
	int w = 0, h = 0, n = 0;
	zp_detector_params p;
	zp_detector *d;
	zp_result *res = malloc(sizeof(*res));
	uint8_t *buf;
	FILE *f;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "scalar") != 0)) {
		fprintf(stderr, "usage: detector_y4m FILE.y4m [scalar]\n");
		return 1;
	}
	f = fopen(argv[1], "rb");
	if (!f || !fgets(line, sizeof(line), f) || strncmp(line, "YUV4MPEG2 ", 10) != 0 || !strstr(line, " Cmono")) {
		fprintf(stderr, "detector_y4m: %s: expected a mono YUV4MPEG2 file\n", argv[1]);
		return 1;
	}
	for (char *t = strtok(line + 10, " \n"); t; t = strtok(NULL, " \n")) {
		if (t[0] == 'W')
			w = atoi(t + 1);
		else if (t[0] == 'H')
			h = atoi(t + 1);
	}
	zp_detector_params_default(&p);
	if (argc == 3)
		p.simd = ZP_SIMD_SCALAR;
	buf = w > 0 && h > 0 ? malloc((size_t)w * h) : NULL;
	d = buf && res ? zp_detector_new(&p, NULL, 0, w, h, NULL, err, sizeof(err)) : NULL;
	if (!d) {
		fprintf(stderr, "detector_y4m: %s: %s\n", argv[1], buf && res ? err : "bad size or no memory");
		return 1;
	}
	while (fgets(line, sizeof(line), f) && strncmp(line, "FRAME", 5) == 0 && fread(buf, 1, (size_t)w * h, f) == (size_t)w * h) {
		zp_frame fr = { .luma = buf, .stride = w, .width = w, .height = h, .t_ms = (int64_t)n * 100, .seq = (uint64_t)n + 1 };

		zp_detector_process(d, &fr, res);
		n++;
	}
	printf("frames %d\n", n);
	zp_detector_free(d);
	free(buf);
	free(res);
	fclose(f);
	return 0;
}
