/* SPDX-License-Identifier: MIT */
/*
 * health.c - can the camera see? Mean and spread of the luma, and whether the
 * picture still changes, measured on the camera's frame before any gain
 * compensation.
 *
 * The samples are single camera pixels on a grid (every scale-th pixel of
 * every scale-th row), not the averaged work-scale image: averaging would
 * hide the sensor noise that tells a live static scene from a frozen one.
 *
 * The verdict, first match wins: DARK (mean < dark_luma), BLINDED
 * (mean > blind_luma or stddev < flat_stddev: saturated, covered, flat),
 * FROZEN (no frame differed from its predecessor by a mean absolute
 * difference of 0.5 or more for frozen_ms), WARMUP (model not ready),
 * FOREGROUND (fg_fraction > max_fg_fraction), else OK. Problems with the
 * picture come before WARMUP so that a camera that starts covered says so.
 */
#include "detector_internal.h"

#include <math.h>

void zp_health_measure(zp_health_state *hs, const zp_pixops *ops, const uint8_t *luma, int stride, int step,
		       uint8_t *prev, int w, int h, int64_t t_ms)
{
	zp_pixstats st;
	double n = (double)w * h, var;

	ops->stats(luma, stride, step, prev, w, w, h, &st);
	hs->mean = st.sum / n;
	var = st.sum2 / n - hs->mean * hs->mean;
	hs->stddev = var > 0 ? sqrt(var) : 0;
	if (!hs->have_prev) {
		hs->have_prev = true;
		hs->mad = 0;
		hs->unchanged_since = t_ms;
		return;
	}
	hs->mad = st.sad / n;
	if (hs->mad >= 0.5)
		hs->unchanged_since = t_ms;
}

zp_health zp_health_verdict(const zp_health_state *hs, const zp_detector_params *p, int64_t t_ms, bool model_ready,
			    double fg_fraction)
{
	if (hs->mean < p->dark_luma)
		return ZP_HEALTH_DARK;
	if (hs->mean > p->blind_luma || hs->stddev < p->flat_stddev)
		return ZP_HEALTH_BLINDED;
	if (t_ms - hs->unchanged_since >= p->frozen_ms)
		return ZP_HEALTH_FROZEN;
	if (!model_ready)
		return ZP_HEALTH_WARMUP;
	if (fg_fraction > p->max_fg_fraction)
		return ZP_HEALTH_FOREGROUND;
	return ZP_HEALTH_OK;
}
