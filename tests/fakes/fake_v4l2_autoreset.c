/* SPDX-License-Identifier: MIT */
/*
 * fake_v4l2_autoreset.c - plug the fake camera in at program start, for
 * whole programs (zebrapad built against the fake libv4l2) that never call
 * fake_v4l2_reset() themselves.
 */
#include "fake_v4l2.h"

__attribute__((constructor)) static void fake_v4l2_autoreset(void)
{
	fake_v4l2_reset();
}
