/* SPDX-License-Identifier: MIT */
/* source.c - the one interface over every frame source. */
#include "capture_internal.h"

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
