/* SPDX-License-Identifier: MIT */
/*
 * line_gpiod1.c - libgpiod 1.x's calls behind a line (Debian bookworm: 1.6.3;
 * the zp_line itself is line_gpiod.c). Chosen at build time by
 * gpio/CMakeLists.txt when libgpiod < 2.
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

struct zp_gpiod_req {
	struct gpiod_chip *chip;
	struct gpiod_line *line;
};

const char zp_gpiod_kind[] = "gpiod1";

int zp_gpiod_write(struct zp_gpiod_req *r, int value)
{
	return gpiod_line_set_value(r->line, value);
}

int zp_gpiod_read(struct zp_gpiod_req *r)
{
	return gpiod_line_get_value(r->line);
}

void zp_gpiod_release(struct zp_gpiod_req *r)
{
	gpiod_line_release(r->line);
	gpiod_chip_close(r->chip);
	free(r);
}

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

struct zp_gpiod_req *zp_gpiod_request(const char *chip, int offset, bool active_low, bool output, int initial,
				      int *rc, char *err, size_t errlen)
{
	const char *what = output ? "request output" : "request input";
	struct zp_gpiod_req *r = calloc(1, sizeof(*r));
	unsigned int nlines;
	int flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
	int ret;

	if (!r) {
		*rc = zp_gpiod_oom(chip, offset, err, errlen);
		return NULL;
	}
	r->chip = open_chip(chip);
	if (!r->chip) {
		*rc = zp_gpio_fail(errno, chip, offset, "open", NULL, err, errlen);
		goto fail;
	}
	nlines = gpiod_chip_num_lines(r->chip);
	if ((unsigned int)offset >= nlines) {
		*rc = zp_seterr(err, errlen, ZP_EINVAL, "gpio chip '%s' line %d: offset out of range (the chip has %u lines)",
				chip, offset, nlines);
		goto fail_close;
	}
	r->line = gpiod_chip_get_line(r->chip, (unsigned int)offset);
	if (!r->line) {
		*rc = zp_gpio_fail(errno, chip, offset, "get line", NULL, err, errlen);
		goto fail_close;
	}
	if (output)
		ret = gpiod_line_request_output_flags(r->line, ZP_GPIO_CONSUMER, flags, initial ? 1 : 0);
	else
		ret = gpiod_line_request_input_flags(r->line, ZP_GPIO_CONSUMER, flags);
	if (ret < 0) {
		int e = errno;

		*rc = zp_gpio_fail(e, chip, offset, what, e == EBUSY ? gpiod_line_consumer(r->line) : NULL, err, errlen);
		goto fail_close;
	}
	return r;

fail_close:
	gpiod_chip_close(r->chip);
fail:
	free(r);
	return NULL;
}
