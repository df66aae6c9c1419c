/* SPDX-License-Identifier: MIT */
/*
 * line_internal.h - the ops table behind zp_line (private to gpio/ and its tests).
 *
 * Every driver embeds struct zp_line as its first member and fills in `ops`;
 * zp_line_set/get/free dispatch through it (line.c). Which libgpiod driver is
 * linked (line_gpiod1.c, line_gpiod2.c or line_nogpiod.c) is chosen at build
 * time by file, never by #ifdef.
 */
#ifndef ZP_LINE_INTERNAL_H
#define ZP_LINE_INTERNAL_H

#include "lights.h"

#define ZP_GPIO_CONSUMER "zebrapad"

struct zp_line_ops {
	const char *kind;                                       /* "sim", "gpiod1", "gpiod2" */
	int (*set)(zp_line *line, int value, int64_t now_ms);   /* value is 0 or 1 */
	int (*get)(zp_line *line);
	void (*free)(zp_line *line);
};

struct zp_line {
	const struct zp_line_ops *ops;
};

/* The sim driver's ops, so zp_line_sim_changes() can tell a sim line apart. */
extern const struct zp_line_ops zp_line_sim_ops;

/*
 * "gpiochip0" -> "/dev/gpiochip0", "0" -> "/dev/gpiochip0", a path stays as is.
 * 0, or ZP_EINVAL when the name is empty or does not fit.
 */
int zp_gpio_chip_path(const char *chip, char *path, size_t pathlen);

/*
 * The message and code for a failed open/request, from errno: names the chip
 * and line, and says what to check (group gpio, another consumer, ...).
 * `what` is e.g. "open" or "request output"; `holder` (may be NULL) is the
 * consumer that holds a busy line. Returns the zp_err.
 */
int zp_gpio_fail(int errnum, const char *chip, int offset, const char *what, const char *holder, char *err,
		 size_t errlen);

#endif
