/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the recordings the daemon reads without OpenCV
 * (capture/plain.c): a YUV4MPEG2 stream read to its end, and a PGM file;
 * and the header reader that sizes every video and image before it is
 * decoded (capture/header_size.c).
 */
#include "capture_internal.h"
#include "../mem_read.h"

#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	int code, w, h;
	size_t off;
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (f) {
		zp_source *s = zp_source_open_y4m_stream(f, "fuzz.y4m", 0, &code, err, sizeof(err));

		if (s) {
			zp_frame fr;
			int n = 0;

			while (n++ < 64 && zp_source_next(s, &fr, 0) == 0)
				if (fr.luma[0] == 0x42 && fr.luma[(size_t)fr.width * (size_t)fr.height - 1] == 0x42)
					code = 1; /* touch the first and last pixel: ASan checks the size */
			zp_source_free(s);
		}
	}
	if (zp_pgm_parse(data, size, "fuzz.pgm", &w, &h, &off, err, sizeof(err)) == 0 &&
	    data[off + (size_t)w * (size_t)h - 1] == 0x42)
		code = 2;
	{
		struct zp_mem_file m = { data, size };
		const char *fmt;

		if (zp_header_size(zp_mem_read_at, &m, &fmt, &w, &h) == 0 && (w < 0 || h < 0))
			__builtin_trap();
	}
	(void)code;
	return 0;
}
