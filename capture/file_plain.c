/* SPDX-License-Identifier: MIT */
/*
 * file_plain.c - zp_source_open_file() for the daemon binary, which links
 * no OpenCV: the recordings plain.c reads (a .y4m file, a folder of numbered
 * PGM images) and a clear message for anything else. The tools binary links
 * file.c instead, which reads these the same way and the rest through
 * OpenCV (docs/camera.md, "Recordings").
 */
#include "capture_internal.h"

#include <sys/stat.h>

zp_source *zp_source_open_file(const char *path, double fps_override, int *errcode, char *err, size_t errlen)
{
	struct stat st;

	if (path && *path && stat(path, &st) == 0 && !zp_plain_probe(path)) {
		int rc = zp_seterr(err, errlen, ZP_EFORMAT,
				   "%s: the daemon reads only a .y4m file or a folder of numbered .pgm images "
				   "(convert with ffmpeg -i IN -pix_fmt gray OUT.y4m; zebrapad-tools reads videos and JPEG/PNG)",
				   path);

		if (errcode)
			*errcode = rc;
		return NULL;
	}
	return zp_source_open_plain(path, fps_override, errcode, err, errlen);
}
