/* SPDX-License-Identifier: MIT */
/*
 * line_gpiod2.c - libgpiod 2.x's calls behind a line (Debian trixie; the
 * zp_line itself is line_gpiod.c). Chosen at build time by gpio/CMakeLists.txt when libgpiod >= 2; in CI it is
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

struct zp_gpiod_req {
	struct gpiod_line_request *req;
	unsigned int offset;
};

const char zp_gpiod_kind[] = "gpiod2";

int zp_gpiod_write(struct zp_gpiod_req *r, int value)
{
	return gpiod_line_request_set_value(r->req, r->offset,
					    value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
}

int zp_gpiod_read(struct zp_gpiod_req *r)
{
	enum gpiod_line_value v = gpiod_line_request_get_value(r->req, r->offset);

	if (v == GPIOD_LINE_VALUE_ERROR)
		return -1;
	return v == GPIOD_LINE_VALUE_ACTIVE ? 1 : 0;
}

void zp_gpiod_release(struct zp_gpiod_req *r)
{
	gpiod_line_request_release(r->req);
	free(r);
}

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

struct zp_gpiod_req *zp_gpiod_request(const char *chip, int offset, bool active_low, bool output, int initial,
				      int *rc, char *err, size_t errlen)
{
	const char *what = output ? "request output" : "request input";
	struct zp_gpiod_req *r = NULL;
	struct gpiod_chip *c = NULL;
	struct gpiod_chip_info *info;
	struct gpiod_line_settings *settings = NULL;
	struct gpiod_line_config *lcfg = NULL;
	struct gpiod_request_config *rcfg = NULL;
	char path[256], holder[64];
	unsigned int off = (unsigned int)offset;
	size_t nlines;

	if (zp_gpio_chip_path(chip, path, sizeof(path)) < 0) {
		*rc = zp_gpiod_bad_line(chip, offset, err, errlen);
		goto fail;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		*rc = zp_gpiod_oom(chip, offset, err, errlen);
		goto fail;
	}
	r->offset = off;
	c = gpiod_chip_open(path);
	if (!c) {
		*rc = zp_gpio_fail(errno, chip, offset, "open", NULL, err, errlen);
		goto fail;
	}
	info = gpiod_chip_get_info(c);
	if (!info) {
		*rc = zp_gpio_fail(errno, chip, offset, "chip info", NULL, err, errlen);
		goto fail;
	}
	nlines = gpiod_chip_info_get_num_lines(info);
	gpiod_chip_info_free(info);
	if (off >= nlines) {
		*rc = zp_seterr(err, errlen, ZP_EINVAL, "gpio chip '%s' line %d: offset out of range (the chip has %zu lines)",
				chip, offset, nlines);
		goto fail;
	}
	settings = gpiod_line_settings_new();
	lcfg = gpiod_line_config_new();
	rcfg = gpiod_request_config_new();
	if (!settings || !lcfg || !rcfg) {
		*rc = zp_gpiod_oom(chip, offset, err, errlen);
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
		*rc = zp_gpio_fail(errno, chip, offset, "line config", NULL, err, errlen);
		goto fail;
	}
	gpiod_request_config_set_consumer(rcfg, ZP_GPIO_CONSUMER);
	r->req = gpiod_chip_request_lines(c, rcfg, lcfg);
	if (!r->req) {
		int e = errno;

		*rc = zp_gpio_fail(e, chip, offset, what, e == EBUSY ? holder_of(c, off, holder, sizeof(holder)) : NULL,
				   err, errlen);
		goto fail;
	}
	gpiod_request_config_free(rcfg);
	gpiod_line_config_free(lcfg);
	gpiod_line_settings_free(settings);
	gpiod_chip_close(c);
	return r;

fail:
	if (rcfg)
		gpiod_request_config_free(rcfg);
	if (lcfg)
		gpiod_line_config_free(lcfg);
	if (settings)
		gpiod_line_settings_free(settings);
	if (c)
		gpiod_chip_close(c);
	free(r);
	return NULL;
}
