/* SPDX-License-Identifier: MIT */
/*
 * line_gpiod1.c - output/input line through libgpiod 1.x (Debian bookworm:
 * 1.6.3). Chosen at build time by gpio/CMakeLists.txt when libgpiod < 2.
 *
 * The chip may be given as a path ("/dev/gpiochip0"), a name ("gpiochip0"),
 * a number ("0") or, through gpiod_chip_open_lookup(), a label
 * ("pinctrl-bcm2711"). active_low is applied by the kernel
 * (GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW), so values here are logical.
 */
#include "line_internal.h"

#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>
#include <string.h>

struct zp_line_gpiod1 {
	struct zp_line base;
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	bool output;
};

static int gpiod1_set(zp_line *line, int value, int64_t now_ms)
{
	struct zp_line_gpiod1 *g = (struct zp_line_gpiod1 *)line;
	int tries;

	(void)now_ms;
	if (!g->output)
		return ZP_EINVAL;
	/* the value ioctl can be interrupted by a signal (SIGTERM on shutdown): retry a few times */
	for (tries = 0; tries < 3; tries++) {
		if (gpiod_line_set_value(g->line, value) == 0)
			return 0;
		if (errno != EINTR)
			break;
	}
	return zp_err_from_errno(errno);
}

static int gpiod1_get(zp_line *line)
{
	struct zp_line_gpiod1 *g = (struct zp_line_gpiod1 *)line;
	int v = gpiod_line_get_value(g->line);

	return v < 0 ? zp_err_from_errno(errno) : v;
}

static void gpiod1_free(zp_line *line)
{
	struct zp_line_gpiod1 *g = (struct zp_line_gpiod1 *)line;

	gpiod_line_release(g->line);
	gpiod_chip_close(g->chip);
	free(g);
}

static const struct zp_line_ops gpiod1_ops = {
	.kind = "gpiod1",
	.set = gpiod1_set,
	.get = gpiod1_get,
	.free = gpiod1_free,
};

/*
 * By name first: its errno is exact (ENOENT, EACCES). Only when there is no
 * such device file try the lookup (number, label), and keep the first errno
 * if that fails too, so "permission denied" is not turned into "not found".
 */
static struct gpiod_chip *open_chip(const char *chip)
{
	struct gpiod_chip *c;
	int first;

	if (strchr(chip, '/'))
		return gpiod_chip_open(chip);
	c = gpiod_chip_open_by_name(chip);
	if (c || errno != ENOENT)
		return c;
	first = errno;
	c = gpiod_chip_open_lookup(chip);
	if (!c)
		errno = first;
	return c;
}

static zp_line *gpiod1_new(const char *chip, int offset, bool active_low, bool output, int initial, int *errcode,
			   char *err, size_t errlen)
{
	const char *what = output ? "request output" : "request input";
	struct zp_line_gpiod1 *g = NULL;
	unsigned int nlines;
	int flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
	int rc, r;

	if (!chip || !*chip || offset < 0) {
		rc = zp_seterr(err, errlen, ZP_EINVAL, "gpio chip '%s' line %d: expected a chip name and a line offset >= 0",
			       chip ? chip : "", offset);
		goto fail;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		rc = zp_seterr(err, errlen, ZP_ENOMEM, "gpio chip '%s' line %d: out of memory", chip, offset);
		goto fail;
	}
	g->base.ops = &gpiod1_ops;
	g->output = output;
	g->chip = open_chip(chip);
	if (!g->chip) {
		rc = zp_gpio_fail(errno, chip, offset, "open", NULL, err, errlen);
		goto fail;
	}
	nlines = gpiod_chip_num_lines(g->chip);
	if ((unsigned int)offset >= nlines) {
		rc = zp_seterr(err, errlen, ZP_EINVAL, "gpio chip '%s' line %d: offset out of range (the chip has %u lines)",
			       chip, offset, nlines);
		goto fail_close;
	}
	g->line = gpiod_chip_get_line(g->chip, (unsigned int)offset);
	if (!g->line) {
		rc = zp_gpio_fail(errno, chip, offset, "get line", NULL, err, errlen);
		goto fail_close;
	}
	if (output)
		r = gpiod_line_request_output_flags(g->line, ZP_GPIO_CONSUMER, flags, initial ? 1 : 0);
	else
		r = gpiod_line_request_input_flags(g->line, ZP_GPIO_CONSUMER, flags);
	if (r < 0) {
		int e = errno;

		rc = zp_gpio_fail(e, chip, offset, what, e == EBUSY ? gpiod_line_consumer(g->line) : NULL, err, errlen);
		goto fail_close;
	}
	if (errcode)
		*errcode = 0;
	return &g->base;

fail_close:
	gpiod_chip_close(g->chip);
fail:
	free(g);
	if (errcode)
		*errcode = rc;
	return NULL;
}

zp_line *zp_line_gpiod_new(const char *chip, int offset, bool active_low, int initial, int *errcode, char *err,
			   size_t errlen)
{
	return gpiod1_new(chip, offset, active_low, true, initial, errcode, err, errlen);
}

zp_line *zp_line_gpiod_input_new(const char *chip, int offset, bool active_low, int *errcode, char *err,
				 size_t errlen)
{
	return gpiod1_new(chip, offset, active_low, false, 0, errcode, err, errlen);
}
