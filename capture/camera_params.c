/* SPDX-License-Identifier: MIT */
/*
 * camera_params.c - the [camera] config keys: defaults and one setter per
 * key (the key is the field name), plus `control.NAME = INTEGER` for V4L2
 * controls set after the camera is opened.
 */
#include "capture.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const zp_field fields[] = {
	ZP_TEXT_FIELD(zp_camera_params, device, true, NULL, "/dev/video0"),
	ZP_INT_FIELD(zp_camera_params, width, 16, 8192, 640),
	ZP_INT_FIELD(zp_camera_params, height, 16, 8192, 480),
	ZP_INT_FIELD(zp_camera_params, fps, 0, 240, 15),
	ZP_INT_FIELD(zp_camera_params, buffers, 3, 32, 4),
	ZP_INT_FIELD(zp_camera_params, timeout_ms, 10, 60000, 1000),
	ZP_INT_FIELD(zp_camera_params, retry_min_ms, 10, 600000, 250),
	ZP_INT_FIELD(zp_camera_params, retry_max_ms, 10, 600000, 8000),
};

void zp_camera_params_default(zp_camera_params *p)
{
	zp_fields_default(fields, ZP_FIELDS_N(fields), p, sizeof(*p));
	zp_strlcpy(p->pixelformat, "auto", sizeof(p->pixelformat)); /* a word or a fourcc: set() */
	p->simd = ZP_SIMD_AUTO;
}

#define CONTROL_PREFIX "control."

/* control.NAME: NAME is lower-case letters, digits and '_' (a V4L2 control name as listed by v4l2-ctl, or an id) */
static int set_control(zp_camera_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	const char *name = key + strlen(CONTROL_PREFIX);
	size_t n = strlen(name);
	long long v;
	char *end;
	int i;

	if (n == 0 || n >= sizeof(p->controls[0].name) || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
		return zp_seterr(err, errlen, ZP_EINVAL,
				 "expected control.NAME with NAME of lower-case letters, digits and '_' (at most %zu), got '%s'",
				 sizeof(p->controls[0].name) - 1, key);
	errno = 0;
	v = strtoll(value, &end, 10);
	while (*end && isspace((unsigned char)*end))
		end++;
	if (end == value || *end || errno == ERANGE)
		return zp_seterr(err, errlen, ZP_EINVAL, "expected an integer, got '%s'", value);
	for (i = 0; i < p->ncontrols; i++)
		if (!strcmp(p->controls[i].name, name))
			break;
	if (i == p->ncontrols) {
		if (p->ncontrols == ZP_MAX_CONTROLS)
			return zp_seterr(err, errlen, ZP_EINVAL, "too many controls (max %d)", ZP_MAX_CONTROLS);
		zp_strlcpy(p->controls[i].name, name, sizeof(p->controls[i].name));
		p->ncontrols++;
	}
	p->controls[i].value = v;
	return ZP_OK;
}

int zp_camera_params_set(zp_camera_params *p, const char *key, const char *value, char *err, size_t errlen)
{
	if (!strncmp(key, CONTROL_PREFIX, strlen(CONTROL_PREFIX)))
		return set_control(p, key, value, err, errlen);
	if (!strcmp(key, "pixelformat")) {
		size_t n = strlen(value);
		bool ok = n >= 1 && n <= 4;

		if (!strcasecmp(value, "auto")) {
			zp_strlcpy(p->pixelformat, "auto", sizeof(p->pixelformat));
			return ZP_OK;
		}
		for (size_t i = 0; ok && i < n; i++)
			ok = isalnum((unsigned char)value[i]) || value[i] == '_';
		if (!ok)
			return zp_seterr(err, errlen, ZP_EINVAL,
					 "expected auto or a V4L2 fourcc such as YUYV, GREY or MJPG, got '%s'", value);
		zp_strlcpy(p->pixelformat, value, sizeof(p->pixelformat));
		return ZP_OK;
	}
	return zp_fields_set(fields, ZP_FIELDS_N(fields), p, key, value, err, errlen);
}

zp_v4l2_io zp_v4l2_io_choose(const char *force, const char *preload)
{
	if (force && strcmp(force, "libc") == 0)
		return ZP_V4L2_IO_LIBC;
	if (force && strcmp(force, "libv4l2") == 0)
		return ZP_V4L2_IO_LIBV4L2;
	if (preload && strstr(preload, "v4l2-compat"))
		return ZP_V4L2_IO_LIBC;
	return ZP_V4L2_IO_LIBV4L2;
}
