/* SPDX-License-Identifier: MIT */
/*
 * detector_y4m FILE [scalar] - every frame of a .y4m file or PGM folder
 * (capture's plain reader, what the daemon replays; tests/y4m_from makes
 * one from any video) through zp_detector_process() with the detector's
 * defaults and no zones, at the file's frame times; prints the frame count.
 * Nothing else runs, so an instruction count of this program under qemu is
 * the detector's (scripts/count-instructions-aarch64). "scalar" takes the
 * scalar path. Exit 0, 1 with one line on a bad file.
 */
#include "capture.h"
#include "detector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	char err[300];
	int code, w, h, n = 0, rc;
	zp_detector_params p;
	zp_detector *d = NULL;
	zp_result *res = malloc(sizeof(*res));
	zp_source *s;
	zp_frame f;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "scalar") != 0)) {
		fprintf(stderr, "usage: detector_y4m FILE [scalar]\n");
		return 1;
	}
	s = zp_source_open_file(argv[1], 0, &code, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "detector_y4m: %s\n", err);
		return 1;
	}
	zp_detector_params_default(&p);
	if (argc == 3)
		p.simd = ZP_SIMD_SCALAR;
	zp_source_size(s, &w, &h);
	if (res)
		d = zp_detector_new(&p, NULL, 0, w, h, NULL, err, sizeof(err));
	if (!d) {
		fprintf(stderr, "detector_y4m: %s: %s\n", argv[1], res ? err : "out of memory");
		return 1;
	}
	while ((rc = zp_source_next(s, &f, 1000)) == 0) {
		zp_detector_process(d, &f, res);
		n++;
	}
	if (rc != ZP_EOF) {
		fprintf(stderr, "detector_y4m: %s\n", zp_source_error(s));
		return 1;
	}
	printf("frames %d\n", n);
	zp_detector_free(d);
	zp_source_free(s);
	free(res);
	return 0;
}
