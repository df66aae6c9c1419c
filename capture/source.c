/* SPDX-License-Identifier: MIT */
/* source.c - the one interface over every frame source. */
#include "capture_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int zp_source_next(zp_source *s, zp_frame *f, int timeout_ms)
{
	return s->ops->next(s, f, timeout_ms);
}

const char *zp_source_error(const zp_source *s)
{
	return s->errmsg;
}

double zp_source_fps(const zp_source *s)
{
	return s->ops->fps(s);
}

void zp_source_size(const zp_source *s, int *width, int *height)
{
	s->ops->size(s, width, height);
}

long zp_source_frame_count(const zp_source *s)
{
	return s->ops->frame_count(s);
}

void zp_source_free(zp_source *s)
{
	if (s)
		s->ops->destroy(s);
}

void zp_recording_frame(struct zp_recording *r, zp_frame *f, const uint8_t *bgr, int bgr_stride)
{
	r->seq++;
	f->luma = r->luma;
	f->stride = r->width;
	f->bgr = bgr;
	f->bgr_stride = bgr ? bgr_stride : 0;
	f->width = r->width;
	f->height = r->height;
	f->seq = r->seq;
	f->t_ms = llround((double)(r->seq - 1) * 1000.0 / r->fps);
}

double zp_recording_fps(const zp_source *s)
{
	return ((const struct zp_recording *)s)->fps;
}

void zp_recording_size(const zp_source *s, int *width, int *height)
{
	const struct zp_recording *r = (const struct zp_recording *)s;

	if (width)
		*width = r->width;
	if (height)
		*height = r->height;
}

long zp_recording_frame_count(const zp_source *s)
{
	return ((const struct zp_recording *)s)->count;
}

void zp_recording_free_luma(struct zp_recording *r)
{
	if (r->luma)
		explicit_bzero(r->luma, r->luma_size);
	free(r->luma);
	r->luma = NULL;
}

int zp_recording_alloc_luma(struct zp_recording *r, const char *path, char *err, size_t errlen)
{
	r->luma_size = (size_t)r->width * (size_t)r->height;
	r->luma = malloc(r->luma_size);
	if (!r->luma)
		return zp_seterr(err, errlen, ZP_ENOMEM, "%s: out of memory for %dx%d frames", path, r->width, r->height);
	return 0;
}

int zp_recording_eof(const struct zp_recording *r, const char *path, char *err, size_t errlen)
{
	return zp_seterr(err, errlen, ZP_EOF, "%s: end of recording after %llu frames", path,
			 (unsigned long long)r->seq);
}

int zp_recording_stat(const char *path, double fps_override, struct stat *st, char *err, size_t errlen)
{
	if (!(fps_override >= 0) || fps_override > 1000)
		return zp_seterr(err, errlen, ZP_EINVAL, "%s: fps %g out of range (0: from the file, up to 1000)", path,
				 fps_override);
	if (stat(path, st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return zp_seterr(err, errlen, ZP_ENODEV, "%s: no such file or folder", path);
		return zp_seterr(err, errlen, zp_err_from_errno(errno), "%s: %s", path, strerror(errno));
	}
	return 0;
}

zp_source *zp_source_opened(zp_source *s, int rc, int *errcode)
{
	if (errcode)
		*errcode = rc;
	if (!rc)
		return s;
	zp_source_free(s);
	return NULL;
}
