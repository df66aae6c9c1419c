/* SPDX-License-Identifier: MIT */
/*
 * line_gpiod.c - the zp_line of a libgpiod line, whichever version is built:
 * the checks, the retry of an interrupted write and the constructors. The
 * version's calls are behind zp_gpiod_request/write/read/release, in
 * line_gpiod1.c (libgpiod 1.x) or line_gpiod2.c (2.x); gpio/CMakeLists.txt
 * builds this file with the one it chooses.
 */
#include "line_internal.h"

#include <errno.h>
#include <stdlib.h>

struct zp_line_gpiod {
	struct zp_line base;
	struct zp_gpiod_req *req;
	bool output;
};

static int gpiod_set(zp_line *line, int value, int64_t now_ms)
{
	struct zp_line_gpiod *g = (struct zp_line_gpiod *)line;
	int tries;

	(void)now_ms;
	if (!g->output)
		return ZP_EINVAL;
	/* the value ioctl can be interrupted by a signal (SIGTERM on shutdown): retry a few times */
	for (tries = 0; tries < 3; tries++) {
		if (zp_gpiod_write(g->req, value) == 0)
			return 0;
		if (errno != EINTR)
			break;
	}
	return zp_err_from_errno(errno);
}

static int gpiod_get(zp_line *line)
{
	struct zp_line_gpiod *g = (struct zp_line_gpiod *)line;
	int v = zp_gpiod_read(g->req);

	return v < 0 ? zp_err_from_errno(errno) : v;
}

static void gpiod_free(zp_line *line)
{
	struct zp_line_gpiod *g = (struct zp_line_gpiod *)line;

	zp_gpiod_release(g->req);
	free(g);
}

static const struct zp_line_ops gpiod_ops = {
	.kind = zp_gpiod_kind,
	.set = gpiod_set,
	.get = gpiod_get,
	.free = gpiod_free,
};

int zp_gpiod_bad_line(const char *chip, int offset, char *err, size_t errlen)
{
	return zp_seterr(err, errlen, ZP_EINVAL, "gpio chip '%s' line %d: expected a chip name and a line offset >= 0",
			 chip ? chip : "", offset);
}

int zp_gpiod_oom(const char *chip, int offset, char *err, size_t errlen)
{
	return zp_seterr(err, errlen, ZP_ENOMEM, "gpio chip '%s' line %d: out of memory", chip, offset);
}

static zp_line *gpiod_new(const char *chip, int offset, bool active_low, bool output, int initial, int *errcode,
			  char *err, size_t errlen)
{
	struct zp_line_gpiod *g = NULL;
	int rc;

	if (!chip || !*chip || offset < 0) {
		rc = zp_gpiod_bad_line(chip, offset, err, errlen);
		goto fail;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		rc = zp_gpiod_oom(chip, offset, err, errlen);
		goto fail;
	}
	g->base.ops = &gpiod_ops;
	g->output = output;
	g->req = zp_gpiod_request(chip, offset, active_low, output, initial, &rc, err, errlen);
	if (!g->req)
		goto fail;
	if (errcode)
		*errcode = 0;
	return &g->base;

fail:
	free(g);
	if (errcode)
		*errcode = rc;
	return NULL;
}

zp_line *zp_line_gpiod_new(const char *chip, int offset, bool active_low, int initial, int *errcode, char *err,
			   size_t errlen)
{
	return gpiod_new(chip, offset, active_low, true, initial, errcode, err, errlen);
}

zp_line *zp_line_gpiod_input_new(const char *chip, int offset, bool active_low, int *errcode, char *err,
				 size_t errlen)
{
	return gpiod_new(chip, offset, active_low, false, 0, errcode, err, errlen);
}
