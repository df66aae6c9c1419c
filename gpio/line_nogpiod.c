/* SPDX-License-Identifier: MIT */
/*
 * line_nogpiod.c - the libgpiod driver slot in builds without libgpiod
 * (ZP_KERNELS_ONLY cross builds, or libgpiod-dev not installed): real lines
 * report ZP_EUNSUPPORTED; the simulated line still works.
 */
#include "line_internal.h"

zp_line *zp_line_gpiod_new(const char *chip, int offset, bool active_low, int initial, int *errcode, char *err,
			   size_t errlen)
{
	int rc = zp_seterr(err, errlen, ZP_EUNSUPPORTED,
			   "gpio chip '%s' line %d: built without libgpiod (install libgpiod-dev and rebuild)",
			   chip ? chip : "", offset);

	(void)active_low;
	(void)initial;
	if (errcode)
		*errcode = rc;
	return NULL;
}

zp_line *zp_line_gpiod_input_new(const char *chip, int offset, bool active_low, int *errcode, char *err,
				 size_t errlen)
{
	return zp_line_gpiod_new(chip, offset, active_low, 0, errcode, err, errlen);
}
