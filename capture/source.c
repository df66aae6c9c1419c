/* SPDX-License-Identifier: MIT */
/* source.c - the one interface over every frame source. */
#include "capture_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
