/* SPDX-License-Identifier: MIT */
/*
 * zones.c - which zones each track's ground point is in, the ENTER/LEAVE
 * events of confirmed tracks, and the per-zone counts.
 *
 * A track reports ENTER for a zone in the first frame it is both confirmed
 * and inside, and LEAVE in the first frame it is outside again or when it
 * is deleted. zone_count[z] is the number of confirmed tracks inside zone z,
 * so the events of a zone always add up to its count.
 *
 * zone_entered[z] counts people, not ENTER events: a track is counted into a
 * zone once, the first time its ground point has been in it for
 * count_min_ms; stepping out and back in (edge flicker, a person pacing at
 * the kerb) does not count again, and a track that only grazes a zone's
 * edge (a blob fragment, a foot over the line) is not counted there. Only a
 * track that has walked (tracker.c) is counted: what appears in place and
 * stays there - a bag put down, a ghost on ground too busy for the outline
 * test - occupies the zone (the lights see it) but did not come in.
 *
 * zone_crossed[z] counts crossings by zp_crossing_step() (calibration.h),
 * the rule eval judges the ground truth with; each track keeps its memory.
 */
#include "detector_internal.h"

static void emit(zp_result *out, zp_event_type type, int id, int zone)
{
	zp_event *e;

	if (out->nevents >= ZP_MAX_EVENTS)
		return; /* bounded result; the counts stay right */
	e = &out->events[out->nevents++];
	e->type = type;
	e->track_id = id;
	e->zone = zone;
}

static void emit_mask(zp_result *out, zp_event_type type, int id, uint32_t zones, int nzones)
{
	for (int z = 0; z < nzones; z++)
		if (zones & (1u << z))
			emit(out, type, id, z);
}

/*
 * Is track a a piece of track b - the upper part of one person whose middle
 * the mask lost (a coat like the wall behind it), so that the person came
 * out as two blobs one above the other? Both measured this frame; a's box
 * mostly inside b's columns, its top not below b's and its bottom clearly
 * above b's, and no more than a tenth of their joint height between them.
 * People side by side, or one walking past behind another, have their boxes
 * side by side or overlapping in height: not pieces. Once the stature is
 * learnt (stature.c), the two together must also be at most
 * ZP_PIECES_MAX_PCT % of a person tall at b's feet: one person's pieces
 * span about one (more with a ghost or a shadow joined to the legs), a
 * person further back whose feet are just above the head of one in front
 * about two - he is not a piece of him.
 */
static bool piece_of(const zp_stature *st, const zp_track *a, const zp_track *b)
{
	int ax1 = a->box.x + a->box.w, bx1 = b->box.x + b->box.w, ay1 = a->box.y + a->box.h, by1 = b->box.y + b->box.h;
	int ov = (ax1 < bx1 ? ax1 : bx1) - (a->box.x > b->box.x ? a->box.x : b->box.x);
	double e;

	if (a == b || !b->confirmed || a->since_meas || b->since_meas || a->grouped || b->grouped)
		return false;
	if (10 * ov < 6 * a->box.w || a->box.y > b->box.y || 4 * (by1 - ay1) < b->box.h)
		return false;
	if (zp_stature_expect(st, by1, &e) && 100.0 * (by1 - a->box.y) > ZP_PIECES_MAX_PCT * e)
		return false;
	return 10 * (b->box.y - ay1) <= by1 - a->box.y;
}

/*
 * A fragment is not counted (stature.c) - unless it is the lower piece of a
 * person whose upper piece is a track of its own above it: the legs of one
 * whose middle the mask lost. The two are judged together, and the person
 * is counted at the legs' feet (the upper piece counts nowhere, below).
 */
