/* SPDX-License-Identifier: MIT */
/*
 * vehicle.c - what moves faster than anyone on foot: a car (or a fast
 * bicycle) on the road through a zone, not a person.
 *
 * Judged on the mask's components, before they are cut into blobs: a car is
 * one component, but its lower edge rises between and beside its wheels
 * (the road under its body), so blobs.c's split_columns() cuts it into
 * pieces the width of a person, and the pieces' tracks, their boxes growing
 * or shrinking at one end, never move at the car's speed. The component
 * does. Each component of at least min_area (whether or not a blob was kept
 * of it: with [ground] a whole car is too wide to be one) is matched to the
 * last frame's component it overlaps most, of between half and twice its
 * height. Its step is the move of its edges: of the left and right edges
 * together where both are free and agree (within ZP_VEHICLE_AGREE_PX or a
 * quarter of the move), of the free one where the other touches the frame's
 * side (a car coming in or going out), and of its lower edge where it stands
 * on the road and its height did not change by more than a quarter. A
 * component that has made ZP_VEHICLE_STEPS steps in a row in one direction,
 * each at ZP_VEHICLE_HPS_10 / 10 person heights a second or more (the learnt
 * stature at its lower edge, stature.c), and is at least
 * ZP_VEHICLE_WIDTH_PCT % of a person's height wide, is a vehicle, and so is
 * every blob cut from it. A step whose edges disagree (someone joined the
 * component or left it) is no step: the count and the verdict stand. A slow
 * step ends them; a step turned back starts the count again.
 *
 * People walk at about 0.8 heights a second and run at 2 to 3.5, and one
 * person is far narrower than he is tall; 4.5 heights a second is 28 km/h
 * for a person of 1.75 m. Nothing is judged before the stature is learnt.
 * At most ZP_VEH_MAX components a frame, in the order of their first run.
 *
 * The tracker (tracker.c) gives the verdict to the track that takes the
 * blob, unless that track is a person (ZP_VEHICLE_PERSON_HITS): a car
 * passing someone joins him in the mask. zones.c keeps a vehicle out of
 * every zone and does not count a track that has been one.
 */
#include "detector_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void zp_vehicles_reset(zp_vehicles *v)
{
	memset(v, 0, sizeof(*v));
}

/*
 * One edge pair's move: both free and agreeing (within a quarter of their
 * mean and ZP_VEHICLE_AGREE_PX), or the free one alone. false: no move to
 * trust.
 */
static bool edge_move(int d0, int d1, bool free0, bool free1, double *d)
{
	if (free0 && free1) {
		double m = (d0 + d1) / 2.0;

		if (fabs((double)d0 - d1) > fmax(ZP_VEHICLE_AGREE_PX, fabs(m) / 4))
			return false;
		*d = m;
		return true;
	}
	if (free0 != free1) {
		*d = free0 ? d0 : d1;
		return true;
	}
	return false;
}

/* The step of c from p; false when its edges do not say one. */
static bool step_of(const zp_vcomp *p, const zp_vcomp *c, int height, double *dx, double *dy)
{
	const zp_rect *a = &p->box, *b = &c->box;
	bool fl = !c->at_left && !p->at_left, fr = !c->at_right && !p->at_right;

	if (!edge_move(b->x - a->x, b->x + b->w - (a->x + a->w), fl, fr, dx))
		return false;
	/* the lower edge: on the road, unless cut by the frame's bottom or someone joined or left (the height changed) */
	*dy = b->y + b->h < height && a->y + a->h < height && 4 * abs(b->h - a->h) <= a->h ? b->y + b->h - (a->y + a->h)
											     : 0;
	return true;
}

void zp_vehicles_mark(zp_vehicles *v, const zp_cc *cc, zp_blob *blobs, int nblobs, int scale, int min_area,
		      int width, int height, const struct zp_stature *st, int64_t t_ms)
{
	zp_vcomp cur[ZP_VEH_MAX];
	int n = 0, comp_of[ZP_MAX_BLOBS];
	double dt = v->have ? (double)(t_ms - v->t_ms) : 0;

	/* every component of at least min_area (input pixels), whether or not a blob was kept of it ([ground]) */
	for (int i = 0; i < cc->row_first[cc->h] && n < ZP_VEH_MAX; i++) {
		const zp_ccstat *s = &cc->stat[i];

		if (cc->parent[i] != i || (int64_t)s->area * scale * scale < min_area)
			continue;
		memset(&cur[n], 0, sizeof(cur[n]));
		cur[n].root = i;
		cur[n].box = (zp_rect){ s->x0 * scale, s->y0 * scale, (s->x1 - s->x0 + 1) * scale, (s->y1 - s->y0 + 1) * scale };
		cur[n].at_left = s->x0 == 0;
		cur[n].at_right = (s->x1 + 1) * scale > width - scale;
		n++;
	}
	for (int b = 0; b < nblobs; b++) {
		int k;

		for (k = 0; k < n && cur[k].root != blobs[b].root; k++)
			;
		comp_of[b] = k < n ? k : -1;
	}

	for (int k = 0; k < n; k++) {
		zp_vcomp *c = &cur[k];
		int best = -1, ch = c->box.h;
		int64_t bo = 0;
		double dx, dy, e, lim, step;
		bool have_e;

		for (int j = 0; j < v->n; j++) {
			int ph = v->c[j].box.h;
			int64_t o = zp_rect_overlap(&v->c[j].box, &c->box);

			if (2 * ph < ch || 2 * ch < ph || o <= bo)
				continue; /* not half or twice the height: not the same thing */
			best = j;
			bo = o;
		}
		/* feet: the row below the lowest, as learnt */
		have_e = zp_stature_expect(st, (double)c->box.y + c->box.h, &e);
		c->wide = have_e && 100 * c->box.w >= ZP_VEHICLE_WIDTH_PCT * e;
		if (best < 0 || !(dt > 0) || !have_e)
			continue; /* a new component, or nothing learnt to judge it by */
		c->fast = v->c[best].fast;
		c->sdx = v->c[best].sdx;
		c->sdy = v->c[best].sdy;
		c->vehicle = v->c[best].vehicle;
		if (!step_of(&v->c[best], c, height, &dx, &dy))
			continue; /* edges that disagree: the count stands */
		lim = ZP_VEHICLE_HPS_10 * e / 10000.0 * dt; /* input pixels this frame */
		step = hypot(dx, dy);
		if (step < lim || (c->fast > 0 && dx * c->sdx + dy * c->sdy <= 0)) {
			c->fast = step < lim ? 0 : 1; /* slow: over; turned back: starts again */
			c->vehicle = false;
		} else {
			c->fast++;
		}
		c->sdx = dx;
		c->sdy = dy;
		if (c->fast >= ZP_VEHICLE_STEPS && c->wide)
			c->vehicle = true;
	}

	for (int b = 0; b < nblobs; b++) {
		blobs[b].vehicle = comp_of[b] >= 0 && cur[comp_of[b]].vehicle;
		blobs[b].fast = comp_of[b] >= 0 && cur[comp_of[b]].fast > 0;
		blobs[b].wide = comp_of[b] >= 0 && cur[comp_of[b]].wide;
	}
	memcpy(v->c, cur, (size_t)n * sizeof(cur[0]));
	v->n = n;
	v->t_ms = t_ms;
	v->have = true;
}
