/* SPDX-License-Identifier: MIT */
/*
 * crossings.c - people who crossed a crossing zone from one kerb to the
 * other, ground truth against the detector (see eval.h for the rule).
 *
 * The ground truth is judged frame by frame with the rule the detector
 * applies to its tracks, the same function (zp_crossing_step(),
 * calibration.h), so that the two numbers can be compared: a difference is
 * the detector's, not a difference of definitions.
 */
#include "eval.h"
#include "eval_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct id_kerb {
	int id;
	zp_crossing_memory m; /* its kerb and road, for this crossing zone only */
	uint64_t last;        /* the frame (internal count) it was last judged on */
};

struct zp_eval_crossings {
	bool sides;
	uint64_t frame;      /* frames seen, 1 on the first */
	uint64_t gt[2], detected[2];
	struct id_kerb *ids; /* sorted by id */
	size_t n, cap;
};

zp_eval_crossings *zp_eval_crossings_new(void)
{
	return calloc(1, sizeof(zp_eval_crossings));
}

void zp_eval_crossings_free(zp_eval_crossings *c)
{
	if (!c)
		return;
	free(c->ids);
	free(c);
}

/*
 * One person's ground point this frame, for crossing zone z: the waiting
 * zones and z itself, the other crossing zones left out (each has its own
 * zp_eval_crossings, and a crossing through one does not complete another).
 */
static void judge(zp_eval_crossings *c, struct id_kerb *s, const zp_zone *zones, int nzones, int z,
		  const zp_eval_box *b)
{
	int crossed[ZP_MAX_ZONES][2] = { { 0 } };
	uint32_t in = 0;

	for (int k = 0; k < nzones && k < ZP_MAX_ZONES; k++)
		if ((k == z || zones[k].role == ZP_ROLE_WAITING) && zp_eval_box_in_zone(&zones[k], b))
			in |= 1u << k;
	zp_crossing_step(&s->m, zones, nzones < ZP_MAX_ZONES ? nzones : ZP_MAX_ZONES, in, crossed);
	c->gt[0] += (uint64_t)crossed[z][0];
	c->gt[1] += (uint64_t)crossed[z][1];
}

int zp_eval_crossings_frame(zp_eval_crossings *c, const zp_zone *zones, int nzones, int z, const zp_eval_box *gt,
			    int ngt, const int detected[2])
{
	if (!zp_zone_has_sides(zones, nzones, z))
		return 0;
	c->sides = true;
	c->frame++;
	for (int d = 0; d < 2; d++)
		if (detected[d] > 0)
			c->detected[d] += (uint64_t)detected[d];
	for (int i = 0; i < ngt; i++) {
		void *a = c->ids;
		struct id_kerb *s = zp_eval_id_slot(&a, &c->n, &c->cap, sizeof(*c->ids), gt[i].id);

		c->ids = a;
		if (!s)
			return ZP_ENOMEM;
		if (s->last == c->frame)
			continue; /* an id given twice in a frame is judged once */
		s->last = c->frame;
		judge(c, s, zones, nzones, z, &gt[i]);
	}
	return 0;
}

void zp_eval_crossings_pool(const zp_eval_crossings *const *cs, int n, zp_eval_crossings_stats *out)
{
	uint64_t gt, det;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < n; i++) {
		if (!cs[i]->sides)
			continue;
		out->sides = true;
		for (int d = 0; d < 2; d++) {
			out->gt[d] += cs[i]->gt[d];
			out->detected[d] += cs[i]->detected[d];
		}
	}
	gt = out->gt[0] + out->gt[1];
	det = out->detected[0] + out->detected[1];
	out->error = gt ? 100.0 * ((double)det - (double)gt) / (double)gt : NAN;
}

void zp_eval_crossings_get(const zp_eval_crossings *c, zp_eval_crossings_stats *out)
{
	zp_eval_crossings_pool(&c, 1, out);
}
