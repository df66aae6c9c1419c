/* SPDX-License-Identifier: MIT */
/*
 * line_gpiod2.c - output/input line through libgpiod 2.x (Debian trixie).
 * Chosen at build time by gpio/CMakeLists.txt when libgpiod >= 2; in CI it is
 * compiled and tested against the fake in tests/fakes/ (fake_gpiod2.c).
 *
 * v2 opens chips by path only: "gpiochip0" and "0" become /dev/gpiochip0.
 * The request outlives the chip handle, so the chip is closed right after
 * the request. active_low is applied by the kernel; values here are logical.
 */
#include "line_internal.h"

#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>

struct zp_line_gpiod2 {
	struct zp_line base;
	struct gpiod_line_request *req;
	unsigned int offset;
	bool output;
};

static int gpiod2_set(zp_line *line, int value, int64_t now_ms)
{
	struct zp_line_gpiod2 *g = (struct zp_line_gpiod2 *)line;
	int tries;

	(void)now_ms;
	if (!g->output)
		return ZP_EINVAL;
	/* the value ioctl can be interrupted by a signal (SIGTERM on shutdown): retry a few times */
	for (tries = 0; tries < 3; tries++) {
		if (gpiod_line_request_set_value(g->req, g->offset,
						 value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) == 0)
			return 0;
		if (errno != EINTR)
			break;
	}
	return zp_err_from_errno(errno);
}

static int gpiod2_get(zp_line *line)
{
	struct zp_line_gpiod2 *g = (struct zp_line_gpiod2 *)line;
	enum gpiod_line_value v = gpiod_line_request_get_value(g->req, g->offset);

	if (v == GPIOD_LINE_VALUE_ERROR)
		return zp_err_from_errno(errno);
	return v == GPIOD_LINE_VALUE_ACTIVE ? 1 : 0;
}

static void gpiod2_free(zp_line *line)
{
	struct zp_line_gpiod2 *g = (struct zp_line_gpiod2 *)line;

	gpiod_line_request_release(g->req);
	free(g);
}

static const struct zp_line_ops gpiod2_ops = {
	.kind = "gpiod2",
	.set = gpiod2_set,
	.get = gpiod2_get,
	.free = gpiod2_free,
};

/* Who holds a busy line, for the message; copied into buf (empty when unknown). */
static const char *holder_of(struct gpiod_chip *chip, unsigned int offset, char *buf, size_t buflen)
{
	struct gpiod_line_info *info = gpiod_chip_get_line_info(chip, offset);
	const char *c;

	buf[0] = '\0';
	if (!info)
		return buf;
	c = gpiod_line_info_get_consumer(info);
	if (c)
		zp_strlcpy(buf, c, buflen);
	gpiod_line_info_free(info);
	return buf;
}

static zp_line *gpiod2_new(const char *chip, int offset, bool active_low, bool output, int initial, int *errcode,
			   char *err, size_t errlen)
{
	const char *what = output ? "request output" : "request input";
	struct zp_line_gpiod2 *g = NULL;
	struct gpiod_chip *c = NULL;
	struct gpiod_chip_info *info;
	struct gpiod_line_settings *settings = NULL;
	struct gpiod_line_config *lcfg = NULL;
	struct gpiod_request_config *rcfg = NULL;
	char path[256], holder[64];
	unsigned int off = (unsigned int)offset;
	size_t nlines;
	int rc;

	if (!chip || offset < 0 || zp_gpio_chip_path(chip, path, sizeof(path)) < 0) {
		rc = zp_seterr(err, errlen, ZP_EINVAL, "gpio chip '%s' line %d: expected a chip name and a line offset >= 0",
			       chip ? chip : "", offset);
		goto fail;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		rc = zp_seterr(err, errlen, ZP_ENOMEM, "gpio chip '%s' line %d: out of memory", chip, offset);
		goto fail;
	}
	g->base.ops = &gpiod2_ops;
	g->offset = off;
	g->output = output;
	c = gpiod_chip_open(path);
	if (!c) {
		rc = zp_gpio_fail(errno, chip, offset, "open", NULL, err, errlen);
		goto fail;
	}
	info = gpiod_chip_get_info(c);
	if (!info) {
		rc = zp_gpio_fail(errno, chip, offset, "chip info", NULL, err, errlen);
		goto fail;
	}
	nlines = gpiod_chip_info_get_num_lines(info);
	gpiod_chip_info_free(info);
	if (off >= nlines) {
		rc = zp_seterr(err, errlen, ZP_EINVAL, "gpio chip '%s' line %d: offset out of range (the chip has %zu lines)",
			       chip, offset, nlines);
		goto fail;
	}
	settings = gpiod_line_settings_new();
	lcfg = gpiod_line_config_new();
	rcfg = gpiod_request_config_new();
	if (!settings || !lcfg || !rcfg) {
		rc = zp_seterr(err, errlen, ZP_ENOMEM, "gpio chip '%s' line %d: out of memory", chip, offset);
		goto fail;
	}
	gpiod_line_settings_set_active_low(settings, active_low);
	if (output) {
		gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT);
		gpiod_line_settings_set_output_value(settings,
						     initial ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
	} else {
		gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT);
	}
	if (gpiod_line_config_add_line_settings(lcfg, &off, 1, settings) < 0) {
		rc = zp_gpio_fail(errno, chip, offset, "line config", NULL, err, errlen);
		goto fail;
	}
	gpiod_request_config_set_consumer(rcfg, ZP_GPIO_CONSUMER);
	g->req = gpiod_chip_request_lines(c, rcfg, lcfg);
	if (!g->req) {
		int e = errno;

		rc = zp_gpio_fail(e, chip, offset, what, e == EBUSY ? holder_of(c, off, holder, sizeof(holder)) : NULL,
				  err, errlen);
		goto fail;
	}
	gpiod_request_config_free(rcfg);
	gpiod_line_config_free(lcfg);
	gpiod_line_settings_free(settings);
	gpiod_chip_close(c);
	if (errcode)
		*errcode = 0;
	return &g->base;

fail:
	if (rcfg)
		gpiod_request_config_free(rcfg);
	if (lcfg)
		gpiod_line_config_free(lcfg);
	if (settings)
		gpiod_line_settings_free(settings);
	if (c)
		gpiod_chip_close(c);
	free(g);
	if (errcode)
		*errcode = rc;
	return NULL;
}

zp_line *zp_line_gpiod_new(const char *chip, int offset, bool active_low, int initial, int *errcode, char *err,
			   size_t errlen)
{
	return gpiod2_new(chip, offset, active_low, true, initial, errcode, err, errlen);
}

zp_line *zp_line_gpiod_input_new(const char *chip, int offset, bool active_low, int *errcode, char *err,
				 size_t errlen)
{
	return gpiod2_new(chip, offset, active_low, false, 0, errcode, err, errlen);
}