static bool fragment(const zp_tracker *tr, const zp_track *t)
{
	if (!zp_stature_fragment(&tr->stature, t))
		return false;
	for (int j = 0; j < tr->n; j++)
		if (piece_of(&tr->stature, &tr->t[j], t)) {
			zp_track whole = *t;
			const zp_rect *u = &tr->t[j].box;
			int x0 = u->x < t->box.x ? u->x : t->box.x;
			int x1 = u->x + u->w > t->box.x + t->box.w ? u->x + u->w : t->box.x + t->box.w;

			whole.box = (zp_rect){ .x = x0, .y = u->y, .w = x1 - x0, .h = t->box.y + t->box.h - u->y };
			if (!zp_stature_fragment(&tr->stature, &whole))
				return false;
		}
	return true;
}

void zp_zones_update(zp_tracker *tr, const zp_zone *zones, int nzones, int count_min_ms, zp_result *out)
{
	out->nzones = nzones;
	for (int z = 0; z < nzones; z++) {
		out->zone_count[z] = 0;
		out->zone_entered[z] = 0;
		out->zone_crossed[z][0] = out->zone_crossed[z][1] = 0;
	}

	/* Tracks deleted this frame leave their zones first. */
	for (int i = 0; i < tr->ndead; i++)
		emit_mask(out, ZP_EV_LEAVE, tr->dead[i].id, tr->dead[i].entered, nzones);

	for (int k = 0; k < tr->n; k++) {
		zp_track *t = &tr->t[k];
		uint32_t in = 0;
		bool piece, vehicle;

		/*
		 * A track that lost its blob coasts on its prediction, but it keeps
		 * the zones of where it was last seen: a prediction carried on over
		 * empty ground must not walk a person into a zone (nor out of one)
		 * that nobody saw him reach. In a group the prediction is held inside
		 * the group's blob, so it stands.
		 */
		double zx = t->since_meas > 0 && !t->grouped ? t->lx : t->gx;
		double zy = (t->since_meas > 0 && !t->grouped ? t->ly : t->gy) + t->leg_dy;
		/* a vehicle is in no zone (vehicle.c), nor is one that was and lost its blob */
		vehicle = t->vehicle || (t->was_vehicle && t->since_meas > 0);

		for (int z = 0; z < nzones && !vehicle; z++)
			if (zp_polygon_contains(&zones[z].poly, zx, zy)) {
				in |= 1u << z;
				if (!(t->zones & (1u << z)))
					t->in_since[z] = out->t_ms; /* just came in */
			}
		t->zones = in;
		if (!t->confirmed)
			continue;
		emit_mask(out, ZP_EV_LEAVE, t->id, t->entered & ~in, nzones);
		emit_mask(out, ZP_EV_ENTER, t->id, in & ~t->entered, nzones);
		t->entered = in;
		for (int z = 0; z < nzones; z++)
			if (in & (1u << z))
				out->zone_count[z]++;
		if (t->ghostly || !t->walked || t->was_vehicle || fragment(tr, t))
			continue; /* in the zone, but not counted while it looks like a ghost (ghost.c), has not walked,
				     has been a vehicle (vehicle.c), or is a fragment of a person (stature.c) */
		piece = false;
		for (int j = 0; j < tr->n; j++)
			if (piece_of(&tr->stature, t, &tr->t[j])) {
				/* one person: what either was counted for counts for both, and the upper piece's zones
				   (its ground point is the person's middle) are not counted */
				tr->t[j].counted |= t->counted;
				t->counted |= tr->t[j].counted | in;
				piece = true;
			}
		if (piece) { /* nor does it cross: the piece below does; a crossing starts from a kerb again */
			t->cross = (zp_crossing_memory){ 0 };
			continue;
		}
		for (int z = 0; z < nzones; z++)
			if (((in & ~t->counted) & (1u << z)) && out->t_ms - t->in_since[z] >= count_min_ms) {
				out->zone_entered[z]++;
				t->counted |= 1u << z;
			}
		zp_crossing_step(&t->cross, zones, nzones, in, out->zone_crossed); /* calibration.h: the crossing rule */
	}
}
