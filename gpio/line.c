/* SPDX-License-Identifier: MIT */
/*
 * line.c - zp_line dispatch and the helpers the libgpiod drivers share
 * (chip name -> path, errno -> message naming chip and line).
 */
#include "line_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int zp_line_set(zp_line *line, int value, int64_t now_ms)
{
	if (!line)
		return ZP_EINVAL;
	return line->ops->set(line, value ? 1 : 0, now_ms);
}

int zp_line_get(zp_line *line)
{
	if (!line)
		return ZP_EINVAL;
	return line->ops->get(line);
}

void zp_line_free(zp_line *line)
{
	if (line)
		line->ops->free(line);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int zp_gpio_chip_path(const char *chip, char *path, size_t pathlen)
{
	int n;

	if (!chip || !*chip)
		return ZP_EINVAL;
	if (strchr(chip, '/'))
		n = snprintf(path, pathlen, "%s", chip);
	else if (all_digits(chip))
		n = snprintf(path, pathlen, "/dev/gpiochip%s", chip);
	else
		n = snprintf(path, pathlen, "/dev/%s", chip);
	return n < 0 || (size_t)n >= pathlen ? ZP_EINVAL : 0;
}

int zp_gpio_fail(int errnum, const char *chip, int offset, const char *what, const char *holder, char *err,
		 size_t errlen)
{
	int code = zp_err_from_errno(errnum);

	switch (code) {
	case ZP_ENODEV:
		return zp_seterr(err, errlen, code, "gpio chip '%s' line %d: %s: no such GPIO chip (see ls /dev/gpiochip*)",
				 chip, offset, what);
	case ZP_EACCES:
		return zp_seterr(err, errlen, code,
				 "gpio chip '%s' line %d: %s: permission denied (not in group gpio?)", chip, offset,
				 what);
	case ZP_EBUSY:
		return zp_seterr(err, errlen, code, "gpio chip '%s' line %d: %s: line busy, used by '%s'", chip, offset,
				 what, holder && *holder ? holder : "another consumer or the kernel");
	case ZP_EINVAL:
		return zp_seterr(err, errlen, code, "gpio chip '%s' line %d: %s: invalid line offset or settings", chip,
				 offset, what);
	default:
		return zp_seterr(err, errlen, code, "gpio chip '%s' line %d: %s: %s", chip, offset, what,
				 strerror(errnum));
	}
}
