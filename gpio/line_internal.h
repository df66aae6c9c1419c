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

/*
 * A libgpiod line (line_gpiod.c: the zp_line, its checks and constructors)
 * through the version's calls, in line_gpiod1.c or line_gpiod2.c: the one
 * gpio/CMakeLists.txt chooses defines these.
 */
struct zp_gpiod_req;                 /* a requested line, as the version holds it */
extern const char zp_gpiod_kind[];   /* the ops' kind: "gpiod1" or "gpiod2" */
/*
 * Open chip (a name or path, not empty) and request line offset (>= 0) as
 * an output driven to initial, or as an input; active_low by the kernel.
 * NULL with *rc and err set (zp_gpio_fail's messages) when it cannot.
 */
struct zp_gpiod_req *zp_gpiod_request(const char *chip, int offset, bool active_low, bool output, int initial,
				      int *rc, char *err, size_t errlen);
int zp_gpiod_write(struct zp_gpiod_req *r, int value);   /* logical 0/1: 0, or -1 with errno */
int zp_gpiod_read(struct zp_gpiod_req *r);               /* logical 0/1, or -1 with errno */
void zp_gpiod_release(struct zp_gpiod_req *r);

/* The messages of a chip name or offset that is no line, and of a failed allocation; return the code. */
int zp_gpiod_bad_line(const char *chip, int offset, char *err, size_t errlen);
int zp_gpiod_oom(const char *chip, int offset, char *err, size_t errlen);

#endif
