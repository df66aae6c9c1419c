/* SPDX-License-Identifier: MIT */
/* capture_internal.h - the frame-source ops table; private to capture/. */
#ifndef ZP_CAPTURE_INTERNAL_H
#define ZP_CAPTURE_INTERNAL_H

#include "capture.h"

struct zp_source_ops {
	int (*next)(zp_source *s, zp_frame *f, int timeout_ms);
	double (*fps)(const zp_source *s);
	void (*size)(const zp_source *s, int *width, int *height);
	long (*frame_count)(const zp_source *s);
	void (*destroy)(zp_source *s); /* zero the frame buffers, close, free */
};

/* Every source embeds this as its first member. */
struct zp_source {
	const struct zp_source_ops *ops;
	char errmsg[256];
};

#endif
